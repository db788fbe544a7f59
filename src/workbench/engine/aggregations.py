"""The aggregations over the transaction log, each one Ibis expression for every backend.

The expressions run where the data is (DuckDB, PostgreSQL, Spark); only per-customer or
smaller tables come back, and the little arithmetic left (dates, units, means) is done on them
in pandas, the same code for every backend, so one source gives one result everywhere.

Time follows :mod:`workbench.summary` (Fader, Hardie & Lee 2005): the lines of one customer on
one calendar day form one transaction, days are counted as integers since 1970-01-01, and
"on or before ``as_of``" keeps lines before midnight at the start of the next day. Money is
summed exactly: as integer units of 1/10,000 of the currency (``BIGINT``, the default) or as
``DECIMAL(18, 4)`` (``money="decimal"``); both give the same integers, and float sums (which
depend on the order of addition, so on the engine's threads) are never used.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Literal

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlglot as sg

from workbench.summary import (
    _DAY_OFFSET,
    _HALF,
    _PACK,
    _PACK_BITS,
    _PACK_DAYS,
    MONEY_DIGITS,
    MONEY_SCALE,
    UNIT_DAYS,
    _int,
    _money,
    day_after,
    day_index,
    summary_frame,
)

__all__ = ["MONEY_DIGITS", "MONEY_SCALE", "co_purchase_counts", "cohort_counts", "cohort_counts_of",
           "cohort_matrix", "cohort_matrix_of",
           "customer_summaries", "customer_summary", "daily_purchases", "day_number", "money_units",
           "purchase_feature_frame", "purchase_feature_table", "purchase_features", "rfm_values",
           "summary_table", "temporary_table"]

Money = Literal["integer", "decimal"]


def day_number(when: ibis.Value) -> ibis.Value:
    """Calendar day of a timestamp or date as an integer: days since 1970-01-01."""
    day = when.date() if when.type().is_timestamp() else when
    return day.epoch_days().cast("int32")


def money_units(amount: ibis.Value, money: Money = "integer") -> ibis.Value:
    """``amount`` (currency units) as exact money: ``BIGINT`` units of 1/MONEY_SCALE, or
    ``DECIMAL(18, 4)`` for ``money="decimal"``. A float amount is rounded to 4 decimals."""
    if money == "decimal":
        return amount.cast(dt.Decimal(18, MONEY_DIGITS))
    if money != "integer":
        raise ValueError(f"money must be 'integer' or 'decimal', got {money!r}")
    return (amount * MONEY_SCALE).round().cast("int64")


def _bigint(value: ibis.Value) -> ibis.Value:
    """``CAST(value AS BIGINT)``, also where Ibis already types ``value`` as int64.

    Ibis drops a cast to the type it infers, but sum(BIGINT) is a HUGEINT on DuckDB and a
    NUMERIC on PostgreSQL: the explicit cast keeps the daily rows narrow (and faster to
    group on), and an out-of-range sum raises instead of passing on.
    """
    return ops.Cast(value, to=dt.int64).to_expr()


def _units_sum(units: ibis.Value, money: Money) -> ibis.Value:
    """Sum of money units, returned as BIGINT units on every backend (exact)."""
    if money == "decimal":
        return (units.sum() * MONEY_SCALE).cast("int64")
    return _bigint(units.sum())


def _up_to(tx: ibis.Table, as_of: pd.Timestamp | str | None) -> ibis.Table:
    if as_of is None:
        return tx
    return tx.filter(tx.order_date < ibis.timestamp(day_after(as_of).to_pydatetime()))


def daily_purchases(tx: ibis.Table, as_of: pd.Timestamp | str | None = None, *,
                    orders: Literal["order_id", "lines"] | None = None,
                    money: Money = "integer") -> ibis.Table:
    """The daily purchases: one row per customer and calendar day with lines on it.

    ``tx`` is a canonical transactions table (``customer_id``, ``order_date``, ``amount``, and
    ``order_id`` for ``orders="order_id"``). Rows: ``customer_id`` (string), ``day`` (days
    since 1970-01-01), ``amount`` (that day's spend as BIGINT units of 1/MONEY_SCALE of the
    currency: exact on every engine) and, with ``orders``, ``orders``: the day's distinct
    non-null ``order_id`` values or its lines. ``as_of`` keeps the lines on or before that
    day (whole day). ``money`` chooses how the sum is taken (see :func:`money_units`).
    """
    if orders not in (None, "order_id", "lines"):
        raise ValueError(f"orders must be None, 'order_id' or 'lines', got {orders!r}")
    tx = _up_to(tx, as_of)
    lines = tx.select(customer_id=tx.customer_id.cast("string"), day=day_number(tx.order_date),
                      amount=money_units(tx.amount, money),
                      **({"order_id": tx.order_id} if orders == "order_id" else {}))
    if orders == "order_id":
        # Group on the order first, then count the day's non-null ids: count(DISTINCT) per day,
        # without a second hash table of (groups, order_id) (as workbench.summary).
        per_order = lines.group_by(["customer_id", "day", "order_id"]).aggregate(
            amount=lines.amount.sum())
        return per_order.group_by(["customer_id", "day"]).aggregate(
            amount=_units_sum(per_order.amount, money), orders=per_order.order_id.count())
    extra = {"orders": lines.count()} if orders == "lines" else {}
    return lines.group_by(["customer_id", "day"]).aggregate(
        amount=_units_sum(lines.amount, money), **extra)


def _orders_kind(tx: ibis.Table, count_orders: bool) -> Literal["order_id", "lines"] | None:
    """What ``n_orders`` counts: distinct ``order_id`` values, the purchase days (None, with
    ``count_orders=False``) or the lines (a log without ``order_id``)."""
    has_order_id = "order_id" in tx.columns
    return "order_id" if count_orders and has_order_id else None if has_order_id else "lines"


def summary_table(tx: ibis.Table, as_of: pd.Timestamp | str, *,
                  holdout_end: pd.Timestamp | str | None = None, count_orders: bool = True,
                  money: Money = "integer", packed: bool = True) -> ibis.Table:
    """Per-customer sufficient statistics, as an Ibis expression (one row per customer).

    Columns: ``customer_id``, ``first_day`` and ``last_day`` (days since 1970-01-01),
    ``n_orders`` (distinct orders; purchase days with ``count_orders=False``; lines when
    ``tx`` has no ``order_id``), ``n_purchase_days``, ``revenue`` and ``first_value`` (money
    units of 1/MONEY_SCALE: the spend in the period and on the first purchase day) and, with
    ``holdout_end``, ``x_holdout`` (purchase days in (as_of, holdout_end]) and
    ``holdout_revenue`` (money units). :func:`customer_summary` turns it into the frame.

    ``packed`` reads ``first_value`` from a packed minimum (faster; NULL for a customer with a
    day's spend of 3.5e9 currency units or more, or days outside 1880-2239, where
    :func:`customer_summary` falls back to ``packed=False``, an ordered argmin).
    """
    as_of_day = pd.Timestamp(as_of).normalize()
    holdout_day = pd.Timestamp(holdout_end).normalize() if holdout_end is not None else None
    orders = _orders_kind(tx, count_orders)
    daily = daily_purchases(tx, holdout_day or as_of_day, orders=orders, money=money)
    return _summary_of_daily(daily, as_of_day, holdout_day, counted=orders is not None,
                             packed=packed)


def _summary_of_daily(daily: ibis.Table, as_of_day: pd.Timestamp,
                      holdout_day: pd.Timestamp | None, *, counted: bool,
                      packed: bool = True) -> ibis.Table:
    """:func:`summary_table` from the daily purchases (with ``orders`` when ``counted``)."""
    as_of_n = day_index(as_of_day)
    calibration = daily.filter(daily.day <= as_of_n)
    n_orders = calibration.orders.sum() if counted else calibration.count()
    if packed:
        # The first day and its spend from one plain min of (day, spend) packed into one
        # BIGINT (_PACK in workbench.summary), where argmin is an ordered aggregate on DuckDB
        # and an ordered array_agg on PostgreSQL. A row out of the packing range gets -1,
        # below every packed value, and its customer NULL (see customer_summary).
        day, amount = calibration.day, calibration.amount
        in_range = ((amount > -_HALF) & (amount < _HALF) & (day >= -_DAY_OFFSET)
                    & (day < _PACK_DAYS - _DAY_OFFSET))
        key = ibis.ifelse(in_range, (day + _DAY_OFFSET).cast("int64") * _PACK + (amount + _HALF),
                          -1).min()
        firsts = {"first_day": ibis.ifelse(key >= 0, (key >> _PACK_BITS) - _DAY_OFFSET,
                                           ibis.null("int64")),
                  "first_value": ibis.ifelse(key >= 0, key % _PACK - _HALF, ibis.null("int64"))}
    else:
        firsts = {"first_day": calibration.day.min(),
                  "first_value": calibration.amount.argmin(calibration.day)}
    summary = calibration.group_by("customer_id").aggregate(
        first_day=firsts["first_day"].cast("int64"), last_day=calibration.day.max(),
        n_orders=n_orders.cast("int64"), n_purchase_days=calibration.count().cast("int64"),
        revenue=_bigint(calibration.amount.sum()), first_value=firsts["first_value"].cast("int64"))
    if holdout_day is None:
        return summary
    later = daily.filter(daily.day > as_of_n)
    holdout = later.group_by("customer_id").aggregate(
        x_holdout=later.count().cast("int64"),
        holdout_revenue=_bigint(later.amount.sum()))
    joined = summary.left_join(holdout, "customer_id")
    return joined.select(
        *summary.columns,
        x_holdout=joined.x_holdout.coalesce(0), holdout_revenue=joined.holdout_revenue.coalesce(0))


def _by_customer_id(table: pa.Table) -> pa.Table:
    """``table`` in code-point order of ``customer_id``, the order of DuckDB and Spark.

    The query already sorts; a database whose collation orders otherwise (PostgreSQL with a
    language locale) is re-sorted here, so every backend returns the same row order.
    """
    ids = table["customer_id"].cast(pa.string())
    if len(ids) < 2 or pc.all(pc.less_equal(ids[:-1], ids[1:])).as_py():
        return table.combine_chunks()
    return table.take(pc.sort_indices(ids))


def _last_day(tx: ibis.Table) -> pd.Timestamp:
    """The day of the last line of ``tx`` (ValueError for a log without a dated line: there is
    no default ``as_of`` then)."""
    last = tx.order_date.max().to_pyarrow().as_py()
    if last is None:
        raise ValueError("the transactions have no dated line, so there is no last day to "
                         "default as_of to: pass as_of")
    return pd.Timestamp(last).normalize()


def _summary_frame_of(daily: ibis.Table, as_of_day: pd.Timestamp, unit: str,
                      holdout_day: pd.Timestamp | None, orders: str | None,
                      count_orders: bool) -> pd.DataFrame:
    """One date's summary frame from the daily purchases: integers from the backend in
    ``customer_id`` order, then :func:`workbench.summary.summary_frame`."""
    table = None
    for packed in (True, False):  # beyond the packing range: the ordered argmin
        summary = _summary_of_daily(daily, as_of_day, holdout_day, counted=orders is not None,
                                    packed=packed)
        table = _by_customer_id(summary.order_by("customer_id").to_pyarrow())
        if not table["first_value"].null_count:
            break
    result = summary_frame(table, as_of_day, unit, holdout_day)
    result.attrs.update(as_of=str(as_of_day.date()), unit=unit,
                        orders_counted=count_orders and orders == "order_id")
    return result


def customer_summary(tx: ibis.Table, as_of: pd.Timestamp | str | None = None, unit: str = "W",
                     *, holdout_end: pd.Timestamp | str | None = None,
                     count_orders: bool = True, money: Money = "integer") -> pd.DataFrame:
    """One row per customer who bought on or before ``as_of``, sorted by ``customer_id``: the
    sufficient statistics of the buy-till-you-die models and the raw RFM values.

    ``tx`` is a canonical transactions table (``customer_id``, ``order_date``, ``amount``,
    optional ``order_id``; :func:`workbench.engine.tables.canonical_table`, or
    :func:`workbench.engine.local.local_table` for a frame). ``as_of`` is the last day of the
    calibration period (inclusive; default the last line's day); ``t_x`` and ``T`` are in
    ``unit`` ("D" days, "W" weeks, "M" months of 30.44 days, "Y" years); ``recency_days`` is
    in days; money columns are in currency units. With ``holdout_end``, also each customer's
    purchase days (``x_holdout``) and revenue (``holdout_revenue``) in (as_of, holdout_end],
    and the period's length ``holdout_length`` in ``unit``. ``count_orders=False`` counts
    purchase days as ``n_orders`` (as ``lifetimes``), skipping the distinct-order count, the
    most expensive step on large logs. Columns: see :func:`workbench.summary.summary_frame`.
    """
    if unit not in UNIT_DAYS:
        raise ValueError(f"unit must be one of {', '.join(UNIT_DAYS)}, got {unit!r}")
    as_of_day = _last_day(tx) if as_of is None else pd.Timestamp(as_of).normalize()
    holdout_day = pd.Timestamp(holdout_end).normalize() if holdout_end is not None else None
    if holdout_day is not None and holdout_day <= as_of_day:
        raise ValueError(f"holdout_end {holdout_day.date()} must be after as_of {as_of_day.date()}")
    orders = _orders_kind(tx, count_orders)
    daily = daily_purchases(tx, holdout_day or as_of_day, orders=orders, money=money)
    return _summary_frame_of(daily, as_of_day, unit, holdout_day, orders, count_orders)


def customer_summaries(tx: ibis.Table, dates: Sequence[pd.Timestamp | str | None],
                       unit: str = "W", *, count_orders: bool = True,
                       money: Money = "integer") -> list[pd.DataFrame]:
    """:func:`customer_summary` at each of ``dates`` (inclusive; None is the last line's
    day), grouping the lines into daily purchases once: the same frames as one call per
    date, for about the cost of one. The daily purchases are kept in the backend (a
    temporary table) while the dates are read, and dropped after."""
    if unit not in UNIT_DAYS:
        raise ValueError(f"unit must be one of {', '.join(UNIT_DAYS)}, got {unit!r}")
    dates = list(dates)
    last = _last_day(tx) if any(d is None for d in dates) else None
    days = [last if d is None else pd.Timestamp(d).normalize() for d in dates]
    orders = _orders_kind(tx, count_orders)
    daily = daily_purchases(tx, max(days), orders=orders, money=money)
    if len(days) == 1:
        return [_summary_frame_of(daily, days[0], unit, None, orders, count_orders)]
    with temporary_table(daily) as kept:
        return [_summary_frame_of(kept, day, unit, None, orders, count_orders) for day in days]


@contextmanager
def temporary_table(expr: ibis.Table) -> Iterator[ibis.Table]:
    """``expr`` computed once into a temporary table of its backend, dropped when the block
    ends. Spark, which has no temporary tables, caches it (``Table.cache()``: a persisted
    DataFrame behind a temporary view) and unpersists it. Elsewhere a ``CREATE TEMPORARY
    TABLE`` and a ``DROP`` (Ibis' own ``release()`` writes an empty DROP with sqlglot 30)."""
    backend = expr._find_backend()
    if backend.name == "pyspark":
        cached = expr.cache()
        try:
            yield cached
        finally:
            cached.release()
        return
    name = ibis.util.gen_name("workbench")
    table = backend.create_table(name, expr, temp=True)
    try:
        yield table
    finally:
        quoted = sg.to_identifier(name, quoted=True).sql(dialect=backend.compiler.dialect)
        cursor = backend.raw_sql(f"DROP TABLE IF EXISTS {quoted}")
        # PostgreSQL hands back a cursor to close; DuckDB its own connection, kept open
        if cursor is not None and cursor is not getattr(backend, "con", None):
            with suppress(AttributeError):
                cursor.close()


def rfm_values(tx: ibis.Table, as_of: pd.Timestamp | str | None = None, *,
               money: Money = "integer") -> pd.DataFrame:
    """Raw RFM values per customer: ``recency_days`` (days since the last purchase day),
    ``frequency`` (distinct orders) and ``monetary`` (total spend, currency units), as
    :func:`workbench.segmentation.rfm.rfm_scores` reads them from the summary."""
    summary = customer_summary(tx, as_of, "D", money=money)
    return summary[["customer_id", "recency_days", "frequency", "monetary"]]


def _month_index(days: ibis.Value) -> ibis.Value:
    """Months since January 1970 of a day number (days since 1970-01-01)."""
    date = ibis.date("1970-01-01") + days.as_interval("D")
    return (date.year() - 1970) * 12 + date.month() - 1


def cohort_counts(tx: ibis.Table, as_of: pd.Timestamp | str, max_periods: int = 24, *,
                  money: Money = "integer") -> pd.DataFrame:
    """Acquisition-month cohorts: customers buying and spend per cohort and month since it.

    One row per cohort (``cohort``, a monthly Period: the month of the first purchase day on
    or before ``as_of``) and ``period`` (whole calendar months since the cohort month, 0 ..
    ``max_periods``) with ``customers`` (distinct buyers) and ``revenue`` (currency units).
    Small (cohorts x periods), so it is returned as pandas.
    """
    return cohort_counts_of(daily_purchases(tx, as_of, money=money), as_of, max_periods)


def cohort_counts_of(daily: ibis.Table, as_of: pd.Timestamp | str,
                     max_periods: int = 24) -> pd.DataFrame:
    """:func:`cohort_counts` from rows of ``customer_id``, ``day`` and ``amount`` (money
    units) per purchase day: :func:`daily_purchases`, or a purchase history (the days after
    ``as_of`` are left out)."""
    daily = daily.filter(daily.day <= day_index(as_of)).select(
        "customer_id", "day", "amount")
    firsts = daily.group_by("customer_id").aggregate(first_day=daily.day.min())
    joined = daily.inner_join(firsts, "customer_id")
    act = joined.select(customer_id=joined.customer_id, amount=joined.amount,
                        cohort=_month_index(joined.first_day),
                        period=_month_index(joined.day) - _month_index(joined.first_day))
    act = act.filter(act.period <= int(max_periods))
    counts = act.group_by(["cohort", "period"]).aggregate(
        customers=act.customer_id.nunique().cast("int64"),
        revenue=act.amount.sum().cast("int64")).to_pyarrow()
    cohort_month = _int(counts, "cohort")
    frame = pd.DataFrame({
        "cohort": pd.PeriodIndex.from_ordinals(cohort_month, freq="M"),
        "period": _int(counts, "period"), "customers": _int(counts, "customers"),
        "revenue": _money(counts, "revenue")})
    return frame.sort_values(["cohort", "period"], ignore_index=True)


def cohort_matrix(tx: ibis.Table, as_of: pd.Timestamp | str, max_periods: int = 24, *,
                  money: Money = "integer") -> dict[str, pd.DataFrame | pd.Series]:
    """:func:`workbench.lifecycle.cohorts.cohort_matrix` from :func:`cohort_counts`.

    ``size`` (customers per cohort), ``retention`` (share of the cohort buying in each month
    since its first; month 0 is 1.0) and ``revenue_per_customer`` (cumulative spend per cohort
    customer, currency units); months not yet observed at ``as_of`` are NaN.
    """
    return cohort_matrix_of(daily_purchases(tx, as_of, money=money), as_of, max_periods)


def cohort_matrix_of(daily: ibis.Table, as_of: pd.Timestamp | str,
                     max_periods: int = 24) -> dict[str, pd.DataFrame | pd.Series]:
    """:func:`cohort_matrix` from the purchase days (see :func:`cohort_counts_of`)."""
    as_of = pd.Timestamp(as_of)
    frame = cohort_counts_of(daily, as_of, max_periods)
    if frame.empty:
        empty = pd.DataFrame()
        return {"size": pd.Series(dtype=int), "retention": empty, "revenue_per_customer": empty}
    periods = range(max_periods + 1)
    customers = frame.pivot_table(index="cohort", columns="period", values="customers",
                                  fill_value=0).reindex(columns=periods, fill_value=0)
    revenue = frame.pivot_table(index="cohort", columns="period", values="revenue",
                                fill_value=0.0).reindex(columns=periods, fill_value=0.0)
    size = customers[0]
    last = as_of.to_period("M")
    observed = np.array([[(last - c).n >= p for p in periods] for c in customers.index])
    retention = customers.div(size, axis=0).where(observed)
    per_customer = revenue.cumsum(axis=1).div(size, axis=0).where(observed)
    return {"size": size, "retention": retention, "revenue_per_customer": per_customer}


def co_purchase_counts(tx: ibis.Table, item: str = "category", *, basket: str = "order_id",
                       as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """How many baskets hold each item and each pair of items: the inputs of association
    rules (:func:`workbench.recommend.rules.association_rules`), computed where the data is.

    ``item`` is the item column (``category`` or ``product_id``) and ``basket`` the column
    whose values are baskets (``order_id``, or ``customer_id`` for "bought by the same
    customer"); lines missing either are left out, as there. One row per item pair bought
    together (``item_a`` < ``item_b``, by code point) and one per item alone (``item_b`` is
    missing): ``baskets`` is the number of baskets holding both (or the item). ``attrs``
    carries ``baskets``, the number of baskets with at least one item. Items x items at most,
    so it is returned as pandas.
    """
    tx = _up_to(tx, as_of)
    lines = tx.filter(tx[item].notnull() & tx[basket].notnull())
    held = lines.select(basket=lines[basket].cast("string"),
                        item=lines[item].cast("string")).distinct()
    left, right = held.view(), held.view()
    pairs = left.join(right, [left.basket == right.basket, left.item < right.item])
    pairs = pairs.select(item_a=left.item, item_b=right.item, basket=left.basket)
    pair_counts = pairs.group_by(["item_a", "item_b"]).aggregate(
        baskets=pairs.basket.count().cast("int64"))
    single = held.group_by("item").aggregate(baskets=held.basket.count().cast("int64"))
    single = single.select(item_a=single.item, item_b=ibis.null("string"),
                           baskets=single.baskets)
    counts = pair_counts.union(single).to_pyarrow()
    n_baskets = held.basket.nunique().to_pyarrow().as_py()
    frame = pd.DataFrame({"item_a": pd.array(counts["item_a"].to_pylist(), dtype="str"),
                          "item_b": pd.array(counts["item_b"].to_pylist(), dtype="str"),
                          "baskets": _int(counts, "baskets")})
    # The database's collation may order the pair otherwise: put it in code-point order here.
    flip = frame["item_b"].notna() & (frame["item_a"] > frame["item_b"])
    frame.loc[flip, ["item_a", "item_b"]] = frame.loc[flip, ["item_b", "item_a"]].to_numpy()
    frame = frame.sort_values(["item_a", "item_b"], na_position="first", ignore_index=True)
    frame.attrs["baskets"] = int(n_baskets or 0)
    return frame


def purchase_features(tx: ibis.Table, cutoff: pd.Timestamp | str, window_days: int = 90, *,
                      money: Money = "integer") -> pd.DataFrame:
    """The churn model's purchase features at ``cutoff``, from the lines on or before it.

    One row per customer who bought by then, sorted by ``customer_id``: ``recency_days`` and
    ``tenure_days`` (days from the last and first purchase day to the cutoff),
    ``purchase_days``, ``spend`` and ``spend_per_day_bought`` (currency units), the purchase
    days and spend in the last ``window_days`` (``days_recent``, ``spend_recent``) and in the
    ``window_days`` before (``days_before``, ``spend_before``), and the trends
    ``order_trend`` / ``spend_trend`` = (recent - before) / (recent + before), NaN when both
    are 0 (as :func:`workbench.churn.features.transactional_features`).
    """
    daily = daily_purchases(tx, cutoff, money=money)
    table = purchase_feature_table(daily, cutoff, window_days).order_by("customer_id")
    table = _by_customer_id(table.to_pyarrow())
    frame = purchase_feature_frame(table, cutoff)
    frame.insert(0, "customer_id", table["customer_id"].to_pandas().astype("str"))
    return frame


def purchase_feature_table(daily: ibis.Table, cutoff: pd.Timestamp | str, window_days: int,
                           key: str = "customer_id") -> ibis.Table:
    """The integer aggregates behind :func:`purchase_features`, per ``key`` of the daily
    purchases (:func:`daily_purchases`) on or before ``cutoff``: ``last_day``,
    ``first_day``, ``purchase_days``, ``spend`` and, in the last ``window_days`` and the
    ``window_days`` before, ``days_recent``, ``days_before``, ``spend_recent`` and
    ``spend_before`` (money units)."""
    c = day_index(cutoff)
    w = int(window_days)
    daily = daily.filter(daily.day <= c)
    recent = daily.day > c - w
    before = (daily.day > c - 2 * w) & (daily.day <= c - w)
    return daily.group_by(key).aggregate(
        last_day=daily.day.max(), first_day=daily.day.min(),
        purchase_days=daily.count().cast("int64"), spend=daily.amount.sum().cast("int64"),
        days_recent=daily.count(where=recent).cast("int64"),
        days_before=daily.count(where=before).cast("int64"),
        spend_recent=daily.amount.sum(where=recent).fill_null(0).cast("int64"),
        spend_before=daily.amount.sum(where=before).fill_null(0).cast("int64"))


def purchase_feature_frame(table: pa.Table, cutoff: pd.Timestamp | str) -> pd.DataFrame:
    """:func:`purchase_features`' columns (without the key) from the aggregates of
    :func:`purchase_feature_table`, in the rows' order: days and currency units."""
    c = day_index(cutoff)
    spend, days = _money(table, "spend"), _int(table, "purchase_days")
    frame = pd.DataFrame({
        "recency_days": c - _int(table, "last_day"), "purchase_days": days, "spend": spend,
        "spend_per_day_bought": spend / days, "tenure_days": c - _int(table, "first_day"),
        "days_recent": _int(table, "days_recent"), "days_before": _int(table, "days_before"),
        "spend_recent": _money(table, "spend_recent"),
        "spend_before": _money(table, "spend_before")})
    for kind, now, then in (("order", "days_recent", "days_before"),
                            ("spend", "spend_recent", "spend_before")):
        frame[f"{kind}_trend"] = (frame[now] - frame[then]) / (
            frame[now] + frame[then]).replace(0, np.nan)
    return frame
