"""``workbench run``: execute the report notebooks with papermill and render them for people.

For each selected topic the runner executes ``notebooks/NN_topic.ipynb`` with the run's
parameters on the interpreter running the runner (a kernelspec pointing at ``sys.executable``
is put first on Jupyter's path, so no other environment's kernel can win), keeps the executed
notebook for analysts, renders a stakeholder HTML without code, merges each notebook's
``metrics/<topic>.json`` into ``metrics.json``, writes ``manifest.json`` and, last,
``index.html``. Every file is written atomically. A failing notebook is reported in the index
and the exit code; the other notebooks still run.

The data comes from any source :func:`workbench.engine.load_source` reads: a folder, a
database URL or a Parquet path or glob (``data``), with a mapping file (``mapping``), its
file and lake sources aggregated on DuckDB or Spark (``engine``, ``spark``). It is loaded once,
in a process of its own, and staged as Arrow files for every notebook; the password of a URL
never reaches a log, a report, the manifest or an error message.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import json
import multiprocessing
import os
import platform
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from workbench.changes import HEALTH_DROP, PreviousRunError
from workbench.forkserver import ForkedKernel, ForkServer, notebook_imports
from workbench.forkserver import die_with_parent as _die_with_parent
from workbench.i18n import t
from workbench.io import SUFFIXES, DataError
from workbench.outdir import OutdirError, staged_output
from workbench.registry import REPORTS, awaits_among, run_order, uses_among
from workbench.report import (
    DATASET_CACHE_ENV,
    RENDER_ENV,
    RUNNING_DIR,
    StagedDataset,
    load_for_run,
    log_path,
    metrics_dir,
    source_display,
    source_key,
    stage_dataset,
    without_password,
)
from workbench.results import CUSTOMER_RESULTS
from workbench.safety import atomic_write, usual_mode, write_csv, write_json

__all__ = ["NOTEBOOKS", "NotebookResult", "RunConfig", "RunSetupError", "check_engine",
           "default_jobs", "load_checked", "run", "run_from_args", "set_html_lang",
           "take_stderr_outputs"]

#: Topic -> notebook file stem, in report order (read from :mod:`workbench.registry`).
NOTEBOOKS: dict[str, str] = {report.topic: report.notebook for report in REPORTS}
PACKAGES = ("workbench", "pandas", "numpy", "scipy", "scikit-learn", "duckdb", "matplotlib",
            "pandera", "papermill", "nbconvert", "ipykernel")


#: The engine's expressions, which the analysis modules import on first use (0.6 s per kernel:
#: Ibis and sqlglot; then 0.15 s for Ibis' DuckDB backend, which ``ibis.duckdb`` imports only
#: on the first connection), imported once by the fork server.
ENGINE_MODULES = ("workbench.engine.aggregations", "workbench.engine.local",
                  "workbench.engine.stages", "ibis.backends.duckdb")


def default_notebooks_dir() -> Path:
    """The repository's ``notebooks/`` (editable install) or ``./notebooks``."""
    env = os.environ.get("WORKBENCH_NOTEBOOKS")
    if env:
        return Path(env)
    beside_package = Path(__file__).resolve().parents[2] / "notebooks"
    return beside_package if beside_package.is_dir() else Path.cwd() / "notebooks"


class RunConfig(BaseModel):
    """Settings of one run, from CLI flags and/or a run.yaml (flags win)."""

    model_config = ConfigDict(extra="forbid")

    #: a data folder, a database URL (``postgresql://user@host:5432/db?schema=crm``,
    #: ``duckdb:///path/file.duckdb``) or a Parquet file, folder or glob
    data: str
    out: Path
    #: the mapping file for the source; None: a folder's own ``mapping.yaml``
    mapping: Path | None = None
    #: where a folder or Parquet source is aggregated; a database source aggregates in place
    engine: Literal["duckdb", "spark"] = "duckdb"
    #: Spark session settings (``spark.master``, ``spark.remote`` and any other ``spark.*``);
    #: unset ones come from ``SPARK_MASTER`` / ``SPARK_REMOTE``, else ``local[*]``
    spark: dict[str, str] = Field(default_factory=dict)
    notebooks: list[str] | None = None  # None: every topic whose notebook exists
    lang: Literal["en", "zh"] = "en"
    as_of: date | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)
    #: notebooks run side by side; None: :func:`default_jobs` from cores, memory and data size
    jobs: int | None = Field(default=None, ge=1, le=16)
    seed: int = 0
    quiet: bool = False
    #: an earlier run's output folder to compare with (``exports/changes.csv``)
    previous: Path | None = None
    #: fall of a high-value customer's health score (points, 0-100) listed as ``health_fell``
    health_drop: float = Field(default=HEALTH_DROP, gt=0, le=100)
    notebooks_dir: Path = Field(default_factory=default_notebooks_dir)

    @model_validator(mode="before")
    @classmethod
    def _spark_keys_into_section(cls, values: Any) -> Any:
        """``spark.master: ...`` at the top of a run.yaml belongs to the ``spark`` section."""
        if isinstance(values, dict) and any(str(k).startswith("spark.") for k in values):
            values = dict(values)
            section = dict(values.get("spark") or {})
            for key in [k for k in values if str(k).startswith("spark.")]:
                section.setdefault(key, values.pop(key))
            values["spark"] = section
        return values

    @field_validator("data", mode="before")
    @classmethod
    def _spec_text(cls, value: Any) -> Any:
        if isinstance(value, Path):
            return str(value)
        if isinstance(value, str):
            if not value.strip():
                raise ValueError("name a data folder, a database URL or a Parquet path")
            return value.strip()
        return value

    @field_validator("spark", mode="before")
    @classmethod
    def _spark_names(cls, value: Any) -> Any:
        """``master`` and ``remote`` (a run.yaml's ``spark:`` section) mean ``spark.master``
        and ``spark.remote``; values become text, as Spark's settings are."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            # pydantic turns a ValueError (not a TypeError) into a validation message
            raise ValueError("expected settings such as {spark.master: 'local[*]'}")  # noqa: TRY004
        return {(k if str(k).startswith("spark.") else f"spark.{k}"): str(v)
                for k, v in value.items()}

    @field_validator("notebooks", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        return value

    @field_validator("notebooks")
    @classmethod
    def _known(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        unknown = [v for v in value if v not in NOTEBOOKS]
        if unknown:
            raise ValueError(f"unknown notebook(s) {', '.join(unknown)}; "
                             f"choose from {', '.join(NOTEBOOKS)}")
        return [topic for topic in NOTEBOOKS if topic in value]

    def selected(self) -> list[str]:
        """The topics to run, in report order."""
        if self.notebooks is not None:
            return self.notebooks
        return [tp for tp, stem in NOTEBOOKS.items()
                if (self.notebooks_dir / f"{stem}.ipynb").exists()]


@dataclass
class NotebookResult:
    topic: str
    status: Literal["ok", "failed", "skipped", "not_run"]
    html: str | None = None
    notebook: str | None = None
    started: str | None = None
    ended: str | None = None
    seconds: float = 0.0
    error: str | None = None
    #: stderr outputs (warnings) moved out of the HTML into ``logs/<topic>.log``
    stderr_blocks: int = 0


@dataclass
class RunResult:
    config: RunConfig
    results: list[NotebookResult] = field(default_factory=list)

    @property
    def failed(self) -> list[NotebookResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def _parse_parameter(text: str) -> tuple[str, Any]:
    if "=" not in text:
        raise ValueError(f"-p expects KEY=VALUE, got {text!r}")
    key, raw = text.split("=", 1)
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        value = raw
    if isinstance(value, (date, datetime)):
        value = raw
    return key.strip(), value


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def _install_kernelspec(folder: Path) -> None:
    """A ``python3`` kernelspec for this interpreter, first on Jupyter's search path."""
    spec_dir = folder / "kernels" / "python3"
    spec_dir.mkdir(parents=True, exist_ok=True)
    # Kernel log lines (transport warnings, shutdown notices) would clutter the progress
    # output; failures still surface through papermill's error.
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                     "--IPKernelApp.log_level=CRITICAL"],
            "display_name": "Python 3 (workbench)", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    existing = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(folder) + (os.pathsep + existing if existing else "")


_HTML_TAG = re.compile(r"<html\b[^>]*>", re.IGNORECASE)


def _html_lang(lang: str) -> str:
    return "zh-CN" if lang == "zh" else "en"


def set_html_lang(body: str, lang: str) -> str:
    """Declare the report language on the page's ``<html>`` tag, whatever nbconvert wrote."""
    return _HTML_TAG.sub(f'<html lang="{_html_lang(lang)}">', body, count=1)


def take_stderr_outputs(notebook: Any) -> list[str]:
    """Remove every stderr stream output from ``notebook`` (in place) and return its texts.

    Stakeholder HTML never shows stderr: warnings a notebook still raised go to the run log.
    """
    taken = []
    for cell in notebook.cells:
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                taken.append(str(output.get("text", "")))
            else:
                kept.append(output)
        if "outputs" in cell:
            cell["outputs"] = kept
    return taken


def _render_html(notebook_path: Path, html_path: Path, title: str, lang: str,
                 log_path: Path | None = None) -> int:
    """Write the stakeholder HTML of an executed notebook; returns the stderr blocks moved
    into ``log_path``."""
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    other = "zh" if lang == "en" else "en"
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {f"lang-{other}", "analyst-only"}
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    exporter = HTMLExporter(config=config, template_name="lab")
    notebook = nbformat.read(notebook_path, as_version=4)
    stderr = take_stderr_outputs(notebook)
    if stderr and log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("a", encoding="utf-8") as handle:
            handle.write("".join(f"[stderr of {notebook_path.name}]\n{text}\n" for text in stderr))
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": title}})
    with atomic_write(html_path, "w", encoding="utf-8") as handle:
        handle.write(set_html_lang(body, lang))
    return len(stderr)


def _kernel_manager_class(socket_dir: Path, log_path: Path, cwd: Path | None = None,
                          fork_server: ForkServer | None = None) -> type:
    """A kernel manager whose channels are Unix sockets with unique names, never TCP ports.

    jupyter_client picks TCP ports by binding and releasing them; two kernels started at once
    (``--jobs 2``) can be handed the same port, and the kernel's heartbeat thread then dies
    with ``ZMQError: Address already in use`` on the console. Unix sockets named after a UUID
    cannot collide. The kernel process's own stdout and stderr (not cell output) go to
    ``log_path`` instead of the console, and it starts in ``cwd``. On Linux it dies with the
    runner (:func:`_die_with_parent`). (papermill's own ``cwd``
    option changes the working directory of the whole runner process, which threads running
    side by side then restore in the wrong order, leaving the process in a deleted staging
    folder.) With a ``fork_server``, the kernel is a fork of a process that has already
    imported the notebooks' modules (:mod:`workbench.forkserver`); if it cannot, the kernel
    starts the usual way.
    """
    from jupyter_client import AsyncKernelManager

    class RunKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            if os.name == "posix":
                self.transport = "ipc"
                self.ip = str(socket_dir / f"k{uuid.uuid4().hex[:16]}")

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            if fork_server is not None and self.provisioner is not None:
                where = cwd or Path.cwd()
                pid = fork_server.spawn(kernel_cmd, env=kw.get("env") or dict(os.environ),
                                        cwd=where, log=log_path)
                if pid is not None:
                    provisioner: Any = self.provisioner
                    provisioner.process = ForkedKernel(pid)
                    provisioner.pid = provisioner.pgid = pid
                    provisioner.cwd = str(where)
                    self._reconcile_connection_info(provisioner.connection_info)
                    return
            with log_path.open("ab") as sink:
                kw.setdefault("stdout", sink)
                kw.setdefault("stderr", sink)
                if cwd is not None:
                    kw["cwd"] = str(cwd)
                if sys.platform.startswith("linux"):
                    kw.setdefault("preexec_fn", _die_with_parent)
                await super()._async_launch_kernel(kernel_cmd, **kw)

    return RunKernelManager


def _point_parameters_at(executed: Path, staging: Path, final: Path) -> None:
    """The executed notebook's injected parameters name the final folder, not the staging one."""
    import nbformat

    notebook = nbformat.read(executed, as_version=4)
    changed = False
    for cell in notebook.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.source.replace(str(staging), str(final))
            changed |= source != cell.source
            cell.source = source
    if changed:
        with atomic_write(executed, "w", encoding="utf-8") as handle:
            nbformat.write(notebook, handle)


@dataclass(frozen=True)
class _Paths:
    """Where a run writes: ``stage`` while it runs, swapped into ``final`` at the end."""

    stage: Path
    final: Path
    sockets: Path
    fork_server: ForkServer | None = None

    def log(self, topic: str) -> Path:
        return log_path(self.stage, topic)


def _run_options_for(source: Path, cfg: RunConfig) -> dict[str, Any]:
    """Run options a notebook takes only if its parameters cell declares them.

    ``previous`` (the earlier run's folder, "" for none) and ``health_drop`` (points) reach
    the reports that show what changed since the last run (00, 08); passing them to the
    others would make papermill warn about unknown parameters.
    """
    import papermill as pm

    options = {"previous": str(cfg.previous) if cfg.previous else "",
               "health_drop": float(cfg.health_drop)}
    declared = pm.inspect_notebook(str(source))
    return {name: value for name, value in options.items() if name in declared}


def _execute(topic: str, cfg: RunConfig, base_parameters: dict[str, Any], paths: _Paths,
             log: Any) -> NotebookResult:
    import papermill as pm

    stem = NOTEBOOKS[topic]
    source = cfg.notebooks_dir / f"{stem}.ipynb"
    executed = paths.stage / "notebooks" / f"{stem}.ipynb"
    html = paths.stage / f"{stem}.html"
    result = NotebookResult(topic, "ok", html=html.name, notebook=f"notebooks/{stem}.ipynb")
    if not source.exists():
        result.status, result.error = "failed", f"notebook {source} does not exist"
        log(f"  {topic}: FAILED ({result.error})")
        return result
    start = time.perf_counter()
    result.started = datetime.now().isoformat(timespec="seconds")
    executed.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{stem}.", suffix=".ipynb", dir=executed.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        pm.execute_notebook(
            str(source), str(tmp),
            parameters=base_parameters | _run_options_for(source, cfg) | cfg.parameters,
            kernel_name="python3", language="python", progress_bar=False, log_output=False,
            kernel_manager_class=_kernel_manager_class(paths.sockets, paths.log(topic),
                                                       cwd=paths.stage,
                                                       fork_server=paths.fork_server),
        )
    except pm.PapermillExecutionError as exc:
        result.status, result.error = "failed", f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # noqa: BLE001 - any failure must still leave a report behind
        result.status, result.error = "failed", f"{type(exc).__name__}: {exc}"
    try:
        if tmp.exists() and tmp.stat().st_size:
            os.chmod(tmp, usual_mode())
            os.replace(tmp, executed)
            _point_parameters_at(executed, paths.stage, paths.final)
            result.stderr_blocks = _render_html(executed, html, t(f"topic.{topic}", cfg.lang),
                                                cfg.lang, paths.log(topic))
        else:
            result.html = result.notebook = None
    finally:
        tmp.unlink(missing_ok=True)
    result.seconds = round(time.perf_counter() - start, 2)
    result.ended = datetime.now().isoformat(timespec="seconds")
    state = "done" if result.status == "ok" else f"FAILED: {result.error}"
    log(f"  {topic}: {state} ({result.seconds:.1f} s)")
    return result


def _close_thread_event_loop() -> None:
    """Close the event loop nbclient created for this worker thread (it never does)."""
    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        return
    if not loop.is_running() and not loop.is_closed():
        loop.close()
    asyncio.set_event_loop(None)


def _write_customer_table(dataset: StagedDataset, out: Path, lang: str) -> dict[str, Any]:
    """``exports/customers.csv``: one row per customer of the run, every shared result.

    Returns its ``metrics.json`` entry: the number of customers and, for each result the run
    did not produce, which columns are blank.
    """
    from workbench.results import customer_labels, customer_table, with_labels

    ids = dataset.customer_ids()
    if ids.empty:
        return {"customers": 0, "blank": {}}
    table, blank = customer_table(ids, out)
    labelled = with_labels(table, customer_labels(), lambda key: t(key, lang), lang)
    write_csv(labelled, out / "exports" / "customers.csv")
    return {"customers": len(table), "blank": blank}


def _write_changes(previous: Path, out: Path, metrics: dict[str, Any], lang: str,
                   health_drop: float = HEALTH_DROP) -> dict[str, Any]:
    """``exports/changes.csv`` against the run in ``previous``; returns its metrics entry."""
    from workbench.changes import compare_runs

    changes = compare_runs(previous, out, health_drop=health_drop, metrics_now=metrics)
    rows = changes.rows.copy()
    labels = {code: t(f"chg.code.{code}", lang, points=f"{health_drop:g}")
              for code in rows["change"].dropna().unique()}
    rows.insert(2, "change_label", rows["change"].map(labels).astype("string"))
    write_csv(rows, out / "exports" / "changes.csv")
    return changes.to_metrics()


def _merge_metrics(out: Path, customers: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every notebook's ``metrics/<topic>.json`` (and the customer table's entry), merged;
    the caller writes ``metrics.json`` once it is complete."""
    merged: dict[str, Any] = {}
    folder = metrics_dir(out)
    for topic in NOTEBOOKS:
        part = folder / f"{topic}.json"
        if part.exists():
            merged[topic] = json.loads(part.read_text(encoding="utf-8"))
    if customers is not None:
        merged["customers"] = customers
    return merged


#: Peak memory of one kernel: a fixed part (interpreter, pandas, scikit-learn, matplotlib)
#: plus a multiple of the dataset's in-memory size (the kernel's own copies of the numeric
#: columns and what the analyses derive from the data). Measured with
#: ``benchmarks/bench_suite.py`` (2026-12-03, the largest kernel is churn's): 2.03 GB for the
#: 200k demo (0.59 GB staged) and 7.40 GB for the 1M demo (2.96 GB), a line of 0.7 GB +
#: 2.27 x the data; the factor below keeps about 10 % over it.
KERNEL_MEMORY_BASE = 600 * 2**20
KERNEL_MEMORY_FACTOR = 2.5


def _available_memory() -> int | None:
    """``MemAvailable`` of /proc/meminfo in bytes (None where there is no such file)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def default_jobs(data_bytes: int, *, cores: int | None = None,
                 available: int | None = None) -> int:
    """Kernels to run side by side: one per core, as many as fit in 80 % of free memory.

    ``data_bytes`` is the dataset's in-memory size; ``available`` defaults to the system's
    available memory (bytes). Each kernel is assumed to need
    ``KERNEL_MEMORY_BASE + KERNEL_MEMORY_FACTOR * data_bytes``. Never below 1 or above 16.
    """
    cores = cores or os.cpu_count() or 1
    if available is None:
        available = _available_memory()
    fits = cores if available is None else int(
        0.8 * available // (KERNEL_MEMORY_BASE + KERNEL_MEMORY_FACTOR * data_bytes))
    return max(1, min(cores, fits, 16))


class RunSetupError(ValueError):
    """The run cannot start as configured (an engine that is not installed, or one that does
    not fit the source); the message says what to do."""


def check_engine(spec: str, engine: str) -> None:
    """Refuse, before any work, an engine that cannot aggregate ``spec``.

    ``spark`` needs pyspark (the extra ``workbench[spark]``) and a folder or Parquet source;
    a database source aggregates in its database. Raises :class:`RunSetupError`.
    """
    if engine != "spark":
        return  # an unknown engine is refused by RunConfig, --engine and load_source
    from workbench.engine import parse_source  # raises EngineError (a DataError)

    if parse_source(spec).is_database:
        raise RunSetupError(f"{source_display(spec)} is a database: it aggregates in its own "
                            "database, so --engine spark does not apply (it is for folders and "
                            "Parquet sources); leave --engine out")
    try:
        importlib.import_module("pyspark")
    except ImportError:
        from workbench.engine.spark import INSTALL_HINT

        raise RunSetupError(f"--engine spark: {INSTALL_HINT}. Without Spark, leave --engine out "
                            "to aggregate on DuckDB.") from None


def check_mapping(mapping: Path | str | None) -> None:
    """A mapping file that was named must exist (checked before the loader starts)."""
    if mapping is not None and not Path(mapping).is_file():
        raise RunSetupError(f"--mapping {mapping}: mapping file not found")


def load_checked(spec: str | Path, *, mapping: str | Path | None = None,
                 engine: str = "duckdb", spark: dict[str, str] | None = None) -> Any:
    """:func:`workbench.engine.load_source` after :func:`check_engine` and
    :func:`check_mapping`, in this process (``workbench validate``).

    Raises :class:`RunSetupError`, or ``DataError`` with a message that carries no password.
    """
    spec = str(spec).strip()
    check_engine(spec, engine)
    check_mapping(mapping)
    return load_for_run(spec, mapping=mapping, engine=engine, spark=spark)


def _loader_process(output: str) -> None:
    """Set up the loader's process: it dies with the runner (Linux), and whatever it prints
    (Spark's JVM, started from it, inherits these descriptors: its banner and log lines) goes
    to the file ``output`` instead of the console."""
    if sys.platform.startswith("linux"):
        _die_with_parent()
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    for target in (1, 2):
        os.dup2(fd, target)
    os.close(fd)


def _stage(data: str | Path, folder: Path, lang: str = "en", *, mapping: Path | None = None,
           engine: str = "duckdb", spark: dict[str, str] | None = None,
           output: Path | None = None) -> StagedDataset:
    """Load and validate the data once, in a process of its own, into ``folder``.

    Loading peaks at several times the data's size (text parsing, type checks, the quality
    report); done in a child process, that memory goes back to the system before the first
    kernel starts, and the runner keeps only a summary (:class:`StagedDataset`). What that
    process prints (Spark's JVM logs) goes to ``output`` (default: the console). Raises the
    loader's ``DataError``.
    """
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("spawn")  # no fork of a process that has threads
    try:
        # Like the kernels, the loader dies with the runner (a kill -9 leaves no orphan).
        initializer, initargs = _die_with_parent if sys.platform.startswith("linux") else None, ()
        if output is not None:
            initializer, initargs = _loader_process, (str(output),)
        with ProcessPoolExecutor(max_workers=1, mp_context=context,
                                 initializer=initializer, initargs=initargs) as pool:
            return pool.submit(stage_dataset, str(data), folder, lang, mapping=mapping,
                               engine=engine, spark=spark or None).result()
    except BrokenProcessPool as exc:
        raise DataError(f"{source_display(data)}: the process loading the data ended "
                        f"unexpectedly (out of memory?): {exc}") from None
    except DataError as exc:  # the loader's own messages carry no password; make sure
        cleaned = without_password(str(exc), data)
        if cleaned == str(exc):
            raise
        raise DataError(cleaned) from None


def _logger(cfg: RunConfig) -> Any:
    """The run's progress printer (silent with ``quiet``)."""

    def log(message: str) -> None:
        if not cfg.quiet:
            print(message, flush=True)

    return log


def run(cfg: RunConfig) -> RunResult:
    """Execute the configured notebooks and write reports, metrics, manifest and index.

    Everything is built in a staging folder beside ``cfg.out`` and swapped in when the run
    has finished (see :mod:`workbench.outdir`): a run that is killed or raises leaves the
    previous run whole. Raises ``DataError`` for unusable data and ``OutdirError`` for an
    output folder that cannot be used.

    The data is loaded once, in a child process, and staged as Arrow files that every kernel
    maps instead of holding its own copy (:func:`workbench.report.stage_dataset`).
    """
    log = _logger(cfg)
    check_engine(cfg.data, cfg.engine)  # before any work: raises RunSetupError
    check_mapping(cfg.mapping)
    cfg = cfg.model_copy(update={
        "data": _absolute(cfg.data), "out": cfg.out.resolve(),
        "mapping": cfg.mapping.resolve() if cfg.mapping is not None else None})
    if cfg.previous is not None:  # before any work: raises PreviousRunError
        from workbench.changes import check_previous

        cfg = cfg.model_copy(update={"previous": check_previous(cfg.previous)})
    topics = cfg.selected()
    run_start = time.perf_counter()
    started = datetime.now().isoformat(timespec="seconds")

    saved_env = {k: os.environ.get(k) for k in
                 ("JUPYTER_PATH", DATASET_CACHE_ENV, RENDER_ENV, "MPLBACKEND", "OMP_NUM_THREADS",
                  "OMP_WAIT_POLICY")}
    work = Path(tempfile.mkdtemp(prefix="workbench-run-"))
    try:
        staged = _stage(cfg.data, work / "dataset", cfg.lang, mapping=cfg.mapping,
                        engine=cfg.engine, spark=cfg.spark,
                        output=work / LOADER_LOG)  # raises DataError
        if cfg.jobs is None:
            cfg = cfg.model_copy(update={"jobs": default_jobs(staged.nbytes)})
        as_of = cfg.as_of.isoformat() if cfg.as_of else (
            staged.last_date.date().isoformat() if staged.last_date is not None else None)
        _install_kernelspec(work)
        os.environ[DATASET_CACHE_ENV] = str(staged.folder)
        os.environ[RENDER_ENV] = "1"
        os.environ.pop("MPLBACKEND", None)  # the kernel must use the inline backend
        # Kernels running side by side must share the cores: OpenMP threads that outnumber
        # them busy-wait, and a 6 s gradient-boosting fit was measured at 94 s that way.
        os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // cfg.jobs)))
        # ... and an idle OpenMP thread sleeps instead of spinning (KMeans with 2 threads: the
        # same centres and labels with about 15% less CPU)
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        sockets = work / "sockets"
        sockets.mkdir()
        # One process imports what the notebooks import; each kernel is a fork of it.
        fork_server = ForkServer(
            notebook_imports([cfg.notebooks_dir / f"{NOTEBOOKS[tp]}.ipynb" for tp in topics])
            + list(ENGINE_MODULES), log=work / "forkserver.log", preexec_fn=_die_with_parent)
        try:
            with staged_output(cfg.out) as stage:
                paths = _Paths(stage=stage, final=cfg.out, sockets=sockets,
                               fork_server=fork_server)
                _keep_loader_log(work / LOADER_LOG, stage, cfg.data)
                result = _run_notebooks(cfg, topics, staged, as_of, started, run_start, paths,
                                        log)
        finally:
            fork_server.close()
        log(f"workbench run: finished in {time.perf_counter() - run_start:.1f} s; "
            f"open {cfg.out / 'index.html'}")
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


#: What the loader's process printed (Spark's JVM: banner, log lines), under the run's logs/.
LOADER_LOG = "loader.log"


def _keep_loader_log(printed: Path, out: Path, data: str | Path) -> None:
    """``logs/loader.log`` in ``out``: what the loader's process printed, without the source's
    password; nothing when it printed nothing (a DuckDB or PostgreSQL load)."""
    if not printed.is_file() or printed.stat().st_size == 0:
        return
    text = without_password(printed.read_text(encoding="utf-8", errors="replace"), data)
    with atomic_write(log_path(out, "loader"), encoding="utf-8") as handle:
        handle.write(text)


def _loader_log_lines(out: Path) -> int:
    path = log_path(out, "loader")
    return len(path.read_text(encoding="utf-8").splitlines()) if path.is_file() else 0


def _run_notebooks(cfg: RunConfig, topics: list[str], dataset: StagedDataset,
                   as_of: str | None, started: str, run_start: float, paths: _Paths,
                   log: Any) -> RunResult:
    from workbench.index import write_index

    out = paths.stage
    # The notebooks see the source as the staged dataset names it: a URL without its password.
    base = {"data_dir": dataset.data_dir, "output_dir": str(out), "lang": cfg.lang,
            "as_of": as_of, "seed": cfg.seed}
    results: dict[str, NotebookResult] = {}
    runnable = []
    for topic in topics:
        reason = dataset.missing_for(topic, cfg.lang)
        if reason is not None:
            results[topic] = NotebookResult(topic, "skipped", error=reason)
            log(f"  {topic}: skipped ({reason})")
        else:
            runnable.append(topic)
    engine = dataset.provenance.get("engine", cfg.engine)
    log(f"workbench run: {len(runnable)} notebook(s) on {source_display(cfg.data)} -> {cfg.out} "
        f"(engine {engine}, lang {cfg.lang}, as of {as_of}, {cfg.jobs} job(s))")
    for unread in dataset.quality.unread_files:
        log(f"  {unread['file']} was not read: {unread['reason']}")

    def execute(topic: str) -> NotebookResult:
        try:
            return _execute(topic, cfg, base, paths, log)
        finally:
            _close_thread_event_loop()

    # exports/customers.csv is written by a thread of its own as soon as every report whose
    # results it joins has ended, beside the reports still running (actions, overview).
    feeding = {r.topic for r in REPORTS if set(r.produces) & CUSTOMER_RESULTS} & set(runnable)
    table_entry = _schedule(runnable, cfg.jobs, execute, out / RUNNING_DIR, log, results,
                            feeding, lambda: _write_customer_table(dataset, out, cfg.lang))
    metrics = _merge_metrics(out, table_entry)
    if cfg.previous is not None:
        metrics["changes"] = _write_changes(cfg.previous, out, metrics, cfg.lang,
                                            cfg.health_drop)
        log(f"  changes since {cfg.previous}: " + ", ".join(
            f"{code} {n}" for code, n in metrics["changes"]["counts"].items()))
    write_json(metrics, out / "metrics.json")
    ordered = [results[tp] for tp in topics]
    provenance = dataset.provenance
    manifest = {
        "workbench_run": {"started": started, "ended": datetime.now().isoformat(timespec="seconds"),
                          "seconds": round(time.perf_counter() - run_start, 2)},
        "parameters": _manifest_parameters(cfg) | {"as_of_resolved": as_of},
        # Where the data came from: the engine that read and aggregated it, the source without
        # its password and the rows read per table (before any row was set aside).
        "engine": provenance.get("engine", cfg.engine),
        "source": source_display(provenance.get("source") or cfg.data),
        "rows_read": dict(provenance.get("rows_read") or {}),
        # lines the loader's process printed (Spark's JVM), kept in logs/loader.log
        "loader_log_lines": _loader_log_lines(out),
        "inputs": _inputs(cfg),
        "versions": _versions(),
        "notebooks": [asdict(r) for r in ordered],
        "status": "failed" if any(r.status == "failed" for r in ordered) else "ok",
    }
    write_index(out, ordered, metrics, lang=cfg.lang, data_dir=Path(source_display(cfg.data)),
                as_of=as_of, quality=dataset.quality)
    write_json(manifest, out / "manifest.json")  # last: it marks the folder as a whole run
    return RunResult(cfg, ordered)


def _schedule(runnable: list[str], jobs: int, execute: Callable[[str], NotebookResult],
              marks: Path, log: Any, results: dict[str, NotebookResult], feeding: set[str],
              fed: Callable[[], Any]) -> Any:
    """Run the ``runnable`` reports, at most ``jobs`` at a time; returns what ``fed()`` returns.

    A report starts as soon as the reports whose results it uses have ended (failed ones too:
    it then reports their results as absent) and those it awaits have started, the longest
    chain of waiting reports first, so no core waits for a whole "wave" to end. While a report
    runs, ``marks/<topic>`` holds the runner's pid: a report that awaits it waits there for
    its result (:func:`workbench.report.await_producer`); the mark goes when the report has
    ended, however it ended, and ``marks`` goes when this returns or raises (Ctrl-C), so no
    kernel is left waiting. ``fed()`` runs in a thread of its own as soon as every topic of
    ``feeding`` has ended. ``results`` (topic -> result, skipped ones already in) is filled in.
    """
    waiting = run_order(runnable)
    running: dict[Future, str] = {}
    marks.mkdir(parents=True, exist_ok=True)

    def ready(topic: str) -> bool:
        started = set(results) | set(running.values())
        return not (uses_among(topic, runnable) - set(results)
                    or awaits_among(topic, runnable) - started)

    def start_ready(pool: ThreadPoolExecutor) -> None:
        # one at a time: a report that awaits another is ready once that one has started
        while len(running) < jobs:
            topic = next((tp for tp in waiting if ready(tp)), None)
            if topic is None:
                return
            waiting.remove(topic)
            (marks / topic).write_text(str(os.getpid()), encoding="utf-8")
            running[pool.submit(execute, topic)] = topic

    def ended_result(topic: str, future: Future) -> NotebookResult:
        try:
            return future.result()
        except Exception as exc:  # noqa: BLE001 - outside the notebook (a full disk, say)
            log(f"  {topic}: FAILED ({type(exc).__name__}: {exc})")
            return NotebookResult(topic, "failed", error=f"{type(exc).__name__}: {exc}")
        finally:
            (marks / topic).unlink(missing_ok=True)  # frees the reports that await it

    table: Future | None = None
    with ThreadPoolExecutor(max_workers=jobs) as pool, \
            ThreadPoolExecutor(max_workers=1) as table_pool:
        try:
            while waiting or running:
                if table is None and feeding <= set(results):
                    table = table_pool.submit(fed)
                start_ready(pool)
                ended, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in ended:
                    topic = running.pop(future)
                    results[topic] = ended_result(topic, future)
            return (table or table_pool.submit(fed)).result()
        finally:
            # before the pools wait for what still runs (Ctrl-C): no kernel may be left
            # waiting on a mark
            shutil.rmtree(marks, ignore_errors=True)


def _absolute(spec: str) -> str:
    """A folder or Parquet path or glob made absolute (the loader runs elsewhere); a URL as
    given."""
    return spec if "://" in spec else source_key(spec)


_SECRET_SETTING = re.compile(r"(?i)\b(token|password|secret)=([^;&\s]*)")


def _manifest_parameters(cfg: RunConfig) -> dict[str, Any]:
    """The run's settings for the manifest: the source and Spark settings without secrets."""
    params = json.loads(cfg.model_dump_json())
    params["data"] = source_display(cfg.data)
    params["spark"] = {
        key: "***" if re.search(r"(?i)token|password|secret", key)
        else _SECRET_SETTING.sub(r"\1=***", without_password(value, value))
        for key, value in cfg.spark.items()}
    return params


def _inputs(cfg: RunConfig) -> dict[str, dict[str, Any]]:
    """The input files of the run: SHA-256 and size of a folder's data and mapping files (by
    name) and of a ``--mapping`` file; size and modification time of the files a Parquet path
    or glob matches (hashing a lake would read all of it). A database has no input files:
    ``rows_read`` stands in."""
    found: dict[str, dict[str, Any]] = {}
    data = cfg.data
    if "://" not in data:
        path = Path(data)
        if path.is_dir():
            for p in sorted(path.iterdir()):
                if p.is_file() and (p.suffix.lower() in SUFFIXES or p.name.startswith("mapping.")):
                    found[p.name] = {"sha256": _sha256(p), "bytes": p.stat().st_size}
        else:
            import glob

            for name in sorted(glob.glob(str(path))):
                stat = Path(name).stat()
                found[name] = {"bytes": stat.st_size, "modified": datetime.fromtimestamp(
                    stat.st_mtime).isoformat(timespec="seconds")}
    if cfg.mapping is not None:
        found[str(cfg.mapping)] = {"sha256": _sha256(cfg.mapping),
                                   "bytes": cfg.mapping.stat().st_size}
    return found


def run_from_args(args: Any, data_dir: Path | str | None = None) -> int:
    """Build the config from CLI arguments (and --config YAML), run, and return the exit code."""
    settings: dict[str, Any] = {}
    if getattr(args, "config", None):
        path = Path(args.config)
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            print(f"workbench run: cannot read {path}: {exc}", file=sys.stderr)
            return 2
        if not isinstance(loaded, dict):
            print(f"workbench run: {path} must hold a mapping of settings", file=sys.stderr)
            return 2
        settings.update(loaded)
    try:
        cli_parameters = dict(_parse_parameter(p) for p in args.parameters)
    except ValueError as exc:
        print(f"workbench run: {exc}", file=sys.stderr)
        return 2
    if cli_parameters:
        settings["parameters"] = {**settings.get("parameters", {}), **cli_parameters}
    data = data_dir or getattr(args, "data", None)
    flags = {"data": data, "mapping": getattr(args, "mapping", None),
             "engine": getattr(args, "engine", None),
             "out": args.out or getattr(args, "out_default", None),
             "notebooks": args.notebooks, "lang": args.lang, "as_of": args.as_of,
             "jobs": args.jobs, "seed": args.seed, "quiet": args.quiet or None,
             "previous": getattr(args, "previous", None),
             "health_drop": getattr(args, "health_drop", None)}
    settings.update({k: v for k, v in flags.items() if v is not None})
    try:
        cfg = RunConfig(**settings)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'config'}: {e['msg']}"
                             for e in exc.errors())
        print(f"workbench run: invalid settings: {without_password(problems, str(data or ''))}",
              file=sys.stderr)
        return 2
    try:
        result = run(cfg)
    except RunSetupError as exc:
        print(f"workbench run: {exc}", file=sys.stderr)
        return 2
    except DataError as exc:
        print(f"workbench run: the data cannot be used.\n{without_password(str(exc), cfg.data)}",
              file=sys.stderr)
        return 2
    except OutdirError as exc:
        print(f"workbench run: {exc}", file=sys.stderr)
        return 2
    except PreviousRunError as exc:
        print(f"workbench run: cannot compare with the previous run: {exc}", file=sys.stderr)
        return 2
    for failure in result.failed:
        print(f"workbench run: notebook {failure.topic} failed: {failure.error}", file=sys.stderr)
    return result.exit_code
