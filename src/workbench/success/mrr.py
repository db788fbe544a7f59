"""Monthly recurring revenue: MRR at month ends, the MRR bridge and revenue retention.

Definitions (the report states them; tests check them by hand and against a day-by-day loop):

- A period runs on every day from ``start_date`` to ``end_date`` inclusive (blank end: still
  running). **MRR at a month end** is the sum of ``mrr`` over the periods running on that
  month's last day. Amounts are rounded to cents (0.01 currency units) per period and summed
  as integer cents, so the bridge identity below holds exactly.
- **Bridge** per customer from month M-1 to M, with m0 = MRR(M-1) and m1 = MRR(M):
  *new* = m1 when m1 > 0 and the customer had MRR 0 at every earlier month end;
  *reactivation* = m1 when m1 > 0, m0 = 0 and MRR > 0 at some earlier month end;
  *expansion* = m1 - m0 when both > 0 and m1 > m0; *contraction* = m0 - m1 when both > 0
  and m1 < m0; *churned* = m0 when m0 > 0 and m1 = 0. Then
  MRR(M) = MRR(M-1) + new + reactivation + expansion - contraction - churned.
- **NRR₁₂** = Σ MRR now / Σ MRR twelve month ends earlier, over the customers with MRR > 0
  twelve month ends earlier; **GRR₁₂** uses min(MRR now, MRR then) in the numerator.
- **ARR** = 12 x MRR (currency units per year).

These follow the SaaS metrics conventions of e.g. D. Skok, "SaaS Metrics 2.0" (forEntrepreneurs,
2013) and KeyBanc Capital Markets' SaaS survey (net and gross dollar retention).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["BRIDGE_COLUMNS", "MrrTable", "arr", "bridge", "cohort_nrr", "customer_bridge",
           "expansion_rate", "last_month_end", "logo_churn", "month_ends", "mrr_table",
           "retention"]

#: Columns of :func:`bridge`, in currency units per month (contraction, churned positive).
BRIDGE_COLUMNS = ("month", "mrr_start", "new", "expansion", "contraction", "churned",
                  "reactivation", "mrr_end")


def last_month_end(as_of: pd.Timestamp) -> pd.Timestamp:
    """The last month end on or before ``as_of`` (``as_of`` itself when it is one)."""
    as_of = pd.Timestamp(as_of).normalize()
    end = as_of + pd.offsets.MonthEnd(0)
    return end if end == as_of else as_of - pd.offsets.MonthEnd(1)


def month_ends(first: pd.Timestamp, as_of: pd.Timestamp) -> pd.DatetimeIndex:
    """Month ends from the month of ``first`` to the last one on or before ``as_of``."""
    start = pd.Timestamp(first).normalize() + pd.offsets.MonthEnd(0)
    return pd.date_range(start, last_month_end(as_of), freq="ME")


class MrrTable:
    """MRR per customer at each month end, held as integer cents.

    Attributes
    ----------
    customers : pandas.Index
        Customer ids (rows).
    months : pandas.DatetimeIndex
        Month ends (columns).
    cents : numpy.ndarray
        int64 array (customers x months): MRR in cents (0.01 currency units per month).
    """

    def __init__(self, customers: pd.Index, months: pd.DatetimeIndex, cents: np.ndarray):
        self.customers = customers
        self.months = months
        self.cents = cents

    @property
    def frame(self) -> pd.DataFrame:
        """MRR in currency units per month, customers x month ends."""
        return pd.DataFrame(self.cents / 100.0, index=self.customers, columns=self.months)

    @property
    def total(self) -> pd.Series:
        """Total MRR at each month end, currency units per month."""
        return pd.Series(self.cents.sum(axis=0) / 100.0, index=self.months, name="mrr")

    def at(self, month: pd.Timestamp) -> pd.Series:
        """MRR per customer at one month end (currency units per month)."""
        return pd.Series(self.cents[:, self.months.get_loc(month)] / 100.0,
                         index=self.customers, name="mrr")


def mrr_table(periods: pd.DataFrame, as_of: pd.Timestamp, *, first: pd.Timestamp | None = None,
              customer_col: str = "customer_id") -> MrrTable:
    """MRR of each customer at each month end up to ``as_of``, from validated periods.

    Parameters
    ----------
    periods
        Output of :func:`workbench.success.data.validate_subscriptions` (``start_date``,
        ``end_date``, ``mrr`` in currency units per month).
    as_of
        Last day of the analysis; months run to the last month end on or before it. Periods
        are read as known on ``as_of``: starts after it are ignored.
    first
        First month (default: the month of the earliest start).
    customer_col
        Column that names the account (``parent_id`` after a roll-up).
    """
    as_of = pd.Timestamp(as_of).normalize()
    p = periods[periods["start_date"] <= as_of]
    first = p["start_date"].min() if first is None else first
    months = month_ends(first if pd.notna(first) else as_of, as_of)
    customers = pd.Index(sorted(p[customer_col].astype(str).unique()), name="customer_id")
    n = len(months)
    diff = np.zeros((len(customers), n + 1), dtype=np.int64)
    if len(p) and n:
        m = months.to_numpy()
        i0 = np.searchsorted(m, p["start_date"].to_numpy(), side="left")
        ends = p["end_date"].to_numpy()
        i1 = np.where(pd.isna(ends), n - 1,
                      np.searchsorted(m, np.where(pd.isna(ends), m[-1], ends), side="right") - 1)
        cents = np.round(p["mrr"].to_numpy(dtype=float) * 100).astype(np.int64)
        rows = customers.get_indexer(p[customer_col].astype(str))
        ok = i0 <= i1
        np.add.at(diff, (rows[ok], i0[ok]), cents[ok])
        np.add.at(diff, (rows[ok], i1[ok] + 1), -cents[ok])
    return MrrTable(customers, months, np.cumsum(diff, axis=1)[:, :n])


def _parts(table: MrrTable) -> dict[str, np.ndarray]:
    """Bridge components per customer and month, integer cents (customers x months)."""
    m1 = table.cents
    m0 = np.concatenate([np.zeros((m1.shape[0], 1), dtype=np.int64), m1[:, :-1]], axis=1)
    before = np.concatenate([np.zeros((m1.shape[0], 1), dtype=bool),
                             np.maximum.accumulate(m1 > 0, axis=1)[:, :-1]], axis=1)
    on, was = m1 > 0, m0 > 0
    both = on & was
    return {
        "mrr_start": m0,
        "new": np.where(on & ~before, m1, 0),
        "expansion": np.where(both, np.maximum(m1 - m0, 0), 0),
        "contraction": np.where(both, np.maximum(m0 - m1, 0), 0),
        "churned": np.where(was & ~on, m0, 0),
        "reactivation": np.where(on & ~was & before, m1, 0),
        "mrr_end": m1,
    }


def bridge(table: MrrTable) -> pd.DataFrame:
    """The monthly MRR bridge (currency units per month; contraction and churned positive).

    One row per month end; the first month's ``mrr_start`` is 0, so all its MRR is new.
    ``mrr_end == mrr_start + new + reactivation + expansion - contraction - churned`` holds
    exactly in cents (see the module docstring for the definitions).
    """
    sums = {k: v.sum(axis=0) for k, v in _parts(table).items()}
    out = pd.DataFrame({"month": table.months})
    for col in BRIDGE_COLUMNS[1:]:
        out[col] = sums[col] / 100.0
    return out


def customer_bridge(table: MrrTable) -> pd.DataFrame:
    """The bridge per customer and month (long; rows where something happened).

    Columns ``customer_id``, ``month``, ``movement`` (new, expansion, contraction, churned,
    reactivation) and ``amount`` (currency units per month, positive).
    """
    parts = _parts(table)
    frames = []
    for movement in ("new", "expansion", "contraction", "churned", "reactivation"):
        r, c = np.nonzero(parts[movement])
        frames.append(pd.DataFrame({"customer_id": table.customers[r], "month": table.months[c],
                                    "movement": movement,
                                    "amount": parts[movement][r, c] / 100.0}))
    return pd.concat(frames, ignore_index=True).sort_values(["month", "customer_id"],
                                                            ignore_index=True)


def arr(table: MrrTable) -> pd.Series:
    """ARR at each month end: 12 x MRR, currency units per year."""
    return (table.total * 12).rename("arr")


def _index(table: MrrTable, as_of: pd.Timestamp) -> int | None:
    end = last_month_end(as_of)
    return int(table.months.get_loc(end)) if end in table.months else None


def retention(table: MrrTable, as_of: pd.Timestamp, months: int = 12) -> dict[str, float]:
    """NRR and GRR over ``months`` month ends, at the last month end on or before ``as_of``.

    Returns ``nrr``, ``grr`` (shares; NaN when there is no MRR ``months`` earlier),
    ``base_mrr`` (currency units per month, the customers' MRR then), ``base_customers``
    and ``month`` (the month end used).
    """
    i = _index(table, as_of)
    out = {"nrr": np.nan, "grr": np.nan, "base_mrr": 0.0, "base_customers": 0,
           "month": last_month_end(as_of)}
    if i is None or i - months < 0:
        return out
    then, now = table.cents[:, i - months], table.cents[:, i]
    base = then > 0
    if not base.any():
        return out
    total = then[base].sum()
    out.update(nrr=now[base].sum() / total, grr=np.minimum(now, then)[base].sum() / total,
               base_mrr=total / 100.0, base_customers=int(base.sum()))
    return out


def expansion_rate(table: MrrTable, as_of: pd.Timestamp, months: int = 12) -> float:
    """Expansion rate (增购率): share of customers with MRR > 0 ``months`` month ends before
    the last month end on or before ``as_of`` whose MRR now is higher than then."""
    i = _index(table, as_of)
    if i is None or i - months < 0:
        return np.nan
    then, now = table.cents[:, i - months], table.cents[:, i]
    base = then > 0
    return float((now[base] > then[base]).mean()) if base.any() else np.nan


def logo_churn(table: MrrTable) -> pd.DataFrame:
    """Logo churn per month: customers with MRR > 0 at the previous month end who have 0 now.

    Columns ``month``, ``customers_start``, ``churned`` (counts) and ``logo_churn_rate``
    (share of ``customers_start``; NaN for the first month).
    """
    parts = _parts(table)
    start = (parts["mrr_start"] > 0).sum(axis=0)
    churned = (parts["churned"] > 0).sum(axis=0)
    rate = np.where(start > 0, churned / np.maximum(start, 1), np.nan)
    return pd.DataFrame({"month": table.months, "customers_start": start, "churned": churned,
                         "logo_churn_rate": rate})


def cohort_nrr(table: MrrTable, first_start: pd.Series, max_months: int = 24) -> pd.DataFrame:
    """Net revenue retention curves by start quarter.

    The cohort of a quarter is the customers whose first period starts in it
    (``first_start``: customer id -> date). Its base is their MRR at the quarter's last
    month end; the curve at k months is their MRR k month ends later divided by the base.

    Returns columns ``cohort`` (e.g. ``2024Q1``), ``months_since`` (0..``max_months``),
    ``nrr`` (share), ``customers`` (cohort size) and ``base_mrr`` (currency units per month).
    """
    quarter = pd.PeriodIndex(pd.to_datetime(first_start.reindex(table.customers)), freq="Q")
    rows = []
    for q in sorted(set(quarter.dropna())):
        end = q.end_time.normalize()
        if end not in table.months:
            continue
        members = np.asarray(quarter == q)
        j = int(table.months.get_loc(end))
        base = table.cents[members, j].sum()
        if base <= 0:
            continue
        for k in range(min(max_months, len(table.months) - 1 - j) + 1):
            rows.append({"cohort": str(q), "months_since": k,
                         "nrr": table.cents[members, j + k].sum() / base,
                         "customers": int(members.sum()), "base_mrr": base / 100.0})
    return pd.DataFrame(rows, columns=["cohort", "months_since", "nrr", "customers", "base_mrr"])
