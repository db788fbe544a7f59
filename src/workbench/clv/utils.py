"""Data preparation, validation and value calculations around the CLV models.

Time follows :func:`workbench.summary.customer_summary`: purchases of one customer on one day
are one transaction, ``t_x`` and ``T`` count from the first purchase with daily precision and
are expressed in ``unit`` ("D", "W", "M", "Y"; weeks by default, as in the papers).
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import pandas as pd

from workbench.summary import UNIT_DAYS, customer_summary

__all__ = [
    "CLV_TIERS",
    "assign_clv_tiers",
    "calibration_holdout_split",
    "clv_tier_summary",
    "customer_lifetime_value",
    "falling_prob_alive",
    "frequency_fit_table",
    "holdout_by_frequency",
    "holdout_metrics",
    "prob_alive_matrix",
    "tracking_data",
]

#: CLV tiers: code -> share of customers, best first (ranked by CLV).
CLV_TIERS: dict[str, float] = {"A": 0.10, "B": 0.20, "C": 0.30, "D": 0.40}
DAYS_PER_YEAR = 365.25


class TransactionModel(Protocol):
    def predict_purchases(self, t: Any, x: Any, t_x: Any, T: Any) -> np.ndarray: ...
    def expected_purchases(self, t: Any) -> np.ndarray: ...
    def prob_alive(self, x: Any, t_x: Any, T: Any) -> np.ndarray: ...
    def prob_n_purchases(self, n: Any, t: Any) -> np.ndarray: ...


def _unit_days(unit: str) -> float:
    if unit not in UNIT_DAYS:
        raise ValueError(f"unit must be one of {', '.join(UNIT_DAYS)}, got {unit!r}")
    return UNIT_DAYS[unit]


def _check_transactions(transactions: pd.DataFrame) -> None:
    missing = [c for c in ("customer_id", "order_date", "amount") if c not in transactions]
    if missing:
        raise ValueError(f"transactions need the column(s) {', '.join(missing)}; "
                         f"got {', '.join(map(str, transactions.columns))}")


# ---------------------------------------------------------------------------------- split
def calibration_holdout_split(transactions: pd.DataFrame, calibration_end: Any,
                              holdout_end: Any = None, *, unit: str = "W") -> pd.DataFrame:
    """Per-customer calibration statistics and holdout counts for model validation.

    Parameters
    ----------
    transactions : DataFrame
        Canonical transactions (``customer_id``, ``order_date``, ``amount``), returns already
        set aside.
    calibration_end : date-like
        Last day of the calibration period (inclusive).
    holdout_end : date-like, optional
        Last day of the holdout period (inclusive); defaults to the last transaction date.
    unit : str
        Time unit of ``t_x``, ``T`` and ``holdout_length``.

    Returns
    -------
    DataFrame
        One row per customer who bought on or before ``calibration_end`` (customers acquired
        later are not in it), with the columns of :func:`~workbench.summary.customer_summary`
        including ``x_holdout`` (repeat transactions, i.e. purchase days, in the holdout),
        ``holdout_revenue`` and ``holdout_length`` (in ``unit``).
    """
    _check_transactions(transactions)
    _unit_days(unit)
    cal = pd.Timestamp(calibration_end).normalize()
    end = (pd.Timestamp(holdout_end).normalize() if holdout_end is not None
           else pd.Timestamp(transactions["order_date"].max()).normalize())
    if end <= cal:
        raise ValueError(f"holdout_end {end.date()} must be after calibration_end {cal.date()}")
    first = pd.Timestamp(transactions["order_date"].min()).normalize()
    if cal < first:
        raise ValueError(f"calibration_end {cal.date()} is before the first transaction "
                         f"({first.date()})")
    return customer_summary(transactions, cal, unit, holdout_end=end)


# ---------------------------------------------------------------------------------- validation
def holdout_metrics(model: TransactionModel, split: pd.DataFrame) -> dict[str, float]:
    """Predicted vs actual repeat transactions in the holdout period.

    Returns the totals (``predicted_total``, ``actual_total``, their relative difference
    ``error_share``), per-customer ``mae`` and ``rmse`` (transactions per customer), the
    Pearson ``correlation`` of predicted and actual counts, ``customers`` and the period's
    ``holdout_length`` (in the split's time unit).
    """
    predicted = _holdout_predictions(model, split)
    actual = split["x_holdout"].to_numpy(dtype=float)
    err = predicted - actual
    corr = (float(np.corrcoef(predicted, actual)[0, 1])
            if len(actual) > 1 and predicted.std() > 0 and actual.std() > 0 else float("nan"))
    total_actual = float(actual.sum())
    return {
        "customers": len(split),
        "holdout_length": float(split["holdout_length"].iloc[0]) if len(split) else 0.0,
        "predicted_total": float(predicted.sum()),
        "actual_total": total_actual,
        "error_share": float(predicted.sum() / total_actual - 1.0) if total_actual else float("nan"),
        "mae": float(np.abs(err).mean()) if len(err) else float("nan"),
        "rmse": float(np.sqrt((err ** 2).mean())) if len(err) else float("nan"),
        "correlation": corr,
    }


def _holdout_predictions(model: TransactionModel, split: pd.DataFrame) -> np.ndarray:
    return np.asarray(model.predict_purchases(
        split["holdout_length"].to_numpy(dtype=float), split["x"].to_numpy(dtype=float),
        split["t_x"].to_numpy(dtype=float), split["T"].to_numpy(dtype=float)), dtype=float)


def holdout_by_frequency(model: TransactionModel, split: pd.DataFrame,
                         max_frequency: int = 7) -> pd.DataFrame:
    """Mean actual and predicted holdout transactions per calibration frequency.

    Frequencies above ``max_frequency`` are pooled into the last row (label ``"7+"``).
    Columns: ``frequency`` (label), ``customers``, ``actual``, ``predicted``.
    """
    x = split["x"].to_numpy(dtype=np.int64)
    group = np.minimum(x, max_frequency)
    frame = pd.DataFrame({"group": group, "actual": split["x_holdout"].to_numpy(dtype=float),
                          "predicted": _holdout_predictions(model, split)})
    out = frame.groupby("group").agg(customers=("actual", "size"), actual=("actual", "mean"),
                                     predicted=("predicted", "mean")).reset_index()
    out.insert(0, "frequency", [f"{g}+" if g == max_frequency and (x > max_frequency).any()
                                else str(g) for g in out["group"]])
    return out.drop(columns="group")


def frequency_fit_table(model: TransactionModel, x: Any, T: Any,
                        max_frequency: int = 7) -> pd.DataFrame:
    """Actual vs model-expected number of customers by repeat transactions in calibration.

    The expected count for k repeat transactions is sum_i P(X(T_i) = k): each customer's own
    observation length is used. The last row pools ``max_frequency`` and more.
    Columns: ``frequency`` (label), ``actual``, ``expected``.
    """
    x = np.asarray(x, dtype=np.int64)
    T_values, T_counts = np.unique(np.asarray(T, dtype=float), return_counts=True)
    k = np.arange(max_frequency)
    probs = np.asarray(model.prob_n_purchases(k[:, None], T_values[None, :]), dtype=float)
    expected = np.add.reduce(probs * T_counts[None, :], axis=1)
    expected = np.append(expected, len(x) - expected.sum())
    actual = np.bincount(np.minimum(x, max_frequency), minlength=max_frequency + 1)
    labels = [str(i) for i in k] + [f"{max_frequency}+"]
    return pd.DataFrame({"frequency": labels, "actual": actual.astype(float),
                         "expected": expected})


def tracking_data(transactions: pd.DataFrame, model: TransactionModel, calibration_end: Any,
                  holdout_end: Any = None, *, unit: str = "W") -> pd.DataFrame:
    """Repeat transactions per period, actual vs predicted, through calibration and holdout.

    The tracked customers are those whose first purchase is on or before ``calibration_end``.
    A repeat transaction is a purchase day after the customer's first. The prediction for a
    customer who first bought on day s is E[X(t - s)] at each period end t (the model's
    unconditional expectation), summed over customers.

    Returns
    -------
    DataFrame
        One row per complete period of one ``unit`` from the first purchase date (a last,
        partial period is left out): ``period`` (0, 1, ...), ``period_start`` (date),
        ``actual``, ``predicted``, ``actual_cum``,
        ``predicted_cum``. ``attrs["calibration_period"]`` is the first holdout period (where
        a plot draws the divider), ``attrs["unit"]`` the time unit.
    """
    _check_transactions(transactions)
    unit_days = _unit_days(unit)
    cal = pd.Timestamp(calibration_end).normalize()
    end = (pd.Timestamp(holdout_end).normalize() if holdout_end is not None
           else pd.Timestamp(transactions["order_date"].max()).normalize())
    days = (transactions["order_date"].to_numpy(dtype="datetime64[ns]")
            .astype("datetime64[D]").astype(np.int64))
    cal_n = (cal - pd.Timestamp("1970-01-01")).days
    end_n = (end - pd.Timestamp("1970-01-01")).days
    # Distinct (customer, day) pairs on integer codes: only counts of days come out, so the
    # customers' order does not matter (and codes cost far less than string ids).
    codes = pd.factorize(transactions["customer_id"], use_na_sentinel=False)[0]
    keep = days <= end_n
    pairs = np.sort(codes[keep].astype(np.int64) << 32 | (days[keep] - days.min()))
    pairs = pairs[np.concatenate([[True], pairs[1:] != pairs[:-1]])] if len(pairs) else pairs
    customer, day = pairs >> 32, (pairs & 0xFFFFFFFF) + days.min()
    starts = np.flatnonzero(np.concatenate([[True], customer[1:] != customer[:-1]]))
    first_of = np.repeat(day[starts], np.diff(np.append(starts, len(day))))  # sorted: first = min
    tracked = first_of <= cal_n
    repeat_days = day[tracked & (day > first_of)]
    first_days = day[starts][day[starts] <= cal_n]
    start = int(first_days.min())
    # Complete periods only: a last, partial period would look like a collapse in sales.
    n_periods = max(int(np.floor((end_n - start + 1) / unit_days)), 1)
    end_n = min(end_n, int(start + np.floor(n_periods * unit_days)) - 1)
    repeat_days = repeat_days[repeat_days <= end_n]
    period = np.floor((repeat_days - start) / unit_days).astype(np.int64)
    actual = np.bincount(period, minlength=n_periods)[:n_periods].astype(float)
    # Predicted cumulative repeat transactions at the end of each period (day boundaries).
    cohort_day, cohort_n = np.unique(first_days, return_counts=True)
    period_end = np.minimum(start + np.floor((np.arange(n_periods) + 1) * unit_days) - 1, end_n)
    elapsed = (period_end[None, :] - cohort_day[:, None]) / unit_days
    exp_cum = np.zeros(elapsed.shape)
    alive = elapsed > 0
    exp_cum[alive] = model.expected_purchases(elapsed[alive])
    predicted_cum = np.add.reduce(exp_cum * cohort_n[:, None], axis=0)
    predicted = np.diff(np.concatenate([[0.0], predicted_cum]))
    epoch = pd.Timestamp("1970-01-01")
    out = pd.DataFrame({
        "period": np.arange(n_periods),
        "period_start": epoch + pd.to_timedelta(start + np.floor(np.arange(n_periods) * unit_days),
                                                unit="D"),
        "actual": actual, "predicted": predicted,
        "actual_cum": np.cumsum(actual), "predicted_cum": predicted_cum,
    })
    out.attrs.update(calibration_period=int(np.floor((cal_n + 1 - start) / unit_days)), unit=unit)
    return out


# ---------------------------------------------------------------------------------- value
def customer_lifetime_value(model: TransactionModel, x: Any, t_x: Any, T: Any,
                            expected_spend: Any, *, horizon: float, unit: str,
                            discount_rate: float = 0.10, margin: float = 1.0) -> np.ndarray:
    """Discounted expected margin of each customer over the next ``horizon`` time units.

    CLV_i = margin * spend_i * sum_k [E(Y_i(k)) - E(Y_i(k-1))] / (1 + d)^(k * days / 365.25)

    with E(Y_i(k)) the model's conditional expected purchases in the next k time units, steps
    of one time unit (the last one partial when ``horizon`` is not whole) and each step's
    purchases discounted from its end at the annual rate d.

    Parameters
    ----------
    model
        Fitted :class:`~workbench.clv.BetaGeo` or :class:`~workbench.clv.ParetoNBD` whose
        time unit is ``unit``.
    x, t_x, T : array-like
        Calibration statistics of the customers, in ``unit``.
    expected_spend : array-like or float
        Expected value of each future transaction (e.g.
        :meth:`~workbench.clv.GammaGamma.expected_spend`), in currency units.
    horizon : float
        Length of the horizon in ``unit`` (52 with weeks is one year).
    unit : str
        "D", "W", "M" or "Y": the time unit of ``t_x``, ``T`` and ``horizon``.
    discount_rate : float
        Annual discount rate (0.10 for 10% a year), converted to the time unit.
    margin : float
        Share of revenue kept as profit (1.0 gives discounted revenue).

    Returns
    -------
    ndarray
        CLV per customer, in the currency of ``expected_spend``.
    """
    unit_days = _unit_days(unit)
    if not horizon > 0:
        raise ValueError(f"horizon must be positive, got {horizon!r}")
    if not discount_rate > -1:
        raise ValueError(f"discount_rate must be above -1 (annual), got {discount_rate!r}")
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    spend = np.broadcast_to(np.asarray(expected_spend, dtype=float), x.shape)
    steps = np.arange(1, int(np.ceil(horizon)) + 1, dtype=float)
    steps[-1] = horizon
    # Distinct (x, t_x, T) once: customers who share a history share their expectation.
    keys = pd.MultiIndex.from_arrays([x, t_x, T])
    codes, uniques = pd.factorize(keys)
    ux, ut, uT = (np.asarray(uniques.get_level_values(i), dtype=float) for i in range(3))
    split = getattr(model, "purchases_if_alive", None)
    if split is not None:  # BG/NBD: the 2F1 part once per distinct (x, T), times P(alive)
        pair_codes, pairs = pd.factorize(pd.MultiIndex.from_arrays([ux, uT]))
        px, pT = (np.asarray(pairs.get_level_values(i), dtype=float) for i in range(2))
        if_alive = np.asarray(split(steps[:, None], px[None, :], pT[None, :]), dtype=float)
        alive = np.asarray(model.prob_alive(ux, ut, uT), dtype=float)
        cum = if_alive[:, pair_codes] * alive[None, :]
    else:
        cum = np.asarray(model.predict_purchases(steps[:, None], ux[None, :], ut[None, :],
                                                 uT[None, :]), dtype=float)
    increments = np.diff(np.vstack([np.zeros((1, len(ux))), cum]), axis=0)
    discount = (1.0 + discount_rate) ** (-steps * unit_days / DAYS_PER_YEAR)
    discounted = np.add.reduce(increments * discount[:, None], axis=0)
    return margin * spend * discounted[codes]


def assign_clv_tiers(clv: Any, tiers: dict[str, float] | None = None) -> np.ndarray:
    """Tier code per customer by CLV rank: by default A = top 10%, B = next 20%, C = next 30%,
    D = bottom 40%. Ties are broken by position, so tier sizes are exact."""
    tiers = tiers or CLV_TIERS
    clv = np.asarray(clv, dtype=float)
    n = len(clv)
    order = np.argsort(-clv, kind="stable")
    bounds = np.round(np.cumsum(list(tiers.values())) / sum(tiers.values()) * n).astype(int)
    codes = np.empty(n, dtype=object)
    start = 0
    for code, stop in zip(tiers, bounds):
        codes[order[start:stop]] = code
        start = stop
    return codes


def clv_tier_summary(clv: Any, tiers: Any, prob_alive: Any = None) -> pd.DataFrame:
    """Customers, total and mean CLV, and share of customers and of value per tier."""
    frame = pd.DataFrame({"tier": np.asarray(tiers, dtype=object),
                          "clv": np.asarray(clv, dtype=float)})
    if prob_alive is not None:
        frame["prob_alive"] = np.asarray(prob_alive, dtype=float)
    agg = {"customers": ("clv", "size"), "clv_total": ("clv", "sum"), "clv_mean": ("clv", "mean")}
    if prob_alive is not None:
        agg["prob_alive_mean"] = ("prob_alive", "mean")
    out = frame.groupby("tier", sort=True).agg(**agg).reset_index()
    total = out["clv_total"].sum()
    out.insert(2, "customer_share", out["customers"] / out["customers"].sum())
    out["value_share"] = out["clv_total"] / total if total else 0.0
    return out


def prob_alive_matrix(model: TransactionModel, T: float, max_frequency: int = 20,
                      n_recency: int = 40) -> pd.DataFrame:
    """P(alive) over a grid of frequency (columns, 0..max) and recency t_x (rows, 0..T), for
    customers whose age is T (in the model's time unit). Entries with x = 0 and t_x > 0 are
    impossible and left missing."""
    recency = np.linspace(0.0, float(T), n_recency)
    freq = np.arange(max_frequency + 1, dtype=float)
    grid = np.asarray(model.prob_alive(freq[None, :], recency[:, None], float(T)), dtype=float)
    grid = np.where((freq[None, :] == 0) & (recency[:, None] > 0), np.nan, grid)
    return pd.DataFrame(grid, index=pd.Index(recency, name="recency"),
                        columns=pd.Index(freq.astype(int), name="frequency"))


def falling_prob_alive(model: TransactionModel, current: pd.DataFrame, earlier: pd.DataFrame,
                       *, top_share: float = 0.2, min_drop: float = 0.10) -> pd.DataFrame:
    """High-value customers whose P(alive) fell by at least ``min_drop`` since an earlier date.

    ``current`` and ``earlier`` are customer summaries (same time unit) at the analysis date and
    at the earlier date. High value = top ``top_share`` of customers by revenue to date. Returns
    ``customer_id``, ``monetary``, ``x``, ``last_purchase``, ``prob_alive_before``,
    ``prob_alive`` and ``drop``, largest revenue first.
    """
    now = current[["customer_id", "monetary", "x", "t_x", "T", "last_purchase"]].copy()
    now["prob_alive"] = model.prob_alive(now["x"], now["t_x"], now["T"])
    before = earlier[["customer_id", "x", "t_x", "T"]]
    before = before.assign(prob_alive_before=model.prob_alive(before["x"], before["t_x"],
                                                              before["T"]))
    both = now.merge(before[["customer_id", "prob_alive_before"]], on="customer_id")
    both["drop"] = both["prob_alive_before"] - both["prob_alive"]
    if len(now):
        threshold = now["monetary"].quantile(1.0 - top_share)
        both = both[(both["monetary"] >= threshold) & (both["drop"] >= min_drop)]
    cols = ["customer_id", "monetary", "x", "last_purchase", "prob_alive_before", "prob_alive",
            "drop"]
    return both.sort_values(["monetary", "customer_id"], ascending=[False, True])[cols] \
        .reset_index(drop=True)
