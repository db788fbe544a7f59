"""CLV models: gradients, numerics, estimator conventions, degenerate input."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import quad
from scipy.special import comb

from workbench.clv import (
    BetaGeo,
    BetaGeoBeta,
    FitWarning,
    GammaGamma,
    NotFittedError,
    ParetoNBD,
    beta_geo,
    beta_geo_beta,
    gamma_gamma,
    pareto_nbd,
)
from workbench.clv._base import bfgs, collapse, group_rows


def simulate_bgnbd(n: int, seed: int, r=0.5, alpha=5.0, a=0.8, b=3.0):
    """BG/NBD customers observed 40-80 weeks, times with daily precision (in weeks)."""
    rng = np.random.default_rng(seed)
    T = rng.integers(280, 561, n) / 7.0
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    arrivals = rng.poisson(lam * T)
    x = np.minimum(arrivals, rng.geometric(p))
    t_x = np.zeros(n)
    pos = x > 0
    t_x[pos] = np.floor(T[pos] * rng.beta(x[pos], arrivals[pos] - x[pos] + 1) * 7) / 7
    return x.astype(float), t_x, T


def numeric_gradient(f, theta, h=1e-6):
    return np.array([(f(theta + e)[0] - f(theta - e)[0]) / (2 * h) for e in np.eye(len(theta)) * h])


@pytest.fixture(scope="module")
def sample():
    return simulate_bgnbd(3000, seed=11)


# ------------------------------------------------------------------ analytic gradients
def test_bgnbd_gradient_is_exact(sample):
    d = beta_geo._Prepared(*sample, np.ones(len(sample[0])))
    for theta in (np.log([0.3, 5.0, 0.7, 2.0]), np.log([2.0, 1.0, 3.0, 0.5])):
        value, grad = beta_geo._neg_ll(theta, d)
        np.testing.assert_allclose(grad, numeric_gradient(lambda th: beta_geo._neg_ll(th, d),
                                                          theta), rtol=1e-6, atol=1e-6)
        # the collapsed likelihood equals the per-customer formula
        model = BetaGeo.from_params(dict(zip(("r", "alpha", "a", "b"), np.exp(theta))))
        assert -value == pytest.approx(model.log_likelihood(*sample).sum(), rel=1e-12)


@pytest.mark.parametrize("theta", [np.log([0.5, 10.0, 0.6, 12.0]),   # alpha < beta
                                   np.log([0.5, 12.0, 0.6, 8.0]),    # alpha >= beta
                                   np.log([1.5, 3.0, 2.0, 40.0])])   # z up to 0.9
def test_pareto_nbd_gradient_is_exact(sample, theta):
    d = pareto_nbd._Prepared(*sample, np.ones(len(sample[0])))
    value, grad = pareto_nbd._neg_ll(theta, d)
    np.testing.assert_allclose(grad, numeric_gradient(lambda th: pareto_nbd._neg_ll(th, d),
                                                      theta), rtol=1e-6, atol=1e-5)
    model = ParetoNBD.from_params(dict(zip(("r", "alpha", "s", "beta"), np.exp(theta))))
    assert -value == pytest.approx(model.log_likelihood(*sample).sum(), rel=1e-12)


def test_gamma_gamma_and_bgbb_gradients_are_exact():
    rng = np.random.default_rng(5)
    x = rng.integers(1, 12, 500).astype(float)
    m = rng.gamma(6.0, 5.0, 500)
    d = gamma_gamma._Prepared(x, m, np.ones(500))
    theta = np.log([5.0, 3.0, 20.0])
    value, grad = gamma_gamma._neg_ll(theta, d)
    np.testing.assert_allclose(grad, numeric_gradient(lambda th: gamma_gamma._neg_ll(th, d),
                                                      theta), rtol=1e-6)
    gg = GammaGamma.from_params({"p": 5.0, "q": 3.0, "gamma": 20.0})
    assert -value == pytest.approx(gg.log_likelihood(x, m).sum(), rel=1e-12)
    xb = np.array([0, 1, 1, 2, 3, 5.0])
    tb = np.array([0, 1, 4, 4, 5, 6.0])
    layout = beta_geo_beta._Layout(xb, tb, np.full(6, 6.0))
    w = np.array([10, 3, 4, 2, 1, 5.0])
    theta = np.log([1.2, 0.8, 0.6, 2.5])
    _, grad = beta_geo_beta._neg_ll(theta, layout, w)
    np.testing.assert_allclose(
        grad, numeric_gradient(lambda th: beta_geo_beta._neg_ll(th, layout, w), theta), rtol=1e-6)


# ------------------------------------------------------------------ Pareto/NBD numerics
@pytest.mark.parametrize("params", [(0.55, 10.58, 0.61, 11.67), (0.55, 30.0, 0.61, 3.0),
                                    (2.0, 1.0, 3.0, 50.0), (0.3, 1.0, 0.5, 100.0)])
def test_pareto_nbd_integral_three_ways(params):
    """H(t) = int_t^inf (alpha+u)^-(r+x) (beta+u)^-(s+1) du: the Euler series used by the
    optimiser, the MATLAB note's hyp2f1 expression and numerical quadrature agree."""
    r, alpha, s, beta = params
    x = np.array([0.0, 3.0, 50.0, 0.0, 1.0])
    t = np.array([0.0, 10.0, 2.0, 39.0, 0.0])
    series = pareto_nbd._log_h_series(r, alpha, s, beta, x, t, grad=False)[0]
    hyp = pareto_nbd._log_h_hyp2f1(r, alpha, s, beta, x, t)
    quadrature = [np.log(quad(lambda u, m=r + xi: (alpha + u) ** -m * (beta + u) ** -(s + 1),
                              ti, np.inf, epsabs=0, epsrel=1e-13)[0]) for xi, ti in zip(x, t)]
    np.testing.assert_allclose(series, hyp, rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(series, quadrature, rtol=1e-10)


def test_pareto_nbd_handles_large_counts_without_warnings():
    # x = 2000: hyp2f1's direct value overflows for alpha < beta; the series takes over.
    model = ParetoNBD.from_params({"r": 0.8, "alpha": 2.0, "s": 0.9, "beta": 20.0})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ll = model.log_likelihood([2000, 0, 5], [50.0, 0.0, 49.0], [52.0, 52.0, 52.0])
        alive = model.prob_alive([2000, 0, 5], [50.0, 0.0, 52.0], [52.0, 52.0, 52.0])
    assert np.all(np.isfinite(ll)) and np.all((alive > 0) & (alive <= 1))
    assert alive[2] == pytest.approx(1.0)  # bought at the very end: surely alive


# ------------------------------------------------------------------ predictions
@pytest.mark.parametrize("model", [
    BetaGeo.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}),
    ParetoNBD.from_params({"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}),
    ParetoNBD.from_params({"r": 0.9, "alpha": 3.0, "s": 1.4, "beta": 2.0}),
])
def test_pmf_sums_to_one_and_its_mean_is_the_expectation(model):
    n = np.arange(400)
    for t in (1.0, 39.0):  # (by 78 weeks the third model's tail beyond 400 reaches 1e-9)
        pmf = model.prob_n_purchases(n, t)
        assert np.all(pmf >= 0)
        assert pmf.sum() == pytest.approx(1.0, abs=1e-12)
        assert (n * pmf).sum() == pytest.approx(float(model.expected_purchases(t)), rel=1e-10)
    assert model.prob_n_purchases(0, 0.0) == 1.0 and model.prob_n_purchases(2, 0.0) == 0.0


def test_bgbb_pmf_and_conditional_expectation():
    model = BetaGeoBeta.from_params({"alpha": 1.204, "beta": 0.75, "gamma": 0.657,
                                     "delta": 2.783})
    pmf = model.prob_n_purchases(np.arange(7), 6)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-12)
    assert (np.arange(7) * pmf).sum() == pytest.approx(float(model.expected_purchases(6)))
    # Averaged over all possible histories, the conditional expectations of the next 5
    # periods equal the unconditional E[X(11)] - E[X(6)] (law of total expectation). The
    # likelihood is that of one purchase sequence; C(t_x - 1, x - 1) sequences share (x, t_x).
    x, t_x = [], []
    for k in range(7):
        for tx in range(k, 7):
            if (k == 0) == (tx == 0):
                x.append(k)
                t_x.append(tx)
    x, t_x = np.array(x, float), np.array(t_x, float)
    sequences = np.where(x > 0, comb(np.maximum(t_x - 1, 0), np.maximum(x - 1, 0)), 1.0)
    weights = sequences * np.exp(model.log_likelihood(x, t_x, 6))
    assert weights.sum() == pytest.approx(1.0)
    total = (weights * model.predict_purchases(5, x, t_x, 6)).sum()
    assert total == pytest.approx(float(model.expected_purchases(11) - model.expected_purchases(6)))


def test_conditional_predictions_behave(sample):
    x, t_x, T = sample
    for model in (BetaGeo().fit(x, t_x, T), ParetoNBD().fit(x, t_x, T)):
        alive = model.prob_alive(x, t_x, T)
        assert np.all((alive > 0) & (alive <= 1))
        np.testing.assert_array_equal(model.predict_purchases(0.0, x, t_x, T), 0.0)
        week, year = model.predict_purchases(1.0, x, t_x, T), model.predict_purchases(52, x, t_x, T)
        assert np.all(year > week) and np.all(week > 0)
        # the earlier the last purchase, the lower P(alive) (same x and T)
        assert model.prob_alive(3, 10.0, 50.0) < model.prob_alive(3, 40.0, 50.0)
    bg = BetaGeo.from_params({"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 3.0})
    assert bg.prob_alive(0, 0.0, 80.0) == 1.0  # BG/NBD: nobody drops out before a repeat


def test_time_unit_invariance(sample):
    # Days instead of weeks: alpha scales by 7, the LL by -sum(x) log 7 (density of event
    # times), and predictions over the same calendar span are unchanged.
    x, t_x, T = sample
    for cls, scaled in ((BetaGeo, ("alpha",)), (ParetoNBD, ("alpha", "beta"))):
        weeks = cls().fit(x, t_x, T)
        days = cls().fit(x, t_x * 7, T * 7)
        for key, value in weeks.params_.items():
            expected = value * 7 if key in scaled else value
            assert days.params_[key] == pytest.approx(expected, rel=1e-5)
        assert days.log_likelihood_ == pytest.approx(weeks.log_likelihood_ - x.sum() * np.log(7),
                                                     rel=1e-9)
        np.testing.assert_allclose(days.predict_purchases(91, x, t_x * 7, T * 7),
                                   weeks.predict_purchases(13, x, t_x, T), rtol=1e-5)


# ------------------------------------------------------------------ conventions
def test_weights_equal_repeated_rows_and_rows_are_collapsed(sample):
    x, t_x, T = sample
    idx = np.arange(600)
    w = np.random.default_rng(2).integers(1, 4, 600).astype(float)
    expanded = np.repeat(idx, w.astype(int))
    for cls in (BetaGeo, ParetoNBD):
        weighted = cls().fit(x[idx], t_x[idx], T[idx], weights=w)
        repeated = cls().fit(x[expanded], t_x[expanded], T[expanded])
        assert weighted.n_customers_ == repeated.n_customers_ == w.sum()
        assert repeated.n_patterns_ == weighted.n_patterns_ < len(expanded)
        for key, value in weighted.params_.items():
            assert repeated.params_[key] == pytest.approx(value, rel=1e-7)
        assert repeated.log_likelihood_ == pytest.approx(weighted.log_likelihood_, rel=1e-10)


def test_group_rows_and_collapse():
    a = np.array([1.0, 2.0, 1.0, 1.0, 2.0])
    b = np.array([0.5, 0.5, 0.5, 0.7, 0.5])
    inverse, first = group_rows([a, b])
    assert len(first) == 3 and inverse.tolist() == [0, 1, 0, 2, 1] and first.tolist() == [0, 1, 3]
    (ua, ub), w = collapse([a, b], np.array([1.0, 2.0, 3.0, 0.0, 1.0]))
    assert ua.tolist() == [1.0, 2.0] and ub.tolist() == [0.5, 0.5] and w.tolist() == [4.0, 3.0]


def test_estimator_conventions(sample):
    model = BetaGeo(tol=1e-10, max_iter=200)
    assert vars(model) == {"tol": 1e-10, "max_iter": 200, "confidence_level": 0.95}
    assert model.get_params() == vars(model) and model.set_params(max_iter=300) is model
    with pytest.raises(NotFittedError, match="not fitted"):
        model.prob_alive(1, 2.0, 3.0)
    assert model.fit(*sample) is model
    assert set(model.params_) == {"r", "alpha", "a", "b"}
    assert list(model.summary.columns) == ["estimate", "standard_error", "lower", "upper"]
    # Deterministic: no randomness anywhere, the same data give the same numbers.
    again = BetaGeo(tol=1e-10, max_iter=300).fit(*sample)
    assert again.params_ == model.params_
    with pytest.raises(ValueError, match="missing alpha"):
        BetaGeo.from_params({"r": 1.0, "a": 1.0, "b": 1.0})


def test_standard_errors_match_the_spread_of_simulated_fits():
    # The delta-method standard errors describe the estimator's spread across samples.
    fits = [BetaGeo().fit(*simulate_bgnbd(4000, seed)) for seed in range(12)]
    spread = pd.DataFrame([f.params_ for f in fits]).std()
    se = pd.DataFrame([f.standard_errors_ for f in fits]).mean()
    ratio = spread / se
    assert ((ratio > 0.4) & (ratio < 2.0)).all(), ratio


def test_bfgs_minimises_a_rosenbrock_function():
    def rosen(v):
        x, y = v
        f = (1 - x) ** 2 + 100 * (y - x * x) ** 2
        return f, np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])

    out = bfgs(rosen, np.array([-1.2, 1.0]), bound=25.0, ftol=1e-15, gtol=1e-10, max_iter=500)
    np.testing.assert_allclose(out["x"], [1.0, 1.0], atol=1e-6)


# ------------------------------------------------------------------ degenerate input
@pytest.mark.parametrize("cls", [BetaGeo, ParetoNBD])
@pytest.mark.parametrize("x, t_x, T, message", [
    ([0, 0, 0], [0, 0, 0], [10.0, 20.0, 5.0], "no customer has a repeat purchase"),
    ([2], [5.0], [10.0], "at least 2 customers"),
    ([0, 1], [0.0, 0.0], [0.0, 0.0], "every customer has T = 0"),
    ([1, 1], [5.0, 12.0], [10.0, 10.0], "t_x must lie between 0 and T"),
    ([1, 0], [5.0, 3.0], [10.0, 10.0], "t_x must be 0"),
    ([1.5, 1], [5.0, 3.0], [10.0, 10.0], "whole numbers"),
    ([1, np.nan], [5.0, 3.0], [10.0, 10.0], "missing or infinite"),
])
def test_degenerate_input_raises_clearly(cls, x, t_x, T, message):
    with pytest.raises(ValueError, match=message):
        cls().fit(x, t_x, T)


@pytest.mark.parametrize("cls", [BetaGeo, ParetoNBD])
def test_unidentified_data_warn_and_give_finite_parameters(cls):
    # Three repeat buyers who never drop out: the MLE is the Poisson limit (r, alpha -> inf,
    # no dropout), which the data cannot tell apart from a finite model.
    with pytest.warns(FitWarning, match="towards 0 or infinity"):
        model = cls().fit([1, 2, 3, 0], [10.0, 10.0, 10.0, 0.0], [10.0, 10.0, 10.0, 10.0])
    assert all(np.isfinite(v) and v > 0 for v in model.params_.values())
    assert np.all(np.isfinite(model.predict_purchases(10, [1, 0], [5.0, 0.0], [10.0, 10.0])))


def test_gamma_gamma_sets_aside_nonpositive_spend_and_checks_q():
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.integers(1, 8, 400), [0, 0, 3, 2]]).astype(float)
    m = np.concatenate([rng.gamma(6.0, 6.0, 400), [np.nan, np.nan, 0.0, -5.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = GammaGamma().fit(x, m)
    assert model.n_nonpositive_ == 2 and model.n_no_repeat_ == 2 and model.n_customers_ == 400
    assert abs(model.frequency_spend_correlation_) < 0.2
    spend = model.expected_spend([0, 3, 3], [np.nan, 40.0, -5.0])
    assert spend[0] == pytest.approx(model.mean_spend_) and spend[2] < spend[0] < spend[1] + 1e9
    with pytest.raises(ValueError, match="missing for 1 customer"):
        GammaGamma().fit([1, 2], [np.nan, 3.0])
    with pytest.raises(ValueError, match="at least 2 repeat customers"):
        GammaGamma().fit([0, 3], [np.nan, 3.0])
    with pytest.raises(ValueError, match="q <= 1"):
        GammaGamma.from_params({"p": 2.0, "q": 0.9, "gamma": 10.0}).expected_spend(1, 10.0)


def test_bgbb_rejects_impossible_patterns():
    with pytest.raises(ValueError, match="x <= t_x <= n"):
        BetaGeoBeta().fit([2, 0], [1, 0], [6, 6])
    with pytest.raises(ValueError, match="no customer has a repeat purchase"):
        BetaGeoBeta().fit([0, 0], [0, 0], [6, 6])
