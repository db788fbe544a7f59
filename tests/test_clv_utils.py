"""Calibration/holdout split, validation metrics, tracking, CLV and tiers."""

import numpy as np
import pandas as pd
import pytest

from workbench.clv import (
    BetaGeo,
    ParetoNBD,
    assign_clv_tiers,
    calibration_holdout_split,
    clv_tier_summary,
    customer_lifetime_value,
    falling_prob_alive,
    frequency_fit_table,
    holdout_by_frequency,
    holdout_metrics,
    prob_alive_matrix,
    tracking_data,
)
from workbench.summary import customer_summary

CDNOW_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


@pytest.fixture(scope="module")
def split(cdnow_transactions) -> pd.DataFrame:
    return calibration_holdout_split(cdnow_transactions, "1997-09-30", "1998-06-30")


@pytest.fixture(scope="module")
def model(split) -> BetaGeo:
    return BetaGeo().fit(split["x"], split["t_x"], split["T"])


def test_split_reproduces_the_cdnow_periods(split, cdnow_transactions):
    # FHL (2005): 2,357 customers, 2,457 repeat transactions in the 39-week calibration
    # period and 1,882 in the 39-week holdout.
    assert len(split) == 2357 and split["x"].sum() == 2457
    assert split["x_holdout"].sum() == 1882 and (split["holdout_length"] == 39.0).all()
    default_end = calibration_holdout_split(cdnow_transactions, "1997-09-30")
    assert default_end["x_holdout"].sum() == 1882  # holdout_end defaults to the last date
    with pytest.raises(ValueError, match="must be after"):
        calibration_holdout_split(cdnow_transactions, "1997-09-30", "1997-09-01")
    with pytest.raises(ValueError, match="before the first transaction"):
        calibration_holdout_split(cdnow_transactions, "1990-01-01")
    with pytest.raises(ValueError, match="need the column"):
        calibration_holdout_split(cdnow_transactions.drop(columns="amount"), "1997-09-30")


def test_holdout_metrics(split, model):
    m = holdout_metrics(model, split)
    predicted = model.predict_purchases(39.0, split["x"], split["t_x"], split["T"])
    assert m["actual_total"] == 1882 and m["customers"] == 2357
    assert m["predicted_total"] == pytest.approx(predicted.sum())
    assert m["error_share"] == pytest.approx(predicted.sum() / 1882 - 1)
    err = predicted - split["x_holdout"].to_numpy()
    assert m["mae"] == pytest.approx(np.abs(err).mean()) and m["rmse"] == pytest.approx(
        np.sqrt((err ** 2).mean()))
    assert 0.5 < m["correlation"] < 0.8
    # BG/NBD under-forecasts the CDNOW holdout total (about 1,653 vs 1,882 repeat purchases).
    assert 1600 < m["predicted_total"] < 1700


def test_holdout_by_frequency_pools_the_tail(split, model):
    table = holdout_by_frequency(model, split, max_frequency=7)
    assert table["frequency"].tolist() == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert table["customers"].sum() == 2357 and table["customers"].iloc[0] == 1411
    assert table.loc[0, "actual"] == pytest.approx(split.loc[split["x"] == 0, "x_holdout"].mean())
    assert table["predicted"].is_monotonic_increasing  # more past purchases, more expected


def test_frequency_fit_table(split, model):
    table = frequency_fit_table(model, split["x"], split["T"], max_frequency=7)
    assert table["actual"].sum() == 2357 and table["expected"].sum() == pytest.approx(2357)
    assert table["actual"].iloc[0] == 1411
    assert table["expected"].iloc[0] == pytest.approx(1411, rel=0.01)  # the model fits x = 0


def test_tracking_data_counts_every_repeat_transaction(split, model, cdnow_transactions):
    tracking = tracking_data(cdnow_transactions, model, "1997-09-30", "1998-06-30")
    assert len(tracking) == 78 and tracking.attrs == {"calibration_period": 39, "unit": "W"}
    assert tracking["period_start"].iloc[0] == pd.Timestamp("1997-01-01")
    # 2,457 calibration + 1,882 holdout repeat transactions.
    assert tracking["actual"].iloc[:39].sum() == 2457 and tracking["actual_cum"].iloc[-1] == 4339
    # At the end of the calibration period the cumulative forecast is sum_i E[X(T_i)].
    assert tracking["predicted_cum"].iloc[38] == pytest.approx(
        model.expected_purchases(split["T"]).sum())
    np.testing.assert_allclose(tracking["predicted"].cumsum(), tracking["predicted_cum"])


def test_clv_without_discount_is_spend_times_expected_purchases(split, model):
    x, t_x, T = split["x"], split["t_x"], split["T"]
    spend = np.linspace(10, 50, len(split))
    plain = customer_lifetime_value(model, x, t_x, T, spend, horizon=52, unit="W",
                                    discount_rate=0.0, margin=1.0)
    np.testing.assert_allclose(plain, spend * model.predict_purchases(52, x, t_x, T), rtol=1e-12)
    discounted = customer_lifetime_value(model, x, t_x, T, spend, horizon=52, unit="W",
                                         discount_rate=0.15, margin=0.3)
    assert np.all(discounted < 0.3 * plain) and np.all(discounted > 0.3 * plain / 1.15)
    # Half a year at 10% a year: each purchase is discounted by at most 1.1^0.5.
    half = customer_lifetime_value(model, x, t_x, T, 20.0, horizon=26.5, unit="W",
                                   discount_rate=0.10)
    undiscounted = 20.0 * model.predict_purchases(26.5, x, t_x, T)
    assert np.all(half <= undiscounted) and np.all(half >= undiscounted / 1.1 ** 0.51)
    with pytest.raises(ValueError, match="unit must be one of"):
        customer_lifetime_value(model, x, t_x, T, 20.0, horizon=52, unit="weeks")
    with pytest.raises(ValueError, match="horizon must be positive"):
        customer_lifetime_value(model, x, t_x, T, 20.0, horizon=0, unit="W")


def test_clv_in_days_matches_weeks(cdnow_transactions):
    # The same year in days or weeks gives nearly the same CLV (daily vs weekly steps).
    weeks = customer_summary(cdnow_transactions, "1997-09-30", "W")
    days = customer_summary(cdnow_transactions, "1997-09-30", "D")
    mw = ParetoNBD().fit(weeks["x"], weeks["t_x"], weeks["T"])
    md = ParetoNBD().fit(days["x"], days["t_x"], days["T"])
    cw = customer_lifetime_value(mw, weeks["x"], weeks["t_x"], weeks["T"], 30.0, horizon=52,
                                 unit="W", discount_rate=0.1)
    cd = customer_lifetime_value(md, days["x"], days["t_x"], days["T"], 30.0, horizon=364,
                                 unit="D", discount_rate=0.1)
    np.testing.assert_allclose(cd, cw, rtol=2e-3)


def test_tiers_and_their_summary():
    clv = np.array([5.0, 100.0, 1.0, 50.0, 3.0, 3.0, 20.0, 0.5, 8.0, 2.0])
    tiers = assign_clv_tiers(clv)
    assert tiers.tolist() == ["C", "A", "D", "B", "C", "D", "B", "D", "C", "D"]
    summary = clv_tier_summary(clv, tiers, prob_alive=np.linspace(0.1, 1.0, 10))
    assert summary["tier"].tolist() == ["A", "B", "C", "D"]
    assert summary["customers"].tolist() == [1, 2, 3, 4]
    assert summary["value_share"].sum() == pytest.approx(1.0)
    assert summary.loc[0, "value_share"] == pytest.approx(100 / clv.sum())
    big = assign_clv_tiers(np.arange(1000.0))
    assert (pd.Series(big).value_counts().sort_index() == [100, 200, 300, 400]).all()


def test_prob_alive_matrix():
    model = BetaGeo.from_params(CDNOW_BGNBD)
    matrix = prob_alive_matrix(model, T=39.0, max_frequency=10, n_recency=14)
    assert matrix.shape == (14, 11) and matrix.index[-1] == 39.0
    assert matrix.loc[0.0, 0] == 1.0 and matrix.iloc[1:, 0].isna().all()
    assert (matrix.iloc[:, 1:].diff().iloc[1:] > 0).all().all()  # later purchase, more alive


def test_falling_prob_alive_lists_high_value_customers_only():
    model = BetaGeo.from_params(CDNOW_BGNBD)
    current = pd.DataFrame({
        "customer_id": ["a", "b", "c", "d", "e"], "monetary": [900.0, 800.0, 700.0, 50.0, 40.0],
        "x": [6, 6, 3, 6, 1], "t_x": [20.0, 38.0, 20.0, 20.0, 5.0], "T": [39.0] * 5,
        "last_purchase": pd.to_datetime(["1997-03-12"] * 5)})
    earlier = current.assign(T=26.0)  # 13 weeks earlier, no purchase since for a, c, d, e
    earlier.loc[1, ["x", "t_x"]] = [5, 20.0]
    out = falling_prob_alive(model, current, earlier, top_share=0.4, min_drop=0.10)
    # a (0.70 -> 0.20) and c (0.73 -> 0.46) lost P(alive) since; b bought recently; d and e
    # are not high-value (top 40% by revenue: a and b).
    assert out["customer_id"].tolist() == ["a"]
    assert out.loc[0, "prob_alive_before"] - out.loc[0, "prob_alive"] == pytest.approx(
        out.loc[0, "drop"])
    wider = falling_prob_alive(model, current, earlier, top_share=0.6, min_drop=0.10)
    assert wider["customer_id"].tolist() == ["a", "c"]
