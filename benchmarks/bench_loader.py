"""Benchmark the demo generator and the loader, this checkout against a baseline revision.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_loader.py [--customers 200000,1000000] [--baseline c6bc1c9]
                                                [--timeout 1500] [--no-generate]

Steps:

1. Check out ``--baseline`` into a git worktree (``benchmarks/_data/worktree-<rev>``, reused).
2. For each size, time ``workbench.demo.generate_demo(customers=n, seed=0)`` with this checkout
   (its output is cached in ``benchmarks/_data/demo_c<n>_s0`` and reused by later runs) and with
   the baseline (written to a scratch folder, then removed). ``--no-generate`` skips the
   generation timings when the cache exists.
3. Time ``workbench.io.load_dataset`` on the cached folder with both revisions.
4. Print wall seconds, CPU seconds (user + system, all threads) and peak RSS of each run, and
   the baseline/current ratios.

Every run is its own subprocess; the baseline runs with ``PYTHONPATH=<worktree>/src`` so it
imports the baseline's ``workbench`` with the same venv. A run that takes longer than
``--timeout`` seconds is stopped and shown as ``>timeout``. The demo's files are byte-identical
across both revisions (same seed), so both load the same data.

Wall times move a lot when other jobs share the machine: compare CPU seconds, or rerun when
the load average (printed before and after) is low.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _harness import DATA_DIR, ROOT, _cpu_s, _hwm_mb, _loadavg

DEFAULT_SIZES = "200000,1000000"
DEFAULT_BASELINE = "c6bc1c9"


# --------------------------------------------------------------------------------------------
# Workers: each runs in its own process and prints one JSON line
# --------------------------------------------------------------------------------------------

def worker_generate(out: Path, customers: int) -> dict:
    from workbench.demo import generate_demo

    t0, c0 = time.perf_counter(), _cpu_s()
    truth = generate_demo(out, customers=customers, seed=0)
    return {"seconds": time.perf_counter() - t0, "cpu_s": _cpu_s() - c0,
            "peak_mb": _hwm_mb(), "lines": truth.n_transactions}


def worker_load(data: Path) -> dict:
    from workbench.io import load_dataset

    t0, c0 = time.perf_counter(), _cpu_s()
    dataset = load_dataset(data)
    return {"seconds": time.perf_counter() - t0, "cpu_s": _cpu_s() - c0,
            "peak_mb": _hwm_mb(), "lines": dataset.quality.tables["transactions"].rows_read}


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------

def _worktree(revision: str) -> Path:
    path = DATA_DIR / f"worktree-{revision}"
    if not (path / "src" / "workbench").is_dir():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(path),
                        revision], check=True, capture_output=True)
    return path


def _run(src: Path, timeout: float, *args: str) -> dict | None:
    """One worker with ``src`` first on the import path; None when it runs out of time."""
    env = dict(os.environ, PYTHONPATH=str(src))
    t0 = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", *args],
                              check=False, capture_output=True, text=True, env=env,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"worker {args[0]} failed with exit code {proc.returncode}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_wall_s"] = time.perf_counter() - t0
    return result


def _cell(result: dict | None, key: str, timeout: float) -> str:
    if result is None:
        return f">{timeout:.0f}" if key != "peak_mb" else "n/a"
    return f"{result[key] / 1024:.2f}" if key == "peak_mb" else f"{result[key]:.1f}"


def _ratio(base: dict | None, ours: dict | None, key: str) -> str:
    if base is None or ours is None or not ours[key]:
        return "n/a" if ours is None else ">"
    return f"{base[key] / ours[key]:.1f}x"


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        kind, rest = sys.argv[2], sys.argv[3:]
        if kind == "generate":
            result = worker_generate(Path(rest[0]), int(rest[1]))
        elif kind == "load":
            result = worker_load(Path(rest[0]))
        else:
            raise SystemExit(f"unknown worker {kind}")
        print(json.dumps(result))
        return 0

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--customers", default=DEFAULT_SIZES,
                    help=f"comma-separated demo sizes (default {DEFAULT_SIZES})")
    ap.add_argument("--baseline", default=DEFAULT_BASELINE, help="git revision to compare with")
    ap.add_argument("--timeout", type=float, default=1500.0, help="seconds per run")
    ap.add_argument("--no-generate", action="store_true",
                    help="skip the generation timings when the data is cached")
    args = ap.parse_args()

    current = ROOT / "src"
    baseline = _worktree(args.baseline) / "src"
    print(f"load average before the runs: {_loadavg()} (other jobs on the machine skew wall "
          "times; compare CPU seconds)")
    rows = []
    for n in (int(s) for s in args.customers.split(",")):
        data = DATA_DIR / f"demo_c{n}_s0"
        results: dict[tuple[str, str], dict | None] = {}
        if not (data / "transactions.csv").exists() or not args.no_generate:
            scratch = DATA_DIR / f"_scratch_c{n}"
            cached = (data / "transactions.csv").exists()
            results["generate", "current"] = _run(
                current, args.timeout, "generate", str(scratch if cached else data), str(n))
            results["generate", "baseline"] = _run(
                baseline, args.timeout, "generate", str(scratch), str(n))
            shutil.rmtree(scratch, ignore_errors=True)
        for name, src in (("current", current), ("baseline", baseline)):
            results["load", name] = _run(src, args.timeout, "load", str(data))
        lines = (results["load", "current"] or {}).get("lines", 0)
        for step in ("generate", "load"):
            if (step, "current") not in results:
                continue
            base, ours = results[step, "baseline"], results[step, "current"]
            rows.append([f"{n:,}", f"{lines:,}", step,
                         _cell(base, "seconds", args.timeout), _cell(ours, "seconds", args.timeout),
                         _ratio(base, ours, "seconds"),
                         _cell(base, "cpu_s", args.timeout), _cell(ours, "cpu_s", args.timeout),
                         _ratio(base, ours, "cpu_s"),
                         _cell(base, "peak_mb", args.timeout), _cell(ours, "peak_mb", args.timeout)])
    header = ["customers", "tx lines", "step", "base s", "ours s", "ratio", "base cpu",
              "ours cpu", "ratio", "base GB", "ours GB"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths)))
    print(f"baseline: {args.baseline}; peak = the worker process's peak RSS")
    print(f"load average after the runs: {_loadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
