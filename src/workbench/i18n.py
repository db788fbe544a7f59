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

from workbench.registry import REPORTS

__all__ = ["CATALOGUE", "LANGS", "column_label", "fmt_money", "fmt_money_short", "fmt_number",
           "fmt_number_short", "fmt_p", "fmt_pct", "fmt_pp", "fmt_range", "label_or_name",
           "money_columns", "t"]

LANGS = ("en", "zh")

#: Locale modules, one per domain, each defining ``ENTRIES``; keys must not collide.
LOCALE_MODULES = ("core", "columns", "changes") + tuple(r.locale for r in REPORTS if r.locale)


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
    """Money as readers expect it: ``¥1,299.00``, ``¥5,682`` / ``¥568.2万``; ``-¥12.00``."""
    if value is None or math.isnan(value):
        return "–"
    digits = 0 if abs(value) >= 1000 else 2
    sign = "-" if value < 0 else ""
    return f"{sign}{currency}{fmt_number(abs(value), lang, digits)}"


def fmt_pct(value: float, digits: int = 1) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value * 100:.{digits}f}%"


def fmt_p(p: float) -> str:
    """A p-value as readers expect it: ``p < 0.001`` below 0.001, never ``p = 0``."""
    if p is None or math.isnan(p):
        return "p = –"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"


def fmt_range(low: float, high: float, digits: int = 0, unit: str = "") -> str:
    """A bin as ``20–40`` (en dash, no interval brackets); open ends as ``<20`` / ``≥40``."""
    def num(v: float) -> str:
        return f"{v:,.{digits}f}"
    if low is None or (isinstance(low, float) and math.isinf(low)):
        return f"<{num(high)}{unit}"
    if high is None or (isinstance(high, float) and math.isinf(high)):
        return f"≥{num(low)}{unit}"
    return f"{num(low)}–{num(high)}{unit}"


def fmt_pp(delta: float, lang: str = "en", digits: int = 1) -> str:
    """A change of a share in percentage points, labelled as such: ``+2.3 pp`` / ``+2.3 个百分点``.

    ``delta`` is a difference of two shares (0.023 is 2.3 percentage points).
    """
    if delta is None or math.isnan(delta):
        return "–"
    unit = " 个百分点" if lang == "zh" else " pp"
    return f"{delta * 100:+.{digits}f}{unit}"


def _trimmed(value: float, digits: int) -> str:
    """``value`` with grouping and at most ``digits`` decimals, trailing zeros dropped."""
    text = f"{value:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt_number_short(value: float, lang: str = "en") -> str:
    """A compact number for chart ticks and cells: ``1.5M`` / ``150万``.

    Chinese uses the thresholds of :func:`fmt_number` (万 from 10,000, 亿 from 100,000,000)
    with the same decimals, trailing zeros dropped; English uses K, M and B.
    """
    if value is None or math.isnan(value):
        return "–"
    if lang == "zh":
        for size, unit, digits in ((1e8, "亿", 2), (1e4, "万", 1)):
            if abs(value) >= size:
                return _trimmed(value / size, digits) + unit
        return _trimmed(value, 0 if abs(value) >= 1000 else 2)
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= size:
            return _trimmed(value / size, 2) + unit
    return _trimmed(value, 2)


def fmt_money_short(value: float, lang: str = "en", currency: str = "¥") -> str:
    """Compact money for chart ticks and cells (``¥1.5M`` / ``¥150万``); the sign goes first."""
    if value is None or math.isnan(value):
        return "–"
    sign = "-" if value < 0 else ""
    return f"{sign}{currency}{fmt_number_short(abs(value), lang)}"


def money_columns(frame: Any, columns: Any, lang: str = "en", currency: str = "¥") -> Any:
    """A copy of ``frame`` for display with the money ``columns`` as :func:`fmt_money` text.

    Columns absent from ``frame`` are skipped, so one list serves several tables.
    """
    out = frame.copy()
    for column in columns:
        if column in out:
            out[column] = [fmt_money(None if v is None else float(v), lang, currency)
                           for v in out[column]]
            out[column] = out[column].astype(object)
    return out


def label_or_name(prefix: str, name: Any, lang: str = "en") -> str:
    """The catalogue label ``<prefix>.<name>`` (an event, a column), or ``name`` as given.

    Names the catalogue does not know (a client's own event types) are shown unchanged; such
    a name belongs in a table cell or a legend, not inside a translated sentence.
    """
    key = f"{prefix}.{name}"
    return t(key, lang) if key in CATALOGUE else str(name)


def column_label(name: str, lang: str = "en") -> str:
    """A canonical column as readers see it (``amount`` -> 金额); any other column as given."""
    entry = CATALOGUE.get(f"col.{name}")
    return entry[lang] if entry else str(name)
