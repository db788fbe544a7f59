"""workbench.engine on a real PostgreSQL server (tests/_postgres.py): the aggregations equal
the package's DuckDB SQL on the CDNOW sample and a small demo, loaded into tables with Chinese
column names and a mapping; and the connection errors are clear and never show the password.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests import _postgres, test_engine
from tests._postgres import PostgresServer, copy_frame, free_port
from tests.test_engine import (
    COLUMNS,
    assert_lifecycle_equal,
    assert_purchase_features_equal,
    lifecycle_reference,
    purchase_features_reference,
    reference_daily,
    sorted_daily,
)
from workbench.engine import (
    EngineError,
    canonical_table,
    co_purchase_counts,
    cohort_matrix,
    connect,
    customer_summary,
    daily_purchases,
    purchase_features,
    read_mapping,
    resolve_tables,
    rfm_values,
)
from workbench.lifecycle.cohorts import cohort_matrix as reference_cohort_matrix
from workbench.lifecycle.stages import PurchaseHistory
from workbench.segmentation.rfm import rfm_scores
from workbench.summary import customer_summary as reference_summary

postgres_server = _postgres.postgres_server  # the fixture: one server per xdist worker
demo_customers = test_engine.demo_customers

#: Source column names (none is a known alias, so the mapping is what finds them).
CHINESE = {"customer_id": "会员卡号", "order_id": "流水号", "order_date": "成交时间",
           "amount": "成交金额"}
MAPPING = """\
tables:
  transactions: 销售.{table}
transactions:
  columns: {{会员卡号: customer_id, 流水号: order_id, 成交时间: order_date, 成交金额: amount}}
"""


@pytest.fixture(scope="module")
def demo_tx(tiny_demo) -> pd.DataFrame:
    from workbench.io import load_dataset

    return load_dataset(tiny_demo).transactions[COLUMNS].reset_index(drop=True)


@pytest.fixture(scope="module")
def demo_lines(tiny_demo) -> pd.DataFrame:
    """The demo's lines with their category, for the co-purchase counts."""
    from workbench.io import load_dataset

    return load_dataset(tiny_demo).transactions[[*COLUMNS, "category"]].reset_index(drop=True)


@pytest.fixture(scope="module")
def loaded(postgres_server, cdnow_transactions, demo_tx, demo_lines, demo_customers,
           tmp_path_factory) -> dict[str, Path]:
    """CDNOW (amounts NUMERIC) and the demo (amounts DOUBLE PRECISION) in schema 销售, plus
    the demo under its canonical names in schema crm; returns each dataset's mapping file."""
    kinds = {"customer_id": "string", "order_id": "string", "order_date": "timestamp"}
    copy_frame(postgres_server, "销售.订单明细", cdnow_transactions[COLUMNS].rename(columns=CHINESE),
               {CHINESE[c]: k for c, k in (kinds | {"amount": "money"}).items()})
    copy_frame(postgres_server, "销售.演示订单", demo_tx.rename(columns=CHINESE),
               {CHINESE[c]: k for c, k in (kinds | {"amount": "float"}).items()})
    copy_frame(postgres_server, "crm.transactions", demo_tx, kinds | {"amount": "money"})
    copy_frame(postgres_server, "crm.lines", demo_lines, kinds | {"amount": "money",
                                                                  "category": "string"})
    copy_frame(postgres_server, "crm.customers", demo_customers,
               {"customer_id": "string", "signup_date": "timestamp"})
    folder = tmp_path_factory.mktemp("pg_mappings")
    out = {}
    for name, table in (("cdnow", "订单明细"), ("demo", "演示订单")):
        out[name] = folder / f"{name}.yaml"
        out[name].write_text(MAPPING.format(table=table), encoding="utf-8")
    return out


def _tables(server: PostgresServer, mapping: Path):
    con = connect(server.url())
    return con, resolve_tables(con, read_mapping(mapping), ("transactions",))["transactions"]


def test_summary_daily_rfm_features_cohorts_equal_duckdb(postgres_server, loaded, cdnow_transactions,
                                                demo_tx):
    cases = (("cdnow", cdnow_transactions[COLUMNS], "1997-09-30", "1998-06-30"),
             ("demo", demo_tx, "2026-03-31", "2026-09-30"))
    for name, tx, as_of, holdout in cases:
        con, table = _tables(postgres_server, loaded[name])
        with con:
            assert con.engine == "postgres"
            ours = customer_summary(table, as_of, "W", holdout_end=holdout)
            pd.testing.assert_frame_equal(
                ours, reference_summary(tx, as_of, "W", holdout_end=holdout), check_exact=True)
            pd.testing.assert_frame_equal(customer_summary(table, None, "D", money="decimal"),
                                          reference_summary(tx, None, "D"), check_exact=True)
            for orders in (None, "order_id"):
                pd.testing.assert_frame_equal(
                    sorted_daily(daily_purchases(table, as_of, orders=orders)),
                    reference_daily(tx, as_of, orders), check_dtype=False, check_exact=True)
            rfm = rfm_values(table, as_of)
            expected = rfm_scores(reference_summary(tx, as_of, "D"))[list(rfm.columns)]
            pd.testing.assert_frame_equal(rfm, expected, check_exact=True)
            assert_purchase_features_equal(purchase_features(table, as_of),
                                           purchase_features_reference(tx, as_of))
            cut = pd.Timestamp(holdout)
            cohorts = cohort_matrix(table, cut, 12)
            reference = reference_cohort_matrix(PurchaseHistory(tx), cut, 12)
            pd.testing.assert_series_equal(cohorts["size"], reference["size"], check_dtype=False)
            pd.testing.assert_frame_equal(cohorts["retention"], reference["retention"],
                                          check_dtype=False, rtol=1e-12, atol=0)


def test_schema_in_the_url_and_canonical_names(postgres_server, loaded, demo_tx):
    with connect(postgres_server.url(schema="crm")) as con:
        table = canonical_table(con, "transactions")  # crm.transactions, found by its name
        ours = customer_summary(table, "2026-06-30", "D")
    pd.testing.assert_frame_equal(ours, reference_summary(demo_tx, "2026-06-30", "D"),
                                  check_exact=True)


def _message(excinfo) -> str:
    message = str(excinfo.value)
    assert excinfo.value.__cause__ is None  # `from None`: the CLI prints one line
    return message


def test_wrong_password_is_clear_and_secret(postgres_server):
    url = postgres_server.url(password="Wrong-Secret-42")
    with pytest.raises(EngineError) as caught:
        connect(url)
    message = _message(caught)
    assert "refused the login of user 'wb': wrong or missing password" in message
    assert "Wrong-Secret-42" not in message and postgres_server.password not in message
    assert f"postgresql://wb:***@127.0.0.1:{postgres_server.port}/shop" in message


def test_closed_port_is_clear(postgres_server):
    port = free_port()
    with pytest.raises(EngineError) as caught:
        connect(postgres_server.url(port=port))
    message = _message(caught)
    assert f"cannot reach PostgreSQL at 127.0.0.1:{port}: connection refused" in message
    assert postgres_server.password not in message


def test_missing_table_and_column_name_them(postgres_server, loaded):
    with connect(postgres_server.url()) as con:
        with pytest.raises(EngineError) as caught:
            canonical_table(con, "transactions", {"tables": {"transactions": "销售.fact_orders"}})
        message = _message(caught)
        assert "table 销售.fact_orders not found (tables there: 演示订单, 订单明细)" in message
        assert postgres_server.password not in message
        mapping = read_mapping(loaded["cdnow"])
        mapping["transactions"]["columns"].pop("成交金额")
        with pytest.raises(EngineError) as caught:
            canonical_table(con, "transactions", mapping)
        message = _message(caught)
        assert "table 销售.订单明细 (transactions): no column for amount" in message
        assert "会员卡号, 流水号, 成交时间, 成交金额" in message
        assert postgres_server.password not in message


def test_co_purchase_counts_equal_duckdb(postgres_server, loaded, demo_lines, tmp_path):
    demo_lines.to_parquet(tmp_path / "transactions.parquet", coerce_timestamps="us")
    with connect(tmp_path) as con:
        expected = co_purchase_counts(canonical_table(con, "transactions"))
    with connect(postgres_server.url(schema="crm")) as con:
        ours = co_purchase_counts(canonical_table(con, "transactions",
                                                  {"tables": {"transactions": "lines"}}))
    pd.testing.assert_frame_equal(ours, expected)
    assert ours.attrs == expected.attrs and ours["item_b"].notna().sum() > 3


def test_lifecycle_stages_and_transitions_equal_lifecycle(postgres_server, loaded, demo_tx,
                                                          demo_customers):
    with connect(postgres_server.url(schema="crm")) as con:
        tables = resolve_tables(con)
        assert set(tables) == {"transactions", "customers"}
        assert_lifecycle_equal(tables["transactions"], tables["customers"],
                               lifecycle_reference(demo_tx, "2026-09-30", demo_customers))


def test_summaries_at_several_dates_in_the_database_leave_no_table(postgres_server, loaded,
                                                                     demo_tx):
    from workbench.engine import customer_summaries

    dates = ["2026-03-31", None, "2025-12-31"]
    con, table = _tables(postgres_server, loaded["demo"])
    with con:
        before = set(con.backend.list_tables())
        frames = customer_summaries(table, dates, "W")
        after = set(con.backend.list_tables())
    assert after == before  # the daily purchases' temporary table was dropped
    for frame, day in zip(frames, dates, strict=True):
        pd.testing.assert_frame_equal(frame, reference_summary(demo_tx, day, "W"),
                                      check_exact=True)
        assert frame.attrs == reference_summary(demo_tx, day, "W").attrs
