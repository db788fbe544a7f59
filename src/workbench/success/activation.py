"""Activation and onboarding (客户激活): time to the key event, activation by cohort,
early usage against later renewal.

An account *activates* when it first does the key event (a parameter: the event that means
it got value, e.g. ``report_created``) within ``activation_days`` (days) of its first start.
Accounts that started less than ``activation_days`` before ``as_of`` are not yet judged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.success import signals

__all__ = ["activation", "activation_by_cohort", "early_usage_vs_renewal"]


def activation(periods: pd.DataFrame, events: pd.DataFrame | None, key_event: str,
               as_of: pd.Timestamp, activation_days: int = 30) -> pd.DataFrame:
    """One row per account: ``customer_id``, ``first_start``, ``cohort`` (start quarter,
    e.g. ``2024Q3``), ``days_to_key_event`` (days from the first start to the first key
    event on or after it, up to ``as_of``; NaN: none yet), ``judged`` (started at least
    ``activation_days`` before ``as_of``) and ``activated`` (key event within
    ``activation_days``; NA while not judged)."""
    as_of = pd.Timestamp(as_of).normalize()
    first = signals.first_start(periods[periods["start_date"] <= as_of]).rename("first_start")
    out = first.reset_index()
    out["cohort"] = out["first_start"].dt.to_period("Q").astype(str)
    if events is not None and len(events):
        ev = events[(events["event"] == key_event)
                    & (events["timestamp"].dt.normalize() <= as_of)][["customer_id", "timestamp"]]
        ev = ev.merge(out[["customer_id", "first_start"]], on="customer_id")
        ev = ev[ev["timestamp"].dt.normalize() >= ev["first_start"]]
        firsts = ev.groupby("customer_id")["timestamp"].min().dt.normalize()
        out["days_to_key_event"] = ((out["customer_id"].map(firsts) - out["first_start"])
                                    / pd.Timedelta(days=1))
    else:
        out["days_to_key_event"] = np.nan
    out["judged"] = out["first_start"] <= as_of - pd.Timedelta(days=activation_days)
    done = out["days_to_key_event"] <= activation_days
    out["activated"] = pd.array(np.where(out["judged"], done, pd.NA), dtype="boolean")
    return out


def activation_by_cohort(act: pd.DataFrame) -> pd.DataFrame:
    """Activation rate by start quarter over the judged accounts: ``cohort``, ``accounts``,
    ``activated``, ``activation_rate`` (share) and ``median_days_to_key_event`` (days, over
    the accounts that did it)."""
    judged = act[act["judged"]]
    g = judged.groupby("cohort")
    out = pd.DataFrame({"accounts": g.size(), "activated": g["activated"].sum().astype(int),
                        "median_days_to_key_event": g["days_to_key_event"].median()})
    out["activation_rate"] = out["activated"] / out["accounts"]
    return out.reset_index()[["cohort", "accounts", "activated", "activation_rate",
                              "median_days_to_key_event"]]


def early_usage_vs_renewal(periods: pd.DataFrame,
                           events: pd.DataFrame | signals.EventIndex | None,
                           points: pd.DataFrame, *, windows: tuple[int, ...] = (30, 60, 90),
                           bins: int = 3) -> pd.DataFrame:
    """Usage in the first 30/60/90 days against the outcome of the first renewal.

    Usage is the number of events in the first ``window`` days (days) after the account's
    first start; accounts are cut into ``bins`` usage tiers (quantiles, ``low`` to ``high``)
    per window. Only accounts whose first renewal (from :func:`renewals.renewal_points`)
    comes after the window are counted, so the usage is known before the outcome.

    Returns ``window_days``, ``usage_tier``, ``accounts``, ``mean_events``, ``renewal_rate``.
    """
    first_renewal = points.sort_values("renewal_date").drop_duplicates("customer_id")
    first = signals.first_start(periods)
    base = first_renewal.assign(first_start=first_renewal["customer_id"].map(first))
    rows = []
    tiers = ("low", "mid", "high") if bins == 3 else tuple(f"q{i + 1}" for i in range(bins))
    ev = events if events is not None else pd.DataFrame(
        {"customer_id": [], "timestamp": pd.to_datetime([]), "event": []})
    for w in windows:
        known = base[base["renewal_date"] > base["first_start"] + pd.Timedelta(days=w)]
        if len(known) < bins:
            continue
        pairs = known.assign(date=known["first_start"] + pd.Timedelta(days=w - 1))
        count = signals.event_counts(pairs.reset_index(drop=True), ev, None, w)
        try:
            tier = pd.qcut(pd.Series(count).rank(method="first"), bins, labels=list(tiers))
        except ValueError:
            continue
        frame = pd.DataFrame({"tier": tier.astype(str), "count": count,
                              "renewed": known["renewed"].to_numpy()})
        for name in tiers:
            part = frame[frame["tier"] == name]
            rows.append({"window_days": w, "usage_tier": name, "accounts": len(part),
                         "mean_events": part["count"].mean(),
                         "renewal_rate": part["renewed"].mean()})
    return pd.DataFrame(rows, columns=["window_days", "usage_tier", "accounts", "mean_events",
                                       "renewal_rate"])
