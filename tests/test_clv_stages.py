"""CLV uses lifecycle's stages (the one definition of active / at risk / churned)."""

import numpy as np
import pandas as pd
import pytest

from workbench import clv, lifecycle
from workbench.i18n import t
from workbench.io import load_dataset


@pytest.fixture(scope="module")
def tiny_tx(tiny_demo) -> pd.DataFrame:
    return load_dataset(tiny_demo).transactions


@pytest.fixture(scope="module")
def as_of(tiny_tx) -> pd.Timestamp:
    return tiny_tx["order_date"].max().normalize()


@pytest.fixture(scope="module")
def stages(tiny_tx, as_of) -> pd.DataFrame:
    return lifecycle.current_stages(tiny_tx, as_of)


def fit(tx, as_of, stages=None):
    return clv.fit_clv(tx, as_of, horizon=52, margin=0.3, stages=stages)


def test_without_the_result_the_stages_are_lifecycles_own(tiny_tx, as_of, stages):
    res = fit(tiny_tx, as_of)
    expected = stages.set_index("customer_id")["stage"]
    got = res.customers.set_index("customer_id")["stage"]
    assert got.notna().all() and got.eq(expected.reindex(got.index)).all()
    assert {"at_risk", "churned"} <= set(got)  # the tiny demo has both


def test_the_given_stages_decide_who_is_at_risk(tiny_tx, as_of, stages):
    """A stage the lifecycle report saved wins over anything the model's scores suggest."""
    res = fit(tiny_tx, as_of, stages)
    c = res.customers
    valuable = c[c["monetary"] >= c["monetary"].quantile(0.8)]
    chosen = valuable.nlargest(3, "prob_alive")["customer_id"].tolist()  # the model: alive
    edited = stages.assign(stage=np.where(stages["customer_id"].isin(chosen), "at_risk",
                                          np.where(stages["stage"] == "at_risk", "active",
                                                   stages["stage"])))
    res = fit(tiny_tx, as_of, edited)
    assert sorted(res.at_risk["customer_id"]) == sorted(chosen)
    assert res.at_risk["monetary"].is_monotonic_decreasing
    row = res.customers.set_index("customer_id").loc[chosen[0]]
    listed = res.at_risk.set_index("customer_id").loc[chosen[0]]
    assert listed["prob_alive_before"] == row["prob_alive_previous"]
    assert listed["drop"] == pytest.approx(row["prob_alive_previous"] - row["prob_alive"])
    counts = edited.set_index("customer_id")["stage"].reindex(res.customers["customer_id"])
    active = int(counts.isin(["new", "active", "loyal", "reactivated"]).sum())
    card = clv.value_cards(res, "en")[-1]
    assert card[0] == t("clv.kpi.alive", "en") and card[1] == f"{active:,}"
    assert clv.clv_metrics(res)["at_risk_customers"] == len(chosen)


def test_clv_and_prob_alive_by_stage(tiny_tx, as_of, stages):
    res = fit(tiny_tx, as_of, stages)
    c = res.customers
    table = res.by_stage.set_index("stage")
    assert list(table.index) == [s for s in lifecycle.STAGES if s in set(c["stage"])]
    assert table["customers"].sum() == len(c)
    assert table["clv_total"].sum() == pytest.approx(c["clv"].sum())
    means = c.groupby("stage")["prob_alive"].mean()
    assert np.allclose(table["prob_alive_mean"], means.reindex(table.index))
    # P(alive) is a score beside the stage: churned customers score lower than active ones
    assert table.loc["churned", "prob_alive_mean"] < table.loc["active", "prob_alive_mean"]
    for lang in ("en", "zh"):
        shown = clv.stage_table(res, lang)
        assert list(shown.columns) == list(clv.STAGE_HEADERS)
        assert shown["stage"].iloc[0] == t(f"life.stage.{table.index[0]}", lang)
        assert shown["clv_total"].str.startswith("¥").all()
        text = t("clv.alive.text", lang, **clv.value_sentences(res, lang)["alive"][0][1])
        assert "{" not in text
