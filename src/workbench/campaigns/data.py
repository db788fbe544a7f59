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


def _window_join(rows: pd.DataFrame, transactions: pd.DataFrame) -> pd.DataFrame:
    """Every transaction line of each contact's customer: ``row`` (the contact's position),
    ``sent_at``, ``order_date``, ``amount`` and ``_order`` (the line's order as an integer code:
    its ``order_id``, else its day; missing stays missing).

    Customers are matched as integer codes of their ids and the order ids are coded once on
    the transactions, so the join moves numbers only.
    """
    tx_ids = transactions["customer_id"].astype("string")
    codes, ids = pd.factorize(tx_ids)
    dates = pd.to_datetime(transactions["order_date"])
    order = transactions["order_id"] if "order_id" in transactions else dates.dt.normalize()
    tx = pd.DataFrame({"_customer": codes, "order_date": dates.to_numpy(),
                       "amount": transactions["amount"].to_numpy(),
                       "_order": _order_codes(order).to_numpy()})
    tx = tx[tx["_customer"] >= 0]
    wanted = pd.Index(ids).get_indexer(rows["customer_id"].astype("string"))
    keys = pd.DataFrame({"_customer": wanted, "sent_at": rows["sent_at"].to_numpy(),
                         "row": np.arange(len(rows))})
    joined = keys[wanted >= 0].merge(tx, on="_customer", how="inner")
    return joined.drop(columns="_customer")


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
    out = campaigns.copy()
    need = "converted" not in out or "revenue" not in out or out.get("converted").isna().any()
    if transactions is None or not len(transactions):
        if need:
            raise CampaignError("campaigns: without converted and revenue columns, the outcome "
                                "is read from transactions, and there are none")
        out["orders"] = pd.NA
        out["window_complete"] = True
        return out
    window = pd.Timedelta(days=window_days)
    joined = _window_join(out, transactions)
    inside = joined[(joined["order_date"] > joined["sent_at"])
                    & (joined["order_date"] <= joined["sent_at"] + window)]
    positive = inside[inside["amount"] > 0]
    orders = positive.groupby("row")["_order"].nunique()
    revenue = inside.groupby("row")["amount"].sum()
    position = pd.RangeIndex(len(out))
    found_orders = orders.reindex(position).fillna(0).astype("int64").to_numpy()
    if "converted" not in out:
        out["converted"] = (found_orders > 0).astype("int64")
    else:
        filled = out["converted"].astype("Float64").fillna(pd.Series(found_orders > 0, index=out.index).astype(float))
        out["converted"] = filled.astype("int64")
    if "revenue" not in out:
        out["revenue"] = revenue.reindex(position).fillna(0.0).to_numpy()
    else:
        out["revenue"] = out["revenue"].fillna(pd.Series(revenue.reindex(position).fillna(0.0).to_numpy(),
                                                         index=out.index))
    out["converted"] = out["converted"].astype("int64")
    out["orders"] = found_orders
    last = pd.to_datetime(transactions["order_date"]).max().normalize() + pd.Timedelta(days=1)
    out["window_complete"] = (out["sent_at"] + window) <= last
    return out


def pre_period_features(campaigns: pd.DataFrame, transactions: pd.DataFrame | None) -> pd.DataFrame:
    """Each contact's purchase history strictly before its ``sent_at``: the uplift model's inputs.

    Columns (one row per row of ``campaigns``, same order): ``recency_days`` (days from the last
    purchase to ``sent_at``; blank for customers who had not bought), ``tenure_days`` (from the
    first purchase), ``orders`` and ``revenue`` (all history, currency units),
    ``avg_order_value``, ``orders_90d``, ``revenue_90d`` and ``orders_365d``. Only history
    before the contact enters, so no feature is changed by the campaign.
    """
    n = len(campaigns)
    columns = ["recency_days", "tenure_days", "orders", "revenue", "avg_order_value",
               "orders_90d", "revenue_90d", "orders_365d"]
    if transactions is None or not len(transactions):
        return pd.DataFrame(np.nan, index=range(n), columns=columns)
    joined = _window_join(campaigns, transactions)
    before = joined[joined["order_date"] < joined["sent_at"]].copy()
    before["age_days"] = (before["sent_at"] - before["order_date"]).dt.total_seconds() / 86400.0
    positive = before[before["amount"] > 0]
    grouped = positive.groupby("row")
    feats = pd.DataFrame(index=pd.RangeIndex(n))
    feats["recency_days"] = grouped["age_days"].min()
    feats["tenure_days"] = grouped["age_days"].max()
    feats["orders"] = grouped["_order"].nunique()
    feats["revenue"] = before.groupby("row")["amount"].sum()
    feats["avg_order_value"] = feats["revenue"] / feats["orders"]
    recent = positive[positive["age_days"] <= 90]
    feats["orders_90d"] = recent.groupby("row")["_order"].nunique()
    feats["revenue_90d"] = before[before["age_days"] <= 90].groupby("row")["amount"].sum()
    feats["orders_365d"] = positive[positive["age_days"] <= 365].groupby("row")["_order"].nunique()
    for column in ("orders", "revenue", "orders_90d", "revenue_90d", "orders_365d"):
        feats[column] = feats[column].fillna(0.0)
    return feats[columns].astype("float64").reset_index(drop=True)
