"""Benchmark ``workbench.summary.customer_summary`` against ``lifetimes`` on a large log.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_summary.py [--customers 1000000] [--transactions 10000000]
                                                 [--seed 0] [--as-of 2024-12-31] [--repeat 3]

Steps:

1. Generate a seeded transaction log (customer_id, order_id, order_date, amount) and write it to
   ``benchmarks/_data/`` as Parquet; reruns with the same arguments reuse the file.
2. Create ``benchmarks/.venv-lifetimes`` with ``lifetimes==0.11.3`` if it is missing.
3. Run each tool in its own subprocess and measure wall time and peak RSS there:
   ours reads the Parquet file itself (DuckDB); lifetimes gets it from ``pandas.read_parquet``,
   so its load and summary are timed separately.
4. Check per customer that both give the same frequency/x, recency/t_x, T and monetary value;
   exit 1 on any mismatch.
5. Print a table with the ratios and PASS/FAIL against the targets (timing never fails the run).

The script imports only the standard library at top level, because the same file runs as the
worker inside the lifetimes venv (``--worker lifetimes``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from _harness import (
    DATA_DIR,
    ROOT,
    _cpu_s,
    _hwm_mb,
    _loadavg,
    _reset_hwm,
    _rss_mb,
    ensure_lifetimes_venv,
    run_worker,
)

START_DAY = "2023-01-01"  # the log covers START_DAY .. START_DAY + SPAN_DAYS - 1
SPAN_DAYS = 731           # 2023-01-01 .. 2024-12-31
DEFAULT_AS_OF = "2024-12-31"

TARGET_OURS_SECONDS = 1.5
TARGET_OURS_GB = 1.0
TARGET_SPEEDUP = 8.0


# --------------------------------------------------------------------------------------------
# Memory helpers (Linux /proc; they fall back to getrusage elsewhere)
# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# Workers: each runs in its own process and prints one JSON line
# --------------------------------------------------------------------------------------------

def worker_generate(path: Path, customers: int, transactions: int, seed: int) -> dict:
    """Simulated log, vectorised: each customer has a first order on a random day of the two
    years, repeat orders spread uniformly between it and the end, with heterogeneous rates and
    spend; ~15 % of repeat orders fall on the customer's first day; an order has 1-3 lines
    (same order_id and timestamp)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    # Orders of 1-3 lines (mean 1.5); draw a few too many and cut the last one to hit n exactly.
    n_orders = int(transactions / 1.5 * 1.05) + customers
    lines = 1 + rng.binomial(2, 0.25, n_orders)
    ends = np.cumsum(lines)
    n_orders = int(np.searchsorted(ends, transactions) + 1)
    lines = lines[:n_orders]
    lines[-1] -= int(ends[n_orders - 1] - transactions)
    if n_orders < customers:
        raise SystemExit("need about 1.5 lines per customer or more: raise --transactions")

    # Order -> customer: every customer's first order, then repeat orders by gamma weights.
    weight = rng.gamma(0.6, 1.0, customers)
    cum = np.cumsum(weight)
    repeat_cust = np.minimum(
        np.searchsorted(cum, rng.random(n_orders - customers) * cum[-1], side="right"), customers - 1)
    order_cust = np.concatenate([np.arange(customers), repeat_cust])

    # Timestamps in seconds from START_DAY.
    span = SPAN_DAYS * 86400
    birth = rng.integers(0, span, customers)
    rb = birth[repeat_cust]
    repeat_t = rb + (rng.random(rb.size) * (span - rb)).astype(np.int64)
    same_day = rng.random(rb.size) < 0.15
    repeat_t[same_day] = (rb[same_day] // 86400) * 86400 + rng.integers(0, 86400, same_day.sum())
    order_t = np.concatenate([birth, repeat_t])

    # Lines.
    line_order = np.repeat(np.arange(n_orders), lines)
    line_cust = order_cust[line_order]
    scale = rng.gamma(4.0, 10.0, customers)
    amount = np.maximum(np.round(rng.gamma(2.0, 1.0, transactions) * scale[line_cust], 2), 0.01)
    ts_us = (np.datetime64(START_DAY, "us").astype(np.int64)
             + order_t[line_order] * 1_000_000 + rng.integers(0, 1_000_000, n_orders)[line_order])
    order = np.argsort(ts_us, kind="stable")  # a log is in time order
    line_order, line_cust, amount, ts_us = (a[order] for a in (line_order, line_cust, amount, ts_us))

    cust_ids = pa.array(np.strings.zfill(np.arange(customers).astype(str), 7))  # leading zeros
    order_ids = pa.array(np.strings.add("O", np.strings.zfill(np.arange(n_orders).astype(str), 9)))
    table = pa.table({
        "customer_id": pa.DictionaryArray.from_arrays(pa.array(line_cust.astype(np.int32)),
                                                      cust_ids).dictionary_decode(),
        "order_id": pa.DictionaryArray.from_arrays(pa.array(line_order.astype(np.int32)),
                                                   order_ids).dictionary_decode(),
        "order_date": pa.array(ts_us, type=pa.timestamp("us")),
        "amount": pa.array(amount),
    })
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)
    return {"rows": table.num_rows, "customers": customers, "orders": n_orders,
            "seconds": time.perf_counter() - t0, "bytes": path.stat().st_size}


def worker_ours(data: Path, as_of: str, out: Path, count_orders: bool) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from workbench.summary import customer_summary

    rss0 = _rss_mb()
    hwm_before = _hwm_mb()
    _reset_hwm()
    c0, t0 = _cpu_s(), time.perf_counter()
    s = customer_summary(data, as_of, unit="D", count_orders=count_orders)
    t1, c1 = time.perf_counter(), _cpu_s()
    peak_summary = _hwm_mb()
    s[["customer_id", "x", "t_x", "T", "mean_repeat_value"]].to_parquet(out)
    return {"tool": "ours_orders" if count_orders else "ours", "load_s": 0.0, "summary_s": t1 - t0, "cpu_s": c1 - c0,
            "rss_before_mb": rss0,
            "peak_summary_mb": peak_summary,
            "peak_process_mb": max(hwm_before, peak_summary, _hwm_mb()), "customers": len(s)}


def worker_lifetimes(data: Path, as_of: str, out: Path) -> dict:
    import warnings

    import pandas as pd
    from lifetimes.utils import summary_data_from_transaction_data

    warnings.simplefilter("ignore")
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    df = pd.read_parquet(data, columns=["customer_id", "order_date", "amount"])
    t1 = time.perf_counter()
    peak_load = _hwm_mb()
    _reset_hwm()
    c2, t2 = _cpu_s(), time.perf_counter()
    s = summary_data_from_transaction_data(df, "customer_id", "order_date",
                                           monetary_value_col="amount",
                                           observation_period_end=as_of, freq="D")
    t3, c3 = time.perf_counter(), _cpu_s()
    peak_summary = _hwm_mb()
    s.index.name = "customer_id"
    out_df = s.reset_index()
    out_df["customer_id"] = out_df["customer_id"].astype(str)
    out_df.to_parquet(out)
    return {"tool": "lifetimes", "load_s": t1 - t0, "summary_s": t3 - t2, "cpu_s": c3 - c2,
            "rss_before_mb": rss0,
            "peak_load_mb": peak_load, "peak_summary_mb": peak_summary,
            "peak_process_mb": max(peak_load, peak_summary, _hwm_mb()), "customers": len(s)}


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------

def compare(ours_path: Path, lt_path: Path) -> int:
    import numpy as np
    import pandas as pd

    ours = pd.read_parquet(ours_path).set_index("customer_id")
    lt = pd.read_parquet(lt_path).set_index("customer_id")
    missing = ours.index.symmetric_difference(lt.index)
    both = ours.index.intersection(lt.index)
    o, lt = ours.loc[both], lt.loc[both]
    ours_m = o["mean_repeat_value"].fillna(0.0).to_numpy()
    lt_m = lt["monetary_value"].to_numpy()
    checks = {
        "frequency vs x": o["x"].to_numpy() != lt["frequency"].to_numpy(),
        "recency vs t_x": o["t_x"].to_numpy() != lt["recency"].to_numpy(),
        "T vs T": o["T"].to_numpy() != lt["T"].to_numpy(),
        "monetary_value vs mean_repeat_value":
            ~(np.abs(ours_m - lt_m) <= 1e-6 * np.maximum(np.abs(ours_m), np.abs(lt_m))),
    }
    bad = np.zeros(len(both), dtype=bool)
    print(f"\ncustomers: ours {len(ours):,}, lifetimes {len(lt):,}, in only one: {len(missing):,}")
    for name, mask in checks.items():
        print(f"  {name:<38} mismatches: {int(mask.sum()):,}")
        bad |= mask
    mismatches = int(bad.sum()) + len(missing)
    print(f"mismatched customers: {mismatches:,}")
    return mismatches


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        kind, rest = sys.argv[2], sys.argv[3:]
        if kind == "generate":
            result = worker_generate(Path(rest[0]), int(rest[1]), int(rest[2]), int(rest[3]))
        elif kind in ("ours", "ours_orders"):
            result = worker_ours(Path(rest[0]), rest[1], Path(rest[2]), kind == "ours_orders")
        elif kind == "lifetimes":
            result = worker_lifetimes(Path(rest[0]), rest[1], Path(rest[2]))
        else:
            raise SystemExit(f"unknown worker {kind}")
        print(json.dumps(result))
        return 0

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--transactions", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--as-of", default=DEFAULT_AS_OF)
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs per tool, each in a fresh process; the fastest is reported")
    args = ap.parse_args()

    data = DATA_DIR / f"tx_c{args.customers}_t{args.transactions}_s{args.seed}.parquet"
    if data.exists():
        print(f"reusing {data.relative_to(ROOT)} ({data.stat().st_size / 2**20:.0f} MiB)")
    else:
        g = run_worker(__file__, sys.executable, "generate", str(data), str(args.customers),
                       str(args.transactions), str(args.seed))
        print(f"generated {data.relative_to(ROOT)}: {g['rows']:,} lines, {g['orders']:,} orders, "
              f"{g['customers']:,} customers, {g['bytes'] / 2**20:.0f} MiB in {g['seconds']:.1f} s")
    lt_python = ensure_lifetimes_venv()
    print(f"load average before the runs: {_loadavg()} (other jobs on the machine skew wall times)")

    # "ours" computes what lifetimes computes (count_orders=False); "ours_orders" also counts
    # distinct orders per customer, which lifetimes does not.
    tools = ("ours", "ours_orders", "lifetimes")
    outs = {tool: DATA_DIR / f"result_{tool}.parquet" for tool in tools}
    pythons = {"ours": sys.executable, "ours_orders": sys.executable, "lifetimes": lt_python}
    results = {}
    for tool in tools:
        runs = []
        for i in range(args.repeat):
            r = run_worker(__file__, pythons[tool], tool, str(data), args.as_of, str(outs[tool]))
            print(f"{tool} run {i + 1}: load {r['load_s']:.2f} s, summary {r['summary_s']:.2f} s "
                  f"(CPU {r['cpu_s']:.2f} s), "
                  f"peak during summary {r['peak_summary_mb'] / 1024:.2f} GB, "
                  f"process peak {r['peak_process_mb'] / 1024:.2f} GB", flush=True)
            runs.append(r)
        best = min(runs, key=lambda r: r["summary_s"])
        best["peak_process_mb"] = max(r["peak_process_mb"] for r in runs)
        best["peak_summary_mb"] = max(r["peak_summary_mb"] for r in runs)
        results[tool] = best

    print(f"load average after the runs: {_loadavg()}")
    mismatches = compare(outs["ours"], outs["lifetimes"])
    mismatches += compare(outs["ours_orders"], outs["lifetimes"])

    o, lt = results["ours"], results["lifetimes"]
    print(f"\n{args.transactions:,} lines, {args.customers:,} customers, as_of {args.as_of}, "
          f"{os.cpu_count()} CPUs; times are the best of {args.repeat}, memory the max")
    head = (f"{'tool':<10} {'summary s':>10} {'load+summary s':>15} {'CPU s':>7} "
            f"{'peak in summary GB':>19} {'process peak GB':>16}")
    print(head + "\n" + "-" * len(head))
    for name, r in (("ours", o), ("ours+orders", results["ours_orders"]), ("lifetimes", lt)):
        print(f"{name:<10} {r['summary_s']:>10.2f} {r['load_s'] + r['summary_s']:>15.2f} "
              f"{r['cpu_s']:>7.2f} {r['peak_summary_mb'] / 1024:>19.2f} "
              f"{r['peak_process_mb'] / 1024:>16.2f}")
    ratio_summary = lt["summary_s"] / o["summary_s"]
    ratio_total = (lt["load_s"] + lt["summary_s"]) / o["summary_s"]
    ratio_cpu = lt["cpu_s"] / o["cpu_s"]
    ratio_mem = lt["peak_process_mb"] / o["peak_process_mb"]
    print(f"{'ratio':<10} {ratio_summary:>9.1f}x {ratio_total:>14.1f}x {ratio_cpu:>6.1f}x {'':>19} "
          f"{ratio_mem:>15.1f}x   (lifetimes / ours)")
    oo = results["ours_orders"]
    print(f"{'ratio':<10} {lt['summary_s'] / oo['summary_s']:>9.1f}x "
          f"{(lt['load_s'] + lt['summary_s']) / oo['summary_s']:>14.1f}x "
          f"{lt['cpu_s'] / oo['cpu_s']:>6.1f}x {'':>19} "
          f"{lt['peak_process_mb'] / oo['peak_process_mb']:>15.1f}x   (lifetimes / ours+orders)")
    print("ours reads the Parquet file inside its call, so its 'summary' includes the load; "
          "CPU s is summed over threads.")

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    print("\ntargets:")
    print(f"  ours <= {TARGET_OURS_SECONDS} s: {o['summary_s']:.2f} s "
          f"{verdict(o['summary_s'] <= TARGET_OURS_SECONDS)}")
    print(f"  ours <= {TARGET_OURS_GB} GB peak: {o['peak_process_mb'] / 1024:.2f} GB "
          f"{verdict(o['peak_process_mb'] / 1024 <= TARGET_OURS_GB)}")
    print(f"  >= {TARGET_SPEEDUP:g}x faster than lifetimes (its summary only, load excluded): "
          f"{ratio_summary:.1f}x {verdict(ratio_summary >= TARGET_SPEEDUP)}")
    print(f"  mismatches == 0 (both of ours against lifetimes): {mismatches:,} "
          f"{verdict(mismatches == 0)}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
