"""What the customer success report says: KPI cards, sentences, labelled tables.

Every sentence is a catalogue key with its values (``(key, values)``, shown by
``ctx.say(key, **values)``); numbers are formatted here for the report language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.i18n import CATALOGUE, fmt_money, fmt_number, fmt_pct, money_columns, t
from workbench.results import with_labels
from workbench.success.workflow import EXPORT_LABELS, SuccessResult

__all__ = ["ACTIVATION_HEADERS", "BAND_HEADERS", "BRIDGE_HEADERS", "DECLINE_HEADERS",
           "EARLY_HEADERS", "EXPANSION_HEADERS", "RENEWAL_HEADERS", "WEIGHT_HEADERS",
           "activation_sentences", "activation_table", "band_table", "bridge_table",
           "declines_table", "definitions", "early_usage_table",
           "expansion_sentence", "expansion_table", "headline", "health_sentences", "kpi_cards",
           "renewal_sentences", "renewals_table", "retention_sentences", "revenue_sentences",
           "weights_table"]

Sentence = tuple[str, dict[str, Any]]


def _month(ts: pd.Timestamp, lang: str) -> str:
    return f"{ts.year}年{ts.month}月" if lang == "zh" else ts.strftime("%b %Y")


def _pct(value: float) -> str:
    return fmt_pct(value) if value is not None and not np.isnan(value) else "–"


def kpi_cards(result: SuccessResult, lang: str) -> list[tuple[str, str, str]]:
    """KPI cards: MRR, ARR, NRR, GRR, logo churn, renewal rate, expansion rate, ARR at risk."""
    month = _month(result.retention["month"], lang)
    at = t("cs.note.at_month", lang, month=month)
    churn = result.logo_churn["logo_churn_rate"].dropna().tail(12)
    rr = result.renewal_rate
    at_risk = float(result.renewals["arr_at_risk"].sum()) if len(result.renewals) else 0.0
    return [
        (t("cs.kpi.mrr", lang), fmt_money(result.mrr, lang), at),
        (t("cs.kpi.arr", lang), fmt_money(result.arr, lang), at),
        (t("cs.kpi.nrr", lang), _pct(result.retention["nrr"]), at),
        (t("cs.kpi.grr", lang), _pct(result.retention["grr"]), at),
        (t("cs.kpi.logo_churn", lang), _pct(churn.mean() if len(churn) else np.nan),
         t("cs.note.last_12", lang)),
        (t("cs.kpi.renewal_rate", lang), _pct(rr["renewal_rate"]),
         t("cs.note.renewals", lang, renewed=fmt_number(rr["renewed"], lang),
           came_up=fmt_number(rr["came_up"], lang))),
        (t("cs.kpi.expansion_rate", lang), _pct(result.expansion_rate), t("cs.note.expansion", lang)),
        (t("cs.kpi.arr_at_risk", lang), fmt_money(at_risk, lang),
         t("cs.note.due", lang, n=fmt_number(len(result.renewals), lang), days=result.horizon_days)),
    ]


def headline(result: SuccessResult) -> dict[str, str]:
    """The overview's one-line reading of customer success, in every report language."""
    at_risk = float(result.renewals["arr_at_risk"].sum()) if len(result.renewals) else 0.0
    return {lang: t("cs.headline", lang, mrr=fmt_money(result.mrr, lang),
                    arr=fmt_money(result.arr, lang), nrr=_pct(result.retention["nrr"]),
                    grr=_pct(result.retention["grr"]), at_risk=fmt_money(at_risk, lang),
                    days=result.horizon_days)
            for lang in ("en", "zh")}


def definitions(result: SuccessResult, lang: str) -> list[Sentence]:
    """The definitions the report states (MRR, bridge, NRR/GRR, renewal)."""
    return [("cs.def.mrr", {}), ("cs.def.bridge", {}),
            ("cs.def.nrr", {"month": _month(result.retention["month"], lang)}),
            ("cs.def.renewal", {})]


def revenue_sentences(result: SuccessResult, lang: str) -> list[Sentence]:
    """MRR now and its change over twelve months; the last month's movements."""
    out: list[Sentence] = []
    if set_aside := len(result.set_aside):
        counts = result.set_aside["reason"].value_counts()
        reasons = t("cs.list_sep", lang).join(f"{t(f'cs.reason.{c}', lang)} ({n})"
                                               for c, n in counts.items())
        out.append(("cs.say.set_aside", {"n": fmt_number(set_aside, lang), "reasons": reasons}))
    total = result.table.total
    if not len(total):
        return out
    change = t("cs.flat", lang)
    if len(total) > 12 and total.iloc[-13] > 0:
        rel = total.iloc[-1] / total.iloc[-13] - 1
        if abs(rel) >= 0.0005:
            change = t("cs.up" if rel > 0 else "cs.down", lang, pct=fmt_pct(abs(rel)))
    out.append(("cs.say.revenue", {"month": _month(total.index[-1], lang),
                                   "mrr": fmt_money(result.mrr, lang),
                                   "arr": fmt_money(result.arr, lang), "change": change}))
    last = result.bridge.iloc[-1]
    out.append(("cs.say.bridge_last", {"month": _month(last["month"], lang), **{
        k: fmt_money(last[k], lang) for k in ("new", "reactivation", "expansion", "contraction",
                                              "churned")}}))
    return out


def retention_sentences(result: SuccessResult, lang: str) -> list[Sentence]:
    """NRR, GRR, renewal and expansion rates, or why the 12-month figures are missing."""
    r = result.retention
    month = _month(r["month"], lang)
    if np.isnan(r["nrr"]):
        return [("cs.say.no_retention", {"month": month})]
    return [("cs.say.retention", {
        "nrr": _pct(r["nrr"]), "grr": _pct(r["grr"]),
        "customers": fmt_number(r["base_customers"], lang), "base": fmt_money(r["base_mrr"], lang),
        "renewal_rate": _pct(result.renewal_rate["renewal_rate"]),
        "expansion_rate": _pct(result.expansion_rate)}), ("cs.say.cohorts", {})]


def activation_sentences(result: SuccessResult, lang: str, activation_days: int = 30
                         ) -> list[Sentence]:
    """Activation rate and time to the key event; early usage against renewal."""
    act = result.activation
    judged = act[act["judged"]]
    if act["days_to_key_event"].isna().all():
        return [("cs.say.no_activation", {"event": result.key_event})]
    out: list[Sentence] = [("cs.say.activation", {
        "event": result.key_event, "days": activation_days,
        "rate": _pct(float(judged["activated"].mean()) if len(judged) else np.nan),
        "n": fmt_number(len(judged), lang),
        "median": fmt_number(float(act["days_to_key_event"].median()), lang)})]
    early = result.early_usage
    if len(early):
        w = early["window_days"].max()
        part = early[early["window_days"] == w].set_index("usage_tier")
        out.append(("cs.say.early_usage", {"window": int(w),
                                           "high": _pct(part["renewal_rate"].iloc[-1]),
                                           "low": _pct(part["renewal_rate"].iloc[0])}))
    return out


def health_sentences(result: SuccessResult, lang: str, min_drop: float = 10.0
                     ) -> list[Sentence]:
    """The score's make-up, its AUC against the churn that followed, learned weights, declines."""
    c = result.config
    out: list[Sentence] = [("cs.say.health_config", {
        "n": len(c.measures), "source": Path(c.source).name, "days": c.onboarding_days,
        "red": fmt_number(c.bands[0], lang), "yellow": fmt_number(c.bands[1], lang)})]
    b = result.backtest
    if not np.isnan(b["auc"]):
        cutoffs = b["sample"]["date"].nunique()
        out.append(("cs.say.health_auc", {"cutoffs": cutoffs, "days": result.horizon_days,
                                           "auc": f"{b['auc']:.3f}", "n": fmt_number(b["n"], lang)}))
    w = result.weights
    if len(w) and w["learned_weight"].notna().any():
        top = w.sort_values("learned_weight", ascending=False).head(2)["measure"]
        out.append(("cs.say.weights", {"top": t("cs.list_sep", lang).join(
            _measure_label(m, lang) for m in top)}))
    out.append(("cs.say.declines", {"n": fmt_number(len(result.declines), lang),
                                     "points": fmt_number(min_drop, lang)}))
    return out


def _measure_label(code: str, lang: str) -> str:
    key = f"cs.measure.{code}"
    return t(key, lang) if key in CATALOGUE else code


def renewal_sentences(result: SuccessResult, lang: str) -> list[Sentence]:
    """Renewals due and ARR at risk; whether the model beats the health score."""
    until = result.as_of + pd.Timedelta(days=result.horizon_days)
    until_text = until.strftime("%Y-%m-%d")
    r = result.renewals
    out: list[Sentence] = []
    if len(r):
        out.append(("cs.say.renewals", {"n": fmt_number(len(r), lang),
                                         "arr": fmt_money(float(r["arr"].sum()), lang),
                                         "until": until_text,
                                         "at_risk": fmt_money(float(r["arr_at_risk"].sum()), lang)}))
    else:
        out.append(("cs.say.no_renewals", {"until": until_text}))
    cmp = result.comparison
    if cmp["beats_health"] is None:
        out.append(("cs.say.model_untested", {}))
    else:
        key = "cs.say.model_beats" if cmp["beats_health"] else "cs.say.model_not_beats"
        out.append((key, {"days": cmp["test_days"], "model": f"{cmp['model_auc']:.3f}",
                          "health": f"{cmp['health_auc']:.3f}"}))
    return out


def expansion_sentence(result: SuccessResult, lang: str) -> Sentence:
    return ("cs.say.expansion", {"n": fmt_number(len(result.expansion), lang)})


def _labelled(frame: pd.DataFrame, labels: dict[str, str], lang: str) -> pd.DataFrame:
    return with_labels(frame, labels, lambda k: t(k, lang), lang)


BRIDGE_HEADERS = {"month": "cs.col.month", **{c: f"cs.move.{c}" for c in (
    "mrr_start", "new", "expansion", "contraction", "churned", "reactivation", "mrr_end")}}


#: Money columns of the bridge (currency units per month).
BRIDGE_MONEY = ("mrr_start", "new", "expansion", "contraction", "churned", "reactivation",
                "mrr_end")


def bridge_table(result: SuccessResult, months: int = 12, lang: str | None = None) -> pd.DataFrame:
    """The last ``months`` months of the bridge, newest first (currency units per month);
    with ``lang`` the amounts are formatted as money for display."""
    out = result.bridge.tail(months).iloc[::-1].copy()
    out["month"] = out["month"].dt.strftime("%Y-%m")
    return money_columns(out, BRIDGE_MONEY, lang) if lang is not None else out


RENEWAL_HEADERS = {"customer_id": "cs.col.customer_id", "renewal_date": "cs.col.renewal_date",
                   "arr": "cs.col.arr", "renewal_probability": "cs.col.renewal_probability",
                   "arr_at_risk": "cs.col.arr_at_risk", "health_score": "cs.col.health_score",
                   "health_trend": "cs.col.health_trend", "owner": "cs.col.owner",
                   "top_reasons_label": "cs.col.top_reasons",
                   "recommended_action_label": "cs.col.recommended_action"}


def renewals_table(result: SuccessResult, lang: str) -> pd.DataFrame:
    """Renewals due, highest ARR at risk first, with labelled reasons and actions."""
    r = result.renewals.copy()
    r["renewal_date"] = r["renewal_date"].dt.strftime("%Y-%m-%d")
    r = _labelled(r, EXPORT_LABELS, lang)
    return money_columns(r[list(RENEWAL_HEADERS)], ("arr", "arr_at_risk"), lang)


ACTIVATION_HEADERS = {"cohort": "cs.col.cohort", "accounts": "cs.col.accounts",
                      "activated": "cs.col.activated", "activation_rate": "cs.col.activation_rate",
                      "median_days_to_key_event": "cs.col.median_days"}


def activation_table(result: SuccessResult) -> pd.DataFrame:
    return result.activation_by_cohort[list(ACTIVATION_HEADERS)]


EARLY_HEADERS = {"window_days": "cs.col.window_days", "usage_tier_label": "cs.col.usage_tier",
                 "accounts": "cs.col.accounts", "mean_events": "cs.col.mean_events",
                 "renewal_rate": "cs.col.renewal_rate"}


def early_usage_table(result: SuccessResult, lang: str) -> pd.DataFrame:
    return _labelled(result.early_usage, {"usage_tier": "cs.tier.{code}"}, lang)[
        list(EARLY_HEADERS)]


BAND_HEADERS = {"health_band_label": "cs.col.health_band", "accounts": "cs.col.accounts",
                "churned": "cs.col.churned", "churn_rate": "cs.col.churn_rate"}


def band_table(result: SuccessResult, lang: str) -> pd.DataFrame:
    return _labelled(result.backtest["by_band"], {"health_band": "cs.band.{code}"}, lang)[
        list(BAND_HEADERS)]


WEIGHT_HEADERS = {"measure_label": "cs.col.measure", "group_label": "cs.col.group",
                  "configured_share": "cs.col.configured_share",
                  "learned_share": "cs.col.learned_share"}


def weights_table(result: SuccessResult, lang: str) -> pd.DataFrame:
    w = result.weights.rename(columns={"configured_weight": "configured_share",
                                       "learned_weight": "learned_share"})
    return _labelled(w, {"measure": "cs.measure.{code}", "group": "cs.group.{code}"}, lang)[
        list(WEIGHT_HEADERS)]


DECLINE_HEADERS = {"customer_id": "cs.col.customer_id", "health_score": "cs.col.health_score",
                   "change_7d": "cs.col.change_7d", "change_30d": "cs.col.change_30d"}


def declines_table(result: SuccessResult) -> pd.DataFrame:
    return result.declines[list(DECLINE_HEADERS)]


EXPANSION_HEADERS = {"customer_id": "cs.col.customer_id", "plan": "cs.col.plan",
                     "seats": "cs.col.seats", "seat_share": "cs.col.seat_share",
                     "usage_growth_pct": "cs.col.usage_growth_pct",
                     "propensity": "cs.col.propensity", "reasons_label": "cs.col.reasons"}


def expansion_table(result: SuccessResult, lang: str) -> pd.DataFrame:
    e = result.expansion.rename(columns={"usage_growth": "usage_growth_pct"})
    return _labelled(e, {"reasons": "cs.measure.{code}"}, lang)[list(EXPANSION_HEADERS)]
