"""Campaign charts under Agg: what is drawn (points, intervals, lines, titles) in both languages."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from workbench.campaigns import budget_curve, qini_curve, rank_by_value, uplift_curve
from workbench.campaigns.plotting import (
    plot_arm_effects,
    plot_budget_curve,
    plot_qini,
    plot_uplift_curve,
)
from workbench.campaigns.text import text


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


EFFECTS = pd.DataFrame({"campaign_id": ["a", "a", "b", "c"], "arm": ["x", "control", "y", "z"],
                        "uplift": [0.10, np.nan, -0.05, 0.01],
                        "uplift_low": [0.05, np.nan, -0.08, -0.02],
                        "uplift_high": [0.15, np.nan, -0.02, 0.04]})


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_arm_effects_forest(lang):
    fig = plot_arm_effects(EFFECTS, lang=lang)
    ax = fig.axes[0]
    points = ax.collections[-1].get_offsets()
    assert sorted(points[:, 0].round(6).tolist()) == [-5.0, 1.0, 10.0]  # pp, control left out
    labels = {round(t.get_position()[1]): t.get_text() for t in ax.get_yticklabels()}
    assert labels == {2: "a / x", 1: "b / y", 0: "c / z"}  # first arm on top
    assert ax.get_title() == text("camp.plot.effects_title", lang)


def _curves():
    rng = np.random.default_rng(0)
    t = rng.integers(0, 2, 200)
    s = rng.normal(size=200)
    y = (rng.random(200) < 0.2 + 0.3 * t * (s > 0)).astype(int)
    return {"qini": qini_curve(y, t, s), "uplift": uplift_curve(y, t, s),
            "proxy_qini": qini_curve(y, t, -s)}


def test_qini_has_model_proxy_and_random_lines():
    curves = _curves()
    ax = plot_qini(curves, "a", "x", lang="zh").axes[0]
    assert len(ax.lines) == 3
    model, proxy, random = ax.lines
    assert model.get_ydata()[-1] == pytest.approx(random.get_ydata()[-1])  # same end point
    assert np.allclose(random.get_ydata(), curves["qini"]["random"])
    assert np.allclose(proxy.get_ydata(), curves["proxy_qini"]["qini"])
    assert ax.get_title() == text("camp.plot.qini_title", "zh", campaign="a", arm="x")
    ax = plot_uplift_curve(curves, "a", "x").axes[0]
    assert len(ax.lines) == 2


def test_budget_curve_marks_the_best_budget():
    ranked = rank_by_value(["a", "b", "c"], [0.1, 0.3, -0.1], [100.0, 10.0, 50.0], 2.0)
    ax = plot_budget_curve(budget_curve(ranked)).axes[0]
    net = ax.lines[1].get_ydata()
    assert list(net) == pytest.approx([0, 8, 9, 2])
    assert ax.lines[2].get_xdata()[0] == 2  # the vertical line at the peak
    with pytest.raises(ValueError, match="net"):
        plot_budget_curve(pd.DataFrame({"contacts": [0], "incremental_value": [0]}))
