"""Customer attributes beside the segments: top customers of a segment, attribute cuts."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from workbench.charts import ordered_levels
from workbench.segmentation.rfm import CN8_SEGMENTS, EN11_SEGMENTS

__all__ = ["AGE_BANDS", "DEMOGRAPHIC_ATTRIBUTES", "attribute_cuts", "segment_profile",
           "with_attributes"]

DEMOGRAPHIC_ATTRIBUTES = ("age", "gender", "city", "region", "acquisition_channel")
AGE_BANDS = (0, 25, 35, 45, 55, 200)


def segment_profile(rfm: pd.DataFrame, customers: pd.DataFrame | None, segment: str,
                    column: str, top: int = 10) -> pd.DataFrame:
    """The ``top`` customers of one segment by spend, with their attributes (no PII columns)."""
    chosen = rfm[rfm[column] == segment].nlargest(top, "monetary")
    if customers is not None:
        keep = [c for c in ("customer_id", "tier", "city", "age", "gender", "acquisition_channel")
                if c in customers]
        chosen = chosen.merge(customers[keep], on="customer_id", how="left")
    return chosen



def with_attributes(customers: pd.DataFrame, attributes: pd.DataFrame | None) -> pd.DataFrame:
    """Per-customer segmentation joined with the non-personal customer attributes."""
    if attributes is None:
        return customers
    keep = ["customer_id", "tier", *DEMOGRAPHIC_ATTRIBUTES]
    return customers.merge(attributes[[c for c in keep if c in attributes]], on="customer_id",
                           how="left")



def attribute_cuts(table: pd.DataFrame, values: pd.Series, segment_column: str,
                   order: Sequence[str] | None = None) -> pd.DataFrame:
    """Customers, revenue (share, per customer) and segment mix per value of an attribute.

    ``table`` holds one row per customer with ``customer_id``, ``monetary`` and
    ``segment_column``; ``values`` is the attribute per row (already banded, e.g. ages).
    Rows follow ``order`` or a known ladder (:func:`workbench.charts.ordered_levels`),
    otherwise revenue per customer, highest first; customers without a value ("–") come
    last. Mix columns are the segment codes in scheme order; the index is the attribute value
    and ``attrs["ordinal"]`` says whether the rows have a natural order.
    """
    values = values.astype(object).where(values.notna(), "–").astype(str)
    frame = table.assign(_group=values.to_numpy())
    summary = frame.groupby("_group").agg(customers=("customer_id", "size"),
                                          revenue=("monetary", "sum"))
    summary["revenue_share"] = summary["revenue"] / summary["revenue"].sum()
    summary["revenue_per_customer"] = summary["revenue"] / summary["customers"]
    levels = ordered_levels(summary.index, order)
    ordinal = levels is not None
    if levels is None:
        known = summary.drop(index="–", errors="ignore")
        levels = list(known.sort_values("revenue_per_customer", ascending=False).index)
        levels += ["–"] if "–" in summary.index else []
    summary = summary.reindex(levels)
    mix = pd.crosstab(frame["_group"], frame[segment_column], normalize="index")
    keys = list(CN8_SEGMENTS.values()) if segment_column.endswith("cn8") else list(EN11_SEGMENTS)
    out = summary.join(mix[[k for k in keys if k in mix.columns]])
    out.attrs["ordinal"] = ordinal
    return out
