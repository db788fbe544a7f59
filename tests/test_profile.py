"""Customer 360: masking, escaping, unknown ids, one-purchase customers, the timeline chart."""

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from workbench import profile
from workbench.style import use_style

PHONE, EMAIL = "13812345678", "li.lei@example.com"


def _data():
    customers = pd.DataFrame({"customer_id": ["001", "002"], "name": ["李雷", "韩梅梅"],
                              "phone": [PHONE, "13900001111"], "email": [EMAIL, "han@example.com"],
                              "gender": ["男", "女"], "age": [30.0, 41.0], "tier": ["黄金", "普通"]})
    tx = pd.DataFrame({"customer_id": ["001", "001", "002"], "order_id": ["a", "b", "c"],
                       "order_date": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-02-02"]),
                       "amount": [100.0, 50.0, 20.0], "category": ["母婴", "<b>x</b>", "数码"],
                       "channel": ["APP", "门店", "APP"]})
    feedback = pd.DataFrame({"customer_id": ["001"], "submitted_at": pd.to_datetime(["2024-03-02"]),
                             "nps": [3.0], "csat": [2.0],
                             "comment": [f"<script>alert(1)</script> call me {PHONE} or {EMAIL}"]})
    return customers, tx, feedback


def test_card_escapes_and_masks():
    customers, tx, feedback = _data()
    segments = pd.DataFrame({"customer_id": ["001"], "segment_cn8": ["important_value"], "value_tier": ["A"]})
    stages = pd.DataFrame({"customer_id": ["001"], "stage": ["at_risk"], "spend": [150.0]})
    churn = pd.DataFrame({"customer_id": ["001"], "churn_probability": [0.7], "health_score": [35.0]})
    recs = pd.DataFrame({"customer_id": ["001"], "rank": [1], "item": ["<img src=x>"], "score": [1.0],
                         "reason": ["co_purchase"], "reason_label": ["often bought with 母婴"]})
    p = profile.customer_profile("001", transactions=tx, customers=customers, feedback=feedback,
                                 segments=segments, stages=stages, churn=churn, recommendations=recs)
    assert p.found and p.summary["orders"] == 2 and p.summary["spend"] == 150
    assert p.attributes["phone"] == "138****5678" and p.attributes["name"] == "李*"
    for lang in ("en", "zh"):
        html = p.to_html(lang)
        assert "<script" not in html and "&lt;script&gt;" in html
        assert "<img" not in html and "<b>x" not in html
        assert PHONE not in html and EMAIL not in html
        assert "138****5678" in html and "l***@example.com" in html
    html = p.to_html("zh")
    assert "沉睡预警" in html and "重要价值客户" in html and "70%" in html and "健康分" in html
    assert "often bought with 母婴" in p.to_html("en")  # the reason's label, not its code
    assert p.next_actions("en")[-1].startswith("Offer")
    shown = profile.customer_profile("001", customers=customers, show_pii=True)
    assert shown.attributes["phone"] == PHONE


def test_unknown_and_one_purchase_customers():
    customers, tx, feedback = _data()
    unknown = profile.customer_profile("999", transactions=tx, customers=customers)
    assert not unknown.found
    assert "No customer with id 999" in unknown.to_html("en")
    assert "999" in unknown.to_html("zh")
    xss = profile.customer_profile("<script>", transactions=tx).to_html("en")
    assert "<script>" not in xss
    one = profile.customer_profile("002", transactions=tx, customers=customers, feedback=feedback)
    assert one.summary["orders"] == 1 and len(one.feedback) == 0
    assert "No feedback" in one.to_html("en")
    use_style()  # selects the CJK font for Chinese labels
    assert isinstance(profile.plot_timeline(one, lang="zh"), Figure)
    assert isinstance(profile.plot_timeline(unknown), Figure)
    no_tx = profile.customer_profile("002", customers=customers)
    assert no_tx.found and "No purchases yet" in no_tx.to_html("en")


def test_at_risk_ranking_and_builder():
    customers, tx, feedback = _data()
    stages = pd.DataFrame({"customer_id": ["001", "002", "003"], "stage": ["at_risk", "active", "churned"],
                           "spend": [150.0, 20.0, 500.0]})
    assert profile.at_risk_customers(stages, 10) == ["003", "001"]
    spend = pd.Series({"001": 900.0, "003": 10.0})  # the stages result has no spend column
    assert profile.at_risk_customers(stages.drop(columns="spend"), 10, spend=spend) == ["001", "003"]
    c360 = profile.Customer360(tx, customers, feedback, pd.Timestamp("2024-02-01"), stages=stages)
    early = c360.profile("001")
    assert early.summary["orders"] == 1  # as_of cuts the March order
    assert c360.customer_ids() == ["001", "002"]
    html = profile.cards_html(c360.profiles(["001", "nope"]), "en")
    assert html.count("wb-card") == 2


def test_card_labels_are_translated_and_money_axis():
    customers, tx, feedback = _data()
    segments = pd.DataFrame({"customer_id": ["001"], "segment_cn8": ["important_value"], "value_tier": ["A"]})
    recs = pd.DataFrame({"customer_id": ["001"], "rank": [1], "item": ["数码"], "score": [1.0],
                         "reason": ["co_purchase"], "reason_label": ["常与母婴一起购买"]})
    p = profile.customer_profile("001", transactions=tx, customers=customers, feedback=feedback,
                                 segments=segments, recommendations=recs)
    en, zh = p.to_html("en"), p.to_html("zh")
    assert "A · top 20%" in en and "A · 前20%" in zh  # the value tier code A, explained
    assert "NPS 净推荐值 3" in zh and "CSAT 满意度 2" in zh  # score labels from the catalogue
    assert "数码（常与母婴一起购买）" in zh  # Chinese brackets around the reason
    use_style()
    fig = profile.plot_timeline(p, lang="zh")
    assert fig.axes[0].yaxis.get_major_formatter()(15_000, 0) == "¥1.5万"  # money on the axis
    fig = profile.plot_timeline(p, lang="en")
    assert fig.axes[0].yaxis.get_major_formatter()(1_500, 0) == "¥1.5K"
    plt.close("all")
