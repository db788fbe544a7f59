"""Lifecycle's stages as other reports read them: computed once, the same either way."""

import pandas as pd

from workbench import lifecycle as lc


def tx() -> pd.DataFrame:
    days = ["2024-01-01", "2024-02-01", "2024-03-01", "2024-01-15", "2024-06-20", "2024-06-25"]
    return pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b", "c"],
                         "order_date": pd.to_datetime(days), "amount": [10.0] * len(days),
                         "category": ["x", "y", "x", "x", "x", "y"]})


RULES = lc.StageRules(new_days=30, at_risk_days=60, churn_days=120, loyal_min_purchases=3)
AS_OF = pd.Timestamp("2024-06-30")


def test_current_stages_is_what_the_lifecycle_report_saves():
    history = lc.PurchaseHistory(tx())
    rules = lc.derive_rules(history, AS_OF)
    dates = lc.monthly_snapshots(AS_OF, 24)
    saved = lc.stages_result(history, dates[-2], dates[-1], rules)
    pd.testing.assert_frame_equal(lc.current_stages(tx(), AS_OF), saved)
    overridden = lc.current_stages(tx(), AS_OF, at_risk_days=60, churn_days=120, new_days=30,
                                   loyal_min_purchases=3)
    assert overridden.set_index("customer_id")["stage"].to_dict() == {
        "a": "churned", "b": "reactivated", "c": "new"}


def test_a_snapshot_is_computed_once_and_handed_out_as_a_copy():
    history = lc.PurchaseHistory(tx())
    first = history.stages(AS_OF, RULES)
    first["stage"] = "edited"
    again = history.stages(AS_OF, RULES)
    assert "edited" not in set(again["stage"]) and len(history._stages) == 1
    history.stages(AS_OF - pd.Timedelta(days=1), RULES)
    assert len(history._stages) == 2


def test_funnel_counts_purchase_days_and_categories_on_or_before_as_of():
    history = lc.PurchaseHistory(tx())
    steps = lc.funnel(history, tx(), pd.Timestamp("2024-06-20")).set_index("step")["customers"]
    # on 2024-06-20: a bought x and y on three days, b on two days (x only), c not yet
    assert steps.to_dict() == {"acquired": 2, "activated": 2, "retained": 2, "expanded": 1}
