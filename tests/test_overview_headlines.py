"""Every analysis that ran gives the overview a headline: none reads as "no results"."""

from __future__ import annotations

import html as html_lib

import pytest

from workbench.i18n import t
from workbench.overview import DOMAIN_TOPICS
from workbench.registry import by_topic


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_report_that_ran_has_a_headline_in_the_overview(rendered, lang):
    out = rendered[lang]
    page = html_lib.unescape((out / "00_overview.html").read_text(encoding="utf-8"))
    ran = [topic for topic in DOMAIN_TOPICS if (out / f"{by_topic(topic).notebook}.html").exists()]
    assert "campaigns" in ran  # the tiny demo has a campaign log
    for topic in ran:
        missing = t("ov.domain_missing", lang, topic=t(f"topic.{topic}", lang))
        assert missing not in page, topic


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_report_skipped_on_this_data_says_why(tiny_demo, lang):
    from workbench.io import load_dataset
    from workbench.overview import domain_sentences

    dataset = load_dataset(tiny_demo)  # a retail demo: no subscriptions table
    sentences = domain_sentences({"customer_success": None, "churn": None}, lang, dataset)
    reason = dataset.missing_for("customer_success", lang)
    assert reason and "subscriptions.csv" in reason
    assert sentences[0] == t("ov.domain_skipped", lang, topic=t("topic.customer_success", lang),
                             reason=reason)
    assert sentences[1] == t("ov.domain_missing", lang, topic=t("topic.churn", lang))
