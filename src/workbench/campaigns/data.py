"""The campaign log: validation at the edge, and each contact's outcome.

A campaigns table has one row per customer and campaign: ``customer_id``, ``campaign_id``,
``sent_at`` (when the contact went out, or would have for the control group) and ``arm`` (the
treatment's name, or the control group under any of the names in :data:`CONTROL_NAMES`).
Optional: ``channel``, ``offer``, ``cost`` (per contact, currency units), ``converted`` (0/1)
and ``revenue`` (currency units). When ``converted`` / ``revenue`` are absent, the outcome is
read from the transactions of the ``window_days`` days after ``sent_at``
(:func:`campaign_outcomes`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from workbench.summary import MONEY_SCALE, exact_units

__all__ = ["CONTROL", "CONTROL_NAMES", "OPTIONAL_COLUMNS", "REQUIRED_COLUMNS", "CampaignError",
           "campaign_outcomes", "check_campaigns", "normalise_arm", "pre_period_features"]

#: Stable code of the control arm.
CONTROL = "control"
#: Names of the control arm as users write them (compared case- and space-insensitively).
CONTROL_NAMES = ("control", "control group", "holdout", "hold out", "hold-out", "对照组", "对照",
                 "控制组", "留出组")
REQUIRED_COLUMNS = ("customer_id", "campaign_id", "sent_at", "arm")
OPTIONAL_COLUMNS = ("channel", "offer", "cost", "converted", "revenue")
#: How many example rows or customers an error message names.
N_EXAMPLES = 5

_CONTROL_KEYS = {re.sub(r"[\s_\-]+", "", name).casefold() for name in CONTROL_NAMES}


class CampaignError(ValueError):
    """The campaigns table cannot be analysed; the message names the campaign, rows or customers."""


def normalise_arm(value: object) -> str:
    """The arm's stable code: :data:`CONTROL` for any control name, else the name trimmed."""
    text = re.sub(r"\s+", " ", str(value)).strip()
    return CONTROL if re.sub(r"[\s_\-]+", "", text).casefold() in _CONTROL_KEYS else text


def _rows(frame: pd.DataFrame, mask: pd.Series) -> str:
    """Row names of ``mask`` for a message: the loader's ``source_row`` when present."""
    index = frame.loc[mask, "source_row"] if "source_row" in frame else frame.index[mask]
    shown = [str(int(i)) for i in list(index)[:N_EXAMPLES]]
    more = f" (and {int(mask.sum()) - len(shown)} more)" if mask.sum() > len(shown) else ""
    return ", ".join(shown) + more


def check_campaigns(frame: pd.DataFrame, *, last_date: object = None) -> pd.DataFrame:
    """Validate a campaigns table and return it in canonical form.

    Parameters
    ----------
    frame
        The campaign log, one row per customer and campaign (columns: module docstring).
    last_date
        The last day of the data (inclusive). A ``sent_at`` after it is an error: such a
        campaign has no outcome yet.

    Returns
    -------
    DataFrame
        ``customer_id``, ``campaign_id``, ``arm`` as text (the control arm as
        :data:`CONTROL`), ``sent_at`` as a timestamp, ``cost``, ``revenue`` as floats and
        ``converted`` as 0/1 when given. A customer listed twice in the same arm of one
        campaign is kept once (the first send).

    Raises
    ------
    CampaignError
        A required column is missing; ``sent_at`` cannot be read or lies after ``last_date``;
        an arm is blank; a customer is in two arms of one campaign; ``converted`` is not 0/1.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in frame]
    if missing:
        raise CampaignError(f"the campaigns table lacks the column(s) {', '.join(missing)} "
                            f"(required: {', '.join(REQUIRED_COLUMNS)})")
    out = frame.copy()
    for column in ("customer_id", "campaign_id"):
        out[column] = out[column].astype("string").str.strip()
        blank = out[column].isna() | (out[column] == "")
        if blank.any():
            raise CampaignError(f"campaigns: {column} is blank in row(s) {_rows(out, blank)}")
    raw_arm = out["arm"].astype("string")
    blank = raw_arm.isna() | (raw_arm.str.strip() == "")
    if blank.any():
        raise CampaignError(f"campaigns: arm is blank in row(s) {_rows(out, blank)}")
    # each distinct arm name once: a log has a handful of names and 10^5 rows
    codes, names = pd.factorize(raw_arm)
    arms = np.array([normalise_arm(v) for v in names], dtype=object)
    out["arm"] = pd.Series(arms[codes], index=out.index, dtype="string")
    sent = pd.to_datetime(out["sent_at"], errors="coerce", format="mixed")
    bad = sent.isna()
    if bad.any():
        raise CampaignError(f"campaigns: sent_at cannot be read as a date in row(s) {_rows(out, bad)}")
    out["sent_at"] = sent
    if last_date is not None:
        end = pd.Timestamp(last_date).normalize() + pd.Timedelta(days=1)
        late = out["sent_at"] >= end
        if late.any():
            raise CampaignError(
                f"campaigns: sent_at lies after the data's last day "
                f"{pd.Timestamp(last_date).date()} in row(s) {_rows(out, late)} "
                f"(campaign {', '.join(sorted(out.loc[late, 'campaign_id'].unique())[:N_EXAMPLES])}); "
                "those contacts have no outcome yet")
    arms = out.groupby(["campaign_id", "customer_id"])["arm"].nunique()
    twice = arms[arms > 1]
    if len(twice):
        campaign = twice.index[0][0]
        customers = [c for k, c in twice.index if k == campaign][:N_EXAMPLES]
        raise CampaignError(
            f"campaigns: in campaign {campaign!r}, {len(twice)} customer(s) are in more than one "
            f"arm, e.g. {', '.join(customers)}; each customer must be in exactly one arm")
    for column in ("cost", "revenue"):
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
    if "converted" in out:
        text = out["converted"].astype("string").str.strip().str.lower()
        mapped = text.map({"1": 1, "0": 0, "1.0": 1, "0.0": 0, "true": 1, "false": 0,
                           "yes": 1, "no": 0, "是": 1, "否": 0})
        bad = mapped.isna() & text.notna()
        if bad.any():
            raise CampaignError(f"campaigns: converted must be 0 or 1, not in row(s) {_rows(out, bad)}")
        out["converted"] = mapped.astype("Int64")
    out = out.sort_values(["campaign_id", "sent_at"], kind="stable")
    out = out.drop_duplicates(["campaign_id", "customer_id"], keep="first")
    return out.reset_index(drop=True)


#: Most customer lines :func:`_contact_history` holds at once (bounds its memory).
_CHUNK_LINES = 1 << 22


class _CustomerLines:
    """The transaction lines grouped by customer, in their original order within a customer:
    each contact's customer's lines are one slice of these arrays.

    Customers are matched as integer codes of their ids and the order ids are coded once
    (``_order``: the line's ``order_id``, else its day, as an integer code in a float; missing
    stays missing), so the lines of the contacts move numbers only.
    """

    def __init__(self, transactions: pd.DataFrame):
        codes, ids = _customer_codes(transactions["customer_id"])
        dates = pd.to_datetime(transactions["order_date"])
        order = transactions["order_id"] if "order_id" in transactions else dates.dt.normalize()
        by_customer = np.argsort(codes, kind="stable")
        by_customer = by_customer[np.count_nonzero(codes < 0):]  # lines without a customer
        self.ids = ids
        self.count = np.bincount(codes[by_customer], minlength=len(ids))
        self.start = np.cumsum(self.count) - self.count
        self.order_date = dates.to_numpy()[by_customer]
        self.amount = transactions["amount"].to_numpy()[by_customer]
        self.order = _order_codes(order).to_numpy()[by_customer]
        self.n_orders = int(np.nanmax(self.order)) + 1 if np.isfinite(self.order).any() else 1

    def contacts(self, rows: pd.DataFrame):
        """Per chunk of contacts (``rows`` with ``customer_id`` and ``sent_at``): their positions
        in ``rows``, and for each of their customers' lines the contact's place in the chunk
        (ascending), ``sent_at``, ``order_date``, ``amount`` and ``_order``. The lines are those
        of the old inner merge of the contacts with the lines: contact by contact, each
        customer's lines in their original order."""
        wanted = self.ids.get_indexer(rows["customer_id"].astype("string"))
        sent_at = rows["sent_at"].to_numpy()
        found = np.flatnonzero(wanted >= 0)
        lengths = self.count[wanted[found]]
        ends = np.cumsum(lengths)
        first = 0
        while first < len(found):
            last = max(int(np.searchsorted(ends, ends[first] - lengths[first] + _CHUNK_LINES,
                                           side="right")), first + 1)
            where, length = found[first:last], lengths[first:last]
            total = int(length.sum())
            place = np.repeat(np.arange(len(where)), length)
            offset = np.cumsum(length) - length
            line = np.repeat(self.start[wanted[where]] - offset, length) + np.arange(total)
            yield (where, place, np.repeat(sent_at[where], length), self.order_date[line],
                   self.amount[line], self.order[line])
            first = last


def _customer_codes(ids: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of customer ids and the ids they stand for, as text (missing: -1)."""
    codes, uniques = pd.factorize(ids)
    text = pd.Index(uniques).astype("string")
    if not text.is_unique or text.hasnans:  # two ids that read the same as text: code the text
        codes, uniques = pd.factorize(ids.astype("string"))
        text = pd.Index(uniques)
    return codes, text


def _sums(place: np.ndarray, values: np.ndarray, n: int, empty: float) -> np.ndarray:
    """Per place (0..n-1) the sum of the money ``values`` (currency units), summed exactly in
    units of 1/MONEY_SCALE, so whatever the order of the lines; ``empty`` where a place has no
    value."""
    out = np.full(n, empty)
    if len(place):
        sums = pd.Series(exact_units(values)).groupby(place).sum()
        out[sums.index.to_numpy()] = sums.to_numpy() / MONEY_SCALE
    return out


def _distinct(place: np.ndarray, order: np.ndarray, n: int, n_orders: int) -> np.ndarray:
    """Per place (0..n-1) the number of distinct non-missing order codes."""
    known = ~np.isnan(order)
    keys = np.sort(place[known] * np.int64(n_orders) + order[known].astype(np.int64), kind="stable")
    firsts = keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys
    return np.bincount(firsts // n_orders, minlength=n)


def _present(place: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(place, minlength=n) > 0


def _blocks(place: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct places (``place`` ascending) and where each one's run starts."""
    starts = np.flatnonzero(np.r_[True, place[1:] != place[:-1]]) if len(place) else place
    return place[starts], starts


_FEATURE_COLUMNS = ["recency_days", "tenure_days", "orders", "revenue", "avg_order_value",
                    "orders_90d", "revenue_90d", "orders_365d"]


def _contact_history(rows: pd.DataFrame, transactions: pd.DataFrame, *,
                     window_days: int | None = None, features: bool = True
                     ) -> tuple[dict[str, np.ndarray] | None, pd.DataFrame | None]:
    """Each contact's window outcome (``window_days`` not None: ``orders`` and ``revenue`` in
    ``(sent_at, sent_at + window_days]``) and pre-send features (``features``), from one pass
    over the contacts' customers' lines (:func:`campaign_outcomes`,
    :func:`pre_period_features`)."""
    n = len(rows)
    lines = _CustomerLines(transactions)
    window = None if window_days is None else np.timedelta64(pd.Timedelta(days=window_days).value, "ns")
    outcome = {"orders": np.zeros(n, dtype=np.int64), "revenue": np.zeros(n)} if window is not None else None
    feats = {c: np.full(n, np.nan) for c in _FEATURE_COLUMNS} if features else None
    for where, place, sent_at, order_date, amount, order in lines.contacts(rows):
        m = len(where)
        if outcome is not None:
            inside = (order_date > sent_at) & (order_date <= sent_at + window)
            positive = inside & (amount > 0)
            outcome["orders"][where] = _distinct(place[positive], order[positive], m, lines.n_orders)
            outcome["revenue"][where] = _sums(place[inside], amount[inside], m, 0.0)
        if feats is None:
            continue
        before = order_date < sent_at
        place, amount, order = place[before], amount[before], order[before]
        age = pd.Series(sent_at[before] - order_date[before]).dt.total_seconds().to_numpy() / 86400.0
        positive = amount > 0
        p_place, p_age, p_order = place[positive], age[positive], order[positive]
        ids, starts = _blocks(p_place)
        recency, tenure = np.full(m, np.nan), np.full(m, np.nan)
        if len(starts):
            recency[ids] = np.fmin.reduceat(p_age, starts)
            tenure[ids] = np.fmax.reduceat(p_age, starts)
        orders = np.where(_present(p_place, m),
                          _distinct(p_place, p_order, m, lines.n_orders), np.nan)
        revenue = _sums(place, amount, m, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            average = revenue / orders
        recent = p_age <= 90
        days_90 = age <= 90
        year = p_age <= 365
        values = {
            "recency_days": recency, "tenure_days": tenure, "orders": orders,
            "revenue": revenue, "avg_order_value": average,
            "orders_90d": _distinct(p_place[recent], p_order[recent], m, lines.n_orders),
            "revenue_90d": _sums(place[days_90], amount[days_90], m, 0.0),
            "orders_365d": _distinct(p_place[year], p_order[year], m, lines.n_orders)}
        for column, value in values.items():
            feats[column][where] = value
    frame = None
    if feats is not None:
        for column in ("orders", "revenue", "orders_90d", "revenue_90d", "orders_365d"):
            feats[column] = np.where(np.isnan(feats[column]), 0.0, feats[column])
        frame = pd.DataFrame(feats, columns=_FEATURE_COLUMNS).astype("float64")
    return outcome, frame


def _order_codes(keys: pd.Series) -> pd.Series:
    """Order keys as integer codes (missing stays missing): distinct counts per group are
    those of the keys, without hashing text in every group-by."""
    codes = pd.factorize(keys)[0].astype("float64")
    codes[codes < 0] = np.nan
    return pd.Series(codes, index=keys.index)


def campaign_outcomes(campaigns: pd.DataFrame, transactions: pd.DataFrame | None, *,
                      window_days: int = 30) -> pd.DataFrame:
    """Each contact's outcome: converted (0/1), revenue and orders in the window after ``sent_at``.

    The window is ``(sent_at, sent_at + window_days]`` (days). ``converted`` is 1 when the
    customer has a line with a positive amount in it; ``revenue`` is the net amount (returns
    count negative, currency units); ``orders`` the number of distinct orders with a positive
    amount (lines of one day when there is no ``order_id``). Given ``converted`` / ``revenue``
    columns are kept as they are. ``window_complete`` says whether the window ended on or before
    the data's last day.

    ``campaigns`` must be the output of :func:`check_campaigns`.
    """
    return _outcomes(campaigns, transactions, window_days=window_days)[0]


def _outcomes(campaigns: pd.DataFrame, transactions: pd.DataFrame | None, *, window_days: int,
              features: bool = False) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """:func:`campaign_outcomes` and, with ``features`` and transactions, also
    :func:`pre_period_features` of the same contacts, from one pass over their lines."""
    out = campaigns.copy()
    need = "converted" not in out or "revenue" not in out or out.get("converted").isna().any()
    if transactions is None or not len(transactions):
        if need:
            raise CampaignError("campaigns: without converted and revenue columns, the outcome "
                                "is read from transactions, and there are none")
        out["orders"] = pd.NA
        out["window_complete"] = True
        return out, pre_period_features(out, None) if features else None
    window = pd.Timedelta(days=window_days)
    found, feats = _contact_history(out, transactions, window_days=window_days, features=features)
    found_orders = found["orders"]
    if "converted" not in out:
        out["converted"] = (found_orders > 0).astype("int64")
    else:
        filled = out["converted"].astype("Float64").fillna(pd.Series(found_orders > 0, index=out.index).astype(float))
        out["converted"] = filled.astype("int64")
    if "revenue" not in out:
        out["revenue"] = found["revenue"]
    else:
        out["revenue"] = out["revenue"].fillna(pd.Series(found["revenue"], index=out.index))
    out["converted"] = out["converted"].astype("int64")
    out["orders"] = found_orders
    last = pd.to_datetime(transactions["order_date"]).max().normalize() + pd.Timedelta(days=1)
    out["window_complete"] = (out["sent_at"] + window) <= last
    return out, feats


def pre_period_features(campaigns: pd.DataFrame, transactions: pd.DataFrame | None) -> pd.DataFrame:
    """Each contact's purchase history strictly before its ``sent_at``: the uplift model's inputs.

    Columns (one row per row of ``campaigns``, same order): ``recency_days`` (days from the last
    purchase to ``sent_at``; blank for customers who had not bought), ``tenure_days`` (from the
    first purchase), ``orders`` and ``revenue`` (all history, currency units),
    ``avg_order_value``, ``orders_90d``, ``revenue_90d`` and ``orders_365d``. Only history
    before the contact enters, so no feature is changed by the campaign.
    """
    if transactions is None or not len(transactions):
        return pd.DataFrame(np.nan, index=range(len(campaigns)), columns=_FEATURE_COLUMNS)
    return _contact_history(campaigns, transactions)[1]
