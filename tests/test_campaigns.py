"""Campaigns: hand-computed effects, validation messages, curves against a hand case and scikit-uplift."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from workbench.campaigns import (
    CONTROL,
    CampaignError,
    TwoModelUplift,
    XLearnerUplift,
    arm_effects,
    assign_control,
    auuc,
    bootstrap_interval,
    budget_curve,
    campaign_outcomes,
    check_campaigns,
    cross_fit_uplift,
    do_not_contact,
    holdout_size,
    holm,
    normalise_arm,
    power_two_proportions,
    qini_coefficient,
    qini_curve,
    rank_by_value,
    two_proportion,
    uplift_by_group,
    uplift_curve,
    welch,
)


# ------------------------------------------------------------------------------ data
@pytest.mark.parametrize("name", ["control", " Control ", "对照组", "HOLDOUT", "hold out", "Hold-Out"])
def test_control_names_become_the_control_code(name):
    assert normalise_arm(name) == CONTROL


def test_treatment_names_are_kept_trimmed():
    assert normalise_arm("  coupon  20 ") == "coupon 20"


def _log(**extra):
    frame = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "campaign_id": "c1",
                          "sent_at": "2026-01-10", "arm": ["sms", "sms", "对照组", "Holdout"]})
    return frame.assign(**extra)


def test_check_campaigns_codes_and_types():
    out = check_campaigns(_log(cost=["1.5", "1.5", "0", "0"]))
    assert list(out["arm"]) == ["sms", "sms", CONTROL, CONTROL]
    assert out["sent_at"].dtype.kind == "M"
    assert out["cost"].sum() == 3.0


def test_missing_column_is_named():
    with pytest.raises(CampaignError, match="arm"):
        check_campaigns(_log().drop(columns="arm"))


def test_customer_in_two_arms_names_campaign_and_customer():
    frame = pd.concat([_log(), pd.DataFrame({"customer_id": ["c"], "campaign_id": ["c1"],
                                             "sent_at": ["2026-01-10"], "arm": ["sms"]})])
    with pytest.raises(CampaignError, match=r"'c1'.*\bc\b") as info:
        check_campaigns(frame)
    assert "more than one arm" in str(info.value)


def test_sent_at_after_the_data_names_rows():
    frame = _log(sent_at=["2026-01-10", "2026-03-01", "2026-01-10", "2026-01-10"])
    with pytest.raises(CampaignError, match=r"after the data's last day 2026-02-01 in row\(s\) 1\b"):
        check_campaigns(frame, last_date="2026-02-01")
    assert len(check_campaigns(frame, last_date="2026-03-01")) == 4  # same day is allowed


def test_unreadable_sent_at_and_converted_are_errors():
    with pytest.raises(CampaignError, match="sent_at cannot be read"):
        check_campaigns(_log(sent_at=["2026-01-10", "soon", "2026-01-10", "2026-01-10"]))
    with pytest.raises(CampaignError, match="converted must be 0 or 1"):
        check_campaigns(_log(converted=["1", "0", "maybe", "0"]))


def test_outcome_window_from_transactions():
    log = check_campaigns(pd.DataFrame({"customer_id": ["a", "b", "c"], "campaign_id": "c1",
                                        "sent_at": "2026-01-10 09:00:00",
                                        "arm": ["sms", "sms", "control"]}))
    tx = pd.DataFrame({
        "customer_id": ["a", "a", "a", "a", "b", "b", "c"],
        "order_id": ["o1", "o2", "o2", "R2", "o3", "o4", "o5"],
        "order_date": pd.to_datetime(["2026-01-10 08:59:00", "2026-01-12 10:00:00", "2026-01-12 10:00:00",
                                      "2026-01-20 10:00:00", "2026-02-09 09:00:00", "2026-02-09 09:00:01",
                                      "2026-03-01 10:00:00"]),
        "amount": [50.0, 30.0, 20.0, -20.0, 40.0, 99.0, 10.0]})
    out = campaign_outcomes(log, tx, window_days=30).set_index("customer_id")
    # a: before the send not counted; o2's two lines are one order; the return nets off
    assert out.loc["a", ["converted", "revenue", "orders"]].tolist() == [1, 30.0, 1]
    # b: exactly sent_at + 30 days is inside, one second later is not
    assert out.loc["b", ["converted", "revenue", "orders"]].tolist() == [1, 40.0, 1]
    assert out.loc["c", ["converted", "revenue", "orders"]].tolist() == [0, 0.0, 0]
    assert out["window_complete"].all()


def test_given_outcomes_are_kept():
    log = check_campaigns(_log(converted=[1, 0, 0, 1], revenue=[10, 0, 0, 5]))
    out = campaign_outcomes(log, pd.DataFrame(columns=["customer_id", "order_date", "amount"]))
    assert out["converted"].tolist() == [1, 0, 0, 1] and out["revenue"].sum() == 15


# ------------------------------------------------------------------------------ effects
def test_two_proportion_by_hand():
    # 60/200 against 40/200: diff 0.10, unpooled SE sqrt(.3*.7/200 + .2*.8/200) = 0.0430116,
    # pooled SE sqrt(.25*.75*(2/200)) = 0.0433013, z = 2.3094
    r = two_proportion(60, 200, 40, 200)
    assert r["diff"] == pytest.approx(0.10)
    assert r["se"] == pytest.approx(0.0430116, abs=1e-7)
    assert (r["low"], r["high"]) == pytest.approx((0.015698, 0.184302), abs=1e-6)
    assert r["z"] == pytest.approx(2.309401, abs=1e-6)
    # the z test equals the uncorrected chi-square test of the 2x2 table
    chi2, p, _, _ = stats.chi2_contingency([[60, 140], [40, 160]], correction=False)
    assert r["z"] ** 2 == pytest.approx(chi2) and r["p"] == pytest.approx(p)


def test_welch_by_hand_and_against_scipy():
    a, b = np.array([1.0, 2, 3, 4]), np.array([2.0, 4, 6, 8, 10])
    r = welch(a, b)
    # var(a)/4 = 0.41667, var(b)/5 = 2; df = 2.41667^2 / (0.41667^2/3 + 2^2/4) = 5.5208
    assert r["diff"] == pytest.approx(-3.5)
    assert r["se"] == pytest.approx(np.sqrt(2.416667), abs=1e-6)
    assert r["df"] == pytest.approx(5.5208, abs=1e-4)
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert r["t"] == pytest.approx(ref.statistic) and r["p"] == pytest.approx(ref.pvalue)
    crit = stats.t.ppf(0.975, r["df"])
    assert r["low"] == pytest.approx(-3.5 - crit * r["se"])


def test_holm_by_hand():
    # sorted .01, .03, .04 times 3, 2, 1 = .03, .06, .04 -> running max .03, .06, .06
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert np.isnan(holm([np.nan, 0.2])[0]) and holm([np.nan, 0.2])[1] == pytest.approx(0.2)


def _outcomes(spec):
    """spec: {(campaign, arm): (customers, converters, revenue per converter, cost)}"""
    rows = []
    for (campaign, arm), (n, x, value, cost) in spec.items():
        for i in range(n):
            rows.append({"customer_id": f"{campaign}-{arm}-{i}", "campaign_id": campaign, "arm": arm,
                         "converted": int(i < x), "revenue": value if i < x else 0.0, "cost": cost})
    return pd.DataFrame(rows)


def test_arm_effects_measured_adjusted_and_without_control():
    out = _outcomes({("c1", "a"): (200, 60, 10.0, 1.0), ("c1", "b"): (200, 50, 10.0, 1.0),
                     ("c1", CONTROL): (200, 40, 10.0, 0.0), ("c2", "x"): (50, 5, 20.0, 2.0)})
    eff = arm_effects(out).set_index(["campaign_id", "arm"])
    a = eff.loc[("c1", "a")]
    assert a["uplift"] == pytest.approx(0.10) and a["uplift_low"] == pytest.approx(0.015698, abs=1e-6)
    assert a["incremental_conversions"] == pytest.approx(20.0)
    assert a["incremental_revenue"] == pytest.approx(200.0)  # (0.3 - 0.2) * 10 * 200
    assert a["roi"] == pytest.approx((200.0 - 200.0) / 200.0)
    assert a["adjustment"] == "holm"
    p = [eff.loc[("c1", "a"), "p_value"], eff.loc[("c1", "b"), "p_value"]]
    assert [eff.loc[("c1", "a"), "p_adjusted"], eff.loc[("c1", "b"), "p_adjusted"]] == \
        pytest.approx(list(holm(p)))
    assert eff.loc[("c1", CONTROL), "reason"] == "control"
    lone = eff.loc[("c2", "x")]
    assert lone["reason"] == "no_control" and np.isnan(lone["uplift"])
    assert lone["conversion"] == pytest.approx(0.1) and lone["customers"] == 50


def test_single_arm_is_not_adjusted():
    eff = arm_effects(_outcomes({("c", "a"): (100, 30, 1.0, 0.5), ("c", CONTROL): (100, 20, 1.0, 0)}))
    row = eff[eff["arm"] == "a"].iloc[0]
    assert row["adjustment"] == "none" and row["p_adjusted"] == row["p_value"]


def test_uplift_by_group_within_groups():
    out = _outcomes({("c", "a"): (100, 50, 1.0, 0), ("c", CONTROL): (100, 20, 1.0, 0)})
    out["segment"] = np.where(out.index % 2 == 0, "even", "odd")
    groups = uplift_by_group(out, "segment").set_index("value")
    for value in ("even", "odd"):
        part = out[out["segment"] == value]
        t1 = part[part["arm"] == "a"]["converted"]
        t0 = part[part["arm"] == CONTROL]["converted"]
        assert groups.loc[value, "uplift"] == pytest.approx(t1.mean() - t0.mean())
    small = uplift_by_group(out, "segment", min_customers=80)
    assert (small["reason"] == "too_small").all() and small["uplift"].isna().all()


# ------------------------------------------------------------------------------ evaluation
Y = np.array([1, 0, 1, 0, 1, 0])
T = np.array([1, 1, 0, 0, 1, 0])
S = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])


def test_qini_curve_hand_case():
    # cumulative Y_t - Y_c * N_t / N_c: 1, 1, 1 - 1*2/1, 1 - 1*2/2, 2 - 1*3/2, 2 - 1*3/3
    curve = qini_curve(Y, T, S)
    assert curve["qini"].tolist() == pytest.approx([0, 1, 1, -1, 0, 0.5, 1])
    assert curve["random"].tolist() == pytest.approx(np.arange(7) / 6)
    # area 2.0, random 3.0; best ranking: x = 0, 2, 5, 6 and y = 0, 2, 2, 1, area 9.5
    assert qini_coefficient(Y, T, S) == pytest.approx((2.0 - 3.0) / (9.5 - 3.0))


def test_uplift_curve_hand_case():
    # (rate treated - rate control) x targeted: 1, 1/2*2, (1/2 - 1)*3, 0, (2/3 - 1/2)*5, (2/3 - 1/3)*6
    curve = uplift_curve(Y, T, S)
    assert curve["uplift"].tolist() == pytest.approx([0, 1, 1, -1.5, 0, 5 / 6, 2])


def test_curves_match_scikit_uplift():
    sklift = pytest.importorskip("sklift.metrics")
    rng = np.random.default_rng(4)
    n = 400
    t = rng.integers(0, 2, n)
    x = rng.normal(size=n)
    y = (rng.random(n) < 0.2 + 0.2 * t * (x > 0)).astype(int)
    score = np.round(x + rng.normal(0, 0.5, n), 1)  # with ties
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # sklift uses a deprecated sklearn helper
        qx, qy = sklift.qini_curve(y, score, t)
        ux, uy = sklift.uplift_curve(y, score, t)
        ref_qini = sklift.qini_auc_score(y, score, t)
        ref_auuc = sklift.uplift_auc_score(y, score, t)
    assert ux.tolist() == qx.tolist()
    ours = qini_curve(y, t, score)
    assert ours["targeted"].to_numpy() == pytest.approx(qx)
    assert ours["qini"].to_numpy() == pytest.approx(qy)
    assert uplift_curve(y, t, score)["uplift"].to_numpy() == pytest.approx(uy)
    assert qini_coefficient(y, t, score) == pytest.approx(ref_qini)
    assert auuc(y, t, score) == pytest.approx(ref_auuc)
    assert ref_qini > 0.05  # the score carries signal, so the check is not around zero


def test_bootstrap_interval_brackets_and_is_seeded():
    rng = np.random.default_rng(0)
    t = rng.integers(0, 2, 600)
    x = rng.normal(size=600)
    y = (rng.random(600) < 0.2 + 0.3 * t * (x > 0)).astype(int)
    low, high = bootstrap_interval(qini_coefficient, y, t, x, n_boot=100, random_state=1)
    assert low < qini_coefficient(y, t, x) < high and low > 0
    assert bootstrap_interval(qini_coefficient, y, t, x, n_boot=100, random_state=1) == (low, high)


# ------------------------------------------------------------------------------ uplift models
class _Spy:
    """A learner whose 'uplift' is 1 for rows it was trained on (column 0 holds the row id)."""

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self

    def fit(self, X, treatment, y):
        self.seen_ = set(np.asarray(X)[:, 0].tolist())
        return self

    def predict_uplift(self, X):
        return np.array([float(v in self.seen_) for v in np.asarray(X)[:, 0]])


def test_cross_fitting_never_scores_a_row_with_a_model_that_saw_it():
    rng = np.random.default_rng(0)
    X = np.column_stack([np.arange(300), rng.normal(size=300)])
    out = cross_fit_uplift(_Spy(), X, rng.integers(0, 2, 300), rng.integers(0, 2, 300), n_folds=5)
    assert not np.isnan(out).any() and out.sum() == 0


@pytest.mark.parametrize("learner", [TwoModelUplift, XLearnerUplift])
def test_learners_find_who_is_moved(learner):
    rng = np.random.default_rng(2)
    n = 3000
    x = rng.uniform(-1, 1, (n, 2))
    t = rng.integers(0, 2, n)
    moved = x[:, 0] > 0
    y = (rng.random(n) < 0.2 + 0.4 * t * moved).astype(int)
    score = cross_fit_uplift(learner(random_state=0), x, t, y, n_folds=3, random_state=0)
    assert score[moved].mean() - score[~moved].mean() > 0.25
    model = learner(random_state=0)
    assert model.get_params()["random_state"] == 0 and not hasattr(model, "model_treated_")
    assert model.fit(x, t, y) is model


# ------------------------------------------------------------------------------ policy
def test_rank_and_budget_curve():
    ranked = rank_by_value(["a", "b", "c"], [0.1, 0.3, -0.1], [100.0, 10.0, 50.0], 2.0)
    assert ranked["customer_id"].tolist() == ["a", "b", "c"]  # 8, 1, -7
    assert ranked["expected_value"].tolist() == pytest.approx([8.0, 1.0, -7.0])
    curve = budget_curve(ranked)
    assert curve["net"].tolist() == pytest.approx([0, 8, 9, 2])
    assert curve["net"].idxmax() == 2


def test_do_not_contact_needs_the_whole_interval_below_zero():
    scores = pd.DataFrame({"customer_id": ["a", "b", "c"], "campaign_id": "c", "arm": "x",
                           "uplift": [-0.2, -0.1, 0.1], "uplift_low": [-0.4, -0.3, 0.0],
                           "uplift_high": [-0.05, 0.02, 0.2]})
    assert do_not_contact(scores)["customer_id"].tolist() == ["a"]


def test_holdout_size_textbook():
    # Fleiss et al. (2003) eq. 4.14 without continuity correction: p0 = 0.10, p1 = 0.15,
    # alpha 0.05 two-sided, power 0.8: (1.95996*sqrt(2*.125*.875) + 0.84162*sqrt(.09+.1275))^2
    # / 0.05^2 = 685.6 -> 686 per arm (the value tabulated for this case).
    plan = holdout_size(0.10, 0.05, power=0.8, alpha=0.05)
    za, zb = stats.norm.ppf(0.975), stats.norm.ppf(0.8)
    by_hand = (za * np.sqrt(2 * 0.125 * 0.875) + zb * np.sqrt(0.09 + 0.1275)) ** 2 / 0.05 ** 2
    assert by_hand == pytest.approx(685.6, abs=0.1)
    assert plan.per_arm == 686 and plan.control == plan.treated == 686
    assert plan.power == pytest.approx(0.8, abs=0.005)


def test_holdout_size_within_an_audience_is_the_smallest_that_reaches_the_power():
    plan = holdout_size(0.10, 0.05, power=0.8, alpha=0.05, audience=5000)
    assert plan.achievable and plan.control + plan.treated == 5000
    assert plan.control < 686  # a large treated arm needs a smaller control group
    assert power_two_proportions(0.10, 0.05, 5000 - plan.control, plan.control) >= 0.8
    assert power_two_proportions(0.10, 0.05, 5001 - plan.control, plan.control - 1) < 0.8
    short = holdout_size(0.10, 0.05, audience=600)
    assert not short.achievable and short.control == 300 and short.power < 0.8


def test_holdout_size_rejects_impossible_rates():
    with pytest.raises(ValueError, match="baseline"):
        holdout_size(0.99, 0.05)


def test_assign_control_stratified_seeded_and_order_free():
    audience = pd.DataFrame({"customer_id": [f"{i:04d}" for i in range(1000)],
                             "segment": np.repeat(["a", "b", "c"], [500, 300, 200])})
    out = assign_control(audience, 100, seed=3)
    assert (out["arm"] == "control").sum() == 100
    merged = out.merge(audience, on="customer_id")
    counts = merged[merged["arm"] == "control"].groupby("segment").size()
    assert counts.to_dict() == {"a": 50, "b": 30, "c": 20}
    shuffled = assign_control(audience.sample(frac=1, random_state=1), 100, seed=3)
    pd.testing.assert_frame_equal(out, shuffled)
    other = assign_control(audience, 100, seed=4)
    assert not out["arm"].equals(other["arm"])
