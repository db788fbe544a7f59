"""The models recover what the demo generator planted (workbench.demo, truth/params.json).

The generator draws BG/NBD purchase times (weeks) and Gamma-Gamma order values from known
parameters, with time of day and to-the-second timestamps. Two ways to summarise it:

* per order, with exact timestamps: x = orders - 1, t_x and T in continuous weeks. This is the
  process the generator simulates, and the fitted parameters must land within 3 standard
  errors of the truth;
* per day, as the BTYD literature and the report do (``customer_summary``): orders of one
  customer on one day merge into one transaction. The demo's heavy buyers place about 2.7% of
  their repeat orders on a day they already bought, so r and alpha come out about 3 and 4.6
  standard errors high (a misfit of the daily convention to a continuous-time simulation, not
  of the estimator). The report's holdout check works on that daily summary and must still
  predict the holdout total within 5%.
"""

import json

import numpy as np
import pandas as pd
import pytest

from workbench.clv import BetaGeo, GammaGamma, plan_validation, validate


@pytest.fixture(scope="module")
def demo(full_demo):
    folder, dataset = full_demo  # the default demo's BTYD truth (no campaigns planted)
    truth = json.loads((folder / "truth" / "params.json").read_text(encoding="utf-8"))
    return dataset.transactions, truth


def order_level_summary(transactions: pd.DataFrame, end_date: str) -> pd.DataFrame:
    """x, t_x, T (weeks, to the second) and mean repeat order value, one row per customer."""
    orders = (transactions.groupby(["customer_id", "order_id"], as_index=False)
              .agg(ts=("order_date", "min"), value=("amount", "sum"))
              .sort_values(["customer_id", "ts", "order_id"]))
    by = orders.groupby("customer_id")
    first, last, n = by["ts"].min(), by["ts"].max(), by.size()
    total, first_value = by["value"].sum(), by["value"].first()
    end = pd.Timestamp(end_date) + pd.Timedelta(days=1)  # the window ends with its last day
    week = pd.Timedelta(weeks=1)
    return pd.DataFrame({"x": (n - 1).astype(float), "t_x": (last - first) / week,
                         "T": (end - first) / week,
                         "mean_repeat_value": ((total - first_value) / (n - 1)).where(n > 1)})


def within_three_se(model, truth: dict) -> dict[str, float]:
    z = {k: (model.params_[k] - v) / model.standard_errors_[k] for k, v in truth.items()}
    assert all(abs(v) < 3 for v in z.values()), z
    return z


def test_bgnbd_and_gamma_gamma_recover_the_planted_parameters(demo):
    transactions, truth = demo
    stats = order_level_summary(transactions, truth["end_date"])
    assert len(stats) == truth["buyers"] and stats["x"].sum() + len(stats) == truth["orders"]
    bgnbd = BetaGeo().fit(stats["x"], stats["t_x"], stats["T"])
    within_three_se(bgnbd, truth["bgnbd"])  # truth: r 0.9, alpha 4.0, a 0.8, b 6.0 (weeks)
    spend = GammaGamma().fit(stats["x"], stats["mean_repeat_value"])
    within_three_se(spend, truth["gamma_gamma"])  # truth: p 6, q 4, gamma 130 (RMB)
    assert spend.n_nonpositive_ == 0
    assert abs(spend.frequency_spend_correlation_) < 0.05  # planted independently
    assert spend.mean_spend_ == pytest.approx(truth["mean_order_value"], rel=0.05)


def test_holdout_forecast_of_the_report_within_five_percent(demo):
    transactions, truth = demo
    end = pd.Timestamp(truth["end_date"])
    plan = plan_validation(transactions, end)  # the report's automatic split: last 26 weeks
    assert plan.automatic and (end - plan.calibration_end).days == 182
    # Issue 6 acceptance: the planted model (BG/NBD) forecasts the holdout total within 5%
    # (measured: +0.4%). Pareto/NBD is the wrong model for these data (dropout only right
    # after purchases, not in continuous time); it over-forecasts by about 6%.
    for model, tolerance in (("bgnbd", 0.05), ("paretonbd", 0.08)):
        result = validate(transactions, plan, model=model, unit="W")
        m = result.metrics
        assert result.ok and m["actual_total"] > 20_000
        assert abs(m["predicted_total"] / m["actual_total"] - 1) < tolerance, (model, m)
        # customers who bought more before also buy more in the holdout, as predicted
        table = result.by_frequency
        assert np.corrcoef(table["actual"], table["predicted"])[0, 1] > 0.95
