"""What moves the scores, what feedback says about behaviour, and who needs a call back.

- :func:`driver_table`: NPS (or CSAT) of comments with a theme against those without it, the
  difference with its interval and p value (the NPS variance of :mod:`.scores`, or Welch).
  A theme defined by the outcome (derived from the score, its group or the comment's
  sentiment, or one that is just a band of the score) is not a driver and is left out.
- :func:`behaviour_after_feedback` and :func:`behaviour_by`: did the customer buy again within
  ``horizon_days`` after the answer (no purchase = churned, for answers at least
  ``horizon_days`` old), and how much did they spend, by NPS group or comment sentiment.
- :func:`follow_up_list`: the closed loop: detractors and negative comments of high-value
  customers with no purchase or event since, contact data masked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbench.feedback.scores import compare, mean_estimate, proportion_estimate
from workbench.safety import mask_frame
from workbench.summary import day_after, up_to

__all__ = [
    "OUTCOME_COLUMNS",
    "behaviour_after_feedback",
    "behaviour_by",
    "behaviour_contrast",
    "driver_table",
    "follow_up_list",
]


#: Columns that are the outcome of a driver analysis on each score, or stand for it: a theme
#: derived from any of them explains the score by itself (a "complaint" that is a negative
#: comment has a low NPS by construction).
OUTCOME_COLUMNS: dict[str, tuple[str, ...]] = {
    "nps": ("nps", "nps_group", "sentiment", "sentiment_score"),
    "csat": ("csat", "sentiment", "sentiment_score"),
}


def _is_score_band(with_: pd.Series, without: pd.Series) -> bool:
    """True when every answer with the theme scores on one side of every answer without it:
    the theme is then a band of the score itself (e.g. "detractor"), not a driver."""
    return bool(with_.max() < without.min() or with_.min() > without.max())


def driver_table(frame: pd.DataFrame, indicators: Mapping[str, pd.Series] | pd.DataFrame, *,
                 metric: str = "nps", min_n: int = 10, confidence: float = 0.95,
                 derived_from: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Score with vs without each theme, with the interval of the difference.

    ``frame`` holds the answers (column ``nps`` or ``csat``); ``indicators`` one boolean
    column per theme, aligned with ``frame``. Themes present in fewer than ``min_n`` answers
    are left out. ``metric``: ``nps`` (NPS points) or ``csat_mean`` / ``csat_top2``.

    Themes defined by the outcome are left out too: those whose ``derived_from`` entry (theme
    -> the columns it was built from) names one of :data:`OUTCOME_COLUMNS` for the score, and
    those that split the answers into two score bands that do not overlap. The names of the
    themes left out this way are in ``table.attrs["outcome_defined"]``.

    Returns ``theme``, ``n_with``, ``n_without``, ``with_theme``, ``without_theme``,
    ``difference``, ``low``, ``high``, ``p_value``, ``significant``; sorted by difference
    (most negative first).
    """
    column = "nps" if metric == "nps" else "csat"
    columns = ["theme", "n_with", "n_without", "with_theme", "without_theme", "difference", "low",
               "high", "p_value", "significant"]
    if column not in frame:
        return pd.DataFrame(columns=columns)
    scores = pd.to_numeric(frame[column], errors="coerce")
    outcome = set(OUTCOME_COLUMNS[column])
    rows, left_out = [], []
    for theme, flag in indicators.items():
        if outcome & set((derived_from or {}).get(theme, ())):
            left_out.append(theme)
            continue
        flag = pd.Series(flag, index=frame.index).fillna(False).astype(bool)
        with_, without = scores[flag].dropna(), scores[~flag].dropna()
        if len(with_) < min_n or len(without) < min_n:
            continue
        if _is_score_band(with_, without):
            left_out.append(theme)
            continue
        test = compare(with_, without, metric, confidence=confidence)
        rows.append({"theme": theme, "n_with": len(with_), "n_without": len(without),
                     "with_theme": test["current"], "without_theme": test["previous"],
                     "difference": test["change"], "low": test["low"], "high": test["high"],
                     "p_value": test["p_value"], "significant": test["significant"]})
    out = pd.DataFrame(rows, columns=columns)
    out = out.sort_values("difference", kind="stable").reset_index(drop=True)
    out.attrs["outcome_defined"] = left_out
    return out


def _time_key(codes: np.ndarray, times: pd.Series) -> np.ndarray:
    seconds = (times.to_numpy(dtype="datetime64[s]").astype(np.int64) - np.int64(946_684_800))
    return codes.astype(np.int64) * np.int64(10_000_000_000) + seconds


def behaviour_after_feedback(feedback: pd.DataFrame, transactions: pd.DataFrame | None,
                             as_of: pd.Timestamp, *, horizon_days: int = 90) -> pd.DataFrame:
    """Per answer (same index): purchases and spend in the ``horizon_days`` after it.

    Columns: ``observed`` (the whole window lies on or before ``as_of``), ``purchases_after``,
    ``spend_after`` (currency units), ``churned`` (observed and no purchase; NaN when not
    observed). Transactions after ``as_of`` are ignored.
    """
    out = pd.DataFrame(index=feedback.index)
    end = day_after(as_of)
    window = pd.Timedelta(days=horizon_days)
    out["observed"] = (feedback["submitted_at"] + window) <= end
    if transactions is None or transactions.empty:
        out["purchases_after"] = 0
        out["spend_after"] = 0.0
    else:
        tx = up_to(transactions, as_of)
        ids = pd.Index(pd.unique(pd.concat([tx["customer_id"], feedback["customer_id"]],
                                           ignore_index=True)))
        tx_codes = ids.get_indexer(tx["customer_id"])
        keys = _time_key(tx_codes, tx["order_date"])
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        cum = np.concatenate([[0.0], np.cumsum(tx["amount"].to_numpy(dtype=float)[order])])
        fb_codes = ids.get_indexer(feedback["customer_id"])
        start_key = _time_key(fb_codes, feedback["submitted_at"])
        stop_key = _time_key(fb_codes, feedback["submitted_at"] + window)
        lo = np.searchsorted(keys, start_key, side="right")
        hi = np.searchsorted(keys, stop_key, side="right")
        out["purchases_after"] = hi - lo
        out["spend_after"] = cum[hi] - cum[lo]
    out["churned"] = np.where(out["observed"], out["purchases_after"] == 0, np.nan)
    return out


def behaviour_by(frame: pd.DataFrame, by: str, *, order: Sequence[Any] | None = None,
                 confidence: float = 0.95) -> pd.DataFrame:
    """Churn rate and spend after feedback per group, over observed answers only.

    ``frame`` has ``churned``, ``spend_after``, ``observed`` and the column ``by``. Returns
    ``by``, ``answers``, ``churn_rate`` (+ ``churn_low_rate``/``churn_high_rate``, Wilson),
    ``spend_after`` (mean per answer) with ``spend_low``/``spend_high`` (t interval).
    """
    data = frame[frame["observed"] & frame[by].notna()]
    rows = []
    for key, group in data.groupby(by, sort=False):
        churn = proportion_estimate(int(group["churned"].astype(bool).sum()), len(group), confidence)
        spend = mean_estimate(group["spend_after"], confidence)
        rows.append({by: key, "answers": len(group), "churn_rate": churn["share"],
                     "churn_low_rate": churn["low"], "churn_high_rate": churn["high"],
                     "spend_after": spend["mean"], "spend_low": spend["low"], "spend_high": spend["high"]})
    out = pd.DataFrame(rows, columns=[by, "answers", "churn_rate", "churn_low_rate", "churn_high_rate",
                                      "spend_after", "spend_low", "spend_high"])
    if order is not None:
        rank = {k: i for i, k in enumerate(order)}
        out = out.sort_values(by, key=lambda s: s.map(rank).fillna(len(rank)))
    return out.reset_index(drop=True)


def behaviour_contrast(frame: pd.DataFrame, by: str, group: Any, reference: Any,
                       confidence: float = 0.95) -> dict[str, Any]:
    """Churn-rate difference ``group`` minus ``reference`` (e.g. detractors minus promoters)
    among observed answers: z test on two proportions (see :func:`.scores.compare`), and the
    difference in mean spend after feedback (Welch)."""
    data = frame[frame["observed"]]
    a = data.loc[data[by] == group, "churned"].astype(float)
    b = data.loc[data[by] == reference, "churned"].astype(float)
    churn = compare(a, b, "share", confidence=confidence)
    spend = compare(data.loc[data[by] == group, "spend_after"],
                    data.loc[data[by] == reference, "spend_after"], "mean", confidence=confidence)
    return {"group": group, "reference": reference, "n_group": len(a), "n_reference": len(b),
            "churn_group": churn["current"], "churn_reference": churn["previous"],
            "churn_difference": churn["change"], "churn_low": churn["low"], "churn_high": churn["high"],
            "churn_p_value": churn["p_value"], "churn_significant": churn["significant"],
            "spend_group": spend["current"], "spend_reference": spend["previous"],
            "spend_difference": spend["change"], "spend_p_value": spend["p_value"]}


def follow_up_list(frame: pd.DataFrame, *, customers: pd.DataFrame | None,
                   transactions: pd.DataFrame | None, events: pd.DataFrame | None,
                   as_of: pd.Timestamp, days: int = 90, min_days: int = 7, high_value_share: float = 0.2,
                   followup_events: Sequence[str] | None = None) -> pd.DataFrame:
    """Detractors and negative comments of high-value customers not yet followed up.

    Answers of the last ``days`` up to ``as_of`` that are at least ``min_days`` days old
    (``days_since >= min_days``: an answer of yesterday has had no time to be followed up,
    so "no purchase or contact since" would say nothing about it) from customers whose spend up to ``as_of``
    is in the top ``high_value_share``, that are detractors (NPS 0-6) or negative comments,
    and after which the customer neither bought nor had an event (of the types
    ``followup_events``; None = any event). Newest answer per customer. Columns:
    ``customer_id``, ``name``, ``phone``, ``email`` (masked), ``tier``, ``spend``,
    ``submitted_at``, ``nps``, ``sentiment_score``, ``categories``, ``comment``,
    ``days_since``; sorted by spend.
    """
    columns = ["customer_id", "name", "phone", "email", "tier", "spend", "submitted_at", "nps",
               "sentiment_score", "categories", "comment", "days_since"]
    end = day_after(as_of)
    if transactions is None or transactions.empty:
        return pd.DataFrame(columns=columns)
    tx = up_to(transactions, as_of)
    spend = tx.groupby("customer_id")["amount"].sum()
    threshold = spend.quantile(1 - high_value_share) if len(spend) else np.inf
    recent = frame[(frame["submitted_at"] >= end - pd.Timedelta(days=days))
                   & (frame["submitted_at"] < end - pd.Timedelta(days=max(min_days, 0)))]
    unhappy = (recent["nps"] < 7 if "nps" in recent else False) | (recent["sentiment"] == "negative")
    cand = recent[unhappy & recent["customer_id"].map(spend).ge(threshold).fillna(False)]
    cand = cand.sort_values("submitted_at").drop_duplicates("customer_id", keep="last")
    last_seen = tx.groupby("customer_id")["order_date"].max()
    if events is not None and not events.empty:
        ev = events[events["timestamp"] < end]
        if followup_events is not None:
            ev = ev[ev["event"].isin(list(followup_events))]
        last_seen = pd.concat([last_seen, ev.groupby("customer_id")["timestamp"].max()]).groupby(level=0).max()
    later = cand["customer_id"].map(last_seen) > cand["submitted_at"]
    cand = cand[~later.fillna(False).astype(bool)].copy()
    cand["spend"] = cand["customer_id"].map(spend).astype(float)
    cand["days_since"] = (end - pd.Timedelta(days=1) - cand["submitted_at"].dt.normalize()).dt.days
    if customers is not None:
        info = customers.drop_duplicates("customer_id").set_index("customer_id")
        for column in ("name", "phone", "email", "tier"):
            if column in info and column not in cand:
                cand[column] = cand["customer_id"].map(info[column])
    for column in columns:
        if column not in cand:
            cand[column] = None
    out = cand[columns].sort_values("spend", ascending=False).reset_index(drop=True)
    out["categories"] = out["categories"].map(lambda c: "; ".join(c) if isinstance(c, list) else c)
    return mask_frame(out)
