"""The whole churn analysis in one call (:func:`analyse`) and the shared ``churn`` result."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from workbench.churn.features import (
    ChurnData,
    _features_at,
    _PurchaseLines,
    _transactional_data,
    complaint_categories_of,
    contractual_data,
    monthly_cutoffs,
    stages_at,
    with_stage,
)
from workbench.churn.health import expected_value_ranking, health_bands, health_score
from workbench.churn.model import (
    ModelReport,
    _bgnbd_baseline,
    evaluate_models,
    leakage_check,
    predict,
)
from workbench.churn.reasons import (
    NO_REASON,
    ReasonRules,
    fit_reason_rules,
    reason_codes,
    recommended_actions,
)
from workbench.churn.survival import kaplan_meier
from workbench.results import RESULTS


@dataclass
class ChurnResult:
    """Everything the churn report shows."""

    setting: str
    data: ChurnData
    report: ModelReport
    current: pd.DataFrame  # customers scored now: risk, value, health, reasons, action, EV
    ranking: pd.DataFrame  # expected-value ranking (budget curve)
    survival: dict[str, Any] | None
    survival_group: str | None
    baseline_auc: dict[str, float] | None  # BG/NBD baselines (see _bgnbd_baseline)
    health: pd.DataFrame | None  # churn rate by health band (validation)
    rules: ReasonRules | None = None  # behavioural reasons fitted on the training rows
    leakage: dict[str, Any] | None = None  # ROC-AUC with and without snapshot attributes
    #: where the save rate came from: ``assumed`` (the constant) or ``measured`` (campaign uplift)
    save_rate_source: str = "assumed"
    #: what churn is read from: ``transactions``, ``subscriptions`` (MRR falls to zero) or
    #: ``customers`` (a churned flag)
    source: str = "transactions"
    #: every survival grouping shown: name -> Kaplan-Meier result (``survival`` is the first);
    #: from subscriptions ``plan`` and ``cohort`` (start quarter or year), times in months
    survivals: dict[str, Any] = field(default_factory=dict)
    #: row ``k`` of ``current`` is row ``order[k]`` of the scored customers before they were
    #: sorted by expected value (lets :func:`with_measured_effect` redo the targeting)
    order: np.ndarray | None = None


def has_subscriptions(dataset: Any) -> bool:
    """Whether the dataset has a non-empty canonical ``subscriptions`` table."""
    table = getattr(dataset, "subscriptions", None)
    return table is not None and len(table) > 0


def resolve_setting(dataset: Any, setting: str = "auto") -> str:
    """``auto``: contractual when the dataset has subscriptions or customers carry a churned
    flag, else transactional."""
    if setting not in ("auto", "contractual", "transactional"):
        raise ValueError(f"setting must be auto, contractual or transactional, got {setting!r}")
    if setting != "auto":
        return setting
    has_flag = dataset.customers is not None and "churned" in dataset.customers \
        and dataset.customers["churned"].notna().any()
    return "contractual" if has_flag or has_subscriptions(dataset) else "transactional"


def analyse(dataset: Any, as_of: pd.Timestamp, *, setting: str = "auto", horizon_days: int = 90,
            n_cutoffs: int = 6, save_rate: float = 0.2, contact_cost: float = 10.0,
            random_state: int = 0, static_attributes: Sequence[str] | None = None,
            attribute_history: pd.DataFrame | None = None, check_leakage: bool = True,
            stages: pd.DataFrame | None = None, comments: pd.DataFrame | None = None,
            measured_effect: Any = None,
            lang: str | None = None, n_reasons: int | None = None) -> ChurnResult:
    """Label, features, model comparison, scores, reasons, health, targeting and survival.

    The result does not depend on the report language: every scored customer (one row each)
    gets reason codes (``reason_keys``; ``top_reasons`` joined by ``;``, ``top_reason`` the
    strongest, ``none`` without one) and a recommended action code (:data:`ACTIONS`). Texts
    come from :mod:`workbench.churn.report`. ``lang`` and ``n_reasons`` are deprecated and
    ignored (reasons are given for every scored customer).

    Transactional setting: every customer who bought is scored on ``as_of``, with lifecycle's
    stage as a feature: ``stages`` is the run's shared ``stages`` result
    (``ctx.result("stages")``), else it is computed with lifecycle's own functions
    (:func:`~workbench.churn.features.stages_at`), as it is at every past cutoff. ``comments``
    is the run's shared ``comments`` result (``ctx.result("comments")``), else it is computed
    from ``dataset.feedback`` with :func:`workbench.feedback.comments_result`; its answers give
    the feedback features of each cutoff (see :func:`~.features.feedback_features`). Of the
    customers table only the ``static_attributes`` (default :data:`STATIC_ATTRIBUTES`) are
    features; attributes that change over time come only from ``attribute_history`` (see
    :func:`attributes_as_of`). With ``check_leakage`` the best model is also cross-validated
    with the left-out snapshot attributes added, and both ROC-AUCs are kept in ``leakage``.
    Contractual setting with a ``subscriptions`` table
    (:func:`workbench.churn.contractual.subscription_churn`): every customer with MRR > 0 on a
    monthly cutoff is a row, and churns when their MRR falls to zero within ``horizon_days``
    (days); features use only what was known on the cutoff; the value at stake is the
    customer's ARR (12 x MRR on ``as_of``); survival curves by plan and by start cohort.
    Contractual setting without subscriptions (a ``churned`` flag on customers): one
    observation date, the attributes are as of it and are all used; the value at stake is the
    ARR from customers' ``mrr`` when mapped, else 1 per customer.

    Targeting: expected value = churn probability x value at stake x save rate - contact cost
    (currency units). The save rate is the constant ``save_rate`` (0-1) unless
    ``measured_effect`` is given: the run's measured campaign uplift
    (:func:`workbench.campaigns.measured_effect`), each customer's save rate being the conversion
    uplift measured in their segment (the arm's overall uplift where the segment was too small).
    The rate used is kept per customer in ``current["save_rate"]``.
    """
    if lang is not None or n_reasons is not None:
        warnings.warn("churn.analyse: lang and n_reasons are ignored (the result holds codes for "
                      "every scored customer); use reason_texts(result, lang) or "
                      "export_frame(result, lang) for the text", DeprecationWarning, stacklevel=2)
    chosen = resolve_setting(dataset, setting)
    leakage = None
    survivals: dict[str, Any] = {}
    source = "transactions"
    if chosen == "contractual" and has_subscriptions(dataset):
        from workbench.churn.contractual import subscription_churn

        source = "subscriptions"
        found = subscription_churn(dataset.subscriptions, as_of, events=dataset.events,
                                   feedback=dataset.feedback, customers=dataset.customers,
                                   static_attributes=static_attributes,
                                   horizon_days=horizon_days, n_cutoffs=n_cutoffs,
                                   random_state=random_state)
        data, report = found.data, found.report
        current = found.current.drop(columns="cutoff")
        value = found.value  # ARR: 12 x MRR running on as_of (currency units per year)
        survivals = dict(found.survival)
        survival_group = next(iter(survivals), None)  # plan first, then start cohort
        survival = survivals.get(survival_group) if survival_group else None
        baseline, health_table, churn_days = None, None, None
    elif chosen == "contractual":
        source = "customers"
        data = contractual_data(dataset.customers)
        report = evaluate_models(data, random_state=random_state)
        oof = report.predictions[report.best].reindex(range(len(data.label)))
        current = data.features.assign(churn_probability=oof.to_numpy(), churned=data.label.to_numpy())
        current = current[current["churned"] == 0].drop(columns="churned")
        value = (current["mrr"] * 12 if "mrr" in current  # ARR: customers' canonical mrr
                 else pd.Series(1.0, index=current.index))
        survival_group = "contract" if "contract" in current else None
        tenure = data.features.get("tenure")
        survival = (kaplan_meier(tenure.fillna(0).to_numpy(), data.label.to_numpy(),
                                 data.features[survival_group] if survival_group else None)
                    if tenure is not None else None)
        if survival is not None:
            survivals = {survival_group or "all": survival}
        baseline, health_table, churn_days = None, None, None
    else:
        from workbench.lifecycle import PurchaseHistory, derive_rules

        tx = dataset.transactions
        history = PurchaseHistory(tx)
        if comments is None and dataset.feedback is not None and len(dataset.feedback):
            from workbench.feedback import comments_result

            comments = comments_result(dataset.feedback, as_of)
        kwargs = {"customers": dataset.customers, "events": dataset.events, "feedback": dataset.feedback,
                  "comments": comments, "static_attributes": static_attributes,
                  "attribute_history": attribute_history,
                  "complaint_categories": complaint_categories_of(comments, as_of) if comments is not None else ()}
        cutoffs = monthly_cutoffs(as_of, horizon_days, n_cutoffs, tx["order_date"].min())
        lines = _PurchaseLines(tx)  # prepared once for every cutoff and as_of
        # everything read from the purchase lines and lifecycle's history at as_of first:
        # both are closed after the last cutoff's features, before the training rows are
        # joined and the models fitted, the largest moments of the report
        now = stages if stages is not None else stages_at(history, as_of)
        current = _features_at(lines, as_of, **kwargs)
        current = with_stage(current, now).reset_index(drop=True)
        value = pd.Series(lines.spend(as_of, 365, current["customer_id"]), index=current.index)
        last_rules = derive_rules(history, max(pd.Timestamp(c).normalize() for c in cutoffs)) \
            if cutoffs else None
        churn_days = derive_rules(history, as_of).churn_days
        survival_group = next((c for c in SURVIVAL_GROUPS if c in current), None)
        survival = _lifetimes(lines.spans(as_of), now, dataset.customers, survival_group)
        survivals = {survival_group or "all": survival}
        data = _transactional_data(lines, cutoffs, horizon_days=horizon_days, history=history,
                                   close=True, **kwargs)
        del lines, history
        last_cutoff = data.features["cutoff"].max()
        last = data.features["cutoff"] == last_cutoff
        scored = health_score(data.features[last], churn_days=last_rules.churn_days)
        health_table = health_bands(scored, data.label[last])
        del scored
        report = evaluate_models(data, random_state=random_state)
        if check_leakage:
            leakage = leakage_check(data, report, dataset.customers, static_attributes,
                                    attribute_history, random_state=random_state)
        baseline = _bgnbd_baseline(tx, data)
        current["churn_probability"] = predict(report, current)
    current = current.reset_index(drop=True)
    current["value_at_stake"] = value.to_numpy()
    current["health_score"] = health_score(current, churn_days=churn_days).to_numpy()
    if not 0 <= save_rate <= 1:
        raise ValueError(f"save_rate must be between 0 and 1, got {save_rate}")
    rules = fit_reason_rules(data)
    keys = reason_codes(rules, current) if len(current) else []
    top = [k[0] if k else NO_REASON for k in keys]
    reasons = pd.DataFrame({"reason_keys": keys, "top_reason": top,
                            "top_reasons": [";".join(k) if k else NO_REASON for k in keys]},
                           index=current.index)
    reasons["recommended_action"] = recommended_actions(
        reasons["top_reason"], current["churn_probability"], current["value_at_stake"])
    current, ranking, order = _targeted(current, reasons, measured_effect, save_rate, contact_cost)
    return ChurnResult(chosen, data, report, current, ranking, survival, survival_group,
                       baseline, health_table, rules, leakage,
                       "measured" if measured_effect is not None else "assumed", source, survivals,
                       order)


#: Columns of ``ChurnResult.current`` that depend on the save rate (see :func:`_targeted`).
_TARGETING = ("save_rate", "expected_value")
#: Columns of ``ChurnResult.current`` with each customer's reasons and recommended action.
_REASONS = ("reason_keys", "top_reason", "top_reasons", "recommended_action")


def _targeted(current: pd.DataFrame, reasons: pd.DataFrame, measured_effect: Any,
              save_rate: float, contact_cost: float
              ) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """The scored customers (``current``, one row each, a RangeIndex) with their save rate,
    expected value (currency units) and ``reasons``, best expected value first; the budget
    curve (:func:`expected_value_ranking`); and the order: row ``k`` of the sorted frame is
    row ``order[k]`` of ``current``."""
    current = current.copy(deep=False)  # copy-on-write: the new columns stay in this copy
    current["save_rate"] = (measured_effect.for_customers(current["customer_id"].astype(str))
                            if measured_effect is not None else float(save_rate))
    ranking = expected_value_ranking(current["churn_probability"].to_numpy(),
                                     current["value_at_stake"].to_numpy(),
                                     save_rate=current["save_rate"].to_numpy(),
                                     contact_cost=contact_cost)
    current["expected_value"] = (current["churn_probability"] * current["value_at_stake"]
                                 * current["save_rate"] - contact_cost)
    current = pd.concat([current, reasons], axis=1).sort_values("expected_value", ascending=False)
    order = current.index.to_numpy()
    return current.reset_index(drop=True), ranking, order


def with_measured_effect(result: ChurnResult, measured_effect: Any, *, save_rate: float = 0.2,
                         contact_cost: float = 10.0) -> ChurnResult:
    """``result`` with its targeting redone from the run's measured campaign uplift.

    The same as passing ``measured_effect`` to :func:`analyse`, without refitting anything:
    only each customer's save rate, expected value (currency units) and the ranking change.
    A run starts the churn report beside the campaigns report and reads the measured uplift
    last (``measured_effect`` is :func:`workbench.campaigns.measured_effect`; None keeps the
    constant ``save_rate``, 0-1). ``contact_cost`` is the cost of one contact (currency units).
    """
    if measured_effect is None:
        return result
    if result.order is None:
        raise ValueError("result has no row order: it was not made by churn.analyse")
    unsorted = result.current.iloc[np.argsort(result.order, kind="stable")].reset_index(drop=True)
    reasons = unsorted[list(_REASONS)]
    base = unsorted.drop(columns=[*_TARGETING, *_REASONS])
    current, ranking, order = _targeted(base, reasons, measured_effect, save_rate, contact_cost)
    return replace(result, current=current, ranking=ranking, order=order,
                   save_rate_source="measured")


#: Attributes fixed at signup that the transactional survival curves are grouped by (first found).
#: A group defined by later behaviour (such as a tier earned by total spend) would sort
#: customers by the lifetime being measured.
SURVIVAL_GROUPS = ("acquisition_channel", "region", "gender")


def _lifetimes(spans: pd.DataFrame, stages: pd.DataFrame, customers: pd.DataFrame | None,
               group: str | None) -> dict[str, Any]:
    """Kaplan-Meier curves of the days from first to last purchase up to ``as_of`` (``spans``:
    each customer's first and last purchase, :meth:`~.features._PurchaseLines.spans`); the
    event is lifecycle's stage ``churned`` on ``as_of`` (everyone else is still observed)."""
    lifetime = (spans["max"] - spans["min"]).dt.days.to_numpy()
    stage = stages.set_index(stages["customer_id"].astype(str))["stage"].astype(str)
    ended = (stage.reindex(spans.index) == "churned").astype(int).to_numpy()
    groups = None
    if group:
        attributes = customers.set_index(customers["customer_id"].astype(str))[group]
        groups = attributes[~attributes.index.duplicated()].reindex(spans.index)
    return kaplan_meier(lifetime, ended, groups)


EXPORT_COLUMNS = ("customer_id", "churn_probability", "value_at_stake", "health_score",
                  "top_reasons", "recommended_action", "expected_value")


#: Label key templates of the export's code columns (``recommended_action_label``);
#: ``top_reasons_label`` holds sentences and comes from :func:`export_frame`.
EXPORT_LABELS = {"recommended_action": RESULTS["churn"].labels["recommended_action"]}


def churn_result(result: ChurnResult) -> pd.DataFrame:
    """The shared ``churn`` result (schema ``workbench.results.RESULTS["churn"]``): one row per
    scored customer, highest expected value first; probability 0-1, health 0-100, value at
    stake and expected value in currency units, ``top_reason`` and ``recommended_action``
    codes."""
    frame = result.current[list(RESULTS["churn"].columns)].copy()
    frame["customer_id"] = frame["customer_id"].astype(str)
    return frame.reset_index(drop=True)


def high_risk(result: ChurnResult, threshold: float = 0.5) -> pd.DataFrame:
    """Customers scored now with a churn probability above ``threshold`` (one row each)."""
    current = result.current
    return current[current["churn_probability"] > threshold].drop_duplicates("customer_id")


def latest_cutoff(predictions: pd.DataFrame) -> pd.DataFrame:
    """The out-of-fold predictions of the latest cutoff: one row per customer.

    With several cutoffs a customer appears once per cutoff; counts of customers are taken
    at one cutoff so that they count people. Frames without a cutoff column are returned as
    they are.
    """
    if "cutoff" not in predictions or predictions["cutoff"].nunique() <= 1:
        return predictions
    return predictions[predictions["cutoff"] == predictions["cutoff"].max()]


def comparison(result: ChurnResult) -> pd.DataFrame:
    """Models and BG/NBD baselines in one frame: model (key), kind, roc_auc, pr_auc, brier.

    The table and the sentences of the report are both read from this frame.
    """
    table = result.report.scores.reset_index().assign(kind="model")
    rows = [{"model": name, "kind": "baseline", "roc_auc": auc, "pr_auc": np.nan, "brier": np.nan}
            for name, auc in (result.baseline_auc or {}).items()]
    if rows:
        table = pd.concat([table, pd.DataFrame(rows)], ignore_index=True)
    return table[["model", "kind", "roc_auc", "pr_auc", "brier"]]
