"""The SaaS demo: planted drivers recovered, health AUC, bridge and NRR against a brute force."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from tests.test_success_mrr import brute_force
from workbench.demo_saas import generate_saas_demo
from workbench.io import load_dataset
from workbench.success import activation, data, health, mrr, renewals, workflow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("saas")
    generate_saas_demo(folder, accounts=300, seed=0)
    ds = load_dataset(folder)
    subs = workflow.subscriptions_of(ds)
    periods, aside = data.validate_subscriptions(subs)
    truth = pd.read_csv(folder / "truth" / "accounts.csv", dtype={"customer_id": str})
    params = json.loads((folder / "truth" / "params.json").read_text())
    return {"folder": folder, "ds": ds, "periods": periods, "aside": aside, "truth": truth,
            "params": params, "as_of": pd.Timestamp(params["end_date"])}


def test_loader_reads_the_demo_tables(demo):
    ds = demo["ds"]
    assert {"account_manager", "parent_id", "industry", "company_size", "mrr"} <= set(ds.customers)
    assert set(ds.events["event"]) == {"login", "feature_use", "report_created", "support_ticket"}
    assert ds.feedback["nps"].between(0, 10).all()
    assert demo["aside"].empty and len(demo["periods"]) >= 300
    # parents are accounts of the file
    parents = ds.customers["parent_id"].dropna()
    assert len(parents) and parents.isin(ds.customers["customer_id"]).all()


def test_generator_is_deterministic(tmp_path):
    a = generate_saas_demo(tmp_path / "a", accounts=30, seed=4)
    b = generate_saas_demo(tmp_path / "b", accounts=30, seed=4)
    assert a.n_events == b.n_events
    assert (tmp_path / "a" / "subscriptions.csv").read_bytes() == \
        (tmp_path / "b" / "subscriptions.csv").read_bytes()


def test_planted_activation_recovered(demo):
    act = activation.activation(demo["periods"], demo["ds"].events, demo["params"]["key_event"],
                                demo["as_of"], demo["params"]["activation_days"])
    both = act[act["judged"]].merge(demo["truth"], on="customer_id", suffixes=("", "_truth"))
    assert (both["activated"].astype(bool) == both["activated_truth"]).mean() >= 0.99


def test_planted_churn_drivers_recovered(demo):
    """A logistic model of lapse at each renewal recovers the planted signs and size."""
    points = renewals.renewal_points(demo["periods"], demo["as_of"])
    x = points.merge(demo["truth"], on="customer_id")
    X = np.column_stack([x["risk"], x["small_company"], ~x["activated"],
                         x["term_months_x"] == 12]).astype(float)
    model = LogisticRegression(C=100.0, max_iter=2000).fit(X, (~x["renewed"]).astype(int))
    risk, small, not_activated = model.coef_[0][:3]
    planted = demo["params"]["drivers"]
    assert risk == pytest.approx(planted["risk"], rel=0.4)
    assert small > 0 and not_activated > 0


def _planted_label(sample: pd.DataFrame, truth: pd.DataFrame, horizon: int) -> np.ndarray:
    churn = truth.set_index("customer_id")["churn_dates"].fillna("")
    dates = {c: [pd.Timestamp(d) for d in s.split(";") if d] for c, s in churn.items()}
    return np.array([any(day < d <= day + pd.Timedelta(days=horizon) for d in dates[c])
                     for c, day in zip(sample["customer_id"], sample["date"])], dtype=int)


def test_health_auc_against_planted_churn(demo):
    ds = demo["ds"]
    check = health.backtest(health.load_config(), demo["periods"], ds.events, ds.feedback,
                            demo["as_of"], horizon_days=90)
    label = _planted_label(check["sample"], demo["truth"], 90)
    # the data's own churn label agrees with the planted churn dates
    assert (label == check["sample"]["churned"].to_numpy()).mean() >= 0.98
    auc = roc_auc_score(label, -check["sample"]["health_score"])
    assert auc >= 0.75, auc
    band = check["by_band"].set_index("health_band")["churn_rate"]
    assert band["red"] > band["yellow"] > band["green"]


def test_bridge_and_nrr_match_independent_computation(demo):
    periods = demo["periods"]
    as_of = demo["as_of"]
    by_customer, expected = brute_force(periods, as_of)
    table = mrr.mrr_table(periods, as_of)
    got = mrr.bridge(table)
    pd.testing.assert_frame_equal(got, expected[list(mrr.BRIDGE_COLUMNS)], check_dtype=False)
    cents = (got[list(mrr.BRIDGE_COLUMNS[1:])] * 100).round().astype("int64")
    assert (cents["mrr_start"] + cents["new"] + cents["reactivation"] + cents["expansion"]
            - cents["contraction"] - cents["churned"] == cents["mrr_end"]).all()
    # NRR and GRR by hand from the brute-force MRR per customer
    now = np.array([v[-1] for v in by_customer.values()])
    then = np.array([v[-13] for v in by_customer.values()])
    base = then > 0
    r = mrr.retention(table, as_of)
    assert r["nrr"] == pytest.approx(now[base].sum() / then[base].sum())
    assert r["grr"] == pytest.approx(np.minimum(now, then)[base].sum() / then[base].sum())
    assert got["reactivation"].sum() > 0 and got["contraction"].sum() > 0


def test_health_auc_on_full_demo(saas_demo):
    """The acceptance figure: 2,000 accounts, AUC >= 0.75 against the planted churn."""
    tmp_path = saas_demo
    subs = data.read_subscriptions(tmp_path / "subscriptions.csv")
    periods, _ = data.validate_subscriptions(subs)
    events = pd.read_csv(tmp_path / "events.csv", dtype={"customer_id": str},
                         parse_dates=["timestamp"])
    feedback = pd.read_csv(tmp_path / "feedback.csv", dtype={"customer_id": str},
                           parse_dates=["submitted_at"])
    truth = pd.read_csv(tmp_path / "truth" / "accounts.csv", dtype={"customer_id": str})
    check = health.backtest(health.load_config(), periods, events, feedback,
                            pd.Timestamp("2026-10-31"))
    auc = roc_auc_score(_planted_label(check["sample"], truth, 90), -check["sample"]["health_score"])
    assert auc >= 0.75, auc
