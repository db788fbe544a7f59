"""This week's action list: the expected-value rule by hand, dedup, budget, coverage, run."""

from __future__ import annotations

import json

import matplotlib
import numpy as np
import pandas as pd
import pytest

from workbench import actions, actions_report
from workbench.results import read_result, write_result

matplotlib.use("Agg")

AS_OF = pd.Timestamp("2024-06-30")
RULE = actions.Rule(cost_per_contact=5, effect_retention=0.2, effect_cross_sell=0.05,
                    effect_nurture=0.05, feedback_days=30)


def _results(folder) -> dict[str, pd.DataFrame | None]:
    """Small results written and read back through their schemas."""
    d = pd.Timestamp
    frames = {
        "stages": pd.DataFrame({
            "customer_id": ["c1", "c2", "c3", "c4"],
            "stage": ["at_risk", "active", "loyal", "at_risk"],
            "previous_stage": ["active"] * 4,
            "first_purchase": [d("2023-01-01")] * 4, "last_purchase": [d("2024-01-01")] * 4,
            "days_since_last": [180] * 4, "typical_gap_days": [30.0] * 4}),
        "churn": pd.DataFrame({
            "customer_id": ["c1", "c2", "c4"], "churn_probability": [0.8, 0.1, 0.3],
            "health_score": [20.0, 80.0, 50.0], "value_at_stake": [1000.0, 100.0, 50.0],
            "top_reason": ["recency", "none", "recency"],
            "recommended_action": ["call", "nurture", "winback"],
            "expected_value": [0.0, 0.0, 0.0]}),
        "clv": pd.DataFrame({
            "customer_id": ["c2", "c3"], "frequency": [5, 3], "recency": [50.0, 20.0],
            "T": [60.0, 60.0], "prob_alive": [0.9, 0.4], "prob_alive_previous": [0.95, 0.45],
            "expected_purchases": [2.0, 0.5],
            "expected_avg_spend": [300.0, 200.0], "clv": [600.0, 500.0],
            "clv_tier": ["C", "A"]}),
        "feedback": pd.DataFrame({
            "customer_id": ["c2", "c5", "c6"], "last_nps": [3.0, 9.0, 2.0],
            "last_feedback_at": [d("2024-06-20"), d("2024-06-25"), d("2024-01-01")],
            "sentiment": ["neutral", "negative", "negative"],
            "complaint_categories": ["", "delivery", "price"]}),
        "recommendations": pd.DataFrame({
            "customer_id": ["c2", "c2", "c3", "c4"], "rank": [1, 2, 1, 1],
            "item": ["a", "b", "a", "a"], "score": [0.9, 0.5, 0.8, 0.7],
            "reason": ["co_purchase"] * 4}),
        "segments": pd.DataFrame({
            "customer_id": ["c5"], "recency_days": [10], "frequency": [4],
            "monetary": [2000.0], "r_score": [5], "f_score": [4], "m_score": [5],
            "segment_cn8": ["important_value"], "segment_en11": ["champions"],
            "value_tier": ["A"], "cluster": [0], "persona": ["p0"]}),
    }
    for name, frame in frames.items():
        write_result(name, frame, folder)
    return {name: read_result(name, folder) for name in actions_report.RESULT_NAMES}


@pytest.fixture
def results(tmp_path):
    return _results(tmp_path)


def test_expected_value_follows_the_rule_computed_by_hand(results):
    found = actions.candidates(results, AS_OF, RULE)
    ev = {(r.customer_id, r.source): r.expected_value for r in found.itertuples()}
    assert ev[("c1", "lifecycle")] == pytest.approx(0.8 * 1000 * 0.2 - 5)  # churn p and stake
    assert ev[("c1", "churn")] == pytest.approx(155)
    assert ev[("c2", "churn")] == pytest.approx(0.1 * 100 * 0.05 - 5)  # nurture effect
    assert ev[("c2", "feedback")] == pytest.approx(0.1 * 100 * 0.2 - 5)  # detractor
    assert ev[("c2", "personalization")] == pytest.approx(0.9 * 300 * 0.05 - 5)
    assert ev[("c3", "clv")] == pytest.approx((1 - 0.4) * 500 * 0.2 - 5)
    assert ev[("c3", "personalization")] == pytest.approx(0.4 * 200 * 0.05 - 5)
    # c5: no churn or CLV score: default risk 0.5 and spend to date from the segments
    assert ev[("c5", "feedback")] == pytest.approx(0.5 * 2000 * 0.2 - 5)
    assert ("c4", "personalization") not in ev  # at risk: not an active customer
    assert ("c6", "feedback") not in ev  # feedback older than feedback_days
    assert ("c2", "clv") not in ev  # tier C
    reasons = found.set_index(["customer_id", "source"])["reason"]
    assert reasons[("c2", "feedback")] == "detractor" and reasons[("c5", "feedback")] == "complaint"


def test_one_row_per_customer_with_the_strongest_reason_positive_only(results):
    chosen = actions.choose(actions.candidates(results, AS_OF, RULE))
    assert list(chosen["customer_id"]) == ["c5", "c1", "c3", "c2"]
    assert list(chosen["rank"]) == [1, 2, 3, 4]
    assert (chosen["expected_value"] > 0).all()  # c4's -2 is left out
    by_id = chosen.set_index("customer_id")
    # c1: lifecycle and churn tie at 155; the churn model's action is the more specific one
    assert by_id.loc["c1", "source"] == "churn" and by_id.loc["c1", "action"] == "personal_call"
    assert by_id.loc["c2", "action"] == "cross_sell_offer"
    assert by_id.loc["c2", "source"] == "personalization"
    assert by_id.loc["c3", "source"] == "clv" and by_id.loc["c5", "action"] == "service_callback"


def test_budget_channel_owner_and_masking(results):
    chosen = actions.choose(actions.candidates(results, AS_OF, RULE))
    tx = pd.DataFrame({
        "customer_id": ["c1", "c1", "c1", "c5", "c3"],
        "order_date": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-07-02", "2024-02-01",
                                      "2024-05-01"]),
        "amount": [1.0] * 5,
        "channel": ["门店", "APP", "later", "VIP 13812345678", "<b>门店</b>"]})
    customers = pd.DataFrame({"customer_id": ["c1", "c3", "c5"],
                              "account_manager": ["Wang", None, ""],
                              "preferred_channel": [None, "phone", None],
                              "phone": ["13800000000"] * 3})
    details = actions.contact_details(chosen["customer_id"].head(3), tx, customers, AS_OF)
    listing = actions.action_list(chosen, details, 3)
    assert len(listing) == 3 and list(listing["rank"]) == [1, 2, 3]
    row = listing.set_index("customer_id")
    assert row.loc["c1", "channel"] == "APP"  # most recent on or before as_of
    assert row.loc["c1", "owner"] == "Wang" and pd.isna(row.loc["c5", "owner"])
    assert row.loc["c3", "channel"] == "phone"  # preferred_channel wins over "<b>门店</b>"
    assert row.loc["c5", "channel"] == "VIP 138****5678"
    assert "phone" not in listing.columns and "email" not in listing.columns
    assert len(actions.action_list(chosen, details, 0)) == 0


def test_coverage_and_cumulative_curve(results):
    chosen = actions.choose(actions.candidates(results, AS_OF, RULE))
    cover = actions.coverage(chosen, 2)
    total = 195 + 155 + 55 + 8.5
    assert cover["expected_value"] == pytest.approx(350)
    assert cover["captured_share"] == pytest.approx(350 / total)
    assert cover["next_100_value"] == pytest.approx(63.5)
    assert cover["held_back"] == 2 and cover["candidates"] == 4
    curve = actions.cumulative(chosen)
    assert list(curve["contacts"]) == [0, 1, 2, 3, 4]
    assert curve["cumulative_value"].iloc[-1] == pytest.approx(total)
    fig = actions_report.plot_cumulative(curve, contacts=2, lang="zh")
    ax = fig.axes[0]
    assert len(ax.lines) == 2 and ax.get_title() == "期望价值随触达人数累计"
    assert list(ax.lines[1].get_xdata()) == [2, 2]  # the budget marked
    np.testing.assert_allclose(ax.lines[0].get_ydata(), curve["cumulative_value"])


def test_absent_sources_give_no_rows(results):
    only_churn = {name: (frame if name == "churn" else None) for name, frame in results.items()}
    found = actions.candidates(only_churn, AS_OF, RULE)
    assert set(found["source"]) == {"churn"}
    assert actions.absent_sources(only_churn) == ["lifecycle", "clv", "feedback",
                                                  "personalization", "customer_success"]
    key, values = actions_report.absent_sentence(only_churn, "en")
    assert key == "act.absent" and values["sources"].startswith("Lifecycle, ")
    nothing = dict.fromkeys(results)
    empty = actions.choose(actions.candidates(nothing, AS_OF, RULE))
    assert empty.empty and actions_report.empty_sentence(nothing, RULE, "en")[0] == "act.no_results"
    listing = actions.action_list(empty, actions.contact_details(empty["customer_id"], None, None,
                                                                 AS_OF), 200)
    assert actions.coverage(empty, 200)["captured_share"] is None
    assert actions_report.metrics(listing, actions.coverage(empty, 200))["contacts"] == 0


def test_renewals_at_risk_are_candidates_computed_by_hand(tmp_path):
    renewals = pd.DataFrame({
        "customer_id": ["a1", "a1", "a2", "a3"], "subscription_id": ["S1", "S2", "S3", "S4"],
        "renewal_date": [pd.Timestamp("2024-07-15")] * 4,
        "arr": [12_000.0, 2_400.0, 6_000.0, 50_000.0],
        "renewal_probability": [0.60, 0.50, 0.84, 0.85],  # a3 at 0.85 is not at risk
        "arr_at_risk": [4_800.0, 1_200.0, 960.0, 7_500.0],
        "health_score": [40.0, 40.0, 70.0, 80.0], "health_band": ["red", "red", "yellow", "green"],
        "health_trend": [-5.0, -5.0, 0.0, 1.0], "owner": ["王经理"] * 4,
        "top_reasons": ["usage"] * 4, "recommended_action": ["renewal_call"] * 4})
    write_result("renewals", renewals, tmp_path)
    results = {name: None for name in actions_report.RESULT_NAMES}
    results["renewals"] = read_result("renewals", tmp_path)
    found = actions.candidates(results, AS_OF, RULE)
    # one row per customer: a1's subscription with the most ARR at risk (S1), a2; not a3
    assert found["customer_id"].tolist() == ["a1", "a2"]
    assert set(found["source"]) == {"customer_success"} and set(found["reason"]) == {"renewal_at_risk"}
    np.testing.assert_allclose(found["probability"], [0.40, 0.16])
    np.testing.assert_allclose(found["value"], [12_000.0, 6_000.0])
    np.testing.assert_allclose(found["expected_value"],
                               [0.40 * 12_000 * 0.2 - 5, 0.16 * 6_000 * 0.2 - 5])
    assert actions.choose(found)["customer_id"].tolist() == ["a1", "a2"]
    assert "customer_success" not in actions.absent_sources(results)
    table = actions_report.factors_table(RULE, found, results, "zh")
    shown = table.to_string()
    assert "1 - 续约概率" in shown and "续约概率低于 0.85 的合同" in shown and "{" not in shown


def test_rule_rejects_effects_outside_zero_one():
    with pytest.raises(ValueError, match="effect_retention must be between 0 and 1"):
        actions.Rule(effect_retention=1.5)


# ---------------------------------------------------------------------------------- end to end

@pytest.fixture(scope="module")
def runs(rendered):
    """The whole suite in English and Chinese on the tiny demo (the session's shared run)."""
    return rendered


def _read(out, name):
    return pd.read_csv(out / "exports" / f"{name}.csv", dtype={"customer_id": str},
                       encoding="utf-8-sig")


def test_run_writes_the_action_list(runs):
    en, zh = _read(runs["en"], "actions"), _read(runs["zh"], "actions")
    assert list(en.columns) == list(actions.EXPORT_COLUMNS)
    assert 0 < len(en) <= 200 and en["customer_id"].is_unique
    assert list(en["rank"]) == list(range(1, len(en) + 1))
    assert (en["expected_value"] > 0).all() and en["expected_value"].is_monotonic_decreasing
    assert set(en["customer_id"]) <= set(_read(runs["en"], "customers")["customer_id"])
    codes = ["customer_id", "rank", "action", "reason", "source"]
    pd.testing.assert_frame_equal(en[codes], zh[codes])
    assert set(en["action"]) <= set(actions.ACTIONS) and set(en["source"]) <= set(actions.SOURCES)
    assert not {"phone", "email", "name"} & set(en.columns)
    assert (en["action_label"] != zh["action_label"]).all()


def test_run_metrics_index_and_html(runs):
    metrics = json.loads((runs["en"] / "metrics.json").read_text())["actions"]
    assert {"contacts", "expected_value", "by_action", "by_source", "captured_share",
            "next_100_value"} <= set(metrics)
    assert sum(metrics["by_action"].values()) == metrics["contacts"]
    assert sum(metrics["by_source"].values()) == metrics["contacts"]
    assert 0 < metrics["captured_share"] <= 1
    index = (runs["en"] / "index.html").read_text()
    first_card = index.index("class='card ")
    assert "08_actions.html" in index[first_card:first_card + 600]
    assert "This week&#x27;s actions" in index[first_card:first_card + 600] or \
        "This week's actions" in index[first_card:first_card + 600]
    for lang, out in runs.items():
        html = (out / "08_actions.html").read_text()
        assert 'data-mime-type="application/vnd.jupyter.stderr"' not in html, lang
        assert "Traceback" not in html and "papermill-error-cell-tag" not in html
    assert "本周行动清单" in (runs["zh"] / "08_actions.html").read_text()
