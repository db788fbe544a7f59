"""BG/BB: the beta-geometric/beta-Bernoulli model for discrete transaction opportunities.

Fader, P. S., Hardie, B. G. S. and Shang, J. (2010), "Customer-base analysis in a
discrete-time noncontractual setting", *Marketing Science* 29(6), 1086-1108. Use it where
customers can only buy at fixed occasions: annual events, renewals, yearly donations.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import betaln, gammaln, psi

from workbench.clv._base import (
    ModelBase,
    as_float_array,
    check_counts,
    check_lengths,
    check_weights,
    collapse,
    dot,
    fit_log_params,
)

__all__ = ["BetaGeoBeta"]


class _Layout:
    """Each pattern's likelihood is a sum of at most n - t_x + 1 beta-function terms; they are
    laid out as a (patterns x terms) matrix, unused cells masked."""

    def __init__(self, x: np.ndarray, t_x: np.ndarray, n: np.ndarray):
        k = int(np.max(n - t_x)) if len(n) else 0
        i = np.arange(k)[None, :]
        rows = len(x)
        valid_sum = i < (n - t_x)[:, None]
        # Column 0: alive through n. Columns 1..k: dropped out right after period t_x + i.
        self.valid = np.concatenate([np.ones((rows, 1), bool), valid_sum], axis=1)
        y = np.concatenate([(n - x)[:, None], t_x[:, None] - x[:, None] + i], axis=1)
        e = np.concatenate([n[:, None], t_x[:, None] + i], axis=1)
        # Padding cells get harmless values; they are masked out.
        self.y = np.where(self.valid, y, 0.0)
        self.e = np.where(self.valid, e, 0.0)
        self.g = np.concatenate([np.zeros((rows, 1)), np.ones((rows, k))], axis=1)
        self.xm = np.broadcast_to(x[:, None], self.y.shape)

    def terms(self, alpha: float, beta: float, gamma: float, delta: float) -> np.ndarray:
        terms = (betaln(alpha + self.xm, beta + self.y) - betaln(alpha, beta)
                 + betaln(gamma + self.g, delta + self.e) - betaln(gamma, delta))
        return np.where(self.valid, terms, -np.inf)


def _neg_ll(theta: np.ndarray, d: _Layout, w: np.ndarray) -> tuple[float, np.ndarray]:
    alpha, beta, gamma, delta = np.exp(theta)
    terms = d.terms(alpha, beta, gamma, delta)
    top = terms.max(axis=1, keepdims=True)
    expo = np.exp(terms - top)
    total = expo.sum(axis=1, keepdims=True)
    ll_rows = top[:, 0] + np.log(total[:, 0])
    pi = expo / total
    psi_ab = psi(alpha + beta)
    psi_gd = psi(gamma + delta)
    s_ab = psi(alpha + beta + d.xm + d.y)
    s_gd = psi(gamma + delta + d.g + d.e)
    d_alpha = psi(alpha + d.xm) - s_ab - psi(alpha) + psi_ab
    d_beta = psi(beta + d.y) - s_ab - psi(beta) + psi_ab
    d_gamma = psi(gamma + d.g) - s_gd - psi(gamma) + psi_gd
    d_delta = psi(delta + d.e) - s_gd - psi(delta) + psi_gd
    grad = np.array([dot(w, (pi * v).sum(axis=1)) for v in (d_alpha, d_beta, d_gamma, d_delta)])
    grad *= np.array([alpha, beta, gamma, delta])
    return -dot(w, ll_rows), -grad


class BetaGeoBeta(ModelBase):
    """BG/BB model (Fader, Hardie & Shang 2010) for discrete purchase opportunities.

    At each opportunity an alive customer buys with probability ``p ~ Beta(alpha, beta)``;
    before each opportunity they may drop out for good with probability
    ``theta ~ Beta(gamma, delta)``. Time is counted in opportunities (periods): ``n`` is the
    number of opportunities after the first purchase, ``t_x`` the opportunity of the last
    purchase (0 without repeat purchases), ``x`` the number of repeat purchases.

    Parameters
    ----------
    tol, max_iter, confidence_level
        As for :class:`~workbench.clv.BetaGeo`.

    Attributes
    ----------
    params_ : dict
        ``alpha``, ``beta``, ``gamma``, ``delta``.
    log_likelihood_ : float
        Total log-likelihood (-33,225.6 on the donations data of the paper).
    standard_errors_, confidence_intervals_, covariance_, converged_, n_iter_,
    n_customers_, n_patterns_
        As for :class:`~workbench.clv.BetaGeo`.
    """

    _param_names = ("alpha", "beta", "gamma", "delta")
    _model_name = "BG/BB"

    def fit(self, x: Any, t_x: Any, n: Any, weights: Any = None) -> BetaGeoBeta:
        """Maximum-likelihood fit on (x, t_x, n) patterns, optionally with customer counts.

        Raises
        ------
        ValueError
            On invalid patterns (x > t_x, t_x > n, x = 0 with t_x > 0) or data that cannot
            identify the model (fewer than 2 customers, no repeat purchase, every n = 0).
        """
        x = as_float_array(x, "x")
        t_x = as_float_array(t_x, "t_x")
        n = as_float_array(n, "n")
        rows = check_lengths(x=x, t_x=t_x, n=n)
        w = check_weights(weights, rows)
        check_counts(x)
        check_counts(t_x, "t_x")
        check_counts(n, "n")
        bad = (x > t_x) | (t_x > n) | ((x == 0) & (t_x > 0)) | ((x > 0) & (t_x == 0))
        if bad.any():
            raise ValueError("need x <= t_x <= n, and t_x = 0 exactly when x = 0; violated at "
                             f"position(s) {np.flatnonzero(bad)[:5].tolist()}")
        if w.sum() < 2:
            raise ValueError(f"{self._model_name}: need at least 2 customers, got {w.sum():g}")
        if not dot(w, x > 0) > 0:
            raise ValueError(f"{self._model_name}: no customer has a repeat purchase")
        if not dot(w, n > 0) > 0:
            raise ValueError(f"{self._model_name}: every customer has n = 0 opportunities")
        (x, t_x, n), w = collapse([x, t_x, n], w)
        layout = _Layout(x, t_x, n)
        start = np.zeros(4)  # alpha = beta = gamma = delta = 1: uniform mixing distributions
        fit = fit_log_params(lambda th: _neg_ll(th, layout, w), start, self._param_names,
                             total_weight=float(w.sum()), tol=self.tol,
                             max_iter=self.max_iter, model=self._model_name)
        self._set_fit(fit, float(w.sum()), len(x))
        return self

    def log_likelihood(self, x: Any, t_x: Any, n: Any) -> np.ndarray:
        """Log-likelihood of each (x, t_x, n) pattern (FHS 2010, eq. 5)."""
        alpha, beta, gamma, delta = self._params()
        x, t_x, n = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, t_x, n)))
        terms = _Layout(*(v.reshape(-1) for v in (x, t_x, n))).terms(alpha, beta, gamma, delta)
        return np.logaddexp.reduce(terms, axis=1).reshape(x.shape)

    def expected_purchases(self, n: Any) -> np.ndarray:
        """E[X(n)]: expected repeat purchases in the first ``n`` opportunities (eq. 7)."""
        alpha, beta, gamma, delta = self._params()
        n = np.asarray(n, dtype=float)
        return alpha / (alpha + beta) * delta * _gamma_ratio_difference(gamma, delta, 0.0, n) \
            * np.exp(gammaln(gamma + delta) - gammaln(1.0 + delta))

    def predict_purchases(self, n_star: Any, x: Any, t_x: Any, n: Any) -> np.ndarray:
        """E[X(n, n + n_star) | x, t_x, n]: expected purchases in the next ``n_star``
        opportunities (FHS 2010, eq. 13)."""
        alpha, beta, gamma, delta = self._params()
        n_star, x, t_x, n = np.broadcast_arrays(
            *(np.asarray(v, dtype=float) for v in (n_star, x, t_x, n)))
        log_l = self.log_likelihood(x, t_x, n)
        log_p = (betaln(alpha + x + 1.0, beta + n - x) - betaln(alpha, beta) - log_l
                 + gammaln(gamma + delta) - gammaln(1.0 + delta))
        return np.exp(log_p) * delta * _gamma_ratio_difference(gamma, delta, n, n + n_star)

    def prob_alive(self, x: Any, t_x: Any, n: Any, n_ahead: Any = 1) -> np.ndarray:
        """P(alive at opportunity n + n_ahead | x, t_x, n) (FHS 2010, eq. 11).

        With the default ``n_ahead = 1`` this is the paper's probability of being alive in
        the next period (for donors observed through 2001: alive in 2002); ``n_ahead = 0``
        gives P(alive at n), as ``lifetimes`` computes by default.
        """
        alpha, beta, gamma, delta = self._params()
        x, t_x, n, n_ahead = np.broadcast_arrays(
            *(np.asarray(v, dtype=float) for v in (x, t_x, n, n_ahead)))
        log_num = (betaln(alpha + x, beta + n - x) - betaln(alpha, beta)
                   + betaln(gamma, delta + n + n_ahead) - betaln(gamma, delta))
        return np.exp(log_num - self.log_likelihood(x, t_x, n))

    def prob_n_purchases(self, k: Any, n: Any) -> np.ndarray:
        """P(X(n) = k): probability of ``k`` repeat purchases in ``n`` opportunities (eq. 8)."""
        alpha, beta, gamma, delta = self._params()
        k_arr, n_arr = np.broadcast_arrays(np.asarray(k, dtype=float), np.asarray(n, dtype=float))
        out = np.empty(k_arr.shape)
        ab, gd = betaln(alpha, beta), betaln(gamma, delta)
        for idx in np.ndindex(k_arr.shape):
            kk, nn = k_arr[idx], n_arr[idx]
            if kk > nn or kk < 0:
                out[idx] = 0.0
                continue
            first = (_log_comb(nn, kk) + betaln(alpha + kk, beta + nn - kk) - ab
                     + betaln(gamma, delta + nn) - gd)
            i = np.arange(kk, nn)
            rest = (_log_comb(i, kk) + betaln(alpha + kk, beta + i - kk) - ab
                    + betaln(gamma + 1.0, delta + i) - gd)
            out[idx] = np.exp(np.logaddexp.reduce(np.concatenate([[first], rest])))
        return out


def _log_comb(n: Any, k: Any) -> np.ndarray:
    return gammaln(np.asarray(n) + 1.0) - gammaln(np.asarray(k) + 1.0) - gammaln(
        np.asarray(n) - np.asarray(k) + 1.0)


def _gamma_ratio_difference(gamma: float, delta: float, n0: Any, n1: Any) -> np.ndarray:
    """[G(n0) - G(n1)] / (gamma - 1), G(k) = Gamma(1+delta+k) / Gamma(gamma+delta+k).

    At gamma = 1 (G = 1 everywhere) the limit psi(1+delta+n1) - psi(1+delta+n0) is used.
    """
    n0, n1 = np.broadcast_arrays(np.asarray(n0, dtype=float), np.asarray(n1, dtype=float))
    if abs(gamma - 1.0) < 1e-9:
        return psi(1.0 + delta + n1) - psi(1.0 + delta + n0)
    lg0 = gammaln(1.0 + delta + n0) - gammaln(gamma + delta + n0)
    lg1 = gammaln(1.0 + delta + n1) - gammaln(gamma + delta + n1)
    return np.exp(lg0) * -np.expm1(lg1 - lg0) / (gamma - 1.0)
