"""Kaplan-Meier retention curves per group, median lifetime and the log-rank test."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd


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
