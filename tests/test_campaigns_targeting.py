"""Measured campaign uplift replaces the assumed save rate in churn targeting and 08_actions."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from workbench import actions
from workbench.actions_report import factors_table, rule_sentences
from workbench.campaigns import measured_effect
from workbench.campaigns.text import effect_source_sentence
from workbench.i18n import t
from workbench.results import read_result

UPLIFT = pd.DataFrame({
    "segment": ["all", "general_winback", "important_value", "general_value"],
    "uplift": [0.12, 0.20, -0.05, 0.30],
    "uplift_low": [0.10, 0.15, -0.09, 0.01],
    "uplift_high": [0.14, 0.25, -0.01, 0.59],
    "customers": [4000, 900, 800, 30],
    "campaign_id": "winback_coupon", "arm": "coupon",
    "pooled": [0, 0, 0, 1]})
SEGMENTS = pd.DataFrame({"customer_id": ["1", "2", "3", "4"],
                         "segment_cn8": ["general_winback", "important_value", "general_value",
                                         "general_development"]})


def test_measured_effect_uses_each_segment_and_the_whole_arm_where_it_was_too_small():
    found = measured_effect(UPLIFT, SEGMENTS)
    assert (found.campaign_id, found.arm, found.overall) == ("winback_coupon", "coupon", 0.12)
    # segment 3 was pooled (too small), 4 was not measured, 5 has no segment: the arm's 0.12
    got = found.for_customers(pd.Series(["1", "2", "3", "4", "5"]))
    np.testing.assert_allclose(got, [0.20, -0.05, 0.12, 0.12, 0.12])
    assert set(found.by_segment.index) == {"general_winback", "important_value"}
    assert measured_effect(None, SEGMENTS) is None
    assert measured_effect(UPLIFT.iloc[:0], SEGMENTS) is None
    without = measured_effect(UPLIFT, None)  # no segments result: the whole arm for everyone
    np.testing.assert_allclose(without.for_customers(["1", "2"]), [0.12, 0.12])


def _results() -> dict[str, pd.DataFrame]:
    stages = pd.DataFrame({"customer_id": ["1", "2", "3", "4"], "stage": "at_risk"})
    churn = pd.DataFrame({"customer_id": ["1", "2", "3", "4"],
                          "churn_probability": [0.6, 0.6, 0.6, 0.6],
                          "value_at_stake": [1000.0, 1000.0, 1000.0, 1000.0],
                          "recommended_action": ["winback", "winback", "winback", "nurture"]})
    renewals = pd.DataFrame({"customer_id": ["9"], "subscription_id": ["s9"],
                             "renewal_probability": [0.5], "arr": [12000.0], "arr_at_risk": [6000.0]})
    return {"stages": stages, "churn": churn, "segments": SEGMENTS, "renewals": renewals,
            "campaign_uplift": UPLIFT}


def test_actions_take_the_measured_effect_for_retention_contacts_only():
    results = _results()
    rule = actions.Rule(cost_per_contact=5.0, effect_retention=0.2, effect_nurture=0.05)
    measured = measured_effect(results["campaign_uplift"], results["segments"])
    found = actions.candidates(results, pd.Timestamp("2026-11-30"), rule, measured)
    life = found[found["source"] == "lifecycle"].set_index("customer_id")["effect"]
    np.testing.assert_allclose(life.loc[["1", "2", "3", "4"]], [0.20, -0.05, 0.12, 0.12])
    churn = found[found["source"] == "churn"].set_index("customer_id")
    np.testing.assert_allclose(churn.loc[["1", "2", "3"], "effect"], [0.20, -0.05, 0.12])
    assert churn.loc["4", "effect"] == pytest.approx(0.05)  # nurture: assumed, not measured
    renewal = found[found["source"] == "customer_success"].iloc[0]
    assert renewal["effect"] == pytest.approx(0.2)  # renewal calls: no campaign measured them
    # expected value = probability x value x effect - cost, with the measured effect
    np.testing.assert_allclose(churn.loc[["1", "2"], "expected_value"], [0.6 * 1000 * 0.2 - 5,
                                                                        0.6 * 1000 * -0.05 - 5])
    chosen = actions.choose(found)
    assert "2" not in set(chosen["customer_id"])  # contact hurts segment important_value
    # without a measured campaign every retention contact has the assumed 0.2
    assumed = actions.candidates(results, pd.Timestamp("2026-11-30"), rule, None)
    assert (assumed.loc[assumed["source"] == "lifecycle", "effect"] == 0.2).all()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_report_says_which_effect_was_used(lang):
    measured = measured_effect(UPLIFT, SEGMENTS)
    key, values = effect_source_sentence(measured, 0.2, lang)
    assert key == "camp.effect.measured" and values["campaign"] == "winback_coupon"
    assert values["segments"] == "2" and values["rate"] == "20%"
    assert effect_source_sentence(None, 0.2, lang)[0] == "camp.effect.constant"
    rule = actions.Rule()
    keys = [k for k, _ in rule_sentences(rule, contacts=200, as_of=pd.Timestamp("2026-11-30"),
                                         period_days=7, lang=lang, measured=measured)]
    assert "camp.effect.measured" in keys and "act.rule.measured_scope" in keys
    found = actions.candidates(_results(), pd.Timestamp("2026-11-30"), rule, measured)
    table = factors_table(rule, found, _results(), lang, measured).set_index("source")
    measured_text = t("act.measured_effect", lang, campaign="winback_coupon", arm="coupon")
    assert measured_text in table.loc[t("act.source.lifecycle", lang), "effect"]
    assert measured_text not in table.loc[t("act.source.customer_success", lang), "effect"]


def test_the_rendered_suite_targets_with_the_measured_uplift(rendered):
    """End to end: when 10_campaigns wrote campaign_uplift, churn's expected values use it."""
    out = rendered["en"]
    uplift = read_result("campaign_uplift", out)
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    source = metrics["churn"]["save_rate_source"]
    assert source == ("measured" if uplift is not None else "assumed")
    churn = pd.read_csv(out / "exports" / "churn.csv", dtype={"customer_id": str},
                        encoding="utf-8-sig")
    found = measured_effect(uplift, read_result("segments", out))
    rate = found.for_customers(churn["customer_id"]) if found is not None else 0.2
    expected = churn["churn_probability"] * churn["value_at_stake"] * rate - 10.0
    np.testing.assert_allclose(churn["expected_value"], expected, atol=0.01)
    html = (out / "05_churn.html").read_text(encoding="utf-8")
    sentence = "The save rate is measured, not assumed" if found is not None else \
        "so the save rate is the assumed 20%"
    assert sentence in html
