"""The suite benchmark's own pieces: data cache names, Parquet copy, memory probe, table."""

import importlib.util
import subprocess
import sys
import time

import pyarrow.parquet as pq
import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def bench():
    path = ROOT / "benchmarks" / "bench_suite.py"
    spec = importlib.util.spec_from_file_location("bench_suite", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_suite"] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("bench_suite", None)


def test_size_labels(bench):
    assert bench.size_label(200_000) == "demo200k" and bench.size_label(1_000_000) == "demo1000k"
    assert bench.size_label(2500) == "demo2500"


def test_parquet_copy_keeps_text_as_text(bench, tmp_path):
    csv = tmp_path / "transactions.csv"
    csv.write_text("customer_id,amount,channel\n007,1.50,app\n012,,\n", encoding="utf-8")
    bench._csv_to_parquet(csv, tmp_path / "transactions.parquet")
    table = pq.read_table(tmp_path / "transactions.parquet")
    assert table.column("customer_id").to_pylist() == ["007", "012"]  # leading zeros kept
    assert table.column("amount").to_pylist() == ["1.50", None]  # empty cell: missing
    assert str(table.schema.field("amount").type) == "string"


def test_memory_probe_sees_a_child_allocation(bench):
    code = "import time; b = bytearray(300 * 2**20); b[::4096] = b'x' * len(b[::4096]); time.sleep(1.5)"
    parent = subprocess.Popen([sys.executable, "-c",
                               f"import subprocess, sys; subprocess.run([sys.executable, '-c', {code!r}])"])
    probe = bench.MemoryProbe(parent.pid, interval=0.05).start()
    parent.wait()
    time.sleep(0.1)
    probe.stop()
    assert probe.sum_rss_kb > 300 * 1024  # the grandchild's 300 MiB counted in the sum
    assert probe.largest_kb > 300 * 1024 and probe.largest_what == "other"
    assert probe.runner_kb < 300 * 1024  # the parent itself stayed small


def test_table_gives_ratios_baseline_over_current(bench):
    def run(label, seconds, peak, wall):
        return {"label": label, "exit_code": 0, "wall_s": wall, "jobs": 2, "largest_gb": peak,
                "largest_what": "churn", "sum_rss_gb": 2 * peak, "sum_pss_gb": peak,
                "runner_gb": 0.4,
                "reports": {"churn": {"status": "ok", "seconds": seconds, "peak_gb": peak}}}

    text = bench.table(200_000, {"baseline": run("baseline c6bc1c9", 184.0, 2.7, 301.0),
                                 "current": run("current", 46.0, 0.9, 120.0)})
    churn = next(line for line in text.splitlines() if line.startswith("| churn "))
    assert churn == "| churn | 184.0 | 46.0 | 4.00x | 2.70 | 0.90 | 3.00x |"
    assert "| **run**: wall s / largest process | 301.0 | 120.0 | 2.51x |" in text
    only = bench.table(200_000, {"current": run("current", 46.0, 0.9, 120.0)})
    assert "ratio" not in only and "| churn | 46.0 | 0.90 |" in only
