"""Churn features from the feedback answers (the ``comments`` result), cut at each cutoff."""

import numpy as np
import pandas as pd

from workbench import churn
from workbench.i18n import t

CUTOFF = pd.Timestamp("2024-06-30")


def _comments() -> pd.DataFrame:
    # a: a detractor with a logistics complaint 20 days before the cutoff, a negative comment
    #    150 days before, and a complaint after the cutoff (must not count);
    # b: a promoter after an old negative answer; c answered only after the cutoff.
    rows = [
        ("a", "a-1", "2024-01-31 10:00", 8, "negative", None),
        ("a", "a-2", "2024-06-10 09:00", 3, "negative", "logistics;price"),
        ("a", "a-3", "2024-07-02 09:00", 0, "negative", "quality"),
        ("b", "b-1", "2023-10-01 12:00", 2, "negative", "service"),
        ("b", "b-2", "2024-06-30 23:59", 10, "positive", None),
        ("c", "c-1", "2024-07-01 00:00", 1, "negative", "quality"),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "response_id", "submitted_at", "nps",
                                        "sentiment", "complaint_categories"])
    return frame.assign(submitted_at=pd.to_datetime(frame["submitted_at"]),
                        nps=frame["nps"].astype(float))


def test_feedback_features_by_hand_and_only_up_to_the_cutoff():
    features = churn.feedback_features(_comments(), CUTOFF, categories=["logistics", "quality", "service"])
    assert list(features.index) == ["a", "b"]  # c answered after the cutoff
    a, b = features.loc["a"], features.loc["b"]
    assert (a["fb_answers"], b["fb_answers"]) == (2, 2)
    assert (a["fb_detractor"], b["fb_detractor"]) == (1, 0)  # last NPS 3; last NPS 10 (23:59 on the day)
    assert (a["fb_negative_90d"], a["fb_negative_180d"]) == (1, 2)
    assert (b["fb_negative_90d"], b["fb_negative_180d"]) == (0, 0)
    assert a["fb_days_since_complaint"] == 20 and b["fb_days_since_complaint"] == 273
    assert (a["fb_complained"], b["fb_complained"]) == (1, 1)
    # complaints of the last 90 days by category: the 2024-07-02 quality complaint is later
    assert a["fb_complaint:logistics"] == 1 and a["fb_complaint:quality"] == 0
    assert b["fb_complaint:service"] == 0  # 273 days ago


def test_customers_without_feedback_get_neutral_values():
    tx = pd.DataFrame({"customer_id": ["a", "b", "z", "z"], "amount": 10.0,
                       "order_date": pd.to_datetime(["2024-05-01", "2024-05-02", "2024-04-01", "2024-06-01"])})
    frame = churn.transactional_features(tx, CUTOFF, comments=_comments(),
                                         complaint_categories=["logistics"]).set_index("customer_id")
    z = frame.loc["z"]
    assert z["fb_answers"] == 0 and z["fb_detractor"] == 0 and z["fb_negative_90d"] == 0
    assert z["fb_complained"] == 0 and z["fb_complaint:logistics"] == 0
    assert np.isnan(z["fb_days_since_complaint"])  # missing, with fb_complained as its indicator
    assert frame.loc["a", "fb_complaint:logistics"] == 1


def test_feedback_reasons_have_labels_and_texts_in_both_languages():
    features = pd.DataFrame({"last_nps": [3.0, 9.0, np.nan], "fb_days_since_complaint": [20, 200, np.nan],
                             "fb_complaint:logistics": [1.0, 0.0, 0.0]})
    rules = churn.ReasonRules("transactional", 90, 30.0, {}, {}, {}, {}, {})
    signals = churn.reason_signals(rules, features)
    assert signals["detractor"].tolist() == [True, False, False]
    assert signals["recent_complaint"].tolist() == [True, False, False]  # within the 90-day window
    for code in ("detractor", "recent_complaint"):
        en, zh = churn.reason_label(code, "en"), churn.reason_label(code, "zh")
        assert en == t(f"churn.reason.{code}", "en") and zh == t(f"churn.reason.{code}", "zh") and en != zh
    rules.risk_ratio.update(recent_complaint=3.0, detractor=2.0)
    rules.risk_ratio_low.update(recent_complaint=2.0, detractor=1.5)
    texts, keys = churn.reasons(rules, features)
    assert keys[0] == ["recent_complaint", "detractor"]
    assert texts[0] == "complained 20 days ago (about: logistics); a detractor: last NPS answer 3"
    assert "20 天前投诉过" in churn.reasons(rules, features, lang="zh")[0][0]


def test_recommended_actions_follow_the_strongest_reason():
    reason = pd.Series(["recent_complaint", "is:contract=month", "none", "none", "overdue", "detractor"])
    probability = pd.Series([0.9, 0.9, 0.9, 0.9, 0.2, 0.1])
    value = pd.Series([1.0, 1.0, 100.0, 1.0, 100.0, 1.0])  # 80th percentile: 100
    assert list(churn.recommended_actions(reason, probability, value)) == [
        "service", "contract", "call", "winback", "nurture", "service"]
