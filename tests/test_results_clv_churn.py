"""The CLV and churn reports write one truth: their shared results match their schemas and
their exports, and an English and a Chinese run of the same data differ only in ``*_label``
columns (``workbench run --notebooks clv,churn`` on a 300-customer demo, seed 3)."""

from pathlib import Path

import pandas as pd
import pytest

from workbench import churn
from workbench.i18n import t
from workbench.results import RESULTS, read_result

LANGS = ("en", "zh")
KINDS = {"id": "string", "code": "string", "text": "string", "int": "Int64", "float": "float64"}


@pytest.fixture(scope="module")
def runs(rendered):
    """The whole suite rendered once per language on the tiny demo (the shared fixture)."""
    return rendered


def _export(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / "exports" / f"{name}.csv", dtype=str, keep_default_na=False,
                       encoding="utf-8-sig")


@pytest.mark.parametrize("name", ["clv", "churn"])
def test_exports_differ_between_languages_only_in_labels(runs, name):
    en, zh = (_export(runs[lang], name) for lang in LANGS)
    assert list(en.columns) == list(zh.columns) and len(en) > 0
    codes = [c for c in en.columns if not c.endswith("_label")]
    labels = [c for c in en.columns if c.endswith("_label")]
    assert [c for c in codes if not en[c].equals(zh[c])] == []
    assert labels and all(f"{c[:-len('_label')]}" in codes for c in labels)
    for column in labels:  # in the report language: every label differs
        assert (en[column] != zh[column]).all(), column


def test_export_columns_and_labels(runs):
    clv = _export(runs["en"], "clv")
    assert list(clv.columns) == ["customer_id", "frequency", "recency", "T", "prob_alive",
                                 "prob_alive_previous", "expected_purchases", "expected_avg_spend", "clv", "clv_tier",
                                 "clv_tier_label"]
    assert set(clv["clv_tier"]) == {"A", "B", "C", "D"}
    for lang in LANGS:
        frame = _export(runs[lang], "clv")
        assert (frame["clv_tier_label"] == frame["clv_tier"].map(
            lambda c, lang=lang: t(f"clv.tier.{c}", lang))).all()
    ch = _export(runs["en"], "churn")
    assert list(ch.columns) == ["customer_id", "churn_probability", "value_at_stake",
                                "health_score", "top_reasons", "top_reasons_label",
                                "recommended_action", "recommended_action_label",
                                "expected_value"]
    assert set(ch["recommended_action"]) <= set(churn.ACTIONS)
    for lang in LANGS:
        frame = _export(runs[lang], "churn")
        assert (frame["recommended_action_label"] == frame["recommended_action"].map(
            lambda c, lang=lang: t(f"churn.action.{c}", lang))).all()
        none = frame["top_reasons"] == churn.NO_REASON
        assert (frame.loc[none, "top_reasons_label"] == t("churn.reason.none", lang)).all()
        overdue = frame["top_reasons"].str.startswith("overdue")
        assert overdue.any()
        opening = "no purchase for" if lang == "en" else "已 "
        assert frame.loc[overdue, "top_reasons_label"].str.startswith(opening).all()
    # one sentence per code
    sep = t("churn.list_sep", "zh")
    zh = _export(runs["zh"], "churn")
    assert (zh["top_reasons"].str.count(";") == zh["top_reasons_label"].str.count(sep)).all()


@pytest.mark.parametrize("name", ["clv", "churn"])
def test_results_match_their_schema_and_are_the_same_in_both_languages(runs, name):
    en, zh = (read_result(name, runs[lang]) for lang in LANGS)
    schema = RESULTS[name]
    assert list(en.columns) == list(schema.columns)
    assert {c: str(en[c].dtype) for c in en} == {c: KINDS[k] for c, k in schema.columns.items()}
    assert en["customer_id"].is_unique and len(en) > 0
    pd.testing.assert_frame_equal(en, zh)


def test_clv_result_is_the_export(runs):
    result = read_result("clv", runs["en"]).astype(str)
    export = _export(runs["en"], "clv")
    assert result["customer_id"].tolist() == export["customer_id"].tolist()
    assert result["clv_tier"].tolist() == export["clv_tier"].tolist()
    assert result["frequency"].tolist() == export["frequency"].tolist()


def test_churn_result_is_the_export(runs):
    result = read_result("churn", runs["en"])
    export = _export(runs["en"], "churn")
    assert result["customer_id"].tolist() == export["customer_id"].tolist()  # EV order, once each
    assert result["recommended_action"].tolist() == export["recommended_action"].tolist()
    assert result["top_reason"].tolist() == export["top_reasons"].str.split(";").str[0].tolist()
    assert set(result["top_reason"]) <= set(export["top_reasons"].str.split(";").explode())
    for column in ("churn_probability", "health_score", "value_at_stake", "expected_value"):
        exported = pd.to_numeric(export[column].replace("", None))
        assert result[column].to_numpy() == pytest.approx(exported.to_numpy(), rel=1e-9,
                                                          nan_ok=True), column
