"""Lifecycle charts: each takes data and returns a matplotlib Figure."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from workbench.charts import annotate_heatmap, axes_for
from workbench.i18n import fmt_money_short, fmt_number, t
from workbench.lifecycle.stages import STAGES
from workbench.style import PALETTE, format_count_axis, format_money_axis

__all__ = ["STAGE_COLORS", "plot_cohort_heatmap", "plot_cumulative_revenue", "plot_funnel",
           "plot_stage_area", "plot_time_to_second", "plot_transition_heatmap"]

#: One palette colour per stage (grey prospects, warm colours for at risk and churned).
STAGE_COLORS = dict(zip(STAGES, (PALETTE[7], PALETTE[5], PALETTE[2], PALETTE[0], PALETTE[4],
                                 PALETTE[1], PALETTE[3])))


def plot_stage_area(counts: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Stacked area of customers per stage over the snapshots (from ``stage_counts``)."""
    fig, ax = axes_for(ax, (9, 4.5))
    wide = counts.pivot_table(index="snapshot", columns="stage", values="customers", fill_value=0)
    order = [s for s in STAGES if s in wide.columns]
    ax.stackplot(wide.index, *[wide[s] for s in order], colors=[STAGE_COLORS[s] for s in order],
                 labels=[t(f"life.stage.{s}", lang) for s in order], alpha=0.9)
    format_count_axis(ax.yaxis, lang)
    ax.set(ylabel=t("word.customers", lang), title=t("life.area_title", lang))
    ax.legend(loc="upper left", fontsize=8, ncols=2)
    return fig


def plot_transition_heatmap(matrix: pd.DataFrame, *, title_key: str, lang: str = "en",
                            money: bool = False, ax: Axes | None = None) -> Figure:
    """Heatmap of a transition matrix (counts or revenue) with the values written in."""
    fig, ax = axes_for(ax, (7.5, 5.5))
    values = matrix.to_numpy(dtype=float)
    image = ax.imshow(values, cmap="Blues", aspect="auto")
    annotate_heatmap(ax, image, values,
                     (lambda v: fmt_money_short(v, lang)) if money else (lambda v: fmt_number(v, lang)),
                     fontsize=7)
    names = {s: t(f"life.stage.{s}", lang) for s in (*STAGES, "newcomer")}
    ax.set(xticks=range(matrix.shape[1]), xticklabels=[names[s] for s in matrix.columns],
           yticks=range(matrix.shape[0]), yticklabels=[names[s] for s in matrix.index],
           xlabel=t("life.to_stage", lang), ylabel=t("life.from_stage", lang),
           title=t(title_key, lang))
    ax.tick_params(axis="x", labelrotation=30)
    ax.grid(False)
    bar = fig.colorbar(image, ax=ax)
    (format_money_axis if money else format_count_axis)(bar.ax.yaxis, lang)
    return fig


def plot_cohort_heatmap(retention: pd.DataFrame, *, lang: str = "en", max_periods: int = 12,
                        ax: Axes | None = None) -> Figure:
    """Retention (%) by acquisition month (rows) and months since first purchase (columns)."""
    shown = retention.iloc[-24:, 1: max_periods + 1] * 100
    fig, ax = axes_for(ax, (10, 0.3 * len(shown) + 2))
    image = ax.imshow(shown.to_numpy(dtype=float), cmap="YlGn", aspect="auto")
    annotate_heatmap(ax, image, shown.to_numpy(dtype=float), lambda v: f"{v:.0f}", fontsize=6)
    ax.set(xticks=range(shown.shape[1]), xticklabels=shown.columns,
           yticks=range(len(shown)), yticklabels=[str(p) for p in shown.index],
           xlabel=t("life.months_since", lang), ylabel=t("life.cohort", lang),
           title=t("life.retention_title", lang))
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(False)
    fig.colorbar(image, ax=ax, label="%")
    return fig


def plot_cumulative_revenue(per_customer: pd.DataFrame, *, lang: str = "en", last: int = 10,
                            ax: Axes | None = None) -> Figure:
    """Cumulative revenue per customer by months since acquisition, one line per cohort."""
    fig, ax = axes_for(ax, (9, 4.5))
    # Up to ``last`` cohorts spread over the whole range: old cohorts show the long run.
    step = max(1, math.ceil(len(per_customer) / last))
    shown = per_customer.iloc[::-1].iloc[::step].iloc[::-1]
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(shown))]
    for (cohort, row), color in zip(shown.iterrows(), colors):
        ax.plot(row.index, row.to_numpy(dtype=float), color=color, label=str(cohort), lw=1.2)
    ax.set(xlabel=t("life.months_since", lang), ylabel=t("life.revenue_per_customer", lang),
           title=t("life.cumulative_title", lang))
    format_money_axis(ax.yaxis, lang)
    ax.legend(fontsize=7, ncols=3, loc="upper left")
    return fig


def plot_time_to_second(curve: pd.DataFrame, gaps: pd.Series, *, lang: str = "en") -> Figure:
    """Time to the second purchase (left) and the inter-purchase gap distribution (right)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    left.plot(curve["days"], curve["share_repeated"] * 100, color="#0072B2")
    left.set(xlabel=t("life.days_after_first", lang), ylabel="%",
             title=t("life.second_title", lang), ylim=(0, 100))
    shown = gaps[gaps <= gaps.quantile(0.99)] if len(gaps) else gaps  # the longest 1% stretch the axis
    right.hist(shown, bins=50, color="#009E73")
    right.set(xlabel=t("life.gap_days", lang), ylabel=t("word.count", lang),
              title=t("life.gap_title", lang))
    format_count_axis(right.yaxis, lang)
    return fig


def plot_funnel(steps: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Horizontal funnel with conversion between steps."""
    fig, ax = axes_for(ax, (8, 3.6))
    y = np.arange(len(steps))[::-1]
    bars = ax.barh(y, steps["customers"], color=PALETTE[: len(steps)])
    labels = [fmt_number(c, lang) + (f"  ({v:.0%})" if np.isfinite(v) else "")
              for c, v in zip(steps["customers"], steps["conversion"].fillna(np.nan))]
    ax.bar_label(bars, labels=labels, padding=3, fontsize=8)
    ax.set(yticks=y, yticklabels=[t(f"life.funnel.{s}", lang) for s in steps["step"]],
           title=t("life.funnel_title", lang))
    format_count_axis(ax.xaxis, lang)
    ax.set_xlim(0, steps["customers"].max() * 1.25)
    return fig

