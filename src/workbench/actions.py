"""This week's action list: whom to contact, with what, and why, within a contact budget.

Every analysis of the run proposes customers to contact (candidates); one rule puts them in
order:

    expected value = probability of the event x value at stake x effect of the action - cost

in currency units per contact. Where each factor comes from, per source (:data:`FACTORS`):

- ``lifecycle`` (stage ``at_risk``; reason ``at_risk``, action ``winback_offer``):
  probability = churn_probability (churn result), else 1 - prob_alive (clv result), else
  ``default_risk``; value = value_at_stake (churn), else clv (clv), else spend to date
  (segments ``monetary``); effect = ``effect_retention``.
- ``churn`` (every customer the churn model scored; reason ``churn_risk``): probability =
  churn_probability; value = value_at_stake; the action follows the churn report's
  recommended action (call -> ``personal_call``, winback -> ``winback_offer``, service ->
  ``service_callback``, contract -> ``contract_offer``, nurture -> ``nurture``); effect =
  ``effect_retention``, or ``effect_nurture`` for ``nurture``.
- ``clv`` (high value: CLV tier A or B, :data:`HIGH_VALUE_TIERS`; action ``personal_call``):
  those whose P(alive) is falling, reason ``alive_falling``: ``prob_alive_previous -
  prob_alive`` (the same model 91 days earlier, see the ``clv`` result) is at least
  ``alive_drop`` (0.10 by default, the CLV report's ``min_drop``); and those whose P(alive) is
  low, reason ``high_value_fading``: prob_alive below ``fading_alive``. Falling wins when both
  hold. Probability = 1 - prob_alive; value = clv; effect = ``effect_retention``.
- ``feedback`` (feedback within ``feedback_days`` of as_of: last NPS at most 6, reason
  ``detractor``, or a negative comment with complaint categories, reason ``complaint``; action
  ``service_callback``): probability and value as for ``lifecycle``; effect =
  ``effect_retention``.
- ``personalization`` (the rank-1 next best offer of an active customer: lifecycle stage new,
  active, loyal or reactivated; every customer when the run has no stages; reason
  ``next_best_offer``, action ``cross_sell_offer``): probability = prob_alive (clv), else
  1 - churn_probability, else 1; value = expected_avg_spend (clv), else the average order
  value (segments monetary / frequency); effect = ``effect_cross_sell`` (the share of
  contacted customers who take the offer).

- ``customer_success`` (the ``renewals`` result: renewals due whose renewal probability is
  below ``renewal_below``, 0.85 by default, one per customer, the subscription with the most
  ARR at risk; reason ``renewal_at_risk``, action ``personal_call``): probability = 1 -
  renewal_probability; value = the subscription's ARR; effect = ``effect_retention``.

A customer appears once, with the candidate of highest expected value (ties: the more specific
source first, :data:`TIE_ORDER`: feedback, customer_success, churn, clv, lifecycle,
personalization). The list
keeps candidates with positive expected value, highest first, at most the budget of contacts. Functions return DataFrames of codes and numbers; sentences and labels
live in :mod:`workbench.actions_report`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.results import by_customer, is_among
from workbench.safety import mask_text
from workbench.summary import up_to

__all__ = [
    "ACTIONS",
    "ACTIVE_STAGES",
    "EXPORT_COLUMNS",
    "FACTORS",
    "HIGH_VALUE_TIERS",
    "REASONS",
    "RESULT_OF_SOURCE",
    "SOURCES",
    "TIE_ORDER",
    "Rule",
    "absent_sources",
    "action_list",
    "candidates",
    "choose",
    "contact_details",
    "counts",
    "coverage",
    "cumulative",
]

#: Sources of candidates.
SOURCES = ("lifecycle", "churn", "clv", "feedback", "personalization", "customer_success")
#: Which source wins a tie of expected value: the more specific reason first.
TIE_ORDER = ("feedback", "customer_success", "churn", "clv", "lifecycle", "personalization")
#: The shared result each source reads (:mod:`workbench.results`).
RESULT_OF_SOURCE = {"lifecycle": "stages", "churn": "churn", "clv": "clv",
                    "feedback": "feedback", "personalization": "recommendations",
                    "customer_success": "renewals"}
#: Recommended action codes (labels ``act.action.<code>``).
ACTIONS = ("personal_call", "winback_offer", "service_callback", "contract_offer",
           "cross_sell_offer", "nurture")
#: Reason codes (labels ``act.reason.<code>``).
REASONS = ("at_risk", "churn_risk", "alive_falling", "high_value_fading", "detractor",
           "complaint", "next_best_offer", "renewal_at_risk")
#: CLV tiers counted as high value by the ``clv`` source.
HIGH_VALUE_TIERS = ("A", "B")
#: Lifecycle stages counted as active for cross-sell.
ACTIVE_STAGES = ("new", "active", "loyal", "reactivated")
#: Columns of ``exports/actions.csv``.
EXPORT_COLUMNS = ("customer_id", "rank", "action", "action_label", "reason", "reason_label",
                  "channel", "owner", "expected_value", "source")
#: Per source: (probability, value, effect) as catalogue-free codes for the report's table.
FACTORS = {
    "lifecycle": ("risk", "stake", "effect_retention"),
    "churn": ("churn_probability", "value_at_stake", "effect_retention_nurture"),
    "clv": ("one_minus_alive", "clv", "effect_retention"),
    "feedback": ("risk", "stake", "effect_retention"),
    "personalization": ("alive", "avg_spend", "effect_cross_sell"),
    "customer_success": ("one_minus_renewal", "arr", "effect_renewal"),
}
_CHURN_ACTIONS = {"call": "personal_call", "winback": "winback_offer",
                  "service": "service_callback", "contract": "contract_offer",
                  "nurture": "nurture"}
_MARKUP = re.compile(r"<[^>]*>")
_CANDIDATE_COLUMNS = ["customer_id", "source", "reason", "action", "probability", "value",
                      "effect", "cost", "expected_value"]


@dataclass(frozen=True)
class Rule:
    """The assumptions of the expected-value rule.

    Attributes
    ----------
    cost_per_contact
        Cost of one contact, currency units.
    effect_retention
        Share of the value at stake a retention or service contact saves (0-1).
    effect_cross_sell
        Share of contacted customers who take the next best offer (0-1).
    effect_nurture
        Share of the value at stake a low-touch nurture message saves (0-1).
    default_risk
        Probability of losing a flagged customer when neither churn nor CLV scores exist.
    fading_alive
        P(alive) below which a tier A/B customer is fading.
    alive_drop
        Fall of P(alive) (0-1, absolute: previous minus now, over the CLV report's 91-day
        lookback) from which a tier A/B customer's P(alive) counts as falling.
    feedback_days
        Feedback answered within this many days of as_of counts for a call-back.
    renewal_below
        A renewal due (customer success) whose renewal probability is below this is at risk.
    """

    cost_per_contact: float = 5.0
    effect_retention: float = 0.2
    effect_cross_sell: float = 0.05
    effect_nurture: float = 0.05
    default_risk: float = 0.5
    fading_alive: float = 0.5
    alive_drop: float = 0.10
    feedback_days: int = 30
    renewal_below: float = 0.85

    def __post_init__(self) -> None:
        for name in ("effect_retention", "effect_cross_sell", "effect_nurture", "default_risk",
                     "fading_alive", "alive_drop", "renewal_below"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        if self.cost_per_contact < 0:
            raise ValueError(f"cost_per_contact must not be negative, got {self.cost_per_contact}")
        if self.feedback_days <= 0:
            raise ValueError(f"feedback_days must be positive, got {self.feedback_days}")


def absent_sources(results: Mapping[str, pd.DataFrame | None]) -> list[str]:
    """Sources whose result the run does not have (that report was skipped or not run)."""
    return [s for s in SOURCES if results.get(RESULT_OF_SOURCE[s]) is None]


def _first(ids: pd.Series, *chains: pd.Series) -> pd.Series:
    """Per customer, the first of ``chains`` that has a value (NaN when none has)."""
    out = pd.Series(np.nan, index=ids.index, dtype="float64")
    keys = ids.astype("string").to_numpy(dtype=object, na_value=None)
    for chain in chains:
        found = chain.reindex(keys).to_numpy(dtype="float64", na_value=np.nan)
        out = out.fillna(pd.Series(found, index=ids.index))
    return out


def _frame(ids: pd.Series, source: str, reason: pd.Series | str, action: pd.Series | str,
           probability: pd.Series, value: pd.Series, effect: pd.Series | float,
           rule: Rule) -> pd.DataFrame:
    out = pd.DataFrame({"customer_id": ids.astype("string").to_numpy(), "source": source,
                        "reason": reason, "action": action,
                        "probability": probability.to_numpy(dtype="float64"),
                        "value": value.to_numpy(dtype="float64")})
    out["effect"] = np.asarray(effect, dtype="float64") if not np.isscalar(effect) else effect
    out["cost"] = float(rule.cost_per_contact)
    out = out.dropna(subset=["probability", "value"])
    out["expected_value"] = out["probability"] * out["value"] * out["effect"] - out["cost"]
    return out[_CANDIDATE_COLUMNS].reset_index(drop=True)


def candidates(results: Mapping[str, pd.DataFrame | None], as_of: pd.Timestamp,
               rule: Rule | None = None, measured: Any = None) -> pd.DataFrame:
    """Every proposal of every source, with the factors of its expected value.

    ``results`` maps result names (``stages``, ``churn``, ``clv``, ``feedback``,
    ``recommendations``, ``segments``) to the run's shared results; a missing or None result
    gives no candidates (and no fallback factor). Returns one row per (customer, source):
    ``customer_id, source, reason, action, probability, value, effect, cost,
    expected_value`` (value, cost and expected value in currency units). Candidates whose
    probability or value is unknown are left out.

    ``measured`` is the run's measured campaign uplift
    (:func:`workbench.campaigns.measured_effect`, None without one). When given, it replaces
    ``rule.effect_retention`` for the retention contacts of the lifecycle, churn, CLV and
    feedback sources: each customer's effect is the conversion uplift measured in their RFM
    segment (the arm's overall uplift where the segment was too small). Nurture, cross-sell
    and customer-success renewal calls keep their assumed effects (no campaign measured them).
    """
    rule = rule or Rule()

    def retention(ids: pd.Series) -> np.ndarray | float:
        return (measured.for_customers(ids.astype("string")) if measured is not None
                else rule.effect_retention)

    as_of = pd.Timestamp(as_of).normalize()
    stages, churn, clv = (results.get(n) for n in ("stages", "churn", "clv"))
    voice, recs, segments = (results.get(n) for n in ("feedback", "recommendations", "segments"))
    churn_p = by_customer(churn, "churn_probability", numeric=True)
    stake = by_customer(churn, "value_at_stake", numeric=True)
    alive = by_customer(clv, "prob_alive", numeric=True)
    clv_value = by_customer(clv, "clv", numeric=True)
    monetary = by_customer(segments, "monetary", numeric=True)
    frames = []

    def risk_and_stake(ids: pd.Series) -> tuple[pd.Series, pd.Series]:
        default = pd.Series(rule.default_risk, index=ids.index, dtype="float64")
        return (_first(ids, churn_p, 1 - alive).fillna(default),
                _first(ids, stake, clv_value, monetary))

    if stages is not None:
        ids = stages.loc[stages["stage"] == "at_risk", "customer_id"].astype("string")
        p, v = risk_and_stake(ids)
        frames.append(_frame(ids, "lifecycle", "at_risk", "winback_offer", p, v,
                             retention(ids), rule))
    if churn is not None:
        action = churn["recommended_action"].astype("string").map(_CHURN_ACTIONS).fillna("nurture")
        effect = np.where(action == "nurture", rule.effect_nurture,
                          retention(churn["customer_id"]))
        frames.append(_frame(churn["customer_id"], "churn", "churn_risk", action.to_numpy(),
                             churn["churn_probability"], churn["value_at_stake"], effect, rule))
    if clv is not None:
        picked, reason = _high_value_alive(clv, rule)
        frames.append(_frame(picked["customer_id"], "clv", reason, "personal_call",
                             1 - picked["prob_alive"], picked["clv"],
                             retention(picked["customer_id"]), rule))
    if voice is not None:
        when = pd.to_datetime(voice["last_feedback_at"]).dt.normalize()
        recent = (when <= as_of) & (when > as_of - pd.Timedelta(days=rule.feedback_days))
        detractor = recent & (pd.to_numeric(voice["last_nps"], errors="coerce") <= 6)
        categories = voice["complaint_categories"].astype("string").fillna("").str.strip()
        complaint = recent & (voice["sentiment"] == "negative") & (categories != "")
        picked = voice[(detractor | complaint).fillna(False)]
        ids = picked["customer_id"].astype("string").reset_index(drop=True)
        reason = np.where(detractor[picked.index].fillna(False).to_numpy(), "detractor",
                          "complaint")
        p, v = risk_and_stake(ids)
        frames.append(_frame(ids, "feedback", reason, "service_callback", p, v,
                             retention(ids), rule))
    if recs is not None:
        top = recs[recs["rank"] == 1]
        if stages is not None:
            active = stages.loc[stages["stage"].isin(ACTIVE_STAGES), "customer_id"].astype("string")
            top = top[is_among(top["customer_id"], active)]
        ids = top["customer_id"].astype("string").reset_index(drop=True)
        ones = pd.Series(1.0, index=ids.index)
        p = _first(ids, alive, 1 - churn_p).fillna(ones)
        aov = monetary / by_customer(segments, "frequency", numeric=True).replace(0, np.nan)
        v = _first(ids, by_customer(clv, "expected_avg_spend", numeric=True), aov)
        frames.append(_frame(ids, "personalization", "next_best_offer", "cross_sell_offer", p, v,
                             rule.effect_cross_sell, rule))
    renewals = results.get("renewals")
    if renewals is not None:
        due = renewals[pd.to_numeric(renewals["renewal_probability"], errors="coerce")
                       < rule.renewal_below]
        due = due.sort_values(["arr_at_risk", "subscription_id"], ascending=[False, True],
                              kind="mergesort").drop_duplicates("customer_id")  # largest risk
        due = due.reset_index(drop=True)
        frames.append(_frame(due["customer_id"], "customer_success", "renewal_at_risk",
                             "personal_call", 1 - pd.to_numeric(due["renewal_probability"]),
                             pd.to_numeric(due["arr"]), rule.effect_retention, rule))
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("probability", "value",
                             "effect", "cost", "expected_value") else "string")
                             for c in _CANDIDATE_COLUMNS})
    return pd.concat(frames, ignore_index=True)


def _high_value_alive(clv: pd.DataFrame, rule: Rule) -> tuple[pd.DataFrame, np.ndarray]:
    """The ``clv`` source's customers and reason codes: high value (:data:`HIGH_VALUE_TIERS`)
    with P(alive) falling by at least ``rule.alive_drop`` (``alive_falling``) or below
    ``rule.fading_alive`` (``high_value_fading``)."""
    alive = pd.to_numeric(clv["prob_alive"], errors="coerce")
    previous = pd.to_numeric(clv["prob_alive_previous"], errors="coerce") \
        if "prob_alive_previous" in clv else pd.Series(np.nan, index=clv.index)
    high = clv["clv_tier"].astype("string").isin(HIGH_VALUE_TIERS).fillna(False)
    # a small tolerance so a drop of exactly alive_drop counts despite float rounding
    falling = ((previous - alive) >= rule.alive_drop - 1e-12).fillna(False)
    fading = (alive < rule.fading_alive).fillna(False)
    keep = (high & (falling | fading)).to_numpy(dtype=bool)
    reason = np.where(falling.to_numpy(dtype=bool)[keep], "alive_falling", "high_value_fading")
    return clv[keep].reset_index(drop=True), reason


def choose(found: pd.DataFrame) -> pd.DataFrame:
    """One row per customer, the candidate of highest expected value, positive ones only.

    Sorted by expected value (highest first; ties by :data:`TIE_ORDER`, then customer id) with
    ``rank`` 1..n. Every positive candidate is kept: the budget is applied by
    :func:`action_list`, the coverage of the budget by :func:`coverage`.
    """
    order = {s: i for i, s in enumerate(TIE_ORDER)}
    ranked = found.assign(_order=found["source"].map(order))
    ranked = ranked.sort_values(["expected_value", "_order", "customer_id"],
                                ascending=[False, True, True], kind="mergesort")
    best = ranked.drop_duplicates("customer_id", keep="first")
    best = best[best["expected_value"] > 0].drop(columns="_order").reset_index(drop=True)
    best.insert(1, "rank", pd.array(np.arange(1, len(best) + 1), dtype="Int64"))
    return best


def contact_details(customer_ids: pd.Series, transactions: pd.DataFrame | None,
                    customers: pd.DataFrame | None, as_of: pd.Timestamp) -> pd.DataFrame:
    """Per customer, the channel to use and the owner.

    ``channel`` is the customers' ``preferred_channel`` when that column has a value, else the
    channel of the customer's most recent purchase on or before ``as_of``; ``owner`` is the
    customers' ``account_manager`` (blank without one). Text is masked (phones, e-mails, ID
    numbers) and markup dropped, as it comes from the data.
    """
    ids = pd.Series(customer_ids, dtype="string").reset_index(drop=True)
    channel = pd.Series(pd.NA, index=ids.index, dtype="string")
    owner = pd.Series(pd.NA, index=ids.index, dtype="string")
    if customers is not None and "customer_id" in customers:
        master = customers.drop_duplicates("customer_id").set_index(
            customers.drop_duplicates("customer_id")["customer_id"].astype("string"))
        for column, target in (("preferred_channel", channel), ("account_manager", owner)):
            if column in master:
                target.update(ids.map(master[column].astype("string")))
    if transactions is not None and "channel" in transactions:
        tx = up_to(transactions, as_of)
        tx = tx[tx["channel"].notna()]
        tx = tx[tx["customer_id"].astype("string").isin(set(ids.dropna()))]
        last = tx.sort_values("order_date", kind="mergesort").drop_duplicates(
            "customer_id", keep="last")
        recent = pd.Series(last["channel"].astype("string").to_numpy(),
                           index=last["customer_id"].astype("string"))
        channel = channel.fillna(ids.map(recent))
    clean = {name: s.map(_clean_text).astype("string")
             for name, s in (("channel", channel), ("owner", owner))}
    return pd.DataFrame({"customer_id": ids, **clean})


def _clean_text(value: object) -> object:
    """Text from the data for the list: markup dropped, personal data masked, blank as NA."""
    if value is None or pd.isna(value):
        return pd.NA
    text = mask_text(_MARKUP.sub("", str(value))).strip()
    return text or pd.NA


def action_list(chosen: pd.DataFrame, details: pd.DataFrame, contacts: int) -> pd.DataFrame:
    """The top ``contacts`` of :func:`choose` with channel and owner.

    Columns ``customer_id, rank, action, reason, channel, owner, expected_value, source``
    (expected value in currency units, rounded to cents); labels are added at export.
    """
    if contacts < 0:
        raise ValueError(f"contacts must not be negative, got {contacts}")
    top = chosen.head(contacts)
    merged = top.merge(details, on="customer_id", how="left")
    merged["expected_value"] = merged["expected_value"].round(2)
    return merged[["customer_id", "rank", "action", "reason", "channel", "owner",
                   "expected_value", "source"]].reset_index(drop=True)


def coverage(chosen: pd.DataFrame, contacts: int, more: int = 100) -> dict[str, float | int]:
    """What the budget captures of the positive expected value, and what ``more`` would add.

    Returns ``contacts`` (rows in the list), ``candidates`` (customers with positive expected
    value), ``expected_value`` (sum over the list), ``total_value`` (sum over every positive
    candidate), ``held_back`` (candidates left out), ``captured_share`` (list / total; None
    without candidates) and ``next_100_value`` (sum over the next ``more`` candidates).
    """
    values = chosen["expected_value"].to_numpy(dtype="float64")
    taken = values[:contacts]
    total = float(values.sum())
    return {
        "contacts": len(taken),
        "candidates": len(values),
        "expected_value": float(taken.sum()),
        "total_value": total,
        "held_back": int(len(values) - len(taken)),
        "captured_share": float(taken.sum() / total) if total > 0 else None,
        "next_100_value": float(values[contacts:contacts + more].sum()),
    }


def cumulative(chosen: pd.DataFrame) -> pd.DataFrame:
    """Cumulative expected value (currency units) against the number of contacts, from 0."""
    values = chosen["expected_value"].to_numpy(dtype="float64")
    return pd.DataFrame({"contacts": np.arange(len(values) + 1),
                         "cumulative_value": np.concatenate([[0.0], np.cumsum(values)])})


def counts(frame: pd.DataFrame, column: str, codes: tuple[str, ...]) -> dict[str, int]:
    """Rows per code of ``column``, in the order of ``codes``, codes without rows left out."""
    found = frame[column].value_counts()
    return {c: int(found[c]) for c in codes if c in found.index}
