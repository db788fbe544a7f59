import numpy as np
import pandas as pd
import pytest

from workbench.parsing import (
    CSAT_WORDS,
    parse_amounts,
    parse_bools,
    parse_dates,
    parse_ids,
    parse_scores,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024/1/5", "2024-01-05 00:00"),
        ("2024-01-05 10:00", "2024-01-05 10:00"),
        ("2024-01-05 10:00:30", "2024-01-05 10:00:30"),
        ("20240105", "2024-01-05 00:00"),
        ("2024年1月5日", "2024-01-05 00:00"),
        ("2024.01.05", "2024-01-05 00:00"),
        ("2024-01-05T10:00:30+08:00", "2024-01-05 10:00:30"),
        ("01/05/2024", "2024-01-05 00:00"),
    ],
)
def test_parse_dates_common_formats(text, expected):
    assert parse_dates(pd.Series([text]))[0] == pd.Timestamp(expected)


def test_parse_dates_dayfirst_and_invalid():
    assert parse_dates(pd.Series(["05/01/2024"]), dayfirst=True)[0] == pd.Timestamp("2024-01-05")
    parsed = parse_dates(pd.Series(["2024-13-01", "yesterday", "", None, "2024-02-30"]))
    assert parsed.isna().all()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¥1,299.00", 1299.0), ("￥1,299.00", 1299.0), ("1.299,00", 1299.0), ("12,5", 12.5),
        ("1,299", 1299.0), ("RMB 100", 100.0), ("100元", 100.0), ("-¥5", -5.0),
        ("¥-8.50", -8.5), ("(12.00)", -12.0), ("1.299.000", 1299000.0), (" 88 ", 88.0),
        ("$1,234,567.89", 1234567.89),
    ],
)
def test_parse_amounts(text, expected):
    assert parse_amounts(pd.Series([text]))[0] == pytest.approx(expected)


@pytest.mark.parametrize("text", ["abc", "12-3", "1,2345", "", "¥", "1.2.3"])
def test_parse_amounts_rejects(text):
    assert np.isnan(parse_amounts(pd.Series([text]))[0])


def test_parse_bools_and_scores():
    assert parse_bools(pd.Series(["Yes", "否", "1", "maybe"])).tolist()[:3] == [True, False, True]
    assert parse_bools(pd.Series(["maybe"])).isna().all()
    scores = parse_scores(pd.Series(["10分", "满意", "4/5", "很好", "7"]), words=CSAT_WORDS)
    assert scores.tolist()[:3] == [10.0, 4.0, 4.0]
    assert np.isnan(scores[3]) and scores[4] == 7.0


def test_parse_ids_keeps_leading_zeros():
    assert parse_ids(pd.Series(["007", " 0123 ", "45.0"])).tolist() == ["007", "0123", "45"]
    assert parse_ids(pd.Series([12.0, 3.0])).tolist() == ["12", "3"]
