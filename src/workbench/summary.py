"""Per-customer summary: the sufficient statistics of BTYD models and the raw RFM values.

Computed with DuckDB SQL, so it runs on a DataFrame or straight on Parquet/CSV files larger
than memory. Time follows the buy-till-you-die literature (Fader, Hardie & Lee 2005): the
lines of one customer on one calendar day form one transaction; recency ``t_x`` and age ``T``
count from the customer's first purchase, with daily precision, expressed in ``unit``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["MONEY_DIGITS", "MONEY_SCALE", "UNIT_DAYS", "customer_summaries", "customer_summary",
           "daily_purchases_sql", "day_after", "summary_frame", "up_to"]

#: Cap on DuckDB's buffer memory per call (raise it for very large logs). Under it DuckDB frees
#: finished hash-table partitions eagerly and, past it, spills to its temp directory instead of
#: growing: 10M lines / 1M customers stay in memory, as fast, with ~25 % less peak RSS.
MEMORY_LIMIT = "1GB"

#: Decimal digits of money kept exactly: each line's amount is rounded once to 1/10,000 of the
#: currency, and sums are exact integers of these units (``BIGINT``) or ``DECIMAL(18, 4)``.
MONEY_DIGITS = 4
#: Money units per currency unit: 10,000. A BIGINT holds 9.2e18 units, so the sums are exact up
#: to 9.2e14 currency units per customer (DuckDB raises an out-of-range error beyond).
MONEY_SCALE = 10**MONEY_DIGITS
_EPOCH = pd.Timestamp("1970-01-01")
#: Packing of (day, spend) into one BIGINT, so that one plain min gives a customer's first
#: purchase day and its spend: days since 1970-01-01 in [-2**15, 2**17 - 2**15) (1880 to 2239)
#: times 2**46, plus the day's spend in money units shifted by 2**45, so |spend| of one
#: customer-day < 2**45 units (3.5e9 currency units). Outside it, the unpacked arg_min is used.
_PACK_BITS = 46
_PACK, _HALF, _DAY_OFFSET, _PACK_DAYS = 2**_PACK_BITS, 2**45, 2**15, 2**17

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
                        day_number: bool = False, orders: str | None = None,
                        money: Literal["decimal", "integer"] = "decimal") -> str:
    """SQL of the daily purchases: the lines of one customer on one calendar day as one row.

    The one definition of a transaction in the buy-till-you-die sense (Fader, Hardie & Lee
    2005), used by the customer summary, the lifecycle history and the churn features.
    ``source`` is a DuckDB table or table function with ``customer_id``, ``order_date`` and
    ``amount`` (and ``order_id`` for ``orders="order_id"``). Rows: ``customer_id`` (VARCHAR),
    ``day`` (DATE, or with ``day_number`` an INTEGER count of days since 1970-01-01, cheaper to
    group on), ``amount`` (the day's spend, an exact sum: float sums vary with DuckDB's thread
    split) and, with ``orders``, ``orders``: the day's distinct non-null ``order_id`` values
    (``"order_id"``) or lines (``"lines"``). ``as_of`` keeps the lines on or before that day
    (whole day, :func:`day_after`).

    ``money="decimal"`` sums ``amount`` as ``DECIMAL(18, 4)``; ``money="integer"`` gives the
    same sum as a ``BIGINT`` of money units (1/MONEY_SCALE of the currency: each line rounded
    once, half away from zero, as :func:`workbench.engine.money_units`), which is cheaper to
    sum and group on. A day's spend beyond 9.2e14 currency units raises an out-of-range error.
    """
    if orders not in (None, "order_id", "lines"):
        raise ValueError(f"orders must be None, 'order_id' or 'lines', got {orders!r}")
    if money not in ("decimal", "integer"):
        raise ValueError(f"money must be 'decimal' or 'integer', got {money!r}")
    # DATE - DATE counts whole days, also before 1970 (where epoch // 86400 would round up).
    day = ("CAST(CAST(order_date AS DATE) - DATE '1970-01-01' AS INTEGER)"
           if day_number else "CAST(order_date AS DATE)")
    where = f"WHERE order_date < DATE '{day_after(as_of).date()}'" if as_of is not None else ""
    amount = ("CAST(amount AS DECIMAL(18, 4))" if money == "decimal"
              else f"CAST(round(amount * {MONEY_SCALE}) AS BIGINT)")
    # DuckDB's sum(BIGINT) is a HUGEINT: back to BIGINT, a narrower row for the next group.
    total = "sum(amount)" if money == "decimal" else "CAST(sum(amount) AS BIGINT)"
    lines = f"""SELECT CAST(customer_id AS VARCHAR) AS customer_id, {day} AS day,
                       {"order_id," if orders == "order_id" else ""}
                       {amount} AS amount
                FROM {source} {where}"""
    if orders == "order_id":
        # Grouping on order_id first and then counting the non-null ids of each day gives the
        # numbers of count(DISTINCT order_id) per day, about twice as fast on large logs
        # (DuckDB's DISTINCT aggregates keep a second hash table of (groups, order_id)).
        return f"""SELECT customer_id, day, {total} AS amount, count(order_id) AS orders
                   FROM (SELECT customer_id, day, order_id, {total} AS amount
                         FROM ({lines}) GROUP BY ALL)
                   GROUP BY ALL"""
    count = ", count(*) AS orders" if orders == "lines" else ""
    return f"SELECT customer_id, day, {total} AS amount{count} FROM ({lines}) GROUP BY ALL"


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
        the most expensive step on large logs (the lines are grouped by customer, day and
        order before customer and day); with False, ``n_orders`` is the number of purchase
        days, as in ``lifetimes``.

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
        # Lines -> one row per (customer, day) (:func:`daily_purchases_sql`, money as BIGINT
        # units, days as integers) -> one row per customer.
        count_orders = count_orders and has_order_id
        orders = "order_id" if count_orders else None if has_order_id else "lines"
        daily_sql = daily_purchases_sql(source, end_day, day_number=True, orders=orders,
                                        money="integer")
        if len(days) > 1:  # group the lines once, read every date's summary from the table
            con.execute(f"CREATE TEMP TABLE daily AS {daily_sql}")
            daily = ""
        else:  # one date: don't materialise the daily rows
            daily = f"daily AS ({daily_sql}),"
        results = [_summary_at(con, daily, day, unit, holdout_day, orders) for day in days]
    finally:
        con.close()
    for result, day in zip(results, days):
        result.attrs.update(as_of=str(day.date()), unit=unit, orders_counted=count_orders)
    return results


def _summary_at(con: duckdb.DuckDBPyConnection, daily: str, as_of_day: pd.Timestamp, unit: str,
                holdout_day: pd.Timestamp | None, orders: str | None) -> pd.DataFrame:
    """One date's per-customer summary from the ``daily`` rows (a CTE or a table).

    DuckDB returns integers only (days, counts, money units) in ``customer_id`` order;
    :func:`summary_frame` does the little float arithmetic left, as workbench.engine does.
    """
    as_of_n = (as_of_day - _EPOCH).days
    n_orders = "sum(orders)" if orders else "count(*)"
    if holdout_day is not None:
        holdout_cte = f""",
    holdout AS (
        SELECT customer_id, count(*) AS x_holdout, CAST(sum(amount) AS BIGINT) AS holdout_revenue
        FROM daily
        WHERE day > {as_of_n}
        GROUP BY customer_id
    )"""
        holdout_cols = """,
           CAST(coalesce(h.x_holdout, 0) AS BIGINT) AS x_holdout,
           coalesce(h.holdout_revenue, 0) AS holdout_revenue"""
        holdout_join = "LEFT JOIN holdout h USING (customer_id)"
    else:  # no holdout: don't compute (or materialise) the daily rows twice
        holdout_cte = holdout_cols = holdout_join = ""
    # The first day and its spend from one min of the packed (day, spend) (see _PACK): a row
    # out of the packing range gets -1, below every packed value, and a customer with one is
    # recomputed below with min(day) and arg_min(amount, day) (one row per day: no ties).
    packed = (f"(CASE WHEN amount > -{_HALF} AND amount < {_HALF} AND day >= -{_DAY_OFFSET} "
              f"AND day < {_PACK_DAYS - _DAY_OFFSET} "
              f"THEN (day + {_DAY_OFFSET})::BIGINT * {_PACK} + (amount + {_HALF}) ELSE -1 END)")
    firsts = {
        True: f"min({packed}) AS first_key",
        False: "min(day) AS first_day, arg_min(amount, day) AS first_value",
    }
    unpack = f"""CASE WHEN first_key >= 0 THEN (first_key >> {_PACK_BITS}) - {_DAY_OFFSET} END
                     AS first_day,
                 CASE WHEN first_key >= 0 THEN first_key % {_PACK} - {_HALF} END AS first_value,"""
    columns = """customer_id, first_day, last_day, n_orders, n_purchase_days, revenue,
                 first_value"""
    for use_packed in (True, False):
        query = f"""
        WITH {daily}
        calibration AS (
            SELECT customer_id,
                   {firsts[use_packed]},
                   max(day) AS last_day,
                   CAST({n_orders} AS BIGINT) AS n_orders,
                   count(*) AS n_purchase_days,
                   CAST(sum(amount) AS BIGINT) AS revenue
            FROM daily
            WHERE day <= {as_of_n}
            GROUP BY customer_id
        ),
        customers AS (
            SELECT {unpack if use_packed else ""} * {"EXCLUDE (first_key)" if use_packed else ""}
            FROM calibration
        ){holdout_cte}
        SELECT {columns}{holdout_cols}
        FROM customers c {holdout_join}
        ORDER BY customer_id
        """
        table = con.sql(query).to_arrow_table()
        if not table["first_day"].null_count:
            break
    return summary_frame(table, as_of_day, unit, holdout_day)


def _int(table: pa.Table, name: str) -> np.ndarray:
    return table[name].to_numpy().astype(np.int64, copy=False)


def _money(table: pa.Table, name: str) -> np.ndarray:
    """Money units -> currency units as float64 (one division, the same on every backend)."""
    return table[name].to_numpy().astype(np.float64) / MONEY_SCALE


def _dates(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 -> datetime64[ns] midnights."""
    return (days * (86_400 * 10**9)).view("datetime64[ns]")


def summary_frame(table: pa.Table, as_of_day: pd.Timestamp, unit: str,
                  holdout_day: pd.Timestamp | None = None) -> pd.DataFrame:
    """The customer summary frame from its integer statistics, one row per customer in order.

    ``table`` has ``customer_id``, ``first_day`` and ``last_day`` (days since 1970-01-01),
    ``n_orders``, ``n_purchase_days``, ``revenue`` and ``first_value`` (money units of
    1/MONEY_SCALE) and, with ``holdout_day``, ``x_holdout`` and ``holdout_revenue``. Shared
    by DuckDB SQL here and by :func:`workbench.engine.customer_summary`, so every engine's
    floats come from the same integers by the same operations.
    """
    unit_days = UNIT_DAYS[unit]
    as_of_n = (as_of_day - _EPOCH).days
    first, last = _int(table, "first_day"), _int(table, "last_day")
    n_orders, n_days = _int(table, "n_orders"), _int(table, "n_purchase_days")
    total, first_value = _money(table, "revenue"), _money(table, "first_value")
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_repeat = np.where(n_days > 1, (total - first_value) / (n_days - 1), np.nan)
        avg_order = total / n_orders
    # Arrow strings -> pandas' str dtype (Arrow-backed): no Python object per customer.
    ids = table["customer_id"].to_pandas().astype("str")
    result = pd.DataFrame({
        "customer_id": ids,
        "first_purchase": _dates(first), "last_purchase": _dates(last),
        "n_orders": n_orders, "n_purchase_days": n_days, "x": n_days - 1,
        "t_x": (last - first) / unit_days, "T": (as_of_n - first) / unit_days,
        "total_revenue": total, "first_purchase_value": first_value,
        "mean_repeat_value": mean_repeat, "avg_order_value": avg_order,
        "recency_days": as_of_n - last, "frequency": n_orders, "monetary": total,
    }, columns=list(_COLUMNS), copy=False)  # no copy into 2-D blocks: 0.1-0.5 s on 1M rows
    if holdout_day is not None:
        result["x_holdout"] = _int(table, "x_holdout")
        result["holdout_revenue"] = _money(table, "holdout_revenue")
        result["holdout_length"] = (holdout_day - as_of_day).days / unit_days
    return result
