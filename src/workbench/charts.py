"""Chart building blocks shared by the domain modules' plot functions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["axes_for", "monthly_bars_with_line"]


def axes_for(ax: Axes | None, figsize: tuple[float, float] = (8, 4)) -> tuple[Figure, Axes]:
    """The figure and axes to draw on: a new figure unless ``ax`` is given."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def monthly_bars_with_line(
    months: pd.Series, bars: pd.Series, line: pd.Series, *, title: str, bar_label: str,
    line_label: str, format_bars: Callable[[Any], None], format_line: Callable[[Any], None],
    bar_colors: str | Sequence[str] = "#0072B2", line_color: str = "#E69F00",
    ax: Axes | None = None,
) -> Figure:
    """Bars per month on the left axis and a line on a second axis, with one legend.

    ``months`` holds monthly periods; ``format_bars`` and ``format_line`` set the tick
    formatters of the two y axes (e.g. :func:`workbench.style.format_money_axis`).
    """
    fig, ax = axes_for(ax, (9, 4))
    x = months.dt.to_timestamp()
    ax.bar(x, bars, width=20, color=bar_colors, label=bar_label)
    ax.set(ylabel=bar_label, title=title)
    format_bars(ax.yaxis)
    twin = ax.twinx()
    twin.plot(x, line, color=line_color, marker="o", ms=3, label=line_label)
    twin.set(ylabel=line_label)
    format_line(twin.yaxis)
    twin.grid(False)
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], loc="upper left")
    return fig
