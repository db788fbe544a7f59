"""Executive overview figures (``00_overview``): the customer base in a handful of numbers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from workbench.charts import axes_for, monthly_bars_with_line
from workbench.i18n import fmt_money, fmt_number, fmt_pct, t
from workbench.io import Dataset
from workbench.registry import by_topic
from workbench.report import metrics_dir
from workbench.style import format_count_axis, format_money_axis
from workbench.summary import customer_summary

__all__ = [
    "channel_revenue",
    "domain_highlights",
    "domain_sentences",
    "explore_widget",
    "kpi_cards",
    "monthly_trend",
    "overview_kpis",
    "overview_sentences",
    "plot_channel_revenue",
    "plot_monthly_trend",
    "reconciliation",
    "reconciliation_table",
]

#: Lifecycle stages that make up each customer count of the reconciliation.
STAGE_GROUPS: dict[str, tuple[str, ...]] = {
    "active": ("new", "active", "loyal", "reactivated"),
    "at_risk": ("at_risk",),
    "churned": ("churned",),
}


def _window(tx: pd.DataFrame, as_of: pd.Timestamp, days: int, offset_days: int = 0) -> pd.DataFrame:
    end = as_of + pd.Timedelta(days=1) - pd.Timedelta(days=offset_days)
    return tx[(tx["order_date"] >= end - pd.Timedelta(days=days)) & (tx["order_date"] < end)]


def overview_kpis(dataset: Dataset, as_of: pd.Timestamp, *, active_days: int = 90) -> dict[str, Any]:
    """Headline numbers on ``as_of`` (inclusive), for the overview and ``metrics.json``.

    Windows are in days: "last 12 months" is the 365 days ending on ``as_of``. The repeat
    purchase rate is the share of buying customers with purchases on at least two days.
    """
    if not isinstance(active_days, int) or active_days <= 0:
        raise ValueError(f"active_days must be a positive whole number of days, got {active_days!r}")
    out: dict[str, Any] = {"as_of": as_of.date().isoformat(), "active_days": active_days}
    if dataset.customers is not None:
        out["registered_customers"] = len(dataset.customers)
        if "churned" in dataset.customers:
            churned = dataset.customers["churned"].dropna()
            out["churn_rate"] = float(churned.mean()) if len(churned) else None
    tx = dataset.transactions
    if tx is None or tx.empty:
        return out
    tx = tx[tx["order_date"] < as_of + pd.Timedelta(days=1)]
    summary = customer_summary(tx, as_of, "D")
    last_year = _window(tx, as_of, 365)
    previous_year = _window(tx, as_of, 365, offset_days=365)
    has_previous = tx["order_date"].min() <= as_of - pd.Timedelta(days=729)
    revenue = float(last_year["amount"].sum())
    previous = float(previous_year["amount"].sum())
    orders_12m = last_year["order_id"].nunique()
    buyers_12m = last_year["customer_id"].nunique()
    active = int((summary["recency_days"] < active_days).sum())
    out.update(
        customers=len(summary),
        active_customers=active,
        active_share=active / len(summary) if len(summary) else None,
        revenue_total=float(summary["total_revenue"].sum()),
        revenue_12m=revenue,
        revenue_prev_12m=previous if has_previous else None,
        revenue_growth=(revenue / previous - 1) if has_previous and previous > 0 else None,
        repeat_rate=float((summary["x"] > 0).mean()),
        average_order_value=revenue / orders_12m if orders_12m else None,
        orders_per_customer_12m=orders_12m / buyers_12m if buyers_12m else None,
        buyers_12m=int(buyers_12m),
    )
    return out


def monthly_trend(transactions: pd.DataFrame, as_of: pd.Timestamp, months: int = 24,
                  channel: str | None = None) -> pd.DataFrame:
    """Revenue, orders and distinct buying customers per calendar month up to ``as_of``."""
    tx = transactions[transactions["order_date"] < as_of + pd.Timedelta(days=1)]
    if channel is not None and "channel" in tx:
        tx = tx[tx["channel"] == channel]
    month = tx["order_date"].dt.to_period("M")
    grouped = tx.groupby(month).agg(revenue=("amount", "sum"), orders=("order_id", "nunique"),
                                    customers=("customer_id", "nunique"))
    end = as_of.to_period("M")
    full = pd.period_range(end - months + 1, end, freq="M")
    grouped = grouped.reindex(full, fill_value=0)
    grouped.index.name = "month"
    return grouped.reset_index()


def channel_revenue(transactions: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Revenue and share per channel over the 365 days ending on ``as_of``."""
    if "channel" not in transactions:
        return pd.DataFrame(columns=["channel", "revenue", "share"])
    recent = _window(transactions, as_of, 365)
    grouped = recent.groupby("channel")["amount"].sum().sort_values(ascending=False)
    total = grouped.sum()
    return pd.DataFrame({"channel": grouped.index, "revenue": grouped.to_numpy(),
                         "share": (grouped / total).to_numpy() if total else 0.0})


def plot_monthly_trend(trend: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Revenue bars per month with the number of buying customers on a second axis."""
    return monthly_bars_with_line(
        trend["month"], trend["revenue"], trend["customers"],
        title=t("ov.trend_title", lang), bar_label=t("word.revenue", lang),
        line_label=t("ov.active_customers", lang),
        format_bars=lambda axis: format_money_axis(axis, lang),
        format_line=lambda axis: format_count_axis(axis, lang), ax=ax,
    )


def plot_channel_revenue(channels: pd.DataFrame, *, lang: str = "en",
                         ax: Axes | None = None) -> Figure:
    """Horizontal bars of revenue share per channel."""
    fig, ax = axes_for(ax, (7, 0.5 * max(len(channels), 1) + 1.5))
    shown = channels.iloc[::-1]
    bars = ax.barh(shown["channel"].astype(str), shown["share"] * 100, color="#009E73")
    ax.bar_label(bars, labels=[fmt_pct(s) for s in shown["share"]], padding=3)
    ax.set(xlabel=t("word.share", lang) + " (%)", title=t("ov.channel_title", lang))
    return fig


def kpi_cards(kpis: dict[str, Any], lang: str) -> list[tuple[str, str, str]]:
    """(label, value, note) for the KPI cards of the overview and the index page."""
    cards = []
    if "customers" in kpis:
        growth = kpis.get("revenue_growth")
        cards += [
            (t("ov.kpi.customers", lang), fmt_number(kpis["customers"], lang), ""),
            (t("ov.kpi.active", lang, days=kpis["active_days"]),
             fmt_number(kpis["active_customers"], lang), fmt_pct(kpis["active_share"])),
            (t("ov.kpi.revenue_12m", lang), fmt_money(kpis["revenue_12m"], lang),
             f"{t('ov.kpi.revenue_growth', lang)} {growth:+.1%}" if growth is not None else ""),
            (t("ov.kpi.repeat_rate", lang), fmt_pct(kpis["repeat_rate"]), ""),
            (t("ov.kpi.aov", lang), fmt_money(kpis["average_order_value"], lang), ""),
            (t("ov.kpi.frequency", lang), fmt_number(kpis["orders_per_customer_12m"], lang, 2), ""),
        ]
    if "registered_customers" in kpis:
        cards.append((t("ov.kpi.registered", lang), fmt_number(kpis["registered_customers"], lang), ""))
    if kpis.get("churn_rate") is not None:
        cards.append((t("ov.kpi.churn_rate", lang), fmt_pct(kpis["churn_rate"]), ""))
    return cards


def overview_sentences(kpis: dict[str, Any], lang: str) -> list[tuple[str, dict[str, str]]]:
    """(catalogue key, values) of the plain-language reading of the KPIs."""
    if "customers" not in kpis:
        return []
    growth = kpis.get("revenue_growth")
    revenue = fmt_money(kpis["revenue_12m"], lang)
    if growth is None:
        revenue_line = ("ov.sentence.revenue_new", {"revenue": revenue})
    else:
        key = "ov.sentence.revenue_up" if growth >= 0 else "ov.sentence.revenue_down"
        revenue_line = (key, {"revenue": revenue, "growth": fmt_pct(abs(growth))})
    return [
        ("ov.sentence.customers", {
            "customers": fmt_number(kpis["customers"], lang),
            "active": fmt_number(kpis["active_customers"], lang),
            "active_share": fmt_pct(kpis["active_share"]), "days": str(kpis["active_days"])}),
        revenue_line,
        ("ov.sentence.repeat", {"repeat_rate": fmt_pct(kpis["repeat_rate"]),
                                "aov": fmt_money(kpis["average_order_value"], lang)}),
    ]


#: The reports the overview summarises: what the registry says it uses.
DOMAIN_TOPICS = by_topic("overview").uses


def domain_highlights(output_dir: str | Path) -> dict[str, dict[str, Any] | None]:
    """The metrics other notebooks of this run have written, None where absent."""
    folder = metrics_dir(output_dir)
    found: dict[str, dict[str, Any] | None] = {}
    for topic in DOMAIN_TOPICS:
        path = folder / f"{topic}.json"
        found[topic] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    return found


def explore_widget(dataset: Dataset, as_of: pd.Timestamp, *, lang: str = "en") -> Any:
    """JupyterLab widget: pick a channel to redraw the monthly trend."""
    import ipywidgets as widgets
    from IPython.display import display

    tx = dataset.transactions
    channels = sorted(tx["channel"].dropna().unique()) if "channel" in tx else []
    picker = widgets.Dropdown(options=[t("word.all", lang), *channels],
                              description=t("word.channel", lang))
    output = widgets.Output()

    def refresh(_: Any = None) -> None:
        output.clear_output(wait=True)
        channel = None if picker.index == 0 else picker.value
        with output:
            fig = plot_monthly_trend(monthly_trend(tx, as_of, channel=channel), lang=lang)
            display(fig)
            plt.close(fig)

    picker.observe(refresh, names="value")
    refresh()
    return widgets.VBox([picker, output])


def domain_sentences(highlights: dict[str, dict[str, Any] | None], lang: str) -> list[str]:
    """One sentence per analysis topic: its headline reading, or that it has no results yet.

    A topic contributes a reading when its metrics carry a ``headline`` entry with ``en``
    and ``zh`` text (written by that topic's notebook from the catalogue).
    """
    sentences = []
    for topic, metrics in highlights.items():
        headline = (metrics or {}).get("headline")
        if isinstance(headline, dict) and lang in headline:
            sentences.append(f"{t('topic.' + topic, lang)}: {headline[lang]}")
        else:
            sentences.append(t("ov.domain_missing", lang, topic=t("topic." + topic, lang)))
    return sentences


def reconciliation(kpis: dict[str, Any], *, stages: pd.DataFrame | None = None,
                   churn: pd.DataFrame | None = None, clv: pd.DataFrame | None = None
                   ) -> pd.DataFrame:
    """One row per customer count of the run: code, customers, share of buyers, source.

    ``stages``, ``churn`` and ``clv`` are the run's shared results (``workbench.results``); a
    count whose result is absent is left out. Lifecycle stages define active, at risk and
    churned; the model rows count scores (churn probability above 0.5, P(alive) below 0.5)
    and carry the number of customers scored as ``base``.
    """
    rows: list[dict[str, Any]] = []
    if "registered_customers" in kpis:
        rows.append({"code": "registered", "customers": kpis["registered_customers"],
                     "source": "data_quality"})
    if "customers" in kpis:
        rows.append({"code": "bought", "customers": kpis["customers"], "source": "overview"})
        rows.append({"code": "recent", "customers": kpis["active_customers"],
                     "source": "overview"})
    if stages is not None:
        buyers = stages[stages["stage"] != "prospect"]
        for code, group in STAGE_GROUPS.items():
            rows.append({"code": code, "customers": int(buyers["stage"].isin(group).sum()),
                         "source": "lifecycle"})
    if churn is not None:
        rows.append({"code": "churn_model", "source": "churn", "base": len(churn),
                     "customers": int((churn["churn_probability"] > 0.5).sum())})
    if clv is not None:
        rows.append({"code": "alive_model", "source": "clv", "base": len(clv),
                     "customers": int((clv["prob_alive"] < 0.5).sum())})
    frame = pd.DataFrame(rows, columns=["code", "customers", "source", "base"])
    buyers_total = kpis.get("customers")
    frame["share"] = frame["customers"] / buyers_total if buyers_total else float("nan")
    frame.loc[frame["code"] == "registered", "share"] = float("nan")
    return frame


def reconciliation_table(frame: pd.DataFrame, kpis: dict[str, Any], lang: str) -> pd.DataFrame:
    """The reconciliation for display: concept, customers, share, definition, report."""
    values = {"as_of": kpis.get("as_of", ""), "days": kpis.get("active_days", "")}
    shown = pd.DataFrame({
        "concept": [t(f"ov.rec.{c}", lang, **values) for c in frame["code"]],
        "customers": frame["customers"].astype(int),
        "share": frame["share"],
        "definition": [t(f"ov.rec.{c}.def", lang, **values,
                         n=fmt_number(b, lang) if pd.notna(b) else "")
                       for c, b in zip(frame["code"], frame["base"])],
        "source": [t(f"topic.{s}", lang) for s in frame["source"]],
    })
    return shown
