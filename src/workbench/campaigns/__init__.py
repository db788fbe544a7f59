"""Campaigns: measured effect, uplift and control groups (report ``10_campaigns``).

* :mod:`~workbench.campaigns.data` - the campaign log checked at the edge (:class:`CampaignError`),
  each contact's outcome from the transactions after ``sent_at``, pre-send features;
* :mod:`~workbench.campaigns.effects` - each arm against control: two-proportion z test and
  Wald interval, Welch's t for revenue, Holm's adjustment, uplift by group;
* :mod:`~workbench.campaigns.uplift` - two-model and X-learner uplift models (scikit-learn
  style), cross-fitted;
* :mod:`~workbench.campaigns.evaluation` - Qini and uplift curves, Qini coefficient, AUUC,
  bootstrap intervals;
* :mod:`~workbench.campaigns.policy` - value-weighted ranking, budget curve, do-not-contact
  list, holdout size and a stratified random control group;
* :mod:`~workbench.campaigns.workflow` - the report's steps; :mod:`~workbench.campaigns.text`
  its sentences and headers; :mod:`~workbench.campaigns.plotting` its charts.

Computation modules hold numbers and codes only; text comes from the catalogue (``camp.*``).
"""

from workbench.campaigns.data import (
    CONTROL,
    CONTROL_NAMES,
    CampaignError,
    campaign_outcomes,
    check_campaigns,
    normalise_arm,
    pre_period_features,
)
from workbench.campaigns.effects import arm_effects, holm, two_proportion, uplift_by_group, welch
from workbench.campaigns.evaluation import (
    auuc,
    bootstrap_interval,
    curve_area,
    qini_coefficient,
    qini_curve,
    uplift_curve,
)
from workbench.campaigns.policy import (
    HoldoutPlan,
    assign_control,
    budget_curve,
    do_not_contact,
    holdout_size,
    power_two_proportions,
    rank_by_value,
)
from workbench.campaigns.uplift import (
    LEARNERS,
    TwoModelUplift,
    XLearnerUplift,
    cross_fit_uplift,
    make_learner,
    uplift_intervals,
)
from workbench.campaigns.workflow import (
    CAMPAIGN_EXPORT_COLUMNS,
    DNC_EXPORT_COLUMNS,
    NEXT_EXPORT_COLUMNS,
    CampaignResult,
    MeasuredEffect,
    NextCampaign,
    analyse,
    campaigns_export,
    campaigns_metrics,
    campaigns_of,
    choose_arm,
    do_not_contact_export,
    groups_before_send,
    measured_effect,
    measured_uplift_by_segment,
    next_audience,
    next_campaign_export,
    plan_next,
    policy,
    read_planted,
)

__all__ = [
    "CAMPAIGN_EXPORT_COLUMNS",
    "CONTROL",
    "CONTROL_NAMES",
    "DNC_EXPORT_COLUMNS",
    "LEARNERS",
    "NEXT_EXPORT_COLUMNS",
    "CampaignError",
    "CampaignResult",
    "HoldoutPlan",
    "MeasuredEffect",
    "NextCampaign",
    "TwoModelUplift",
    "XLearnerUplift",
    "analyse",
    "arm_effects",
    "assign_control",
    "auuc",
    "bootstrap_interval",
    "budget_curve",
    "campaign_outcomes",
    "campaigns_export",
    "campaigns_metrics",
    "campaigns_of",
    "check_campaigns",
    "choose_arm",
    "cross_fit_uplift",
    "curve_area",
    "do_not_contact",
    "do_not_contact_export",
    "groups_before_send",
    "holdout_size",
    "holm",
    "make_learner",
    "measured_effect",
    "measured_uplift_by_segment",
    "next_audience",
    "next_campaign_export",
    "normalise_arm",
    "plan_next",
    "policy",
    "power_two_proportions",
    "pre_period_features",
    "qini_coefficient",
    "qini_curve",
    "rank_by_value",
    "read_planted",
    "two_proportion",
    "uplift_by_group",
    "uplift_curve",
    "uplift_intervals",
    "welch",
]
