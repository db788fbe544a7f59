"""Stakeholder review of reports 06 (voice of the customer) and 07 (next-best offer): the
sentence under the drivers, the period of every table and chart, NPS precision, the
follow-up list, and how the offer evaluation and cross-sell gaps are labelled.

Hand figures: the evaluation below has hit rates 0.428 (cosine) and 0.323 (popularity):
0.428 - 0.323 = 0.105 (+10.5 percentage points) and 0.428 / 0.323 - 1 = 0.325 (+32.5%
relative).
"""

import json
import re
from pathlib import Path
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from workbench import feedback, recommend
from workbench.i18n import fmt_pct, fmt_pp, t
from workbench.style import use_style


@pytest.fixture(scope="module", autouse=True)
def _cjk_font():
    use_style()  # the CJK font of the report's charts

AS_OF = pd.Timestamp("2024-12-31")
ROOT = Path(__file__).resolve().parents[1]


def _frame():
    """All time quality is the top complaint (10 old negative quality comments); in the
    latest 90 days (from 2024-10-03) logistics is (4 negative logistics, 1 negative quality)."""
    texts = {"quality": "质量太差了，很失望，再也不买了", "logistics": "物流太慢了，很失望，再也不买了",
             "pos": "物流很快，质量很好，很满意，下次还来", "plain": "还行吧"}
    plan = ([("2024-03-01", 2, "quality")] * 10 + [("2024-03-02", 9, "pos")] * 12
            + [("2024-11-01", 10, "pos")] * 10 + [("2024-11-02", 3, "logistics")] * 4
            + [("2024-11-03", 3, "quality")] * 1 + [("2024-11-04", 8, "plain")] * 5)
    rows = [{"customer_id": f"{i:04d}", "submitted_at": pd.Timestamp(day), "nps": nps,
             "csat": 5 if nps >= 9 else (2 if nps < 7 else 4), "comment": texts[kind]}
            for i, (day, nps, kind) in enumerate(plan)]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def result():
    return feedback.analyse(_frame(), as_of=AS_OF, n_topics=0)  # topics: not needed here


# ---------------------------------------------------------------- 1. the sentence under the drivers


def test_outcome_sentence_does_not_name_the_drivers_it_shows(result):
    shown = feedback.drivers(result, "en", min_n=3)
    left_out = feedback.drivers(result, "en", kind="complaints", min_n=3).attrs["outcome_defined"]
    assert sorted(left_out) == sorted(result.rules.names("en").values())
    for lang in ("en", "zh"):  # every complaint flag left out, every theme shown: no list
        names = list(result.rules.names(lang).values())
        key, values = feedback.outcome_defined_sentence(names[::-1], names, lang)
        text = t(key, lang, **values)
        assert not any(name in text for name in names)
    key, values = feedback.outcome_defined_sentence(list(shown["theme"]) + left_out, left_out, "en")
    text = t(key, "en", **values)
    assert text.startswith("Complaints (negative comments about a theme) are not used as drivers: they are "
                           "defined by the low score itself.")
    assert "mention a theme, whatever their tone" in text
    # a list that differs from the one shown is named
    key, values = feedback.outcome_defined_sentence(["logistics"], ["quality", "price"], "en")
    assert "quality, price" in t(key, "en", **values)
    key, values = feedback.outcome_defined_sentence(["logistics"], ["quality"], "zh")
    assert "quality" in t(key, "zh", **values) and "投诉" in t(key, "zh", **values)


# ---------------------------------------------------------------- 2. the headline's period


def test_headline_complaint_is_the_first_row_of_the_latest_period_table(result):
    metrics = feedback.feedback_metrics(result, days=90)
    latest = feedback.category_table(result, "en", days=90)
    every = feedback.category_table(result, "en")
    assert latest.iloc[0]["category"] == "logistics" and every.iloc[0]["category"] == "quality"
    top = metrics["top_categories"][0]
    assert top["category"] == latest.iloc[0]["category"]
    assert top["complaint_share"] == pytest.approx(latest.iloc[0]["complaint_share"])
    for lang in ("en", "zh"):
        row = feedback.category_table(result, lang, days=90).iloc[0]
        text = metrics["headline"][lang]
        assert row["category_name"] in text and fmt_pct(row["complaint_share"], 0) in text
        assert "2024-10-03" in text and "2024-12-31" in text  # the table's period, named
    assert feedback.period_label(result, "en", days=90) == "Latest period: last 90 days, 2024-10-03 to 2024-12-31"
    assert feedback.period_label(result, "en") == "All time: 2024-03-01 to 2024-12-31"
    assert feedback.period_span(result, 90)["comments"] == len(result.comments) - 22
    fig = feedback.plot_categories(latest, lang="en", period=feedback.period_label(result, "en", days=90))
    assert fig.axes[0].get_title().endswith("last 90 days, 2024-10-03 to 2024-12-31")
    plt.close(fig)


def test_every_chart_of_the_report_can_carry_its_period(result):
    period = feedback.period_label(result, "zh")
    assert period == "全部时间：2024-03-01 至 2024-12-31"
    figs = [feedback.plot_score_trend(feedback.scores_by_month(result.answers), period=period, lang="zh"),
            feedback.plot_topics(pd.DataFrame({"label": ["T1: 物流"], "comments": [5]}), period=period, lang="zh"),
            feedback.plot_drivers(feedback.drivers(result, "zh", min_n=3), period=period, lang="zh"),
            feedback.plot_category_trend(feedback.category_trend(result.comments, result.rules), {},
                                         period=period, lang="zh")]
    assert all(period in f.axes[0].get_title() for f in figs)
    two_panels = feedback.plot_sentiment(result.comments, lang="zh", period=period)
    assert two_panels._suptitle.get_text() == period
    for f in [*figs, two_panels]:
        plt.close(f)


# ---------------------------------------------------------------- 3. NPS by group: all time, said


def test_group_tables_say_they_cover_all_time(result):
    values = feedback.group_period_values(result, "en", days=90)
    # all time: 22 promoters, 15 detractors of 42 -> 16.7; latest: 10 promoters, 5 detractors of 20 -> 25.0
    assert values == {"period": "All time: 2024-03-01 to 2024-12-31", "days": "90",
                      "all_time": "16.7", "latest": "25.0"}
    text = t("fb.by_period", "en", **values)
    assert "(All time: 2024-03-01 to 2024-12-31)" in text and "NPS 16.7 over all time" in text
    assert "25.0 in the last 90 days" in text
    assert "全部时间：2024-03-01 至 2024-12-31" in t("fb.by_period", "zh",
                                                   **feedback.group_period_values(result, "zh", days=90))
    table = feedback.scores_table(result.answers.assign(channel=["app", "sms"] * 21), "channel", "en", min_n=1)
    fig = feedback.plot_scores_by(table, "group", title="NPS by survey channel", period=values["period"])
    assert fig.axes[0].get_title() == "NPS by survey channel\nAll time: 2024-03-01 to 2024-12-31"
    plt.close(fig)


# ---------------------------------------------------------------- 4. NPS with one decimal


def test_nps_tables_show_points_with_one_decimal(result):
    table = feedback.scores_table(result.answers.assign(channel=["app", "sms"] * 21), "channel", "en", min_n=1)
    shown = feedback.display_frame(table, "en")
    for column in ("nps", "nps_low", "nps_high"):
        assert all(re.fullmatch(r"-?\d+\.\d", v) for v in shown[column]), shown[column].tolist()
    drivers = feedback.drivers(result, "en", min_n=3)
    shown = feedback.display_frame(drivers, "en", metric="nps")
    for column in ("with_theme", "without_theme", "difference", "low", "high"):
        assert all(v == "–" or re.fullmatch(r"-?\d+\.\d", v) for v in shown[column]), shown[column].tolist()
    one_answer = feedback.display_frame(pd.DataFrame({"nps": pd.array([8, 3], dtype="Int64")}), "en")
    assert one_answer["nps"].tolist() == [8, 3]  # a customer's own 0-10 score stays a whole number
    means = feedback.display_frame(pd.DataFrame({"difference": [-0.123]}), "en", metric="csat_mean")
    assert means["difference"].tolist() == ["-0.12"]


# ---------------------------------------------------------------- 5. the follow-up list


def _follow_up_case():
    as_of = pd.Timestamp("2024-06-30")
    fb = pd.DataFrame({"customer_id": ["vip1", "vip2", "vip3"],
                       "submitted_at": pd.to_datetime(["2024-06-01", "2024-06-29", "2024-06-10"]),
                       "nps": [3, 2, 1], "comment": ["质量太差了，很失望", "物流太慢了，很失望", None]})
    customers = pd.DataFrame({"customer_id": ["vip1", "vip2", "vip3"], "name": ["王小明", "李雷", "韩梅梅"],
                              "tier": ["铂金"] * 3})
    tx = pd.DataFrame({"customer_id": ["vip1", "vip2", "vip3"], "order_id": ["o1", "o2", "o3"],
                       "order_date": pd.to_datetime(["2024-05-01"] * 3), "amount": [5000.0, 4000.0, 3000.0],
                       "category": ["A"] * 3})
    result = feedback.analyse(fb, customers=customers, transactions=tx, as_of=as_of, n_topics=0)
    return result, SimpleNamespace(customers=customers, transactions=tx, events=None)


def test_follow_up_lists_only_answers_old_enough_and_dashes_missing_comments():
    result, ds = _follow_up_case()
    listing = feedback.follow_up(result, ds, "en", days=90, min_days=7, high_value_share=1.0)
    # vip2 answered the day before the analysis date: no time to buy or be called since
    assert listing["customer_id"].tolist() == ["vip1", "vip3"]
    assert (listing["days_since"] >= 7).all()
    assert listing.set_index("customer_id").loc["vip3", "comment"] == "–"
    assert listing.set_index("customer_id").loc["vip3", "categories"] == "–"
    shown = feedback.display_frame(listing, "en")
    assert shown["nps"].tolist() == [3, 1] and shown["comment"].iloc[1] == "–"
    everyone = feedback.follow_up(result, ds, "en", days=90, min_days=0, high_value_share=1.0)
    assert "vip2" in set(everyone["customer_id"])
    values = feedback.follow_up_values(result, listing, days=90, min_days=7, high_value_share=1.0)
    assert values == {"n": "2", "share": "100%", "start": "2024-04-02", "end": "2024-06-23", "min_days": "7"}
    assert all(pd.Timestamp(values["start"]) <= pd.Timestamp(d) <= pd.Timestamp(values["end"])
               for d in listing["submitted_at"])
    text = t("fb.follow_up_text", "en", **values)
    assert "between 2024-04-02 and 2024-06-23 (answers at least 7 days old)" in text
    assert "2024-04-02 至 2024-06-23" in t("fb.follow_up_text", "zh", **values)


# ---------------------------------------------------------------- 6-9. report 07


def test_cross_sell_gap_is_in_percentage_points():
    cross = pd.DataFrame({"segment": ["s1"], "segment_name": ["S1"], "item": ["C"], "customers": [200],
                          "actual_share": [0.436], "expected_share": [0.547], "gap_share": [0.111],
                          "customers_without": [113]})
    for lang, unit in (("en", " pp"), ("zh", " 个百分点")):
        shown = recommend.cross_sell_table(cross, lang)
        assert shown["gap_pp"].tolist() == ["+11.1" + unit] == [fmt_pp(0.111, lang)]
        assert "gap_share" not in shown and "segment" not in shown
        assert recommend.CROSS_HEADERS["gap_pp"] == "rec.col.gap"


def _evaluation():
    rows = []
    for model, hit in (("cosine", 0.428), ("lift", 0.40), ("popularity", 0.323)):
        rows.append({"model": model, "n": 10, "customers": 1000, "hit_rate": hit, "precision": 0.05,
                     "recall": 0.3, "coverage": 0.5})
    return pd.DataFrame(rows)


def test_relative_and_absolute_uplift_are_labelled_from_the_same_numbers():
    evaluation = _evaluation()
    gap = recommend.baseline_gap(evaluation, 10, "cosine")
    assert gap["difference"] == pytest.approx(0.105) and gap["relative"] == pytest.approx(0.428 / 0.323 - 1)
    table = recommend.evaluation_display(evaluation, 10, "en").set_index("model")
    assert table.loc["cosine", "uplift_relative"] == "+32.5% relative"
    assert table.loc["cosine", "uplift_pp"] == "+10.5 pp"
    assert table.loc["popularity", "uplift_pp"] == "–"
    headline = recommend.headline(evaluation, 10)
    assert "+10.5 pp" in headline["en"] and "+32.5% relative" in headline["en"]
    assert "42.8% vs 32.3%" in headline["en"] and "percentage points" not in headline["en"]
    zh = recommend.evaluation_display(evaluation, 10, "zh").set_index("model")
    assert zh.loc["cosine", "uplift_pp"] in headline["zh"] and zh.loc["cosine", "uplift_relative"] in headline["zh"]
    assert "+10.5 个百分点" in headline["zh"] and "相对 +32.5%" in headline["zh"]
    assert {"uplift_relative", "uplift_pp"} <= set(recommend.EVAL_HEADERS)
    assert t(recommend.EVAL_HEADERS["uplift_pp"], "en") == "Hit rate vs baseline (percentage points)"
    assert t(recommend.EVAL_HEADERS["uplift_relative"], "en") == "Hit rate vs baseline (relative change)"


@pytest.mark.parametrize("lang, label", [("en", "Number of offers N"), ("zh", "推荐数 N")])
def test_evaluation_chart_names_its_x_axis(lang, label):
    fig = recommend.plot_evaluation(_evaluation(), lang=lang)
    assert fig.axes[0].get_xlabel() == label
    plt.close(fig)


def test_cross_sell_intro_is_said_once():
    nb = json.loads((ROOT / "notebooks" / "07_personalization.ipynb").read_text(encoding="utf-8"))
    markdown = " ".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "Categories a segment buys less often than customers with the same other purchases" in markdown
    en, zh = t("rec.cross_text", "en"), t("rec.cross_text", "zh")
    # the catalogue sentence explains the columns; it does not repeat the section's intro
    assert "less often than" not in en and "percentage points" in en
    assert "低于" not in zh and "百分点" in zh
    code = " ".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert code.count('"rec.cross_text"') == 1 and np.all([True])
