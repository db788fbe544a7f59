"""Segmentation charts: each takes data and returns a matplotlib Figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from workbench.charts import annotate_heatmap, axes_for
from workbench.i18n import fmt_money_short, t
from workbench.segmentation.value import gini, lorenz_curve, top_share
from workbench.style import PALETTE, format_money_axis

__all__ = ["plot_cluster_map", "plot_demographic", "plot_lorenz", "plot_rfm_heatmap",
           "plot_segments"]


def plot_segments(table: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Share of customers vs share of revenue per segment (from :func:`segment_table`)."""
    fig, ax = axes_for(ax, (9, 0.45 * len(table) + 1.8))
    y = np.arange(len(table))[::-1]
    ax.barh(y + 0.2, table["customer_share"] * 100, height=0.4, color=PALETTE[5],
            label=t("seg.col.customer_share", lang))
    ax.barh(y - 0.2, table["revenue_share"] * 100, height=0.4, color=PALETTE[0],
            label=t("seg.col.revenue_share", lang))
    ax.set(yticks=y, yticklabels=table["label"], xlabel="%", title=t("seg.segments_chart", lang))
    ax.legend(loc="lower right")
    return fig


def plot_rfm_heatmap(rfm: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Mean spend (colour and label) for each (R score, F score) cell; empty cells blank.

    Cell labels are :func:`workbench.i18n.fmt_money_short` text (the money axis format),
    black or white by cell colour.
    """
    fig, ax = axes_for(ax, (6.5, 5))
    bins = int(max(rfm["r_score"].max(), rfm["f_score"].max()))
    grid = (rfm.pivot_table(index="r_score", columns="f_score", values="monetary", aggfunc="mean")
            .reindex(index=range(bins, 0, -1), columns=range(1, bins + 1)))
    values = grid.to_numpy(dtype=float)
    image = ax.imshow(values, cmap="YlGnBu", aspect="auto")
    annotate_heatmap(ax, image, values, lambda v: fmt_money_short(v, lang), fontsize=8)
    ax.set(xticks=range(bins), xticklabels=range(1, bins + 1), yticks=range(bins),
           yticklabels=range(bins, 0, -1), xlabel=t("seg.f_score", lang),
           ylabel=t("seg.r_score", lang), title=t("seg.heatmap_title", lang))
    ax.grid(False)
    bar = fig.colorbar(image, ax=ax, label=t("seg.col.monetary", lang))
    format_money_axis(bar.ax.yaxis, lang)
    return fig


def plot_lorenz(values: pd.Series, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Lorenz curve of value with the equality line and the top-20% point marked."""
    fig, ax = axes_for(ax, (5.5, 5))
    curve = lorenz_curve(values)
    ax.plot(curve["customer_share"] * 100, curve["value_share"] * 100, color=PALETTE[0],
            label=t("seg.gini_label", lang, gini=f"{gini(values):.2f}"))
    ax.plot([0, 100], [0, 100], color=PALETTE[7], linestyle="--", label=t("seg.equality", lang))
    share = top_share(values, 0.2)
    ax.scatter([80], [(1 - share) * 100], color=PALETTE[3], zorder=3)
    ax.annotate(t("seg.top20_label", lang, share=f"{share:.0%}"), (80, (1 - share) * 100),
                textcoords="offset points", xytext=(-110, 15), color=PALETTE[3])
    ax.set(xlabel=t("seg.pareto_x", lang) + " (%)", ylabel=t("seg.pareto_y", lang) + " (%)",
           title=t("seg.pareto_title", lang), xlim=(0, 100), ylim=(0, 100))
    ax.legend(loc="upper left")
    return fig


def plot_cluster_map(coords: np.ndarray, labels: pd.Series, personas: pd.DataFrame, *,
                     lang: str = "en", max_points: int = 5000, random_state: int = 0,
                     ax: Axes | None = None) -> Figure:
    """Customers on the first two principal components, coloured by cluster (a sample).

    The largest cluster is drawn first (lowest z-order) and smaller ones on top, all
    semi-transparent, so no cluster hides behind a bigger one; the legend lists clusters by
    number, each with its own palette colour.
    """
    fig, ax = axes_for(ax, (7, 5.5))
    rng = np.random.default_rng(random_state)
    rows = (rng.choice(len(coords), max_points, replace=False) if len(coords) > max_points
            else np.arange(len(coords)))
    names = dict(zip(personas["cluster"], personas["persona"]))
    label_values = labels.to_numpy()
    clusters = sorted(np.unique(label_values))
    sizes = {c: int((label_values == c).sum()) for c in clusters}
    colours = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(clusters)}
    by_size = sorted(clusters, key=lambda c: (-sizes[c], c))
    drawn = {}
    for rank, cluster in enumerate(by_size):
        chosen = rows[label_values[rows] == cluster]
        drawn[cluster] = ax.scatter(coords[chosen, 0], coords[chosen, 1], s=6,
                                    alpha=0.35 if rank == 0 else 0.6, color=colours[cluster],
                                    zorder=2 + rank, linewidths=0,
                                    label=f"{cluster}: {names.get(cluster, cluster)}")
    ax.set(xlabel=t("seg.pc1", lang), ylabel=t("seg.pc2", lang), title=t("seg.cluster_map", lang))
    legend = ax.legend([drawn[c] for c in clusters], [drawn[c].get_label() for c in clusters],
                       markerscale=3, loc="best", fontsize=8)
    for handle in legend.legend_handles:
        handle.set_alpha(1.0)
    return fig


def plot_demographic(cut: pd.DataFrame, attribute: str, *, lang: str = "en",
                     ax: Axes | None = None) -> Figure:
    """Revenue per customer for each value of a customer attribute (from :func:`demographic_cuts`).

    Bars read top to bottom in the table's order: ordered attributes (age bands, membership
    levels) in their order, others by revenue per customer (at most 15, highest first).
    """
    ordinal = cut.attrs.get("ordinal", attribute == "age")
    shown = cut if ordinal else cut.sort_values("revenue_per_customer", ascending=False).head(15)
    shown = shown.iloc[::-1]  # barh draws the first row at the bottom
    fig, ax = axes_for(ax, (7, 0.4 * len(shown) + 1.6))
    ax.barh(shown[attribute].astype(str), shown["revenue_per_customer"], color=PALETTE[2])
    format_money_axis(ax.xaxis, lang)
    ax.set(xlabel=t("seg.revenue_per_customer", lang),
           title=t("seg.demographic_title", lang, attribute=t(f"seg.attribute.{attribute}", lang)))
    return fig

