"""CLV charts: what is drawn, in both languages, with the CJK font and no warnings (Agg)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from workbench.clv import (
    BetaGeo,
    assign_clv_tiers,
    clv_tier_summary,
    plot_clv_distribution,
    plot_clv_tiers,
    plot_conditional_expectations,
    plot_frequency_fit,
    plot_prob_alive,
    plot_tracking,
    prob_alive_matrix,
)
from workbench.i18n import t
from workbench.style import use_style

MODEL = BetaGeo.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})


@pytest.fixture(autouse=True)
def style():
    use_style()
    yield
    plt.close("all")


def rendered(fig: Figure) -> Figure:
    fig.canvas.draw()  # glyph lookup happens here: a missing CJK glyph would warn (-> error)
    return fig


def tracking_frame() -> pd.DataFrame:
    actual = np.array([3.0, 10, 20, 25, 30, 28, 27, 25])
    predicted = np.array([4.0, 11, 19, 24, 29, 29, 27, 26])
    frame = pd.DataFrame({"period": np.arange(8),
                          "period_start": pd.date_range("2024-01-01", periods=8, freq="7D"),
                          "actual": actual, "predicted": predicted,
                          "actual_cum": actual.cumsum(), "predicted_cum": predicted.cumsum()})
    frame.attrs.update(calibration_period=5, unit="W")
    return frame


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_frequency_fit_bars(lang):
    table = pd.DataFrame({"frequency": ["0", "1", "2+"], "actual": [50.0, 30, 20],
                          "expected": [48.0, 33, 19]})
    fig = rendered(plot_frequency_fit(table, lang=lang))
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    assert heights == [50.0, 30.0, 20.0, 48.0, 33.0, 19.0]
    assert ax.get_title() == t("clv.plot.fit_title", lang)
    assert ax.get_xlabel() == t("clv.axis.repeat_to_date", lang)
    assert [tk.get_text() for tk in ax.get_xticklabels()] == ["0", "1", "2+"]
    labels = [tx.get_text() for tx in ax.get_legend().get_texts()]
    assert labels == [t("clv.legend.actual", lang), t("clv.legend.model", lang)]
    calibration = plot_frequency_fit(table, lang=lang, calibration=True)
    assert calibration.axes[0].get_xlabel() == t("clv.axis.repeat_calibration", lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("cumulative", [False, True])
def test_tracking_lines_and_holdout_marker(lang, cumulative):
    frame = tracking_frame()
    fig = rendered(plot_tracking(frame, cumulative=cumulative, lang=lang))
    ax = fig.axes[0]
    lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 8]
    column = "actual_cum" if cumulative else "actual"
    np.testing.assert_array_equal(lines[0].get_ydata(), frame[column])
    np.testing.assert_array_equal(lines[1].get_ydata(), frame[column.replace("actual",
                                                                               "predicted")])
    assert len(ax.patches) == 1  # the shaded holdout period
    key = "clv.plot.tracking_cum_title" if cumulative else "clv.plot.tracking_title"
    assert ax.get_title() == t(key, lang, unit=t("clv.unit_one.W", lang))


def test_tracking_title_uses_the_singular_unit():
    fig = plot_tracking(tracking_frame(), lang="en")
    assert fig.axes[0].get_title() == "Repeat transactions per week: actual vs model"
    fig = plot_tracking(tracking_frame(), lang="zh")
    assert fig.axes[0].get_title() == "每周复购交易数：实际与模型"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_conditional_expectations(lang):
    table = pd.DataFrame({"frequency": ["0", "1", "2", "3+"], "customers": [10, 5, 3, 2],
                          "actual": [0.2, 0.7, 1.4, 3.0], "predicted": [0.25, 0.6, 1.3, 3.1]})
    ax = rendered(plot_conditional_expectations(table, lang=lang)).axes[0]
    assert [list(ln.get_ydata()) for ln in ax.get_lines()] == [[0.2, 0.7, 1.4, 3.0],
                                                              [0.25, 0.6, 1.3, 3.1]]
    assert ax.get_ylabel() == t("clv.axis.holdout_per_customer", lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_prob_alive_heatmap(lang):
    matrix = prob_alive_matrix(MODEL, T=39.0, max_frequency=8, n_recency=10)
    fig = rendered(plot_prob_alive(matrix, lang=lang, unit="W"))
    ax = fig.axes[0]
    image = ax.get_images()[0]
    assert image.get_array().shape == (10, 9) and image.get_clim() == (0, 1)
    assert ax.get_title() == t("clv.plot.prob_alive_title", lang, age="39",
                               unit=t("clv.unit.W", lang))
    assert len(fig.axes) == 2  # with its colour bar


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_clv_distribution_and_tiers(lang):
    clv = np.random.default_rng(0).gamma(0.6, 200.0, 2000)
    tiers = assign_clv_tiers(clv)
    fig = rendered(plot_clv_distribution(clv, tiers=tiers, lang=lang))
    ax = fig.axes[0]
    assert sum(p.get_height() for p in ax.patches) == 2000  # every customer in a bar
    assert len([ln for ln in ax.get_lines()]) == 3  # lower bounds of tiers A, B, C
    assert ax.get_xlabel() == t("clv.axis.clv", lang)
    assert ax.xaxis.get_major_formatter()(1000, 0).startswith("¥")
    summary = clv_tier_summary(clv, tiers)
    ax = rendered(plot_clv_tiers(summary, lang=lang)).axes[0]
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_allclose(heights[:4], [10, 20, 30, 40])
    np.testing.assert_allclose(heights[4:], summary["value_share"] * 100)
    assert [tk.get_text() for tk in ax.get_xticklabels()] == [t(f"clv.tier.{c}", lang)
                                                             for c in "ABCD"]


def test_plots_draw_on_a_given_axes_and_check_their_input():
    fig, (left, right) = plt.subplots(1, 2)
    table = pd.DataFrame({"frequency": ["0"], "actual": [1.0], "expected": [1.0]})
    assert plot_frequency_fit(table, ax=right) is fig and len(right.patches) == 2
    assert not left.patches
    with pytest.raises(ValueError, match="needs the column"):
        plot_tracking(pd.DataFrame({"actual": [1.0]}))
