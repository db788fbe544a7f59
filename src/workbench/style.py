"""Chart style and the CJK font, chosen in this one place.

A full system CJK font is preferred when installed (Debian's ``fonts-noto-cjk`` is installed
by ``make`` on CI); otherwise the subsets of Noto Sans CJK SC Regular and Bold bundled with the
package (``workbench/fonts``, SIL OFL) are registered, so a pip-only install still draws Chinese,
and bold titles, without a ``findfont`` warning.

A system family is used only when it has both a regular and a bold face, because chart titles
are bold and matplotlib warns (``Failed to find font weight bold``) when the weight is missing.
matplotlib's font list is a cache: a font installed after the cache was built is not in it.
Before falling back to the bundled font, the system font folders are scanned once for CJK font
files the cache does not know, and those files are registered.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from pathlib import Path
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
_BUNDLED_FILES = ("NotoSansCJKsc-Regular-subset.otf", "NotoSansCJKsc-Bold-subset.otf")
#: File names of CJK fonts worth registering when the cache predates them.
_CJK_FILE = re.compile(r"(cjk|wqy|wenquanyi|sourcehan|notosanssc|msyh|pingfang|hiragino|heiti)",
                       re.IGNORECASE)
#: Weights at or above this count as bold (matplotlib's "bold" is 700, "semibold" 600).
_BOLD = 600

#: Colour-blind-safe categorical palette (Okabe & Ito 2008), first colour the brand blue.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#999999")


def _weights(family: str) -> set[int]:
    return {int(f.weight) if not isinstance(f.weight, str) else
            (700 if "bold" in f.weight.lower() else 400)
            for f in font_manager.fontManager.ttflist if f.name == family}


def _has_regular_and_bold(family: str) -> bool:
    weights = _weights(family)
    return any(w < _BOLD for w in weights) and any(w >= _BOLD for w in weights)


def _register_new_system_cjk_fonts() -> int:
    """Register CJK font files on the system that matplotlib's cached list does not know."""
    known = {Path(f.fname).resolve() for f in font_manager.fontManager.ttflist}
    added = 0
    for path in sorted(font_manager.findSystemFonts(fontext="ttf")
                       + font_manager.findSystemFonts(fontext="otf")):
        resolved = Path(path).resolve()
        if resolved in known or not _CJK_FILE.search(resolved.name):
            continue
        try:
            font_manager.fontManager.addfont(str(resolved))
        except (RuntimeError, OSError, ValueError):  # an unreadable font file is skipped
            continue
        known.add(resolved)
        added += 1
    return added


def _system_family() -> str | None:
    return next((family for family in SYSTEM_CJK_FAMILIES if _has_regular_and_bold(family)),
                None)


@cache
def cjk_font_family(prefer_system: bool = True) -> str:
    """Name of the font family used for chart text, with a regular and a bold face.

    Prefers an installed system CJK family (found even when matplotlib's font cache predates
    it); otherwise registers the bundled subsets and returns :data:`BUNDLED_CJK_FAMILY`.
    """
    if prefer_system:
        family = _system_family()
        if family is None and _register_new_system_cjk_fonts():
            family = _system_family()
        if family is not None:
            return family
    if not _has_regular_and_bold(BUNDLED_CJK_FAMILY):
        folder = files("workbench") / "fonts"
        for name in _BUNDLED_FILES:
            font_manager.fontManager.addfont(str(folder / name))
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
    """Compact tick text; the same 万/亿 rules as :func:`workbench.i18n.fmt_number`."""
    from workbench.i18n import fmt_number_short

    return fmt_number_short(value, lang)


def format_money_axis(axis: Any, lang: str = "en", currency: str = "¥") -> None:
    """Tick labels like ¥1.5M (English) or ¥150万 (Chinese) instead of an offset '1e6'.

    The text is :func:`workbench.i18n.fmt_money_short`: the same ¥ and 万/亿 rules as
    :func:`workbench.i18n.fmt_money`, with the sign before the currency (-¥2K).
    """
    from workbench.i18n import fmt_money_short

    axis.set_major_formatter(FuncFormatter(lambda v, _: fmt_money_short(v, lang, currency)))


def format_count_axis(axis: Any, lang: str = "en") -> None:
    """Tick labels with digit grouping (12,000) or 万 in Chinese."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: _short_number(v, lang)))
