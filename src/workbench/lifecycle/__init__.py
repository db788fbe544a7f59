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

These stages are the package's one definition of active / at risk / churned: other reports
read the shared ``stages`` result (or :func:`current_stages` when it is absent).

* :mod:`~workbench.lifecycle.stages` - rules, purchase history, snapshots, transitions;
* :mod:`~workbench.lifecycle.cohorts` - cohorts, repeat purchase, funnel, metrics;
* :mod:`~workbench.lifecycle.plotting` - the charts (data in, Figure out);
* :mod:`~workbench.lifecycle.workflow` - the report's words: names, actions, sentences.
"""

from workbench.lifecycle.cohorts import (
    cohort_matrix,
    funnel,
    inter_purchase_gaps,
    lifecycle_metrics,
    time_to_second_purchase,
)
from workbench.lifecycle.plotting import (
    STAGE_COLORS,
    plot_cohort_heatmap,
    plot_cumulative_revenue,
    plot_funnel,
    plot_stage_area,
    plot_time_to_second,
    plot_transition_heatmap,
)
from workbench.lifecycle.stages import (
    EXPORT_COLUMNS,
    EXPORT_LABELS,
    STAGES,
    PurchaseHistory,
    StageRules,
    current_stages,
    derive_rules,
    export_frame,
    monthly_snapshots,
    moved_into_risk,
    rules_from_parameters,
    stages_result,
    transition_matrix,
)
from workbench.lifecycle.workflow import (
    STAGE_ACTIONS,
    cohort_text_values,
    early_warning,
    explore_widget,
    headline,
    rule_sentences,
    stage_table,
    transition_summary,
    warning_table,
    warning_values,
)

__all__ = [
    "EXPORT_COLUMNS",
    "EXPORT_LABELS",
    "STAGES",
    "STAGE_ACTIONS",
    "STAGE_COLORS",
    "PurchaseHistory",
    "StageRules",
    "cohort_matrix",
    "cohort_text_values",
    "current_stages",
    "derive_rules",
    "early_warning",
    "explore_widget",
    "export_frame",
    "funnel",
    "headline",
    "inter_purchase_gaps",
    "lifecycle_metrics",
    "monthly_snapshots",
    "moved_into_risk",
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
