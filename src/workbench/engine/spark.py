"""Spark as the aggregation engine for file and lake sources (``engine="spark"``).

pyspark is the optional extra ``workbench[spark]`` (Ibis 12 supports pyspark 3.5 to 4.0) and
needs Java 17. The session comes from, in order: ``spark.remote`` (Spark Connect,
``sc://host:15002``) or ``spark.master`` in the settings passed in (``run.yaml``'s ``spark:``
section), then the environment variables ``SPARK_REMOTE`` or ``SPARK_MASTER``, else
``local[*]``. Every other ``spark.*`` setting is passed to the session builder. The session
time zone is UTC, so a timestamp's calendar day is the same as on DuckDB and PostgreSQL.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from workbench.engine.sources import EngineError

__all__ = ["INSTALL_HINT", "spark_backend", "spark_session", "spark_settings"]

INSTALL_HINT = ("Spark is not installed: pip install 'workbench[spark]' (pyspark; it also "
                "needs Java 17 on the machine)")

_DEFAULTS = {
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    # Results come back through Arrow (one row per customer at most).
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


def spark_settings(settings: dict[str, Any] | None = None) -> dict[str, str]:
    """The session settings: ``settings`` over the environment over the defaults.

    Exactly one of ``spark.master`` and ``spark.remote`` is in the result.
    """
    given = {str(k): str(v) for k, v in (settings or {}).items()}
    out = dict(_DEFAULTS)
    if "spark.remote" not in given and "spark.master" not in given:
        if os.environ.get("SPARK_REMOTE"):
            given["spark.remote"] = os.environ["SPARK_REMOTE"]
        else:
            given["spark.master"] = os.environ.get("SPARK_MASTER") or "local[*]"
    if "spark.remote" in given:
        given.pop("spark.master", None)
        out.pop("spark.ui.enabled")  # a server-side setting under Spark Connect
        out.pop("spark.ui.showConsoleProgress")
    out.update(given)
    return out


def _pyspark_sql():
    try:
        return importlib.import_module("pyspark.sql")
    except ImportError:
        raise EngineError(INSTALL_HINT) from None


def spark_session(settings: dict[str, Any] | None = None):
    """A SparkSession built from :func:`spark_settings` (an existing one is reused).

    Raises :class:`EngineError` with the install command when pyspark is missing, and with
    the reason when Java or the cluster cannot be reached.
    """
    sql = _pyspark_sql()
    conf = spark_settings(settings)
    builder = sql.SparkSession.builder
    if "spark.remote" in conf:
        builder = builder.remote(conf.pop("spark.remote"))
    else:
        builder = builder.master(conf.pop("spark.master"))
    builder = builder.appName("workbench")
    for key, value in conf.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - Java missing, cluster unreachable: one message
        detail = " ".join(str(exc).split())[:400]
        if "JAVA_GATEWAY_EXITED" in detail or "JAVA_HOME" in detail:
            raise EngineError("Spark could not start Java: install Java 17 and set JAVA_HOME "
                              f"({detail})") from None
        raise EngineError(f"cannot start a Spark session: {detail}") from None
    for key in ("spark.sql.session.timeZone",):
        session.conf.set(key, "UTC")
    return session


def spark_backend(settings: dict[str, Any] | None = None):
    """The Ibis PySpark backend on :func:`spark_session`."""
    import ibis

    session = spark_session(settings)
    return ibis.pyspark.connect(session)
