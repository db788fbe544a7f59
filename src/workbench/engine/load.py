"""Load any source into a :class:`workbench.io.Dataset`, the loading rules running in the engine.

:func:`load_source` takes what ``--data`` takes: a folder, a Parquet path or glob (the
transactions of a data lake), ``duckdb:///file.duckdb`` or ``postgresql://...``. The result is
the Dataset :func:`workbench.io.load_dataset` gives for the same data in a folder: the same
frames (columns, dtypes, row order), returns, rows set aside per reason code, warnings, value
orders and options.

How a table is loaded in the engine (DuckDB, PostgreSQL or Spark, through one Ibis expression):

- columns are mapped as the folder loader maps them (``mapping.yaml`` / ``--mapping``, the
  canonical names, the known aliases; value mappings);
- every value is stripped and typed in the engine: ids and text as text (blank spellings
  such as ``null`` or ``-`` become missing), dates written ``YYYY-MM-DD[ HH:MM:SS]``
  checked (month, day of month, time) and cast, amounts and scores written as plain
  numbers (``-12.50``) cast, yes/no flags looked up. Only the values in another layout
  (``2024年1月5日``, ``05/01/2024``, ``¥1,299.00``, ``10分``) and suspect dates (before 1900,
  from 2200, after ``as_of``) come back as text, and only those are parsed in Python, by
  the parsers of :mod:`workbench.parsing`, so that a column's day/month order and decimal
  convention are decided from the same values as in the folder loader;
- exact duplicates are found from two 64-bit hashes of each row's cells computed in the
  engine (DuckDB: the cells chained first to last and last to first; PostgreSQL: the joined
  text in both orders), a false duplicate needing both to collide (about ``n**2 / 2**129``:
  never in practice); on Spark by a window over all columns;
- the engine sends back every row, typed, with those texts and hashes, as Arrow (DuckDB
  streams it in batches). The order of the rules (which reason a row is set aside for when
  several apply), the returns, the repeated customer ids and the subscription checks are
  then those of :mod:`workbench.io` (``_Loader``), vectorised over the typed columns; the
  messages and reason codes are the same. Rows set aside are reported with their count and
  up to five example keys (``customer_id`` and the table's own id) in
  :attr:`workbench.io.SetAside.keys`; rows of files also keep their line numbers as
  examples.

What cannot be identical, and why:

- a database table has no line numbers: ``source_row`` is the row's position in the table's
  scan order counted as a spreadsheet would (the first row is 2), the frames keep that order,
  and ``SetAside.examples`` is empty (the keys say which rows);
- stripping removes ASCII white space (space, tab, line breaks, \\v, \\f); pandas also
  strips other Unicode spaces (the full-width space U+3000): an id written
  ``"\u30000012"`` keeps it here;
- the rows set aside travel from the engine with the others (typed, one row each) before
  they are counted and dropped: the rules' order depends on values only Python parses.

Scale: on the 1M-customer demo's 14.7M-line ``transactions.csv`` (1.5 GB) see
``benchmarks/bench_engines.py --tools validate``.

Errors are :class:`~workbench.engine.sources.EngineError` naming the source, the table and the
column, without the password.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
from dataclasses import asdict
from pathlib import Path
from typing import Any, Self

import duckdb
import ibis
import ibis.expr.datatypes as dt
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.engine.sources import (
    DUCKDB_MEMORY_LIMIT,
    EngineError,
    connect,
    parse_source,
    redact,
)
from workbench.engine.tables import read_mapping, source_ref
from workbench.io import (
    _STATUS_ALIASES,
    HEADER_SEARCH_ROWS,
    SNIFF_CHARS,
    DataError,
    Dataset,
    LoadOptions,
    QualityReport,
    TableReport,
    _finish_table,
    _header_finder,
    _load_folder,
    _Loader,
    _map_columns,
    _norm,
    _sniff_delimiter,
    finish_dataset,
)
from workbench.parsing import (
    _BLANKS,
    _FALSE,
    _TRUE,
    CSAT_WORDS,
    PLAUSIBLE_DATES,
    Distinct,
    parse_amounts,
    parse_bools,
    parse_scores,
)
from workbench.schema import TABLES, Table

__all__ = ["FileLoader", "load_source"]

#: Dates the engine types itself; other layouts are parsed in Python.
_PLAIN_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}( ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])?$"
#: Amounts the engine types itself: a plain number with at most two decimals, read the same
#: whatever the column's decimal convention (``1.299`` is not: it may mean 1299).
_PLAIN_AMOUNT = r"^-?[0-9]+(\.[0-9]{1,2})?$"
_PLAIN_SCORE = r"^[0-9]+(\.[0-9]+)?$"
#: The second id quoted, with customer_id, as the example key of a row set aside.
_KEY_COLUMNS = {"transactions": "order_id", "feedback": "response_id",
                "subscriptions": "subscription_id", "campaigns": "campaign_id"}
_TEXT_KINDS = ("id", "string")


def _case_variants(words: set[str]) -> list[str]:
    """Every spelling of ``words`` whose lower case is one of them (``NULL``, ``Null``, ...):
    looking a value up among them costs a third of lowering it first. Only ASCII letters have
    case variants here (no other character lowers to an ASCII letter these words hold)."""
    out: set[str] = set()
    for word in words:
        if any(not ch.isascii() and ch.upper() != ch for ch in word):
            raise ValueError(f"{word!r}: only ASCII letters have case variants here")
        choices = [(ch, ch.upper()) if ch.isascii() and ch.isalpha() else (ch,) for ch in word]
        out.update("".join(p) for p in itertools.product(*choices))
    return sorted(out)


#: The blank spellings (:data:`workbench.parsing._BLANKS`) in any case.
_BLANK_SPELLINGS = _case_variants(_BLANKS)


class _Label(str):
    """The table's name in messages (``str``), with ``.name`` as the folder loader's ``Path``
    has it (the file or table name in warnings)."""

    name: str

    def __new__(cls, text: str, name: str) -> Self:
        label = super().__new__(cls, text)
        label.name = name
        return label

    @property
    def parent(self) -> str:
        return str(self).rsplit(":", 1)[0]


# ------------------------------------------------------------------------ the expression


@ibis.udf.scalar.builtin(name="hash")
def _hash_on(text: str, seed: dt.uint64) -> dt.uint64:
    """DuckDB's ``hash(text, seed)``: the hash of the pair (``seed`` an earlier hash)."""


@ibis.udf.scalar.builtin(name="hash")
def _hash(text: str) -> dt.uint64:
    """DuckDB's 64-bit ``hash(text)`` as it is (Ibis' ``hash`` recasts it through BIT)."""


def _row_hashes(cells: list[ibis.Value], dialect: str) -> tuple[ibis.Value, ibis.Value]:
    """Two 64-bit hashes of a row's cells, by different functions: the cells chained first
    to last and last to first on DuckDB; the joined text and its reverse order elsewhere."""
    if dialect == "duckdb":
        forward, backward = _hash(cells[0]), _hash(cells[-1])
        for cell in cells[1:]:
            forward = _hash_on(cell, forward)
        for cell in cells[-2::-1]:
            backward = _hash_on(cell, backward)
        return forward, backward
    texts = [c.fill_null("") for c in cells]
    return (ibis.literal("\x1f").join(texts).hash(),
            ibis.literal("\x1e").join(texts[::-1]).hash())


@ibis.udf.scalar.builtin(name="monotonically_increasing_id")
def _scan_position() -> dt.int64:
    """Spark's ``monotonically_increasing_id()``: increasing in scan order (partition, then
    row), computed in each partition without moving the rows; not consecutive."""


@ibis.udf.scalar.builtin(name="trim")
def _trim_spaces(text: str) -> str:
    """SQL ``trim(text)``: spaces only (trimming a set of characters costs far more)."""


def _strip(value: ibis.Value, spaces_only: bool = False) -> ibis.Value:
    """``value`` without white space at either end (space, tab, line breaks, \\v, \\f).

    Most values have none and are passed on as they are. ``spaces_only``: the source holds no
    other white space (a file without tabs, quotes, carriage returns, \\v or \\f: a line
    break can only be inside quotes), so the cheap checks for a space suffice.
    """
    edge = value.like(" %") | value.like("% ")
    if spaces_only:
        return ibis.ifelse(edge, _trim_spaces(value), value)
    for char in ("\t", "\n", "\r", "\v", "\f"):
        edge = edge | value.contains(char)
    return ibis.ifelse(edge, value.strip(), value)


def _days_in_month(year: ibis.Value, month: ibis.Value) -> ibis.Value:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return ibis.cases((month == 2, ibis.ifelse(leap, 29, 28)),
                      (month.isin([4, 6, 9, 11]), 30), else_=31)


@ibis.udf.scalar.builtin(name="substring")
def _substring(text: str, start: int, length: int) -> str:
    """SQL ``substring(text, start, length)``, ``start`` counted from 1."""


def _plain_date(text: ibis.Value, dialect: str) -> ibis.Value:
    """``text`` as a timestamp where it is a valid ``YYYY-MM-DD[ HH:MM:SS]``, else NULL.

    DuckDB and Spark try the cast on that shape (NULL for ``2024-02-30``); PostgreSQL fails
    a query on an invalid cast, so there the calendar is checked first.
    """
    length = text.length()
    # DuckDB reads 24:00:00 as the next day, pandas not at all; 23:60 and :60 are NULL
    timed = ((length == 19) & text.like("____-__-__ __:__:__")
             & ~text.like("___________24%"))
    shaped = timed | ((length == 10) & text.like("____-__-__"))
    if dialect != "postgres":
        return ibis.ifelse(shaped, text.try_cast("timestamp"), ibis.null("timestamp"))
    digits = shaped & text.re_search(_PLAIN_DATE)
    year = _substring(text, 1, 4).cast("int32")
    month = _substring(text, 6, 2).cast("int32")
    day = _substring(text, 9, 2).cast("int32")
    valid = digits & ibis.ifelse(
        digits, (year >= 1) & month.between(1, 12) & (day >= 1)
        & (day <= _days_in_month(year, month)), False)
    return ibis.ifelse(valid, text.cast("timestamp"), ibis.null("timestamp"))


class _Plan:
    """The Ibis expression of one table: typed values, texts to parse in Python, flags.

    Per canonical column ``c``: ``c__v`` the value typed in the engine (NULL where blank or
    where the text needs Python) and ``c__x`` the stripped text where Python parses it
    (other layouts, suspect dates); extra customer attributes come back as ``c__x`` only.
    ``__status`` is the status column (lower case) for returns, ``__h1`` / ``__h2`` the row
    hashes (or ``__dup`` on Spark), ``__row`` the position in the source (increasing;
    consecutive from 0 on PostgreSQL) where the engine does not keep the source order by
    itself. On DuckDB the ``c__x`` texts are not in :attr:`expr` (all but a few are NULL, and
    each would still cost 8 bytes a row): ``__todo`` flags the rows that have one, and
    :attr:`texts` selects those rows' texts in the same order. ``dialect`` is ``duckdb``,
    ``postgres`` or ``spark``; ``spaces_only`` see :func:`_strip`.
    """

    def __init__(self, raw: ibis.Table, table: Table, column_map: dict[str, str],
                 mapping: dict[str, Any], limit: pd.Timestamp, status: str | None,
                 dialect: str, spaces_only: bool = False) -> None:
        values = _value_lookups(table, mapping)
        low, high = (ibis.literal(d.to_pydatetime()) for d in PLAUSIBLE_DATES)
        last = ibis.literal(limit.to_pydatetime())
        hashed, numbered = dialect != "spark", dialect != "duckdb"
        # Spark numbers rows by scan position per partition (a row_number() over the whole
        # table is one window in one partition: the whole table on one executor)
        position = _scan_position() if dialect == "spark" else ibis.row_number()
        base = raw.mutate(__row=position) if numbered else raw
        if not hashed:  # Spark: a window over every column, the first in source order wins
            first = ibis.row_number().over(group_by=[base[c] for c in raw.columns],
                                           order_by=base["__row"])
            base = base.mutate(__dup=first > 0)
        # Stage 1: each used column stripped once (and its values mapped).
        self.kinds: dict[str, str] = {}
        typed: dict[str, bool] = {}
        texts: dict[str, ibis.Value] = {}
        for src, name in column_map.items():
            column = table._by_name.get(name)
            self.kinds[name] = column.kind if column is not None else "extra"
            value = base[src]
            typed[name] = not value.type().is_string()
            text = _strip(value.cast("string") if typed[name] else value, spaces_only)
            if name in values:
                text = _strip(text.substitute(values[name], else_=text), spaces_only)
                typed[name] = False
            texts[f"{name}__t"] = text
        staged = base.mutate(**texts)
        # Stage 2: typed values and the blank / plain flags, each computed once.
        typed_values: dict[str, ibis.Value] = {}
        for src, name in column_map.items():
            kind, value, text = self.kinds[name], staged[src], staged[f"{name}__t"]
            blank = text.isnull() | text.isin(_BLANK_SPELLINGS)
            if kind == "extra":
                continue
            typed_values[f"{name}__b"] = blank
            if kind in _TEXT_KINDS:
                if kind == "id":
                    whole = text.endswith(".0") & text.re_search(r"^[0-9]+\.0$")
                    text = ibis.ifelse(whole, text.substr(0, text.length() - 2), text)
                typed_values[f"{name}__v"] = ibis.ifelse(blank, ibis.null("string"), text)
            elif kind == "datetime":
                if typed[name] and value.type().is_temporal():
                    typed_values[f"{name}__v"] = value.cast("timestamp")
                else:
                    typed_values[f"{name}__v"] = _plain_date(text, dialect)
            elif kind == "bool":
                if typed[name] and value.type().is_boolean():
                    typed_values[f"{name}__v"] = value
                else:
                    lowered = text.lower()
                    typed_values[f"{name}__v"] = ibis.cases(
                        (lowered.isin(sorted(_TRUE)), True), (lowered.isin(sorted(_FALSE)), False),
                        else_=ibis.null("boolean"))
            elif typed[name] and value.type().is_numeric():
                typed_values[f"{name}__v"] = value.cast("float64")
            else:  # float, int, score as text
                plain = text.re_search(_PLAIN_SCORE if kind == "score" else _PLAIN_AMOUNT)
                typed_values[f"{name}__p"] = plain
                typed_values[f"{name}__v"] = ibis.ifelse(plain, text.cast("float64"),
                                                         ibis.null("float64"))
        staged = staged.mutate(**typed_values)
        # Stage 3: what comes back.
        out: dict[str, ibis.Value] = {}
        texts_out: dict[str, ibis.Value] = {}
        todo: ibis.Value | None = None
        #: per float column, whether a value typed in the engine writes a decimal point
        self.dotted: dict[str, ibis.Value] = {}
        for src, name in column_map.items():
            kind, value, text = self.kinds[name], staged[src], staged[f"{name}__t"]
            if kind == "extra":
                out[f"{name}__x"] = value if typed[name] else text
                continue
            parsed, blank = staged[f"{name}__v"], staged[f"{name}__b"]
            out[f"{name}__v"] = parsed
            if kind in _TEXT_KINDS:
                continue
            if kind == "datetime":
                suspect = parsed.isnull() | (parsed < low) | (parsed >= high) | (parsed > last)
            elif f"{name}__p" in staged.columns:
                plain = staged[f"{name}__p"]
                suspect = ~plain
                self.dotted[name] = plain & text.contains(".")
            else:  # typed in the source, or a flag
                suspect = parsed.isnull()
            needed = ~blank & suspect
            texts_out[f"{name}__x"] = ibis.ifelse(needed, text, ibis.null("string"))
            todo = needed if todo is None else todo | needed
        if status is not None:
            out["__status"] = _strip(staged[status].cast("string"), spaces_only).lower()
        if hashed:  # a false duplicate needs both hashes to collide
            # NULL and '' are one value, as the folder loader reads both as ''
            cells = [staged[c].cast("string").fill_null("") for c in raw.columns]
            out["__h1"], out["__h2"] = _row_hashes(cells, dialect)
            if dialect == "duckdb":  # pandas skips spaces after a delimiter: such files go there
                spaced = cells[0].like(" %")
                for cell in cells[1:]:
                    spaced = spaced | cell.like(" %")
                out["__spaced"] = spaced
        else:
            out["__dup"] = staged["__dup"]
        if numbered:
            out["__row"] = staged["__row"]
        self.base = staged
        #: the texts Python parses, by a second query of only the rows that have one
        #: (DuckDB, whose scans keep the source order); None: they are in ``expr``
        self.texts: ibis.Table | None = None
        if dialect == "duckdb" and todo is not None:
            out["__todo"] = todo
            self.texts = staged.filter(todo).select(**texts_out)
        else:
            out.update(texts_out)
        self.expr = staged.select(**out)
        if numbered:
            self.expr = self.expr.order_by("__row")


def _value_lookups(table: Table, mapping: dict[str, Any]) -> dict[str, dict[str, str]]:
    """mapping.yaml's ``values:`` for ``table`` (global, then the table's own), as text."""
    out: dict[str, dict[str, str]] = {}
    section = mapping.get(table.name) or {}
    for source in (mapping.get("values") or {}, section.get("values") or {}):
        for column, values in source.items():
            if values:
                out.setdefault(str(column), {}).update(
                    {str(k): str(v) for k, v in values.items()})
    return out


# ------------------------------------------------------------------------------ a table


class _EngineLoader(_Loader):
    """The folder loader's rules (:class:`workbench.io._Loader`) on the columns typed in the
    engine: ``parsed`` holds, per column, the parsed values and the masks of placeholder
    dates and blanks, as ``_Loader._parse_column`` computes them from the text."""

    def __init__(self, table: Table, label: Path | _Label, report: QualityReport,
                 options: LoadOptions, keys: pd.DataFrame, with_rows: bool) -> None:
        super().__init__(table, label, report, options)  # type: ignore[arg-type]
        self.parsed: dict[str, tuple[pd.Series, pd.Series, pd.Series]] = {}
        self.keys, self.with_rows = keys, with_rows

    def set_aside(self, mask: pd.Series, code: str, column: str | None = None,
                  values_only: bool = False, **params: Any) -> None:
        before = len(self.report.set_aside)
        super().set_aside(mask, code, column, values_only, **params)
        if len(self.report.set_aside) > before:
            entry = self.report.set_aside[-1]
            rows = mask.index[mask.to_numpy()][:len(entry.examples) or 5]
            entry.keys = [{k: None if pd.isna(v) else str(v) for k, v in record.items()}
                          for record in self.keys.loc[rows].to_dict("records")]
            if not self.with_rows:
                entry.examples = []

    def done(self) -> None:
        self.keys = pd.DataFrame()  # the key columns are the frame's: not held twice

    def _parse_column(self, values: pd.Series, column: Any, distinct: Any
                      ) -> tuple[pd.Series, pd.Series, pd.Series]:
        return self.parsed[str(values.name)]


def _series(columns: dict[str, pa.ChunkedArray], name: str, index: pd.Index) -> pd.Series:
    """Column ``name`` of the engine's result as pandas (text as ``str``), on ``index``;
    taken out of ``columns``, so that the Arrow copy goes as soon as pandas has its own."""
    series = columns.pop(name).to_pandas().set_axis(index)
    _release()
    return series


def _release() -> None:
    """Give Arrow's freed memory back to the system: its allocator keeps it otherwise, and
    the peak of a large table's load would count it (about 0.4 GB at 15M rows)."""
    pa.default_memory_pool().release_unused()


def _prepare(loader: _EngineLoader, tb: dict[str, pa.ChunkedArray], plan: _Plan,
             index: pd.Index, dotted: Any) -> pd.DataFrame:
    """Fill ``loader.parsed`` from the engine's columns, parsing the texts it sent back with
    the parsers of :mod:`workbench.parsing`; returns the frame of values quoted in messages.
    ``dotted(name)`` says whether a value typed in the engine wrote a decimal point. Arrays
    made here go into their Series as they are (``copy=False``: pandas 3 copies otherwise)."""
    shown: dict[str, pd.Series] = {}
    no = pd.Series(np.zeros(len(index), dtype=bool), index=index, copy=False)
    for name, kind in plan.kinds.items():
        if kind == "extra":
            values = _series(tb, f"{name}__x", index)
            from workbench.io import _infer_attribute

            if pd.api.types.is_string_dtype(values):
                distinct = Distinct.of(values)
                parsed = distinct.expand(_infer_attribute(distinct.values))
            else:
                parsed = _infer_attribute(values)
            loader.parsed[name] = (parsed, no, no)
            shown[name] = values
            continue
        value = _series(tb, f"{name}__v", index)
        if kind in _TEXT_KINDS:
            if value.dtype != "str":
                value = value.astype("str")
            loader.parsed[name] = (value, no, value.isna())
            shown[name] = value
            continue
        text: pd.Series | None = None  # none: every value was typed in the engine (or blank)
        todo = np.zeros(len(index), dtype=bool)
        if f"{name}__x" in tb:
            text = _series(tb, f"{name}__x", index)
            todo = text.notna().to_numpy()
        blank = pd.Series(value.isna().to_numpy() & ~todo, index=index, copy=False)
        placeholder = no
        if kind == "datetime":
            dates = value.to_numpy().astype("datetime64[us]", copy=False)
            if todo.any():
                dates = dates.copy()  # the engine's values may be read-only Arrow memory
                sub = text[todo]
                result, out_of_range = loader._parse_dates(sub.astype("str"), name)
                dates[todo] = result.to_numpy().astype("datetime64[us]")
                flags = np.zeros(len(index), dtype=bool)
                flags[todo] = out_of_range.to_numpy()
                placeholder = pd.Series(flags, index=index, copy=False)
                dates[flags] = np.datetime64("NaT")
            parsed = pd.Series(dates.astype("datetime64[ns]"), index=index, copy=False)
        elif kind == "bool":
            parsed = value.astype("boolean")
            if todo.any():
                parsed[todo] = parse_bools(text[todo]).to_numpy()
        else:
            numbers = (value.to_numpy() if value.dtype == "float64"  # no copy
                       else value.to_numpy(dtype="float64", na_value=np.nan))
            if todo.any():
                numbers = numbers.copy()
                sub = text[todo].astype("str")
                if kind == "score":
                    result = parse_scores(sub, words=CSAT_WORDS if name == "csat" else None)
                else:  # the column's decimal convention needs the typed values' points too
                    extra = ["0.00"] if dotted(name) else []
                    result = parse_amounts(pd.concat([sub, pd.Series(extra, dtype="str")],
                                                     ignore_index=True)).iloc[:len(sub)]
                numbers[todo] = result.to_numpy(dtype="float64")
            parsed = pd.Series(numbers, index=index,  # Arrow memory is read-only
                               copy=not numbers.flags.writeable)
            if kind == "int":
                parsed = parsed.round().astype("Int64")
        loader.parsed[name] = (parsed, placeholder, blank)
        shown[name] = value if text is None else text  # quoted only where a text is
    return pd.DataFrame(shown, index=index, copy=False)  # the columns as they are


def _engine_table(
    raw: ibis.Table, table: Table, label: Path | _Label, file: str, mapping: dict[str, Any],
    options: LoadOptions, report: QualityReport, *, engine: str, with_rows: bool,
    encoding: str | None = None, delimiter: str | None = None,
    headers: list[str] | None = None, fallback: bool = False, spaces_only: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """One canonical table from the source table ``raw``, as ``io._load_table`` loads a file.

    ``label`` names the table in messages, ``file`` in the report; ``headers`` are the
    file's own header cells when the engine's column names may differ (a byte-order mark).
    With ``fallback``, an error of the engine reading the file raises :class:`_Unreadable`
    (the folder loader then reads it).
    """
    if headers is not None:
        raw = raw.rename(dict(zip(headers, raw.columns, strict=True)))
    columns = list(raw.columns)
    rep = TableReport(table.name, file, encoding, delimiter)
    report.tables[table.name] = rep
    try:
        column_map = _map_columns(pd.DataFrame(columns=columns), table, mapping,
                                  label)  # type: ignore[arg-type]
    except DataError as exc:
        if isinstance(label, _Label):
            message = (str(exc).replace("The file's columns", "The table's columns")
                       .replace("as the file's header spells it", "as the table spells it"))
            if not message.startswith(str(label)):  # a mapping entry: name the source too
                message = f"{label}: {message}"
            raise EngineError(message) from None
        raise
    rep.column_map = column_map
    status = None
    if table.name == "transactions":
        aliases = {_norm(a) for a in _STATUS_ALIASES}
        status = next((h for h in columns if h not in column_map and _norm(h) in aliases), None)
    extras = [h for h in columns if h not in column_map]
    rep.extra_columns = extras
    plan_map = dict(column_map)
    if table.keep_extra_columns:
        plan_map.update({h: h for h in extras})
    loader = _EngineLoader(table, label, report, options, pd.DataFrame(), with_rows)
    plan = _Plan(raw, table, plan_map, mapping, loader.latest_date(), status, engine,
                 spaces_only)
    try:
        tb = _fetch(plan.expr, engine)
    except Exception as exc:
        if isinstance(exc, EngineError):
            raise
        if fallback:
            raise _Unreadable(str(exc)) from None
        detail = " ".join(str(exc).split())[:400]
        raise EngineError(f"{label}: the engine cannot read the table: {detail}") from None
    n = tb.num_rows
    if n == 0:
        raise EngineError(f"{label}: the table has a header but no rows (columns: "
                          f"{', '.join(columns[:12])}).")
    rep.rows_read = n
    # The rows come in source order (sorted on ``__row`` where the engine needs it), so the
    # n-th is counted as a spreadsheet counts it: the first row is 2.
    index = pd.RangeIndex(2, n + 2)

    def dotted(name: str) -> bool:
        return bool(plan.base.select(d=plan.dotted[name]).d.any().execute())

    columns = {name: tb.column(name) for name in tb.column_names}
    del tb
    spaced = columns.pop("__spaced", None)
    if fallback and spaced is not None and pc.any(spaced).as_py():
        raise _Unreadable("a space after a delimiter: pandas skips it")
    todo = columns.pop("__todo", None)
    if todo is not None and plan.texts is not None:
        flags = pc.fill_null(todo, False).to_numpy()
        del todo
        if flags.any():
            try:
                texts = _fetch(plan.texts, engine)
            except Exception as exc:
                if fallback:
                    raise _Unreadable(str(exc)) from None
                raise
            columns.update(_spread(texts, flags, label))
    shown = _prepare(loader, columns, plan, index, dotted)
    key_names = [k for k in ("customer_id", _KEY_COLUMNS.get(table.name, ""))
                 if k in loader.parsed]
    loader.keys = pd.DataFrame({k: loader.parsed[k][0] for k in key_names}, index=index,
                               copy=False)
    status_values = None
    if status is not None:
        status_values = _series(columns, "__status", index)
    if "__dup" in columns:
        dup = pd.Series(columns.pop("__dup").to_numpy(zero_copy_only=False), index=index,
                        copy=False)
    else:
        dup = pd.Series(_duplicated(columns.pop("__h1").to_numpy(),
                                    columns.pop("__h2").to_numpy()), index=index, copy=False)
        _release()
    del columns
    if not options.drop_exact_duplicates:
        dup = None
    try:
        frame = loader.coerce(shown)
    except EngineError:
        raise
    except DataError as exc:
        raise EngineError(str(exc)) from None
    del shown
    loader.parsed.clear()
    if dup is not None:
        dup &= ~loader.drop
        loader.set_aside(dup, "duplicate")
        loader.drop |= dup
    frame = loader.validate(frame)
    return _finish_table(frame, loader, table, label, rep, status_values,  # type: ignore[arg-type]
                         options)


#: Rows per Arrow batch when DuckDB streams a result.
_BATCH_ROWS = 1 << 18


def _fetch(expr: ibis.Table, engine: str) -> pa.Table:
    """The result of ``expr`` as Arrow. DuckDB streams it in batches: ``to_pyarrow`` would
    hold DuckDB's own copy of the whole result next to the Arrow one."""
    if engine != "duckdb":
        return expr.to_pyarrow()
    con = expr._find_backend().con
    reader = con.sql(str(ibis.to_sql(expr, dialect="duckdb"))).to_arrow_reader(_BATCH_ROWS)
    # A batch from DuckDB is released only with all its columns; copied into Arrow's own
    # memory, each column goes as soon as it is no longer used (pandas copies the kept rows
    # column by column, so the table is never held twice).
    empty = {f.name: pa.array([], f.type) for f in reader.schema}
    chunks: dict[str, list[pa.Array]] = {f.name: [] for f in reader.schema}
    for batch in reader:
        for name, column in zip(batch.schema.names, batch.columns, strict=True):
            chunks[name].append(pa.concat_arrays([column, empty[name]]))
        del batch, column
    return pa.table({name: pa.chunked_array(parts, empty[name].type)
                     for name, parts in chunks.items()})


def _spread(texts: pa.Table, flags: np.ndarray, label: Any) -> dict[str, pa.ChunkedArray]:
    """The columns of ``texts`` (the rows under ``flags``, in order) at those rows of the
    whole table, NULL elsewhere; a column without any text is left out."""
    if texts.num_rows != int(flags.sum()):  # the source changed between the two reads
        raise EngineError(f"{label}: the table changed while it was read; load it again")
    positions = np.full(len(flags), -1, dtype=np.int64)
    positions[flags] = np.arange(texts.num_rows)
    indices = pa.array(positions, mask=~flags)
    del positions
    return {name: texts.column(name).take(indices) for name in texts.column_names
            if texts.column(name).null_count < texts.num_rows}


def _duplicated(h1: np.ndarray, h2: np.ndarray) -> np.ndarray:
    """True for each row whose two hashes both equal an earlier row's (the first is kept).

    The values of ``h1`` are sorted; only the few rows sharing an ``h1`` with another are
    compared on both hashes, in their order in the source.
    """
    ordered = np.sort(h1)
    repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    del ordered
    candidates = np.flatnonzero(pd.Series(h1).isin(repeated).to_numpy())
    dup = np.zeros(len(h1), dtype=bool)
    if len(candidates):
        pairs = pd.DataFrame({"a": h1[candidates], "b": h2[candidates]})
        dup[candidates] = pairs.duplicated(keep="first").to_numpy()
    return dup


class _Unreadable(Exception):
    """The engine cannot read a folder's file as pandas would: the folder loader reads it."""


# ------------------------------------------------------------------------------ folders

def _csv_layout(path: Path, table: Table, mapping: dict[str, Any]
                ) -> tuple[str, str, list[str], bool] | None:
    """Encoding, delimiter and header cells of a CSV file the engine reads as the folder
    loader does, or None: not UTF-8 (from its first 256 KiB; DuckDB checks the rest and its
    error sends the file to pandas), a title above the header, a blank or repeated header
    cell. Rows of another length than the header and quotes never closed make DuckDB fail
    (strict mode), so pandas reads and explains them. Spaces after a delimiter, which pandas
    skips, only matter for exact duplicates: those compare the cells without leading spaces.
    """
    with open(path, "rb") as f:
        head = f.read(SNIFF_CHARS * 4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    encoding = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        text = head.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:  # a character cut at the end of the sample is fine
        if exc.start < len(head) - 4:
            return None
        text = head[:exc.start].decode("utf-8")
    text = text.lstrip("\ufeff")
    delimiter = _sniff_delimiter(text, path.suffix.lower())
    lines = text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS]
    rows = [next(csv.reader([line.rstrip("\r")], delimiter=delimiter), []) for line in lines]
    if not rows or _header_finder(table, mapping)(rows) not in (0, None):
        return None
    header = [str(c).strip().lstrip("\ufeff") for c in rows[0]]
    if not all(header) or len(set(header)) < len(header):
        return None
    spaces_only = True
    with open(path, "rb") as f:  # read in slices: a mapped file would count as memory used
        while spaces_only and (chunk := f.read(16 << 20)):
            spaces_only = not any(chunk.find(c) >= 0 for c in (b"\t", b'"', b"\r", b"\v",
                                                              b"\f"))
    return encoding, delimiter, header, spaces_only


class FileLoader:
    """Validates a folder's large files on ``engine`` (``duckdb`` or ``spark``) for
    :func:`workbench.io.load_dataset`; :meth:`load` returns None for a file the engine cannot
    read exactly as the folder loader would (that file is then read by pandas)."""

    def __init__(self, data_dir: str | Path, engine: str = "duckdb", *,
                 spark: dict[str, str] | None = None, memory_limit: str | None = None) -> None:
        if engine not in ("duckdb", "spark"):
            raise EngineError(f"engine must be duckdb or spark, got {engine!r}")
        self.data_dir, self.engine = Path(data_dir), engine
        self._spark, self._memory_limit = spark, memory_limit or DUCKDB_MEMORY_LIMIT
        self._backend: Any = None

    @property
    def backend(self) -> Any:
        if self._backend is None:
            if self.engine == "spark":
                from workbench.engine.spark import spark_backend

                self._backend = spark_backend(self._spark)
            else:  # the file's order is the rows' order, as in the folder loader
                self._backend = ibis.duckdb.connect(memory_limit=self._memory_limit,
                                                    preserve_insertion_order=True)
                # large_string: the text columns become pandas' str without a copy
                self._backend.con.execute("SET enable_progress_bar = false")
                self._backend.con.execute("SET arrow_large_buffer_size = true")
                # DuckDB's memory of the batches it streamed goes back while pandas works
                self._backend.con.execute("SET allocator_background_threads = true")
        return self._backend

    def load(self, table: Table, path: Path, mapping: dict[str, Any], options: LoadOptions,
             report: QualityReport) -> tuple[pd.DataFrame, pd.DataFrame | None] | None:
        """``table`` from the file ``path``, or None when pandas must read it."""
        encoding = delimiter = headers = None
        spaces_only = False
        try:
            if path.suffix.lower() == ".csv":
                layout = _csv_layout(path, table, mapping)
                if layout is None:
                    return None
                encoding, delimiter, headers, spaces_only = layout
                raw = self._read_csv(path, delimiter)
            else:
                raw = self.backend.read_parquet(str(path))
        except Exception:  # noqa: BLE001 - any reader error: pandas reads and explains it
            return None
        if headers is not None and len(headers) != len(raw.columns):
            return None
        warnings = len(report.warnings)
        try:
            return _engine_table(raw, table, path, str(path), mapping, options, report,
                                 engine=self.engine, with_rows=True, encoding=encoding,
                                 delimiter=delimiter, headers=headers, fallback=True,
                                 spaces_only=spaces_only)
        except _Unreadable:
            report.tables.pop(table.name, None)
            del report.warnings[warnings:]
            return None

    def _read_csv(self, path: Path, delimiter: str) -> ibis.Table:
        if self.engine == "spark":
            return self.backend.read_csv(str(path), header=True, inferSchema=False,
                                         sep=delimiter, encoding="UTF-8", multiLine=True,
                                         escape='"', mode="FAILFAST")
        return self.backend.read_csv(str(path), all_varchar=True, header=True,
                                     delim=delimiter, quote='"', escape='"',
                                     strict_mode=True, null_padding=False)

    def close(self) -> None:
        """Close the DuckDB connection (a Spark session stays up for the next load)."""
        if self._backend is not None and self.engine == "duckdb":
            with contextlib.suppress(duckdb.Error):
                self._backend.disconnect()
        self._backend = None


# ------------------------------------------------------------------------------ sources


def load_source(spec: str | Path, *, mapping: str | Path | None = None, engine: str = "duckdb",
                spark: dict[str, str] | None = None, memory_limit: str | None = None,
                **options: Any) -> Dataset:
    """Load the source ``spec`` into canonical frames and a data-quality report.

    Parameters
    ----------
    spec
        A folder, a Parquet file, folder of parts or glob (the transactions),
        ``duckdb:///file.duckdb`` or ``postgresql://user:password@host:port/db?schema=s``.
    mapping
        A mapping file (``columns:``, ``values:``, ``options:``, and ``tables:`` naming the
        source table of each canonical table); it replaces a folder's own ``mapping.yaml``
        and is the only mapping of a database or Parquet source.
    engine
        ``duckdb`` (default) or ``spark``, for folders and Parquet sources; a database source
        is validated in its database. A folder on DuckDB reads its large files
        (:data:`workbench.io.ENGINE_MIN_BYTES`) in DuckDB and the others as
        :func:`workbench.io.load_dataset` does; on Spark every CSV and Parquet file goes
        through Spark.
    spark
        Spark settings (``spark.master``, ``spark.remote``, ...), see
        :func:`workbench.engine.spark.spark_session`.
    memory_limit
        DuckDB's buffer memory cap (e.g. ``"4GB"``; default
        :data:`workbench.engine.sources.DUCKDB_MEMORY_LIMIT`), beyond which it spills to disk.
    **options
        Overrides of the cleaning rules, as for :func:`workbench.io.load_dataset`.

    Returns
    -------
    Dataset
        With :attr:`~workbench.io.Dataset.provenance` ``{"engine", "source", "rows_read"}``:
        the engine that validated the data, the source without its password and the rows read
        per table.

    Raises
    ------
    EngineError
        The source cannot be reached or read, a table or a required column is missing, or a
        column cannot be read at all; the message names the table and the column, never the
        password. Other data problems are :class:`workbench.io.DataError`, as for folders.
    """
    source = parse_source(spec)
    if source.kind == "folder":
        return _load_folder(source.options["path"], mapping, options, engine=engine,
                            min_bytes=0 if engine == "spark" else None, spark=spark,
                            memory_limit=memory_limit)
    if mapping is not None:
        mapping_dict = read_mapping(mapping)  # read once; the tables: section checked
    else:
        mapping_dict = {}
    base = LoadOptions.from_mapping(mapping_dict.get("options") or {},
                                    mapping_dict.get("_path", Path(source.display)))
    load_options = LoadOptions(**(asdict(base) | options))
    report = QualityReport(source.display, options=asdict(load_options))
    frames: dict[str, pd.DataFrame | None] = {}
    refs: dict[str, str] = {}
    returns = None
    conn = connect(source, engine, spark=spark, memory_limit=memory_limit or DUCKDB_MEMORY_LIMIT)
    secrets = (source.password,) if source.password else ()
    try:
        if conn.engine == "duckdb":  # rows in the order of the table or the files
            conn.backend.con.execute("SET preserve_insertion_order = true")
            conn.backend.con.execute("SET arrow_large_buffer_size = true")
        for name, table in TABLES.items():
            ref = source_ref(conn, name, mapping_dict)
            if ref is None:
                continue
            raw = conn.table(ref)
            if source.kind == "parquet":
                label = _Label(source.display, Path(source.display).name)
            else:
                label = _Label(f"{source.display}: table {ref}", ref)
            refs[name] = str(label)
            frames[name], table_returns = _engine_table(
                raw, table, label, ref if source.is_database else source.display,
                mapping_dict, load_options, report, engine=conn.engine,
                with_rows=not source.is_database)
            if name == "transactions":
                returns = table_returns
    except DataError as exc:
        raise type(exc)(redact(str(exc), secrets)) from None
    finally:
        conn.close()
    if not refs:
        known = ", ".join(sorted(conn.list_tables(source.options.get("schema")))[:20])
        raise EngineError(f"{source.display}: no table of the workbench found (tables there: "
                          f"{known or 'none'}); name them in the mapping, e.g. 'tables: "
                          "{transactions: my_schema.orders}'")
    provenance = {"engine": conn.engine, "source": source.display,
                  "rows_read": {t: rep.rows_read for t, rep in report.tables.items()}}
    return finish_dataset(source.display, mapping_dict, load_options, report, frames, returns,
                          provenance, refs)
