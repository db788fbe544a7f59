"""Survey scores with honest uncertainty: NPS, CSAT and CES, by group, by month, over time.

Definitions
-----------
NPS (Reichheld 2003, "The one number you need to grow", HBR): on the 0-10 likelihood to
recommend, promoters answer 9-10, passives 7-8, detractors 0-6; NPS = 100 (p_P - p_D).
Its variance is that of a difference of two proportions of the same multinomial sample:
``Var(p_P - p_D) = (p_P + p_D - (p_P - p_D)^2) / n``, so ``se = 100 sqrt(Var)`` (the standard
error the period tests use). The interval is the adjusted Wald interval of Rocks (2016,
"Interval estimation for the 'Net Promoter Score'", The American Statistician 70(4)): the
same formula after adding 3/4 promoter, 3/4 detractor and 3 answers in all, so it keeps a
width for one answer or answers that are all promoters (where the plain interval collapses
to a point). It is clipped to [-100, 100] and widened, if need be, to contain the observed NPS.

Every interval here satisfies ``low <= estimate <= high`` (or is NaN: no answer, or a mean of
one answer), so error bars drawn from it never have a negative length.

CSAT on 1-5: the top-two-box share (answers 4 and 5) with a Wilson score interval (Wilson
1927, JASA 22(158)), and the mean with a t interval. CES on 1-7: the mean with a t interval
(which end means "easy" depends on the survey's wording; the report shows the mean as asked).

A change between two periods is tested with a z test on the difference (NPS, CSAT
top-two-box; independent samples, unpooled variances) or Welch's t test (means), so a report
says when a movement is within noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from workbench.summary import day_after

__all__ = [
    "NPS_GROUPS",
    "ces_estimate",
    "compare",
    "csat_estimate",
    "mean_estimate",
    "nps_estimate",
    "nps_group",
    "period_bounds",
    "period_change",
    "period_scores",
    "proportion_estimate",
    "score_summary",
    "scores_by",
    "scores_by_month",
]

NPS_GROUPS = ("promoter", "passive", "detractor")


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _values(scores: Any) -> np.ndarray:
    values = pd.to_numeric(pd.Series(scores, dtype="float64"), errors="coerce").to_numpy(dtype=float)
    return values[~np.isnan(values)]


def nps_group(scores: pd.Series) -> pd.Series:
    """``promoter`` (9-10), ``passive`` (7-8), ``detractor`` (0-6) or None when unanswered."""
    values = pd.to_numeric(scores, errors="coerce")
    out = pd.Series(None, index=scores.index, dtype=object)
    out[values >= 9] = "promoter"
    out[(values >= 7) & (values < 9)] = "passive"
    out[values < 7] = "detractor"
    return out


def nps_estimate(scores: Any, confidence: float = 0.95) -> dict[str, float]:
    """NPS (points, -100..100) with its standard error and interval.

    Returns ``n``, ``promoters``, ``passives``, ``detractors`` (counts),
    ``promoter_share``, ``detractor_share``, ``nps``, ``se``, ``low``, ``high``;
    NaN values when there is no answer.
    """
    v = _values(scores)
    n = len(v)
    promoters, detractors = int((v >= 9).sum()), int((v < 7).sum())
    out: dict[str, float] = {"n": n, "promoters": promoters, "passives": n - promoters - detractors,
                             "detractors": detractors}
    if n == 0:
        return out | dict.fromkeys(("promoter_share", "detractor_share", "nps", "se", "low", "high"),
                                   float("nan"))
    p_p, p_d = promoters / n, detractors / n
    diff = p_p - p_d
    se = 100 * np.sqrt(max(p_p + p_d - diff**2, 0.0) / n)
    # Adjusted Wald (Rocks 2016): 3/4 promoter and 3/4 detractor added, n + 3 answers.
    n_adj = n + 3
    a_p, a_d = (promoters + 0.75) / n_adj, (detractors + 0.75) / n_adj
    centre = 100 * (a_p - a_d)
    half = _z(confidence) * 100 * np.sqrt(max(a_p + a_d - (a_p - a_d) ** 2, 0.0) / n_adj)
    nps = 100 * diff
    low = min(max(centre - half, -100.0), nps)
    high = max(min(centre + half, 100.0), nps)
    return out | {"promoter_share": p_p, "detractor_share": p_d, "nps": nps, "se": float(se),
                  "low": float(low), "high": float(high)}


def proportion_estimate(successes: int, n: int, confidence: float = 0.95) -> dict[str, float]:
    """Share with its Wilson score interval (``share``, ``se``, ``low``, ``high``, ``n``)."""
    if n == 0:
        return {"n": 0, "share": float("nan"), "se": float("nan"), "low": float("nan"),
                "high": float("nan")}
    p = successes / n
    z = _z(confidence)
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    # At p = 0 (p = 1) the Wilson bound is exactly 0 (1); rounding can put it a hair on the
    # wrong side of p, which would give an error bar of negative length.
    low = 0.0 if successes <= 0 else min(max(centre - half, 0.0), p)
    high = 1.0 if successes >= n else max(min(centre + half, 1.0), p)
    return {"n": n, "share": p, "se": float(np.sqrt(p * (1 - p) / n)), "low": float(low),
            "high": float(high)}


def mean_estimate(values: Any, confidence: float = 0.95) -> dict[str, float]:
    """Mean with its t interval (``mean``, ``sd``, ``se``, ``low``, ``high``, ``n``)."""
    v = _values(values)
    n = len(v)
    if n == 0:
        return {"n": 0, "mean": float("nan"), "sd": float("nan"), "se": float("nan"),
                "low": float("nan"), "high": float("nan")}
    mean = float(v.mean())
    if n == 1:
        return {"n": 1, "mean": mean, "sd": float("nan"), "se": float("nan"), "low": float("nan"),
                "high": float("nan")}
    sd = float(v.std(ddof=1))
    se = sd / np.sqrt(n)
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * se
    return {"n": n, "mean": mean, "sd": sd, "se": se, "low": mean - half, "high": mean + half}


def csat_estimate(scores: Any, confidence: float = 0.95) -> dict[str, float]:
    """CSAT on 1-5: top-two-box share (4-5, Wilson interval) and mean (t interval).

    Keys: ``n``, ``top2_share``, ``top2_low``, ``top2_high``, ``top2_se``, ``mean``,
    ``mean_low``, ``mean_high``, ``mean_se``.
    """
    v = _values(scores)
    top = proportion_estimate(int((v >= 4).sum()), len(v), confidence)
    mean = mean_estimate(v, confidence)
    return {"n": len(v), "top2_share": top["share"], "top2_low": top["low"], "top2_high": top["high"],
            "top2_se": top["se"], "mean": mean["mean"], "mean_low": mean["low"],
            "mean_high": mean["high"], "mean_se": mean["se"]}


def ces_estimate(scores: Any, confidence: float = 0.95) -> dict[str, float]:
    """CES on 1-7: mean with its t interval (``n``, ``mean``, ``low``, ``high``, ``se``)."""
    m = mean_estimate(scores, confidence)
    return {"n": m["n"], "mean": m["mean"], "low": m["low"], "high": m["high"], "se": m["se"]}


def score_summary(feedback: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """One row per available metric: ``metric`` (nps, csat_top2, csat_mean, ces_mean), ``n``,
    ``value``, ``low``, ``high``, ``se``. Metrics whose column is absent or empty are left out."""
    rows = []
    if "nps" in feedback and feedback["nps"].notna().any():
        e = nps_estimate(feedback["nps"], confidence)
        rows.append({"metric": "nps", "n": e["n"], "value": e["nps"], "low": e["low"],
                     "high": e["high"], "se": e["se"]})
    if "csat" in feedback and feedback["csat"].notna().any():
        e = csat_estimate(feedback["csat"], confidence)
        rows.append({"metric": "csat_top2", "n": e["n"], "value": e["top2_share"],
                     "low": e["top2_low"], "high": e["top2_high"], "se": e["top2_se"]})
        rows.append({"metric": "csat_mean", "n": e["n"], "value": e["mean"], "low": e["mean_low"],
                     "high": e["mean_high"], "se": e["mean_se"]})
    if "ces" in feedback and feedback["ces"].notna().any():
        e = ces_estimate(feedback["ces"], confidence)
        rows.append({"metric": "ces_mean", "n": e["n"], "value": e["mean"], "low": e["low"],
                     "high": e["high"], "se": e["se"]})
    return pd.DataFrame(rows, columns=["metric", "n", "value", "low", "high", "se"])


def _group_row(frame: pd.DataFrame, confidence: float) -> dict[str, Any]:
    row: dict[str, Any] = {"responses": len(frame)}
    if "nps" in frame:
        e = nps_estimate(frame["nps"], confidence)
        row |= {"nps_n": e["n"], "nps": e["nps"], "nps_low": e["low"], "nps_high": e["high"]}
    if "csat" in frame:
        e = csat_estimate(frame["csat"], confidence)
        row |= {"csat_n": e["n"], "csat_top2_share": e["top2_share"],
                "csat_top2_low_share": e["top2_low"], "csat_top2_high_share": e["top2_high"],
                "csat_mean": e["mean"]}
    if "ces" in frame:
        e = ces_estimate(frame["ces"], confidence)
        row |= {"ces_n": e["n"], "ces_mean": e["mean"], "ces_low": e["low"], "ces_high": e["high"]}
    return row


def scores_by(feedback: pd.DataFrame, by: str, *, confidence: float = 0.95, min_n: int = 30,
              order: Sequence[Any] | None = None) -> pd.DataFrame:
    """Scores per value of column ``by``, one row per group, with intervals.

    Columns: ``by``, ``responses``, ``nps_n``, ``nps``, ``nps_low``, ``nps_high``,
    ``csat_top2_share`` (+ ``_low_share``/``_high_share``), ``csat_mean``, ``ces_mean`` (+
    interval) as the columns exist, and ``small`` (True below ``min_n`` NPS answers: read
    with care). Sorted by ``order`` when given, else by responses.
    """
    if by not in feedback:
        raise ValueError(f"feedback has no column {by!r}; columns: {', '.join(feedback.columns)}")
    rows = [{by: key} | _group_row(group, confidence)
            for key, group in feedback.groupby(by, sort=False, dropna=True)]
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    n_col = "nps_n" if "nps_n" in out else "responses"
    out["small"] = out[n_col] < min_n
    if order is not None:
        rank = {k: i for i, k in enumerate(order)}
        out = out.sort_values(by, key=lambda s: s.map(rank).fillna(len(rank)))
    else:
        out = out.sort_values("responses", ascending=False)
    return out.reset_index(drop=True)


def scores_by_month(feedback: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """:func:`scores_by` per calendar month of ``submitted_at`` (column ``month``, Period),
    every month between the first and the last answer present (empty months have 0 answers)."""
    months = feedback["submitted_at"].dt.to_period("M")
    out = scores_by(feedback.assign(month=months), "month", confidence=confidence)
    if out.empty:
        return out
    full = pd.period_range(months.min(), months.max(), freq="M")
    out = out.set_index("month").reindex(full)
    out.index.name = "month"
    out["responses"] = out["responses"].fillna(0).astype(int)
    return out.reset_index()


def compare(current: Any, previous: Any, metric: str = "nps", *,
            confidence: float = 0.95, alpha: float = 0.05) -> dict[str, Any]:
    """Is the change from ``previous`` to ``current`` (two samples of answers) real?

    ``metric`` is ``nps`` (z test on the NPS difference with the variance above),
    ``csat_top2`` (z test on the difference of two proportions; ``share`` the same for 0/1
    values), or ``csat_mean`` /
    ``ces_mean`` / ``mean`` (Welch's t test). Returns ``previous``, ``current``, ``change``,
    ``se``, ``low``, ``high`` (interval of the change), ``statistic``, ``p_value``,
    ``significant`` (p < ``alpha``), ``n_previous``, ``n_current``.
    """
    a, b = _values(current), _values(previous)
    out: dict[str, Any] = {"metric": metric, "n_current": len(a), "n_previous": len(b)}
    nan = float("nan")
    if metric == "nps":
        ea, eb = nps_estimate(a), nps_estimate(b)
        va, vb, sa, sb = ea["nps"], eb["nps"], ea["se"], eb["se"]
    elif metric in ("csat_top2", "share"):
        cut = 4 if metric == "csat_top2" else 0.5
        pa = proportion_estimate(int((a >= cut).sum()), len(a))
        pb = proportion_estimate(int((b >= cut).sum()), len(b))
        va, vb, sa, sb = pa["share"], pb["share"], pa["se"], pb["se"]
    elif metric in ("csat_mean", "ces_mean", "mean"):
        ma, mb = mean_estimate(a), mean_estimate(b)
        va, vb = ma["mean"], mb["mean"]
        if len(a) < 2 or len(b) < 2:
            return out | {"current": va, "previous": vb, "change": va - vb, "se": nan, "low": nan,
                          "high": nan, "statistic": nan, "p_value": nan, "significant": False}
        sa, sb = ma["se"], mb["se"]
        se = float(np.sqrt(sa**2 + sb**2))
        if se == 0:
            # Both samples have no spread: the t test is undefined (no "p = 0" from two
            # answers of 5 against two of 4).
            return out | {"current": va, "previous": vb, "change": va - vb, "se": 0.0,
                          "low": va - vb, "high": va - vb, "statistic": nan,
                          "p_value": nan, "significant": False}
        df = (sa**2 + sb**2) ** 2 / (sa**4 / (len(a) - 1) + sb**4 / (len(b) - 1))
        statistic = (va - vb) / se
        p = float(2 * stats.t.sf(abs(statistic), df))
        half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
        return out | {"current": va, "previous": vb, "change": va - vb, "se": se,
                      "low": va - vb - half, "high": va - vb + half, "statistic": float(statistic),
                      "p_value": p, "significant": bool(p < alpha)}
    else:
        raise ValueError(f"metric must be nps, csat_top2, share, csat_mean, ces_mean or mean, "
                         f"got {metric!r}")
    change = va - vb
    se = float(np.sqrt(sa**2 + sb**2)) if len(a) and len(b) else nan
    if not se or np.isnan(se):
        return out | {"current": va, "previous": vb, "change": change, "se": se, "low": nan,
                      "high": nan, "statistic": nan, "p_value": nan, "significant": False}
    z = change / se
    p = float(2 * stats.norm.sf(abs(z)))
    half = _z(confidence) * se
    return out | {"current": va, "previous": vb, "change": change, "se": se, "low": change - half,
                  "high": change + half, "statistic": float(z), "p_value": p,
                  "significant": bool(p < alpha)}


def period_bounds(as_of: pd.Timestamp, days: int = 90) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    """``(previous_start, start, end)`` of the latest period and the one before.

    The latest period is the ``days`` calendar days ending on ``as_of`` (inclusive): answers
    with ``start <= submitted_at < end``, ``end`` being midnight after ``as_of``. The
    previous period is the ``days`` before it: ``previous_start <= submitted_at < start``.
    """
    end = day_after(as_of)
    start = end - pd.Timedelta(days=days)
    return start - pd.Timedelta(days=days), start, end


def period_change(feedback: pd.DataFrame, as_of: pd.Timestamp, days: int = 90, *,
                  confidence: float = 0.95, alpha: float = 0.05) -> pd.DataFrame:
    """Last ``days`` up to ``as_of`` (inclusive) against the ``days`` before (see
    :func:`period_bounds`): one row per metric present (see :func:`compare`), with
    ``current_start``, ``previous_start`` and the end."""
    prev_start, start, end = period_bounds(as_of, days)
    when = feedback["submitted_at"]
    current = feedback[(when >= start) & (when < end)]
    previous = feedback[(when >= prev_start) & (when < start)]
    rows = []
    for metric, column in (("nps", "nps"), ("csat_top2", "csat"), ("csat_mean", "csat"),
                           ("ces_mean", "ces")):
        if column in feedback and feedback[column].notna().any():
            rows.append(compare(current[column], previous[column], metric, confidence=confidence,
                                alpha=alpha))
    out = pd.DataFrame(rows)
    out["previous_start"], out["current_start"] = prev_start.date(), start.date()
    out["end"] = (end - pd.Timedelta(days=1)).date()
    return out


#: Score column of each metric.
METRIC_COLUMNS = {"nps": "nps", "csat_top2": "csat", "csat_mean": "csat", "ces_mean": "ces"}


def metric_estimate(scores: Any, metric: str, confidence: float = 0.95) -> dict[str, float]:
    """``value``, ``low``, ``high``, ``n`` of one metric (``nps``, ``csat_top2``, ``csat_mean``,
    ``ces_mean``) on a sample of answers; NaN values when there is none."""
    if metric == "nps":
        e = nps_estimate(scores, confidence)
        return {"value": e["nps"], "low": e["low"], "high": e["high"], "n": e["n"]}
    if metric in ("csat_top2", "csat_mean"):
        e = csat_estimate(scores, confidence)
        key = "top2" if metric == "csat_top2" else "mean"
        value = e["top2_share"] if key == "top2" else e["mean"]
        return {"value": value, "low": e[f"{key}_low"], "high": e[f"{key}_high"], "n": e["n"]}
    if metric == "ces_mean":
        e = ces_estimate(scores, confidence)
        return {"value": e["mean"], "low": e["low"], "high": e["high"], "n": e["n"]}
    raise ValueError(f"metric must be nps, csat_top2, csat_mean or ces_mean, got {metric!r}")


def period_scores(feedback: pd.DataFrame, as_of: pd.Timestamp, days: int = 90, *,
                  confidence: float = 0.95, alpha: float = 0.05) -> dict[str, dict[str, Any]]:
    """The headline figures: each metric present over the latest period (the ``days`` days
    ending on ``as_of``, see :func:`period_bounds`), the period before, and the change.

    Per metric: ``value``, ``low``, ``high``, ``n`` (latest period), ``previous`` (the same
    for the period before), ``change`` (``value`` latest minus previous: NPS points, a share
    difference for ``csat_top2``, a difference of means otherwise; with ``low``, ``high``,
    ``p_value``, ``significant`` from :func:`compare`), ``all_time`` (every answer up to
    ``as_of``), and the dates ``start``, ``end`` (inclusive), ``previous_start``.
    """
    prev_start, start, end = period_bounds(as_of, days)
    when = feedback["submitted_at"]
    current = feedback[(when >= start) & (when < end)]
    previous = feedback[(when >= prev_start) & (when < start)]
    upto = feedback[when < end]
    out: dict[str, dict[str, Any]] = {}
    for metric, column in METRIC_COLUMNS.items():
        if column not in feedback or not feedback[column].notna().any():
            continue
        test = compare(current[column], previous[column], metric, confidence=confidence, alpha=alpha)
        out[metric] = metric_estimate(current[column], metric, confidence) | {
            "previous": metric_estimate(previous[column], metric, confidence),
            "change": {"value": test["change"], "low": test["low"], "high": test["high"],
                       "p_value": test["p_value"], "significant": test["significant"]},
            "all_time": metric_estimate(upto[column], metric, confidence),
            "start": start.date(), "end": (end - pd.Timedelta(days=1)).date(),
            "previous_start": prev_start.date(), "days": days}
    return out
