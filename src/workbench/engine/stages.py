"""Lifecycle stages at month ends, and the transitions between two dates, as Ibis expressions.

The rules are :class:`workbench.lifecycle.stages.StageRules` and the stage of a customer on a
snapshot date is the one of :meth:`workbench.lifecycle.stages.PurchaseHistory.snapshot_sql`:
prospect (known, never bought), churned (no purchase for more than ``churn_days``), at risk
(no purchase for longer than the customer's own threshold), new (first purchase less than
``new_days`` ago), reactivated (last purchase after a gap of more than ``churn_days``), loyal
(at least ``loyal_min_purchases`` purchase days, or spend to date in the top
``loyal_top_share`` of the active customers), else active. All days are whole calendar days.

Only counts come back: customers per snapshot and stage (snapshots x 7 rows), or the
transition matrix between two dates (stages x stages).
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import numpy as np
import pandas as pd

from workbench.engine.aggregations import MONEY_SCALE, Money, _int, daily_purchases, day_number
from workbench.lifecycle.stages import STAGES, StageRules
from workbench.summary import _EPOCH, day_index

__all__ = ["counts_of", "known_since", "purchase_history", "snapshots_of", "stage_counts",
           "stage_snapshots", "transition_counts", "transitions_of"]


def purchase_history(tx: ibis.Table, *, money: Money = "integer") -> ibis.Table:
    """One row per customer and purchase day with running totals.

    ``day`` (days since 1970-01-01), ``amount`` (that day's spend, money units of
    1/MONEY_SCALE), ``n_days`` (purchase days so far), ``first_day``, ``spend`` (spend so far,
    money units), ``gap_before`` (days since the previous purchase day) and ``next_day`` (the
    next purchase day, NULL for the last): a row holds for the snapshots in [day, next_day).
    """
    daily = daily_purchases(tx, money=money)
    w = ibis.window(group_by="customer_id", order_by="day")
    running = ibis.cumulative_window(group_by="customer_id", order_by="day")
    return daily.select(
        "customer_id", "day", "amount",
        n_days=(ibis.row_number().over(w) + 1).cast("int64"),
        first_day=daily.day.min().over(running),
        spend=daily.amount.sum().over(running).cast("int64"),
        gap_before=daily.day - daily.day.lag().over(w),
        next_day=daily.day.lead().over(w))


def known_since(history: ibis.Table, customers: ibis.Table | None = None) -> ibis.Table:
    """One row per customer known to the business: ``since`` (day number), the first purchase
    day or, with ``customers`` (canonical, with an optional ``signup_date``), the registration
    day if earlier (a registered customer without a date is known from 1900-01-01)."""
    firsts = history.filter(history.n_days == 1).select("customer_id",
                                                        since=history.day.cast("int64"))
    if customers is not None:
        signup = (day_number(customers.signup_date).cast("int64")
                  if "signup_date" in customers.columns else ibis.null("int64"))
        registered = customers.select(customer_id=customers.customer_id.cast("string"),
                                      since=signup.fill_null(day_index("1900-01-01")))
        firsts = firsts.union(registered)
    return firsts.group_by("customer_id").aggregate(since=firsts.since.min())


def stage_snapshots(tx: ibis.Table, dates: Sequence[pd.Timestamp | str], rules: StageRules,
                    customers: ibis.Table | None = None, *, money: Money = "integer"
                    ) -> ibis.Table:
    """Per customer known at each of ``dates``: ``snapshot`` (day number), ``stage`` and the
    values behind it (``last_day``, ``first_day``, ``n_days``, ``spend`` in money units,
    ``gap_before``, ``days_since_last``, ``risk_threshold`` and ``typical_gap_days`` in days).

    A customer is known from the first purchase or, with ``customers`` (canonical, with an
    optional ``signup_date``), from registration (any registered customer without a date is
    known from the start).
    """
    history = purchase_history(tx, money=money)
    return snapshots_of(history, known_since(history, customers), dates, rules)


def snapshots_of(history: ibis.Table, people: ibis.Table, dates: Sequence[pd.Timestamp | str],
                 rules: StageRules) -> ibis.Table:
    """:func:`stage_snapshots` from a :func:`purchase_history` and its :func:`known_since`
    (kept by :class:`workbench.lifecycle.stages.PurchaseHistory` for many snapshots)."""
    r = rules
    hist = history
    snaps = ibis.memtable({"snapshot": np.array([day_index(d) for d in dates], dtype=np.int64)})
    grid = people.cross_join(snaps)
    grid = grid.filter(grid.since <= grid.snapshot).select("customer_id", "snapshot")
    joined = grid.left_join(
        hist, [grid.customer_id == hist.customer_id, hist.day <= grid.snapshot,
               hist.next_day.isnull() | (hist.next_day > grid.snapshot)])
    m = joined.select(customer_id=grid.customer_id, snapshot=grid.snapshot,
                      last_day=hist.day, first_day=hist.first_day, n_days=hist.n_days,
                      spend=hist.spend, gap_before=hist.gap_before)
    own_gap = (r.own_gap_factor * (m.last_day - m.first_day)) / (m.n_days - 1)
    m = m.mutate(
        days_since_last=m.snapshot - m.last_day,
        risk_threshold=ibis.ifelse(m.n_days - 1 >= r.own_gap_min_gaps,
                                   ibis.greatest(7, ibis.least(r.churn_days, own_gap)),
                                   ibis.literal(float(r.at_risk_days))),
        typical_gap_days=ibis.ifelse(m.n_days - 1 >= 1,
                                     (m.last_day - m.first_day) / (m.n_days - 1),
                                     ibis.null("float64")))
    active = m.filter(m.last_day.notnull() & (m.days_since_last <= m.risk_threshold))
    top = active.group_by("snapshot").aggregate(
        top_spend=active.spend.quantile(1 - r.loyal_top_share))
    s = m.left_join(top, "snapshot")
    stage = ibis.cases(
        (s.last_day.isnull(), "prospect"),
        (s.days_since_last > r.churn_days, "churned"),
        (s.days_since_last > s.risk_threshold, "at_risk"),
        (s.snapshot - s.first_day < r.new_days, "new"),
        (s.gap_before > r.churn_days, "reactivated"),
        ((s.n_days >= r.loyal_min_purchases) | (s.spend > s.top_spend), "loyal"),
        else_="active")
    return s.select(*[c for c in m.columns], stage=stage)


def stage_counts(tx: ibis.Table, dates: Sequence[pd.Timestamp | str], rules: StageRules,
                 customers: ibis.Table | None = None, *, money: Money = "integer"
                 ) -> pd.DataFrame:
    """Customers per stage at each date: ``snapshot`` (Timestamp), ``stage``, ``customers``,
    sorted by snapshot and stage (as :meth:`PurchaseHistory.stage_counts`)."""
    return counts_of(stage_snapshots(tx, dates, rules, customers, money=money))


def counts_of(snaps: ibis.Table) -> pd.DataFrame:
    """:func:`stage_counts` from the snapshots of :func:`snapshots_of`."""
    counts = snaps.group_by(["snapshot", "stage"]).aggregate(
        customers=snaps.count().cast("int64")).to_pyarrow()
    frame = pd.DataFrame({
        "snapshot": _EPOCH + pd.to_timedelta(_int(counts, "snapshot"), unit="D"),
        "stage": pd.array(counts["stage"].to_pylist(), dtype="str"),
        "customers": _int(counts, "customers")})
    frame["snapshot"] = frame["snapshot"].astype("datetime64[us]")  # as DuckDB returns dates
    return frame.sort_values(["snapshot", "stage"], ignore_index=True)


def transition_counts(tx: ibis.Table, start: pd.Timestamp, end: pd.Timestamp,
                      rules: StageRules, customers: ibis.Table | None = None, *,
                      money: Money = "integer") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stage at ``start`` (rows, ``newcomer`` for customers not yet known) vs stage at ``end``
    (columns): customers, and their spend in (start, end] in currency units (as
    :func:`workbench.lifecycle.stages.transition_matrix`)."""
    history = purchase_history(tx, money=money)
    return transitions_of(history, known_since(history, customers), start, end, rules)


def transitions_of(history: ibis.Table, people: ibis.Table, start: pd.Timestamp,
                   end: pd.Timestamp, rules: StageRules) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`transition_counts` from a :func:`purchase_history` and its :func:`known_since`."""
    if end <= start:
        raise ValueError(f"end {end.date()} must be after start {start.date()}")
    snaps = snapshots_of(history, people, [start, end], rules)
    a = snaps.filter(snaps.snapshot == day_index(end)).select("customer_id", after=snaps.stage)
    b = snaps.filter(snaps.snapshot == day_index(start)).select("customer_id", before=snaps.stage)
    later = history.filter((history.day > day_index(start)) & (history.day <= day_index(end)))
    spend = later.group_by("customer_id").aggregate(revenue=later.amount.sum().cast("int64"))
    ab = a.left_join(b, "customer_id").select(a.customer_id, a.after, before=b.before)
    abs_ = ab.left_join(spend, "customer_id").select(ab.before, ab.after, revenue=spend.revenue)
    frame = abs_.group_by([abs_.before.fill_null("newcomer").name("before"), "after"]).aggregate(
        customers=abs_.count().cast("int64"),
        revenue=abs_.revenue.fill_null(0).sum().cast("int64")).to_pyarrow().to_pandas()
    frame["revenue"] = frame["revenue"].to_numpy().astype(np.float64) / MONEY_SCALE
    rows = [st for st in STAGES if st in set(frame["before"])]
    rows += ["newcomer"] if (frame["before"] == "newcomer").any() else []
    cols = [st for st in STAGES if st in set(frame["after"])]
    counts = frame.pivot_table(index="before", columns="after", values="customers",
                               aggfunc="sum", fill_value=0).reindex(index=rows, columns=cols,
                                                                    fill_value=0)
    revenue = frame.pivot_table(index="before", columns="after", values="revenue",
                                aggfunc="sum", fill_value=0.0).reindex(index=rows, columns=cols,
                                                                       fill_value=0.0)
    return counts.astype(int), revenue.astype(float)
