"""Offline evaluation on a time split: hit rate, precision, recall and coverage @N."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbench.recommend.matrices import Level, item_column
from workbench.recommend.model import MODELS, CoPurchase
from workbench.summary import day_after

__all__ = ["baseline_gap", "best_model", "evaluate", "evaluate_recent", "evaluation_metrics",
           "precision_recall_at_n", "time_split"]

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
    column = item_column(transactions, level)
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

