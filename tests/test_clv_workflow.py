"""The steps of the 04_clv report: split planning, validation, refit, report parts, metrics."""

import json

import numpy as np
import pandas as pd
import pytest

from workbench import clv
from workbench.i18n import CATALOGUE, t
from workbench.io import load_dataset
from workbench.report import to_jsonable


@pytest.fixture(scope="module")
def tiny_tx(tiny_demo) -> pd.DataFrame:
    return load_dataset(tiny_demo).transactions


@pytest.fixture(scope="module")
def tiny_result(tiny_tx):
    return clv.fit_clv(tiny_tx, tiny_tx["order_date"].max(), model="bgnbd", unit="W",
                       horizon=52, discount_rate=0.1, margin=0.3)


def log(customers: list[str], dates: list[str], amounts: list[float] | None = None):
    return pd.DataFrame({"customer_id": customers, "order_date": pd.to_datetime(dates),
                         "amount": amounts or [10.0] * len(dates),
                         "order_id": [str(i) for i in range(len(dates))]})


def say_all(sentences, lang: str) -> list[str]:
    """Fill each (key, values) as ctx.say does; fails on a missing key or placeholder."""
    return [t(key, lang, **values) for key, values in sentences]


def test_plan_validation():
    tx = log(["a", "b"], ["2024-01-01", "2025-06-30"])
    auto = clv.plan_validation(tx, "2025-06-30")
    assert auto.automatic and auto.calibration_end == pd.Timestamp("2024-12-30")  # 182 days
    short = clv.plan_validation(tx, "2024-04-30")  # 120 days: the last third, 40 days
    assert short.calibration_end == pd.Timestamp("2024-03-21")
    assert clv.plan_validation(tx, "2024-03-01").calibration_end is None  # under 84 days
    given = clv.plan_validation(tx, "2025-06-30", "2025-01-31")
    assert not given.automatic and given.holdout_end == pd.Timestamp("2025-06-30")
    with pytest.raises(ValueError, match="must lie between"):
        clv.plan_validation(tx, "2025-06-30", "2025-07-31")


def test_validation_that_cannot_run_says_why():
    tx = log(["a", "b", "a"], ["2024-01-01", "2024-01-02", "2024-06-01"])
    plan = clv.plan_validation(tx, "2024-06-30", "2024-03-31")
    result = clv.validate(tx, plan, model="bgnbd")
    assert not result.ok and "no customer has a repeat purchase" in result.error
    assert clv.validation_cards(result, "en") == []
    keys = [k for k, _ in clv.validation_sentences(result, "zh")]
    assert keys == ["clv.validation.given", "clv.validation.failed"]
    none = clv.validate(tx, clv.ValidationPlan(None, pd.Timestamp("2024-06-30"), True))
    assert [k for k, _ in clv.validation_sentences(none, "en")] == ["clv.validation.none"]


def test_fit_clv_on_the_tiny_demo(tiny_result, tiny_tx):
    res = tiny_result
    assert set(res.models) == {"bgnbd", "paretonbd"} and res.model is res.models["bgnbd"]
    c = res.customers
    assert len(c) == tiny_tx["customer_id"].nunique()
    assert c["clv"].ge(0).all() and c["prob_alive"].between(0, 1).all()
    assert c["expected_avg_spend"].gt(0).all()
    assert np.isfinite(c.select_dtypes("number").drop(columns="prob_alive_previous")).all().all()
    # P(alive) one lookback earlier: blank exactly for those who had not bought by then
    earlier = res.as_of - pd.Timedelta(days=91)  # clv.workflow.LOOKBACK_DAYS
    first = tiny_tx.groupby("customer_id")["order_date"].min()
    had_bought = c["customer_id"].map(first < earlier + pd.Timedelta(days=1))
    assert c["prob_alive_previous"].notna().eq(had_bought).all() and had_bought.any()
    assert c["prob_alive_previous"].dropna().between(0, 1).all()
    assert (c["clv_tier"].value_counts().sort_index() / len(c)).round(1).tolist() == \
        [0.1, 0.2, 0.3, 0.4]
    export = clv.export_frame(res)
    assert list(export.columns) == ["customer_id", "frequency", "recency", "T", "prob_alive",
                                    "prob_alive_previous", "expected_purchases", "expected_avg_spend", "clv", "clv_tier"]
    assert res.tiers["value_share"].sum() == pytest.approx(1.0)
    assert res.fit_table["actual"].sum() == len(c)
    assert set(res.at_risk.columns) >= {"customer_id", "prob_alive_before", "prob_alive", "drop"}
    assert "name" not in res.at_risk.columns and "phone" not in res.at_risk.columns


def test_clv_result_matches_its_schema_and_the_export(tiny_result, tmp_path):
    from workbench.results import RESULTS, read_result, with_labels, write_result

    frame = clv.clv_result(tiny_result)
    assert list(frame.columns) == list(RESULTS["clv"].columns)
    assert frame["customer_id"].is_unique and len(frame) == len(tiny_result.customers)
    assert set(frame["clv_tier"]) == {"A", "B", "C", "D"}
    write_result("clv", frame, tmp_path)  # raises on a schema mismatch
    saved = read_result("clv", tmp_path)
    assert saved["clv_tier"].tolist() == frame["clv_tier"].tolist()
    assert np.allclose(saved["clv"], frame["clv"])
    export = clv.export_frame(tiny_result)
    assert export["customer_id"].tolist() == saved["customer_id"].tolist()
    for lang in ("en", "zh"):
        labelled = with_labels(export, clv.EXPORT_LABELS, lambda k, lang=lang: t(k, lang))
        assert list(labelled.columns[-2:]) == ["clv_tier", "clv_tier_label"]
        assert (labelled["clv_tier_label"] == labelled["clv_tier"].map(
            lambda c, lang=lang: t(f"clv.tier.{c}", lang))).all()


def test_report_parts_in_both_languages(tiny_result, tiny_tx):
    res = tiny_result
    plan = clv.plan_validation(tiny_tx, res.as_of)
    val = clv.validate(tiny_tx, plan, model="bgnbd")
    for lang in ("en", "zh"):
        texts = say_all(clv.validation_sentences(val, lang) + clv.model_sentences(res, lang)
                        + clv.risk_sentences(res, lang), lang)
        for section in clv.value_sentences(res, lang).values():
            texts += say_all(section, lang)
        assert all("{" not in text for text in texts)
        cards = clv.value_cards(res, lang) + clv.validation_cards(val, lang)
        assert len(cards) == 9 and all(isinstance(v, str) for card in cards for v in card)
        params = clv.parameter_table(res, lang)
        assert len(params) == 11 and params["log_likelihood"].notna().sum() == 3
        tiers = clv.tier_table(res, lang)
        assert tiers["tier"].iloc[0] == t("clv.tier.A", lang)
        assert tiers["customer_share"].iloc[0].endswith("%") and tiers["clv_total"].iloc[0][0] == "¥"
        risk = clv.risk_table(res, lang)
        assert list(risk.columns) == list(clv.RISK_HEADERS) and len(risk) <= 20
    for headers in (clv.PARAMETER_HEADERS, clv.FREQUENCY_HEADERS, clv.TIER_HEADERS,
                    clv.RISK_HEADERS):
        assert all(key in CATALOGUE for key in headers.values())


def test_metrics_are_plain_json_with_a_headline(tiny_result, tiny_tx):
    plan = clv.plan_validation(tiny_tx, tiny_result.as_of)
    val = clv.validate(tiny_tx, plan, model="bgnbd")
    metrics = to_jsonable(clv.clv_metrics(tiny_result, val))
    json.dumps(metrics, allow_nan=False)
    assert set(metrics["models"]) == {"bgnbd", "paretonbd", "gamma_gamma"}
    assert set(metrics["models"]["bgnbd"]["params"]) == {"r", "alpha", "a", "b"}
    assert isinstance(metrics["models"]["paretonbd"]["log_likelihood"], float)
    holdout = metrics["holdout"]
    assert holdout["automatic"] and holdout["actual_total"] > 0 and holdout["mae"] > 0
    assert metrics["clv_total"] == pytest.approx(tiny_result.customers["clv"].sum())
    headline = metrics["headline"]
    assert headline["en"].startswith("The ") and "¥" in headline["en"]
    assert "预计" in headline["zh"] and "52周" in headline["zh"]


def test_spend_model_fallback_and_argument_checks():
    # Only one repeat customer: the spend model cannot be fitted; the average transaction
    # value is used instead and the report says so.
    tx = log(["a", "a", "b", "c", "d", "a"],
             ["2024-01-01", "2024-02-01", "2024-01-05", "2024-01-09", "2024-02-10", "2024-03-01"],
             [10.0, 20.0, 30.0, 40.0, 50.0, 60.0])
    res = clv.fit_clv(tx, "2024-03-31", model="bgnbd", horizon=13)
    assert res.spend_model is None and res.mean_spend == pytest.approx(35.0)
    assert "clv.models.spend_fallback" in [k for k, _ in res.notes]
    assert all("{" not in s for s in say_all(clv.model_sentences(res, "zh"), "zh"))
    with pytest.raises(ValueError, match="model must be one of"):
        clv.fit_clv(tx, "2024-03-31", model="mbgnbd")
    with pytest.raises(ValueError, match="margin is a share"):
        clv.fit_clv(tx, "2024-03-31", margin=30)
    with pytest.raises(ValueError, match="horizon must be positive"):
        clv.fit_clv(tx, "2024-03-31", horizon=0)


def _scope_case():
    """Hand-built: as_of 2024-12-31, horizon 52 weeks = 364 days, window from 2024-01-03."""
    from types import SimpleNamespace

    tx = log(["a", "a", "a", "a", "a", "b", "b", "z"],
             ["2023-06-01", "2024-01-02", "2024-01-03", "2024-12-31", "2025-01-01",
              "2024-05-01", "2024-06-01", "2024-03-01"],
             [100.0, 7.0, 20.0, 30.0, 1000.0, 50.0, 25.0, 40.0])
    # "z" bought in the window but is not a modelled customer (e.g. left out of the fit)
    customers = pd.DataFrame({"customer_id": ["a", "b"], "expected_purchases": [2.0, 3.0],
                              "expected_avg_spend": [10.0, 5.0], "clv": [4.0, 3.0]})
    result = SimpleNamespace(customers=customers, as_of=pd.Timestamp("2024-12-31"), horizon=52.0,
                             unit="W", discount_rate=0.1)
    return tx, result


def test_forecast_scope_numbers_by_hand():
    tx, result = _scope_case()
    scope = clv.workflow.forecast_scope(tx, result)
    assert scope["horizon_days"] == 364 and scope["window_start"] == pd.Timestamp("2024-01-03")
    assert scope["customers"] == 2
    assert scope["forecast_revenue"] == pytest.approx(2 * 10 + 3 * 5)  # undiscounted
    assert scope["clv"] == pytest.approx(7.0)
    # a: 20 (first day) + 30 (as_of); the 7 of the day before and the 1,000 after as_of are out
    assert scope["revenue_same"] == pytest.approx(20 + 30 + 50 + 25)
    assert scope["revenue_all"] == pytest.approx(20 + 30 + 50 + 25 + 40)  # with z
    assert scope["new_customers"] == 1 and scope["revenue_new"] == pytest.approx(75.0)  # b
    assert scope["revenue_existing"] == pytest.approx(50.0)  # a, a customer before the window


def test_forecast_scope_sentences_come_from_the_numbers():
    tx, result = _scope_case()
    scope = clv.workflow.forecast_scope(tx, result)
    en = " ".join(say_all(clv.workflow.scope_sentences(scope, result, "en"), "en"))
    assert "only the 2 existing customers" in en and "up to 2024-12-31" in en
    assert "new customers" in en and "next 52 weeks" in en and "10.0% a year" in en
    assert "¥35.00" in en  # the forecast
    assert "the same customers spent ¥125.00, and all customers ¥165.00" in en
    assert "¥75.00 came from the 1 customers" in en and "2024-01-03 to 2024-12-31" in en
    assert "before 2024-01-03 spent ¥50.00" in en
    zh = " ".join(say_all(clv.workflow.scope_sentences(scope, result, "zh"), "zh"))
    assert "不包括尚未购买的客户（新客户）" in zh and "¥125.00" in zh and "¥165.00" in zh
    cards = clv.workflow.scope_cards(scope, result, "en")
    assert [value for _, value, _ in cards] == ["¥35.00", "¥50.00"]  # like for like: revenue_same - revenue_new
    assert "no new customers" in cards[0][2] and "¥165.00" in cards[1][2]
    big = dict(scope, forecast_revenue=16_227_992.0, revenue_same=20_049_000.0)
    zh_big = " ".join(say_all(clv.workflow.scope_sentences(big, result, "zh"), "zh"))
    assert "¥1,622.8万" in zh_big and "¥2,004.9万" in zh_big  # money in 万 in Chinese


def test_forecast_scope_on_the_tiny_demo(tiny_result, tiny_tx):
    scope = clv.workflow.forecast_scope(tiny_tx, tiny_result)
    window = tiny_tx[(tiny_tx["order_date"] >= scope["window_start"])
                     & (tiny_tx["order_date"] < tiny_result.as_of + pd.Timedelta(days=1))]
    assert scope["revenue_all"] == pytest.approx(window["amount"].sum())
    assert 0 < scope["revenue_new"] < scope["revenue_same"] <= scope["revenue_all"] + 1e-6
    metrics = to_jsonable(clv.clv_metrics(tiny_result, None, scope))
    json.dumps(metrics, allow_nan=False)
    assert metrics["forecast_scope"]["existing_customers_only"] is True
    assert metrics["forecast_scope"]["revenue_all_customers"] == pytest.approx(scope["revenue_all"])
    assert "new customers not included" in metrics["headline"]["en"]


def test_scope_card_compares_like_for_like_and_falls_are_points():
    from types import SimpleNamespace

    from workbench.clv.workflow import risk_table, scope_cards

    scope = {"forecast_revenue": 1000.0, "customers": 10, "revenue_same": 1200.0,
             "revenue_all": 1300.0, "revenue_new": 500.0, "revenue_existing": 700.0}
    result = SimpleNamespace(horizon=52, unit="W")
    cards = scope_cards(scope, result, "en")
    assert cards[1][1] == "¥700.00"  # customers who had bought before the period, not all
    assert "Like for like" in cards[1][0] and "¥1,300" in cards[1][2]
    at_risk = pd.DataFrame({"customer_id": ["1"], "last_purchase": ["2024-01-01"],
                            "monetary": [5000.0], "clv": [300.0], "prob_alive_before": [0.96],
                            "prob_alive": [0.758], "drop": [0.202]})
    table = risk_table(SimpleNamespace(at_risk=at_risk), "zh")
    assert table["drop"].iloc[0] == "-20.2 个百分点"
