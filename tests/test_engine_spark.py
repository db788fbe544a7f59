"""workbench.engine on Spark local mode: the customer summary, daily purchases and lifecycle
stages equal the package's DuckDB SQL on the CDNOW sample (CSV folder) and a small demo
(Parquet). The cohort and co-purchase counts are plain group-bys, checked on DuckDB and
PostgreSQL only, to keep this test short.

One module, so one pytest-xdist worker starts Spark (about 20 s); tests/_spark.py shares the
session. The engine loader on Spark is checked here too, with the same session. Every comparison is exact: money is summed as integers on Spark as on DuckDB.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests import _spark, test_engine
from tests._spark import SPARK_TEST_SETTINGS
from tests.test_engine import (
    COLUMNS,
    assert_lifecycle_equal,
    lifecycle_reference,
    reference_daily,
    sorted_daily,
)
from tests.test_engine_load import assert_same_dataset, write_messy
from workbench.engine import (
    canonical_table,
    connect,
    customer_summaries,
    customer_summary,
    daily_purchases,
    load_source,
)
from workbench.io import load_dataset
from workbench.summary import customer_summary as reference_summary

# The fixtures: the Spark session, and the data sources and demo of test_engine.py.
spark_backend = _spark.spark_backend
sources, demo_tx = test_engine.sources, test_engine.demo_tx


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning")  # py4j's, closed
def test_spark_aggregations_equal_duckdb(spark_backend, sources, cdnow_transactions, demo_tx):
    cases = (("cdnow", "csv", cdnow_transactions[COLUMNS], "1997-09-30", "1998-06-30"),
             ("demo", "parquet", demo_tx, "2026-03-31", "2026-09-30"))
    for name, kind, tx, as_of, holdout in cases:
        con = connect(sources[name][kind], "spark", spark=SPARK_TEST_SETTINGS)
        assert con.engine == "spark"
        table = canonical_table(con, "transactions")
        ours = customer_summary(table, as_of, "W", holdout_end=holdout)
        pd.testing.assert_frame_equal(
            ours, reference_summary(tx, as_of, "W", holdout_end=holdout), check_exact=True)
        if name == "demo":
            pd.testing.assert_frame_equal(
                sorted_daily(daily_purchases(table, as_of, orders="order_id", money="decimal")),
                reference_daily(tx, as_of, "order_id"), check_dtype=False, check_exact=True)
            # several dates share one cached copy of the daily purchases, released after
            views = set(con.backend.list_tables())
            dates = [as_of, None]
            for frame, day in zip(customer_summaries(table, dates, "W"), dates, strict=True):
                pd.testing.assert_frame_equal(frame, reference_summary(tx, day, "W"),
                                              check_exact=True)
            assert set(con.backend.list_tables()) == views
        else:  # windows, a range join and an exact percentile: the most engine-specific SQL
            assert_lifecycle_equal(table, None, lifecycle_reference(tx, holdout))


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning")  # py4j's, closed
def test_spark_folder_equals_pandas(spark_backend, tmp_path):
    """workbench.engine.load_source on Spark: the messy folder of test_engine_load.py validated
    by Spark gives the Dataset of the folder loader."""
    folder = write_messy(tmp_path / "shop")
    (folder / "feedback.csv").unlink()  # two tables: each is a Spark job of a few seconds
    data = load_source(folder, engine="spark", spark=SPARK_TEST_SETTINGS)
    assert data.provenance == {"engine": "spark", "source": str(folder),
                               "rows_read": {"transactions": 20, "customers": 7}}
    assert_same_dataset(load_dataset(folder), data)
