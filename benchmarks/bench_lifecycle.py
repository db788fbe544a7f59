"""Benchmark lifecycle stages and cohorts on 10 million transactions / 1 million customers.

Reuses the simulated log of ``bench_summary.py`` (generated there if missing: 2 years of
purchases, 2023-01-01 to 2024-12-31) and measures, in one process:
1. building the purchase history (DuckDB window pass over all lines);
2. stage counts at 36 monthly snapshots (3 years back from as_of; the first year has no
   customers yet, which costs nothing), one ASOF join;
3. the transition matrix between the last two snapshots;
4. the acquisition-month cohort matrix (retention and revenue per customer).
Targets: all of it under 30 s, peak memory under 4 GB.

Run: ``.venv/bin/python benchmarks/bench_lifecycle.py``.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from workbench import lifecycle as lc

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "_data" / "tx_c1000000_t10000000_s0.parquet"
AS_OF = pd.Timestamp("2024-12-31")


def main() -> int:
    if not DATA.exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_summary.py"), "--worker",
                        "generate", str(DATA), "1000000", "10000000", "0"], check=True)
    start = time.perf_counter()
    tx = pd.read_parquet(DATA, columns=["customer_id", "order_date", "amount"])
    load = time.perf_counter() - start
    timings = {}
    start = time.perf_counter()
    history = lc.PurchaseHistory(tx)
    _ = history.con  # build the history table now
    timings["purchase history (window pass)"] = time.perf_counter() - start
    start = time.perf_counter()
    rules = lc.derive_rules(history, AS_OF)
    timings["derive thresholds"] = time.perf_counter() - start
    dates = lc.monthly_snapshots(AS_OF, 36)
    start = time.perf_counter()
    counts = history.stage_counts(dates, rules)
    timings["36 monthly stage snapshots"] = time.perf_counter() - start
    start = time.perf_counter()
    matrix, _ = lc.transition_matrix(history, dates[-2], dates[-1], rules)
    timings["transition matrix (2 snapshots)"] = time.perf_counter() - start
    start = time.perf_counter()
    cohorts = lc.cohort_matrix(history, AS_OF)
    timings["cohort matrix"] = time.perf_counter() - start
    total = sum(timings.values())
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

    print(f"{len(tx):,} lines, {tx['customer_id'].nunique():,} customers; load {load:.1f} s "
          "(not counted)")
    for step, seconds in timings.items():
        print(f"  {step:<36} {seconds:6.2f} s")
    print(f"  {'total':<36} {total:6.2f} s   target < 30 s: {'PASS' if total < 30 else 'FAIL'}")
    print(f"  peak memory (process) {peak_gb:.2f} GB   target < 4 GB: {'PASS' if peak_gb < 4 else 'FAIL'}")
    last = counts[counts["snapshot"] == counts["snapshot"].max()].set_index("stage")["customers"]
    print(f"rules {rules.as_dict()}")
    print(f"stages on {AS_OF.date()}: {last.to_dict()}")
    print(f"transition matrix total {int(matrix.to_numpy().sum()):,}; "
          f"{len(cohorts['size'])} cohorts, {int(cohorts['size'].sum()):,} customers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
