"""Per-customer purchase-mix features shared by segmentation and churn."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["purchase_mix"]


def purchase_mix(transactions: pd.DataFrame, *, max_categories: int = 8) -> pd.DataFrame:
    """Spend shares per channel and per category, channel count and discount share.

    One row per customer in ``transactions`` (index ``customer_id``). Columns, where the
    source columns exist: ``n_channels``; ``channel:<name>`` (share of the customer's spend);
    ``category:<name>`` for the ``max_categories`` categories with the most spend overall;
    ``discount_share`` = discount / (amount + discount). Shares are 0 for customers without
    spend in them, NaN never appears.
    """
    spend = transactions.groupby("customer_id")["amount"].sum()
    out = pd.DataFrame(index=spend.index)
    safe_spend = spend.replace(0, np.nan)
    if "channel" in transactions:
        by_channel = transactions.pivot_table(index="customer_id", columns="channel", values="amount",
                                              aggfunc="sum", fill_value=0.0)
        out["n_channels"] = (by_channel > 0).sum(axis=1)
        for channel in by_channel.columns:
            out[f"channel:{channel}"] = by_channel[channel] / safe_spend.reindex(by_channel.index)
    if "category" in transactions:
        top = transactions.groupby("category")["amount"].sum().nlargest(max_categories).index
        chosen = transactions[transactions["category"].isin(top)]
        by_category = chosen.pivot_table(index="customer_id", columns="category", values="amount",
                                         aggfunc="sum", fill_value=0.0)
        for category in by_category.columns:
            out[f"category:{category}"] = by_category[category] / safe_spend.reindex(by_category.index)
    if "discount" in transactions:
        discount = transactions.groupby("customer_id")["discount"].sum()
        out["discount_share"] = discount / (spend + discount).replace(0, np.nan)
    return out.fillna(0.0)
