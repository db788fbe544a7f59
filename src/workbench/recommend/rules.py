"""Association rules over baskets: pairs A -> B with support, confidence and lift."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.recommend.matrices import Level, item_column

__all__ = ["RULE_MIN_COUNT", "RULE_MIN_SUPPORT", "association_rules", "offered_rules", "pair_matrix"]

#: Rules offered for use: at least this share of baskets holds both items ...
RULE_MIN_SUPPORT = 0.01
#: ... and at least this many baskets (a floor for small data).
RULE_MIN_COUNT = 5


def association_rules(transactions: pd.DataFrame, level: Level = "category", *,
                      basket: str = "order_id", min_support: float = 0.0,
                      min_confidence: float = 0.0, min_count: int = 1,
                      min_lift: float | None = None) -> pd.DataFrame:
    """Pair rules A -> B over baskets (orders by default), from the baskets holding each item
    and each pair (:func:`workbench.engine.co_purchase_counts`, the expression PostgreSQL and
    Spark run).

    ``support`` = share of baskets with A and B, ``confidence`` = support / share with A,
    ``lift`` = confidence / share with B. With ``min_lift`` only rules whose lift is strictly
    above it are kept. Sorted by lift, then support. ``attrs`` carry the number of
    ``baskets`` and every ``items`` seen (also those never bought with another).
    """
    from workbench.engine.aggregations import co_purchase_counts
    from workbench.engine.local import local_table

    column = item_column(transactions, level)
    with local_table(transactions, [basket, column]) as lines:
        counted = co_purchase_counts(lines, column, basket=basket)
    n = counted.attrs["baskets"]
    single = counted["item_b"].isna()
    items = pd.Index(counted.loc[single, "item_a"].to_numpy(dtype=object), dtype=object)
    held = counted.loc[single, "baskets"].to_numpy(dtype=np.float64)  # baskets with each item
    pairs = counted[~single]
    a_code, b_code = items.get_indexer(pairs["item_a"]), items.get_indexer(pairs["item_b"])
    a = np.concatenate([a_code, b_code])
    b = np.concatenate([b_code, a_code])
    both = np.tile(pairs["baskets"].to_numpy(dtype=np.float64), 2)
    rules = pd.DataFrame({
        "antecedent": items.to_numpy()[a],
        "consequent": items.to_numpy()[b],
        "count": both.astype(int),
        "support": both / max(n, 1),
        "confidence": both / held[a],
        "lift": both * n / (held[a] * held[b]),
    })
    keep = ((rules["support"] >= min_support) & (rules["confidence"] >= min_confidence)
            & (rules["count"] >= min_count))
    if min_lift is not None:
        keep &= rules["lift"] > min_lift
    rules = rules[keep].sort_values(["lift", "support", "antecedent", "consequent"],
                                    ascending=[False, False, True, True]).reset_index(drop=True)
    rules.attrs = {"baskets": int(n), "items": [str(i) for i in items]}
    return rules


def offered_rules(pairs: pd.DataFrame, *, min_support: float = RULE_MIN_SUPPORT,
                  min_count: int = RULE_MIN_COUNT, min_lift: float = 1.0) -> pd.DataFrame:
    """The rules worth acting on among all ``pairs`` of :func:`association_rules`: bought
    together more often than chance (lift strictly above ``min_lift``) in at least
    ``min_support`` of the baskets and ``min_count`` baskets. Order and ``attrs`` are kept."""
    keep = (pairs["lift"] > min_lift) & (pairs["support"] >= min_support) & (pairs["count"] >= min_count)
    out = pairs[keep].reset_index(drop=True)
    out.attrs = dict(pairs.attrs)
    return out


def pair_matrix(pairs: pd.DataFrame, value: str = "lift") -> pd.DataFrame:
    """``value`` of every pair as an item x item table (row: antecedent, column: consequent).

    ``pairs`` is the unfiltered output of :func:`association_rules`, so the numbers are the
    ones its table shows; pairs never bought together are 0, the diagonal is NaN.
    """
    items = list(pairs.attrs.get("items") or sorted(set(pairs["antecedent"]) | set(pairs["consequent"])))
    table = pairs.pivot_table(index="antecedent", columns="consequent", values=value, aggfunc="first")
    table = table.reindex(index=items, columns=items).fillna(0.0).astype(float)
    values = table.to_numpy(copy=True)
    np.fill_diagonal(values, np.nan)
    return pd.DataFrame(values, index=pd.Index(items, dtype=object), columns=pd.Index(items, dtype=object))
