"""The run's front page, ``index.html``: headline figures, one card per report, data quality."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from workbench.i18n import fmt_money, fmt_number, fmt_pct, fmt_pp, t
from workbench.io import QualityReport
from workbench.overview import kpi_cards
from workbench.safety import atomic_write, escape_html

__all__ = ["write_index"]

_CSS = """
body{font-family:"Noto Sans CJK SC","Workbench CJK Sans","PingFang SC","Microsoft YaHei",
 system-ui,sans-serif;margin:0;background:#f5f7fa;color:#1f2933}
header{background:#0b3c5d;color:#fff;padding:24px 40px}
header h1{margin:0 0 6px;font-size:1.7em}header p{margin:0;opacity:.85}
main{padding:24px 40px;max-width:1200px}
h2{font-size:1.2em;margin:28px 0 12px}
.kpis,.cards{display:flex;flex-wrap:wrap;gap:14px}
.kpi{background:#fff;border-radius:10px;padding:14px 18px;min-width:170px;
 box-shadow:0 1px 3px rgba(0,0,0,.08)}
.kpi .label{color:#52606d;font-size:.9em}.kpi .value{font-size:1.6em;font-weight:700;margin:4px 0}
.kpi .note{color:#7b8794;font-size:.85em}
.card{background:#fff;border-radius:10px;padding:16px 18px;width:250px;
 box-shadow:0 1px 3px rgba(0,0,0,.08);border-top:4px solid #9aa5b1}
.card.ok{border-top-color:#2f9e44}.card.failed{border-top-color:#c92a2a}
.card.skipped{border-top-color:#f0ad4e}
.card h3{margin:0 0 8px;font-size:1.05em}.status{font-weight:700}
.ok .status{color:#2f9e44}.failed .status{color:#c92a2a}.skipped .status{color:#b7791f}
.error{color:#c92a2a;font-size:.85em;word-break:break-word;margin-top:6px}
.card a{color:#0b5cad}.meta{color:#7b8794;font-size:.85em}
table{border-collapse:collapse;background:#fff}td,th{padding:6px 12px;border-bottom:1px solid #e4e7eb;
 text-align:left}
"""


def _quality_html(quality: QualityReport, lang: str) -> str:
    rows = []
    for rep in quality.tables.values():
        set_aside = rep.rows_read - rep.rows_kept
        line = t("dq.summary_line", lang, rows_read=fmt_number(rep.rows_read, "en"),
                 rows_kept=fmt_number(rep.rows_kept, "en"),
                 rows_set_aside=fmt_number(set_aside, "en"),
                 customers=fmt_number(rep.customers, "en"),
                 date_min=rep.date_min or "–", date_max=rep.date_max or "–")
        rows.append(f"<tr><th>{escape_html(t(f'table.{rep.table}', lang))}</th>"
                    f"<td>{escape_html(line)}</td></tr>")
    notes = "".join(f"<li>{escape_html(w)}</li>" for w in quality.warning_lines(lang)[:10])
    return (f"<table>{''.join(rows)}</table>"
            + (f"<p>{escape_html(t('index.warnings', lang))}</p><ul>{notes}</ul>" if notes else ""))


def _kpi_value(key: str, value: float | None, lang: str, *, change: bool = False) -> str:
    if value is None:
        return "–"
    if key == "revenue_12m":
        text = fmt_money(value, lang)
        return f"+{text}" if change and value > 0 else text
    if key == "repeat_rate":
        return fmt_pp(value, lang) if change else fmt_pct(value)
    text = fmt_number(value, lang)
    return f"+{text}" if change and value > 0 else text


def _changes_html(changes: dict[str, Any], metrics: dict[str, Any], lang: str) -> str:
    """The "Since the last run" section: customers per change and the headline KPI deltas."""
    previous = changes.get("previous") or {}
    intro = t("chg.intro", lang, folder=Path(str(previous.get("folder", "–"))).name,
              as_of=previous.get("as_of") or "–")
    points = f"{changes.get('health_threshold', 10):g}"
    counts = "".join(
        f"<div class='kpi'><div class='label'>{escape_html(t(f'chg.code.{code}', lang, points=points))}"
        f"</div><div class='value'>{escape_html(fmt_number(n, lang))}</div></div>"
        for code, n in (changes.get("counts") or {}).items())
    days = (metrics.get("overview", {}).get("kpis") or {}).get("active_days", 90)
    names = {"customers": t("ov.kpi.customers", lang), "active_customers":
             t("ov.kpi.active", lang, days=days), "revenue_12m": t("ov.kpi.revenue_12m", lang),
             "repeat_rate": t("ov.kpi.repeat_rate", lang)}
    head = "".join(f"<th>{escape_html(t(f'chg.kpi.col.{c}', lang))}</th>"
                   for c in ("kpi", "before", "now", "change"))
    rows = "".join(
        f"<tr><th>{escape_html(names.get(key, key))}</th>"
        f"<td>{escape_html(_kpi_value(key, v.get('before'), lang))}</td>"
        f"<td>{escape_html(_kpi_value(key, v.get('now'), lang))}</td>"
        f"<td>{escape_html(_kpi_value(key, v.get('change'), lang, change=True))}</td></tr>"
        for key, v in (changes.get("kpis") or {}).items())
    return (f"<h2>{escape_html(t('chg.title', lang))}</h2><p>{escape_html(intro)}</p>"
            f"<div class='kpis changes'>{counts}</div>"
            f"<table style='margin-top:12px'><tr>{head}</tr>{rows}</table>"
            f"<p class='meta'>{escape_html(t('chg.details', lang))}</p>")


def write_index(out: Path, results: list[Any], metrics: dict[str, Any], *, lang: str,
                data_dir: Path, as_of: str | None, quality: QualityReport) -> Path:
    """Write ``out/index.html`` atomically; every text from data or errors is escaped."""
    kpis = metrics.get("overview", {}).get("kpis")
    if kpis:
        kpi_html = "".join(
            f"<div class='kpi'><div class='label'>{escape_html(label)}</div>"
            f"<div class='value'>{escape_html(value)}</div>"
            f"<div class='note'>{escape_html(note)}</div></div>"
            for label, value, note in kpi_cards(kpis, lang)
        )
    else:
        kpi_html = f"<p>{escape_html(t('index.no_kpis', lang))}</p>"
    cards = []
    for r in results:
        title = escape_html(t(f"topic.{r.topic}", lang))
        status = escape_html(t(f"status.{r.status}", lang))
        links = []
        if r.html:
            links.append(f"<a href='{escape_html(r.html)}'>{escape_html(t('index.open', lang))}</a>")
        if r.notebook:
            links.append(f"<a href='{escape_html(r.notebook)}'>{escape_html(t('index.notebook', lang))}</a>")
        duration = t("index.duration", lang, seconds=r.seconds) if r.seconds else ""
        error = f"<div class='error'>{escape_html(r.error)}</div>" if r.error else ""
        cards.append(
            f"<div class='card {r.status}'><h3>{title}</h3>"
            f"<div><span class='status'>{status}</span> <span class='meta'>{escape_html(duration)}</span></div>"
            f"{error}<div style='margin-top:8px'>{' · '.join(links)}</div></div>"
        )
    since = _changes_html(metrics["changes"], metrics, lang) if metrics.get("changes") else ""
    generated = t("index.generated", lang, data=data_dir.name, as_of=as_of or "–",
                  when=datetime.now().strftime("%Y-%m-%d %H:%M"))
    page = f"""<!DOCTYPE html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape_html(t('index.title', lang))}</title><style>{_CSS}</style></head>
<body><header><h1>{escape_html(t('index.title', lang))}</h1><p>{escape_html(generated)}</p></header>
<main>
<h2>{escape_html(t('index.kpis', lang))}</h2><div class="kpis">{kpi_html}</div>
{since}
<h2>{escape_html(t('index.reports', lang))}</h2><div class="cards">{''.join(cards)}</div>
<h2>{escape_html(t('index.quality', lang))}</h2>{_quality_html(quality, lang)}
</main></body></html>
"""
    path = out / "index.html"
    with atomic_write(path, "w", encoding="utf-8") as handle:
        handle.write(page)
    return path
