"""The planted campaigns of the demo are recovered: effects, uplift ranking and sleeping dogs.

One small demo (4,000 customers, seed 0) with the three campaigns of
:mod:`workbench.demo_campaigns`, analysed once for the module.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.campaigns import CONTROL, analyse, do_not_contact_export
from workbench.demo_campaigns import PLANTED, plant_campaigns


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    from workbench.demo import generate_demo

    folder = tmp_path_factory.mktemp("campaign_demo")
    generate_demo(folder, customers=4000, seed=0, campaigns=False)  # planted below
    tx = pd.read_csv(folder / "transactions.csv", dtype={"customer_id": str, "order_id": str})
    customers = pd.read_csv(folder / "customers.csv", dtype={"customer_id": str})
    return tx, customers, plant_campaigns(tx, customers, seed=0)


@pytest.fixture(scope="module")
def result(planted):
    return analyse(planted[2].campaigns, planted[2].transactions, n_boot=200, random_state=0)


def test_planting_is_seeded_and_keeps_the_table_shape(planted):
    tx, customers, first = planted
    again = plant_campaigns(tx, customers, seed=0)
    pd.testing.assert_frame_equal(first.transactions, again.transactions)
    assert list(first.transactions.columns) == list(tx.columns)
    assert first.transactions["order_date"].str.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$").all()
    assert set(first.campaigns["campaign_id"]) == {s["campaign_id"] for s in PLANTED}
    assert {"control", "holdout", "对照组"} <= set(first.campaigns["arm"])  # control aliases
    other = plant_campaigns(tx, customers, seed=1)
    assert not other.campaigns["arm"].equals(first.campaigns["arm"])


def test_only_treated_customers_change(planted):
    tx, _, p = planted
    truth = p.truth
    control = set(truth.loc[truth["arm"] == CONTROL, "customer_id"])
    treated = set(truth.loc[truth["arm"] != CONTROL, "customer_id"])
    before = tx.groupby("customer_id").size()
    after = p.transactions.groupby("customer_id").size().reindex(before.index, fill_value=0)
    changed = set(before.index[before != after])
    assert changed and changed <= treated
    assert not (changed & (control - treated))


def test_every_planted_arm_effect_lies_inside_its_interval(result, planted):
    effects = result.effects.set_index(["campaign_id", "arm"])
    for _, row in planted[2].effects.iterrows():
        measured = effects.loc[(row["campaign_id"], row["arm"])]
        assert measured["uplift_low"] <= row["planted_uplift"] <= measured["uplift_high"], row
        assert (measured["revenue_uplift_low"] <= row["planted_revenue_uplift"]
                <= measured["revenue_uplift_high"]), row
    signs = {c: np.sign(effects.loc[(c, a), "uplift_low"]) for c, a in effects.index if a != CONTROL}
    assert signs["winback_coupon"] > 0 and signs["loyalty_push"] < 0  # both effects detected
    flat = effects.loc[("newsletter", "newsletter")]
    assert flat["uplift_low"] < 0 < flat["uplift_high"]


def test_uplift_model_beats_random_and_the_churn_proxy(result):
    ev = result.evaluation.set_index("campaign_id")
    for campaign in ("winback_coupon", "loyalty_push"):
        assert ev.loc[campaign, "qini_low"] > 0, campaign  # bootstrap interval above random
    # helping the lapsed loyal: ranking by days since the last purchase puts the long gone first
    assert ev.loc["winback_coupon", "qini"] > 2 * ev.loc["winback_coupon", "proxy_qini"]


def test_sleeping_dogs_fill_the_do_not_contact_list(result, planted):
    truth = planted[2].truth
    listed = set(zip(*do_not_contact_export(result)[["customer_id", "campaign_id"]].T.values))
    dogs = set(zip(*truth.loc[truth["sleeping_dog"], ["customer_id", "campaign_id"]].T.values))
    hits = len(listed & dogs)
    precision, recall = hits / len(listed), hits / len(dogs)
    base_rate = truth.loc[truth["campaign_id"] == "loyalty_push", "sleeping_dog"].mean()
    assert precision > 2.5 * base_rate and recall > 0.5, (precision, recall, base_rate)
