"""Renewals: which terms came up and renewed, what is due, its probability and ARR at risk.

Renewal points. A subscription's terms run from its first start in steps of its
``term_months`` (1 monthly, 3 quarterly, 12 annual; see
:func:`workbench.success.data.term_months`): the k-th renewal date is first start + k terms
(the first day of the next term; a month-end start stays at the month's last day). A term
*came up for renewal* on that date when the subscription ran on some day of the term that
ends the day before (so a cancellation in mid-term lapses at the term's end); it *renewed*
when the subscription runs on the renewal date itself. For the next renewal of a running
period a given ``renewal_date`` is used instead of the computed one.

The renewal model (:class:`RenewalModel`) is a logistic regression trained on past renewal
points, with features measured ``lead_days`` (days; at most half a term) before each renewal date from data on
or before that day only, so nothing after the cut is seen. Its test is out of time: trained
on renewals at least ``lead_days`` before the test window and scored on the renewals in the
last ``test_days`` before ``as_of``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from workbench.success import health as health_mod
from workbench.success import signals

__all__ = ["ACTIONS", "RENEWAL_COLUMNS", "RenewalModel", "add_months", "compare_with_health",
           "due_renewals", "expansion_candidates", "model_features", "recommended_action",
           "renewal_points", "renewal_rate", "renewals_at_risk"]

#: Recommended action codes (catalogue ``cs.action.<code>``).
ACTIONS = ("renewal_on_track", "renewal_call", "executive_escalation", "adoption_review",
           "support_review", "feedback_call", "pricing_review")
_GROUP_ACTION = {"usage": "adoption_review", "support": "support_review",
                 "feedback": "feedback_call", "billing": "pricing_review"}
#: Columns of :func:`renewals_at_risk` (``exports/renewals.csv``).
RENEWAL_COLUMNS = ("customer_id", "subscription_id", "renewal_date", "arr",
                   "renewal_probability", "arr_at_risk", "health_score", "health_trend",
                   "owner", "top_reasons", "recommended_action")


def add_months(dates: pd.Series, months: np.ndarray) -> pd.Series:
    """``dates`` plus whole months, the day clipped to the target month's length."""
    dates = pd.to_datetime(dates).reset_index(drop=True)
    total = dates.dt.year.to_numpy() * 12 + dates.dt.month.to_numpy() - 1 + months
    first = pd.to_datetime(pd.DataFrame({"year": total // 12, "month": total % 12 + 1, "day": 1}))
    day = np.minimum(dates.dt.day.to_numpy(), first.dt.days_in_month.to_numpy())
    return first + pd.to_timedelta(day - 1, unit="D")


def _subscriptions(periods: pd.DataFrame) -> pd.DataFrame:
    g = periods.sort_values("start_date").groupby("subscription_id", sort=True)
    subs = g.agg(customer_id=("customer_id", "first"), first_start=("start_date", "min"),
                 term_months=("term_months", "last")).reset_index()
    return subs


def _ran_between(rep: pd.DataFrame, periods: pd.DataFrame) -> np.ndarray:
    """Whether each subscription ran on some day of its term [term_start, renewal_date - 1]."""
    left = rep[["subscription_id", "term_start", "renewal_date"]].reset_index(drop=True)
    left["_row"] = left.index
    both = left.merge(periods[["subscription_id", "start_date", "end_date"]],
                      on="subscription_id")
    end = both["end_date"].fillna(pd.Timestamp.max.normalize())
    hit = (both["start_date"] < both["renewal_date"]) & (end >= both["term_start"])
    return np.isin(left["_row"].to_numpy(), both.loc[hit, "_row"].to_numpy())


def renewal_points(periods: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Past renewal points on or before ``as_of`` that came up, and whether they renewed.

    Returns ``customer_id``, ``subscription_id``, ``renewal_date``, ``term_months``,
    ``renewed`` (bool).
    """
    as_of = pd.Timestamp(as_of).normalize()
    subs = _subscriptions(periods[periods["start_date"] <= as_of])
    span = ((as_of.year - subs["first_start"].dt.year) * 12
            + as_of.month - subs["first_start"].dt.month + 1).clip(lower=0)
    count = (span // subs["term_months"]).to_numpy(dtype=int) + 1
    rep = subs.loc[subs.index.repeat(count)].reset_index(drop=True)
    k = np.concatenate([np.arange(1, c + 1) for c in count]) if len(count) else np.array([], int)
    rep["renewal_date"] = add_months(rep["first_start"], k * rep["term_months"].to_numpy())
    term_start = add_months(rep["first_start"], (k - 1) * rep["term_months"].to_numpy())
    rep = rep.assign(term_start=term_start.to_numpy())
    rep = rep[rep["renewal_date"] <= as_of].reset_index(drop=True)
    came_up = _ran_between(rep, periods)
    on = signals.mrr_on(rep.assign(date=rep["renewal_date"]), periods, key="subscription_id")
    rep = rep[came_up].assign(renewed=on[came_up] > 0)
    return rep[["customer_id", "subscription_id", "renewal_date", "term_months", "renewed"]
               ].reset_index(drop=True)


def renewal_rate(points: pd.DataFrame, as_of: pd.Timestamp, days: int = 365) -> dict[str, float]:
    """Renewal rate (续约率): share of the terms that came up in the ``days`` up to ``as_of``
    that renewed. Returns ``renewal_rate``, ``came_up``, ``renewed``."""
    as_of = pd.Timestamp(as_of).normalize()
    window = points[points["renewal_date"] > as_of - pd.Timedelta(days=days)]
    n = len(window)
    return {"renewal_rate": float(window["renewed"].mean()) if n else np.nan,
            "came_up": n, "renewed": int(window["renewed"].sum())}


def due_renewals(periods: pd.DataFrame, as_of: pd.Timestamp, horizon_days: int = 90
                 ) -> pd.DataFrame:
    """Renewals due in the ``horizon_days`` (days) after ``as_of``: the next renewal of every
    subscription running on ``as_of``.

    Returns ``customer_id``, ``subscription_id``, ``renewal_date``, ``term_months``, ``mrr``
    (currency units per month, on ``as_of``), ``arr`` (12 x mrr, currency units per year),
    ``plan`` and ``seats`` when present.
    """
    as_of = pd.Timestamp(as_of).normalize()
    end = periods["end_date"].fillna(pd.Timestamp.max.normalize())
    running = periods[(periods["start_date"] <= as_of) & (end >= as_of)]
    subs = _subscriptions(periods[periods["subscription_id"].isin(running["subscription_id"])
                                  & (periods["start_date"] <= as_of)])
    months = ((as_of.year - subs["first_start"].dt.year) * 12
              + as_of.month - subs["first_start"].dt.month).to_numpy()
    k = np.maximum(months // subs["term_months"].to_numpy(), 0)
    subs = subs.reset_index(drop=True)
    date = add_months(subs["first_start"], k * subs["term_months"].to_numpy())
    for _ in range(3):  # step to the first renewal date after as_of
        later = date <= as_of
        k = k + later.to_numpy()
        date = add_months(subs["first_start"], k * subs["term_months"].to_numpy())
    subs["renewal_date"] = date
    cur = running.sort_values("start_date").groupby("subscription_id").last()
    if "renewal_date" in cur:
        given = cur["renewal_date"].reindex(subs["subscription_id"]).to_numpy()
        use = pd.notna(given) & (given > np.datetime64(as_of))
        subs.loc[use, "renewal_date"] = given[use]
    extra = [c for c in ("plan", "seats") if c in cur]
    subs = subs.join(cur[["mrr", *extra]], on="subscription_id")
    subs["arr"] = subs["mrr"] * 12
    due = subs[subs["renewal_date"] <= as_of + pd.Timedelta(days=horizon_days)]
    return due[["customer_id", "subscription_id", "renewal_date", "term_months", "mrr", "arr",
                *extra]].sort_values(["renewal_date", "subscription_id"]).reset_index(drop=True)


def model_features(pairs: pd.DataFrame, config: health_mod.HealthConfig,
                   periods: pd.DataFrame, events: pd.DataFrame | signals.EventIndex | None,
                   feedback: pd.DataFrame | None) -> pd.DataFrame:
    """Health measures, score and contract features for (customer_id, date) pairs.

    Adds to :func:`health.score` the columns ``log_mrr`` (log(1 + MRR), currency units per
    month, on the day) and ``term_months`` when ``pairs`` has it.
    """
    scored = health_mod.score(health_mod.measure_values(pairs, config, periods, events,
                                                        feedback), config)
    scored["log_mrr"] = np.log1p(signals.mrr_on(pairs, periods))
    if "term_months" in pairs:
        scored["term_months"] = pairs["term_months"].to_numpy()
    return scored


class RenewalModel:
    """Probability that a renewal is taken, from features measured before it.

    Parameters
    ----------
    features
        Feature columns (default: every measure of the config, ``tenure_days``,
        ``log_mrr``, ``term_months``).
    C
        Inverse regularisation strength of the logistic regression.
    random_state
        Seed for the solver.

    Attributes
    ----------
    features_ : list of str
    pipeline_ : sklearn Pipeline (median imputation, standardisation, logistic regression)
    coef_ : pandas.Series
        Standardised coefficients (log-odds of renewing per standard deviation).
    """

    def __init__(self, features: list[str] | None = None, C: float = 1.0,
                 random_state: int = 0):
        self.features = features
        self.C = C
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, renewed: pd.Series | np.ndarray) -> RenewalModel:
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        self.features_ = list(self.features or X.columns)
        y = np.asarray(renewed, dtype=int)
        if len(np.unique(y)) < 2:
            raise ValueError("RenewalModel.fit: the past renewals are all of one outcome; "
                             "a model needs renewals that were taken and renewals that lapsed")
        self.pipeline_ = make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler(),
            LogisticRegression(C=self.C, solver="newton-cholesky", max_iter=200,
                               random_state=self.random_state))
        self.pipeline_.fit(X[self.features_].to_numpy(dtype=float), y)
        self.coef_ = pd.Series(self.pipeline_[-1].coef_[0], index=self.features_)
        return self

    def predict_renewal(self, X: pd.DataFrame) -> np.ndarray:
        """Probability of renewing (0-1) per row."""
        return self.pipeline_.predict_proba(X[self.features_].to_numpy(dtype=float))[:, 1]

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """Per-row contribution of each feature to the log-odds of renewing (standardised
        value x coefficient); negative values lower the probability."""
        z = self.pipeline_[:-1].transform(X[self.features_].to_numpy(dtype=float))
        return pd.DataFrame(z * self.coef_.to_numpy(), columns=self.features_, index=X.index)


def _cutoff(points: pd.DataFrame, lead_days: int) -> pd.Series:
    """The day features are measured for each past renewal: ``lead_days`` (days) before it,
    at most half a term (15 days per term month) so a monthly term is measured inside it."""
    lead = np.minimum(lead_days, 15 * points["term_months"].to_numpy())
    return points["renewal_date"] - pd.to_timedelta(lead, unit="D")


def _default_features(config: health_mod.HealthConfig) -> list[str]:
    return [m.name for m in config.measures] + ["tenure_days", "log_mrr", "term_months"]


def compare_with_health(points: pd.DataFrame, config: health_mod.HealthConfig,
                        periods: pd.DataFrame, events: pd.DataFrame | signals.EventIndex | None,
                        feedback: pd.DataFrame | None, as_of: pd.Timestamp, *,
                        lead_days: int = 45, test_days: int = 180,
                        random_state: int = 0) -> dict:
    """Out-of-time ROC-AUC of the renewal model and of the configured health score.

    Train: renewals dated at least ``lead_days`` before the test window; test: renewals in
    the ``test_days`` (days) up to ``as_of``; both measured ``lead_days`` before each
    renewal date. Returns ``model_auc``, ``health_auc``, ``beats_health`` (bool, or None when
    either is missing), ``n_train``, ``n_test`` and ``test_days``.
    """
    from sklearn.metrics import roc_auc_score

    as_of = pd.Timestamp(as_of).normalize()
    split = as_of - pd.Timedelta(days=test_days)
    train = points[points["renewal_date"] <= split - pd.Timedelta(days=lead_days)]
    test = points[points["renewal_date"] > split]
    out = {"model_auc": np.nan, "health_auc": np.nan, "beats_health": None,
           "n_train": len(train), "n_test": len(test), "test_days": test_days}
    if train["renewed"].nunique() < 2 or test["renewed"].nunique() < 2:
        return out
    feats = {}
    for name, frame in (("train", train), ("test", test)):
        pairs = frame.assign(date=_cutoff(frame, lead_days))
        feats[name] = model_features(pairs.reset_index(drop=True), config, periods, events,
                                     feedback)
    model = RenewalModel(_default_features(config), random_state=random_state).fit(
        feats["train"], train["renewed"])
    p = model.predict_renewal(feats["test"])
    y = test["renewed"].to_numpy(dtype=int)
    have = feats["test"]["health_score"].notna().to_numpy()
    out["model_auc"] = float(roc_auc_score(y, p))
    out["health_auc"] = float(roc_auc_score(y[have], feats["test"]["health_score"][have]))
    out["beats_health"] = bool(out["model_auc"] > out["health_auc"])
    return out


def recommended_action(probability: float, band: str | None, reasons: list[str],
                       groups: Mapping[str, str]) -> str:
    """One action code (:data:`ACTIONS`) from the renewal probability, band and reasons.

    On track at >= 0.85; executive escalation below 0.5 in the red band; otherwise the
    review that matches the group of the first reason; else a renewal call.
    """
    if probability >= 0.85:
        return "renewal_on_track"
    if probability < 0.5 and band == "red":
        return "executive_escalation"
    for reason in reasons:
        if reason in groups:
            return _GROUP_ACTION[groups[reason]]
    return "renewal_call"


def renewals_at_risk(periods: pd.DataFrame, customers: pd.DataFrame | None,
                     events: pd.DataFrame | signals.EventIndex | None, feedback: pd.DataFrame | None,
                     config: health_mod.HealthConfig, as_of: pd.Timestamp, *,
                     horizon_days: int = 90, lead_days: int = 45, top: int = 3,
                     points: pd.DataFrame | None = None, random_state: int = 0
                     ) -> tuple[pd.DataFrame, RenewalModel | None]:
    """Every renewal due in ``horizon_days`` (days) with probability and ARR at risk.

    The model is trained on all past renewal points (features ``lead_days`` before each) and
    applied to features on ``as_of``. ARR at risk = ARR x (1 - probability), currency units
    per year. ``health_trend`` is the score now minus 30 days ago (points). ``top_reasons``
    joins with ``;`` up to ``top`` health measures (codes) that lower the probability most;
    ``owner`` is the customer's ``account_manager``.

    Returns the table (:data:`RENEWAL_COLUMNS` plus ``health_band``), sorted by ARR at risk,
    and the fitted model (None when the past renewals are all of one outcome: the
    probability is then the past renewal rate).
    """
    as_of = pd.Timestamp(as_of).normalize()
    points = renewal_points(periods, as_of) if points is None else points
    due = due_renewals(periods, as_of, horizon_days)
    if due.empty:
        return pd.DataFrame(columns=[*RENEWAL_COLUMNS, "health_band"]), None
    now = model_features(due.assign(date=as_of), config, periods, events, feedback)
    before = health_mod.score(health_mod.measure_values(
        due.assign(date=as_of - pd.Timedelta(days=30)), config, periods, events, feedback),
        config)
    model = None
    if points["renewed"].nunique() == 2:
        train = points.assign(date=_cutoff(points, lead_days))
        X = model_features(train, config, periods, events, feedback)
        model = RenewalModel(_default_features(config), random_state=random_state).fit(
            X, points["renewed"])
        prob = model.predict_renewal(now)
        # reasons are health measures only (actionable); contract features stay in the model
        contrib = model.contributions(now)[[m.name for m in config.measures]]
        reasons = [";".join([c for c in row.sort_values().index[:top] if row[c] < 0])
                   for _, row in contrib.iterrows()]
    else:
        rate = float(points["renewed"].mean()) if len(points) else np.nan
        prob = np.full(len(due), rate)
        reasons = [""] * len(due)
    groups = {m.name: m.group for m in config.measures}
    out = due[["customer_id", "subscription_id", "renewal_date", "arr"]].copy()
    out["renewal_probability"] = prob
    out["arr_at_risk"] = out["arr"] * (1 - out["renewal_probability"])
    out["health_score"] = now["health_score"].to_numpy()
    out["health_band"] = now["health_band"].to_numpy()
    out["health_trend"] = now["health_score"].to_numpy() - before["health_score"].to_numpy()
    owner = None
    if customers is not None and "account_manager" in customers:
        owner = customers.drop_duplicates("customer_id").set_index("customer_id")[
            "account_manager"]
    out["owner"] = (out["customer_id"].map(owner) if owner is not None
                    else pd.Series(pd.NA, index=out.index)).astype("string")
    out["top_reasons"] = pd.Series(reasons, index=out.index, dtype="string").replace("", pd.NA)
    out["recommended_action"] = [
        recommended_action(p, b, r.split(";") if isinstance(r, str) else [], groups)
        for p, b, r in zip(out["renewal_probability"], out["health_band"], out["top_reasons"])]
    out = out.sort_values(["arr_at_risk", "subscription_id"], ascending=[False, True])
    return out[[*RENEWAL_COLUMNS, "health_band"]].reset_index(drop=True), model


def expansion_candidates(periods: pd.DataFrame, scored_now: pd.DataFrame, *,
                         trend_measure: str = "usage_trend",
                         seat_limits: Mapping[str, float] | None = None,
                         near_limit: float = 0.8) -> pd.DataFrame:
    """The upsell list: expansion propensity from usage growth and seats near the plan limit.

    ``scored_now``: health scores of the running accounts on as_of (one row per customer,
    with ``trend_measure``, the usage change against the account's baseline, a share).
    The seat limit of a plan is ``seat_limits[plan]``, else the most seats seen on it.
    Propensity (0-1) = half of min(max(growth, 0) / 0.5, 1) plus half of the seat share above
    ``near_limit`` scaled to 0-1; red-band accounts are left out.

    Returns ``customer_id``, ``subscription_id``, ``plan``, ``seats``, ``seat_share``,
    ``usage_growth``, ``propensity``, ``reasons`` (codes ``usage_growth``,
    ``seats_near_limit``), sorted by propensity.
    """
    end = periods["end_date"].fillna(pd.Timestamp.max.normalize())
    as_of = scored_now["date"].max()
    cur = periods[(periods["start_date"] <= as_of) & (end >= as_of)].copy()
    if "seats" not in cur:
        cur["seats"] = np.nan
    if "plan" not in cur:
        cur["plan"] = pd.NA
    limits = periods.groupby("plan")["seats"].max() if "plan" in periods and "seats" in periods \
        else pd.Series(dtype=float)
    if seat_limits:
        limits = pd.Series({**limits.to_dict(), **dict(seat_limits)})
    cur["seat_share"] = cur["seats"] / cur["plan"].map(limits).astype(float)
    s = scored_now.drop_duplicates("customer_id").set_index("customer_id")
    cur["usage_growth"] = cur["customer_id"].map(s[trend_measure]) if trend_measure in s \
        else np.nan
    cur["health_band"] = cur["customer_id"].map(s["health_band"])
    growth = (cur["usage_growth"].clip(lower=0) / 0.5).clip(upper=1).fillna(0)
    seats = ((cur["seat_share"] - near_limit) / (1 - near_limit)).clip(0, 1).fillna(0)
    cur["propensity"] = 0.5 * growth + 0.5 * seats
    cur["reasons"] = [";".join(c for c, on in (("usage_growth", g > 0), ("seats_near_limit", t > 0))
                               if on) for g, t in zip(growth, seats)]
    cur = cur[(cur["propensity"] > 0) & (cur["health_band"] != "red")]
    cols = ["customer_id", "subscription_id", "plan", "seats", "seat_share", "usage_growth",
            "propensity", "reasons"]
    return cur.sort_values(["propensity", "subscription_id"], ascending=[False, True])[cols] \
        .reset_index(drop=True)
