"""Chart building blocks shared by the domain modules' plot functions."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.text import Text

__all__ = ["KNOWN_LADDERS", "annotate_heatmap", "axes_for", "monthly_bars_with_line",
           "ordered_levels", "relative_luminance", "text_colour_for"]


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


# ------------------------------------------------------------------------------ readable text


def relative_luminance(colour: Any) -> float:
    """WCAG 2 relative luminance (0 = black, 1 = white) of a matplotlib colour."""
    r, g, b, _ = to_rgba(colour)

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def text_colour_for(background: Any) -> str:
    """``"black"`` or ``"white"``, whichever contrasts more with ``background`` (WCAG ratio)."""
    lum = relative_luminance(background)
    return "black" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "white"


def annotate_heatmap(ax: Axes, image: AxesImage, values: Any, fmt: Callable[[float], str],
                     **text_kw: Any) -> list[Text]:
    """Write ``fmt(value)`` in every finite cell of ``image``, black or white by cell colour.

    ``values`` is the 2-D array drawn by ``image`` (rows top to bottom); the text colour of
    each cell is :func:`text_colour_for` of the colour the image gives that value, so labels
    stay readable on light and dark cells of any colour map.
    """
    data = np.asarray(values, dtype=float)
    texts = []
    for (i, j), value in np.ndenumerate(data):
        if not np.isfinite(value):
            continue
        colour = text_colour_for(image.cmap(image.norm(value)))
        texts.append(ax.text(j, i, fmt(value), ha="center", va="center", color=colour,
                             **text_kw))
    return texts


# ------------------------------------------------------------------------------ level order

#: Ordered ladders of membership levels and similar grades, lowest first.
KNOWN_LADDERS: tuple[tuple[str, ...], ...] = (
    ("普通", "白银", "黄金", "铂金", "钻石", "黑钻"),
    ("普通会员", "银卡会员", "金卡会员", "白金会员", "钻石会员", "黑钻会员"),
    ("普卡", "银卡", "金卡", "白金卡", "钻石卡", "黑卡"),
    ("青铜", "白银", "黄金", "铂金", "钻石", "星耀", "王者"),
    ("regular", "bronze", "silver", "gold", "platinum", "diamond", "black"),
    ("basic", "standard", "plus", "premium", "vip"),
    ("regular", "member", "vip", "svip"),
    ("low", "medium", "high"),
    ("低", "中", "高"),
)

_MISSING_LEVELS = ("–", "-", "", "nan", "None", "<NA>", "NaN", "未知", "unknown")
_NUMBER = r"[-+]?\d[\d,]*(?:\.\d+)?"


def _lower_bound(level: str) -> float | None:
    """The lower bound of a numeric band: ``<25`` -> -inf, ``25–34`` / ``(20.0, 40.0]`` -> 25 / 20,
    ``≥55`` / ``55+`` -> 55, a plain number -> itself; None when ``level`` is not a band."""
    text = level.strip().replace("，", ",")
    if re.fullmatch(r"(?:<|≤|<=|under |below )\s*" + _NUMBER + r"\s*\S{0,4}", text, re.IGNORECASE):
        return -math.inf
    match = re.fullmatch(r"[\[(]?\s*(" + _NUMBER + r")\s*(?:[-–—~至到]|,\s*)\s*" + _NUMBER
                         + r"\s*[\])]?\s*\S{0,4}", text)
    if match is None:
        match = re.fullmatch(r"(?:≥|>=|>)?\s*(" + _NUMBER + r")\s*(?:\+|以上|及以上)?\s*\S{0,4}", text)
    if match is None:
        return None
    try:
        return float(match.group(1).replace(",", ""))
    except ValueError:
        return None


def ordered_levels(levels: Iterable[Any], order: Sequence[Any] | None = None) -> list[Any] | None:
    """``levels`` in their natural order, lowest first, or None when they have none.

    The order is ``order`` when given (e.g. the ``values:`` order of ``mapping.yaml``; levels
    it does not name follow), else a known ladder (普通 < 白银 < 黄金 < 铂金, regular < silver <
    gold ...; case-insensitive), else numeric bands by their lower bound (``<25`` first).
    Missing-value markers (``–``) always come last. None means "no natural order": sort by
    the measure shown instead.
    """
    present = list(dict.fromkeys(levels))
    missing = [v for v in present if str(v) in _MISSING_LEVELS]
    known = [v for v in present if str(v) not in _MISSING_LEVELS]
    if order is not None:
        given = [v for v in order if v in known]
        return given + [v for v in known if v not in given] + missing
    if not known:
        return None
    by_text = {str(v).strip().lower(): v for v in known}
    for ladder in KNOWN_LADDERS:
        rank = {name.lower(): i for i, name in enumerate(ladder)}
        if set(by_text) <= set(rank):
            return sorted(known, key=lambda v: rank[str(v).strip().lower()]) + missing
    bounds = [_lower_bound(str(v)) for v in known]
    if all(b is not None for b in bounds) and len(known) > 1:
        return [v for _, v in sorted(zip(bounds, known), key=lambda pair: pair[0])] + missing
    return None
