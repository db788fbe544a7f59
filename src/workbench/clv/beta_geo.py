"""BG/NBD: the beta-geometric/negative-binomial model of repeat buying.

Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005), "'Counting your customers' the easy way:
an alternative to the Pareto/NBD model", *Marketing Science* 24(2), 275-284; the likelihood as
in section 7 there and in Fader, Hardie & Lee, "Implementing the BG/NBD model for customer base
analysis in Excel" (2005); P(alive) from Fader, Hardie & Lee, "Computing P(alive) using the
BG/NBD model" (2008).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import betaln, gammaln, hyp2f1, psi

from workbench.clv._base import (
    ModelBase,
    as_float_array,
    check_lengths,
    check_rft,
    check_weights,
    collapse,
    distinct_index,
    dot,
    fit_log_params,
)

__all__ = ["BetaGeo"]


class _Prepared:
    """(x, t_x, T) collapsed to distinct patterns and split for a fast likelihood.

    Customers without repeat purchases contribute terms that depend on T only; they are summed
    per distinct T. Repeat customers keep one row per distinct (x, t_x, T); their log terms are
    looked up in tables over the distinct T, t_x and x values.
    """

    def __init__(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, w: np.ndarray):
        (x, t_x, T), w = collapse([x, t_x, T], w)
        self.n_patterns = len(x)
        self.total_weight = float(w.sum())
        self.ux, x_idx = distinct_index(x)
        self.n_x = np.bincount(x_idx, weights=w, minlength=len(self.ux))
        self.uT, T_idx = distinct_index(T)
        self.W_T = np.bincount(T_idx, weights=w, minlength=len(self.uT))
        self.XW_T = np.bincount(T_idx, weights=w * x, minlength=len(self.uT))
        pos = x > 0
        self.w = w[pos]
        self.x = x[pos]
        self.x_idx = x_idx[pos]
        self.T_idx = T_idx[pos]
        self.ut, self.t_idx = distinct_index(t_x[pos])
        self.ux_pos = np.maximum(self.ux, 1.0)  # b + x - 1 only used where x > 0
        self.repeat_weight = float(self.w.sum())


def _neg_ll(theta: np.ndarray, d: _Prepared) -> tuple[float, np.ndarray]:
    """Negative total log-likelihood and its gradient in log-parameter space."""
    r, alpha, a, b = np.exp(theta)
    ux, n_x = d.ux, d.n_x
    # Terms per distinct x (gammaln/digamma only here).
    A1 = gammaln(r + ux) - gammaln(r) + r * np.log(alpha)
    A2 = betaln(a, b + ux) - betaln(a, b)
    c = np.log(a) - np.log(b + d.ux_pos - 1.0)
    LT = np.log(alpha + d.uT)
    ll = dot(n_x, A1 + A2) - dot(r * d.W_T + d.XW_T, LT)
    Lt = np.log(alpha + d.ut)
    diff = LT[d.T_idx] - Lt[d.t_idx]  # log((alpha+T)/(alpha+t_x)) >= 0
    rx = r + d.x
    D = c[d.x_idx] + rx * diff  # A4 - A3 of the paper's notation
    e = np.exp(-np.abs(D))
    ll += dot(d.w, np.maximum(D, 0.0) + np.log1p(e))
    p = np.where(D >= 0, 1.0 / (1.0 + e), e / (1.0 + e))  # weight of the "dropped out" branch
    wp = d.w * p
    wpx = wp * rx
    iT = 1.0 / (alpha + d.uT)
    it = 1.0 / (alpha + d.ut)
    sum_nx = n_x.sum()
    g_r = dot(n_x, psi(r + ux) - psi(r)) + sum_nx * np.log(alpha) - dot(d.W_T, LT) + dot(wp, diff)
    g_alpha = (sum_nx * r / alpha - dot(r * d.W_T + d.XW_T, iT)
               + dot(np.bincount(d.T_idx, weights=wpx, minlength=len(d.uT)), iT)
               - dot(np.bincount(d.t_idx, weights=wpx, minlength=len(d.ut)), it))
    psi_ab = psi(a + b)
    psi_abx = psi(a + b + ux)
    g_a = dot(n_x, psi_ab - psi_abx) + wp.sum() / a
    wp_x = np.bincount(d.x_idx, weights=wp, minlength=len(ux))
    g_b = (dot(n_x, psi_ab + psi(b + ux) - psi(b) - psi_abx)
           - dot(wp_x, 1.0 / (b + d.ux_pos - 1.0)))
    grad = np.array([g_r * r, g_alpha * alpha, g_a * a, g_b * b])
    return -float(ll), -grad


class BetaGeo(ModelBase):
    """BG/NBD model of repeat purchases (Fader, Hardie & Lee 2005).

    While alive, a customer buys as a Poisson process with rate ``lambda ~ Gamma(r, alpha)``;
    after each repeat purchase they drop out with probability ``p ~ Beta(a, b)``.

    Time is in whatever unit the caller uses for ``t_x`` and ``T`` (the papers and
    :func:`workbench.summary.customer_summary` default: weeks); ``alpha`` is in that unit and
    the prediction horizons ``t`` must be too.

    Parameters
    ----------
    tol : float
        Relative change of the mean log-likelihood below which the optimiser stops.
    max_iter : int
        Maximum number of optimiser iterations.
    confidence_level : float
        Level of ``confidence_intervals_``.

    Attributes
    ----------
    params_ : dict
        ``r``, ``alpha``, ``a``, ``b``.
    log_likelihood_ : float
        Total log-likelihood at the estimates (as the paper reports it: -9582.4 on CDNOW).
    standard_errors_ : dict
        From the inverse Hessian of the log-likelihood in log-parameter space and the delta
        method, SE(theta) = theta * SE(log theta).
    confidence_intervals_ : DataFrame
        Wald intervals (``lower``, ``upper``) on the log scale mapped back.
    covariance_ : DataFrame
        Covariance matrix of the natural-scale parameters (delta method).
    converged_, n_iter_, n_customers_, n_patterns_
        Optimiser status, iterations, total weight and number of distinct (x, t_x, T).

    Examples
    --------
    >>> model = BetaGeo().fit(summary["x"], summary["t_x"], summary["T"])  # doctest: +SKIP
    >>> model.predict_purchases(39, summary["x"], summary["t_x"], summary["T"])  # doctest: +SKIP
    """

    _param_names = ("r", "alpha", "a", "b")
    _model_name = "BG/NBD"

    def fit(self, x: Any, t_x: Any, T: Any, weights: Any = None) -> BetaGeo:
        """Maximum-likelihood fit.

        Parameters
        ----------
        x : array-like
            Number of repeat transactions in the calibration period (whole numbers).
        t_x : array-like
            Time of the last purchase, counted from the first purchase (0 when x = 0).
        T : array-like
            Time from the first purchase to the end of the calibration period.
        weights : array-like, optional
            Number of customers with each (x, t_x, T); identical rows are collapsed anyway.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            On invalid input, or when the data cannot identify the model (fewer than two
            customers, no repeat purchases at all, every T = 0).
        """
        x, t_x, T, w = _checked_history(x, t_x, T, weights, self._model_name)
        data = _Prepared(x, t_x, T, w)
        # Deterministic start: r = 1 and alpha from the mean repeat rate, a = 1, b = 3.
        rate = dot(w, x) / max(dot(w, T), 1e-12)
        start = np.log([1.0, 1.0 / max(rate, 1e-8), 1.0, 3.0])
        fit = fit_log_params(lambda th: _neg_ll(th, data), start, self._param_names,
                             total_weight=data.total_weight, tol=self.tol,
                             max_iter=self.max_iter, model=self._model_name)
        self._set_fit(fit, data.total_weight, data.n_patterns)
        return self

    # ------------------------------------------------------------------ likelihood
    def log_likelihood(self, x: Any, t_x: Any, T: Any) -> np.ndarray:
        """Log-likelihood of each customer's (x, t_x, T) under the current parameters."""
        r, alpha, a, b = self._params()
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        A2 = betaln(a, b + x) - betaln(a, b)
        A3 = -(r + x) * np.log(alpha + T)
        A4 = np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * np.log(alpha + t_x)
        return A1 + A2 + np.where(x > 0, np.logaddexp(A3, A4), A3)

    # ------------------------------------------------------------------ predictions
    def expected_purchases(self, t: Any) -> np.ndarray:
        """E[X(t)]: expected repeat purchases in (0, t] of a new customer (FHL 2005, eq. 9).

        ``t`` in the model's time unit (weeks for CDNOW: E[X(78)] = 1.8576... there).
        """
        r, alpha, a, b = self._params()
        t = np.asarray(t, dtype=float)
        z = t / (alpha + t)
        log_f = _log_hyp2f1(r, b, a + b - 1.0, z)
        return (a + b - 1.0) / (a - 1.0) * -np.expm1(log_f + r * np.log(alpha / (alpha + t)))

    def predict_purchases(self, t: Any, x: Any, t_x: Any, T: Any) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units (eq. 10)."""
        t, x, t_x, T = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (t, x, t_x, T)))
        return self.purchases_if_alive(t, x, T) * self.prob_alive(x, t_x, T)

    def purchases_if_alive(self, t: Any, x: Any, T: Any) -> np.ndarray:
        """The factor of eq. 10 before P(alive): it depends on ``t``, ``x`` and ``T`` only, so
        customers who differ only in ``t_x`` share it (the expensive part, a 2F1 per value)."""
        r, alpha, a, b = self._params()
        t, x, T = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (t, x, T)))
        z = t / (alpha + T + t)
        log_f = _log_hyp2f1(r + x, b + x, a + b + x - 1.0, z)
        return (a + b + x - 1.0) / (a - 1.0) * -np.expm1(
            log_f + (r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))

    def prob_alive(self, x: Any, t_x: Any, T: Any) -> np.ndarray:
        """P(alive | x, t_x, T) at the end of the calibration period (FHL 2008, eq. 1)."""
        r, alpha, a, b = self._params()
        x, t_x, T = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, t_x, T)))
        log_ratio = (np.log(a) - np.log(b + np.maximum(x, 1.0) - 1.0)
                     + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x)))
        return np.where(x > 0, np.exp(-np.logaddexp(0.0, log_ratio)), 1.0)

    def prob_n_purchases(self, n: Any, t: Any) -> np.ndarray:
        """P(X(t) = n): probability of ``n`` repeat purchases in (0, t] (FHL 2005, eq. 8)."""
        r, alpha, a, b = self._params()
        n, t = np.broadcast_arrays(np.asarray(n, dtype=float), np.asarray(t, dtype=float))
        log_q = np.log(alpha) - np.log(alpha + t)          # log(alpha / (alpha + t))
        with np.errstate(divide="ignore"):
            log_z = np.log(t) - np.log(alpha + t)          # log(t / (alpha + t)); -inf at t = 0
        first = np.exp(betaln(a, b + n) - betaln(a, b) + gammaln(r + n) - gammaln(r)
                       - gammaln(n + 1) + r * log_q + _xlogy_safe(n, log_z))
        n_max = int(np.max(n)) if n.size else 0
        # Partial sums of the NBD pmf, sum_{j<n} Gamma(r+j)/(Gamma(r) j!) z^j, for each n.
        j = np.arange(max(n_max, 1))
        terms = np.exp(gammaln(r + j) - gammaln(r) - gammaln(j + 1)
                       + _xlogy_safe(j, log_z[..., None]) + r * log_q[..., None])
        cum = np.concatenate([np.zeros(terms.shape[:-1] + (1,)), np.cumsum(terms, axis=-1)],
                             axis=-1)
        head = np.take_along_axis(cum, n.astype(np.int64)[..., None], axis=-1)[..., 0]
        second = np.where(n > 0, np.exp(betaln(a + 1, b + np.maximum(n, 1) - 1) - betaln(a, b))
                          * (1.0 - head), 0.0)
        return first + second


def _xlogy_safe(k: np.ndarray, log_z: np.ndarray) -> np.ndarray:
    """k * log_z with 0 * -inf = 0 (t = 0)."""
    k, log_z = np.broadcast_arrays(k, log_z)
    return np.where(k == 0, 0.0, k * np.where(np.isfinite(log_z), log_z, -1e300))


def _log_hyp2f1(a: Any, b: Any, c: Any, z: Any) -> np.ndarray:
    """log 2F1(a, b; c; z) for positive a, b, c and 0 <= z < 1.

    Direct where finite, else through Euler's transformation
    2F1(a, b; c; z) = (1 - z)^(c - a - b) 2F1(c - a, c - b; c; z), which stays finite for
    large a, b (lifetimes does the same).
    """
    a, b, c, z = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (a, b, c, z)))
    value = hyp2f1(a, b, c, z)
    ok = np.isfinite(value) & (value > 0)
    out = np.empty(value.shape)
    out[ok] = np.log(value[ok])
    if not ok.all():
        bad = ~ok
        alt = hyp2f1(c[bad] - a[bad], c[bad] - b[bad], c[bad], z[bad])
        out[bad] = (c[bad] - a[bad] - b[bad]) * np.log1p(-z[bad]) + np.log(alt)
    return out


def _checked_history(x: Any, t_x: Any, T: Any, weights: Any, model: str
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``x``, ``t_x``, ``T`` and the weights as checked float arrays, for a model's ``fit``."""
    x = as_float_array(x, "x")
    t_x = as_float_array(t_x, "t_x")
    T = as_float_array(T, "T")
    w = check_weights(weights, check_lengths(x=x, t_x=t_x, T=T))
    check_rft(x, t_x, T)
    _check_identifiable(x, T, w, model)
    return x, t_x, T, w


def _check_identifiable(x: np.ndarray, T: np.ndarray, w: np.ndarray, model: str) -> None:
    """Refuse data that cannot identify a repeat-buying model (clear errors, never NaN)."""
    customers = float(w.sum())
    if customers < 2:
        raise ValueError(f"{model}: need at least 2 customers to fit, got {customers:g}")
    if not dot(w, T > 0) > 0:
        raise ValueError(f"{model}: every customer has T = 0 (no time observed after the first "
                         "purchase); move the calibration end later")
    if not dot(w, x > 0) > 0:
        raise ValueError(f"{model}: no customer has a repeat purchase (every x = 0), so the "
                         "purchase rate cannot be estimated; use a longer calibration period")
