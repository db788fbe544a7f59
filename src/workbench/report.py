"""What a report notebook calls: load the data, write text and tables safely, save results.

A notebook starts with ``ctx = report.start("topic", data_dir=..., ...)`` right after its
parameters cell, then uses ``ctx`` for every piece of output. All text from the data passes
through :func:`workbench.safety.escape_html` (masking phones, e-mails and ID numbers), so the
stakeholder HTML never carries raw markup or personal data from the data.
"""

from __future__ import annotations

import logging
import os
import pickle
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from workbench.i18n import t
from workbench.io import DataError, Dataset, load_dataset
from workbench.results import read_result, with_labels, write_result
from workbench.safety import escape_html, mask_frame, write_csv, write_json
from workbench.style import use_style

__all__ = [
    "DATASET_CACHE_ENV",
    "RENDER_ENV",
    "RUNNING_DIR",
    "ReportContext",
    "StagedDataset",
    "await_producer",
    "load_for_run",
    "log_path",
    "metrics_dir",
    "open_staged_dataset",
    "route_warnings_to_log",
    "source_display",
    "source_key",
    "stage_dataset",
    "start",
    "to_jsonable",
    "without_password",
]

#: Folder of the run's output where the runner marks each running report (a file named by its
#: topic, holding the runner's pid); see :meth:`ReportContext.result`.
RUNNING_DIR = ".running"

#: Set by ``workbench run`` for its kernels: widgets are skipped, static views shown.
RENDER_ENV = "WORKBENCH_RENDER"
#: Set by ``workbench run``: the folder where it staged the dataset it loaded once
#: (:func:`stage_dataset`); notebooks read the tables from there instead of loading again.
DATASET_CACHE_ENV = "WORKBENCH_DATASET_CACHE"

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def metrics_dir(output_dir: str | Path) -> Path:
    """Where each notebook writes its own part of ``metrics.json`` (merged by the runner)."""
    return Path(output_dir) / "metrics"


def to_jsonable(value: Any) -> Any:
    """Plain JSON values: NumPy scalars to numbers, NaN to None, timestamps to ISO dates."""
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, (pd.Timestamp,)):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if value is pd.NaT or value is None:
        return None
    return value


def _is_share(column: str) -> bool:
    return "share" in column or column.endswith(("_rate", "_pct"))


def _display(obj: Any) -> None:
    from IPython.display import display

    display(obj)


@dataclass
class ReportContext:
    """Everything a report notebook needs, resolved once from its parameters."""

    topic: str
    data_dir: Path
    output_dir: Path
    lang: str
    seed: int
    as_of: pd.Timestamp | None
    dataset: Dataset
    interactive: bool
    results_from: Path | None = None

    # ------------------------------------------------------------------ text
    def t(self, key: str, **values: Any) -> str:
        return t(key, self.lang, **values)

    def html_text(self, key: str, **values: Any) -> str:
        """Catalogue text as HTML; filled-in values are escaped and masked."""
        safe = {k: escape_html(v) for k, v in values.items()}
        return _BOLD.sub(r"<strong>\1</strong>", t(key, self.lang, **safe))

    def title(self) -> None:
        from IPython.display import HTML

        _display(HTML(f"<h1>{escape_html(self.t('topic.' + self.topic))}</h1>"))

    def heading(self, key: str, level: int = 2, **values: Any) -> None:
        from IPython.display import HTML

        _display(HTML(f"<h{level}>{self.html_text(key, **values)}</h{level}>"))

    def say(self, key: str, **values: Any) -> None:
        """A paragraph of generated narrative from the catalogue."""
        from IPython.display import HTML

        _display(HTML(f"<p>{self.html_text(key, **values)}</p>"))

    def bullets(self, items: Sequence[str]) -> None:
        """A bulleted list of plain sentences (escaped and masked here)."""
        from IPython.display import HTML

        _display(HTML("<ul>" + "".join(f"<li>{escape_html(i)}</li>" for i in items) + "</ul>"))

    # ------------------------------------------------------------------ tables and charts
    def table(self, frame: pd.DataFrame, *, headers: Mapping[str, str] | None = None,
              max_rows: int = 30, float_format: str = "{:,.2f}") -> None:
        """Show a table: personal data masked, every cell HTML-escaped, headers translated.

        ``headers`` maps column names to catalogue keys. Float columns whose name says they
        are a share or rate (``*share*``, ``*_rate``) are shown as percentages.
        """
        from IPython.display import HTML

        _display(HTML(self.table_html(frame, headers=headers, max_rows=max_rows,
                                      float_format=float_format)))

    def table_html(self, frame: pd.DataFrame, *, headers: Mapping[str, str] | None = None,
                   max_rows: int = 30, float_format: str = "{:,.2f}") -> str:
        shown = mask_frame(frame.head(max_rows))
        for column in shown.columns:
            values = shown[column]
            if pd.api.types.is_bool_dtype(values):
                continue
            if pd.api.types.is_integer_dtype(values):
                shown[column] = values.map("{:,}".format).astype(object)
            elif pd.api.types.is_float_dtype(values) and _is_share(str(column)):
                shown[column] = values.map(lambda v: "–" if pd.isna(v) else f"{v:.1%}").astype(object)
        if headers:
            shown = shown.rename(columns={c: self.t(k) for c, k in headers.items()})
        body = shown.to_html(
            index=False, escape=True, border=0, classes="wb-table", na_rep="–",
            float_format=lambda v: float_format.format(v),
        )
        note = ""
        if len(frame) > max_rows:
            shown_note = self.t("table.first_shown", rows=f"{len(frame):,}", shown=max_rows)
            note = f"<p class='wb-note'>{escape_html(shown_note)}</p>"
        return body + note

    def show(self, fig: Figure) -> None:
        """Display a figure and release it (figures are never left in pyplot's state)."""
        _display(fig)
        plt.close(fig)

    def kpis(self, items: Sequence[tuple[str, str, str]]) -> None:
        """KPI cards: (label, value, note), all plain text (escaped here)."""
        from IPython.display import HTML

        cards = "".join(
            "<div style='display:inline-block;min-width:180px;margin:6px;padding:10px 14px;"
            "border:1px solid #ddd;border-radius:8px;vertical-align:top'>"
            f"<div style='color:#555;font-size:0.9em'>{escape_html(label)}</div>"
            f"<div style='font-size:1.6em;font-weight:bold'>{escape_html(value)}</div>"
            f"<div style='color:#777;font-size:0.85em'>{escape_html(note)}</div></div>"
            for label, value, note in items
        )
        _display(HTML(f"<div>{cards}</div>"))

    def explore(self, build: Callable[[], Any]) -> None:
        """Show a widget in JupyterLab only; rendered reports rely on the static view."""
        if self.interactive:
            _display(build())

    # ------------------------------------------------------------------ results
    # These two return None on purpose: a notebook cell ending with them must not echo a path.
    def save_metrics(self, values: Mapping[str, Any]) -> None:
        """Write this notebook's part of ``metrics.json`` (plain JSON numbers)."""
        write_json(to_jsonable(dict(values)), metrics_dir(self.output_dir) / f"{self.topic}.json")

    def export(self, frame: pd.DataFrame, name: str | None = None, *,
               labels: Mapping[str, str] | None = None) -> None:
        """Write ``exports/<name or topic>.csv``: formula-safe, UTF-8 with BOM.

        ``labels`` maps code columns to catalogue key templates (``{"segment_cn8":
        "seg.cn8.{code}"}``); each gets a ``<column>_label`` column in the report language
        beside its stable code.
        """
        if labels:
            frame = with_labels(frame, dict(labels), self.t, self.lang)
        write_csv(frame, self.output_dir / "exports" / f"{name or self.topic}.csv")

    def save_result(self, name: str, frame: pd.DataFrame) -> None:
        """Write this run's shared result ``results/<name>.parquet`` (schema: ``workbench.results``)."""
        write_result(name, frame, self.output_dir)

    def result(self, name: str, compute: Callable[[], pd.DataFrame] | None = None
               ) -> pd.DataFrame | None:
        """A shared result: this run's, else the run named by ``results_from``, else computed.

        Later reports read what an earlier report of the run produced instead of recomputing
        it with other settings. Opened alone, a notebook points ``results_from`` at the last
        run's folder, or passes ``compute`` (the same function the producing report uses).
        A result of a report this one awaits is read once that report has ended.
        """
        await_producer(self.topic, self.output_dir, name)
        for folder in (self.output_dir, self.results_from):
            if folder is not None:
                found = read_result(name, folder)
                if found is not None:
                    return found
        return compute() if compute is not None else None


def await_producer(topic: str, output_dir: Path, name: str) -> None:
    """Wait while a report that ``topic`` awaits (registry) and that produces result ``name``
    is still running in the run writing ``output_dir``: the runner started ``topic`` beside it.
    A mark whose runner is gone (killed) is not waited for."""
    from workbench.registry import REPORTS, by_topic

    try:
        awaited = set(by_topic(topic).awaits)
    except KeyError:  # a notebook of no registered report
        return
    for report in REPORTS:
        if report.topic in awaited and name in report.produces:
            mark = Path(output_dir) / RUNNING_DIR / report.topic
            while _runner_alive(mark):
                time.sleep(0.1)


def _runner_alive(mark: Path) -> bool:
    """Whether ``mark`` exists and the runner whose pid it holds is alive."""
    try:
        pid = int(mark.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return True


def log_path(output_dir: str | Path, topic: str) -> Path:
    """The run log of one report: warnings raised while it ran, never shown to stakeholders."""
    return Path(output_dir) / "logs" / f"{topic}.log"


class _RunLogHandler(logging.FileHandler):
    """Marks the handler this module installed, so a second ``start`` replaces it."""


def route_warnings_to_log(path: Path) -> None:
    """Send warnings and library log records to ``path`` instead of the notebook's stderr.

    Used for rendered runs: a stakeholder report must never show a pink stderr block, while
    the analyst still finds every warning (sklearn, numpy, lifelines, matplotlib's findfont)
    in the run log.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _RunLogHandler) or (
                isinstance(handler, logging.StreamHandler)
                and getattr(handler, "stream", None) in (sys.stderr, sys.__stderr__)):
            root.removeHandler(handler)
    handler = _RunLogHandler(path, encoding="utf-8", delay=True)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    if root.level > logging.WARNING or root.level == logging.NOTSET:
        root.setLevel(logging.WARNING)
    logging.captureWarnings(True)


def _url_password(spec: str) -> str | None:
    """The password in a source URL (``scheme://user:password@host/...``), or None."""
    from urllib.parse import urlsplit

    if "://" not in spec:
        return None
    try:
        return urlsplit(spec).password
    except ValueError:  # a malformed port: redact() still removes user:password@
        return None


def without_password(text: str, spec: str | Path) -> str:
    """``text`` with the password of source ``spec`` (and of any URL in it) removed.

    Plain paths need no work (and no import of the engines).
    """
    text, spec = str(text), str(spec)
    secret = _url_password(spec)
    if secret is None and "://" not in text:
        return text
    from workbench.engine.sources import redact

    return redact(text, (secret,) if secret else ())


def source_display(spec: str | Path) -> str:
    """Source ``spec`` as logs, reports, the manifest and messages show it: without password."""
    text = str(spec).strip()
    return without_password(text, text)


def source_key(spec: str | Path) -> str:
    """How a run names its source to the notebooks (their ``data_dir``): the absolute path of
    a folder or of a Parquet path or glob, or the URL without its password."""
    text = str(spec).strip()
    if "://" in text:
        return source_display(text)
    return str(Path(text).expanduser().resolve())


def load_for_run(spec: str | Path, *, mapping: str | Path | None = None,
                 engine: str = "duckdb", spark: Mapping[str, str] | None = None) -> Dataset:
    """The dataset of source ``spec`` (:func:`workbench.engine.load_source`), as a run loads it.

    A data file given instead of its folder (``shop/transactions.csv``) gets the loader's
    explanation naming the folder, and a folder without CSV or Parquet files (Excel exports,
    or nothing usable) is read, or explained, by :func:`workbench.io.load_dataset`. Raises
    ``DataError`` with a message carrying no password.
    """
    from workbench.engine import load_source
    from workbench.engine.sources import FILE_SUFFIXES

    text = str(spec).strip()
    path = Path(text).expanduser()
    if "://" not in text and path.is_file() and path.suffix.lower() != ".parquet":
        return load_dataset(path)  # raises: "this is a file; give the folder that holds it"
    if "://" not in text and path.is_dir() and not any(
            p.suffix.lower() in FILE_SUFFIXES for p in path.iterdir()):
        return load_dataset(path, mapping=mapping)
    try:
        return load_source(text, mapping=mapping, engine=engine,
                           spark=dict(spark) if spark else None)
    except DataError as exc:
        cleaned = without_password(str(exc), text)
        if cleaned == str(exc):
            raise
        raise DataError(cleaned) from None


#: The tables of a :class:`~workbench.io.Dataset`, in the order the runner stages them.
_TABLES = ("transactions", "customers", "feedback", "events", "returns", "subscriptions",
           "campaigns")


@dataclass
class StagedDataset:
    """What ``workbench run`` needs to know of a dataset it staged for its kernels.

    The frames themselves stay in the staged folder (:func:`stage_dataset`); the runner keeps
    only this summary, so it never holds a copy of the data while the kernels run.
    """

    folder: Path
    data_dir: str
    quality: Any  # workbench.io.QualityReport
    last_date: pd.Timestamp | None
    #: topic -> why it cannot run on this data (a sentence in the run's language), or None
    missing: dict[str, str | None]
    #: in-memory size of all frames in bytes (pandas ``memory_usage(deep=True)``)
    nbytes: int
    #: rows per staged table
    rows: dict[str, int]
    #: where the frames came from (``Dataset.provenance``: engine, source without password,
    #: rows read per table), for the run manifest
    provenance: dict[str, Any] = field(default_factory=dict)

    def missing_for(self, topic: str, lang: str = "en") -> str | None:
        return self.missing.get(topic)

    def customer_ids(self) -> pd.Series:
        """Every customer id of the run (customers and transactions), each once."""
        path = self.folder / "customer_ids.arrow"
        return _read_arrow(path)["customer_id"] if path.exists() else pd.Series(dtype="string")


def _write_frame(frame: pd.DataFrame, folder: Path, name: str) -> str:
    """Write one frame as an uncompressed Arrow IPC file (memory-mappable); a pickle only for
    a frame Arrow cannot hold (mixed object columns). Returns the file name."""
    import pyarrow as pa
    from pyarrow import ipc

    try:
        table = pa.Table.from_pandas(frame)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        with open(folder / f"{name}.pkl", "wb") as handle:
            pickle.dump(frame, handle, protocol=pickle.HIGHEST_PROTOCOL)
        return f"{name}.pkl"
    with pa.OSFile(str(folder / f"{name}.arrow"), "wb") as sink, \
            ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return f"{name}.arrow"


def _read_arrow(path: Path) -> pd.DataFrame:
    """A staged frame: text columns stay in the memory-mapped file (shared by every kernel
    and read-only, as pandas' Arrow-backed strings are anyway); all other columns are
    copied into writable memory, so a notebook may still assign into them."""
    import pyarrow as pa
    from pyarrow import ipc

    table = ipc.open_file(pa.memory_map(str(path))).read_all()
    frame = table.to_pandas()
    for column in frame.columns:
        values = frame[column]
        if not isinstance(values.dtype, (pd.StringDtype, pd.ArrowDtype)):
            frame[column] = values.copy(deep=True)
    return frame


def stage_dataset(data_dir: str | Path, folder: str | Path, lang: str = "en", *,
                  mapping: str | Path | None = None, engine: str = "duckdb",
                  spark: Mapping[str, str] | None = None) -> StagedDataset:
    """Load source ``data_dir`` once and write it into ``folder`` for the kernels of a run.

    ``data_dir`` is any source :func:`workbench.engine.load_source` reads (a folder, a
    database URL, a Parquet path or glob), with the mapping file ``mapping`` (default: a
    folder's own ``mapping.yaml``), aggregated on ``engine`` (``spark`` with the session
    settings ``spark``). Each table becomes ``folder/<table>.arrow`` (Arrow IPC, read
    memory-mapped by :func:`open_staged_dataset`), the rest of the
    :class:`~workbench.io.Dataset` (quality report, options, value orders, provenance)
    ``folder/dataset.pkl``; the source is recorded by :func:`source_key`, without password.
    Meant to run in a process of its own (the runner's loader process): loading peaks at
    several times the data's size, and that memory goes back to the system when the process
    ends. Raises ``DataError``.
    """
    from dataclasses import replace

    from workbench.registry import topics

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    spec = str(data_dir).strip()
    data_dir = source_key(spec)
    dataset = load_for_run(spec if "://" in spec else data_dir, mapping=mapping, engine=engine,
                           spark=spark)
    missing = {topic: dataset.missing_for(topic, lang) for topic in topics()}
    files, rows, nbytes = {}, {}, 0
    ids = [frame["customer_id"] for frame in (dataset.customers, dataset.transactions)
           if frame is not None and "customer_id" in frame]
    if ids:
        unique = pd.Series(pd.unique(pd.concat(ids, ignore_index=True)), dtype="string")
        _write_frame(pd.DataFrame({"customer_id": unique}), folder, "customer_ids")
    for name in _TABLES:
        frame = getattr(dataset, name)
        if frame is None:
            continue
        files[name] = _write_frame(frame, folder, name)
        rows[name] = len(frame)
        nbytes += int(frame.memory_usage(deep=True).sum())
    meta = replace(dataset, **dict.fromkeys(_TABLES))
    with open(folder / "dataset.pkl", "wb") as handle:
        pickle.dump({"data_dir": data_dir, "dataset": meta, "files": files}, handle,
                    protocol=pickle.HIGHEST_PROTOCOL)
    provenance = dict(dataset.provenance)
    if provenance.get("source"):
        provenance["source"] = without_password(str(provenance["source"]), spec)
    return StagedDataset(folder=folder, data_dir=data_dir, quality=dataset.quality,
                         last_date=dataset.last_date, missing=missing, nbytes=nbytes,
                         rows=rows, provenance=provenance)


class _LazyTables:
    """Reads each staged table on first use (a report that never touches ``events`` never
    maps it)."""

    def __init__(self, folder: Path, files: Mapping[str, str]):
        self.folder, self.files, self.frames = folder, dict(files), {}

    def get(self, name: str) -> pd.DataFrame | None:
        if name not in self.frames:
            file = self.files.get(name)
            if file is None:
                self.frames[name] = None
            elif file.endswith(".pkl"):
                with open(self.folder / file, "rb") as handle:
                    self.frames[name] = pickle.load(handle)
            else:
                self.frames[name] = _read_arrow(self.folder / file)
        return self.frames[name]


def _staged_property(name: str) -> property:
    def get(self: Any) -> pd.DataFrame | None:
        return self._tables.get(name)

    def put(self: Any, value: pd.DataFrame | None) -> None:
        self._tables.frames[name] = value

    return property(get, put)


class _StagedFrames(Dataset):
    """A :class:`~workbench.io.Dataset` whose frames come from a staged folder, lazily."""

    _tables: _LazyTables

    def __reduce__(self) -> tuple[Any, ...]:  # pickles as a plain Dataset with its frames
        from dataclasses import fields

        return (Dataset, tuple(getattr(self, f.name) for f in fields(Dataset)))


for _name in _TABLES:
    setattr(_StagedFrames, _name, _staged_property(_name))


def open_staged_dataset(folder: str | Path) -> tuple[str, Dataset]:
    """The data folder and the dataset :func:`stage_dataset` wrote into ``folder``."""
    from dataclasses import fields

    folder = Path(folder)
    with open(folder / "dataset.pkl", "rb") as handle:
        meta = pickle.load(handle)
    dataset = _StagedFrames.__new__(_StagedFrames)
    dataset._tables = _LazyTables(folder, meta["files"])
    for f in fields(Dataset):
        if f.name not in _TABLES:
            setattr(dataset, f.name, getattr(meta["dataset"], f.name))
    return meta["data_dir"], dataset


def _cached_dataset(data_dir: str | Path) -> Dataset | None:
    """The dataset ``workbench run`` already loaded for this source, if any."""
    cache = os.environ.get(DATASET_CACHE_ENV)
    if not cache or not (Path(cache) / "dataset.pkl").exists():
        return None
    staged_dir, dataset = open_staged_dataset(cache)
    return dataset if staged_dir == source_key(data_dir) else None


def start(topic: str, *, data_dir: str | Path, as_of: str | None = None, lang: str = "en",
          output_dir: str | Path = "reports/dev", seed: int = 0,
          load_options: Mapping[str, Any] | None = None,
          results_from: str | Path | None = None,
          mapping: str | Path | None = None) -> ReportContext:
    """Load the data and set up style and language for a report notebook.

    ``data_dir`` is a data folder or, opened alone, any source of
    :func:`workbench.engine.load_source` (a database URL, a Parquet path or glob) with the
    mapping file ``mapping``; under ``workbench run`` the dataset the run staged is used.
    ``as_of`` defaults to the last date in the data. Raises the loader's ``DataError`` with
    its message when the data cannot be used.
    """
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
    if os.environ.get(RENDER_ENV) == "1":
        route_warnings_to_log(log_path(output_dir, topic))
    use_style()
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            shell.run_line_magic("matplotlib", "inline")
    except ImportError:  # pragma: no cover - IPython always present with the kernel
        pass
    dataset = _cached_dataset(data_dir) if not load_options else None
    if dataset is None and (load_options or Path(data_dir).is_dir()) and "://" not in str(data_dir):
        dataset = load_dataset(data_dir, mapping=mapping, **dict(load_options or {}))
    elif dataset is None:
        dataset = load_for_run(data_dir, mapping=mapping)
    as_of_ts = pd.Timestamp(as_of).normalize() if as_of else dataset.last_date
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    return ReportContext(
        topic=topic, data_dir=Path(data_dir), output_dir=output, lang=lang, seed=int(seed),
        as_of=as_of_ts, dataset=dataset, interactive=os.environ.get(RENDER_ENV) != "1",
        results_from=Path(results_from) if results_from else None,
    )
