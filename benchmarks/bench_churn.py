"""Benchmark churn feature building and model training on one million customers.

Reuses the ``bench_summary.py`` log (10M lines, 1M customers, 2023-2024; generated there if
missing). Cutoff 2024-09-30, label window 90 days. Times, in one process:
1. ``transactional_data``: features at the cutoff (DuckDB pass over the lines up to it) and
   labels from the 90 days after;
2. fitting the logistic regression and the gradient boosting pipelines on all labelled
   customers (no cross-validation: one training run each);
3. scoring everyone.
Target: feature building + training under 2 minutes.

With ``--data-dir`` (a demo folder such as ``benchmarks/_data/suite/demo200k``) it instead times
the churn report's own calls on that data: ``churn.analyse`` (six monthly cutoffs, model
comparison, leakage check, BG/NBD baseline, scoring, reasons) and ``churn.importance``, with the
``stages`` and ``comments`` results computed beforehand as earlier reports of a run do. It
prints wall and CPU seconds of each step, the peak RSS after loading (GB) and the model
scores. Target: at most 60 s wall for 200,000 customers on 2 cores.

Run: ``.venv/bin/python benchmarks/bench_churn.py [--data-dir DIR]``.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from sklearn.metrics import roc_auc_score

from workbench import churn
from workbench.churn.model import _prepare

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "_data" / "tx_c1000000_t10000000_s0.parquet"
CUTOFF = pd.Timestamp("2024-09-30")


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # all threads of this process
    return usage.ru_utime + usage.ru_stime


def _hwm_gb() -> float:
    """Peak RSS (GB) since start or since the last reset (``/proc/self/clear_refs``)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def report_calls(data_dir: Path) -> int:
    """Time ``churn.analyse`` and ``churn.importance`` on a demo folder, as the report calls them."""
    from workbench.feedback import comments_result
    from workbench.io import load_dataset
    from workbench.lifecycle import PurchaseHistory

    start = time.perf_counter()
    dataset = load_dataset(data_dir)
    as_of = dataset.last_date
    comments = comments_result(dataset.feedback, as_of) if dataset.feedback is not None else None
    stages = churn.stages_at(PurchaseHistory(dataset.transactions), as_of)
    print(f"loaded {data_dir} and computed stages and comments in "
          f"{time.perf_counter() - start:.1f} s (not timed below)", flush=True)
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # peak RSS from here on
    except OSError:
        pass
    steps = {}
    wall, cpu = time.perf_counter(), _cpu_s()
    result = churn.analyse(dataset, as_of, random_state=0, stages=stages, comments=comments)
    steps["churn.analyse"] = (time.perf_counter() - wall, _cpu_s() - cpu)
    wall, cpu = time.perf_counter(), _cpu_s()
    churn.importance(result.report, result.data, random_state=0)
    steps["churn.importance"] = (time.perf_counter() - wall, _cpu_s() - cpu)
    print(f"{len(result.data.label):,} training rows, {len(result.current):,} customers scored")
    for step, (seconds, cpu_seconds) in steps.items():
        print(f"  {step:<20} {seconds:7.1f} s wall {cpu_seconds:7.1f} s CPU")
    total = sum(seconds for seconds, _ in steps.values())
    print(f"  {'total':<20} {total:7.1f} s wall   target <= 60 s: {'PASS' if total <= 60 else 'FAIL'}"
          f"   (load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])})")
    print(f"  peak RSS after loading {_hwm_gb():.2f} GB")
    print(result.report.scores.round(4).to_string())
    if result.leakage:
        print(f"leakage check: ROC-AUC {result.leakage['auc_without']:.4f} without, "
              f"{result.leakage['auc_with']:.4f} with {result.leakage['attributes']}")
    print(f"BG/NBD baselines: {result.baseline_auc}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="a demo folder: time the churn report's calls on it instead")
    args = parser.parse_args()
    if args.data_dir is not None:
        return report_calls(args.data_dir)
    if not DATA.exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_summary.py"), "--worker",
                        "generate", str(DATA), "1000000", "10000000", "0"], check=True)
    tx = pd.read_parquet(DATA, columns=["customer_id", "order_date", "amount"])
    timings = {}
    start = time.perf_counter()
    data = churn.transactional_data(tx, [CUTOFF], horizon_days=90)
    timings["features + labels"] = time.perf_counter() - start
    X = _prepare(data.X)
    y = data.label.to_numpy()
    models = {}
    for kind in ("logistic", "gradient_boosting"):
        start = time.perf_counter()
        models[kind] = churn.make_model(kind, X).fit(X, y)
        timings[f"train {kind}"] = time.perf_counter() - start
    start = time.perf_counter()
    scores = {kind: model.predict_proba(X)[:, 1] for kind, model in models.items()}
    timings["score everyone (both models)"] = time.perf_counter() - start
    total = sum(v for k, v in timings.items() if not k.startswith("score"))
    print(f"{len(data.label):,} labelled customers (active at {CUTOFF.date()}), "
          f"{X.shape[1]} features, churn rate {y.mean():.1%}")
    for step, seconds in timings.items():
        print(f"  {step:<32} {seconds:7.2f} s")
    print(f"  {'features + training':<32} {total:7.2f} s   target < 120 s: "
          f"{'PASS' if total < 120 else 'FAIL'}")
    print(f"  peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GB")
    print("in-sample ROC-AUC (sanity only): "
          + ", ".join(f"{k} {roc_auc_score(y, s):.3f}" for k, s in scores.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
