"""Churn early warning, survival and retention targeting (客户流失预警与挽留).

The package, module by module:

- :mod:`.features`: training rows (features at each cutoff, labels from the window after),
  including the feedback features and the lifecycle stage that decides who is a row;
- :mod:`.model`: the pipelines, time-based cross-validation, permutation importance, the
  BG/NBD baselines and the snapshot-attribute leakage check;
- :mod:`.reasons`: behavioural reason codes and the recommended action code;
- :mod:`.health`: health score, churn rate by health band, expected-value ranking;
- :mod:`.survival`: Kaplan-Meier curves;
- :mod:`.workflow`: :func:`analyse` (everything in one call) and the shared ``churn`` result;
- :mod:`.plotting`: the charts (data in, Figure out);
- :mod:`.report`: every text the report shows (the only module that builds sentences).

Churn probability is a model score; who is active, at risk or churned is lifecycle's stage.
"""

from workbench.churn.features import (
    EXCLUDED,
    FEEDBACK_REASON_FEATURES,
    STATIC_ATTRIBUTES,
    ChurnData,
    attributes_as_of,
    contractual_data,
    feedback_features,
    monthly_cutoffs,
    snapshot_attributes,
    stages_at,
    transactional_data,
    transactional_features,
)
from workbench.churn.health import (
    DEFAULT_HEALTH_WEIGHTS,
    expected_value_ranking,
    health_bands,
    health_score,
)
from workbench.churn.model import (
    ModelReport,
    evaluate_models,
    gains_table,
    importance,
    leakage_check,
    make_model,
    predict,
)
from workbench.churn.plotting import (
    plot_budget_curve,
    plot_calibration,
    plot_gains,
    plot_health_bands,
    plot_importance,
    plot_roc_pr,
    plot_survival,
)
from workbench.churn.reasons import (
    ACTIONS,
    NO_REASON,
    SERVICE_REASONS,
    ReasonRules,
    fit_reason_rules,
    reason_codes,
    reason_signals,
    recommended_actions,
)
from workbench.churn.report import (
    action_table,
    category_label,
    churn_metrics,
    closing_note,
    confusion_at,
    confusion_sentence,
    describe_setting,
    event_label,
    explore_widget,
    export_frame,
    feature_label,
    health_sentence,
    kpis,
    model_name,
    model_sentences,
    reason_label,
    reason_texts,
    reasons,
    scores_table,
    survival_groupings,
    survival_sentence,
    targeting_sentence,
)
from workbench.churn.survival import kaplan_meier
from workbench.churn.workflow import (
    EXPORT_COLUMNS,
    EXPORT_LABELS,
    SURVIVAL_GROUPS,
    ChurnResult,
    analyse,
    churn_result,
    comparison,
    high_risk,
    latest_cutoff,
    resolve_setting,
    with_measured_effect,
)

__all__ = [
    "ACTIONS",
    "DEFAULT_HEALTH_WEIGHTS",
    "EXCLUDED",
    "EXPORT_COLUMNS",
    "EXPORT_LABELS",
    "FEEDBACK_REASON_FEATURES",
    "NO_REASON",
    "SERVICE_REASONS",
    "STATIC_ATTRIBUTES",
    "SURVIVAL_GROUPS",
    "ChurnData",
    "ChurnResult",
    "ModelReport",
    "ReasonRules",
    "action_table",
    "analyse",
    "attributes_as_of",
    "category_label",
    "churn_metrics",
    "churn_result",
    "closing_note",
    "comparison",
    "confusion_at",
    "confusion_sentence",
    "contractual_data",
    "describe_setting",
    "evaluate_models",
    "event_label",
    "expected_value_ranking",
    "explore_widget",
    "export_frame",
    "feature_label",
    "feedback_features",
    "fit_reason_rules",
    "gains_table",
    "health_bands",
    "health_score",
    "health_sentence",
    "high_risk",
    "importance",
    "kaplan_meier",
    "kpis",
    "latest_cutoff",
    "leakage_check",
    "make_model",
    "model_name",
    "model_sentences",
    "monthly_cutoffs",
    "plot_budget_curve",
    "plot_calibration",
    "plot_gains",
    "plot_health_bands",
    "plot_importance",
    "plot_roc_pr",
    "plot_survival",
    "predict",
    "reason_codes",
    "reason_label",
    "reason_signals",
    "reason_texts",
    "reasons",
    "recommended_actions",
    "resolve_setting",
    "scores_table",
    "snapshot_attributes",
    "stages_at",
    "survival_groupings",
    "survival_sentence",
    "targeting_sentence",
    "transactional_data",
    "transactional_features",
    "with_measured_effect",
]
