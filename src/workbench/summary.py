"""Per-customer summary: the sufficient statistics of BTYD models and the raw RFM values.

Computed with DuckDB SQL, so it runs on a DataFrame or straight on Parquet/CSV files larger
than memory. Time follows the buy-till-you-die literature (Fader, Hardie & Lee 2005): the
lines of one customer on one calendar day form one transaction; recency ``t_x`` and age ``T``
count from the customer's first purchase, with daily precision, expressed in ``unit``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

__all__ = ["UNIT_DAYS", "customer_summary"]

#: Cap on DuckDB's buffer memory per call (raise it for very large logs). Under it DuckDB frees
#: finished hash-table partitions eagerly and, past it, spills to its temp directory instead of
#: growing: 10M lines / 1M customers stay in memory, as fast, with ~25 % less peak RSS.
MEMORY_LIMIT = "1GB"

#: Length of one time unit in days. "M" and "Y" are average Gregorian months and years.
UNIT_DAYS: dict[str, float] = {"D": 1.0, "W": 7.0, "M": 365.25 / 12, "Y": 365.25}

_COLUMNS = (
    "customer_id", "first_purchase", "last_purchase", "n_orders", "n_purchase_days",
    "x", "t_x", "T", "total_revenue", "first_purchase_value", "mean_repeat_value",
    "avg_order_value", "recency_days", "frequency", "monetary",
)


def _source_sql(transactions: pd.DataFrame | str | Path, con: duckdb.DuckDBPyConnection) -> str:
    if isinstance(transactions, pd.DataFrame):
        columns = ["customer_id", "order_date", "amount"]
        if "order_id" in transactions:
            columns.append("order_id")
        con.register("tx_frame", transactions[columns])
        return "tx_frame"
    path = str(transactions).replace("'", "''")
    if path.lower().endswith(".parquet") or Path(path).is_dir():
        pattern = path if not Path(path).is_dir() else f"{path}/*.parquet"
        return f"read_parquet('{pattern}')"
    return f"read_csv_auto('{path}', types={{'customer_id': 'VARCHAR'}})"


def customer_summary(
    transactions: pd.DataFrame | str | Path,
    as_of: str | pd.Timestamp | None = None,
    unit: str = "W",
    *,
    holdout_end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """One row per customer who bought on or before ``as_of``.

    Parameters
    ----------
    transactions
        Canonical transactions (``customer_id``, ``order_date``, ``amount``, optional
        ``order_id``), as a DataFrame or the path of a Parquet file/folder or CSV file.
        Returns should already be set aside (the loader does this).
    as_of
        Last day of the observation (calibration) period, inclusive. Defaults to the last
        transaction date.
    unit
        Time unit of ``t_x`` and ``T``: "D" (days), "W" (weeks, the papers' choice),
        "M" (months of 30.44 days) or "Y" (years of 365.25 days).
    holdout_end
        If given, also count each customer's transactions (distinct purchase days) and revenue
        in the holdout period (as_of, holdout_end]: ``x_holdout``, ``holdout_revenue``, and the
        period's length ``holdout_length`` in ``unit``.

    Returns
    -------
    DataFrame with, per customer: ``first_purchase``, ``last_purchase`` (dates),
    ``n_orders`` (distinct orders), ``n_purchase_days``, ``x`` (repeat transactions =
    purchase days - 1), ``t_x`` (first to last purchase) and ``T`` (first purchase to
    ``as_of``) in ``unit``, ``total_revenue``, ``first_purchase_value``,
    ``mean_repeat_value`` (mean value of the repeat transactions, NaN when x = 0, the
    Gamma-Gamma input), ``avg_order_value``, and the raw RFM values ``recency_days``
    (days since last purchase), ``frequency`` (= n_orders) and ``monetary``
    (= total_revenue).
    """
    if unit not in UNIT_DAYS:
        raise ValueError(f"unit must be one of {', '.join(UNIT_DAYS)}, got {unit!r}")
    unit_days = UNIT_DAYS[unit]
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT})
    try:
        source = _source_sql(transactions, con)
        has_order_id = (
            "order_id" in transactions.columns
            if isinstance(transactions, pd.DataFrame)
            else "order_id" in {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
        )
        if as_of is None:
            as_of = con.execute(f"SELECT max(order_date) FROM {source}").fetchall()[0][0]
        as_of_day = pd.Timestamp(as_of).normalize()
        holdout_day = pd.Timestamp(holdout_end).normalize() if holdout_end is not None else None
        if holdout_day is not None and holdout_day <= as_of_day:
            raise ValueError(f"holdout_end {holdout_day.date()} must be after as_of {as_of_day.date()}")
        end_day = holdout_day or as_of_day
        # Lines -> one row per (customer, day[, order]) -> one row per customer. Orders are
        # counted by grouping on order_id first and then counting the non-null ids of each day:
        # the same numbers as count(DISTINCT order_id) per day, about twice as fast on large
        # logs (DuckDB's DISTINCT aggregates keep a second hash table of (groups, order_id)).
        lines = f"""
            SELECT CAST(customer_id AS VARCHAR) AS customer_id,
                   CAST(order_date AS DATE) AS day,
                   {"order_id," if has_order_id else ""}
                   amount
            FROM {source}
            WHERE order_date < DATE '{end_day.date()}' + INTERVAL 1 DAY
        """
        if has_order_id:
            daily = f"""
            orders AS (
                SELECT customer_id, day, order_id, sum(amount) AS amount
                FROM ({lines}) GROUP BY ALL
            ),
            daily AS (
                SELECT customer_id, day, sum(amount) AS amount, count(order_id) AS orders
                FROM orders GROUP BY ALL
            )"""
        else:
            daily = f"""
            daily AS (
                SELECT customer_id, day, sum(amount) AS amount, count(*) AS orders
                FROM ({lines}) GROUP BY ALL
            )"""
        if holdout_day is not None:
            holdout_cte = f""",
        holdout AS (
            SELECT customer_id, count(*) AS x_holdout, sum(amount) AS holdout_revenue
            FROM daily
            WHERE day > DATE '{as_of_day.date()}'
            GROUP BY customer_id
        )"""
            holdout_cols = """,
               coalesce(h.x_holdout, 0) AS x_holdout,
               coalesce(h.holdout_revenue, 0.0) AS holdout_revenue"""
            holdout_join = "LEFT JOIN holdout h USING (customer_id)"
        else:  # no holdout: don't compute (or materialise) the daily rows twice
            holdout_cte = holdout_cols = holdout_join = ""
        query = f"""
        WITH {daily},
        calibration AS (
            SELECT customer_id,
                   min(day) AS first_purchase,
                   max(day) AS last_purchase,
                   sum(orders) AS n_orders,
                   count(*) AS n_purchase_days,
                   sum(amount) AS total_revenue,
                   arg_min(amount, day) AS first_purchase_value
            FROM daily
            WHERE day <= DATE '{as_of_day.date()}'
            GROUP BY customer_id
        ){holdout_cte}
        SELECT c.*,
               n_purchase_days - 1 AS x,
               date_diff('day', first_purchase, last_purchase) / {unit_days} AS t_x,
               date_diff('day', first_purchase, DATE '{as_of_day.date()}') / {unit_days} AS "T",
               CASE WHEN n_purchase_days > 1
                    THEN (total_revenue - first_purchase_value) / (n_purchase_days - 1) END
                    AS mean_repeat_value,
               total_revenue / n_orders AS avg_order_value,
               date_diff('day', last_purchase, DATE '{as_of_day.date()}') AS recency_days{holdout_cols}
        FROM calibration c {holdout_join}
        ORDER BY customer_id
        """
        result = con.execute(query).df()
    finally:
        con.close()
    result["customer_id"] = result["customer_id"].astype("str")
    for col in ("first_purchase", "last_purchase"):
        result[col] = pd.to_datetime(result[col]).astype("datetime64[ns]")
    for col in ("n_orders", "n_purchase_days", "x", "recency_days", "x_holdout"):
        if col in result:
            result[col] = result[col].astype("int64")
    result["frequency"] = result["n_orders"]
    result["monetary"] = result["total_revenue"]
    columns = list(_COLUMNS)
    if holdout_day is not None:
        result["holdout_length"] = (holdout_day - as_of_day).days / unit_days
        columns += ["x_holdout", "holdout_revenue", "holdout_length"]
    result.attrs.update(as_of=str(as_of_day.date()), unit=unit)
    return result[columns].reset_index(drop=True)
