"""Customer summary: published CDNOW values, and a plain pandas reference on random data."""

import numpy as np
import pandas as pd
import pytest

from workbench.summary import UNIT_DAYS, customer_summary


def reference_summary(tx: pd.DataFrame, as_of: str, unit: str) -> pd.DataFrame:
    """Straightforward pandas version of the BTYD summary, for checking the SQL."""
    as_of_day = pd.Timestamp(as_of)
    tx = tx[tx["order_date"] < as_of_day + pd.Timedelta(days=1)]
    daily = (tx.assign(day=tx["order_date"].dt.normalize())
             .groupby(["customer_id", "day"], as_index=False)["amount"].sum())
    rows = []
    for cid, g in daily.groupby("customer_id"):
        g = g.sort_values("day")
        first, last = g["day"].iloc[0], g["day"].iloc[-1]
        x = len(g) - 1
        rows.append({
            "customer_id": cid, "x": x,
            "t_x": (last - first).days / UNIT_DAYS[unit],
            "T": (as_of_day - first).days / UNIT_DAYS[unit],
            "total_revenue": g["amount"].sum(),
            "mean_repeat_value": g["amount"].iloc[1:].mean() if x else np.nan,
            "recency_days": (as_of_day - last).days,
        })
    return pd.DataFrame(rows).sort_values("customer_id").reset_index(drop=True)


def test_cdnow_reproduces_published_counts(cdnow_transactions):
    # Fader, Hardie & Lee (2005) / shared/datasets/README.md: calibration ends 1997-09-30.
    s = customer_summary(cdnow_transactions, "1997-09-30", "W", holdout_end="1998-06-30")
    assert len(s) == 2357
    assert (s["x"] == 0).sum() == 1411
    assert s["x"].sum() == 2457
    assert s["x_holdout"].sum() == 1882
    assert (s["x"] > 0).sum() == 946  # the Gamma-Gamma sample of Fader & Hardie (2013)
    by_id = s.set_index("customer_id")
    assert by_id.loc["0001", ["x", "t_x", "T"]].tolist() == pytest.approx([2, 30.43, 38.86], abs=0.005)
    assert by_id.loc["0002", ["x", "t_x", "T"]].tolist() == pytest.approx([1, 1.71, 38.86], abs=0.005)
    assert s["holdout_length"].iloc[0] == pytest.approx(39.0)


def test_cdnow_matches_pandas_reference(cdnow_transactions):
    ours = customer_summary(cdnow_transactions, "1997-09-30", "W")
    ref = reference_summary(cdnow_transactions, "1997-09-30", "W")
    cols = ["x", "t_x", "T", "total_revenue", "mean_repeat_value", "recency_days"]
    pd.testing.assert_frame_equal(ours[cols], ref[cols], check_dtype=False, rtol=1e-9)
    assert ours["customer_id"].tolist() == ref["customer_id"].tolist()


@pytest.mark.parametrize("unit", ["D", "W", "M"])
def test_random_log_matches_reference(unit):
    rng = np.random.default_rng(7)
    n = 3000
    tx = pd.DataFrame({
        "customer_id": rng.integers(0, 400, n).astype(str),
        "order_id": np.arange(n).astype(str),
        "order_date": pd.Timestamp("2023-01-01")
        + pd.to_timedelta(rng.integers(0, 600 * 24, n), unit="h"),
        "amount": rng.gamma(2, 50, n).round(2),
    })
    ours = customer_summary(tx, "2024-03-31", unit)
    ref = reference_summary(tx, "2024-03-31", unit)
    cols = ["x", "t_x", "T", "total_revenue", "mean_repeat_value", "recency_days"]
    pd.testing.assert_frame_equal(ours[cols], ref[cols], check_dtype=False, rtol=1e-9)


def test_same_week_purchases_kept_and_cutoff_respected():
    # lifetimes' freq="W" merges these two purchases and can pull 10-02 into the calibration.
    tx = pd.DataFrame({
        "customer_id": ["a", "a", "a", "a"],
        "order_id": ["1", "2", "3", "4"],
        "order_date": pd.to_datetime(["2024-09-02 00:00", "2024-09-03 00:00", "2024-09-30 23:59",
                                     "2024-10-02 00:00"]),
        "amount": [10.0, 20.0, 30.0, 40.0],
    })
    s = customer_summary(tx, "2024-09-30", "W").iloc[0]
    assert s["x"] == 2 and s["total_revenue"] == 60.0
    assert s["t_x"] == pytest.approx(28 / 7) and s["T"] == pytest.approx(28 / 7)
    assert s["mean_repeat_value"] == 25.0 and s["first_purchase_value"] == 10.0


def test_same_day_lines_are_one_transaction_but_orders_are_counted():
    tx = pd.DataFrame({
        "customer_id": ["0042"] * 3,
        "order_id": ["1", "2", "2"],
        "order_date": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 18:00", "2024-01-01 18:00"]),
        "amount": [10.0, 5.0, 5.0],
    })
    s = customer_summary(tx, "2024-01-10", "D").iloc[0]
    assert s["customer_id"] == "0042"
    assert (s["x"], s["n_orders"], s["T"], s["recency_days"]) == (0, 2, 9.0, 9)
    assert np.isnan(s["mean_repeat_value"]) and s["avg_order_value"] == 10.0


def test_parquet_and_csv_paths_match_frame(tmp_path, cdnow_transactions):
    frame = customer_summary(cdnow_transactions, "1997-09-30")
    cdnow_transactions.to_parquet(tmp_path / "tx.parquet")
    cdnow_transactions.to_csv(tmp_path / "tx.csv", index=False)
    from_parquet = customer_summary(tmp_path / "tx.parquet", "1997-09-30")
    from_csv = customer_summary(tmp_path / "tx.csv", "1997-09-30")
    pd.testing.assert_frame_equal(frame, from_parquet)
    assert from_csv["customer_id"].iloc[0] == "0001"  # leading zeros survive CSV sniffing
    pd.testing.assert_frame_equal(frame, from_csv, check_dtype=False)


def test_bad_arguments():
    tx = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-01"]),
                       "amount": [1.0]})
    with pytest.raises(ValueError, match="unit must be one of"):
        customer_summary(tx, "2024-01-02", "fortnight")
    with pytest.raises(ValueError, match="must be after as_of"):
        customer_summary(tx, "2024-01-02", holdout_end="2024-01-01")
    s = customer_summary(tx)  # as_of defaults to the last transaction date
    assert s["T"].iloc[0] == 0.0 and s.attrs["as_of"] == "2024-01-01"


def test_without_order_count_only_orders_change(cdnow_transactions):
    tx = pd.concat([cdnow_transactions, cdnow_transactions.iloc[:50].assign(order_id="extra")])
    full = customer_summary(tx, "1997-09-30")
    fast = customer_summary(tx, "1997-09-30", count_orders=False)
    same = [c for c in full.columns if c not in ("n_orders", "frequency", "avg_order_value")]
    pd.testing.assert_frame_equal(full[same], fast[same])
    assert (fast["n_orders"] == fast["n_purchase_days"]).all()
    assert (full["n_orders"] != full["n_purchase_days"]).any()  # extra orders on known days
    assert fast.attrs["orders_counted"] is False and full.attrs["orders_counted"] is True
