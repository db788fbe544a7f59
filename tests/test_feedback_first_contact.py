"""Issue "First contact" on the feedback report: intervals and charts on tiny or degenerate
groups, the headline on the latest period, drivers defined by the outcome, and how p values,
percentage points and money read in the report.

Hand figures used below (z = 1.959964):
- Wilson at p = 0 or 1 has the bound 0 (1) exactly; rounding gave 5.6e-17 for 0 of 3 and
  1 - 1.1e-16 for 10 of 10 before, and an error bar of negative length.
- NPS of one promoter, adjusted Wald (Rocks 2016): p_P' = 1.75/4, p_D' = 0.75/4, centre 25,
  half z 100 sqrt((0.625 - 0.0625) / 4) = 73.4987: interval -48.4987 to 98.4987, widened to
  contain the observed 100.
"""

import html as html_lib
import json
import re
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from workbench import feedback
from workbench.feedback.scores import compare, csat_estimate, nps_estimate, proportion_estimate

AS_OF = pd.Timestamp("2024-12-31")


def _valid(low, value, high):
    """An interval is valid when it holds its estimate (or is NaN as a whole)."""
    if np.isnan(low) and np.isnan(high):
        return True
    return low <= value <= high


# ---------------------------------------------------------------- 1. intervals and charts


@pytest.mark.parametrize("n", range(1, 41))
def test_wilson_bounds_hold_the_share_at_0_and_1(n):
    none, every = proportion_estimate(0, n), proportion_estimate(n, n)
    assert none["low"] == 0.0 and 0.0 < none["high"] < 1.0
    assert every["high"] == 1.0 and 0.0 < every["low"] < 1.0
    for k in range(n + 1):
        e = proportion_estimate(k, n)
        assert e["low"] <= e["share"] <= e["high"]


@pytest.mark.parametrize("scores", [[10], [0], [8], [10] * 5, [9, 10, 9, 10], [8] * 4, [3] * 7,
                                    [10, 9, 8, 7, 6, 5]])
def test_nps_interval_has_a_width_for_one_answer_and_all_equal_answers(scores):
    e = nps_estimate(scores)
    assert e["low"] <= e["nps"] <= e["high"]
    assert -100 <= e["low"] and e["high"] <= 100
    assert e["high"] - e["low"] > 20  # a handful of answers never pins NPS to a point


def test_nps_of_one_promoter_by_hand():
    e = nps_estimate([10])
    assert e["nps"] == 100 and e["high"] == 100
    assert e["low"] == pytest.approx(-48.4987, abs=1e-3)
    assert np.isnan(nps_estimate([])["low"]) and np.isnan(nps_estimate([])["high"])


@pytest.mark.parametrize("scores", [[], [5], [1], [5] * 10, [4] * 3, [3, 3, 3], [1, 5]])
def test_csat_and_ces_intervals_hold_their_estimate(scores):
    c = csat_estimate(scores)
    assert _valid(c["top2_low"], c["top2_share"], c["top2_high"]) or c["n"] == 0
    assert _valid(c["mean_low"], c["mean"], c["mean_high"]) or c["n"] == 0
    e = feedback.ces_estimate(scores)
    assert _valid(e["low"], e["mean"], e["high"]) or e["n"] == 0
    if scores == [5] * 10:
        assert c["top2_high"] == 1.0 and c["top2_low"] < 1.0


def test_no_p_value_of_zero_from_samples_without_spread():
    c = compare([5, 5], [4, 4], "csat_mean")
    assert np.isnan(c["p_value"]) and not c["significant"]
    same = compare([10, 10], [9, 9], "nps")  # all promoters both times
    assert np.isnan(same["p_value"]) and not same["significant"]


def _whiskers_of(ax):
    """(below, above) lengths of every error bar drawn on ``ax``."""
    lengths = []
    for collection in ax.collections:
        for segment in getattr(collection, "get_segments", list)():
            (x0, y0), (x1, y1) = segment
            lengths.append(abs(x1 - x0) + abs(y1 - y0))
    return lengths


def test_behaviour_chart_on_groups_with_no_churn_and_all_churn():
    import matplotlib.pyplot as plt

    # 3 promoters who all bought again (churn 0 of 3), 10 detractors who all left, one
    # passive: Wilson bounds land exactly on 0 and 1.
    frame = pd.DataFrame({
        "nps_group": ["promoter"] * 3 + ["detractor"] * 10 + ["passive"],
        "observed": [True] * 14,
        "churned": [0.0] * 3 + [1.0] * 10 + [1.0],
        "spend_after": [50.0, 50.0, 50.0] + [0.0] * 10 + [0.0]})
    table = feedback.behaviour_by(frame, "nps_group", order=["promoter", "passive", "detractor"])
    assert table["churn_low_rate"].iloc[0] == 0.0 and table["churn_high_rate"].iloc[2] == 1.0
    fig = feedback.plot_behaviour(table, "nps_group", lang="en")
    left, right = fig.axes
    assert [p.get_height() for p in left.patches] == pytest.approx([0.0, 1.0, 1.0])
    assert all(v >= 0 for v in _whiskers_of(left) + _whiskers_of(right))
    plt.close(fig)


def test_score_charts_on_tiny_groups_and_an_empty_month():
    import matplotlib.pyplot as plt

    fb = pd.DataFrame({
        "customer_id": [str(i) for i in range(9)],
        "submitted_at": pd.to_datetime(["2024-01-05"] * 4 + ["2024-04-05"] * 5),
        "nps": [10, 10, 10, 10, 9, 3, np.nan, np.nan, 8],
        "csat": [5, 5, 5, 5, np.nan, 1, np.nan, np.nan, 4],
        "channel": ["all promoters"] * 4 + ["one"] + ["mixed"] * 2 + ["no score"] * 2})
    by = feedback.scores_by(fb, "channel", min_n=3)
    fig = feedback.plot_scores_by(by, "channel", title="t", lang="en")
    assert len(fig.axes[0].collections) >= 2
    assert all(v >= 0 for v in _whiskers_of(fig.axes[0]))
    monthly = feedback.scores_by_month(fb)
    assert monthly["responses"].tolist() == [4, 0, 0, 5]  # February and March have none
    for metric in feedback.trend_metrics(fb):
        plt.close(feedback.plot_score_trend(monthly, metric=metric, lang="zh"))
    drivers = pd.DataFrame({"theme": ["a", "b"], "difference": [-10.0, 5.0], "low": [np.nan, 6.0],
                            "high": [np.nan, 4.0]})  # unknown, and an interval off its point
    fig = feedback.plot_drivers(drivers, lang="en")
    assert all(v >= 0 for v in _whiskers_of(fig.axes[0]))
    plt.close("all")


def test_a_period_without_answers():
    fb = pd.DataFrame({"customer_id": ["1", "2", "3"],
                       "submitted_at": pd.to_datetime(["2024-01-05", "2024-02-05", "2024-03-05"]),
                       "nps": [10, 9, 2], "csat": [5, 4, 1]})
    scores = feedback.period_scores(fb, AS_OF, 90)
    assert scores["nps"]["n"] == 0 and np.isnan(scores["nps"]["value"])
    assert scores["nps"]["all_time"]["n"] == 3
    assert scores["nps"]["start"] == pd.Timestamp("2024-10-03").date()
    assert scores["nps"]["end"] == AS_OF.date()
    table = feedback.period_change(fb, AS_OF, 90)
    assert (table["n_current"] == 0).all() and table["p_value"].isna().all()


def _comments_frame():
    """60 answers in three periods; comments name logistics (both tones) and quality."""
    rows = []
    texts = {"neg": "物流太慢了，很失望，再也不买了", "pos": "物流很快，很满意，下次还来",
             "quality": "质量很好，非常满意", "plain": "还行吧"}
    plan = ([("2024-03-01", 3, "neg")] * 10 + [("2024-03-02", 9, "pos")] * 10       # old
            + [("2024-08-01", 6, "neg")] * 6 + [("2024-08-02", 8, "plain")] * 6     # previous
            + [("2024-11-01", 10, "pos")] * 8 + [("2024-11-02", 9, "quality")] * 8  # latest
            + [("2024-11-03", 2, "neg")] * 4 + [("2024-11-04", 7, "plain")] * 8)
    for i, (day, nps, kind) in enumerate(plan):
        rows.append({"customer_id": f"{i:04d}", "submitted_at": pd.Timestamp(day), "nps": nps,
                     "csat": 5 if nps >= 9 else (2 if nps < 7 else 4), "comment": texts[kind]})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def small_result():
    return feedback.analyse(_comments_frame(), as_of=AS_OF, n_topics=2)


# ---------------------------------------------------------------- 2. the headline


def test_headline_is_the_latest_period_with_its_change(small_result):
    fb = _comments_frame()
    latest = fb[fb["submitted_at"] >= "2024-10-03"]["nps"]
    before = fb[(fb["submitted_at"] >= "2024-07-05") & (fb["submitted_at"] < "2024-10-03")]["nps"]
    metrics = feedback.feedback_metrics(small_result, days=90)
    nps = metrics["nps"]
    # Latest: 16 promoters, 4 detractors of 28 -> 100 * 12/28 = 42.857; before: 6 detractors
    # of 12 -> -50; change +92.857 points. All time: 26 promoters, 20 detractors of 60 -> 10.
    assert nps["value"] == pytest.approx(nps_estimate(latest)["nps"]) == pytest.approx(300 / 7)
    assert nps["n"] == 28 and nps["low"] < nps["value"] < nps["high"]
    assert nps["previous"]["value"] == pytest.approx(-50.0) and nps["previous"]["n"] == len(before)
    assert nps["change"]["value"] == pytest.approx(300 / 7 + 50)
    assert nps["change"]["low"] < nps["change"]["value"] < nps["change"]["high"]
    assert metrics["all_time"]["nps"]["value"] == pytest.approx(10.0)
    assert metrics["period"] == {"days": 90, "start": pd.Timestamp("2024-10-03").date(),
                                 "end": AS_OF.date(), "previous_start": pd.Timestamp("2024-07-05").date(),
                                 "previous_end": pd.Timestamp("2024-10-02").date()}
    en, zh = metrics["headline"]["en"], metrics["headline"]["zh"]
    assert "42.9" in en and "+92.9 points" in en and "last 90 days" in en and "10.0" not in en
    assert "42.9" in zh and "+92.9 分" in zh and "近 90 天" in zh
    json.dumps(metrics, default=str)
    cards = {label: (value, note) for label, value, note in feedback.score_cards(small_result, "en")}
    assert cards["NPS"][0] == "42.9" and "all time 10.0" in cards["NPS"][1]


def test_headline_says_when_the_latest_period_has_no_answers(small_result):
    metrics = feedback.feedback_metrics(small_result, days=30)  # Dec 2024: nobody answered
    assert metrics["nps"]["n"] == 0
    assert metrics["headline"]["en"].startswith("No NPS answers in the last 30 days")
    assert "10.0" in metrics["headline"]["en"]  # the all-time value, named as such


# ---------------------------------------------------------------- 3. drivers


def test_a_driver_defined_by_the_outcome_is_left_out():
    # 40 answers; "complaint" = negative comment naming the theme: it tops the list by
    # construction. "score band" is the score itself (detractors). "mention" is a real theme.
    nps = np.array([0, 2, 3, 5, 6] * 4 + [10, 9, 9, 8, 7] * 4)
    sentiment = np.where(nps < 7, "negative", "positive")
    mention = np.array([True, False] * 20)
    frame = pd.DataFrame({"nps": nps, "sentiment": sentiment})
    complaint = pd.Series(mention & (sentiment == "negative"))
    flags = {"complaint": complaint, "score band": pd.Series(nps < 7), "mention": pd.Series(mention)}
    everything = feedback.driver_table(frame, {"complaint": complaint}, min_n=5)
    assert everything["theme"].tolist() == ["complaint"]  # it would be the top driver
    table = feedback.driver_table(frame, flags, min_n=5,
                                  derived_from={"complaint": ["sentiment", "categories"],
                                                "mention": ["categories"]})
    assert table["theme"].tolist() == ["mention"]
    assert sorted(table.attrs["outcome_defined"]) == ["complaint", "score band"]


def test_report_drivers_are_mentions_not_complaints(small_result):
    table = feedback.drivers(small_result, "en", min_n=5).set_index("theme")
    comments = small_result.comments
    mentions = comments["categories"].map(lambda c: "logistics" in c)
    assert table.loc["logistics", "n_with"] == mentions.sum() == 38  # both tones, not 20 negatives
    complaints = feedback.drivers(small_result, "en", kind="complaints", min_n=5)
    assert complaints.empty and "logistics" in complaints.attrs["outcome_defined"]


# ---------------------------------------------------------------- 4. how numbers read


def test_sentences_use_fmt_p_points_and_percentage_points(small_result):
    big = pd.concat([_comments_frame()] * 20, ignore_index=True)
    big["customer_id"] = [f"{i:05d}" for i in range(len(big))]
    result = feedback.FeedbackResult(
        big.assign(in_scope=True, language="zh", categories=[[]] * len(big)),
        small_result.topics, small_result.rules, [], AS_OF, 90, small_result.models)
    en = feedback.change_sentences(result, 90, "en")
    zh = feedback.change_sentences(result, 90, "zh")
    text = " ".join(en + zh)
    assert "p < 0.001" in text and "p = 0.000" not in text and "p = p" not in text
    assert "points" in en[0] and "分" in zh[0]
    csat = next(s for s in en if s.startswith("CSAT (share"))
    assert " pp" in csat and "pp pp" not in csat
    assert "个百分点" in next(s for s in zh if s.startswith("CSAT满意率"))


def test_display_frame_formats_money_and_p_values():
    shown = feedback.display_frame(pd.DataFrame({"spend": [1234.5, np.nan], "spend_after": [12.5, 0.0],
                                                 "p_value": [0.0, 0.0342]}), "en")
    assert shown["spend"].tolist() == ["¥1,234", "–"]
    assert shown["spend_after"].tolist() == ["¥12.50", "¥0.00"]
    assert shown["p_value"].tolist() == ["p < 0.001", "p = 0.034"]


# ---------------------------------------------------------------- the notebook on odd data


def _write_tiny(folder):
    """A handful of rows: three promoters who came back, one detractor who left, one answer
    with no score, a comment, nothing in the last 90 days, one answer after as_of."""
    folder.mkdir()
    (folder / "transactions.csv").write_text(
        "customer_id,order_id,order_date,amount,quantity,channel,product_id,category,store,discount\n"
        "0001,1,2024-01-05 10:00:00,100.00,1,APP,SKU1,数码,店A,0.00\n"
        "0002,2,2024-01-06 10:00:00,50.00,1,APP,SKU2,服装,店A,0.00\n"
        "0003,3,2024-01-07 10:00:00,80.00,1,APP,SKU1,数码,店A,0.00\n"
        "0004,4,2024-01-08 10:00:00,30.00,1,APP,SKU3,食品,店A,0.00\n"
        "0001,5,2024-03-05 10:00:00,120.00,1,APP,SKU1,数码,店A,0.00\n"
        "0002,6,2024-03-06 10:00:00,60.00,1,APP,SKU2,服装,店A,0.00\n"
        "0003,7,2024-03-07 10:00:00,90.00,1,APP,SKU1,数码,店A,0.00\n"
        "0005,8,2024-12-31 10:00:00,10.00,1,APP,SKU3,食品,店A,0.00\n", encoding="utf-8")
    (folder / "customers.csv").write_text(
        "customer_id,signup_date,tier,name,phone,email\n"
        + "".join(f"000{i},2023-12-01,普通,客户{i},1391234567{i},c{i}@example.com\n" for i in range(1, 6)),
        encoding="utf-8")
    (folder / "feedback.csv").write_text(
        "customer_id,submitted_at,nps,csat,comment,channel,category\n"
        "0001,2024-02-01 10:00:00,10,5,物流太慢了，很失望,APP,数码\n"
        "0002,2024-02-02 10:00:00,10,5,,APP,服装\n"
        "0003,2024-02-03 10:00:00,10,5,很好,APP,数码\n"
        "0004,2024-02-04 10:00:00,2,1,质量很差,短信,食品\n"
        "0005,2024-02-05 10:00:00,,,,短信,食品\n"
        "0005,2025-02-05 10:00:00,9,5,不错,短信,食品\n", encoding="utf-8")


_SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def _visible_text(page: str) -> str:
    body = page[page.index("<body"):]
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", body, flags=re.DOTALL)
    body = re.sub(r"<[^>]+>", " ", body)
    return html_lib.unescape(body)


def test_notebook_runs_on_a_tiny_odd_dataset(tmp_path):
    from workbench.runner import RunConfig, run

    data = tmp_path / "tiny"
    _write_tiny(data)
    for lang in ("en", "zh"):
        out = tmp_path / f"out_{lang}"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = run(RunConfig(data=data, out=out, notebooks=["feedback"], lang=lang, jobs=1,
                                quiet=True, as_of="2024-12-31"))
        assert res.exit_code == 0, [(r.topic, r.status, getattr(r, "error", None)) for r in res.results]
        page = (out / "06_feedback.html").read_text(encoding="utf-8")
        assert "papermill-error-cell-tag" not in page and "Traceback" not in page
        assert "application/vnd.jupyter.stderr\"" not in page.replace("'", '"').split("</style>")[-1]
        text = _visible_text(page)
        assert _SNAKE.findall(text.replace("exports/feedback.csv", "")) == []
        assert "p = 0.000" not in text
        metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))["feedback"]
        assert metrics["nps"]["n"] == 0 and metrics["all_time"]["nps"]["n"] == 4
        assert metrics["headline"]["en"].startswith("No NPS answers in the last 90 days")
