"""workbench.engine.load_source: the loading rules in the engine give the Dataset of
workbench.io.load_dataset, on a folder (DuckDB reading the files), a DuckDB database file, a
Parquet glob; PostgreSQL and Spark are in test_engine_load_postgres.py and
test_engine_spark.py.

The messy folder holds one row for each rule (bad and invalid dates, a placeholder date,
amounts in other layouts, negative amounts, a cancelled status and a cancellation prefix,
exact duplicates, empty ids, out-of-range scores and ages, a repeated customer, value
mappings), under Chinese column names found through mapping.yaml.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import workbench.io as wio
from workbench.engine import EngineError, load_source
from workbench.io import DataError, Dataset, load_dataset

TRANSACTIONS = """\
会员卡号,流水号,成交时间,成交金额,状态,渠道
0001,A1,2024-01-05 10:00:00,12.50,已完成,门店
0001,A1,2024-01-05 10:00:00,12.50,已完成,门店
0002,A2,2024年1月6日,"¥1,299.00",已完成,小程序
0003,A3,not a date,20.00,已完成,门店
0004,A4,2024-02-30,15.00,已完成,门店
,A5,2024-01-07,10.00,已完成,门店
0005,A6,2024-01-08 09:30:00,-30.00,已完成,门店
0006,A7,2024-01-09,40.00,已退款,APP
0007,C8,2024-01-10,50.00,已完成,门店
0008,A9,9999-12-31,10.00,已完成,门店
0009,A10,2024-03-01,abc,已完成,门店
0010,A11,2024-03-02,null,已完成,
0011,A12,2024-03-03,7,已完成,门店
0012.0,A13,2024-03-04 23:59:59,8.5,已完成,门店
0013,A14,2024/3/5 08:00,99.99,已完成,门店
0014,A15,2099-01-01,5.00,已完成,门店
0015,A16,2024-03-06,0,已完成,门店
0016,A17,2024-03-07T10:00:00,12.345,已完成,门店
0002,A18,2024-03-08,1.00,已完成,门店
0002,A18,2024-03-08,1.00,已完成,门店
"""
CUSTOMERS = """\
customer_id,注册时间,年龄,会员等级,是否关注,积分,备注
0001,2023-01-01,30,1,是,100,老客
0002,2023-02-01,150,2,否,200.5,
0003,2023-03-01,,1,是,,复购
0004,2023-13-01,41,2,否,50,
0005,2023-05-01,29,3,是,7,
0001,2023-06-01,31,1,是,100,再次登记
,2023-07-01,20,1,否,1,
"""
FEEDBACK = """\
customer_id,submitted_at,nps,csat,comment
0001,2024-01-06 12:00:00,9,5,很好
0002,2024-01-07,9分,满意,
0003,2024-01-08,11,4,太慢
0004,bad,7,3,一般
0005,2024-01-09,,非常满意,"好, 很好"
"""
MAPPING = """\
transactions:
  columns: {会员卡号: customer_id, 流水号: order_id, 成交时间: order_date, 成交金额: amount}
customers:
  values:
    tier: {"1": 普通, "2": 白银, "3": 黄金}
order:
  tier: [普通, 白银, 黄金]
"""
#: The same tables in a database: their names, and a mapping naming them.
DB_TABLES = {"transactions": "订单", "customers": "会员", "feedback": "问卷"}
DB_MAPPING = MAPPING + "tables: {transactions: 订单, customers: 会员, feedback: 问卷}\n"

FRAMES = ("transactions", "customers", "feedback", "events", "returns", "subscriptions",
          "campaigns")


def write_messy(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "transactions.csv").write_text(TRANSACTIONS, encoding="utf-8")
    (folder / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    (folder / "feedback.csv").write_text(FEEDBACK, encoding="utf-8")
    (folder / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    return folder


def raw_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """Each CSV file of ``folder`` as its text cells (for a database), by canonical table."""
    out = {}
    for table in DB_TABLES:
        with open(folder / f"{table}.csv", encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        out[table] = pd.DataFrame(rows[1:], columns=rows[0], dtype="str")
    return out


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> Path:
    return write_messy(tmp_path_factory.mktemp("messy") / "shop")


@pytest.fixture(scope="module")
def pandas_messy(messy) -> Dataset:
    return load_dataset(messy)


@pytest.fixture(scope="module")
def engine_messy(messy) -> Dataset:
    return _engine_folder(messy)


@pytest.fixture(scope="module")
def cdnow_folder(tmp_path_factory, cdnow_transactions) -> Path:
    folder = tmp_path_factory.mktemp("cdnow_load")
    cdnow_transactions[["customer_id", "order_id", "order_date", "amount"]].to_csv(
        folder / "transactions.csv", index=False)
    return folder


def _engine_folder(folder: Path, **kw) -> Dataset:
    """load_dataset(folder) with every CSV / Parquet file read through the engine."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(wio, "ENGINE_MIN_BYTES", 0)
        return load_dataset(folder, **kw)


def set_aside(data: Dataset, *, rows: bool = True) -> list[tuple]:
    """The set-aside reasons: table, code, column, rows, parameters (and example rows)."""
    return sorted((s.table, s.code, s.column or "", s.rows, s.values_only, str(s.params),
                   tuple(s.examples) if rows else ()) for s in data.quality.set_aside)


def warnings(data: Dataset) -> list[tuple]:
    return sorted((w.code, str({k: v for k, v in w.params.items() if k != "file"}))
                  for w in data.quality.all_warnings())


def assert_same_dataset(expected: Dataset, actual: Dataset, *, rows: bool = True,
                        headers: bool = True) -> None:
    """Equal frames, returns, reasons and counts, warnings, table reports and options
    (``rows``: the example rows too; ``headers``: the source columns too)."""
    for name in FRAMES:
        left, right = getattr(expected, name), getattr(actual, name)
        if left is None:
            assert right is None, name
            continue
        pd.testing.assert_frame_equal(left, right, obj=name)
    assert set_aside(actual, rows=rows) == set_aside(expected, rows=rows)
    assert warnings(actual) == warnings(expected)
    summary = ("rows_read", "rows_kept", "customers", "date_min", "date_max",
               "missing_values") + (("column_map", "extra_columns") if headers else ())
    assert {t: [getattr(r, k) for k in summary] for t, r in actual.quality.tables.items()} == \
        {t: [getattr(r, k) for k in summary] for t, r in expected.quality.tables.items()}
    assert actual.value_orders == expected.value_orders
    assert actual.options == expected.options
    assert actual.quality.customers_without_transactions == \
        expected.quality.customers_without_transactions


# ------------------------------------------------------------------------- folders


def test_messy_folder_engine_equals_pandas(pandas_messy, engine_messy, messy):
    assert engine_messy.provenance == {
        "engine": "duckdb", "source": str(messy),
        "rows_read": {"transactions": 20, "customers": 7, "feedback": 5}}
    assert pandas_messy.provenance["engine"] == "pandas"
    assert_same_dataset(pandas_messy, engine_messy)
    codes = {(s.table, s.code, s.column): s.rows for s in engine_messy.quality.set_aside}
    # every rule had its row: the engine path set each aside as the folder loader did
    assert codes == {
        ("transactions", "empty", "customer_id"): 1,
        ("transactions", "unreadable", "order_date"): 2,  # not a date, 2024-02-30
        ("transactions", "date_out_of_range", "order_date"): 1,  # 9999-12-31
        ("transactions", "date_future", "order_date"): 1,
        ("transactions", "empty", "amount"): 1, ("transactions", "unreadable", "amount"): 1,
        ("transactions", "duplicate", None): 2, ("transactions", "return_negative", "amount"): 1,
        ("transactions", "return_status", None): 1,
        ("transactions", "return_prefix", "order_id"): 1,
        ("customers", "empty", "customer_id"): 1,
        ("customers", "unreadable_value", "signup_date"): 1,
        ("customers", "out_of_range", "age"): 1, ("customers", "repeated_id", "customer_id"): 1,
        ("feedback", "unreadable", "submitted_at"): 1, ("feedback", "out_of_range", "nps"): 1,
    }
    tx = engine_messy.transactions.set_index("order_id")
    assert tx.loc["A2", "amount"] == 1299.0  # ¥1,299.00, parsed in Python
    assert tx.loc["A2", "order_date"] == pd.Timestamp("2024-01-06")
    assert tx.loc["A13", "customer_id"] == "0012"  # 0012.0 from a spreadsheet
    assert tx.loc["A14", "order_date"] == pd.Timestamp("2024-03-05 08:00")
    assert tx.loc["A17", "amount"] == 12.345
    assert engine_messy.customers["tier"].tolist() == ["白银", "普通", "白银", "黄金", "普通"]
    assert engine_messy.customers["是否关注"].dtype == "boolean"
    assert engine_messy.customers["积分"].dtype == "float64"
    assert engine_messy.feedback["csat"].tolist() == [5.0, 4.0, 4.0, 5.0]


def test_engine_set_aside_names_example_keys(engine_messy):
    by_code = {(s.table, s.code): s for s in engine_messy.quality.set_aside
               if s.column != "amount"}
    dup = by_code["transactions", "duplicate"]
    assert dup.examples == [3, 21]  # the file's line numbers, as the folder loader gives
    assert dup.keys == [{"customer_id": "0001", "order_id": "A1"},
                        {"customer_id": "0002", "order_id": "A18"}]
    dates = next(s for s in engine_messy.quality.set_aside
                 if (s.code, s.column) == ("unreadable", "order_date"))
    assert dates.examples == [5, 6]
    assert [k["order_id"] for k in dates.keys] == ["A3", "A4"]
    assert by_code["customers", "repeated_id"].keys == [{"customer_id": "0001"}]
    assert by_code["transactions", "empty"].keys == [{"customer_id": None, "order_id": "A5"}]
    # described in both languages as the folder loader's reasons are
    assert dup.describe("en") == dup.reason
    assert dup.describe("zh") != dup.reason
    text = engine_messy.quality.to_text()
    assert "exact duplicate of an earlier row (e.g. rows 3, 21)" in text


def test_folder_with_mapping_file_overrides_its_own(tmp_path):
    folder = write_messy(tmp_path / "shop")
    other = tmp_path / "other.yaml"
    other.write_text(MAPPING.replace("白银", "银卡"), encoding="utf-8")
    (folder / "mapping.yaml").write_text("columns: {nothing: customer_id}\n", encoding="utf-8")
    for data in (load_source(folder, mapping=other), _engine_folder(folder, mapping=other)):
        assert "银卡" in set(data.customers["tier"])
        assert data.value_orders == {"tier": ["普通", "银卡", "黄金"]}


@pytest.mark.parametrize("name", ["tiny_demo", "cdnow_folder"])
def test_demo_and_cdnow_engine_equal_pandas(name, request):
    folder = request.getfixturevalue(name)
    expected = load_dataset(folder)
    actual = _engine_folder(folder)
    assert actual.provenance["engine"] == "duckdb"
    assert actual.provenance["rows_read"] == expected.provenance["rows_read"]
    assert_same_dataset(expected, actual)


def test_large_files_go_through_the_engine_and_messy_ones_stay(tmp_path, monkeypatch):
    folder = write_messy(tmp_path / "shop")
    # GBK and a title line above the header: the folder loader reads them itself
    (folder / "feedback.csv").write_bytes(("问卷导出\n" + FEEDBACK).encode("gb18030"))
    monkeypatch.setattr(wio, "ENGINE_MIN_BYTES", 0)
    data = load_dataset(folder)
    expected = load_dataset(folder, drop_exact_duplicates=True)  # same call, pandas below
    assert data.provenance["engine"] == "duckdb"
    assert data.quality.tables["feedback"].encoding == "gb18030"
    assert data.quality.tables["feedback"].header_row == 2
    monkeypatch.setattr(wio, "ENGINE_MIN_BYTES", 1 << 40)
    pandas_only = load_dataset(folder)
    assert pandas_only.provenance["engine"] == "pandas"
    assert_same_dataset(pandas_only, data)
    assert_same_dataset(expected, data)


def test_a_space_after_a_delimiter_falls_back_to_pandas(tmp_path, monkeypatch):
    """pandas skips it (and so finds duplicates the text alone would not show)."""
    folder = write_messy(tmp_path / "shop")
    (folder / "transactions.csv").write_text(TRANSACTIONS.replace("0013,A14", "0013, A14")
                                             + "0013,A14,2024/3/5 08:00,99.99,已完成,门店\n",
                                             encoding="utf-8")
    monkeypatch.setattr(wio, "ENGINE_MIN_BYTES", 0)
    data = load_dataset(folder)
    duplicate = next(s for s in data.quality.set_aside if s.code == "duplicate")
    assert (duplicate.rows, duplicate.keys) == (3, [])  # found by the folder loader
    assert data.quality.tables["customers"].rows_read == 7
    assert any(s.keys for s in data.quality.set_aside if s.table == "customers")


def test_a_row_longer_than_the_header_falls_back_to_pandas(tmp_path, monkeypatch):
    folder = write_messy(tmp_path / "shop")
    (folder / "feedback.csv").write_text(FEEDBACK + "0006,2024-01-10,8,4,ok,extra\n",
                                         encoding="utf-8")
    monkeypatch.setattr(wio, "ENGINE_MIN_BYTES", 0)
    with pytest.raises(DataError, match=r"more fields than the header"):
        load_dataset(folder)


# ------------------------------------------------------------------- database, Parquet


@pytest.fixture(scope="module")
def messy_duckdb(messy, tmp_path_factory) -> str:
    """The messy tables as text in a DuckDB file, under Chinese table and column names."""
    path = tmp_path_factory.mktemp("messy_db") / "shop.duckdb"
    with duckdb.connect(str(path)) as con:
        for table, frame in raw_tables(messy).items():
            con.register("frame", frame)
            con.execute(f'CREATE TABLE "{DB_TABLES[table]}" AS SELECT * FROM frame')
            con.unregister("frame")
    return f"duckdb:///{path}"


@pytest.fixture(scope="module")
def db_mapping(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db_mapping") / "mapping.yaml"
    path.write_text(DB_MAPPING, encoding="utf-8")
    return path


def assert_same_as_database(expected: Dataset, actual: Dataset) -> None:
    """A database source: equal to the folder, with keys instead of example rows."""
    assert_same_dataset(expected, actual, rows=False)
    assert all(not s.examples for s in actual.quality.set_aside)
    engine_keys = sorted((s.table, s.code, str(s.keys)) for s in actual.quality.set_aside)
    assert all(keys != "[]" for _, _, keys in engine_keys)


def test_duckdb_file_equals_folder(messy_duckdb, db_mapping, engine_messy, pandas_messy):
    data = load_source(messy_duckdb, mapping=db_mapping)
    assert data.provenance == {"engine": "duckdb", "source": messy_duckdb,
                               "rows_read": {"transactions": 20, "customers": 7, "feedback": 5}}
    assert_same_as_database(pandas_messy, data)
    folder_keys = sorted((s.table, s.code, str(s.keys)) for s in engine_messy.quality.set_aside)
    assert sorted((s.table, s.code, str(s.keys)) for s in data.quality.set_aside) == folder_keys
    assert "(e.g. customer_id 0001, order_id A1; customer_id 0002, order_id A18)" in \
        data.quality.to_text()


def test_parquet_glob_equals_folder(tmp_path, tiny_demo):
    text = pd.read_csv(tiny_demo / "transactions.csv", dtype=str, keep_default_na=False)
    lake = tmp_path / "lake"
    lake.mkdir()
    half = len(text) // 2
    text.iloc[:half].to_parquet(lake / "part-0.parquet")
    text.iloc[half:].to_parquet(lake / "part-1.parquet")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "transactions.csv").write_bytes((tiny_demo / "transactions.csv").read_bytes())
    expected = load_dataset(folder)
    data = load_source(f"{lake}/*.parquet")
    assert data.provenance["engine"] == "duckdb"
    assert data.provenance["rows_read"] == {"transactions": len(text)}
    assert_same_dataset(expected, data)


def test_typed_parquet_equals_folder(tmp_path, cdnow_folder, cdnow_transactions):
    """A lake's typed columns (timestamps, floats) give the frames of the same data as text."""
    cdnow_transactions[["customer_id", "order_id", "order_date", "amount"]].to_parquet(
        tmp_path / "orders.parquet")
    data = load_source(tmp_path / "orders.parquet")
    assert_same_dataset(load_dataset(cdnow_folder), data)


# ------------------------------------------------------------------------------ errors


def test_broken_column_names_table_and_column(tmp_path, messy_duckdb, db_mapping):
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "transactions.csv").write_text(
        "customer_id,order_id,order_date,amount\n"
        + "".join(f"{i:04d},O{i},someday,{i}.00\n" for i in range(12)), encoding="utf-8")
    with pytest.raises(EngineError) as info:
        _engine_folder(folder)
    message = str(info.value)
    assert "transactions.csv" in message and "column 'order_date'" in message
    assert "100% of the values cannot be read as datetime" in message
    assert "\n" not in message
    db = tmp_path / "broken.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE 订单 AS SELECT '0001' AS 会员卡号, 'A' AS 流水号, "
                    "'never' AS 成交时间, '1.00' AS 成交金额 FROM range(3)")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(MAPPING + "tables: {transactions: 订单}\n", encoding="utf-8")
    with pytest.raises(EngineError, match=r"table 订单: column 'order_date' .*100%"):
        load_source(f"duckdb:///{db}", mapping=mapping)


def test_missing_column_and_table_are_clear(tmp_path, messy_duckdb):
    mapping = tmp_path / "m.yaml"
    mapping.write_text(DB_MAPPING.replace("成交金额: amount", "实收: amount"), encoding="utf-8")
    with pytest.raises(EngineError) as info:
        load_source(messy_duckdb, mapping=mapping)
    message = str(info.value)
    assert "订单" in message and "'实收: amount'" in message and "\n" not in message
    assert "table's columns" in message
    mapping.write_text(DB_MAPPING.replace("transactions: 订单", "transactions: 没有"),
                       encoding="utf-8")
    with pytest.raises(EngineError, match=r"table 没有 not found \(tables there: .*订单"):
        load_source(messy_duckdb, mapping=mapping)


def test_data_quality_export_shows_keys_of_database_rows():
    """A database table has no row numbers: data_quality.csv quotes the example keys."""
    from workbench.io import QualityReport, SetAside
    from workbench.quality import set_aside_export

    report = QualityReport("postgresql://db", set_aside=[
        SetAside("transactions", "duplicate", 2, [], code="duplicate",
                 keys=[{"customer_id": "0042", "order_id": "A-17"},
                       {"customer_id": "0077", "order_id": None}]),
        SetAside("transactions", "duplicate", 1, [85], code="duplicate",
                 keys=[{"customer_id": "0042", "order_id": "A-17"}])])
    assert set_aside_export(report)["examples"].tolist() == [
        "customer_id=0042, order_id=A-17; customer_id=0077, order_id=", "85"]
