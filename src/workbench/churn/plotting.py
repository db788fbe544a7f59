"""Churn charts: each takes data, draws on ``ax`` (or a new figure) and returns the Figure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from sklearn.calibration import calibration_curve
from sklearn.metrics import roc_auc_score

from workbench.charts import axes_for
from workbench.churn.report import feature_label
from workbench.i18n import fmt_range, t
from workbench.style import format_money_axis


def plot_roc_pr(predictions: pd.DataFrame, models: Sequence[str], *, lang: str = "en") -> Figure:
    """ROC and precision-recall curves of each model's out-of-fold predictions."""
    from sklearn.metrics import precision_recall_curve, roc_curve

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    y = predictions["label"].to_numpy()
    for model in models:
        fpr, tpr, _ = roc_curve(y, predictions[model])
        left.plot(fpr, tpr, label=f"{t('churn.model.' + model, lang)} ({roc_auc_score(y, predictions[model]):.3f})")
        precision, recall, _ = precision_recall_curve(y, predictions[model])
        right.plot(recall, precision, label=t("churn.model." + model, lang))
    left.plot([0, 1], [0, 1], color="#999999", linestyle="--")
    left.set(xlabel=t("churn.fpr", lang), ylabel=t("churn.tpr", lang), title=t("churn.roc_title", lang))
    right.axhline(y.mean(), color="#999999", linestyle="--")
    right.set(xlabel=t("churn.recall", lang), ylabel=t("churn.precision", lang),
              title=t("churn.pr_title", lang))
    left.legend(loc="lower right")
    right.legend(loc="upper right")
    return fig


def plot_calibration(predictions: pd.DataFrame, model: str, *, lang: str = "en",
                     ax: Axes | None = None) -> Figure:
    """Predicted vs observed churn rate in 10 probability bins."""
    fig, ax = axes_for(ax, (5, 4.5))
    observed, predicted = calibration_curve(predictions["label"], predictions[model], n_bins=10,
                                            strategy="quantile")
    ax.plot(predicted, observed, marker="o", color="#0072B2", label=t("churn.model." + model, lang))
    ax.plot([0, 1], [0, 1], color="#999999", linestyle="--")
    ax.set(xlabel=t("churn.predicted", lang), ylabel=t("churn.observed", lang),
           title=t("churn.calibration_title", lang))
    ax.legend(loc="upper left")
    return fig


def plot_gains(table: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Lift per decile (bars) and cumulative gains (line)."""
    fig, ax = axes_for(ax, (8, 4))
    ax.bar(table["decile"], table["lift"], color="#56B4E9", label=t("churn.lift", lang))
    ax.axhline(1, color="#999999", linestyle="--")
    ax.set(xlabel=t("churn.decile", lang), ylabel=t("churn.lift", lang), title=t("churn.gains_title", lang),
           xticks=table["decile"])
    twin = ax.twinx()
    twin.plot(table["decile"], table["cumulative_gain"] * 100, color="#D55E00", marker="o",
              label=t("churn.gain", lang))
    twin.set(ylabel=t("churn.gain", lang) + " (%)", ylim=(0, 105))
    twin.grid(False)
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], loc="center right")
    return fig


def plot_importance(table: pd.DataFrame, *, lang: str = "en", top: int = 12,
                    ax: Axes | None = None) -> Figure:
    """Permutation importance of the most important features."""
    shown = table.head(top).iloc[::-1]
    fig, ax = axes_for(ax, (8, 0.35 * len(shown) + 1.5))
    ax.barh([feature_label(f, lang) for f in shown["feature"]], shown["importance"], color="#0072B2")
    ax.set(xlabel=t("churn.importance_x", lang), title=t("churn.importance_title", lang))
    return fig


def plot_survival(result: dict[str, Any], *, lang: str = "en", time_label_key: str = "churn.months",
                  ax: Axes | None = None) -> Figure:
    """Kaplan-Meier curves with confidence bands, one per group."""
    fig, ax = axes_for(ax, (8, 4.5))
    for group, curve in result["curves"].items():
        line = ax.step(curve["time"], curve["retention"] * 100, where="post", label=str(group))[0]
        ax.fill_between(curve["time"], curve["lower"] * 100, curve["upper"] * 100, step="post",
                        alpha=0.2, color=line.get_color())
    ax.set(xlabel=t(time_label_key, lang), ylabel=t("churn.retained", lang) + " (%)", ylim=(0, 101),
           title=t("churn.survival_title", lang))
    ax.legend(loc="lower left", fontsize=8)
    return fig


def plot_health_bands(bands: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Churn rate by health band: it should fall as health rises."""
    fig, ax = axes_for(ax, (7, 3.8))
    names = [fmt_range(lo, hi) for lo, hi in zip(bands["low"], bands["high"])]
    bars = ax.bar(names, bands["churn_rate"] * 100, color="#009E73")
    ax.bar_label(bars, labels=[f"{v:.0%}" for v in bands["churn_rate"]], padding=2)
    ax.set(xlabel=t("churn.health_band", lang), ylabel=t("churn.churn_rate", lang) + " (%)",
           title=t("churn.health_title", lang))
    return fig


def plot_budget_curve(curve: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Expected revenue saved, cost and net value against customers contacted."""
    fig, ax = axes_for(ax, (8, 4))
    ax.plot(curve["contacted"], curve["revenue_saved"], label=t("churn.saved", lang), color="#009E73")
    ax.plot(curve["contacted"], curve["cost"], label=t("churn.cost", lang), color="#D55E00")
    ax.plot(curve["contacted"], curve["net"], label=t("churn.net", lang), color="#0072B2")
    best = int(curve["net"].idxmax())
    ax.axvline(curve.loc[best, "contacted"], color="#999999", linestyle="--")
    format_money_axis(ax.yaxis, lang)
    ax.set(xlabel=t("churn.contacted", lang), title=t("churn.budget_title", lang))
    ax.legend(loc="upper left")
    return fig
