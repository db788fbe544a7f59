"""The workflow's metrics and export, the report text in both languages, and the charts."""

from __future__ import annotations

import itertools
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from workbench.demo_saas import generate_saas_demo
from workbench.i18n import CATALOGUE, t
from workbench.io import load_dataset
from workbench.locales.customer_success import ENTRIES
from workbench.results import with_labels
from workbench.success import data, plotting, renewals, text, workflow


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("saas_small")
    generate_saas_demo(folder, accounts=120, seed=2)
    subs = data.read_subscriptions(folder / "subscriptions.csv")
    customers = pd.read_csv(folder / "customers.csv", dtype={"customer_id": str, "parent_id": str})
    events = pd.read_csv(folder / "events.csv", dtype={"customer_id": str}, parse_dates=["timestamp"])
    feedback = pd.read_csv(folder / "feedback.csv", dtype={"customer_id": str},
                           parse_dates=["submitted_at"])
    return workflow.analyse(subs, customers, events, feedback, pd.Timestamp("2026-10-31"))


def test_metrics_shape_and_consistency(result):
    m = workflow.metrics(result)
    assert "customer_success" not in m  # saved under the topic: metrics.json["customer_success"]
    assert {"mrr", "arr", "nrr_12m", "grr_12m", "logo_churn_rate", "renewal_rate",
            "expansion_rate", "arr_at_risk", "bridge"} <= set(m)
    assert m["arr"] == pytest.approx(12 * m["mrr"])
    bridge = m["bridge"]
    assert [set(b) for b in bridge[:1]] == [{"month", "mrr_start", "new", "expansion",
                                             "contraction", "churned", "reactivation", "mrr_end"}]
    assert all(re.fullmatch(r"\d{4}-\d{2}", b["month"]) for b in bridge)
    assert all(b["contraction"] >= 0 and b["churned"] >= 0 for b in bridge)
    assert sum(b["churned"] for b in bridge) > 0
    assert bridge[-1]["mrr_end"] == pytest.approx(m["mrr"])
    for prev, cur in itertools.pairwise(bridge):
        assert cur["mrr_start"] == pytest.approx(prev["mrr_end"])
        assert cur["mrr_end"] == pytest.approx(cur["mrr_start"] + cur["new"] + cur["reactivation"]
                                               + cur["expansion"] - cur["contraction"]
                                               - cur["churned"], abs=1e-6)
    assert m["arr_at_risk"] == pytest.approx(result.renewals["arr_at_risk"].sum())
    assert 0 < m["nrr_12m"] < 2 and 0 < m["grr_12m"] <= 1


def test_renewals_export_columns_and_labels(result):
    out = workflow.renewals_export(result)
    assert list(out.columns) == list(renewals.RENEWAL_COLUMNS)
    assert len(out) > 0 and out["owner"].notna().all()
    for lang in ("en", "zh"):
        labelled = with_labels(out, workflow.EXPORT_LABELS, lambda k, lang=lang: t(k, lang), lang)
        labels = labelled["recommended_action_label"]
        assert labels.notna().all() and not labels.isin(renewals.ACTIONS).any()


def test_locale_has_both_languages_and_no_clash():
    assert all(set(v) == {"en", "zh"} and v["en"] and v["zh"] for v in ENTRIES.values())
    from workbench.locales import core

    assert not set(ENTRIES) & set(core.ENTRIES)
    for code in renewals.ACTIONS:
        assert f"cs.action.{code}" in ENTRIES


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_sentence_renders(result, lang):
    sentences = (text.definitions(result, lang) + text.revenue_sentences(result, lang)
                 + text.retention_sentences(result, lang) + text.activation_sentences(result, lang)
                 + text.health_sentences(result, lang) + text.renewal_sentences(result, lang)
                 + [text.expansion_sentence(result, lang)])
    rendered = [t(key, lang, **values) for key, values in sentences]
    assert len(rendered) >= 12
    assert not any("{" in s for s in rendered)
    if lang == "zh":
        assert all(re.search("[\u4e00-\u9fff]", s) for s in rendered)
    cards = text.kpi_cards(result, lang)
    assert len(cards) == 8 and all(value for _, value, _ in cards)
    for frame, headers in ((text.renewals_table(result, lang), text.RENEWAL_HEADERS),
                           (text.band_table(result, lang), text.BAND_HEADERS),
                           (text.weights_table(result, lang), text.WEIGHT_HEADERS),
                           (text.early_usage_table(result, lang), text.EARLY_HEADERS),
                           (text.expansion_table(result, lang), text.EXPANSION_HEADERS)):
        assert list(frame.columns) == list(headers)
        assert all(key in CATALOGUE for key in headers.values())
    money = text.renewals_table(result, lang)
    assert len(money) and money["arr"].str.startswith("¥").all()
    bridge = text.bridge_table(result, lang=lang)
    assert bridge["mrr_end"].str.startswith("¥").all()
    assert pd.api.types.is_float_dtype(text.bridge_table(result)["mrr_end"])  # codes: numbers


def test_model_comparison_is_reported(result):
    (key, values), = [s for s in text.renewal_sentences(result, "en")
                      if s[0].startswith("cs.say.model")]
    cmp = result.comparison
    expected = "cs.say.model_beats" if cmp["beats_health"] else "cs.say.model_not_beats"
    assert key == expected and values["model"] == f"{cmp['model_auc']:.3f}"


def test_plots_draw_the_data(result):
    fig = plotting.plot_bridge(result.bridge, lang="zh", months=12)
    ax = fig.axes[0]
    assert len(ax.patches) == 5 * 12
    assert ax.get_title() == t("cs.chart.bridge", "zh")
    plt.close(fig)
    by_band = result.backtest["by_band"]
    fig = plotting.plot_band_churn(by_band, horizon_days=90)
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert heights == pytest.approx(by_band["churn_rate"].fillna(0).tolist())
    plt.close(fig)
    fig = plotting.plot_cohort_nrr(result.cohorts, last=4)
    assert 1 <= len(fig.axes[0].lines) - 1 <= 4  # cohorts plus the 100% reference line
    plt.close(fig)
    fig = plotting.plot_weights(result.weights)
    assert len(fig.axes[0].patches) == 2 * len(result.weights)
    plt.close(fig)
    fig = plotting.plot_renewals(result.renewals)
    assert sum(p.get_height() for p in fig.axes[0].patches) == pytest.approx(
        result.renewals["arr"].sum() + result.renewals["arr_at_risk"].sum())
    plt.close(fig)


def test_no_subscriptions_is_a_clear_error():
    with pytest.raises(data.SubscriptionError, match="needs a subscriptions table"):
        workflow.analyse(None, None, None, None, pd.Timestamp("2026-01-01"))


def test_subscriptions_read_with_chinese_headers(tmp_path):
    (tmp_path / "subscriptions.csv").write_text(
        "客户编号,合同编号,开始日期,到期日,年费\n007,H-1,2024-01-01,,1200\n", encoding="utf-8")
    subs = workflow.subscriptions_of(load_dataset(tmp_path))
    kept, _ = data.validate_subscriptions(subs)
    assert kept.loc[0, ["customer_id", "subscription_id", "mrr"]].tolist() == ["007", "H-1", 100.0]
    assert pd.isna(kept.loc[0, "end_date"])


def test_roll_up_counts_children_with_parent():
    periods = data.validate_subscriptions(pd.DataFrame({
        "customer_id": ["P", "K"], "subscription_id": ["S1", "S2"],
        "start_date": ["2024-01-01"] * 2, "end_date": [None, None], "mrr": [10.0, 5.0]}))[0]
    customers = pd.DataFrame({"customer_id": ["P", "K"], "parent_id": [None, "P"]})
    rolled = data.roll_up(periods, customers)
    assert rolled["customer_id"].tolist() == ["P", "P"]
    assert np.isclose(rolled["mrr"].sum(), 15.0)


def test_locale_follows_the_catalogue_rules():
    """The rules tests/test_i18n.py and tests/test_style.py apply to the whole catalogue."""
    import string

    from tests.test_style import _missing_glyphs
    from workbench.style import BUNDLED_CJK_FAMILY, cjk_font_family

    def fields(s):
        return {f for _, f, _, _ in string.Formatter().parse(s) if f}

    cjk = re.compile("[\u4e00-\u9fff]")
    for key, entry in ENTRIES.items():
        assert fields(entry["en"]) == fields(entry["zh"]), key
        assert not cjk.search(entry["en"]), key
        assert cjk.search(entry["zh"]) or entry["zh"] != entry["en"], key
    cjk_font_family(False)
    assert _missing_glyphs(BUNDLED_CJK_FAMILY, "".join(e["zh"] for e in ENTRIES.values())) == []


def test_bridge_bars_are_visible_on_the_date_axis(result):
    fig = plotting.plot_bridge(result.bridge, months=6)
    widths = {round(p.get_width(), 6) for p in fig.axes[0].patches}
    assert widths == {20.0}  # 20 days on the date axis, not 20 microseconds
    plt.close(fig)


def test_renewals_result_matches_its_schema(result):
    out = workflow.renewals_result(result)
    assert list(out.columns) == list(workflow.RENEWALS_RESULT["columns"])
    assert not out.duplicated(list(workflow.RENEWALS_RESULT["key"])).any()


def test_contract_status_by_hand():
    from workbench.success.contract import contract_status

    periods = data.validate_subscriptions(pd.DataFrame({
        "customer_id": ["A", "A", "B", "C"], "subscription_id": ["S1", "S1", "S2", "S3"],
        "start_date": ["2024-01-01", "2024-06-01", "2024-01-01", "2024-01-01"],
        "end_date": ["2024-05-31", None, "2024-03-31", "2024-12-31"],
        "mrr": [10.0, 20.0, 5.0, 7.0], "plan": ["basic", "pro", "basic", "basic"]}))[0]
    out = contract_status(periods, pd.Timestamp("2024-07-01")).set_index("customer_id")
    assert out["arr"].tolist() == [240.0, 0.0, 84.0]  # C's end after as_of is not known yet
    assert out["churned"].tolist() == [False, True, False]
    assert out.loc["B", "churned_at"] == pd.Timestamp("2024-04-01")
    assert out.loc["B", "last_arr"] == 60.0 and out.loc["A", "plan"] == "pro"
    assert out.loc["B", "tenure_days"] == 91
