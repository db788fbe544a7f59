"""Behavioural reasons for churn risk and the recommended action, as stable codes.

A reason is a behaviour a manager reads as one, each a fixed, monotone comparison of the
customer's own behaviour with his own past or with the customer base. A reason is only
reported when, in the training rows (every cutoff), the customers showing it churned more
often than those who did not: risk ratio above 1 with 95% confidence (the lower bound of
its Katz log interval above 1), on at least MIN_REASON_ROWS rows each side.
Substituting single features with the median on a model whose features interact gave
readings such as "spend to date 55,553 (typical 991)"; rules do not. Texts for the codes are
in :mod:`workbench.churn.report`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.churn.features import ChurnData

#: Days since the last purchase above this multiple of the customer's typical gap between
#: purchase days (for one-time buyers: the median gap of repeat buyers) = overdue.
OVERDUE_FACTOR = 2.0


#: Spend (or events) in the last window below this share of the window before = falling.
DROP_SHARE = 0.5


#: Fading activity needs at least this many events in the window before.
FADING_MIN_BEFORE = 2


#: Last survey answer negative: NPS 0-6 (``detractor``), or without NPS a CSAT of 1-2
#: (``negative_feedback``). ``recent_complaint``: a complaint (a negative comment naming a
#: category) within the window.
NEGATIVE_NPS, NEGATIVE_CSAT = 6, 2


#: Rows needed with and without a signal before its risk ratio is trusted.
MIN_REASON_ROWS = 30


#: Event names read as complaints (support contacts) rather than engagement.
COMPLAINT_EVENTS = ("support", "complaint")


@dataclass
class ReasonRules:
    """Behavioural reasons fitted on the training rows: which signals raise the risk."""

    setting: str
    window_days: int
    base_gap: float  # median typical gap (days) of repeat buyers, for one-time buyers
    risk_ratio: dict[str, float]  # signal -> P(churn | signal) / P(churn | no signal)
    risk_ratio_low: dict[str, float]  # lower bound of its 95% interval; reported when > 1
    quartiles: dict[str, tuple[float, float]]  # contractual numeric attributes: q25, q75
    category_rate: dict[str, float]  # "is:<column>=<value>" -> churn rate of that value
    other_rate: dict[str, float]  # "is:<column>=<value>" -> churn rate of the other values


def _is_complaint_event(name: str) -> bool:
    return str(name).lower().startswith(COMPLAINT_EVENTS)


def _typical_gap(features: pd.DataFrame) -> pd.Series:
    """Mean days between purchase days up to the cutoff (NaN for one-time buyers)."""
    span = features["tenure_days"] - features["recency_days"]
    return span / (features["purchase_days"] - 1).where(features["purchase_days"] > 1)


def _transactional_signals(features: pd.DataFrame, base_gap: float, window_days: int
                           ) -> pd.DataFrame:
    f = features
    out = pd.DataFrame(index=f.index)
    if {"recency_days", "tenure_days", "purchase_days"} <= set(f.columns):
        gap = _typical_gap(f).fillna(base_gap).clip(lower=1.0)
        out["overdue"] = f["recency_days"] > OVERDUE_FACTOR * gap
    if {"days_recent", "days_before"} <= set(f.columns):
        out["fewer_purchases"] = f["days_recent"] < f["days_before"]
    if {"spend_recent", "spend_before"} <= set(f.columns):
        before = f["spend_before"].astype(float)
        out["falling_spend"] = (before > 0) & (f["spend_recent"].astype(float) < DROP_SHARE * before)
    for column in f.columns:
        if column.startswith("events:") and _is_complaint_event(column.split(":", 1)[1]):
            out["complaint:" + column.split(":", 1)[1]] = f[column] > 0
        elif column.startswith("events_before:"):
            event = column.split(":", 1)[1]
            if _is_complaint_event(event) or f"events:{event}" not in f:
                continue
            before = f[column]
            out["fading:" + event] = (before >= FADING_MIN_BEFORE) & (
                f[f"events:{event}"] < DROP_SHARE * before)
    if "last_nps" in f:
        out["detractor"] = f["last_nps"] <= NEGATIVE_NPS
    if "last_csat" in f:  # a CSAT answer only speaks when there is no NPS
        nps = f["last_nps"] if "last_nps" in f else pd.Series(np.nan, index=f.index)
        out["negative_feedback"] = nps.isna() & (f["last_csat"] <= NEGATIVE_CSAT)
    if "fb_days_since_complaint" in f:
        out["recent_complaint"] = f["fb_days_since_complaint"] < window_days
    return out.fillna(False).astype(bool)


def _contractual_signals(features: pd.DataFrame, rules: ReasonRules) -> pd.DataFrame:
    out = pd.DataFrame(index=features.index)
    for column, (q25, q75) in rules.quartiles.items():
        if column in features:
            values = pd.to_numeric(features[column], errors="coerce")
            out["low:" + column] = values < q25
            out["high:" + column] = values > q75
    for key in rules.category_rate:
        column, value = key[3:].split("=", 1)
        if column in features:
            out[key] = features[column].astype(str) == value
    return out.fillna(False).astype(bool)


def _attribute_columns(X: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Contractual attributes: numeric with more than two values, and categories (or 0/1)."""
    numeric, categorical = [], []
    for column in X.columns:
        values = X[column]
        if pd.api.types.is_numeric_dtype(values) and values.nunique() > 2:
            numeric.append(column)
        elif values.nunique() <= 12:
            categorical.append(column)
    return numeric, categorical


def reason_signals(rules: ReasonRules, features: pd.DataFrame) -> pd.DataFrame:
    """Boolean frame: which behavioural signals each row shows (see the rules above)."""
    if rules.setting == "contractual":
        return _contractual_signals(features, rules)
    return _transactional_signals(features, rules.base_gap, rules.window_days)


def fit_reason_rules(data: ChurnData, *, window_days: int = 90) -> ReasonRules:
    """Which signals raise the risk in the training rows of ``data`` (risk ratio > 1)."""
    features = data.features.reset_index(drop=True)
    label = data.label.to_numpy()
    quartiles: dict[str, tuple[float, float]] = {}
    category_rate: dict[str, float] = {}
    other_rate: dict[str, float] = {}
    base_gap = float("nan")
    if data.setting == "contractual":
        numeric, categorical = _attribute_columns(data.X)
        for column in numeric:
            values = pd.to_numeric(features[column], errors="coerce")
            quartiles[column] = (float(values.quantile(0.25)), float(values.quantile(0.75)))
        for column in categorical:
            text = features[column].astype(str)
            for value in sorted(text[features[column].notna()].unique()):
                mask = (text == value).to_numpy()
                if mask.sum() >= MIN_REASON_ROWS and (~mask).sum() >= MIN_REASON_ROWS:
                    key = f"is:{column}={value}"
                    category_rate[key] = float(label[mask].mean())
                    other_rate[key] = float(label[~mask].mean())
    elif {"tenure_days", "recency_days", "purchase_days"} <= set(features.columns):
        gaps = _typical_gap(features).dropna()
        base_gap = float(gaps.median()) if len(gaps) else 30.0
    rules = ReasonRules(data.setting, window_days, base_gap, {}, {}, quartiles, category_rate,
                        other_rate)
    signals = reason_signals(rules, features)
    for key in signals.columns:
        mask = signals[key].to_numpy()
        n1, n0 = int(mask.sum()), int((~mask).sum())
        a, c = int(label[mask].sum()), int(label[~mask].sum())
        if n1 < MIN_REASON_ROWS or n0 < MIN_REASON_ROWS or a == 0 or c == 0:
            continue
        ratio = (a / n1) / (c / n0)
        se = np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)  # Katz: SE of log(RR)
        rules.risk_ratio[key] = float(ratio)
        rules.risk_ratio_low[key] = float(ratio * np.exp(-1.96 * se))
    return rules


#: Reason code of a customer who shows none of the risk-raising behaviours.
NO_REASON = "none"


def reason_codes(rules: ReasonRules, features: pd.DataFrame, *, top: int = 3) -> list[list[str]]:
    """Each row's behaviours that raise the risk, as reason codes, strongest first.

    A code is the signal key: ``overdue``, ``fewer_purchases``, ``falling_spend``,
    ``detractor``, ``negative_feedback``, ``recent_complaint``, ``complaint:<event>``, ``fading:<event>``, ``low:<column>``,
    ``high:<column>`` or ``is:<column>=<value>``; it does not depend on the report language.
    Only signals whose risk ratio in the training rows is above 1 with 95% confidence are
    reported, strongest (highest risk ratio) first; at most ``top`` per row.
    """
    rows = features.reset_index(drop=True)
    signals = reason_signals(rules, rows)
    risky = sorted((k for k, low in rules.risk_ratio_low.items() if low > 1 and k in signals),
                   key=lambda k: -rules.risk_ratio[k])
    if not risky:
        return [[] for _ in range(len(rows))]
    # rows show few distinct combinations of signals: each combination's codes once
    patterns, row_pattern = np.unique(signals[risky].to_numpy(), axis=0, return_inverse=True)
    codes = [[risky[j] for j in np.flatnonzero(pattern)][:top] for pattern in patterns]
    return [list(codes[p]) for p in row_pattern.ravel().tolist()]


#: Recommended action codes (labels: ``churn.action.<code>``).
ACTIONS = ("call", "service", "winback", "contract", "nurture")


#: Reason codes a service contact answers: support contacts and unhappy feedback.
SERVICE_REASONS = ("detractor", "negative_feedback", "recent_complaint")


def recommended_actions(top_reason: pd.Series, churn_probability: pd.Series,
                        value_at_stake: pd.Series) -> np.ndarray:
    """Code of the recommended action (:data:`ACTIONS`) per customer, from the strongest reason.

    ``service`` for a complaint or unhappy feedback, ``contract`` for a contract-type reason;
    else, at a churn probability of 0.5 or more, ``call`` for the top fifth by value at stake
    and ``winback`` for the others; ``nurture`` below 0.5.
    """
    reason = top_reason.astype(str)
    value_cut = float(value_at_stake.quantile(0.8)) if len(value_at_stake) else 0.0
    likely = churn_probability.to_numpy() >= 0.5
    return np.select(
        [reason.str.startswith("complaint:").to_numpy() | reason.isin(SERVICE_REASONS).to_numpy(),
         reason.str.startswith("is:contract=").to_numpy(),
         likely & (value_at_stake.to_numpy() >= value_cut), likely],
        ["service", "contract", "call", "winback"], default="nurture").astype(object)
