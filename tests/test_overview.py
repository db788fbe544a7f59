"""Overview KPIs against hand calculations."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from tests.conftest import write_csv
from workbench import overview
from workbench.io import load_dataset


@pytest.fixture
def dataset(tmp_path):
    write_csv(tmp_path / "transactions.csv",
              "customer_id,order_id,order_date,amount,channel\n"
              "A,1,2022-01-01,100,门店\n"      # previous-year window starts 2022-01-01
              "A,2,2023-09-01,50,门店\n"
              "A,3,2023-12-20,150,APP\n"
              "B,4,2023-02-01,200,APP\n"
              "C,5,2023-12-30,300,APP\n"
              "C,5,2023-12-30,100,APP\n")      # second line of order 5
    write_csv(tmp_path / "customers.csv", "customer_id,churned\nA,否\nB,是\nC,否\nD,否\n")
    return load_dataset(tmp_path)


def test_kpis_by_hand(dataset):
    k = overview.overview_kpis(dataset, pd.Timestamp("2023-12-31"), active_days=90)
    assert k["customers"] == 3 and k["registered_customers"] == 4
    assert k["active_customers"] == 2  # A (11 days ago) and C (1 day); B is 333 days ago
    assert k["revenue_12m"] == 800.0  # 2023-01-01 .. 2023-12-31
    assert k["revenue_prev_12m"] == 100.0
    assert k["revenue_growth"] == pytest.approx(7.0)
    assert k["repeat_rate"] == pytest.approx(1 / 3)  # only A bought on two or more days
    assert k["average_order_value"] == pytest.approx(800 / 4)  # orders 2, 3, 4, 5
    assert k["orders_per_customer_12m"] == pytest.approx(4 / 3)
    assert k["churn_rate"] == pytest.approx(0.25)


def test_kpis_without_a_full_previous_year(dataset):
    k = overview.overview_kpis(dataset, pd.Timestamp("2023-06-30"))
    assert k["revenue_prev_12m"] is None and k["revenue_growth"] is None
    keys = [key for key, _ in overview.overview_sentences(k, "en")]
    assert "ov.sentence.revenue_new" in keys


def test_bad_parameter_raises_clearly(dataset):
    with pytest.raises(ValueError, match="active_days must be a positive whole number"):
        overview.overview_kpis(dataset, pd.Timestamp("2023-12-31"), active_days=0)


def test_trend_channels_and_plots(dataset):
    as_of = pd.Timestamp("2023-12-31")
    trend = overview.monthly_trend(dataset.transactions, as_of, months=12)
    assert len(trend) == 12 and trend["revenue"].iloc[-1] == 550.0
    assert trend.loc[trend["month"] == pd.Period("2023-12"), "customers"].item() == 2
    channels = overview.channel_revenue(dataset.transactions, as_of)
    assert channels["channel"].tolist() == ["APP", "门店"]
    assert channels["share"].tolist() == pytest.approx([750 / 800, 50 / 800])
    fig = overview.plot_channel_revenue(channels, lang="zh")
    assert fig.axes[0].get_title() == "近12个月各渠道销售额"
    assert len(fig.axes[0].patches) == 2
    plt.close(fig)
    fig = overview.plot_monthly_trend(trend, lang="en")
    assert len(fig.axes[0].patches) == 12 and len(fig.axes[1].lines) == 1
    plt.close(fig)


def test_domain_highlights_degrade_gracefully(tmp_path):
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "feedback.json").write_text(
        '{"nps": 31.5, "headline": {"en": "NPS is 31.5.", "zh": "NPS 为 31.5。"}}')
    sentences = overview.domain_sentences(overview.domain_highlights(tmp_path), "en")
    assert "Voice of the customer: NPS is 31.5." in sentences
    assert "The Customer segmentation analysis has not produced results in this run." in sentences
    assert len(sentences) == len(overview.DOMAIN_TOPICS) == 8


def test_channel_widget_lists_channels_and_redraws(dataset, monkeypatch):
    drawn = []
    real = overview.monthly_trend
    monkeypatch.setattr(overview, "monthly_trend",
                        lambda tx, as_of, channel=None: drawn.append(channel) or real(tx, as_of))
    widget = overview.explore_widget(dataset, pd.Timestamp("2023-12-31"), lang="en")
    picker, _ = widget.children
    assert list(picker.options) == ["All", "APP", "门店"]
    picker.value = "APP"
    assert drawn == [None, "APP"]  # drawn for all channels, then redrawn for the pick


def test_channel_chart_masks_contact_details_in_channel_names():
    channels = pd.DataFrame({"channel": ["APP", "VIP 13812345678 li.lei@example.com"],
                             "revenue": [10.0, 5.0], "share": [2 / 3, 1 / 3]})
    fig = overview.plot_channel_revenue(channels)
    fig.canvas.draw()
    labels = [label.get_text() for label in fig.axes[0].get_yticklabels()]
    assert "13812345678" not in " ".join(labels) and "li.lei@example.com" not in " ".join(labels)
    assert "APP" in labels
