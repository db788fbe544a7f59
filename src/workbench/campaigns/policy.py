"""Whom to contact next: value-weighted uplift ranking, the budget curve, the do-not-contact list,
and the holdout of the next campaign.

* :func:`rank_by_value` orders customers by expected incremental value
  ``uplift x value - cost`` (currency units; uplift a fraction, value what one conversion is
  worth);
* :func:`budget_curve` adds contacts one by one in that order;
* :func:`do_not_contact` keeps the "sleeping dogs": customers whose predicted uplift is negative
  and whose interval lies wholly below zero;
* :func:`holdout_size` is the two-proportion sample size (Fleiss, Levin & Paik 2003,
  *Statistical Methods for Rates and Proportions*, 3rd ed., eq. 4.14, without continuity
  correction), for equal arms or, given the audience, the smallest control group that reaches
  the power;
* :func:`assign_control` draws the control group at random within each segment (seeded).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["HoldoutPlan", "assign_control", "budget_curve", "do_not_contact", "holdout_size",
           "power_two_proportions", "rank_by_value"]


def rank_by_value(customer_id, uplift, value, cost: float | np.ndarray = 0.0) -> pd.DataFrame:
    """Customers by expected incremental value of a contact, best first.

    ``expected_value = uplift x value - cost`` (currency units). Returns ``customer_id,
    uplift, value, cost, expected_value`` sorted descending (ties by customer id).
    """
    frame = pd.DataFrame({"customer_id": pd.Series(customer_id, dtype="string").to_numpy(),
                          "uplift": np.asarray(uplift, float), "value": np.asarray(value, float)})
    frame["cost"] = np.broadcast_to(np.asarray(cost, float), len(frame))
    frame["expected_value"] = frame["uplift"] * frame["value"].fillna(0.0) - frame["cost"]
    return frame.sort_values(["expected_value", "customer_id"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)


def budget_curve(ranked: pd.DataFrame) -> pd.DataFrame:
    """Contacts against cumulative incremental value, cost and net value, in ranking order.

    ``ranked`` is :func:`rank_by_value`. Returns ``contacts, incremental_value, cost, net``
    from 0 contacts; the best budget is where ``net`` peaks.
    """
    gross = (ranked["uplift"] * ranked["value"].fillna(0.0)).cumsum().to_numpy()
    cost = ranked["cost"].cumsum().to_numpy()
    return pd.DataFrame({"contacts": np.arange(len(ranked) + 1),
                         "incremental_value": np.r_[0.0, gross], "cost": np.r_[0.0, cost],
                         "net": np.r_[0.0, gross - cost]})


def do_not_contact(scores: pd.DataFrame) -> pd.DataFrame:
    """Customers a contact is expected to hurt: ``uplift < 0`` and ``uplift_high < 0``.

    ``scores`` holds ``customer_id, campaign_id, arm, uplift, uplift_low, uplift_high``;
    returns those rows, most harmed first.
    """
    hurt = scores[(scores["uplift"] < 0) & (scores["uplift_high"] < 0)]
    return hurt.sort_values(["uplift", "customer_id"], kind="stable").reset_index(drop=True)


def power_two_proportions(baseline: float, mde: float, n_treated: float, n_control: float,
                          alpha: float = 0.05) -> float:
    """Power of the two-sided two-proportion z test to detect ``baseline + mde`` against ``baseline``.

    Normal approximation with the pooled variance under H0 and the unpooled one under H1
    (Fleiss et al. 2003, sec. 4.2). Proportions are fractions.
    """
    p0, p1 = baseline, baseline + mde
    pbar = (n_treated * p1 + n_control * p0) / (n_treated + n_control)
    z = stats.norm.ppf(1 - alpha / 2)
    null_sd = np.sqrt(pbar * (1 - pbar) * (1 / n_treated + 1 / n_control))
    alt_sd = np.sqrt(p1 * (1 - p1) / n_treated + p0 * (1 - p0) / n_control)
    return float(stats.norm.cdf((abs(mde) - z * null_sd) / alt_sd))


@dataclass(frozen=True)
class HoldoutPlan:
    """Size of the next campaign's arms.

    ``control`` and ``treated`` are customer counts, ``power`` the power they reach,
    ``achievable`` whether the requested power is reached within the audience, ``per_arm`` the
    equal-arms textbook size.
    """

    baseline: float
    mde: float
    alpha: float
    target_power: float
    per_arm: int
    control: int
    treated: int
    power: float
    achievable: bool


def holdout_size(baseline: float, mde: float, *, power: float = 0.8, alpha: float = 0.05,
                 audience: int | None = None) -> HoldoutPlan:
    """Customers needed to detect an uplift of ``mde`` over ``baseline`` conversion.

    Parameters
    ----------
    baseline
        Conversion of the control group (fraction), e.g. from the last campaign.
    mde
        Minimum detectable effect: the absolute difference in conversion (fraction; 0.02 is
        2 percentage points).
    power, alpha
        Power and two-sided significance level.
    audience
        Customers available. None: equal arms of ``per_arm`` each. Given: the smallest control
        group such that the rest of the audience as treated reaches ``power``; when even an
        even split does not, half the audience (``achievable`` False).

    Notes
    -----
    ``per_arm = (z_{1-a/2} sqrt(2 pbar qbar) + z_{1-b} sqrt(p0 q0 + p1 q1))^2 / mde^2`` with
    ``pbar`` the mean of ``p0`` and ``p1 = p0 + mde`` (Fleiss et al. 2003, eq. 4.14).
    """
    if not 0 < baseline < 1 or not 0 < baseline + mde < 1 or mde == 0:
        raise ValueError(f"baseline and baseline + mde must lie in (0, 1) and mde be non-zero; "
                         f"got baseline={baseline}, mde={mde}")
    p0, p1 = baseline, baseline + mde
    pbar = (p0 + p1) / 2
    za, zb = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
    n = (za * np.sqrt(2 * pbar * (1 - pbar)) + zb * np.sqrt(p0 * (1 - p0) + p1 * (1 - p1))) ** 2 / mde ** 2
    per_arm = int(np.ceil(n - 1e-9))
    if audience is None:
        return HoldoutPlan(baseline, mde, alpha, power, per_arm, per_arm, per_arm,
                           power_two_proportions(baseline, mde, per_arm, per_arm, alpha), True)
    audience = int(audience)
    half = audience // 2
    if half < 1 or power_two_proportions(baseline, mde, audience - half, half, alpha) < power:
        reached = power_two_proportions(baseline, mde, audience - half, half, alpha) if half else 0.0
        return HoldoutPlan(baseline, mde, alpha, power, per_arm, half, audience - half, reached, False)
    low, high = 1, half  # power rises with the control group up to an even split
    while low < high:
        mid = (low + high) // 2
        if power_two_proportions(baseline, mde, audience - mid, mid, alpha) >= power:
            high = mid
        else:
            low = mid + 1
    return HoldoutPlan(baseline, mde, alpha, power, per_arm, low, audience - low,
                       power_two_proportions(baseline, mde, audience - low, low, alpha), True)


def assign_control(audience: pd.DataFrame, n_control: int, *, segment: str = "segment",
                   seed: int = 0, treatment: str = "treatment") -> pd.DataFrame:
    """A seeded random control group of ``n_control`` customers, stratified by ``segment``.

    Each segment gives the control group its share of ``n_control`` (largest remainders, so the
    total is exact); within a segment the customers are drawn at random with
    ``numpy.random.default_rng(seed)``. The draw does not depend on the input's row order.
    Returns ``customer_id, arm`` (``control`` or ``treatment``) sorted by customer id.
    """
    frame = audience[["customer_id"]].astype("string").copy()
    frame["segment"] = (audience[segment].astype("string").fillna("unknown").to_numpy()
                        if segment in audience else "all")
    frame = frame.drop_duplicates("customer_id").sort_values("customer_id", kind="stable")
    total = len(frame)
    n_control = int(min(max(n_control, 0), total))
    sizes = frame.groupby("segment", sort=True).size()
    exact = sizes * (n_control / total) if total else sizes * 0.0
    quota = np.floor(exact).astype(int)
    left = n_control - int(quota.sum())
    if left > 0:
        remainder = (exact - quota).sort_values(ascending=False, kind="stable")
        quota[remainder.index[:left]] += 1
    rng = np.random.default_rng(seed)
    arm = pd.Series(treatment, index=frame.index, dtype="string")
    for name in sizes.index:
        members = frame.index[frame["segment"] == name]
        chosen = rng.permutation(len(members))[:quota[name]]
        arm.loc[members[chosen]] = "control"
    return pd.DataFrame({"customer_id": frame["customer_id"].to_numpy(),
                         "arm": arm.to_numpy()}).reset_index(drop=True)
