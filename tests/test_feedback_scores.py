"""NPS, CSAT and CES with their intervals, checked against calculations done by hand.

Hand calculations (z = 1.959964 for 95%):
- NPS of [10, 9, 9, 9, 8, 7, 6, 2]: p_P = 4/8, p_D = 2/8, NPS = 25;
  Var = (0.5 + 0.25 - 0.25**2) / 8 = 0.0859375, se = 100 sqrt(Var) = 29.3151.
  Adjusted Wald interval (Rocks 2016: +3/4 promoter, +3/4 detractor, n + 3):
  p_P' = 4.75/11 = 0.431818, p_D' = 2.75/11 = 0.25, centre 18.1818;
  Var' = (0.681818 - 0.181818**2) / 11 = 0.0589782, half z 100 sqrt(Var') = 47.5985,
  interval -29.4167 to 65.7803.
- NPS of [10, 10, 9, 8, 7, 6, 5, 0, 10, 3]: 4 promoters, 4 detractors, NPS = 0,
  se = 100 sqrt(0.8 / 10) = 28.2843; adjusted p_P' = p_D' = 4.75/13, Var' = 0.730769 / 13,
  interval ± 46.4693.
- NPS of [10, 10, 9]: 100, se 0; adjusted p_P' = 3.75/6, p_D' = 0.75/6, centre 50,
  Var' = (0.75 - 0.25) / 6, half 56.5792: interval -6.5792 to 100 (clipped).
- CSAT [5, 5, 4, 3, 2, 5, 4, 1, 5, 4]: top-two-box 7/10; Wilson centre
  (0.7 + z²/20) / (1 + z²/10) = 0.644491, half-width z sqrt(0.021 + z²/400) / (1 + z²/10)
  = 0.247719; mean 3.8, sd sqrt(17.6 / 9) = 1.398412, t(0.975, 9) = 2.262157, half 1.000364.
- CES [1, 2, 2, 3, 7]: mean 3, sd sqrt(22 / 4) = 2.345208, t(0.975, 4) = 2.776445, half 2.911957.
- Change 25 - 0 with se sqrt(29.3151² + 28.2843²) = 40.7354: z = 0.61372, p = 0.5394.
"""

import numpy as np
import pandas as pd
import pytest

from workbench.feedback.scores import (
    ces_estimate,
    compare,
    csat_estimate,
    nps_estimate,
    nps_group,
    period_change,
    score_summary,
    scores_by,
    scores_by_month,
)

A = [10, 9, 9, 9, 8, 7, 6, 2]
B = [10, 10, 9, 8, 7, 6, 5, 0, 10, 3]


def test_nps_and_its_interval_by_hand():
    e = nps_estimate(A)
    assert (e["n"], e["promoters"], e["passives"], e["detractors"]) == (8, 4, 2, 2)
    assert e["nps"] == pytest.approx(25.0)
    assert e["se"] == pytest.approx(29.3151, abs=1e-4)
    assert e["low"] == pytest.approx(-29.4167, abs=1e-3)
    assert e["high"] == pytest.approx(65.7803, abs=1e-3)
    e = nps_estimate(B)
    assert e["nps"] == pytest.approx(0.0) and e["se"] == pytest.approx(28.2843, abs=1e-4)
    assert (e["low"], e["high"]) == pytest.approx((-46.4693, 46.4693), abs=1e-3)


def test_nps_interval_is_clipped_and_empty_is_nan():
    e = nps_estimate([10, 10, 9])
    assert e["nps"] == 100 and e["high"] == 100 and e["se"] == 0
    assert e["low"] == pytest.approx(-6.5792, abs=1e-3)
    e = nps_estimate([np.nan, None])
    assert e["n"] == 0 and np.isnan(e["nps"])


def test_csat_top_two_box_wilson_and_mean_t_interval_by_hand():
    e = csat_estimate([5, 5, 4, 3, 2, 5, 4, 1, 5, 4])
    assert e["top2_share"] == pytest.approx(0.7)
    assert e["top2_low"] == pytest.approx(0.644491 - 0.247719, abs=1e-5)
    assert e["top2_high"] == pytest.approx(0.644491 + 0.247719, abs=1e-5)
    assert e["mean"] == pytest.approx(3.8)
    assert (e["mean_low"], e["mean_high"]) == pytest.approx((3.8 - 1.000364, 3.8 + 1.000364), abs=1e-5)


def test_ces_mean_t_interval_by_hand():
    e = ces_estimate([1, 2, 2, 3, 7, np.nan])
    assert e["n"] == 5 and e["mean"] == pytest.approx(3.0)
    assert (e["low"], e["high"]) == pytest.approx((3 - 2.911957, 3 + 2.911957), abs=1e-5)


def test_change_between_periods_is_tested_by_hand():
    c = compare(A, B, "nps")
    assert c["change"] == pytest.approx(25.0)
    assert c["se"] == pytest.approx(40.7354, abs=1e-3)
    assert c["statistic"] == pytest.approx(0.61372, abs=1e-4)
    assert c["p_value"] == pytest.approx(0.5394, abs=1e-3)
    assert not c["significant"]
    # Same shares, 100x the answers: the same 25-point change is now real.
    big = compare(A * 100, B * 100, "nps")
    assert big["se"] == pytest.approx(4.07354, abs=1e-4) and big["significant"]
    means = compare([4, 5, 5, 4, 5], [2, 3, 2, 3, 2], "csat_mean")
    assert means["change"] == pytest.approx(2.2) and means["significant"]


def test_nps_groups():
    groups = nps_group(pd.Series([10, 9, 8, 7, 6, 0, np.nan]))
    assert groups.tolist()[:6] == ["promoter", "promoter", "passive", "passive", "detractor", "detractor"]
    assert pd.isna(groups.iloc[6])


def _feedback():
    when = pd.to_datetime(["2024-01-05"] * 8 + ["2024-03-10"] * 10)
    return pd.DataFrame({"customer_id": [str(i) for i in range(18)], "submitted_at": when,
                         "nps": A + B, "csat": [5] * 18, "channel": ["a"] * 8 + ["b"] * 10})


def test_summary_by_group_and_month_match_the_estimates():
    fb = _feedback()
    summary = score_summary(fb).set_index("metric")
    assert list(summary.index) == ["nps", "csat_top2", "csat_mean"]  # no CES column
    assert summary.loc["nps", "value"] == pytest.approx(nps_estimate(A + B)["nps"])
    by = scores_by(fb, "channel", min_n=9).set_index("channel")
    assert by.loc["a", "nps"] == pytest.approx(25.0) and by.loc["b", "nps"] == pytest.approx(0.0)
    assert by.loc["a", "small"] and not by.loc["b", "small"]
    monthly = scores_by_month(fb)
    assert monthly["month"].astype(str).tolist() == ["2024-01", "2024-02", "2024-03"]
    assert monthly["responses"].tolist() == [8, 0, 10]


def test_period_change_splits_at_as_of():
    fb = _feedback()
    table = period_change(fb, pd.Timestamp("2024-03-31"), days=60).set_index("metric")
    assert table.loc["nps", "n_current"] == 10 and table.loc["nps", "n_previous"] == 8
    assert table.loc["nps", "change"] == pytest.approx(-25.0)
