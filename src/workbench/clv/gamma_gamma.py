"""Gamma-Gamma model of the value of repeat transactions.

Fader, P. S. and Hardie, B. G. S. (2013), "The Gamma-Gamma model of monetary value"
(http://brucehardie.com/notes/025/), after Colombo, R. and Jiang, W. (1999), "A stochastic
RFM model", *Journal of Interactive Marketing* 13(3), 2-12.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import gammaln, polygamma, psi

from workbench.clv._base import (
    ModelBase,
    as_float_array,
    check_counts,
    distinct_index,
    dot,
    fit_log_params,
)

__all__ = ["GammaGamma"]


class _Prepared:
    def __init__(self, x: np.ndarray, m: np.ndarray, w: np.ndarray):
        self.ux, x_idx = distinct_index(x)
        self.n_x = np.bincount(x_idx, weights=w, minlength=len(self.ux))
        self.unit_weights = bool(np.all(w == 1.0))
        self.w = w
        self.wx = w * x
        self.mx = m * x
        log_m = np.log(m)
        self.total = float(w.sum())
        # Parts of the likelihood that do not depend on the parameters, or only linearly.
        self.s_x_log_m = dot(self.wx, log_m)
        self.s_log_m = log_m.sum() if self.unit_weights else dot(w, log_m)
        self.s_x_log_x = dot(self.wx, np.log(x))

    def sums(self, gamma: float, second: bool = False) -> tuple[float, ...]:
        """sum w log(g), sum w/g, sum wx log(g), sum wx/g [, sum w/g^2, sum wx/g^2] with
        g = gamma + m x: the only per-customer work of an evaluation."""
        g = gamma + self.mx
        log_g = np.log(g)
        inv_g = np.reciprocal(g)
        if self.unit_weights:
            out = [log_g.sum(), inv_g.sum()]
        else:
            out = [dot(self.w, log_g), dot(self.w, inv_g)]
        out += [dot(self.wx, log_g), dot(self.wx, inv_g)]
        if second:
            inv2 = np.square(inv_g, out=inv_g)
            out += [inv2.sum() if self.unit_weights else dot(self.w, inv2), dot(self.wx, inv2)]
        return tuple(out)


def _neg_ll(theta: np.ndarray, d: _Prepared) -> tuple[float, np.ndarray]:
    p, q, gamma = np.exp(theta)
    px = p * d.ux
    s_log, s_inv, s_x_log, s_x_inv = d.sums(gamma)
    ll = (dot(d.n_x, gammaln(px + q) - gammaln(px)) - d.total * gammaln(q)
          + d.total * q * np.log(gamma) + p * d.s_x_log_m - d.s_log_m + p * d.s_x_log_x
          - p * s_x_log - q * s_log)
    dig = psi(px + q)
    g_p = dot(d.n_x * d.ux, dig - psi(px)) + d.s_x_log_m + d.s_x_log_x - s_x_log
    g_q = dot(d.n_x, dig) - d.total * psi(q) + d.total * np.log(gamma) - s_log
    g_gamma = d.total * q / gamma - p * s_x_inv - q * s_inv
    return -float(ll), -np.array([g_p * p, g_q * q, g_gamma * gamma])


def _neg_hessian(theta: np.ndarray, d: _Prepared) -> np.ndarray:
    """Analytic Hessian of -LL in log-parameters (Gamma-Gamma is cheap to differentiate
    twice: only gamma enters the per-customer terms)."""
    p, q, gamma = np.exp(theta)
    px = p * d.ux
    s_log, s_inv, s_x_log, s_x_inv, s_inv2, s_x_inv2 = d.sums(gamma, second=True)
    dig, tri = psi(px + q), polygamma(1, px + q)
    g = np.array([dot(d.n_x * d.ux, dig - psi(px)) + d.s_x_log_m + d.s_x_log_x - s_x_log,
                  dot(d.n_x, dig) - d.total * psi(q) + d.total * np.log(gamma) - s_log,
                  d.total * q / gamma - p * s_x_inv - q * s_inv])
    h = np.empty((3, 3))
    h[0, 0] = dot(d.n_x * d.ux * d.ux, tri - polygamma(1, px))
    h[0, 1] = h[1, 0] = dot(d.n_x * d.ux, tri)
    h[0, 2] = h[2, 0] = -s_x_inv
    h[1, 1] = dot(d.n_x, tri) - d.total * polygamma(1, q)
    h[1, 2] = h[2, 1] = d.total / gamma - s_inv
    h[2, 2] = -d.total * q / gamma ** 2 + p * s_x_inv2 + q * s_inv2
    theta_nat = np.array([p, q, gamma])
    h_log = h * np.outer(theta_nat, theta_nat) + np.diag(theta_nat * g)
    return -h_log


class GammaGamma(ModelBase):
    """Gamma-Gamma spend model (Fader & Hardie 2013) for customers with repeat purchases.

    A customer's transaction values are ``Gamma(p, nu)`` around their mean ``p / nu``, with
    ``nu ~ Gamma(q, gamma)`` across customers. It is fitted on each repeat customer's number of
    repeat transactions ``x`` and the mean value ``mean_value`` of those transactions, and
    assumes spend is independent of the purchase process (``frequency_spend_correlation_``
    reports the check; Fader & Hardie report 0.11 on CDNOW).

    Parameters
    ----------
    tol, max_iter, confidence_level
        As for :class:`~workbench.clv.BetaGeo`.

    Attributes
    ----------
    params_ : dict
        ``p``, ``q``, ``gamma`` (``gamma`` in currency units).
    log_likelihood_ : float
        Total log-likelihood of the mean values (density of the mean, Fader & Hardie 2013).
    standard_errors_, confidence_intervals_, covariance_, converged_, n_iter_
        As for :class:`~workbench.clv.BetaGeo`.
    n_customers_ : float
        Customers used (x >= 1 and mean value > 0).
    n_no_repeat_ : float
        Customers left out because they have no repeat transaction (x = 0).
    n_nonpositive_ : float
        Repeat customers set aside because their mean value is zero or negative (free
        orders, refunds netted against purchases); they are counted, not an error.
    frequency_spend_correlation_ : float
        Pearson correlation between x and mean value over the customers used; near 0 supports
        the independence assumption behind combining this model with BG/NBD or Pareto/NBD.
    mean_spend_ : float
        Population mean transaction value p * gamma / (q - 1) (infinite when q <= 1).
    """

    _param_names = ("p", "q", "gamma")
    _model_name = "Gamma-Gamma"

    def fit(self, x: Any, mean_value: Any, weights: Any = None) -> GammaGamma:
        """Maximum-likelihood fit.

        Parameters
        ----------
        x : array-like
            Repeat transactions per customer. Rows with x = 0 are left out (counted in
            ``n_no_repeat_``); their ``mean_value`` may be missing.
        mean_value : array-like
            Mean value of the customer's repeat transactions, in currency units.
        weights : array-like, optional
            Number of customers per row.

        Returns
        -------
        self
        """
        x = as_float_array(x, "x")
        m = np.asarray(mean_value, dtype=float).reshape(-1)
        if len(m) != len(x):
            raise ValueError(f"x has {len(x)} values but mean_value has {len(m)}")
        w = np.ones(len(x)) if weights is None else as_float_array(weights, "weights")
        if len(w) != len(x) or (w < 0).any():
            raise ValueError("weights must be non-negative, one per customer")
        check_counts(x)
        repeat = (x > 0) & (w > 0)
        bad = repeat & ~np.isfinite(m)
        if bad.any():
            raise ValueError(f"mean_value is missing for {int(bad.sum())} customer(s) with "
                             f"repeat purchases, e.g. at {np.flatnonzero(bad)[:5].tolist()}")
        nonpositive = repeat & ~(m > 0)
        used = repeat & (m > 0)
        self.n_no_repeat_ = float(w[~(x > 0)].sum())
        self.n_nonpositive_ = float(w[nonpositive].sum())
        xu, mu, wu = x[used], m[used], w[used]
        if wu.sum() < 2 or not np.ptp(mu) > 0:
            raise ValueError(f"{self._model_name}: need at least 2 repeat customers with "
                             f"different positive mean values, got {wu.sum():g}")
        data = _Prepared(xu, mu, wu)
        mean_m = dot(wu, mu) / wu.sum()
        start = np.log([1.0, 2.0, mean_m])  # p = 1, q = 2: population mean = gamma = mean(m)
        fit = fit_log_params(lambda th: _neg_ll(th, data), start, self._param_names,
                             total_weight=data.total, tol=self.tol, max_iter=self.max_iter,
                             model=self._model_name, hessian=lambda th: _neg_hessian(th, data))
        self._set_fit(fit, data.total, len(xu))
        self.frequency_spend_correlation_ = _weighted_corr(xu, mu, wu)
        p, q, gamma = self._params()
        self.mean_spend_ = p * gamma / (q - 1.0) if q > 1 else float("inf")
        return self

    def log_likelihood(self, x: Any, mean_value: Any) -> np.ndarray:
        """Log-density of each repeat customer's mean value given x (x >= 1, value > 0)."""
        p, q, gamma = self._params()
        x = np.asarray(x, dtype=float)
        m = np.asarray(mean_value, dtype=float)
        return (gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(gamma)
                + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(gamma + m * x))

    def expected_spend(self, x: Any, mean_value: Any) -> np.ndarray:
        """E[transaction value | x, mean value]: a weighted mean of the population mean and
        the customer's own mean (Fader & Hardie 2013, eq. 5).

        Customers without repeat purchases (x = 0, or a missing mean value) get the population
        mean ``p gamma / (q - 1)``; negative mean values count as 0. Requires q > 1.
        """
        p, q, gamma = self._params()
        if q <= 1:
            raise ValueError(f"expected spend is infinite when q <= 1 (q = {q:.3g})")
        x, m = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(mean_value, dtype=float))
        m = np.where(np.isfinite(m) & (x > 0), np.maximum(m, 0.0), 0.0)
        x = np.where(np.isfinite(m), x, 0.0)
        weight = p * x / (p * x + q - 1.0)
        return (1.0 - weight) * (p * gamma / (q - 1.0)) + weight * m


def _weighted_corr(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> float:
    wa = w / w.sum()
    da, db = a - dot(wa, a), b - dot(wa, b)
    denom = np.sqrt(dot(wa, da * da) * dot(wa, db * db))
    return dot(wa, da * db) / denom if denom > 0 else 0.0
