"""Chart style and the CJK font, chosen in this one place.

A full system CJK font is preferred when installed (Debian's ``fonts-noto-cjk`` is installed
by ``make`` on CI); otherwise the subset of Noto Sans CJK SC bundled with the package
(``workbench/fonts``, SIL OFL) is registered, so a pip-only install still draws Chinese.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import matplotlib as mpl
from matplotlib import font_manager
from matplotlib.ticker import FuncFormatter

__all__ = ["BUNDLED_CJK_FAMILY", "PALETTE", "cjk_font_family", "format_count_axis",
           "format_money_axis", "use_style"]

#: System families tried in order; all carry Simplified Chinese glyphs.
SYSTEM_CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC",
    "Hiragino Sans GB", "Heiti SC",
)
BUNDLED_CJK_FAMILY = "Workbench CJK Sans"
_BUNDLED_FILE = "NotoSansCJKsc-Regular-subset.otf"

#: Colour-blind-safe categorical palette (Okabe & Ito 2008), first colour the brand blue.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#999999")


@cache
def cjk_font_family(prefer_system: bool = True) -> str:
    """Name of the font family used for chart text; registers the bundled font if needed."""
    available = {f.name for f in font_manager.fontManager.ttflist}
    if prefer_system:
        for family in SYSTEM_CJK_FAMILIES:
            if family in available:
                return family
    if BUNDLED_CJK_FAMILY not in available:
        font_manager.fontManager.addfont(str(files("workbench") / "fonts" / _BUNDLED_FILE))
    return BUNDLED_CJK_FAMILY


def use_style(*, prefer_system_font: bool = True) -> str:
    """Apply the report style to matplotlib's rcParams; returns the CJK family used."""
    family = cjk_font_family(prefer_system_font)
    mpl.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [family, "DejaVu Sans"],
            "axes.unicode_minus": False,
            "axes.prop_cycle": mpl.cycler(color=PALETTE),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.titlesize": 13,
            "axes.titleweight": "bold",
            "axes.labelsize": 11,
            "figure.figsize": (8.0, 4.0),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.autolayout": True,
            "legend.frameon": False,
        }
    )
    return family


def _short_number(value: float, lang: str) -> str:
    if lang == "zh":
        for size, unit in ((1e8, "亿"), (1e4, "万")):
            if abs(value) >= size:
                return f"{value / size:,.4g}{unit}"
        return f"{value:,.0f}"
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= size:
            return f"{value / size:,.4g}{unit}"
    return f"{value:,.0f}"


def format_money_axis(axis: Any, lang: str = "en", currency: str = "¥") -> None:
    """Tick labels like ¥1.5M (English) or ¥150万 (Chinese) instead of an offset '1e6'."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: currency + _short_number(v, lang)))


def format_count_axis(axis: Any, lang: str = "en") -> None:
    """Tick labels with digit grouping (12,000) or 万 in Chinese."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: _short_number(v, lang)))
