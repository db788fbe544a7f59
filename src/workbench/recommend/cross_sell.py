"""Cross-sell by segment and the per-customer frames the report writes."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from workbench.recommend.matrices import Level, interactions

__all__ = ["EXPORT_COLUMNS", "all_customers", "cross_sell_by_segment", "result_frame",
           "segment_series"]

def cross_sell_by_segment(transactions: pd.DataFrame, segments: pd.Series, *,
                          level: Level = "category", min_customers: int = 30,
                          segment_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Items a segment under-buys relative to customers who buy like them.

    For each customer and item, the expected chance of buying it is the mean confidence
    P(item | other item) over the other items they bought (estimated on all customers),
    rescaled so each customer's expectations add up to the number of items they did buy. Per segment: ``actual_share`` (share who bought the item), ``expected_share``
    and ``gap_share`` (expected - actual), and ``customers_without`` who have not bought it.
    Sorted by the gap, largest first.
    """
    inter = interactions(transactions, level)
    matrix = inter.matrix
    counts = inter.item_counts
    co = (matrix.T @ matrix).toarray().astype(float)
    confidence = co / np.maximum(counts[:, None], 1)
    np.fill_diagonal(confidence, 0.0)
    base = counts / max(matrix.shape[0], 1)
    labels = segments.copy()
    labels.index = labels.index.astype(str)
    labels = labels.reindex(inter.rows)
    rows = []
    for name in sorted(labels.dropna().unique(), key=str):
        members = np.flatnonzero((labels == name).to_numpy())
        if len(members) < min_customers:
            continue
        sub = matrix[members]
        bought = sub.toarray()
        others = bought.sum(axis=1, keepdims=True) - bought
        expected = np.where(others > 0, np.asarray(sub @ confidence) / np.maximum(others, 1), base)
        # keep each customer's breadth: spread the number of items they bought over the mix
        # their other purchases predict, so the gap shows a mix shortfall, not fewer purchases
        expected *= bought.sum(axis=1, keepdims=True) / np.maximum(expected.sum(axis=1, keepdims=True), 1e-12)
        expected = np.minimum(expected, 1.0)
        rows.append(pd.DataFrame({
            "segment": name, "item": inter.items.to_numpy(),
            "customers": len(members),
            "actual_share": bought.mean(axis=0),
            "expected_share": expected.mean(axis=0),
            "customers_without": (bought == 0).sum(axis=0),
        }))
    if not rows:
        return pd.DataFrame(columns=["segment", "segment_name", "item", "customers", "actual_share",
                                     "expected_share", "gap_share", "customers_without"])
    out = pd.concat(rows, ignore_index=True)
    out["gap_share"] = out["expected_share"] - out["actual_share"]
    out.insert(1, "segment_name", [segment_names.get(s, s) if segment_names else s
                                   for s in out["segment"]])
    return out.sort_values("gap_share", ascending=False).reset_index(drop=True)


#: Columns of ``exports/recommendations.csv``: ``reason`` is a code of :data:`REASONS`,
#: ``reason_label`` its sentence in the report language, ``because_of`` the item it names.
EXPORT_COLUMNS = ("customer_id", "rank", "item", "score", "reason", "reason_label", "because_of")


def result_frame(recommendations: pd.DataFrame) -> pd.DataFrame:
    """The shared ``recommendations`` result (schema in :mod:`workbench.results`): rank,
    item, score and the reason code per customer, best first."""
    return recommendations[["customer_id", "rank", "item", "score", "reason"]].reset_index(drop=True)



def all_customers(customers: pd.DataFrame | None, transactions: pd.DataFrame) -> list[str]:
    """Every known customer id (customers.csv and the buyers), sorted: the same list however
    the source orders its rows."""
    ids = [] if customers is None else [customers["customer_id"].astype(str)]
    ids.append(pd.Series(transactions["customer_id"].astype(str).unique()))
    return sorted(pd.concat(ids, ignore_index=True).dropna().unique().tolist())



def segment_series(frame: pd.DataFrame | None, column: str,
                   *others: pd.DataFrame | None) -> pd.Series | None:
    """``customer_id`` -> ``column`` as text from the first of ``frame, *others`` that holds
    the column with values (e.g. the segments result, then customers.csv for ``tier``), or
    None when none does."""
    for source in (frame, *others):
        if source is None or column not in source or source[column].dropna().empty:
            continue
        values = source.dropna(subset=[column]).drop_duplicates("customer_id")
        return pd.Series(values[column].astype(str).to_numpy(),
                         index=values["customer_id"].astype(str).to_numpy(), name=column)
    return None

