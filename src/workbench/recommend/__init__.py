"""Next-best offer (个性化推荐): co-purchase recommendations, association rules, evaluation.

Everything works on a sparse customer x item matrix (``scipy.sparse``): items are products
(``product_id``) or categories (``category``), chosen with ``level``.

Models
------
* ``popularity``: the share of customers who bought each item (the baseline).
* ``cosine`` / ``lift``: item-to-item co-purchase. Two items are similar when the same
  customers bought both: cosine ``c_ij / sqrt(n_i n_j)`` or lift ``c_ij N / (n_i n_j)``. A
  customer's score for item j is the sum of the similarities of j to the items they bought.

Already-bought items are excluded (``exclude_bought=True``) or kept with their score scaled by
``bought_weight``. Customers without purchases (cold start) get the most popular items of
their segment (any column you pass: RFM segment, membership tier, ...), else of everyone.

Modules
-------
Computation (numbers and codes, no sentences): :mod:`~workbench.recommend.matrices`,
:mod:`~workbench.recommend.rules`, :mod:`~workbench.recommend.model`,
:mod:`~workbench.recommend.evaluation`, :mod:`~workbench.recommend.cross_sell`. Charts:
:mod:`~workbench.recommend.plotting`. Report text (catalogue sentences, headers, labels,
metrics): :mod:`~workbench.recommend.text`.
"""

from workbench.recommend.cross_sell import (
    EXPORT_COLUMNS,
    all_customers,
    cross_sell_by_segment,
    result_frame,
    segment_series,
)
from workbench.recommend.evaluation import (
    baseline_gap,
    best_model,
    evaluate,
    evaluate_recent,
    evaluation_metrics,
    precision_recall_at_n,
    rates_at_n,
    time_split,
)
from workbench.recommend.matrices import (
    Interactions,
    Level,
    available_levels,
    codes_in,
    interactions,
    item_column,
    item_similarity,
    resolve_level,
)
from workbench.recommend.model import MODELS, REASONS, CoPurchase, scalability_check
from workbench.recommend.plotting import plot_affinity_heatmap, plot_evaluation
from workbench.recommend.rules import (
    RULE_MIN_COUNT,
    RULE_MIN_SUPPORT,
    association_rules,
    offered_rules,
    pair_matrix,
)
from workbench.recommend.text import (
    CROSS_HEADERS,
    EVAL_HEADERS,
    EXPORT_HEADERS,
    RULES_HEADERS,
    cross_sell_table,
    evaluation_display,
    evaluation_table,
    export_frame,
    headline,
    personalization_metrics,
    reason_labels,
    rules_sentence,
    segment_labels,
    with_reason_labels,
)

__all__ = [
    "CROSS_HEADERS",
    "EVAL_HEADERS",
    "EXPORT_COLUMNS",
    "EXPORT_HEADERS",
    "MODELS",
    "REASONS",
    "RULES_HEADERS",
    "RULE_MIN_COUNT",
    "RULE_MIN_SUPPORT",
    "CoPurchase",
    "Interactions",
    "Level",
    "all_customers",
    "association_rules",
    "available_levels",
    "baseline_gap",
    "best_model",
    "codes_in",
    "cross_sell_by_segment",
    "cross_sell_table",
    "evaluate",
    "evaluate_recent",
    "evaluation_display",
    "evaluation_metrics",
    "evaluation_table",
    "export_frame",
    "headline",
    "interactions",
    "item_column",
    "item_similarity",
    "offered_rules",
    "pair_matrix",
    "personalization_metrics",
    "plot_affinity_heatmap",
    "plot_evaluation",
    "precision_recall_at_n",
    "rates_at_n",
    "reason_labels",
    "resolve_level",
    "result_frame",
    "rules_sentence",
    "scalability_check",
    "segment_labels",
    "segment_series",
    "time_split",
    "with_reason_labels",
]
