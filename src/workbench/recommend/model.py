"""The co-purchase recommender (:class:`CoPurchase`) and its popularity baseline.

Scores for many customers are computed in chunks of sparse x dense products, so 200,000
customers over 5,000 items fit in memory without per-customer Python loops. Reasons are codes
(:data:`REASONS`); their sentences are added by :mod:`workbench.recommend.text`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from workbench.recommend.matrices import Interactions, Level, interactions, item_similarity

__all__ = ["MODELS", "REASONS", "CoPurchase", "scalability_check"]

MODELS = ("cosine", "lift", "popularity")
_CHUNK = 20_000  # customers scored at once: chunk x items dense floats
#: Reason codes of a recommendation; their sentences are ``rec.reason.<code>``.
REASONS = ("co_purchase", "segment_popular", "popular")


def _top_n_rows(scores: np.ndarray, n: int) -> np.ndarray:
    width = scores.shape[1]
    if n >= width:
        return np.tile(np.arange(width), (scores.shape[0], 1))
    return np.argpartition(scores, width - n, axis=1)[:, width - n:]


def _top_n(scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Column indices and scores of the ``n`` best items per row, best first.

    The partition (the costly part) runs on row blocks in threads: NumPy releases the GIL.
    """
    n = min(n, scores.shape[1])
    workers = min(4, os.cpu_count() or 1)
    if workers > 1 and scores.size > 5_000_000:
        with ThreadPoolExecutor(workers) as pool:
            blocks = list(pool.map(lambda block: _top_n_rows(block, n),
                                   np.array_split(scores, workers * 2)))
        part = np.concatenate(blocks)
    else:
        part = _top_n_rows(scores, n)
    picked = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-picked, axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1), np.take_along_axis(picked, order, axis=1)


@dataclass
class CoPurchase:
    """Item-to-item co-purchase recommender with a popularity baseline and cold start.

    ``method`` is ``"cosine"``, ``"lift"`` or ``"popularity"``. ``segments`` (customer_id ->
    segment label) gives cold-start customers the favourite items of their segment.
    """

    method: str = "cosine"
    level: Level = "category"
    exclude_bought: bool = True
    bought_weight: float = 1.0  # score factor of bought items when they are not excluded
    inter: Interactions | None = field(default=None, repr=False)
    similarity: np.ndarray | None = field(default=None, repr=False)
    popularity: np.ndarray | None = field(default=None, repr=False)
    segment_popularity: pd.DataFrame | None = field(default=None, repr=False)
    segments: pd.Series | None = field(default=None, repr=False)

    def fit(self, transactions: pd.DataFrame, segments: pd.Series | None = None,
            items: Sequence[str] | None = None) -> CoPurchase:
        if self.method not in MODELS:
            raise ValueError(f"method must be one of {', '.join(MODELS)}, got {self.method!r}")
        return self.fit_interactions(interactions(transactions, self.level, items=items), segments)

    def fit_interactions(self, inter: Interactions, segments: pd.Series | None = None) -> CoPurchase:
        """:meth:`fit` on a customer x item matrix already built (shared by several models)."""
        if self.method not in MODELS:
            raise ValueError(f"method must be one of {', '.join(MODELS)}, got {self.method!r}")
        self.inter = inter
        n_rows = max(self.inter.matrix.shape[0], 1)
        self.popularity = (self.inter.item_counts / n_rows).astype(np.float32)
        if self.method != "popularity":
            self.similarity = item_similarity(self.inter, self.method)
        if segments is not None:
            segments = segments.copy()
            segments.index = segments.index.astype(str)
            self.segments = segments.dropna().astype(str)
            labels = self.segments.reindex(self.inter.rows)
            known = labels.notna().to_numpy()
            codes, names = pd.factorize(labels[known])
            onehot = sp.csr_matrix((np.ones(len(codes), dtype=np.float32),
                                    (codes, np.flatnonzero(known))),
                                   shape=(len(names), self.inter.matrix.shape[0]))
            counts = np.asarray((onehot @ self.inter.matrix).todense())
            sizes = np.maximum(np.asarray(onehot.sum(axis=1)).ravel(), 1)[:, None]
            self.segment_popularity = pd.DataFrame(counts / sizes, index=pd.Index(names, dtype=object),
                                                   columns=self.inter.items)
        return self

    @property
    def items(self) -> pd.Index:
        self._check()
        return self.inter.items

    def _check(self) -> None:
        if self.inter is None:
            raise RuntimeError("call fit() first")

    def _cold_scores(self, customers: Sequence[str], labels: np.ndarray | None = None) -> np.ndarray:
        """Scores of customers without purchases; ``labels``: their segments, when looked up
        already (:meth:`_segment_labels`)."""
        base = np.tile(self.popularity, (len(customers), 1))
        if self.segment_popularity is not None and len(customers):
            if labels is None:
                labels = self._segment_labels(customers)
            rows = self.segment_popularity.index.get_indexer(
                pd.Series(labels, dtype=object).fillna("").to_numpy())
            known = rows >= 0
            base[known] = self.segment_popularity.to_numpy()[rows[known]] + 1e-6 * base[known]
        return base

    def _segment_labels(self, customers: Sequence[str]) -> np.ndarray:
        """The segment of each customer (object array, NaN where unknown)."""
        return self.segments.reindex(pd.Index(customers, dtype=object)).to_numpy(dtype=object)

    def scores(self, customers: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Dense scores ``len(customers) x items`` and whether each customer is cold."""
        self._check()
        customers = [str(c) for c in customers]
        out, cold, _ = self._scores(customers, self.inter.rows.get_indexer(
            pd.Index(customers, dtype=object)))
        return out, cold

    def _scores(self, customers: list[str], pos: np.ndarray, cold_labels: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`scores` for customers at rows ``pos`` of the training matrix (-1: cold);
        ``cold_labels``: the segments of the cold ones, in order, when looked up already."""
        warm = pos >= 0
        bought = self.inter.matrix[pos[warm]]
        if not warm.all():  # cold customers as rows without purchases, their scores set below
            lengths = np.zeros(len(pos), dtype=bought.indptr.dtype)
            lengths[warm] = np.diff(bought.indptr)
            bought = sp.csr_matrix((bought.data, bought.indices, np.r_[0, np.cumsum(lengths)]),
                                   shape=(len(pos), bought.shape[1]))
        if self.method == "popularity":
            out = np.tile(self.popularity, (len(customers), 1))
        else:
            # tie-break with popularity so every customer gets a full list
            out = np.asarray(bought @ self.similarity)
            out += 1e-6 * self.popularity
        if self.exclude_bought:
            out[bought.nonzero()] = -np.inf
        elif self.bought_weight != 1.0:
            rows, cols = bought.nonzero()
            out[rows, cols] *= self.bought_weight
        if not warm.all():
            out[~warm] = self._cold_scores([c for c, w in zip(customers, warm) if not w], cold_labels)
        return out, ~warm, pos

    def recommend(self, customers: Sequence[str] | None = None, n: int = 10, *,
                  reasons: bool = False) -> pd.DataFrame:
        """Top ``n`` items per customer: ``customer_id, rank, item, score``.

        With ``reasons``: ``reason`` (a stable code of :data:`REASONS`), ``because_of`` (for
        ``co_purchase`` the bought item the offer goes with most, else empty) and
        ``reason_segment`` (for ``segment_popular`` the customer's segment, else empty); the
        sentence of each reason is added by :func:`workbench.recommend.with_reason_labels`.
        Customers default to everyone seen in training. Items excluded as already bought are
        never listed, so a customer who bought everything gets fewer than ``n`` rows.
        """
        self._check()
        customers = list(self.inter.rows) if customers is None else [str(c) for c in customers]
        if not customers:
            out = pd.DataFrame(columns=["customer_id", "rank", "item_index", "score", "cold"])
            out.insert(2, "item", self.inter.items.to_numpy()[out["item_index"].to_numpy(dtype=int)])
            return out.drop(columns=["item_index"]).reset_index(drop=True)
        positions = self.inter.rows.get_indexer(pd.Index(customers, dtype=object))
        cold = positions < 0
        labels = None  # the segment of every cold customer, looked up once
        if self.segments is not None and cold.any():
            labels = np.full(len(customers), np.nan, dtype=object)
            labels[cold] = self._segment_labels([c for c, k in zip(customers, cold) if k])
        parts = []
        for start in range(0, len(customers), _CHUNK):
            stop = min(start + _CHUNK, len(customers))
            pos = positions[start:stop]
            chunk_labels = None if labels is None else labels[start:stop][pos < 0]
            scores, _, _ = self._scores(customers[start:stop], pos, chunk_labels)
            idx, top = _top_n(scores, n)
            listed = np.isfinite(top).ravel()  # items excluded as bought are not listed
            who = np.repeat(np.arange(start, stop), idx.shape[1])[listed]
            item = idx.ravel()[listed]
            parts.append((who, np.tile(np.arange(1, idx.shape[1] + 1), stop - start)[listed],
                          item, top.ravel()[listed].astype(float),
                          *(self._reasons(positions[who], item,
                                          None if labels is None else labels[who])
                            if reasons else ())))
        who, rank, item, score, *why = (np.concatenate(column) for column in zip(*parts))
        out = pd.DataFrame({
            "customer_id": pd.Series(np.asarray(customers, dtype=object)).array.take(who),
            "rank": rank,
            "item": _values(self.inter.items.to_numpy(), item),
            "score": score,
            "cold": cold[who],
        })
        if reasons:
            code, because_of, segment = why
            out["reason"] = _values(np.asarray(REASONS, dtype=object), code)
            out["because_of"] = _values(self.inter.items.to_numpy(), because_of)
            out["reason_segment"] = segment
        return out

    def _reasons(self, pos: np.ndarray, target: np.ndarray, labels: np.ndarray | None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Why each recommendation (the customer at row ``pos`` of the training matrix, -1 for
        cold, gets item ``target``), as positions: the reason (in :data:`REASONS`), the bought
        item it goes with most (``co_purchase``; -1 otherwise) and, as text, the customer's
        segment (``segment_popular``: ``labels`` of cold customers' segments; else None)."""
        code = np.full(len(pos), REASONS.index("popular"))
        because_of = np.full(len(pos), -1)
        segment = np.full(len(pos), None, dtype=object)
        cold = pos < 0
        if self.segments is not None and cold.any():
            rows = np.flatnonzero(cold)
            rows = rows[[isinstance(v, str) for v in labels[rows]]]
            code[rows] = REASONS.index("segment_popular")
            segment[rows] = labels[rows]
        warm = ~cold
        if self.similarity is None or not warm.any():
            return code, because_of, segment
        bought = self.inter.matrix[pos[warm]]  # one row per recommendation (O(nnz) below)
        target = target[warm]
        counts = np.diff(bought.indptr)
        rows = np.repeat(np.arange(bought.shape[0]), counts)
        values = self.similarity[bought.indices, target[rows]]
        has = counts > 0
        first = _first_max(values, rows, bought.indptr[:-1][has], counts[has])
        best = np.full(bought.shape[0], -1)
        best_value = np.zeros(bought.shape[0], dtype=np.float32)
        best[has] = bought.indices[first]
        best_value[has] = values[first]
        with_item = best_value > 0
        warm_rows = np.flatnonzero(warm)[with_item]
        code[warm_rows] = REASONS.index("co_purchase")
        because_of[warm_rows] = best[with_item]
        return code, because_of, segment


def _values(labels: np.ndarray, positions: np.ndarray) -> Any:
    """``labels[positions]`` (None where a position is -1) as the column a DataFrame would make
    of that object array (text: ``str``), converted once for the distinct labels."""
    if not (positions >= 0).any():
        return np.full(len(positions), None, dtype=object)
    return pd.Series(labels).array.take(positions, allow_fill=True)



def _first_max(values: np.ndarray, rows: np.ndarray, starts: np.ndarray,
               counts: np.ndarray) -> np.ndarray:
    """Per group of ``values`` (consecutive runs, one per row, none empty: ``starts`` and
    ``counts``), the position of its largest value, the first one on ties."""
    if not len(starts):
        return np.zeros(0, dtype=np.int64)
    row_max = np.repeat(np.maximum.reduceat(values, starts), counts)
    at_max = np.flatnonzero(values == row_max)
    owner = rows[at_max]
    return at_max[np.r_[True, owner[1:] != owner[:-1]]]


def scalability_check(n_customers: int = 200_000, n_items: int = 5_000, lines_per_customer: int = 8,
                      n: int = 10, seed: int = 0) -> dict[str, Any]:
    """Synthetic benchmark input and timing of fit + recommend for everyone (see benchmarks)."""
    import time

    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, n_items + 1)
    lines = n_customers * lines_per_customer
    frame = pd.DataFrame({
        "customer_id": np.repeat(np.arange(n_customers), lines_per_customer).astype(str),
        "product_id": rng.choice(n_items, lines, p=weights / weights.sum()).astype(str),
    })
    started = time.perf_counter()
    rec = CoPurchase("cosine", "product").fit(frame)
    out = rec.recommend(n=n)
    return {"seconds": time.perf_counter() - started, "rows": len(out),
            "customers": int(out["customer_id"].nunique())}
