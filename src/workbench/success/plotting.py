"""Charts of the customer success report: each takes data and returns a Figure.

Colours come from :data:`workbench.style.PALETTE`; money axes use
:func:`workbench.style.format_money_axis` (the :func:`workbench.i18n.fmt_money` rules).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from workbench.charts import axes_for
from workbench.i18n import t
from workbench.style import PALETTE, format_money_axis

__all__ = ["plot_band_churn", "plot_bridge", "plot_cohort_nrr", "plot_renewals", "plot_weights"]

#: Bar width on a date axis (a Timedelta, so the unit of the dates does not matter).
_BAR_WIDTH = pd.Timedelta(days=20)
#: Bridge movement -> colour (gains above the axis, losses below).
_MOVES = (("new", PALETTE[0]), ("reactivation", PALETTE[5]), ("expansion", PALETTE[2]),
          ("contraction", PALETTE[1]), ("churned", PALETTE[3]))


def plot_bridge(bridge: pd.DataFrame, *, lang: str = "en", months: int = 24,
                ax: Axes | None = None) -> Figure:
    """Monthly MRR movements as stacked bars (losses below zero) and MRR at month end as a
    line on a second axis. ``bridge`` is :func:`workbench.success.mrr.bridge` (currency
    units per month)."""
    if "month" not in bridge:
        raise ValueError("plot_bridge: bridge needs a month column (mrr.bridge output)")
    data = bridge.tail(months)
    fig, ax = axes_for(ax, (10, 4.5))
    x = data["month"].to_numpy()
    up = np.zeros(len(data))
    down = np.zeros(len(data))
    for move, colour in _MOVES:
        values = data[move].to_numpy(dtype=float)
        if move in ("contraction", "churned"):
            ax.bar(x, -values, bottom=down, width=_BAR_WIDTH, color=colour, label=t(f"cs.move.{move}", lang))
            down -= values
        else:
            ax.bar(x, values, bottom=up, width=_BAR_WIDTH, color=colour, label=t(f"cs.move.{move}", lang))
            up += values
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.set(title=t("cs.chart.bridge", lang), ylabel=t("cs.axis.mrr", lang))
    format_money_axis(ax.yaxis, lang)
    twin = ax.twinx()
    twin.plot(x, data["mrr_end"], color=PALETTE[7], marker="o", ms=3,
              label=t("cs.move.mrr_end", lang))
    twin.set(ylabel=t("cs.move.mrr_end", lang))
    format_money_axis(twin.yaxis, lang)
    twin.grid(False)
    ax.set_zorder(twin.get_zorder() + 1)  # bars in front of the twin axis' background
    ax.patch.set_visible(False)
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], loc="upper left", fontsize=8, ncol=3)
    return fig


def plot_cohort_nrr(cohorts: pd.DataFrame, *, lang: str = "en", last: int = 8,
                    ax: Axes | None = None) -> Figure:
    """One NRR line per start quarter (the ``last`` quarters with at least 2 points)."""
    fig, ax = axes_for(ax, (9, 4.5))
    shown = [c for c in sorted(cohorts["cohort"].unique())
             if (cohorts["cohort"] == c).sum() >= 2][-last:]
    for i, cohort in enumerate(shown):
        part = cohorts[cohorts["cohort"] == cohort]
        ax.plot(part["months_since"], part["nrr"], color=PALETTE[i % len(PALETTE)],
                label=cohort, linewidth=1.5)
    ax.axhline(1.0, color="#999999", linewidth=0.8, linestyle="--")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set(title=t("cs.chart.cohorts", lang), xlabel=t("cs.axis.months_since", lang),
           ylabel=t("cs.axis.nrr", lang))
    if shown:
        ax.legend(loc="best", fontsize=8, ncol=2)
    return fig


def plot_band_churn(by_band: pd.DataFrame, *, horizon_days: int, lang: str = "en",
                    ax: Axes | None = None) -> Figure:
    """Churn rate within ``horizon_days`` (days) per health band (red, yellow, green)."""
    fig, ax = axes_for(ax, (6, 4))
    colours = {"red": PALETTE[3], "yellow": PALETTE[1], "green": PALETTE[2]}
    bands = list(by_band["health_band"])
    ax.bar([t(f"cs.band.{b}", lang) for b in bands], by_band["churn_rate"].fillna(0),
           color=[colours.get(b, PALETTE[7]) for b in bands])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set(title=t("cs.chart.band_churn", lang, days=horizon_days),
           ylabel=t("cs.axis.churn_rate", lang))
    return fig


def plot_weights(weights: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Configured against learned weight shares per measure (horizontal bars)."""
    fig, ax = axes_for(ax, (8, 0.5 * len(weights) + 1.5))
    y = np.arange(len(weights))
    labels = [t(f"cs.measure.{m}", lang) if f"cs.measure.{m}" in _keys() else m
              for m in weights["measure"]]
    ax.barh(y - 0.2, weights["configured_weight"], height=0.4, color=PALETTE[0],
            label=t("cs.legend.configured", lang))
    ax.barh(y + 0.2, weights["learned_weight"].fillna(0), height=0.4, color=PALETTE[1],
            label=t("cs.legend.learned", lang))
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set(title=t("cs.chart.weights", lang), xlabel=t("cs.axis.weight", lang))
    ax.legend(loc="lower right")
    return fig


def _keys() -> dict:
    from workbench.i18n import CATALOGUE

    return CATALOGUE


def plot_renewals(renewals: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """ARR due and ARR at risk per week of the renewal date (currency units per year)."""
    fig, ax = axes_for(ax, (9, 4))
    week = renewals["renewal_date"].dt.to_period("W").dt.start_time
    g = renewals.assign(week=week).groupby("week")[["arr", "arr_at_risk"]].sum()
    ax.bar(g.index, g["arr"], width=pd.Timedelta(days=5), color=PALETTE[0], alpha=0.35, label=t("cs.legend.due", lang))
    ax.bar(g.index, g["arr_at_risk"], width=pd.Timedelta(days=5), color=PALETTE[3], label=t("cs.legend.at_risk", lang))
    format_money_axis(ax.yaxis, lang)
    ax.set(title=t("cs.chart.renewals", lang), xlabel=t("cs.axis.week", lang),
           ylabel=t("cs.axis.arr", lang))
    ax.legend(loc="upper right")
    return fig
