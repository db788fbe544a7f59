"""Shared machinery of the CLV models: input checks, collapsing, the optimiser, the Hessian.

Every model maximises its log-likelihood over the logarithms of its (positive) parameters with
BFGS and an analytic gradient, from deterministic starting values, then takes Newton steps
with the Hessian it computes anyway for the standard errors. The Hessian is the central
difference of the analytic gradient (in log-parameter space).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

__all__ = ["FitWarning", "NotFittedError"]

#: Bounds of the log-parameters: exp(±25) keeps every parameter finite and positive.
LOG_BOUND = 25.0
#: Beyond exp(±15) (3e-7 .. 3e6) a parameter is running off to 0 or infinity: the data are
#: explained by a degenerate special case (no heterogeneity, no dropout) and a warning says so.
LOG_DRIFT = 15.0


class FitWarning(UserWarning):
    """A fit finished but its result needs care: no convergence, or the data do not identify
    the model (parameters running off to 0 or infinity, a flat log-likelihood)."""


class NotFittedError(ValueError, AttributeError):
    """A prediction was asked of a model that has not been fitted."""


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """Sum of a * b for 1-D arrays, without BLAS.

    ``a @ b`` goes to OpenBLAS, whose worker threads make a 20k-element dot product take
    milliseconds instead of microseconds when the other cores are busy; the likelihoods here
    call it a few hundred times per fit.
    """
    return float(np.add.reduce(np.multiply(a, b)))


def as_float_array(values: Any, name: str) -> np.ndarray:
    """A 1-D float array; pandas and lists accepted. Raises naming ``name`` when not finite."""
    array = np.asarray(values, dtype=float)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    bad = ~np.isfinite(array)
    if bad.any():
        raise ValueError(f"{name} has {int(bad.sum())} missing or infinite value(s), "
                         f"e.g. at position(s) {np.flatnonzero(bad)[:5].tolist()}")
    return array


def check_lengths(**arrays: np.ndarray) -> int:
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"inputs differ in length: {lengths}")
    return next(iter(lengths.values()))


def check_weights(weights: Any, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n)
    w = as_float_array(weights, "weights")
    if len(w) != n:
        raise ValueError(f"weights has {len(w)} values for {n} rows")
    if (w < 0).any():
        raise ValueError("weights must be non-negative counts of customers")
    return w


def check_counts(x: np.ndarray, name: str = "x") -> None:
    bad = (x < 0) | (x != np.round(x))
    if bad.any():
        pos = np.flatnonzero(bad)[:5].tolist()
        raise ValueError(f"{name} must hold non-negative whole numbers (repeat transactions); "
                         f"bad values at position(s) {pos}: {x[pos].tolist()}")


def check_rft(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> None:
    """Checks of (x, t_x, T) shared by the continuous-time models."""
    check_counts(x)
    if (T < 0).any():
        pos = np.flatnonzero(T < 0)[:5].tolist()
        raise ValueError(f"T (time since first purchase) must be >= 0; negative at {pos}")
    bad = (t_x < 0) | (t_x > T * (1 + 1e-12) + 1e-12)
    if bad.any():
        pos = np.flatnonzero(bad)[:5].tolist()
        raise ValueError(f"t_x must lie between 0 and T; violated at position(s) {pos}")
    bad = (x == 0) & (t_x != 0)
    if bad.any():
        pos = np.flatnonzero(bad)[:5].tolist()
        raise ValueError("t_x must be 0 for customers without repeat transactions (x = 0), "
                         f"as recency counts from the first purchase; violated at {pos}")


def group_rows(columns: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Group identical rows of ``columns``: (inverse index, first row of each group).

    Hash-based (``pandas.factorize`` per column, then on the combined code), so it costs a few
    tens of milliseconds per million rows, unlike a lexicographic sort.
    """
    n = len(columns[0])
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    key = np.zeros(n, dtype=np.int64)
    span = 1
    for column in columns:
        codes, uniques = pd.factorize(column)
        size = max(len(uniques), 1)
        if span * size >= 2**62:  # combined code would overflow: re-factorize what we have
            key, first = pd.factorize(key)
            key = key.astype(np.int64)
            span = len(first)
        key = key * size + codes
        span *= size
    inverse, uniques = pd.factorize(key)
    first = np.empty(len(uniques), dtype=np.int64)
    first[inverse[::-1]] = np.arange(n - 1, -1, -1)
    return inverse.astype(np.int64), first


def collapse(columns: Sequence[np.ndarray], weights: np.ndarray
             ) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows of ``columns`` with the summed weight of each (zero-weight rows dropped)."""
    keep = weights > 0
    if not keep.all():
        columns = [c[keep] for c in columns]
        weights = weights[keep]
    inverse, first = group_rows(columns)
    summed = np.bincount(inverse, weights=weights, minlength=len(first))
    return [c[first] for c in columns], summed


def distinct_index(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct values, index of each value in them) for small integer or float arrays."""
    codes, uniques = pd.factorize(values)
    return np.asarray(uniques, dtype=float), codes.astype(np.int64)


def numeric_hessian(grad: Callable[[np.ndarray], np.ndarray], theta: np.ndarray,
                    step: float = 1e-4) -> np.ndarray:
    """Symmetrised central-difference Jacobian of the analytic gradient ``grad``."""
    k = len(theta)
    hess = np.empty((k, k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = step
        hess[:, i] = (grad(theta + e) - grad(theta - e)) / (2 * step)
    return (hess + hess.T) / 2


def _matvec(m: np.ndarray, v: np.ndarray) -> np.ndarray:
    """m @ v for a tiny matrix, elementwise (no BLAS call: see :func:`dot`)."""
    return np.add.reduce(m * v[None, :], axis=1)


def bfgs(fun: Callable[[np.ndarray], tuple[float, np.ndarray]], x0: np.ndarray, *,
         bound: float, ftol: float, gtol: float, max_iter: int) -> dict[str, Any]:
    """Minimise a smooth function of a few variables by BFGS with Armijo backtracking.

    Written out instead of :func:`scipy.optimize.minimize` because these problems have 3-4
    variables and cheap-to-moderate objectives, where L-BFGS-B's dense linear algebra goes to
    OpenBLAS and costs 1-3 ms per iteration when other processes keep the cores busy (0.05 ms
    when idle). Variables are kept within [-bound, bound].
    """
    x = np.clip(np.asarray(x0, dtype=float), -bound, bound)
    f, g = fun(x)
    if not np.isfinite(f) or not np.all(np.isfinite(g)):
        raise ValueError("the log-likelihood is not finite at the starting values")
    n = len(x)
    H = np.eye(n)
    n_eval, calm, message = 1, 0, "maximum number of iterations reached"
    it = 0
    for it in range(1, max_iter + 1):
        if np.max(np.abs(g)) <= gtol:
            message = "gradient below tolerance"
            break
        d = -_matvec(H, g)
        slope = float(np.add.reduce(d * g))
        if slope >= 0:  # not a descent direction: restart from steepest descent
            H = np.eye(n)
            d, slope = -g, -float(np.add.reduce(g * g))
        step = min(1.0, 1.0 / max(np.max(np.abs(d)), 1e-300)) if it == 1 else 1.0
        step = min(step, 5.0 / max(np.max(np.abs(d)), 1e-300))  # at most e^5 per move
        for _ in range(60):
            x_new = np.clip(x + step * d, -bound, bound)
            f_new, g_new = fun(x_new)
            n_eval += 1
            if np.isfinite(f_new) and np.all(np.isfinite(g_new)) and \
                    f_new <= f + 1e-4 * step * slope:
                break
            step *= 0.5
        else:
            message = "line search failed"
            break
        s_vec, y_vec = x_new - x, g_new - g
        sy = float(np.add.reduce(s_vec * y_vec))
        if sy > 1e-12 * np.sqrt(float(np.add.reduce(s_vec * s_vec))
                                * float(np.add.reduce(y_vec * y_vec))):
            if it == 1:
                H = np.eye(n) * (sy / float(np.add.reduce(y_vec * y_vec)))
            rho = 1.0 / sy
            Hy = _matvec(H, y_vec)
            H = (H - rho * (np.outer(s_vec, Hy) + np.outer(Hy, s_vec))
                 + (rho * rho * float(np.add.reduce(y_vec * Hy)) + rho) * np.outer(s_vec, s_vec))
        calm = calm + 1 if abs(f - f_new) <= ftol * max(abs(f_new), 1.0) else 0
        x, f, g = x_new, f_new, g_new
        if calm >= 2:
            message = "relative reduction of the objective below tolerance"
            break
    return {"x": x, "fun": f, "jac": g, "nit": it, "nfev": n_eval, "message": message}


def newton(fun: Callable[[np.ndarray], tuple[float, np.ndarray]],
           hess: Callable[[np.ndarray], np.ndarray], x0: np.ndarray, *, bound: float,
           gtol: float, max_iter: int) -> dict[str, Any] | None:
    """Damped Newton minimisation with an analytic Hessian.

    Stops when the gradient is below ``gtol``, or when the Newton step or the achievable
    decrease is at rounding level. Where the Hessian is not positive definite it is shifted
    until it is (Levenberg). Returns None when values stop being finite or the line search
    fails far from a stationary point (the caller then uses :func:`bfgs`).
    """
    x = np.clip(np.asarray(x0, dtype=float), -bound, bound)
    f, g = fun(x)
    n_eval = 1
    for it in range(1, max_iter + 1):
        if not (np.isfinite(f) and np.all(np.isfinite(g))):
            return None
        done = {"x": x, "fun": f, "nit": it - 1, "nfev": n_eval}
        if np.max(np.abs(g)) <= gtol:
            return done | {"message": "gradient below tolerance"}
        h = hess(x)
        if not np.all(np.isfinite(h)):
            return None
        low = float(np.linalg.eigvalsh(h)[0])
        if low <= 0:  # far from the optimum: shift towards gradient descent (Levenberg)
            h = h + (1e-3 * max(1.0, float(np.max(np.abs(h)))) - low) * np.eye(len(x))
        try:
            d = -np.linalg.solve(h, g)
        except np.linalg.LinAlgError:
            return None
        if np.max(np.abs(d)) < 1e-12:
            return done | {"message": "Newton step at rounding level"}
        step = min(1.0, 2.0 / np.max(np.abs(d)))
        slope = float(np.add.reduce(d * g))
        for _ in range(40):
            x_new = np.clip(x + step * d, -bound, bound)
            f_new, g_new = fun(x_new)
            n_eval += 1
            if np.isfinite(f_new) and f_new <= f + 1e-4 * step * slope:
                break
            step *= 0.5
        else:
            if np.max(np.abs(g)) < 1e-7:  # no decrease left to find: converged
                return done | {"message": "no further decrease at rounding level"}
            return None
        stalled = f - f_new <= 1e-15 * max(1.0, abs(f))
        x, f, g = x_new, f_new, g_new
        if stalled and np.max(np.abs(g)) < 1e-7:
            return {"x": x, "fun": f, "nit": it, "nfev": n_eval,
                    "message": "decrease at rounding level"}
    return None


def fit_log_params(neg_ll_and_grad: Callable[[np.ndarray], tuple[float, np.ndarray]],
                   start: np.ndarray, names: Sequence[str], *, total_weight: float,
                   tol: float, max_iter: int, model: str,
                   hessian: Callable[[np.ndarray], np.ndarray] | None = None) -> dict[str, Any]:
    """Maximise a log-likelihood over log-parameters; returns estimates, Hessian and status.

    BFGS (:func:`bfgs`) from ``start``, then up to three Newton steps with the Hessian (central
    differences of the analytic gradient), which is also returned for the standard errors.
    With ``hessian`` (the analytic Hessian of the negative total log-likelihood in
    log-parameters), a damped Newton method replaces BFGS.

    ``neg_ll_and_grad`` returns the negative *total* log-likelihood and its gradient with
    respect to the log-parameters. The optimiser works on the per-customer mean (scaled by
    ``total_weight``) so that its tolerances do not depend on the number of customers.
    """
    scale = 1.0 / max(total_weight, 1.0)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = neg_ll_and_grad(theta)
        return value * scale, grad * scale

    def grad_only(theta: np.ndarray) -> np.ndarray:
        return neg_ll_and_grad(theta)[1]

    result = None
    if hessian is not None:
        with np.errstate(over="ignore", under="ignore"):
            result = newton(objective, lambda theta: hessian(theta) * scale, start,
                            bound=LOG_BOUND, gtol=1e-11, max_iter=max_iter)
    if result is None:
        with np.errstate(over="ignore", under="ignore"):
            result = bfgs(objective, start, bound=LOG_BOUND, ftol=tol, gtol=1e-9,
                          max_iter=max_iter)
    theta = result["x"]
    value = neg_ll_and_grad(theta)[0]
    if hessian is not None:
        hess = hessian(theta)
        grad_only = None
    else:
        hess = numeric_hessian(grad_only, theta)
    # Newton steps with the Hessian we need anyway: BFGS stops at ~1e-9 in the gradient; the
    # steps bring the gradient to rounding level. Kept only while they improve the likelihood.
    start_theta = theta
    for _ in range(3):
        grad = neg_ll_and_grad(theta)[1]
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(step)) or np.max(np.abs(step)) > 1.0:
            break
        candidate = np.clip(theta - step, -LOG_BOUND, LOG_BOUND)
        cand_value = neg_ll_and_grad(candidate)[0]
        if not np.isfinite(cand_value) or cand_value > value:
            break
        theta, value = candidate, cand_value
        if np.max(np.abs(step)) < 1e-9:
            break
    if np.max(np.abs(theta - start_theta)) > 1e-5:  # moved: the Hessian there, for the SEs
        hess = hessian(theta) if hessian is not None else numeric_hessian(grad_only, theta)
    grad = neg_ll_and_grad(theta)[1]
    drifted = [n for n, v in zip(names, theta) if abs(v) > LOG_DRIFT]
    converged = bool(np.all(np.isfinite(theta)) and np.isfinite(value)
                     and np.max(np.abs(grad)) * scale < 1e-4)
    try:
        np.linalg.cholesky(hess)
        identified = bool(np.all(np.isfinite(hess)))
    except np.linalg.LinAlgError:
        identified = False
    if not identified and not drifted:
        warnings.warn(f"{model}: the log-likelihood is flat in some direction at the estimates "
                      "(parameters running off towards 0 or infinity), so standard errors are "
                      "not available and the data do not identify the model (too few customers "
                      "or repeat purchases?)", FitWarning, stacklevel=3)
    elif drifted:
        warnings.warn(f"{model}: parameter(s) {', '.join(drifted)} ran off towards 0 or "
                      f"infinity (beyond exp(±{LOG_DRIFT:g})); the data do not identify the "
                      "model (too few customers or repeat purchases?)", FitWarning, stacklevel=3)
    elif not converged:
        warnings.warn(f"{model}: the optimiser did not converge ({result['message']}); "
                      "treat the parameters with care", FitWarning, stacklevel=3)
    return {"theta": theta, "neg_ll": float(value), "hessian": hess, "converged": converged,
            "n_iter": int(result["nit"]), "n_eval": int(result["nfev"]), "grad": grad}


def standard_errors(theta: np.ndarray, hess: np.ndarray, names: Sequence[str], *,
                    level: float = 0.95) -> tuple[dict[str, float], pd.DataFrame, pd.DataFrame]:
    """Standard errors and intervals from the Hessian of -LL in log-parameter space.

    ``hess`` is the Hessian of the negative total log-likelihood with respect to the
    log-parameters at the maximum. Its inverse is the covariance of the log-parameters; the
    delta method gives SE(theta) = theta * SE(log theta) (exactly the natural-scale inverse
    Hessian at a stationary point). Intervals are Wald intervals on the log scale, mapped back
    (so they stay positive). Returns (standard errors, intervals, covariance of the
    natural-scale parameters).
    """
    params = np.exp(theta)
    try:
        cov_log = np.linalg.inv(hess)
        var = np.diag(cov_log)
        if np.any(var < 0) or not np.all(np.isfinite(var)):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        cov_log = np.full_like(hess, np.inf)
        var = np.full(len(theta), np.inf)
    se_log = np.sqrt(var)
    se = params * se_log
    z = norm.ppf(0.5 + level / 2)
    with np.errstate(over="ignore"):
        lower = np.exp(theta - z * se_log)
        upper = np.exp(theta + z * se_log)
    intervals = pd.DataFrame({"lower": lower, "upper": upper}, index=list(names))
    cov = cov_log * np.outer(params, params)
    return ({n: float(v) for n, v in zip(names, se)}, intervals,
            pd.DataFrame(cov, index=list(names), columns=list(names)))


class ModelBase:
    """Common fitted-model behaviour: parameter access, summary table, repr."""

    _param_names: tuple[str, ...] = ()
    _model_name = "model"

    def __init__(self, *, tol: float = 1e-12, max_iter: int = 500, confidence_level: float = 0.95):
        self.tol = tol
        self.max_iter = max_iter
        self.confidence_level = confidence_level

    def get_params(self, deep: bool = True) -> dict[str, Any]:  # scikit-learn protocol
        return {"tol": self.tol, "max_iter": self.max_iter,
                "confidence_level": self.confidence_level}

    def set_params(self, **params: Any) -> ModelBase:
        for key, value in params.items():
            if key not in self.get_params():
                raise ValueError(f"unknown parameter {key!r} for {type(self).__name__}")
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        if hasattr(self, "params_"):
            shown = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
            return f"{type(self).__name__}(fitted: {shown})"
        return f"{type(self).__name__}()"

    @classmethod
    def from_params(cls, params: dict[str, float], **kwargs: Any):
        """A model with given parameters, e.g. published ones, ready for predictions.

        No fit-related attributes (log-likelihood, standard errors) are set.
        """
        missing = set(cls._param_names) - set(params)
        if missing:
            raise ValueError(f"{cls.__name__} needs parameters {', '.join(cls._param_names)}; "
                             f"missing {', '.join(sorted(missing))}")
        model = cls(**kwargs)
        values = {k: float(params[k]) for k in cls._param_names}
        if any(not (v > 0 and np.isfinite(v)) for v in values.values()):
            raise ValueError(f"{cls.__name__} parameters must be positive and finite: {values}")
        model.params_ = values
        return model

    def _params(self) -> tuple[float, ...]:
        if not hasattr(self, "params_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet: call fit() "
                                 "or build it with from_params()")
        return tuple(self.params_[k] for k in self._param_names)

    def _set_fit(self, fit: dict[str, Any], n_customers: float, n_rows: int) -> None:
        theta = fit["theta"]
        self.params_ = {n: float(v) for n, v in zip(self._param_names, np.exp(theta))}
        self.log_likelihood_ = -fit["neg_ll"]
        se, ci, cov = standard_errors(theta, fit["hessian"], self._param_names,
                                      level=self.confidence_level)
        self.standard_errors_ = se
        self.confidence_intervals_ = ci
        self.covariance_ = cov
        self.converged_ = fit["converged"]
        self.n_iter_ = fit["n_iter"]
        self.n_customers_ = float(n_customers)
        self.n_patterns_ = int(n_rows)

    @property
    def summary(self) -> pd.DataFrame:
        """Parameters with standard errors and confidence bounds (one row per parameter)."""
        self._params()
        frame = pd.DataFrame({"estimate": pd.Series(self.params_)})
        if hasattr(self, "standard_errors_"):
            frame["standard_error"] = pd.Series(self.standard_errors_)
            frame = frame.join(self.confidence_intervals_)
        return frame
