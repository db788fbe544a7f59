"""Next-best offer (个性化推荐): co-purchase recommendations, association rules, evaluation.

Everything works on a sparse customer x item matrix (``scipy.sparse``): items are products
(``product_id``) or categories (``category``), chosen with ``level``. Scores for many customers
are computed in chunks of sparse x dense products, so 200,000 customers over 5,000 items fit
in memory without per-customer Python loops.

Models
------
* ``popularity``: the share of customers who bought each item (the baseline).
* ``cosine`` / ``lift``: item-to-item co-purchase. Two items are similar when the same
  customers bought both: cosine ``c_ij / sqrt(n_i n_j)`` or lift ``c_ij N / (n_i n_j)``. A
  customer's score for item j is the sum of the similarities of j to the items they bought.

Already-bought items are excluded (``exclude_bought=True``) or kept with their score scaled by
``bought_weight``. Customers without purchases (cold start) get the most popular items of
their segment (any column you pass: RFM segment, membership tier, ...), else of everyone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from workbench.charts import annotate_heatmap, axes_for
from workbench.i18n import fmt_pct, fmt_pp, t

__all__ = [
    "CROSS_HEADERS",
    "EVAL_HEADERS",
    "EXPORT_COLUMNS",
    "EXPORT_HEADERS",
    "MODELS",
    "REASONS",
    "RULES_HEADERS",
    "RULE_MIN_COUNT",
    "RULE_MIN_SUPPORT",
    "CoPurchase",
    "Interactions",
    "all_customers",
    "association_rules",
    "available_levels",
    "baseline_gap",
    "best_model",
    "cross_sell_by_segment",
    "cross_sell_table",
    "evaluate",
    "evaluate_recent",
    "evaluation_display",
    "evaluation_metrics",
    "evaluation_table",
    "export_frame",
    "headline",
    "interactions",
    "item_similarity",
    "offered_rules",
    "pair_matrix",
    "personalization_metrics",
    "plot_affinity_heatmap",
    "plot_evaluation",
    "precision_recall_at_n",
    "reason_labels",
    "resolve_level",
    "result_frame",
    "rules_sentence",
    "segment_labels",
    "segment_series",
    "time_split",
    "up_to",
]

Level = Literal["category", "product"]
MODELS = ("cosine", "lift", "popularity")
_COLUMN = {"category": "category", "product": "product_id"}
_CHUNK = 20_000  # customers scored at once: chunk x items dense floats
#: Rules offered for use: at least this share of baskets holds both items ...
RULE_MIN_SUPPORT = 0.01
#: ... and at least this many baskets (a floor for small data).
RULE_MIN_COUNT = 5


# ------------------------------------------------------------------------------ matrices


@dataclass
class Interactions:
    """A binary sparse matrix ``rows x items`` with the labels of both axes."""

    matrix: sp.csr_matrix  # 1 where the row (customer or order) bought the item
    rows: pd.Index
    items: pd.Index

    @property
    def item_counts(self) -> np.ndarray:
        """How many rows bought each item."""
        return np.asarray(self.matrix.sum(axis=0)).ravel()


def _item_column(transactions: pd.DataFrame, level: str) -> str:
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
    column = _item_column(transactions, level)
    frame = transactions[[by, column]].dropna()
    row_codes, row_labels = pd.factorize(frame[by].astype(str))
    if items is None:
        item_codes, item_labels = pd.factorize(frame[column].astype(str), sort=True)
        item_index = pd.Index(item_labels, dtype=object)
    else:
        item_index = pd.Index(list(items), dtype=object)
        item_codes = item_index.get_indexer(frame[column].astype(str))
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
    co = (binary.T @ binary).toarray().astype(np.float64)
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


def association_rules(transactions: pd.DataFrame, level: Level = "category", *,
                      basket: str = "order_id", min_support: float = 0.0,
                      min_confidence: float = 0.0, min_count: int = 1,
                      min_lift: float | None = None) -> pd.DataFrame:
    """Pair rules A -> B over baskets (orders by default), vectorised with sparse matrices.

    ``support`` = share of baskets with A and B, ``confidence`` = support / share with A,
    ``lift`` = confidence / share with B. With ``min_lift`` only rules whose lift is strictly
    above it are kept. Sorted by lift, then support. ``attrs`` carry the number of
    ``baskets`` and every ``items`` seen (also those never bought with another).
    """
    inter = interactions(transactions, level, by=basket)
    n = inter.matrix.shape[0]
    co = sp.triu(inter.matrix.T @ inter.matrix, k=1).tocoo()
    counts = inter.item_counts
    a = np.concatenate([co.row, co.col])
    b = np.concatenate([co.col, co.row])
    both = np.concatenate([co.data, co.data]).astype(float)
    rules = pd.DataFrame({
        "antecedent": inter.items.to_numpy()[a],
        "consequent": inter.items.to_numpy()[b],
        "count": both.astype(int),
        "support": both / max(n, 1),
        "confidence": both / counts[a],
        "lift": both * n / (counts[a] * counts[b]),
    })
    keep = ((rules["support"] >= min_support) & (rules["confidence"] >= min_confidence)
            & (rules["count"] >= min_count))
    if min_lift is not None:
        keep &= rules["lift"] > min_lift
    rules = rules[keep].sort_values(["lift", "support", "antecedent", "consequent"],
                                    ascending=[False, False, True, True]).reset_index(drop=True)
    rules.attrs = {"baskets": int(n), "items": [str(i) for i in inter.items]}
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


RULES_HEADERS = {"antecedent": "rec.col.antecedent", "consequent": "rec.col.consequent",
                 "count": "rec.col.count", "support": "rec.col.support",
                 "confidence": "rec.col.confidence", "lift": "rec.col.lift"}


def rules_sentence(pairs: pd.DataFrame, offered: pd.DataFrame, *, min_support: float = RULE_MIN_SUPPORT,
                   min_count: int = RULE_MIN_COUNT) -> tuple[str, dict[str, str]]:
    """(key, values) introducing the rules table: baskets, the thresholds, how many pairs pass."""
    values = {"baskets": f"{pairs.attrs.get('baskets', 0):,}", "support": f"{min_support:.1%}",
              "min_count": f"{min_count:,}", "offered": f"{len(offered):,}", "pairs": f"{len(pairs):,}"}
    return ("rec.rules_text" if len(offered) else "rec.no_rules"), values


# ------------------------------------------------------------------------------ recommender


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
        self.inter = interactions(transactions, self.level, items=items)
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

    def _cold_scores(self, customers: Sequence[str]) -> np.ndarray:
        base = np.tile(self.popularity, (len(customers), 1))
        if self.segment_popularity is not None and len(customers):
            labels = self.segments.reindex(pd.Index(customers, dtype=object))
            rows = self.segment_popularity.index.get_indexer(labels.fillna("").to_numpy())
            known = rows >= 0
            base[known] = self.segment_popularity.to_numpy()[rows[known]] + 1e-6 * base[known]
        return base

    def scores(self, customers: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Dense scores ``len(customers) x items`` and whether each customer is cold."""
        self._check()
        customers = [str(c) for c in customers]
        pos = self.inter.rows.get_indexer(pd.Index(customers, dtype=object))
        warm = pos >= 0
        out = np.empty((len(customers), len(self.inter.items)), dtype=np.float32)
        bought = self.inter.matrix[pos[warm]]
        if self.method == "popularity":
            warm_scores = np.tile(self.popularity, (int(warm.sum()), 1))
        else:
            # tie-break with popularity so every customer gets a full list
            warm_scores = np.asarray(bought @ self.similarity) + 1e-6 * self.popularity
        if self.exclude_bought:
            warm_scores[bought.nonzero()] = -np.inf
        elif self.bought_weight != 1.0:
            rows, cols = bought.nonzero()
            warm_scores[rows, cols] *= self.bought_weight
        out[warm] = warm_scores
        out[~warm] = self._cold_scores([c for c, w in zip(customers, warm) if not w])
        return out, ~warm

    def recommend(self, customers: Sequence[str] | None = None, n: int = 10, *,
                  reasons: bool = False, lang: str = "en") -> pd.DataFrame:
        """Top ``n`` items per customer: ``customer_id, rank, item, score``.

        With ``reasons``: ``reason`` (a stable code of :data:`REASONS`), ``reason_label`` (the
        reason as a sentence in ``lang``) and ``because_of`` (for ``co_purchase`` the bought
        item the offer goes with most, else empty). Customers default to everyone seen in
        training. Items excluded as already bought are never listed, so a customer who bought
        everything gets fewer than ``n`` rows.
        """
        self._check()
        customers = list(self.inter.rows) if customers is None else [str(c) for c in customers]
        parts = []
        for start in range(0, len(customers), _CHUNK):
            chunk = customers[start:start + _CHUNK]
            scores, cold = self.scores(chunk)
            idx, top = _top_n(scores, n)
            frame = pd.DataFrame({
                "customer_id": np.repeat(np.asarray(chunk, dtype=object), idx.shape[1]),
                "rank": np.tile(np.arange(1, idx.shape[1] + 1), len(chunk)),
                "item_index": idx.ravel(),
                "score": top.ravel().astype(float),
                "cold": np.repeat(cold, idx.shape[1]),
            })
            frame = frame[np.isfinite(frame["score"])]
            if reasons:
                codes, because_of, segment = self._reasons(frame)
                frame["reason"] = codes
                frame["reason_label"] = reason_labels(codes, because_of, segment, lang)
                frame["because_of"] = because_of
            parts.append(frame)
        out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
            columns=["customer_id", "rank", "item_index", "score", "cold"])
        out.insert(2, "item", self.inter.items.to_numpy()[out["item_index"].to_numpy(dtype=int)])
        return out.drop(columns=["item_index"]).reset_index(drop=True)

    def _reasons(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Why each item, as codes: the bought item it goes with most (``co_purchase`` and
        that item), the popularity in the customer's segment (``segment_popular`` and the
        segment) or overall (``popular``)."""
        items = self.inter.items.to_numpy()
        codes = np.full(len(frame), "popular", dtype=object)
        because_of = np.full(len(frame), None, dtype=object)
        segment = np.full(len(frame), None, dtype=object)
        cold = frame["cold"].to_numpy()
        if self.segments is not None and cold.any():
            labels = self.segments.reindex(pd.Index(frame["customer_id"][cold], dtype=object))
            known = np.array([isinstance(v, str) for v in labels], dtype=bool)
            rows = np.flatnonzero(cold)[known]
            codes[rows] = "segment_popular"
            segment[rows] = labels.to_numpy()[known]
        warm = ~cold
        if self.similarity is None or not warm.any():
            return codes, because_of, segment
        pos = self.inter.rows.get_indexer(pd.Index(frame["customer_id"][warm], dtype=object))
        bought = self.inter.matrix[pos]  # one row per recommendation (O(nnz) below)
        target = frame["item_index"].to_numpy()[warm]
        counts = np.diff(bought.indptr)
        rows = np.repeat(np.arange(bought.shape[0]), counts)
        values = self.similarity[bought.indices, target[rows]]
        order = np.lexsort((-values, rows))  # rows stay grouped, best value first
        has = counts > 0
        first = order[bought.indptr[:-1][has]]
        best = np.full(bought.shape[0], -1)
        best_value = np.zeros(bought.shape[0], dtype=np.float32)
        best[has] = bought.indices[first]
        best_value[has] = values[first]
        with_item = best_value > 0
        warm_rows = np.flatnonzero(warm)[with_item]
        codes[warm_rows] = "co_purchase"
        because_of[warm_rows] = items[best[with_item]]
        return codes, because_of, segment


#: Reason codes of a recommendation; their sentences are ``rec.reason.<code>``.
REASONS = ("co_purchase", "segment_popular", "popular")


def reason_labels(codes: Sequence[str], because_of: Sequence[Any], segment: Sequence[Any],
                  lang: str = "en") -> list[str]:
    """The sentence of each reason code in ``lang``: ``often bought with B`` names the
    ``because_of`` item, ``popular in segment Gold`` the customer's segment."""
    seen: dict[tuple[Any, Any, Any], str] = {}  # few distinct sentences among many rows
    out = []
    for key in zip(codes, because_of, segment):
        if key not in seen:
            seen[key] = t(f"rec.reason.{key[0]}", lang, item=key[1], segment=key[2])
        out.append(seen[key])
    return out


# ------------------------------------------------------------------------------ evaluation


def up_to(transactions: pd.DataFrame, as_of: pd.Timestamp | None) -> pd.DataFrame:
    """Lines on or before ``as_of`` (whole day)."""
    if as_of is None:
        return transactions
    return transactions[transactions["order_date"] < pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)]


def evaluate_recent(transactions: pd.DataFrame, as_of: pd.Timestamp, test_days: int = 90,
                    **options: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """:func:`evaluate` with the last ``test_days`` up to ``as_of`` as the test period.

    Returns the evaluation (empty when the history is too short) and the split's facts for
    the narrative: ``cutoff``, ``end``, ``customers``.
    """
    as_of = pd.Timestamp(as_of).normalize()
    cutoff = as_of - pd.Timedelta(days=test_days - 1)
    facts = {"cutoff": cutoff.date(), "end": as_of.date(), "customers": 0}
    if transactions.empty or transactions["order_date"].min() >= cutoff:
        return pd.DataFrame(columns=["model", "n", "customers", "hit_rate", "precision", "recall",
                                     "coverage"]), facts
    evaluation = evaluate(transactions, cutoff, end=as_of, **options)
    if evaluation.empty or evaluation["customers"].max() == 0:
        return evaluation.iloc[0:0], facts
    facts["customers"] = f"{int(evaluation['customers'].max()):,}"
    return evaluation, facts


def time_split(transactions: pd.DataFrame, cutoff: pd.Timestamp | str, *,
               end: pd.Timestamp | str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train = lines before ``cutoff``; test = lines from ``cutoff`` up to ``end`` (inclusive day)."""
    cutoff = pd.Timestamp(cutoff)
    dates = transactions["order_date"]
    test = dates >= cutoff
    if end is not None:
        test &= dates < pd.Timestamp(end).normalize() + pd.Timedelta(days=1)
    return transactions[dates < cutoff], transactions[test]


def precision_recall_at_n(recommended: pd.DataFrame, truth: pd.DataFrame, n: int,
                          n_items: int) -> dict[str, float]:
    """Hit rate, precision, recall @n and coverage over the customers in ``truth``.

    ``recommended``: ``customer_id, rank, item``; ``truth``: ``customer_id, item`` (what each
    evaluated customer bought in the test period). Precision divides hits by ``n``; coverage
    is the share of the ``n_items`` catalogue recommended to anyone.
    """
    top = recommended[recommended["rank"] <= n][["customer_id", "item"]]
    truth = truth[["customer_id", "item"]].drop_duplicates()
    customers = truth["customer_id"].drop_duplicates()
    hits = top.merge(truth, on=["customer_id", "item"]).groupby("customer_id").size()
    hits = hits.reindex(customers, fill_value=0).to_numpy(dtype=float)
    relevant = truth.groupby("customer_id").size().reindex(customers).to_numpy(dtype=float)
    shown = top[top["customer_id"].isin(set(customers))]
    return {
        "customers": len(customers),
        "hit_rate": float((hits > 0).mean()) if len(hits) else float("nan"),
        "precision": float((hits / n).mean()) if len(hits) else float("nan"),
        "recall": float((hits / relevant).mean()) if len(hits) else float("nan"),
        "coverage": float(shown["item"].nunique() / n_items) if n_items else float("nan"),
    }


def evaluate(transactions: pd.DataFrame, cutoff: pd.Timestamp | str, *, n: int | Sequence[int] = 10,
             level: Level = "category", models: Sequence[str] = MODELS, exclude_bought: bool = True,
             end: pd.Timestamp | str | None = None, segments: pd.Series | None = None) -> pd.DataFrame:
    """Offline evaluation on a time split: one row per model and N.

    Models are fitted on lines before ``cutoff`` and judged on what customers bought from
    ``cutoff`` on. Evaluated are customers who bought in both periods; with
    ``exclude_bought`` only items new to the customer count as relevant (the recommender
    cannot list the others). ``models`` includes ``"popularity"`` as the baseline.
    """
    train, test = time_split(transactions, cutoff, end=end)
    ns = [n] if isinstance(n, (int, np.integer)) else list(n)
    column = _item_column(transactions, level)
    items = sorted(transactions[column].dropna().astype(str).unique())
    truth = pd.DataFrame({"customer_id": test["customer_id"].astype(str),
                          "item": test[column].astype(str)}).dropna().drop_duplicates()
    seen = set(train["customer_id"].astype(str))
    truth = truth[truth["customer_id"].isin(seen)]
    if exclude_bought and len(truth):
        before = pd.DataFrame({"customer_id": train["customer_id"].astype(str),
                               "item": train[column].astype(str)}).drop_duplicates()
        truth = truth.merge(before, how="left", indicator=True)
        truth = truth[truth["_merge"] == "left_only"].drop(columns="_merge")
    customers = truth["customer_id"].drop_duplicates().tolist()
    rows = []
    for model in models:
        rec = CoPurchase(model, level, exclude_bought=exclude_bought).fit(train, segments, items=items)
        recommended = rec.recommend(customers, max(ns)) if customers else pd.DataFrame(
            columns=["customer_id", "rank", "item", "score"])
        for k in ns:
            rows.append({"model": model, "n": k,
                         **precision_recall_at_n(recommended, truth, k, len(items))})
    return pd.DataFrame(rows)


EVAL_HEADERS = {"model_name": "rec.col.model", "customers": "word.customers",
                "hit_rate": "rec.col.hit_rate", "precision_rate": "rec.col.precision",
                "recall_rate": "rec.col.recall", "coverage_rate": "rec.col.coverage",
                "uplift_rate": "rec.col.uplift", "uplift_relative": "rec.col.uplift_relative",
                "uplift_pp": "rec.col.uplift_pp"}
CROSS_HEADERS = {"segment_name": "rec.col.segment", "item": "rec.col.item", "customers": "word.customers",
                 "actual_share": "rec.col.actual", "expected_share": "rec.col.expected",
                 "gap_share": "rec.col.gap", "gap_pp": "rec.col.gap", "customers_without": "rec.col.without"}
EXPORT_HEADERS = {"customer_id": "rec.col.customer", "rank": "rec.col.rank", "item": "rec.col.item",
                  "score": "rec.col.score", "reason_label": "rec.col.reason",
                  "because_of": "rec.col.because_of"}


def all_customers(customers: pd.DataFrame | None, transactions: pd.DataFrame) -> list[str]:
    """Every known customer id: customers.csv first, then buyers not in it."""
    ids = [] if customers is None else list(customers["customer_id"].astype(str))
    return list(dict.fromkeys(ids + list(transactions["customer_id"].astype(str).unique())))


def personalization_metrics(evaluation: pd.DataFrame, n: int) -> dict[str, Any]:
    """metrics.json (key ``personalization``): per model and baseline @n, plus the headline."""
    if evaluation.empty:
        return {"n": n, "models": {}, "headline": {lang: t("rec.eval_none", lang) for lang in ("en", "zh")}}
    return {"n": n, "customers_evaluated": int(evaluation["customers"].max()),
            "best_model": best_model(evaluation, n), "models": evaluation_metrics(evaluation, n),
            "headline": headline(evaluation, n)}


def evaluation_table(evaluation: pd.DataFrame, n: int, lang: str = "en") -> pd.DataFrame:
    """The rows for one N with model names in ``lang`` and the uplift over popularity.

    Rate columns are suffixed ``_rate`` so report tables show them as percentages.
    """
    table = evaluation[evaluation["n"] == n].rename(columns={
        "precision": "precision_rate", "recall": "recall_rate", "coverage": "coverage_rate"})
    base = table.loc[table["model"] == "popularity", "hit_rate"]
    base_value = float(base.iloc[0]) if len(base) else float("nan")
    table["uplift_rate"] = table["hit_rate"] / base_value - 1 if base_value else float("nan")
    table.insert(0, "model_name", [t(f"rec.model.{m}", lang) for m in table["model"]])
    return table.drop(columns=["n"]).reset_index(drop=True)


def baseline_gap(evaluation: pd.DataFrame, n: int, model: str) -> dict[str, float]:
    """Hit rate @n of ``model`` against the popularity baseline: ``ours``, ``base``,
    ``difference`` (ours - base, a difference of two shares: percentage points) and
    ``relative`` (ours / base - 1, a relative change; NaN when the baseline is 0). The one
    source of the table's two columns and of the headline."""
    rows = evaluation[evaluation["n"] == n].set_index("model")["hit_rate"]
    ours = float(rows.get(model, float("nan")))
    base = float(rows.get("popularity", float("nan")))
    relative = ours / base - 1 if base and not np.isnan(base) else float("nan")
    return {"ours": ours, "base": base, "difference": ours - base, "relative": relative}


def _relative(value: float, lang: str) -> str:
    """A relative change labelled as such: ``+32.5% relative`` / ``相对 +32.5%``."""
    if value is None or np.isnan(value):
        return "–"
    return t("rec.relative", lang, value=f"{value:+.1%}")


def evaluation_display(evaluation: pd.DataFrame, n: int, lang: str = "en") -> pd.DataFrame:
    """:func:`evaluation_table` ready to show: the comparison with the baseline as two
    labelled columns from :func:`baseline_gap`, ``uplift_relative`` (``+32.5% relative``)
    and ``uplift_pp`` (``+10.5 pp``); a dash on the baseline's own row."""
    table = evaluation_table(evaluation, n, lang).drop(columns=["uplift_rate"])
    gaps = [baseline_gap(evaluation, n, m) for m in table["model"]]
    own = (table["model"] == "popularity").to_numpy()
    table["uplift_relative"] = ["–" if o else _relative(g["relative"], lang) for g, o in zip(gaps, own)]
    table["uplift_pp"] = ["–" if o else fmt_pp(g["difference"], lang) for g, o in zip(gaps, own)]
    return table


def evaluation_metrics(evaluation: pd.DataFrame, n: int = 10) -> dict[str, dict[str, float]]:
    """metrics.json values: hit rate, precision, recall and coverage @n per model."""
    out = {}
    for row in evaluation[evaluation["n"] == n].itertuples():
        out[row.model] = {f"hit_rate_at_{n}": row.hit_rate, f"precision_at_{n}": row.precision,
                          f"recall_at_{n}": row.recall, "coverage": row.coverage}
    return out


def best_model(evaluation: pd.DataFrame, n: int) -> str:
    """The co-purchase model with the highest hit rate @n."""
    rows = evaluation[(evaluation["n"] == n) & (evaluation["model"] != "popularity")]
    return str(rows.sort_values("hit_rate", ascending=False)["model"].iloc[0])


def headline(evaluation: pd.DataFrame, n: int) -> dict[str, str]:
    """One sentence per language: the best co-purchase model against the baseline."""
    model = best_model(evaluation, n)
    gap = baseline_gap(evaluation, n, model)
    key = "rec.headline.beats" if gap["ours"] > gap["base"] else "rec.headline.not_beats"
    return {lang: t(key, lang, model=t(f"rec.model.{model}", lang), n=n, ours=fmt_pct(gap["ours"]),
                    base=fmt_pct(gap["base"]), diff=fmt_pp(gap["difference"], lang),
                    relative=_relative(gap["relative"], lang))
            for lang in ("en", "zh")}


# ------------------------------------------------------------------------------ cross-sell


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


def cross_sell_table(cross: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """:func:`cross_sell_by_segment` ready to show: the gap between the two shares as
    percentage points (``gap_pp``, through :func:`workbench.i18n.fmt_pp`), not a share."""
    out = cross.drop(columns=["segment", "gap_share"], errors="ignore")
    position = list(out.columns).index("customers_without") if "customers_without" in out else len(out.columns)
    out.insert(position, "gap_pp", [fmt_pp(float(v), lang) for v in cross["gap_share"]])
    return out


def export_frame(recommendations: pd.DataFrame) -> pd.DataFrame:
    """The campaign file (:data:`EXPORT_COLUMNS`) from :meth:`CoPurchase.recommend` with
    ``reasons=True``; only ``reason_label`` depends on the report language."""
    return recommendations[list(EXPORT_COLUMNS)].round({"score": 6})


def result_frame(recommendations: pd.DataFrame) -> pd.DataFrame:
    """The shared ``recommendations`` result (schema in :mod:`workbench.results`): rank,
    item, score and the reason code per customer, best first."""
    return recommendations[["customer_id", "rank", "item", "score", "reason"]].reset_index(drop=True)


# ------------------------------------------------------------------------------ plots


def plot_affinity_heatmap(pairs: pd.DataFrame, *, value: Literal["lift", "confidence", "support"] = "lift",
                          lang: str = "en", ax: Axes | None = None) -> Figure:
    """Item x item ``value`` of :func:`association_rules` (all pairs, unfiltered), annotated
    with the same three decimals as the rules table. Cell text is black or white by the
    luminance of the cell's colour."""
    table = pair_matrix(pairs, value)
    sim = table.to_numpy(dtype=float)
    fig, ax = axes_for(ax, (6.5, 5.5))
    finite = np.isfinite(sim)
    center = 1.0 if value == "lift" else (float(np.nanmean(sim)) if finite.any() else 0.0)
    spread = float(np.nanmax(np.abs(sim - center))) if finite.any() else 1.0
    spread = spread if spread > 0 else 1.0
    image = ax.imshow(sim, cmap="RdBu_r", vmin=center - spread, vmax=center + spread)
    labels = [str(i) for i in table.index]
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    annotate_heatmap(ax, image, sim, "{:.3f}".format, fontsize=8)
    ax.grid(False)
    ax.set(xlabel=t("rec.col.consequent", lang), ylabel=t("rec.col.antecedent", lang),
           title=t(f"rec.affinity_title.{value}", lang))
    fig.colorbar(image, ax=ax, shrink=0.8).set_label(t(f"rec.col.{value}", lang))
    fig.tight_layout()
    return fig


def plot_evaluation(evaluation: pd.DataFrame, *, metric: str = "hit_rate", lang: str = "en",
                    ax: Axes | None = None) -> Figure:
    """``metric`` against N, one line per model (the baseline dashed)."""
    fig, ax = axes_for(ax, (7, 4))
    for model, rows in evaluation.groupby("model", sort=False):
        style = "--" if model == "popularity" else "-"
        ax.plot(rows["n"], rows[metric], style, marker="o", label=t(f"rec.model.{model}", lang))
    ax.set(xlabel=t("rec.axis.n", lang), ylabel=t(f"rec.col.{metric}", lang), title=t("rec.eval_title", lang))
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.legend()
    fig.tight_layout()
    return fig


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


def segment_labels(frame: pd.DataFrame | pd.Series, column: str, lang: str = "en") -> dict[str, str]:
    """Display names for segment keys of ``frame[column]`` (or of a series of
    :func:`segment_series`): cn8/en11 keys translated, other values as they are."""
    values = frame if isinstance(frame, pd.Series) else frame[column]
    keys = values.dropna().astype(str).unique()
    prefix = {"segment_cn8": "seg.cn8.", "segment_en11": "seg.en11."}.get(column)
    if prefix is None:
        return {k: k for k in keys}
    return {k: t(prefix + k, lang) for k in keys}


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
