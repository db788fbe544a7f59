"""The whole report suite (``workbench run``) on large demo data, this tree against a baseline.

For each size (``--sizes``, default 200,000 and 1,000,000 customers) the script generates the
demo data once (seed 0; Parquet from 1M customers on, see ``--format``) and caches it under
``--data-dir``. It then runs ``python -m workbench.cli run`` on it for the baseline revision
(a ``git worktree`` of ``--baseline`` put first on ``PYTHONPATH``; the same venv, so only the
code differs) and for the current tree, each in its own process tree, and prints side by side:

- per report: the notebook's seconds (``manifest.json``) and the peak RSS of its kernel's
  process tree (kernel plus any workers it starts);
- the run: wall seconds, the peak RSS of the largest single process, the peak of the summed
  RSS of all processes of the run, and the peak of their summed PSS (proportional set size:
  pages shared between processes, such as a memory-mapped dataset, are counted once);
- the ratio baseline / current (above 1: the current tree is faster or smaller).

Memory is sampled from ``/proc`` every ``--interval`` seconds by a thread of this script: a
kernel is recognised by its stdout, which the runner points at ``logs/<topic>.log``.

Usage::

    .venv/bin/python benchmarks/bench_suite.py                        # both sizes, both trees
    .venv/bin/python benchmarks/bench_suite.py --sizes 200000 --only current
    .venv/bin/python benchmarks/bench_suite.py --sizes 200000 --data-dir /work/benchdata
    .venv/bin/python benchmarks/bench_suite.py --sizes 2000 --only current   # smoke test
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import DATA_DIR, ROOT, _loadavg

SUITE_DIR = DATA_DIR / "suite"
DEFAULT_BASELINE = "c6bc1c9"
TABLES = ("transactions", "customers", "feedback", "events", "campaigns", "subscriptions")


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------

def size_label(customers: int) -> str:
    """``200000`` -> ``demo200k``; the folder name of that size's cached demo data."""
    return f"demo{customers // 1000}k" if customers % 1000 == 0 else f"demo{customers}"


def _csv_to_parquet(csv: Path, parquet: Path) -> None:
    """One demo CSV as Parquet with every column a string (the loader parses them as it does
    the CSV's); streamed in blocks, so a 1.5 GB file never sits in memory whole."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    with open(csv, "rb") as handle:
        header = handle.readline().decode("utf-8-sig").rstrip("\r\n").split(",")
    convert = pcsv.ConvertOptions(column_types={name: pa.string() for name in header},
                                  strings_can_be_null=True)
    reader = pcsv.open_csv(csv, read_options=pcsv.ReadOptions(block_size=64 << 20),
                           convert_options=convert)
    with pq.ParquetWriter(parquet, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)


def ensure_data(customers: int, data_dir: Path, fmt: str) -> Path:
    """The cached demo folder of ``customers`` in ``fmt`` (csv or parquet), made if missing."""
    csv_dir = data_dir / size_label(customers)
    if not (csv_dir / "transactions.csv").exists():
        print(f"generating {csv_dir} ({customers:,} customers) ...", flush=True)
        t0 = time.perf_counter()
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{csv_dir.name}.", dir=data_dir))
        code = ("import sys; from workbench.demo import generate_demo; "
                "generate_demo(sys.argv[1], customers=int(sys.argv[2]), seed=0)")
        subprocess.run([sys.executable, "-c", code, str(tmp), str(customers)], check=True)
        shutil.rmtree(csv_dir, ignore_errors=True)
        tmp.rename(csv_dir)
        print(f"  done in {time.perf_counter() - t0:.0f} s", flush=True)
    if fmt == "csv":
        return csv_dir
    pq_dir = data_dir / f"{csv_dir.name}-parquet"
    if not (pq_dir / "transactions.parquet").exists():
        print(f"writing {pq_dir} ...", flush=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{pq_dir.name}.", dir=data_dir))
        for table in TABLES:
            if (csv_dir / f"{table}.csv").exists():
                _csv_to_parquet(csv_dir / f"{table}.csv", tmp / f"{table}.parquet")
        shutil.rmtree(pq_dir, ignore_errors=True)
        tmp.rename(pq_dir)
    return pq_dir


# --------------------------------------------------------------------------------------------
# Trees
# --------------------------------------------------------------------------------------------

def baseline_tree(rev: str) -> tuple[Path, str]:
    """A detached ``git worktree`` of ``rev`` under the cache (made once per commit)."""
    # (--current REV uses one too)
    sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", f"{rev}^{{commit}}"],
                         check=True, capture_output=True, text=True).stdout.strip()
    tree = SUITE_DIR / f"tree-{sha[:10]}"
    if not (tree / "src" / "workbench" / "runner.py").exists():
        SUITE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=True)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--force",
                        str(tree), sha], check=True, capture_output=True)
    return tree, sha


def tree_env(src: Path) -> dict[str, str]:
    """Environment running the workbench package found in ``src`` (kernels inherit it)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(src) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH")
                                    else "")
    env.pop("WORKBENCH_NOTEBOOKS", None)  # each tree runs its own notebooks
    env.setdefault("MPLBACKEND", "Agg")
    return env


# --------------------------------------------------------------------------------------------
# Memory probe
# --------------------------------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    found = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as handle:
                found.extend(int(c) for c in handle.read().split())
    except OSError:
        pass
    return found


def _kb(path: str, field_name: str) -> int:
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _topic_of(pid: int) -> str | None:
    """The report a kernel runs: the runner sends its stdout to ``logs/<topic>.log``.

    ipykernel moves its own stdout to a pipe and keeps the original under another
    descriptor, so every descriptor is looked at; only kernel processes are named.
    """
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            cmdline = handle.read()
        # a kernel started afresh, or forked from the run's fork server (workbench.forkserver)
        if b"ipykernel_launcher" not in cmdline and b"workbench.forkserver" not in cmdline:
            return None
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return None
    for fd in fds:
        try:
            target = Path(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            continue
        if target.parent.name == "logs" and target.suffix == ".log":
            return target.stem
    return None


@dataclass
class MemoryProbe:
    """Samples the RSS and PSS of a process tree until stopped (all values in KiB)."""

    root: int
    interval: float = 0.25
    largest_kb: int = 0          # peak RSS of the largest single process
    largest_what: str = ""
    sum_rss_kb: int = 0          # peak of the summed RSS of the tree
    sum_pss_kb: int = 0          # peak of the summed PSS of the tree
    sum_pss_with: str = ""       # the reports whose kernels were alive at that peak
    runner_kb: int = 0           # peak RSS of the runner itself
    topic_kb: dict[str, int] = field(default_factory=dict)  # peak RSS of each kernel's tree
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> MemoryProbe:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        tree: dict[int, list[int]] = {}
        stack, order = [self.root], []
        while stack:
            pid = stack.pop()
            order.append(pid)
            tree[pid] = _children(pid)
            stack.extend(tree[pid])
        rss = {pid: _kb(f"/proc/{pid}/status", "VmRSS") for pid in order}
        pss = sum(_kb(f"/proc/{pid}/smaps_rollup", "Pss") for pid in order)
        self.sum_rss_kb = max(self.sum_rss_kb, sum(rss.values()))
        topics = {pid: _topic_of(pid) if pid != self.root else None for pid in order}
        if pss > self.sum_pss_kb:
            self.sum_pss_kb = pss
            self.sum_pss_with = " + ".join(sorted({t for t in topics.values() if t}))
        self.runner_kb = max(self.runner_kb, rss.get(self.root, 0))
        for pid in order:
            topic = topics[pid]
            if rss[pid] > self.largest_kb:
                self.largest_kb, self.largest_what = rss[pid], topic or (
                    "runner" if pid == self.root else "other")
            if topic is not None:
                below, total = [pid], 0
                while below:
                    p = below.pop()
                    total += rss.get(p, 0)
                    below.extend(tree.get(p, []))
                self.topic_kb[topic] = max(self.topic_kb.get(topic, 0), total)


# --------------------------------------------------------------------------------------------
# One run
# --------------------------------------------------------------------------------------------

def run_suite(label: str, src: Path, data: Path, out: Path, jobs: int | None,
              interval: float) -> dict:
    """``workbench run`` of the tree in ``src`` on ``data``; its times and peaks."""
    shutil.rmtree(out, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "workbench.cli", "run", "--data", str(data), "--out", str(out)]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    log = out.parent / f"{out.name}.log"
    print(f"[{label}] {' '.join(cmd)}  (log {log}; load {_loadavg()})", flush=True)
    t0 = time.perf_counter()
    with log.open("w") as sink:
        proc = subprocess.Popen(cmd, env=tree_env(src), cwd=src.parent, stdout=sink,
                                stderr=subprocess.STDOUT)
        probe = MemoryProbe(proc.pid, interval=interval).start()
        code = proc.wait()
        probe.stop()
    wall = time.perf_counter() - t0
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    notebooks = {n["topic"]: n for n in manifest.get("notebooks", [])}
    print(f"[{label}] exit {code} in {wall:.0f} s; peak largest process "
          f"{probe.largest_kb / 2**20:.2f} GB ({probe.largest_what}), sum "
          f"{probe.sum_rss_kb / 2**20:.2f} GB, summed PSS {probe.sum_pss_kb / 2**20:.2f} GB "
          f"with {probe.sum_pss_with or 'no kernel'} (load {_loadavg()})", flush=True)
    return {
        "label": label, "exit_code": code, "wall_s": wall,
        "manifest_s": manifest.get("workbench_run", {}).get("seconds"),
        "jobs": manifest.get("parameters", {}).get("jobs"),
        "largest_gb": probe.largest_kb / 2**20, "largest_what": probe.largest_what,
        "sum_rss_gb": probe.sum_rss_kb / 2**20, "sum_pss_gb": probe.sum_pss_kb / 2**20,
        "sum_pss_with": probe.sum_pss_with,
        "runner_gb": probe.runner_kb / 2**20,
        "reports": {topic: {"status": n["status"], "seconds": n["seconds"],
                            "peak_gb": probe.topic_kb.get(topic, 0) / 2**20}
                    for topic, n in notebooks.items()},
    }


# --------------------------------------------------------------------------------------------
# Table
# --------------------------------------------------------------------------------------------

def _ratio(base: float | None, cur: float | None) -> str:
    if not base or not cur:
        return ""
    return f"{base / cur:.2f}x"


def _num(value: float | None, fmt: str) -> str:
    return "" if value is None else format(value, fmt)


def table(size: int, runs: dict[str, dict]) -> str:
    """Markdown table of one size: per report and for the run, each tree and the ratio."""
    base, cur = runs.get("baseline"), runs.get("current")
    shown = [r for r in (base, cur) if r is not None]
    header = ["", *[f"{r['label']} s" for r in shown],
              *(["ratio s"] if base and cur else []),
              *[f"{r['label']} peak GB" for r in shown],
              *(["ratio GB"] if base and cur else [])]
    lines = [f"### {size:,} customers", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]

    def row(name: str, seconds: list[float | None], peaks: list[float | None]) -> None:
        cells = [name, *[_num(s, ".1f") for s in seconds]]
        if base and cur:
            cells.append(_ratio(seconds[0], seconds[1]))
        cells += [_num(p, ".2f") for p in peaks]
        if base and cur:
            cells.append(_ratio(peaks[0], peaks[1]))
        lines.append("| " + " | ".join(cells) + " |")

    topics = list(dict.fromkeys(t for r in shown for t in r["reports"]))
    for topic in topics:
        entries = [r["reports"].get(topic) for r in shown]
        name = topic + "".join(f" ({e['status']})" for e in entries
                               if e and e["status"] != "ok")
        row(name, [e["seconds"] if e else None for e in entries],
            [e["peak_gb"] if e else None for e in entries])
    row("**run**: wall s / largest process", [r["wall_s"] for r in shown],
        [r["largest_gb"] for r in shown])
    row("run: summed RSS of all processes", [None] * len(shown), [r["sum_rss_gb"] for r in shown])
    row("run: summed PSS of all processes", [None] * len(shown), [r["sum_pss_gb"] for r in shown])
    row("runner process", [None] * len(shown), [r["runner_gb"] for r in shown])
    notes = [f"{r['label']}: exit {r['exit_code']}, jobs {r['jobs']}, largest process "
             f"{r['largest_what']}, summed PSS peak with "
             f"{r.get('sum_pss_with') or 'no kernel'} running" for r in shown]
    return "\n".join(lines + [""] + notes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="200000,1000000",
                        help="comma-separated numbers of customers (default 200000,1000000)")
    parser.add_argument("--baseline", default=DEFAULT_BASELINE,
                        help=f"git revision to compare with (default {DEFAULT_BASELINE})")
    parser.add_argument("--current", default=None, metavar="REV",
                        help="run this committed revision (a worktree) as 'current' instead of "
                             "the checkout, leaving out uncommitted changes")
    parser.add_argument("--only", choices=("current", "baseline"), default=None,
                        help="run only one of the two trees")
    parser.add_argument("--data-dir", type=Path, default=SUITE_DIR,
                        help="where the demo data is cached, one folder per size "
                             "(demo200k, demo1000k, demo1000k-parquet); default %(default)s")
    parser.add_argument("--format", choices=("auto", "csv", "parquet"), default="auto",
                        help="data format; auto: CSV below 1M customers, Parquet from 1M on")
    parser.add_argument("--jobs", type=int, default=None,
                        help="--jobs for both runs (default: each tree's own default)")
    parser.add_argument("--interval", type=float, default=0.25,
                        help="seconds between memory samples")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    args.data_dir.mkdir(parents=True, exist_ok=True)
    SUITE_DIR.mkdir(parents=True, exist_ok=True)
    trees: list[tuple[str, Path]] = []
    if args.only != "current":
        tree, sha = baseline_tree(args.baseline)
        trees.append((f"baseline {sha[:7]}", tree / "src"))
    if args.only != "baseline" and args.current:
        tree, sha = baseline_tree(args.current)
        trees.append((f"current {sha[:7]}", tree / "src"))
    elif args.only != "baseline":
        trees.append(("current", ROOT / "src"))
    print(f"load average {_loadavg()}; {os.cpu_count()} cores", flush=True)
    report, failed = [], False
    for size in sizes:
        fmt = args.format if args.format != "auto" else ("parquet" if size >= 1_000_000
                                                         else "csv")
        data = ensure_data(size, args.data_dir, fmt)
        runs: dict[str, dict] = {}
        for label, src in trees:
            out = SUITE_DIR / "runs" / f"{size_label(size)}-{label.split()[0]}"
            result = run_suite(label, src, data, out, args.jobs, args.interval)
            runs[label.split()[0]] = result
            failed |= result["exit_code"] != 0
        text = table(size, runs) + f"\n(data {data}, {fmt})"
        report.append(text)
        print("\n" + text + "\n", flush=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        (SUITE_DIR / f"result-{size_label(size)}-{stamp}.json").write_text(
            json.dumps(runs, indent=2), encoding="utf-8")
    print(f"load average {_loadavg()}", flush=True)
    print("\n\n".join(report))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
