"""The demo's CSV writer gives the bytes of ``DataFrame.to_csv`` (issue "One run, one truth")."""

import numpy as np
import pandas as pd
import pytest

from workbench import csvtext, demo
from workbench.demo import _write_csv


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "id": np.array(["0001", "0002", "0003", "0004", "0005"]),
        "amount": np.array([12.5, -0.0, -3.07, 1299.0, 0.01]),
        "count": np.array([1, -2, 0, 40, 7], dtype=np.int64),
        "flag": np.array([True, False, True, True, False]),
        "rate": np.array([0.1, np.nan, 1e-05, 2.5, 1 / 3]),
        "text": ["plain", "with, comma", 'say "hi"', "", "中文，全角"],
        "when": pd.Series(["2024-01-05 10:00:00", "", "x", "y", "z"], dtype="str"),
    })


@pytest.mark.parametrize("float_format", [None, "%.2f"])
def test_bytes_equal_to_csv(tmp_path, monkeypatch, float_format):
    monkeypatch.setattr(csvtext, "CSV_CHUNK_ROWS", 2)  # three blocks of rows
    frame = _frame()
    _write_csv(frame, tmp_path / "a.csv", float_format=float_format)
    expected = frame.to_csv(index=False, lineterminator="\n", float_format=float_format)
    assert (tmp_path / "a.csv").read_bytes() == expected.encode("utf-8")
    as_arrays = {name: frame[name].to_numpy() for name in frame}
    _write_csv(as_arrays, tmp_path / "b.csv", float_format=float_format)
    assert (tmp_path / "b.csv").read_bytes() == expected.encode("utf-8")


def test_amounts_that_are_not_whole_cents_are_rounded_like_printf(tmp_path):
    frame = pd.DataFrame({"amount": [0.125, 2.675, -1.005, 1e6 / 3]})
    _write_csv(frame, tmp_path / "a.csv", float_format="%.2f")
    expected = frame.to_csv(index=False, lineterminator="\n", float_format="%.2f")
    assert (tmp_path / "a.csv").read_text(encoding="utf-8") == expected


def test_empty_table_writes_its_header(tmp_path):
    _write_csv(pd.DataFrame({"a": [], "b": []}), tmp_path / "e.csv")
    assert (tmp_path / "e.csv").read_text(encoding="utf-8") == "a,b\n"


#: SHA-256 (first 16 hex digits) of the files of ``generate_demo(customers=500, seed=3)`` as
#: written by revision c6bc1c9, before the generator was vectorised and its writer replaced.
BASELINE_500_SEED_3 = {
    "transactions.csv": "e26042fb8d407042",
    "customers.csv": "28b8e21f877467ff",
    "feedback.csv": "dcab529f69e6f34c",
    "events.csv": "257871819b9d7288",
    "truth/customers.csv": "41cb0b80c9a20f8a",
    "truth/comments.csv": "c52c053174d73858",
    "truth/category_affinity.csv": "7e2ed974fa9c5a17",
    "truth/params.json": "4990b8d0f9384fa4",
}


def test_demo_files_are_those_of_the_baseline(tmp_path):
    import hashlib

    demo.generate_demo(tmp_path, customers=500, seed=3, campaigns=False)
    got = {name: hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()[:16]
           for name in BASELINE_500_SEED_3}
    assert got == BASELINE_500_SEED_3
