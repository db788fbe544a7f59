"""Validation of the subscriptions table: overlaps are errors, bad rows set aside."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.success.data import SubscriptionError, validate_subscriptions


def _frame(rows):
    return pd.DataFrame(rows, columns=["customer_id", "subscription_id", "start_date",
                                       "end_date", "mrr"])


def test_overlap_names_the_rows():
    frame = _frame([("A", "S1", "2024-01-01", "2024-02-10", 10),
                    ("B", "S2", "2024-01-01", None, 10),
                    ("A", "S1", "2024-02-10", None, 20)])  # shares Feb 10 with row 0
    with pytest.raises(SubscriptionError, match=r"subscription S1: rows 0 and 2"):
        validate_subscriptions(frame)


def test_open_period_followed_by_another_is_an_overlap():
    frame = _frame([("A", "S1", "2024-01-01", None, 10), ("A", "S1", "2024-03-01", None, 20)])
    with pytest.raises(SubscriptionError, match="rows 0 and 1"):
        validate_subscriptions(frame)


def test_bad_rows_set_aside_with_reason():
    frame = _frame([("A", "S1", "2024-01-01", "2024-01-31", 10),
                    ("A", "S1", "2024-02-01", None, -5),
                    ("B", "S2", "2024-03-01", "2024-02-01", 10),
                    ("C", "S3", None, None, 10)])
    kept, aside = validate_subscriptions(frame)
    assert kept["subscription_id"].tolist() == ["S1"]
    assert dict(zip(aside["row"], aside["reason"])) == {
        1: "negative_mrr", 2: "end_before_start", 3: "missing_start"}


def test_ids_stay_text_and_missing_column_named():
    frame = _frame([("007", "0001", "2024-01-01", None, 10)])
    kept, _ = validate_subscriptions(frame)
    assert kept.loc[0, "customer_id"] == "007"
    assert kept.loc[0, "term_months"] == 12
    with pytest.raises(SubscriptionError, match="missing column.*mrr"):
        validate_subscriptions(frame.drop(columns="mrr"))
