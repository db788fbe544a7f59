"""Report layer of the personalization report: headers, sentences, labels and metrics.

The numbers come from the computation modules of :mod:`workbench.recommend`; this module turns
them into catalogue text (``rec.*`` in ``workbench/locales/personalization.py``) in the report
language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbench.i18n import fmt_pct, fmt_pp, t
from workbench.recommend.cross_sell import EXPORT_COLUMNS
from workbench.recommend.evaluation import baseline_gap, best_model, evaluation_metrics
from workbench.recommend.rules import RULE_MIN_COUNT, RULE_MIN_SUPPORT

__all__ = ["CROSS_HEADERS", "EVAL_HEADERS", "EXPORT_HEADERS", "RULES_HEADERS", "cross_sell_table",
           "evaluation_display", "evaluation_table", "export_frame", "headline",
           "personalization_metrics", "reason_labels", "rules_sentence", "segment_labels",
           "with_reason_labels"]

RULES_HEADERS = {"antecedent": "rec.col.antecedent", "consequent": "rec.col.consequent",
                 "count": "rec.col.count", "support": "rec.col.support",
                 "confidence": "rec.col.confidence", "lift": "rec.col.lift"}


def rules_sentence(pairs: pd.DataFrame, offered: pd.DataFrame, *, min_support: float = RULE_MIN_SUPPORT,
                   min_count: int = RULE_MIN_COUNT) -> tuple[str, dict[str, str]]:
    """(key, values) introducing the rules table: baskets, the thresholds, how many pairs pass."""
    values = {"baskets": f"{pairs.attrs.get('baskets', 0):,}", "support": f"{min_support:.1%}",
              "min_count": f"{min_count:,}", "offered": f"{len(offered):,}", "pairs": f"{len(pairs):,}"}
    return ("rec.rules_text" if len(offered) else "rec.no_rules"), values



EVAL_HEADERS = {"model_name": "rec.col.model", "customers": "word.customers",
                "hit_rate": "rec.col.hit_rate", "precision_rate": "rec.col.precision",
                "recall_rate": "rec.col.recall", "coverage_rate": "rec.col.coverage",
                "uplift_rate": "rec.col.uplift", "uplift_relative": "rec.col.uplift_relative",
                "uplift_pp": "rec.col.uplift_pp"}
CROSS_HEADERS = {"segment_name": "rec.col.segment", "item": "rec.col.item", "customers": "word.customers",
                 "actual_share": "rec.col.actual", "expected_share": "rec.col.expected",
                 "gap_share": "rec.col.gap", "gap_pp": "rec.col.gap", "customers_without": "rec.col.without"}
EXPORT_HEADERS = {"customer_id": "rec.col.customer", "rank": "rec.col.rank", "item": "rec.col.item",
                  "score": "rec.col.score", "reason_label": "rec.col.reason",
                  "because_of": "rec.col.because_of"}



def reason_labels(codes: Sequence[str], because_of: Sequence[Any], segment: Sequence[Any],
                  lang: str = "en") -> list[str]:
    """The sentence of each reason code in ``lang``: ``often bought with B`` names the
    ``because_of`` item, ``popular in segment Gold`` the customer's segment."""
    sentences, which = _reason_sentences(codes, because_of, segment, lang)
    return np.array(sentences, dtype=object)[which].tolist()


def _reason_sentences(codes: Sequence[Any], because_of: Sequence[Any], segment: Sequence[Any],
                      lang: str) -> tuple[list[str], np.ndarray]:
    """The distinct sentences and, per row, which one: each distinct (code, item, segment)
    is written once, with its first row's values (few distinct sentences among many rows)."""
    columns = [values if isinstance(values, pd.Series) else np.asarray(values, dtype=object)
               for values in (codes, because_of, segment)]
    which = np.zeros(len(columns[0]), dtype=np.int64)
    for values in columns:
        group = _value_groups(values)
        which = pd.factorize(which * (int(group.max(initial=-1)) + 1) + group)[0]
    # groups are numbered in order of first appearance: a row starts a group where the
    # running maximum grows
    seen = np.maximum.accumulate(which)
    first = np.flatnonzero(np.r_[len(which) > 0, seen[1:] > seen[:-1]][:len(which)])
    code, item, seg = (values.iloc[first].to_numpy(dtype=object) if isinstance(values, pd.Series)
                       else values[first] for values in columns)
    return [t(f"rec.reason.{c}", lang, item=i, segment=s) for c, i, s in zip(code, item, seg)], which


def _value_groups(values: np.ndarray | pd.Series) -> np.ndarray:
    """Integer groups of equal values; missing values grouped by their type (``None``, NaN,
    ``pd.NA`` read differently in a sentence). A text column (``str``, missing as NaN) is
    grouped without turning its values into Python objects."""
    if isinstance(values, pd.Series):
        if values.dtype == "str":  # pandas 3 text: missing values are NaN
            groups, distinct = pd.factorize(values)
            groups[groups < 0] = len(distinct)  # NaN, as to_numpy(dtype=object) gives it
            return groups
        values = values.to_numpy(dtype=object)
    groups, distinct = pd.factorize(values)
    missing = groups < 0
    if missing.any():
        kinds = pd.factorize(np.frompyfunc(type, 1, 1)(values[missing]))[0]
        groups[missing] = len(distinct) + kinds
    return groups


def personalization_metrics(evaluation: pd.DataFrame, n: int) -> dict[str, Any]:
    """metrics.json (key ``personalization``): per model and baseline @n, plus the headline."""
    if evaluation.empty:
        return {"n": n, "models": {}, "headline": {lang: t("rec.eval_none", lang) for lang in ("en", "zh")}}
    return {"n": n, "customers_evaluated": int(evaluation["customers"].max()),
            "best_model": best_model(evaluation, n), "models": evaluation_metrics(evaluation, n),
            "headline": headline(evaluation, n)}


def evaluation_table(evaluation: pd.DataFrame, n: int, lang: str = "en") -> pd.DataFrame:
    """The rows for one N with model names in ``lang`` and the uplift over popularity.

    Rate columns are suffixed ``_rate`` so report tables show them as percentages.
    """
    table = evaluation[evaluation["n"] == n].rename(columns={
        "precision": "precision_rate", "recall": "recall_rate", "coverage": "coverage_rate"})
    base = table.loc[table["model"] == "popularity", "hit_rate"]
    base_value = float(base.iloc[0]) if len(base) else float("nan")
    table["uplift_rate"] = table["hit_rate"] / base_value - 1 if base_value else float("nan")
    table.insert(0, "model_name", [t(f"rec.model.{m}", lang) for m in table["model"]])
    return table.drop(columns=["n"]).reset_index(drop=True)



def _relative(value: float, lang: str) -> str:
    """A relative change labelled as such: ``+32.5% relative`` / ``相对 +32.5%``."""
    if value is None or np.isnan(value):
        return "–"
    return t("rec.relative", lang, value=f"{value:+.1%}")


def evaluation_display(evaluation: pd.DataFrame, n: int, lang: str = "en") -> pd.DataFrame:
    """:func:`evaluation_table` ready to show: the comparison with the baseline as two
    labelled columns from :func:`baseline_gap`, ``uplift_relative`` (``+32.5% relative``)
    and ``uplift_pp`` (``+10.5 pp``); a dash on the baseline's own row."""
    table = evaluation_table(evaluation, n, lang).drop(columns=["uplift_rate"])
    gaps = [baseline_gap(evaluation, n, m) for m in table["model"]]
    own = (table["model"] == "popularity").to_numpy()
    table["uplift_relative"] = ["–" if o else _relative(g["relative"], lang) for g, o in zip(gaps, own)]
    table["uplift_pp"] = ["–" if o else fmt_pp(g["difference"], lang) for g, o in zip(gaps, own)]
    return table



def headline(evaluation: pd.DataFrame, n: int) -> dict[str, str]:
    """One sentence per language: the best co-purchase model against the baseline."""
    model = best_model(evaluation, n)
    gap = baseline_gap(evaluation, n, model)
    key = "rec.headline.beats" if gap["ours"] > gap["base"] else "rec.headline.not_beats"
    return {lang: t(key, lang, model=t(f"rec.model.{model}", lang), n=n, ours=fmt_pct(gap["ours"]),
                    base=fmt_pct(gap["base"]), diff=fmt_pp(gap["difference"], lang),
                    relative=_relative(gap["relative"], lang))
            for lang in ("en", "zh")}



def cross_sell_table(cross: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """:func:`cross_sell_by_segment` ready to show: the gap between the two shares as
    percentage points (``gap_pp``, through :func:`workbench.i18n.fmt_pp`), not a share."""
    out = cross.drop(columns=["segment", "gap_share"], errors="ignore")
    position = list(out.columns).index("customers_without") if "customers_without" in out else len(out.columns)
    out.insert(position, "gap_pp", [fmt_pp(float(v), lang) for v in cross["gap_share"]])
    return out


def with_reason_labels(recommendations: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """:meth:`CoPurchase.recommend` with ``reasons=True`` plus ``reason_label``: the sentence
    of each reason code in ``lang``, placed before ``because_of``."""
    out = recommendations.copy()
    sentences, which = _reason_sentences(*(out[c] for c in ("reason", "because_of",
                                                           "reason_segment")), lang)
    # the column a list of the sentences would make, built from the distinct ones
    labels = pd.Series(np.array(sentences, dtype=object)).array.take(which) if len(which) else []
    out.insert(list(out.columns).index("because_of"), "reason_label", labels)
    return out


def export_frame(recommendations: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """The campaign file (:data:`EXPORT_COLUMNS`) from :func:`with_reason_labels` (or from
    :meth:`CoPurchase.recommend` with ``reasons=True`` and ``lang`` given); only
    ``reason_label`` depends on the report language."""
    if "reason_label" not in recommendations:
        recommendations = with_reason_labels(recommendations, lang or "en")
    return recommendations[list(EXPORT_COLUMNS)].round({"score": 6})



def segment_labels(frame: pd.DataFrame | pd.Series, column: str, lang: str = "en") -> dict[str, str]:
    """Display names for segment keys of ``frame[column]`` (or of a series of
    :func:`segment_series`): cn8/en11 keys translated, other values as they are."""
    values = frame if isinstance(frame, pd.Series) else frame[column]
    keys = values.dropna().astype(str).unique()
    prefix = {"segment_cn8": "seg.cn8.", "segment_en11": "seg.en11."}.get(column)
    if prefix is None:
        return {k: k for k in keys}
    return {k: t(prefix + k, lang) for k in keys}

