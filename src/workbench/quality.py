"""Data-quality figures and charts: the loader's report made visible (``01_data_quality``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from workbench.charts import axes_for, monthly_bars_with_line
from workbench.i18n import column_label, t
from workbench.io import Dataset, LoadWarning, QualityReport, SetAside
from workbench.schema import TABLES
from workbench.style import format_count_axis, format_money_axis
from workbench.summary import exact_sum

__all__ = [
    "EXPORT_LABELS",
    "all_warnings",
    "amount_outlier_threshold",
    "coverage_gaps",
    "explore_widget",
    "missing_values",
    "monthly_coverage",
    "plot_amount_distribution",
    "plot_missing_values",
    "plot_monthly_coverage",
    "plot_rows_kept",
    "quality_metrics",
    "quality_rates",
    "rates_table",
    "set_aside_export",
    "table_overview",
    "warning_lines",
]


def table_overview(report: QualityReport, lang: str | None = None) -> pd.DataFrame:
    """One row per table: file, encoding, rows read/kept/set aside, customers, date range.

    With ``lang``, table names are translated for display.
    """
    rows = []
    for name, rep in report.tables.items():
        rows.append({
            "table": t(f"table.{name}", lang) if lang else name,
            "file": rep.file.rsplit("/", 1)[-1],
            "encoding": rep.encoding or "–",
            "rows_read": rep.rows_read,
            "rows_kept": rep.rows_kept,
            "rows_set_aside": rep.rows_read - rep.rows_kept,
            "customers": rep.customers,
            "date_range": f"{rep.date_min} – {rep.date_max}" if rep.date_min else "–",
        })
    return pd.DataFrame(rows)


#: Label key templates of the export's codes (``ReportContext.export(labels=...)``):
#: ``table`` is the table name (``transactions``), ``values_only`` True or False.
EXPORT_LABELS: dict[str, str] = {"table": "table.{code}", "values_only": "dq.values_only.{code}"}


def set_aside_export(report: QualityReport, lang: str = "en") -> pd.DataFrame:
    """``exports/data_quality.csv``: one row per reason rows or values were set aside.

    Columns ``table`` (table code), ``column`` (canonical column, empty for whole rows),
    ``reason`` (the loader's reason code: ``duplicate``, ``out_of_range``, ...) and
    ``reason_label`` (the reason in ``lang``, with its column and limits), ``rows``,
    ``values_only`` (True: only the value was blanked, the row kept) and ``examples`` (row
    numbers as a spreadsheet shows them; for a database table, which has none, the example
    rows' keys: ``customer_id=0042, order_id=A-17; ...``). Every column but ``reason_label`` is the same in
    every language; the table and values_only labels are added on export from
    :data:`EXPORT_LABELS`.
    """
    columns = ["table", "column", "reason", "reason_label", "rows", "values_only", "examples"]
    rows = [{"table": s.table, "column": s.column, "reason": s.code or s.reason,
             "reason_label": s.describe(lang), "rows": s.rows, "values_only": bool(s.values_only),
             "examples": _examples_text(s)}
            for s in report.set_aside]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"rows": "int64", "values_only": "bool"})


def _examples_text(entry: SetAside) -> str:
    """``85, 182, 257`` (row numbers) or, for a database table, which has none, the example
    rows' keys: ``customer_id=0042, order_id=A-17; customer_id=0077, order_id=B-3``."""
    if entry.examples or not entry.keys:
        return ", ".join(map(str, entry.examples))
    return "; ".join(", ".join(f"{k}={'' if v is None else v}" for k, v in key.items())
                     for key in entry.keys)


def monthly_coverage(transactions: pd.DataFrame) -> pd.DataFrame:
    """Lines and revenue per calendar month, with months without any line included (0)."""
    month = transactions["order_date"].dt.to_period("M")
    grouped = transactions.groupby(month).agg(lines=("amount", "size"), revenue=("amount", "sum"))
    full = pd.period_range(month.min(), month.max(), freq="M")
    grouped = grouped.reindex(full, fill_value=0)
    grouped.index.name = "month"
    return grouped.reset_index()


def coverage_gaps(coverage: pd.DataFrame) -> list[str]:
    """Months (YYYY-MM) inside the covered range that have no transaction line."""
    return [str(m) for m in coverage.loc[coverage["lines"] == 0, "month"]]


def missing_values(dataset: Dataset) -> pd.DataFrame:
    """Missing values per canonical column of every loaded table (count and share)."""
    rows = []
    for name, table in TABLES.items():
        frame = getattr(dataset, name)
        if frame is None or frame.empty:
            continue
        for column in table.names:
            if column in frame:
                n = int(frame[column].isna().sum())
                rows.append({"table": name, "column": column, "missing": n,
                             "share": n / len(frame)})
    return pd.DataFrame(rows, columns=["table", "column", "missing", "share"])


def amount_outlier_threshold(amounts: pd.Series, k: float = 3.0) -> float:
    """Upper fence Q3 + k * IQR of positive line amounts (currency units)."""
    positive = amounts[amounts > 0]
    if positive.empty:
        return float("nan")
    q1, q3 = positive.quantile([0.25, 0.75])
    return float(q3 + k * (q3 - q1))


def quality_rates(dataset: Dataset) -> dict[str, float | int | None]:
    """Duplicate, return and outlier rates of the transactions (shares of lines read)."""
    report = dataset.quality
    rates: dict[str, float | int | None] = {
        "customers_without_transactions": report.customers_without_transactions,
        "unknown_customers": report.transaction_customers_not_in_customers,
    }
    rep = report.tables.get("transactions")
    if rep is None or dataset.transactions is None:
        return rates
    duplicates = sum(s.rows for s in report.set_aside
                     if s.table == "transactions" and s.code == "duplicate")
    returns = dataset.returns if dataset.returns is not None else pd.DataFrame({"amount": []})
    tx = dataset.transactions
    threshold = amount_outlier_threshold(tx["amount"])
    revenue = exact_sum(tx["amount"])  # exact: the same whatever the order of the rows
    rates.update(
        duplicate_rate=duplicates / rep.rows_read if rep.rows_read else 0.0,
        return_rate=len(returns) / rep.rows_read if rep.rows_read else 0.0,
        return_value_share=exact_sum(returns["amount"].abs()) / revenue if revenue else None,
        outlier_threshold=threshold,
        outlier_rate=float((tx["amount"] > threshold).mean()) if len(tx) else 0.0,
        zero_amount_lines=int((tx["amount"] == 0).sum()),
    )
    return rates


def rates_table(rates: dict[str, Any], lang: str = "en") -> pd.DataFrame:
    """The rates as a two-column table (metric, formatted value) in ``lang``."""
    from workbench.i18n import fmt_money, fmt_number, fmt_pct

    rows = [
        ("dq.duplicate_rate", rates.get("duplicate_rate"), fmt_pct),
        ("dq.return_rate", rates.get("return_rate"), fmt_pct),
        ("dq.return_value_rate", rates.get("return_value_share"), fmt_pct),
        ("dq.outlier_rate", rates.get("outlier_rate"), fmt_pct),
        ("dq.outlier_line", rates.get("outlier_threshold"), lambda v: fmt_money(v, lang)),
        ("dq.zero_amount", rates.get("zero_amount_lines"), lambda v: fmt_number(v, lang)),
        ("dq.no_tx_customers", rates.get("customers_without_transactions"),
         lambda v: fmt_number(v, lang)),
        ("dq.unknown_customers", rates.get("unknown_customers"), lambda v: fmt_number(v, lang)),
    ]
    return pd.DataFrame(
        [{"metric": t(key, lang), "value": fmt(value)} for key, value, fmt in rows
         if value is not None],
        columns=["metric", "value"],
    )


def all_warnings(report: QualityReport) -> list[LoadWarning]:
    """Every warning of the load, dataset-level first (``code``, ``params``, English ``text``)."""
    return report.all_warnings()


def warning_lines(report: QualityReport, lang: str = "en") -> list[str]:
    """Every warning of the load as a sentence in ``lang``, for the report's warnings list."""
    return report.warning_lines(lang)


def quality_metrics(dataset: Dataset) -> dict[str, Any]:
    """Headline data-quality figures for ``metrics.json`` (key ``data_quality``)."""
    report = dataset.quality
    rows_read = sum(r.rows_read for r in report.tables.values())
    rows_kept = sum(r.rows_kept for r in report.tables.values())
    tx = report.tables.get("transactions")
    out: dict[str, Any] = {
        "tables": sorted(report.tables),
        "rows_read": rows_read,
        "rows_kept": rows_kept,
        "rows_set_aside": rows_read - rows_kept,
        "values_blanked": int(sum(s.rows for s in report.set_aside if s.values_only)),
        "warnings": len(all_warnings(report)),
        "customers": max((r.customers for r in report.tables.values()), default=0),
        "date_min": tx.date_min if tx else None,
        "date_max": tx.date_max if tx else None,
        "usable": report.usable,
        "unread_files": len(report.unread_files),
    }
    out.update(quality_rates(dataset))
    return out


# ------------------------------------------------------------------------------ plots


def plot_rows_kept(overview: pd.DataFrame, *, lang: str = "en", ax: Axes | None = None) -> Figure:
    """Horizontal stacked bars: rows kept and set aside per table."""
    fig, ax = axes_for(ax, (8, 0.6 * len(overview) + 1.6))
    y = np.arange(len(overview))
    ax.barh(y, overview["rows_kept"], color="#0072B2", label=t("dq.kept", lang))
    ax.barh(y, overview["rows_set_aside"], left=overview["rows_kept"], color="#D55E00",
            label=t("dq.set_aside", lang))
    ax.set(yticks=y, yticklabels=overview["table"],
           xlabel=t("word.rows", lang), title=t("dq.rows_chart", lang))
    format_count_axis(ax.xaxis, lang)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncols=2)
    return fig


def plot_monthly_coverage(coverage: pd.DataFrame, *, lang: str = "en",
                          ax: Axes | None = None) -> Figure:
    """Bars of lines per month with revenue on a second axis; empty months stand out."""
    return monthly_bars_with_line(
        coverage["month"], coverage["lines"], coverage["revenue"],
        title=t("dq.coverage_title", lang), bar_label=t("word.rows", lang),
        line_label=t("word.revenue", lang),
        format_bars=lambda axis: format_count_axis(axis, lang),
        format_line=lambda axis: format_money_axis(axis, lang),
        bar_colors=list(np.where(coverage["lines"] == 0, "#D55E00", "#56B4E9")),
        line_color="#0072B2", ax=ax,
    )


def plot_missing_values(missing: pd.DataFrame, *, lang: str = "en",
                        ax: Axes | None = None) -> Figure:
    """Share of missing values for each column that has any."""
    shown = missing[missing["missing"] > 0].sort_values("share")
    fig, ax = axes_for(ax, (8, 0.35 * max(len(shown), 1) + 1.6))
    labels = [f"{t('table.' + tb, lang)} · {column_label(col, lang)}"
              for tb, col in zip(shown["table"], shown["column"])]
    ax.barh(labels, shown["share"] * 100, color="#E69F00")
    ax.set(xlabel=t("word.missing_share", lang) + " (%)", title=t("dq.missing_title", lang),
           xlim=(0, 100))
    return fig


def plot_amount_distribution(amounts: pd.Series, threshold: float, *, lang: str = "en",
                             ax: Axes | None = None) -> Figure:
    """Histogram of positive line amounts on a log axis, with the outlier fence."""
    fig, ax = axes_for(ax, (8, 3.6))
    positive = amounts[amounts > 0]
    if not positive.empty:
        bins = np.logspace(np.log10(positive.min()), np.log10(positive.max()) + 1e-9, 50)
        ax.hist(positive, bins=bins, color="#009E73")
        ax.set_xscale("log")
    if np.isfinite(threshold):
        ax.axvline(threshold, color="#D55E00", linestyle="--", label=t("dq.outlier_line", lang))
        format_count_axis(ax.yaxis, lang)
        ax.legend()
    ax.set(xlabel=t("dq.amount_x", lang), ylabel=t("word.rows", lang),
           title=t("dq.amount_title", lang))
    return fig


def explore_widget(dataset: Dataset, *, lang: str = "en") -> Any:
    """JupyterLab widget: pick a table to see its first loaded rows (personal data masked)."""
    import ipywidgets as widgets
    from IPython.display import display

    from workbench.safety import mask_frame

    tables = [name for name in TABLES if getattr(dataset, name) is not None]
    if dataset.returns is not None:
        tables.append("returns")
    picker = widgets.Dropdown(options=tables, description=t("word.table", lang))
    output = widgets.Output()

    def refresh(_: Any = None) -> None:
        output.clear_output()
        with output:
            display(mask_frame(getattr(dataset, picker.value).head(20)))

    picker.observe(refresh, names="value")
    refresh()
    return widgets.VBox([picker, output])
