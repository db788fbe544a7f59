"""Load a dataset folder into canonical frames plus a data-quality report.

A dataset is a folder holding ``transactions.(csv|tsv|txt|xlsx|parquet)``, ``customers.*``,
``feedback.*`` and ``events.*`` (any of them), and an optional
``mapping.yaml``::

    columns:            # the file's own header -> canonical name, for every table
      客户ID: customer_id
      下单时间: order_date
      实付金额: amount
    customers:          # or per table
      columns: {会员等级: tier}
      values:
        tier: {"1": 普通, "2": 白银, "3": 黄金, "4": 铂金}
    options:            # the cleaning rules, see LoadOptions
      merge_same_day: true
    files:              # a file whose name says nothing -> its table
      export_20240131.csv: transactions

Files are recognised by name, in any case and with any supported extension: the table's own
name, or one of the aliases in :data:`workbench.schema.FILE_ALIASES`:

- transactions: orders, order, sales, purchases, invoices, 订单, 订单明细, 交易, 交易记录,
  交易明细, 销售, 销售记录, 购买记录, 消费记录
- customers: customer, clients, members, member, users, 客户, 客户信息, 会员, 会员信息, 用户
- feedback: survey, surveys, nps, csat, reviews, comments, 评价, 评论, 反馈, 问卷, 调研, 满意度
- events: event, activity, behaviour, behavior, 行为, 行为日志, 事件, 埋点, 访问记录

Any other file that looks like a table (``notes.csv``, ``orders.xlsm``, ``data.json``) is not
read and is listed with the reason in ``QualityReport.unread_files`` (and so in
``workbench validate`` and the data-quality report). At least one table must have rows; a
folder holding only ``feedback.*`` (a survey export) is usable for the feedback report.

Every problem with the data either sets rows aside (with the reason and example row numbers in
the :class:`QualityReport`) or raises :class:`DataError` with a message naming the file, the
column and example rows. Raw files are only ever read.
"""

from __future__ import annotations

import codecs
import csv
import io as _io
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.csv as pa_csv
import yaml

from workbench.parsing import (
    CSAT_WORDS,
    PLAUSIBLE_DATES,
    Distinct,
    is_blank,
    parse_amounts,
    parse_bools,
    parse_dates,
    parse_ids,
    parse_scores,
    read_dates,
)
from workbench.schema import (
    ANALYSIS_COLUMNS,
    ANALYSIS_REQUIREMENTS,
    FILE_ALIASES,
    TABLES,
    Column,
    Table,
)

__all__ = [
    "WARNING_CODES",
    "DataError",
    "Dataset",
    "LoadOptions",
    "LoadWarning",
    "QualityReport",
    "SetAside",
    "TableReport",
    "load_dataset",
    "read_table_file",
]

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".parquet")
#: How many example rows an error or a set-aside reason quotes.
N_EXAMPLES = 5
#: A required column whose values are unreadable on more than this share of rows is taken to
#: be the wrong column or format, and the load fails instead of setting most rows aside.
MAX_UNREADABLE_SHARE = 0.5

_STATUS_ALIASES = ("status", "order_status", "订单状态", "状态", "交易状态")


class DataError(Exception):
    """A data problem the analyst must fix; the message names file, column and rows."""


@dataclass
class LoadOptions:
    """Cleaning rules, visible and switchable (also settable in ``mapping.yaml: options``).

    Attributes
    ----------
    drop_exact_duplicates
        Remove rows identical in every column (keeps the first).
    separate_returns
        Keep returns and cancellations apart in ``Dataset.returns``: negative amounts, a
        status column saying cancelled/refunded, or an order id matching
        ``cancel_order_pattern``.
    merge_same_day
        Merge all lines of one customer on one calendar day into one transaction, as the
        buy-till-you-die literature does (amounts and quantities summed).
    cancel_order_pattern
        Regex for order ids of cancellations (``^C\\d`` as in the UCI Online Retail data).
        Ignored, with a warning, if it matches more than half of the orders.
    cancelled_status
        Status values (lower case) that mark a cancelled or refunded line.
    dayfirst
        Read ``05/01/2024`` as 5 January (true) or May 1 (false). By default (None) the order
        is decided once per column from its values: any day above 12 settles it; dotted dates
        (``05.01.2024``) are read day first; otherwise month first, with a warning.
    as_of
        ``YYYY-MM-DD``: rows whose required date (order, answer or event date) is after this
        day are set aside with the reason. By default the limit is today: a date in the
        future cannot be a real order. Placeholder dates (``9999-12-31``, ``2999-01-01``,
        anything outside 1900-2199) set the row aside in a required column and are blanked,
        with a counted note, in an optional one (signup or end dates meaning "never").
    """

    drop_exact_duplicates: bool = True
    separate_returns: bool = True
    merge_same_day: bool = False
    cancel_order_pattern: str | None = r"^C\d"
    cancelled_status: tuple[str, ...] = (
        "cancelled", "canceled", "refunded", "returned", "refund", "return",
        "已取消", "取消", "已退款", "退款", "退货", "已退货", "交易关闭",
    )
    dayfirst: bool | None = None
    as_of: str | None = None

    @classmethod
    def from_mapping(cls, raw: dict[str, Any], source: Path) -> LoadOptions:
        """Options from ``mapping.yaml`` (or keyword arguments), each checked for its type."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise DataError(
                f"{source}: unknown option(s) {', '.join(map(str, unknown))} under 'options'; "
                f"known options are {', '.join(sorted(known))}."
            )
        values = dict(raw)
        for name, value in values.items():
            default = getattr(cls, name)
            if isinstance(default, bool) and not isinstance(value, bool):
                raise DataError(
                    f"{source}: option '{name}' must be true or false, got {value!r}."
                )
            if name == "dayfirst" and value is not None and not isinstance(value, bool):
                raise DataError(
                    f"{source}: option 'dayfirst' must be true or false (or left out to decide "
                    f"from the dates), got {value!r}."
                )
        if values.get("as_of") is not None:
            as_of = values["as_of"]
            try:
                values["as_of"] = str(pd.Timestamp(str(as_of)).date())
            except (ValueError, TypeError):
                raise DataError(
                    f"{source}: option 'as_of' must be a date written YYYY-MM-DD, got {as_of!r}."
                ) from None
        if "cancelled_status" in values:
            status = values["cancelled_status"]
            status = [status] if isinstance(status, str) else status
            if not isinstance(status, (list, tuple)):
                raise DataError(
                    f"{source}: option 'cancelled_status' must be a list of status values, "
                    f"got {status!r}."
                )
            values["cancelled_status"] = tuple(str(v).strip().lower() for v in status)
        pattern = values.get("cancel_order_pattern")
        if pattern is not None:
            if not isinstance(pattern, str):
                raise DataError(
                    f"{source}: option 'cancel_order_pattern' must be a regular expression in "
                    f"quotes, got {pattern!r}."
                )
            try:
                re.compile(pattern)
            except re.error as exc:
                raise DataError(
                    f"{source}: option 'cancel_order_pattern' {pattern!r} is not a valid "
                    f"regular expression: {exc}."
                ) from None
        return cls(**values)


@dataclass
class SetAside:
    """Rows (or values) not used, with the reason and example row numbers."""

    table: str
    reason: str
    rows: int
    examples: list[int] = field(default_factory=list)
    column: str | None = None
    values_only: bool = False  # True when only the value was blanked, not the row dropped
    code: str = ""  # catalogue key suffix (reason.<code>) for translated reports
    params: dict[str, Any] = field(default_factory=dict)
    #: Up to N_EXAMPLES example rows by their keys (``{"customer_id": ..., "order_id": ...}``)
    #: when the engine loaded the table; a database table has no row numbers, only keys.
    keys: list[dict[str, str | None]] = field(default_factory=list)

    def describe(self, lang: str = "en") -> str:
        """The reason in ``lang`` (falls back to the English text)."""
        from workbench.i18n import CATALOGUE, column_label, t

        key = f"reason.{self.code}"
        values = dict(self.params)
        if lang != "en" and isinstance(values.get("column"), str):
            values["column"] = column_label(values["column"], lang)
        return t(key, lang, **values) if key in CATALOGUE else self.reason


#: Every warning the loader emits, by code: catalogue key ``dq.warn.<code>`` (en and zh).
WARNING_CODES = (
    "header_below_title",      # file, row, skipped
    "repeated_header",         # file, header, first, second
    "dates_ambiguous",         # file, column
    "dates_contradict_day_first",    # file, column, n, examples
    "dates_contradict_month_first",  # file, column, n, examples
    "no_order_id",             # file
    "merged_same_day",         # file, n
    "zero_amount",             # file, n
    "cancel_pattern_ignored",  # pattern, share
    "all_rows_set_aside",      # file, rows_read, reasons [{code, params, rows}]
    "unknown_customers",       # n
)


@dataclass
class LoadWarning:
    """A warning of the load: a stable ``code`` and its parameters, plus the English text.

    ``text`` (and ``str()``) is the English sentence for the console and ``workbench
    validate``; :meth:`describe` gives it in a report's language from the catalogue entry
    ``dq.warn.<code>``. Parameters are values from the data (file and column names as given,
    counts) and are shown unchanged; ``reasons`` holds set-aside reasons as ``{"code",
    "params", "rows"}``, each translated through ``reason.<code>``.
    """

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    text: str = ""

    @classmethod
    def make(cls, code: str, **params: Any) -> LoadWarning:
        if code not in WARNING_CODES:
            raise ValueError(f"unknown warning code {code!r}; add it to WARNING_CODES")
        warning = cls(code, params)
        warning.text = warning.describe("en")
        return warning

    def describe(self, lang: str = "en") -> str:
        """The warning in ``lang``."""
        from workbench.i18n import column_label, t

        values = dict(self.params)
        if lang != "en" and isinstance(values.get("column"), str):
            values["column"] = column_label(values["column"], lang)
        if "reasons" in values:
            values["reasons"] = t("dq.warn_part.sep", lang).join(
                t("dq.warn_part.reason_rows", lang,
                  reason=t(f"reason.{r['code']}", lang, **r["params"]), rows=r["rows"])
                for r in values["reasons"]
            )
        return t(f"dq.warn.{self.code}", lang, **values)

    def __str__(self) -> str:
        return self.text


@dataclass
class TableReport:
    """What happened to one table during loading."""

    table: str
    file: str
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = 1  # the header's row as a spreadsheet numbers it (>1: title lines above)
    rows_read: int = 0
    rows_kept: int = 0
    column_map: dict[str, str] = field(default_factory=dict)
    extra_columns: list[str] = field(default_factory=list)
    missing_values: dict[str, int] = field(default_factory=dict)
    date_min: str | None = None
    date_max: str | None = None
    customers: int = 0
    warnings: list[LoadWarning] = field(default_factory=list)


@dataclass
class QualityReport:
    """The data-quality report every load returns."""

    data_dir: str
    tables: dict[str, TableReport] = field(default_factory=dict)
    set_aside: list[SetAside] = field(default_factory=list)
    warnings: list[LoadWarning] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    customers_without_transactions: int | None = None
    transaction_customers_not_in_customers: int | None = None
    #: Files in the folder that look like tables but were not read: ``{"file", "reason",
    #: "code", "params"}`` (reason in English; ``code`` keys ``dq.unread.<code>``).
    unread_files: list[dict[str, Any]] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """At least one table (transactions, customers, feedback or events) has rows kept."""
        return any(rep.rows_kept > 0 for rep in self.tables.values())

    def unread_frame(self, lang: str = "en") -> pd.DataFrame:
        """One row per file not read: file and reason (in ``lang``)."""
        from workbench.i18n import t

        rows = [{"file": u["file"], "reason": t(f"dq.unread.{u['code']}", lang, **u["params"])}
                for u in self.unread_files]
        return pd.DataFrame(rows, columns=["file", "reason"])

    def all_warnings(self) -> list[LoadWarning]:
        """Every warning of the load, dataset-level first, then each table's."""
        return self.warnings + [w for rep in self.tables.values() for w in rep.warnings]

    def warning_lines(self, lang: str = "en") -> list[str]:
        """Every warning as a sentence in ``lang`` (for the reports)."""
        return [w.describe(lang) for w in self.all_warnings()]

    def rows_set_aside(self, table: str | None = None) -> int:
        return sum(
            s.rows for s in self.set_aside if not s.values_only and table in (None, s.table)
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def set_aside_frame(self, lang: str = "en") -> pd.DataFrame:
        """One row per reason: table, column, reason (in ``lang``), rows, values_only."""
        columns = ["table", "column", "reason", "rows", "values_only", "examples"]
        if not self.set_aside:
            return pd.DataFrame(columns=columns)
        from workbench.i18n import column_label, t

        frame = pd.DataFrame([
            asdict(s) | {"reason": s.describe(lang), "table": t(f"table.{s.table}", lang),
                         "column": column_label(s.column, lang) if s.column else s.column,
                         "values_only": t("word.yes" if s.values_only else "word.no", lang)}
            for s in self.set_aside
        ])
        frame["examples"] = [", ".join(map(str, s.examples)) if s.examples
                             else "; ".join(_key_text(k) for k in s.keys)
                             for s in self.set_aside]
        return frame[columns]

    def to_text(self) -> str:
        # a folder of files, or a database URL / Parquet lake (shown without its password)
        where = "Data folder" if Path(self.data_dir).is_dir() else "Source"
        lines = [f"{where}: {self.data_dir}"]
        for rep in self.tables.values():
            extra = f", encoding {rep.encoding}" if rep.encoding else ""
            lines.append(
                f"- {rep.table}: {Path(rep.file).name}{extra}: {rep.rows_read:,} rows read, "
                f"{rep.rows_kept:,} kept, {rep.customers:,} customers"
                + (f", {rep.date_min} .. {rep.date_max}" if rep.date_min else "")
            )
            renamed = {k: v for k, v in rep.column_map.items() if k != v}
            if renamed:
                lines.append(
                    "    columns mapped: " + ", ".join(f"{k} -> {v}" for k, v in renamed.items())
                )
        if self.set_aside:
            lines.append("Set aside:")
            for s in self.set_aside:
                what = "values blanked" if s.values_only else "rows"
                col = f" [{s.column}]" if s.column else ""
                ex = f" (e.g. rows {', '.join(map(str, s.examples))})" if s.examples else (
                    f" (e.g. {'; '.join(_key_text(k) for k in s.keys)})" if s.keys else "")
                lines.append(f"- {s.table}{col}: {s.rows:,} {what}: {s.reason}{ex}")
        if self.unread_files:
            lines.append("Files not read:")
            lines.extend(f"- {u['file']} was not read: {u['reason']}" for u in self.unread_files)
        if self.customers_without_transactions:
            lines.append(
                f"Customers without transactions: {self.customers_without_transactions:,}"
            )
        warnings = self.all_warnings()
        if warnings:
            lines.append("Warnings:")
            lines.extend(f"- {w}" for w in warnings)
        return "\n".join(lines)


def _key_text(key: dict[str, Any]) -> str:
    """``customer_id 0042, order_id A-17`` (the keys of one example row)."""
    return ", ".join(f"{k} {v}" for k, v in key.items())


@dataclass
class Dataset:
    """The canonical frames of one data folder, and how they were obtained."""

    transactions: pd.DataFrame | None
    customers: pd.DataFrame | None
    feedback: pd.DataFrame | None
    events: pd.DataFrame | None
    returns: pd.DataFrame | None
    quality: QualityReport
    options: LoadOptions
    #: Level orders given in mapping.yaml (``order:`` or the ``values:`` order), lowest first
    value_orders: dict[str, list[str]] = field(default_factory=dict)
    #: Subscription periods (customer success) and the campaign log; None when absent
    subscriptions: pd.DataFrame | None = None
    campaigns: pd.DataFrame | None = None
    #: Where the frames came from, for the run manifest: ``{"engine": "pandas" | "duckdb" |
    #: "spark" | "postgres", "source": the source without its password, "rows_read": {table:
    #: rows read}}``; empty when the dataset was built by hand.
    provenance: dict[str, Any] = field(default_factory=dict)

    def has(self, table: str) -> bool:
        frame = getattr(self, table)
        return frame is not None and len(frame) > 0

    def skip_reason(self, analysis: str) -> tuple[str, dict[str, Any]] | None:
        """Why ``analysis`` cannot run, as a catalogue code (``skip.<code>``) and its values.

        Checks the tables of :data:`ANALYSIS_REQUIREMENTS` and the columns of
        :data:`ANALYSIS_COLUMNS` (personalization needs a product or a category column).
        None when the analysis can run.
        """
        for need in ANALYSIS_REQUIREMENTS[analysis]:
            options = need if isinstance(need, tuple) else (need,)
            if not any(self.has(t) for t in options):
                return "tables", {"analysis": analysis, "data_dir": str(self.quality.data_dir),
                                  "wanted": [f"{t}.csv" for t in options]}
        for table, alternatives in ANALYSIS_COLUMNS.get(analysis, {}).items():
            frame = getattr(self, table)
            if not any(c in frame and frame[c].notna().any() for c in alternatives):
                rep = self.quality.tables.get(table)
                file = Path(rep.file).name if rep else f"{table}.csv"
                return "columns", {"analysis": analysis, "file": file,
                                   "wanted": [f"'{c}'" for c in alternatives]}
        return None

    def missing_for(self, analysis: str, lang: str = "en") -> str | None:
        """Why ``analysis`` cannot run on this dataset (a sentence in ``lang``), or None."""
        from workbench.i18n import t

        reason = self.skip_reason(analysis)
        if reason is None:
            return None
        code, values = reason
        name = t(f"topic.{analysis}", lang)  # the report's title, as on the index
        wanted = (" or " if lang == "en" else " 或 ").join(values["wanted"])
        return t(f"skip.{code}", lang, **(values | {"analysis": name, "wanted": wanted}))

    @property
    def last_date(self) -> pd.Timestamp | None:
        """The last date seen: in transactions, else in feedback and events, else customers.

        The default ``as_of`` of the reports; a survey-only folder takes its answer dates.
        """
        groups = ((("transactions", "order_date"),),
                  (("feedback", "submitted_at"), ("events", "timestamp")),
                  (("customers", "signup_date"), ("customers", "churned_at")))
        for group in groups:
            candidates = []
            for table, col in group:
                frame = getattr(self, table)
                if frame is not None and col in frame and frame[col].notna().any():
                    candidates.append(frame[col].max())
            if candidates:
                return max(candidates).normalize()
        return None


# ---------------------------------------------------------------------------------- reading


def _is_utf8(raw: bytes) -> bool:
    """Whether ``raw`` is valid UTF-8; large files are checked by pyarrow without a text copy."""
    if len(raw) < 1 << 20:
        try:
            raw.decode("utf-8")
            return True
        except UnicodeDecodeError:
            return False
    offsets = pyarrow.py_buffer(np.array([0, len(raw)], dtype=np.int64))
    text = pyarrow.Array.from_buffers(pyarrow.large_string(), 1,
                                      [None, offsets, pyarrow.py_buffer(raw)])
    try:
        text.validate(full=True)
        return True
    except pyarrow.ArrowInvalid:
        return False


def _detect_encoding(raw: bytes, path: Path) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if _is_utf8(raw):
        return "utf-8"
    try:
        raw.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:200_000]).best()
    if best is None:
        raise DataError(
            f"{path}: cannot tell the text encoding (tried UTF-8, GBK/GB18030 and automatic "
            "detection). Save the file as UTF-8 CSV and try again."
        )
    return best.encoding


def _sniff_delimiter(text: str, suffix: str) -> str:
    if suffix == ".tsv":
        return "\t"
    sample = "\n".join(text[:SNIFF_CHARS].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        counts = {d: header.count(d) for d in ",\t;|"}
        return max(counts, key=counts.get) if max(counts.values()) else ","


#: How many lines at the top of a file may hold a title or export notes above the header.
HEADER_SEARCH_ROWS = 20

HeaderFinder = Callable[[list[list[Any]]], "int | None"]

_EXCEL_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # xlsx (zip), xls (OLE)


def read_table_file(
    path: Path, find_header: HeaderFinder | None = None
) -> tuple[pd.DataFrame, str | None, str | None]:
    """Read one file as it is: text cells for CSV/Excel, typed cells for Parquet.

    Returns the frame, the detected encoding and the delimiter. The frame's index is the row
    number as a spreadsheet shows it (header = row 1, or the header's row when lines above
    it were skipped; ``frame.attrs["header_row"]`` holds that row). ``find_header`` receives
    the first :data:`HEADER_SEARCH_ROWS` lines of a CSV or Excel file as lists of text cells
    and returns the index of the header line, or None when it sees none (the first line is
    then the header). An ``.xls`` that is really tab-separated text, as many back offices
    export it, is read as text.
    """
    suffix = path.suffix.lower()
    encoding = delimiter = None
    skip = 0
    try:
        raw = path.read_bytes() if suffix != ".parquet" else b""
        if suffix in (".xlsx", ".xls") and not raw.startswith(_EXCEL_MAGIC):
            if raw.lstrip()[:1] == b"<":
                raise DataError(
                    f"{path}: this '{suffix}' file is a web page (HTML), not a workbook. Open "
                    "it in Excel or WPS and save it as .xlsx (or CSV UTF-8), then try again."
                )
            suffix = ".txt"  # tab-separated text under an Excel name
        if suffix in (".csv", ".tsv", ".txt"):
            encoding = _detect_encoding(raw, path)
            source = _Utf8Source(raw, encoding)
            del raw
            delimiter = _sniff_delimiter(source.head(), suffix)
            if find_header is not None:
                delimiter, skip = _skip_to_header(source, delimiter, find_header)
            frame = _read_delimited(source, delimiter, path, skip)
        elif suffix in (".xlsx", ".xls"):
            cells = pd.read_excel(_io.BytesIO(raw), dtype=str, sheet_name=0, header=None)
            cells = cells.fillna("")
            if find_header is not None and len(cells):
                top = cells.head(HEADER_SEARCH_ROWS).to_numpy(dtype=object).tolist()
                skip = find_header(top) or 0
            header = cells.iloc[skip].tolist() if len(cells) else []
            frame = cells.iloc[skip + 1:].set_axis(_unique_headers(header), axis=1)
        elif suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:  # pragma: no cover - _discover_files reads only SUFFIXES
            raise DataError(f"{path}: unsupported file type {suffix}")
    except DataError:
        raise
    except ImportError:  # .xls needs xlrd, which is not a dependency
        raise DataError(
            f"{path}: old-style Excel (.xls) files cannot be read here. Open the file in "
            "Excel or WPS and save it as .xlsx (or CSV UTF-8), then try again."
        ) from None
    except (pd.errors.EmptyDataError, ValueError, OSError) as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: the file cannot be read as a table: {detail}") from None
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    frame.index = pd.RangeIndex(skip + 2, len(frame) + skip + 2)
    frame.attrs["header_row"] = skip + 1
    return frame, encoding, delimiter


def _explain_parser_error(
    exc: Exception, path: Path, text: str | None, delimiter: str | None, skip: int
) -> str:
    """Pandas' ``Error tokenizing data. C error: ...`` in plain words: file, line, expected."""
    message = str(exc)
    hint = (f"Text fields that contain the delimiter {delimiter!r}, quotes or line breaks must "
            'be put in double quotes ("slow, rude staff"), as Excel and most exports do with '
            "'CSV UTF-8'; export the file again that way or fix the line.")
    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if match:
        expected, line, seen = map(int, match.groups())
        return (f"{path}, line {line + skip}: expected {expected} fields as in the header, found "
                f"{seen}. {hint}")
    if "EOF" in message:
        opened, line = False, None
        for number, content in enumerate((text or "").split("\n"), start=1 + skip):
            if content.count('"') % 2:
                opened = not opened
                line = number if opened else None
        where = f", line {line}" if line else ""
        return (f"{path}{where}: a double quote opens a text field that is never closed, so "
                f"the rest of the file would be read as one value. {hint}")
    detail = message.strip().splitlines()[0] if message.strip() else type(exc).__name__
    detail = re.sub(r"^Error tokenizing data\. C error: ", "", detail)
    return f"{path}: the file cannot be read as a table: {detail}. {hint}"


#: How many characters at the top of a file the delimiter is sniffed from.
SNIFF_CHARS = 65536


class _Utf8Source:
    """A delimited file as UTF-8 bytes (from ``start`` on), decoded to text only where needed.

    UTF-8 files are used as read, past a byte-order mark; other encodings are decoded once and
    encoded as UTF-8, the bytes pandas' parser reads in any case. Only the top of the file is
    decoded to sniff the delimiter and find the header, so a large file is never held as text.
    """

    def __init__(self, raw: bytes, encoding: str) -> None:
        if encoding in ("utf-8", "utf-8-sig"):
            self.data, self.start = raw, 3 if encoding == "utf-8-sig" else 0
        else:
            self.data, self.start = raw.decode(encoding).encode("utf-8"), 0

    def head(self, lines: int = 0) -> str:
        """The text from ``start``: its first ``lines`` lines and SNIFF_CHARS characters more,
        or all of it."""
        size = 1 << 18
        while True:
            final = self.start + size >= len(self.data)
            text = codecs.getincrementaldecoder("utf-8")().decode(
                self.data[self.start:self.start + size], final=final)
            end = 0
            for _ in range(lines):
                end = text.find("\n", end) + 1
                if not end:
                    break
            if final or (end or not lines) and len(text) - end >= SNIFF_CHARS:
                return text
            size *= 4

    def skip(self, text: str) -> None:
        """Move ``start`` past ``text``, the top of :meth:`head`."""
        self.start += len(text.encode("utf-8"))

    def body(self) -> bytes:
        return self.data if self.start == 0 else self.data[self.start:]


def _skip_to_header(
    source: _Utf8Source, delimiter: str, find_header: HeaderFinder
) -> tuple[str, int]:
    """Cut the lines above the header; the delimiter is sniffed again below a title."""
    text = source.head(HEADER_SEARCH_ROWS)
    lines = text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS]
    # A title line can mislead the sniffer, so each usual delimiter gets its turn.
    for candidate in dict.fromkeys((delimiter, ",", "\t", ";", "|")):
        rows = [next(csv.reader([line], delimiter=candidate), []) for line in lines]
        skip = find_header(rows)
        if skip is not None:
            break
    if not skip:
        return delimiter, 0
    source.skip("".join(line + "\n" for line in lines[:skip]))
    return _sniff_delimiter(source.head(), ".tsv" if candidate == "\t" else ""), skip


def _unique_headers(header: list[Any]) -> list[str]:
    """Header cells as pandas names them: blanks ``Unnamed: i``, repeats ``name.1``."""
    names: list[str] = []
    for i, cell in enumerate(header):
        name = str(cell).strip() or f"Unnamed: {i}"
        base, n = name, 0
        while name in names:
            n += 1
            name = f"{base}.{n}"
        names.append(name)
    return names


def _read_delimited(
    source: _Utf8Source, delimiter: str, path: Path, skip: int = 0
) -> pd.DataFrame:
    """Parse CSV text into text cells; rows longer than the header are explained or trimmed.

    A delimiter at the end of every data line (common in exports) leaves empty fields beyond
    the header: they are dropped. Pandas would otherwise shift the columns by taking the first
    ones as the index, so customer ids would silently become dates.
    """
    frame = _read_delimited_fast(source, delimiter)
    if frame is not None:
        return frame
    options = {"sep": delimiter, "dtype": str, "keep_default_na": False,
               "skipinitialspace": True, "skip_blank_lines": True, "encoding": "utf-8"}
    try:
        frame = pd.read_csv(_io.BytesIO(source.body()), **options)
        if isinstance(frame.index, pd.RangeIndex):
            return frame
    except pd.errors.ParserError as exc:
        if "Expected" not in str(exc):
            text = source.body().decode("utf-8")
            raise DataError(_explain_parser_error(exc, path, text, delimiter, skip)) from None
    records = csv.reader(_io.StringIO(source.body().decode("utf-8")), delimiter=delimiter,
                         skipinitialspace=True)
    rows = [row for row in records if row]
    header, width = rows[0], len(rows[0])
    long = [(i + 2, row) for i, row in enumerate(rows[1:])
            if len(row) > width and any(cell.strip() for cell in row[width:])]
    if long:
        shown = "; ".join(f"row {n}: {delimiter.join(row)!r}" for n, row in long[:3])
        raise DataError(
            f"{path}: {len(long):,} row(s) have more fields than the header's {width} "
            f"({delimiter.join(header)!r}), e.g. {shown}. A value probably holds the delimiter "
            f"{delimiter!r} without quotes; quote it or export the file again."
        )
    trimmed = [row[:width] + [""] * (width - len(row)) for row in rows[1:]]
    return pd.DataFrame(trimmed, columns=header, dtype=str)


def _read_delimited_fast(source: _Utf8Source, delimiter: str) -> pd.DataFrame | None:
    """pyarrow's multithreaded reader, for files it reads exactly as pandas would; else None.

    pandas skips spaces at the start of a field and whitespace-only lines, names blank and
    repeated headers, pads short rows and stops at a quote never closed: a file where any of
    that can happen (a space or tab after a delimiter or at a line start, a blank or repeated
    header, rows of unequal length, an odd number of quotes) goes to pandas. Every cell is read as text, as pandas' ``dtype=str`` does.
    """
    data, start = source.data, source.start
    spaced = [(delimiter + " ").encode(), b"\n ", b"\r ", b"\n\t", b"\r\t"]
    if data[start:start + 1] in (b" ", b"\t") or any(data.find(s, start) >= 0 for s in spaced):
        return None
    if data.count(b'"', start) % 2:  # a quote never closed: pandas explains where
        return None
    top = source.head().split("\n", 50)[:50]
    width = max(line.count(delimiter) for line in top) + 1  # the first line's fields at least
    names = [f"f{i}" for i in range(width)]
    try:
        table = pa_csv.read_csv(
            pyarrow.BufferReader(pyarrow.py_buffer(data).slice(start)),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True,
                                            block_size=8 << 20),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pyarrow.string()), strings_can_be_null=False,
                quoted_strings_can_be_null=False, check_utf8=False),
        )
    except pyarrow.ArrowInvalid:
        return None
    header = [table.column(i)[0].as_py() for i in range(table.num_columns)]
    if (table.num_rows == 0 or table.num_columns > width or not all(header)
            or len(set(header)) < len(header)
            or not all(pyarrow.types.is_string(t) for t in table.schema.types)):
        return None
    frame = table.slice(1).to_pandas()
    frame.columns = header
    return frame


#: File types that hold tables but are not read; they are listed as unread with the reason.
_OTHER_TABLE_SUFFIXES = (".xlsm", ".xlsb", ".ods", ".numbers", ".json", ".jsonl", ".ndjson",
                         ".gz", ".zip", ".7z", ".rar", ".feather", ".arrow", ".sav", ".dta",
                         ".sqlite", ".db", ".dbf", ".xml")
_FILE_TABLES = {_n: table for table, names in FILE_ALIASES.items()
                for _n in (re.sub(r"[\s_\-]+", "", n).lower() for n in (table, *names))}


def _unread(code: str, file: str, **params: Any) -> dict[str, Any]:
    from workbench.i18n import t

    params = {"file": file, **params}
    return {"file": file, "reason": t(f"dq.unread.{code}", "en", **params), "code": code,
            "params": params}


def _discover_files(
    data_dir: Path, mapping: dict[str, Any]
) -> tuple[dict[str, Path], list[dict[str, Any]]]:
    """Which file holds which table, and the table-like files that are not read (and why).

    A file is a table's when its name (without extension, in any case) is the table's or one
    of :data:`workbench.schema.FILE_ALIASES` (``orders.csv``, ``订单.xlsx``, ``会员.csv``,
    ``nps.csv``, ...), or when ``mapping.yaml`` names it under ``files:``.
    """
    named = {str(k).strip(): str(v).strip() for k, v in (mapping.get("files") or {}).items()}
    names_lower = {p.name.lower(): p for p in data_dir.iterdir()}
    for file_name, table_name in named.items():
        if file_name.lower() not in names_lower:
            raise DataError(
                f"{mapping['_path']}: 'files: {file_name}: {table_name}' names a file that "
                f"is not in {data_dir} (it holds: {', '.join(sorted(names_lower)) or 'nothing'})."
            )
    named = {k.lower(): v for k, v in named.items()}
    found: dict[str, list[Path]] = {t: [] for t in TABLES}
    unread: list[dict[str, Any]] = []
    for path in sorted(data_dir.iterdir()):
        name = path.name
        if name.startswith((".", "~$")) or not path.is_file():
            continue  # hidden files, Excel's lock files, folders
        suffix = path.suffix.lower()
        if name.lower() in ("mapping.yaml", "mapping.yml"):
            continue
        table = named.get(name.lower()) or _FILE_TABLES.get(_norm(path.stem))
        if suffix in SUFFIXES and table:
            found[table].append(path)
        elif suffix in SUFFIXES:
            unread.append(_unread("unknown_name", name, tables=", ".join(TABLES)))
        elif suffix in _OTHER_TABLE_SUFFIXES:
            unread.append(_unread("unsupported_type", name, suffix=suffix))
    chosen: dict[str, Path] = {}
    for table, paths in found.items():
        if len(paths) > 1:
            names = ", ".join(p.name for p in paths)
            raise DataError(
                f"{data_dir}: several files for the {table} table ({names}); keep one."
            )
        if paths:
            chosen[table] = paths[0]
    return chosen, unread


def _check_mapping_sources(mapping: dict[str, Any], report: QualityReport) -> None:
    """Every column named in mapping.yaml is in a file read: a misspelt name is an error.

    Otherwise the entry would be ignored and the automatic detection might pick another column.
    """
    if "_path" not in mapping:
        return
    path = mapping["_path"]
    headers = {name: {_norm(h) for h in [*rep.column_map, *rep.extra_columns]}
               for name, rep in report.tables.items()}
    files = {name: Path(rep.file).name for name, rep in report.tables.items()}
    read = ", ".join(files.values()) or "no file"
    for src, dst in (mapping.get("columns") or {}).items():
        if not any(_norm(str(src).strip()) in h for h in headers.values()):
            raise DataError(
                f"{path}: the entry '{src}: {dst}' under 'columns:' names a column '{src}' that "
                f"is in none of the files read ({read}). Write the name as the file's header "
                "spells it, or remove the entry."
            )
    for table in TABLES:
        section = mapping.get(table) or {}
        for src, dst in (section.get("columns") or {}).items():
            if table not in report.tables:
                raise DataError(
                    f"{path}: the entry '{src}: {dst}' under '{table}: columns:' is for the "
                    f"{table} table, but {report.data_dir} has no {table} file (read: {read})."
                )
            if _norm(str(src).strip()) not in headers[table]:
                rep = report.tables[table]
                shown = ", ".join([*rep.column_map, *rep.extra_columns][:20])
                raise DataError(
                    f"{path}: the entry '{src}: {dst}' under '{table}: columns:' names a column "
                    f"'{src}' that {files[table]} does not have (its columns: {shown})."
                )


def _read_mapping(data_dir: Path, path: Path | None = None) -> dict[str, Any]:
    """The folder's ``mapping.yaml`` (or ``.yml``), or the mapping file ``path`` instead."""
    if path is not None:
        if not path.is_file():
            raise DataError(f"{path}: mapping file not found.")
    else:
        path = data_dir / "mapping.yaml"
        if not path.exists():
            path = data_dir / "mapping.yml"
            if not path.exists():
                return {}
    raw = path.read_bytes()
    try:  # Notepad on a Chinese Windows saves GBK: read it like the data files
        loaded = yaml.safe_load(raw.decode(_detect_encoding(raw, path))) or {}
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(loaded, dict):
        raise DataError(f"{path}: expected a mapping of names, got {type(loaded).__name__}.")
    _check_mapping_shape(loaded, path)
    loaded["_path"] = path
    return loaded


_MAPPING_EXAMPLE = {
    "columns": "columns:\n  客户ID: customer_id",
    "values": "values:\n  tier: {\"1\": 普通, \"2\": 白银}",
    "options": "options:\n  merge_same_day: true",
    "files": "files:\n  my_export.csv: transactions",
    "order": "order:\n  tier: [普通, 白银, 黄金, 铂金]",
}


def _check_mapping_shape(loaded: dict[str, Any], path: Path) -> None:
    """Every section of mapping.yaml is a mapping of the expected kind, or a DataError says so."""

    def need_dict(value: Any, where: str, kind: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise DataError(
                f"{path}: '{where}' must be a mapping of names, one 'name: value' per line, "
                f"got {type(value).__name__} {value!r}. Example:\n{_MAPPING_EXAMPLE[kind]}"
            )
        return value

    # ``tables:`` names the source table of each canonical table for database sources
    # (checked by workbench.engine.tables.read_mapping); a folder ignores it.
    known = ("columns", "values", "options", "files", "order", "tables", *TABLES)
    for file_name, table in need_dict(loaded.get("files"), "files", "files").items():
        if table not in TABLES:
            raise DataError(
                f"{path}: 'files: {file_name}: {table}' must name a table: one of "
                f"{', '.join(TABLES)}."
            )
    unknown = [str(k) for k in loaded if k not in known]
    if unknown:
        raise DataError(
            f"{path}: unknown section(s) {', '.join(unknown)}; the known sections are "
            f"{', '.join(known)}."
        )
    need_dict(loaded.get("options"), "options", "options")
    sections = [("", loaded)]
    for table in TABLES:
        section = loaded.get(table)
        if section is None:
            continue
        if not isinstance(section, dict):
            raise DataError(
                f"{path}: '{table}' must hold 'columns:' and/or 'values:', got "
                f"{type(section).__name__} {section!r}."
            )
        extra = [str(k) for k in section if k not in ("columns", "values", "order")]
        if extra:
            raise DataError(
                f"{path}: '{table}' may hold 'columns:', 'values:' and 'order:' only, not "
                f"{', '.join(extra)}."
            )
        sections.append((f"{table}.", section))
    for prefix, section in sections:
        for src, dst in need_dict(section.get("columns"), f"{prefix}columns", "columns").items():
            if not isinstance(dst, str) or not dst.strip():
                raise DataError(
                    f"{path}: '{prefix}columns: {src}' must name one canonical column, got "
                    f"{dst!r}."
                )
        for column, values in need_dict(section.get("values"), f"{prefix}values", "values").items():
            need_dict(values, f"{prefix}values.{column}", "values")
        for column, levels in need_dict(section.get("order"), f"{prefix}order", "order").items():
            if not isinstance(levels, list) or not levels:
                raise DataError(
                    f"{path}: '{prefix}order: {column}' must list the levels lowest first, got "
                    f"{levels!r}. Example:\n{_MAPPING_EXAMPLE['order']}"
                )


def _value_orders(mapping: dict[str, Any], frames: dict[str, pd.DataFrame | None]) -> dict[str, list[str]]:
    """Level orders mapping.yaml gives in ``order:`` (``order: {tier: [普通, 白银, 黄金]}``),
    lowest first. Charts, legends and tables show those levels in that order; without it, known
    ladders (普通 < 白银 < 黄金 < 铂金, bronze < silver < gold ...) are recognised. An entry naming
    a column that no table holds is an error naming the entry.
    """
    path = mapping.get("_path", "mapping.yaml")
    orders: dict[str, list[str]] = {}
    sections = [mapping] + [mapping.get(t) or {} for t in TABLES]
    for section in sections:
        for column, levels in (section.get("order") or {}).items():
            if not any(f is not None and column in f for f in frames.values()):
                raise DataError(f"{path}: 'order: {column}' names a column that no table holds; "
                                "check the spelling or map the column first.")
            orders[str(column)] = [str(v) for v in dict.fromkeys(levels)]
    return orders


# ----------------------------------------------------------------------------- mapping


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(name)).lower()


def _explicit_columns(table: Table, mapping: dict[str, Any]) -> dict[str, str]:
    """Source header -> canonical name as mapping.yaml states it for ``table``."""
    explicit: dict[str, str] = {}
    section = mapping.get(table.name) or {}
    for source in (mapping.get("columns") or {}, section.get("columns") or {}):
        explicit.update({str(k).strip(): str(v).strip() for k, v in source.items()})
    return explicit


def _header_finder(table: Table, mapping: dict[str, Any]) -> HeaderFinder:
    """Find the header line under a title or export notes (``订单报表``, ``导出时间: ...``).

    The header is the first line naming every required column of ``table`` (through
    mapping.yaml or the known aliases); when no line does, the first line stays the header
    and the missing-column message explains.
    """
    explicit = _explicit_columns(table, mapping)
    wanted = [
        {table[name].name, *explicit_sources, *table[name].aliases}
        for name in table.required
        for explicit_sources in [[s for s, d in explicit.items() if d == name]]
    ]
    wanted_norm = [{_norm(w) for w in names} for names in wanted]

    def names_all(cells: list[Any]) -> bool:
        normed = {_norm(str(c).strip().lstrip("\ufeff")) for c in cells}
        return all(normed & names for names in wanted_norm)

    def find(rows: list[list[Any]]) -> int | None:
        return next((i for i, row in enumerate(rows) if names_all(row)), None)

    return find


def _map_columns(
    frame: pd.DataFrame, table: Table, mapping: dict[str, Any], path: Path
) -> dict[str, str]:
    """Source header -> canonical name, from mapping.yaml first, then known aliases."""
    explicit = _explicit_columns(table, mapping)
    headers = list(frame.columns)
    result: dict[str, str] = {}
    normed_headers = {_norm(h): h for h in headers}
    for src, dst in explicit.items():
        if src not in headers:  # 'Order Date' in mapping.yaml finds 'order date' in the file
            src = normed_headers.get(_norm(src), src)
        if src not in headers or src in result:
            continue  # global mappings name columns of other tables too (checked afterwards)
        if dst not in table and not table.keep_extra_columns:
            raise DataError(
                f"{mapping['_path']}: '{src}: {dst}' maps to '{dst}', which is not a column of "
                f"the {table.name} table ({', '.join(table.names)})."
            )
        result[src] = dst
    taken = set(result.values())
    by_norm = {_norm(h): h for h in headers if h not in result}
    for column in table.columns:
        if column.name in taken:
            continue
        for candidate in (column.name, *column.aliases):
            header = by_norm.get(_norm(candidate))
            if header is not None and header not in result:
                result[header] = column.name
                taken.add(column.name)
                break
    duplicates = pd.Series(list(result.values()))
    duplicates = duplicates[duplicates.duplicated()].unique().tolist()
    if duplicates:
        sources = {d: [s for s, t in result.items() if t == d] for d in duplicates}
        detail = "; ".join(f"{d} <- {', '.join(s)}" for d, s in sources.items())
        raise DataError(f"{path}: several columns map to the same canonical column: {detail}.")
    missing = [c for c in table.required if c not in taken]
    if missing:
        shown = ", ".join(headers[:20]) + (" ..." if len(headers) > 20 else "")
        first = missing[0]
        named = [src for src, dst in explicit.items() if dst == first]
        if named:
            raise DataError(
                f"{mapping['_path']}: the entry '{named[0]}: {first}' names a column "
                f"'{named[0]}' that {path.name} does not have. The file's columns are: "
                f"{shown}. Write the column's name as the file's header spells it."
            )
        raise DataError(
            f"{path}: required column '{first}' is missing"
            + (f" (also: {', '.join(missing[1:])})" if missing[1:] else "")
            + f". The file's columns are: {shown}. Rename the column or add a line "
            f"'<your column>: {first}' under 'columns:' in mapping.yaml."
        )
    # The canonical order, whatever order mapping.yaml lists its columns in: the frames (and
    # what follows their column order, e.g. churn's snapshot attributes) do not depend on it.
    order = {name: i for i, name in enumerate(table.names)}
    return dict(sorted(result.items(), key=lambda item: order.get(item[1], len(order))))


def _check_repeated_headers(
    raw: pd.DataFrame, table: Table, column_map: dict[str, str], path: Path, rep: TableReport
) -> None:
    """Two columns with one header (``amount,amount``): which one holds the data is unclear.

    Pandas names the second ``amount.1``; a used column repeated is a DataError, a repeated
    column the table ignores only a warning.
    """
    headers = [str(h) for h in raw.columns]
    for position, header in enumerate(headers):
        match = re.fullmatch(r"(.+)\.(\d+)", header)
        base = match.group(1) if match and match.group(1) in headers else None
        if base is None and header in headers[:position]:
            base = header
        if base is None:
            continue
        first = headers.index(base) + 1
        used = base in column_map or table.keep_extra_columns
        text = (f"{path}: two columns have the same header '{base}' (columns {first} and "
                f"{position + 1})")
        if used:
            raise DataError(
                f"{text}, so it is not clear which one holds "
                f"{column_map.get(base, base)}. Rename or remove one of them in the file."
            )
        rep.warnings.append(LoadWarning.make("repeated_header", file=path.name, header=base,
                                             first=first, second=position + 1))


def _apply_value_mapping(
    frame: pd.DataFrame, table: Table, mapping: dict[str, Any]
) -> tuple[pd.DataFrame, set[str]]:
    """The frame with mapping.yaml's ``values:`` applied, and the names of the columns changed."""
    section = mapping.get(table.name) or {}
    changed: set[str] = set()
    for source in (mapping.get("values") or {}, section.get("values") or {}):
        for column, values in source.items():
            if column in frame and values:
                lookup = {str(k): v for k, v in values.items()}
                text = frame[column].astype("string").str.strip()
                frame[column] = text.map(lookup).fillna(text)
                changed.add(column)
    return frame, changed


def _duplicated_rows(raw: pd.DataFrame, distinct: dict[int, Distinct]) -> pd.Series:
    """``raw.duplicated(keep="first")`` from each column's codes (``distinct``: text columns
    already factorized, by position): the codes of a row are combined into one integer key."""
    key = np.zeros(len(raw), dtype=np.int64)
    size = 1
    for i in range(raw.shape[1]):
        if i in distinct:
            codes, k = distinct[i].codes, len(distinct[i].values)
        else:
            codes, uniques = pd.factorize(raw.iloc[:, i], use_na_sentinel=False)
            k = len(uniques)
        if size * k >= 1 << 62:  # renumber the keys seen so far before they overflow
            key, uniques = pd.factorize(key)
            size = len(uniques)
        key = key * k + codes
        size *= k
    return pd.Series(pd.Series(key).duplicated(keep="first").to_numpy(), index=raw.index,
                     copy=False)


# ---------------------------------------------------------------------------- coercion


def _infer_attribute(values: pd.Series) -> pd.Series:
    """Type an extra customer attribute: numbers and yes/no flags become usable features."""
    if not pd.api.types.is_string_dtype(values) and values.dtype != object:
        return values
    present = ~is_blank(values)
    if not present.any():
        return values
    numbers = parse_amounts(values)
    if numbers[present].notna().all():
        return numbers
    flags = parse_bools(values)
    if flags[present].notna().all():
        return flags
    text = values.astype("string").str.strip()
    return text.where(present).astype("str")


def _examples(mask: pd.Series) -> list[int]:
    return [int(i) for i in mask[mask].index[:N_EXAMPLES]]


def _first_value(values: pd.Series, mask: pd.Series) -> str:
    """The first value under ``mask``, as written in the file (for reason texts)."""
    return str(values[mask].iloc[0]).strip() if mask.any() else ""


def _describe(frame_raw: pd.Series, mask: pd.Series) -> str:
    rows = mask[mask].index[:3]
    return ", ".join(f"row {i}: {str(frame_raw.loc[i])!r}" for i in rows)


class _Loader:
    """Loads one table; collects set-aside reasons into the report."""

    def __init__(self, table: Table, path: Path, report: QualityReport, options: LoadOptions):
        self.table, self.path, self.report, self.options = table, path, report, options
        self.drop = pd.Series(dtype=bool)

    def set_aside(self, mask: pd.Series, code: str, column: str | None = None,
                  values_only: bool = False, **params: Any) -> None:
        n = int(mask.sum())
        if n:
            from workbench.i18n import t

            params = {"column": column, **params} if column else params
            self.report.set_aside.append(
                SetAside(self.table.name, t(f"reason.{code}", "en", **params), n,
                         _examples(mask), column, values_only, code, params)
            )

    def done(self) -> None:
        """Every row set aside is known: what was kept only to describe them can go."""

    def coerce(self, raw: pd.DataFrame, distinct: dict[str, Distinct] | None = None
               ) -> pd.DataFrame:
        """Parse every column; text is parsed once per distinct value (``distinct`` holds the
        columns already factorized, by name)."""
        out = pd.DataFrame(index=raw.index)
        drop = pd.Series(False, index=raw.index)
        for name in raw.columns:
            column = self.table._by_name.get(name)
            values = raw[name]
            parsed, placeholder, blank = self._parse_column(
                values, column, (distinct or {}).get(name))
            if column is None:
                out[name] = parsed
                continue
            unreadable = parsed.isna() & ~blank & ~placeholder
            if column.required:
                share = unreadable.mean() if len(values) else 0.0
                if share > MAX_UNREADABLE_SHARE:
                    raise DataError(
                        f"{self.path}: column '{name}' ({column.description or column.kind}): "
                        f"{share:.0%} of the values cannot be read as {column.kind}, e.g. "
                        f"{_describe(values, unreadable)}. Check the mapping for this column "
                        "or the file's format."
                    )
                self.set_aside(blank & ~drop, "empty", name)
                drop |= blank
                self.set_aside(unreadable & ~drop, "unreadable", name, kind=column.kind)
                drop |= unreadable
                self.set_aside(placeholder & ~drop, "date_out_of_range", name,
                               low=f"{PLAUSIBLE_DATES[0].year}", high=f"{PLAUSIBLE_DATES[1].year - 1}",
                               value=_first_value(values, placeholder))
                drop |= placeholder
                if column.kind == "datetime":
                    limit = self.latest_date()
                    future = (parsed > limit).fillna(False).astype(bool) & ~drop
                    self.set_aside(future, "date_future", name, limit=str(limit.date()),
                                   value=_first_value(values, future))
                    drop |= future
            else:
                self.set_aside(unreadable, "unreadable_value", name, values_only=True,
                               kind=column.kind)
                self.set_aside(placeholder, "date_placeholder", name, values_only=True,
                               value=_first_value(values, placeholder))
            out[name] = parsed
        self.drop = drop
        return out

    def _parse_column(
        self, values: pd.Series, column: Column | None, distinct: Distinct | None
    ) -> tuple[pd.Series, pd.Series, pd.Series]:
        """Parsed values and the masks of placeholder dates and blanks of one column."""
        if distinct is None and isinstance(values.dtype, pd.StringDtype):
            distinct = Distinct.of(values)
        subject = values if distinct is None else distinct.values
        placeholder = blank = pd.Series(False, index=subject.index)
        if column is None:
            parsed = _infer_attribute(subject)
        else:
            if column.kind == "datetime":
                parsed, placeholder = self._parse_dates(subject, column.name)
            else:
                parsed = self._parse(subject, column)
            blank = is_blank(subject)
        if distinct is None:
            return parsed, placeholder, blank
        return distinct.expand(parsed), distinct.expand(placeholder), distinct.expand(blank)

    def latest_date(self) -> pd.Timestamp:
        """The last plausible moment of a required date: the end of ``as_of``, else of today."""
        day = pd.Timestamp(self.options.as_of) if self.options.as_of else pd.Timestamp.today()
        return day.normalize() + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)

    def _parse_dates(self, values: pd.Series, name: str) -> tuple[pd.Series, pd.Series]:
        """Dates and the mask of placeholder dates; how day/month was decided goes to warnings."""
        result = read_dates(values, dayfirst=self.options.dayfirst)
        rep = self.report.tables.get(self.table.name)
        if rep is not None and result.decided_by == "default":
            rep.warnings.append(LoadWarning.make("dates_ambiguous", file=self.path.name,
                                                 column=name))
        if rep is not None and result.contradicting:
            order = "day_first" if result.dayfirst else "month_first"
            rep.warnings.append(LoadWarning.make(
                f"dates_contradict_{order}", file=self.path.name, column=name,
                n=len(result.contradicting),
                examples=", ".join(map(repr, result.contradicting[:3])),
            ))
        return result.dates, result.out_of_range

    def _parse(self, values: pd.Series, column: Column) -> pd.Series:
        kind = column.kind
        if kind == "id":
            return parse_ids(values)
        if kind == "datetime":
            return parse_dates(values, dayfirst=self.options.dayfirst)
        if kind == "float":
            return parse_amounts(values)
        if kind == "int":
            return parse_amounts(values).round().astype("Int64")
        if kind == "bool":
            return parse_bools(values)
        if kind == "score":
            return parse_scores(values, words=CSAT_WORDS if column.name == "csat" else None)
        text = values.astype("string").str.strip()
        return text.where(~is_blank(text)).astype("str")

    def validate(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Range and presence checks through pandera; failures set aside rows or values."""
        checks: dict[str, pa.Column] = {}
        for column in self.table.columns:
            if column.name not in frame:
                continue
            col_checks = []
            if column.valid_range is not None:
                col_checks.append(pa.Check.in_range(*column.valid_range))
            if column.kind == "float" and column.name == "amount":
                col_checks.append(pa.Check(np.isfinite, element_wise=False, name="finite"))
            checks[column.name] = pa.Column(
                nullable=not column.required, checks=col_checks, required=False
            )
        schema = pa.DataFrameSchema(checks, strict=False, coerce=False)
        try:
            schema.validate(frame, lazy=True, inplace=True)  # checks only: no copy of the frame
            return frame
        except pa.errors.SchemaErrors as exc:
            failures = exc.failure_cases
        failures = failures[failures["index"].notna()]
        for (column_name, check), group in failures.groupby(["column", "check"], sort=False):
            mask = pd.Series(False, index=frame.index)
            mask[group["index"].astype(int).unique()] = True
            column = self.table[column_name]
            if column.required:
                self.set_aside(mask & ~self.drop, "check_failed", column_name, check=check)
                self.drop |= mask
            else:
                rng = column.valid_range
                if rng:
                    self.set_aside(mask, "out_of_range", column_name, values_only=True,
                                   low=f"{rng[0]:g}", high=f"{rng[1]:g}")
                else:
                    self.set_aside(mask, "check_failed_value", column_name, values_only=True,
                                   check=check)
                frame.loc[mask, column_name] = np.nan
        return frame


def _load_table(
    table: Table, path: Path, mapping: dict[str, Any], options: LoadOptions, report: QualityReport
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    raw, encoding, delimiter = read_table_file(path, _header_finder(table, mapping))
    if len(raw) == 0:
        shown = ", ".join(map(str, list(raw.columns)[:12]))
        raise DataError(
            f"{path}: {path.name} has a header but no rows (columns: {shown}). Export the "
            f"{table.name} again with its rows, or move the file out of {path.parent} if there "
            "is no such data."
        )
    rep = TableReport(table.name, str(path), encoding, delimiter,
                      header_row=raw.attrs.get("header_row", 1), rows_read=len(raw))
    report.tables[table.name] = rep
    if rep.header_row > 1:
        rep.warnings.append(LoadWarning.make("header_below_title", file=path.name,
                                             row=rep.header_row, skipped=rep.header_row - 1))
    column_map = _map_columns(raw, table, mapping, path)
    rep.column_map = column_map
    _check_repeated_headers(raw, table, column_map, path, rep)
    status = None
    if table.name == "transactions":
        for header in raw.columns:
            if header not in column_map and _norm(header) in {_norm(a) for a in _STATUS_ALIASES}:
                status = raw[header].astype("string").str.strip().str.lower()
                break
    extras = [h for h in raw.columns if h not in column_map]
    rep.extra_columns = extras
    keep = list(column_map) + (extras if table.keep_extra_columns else [])
    mapped = raw[keep].rename(columns=column_map)
    mapped, value_mapped = _apply_value_mapping(mapped, table, mapping)
    by_position = {i: Distinct.of(raw.iloc[:, i]) for i in range(raw.shape[1])
                   if isinstance(raw.dtypes.iloc[i], pd.StringDtype)}
    headers = list(raw.columns)
    distinct = {column_map.get(headers[i], headers[i]): d for i, d in by_position.items()
                if headers[i] in keep}
    distinct = {name: d for name, d in distinct.items() if name not in value_mapped}

    # Duplicates first, while the parsed frame does not exist yet: the peak of memory is lower.
    dup = _duplicated_rows(raw, by_position) if options.drop_exact_duplicates else None
    loader = _Loader(table, path, report, options)
    frame = loader.coerce(mapped, distinct)
    del raw, mapped, distinct, by_position  # the text cells: only the parsed frame from here on
    if dup is not None:
        dup &= ~loader.drop
        loader.set_aside(dup, "duplicate")
        loader.drop |= dup
    frame = loader.validate(frame)
    return _finish_table(frame, loader, table, path, rep, status, options)


def _finish_table(
    frame: pd.DataFrame, loader: _Loader, table: Table, path: Path, rep: TableReport,
    status: pd.Series | None, options: LoadOptions,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The rules after parsing and validation (returns, repeated customers, subscription
    checks), then the kept rows and the table's report; shared with the engine loader
    (:mod:`workbench.engine.load`). ``frame`` is indexed by the source row."""
    returns = None
    if table.name == "transactions":
        frame, returns = _split_returns(frame, loader, status, options, rep)
    elif table.name == "customers":
        dup_id = frame["customer_id"].duplicated(keep="last") & ~loader.drop
        loader.set_aside(dup_id, "repeated_id", "customer_id")
        loader.drop |= dup_id
    elif table.name == "subscriptions":
        frame = _check_subscriptions(frame, loader, path)

    loader.done()
    frame = _keep_rows(frame, ~loader.drop)
    if table.name == "transactions":
        if "order_id" not in frame:
            frame.insert(1, "order_id", frame.index.astype(str))
            rep.warnings.append(LoadWarning.make("no_order_id", file=path.name))
        if options.merge_same_day:
            before = len(frame)
            frame = merge_same_day(frame)
            rep.warnings.append(LoadWarning.make("merged_same_day", file=path.name,
                                                 n=before - len(frame)))
        zero = int((frame["amount"] == 0).sum())
        if zero:
            rep.warnings.append(LoadWarning.make("zero_amount", file=path.name, n=zero))
    rep.rows_kept = len(frame)
    rep.missing_values = {
        c: int(n) for c, n in frame.isna().sum().items() if n and c in table
    }
    rep.customers = int(frame["customer_id"].nunique())
    date_col = next((c.name for c in table.columns if c.kind == "datetime" and c.required), None)
    date_col = date_col or ("signup_date" if "signup_date" in frame else None)
    if date_col and frame[date_col].notna().any():
        rep.date_min = str(frame[date_col].min().date())
        rep.date_max = str(frame[date_col].max().date())
    return frame.reset_index(names="source_row"), returns


def _keep_rows(frame: pd.DataFrame, keep: pd.Series) -> pd.DataFrame:
    """``frame[keep]``, each column filtered as an array (Arrow text by a filter, not a take
    of positions) and released once copied: a large table is not held twice (``frame`` is
    left without columns)."""
    mask = keep.to_numpy(dtype=bool)
    if mask.all():
        return frame
    import pyarrow

    index = frame.index[mask]
    columns = {}
    for name in list(frame.columns):
        columns[name] = pd.Series(frame.pop(name).array[mask], index=index, name=name,
                                  copy=False)
        pyarrow.default_memory_pool().release_unused()  # the column's text, freed
    return pd.DataFrame(columns, index=index, copy=False)


def _check_subscriptions(frame: pd.DataFrame, loader: _Loader, path: Path) -> pd.DataFrame:
    """Subscription periods checked by :func:`workbench.success.data.validate_subscriptions`.

    Rows it sets aside (no start, no MRR, negative MRR, an end before the start) are recorded
    like every other set-aside; overlapping periods of one subscription are a ``DataError``
    naming the rows. ``mrr`` is filled from ``arr`` / 12 where it is blank.
    """
    from workbench.success.data import SubscriptionError, validate_subscriptions

    kept = frame[~loader.drop].rename_axis("source_row").reset_index()
    try:
        _, set_aside = validate_subscriptions(kept)
    except SubscriptionError as exc:
        raise DataError(f"{path}: {exc}") from None
    for code in set_aside["reason"].unique():
        rows = set_aside.loc[set_aside["reason"] == code, "row"].astype(int)
        mask = pd.Series(frame.index.isin(rows), index=frame.index)
        loader.set_aside(mask, code)
        loader.drop |= mask
    if "arr" in frame:
        mrr = frame["mrr"] if "mrr" in frame else pd.Series(np.nan, index=frame.index)
        frame["mrr"] = mrr.fillna(frame["arr"] / 12.0)
    return frame


def _split_returns(
    frame: pd.DataFrame, loader: _Loader, status: pd.Series | None,
    options: LoadOptions, rep: TableReport,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    if not options.separate_returns:
        return frame, None
    kept = ~loader.drop
    negative = (frame["amount"] < 0) & kept
    cancelled = pd.Series(False, index=frame.index)
    if status is not None:
        cancelled = status.isin(options.cancelled_status).fillna(False).astype(bool) & kept
    prefixed = pd.Series(False, index=frame.index)
    if options.cancel_order_pattern and "order_id" in frame:
        order_id = frame["order_id"]
        if order_id.dtype != "str":  # ids are text (str) as parsed: no copy of a large column
            order_id = order_id.astype("string")
        prefixed = (
            order_id.str.contains(options.cancel_order_pattern, regex=True)
            .fillna(False).astype(bool) & kept
        )
        if prefixed.mean() > 0.5:
            rep.warnings.append(LoadWarning.make(
                "cancel_pattern_ignored", pattern=repr(options.cancel_order_pattern),
                share=float(prefixed.mean()),
            ))
            prefixed[:] = False
    is_return = negative | cancelled | prefixed
    loader.set_aside(negative, "return_negative", "amount")
    loader.set_aside(cancelled & ~negative, "return_status")
    loader.set_aside(prefixed & ~negative & ~cancelled, "return_prefix", "order_id")
    returns = frame[is_return]
    # the first that applies: a negative amount, then the status, then the order id
    reason = np.where(negative[is_return], "negative amount (return)",
                      np.where(cancelled[is_return], "status is cancelled or refunded",
                               "order id marks a cancellation"))
    returns = returns.assign(return_reason=pd.Series(reason, index=returns.index, dtype="str"))
    loader.drop |= is_return
    return frame, returns.reset_index(names="source_row")


def merge_same_day(transactions: pd.DataFrame) -> pd.DataFrame:
    """Merge the lines of one customer on one calendar day into one transaction.

    Amount, quantity and discount are summed; other columns keep the day's first value;
    ``order_date`` becomes the day and ``n_lines`` counts the merged lines.
    """
    frame = transactions.assign(order_date=transactions["order_date"].dt.normalize())
    sums = [c for c in ("amount", "quantity", "discount") if c in frame]
    firsts = [c for c in frame.columns if c not in sums and c not in ("customer_id", "order_date")]
    agg: dict[str, Any] = {c: "sum" for c in sums} | {c: "first" for c in firsts}
    grouped = frame.groupby(["customer_id", "order_date"], sort=False, as_index=False)
    merged = grouped.agg(agg)
    merged["n_lines"] = grouped.size()["size"].to_numpy()
    return merged[[c for c in transactions.columns if c in merged] + ["n_lines"]]


def _why_no_rows(report: QualityReport, table: str) -> str:
    """'no rows below the header' or 'all 2 rows set aside (amount is empty: 2)'."""
    rows_read = report.tables[table].rows_read
    if not rows_read:
        return "no rows below the header"
    reasons = [s for s in report.set_aside if s.table == table and not s.values_only]
    shown = "; ".join(f"{s.reason}: {s.rows:,}" for s in reasons)
    return f"all {rows_read:,} rows set aside ({shown})"


#: CSV and Parquet files of at least this many bytes (64 MiB, about 600,000 order lines) are
#: read and validated in DuckDB (:mod:`workbench.engine.load`) with the same rules and
#: messages, when they are clean UTF-8 with the header on the first line; smaller or messier
#: files (GBK, title lines above the header, Excel) are read here.
ENGINE_MIN_BYTES = 64 << 20


def load_dataset(data_dir: str | Path, *, mapping: str | Path | None = None,
                 **options: Any) -> Dataset:
    """Load a dataset folder into canonical frames and a :class:`QualityReport`.

    ``mapping`` names a mapping file used instead of the folder's own ``mapping.yaml``.
    Keyword arguments override the cleaning rules of :class:`LoadOptions` (which can also be
    set in ``mapping.yaml``). Large clean files (:data:`ENGINE_MIN_BYTES`) are validated in
    DuckDB, giving the same frames and report. Raises :class:`DataError` when the folder
    cannot be used.
    """
    return _load_folder(data_dir, mapping, options)


def _load_folder(data_dir: str | Path, mapping_file: str | Path | None, options: dict[str, Any],
                 *, engine: str = "duckdb", min_bytes: int | None = None,
                 spark: dict[str, str] | None = None, memory_limit: str | None = None
                 ) -> Dataset:
    """:func:`load_dataset`, each eligible file of at least ``min_bytes`` (default
    :data:`ENGINE_MIN_BYTES`) validated on ``engine`` (``duckdb`` or ``spark``)."""
    data_dir = Path(data_dir)
    if data_dir.is_file():
        raise DataError(
            f"{data_dir}: this is a file; give the folder that holds it instead (each file named "
            f"after its table: {', '.join(f'{t}.csv' for t in TABLES)}): {data_dir.parent}"
        )
    if not data_dir.is_dir():
        raise DataError(f"{data_dir}: no such data folder.")
    mapping = _read_mapping(data_dir, Path(mapping_file) if mapping_file is not None else None)
    base = LoadOptions.from_mapping(mapping.get("options") or {}, mapping.get("_path", data_dir))
    load_options = LoadOptions(**(asdict(base) | options))
    report = QualityReport(str(data_dir), options=asdict(load_options))
    frames: dict[str, pd.DataFrame | None] = {}
    returns = None
    files, report.unread_files = _discover_files(data_dir, mapping)
    if not files:
        present = sorted(p.name for p in data_dir.iterdir())
        raise DataError(
            f"{data_dir}: found neither transactions nor customers, feedback or events; the "
            f"folder holds: {', '.join(present) or 'nothing'}. Each file is named after its "
            f"table (transactions.csv, customers.xlsx, ...; also recognised: orders, 订单, 交易, "
            f"members, 会员, 客户, survey, nps, 反馈, 评价, events, 行为), or named under "
            f"'files:' in mapping.yaml (e.g. 'files: {{my_export.csv: transactions}}')."
        )
    threshold = ENGINE_MIN_BYTES if min_bytes is None else min_bytes
    engines: dict[str, str] = {}
    files_loader = None
    try:
        for name, table in TABLES.items():
            path = files.get(name)
            if path is None:
                frames[name] = None
                continue
            loaded = None
            if path.suffix.lower() in (".csv", ".parquet") and path.stat().st_size >= threshold:
                if files_loader is None:
                    from workbench.engine.load import FileLoader

                    files_loader = FileLoader(data_dir, engine, spark=spark,
                                              memory_limit=memory_limit)
                loaded = files_loader.load(table, path, mapping, load_options, report)
            if loaded is None:
                loaded = _load_table(table, path, mapping, load_options, report)
                engines[name] = "pandas"
            else:
                engines[name] = files_loader.engine
            frames[name] = loaded[0]
            if name == "transactions":
                returns = loaded[1]
    finally:
        if files_loader is not None:
            files_loader.close()
    used = {e for e in engines.values() if e != "pandas"}
    provenance = {"engine": used.pop() if used else "pandas", "source": str(data_dir),
                  "rows_read": {t: rep.rows_read for t, rep in report.tables.items()}}
    return finish_dataset(str(data_dir), mapping, load_options, report, frames, returns,
                          provenance, {t: str(p) for t, p in files.items()})


def finish_dataset(
    where: str, mapping: dict[str, Any], load_options: LoadOptions, report: QualityReport,
    frames: dict[str, pd.DataFrame | None], returns: pd.DataFrame | None,
    provenance: dict[str, Any], sources: dict[str, str],
) -> Dataset:
    """The checks across tables (mapping entries used, customers known, campaigns), and the
    :class:`Dataset`; shared by the folder loader and :func:`workbench.engine.load_source`.
    ``where`` names the folder or source and ``sources`` each table's file or table in
    messages."""
    for name in TABLES:
        frames.setdefault(name, None)
    _check_mapping_sources(mapping, report)
    for name, rep in report.tables.items():
        if rep.rows_kept == 0:  # a table always has rows read: a header alone is an error
            reasons = [{"code": s.code, "params": s.params, "rows": s.rows}
                       for s in report.set_aside if s.table == name and not s.values_only]
            rep.warnings.append(LoadWarning.make("all_rows_set_aside", file=Path(rep.file).name,
                                                 rows_read=rep.rows_read, reasons=reasons))
    if not report.usable:
        detail = "; ".join(f"{rep.file}: {_why_no_rows(report, t)}"
                           for t, rep in report.tables.items())
        raise DataError(f"{where}: no usable rows in any table. {detail}.")
    tx, cust = frames["transactions"], frames["customers"]
    if tx is not None and cust is not None:
        buyers = set(tx["customer_id"].unique())
        known = set(cust["customer_id"].unique())
        report.customers_without_transactions = len(known - buyers)
        report.transaction_customers_not_in_customers = len(buyers - known)
        if buyers - known:
            report.warnings.append(LoadWarning.make("unknown_customers", n=len(buyers - known)))
    elif cust is not None:
        report.customers_without_transactions = len(cust)
    dataset = Dataset(
        transactions=tx, customers=cust, feedback=frames["feedback"], events=frames["events"],
        returns=returns, quality=report, options=load_options,
        value_orders=_value_orders(mapping, {"transactions": tx, "customers": cust,
                                             "feedback": frames["feedback"],
                                             "events": frames["events"]}),
        subscriptions=frames["subscriptions"],
        provenance=provenance,
    )
    if frames["campaigns"] is not None:
        dataset.campaigns = _check_campaigns(frames["campaigns"], dataset.last_date,
                                             sources["campaigns"])
    return dataset


def _check_campaigns(frame: pd.DataFrame, last_date: pd.Timestamp | None, path: Path | str
                     ) -> pd.DataFrame:
    """The campaign log checked by :func:`workbench.campaigns.data.check_campaigns`: a customer
    in two arms of one campaign, or a ``sent_at`` after the data's last day, is a ``DataError``."""
    from workbench.campaigns.data import CampaignError, check_campaigns

    try:
        return check_campaigns(frame, last_date=last_date)
    except CampaignError as exc:
        raise DataError(f"{path}: {exc}") from None
