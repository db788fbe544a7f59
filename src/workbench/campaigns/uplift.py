"""Uplift models: who is moved by a contact, cross-fitted so nobody is scored by a model that saw them.

Two meta-learners on scikit-learn's ``HistGradientBoostingClassifier`` (the base learner is a
parameter):

* :class:`TwoModelUplift` - the two-model ("T-learner") approach: one response model on the
  treated, one on the control group; uplift = P(y | x, treated) - P(y | x, control)
  (Radcliffe & Surry 1999; Kunzel et al. 2019, PNAS 116:4156-4165, "T-learner");
* :class:`XLearnerUplift` - the X-learner of Kunzel et al. (2019): imputed individual effects
  from the other arm's response model, regressed on x in each arm, combined with the share
  treated as propensity (known under randomisation).

:func:`cross_fit_uplift` scores every customer with a model fitted on the other folds
(K-fold cross-fitting, stratified by arm and outcome). :func:`uplift_intervals` gives each
customer the observed uplift, with its interval, of the customers of similar predicted uplift
(quantile bins of the cross-fitted score).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from workbench.campaigns.effects import two_proportion
from workbench.features import side_by_side

__all__ = ["LEARNERS", "TwoModelUplift", "XLearnerUplift", "cross_fit_uplift", "make_learner",
           "uplift_intervals"]


def _default_classifier(random_state: int | None) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(max_iter=60, learning_rate=0.05, max_depth=3,
                                          min_samples_leaf=50, l2_regularization=1.0,
                                          random_state=random_state)


def _default_regressor(random_state: int | None) -> HistGradientBoostingRegressor:
    return HistGradientBoostingRegressor(max_iter=60, learning_rate=0.05, max_depth=3,
                                         min_samples_leaf=50, l2_regularization=1.0,
                                         random_state=random_state)


def _arrays(X, treatment, y=None):
    X = X.to_numpy(dtype=float) if isinstance(X, pd.DataFrame) else np.asarray(X, dtype=float)
    t = np.asarray(treatment).astype(int)
    if set(np.unique(t)) - {0, 1}:
        raise ValueError("treatment must be 0 (control) or 1 (treated)")
    if y is None:
        return X, t
    y = np.asarray(y).astype(int)
    return X, t, y


def _positive(model, X: np.ndarray) -> np.ndarray:
    """P(y = 1 | x); a model fitted on one class only predicts that class."""
    proba = model.predict_proba(X)
    classes = list(model.classes_)
    return proba[:, classes.index(1)] if 1 in classes else np.zeros(len(X))


class TwoModelUplift(BaseEstimator):
    """Two-model uplift: separate response models for the treated and the control group.

    Parameters
    ----------
    estimator
        A scikit-learn classifier with ``predict_proba``; default a small
        ``HistGradientBoostingClassifier``.
    random_state
        Seed of the default estimator.

    Attributes
    ----------
    model_treated_, model_control_
        The fitted response models.
    """

    def __init__(self, estimator=None, random_state: int | None = None):
        self.estimator = estimator
        self.random_state = random_state

    def fit(self, X, treatment, y) -> TwoModelUplift:
        """Fit both response models; ``treatment`` 1 = contacted, ``y`` 1 = converted."""
        X, t, y = _arrays(X, treatment, y)
        base = self.estimator if self.estimator is not None else _default_classifier(self.random_state)
        self.model_treated_ = clone(base).fit(X[t == 1], y[t == 1])
        self.model_control_ = clone(base).fit(X[t == 0], y[t == 0])
        return self

    def predict_uplift(self, X) -> np.ndarray:
        """Uplift in conversion probability (fraction) of contacting each row."""
        check_is_fitted(self, "model_treated_")
        X = X.to_numpy(dtype=float) if isinstance(X, pd.DataFrame) else np.asarray(X, dtype=float)
        return _positive(self.model_treated_, X) - _positive(self.model_control_, X)


class XLearnerUplift(BaseEstimator):
    """X-learner (Kunzel, Sekhon, Bickel & Yu 2019) for a binary outcome.

    Stage 1 fits response models ``mu1`` (treated) and ``mu0`` (control). Stage 2 regresses the
    imputed effects ``y - mu0(x)`` (treated) and ``mu1(x) - y`` (control) on x, giving
    ``tau1`` and ``tau0``; uplift = ``g * tau0(x) + (1 - g) * tau1(x)`` with ``g`` the share
    treated (the propensity, constant under randomisation).

    Parameters
    ----------
    estimator
        Classifier of stage 1; default a small ``HistGradientBoostingClassifier``.
    effect_estimator
        Regressor of stage 2; default a small ``HistGradientBoostingRegressor``.
    random_state
        Seed of the default estimators.

    Attributes
    ----------
    propensity_
        Share treated in the training data.
    """

    def __init__(self, estimator=None, effect_estimator=None, random_state: int | None = None):
        self.estimator = estimator
        self.effect_estimator = effect_estimator
        self.random_state = random_state

    def fit(self, X, treatment, y) -> XLearnerUplift:
        X, t, y = _arrays(X, treatment, y)
        base = self.estimator if self.estimator is not None else _default_classifier(self.random_state)
        reg = (self.effect_estimator if self.effect_estimator is not None
               else _default_regressor(self.random_state))
        treated, control = t == 1, t == 0
        self.model_treated_ = clone(base).fit(X[treated], y[treated])
        self.model_control_ = clone(base).fit(X[control], y[control])
        d1 = y[treated] - _positive(self.model_control_, X[treated])
        d0 = _positive(self.model_treated_, X[control]) - y[control]
        self.effect_treated_ = clone(reg).fit(X[treated], d1)
        self.effect_control_ = clone(reg).fit(X[control], d0)
        self.propensity_ = float(treated.mean())
        return self

    def predict_uplift(self, X) -> np.ndarray:
        check_is_fitted(self, "effect_treated_")
        X = X.to_numpy(dtype=float) if isinstance(X, pd.DataFrame) else np.asarray(X, dtype=float)
        g = self.propensity_
        return g * self.effect_control_.predict(X) + (1 - g) * self.effect_treated_.predict(X)


#: Uplift learners by the name used in the notebook.
LEARNERS = {"two_model": TwoModelUplift, "x_learner": XLearnerUplift}


def make_learner(name: str, random_state: int | None = None):
    """A new uplift learner: ``"two_model"`` or ``"x_learner"``."""
    try:
        return LEARNERS[name](random_state=random_state)
    except KeyError:
        raise ValueError(f"learner must be one of {', '.join(LEARNERS)}, got {name!r}") from None


def cross_fit_uplift(learner, X, treatment, y, *, n_folds: int = 5,
                     random_state: int | None = 0, n_threads: int | None = 1) -> np.ndarray:
    """Out-of-fold predicted uplift: each row is scored by the learner fitted on the other folds.

    Folds are stratified by arm x outcome (``StratifiedKFold``, shuffled with
    ``random_state``), so every fold's training part holds treated and control customers of
    both outcomes when the data do. Returns one uplift (fraction) per row, in input order.
    ``n_threads`` caps the OpenMP threads of the gradient boosting while fitting (None: no
    cap); on a busy machine unlimited threads make a small fit 40x slower.
    """
    X, t, y = _arrays(X, treatment, y)
    strata = 2 * t + y
    smallest = np.bincount(strata, minlength=4)
    k = int(min(n_folds, max(2, smallest[smallest > 0].min())))
    folds = list(StratifiedKFold(n_splits=k, shuffle=True, random_state=random_state)
                 .split(X, strata))

    def fold(train: np.ndarray, test: np.ndarray) -> Callable[[], np.ndarray]:
        return lambda: clone(learner).fit(X[train], t[train], y[train]).predict_uplift(X[test])

    out = np.full(len(y), np.nan)
    if n_threads == 1:  # one thread per fit: the folds side by side on the free cores
        scores = side_by_side([fold(train, test) for train, test in folds], one_thread=True)
    else:
        with threadpool_limits(n_threads, user_api="openmp"):
            scores = [fold(train, test)() for train, test in folds]
    for (_, test), score in zip(folds, scores, strict=True):
        out[test] = score
    return out


def uplift_intervals(score, treatment, y, *, n_bins: int | None = None, min_control: int = 40,
                     alpha: float = 0.05) -> pd.DataFrame:
    """Observed uplift, with its interval, of the customers of similar predicted uplift.

    Customers are cut into ``n_bins`` quantile bins of ``score`` (the cross-fitted predicted
    uplift); default: as many as give about ``min_control`` control customers per bin,
    between 2 and 10. In each bin the difference in conversion (treated - control) and its
    two-proportion Wald interval at level ``1 - alpha`` are computed; each customer gets the
    values of their bin. Returns ``bin, bin_uplift, uplift_low, uplift_high`` per row.
    """
    score = np.asarray(score, float)
    t = np.asarray(treatment).astype(int)
    y = np.asarray(y).astype(int)
    if n_bins is None:
        n_bins = int(np.clip((t == 0).sum() // max(min_control, 1), 2, 10))
    ranks = pd.Series(score).rank(method="first").to_numpy()
    bins = np.minimum((ranks - 1) * n_bins // len(score), n_bins - 1).astype(int) if len(score) else ranks
    out = pd.DataFrame({"bin": bins, "bin_uplift": np.nan, "uplift_low": np.nan,
                        "uplift_high": np.nan})
    for b in np.unique(bins):
        inside = bins == b
        n1, n0 = int((t[inside] == 1).sum()), int((t[inside] == 0).sum())
        if n1 < 2 or n0 < 2:
            continue
        conv = two_proportion(y[inside & (t == 1)].sum(), n1, y[inside & (t == 0)].sum(), n0, alpha)
        out.loc[inside, ["bin_uplift", "uplift_low", "uplift_high"]] = (conv["diff"], conv["low"],
                                                                        conv["high"])
    return out
