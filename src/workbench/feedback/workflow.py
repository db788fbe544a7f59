"""The whole feedback analysis in one call (:func:`analyse`) and the shared results it gives.

Computation only: numbers, codes and frames. What the ``06_feedback`` report says of them
(sentences, labels, formatted tables) is in :mod:`workbench.feedback.report`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from workbench.features import canonical_rows
from workbench.feedback.drivers import behaviour_after_feedback
from workbench.feedback.scores import nps_group, period_bounds
from workbench.feedback.sentiment import SentimentModel, load_sentiment_model
from workbench.feedback.text import Segmenter, default_segmenter, detect_languages
from workbench.feedback.themes import CategoryRules, Topics, fit_topics
from workbench.summary import day_after, up_to

__all__ = [
    "COMPARISON_DIMENSIONS",
    "EXPORT_COLUMNS",
    "EXPORT_LABELS",
    "SENTIMENTS",
    "FeedbackResult",
    "analyse",
    "analyse_dataset",
    "answers_set_aside",
    "comments_frame",
    "comments_result",
    "comparison_dimensions",
    "driver_metric",
    "period_span",
    "response_ids",
    "result_frame",
    "score_comments",
    "sentiment_labels",
    "topic_indicators",
    "topic_table",
    "trend_metrics",
]

SENTIMENTS = ("positive", "neutral", "negative")


#: Columns of :func:`export_frame`, one row per answer in input order; ``exports/feedback.csv``
#: adds ``language_label`` and ``sentiment_label`` (:data:`EXPORT_LABELS`) beside their codes.
EXPORT_COLUMNS = ("customer_id", "submitted_at", "language", "sentiment", "sentiment_score",
                  "categories", "categories_label", "topic", "topic_label")


#: Code columns of the export and the catalogue key of their label (``ctx.export(labels=)``).
EXPORT_LABELS = {"language": "fb.language.{code}", "sentiment": "fb.sentiment.{code}"}


@dataclass
class FeedbackResult:
    """Everything the report needs: one row per answer (``frame``, input order) and more.

    ``frame`` adds to the feedback columns: ``in_scope`` (submitted on or before ``as_of``),
    ``nps_group``, ``language``, ``sentiment_score`` (probability positive, NaN without
    text), ``sentiment``, ``categories`` (list of category keys mentioned),
    ``main_category``, ``topic`` (0-based, -1 none), ``topic_label``, ``tier`` when customers
    have it, ``segment`` (RFM 8-class code) when segments are passed to :func:`analyse`, and
    with transactions ``observed``, ``purchases_after``, ``spend_after``, ``churned``.
    """

    frame: pd.DataFrame
    topics: Topics
    rules: CategoryRules
    tokens: list[list[str]]
    as_of: pd.Timestamp
    horizon_days: int
    models: dict[str, SentimentModel] = field(default_factory=dict)

    @property
    def answers(self) -> pd.DataFrame:
        """The answers up to ``as_of`` (what scores and drivers use)."""
        return self.frame[self.frame["in_scope"]]

    @property
    def comments(self) -> pd.DataFrame:
        """Answers up to ``as_of`` with a comment that has words."""
        answers = self.answers
        return answers[answers["language"] != "empty"]


def sentiment_labels(scores: pd.Series, band: tuple[float, float] = (0.4, 0.6)) -> pd.Series:
    """``negative`` below ``band[0]``, ``positive`` from ``band[1]``, ``neutral`` between,
    None without a score."""
    values = pd.to_numeric(scores, errors="coerce")
    out = pd.Series(None, index=scores.index, dtype=object)
    out[values < band[0]] = "negative"
    out[(values >= band[0]) & (values < band[1])] = "neutral"
    out[values >= band[1]] = "positive"
    return out


def analyse(feedback: pd.DataFrame, *, customers: pd.DataFrame | None = None,
            transactions: pd.DataFrame | None = None, as_of: pd.Timestamp | str | None = None,
            segments: pd.DataFrame | None = None, segmenter: Segmenter | None = None, user_words: Sequence[str] = (),
            user_dict: str | None = None,
            sentiment_models: Mapping[str, SentimentModel] | None = None,
            rules: CategoryRules | None = None, n_topics: int = 8,
            neutral_band: tuple[float, float] = (0.4, 0.6), horizon_days: int = 90,
            random_state: int = 0) -> FeedbackResult:
    """Scores, language, sentiment, categories, topics and behaviour for every answer.

    Parameters
    ----------
    feedback
        Canonical feedback (``customer_id``, ``submitted_at``, optional ``nps``, ``csat``,
        ``ces``, ``comment``, ``channel``, ``category``), as :func:`workbench.io.load_dataset`
        returns it.
    customers, transactions
        Optional: ``tier`` comes from customers; the purchases after each answer from
        transactions.
    segments
        Optional per-customer segments with ``customer_id`` and ``segment_cn8``: the
        segmentation report's shared result (``ctx.result("segments")``) or
        :func:`workbench.segmentation.segment` ``(...).customers``. Never recomputed here.
    as_of
        Reference date (inclusive); defaults to the last answer. Later answers are kept in
        ``frame`` (and the export) but left out of scores and drivers.
    segmenter, user_words, user_dict
        A :class:`~workbench.feedback.text.Segmenter`, or words / a jieba dictionary file
        added to the shipped customer-service dictionary.
    sentiment_models
        ``{"zh": model, "en": model}`` to replace the shipped models (e.g. from
        :func:`~workbench.feedback.sentiment.retrain`). Mixed comments use the Chinese model.
    rules
        The complaint-category dictionary (default :data:`~.themes.DEFAULT_CATEGORIES`).
    n_topics
        Number of NMF topics.
    neutral_band
        Probability-positive range labelled neutral.
    horizon_days
        Window after each answer for the churn and spend link (days).
    """
    missing = [c for c in ("customer_id", "submitted_at") if c not in feedback]
    if missing:
        raise ValueError(f"feedback lacks column(s) {', '.join(missing)}")
    # answers in an order of their values: the topics, the ids of same-second answers and
    # "the last answer" do not depend on how the source stored them
    frame = canonical_rows(feedback, ("submitted_at", "customer_id")).copy()
    as_of = pd.Timestamp(as_of).normalize() if as_of is not None else frame["submitted_at"].max().normalize()
    frame["in_scope"] = frame["submitted_at"] < day_after(as_of)
    frame["nps_group"] = nps_group(frame["nps"]) if "nps" in frame else None
    rules = rules or CategoryRules()
    scored, tokens, models = score_comments(frame, segmenter=segmenter, user_words=user_words,
                                            user_dict=user_dict, sentiment_models=sentiment_models,
                                            rules=rules, neutral_band=neutral_band)
    for column in scored:
        frame[column] = scored[column].to_numpy()
    topics = fit_topics(tokens, n_topics, random_state=random_state)
    frame["topic"] = topics.assignment
    frame["topic_label"] = topics.labels()

    if customers is not None and "tier" in customers:
        tiers = customers.drop_duplicates("customer_id").set_index("customer_id")["tier"]
        frame["tier"] = frame["customer_id"].map(tiers)
    if transactions is not None and not transactions.empty:
        behaviour = behaviour_after_feedback(frame, transactions, as_of, horizon_days=horizon_days)
        frame = frame.join(behaviour)
    return with_segments(FeedbackResult(frame, topics, rules, tokens, as_of, horizon_days, models),
                         segments)


def with_segments(result: FeedbackResult, segments: pd.DataFrame | None) -> FeedbackResult:
    """``result`` with each answer's ``segment`` (the customer's ``segment_cn8`` code in
    ``segments``; blank for a customer without one), as :func:`analyse` adds it when given
    ``segments``. Lets a report score the comments first and join the segmentation report's
    result when it is there; None or a frame without ``segment_cn8`` returns ``result``.

    The column sits where :func:`analyse` puts it: in place of a ``segment`` column the
    feedback already had, else after ``tier`` and before the behaviour columns."""
    if segments is None or "segment_cn8" not in segments:
        return result
    codes = segments.drop_duplicates("customer_id")
    codes = pd.Series(codes["segment_cn8"].astype(object).to_numpy(),
                      index=codes["customer_id"].astype(str).to_numpy())
    frame = result.frame.copy()
    values = frame["customer_id"].astype(str).map(codes)
    if "segment" in frame:
        frame["segment"] = values
    else:
        columns = list(frame.columns)
        frame.insert(columns.index("observed") if "observed" in columns else len(columns),
                     "segment", values)
    return replace(result, frame=frame)


def score_comments(feedback: pd.DataFrame, *, segmenter: Segmenter | None = None,
                   user_words: Sequence[str] = (), user_dict: str | None = None,
                   sentiment_models: Mapping[str, SentimentModel] | None = None,
                   rules: CategoryRules | None = None, neutral_band: tuple[float, float] = (0.4, 0.6)
                   ) -> tuple[pd.DataFrame, list[list[str]], dict[str, SentimentModel]]:
    """Language, sentiment and categories of every answer's comment (same index as ``feedback``).

    Returns the frame (``language``, ``sentiment_score`` = probability positive, NaN without
    text, ``sentiment``, ``categories`` = list of category keys mentioned, ``main_category``),
    the tokens of each comment and the sentiment models used (see :func:`analyse` for the
    parameters). Every sentiment and category of the package comes from here.
    """
    comments = feedback["comment"] if "comment" in feedback else pd.Series(None, index=feedback.index, dtype=object)
    comments = comments.astype(object).where(comments.notna(), None)
    out = pd.DataFrame(index=feedback.index)
    out["language"] = detect_languages(comments.fillna("")).to_numpy()
    if segmenter is None:
        segmenter = Segmenter(user_words, user_dict) if (user_words or user_dict) else default_segmenter()
    texts = comments.tolist()
    cut = segmenter.cut_many(texts)
    tokens = segmenter.tokens_many(texts, cut=cut)
    models = {"zh": load_sentiment_model("zh"), "en": load_sentiment_model("en")}
    models.update(sentiment_models or {})
    score = np.full(len(out), np.nan)
    language = out["language"].to_numpy()
    for lang, use in (("zh", np.isin(language, ["zh", "mixed"])), ("en", language == "en")):
        idx = np.flatnonzero(use)
        if len(idx):
            score[idx] = models[lang].predict_proba([texts[i] for i in idx], [cut[i] for i in idx])[:, 1]
    out["sentiment_score"] = score
    out["sentiment"] = sentiment_labels(out["sentiment_score"], neutral_band).to_numpy()
    assigned = (rules or CategoryRules()).assign(texts)
    out["categories"] = assigned["categories"].to_numpy()
    out["main_category"] = assigned["main_category"].to_numpy()
    return out, tokens, models


def response_ids(feedback: pd.DataFrame) -> pd.Series:
    """Each answer's id: the ``response_id`` column when the data has one, else a stable id
    built from the row, ``<customer_id>-<submitted_at as YYYYmmddHHMMSS>-<n>`` (``n`` counts
    the customer's answers at that same second in the order of :func:`analyse`, from 0)."""
    if "response_id" in feedback and feedback["response_id"].notna().all():
        return feedback["response_id"].astype(str)
    ids = feedback["customer_id"].astype(str)
    stamp = feedback["submitted_at"].dt.strftime("%Y%m%d%H%M%S").fillna("NaT")
    n = pd.DataFrame({"c": ids, "s": stamp}).groupby(["c", "s"], sort=False).cumcount()
    return (ids + "-" + stamp + "-" + n.astype(str)).rename("response_id")


def comments_frame(result: FeedbackResult) -> pd.DataFrame:
    """The shared ``comments`` result (schema in :mod:`workbench.results`): one row per answer
    on or before ``as_of``, oldest first.

    ``response_id`` from :func:`response_ids`; ``nps`` (0-10, blank when not asked);
    ``sentiment`` code of the comment (blank without words); ``complaint_categories`` the
    category codes the comment names joined by ``;`` when it is negative (a complaint), else
    empty, as in :func:`result_frame`.
    """
    frame = result.frame
    out = pd.DataFrame({
        "customer_id": frame["customer_id"].astype(str),
        "response_id": response_ids(frame),
        "submitted_at": frame["submitted_at"],
        "nps": pd.to_numeric(frame["nps"], errors="coerce").astype(float) if "nps" in frame else np.nan,
        "sentiment": frame["sentiment"].astype(object),
        "complaint_categories": _complaints(frame["categories"], frame["sentiment"]),
    })[frame["in_scope"].to_numpy()]
    return out.sort_values(["submitted_at", "customer_id", "response_id"], ignore_index=True)


def _complaints(categories: pd.Series, sentiment: pd.Series) -> pd.Series:
    """Category codes joined by ``;`` where the comment is negative and names one, else None."""
    joined = categories.map(lambda c: ";".join(c) if isinstance(c, list) and c else None)
    return joined.where(sentiment.astype(object) == "negative").astype(object)


def comments_result(feedback: pd.DataFrame, as_of: pd.Timestamp | str | None = None,
                    **options: Any) -> pd.DataFrame:
    """The ``comments`` result straight from the feedback table, for a report opened without
    the feedback report's result: :func:`score_comments` (``options`` go to it) on the answers
    up to ``as_of``, then :func:`comments_frame`."""
    as_of = pd.Timestamp(as_of).normalize() if as_of is not None else feedback["submitted_at"].max().normalize()
    known = canonical_rows(up_to(feedback, as_of, "submitted_at"), ("submitted_at", "customer_id"))
    scored, _, _ = score_comments(known, **options)
    frame = known.assign(**{c: scored[c].to_numpy() for c in scored}, in_scope=True)
    return comments_frame(FeedbackResult(frame, None, None, [], as_of, 0))


def analyse_dataset(dataset: Any, as_of: pd.Timestamp | None = None, **options: Any) -> FeedbackResult:
    """:func:`analyse` on a loaded :class:`workbench.io.Dataset` (its feedback, customers and
    transactions); ``options`` go to :func:`analyse` (e.g. ``segments``)."""
    return analyse(dataset.feedback, customers=dataset.customers, transactions=dataset.transactions,
                   as_of=as_of, **options)


def answers_set_aside(quality: Any) -> dict[str, int]:
    """Survey values the loader blanked (out of range or unreadable), per column."""
    out: dict[str, int] = {}
    for item in getattr(quality, "set_aside", []):
        if item.table == "feedback" and item.values_only and item.column in ("nps", "csat", "ces"):
            out[item.column] = out.get(item.column, 0) + item.rows
    return out


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def period_span(result: FeedbackResult, days: int | None = None) -> dict[str, Any]:
    """The dates a table or chart covers: the latest period (the last ``days`` days to
    ``as_of``, inclusive, as in :func:`~.scores.period_bounds`) or, with ``days=None``, all
    time (the first answer to ``as_of``). Returns ``start``, ``end`` (dates), ``days``,
    ``answers`` and ``comments`` in that span."""
    answers, comments = result.answers, result.comments
    if days is None:
        first = answers["submitted_at"].min() if len(answers) else result.as_of
        start = pd.Timestamp(first).normalize()
    else:
        start = period_bounds(result.as_of, days)[1]
    return {"days": days, "start": start.date(), "end": pd.Timestamp(result.as_of).date(),
            "answers": int((answers["submitted_at"] >= start).sum()),
            "comments": int((comments["submitted_at"] >= start).sum())}


def result_frame(result: FeedbackResult) -> pd.DataFrame:
    """The shared ``feedback`` result (schema in :mod:`workbench.results`): one row per
    customer with an answer on or before ``as_of``.

    ``last_nps`` is the NPS (0-10) of the customer's last answer that has one and
    ``last_feedback_at`` that answer's date (empty without any NPS answer); ``sentiment`` the
    code of their last comment with words; ``complaint_categories`` the category codes of that
    comment joined by ``;`` when it is negative (a complaint), else empty.
    """
    answers = result.answers.sort_values("submitted_at", kind="stable")
    ids = pd.Index(pd.unique(answers["customer_id"].astype(str)), name="customer_id")
    out = pd.DataFrame(index=ids)
    by_id = answers.assign(customer_id=answers["customer_id"].astype(str))
    if "nps" in by_id:
        scored = by_id[by_id["nps"].notna()].groupby("customer_id").last()
        out["last_nps"] = scored["nps"].reindex(ids).astype(float)
        out["last_feedback_at"] = scored["submitted_at"].reindex(ids).dt.normalize()
    else:
        out["last_nps"] = np.nan
        out["last_feedback_at"] = pd.NaT
    texts = by_id[by_id["sentiment"].notna()].groupby("customer_id").last()
    out["sentiment"] = texts["sentiment"].reindex(ids)
    out["complaint_categories"] = _complaints(texts["categories"], texts["sentiment"]).reindex(ids)
    return out.reset_index().sort_values("customer_id", ignore_index=True)


#: Dimensions compared in the report, in this order, when the column has 2+ values.
COMPARISON_DIMENSIONS = ("segment", "channel", "category", "tier")


def trend_metrics(answers: pd.DataFrame) -> list[str]:
    """Metrics with answers, for the monthly trend charts: nps, csat_top2, ces_mean."""
    present = {"nps": "nps", "csat_top2": "csat", "ces_mean": "ces"}
    return [m for m, c in present.items() if c in answers and answers[c].notna().any()]


def comparison_dimensions(answers: pd.DataFrame) -> list[str]:
    """The :data:`COMPARISON_DIMENSIONS` present in ``answers`` with two or more values."""
    return [d for d in COMPARISON_DIMENSIONS if d in answers and answers[d].nunique() >= 2]


def topic_table(result: FeedbackResult, n_examples: int = 2) -> pd.DataFrame:
    """Topics with top words, comment counts and example comments (raw text: show it through
    ``ctx.table``, which escapes and masks it)."""
    if result.topics.n_topics == 0:
        return pd.DataFrame(columns=["label", "comments", "share", "examples"])
    in_scope = result.frame["in_scope"].to_numpy()
    topics = Topics(result.topics.words, result.topics.weights[in_scope],
                    result.topics.assignment[in_scope], result.topics.reconstruction_error)
    summary = topics.summary(result.frame.loc[in_scope, "comment"], n_examples=n_examples)
    return summary[["label", "comments", "share", "examples"]]


def driver_metric(answers: pd.DataFrame) -> str | None:
    """``nps`` when answered, else ``csat_mean``, else None."""
    if "nps" in answers and answers["nps"].notna().any():
        return "nps"
    if "csat" in answers and answers["csat"].notna().any():
        return "csat_mean"
    return None


def topic_indicators(result: FeedbackResult) -> dict[str, pd.Series]:
    """One boolean per topic (among comments)."""
    comments = result.comments
    return {result.topics.label(k): comments["topic"] == k for k in range(result.topics.n_topics)}
