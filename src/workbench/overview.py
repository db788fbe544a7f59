"""Executive overview figures (``00_overview``): the customer base in a handful of numbers.

Besides its own figures, the overview reads what the other reports of the run wrote through two
documented doors only: their shared results (:func:`workbench.results.read_result`, in a
notebook ``ctx.result``) and their metrics (:func:`read_metrics`). It also shows what changed
since an earlier run (:func:`changes_since`, :func:`show_changes`, also used by ``08_actions``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from workbench.changes import HEALTH_DROP, Changes, compare_runs
from workbench.charts import axes_for, monthly_bars_with_line
from workbench.i18n import fmt_money, fmt_number, fmt_pct, fmt_pp, t
from workbench.io import Dataset
from workbench.registry import by_topic
from workbench.report import metrics_dir
from workbench.safety import mask_text
from workbench.style import PALETTE, format_count_axis, format_money_axis
from workbench.summary import (
    MONEY_SCALE,
    customer_summary,
    day_after,
    exact_sum,
    exact_units,
    up_to,
)

__all__ = [
    "CHANGE_HEADERS",
    "KPI_DELTA_HEADERS",
    "change_cards",
    "change_customers",
    "changes_since",
    "channel_revenue",
    "domain_highlights",
    "domain_sentences",
    "explore_widget",
    "kpi_cards",
    "kpi_delta_table",
    "migration_table",
    "monthly_trend",
    "overview_kpis",
    "overview_sentences",
    "plot_channel_revenue",
    "plot_monthly_trend",
    "read_metrics",
    "reconciliation",
    "reconciliation_table",
    "show_changes",
]

#: Lifecycle stages that make up each customer count of the reconciliation.
STAGE_GROUPS: dict[str, tuple[str, ...]] = {
    "active": ("new", "active", "loyal", "reactivated"),
    "at_risk": ("at_risk",),
    "churned": ("churned",),
}


def _window(tx: pd.DataFrame, as_of: pd.Timestamp, days: int, offset_days: int = 0) -> pd.DataFrame:
    end = day_after(as_of) - pd.Timedelta(days=offset_days)
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
    tx = up_to(tx, as_of)
    summary = customer_summary(tx, as_of, "D")
    last_year = _window(tx, as_of, 365)
    previous_year = _window(tx, as_of, 365, offset_days=365)
    has_previous = tx["order_date"].min() <= as_of - pd.Timedelta(days=729)
    revenue = exact_sum(last_year["amount"])  # exact money sums: any row order, one number
    previous = exact_sum(previous_year["amount"])
    orders_12m = last_year["order_id"].nunique()
    buyers_12m = last_year["customer_id"].nunique()
    active = int((summary["recency_days"] < active_days).sum())
    out.update(
        customers=len(summary),
        active_customers=active,
        active_share=active / len(summary) if len(summary) else None,
        revenue_total=exact_sum(summary["total_revenue"]),
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
    tx = up_to(transactions, as_of)
    if channel is not None and "channel" in tx:
        tx = tx[tx["channel"] == channel]
    month = tx["order_date"].dt.to_period("M")
    grouped = tx.assign(units=exact_units(tx["amount"])).groupby(month).agg(
        revenue=("units", "sum"), orders=("order_id", "nunique"),
        customers=("customer_id", "nunique"))
    grouped["revenue"] = grouped["revenue"] / MONEY_SCALE  # exact sums, then currency units
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
    units = pd.Series(exact_units(recent["amount"]), index=recent.index)
    grouped = (units.groupby(recent["channel"]).sum() / MONEY_SCALE).sort_values(
        ascending=False, kind="stable")
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
    # channel names are data: phones, e-mails and ids in them are masked, as in the table
    bars = ax.barh([mask_text(str(c)) for c in shown["channel"]], shown["share"] * 100,
                   color=PALETTE[2])
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


def read_metrics(output_dir: str | Path, topic: str) -> dict[str, Any] | None:
    """The metrics the report ``topic`` wrote in the run in ``output_dir``, None when absent.

    While a run is under way each report's part is its own file (``ReportContext.save_metrics``);
    a finished run also has them merged in ``metrics.json``, read when the part is missing.
    """
    part = metrics_dir(output_dir) / f"{topic}.json"
    if part.exists():
        return json.loads(part.read_text(encoding="utf-8"))
    merged = Path(output_dir) / "metrics.json"
    if merged.exists():
        found = json.loads(merged.read_text(encoding="utf-8")).get(topic)
        return found if isinstance(found, dict) else None
    return None


def domain_highlights(*folders: str | Path | None) -> dict[str, dict[str, Any] | None]:
    """The metrics of every report the overview summarises, None where absent.

    ``folders`` are searched in order (in a notebook ``ctx.output_dir, ctx.results_from``, the
    same order as ``ctx.result``); a None folder is skipped.
    """
    found: dict[str, dict[str, Any] | None] = {}
    for topic in DOMAIN_TOPICS:
        found[topic] = next((m for m in (read_metrics(f, topic) for f in folders if f is not None)
                             if m is not None), None)
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


def domain_sentences(highlights: dict[str, dict[str, Any] | None], lang: str,
                     dataset: Dataset | None = None) -> list[str]:
    """One sentence per analysis topic: its headline reading, why it was skipped on this
    data (with ``dataset``: e.g. customer success without a subscriptions table), or that it
    has no results in this run.

    A topic contributes a reading when its metrics carry a ``headline`` entry with ``en``
    and ``zh`` text (written by that topic's notebook from the catalogue).
    """
    sentences = []
    for topic, metrics in highlights.items():
        headline = (metrics or {}).get("headline")
        skipped = dataset.missing_for(topic, lang) if dataset is not None else None
        if isinstance(headline, dict) and lang in headline:
            sentences.append(f"{t('topic.' + topic, lang)}: {headline[lang]}")
        elif skipped:
            sentences.append(t("ov.domain_skipped", lang, topic=t("topic." + topic, lang),
                               reason=skipped))
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


# ------------------------------------------------------------------ since the last run

#: Headers of the changed customers' table and the KPI deltas (catalogue keys).
CHANGE_HEADERS = {c: f"ov.chg.col.{c}" for c in ("customer_id", "change", "before", "now")}
KPI_DELTA_HEADERS = {c: f"chg.kpi.col.{c}" for c in ("kpi", "before", "now", "change")}
#: Codes of the changed customers listed (segment moves are shown as the migration matrix).
_LISTED = ("entered_at_risk", "entered_churned", "health_fell")


def changes_since(previous: str | Path | None, output_dir: str | Path, *,
                  kpis: dict[str, Any] | None = None,
                  health_drop: float = HEALTH_DROP) -> Changes | None:
    """This run against the earlier run in ``previous`` (:func:`workbench.changes.compare_runs`),
    None when ``previous`` is empty (no earlier run given: nothing to show).

    ``kpis`` are this run's :func:`overview_kpis` (the run's ``metrics.json`` is merged only
    after every report ran); ``health_drop`` is in health-score points.
    """
    if not previous:
        return None
    now = {"overview": {"kpis": kpis}} if kpis is not None else None
    return compare_runs(previous, output_dir, health_drop=health_drop, metrics_now=now)


def change_cards(changes: Changes, lang: str) -> list[tuple[str, str, str]]:
    """(label, value, note) cards: customers per change code."""
    points = f"{changes.threshold:g}"
    return [(t(f"chg.code.{code}", lang, points=points), fmt_number(n, lang), "")
            for code, n in changes.counts().items()]


def _kpi_text(key: str, value: float | None, lang: str, change: bool = False) -> str:
    if value is None:
        return "–"
    if key == "repeat_rate":
        return fmt_pp(value, lang) if change else fmt_pct(value)
    text = fmt_money(value, lang) if key == "revenue_12m" else fmt_number(value, lang)
    return f"+{text}" if change and value > 0 else text


def kpi_delta_table(changes: Changes, lang: str, active_days: int = 90) -> pd.DataFrame:
    """The headline KPIs of both runs and their change, as text (:data:`KPI_DELTA_HEADERS`)."""
    names = {"customers": t("ov.kpi.customers", lang),
             "active_customers": t("ov.kpi.active", lang, days=active_days),
             "revenue_12m": t("ov.kpi.revenue_12m", lang),
             "repeat_rate": t("ov.kpi.repeat_rate", lang)}
    return pd.DataFrame([{"kpi": names.get(key, key),
                          "before": _kpi_text(key, v["before"], lang),
                          "now": _kpi_text(key, v["now"], lang),
                          "change": _kpi_text(key, v["change"], lang, change=True)}
                         for key, v in changes.kpis.items()], columns=list(KPI_DELTA_HEADERS))


def _stage_or_score(code: str, value: Any, lang: str) -> str:
    if value is None or pd.isna(value):
        return "–"
    return str(value) if code == "health_fell" else t(f"life.stage.{value}", lang)


def change_customers(changes: Changes, lang: str) -> pd.DataFrame:
    """Customers who entered at risk or churned, and high-value customers whose health fell:
    one row each with the change and the stage (or health score) before and now."""
    rows = changes.rows[changes.rows["change"].isin(_LISTED)]
    points = f"{changes.threshold:g}"
    return pd.DataFrame({
        "customer_id": rows["customer_id"].to_numpy(),
        "change": [t(f"chg.code.{c}", lang, points=points) for c in rows["change"]],
        "before": [_stage_or_score(c, v, lang) for c, v in zip(rows["change"], rows["before"])],
        "now": [_stage_or_score(c, v, lang) for c, v in zip(rows["change"], rows["now"])],
    }, columns=list(CHANGE_HEADERS))


def migration_table(changes: Changes, lang: str) -> pd.DataFrame:
    """The segment migration matrix with segment names: one row per segment in the earlier
    run (first column), one column per segment now; cells count customers."""
    matrix = changes.matrix
    if matrix.empty:
        return pd.DataFrame()
    name = {code: t(f"seg.cn8.{code}", lang) for code in {*matrix.index, *matrix.columns}}
    shown = matrix.rename(index=name, columns=name)
    shown.columns.name = None  # the header row is the segments now, not a "now" label
    shown.insert(0, t("ov.chg.before_now", lang), shown.index.astype(str))
    return shown.reset_index(drop=True)


def show_changes(ctx: Any, changes: Changes | None, *, active_days: int = 90,
                 rows: int = 20) -> None:
    """Show "Since the last run" in a report: heading, counts, KPI deltas, the changed
    customers (first ``rows``) and the segment migration matrix. Shows nothing when
    ``changes`` is None (no earlier run given)."""
    if changes is None:
        return
    lang = ctx.lang
    ctx.heading("chg.title")
    ctx.say("chg.intro", folder=Path(str(changes.previous.get("folder", "–"))).name,
            as_of=changes.previous.get("as_of") or "–")
    ctx.kpis(change_cards(changes, lang))
    ctx.table(kpi_delta_table(changes, lang, active_days), headers=KPI_DELTA_HEADERS)
    listed = change_customers(changes, lang)
    ctx.say("ov.chg.customers", n=fmt_number(len(listed), lang),
            points=f"{changes.threshold:g}", shown=fmt_number(min(len(listed), rows), lang))
    if len(listed):
        ctx.table(listed, headers=CHANGE_HEADERS, max_rows=rows)
    matrix = migration_table(changes, lang)
    if len(matrix):
        ctx.say("ov.chg.matrix", moved=fmt_number(changes.counts()["segment_moved"], lang))
        ctx.table(matrix)
    ctx.say("chg.details")
