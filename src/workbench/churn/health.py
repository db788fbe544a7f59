"""Customer health score (0-100), churn rate by health band, expected value of contacting."""

from __future__ import annotations

import numpy as np
import pandas as pd

DEFAULT_HEALTH_WEIGHTS = {"recency": 0.4, "trend": 0.25, "satisfaction": 0.2, "support": 0.15}


def health_score(features: pd.DataFrame, weights: dict[str, float] | None = None,
                 *, churn_days: float | None = None) -> pd.Series:
    """Customer health 0-100 (客户健康度) from recency, trend, satisfaction and support load.

    Components, each 0-100: recency = 100 x (1 - days since last purchase / ``churn_days``,
    floored at 0; default ``churn_days`` is the 95th percentile of recency); trend = 50 x
    (1 + order trend), the trend being (recent - earlier) / (recent + earlier) purchase days
    (-1, 0 points, for a customer with no purchase in either window);
    satisfaction = last NPS x 10 or (last CSAT - 1) x 25; support = 100 - 25 x support
    tickets in the window (floored at 0). Missing components are left out and the weights
    of the others renormalised per customer.
    """
    weights = {**DEFAULT_HEALTH_WEIGHTS, **(weights or {})}
    parts = pd.DataFrame(index=features.index)
    if "recency_days" in features:
        scale = churn_days or float(features["recency_days"].quantile(0.95)) or 1.0
        parts["recency"] = (100 * (1 - features["recency_days"] / scale)).clip(0, 100)
    if "order_trend" in features:
        # no purchase in either window: no momentum left, 0 points (not the neutral 50)
        parts["trend"] = 50 * (1 + features["order_trend"].fillna(-1))
    if "last_nps" in features or "last_csat" in features:
        nps = features["last_nps"] * 10 if "last_nps" in features else pd.Series(np.nan, index=features.index)
        csat = (features["last_csat"] - 1) * 25 if "last_csat" in features else np.nan
        parts["satisfaction"] = nps.fillna(csat)
    if "events:support_ticket" in features:
        parts["support"] = (100 - 25 * features["events:support_ticket"]).clip(0, 100)
    if parts.empty:
        return pd.Series(np.nan, index=features.index, name="health_score")
    w = pd.Series({k: weights.get(k, 0.0) for k in parts.columns})
    present = parts.notna()
    total = present.mul(w, axis=1).sum(axis=1).replace(0, np.nan)
    score = parts.fillna(0).mul(w, axis=1).sum(axis=1) / total
    return score.round(1).rename("health_score")


def health_bands(health: pd.Series, label: pd.Series, bands: int = 5) -> pd.DataFrame:
    """Churn rate per health band (equal-width 0-100 bands): ``low`` and ``high`` (the band's
    edges, points), ``customers`` and ``churn_rate`` (0-1)."""
    edges = np.linspace(0, 100, bands + 1)
    band = pd.cut(health, edges, include_lowest=True)
    frame = pd.DataFrame({"band": band, "label": label.to_numpy()})
    table = frame.groupby("band", observed=False)["label"].agg(["size", "mean"]).reset_index()
    table = table.drop(columns="band").assign(low=edges[:-1], high=edges[1:])
    return table.rename(columns={"size": "customers", "mean": "churn_rate"})[
        ["low", "high", "customers", "churn_rate"]]


def expected_value_ranking(churn_probability: np.ndarray, value: np.ndarray, *,
                           save_rate: float | np.ndarray = 0.2,
                           contact_cost: float = 10.0) -> pd.DataFrame:
    """Expected value of contacting each customer, best first, with the budget curve.

    EV = P(churn) x value at stake x save rate - contact cost (currency units). ``save_rate``
    is one constant (0-1) or one rate per customer (a measured uplift, which may be negative:
    contact hurts). Columns
    ``position`` (original row), ``expected_value``, and cumulative ``contacted``, ``cost``,
    ``revenue_saved`` (expected) and ``net``.
    """
    if np.isscalar(save_rate) and not 0 <= save_rate <= 1:
        raise ValueError(f"save_rate must be between 0 and 1, got {save_rate}")
    saved = np.asarray(churn_probability, float) * np.asarray(value, float) * np.asarray(save_rate, float)
    ev = saved - contact_cost
    order = np.argsort(-ev, kind="stable")
    frame = pd.DataFrame({"position": order, "expected_value": ev[order], "saved": saved[order]})
    frame["contacted"] = np.arange(1, len(frame) + 1)
    frame["cost"] = frame["contacted"] * contact_cost
    frame["revenue_saved"] = frame["saved"].cumsum()
    frame["net"] = frame["revenue_saved"] - frame["cost"]
    return frame.drop(columns="saved")
