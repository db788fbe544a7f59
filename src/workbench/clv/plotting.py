"""Charts of the CLV report. Each takes the table built in :mod:`workbench.clv.utils` (or the
workflow), draws on ``ax`` (a new figure when None) and returns the Figure; every label comes
from the text catalogue (keys ``clv.*``) in ``lang``."""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from workbench.charts import axes_for
from workbench.i18n import fmt_money, fmt_pct, t
from workbench.style import PALETTE, format_count_axis, format_money_axis

__all__ = [
    "plot_clv_distribution",
    "plot_clv_tiers",
    "plot_conditional_expectations",
    "plot_frequency_fit",
    "plot_prob_alive",
    "plot_tracking",
]

ACTUAL, MODEL = PALETTE[0], PALETTE[1]


def _require(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame]
    if missing:
        raise ValueError(f"{what} needs the column(s) {', '.join(missing)}")


def unit_name(unit: str, lang: str) -> str:
    """The time unit as a word ("weeks", "周")."""
    return t(f"clv.unit.{unit}", lang)


def plot_frequency_fit(table: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None,
                       calibration: bool = False) -> Figure:
    """Customers by number of repeat purchases: actual vs model (grouped bars).

    ``table`` is :func:`~workbench.clv.frequency_fit_table`; ``calibration`` says whether the
    counts are those of a calibration period (axis label) or of all data to date.
    """
    _require(table, ("frequency", "actual", "expected"), "plot_frequency_fit")
    fig, ax = axes_for(ax, (8, 4))
    pos = np.arange(len(table))
    ax.bar(pos - 0.2, table["actual"], width=0.4, color=ACTUAL, label=t("clv.legend.actual", lang))
    ax.bar(pos + 0.2, table["expected"], width=0.4, color=MODEL, label=t("clv.legend.model", lang))
    ax.set_xticks(pos, table["frequency"].astype(str))
    xlabel = "clv.axis.repeat_calibration" if calibration else "clv.axis.repeat_to_date"
    ax.set(xlabel=t(xlabel, lang), ylabel=t("clv.axis.customers", lang),
           title=t("clv.plot.fit_title", lang))
    format_count_axis(ax.yaxis, lang)
    ax.legend()
    return fig


def plot_tracking(tracking: pd.DataFrame, *, cumulative: bool = False, lang: str = "en",
                  ax: Axes | None = None) -> Figure:
    """Repeat transactions per period (or cumulative), actual vs model, with the end of the
    calibration period marked. ``tracking`` is :func:`~workbench.clv.tracking_data`."""
    _require(tracking, ("period_start", "actual", "predicted", "actual_cum", "predicted_cum"),
             "plot_tracking")
    fig, ax = axes_for(ax, (9, 4))
    suffix = "_cum" if cumulative else ""
    dates = pd.to_datetime(tracking["period_start"])
    ax.plot(dates, tracking["actual" + suffix], color=ACTUAL, lw=1.6,
            label=t("clv.legend.actual", lang))
    ax.plot(dates, tracking["predicted" + suffix], color=MODEL, lw=1.6, ls="--",
            label=t("clv.legend.model", lang))
    cal = tracking.attrs.get("calibration_period")
    if cal is not None and 0 < cal < len(tracking):
        boundary = dates.iloc[cal]
        ax.axvline(boundary, color="#555555", lw=1, ls=":")
        ax.axvspan(boundary, dates.iloc[-1], color="#999999", alpha=0.12,
                   label=t("clv.legend.holdout", lang))
    unit = t(f"clv.unit_one.{tracking.attrs.get('unit', 'W')}", lang)  # "per week"
    key = "clv.plot.tracking_cum_title" if cumulative else "clv.plot.tracking_title"
    ax.set(title=t(key, lang, unit=unit), ylabel=t("clv.axis.repeat_transactions", lang))
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=8))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    format_count_axis(ax.yaxis, lang)
    ax.legend(loc="upper left")
    return fig


def plot_conditional_expectations(by_frequency: pd.DataFrame, *, lang: str = "en",
                                  ax: Axes | None = None) -> Figure:
    """Mean holdout transactions per calibration frequency, actual vs model.
    ``by_frequency`` is :func:`~workbench.clv.holdout_by_frequency`."""
    _require(by_frequency, ("frequency", "actual", "predicted"), "plot_conditional_expectations")
    fig, ax = axes_for(ax, (8, 4))
    pos = np.arange(len(by_frequency))
    ax.plot(pos, by_frequency["actual"], color=ACTUAL, marker="o", label=t("clv.legend.actual", lang))
    ax.plot(pos, by_frequency["predicted"], color=MODEL, marker="s", ls="--",
            label=t("clv.legend.model", lang))
    ax.set_xticks(pos, by_frequency["frequency"].astype(str))
    ax.set(xlabel=t("clv.axis.repeat_calibration", lang),
           ylabel=t("clv.axis.holdout_per_customer", lang),
           title=t("clv.plot.conditional_title", lang))
    ax.legend(loc="upper left")
    return fig


def plot_prob_alive(matrix: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None,
                    unit: str = "W") -> Figure:
    """Heatmap of P(alive) over frequency (x axis) and recency (y axis) for customers of one
    age. ``matrix`` is :func:`~workbench.clv.prob_alive_matrix` (rows: recency in ``unit``)."""
    fig, ax = axes_for(ax, (8, 5))
    values = np.ma.masked_invalid(matrix.to_numpy(dtype=float))
    recency = matrix.index.to_numpy(dtype=float)
    freq = matrix.columns.to_numpy(dtype=float)
    image = ax.imshow(values, origin="lower", aspect="auto", cmap="RdYlGn", vmin=0, vmax=1,
                      extent=(freq[0] - 0.5, freq[-1] + 0.5, recency[0], recency[-1]))
    bar = fig.colorbar(image, ax=ax)
    bar.set_label(t("clv.axis.prob_alive", lang))
    ax.grid(False)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    age = recency[-1]
    name = unit_name(unit, lang)
    ax.set(xlabel=t("clv.axis.frequency", lang), ylabel=t("clv.axis.recency", lang, unit=name),
           title=t("clv.plot.prob_alive_title", lang, age=f"{age:.0f}", unit=name))
    return fig


def plot_clv_distribution(clv: pd.Series | np.ndarray, *, lang: str = "en",
                          ax: Axes | None = None, tiers: pd.Series | np.ndarray | None = None,
                          bins: int = 40) -> Figure:
    """Histogram of CLV per customer (the top 1% pooled into the last bar), with the lower
    bound of each CLV tier marked when ``tiers`` (codes per customer) is given."""
    values = np.asarray(clv, dtype=float)
    fig, ax = axes_for(ax, (8, 4))
    cap = float(np.quantile(values, 0.99)) if len(values) else 1.0
    cap = cap if cap > 0 else max(float(values.max(initial=0.0)), 1.0)
    ax.hist(np.clip(values, None, cap), bins=bins, color=ACTUAL)
    if tiers is not None:
        codes = np.asarray(tiers, dtype=object)
        for i, code in enumerate(sorted(set(codes))[:-1]):
            low = values[codes == code].min()
            if low <= cap:
                ax.axvline(low, color=PALETTE[3], ls="--", lw=1)
                ax.text(low, ax.get_ylim()[1] * (0.92 - 0.07 * i), " " + t(f"clv.tier.{code}", lang),
                        color=PALETTE[3], fontsize=9)
    ax.set(xlabel=t("clv.axis.clv", lang), ylabel=t("clv.axis.customers", lang),
           title=t("clv.plot.distribution_title", lang))
    format_money_axis(ax.xaxis, lang)
    format_count_axis(ax.yaxis, lang)
    return fig


def plot_clv_tiers(summary: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Share of customers and share of expected value per CLV tier (grouped bars).
    ``summary`` is :func:`~workbench.clv.clv_tier_summary`."""
    _require(summary, ("tier", "customer_share", "value_share", "clv_total"), "plot_clv_tiers")
    fig, ax = axes_for(ax, (8, 4))
    pos = np.arange(len(summary))
    ax.bar(pos - 0.2, summary["customer_share"] * 100, width=0.4, color=PALETTE[5],
           label=t("clv.legend.customer_share", lang))
    bars = ax.bar(pos + 0.2, summary["value_share"] * 100, width=0.4, color=PALETTE[2],
                  label=t("clv.legend.value_share", lang))
    ax.bar_label(bars, labels=[f"{fmt_pct(s, 0)}\n{fmt_money(v, lang)}"
                               for s, v in zip(summary["value_share"], summary["clv_total"])],
                 padding=2, fontsize=9)
    ax.set_xticks(pos, [t(f"clv.tier.{c}", lang) for c in summary["tier"]])
    ax.set(ylabel=t("clv.axis.share_pct", lang), title=t("clv.plot.tiers_title", lang))
    ax.set_ylim(0, max(100.0, float(summary["value_share"].max() * 100 + 15)))
    ax.legend(loc="upper right")
    return fig
