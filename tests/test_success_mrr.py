"""MRR, the MRR bridge and revenue retention: hand-built cases and a day-by-day brute force.

The hand numbers below are worked out in the comments from the definitions of issue 15
(MRR at a month end = sum over the periods running on its last day).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.success import data, mrr


def _periods(rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "subscription_id", "start_date",
                                        "end_date", "mrr", "billing_period"])
    kept, aside = data.validate_subscriptions(frame)
    assert aside.empty
    return kept


HAND = [
    # A: 100 from Jan 15; upgraded to 150 on Feb 10 and downgraded to 120 on Feb 20.
    ("A", "S1", "2024-01-15", "2024-02-09", 100.0, "monthly"),
    ("A", "S1", "2024-02-10", "2024-02-19", 150.0, "monthly"),
    ("A", "S1", "2024-02-20", None, 120.0, "monthly"),
    # B: 50 from Jan 1, ends on Feb 29 (a month's last day: still counted at Feb end).
    ("B", "S2", "2024-01-01", "2024-02-29", 50.0, "monthly"),
    # B comes back in May with another subscription: reactivation.
    ("B", "S3", "2024-05-10", "2024-12-31", 60.0, "monthly"),
    # C: annual billing, ARR 1,200 = 100 a month, from Mar 1.
    ("C", "S4", "2024-03-01", None, 100.0, "annual"),
]


def test_bridge_by_hand():
    table = mrr.mrr_table(_periods(HAND), pd.Timestamp("2024-05-31"))
    b = mrr.bridge(table).set_index(table.months.strftime("%Y-%m"))
    # Jan: A 100 + B 50, all new. Feb: A 120 (+20 over Jan, the upgrade and downgrade net),
    # B 50. Mar: B churned 50, C new 100. Apr: unchanged. May: B reactivated at 60.
    expected = {
        "2024-01": (0, 150, 0, 0, 0, 0, 150),
        "2024-02": (150, 0, 20, 0, 0, 0, 170),
        "2024-03": (170, 100, 0, 0, 50, 0, 220),
        "2024-04": (220, 0, 0, 0, 0, 0, 220),
        "2024-05": (220, 0, 0, 0, 0, 60, 280),
    }
    for month, values in expected.items():
        assert tuple(b.loc[month, list(mrr.BRIDGE_COLUMNS[1:])]) == values, month


def test_annual_amount_divided_by_twelve():
    frame = pd.DataFrame({"customer_id": ["C"], "subscription_id": ["S"],
                          "start_date": ["2024-03-01"], "end_date": [None], "arr": [1200.0]})
    kept, _ = data.validate_subscriptions(frame)
    assert kept["mrr"].tolist() == [100.0]
    assert mrr.mrr_table(kept, pd.Timestamp("2024-03-31")).total.tolist() == [100.0]


def test_period_ending_before_month_end_not_counted():
    rows = [("A", "S", "2024-01-01", "2024-01-30", 10.0, "monthly")]
    assert mrr.mrr_table(_periods(rows), pd.Timestamp("2024-01-31")).total.tolist() == [0.0]


NRR_CASE = [
    ("A", "S1", "2024-01-15", "2025-03-04", 120.0, "monthly"),
    ("A", "S1", "2025-03-05", None, 200.0, "monthly"),     # expansion to 200
    ("B", "S2", "2024-05-10", "2024-12-31", 60.0, "monthly"),  # not in the base (starts later)
    ("C", "S4", "2024-03-01", None, 100.0, "annual"),
    ("D", "S5", "2024-02-01", "2024-09-30", 80.0, "monthly"),
    ("D", "S5", "2024-10-01", None, 40.0, "monthly"),      # contraction to 40
    ("E", "S6", "2024-03-01", "2024-08-31", 30.0, "monthly"),  # churned
]


def test_nrr_grr_by_hand():
    table = mrr.mrr_table(_periods(NRR_CASE), pd.Timestamp("2025-04-15"))
    r = mrr.retention(table, pd.Timestamp("2025-04-15"))  # last month end: 2025-03-31
    assert r["month"] == pd.Timestamp("2025-03-31")
    # base at 2024-03-31: A 120, C 100, D 80, E 30 = 330; now A 200, C 100, D 40, E 0 = 340
    assert r["nrr"] == pytest.approx(340 / 330)
    # GRR: min(now, then) = 120 + 100 + 40 + 0 = 260
    assert r["grr"] == pytest.approx(260 / 330)
    assert r["base_customers"] == 4
    # expansion rate: 1 of the 4 base customers (A) has more MRR than a year ago
    assert mrr.expansion_rate(table, pd.Timestamp("2025-04-15")) == pytest.approx(0.25)
    churn = mrr.logo_churn(table).set_index("month")
    # E ends on Aug 31 (counted at Aug end), gone at Sep end: 1 of the 5 customers with MRR
    # at Aug end (A, B, C, D, E)
    assert churn.loc[pd.Timestamp("2024-09-30"), "churned"] == 1
    assert churn.loc[pd.Timestamp("2024-09-30"), "logo_churn_rate"] == pytest.approx(1 / 5)


def brute_force(periods: pd.DataFrame, as_of: pd.Timestamp) -> tuple[dict, pd.DataFrame]:
    """MRR per customer on each month end by walking every day of every period, then the
    bridge by loops over customers and months."""
    first = periods["start_date"].min()
    month_days = [d for d in pd.date_range(first, as_of, freq="D")
                  if (d + pd.Timedelta(days=1)).day == 1]
    position = {d: k for k, d in enumerate(month_days)}
    by_customer: dict[str, list[float]] = {
        c: [0.0] * len(month_days) for c in sorted(periods["customer_id"].unique())}
    for p in periods.itertuples():
        end = p.end_date if pd.notna(p.end_date) else as_of
        for day in pd.date_range(p.start_date, min(end, as_of), freq="D"):
            if day in position:  # the period runs on this month's last day
                by_customer[p.customer_id][position[day]] += round(p.mrr * 100)
    rows = []
    for k, day in enumerate(month_days):
        acc = {"new": 0.0, "expansion": 0.0, "contraction": 0.0, "churned": 0.0,
               "reactivation": 0.0, "mrr_start": 0.0, "mrr_end": 0.0}
        for values in by_customer.values():
            now = values[k]
            prev = values[k - 1] if k else 0.0
            ever = any(v > 0 for v in values[:k])
            acc["mrr_start"] += prev
            acc["mrr_end"] += now
            if now > 0 and not ever:
                acc["new"] += now
            elif now > 0 and prev == 0:
                acc["reactivation"] += now
            elif now > 0 and prev > 0:
                acc["expansion"] += max(now - prev, 0)
                acc["contraction"] += max(prev - now, 0)
            elif prev > 0 and now == 0:
                acc["churned"] += prev
        rows.append({"month": day, **{key: v / 100 for key, v in acc.items()}})
    return by_customer, pd.DataFrame(rows)


def random_periods(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        start = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(0, 500)))
        for s in range(int(rng.integers(1, 3))):
            sub = f"S{i}-{s}"
            day = start + pd.Timedelta(days=int(rng.integers(0, 200)))
            for _ in range(int(rng.integers(1, 4))):
                length = int(rng.integers(5, 200))
                end = day + pd.Timedelta(days=length - 1)
                rows.append((f"C{i}", sub, day, end, float(rng.integers(1, 50) * 10),
                             "monthly"))
                day = end + pd.Timedelta(days=int(rng.choice([1, 1, 30])))
            if rng.random() < 0.3:
                rows[-1] = rows[-1][:3] + (None,) + rows[-1][4:]
            start = day + pd.Timedelta(days=int(rng.integers(10, 90)))
    return _periods(rows)


def test_vectorised_matches_day_by_day_loop():
    periods = random_periods(25, seed=3)
    as_of = pd.Timestamp("2024-09-30")
    periods = periods[periods["start_date"] <= as_of]
    by_customer, expected = brute_force(periods, as_of)
    table = mrr.mrr_table(periods, as_of)
    for cust, values in by_customer.items():
        assert table.cents[table.customers.get_loc(cust)].tolist() == values, cust
    got = mrr.bridge(table)
    pd.testing.assert_frame_equal(got.reset_index(drop=True),
                                  expected[list(mrr.BRIDGE_COLUMNS)], check_dtype=False)
    assert (got[["new", "reactivation", "expansion", "contraction", "churned"]] > 0).any().all()


def test_bridge_identity_exact_in_cents():
    table = mrr.mrr_table(random_periods(60, seed=5), pd.Timestamp("2024-12-31"))
    b = mrr.bridge(table)
    cents = (b[list(mrr.BRIDGE_COLUMNS[1:])] * 100).round().astype("int64")
    lhs = cents["mrr_start"] + cents["new"] + cents["reactivation"] + cents["expansion"] \
        - cents["contraction"] - cents["churned"]
    assert (lhs == cents["mrr_end"]).all()
    assert (cents["mrr_start"].iloc[1:].to_numpy() == cents["mrr_end"].iloc[:-1].to_numpy()).all()


def test_cohort_nrr_starts_at_one():
    periods = _periods(NRR_CASE)
    table = mrr.mrr_table(periods, pd.Timestamp("2025-03-31"))
    first = periods.groupby("customer_id")["start_date"].min()
    curves = mrr.cohort_nrr(table, first)
    q1 = curves[curves["cohort"] == "2024Q1"].set_index("months_since")
    # 2024Q1 cohort: A, C, D, E; base at Mar end 330; 12 months later (2025-03) 340
    assert q1.loc[0, "nrr"] == 1.0
    assert q1.loc[12, "nrr"] == pytest.approx(340 / 330)
