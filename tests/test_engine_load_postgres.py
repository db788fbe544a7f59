"""workbench.engine.load_source on a real PostgreSQL server (tests/_postgres.py): the messy
tables of test_engine_load.py as text, and CDNOW with typed columns, under Chinese table and
column names and a mapping, give the Dataset of the folder loader; errors are one clear line
without the password."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import _postgres
from tests._postgres import PASSWORD, copy_frame, free_port
from tests.test_engine_load import (
    DB_MAPPING,
    DB_TABLES,
    assert_same_as_database,
    assert_same_dataset,
    raw_tables,
    write_messy,
)
from workbench.engine import EngineError, load_source
from workbench.io import load_dataset

postgres_server = _postgres.postgres_server  # the fixture: one server per xdist worker

CDNOW_MAPPING = """\
tables: {transactions: 销售.订单明细}
transactions:
  columns: {会员卡号: customer_id, 流水号: order_id, 成交时间: order_date, 成交金额: amount}
"""
CHINESE = {"customer_id": "会员卡号", "order_id": "流水号", "order_date": "成交时间",
           "amount": "成交金额"}


@pytest.fixture(scope="module")
def shop(postgres_server, tmp_path_factory, cdnow_transactions) -> dict[str, Path]:
    """The messy tables (text) in schema 门店, CDNOW (timestamps, NUMERIC amounts) in 销售."""
    base = tmp_path_factory.mktemp("pg_load")
    folder = write_messy(base / "messy")
    for table, frame in raw_tables(folder).items():
        copy_frame(postgres_server, f"门店.{DB_TABLES[table]}", frame,
                   dict.fromkeys(frame.columns, "string"))
    cdnow = cdnow_transactions[list(CHINESE)]
    copy_frame(postgres_server, "销售.订单明细", cdnow.rename(columns=CHINESE),
               {"会员卡号": "string", "流水号": "string", "成交时间": "timestamp",
                "成交金额": "money"})
    (base / "cdnow").mkdir()
    cdnow.to_csv(base / "cdnow" / "transactions.csv", index=False)
    (base / "messy.yaml").write_text(DB_MAPPING, encoding="utf-8")
    (base / "cdnow.yaml").write_text(CDNOW_MAPPING, encoding="utf-8")
    return {"messy": folder, "cdnow": base / "cdnow", "messy_mapping": base / "messy.yaml",
            "cdnow_mapping": base / "cdnow.yaml"}


def test_text_tables_equal_folder(postgres_server, shop):
    url = postgres_server.url(schema="门店")
    data = load_source(url, mapping=shop["messy_mapping"])
    assert data.provenance == {
        "engine": "postgres", "source": postgres_server.url(password="***", schema="门店"),
        "rows_read": {"transactions": 20, "customers": 7, "feedback": 5}}
    assert_same_as_database(load_dataset(shop["messy"]), data)
    assert PASSWORD not in data.quality.to_text()


def test_typed_cdnow_equals_folder(postgres_server, shop):
    data = load_source(postgres_server.url(), mapping=shop["cdnow_mapping"])
    assert data.provenance["rows_read"] == {"transactions": 6919}
    assert data.quality.tables["transactions"].column_map == {v: k for k, v in CHINESE.items()}
    assert_same_dataset(load_dataset(shop["cdnow"]), data, rows=False, headers=False)


def _one_line(excinfo) -> str:
    message = str(excinfo.value)
    assert "\n" not in message and "Traceback" not in message and PASSWORD not in message
    return message


def test_errors_are_one_clear_line(postgres_server, shop, tmp_path):
    mapping = shop["messy_mapping"]
    with pytest.raises(EngineError) as info:
        load_source(postgres_server.url(password="wrong-Pw", schema="门店"), mapping=mapping)
    assert "refused the login of user 'wb': wrong or missing password" in _one_line(info)
    with pytest.raises(EngineError) as info:
        load_source(postgres_server.url(port=free_port()), mapping=mapping)
    assert "connection refused" in _one_line(info)
    missing = tmp_path / "missing.yaml"
    missing.write_text(DB_MAPPING.replace("transactions: 订单", "transactions: 没有"),
                       encoding="utf-8")
    with pytest.raises(EngineError) as info:
        load_source(postgres_server.url(schema="门店"), mapping=missing)
    assert "table 门店.没有 not found (tables there: " in _one_line(info)
    column = tmp_path / "column.yaml"
    column.write_text(DB_MAPPING.replace("成交时间: order_date", "下单: order_date"),
                      encoding="utf-8")
    with pytest.raises(EngineError) as info:
        load_source(postgres_server.url(schema="门店"), mapping=column)
    message = _one_line(info)
    assert "table 订单" in message and "'下单: order_date'" in message
    assert "***@" in message  # the source, named without its password


def test_broken_column_names_table_and_column(postgres_server, shop, tmp_path):
    mapping = tmp_path / "broken.yaml"  # the status column as the order date: never a date
    mapping.write_text(DB_MAPPING.replace("成交时间: order_date", "状态: order_date"),
                       encoding="utf-8")
    with pytest.raises(EngineError) as info:
        load_source(postgres_server.url(schema="门店"), mapping=mapping)
    message = _one_line(info)
    assert "table 订单: column 'order_date'" in message
    assert "100% of the values cannot be read as datetime" in message
