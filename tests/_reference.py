"""Independent pandas references for the engine's aggregations.

The package computes the daily purchases and the customer summary once, as Ibis expressions
(:mod:`workbench.engine.aggregations`), on every backend. These are the same definitions
written again with pandas group-bys, so that a test of the DuckDB path has something other
than the code under test to agree with. Only the final float arithmetic
(:func:`workbench.summary.summary_frame`, a few divisions) is shared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from workbench.summary import MONEY_SCALE, day_after, summary_frame

_EPOCH = pd.Timestamp("1970-01-01")


def money_units(amount: pd.Series) -> np.ndarray:
    """Each line's amount in units of 1/MONEY_SCALE, rounded half away from zero."""
    scaled = amount.to_numpy(dtype=np.float64) * MONEY_SCALE
    return (np.sign(scaled) * np.floor(np.abs(scaled) + 0.5)).astype(np.int64)


def daily_purchases(tx: pd.DataFrame, as_of: str | pd.Timestamp | None = None,
                    orders: str | None = None) -> pd.DataFrame:
    """One row per customer and calendar day: ``customer_id``, ``day`` (days since
    1970-01-01), ``amount`` (money units) and, with ``orders``, the day's distinct non-null
    ``order_id`` values (``"order_id"``) or lines (``"lines"``); sorted by customer and day."""
    if as_of is not None:
        tx = tx[tx["order_date"] < day_after(as_of)]
    lines = pd.DataFrame({
        "customer_id": tx["customer_id"].astype(str).to_numpy(),
        "day": ((tx["order_date"].dt.normalize() - _EPOCH).dt.days).to_numpy(np.int64),
        "amount": money_units(tx["amount"])})
    if orders == "order_id":
        lines["order_id"] = tx["order_id"].to_numpy()
    groups = lines.groupby(["customer_id", "day"], sort=True)
    frame = groups["amount"].sum().to_frame()
    if orders == "order_id":
        frame["orders"] = groups["order_id"].nunique()
    elif orders == "lines":
        frame["orders"] = groups.size()
    frame = frame.reset_index()
    return frame.astype({c: "int64" for c in frame.columns if c != "customer_id"})


def customer_summary(tx: pd.DataFrame, as_of: str | pd.Timestamp | None = None,
                     unit: str = "W", *, holdout_end: str | pd.Timestamp | None = None,
                     count_orders: bool = True) -> pd.DataFrame:
    """The customer summary of :func:`workbench.summary.customer_summary`, by pandas."""
    as_of_day = (tx["order_date"].max() if as_of is None else pd.Timestamp(as_of)).normalize()
    holdout_day = pd.Timestamp(holdout_end).normalize() if holdout_end is not None else None
    has_order_id = "order_id" in tx.columns
    orders = "order_id" if count_orders and has_order_id else None if has_order_id else "lines"
    daily = daily_purchases(tx, holdout_day or as_of_day, orders)
    as_of_n = (as_of_day - _EPOCH).days
    cal = daily[daily["day"] <= as_of_n].sort_values(["customer_id", "day"])
    groups = cal.groupby("customer_id", sort=True)
    columns = {
        "first_day": groups["day"].min(), "last_day": groups["day"].max(),
        "n_orders": groups["orders"].sum() if orders else groups.size(),
        "n_purchase_days": groups.size(), "revenue": groups["amount"].sum(),
        "first_value": groups["amount"].first()}
    if holdout_day is not None:
        later = daily[daily["day"] > as_of_n].groupby("customer_id")
        index = columns["first_day"].index
        columns["x_holdout"] = later.size().reindex(index, fill_value=0)
        columns["holdout_revenue"] = later["amount"].sum().reindex(index, fill_value=0)
    stats = pd.DataFrame(columns)
    table = pa.table({"customer_id": pa.array(stats.index.to_numpy(dtype=object), pa.string()),
                      **{c: pa.array(stats[c].to_numpy(np.int64)) for c in stats.columns}})
    result = summary_frame(table, as_of_day, unit, holdout_day)
    result.attrs.update(as_of=str(as_of_day.date()), unit=unit,
                        orders_counted=orders == "order_id")
    return result


def _month(days: pd.Series | np.ndarray) -> np.ndarray:
    """Months since January 1970 of day numbers."""
    dates = pd.to_datetime(np.asarray(days, dtype=np.int64), unit="D")
    return ((dates.year - 1970) * 12 + dates.month - 1).to_numpy(np.int64)


def cohort_counts(tx: pd.DataFrame, as_of: str | pd.Timestamp,
                  max_periods: int = 24) -> pd.DataFrame:
    """Customers buying and spend (currency units) per acquisition-month cohort and calendar
    month since it, as :func:`workbench.engine.aggregations.cohort_counts` defines them."""
    daily = daily_purchases(tx, as_of)
    first = daily.groupby("customer_id")["day"].transform("min")
    frame = pd.DataFrame({"customer_id": daily["customer_id"], "amount": daily["amount"],
                          "cohort": _month(first), "period": _month(daily["day"]) - _month(first)})
    frame = frame[frame["period"] <= max_periods]
    groups = frame.groupby(["cohort", "period"], sort=True)
    counts = pd.DataFrame({"customers": groups["customer_id"].nunique(),
                           "revenue": groups["amount"].sum()}).reset_index()
    return pd.DataFrame({
        "cohort": pd.PeriodIndex.from_ordinals(counts["cohort"].to_numpy(np.int64), freq="M"),
        "period": counts["period"].to_numpy(np.int64),
        "customers": counts["customers"].to_numpy(np.int64),
        "revenue": counts["revenue"].to_numpy(np.int64) / MONEY_SCALE})


def stage_snapshots(tx: pd.DataFrame, dates, rules, customers: pd.DataFrame | None = None
                    ) -> pd.DataFrame:
    """Each known customer's lifecycle stage at each of ``dates``, written from the rules of
    :mod:`workbench.lifecycle` one snapshot at a time: ``snapshot`` (day number),
    ``customer_id``, ``stage``, ``spend`` (money units so far)."""
    daily = daily_purchases(tx)
    since = daily.groupby("customer_id")["day"].min()
    if customers is not None:
        signup = (customers["signup_date"] if "signup_date" in customers
                  else pd.Series(pd.NaT, index=customers.index))
        registered = pd.Series(
            np.where(signup.isna(), (pd.Timestamp("1900-01-01") - _EPOCH).days,
                     (signup.dt.normalize() - _EPOCH).dt.days.fillna(0).to_numpy(np.int64)),
            index=customers["customer_id"].astype(str).to_numpy())
        registered = registered.groupby(level=0).min()
        since = pd.concat([since, registered]).groupby(level=0).min()
    frames = []
    for date in dates:
        s = (pd.Timestamp(date).normalize() - _EPOCH).days
        known = since[since <= s].index
        cut = daily[daily["day"] <= s]
        g = cut.groupby("customer_id")
        last, first, n, spend = g["day"].max(), g["day"].min(), g.size(), g["amount"].sum()
        ends = cut.assign(gap=cut["day"] - g["day"].shift(1)).groupby("customer_id").tail(1)
        m = pd.DataFrame({"last": last, "first": first, "n": n, "spend": spend,
                          "gap": ends.set_index("customer_id")["gap"]}).reindex(known)
        since_last = s - m["last"]
        own = (rules.own_gap_factor * (m["last"] - m["first"])) / (m["n"] - 1)
        threshold = np.where(m["n"] - 1 >= rules.own_gap_min_gaps,
                             np.maximum(7, np.minimum(rules.churn_days, own)),
                             float(rules.at_risk_days))
        active = m["last"].notna() & (since_last <= threshold)
        top = (np.quantile(m.loc[active, "spend"].to_numpy(np.float64),
                           1 - rules.loyal_top_share) if active.any() else np.nan)
        stage = np.select(
            [m["last"].isna().to_numpy(), (since_last > rules.churn_days).to_numpy(),
             (since_last > threshold).to_numpy(), ((s - m["first"]) < rules.new_days).to_numpy(),
             (m["gap"] > rules.churn_days).to_numpy(),
             ((m["n"] >= rules.loyal_min_purchases) | (m["spend"] > top)).to_numpy()],
            ["prospect", "churned", "at_risk", "new", "reactivated", "loyal"], "active")
        frames.append(pd.DataFrame({"snapshot": s, "customer_id": known.to_numpy(),
                                    "stage": stage, "spend": m["spend"].to_numpy()}))
    return pd.concat(frames, ignore_index=True)


def stage_counts(tx: pd.DataFrame, dates, rules, customers: pd.DataFrame | None = None
                 ) -> pd.DataFrame:
    """Customers per stage at each date (``snapshot``, ``stage``, ``customers``)."""
    snaps = stage_snapshots(tx, dates, rules, customers)
    counts = snaps.groupby(["snapshot", "stage"], sort=True).size().rename("customers")
    counts = counts.reset_index()
    counts["snapshot"] = _EPOCH + pd.to_timedelta(counts["snapshot"], unit="D")
    return counts


def purchase_features(tx: pd.DataFrame, cutoff: str | pd.Timestamp,
                      window_days: int = 90) -> pd.DataFrame:
    """The churn model's purchase features at ``cutoff`` (days and currency units), one row
    per customer who bought by then, sorted by ``customer_id``."""
    daily = daily_purchases(tx, cutoff)
    c = (pd.Timestamp(cutoff).normalize() - _EPOCH).days
    recent = daily["day"] > c - window_days
    before = (daily["day"] > c - 2 * window_days) & ~recent
    g = daily.groupby("customer_id", sort=True)
    days = g.size()
    spend = g["amount"].sum() / MONEY_SCALE
    frame = pd.DataFrame({
        "recency_days": c - g["day"].max(), "purchase_days": days, "spend": spend,
        "spend_per_day_bought": spend / days, "tenure_days": c - g["day"].min(),
        "days_recent": recent.groupby(daily["customer_id"]).sum(),
        "days_before": before.groupby(daily["customer_id"]).sum(),
        "spend_recent": daily["amount"].where(recent, 0).groupby(daily["customer_id"]).sum()
        / MONEY_SCALE,
        "spend_before": daily["amount"].where(before, 0).groupby(daily["customer_id"]).sum()
        / MONEY_SCALE})
    for kind, now, then in (("order", "days_recent", "days_before"),
                            ("spend", "spend_recent", "spend_before")):
        total = (frame[now] + frame[then]).replace(0, np.nan)
        frame[f"{kind}_trend"] = (frame[now] - frame[then]) / total
    return frame.rename_axis("customer_id").reset_index()


def transition_counts(tx: pd.DataFrame, start, end, rules,
                      customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Customers known at ``end`` by (stage at ``start`` or ``newcomer``, stage at ``end``),
    with their spend in (start, end] (currency units), one row per pair, sorted."""
    snaps = stage_snapshots(tx, [start, end], rules, customers)
    s0, s1 = ((pd.Timestamp(d).normalize() - _EPOCH).days for d in (start, end))
    before = snaps[snaps["snapshot"] == s0].set_index("customer_id")["stage"]
    after = snaps[snaps["snapshot"] == s1].set_index("customer_id")["stage"]
    daily = daily_purchases(tx)
    later = daily[(daily["day"] > s0) & (daily["day"] <= s1)]
    spend = later.groupby("customer_id")["amount"].sum()
    frame = pd.DataFrame({"before": before.reindex(after.index).fillna("newcomer"),
                          "after": after, "revenue": spend.reindex(after.index).fillna(0)})
    out = frame.groupby(["before", "after"], sort=True).agg(
        customers=("after", "size"), revenue=("revenue", "sum")).reset_index()
    out["revenue"] = out["revenue"].to_numpy(np.int64) / MONEY_SCALE
    return out
