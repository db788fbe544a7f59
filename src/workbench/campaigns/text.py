"""Report layer of the campaigns report: headers, display tables, sentences and notes.

The numbers come from :mod:`workbench.campaigns.workflow`; this module turns them into
catalogue text (``camp.*`` in ``workbench/locales/campaigns.py``) in the report language.
Sentences are returned as ``(key, values)`` for ``ctx.say(key, **values)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.campaigns.data import CONTROL
from workbench.campaigns.policy import do_not_contact
from workbench.campaigns.workflow import CampaignResult, NextCampaign, choose_arm
from workbench.i18n import fmt_money, fmt_p, fmt_pct, fmt_pp, t
from workbench.results import RESULTS

__all__ = [
    "EFFECT_HEADERS",
    "GROUP_HEADERS",
    "MODEL_HEADERS",
    "arm_sentences",
    "closing_sentences",
    "dnc_sentence",
    "effect_source_sentence",
    "effects_table",
    "group_sections",
    "headline",
    "intro_sentences",
    "model_sentences",
    "model_table",
    "next_sentence",
    "note_sentences",
    "policy_sentence",
    "save_rate_sentence",
    "text",
]

EFFECT_HEADERS = {"campaign_id": "camp.col.campaign", "arm": "camp.col.arm",
                  "customers": "camp.col.customers", "conversion": "camp.col.conversion",
                  "control_conversion": "camp.col.control_conversion", "uplift": "camp.col.uplift",
                  "uplift_low": "camp.col.uplift_low", "uplift_high": "camp.col.uplift_high",
                  "p_adjusted": "camp.col.p_adjusted",
                  "revenue_per_customer": "camp.col.revenue_per_customer",
                  "incremental_revenue": "camp.col.incremental_revenue", "cost": "camp.col.cost",
                  "roi": "camp.col.roi", "reason": "camp.col.reason"}
GROUP_HEADERS = {"value": "camp.col.group_value", "customers": "camp.col.customers",
                 "conversion": "camp.col.conversion", "control_conversion": "camp.col.control_conversion",
                 "uplift": "camp.col.uplift", "uplift_low": "camp.col.uplift_low",
                 "uplift_high": "camp.col.uplift_high", "reason": "camp.col.reason"}
MODEL_HEADERS = {"campaign_id": "camp.col.campaign", "arm": "camp.col.arm",
                 "customers": "camp.col.customers", "qini": "camp.col.qini",
                 "qini_low": "camp.col.qini_low", "qini_high": "camp.col.qini_high",
                 "auuc": "camp.col.auuc", "proxy_qini": "camp.col.proxy_qini"}


def text(key: str, lang: str = "en", **values: Any) -> str:
    """Catalogue text (:func:`workbench.i18n.t`; the registry loads the ``camp.*`` entries)."""
    return t(key, lang, **values)


def _pp(value: float, lang: str) -> str:
    return fmt_pp(float(value), lang) if pd.notna(value) else "–"


def _pct(value: float) -> str:
    return fmt_pct(float(value)) if pd.notna(value) else "–"


def _roi(value: float) -> str:
    return fmt_pct(float(value), 0) if pd.notna(value) else "–"


def effects_table(result: CampaignResult, lang: str = "en") -> pd.DataFrame:
    """The effects per campaign and arm for display: shares as %, differences in pp, money."""
    e = result.effects
    out = pd.DataFrame({
        "campaign_id": e["campaign_id"],
        "arm": [text("camp.arm.control", lang) if a == CONTROL else a for a in e["arm"]],
        "customers": e["customers"].astype(int),
        "conversion": [_pct(v) for v in e["conversion"]],
        "control_conversion": [_pct(v) for v in e["control_conversion"]],
        "uplift": [_pp(v, lang) for v in e["uplift"]],
        "uplift_low": [_pp(v, lang) for v in e["uplift_low"]],
        "uplift_high": [_pp(v, lang) for v in e["uplift_high"]],
        "p_adjusted": [fmt_p(float(v)) if pd.notna(v) else "–" for v in e["p_adjusted"]],
        "revenue_per_customer": [fmt_money(float(v), lang) for v in e["revenue_per_customer"]],
        "incremental_revenue": [fmt_money(float(v), lang) if pd.notna(v) else "–"
                                for v in e["incremental_revenue"]],
        "cost": [fmt_money(float(v), lang) if pd.notna(v) else "–" for v in e["cost"]],
        "roi": [_roi(v) for v in e["roi"]],
        "reason": [text(f"camp.reason.{r}", lang) if r else "" for r in e["reason"]],
    })
    return out.astype({c: object for c in out.columns if c != "customers"})


def intro_sentences(result: CampaignResult, lang: str = "en") -> list[tuple[str, dict[str, str]]]:
    """The method sentence, and Holm's when a campaign has several arms."""
    out = [("camp.intro", {"campaigns": f"{result.effects['campaign_id'].nunique():,}",
                           "contacts": f"{len(result.outcomes):,}", "days": str(result.window_days)})]
    if (result.effects["adjustment"] == "holm").any():
        out.append(("camp.holm", {}))
    return out


def arm_sentences(result: CampaignResult, lang: str = "en") -> list[tuple[str, dict[str, str]]]:
    """One sentence per treated arm: conversion, uplift with interval and p, revenue and ROI."""
    out = []
    for _, r in result.effects[result.effects["arm"] != CONTROL].iterrows():
        values = {"campaign": r["campaign_id"], "arm": r["arm"], "conversion": _pct(r["conversion"])}
        if r["reason"] == "no_control":
            out.append(("camp.arm_no_control", values))
            continue
        if r["reason"]:
            continue
        values.update(control=_pct(r["control_conversion"]), uplift=_pp(r["uplift"], lang),
                      low=_pp(r["uplift_low"], lang), high=_pp(r["uplift_high"], lang),
                      p=fmt_p(float(r["p_adjusted"])),
                      incremental=fmt_money(float(r["incremental_revenue"]), lang), roi=_roi(r["roi"]))
        out.append(("camp.arm_text", values))
    return out


def note_sentences(result: CampaignResult) -> list[tuple[str, dict[str, str]]]:
    """The analysis notes (no control, incomplete windows, groups after the campaigns)."""
    return [(f"camp.note.{code}", {k: str(v) for k, v in values.items()})
            for code, values in result.notes]


def _group_label(column: str, code: str, lang: str) -> str:
    """The report-language label of a shared result's code (segment, stage), else the code."""
    for schema in RESULTS.values():
        spec = schema.labels.get(column)
        if isinstance(spec, str):
            try:
                return t(spec.format(code=code), lang)
            except KeyError:
                return code
    return code


def group_sections(result: CampaignResult, lang: str = "en"
                   ) -> list[tuple[str, dict[str, str], pd.DataFrame]]:
    """Per group column and treated arm: the sentence and the display table of uplift by group."""
    out = []
    groups = result.groups
    for (column, campaign, arm), part in groups.groupby(["group", "campaign_id", "arm"], sort=False):
        shown = pd.DataFrame({
            "value": [_group_label(column, str(v), lang) for v in part["value"]],
            "customers": part["customers"].astype(int),
            "conversion": [_pct(v) for v in part["conversion"]],
            "control_conversion": [_pct(v) for v in part["control_conversion"]],
            "uplift": [_pp(v, lang) for v in part["uplift"]],
            "uplift_low": [_pp(v, lang) for v in part["uplift_low"]],
            "uplift_high": [_pp(v, lang) for v in part["uplift_high"]],
            "reason": [text(f"camp.reason.{r}", lang) if r else "" for r in part["reason"]]})
        out.append(("camp.groups_text", {"group": text(f"camp.group.{column}", lang),
                                         "campaign": campaign, "arm": arm}, shown))
    return out


def model_sentences(result: CampaignResult, lang: str = "en") -> list[tuple[str, dict[str, str]]]:
    """The model's method and, per modelled arm, its Qini coefficient against random and the proxy."""
    out = [("camp.model_text", {"learner": text(f"camp.learner.{result.learner}", lang),
                                "folds": str(result.n_folds)})]
    for _, r in result.evaluation.iterrows():
        out.append(("camp.model_arm", {"campaign": r["campaign_id"], "arm": r["arm"],
                                       "qini": f"{r['qini']:.3f}", "low": f"{r['qini_low']:.3f}",
                                       "high": f"{r['qini_high']:.3f}", "auuc": f"{r['auuc']:.3f}",
                                       "proxy": f"{r['proxy_qini']:.3f}"}))
    return out


def model_table(result: CampaignResult) -> pd.DataFrame:
    """The model evaluation for display (three decimals)."""
    shown = result.evaluation[list(MODEL_HEADERS)].copy()
    for column in ("qini", "qini_low", "qini_high", "auuc", "proxy_qini"):
        shown[column] = [f"{v:.3f}" if pd.notna(v) else "–" for v in shown[column]]
    return shown.astype({c: object for c in shown.columns if c != "customers"})


def policy_sentence(arm: tuple[str, str] | None, ranked: pd.DataFrame, curve: pd.DataFrame,
                    lang: str = "en") -> tuple[str, dict[str, str]] | None:
    """How the ranking works and where the budget curve peaks; None without a modelled arm."""
    if arm is None or not len(ranked):
        return None
    best = int(curve["net"].idxmax())
    return ("camp.policy_text", {"campaign": arm[0], "arm": arm[1],
                                 "cost": fmt_money(float(ranked["cost"].mean()), lang),
                                 "best": f"{int(curve.loc[best, 'contacts']):,}",
                                 "net": fmt_money(float(curve.loc[best, "net"]), lang)})


def dnc_sentence(dnc: pd.DataFrame) -> tuple[str, dict[str, str]]:
    """The do-not-contact list's size, by campaign arm (largest first)."""
    counts = (dnc.groupby(["campaign_id", "arm"]).size().sort_values(ascending=False, kind="stable")
              if len(dnc) else pd.Series(dtype="int64"))
    by_arm = "; ".join(f"{c} / {a}: {n:,}" for (c, a), n in counts.items()) or "–"
    return ("camp.dnc_text", {"n": f"{len(dnc):,}", "by_arm": by_arm})


def next_sentence(plan: NextCampaign, *, seed: int, lang: str = "en") -> tuple[str, dict[str, str]]:
    """The holdout plan of the next campaign in one sentence."""
    p = plan.plan
    if p is None:
        return ("camp.next_none", {})
    values = {"mde": fmt_pp(p.mde, lang), "baseline": fmt_pct(p.baseline),
              "power": fmt_pct(p.target_power, 0), "alpha": f"{p.alpha:g}",
              "per_arm": f"{p.per_arm:,}", "audience": f"{p.control + p.treated:,}",
              "control": f"{p.control:,}", "reached": fmt_pct(p.power, 0), "seed": str(seed)}
    return ("camp.next_text" if p.achievable else "camp.next_short", values)


def save_rate_sentence(uplift: pd.DataFrame, lang: str = "en") -> tuple[str, dict[str, str]] | None:
    """Which measured uplift targeting can use instead of the constant save rate."""
    whole = uplift[uplift["segment"] == "all"] if len(uplift) else uplift
    if not len(whole):
        return None
    r = whole.iloc[0]
    return ("camp.save_rate", {"campaign": r["campaign_id"], "arm": r["arm"],
                               "uplift": _pp(r["uplift"], lang)})


def headline(result: CampaignResult) -> dict[str, str]:
    """The overview's one-line reading of the campaigns, in every report language: the arm
    worth repeating with its measured uplift, or why nothing was measured."""
    arm = choose_arm(result, modelled=False)
    out = {}
    for lang in ("en", "zh"):
        if arm is None:
            out[lang] = t("camp.headline_none", lang,
                          n=f"{result.effects['campaign_id'].nunique():,}")
            continue
        eff = result.effects.set_index(["campaign_id", "arm"]).loc[arm]
        out[lang] = t("camp.headline", lang, campaign=arm[0], arm=arm[1],
                      uplift=_pp(eff["uplift"], lang), low=_pp(eff["uplift_low"], lang),
                      high=_pp(eff["uplift_high"], lang),
                      dnc=f"{len(do_not_contact(result.scores)):,}")
    return out


def effect_source_sentence(measured: Any, constant: float, lang: str = "en"
                           ) -> tuple[str, dict[str, str]]:
    """Which save rate targeting used: the measured campaign uplift, or the assumed constant.

    ``measured`` is :func:`workbench.campaigns.measured_effect` of the run (None without a
    measured campaign); ``constant`` the assumed rate (0-1) that applies otherwise.
    """
    if measured is None:
        return ("camp.effect.constant", {"rate": fmt_pct(constant, 0)})
    values = {"campaign": measured.campaign_id, "arm": measured.arm,
              "overall": _pp(measured.overall, lang), "rate": fmt_pct(constant, 0)}
    if not len(measured.by_segment):
        return ("camp.effect.measured_overall", values)
    values.update(low=_pp(float(measured.by_segment.min()), lang),
                  high=_pp(float(measured.by_segment.max()), lang),
                  segments=f"{len(measured.by_segment):,}")
    return ("camp.effect.measured", values)


def closing_sentences(result: CampaignResult, planted: pd.DataFrame | None, lang: str = "en"
                      ) -> list[tuple[str, dict[str, str]]]:
    """Planted beside recovered uplift per arm (the demo's ``truth/campaign_effects.csv``)."""
    if planted is None or not len(planted):
        return []
    effects = result.effects.set_index(["campaign_id", "arm"])
    out = []
    for _, row in planted.iterrows():
        key = (row["campaign_id"], row["arm"])
        if key not in effects.index or not np.isfinite(effects.loc[key, "uplift"]):
            continue
        m = effects.loc[key]
        out.append(("camp.closing_row", {"campaign": key[0], "arm": key[1],
                                         "planted": _pp(row["planted_uplift"], lang),
                                         "measured": _pp(m["uplift"], lang),
                                         "low": _pp(m["uplift_low"], lang),
                                         "high": _pp(m["uplift_high"], lang)}))
    return out
