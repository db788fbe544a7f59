"""The overview's reconciliation: one count per concept, from the run's shared results."""

import json

import pandas as pd

from workbench import overview


def test_reconciliation_counts_by_hand():
    kpis = {"customers": 5, "registered_customers": 6, "active_customers": 2,
            "as_of": "2024-12-31", "active_days": 90}
    stages = pd.DataFrame({"customer_id": list("abcdef"),
                           "stage": ["prospect", "new", "loyal", "at_risk", "churned", "churned"]})
    churn = pd.DataFrame({"customer_id": list("bcde"), "churn_probability": [0.1, 0.6, 0.7, 0.5]})
    frame = overview.reconciliation(kpis, stages=stages, churn=churn)
    counts = dict(zip(frame["code"], frame["customers"]))
    assert counts == {"registered": 6, "bought": 5, "recent": 2, "active": 2, "at_risk": 1,
                      "churned": 2, "churn_model": 2}  # 0.5 is not above one half
    assert frame.set_index("code").loc["churn_model", "base"] == 4
    assert frame.set_index("code").loc["churned", "share"] == 2 / 5
    shown = overview.reconciliation_table(frame, kpis, "zh")
    assert shown["concept"].iloc[0] == "注册客户" and "共评估 4 位客户" in shown["definition"].iloc[-1]


def test_overview_counts_equal_the_lifecycle_report(rendered):
    out = rendered["en"]
    metrics = json.loads((out / "metrics.json").read_text())
    stages = metrics["lifecycle"]["customers_per_stage"]
    counts = metrics["overview"]["reconciliation"]
    assert counts["active"] == sum(stages[s] for s in ("new", "active", "loyal", "reactivated"))
    assert counts["at_risk"] == stages["at_risk"] and counts["churned"] == stages["churned"]
    assert counts["bought"] == metrics["overview"]["kpis"]["customers"]
    assert counts["bought"] == sum(v for k, v in stages.items() if k != "prospect")
    customers = pd.read_csv(out / "exports" / "customers.csv", dtype=str, keep_default_na=False)
    assert (customers["stage"] == "churned").sum() == counts["churned"]
    html = (out / "00_overview.html").read_text(encoding="utf-8")
    assert "One count per concept" in html
