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

__all__ = ["UNIT_DAYS", "customer_summaries", "customer_summary", "daily_purchases_sql", "day_after",
           "up_to"]

#: Cap on DuckDB's buffer memory per call (raise it for very large logs). Under it DuckDB frees
#: finished hash-table partitions eagerly and, past it, spills to its temp directory instead of
#: growing: 10M lines / 1M customers stay in memory, as fast, with ~25 % less peak RSS.
MEMORY_LIMIT = "1GB"

#: Length of one time unit in days. "M" and "Y" are average Gregorian months and years.
UNIT_DAYS: dict[str, float] = {"D": 1.0, "W": 7.0, "M": 365.25 / 12, "Y": 365.25}

def day_after(as_of: pd.Timestamp | str) -> pd.Timestamp:
    """Midnight at the start of the day after ``as_of``: the exclusive end of "up to as_of".

    ``as_of`` names a whole calendar day, so a line at 18:30 on ``as_of`` is inside the
    period. Every "on or before as_of" cut in the package is ``when < day_after(as_of)``.
    """
    return pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)


def up_to(frame: pd.DataFrame, as_of: pd.Timestamp | str | None,
          column: str = "order_date") -> pd.DataFrame:
    """Rows of ``frame`` whose ``column`` falls on or before the day ``as_of`` (whole day).

    ``as_of=None`` returns ``frame`` itself. Rows with a missing date are dropped by the cut.
    """
    if as_of is None:
        return frame
    return frame[frame[column] < day_after(as_of)]


def daily_purchases_sql(source: str, as_of: pd.Timestamp | str | None = None, *,
                        day_number: bool = False, orders: str | None = None) -> str:
    """SQL of the daily purchases: the lines of one customer on one calendar day as one row.

    The one definition of a transaction in the buy-till-you-die sense (Fader, Hardie & Lee
    2005), used by the customer summary, the lifecycle history and the churn features.
    ``source`` is a DuckDB table or table function with ``customer_id``, ``order_date`` and
    ``amount`` (and ``order_id`` for ``orders="order_id"``). Rows: ``customer_id`` (VARCHAR),
    ``day`` (DATE, or with ``day_number`` an INTEGER count of days since 1970-01-01, cheaper to
    group on), ``amount`` (the day's spend, an exact DECIMAL sum: float sums vary with
    DuckDB's thread split) and, with ``orders``, ``orders``: the day's distinct non-null
    ``order_id`` values (``"order_id"``) or lines (``"lines"``). ``as_of`` keeps the lines on
    or before that day (whole day, :func:`day_after`).
    """
    if orders not in (None, "order_id", "lines"):
        raise ValueError(f"orders must be None, 'order_id' or 'lines', got {orders!r}")
    day = ("CAST(epoch_us(CAST(order_date AS TIMESTAMP)) // 86400000000 AS INTEGER)"
           if day_number else "CAST(order_date AS DATE)")
    where = f"WHERE order_date < DATE '{day_after(as_of).date()}'" if as_of is not None else ""
    lines = f"""SELECT CAST(customer_id AS VARCHAR) AS customer_id, {day} AS day,
                       {"order_id," if orders == "order_id" else ""}
                       CAST(amount AS DECIMAL(18, 4)) AS amount
                FROM {source} {where}"""
    if orders == "order_id":
        # Grouping on order_id first and then counting the non-null ids of each day gives the
        # numbers of count(DISTINCT order_id) per day, about twice as fast on large logs
        # (DuckDB's DISTINCT aggregates keep a second hash table of (groups, order_id)).
        return f"""SELECT customer_id, day, sum(amount) AS amount, count(order_id) AS orders
                   FROM (SELECT customer_id, day, order_id, sum(amount) AS amount
                         FROM ({lines}) GROUP BY ALL)
                   GROUP BY ALL"""
    count = ", count(*) AS orders" if orders == "lines" else ""
    return f"SELECT customer_id, day, sum(amount) AS amount{count} FROM ({lines}) GROUP BY ALL"


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
    count_orders: bool = True,
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
    count_orders
        Count distinct ``order_id`` per customer (``n_orders``). Counting distinct orders is
        the most expensive step on large logs (about 1 s of 2.4 s for 10M lines on 2 cores);
        with False, ``n_orders`` is the number of purchase days, as in ``lifetimes``.

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
    return _summaries(transactions, [as_of], unit, holdout_end, count_orders)[0]


def customer_summaries(transactions: pd.DataFrame | str | Path,
                       dates: list[str | pd.Timestamp], unit: str = "W", *,
                       count_orders: bool = True) -> list[pd.DataFrame]:
    """:func:`customer_summary` at each of ``dates`` (inclusive), in one pass over the lines.

    The daily purchases are grouped once (the expensive step) and each date's per-customer
    summary is read from them: the same frames as one call per date, for about the cost of one.
    """
    return _summaries(transactions, list(dates), unit, None, count_orders)


def _summaries(transactions: pd.DataFrame | str | Path, as_ofs: list, unit: str,
               holdout_end: str | pd.Timestamp | None, count_orders: bool) -> list[pd.DataFrame]:
    if unit not in UNIT_DAYS:
        raise ValueError(f"unit must be one of {', '.join(UNIT_DAYS)}, got {unit!r}")
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "preserve_insertion_order": False})
    try:
        source = _source_sql(transactions, con)
        if isinstance(transactions, pd.DataFrame):
            has_order_id = "order_id" in transactions.columns
        else:
            described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
            has_order_id = "order_id" in {row[0] for row in described}
        if any(as_of is None for as_of in as_ofs):
            last = con.execute(f"SELECT max(order_date) FROM {source}").fetchall()[0][0]
            as_ofs = [last if as_of is None else as_of for as_of in as_ofs]
        days = [pd.Timestamp(as_of).normalize() for as_of in as_ofs]
        holdout_day = pd.Timestamp(holdout_end).normalize() if holdout_end is not None else None
        if holdout_day is not None and holdout_day <= days[0]:
            raise ValueError(f"holdout_end {holdout_day.date()} must be after as_of {days[0].date()}")
        end_day = holdout_day or max(days)
        # Lines -> one row per (customer, day) (:func:`daily_purchases_sql`, money as exact
        # DECIMAL, days as integers) -> one row per customer.
        count_orders = count_orders and has_order_id
        orders = "order_id" if count_orders else None if has_order_id else "lines"
        daily_sql = daily_purchases_sql(source, end_day, day_number=True, orders=orders)
        if len(days) > 1:  # group the lines once, read every date's summary from the table
            con.execute(f"CREATE TEMP TABLE daily AS {daily_sql}")
            daily = ""
        else:  # one date: don't materialise the daily rows
            daily = f"daily AS ({daily_sql}),"
        results = [_summary_at(con, daily, day, unit, holdout_day, orders)
                   for day in days]
    finally:
        con.close()
    for result, day in zip(results, days):
        result.attrs.update(as_of=str(day.date()), unit=unit, orders_counted=count_orders)
    return results


def _summary_at(con: duckdb.DuckDBPyConnection, daily: str, as_of_day: pd.Timestamp, unit: str,
                holdout_day: pd.Timestamp | None, orders: str | None) -> pd.DataFrame:
    """One date's per-customer summary from the ``daily`` rows (a CTE or a table)."""
    unit_days = UNIT_DAYS[unit]
    as_of_n = (as_of_day - pd.Timestamp("1970-01-01")).days
    n_orders = "sum(orders)" if orders else "count(*)"
    if holdout_day is not None:
        holdout_cte = f""",
    holdout AS (
        SELECT customer_id, count(*) AS x_holdout, sum(amount)::DOUBLE AS holdout_revenue
        FROM daily
        WHERE day > {as_of_n}
        GROUP BY customer_id
    )"""
        holdout_cols = """,
           coalesce(h.x_holdout, 0) AS x_holdout,
           coalesce(h.holdout_revenue, 0.0) AS holdout_revenue"""
        holdout_join = "LEFT JOIN holdout h USING (customer_id)"
    else:  # no holdout: don't compute (or materialise) the daily rows twice
        holdout_cte = holdout_cols = holdout_join = ""
    query = f"""
    WITH {daily}
    calibration AS (
        SELECT customer_id,
               min(day) AS first_day,
               max(day) AS last_day,
               CAST({n_orders} AS BIGINT) AS n_orders,
               count(*) AS n_purchase_days,
               sum(amount)::DOUBLE AS total_revenue,
               arg_min(amount, day)::DOUBLE AS first_purchase_value
        FROM daily
        WHERE day <= {as_of_n}
        GROUP BY customer_id
    ){holdout_cte}
    SELECT customer_id,
           DATE '1970-01-01' + first_day AS first_purchase,
           DATE '1970-01-01' + last_day AS last_purchase,
           n_orders, n_purchase_days, total_revenue, first_purchase_value,
           n_purchase_days - 1 AS x,
           (last_day - first_day) / {unit_days} AS t_x,
           ({as_of_n} - first_day) / {unit_days} AS "T",
           CASE WHEN n_purchase_days > 1
                THEN (total_revenue - first_purchase_value) / (n_purchase_days - 1) END
                AS mean_repeat_value,
           total_revenue / n_orders AS avg_order_value,
           {as_of_n} - last_day AS recency_days{holdout_cols}
    FROM calibration c {holdout_join}
    ORDER BY customer_id
    """
    # Via Arrow: no Python objects for the 1M customer ids (0.3 s less than .df()).
    result = con.sql(query).to_arrow_table().to_pandas(date_as_object=False)
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
    return result[columns].reset_index(drop=True)
