"""Churn in the contractual setting from the subscriptions table (computation only).

A customer (account, ``customer_id`` of the subscriptions) is *running* on a day when one of
its periods with ``mrr`` > 0 runs on it (a period runs every day ``start_date`` ..
``end_date`` inclusive; a blank end runs on). A customer *churns* on the first day its MRR is
0 again: all its running periods ended and no new one started the next day. An upgrade or a
downgrade (the old row ends on D-1, the next starts on D) is not a churn.

Training rows (:func:`training_data`): at each of ``n_cutoffs`` monthly cutoffs whose label
window of ``horizon_days`` (days) ends by ``as_of`` (:func:`~.features.monthly_cutoffs`),
every customer running on the cutoff is a row. Its label is 1 when the customer churns in
(cutoff, cutoff + ``horizon_days``] as known on ``as_of``; its features
(:func:`subscription_features`) read only the periods, events and answers as they were known
on the cutoff: a period starting later is not seen and an end after the cutoff is not seen
(the period is running). The ``renewal_date``, ``status`` and ``cancel_reason`` columns are a
snapshot of the export (a cancelled row carries its reason) and are never features; the next
renewal is computed from the term cycle (:mod:`workbench.success.renewals`).

Lifetimes (:func:`lifetimes`): from a customer's first start to the day its MRR first reached
0, censored at ``as_of``, in months (average Gregorian months of 365.25 / 12 days); the
Kaplan-Meier (1958) curves are by the plan of the first subscription and by start cohort.

Reference: E. L. Kaplan and P. Meier (1958), "Nonparametric estimation from incomplete
observations", Journal of the American Statistical Association 53 (282), 457-481.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.exceptions import UndefinedMetricWarning

from workbench.churn.features import EXCLUDED, STATIC_ATTRIBUTES, ChurnData, monthly_cutoffs
from workbench.churn.model import ModelReport, evaluate_models, predict
from workbench.churn.survival import kaplan_meier
from workbench.success import signals
from workbench.success.data import SubscriptionError, validate_subscriptions
from workbench.success.renewals import add_months
from workbench.summary import UNIT_DAYS

__all__ = ["MAX_COHORTS", "MAX_EVENT_TYPES", "MIN_CHURN_ROWS", "MIN_GROUP",
           "SubscriptionChurn", "churn_labels", "cohort_of", "event_types_of", "lifetimes",
           "running_periods", "spells", "subscription_churn", "subscription_features",
           "training_data"]

#: Fewest churned rows (and fewest rows that did not churn) the training set needs before a
#: model is fitted: below it the cross-validated scores say nothing.
MIN_CHURN_ROWS = 20
#: Fewest customers a survival group (a plan or a cohort) needs to get a curve.
MIN_GROUP = 30
#: Most start cohorts drawn by quarter; with more quarters the cohorts are years.
MAX_COHORTS = 8
#: Event types with their own count columns (the most frequent up to ``as_of``).
MAX_EVENT_TYPES = 6
#: Window (days) of the last survey answer read as a feature.
FEEDBACK_WINDOW_DAYS = 365
#: Survey fields read as features when present (``last_<field>``).
FEEDBACK_FIELDS = ("nps", "csat")
_MONTH_DAYS = UNIT_DAYS["M"]
_FAR = pd.Timestamp("2200-12-31")  # "still running": far, and safe to add days to


@dataclass
class SubscriptionChurn:
    """Everything the contractual churn analysis from subscriptions gives.

    Attributes
    ----------
    data : ChurnData
        Training rows, ``setting="contractual"``, ``horizon_days`` set: ``features`` has
        ``customer_id``, ``cutoff`` (one of ``cutoffs``) and the features of
        :func:`subscription_features`; ``label`` is 1 when the customer churned in the
        ``horizon_days`` (days) after the cutoff.
    report : ModelReport
        :func:`~.model.evaluate_models` on ``data`` with time-based folds (each cutoff is
        tested by models trained on the cutoffs whose label window closed before it; the
        first cutoffs, with no closed window before them, are not tested), the best model
        refitted on every row. With too few cutoffs for any such fold (``n_cutoffs`` months
        not longer than ``horizon_days``) evaluate_models falls back to stratified folds.
    current : DataFrame
        One row per customer running on ``as_of`` (index 0..n-1, sorted by ``customer_id``):
        ``customer_id``, ``cutoff`` (= ``as_of``), the features and ``churn_probability``
        (0-1, churn in the ``horizon_days`` after ``as_of``).
    value : Series
        ARR on ``as_of`` = 12 x MRR on ``as_of`` (currency units per year), aligned to
        ``current`` (same index), name ``arr``: the value at stake.
    survival : dict
        Grouping -> :func:`~.survival.kaplan_meier` result (``curves``, ``medians``,
        ``logrank``), times in months: ``"plan"`` (plan of the first subscription; absent
        without a ``plan`` column) and ``"cohort"`` (start quarter or year, see
        :func:`cohort_of`). Groups with fewer than ``min_group`` customers have no curve; a
        grouping without any curve is absent, so the dict may be empty.
    lifetimes : DataFrame
        Per customer (see :func:`lifetimes`): the rows behind the curves, every customer
        included (also those of groups too small for a curve).
    cohort_grain : str
        ``"quarter"`` or ``"year"``: what ``cohort`` means in ``survival`` and ``lifetimes``.
    as_of : Timestamp
    horizon_days : int
        Label window in days.
    cutoffs : list of Timestamp
        The training cutoffs (month ends).
    event_types : list of str
        Event types with count columns (:func:`event_types_of`).
    """

    data: ChurnData
    report: ModelReport
    current: pd.DataFrame
    value: pd.Series
    survival: dict[str, dict[str, Any]]
    lifetimes: pd.DataFrame
    cohort_grain: str
    as_of: pd.Timestamp
    horizon_days: int
    cutoffs: list[pd.Timestamp] = field(default_factory=list)
    event_types: list[str] = field(default_factory=list)


def _as_known(periods: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Periods as known on ``day``: later starts dropped, ends after the day blanked."""
    known = periods[periods["start_date"] <= day].copy()
    known.loc[known["end_date"] > day, "end_date"] = pd.NaT
    return known


def running_periods(periods: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """The periods with ``mrr`` > 0 running on ``day`` (start on or before, end on or after)."""
    end = periods["end_date"].fillna(_FAR)
    return periods[(periods["mrr"] > 0) & (periods["start_date"] <= day) & (end >= day)]


def spells(periods: pd.DataFrame) -> pd.DataFrame:
    """Each customer's spells of MRR > 0: days on which some period with ``mrr`` > 0 runs.

    Periods that overlap or follow each other without a day between them (an upgrade on D
    ends the old row on D-1) form one spell. Columns ``customer_id``, ``start``, ``end``
    (last running day; NaT while running), sorted by customer and start.
    """
    p = periods[periods["mrr"] > 0].sort_values(["customer_id", "start_date"], kind="stable")
    ids = p["customer_id"].astype(str).to_numpy()
    start = p["start_date"].to_numpy()
    end = p["end_date"].fillna(_FAR).to_numpy()
    if not len(p):
        return pd.DataFrame({"customer_id": pd.Series(dtype=str),
                             "start": pd.Series(dtype="datetime64[ns]"),
                             "end": pd.Series(dtype="datetime64[ns]")})
    reach = pd.Series(end).groupby(ids).cummax().to_numpy()
    prev = np.roll(reach, 1)
    first = np.r_[True, ids[1:] != ids[:-1]]
    new = first | (start > prev + np.timedelta64(1, "D"))
    spell = np.cumsum(new)
    out = pd.DataFrame({"customer_id": ids, "start": start, "end": end, "spell": spell})
    out = out.groupby("spell", sort=True).agg(customer_id=("customer_id", "first"),
                                              start=("start", "min"), end=("end", "max"))
    out.loc[out["end"] >= _FAR, "end"] = pd.NaT
    return out.reset_index(drop=True)


def churn_labels(pairs: pd.DataFrame, periods: pd.DataFrame, horizon_days: int) -> np.ndarray:
    """1 when the customer of each pair (``customer_id``, ``date``: a day it is running)
    churns in (date, date + ``horizon_days``], from ``periods`` as known at the end of the
    window or later.

    The spell running on the day ends on day e (its MRR is 0 from e + 1): the label is
    e + 1 <= date + ``horizon_days``.
    """
    s = spells(periods)
    left = pairs[["customer_id", "date"]].reset_index(drop=True).assign(
        _pair=lambda f: f.index, customer_id=lambda f: f["customer_id"].astype(str))
    both = left.merge(s, on="customer_id", how="inner")
    end = both["end"].fillna(_FAR)
    on = both[(both["start"] <= both["date"]) & (end >= both["date"])]
    churned = on["end"].notna() & (on["end"] < on["date"] + pd.Timedelta(days=horizon_days))
    return np.isin(left["_pair"].to_numpy(), on.loc[churned, "_pair"].to_numpy()).astype(int)


def _next_renewal(first_start: pd.Series, term: np.ndarray, day: pd.Timestamp) -> pd.Series:
    """The first renewal date after ``day`` of the term cycle from ``first_start``
    (first start + k terms, k >= 1)."""
    first_start = pd.to_datetime(first_start).reset_index(drop=True)
    months = ((day.year - first_start.dt.year) * 12 + day.month - first_start.dt.month).to_numpy()
    k = np.maximum(months // term, 1)
    date = add_months(first_start, k * term)
    for _ in range(3):  # step to the first renewal date after the day
        k = k + (date <= day).to_numpy()
        date = add_months(first_start, k * term)
    return date


def _transitions(known: pd.DataFrame) -> pd.DataFrame:
    """Upgrades and downgrades per customer: a period of a subscription starting the day after
    the previous one ended, with a higher (lower) MRR. Columns ``upgrades``, ``downgrades``."""
    p = known.sort_values(["subscription_id", "start_date"], kind="stable")
    same = p["subscription_id"].eq(p["subscription_id"].shift())
    follows = same & (p["start_date"] == p["end_date"].shift() + pd.Timedelta(days=1))
    step = p["mrr"] - p["mrr"].shift()
    ids = p["customer_id"].astype(str)
    out = pd.DataFrame({"upgrades": (follows & (step > 0)).groupby(ids).sum(),
                        "downgrades": (follows & (step < 0)).groupby(ids).sum()})
    return out.astype(float)


def event_types_of(events: pd.DataFrame | None, as_of: pd.Timestamp,
                   top: int = MAX_EVENT_TYPES) -> list[str]:
    """The ``top`` event types with the most events on or before ``as_of``, most first."""
    if events is None or not len(events):
        return []
    known = events[events["timestamp"] < as_of.normalize() + pd.Timedelta(days=1)]
    counts = known["event"].astype(str).value_counts()
    return sorted(counts.index, key=lambda e: (-counts[e], e))[:top]


def subscription_features(periods: pd.DataFrame, cutoff: pd.Timestamp, *,
                          events: pd.DataFrame | signals.EventIndex | None = None,
                          event_types: Sequence[str] = (),
                          feedback: pd.DataFrame | None = None,
                          customers: pd.DataFrame | None = None,
                          static_attributes: Sequence[str] | None = None) -> pd.DataFrame:
    """Features of every customer running on ``cutoff``, from data known on the cutoff only.

    ``periods`` are validated periods (:func:`workbench.success.data.validate_subscriptions`);
    they are read as known on the cutoff (later starts unseen, later ends unseen). One row
    per customer, sorted by ``customer_id``, with ``cutoff`` and:

    - ``tenure_days``: days from the first start to the cutoff;
    - ``mrr``: MRR on the cutoff (currency units per month); ``mrr_change_90d``: MRR on the
      cutoff / MRR 90 days earlier - 1 (a share; NaN without MRR then);
    - ``upgrades``, ``downgrades``: MRR rises and falls within a subscription so far;
      ``past_churns``: earlier spells that ended (the customer came back);
      ``subscriptions``: subscriptions running on the cutoff;
    - of the running subscription with the highest MRR: ``plan``, ``seats``,
      ``billing_period`` (when the table has them), ``term_months`` and
      ``days_to_renewal`` (days to its next renewal in its term cycle from its first start);
    - with ``events`` (columns ``customer_id``, ``timestamp``, ``event``, or a
      :class:`~workbench.success.signals.EventIndex`): ``events_30d``, ``events_90d`` (all
      events in the last 30 / 90 days), ``events_trend`` ((last 90 - the 90 before) / their
      sum, a share in [-1, 1], NaN without either) and ``days_since_event`` (days; NaN
      without any); for each of ``event_types``: ``events_30d:<type>``, ``events:<type>``
      (last 90 days), ``events_before:<type>`` (the 90 days before) and
      ``events_trend:<type>``;
    - with ``feedback`` (``customer_id``, ``submitted_at`` and ``nps`` / ``csat``):
      ``last_nps``, ``last_csat``: the last answer within 365 days (NaN without one);
    - with ``customers``: the ``static_attributes`` (default
      :data:`~.features.STATIC_ATTRIBUTES`) it has, attributes fixed once recorded, so the
      export tells their value at a past cutoff.
    """
    cutoff = pd.Timestamp(cutoff).normalize()
    known = _as_known(periods, cutoff)
    running = running_periods(known, cutoff)
    ids = pd.Index(sorted(running["customer_id"].astype(str).unique()), name="customer_id")
    out = pd.DataFrame(index=ids)
    pairs = pd.DataFrame({"customer_id": ids.to_numpy(dtype=object), "date": cutoff})
    positive = known[known["mrr"] > 0]
    first = positive.groupby(positive["customer_id"].astype(str))["start_date"].min()
    out["tenure_days"] = ((cutoff - first.reindex(ids)) / pd.Timedelta(days=1)).to_numpy(float)
    now = signals.mrr_on(pairs, positive)
    then = signals.mrr_on(pairs, positive, lag=90)
    out["mrr"] = now
    out["mrr_change_90d"] = np.where(then > 0, now / np.where(then > 0, then, 1) - 1, np.nan)
    out = out.join(_transitions(known)).fillna({"upgrades": 0.0, "downgrades": 0.0})
    s = spells(known)
    ended = s[s["end"].notna() & (s["end"] < cutoff)]
    out["past_churns"] = ended.groupby("customer_id").size().reindex(ids, fill_value=0).astype(float)
    out["subscriptions"] = running.groupby(running["customer_id"].astype(str))[
        "subscription_id"].nunique().reindex(ids).astype(float)
    main = (running.assign(_id=running["customer_id"].astype(str))
            .sort_values(["_id", "mrr", "subscription_id"], ascending=[True, False, True],
                         kind="stable").drop_duplicates("_id").set_index("_id").reindex(ids))
    for column in ("plan", "seats", "billing_period"):
        if column in main:
            out[column] = main[column].to_numpy()
    sub_first = known.groupby("subscription_id")["start_date"].min()
    term = main["term_months"].to_numpy(dtype=np.int64)
    renewal = _next_renewal(sub_first.reindex(main["subscription_id"]), term, cutoff)
    out["term_months"] = term.astype(float)
    out["days_to_renewal"] = ((renewal - cutoff) / pd.Timedelta(days=1)).to_numpy(float)
    if events is not None:
        out = out.join(_event_features(pairs, events, event_types).set_index(ids))
    if feedback is not None and len(feedback):
        for name in FEEDBACK_FIELDS:
            if name in feedback:
                out[f"last_{name}"] = signals.last_score(pairs, feedback, name,
                                                         FEEDBACK_WINDOW_DAYS)
    if customers is not None:
        static = STATIC_ATTRIBUTES if static_attributes is None else tuple(static_attributes)
        keep = [c for c in customers.columns
                if c in static and c not in EXCLUDED and c not in out.columns]
        if keep:
            table = customers.assign(customer_id=customers["customer_id"].astype(str))
            table = table.drop_duplicates("customer_id").set_index("customer_id")[keep]
            out = out.join(table)
    out = out.reset_index()
    out.insert(1, "cutoff", cutoff)
    return out


def _event_features(pairs: pd.DataFrame, events: pd.DataFrame | signals.EventIndex,
                    event_types: Sequence[str]) -> pd.DataFrame:
    """Event counts in windows ending on each pair's day (see :func:`subscription_features`)."""
    index = events if isinstance(events, signals.EventIndex) else signals.EventIndex(events)
    out = pd.DataFrame(index=range(len(pairs)))

    def trend(recent: np.ndarray, before: np.ndarray) -> np.ndarray:
        total = recent + before
        return np.where(total > 0, (recent - before) / np.where(total > 0, total, 1), np.nan)

    recent = signals.event_counts(pairs, index, None, 90)
    before = signals.event_counts(pairs, index, None, 90, lag=90)
    out["events_30d"] = signals.event_counts(pairs, index, None, 30)
    out["events_90d"] = recent
    out["events_trend"] = trend(recent, before)
    out["days_since_event"] = signals.last_event_age(pairs, index, None)
    for name in event_types:
        recent = signals.event_counts(pairs, index, [name], 90)
        before = signals.event_counts(pairs, index, [name], 90, lag=90)
        out[f"events_30d:{name}"] = signals.event_counts(pairs, index, [name], 30)
        out[f"events:{name}"] = recent
        out[f"events_before:{name}"] = before
        out[f"events_trend:{name}"] = trend(recent, before)
    return out


def training_data(periods: pd.DataFrame, cutoffs: Sequence[pd.Timestamp], as_of: pd.Timestamp,
                  *, horizon_days: int = 90, **feature_kwargs: Any) -> ChurnData:
    """Features at each cutoff (:func:`subscription_features`) and the label of the
    ``horizon_days`` (days) after it (:func:`churn_labels`), as known on ``as_of``.

    Every cutoff needs its whole label window on or before ``as_of``.
    """
    as_of = pd.Timestamp(as_of).normalize()
    known = _as_known(periods, as_of)
    parts = []
    for cutoff in sorted(pd.Timestamp(c).normalize() for c in cutoffs):
        if cutoff + pd.Timedelta(days=horizon_days) > as_of:
            raise ValueError(f"cutoff {cutoff.date()} + {horizon_days} days passes as_of "
                             f"{as_of.date()}: its label is not observed yet")
        features = subscription_features(periods, cutoff, **feature_kwargs)
        label = churn_labels(features.rename(columns={"cutoff": "date"}), known, horizon_days)
        parts.append(features.assign(label=label))
    data = pd.concat(parts, ignore_index=True)
    label = data.pop("label").astype(int)
    return ChurnData(data, label, "contractual", horizon_days)


def cohort_of(first_start: pd.Series, *, min_group: int = MIN_GROUP,
              max_cohorts: int = MAX_COHORTS) -> tuple[pd.Series, str]:
    """Start cohort labels (``2024Q1`` or ``2024``) and the grain chosen.

    Quarters when there are at most ``max_cohorts`` quarter cohorts and each has at least
    ``min_group`` customers (curves that can be told apart and are not noise), else years.
    """
    start = pd.to_datetime(first_start)
    quarter = start.dt.to_period("Q").astype(str)
    sizes = quarter.value_counts()
    if len(sizes) <= max_cohorts and (sizes >= min_group).all():
        return quarter.rename("cohort"), "quarter"
    return start.dt.year.astype(str).rename("cohort"), "year"


def lifetimes(periods: pd.DataFrame, as_of: pd.Timestamp, *, min_group: int = MIN_GROUP,
              max_cohorts: int = MAX_COHORTS) -> tuple[pd.DataFrame, str]:
    """Each customer's first lifetime: first start to the day its MRR first reached 0.

    ``periods`` as known on ``as_of``. Returns the frame (``customer_id``, ``first_start``,
    ``plan`` (of the first period of the first subscription, when the table has plans),
    ``cohort`` (see :func:`cohort_of`), ``duration_days`` (days running: to the churn day,
    else to ``as_of`` inclusive), ``duration_months`` (the same in months of 365.25 / 12
    days) and ``churned`` (1 = MRR reached 0 on or before ``as_of``; 0 = censored)) and the
    cohort grain.
    """
    as_of = pd.Timestamp(as_of).normalize()
    s = spells(_as_known(periods, as_of))
    first = s.drop_duplicates("customer_id").reset_index(drop=True)
    churned = first["end"].notna()
    stop = first["end"].fillna(as_of) + pd.Timedelta(days=1)
    out = pd.DataFrame({"customer_id": first["customer_id"], "first_start": first["start"]})
    if "plan" in periods:
        p = periods[periods["mrr"] > 0].assign(_id=periods["customer_id"].astype(str))
        p = p.sort_values(["_id", "start_date", "subscription_id"], kind="stable")
        plan = p.drop_duplicates("_id").set_index("_id")["plan"]
        out["plan"] = plan.reindex(out["customer_id"]).to_numpy()
    cohort, grain = cohort_of(out["first_start"], min_group=min_group, max_cohorts=max_cohorts)
    out["cohort"] = cohort.to_numpy()
    out["duration_days"] = ((stop - first["start"]) / pd.Timedelta(days=1)).to_numpy(float)
    out["duration_months"] = out["duration_days"] / _MONTH_DAYS
    out["churned"] = churned.astype(int).to_numpy()
    return out, grain


def _curves(frame: pd.DataFrame, column: str, min_group: int) -> dict[str, Any] | None:
    """Kaplan-Meier (1958) curves of ``duration_months`` by ``column``, for the groups with at
    least ``min_group`` customers; None when there is none."""
    if column not in frame:
        return None
    groups = frame[column].astype(str).where(frame[column].notna())
    sizes = groups.value_counts()
    keep = groups.isin(sizes.index[sizes >= min_group]).to_numpy()
    if not keep.any():
        return None
    rows = frame[keep]
    return kaplan_meier(rows["duration_months"].to_numpy(), rows["churned"].to_numpy(),
                        groups[keep])


def _periods_of(subscriptions: pd.DataFrame | None, as_of: pd.Timestamp) -> pd.DataFrame:
    """Validated periods started on or before ``as_of``; clear errors for unusable tables."""
    if subscriptions is None or not len(subscriptions):
        raise SubscriptionError(
            "contractual churn from subscriptions needs a subscriptions table (customer_id, "
            "subscription_id, start_date, end_date, mrr or arr); the dataset has none or it "
            "is empty.")
    periods, set_aside = validate_subscriptions(subscriptions)
    periods = periods[periods["start_date"] <= as_of].reset_index(drop=True)
    if not (periods["mrr"] > 0).any():
        reasons = ", ".join(sorted(set_aside["reason"].astype(str))) if len(set_aside) else "none"
        raise SubscriptionError(
            f"subscriptions: no usable period with mrr > 0 starts on or before "
            f"{as_of.date()} ({len(subscriptions)} rows, {len(set_aside)} set aside; "
            f"reasons: {reasons}).")
    return periods


def subscription_churn(subscriptions: pd.DataFrame, as_of: pd.Timestamp | str, *,
                       events: pd.DataFrame | None = None, feedback: pd.DataFrame | None = None,
                       customers: pd.DataFrame | None = None,
                       static_attributes: Sequence[str] | None = None,
                       horizon_days: int = 90, n_cutoffs: int = 6, random_state: int = 0,
                       min_group: int = MIN_GROUP,
                       kinds: Sequence[str] = ("logistic", "gradient_boosting"),
                       ) -> SubscriptionChurn:
    """Churn model, scores, ARR at stake and survival curves from the subscriptions table.

    Parameters
    ----------
    subscriptions
        The canonical subscriptions table (checked here with
        :func:`workbench.success.data.validate_subscriptions`; an ``arr`` column is read as
        12 x ``mrr``). Customers are its ``customer_id`` (accounts, no parent roll-up).
    as_of
        Last day of the data (inclusive). Nothing after it is read.
    events, feedback, customers
        Optional canonical tables: usage events, survey answers, and the customers table
        (only its ``static_attributes`` are features; default
        :data:`~.features.STATIC_ATTRIBUTES`).
    horizon_days
        Label window in days: churn in the ``horizon_days`` after a cutoff.
    n_cutoffs
        Monthly training cutoffs (:func:`~.features.monthly_cutoffs`; the first 90 days
        after the first start are skipped).
    random_state
        Seed of the folds and the models.
    min_group
        Fewest customers of a survival curve (see :func:`cohort_of`).
    kinds
        Models compared (:func:`~.model.make_model`).

    Returns
    -------
    SubscriptionChurn
        See the class for the contract: ``data``, ``report``, ``current`` (one row per
        customer running on ``as_of`` with ``churn_probability``), ``value`` (ARR on
        ``as_of``, currency units per year, aligned to ``current``) and ``survival`` (dict
        ``"plan"`` / ``"cohort"`` -> Kaplan-Meier (1958) result, times in months).

    Raises
    ------
    SubscriptionError
        No subscriptions table, no usable period, no customer running on ``as_of``, or too
        little history before ``as_of`` for a training cutoff.
    ValueError
        Too few churned (or retained) training rows to fit and compare the models.
    """
    as_of = pd.Timestamp(as_of).normalize()
    periods = _periods_of(subscriptions, as_of)
    if running_periods(periods, as_of).empty:
        last = _as_known(periods, as_of)["end_date"].max()
        raise SubscriptionError(
            f"subscriptions: no customer has a period with mrr > 0 running on {as_of.date()} "
            f"(the last period ended on {last.date() if pd.notna(last) else '-'}): there is "
            "nobody to score; pick an as_of inside the data.")
    first_day = periods["start_date"].min()
    cutoffs = monthly_cutoffs(as_of, horizon_days, n_cutoffs, first_day)
    if not cutoffs:
        raise SubscriptionError(
            f"subscriptions start on {first_day.date()}: a training cutoff needs 90 days of "
            f"history before it and {horizon_days} days of label window after it, by "
            f"{as_of.date()}; the data are too short for a churn model.")
    ev = None
    types: list[str] = []
    if events is not None and len(events):
        missing = {"customer_id", "timestamp", "event"} - set(events.columns)
        if missing:
            raise ValueError(f"events: missing column(s) {', '.join(sorted(missing))}; usage "
                             "features need customer_id, timestamp and event")
        known_events = events[events["timestamp"] < as_of + pd.Timedelta(days=1)]
        types = event_types_of(known_events, as_of)
        ev = signals.EventIndex(known_events)
    fb = None
    if feedback is not None and len(feedback):
        if not {"customer_id", "submitted_at"} <= set(feedback.columns):
            raise ValueError("feedback: survey features need the columns customer_id and "
                             "submitted_at")
        fb = feedback[feedback["submitted_at"] < as_of + pd.Timedelta(days=1)]
    kwargs = {"events": ev, "event_types": types, "feedback": fb, "customers": customers,
              "static_attributes": static_attributes}
    data = training_data(periods, cutoffs, as_of, horizon_days=horizon_days, **kwargs)
    churned, n = int(data.label.sum()), len(data.label)
    if churned < MIN_CHURN_ROWS or n - churned < MIN_CHURN_ROWS:
        raise ValueError(
            f"churn from subscriptions: {churned} of {n} customer-cutoff rows churned within "
            f"{horizon_days} days of the {len(cutoffs)} cutoffs "
            f"({cutoffs[0].date()}..{cutoffs[-1].date()}); the model needs at least "
            f"{MIN_CHURN_ROWS} churned and {MIN_CHURN_ROWS} retained rows.")
    try:
        with warnings.catch_warnings():
            # a score undefined on the tested rows (one class only) is an error, not a NaN
            warnings.simplefilter("error", UndefinedMetricWarning)
            # The stacked cutoffs are cross-validated over time as in the transactional
            # setting: evaluate_models uses time-based folds for that setting only.
            report = evaluate_models(replace(data, setting="transactional"),
                                     random_state=random_state, kinds=kinds)
    except (ValueError, UndefinedMetricWarning) as exc:
        raise ValueError(
            f"churn from subscriptions: the models could not be compared on {n} "
            f"customer-cutoff rows ({churned} churned; the cutoffs tested out of time need "
            f"churned and retained rows): {exc}") from exc
    current = subscription_features(periods, as_of, **kwargs)
    current["churn_probability"] = predict(report, current)
    value = (current["mrr"] * 12).rename("arr")
    table, grain = lifetimes(periods, as_of, min_group=min_group)
    survival = {name: curves for name in ("plan", "cohort")
                if (curves := _curves(table, name, min_group)) is not None}
    return SubscriptionChurn(data=data, report=report, current=current, value=value,
                             survival=survival, lifetimes=table, cohort_grain=grain,
                             as_of=as_of, horizon_days=horizon_days, cutoffs=list(cutoffs),
                             event_types=types)
