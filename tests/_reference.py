"""Independent pandas references for the engine's aggregations.

The package computes the daily purchases and the customer summary once, as Ibis expressions
(:mod:`workbench.engine.aggregations`), on every backend. These are the same definitions
written again with pandas group-bys, so that a test of the DuckDB path has something other
than the code under test to agree with. Only the final float arithmetic
(:func:`workbench.summary.summary_frame`, a few divisions) is shared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from workbench.summary import MONEY_SCALE, day_after, summary_frame

_EPOCH = pd.Timestamp("1970-01-01")


def money_units(amount: pd.Series) -> np.ndarray:
    """Each line's amount in units of 1/MONEY_SCALE, rounded half away from zero."""
    scaled = amount.to_numpy(dtype=np.float64) * MONEY_SCALE
    return (np.sign(scaled) * np.floor(np.abs(scaled) + 0.5)).astype(np.int64)


def daily_purchases(tx: pd.DataFrame, as_of: str | pd.Timestamp | None = None,
                    orders: str | None = None) -> pd.DataFrame:
    """One row per customer and calendar day: ``customer_id``, ``day`` (days since
    1970-01-01), ``amount`` (money units) and, with ``orders``, the day's distinct non-null
    ``order_id`` values (``"order_id"``) or lines (``"lines"``); sorted by customer and day."""
    if as_of is not None:
        tx = tx[tx["order_date"] < day_after(as_of)]
    lines = pd.DataFrame({
        "customer_id": tx["customer_id"].astype(str).to_numpy(),
        "day": ((tx["order_date"].dt.normalize() - _EPOCH).dt.days).to_numpy(np.int64),
        "amount": money_units(tx["amount"])})
    if orders == "order_id":
        lines["order_id"] = tx["order_id"].to_numpy()
    groups = lines.groupby(["customer_id", "day"], sort=True)
    frame = groups["amount"].sum().to_frame()
    if orders == "order_id":
        frame["orders"] = groups["order_id"].nunique()
    elif orders == "lines":
        frame["orders"] = groups.size()
    frame = frame.reset_index()
    return frame.astype({c: "int64" for c in frame.columns if c != "customer_id"})


def customer_summary(tx: pd.DataFrame, as_of: str | pd.Timestamp | None = None,
                     unit: str = "W", *, holdout_end: str | pd.Timestamp | None = None,
                     count_orders: bool = True) -> pd.DataFrame:
    """The customer summary of :func:`workbench.summary.customer_summary`, by pandas."""
    as_of_day = (tx["order_date"].max() if as_of is None else pd.Timestamp(as_of)).normalize()
    holdout_day = pd.Timestamp(holdout_end).normalize() if holdout_end is not None else None
    has_order_id = "order_id" in tx.columns
    orders = "order_id" if count_orders and has_order_id else None if has_order_id else "lines"
    daily = daily_purchases(tx, holdout_day or as_of_day, orders)
    as_of_n = (as_of_day - _EPOCH).days
    cal = daily[daily["day"] <= as_of_n].sort_values(["customer_id", "day"])
    groups = cal.groupby("customer_id", sort=True)
    columns = {
        "first_day": groups["day"].min(), "last_day": groups["day"].max(),
        "n_orders": groups["orders"].sum() if orders else groups.size(),
        "n_purchase_days": groups.size(), "revenue": groups["amount"].sum(),
        "first_value": groups["amount"].first()}
    if holdout_day is not None:
        later = daily[daily["day"] > as_of_n].groupby("customer_id")
        index = columns["first_day"].index
        columns["x_holdout"] = later.size().reindex(index, fill_value=0)
        columns["holdout_revenue"] = later["amount"].sum().reindex(index, fill_value=0)
    stats = pd.DataFrame(columns)
    table = pa.table({"customer_id": pa.array(stats.index.to_numpy(dtype=object), pa.string()),
                      **{c: pa.array(stats[c].to_numpy(np.int64)) for c in stats.columns}})
    result = summary_frame(table, as_of_day, unit, holdout_day)
    result.attrs.update(as_of=str(as_of_day.date()), unit=unit,
                        orders_counted=orders == "order_id")
    return result
