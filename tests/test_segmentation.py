"""Segmentation: scores, schemes and tiers worked out by hand; real and planted data."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from workbench import segmentation as seg
from workbench.i18n import fmt_money_short


def test_scores_spread_evenly_without_ties():
    scores = seg.score_quantiles(pd.Series([10, 20, 30, 40, 50]))
    assert scores.tolist() == [1, 2, 3, 4, 5]  # mid-ranks 0.1, 0.3, ... of 5 bins
    recency = seg.score_quantiles(pd.Series([10, 20, 30, 40, 50]), higher_is_better=False)
    assert recency.tolist() == [5, 4, 3, 2, 1]


def test_heavy_ties_share_one_valid_score():
    # 70% buy once: the ties' average rank is 4 of 10 -> (4 - 0.5) / 10 * 5 = 1.75 -> score 2.
    values = pd.Series([1] * 7 + [2, 3, 4])
    assert seg.score_quantiles(values).tolist() == [2] * 7 + [4, 5, 5]
    all_equal = seg.score_quantiles(pd.Series([3] * 10))
    assert set(all_equal) == {3}


def test_score_errors():
    with pytest.raises(ValueError, match="bins must be at least 2"):
        seg.score_quantiles(pd.Series([1, 2]), bins=1)
    with pytest.raises(ValueError, match="1 missing values"):
        seg.score_quantiles(pd.Series([1.0, None], name="frequency"))


HAND = pd.DataFrame({
    # means: recency 40, frequency 4, monetary 300
    "customer_id": ["a", "b", "c", "d", "e"],
    "recency_days": [10, 10, 70, 70, 40],
    "frequency": [8, 1, 8, 1, 2],
    "monetary": [600, 400, 350, 50, 100],
})


def test_cn8_by_hand():
    segments = seg.segment_cn8(HAND)
    assert segments.tolist() == [
        "important_value",       # a: recent, frequent, high spend
        "important_development", # b: recent, rare, high spend
        "important_retention",   # c: long ago, frequent, high spend
        "general_winback",       # d: long ago, rare, low spend
        "general_winback",       # e: recency 40 = mean is not "high" (strictly more recent)
    ]
    median = seg.segment_cn8(HAND, threshold="median")  # medians 40, 2, 350
    # c's spend 350 equals the median, so M is not high: important -> general retention.
    assert median.tolist() == ["important_value", "important_development",
                               "general_retention", "general_winback", "general_winback"]
    with pytest.raises(ValueError, match="threshold must be"):
        seg.segment_cn8(HAND, threshold="mode")


@pytest.mark.parametrize(("r", "f", "m", "expected"), [
    (5, 5, 5, "champions"), (1, 1, 1, "lost"), (5, 1, 1, "new"), (4, 1, 1, "promising"),
    (2, 5, 5, "cant_lose"), (3, 3, 3, "need_attention"), (4, 1, 2, "potential_loyalist"),
    (3, 5, 4, "loyal"), (2, 1, 2, "hibernating"), (1, 3, 3, "at_risk"), (3, 1, 2, "about_to_sleep"),
])
def test_en11_by_hand(r, f, m, expected):
    frame = pd.DataFrame({"r_score": [r], "f_score": [f], "m_score": [m]})
    assert seg.segment_en11(frame).tolist() == [expected]


def test_en11_grid_covers_every_cell_with_all_eleven_segments():
    cells = [key for row in seg.EN11_GRID.values() for key in row]
    assert len(cells) == 25 and set(cells) == set(seg.EN11_SEGMENTS)
    rng = np.random.default_rng(1)
    scores = pd.DataFrame(rng.integers(1, 6, (500, 3)), columns=["r_score", "f_score", "m_score"])
    labels = seg.segment_en11(scores)
    assert labels.notna().all() and set(labels) <= set(seg.EN11_SEGMENTS)
    three_bins = seg.segment_en11(pd.DataFrame({"r_score": [3], "f_score": [3], "m_score": [3]}), bins=3)
    assert three_bins.tolist() == ["champions"]  # 3 of 3 maps to 5 of 5


def test_value_tiers_gini_and_concentration_by_hand():
    values = pd.Series([100.0, 90, 80, 70, 60, 50, 40, 30, 20, 10])
    tiers = seg.value_tiers(values)
    assert tiers.tolist() == ["A", "A", "B", "B", "B", "C", "C", "C", "C", "C"]
    assert seg.top_share(values, 0.2) == pytest.approx(190 / 550)
    assert seg.gini(pd.Series([1, 1, 1, 1])) == 0.0
    assert seg.gini(pd.Series([0, 0, 0, 1])) == pytest.approx(0.75)  # (n - 1) / n
    curve = seg.lorenz_curve(pd.Series([0, 0, 0, 1]))
    assert curve["value_share"].tolist() == [0, 0, 0, 0, 1]
    assert seg.tier_names((0.1, 0.4), "en") == ["Top 10%", "Next 30%", "Rest (60%)"]
    with pytest.raises(ValueError, match="cuts must be increasing"):
        seg.value_tiers(values, cuts=(0.5, 0.2))


def test_membership_levels_cumulate_from_the_top():
    # Listed in the ladder's order (lowest first), as in every chart and table; the
    # cumulative share still counts "this level and above".
    tiers = pd.Series(["普通", "普通", "白银", "黄金", "铂金", "黄金"])
    revenue = pd.Series([10.0, 10, 20, 100, 300, 60])
    table = seg.membership_summary(tiers, revenue)
    assert table["tier"].tolist() == ["普通", "白银", "黄金", "铂金"]
    assert table["revenue_share_and_above"].tolist() == pytest.approx([1.0, 0.96, 0.92, 0.6])
    assert table.set_index("tier").loc["黄金", "revenue_per_member"] == 80.0
    assert seg.membership_headline(table) == {"level": "铂金", "members": "17%", "revenue": "60%"}


def test_clusters_find_planted_blobs_and_name_them():
    rng = np.random.default_rng(0)
    centers = {"discount_share": [3, 0, 0], "log_aov": [0, 3, 0], "category:数码": [0, 0, 3]}
    truth = np.repeat([0, 1, 2], 200)
    features = pd.DataFrame({name: np.array(c)[truth] + rng.normal(0, 0.4, 600)
                             for name, c in centers.items()})
    clusters = seg.BehaviourClusters(k_range=(2, 3, 4, 5), random_state=0).fit(features)
    assert clusters.k_ == 3 and clusters.stability_ > 0.99
    assert adjusted_rand_score(truth, clusters.labels_) == 1.0
    personas = seg.name_personas(clusters, "zh").set_index("cluster")["persona"]
    by_truth = {int(pd.Series(clusters.labels_[truth == i]).mode()[0]): i for i in range(3)}
    names = {by_truth[c]: p for c, p in personas.items()}
    assert names == {0: "价格敏感型", 1: "品质追求型", 2: "数码偏好型"}


CDNOW_AS_OF = pd.Timestamp("1998-06-30")


def test_cdnow_segments_and_tiers_cover_every_customer_and_dollar(cdnow_transactions):
    result = seg.segment(cdnow_transactions, CDNOW_AS_OF, k_range=(3, 4))
    c = result.customers
    assert len(c) == 2357 and c["customer_id"].is_unique
    total = cdnow_transactions["amount"].sum()
    assert c["monetary"].sum() == pytest.approx(total)
    for column in ("segment_cn8", "segment_en11", "value_tier"):
        assert c[column].notna().all()
        assert c.groupby(column)["monetary"].sum().sum() == pytest.approx(total)
    assert result.tiers["customers"].sum() == 2357
    assert result.tiers["revenue"].sum() == pytest.approx(total)
    # 20% of 2,357 = 471.4 -> 471; 50% = 1,178.5 -> 1,179 (halves up): 471 / 708 / 1,178.
    assert result.tiers["customers"].tolist() == [471, 708, 1178]
    top = c.nlargest(471, "monetary")["monetary"].sum() / total
    assert seg.top_share(c["monetary"], 0.2) == pytest.approx(top)
    metrics = seg.segmentation_metrics(result)
    assert sum(metrics["customers_per_segment_cn8"].values()) == 2357
    assert sum(metrics["revenue_share_per_value_tier"].values()) == pytest.approx(1.0)
    assert set(metrics["headline"]) == {"en", "zh"}


def test_demo_personas_are_recovered(full_demo):
    folder, data = full_demo
    result = seg.segment(data.transactions, data.last_date)
    truth = pd.read_csv(folder / "truth" / "customers.csv", dtype={"customer_id": str})
    planted = truth[["customer_id", "persona"]].rename(columns={"persona": "planted"})
    merged = result.customers.merge(planted, on="customer_id")
    assert len(merged) == len(result.customers)
    ari = adjusted_rand_score(merged["planted"], merged["cluster"])
    print(f"persona recovery ARI on {len(merged):,} buyers: {ari:.3f}, k = {result.clusters.k_}")
    assert result.clusters.k_ == 5
    assert ari >= 0.6
    assert result.tiers["revenue"].sum() == pytest.approx(data.transactions["amount"].sum())


def test_plots_draw_what_they_say(cdnow_transactions):
    result = seg.segment(cdnow_transactions, CDNOW_AS_OF, k_range=(3,))
    table = seg.segment_table(result.customers, result.customers["segment_cn8"], "cn8", "zh")
    fig = seg.plot_segments(table, lang="zh")
    assert len(fig.axes[0].patches) == 2 * len(table)
    assert fig.axes[0].get_title() == "各客户群的客户数与销售额占比"
    plt.close(fig)
    fig = seg.plot_rfm_heatmap(result.customers)
    texts = [t.get_text() for t in fig.axes[0].texts]
    cell = result.customers.query("r_score == 5 and f_score == 5")["monetary"].mean()
    assert fmt_money_short(cell, "en") in texts
    plt.close(fig)
    fig = seg.plot_lorenz(result.customers["monetary"])
    line = fig.axes[0].lines[0]
    assert line.get_xdata()[-1] == 100 and line.get_ydata()[-1] == pytest.approx(100)
    plt.close(fig)
