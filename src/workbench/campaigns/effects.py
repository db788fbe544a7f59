"""Measured effects of campaigns: each arm against its control group.

Conversion is compared with the two-proportion normal approximation (z test with the pooled
proportion, Wald interval with the unpooled standard error; e.g. Agresti 2013, *Categorical
Data Analysis*, 3rd ed., sec. 3.1.2-3.1.3); revenue per customer with Welch's t test and
interval (Welch 1947, *Biometrika* 34:28-35; Satterthwaite degrees of freedom). When a campaign
has several treated arms, their p-values are adjusted with Holm's step-down method (Holm 1979,
*Scand. J. Statist.* 6:65-70), named in the ``adjustment`` column. A campaign without a control
arm is described (reach, conversion, revenue) with the reason code ``no_control`` and no effect.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from workbench.campaigns.data import CONTROL

__all__ = ["CONVERSION_METHOD", "REVENUE_METHOD", "arm_effects", "holm", "two_proportion",
           "uplift_by_group", "welch"]

CONVERSION_METHOD = "two_proportion_z"
REVENUE_METHOD = "welch_t"
#: Fewest customers in an arm (and in its control group) for an effect to be estimated.
MIN_CUSTOMERS = 2


def two_proportion(x1: float, n1: float, x0: float, n0: float, alpha: float = 0.05) -> dict[str, float]:
    """Difference of two proportions ``x1/n1 - x0/n0`` with its interval and z test.

    Returns ``diff``, ``se`` (unpooled), ``low`` / ``high`` (the ``1 - alpha`` Wald interval,
    ``diff ± z * se``), ``z`` (pooled standard error under H0: equal proportions) and the
    two-sided ``p``. Proportions are fractions (0.023 is 2.3 percentage points).
    """
    p1, p0 = x1 / n1, x0 / n0
    diff = p1 - p0
    se = float(np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0))
    pooled = (x1 + x0) / (n1 + n0)
    se0 = float(np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0)))
    z = diff / se0 if se0 > 0 else 0.0
    p = float(2 * stats.norm.sf(abs(z))) if se0 > 0 else 1.0
    crit = float(stats.norm.ppf(1 - alpha / 2))
    return {"diff": diff, "se": se, "low": diff - crit * se, "high": diff + crit * se,
            "z": z, "p": p}


def welch(a: np.ndarray, b: np.ndarray, alpha: float = 0.05) -> dict[str, float]:
    """Difference of means ``mean(a) - mean(b)`` with Welch's t interval and test.

    Returns ``diff``, ``se``, ``df`` (Welch-Satterthwaite), ``low`` / ``high`` (``1 - alpha``
    interval), ``t`` and the two-sided ``p``. Units are those of the data (currency units).
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    n1, n0 = len(a), len(b)
    v1, v0 = a.var(ddof=1) / n1, b.var(ddof=1) / n0
    diff = float(a.mean() - b.mean())
    se = float(np.sqrt(v1 + v0))
    if se == 0:
        return {"diff": diff, "se": 0.0, "df": float(n1 + n0 - 2), "low": diff, "high": diff,
                "t": 0.0, "p": 1.0}
    df = float((v1 + v0) ** 2 / (v1 ** 2 / (n1 - 1) + v0 ** 2 / (n0 - 1)))
    t_stat = diff / se
    crit = float(stats.t.ppf(1 - alpha / 2, df))
    return {"diff": diff, "se": se, "df": df, "low": diff - crit * se, "high": diff + crit * se,
            "t": t_stat, "p": float(2 * stats.t.sf(abs(t_stat), df))}


def holm(pvalues: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error rate; NaN stays NaN)."""
    p = np.asarray(pvalues, float)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = len(ok)
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out[order] = adjusted
    return out


_EFFECT_COLUMNS = ["campaign_id", "arm", "customers", "converters", "conversion",
                   "revenue_per_customer", "control_customers", "control_conversion",
                   "control_revenue_per_customer", "uplift", "uplift_low", "uplift_high",
                   "z", "p_value", "p_adjusted", "revenue_uplift", "revenue_uplift_low",
                   "revenue_uplift_high", "welch_t", "welch_df", "revenue_p_value",
                   "revenue_p_adjusted", "incremental_conversions", "incremental_revenue",
                   "cost", "roi", "adjustment", "method", "reason"]


def arm_effects(outcomes: pd.DataFrame, *, alpha: float = 0.05,
                cost_per_contact: float | None = None) -> pd.DataFrame:
    """One row per campaign and arm: reach, conversion, revenue and the effect against control.

    Parameters
    ----------
    outcomes
        :func:`~workbench.campaigns.data.campaign_outcomes`: one row per contact with
        ``converted`` (0/1) and ``revenue``; ``cost`` per contact when known.
    alpha
        1 - the interval's level (0.05: 95% intervals).
    cost_per_contact
        Cost of one contact (currency units) for rows without a ``cost``; None: unknown.

    Returns
    -------
    DataFrame
        Columns ``campaign_id, arm, customers, converters, conversion`` (fraction),
        ``revenue_per_customer``; the control group's ``control_*``; ``uplift`` (difference in
        conversion rate, fraction) with ``uplift_low/high``, ``z``, ``p_value`` and
        ``p_adjusted``; ``revenue_uplift`` (per customer) with its Welch interval, ``welch_t``,
        ``welch_df``, ``revenue_p_value``, ``revenue_p_adjusted``; ``incremental_conversions``
        and ``incremental_revenue`` (uplift x customers of the arm); ``cost`` (total of the
        arm) and ``roi`` = (incremental revenue - cost) / cost; ``adjustment`` (``holm`` when
        the campaign has several treated arms, else ``none``); ``method``; ``reason`` (empty
        when measured; ``control`` for the control row; ``no_control``; ``too_small``).
    """
    rows = []
    for campaign, group in outcomes.groupby("campaign_id", sort=True):
        control = group[group["arm"] == CONTROL]
        n0 = len(control)
        arms = [a for a in sorted(group["arm"].unique()) if a != CONTROL]
        campaign_rows = []
        for arm in arms + ([CONTROL] if n0 else []):
            part = group[group["arm"] == arm]
            n1 = len(part)
            row = {"campaign_id": campaign, "arm": arm, "customers": n1,
                   "converters": int(part["converted"].sum()),
                   "conversion": float(part["converted"].mean()),
                   "revenue_per_customer": float(part["revenue"].mean()),
                   "control_customers": n0,
                   "control_conversion": float(control["converted"].mean()) if n0 else np.nan,
                   "control_revenue_per_customer": float(control["revenue"].mean()) if n0 else np.nan}
            cost = part["cost"].fillna(cost_per_contact if cost_per_contact is not None else np.nan) \
                if "cost" in part else pd.Series(cost_per_contact if cost_per_contact is not None
                                                  else np.nan, index=part.index, dtype=float)
            row["cost"] = float(cost.sum()) if cost.notna().all() and arm != CONTROL else np.nan
            if arm == CONTROL:
                row["reason"] = "control"
            elif not n0:
                row["reason"] = "no_control"
            elif n1 < MIN_CUSTOMERS or n0 < MIN_CUSTOMERS:
                row["reason"] = "too_small"
            else:
                conv = two_proportion(row["converters"], n1, control["converted"].sum(), n0, alpha)
                rev = welch(part["revenue"].to_numpy(), control["revenue"].to_numpy(), alpha)
                row.update(uplift=conv["diff"], uplift_low=conv["low"], uplift_high=conv["high"],
                           z=conv["z"], p_value=conv["p"], revenue_uplift=rev["diff"],
                           revenue_uplift_low=rev["low"], revenue_uplift_high=rev["high"],
                           welch_t=rev["t"], welch_df=rev["df"], revenue_p_value=rev["p"],
                           incremental_conversions=conv["diff"] * n1,
                           incremental_revenue=rev["diff"] * n1,
                           method=f"{CONVERSION_METHOD}; {REVENUE_METHOD}", reason="")
                if row["cost"] > 0:
                    row["roi"] = (row["incremental_revenue"] - row["cost"]) / row["cost"]
            campaign_rows.append(row)
        frame = pd.DataFrame(campaign_rows)
        measured = frame.get("reason", pd.Series(dtype=str)) == ""
        several = int(measured.sum()) > 1
        for column, adjusted in (("p_value", "p_adjusted"), ("revenue_p_value", "revenue_p_adjusted")):
            if column in frame:
                frame[adjusted] = holm(frame[column].to_numpy(float)) if several else frame[column]
        frame["adjustment"] = np.where(measured, "holm" if several else "none", "")
        rows.append(frame)
    if not rows:
        return pd.DataFrame(columns=_EFFECT_COLUMNS)
    out = pd.concat(rows, ignore_index=True).reindex(columns=_EFFECT_COLUMNS)
    out["method"] = out["method"].fillna("")
    return out


def uplift_by_group(outcomes: pd.DataFrame, column: str, *, alpha: float = 0.05,
                    min_customers: int = 20) -> pd.DataFrame:
    """Uplift in conversion of each treated arm against control, within each value of ``column``.

    ``outcomes`` carries ``column`` (a segment, stage, value tier or channel code) beside
    ``converted``; customers without a value are left out. The interval is the two-proportion
    Wald interval at level ``1 - alpha`` within the group; groups with fewer than
    ``min_customers`` in the arm or the control group get no interval (reason ``too_small``).

    Returns ``campaign_id, arm, group, value, customers, control_customers, conversion,
    control_conversion, uplift, uplift_low, uplift_high, p_value, revenue_uplift, reason``.
    """
    rows = []
    known = outcomes[outcomes[column].notna()] if column in outcomes else outcomes.iloc[:0]
    groups = known.groupby(["campaign_id", column], sort=True) if len(known) else []
    for (campaign, value), group in groups:
        control = group[group["arm"] == CONTROL]
        for arm in sorted(a for a in group["arm"].unique() if a != CONTROL):
            part = group[group["arm"] == arm]
            row = {"campaign_id": campaign, "arm": arm, "group": column, "value": str(value),
                   "customers": len(part), "control_customers": len(control),
                   "conversion": float(part["converted"].mean()),
                   "control_conversion": float(control["converted"].mean()) if len(control) else np.nan,
                   "reason": ""}
            if len(part) < min_customers or len(control) < min_customers:
                row["reason"] = "too_small"
            else:
                conv = two_proportion(part["converted"].sum(), len(part),
                                      control["converted"].sum(), len(control), alpha)
                row.update(uplift=conv["diff"], uplift_low=conv["low"], uplift_high=conv["high"],
                           p_value=conv["p"],
                           revenue_uplift=float(part["revenue"].mean() - control["revenue"].mean()))
            rows.append(row)
    columns = ["campaign_id", "arm", "group", "value", "customers", "control_customers",
               "conversion", "control_conversion", "uplift", "uplift_low", "uplift_high",
               "p_value", "revenue_uplift", "reason"]
    return pd.DataFrame(rows).reindex(columns=columns)
