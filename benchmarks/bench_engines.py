"""Benchmark the per-customer summary on each engine: the reports' path (the engine's Ibis
expression on DuckDB over a pandas frame), Ibis on DuckDB, PostgreSQL and Spark reading the
source, and ``lifetimes``.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_engines.py [--customers 1000000] [--transactions 10000000]
        [--seed 0] [--as-of 2024-12-31] [--repeat 3] [--data-dir benchmarks/_data]
        [--tools report,ibis_duckdb,ibis_duckdb_decimal,lifetimes,postgres,spark,lifecycle_report,
                 lifecycle_ibis]

Steps:

1. The seeded log of ``bench_summary.py`` (same generator, same file name), as Parquet in
   ``--data-dir``; reruns reuse it.
2. Each tool runs in its own subprocess, which reports its wall time, CPU time and peak RSS:
   - ``report``: :func:`workbench.summary.customer_summary` on the log as a pandas frame, as
     a report runs it (:func:`workbench.engine.customer_summary` on DuckDB over the frame;
     the read of the Parquet file and the import of the engine timed apart);
   - ``ibis_duckdb`` / ``ibis_duckdb_decimal``: :func:`workbench.engine.customer_summary` on
     the Parquet source, money summed as BIGINT units or as DECIMAL(18, 4);
   - ``lifetimes``: ``summary_data_from_transaction_data`` (the lifetimes venv of
     bench_summary.py), its load from Parquet timed apart;
   - ``postgres``: a PostgreSQL server started for the run (tests/_postgres.py; amounts as
     NUMERIC(14, 2)); the load (COPY) is timed apart, the summary runs in the server, whose
     memory is not in the peak (the client's is);
   - ``spark``: Spark local mode on all cores reading the Parquet file; the session start is
     timed apart, and the peak is the JVM's (a child process) plus the Python driver's;
   - ``lifecycle_report`` / ``lifecycle_ibis``: customers per lifecycle stage at 12 month
     ends (fixed rules), by the lifecycle report's ``PurchaseHistory`` on a pandas frame (its
     read timed apart) and by workbench.engine on the Parquet file (the same expressions;
     their "vs report" compares the two);
   - ``lake_summary`` / ``lake_lifecycle`` (not run by default): the same two on a Parquet
     dataset of ``--lake-parts`` logs (10 x 10M = 100M lines, 10M customers), DuckDB's
     memory capped at 4 GB;
   - ``validate`` / ``validate_demo`` (not run by default): ``workbench.io.load_dataset``
     (what ``workbench validate`` runs) on the ``transactions.csv`` of ``--validate-data``
     alone, and on the whole folder; the demo of 1M customers has 14.7M lines (1.5 GB).
     Target: 15M lines validated in at most 30 s and 4 GB of peak memory.
3. Every engine's x, t_x, T and mean_repeat_value must equal the report path's exactly, and
   lifetimes' per bench_summary's check; exit 1 on any mismatch.
4. A table of times (seconds), peak memory (GB) and ratios to the report path and lifetimes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _harness import (
    DATA_DIR,
    ROOT,
    _cpu_s,
    _hwm_mb,
    _loadavg,
    _reset_hwm,
    ensure_lifetimes_venv,
    run_worker,
)
from bench_summary import DEFAULT_AS_OF, compare, worker_generate, worker_lifetimes

TOOLS = ("report", "ibis_duckdb", "ibis_duckdb_decimal", "lifetimes", "postgres", "spark",
         "lifecycle_report", "lifecycle_ibis", "lake_summary", "lake_lifecycle", "validate",
         "validate_demo")
#: The loading benchmarks, reported apart: seconds, CPU seconds, peak memory, rows.
VALIDATE_TOOLS = ("validate", "validate_demo")
#: Their target: 15M lines in at most this many seconds and this much peak memory (MB).
VALIDATE_TARGET_S, VALIDATE_TARGET_MB = 30.0, 4096.0
#: The 1M-customer demo, when it has been generated here.
DEFAULT_VALIDATE_DATA = Path("/work/benchdata/suite/demo1000k")
#: The default tools: the lake ones need --lake-parts (100M lines take minutes to generate).
DEFAULT_TOOLS = TOOLS[:8]
COLUMNS = ["customer_id", "x", "t_x", "T", "mean_repeat_value"]


def _paths() -> None:
    for path in (ROOT / "src", ROOT):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))


def _children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def worker_report(data: Path, as_of: str, out: Path) -> dict:
    """The summary as a report computes it: on the staged frame, with the engine imported
    (a report kernel is a fork of a process that has imported it)."""
    _paths()
    import pandas as pd

    import workbench.engine.aggregations
    import workbench.engine.local  # noqa: F401
    from workbench.summary import customer_summary

    t0 = time.perf_counter()
    tx = pd.read_parquet(data)
    tx["customer_id"] = tx["customer_id"].astype("str")  # as the loader stages it
    load = time.perf_counter() - t0
    _reset_hwm()
    c0, t0 = _cpu_s(), time.perf_counter()
    s = customer_summary(tx, as_of, unit="D", count_orders=False)
    seconds, cpu = time.perf_counter() - t0, _cpu_s() - c0
    s[COLUMNS].to_parquet(out)
    return {"tool": "report", "load_s": load, "summary_s": seconds, "cpu_s": cpu,
            "peak_mb": _hwm_mb(), "customers": len(s)}


def worker_ibis_duckdb(data: Path, as_of: str, out: Path, money: str) -> dict:
    """The summary on the Parquet file, read in place: connecting and reading are timed (the
    modules are imported before, as lifetimes' are)."""
    _paths()
    import ibis.backends.duckdb  # noqa: F401

    from workbench.engine import canonical_table, connect, customer_summary

    _reset_hwm()
    c0, t0 = _cpu_s(), time.perf_counter()
    with connect(data) as con:
        s = customer_summary(canonical_table(con, "transactions"), as_of, "D",
                             count_orders=False, money=money)
    seconds, cpu = time.perf_counter() - t0, _cpu_s() - c0
    s[COLUMNS].to_parquet(out)
    return {"tool": f"ibis_duckdb{'_decimal' if money == 'decimal' else ''}",
            "summary_s": seconds, "cpu_s": cpu, "peak_mb": _hwm_mb(), "customers": len(s)}


def worker_postgres(data: Path, as_of: str, out: Path) -> dict:
    """Start a server, COPY the log in (timed apart), run the summary in the server."""
    _paths()
    import duckdb
    from tests._postgres import PG_BIN, start_server, stop_server

    from workbench.engine import canonical_table, connect, customer_summary

    if not (PG_BIN / "initdb").exists():
        return {"tool": "postgres", "skipped": f"no PostgreSQL server binaries in {PG_BIN}"}
    root = Path(tempfile.mkdtemp(prefix="wb-pg-bench-"))
    server, datadir = start_server(root)
    try:
        t0 = time.perf_counter()
        csv = root / "tx.csv"
        with duckdb.connect() as con:
            con.execute(f"COPY (SELECT customer_id, order_id, order_date, amount FROM "
                        f"read_parquet('{data}')) TO '{csv}' (HEADER false)")
        with server.connect() as pg:
            pg.execute("CREATE TABLE transactions (customer_id text, order_id text, "
                       "order_date timestamp, amount numeric(14, 2))")
            with pg.cursor().copy("COPY transactions FROM STDIN (FORMAT csv)") as copy, \
                    open(csv, "rb") as f:
                while block := f.read(1 << 20):
                    copy.write(block)
            pg.execute("ANALYZE transactions")
        csv.unlink()
        load = time.perf_counter() - t0
        _reset_hwm()
        c0, t0 = _cpu_s(), time.perf_counter()
        with connect(server.url()) as con:
            con.backend.raw_sql("SET work_mem = '512MB'")
            s = customer_summary(canonical_table(con, "transactions"), as_of, "D",
                                 count_orders=False)
        seconds, cpu = time.perf_counter() - t0, _cpu_s() - c0
    finally:
        stop_server(datadir)
        subprocess.run(["rm", "-rf", str(root)], check=False)
    s[COLUMNS].to_parquet(out)
    return {"tool": "postgres", "load_s": load, "summary_s": seconds, "cpu_s": cpu,
            "peak_mb": _hwm_mb(), "customers": len(s),
            "note": "server memory not included; work_mem 512MB"}


def worker_spark(data: Path, as_of: str, out: Path) -> dict:
    _paths()
    from tests._spark import stop_spark

    from workbench.engine import canonical_table, connect, customer_summary

    settings = {"spark.master": "local[*]", "spark.driver.memory": "3g",
                "spark.sql.shuffle.partitions": str(4 * (os.cpu_count() or 2))}
    t0 = time.perf_counter()
    con = connect(data, "spark", spark=settings)
    start = time.perf_counter() - t0
    _reset_hwm()
    c0, t0 = _cpu_s(), time.perf_counter()
    s = customer_summary(canonical_table(con, "transactions"), as_of, "D", count_orders=False)
    seconds, cpu = time.perf_counter() - t0, _cpu_s() - c0
    driver_peak = _hwm_mb()
    stop_spark()  # the JVM exits, so its peak RSS is in RUSAGE_CHILDREN
    s[COLUMNS].to_parquet(out)
    return {"tool": "spark", "load_s": start, "summary_s": seconds, "cpu_s": cpu,
            "peak_mb": driver_peak + _children_peak_mb(), "customers": len(s),
            "note": "load = session start; CPU is the Python driver's only"}


#: Fixed stage rules (days) for the lifecycle benchmark, so both tools use the same ones.
LIFECYCLE_RULES = {"new_days": 60, "at_risk_days": 60, "churn_days": 180,
                   "loyal_min_purchases": 4}
LIFECYCLE_MONTHS = 12


def worker_lifecycle(data: Path, as_of: str, out: Path, tool: str) -> dict:
    """Customers per stage at 12 month ends: the lifecycle report's PurchaseHistory on a pandas
    frame (``lifecycle_report``, its read timed apart) or workbench.engine on the Parquet
    file."""
    _paths()
    import ibis.backends.duckdb  # noqa: F401  (imported before timing, as lifetimes is)
    import pandas as pd

    from workbench.lifecycle.stages import PurchaseHistory, StageRules, monthly_snapshots

    rules = StageRules(**LIFECYCLE_RULES)
    dates = monthly_snapshots(pd.Timestamp(as_of), LIFECYCLE_MONTHS)
    load = 0.0
    if tool == "lifecycle_report":
        import workbench.engine.stages  # noqa: F401  (imported by the fork server in a run)

        t0 = time.perf_counter()
        tx = pd.read_parquet(data, columns=["customer_id", "order_date", "amount"])
        load = time.perf_counter() - t0
    _reset_hwm()
    c0, t0 = _cpu_s(), time.perf_counter()
    if tool == "lifecycle_report":
        counts = PurchaseHistory(tx).stage_counts(dates, rules)
    else:
        from workbench.engine import canonical_table, connect, stage_counts

        with connect(data) as con:
            counts = stage_counts(canonical_table(con, "transactions"), dates, rules)
    seconds, cpu = time.perf_counter() - t0, _cpu_s() - c0
    counts.assign(snapshot=counts["snapshot"].astype("datetime64[us]")).to_parquet(out)
    return {"tool": tool, "load_s": load, "summary_s": seconds, "cpu_s": cpu,
            "peak_mb": _hwm_mb(), "customers": int(counts["customers"].sum())}


def worker_lake(folder: Path, parts: int, customers: int, transactions: int, seed: int) -> dict:
    """``parts`` logs of bench_summary's generator (seeds seed, seed + 1, ...), their ids
    prefixed with the part number so customers and orders are distinct, as one Parquet
    dataset ``folder/part-NNN.parquet``; parts already there are kept."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    t0, rows = time.perf_counter(), 0
    for i in range(parts):
        path = folder / f"part-{i:03d}.parquet"
        if not path.exists():
            scratch = folder / f".part-{i:03d}.raw"
            worker_generate(scratch, customers, transactions, seed + i)
            table = pq.read_table(scratch)
            prefix = pa.scalar(f"{i:03d}")
            for col in ("customer_id", "order_id"):
                table = table.set_column(table.schema.get_field_index(col), col,
                                         pc.binary_join_element_wise(prefix, table[col], ""))
            pq.write_table(table, path.with_suffix(".tmp"))
            os.replace(path.with_suffix(".tmp"), path)
            scratch.unlink()
        rows += pq.ParquetFile(path).metadata.num_rows
    return {"rows": rows, "seconds": time.perf_counter() - t0,
            "bytes": sum(p.stat().st_size for p in folder.glob("part-*.parquet"))}


def worker_lake_tool(pattern: str, as_of: str, out: Path, tool: str) -> dict:
    """The summary or the lifecycle stage counts on the lake, DuckDB capped at 4 GB."""
    _paths()
    import pandas as pd

    from workbench.engine import canonical_table, connect, customer_summary, stage_counts
    from workbench.lifecycle.stages import StageRules, monthly_snapshots

    _reset_hwm()
    c0, t0 = _cpu_s(), time.perf_counter()
    with connect(pattern, memory_limit="4GB") as con:
        table = canonical_table(con, "transactions")
        if tool == "lake_summary":
            result = customer_summary(table, as_of, "D", count_orders=False)
            n = len(result)
        else:
            dates = monthly_snapshots(pd.Timestamp(as_of), LIFECYCLE_MONTHS)
            result = stage_counts(table, dates, StageRules(**LIFECYCLE_RULES))
            n = int(result["customers"].sum())
    seconds, cpu = time.perf_counter() - t0, _cpu_s() - c0
    return {"tool": tool, "summary_s": seconds, "cpu_s": cpu, "peak_mb": _hwm_mb(),
            "customers": n}


def worker_validate(folder: Path, only_transactions: bool) -> dict:
    """``load_dataset`` on ``folder`` (or on its transactions.csv alone, linked into a
    temporary folder): wall and CPU seconds, peak memory of this process, rows per table."""
    _paths()
    import workbench.engine.load
    import workbench.io  # imported before the clock starts, as a workbench run has it

    with tempfile.TemporaryDirectory() as tmp:
        if only_transactions:
            (Path(tmp) / "transactions.csv").symlink_to(folder / "transactions.csv")
            folder = Path(tmp)
        _reset_hwm()
        c0, t0 = _cpu_s(), time.perf_counter()
        data = workbench.io.load_dataset(folder)
        seconds, cpu = time.perf_counter() - t0, _cpu_s() - c0
    report = data.quality
    return {"tool": "validate" if only_transactions else "validate_demo", "summary_s": seconds,
            "cpu_s": cpu, "peak_mb": _hwm_mb(), "engine": data.provenance.get("engine"),
            "rows_read": {t: r.rows_read for t, r in report.tables.items()},
            "rows_kept": {t: r.rows_kept for t, r in report.tables.items()},
            "set_aside": report.rows_set_aside(), "load": _loadavg()}


def _same(a: Path, b: Path) -> int:
    """Customers whose x, t_x, T or mean_repeat_value differ (exactly) between two results."""
    import pandas as pd

    left, right = pd.read_parquet(a), pd.read_parquet(b)
    if len(left) != len(right) or (left["customer_id"] != right["customer_id"]).any():
        return max(len(left), len(right))
    bad = (left[COLUMNS[1:]].fillna(-1.0) != right[COLUMNS[1:]].fillna(-1.0)).any(axis=1)
    return int(bad.sum())


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        kind, rest = sys.argv[2], sys.argv[3:]
        args3 = (Path(rest[0]), rest[1], Path(rest[2])) if len(rest) >= 3 else ()
        if kind == "generate":
            result = worker_generate(Path(rest[0]), int(rest[1]), int(rest[2]), int(rest[3]))
        elif kind == "report":
            result = worker_report(*args3)
        elif kind in ("ibis_duckdb", "ibis_duckdb_decimal"):
            result = worker_ibis_duckdb(*args3, "decimal" if kind.endswith("decimal") else "integer")
        elif kind == "lifetimes":
            result = worker_lifetimes(*args3)
            result["peak_mb"] = result["peak_process_mb"]
        elif kind == "postgres":
            result = worker_postgres(*args3)
        elif kind == "spark":
            result = worker_spark(*args3)
        elif kind in ("lifecycle_report", "lifecycle_ibis"):
            result = worker_lifecycle(*args3, kind)
        elif kind == "lake":
            result = worker_lake(Path(rest[0]), *(int(x) for x in rest[1:5]))
        elif kind in ("lake_summary", "lake_lifecycle"):
            result = worker_lake_tool(rest[0], rest[1], Path(rest[2]), kind)
        elif kind in VALIDATE_TOOLS:
            result = worker_validate(Path(rest[0]), kind == "validate")
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
                    help="runs of the in-process tools (PostgreSQL and Spark run once)")
    ap.add_argument("--data-dir", type=Path, default=DATA_DIR)
    ap.add_argument("--tools", default=",".join(DEFAULT_TOOLS))
    ap.add_argument("--lake-parts", type=int, default=10,
                    help="for lake_summary / lake_lifecycle: parts of --transactions lines each "
                         "(10 x 10M = 100M lines, generated once)")
    ap.add_argument("--validate-data", type=Path, default=DEFAULT_VALIDATE_DATA,
                    help="for validate / validate_demo: a demo folder (workbench demo "
                         "--customers 1000000 writes one)")
    args = ap.parse_args()
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        raise SystemExit(f"unknown tool(s) {', '.join(sorted(unknown))}; choose from {TOOLS}")
    validations = [t for t in tools if t in VALIDATE_TOOLS]
    tools = [t for t in tools if t not in VALIDATE_TOOLS]
    if validations:
        _report_validations(validations, args.validate_data, args.repeat)
        if not tools:
            return 0

    data = args.data_dir / f"tx_c{args.customers}_t{args.transactions}_s{args.seed}.parquet"
    if data.exists():
        print(f"reusing {data} ({data.stat().st_size / 2**20:.0f} MiB)")
    else:
        g = run_worker(__file__, sys.executable, "generate", str(data), str(args.customers),
                       str(args.transactions), str(args.seed))
        print(f"generated {data}: {g['rows']:,} lines, {g['customers']:,} customers, "
              f"{g['bytes'] / 2**20:.0f} MiB in {g['seconds']:.1f} s")
    lake = args.data_dir / (f"lake_c{args.customers}_t{args.transactions}_s{args.seed}"
                            f"_x{args.lake_parts}")
    if any(t.startswith("lake_") for t in tools):
        g = run_worker(__file__, sys.executable, "lake", str(lake), str(args.lake_parts),
                       str(args.customers), str(args.transactions), str(args.seed))
        print(f"lake {lake}: {g['rows']:,} lines in {args.lake_parts} parts, "
              f"{g['bytes'] / 2**20:.0f} MiB ({g['seconds']:.0f} s to generate or check)")
    pythons = {t: sys.executable for t in tools}
    if "lifetimes" in tools:
        pythons["lifetimes"] = ensure_lifetimes_venv()
    print(f"load average before the runs: {_loadavg()} (other jobs on the machine skew times)")
    outs = {t: args.data_dir / f"engines_{t}.parquet" for t in tools}
    results: dict[str, dict] = {}
    for tool in tools:
        runs = []
        for i in range(1 if tool in ("postgres", "spark") else args.repeat):
            source = str(lake / "part-*.parquet") if tool.startswith("lake_") else str(data)
            r = run_worker(__file__, pythons[tool], tool, source, args.as_of, str(outs[tool]))
            if "skipped" in r:
                print(f"{tool}: skipped ({r['skipped']})")
                break
            print(f"{tool} run {i + 1}: summary {r['summary_s']:.2f} s, peak "
                  f"{r['peak_mb'] / 1024:.2f} GB" + (f", load {r['load_s']:.1f} s"
                                                     if r.get("load_s") else ""), flush=True)
            runs.append(r)
        if runs:
            best = min(runs, key=lambda r: r["summary_s"])
            best["peak_mb"] = max(r["peak_mb"] for r in runs)
            results[tool] = best
    print(f"load average after the runs: {_loadavg()}")

    mismatches = 0
    if "lifecycle_report" in results and "lifecycle_ibis" in results:
        import pandas as pd

        same = pd.read_parquet(outs["lifecycle_report"]).equals(
            pd.read_parquet(outs["lifecycle_ibis"]))
        print(f"lifecycle stage counts, engine vs report: {'equal' if same else 'DIFFER'}")
        mismatches += 0 if same else 1
    if "report" in results:
        for tool in results:
            if tool not in ("report", "lifetimes", "lifecycle_report", "lifecycle_ibis"):
                bad = _same(outs["report"], outs[tool])
                print(f"{tool} vs report: {bad:,} customers differ")
                mismatches += bad
        if "lifetimes" in results:
            mismatches += compare(outs["report"], outs["lifetimes"])

    print(f"\n{args.transactions:,} lines, {args.customers:,} customers, as_of {args.as_of}, "
          f"{os.cpu_count()} CPUs; best of {args.repeat} (PostgreSQL, Spark: one run), "
          "memory the max")
    if any(t.startswith("lake_") for t in results):
        print(f"lake_*: {args.lake_parts} x {args.transactions:,} lines, "
              f"{args.lake_parts * args.customers:,} customers, DuckDB memory_limit 4 GB")
    head = (f"| {'tool':<20} | {'summary s':>9} | {'load/start s':>12} | {'peak GB':>7} | "
            f"{'vs report':>9} | {'lifetimes / tool':>16} |")
    print(head + "\n|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|")
    sql_s = results.get("report", {}).get("summary_s")
    lt_s = results.get("lifetimes", {}).get("summary_s")
    life_s = results.get("lifecycle_report", {}).get("summary_s")
    for tool, r in results.items():
        base = (life_s if tool.startswith("lifecycle") else None if tool.startswith("lake")
                else sql_s)
        vs_sql = f"{r['summary_s'] / base:.2f}x" if base else "n/a"
        vs_lt = (f"{lt_s / r['summary_s']:.1f}x" if lt_s and not tool.startswith(("lifecycle", "lake"))
                 else "n/a")
        load = f"{r['load_s']:.1f}" if r.get("load_s") else ""
        print(f"| {tool:<20} | {r['summary_s']:>9.2f} | {load:>12} | {r['peak_mb'] / 1024:>7.2f} | "
              f"{vs_sql:>9} | {vs_lt:>16} |")
    for tool, r in results.items():
        if r.get("note"):
            print(f"  {tool}: {r['note']}")
    print(f"\nmismatches == 0: {mismatches:,} {'PASS' if mismatches == 0 else 'FAIL'}")
    return 1 if mismatches else 0


def _report_validations(tools: list[str], folder: Path, repeat: int) -> None:
    """Run and print the loading benchmarks (best time of ``repeat`` runs, the max peak)."""
    if not (folder / "transactions.csv").is_file():
        raise SystemExit(f"{folder}: no transactions.csv; generate a demo folder first")
    print(f"validate: load_dataset on {folder}; load average before: {_loadavg()}")
    head = (f"| {'tool':<14} | {'engine':>7} | {'lines read':>11} | {'seconds':>8} | "
            f"{'CPU s':>7} | {'peak GB':>7} | {'load avg':>16} |")
    rows = []
    for tool in tools:
        runs = [run_worker(__file__, sys.executable, tool, str(folder)) for _ in range(repeat)]
        for i, r in enumerate(runs):
            print(f"{tool} run {i + 1}: {r['summary_s']:.1f} s, CPU {r['cpu_s']:.1f} s, peak "
                  f"{r['peak_mb'] / 1024:.2f} GB, load {r['load']}", flush=True)
        best = min(runs, key=lambda r: r["summary_s"])
        best["peak_mb"] = max(r["peak_mb"] for r in runs)
        rows.append(best)
    print(head + "\n|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|")
    for r in rows:
        lines = sum(r["rows_read"].values())
        print(f"| {r['tool']:<14} | {r['engine']:>7} | {lines:>11,} | {r['summary_s']:>8.1f} | "
              f"{r['cpu_s']:>7.1f} | {r['peak_mb'] / 1024:>7.2f} | {r['load']:>16} |")
    for r in rows:
        lines = sum(r["rows_read"].values())
        per_15m = r["summary_s"] * 15e6 / lines
        met = per_15m <= VALIDATE_TARGET_S and r["peak_mb"] <= VALIDATE_TARGET_MB
        print(f"  {r['tool']}: {r['rows_read']} lines read, {r['set_aside']:,} set aside; "
              f"{per_15m:.1f} s per 15M lines, peak {r['peak_mb'] / 1024:.2f} GB: target "
              f"({VALIDATE_TARGET_S:.0f} s, {VALIDATE_TARGET_MB / 1024:.0f} GB) "
              f"{'met' if met else 'NOT met'}")


if __name__ == "__main__":
    sys.exit(main())
