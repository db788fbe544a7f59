"""The ``clv`` source of the action list: high-value customers whose P(alive) is falling."""

from __future__ import annotations

import inspect

import pandas as pd
import pytest

from workbench import actions, actions_report, clv
from workbench.results import read_result, write_result

AS_OF = pd.Timestamp("2024-06-30")
RULE = actions.Rule(cost_per_contact=5, effect_retention=0.2)


def _clv(folder) -> pd.DataFrame:
    """Planted: f1 tier A falls 0.90 -> 0.70 (falling, still above fading_alive); f2 tier B
    falls exactly alive_drop; s1 tier A steady and high; c1 tier C falls a lot (not high value);
    n1 tier A new since the lookback (no previous value) but low; d1 tier A falls 0.05 only."""
    frame = pd.DataFrame({
        "customer_id": ["f1", "f2", "s1", "c1", "n1", "d1"],
        "frequency": [5, 4, 6, 2, 1, 5], "recency": [40.0] * 6, "T": [60.0] * 6,
        "prob_alive": [0.70, 0.80, 0.95, 0.20, 0.30, 0.85],
        "prob_alive_previous": [0.90, 0.90, 0.96, 0.90, None, 0.90],
        "expected_purchases": [1.0] * 6, "expected_avg_spend": [100.0] * 6,
        "clv": [2000.0, 1500.0, 3000.0, 5000.0, 1000.0, 2500.0],
        "clv_tier": ["A", "B", "A", "C", "A", "A"]})
    write_result("clv", frame, folder)
    return read_result("clv", folder)


def test_falling_high_value_customers_are_proposed_with_the_rule(tmp_path):
    found = actions.candidates({"clv": _clv(tmp_path)}, AS_OF, RULE)
    rows = found[found["source"] == "clv"].set_index("customer_id")
    assert set(rows.index) == {"f1", "f2", "n1"}
    assert rows.loc["f1", "reason"] == "alive_falling"
    assert rows.loc["f2", "reason"] == "alive_falling"  # a drop of exactly alive_drop counts
    assert rows.loc["n1", "reason"] == "high_value_fading"  # low, no earlier value
    # probability x value at stake x effect - cost
    assert rows.loc["f1", "expected_value"] == pytest.approx((1 - 0.70) * 2000 * 0.2 - 5)
    assert rows.loc["f2", "expected_value"] == pytest.approx((1 - 0.80) * 1500 * 0.2 - 5)
    assert (rows["action"] == "personal_call").all()


def test_alive_drop_is_a_setting_and_matches_the_clv_report(tmp_path):
    default = inspect.signature(clv.falling_prob_alive).parameters["min_drop"].default
    assert actions.Rule().alive_drop == default
    strict = actions.Rule(alive_drop=0.25)
    found = actions.candidates({"clv": _clv(tmp_path)}, AS_OF, strict)
    assert set(found["customer_id"]) == {"n1"}  # f1 (0.20) and f2 (0.10) no longer falling
    with pytest.raises(ValueError, match="alive_drop"):
        actions.Rule(alive_drop=1.5)


def test_without_the_previous_column_only_low_p_alive_counts(tmp_path):
    frame = _clv(tmp_path).drop(columns="prob_alive_previous")
    found = actions.candidates({"clv": frame}, AS_OF, RULE)
    assert set(found["customer_id"]) == {"n1"}


def test_the_factor_table_names_the_drop(tmp_path):
    results = {"clv": _clv(tmp_path)}
    found = actions.candidates(results, AS_OF, RULE)
    table = actions_report.factors_table(RULE, found, results, "en").set_index("source")
    who = table.loc["Customer lifetime value", "who"]
    assert "10 pp" in who and "50%" in who and "+" not in who
    assert "3" in table.loc["Customer lifetime value", "status"]
