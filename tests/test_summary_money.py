"""The summary's exact money (BIGINT units of 1/MONEY_SCALE), day numbers and packed first day."""

import numpy as np
import pandas as pd
import pytest

from tests import _reference
from workbench.engine.aggregations import daily_purchases
from workbench.engine.local import local_table
from workbench.summary import MONEY_SCALE, customer_summary


def random_log(n: int = 20_000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "customer_id": pd.array(rng.integers(0, 1500, n).astype(str), dtype="str"),
        "order_id": np.arange(n).astype(str),
        "order_date": pd.Timestamp("2023-01-01")
        + pd.to_timedelta(rng.integers(0, 700 * 24 * 60, n), unit="min"),
        "amount": rng.gamma(2, 40, n).round(2),
    })


def test_integer_daily_sums_equal_the_decimal_ones():
    tx = random_log()
    with local_table(tx) as table:
        decimal = daily_purchases(table, "2024-06-30", orders="order_id", money="decimal")
        integer = daily_purchases(table, "2024-06-30", orders="order_id", money="integer")
        decimal = decimal.order_by(["customer_id", "day"]).to_pandas()
        integer = integer.order_by(["customer_id", "day"]).to_pandas()
        kinds = daily_purchases(table, money="integer").schema()["amount"]
        with pytest.raises(ValueError, match="money must be"):
            daily_purchases(table, money="float")
    pd.testing.assert_frame_equal(integer, decimal, check_dtype=False)
    assert kinds.is_int64()
    # and both are the pandas reference's sums of each line rounded to 1/10,000
    expected = _reference.daily_purchases(tx, "2024-06-30", "order_id")
    pd.testing.assert_frame_equal(integer.astype({"customer_id": "str"}), expected,
                                  check_dtype=False)


def test_money_is_exact_and_rounded_once_per_line():
    tx = pd.DataFrame({
        "customer_id": ["a"] * 4 + ["b"],
        "order_date": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00", "2024-01-03 08:00",
                                     "2024-01-03 12:00", "2024-01-02 00:00"]),
        # 0.1 + 0.2 is 0.30000000000000004 in floats; 1.23456 rounds to 1.2346 before summing
        "amount": [0.1, 0.2, 1.23456, 1.23456, 1234567.8912],
    })
    s = customer_summary(tx, "2024-01-31", "D").set_index("customer_id")
    assert s.loc["a", "first_purchase_value"] == 0.3
    assert s.loc["a", "total_revenue"] == (3000 + 2 * 12346) / MONEY_SCALE
    # the floats come from the exact totals: (total - first) / x
    assert s.loc["a", "mean_repeat_value"] == 27692 / MONEY_SCALE - 3000 / MONEY_SCALE
    assert s.loc["b", "total_revenue"] == 1234567.8912


def test_first_day_beyond_the_packing_range_and_before_1970():
    # A day's spend of 4e9 currency units (over 2**45 money units), a day in 1875 and one
    # before 1970 with a time of day: the packed minimum gives up and arg_min is used.
    tx = pd.DataFrame({
        "customer_id": ["big", "big", "old", "old", "late69", "late69", "small"],
        "order_date": pd.to_datetime(["2024-01-05 00:00", "2024-02-01 00:00", "1875-06-01 13:00",
                                     "2024-01-01 00:00", "1969-12-31 18:30", "1970-01-02 00:10",
                                     "2024-01-02 00:00"]),
        "amount": [4.0e9, 12.5, 7.25, 3.0, 2.0, 5.0, 19.99],
    })
    s = customer_summary(tx, "2024-12-31", "D").set_index("customer_id")
    assert s["first_purchase_value"].to_dict() == {"big": 4.0e9, "late69": 2.0, "old": 7.25,
                                                   "small": 19.99}
    assert s.loc["late69", "first_purchase"] == pd.Timestamp("1969-12-31")
    assert s.loc["late69", "t_x"] == 2.0  # 1969-12-31 to 1970-01-02
    assert s.loc["old", "first_purchase"] == pd.Timestamp("1875-06-01")
    in_range = customer_summary(tx[tx["customer_id"] == "small"], "2024-12-31", "D")
    pd.testing.assert_frame_equal(in_range, s.loc[["small"]].reset_index())


def test_reruns_are_bitwise_identical(tmp_path):
    tx = random_log(200_000, seed=11)
    tx.to_parquet(tmp_path / "tx.parquet")
    first = customer_summary(tmp_path / "tx.parquet", "2024-09-30", "W",
                             holdout_end="2024-12-01")
    second = customer_summary(tmp_path / "tx.parquet", "2024-09-30", "W",
                              holdout_end="2024-12-01")
    pd.testing.assert_frame_equal(first, second, check_exact=True)
    assert first["customer_id"].is_monotonic_increasing
    dtypes = first.dtypes.astype(str).to_dict()
    assert dtypes["customer_id"] == "str" and dtypes["first_purchase"] == "datetime64[ns]"
    assert {dtypes[c] for c in ("n_orders", "x", "recency_days", "x_holdout")} == {"int64"}
    assert {dtypes[c] for c in ("t_x", "T", "total_revenue", "holdout_revenue")} == {"float64"}
