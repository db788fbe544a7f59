"""A small generated demo analysed once per test session, shared by the churn test files."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

CUSTOMERS, SEED = 3000, 1


@cache
def demo_result(folder: Path):
    """(folder, dataset, churn result, truth)."""
    from workbench import churn
    from workbench.demo import generate_demo
    from workbench.io import load_dataset

    generate_demo(folder, customers=CUSTOMERS, seed=SEED, campaigns=False)
    dataset = load_dataset(folder)
    result = churn.analyse(dataset, dataset.last_date)
    truth = pd.read_csv(folder / "truth" / "customers.csv", dtype={"customer_id": str})
    return folder, dataset, result, truth


def shared_demo(tmp_path_factory) -> tuple:
    base = tmp_path_factory.getbasetemp() / "churn_demo_3000"
    return demo_result(base)
