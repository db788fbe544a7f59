"""Churn models: scikit-learn pipelines, time-based cross-validation, importance, baselines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from workbench.churn.features import ChurnData, snapshot_attributes
from workbench.features import side_by_side


def _split_columns(X: pd.DataFrame) -> tuple[list[str], list[str]]:
    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])
               or pd.api.types.is_bool_dtype(X[c])]
    categorical = [c for c in X.columns if c not in numeric]
    return numeric, categorical


#: Trees and learning rate of the gradient boosting model: a fixed number of trees (no early
#: stopping, so the fit does not hold back a validation share and does not depend on it).
#: 60 trees at 0.2 cost a fifth of the former 300 at 0.05; on 200,000 demo customers (six
#: cutoffs, last time-based fold) the out-of-fold ROC-AUC moves from 0.9002 to 0.8999, on the
#: test data by at most 0.003 (tests/test_churn.py and the leakage demo).
GB_TREES, GB_LEARNING_RATE = 60, 0.2


def make_model(kind: Literal["logistic", "gradient_boosting"], X: pd.DataFrame,
               random_state: int = 0) -> Pipeline:
    """A scikit-learn Pipeline: imputation and encoding of categories, then the classifier.

    ``gradient_boosting`` has :data:`GB_TREES` trees at :data:`GB_LEARNING_RATE`.
    """
    numeric, categorical = _split_columns(X)
    if kind == "logistic":
        pre = ColumnTransformer([
            ("num", Pipeline([("impute", SimpleImputer(strategy="median")),
                              ("scale", StandardScaler())]), numeric),
            ("cat", Pipeline([("impute", SimpleImputer(strategy="constant", fill_value="missing")),
                              ("onehot", OneHotEncoder(handle_unknown="ignore", min_frequency=20))]),
             categorical),
        ])
        # Newton steps (Cholesky of the Hessian): a handful of iterations for many rows and
        # few columns, the same penalised optimum as lbfgs
        model = LogisticRegression(C=0.5, solver="newton-cholesky", max_iter=3000)
    elif kind == "gradient_boosting":
        pre = ColumnTransformer([
            ("num", "passthrough", numeric),
            ("cat", Pipeline([("impute", SimpleImputer(strategy="constant", fill_value="missing")),
                              ("ordinal", OrdinalEncoder(handle_unknown="use_encoded_value",
                                                         unknown_value=-1))]), categorical),
        ])
        mask = [False] * len(numeric) + [True] * len(categorical)
        model = HistGradientBoostingClassifier(
            learning_rate=GB_LEARNING_RATE, max_iter=GB_TREES, max_leaf_nodes=15,
            min_samples_leaf=40, l2_regularization=1.0,
            categorical_features=mask if categorical else None, early_stopping=False,
            random_state=random_state)
    else:
        raise ValueError(f"kind must be 'logistic' or 'gradient_boosting', got {kind!r}")
    return Pipeline([("prepare", pre), ("model", model)])


def _prepare(X: pd.DataFrame) -> pd.DataFrame:
    """Booleans to floats and text to object, so both models accept the frame.

    Returns a new frame; its unchanged columns share memory with ``X`` (copy-on-write keeps
    ``X`` as it is), so a million customer-cutoff rows are not held twice. A text column
    becomes one Python string per distinct value, shared by its rows (None where missing):
    the values the encoders see are those of ``astype(object)``, at 8 bytes a row instead of
    a string object per row (about 1.2 GB less per text column at 4.7M customer-cutoffs).
    """
    out = X.copy(deep=False)
    for column in out.columns:
        if pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].astype(float)
        elif not pd.api.types.is_numeric_dtype(out[column]):
            codes, uniques = pd.factorize(out[column], use_na_sentinel=True)
            shared = np.append(np.asarray(uniques, dtype=object), None)  # code -1: None
            out[column] = pd.Series(shared[codes], index=out.index, dtype=object)
    return out


@dataclass
class ModelReport:
    """Cross-validated evaluation of each model, and the best model refitted on all rows."""

    scores: pd.DataFrame  # model x (roc_auc, pr_auc, brier)
    predictions: pd.DataFrame  # out-of-fold probability per model, label, customer_id, cutoff
    best: str
    model: Pipeline | None  # None when evaluated with refit=False
    columns: list[str]


#: Folds of the cross-validation when the rows are not several cutoffs (stratified k-fold).
N_SPLITS = 5


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


#: Most training rows one model fit uses (a seeded random sample of the fold's rows above it).
#: Customer-cutoff rows grow with customers x cutoffs (1.1M at 200,000 customers and six
#: cutoffs); past a few hundred thousand rows the fitted scores barely move while the fit time
#: grows linearly. Every row is still scored. The 20,000-customer demo stays below it.
MAX_TRAIN_ROWS = 250_000

#: Most training rows of one cross-validation fit (never more than :data:`MAX_TRAIN_ROWS`).
#: The fits of the comparison (and of the leakage check) only rank the models and measure
#: their out-of-fold scores; the refitted model that scores the customers uses up to
#: :data:`MAX_TRAIN_ROWS` rows. On 200,000 demo customers 100,000 rows instead of 250,000 cost
#: about 0.001 of out-of-fold ROC-AUC and save 40% of each fit.
MAX_EVAL_ROWS = 100_000


def _capped(rows: np.ndarray, random_state: int, cap: int | None = None) -> np.ndarray:
    """``rows`` itself, or a seeded random sample of ``cap`` (default :data:`MAX_TRAIN_ROWS`)
    of them, in their order."""
    cap = MAX_TRAIN_ROWS if cap is None else cap
    if len(rows) <= cap:
        return rows
    keep = np.random.default_rng(random_state).choice(len(rows), size=cap, replace=False)
    return np.asarray(rows)[np.sort(keep)]


def evaluate_models(data: ChurnData, *, n_splits: int = N_SPLITS, random_state: int = 0,
                    kinds: Sequence[str] = ("logistic", "gradient_boosting"),
                    refit: bool = True,
                    folds: Sequence[tuple[np.ndarray, np.ndarray]] | None = None) -> ModelReport:
    """Cross-validate each model (time-based for several cutoffs), then refit the best.

    Scores are ROC-AUC, PR-AUC (average precision) and Brier score on the out-of-fold
    predictions (each fold's fit on at most :data:`MAX_EVAL_ROWS` rows); the best model has
    the highest ROC-AUC and is refitted on at most :data:`MAX_TRAIN_ROWS` rows. With
    ``refit=False`` (scores only) the best model is not refitted and ``model`` is None.
    ``folds`` (train rows, test rows) replaces the folds of :func:`_folds`.
    """
    X = _prepare(data.X)
    y = data.label.to_numpy()
    if len(np.unique(y)) < 2:
        raise ValueError("every customer has the same label: there is nothing to learn")
    folds = list(folds) if folds is not None else _folds(data, n_splits, random_state)
    tested = np.zeros(len(y), bool)
    predictions = pd.DataFrame(index=X.index)
    rows = []
    eval_cap = min(MAX_EVAL_ROWS, MAX_TRAIN_ROWS)

    def fold_fit(kind: str, train: np.ndarray, test: np.ndarray) -> Any:
        def fit() -> np.ndarray:
            rows = _capped(train, random_state, eval_cap)
            model = make_model(kind, X, random_state).fit(X.iloc[rows], y[rows])
            return _probability(model, X, test)
        return fit

    # every (model, fold) fit is independent: side by side where a core is free
    fitted = iter(side_by_side([fold_fit(kind, train, test) for kind in kinds
                                for train, test in folds]))
    for kind in kinds:
        oof = np.full(len(y), np.nan)
        for _, test in folds:
            oof[test] = next(fitted)
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
    everything = _capped(np.arange(len(y)), random_state)
    final = (make_model(best, X, random_state).fit(X.iloc[everything], y[everything])
             if refit else None)
    return ModelReport(scores, predictions, best, final, list(X.columns))


#: Most rows scored in one call (:func:`_probability`).
PREDICT_ROWS = 200_000


def _probability(model: Pipeline, X: pd.DataFrame, rows: np.ndarray | None = None) -> np.ndarray:
    """The fitted ``model``'s probability of class 1 for ``rows`` of ``X`` (positions; all
    when None), scored :data:`PREDICT_ROWS` rows at a time: each row is scored on its own, so
    the numbers are those of one call, without a float copy of a million rows."""
    rows = np.arange(len(X)) if rows is None else np.asarray(rows)
    if not len(rows):
        return np.empty(0)
    return np.concatenate([model.predict_proba(X.iloc[rows[start:start + PREDICT_ROWS]])[:, 1]
                           for start in range(0, len(rows), PREDICT_ROWS)])


def predict(report: ModelReport, features: pd.DataFrame) -> np.ndarray:
    """Churn probability of each row of ``features`` with the refitted best model."""
    X = _prepare(features.reindex(columns=report.columns))
    return _probability(report.model, X)


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


#: Most rows one scoring call of :func:`importance` takes (shuffled copies of the sample).
IMPORTANCE_ROWS = 100_000


def importance(report: ModelReport, data: ChurnData, *, sample: int = 3000, n_repeats: int = 3,
               random_state: int = 0) -> pd.DataFrame:
    """Permutation importance of each feature for the best model: the drop in ROC-AUC (0-1)
    when the feature's values are shuffled, mean of ``n_repeats`` shuffles, on a seeded random
    ``sample`` of the rows.

    The shuffled copies of the sample are scored together, several features in one call of
    up to :data:`IMPORTANCE_ROWS` rows (each row is scored on its own, so the scores are those
    of one call per copy; a call costs more than its rows: every tree is a parallel loop).
    """
    X = data.X.reindex(columns=report.columns)
    rng = np.random.default_rng(random_state)
    rows = rng.choice(len(X), min(sample, len(X)), replace=False)
    # only the sample is prepared (value by value, as the whole frame would be)
    X, y = _prepare(X.iloc[rows].reset_index(drop=True)), data.label.to_numpy()[rows]
    base = roc_auc_score(y, report.model.predict_proba(X)[:, 1])
    stacked = pd.concat([X] * n_repeats, ignore_index=True)
    columns = list(report.columns)
    per_call = max(1, IMPORTANCE_ROWS // max(len(stacked), 1))
    drops = []
    for start in range(0, len(columns), per_call):
        chunk = columns[start:start + per_call]
        copies = []
        for column in chunk:  # the shuffles drawn in the order of the columns, as one by one
            values = X[column].to_numpy()
            shuffled = stacked.copy(deep=False)  # copy-on-write: one column replaced
            shuffled[column] = np.concatenate([values[rng.permutation(len(X))]
                                               for _ in range(n_repeats)])
            copies.append(shuffled)
        scores = report.model.predict_proba(pd.concat(copies, ignore_index=True))[:, 1]
        for score in scores.reshape(len(chunk), n_repeats, len(X)):
            drops.append(base - np.mean([roc_auc_score(y, repeat) for repeat in score]))
    return (pd.DataFrame({"feature": report.columns, "importance": drops})
            .sort_values("importance", ascending=False).reset_index(drop=True))


def leakage_check(data: ChurnData, report: ModelReport, customers: pd.DataFrame | None,
                  static_attributes: Sequence[str] | None = None,
                  attribute_history: pd.DataFrame | None = None, *,
                  random_state: int = 0) -> dict[str, Any] | None:
    """ROC-AUC of the best model without and with the snapshot attributes, on the same fold.

    Snapshot attributes are the customers-table columns that are not static (see
    :func:`snapshot_attributes`) and have no history; the gain in ROC-AUC when they are added
    at past cutoffs is what they would carry from the future. None when there are none.

    The fold is the last of the comparison's (:func:`evaluate_models`): with several cutoffs,
    training on the earlier cutoffs and testing on the latest (``fold_rows`` test rows), so
    only one more model is fitted; ``auc_without`` is the comparison's out-of-fold ROC-AUC of
    the best model on those rows, ``auc_with`` the refit's with the attributes added.
    """
    dated = set(attribute_history.columns) if attribute_history is not None else set()
    leaky = [c for c in snapshot_attributes(customers, static_attributes) if c not in dated]
    if not leaky:
        return None
    snap = customers[["customer_id", *leaky]].copy()
    snap["customer_id"] = snap["customer_id"].astype(str)
    if snap["customer_id"].is_unique:
        # the left merge as a lookup: the features' columns are shared, not copied
        position = pd.Index(snap["customer_id"]).get_indexer(data.features["customer_id"].astype(str))
        found = snap.drop(columns="customer_id").reset_index(drop=True)
        found = found.reindex(pd.Index(position)).set_axis(data.features.index)
        with_snapshot = pd.concat([data.features, found], axis=1)
    else:
        with_snapshot = data.features.merge(snap, on="customer_id", how="left")
    leaked = ChurnData(with_snapshot, data.label, data.setting, data.horizon_days)
    train, test = _folds(data, N_SPLITS, random_state)[-1]  # evaluate_models' folds
    check = evaluate_models(leaked, random_state=random_state, kinds=(report.best,), refit=False,
                            folds=[(train, test)])
    without = report.predictions[report.best].reindex(test).to_numpy()
    return {"model": report.best, "attributes": leaky, "fold_rows": len(test),
            "auc_without": float(roc_auc_score(data.label.to_numpy()[test], without)),
            "auc_with": float(check.scores.loc[report.best, "roc_auc"])}


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
