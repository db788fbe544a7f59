"""Stages: the rules, the purchase history they are read from, snapshots and transitions.

The one definition of a customer's lifecycle stage (see :mod:`workbench.lifecycle`). Codes and
numbers only; the words are in :mod:`workbench.lifecycle.workflow`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from workbench.results import RESULTS
from workbench.summary import daily_purchases_sql

__all__ = ["EXPORT_COLUMNS", "EXPORT_LABELS", "STAGES", "PurchaseHistory", "StageRules",
           "current_stages", "derive_rules", "export_frame", "monthly_snapshots", "moved_into_risk",
           "rules_from_parameters", "stages_result", "transition_matrix"]

STAGES = ("prospect", "new", "active", "loyal", "reactivated", "at_risk", "churned")


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
        self._stages: dict[tuple[pd.Timestamp, StageRules], pd.DataFrame] = {}

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self._con = self._build()
        return self._con

    def _build(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(config={"preserve_insertion_order": False})
        con.register("tx", self.transactions[["customer_id", "order_date", "amount"]])
        con.execute(f"""
            CREATE TABLE hist AS
            WITH daily AS ({daily_purchases_sql("tx")})
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

    def close(self) -> None:
        """Drop the DuckDB tables and the cached stages (their memory goes back at once); the
        next call that needs them builds them again."""
        if self._con is not None:
            self._con.close()
        self._con = None
        self._stages.clear()

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
        """One row per customer known on ``as_of``: stage and the values behind it.

        Computed once per (date, rules) and handed out as a copy: the report asks for the
        same snapshot for its table, the early-warning list and the shared result.
        """
        key = (pd.Timestamp(as_of).normalize(), rules)
        if key not in self._stages:
            frame = self.con.execute(self.snapshot_sql([key[0]], rules)
                                     + " ORDER BY customer_id").df()
            frame["customer_id"] = frame["customer_id"].astype(str)
            self._stages[key] = frame
        return self._stages[key].copy()

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



def moved_into_risk(history: PurchaseHistory, previous: pd.Timestamp, current: pd.Timestamp,
                    rules: StageRules) -> pd.DataFrame:
    """Customers who moved into at risk or churned since ``previous``, most valuable first.

    Columns ``customer_id``, ``previous_stage`` (``newcomer`` when unknown then), ``stage``,
    ``days_since_last``, ``typical_gap_days`` and ``spend`` (to date).
    """
    before = history.stages(previous, rules).set_index("customer_id")
    now = history.stages(current, rules).set_index("customer_id")
    now["previous_stage"] = before["stage"].reindex(now.index).fillna("newcomer")
    moved = now[now["stage"].isin(["at_risk", "churned"]) & (now["stage"] != now["previous_stage"])]
    out = moved.reset_index()[["customer_id", "previous_stage", "stage", "days_since_last",
                               "typical_gap_days", "spend"]]
    return out.sort_values("spend", ascending=False).reset_index(drop=True)


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


def rules_from_parameters(history: PurchaseHistory, as_of: pd.Timestamp,
                          **thresholds: float | None) -> StageRules:
    """Rules derived from the data, with the notebook parameters that are set overriding."""
    return derive_rules(history, as_of, **{k: v for k, v in thresholds.items() if v is not None})



def current_stages(transactions: pd.DataFrame, as_of: pd.Timestamp,
                   customers: pd.DataFrame | None = None,
                   **thresholds: float | None) -> pd.DataFrame:
    """The shared ``stages`` result on ``as_of``, computed the way ``03_lifecycle`` does.

    For a report that uses the stages when the lifecycle result is absent (a notebook opened
    alone): rules derived from the data (thresholds given and not None override them), the
    previous stage at the last month end before ``as_of``.
    """
    history = PurchaseHistory(transactions, customers)
    rules = rules_from_parameters(history, as_of, **thresholds)
    previous, current = monthly_snapshots(pd.Timestamp(as_of), 2)[-2:]
    return stages_result(history, previous, current, rules)
