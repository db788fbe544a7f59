"""Pareto/NBD: Poisson purchasing with exponential lifetimes, gamma heterogeneity in both.

Schmittlein, D. C., Morrison, D. G. and Colombo, R. (1987), "Counting your customers: who are
they and what will they do next?", *Management Science* 33(1), 1-24. The likelihood is
evaluated as in Fader, Hardie & Lee (2005), "A note on implementing the Pareto/NBD model in
MATLAB", with the Gauss hypergeometric function's argument kept in [0, 1) by switching on
whether alpha >= beta; predictions follow Fader & Hardie (2005), "A note on deriving the
Pareto/NBD model and related expressions" (eqs. 18-41) and Fader & Hardie (2006), "Deriving an
expression for P(X(t) = x) under the Pareto/NBD model".

How it is computed
------------------
With m = r + x, write ``H(t) = integral_t^inf (alpha+u)^-m (beta+u)^-(s+1) du``. Then

    L(r, alpha, s, beta | x, t_x, T) = Gamma(r+x) alpha^r beta^s / Gamma(r)
        * [ (alpha+T)^-(r+x) (beta+T)^-s + s (H(t_x) - H(T)) ],

and H is the MATLAB note's term, ``H(t) = 2F1(r+s+x, b; r+s+x+1; z) / ((r+s+x) (max+t)^(r+s+x))``
with z = |alpha - beta| / (max(alpha, beta) + t) in [0, 1) and b = s + 1 (alpha >= beta) or
r + x (alpha < beta). Reported log-likelihoods and all predictions use that expression with
:func:`scipy.special.hyp2f1`. The optimiser uses the same H through Euler's transformation,
2F1(a, b; a+1; z) = (1-z)^(1-b) 2F1(1, a+1-b; a+1; z), whose series has positive terms
decreasing at least as fast as z^k; summing it gives H *and* its exact derivatives in all four
parameters in one vectorised pass, evaluated once per distinct (x, t_x) and (x, T). Where z is
above 0.8 (alpha and beta far apart, which degenerate fits run into) the series would be long,
and scipy's hyp2f1 evaluates that 2F1 with derivatives by a contiguous relation (z) and central
differences (r, s).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import betaln, gammaln, hyp2f1, psi

from workbench.clv._base import (
    ModelBase,
    collapse,
    distinct_index,
    dot,
    fit_log_params,
    group_rows,
)
from workbench.clv.beta_geo import _checked_history

__all__ = ["ParetoNBD"]

_SERIES_TOL = 1e-16
_SERIES_MAX_TERMS = 2_000
#: Above this z the series needs more than ~170 terms; scipy's hyp2f1 takes over (its value
#: stays accurate to ~1e-14 up to z = 1 - 1e-5, where the series would need 10^5 terms).
_SERIES_MAX_Z = 0.8


def _series(P: np.ndarray, Q: np.ndarray, z: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """S = 2F1(1, P; P+Q; z) = sum_k (P)_k / (P+Q)_k z^k with d log S / dP, dQ, dz.

    For z <= 0.8 the series is summed with its exact derivatives: the ratio of consecutive
    terms is (P+k-1)/(P+Q+k-1) z < z, so the terms fall monotonically and the tail after term
    k is below term_k * z / (1 - z); rows leave the loop as they converge. Rows with larger z
    use :func:`_hyp2f1_with_derivatives`.
    """
    high = z > _SERIES_MAX_Z
    if high.any():
        out = [np.empty(len(z)) for _ in range(4)]
        for o, v in zip(out, _series_loop(P[~high], Q[~high], z[~high])):
            o[~high] = v
        for o, v in zip(out, _hyp2f1_with_derivatives(P[high], Q[high], z[high])):
            o[high] = v
        return tuple(out)
    return _series_loop(P, Q, z)


def _hyp2f1_with_derivatives(P: np.ndarray, Q: np.ndarray, z: np.ndarray
                             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """S = 2F1(1, P; P+Q; z) by scipy, d log S/dz from the contiguous function
    dS/dz = P/(P+Q) 2F1(2, P+1; P+Q+1; z), d log S/dP and dQ by central differences."""
    S = hyp2f1(1.0, P, P + Q, z)
    dz = P / (P + Q) * hyp2f1(2.0, P + 1.0, P + Q + 1.0, z) / S
    hp = 1e-6 * np.maximum(P, 1.0)
    hq = 1e-6 * np.maximum(Q, 1.0)
    dP = (np.log(hyp2f1(1.0, P + hp, P + hp + Q, z))
          - np.log(hyp2f1(1.0, P - hp, P - hp + Q, z))) / (2 * hp)
    dQ = (np.log(hyp2f1(1.0, P, P + Q + hq, z)) - np.log(hyp2f1(1.0, P, P + Q - hq, z))) / (2 * hq)
    return S, dP, dQ, dz


def _series_loop(P: np.ndarray, Q: np.ndarray, z: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = len(z)
    if n == 0:
        return np.ones(0), np.zeros(0), np.zeros(0), np.zeros(0)
    S = np.ones(n)
    SP = np.zeros(n)
    SQ = np.zeros(n)
    Sz = np.zeros(n)
    active = np.arange(n)
    P_a, Q_a, z_a = P.copy(), Q.copy(), z.copy()
    g = np.ones(n)            # (P)_k / (P+Q)_k z^(k-1), for the current k
    hP = np.zeros(n)          # sum_{j<k} 1/(P+j) - 1/(P+Q+j): d log coef_k / dP
    hQ = np.zeros(n)          # -sum_{j<k} 1/(P+Q+j):          d log coef_k / dQ
    s_a, sP_a, sQ_a, sz_a = S.copy(), SP.copy(), SQ.copy(), Sz.copy()
    margin = 1.0 / np.maximum(1.0 - z_a, 1e-300) ** 2
    for k in range(1, _SERIES_MAX_TERMS + 1):
        j = k - 1.0
        ip, ipq = 1.0 / (P_a + j), 1.0 / (P_a + Q_a + j)
        g = g * ((P_a + j) * ipq) * (z_a if k > 1 else 1.0)
        hP = hP + ip - ipq
        hQ = hQ - ipq
        term = g * z_a
        s_a += term
        sP_a += term * hP
        sQ_a += term * hQ
        sz_a += k * g
        if k % 8 == 0 or k < 4:
            done = term * (k + 1.0) * margin * (1.0 + np.abs(hP) + np.abs(hQ)) <= _SERIES_TOL * s_a
            if done.any():
                idx = active[done]
                S[idx], SP[idx], SQ[idx], Sz[idx] = s_a[done], sP_a[done], sQ_a[done], sz_a[done]
                keep = ~done
                active = active[keep]
                if len(active) == 0:
                    break
                P_a, Q_a, z_a, g, hP, hQ, margin = (v[keep] for v in
                                                    (P_a, Q_a, z_a, g, hP, hQ, margin))
                s_a, sP_a, sQ_a, sz_a = s_a[keep], sP_a[keep], sQ_a[keep], sz_a[keep]
    if len(active):  # pragma: no cover - cannot happen for z <= 0.8
        S[active], SP[active], SQ[active], Sz[active] = s_a, sP_a, sQ_a, sz_a
    return S, SP / S, SQ / S, Sz / S


def _log_h_series(r: float, alpha: float, s: float, beta: float, x: np.ndarray,
                  t: np.ndarray, *, grad: bool = True
                  ) -> tuple[np.ndarray, np.ndarray | None]:
    """log H(t) for counts x, and its gradient w.r.t. (r, alpha, s, beta) (shape 4 x n)."""
    m = r + x
    if alpha >= beta:
        A, B, P, Q = alpha, beta, m, np.full_like(m, s + 1.0)
    else:
        A, B, P, Q = beta, alpha, np.full_like(m, s + 1.0), m
    LA, LB = np.log(A + t), np.log(B + t)
    z = (A - B) / (A + t)
    S, dP, dQ, dz = _series(P, Q, z)
    log_h = -P * LA - (Q - 1.0) * LB - np.log(P + Q - 1.0) + np.log(S)
    if not grad:
        return log_h, None
    inv_pq = 1.0 / (P + Q - 1.0)
    gP = -LA - inv_pq + dP
    gQ = -LB - inv_pq + dQ
    gA = -P / (A + t) + dz * (B + t) / (A + t) ** 2
    gB = -(Q - 1.0) / (B + t) - dz / (A + t)
    if alpha >= beta:  # (P, Q, A, B) = (r + x, s + 1, alpha, beta)
        g = np.stack([gP, gA, gQ, gB])
    else:              # (P, Q, A, B) = (s + 1, r + x, beta, alpha)
        g = np.stack([gQ, gB, gP, gA])
    return log_h, g


def _log_h_hyp2f1(r: float, alpha: float, s: float, beta: float, x: np.ndarray,
                  t: np.ndarray) -> np.ndarray:
    """log H(t) as in the MATLAB note, with scipy's hyp2f1 (series where it overflows)."""
    x, t = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(t, dtype=float))
    rsx = r + s + x
    if alpha >= beta:
        big, b_arg = alpha, np.full(x.shape, s + 1.0)
    else:
        big, b_arg = beta, r + x
    z = abs(alpha - beta) / (big + t)
    f = hyp2f1(rsx, b_arg, rsx + 1.0, z)
    ok = np.isfinite(f) & (f > 0)
    out = np.empty(x.shape)
    out[ok] = np.log(f[ok]) - rsx[ok] * np.log(big + t[ok]) - np.log(rsx[ok])
    if not ok.all():
        out[~ok] = _log_h_series(r, alpha, s, beta, x[~ok], t[~ok], grad=False)[0]
    return out


def _log_bracket(r: float, alpha: float, s: float, beta: float, x: np.ndarray,
                 t_x: np.ndarray, T: np.ndarray, log_h1: np.ndarray, log_h2: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(A, log C, log B): B = exp(A) + C, A = alive-at-T term, C = s (H(t_x) - H(T))."""
    A = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    d12 = -np.expm1(np.minimum(log_h2 - log_h1, 0.0))
    log_d = np.full(d12.shape, -np.inf)
    np.log(d12, out=log_d, where=d12 > 0)
    log_c = np.log(s) + log_h1 + log_d
    return A, log_c, np.logaddexp(A, log_c)


class _Prepared:
    def __init__(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, w: np.ndarray):
        (x, t_x, T), w = collapse([x, t_x, T], w)
        self.x, self.t_x, self.T, self.w = x, t_x, T, w
        self.n_patterns = len(x)
        self.total_weight = float(w.sum())
        self.ux, self.x_idx = distinct_index(x)
        self.n_x = np.bincount(self.x_idx, weights=w, minlength=len(self.ux))
        # Distinct (x, t) points where H is needed: (x, t_x) and (x, T) of every pattern.
        px = np.concatenate([x, x])
        pt = np.concatenate([t_x, T])
        inverse, first = group_rows([px, pt])
        self.px, self.pt = px[first], pt[first]
        n = len(x)
        self.i1, self.i2 = inverse[:n], inverse[n:]


def _neg_ll(theta: np.ndarray, d: _Prepared) -> tuple[float, np.ndarray]:
    r, alpha, s, beta = np.exp(theta)
    log_h, g_h = _log_h_series(r, alpha, s, beta, d.px, d.pt)
    h1, h2 = log_h[d.i1], log_h[d.i2]
    A, _, log_b = _log_bracket(r, alpha, s, beta, d.x, d.t_x, d.T, h1, h2)
    ux, n_x, w = d.ux, d.n_x, d.w
    total = n_x.sum()
    ll = (dot(n_x, gammaln(r + ux) - gammaln(r)) + total * (r * np.log(alpha) + s * np.log(beta))
          + dot(w, log_b))
    p_alive = np.exp(A - log_b)
    q1 = s * np.exp(h1 - log_b)
    q2 = s * np.exp(h2 - log_b)
    wa, w1, w2 = w * p_alive, w * q1, w * q2
    # gradient of sum w * log B: p_alive * dA + (1 - p_alive) * dlog(s) + q1 dlogH1 - q2 dlogH2
    g1 = np.bincount(d.i1, weights=w1, minlength=len(log_h))
    g2 = np.bincount(d.i2, weights=w2, minlength=len(log_h))
    gh = np.add.reduce(g_h * (g1 - g2), axis=1)
    LT_a, LT_b = np.log(alpha + d.T), np.log(beta + d.T)
    g_r = dot(n_x, psi(r + ux) - psi(r)) + total * np.log(alpha) - dot(wa, LT_a) + gh[0]
    g_alpha = total * r / alpha - dot(wa, (r + d.x) / (alpha + d.T)) + gh[1]
    g_s = total * np.log(beta) - dot(wa, LT_b) + (w.sum() - wa.sum()) / s + gh[2]
    g_beta = total * s / beta - s * dot(wa, 1.0 / (beta + d.T)) + gh[3]
    grad = np.array([g_r * r, g_alpha * alpha, g_s * s, g_beta * beta])
    return -float(ll), -grad


class ParetoNBD(ModelBase):
    """Pareto/NBD model of repeat purchases (Schmittlein, Morrison & Colombo 1987).

    While alive, a customer buys as a Poisson process with rate ``lambda ~ Gamma(r, alpha)``;
    their lifetime is exponential with rate ``mu ~ Gamma(s, beta)``.

    Time is in whatever unit the caller uses for ``t_x`` and ``T`` (weeks in the papers);
    ``alpha`` and ``beta`` are in that unit and so must be the horizons ``t``.

    Parameters
    ----------
    tol, max_iter, confidence_level
        As for :class:`~workbench.clv.BetaGeo`.

    Attributes
    ----------
    params_ : dict
        ``r``, ``alpha``, ``s``, ``beta``.
    log_likelihood_ : float
        Total log-likelihood (-9594.98 on CDNOW, Fader, Hardie & Lee's MATLAB note),
        evaluated with :func:`scipy.special.hyp2f1` as in that note.
    standard_errors_, confidence_intervals_, covariance_, converged_, n_iter_,
    n_customers_, n_patterns_
        As for :class:`~workbench.clv.BetaGeo` (delta method from the log-parameter Hessian).
    """

    _param_names = ("r", "alpha", "s", "beta")
    _model_name = "Pareto/NBD"

    def fit(self, x: Any, t_x: Any, T: Any, weights: Any = None) -> ParetoNBD:
        """Maximum-likelihood fit; arguments and errors as for :meth:`BetaGeo.fit`."""
        x, t_x, T, w = _checked_history(x, t_x, T, weights, self._model_name)
        data = _Prepared(x, t_x, T, w)
        rate = dot(w, x) / max(dot(w, T), 1e-12)
        scale = 1.0 / max(rate, 1e-8)
        # Deterministic start: r = s = 1, alpha from the mean repeat rate, beta = alpha
        # (then z = 0 and the series is exact from its first term).
        start = np.log([1.0, scale, 1.0, scale])
        fit = fit_log_params(lambda th: _neg_ll(th, data), start, self._param_names,
                             total_weight=data.total_weight, tol=self.tol,
                             max_iter=self.max_iter, model=self._model_name)
        self._set_fit(fit, data.total_weight, data.n_patterns)
        # Report the likelihood as the MATLAB note computes it (hyp2f1); same value to ~1e-12.
        self.log_likelihood_ = dot(data.w, self.log_likelihood(data.x, data.t_x, data.T))
        return self

    # ------------------------------------------------------------------ likelihood
    def _log_terms(self, x: Any, t_x: Any, T: Any):
        r, alpha, s, beta = self._params()
        x, t_x, T = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, t_x, T)))
        h1 = _log_h_hyp2f1(r, alpha, s, beta, x, t_x)
        h2 = _log_h_hyp2f1(r, alpha, s, beta, x, T)
        A, _, log_b = _log_bracket(r, alpha, s, beta, x, t_x, T, h1, h2)
        return x, t_x, T, A, log_b

    def log_likelihood(self, x: Any, t_x: Any, T: Any) -> np.ndarray:
        """Log-likelihood of each customer's (x, t_x, T) (MATLAB note, with hyp2f1)."""
        r, alpha, s, beta = self._params()
        x, _, _, _, log_b = self._log_terms(x, t_x, T)
        return gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) + log_b

    # ------------------------------------------------------------------ predictions
    def expected_purchases(self, t: Any) -> np.ndarray:
        """E[X(t)] = r beta / (alpha (s - 1)) [1 - (beta / (beta + t))^(s-1)] (FH 2005, eq. 27)."""
        r, alpha, s, beta = self._params()
        t = np.asarray(t, dtype=float)
        return r * beta / alpha * _one_minus_pow_over(np.log(beta / (beta + t)), s - 1.0)

    def predict_purchases(self, t: Any, x: Any, t_x: Any, T: Any) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units (eq. 41)."""
        r, alpha, s, beta = self._params()
        t, x, t_x, T = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (t, x, t_x, T)))
        alive = self.prob_alive(x, t_x, T)
        per_alive = ((r + x) * (beta + T) / (alpha + T)
                     * _one_minus_pow_over(np.log((beta + T) / (beta + T + t)), s - 1.0))
        return alive * per_alive

    def prob_alive(self, x: Any, t_x: Any, T: Any) -> np.ndarray:
        """P(alive | x, t_x, T) at the end of the calibration period (eqs. 36-37)."""
        _, _, _, A, log_b = self._log_terms(x, t_x, T)
        return np.exp(A - log_b)

    def prob_n_purchases(self, n: Any, t: Any) -> np.ndarray:
        """P(X(t) = n) for a new customer (Fader & Hardie 2006, eq. 3 with its B1, B2)."""
        r, alpha, s, beta = self._params()
        n_arr, t_arr = np.broadcast_arrays(np.asarray(n, dtype=float), np.asarray(t, dtype=float))
        out = np.empty(n_arr.shape)
        for value in np.unique(n_arr):
            mask = n_arr == value
            out[mask] = _pnbd_pmf(r, alpha, s, beta, int(value), t_arr[mask])
        return out


def _one_minus_pow_over(log_q: np.ndarray, e: float) -> np.ndarray:
    """(1 - q^e) / e for q = exp(log_q) <= 1, with the limit -log q at e = 0."""
    log_q = np.asarray(log_q, dtype=float)
    if abs(e) < 1e-10:
        return -log_q
    return -np.expm1(e * log_q) / e


def _pnbd_pmf(r: float, alpha: float, s: float, beta: float, n: int,
              t: np.ndarray) -> np.ndarray:
    """P(X(t) = n) for one n and an array of t (Fader & Hardie 2006)."""
    t = np.asarray(t, dtype=float)
    out = np.where(n == 0, 1.0, 0.0) * np.ones_like(t)
    pos = t > 0
    if not pos.any():
        return out
    tp = t[pos]
    log_first = (gammaln(r + n) - gammaln(r) - gammaln(n + 1.0) + r * np.log(alpha / (alpha + tp))
                 + n * np.log(tp / (alpha + tp)) + s * np.log(beta / (beta + tp)))
    c = r + s + n + 1.0
    if alpha >= beta:
        big, b_arg = alpha, s + 1.0
    else:
        big, b_arg = beta, r + n
    z0 = abs(alpha - beta) / big
    zt = abs(alpha - beta) / (big + tp)
    i = np.arange(n + 1, dtype=float)[:, None]
    log_b1 = np.log(hyp2f1(r + s, b_arg, c, z0)) - (r + s) * np.log(big)
    log_b2 = (np.log(hyp2f1(r + s + i, b_arg, c, zt[None, :])) - (r + s + i) * np.log(big + tp)
              + gammaln(r + s + i) - gammaln(r + s) - gammaln(i + 1.0) + i * np.log(tp))
    # B1 - sum(B2) > 0: the weight of dying in (0, t] after n purchases.
    log_sum = np.logaddexp.reduce(log_b2, axis=0)
    diff = -np.expm1(np.minimum(log_sum - log_b1, 0.0))
    coef = r * np.log(alpha) + s * np.log(beta) + betaln(r + n, s + 1.0) - betaln(r, s)
    out[pos] = np.exp(log_first) + np.exp(coef + log_b1) * diff
    return out
