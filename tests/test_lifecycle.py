"""Lifecycle stages on hand-built histories (every stage and boundary), cohorts vs brute force."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from workbench import lifecycle as lc

AS_OF = pd.Timestamp("2024-12-31")
RULES = lc.StageRules(new_days=30, at_risk_days=60, churn_days=180, loyal_min_purchases=4,
                      loyal_top_share=0.0001)  # top-spend rule off: nobody exceeds the max

HISTORIES = {
    # customer: (purchase dates, expected stage on 2024-12-31)
    "new": (["2024-12-15"], "new"),
    "new_boundary": (["2024-12-01"], "active"),          # first purchase exactly 30 days ago
    "active": (["2024-10-01", "2024-12-01"], "active"),
    "risk_boundary": (["2024-09-01", "2024-11-01"], "active"),  # exactly 60 days: not beyond
    "at_risk": (["2024-09-01", "2024-10-31"], "at_risk"),      # 61 days
    "churn_boundary": (["2024-01-01", "2024-07-04"], "at_risk"),  # exactly 180 days
    "churned": (["2024-01-01", "2024-07-03"], "churned"),      # 181 days
    "reactivated": (["2024-01-01", "2024-12-20"], "reactivated"),  # after a 354-day gap
    "loyal": (["2024-11-01", "2024-11-15", "2024-12-01", "2024-12-15"], "loyal"),
    # own rhythm: mean gap 10 days -> threshold 15 days; 30 days silent is at risk
    "own_gap": (["2024-11-01", "2024-11-11", "2024-11-21", "2024-12-01"], "at_risk"),
}


def _transactions(histories):
    rows = [(cid, pd.Timestamp(day) + pd.Timedelta(hours=10), 10.0)
            for cid, (days, _) in histories.items() for day in days]
    return pd.DataFrame(rows, columns=["customer_id", "order_date", "amount"])


@pytest.fixture
def history():
    customers = pd.DataFrame({
        "customer_id": ["prospect", "future", "new"],
        "signup_date": pd.to_datetime(["2024-06-01", "2025-01-05", "2024-12-15"]),
    })
    return lc.PurchaseHistory(_transactions(HISTORIES), customers)


def test_every_stage_and_boundary(history):
    stages = history.stages(AS_OF, RULES).set_index("customer_id")["stage"]
    expected = {cid: stage for cid, (_, stage) in HISTORIES.items()} | {"prospect": "prospect"}
    assert stages.to_dict() == expected  # "future" signed up after as_of: not yet known
    assert set(stages) == set(lc.STAGES)


def test_values_behind_the_stage(history):
    stages = history.stages(AS_OF, RULES).set_index("customer_id")
    assert stages.loc["own_gap", "typical_gap_days"] == 10.0
    assert stages.loc["own_gap", "risk_threshold"] == 15.0
    assert stages.loc["at_risk", "days_since_last"] == 61
    assert stages.loc["loyal", "n_days"] == 4


def test_top_spenders_are_loyal():
    tx = _transactions({"big": (["2024-12-10", "2024-12-20"], ""), "a": (["2024-12-20"], ""),
                        "b": (["2024-12-01", "2024-12-21"], ""), "c": (["2024-12-02", "2024-12-22"], "")})
    tx.loc[tx["customer_id"] == "big", "amount"] = 1000.0
    rules = lc.StageRules(new_days=5, at_risk_days=60, churn_days=180, loyal_min_purchases=9,
                          loyal_top_share=0.25)
    stages = lc.PurchaseHistory(tx).stages(AS_OF, rules).set_index("customer_id")["stage"]
    assert stages["big"] == "loyal" and stages["b"] == "active" and stages["c"] == "active"


def test_rules_validate_and_derive():
    with pytest.raises(ValueError, match="at_risk_days < churn_days"):
        lc.StageRules(new_days=30, at_risk_days=90, churn_days=60, loyal_min_purchases=3)
    rng = np.random.default_rng(0)
    days = pd.Timestamp("2023-01-01") + pd.to_timedelta(np.cumsum(rng.integers(1, 41, 200)), "D")
    tx = pd.DataFrame({"customer_id": np.repeat(["x", "y"], 100), "order_date": days,
                       "amount": 1.0})
    history = lc.PurchaseHistory(tx)
    end = pd.Timestamp("2040-01-01")  # after the last simulated purchase (about 2034)
    rules = lc.derive_rules(history, end)
    gaps = np.concatenate([np.diff(days[:100]).astype("timedelta64[D]").astype(int),
                           np.diff(days[100:]).astype("timedelta64[D]").astype(int)])
    assert rules.at_risk_days == int(np.ceil(np.percentile(gaps, 75)))
    assert rules.churn_days == max(2 * rules.at_risk_days, int(np.ceil(np.percentile(gaps, 95))))
    assert rules.loyal_min_purchases == 100  # both customers bought on 100 days
    assert lc.derive_rules(history, end, churn_days=999).churn_days == 999


def test_transition_matrix_adds_up_with_newcomers(history):
    start = pd.Timestamp("2024-10-31")
    counts, revenue = lc.transition_matrix(history, start, AS_OF, RULES)
    known_at_start = len(history.stages(start, RULES))
    assert counts.loc["newcomer"].sum() == 4  # new, new_boundary, reactivated? no: known since Jan
    assert counts.to_numpy().sum() == known_at_start + counts.loc["newcomer"].sum()
    assert counts.to_numpy().sum() == len(history.stages(AS_OF, RULES))
    assert revenue.to_numpy().sum() == pytest.approx(
        10.0 * sum(start < pd.Timestamp(d) <= AS_OF for days, _ in HISTORIES.values() for d in days))
    with pytest.raises(ValueError, match="must be after start"):
        lc.transition_matrix(history, AS_OF, start, RULES)


def test_early_warning_lists_movers_only(history):
    warning = lc.early_warning(history, pd.Timestamp("2024-11-30"), AS_OF, RULES)
    assert set(warning["stage"]) <= {"at_risk", "churned"}
    moved = dict(zip(warning["customer_id"], zip(warning["previous_stage"], warning["stage"])))
    assert moved["at_risk"] == ("active", "at_risk")  # 30 days silent on 11-30, 61 now
    assert moved["churned"] == ("at_risk", "churned")  # 150 days on 11-30, 181 now
    assert "churn_boundary" not in moved  # at risk on both dates: no move
    assert (warning["previous_stage"] != warning["stage"]).all()


def brute_force_retention(tx: pd.DataFrame, as_of: pd.Timestamp, periods: int) -> pd.DataFrame:
    """Per-customer loop: for each cohort month, share of customers buying k months later."""
    tx = tx[tx["order_date"] < as_of + pd.Timedelta(days=1)]
    months_by_customer = {}
    for cid, group in tx.groupby("customer_id"):
        months = sorted({d.to_period("M") for d in group["order_date"]})
        months_by_customer[cid] = months
    cohorts = {}
    for cid, months in months_by_customer.items():
        cohorts.setdefault(months[0], []).append(months)
    rows = {}
    for cohort, members in sorted(cohorts.items()):
        row = []
        for k in range(periods + 1):
            if (as_of.to_period("M") - cohort).n < k:
                row.append(np.nan)
            else:
                row.append(sum((cohort + k) in set(m) for m in members) / len(members))
        rows[cohort] = row
    return pd.DataFrame.from_dict(rows, orient="index", columns=range(periods + 1))


def test_cohort_retention_equals_brute_force_on_cdnow(cdnow_transactions):
    as_of = pd.Timestamp("1998-06-30")
    history = lc.PurchaseHistory(cdnow_transactions)
    ours = lc.cohort_matrix(history, as_of, max_periods=18)
    expected = brute_force_retention(cdnow_transactions, as_of, 18)
    assert ours["size"].sum() == 2357 and len(ours["size"]) == 3  # first purchases Jan-Mar 1997
    pd.testing.assert_frame_equal(ours["retention"], expected, check_names=False,
                                  check_dtype=False, check_index_type=False, check_column_type=False)
    revenue = ours["revenue_per_customer"]
    total_jan = cdnow_transactions.loc[
        cdnow_transactions.groupby("customer_id")["order_date"].transform("min").dt.month == 1,
        "amount"].sum()
    assert revenue.iloc[0, 17] == pytest.approx(total_jan / ours["size"].iloc[0])


def test_time_to_second_purchase_by_hand():
    tx = _transactions({"a": (["2024-01-01", "2024-01-11"], ""), "b": (["2024-01-01", "2024-01-21"], ""),
                        "c": (["2024-01-01"], ""), "d": (["2024-12-25"], "")})
    curve = lc.time_to_second_purchase(lc.PurchaseHistory(tx), AS_OF, horizon_days=30)
    # Kaplan-Meier: d is censored on day 6, so 3 remain at risk on day 10 when a repeats (1/3);
    # on day 20, b repeats with b and c at risk (1/2): S = 2/3 * 1/2, share = 2/3.
    assert curve.loc[10, "share_repeated"] == pytest.approx(1 / 3)
    assert curve.loc[20, "share_repeated"] == pytest.approx(2 / 3)
    assert curve.loc[9, "share_repeated"] == 0.0


def test_funnel_and_metrics(history):
    tx = _transactions(HISTORIES)
    steps = lc.funnel(history, tx, AS_OF).set_index("step")["customers"]
    assert steps.tolist() == [11, 10, 8, 2]  # +prospect; 2 buy once; 3+ days without categories
    stages = history.stages(AS_OF, RULES)
    metrics = lc.lifecycle_metrics(stages, RULES, lc.cohort_matrix(history, AS_OF))
    assert sum(metrics["customers_per_stage"].values()) == 11
    assert metrics["repeat_purchase_rate"] == pytest.approx(8 / 10)
    assert metrics["thresholds_days"]["churn_days"] == 180


def test_plots(history):
    dates = lc.monthly_snapshots(AS_OF, 6)
    assert dates[-1] == AS_OF and len(dates) == 6 and dates[0] == pd.Timestamp("2024-07-31")
    fig = lc.plot_stage_area(history.stage_counts(dates, RULES), lang="zh")
    assert fig.axes[0].get_title() == "各生命周期阶段客户数（按月）"
    assert len(fig.axes[0].collections) == len(set(history.stage_counts(dates, RULES)["stage"]))
    plt.close(fig)
    counts, _ = lc.transition_matrix(history, pd.Timestamp("2024-10-31"), AS_OF, RULES)
    fig = lc.plot_transition_heatmap(counts, title_key="life.transition_counts")
    assert len(fig.axes[0].texts) == counts.size
    plt.close(fig)
