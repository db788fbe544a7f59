"""Charts of the personalization report: each takes data and returns a Figure."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from workbench.charts import annotate_heatmap, axes_for
from workbench.i18n import t
from workbench.recommend.rules import pair_matrix

__all__ = ["plot_affinity_heatmap", "plot_evaluation"]

def plot_affinity_heatmap(pairs: pd.DataFrame, *, value: Literal["lift", "confidence", "support"] = "lift",
                          lang: str = "en", ax: Axes | None = None) -> Figure:
    """Item x item ``value`` of :func:`association_rules` (all pairs, unfiltered), annotated
    with the same three decimals as the rules table. Cell text is black or white by the
    luminance of the cell's colour."""
    table = pair_matrix(pairs, value)
    sim = table.to_numpy(dtype=float)
    fig, ax = axes_for(ax, (6.5, 5.5))
    finite = np.isfinite(sim)
    center = 1.0 if value == "lift" else (float(np.nanmean(sim)) if finite.any() else 0.0)
    spread = float(np.nanmax(np.abs(sim - center))) if finite.any() else 1.0
    spread = spread if spread > 0 else 1.0
    image = ax.imshow(sim, cmap="RdBu_r", vmin=center - spread, vmax=center + spread)
    labels = [str(i) for i in table.index]
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    annotate_heatmap(ax, image, sim, "{:.3f}".format, fontsize=8)
    ax.grid(False)
    ax.set(xlabel=t("rec.col.consequent", lang), ylabel=t("rec.col.antecedent", lang),
           title=t(f"rec.affinity_title.{value}", lang))
    fig.colorbar(image, ax=ax, shrink=0.8).set_label(t(f"rec.col.{value}", lang))
    fig.tight_layout()
    return fig


def plot_evaluation(evaluation: pd.DataFrame, *, metric: str = "hit_rate", lang: str = "en",
                    ax: Axes | None = None) -> Figure:
    """``metric`` against N, one line per model (the baseline dashed)."""
    fig, ax = axes_for(ax, (7, 4))
    for model, rows in evaluation.groupby("model", sort=False):
        style = "--" if model == "popularity" else "-"
        ax.plot(rows["n"], rows[metric], style, marker="o", label=t(f"rec.model.{model}", lang))
    ax.set(xlabel=t("rec.axis.n", lang), ylabel=t(f"rec.col.{metric}", lang), title=t("rec.eval_title", lang))
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.legend()
    fig.tight_layout()
    return fig

