"""Stages: the rules, the purchase history they are read from, snapshots and transitions.

The one definition of a customer's lifecycle stage (see :mod:`workbench.lifecycle`). Codes and
numbers only; the words are in :mod:`workbench.lifecycle.workflow`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from workbench.results import RESULTS
from workbench.summary import day_index

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
    """Purchase days of every customer with running totals, kept in DuckDB for fast queries.

    One row per customer and purchase day (:func:`workbench.engine.stages.purchase_history`):
    ``day`` (days since 1970-01-01), ``amount`` (that day's spend), ``n_days`` (purchase days
    so far), ``first_day``, ``spend`` (spend so far; money in exact units of 1/10,000),
    ``gap_before`` (days since the previous purchase day) and ``next_day``. A snapshot at any
    set of dates is one range join against it
    (:func:`workbench.engine.stages.snapshots_of`), so monthly stages over years cost one
    pass. The expressions are the engine's, the ones PostgreSQL and Spark run.
    """

    def __init__(self, transactions: pd.DataFrame, customers: pd.DataFrame | None = None):
        self.transactions = transactions
        self.customers = customers
        self._backend = None
        self._tables: dict[str, Any] = {}
        self._stages: dict[tuple[pd.Timestamp, StageRules], pd.DataFrame] = {}

    def _table(self, name: str):
        if not self._tables:
            self._build()
        return self._tables[name]

    @property
    def hist(self):
        """The purchase history, an Ibis table (see the class docstring)."""
        return self._table("hist")

    @property
    def people(self):
        """The customers known to the business and since when (``since``, a day number)."""
        return self._table("people")

    def _build(self) -> None:
        from workbench.engine import local
        from workbench.engine import stages as engine

        backend = local.local_backend(memory_limit=None)
        try:
            tx = local.register(backend, "tx", self.transactions,
                                ["customer_id", "order_date", "amount"])
            hist = backend.create_table("hist", engine.purchase_history(tx), temp=True)
            customers = None
            if self.customers is not None:
                customers = local.register(backend, "registered", self.customers,
                                           ["customer_id", "signup_date"])
            people = backend.create_table("people", engine.known_since(hist, customers),
                                          temp=True)
        except BaseException:
            backend.disconnect()
            raise
        self._backend, self._tables = backend, {"hist": hist, "people": people}

    def close(self) -> None:
        """Drop the DuckDB tables and the cached stages (their memory goes back at once); the
        next call that needs them builds them again."""
        if self._backend is not None:
            self._backend.disconnect()
        self._backend, self._tables = None, {}
        self._stages.clear()

    def _day(self, when: pd.Timestamp) -> int:
        return day_index(when)

    def gaps(self, as_of: pd.Timestamp) -> np.ndarray:
        """All inter-purchase gaps (days) of purchases on or before ``as_of``."""
        h = self.hist
        rows = h.filter(h.gap_before.notnull() & (h.day <= self._day(as_of))).gap_before
        return rows.to_pyarrow().to_numpy().astype(float)

    def repeat_purchase_days(self, as_of: pd.Timestamp) -> np.ndarray:
        """Purchase days on or before ``as_of`` of each customer who bought on 2 or more."""
        h = self.hist
        h = h.filter(h.day <= self._day(as_of))
        n = h.group_by("customer_id").aggregate(n=h.n_days.max())
        return n.filter(n.n > 1).n.to_pyarrow().to_numpy().astype(float)

    def snapshots(self, dates: Sequence[pd.Timestamp], rules: StageRules):
        """The per-customer stage table at each date (customers known by then), an Ibis
        table (:func:`workbench.engine.stages.snapshots_of`)."""
        from workbench.engine.stages import snapshots_of

        return snapshots_of(self.hist, self.people, dates, rules)

    def stages(self, as_of: pd.Timestamp, rules: StageRules) -> pd.DataFrame:
        """One row per customer known on ``as_of``, by ``customer_id``: ``stage`` and the
        values behind it, ``snapshot``, ``last_day`` and ``first_day`` (dates), ``n_days``,
        ``spend`` (currency units), ``gap_before``, ``days_since_last``, ``risk_threshold``
        and ``typical_gap_days`` (days).

        Computed once per (date, rules) and handed out as a copy: the report asks for the
        same snapshot for its table, the early-warning list and the shared result.
        """
        from workbench.engine.aggregations import _by_customer_id

        key = (pd.Timestamp(as_of).normalize(), rules)
        if key not in self._stages:
            snaps = self.snapshots([key[0]], rules)
            table = _by_customer_id(snaps.order_by("customer_id").to_pyarrow())
            self._stages[key] = _stage_frame(table)
        return self._stages[key].copy()

    def stage_counts(self, dates: Sequence[pd.Timestamp], rules: StageRules) -> pd.DataFrame:
        """Customers per stage at each date (long: snapshot, stage, customers)."""
        from workbench.engine.stages import counts_of

        return counts_of(self.snapshots(dates, rules))

    def revenue_between(self, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
        """Spend per customer on days in (start, end] (currency units), by ``customer_id``."""
        h = self.hist
        h = h.filter((h.day > self._day(start)) & (h.day <= self._day(end)))
        table = h.group_by("customer_id").aggregate(revenue=h.amount.sum().cast("int64")
                                                    ).order_by("customer_id").to_pyarrow()
        ids = pd.Index(table["customer_id"].to_pandas().astype("str"), name="customer_id")
        return pd.Series(_units(table["revenue"]), index=ids, name="revenue")


def _units(column) -> np.ndarray:
    """Money units of 1/10,000 (nullable) -> currency units as float64 (NaN for NULL)."""
    from workbench.summary import MONEY_SCALE

    return column.to_numpy(zero_copy_only=False).astype(np.float64) / MONEY_SCALE


def _stage_frame(table) -> pd.DataFrame:
    """The stage table as pandas: day numbers as dates, money units as currency, counts as
    int64 (Int64 where a customer has none)."""
    import pyarrow as pa

    def ints(name: str):
        column = table[name].cast(pa.int64())
        if column.null_count:
            return pd.array(column.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get),
                            dtype="Int64")
        return column.to_numpy()

    def dates(name: str):  # day numbers (NULL: NaN) -> midnights, as DuckDB returns dates
        days = table[name].cast(pa.int64()).to_numpy(zero_copy_only=False)
        return pd.to_datetime(days, unit="D").as_unit("us")

    frame = pd.DataFrame({
        "customer_id": table["customer_id"].to_pandas().astype("str"),
        "snapshot": dates("snapshot"), "last_day": dates("last_day"),
        "first_day": dates("first_day"), "n_days": ints("n_days"),
        "spend": _units(table["spend"]), "gap_before": ints("gap_before"),
        "days_since_last": ints("days_since_last"),
        "risk_threshold": table["risk_threshold"].to_numpy(zero_copy_only=False),
        "typical_gap_days": table["typical_gap_days"].to_numpy(zero_copy_only=False),
        "stage": table["stage"].to_pandas().astype("str")})
    return frame


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
    loyal = max(3, _percentile_days(history.repeat_purchase_days(as_of), 75, 3))
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
    Revenue is each customer's spend in (start, end]. Computed inside DuckDB
    (:func:`workbench.engine.stages.transitions_of`): only the small matrix comes back.
    """
    from workbench.engine.stages import transitions_of

    return transitions_of(history.hist, history.people, start, end, rules)



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
