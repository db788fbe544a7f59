"""Customer segmentation (客户分层): RFM scores and segments, value tiers, clusters, personas.

Input is the per-customer summary of :func:`workbench.summary.customer_summary` (raw RFM
values: ``recency_days`` in days, ``frequency`` in orders, ``monetary`` in currency units) and,
for clustering, the transactions themselves.

* :mod:`~workbench.segmentation.rfm` - RFM scores and the 8-class / 11-segment schemes;
* :mod:`~workbench.segmentation.value` - value tiers, concentration, membership levels;
* :mod:`~workbench.segmentation.clusters` - behaviour features, clusters, persona codes;
* :mod:`~workbench.segmentation.profiles` - attributes beside the segments;
* :mod:`~workbench.segmentation.plotting` - the charts (data in, Figure out);
* :mod:`~workbench.segmentation.workflow` - the one call :func:`segment` and the report's
  words: names in the report language, tables, cards, export and metrics.

The computation modules hold codes and numbers only; every sentence and name in a report
language comes from ``workflow`` (and chart titles from ``plotting``).
"""

from workbench.segmentation.clusters import (
    PERSONA_RULES,
    BehaviourClusters,
    behaviour_features,
    persona_codes,
)
from workbench.segmentation.plotting import (
    plot_cluster_map,
    plot_demographic,
    plot_lorenz,
    plot_rfm_heatmap,
    plot_segments,
)
from workbench.segmentation.profiles import (
    AGE_BANDS,
    DEMOGRAPHIC_ATTRIBUTES,
    attribute_cuts,
    segment_profile,
    with_attributes,
)
from workbench.segmentation.rfm import (
    CN8_SEGMENTS,
    EN11_GRID,
    EN11_SEGMENTS,
    rfm_scores,
    score_quantiles,
    segment_cn8,
    segment_en11,
)
from workbench.segmentation.value import (
    concentration,
    gini,
    lorenz_curve,
    membership_summary,
    membership_table,
    tier_order,
    top_share,
    value_tiers,
)
from workbench.segmentation.workflow import (
    EXPORT_COLUMNS,
    EXPORT_LABELS,
    Segmentation,
    age_band_labels,
    demographic_cuts,
    explore_widget,
    export_frame,
    membership_headline,
    name_personas,
    persona_cards,
    persona_name,
    segment,
    segment_table,
    segmentation_metrics,
    segments_result,
    tier_names,
    tier_table,
)

__all__ = [
    "AGE_BANDS",
    "CN8_SEGMENTS",
    "DEMOGRAPHIC_ATTRIBUTES",
    "EN11_GRID",
    "EN11_SEGMENTS",
    "EXPORT_COLUMNS",
    "EXPORT_LABELS",
    "PERSONA_RULES",
    "BehaviourClusters",
    "Segmentation",
    "age_band_labels",
    "attribute_cuts",
    "behaviour_features",
    "concentration",
    "demographic_cuts",
    "explore_widget",
    "export_frame",
    "gini",
    "lorenz_curve",
    "membership_headline",
    "membership_summary",
    "membership_table",
    "name_personas",
    "persona_cards",
    "persona_codes",
    "persona_name",
    "plot_cluster_map",
    "plot_demographic",
    "plot_lorenz",
    "plot_rfm_heatmap",
    "plot_segments",
    "rfm_scores",
    "score_quantiles",
    "segment",
    "segment_cn8",
    "segment_en11",
    "segment_profile",
    "segment_table",
    "segmentation_metrics",
    "segments_result",
    "tier_names",
    "tier_order",
    "tier_table",
    "top_share",
    "value_tiers",
    "with_attributes",
]
