"""Benchmark churn feature building and model training on one million customers.

Reuses the ``bench_summary.py`` log (10M lines, 1M customers, 2023-2024; generated there if
missing). Cutoff 2024-09-30, label window 90 days. Times, in one process:
1. ``transactional_data``: features at the cutoff (DuckDB pass over the lines up to it) and
   labels from the 90 days after;
2. fitting the logistic regression and the gradient boosting pipelines on all labelled
   customers (no cross-validation: one training run each);
3. scoring everyone.
Target: feature building + training under 2 minutes.

Run: ``.venv/bin/python benchmarks/bench_churn.py``.
"""

from __future__ import annotations

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


def main() -> int:
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
