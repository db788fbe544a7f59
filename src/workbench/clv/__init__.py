"""Customer lifetime value: "buy till you die" models, validation, value and charts.

Models (scikit-learn style: ``fit`` returns self, fitted values end in ``_``):

* :class:`BetaGeo` - BG/NBD (Fader, Hardie & Lee 2005), continuous time;
* :class:`ParetoNBD` - Pareto/NBD (Schmittlein, Morrison & Colombo 1987), continuous time;
* :class:`GammaGamma` - spend per transaction (Fader & Hardie 2013);
* :class:`BetaGeoBeta` - BG/BB (Fader, Hardie & Shang 2010), discrete opportunities.

They are fitted by maximum likelihood over log-parameters with analytic gradients, on
identical customer histories collapsed into weights. Time is in the caller's unit (weeks in the
papers and by default in :func:`workbench.summary.customer_summary`); money in the currency of
the data. :func:`customer_lifetime_value` discounts expected margin over a horizon;
:func:`calibration_holdout_split` and the validation helpers check a model on a holdout; the
``plot_*`` functions draw the standard charts; :mod:`workbench.clv.workflow` holds the steps of
the ``04_clv`` report.
"""

from workbench.clv._base import FitWarning, NotFittedError
from workbench.clv.beta_geo import BetaGeo
from workbench.clv.beta_geo_beta import BetaGeoBeta
from workbench.clv.gamma_gamma import GammaGamma
from workbench.clv.pareto_nbd import ParetoNBD
from workbench.clv.plotting import (
    plot_clv_distribution,
    plot_clv_tiers,
    plot_conditional_expectations,
    plot_frequency_fit,
    plot_prob_alive,
    plot_tracking,
)
from workbench.clv.utils import (
    CLV_TIERS,
    assign_clv_tiers,
    calibration_holdout_split,
    clv_tier_summary,
    customer_lifetime_value,
    falling_prob_alive,
    frequency_fit_table,
    holdout_by_frequency,
    holdout_metrics,
    prob_alive_matrix,
    tracking_data,
)
from workbench.clv.workflow import (
    EXPORT_COLUMNS,
    EXPORT_LABELS,
    FREQUENCY_HEADERS,
    MODELS,
    PARAMETER_HEADERS,
    RISK_HEADERS,
    STAGE_HEADERS,
    TIER_HEADERS,
    CLVResult,
    Validation,
    ValidationPlan,
    clv_metrics,
    clv_result,
    export_frame,
    fit_clv,
    forecast_scope,
    make_model,
    model_sentences,
    parameter_table,
    plan_validation,
    risk_sentences,
    risk_table,
    scope_cards,
    scope_sentences,
    stage_summary,
    stage_table,
    tier_table,
    validate,
    validation_cards,
    validation_sentences,
    value_cards,
    value_sentences,
)

__all__ = [
    "CLV_TIERS",
    "EXPORT_COLUMNS",
    "EXPORT_LABELS",
    "FREQUENCY_HEADERS",
    "MODELS",
    "PARAMETER_HEADERS",
    "RISK_HEADERS",
    "STAGE_HEADERS",
    "TIER_HEADERS",
    "BetaGeo",
    "BetaGeoBeta",
    "CLVResult",
    "FitWarning",
    "GammaGamma",
    "NotFittedError",
    "ParetoNBD",
    "Validation",
    "ValidationPlan",
    "assign_clv_tiers",
    "calibration_holdout_split",
    "clv_metrics",
    "clv_result",
    "clv_tier_summary",
    "customer_lifetime_value",
    "export_frame",
    "falling_prob_alive",
    "fit_clv",
    "forecast_scope",
    "frequency_fit_table",
    "holdout_by_frequency",
    "holdout_metrics",
    "make_model",
    "model_sentences",
    "parameter_table",
    "plan_validation",
    "plot_clv_distribution",
    "plot_clv_tiers",
    "plot_conditional_expectations",
    "plot_frequency_fit",
    "plot_prob_alive",
    "plot_tracking",
    "prob_alive_matrix",
    "risk_sentences",
    "risk_table",
    "scope_cards",
    "scope_sentences",
    "stage_summary",
    "stage_table",
    "tier_table",
    "tracking_data",
    "validate",
    "validation_cards",
    "validation_sentences",
    "value_cards",
    "value_sentences",
]
