"""Health config validation, points, scores and leakage safety of the measures."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import yaml

from workbench.success import data, health, signals

DEFAULT = yaml.safe_load(health.DEFAULT_CONFIG.read_text("utf-8"))


def _bad(mutate):
    raw = copy.deepcopy(DEFAULT)
    mutate(raw)
    return raw


@pytest.mark.parametrize("mutate, where", [
    (lambda r: r["measures"]["usage_30d"].update(windw=30), r"measures\.usage_30d\.windw: unknown key"),
    (lambda r: r["measures"]["usage_30d"].update(direction="up"), r"measures\.usage_30d\.direction"),
    (lambda r: r["measures"]["usage_30d"].update(group="sales"), r"measures\.usage_30d\.group"),
    (lambda r: r["measures"]["usage_30d"].update(thresholds=[4, 1]), r"usage_30d\.thresholds: must be strictly"),
    (lambda r: r["measures"]["usage_30d"].update(points=[[0, 0], [1, 100]]), r"usage_30d: give either"),
    (lambda r: r["measures"]["usage_trend"].update(direction="lower"), r"usage_trend\.points: points must fall"),
    (lambda r: r["measures"]["tickets_90d"].update(weight=0), r"tickets_90d\.weight: must be > 0"),
    (lambda r: r["measures"]["nps_last"].update(field="stars"), r"nps_last\.field"),
    (lambda r: r["profiles"]["onboarding"]["weights"].update(nope=1), r"profiles\.onboarding\.weights\.nope: no such measure"),
    (lambda r: r["profiles"].update(renewal={}), r"profiles\.renewal: unknown stage"),
    (lambda r: r.update(band={}), r"band: unknown key"),
    (lambda r: r["bands"].update(red=80), r"bands: need 0 < red < yellow"),
])
def test_bad_entries_are_named(mutate, where):
    with pytest.raises(health.HealthConfigError, match=where):
        health.load_config(_bad(mutate))


def test_default_config_loads_every_measure():
    cfg = health.load_config()
    assert [m.name for m in cfg.measures] == list(DEFAULT["measures"])
    assert cfg.weights("onboarding")["usage_trend"] == 0
    assert cfg.weights("established")["usage_trend"] == DEFAULT["measures"]["usage_trend"]["weight"]
    assert health.load_config(onboarding_days=30).onboarding_days == 30


def test_points_from_thresholds_and_pairs():
    cfg = health.load_config()
    by = {m.name: m for m in cfg.measures}
    # thresholds [1, 4, 8, 15], higher: 0 below 1, then 25, 50, 75, 100 from 15 on
    assert by["usage_30d"].to_points(np.array([0, 1, 5, 15, np.nan])).tolist()[:4] == [0, 25, 50, 100]
    # lower is better: tickets [1, 2, 4]: 0 tickets 100 points, 4 or more 0
    assert by["tickets_90d"].to_points(np.array([0, 1, 3, 4])).tolist() == pytest.approx(
        [100, 200 / 3, 100 / 3, 0])
    # pairs are interpolated: halfway between -0.3 (40) and 0.0 (80) is 60
    assert by["usage_trend"].to_points(np.array([-0.15]))[0] == pytest.approx(60)


def _periods():
    frame = pd.DataFrame({"customer_id": ["A", "B"], "subscription_id": ["S1", "S2"],
                          "start_date": ["2024-01-01", "2024-06-01"], "end_date": [None, None],
                          "mrr": [100.0, 50.0]})
    return data.validate_subscriptions(frame)[0]


def test_measures_use_only_data_up_to_the_day():
    periods = _periods()
    cfg = health.load_config()
    days = pd.to_datetime(["2024-03-01", "2024-03-05", "2024-03-10", "2024-04-20"])
    events = pd.DataFrame({"customer_id": "A", "timestamp": days, "event": "login"})
    pairs = pd.DataFrame({"customer_id": ["A", "A"], "date": pd.to_datetime(["2024-03-05", "2024-03-31"])})
    values = health.measure_values(pairs, cfg, periods, events, None)
    # Mar 5: Mar 1 and Mar 5 are in (Feb 4, Mar 5]; Mar 31: Mar 5 and Mar 10 are in
    # (Mar 1, Mar 31]; the Apr 20 event is never seen
    assert values["usage_30d"].tolist() == [2.0, 2.0]
    assert values["days_since_use"].tolist() == [0.0, 21.0]
    later = pd.concat([events, pd.DataFrame({"customer_id": ["A"], "timestamp": [pd.Timestamp("2024-03-06")],
                                             "event": ["login"]})])
    assert health.measure_values(pairs.head(1), cfg, periods, later, None)["usage_30d"].tolist() == [2.0]
    # Mar 5 is day 64 after the Jan 1 start: onboarding; Mar 31 is day 90: established
    assert values["stage"].tolist() == ["onboarding", "established"]


def test_score_renormalises_missing_measures():
    cfg = health.load_config({"measures": {
        "use": {"group": "usage", "kind": "event_count", "window": 30, "direction": "higher",
                "thresholds": [1], "weight": 1},
        "nps": {"group": "feedback", "kind": "last_score", "window": 365, "direction": "higher",
                "thresholds": [7], "weight": 3}}})
    values = pd.DataFrame({"customer_id": ["A", "B"], "date": pd.Timestamp("2024-05-01"),
                           "stage": "established", "use": [5.0, 0.0], "nps": [np.nan, 9.0]})
    scored = health.score(values, cfg)
    # A: only usage (100); B: usage 0 (weight 1) and NPS 100 (weight 3) -> 75
    assert scored["health_score"].tolist() == [100.0, 75.0]
    assert scored["health_band"].tolist() == ["green", "green"]


def test_declines_lists_falls():
    history = pd.DataFrame({"customer_id": ["A", "A", "A", "B", "B", "B"],
                            "lag_days": [0, 7, 30] * 2,
                            "health_score": [40, 45, 80, 70, 72, 71]})
    out = health.declines(history)
    assert out["customer_id"].tolist() == ["A"]
    assert out.loc[0, "change_30d"] == -40


def test_mrr_on_sees_running_periods_only():
    periods = _periods()
    pairs = pd.DataFrame({"customer_id": ["A", "B", "B"],
                          "date": pd.to_datetime(["2024-02-01", "2024-05-31", "2024-06-01"])})
    assert signals.mrr_on(pairs, periods).tolist() == [100.0, 0.0, 50.0]
