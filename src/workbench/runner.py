"""``workbench run``: execute the report notebooks with papermill and render them for people.

For each selected topic the runner executes ``notebooks/NN_topic.ipynb`` with the run's
parameters on the interpreter running the runner (a kernelspec pointing at ``sys.executable``
is put first on Jupyter's path, so no other environment's kernel can win), keeps the executed
notebook for analysts, renders a stakeholder HTML without code, merges each notebook's
``metrics/<topic>.json`` into ``metrics.json``, writes ``manifest.json`` and, last,
``index.html``. Every file is written atomically. A failing notebook is reported in the index
and the exit code; the other notebooks still run.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import pickle
import platform
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from workbench.i18n import t
from workbench.io import SUFFIXES, DataError, load_dataset
from workbench.report import DATASET_CACHE_ENV, RENDER_ENV, metrics_dir
from workbench.safety import atomic_write, write_json

__all__ = ["NOTEBOOKS", "NotebookResult", "RunConfig", "run", "run_from_args"]

#: Topic -> notebook file stem, in report order.
NOTEBOOKS: dict[str, str] = {
    "overview": "00_overview",
    "data_quality": "01_data_quality",
    "segmentation": "02_segmentation",
    "lifecycle": "03_lifecycle",
    "clv": "04_clv",
    "churn": "05_churn",
    "feedback": "06_feedback",
    "personalization": "07_personalization",
}
#: Topics that read the other topics' metrics, so they run after them.
RUN_LAST = ("overview",)
PACKAGES = ("workbench", "pandas", "numpy", "scipy", "scikit-learn", "duckdb", "matplotlib",
            "pandera", "papermill", "nbconvert", "ipykernel")


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

    data: Path
    out: Path
    notebooks: list[str] | None = None  # None: every topic whose notebook exists
    lang: Literal["en", "zh"] = "en"
    as_of: date | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)
    jobs: int = Field(default=2, ge=1, le=16)
    seed: int = 0
    quiet: bool = False
    notebooks_dir: Path = Field(default_factory=default_notebooks_dir)

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


def _render_html(notebook_path: Path, html_path: Path, title: str, lang: str) -> None:
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
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": title}})
    body = body.replace("<html>", f'<html lang="{"zh-CN" if lang == "zh" else "en"}">', 1)
    with atomic_write(html_path, "w", encoding="utf-8") as handle:
        handle.write(body)


def _execute(topic: str, cfg: RunConfig, base_parameters: dict[str, Any],
             log: Any) -> NotebookResult:
    import papermill as pm

    stem = NOTEBOOKS[topic]
    source = cfg.notebooks_dir / f"{stem}.ipynb"
    executed = cfg.out / "notebooks" / f"{stem}.ipynb"
    html = cfg.out / f"{stem}.html"
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
            str(source), str(tmp), parameters=base_parameters | cfg.parameters,
            kernel_name="python3", language="python", progress_bar=False, log_output=False,
            cwd=str(cfg.out),
        )
    except pm.PapermillExecutionError as exc:
        result.status, result.error = "failed", f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # noqa: BLE001 - any failure must still leave a report behind
        result.status, result.error = "failed", f"{type(exc).__name__}: {exc}"
    try:
        if tmp.exists() and tmp.stat().st_size:
            os.replace(tmp, executed)
            _render_html(executed, html, t(f"topic.{topic}", cfg.lang), cfg.lang)
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


def _merge_metrics(out: Path) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    folder = metrics_dir(out)
    for topic in NOTEBOOKS:
        part = folder / f"{topic}.json"
        if part.exists():
            merged[topic] = json.loads(part.read_text(encoding="utf-8"))
    write_json(merged, out / "metrics.json")
    return merged


def run(cfg: RunConfig) -> RunResult:
    """Execute the configured notebooks and write reports, metrics, manifest and index."""

    def log(message: str) -> None:
        if not cfg.quiet:
            print(message, flush=True)

    cfg = cfg.model_copy(update={"data": cfg.data.resolve(), "out": cfg.out.resolve()})
    topics = cfg.selected()
    run_start = time.perf_counter()
    started = datetime.now().isoformat(timespec="seconds")
    cfg.out.mkdir(parents=True, exist_ok=True)
    dataset = load_dataset(cfg.data)  # raises DataError: the caller reports it
    as_of = cfg.as_of.isoformat() if cfg.as_of else (
        dataset.last_date.date().isoformat() if dataset.last_date is not None else None)

    saved_env = {k: os.environ.get(k) for k in
                 ("JUPYTER_PATH", DATASET_CACHE_ENV, RENDER_ENV, "MPLBACKEND", "OMP_NUM_THREADS")}
    work = Path(tempfile.mkdtemp(prefix="workbench-run-"))
    try:
        _install_kernelspec(work)
        cache = work / "dataset.pkl"
        with cache.open("wb") as handle:
            pickle.dump({"data_dir": str(cfg.data), "dataset": dataset}, handle,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.environ[DATASET_CACHE_ENV] = str(cache)
        os.environ[RENDER_ENV] = "1"
        os.environ.pop("MPLBACKEND", None)  # the kernel must use the inline backend
        # Kernels running side by side must share the cores: OpenMP threads that outnumber
        # them busy-wait, and a 6 s gradient-boosting fit was measured at 94 s that way.
        os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // cfg.jobs)))
        return _run_notebooks(cfg, topics, dataset, as_of, started, run_start, log)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _run_notebooks(cfg: RunConfig, topics: list[str], dataset: Any, as_of: str | None,
                   started: str, run_start: float, log: Any) -> RunResult:
    from workbench.index import write_index

    base = {"data_dir": str(cfg.data), "output_dir": str(cfg.out), "lang": cfg.lang,
            "as_of": as_of, "seed": cfg.seed}
    results: dict[str, NotebookResult] = {}
    runnable = []
    for topic in topics:
        reason = dataset.missing_for(topic)
        if reason is not None:
            results[topic] = NotebookResult(topic, "skipped", error=reason)
            log(f"  {topic}: skipped ({reason})")
        else:
            runnable.append(topic)
            (metrics_dir(cfg.out) / f"{topic}.json").unlink(missing_ok=True)
    first = [tp for tp in runnable if tp not in RUN_LAST]
    last = [tp for tp in runnable if tp in RUN_LAST]
    log(f"workbench run: {len(runnable)} notebook(s) on {cfg.data} -> {cfg.out} "
        f"(lang {cfg.lang}, as of {as_of}, {cfg.jobs} job(s))")
    def execute(topic: str) -> NotebookResult:
        try:
            return _execute(topic, cfg, base, log)
        finally:
            _close_thread_event_loop()

    with ThreadPoolExecutor(max_workers=cfg.jobs) as pool:
        for result in pool.map(execute, first):
            results[result.topic] = result
        for result in pool.map(execute, last):
            results[result.topic] = result

    metrics = _merge_metrics(cfg.out)
    ordered = [results[tp] for tp in topics]
    inputs = {
        p.name: {"sha256": _sha256(p), "bytes": p.stat().st_size}
        for p in sorted(cfg.data.iterdir())
        if p.is_file() and (p.suffix.lower() in SUFFIXES or p.name.startswith("mapping."))
    }
    manifest = {
        "workbench_run": {"started": started, "ended": datetime.now().isoformat(timespec="seconds"),
                          "seconds": round(time.perf_counter() - run_start, 2)},
        "parameters": json.loads(cfg.model_dump_json()) | {"as_of_resolved": as_of},
        "inputs": inputs,
        "versions": _versions(),
        "notebooks": [asdict(r) for r in ordered],
        "status": "failed" if any(r.status == "failed" for r in ordered) else "ok",
    }
    write_json(manifest, cfg.out / "manifest.json")
    write_index(cfg.out, ordered, metrics, lang=cfg.lang, data_dir=cfg.data, as_of=as_of,
                quality=dataset.quality)
    log(f"workbench run: finished in {time.perf_counter() - run_start:.1f} s; "
        f"open {cfg.out / 'index.html'}")
    return RunResult(cfg, ordered)


def run_from_args(args: Any, data_dir: Path | None = None) -> int:
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
    flags = {"data": data, "out": args.out or getattr(args, "out_default", None),
             "notebooks": args.notebooks, "lang": args.lang, "as_of": args.as_of,
             "jobs": args.jobs, "seed": args.seed, "quiet": args.quiet or None}
    settings.update({k: v for k, v in flags.items() if v is not None})
    try:
        cfg = RunConfig(**settings)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'config'}: {e['msg']}"
                             for e in exc.errors())
        print(f"workbench run: invalid settings: {problems}", file=sys.stderr)
        return 2
    try:
        result = run(cfg)
    except DataError as exc:
        print(f"workbench run: the data cannot be used.\n{exc}", file=sys.stderr)
        return 2
    for failure in result.failed:
        print(f"workbench run: notebook {failure.topic} failed: {failure.error}", file=sys.stderr)
    return result.exit_code
