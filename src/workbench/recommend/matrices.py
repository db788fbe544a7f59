"""Who bought what: the sparse customer (or basket) x item matrix and item-to-item similarity.

Items are products (``product_id``) or categories (``category``), chosen with ``level``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["Interactions", "Level", "available_levels", "codes_in", "interactions", "item_column",
           "item_similarity", "resolve_level"]

Level = Literal["category", "product"]
_COLUMN = {"category": "category", "product": "product_id"}


@dataclass
class Interactions:
    """A binary sparse matrix ``rows x items`` with the labels of both axes."""

    matrix: sp.csr_matrix  # 1 where the row (customer or order) bought the item
    rows: pd.Index
    items: pd.Index
    _co: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def item_counts(self) -> np.ndarray:
        """How many rows bought each item."""
        return np.asarray(self.matrix.sum(axis=0)).ravel()

    def cooccurrence(self) -> np.ndarray:
        """Items x items: how many rows bought both (the diagonal: how many bought each),
        dense float64. Computed once and shared by the models fitted on these interactions
        (cosine and lift); treat it as read-only, and the matrix as fixed once it is used."""
        if self._co is None:
            self._co = (self.matrix.T @ self.matrix).toarray().astype(np.float64)
        return self._co


def codes_in(index: pd.Index, values: pd.Series | pd.Index | np.ndarray) -> np.ndarray:
    """Position of each of ``values`` in ``index`` (-1 where absent or missing), as
    ``index.get_indexer(values)`` but looking up each distinct value once: many lines name
    few customers or items."""
    codes, uniques = pd.factorize(values)
    found = index.get_indexer(uniques)
    return np.where(codes >= 0, found[np.maximum(codes, 0)] if len(found) else -1, -1)


def item_column(transactions: pd.DataFrame, level: str) -> str:
    """The transactions' column holding the items of ``level`` (raises ValueError without it)."""
    if level not in _COLUMN:
        raise ValueError(f"level must be 'category' or 'product', got {level!r}")
    column = _COLUMN[level]
    if column not in transactions:
        raise ValueError(f"transactions have no {column!r} column, needed for {level}-level "
                         "recommendations")
    return column


def available_levels(transactions: pd.DataFrame) -> tuple[str, ...]:
    """The levels the transactions can be recommended at: ``product``, ``category`` or both.

    A level counts only when its column exists and holds at least one value.
    """
    return tuple(level for level in ("product", "category")
                 if _COLUMN[level] in transactions and transactions[_COLUMN[level]].notna().any())


def resolve_level(transactions: pd.DataFrame, level: str) -> str:
    """``level`` when the transactions have it, else the other level (product -> category).

    Raises ValueError when the transactions have neither a product nor a category column
    (the runner skips the report before that: see ``schema.ANALYSIS_REQUIREMENTS``).
    """
    if level not in _COLUMN:
        raise ValueError(f"level must be 'category' or 'product', got {level!r}")
    levels = available_levels(transactions)
    if level in levels:
        return level
    if levels:
        return levels[0]
    raise ValueError("transactions have neither a 'product_id' nor a 'category' column with "
                     "values: nothing to recommend")


def interactions(transactions: pd.DataFrame, level: Level = "category", *, by: str = "customer_id",
                 items: Sequence[str] | pd.Index | None = None) -> Interactions:
    """Who bought what: one row per ``by`` value (customer or ``order_id`` for baskets).

    ``items`` fixes the item axis (items not in it are dropped), so train and test matrices
    line up.
    """
    column = item_column(transactions, level)
    frame = transactions[[by, column]].dropna()
    row_codes, row_labels = pd.factorize(frame[by].astype(str))
    if items is None:
        item_codes, item_labels = pd.factorize(frame[column].astype(str), sort=True)
        item_index = pd.Index(item_labels, dtype=object)
    else:
        item_index = pd.Index(list(items), dtype=object)
        item_codes = codes_in(item_index, frame[column].astype(str))
        keep = item_codes >= 0
        row_codes, item_codes = row_codes[keep], item_codes[keep]
    matrix = sp.csr_matrix((np.ones(len(row_codes), dtype=np.float32), (row_codes, item_codes)),
                           shape=(len(row_labels), len(item_index)))
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return Interactions(matrix, pd.Index(row_labels, dtype=object), item_index)


def item_similarity(inter: Interactions, method: Literal["cosine", "lift"] = "cosine", *,
                    shrinkage: float = 10.0) -> np.ndarray:
    """Item x item co-purchase similarity (dense float32, zero diagonal).

    Lift is damped by ``c_ij / (c_ij + shrinkage)`` so pairs seen only a few times (rare
    items have huge lifts by chance) do not dominate; ``shrinkage=0`` gives the plain lift.
    """
    binary = inter.matrix
    co = inter.cooccurrence().copy()
    counts = np.diag(co).copy()
    np.fill_diagonal(co, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "cosine":
            sim = co / np.sqrt(np.outer(counts, counts))
        elif method == "lift":
            sim = co * binary.shape[0] / np.outer(counts, counts) * (co / (co + shrinkage))
        else:
            raise ValueError(f"method must be 'cosine' or 'lift', got {method!r}")
    return np.nan_to_num(sim, nan=0.0, posinf=0.0).astype(np.float32)

