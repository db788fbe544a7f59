"""The answers do not depend on how the source orders its rows.

A database table has no row order (PostgreSQL puts a row wherever a page has room, so its scan
order is not the order the rows were written in), and the same export can come out of a system
sorted another way. Every report of the tiny demo, run on its files with the rows of every
table shuffled, gives the exports and metrics of the run on the files as they are (floats
within 1e-9; only the line numbers quoted as examples of rows set aside differ).
"""

from __future__ import annotations

import json
import random

import numpy as np
import pandas as pd
import pytest

from tests.test_run_sources import export_differences, metrics_differences
from workbench.cli import main
from workbench.features import canonical_rows
from workbench.summary import exact_sum, exact_units


def _shuffled_copy(folder, target, seed: int = 7) -> int:
    """``folder``'s CSV files with their data lines shuffled (headers first); lines moved."""
    target.mkdir()
    moved = 0
    for path in sorted(folder.glob("*.csv")):
        header, *lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        order = list(range(len(lines)))
        random.Random(seed).shuffle(order)
        moved += sum(i != j for i, j in enumerate(order))
        (target / path.name).write_text(header + "".join(lines[i] for i in order),
                                        encoding="utf-8")
    for path in folder.iterdir():
        if path.suffix != ".csv" and path.is_file():
            (target / path.name).write_bytes(path.read_bytes())
    return moved


@pytest.mark.slow
def test_every_report_is_the_same_with_the_rows_shuffled(tiny_demo, rendered, tmp_path):
    shuffled = tmp_path / "shuffled"
    assert _shuffled_copy(tiny_demo, shuffled) > 1000
    out = tmp_path / "out"
    code = main(["run", "--data", str(shuffled), "--out", str(out), "--lang", "en", "--quiet",
                 "--jobs", "2"])
    assert code == 0
    baseline = rendered["en"]
    problems, files, rows = export_differences(baseline, out)
    assert files >= 13 and rows > 1000
    assert problems == []
    assert metrics_differences(
        json.loads((baseline / "metrics.json").read_text(encoding="utf-8")),
        json.loads((out / "metrics.json").read_text(encoding="utf-8"))) == []


def test_canonical_rows_depend_on_values_only():
    frame = pd.DataFrame({
        "source_row": [2, 3, 4, 5, 6],
        "customer_id": ["b", "a", "a", "b", "a"],
        "submitted_at": pd.to_datetime(["2024-01-02", "2024-01-01", "2024-01-01",
                                        "2024-01-02", "2024-01-01"]),
        "nps": [3.0, np.nan, 9.0, 1.0, 9.0],
        "tags": [["x"], [], ["y"], None, ["z"]],  # lists: not a sort key
    })
    ours = canonical_rows(frame, ("submitted_at", "customer_id"))
    for seed in range(5):
        other = frame.sample(frac=1, random_state=seed)
        theirs = canonical_rows(other, ("submitted_at", "customer_id"))
        pd.testing.assert_frame_equal(ours.drop(columns=["source_row", "tags"]).reset_index(drop=True),
                                      theirs.drop(columns=["source_row", "tags"]).reset_index(drop=True))
    assert ours["customer_id"].tolist() == ["a", "a", "a", "b", "b"]
    # then the other values, missing last; rows equal in every value in source order
    assert ours["nps"].fillna(-1).tolist() == [9.0, 9.0, -1, 1.0, 3.0]
    assert ours["source_row"].tolist() == [4, 6, 3, 5, 2]


def test_exact_money_sums_ignore_the_order():
    values = pd.Series([0.1] * 10 + [1e6, -1e6, 0.2, 1.005, -2.675])
    sums = {exact_sum(values.sample(frac=1, random_state=s)) for s in range(20)}
    floats = {float(values.sample(frac=1, random_state=s).sum()) for s in range(20)}
    assert sums == {-0.47} and len(floats) > 1  # floats added in another order differ
    assert exact_units(pd.Series([1.005, -2.675, None])).tolist() == [10050, -26750, 0]
