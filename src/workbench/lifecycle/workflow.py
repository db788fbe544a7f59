"""The lifecycle report's words: stage names and actions, rules and narrative values.

Computation lives in :mod:`~workbench.lifecycle.stages` and :mod:`~workbench.lifecycle.cohorts`;
this module turns its codes and numbers into the tables, sentences and widget of
``03_lifecycle``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from workbench.i18n import fmt_money, fmt_number, money_columns, t
from workbench.lifecycle.plotting import plot_transition_heatmap
from workbench.lifecycle.stages import (
    STAGES,
    PurchaseHistory,
    StageRules,
    moved_into_risk,
    transition_matrix,
)

__all__ = ["STAGE_ACTIONS", "cohort_text_values", "early_warning", "explore_widget", "headline",
           "rule_sentences", "stage_table", "transition_summary", "warning_table",
           "warning_values"]

#: Recommended action per stage, shown in the early-warning list (catalogue keys).
STAGE_ACTIONS = {stage: f"life.action.{stage}" for stage in STAGES}


def early_warning(history: PurchaseHistory, previous: pd.Timestamp, current: pd.Timestamp,
                  rules: StageRules, lang: str = "en") -> pd.DataFrame:
    """Customers who moved into at risk or churned since ``previous``, most valuable first,
    with the recommended action in ``lang`` (:func:`~workbench.lifecycle.stages.moved_into_risk`)."""
    out = moved_into_risk(history, previous, current, rules)
    out["action"] = [t(STAGE_ACTIONS[s], lang) for s in out["stage"]]
    return out


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



def cohort_text_values(metrics: dict[str, Any]) -> dict[str, str]:
    """Month-1 and month-3 retention and the repeat rate as percentages for the narrative."""
    def pct(value: float | None) -> str:
        return f"{value:.0%}" if value is not None else "–"

    return {"m1": pct(metrics["cohort_retention_month_1"]),
            "m3": pct(metrics["cohort_retention_month_3"]),
            "repeat": pct(metrics["repeat_purchase_rate"])}
