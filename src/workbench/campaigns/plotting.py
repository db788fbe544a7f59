"""Charts of the campaigns report. Each takes a table of :mod:`workbench.campaigns.workflow`,
draws on ``ax`` (a new figure when None) and returns the Figure; labels come from the
catalogue (``camp.*``) in ``lang``, colours from :mod:`workbench.style`."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from workbench.campaigns.data import CONTROL
from workbench.campaigns.text import text
from workbench.charts import axes_for
from workbench.style import PALETTE, format_count_axis, format_money_axis

__all__ = ["plot_arm_effects", "plot_budget_curve", "plot_qini", "plot_uplift_curve"]

MODEL, PROXY, RANDOM = PALETTE[0], PALETTE[1], "#888888"


def _require(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame]
    if missing:
        raise ValueError(f"{what} needs the column(s) {', '.join(missing)}")


def plot_arm_effects(effects: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Uplift of each measured arm in percentage points with its 95% interval (a forest plot)."""
    _require(effects, ("campaign_id", "arm", "uplift", "uplift_low", "uplift_high"), "plot_arm_effects")
    shown = effects[(effects["arm"] != CONTROL) & effects["uplift"].notna()].reset_index(drop=True)
    fig, ax = axes_for(ax, (8, max(2.5, 0.6 * len(shown) + 1.2)))
    pos = np.arange(len(shown))[::-1]
    err = np.vstack([shown["uplift"] - shown["uplift_low"], shown["uplift_high"] - shown["uplift"]]) * 100
    colours = [PALETTE[2] if lo > 0 else PALETTE[3] if hi < 0 else RANDOM
               for lo, hi in zip(shown["uplift_low"], shown["uplift_high"])]
    for k, colour in enumerate(colours):  # one call per arm: caps take a single colour
        ax.errorbar(shown["uplift"].iloc[k] * 100, pos[k], xerr=err[:, k:k + 1], fmt="none",
                    ecolor=colour, capsize=4)
    ax.scatter(shown["uplift"] * 100, pos, color=colours, zorder=3)
    ax.axvline(0, color=RANDOM, linewidth=1)
    ax.set_yticks(pos, [f"{c} / {a}" for c, a in zip(shown["campaign_id"], shown["arm"])])
    ax.set(xlabel=text("camp.axis.uplift_pp", lang), title=text("camp.plot.effects_title", lang))
    return fig


def _curve(curves: dict, column: str, title_key: str, campaign: str, arm: str, lang: str,
           ax: Axes | None) -> Figure:
    curve = curves["qini" if column == "qini" else "uplift"]
    _require(curve, ("targeted", column, "random"), "the curve")
    fig, ax = axes_for(ax, (7, 4))
    ax.plot(curve["targeted"], curve[column], color=MODEL, label=text("camp.legend.model", lang))
    if column == "qini" and "proxy_qini" in curves:
        proxy = curves["proxy_qini"]
        ax.plot(proxy["targeted"], proxy["qini"], color=PROXY, label=text("camp.legend.proxy", lang))
    ax.plot(curve["targeted"], curve["random"], color=RANDOM, linestyle="--",
            label=text("camp.legend.random", lang))
    ax.set(xlabel=text("camp.axis.targeted", lang), ylabel=text("camp.axis.incremental", lang),
           title=text(title_key, lang, campaign=campaign, arm=arm))
    format_count_axis(ax.xaxis, lang)
    ax.legend()
    return fig


def plot_qini(curves: dict[str, pd.DataFrame], campaign: str, arm: str, *, lang: str = "en",
              ax: Axes | None = None) -> Figure:
    """Qini curve of the uplift model, of the days-since-last-purchase proxy and the random line.

    ``curves`` is ``result.curves[(campaign, arm)]``.
    """
    return _curve(curves, "qini", "camp.plot.qini_title", campaign, arm, lang, ax)


def plot_uplift_curve(curves: dict[str, pd.DataFrame], campaign: str, arm: str, *,
                      lang: str = "en", ax: Axes | None = None) -> Figure:
    """Uplift curve of the model with the random line."""
    return _curve(curves, "uplift", "camp.plot.uplift_title", campaign, arm, lang, ax)


def plot_budget_curve(curve: pd.DataFrame, *, lang: str = "en", currency: str = "¥",
                      ax: Axes | None = None) -> Figure:
    """Net incremental value (and value before cost) against the number of contacts."""
    _require(curve, ("contacts", "incremental_value", "net"), "plot_budget_curve")
    fig, ax = axes_for(ax, (7, 4))
    ax.plot(curve["contacts"], curve["incremental_value"], color=PROXY,
            label=text("camp.legend.gross", lang))
    ax.plot(curve["contacts"], curve["net"], color=MODEL, label=text("camp.legend.net", lang))
    best = int(curve["net"].idxmax())
    ax.axvline(curve.loc[best, "contacts"], color=RANDOM, linestyle=":")
    ax.set(xlabel=text("camp.axis.contacts", lang), ylabel=text("camp.axis.net_value", lang),
           title=text("camp.plot.budget_title", lang))
    format_count_axis(ax.xaxis, lang)
    format_money_axis(ax.yaxis, lang, currency)
    ax.legend()
    return fig
