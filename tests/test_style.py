"""Chinese renders in charts: the chosen font has the glyphs, and nothing warns."""

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from matplotlib import font_manager

from workbench.i18n import CATALOGUE
from workbench.style import BUNDLED_CJK_FAMILY, cjk_font_family, format_money_axis, use_style

LABELS = "客户分层 重要价值客户 复购率 销售额 流失预警 铂金 黄金 白银 普通 门店 小程序 电商平台"


def _missing_glyphs(family: str, text: str) -> list[str]:
    font = font_manager.get_font(
        font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False))
    return [ch for ch in set(text) if not ch.isspace() and font.get_char_index(ord(ch)) == 0]


@pytest.mark.parametrize("prefer_system", [True, False])
def test_chart_with_chinese_labels_uses_a_font_with_the_glyphs(prefer_system):
    family = use_style(prefer_system_font=prefer_system)
    if not prefer_system:
        assert family == BUNDLED_CJK_FAMILY
    fig, ax = plt.subplots()
    ax.bar(["门店", "小程序"], [1, 2])
    ax.set(title=LABELS, xlabel="月份", ylabel="销售额")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" is a failure
        fig.canvas.draw()
    used = {font_manager.get_font(font_manager.findfont(text.get_fontproperties())).family_name
            for text in [ax.title, ax.xaxis.label, ax.get_xticklabels()[0]]}
    plt.close(fig)
    assert _missing_glyphs(family, LABELS + "月份") == []
    assert used == {family}  # the text was drawn with the CJK family, not DejaVu


def test_bundled_font_covers_every_catalogue_character():
    cjk_font_family(False)  # registers the bundled font
    text = "".join(entry["zh"] for entry in CATALOGUE.values())
    assert _missing_glyphs(BUNDLED_CJK_FAMILY, text) == []


def test_money_axis_formatter():
    fig, ax = plt.subplots()
    format_money_axis(ax.yaxis, "zh")
    assert ax.yaxis.get_major_formatter()(1_500_000, 0) == "¥150万"
    format_money_axis(ax.yaxis, "en")
    assert ax.yaxis.get_major_formatter()(1_500_000, 0) == "¥1.5M"
    plt.close(fig)
