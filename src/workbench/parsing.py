"""Vectorised parsers for the messy values of real exports: dates, amounts, flags, scores.

Each parser takes a Series of raw values (text, or already typed when the file format carries
types) and returns the parsed Series with missing values where a value could not be read;
the caller decides whether an unreadable value sets the row aside. Values are parsed once per
distinct value (exports repeat dates and prices a lot), then broadcast back.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

__all__ = ["CSAT_WORDS", "is_blank", "parse_amounts", "parse_bools", "parse_dates", "parse_ids", "parse_scores"]

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


def _per_distinct(values: pd.Series, parse: Callable[[pd.Series], pd.Series]) -> pd.Series:
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed = parse(pd.Series(uniques, dtype="string"))
    out = parsed.to_numpy()[np.where(codes >= 0, codes, 0)]
    result = pd.Series(out, index=values.index, dtype=parsed.dtype)
    result[codes < 0] = None
    return result


def parse_dates(values: pd.Series, *, dayfirst: bool = False) -> pd.Series:
    """Parse dates written in the common export formats into ``datetime64[ns]``.

    Accepted: ``2024-01-05``, ``2024/1/5``, ``2024.01.05``, ``2024年1月5日``, each optionally
    followed by a time (``10:00``, ``10:00:30``, ``T10:00:30.5+08:00``; time zones are
    dropped, the local time kept), ``20240105`` with optional ``HHMMSS``, and
    ``05/01/2024`` (month first unless ``dayfirst``). Unreadable values become NaT.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        out = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
        return out.astype("datetime64[ns]")

    def parse(uniq: pd.Series) -> pd.Series:
        text = uniq.str.strip()
        # Fast path for the two layouts most exports use; the regexes handle the rest.
        fast = pd.to_datetime(text, format="%Y-%m-%d %H:%M:%S", errors="coerce")
        todo = fast.isna()
        if todo.any():
            fast[todo] = pd.to_datetime(text[todo], format="%Y-%m-%d", errors="coerce")
        todo = fast.isna() & text.notna()
        if not todo.any():
            return fast.astype("datetime64[ns]")
        return fast.astype("datetime64[ns]").fillna(_parse_dates_slow(text[todo], dayfirst))

    return _per_distinct(values.astype("string"), parse).astype("datetime64[ns]")


def _parse_dates_slow(text: pd.Series, dayfirst: bool) -> pd.Series:
    """Regex-based parse of the less common layouts (Chinese, compact, day/month/year)."""
    parts = text.str.extract(_YMD).fillna(text.str.extract(_COMPACT))
    xyz = text.str.extract(_XYZ)
    xyz = xyz[[2, 1, 0, 3, 4, 5]] if dayfirst else xyz[[2, 0, 1, 3, 4, 5]]
    xyz.columns = range(6)
    nums = parts.fillna(xyz).apply(pd.to_numeric, errors="coerce")
    frame = pd.DataFrame(
        {
            "year": nums[0], "month": nums[1], "day": nums[2],
            "hour": nums[3].fillna(0), "minute": nums[4].fillna(0), "second": nums[5].fillna(0),
        }
    )
    ok = frame[["year", "month", "day"]].notna().all(axis=1)
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if ok.any():
        parsed[ok] = pd.to_datetime(frame[ok], errors="coerce")
    return parsed


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
    (letters, two numbers in one cell) becomes NaN.
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
