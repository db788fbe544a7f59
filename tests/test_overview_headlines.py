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
