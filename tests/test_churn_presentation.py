"""Churn report text: sentences and tables from one frame, counts of people, formatted numbers."""

import re

import matplotlib
import numpy as np
import pandas as pd

from tests._churn_demo import shared_demo
from workbench import churn
from workbench.i18n import CATALOGUE, t

matplotlib.use("Agg")
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def _result(baselines):
    scores = pd.DataFrame({"roc_auc": [0.80, 0.84], "pr_auc": [0.6, 0.65], "brier": [0.17, 0.16]},
                          index=pd.Index(["logistic", "gradient_boosting"], name="model"))
    report = churn.ModelReport(scores, pd.DataFrame(), "gradient_boosting", None, [])
    return churn.ChurnResult("transactional", None, report, pd.DataFrame(), pd.DataFrame(), None,
                             None, baselines, None)


def test_baseline_sentence_comes_from_the_table():
    # the two baselines differ: each must be named with its own number (the issue: the sentence
    # gave the expected-purchases AUC 0.823 as if it were 1 - P(alive), which the table gave as 0.715)
    result = _result({"prob_alive": 0.715, "expected_purchases": 0.823})
    frame = churn.comparison(result)
    for lang in ("en", "zh"):
        table = churn.scores_table(result, lang, frame).set_index("model")["roc_auc"]
        text = " ".join(churn.model_sentences(result, lang, frame))
        alive = churn.model_name("prob_alive", lang)
        expected = churn.model_name("expected_purchases", lang)
        assert re.search(re.escape(alive) + r"\W+ROC-AUC 0\.715", text), text
        assert re.search(re.escape(expected) + r"\W+ROC-AUC 0\.823", text), text
        shown = {float(x) for x in re.findall(r"0\.\d{3}", text)}
        assert shown <= {round(v, 3) for v in table}, (shown, table)
    # and a change in the frame changes the sentence
    frame.loc[frame["model"] == "prob_alive", "roc_auc"] = 0.5
    assert "0.500" in " ".join(churn.model_sentences(result, "en", frame))


def test_counts_of_customers_count_people():
    # 3 customers scored at 2 cutoffs: 6 customer-cutoffs; counts are taken at the latest cutoff
    predictions = pd.DataFrame({
        "m": [0.9, 0.8, 0.2, 0.7, 0.9, 0.1], "label": [1, 0, 0, 1, 1, 0],
        "customer_id": ["a", "b", "c", "a", "b", "c"],
        "cutoff": pd.to_datetime(["2024-01-31"] * 3 + ["2024-02-29"] * 3)})
    text = churn.confusion_sentence(predictions, "m", 0.5)
    assert "2 of 3 customers are flagged" in text and "2024-02-29" in text
    table = churn.confusion_at(predictions, "m", 0.5).set_index("actual")
    assert int(table.to_numpy().sum()) == 3
    assert table.to_numpy().tolist() == [[1, 0], [0, 2]]


def test_demo_counts_are_distinct_customers(tmp_path_factory):
    _, dataset, result, _ = shared_demo(tmp_path_factory)
    buyers = dataset.transactions["customer_id"].nunique()
    assert len(result.data.label) > buyers  # rows are customer-cutoffs
    text = churn.confusion_sentence(result.report.predictions, result.report.best, 0.5)
    flagged, total = (int(x.replace(",", "")) for x in re.search(r"([\d,]+) of ([\d,]+) customers", text).groups())
    assert flagged <= total <= buyers
    kpis = churn.kpis(result, "en")
    high = int(kpis[0][1].replace(",", ""))
    assert high == result.current.loc[result.current["churn_probability"] > 0.5, "customer_id"].nunique()
    assert churn.churn_metrics(result)["high_risk_customers"] == high <= buyers
    people = result.data.features["customer_id"].nunique()
    assert f"({people:,} distinct customers)" in churn.describe_setting(result, "en")


def test_money_p_values_and_bins_use_the_shared_formatters(tmp_path_factory):
    _, _, result, _ = shared_demo(tmp_path_factory)
    zh = churn.targeting_sentence(result, 0.2, 10, "zh")
    assert "¥10.00" in zh and "万" in zh  # ¥ always; 万 for large sums in Chinese
    assert "¥" in churn.kpis(result, "zh")[1][1]
    assert churn.churn_metrics(result)["headline"]["en"].count("¥") == 1
    table = churn.action_table(result, 5, "en")
    assert table["value_at_stake"].str.startswith("¥").all() and table["expected_value"].str.startswith("¥").all()
    assert table["churn_probability"].str.endswith("%").all()
    assert result.health["low"].tolist() == [0, 20, 40, 60, 80]
    fig = churn.plot_health_bands(result.health)
    labels = [tick.get_text() for tick in fig.axes[0].get_xticklabels()]
    matplotlib.pyplot.close(fig)
    assert labels == ["0–20", "20–40", "40–60", "60–80", "80–100"]
    survival = {"medians": {"A": 120.0}, "logrank": {"statistic": 30.0, "p_value": 1e-9}, "curves": {}}
    stub = churn.ChurnResult("transactional", None, None, None, None, survival, "acquisition_channel",
                             None, None)
    text = churn.survival_sentence(stub, "en")
    assert "test across groups: p < 0.001." in text and "p = p" not in text
    assert "acquisition channel" in text
    assert "A：120" in churn.survival_sentence(stub, "zh")
    zh_reasons = churn.reasons(result.rules, result.current.head(30), lang="zh")[0]
    assert any("；" in x for x in zh_reasons) and not any("; " in x for x in zh_reasons)


def test_no_raw_feature_names_in_report_text(tmp_path_factory):
    _, _, result, _ = shared_demo(tmp_path_factory)
    telco_columns = ["female", "senior_citizen", "partner", "dependents", "tenure", "phone_service",
                     "multiple_lines", "internet_service", "online_security", "online_backup",
                     "device_protection", "tech_support", "streaming_tv", "streaming_movies",
                     "contract", "paperless_billing", "payment_method", "monthly_charges",
                     "total_charges"]
    for lang in ("en", "zh"):
        labels = [churn.feature_label(c, lang) for c in [*result.report.columns, *telco_columns]]
        text = " ".join([*labels, churn.describe_setting(result, lang), *churn.model_sentences(result, lang),
                         churn.survival_sentence(result, lang), churn.health_sentence(result, lang),
                         *churn.closing_note(result, lang), *(x for k in churn.kpis(result, lang) for x in k),
                         *churn.action_table(result, 30, lang)["top_reasons"],
                         churn.confusion_sentence(result.report.predictions, result.report.best, 0.5, lang)])
        assert not SNAKE.findall(text), sorted(set(SNAKE.findall(text)))
        fig = churn.plot_importance(pd.DataFrame({"feature": result.report.columns,
                                                  "importance": np.arange(len(result.report.columns))}),
                                    lang=lang, top=100)
        ticks = [tick.get_text() for tick in fig.axes[0].get_yticklabels()]
        assert ticks and not [x for x in ticks if SNAKE.search(x)]
    assert all(f"churn.feature.{c}" in CATALOGUE for c in telco_columns)


def test_churn_catalogue_entries_have_both_languages():
    keys = [k for k in CATALOGUE if k.startswith("churn.")]
    assert all(CATALOGUE[k].get("en") and CATALOGUE[k].get("zh") for k in keys)


def test_result_and_export_hold_codes_with_labels_in_the_report_language(tmp_path_factory, tmp_path):
    from workbench.results import RESULTS, read_result, with_labels, write_result

    _, _, result, _ = shared_demo(tmp_path_factory)
    frame = churn.churn_result(result)
    assert list(frame.columns) == list(RESULTS["churn"].columns)
    assert frame["customer_id"].is_unique and len(frame) == len(result.current)
    assert set(frame["recommended_action"]) == set(churn.ACTIONS) - {"contract"}  # no contracts here
    assert frame["top_reason"].notna().all() and (frame["top_reason"] != churn.NO_REASON).any()
    write_result("churn", frame, tmp_path)  # raises on a schema mismatch
    assert read_result("churn", tmp_path)["top_reason"].tolist() == frame["top_reason"].tolist()
    exports = {lang: with_labels(churn.export_frame(result, lang), churn.EXPORT_LABELS,
                                 lambda key, lang=lang: t(key, lang)) for lang in ("en", "zh")}
    en, zh = exports["en"], exports["zh"]
    assert [c for c in en.columns if not c.endswith("_label")] == list(churn.EXPORT_COLUMNS)
    codes = list(churn.EXPORT_COLUMNS)
    pd.testing.assert_frame_equal(en[codes], zh[codes])
    assert en["top_reasons"].str.split(";").str[0].tolist() == frame["top_reason"].tolist()
    assert (en["top_reasons_label"] != zh["top_reasons_label"]).all()
    assert en.loc[0, "recommended_action_label"] == t(f"churn.action.{en.loc[0, 'recommended_action']}", "en")
    # the report table shows the same customers with sentences and action labels
    table = churn.action_table(result, 10, "zh")
    assert table["top_reasons"].tolist() == zh["top_reasons_label"].head(10).tolist()
    assert table["recommended_action"].tolist() == zh["recommended_action_label"].head(10).tolist()


def test_reason_labels_name_the_behaviour_without_numbers():
    assert churn.reason_label("overdue", "en") == "overdue for a purchase"
    assert churn.reason_label("complaint:support_ticket", "en") == "support contacts: support tickets"
    assert churn.reason_label("fading:visit", "zh") == "活跃度下降：访问"
    assert churn.reason_label("is:contract=Month-to-month", "en") == \
        f"attribute value with a higher churn rate: {churn.feature_label('contract', 'en')} = Month-to-month"
    assert churn.reason_label(churn.NO_REASON, "zh") == "无明显单一原因"
    assert not SNAKE.findall(churn.reason_label("high:monthly_charges", "en"))
