import re
import string

import pytest

from workbench.i18n import CATALOGUE, fmt_money, fmt_number, fmt_pct, t

CJK = re.compile(r"[\u4e00-\u9fff]")


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_entry_has_both_languages_with_same_placeholders(key):
    entry = CATALOGUE[key]
    assert set(entry) == {"en", "zh"}
    assert _fields(entry["en"]) == _fields(entry["zh"])
    assert not CJK.search(entry["en"]), "English text with Chinese characters"


def test_chinese_entries_are_chinese():
    untranslated = [k for k, v in CATALOGUE.items() if not CJK.search(v["zh"])
                    and v["zh"] == v["en"] and k not in {"index.notebook"}
                    and not k.startswith("index.duration")]
    assert untranslated == []


def test_t_fills_values_and_rejects_unknown():
    assert t("index.duration", "zh", seconds=2.04) == "2.0 秒"
    with pytest.raises(ValueError, match="lang must be one of"):
        t("topic.clv", "fr")
    with pytest.raises(KeyError, match="no catalogue entry"):
        t("nope", "en")


def test_number_formats():
    assert fmt_number(12345, "en") == "12,345"
    assert fmt_number(12345, "zh") == "1.2万"
    assert fmt_number(3.2e8, "zh") == "3.20亿"
    assert fmt_money(2007.5e4, "zh") == "¥2,007.5万"
    assert fmt_money(12.5, "en") == "¥12.50"
    assert fmt_pct(0.1234) == "12.3%"
    assert fmt_pct(float("nan")) == "–"


def test_negative_money_puts_the_sign_before_the_currency():
    from workbench.i18n import fmt_money

    assert fmt_money(-12.5) == "-¥12.50"
    assert fmt_money(-56_821.9, "zh") == "-¥5.7万"
    assert fmt_money(1299) == "¥1,299"
