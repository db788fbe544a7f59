"""Per-customer purchase-mix features shared by segmentation and churn, and the helper that
runs their independent model fits side by side (:func:`side_by_side`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from workbench.summary import MONEY_SCALE, exact_units

__all__ = ["canonical_rows", "purchase_mix", "side_by_side"]

_T = TypeVar("_T")


def canonical_rows(frame: pd.DataFrame, first: Sequence[str] = ()) -> pd.DataFrame:
    """``frame``'s rows in an order that depends on their values only: sorted by the columns
    ``first`` (those it has), then by every other column, missing values last.

    The same rows in another order (a shuffled file, a database table, whose scan order is
    wherever PostgreSQL put each row) give the same frame, so a model fitted or an answer
    chosen among ties ("the last answer of the day") does not depend on how the source was
    stored. ``source_row`` (where a row came from) is the last key: it orders only rows that
    are equal in every other column. The index goes with the rows.
    """
    if len(frame) < 2:
        return frame
    keys = [c for c in first if c in frame.columns]
    keys += [c for c in frame.columns if c not in keys and c != "source_row"]
    keys += ["source_row"] if "source_row" in frame.columns else []
    sortable = [c for c in keys if _sortable(frame[c])]
    return frame.sort_values(sortable, kind="stable", na_position="last")


def _sortable(values: pd.Series) -> bool:
    """A column of numbers, dates, booleans or text (not lists or mixed objects)."""
    if values.dtype != object:
        return True
    present = values.dropna()
    return present.map(type).nunique() <= 1 and (present.empty or isinstance(present.iloc[0], str))


def side_by_side(fits: Sequence[Callable[[], _T]], *, max_workers: int | None = None,
                 one_thread: bool = False) -> list[_T]:
    """Call each of ``fits`` (independent model fits) and return their results in order.

    When this thread runs OpenMP with one thread (``workbench run`` gives each of its side by
    side kernels ``cores / jobs`` threads), the fits run in up to ``max_workers`` (default: the
    cores) threads, each with one OpenMP thread as well. scikit-learn's KMeans and gradient
    boosting release the GIL while they compute, so a kernel that runs alone uses the idle
    core. Every fit runs with the thread count it would have had alone, so the results are
    the same as calling them one after the other. Otherwise they are called in order.

    ``one_thread``: the fits run on one OpenMP thread however many the kernel has (small
    fits, which more threads make slower on a busy machine): then they always run side by
    side, each on one thread, and a kernel that has the machine to itself uses every core.
    """
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
    from threadpoolctl import threadpool_limits

    workers = min(len(fits), max_workers or os.cpu_count() or 1)
    if not one_thread and (workers <= 1 or _openmp_effective_n_threads() != 1):
        return [fit() for fit in fits]

    def call(fit: Callable[[], Any]) -> Any:
        with threadpool_limits(1):
            return fit()

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(call, fits))


def _group_sum(units: np.ndarray, codes: np.ndarray, known: np.ndarray, labels: pd.Index,
               name: str) -> pd.Series:
    """Money ``units`` (:func:`workbench.summary.exact_units`) summed exactly per customer
    code (sorted ``labels``), in currency units."""
    sums = pd.Series(units[known]).groupby(codes[known]).sum()
    return pd.Series(sums.to_numpy() / MONEY_SCALE,
                     index=labels[sums.index.to_numpy()].rename("customer_id"), name=name)


def _pivot_sum(units: np.ndarray, codes: np.ndarray, known: np.ndarray, labels: pd.Index,
               columns: pd.Series) -> pd.DataFrame:
    """The pivot table of money ``units`` summed exactly by customer (rows, from ``codes``
    into sorted ``labels``) and ``columns`` (sorted), in currency units, 0.0 where a customer
    has no line: rows are the customers with a line that has a column value."""
    column_codes, names = pd.factorize(columns, sort=True)
    keep = known & (column_codes >= 0)
    width = max(len(names), 1)
    sums = pd.Series(units[keep]).groupby(
        codes[keep].astype(np.int64) * width + column_codes[keep]).sum()
    cells = sums.index.to_numpy()
    rows, row_of_cell = np.unique(cells // width, return_inverse=True)
    table = np.zeros((len(rows), len(names)))
    table[row_of_cell, cells % width] = sums.to_numpy() / MONEY_SCALE
    return pd.DataFrame(table, index=labels[rows].rename("customer_id"),
                        columns=pd.Index(names, name=columns.name))


def purchase_mix(transactions: pd.DataFrame, *, max_categories: int = 8) -> pd.DataFrame:
    """Spend shares per channel and per category, channel count and discount share.

    One row per customer in ``transactions`` (index ``customer_id``). Columns, where the
    source columns exist: ``n_channels``; ``channel:<name>`` (share of the customer's spend);
    ``category:<name>`` for the ``max_categories`` categories with the most spend overall;
    ``discount_share`` = discount / (amount + discount). Shares are 0 for customers without
    spend in them, NaN never appears.
    """
    # Customers, channels and categories as integer codes (a fraction of the cost of hashing
    # text) and money as exact integer units, converted once: the sums do not depend on the
    # order of the lines.
    customer_codes, customers = pd.factorize(transactions["customer_id"], sort=True)
    units = exact_units(transactions["amount"])
    known = customer_codes >= 0
    spend = _group_sum(units, customer_codes, known, customers, "amount")
    out = pd.DataFrame(index=spend.index)
    safe_spend = spend.replace(0, np.nan)
    if "channel" in transactions:
        by_channel = _pivot_sum(units, customer_codes, known, customers, transactions["channel"])
        out["n_channels"] = (by_channel > 0).sum(axis=1)
        for channel in by_channel.columns:
            out[f"channel:{channel}"] = by_channel[channel] / safe_spend.reindex(by_channel.index)
    if "category" in transactions:
        spent = pd.Series(units).groupby(transactions["category"].to_numpy()).sum()
        top = spent.sort_index().nlargest(max_categories).index  # ties: the first name
        chosen = transactions["category"].isin(top).to_numpy()
        by_category = _pivot_sum(units[chosen], customer_codes[chosen], known[chosen], customers,
                                 transactions["category"][chosen])
        for category in by_category.columns:
            out[f"category:{category}"] = by_category[category] / safe_spend.reindex(by_category.index)
    if "discount" in transactions:
        discount = _group_sum(exact_units(transactions["discount"]), customer_codes, known,
                              customers, "discount")
        out["discount_share"] = discount / (spend + discount).replace(0, np.nan)
    return out.fillna(0.0)
