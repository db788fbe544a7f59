"""The customer success analysis in one call (computation only; sentences are in ``text``).

:func:`analyse` takes the canonical frames and returns a :class:`SuccessResult` that the
report reads; :func:`metrics` and :func:`renewals_export` give the ``metrics.json`` part
(key ``customer_success``) and ``exports/renewals.csv``. Results are computed once here and
passed on: the report never recomputes them with other settings.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.results import RESULTS
from workbench.success import activation as act
from workbench.success import data, health, mrr, renewals, signals

__all__ = ["EXPORT_LABELS", "RENEWALS_RESULT", "SuccessResult", "analyse", "metrics",
           "renewals_export", "renewals_result", "subscriptions_of"]

#: Code columns of ``exports/renewals.csv`` and their catalogue key templates.
EXPORT_LABELS = {"top_reasons": "cs.measure.{code}", "recommended_action": "cs.action.{code}"}

#: The shared result ``renewals`` (``results/renewals.parquet``, read by ``08_actions``) as
#: declared in :data:`workbench.results.RESULTS`: doc, columns (column -> kind), labels, key
#: (customer_id, subscription_id).
RENEWALS_RESULT = dataclasses.asdict(RESULTS["renewals"])


@dataclass
class SuccessResult:
    """Everything the report shows; amounts in currency units (MRR per month, ARR per year)."""

    as_of: pd.Timestamp
    periods: pd.DataFrame
    set_aside: pd.DataFrame
    table: mrr.MrrTable
    bridge: pd.DataFrame
    retention: dict[str, Any]
    expansion_rate: float
    logo_churn: pd.DataFrame
    cohorts: pd.DataFrame
    points: pd.DataFrame
    renewal_rate: dict[str, Any]
    activation: pd.DataFrame
    activation_by_cohort: pd.DataFrame
    early_usage: pd.DataFrame
    config: health.HealthConfig
    backtest: dict[str, Any]
    weights: pd.DataFrame
    history: pd.DataFrame
    declines: pd.DataFrame
    renewals: pd.DataFrame
    comparison: dict[str, Any]
    expansion: pd.DataFrame
    key_event: str
    horizon_days: int

    @property
    def mrr(self) -> float:
        """MRR at the last month end on or before as_of (currency units per month)."""
        return float(self.table.total.iloc[-1]) if len(self.table.months) else 0.0

    @property
    def arr(self) -> float:
        """ARR = 12 x MRR at that month end (currency units per year)."""
        return 12 * self.mrr


def subscriptions_of(dataset: Any) -> pd.DataFrame | None:
    """The subscriptions table the loader read (``dataset.subscriptions``); None when there is
    none."""
    return getattr(dataset, "subscriptions", None)


def analyse(subscriptions: pd.DataFrame | None, customers: pd.DataFrame | None,
            events: pd.DataFrame | None, feedback: pd.DataFrame | None,
            as_of: pd.Timestamp, *, horizon_days: int = 90, onboarding_days: int = 90,
            key_event: str = "report_created", health_config: Any = None,
            activation_days: int = 30, seed: int = 0) -> SuccessResult:
    """Run the whole customer success analysis as of ``as_of`` (inclusive).

    ``subscriptions`` is validated here (:func:`data.validate_subscriptions`); revenue
    figures roll accounts up to their ``parent_id``; health, renewals and activation are
    per account. ``health_config`` is a path, a mapping or None (the shipped default).
    """
    if subscriptions is None:
        raise data.SubscriptionError(
            "customer success needs a subscriptions table (subscriptions.csv: customer_id, "
            "subscription_id, start_date, end_date, mrr or arr); the dataset has none.")
    as_of = pd.Timestamp(as_of).normalize()
    periods, set_aside = data.validate_subscriptions(subscriptions)
    periods = periods[periods["start_date"] <= as_of].reset_index(drop=True)
    ev = events[events["timestamp"].dt.normalize() <= as_of] if events is not None else None
    fb = (feedback[feedback["submitted_at"].dt.normalize() <= as_of]
          if feedback is not None else None)
    config = health.load_config(health_config, onboarding_days=onboarding_days)
    index = signals.EventIndex(ev) if ev is not None else None  # sorted once, used by all
    rolled = data.roll_up(periods, customers)
    table = mrr.mrr_table(rolled, as_of)
    points = renewals.renewal_points(periods, as_of)
    activation = act.activation(periods, ev, key_event, as_of, activation_days)
    check = health.backtest(config, periods, index, fb, as_of, horizon_days=horizon_days)
    weights = (health.learned_weights(check["sample"], config, random_state=seed)
               if check["n"] else pd.DataFrame())
    history = health.health_history(config, periods, index, fb, as_of)
    at_risk, _ = renewals.renewals_at_risk(periods, customers, index, fb, config, as_of,
                                           horizon_days=horizon_days, points=points,
                                           random_state=seed)
    now = history[history["lag_days"] == 0]
    return SuccessResult(
        as_of=as_of, periods=periods, set_aside=set_aside, table=table,
        bridge=mrr.bridge(table), retention=mrr.retention(table, as_of),
        expansion_rate=mrr.expansion_rate(table, as_of), logo_churn=mrr.logo_churn(table),
        cohorts=mrr.cohort_nrr(table, signals.first_start(rolled)), points=points,
        renewal_rate=renewals.renewal_rate(points, as_of), activation=activation,
        activation_by_cohort=act.activation_by_cohort(activation),
        early_usage=act.early_usage_vs_renewal(periods, index, points), config=config,
        backtest=check, weights=weights, history=history, declines=health.declines(history),
        renewals=at_risk,
        comparison=renewals.compare_with_health(points, config, periods, index, fb, as_of,
                                                random_state=seed),
        expansion=renewals.expansion_candidates(periods, now), key_event=key_event,
        horizon_days=horizon_days)


def _logo_churn_rate(result: SuccessResult, months: int = 12) -> float:
    """Mean monthly logo churn rate over the last ``months`` months (share)."""
    rates = result.logo_churn["logo_churn_rate"].dropna().tail(months)
    return float(rates.mean()) if len(rates) else np.nan


def metrics(result: SuccessResult) -> dict[str, Any]:
    """The ``customer_success`` part of ``metrics.json`` (shares 0-1, currency units): the
    notebook saves it under its topic, so ``metrics.json["customer_success"]["mrr"]``."""
    bridge = [{"month": row.month.strftime("%Y-%m"), "mrr_start": row.mrr_start, "new": row.new,
               "expansion": row.expansion, "contraction": row.contraction,
               "churned": row.churned, "reactivation": row.reactivation, "mrr_end": row.mrr_end}
              for row in result.bridge.itertuples(index=False)]
    return {
        "mrr": result.mrr, "arr": result.arr, "nrr_12m": result.retention["nrr"],
        "grr_12m": result.retention["grr"], "logo_churn_rate": _logo_churn_rate(result),
        "renewal_rate": result.renewal_rate["renewal_rate"],
        "expansion_rate": result.expansion_rate,
        "arr_at_risk": float(result.renewals["arr_at_risk"].sum()) if len(result.renewals) else 0.0,
        "renewals_due": len(result.renewals),
        "health_auc": result.backtest["auc"],
        "renewal_model_auc": result.comparison["model_auc"],
        "renewal_health_auc": result.comparison["health_auc"],
        "renewal_model_beats_health": result.comparison["beats_health"],
        "month": result.retention["month"],
        "bridge": bridge}


def renewals_export(result: SuccessResult) -> pd.DataFrame:
    """The rows of ``exports/renewals.csv`` (codes; labels are added at export)."""
    out = result.renewals[list(renewals.RENEWAL_COLUMNS)].copy()
    out["renewal_date"] = out["renewal_date"].dt.strftime("%Y-%m-%d")
    for col in ("arr", "arr_at_risk"):
        out[col] = out[col].round(2)
    for col in ("renewal_probability",):
        out[col] = out[col].round(4)
    for col in ("health_score", "health_trend"):
        out[col] = out[col].round(1)
    return out


def renewals_result(result: SuccessResult) -> pd.DataFrame:
    """The rows of the shared result ``renewals`` (:data:`RENEWALS_RESULT`)."""
    return result.renewals[list(RENEWALS_RESULT["columns"])].reset_index(drop=True)
