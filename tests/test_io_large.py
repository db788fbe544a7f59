"""The loader's fast paths (issue "One run, one truth", Performance) read what pandas reads.

pyarrow reads plain CSV files; pandas keeps the files whose fields could be read differently.
Text columns are parsed once per distinct value, and exact duplicates come from those codes.
Small files and frames built in each test.
"""

import io

import numpy as np
import pandas as pd
import pytest

from workbench.io import (
    _duplicated_rows,
    _read_delimited_fast,
    _Utf8Source,
    load_dataset,
    read_table_file,
)
from workbench.parsing import Distinct, parse_amounts, parse_dates, parse_ids


def _pandas(text: str, sep: str = ",") -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                       skipinitialspace=True, skip_blank_lines=True)


PLAIN = [
    'customer_id,comment,amount\n001,"slow,rude staff",12.50\n002,"say ""hi""",7\n',
    "客户ID,下单时间,实付金额\r\n007,2024年1月5日,￥88\r\n008,2024/1/6,1.299,00\r\n"
    .replace("1.299,00", '"1.299,00"'),
    "a,b\n\n1,\n\n2,x",  # blank lines, empty field, no final newline
    'a;b\n1;"two\nlines"\n3;ab""c\n',  # quoted newline, quotes inside an unquoted field
]


@pytest.mark.parametrize("text", PLAIN)
def test_fast_reader_reads_plain_files_as_pandas_does(text):
    sep = ";" if text.startswith("a;") else ","
    fast = _read_delimited_fast(_Utf8Source(text.encode("utf-8"), "utf-8"), sep)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, _pandas(text, sep))


@pytest.mark.parametrize("text", [
    "a,b\n1, x\n",            # pandas skips the space after the delimiter
    'a,b\n1,"open\n2,y\n',    # a quote never closed: pandas explains the line
    "a,a\n1,2\n",             # repeated header: pandas names the second a.1
    "a,\n1,2\n",              # blank header: pandas names it Unnamed: 1
    "a,b,c\n1,2\n",           # short row: pandas pads it
    "a,b\n1,2,3\n",           # long row: explained or trimmed by the loader
    'a,b\n1,"x, y"\n',        # ", " even inside quotes: told apart by pandas only
    'a,b\n1,ab"c\n',          # a lone quote inside a field: pandas keeps it
])
def test_fast_reader_leaves_files_pandas_reads_otherwise(text):
    assert _read_delimited_fast(_Utf8Source(text.encode("utf-8"), "utf-8"), ",") is None


def test_large_file_with_title_and_multibyte_text_is_read_whole(tmp_path):
    """The top is decoded in pieces: a title above the header, CJK text across the pieces."""
    rows = [f"{i:07d},2024-01-{1 + i % 28:02d},{i % 500}.5,门店{'甲乙丙丁'[i % 4]}"
            for i in range(40_000)]
    text = "订单报表\n导出时间: 2024-02-01\n客户ID,下单时间,实付金额,渠道\n" + "\n".join(rows) + "\n"
    (tmp_path / "transactions.csv").write_text(text, encoding="utf-8-sig")
    data = load_dataset(tmp_path)
    tx = data.transactions
    rep = data.quality.tables["transactions"]
    assert rep.header_row == 3 and rep.encoding == "utf-8-sig"
    assert len(tx) == 40_000 and tx["customer_id"].iloc[-1] == "0039999"
    assert tx["channel"].iloc[:4].tolist() == ["门店甲", "门店乙", "门店丙", "门店丁"]
    assert tx["amount"].sum() == pytest.approx(sum(i % 500 + 0.5 for i in range(40_000)))
    (tmp_path / "plain.csv").write_text(text.split("\n", 2)[2], encoding="utf-8")
    frame, encoding, delimiter = read_table_file(tmp_path / "plain.csv")
    assert (encoding, delimiter) == ("utf-8", ",") and frame.index[0] == 2
    pd.testing.assert_frame_equal(frame.reset_index(drop=True),
                                  _pandas(text.split("\n", 2)[2]))


def test_gbk_file_is_read_through_utf8(tmp_path):
    text = "客户ID,下单时间,实付金额\n001,2024-01-05,10\n002,2024-01-06,20\n"
    (tmp_path / "订单.csv").write_bytes(text.encode("gbk"))
    data = load_dataset(tmp_path)
    assert data.quality.tables["transactions"].encoding == "gb18030"
    assert data.transactions["amount"].tolist() == [10.0, 20.0]


def test_distinct_values_parse_like_the_column():
    values = pd.Series(["2024-01-05", " 2024-01-05", None, "9999-12-31", "x", "2024-01-05"],
                       dtype="str", index=range(10, 16))
    distinct = Distinct.of(values)
    assert len(distinct.values) == 5  # missing counts as one value
    dates = distinct.expand(parse_dates(distinct.values))
    pd.testing.assert_series_equal(dates, parse_dates(values), check_names=False)
    amounts = pd.Series(["1,5", "12,50", "", "1.299", "12,50"], dtype="str")
    d = Distinct.of(amounts)
    pd.testing.assert_series_equal(d.expand(parse_amounts(d.values)), parse_amounts(amounts))
    assert d.expand(parse_amounts(d.values)).tolist()[3] == 1299.0  # column convention kept
    ids = pd.Series(["007", "7.0", "", "007"], dtype="str")
    d = Distinct.of(ids)
    pd.testing.assert_series_equal(d.expand(parse_ids(d.values)), parse_ids(ids))


def test_duplicated_rows_match_pandas_also_past_int64_keys():
    rng = np.random.default_rng(0)
    n = 5_000
    frame = pd.DataFrame({
        "a": pd.Series(rng.integers(0, 3, n).astype(str), dtype="str"),
        "b": rng.integers(0, 2, n).astype(float),
        "c": pd.Series(np.where(rng.random(n) < 0.3, None, "x"), dtype="str"),
    })
    frame.loc[frame.index[::7], "b"] = np.nan
    # 12 columns of ~n distinct values: the combined key would overflow int64 without renumbering
    wide = pd.DataFrame({f"w{i}": pd.Series(rng.integers(0, n, n).astype(str), dtype="str")
                         for i in range(12)})
    wide.iloc[100:200] = wide.iloc[0:100].to_numpy()
    for raw in (frame, wide):
        by_position = {i: Distinct.of(raw.iloc[:, i]) for i in range(raw.shape[1])
                       if isinstance(raw.dtypes.iloc[i], pd.StringDtype)}
        got = _duplicated_rows(raw, by_position)
        assert got.tolist() == raw.duplicated(keep="first").tolist()
        assert got.any()
