"""Offline evaluation on a time split: hit rate, precision, recall and coverage @N."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbench.recommend.matrices import Interactions, Level, codes_in, interactions, item_column
from workbench.recommend.model import _CHUNK, MODELS, CoPurchase, _top_n
from workbench.summary import day_after

__all__ = ["baseline_gap", "best_model", "evaluate", "evaluate_recent", "evaluation_metrics",
           "precision_recall_at_n", "rates_at_n", "time_split"]

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
        test &= dates < day_after(end)
    return transactions[dates < cutoff], transactions[test]


def precision_recall_at_n(recommended: pd.DataFrame, truth: pd.DataFrame, n: int,
                          n_items: int) -> dict[str, float]:
    """Hit rate, precision, recall @n and coverage over the customers in ``truth``.

    ``recommended``: ``customer_id, rank, item``; ``truth``: ``customer_id, item`` (what each
    evaluated customer bought in the test period). Precision divides hits by ``n``; coverage
    is the share of the ``n_items`` catalogue recommended to anyone.
    """
    return rates_at_n(recommended, truth, [n], n_items)[0]


def rates_at_n(recommended: pd.DataFrame, truth: pd.DataFrame, ns: Sequence[int],
               n_items: int) -> list[dict[str, float]]:
    """:func:`precision_recall_at_n` for every N of ``ns`` at once (one dict per N).

    Customers and items are matched once as integer codes, so ten values of N cost little
    more than one.
    """
    truth = truth[["customer_id", "item"]].drop_duplicates()
    customer_codes, customers = pd.factorize(truth["customer_id"])  # first appearance order
    item_codes, items = pd.factorize(truth["item"])
    width = max(len(items), 1)
    relevant = np.bincount(customer_codes, minlength=len(customers)).astype(float)
    who = codes_in(customers, recommended["customer_id"])
    keep = who >= 0  # only the evaluated customers count, for hits and coverage alike
    who = who[keep]
    shown_items = recommended["item"].to_numpy()[keep]
    what = codes_in(items, shown_items)
    ranks = recommended["rank"].to_numpy(dtype="int64")[keep]
    truth_keys = customer_codes.astype("int64") * width + item_codes
    hit = (what >= 0) & np.isin(who.astype("int64") * width + what, truth_keys)
    shown_codes = pd.factorize(shown_items)[0] if len(shown_items) else np.zeros(0, dtype="int64")
    out = []
    for n in ns:
        top = ranks <= n
        hits = np.bincount(who[top & hit], minlength=len(customers)).astype(float)
        out.append({
            "customers": len(customers),
            "hit_rate": float((hits > 0).mean()) if len(hits) else float("nan"),
            "precision": float((hits / n).mean()) if len(hits) else float("nan"),
            "recall": float((hits / relevant).mean()) if len(hits) else float("nan"),
            "coverage": float(len(np.unique(shown_codes[top])) / n_items) if n_items else float("nan"),
        })
    return out


def evaluate(transactions: pd.DataFrame, cutoff: pd.Timestamp | str, *, n: int | Sequence[int] = 10,
             level: Level = "category", models: Sequence[str] = MODELS, exclude_bought: bool = True,
             end: pd.Timestamp | str | None = None, segments: pd.Series | None = None) -> pd.DataFrame:
    """Offline evaluation on a time split: one row per model and N.

    Models are fitted on lines before ``cutoff`` and judged on what customers bought from
    ``cutoff`` on. Evaluated are customers who bought in both periods; with
    ``exclude_bought`` only items new to the customer count as relevant (the recommender
    cannot list the others). ``models`` includes ``"popularity"`` as the baseline. The
    training matrix is built once and shared by the models.
    """
    ns = [n] if isinstance(n, (int, np.integer)) else list(n)
    column = item_column(transactions, level)
    # only the columns used below are split (the same rows as splitting every column)
    train, test = time_split(transactions[list(dict.fromkeys(["customer_id", column, "order_date"]))],
                             cutoff, end=end)
    items = sorted(transactions[column].dropna().astype(str).unique())
    inter = interactions(train, level, items=items)
    truth = pd.DataFrame({"customer_id": test["customer_id"].astype(str),
                          "item": test[column].astype(str)}).dropna().drop_duplicates()
    seen = pd.Index(train["customer_id"].astype(str).unique())
    keep = codes_in(seen, truth["customer_id"]) >= 0  # bought in both periods
    if exclude_bought and keep.any():
        # drop what the customer bought before: a lookup in the training matrix (-1: not in it)
        who = codes_in(inter.rows, truth["customer_id"])
        what = codes_in(inter.items, truth["item"])
        known = np.flatnonzero(keep & (who >= 0) & (what >= 0))
        bought = np.asarray(inter.matrix[who[known], what[known]]).ravel() > 0
        keep[known[bought]] = False
    truth = truth[keep]
    customers = truth["customer_id"].drop_duplicates().tolist()
    rows = []
    matched = _truth_keys(inter, customers, truth) if customers and len(items) else None
    for model in models:
        rec = CoPurchase(model, level, exclude_bought=exclude_bought).fit_interactions(inter, segments)
        if matched is not None:
            found = _rates_of_model(rec, customers, *matched, ns, len(items))
        else:
            recommended = rec.recommend(customers, max(ns)) if customers else pd.DataFrame(
                columns=["customer_id", "rank", "item", "score"])
            found = rates_at_n(recommended, truth, ns, len(items))
        for k, rates in zip(ns, found):
            rows.append({"model": model, "n": k, **rates})
    return pd.DataFrame(rows)


def _truth_keys(inter: Interactions, customers: list[str], truth: pd.DataFrame
                ) -> tuple[np.ndarray, np.ndarray]:
    """How many items each of ``customers`` bought in the test period (float), and the sorted
    keys ``customer * items + item`` of what they bought (positions in ``customers`` and in
    ``inter.items``). ``customers`` are ``truth``'s customers in order of first appearance and
    ``truth`` has no repeated rows."""
    customer_codes = codes_in(pd.Index(customers, dtype=object), truth["customer_id"])
    item_codes = codes_in(inter.items, truth["item"])
    relevant = np.bincount(customer_codes, minlength=len(customers)).astype(float)
    known = item_codes >= 0  # an item outside the catalogue is never recommended
    keys = np.sort(customer_codes[known].astype("int64") * len(inter.items) + item_codes[known])
    return relevant, keys


def _rates_of_model(rec: CoPurchase, customers: list[str], relevant: np.ndarray,
                    truth_keys: np.ndarray, ns: Sequence[int], n_items: int) -> list[dict[str, float]]:
    """``rates_at_n(rec.recommend(customers, max(ns)), truth, ns, n_items)`` without the
    recommendation frame: the same top lists (``rec``'s scores and ranking, chunk by chunk),
    matched to the test purchases as positions (``relevant`` and ``truth_keys`` from
    :func:`_truth_keys`)."""
    width = len(rec.inter.items)
    positions = rec.inter.rows.get_indexer(pd.Index(customers, dtype=object))
    n_max = max(ns)
    hits_by_rank, first_rank = [], np.full(width, np.iinfo(np.int64).max)
    for start in range(0, len(customers), _CHUNK):
        chunk = customers[start:start + _CHUNK]
        scores, _, _ = rec._scores(chunk, positions[start:start + _CHUNK])
        idx, top = _top_n(scores, n_max)
        shown = np.isfinite(top)  # items excluded as bought are not listed
        keys = np.arange(start, start + len(chunk), dtype="int64")[:, None] * width + idx
        found = np.minimum(np.searchsorted(truth_keys, keys), max(len(truth_keys) - 1, 0))
        bought = truth_keys[found] == keys if len(truth_keys) else np.zeros(keys.shape, bool)
        hits_by_rank.append(np.cumsum(shown & bought, axis=1))
        ranks = np.broadcast_to(np.arange(1, idx.shape[1] + 1), idx.shape)
        np.minimum.at(first_rank, idx[shown], ranks[shown])
    cumulative = np.concatenate(hits_by_rank)
    out = []
    for n in ns:
        # hits among the first n listed items of each customer, as rates_at_n counts them
        hits = (cumulative[:, min(n, cumulative.shape[1]) - 1] if cumulative.shape[1]
                else np.zeros(len(customers), dtype="int64")).astype(float)
        out.append({
            "customers": len(customers),
            "hit_rate": float((hits > 0).mean()) if len(hits) else float("nan"),
            "precision": float((hits / n).mean()) if len(hits) else float("nan"),
            "recall": float((hits / relevant).mean()) if len(hits) else float("nan"),
            "coverage": float((first_rank <= n).sum() / n_items) if n_items else float("nan"),
        })
    return out


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

