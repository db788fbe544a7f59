"""The one catalogue of user-facing report text, in English and Simplified Chinese.

The entries live in ``workbench/locales/<domain>.py`` (one module per analysis domain, so
domains can be written side by side); this module merges them and looks text up.

Every title, axis label, table header and generated sentence in a report comes from here, so
``--lang zh`` gives a fully Chinese report and ``--lang en`` an English one. Entries are
``str.format`` templates; numbers are formatted by the caller (see :func:`fmt_number`).
"""

from __future__ import annotations

import math
from importlib import import_module
from typing import Any

__all__ = ["CATALOGUE", "LANGS", "fmt_money", "fmt_number", "fmt_pct", "t"]

LANGS = ("en", "zh")

#: Locale modules, one per domain, each defining ``ENTRIES``; keys must not collide.
LOCALE_MODULES = ("core", "segmentation", "lifecycle", "clv", "churn", "feedback",
                  "personalization")


def _load_catalogue() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for name in LOCALE_MODULES:
        try:
            module = import_module(f"workbench.locales.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"workbench.locales.{name}":
                raise
            continue  # that domain has no report text yet
        clash = set(merged) & set(module.ENTRIES)
        if clash:
            raise RuntimeError(f"catalogue keys defined twice: {sorted(clash)}")
        merged.update(module.ENTRIES)
    return merged


CATALOGUE: dict[str, dict[str, str]] = _load_catalogue()


def t(key: str, lang: str = "en", /, **values: Any) -> str:
    """Text for ``key`` in ``lang``, with ``values`` filled in."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    try:
        template = CATALOGUE[key][lang]
    except KeyError:
        raise KeyError(f"no catalogue entry {key!r} for language {lang!r}") from None
    return template.format(**values) if values else template


def fmt_number(value: float, lang: str = "en", digits: int = 0) -> str:
    """Group digits; in Chinese, large numbers use 万 and 亿 as readers expect."""
    if value is None or math.isnan(value):
        return "–"
    if lang == "zh" and abs(value) >= 1e8:
        return f"{value / 1e8:,.2f}亿"
    if lang == "zh" and abs(value) >= 1e4:
        return f"{value / 1e4:,.1f}万"
    return f"{value:,.{digits}f}"


def fmt_money(value: float, lang: str = "en", currency: str = "¥") -> str:
    if value is None or math.isnan(value):
        return "–"
    digits = 0 if abs(value) >= 1000 else 2
    return f"{currency}{fmt_number(value, lang, digits)}"


def fmt_pct(value: float, digits: int = 1) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value * 100:.{digits}f}%"
