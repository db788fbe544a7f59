"""RFM scores and the two segment schemes (8-class and 11-segment), as codes.

Input is the per-customer summary of :func:`workbench.summary.customer_summary` (raw RFM
values: ``recency_days`` in days, ``frequency`` in orders, ``monetary`` in currency units).
Segment names and actions are the report layer's (:mod:`workbench.segmentation.workflow`).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["CN8_SEGMENTS", "EN11_GRID", "EN11_SEGMENTS", "rfm_scores", "score_quantiles",
           "segment_cn8", "segment_en11"]


def score_quantiles(values: pd.Series, bins: int = 5, *, higher_is_better: bool = True) -> pd.Series:
    """Scores 1..``bins`` by quantile of ``values``, correct under heavy ties.

    Each value gets the score of its mid-rank: ``score = floor(bins * (rank - 0.5) / n) + 1``
    with ``rank`` the average rank of the value's ties. Equal values always share a score
    (``pd.qcut`` on ranks would split them), and a value shared by 70% of customers lands on
    the score of its middle, leaving the other scores to the rest. With
    ``higher_is_better=False`` (recency in days) small values score high.
    """
    if bins < 2:
        raise ValueError(f"bins must be at least 2, got {bins}")
    if values.isna().any():
        raise ValueError(f"{values.name or 'values'} has {int(values.isna().sum())} missing values; "
                         "RFM scores need a value for every customer")
    ranks = values.rank(method="average", ascending=higher_is_better)
    n = len(values)
    scores = np.floor(bins * (ranks.to_numpy() - 0.5) / max(n, 1)).astype(int) + 1
    return pd.Series(np.clip(scores, 1, bins), index=values.index, name=values.name)


def rfm_scores(summary: pd.DataFrame, bins: int = 5) -> pd.DataFrame:
    """``customer_id``, raw R/F/M values and their 1..``bins`` scores (5 = best).

    R is scored on ``recency_days`` (fewer days since the last purchase = higher score), F on
    ``frequency`` (orders) and M on ``monetary`` (total spend).
    """
    missing = [c for c in ("customer_id", "recency_days", "frequency", "monetary") if c not in summary]
    if missing:
        raise ValueError(f"summary lacks column(s) {', '.join(missing)}; "
                         "build it with workbench.summary.customer_summary")
    out = summary[["customer_id", "recency_days", "frequency", "monetary"]].copy()
    out["r_score"] = score_quantiles(out["recency_days"], bins, higher_is_better=False)
    out["f_score"] = score_quantiles(out["frequency"], bins)
    out["m_score"] = score_quantiles(out["monetary"], bins)
    return out.reset_index(drop=True)


# ------------------------------------------------------------------------------ segments

#: The Chinese 8-class RFM scheme: (R high, F high, M high) -> segment key.
CN8_SEGMENTS: dict[tuple[bool, bool, bool], str] = {
    (True, True, True): "important_value",          # 重要价值客户
    (True, False, True): "important_development",   # 重要发展客户
    (False, True, True): "important_retention",     # 重要保持客户
    (False, False, True): "important_winback",      # 重要挽留客户
    (True, True, False): "general_value",           # 一般价值客户
    (True, False, False): "general_development",   # 一般发展客户
    (False, True, False): "general_retention",     # 一般保持客户
    (False, False, False): "general_winback",      # 一般挽留客户
}


def segment_cn8(rfm: pd.DataFrame, threshold: Literal["mean", "median"] = "mean") -> pd.Series:
    """The 8-class scheme: R, F and M each high or low against the base's mean (or median).

    On the raw values: R is high when the customer bought more recently than the threshold
    (``recency_days`` below it), F and M when ``frequency`` / ``monetary`` are above it.
    Returns segment keys (``important_value`` ...; names via ``t("seg.cn8.<key>")``).
    """
    if threshold not in ("mean", "median"):
        raise ValueError(f"threshold must be 'mean' or 'median', got {threshold!r}")
    cut = getattr(rfm[["recency_days", "frequency", "monetary"]], threshold)()
    r_high = rfm["recency_days"] < cut["recency_days"]
    f_high = rfm["frequency"] > cut["frequency"]
    m_high = rfm["monetary"] > cut["monetary"]
    code = r_high.astype(int) * 4 + f_high.astype(int) * 2 + m_high.astype(int)
    lookup = {r * 4 + f * 2 + m: key for (r, f, m), key in CN8_SEGMENTS.items()}
    return code.map(lookup).rename("segment_cn8")


EN11_SEGMENTS = ("champions", "loyal", "potential_loyalist", "new", "promising",
                 "need_attention", "about_to_sleep", "at_risk", "cant_lose", "hibernating", "lost")

#: en11 segment of every (R score, FM score) cell, rows R = 5..1, columns FM = 1..5, where
#: FM is the mean of the F and M scores rounded half up. Every cell has exactly one segment.
EN11_GRID: dict[int, tuple[str, str, str, str, str]] = {
    5: ("new", "potential_loyalist", "potential_loyalist", "champions", "champions"),
    4: ("promising", "potential_loyalist", "potential_loyalist", "loyal", "champions"),
    3: ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"),
    1: ("lost", "lost", "at_risk", "cant_lose", "cant_lose"),
}


def _rescale(scores: pd.Series, bins: int) -> np.ndarray:
    """Map scores 1..bins onto 1..5 so the 5x5 grid applies to any bin count."""
    if bins == 5:
        return scores.to_numpy()
    return np.clip(np.ceil(scores.to_numpy() * 5 / bins), 1, 5).astype(int)


def segment_en11(rfm: pd.DataFrame, bins: int = 5) -> pd.Series:
    """The 11-segment score scheme (Champions ... Lost) from R and FM scores (``EN11_GRID``)."""
    r = _rescale(rfm["r_score"], bins)
    fm = np.floor((_rescale(rfm["f_score"], bins) + _rescale(rfm["m_score"], bins)) / 2 + 0.5)
    fm = fm.astype(int)
    grid = np.empty((6, 6), dtype=object)
    for r_score, row in EN11_GRID.items():
        for fm_score, key in enumerate(row, start=1):
            grid[r_score, fm_score] = key
    return pd.Series(grid[r, fm], index=rfm.index, name="segment_en11")

