"""What the ``06_feedback`` report says: score cards, sentences, labelled and formatted tables.

The only feedback module besides :mod:`.plotting` that builds text; it reads a
:class:`~workbench.feedback.workflow.FeedbackResult`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbench.feedback.drivers import behaviour_by, behaviour_contrast
from workbench.feedback.scores import NPS_GROUPS, period_bounds, period_change, period_scores
from workbench.feedback.themes import CategoryRules, category_counts
from workbench.feedback.workflow import (
    EXPORT_COLUMNS,
    SENTIMENTS,
    FeedbackResult,
    _missing,
    driver_metric,
    period_span,
    topic_indicators,
)
from workbench.i18n import fmt_money, fmt_number, fmt_p, fmt_pct, fmt_pp, t

__all__ = [
    "DRIVER_COLUMNS",
    "HEADERS",
    "MONEY_COLUMNS",
    "NPS_COLUMNS",
    "behaviour_sentence",
    "behaviour_summary",
    "category_indicators",
    "category_table",
    "change_sentences",
    "complaint_indicators",
    "display_frame",
    "drivers",
    "export_frame",
    "feedback_metrics",
    "follow_up",
    "follow_up_values",
    "format_p",
    "group_period_values",
    "headers_for",
    "headline",
    "keyword_table",
    "label_groups",
    "language_table",
    "observed_label",
    "outcome_defined_sentence",
    "period_label",
    "score_cards",
    "scores_table",
    "sentiment_values",
]

def label_groups(table: pd.DataFrame, column: str, lang: str, *, kind: str) -> pd.DataFrame:
    """Replace group keys by their names: ``kind`` is ``nps_group``, ``sentiment``,
    ``segment`` (RFM 8-class) or ``category`` (uses the default dictionary)."""
    out = table.copy()

    def name(key: Any) -> Any:
        if key is None or (isinstance(key, float) and np.isnan(key)):
            return key
        if kind == "segment":
            return t(f"seg.cn8.{key}", lang)
        if kind == "category":
            return CategoryRules().name(str(key), lang)
        return t(f"fb.{kind}.{key}", lang)

    out[column] = out[column].map(name)
    return out


def _show(value: float, metric: str) -> str:
    """A score as the report shows it: NPS with one decimal, CSAT share as %, means 2 decimals."""
    if _missing(value):
        return "–"
    if metric == "csat_top2":
        return fmt_pct(value)
    return f"{value:,.{1 if metric == 'nps' else 2}f}"


def _show_interval(low: float, high: float, metric: str) -> str:
    if _missing(low) or _missing(high):
        return "–"
    return f"{_show(low, metric)} – {_show(high, metric)}"


def _show_change(value: float, metric: str, lang: str) -> str:
    """A change between periods: NPS in points, CSAT share in percentage points, means."""
    if _missing(value):
        return "–"
    if metric == "nps":
        return t("fb.points", lang, value=f"{value:+.1f}")
    if metric == "csat_top2":
        return fmt_pp(value, lang)
    return f"{value:+,.2f}"


def _show_change_interval(low: float, high: float, metric: str, lang: str) -> str:
    if _missing(low) or _missing(high):
        return "–"
    if metric == "csat_top2":
        unit = " 个百分点" if lang == "zh" else " pp"
        return f"{low * 100:+.1f} – {high * 100:+.1f}{unit}"
    if metric == "nps":
        return t("fb.points", lang, value=f"{low:+.1f} – {high:+.1f}")
    return f"{low:+,.2f} – {high:+,.2f}"


def period_label(result: FeedbackResult, lang: str = "en", days: int | None = None) -> str:
    """The span of :func:`period_span` in words: ``latest period: last 90 days, 2026-08-03
    to 2026-10-31`` or ``all time: 2024-01-02 to 2026-10-31`` (for chart titles and
    table captions)."""
    span = period_span(result, days)
    key = "fb.period.all" if days is None else "fb.period.latest"
    return t(key, lang, days=days, start=span["start"], end=span["end"])


def observed_label(result: FeedbackResult, lang: str = "en") -> str:
    """The span of the answers the behaviour section uses: those followed by a whole
    ``horizon_days`` window up to ``as_of`` (see :func:`~.drivers.behaviour_after_feedback`)."""
    frame = result.answers
    observed = frame[frame["observed"].astype(bool)] if "observed" in frame else frame.iloc[:0]
    if observed.empty:
        return t("fb.period.observed_none", lang, days=result.horizon_days)
    return t("fb.period.observed", lang, start=observed["submitted_at"].min().date(),
             end=observed["submitted_at"].max().date(), days=result.horizon_days,
             as_of=pd.Timestamp(result.as_of).date())


def group_period_values(result: FeedbackResult, lang: str = "en", *, days: int = 90) -> dict[str, str]:
    """Values of ``fb.by_period``: the group tables cover all time (named with its dates),
    beside the all-time and latest-period NPS of the score cards."""
    scores = period_scores(result.answers, result.as_of, days)
    nps = scores.get("nps")
    return {"period": period_label(result, lang), "days": str(days),
            "all_time": _show(nps["all_time"]["value"], "nps") if nps else "–",
            "latest": _show(nps["value"], "nps") if nps else "–"}


def outcome_defined_sentence(shown: Sequence[str], left_out: Sequence[str],
                             lang: str = "en") -> tuple[str, dict[str, str]]:
    """The catalogue key and values of the sentence under the drivers: complaint flags
    (negative comments about a theme) are not drivers, because the low score defines them;
    the drivers shown are mentions whatever their tone. The complaint themes are named only
    when they are not the themes shown (``shown``, the drivers' ``theme`` column)."""
    if not left_out:
        return "fb.outcome_defined_none", {}
    if set(left_out) == set(shown):
        return "fb.outcome_defined", {}
    return "fb.outcome_defined_named", {"themes": ", ".join(left_out)}


def score_cards(result: FeedbackResult, lang: str = "en", *, days: int = 90) -> list[tuple[str, str, str]]:
    """KPI cards: NPS, CSAT top-two-box, CSAT mean, CES mean over the latest period (the last
    ``days`` days to ``as_of``), each with its 95% interval, number of answers and the value
    over all time; and comments with their negative share."""
    scores = period_scores(result.answers, result.as_of, days)
    cards = []
    for metric, e in scores.items():
        note = t("fb.card_note", lang, days=days, interval=_show_interval(e["low"], e["high"], metric),
                 n=fmt_number(e["n"], "en"), all_time=_show(e["all_time"]["value"], metric))
        cards.append((t(f"fb.metric.{metric}", lang), _show(e["value"], metric), note))
    comments = result.comments
    if len(comments):
        negative = (comments["sentiment"] == "negative").mean()
        cards.append((t("fb.metric.comments", lang), fmt_number(len(comments), "en"),
                      t("fb.card_negative", lang, share=fmt_pct(negative))))
    return cards


def change_sentences(result: FeedbackResult, days: int, lang: str = "en") -> list[str]:
    """One sentence per metric: last ``days`` against the ``days`` before, and whether the
    change is significant at the 5% level (so noise is not celebrated)."""
    table = period_change(result.answers, result.as_of, days)
    sentences = []
    for row in table.itertuples():
        metric = t(f"fb.metric.{row.metric}", lang)
        if row.n_current < 2 or row.n_previous < 2:
            sentences.append(t("fb.change_too_few", lang, metric=metric,
                               n_current=row.n_current, n_previous=row.n_previous))
            continue
        values = {"metric": metric, "previous": _show(row.previous, row.metric),
                  "current": _show(row.current, row.metric),
                  "change": _show_change(row.change, row.metric, lang),
                  "n_current": fmt_number(row.n_current, "en"),
                  "n_previous": fmt_number(row.n_previous, "en"), "days": days}
        if _missing(row.p_value):  # no spread in either period: nothing to test
            sentences.append(t("fb.change_untestable", lang, **values))
            continue
        key = "fb.change_significant" if row.significant else "fb.change_noise"
        sentences.append(t(key, lang, **values, p=fmt_p(row.p_value),
                           interval=_show_change_interval(row.low, row.high, row.metric, lang)))
    return sentences


def complaint_indicators(result: FeedbackResult, lang: str = "en") -> dict[str, pd.Series]:
    """One boolean per category: the comment is negative and mentions it (among comments)."""
    comments = result.comments
    negative = comments["sentiment"] == "negative"
    return {result.rules.name(key, lang): negative & comments["categories"].map(lambda c, k=key: k in c)
            for key in result.rules.keys}


def category_indicators(result: FeedbackResult, lang: str = "en") -> dict[str, pd.Series]:
    """One boolean per category: the comment mentions it, whatever its sentiment (among
    comments). Unlike :func:`complaint_indicators` this is not built from the sentiment, so
    it can be a driver of the score."""
    comments = result.comments
    return {result.rules.name(key, lang): comments["categories"].map(lambda c, k=key: k in c).astype(bool)
            for key in result.rules.keys}


def export_frame(result: FeedbackResult, lang: str = "en") -> pd.DataFrame:
    """``exports/feedback.csv`` without its catalogue labels: one row per answer in input order.

    Columns (:data:`EXPORT_COLUMNS`): ``language`` (code ``zh``/``en``/``mixed``/``empty``),
    ``sentiment`` (code positive/neutral/negative, empty without text), ``sentiment_score``
    (probability positive), ``categories`` (codes of the categories mentioned joined by
    ``;``) and ``categories_label`` (their names in ``lang`` joined by ``"; "``), ``topic``
    (1-based topic number, empty for none) and ``topic_label`` (``T3: 快递 · 物流 · 发货``,
    words from the comments). Only the ``*_label`` columns depend on ``lang``; write it with
    ``ctx.export(frame, labels=EXPORT_LABELS)`` to add the language and sentiment labels.
    """
    frame = result.frame
    topic = pd.Series(frame["topic"].to_numpy(), dtype="Int64") + 1
    out = pd.DataFrame({
        "customer_id": frame["customer_id"].to_numpy(),
        "submitted_at": frame["submitted_at"].dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
        "language": frame["language"].to_numpy(),
        "sentiment": pd.Series(frame["sentiment"].to_numpy(), dtype="string"),
        "sentiment_score": frame["sentiment_score"].round(4).to_numpy(),
        "categories": [";".join(cats) for cats in frame["categories"]],
        "categories_label": ["; ".join(result.rules.name(k, lang) for k in cats)
                             for cats in frame["categories"]],
        "topic": topic.where(topic > 0),
        "topic_label": frame["topic_label"].to_numpy(),
    })
    return out[list(EXPORT_COLUMNS)]


def feedback_metrics(result: FeedbackResult, *, days: int = 90, set_aside: Mapping[str, int] | None = None,
                     lang_values: Sequence[str] = ("en", "zh")) -> dict[str, Any]:
    """Headline figures for ``metrics.json`` (key ``feedback``).

    The headline is the latest period: ``period`` gives its dates (the ``days`` days ending
    on ``as_of``, inclusive, and the period before). ``nps``, ``csat_top2``, ``csat_mean``
    and ``ces_mean`` hold the latest period's ``value``, ``low``, ``high`` (95% interval),
    ``n``, with ``previous`` (the period before) and ``change`` (NPS points, a share
    difference, or a difference of means, with its interval and p value); ``nps`` also
    ``promoter_share`` and ``detractor_share``. ``top_categories`` are the latest period's.
    ``all_time`` holds the same scores over every answer up to ``as_of`` and the top
    categories over them; ``change`` (a list) the rows of :func:`~.scores.period_change`.
    ``headline``: one sentence per language (what the overview repeats).
    """
    answers, comments = result.answers, result.comments
    prev_start, start, end = period_bounds(result.as_of, days)
    recent_answers = answers[answers["submitted_at"] >= start]
    recent = comments[comments["submitted_at"] >= start]
    scores = period_scores(answers, result.as_of, days)

    def top_of(frame: pd.DataFrame) -> list[dict[str, Any]]:
        counts = category_counts(frame["categories"], frame["sentiment"] == "negative", result.rules)
        top = counts[counts["complaints"] > 0].head(3)
        return [{"category": r.category, "name_en": result.rules.name(r.category, "en"),
                 "name_zh": result.rules.name(r.category, "zh"), "complaints": r.complaints,
                 "complaint_share": r.complaint_share} for r in top.itertuples()]

    def headline_of(metric: str) -> dict[str, Any] | None:
        if metric not in scores:
            return None
        e = scores[metric]
        keep = {k: e[k] for k in ("value", "low", "high", "n", "previous", "change")}
        if metric == "nps":
            n = e["n"]
            keep["promoter_share"] = float((recent_answers["nps_group"] == "promoter").sum() / n) if n else float("nan")
            keep["detractor_share"] = float((recent_answers["nps_group"] == "detractor").sum() / n) if n else float("nan")
        return keep

    metrics: dict[str, Any] = {
        "as_of": result.as_of,
        "period": {"days": days, "start": start.date(), "end": (end - pd.Timedelta(days=1)).date(),
                   "previous_start": prev_start.date(),
                   "previous_end": (start - pd.Timedelta(days=1)).date()},
        "nps": headline_of("nps"),
        "csat_top2": headline_of("csat_top2"),
        "csat_mean": headline_of("csat_mean"),
        "ces_mean": headline_of("ces_mean"),
        "all_time": {metric: scores[metric]["all_time"] if metric in scores else None
                     for metric in ("nps", "csat_top2", "csat_mean", "ces_mean")}
        | {"top_categories": top_of(comments)},
        "counts": {"answers": len(answers), "comments": len(comments),
                   "answers_in_period": len(recent_answers), "comments_in_period": len(recent),
                   "answers_after_as_of": int((~result.frame["in_scope"]).sum()),
                   "languages": comments["language"].value_counts().to_dict(),
                   "values_set_aside": dict(set_aside or {})},
        "sentiment_shares": {s: float((comments["sentiment"] == s).mean()) if len(comments) else None
                             for s in SENTIMENTS},
        "top_categories": top_of(recent),
        "change": period_change(answers, result.as_of, days).drop(
            columns=["previous_start", "current_start", "end"]).to_dict("records")
        if len(answers) else [],
        "sentiment_model": {lang: {"version": m.metadata_.get("version"),
                                   "holdout_accuracy": m.metadata_.get("holdout", {}).get("accuracy")}
                            for lang, m in result.models.items()},
    }
    metrics["headline"] = {lang: headline(metrics, lang) for lang in lang_values}
    return metrics


def headline(metrics: Mapping[str, Any], lang: str = "en") -> str:
    """One sentence on the latest period: NPS (or CSAT) with its interval and its change
    against the period before, and the most common complaint of the period."""
    period = metrics["period"]
    days, end = period["days"], str(period["end"])
    top = metrics["top_categories"][0] if metrics["top_categories"] else None
    complaint = (t("fb.headline_complaint", lang, category=top[f"name_{lang}"], start=str(period["start"]),
                   end=end, share=fmt_pct(top["complaint_share"], 0))
                 if top else t("fb.headline_no_complaint", lang))
    for metric in ("nps", "csat_top2"):
        e = metrics.get(metric)
        if not e:
            continue
        if not e["n"]:
            all_time = metrics["all_time"][metric]
            return t(f"fb.headline_{metric}_empty", lang, days=days, end=end,
                     value=_show(all_time["value"], metric), n=fmt_number(all_time["n"], "en"))
        change = e["change"]
        if e["previous"]["n"] < 2 or e["n"] < 2 or _missing(change["p_value"]):
            versus = t("fb.versus_none", lang, days=days, n=fmt_number(e["previous"]["n"], "en"))
        else:
            versus = t("fb.versus", lang, days=days, change=_show_change(change["value"], metric, lang),
                       previous=_show(e["previous"]["value"], metric), p=fmt_p(change["p_value"]))
        return t(f"fb.headline_{metric}", lang, days=days, end=end, value=_show(e["value"], metric),
                 low=_show(e["low"], metric), high=_show(e["high"], metric),
                 n=fmt_number(e["n"], "en"), versus=versus, complaint=complaint)
    return t("fb.headline_comments", lang, days=days, end=end,
             n=fmt_number(metrics["counts"]["comments_in_period"], "en"), complaint=complaint)


def behaviour_summary(result: FeedbackResult, lang: str = "en") -> dict[str, pd.DataFrame]:
    """Churn and spend after feedback by NPS group and by comment sentiment (names in ``lang``)."""
    frame = result.answers
    if "observed" not in frame:
        return {}
    out = {}
    if "nps_group" in frame and frame["nps_group"].notna().any():
        out["nps_group"] = label_groups(behaviour_by(frame, "nps_group", order=NPS_GROUPS),
                                        "nps_group", lang, kind="nps_group")
    with_text = frame[frame["sentiment"].notna()]
    if len(with_text):
        out["sentiment"] = label_groups(behaviour_by(with_text, "sentiment", order=SENTIMENTS),
                                        "sentiment", lang, kind="sentiment")
    return out


def behaviour_sentence(result: FeedbackResult, lang: str = "en") -> str:
    """Detractors vs promoters: churn within the horizon, with interval and p value."""
    frame = result.answers
    if "observed" not in frame or "nps_group" not in frame:
        return t("fb.behaviour_none", lang)
    c = behaviour_contrast(frame, "nps_group", "detractor", "promoter")
    if c["n_group"] < 10 or c["n_reference"] < 10:
        return t("fb.behaviour_none", lang)
    key = "fb.behaviour_significant" if c["churn_significant"] else "fb.behaviour_noise"
    return t(key, lang, days=result.horizon_days, detractors=fmt_pct(c["churn_group"]),
             promoters=fmt_pct(c["churn_reference"]),
             difference=fmt_pp(c["churn_difference"], lang),
             interval=_show_change_interval(c["churn_low"], c["churn_high"], "csat_top2", lang),
             p=fmt_p(c["churn_p_value"]), n_d=fmt_number(c["n_group"], "en"),
             n_p=fmt_number(c["n_reference"], "en"))


#: Table headers of the report (column -> catalogue key).
HEADERS: dict[str, str] = {
    "group": "fb.col.group", "responses": "fb.col.answers", "answers": "fb.col.answers",
    "nps": "fb.metric.nps", "nps_low": "fb.col.low", "nps_high": "fb.col.high",
    "csat_top2_share": "fb.metric.csat_top2", "csat_mean": "fb.metric.csat_mean",
    "ces_mean": "fb.metric.ces_mean", "language": "fb.col.language", "comments": "fb.axis.comments",
    "comment_share": "word.share", "positive_share": "fb.col.positive_share",
    "negative_share": "fb.col.negative_share", "mean_score": "fb.col.mean_score",
    "category_name": "fb.col.category", "mentions": "fb.axis.mentions", "complaints": "fb.axis.complaints",
    "complaint_share": "fb.col.complaint_share", "label": "fb.col.topic", "share": "word.share",
    "examples": "fb.col.examples", "terms": "fb.col.terms", "theme": "fb.col.theme",
    "n_with": "fb.col.n_with", "with_theme": "fb.col.with_theme",
    "without_theme": "fb.col.without_theme", "difference": "fb.col.difference",
    "low": "fb.col.low", "high": "fb.col.high", "p_value": "fb.col.p_value",
    "churn_rate": "fb.axis.churn_rate", "churn_low_rate": "fb.col.low",
    "churn_high_rate": "fb.col.high", "spend_after": "fb.axis.spend_after",
    "spend_low": "fb.col.low", "spend_high": "fb.col.high",
    "customer_id": "fb.col.customer", "tier": "fb.col.tier", "spend": "fb.col.spend",
    "submitted_at": "fb.col.submitted_at", "sentiment_score": "fb.col.sentiment_score",
    "categories": "fb.col.categories", "comment": "fb.col.comment", "days_since": "fb.col.days_since",
    "phone": "fb.col.phone", "email": "fb.col.email", "name": "fb.col.name",
}


def headers_for(frame: pd.DataFrame) -> dict[str, str]:
    """The :data:`HEADERS` entries of the columns of ``frame``."""
    return {c: HEADERS[c] for c in frame.columns if c in HEADERS}


def scores_table(answers: pd.DataFrame, by: str, lang: str = "en", *, min_n: int = 30) -> pd.DataFrame:
    """Scores per group of ``by`` for display: ``group`` (named in ``lang``), answers, NPS
    with its interval, CSAT top-two-box and mean, CES mean (as present), ``small``."""
    from workbench.feedback.scores import scores_by

    order = None
    if by == "segment":
        from workbench.segmentation import CN8_SEGMENTS

        order = list(CN8_SEGMENTS.values())
    table = scores_by(answers, by, min_n=min_n, order=order)
    if by == "segment":
        table = label_groups(table, by, lang, kind="segment")
    table = table.rename(columns={by: "group"})
    keep = ["group", "responses", "nps", "nps_low", "nps_high", "csat_top2_share", "csat_mean",
            "ces_mean", "small"]
    return table[[c for c in keep if c in table]]


def language_table(result: FeedbackResult, lang: str = "en") -> pd.DataFrame:
    """Per detected language: comments, share, positive and negative shares, mean score."""
    comments = result.comments
    rows = []
    for code, group in comments.groupby("language", sort=False):
        rows.append({"language": t(f"fb.language.{code}", lang), "comments": len(group),
                     "comment_share": len(group) / len(comments),
                     "positive_share": float((group["sentiment"] == "positive").mean()),
                     "negative_share": float((group["sentiment"] == "negative").mean()),
                     "mean_score": float(group["sentiment_score"].mean())})
    return pd.DataFrame(rows).sort_values("comments", ascending=False).reset_index(drop=True)


def sentiment_values(result: FeedbackResult) -> dict[str, str]:
    """Values for the sentiment paragraph: shares and the shipped model's held-out accuracy."""
    comments = result.comments
    meta = result.models["zh"].metadata_
    holdout = meta.get("holdout", {})
    return {"positive": fmt_pct((comments["sentiment"] == "positive").mean() if len(comments) else float("nan")),
            "neutral": fmt_pct((comments["sentiment"] == "neutral").mean() if len(comments) else float("nan")),
            "negative": fmt_pct((comments["sentiment"] == "negative").mean() if len(comments) else float("nan")),
            "version": str(meta.get("version", "custom")),
            "accuracy": fmt_pct(holdout.get("accuracy", float("nan"))),
            "n_holdout": fmt_number(holdout.get("n", 0), "en")}


def category_table(result: FeedbackResult, lang: str = "en", *, days: int | None = None) -> pd.DataFrame:
    """:func:`~.themes.category_counts` over the comments, with names in ``lang``: all
    comments up to ``as_of`` (``days=None``) or the latest period (the last ``days`` days
    to ``as_of``, the period of the headline; see :func:`period_span`)."""
    comments = result.comments
    if days is not None:
        comments = comments[comments["submitted_at"] >= period_bounds(result.as_of, days)[1]]
    return category_counts(comments["categories"], comments["sentiment"] == "negative", result.rules, lang)


def keyword_table(result: FeedbackResult, lang: str = "en", *, top_n: int = 8) -> pd.DataFrame:
    """Distinctive words of negative vs positive comments and of detractors vs promoters."""
    from workbench.feedback.themes import distinctive_terms

    frame = result.frame
    keep = np.flatnonzero(frame["in_scope"].to_numpy() & (frame["language"] != "empty").to_numpy())
    tokens = [result.tokens[i] for i in keep]
    rows = []
    for column, kind, groups in (("sentiment", "sentiment", ("negative", "positive")),
                                 ("nps_group", "nps_group", ("detractor", "promoter"))):
        if column not in frame or frame[column].isna().all():
            continue
        labels = frame[column].iloc[keep].where(frame[column].iloc[keep].isin(groups), None)
        terms = distinctive_terms(tokens, labels.tolist(), top_n=top_n)
        for group in groups:
            words = terms.loc[terms["group"] == group, "term"].tolist()
            if words:
                rows.append({"group": t(f"fb.{kind}.{group}", lang), "terms": " · ".join(words)})
    return pd.DataFrame(rows, columns=["group", "terms"])


def drivers(result: FeedbackResult, lang: str = "en", *, kind: str = "categories",
            min_n: int = 10) -> pd.DataFrame:
    """:func:`~.drivers.driver_table` among the comments, on NPS (or CSAT when there is no
    NPS), of the categories the comments mention (``kind="categories"``) or their topics
    (``"topics"``).

    ``kind="complaints"`` (a negative comment naming the category) is accepted, but those
    themes are built from the comment's sentiment, which stands for the score: they are
    defined by the outcome, so they are all left out (named in
    ``table.attrs["outcome_defined"]``).
    """
    from workbench.feedback.drivers import driver_table

    metric = driver_metric(result.comments)
    if metric is None:
        return pd.DataFrame(columns=["theme"])
    derived: dict[str, list[str]] = {}
    if kind == "complaints":
        flags = complaint_indicators(result, lang)
        derived = {name: ["sentiment", "categories"] for name in flags}
    elif kind == "categories":
        flags = category_indicators(result, lang)
        derived = {name: ["categories"] for name in flags}
    elif kind == "topics":
        flags = topic_indicators(result)
    else:
        raise ValueError(f"kind must be categories, topics or complaints, got {kind!r}")
    table = driver_table(result.comments, flags, metric=metric, min_n=min_n, derived_from=derived)
    digits = 1 if metric == "nps" else 2
    for column in ("with_theme", "without_theme", "difference", "low", "high"):
        table[column] = table[column].astype(float).round(digits)
    return table


def format_p(values: pd.Series) -> pd.Series:
    """p values as text for tables, through :func:`workbench.i18n.fmt_p` (``p < 0.001``,
    ``p = 0.034``; never ``p = 0``)."""
    return values.map(lambda p: "–" if pd.isna(p) else fmt_p(float(p)))


#: Money columns of the report's tables (currency units).
MONEY_COLUMNS = ("spend", "spend_after", "spend_low", "spend_high")


#: NPS columns of the report's tables (NPS points, shown with one decimal).
NPS_COLUMNS = ("nps", "nps_low", "nps_high")


#: Columns of :func:`drivers` in the units of its metric.
DRIVER_COLUMNS = ("with_theme", "without_theme", "difference", "low", "high")


def display_frame(frame: pd.DataFrame, lang: str = "en", *, metric: str | None = None) -> pd.DataFrame:
    """A table ready to show: money columns through :func:`workbench.i18n.fmt_money`, p
    values through :func:`format_p`, NPS (``nps``, ``nps_low``, ``nps_high`` when float: a
    group's NPS, not one answer's 0-10 score) in points with one decimal; with ``metric``
    (a :func:`drivers` table) its score columns with one decimal for NPS points, two for
    means."""
    out = frame.copy()
    digits = {c: 1 for c in NPS_COLUMNS}
    if metric is not None:
        digits |= {c: 1 if metric == "nps" else 2 for c in DRIVER_COLUMNS}
    for column, d in digits.items():
        if column in out and pd.api.types.is_float_dtype(out[column]):  # not a single answer's 0-10
            out[column] = pd.to_numeric(out[column], errors="coerce").map(
                lambda v, d=d: "–" if pd.isna(v) else f"{v:,.{d}f}").astype(object)
    for column in MONEY_COLUMNS:
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce").map(
                lambda v: "–" if pd.isna(v) else fmt_money(float(v), lang)).astype(object)
    if "p_value" in out:
        out["p_value"] = format_p(out["p_value"]).astype(object)
    return out


def follow_up(result: FeedbackResult, dataset: Any, lang: str = "en", *, days: int = 90,
              min_days: int = 7, high_value_share: float = 0.2,
              followup_events: Sequence[str] | None = None) -> pd.DataFrame:
    """The closed-loop list of :func:`~.drivers.follow_up_list` (answers ``min_days`` to
    ``days`` days old) with category names in ``lang`` (contact data masked); a missing
    comment, category or score is a dash."""
    from workbench.feedback.drivers import follow_up_list

    listing = follow_up_list(result.answers, customers=dataset.customers,
                             transactions=dataset.transactions, events=dataset.events,
                             as_of=result.as_of, days=days, min_days=min_days,
                             high_value_share=high_value_share, followup_events=followup_events)
    names = result.rules.names(lang)
    listing["categories"] = listing["categories"].map(
        lambda v: "; ".join(names.get(k, k) for k in v.split("; ")) if isinstance(v, str) and v else v)
    listing["submitted_at"] = listing["submitted_at"].map(
        lambda v: v.strftime("%Y-%m-%d") if isinstance(v, pd.Timestamp) else v)
    if "sentiment_score" in listing:
        listing["sentiment_score"] = pd.to_numeric(listing["sentiment_score"]).round(2)
    listing["spend"] = pd.to_numeric(listing["spend"]).round(0)
    if "nps" in listing:
        listing["nps"] = pd.to_numeric(listing["nps"]).round().astype("Int64")
    for column in ("nps", "sentiment_score", "categories", "comment"):
        if column in listing:
            values = listing[column].astype(object)
            blank = values.isna() | values.map(lambda v: isinstance(v, str) and not v.strip())
            listing[column] = values.where(~blank, "–")
    return listing


def follow_up_values(result: FeedbackResult, listing: pd.DataFrame, *, days: int = 90, min_days: int = 7,
                     high_value_share: float = 0.2) -> dict[str, str]:
    """Values of ``fb.follow_up_text``: how many customers, the spend share, and the dates
    of the answers listed (``min_days`` to ``days`` days before ``as_of``)."""
    end = pd.Timestamp(result.as_of).normalize()
    return {"n": fmt_number(len(listing), "en"), "share": fmt_pct(high_value_share, 0),
            "start": str((end - pd.Timedelta(days=days - 1)).date()),
            "end": str((end - pd.Timedelta(days=min_days)).date()), "min_days": str(min_days)}
