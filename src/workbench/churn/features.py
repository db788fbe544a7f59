"""Churn training rows: features at a cutoff from data up to it, labels from the window after.

Two settings:

- contractual (subscriptions, telecom, SaaS): churn is observed, the customers table has a
  ``churned`` flag; features are the customer attributes;
- transactional (retail, e-commerce): the rows at a cutoff are the customers lifecycle counts
  as not churned on that day (:mod:`workbench.lifecycle`); a row's label is 1 when the customer
  makes no purchase in the ``horizon_days`` after the cutoff. Features use only data up to the
  cutoff and labels only data after it; several monthly cutoffs make the training set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from workbench.features import canonical_rows, purchase_mix
from workbench.results import by_customer
from workbench.summary import MONEY_SCALE, day_after, exact_units, up_to

#: Columns never used as features: identifiers, labels and personal data.
EXCLUDED = {"customer_id", "churned", "churned_at", "name", "phone", "email", "signup_date",
            "source_row", "cutoff", "label"}


#: Customer attributes that do not change after they are recorded, so the customers table as
#: exported tells their value at any past cutoff. Every other attribute of the customers table
#: (membership tier, preferred payment, follower status, ...) may have changed with the
#: customer's behaviour after a past cutoff and is left out of transactional features unless
#: its dated history is given (``attribute_history``). ``region`` follows from ``city``.
STATIC_ATTRIBUTES = ("gender", "signup_date", "acquisition_channel", "city", "region")


#: Transaction columns the purchase features read (:func:`_purchase_features` and
#: :func:`workbench.features.purchase_mix`).
PURCHASE_COLUMNS = ("customer_id", "order_date", "amount", "channel", "category", "discount")


@dataclass
class ChurnData:
    """Features, labels and the cutoff each row belongs to (one cutoff in the contractual case)."""

    features: pd.DataFrame  # indexed 0..n-1; has customer_id and cutoff columns
    label: pd.Series  # 1 = churned
    setting: Literal["contractual", "transactional"]
    horizon_days: int | None = None

    @property
    def X(self) -> pd.DataFrame:
        return self.features.drop(columns=[c for c in EXCLUDED if c in self.features])


def contractual_data(customers: pd.DataFrame) -> ChurnData:
    """Features = customer attributes, label = ``churned``; rows without a flag are dropped."""
    if "churned" not in customers:
        raise ValueError("the contractual setting needs a churned column in customers")
    known = customers[customers["churned"].notna()].reset_index(drop=True)
    features = known.drop(columns=["churned"]).assign(cutoff=pd.NaT)
    return ChurnData(features, known["churned"].astype(int), "contractual")


def transactional_features(transactions: pd.DataFrame, cutoff: pd.Timestamp, *,
                           customers: pd.DataFrame | None = None,
                           events: pd.DataFrame | None = None,
                           feedback: pd.DataFrame | None = None,
                           comments: pd.DataFrame | None = None,
                           complaint_categories: Sequence[str] = (),
                           window_days: int = 90, max_categories: int = 6,
                           static_attributes: Sequence[str] | None = None,
                           attribute_history: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per customer who bought on or before ``cutoff``: features from data up to the cutoff only.

    Recency, frequency, spend, tenure and order value (days and currency units); the trend of
    orders and spend in the last ``window_days`` against the ``window_days`` before;
    channel count and mix, category mix, discount share; support tickets and other events in
    the last ``window_days`` and in the ``window_days`` before; the last NPS/CSAT/CES of
    ``feedback``; with ``comments`` (the shared ``comments`` result) the features of
    :func:`feedback_features` for ``complaint_categories``.

    Customer attributes (no personal data): only the ``static_attributes`` (default
    :data:`STATIC_ATTRIBUTES`) are taken from ``customers``, whose values are as of the export,
    not of the cutoff. Attributes that change over time come only from ``attribute_history``
    (columns ``customer_id``, ``valid_from`` and the attributes): each customer's last row with
    ``valid_from`` on or before the cutoff.
    """
    lines = _PurchaseLines(transactions)
    return _features_at(lines, cutoff, customers=customers, events=events, feedback=feedback,
                        comments=comments, complaint_categories=complaint_categories,
                        window_days=window_days, max_categories=max_categories,
                        static_attributes=static_attributes, attribute_history=attribute_history)


def _features_at(lines: _PurchaseLines, cutoff: pd.Timestamp, *,
                 customers: pd.DataFrame | None = None, events: pd.DataFrame | None = None,
                 feedback: pd.DataFrame | None = None, comments: pd.DataFrame | None = None,
                 complaint_categories: Sequence[str] = (), window_days: int = 90,
                 max_categories: int = 6, static_attributes: Sequence[str] | None = None,
                 attribute_history: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`transactional_features` at ``cutoff`` from the prepared purchase ``lines``."""
    frame = lines.features(cutoff, window_days, max_categories)
    if events is not None and len(events):
        frame = frame.join(lines.event_log(events).counts(cutoff, window_days))
    if feedback is not None and len(feedback):
        # same-second answers in an order of their values, not of the source's rows
        known = canonical_rows(up_to(feedback, cutoff, "submitted_at"),
                               ("submitted_at", "customer_id"))
        last = known.groupby("customer_id").last()
        last.index = last.index.astype(str)
        for score in ("nps", "csat", "ces"):
            if score in last:
                frame[f"last_{score}"] = last[score]
    if comments is not None:
        frame = frame.join(feedback_features(comments, cutoff, categories=complaint_categories,
                                             window_days=window_days))
    frame = frame.reset_index()
    zero = ("channel:", "category:", "events:", "events_before:", *FEEDBACK_COUNTS)
    frame = frame.fillna({c: 0.0 for c in frame.columns if c.startswith(zero)})
    if customers is not None:
        static = STATIC_ATTRIBUTES if static_attributes is None else tuple(static_attributes)
        keep = [c for c in customers.columns if c in static and c not in EXCLUDED]
        attributes = customers[["customer_id", *keep]].assign(
            customer_id=customers["customer_id"].astype(str))
        frame = frame.merge(attributes, on="customer_id", how="left")
    if attribute_history is not None:
        frame = frame.merge(attributes_as_of(attribute_history, cutoff), on="customer_id", how="left")
    return frame.assign(cutoff=cutoff)


def _purchase_features(tx: pd.DataFrame, cutoff: pd.Timestamp, window_days: int) -> pd.DataFrame:
    """Recency, purchase days, spend, tenure and the last-window trends, one row per customer
    of ``tx`` (lines up to ``cutoff``), in the order of ``customer_id``."""
    lines = _PurchaseLines(tx[["customer_id", "order_date", "amount"]])
    frame = lines.purchase_features(cutoff, window_days)
    frame.index = lines.ids.take(frame.index.to_numpy())
    return frame.reset_index()


class _PurchaseLines:
    """The purchase lines of ``transactions`` prepared once for the features at many cutoffs.

    Customers, channels and categories are integer codes of their sorted values, so a cut at a
    cutoff is a mask on arrays and every group sum (:func:`workbench.features.purchase_mix`)
    adds the same lines in the same order as on the values themselves. The daily purchases
    (:func:`workbench.engine.daily_purchases`, exact sums) are kept in DuckDB:
    the purchase days up to a cutoff are the days up to it, so each cutoff only aggregates.
    Lines without a customer belong to no customer's features.
    """

    def __init__(self, transactions: pd.DataFrame):
        codes, self.ids = pd.factorize(transactions["customer_id"], sort=True)
        self.ids = pd.Index(self.ids, name="customer_id")
        self.codes = codes
        self.dates = transactions["order_date"].to_numpy()
        # lines as purchase_mix reads them, with codes for text: a customer's code as a float
        # (NaN: no customer, as NaN is no group there), channels and categories likewise
        self.mix: dict[str, np.ndarray] = {"customer_id": np.where(codes >= 0, codes, np.nan)}
        self.names: dict[str, pd.Index] = {}
        for column in ("amount", "channel", "category", "discount"):
            if column not in transactions:
                continue
            if column in ("channel", "category"):
                values, self.names[column] = pd.factorize(transactions[column], sort=True)
                self.mix[column] = np.where(values >= 0, values, np.nan)
            else:
                self.mix[column] = transactions[column].to_numpy()
        #: purchase_mix's column names of the codes -> the names of the values
        self.renamed = {f"{column}:{float(code)}": f"{column}:{name}"
                        for column, found in self.names.items()
                        for code, name in enumerate(found.tolist())}
        self.transactions = transactions
        self._backend = self._daily = None
        self._events: tuple[pd.DataFrame, _EventLog] | None = None

    def event_log(self, events: pd.DataFrame) -> _EventLog:
        """``events`` prepared for the counts at each cutoff (once per events frame)."""
        if self._events is None or self._events[0] is not events:
            self._events = (events, _EventLog(events))
        return self._events[1]

    def close(self) -> None:
        """Free the prepared lines and the daily purchases kept in DuckDB: after this the
        object is spent (every other method fails). For a caller whose last use of the lines
        is over, before a step that needs the memory."""
        if self._backend is not None:
            self._backend.disconnect()
        self._backend, self._daily, self._events = None, None, None
        self.codes = self.dates = self.transactions = None
        self.mix, self.names = {}, {}

    def mask(self, cutoff: pd.Timestamp) -> np.ndarray:
        """Lines on or before ``cutoff`` (whole day, as :func:`workbench.summary.up_to`)."""
        return self.dates < day_after(cutoff).to_datetime64()

    @property
    def daily(self):
        """The daily purchases of the lines with a customer
        (:func:`workbench.engine.daily_purchases`, exact sums), keyed by the customer's
        ``code``, an Ibis table kept in DuckDB."""
        if self._backend is None:
            from workbench.engine import aggregations, local

            backend = local.local_backend(memory_limit=None)
            try:
                known = self.codes >= 0
                tx = local.register(backend, "tx", pd.DataFrame({
                    "customer_id": self.codes[known],
                    "order_date": self.transactions["order_date"].to_numpy()[known],
                    "amount": self.transactions["amount"].to_numpy()[known]}))
                daily = aggregations.daily_purchases(tx)
                # a customer's code is a number: its text is unique and casts back
                daily = daily.select(code=daily.customer_id.cast("int64"), day=daily.day,
                                     amount=daily.amount)
                self._daily = backend.create_table("daily", daily, temp=True)
                backend.con.unregister("tx")
            except BaseException:
                backend.disconnect()
                raise
            self._backend = backend
        return self._daily

    def purchase_features(self, cutoff: pd.Timestamp, window_days: int) -> pd.DataFrame:
        """Recency, purchase days, spend, tenure and the last-window trends, one row per
        customer who bought by ``cutoff`` (index: the customer's code, sorted)
        (:func:`workbench.engine.aggregations.purchase_feature_table`)."""
        from workbench.engine.aggregations import purchase_feature_frame, purchase_feature_table

        table = purchase_feature_table(self.daily, cutoff, window_days, key="code")
        table = table.order_by("code").to_pyarrow()  # fixed order: folds must not follow threads
        frame = purchase_feature_frame(table, cutoff)
        frame.index = pd.Index(table["code"].to_numpy(), name="customer_id")
        return frame

    def spend(self, cutoff: pd.Timestamp, days: int, customer_ids: pd.Series) -> np.ndarray:
        """Spend of each of ``customer_ids`` in the ``days`` up to ``cutoff`` (currency units;
        0 without a line), summed exactly (whatever the lines' order)."""
        end = day_after(cutoff)
        keep = (self.dates < end.to_datetime64()) & (self.codes >= 0) & (
            self.dates >= (end - pd.Timedelta(days=days)).to_datetime64())
        sums = pd.Series(exact_units(self.mix["amount"][keep])).groupby(self.codes[keep]).sum()
        dense = np.zeros(len(self.ids) + 1)  # the last place: a customer without lines
        dense[sums.index.to_numpy()] = sums.to_numpy() / MONEY_SCALE
        return dense[self.ids.get_indexer(customer_ids)]

    def spans(self, cutoff: pd.Timestamp) -> pd.DataFrame:
        """First (``min``) and last (``max``) ``order_date`` of each customer's lines up to
        ``cutoff``, one row per customer who bought by then (index ``customer_id``)."""
        keep = self.mask(cutoff) & (self.codes >= 0)
        spans = pd.Series(self.dates[keep]).groupby(self.codes[keep]).agg(["min", "max"])
        spans.index = self.ids.take(spans.index.to_numpy())
        return spans

    def features(self, cutoff: pd.Timestamp, window_days: int, max_categories: int
                 ) -> pd.DataFrame:
        """The purchase features and :func:`~workbench.features.purchase_mix` at ``cutoff``."""
        frame = self.purchase_features(cutoff, window_days)
        keep = self.mask(cutoff)
        mix = purchase_mix(pd.DataFrame({c: v[keep] for c, v in self.mix.items()}),
                           max_categories=max_categories)
        mix.index = mix.index.to_numpy().astype(np.int64)
        frame = frame.join(mix.rename(columns=self.renamed))  # on codes: cheaper than text
        frame.index = self.ids.take(frame.index.to_numpy())
        return frame


def _event_counts(events: pd.DataFrame, cutoff: pd.Timestamp, window_days: int) -> pd.DataFrame:
    """Events per type in the last ``window_days`` (``events:<type>``) and the window before
    (``events_before:<type>``, for the types seen in the last window)."""
    return _EventLog(events).counts(cutoff, window_days)


class _EventLog:
    """Events prepared once for their counts at many cutoffs: customers and event types as
    codes of their sorted texts, so a cutoff's window is a mask on arrays."""

    def __init__(self, events: pd.DataFrame):
        self.times = events["timestamp"].to_numpy()
        self.codes, self.ids = pd.factorize(events["customer_id"].astype(str), sort=True)
        self.kind_codes, self.kinds = pd.factorize(events["event"].astype(str), sort=True)

    def counts(self, cutoff: pd.Timestamp, window_days: int) -> pd.DataFrame:
        """:func:`_event_counts` at ``cutoff``."""
        end = day_after(cutoff)
        keep = (self.times < end.to_datetime64()) & (
            self.times >= (end - pd.Timedelta(days=2 * window_days)).to_datetime64())
        recent = self.times[keep] >= (end - pd.Timedelta(days=window_days)).to_datetime64()
        # the customers and types in the window, sorted as their texts: the codes of a
        # factorization of the window itself; one bincount instead of a crosstab of texts
        present, id_codes = np.unique(self.codes[keep], return_inverse=True)
        types, kind_codes = np.unique(self.kind_codes[keep], return_inverse=True)
        ids, kinds = self.ids.take(present), self.kinds.take(types)
        n_kinds = len(kinds)
        cell = (id_codes * 2 + ~recent) * n_kinds + kind_codes  # [customer, before?, event type]
        counts = np.bincount(cell, minlength=len(ids) * 2 * n_kinds).reshape(len(ids), 2, n_kinds)
        seen = np.flatnonzero(counts[:, 0, :].sum(axis=0) > 0)  # types seen in the last window
        values = np.concatenate([counts[:, 0, seen], counts[:, 1, seen]], axis=1).astype(np.int64)
        columns = [f"events:{kinds[j]}" for j in seen] + [f"events_before:{kinds[j]}" for j in seen]
        return pd.DataFrame(values, index=pd.Index(ids, name="customer_id"), columns=columns)


#: Feedback features that count something (0 for customers without feedback).
FEEDBACK_COUNTS = ("fb_answers", "fb_detractor", "fb_negative_", "fb_complained", "fb_complaint:")
#: Feedback features a reason can name (see :mod:`workbench.churn.reasons`).
FEEDBACK_REASON_FEATURES = ("fb_detractor", "fb_days_since_complaint")
#: Windows (days) of the counts of negative comments.
NEGATIVE_WINDOWS = (90, 180)


def complaint_categories_of(comments: pd.DataFrame, as_of: pd.Timestamp | None = None,
                            top: int = 6) -> list[str]:
    """The ``top`` complaint categories with the most complaints up to ``as_of``, most first."""
    known = up_to(comments, as_of, "submitted_at")
    codes = known["complaint_categories"].dropna().astype(str)
    counts = codes[codes != ""].str.split(";").explode().value_counts()
    return sorted(counts.index[:top], key=lambda c: (-counts[c], c))


def feedback_features(comments: pd.DataFrame, cutoff: pd.Timestamp, *,
                      categories: Sequence[str] = (), window_days: int = 90) -> pd.DataFrame:
    """Features from the feedback answers submitted on or before ``cutoff`` only.

    ``comments`` is the shared ``comments`` result (:data:`workbench.results.RESULTS`; one row
    per answer with ``nps``, ``sentiment`` and ``complaint_categories``). One row per customer
    with an answer by then (index ``customer_id``):

    - ``fb_answers``: answers so far;
    - ``fb_detractor``: 1 when the last answer with an NPS is a detractor's (0-6), else 0;
    - ``fb_negative_90d``, ``fb_negative_180d``: negative comments in the last 90 / 180 days;
    - ``fb_complained``: 1 when any answer so far is a complaint (a negative comment naming a
      category); ``fb_days_since_complaint``: days since the last one (missing without any);
    - ``fb_complaint:<category>``: 1 when a complaint of the last ``window_days`` names the
      category, for each of ``categories``.

    Customers who are absent have no feedback: their counts and flags are 0 and the days since
    a complaint missing (see :func:`transactional_features`).
    """
    from workbench.feedback.scores import nps_group

    known = canonical_rows(up_to(comments, cutoff, "submitted_at"),
                           ("submitted_at", "customer_id"))
    ids = known["customer_id"].astype(str).to_numpy()
    days = (cutoff.normalize() - known["submitted_at"].dt.normalize()).dt.days.to_numpy()
    codes = known["complaint_categories"].astype(object).where(
        known["complaint_categories"].notna(), "").astype(str).to_numpy()
    complaint = codes != ""
    negative = (known["sentiment"].astype(object) == "negative").to_numpy()
    out = pd.DataFrame(index=pd.Index(np.unique(ids), name="customer_id"))
    out["fb_answers"] = pd.Series(ids).value_counts()
    scored = known["nps"].notna().to_numpy()
    last = pd.Series(known["nps"].to_numpy()[scored], index=ids[scored]).groupby(level=0).last()
    out["fb_detractor"] = (nps_group(last) == "detractor").astype(float)
    for n in NEGATIVE_WINDOWS:
        out[f"fb_negative_{n}d"] = pd.Series(ids[negative & (days < n)]).value_counts()
    out["fb_complained"] = pd.Series(ids[complaint]).value_counts().clip(upper=1)
    out["fb_days_since_complaint"] = pd.Series(days[complaint], index=ids[complaint]).groupby(level=0).min()
    recent = complaint & (days < window_days)
    named = pd.Series(codes[recent], index=ids[recent]).str.split(";").explode()
    for category in categories:
        out[f"fb_complaint:{category}"] = (named[named == category].groupby(level=0).size() > 0
                                           ).astype(float)
    counts = [c for c in out.columns if c.startswith(FEEDBACK_COUNTS)]
    out[counts] = out[counts].fillna(0.0).astype(float)
    return out


def stages_at(history: Any, cutoff: pd.Timestamp) -> pd.DataFrame:
    """Lifecycle stage of every customer known on ``cutoff`` (columns customer_id, stage).

    ``history`` is a :class:`workbench.lifecycle.PurchaseHistory`; the thresholds are
    lifecycle's own (:func:`workbench.lifecycle.derive_rules`), derived from the data up to the
    cutoff, so a past cutoff sees only its past. The run's ``stages`` result replaces this at
    ``as_of`` when it exists.
    """
    from workbench.lifecycle import derive_rules

    frame = history.stages(cutoff, derive_rules(history, cutoff))
    return frame[["customer_id", "stage"]]


#: Lifecycle stages that are not churn-model rows: no purchase yet. Every customer who bought is
#: scored, as CLV gives every one of them a P(alive): the churn probability is a model score
#: beside lifecycle's stage, which is itself a feature (:func:`with_stage`).
NOT_SCORED = ("prospect",)


def scored_customers(stages: pd.DataFrame) -> set[str]:
    """Customers the churn model scores: every lifecycle stage but prospect (who bought)."""
    keep = ~stages["stage"].astype(str).isin(NOT_SCORED)
    return set(stages.loc[keep, "customer_id"].astype(str))


def with_stage(features: pd.DataFrame, stages: pd.DataFrame) -> pd.DataFrame:
    """``features`` of the scored customers, with lifecycle's stage on that day as 0/1 columns
    ``stage=<code>`` (one per stage a scored customer can be in, the same set at every cutoff)."""
    from workbench.lifecycle import STAGES

    stage = by_customer(stages, "stage").astype(str)
    # positions in the stage lookup (-1: no stage on that day); faster than isin on a set
    position = stage.index.get_indexer(features["customer_id"].astype("string"))
    now = np.where(position >= 0, stage.to_numpy(dtype=object)[position], None)
    scored = (position >= 0) & ~pd.Series(now).isin(NOT_SCORED).to_numpy()
    kept = features[scored]  # a new frame (copy-on-write): its new columns leave features as it is
    now = now[scored]
    for code in STAGES:
        if code not in NOT_SCORED:
            kept[f"stage={code}"] = (now == code).astype(float)
    return kept


def attributes_as_of(history: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """Each customer's attributes as they were on ``cutoff``: the last row valid by then.

    ``history`` has ``customer_id``, ``valid_from`` (date from which the row holds) and the
    attribute columns; customers whose first row starts after the cutoff are left out.
    """
    missing = {"customer_id", "valid_from"} - set(history.columns)
    if missing:
        raise ValueError(f"attribute_history needs the columns {sorted(missing)}")
    known = up_to(history.assign(valid_from=pd.to_datetime(history["valid_from"])), cutoff,
                  "valid_from")
    last = canonical_rows(known, ("valid_from", "customer_id")).groupby("customer_id").tail(1)
    out = last.drop(columns=["valid_from"]).reset_index(drop=True)
    out["customer_id"] = out["customer_id"].astype(str)
    return out


def snapshot_attributes(customers: pd.DataFrame | None,
                        static_attributes: Sequence[str] | None = None) -> list[str]:
    """Columns of ``customers`` that are neither static, nor identifiers or personal data.

    Their values are as of the export: at a past cutoff they may carry the future.
    """
    if customers is None:
        return []
    static = STATIC_ATTRIBUTES if static_attributes is None else tuple(static_attributes)
    return [c for c in customers.columns if c not in EXCLUDED and c not in static]


def transactional_data(transactions: pd.DataFrame, cutoffs: Sequence[pd.Timestamp], *,
                       horizon_days: int = 90, history: Any = None, **feature_kwargs: Any
                       ) -> ChurnData:
    """Features at each cutoff and the label from the ``horizon_days`` after it.

    The rows at a cutoff are the customers who had bought by that day; their lifecycle stage
    on that day (:func:`stages_at`, lifecycle's own thresholds) is a feature. The label is 1 when the
    customer makes no purchase in (cutoff, cutoff + horizon]. Each cutoff needs its whole label
    window inside the data. ``history`` is a :class:`workbench.lifecycle.PurchaseHistory` of
    ``transactions`` (built here when not given); ``feature_kwargs`` go to
    :func:`transactional_features`.
    """
    return _transactional_data(_PurchaseLines(transactions), cutoffs, horizon_days=horizon_days,
                               history=history, **feature_kwargs)


def _transactional_data(lines: _PurchaseLines, cutoffs: Sequence[pd.Timestamp], *,
                        horizon_days: int = 90, history: Any = None, close: bool = False,
                        **feature_kwargs: Any) -> ChurnData:
    """:func:`transactional_data` from the prepared purchase ``lines`` of the transactions.

    With ``close``, ``lines`` and ``history`` are closed (:meth:`_PurchaseLines.close`,
    :meth:`workbench.lifecycle.PurchaseHistory.close`) once the last cutoff is read, before
    the cutoffs' rows are joined: at 1M customers that frees about 2.5 GB for the join.
    """
    from workbench.lifecycle import PurchaseHistory

    transactions = lines.transactions
    last_day = transactions["order_date"].max().normalize()
    history = history if history is not None else PurchaseHistory(transactions)
    cutoffs = sorted(pd.Timestamp(c).normalize() for c in cutoffs)
    for cutoff in cutoffs:
        if cutoff + pd.Timedelta(days=horizon_days) > last_day:
            raise ValueError(f"cutoff {cutoff.date()} + {horizon_days} days passes the last "
                             f"transaction date {last_day.date()}: its label is not observed yet")
    # lifecycle's stages at every cutoff first (two short columns each): with ``close`` the
    # history is closed before the cutoffs' features pile up
    stages = [stages_at(history, cutoff) for cutoff in cutoffs]
    if close:
        history.close()
    parts = []
    for cutoff, stages_then in zip(cutoffs, stages, strict=True):
        features = _features_at(lines, cutoff, **feature_kwargs)
        # who came back in (cutoff, cutoff + horizon], by customer code
        after = ~lines.mask(cutoff) & lines.mask(cutoff + pd.Timedelta(days=horizon_days))
        came_back = np.zeros(len(lines.ids) + 1, bool)  # the last place: no customer (code -1)
        came_back[lines.codes[after]] = True
        came_back[-1] = False
        codes = lines.ids.get_indexer(features["customer_id"])
        label = (~came_back[codes]).astype(int)
        features = _compact(with_stage(features, stages_then))
        parts.append(features.assign(label=label[features.index.to_numpy()]))
    if close:
        lines.close()
    del stages
    data = pd.concat(parts, ignore_index=True)
    label = data.pop("label")
    return ChurnData(data, label, "transactional", horizon_days)


def _compact(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its whole-number columns stored small: 0/1 flags as ``int8``, other
    whole numbers below 2**15 in size (day and event counts) as ``int32``. The same numbers:
    every model, statistic and sum reads them back exactly as float64, and sums or products of
    two such columns stay inside their type. The customer-cutoff rows of a million customers
    hold about 30 such columns (1.6 GB as float64)."""
    compact = {}
    for name, values in frame.items():
        if values.dtype.kind not in "fi" or values.dtype.itemsize <= 1 or not len(values):
            continue
        array = values.to_numpy()
        if values.dtype.kind == "f" and not (np.isfinite(array).all()
                                             and (array == np.floor(array)).all()):
            continue
        low, high = array.min(), array.max()
        if low >= 0 and high <= 1:
            compact[name] = array.astype(np.int8)
        elif values.dtype.itemsize > 4 and -(2 ** 15) < low and high < 2 ** 15:
            compact[name] = array.astype(np.int32)
    return frame.assign(**compact) if compact else frame


def monthly_cutoffs(last_day: pd.Timestamp, horizon_days: int, n: int = 6,
                    first_day: pd.Timestamp | None = None) -> list[pd.Timestamp]:
    """``n`` month-end cutoffs whose label windows of ``horizon_days`` end by ``last_day``."""
    latest = last_day - pd.Timedelta(days=horizon_days)
    ends = pd.date_range(end=latest, periods=n + 1, freq="ME")
    cutoffs = [d for d in ends if d <= latest][-n:]
    if first_day is not None:
        cutoffs = [d for d in cutoffs if d > first_day + pd.Timedelta(days=90)]
    return cutoffs
