"""Exports written by pyarrow have the bytes pandas would write (issue "One run, one truth":
the 1M-customer suite spent over a minute formatting CSV in pandas)."""

import numpy as np
import pandas as pd
import pytest

from workbench import csvtext
from workbench.safety import neutralise_formulas, write_csv

_WORDS = ["plain", "with, comma", 'say "hi"', "", "中文，全角", "two\nlines", "cr\rinside",
          "=SUM(A1)", "+86 138", "-minus", "@at", "\ttab", "\rreturn", " lead", "trail ",
          "x" * 50, "'quoted'", "a,b\"c\nd"]


def _frame(rng: np.random.Generator, n: int) -> pd.DataFrame:
    words = np.array(_WORDS, dtype=object)
    text = words[rng.integers(0, len(words), n)].copy()
    text[rng.random(n) < 0.1] = None
    floats = rng.choice([0.1, -0.0, 1e-05, 1 / 3, 1299.0, 1e16, 2.5e-300, np.inf, np.nan,
                         123456.789], n) * rng.choice([1.0, -1.0], n)
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    dates = pd.Series(days).where(rng.random(n) > 0.1)
    return pd.DataFrame({
        "customer_id": pd.Series([f"{i:07d}" for i in range(n)], dtype="str"),
        "text_obj": text,
        "text_str": pd.Series(text, dtype="str"),
        "text_arrow": pd.Series(text, dtype="string[pyarrow]"),
        "amount": floats,
        "f32": floats.astype(np.float32),
        "count": rng.integers(-5, 10**12, n),
        "small": rng.integers(0, 200, n).astype(np.uint8),
        "flag": rng.random(n) < 0.5,
        "nullable": pd.Series(rng.integers(-3, 10**6, n), dtype="Int64").mask(rng.random(n) < 0.2),
        "nullable_u8": pd.Series(rng.integers(0, 255, n), dtype="UInt8").mask(rng.random(n) < 0.2),
        "day": dates,
    })


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_export_bytes_are_those_of_pandas(tmp_path, monkeypatch, seed):
    monkeypatch.setattr(csvtext, "CSV_CHUNK_ROWS", 7)  # many blocks, a short last one
    frame = _frame(np.random.default_rng(seed), 200)
    assert csvtext.supported(frame)
    expected = neutralise_formulas(frame).to_csv(index=False, lineterminator="\n")
    path = write_csv(frame, tmp_path / "a.csv")
    assert path.read_bytes() == b"\xef\xbb\xbf" + expected.encode("utf-8")
    assert "'=SUM(A1)" in path.read_text(encoding="utf-8-sig")  # neutralised, as before


@pytest.mark.parametrize("column", [
    pd.Series(pd.Categorical(["a", "b", None, "a"])),
    pd.Series([1.5, None, 3, 4], dtype="Float64"),
    pd.Series(pd.to_datetime(["2024-01-01 10:30", None, "2024-02-01 00:00", "2024-03-01 00:00"])),
    pd.Series([1, "two", 3.0, None], dtype=object),
    pd.Series(pd.to_datetime(["2024-01-01"] * 4)).dt.tz_localize("Asia/Shanghai"),
])
def test_other_dtypes_are_left_to_pandas_with_the_same_bytes(tmp_path, column):
    frame = pd.DataFrame({"id": ["=1", "b", "c", "d"], "value": column})
    assert not csvtext.supported(frame)
    expected = neutralise_formulas(frame).to_csv(index=False, lineterminator="\n")
    assert write_csv(frame, tmp_path / "b.csv", excel_bom=False).read_bytes() == \
        expected.encode("utf-8")


def test_a_single_column_or_repeated_names_are_left_to_pandas(tmp_path):
    one = pd.DataFrame({"a": ["", "x"]})
    assert not csvtext.supported(one)
    assert write_csv(one, tmp_path / "one.csv", excel_bom=False).read_text() == 'a\n""\nx\n'
    twice = pd.DataFrame([[1, 2]], columns=["a", "a"])
    assert not csvtext.supported(twice)
    assert write_csv(twice, tmp_path / "twice.csv", excel_bom=False).read_text() == "a,a\n1,2\n"


def test_empty_export_writes_its_header(tmp_path):
    frame = pd.DataFrame({"a": pd.Series([], dtype="str"), "b": np.array([], dtype=float)})
    assert write_csv(frame, tmp_path / "e.csv", excel_bom=False).read_text() == "a,b\n"


def test_times_of_day_are_refused_not_cut(tmp_path):
    stamps = pd.Series(pd.to_datetime(["2024-01-01 10:30", "2024-01-02 00:00"]))
    with pytest.raises(TypeError, match="times of day"):
        csvtext.csv_field(stamps)
