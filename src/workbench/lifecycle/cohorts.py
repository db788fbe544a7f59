"""Cohorts, repeat purchase, the funnel and the lifecycle metrics."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.lifecycle.stages import STAGES, PurchaseHistory, StageRules
from workbench.summary import up_to

__all__ = ["cohort_matrix", "funnel", "inter_purchase_gaps", "lifecycle_metrics",
           "time_to_second_purchase"]


def cohort_matrix(history: PurchaseHistory, as_of: pd.Timestamp, max_periods: int = 24
                  ) -> dict[str, pd.DataFrame]:
    """Acquisition-month cohorts x months since first purchase, up to ``as_of``.

    Returns ``size`` (customers per cohort), ``retention`` (share of the cohort buying in
    each month; month 0 is 100%) and ``revenue_per_customer`` (cumulative spend per cohort
    customer). Months not yet observed for a cohort are NaN.
    """
    from workbench.engine.aggregations import cohort_matrix_of

    return cohort_matrix_of(history.hist, as_of, max_periods)


def inter_purchase_gaps(history: PurchaseHistory, as_of: pd.Timestamp) -> pd.Series:
    """Every gap between consecutive purchase days (days), for the distribution chart."""
    return pd.Series(history.gaps(as_of), name="gap_days")


def time_to_second_purchase(history: PurchaseHistory, as_of: pd.Timestamp,
                            horizon_days: int = 365) -> pd.DataFrame:
    """Share of customers who made a second purchase within d days of their first.

    Kaplan-Meier estimate, so customers whose first purchase is recent (censored at
    ``as_of``) count only for the days they have been observed. Columns ``days``,
    ``share_repeated``.
    """
    h = history.hist
    day = (pd.Timestamp(as_of).normalize() - pd.Timestamp("1970-01-01")).days
    first = h.filter((h.n_days == 1) & (h.day <= day)).select("customer_id", first=h.day)
    second = h.filter((h.n_days == 2) & (h.day <= day)).select("customer_id", second=h.day)
    pair = first.left_join(second, "customer_id")
    table = pair.select(second_after=pair.second - pair.first,
                        observed=day - pair.first).to_pyarrow()
    frame = pd.DataFrame({"second_after": table["second_after"].to_numpy(zero_copy_only=False),
                          "observed": table["observed"].to_numpy(zero_copy_only=False)})
    event = frame["second_after"].notna().to_numpy()
    duration = np.where(event, frame["second_after"].fillna(0), frame["observed"]).astype(int)
    days = np.arange(0, horizon_days + 1)
    events_at = np.bincount(duration[event], minlength=horizon_days + 2)[: horizon_days + 1]
    leaving_at = np.bincount(duration, minlength=horizon_days + 2)[: horizon_days + 1]
    at_risk = len(duration) - np.concatenate([[0], np.cumsum(leaving_at)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(at_risk > 0, events_at / at_risk, 0.0)
    survival = np.cumprod(1 - hazard)
    return pd.DataFrame({"days": days, "share_repeated": 1 - survival})


def funnel(history: PurchaseHistory, transactions: pd.DataFrame, as_of: pd.Timestamp,
           events: pd.DataFrame | None = None) -> pd.DataFrame:
    """Acquired -> activated -> retained -> expanded (引入→激活→留存→扩展), with conversion.

    Acquired: registered customers and anyone seen in events or transactions by ``as_of``;
    activated: made a first purchase; retained: bought on at least two days; expanded:
    bought from at least two categories (or, without categories, on three or more days).
    """
    day = (pd.Timestamp(as_of).normalize() - pd.Timestamp("1970-01-01")).days
    people = history.people
    known = people.filter(people.since <= day).customer_id.to_pyarrow()
    acquired = set(known.to_pylist())
    if events is not None and len(events):
        seen = up_to(events[["customer_id", "timestamp"]], as_of, column="timestamp")
        acquired |= set(seen["customer_id"].astype(str).unique())
    # Purchase days per customer are the history's rows (one per customer and day).
    h = history.hist
    h = h.filter(h.day <= day)
    days = h.group_by("customer_id").aggregate(n=h.count()).to_pyarrow()
    day_ids = days["customer_id"].to_numpy(zero_copy_only=False).astype(str)
    n_days = days["n"].to_numpy()
    activated = set(day_ids)
    retained = set(day_ids[n_days >= 2])
    if "category" in transactions:
        tx = up_to(transactions[["customer_id", "order_date", "category"]], as_of)
        customer, ids = pd.factorize(tx["customer_id"].astype(str))
        category, names = pd.factorize(tx["category"])
        known = (customer >= 0) & (category >= 0)
        pairs = np.sort(customer[known].astype(np.int64) * len(names) + category[known])
        pairs = pairs[np.concatenate([[True], pairs[1:] != pairs[:-1]])] if len(pairs) else pairs
        breadth = np.bincount(pairs // max(len(names), 1), minlength=len(ids))
        expanded = set(np.asarray(ids)[breadth >= 2]) & retained
    else:
        expanded = set(day_ids[n_days >= 3])
    steps = ["acquired", "activated", "retained", "expanded"]
    counts = [len(acquired | activated), len(activated), len(retained), len(expanded)]
    frame = pd.DataFrame({"step": steps, "customers": counts})
    frame["conversion"] = frame["customers"] / frame["customers"].shift(1)
    frame["share_of_acquired"] = frame["customers"] / frame["customers"].iloc[0]
    return frame


def lifecycle_metrics(stages: pd.DataFrame, rules: StageRules,
                      cohorts: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """Headline figures for ``metrics.json`` (key ``lifecycle``)."""
    retention = cohorts["retention"]
    size = cohorts["size"]

    def average(period: int) -> float | None:
        if retention.empty or period not in retention:
            return None
        observed = retention[period].notna()
        if not observed.any():
            return None
        return float(np.average(retention.loc[observed, period], weights=size[observed]))

    buyers = stages[stages["stage"] != "prospect"]
    counts = stages["stage"].value_counts()
    return {
        "customers_per_stage": {s: int(counts.get(s, 0)) for s in STAGES},
        "thresholds_days": rules.as_dict(),
        "cohort_retention_month_1": average(1),
        "cohort_retention_month_3": average(3),
        "repeat_purchase_rate": float((buyers["n_days"] >= 2).mean()) if len(buyers) else None,
    }

