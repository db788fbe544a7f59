"""Value tiers, concentration (Lorenz curve, Gini, top shares) and membership levels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbench.charts import ordered_levels

__all__ = ["concentration", "gini", "lorenz_curve", "membership_summary", "membership_table",
           "tier_order", "top_share", "value_tiers"]


def value_tiers(values: pd.Series, cuts: Sequence[float] = (0.2, 0.5),
                labels: Sequence[str] | None = None) -> pd.Series:
    """Tier customers by value, best first: by default top 20%, next 30%, rest.

    ``cuts`` are cumulative shares of customers (ascending, in (0, 1)). Customers are ranked
    by value, highest first; equal values keep their input order, so tier sizes are exact.
    Returns labels ``A``, ``B``, ``C``, ... unless ``labels`` are given.
    """
    cuts = list(cuts)
    if not cuts or any(not 0 < c < 1 for c in cuts) or cuts != sorted(cuts):
        raise ValueError(f"cuts must be increasing shares between 0 and 1, got {cuts}")
    labels = list(labels) if labels is not None else [chr(ord("A") + i) for i in range(len(cuts) + 1)]
    if len(labels) != len(cuts) + 1:
        raise ValueError(f"{len(cuts)} cuts make {len(cuts) + 1} tiers, got {len(labels)} labels")
    order = np.argsort(-values.to_numpy(dtype=float), kind="stable")
    position = np.empty(len(values), dtype=int)
    position[order] = np.arange(len(values))
    tier_index = np.searchsorted(_top_counts(cuts, len(values)), position, side="right")
    return pd.Series(np.asarray(labels, dtype=object)[tier_index], index=values.index,
                     name="value_tier")


def lorenz_curve(values: pd.Series) -> pd.DataFrame:
    """Cumulative share of customers (smallest first) vs cumulative share of value."""
    sorted_values = np.sort(np.clip(values.to_numpy(dtype=float), 0, None))
    total = sorted_values.sum()
    n = len(sorted_values)
    customers = np.concatenate([[0.0], np.arange(1, n + 1) / n])
    value = np.concatenate([[0.0], np.cumsum(sorted_values) / total]) if total else customers
    return pd.DataFrame({"customer_share": customers, "value_share": value})


def gini(values: pd.Series) -> float:
    """Gini coefficient of value across customers (0 = equal, 1 = one customer has it all).

    ``G = 2 * sum(i * x_(i)) / (n * sum(x)) - (n + 1) / n`` over values sorted ascending,
    negative values counted as 0.
    """
    x = np.sort(np.clip(values.to_numpy(dtype=float), 0, None))
    n, total = len(x), x.sum()
    if n == 0 or total == 0:
        return 0.0
    return float(2 * np.sum(np.arange(1, n + 1) * x) / (n * total) - (n + 1) / n)


def _top_counts(shares: Sequence[float], n: int) -> np.ndarray:
    """How many customers the top ``share`` of ``n`` means: nearest whole customer, >= 1."""
    return np.maximum(np.floor(np.asarray(shares, dtype=float) * n + 0.5), 1).astype(int)


def top_share(values: pd.Series, share: float = 0.2) -> float:
    """Share of total value brought by the top ``share`` of customers (same count as tiers)."""
    x = np.sort(values.to_numpy(dtype=float))[::-1]
    k = int(_top_counts([share], len(x))[0])
    return float(x[:k].sum() / x.sum()) if x.sum() else 0.0


def concentration(values: pd.Series, shares: Sequence[float] = (0.01, 0.05, 0.1, 0.2, 0.5)) -> pd.DataFrame:
    """"Top x% of customers bring y% of value", for each x in ``shares``."""
    return pd.DataFrame({"top_customers": list(shares),
                         "value_share": [top_share(values, s) for s in shares]})



def membership_summary(tiers: pd.Series, revenue: pd.Series,
                       order: Sequence[str] | None = None) -> pd.DataFrame:
    """Per membership level: members, shares of members and revenue, revenue per member.

    ``tiers`` and ``revenue`` are aligned per customer (revenue 0 for members who never
    bought). Levels are listed from the lowest up (普通, 白银, 黄金, 铂金), the order of every
    chart and table, with the cumulative revenue share of "this level and above", so "gold
    and above bring over 60%" reads off one row. The order is ``order`` if given (the
    ``values:`` order of ``mapping.yaml``), else that of an ordered categorical ``tiers``, else
    a known naming (:data:`workbench.charts.KNOWN_LADDERS`), else revenue per member; a
    missing level ("–") comes last.
    """
    if order is None and isinstance(tiers.dtype, pd.CategoricalDtype) and tiers.cat.ordered:
        order = [str(c) for c in tiers.cat.categories]
    frame = pd.DataFrame({"tier": tiers.astype(object).where(tiers.notna(), "–").astype(str).to_numpy(),
                          "revenue": revenue.fillna(0).to_numpy(dtype=float)})
    grouped = frame.groupby("tier").agg(members=("revenue", "size"), revenue=("revenue", "sum"))
    grouped["revenue_per_member"] = grouped["revenue"] / grouped["members"]
    levels = ordered_levels(grouped.index, None if order is None else [str(o) for o in order])
    if levels is None:
        known = grouped.drop(index="–", errors="ignore")
        levels = list(known.sort_values("revenue_per_member").index)
        levels += ["–"] if "–" in grouped.index else []
    grouped = grouped.reindex(levels)
    grouped["member_share"] = grouped["members"] / grouped["members"].sum()
    total = grouped["revenue"].sum()
    grouped["revenue_share"] = grouped["revenue"] / total if total else np.nan
    ranked = grouped.drop(index="–", errors="ignore")
    grouped["revenue_share_and_above"] = ranked["revenue_share"][::-1].cumsum()[::-1]
    return grouped.reset_index()


def tier_order(dataset: Any) -> list[str] | None:
    """The membership order the data gives, lowest first, or None.

    Read from an ordered categorical ``tier`` column, or from the loader's record of the
    ``values:`` order in ``mapping.yaml`` (``dataset.value_orders["tier"]``) where it keeps one.
    """
    customers = getattr(dataset, "customers", None)
    if customers is not None and "tier" in customers:
        column = customers["tier"]
        if isinstance(column.dtype, pd.CategoricalDtype) and column.cat.ordered:
            return [str(c) for c in column.cat.categories]
    orders = getattr(dataset, "value_orders", None) or {}
    found = orders.get("tier") if isinstance(orders, dict) else None
    if found is None and isinstance(orders, dict):
        found = (orders.get("customers") or {}).get("tier") if isinstance(orders.get("customers"), dict) else None
    return [str(v) for v in dict.fromkeys(found)] if found else None

def membership_table(customers: pd.DataFrame, attributes: pd.DataFrame,
                     order: Sequence[str] | None = None) -> pd.DataFrame:
    """Membership levels over all registered customers (revenue 0 for those who never bought).

    ``order`` is the level order, lowest first (see :func:`tier_order`); by default the
    known ladders.
    """
    revenue = customers.set_index("customer_id")["monetary"]
    spend = revenue.reindex(attributes["customer_id"]).fillna(0.0).reset_index(drop=True)
    return membership_summary(attributes["tier"].reset_index(drop=True), spend, order)

