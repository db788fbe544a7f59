"""Churn early warning, survival and retention targeting (客户流失预警与挽留).

Two settings share one module:

- contractual (subscriptions, telecom, SaaS): churn is observed, the customers table has a
  ``churned`` flag (and perhaps ``tenure``/``churned_at``); features are the customer
  attributes;
- transactional (retail, e-commerce): a customer active before a cutoff (a purchase within
  ``active_days`` before it) churns when they make no purchase in the ``horizon_days`` after
  it. Features use only data up to the cutoff and labels only data after it; several rolling
  cutoffs make the training set, and cross-validation is time-based (a model is tested on a
  cutoff later than every label window it was trained on).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import duckdb
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from sklearn.calibration import calibration_curve
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from workbench.charts import axes_for
from workbench.features import purchase_mix
from workbench.i18n import fmt_money, fmt_number, fmt_p, fmt_range, t
from workbench.results import RESULTS
from workbench.style import format_money_axis

__all__ = [
    "ACTIONS",
    "EXPORT_COLUMNS",
    "EXPORT_LABELS",
    "NO_REASON",
    "STATIC_ATTRIBUTES",
    "ChurnData",
    "ChurnResult",
    "ModelReport",
    "ReasonRules",
    "action_table",
    "analyse",
    "attributes_as_of",
    "churn_metrics",
    "churn_result",
    "closing_note",
    "comparison",
    "confusion_at",
    "confusion_sentence",
    "contractual_data",
    "describe_setting",
    "evaluate_models",
    "expected_value_ranking",
    "explore_widget",
    "export_frame",
    "fit_reason_rules",
    "gains_table",
    "health_score",
    "health_sentence",
    "high_risk",
    "importance",
    "kaplan_meier",
    "kpis",
    "latest_cutoff",
    "leakage_check",
    "make_model",
    "model_name",
    "model_sentences",
    "monthly_cutoffs",
    "plot_budget_curve",
    "plot_calibration",
    "plot_gains",
    "plot_health_bands",
    "plot_importance",
    "plot_roc_pr",
    "plot_survival",
    "predict",
    "reason_codes",
    "reason_label",
    "reason_signals",
    "reason_texts",
    "reasons",
    "resolve_setting",
    "scores_table",
    "snapshot_attributes",
    "survival_sentence",
    "targeting_sentence",
    "transactional_data",
    "transactional_features",
]

_DAY = pd.Timedelta(days=1)
#: Columns never used as features: identifiers, labels and personal data.
EXCLUDED = {"customer_id", "churned", "churned_at", "name", "phone", "email", "signup_date",
            "source_row", "cutoff", "label"}
#: Customer attributes that do not change after they are recorded, so the customers table as
#: exported tells their value at any past cutoff. Every other attribute of the customers table
#: (membership tier, preferred payment, follower status, ...) may have changed with the
#: customer's behaviour after a past cutoff and is left out of transactional features unless
#: its dated history is given (``attribute_history``). ``region`` follows from ``city``.
STATIC_ATTRIBUTES = ("gender", "signup_date", "acquisition_channel", "city", "region")


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


# ------------------------------------------------------------------------------ data


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
                           window_days: int = 90, max_categories: int = 6,
                           static_attributes: Sequence[str] | None = None,
                           attribute_history: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per customer who bought on or before ``cutoff``: features from data up to the cutoff only.

    Recency, frequency, spend, tenure and order value (days and currency units); the trend of
    orders and spend in the last ``window_days`` against the ``window_days`` before;
    channel count and mix, category mix, discount share; support tickets and other events in
    the last ``window_days`` and in the ``window_days`` before; the last NPS/CSAT.

    Customer attributes (no personal data): only the ``static_attributes`` (default
    :data:`STATIC_ATTRIBUTES`) are taken from ``customers``, whose values are as of the export,
    not of the cutoff. Attributes that change over time come only from ``attribute_history``
    (columns ``customer_id``, ``valid_from`` and the attributes): each customer's last row with
    ``valid_from`` on or before the cutoff.
    """
    end = cutoff + _DAY
    tx = transactions[transactions["order_date"] < end]
    con = duckdb.connect()
    try:
        con.register("tx", tx[["customer_id", "order_date", "amount"]])
        w = window_days
        frame = con.execute(f"""
            WITH daily AS (
                -- exact DECIMAL sums: float sums vary with DuckDB's thread split
                SELECT customer_id, CAST(order_date AS DATE) AS day,
                       sum(CAST(amount AS DECIMAL(18, 4))) AS amount
                FROM tx GROUP BY ALL)
            SELECT customer_id,
                   date_diff('day', max(day), DATE '{cutoff.date()}') AS recency_days,
                   count(*) AS purchase_days,
                   sum(amount) AS spend,
                   sum(amount) / count(*) AS spend_per_day_bought,
                   date_diff('day', min(day), DATE '{cutoff.date()}') AS tenure_days,
                   count(*) FILTER (WHERE day > DATE '{cutoff.date()}' - {w}) AS days_recent,
                   count(*) FILTER (WHERE day > DATE '{cutoff.date()}' - {2 * w}
                                    AND day <= DATE '{cutoff.date()}' - {w}) AS days_before,
                   coalesce(sum(amount) FILTER (WHERE day > DATE '{cutoff.date()}' - {w}), 0)
                       AS spend_recent,
                   coalesce(sum(amount) FILTER (WHERE day > DATE '{cutoff.date()}' - {2 * w}
                                                AND day <= DATE '{cutoff.date()}' - {w}), 0)
                       AS spend_before
            FROM daily GROUP BY customer_id
            ORDER BY customer_id  -- a fixed row order: folds and fits must not depend on threads
        """).df()
    finally:
        con.close()
    frame["customer_id"] = frame["customer_id"].astype(str)
    frame["order_trend"] = (frame["days_recent"] - frame["days_before"]) / (
        frame["days_recent"] + frame["days_before"]).replace(0, np.nan)
    frame["spend_trend"] = (frame["spend_recent"] - frame["spend_before"]) / (
        frame["spend_recent"] + frame["spend_before"]).replace(0, np.nan)
    frame = frame.set_index("customer_id")
    frame = frame.join(purchase_mix(tx, max_categories=max_categories))
    if events is not None and len(events):
        recent = events[(events["timestamp"] < end) & (events["timestamp"] >= end - window_days * _DAY)]
        counts = recent.pivot_table(index="customer_id", columns="event", values="timestamp",
                                    aggfunc="count", fill_value=0)
        for event in counts.columns:
            frame[f"events:{event}"] = counts[event]
        earlier = events[(events["timestamp"] < end - window_days * _DAY)
                         & (events["timestamp"] >= end - 2 * window_days * _DAY)]
        for event in counts.columns:
            frame[f"events_before:{event}"] = earlier[earlier["event"] == event].groupby(
                "customer_id").size()
    if feedback is not None and len(feedback):
        known = feedback[feedback["submitted_at"] < end].sort_values("submitted_at")
        last = known.groupby("customer_id").last()
        for score in ("nps", "csat", "ces"):
            if score in last:
                frame[f"last_{score}"] = last[score]
    frame = frame.reset_index()
    frame = frame.fillna({c: 0.0 for c in frame.columns
                          if c.startswith(("channel:", "category:", "events:", "events_before:"))})
    if customers is not None:
        static = STATIC_ATTRIBUTES if static_attributes is None else tuple(static_attributes)
        keep = [c for c in customers.columns if c in static and c not in EXCLUDED]
        frame = frame.merge(customers[["customer_id", *keep]], on="customer_id", how="left")
    if attribute_history is not None:
        frame = frame.merge(attributes_as_of(attribute_history, cutoff), on="customer_id", how="left")
    return frame.assign(cutoff=cutoff)


def attributes_as_of(history: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """Each customer's attributes as they were on ``cutoff``: the last row valid by then.

    ``history`` has ``customer_id``, ``valid_from`` (date from which the row holds) and the
    attribute columns; customers whose first row starts after the cutoff are left out.
    """
    missing = {"customer_id", "valid_from"} - set(history.columns)
    if missing:
        raise ValueError(f"attribute_history needs the columns {sorted(missing)}")
    known = history[pd.to_datetime(history["valid_from"]) < cutoff + _DAY]
    last = known.sort_values("valid_from", kind="stable").groupby("customer_id").tail(1)
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
                       horizon_days: int = 90, active_days: int = 365, **feature_kwargs: Any
                       ) -> ChurnData:
    """Features at each cutoff and the label from the ``horizon_days`` after it.

    Only customers active at the cutoff (a purchase within ``active_days`` before it) are
    rows. The label is 1 when the customer makes no purchase in (cutoff, cutoff + horizon].
    Each cutoff needs its whole label window inside the data.
    """
    last_day = transactions["order_date"].max().normalize()
    parts = []
    for cutoff in sorted(pd.Timestamp(c).normalize() for c in cutoffs):
        if cutoff + horizon_days * _DAY > last_day:
            raise ValueError(f"cutoff {cutoff.date()} + {horizon_days} days passes the last "
                             f"transaction date {last_day.date()}: its label is not observed yet")
        features = transactional_features(transactions, cutoff, **feature_kwargs)
        features = features[features["recency_days"] < active_days]
        after = transactions[(transactions["order_date"] >= cutoff + _DAY)
                             & (transactions["order_date"] < cutoff + (horizon_days + 1) * _DAY)]
        returned = set(after["customer_id"].astype(str))
        features = features.assign(label=(~features["customer_id"].isin(returned)).astype(int))
        parts.append(features)
    data = pd.concat(parts, ignore_index=True)
    label = data.pop("label")
    return ChurnData(data, label, "transactional", horizon_days)


# ------------------------------------------------------------------------------ models


def _split_columns(X: pd.DataFrame) -> tuple[list[str], list[str]]:
    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])
               or pd.api.types.is_bool_dtype(X[c])]
    categorical = [c for c in X.columns if c not in numeric]
    return numeric, categorical


def make_model(kind: Literal["logistic", "gradient_boosting"], X: pd.DataFrame,
               random_state: int = 0) -> Pipeline:
    """A scikit-learn Pipeline: imputation and encoding of categories, then the classifier."""
    numeric, categorical = _split_columns(X)
    if kind == "logistic":
        pre = ColumnTransformer([
            ("num", Pipeline([("impute", SimpleImputer(strategy="median")),
                              ("scale", StandardScaler())]), numeric),
            ("cat", Pipeline([("impute", SimpleImputer(strategy="constant", fill_value="missing")),
                              ("onehot", OneHotEncoder(handle_unknown="ignore", min_frequency=20))]),
             categorical),
        ])
        model = LogisticRegression(C=0.5, max_iter=3000)
    elif kind == "gradient_boosting":
        pre = ColumnTransformer([
            ("num", "passthrough", numeric),
            ("cat", Pipeline([("impute", SimpleImputer(strategy="constant", fill_value="missing")),
                              ("ordinal", OrdinalEncoder(handle_unknown="use_encoded_value",
                                                         unknown_value=-1))]), categorical),
        ])
        mask = [False] * len(numeric) + [True] * len(categorical)
        model = HistGradientBoostingClassifier(
            learning_rate=0.05, max_iter=300, max_leaf_nodes=15, min_samples_leaf=40,
            l2_regularization=1.0, categorical_features=mask if categorical else None,
            early_stopping=False, random_state=random_state)
    else:
        raise ValueError(f"kind must be 'logistic' or 'gradient_boosting', got {kind!r}")
    return Pipeline([("prepare", pre), ("model", model)])


def _prepare(X: pd.DataFrame) -> pd.DataFrame:
    """Booleans to floats and text to object, so both models accept the frame."""
    out = X.copy()
    for column in out.columns:
        if pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].astype(float)
        elif not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


@dataclass
class ModelReport:
    """Cross-validated evaluation of each model, and the best model refitted on all rows."""

    scores: pd.DataFrame  # model x (roc_auc, pr_auc, brier)
    predictions: pd.DataFrame  # out-of-fold probability per model, label, customer_id, cutoff
    best: str
    model: Pipeline
    columns: list[str]


def _folds(data: ChurnData, n_splits: int, random_state: int) -> list[tuple[np.ndarray, np.ndarray]]:
    if data.setting == "transactional" and data.features["cutoff"].nunique() > 1:
        cutoffs = np.sort(data.features["cutoff"].unique())
        folds = []
        for test_cutoff in cutoffs[1:]:
            test = np.flatnonzero(data.features["cutoff"].to_numpy() == test_cutoff)
            # train only on cutoffs whose label window closed before the test cutoff
            usable = cutoffs[cutoffs + np.timedelta64(data.horizon_days, "D") <= test_cutoff]
            train = np.flatnonzero(data.features["cutoff"].isin(usable).to_numpy())
            if len(train) and data.label.iloc[train].nunique() == 2:
                folds.append((train, test))
        if folds:
            return folds
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    return list(splitter.split(np.zeros(len(data.label)), data.label))


def evaluate_models(data: ChurnData, *, n_splits: int = 5, random_state: int = 0,
                    kinds: Sequence[str] = ("logistic", "gradient_boosting")) -> ModelReport:
    """Cross-validate each model (time-based for several cutoffs), then refit the best.

    Scores are ROC-AUC, PR-AUC (average precision) and Brier score on the out-of-fold
    predictions; the best model has the highest ROC-AUC.
    """
    X = _prepare(data.X)
    y = data.label.to_numpy()
    if len(np.unique(y)) < 2:
        raise ValueError("every customer has the same label: there is nothing to learn")
    folds = _folds(data, n_splits, random_state)
    tested = np.zeros(len(y), bool)
    predictions = pd.DataFrame(index=X.index)
    rows = []
    for kind in kinds:
        oof = np.full(len(y), np.nan)
        for train, test in folds:
            model = make_model(kind, X, random_state).fit(X.iloc[train], y[train])
            oof[test] = model.predict_proba(X.iloc[test])[:, 1]
            tested[test] = True
        predictions[kind] = oof
        mask = ~np.isnan(oof)
        rows.append({"model": kind, "roc_auc": roc_auc_score(y[mask], oof[mask]),
                     "pr_auc": average_precision_score(y[mask], oof[mask]),
                     "brier": brier_score_loss(y[mask], oof[mask])})
    predictions["label"] = y
    predictions["customer_id"] = data.features["customer_id"].to_numpy()
    predictions["cutoff"] = data.features["cutoff"].to_numpy()
    predictions = predictions[tested]
    scores = pd.DataFrame(rows).set_index("model")
    best = str(scores["roc_auc"].idxmax())
    final = make_model(best, X, random_state).fit(X, y)
    return ModelReport(scores, predictions, best, final, list(X.columns))


def predict(report: ModelReport, features: pd.DataFrame) -> np.ndarray:
    """Churn probability of each row of ``features`` with the refitted best model."""
    X = _prepare(features.reindex(columns=report.columns))
    return report.model.predict_proba(X)[:, 1]


def gains_table(label: np.ndarray, score: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Cumulative gains and lift by score decile (decile 1 = highest scores)."""
    order = np.argsort(-score, kind="stable")
    sorted_label = np.asarray(label)[order]
    decile = np.minimum((np.arange(len(score)) * bins) // len(score), bins - 1) + 1
    frame = pd.DataFrame({"decile": decile, "label": sorted_label})
    # rows are customer-cutoffs when several cutoffs are stacked, hence "rows", not customers
    table = frame.groupby("decile").agg(rows=("label", "size"), churners=("label", "sum"))
    table["churn_rate"] = table["churners"] / table["rows"]
    table["cumulative_gain"] = table["churners"].cumsum() / table["churners"].sum()
    table["lift"] = table["churn_rate"] / (table["churners"].sum() / table["rows"].sum())
    return table.reset_index()


def importance(report: ModelReport, data: ChurnData, *, sample: int = 3000,
               random_state: int = 0) -> pd.DataFrame:
    """Permutation importance (drop in ROC-AUC) of each feature for the best model."""
    X = _prepare(data.X).reindex(columns=report.columns)
    rng = np.random.default_rng(random_state)
    rows = rng.choice(len(X), min(sample, len(X)), replace=False)
    result = permutation_importance(report.model, X.iloc[rows], data.label.to_numpy()[rows],
                                    scoring="roc_auc", n_repeats=3, random_state=random_state)
    return (pd.DataFrame({"feature": report.columns, "importance": result.importances_mean})
            .sort_values("importance", ascending=False).reset_index(drop=True))


# ------------------------------------------------------------------------------ reasons
#
# A reason is a behaviour a manager reads as one, each a fixed, monotone comparison of the
# customer's own behaviour with his own past or with the customer base. A reason is only
# reported when, in the training rows (every cutoff), the customers showing it churned more
# often than those who did not: risk ratio above 1 with 95% confidence (the lower bound of
# its Katz log interval above 1), on at least MIN_REASON_ROWS rows each side.
# Substituting single features with the median on a model whose features interact gave
# readings such as "spend to date 55,553 (typical 991)"; rules do not.

#: Days since the last purchase above this multiple of the customer's typical gap between
#: purchase days (for one-time buyers: the median gap of repeat buyers) = overdue.
OVERDUE_FACTOR = 2.0
#: Spend (or events) in the last window below this share of the window before = falling.
DROP_SHARE = 0.5
#: Fading activity needs at least this many events in the window before.
FADING_MIN_BEFORE = 2
#: Last survey answer negative: NPS 0-6 (detractor), or without NPS a CSAT of 1-2.
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


def _transactional_signals(features: pd.DataFrame, base_gap: float) -> pd.DataFrame:
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
    if "last_nps" in f or "last_csat" in f:
        nps = f["last_nps"] if "last_nps" in f else pd.Series(np.nan, index=f.index)
        csat = f["last_csat"] if "last_csat" in f else pd.Series(np.nan, index=f.index)
        out["negative_feedback"] = (nps <= NEGATIVE_NPS) | (nps.isna() & (csat <= NEGATIVE_CSAT))
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
    return _transactional_signals(features, rules.base_gap)


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
    ``negative_feedback``, ``complaint:<event>``, ``fading:<event>``, ``low:<column>``,
    ``high:<column>`` or ``is:<column>=<value>``; it does not depend on the report language.
    Only signals whose risk ratio in the training rows is above 1 with 95% confidence are
    reported, strongest (highest risk ratio) first; at most ``top`` per row.
    """
    rows = features.reset_index(drop=True)
    signals = reason_signals(rules, rows)
    risky = sorted((k for k, low in rules.risk_ratio_low.items() if low > 1 and k in signals),
                   key=lambda k: -rules.risk_ratio[k])
    shown = signals[risky].to_numpy() if risky else np.zeros((len(rows), 0), bool)
    return [[risky[j] for j in np.flatnonzero(shown[i])][:top] for i in range(len(rows))]


def reasons(rules: ReasonRules, features: pd.DataFrame, *, top: int = 3, lang: str = "en"
            ) -> tuple[list[str], list[list[str]]]:
    """Each row's reason sentences and codes (:func:`reason_codes`), strongest first.

    Returns the sentences (joined by the language's list separator, or "no single standout
    reason") and the codes.
    """
    rows = features.reset_index(drop=True)
    keys = reason_codes(rules, rows, top=top)
    records = rows.to_dict("records")
    return [_reason_sentence(rules, row, k, lang) for row, k in zip(records, keys)], keys


def _reason_sentence(rules: ReasonRules, row: dict[str, Any], keys: Sequence[str], lang: str) -> str:
    parts = [_reason_text(key, row, rules, lang) for key in keys if key != NO_REASON]
    return t("churn.list_sep", lang).join(parts) if parts else t("churn.reason.none", lang)


def reason_label(code: str, lang: str = "en") -> str:
    """A short label for a reason code, without the customer's numbers (``overdue for a
    purchase``; ``support contacts: support tickets``)."""
    kind, _, name = str(code).partition(":")
    if not name:
        return t(f"churn.reason.{kind}", lang)
    if kind in ("complaint", "fading"):
        detail = event_label(name, lang)
    elif kind == "is":
        column, value = name.split("=", 1)
        kind, detail = "category", f"{feature_label(column, lang)} = {category_label(column, value, lang)}"
    else:
        detail = feature_label(name, lang)
    return t("churn.reason.detail", lang, reason=t(f"churn.reason.{kind}", lang), detail=detail)


def reason_texts(result: ChurnResult, lang: str = "en", rows: int | None = None) -> list[str]:
    """The reason sentences of the first ``rows`` scored customers (all by default), in the
    order of ``result.current``, each with the customer's own numbers."""
    current = result.current if rows is None else result.current.head(rows)
    if result.rules is None:
        return [t("churn.reason.none", lang)] * len(current)
    return [_reason_sentence(result.rules, row, row["reason_keys"], lang)
            for row in current.to_dict("records")]


def _value_text(column: str, value: Any, lang: str) -> str:
    if column in MONEY_COLUMNS:
        return fmt_money(float(value), lang)
    if isinstance(value, (float, np.floating, int, np.integer)):
        return fmt_number(float(value), lang, 0 if abs(value) >= 10 or float(value).is_integer() else 2)
    return str(value)


def _reason_text(key: str, row: dict[str, Any], rules: ReasonRules, lang: str) -> str:
    w = rules.window_days
    kind, _, name = key.partition(":")
    if key == "overdue":  # the typical gap of _typical_gap, for one row
        days = float(row["purchase_days"])
        gap = ((float(row["tenure_days"]) - float(row["recency_days"])) / (days - 1)
               if days > 1 else rules.base_gap)
        gap = max(gap, 1.0)
        return t("churn.reason_text.overdue", lang, days=f"{row['recency_days']:,.0f}",
                 ratio=f"{row['recency_days'] / gap:.1f}", gap=f"{gap:,.0f}")
    if key == "fewer_purchases":
        return t("churn.reason_text.fewer_purchases", lang, recent=f"{row['days_recent']:,.0f}",
                 before=f"{row['days_before']:,.0f}", w=w)
    if key == "falling_spend":
        return t("churn.reason_text.falling_spend", lang, recent=fmt_money(float(row["spend_recent"]), lang),
                 before=fmt_money(float(row["spend_before"]), lang), w=w)
    if kind == "complaint":
        return t("churn.reason_text.complaint", lang, event=event_label(name, lang),
                 n=f"{row['events:' + name]:,.0f}", w=w)
    if kind == "fading":
        return t("churn.reason_text.fading", lang, event=event_label(name, lang),
                 recent=f"{row['events:' + name]:,.0f}", before=f"{row['events_before:' + name]:,.0f}", w=w)
    if key == "negative_feedback":
        nps = row.get("last_nps")
        score = f"NPS {nps:.0f}" if pd.notna(nps) else f"CSAT {row['last_csat']:.0f}"
        return t("churn.reason_text.negative_feedback", lang, score=score)
    if kind in ("low", "high"):
        q25, q75 = rules.quartiles[name]
        return t(f"churn.reason_text.{kind}", lang, feature=feature_label(name, lang),
                 value=_value_text(name, row[name], lang),
                 q=_value_text(name, q25 if kind == "low" else q75, lang))
    if kind == "is":
        column, value = name.split("=", 1)
        return t("churn.reason_text.category", lang, feature=feature_label(column, lang),
                 value=category_label(column, value, lang), rate=_pct(rules.category_rate[key]),
                 other=_pct(rules.other_rate[key]))
    raise KeyError(f"no text for the reason {key!r}")


#: Attributes shown as money (currency units).
MONEY_COLUMNS = {"monthly_charges", "total_charges", "spend", "spend_recent", "spend_before",
                 "spend_per_day_bought"}


def category_label(column: str, value: str, lang: str) -> str:
    """A category value as readers see it: 0/1 flags as no/yes, other values as they are."""
    if value in ("0", "1", "0.0", "1.0", "True", "False"):
        return t("churn.yes" if value in ("1", "1.0", "True") else "churn.no", lang)
    return value


def event_label(name: str, lang: str) -> str:
    """A readable name for an event type (catalogue entry, else the name with spaces)."""
    from workbench.i18n import CATALOGUE

    key = f"churn.event.{name}"
    return t(key, lang) if key in CATALOGUE else str(name).replace("_", " ")


def feature_label(column: str, lang: str) -> str:
    """A readable name for a feature column."""
    from workbench.i18n import CATALOGUE

    if ":" in column:
        kind, name = column.split(":", 1)
        if kind in ("events", "events_before"):
            name = event_label(name, lang)
        return t(f"churn.feature.{kind}", lang, name=name)
    key = f"churn.feature.{column}"
    return t(key, lang) if key in CATALOGUE else column.replace("_", " ")


# ------------------------------------------------------------------------------ survival


def kaplan_meier(duration: np.ndarray, event: np.ndarray, groups: pd.Series | None = None,
                 alpha: float = 0.05) -> dict[str, Any]:
    """Kaplan-Meier retention per group (lifelines), median lifetime, log-rank test.

    ``duration`` in any time unit (months for contracts, days for purchases), ``event`` 1
    when the customer churned. Returns ``curves`` (group -> DataFrame with time, retention,
    lower, upper), ``medians`` (group -> median lifetime, inf if never reached) and
    ``logrank`` (test statistic and p-value across groups, when there are several).
    """
    with warnings.catch_warnings():
        # lifelines 0.30 calls pandas in ways pandas 3 deprecates (Pandas4Warning); the results
        # are unaffected, and a warning would show as an error block in the HTML report.
        warnings.filterwarnings("ignore", category=getattr(pd.errors, "Pandas4Warning", FutureWarning))
        warnings.filterwarnings("ignore", category=FutureWarning, module="lifelines")
        return _kaplan_meier(duration, event, groups, alpha)


def _kaplan_meier(duration: np.ndarray, event: np.ndarray, groups: pd.Series | None,
                  alpha: float) -> dict[str, Any]:
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test

    duration = np.asarray(duration, dtype=float)
    event = np.asarray(event, dtype=int)
    labels = (pd.Series("all", index=range(len(duration))) if groups is None
              else groups.fillna("–").astype(str).reset_index(drop=True))
    curves, medians = {}, {}
    for group in sorted(labels.unique()):
        mask = (labels == group).to_numpy()
        fitter = KaplanMeierFitter(alpha=alpha).fit(duration[mask], event[mask])
        ci = fitter.confidence_interval_survival_function_
        curves[group] = pd.DataFrame({
            "time": fitter.survival_function_.index.to_numpy(),
            "retention": fitter.survival_function_.iloc[:, 0].to_numpy(),
            "lower": ci.iloc[:, 0].to_numpy(), "upper": ci.iloc[:, 1].to_numpy()})
        medians[group] = float(fitter.median_survival_time_)
    logrank = None
    if labels.nunique() > 1:
        test = multivariate_logrank_test(duration, labels, event)
        logrank = {"statistic": float(test.test_statistic), "p_value": float(test.p_value)}
    return {"curves": curves, "medians": medians, "logrank": logrank}


# ------------------------------------------------------------------------------ health and value


DEFAULT_HEALTH_WEIGHTS = {"recency": 0.4, "trend": 0.25, "satisfaction": 0.2, "support": 0.15}


def health_score(features: pd.DataFrame, weights: dict[str, float] | None = None,
                 *, churn_days: float | None = None) -> pd.Series:
    """Customer health 0-100 (客户健康度) from recency, trend, satisfaction and support load.

    Components, each 0-100: recency = 100 x (1 - days since last purchase / ``churn_days``,
    floored at 0; default ``churn_days`` is the 95th percentile of recency); trend = 50 x
    (1 + order trend), the trend being (recent - earlier) / (recent + earlier) purchase days;
    satisfaction = last NPS x 10 or (last CSAT - 1) x 25; support = 100 - 25 x support
    tickets in the window (floored at 0). Missing components are left out and the weights
    of the others renormalised per customer.
    """
    weights = {**DEFAULT_HEALTH_WEIGHTS, **(weights or {})}
    parts = pd.DataFrame(index=features.index)
    if "recency_days" in features:
        scale = churn_days or float(features["recency_days"].quantile(0.95)) or 1.0
        parts["recency"] = (100 * (1 - features["recency_days"] / scale)).clip(0, 100)
    if "order_trend" in features:
        parts["trend"] = 50 * (1 + features["order_trend"].fillna(0))
    if "last_nps" in features or "last_csat" in features:
        nps = features["last_nps"] * 10 if "last_nps" in features else pd.Series(np.nan, index=features.index)
        csat = (features["last_csat"] - 1) * 25 if "last_csat" in features else np.nan
        parts["satisfaction"] = nps.fillna(csat)
    if "events:support_ticket" in features:
        parts["support"] = (100 - 25 * features["events:support_ticket"]).clip(0, 100)
    if parts.empty:
        return pd.Series(np.nan, index=features.index, name="health_score")
    w = pd.Series({k: weights.get(k, 0.0) for k in parts.columns})
    present = parts.notna()
    total = present.mul(w, axis=1).sum(axis=1).replace(0, np.nan)
    score = parts.fillna(0).mul(w, axis=1).sum(axis=1) / total
    return score.round(1).rename("health_score")


def expected_value_ranking(churn_probability: np.ndarray, value: np.ndarray, *,
                           save_rate: float = 0.2, contact_cost: float = 10.0) -> pd.DataFrame:
    """Expected value of contacting each customer, best first, with the budget curve.

    EV = P(churn) x value at stake x save rate - contact cost (currency units). Columns
    ``position`` (original row), ``expected_value``, and cumulative ``contacted``, ``cost``,
    ``revenue_saved`` (expected) and ``net``.
    """
    if not 0 <= save_rate <= 1:
        raise ValueError(f"save_rate must be between 0 and 1, got {save_rate}")
    saved = np.asarray(churn_probability, float) * np.asarray(value, float) * save_rate
    ev = saved - contact_cost
    order = np.argsort(-ev, kind="stable")
    frame = pd.DataFrame({"position": order, "expected_value": ev[order], "saved": saved[order]})
    frame["contacted"] = np.arange(1, len(frame) + 1)
    frame["cost"] = frame["contacted"] * contact_cost
    frame["revenue_saved"] = frame["saved"].cumsum()
    frame["net"] = frame["revenue_saved"] - frame["cost"]
    return frame.drop(columns="saved")


# ------------------------------------------------------------------------------ plots


def plot_roc_pr(predictions: pd.DataFrame, models: Sequence[str], *, lang: str = "en") -> Figure:
    """ROC and precision-recall curves of each model's out-of-fold predictions."""
    from sklearn.metrics import precision_recall_curve, roc_curve

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    y = predictions["label"].to_numpy()
    for model in models:
        fpr, tpr, _ = roc_curve(y, predictions[model])
        left.plot(fpr, tpr, label=f"{t('churn.model.' + model, lang)} ({roc_auc_score(y, predictions[model]):.3f})")
        precision, recall, _ = precision_recall_curve(y, predictions[model])
        right.plot(recall, precision, label=t("churn.model." + model, lang))
    left.plot([0, 1], [0, 1], color="#999999", linestyle="--")
    left.set(xlabel=t("churn.fpr", lang), ylabel=t("churn.tpr", lang), title=t("churn.roc_title", lang))
    right.axhline(y.mean(), color="#999999", linestyle="--")
    right.set(xlabel=t("churn.recall", lang), ylabel=t("churn.precision", lang),
              title=t("churn.pr_title", lang))
    left.legend(loc="lower right")
    right.legend(loc="upper right")
    return fig


def plot_calibration(predictions: pd.DataFrame, model: str, *, lang: str = "en",
                     ax: Axes | None = None) -> Figure:
    """Predicted vs observed churn rate in 10 probability bins."""
    fig, ax = axes_for(ax, (5, 4.5))
    observed, predicted = calibration_curve(predictions["label"], predictions[model], n_bins=10,
                                            strategy="quantile")
    ax.plot(predicted, observed, marker="o", color="#0072B2", label=t("churn.model." + model, lang))
    ax.plot([0, 1], [0, 1], color="#999999", linestyle="--")
    ax.set(xlabel=t("churn.predicted", lang), ylabel=t("churn.observed", lang),
           title=t("churn.calibration_title", lang))
    ax.legend(loc="upper left")
    return fig


def plot_gains(table: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Lift per decile (bars) and cumulative gains (line)."""
    fig, ax = axes_for(ax, (8, 4))
    ax.bar(table["decile"], table["lift"], color="#56B4E9", label=t("churn.lift", lang))
    ax.axhline(1, color="#999999", linestyle="--")
    ax.set(xlabel=t("churn.decile", lang), ylabel=t("churn.lift", lang), title=t("churn.gains_title", lang),
           xticks=table["decile"])
    twin = ax.twinx()
    twin.plot(table["decile"], table["cumulative_gain"] * 100, color="#D55E00", marker="o",
              label=t("churn.gain", lang))
    twin.set(ylabel=t("churn.gain", lang) + " (%)", ylim=(0, 105))
    twin.grid(False)
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], loc="center right")
    return fig


def plot_importance(table: pd.DataFrame, *, lang: str = "en", top: int = 12,
                    ax: Axes | None = None) -> Figure:
    """Permutation importance of the most important features."""
    shown = table.head(top).iloc[::-1]
    fig, ax = axes_for(ax, (8, 0.35 * len(shown) + 1.5))
    ax.barh([feature_label(f, lang) for f in shown["feature"]], shown["importance"], color="#0072B2")
    ax.set(xlabel=t("churn.importance_x", lang), title=t("churn.importance_title", lang))
    return fig


def plot_survival(result: dict[str, Any], *, lang: str = "en", time_label_key: str = "churn.months",
                  ax: Axes | None = None) -> Figure:
    """Kaplan-Meier curves with confidence bands, one per group."""
    fig, ax = axes_for(ax, (8, 4.5))
    for group, curve in result["curves"].items():
        line = ax.step(curve["time"], curve["retention"] * 100, where="post", label=str(group))[0]
        ax.fill_between(curve["time"], curve["lower"] * 100, curve["upper"] * 100, step="post",
                        alpha=0.2, color=line.get_color())
    ax.set(xlabel=t(time_label_key, lang), ylabel=t("churn.retained", lang) + " (%)", ylim=(0, 101),
           title=t("churn.survival_title", lang))
    ax.legend(loc="lower left", fontsize=8)
    return fig


def plot_health_bands(bands: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Churn rate by health band: it should fall as health rises."""
    fig, ax = axes_for(ax, (7, 3.8))
    bars = ax.bar(bands["band"].astype(str), bands["churn_rate"] * 100, color="#009E73")
    ax.bar_label(bars, labels=[f"{v:.0%}" for v in bands["churn_rate"]], padding=2)
    ax.set(xlabel=t("churn.health_band", lang), ylabel=t("churn.churn_rate", lang) + " (%)",
           title=t("churn.health_title", lang))
    return fig


def plot_budget_curve(curve: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Expected revenue saved, cost and net value against customers contacted."""
    fig, ax = axes_for(ax, (8, 4))
    ax.plot(curve["contacted"], curve["revenue_saved"], label=t("churn.saved", lang), color="#009E73")
    ax.plot(curve["contacted"], curve["cost"], label=t("churn.cost", lang), color="#D55E00")
    ax.plot(curve["contacted"], curve["net"], label=t("churn.net", lang), color="#0072B2")
    best = int(curve["net"].idxmax())
    ax.axvline(curve.loc[best, "contacted"], color="#999999", linestyle="--")
    format_money_axis(ax.yaxis, lang)
    ax.set(xlabel=t("churn.contacted", lang), title=t("churn.budget_title", lang))
    ax.legend(loc="upper left")
    return fig


def health_bands(health: pd.Series, label: pd.Series, bands: int = 5) -> pd.DataFrame:
    """Churn rate per health band (equal-width 0-100 bands)."""
    edges = np.linspace(0, 100, bands + 1)
    band = pd.cut(health, edges, include_lowest=True)
    frame = pd.DataFrame({"band": band, "label": label.to_numpy()})
    table = frame.groupby("band", observed=False)["label"].agg(["size", "mean"]).reset_index()
    table["band"] = [fmt_range(lo, hi) for lo, hi in zip(edges[:-1], edges[1:])]
    return table.rename(columns={"size": "customers", "mean": "churn_rate"})


# ------------------------------------------------------------------------------ one call


@dataclass
class ChurnResult:
    """Everything the churn report shows."""

    setting: str
    data: ChurnData
    report: ModelReport
    current: pd.DataFrame  # customers scored now: risk, value, health, reasons, action, EV
    ranking: pd.DataFrame  # expected-value ranking (budget curve)
    survival: dict[str, Any] | None
    survival_group: str | None
    baseline_auc: dict[str, float] | None  # BG/NBD baselines (see _bgnbd_baseline)
    health: pd.DataFrame | None  # churn rate by health band (validation)
    rules: ReasonRules | None = None  # behavioural reasons fitted on the training rows
    leakage: dict[str, Any] | None = None  # ROC-AUC with and without snapshot attributes


def resolve_setting(dataset: Any, setting: str = "auto") -> str:
    """``auto``: contractual when customers carry a churned flag, else transactional."""
    if setting not in ("auto", "contractual", "transactional"):
        raise ValueError(f"setting must be auto, contractual or transactional, got {setting!r}")
    if setting != "auto":
        return setting
    has_flag = dataset.customers is not None and "churned" in dataset.customers \
        and dataset.customers["churned"].notna().any()
    return "contractual" if has_flag else "transactional"


def monthly_cutoffs(last_day: pd.Timestamp, horizon_days: int, n: int = 6,
                    first_day: pd.Timestamp | None = None) -> list[pd.Timestamp]:
    """``n`` month-end cutoffs whose label windows of ``horizon_days`` end by ``last_day``."""
    latest = last_day - horizon_days * _DAY
    ends = pd.date_range(end=latest, periods=n + 1, freq="ME")
    cutoffs = [d for d in ends if d <= latest][-n:]
    if first_day is not None:
        cutoffs = [d for d in cutoffs if d > first_day + 90 * _DAY]
    return cutoffs


def _bgnbd_baseline(transactions: pd.DataFrame, data: ChurnData) -> dict[str, float] | None:
    """BG/NBD scores at the last cutoff, on the same customers, as ROC-AUC for churn.

    ``prob_alive``: 1 - P(alive), the usual baseline. BG/NBD lets customers drop out only
    after a repeat purchase, so one-time buyers get P(alive) = 1 and this score ranks them
    as safest although they are the likeliest not to return. ``expected_purchases``: minus
    the expected purchases over the label horizon, which uses the same fitted model without
    that blind spot.
    """
    try:
        from workbench.clv import BetaGeo
    except ImportError:  # pragma: no cover - the CLV module ships with the package
        return None
    from workbench.summary import customer_summary

    cutoff = data.features["cutoff"].max()
    rows = (data.features["cutoff"] == cutoff).to_numpy()
    summary = customer_summary(transactions, cutoff, "W").set_index("customer_id")
    model = BetaGeo().fit(summary["x"], summary["t_x"], summary["T"])
    s = summary.reindex(data.features.loc[rows, "customer_id"])
    x, t_x, T = s["x"].to_numpy(), s["t_x"].to_numpy(), s["T"].to_numpy()
    label = data.label.to_numpy()[rows]
    horizon_weeks = (data.horizon_days or 90) / 7
    return {
        "prob_alive": float(roc_auc_score(label, 1 - model.prob_alive(x, t_x, T))),
        "expected_purchases": float(roc_auc_score(
            label, -model.predict_purchases(horizon_weeks, x, t_x, T))),
    }


#: Recommended action codes (labels: ``churn.action.<code>``).
ACTIONS = ("call", "service", "winback", "contract", "nurture")


def _action(row: pd.Series, top_reason: str | None, value_cut: float) -> str:
    """Code of the recommended action (:data:`ACTIONS`), from the strongest reason's code."""
    if top_reason is not None and (top_reason.startswith("complaint:")
                                   or top_reason == "negative_feedback"):
        return "service"
    if top_reason is not None and top_reason.startswith("is:contract="):
        return "contract"
    if row["value_at_stake"] >= value_cut and row["churn_probability"] >= 0.5:
        return "call"
    if row["churn_probability"] >= 0.5:
        return "winback"
    return "nurture"


def analyse(dataset: Any, as_of: pd.Timestamp, *, setting: str = "auto", horizon_days: int = 90,
            n_cutoffs: int = 6, save_rate: float = 0.2, contact_cost: float = 10.0,
            random_state: int = 0, static_attributes: Sequence[str] | None = None,
            attribute_history: pd.DataFrame | None = None, check_leakage: bool = True,
            lang: str | None = None, n_reasons: int | None = None) -> ChurnResult:
    """Label, features, model comparison, scores, reasons, health, targeting and survival.

    The result does not depend on the report language: every scored customer (one row each)
    gets reason codes (``reason_keys``; ``top_reasons`` joined by ``;``, ``top_reason`` the
    strongest, ``none`` without one) and a recommended action code (:data:`ACTIONS`). Texts
    come from :func:`reason_texts`, :func:`export_frame` and :func:`action_table`. ``lang`` and
    ``n_reasons`` are deprecated and ignored (reasons are given for every scored customer).

    Transactional setting: of the customers table only the ``static_attributes`` (default
    :data:`STATIC_ATTRIBUTES`) are features; attributes that change over time come only from
    ``attribute_history`` (see :func:`attributes_as_of`). With ``check_leakage`` the best model
    is also cross-validated with the left-out snapshot attributes added, and both ROC-AUCs are
    kept in ``leakage``. Contractual setting: one observation date, the attributes are as of it
    and are all used.
    """
    if lang is not None or n_reasons is not None:
        warnings.warn("churn.analyse: lang and n_reasons are ignored (the result holds codes for "
                      "every scored customer); use reason_texts(result, lang) or "
                      "export_frame(result, lang) for the text", DeprecationWarning, stacklevel=2)
    chosen = resolve_setting(dataset, setting)
    leakage = None
    if chosen == "contractual":
        data = contractual_data(dataset.customers)
        report = evaluate_models(data, random_state=random_state)
        oof = report.predictions[report.best].reindex(range(len(data.label)))
        current = data.features.assign(churn_probability=oof.to_numpy(), churned=data.label.to_numpy())
        current = current[current["churned"] == 0].drop(columns="churned")
        value = (current["monthly_charges"] * 12 if "monthly_charges" in current
                 else pd.Series(1.0, index=current.index))
        survival_group = "contract" if "contract" in current else None
        tenure = data.features.get("tenure")
        survival = (kaplan_meier(tenure.fillna(0).to_numpy(), data.label.to_numpy(),
                                 data.features[survival_group] if survival_group else None)
                    if tenure is not None else None)
        baseline, health_table = None, None
    else:
        tx = dataset.transactions
        kwargs = {"customers": dataset.customers, "events": dataset.events, "feedback": dataset.feedback,
                  "static_attributes": static_attributes, "attribute_history": attribute_history}
        cutoffs = monthly_cutoffs(as_of, horizon_days, n_cutoffs, tx["order_date"].min())
        data = transactional_data(tx, cutoffs, horizon_days=horizon_days, **kwargs)
        report = evaluate_models(data, random_state=random_state)
        if check_leakage:
            leakage = leakage_check(data, report, dataset.customers, static_attributes,
                                    attribute_history, random_state=random_state)
        baseline = _bgnbd_baseline(tx, data)
        current = transactional_features(tx, as_of, **kwargs)
        current = current[current["recency_days"] < 365].reset_index(drop=True)
        current["churn_probability"] = predict(report, current)
        recent = tx[tx["order_date"] >= as_of + _DAY - 365 * _DAY]
        value = recent.groupby("customer_id")["amount"].sum().reindex(current["customer_id"]).fillna(0.0)
        value.index = current.index
        last = data.features["cutoff"] == data.features["cutoff"].max()
        scored = health_score(data.features[last])
        health_table = health_bands(scored, data.label[last])
        # groups by an attribute fixed at signup: a group defined by later behaviour (such as
        # a tier earned by total spend) would sort customers by the lifetime being measured
        survival_group = next((c for c in SURVIVAL_GROUPS if c in current), None)
        history = tx.groupby("customer_id")["order_date"].agg(["min", "max"])
        lifetime = (history["max"] - history["min"]).dt.days.to_numpy()
        ended = ((as_of - history["max"]).dt.days > horizon_days).astype(int).to_numpy()
        groups = (dataset.customers.set_index("customer_id")[survival_group].reindex(history.index)
                  if survival_group else None)
        survival = kaplan_meier(lifetime, ended, groups)
    current["value_at_stake"] = value.to_numpy()
    current["health_score"] = health_score(current).to_numpy()
    ranking = expected_value_ranking(current["churn_probability"].to_numpy(),
                                     current["value_at_stake"].to_numpy(), save_rate=save_rate,
                                     contact_cost=contact_cost)
    current["expected_value"] = (current["churn_probability"] * current["value_at_stake"] * save_rate
                                 - contact_cost)
    current = current.sort_values("expected_value", ascending=False).reset_index(drop=True)
    rules = fit_reason_rules(data)
    keys = reason_codes(rules, current) if len(current) else []
    current["reason_keys"] = keys
    current["top_reason"] = [k[0] if k else NO_REASON for k in keys]
    current["top_reasons"] = [";".join(k) if k else NO_REASON for k in keys]
    value_cut = float(current["value_at_stake"].quantile(0.8)) if len(current) else 0.0
    current["recommended_action"] = [
        _action(row, k[0] if k else None, value_cut) for (_, row), k in zip(current.iterrows(), keys)]
    return ChurnResult(chosen, data, report, current, ranking, survival, survival_group,
                       baseline, health_table, rules, leakage)


#: Attributes fixed at signup that the transactional survival curves are grouped by (first found).
SURVIVAL_GROUPS = ("acquisition_channel", "region", "gender")


def leakage_check(data: ChurnData, report: ModelReport, customers: pd.DataFrame | None,
                  static_attributes: Sequence[str] | None = None,
                  attribute_history: pd.DataFrame | None = None, *,
                  random_state: int = 0) -> dict[str, Any] | None:
    """ROC-AUC of the best model without and with the snapshot attributes (same folds).

    Snapshot attributes are the customers-table columns that are not static (see
    :func:`snapshot_attributes`) and have no history; the gain in ROC-AUC when they are added
    at past cutoffs is what they would carry from the future. None when there are none.
    """
    dated = set(attribute_history.columns) if attribute_history is not None else set()
    leaky = [c for c in snapshot_attributes(customers, static_attributes) if c not in dated]
    if not leaky:
        return None
    snap = customers[["customer_id", *leaky]].copy()
    snap["customer_id"] = snap["customer_id"].astype(str)
    with_snapshot = data.features.merge(snap, on="customer_id", how="left")
    leaked = ChurnData(with_snapshot, data.label, data.setting, data.horizon_days)
    check = evaluate_models(leaked, random_state=random_state, kinds=(report.best,))
    return {"model": report.best, "attributes": leaky,
            "auc_without": float(report.scores.loc[report.best, "roc_auc"]),
            "auc_with": float(check.scores.loc[report.best, "roc_auc"])}


EXPORT_COLUMNS = ("customer_id", "churn_probability", "value_at_stake", "health_score",
                  "top_reasons", "recommended_action", "expected_value")
#: Label key templates of the export's code columns (``recommended_action_label``);
#: ``top_reasons_label`` holds sentences and comes from :func:`export_frame`.
EXPORT_LABELS = {"recommended_action": RESULTS["churn"].labels["recommended_action"]}


def churn_result(result: ChurnResult) -> pd.DataFrame:
    """The shared ``churn`` result (schema ``workbench.results.RESULTS["churn"]``): one row per
    scored customer, highest expected value first; probability 0-1, health 0-100, value at
    stake and expected value in currency units, ``top_reason`` and ``recommended_action``
    codes."""
    frame = result.current[list(RESULTS["churn"].columns)].copy()
    frame["customer_id"] = frame["customer_id"].astype(str)
    return frame.reset_index(drop=True)


def export_frame(result: ChurnResult, lang: str = "en") -> pd.DataFrame:
    """The action list for campaign tools, highest expected value first: :data:`EXPORT_COLUMNS`
    with ``top_reasons`` as reason codes joined by ``;`` (strongest first) and, after it,
    ``top_reasons_label``, the reason sentences in ``lang``. Export it with
    ``labels=EXPORT_LABELS`` to add ``recommended_action_label``."""
    frame = result.current[list(EXPORT_COLUMNS)].copy()
    frame["customer_id"] = frame["customer_id"].astype(str)
    frame.insert(frame.columns.get_loc("top_reasons") + 1, "top_reasons_label",
                 reason_texts(result, lang))
    return frame.reset_index(drop=True)


def high_risk(result: ChurnResult, threshold: float = 0.5) -> pd.DataFrame:
    """Customers scored now with a churn probability above ``threshold`` (one row each)."""
    current = result.current
    return current[current["churn_probability"] > threshold].drop_duplicates("customer_id")


def kpis(result: ChurnResult, lang: str = "en") -> list[tuple[str, str, str]]:
    """KPI cards: high-risk customers, their value at stake, best model ROC-AUC."""
    high = high_risk(result)
    people = result.current["customer_id"].nunique()
    auc = float(result.report.scores.loc[result.report.best, "roc_auc"])
    return [
        (t("churn.kpi.high_risk", lang), f"{high['customer_id'].nunique():,}",
         t("churn.kpi.high_risk_note", lang, n=f"{people:,}")),
        (t("churn.kpi.value", lang), fmt_money(float(high["value_at_stake"].sum()), lang),
         t("churn.kpi.value_note", lang)),
        (t("churn.kpi.auc", lang), f"{auc:.3f}", t(f"churn.model.{result.report.best}", lang)),
    ]


def churn_metrics(result: ChurnResult) -> dict[str, Any]:
    """Headline figures for ``metrics.json`` (key ``churn``)."""
    scores = result.report.scores
    high = high_risk(result)
    auc = float(scores.loc[result.report.best, "roc_auc"])
    metrics = {
        "setting": result.setting,
        "base_rate": float(result.data.label.mean()),
        "rows": len(result.data.label),
        "models": {m: {"roc_auc": float(r["roc_auc"]), "pr_auc": float(r["pr_auc"]),
                       "brier": float(r["brier"])} for m, r in scores.iterrows()},
        "best_model": result.report.best,
        "bgnbd_baseline_auc": (result.baseline_auc or {}).get("prob_alive"),
        "bgnbd_expected_purchases_auc": (result.baseline_auc or {}).get("expected_purchases"),
        "high_risk_customers": int(high["customer_id"].nunique()),
        "value_at_stake_high_risk": float(high["value_at_stake"].sum()),
        "leakage": result.leakage,
    }
    metrics["headline"] = {
        lang: t("churn.headline", lang, high=f"{high['customer_id'].nunique():,}",
                value=fmt_money(float(high["value_at_stake"].sum()), lang),
                auc=f"{auc:.3f}") for lang in ("en", "zh")}
    return metrics


# ------------------------------------------------------------------------------ report text


def _pct(value: float) -> str:
    return f"{value:.0%}"


def describe_setting(result: ChurnResult, lang: str = "en") -> str:
    """One sentence: how churn is defined here and the base rate."""
    rate = _pct(result.data.label.mean())
    if result.setting == "contractual":
        return t("churn.setting.contractual", lang, n=f"{len(result.data.label):,}", rate=rate)
    return t("churn.setting.transactional", lang, horizon=result.data.horizon_days,
             rows=f"{len(result.data.label):,}", cutoffs=result.data.features["cutoff"].nunique(),
             people=f"{result.data.features['customer_id'].nunique():,}", rate=rate)


#: Catalogue keys of the BG/NBD baselines (keys of ``ChurnResult.baseline_auc``).
BASELINE_NAMES = {"prob_alive": "churn.model.bgnbd", "expected_purchases": "churn.model.bgnbd_expected"}


def comparison(result: ChurnResult) -> pd.DataFrame:
    """Models and BG/NBD baselines in one frame: model (key), kind, roc_auc, pr_auc, brier.

    The table and the sentences of the report are both read from this frame.
    """
    table = result.report.scores.reset_index().assign(kind="model")
    rows = [{"model": name, "kind": "baseline", "roc_auc": auc, "pr_auc": np.nan, "brier": np.nan}
            for name, auc in (result.baseline_auc or {}).items()]
    if rows:
        table = pd.concat([table, pd.DataFrame(rows)], ignore_index=True)
    return table[["model", "kind", "roc_auc", "pr_auc", "brier"]]


def model_name(key: str, lang: str = "en") -> str:
    """Readable name of a model or baseline key."""
    return t(BASELINE_NAMES.get(key, f"churn.model.{key}"), lang)


def scores_table(result: ChurnResult, lang: str = "en",
                 frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Model comparison with translated names, BG/NBD baselines included when computed."""
    table = (comparison(result) if frame is None else frame).drop(columns="kind")
    table["model"] = [model_name(m, lang) for m in table["model"]]
    return table


def model_sentences(result: ChurnResult, lang: str = "en",
                    frame: pd.DataFrame | None = None) -> list[str]:
    """Which model is best, and how it compares with each BG/NBD baseline, by name."""
    frame = comparison(result) if frame is None else frame
    models = frame[frame["kind"] == "model"].set_index("model")["roc_auc"]
    best = str(models.idxmax())
    auc = float(models[best])
    lines = [t("churn.best", lang, model=model_name(best, lang), auc=f"{auc:.3f}")]
    baselines = frame[frame["kind"] == "baseline"].set_index("model")["roc_auc"]
    if len(baselines):
        listed = t("churn.list_sep", lang).join(
            t("churn.baseline_item", lang, model=model_name(str(k), lang), auc=f"{v:.3f}")
            for k, v in baselines.items())
        strongest = str(baselines.idxmax())
        lines.append(t("churn.baseline", lang, baselines=listed,
                       strongest=model_name(strongest, lang),
                       verdict=t("churn.wins" if auc > baselines[strongest] else "churn.loses", lang)))
    return lines


def closing_note(result: ChurnResult, lang: str = "en") -> list[str]:
    """Which customer attributes the model uses, and what the snapshot ones would add."""
    if result.setting == "contractual":
        return [t("churn.note.contractual", lang)]
    leak = result.leakage
    if not leak:
        return [t("churn.note.static_only", lang)]
    names = t("churn.list_sep", lang).join(feature_label(c, lang) for c in leak["attributes"])
    return [t("churn.note.snapshot", lang, attributes=names, model=model_name(leak["model"], lang),
              without=f"{leak['auc_without']:.3f}", with_=f"{leak['auc_with']:.3f}")]


def survival_sentence(result: ChurnResult, lang: str = "en") -> str:
    """Median lifetime per group and the log-rank p-value."""
    medians = t("churn.list_sep", lang).join(
        t("churn.median_item", lang, group=g, value=f"{v:.0f}" if np.isfinite(v) else t("churn.never", lang))
        for g, v in result.survival["medians"].items())
    p = result.survival["logrank"]["p_value"] if result.survival["logrank"] else float("nan")
    group = feature_label(result.survival_group, lang) if result.survival_group else "–"
    return t("churn.survival_text", lang, group=group, medians=medians, p=fmt_p(p))


def health_sentence(result: ChurnResult, lang: str = "en") -> str:
    """Churn rate in the weakest and healthiest bands, and whether it falls band by band."""
    bands = result.health.dropna()
    monotone = bands["churn_rate"].is_monotonic_decreasing
    return t("churn.health_text", lang, low=_pct(bands["churn_rate"].iloc[0]),
             high=_pct(bands["churn_rate"].iloc[-1]),
             monotone=t("churn.monotone" if monotone else "churn.not_monotone", lang))


def targeting_sentence(result: ChurnResult, save_rate: float, contact_cost: float,
                       lang: str = "en", budget: float | None = None) -> str:
    """What contacting the positive-expected-value customers (within budget) brings."""
    curve = result.ranking[result.ranking["expected_value"] > 0]
    if budget is not None:
        curve = curve[curve["cost"] <= budget]
    last = curve.iloc[-1] if len(curve) else pd.Series({"contacted": 0, "revenue_saved": 0.0,
                                                         "cost": 0.0, "net": 0.0})
    return t("churn.targeting_text", lang, save_rate=_pct(save_rate), cost=fmt_money(contact_cost, lang),
             n=f"{int(last['contacted']):,}", saved=fmt_money(float(last["revenue_saved"]), lang),
             spend=fmt_money(float(last["cost"]), lang), net=fmt_money(float(last["net"]), lang))


def action_table(result: ChurnResult, n: int = 20, lang: str = "en") -> pd.DataFrame:
    """The top of the action list for the report: risk as a share, money formatted.

    customer_id and analytics only, no personal data; reasons as sentences and the action as
    its label in ``lang``; :func:`export_frame` keeps the numbers and codes.
    """
    table = result.current[list(EXPORT_COLUMNS)].head(n).copy()
    table["top_reasons"] = reason_texts(result, lang, rows=n)
    table["recommended_action"] = [t(f"churn.action.{code}", lang)
                                   for code in table["recommended_action"]]
    table["churn_probability"] = table["churn_probability"].map(_pct).astype(object)
    for column in ("value_at_stake", "expected_value"):
        table[column] = table[column].map(lambda v: fmt_money(float(v), lang)).astype(object)
    table["health_score"] = table["health_score"].map(
        lambda v: "–" if pd.isna(v) else f"{v:.0f}").astype(object)
    return table


def explore_widget(result: ChurnResult, *, lang: str = "en") -> Any:
    """JupyterLab widget: save rate, contact cost and budget redraw the budget curve."""
    import ipywidgets as widgets
    from IPython.display import HTML, display

    save = widgets.FloatSlider(value=0.2, min=0.05, max=0.8, step=0.05, description=t("churn.saved", lang))
    cost = widgets.FloatText(value=10.0, description=t("churn.cost", lang))
    budget = widgets.FloatText(value=0.0, description=t("churn.budget", lang))
    output = widgets.Output()

    def refresh(_: Any = None) -> None:
        output.clear_output(wait=True)
        ranking = expected_value_ranking(result.current["churn_probability"].to_numpy(),
                                         result.current["value_at_stake"].to_numpy(),
                                         save_rate=save.value, contact_cost=cost.value)
        scenario = ChurnResult(**{**result.__dict__, "ranking": ranking})
        with output:
            display(HTML(f"<p>{targeting_sentence(scenario, save.value, cost.value, lang, budget.value or None)}</p>"))
            fig = plot_budget_curve(ranking, lang=lang)
            display(fig)
            plt.close(fig)

    for control in (save, cost, budget):
        control.observe(refresh, names="value")
    refresh()
    return widgets.VBox([widgets.HBox([save, cost, budget]), output])


def latest_cutoff(predictions: pd.DataFrame) -> pd.DataFrame:
    """The out-of-fold predictions of the latest cutoff: one row per customer.

    With several cutoffs a customer appears once per cutoff; counts of customers are taken
    at one cutoff so that they count people. Frames without a cutoff column are returned as
    they are.
    """
    if "cutoff" not in predictions or predictions["cutoff"].nunique() <= 1:
        return predictions
    return predictions[predictions["cutoff"] == predictions["cutoff"].max()]


def confusion_at(predictions: pd.DataFrame, model: str, threshold: float = 0.5,
                 lang: str = "en") -> pd.DataFrame:
    """Confusion matrix of the out-of-fold predictions at ``threshold``, with precision/recall.

    Counted at the latest cutoff (see :func:`latest_cutoff`), so the cells count customers.
    """
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    predictions = latest_cutoff(predictions)
    predicted = predictions[model].to_numpy() >= threshold
    actual = predictions["label"].to_numpy() == 1
    cells = [[int(np.sum(~predicted & ~actual)), int(np.sum(predicted & ~actual))],
             [int(np.sum(~predicted & actual)), int(np.sum(predicted & actual))]]
    frame = pd.DataFrame(cells, columns=[t("churn.pred_stay", lang), t("churn.pred_churn", lang)])
    frame.insert(0, "actual", [t("churn.actual_stay", lang), t("churn.actual_churn", lang)])
    return frame


def confusion_sentence(predictions: pd.DataFrame, model: str, threshold: float,
                       lang: str = "en") -> str:
    """Precision and recall at the threshold in one sentence, counting distinct customers."""
    several = "cutoff" in predictions and predictions["cutoff"].nunique() > 1
    predictions = latest_cutoff(predictions)
    predicted = predictions[model].to_numpy() >= threshold
    actual = predictions["label"].to_numpy() == 1
    precision = (predicted & actual).sum() / max(predicted.sum(), 1)
    recall = (predicted & actual).sum() / max(actual.sum(), 1)
    ids = (predictions["customer_id"] if "customer_id" in predictions
           else pd.Series(np.arange(len(predictions))))
    values = {"threshold": f"{threshold:.2f}", "flagged": f"{ids[predicted].nunique():,}",
              "n": f"{ids.nunique():,}", "precision": _pct(precision), "recall": _pct(recall)}
    if several:
        return t("churn.confusion_text_cutoff", lang, cutoff=f"{predictions['cutoff'].max():%Y-%m-%d}",
                 **values)
    return t("churn.confusion_text", lang, **values)
