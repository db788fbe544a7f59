"""Segments, stages and data quality as shared results and exports: stable codes, labels beside.

The codes a report writes (results and exports) must not depend on the report language, so a
campaign tool keyed on ``important_value`` or ``category_lover:美妆`` keeps working when the
report is switched to Chinese; only the ``*_label`` columns follow the language.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from tests.conftest import write_csv
from workbench import lifecycle as lc
from workbench import quality
from workbench import segmentation as seg
from workbench.i18n import t
from workbench.io import load_dataset
from workbench.results import RESULTS, read_result, with_labels, write_result

CJK = re.compile(r"[\u4e00-\u9fff]")
PERSONA_KEYS = {key for _, _, key in seg.PERSONA_RULES} | {"mainstream", "category_lover",
                                                            "channel_lover"}


def _read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _persona_base(code: str) -> str:
    """``category_lover:美妆_2`` -> ``category_lover``: the part that is ours, not the data's."""
    return re.sub(r"_\d+$", "", code.split(":", 1)[0])


# ------------------------------------------------------------------------------ personas


def test_persona_codes_name_the_standout_feature_in_every_language():
    rng = np.random.default_rng(0)
    centers = {"discount_share": [3, 0, 0], "log_aov": [0, 3, 0], "category:数码": [0, 0, 3]}
    truth = np.repeat([0, 1, 2], 200)
    features = pd.DataFrame({name: np.array(c)[truth] + rng.normal(0, 0.4, 600)
                             for name, c in centers.items()})
    clusters = seg.BehaviourClusters(k_range=(3,), random_state=0).fit(features)
    en, zh = seg.name_personas(clusters, "en"), seg.name_personas(clusters, "zh")
    assert en["persona_code"].tolist() == zh["persona_code"].tolist()
    assert set(en["persona_code"]) == {"price_sensitive", "quality_seeking", "category_lover:数码"}
    names = dict(zip(zh["persona_code"], zh["persona"]))
    assert names == {"price_sensitive": "价格敏感型", "quality_seeking": "品质追求型",
                     "category_lover:数码": "数码偏好型"}
    assert dict(zip(en["persona_code"], en["persona"]))["category_lover:数码"] == "数码 lovers"


def test_clusters_sharing_a_persona_are_numbered_in_code_and_name():
    z = pd.DataFrame({"discount_share": [2.0, 1.5, 0.0], "log_aov": [0.1, 0.2, 0.1]},
                     index=[0, 1, 2])
    personas = seg.name_personas(SimpleNamespace(z_means_=z), "zh")
    assert personas["persona_code"].tolist() == ["price_sensitive_1", "price_sensitive_2",
                                                 "mainstream"]
    assert personas["persona"].tolist() == ["价格敏感型 1", "价格敏感型 2", "大众型"]


@pytest.mark.parametrize(("code", "en", "zh"), [
    ("price_sensitive", "Price-sensitive", "价格敏感型"),
    ("price_sensitive_2", "Price-sensitive 2", "价格敏感型 2"),
    ("category_lover:美妆", "美妆 lovers", "美妆偏好型"),
    ("channel_lover:app_3", "app shoppers 3", "app渠道型 3"),
    ("", "", ""),
    ("not a code", "not a code", "not a code"),
])
def test_a_persona_code_reads_as_its_name_in_either_language(code, en, zh):
    assert (seg.persona_name(code, "en"), seg.persona_name(code, "zh")) == (en, zh)


# ------------------------------------------------------------------------------ segments


def _transactions(customers: int = 120, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    orders = rng.integers(1, 9, customers)
    ids = np.repeat([f"{i:04d}" for i in range(customers)], orders)
    n = len(ids)
    return pd.DataFrame({
        "customer_id": ids, "order_id": [str(i) for i in range(n)],
        "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 360, n), "D"),
        "amount": rng.gamma(2.0, 50.0, n).round(2),
        "category": rng.choice(["美妆", "数码", "母婴"], n),
        "channel": rng.choice(["app", "store"], n),
        "discount": rng.choice([0.0, 5.0], n),
    })


@pytest.fixture(scope="module")
def segmented():
    tx = _transactions()
    as_of = pd.Timestamp("2024-12-31")
    return {lang: seg.segment(tx, as_of, k_range=(3, 4), lang=lang) for lang in ("en", "zh")}


def test_segments_result_matches_its_schema_and_is_the_same_in_both_languages(segmented,
                                                                              tmp_path):
    en, zh = (seg.segments_result(segmented[lang]) for lang in ("en", "zh"))
    assert list(en.columns) == list(RESULTS["segments"].columns)
    pd.testing.assert_frame_equal(en, zh)
    assert segmented["en"].clusters is not None and (en["cluster"] >= 0).all()
    assert set(en["segment_cn8"]) <= set(seg.CN8_SEGMENTS.values())
    assert set(en["segment_en11"]) <= set(seg.EN11_SEGMENTS)
    assert {_persona_base(p) for p in en["persona"]} <= PERSONA_KEYS
    assert not any(CJK.search(p) for p in en["persona"] if ":" not in p)  # no translated word
    write_result("segments", en, tmp_path)
    back = read_result("segments", tmp_path)
    assert back["persona"].tolist() == en["persona"].tolist()


def test_segmentation_export_keeps_the_documented_columns_with_labels_after_codes(segmented):
    result = segmented["zh"]
    frame = with_labels(seg.export_frame(result), seg.EXPORT_LABELS, lambda k: t(k, "zh"))
    assert [c for c in frame.columns if not c.endswith("_label")] == list(seg.EXPORT_COLUMNS)
    for column in ("segment_cn8", "segment_en11", "value_tier", "persona"):
        assert list(frame.columns).index(f"{column}_label") == list(frame.columns).index(column) + 1
    row = frame.iloc[0]
    assert row["segment_cn8_label"] == t(f"seg.cn8.{row['segment_cn8']}", "zh")
    assert frame.loc[frame["value_tier"] == "A", "value_tier_label"].unique().tolist() == ["头部20%"]
    names = dict(zip(result.personas["persona_code"], result.personas["persona"]))
    assert (frame["persona_label"] == frame["persona"].map(names)).all()


# ------------------------------------------------------------------------------ stages


def test_stages_result_has_codes_and_newcomers_before_their_first_purchase(tmp_path):
    tx = pd.DataFrame({"customer_id": ["a", "a", "b"],
                       "order_date": pd.to_datetime(["2024-01-10", "2024-06-10", "2024-12-20"]),
                       "amount": [10.0, 20.0, 30.0]})
    history = lc.PurchaseHistory(tx)
    rules = lc.StageRules(new_days=30, at_risk_days=60, churn_days=180, loyal_min_purchases=4)
    frame = lc.stages_result(history, pd.Timestamp("2024-11-30"), pd.Timestamp("2024-12-31"),
                             rules).set_index("customer_id")
    assert list(frame.reset_index().columns) == list(RESULTS["stages"].columns)
    assert frame.loc["a", ["stage", "previous_stage"]].tolist() == ["churned", "at_risk"]
    assert frame.loc["b", ["stage", "previous_stage"]].tolist() == ["new", "newcomer"]
    assert frame.loc["a", "typical_gap_days"] == 152.0 and frame.loc["a", "days_since_last"] == 204
    write_result("stages", frame.reset_index(), tmp_path)
    labelled = with_labels(frame.reset_index(), lc.EXPORT_LABELS, lambda k: t(k, "zh"))
    assert labelled.loc[1, ["stage_label", "previous_stage_label"]].tolist() == [
        "新客", t("life.stage.newcomer", "zh")]


# ------------------------------------------------------------------------------ data quality


def test_data_quality_export_has_codes_and_labels_in_the_report_language(tmp_path):
    write_csv(tmp_path / "transactions.csv",
              "customer_id,order_id,order_date,amount\n"
              "A,1,2024-01-05,10\nA,1,2024-01-05,10\nA,2,2024-03-01,20\nB,3,2024-03-02,30\n")
    write_csv(tmp_path / "feedback.csv",
              "customer_id,date,nps\nA,2024-02-01,7\nB,2024-02-02,14\n")
    report = load_dataset(tmp_path).quality
    en, zh = quality.set_aside_export(report, "en"), quality.set_aside_export(report, "zh")
    codes = [c for c in en.columns if c != "reason_label"]
    pd.testing.assert_frame_equal(en[codes], zh[codes])
    by_reason = en.set_index("reason")
    assert by_reason.loc["duplicate", ["table", "rows", "values_only"]].tolist() == [
        "transactions", 1, False]
    assert by_reason.loc["out_of_range", "values_only"] is np.True_
    assert by_reason.loc["out_of_range", "table"] == "feedback"
    assert CJK.search(zh.set_index("reason").loc["duplicate", "reason_label"])
    labelled = with_labels(zh, quality.EXPORT_LABELS, lambda k: t(k, "zh"))
    assert list(labelled.columns) == ["table", "table_label", "column", "reason", "reason_label",
                                      "rows", "values_only", "values_only_label", "examples"]
    assert labelled.set_index("reason").loc["duplicate", "table_label"] == "交易"
    assert set(labelled["values_only_label"]) == {"仅清空该值", "整行剔除"}


# ------------------------------------------------------------------------------ a run per language


@pytest.fixture(scope="module")
def runs(rendered):
    """The whole suite rendered once per language on the tiny demo (the shared fixture)."""
    return rendered


@pytest.mark.parametrize("name", ["segmentation", "lifecycle", "data_quality"])
def test_en_and_zh_exports_differ_only_in_label_columns(runs, name):
    en, zh = _read(runs["en"] / "exports" / f"{name}.csv"), _read(runs["zh"] / "exports" / f"{name}.csv")
    assert list(en.columns) == list(zh.columns) and len(en) > 0
    codes = [c for c in en.columns if not c.endswith("_label")]
    assert [c for c in codes if not en[c].equals(zh[c])] == []
    labels = [c for c in en.columns if c.endswith("_label")]
    assert labels
    for column in labels:
        assert list(en.columns).index(column) == list(en.columns).index(column[:-6]) + 1
        assert not en[column].equals(zh[column]), column  # the label follows the language
    for column in codes:
        assert not zh[column].str.contains(CJK).any() or column in ("persona", "examples"), column


def test_run_saves_the_results_the_exports_show(runs):
    for lang in ("en", "zh"):
        segments = read_result("segments", runs[lang])
        stages = read_result("stages", runs[lang])
        exported = _read(runs[lang] / "exports" / "segmentation.csv")
        assert segments["customer_id"].tolist() == exported["customer_id"].tolist()
        assert segments["segment_cn8"].tolist() == exported["segment_cn8"].tolist()
        assert segments["persona"].tolist() == exported["persona"].tolist()
        life = _read(runs[lang] / "exports" / "lifecycle.csv")
        assert stages["stage"].tolist() == life["stage"].tolist()
        assert {_persona_base(p) for p in segments["persona"]} <= PERSONA_KEYS
    zh = _read(runs["zh"] / "exports" / "segmentation.csv")
    assert zh["segment_cn8_label"].str.contains(CJK).all()
    assert set(_read(runs["zh"] / "exports" / "data_quality.csv")["values_only"]) <= {"True",
                                                                                       "False"}
