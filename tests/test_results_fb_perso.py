"""Feedback and personalization share one truth: their results, their exports' stable codes,
and the customer-360 cards built from the other reports' results."""

import pandas as pd
import pytest

from workbench import feedback, profile, recommend
from workbench.results import RESULTS, read_result, write_result


def _read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def runs(rendered):
    """The whole suite rendered once per language on the tiny demo (the shared fixture)."""
    return rendered


@pytest.mark.parametrize("name", ["feedback", "recommendations"])
def test_exports_differ_only_in_their_labels(runs, name):
    en, zh = (_read(runs[lang] / "exports" / f"{name}.csv") for lang in ("en", "zh"))
    assert list(en.columns) == list(zh.columns) and len(en) > 0
    codes = [c for c in en.columns if not c.endswith("_label")]
    assert [c for c in codes if not en[c].equals(zh[c])] == []
    labels = [c for c in en.columns if c.endswith("_label")]
    assert all(f"{c.removesuffix('_label')}" in en.columns for c in labels)
    assert any(not en[c].equals(zh[c]) for c in labels)  # the labels are in the language


def test_feedback_export_holds_category_codes(runs):
    export = _read(runs["zh"] / "exports" / "feedback.csv")
    codes = {c for v in export["categories"] if v for c in v.split(";")}
    assert codes and codes <= set(feedback.CategoryRules().keys)
    names = feedback.CategoryRules().names("zh")
    row = export[export["categories"] != ""].iloc[0]
    assert row["categories_label"] == "; ".join(names[c] for c in row["categories"].split(";"))
    assert set(export["sentiment"]) <= {"positive", "neutral", "negative", ""}


def test_recommendation_reasons_are_codes_with_the_item_apart(runs):
    en, zh = (_read(runs[lang] / "exports" / "recommendations.csv") for lang in ("en", "zh"))
    assert set(en["reason"]) <= set(recommend.REASONS) and "co_purchase" in set(en["reason"])
    co = en[en["reason"] == "co_purchase"]
    assert (co["because_of"] != "").all() and (en.loc[en["reason"] != "co_purchase", "because_of"] == "").all()
    first = co.index[0]
    assert en.loc[first, "reason_label"] == f"often bought with {en.loc[first, 'because_of']}"
    assert zh.loc[first, "reason_label"] == f"常与{en.loc[first, 'because_of']}一起购买"


@pytest.mark.parametrize("name", ["feedback", "recommendations"])
def test_results_are_written_and_the_same_in_both_languages(runs, name):
    en, zh = read_result(name, runs["en"]), read_result(name, runs["zh"])
    assert list(en.columns) == list(RESULTS[name].columns) and len(en) > 0
    pd.testing.assert_frame_equal(en, zh)


def test_feedback_result_agrees_with_the_export(runs):
    result = read_result("feedback", runs["en"]).set_index("customer_id")
    export = _read(runs["en"] / "exports" / "feedback.csv")
    assert set(result.index) <= set(export["customer_id"])
    assert set(result["sentiment"].dropna()) <= {"positive", "neutral", "negative"}
    assert result["last_nps"].dropna().between(0, 10).all()
    complaints = result["complaint_categories"].dropna()
    assert len(complaints) and (result.loc[complaints.index, "sentiment"] == "negative").all()
    # customers.csv of the run carries the same last NPS and sentiment code
    table = _read(runs["en"] / "exports" / "customers.csv").set_index("customer_id")
    nps = result["last_nps"].dropna()
    assert (table.loc[nps.index, "last_nps"].astype(float) == nps).all()


def test_cards_show_the_other_reports_results(runs):
    html = (runs["en"] / "07_personalization.html").read_text(encoding="utf-8")
    assert html.count("wb-card") >= 1
    assert "RFM segment" in html and "Lifecycle stage" in html and "Next-best offer" in html


# ------------------------------------------------------------------------------ small data


def _tiny():
    tx = pd.DataFrame({"customer_id": ["001", "001", "002", "003"], "order_id": ["a", "b", "c", "d"],
                       "order_date": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-02-02", "2023-01-01"]),
                       "amount": [100.0, 50.0, 20.0, 900.0], "category": ["母婴", "数码", "数码", "家居"]})
    answers = pd.DataFrame({
        "customer_id": ["001", "001", "002", "003", "001"],
        "submitted_at": pd.to_datetime(["2024-01-10", "2024-03-02", "2024-02-05", "2024-02-06",
                                        "2024-05-01"]),
        "nps": [9.0, 2.0, None, 7.0, 10.0],
        "comment": ["很好，物流很快", "质量太差了，客服也不理人，很失望", "还行", None, "later answer"]})
    return tx, answers


def test_feedback_result_per_customer():
    _, answers = _tiny()
    result = feedback.analyse(answers, as_of="2024-03-31", n_topics=2)
    frame = feedback.result_frame(result).set_index("customer_id")
    assert list(frame.index) == ["001", "002", "003"]  # the May answer is after as_of
    assert frame.loc["001", "last_nps"] == 2.0
    assert frame.loc["001", "last_feedback_at"] == pd.Timestamp("2024-03-02")
    assert frame.loc["001", "sentiment"] == "negative"
    assert set(frame.loc["001", "complaint_categories"].split(";")) >= {"quality"}
    assert pd.isna(frame.loc["002", "last_nps"]) and pd.isna(frame.loc["002", "last_feedback_at"])
    assert pd.isna(frame.loc["003", "sentiment"])  # no comment
    assert frame.loc["003", "last_nps"] == 7.0


def test_feedback_takes_segments_and_never_computes_them():
    _, answers = _tiny()
    segments = pd.DataFrame({"customer_id": ["001", "002"], "segment_cn8": ["important_value", "general_keep"]})
    result = feedback.analyse(answers, as_of="2024-03-31", n_topics=2, segments=segments)
    # answers in date order (analyse reads them in an order of their values): 001, 002, 003, ...
    assert result.frame["customer_id"].tolist()[:4] == ["001", "002", "003", "001"]
    assert result.frame["segment"].tolist()[:2] == ["important_value", "general_keep"]
    assert pd.isna(result.frame["segment"].iloc[2])  # 003 has no segment
    assert dict(zip(result.frame["customer_id"], result.frame["segment"]))["001"] == "important_value"
    assert "segment" not in feedback.analyse(answers, as_of="2024-03-31", n_topics=2).frame
    assert not hasattr(feedback, "segment_of_customers") and not hasattr(profile, "customer_segments")


def test_cards_show_clv_and_churn_from_written_results(tmp_path):
    tx, answers = _tiny()
    write_result("clv", pd.DataFrame({
        "customer_id": ["001", "002"], "frequency": [1, 0], "recency": [8.0, 0.0], "T": [12.0, 8.0],
        "prob_alive": [0.83, 0.4], "prob_alive_previous": [0.9, None], "expected_purchases": [1.2, 0.3], "expected_avg_spend": [70.0, 20.0],
        "clv": [1234.0, 56.0], "clv_tier": ["A", "D"]}), tmp_path)
    write_result("churn", pd.DataFrame({
        "customer_id": ["001"], "churn_probability": [0.37], "health_score": [64.0],
        "value_at_stake": [500.0], "top_reason": ["overdue"], "recommended_action": ["call"],
        "expected_value": [120.0]}), tmp_path)
    write_result("feedback", feedback.result_frame(feedback.analyse(answers, as_of="2024-03-31",
                                                                     n_topics=2)), tmp_path)
    stages = pd.DataFrame({"customer_id": ["001", "002"], "stage": ["at_risk", "active"]})
    c360 = profile.Customer360(tx, None, answers, pd.Timestamp("2024-03-31"), stages=stages,
                               clv=read_result("clv", tmp_path), churn=read_result("churn", tmp_path),
                               voice=read_result("feedback", tmp_path))
    card = c360.profile("001")
    status = dict(card.status("en"))
    assert status["Predicted value"] == "¥1,234" and status["P(alive)"] == "83%"
    assert status["Churn risk"] == "37%" and status["Health score"] == "64"
    assert status["Last NPS"] == "2 on 2024-03-02" and status["Last comment"] == "Negative"
    zh = dict(card.status("zh"))
    assert zh["流失风险"] == "37%" and zh["最近评论情感"] == "负面" and "质量" in zh["投诉类别"]
    html = card.to_html("en")
    assert "¥1,234" in html and "37%" in html and "Personal call" in html
    # a result that is absent leaves its line blank, it is never computed here
    bare = dict(profile.Customer360(tx, stages=stages).profile("002").status("en"))
    assert bare["Predicted value"] == "–" and bare["Churn risk"] == "–" and bare["RFM segment"] == "–"
    assert c360.at_risk(5) == ["001"]
