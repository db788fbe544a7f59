"""Report layer of this week's action list: sentences, tables, the chart and the metrics.

The numbers come from :mod:`workbench.actions`; this module turns them into catalogue text
(``act.*`` in ``workbench/locales/actions.py``) in the report language. Code columns stay codes
in the export; labels are added beside them (:data:`EXPORT_LABELS`).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from workbench.actions import (
    ACTIONS,
    FACTORS,
    RESULT_OF_SOURCE,
    SOURCES,
    Rule,
    absent_sources,
    counts,
)
from workbench.charts import axes_for
from workbench.i18n import fmt_money, fmt_number, fmt_pct, fmt_pp, t
from workbench.style import PALETTE, format_count_axis, format_money_axis
from workbench.summary import day_after

__all__ = ["EXPORT_LABELS", "FACTOR_HEADERS", "LIST_HEADERS", "RESULT_NAMES", "absent_sentence",
           "coverage_sentence", "empty_sentence", "factors_table", "kpi_cards", "list_sentence", "list_table",
           "metrics", "plot_cumulative", "rule_sentences"]

#: Shared results the report reads (the sources' results and the segments as a fallback).
RESULT_NAMES = (*RESULT_OF_SOURCE.values(), "segments", "campaign_uplift")
#: Label key templates of the export's code columns.
EXPORT_LABELS = {"action": "act.action.{code}", "reason": "act.reason.{code}"}
#: Headers of the list shown in the report.
LIST_HEADERS = {c: f"act.col.{c}" for c in ("rank", "customer_id", "action", "reason",
                                              "channel", "owner", "expected_value", "source")}
FACTOR_HEADERS = {c: f"act.fcol.{c}" for c in ("source", "who", "action", "probability",
                                                 "value", "effect", "status")}


def _period(as_of: pd.Timestamp, period_days: int) -> dict[str, str]:
    start = day_after(as_of)
    end = start + pd.Timedelta(days=period_days - 1)
    return {"start": str(start.date()), "end": str(end.date())}


def rule_sentences(rule: Rule, *, contacts: int, as_of: pd.Timestamp, period_days: int,
                   lang: str, measured: Any = None) -> list[tuple[str, dict[str, Any]]]:
    """The rule and its assumptions as (catalogue key, values) pairs for ``ctx.say``.

    ``measured``: the run's measured campaign uplift (:func:`workbench.campaigns.measured_effect`)
    that replaced the assumed retention effect, or None; the sentences say which was used.
    """
    from workbench.campaigns.text import effect_source_sentence

    out = [
        ("act.rule", {"cost": fmt_money(rule.cost_per_contact, lang),
                      "contacts": fmt_number(contacts, lang), **_period(as_of, period_days)}),
        ("act.rule.assumptions" if measured is None else "act.rule.assumptions_measured",
         {"retention": fmt_pct(rule.effect_retention, 0),
          "nurture": fmt_pct(rule.effect_nurture, 0),
          "cross_sell": fmt_pct(rule.effect_cross_sell, 0)}),
        effect_source_sentence(measured, rule.effect_retention, lang),
    ]
    if measured is not None:
        out.append(("act.rule.measured_scope", {}))
    return out


def _threshold(value: float) -> str:
    """A probability threshold as written in the rule (0.85)."""
    return f"{value:g}"


def factors_table(rule: Rule, found: pd.DataFrame, results: Mapping[str, Any],
                  lang: str, measured: Any = None) -> pd.DataFrame:
    """Per source: who it proposes, the action, where each factor comes from, and its status.

    With ``measured`` (the run's measured campaign uplift) the retention effect reads as the
    measured uplift of that campaign arm per segment.
    """
    assumed = fmt_pct(rule.effect_retention, 0)
    retention = (t("act.measured_effect", lang, campaign=measured.campaign_id, arm=measured.arm)
                 if measured is not None else assumed)
    values = {"default_risk": fmt_pct(rule.default_risk, 0), "fading": fmt_pct(rule.fading_alive, 0),
              "drop": fmt_pp(rule.alive_drop, lang, 0).lstrip("+"), "renewal_effect": assumed,
              "days": rule.feedback_days, "retention": retention,
              "nurture": fmt_pct(rule.effect_nurture, 0),
              "cross_sell": fmt_pct(rule.effect_cross_sell, 0),
              "renewal_below": _threshold(rule.renewal_below)}
    absent = set(absent_sources(results))
    per_source = found["source"].value_counts()
    rows = []
    for source in SOURCES:
        probability, value, effect = FACTORS[source]
        status = (t("act.status.absent", lang) if source in absent else
                  t("act.status.present", lang, n=fmt_number(int(per_source.get(source, 0)), lang)))
        rows.append({"source": t(f"act.source.{source}", lang),
                     "who": _fill(f"act.who.{source}", lang, values),
                     "action": t(f"act.do.{source}", lang),
                     "probability": _fill(f"act.factor.{probability}", lang, values),
                     "value": _fill(f"act.factor.{value}", lang, values),
                     "effect": _fill(f"act.factor.{effect}", lang, values),
                     "status": status})
    return pd.DataFrame(rows)


def _fill(key: str, lang: str, values: Mapping[str, Any]) -> str:
    fields = {f for _, f, _, _ in string.Formatter().parse(t(key, lang)) if f}
    return t(key, lang, **{k: v for k, v in values.items() if k in fields})


def absent_sentence(results: Mapping[str, Any], lang: str) -> tuple[str, dict[str, Any]] | None:
    """Which sources gave no candidates because their result is absent (None when none is)."""
    absent = absent_sources(results)
    if not absent:
        return None
    joiner = "、" if lang == "zh" else ", "
    return "act.absent", {"sources": joiner.join(t(f"act.source.{s}", lang) for s in absent)}


def list_table(listing: pd.DataFrame, lang: str, rows: int = 20) -> pd.DataFrame:
    """The top ``rows`` of the list for display: labels for codes, money as text."""
    shown = listing.head(rows).copy()
    for column in ("action", "reason", "source"):
        shown[column] = [t(f"act.{column}.{code}", lang) for code in shown[column]]
    shown["expected_value"] = [fmt_money(v, lang) for v in shown["expected_value"]]
    for column in ("channel", "owner"):  # no channel or owner in the data: a dash, not "None"
        shown[column] = shown[column].astype(object).where(shown[column].notna(), "–")
    return shown[list(LIST_HEADERS)]


def coverage_sentence(cover: Mapping[str, Any], lang: str) -> tuple[str, dict[str, Any]]:
    """The coverage of the budget as (catalogue key, values)."""
    return "act.coverage", {
        "contacts": fmt_number(cover["contacts"], lang),
        "value": fmt_money(cover["expected_value"], lang),
        "share": fmt_pct(cover["captured_share"]) if cover["captured_share"] is not None else "–",
        "total": fmt_money(cover["total_value"], lang),
        "candidates": fmt_number(cover["candidates"], lang),
        "held_back": fmt_number(cover["held_back"], lang),
        "next": fmt_money(cover["next_100_value"], lang)}


def kpi_cards(cover: Mapping[str, Any], contacts: int, lang: str) -> list[tuple[str, str, str]]:
    """(label, value, note) cards: contacts, expected value, share captured, next 100."""
    share = cover["captured_share"]
    return [
        (t("act.kpi.contacts", lang), fmt_number(cover["contacts"], lang),
         t("act.kpi.budget", lang, contacts=fmt_number(contacts, lang))),
        (t("act.kpi.value", lang), fmt_money(cover["expected_value"], lang), ""),
        (t("act.kpi.share", lang), fmt_pct(share) if share is not None else "–", ""),
        (t("act.kpi.next", lang), fmt_money(cover["next_100_value"], lang), ""),
    ]


def plot_cumulative(curve: pd.DataFrame, *, contacts: int, lang: str = "en",
                    ax: Axes | None = None) -> Figure:
    """Cumulative expected value against the number of contacts, the budget marked.

    ``curve`` is :func:`workbench.actions.cumulative` (columns ``contacts`` and
    ``cumulative_value`` in currency units).
    """
    if contacts < 0:
        raise ValueError(f"contacts must not be negative, got {contacts}")
    fig, ax = axes_for(ax, (8, 4))
    ax.plot(curve["contacts"], curve["cumulative_value"], color=PALETTE[0],
            label=t("act.chart.y", lang))
    ax.axvline(min(contacts, int(curve["contacts"].max())), color=PALETTE[3], linestyle="--",
               label=t("act.chart.budget", lang, contacts=fmt_number(contacts, lang)))
    ax.set(title=t("act.chart.title", lang), xlabel=t("act.chart.x", lang),
           ylabel=t("act.chart.y", lang), xlim=(0, max(int(curve["contacts"].max()), 1)))
    format_money_axis(ax.yaxis, lang)
    format_count_axis(ax.xaxis, lang)
    ax.legend(loc="lower right")
    return fig


def metrics(listing: pd.DataFrame, cover: Mapping[str, Any]) -> dict[str, Any]:
    """The ``actions`` part of ``metrics.json``: counts, expected value, coverage, headline."""
    share = cover["captured_share"]
    return {
        "contacts": len(listing),
        "expected_value": round(float(cover["expected_value"]), 2),
        "by_action": counts(listing, "action", ACTIONS),
        "by_source": counts(listing, "source", SOURCES),
        "captured_share": share,
        "next_100_value": round(float(cover["next_100_value"]), 2),
        "candidates": cover["candidates"],
        "headline": {lang: t("act.headline", lang, contacts=fmt_number(len(listing), lang),
                             value=fmt_money(cover["expected_value"], lang),
                             share=fmt_pct(share) if share is not None else "–")
                     for lang in ("en", "zh")},
    }


def list_sentence(listing: pd.DataFrame, results: Mapping[str, Any], rule: Rule, lang: str,
                  rows: int = 20) -> tuple[str, dict[str, Any]]:
    """The sentence above the list: how much of it is shown, or why it is empty."""
    if len(listing):
        return "act.list.intro", {"shown": fmt_number(min(len(listing), rows), lang),
                                  "contacts": fmt_number(len(listing), lang)}
    return empty_sentence(results, rule, lang)


def empty_sentence(results: Mapping[str, Any], rule: Rule, lang: str
                   ) -> tuple[str, dict[str, Any]]:
    """Why the list is empty: no analysis result at all, or no positive expected value."""
    if len(absent_sources(results)) == len(SOURCES):
        return "act.no_results", {}
    return "act.no_positive", {"cost": fmt_money(rule.cost_per_contact, lang)}
