"""Data-quality figures on a small hand-made dataset."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from tests.conftest import write_csv
from workbench import quality
from workbench.io import load_dataset


@pytest.fixture
def dataset(tmp_path):
    write_csv(tmp_path / "transactions.csv",
              "customer_id,order_id,order_date,amount\n"
              "A,1,2024-01-05,10\nA,1,2024-01-05,10\n"   # exact duplicate
              "A,2,2024-03-01,20\nB,3,2024-03-02,-20\n"  # return
              "B,4,2024-03-03,30\nC,5,2024-03-04,40\nC,6,2024-03-05,1000\n")
    write_csv(tmp_path / "customers.csv", "customer_id,email\nA,a@x.com\nB,\nD,d@x.com\n")
    return load_dataset(tmp_path)


def test_rates_by_hand(dataset):
    rates = quality.quality_rates(dataset)
    assert rates["duplicate_rate"] == pytest.approx(1 / 7)
    assert rates["return_rate"] == pytest.approx(1 / 7)
    assert rates["return_value_share"] == pytest.approx(20 / 1100)
    # positive kept amounts 10, 20, 30, 40, 1000: Q1 = 20, Q3 = 40, fence = 40 + 3 * 20
    assert rates["outlier_threshold"] == pytest.approx(100.0)
    assert rates["outlier_rate"] == pytest.approx(1 / 5)
    assert rates["customers_without_transactions"] == 1  # D
    assert rates["unknown_customers"] == 1  # C


def test_coverage_gaps_and_missing(dataset):
    coverage = quality.monthly_coverage(dataset.transactions)
    assert coverage["lines"].tolist() == [1, 0, 4]
    assert quality.coverage_gaps(coverage) == ["2024-02"]
    missing = quality.missing_values(dataset).set_index(["table", "column"])
    assert missing.loc[("customers", "email"), "missing"] == 1
    assert missing.loc[("customers", "email"), "share"] == pytest.approx(1 / 3)


def test_metrics_and_overview_table(dataset):
    metrics = quality.quality_metrics(dataset)
    assert (metrics["rows_read"], metrics["rows_kept"], metrics["rows_set_aside"]) == (10, 8, 2)
    assert metrics["date_min"] == "2024-01-05" and metrics["date_max"] == "2024-03-05"
    table = quality.table_overview(dataset.quality, "zh").set_index("table")
    assert table.loc["交易", "rows_set_aside"] == 2
    rates = quality.rates_table(quality.quality_rates(dataset), "zh")
    assert "重复行占比" in rates["metric"].tolist()


def test_plots_draw_what_they_say(dataset):
    fig = quality.plot_rows_kept(quality.table_overview(dataset.quality, "en"), lang="en")
    ax = fig.axes[0]
    assert ax.get_title() == "Rows kept and set aside per table"
    widths = sorted(round(p.get_width()) for p in ax.patches)
    assert widths == [0, 2, 3, 5]  # customers: 3 kept, 0 aside; transactions: 5 kept, 2 aside
    plt.close(fig)
    coverage = quality.monthly_coverage(dataset.transactions)
    fig = quality.plot_monthly_coverage(coverage, lang="zh")
    assert fig.axes[0].get_title() == "每月交易量与销售额"
    assert [round(p.get_height()) for p in fig.axes[0].patches] == [1, 0, 4]
    plt.close(fig)
    fig = quality.plot_amount_distribution(dataset.transactions["amount"], 100.0)
    assert fig.axes[0].lines[0].get_xdata()[0] == 100.0
    plt.close(fig)


def test_table_widget_offers_loaded_tables(dataset):
    widget = quality.explore_widget(dataset, lang="zh")
    picker, _ = widget.children
    assert list(picker.options) == ["transactions", "customers", "returns"]
    assert picker.description == "数据表"
