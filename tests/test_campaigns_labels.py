"""The uplift-by-group tables show the report language's labels, not the stable codes."""

from workbench.campaigns.text import _group_label
from workbench.i18n import t


def test_group_values_are_labelled_in_the_report_language():
    assert _group_label("segment_cn8", "general_winback", "zh") == t("seg.cn8.general_winback", "zh")
    assert _group_label("segment_cn8", "general_winback", "en") == "General win-back"
    assert _group_label("stage", "at_risk", "zh") == t("life.stage.at_risk", "zh") != "at_risk"
    assert _group_label("channel", "APP", "en") == "APP"  # data values stay as they are
    assert _group_label("segment_cn8", "unknown_code", "en") == "unknown_code"
