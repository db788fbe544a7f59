"""workbench.engine.load_source on Spark (local mode): the messy folder of test_engine_load.py
validated by Spark gives the Dataset of the folder loader."""

from __future__ import annotations

import pytest

from tests import _spark
from tests.test_engine_load import assert_same_dataset, write_messy
from workbench.engine import load_source
from workbench.io import load_dataset

spark_backend = _spark.spark_backend  # one Spark session for this module


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning")  # py4j's, closed
def test_spark_folder_equals_pandas(spark_backend, tmp_path):
    folder = write_messy(tmp_path / "shop")
    (folder / "feedback.csv").unlink()  # two tables: each is a Spark job of a few seconds
    data = load_source(folder, engine="spark", spark=_spark.SPARK_TEST_SETTINGS)
    assert data.provenance == {"engine": "spark", "source": str(folder),
                               "rows_read": {"transactions": 20, "customers": 7}}
    assert_same_dataset(load_dataset(folder), data)
