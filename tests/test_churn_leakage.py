"""Churn features at past cutoffs: customer attributes that change after the cutoff must not leak."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from tests._churn_demo import shared_demo
from workbench import churn


def _history(seed: int = 0):
    rng = np.random.default_rng(seed)
    n = 3000
    tx = pd.DataFrame({"customer_id": rng.integers(0, 300, n).astype(str),
                       "order_date": pd.Timestamp("2023-01-01")
                       + pd.to_timedelta(rng.integers(0, 700, n), "D"),
                       "amount": rng.gamma(2, 50, n)})
    ids = sorted(tx["customer_id"].unique())
    total = tx.groupby("customer_id")["amount"].sum().reindex(ids)  # over the WHOLE history
    customers = pd.DataFrame({
        "customer_id": ids,
        "gender": rng.choice(["F", "M"], len(ids)),
        "city": rng.choice(["Beijing", "Chengdu"], len(ids)),
        "signup_date": "2022-12-01",
        # computed from behaviour after any past cutoff, like the demo's membership tier
        "tier": np.where(total.to_numpy() > total.median(), "gold", "basic"),
        "preferred_payment": rng.choice(["card", "wallet"], len(ids)),
        "name": "x", "phone": "13800000000"})
    return tx, customers


def test_snapshot_attributes_are_not_features_at_past_cutoffs():
    tx, customers = _history()
    cutoff = pd.Timestamp("2024-03-31")
    features = churn.transactional_features(tx, cutoff, customers=customers)
    assert {"gender", "city"} <= set(features.columns)
    assert not {"tier", "preferred_payment", "name", "phone"} & set(features.columns)
    # rewrite every attribute that can change after the cutoff: the features must not move
    changed = customers.assign(tier="platinum", preferred_payment="cash")
    after = churn.transactional_features(tx, cutoff, customers=changed)
    pd.testing.assert_frame_equal(features, after)
    # and the training data built over several cutoffs carries none of them either
    data = churn.transactional_data(tx, [pd.Timestamp("2024-01-31"), cutoff], customers=customers)
    assert "tier" not in data.X and "preferred_payment" not in data.X and "gender" in data.X


def test_static_attributes_can_be_declared():
    tx, customers = _history()
    cutoff = pd.Timestamp("2024-03-31")
    features = churn.transactional_features(tx, cutoff, customers=customers,
                                            static_attributes=["preferred_payment"])
    assert "preferred_payment" in features and "gender" not in features and "tier" not in features
    assert churn.snapshot_attributes(customers) == ["tier", "preferred_payment"]


def test_attribute_history_gives_the_value_as_of_each_cutoff():
    tx, customers = _history()
    ids = customers["customer_id"]
    history = pd.concat([
        pd.DataFrame({"customer_id": ids, "valid_from": pd.Timestamp("2023-01-01"), "tier": "basic"}),
        pd.DataFrame({"customer_id": ids[:50], "valid_from": pd.Timestamp("2024-02-15"), "tier": "gold"}),
        pd.DataFrame({"customer_id": ids, "valid_from": pd.Timestamp("2024-04-01"), "tier": "diamond"}),
    ])
    cutoff = pd.Timestamp("2024-03-31")
    features = churn.transactional_features(tx, cutoff, customers=customers, attribute_history=history)
    tier = features.set_index("customer_id")["tier"]
    assert set(tier) == {"basic", "gold"}  # the 2024-04-01 rows start after the cutoff
    assert (tier.reindex(ids[:50]).dropna() == "gold").all()
    assert (tier.drop(ids[:50], errors="ignore") == "basic").all()
    earlier = churn.transactional_features(tx, pd.Timestamp("2024-01-31"), customers=customers,
                                           attribute_history=history)
    assert set(earlier["tier"]) == {"basic"}


def test_demo_tier_is_left_out_and_its_leak_is_measured(tmp_path_factory):
    # The demo's membership tier is computed from total spend over the whole history
    # (workbench.demo): it is a snapshot attribute and carries the future.
    _, dataset, result, _ = shared_demo(tmp_path_factory)
    assert "tier" in dataset.customers
    assert "tier" not in result.report.columns and "tier" not in result.data.X
    assert {"gender", "city", "acquisition_channel"} <= set(result.report.columns)
    leak = result.leakage
    print(f"demo 3,000 seed 1: ROC-AUC {leak['auc_without']:.3f} without snapshot attributes "
          f"{leak['attributes']}, {leak['auc_with']:.3f} with them")
    assert "tier" in leak["attributes"]
    # both on the last fold: trained on the earlier cutoffs, tested on the latest
    predictions = result.report.predictions
    latest = predictions[predictions["cutoff"] == predictions["cutoff"].max()]
    assert leak["fold_rows"] == len(latest)
    assert leak["auc_without"] == pytest.approx(
        roc_auc_score(latest["label"], latest[result.report.best]))
    assert leak["auc_with"] > leak["auc_without"]
    # the survival curves are not grouped by the tier (a group earned by the lifetime measured)
    assert result.survival_group != "tier"
    note = " ".join(churn.closing_note(result, "en"))
    assert f"{leak['auc_without']:.3f}" in note and f"{leak['auc_with']:.3f}" in note
    assert "membership level" in note and "tier" not in note
    assert f"{leak['auc_with']:.3f}" in " ".join(churn.closing_note(result, "zh"))
