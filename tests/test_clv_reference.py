"""CLV models against the published reference results (CDNOW and donations data).

Sources: ../shared/datasets/README.md and data/external/README.md, which collect them from
Fader, Hardie & Lee (2005) "Counting your customers the easy way" (BG/NBD, Marketing Science
24(2)); Fader, Hardie & Lee (2005) "A note on implementing the Pareto/NBD model in MATLAB";
Fader & Hardie (2013) "The Gamma-Gamma model of monetary value"; Fader, Hardie & Shang (2010)
"Customer-base analysis in a discrete-time noncontractual setting" (BG/BB, Marketing Science
29(6)).
"""

import numpy as np
import pandas as pd
import pytest

from tests.conftest import EXTERNAL
from workbench.clv import BetaGeo, BetaGeoBeta, GammaGamma, ParetoNBD
from workbench.summary import customer_summary


def published_digits(value: float, published: float) -> float:
    """``value`` rounded to as many decimals as ``published`` shows."""
    text = repr(published)
    decimals = len(text.split(".")[1]) if "." in text else 0
    return round(value, decimals)


def sig3(value: float) -> float:
    return float(f"{value:.3g}")


def assert_matches_paper(params: dict, published: dict) -> None:
    for name, value in published.items():
        assert sig3(params[name]) == sig3(value), (name, params[name], value)
        assert published_digits(params[name], value) == value, (name, params[name], value)


@pytest.fixture(scope="module")
def cdnow(cdnow_transactions) -> pd.DataFrame:
    # The papers' calibration period: 1997-01-01 .. 1997-09-30, weeks with daily precision.
    return customer_summary(cdnow_transactions, "1997-09-30", "W", holdout_end="1998-06-30")


@pytest.fixture(scope="module")
def bgnbd(cdnow) -> BetaGeo:
    return BetaGeo().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])


def test_bgnbd_cdnow_parameters_and_log_likelihood(bgnbd):
    # Fader, Hardie & Lee (2005), Marketing Science 24(2), section 4: r = 0.243,
    # alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4.
    assert_matches_paper(bgnbd.params_, {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    assert round(bgnbd.log_likelihood_, 1) == -9582.4
    assert bgnbd.converged_ and bgnbd.n_customers_ == 2357
    assert all(0 < se < v for v, se in zip(bgnbd.params_.values(),
                                           bgnbd.standard_errors_.values()))
    ci = bgnbd.confidence_intervals_
    assert (ci["lower"] < pd.Series(bgnbd.params_)).all()
    assert (pd.Series(bgnbd.params_) < ci["upper"]).all()


def test_bgnbd_conditional_expectation_of_customer_with_x2(bgnbd):
    # FHL (2005), section 4: a customer with x = 2, t_x = 30.43, T = 38.86 is expected to make
    # 1.226 purchases in the next 39 weeks.
    assert round(float(bgnbd.predict_purchases(39, 2, 30.43, 38.86)), 3) == 1.226


def test_bgnbd_unconditional_expectation_matches_hardies_spreadsheet(bgnbd):
    # E[X(t)] from Hardie's BG/NBD Excel implementation (note 004), as checked to 3 decimals
    # in lifetimes' test_expectation_returns_same_value_Hardie_excel_sheet; E[X(78)] = 1.8576.
    # The exact value at the MLE is 1.85796: the spreadsheet truncates the 2F1 series
    # (z = 78 / (alpha + 78) = 0.95 converges slowly), which lowers it in the 4th decimal.
    times = np.array([0.1429, 1.0, 3.0, 31.8571, 32.0, 78.0])
    sheet = np.array([0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576])
    np.testing.assert_allclose(bgnbd.expected_purchases(times), sheet, atol=5e-4)
    assert round(float(bgnbd.expected_purchases(78)), 4) == 1.8580


def test_pareto_nbd_cdnow_parameters_and_log_likelihood(cdnow):
    # Fader, Hardie & Lee (2005), "A note on implementing the Pareto/NBD model in MATLAB":
    # r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669, LL = -9594.98.
    model = ParetoNBD().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert_matches_paper(model.params_, {"r": 0.553, "alpha": 10.578, "s": 0.606,
                                         "beta": 11.669})
    assert round(model.log_likelihood_, 1) == -9595.0
    assert round(model.log_likelihood_, 2) == -9594.98
    assert model.converged_


def test_gamma_gamma_cdnow_repeat_buyers(cdnow):
    # Fader & Hardie (2013), "The Gamma-Gamma model of monetary value": 946 repeat buyers,
    # mean repeat-transaction value; p = 6.25, q = 3.74, gamma = 15.44; correlation between
    # frequency and average spend 0.11.
    model = GammaGamma().fit(cdnow["x"], cdnow["mean_repeat_value"])
    assert model.n_customers_ == 946 and model.n_no_repeat_ == 1411
    assert_matches_paper(model.params_, {"p": 6.25, "q": 3.74, "gamma": 15.44})
    assert round(model.frequency_spend_correlation_, 2) == 0.11
    assert model.n_nonpositive_ == 0


@pytest.fixture(scope="module")
def donations() -> pd.DataFrame:
    return pd.read_csv(EXTERNAL / "donations" / "donations.csv")


def test_bgbb_donations(donations):
    # Fader, Hardie & Shang (2010), Marketing Science 29(6): 11,104 donors, 6 opportunities;
    # alpha = 1.204, beta = 0.750, gamma = 0.657, delta = 2.783, LL = -33,225.6.
    assert donations["weights"].sum() == 11104 and len(donations) == 22
    model = BetaGeoBeta().fit(donations["frequency"], donations["recency"],
                              donations["periods"], donations["weights"])
    assert_matches_paper(model.params_, {"alpha": 1.204, "beta": 0.750, "gamma": 0.657,
                                         "delta": 2.783})
    assert round(model.log_likelihood_, 1) == -33225.6
    # P(alive in 2002) for the patterns (x=0), (x=2, t_x=4), (x=6, t_x=6) observed over
    # 1996-2001 (n = 6): 0.11, 0.59, 0.93 (FHS 2010, section 4).
    alive = model.prob_alive([0, 2, 6], [0, 4, 6], 6)
    np.testing.assert_array_equal(np.round(alive, 2), [0.11, 0.59, 0.93])
    # The model's expected repeat donations in the 6 years equal the data's mean (its fit to
    # the marginal distribution, FHS 2010 figure 3), within sampling error.
    observed = (donations["frequency"] * donations["weights"]).sum() / 11104
    assert float(model.expected_purchases(6)) == pytest.approx(observed, rel=0.02)
