"""How well a score ranks customers by uplift: Qini and uplift curves and the areas under them.

Customers are sorted by score, best first; at each distinct score the curve counts the
customers targeted so far (``targeted``) and

* the **Qini curve** (Radcliffe 2007, "Using control groups to target on predicted lift",
  *Direct Marketing Analytics Journal* 3:14-21): incremental converters
  ``Y_t - Y_c * N_t / N_c``;
* the **uplift curve** (Rzepakowski & Jaroszewicz 2012; Devriendt, Guns & Verbeke 2020):
  ``(Y_t / N_t - Y_c / N_c) * (N_t + N_c)``,

with ``Y`` the converters and ``N`` the customers of each arm among the targeted. The random
line joins (0, 0) to the curve's end. The **Qini coefficient** is the area between the Qini
curve and the random line divided by that of the best possible ranking (which puts treated
converters first and control converters last); **AUUC** is the same ratio for the uplift
curve. These are the definitions of scikit-uplift's ``qini_auc_score`` and
``uplift_auc_score``. :func:`bootstrap_interval` resamples customers within each arm.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

__all__ = ["auuc", "bootstrap_interval", "curve_area", "qini_coefficient", "qini_curve",
           "uplift_curve"]


def _cumulative(y, treatment, score) -> tuple[np.ndarray, ...]:
    y, t, s = np.asarray(y, float), np.asarray(treatment, float), np.asarray(score, float)
    order = np.argsort(-s, kind="stable")
    y, t, s = y[order], t[order], s[order]
    last = np.r_[np.flatnonzero(s[1:] != s[:-1]), len(s) - 1]  # end of each block of ties
    n_t = np.cumsum(t)[last]
    y_t = np.cumsum(y * t)[last]
    n_all = last + 1.0
    n_c = n_all - n_t
    y_c = np.cumsum(y * (1 - t))[last]
    return n_all, n_t, y_t, n_c, y_c


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.zeros_like(a), where=b != 0)


def _qini_xy(y, treatment, score) -> tuple[np.ndarray, np.ndarray]:
    n_all, n_t, y_t, n_c, y_c = _cumulative(y, treatment, score)
    return np.r_[0.0, n_all], np.r_[0.0, y_t - y_c * _ratio(n_t, n_c)]


def _uplift_xy(y, treatment, score) -> tuple[np.ndarray, np.ndarray]:
    n_all, n_t, y_t, n_c, y_c = _cumulative(y, treatment, score)
    return np.r_[0.0, n_all], np.r_[0.0, (_ratio(y_t, n_t) - _ratio(y_c, n_c)) * n_all]


def _frame(x: np.ndarray, v: np.ndarray, name: str) -> pd.DataFrame:
    random = v[-1] * x / x[-1] if len(x) > 1 and x[-1] > 0 else np.zeros_like(x)
    return pd.DataFrame({"targeted": x, name: v, "random": random})


def qini_curve(y, treatment, score) -> pd.DataFrame:
    """Qini curve: ``targeted`` customers against ``qini`` (incremental converters), from (0, 0).

    Also ``random``: the straight line from (0, 0) to the curve's last point.
    """
    return _frame(*_qini_xy(y, treatment, score), "qini")


def uplift_curve(y, treatment, score) -> pd.DataFrame:
    """Uplift curve: ``targeted`` against ``uplift`` = (rate treated - rate control) x targeted."""
    return _frame(*_uplift_xy(y, treatment, score), "uplift")


def curve_area(curve: pd.DataFrame, column: str) -> float:
    """Trapezoid area under ``column`` against ``targeted`` (customers x curve unit)."""
    return float(np.trapezoid(curve[column].to_numpy(), curve["targeted"].to_numpy()))


def _perfect_qini_score(y, t) -> np.ndarray:
    y, t = np.asarray(y, float), np.asarray(t, float)
    return y * t - y * (1 - t)


def _perfect_uplift_score(y, t) -> np.ndarray:
    y, t = np.asarray(y, int), np.asarray(t, int)
    control_converters = int(((y == 1) & (t == 0)).sum())
    treated_non = int(((y == 0) & (t == 1)).sum())
    summand = y if control_converters > treated_non else t
    return 2 * (y == t) + summand


def _normalised(curve_xy, perfect_fn, y, treatment, score) -> float:
    x, v = curve_xy(y, treatment, score)
    bx, bv = curve_xy(y, treatment, perfect_fn(y, treatment))
    random_area = 0.5 * bx[-1] * bv[-1]
    denominator = float(np.trapezoid(bv, bx)) - random_area
    return float((np.trapezoid(v, x) - random_area) / denominator) if denominator else np.nan


def qini_coefficient(y, treatment, score) -> float:
    """Area between the Qini curve and the random line over that of the best ranking (0 = random)."""
    return _normalised(_qini_xy, _perfect_qini_score, y, treatment, score)


def auuc(y, treatment, score) -> float:
    """Normalised area under the uplift curve (0 = random, 1 = best ranking)."""
    return _normalised(_uplift_xy, _perfect_uplift_score, y, treatment, score)


class _Resampled:
    """:func:`qini_coefficient` or :func:`auuc` of a resample of rows (0/1 outcome and
    treatment), without sorting the resample.

    The rows are sorted by score (and by each best-ranking score) once. A resample's curve
    points sit at the ends of its own blocks of tied scores: the original blocks it drew from,
    in the same order. How often each row was drawn, summed up in that order, gives the counts
    at those points: the same numbers, so the same value, as the metric of the resample itself.
    """

    def __init__(self, metric: Callable[..., float], y, treatment, score):
        y, t, s = np.asarray(y, float), np.asarray(treatment, float), np.asarray(score, float)
        self.qini = metric is qini_coefficient
        self.y, self.t = y, t
        self.by_score = self._sorted(s)
        if self.qini:
            self.best = [self._sorted(_perfect_qini_score(y, t))]
        else:  # the best uplift ranking depends on the resample's counts: both candidates
            self.best = [self._sorted(2 * (y == t) + y), self._sorted(2 * (y == t) + t)]

    def _sorted(self, s: np.ndarray) -> tuple[np.ndarray, ...]:
        """Each row's place in score order (best first), the arm and outcome in that order and
        the last place of each block of ties."""
        order = np.argsort(-s, kind="stable")
        place = np.empty(len(s), dtype=np.int64)
        place[order] = np.arange(len(s))
        ordered = s[order]
        last = np.r_[np.flatnonzero(ordered[1:] != ordered[:-1]), len(s) - 1]
        t, y = self.t[order], self.y[order]
        return place, t, y * t, y * (1 - t), last

    def _xy(self, rows: tuple[np.ndarray, ...], pick: np.ndarray
            ) -> tuple[np.ndarray, ...]:
        place, t, yt, yc, last = rows
        drawn = np.bincount(place[pick], minlength=len(place)).astype(float)
        cum = np.cumsum(drawn)
        kept = last[np.diff(cum[last], prepend=0.0) > 0]  # the resample's blocks of ties
        n_all = cum[kept]
        n_t = np.cumsum(drawn * t)[kept]
        y_t = np.cumsum(drawn * yt)[kept]
        y_c = np.cumsum(drawn * yc)[kept]
        n_c = n_all - n_t
        if self.qini:
            v = y_t - y_c * _ratio(n_t, n_c)
        else:
            v = (_ratio(y_t, n_t) - _ratio(y_c, n_c)) * n_all
        return np.r_[0.0, n_all], np.r_[0.0, v], y_c[-1], n_t[-1] - y_t[-1]

    def __call__(self, pick: np.ndarray) -> float:
        x, v, control_converters, treated_non = self._xy(self.by_score, pick)
        # as _perfect_uplift_score: which best ranking depends on the resample's counts
        best = self.best[0 if self.qini or control_converters > treated_non else 1]
        bx, bv, _, _ = self._xy(best, pick)
        random_area = 0.5 * bx[-1] * bv[-1]
        denominator = float(np.trapezoid(bv, bx)) - random_area
        return float((np.trapezoid(v, x) - random_area) / denominator) if denominator else np.nan


def bootstrap_interval(metric: Callable[..., float], y, treatment, score, *, n_boot: int = 200,
                       alpha: float = 0.05, random_state: int | None = 0) -> tuple[float, float]:
    """Percentile bootstrap interval (level ``1 - alpha``) of ``metric(y, treatment, score)``.

    Customers are resampled with replacement within each arm, so every resample keeps the
    arms' sizes (Efron & Tibshirani 1993, ch. 13). For :func:`qini_coefficient` and
    :func:`auuc` (0/1 outcome and treatment, finite scores) each resample is scored from
    counts on the rows sorted once (:class:`_Resampled`; the same values as sorting it).
    """
    rng = np.random.default_rng(random_state)
    y, t, s = np.asarray(y), np.asarray(treatment), np.asarray(score, float)
    arms = [np.flatnonzero(t == k) for k in (0, 1)]
    binary = np.isin(y, (0, 1)).all() and np.isin(t, (0, 1)).all()
    fast = (_Resampled(metric, y, t, s) if metric in (qini_coefficient, auuc) and len(s)
            and binary and np.isfinite(s).all() else None)
    values = []
    for _ in range(n_boot):
        pick = np.concatenate([rng.choice(a, len(a), replace=True) for a in arms if len(a)])
        if fast is not None:
            values.append(fast(pick))
        else:
            values.append(metric(y[pick], t[pick], s[pick]))
    values = np.asarray(values, float)
    values = values[np.isfinite(values)]
    if not len(values):
        return (np.nan, np.nan)
    return (float(np.quantile(values, alpha / 2)), float(np.quantile(values, 1 - alpha / 2)))
