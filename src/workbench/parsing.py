"""Vectorised parsers for the messy values of real exports: dates, amounts, flags, scores.

Each parser takes a Series of raw values (text, or already typed when the file format carries
types) and returns the parsed Series with missing values where a value could not be read;
the caller decides whether an unreadable value sets the row aside. Values are parsed once per
distinct value (exports repeat dates and prices a lot), then broadcast back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "CSAT_WORDS", "PLAUSIBLE_DATES", "DateParse", "Distinct", "is_blank", "parse_amounts", "parse_bools",
    "parse_dates", "parse_ids", "parse_scores", "read_dates",
]

_TIME = r"(?:[ T]+(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})(?:\.\d+)?秒?)?)?"
_TZ = r"(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?"
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?" + _TIME + _TZ + r"$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:[ T]?(\d{2}):?(\d{2})(?::?(\d{2}))?)?$")
_XYZ = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})" + _TIME + r"$")

_BLANKS = {"", "nan", "none", "null", "na", "n/a", "nat", "-", "--", "无", "空"}


def is_blank(values: pd.Series) -> pd.Series:
    """True where a value is missing or one of the usual spellings of 'nothing here'."""
    if not (pd.api.types.is_string_dtype(values) or values.dtype == object):
        return values.isna()
    text = values.astype("string").str.strip().str.lower()
    return text.isna() | text.isin(_BLANKS)


@dataclass(frozen=True)
class Distinct:
    """A text column as its distinct values and, per row, the position of its value.

    Exports repeat values a lot (dates, prices, categories, customer ids), so a parser runs
    on ``values`` (dtype ``string``, missing values included) and :meth:`expand` broadcasts
    its result back to the rows of the column. Every parser here gives, value for value, the
    same result on the distinct values as on the column.
    """

    values: pd.Series
    codes: np.ndarray
    index: pd.Index

    @classmethod
    def of(cls, values: pd.Series) -> Distinct:
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        if len(uniques) < 1 << 31:
            codes = codes.astype(np.int32)
        return cls(pd.Series(uniques).astype("string"), codes, values.index)

    def expand(self, parsed: pd.Series) -> pd.Series:
        """``parsed`` (one value per distinct value) as one value per row."""
        return pd.Series(parsed.array.take(self.codes), index=self.index)


def _per_distinct(values: pd.Series, parse: Callable[[pd.Series], pd.Series]) -> pd.Series:
    distinct = Distinct.of(values)
    return distinct.expand(parse(distinct.values))


#: Dates before the first or from the second of these are not real dates but placeholders
#: ("never": 9999-12-31, 2999-01-01; "unknown": 0001-01-01, 1899-12-30). They are reported
#: apart from unreadable values, and never reach ``datetime64[ns]`` (whose range ends in 2262).
PLAUSIBLE_DATES = (pd.Timestamp("1900-01-01"), pd.Timestamp("2200-01-01"))


@dataclass
class DateParse:
    """The result of :func:`read_dates` for one column.

    Attributes
    ----------
    dates
        ``datetime64[ns]``; NaT where the value is blank, unreadable or out of range.
    out_of_range
        True where the value is a readable date outside :data:`PLAUSIBLE_DATES`.
    dayfirst
        How ``05/01/2024``-style values were read (None when the column has none).
    decided_by
        ``"option"`` (the caller said), ``"values"`` (a day above 12 settles it for the whole
        column), ``"separator"`` (only ``dd.mm.yyyy`` dots, read day first), ``"default"``
        (ambiguous: every day and month is 12 or less; read month first) or ``""``.
    contradicting
        Distinct values that only read the other way round (set as NaT), when the column
        mixes both orders.
    """

    dates: pd.Series
    out_of_range: pd.Series
    dayfirst: bool | None = None
    decided_by: str = ""
    contradicting: list[str] = field(default_factory=list)


def parse_dates(values: pd.Series, *, dayfirst: bool | None = None) -> pd.Series:
    """Parse dates written in the common export formats into ``datetime64[ns]``.

    Accepted: ``2024-01-05``, ``2024/1/5``, ``2024.01.05``, ``2024年1月5日``, each optionally
    followed by a time (``10:00``, ``10:00:30``, ``T10:00:30.5+08:00``; time zones are
    dropped, the local time kept), ``20240105`` with optional ``HHMMSS``, and
    ``05/01/2024`` / ``05.01.2024 10:30``. The day/month order of those is decided once for
    the whole column (see :func:`read_dates`) unless ``dayfirst`` says. Unreadable values and
    placeholder dates outside :data:`PLAUSIBLE_DATES` become NaT.
    """
    return read_dates(values, dayfirst=dayfirst).dates


def read_dates(values: pd.Series, *, dayfirst: bool | None = None) -> DateParse:
    """Parse a date column and say how: see :class:`DateParse`.

    Without ``dayfirst``, the order of ``xx/xx/yyyy`` values comes from the whole column: a
    first number above 12 anywhere means day first, a second number above 12 means month
    first. When both occur, the more frequent reading wins and the others are NaT (listed in
    ``contradicting``). When no value settles it, dotted dates (``05.01.2024``) are read day
    first, as everywhere dots are used, and slashed ones month first.
    """
    low, high = PLAUSIBLE_DATES
    if pd.api.types.is_datetime64_any_dtype(values):
        typed = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
        out_of_range = ((typed < low) | (typed >= high)).fillna(False).astype(bool)
        dates = typed.where(~out_of_range).astype("datetime64[ns]")
        return DateParse(dates, out_of_range, dayfirst)
    codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
    text = pd.Series(uniques, dtype="string").str.strip()
    parsed, info = _parse_unique_dates(text, dayfirst)
    out_of_range_u = ((parsed < low) | (parsed >= high)).fillna(False).astype(bool)
    out_of_range_u |= info.pop("placeholder")
    parsed = parsed.where(~out_of_range_u).astype("datetime64[ns]")
    take = np.where(codes >= 0, codes, 0)
    dates = pd.Series(parsed.to_numpy()[take], index=values.index, dtype="datetime64[ns]")
    dates[codes < 0] = pd.NaT
    out_of_range = pd.Series(out_of_range_u.to_numpy()[take] & (codes >= 0), index=values.index)
    return DateParse(dates, out_of_range, **info)


def _parse_unique_dates(text: pd.Series, dayfirst: bool | None) -> tuple[pd.Series, dict]:
    """Parse distinct values to ``datetime64[us]`` (wide enough for year 9999)."""
    # Fast path for the two layouts most exports use; the regexes handle the rest.
    fast = pd.to_datetime(text, format="%Y-%m-%d %H:%M:%S", errors="coerce").astype(
        "datetime64[us]")
    todo = fast.isna()
    if todo.any():
        fast[todo] = pd.to_datetime(text[todo], format="%Y-%m-%d", errors="coerce")
    todo = fast.isna() & text.notna()
    info: dict = {"dayfirst": dayfirst, "decided_by": "option" if dayfirst is not None else "",
                  "contradicting": [], "placeholder": pd.Series(False, index=text.index)}
    if todo.any():
        slow, info = _parse_dates_slow(text[todo], dayfirst)
        fast[todo] = slow
        info["placeholder"] = info["placeholder"].reindex(text.index, fill_value=False)
    return fast, info


def _decide_dayfirst(xyz: pd.DataFrame, dayfirst: bool | None) -> tuple[bool | None, str, pd.Series]:
    """Day/month order for the ``xx/xx/yyyy`` values of one column, and who decided it.

    Returns the order, how it was decided, and a mask of values contradicting it.
    """
    first = pd.to_numeric(xyz[0], errors="coerce")
    second = pd.to_numeric(xyz[1], errors="coerce")
    present = first.notna() & second.notna()
    nothing = pd.Series(False, index=xyz.index)
    if not present.any():
        return dayfirst, "option" if dayfirst is not None else "", nothing
    says_day = present & (first > 12) & (second <= 12)
    says_month = present & (second > 12) & (first <= 12)
    if dayfirst is not None:
        return dayfirst, "option", nothing
    if says_day.any() or says_month.any():
        decided = bool(says_day.sum() >= says_month.sum())
        return decided, "values", says_month if decided else says_day
    dots = xyz["sep"] == "."
    if dots[present].all():
        return True, "separator", nothing
    return False, "default", nothing


def _parse_dates_slow(text: pd.Series, dayfirst: bool | None) -> tuple[pd.Series, dict]:
    """Regex-based parse of the less common layouts (Chinese, compact, day/month/year)."""
    parts = text.str.extract(_YMD).fillna(text.str.extract(_COMPACT))
    xyz = text.str.extract(_XYZ)
    xyz["sep"] = text.str.extract(r"^\d{1,2}([-/.])")[0]
    decided, decided_by, contradicting = _decide_dayfirst(xyz, dayfirst)
    xyz = xyz[[2, 1, 0, 3, 4, 5]] if decided else xyz[[2, 0, 1, 3, 4, 5]]
    xyz.columns = range(6)
    nums = parts.fillna(xyz).apply(pd.to_numeric, errors="coerce")
    frame = pd.DataFrame(
        {
            "year": nums[0], "month": nums[1], "day": nums[2],
            "hour": nums[3].fillna(0), "minute": nums[4].fillna(0), "second": nums[5].fillna(0),
        }
    )
    ok = frame[["year", "month", "day"]].notna().all(axis=1)
    ok &= frame["month"].between(1, 12) & frame["day"].between(1, 31)
    low, high = PLAUSIBLE_DATES
    placeholder = ok & ((frame["year"] < low.year) | (frame["year"] >= high.year))
    ok &= ~placeholder
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    if ok.any():
        parsed[ok] = pd.to_datetime(frame[ok], errors="coerce").astype("datetime64[us]")
    info = {"dayfirst": decided, "decided_by": decided_by,
            "contradicting": text[contradicting].tolist(), "placeholder": placeholder}
    return parsed, info


_AMOUNT_ALLOWED = re.compile(
    r"^[+\-−(]?\s*(?:¥|￥|\$|€|£|RMB|CNY|USD|EUR|元)?\s*[+\-−]?\s*[\d.,'\s]*\d[\d.,'\s]*"
    r"\s*(?:元|RMB|CNY|USD|EUR)?\s*\)?-?$",
    re.IGNORECASE,
)


def parse_amounts(values: pd.Series) -> pd.Series:
    """Parse money amounts into float currency units.

    Handles currency signs and codes (``¥1,299.00``, ``￥88``, ``RMB 100``, ``100元``),
    thousands separators in either convention (``1,299.00`` and ``1.299,00``; a lone comma
    followed by one or two digits is a decimal comma: ``12,5`` is 12.5), a leading or
    trailing minus and accounting parentheses ``(12.00)`` for negatives. Anything else
    (letters, two numbers in one cell) becomes NaN. The convention is read from the whole
    column: where other values write decimal commas (``12,50``, ``1.299,00``), ``1.299`` is
    1299, not 1.299.
    """
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64")

    def parse(uniq: pd.Series) -> pd.Series:
        text = uniq.str.strip()
        allowed = text.str.fullmatch(_AMOUNT_ALLOWED).fillna(False).astype(bool)
        negative = (
            text.str.startswith("(") & text.str.endswith(")")
        ) | text.str.contains(r"[-−]", regex=True)
        digits = text.str.replace(r"[^\d.,]", "", regex=True)
        last_dot = digits.str.rfind(".")
        last_comma = digits.str.rfind(",")
        both = (last_dot >= 0) & (last_comma >= 0)
        european = both & (last_comma > last_dot)
        only_comma = (last_comma >= 0) & (last_dot < 0)
        decimal_comma = only_comma & digits.str.fullmatch(r"\d+,\d{1,2}").fillna(False)
        thousands_comma = only_comma & digits.str.fullmatch(r"\d{1,3}(,\d{3})+").fillna(False)
        many_dots = (last_comma < 0) & (digits.str.count(r"\.") > 1)
        dotted_thousands = many_dots & digits.str.fullmatch(r"\d{1,3}(\.\d{3})+").fillna(False)
        # The column's convention, from its unambiguous values: ``1.299`` is 1299 in a column
        # that writes decimal commas (``12,50``, ``1.299,00``) and 1.299 otherwise.
        decimal_dot = (last_comma < 0) & digits.str.fullmatch(r"\d*\.\d{1,2}").fillna(False)
        says_eu = (european | decimal_comma | dotted_thousands).any()
        says_us = (both & ~european | decimal_dot).any() | digits.str.fullmatch(
            r"\d{1,3}(,\d{3}){2,}(\.\d*)?").fillna(False).any()
        if says_eu and not says_us:
            lone_dot = (last_comma < 0) & digits.str.fullmatch(r"\d{1,3}\.\d{3}").fillna(False)
            dotted_thousands |= lone_dot
            many_dots |= lone_dot

        cleaned = digits.copy()
        eu = european | decimal_comma
        cleaned[eu] = digits[eu].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        us = both & ~european | thousands_comma
        cleaned[us] = digits[us].str.replace(",", "", regex=False)
        cleaned[dotted_thousands] = digits[dotted_thousands].str.replace(".", "", regex=False)
        bad = ~allowed | (only_comma & ~decimal_comma & ~thousands_comma)
        bad |= many_dots & ~dotted_thousands
        number = pd.to_numeric(cleaned.where(~bad), errors="coerce").astype("float64")
        return number.where(~negative, -number)

    return _per_distinct(values.astype("string"), parse).astype("float64")


_TRUE = {"true", "t", "yes", "y", "1", "1.0", "是", "已流失", "流失", "churned", "是的", "对"}
_FALSE = {"false", "f", "no", "n", "0", "0.0", "否", "未流失", "在网", "active", "不是"}


def parse_bools(values: pd.Series) -> pd.Series:
    """Parse yes/no flags (English, Chinese, 0/1) into a nullable boolean Series."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean")
    text = values.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[text.isin(_TRUE).fillna(False).astype(bool)] = True
    out[text.isin(_FALSE).fillna(False).astype(bool)] = False
    return out


#: Unambiguous verbal answers on the 1-5 satisfaction scale.
CSAT_WORDS: dict[str, float] = {
    "非常满意": 5, "很满意": 5, "满意": 4, "比较满意": 4, "一般": 3, "还行": 3,
    "不满意": 2, "不太满意": 2, "非常不满意": 1, "很不满意": 1,
    "very satisfied": 5, "satisfied": 4, "neutral": 3, "dissatisfied": 2,
    "very dissatisfied": 1,
}


def parse_scores(values: pd.Series, *, words: dict[str, float] | None = None) -> pd.Series:
    """Parse survey scores: numbers, ``10分``, ``4/5``, ``8 points`` and known words.

    Returns float with NaN where the answer is not a clear number; range checks are the
    caller's (they depend on the scale).
    """
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64")
    words = {k.lower(): v for k, v in (words or {}).items()}

    def parse(uniq: pd.Series) -> pd.Series:
        text = uniq.str.strip().str.lower()
        numeric_part = text.str.extract(r"^(\d+(?:\.\d+)?)\s*(?:分|points?|pts?|/\s*\d+)?$")[0]
        number = pd.to_numeric(numeric_part, errors="coerce").astype("float64")
        if words:
            number = number.fillna(text.map(words).astype("float64"))
        return number

    return _per_distinct(values.astype("string"), parse).astype("float64")


def parse_ids(values: pd.Series) -> pd.Series:
    """Normalise identifiers to stripped text, keeping leading zeros.

    Integers stored as floats by a spreadsheet (``1234.0``) lose the spurious ``.0``.
    """
    if pd.api.types.is_float_dtype(values):
        whole = values.dropna() % 1 == 0
        if whole.all():
            return values.astype("Int64").astype("string").astype("str")
    text = values.astype("string").str.strip()
    text = text.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    return text.where(~is_blank(text)).astype("str")
