"""The steps of the campaigns report (``10_campaigns``), each one call from the notebook.

:func:`analyse` validates the campaign log, reads each contact's outcome, measures every arm
against its control group, breaks the uplift down by the run's shared groups (segment, value
tier, stage) and the channel, cross-fits an uplift model per treated arm and evaluates it
(Qini, AUUC, bootstrap interval, against random targeting and against ranking by days since
the last purchase, a churn-risk proxy). :func:`choose_arm`, :func:`policy` and
:func:`plan_next` turn it into the targeting of the next campaign; the ``*_export`` functions
and :func:`campaigns_metrics` give the report's files. Texts live in
:mod:`workbench.campaigns.text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.campaigns.data import (
    CONTROL,
    _outcomes,
    check_campaigns,
)
from workbench.campaigns.effects import arm_effects, uplift_by_group
from workbench.campaigns.evaluation import (
    auuc,
    bootstrap_interval,
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
    rank_by_value,
)
from workbench.campaigns.uplift import cross_fit_uplift, make_learner, uplift_intervals
from workbench.features import canonical_rows
from workbench.results import by_customer, is_among

__all__ = [
    "CAMPAIGN_EXPORT_COLUMNS",
    "DNC_EXPORT_COLUMNS",
    "GROUP_COLUMNS",
    "NEXT_EXPORT_COLUMNS",
    "PROXY",
    "CampaignResult",
    "MeasuredEffect",
    "NextCampaign",
    "analyse",
    "campaigns_export",
    "campaigns_metrics",
    "campaigns_of",
    "choose_arm",
    "do_not_contact_export",
    "groups_before_send",
    "measured_effect",
    "measured_uplift_by_segment",
    "next_audience",
    "next_campaign_export",
    "plan_next",
    "policy",
    "read_planted",
]

CAMPAIGN_EXPORT_COLUMNS = ["campaign_id", "arm", "segment", "customers", "conversion", "uplift",
                           "uplift_low", "uplift_high", "incremental_revenue", "roi"]
DNC_EXPORT_COLUMNS = ["customer_id", "campaign_id", "arm", "uplift", "uplift_low", "uplift_high"]
NEXT_EXPORT_COLUMNS = ["customer_id", "arm"]
#: Shared-result columns the uplift is broken down by: (result name, column).
GROUP_COLUMNS = (("segments", "segment_cn8"), ("segments", "value_tier"), ("stages", "stage"))
#: The churn-risk proxy the uplift model is compared with: days since the last purchase.
PROXY = "recency_days"
#: Fewest customers in each of an arm and its control group for an uplift model.
MIN_MODEL_CUSTOMERS = 100


@dataclass
class CampaignResult:
    """Everything the report shows, computed once.

    ``outcomes``: one row per contact with ``converted``, ``revenue``, ``orders`` and the group
    columns. ``effects``: :func:`~workbench.campaigns.effects.arm_effects`. ``groups``: uplift
    by group (:func:`~workbench.campaigns.effects.uplift_by_group`, all group columns).
    ``scores``: one row per customer of each modelled arm and its control group
    (``customer_id, campaign_id, arm, treated, converted, uplift`` predicted out of fold,
    ``bin_uplift, uplift_low, uplift_high, value, cost, recency_days``). ``evaluation``: per
    modelled arm the Qini coefficient with its bootstrap interval, AUUC and the proxy's Qini
    coefficient. ``curves``: Qini and uplift curves per (campaign, arm). ``notes``: report
    notes as (code, values).
    """

    outcomes: pd.DataFrame
    effects: pd.DataFrame
    groups: pd.DataFrame
    scores: pd.DataFrame
    evaluation: pd.DataFrame
    curves: dict[tuple[str, str], dict[str, pd.DataFrame]]
    window_days: int
    learner: str
    n_folds: int
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def groups_before_send(outcomes: pd.DataFrame, transactions: pd.DataFrame, *, bins: int = 5,
                       threshold: str = "mean", tier_cuts: Sequence[float] = (0.2, 0.5)
                       ) -> pd.DataFrame:
    """Each contact's segment, value tier and stage on the day before its campaign's first send.

    Groups taken after a campaign are changed by it: a coupon that brings lapsed customers back
    moves them into better segments, and the uplift within the old segment is lost. So the
    groups are recomputed, with the segmentation and lifecycle reports' own functions and
    settings (``bins``, ``threshold``, ``tier_cuts`` as in ``02_segmentation``; lifecycle's
    derived stage rules), from the transactions up to the day before each campaign's first
    ``sent_at``. Returns ``outcomes`` with ``segment_cn8``, ``value_tier`` and ``stage``
    (codes; blank for customers who had not bought by then) and ``groups_as_of`` (that day).
    """
    from workbench.lifecycle import PurchaseHistory, derive_rules
    from workbench.segmentation import rfm_scores, segment_cn8, value_tiers
    from workbench.summary import customer_summaries

    out = outcomes.copy()
    for column in ("segment_cn8", "value_tier", "stage"):
        out[column] = pd.Series(pd.NA, index=out.index, dtype="string")
    out["groups_as_of"] = pd.NaT
    if transactions is None or not len(transactions):
        return out
    if not pd.api.types.is_datetime64_any_dtype(transactions["order_date"]):
        transactions = transactions.assign(order_date=pd.to_datetime(transactions["order_date"]))
    history = PurchaseHistory(transactions)
    first_send = pd.to_datetime(out["sent_at"]).groupby(out["campaign_id"]).transform("min")
    days = first_send.dt.normalize() - pd.Timedelta(days=1)
    ids = out["customer_id"].astype("string")
    send_days = [pd.Timestamp(day) for day in sorted(days.dropna().unique())]
    first_day = transactions["order_date"].min()
    bought = [day for day in send_days if first_day < day + pd.Timedelta(days=1)]
    # every day's summary from one pass over the lines (the same frames as one call per day)
    summaries = dict(zip(bought, customer_summaries(
        transactions[[c for c in ("customer_id", "order_date", "amount", "order_id")
                      if c in transactions]], bought, "D"))) if bought else {}
    for day in send_days:
        rows = days == day
        out.loc[rows, "groups_as_of"] = day
        if day not in summaries:  # nobody had bought by then
            continue
        rfm = rfm_scores(summaries[day], bins)
        rfm["segment_cn8"] = segment_cn8(rfm, threshold).to_numpy()
        rfm["value_tier"] = value_tiers(rfm["monetary"], tier_cuts).to_numpy()
        stages = history.stages(day, derive_rules(history, day))
        for column, frame in (("segment_cn8", rfm), ("value_tier", rfm), ("stage", stages)):
            values = by_customer(frame, column)
            out.loc[rows, column] = ids[rows].map(values).astype("string")
    return out


def _with_groups(outcomes: pd.DataFrame, results: dict[str, pd.DataFrame | None]) -> pd.DataFrame:
    out = outcomes
    for name, column in GROUP_COLUMNS:
        frame = results.get(name)
        if frame is not None and column in frame and column not in out:
            values = by_customer(frame.drop_duplicates("customer_id"), column)
            out = out.assign(**{column: out["customer_id"].astype("string").map(values)
                                .astype("string")})
    return out


def _model_arm(rows: pd.DataFrame, features: pd.DataFrame, *, learner: str, n_folds: int,
               random_state: int, n_boot: int, cost_per_contact: float | None,
               alpha: float) -> tuple[pd.DataFrame, dict[str, Any], dict[str, pd.DataFrame]]:
    treated = (rows["arm"] != CONTROL).to_numpy().astype(int)
    y = rows["converted"].to_numpy().astype(int)
    X = features.loc[rows.index]
    score = cross_fit_uplift(make_learner(learner, random_state), X, treated, y,
                             n_folds=n_folds, random_state=random_state)
    bins = uplift_intervals(score, treated, y, alpha=alpha)
    converted_value = rows.loc[rows["converted"] == 1, "revenue"]
    fallback = float(converted_value.mean()) if len(converted_value) else 0.0
    value = X["avg_order_value"].where(X["avg_order_value"] > 0).fillna(fallback).to_numpy()
    cost = rows["cost"].where(rows["arm"] != CONTROL) if "cost" in rows else pd.Series(np.nan, index=rows.index)
    arm_cost = float(cost.mean()) if cost.notna().any() else (cost_per_contact or 0.0)
    scores = pd.DataFrame({
        "customer_id": rows["customer_id"].to_numpy(), "campaign_id": rows["campaign_id"].to_numpy(),
        "arm": rows.loc[rows["arm"] != CONTROL, "arm"].iloc[0], "treated": treated,
        "converted": y, "uplift": score, "bin_uplift": bins["bin_uplift"].to_numpy(),
        "uplift_low": bins["uplift_low"].to_numpy(), "uplift_high": bins["uplift_high"].to_numpy(),
        "value": value, "cost": arm_cost, PROXY: X[PROXY].to_numpy()})
    proxy = X[PROXY].fillna(X[PROXY].max() + 1 if X[PROXY].notna().any() else 0).to_numpy()
    qini = qini_coefficient(y, treated, score)
    low, high = bootstrap_interval(qini_coefficient, y, treated, score, n_boot=n_boot,
                                   random_state=random_state)
    evaluation = {"customers": len(rows), "qini": qini, "qini_low": low, "qini_high": high,
                  "auuc": auuc(y, treated, score), "proxy_qini": qini_coefficient(y, treated, proxy),
                  "proxy_auuc": auuc(y, treated, proxy)}
    curves = {"qini": qini_curve(y, treated, score), "uplift": uplift_curve(y, treated, score),
              "proxy_qini": qini_curve(y, treated, proxy)}
    return scores, evaluation, curves


def analyse(campaigns: pd.DataFrame, transactions: pd.DataFrame | None, *,
            as_of: Any = None, window_days: int = 30,
            results: dict[str, pd.DataFrame | None] | None = None, alpha: float = 0.05,
            learner: str = "x_learner", n_folds: int = 5, n_boot: int = 200,
            cost_per_contact: float | None = None, random_state: int = 0,
            min_model_customers: int = MIN_MODEL_CUSTOMERS, bins: int = 5,
            threshold: str = "mean", tier_cuts: Sequence[float] = (0.2, 0.5)) -> CampaignResult:
    """Measure every campaign of the log and model who its arms moved.

    Parameters
    ----------
    campaigns
        The campaign log (columns: :mod:`workbench.campaigns.data`).
    transactions
        Canonical transactions; outcomes and the model's pre-send features come from them.
    as_of
        The analysis date (inclusive): transactions after it are not used, and campaigns sent
        after it are left out with the note ``after_as_of``. A ``sent_at`` after the
        transactions' last day is an error (:class:`~workbench.campaigns.data.CampaignError`).
    window_days
        Outcome window after each send (days).
    results
        The run's shared results by name (``segments``, ``stages``), used for the breakdown
        only when there are no transactions (outcomes from the log alone): they describe
        customers on ``as_of``, after the campaigns, and the report says so. With transactions
        the uplift is broken down by ``segment_cn8``, ``value_tier`` and ``stage`` as they were
        the day before each campaign (:func:`groups_before_send`).
    bins, threshold, tier_cuts
        The segmentation report's settings (RFM bins, the 8-class scheme's ``mean`` or
        ``median`` threshold, value-tier cuts as cumulative customer shares).
    alpha
        1 - the level of every interval (0.05: 95%).
    learner, n_folds
        Uplift learner (``two_model`` or ``x_learner``) and cross-fitting folds.
    n_boot
        Bootstrap resamples of the Qini coefficient's interval.
    cost_per_contact
        Cost of one contact (currency units) where the log has no ``cost``.
    random_state
        Seed of folds, models and bootstrap.
    """
    results = results or {}
    if campaigns is None or not len(campaigns):
        return _empty_result(window_days, learner, n_folds)
    last = None
    if transactions is not None and len(transactions):
        last = pd.to_datetime(transactions["order_date"]).max()
    checked = check_campaigns(campaigns, last_date=last)  # after the data's end: an error
    # the log's rows in an order of their values: folds, bootstrap and model fits do not
    # depend on how the source stored them
    checked = canonical_rows(checked, ("campaign_id", "sent_at", "customer_id")).reset_index(
        drop=True)
    notes: list[tuple[str, dict[str, Any]]] = []
    tx = transactions
    if as_of is not None:
        end = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
        if tx is not None:
            tx = tx[pd.to_datetime(tx["order_date"]) < end]
        later = checked["sent_at"] >= end
        if later.any():  # sent after the analysis date: not judged in this report
            notes.append(("after_as_of", {"campaigns": ", ".join(sorted(checked.loc[later, "campaign_id"].unique())),
                                          "as_of": str(pd.Timestamp(as_of).date())}))
            checked = checked[~later].reset_index(drop=True)
            if not len(checked):
                empty = _empty_result(window_days, learner, n_folds)
                empty.notes = notes
                return empty
    # the outcomes and the model's pre-send features from one pass over the contacts' lines
    outcomes, features = _outcomes(checked, tx, window_days=window_days, features=True)
    before_send = tx is not None and len(tx) > 0
    if before_send:  # groups as they were before each campaign, not as it left them
        outcomes = groups_before_send(outcomes, tx, bins=bins, threshold=threshold,
                                      tier_cuts=tier_cuts)
        notes.append(("groups_before_send", {"days": ", ".join(
            f"{c} {pd.Timestamp(d).date()}" for c, d in outcomes.groupby("campaign_id")["groups_as_of"].first().items())}))
    else:  # outcomes from the log alone: only the run's (post-campaign) groups exist
        outcomes = _with_groups(outcomes, results)
    incomplete = outcomes.loc[~outcomes["window_complete"], "campaign_id"].unique()
    if len(incomplete):
        notes.append(("window_incomplete", {"campaigns": ", ".join(sorted(incomplete)),
                                            "days": window_days}))
    effects = arm_effects(outcomes, alpha=alpha, cost_per_contact=cost_per_contact)
    for campaign in effects.loc[effects["reason"] == "no_control", "campaign_id"].unique():
        notes.append(("no_control", {"campaign": campaign}))
    group_columns = [c for _, c in GROUP_COLUMNS if c in outcomes]
    if "channel" in outcomes:
        control_channel = outcomes.loc[outcomes["arm"] == CONTROL, "channel"]
        if control_channel.notna().any():
            group_columns.append("channel")
    groups = pd.concat([uplift_by_group(outcomes, c, alpha=alpha) for c in group_columns],
                       ignore_index=True) if group_columns else uplift_by_group(outcomes, "_none")
    if not before_send and any(c != "channel" for c in group_columns):
        notes.append(("post_treatment_groups", {}))
    features.index = outcomes.index
    scores, evaluations, curves = [], [], {}
    measured = effects[effects["reason"] == ""]
    if not before_send and len(measured):  # the model's features are the purchases before a send
        notes.append(("model_no_history", {}))
        measured = measured.iloc[:0]
    for _, arm_row in measured.iterrows():
        campaign, arm = arm_row["campaign_id"], arm_row["arm"]
        rows = outcomes[(outcomes["campaign_id"] == campaign) & outcomes["arm"].isin([arm, CONTROL])]
        small = min(int(arm_row["customers"]), int(arm_row["control_customers"]))
        if small < min_model_customers:
            notes.append(("model_too_small", {"campaign": campaign, "arm": arm,
                                              "minimum": min_model_customers}))
            continue
        s, e, c = _model_arm(rows, features, learner=learner, n_folds=n_folds,
                             random_state=random_state, n_boot=n_boot,
                             cost_per_contact=cost_per_contact, alpha=alpha)
        scores.append(s)
        evaluations.append({"campaign_id": campaign, "arm": arm, **e})
        curves[(campaign, arm)] = c
    score_columns = ["customer_id", "campaign_id", "arm", "treated", "converted", "uplift",
                     "bin_uplift", "uplift_low", "uplift_high", "value", "cost", PROXY]
    scores_frame = pd.concat(scores, ignore_index=True) if scores else pd.DataFrame(columns=score_columns)
    eval_columns = ["campaign_id", "arm", "customers", "qini", "qini_low", "qini_high", "auuc",
                    "proxy_qini", "proxy_auuc"]
    evaluation = pd.DataFrame(evaluations).reindex(columns=eval_columns)
    return CampaignResult(outcomes, effects, groups, scores_frame, evaluation, curves,
                          int(window_days), learner, int(n_folds), notes)


def _empty_result(window_days: int, learner: str, n_folds: int) -> CampaignResult:
    from workbench.campaigns.effects import _EFFECT_COLUMNS

    empty = pd.DataFrame(columns=["customer_id", "campaign_id", "arm", "converted", "revenue"])
    groups = uplift_by_group(empty, "_none")
    scores = pd.DataFrame(columns=["customer_id", "campaign_id", "arm", "treated", "converted",
                                   "uplift", "bin_uplift", "uplift_low", "uplift_high", "value",
                                   "cost", PROXY])
    evaluation = pd.DataFrame(columns=["campaign_id", "arm", "customers", "qini", "qini_low",
                                       "qini_high", "auuc", "proxy_qini", "proxy_auuc"])
    return CampaignResult(empty, pd.DataFrame(columns=_EFFECT_COLUMNS), groups, scores, evaluation,
                          {}, int(window_days), learner, int(n_folds), [("no_log", {})])


def campaigns_of(dataset: Any) -> pd.DataFrame | None:
    """The dataset's campaign log (``dataset.campaigns``), or None when it has none."""
    frame = getattr(dataset, "campaigns", None)
    return frame if frame is not None and len(frame) else None


def next_audience(segments: pd.DataFrame | None, transactions: pd.DataFrame | None,
                  as_of: Any = None, column: str = "segment_cn8") -> pd.DataFrame:
    """Candidates of the next campaign: the run's segmented customers (``customer_id`` and
    ``column``), else every customer who bought on or before ``as_of`` (segment ``all``)."""
    if segments is not None and len(segments):
        frame = segments[["customer_id"]].astype("string")
        frame[column] = (segments[column].astype("string").to_numpy() if column in segments
                         else "all")
        return frame.drop_duplicates("customer_id").reset_index(drop=True)
    if transactions is None or not len(transactions):
        return pd.DataFrame({"customer_id": pd.Series(dtype="string"),
                             column: pd.Series(dtype="string")})
    tx = transactions
    if as_of is not None:
        tx = tx[pd.to_datetime(tx["order_date"]) < pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)]
    ids = pd.Series(tx["customer_id"].astype("string").unique(), dtype="string")
    return pd.DataFrame({"customer_id": ids, column: "all"})


def read_planted(data_dir: Any) -> pd.DataFrame | None:
    """The demo's planted arm effects (``truth/campaign_effects.csv``), or None elsewhere."""
    from pathlib import Path

    path = Path(data_dir) / "truth" / "campaign_effects.csv"
    return pd.read_csv(path, dtype={"campaign_id": str, "arm": str}) if path.exists() else None


def choose_arm(result: CampaignResult, *, modelled: bool = True) -> tuple[str, str] | None:
    """The measured arm worth repeating; with ``modelled``, only arms with an uplift model.

    Arms whose conversion uplift is significantly positive (95% interval above zero) come
    first; among them (or among all, when none is) the highest incremental revenue net of cost.
    """
    measured = result.effects[result.effects["reason"] == ""].copy()
    if modelled:
        have = set(result.curves)
        measured = measured[[(c, a) in have for c, a in zip(measured["campaign_id"], measured["arm"])]]
    if not len(measured):
        return None
    measured = measured.astype({"incremental_revenue": float, "cost": float, "uplift_low": float})
    measured["_positive"] = measured["uplift_low"] > 0
    measured["_net"] = measured["incremental_revenue"] - measured["cost"].fillna(0.0)
    best = measured.sort_values(["_positive", "_net"], ascending=False, kind="stable").iloc[0]
    return str(best["campaign_id"]), str(best["arm"])


def policy(result: CampaignResult, arm: tuple[str, str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ranking by ``uplift x value - cost`` and its budget curve for one arm (default: chosen)."""
    arm = arm or choose_arm(result)
    if arm is None:
        empty = rank_by_value([], [], [], 0.0)
        return empty, budget_curve(empty)
    scored = result.scores[(result.scores["campaign_id"] == arm[0]) & (result.scores["arm"] == arm[1])]
    ranked = rank_by_value(scored["customer_id"], scored["uplift"], scored["value"], scored["cost"].to_numpy())
    return ranked, budget_curve(ranked)


@dataclass
class NextCampaign:
    """The next campaign's arms: the holdout plan and the assignment (``customer_id, arm``)."""

    plan: HoldoutPlan | None
    assignment: pd.DataFrame
    arm: tuple[str, str] | None
    excluded: int


def plan_next(result: CampaignResult, audience: pd.DataFrame, *, mde: float = 0.02,
              power: float = 0.8, alpha: float = 0.05, seed: int = 0,
              segment: str = "segment_cn8") -> NextCampaign:
    """Holdout size and a seeded random control group, stratified by ``segment``, for the next send.

    ``audience`` lists the candidates (``customer_id`` and ``segment``); customers on the
    do-not-contact list of the chosen arm are left out. The baseline conversion is the chosen
    arm's control group's (else the mean control conversion of all campaigns).
    """
    arm = choose_arm(result)
    dnc = do_not_contact(result.scores)
    if arm is not None:
        dnc = dnc[(dnc["campaign_id"] == arm[0]) & (dnc["arm"] == arm[1])]
    candidates = audience.assign(customer_id=audience["customer_id"].astype("string"))
    candidates = candidates.drop_duplicates("customer_id")
    keep = pd.Series(~is_among(candidates["customer_id"], dnc["customer_id"]), index=candidates.index)
    excluded = int((~keep).sum())
    candidates = candidates[keep]
    effects = result.effects
    if arm is not None:
        baseline = float(effects.loc[(effects["campaign_id"] == arm[0]) & (effects["arm"] == arm[1]),
                                     "control_conversion"].iloc[0])
    else:
        baseline = float(effects["control_conversion"].mean()) if len(effects) else np.nan
    if not np.isfinite(baseline) or not 0 < baseline < 1 or not 0 < baseline + mde < 1 or not len(candidates):
        return NextCampaign(None, pd.DataFrame(columns=NEXT_EXPORT_COLUMNS), arm, excluded)
    plan = holdout_size(baseline, mde, power=power, alpha=alpha, audience=len(candidates))
    assignment = assign_control(candidates, plan.control, segment=segment, seed=seed)
    return NextCampaign(plan, assignment, arm, excluded)


def campaigns_export(result: CampaignResult, segment: str = "segment_cn8") -> pd.DataFrame:
    """``exports/campaigns.csv``: per campaign x arm (``segment`` = ``all``) and x segment.

    ``uplift`` is the difference in conversion against control (fraction) with its 95%
    interval; ``incremental_revenue`` in currency units; ``roi`` after cost. Segment rows take
    their incremental revenue as revenue uplift per customer x customers, and their cost as the
    arm's mean cost per contact x customers.
    """
    arms = result.effects[result.effects["arm"] != CONTROL]
    whole = arms.assign(segment="all")[CAMPAIGN_EXPORT_COLUMNS]
    part = result.groups[result.groups["group"] == segment]
    if len(part):
        per_contact = (arms.set_index(["campaign_id", "arm"])["cost"]
                       / arms.set_index(["campaign_id", "arm"])["customers"])
        keys = list(zip(part["campaign_id"], part["arm"]))
        cost = per_contact.reindex(keys).to_numpy() * part["customers"].to_numpy()
        incremental = part["revenue_uplift"].to_numpy() * part["customers"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            roi = np.where(cost > 0, (incremental - cost) / cost, np.nan)
        rows = part.assign(segment=part["value"], incremental_revenue=incremental, roi=roi)
        whole = pd.concat([whole, rows[CAMPAIGN_EXPORT_COLUMNS]], ignore_index=True)
    return whole.sort_values(["campaign_id", "arm"], kind="stable").reset_index(drop=True)


def do_not_contact_export(result: CampaignResult) -> pd.DataFrame:
    """``exports/do_not_contact.csv``: the customers a contact is expected to hurt.

    ``uplift`` is the cross-fitted predicted uplift (fraction); ``uplift_low/high`` the 95%
    interval of the observed uplift of the customers of similar predicted uplift.
    """
    return do_not_contact(result.scores)[DNC_EXPORT_COLUMNS]


def next_campaign_export(plan: NextCampaign) -> pd.DataFrame:
    """``exports/next_campaign.csv``: ``customer_id, arm`` (``control`` or ``treatment``)."""
    return plan.assignment[NEXT_EXPORT_COLUMNS]


def measured_uplift_by_segment(result: CampaignResult, column: str = "segment_cn8",
                               arm: tuple[str, str] | None = None) -> pd.DataFrame:
    """The measured uplift of the chosen arm per segment, for targeting that needs a save rate.

    Returns ``segment, uplift, uplift_low, uplift_high, customers, campaign_id, arm`` with a row
    ``all`` for the whole arm; an empty frame when no arm was measured. Segments without an
    interval (too few customers) take the arm's overall uplift, flagged ``pooled``.
    """
    arm = arm or choose_arm(result, modelled=False)
    columns = ["segment", "uplift", "uplift_low", "uplift_high", "customers", "campaign_id",
               "arm", "pooled"]
    if arm is None:
        return pd.DataFrame(columns=columns)
    eff = result.effects[(result.effects["campaign_id"] == arm[0]) & (result.effects["arm"] == arm[1])].iloc[0]
    rows = [{"segment": "all", "uplift": eff["uplift"], "uplift_low": eff["uplift_low"],
             "uplift_high": eff["uplift_high"], "customers": int(eff["customers"]), "pooled": False}]
    part = result.groups[(result.groups["group"] == column) & (result.groups["campaign_id"] == arm[0])
                         & (result.groups["arm"] == arm[1])]
    for _, g in part.iterrows():
        pooled = not np.isfinite(g["uplift"]) if pd.notna(g["uplift"]) else True
        rows.append({"segment": g["value"], "customers": int(g["customers"]), "pooled": pooled,
                     "uplift": eff["uplift"] if pooled else g["uplift"],
                     "uplift_low": eff["uplift_low"] if pooled else g["uplift_low"],
                     "uplift_high": eff["uplift_high"] if pooled else g["uplift_high"]})
    return pd.DataFrame(rows).assign(campaign_id=arm[0], arm=arm[1])[columns]


@dataclass(frozen=True)
class MeasuredEffect:
    """The measured conversion uplift that replaces a constant save rate in targeting.

    ``by_segment``: uplift (fraction, e.g. 0.12 for +12 pp) of the arm worth repeating per
    ``segment_cn8`` code, only segments with their own interval. ``per_customer``: the same
    looked up for the run's segmented customers (index ``customer_id`` as text). ``overall``:
    the arm's uplift, used for customers whose segment was too small or who have no segment.
    """

    campaign_id: str
    arm: str
    overall: float
    by_segment: pd.Series
    per_customer: pd.Series

    def for_customers(self, ids: pd.Series | Sequence[str]) -> np.ndarray:
        """The effect (fraction) for each of ``ids``, in their order."""
        keys = pd.Index(pd.Series(ids, dtype="string"))
        found = self.per_customer.reindex(keys).to_numpy(dtype="float64", na_value=np.nan)
        return np.where(np.isnan(found), self.overall, found)


def measured_effect(uplift: pd.DataFrame | None, segments: pd.DataFrame | None = None
                    ) -> MeasuredEffect | None:
    """The run's ``campaign_uplift`` result as a per-customer effect, or None without one.

    ``uplift`` is the shared result written by ``10_campaigns``
    (:func:`measured_uplift_by_segment`); ``segments`` the run's ``segments`` result (its
    ``segment_cn8``). None when the run has no measured campaign: targeting keeps its
    constant. A negative uplift is kept: contact makes that segment less likely to buy, so its
    expected value is negative and it is not contacted.
    """
    if uplift is None or not len(uplift):
        return None
    whole = uplift[uplift["segment"].astype("string") == "all"]
    if not len(whole) or pd.isna(whole["uplift"].iloc[0]):
        return None
    overall = float(whole["uplift"].iloc[0])
    own = uplift[(uplift["segment"].astype("string") != "all")
                 & (pd.to_numeric(uplift["pooled"], errors="coerce").fillna(1) == 0)]
    by_segment = pd.Series(pd.to_numeric(own["uplift"]).to_numpy(dtype="float64"),
                           index=own["segment"].astype("string").to_numpy(), name="uplift")
    if segments is not None and len(segments):
        segment = by_customer(segments.drop_duplicates("customer_id"), "segment_cn8")
        per_customer = segment.astype("string").map(by_segment).astype("float64").dropna()
    else:
        per_customer = pd.Series(dtype="float64")
    return MeasuredEffect(str(whole["campaign_id"].iloc[0]), str(whole["arm"].iloc[0]), overall,
                          by_segment, per_customer)


def campaigns_metrics(result: CampaignResult, plan: NextCampaign | None = None) -> dict[str, Any]:
    """``metrics.json`` key ``campaigns``: arms, model evaluation, do-not-contact and next plan."""
    arms = result.effects.replace({np.nan: None})
    out: dict[str, Any] = {
        "campaigns": int(result.effects["campaign_id"].nunique()),
        "contacts": len(result.outcomes),
        "window_days": result.window_days,
        "learner": result.learner, "n_folds": result.n_folds,
        "arms": [{k: row[k] for k in ("campaign_id", "arm", "customers", "conversion",
                                      "control_conversion", "uplift", "uplift_low", "uplift_high",
                                      "p_value", "p_adjusted", "adjustment", "incremental_revenue",
                                      "cost", "roi", "reason")}
                 for _, row in arms.iterrows()],
        "model": result.evaluation.replace({np.nan: None}).to_dict("records"),
        "do_not_contact": len(do_not_contact(result.scores)),
        "notes": [code for code, _ in result.notes],
    }
    chosen = choose_arm(result)
    out["chosen_arm"] = list(chosen) if chosen else None
    if plan is not None and plan.plan is not None:
        p = plan.plan
        out["next_campaign"] = {"audience": p.control + p.treated, "control": p.control,
                                "treated": p.treated, "baseline": p.baseline, "mde": p.mde,
                                "alpha": p.alpha, "target_power": p.target_power,
                                "power": p.power, "per_arm": p.per_arm,
                                "achievable": p.achievable, "excluded_do_not_contact": plan.excluded}
    return out
