"""The steps of the CLV report (``04_clv``), each one call from the notebook.

:func:`plan_validation` picks the calibration/holdout split, :func:`validate` checks the chosen
model on it, :func:`fit_clv` refits everything on all data and computes P(alive), expected
purchases and spend, CLV, tiers and the customers slipping away; the remaining functions turn
the results into the report's tables, cards, sentences, export and metrics.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.clv._base import FitWarning
from workbench.clv.beta_geo import BetaGeo
from workbench.clv.gamma_gamma import GammaGamma
from workbench.clv.pareto_nbd import ParetoNBD
from workbench.clv.utils import (
    _check_transactions,
    _unit_days,
    assign_clv_tiers,
    calibration_holdout_split,
    clv_tier_summary,
    customer_lifetime_value,
    frequency_fit_table,
    holdout_by_frequency,
    holdout_metrics,
    prob_alive_matrix,
    tracking_data,
)
from workbench.i18n import fmt_money, fmt_number, fmt_pct, fmt_pp, t
from workbench.lifecycle import STAGES, current_stages
from workbench.results import RESULTS, is_among
from workbench.summary import customer_summaries, day_after, up_to

__all__ = [
    "EXPORT_COLUMNS",
    "EXPORT_LABELS",
    "FREQUENCY_HEADERS",
    "LOOKBACK_DAYS",
    "MODELS",
    "PARAMETER_HEADERS",
    "RISK_HEADERS",
    "STAGE_HEADERS",
    "TIER_HEADERS",
    "CLVResult",
    "Validation",
    "ValidationPlan",
    "clv_metrics",
    "clv_result",
    "export_frame",
    "fit_clv",
    "forecast_scope",
    "make_model",
    "model_sentences",
    "parameter_table",
    "plan_validation",
    "risk_sentences",
    "risk_table",
    "scope_cards",
    "scope_sentences",
    "stage_summary",
    "stage_table",
    "tier_table",
    "validate",
    "validation_cards",
    "validation_sentences",
    "value_cards",
    "value_sentences",
]

#: Transaction models by the name used in the notebook parameter ``model``.
MODELS: dict[str, type] = {"bgnbd": BetaGeo, "paretonbd": ParetoNBD}
#: Automatic holdout: the last 26 weeks, or a third of the history when that is shorter.
AUTO_HOLDOUT_DAYS = 182
#: Shortest automatic holdout; with less history the report validates nothing.
MIN_HOLDOUT_DAYS = 28
#: "P(alive) is falling": compared with this many days before the analysis date.
LOOKBACK_DAYS = 91
EXPORT_COLUMNS = list(RESULTS["clv"].columns)  # the export is the shared result
#: Label key templates of the export's code columns (``clv_tier`` -> ``clv_tier_label``).
EXPORT_LABELS = dict(RESULTS["clv"].labels)

PARAMETER_HEADERS = {"model": "clv.col.model", "parameter": "clv.col.parameter",
                     "estimate": "clv.col.estimate", "standard_error": "clv.col.se",
                     "lower": "clv.col.lower", "upper": "clv.col.upper",
                     "log_likelihood": "clv.col.log_likelihood"}
FREQUENCY_HEADERS = {"frequency": "clv.col.frequency", "customers": "clv.col.customers",
                     "actual": "clv.col.actual", "predicted": "clv.col.predicted"}
TIER_HEADERS = {"tier": "clv.col.tier", "customers": "clv.col.customers",
                "customer_share": "clv.col.customer_share", "clv_total": "clv.col.clv_total",
                "clv_mean": "clv.col.clv_mean", "value_share": "clv.col.value_share",
                "prob_alive_mean": "clv.col.prob_alive_mean"}
STAGE_HEADERS = {"stage": "clv.col.stage", "customers": "clv.col.customers",
                 "prob_alive_mean": "clv.col.prob_alive_mean", "clv_total": "clv.col.clv_total"}
#: Lifecycle stages counted as active (the rest of the buyers are at risk or churned).
ACTIVE_STAGES = ("new", "active", "loyal", "reactivated")
RISK_HEADERS = {"customer_id": "clv.col.customer_id", "monetary": "clv.col.monetary",
                "x": "clv.col.x", "last_purchase": "clv.col.last_purchase",
                "prob_alive_before": "clv.col.prob_alive_before",
                "prob_alive": "clv.col.prob_alive", "drop": "clv.col.drop", "clv": "clv.col.clv"}


def make_model(name: str) -> BetaGeo | ParetoNBD:
    """A new, unfitted transaction model: ``"bgnbd"`` or ``"paretonbd"``."""
    try:
        return MODELS[name]()
    except KeyError:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, got {name!r}") from None


def _horizon_text(n: float, unit: str, lang: str) -> str:
    return t("clv.horizon", lang, n=f"{n:g}", unit=t(f"clv.unit.{unit}", lang))


def _fit_quietly(model: Any, name: str, *args: Any) -> list[tuple[str, dict[str, str]]]:
    """Fit, turning FitWarnings into report notes (catalogue key, values)."""
    notes = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FitWarning)
        model.fit(*args)
    for w in caught:
        if issubclass(w.category, FitWarning):
            kind = "drift" if "towards 0 or infinity" in str(w.message) else "not_converged"
            notes.append(("clv.note.fit_warning", {"model": name, "message": kind}))
        else:  # pragma: no cover - anything else is re-raised as it came
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return notes


# ---------------------------------------------------------------------------------- validation
@dataclass
class ValidationPlan:
    """Where the calibration period ends (None: no validation) and the holdout ends."""

    calibration_end: pd.Timestamp | None
    holdout_end: pd.Timestamp
    automatic: bool
    min_days: int = 3 * MIN_HOLDOUT_DAYS


def plan_validation(transactions: pd.DataFrame, as_of: Any, calibration_end: Any = None,
                    ) -> ValidationPlan:
    """The calibration/holdout split of the report.

    With ``calibration_end`` given, the holdout runs from the next day to ``as_of``. Without,
    the holdout is the last 26 weeks (182 days), or the last third of the history when that is
    shorter, provided it is at least 28 days; otherwise no validation is planned.
    """
    _check_transactions(transactions)
    end = pd.Timestamp(as_of).normalize()
    first = pd.Timestamp(transactions["order_date"].min()).normalize()
    if calibration_end is not None:
        cal = pd.Timestamp(calibration_end).normalize()
        if not first <= cal < end:
            raise ValueError(f"calibration_end {cal.date()} must lie between the first "
                             f"transaction ({first.date()}) and as_of ({end.date()}), exclusive")
        return ValidationPlan(cal, end, automatic=False)
    span = (end - first).days
    holdout = min(AUTO_HOLDOUT_DAYS, span // 3)
    if holdout < MIN_HOLDOUT_DAYS:
        return ValidationPlan(None, end, automatic=True)
    return ValidationPlan(end - pd.Timedelta(days=holdout), end, automatic=True)


@dataclass
class Validation:
    """Result of the holdout check of one transaction model."""

    plan: ValidationPlan
    model_name: str
    unit: str
    model: Any = None
    split: pd.DataFrame | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    by_frequency: pd.DataFrame | None = None
    tracking: pd.DataFrame | None = None
    notes: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.model is not None


def validate(transactions: pd.DataFrame, plan: ValidationPlan, *, model: str = "bgnbd",
             unit: str = "W") -> Validation:
    """Fit ``model`` on the calibration period and compare its predictions with the holdout.

    Data that cannot identify the model (e.g. no repeat purchase before the calibration end)
    give a Validation with ``error`` set instead of raising, so the report can say why.
    """
    _unit_days(unit)
    result = Validation(plan, model, unit)
    if plan.calibration_end is None:
        result.error = "no calibration period"
        return result
    split = calibration_holdout_split(transactions, plan.calibration_end, plan.holdout_end,
                                      unit=unit)
    fitted = make_model(model)
    try:
        result.notes = _fit_quietly(fitted, model, split["x"], split["t_x"], split["T"])
    except ValueError as exc:
        result.error = str(exc)
        return result
    result.model, result.split = fitted, split
    result.metrics = holdout_metrics(fitted, split)
    result.by_frequency = holdout_by_frequency(fitted, split)
    result.tracking = tracking_data(transactions, fitted, plan.calibration_end, plan.holdout_end,
                                    unit=unit)
    return result


def validation_sentences(validation: Validation, lang: str) -> list[tuple[str, dict[str, str]]]:
    """(key, values) describing the split and, when it ran, the holdout result."""
    plan = validation.plan
    if plan.calibration_end is None:
        return [("clv.validation.none", {"min_days": str(plan.min_days)})]
    start = day_after(plan.calibration_end)
    days = (plan.holdout_end - plan.calibration_end).days
    span = _horizon_text(round(days / _unit_days(validation.unit), 1), validation.unit, lang)
    values = {"cal_end": str(plan.calibration_end.date()), "start": str(start.date()),
              "end": str(plan.holdout_end.date()), "holdout": span}
    out = [("clv.validation.auto" if plan.automatic else "clv.validation.given", values)]
    if not validation.ok:
        out.append(("clv.validation.failed", {"reason": validation.error or ""}))
        return out
    out += _note_sentences(validation.notes, lang)
    m = validation.metrics
    error = m["error_share"]
    err_key = "clv.error.over" if error >= 0 else "clv.error.under"
    out.append(("clv.validation.result", {
        # full digits: the two totals are close, and "2.9万" vs "2.9万" would hide the gap
        "predicted": f"{m['predicted_total']:,.0f}", "actual": f"{m['actual_total']:,.0f}",
        "customers": fmt_number(m["customers"], lang),
        "error": t(err_key, lang, pct=fmt_pct(abs(error))) if np.isfinite(error) else "–",
        "mae": f"{m['mae']:.2f}", "corr": f"{m['correlation']:.2f}"}))
    return out


def validation_cards(validation: Validation, lang: str) -> list[tuple[str, str, str]]:
    """KPI cards of the holdout check (empty when it did not run)."""
    if not validation.ok:
        return []
    m = validation.metrics
    error = m["error_share"]
    note = ""
    if np.isfinite(error):
        key = "clv.kpi.error_over" if error >= 0 else "clv.kpi.error_under"
        note = t(key, lang, pct=fmt_pct(abs(error)))
    return [
        (t("clv.kpi.predicted", lang), f"{m['predicted_total']:,.0f}", note),
        (t("clv.kpi.actual", lang), f"{m['actual_total']:,.0f}", ""),
        (t("clv.kpi.mae", lang), f"{m['mae']:.2f}", ""),
        (t("clv.kpi.correlation", lang), f"{m['correlation']:.2f}", ""),
    ]


def _note_sentences(notes: list[tuple[str, dict[str, str]]], lang: str
                    ) -> list[tuple[str, dict[str, str]]]:
    out = []
    for key, values in notes:
        values = dict(values)
        if "model" in values and values["model"] in ("bgnbd", "paretonbd", "gamma_gamma"):
            values["model"] = t(f"clv.model.{values['model']}", lang)
        if key == "clv.note.fit_warning":
            values["message"] = t(f"clv.note.{values['message']}", lang)
        out.append((key, values))
    return out


# ---------------------------------------------------------------------------------- full fit
@dataclass
class CLVResult:
    """Everything the report shows after refitting on all data (see :func:`fit_clv`)."""

    as_of: pd.Timestamp
    unit: str
    horizon: float
    discount_rate: float
    margin: float
    model_name: str
    summary: pd.DataFrame
    models: dict[str, Any]
    spend_model: GammaGamma | None
    mean_spend: float
    customers: pd.DataFrame
    fit_table: pd.DataFrame
    alive_matrix: pd.DataFrame
    alive_age: float
    tiers: pd.DataFrame
    at_risk: pd.DataFrame
    notes: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    #: CLV and P(alive) per lifecycle stage (:func:`stage_summary`).
    by_stage: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def model(self) -> Any:
        """The transaction model used for the predictions."""
        return self.models[self.model_name]


def fit_clv(transactions: pd.DataFrame, as_of: Any, *, model: str = "bgnbd", unit: str = "W",
            horizon: float = 52, discount_rate: float = 0.10, margin: float = 1.0,
            lookback_days: int = LOOKBACK_DAYS, stages: pd.DataFrame | None = None,
            top_share: float = 0.2) -> CLVResult:
    """Fit BG/NBD, Pareto/NBD and Gamma-Gamma on all purchases up to ``as_of`` and value every
    customer over the next ``horizon`` time units (``unit``) with the model named ``model``.

    ``stages`` is the lifecycle's shared ``stages`` result on ``as_of`` (computed with
    :func:`workbench.lifecycle.current_stages` when None): the one definition of active, at
    risk and churned. Each customer gets that ``stage``; ``at_risk`` lists the valuable
    customers (top ``top_share`` by revenue to date) whose stage is ``at_risk``, with P(alive)
    now and ``lookback_days`` earlier beside it; ``by_stage`` sums CLV and P(alive) per stage.

    Raises ValueError when the chosen model cannot be fitted (see :meth:`BetaGeo.fit`); the
    other model's failure and a failing spend model become notes (the spend model is then
    replaced by the average transaction value).
    """
    _unit_days(unit)
    make_model(model)
    if not horizon > 0:
        raise ValueError(f"horizon must be positive (in {unit}), got {horizon!r}")
    if not 0 <= margin <= 1:
        raise ValueError(f"margin is a share of revenue between 0 and 1, got {margin!r}")
    as_of = pd.Timestamp(as_of).normalize()
    earlier_date = as_of - pd.Timedelta(days=lookback_days)
    summary, earlier = customer_summaries(transactions, [as_of, earlier_date], unit)
    if summary.empty:
        raise ValueError(f"no purchases on or before {as_of.date()}")
    x, t_x, T = (summary[c].to_numpy(dtype=float) for c in ("x", "t_x", "T"))
    notes: list[tuple[str, dict[str, str]]] = []
    models: dict[str, Any] = {}
    for name in MODELS:
        fitted = make_model(name)
        try:
            notes += _fit_quietly(fitted, name, x, t_x, T)
            models[name] = fitted
        except ValueError as exc:
            if name == model:
                raise
            notes.append(("clv.note.model_failed", {"model": name, "reason": str(exc)}))
            models[name] = None
    chosen = models[model]
    mean_value = summary["mean_repeat_value"].to_numpy(dtype=float)
    spend_model: GammaGamma | None = GammaGamma()
    average_value = float(summary["total_revenue"].sum() / summary["n_purchase_days"].sum())
    try:
        notes += _fit_quietly(spend_model, "gamma_gamma", x, mean_value)
        if spend_model.params_["q"] <= 1:
            raise ValueError("q <= 1: the mean spend is not finite")
        spend = spend_model.expected_spend(x, mean_value)
        mean_spend = spend_model.mean_spend_
    except ValueError as exc:
        notes.append(("clv.models.spend_fallback", {"reason": str(exc),
                                                    "mean_spend": average_value}))
        spend_model, mean_spend = None, average_value
        spend = np.full(len(x), average_value)
    alive = chosen.prob_alive(x, t_x, T)
    purchases = chosen.predict_purchases(horizon, x, t_x, T)
    clv = customer_lifetime_value(chosen, x, t_x, T, spend, horizon=horizon, unit=unit,
                                  discount_rate=discount_rate, margin=margin)
    tiers = assign_clv_tiers(clv)
    customers = pd.DataFrame({
        "customer_id": summary["customer_id"], "frequency": summary["x"], "recency": t_x, "T": T,
        "prob_alive": alive, "expected_purchases": purchases, "expected_avg_spend": spend,
        "clv": clv, "clv_tier": tiers, "monetary": summary["monetary"],
    })
    before = pd.Series(chosen.prob_alive(*(earlier[c].to_numpy(dtype=float)
                                           for c in ("x", "t_x", "T"))) if len(earlier) else [],
                       index=earlier["customer_id"], dtype=float)
    customers.insert(5, "prob_alive_previous",
                     customers["customer_id"].map(before).to_numpy(dtype=float))
    if stages is None:
        stages = current_stages(transactions, as_of)
    stage_of = pd.Series(stages["stage"].to_numpy(), index=stages["customer_id"].astype(str))
    customers["stage"] = customers["customer_id"].astype(str).map(stage_of).to_numpy(dtype=object)
    at_risk = _valuable_at_risk(customers, summary, top_share)
    repeaters = T[x > 0]
    age = float(np.round(np.median(repeaters if len(repeaters) else T)))
    max_freq = int(np.clip(np.quantile(x, 0.99), 5, 20))
    fit_max = int(np.clip(np.quantile(x, 0.9), 7, 15))  # last bar: about a tenth of customers
    return CLVResult(
        as_of=as_of, unit=unit, horizon=float(horizon), discount_rate=float(discount_rate),
        margin=float(margin), model_name=model, summary=summary, models=models,
        spend_model=spend_model, mean_spend=float(mean_spend), customers=customers,
        fit_table=frequency_fit_table(chosen, x, T, fit_max), alive_matrix=prob_alive_matrix(
            chosen, max(age, 1.0), max_frequency=max_freq), alive_age=max(age, 1.0),
        tiers=clv_tier_summary(clv, tiers, alive), at_risk=at_risk, notes=notes,
        by_stage=stage_summary(customers),
    )


def _valuable_at_risk(customers: pd.DataFrame, summary: pd.DataFrame, top_share: float
                      ) -> pd.DataFrame:
    """Customers among the top ``top_share`` by revenue to date whose lifecycle stage is at
    risk, largest revenue first, with P(alive) now, one lookback earlier and its drop."""
    frame = customers.assign(x=summary["x"].to_numpy(),
                             last_purchase=summary["last_purchase"].to_numpy())
    if len(frame):
        threshold = frame["monetary"].quantile(1.0 - top_share)
        frame = frame[(frame["monetary"] >= threshold) & (frame["stage"] == "at_risk")]
    frame = frame.rename(columns={"prob_alive_previous": "prob_alive_before"})
    frame["drop"] = frame["prob_alive_before"] - frame["prob_alive"]
    return (frame.sort_values(["monetary", "customer_id"], ascending=[False, True])
            [["customer_id", "monetary", "x", "last_purchase", "prob_alive_before", "prob_alive",
              "drop", "clv"]].reset_index(drop=True))


def stage_summary(customers: pd.DataFrame) -> pd.DataFrame:
    """Per lifecycle stage (lifecycle order; customers without a stage last as ``–``):
    customers, mean P(alive) and total CLV. P(alive) is the model's score, the stage the
    lifecycle's rule: the table sets the two side by side."""
    stage = customers["stage"].astype(object).where(customers["stage"].notna(), "–")
    grouped = customers.assign(stage=stage.to_numpy()).groupby("stage").agg(
        customers=("customer_id", "size"), prob_alive_mean=("prob_alive", "mean"),
        clv_total=("clv", "sum"))
    order = [s for s in (*STAGES, "–") if s in grouped.index]
    return grouped.reindex(order).reset_index()


def stage_table(result: CLVResult, lang: str) -> pd.DataFrame:
    """:func:`stage_summary` for display: stage names, P(alive) as a percentage, CLV as money."""
    table = result.by_stage.copy()
    table["stage"] = [t(f"life.stage.{s}", lang) if s in STAGES else s for s in table["stage"]]
    table["customers"] = [fmt_number(v, lang) for v in table["customers"]]
    table["prob_alive_mean"] = [fmt_pct(v) for v in table["prob_alive_mean"]]
    table["clv_total"] = [fmt_money(v, lang) for v in table["clv_total"]]
    return table[list(STAGE_HEADERS)]


def _stage_counts(result: CLVResult) -> dict[str, int]:
    counts = result.customers["stage"].value_counts()
    return {"active": int(counts.reindex(list(ACTIVE_STAGES)).fillna(0).sum()),
            "at_risk": int(counts.get("at_risk", 0)), "churned": int(counts.get("churned", 0))}


# ---------------------------------------------------------------------------------- report parts
def parameter_table(result: CLVResult, lang: str) -> pd.DataFrame:
    """One row per fitted parameter of each model, with standard errors, 95% bounds and the
    model's log-likelihood on its first row."""
    rows = []
    fitted = dict(result.models)
    if result.spend_model is not None:
        fitted["gamma_gamma"] = result.spend_model
    for name, model in fitted.items():
        if model is None:
            continue
        summary = model.summary
        for i, (param, row) in enumerate(summary.iterrows()):
            rows.append({"model": t(f"clv.model.{name}", lang), "parameter": param,
                         "estimate": row["estimate"], "standard_error": row["standard_error"],
                         "lower": row["lower"], "upper": row["upper"],
                         "log_likelihood": model.log_likelihood_ if i == 0 else np.nan})
    return pd.DataFrame(rows)


def model_sentences(result: CLVResult, lang: str) -> list[tuple[str, dict[str, str]]]:
    """(key, values) on the fitted models: likelihoods, the spend model, notes."""
    ll = {name: (f"{m.log_likelihood_:,.1f}" if m is not None else "–")
          for name, m in result.models.items()}
    out = [("clv.models.text", {"customers": fmt_number(len(result.summary), lang),
                                "ll_bgnbd": ll["bgnbd"], "ll_paretonbd": ll["paretonbd"],
                                "model": t(f"clv.model.{result.model_name}", lang)})]
    gg = result.spend_model
    if gg is not None:
        out.append(("clv.models.spend", {
            "spend_customers": fmt_number(gg.n_customers_, lang),
            "mean_spend": fmt_money(result.mean_spend, lang),
            "corr": f"{gg.frequency_spend_correlation_:.2f}"}))
        if gg.n_nonpositive_:
            out.append(("clv.models.nonpositive", {"count": fmt_number(gg.n_nonpositive_, lang)}))
    notes = []
    for key, values in result.notes:
        if key == "clv.models.spend_fallback":
            values = dict(values, mean_spend=fmt_money(values["mean_spend"], lang))
        notes.append((key, values))
    return out + _note_sentences(notes, lang)


def value_cards(result: CLVResult, lang: str) -> list[tuple[str, str, str]]:
    """KPI cards: customers, expected purchases, expected spend, CLV total, likely active."""
    c = result.customers
    horizon = _horizon_text(result.horizon, result.unit, lang)
    counts = _stage_counts(result)
    return [
        (t("clv.kpi.customers", lang), fmt_number(len(c), lang), ""),
        (t("clv.kpi.purchases", lang, horizon=horizon), fmt_number(c["expected_purchases"].sum(),
                                                                   lang), ""),
        (t("clv.kpi.spend", lang), fmt_money(result.mean_spend, lang), ""),
        (t("clv.kpi.clv_total", lang, horizon=horizon), fmt_money(c["clv"].sum(), lang),
         t("clv.kpi.discounted", lang, rate=fmt_pct(result.discount_rate),
           margin=fmt_pct(result.margin))),
        (t("clv.kpi.alive", lang), fmt_number(counts["active"], lang),
         t("clv.kpi.alive_note", lang, at_risk=fmt_number(counts["at_risk"], lang),
           churned=fmt_number(counts["churned"], lang))),
    ]


def value_sentences(result: CLVResult, lang: str) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """(key, values) per report section: ``intro``, ``alive``, ``value``, ``tiers``."""
    c = result.customers
    horizon = _horizon_text(result.horizon, result.unit, lang)
    counts = _stage_counts(result)
    mean_alive = result.by_stage.set_index("stage")["prob_alive_mean"]
    revenue = float((c["expected_purchases"] * c["expected_avg_spend"]).sum())
    shares = result.tiers.set_index("tier")["value_share"]
    return {
        "intro": [("clv.intro", {
            "horizon": horizon, "rate": fmt_pct(result.discount_rate),
            "margin": fmt_pct(result.margin), "model": t(f"clv.model.{result.model_name}", lang),
            "customers": fmt_number(len(c), lang), "as_of": str(result.as_of.date()),
            "unit": t(f"clv.unit.{result.unit}", lang)})],
        "alive": [("clv.alive.text", {
            "active": fmt_number(counts["active"], lang), "customers": fmt_number(len(c), lang),
            "share": fmt_pct(counts["active"] / len(c)),
            "at_risk": fmt_number(counts["at_risk"], lang),
            "churned": fmt_number(counts["churned"], lang),
            "p_active": fmt_pct(float(c.loc[c["stage"].isin(ACTIVE_STAGES), "prob_alive"].mean())),
            "p_at_risk": fmt_pct(float(mean_alive.get("at_risk", np.nan))),
            "p_churned": fmt_pct(float(mean_alive.get("churned", np.nan))),
            "age": f"{result.alive_age:.0f}", "unit": t(f"clv.unit.{result.unit}", lang)})],
        "value": [("clv.value.text", {
            "horizon": horizon, "purchases": fmt_number(c["expected_purchases"].sum(), lang),
            "revenue": fmt_money(revenue, lang), "clv": fmt_money(c["clv"].sum(), lang),
            "median": fmt_money(float(c["clv"].median()), lang),
            "mean": fmt_money(float(c["clv"].mean()), lang)})],
        "tiers": [("clv.tiers.text", {
            "share_a": fmt_pct(shares.get("A", 0.0)),
            "share_ab": fmt_pct(shares.get("A", 0.0) + shares.get("B", 0.0))})],
    }


def forecast_scope(transactions: pd.DataFrame, result: CLVResult) -> dict[str, Any]:
    """What the revenue forecast covers, and the last equally long period to compare it with.

    The forecast values only the customers who bought on or before ``as_of`` (the rows of
    ``result.customers``): customers who have not bought yet are not in it. The comparison
    window is the ``horizon`` (in days) up to and including ``as_of``. Returns

    * ``customers``, ``as_of``, ``horizon_days``, ``discount_rate``;
    * ``forecast_revenue``: expected purchases x expected spend summed, undiscounted, and
      ``clv``, the discounted margin;
    * ``window_start`` (first day of the window), ``revenue_same``: what the forecast's
      customers spent in it, ``revenue_all``: every line in it (also lines of customers who
      are not modelled);
    * ``new_customers`` / ``revenue_new``: customers whose first purchase falls in the window
      and what they spent there, the kind of customer the forecast has no counterpart for;
      ``revenue_existing`` = ``revenue_same`` - ``revenue_new``, the like-for-like figure.
    """
    days = max(round(result.horizon * _unit_days(result.unit)), 1)
    as_of = pd.Timestamp(result.as_of).normalize()
    start = as_of - pd.Timedelta(days=days - 1)
    history = up_to(transactions, as_of)
    # Per distinct customer once, then per line through the codes (3M string look-ups cost more
    # than the sums).
    codes, ids = pd.factorize(history["customer_id"].astype(str), use_na_sentinel=False)
    dates = history["order_date"].to_numpy(dtype="datetime64[ns]")
    in_window = dates >= start.to_datetime64()
    amount = history["amount"].to_numpy(dtype=float)
    c = result.customers
    modelled_id = is_among(ids, c["customer_id"].astype(str))
    first = pd.Series(dates).groupby(codes).min().to_numpy()
    new_id = first >= start.to_datetime64()
    modelled, is_new = modelled_id[codes], new_id[codes]
    revenue_same = float(amount[in_window & modelled].sum())
    revenue_new = float(amount[in_window & modelled & is_new].sum())
    return {
        "customers": len(c), "as_of": as_of, "horizon_days": days,
        "discount_rate": float(result.discount_rate),
        "forecast_revenue": float((c["expected_purchases"] * c["expected_avg_spend"]).sum()),
        "clv": float(c["clv"].sum()),
        "window_start": start, "revenue_same": revenue_same,
        "revenue_all": float(amount[in_window].sum()),
        "new_customers": int((new_id & modelled_id).sum()),
        "revenue_new": revenue_new, "revenue_existing": revenue_same - revenue_new,
    }


def scope_sentences(scope: dict[str, Any], result: CLVResult, lang: str
                    ) -> list[tuple[str, dict[str, str]]]:
    """(key, values) saying what the forecast does and does not include, with the revenue of
    the last period of the same length for the same and for all customers beside it."""
    horizon = _horizon_text(result.horizon, result.unit, lang)
    values = {
        "customers": fmt_number(scope["customers"], lang), "as_of": str(scope["as_of"].date()),
        "horizon": horizon, "forecast": fmt_money(scope["forecast_revenue"], lang),
        "clv": fmt_money(scope["clv"], lang), "rate": fmt_pct(scope["discount_rate"]),
    }
    out = [("clv.scope.text", values)]
    out.append(("clv.scope.compare", {
        "horizon": horizon, "start": str(scope["window_start"].date()),
        "as_of": str(scope["as_of"].date()), "same": fmt_money(scope["revenue_same"], lang),
        "all": fmt_money(scope["revenue_all"], lang), "new": fmt_money(scope["revenue_new"], lang),
        "new_customers": fmt_number(scope["new_customers"], lang),
        "existing": fmt_money(scope["revenue_existing"], lang),
        "forecast": fmt_money(scope["forecast_revenue"], lang)}))
    return out


def scope_cards(scope: dict[str, Any], result: CLVResult, lang: str) -> list[tuple[str, str, str]]:
    """KPI cards: the revenue forecast (existing customers only) beside the last period's."""
    horizon = _horizon_text(result.horizon, result.unit, lang)
    return [
        (t("clv.kpi.forecast_revenue", lang, horizon=horizon), fmt_money(scope["forecast_revenue"], lang),
         t("clv.kpi.forecast_note", lang, customers=fmt_number(scope["customers"], lang))),
        (t("clv.kpi.recent_revenue", lang, horizon=horizon),
         fmt_money(scope["revenue_existing"], lang),
         t("clv.kpi.recent_note", lang, all=fmt_money(scope["revenue_all"], lang),
           new=fmt_money(scope["revenue_new"], lang))),
    ]


def tier_table(result: CLVResult, lang: str) -> pd.DataFrame:
    """The tier summary for display: translated tier labels, shares and money formatted."""
    table = result.tiers.copy()
    table["tier"] = [t(f"clv.tier.{code}", lang) for code in table["tier"]]
    for column in ("customer_share", "value_share", "prob_alive_mean"):
        if column in table:
            table[column] = [fmt_pct(v) for v in table[column]]
    for column in ("clv_total", "clv_mean"):
        table[column] = [fmt_money(v, lang) for v in table[column]]
    return table


def risk_sentences(result: CLVResult, lang: str, shown: int = 20
                   ) -> list[tuple[str, dict[str, str]]]:
    count = len(result.at_risk)
    if not count:
        return [("clv.risk.none", {})]
    return [("clv.risk.text", {"count": fmt_number(count, lang),
                               "shown": str(min(shown, count))})]


def risk_table(result: CLVResult, lang: str, shown: int = 20) -> pd.DataFrame:
    """The first ``shown`` high-value customers with falling P(alive), for display: customer
    ids only (no names or contact data), revenue and CLV as money, P(alive) as percentages."""
    table = result.at_risk.head(shown).copy()
    table["last_purchase"] = pd.to_datetime(table["last_purchase"]).dt.strftime("%Y-%m-%d")
    for column in ("monetary", "clv"):
        table[column] = [fmt_money(v, lang) for v in table[column]]
    for column in ("prob_alive_before", "prob_alive"):
        table[column] = [fmt_pct(v) for v in table[column]]
    table["drop"] = [fmt_pp(-v, lang) for v in table["drop"]]  # a change of a share: points
    return table[[c for c in RISK_HEADERS if c in table]]


def clv_result(result: CLVResult) -> pd.DataFrame:
    """The shared ``clv`` result (schema ``workbench.results.RESULTS["clv"]``): one row per
    customer with purchases before ``as_of``; frequency = repeat purchases, recency and T in
    time units (weeks by default), CLV in currency units, ``clv_tier`` the code A-D."""
    columns = list(RESULTS["clv"].columns)
    frame = result.customers[columns].copy()
    frame["customer_id"] = frame["customer_id"].astype(str)
    frame["clv_tier"] = frame["clv_tier"].astype(str)
    return frame.reset_index(drop=True)


def export_frame(result: CLVResult) -> pd.DataFrame:
    """``exports/clv.csv``: the ``clv`` result, columns :data:`EXPORT_COLUMNS`; export it with
    ``labels=EXPORT_LABELS`` to add ``clv_tier_label`` in the report language."""
    return clv_result(result)[EXPORT_COLUMNS]


def _model_metrics(model: Any) -> dict[str, Any] | None:
    if model is None:
        return None
    return {"params": dict(model.params_), "standard_errors": dict(model.standard_errors_),
            "log_likelihood": model.log_likelihood_, "converged": model.converged_}


def clv_metrics(result: CLVResult, validation: Validation | None = None,
                scope: dict[str, Any] | None = None) -> dict[str, Any]:
    """The report's part of ``metrics.json``: fitted models, holdout figures, value totals,
    the forecast's scope (:func:`forecast_scope`, when given) and a one-sentence ``headline``
    in English and Chinese."""
    c = result.customers
    shares = result.tiers.set_index("tier")["value_share"]
    models = {name: _model_metrics(m) for name, m in result.models.items()}
    gg = _model_metrics(result.spend_model)
    if gg is not None:
        gg.update(n_customers=result.spend_model.n_customers_,
                  n_nonpositive=result.spend_model.n_nonpositive_,
                  frequency_spend_correlation=result.spend_model.frequency_spend_correlation_)
    models["gamma_gamma"] = gg
    holdout = None
    if validation is not None and validation.ok:
        m = validation.metrics
        holdout = {"calibration_end": validation.plan.calibration_end.date().isoformat(),
                   "holdout_end": validation.plan.holdout_end.date().isoformat(),
                   "automatic": validation.plan.automatic, "model": validation.model_name,
                   "params": dict(validation.model.params_),
                   "predicted_total": m["predicted_total"], "actual_total": m["actual_total"],
                   "error_share": m["error_share"], "mae": m["mae"], "rmse": m["rmse"],
                   "correlation": m["correlation"], "customers": m["customers"]}
    headline = {}
    for lang in ("en", "zh"):
        headline[lang] = t("clv.headline", lang, customers=fmt_number(len(c), lang),
                           clv=fmt_money(float(c["clv"].sum()), lang),
                           horizon=_horizon_text(result.horizon, result.unit, lang),
                           share_a=fmt_pct(float(shares.get("A", 0.0))))
    return {
        "as_of": result.as_of.date().isoformat(), "model": result.model_name,
        "time_unit": result.unit, "horizon": result.horizon,
        "discount_rate": result.discount_rate, "margin": result.margin,
        "customers": len(c), "models": models, "holdout": holdout,
        "clv_total": float(c["clv"].sum()),
        "expected_purchases_total": float(c["expected_purchases"].sum()),
        "mean_expected_spend": result.mean_spend,
        # P(alive) >= 50%: the model's count, beside the lifecycle stages (the one definition)
        "likely_active": int((c["prob_alive"] >= 0.5).sum()),
        "customers_per_stage": {str(k): int(v) for k, v in
                                zip(result.by_stage["stage"], result.by_stage["customers"])},
        "tier_value_share": {k: float(v) for k, v in shares.items()},
        "at_risk_customers": len(result.at_risk),
        "forecast_scope": None if scope is None else {
            "existing_customers_only": True, "horizon_days": scope["horizon_days"],
            "forecast_revenue": scope["forecast_revenue"],
            "window_start": scope["window_start"].date().isoformat(),
            "revenue_same_customers": scope["revenue_same"], "revenue_all_customers": scope["revenue_all"],
            "revenue_new_customers": scope["revenue_new"], "new_customers": scope["new_customers"]},
        "headline": headline,
    }
