"""Per-customer summary: the sufficient statistics of BTYD models and the raw RFM values.

Computed by :mod:`workbench.engine`'s Ibis expressions on DuckDB, so it runs on a DataFrame or
straight on Parquet/CSV files larger than memory, and gives the numbers the same expressions
give in PostgreSQL or on Spark. Time follows the buy-till-you-die literature (Fader, Hardie & Lee 2005): the
lines of one customer on one calendar day form one transaction; recency ``t_x`` and age ``T``
count from the customer's first purchase, with daily precision, expressed in ``unit``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["MONEY_DIGITS", "MONEY_SCALE", "UNIT_DAYS", "customer_summaries", "customer_summary",
           "day_after", "day_index", "exact_sum", "exact_units", "summary_frame", "up_to"]

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


def exact_units(money: pd.Series | np.ndarray) -> np.ndarray:
    """Money (currency units, NaN for none) as int64 units of 1/MONEY_SCALE: sums of them are
    exact, so they do not depend on the order of the lines (float sums do, in the last bit,
    and a tree model's split can fall on either side of it). Rounded half away from zero, as
    the engines' ``ROUND`` (:func:`workbench.engine.aggregations.money_units`)."""
    values = pd.to_numeric(pd.Series(money, copy=False), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan)
    scaled = np.nan_to_num(values, nan=0.0) * MONEY_SCALE
    return (np.sign(scaled) * np.floor(np.abs(scaled) + 0.5)).astype(np.int64)


def exact_sum(money: pd.Series | np.ndarray) -> float:
    """The sum of money values (currency units, missing as 0) as :func:`exact_units` add
    them: the same float whatever the order of the values."""
    return float(exact_units(money).sum()) / MONEY_SCALE


def day_index(when: pd.Timestamp | str) -> int:
    """The calendar day of ``when`` as the engines number days: whole days since 1970-01-01."""
    return (pd.Timestamp(when).normalize() - _EPOCH).days


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


_COLUMNS = (
    "customer_id", "first_purchase", "last_purchase", "n_orders", "n_purchase_days",
    "x", "t_x", "T", "total_revenue", "first_purchase_value", "mean_repeat_value",
    "avg_order_value", "recency_days", "frequency", "monetary",
)


def customer_summary(
    transactions: pd.DataFrame | str | Path,
    as_of: str | pd.Timestamp | None = None,
    unit: str = "W",
    *,
    holdout_end: str | pd.Timestamp | None = None,
    count_orders: bool = True,
) -> pd.DataFrame:
    """One row per customer who bought on or before ``as_of``.

    :func:`workbench.engine.customer_summary` (one Ibis expression for every backend) on
    DuckDB over ``transactions`` (:func:`workbench.engine.local.local_table`).

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
    from workbench.engine import aggregations
    from workbench.engine.local import local_table

    with local_table(transactions) as tx:
        return aggregations.customer_summary(tx, as_of, unit, holdout_end=holdout_end,
                                             count_orders=count_orders)


def customer_summaries(transactions: pd.DataFrame | str | Path,
                       dates: list[str | pd.Timestamp], unit: str = "W", *,
                       count_orders: bool = True) -> list[pd.DataFrame]:
    """:func:`customer_summary` at each of ``dates`` (inclusive), in one pass over the lines.

    The daily purchases are grouped once (the expensive step) and each date's per-customer
    summary is read from them: the same frames as one call per date, for about the cost of one
    (:func:`workbench.engine.customer_summaries`).
    """
    from workbench.engine import aggregations
    from workbench.engine.local import local_table

    with local_table(transactions) as tx:
        return aggregations.customer_summaries(tx, dates, unit, count_orders=count_orders)


def _int(table: pa.Table, name: str) -> np.ndarray:
    return table[name].to_numpy().astype(np.int64, copy=False)


def _money(table: pa.Table, name: str) -> np.ndarray:
    """Money units -> currency units as float64 (one division, the same on every backend)."""
    return table[name].to_numpy().astype(np.float64) / MONEY_SCALE


#: Day numbers a datetime64[ns] holds: 1677-09-22 to 2262-04-11.
_NS_DAYS = (-106_751, 106_751)


def _dates(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 -> datetime64[ns] midnights (ValueError outside 1677-2262, which
    nanoseconds cannot hold, instead of wrapping round)."""
    if len(days) and (days.min() < _NS_DAYS[0] or days.max() > _NS_DAYS[1]):
        raise ValueError("a purchase date lies outside 1677-09-22 .. 2262-04-11, the dates a "
                         "nanosecond timestamp holds")
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
    as_of_n = day_index(as_of_day)
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
