"""The one daily-purchase query and the multi-date summary."""

import pandas as pd
import pytest

from workbench.engine.aggregations import daily_purchases
from workbench.engine.local import local_table
from workbench.summary import customer_summaries, customer_summary


def lines() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b", "c"],
        "order_date": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 18:30", "2024-01-05 00:00",
                                      "2024-01-02 00:00", "2024-02-01 23:59", "2024-02-02 00:00"]),
        "amount": [10.0, 5.5, 7.0, 3.0, 4.0, 1.0],
        "order_id": ["1", "2", "3", "4", "4", "5"]})


def run(orders=None, as_of=None) -> pd.DataFrame:
    with local_table(lines()) as tx:
        daily = daily_purchases(tx, as_of, orders=orders)
        return daily.order_by(["customer_id", "day"]).to_pandas()


def test_lines_of_one_customer_on_one_day_are_one_purchase():
    daily = run(orders="order_id")
    assert daily[["customer_id", "amount", "orders"]].values.tolist() == [
        ["a", 155_000, 2], ["a", 70_000, 1], ["b", 30_000, 1], ["b", 40_000, 1],
        ["c", 10_000, 1]]  # money units of 1/10,000
    cut = run(orders="lines", as_of="2024-02-01")
    assert cut["customer_id"].tolist() == ["a", "a", "b", "b"]  # 23:59 on as_of is inside
    assert run()["day"].iloc[0] == (pd.Timestamp("2024-01-01") - pd.Timestamp("1970-01-01")).days
    with pytest.raises(ValueError, match="orders must be"):
        run(orders="distinct")


def test_summaries_at_several_dates_equal_one_call_per_date():
    dates = [pd.Timestamp("2024-02-02"), pd.Timestamp("2024-01-03")]
    together = customer_summaries(lines(), dates, "D")
    for date, frame in zip(dates, together):
        alone = customer_summary(lines(), date, "D")
        pd.testing.assert_frame_equal(frame, alone)
        assert frame.attrs == alone.attrs
    assert together[1]["customer_id"].tolist() == ["a", "b"]


def test_no_lines_and_no_as_of_is_a_clear_error():
    empty = pd.DataFrame({"customer_id": pd.Series([], dtype="str"),
                          "order_date": pd.Series([], dtype="datetime64[us]"),
                          "amount": pd.Series([], dtype="float64")})
    assert customer_summary(empty, "2024-01-01").empty
    with pytest.raises(ValueError, match="no dated line.*pass as_of"):
        customer_summary(empty)
    with pytest.raises(ValueError, match="no dated line"):
        customer_summaries(empty, [None, "2024-01-01"])


def test_day_numbers_beyond_nanosecond_timestamps_raise_instead_of_wrapping():
    import numpy as np

    from workbench.summary import _dates

    assert str(_dates(np.array([-106_751, 106_751]))[-1])[:10] == "2262-04-11"
    with pytest.raises(ValueError, match="outside 1677-09-22"):
        _dates(np.array([0, 200_000]))
