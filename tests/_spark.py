"""One local Spark session per test process (per pytest-xdist worker), for the engine tests.

Spark takes about 20 s to start, so :func:`spark_settings` gives it two cores and few shuffle
partitions (Spark's default of 200 is for large data), and the tests using it share one
session. Outside CI the tests are skipped, with the reason, when pyspark or Java is missing;
on CI (``CI=true``) that is an error, since ``.[dev]`` installs pyspark.
"""

from __future__ import annotations

import gc
import importlib.util
import os
import shutil

import pytest

__all__ = ["SPARK_TEST_SETTINGS", "spark_backend"]

#: Session settings for tiny test data: two cores, four shuffle partitions.
SPARK_TEST_SETTINGS = {"spark.master": "local[2]", "spark.sql.shuffle.partitions": "4",
                       "spark.default.parallelism": "2", "spark.driver.memory": "1g"}


def _missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install 'workbench[spark]')"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "Java is not installed (Spark needs Java 17)"
    return None


@pytest.fixture(scope="module")
def spark_backend():
    """The Ibis PySpark backend on a local session, stopped after the module using it.

    Stopping closes py4j's gateway too: its sockets otherwise close in garbage collection, at
    any later point, as ``ResourceWarning`` s. The Spark test module ignores those, and so
    the module, not the session, is where they must all be gone.
    """
    reason = _missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: CI runs the Spark tests")
        pytest.skip(reason)
    from workbench.engine.spark import spark_backend as make_backend

    backend = make_backend(SPARK_TEST_SETTINGS)
    yield backend
    stop_spark()


def stop_spark() -> None:
    """Stop the session, close the py4j gateway and let the JVM exit (its stdin closes)."""
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    if session is not None:
        session.stop()
    gateway = SparkContext._gateway
    if gateway is not None:
        gateway.shutdown()
        proc = getattr(gateway, "proc", None)
        if proc is not None:
            proc.stdin.close()
            proc.wait(timeout=30)
        SparkContext._gateway = None
        SparkContext._jvm = None
    gc.collect()
