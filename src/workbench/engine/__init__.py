"""Data where it lives: DuckDB by default, PostgreSQL and Spark through Ibis.

- :mod:`~workbench.engine.sources`: parse a source spec (folder, Parquet path or glob,
  ``duckdb:///file.duckdb``, ``postgresql://...``), connect its backend, :func:`redact`
  passwords;
- :mod:`~workbench.engine.spark`: the Spark session for ``engine="spark"`` (optional extra
  ``workbench[spark]``);
- :mod:`~workbench.engine.tables`: the mapping's ``tables:`` and ``columns:`` sections, giving
  canonical Ibis tables;
- :mod:`~workbench.engine.aggregations`: each aggregation as one Ibis expression, with only
  per-customer or smaller frames coming back to pandas;
- :mod:`~workbench.engine.stages`: lifecycle stages at month ends and transition counts;
- :mod:`~workbench.engine.local`: a frame (or file) already on this machine as an Ibis table on
  an in-memory DuckDB, where the reports run the same expressions;
- :mod:`~workbench.engine.load`: :func:`load_source`, any source into a
  :class:`workbench.io.Dataset`, the loading rules running in the engine.
"""

from typing import Any

from workbench.engine.load import load_source
from workbench.engine.sources import (
    ENGINES,
    Connection,
    EngineError,
    Source,
    connect,
    parse_source,
    redact,
)
from workbench.engine.tables import canonical_table, read_mapping, resolve_tables

#: Names imported on first use: the aggregations and stages pull in the analysis packages
#: (and matplotlib), which loading data does not need.
_LAZY = {name: "workbench.engine.aggregations" for name in (
    "MONEY_SCALE", "co_purchase_counts", "cohort_counts", "cohort_matrix", "customer_summaries",
    "customer_summary",
    "daily_purchases", "purchase_features", "rfm_values", "summary_table")} | {
    name: "workbench.engine.stages" for name in (
        "stage_counts", "stage_snapshots", "transition_counts")}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'workbench.engine' has no attribute {name!r}")


__all__ = ["ENGINES", "MONEY_SCALE", "Connection", "EngineError", "Source", "canonical_table",
           "co_purchase_counts", "cohort_counts", "cohort_matrix", "connect", "customer_summaries",
           "customer_summary",
           "daily_purchases", "load_source", "parse_source", "purchase_features", "read_mapping", "redact",
           "resolve_tables", "rfm_values", "stage_counts", "stage_snapshots", "summary_table",
           "transition_counts"]
