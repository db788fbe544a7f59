"""Per-customer contract status from subscriptions: what the churn report needs.

In the contractual setting churn is read from the subscriptions (when the dataset has them)
instead of a dataset-specific flag, and the value at stake is the customer's ARR: no column
of one dataset (such as Telco's ``MonthlyCharges``) is named in generic code.
"""

from __future__ import annotations

import pandas as pd

from workbench.success import signals

__all__ = ["contract_status"]


def contract_status(periods: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per customer with a period starting on or before ``as_of``.

    Columns: ``customer_id``; ``first_start`` and ``last_end`` (dates; ``last_end`` blank
    while a period runs); ``mrr`` (currency units per month, running on ``as_of``) and
    ``arr`` (12 x mrr, currency units per year); ``last_arr`` (ARR of the last period
    running, the value at stake of a churned customer); ``churned`` (no period running on
    ``as_of``) and ``churned_at`` (the day after the last end, for churned customers);
    ``tenure_days`` (days from the first start to ``as_of`` or the churn); ``plan`` (of the
    latest period, when the table has plans).
    """
    as_of = pd.Timestamp(as_of).normalize()
    p = periods[periods["start_date"] <= as_of].copy()
    p.loc[p["end_date"] > as_of, "end_date"] = pd.NaT  # not known yet on as_of
    latest = p.sort_values(["customer_id", "start_date", "end_date"], na_position="last") \
        .groupby("customer_id").tail(1).set_index("customer_id")
    out = p.groupby("customer_id").agg(first_start=("start_date", "min")).reset_index()
    running = p.groupby("customer_id")["end_date"].apply(lambda e: e.isna().any())
    last_end = p.groupby("customer_id")["end_date"].max()
    out["last_end"] = out["customer_id"].map(last_end.where(~running))
    out["mrr"] = signals.mrr_on(out.assign(date=as_of), p)
    out["arr"] = 12 * out["mrr"]
    out["last_arr"] = 12 * out["customer_id"].map(latest["mrr"]).astype(float)
    out["churned"] = out["mrr"] <= 0
    out["churned_at"] = (out["last_end"] + pd.Timedelta(days=1)).where(out["churned"])
    end = out["churned_at"].fillna(as_of)
    out["tenure_days"] = (end - out["first_start"]).dt.days
    if "plan" in p:
        out["plan"] = out["customer_id"].map(latest["plan"]).astype("string")
    return out
