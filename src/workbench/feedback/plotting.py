"""Charts of the feedback report; each returns a Figure and labels itself in ``lang``."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from workbench.charts import axes_for
from workbench.i18n import t
from workbench.style import PALETTE

__all__ = [
    "plot_behaviour",
    "plot_categories",
    "plot_category_trend",
    "plot_drivers",
    "plot_score_trend",
    "plot_scores_by",
    "plot_sentiment",
    "plot_topics",
]

SENTIMENT_COLORS = {"positive": "#009E73", "neutral": "#999999", "negative": "#D55E00"}


def _titled(title: str, period: str | None) -> str:
    """A chart title with the period it covers on a second line (see
    :func:`workbench.feedback.period_label`)."""
    return f"{title}\n{period}" if period else title


def _suptitle(fig: Figure, period: str | None) -> None:
    """The period of a two-panel chart, above both panels."""
    if period:
        fig.suptitle(period, fontsize="medium")
        fig.tight_layout()


def _whiskers(value: pd.Series, low: pd.Series, high: pd.Series) -> np.ndarray:
    """Error-bar lengths ``[below, above]`` for matplotlib: never negative, 0 where the
    interval is unknown (NaN: no answer, a mean of one answer)."""
    v = pd.to_numeric(pd.Series(value), errors="coerce").to_numpy(dtype=float)
    lo = pd.to_numeric(pd.Series(low), errors="coerce").to_numpy(dtype=float)
    hi = pd.to_numeric(pd.Series(high), errors="coerce").to_numpy(dtype=float)
    below, above = v - lo, hi - v
    below[~np.isfinite(below)] = 0.0
    above[~np.isfinite(above)] = 0.0
    return np.vstack([np.clip(below, 0.0, None), np.clip(above, 0.0, None)])


def plot_score_trend(monthly: pd.DataFrame, *, metric: str = "nps", lang: str = "en",
                     period: str | None = None, ax: Axes | None = None) -> Figure:
    """Monthly score with its 95% interval as a band; answers per month as light bars."""
    fig, ax = axes_for(ax, (9, 4))
    x = monthly["month"].dt.to_timestamp()
    columns = {"nps": ("nps", "nps_low", "nps_high"),
               "csat_top2": ("csat_top2_share", "csat_top2_low_share", "csat_top2_high_share"),
               "csat_mean": ("csat_mean", None, None), "ces_mean": ("ces_mean", "ces_low", "ces_high")}
    value, low, high = columns[metric]
    twin = ax.twinx()
    twin.bar(x, monthly["responses"], width=20, color="#DDDDDD", label=t("fb.axis.answers", lang))
    twin.set_ylabel(t("fb.axis.answers", lang))
    twin.grid(False)
    ax.set_zorder(twin.get_zorder() + 1)
    ax.patch.set_visible(False)
    if low and low in monthly:
        ax.fill_between(x, monthly[low], monthly[high], color=PALETTE[0], alpha=0.2, linewidth=0,
                        label=t("fb.axis.interval", lang))
    ax.plot(x, monthly[value], color=PALETTE[0], marker="o", ms=3, label=t(f"fb.metric.{metric}", lang))
    if metric == "csat_top2":
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set(title=_titled(t("fb.chart.trend", lang, metric=t(f"fb.metric.{metric}", lang)), period),
           ylabel=t(f"fb.metric.{metric}", lang))
    ax.legend(loc="upper left")
    return fig


def plot_scores_by(table: pd.DataFrame, by: str, *, title: str, lang: str = "en",
                   period: str | None = None, ax: Axes | None = None) -> Figure:
    """NPS per group as points with 95% intervals (groups with few answers in grey)."""
    fig, ax = axes_for(ax, (8, 0.38 * len(table) + 1.4))
    data = table.iloc[::-1]
    y = np.arange(len(data))
    colors = [PALETTE[7] if small else PALETTE[0] for small in data.get("small", [False] * len(data))]
    ax.errorbar(data["nps"], y, xerr=_whiskers(data["nps"], data["nps_low"], data["nps_high"]),
                fmt="none", ecolor="#888888", capsize=3)
    ax.scatter(data["nps"], y, color=colors, zorder=3)
    ax.set_yticks(y, [str(v) for v in data[by]])
    ax.axvline(0, color="#999999", lw=0.8)
    ax.set(title=_titled(title, period), xlabel=t("fb.axis.nps_interval", lang))
    return fig


def plot_sentiment(frame: pd.DataFrame, *, lang: str = "en", period: str | None = None) -> Figure:
    """Left: distribution of the probability positive. Right: sentiment shares per NPS group."""
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    scores = frame["sentiment_score"].dropna()
    left.hist(scores, bins=np.linspace(0, 1, 21), color=PALETTE[0])
    left.set(title=t("fb.chart.sentiment_hist", lang), xlabel=t("fb.axis.probability_positive", lang),
             ylabel=t("fb.axis.comments", lang))
    groups = frame[frame["sentiment"].notna()]
    by = "nps_group" if "nps_group" in groups and groups["nps_group"].notna().any() else "language"
    order = [g for g in ("promoter", "passive", "detractor") if g in set(groups[by])] if by == "nps_group" \
        else sorted(groups[by].dropna().unique())
    shares = pd.crosstab(groups[by], groups["sentiment"], normalize="index").reindex(order).fillna(0)
    bottom = np.zeros(len(shares))
    labels = [t(f"fb.nps_group.{g}", lang) if by == "nps_group" else g for g in shares.index]
    for sentiment in ("positive", "neutral", "negative"):
        values = shares[sentiment].to_numpy() if sentiment in shares else np.zeros(len(shares))
        right.bar(labels, values, bottom=bottom, color=SENTIMENT_COLORS[sentiment],
                  label=t(f"fb.sentiment.{sentiment}", lang))
        bottom += values
    right.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    right.set(title=t("fb.chart.sentiment_by", lang), ylabel=t("word.share", lang))
    right.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _suptitle(fig, period)
    return fig


def plot_categories(counts: pd.DataFrame, *, lang: str = "en", period: str | None = None,
                    ax: Axes | None = None) -> Figure:
    """Complaints (negative comments) and all mentions per category, horizontal bars."""
    fig, ax = axes_for(ax, (8, 0.45 * len(counts) + 1.5))
    data = counts.iloc[::-1]
    y = np.arange(len(data))
    ax.barh(y + 0.2, data["mentions"], height=0.4, color="#BBBBBB", label=t("fb.axis.mentions", lang))
    ax.barh(y - 0.2, data["complaints"], height=0.4, color=SENTIMENT_COLORS["negative"],
            label=t("fb.axis.complaints", lang))
    ax.set_yticks(y, data["category_name"].tolist())
    ax.set(title=_titled(t("fb.chart.categories", lang), period), xlabel=t("fb.axis.comments", lang))
    ax.legend(loc="lower right")
    return fig


def plot_category_trend(trend: pd.DataFrame, names: dict[str, str], *, lang: str = "en",
                        period: str | None = None, ax: Axes | None = None) -> Figure:
    """Share of negative comments naming each category, per period."""
    fig, ax = axes_for(ax, (9, 4))
    for i, (key, group) in enumerate(trend.groupby("category", sort=False)):
        ax.plot(group["period"].astype(str), group["complaint_share"], marker="o", ms=3,
                color=PALETTE[i % len(PALETTE)], label=names.get(key, key))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set(title=_titled(t("fb.chart.category_trend", lang), period),
           ylabel=t("fb.axis.share_of_negative", lang))
    ax.tick_params(axis="x", labelrotation=45)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def plot_topics(summary: pd.DataFrame, *, lang: str = "en", period: str | None = None,
                ax: Axes | None = None) -> Figure:
    """Comments per NMF topic, labelled with the topic's top words."""
    fig, ax = axes_for(ax, (8, 0.45 * len(summary) + 1.5))
    data = summary.iloc[::-1]
    ax.barh(np.arange(len(data)), data["comments"], color=PALETTE[0])
    ax.set_yticks(np.arange(len(data)), data["label"].tolist())
    ax.set(title=_titled(t("fb.chart.topics", lang), period), xlabel=t("fb.axis.comments", lang))
    return fig


def plot_drivers(drivers: pd.DataFrame, *, metric: str = "nps", lang: str = "en",
                 period: str | None = None, ax: Axes | None = None) -> Figure:
    """Difference in score with vs without each theme, with its 95% interval."""
    fig, ax = axes_for(ax, (8, 0.45 * len(drivers) + 1.8))
    data = drivers.iloc[::-1]
    y = np.arange(len(data))
    colors = [SENTIMENT_COLORS["negative"] if d < 0 else SENTIMENT_COLORS["positive"] for d in data["difference"]]
    ax.barh(y, data["difference"], color=colors, alpha=0.85)
    ax.errorbar(data["difference"], y, xerr=_whiskers(data["difference"], data["low"], data["high"]),
                fmt="none", ecolor="#333333", capsize=3)
    ax.set_yticks(y, data["theme"].astype(str).tolist())
    ax.axvline(0, color="#999999", lw=0.8)
    ax.set(title=_titled(t("fb.chart.drivers", lang, metric=t(f"fb.metric.{metric}", lang)), period),
           xlabel=t("fb.axis.difference", lang))
    return fig


def plot_behaviour(table: pd.DataFrame, by: str, *, lang: str = "en", period: str | None = None) -> Figure:
    """Churn within the horizon (left) and spend after feedback (right) per group, with
    95% intervals."""
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
    x = np.arange(len(table))
    labels = table[by].astype(str).tolist()
    left.bar(x, table["churn_rate"], color=PALETTE[3])
    left.errorbar(x, table["churn_rate"],
                  yerr=_whiskers(table["churn_rate"], table["churn_low_rate"], table["churn_high_rate"]),
                  fmt="none", ecolor="#333333", capsize=3)
    left.set_xticks(x, labels)
    left.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    left.set(title=t("fb.chart.churn", lang), ylabel=t("fb.axis.churn_rate", lang))
    right.bar(x, table["spend_after"], color=PALETTE[0])
    right.errorbar(x, table["spend_after"],
                   yerr=_whiskers(table["spend_after"], table["spend_low"], table["spend_high"]),
                   fmt="none", ecolor="#333333", capsize=3)
    right.set_xticks(x, labels)
    right.set(title=t("fb.chart.spend", lang), ylabel=t("fb.axis.spend_after", lang))
    _suptitle(fig, period)
    return fig
