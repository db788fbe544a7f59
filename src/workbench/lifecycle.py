"""Customer lifecycle (客户生命周期): stages, transitions, cohorts and repeat behaviour.

Stages at a date ``as_of`` (inclusive), for every customer known by then:

- ``prospect`` (潜在): registered (customers table, ``signup_date`` on or before as_of, or
  no signup date) but no purchase yet;
- ``churned`` (流失): days since the last purchase beyond ``churn_days``;
- ``at_risk`` (沉睡/预警): days since the last purchase beyond the customer's at-risk
  threshold: ``at_risk_days`` (the base's typical inter-purchase gap), or, for customers with
  at least ``own_gap_min_gaps`` gaps of their own, ``own_gap_factor`` x their mean gap (kept
  between 7 days and ``churn_days``);
- ``new`` (新客): first purchase within the last ``new_days``;
- ``reactivated`` (回流): the gap before the last purchase was beyond ``churn_days`` (they had
  churned) and they are active again;
- ``loyal`` (忠诚): active with at least ``loyal_min_purchases`` purchase days, or among the
  top ``loyal_top_share`` of active customers by spend to date;
- ``active`` (活跃): everyone else who bought recently enough.

The first matching rule wins, in the order churned, at risk, new, reactivated, loyal, active.
"Beyond" is strict: a last purchase exactly ``at_risk_days`` ago is not yet at risk. Days
since the last purchase are calendar days between the purchase date and ``as_of``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import duckdb
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from workbench.charts import annotate_heatmap, axes_for
from workbench.i18n import fmt_money, fmt_money_short, fmt_number, money_columns, t
from workbench.results import RESULTS
from workbench.style import PALETTE, format_count_axis, format_money_axis

__all__ = [
    "EXPORT_LABELS",
    "STAGES",
    "PurchaseHistory",
    "StageRules",
    "cohort_matrix",
    "cohort_text_values",
    "derive_rules",
    "early_warning",
    "explore_widget",
    "export_frame",
    "funnel",
    "headline",
    "inter_purchase_gaps",
    "lifecycle_metrics",
    "monthly_snapshots",
    "plot_cohort_heatmap",
    "plot_cumulative_revenue",
    "plot_funnel",
    "plot_stage_area",
    "plot_time_to_second",
    "plot_transition_heatmap",
    "rule_sentences",
    "rules_from_parameters",
    "stage_table",
    "stages_result",
    "time_to_second_purchase",
    "transition_matrix",
    "transition_summary",
    "warning_table",
    "warning_values",
]

STAGES = ("prospect", "new", "active", "loyal", "reactivated", "at_risk", "churned")
_DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class StageRules:
    """Stage thresholds, in days (see the module docstring for the rules)."""

    new_days: int
    at_risk_days: int
    churn_days: int
    loyal_min_purchases: int
    loyal_top_share: float = 0.2
    own_gap_min_gaps: int = 3
    own_gap_factor: float = 1.5

    def __post_init__(self) -> None:
        if not 0 < self.at_risk_days < self.churn_days:
            raise ValueError(f"need 0 < at_risk_days < churn_days, got {self.at_risk_days} "
                             f"and {self.churn_days}")
        if self.new_days <= 0 or self.loyal_min_purchases < 2:
            raise ValueError("new_days must be positive and loyal_min_purchases at least 2")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class PurchaseHistory:
    """Purchase days of every customer with running totals, held in DuckDB for fast queries.

    One row per customer and purchase day: ``day``, ``amount`` (that day's spend),
    ``n_days`` (purchase days so far), ``first_day``, ``spend`` (spend so far) and
    ``gap_before`` (days since the previous purchase day). Snapshots at any set of dates are
    an ASOF join against this table, so monthly stages over years cost one pass.
    """

    def __init__(self, transactions: pd.DataFrame, customers: pd.DataFrame | None = None):
        self.transactions = transactions
        self.customers = customers
        self._con: duckdb.DuckDBPyConnection | None = None

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self._con = self._build()
        return self._con

    def _build(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(config={"preserve_insertion_order": False})
        con.register("tx", self.transactions[["customer_id", "order_date", "amount"]])
        con.execute("""
            CREATE TABLE hist AS
            WITH daily AS (
                SELECT CAST(customer_id AS VARCHAR) AS customer_id,
                       CAST(order_date AS DATE) AS day,
                       -- exact DECIMAL sums: float sums vary with DuckDB's thread split
                       sum(CAST(amount AS DECIMAL(18, 4))) AS amount
                FROM tx GROUP BY ALL
            )
            SELECT customer_id, day, amount,
                   row_number() OVER w AS n_days,
                   first_value(day) OVER w AS first_day,
                   sum(amount) OVER w AS spend,
                   day - lag(day) OVER w AS gap_before
            FROM daily
            WINDOW w AS (PARTITION BY customer_id ORDER BY day
                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        """)
        registered = pd.DataFrame({"customer_id": pd.Series([], dtype=str),
                                   "signup_date": pd.Series([], dtype="datetime64[ns]")})
        if self.customers is not None:
            signup = (self.customers["signup_date"] if "signup_date" in self.customers
                      else pd.Series(pd.NaT, index=self.customers.index))
            registered = pd.DataFrame({"customer_id": self.customers["customer_id"].astype(str),
                                       "signup_date": signup.astype("datetime64[ns]")})
        con.register("registered_frame", registered)
        con.execute("""
            CREATE TABLE people AS
            SELECT customer_id, min(since) AS since FROM (
                SELECT customer_id, first_day AS since FROM hist WHERE n_days = 1
                UNION ALL
                SELECT customer_id, coalesce(CAST(signup_date AS DATE), DATE '1900-01-01')
                FROM registered_frame
            ) GROUP BY customer_id
        """)
        return con

    def gaps(self, as_of: pd.Timestamp) -> np.ndarray:
        """All inter-purchase gaps (days) of purchases on or before ``as_of``."""
        rows = self.con.execute(
            "SELECT gap_before FROM hist WHERE gap_before IS NOT NULL AND day <= ?",
            [as_of.date()]).fetchnumpy()
        return rows["gap_before"].astype(float)

    def snapshot_sql(self, dates: Sequence[pd.Timestamp], rules: StageRules) -> str:
        """SQL of the per-customer stage table at each date (customers known by then)."""
        values = ", ".join(f"(DATE '{pd.Timestamp(d).date()}')" for d in dates)
        r = rules
        return f"""
        WITH snaps(snapshot) AS (VALUES {values}),
        grid AS (
            SELECT p.customer_id, s.snapshot FROM people p, snaps s WHERE p.since <= s.snapshot
        ),
        joined AS (
            SELECT g.customer_id, g.snapshot, h.day AS last_day, h.first_day, h.n_days,
                   h.spend, h.gap_before
            FROM grid g ASOF LEFT JOIN hist h
              ON g.customer_id = h.customer_id AND h.day <= g.snapshot
        ),
        measured AS (
            SELECT *,
                   date_diff('day', last_day, snapshot) AS days_since_last,
                   CASE WHEN n_days - 1 >= {r.own_gap_min_gaps}
                        THEN greatest(7, least({r.churn_days},
                             {r.own_gap_factor} * date_diff('day', first_day, last_day) / (n_days - 1)))
                        ELSE {r.at_risk_days} END AS risk_threshold,
                   CASE WHEN n_days - 1 >= 1
                        THEN date_diff('day', first_day, last_day) / (n_days - 1) END AS typical_gap_days
            FROM joined
        ),
        active_spend AS (
            SELECT snapshot, quantile_cont(spend, {1 - r.loyal_top_share}) AS top_spend
            FROM measured WHERE last_day IS NOT NULL AND days_since_last <= risk_threshold
            GROUP BY snapshot
        )
        SELECT m.*,
               CASE
                 WHEN m.last_day IS NULL THEN 'prospect'
                 WHEN m.days_since_last > {r.churn_days} THEN 'churned'
                 WHEN m.days_since_last > m.risk_threshold THEN 'at_risk'
                 WHEN date_diff('day', m.first_day, m.snapshot) < {r.new_days} THEN 'new'
                 WHEN m.gap_before > {r.churn_days} THEN 'reactivated'
                 WHEN m.n_days >= {r.loyal_min_purchases} OR m.spend > a.top_spend THEN 'loyal'
                 ELSE 'active'
               END AS stage
        FROM measured m LEFT JOIN active_spend a USING (snapshot)
        """

    def stages(self, as_of: pd.Timestamp, rules: StageRules) -> pd.DataFrame:
        """One row per customer known on ``as_of``: stage and the values behind it."""
        frame = self.con.execute(self.snapshot_sql([as_of], rules) + " ORDER BY customer_id").df()
        frame["customer_id"] = frame["customer_id"].astype(str)
        return frame

    def stage_counts(self, dates: Sequence[pd.Timestamp], rules: StageRules) -> pd.DataFrame:
        """Customers per stage at each date (long: snapshot, stage, customers)."""
        query = f"""SELECT snapshot, stage, count(*) AS customers
                    FROM ({self.snapshot_sql(dates, rules)}) GROUP BY ALL ORDER BY ALL"""
        frame = self.con.execute(query).df()
        frame["snapshot"] = pd.to_datetime(frame["snapshot"])
        return frame

    def revenue_between(self, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
        """Spend per customer on days in (start, end]."""
        frame = self.con.execute(
            "SELECT customer_id, sum(amount) AS revenue FROM hist WHERE day > ? AND day <= ? "
            "GROUP BY customer_id", [start.date(), end.date()]).df()
        return frame.set_index(frame["customer_id"].astype(str))["revenue"]


def _percentile_days(values: np.ndarray, q: float, default: int) -> int:
    return math.ceil(np.percentile(values, q)) if len(values) else default


def derive_rules(history: PurchaseHistory, as_of: pd.Timestamp, **overrides: Any) -> StageRules:
    """Thresholds from the data, each overridable.

    ``at_risk_days`` is the 75th percentile of all inter-purchase gaps up to ``as_of`` (three
    in four repeat purchases come sooner); ``churn_days`` the 95th percentile, at least twice
    ``at_risk_days``; ``new_days`` equals ``at_risk_days`` (a first purchase within one typical
    gap); ``loyal_min_purchases`` is the 75th percentile of purchase days among repeat buyers,
    at least 3. Without any repeat purchase the defaults are 90 / 180 / 90 days and 3.
    """
    gaps = history.gaps(as_of)
    at_risk = max(1, _percentile_days(gaps, 75, 90))
    churn = max(2 * at_risk, _percentile_days(gaps, 95, 180))
    counts = history.con.execute(
        "SELECT max(n_days) AS n FROM hist WHERE day <= ? GROUP BY customer_id HAVING max(n_days) > 1",
        [as_of.date()]).fetchnumpy()["n"]
    loyal = max(3, _percentile_days(counts.astype(float), 75, 3))
    rules = StageRules(new_days=at_risk, at_risk_days=at_risk, churn_days=churn,
                       loyal_min_purchases=loyal)
    return replace(rules, **overrides) if overrides else rules


def monthly_snapshots(as_of: pd.Timestamp, months: int = 36, start: pd.Timestamp | None = None
                      ) -> list[pd.Timestamp]:
    """Month ends going back ``months`` from ``as_of`` (the last one is ``as_of`` itself)."""
    ends = pd.date_range(end=as_of, periods=months + 1, freq="ME")
    dates = [d for d in ends if d < as_of.normalize()] + [as_of.normalize()]
    if start is not None:
        dates = [d for d in dates if d >= start]
    return dates[-months:]


def transition_matrix(history: PurchaseHistory, start: pd.Timestamp, end: pd.Timestamp,
                      rules: StageRules) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stage at ``start`` (rows) vs stage at ``end`` (columns): customers and revenue.

    Customers unknown at ``start`` (neither registered nor buying yet) appear in an explicit
    ``newcomer`` row, so the counts add up to the customers at ``start`` plus newcomers.
    Revenue is each customer's spend in (start, end]. Computed inside DuckDB: only the
    small matrix comes back.
    """
    if end <= start:
        raise ValueError(f"end {end.date()} must be after start {start.date()}")
    frame = history.con.execute(f"""
        WITH s AS ({history.snapshot_sql([start, end], rules)}),
        spend AS (SELECT customer_id, sum(amount) AS revenue FROM hist
                  WHERE day > DATE '{start.date()}' AND day <= DATE '{end.date()}' GROUP BY 1)
        SELECT coalesce(b.stage, 'newcomer') AS before, a.stage AS after,
               count(*) AS customers, sum(coalesce(spend.revenue, 0)) AS revenue
        FROM (SELECT customer_id, stage FROM s WHERE snapshot = DATE '{end.date()}') a
        LEFT JOIN (SELECT customer_id, stage FROM s WHERE snapshot = DATE '{start.date()}') b
          USING (customer_id)
        LEFT JOIN spend USING (customer_id)
        GROUP BY ALL
    """).df()
    rows = [s for s in STAGES if s in set(frame["before"])]
    rows += ["newcomer"] if (frame["before"] == "newcomer").any() else []
    cols = [s for s in STAGES if s in set(frame["after"])]
    counts = frame.pivot_table(index="before", columns="after", values="customers", aggfunc="sum",
                               fill_value=0).reindex(index=rows, columns=cols, fill_value=0)
    revenue = frame.pivot_table(index="before", columns="after", values="revenue", aggfunc="sum",
                                fill_value=0.0).reindex(index=rows, columns=cols, fill_value=0.0)
    return counts.astype(int), revenue.astype(float)


#: Recommended action per stage, shown in the early-warning list (catalogue keys).
STAGE_ACTIONS = {stage: f"life.action.{stage}" for stage in STAGES}


def early_warning(history: PurchaseHistory, previous: pd.Timestamp, current: pd.Timestamp,
                  rules: StageRules, lang: str = "en") -> pd.DataFrame:
    """Customers who moved into at risk or churned since ``previous``, most valuable first."""
    before = history.stages(previous, rules).set_index("customer_id")
    now = history.stages(current, rules).set_index("customer_id")
    now["previous_stage"] = before["stage"].reindex(now.index).fillna("newcomer")
    moved = now[now["stage"].isin(["at_risk", "churned"]) & (now["stage"] != now["previous_stage"])]
    out = moved.reset_index()[["customer_id", "previous_stage", "stage", "days_since_last",
                               "typical_gap_days", "spend"]]
    out["action"] = [t(STAGE_ACTIONS[s], lang) for s in out["stage"]]
    return out.sort_values("spend", ascending=False).reset_index(drop=True)


# ------------------------------------------------------------------------------ cohorts


def cohort_matrix(history: PurchaseHistory, as_of: pd.Timestamp, max_periods: int = 24
                  ) -> dict[str, pd.DataFrame]:
    """Acquisition-month cohorts x months since first purchase, up to ``as_of``.

    Returns ``size`` (customers per cohort), ``retention`` (share of the cohort buying in
    each month; month 0 is 100%) and ``revenue_per_customer`` (cumulative spend per cohort
    customer). Months not yet observed for a cohort are NaN.
    """
    frame = history.con.execute(f"""
        WITH firsts AS (SELECT customer_id, first_day FROM hist WHERE n_days = 1 AND day <= ?),
        act AS (
            SELECT date_trunc('month', f.first_day) AS cohort,
                   date_diff('month', date_trunc('month', f.first_day), date_trunc('month', h.day)) AS period,
                   h.customer_id, h.amount
            FROM hist h JOIN firsts f USING (customer_id) WHERE h.day <= ?
        )
        SELECT cohort, period, count(DISTINCT customer_id) AS customers, sum(amount) AS revenue
        FROM act WHERE period <= {int(max_periods)} GROUP BY ALL
    """, [as_of.date(), as_of.date()]).df()
    if frame.empty:
        empty = pd.DataFrame()
        return {"size": pd.Series(dtype=int), "retention": empty, "revenue_per_customer": empty}
    frame["cohort"] = pd.to_datetime(frame["cohort"]).dt.to_period("M")
    customers = frame.pivot_table(index="cohort", columns="period", values="customers", fill_value=0)
    revenue = frame.pivot_table(index="cohort", columns="period", values="revenue", fill_value=0.0)
    periods = range(max_periods + 1)
    customers = customers.reindex(columns=periods, fill_value=0)
    revenue = revenue.reindex(columns=periods, fill_value=0.0)
    size = customers[0]
    observed = np.array([[(as_of.to_period("M") - c).n >= p for p in periods] for c in customers.index])
    retention = (customers.div(size, axis=0)).where(observed)
    per_customer = revenue.cumsum(axis=1).div(size, axis=0).where(observed)
    return {"size": size, "retention": retention, "revenue_per_customer": per_customer}


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
    frame = history.con.execute("""
        SELECT f.customer_id, date_diff('day', f.day, s.day) AS second_after,
               date_diff('day', f.day, ?) AS observed
        FROM (SELECT customer_id, day FROM hist WHERE n_days = 1 AND day <= ?) f
        LEFT JOIN (SELECT customer_id, day FROM hist WHERE n_days = 2 AND day <= ?) s
          USING (customer_id)
    """, [as_of.date(), as_of.date(), as_of.date()]).df()
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
    tx = transactions[transactions["order_date"] < as_of + _DAY]
    acquired = set(history.con.execute("SELECT customer_id FROM people WHERE since <= ?",
                                       [as_of.date()]).fetchnumpy()["customer_id"].astype(str))
    if events is not None and len(events):
        acquired |= set(events.loc[events["timestamp"] < as_of + _DAY, "customer_id"].astype(str))
    days = tx.assign(day=tx["order_date"].dt.normalize()).groupby("customer_id")["day"].nunique()
    activated = set(days.index.astype(str))
    retained = set(days[days >= 2].index.astype(str))
    if "category" in tx:
        breadth = tx.groupby("customer_id")["category"].nunique()
        expanded = set(breadth[breadth >= 2].index.astype(str)) & retained
    else:
        expanded = set(days[days >= 3].index.astype(str))
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


# ------------------------------------------------------------------------------ plots

STAGE_COLORS = dict(zip(STAGES, ("#999999", "#56B4E9", "#009E73", "#0072B2", "#CC79A7",
                                 "#E69F00", "#D55E00")))


def plot_stage_area(counts: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Stacked area of customers per stage over the snapshots (from ``stage_counts``)."""
    fig, ax = axes_for(ax, (9, 4.5))
    wide = counts.pivot_table(index="snapshot", columns="stage", values="customers", fill_value=0)
    order = [s for s in STAGES if s in wide.columns]
    ax.stackplot(wide.index, *[wide[s] for s in order], colors=[STAGE_COLORS[s] for s in order],
                 labels=[t(f"life.stage.{s}", lang) for s in order], alpha=0.9)
    format_count_axis(ax.yaxis, lang)
    ax.set(ylabel=t("word.customers", lang), title=t("life.area_title", lang))
    ax.legend(loc="upper left", fontsize=8, ncols=2)
    return fig


def plot_transition_heatmap(matrix: pd.DataFrame, *, title_key: str, lang: str = "en",
                            money: bool = False, ax: Axes | None = None) -> Figure:
    """Heatmap of a transition matrix (counts or revenue) with the values written in."""
    fig, ax = axes_for(ax, (7.5, 5.5))
    values = matrix.to_numpy(dtype=float)
    image = ax.imshow(values, cmap="Blues", aspect="auto")
    annotate_heatmap(ax, image, values,
                     (lambda v: fmt_money_short(v, lang)) if money else (lambda v: fmt_number(v, lang)),
                     fontsize=7)
    names = {s: t(f"life.stage.{s}", lang) for s in (*STAGES, "newcomer")}
    ax.set(xticks=range(matrix.shape[1]), xticklabels=[names[s] for s in matrix.columns],
           yticks=range(matrix.shape[0]), yticklabels=[names[s] for s in matrix.index],
           xlabel=t("life.to_stage", lang), ylabel=t("life.from_stage", lang),
           title=t(title_key, lang))
    ax.tick_params(axis="x", labelrotation=30)
    ax.grid(False)
    bar = fig.colorbar(image, ax=ax)
    (format_money_axis if money else format_count_axis)(bar.ax.yaxis, lang)
    return fig


def plot_cohort_heatmap(retention: pd.DataFrame, *, lang: str = "en", max_periods: int = 12,
                        ax: Axes | None = None) -> Figure:
    """Retention (%) by acquisition month (rows) and months since first purchase (columns)."""
    shown = retention.iloc[-24:, 1: max_periods + 1] * 100
    fig, ax = axes_for(ax, (10, 0.3 * len(shown) + 2))
    image = ax.imshow(shown.to_numpy(dtype=float), cmap="YlGn", aspect="auto")
    annotate_heatmap(ax, image, shown.to_numpy(dtype=float), lambda v: f"{v:.0f}", fontsize=6)
    ax.set(xticks=range(shown.shape[1]), xticklabels=shown.columns,
           yticks=range(len(shown)), yticklabels=[str(p) for p in shown.index],
           xlabel=t("life.months_since", lang), ylabel=t("life.cohort", lang),
           title=t("life.retention_title", lang))
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(False)
    fig.colorbar(image, ax=ax, label="%")
    return fig


def plot_cumulative_revenue(per_customer: pd.DataFrame, *, lang: str = "en", last: int = 10,
                            ax: Axes | None = None) -> Figure:
    """Cumulative revenue per customer by months since acquisition, one line per cohort."""
    fig, ax = axes_for(ax, (9, 4.5))
    # Up to ``last`` cohorts spread over the whole range: old cohorts show the long run.
    step = max(1, math.ceil(len(per_customer) / last))
    shown = per_customer.iloc[::-1].iloc[::step].iloc[::-1]
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(shown))]
    for (cohort, row), color in zip(shown.iterrows(), colors):
        ax.plot(row.index, row.to_numpy(dtype=float), color=color, label=str(cohort), lw=1.2)
    ax.set(xlabel=t("life.months_since", lang), ylabel=t("life.revenue_per_customer", lang),
           title=t("life.cumulative_title", lang))
    format_money_axis(ax.yaxis, lang)
    ax.legend(fontsize=7, ncols=3, loc="upper left")
    return fig


def plot_time_to_second(curve: pd.DataFrame, gaps: pd.Series, *, lang: str = "en") -> Figure:
    """Time to the second purchase (left) and the inter-purchase gap distribution (right)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    left.plot(curve["days"], curve["share_repeated"] * 100, color="#0072B2")
    left.set(xlabel=t("life.days_after_first", lang), ylabel="%",
             title=t("life.second_title", lang), ylim=(0, 100))
    shown = gaps[gaps <= gaps.quantile(0.99)] if len(gaps) else gaps  # the longest 1% stretch the axis
    right.hist(shown, bins=50, color="#009E73")
    right.set(xlabel=t("life.gap_days", lang), ylabel=t("word.count", lang),
              title=t("life.gap_title", lang))
    format_count_axis(right.yaxis, lang)
    return fig


def plot_funnel(steps: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Horizontal funnel with conversion between steps."""
    fig, ax = axes_for(ax, (8, 3.6))
    y = np.arange(len(steps))[::-1]
    bars = ax.barh(y, steps["customers"], color=PALETTE[: len(steps)])
    labels = [fmt_number(c, lang) + (f"  ({v:.0%})" if np.isfinite(v) else "")
              for c, v in zip(steps["customers"], steps["conversion"].fillna(np.nan))]
    ax.bar_label(bars, labels=labels, padding=3, fontsize=8)
    ax.set(yticks=y, yticklabels=[t(f"life.funnel.{s}", lang) for s in steps["step"]],
           title=t("life.funnel_title", lang))
    format_count_axis(ax.xaxis, lang)
    ax.set_xlim(0, steps["customers"].max() * 1.25)
    return fig


EXPORT_COLUMNS = tuple(RESULTS["stages"].columns)  # the export is the shared result

#: Label key templates of the export's stage codes (``ReportContext.export(labels=...)``).
EXPORT_LABELS: dict[str, str] = dict(RESULTS["stages"].labels)


def stages_result(history: PurchaseHistory, previous: pd.Timestamp, current: pd.Timestamp,
                  rules: StageRules) -> pd.DataFrame:
    """The shared ``stages`` result (schema ``workbench.results.RESULTS["stages"]``).

    Per customer known on ``current`` (the run's as_of): stage code now and at ``previous``
    (``newcomer`` when not yet known then), first and last purchase dates, days since the last
    purchase and typical gap between purchases (days).
    """
    now = history.stages(current, rules)
    before = history.stages(previous, rules).set_index("customer_id")["stage"]
    now["previous_stage"] = before.reindex(now["customer_id"]).fillna("newcomer").to_numpy()
    now = now.rename(columns={"first_day": "first_purchase", "last_day": "last_purchase"})
    return now[list(EXPORT_COLUMNS)].reset_index(drop=True)


def export_frame(history: PurchaseHistory, previous: pd.Timestamp, current: pd.Timestamp,
                 rules: StageRules) -> pd.DataFrame:
    """The lifecycle export: :func:`stages_result` (labels are added on export)."""
    return stages_result(history, previous, current, rules)


def warning_values(warning: pd.DataFrame, lang: str = "en") -> dict[str, str]:
    """How many customers the early-warning list holds and their spend to date, as text."""
    return {"n": fmt_number(len(warning), lang), "spend": fmt_money(float(warning["spend"].sum()), lang)}


def warning_table(warning: pd.DataFrame, lang: str = "en", top: int = 20) -> pd.DataFrame:
    """The first ``top`` rows of :func:`early_warning` for display: stages named, spend as money."""
    shown = warning.head(top).assign(
        previous_stage=[t(f"life.stage.{s}", lang) for s in warning["previous_stage"].head(top)],
        stage=[t(f"life.stage.{s}", lang) for s in warning["stage"].head(top)])
    return money_columns(shown, ["spend"], lang)


def rule_sentences(rules: StageRules, lang: str = "en") -> list[str]:
    """The stage rules in plain words, with this run's thresholds."""
    return [
        t("life.rule.new", lang, days=rules.new_days),
        t("life.rule.at_risk", lang, days=rules.at_risk_days, factor=rules.own_gap_factor,
          gaps=rules.own_gap_min_gaps),
        t("life.rule.churned", lang, days=rules.churn_days),
        t("life.rule.reactivated", lang, days=rules.churn_days),
        t("life.rule.loyal", lang, purchases=rules.loyal_min_purchases,
          top=f"{rules.loyal_top_share:.0%}"),
        t("life.rule.order", lang),
    ]


def stage_table(stages: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Customers and share per stage, in lifecycle order, with the recommended action."""
    counts = stages["stage"].value_counts().reindex(list(STAGES), fill_value=0)
    return pd.DataFrame({"stage": [t(f"life.stage.{s}", lang) for s in counts.index],
                         "customers": counts.to_numpy(),
                         "customer_share": counts.to_numpy() / max(len(stages), 1),
                         "action": [t(STAGE_ACTIONS[s], lang) for s in counts.index]})


def transition_summary(counts: pd.DataFrame) -> dict[str, Any]:
    """Share who kept their stage, newcomers, and moves into at risk or churned."""
    known = counts.drop(index="newcomer", errors="ignore")
    stayed = sum(known.loc[s, s] for s in known.index if s in known.columns)
    to_risk = sum(counts.loc[r, c] for r in counts.index for c in ("at_risk", "churned")
                  if c in counts.columns and r != c)
    newcomers = int(counts.loc["newcomer"].sum()) if "newcomer" in counts.index else 0
    return {"stay": f"{stayed / max(known.to_numpy().sum(), 1):.0%}", "newcomers": f"{newcomers:,}",
            "to_risk": f"{int(to_risk):,}"}


def explore_widget(history: PurchaseHistory, dates: Sequence[pd.Timestamp], rules: StageRules,
                   *, lang: str = "en") -> Any:
    """JupyterLab widget: pick two snapshot dates and see the transition heatmap."""
    import ipywidgets as widgets
    from IPython.display import display

    options = [(str(d.date()), d) for d in dates]
    first = widgets.Dropdown(options=options, value=dates[-2], description=t("life.from_stage", lang))
    second = widgets.Dropdown(options=options, value=dates[-1], description=t("life.to_stage", lang))
    output = widgets.Output()

    def refresh(_: Any = None) -> None:
        output.clear_output(wait=True)
        with output:
            if second.value <= first.value:
                return
            counts, _ = transition_matrix(history, first.value, second.value, rules)
            fig = plot_transition_heatmap(counts, title_key="life.transition_counts", lang=lang)
            display(fig)
            plt.close(fig)

    first.observe(refresh, names="value")
    second.observe(refresh, names="value")
    refresh()
    return widgets.VBox([widgets.HBox([first, second]), output])


def headline(stages: pd.DataFrame, metrics: dict[str, Any]) -> dict[str, str]:
    """One sentence per language for the overview report."""
    counts = stages["stage"].value_counts()
    m1 = metrics["cohort_retention_month_1"]
    return {lang: t("life.headline", lang, at_risk=f"{int(counts.get('at_risk', 0)):,}",
                    churned=f"{int(counts.get('churned', 0)):,}",
                    m1=f"{m1:.0%}" if m1 is not None else "–") for lang in ("en", "zh")}


def rules_from_parameters(history: PurchaseHistory, as_of: pd.Timestamp,
                          **thresholds: float | None) -> StageRules:
    """Rules derived from the data, with the notebook parameters that are set overriding."""
    return derive_rules(history, as_of, **{k: v for k, v in thresholds.items() if v is not None})


def cohort_text_values(metrics: dict[str, Any]) -> dict[str, str]:
    """Month-1 and month-3 retention and the repeat rate as percentages for the narrative."""
    def pct(value: float | None) -> str:
        return f"{value:.0%}" if value is not None else "–"

    return {"m1": pct(metrics["cohort_retention_month_1"]),
            "m3": pct(metrics["cohort_retention_month_3"]),
            "repeat": pct(metrics["repeat_purchase_rate"])}
