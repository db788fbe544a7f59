"""Renewal points, due renewals, ARR at risk and the action rules, on hand-built periods."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.success import data, health, renewals


def _periods(rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "subscription_id", "start_date",
                                        "end_date", "mrr", "billing_period"])
    return data.validate_subscriptions(frame)[0]


ROWS = [
    # annual from 2024-01-31: renewal dates 2025-01-31, 2026-01-31; ran through both
    ("A", "SA", "2024-01-31", None, 100.0, "annual"),
    # annual from 2024-03-01, ends the day before its first renewal: lapsed
    ("B", "SB", "2024-03-01", "2025-02-28", 80.0, "annual"),
    # monthly from 2025-01-31: renewal dates Feb 28, Mar 31, Apr 30; cancelled after April
    ("C", "SC", "2025-01-31", "2025-04-30", 10.0, "monthly"),
    # an upgrade mid-term is not a renewal: one annual point on 2025-06-01, renewed
    ("D", "SD", "2024-06-01", "2024-09-14", 50.0, "annual"),
    ("D", "SD", "2024-09-15", None, 70.0, "annual"),
]


def test_renewal_points_by_hand():
    points = renewals.renewal_points(_periods(ROWS), pd.Timestamp("2025-06-30"))
    got = {(r.subscription_id, r.renewal_date.strftime("%Y-%m-%d")): bool(r.renewed)
           for r in points.itertuples()}
    assert got == {
        ("SA", "2025-01-31"): True,
        ("SB", "2025-03-01"): False,
        ("SC", "2025-02-28"): True, ("SC", "2025-03-31"): True, ("SC", "2025-04-30"): True,
        ("SC", "2025-05-31"): False,
        ("SD", "2025-06-01"): True,
    }
    rate = renewals.renewal_rate(points, pd.Timestamp("2025-06-30"))
    assert (rate["came_up"], rate["renewed"]) == (7, 5)


def test_due_renewals_next_date_and_arr():
    due = renewals.due_renewals(_periods(ROWS), pd.Timestamp("2025-04-15"), horizon_days=90)
    got = dict(zip(due["subscription_id"], due["renewal_date"].dt.strftime("%Y-%m-%d")))
    # SA next renews 2026-01-31 (beyond 90 days); SC on Apr 30; SD on 2025-06-01
    assert got == {"SC": "2025-04-30", "SD": "2025-06-01"}
    assert due.set_index("subscription_id").loc["SD", "arr"] == 70.0 * 12


def test_recommended_action_rules():
    groups = {"usage_trend": "usage", "tickets_90d": "support"}
    assert renewals.recommended_action(0.9, "red", ["usage_trend"], groups) == "renewal_on_track"
    assert renewals.recommended_action(0.3, "red", ["usage_trend"], groups) == "executive_escalation"
    assert renewals.recommended_action(0.6, "yellow", ["tickets_90d"], groups) == "support_review"
    assert renewals.recommended_action(0.6, "green", [], groups) == "renewal_call"


def _synthetic(n=120, seed=0):
    """Monthly subscriptions; accounts with events keep renewing, silent ones lapse."""
    rng = np.random.default_rng(seed)
    rows, events = [], []
    for i in range(n):
        start = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 60)))
        active = rng.random() < 0.7
        months = 24 if active else int(rng.integers(3, 23))
        end = (start + pd.DateOffset(months=months) - pd.Timedelta(days=1)) if not active else None
        rows.append((f"C{i}", f"S{i}", start, end, float(rng.integers(5, 50) * 10), "monthly"))
        last = end if end is not None else pd.Timestamp("2025-12-31")
        for day in pd.date_range(start, last, freq="5D"):
            fading = end is not None and day > end - pd.Timedelta(days=60)
            if not fading or rng.random() < 0.1:
                events.append((f"C{i}", day, "login"))
    ev = pd.DataFrame(events, columns=["customer_id", "timestamp", "event"])
    return _periods(rows), ev


def test_arr_at_risk_and_reasons():
    periods, events = _synthetic()
    cfg = health.load_config()
    table, model = renewals.renewals_at_risk(periods, None, events, None, cfg,
                                             pd.Timestamp("2025-10-31"), horizon_days=45)
    assert model is not None and len(table) > 0
    assert np.allclose(table["arr_at_risk"], table["arr"] * (1 - table["renewal_probability"]))
    assert table["arr_at_risk"].is_monotonic_decreasing
    assert set(table["recommended_action"]) <= set(renewals.ACTIONS)
    # usage is what separates renewals here: the model leans on the usage measures
    assert model.coef_[["usage_30d"]].iloc[0] > 0
    assert table["owner"].isna().all()  # no customers table: no owner


def test_model_features_ignore_later_events():
    periods, events = _synthetic(40, seed=1)
    cfg = health.load_config()
    points = renewals.renewal_points(periods, pd.Timestamp("2025-10-31")).head(50)
    pairs = points.assign(date=points["renewal_date"] - pd.Timedelta(days=15))
    before = renewals.model_features(pairs, cfg, periods, events, None)
    cut = events[events["timestamp"] <= pairs["date"].min()]
    # dropping every event after the earliest cut leaves that cut's features unchanged
    first = pairs["date"] == pairs["date"].min()
    after = renewals.model_features(pairs[first], cfg, periods, cut, None)
    cols = [m.name for m in cfg.measures]
    pd.testing.assert_frame_equal(before.loc[first.to_numpy(), cols].reset_index(drop=True),
                                  after[cols].reset_index(drop=True))


def test_model_beats_health_on_synthetic():
    periods, events = _synthetic(150, seed=2)
    cfg = health.load_config()
    points = renewals.renewal_points(periods, pd.Timestamp("2025-12-31"))
    cmp = renewals.compare_with_health(points, cfg, periods, events, None,
                                       pd.Timestamp("2025-12-31"), test_days=240)
    assert cmp["n_test"] > 0 and cmp["model_auc"] > 0.7
    assert isinstance(cmp["beats_health"], bool)


def test_expansion_flags_seats_near_limit():
    frame = pd.DataFrame({"customer_id": ["A", "B"], "subscription_id": ["SA", "SB"],
                          "start_date": ["2024-01-01"] * 2, "end_date": [None, None],
                          "mrr": [100.0, 100.0], "plan": ["pro", "pro"], "seats": [58, 10]})
    periods = data.validate_subscriptions(frame)[0]
    scored = pd.DataFrame({"customer_id": ["A", "B"], "date": pd.Timestamp("2024-06-01"),
                           "usage_trend": [0.0, 0.25], "health_band": ["green", "green"]})
    out = renewals.expansion_candidates(periods, scored, seat_limits={"pro": 60})
    assert out["customer_id"].tolist() == ["A", "B"]
    assert out.set_index("customer_id").loc["A", "reasons"] == "seats_near_limit"
    assert out.set_index("customer_id").loc["B", "reasons"] == "usage_growth"
    assert out.set_index("customer_id").loc["B", "propensity"] == pytest.approx(0.25)
