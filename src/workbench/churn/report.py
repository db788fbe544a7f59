"""What the churn report says: reason texts, labels, KPI cards, sentences, tables, exports.

The only churn module that builds text; the computation modules return numbers and codes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbench.churn.health import expected_value_ranking
from workbench.churn.reasons import NO_REASON, ReasonRules, reason_codes
from workbench.churn.workflow import (
    EXPORT_COLUMNS,
    ChurnResult,
    comparison,
    high_risk,
    latest_cutoff,
)
from workbench.i18n import CATALOGUE, fmt_money, fmt_number, fmt_p, t


def reasons(rules: ReasonRules, features: pd.DataFrame, *, top: int = 3, lang: str = "en"
            ) -> tuple[list[str], list[list[str]]]:
    """Each row's reason sentences and codes (:func:`reason_codes`), strongest first.

    Returns the sentences (joined by the language's list separator, or "no single standout
    reason") and the codes.
    """
    rows = features.reset_index(drop=True)
    keys = reason_codes(rules, rows, top=top)
    records = _records(rows)
    return [_reason_sentence(rules, row, k, lang) for row, k in zip(records, keys)], keys


def _reason_sentence(rules: ReasonRules, row: Mapping[str, Any], keys: Sequence[str], lang: str) -> str:
    parts = [_reason_text(key, row, rules, lang) for key in keys if key != NO_REASON]
    return t("churn.list_sep", lang).join(parts) if parts else t("churn.reason.none", lang)


def reason_label(code: str, lang: str = "en") -> str:
    """A short label for a reason code, without the customer's numbers (``overdue for a
    purchase``; ``support contacts: support tickets``)."""
    kind, _, name = str(code).partition(":")
    if not name:
        return t(f"churn.reason.{kind}", lang)
    if kind in ("complaint", "fading"):
        detail = event_label(name, lang)
    elif kind == "is":
        column, value = name.split("=", 1)
        kind, detail = "category", f"{feature_label(column, lang)} = {category_label(column, value, lang)}"
    else:
        detail = feature_label(name, lang)
    return t("churn.reason.detail", lang, reason=t(f"churn.reason.{kind}", lang), detail=detail)


def reason_texts(result: ChurnResult, lang: str = "en", rows: int | None = None) -> list[str]:
    """The reason sentences of the first ``rows`` scored customers (all by default), in the
    order of ``result.current``, each with the customer's own numbers."""
    current = result.current if rows is None else result.current.head(rows)
    if result.rules is None:
        return [t("churn.reason.none", lang)] * len(current)
    columns = _Columns(current)
    return [_reason_sentence(result.rules, _Row(columns, i), keys, lang)
            for i, keys in enumerate(columns["reason_keys"])]


class _Columns(dict):
    """The columns of ``frame`` as lists of Python values (as ``tolist``), each made when a
    row first reads it: a reason text reads a few of the scored customers' many columns."""

    def __init__(self, frame: pd.DataFrame):
        super().__init__()
        self.frame = frame
        self.names = list(frame.columns)

    def __missing__(self, column: str) -> list[Any]:
        values = self[column] = self.frame[column].tolist()
        return values


class _Row(Mapping):
    """Row ``i`` of :class:`_Columns` as a read-only mapping, like a ``to_dict`` record."""

    __slots__ = ("_columns", "_i")

    def __init__(self, columns: _Columns, i: int):
        self._columns, self._i = columns, i

    def __getitem__(self, column: str) -> Any:
        if column not in self._columns and column not in self._columns.frame:
            raise KeyError(column)
        return self._columns[column][self._i]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns.names)

    def __len__(self) -> int:
        return len(self._columns.names)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame.to_dict("records")`` built from whole columns (Python values, as there)."""
    columns = list(frame.columns)
    values = [frame[column].tolist() for column in columns]
    return [dict(zip(columns, row)) for row in zip(*values)]


def _value_text(column: str, value: Any, lang: str) -> str:
    if column in MONEY_COLUMNS:
        return fmt_money(float(value), lang)
    if isinstance(value, (float, np.floating, int, np.integer)):
        return fmt_number(float(value), lang, 0 if abs(value) >= 10 or float(value).is_integer() else 2)
    return str(value)


def _reason_text(key: str, row: Mapping[str, Any], rules: ReasonRules, lang: str) -> str:
    w = rules.window_days
    kind, _, name = key.partition(":")
    if key == "overdue":  # the typical gap of _typical_gap, for one row
        days = float(row["purchase_days"])
        gap = ((float(row["tenure_days"]) - float(row["recency_days"])) / (days - 1)
               if days > 1 else rules.base_gap)
        gap = max(gap, 1.0)
        return t("churn.reason_text.overdue", lang, days=f"{row['recency_days']:,.0f}",
                 ratio=f"{row['recency_days'] / gap:.1f}", gap=f"{gap:,.0f}")
    if key == "fewer_purchases":
        return t("churn.reason_text.fewer_purchases", lang, recent=f"{row['days_recent']:,.0f}",
                 before=f"{row['days_before']:,.0f}", w=w)
    if key == "falling_spend":
        return t("churn.reason_text.falling_spend", lang, recent=fmt_money(float(row["spend_recent"]), lang),
                 before=fmt_money(float(row["spend_before"]), lang), w=w)
    if kind == "complaint":
        return t("churn.reason_text.complaint", lang, event=event_label(name, lang),
                 n=f"{row['events:' + name]:,.0f}", w=w)
    if kind == "fading":
        return t("churn.reason_text.fading", lang, event=event_label(name, lang),
                 recent=f"{row['events:' + name]:,.0f}", before=f"{row['events_before:' + name]:,.0f}", w=w)
    if key == "detractor":
        return t("churn.reason_text.detractor", lang, score=f"{row['last_nps']:.0f}")
    if key == "recent_complaint":
        named = [complaint_category_label(c.split(":", 1)[1], lang) for c in row
                 if str(c).startswith("fb_complaint:") and row[c] > 0]
        return t("churn.reason_text.recent_complaint", lang, days=f"{row['fb_days_since_complaint']:,.0f}",
                 categories=t("churn.list_sep", lang).join(named) if named else "–")
    if key == "negative_feedback":
        nps = row.get("last_nps")
        score = f"NPS {nps:.0f}" if pd.notna(nps) else f"CSAT {row['last_csat']:.0f}"
        return t("churn.reason_text.negative_feedback", lang, score=score)
    if kind in ("low", "high"):
        q25, q75 = rules.quartiles[name]
        return t(f"churn.reason_text.{kind}", lang, feature=feature_label(name, lang),
                 value=_value_text(name, row[name], lang),
                 q=_value_text(name, q25 if kind == "low" else q75, lang))
    if kind == "is":
        column, value = name.split("=", 1)
        return t("churn.reason_text.category", lang, feature=feature_label(column, lang),
                 value=category_label(column, value, lang), rate=_pct(rules.category_rate[key]),
                 other=_pct(rules.other_rate[key]))
    raise KeyError(f"no text for the reason {key!r}")


#: Attributes shown as money (currency units).
MONEY_COLUMNS = {"mrr", "monthly_charges", "total_charges", "spend", "spend_recent", "spend_before",
                 "spend_per_day_bought"}


def category_label(column: str, value: str, lang: str) -> str:
    """A category value as readers see it: a catalogue label (``churn.value.<column>.<value>``,
    e.g. billing periods), a term in months, 0/1 flags as no/yes, other values as they are."""
    key = f"churn.value.{column}.{value}"
    if key in CATALOGUE:
        return t(key, lang)
    if column.endswith("_months"):
        try:
            return t("churn.n_months", lang, n=f"{float(value):g}")
        except ValueError:
            return value
    if value in ("0", "1", "0.0", "1.0", "True", "False"):
        return t("churn.yes" if value in ("1", "1.0", "True") else "churn.no", lang)
    return value


def complaint_category_label(code: str, lang: str) -> str:
    """The name of a complaint category code of the feedback dictionary (``logistics``)."""
    from workbench.feedback.themes import CategoryRules

    rules = CategoryRules()
    return rules.name(code, lang) if code in rules.categories else code


def event_label(name: str, lang: str) -> str:
    """A readable name for an event type (catalogue entry, else the name with spaces)."""

    key = f"churn.event.{name}"
    return t(key, lang) if key in CATALOGUE else str(name).replace("_", " ")


def feature_label(column: str, lang: str) -> str:
    """A readable name for a feature column."""

    if ":" in column:
        kind, name = column.split(":", 1)
        if kind.startswith("events"):
            name = event_label(name, lang)
        elif kind == "fb_complaint":
            name = complaint_category_label(name, lang)
        # a kind that is also a plain column (events_30d) names its per-type form ``<kind>_of``
        key = f"churn.feature.{kind}_of" if f"churn.feature.{kind}_of" in CATALOGUE else f"churn.feature.{kind}"
        return t(key, lang, name=name)
    key = f"churn.feature.{column}"
    return t(key, lang) if key in CATALOGUE else column.replace("_", " ")


def export_frame(result: ChurnResult, lang: str = "en") -> pd.DataFrame:
    """The action list for campaign tools, highest expected value first: :data:`EXPORT_COLUMNS`
    with ``top_reasons`` as reason codes joined by ``;`` (strongest first) and, after it,
    ``top_reasons_label``, the reason sentences in ``lang``. Export it with
    ``labels=EXPORT_LABELS`` to add ``recommended_action_label``."""
    frame = result.current[list(EXPORT_COLUMNS)].copy()
    frame["customer_id"] = frame["customer_id"].astype(str)
    frame.insert(frame.columns.get_loc("top_reasons") + 1, "top_reasons_label",
                 reason_texts(result, lang))
    return frame.reset_index(drop=True)


def kpis(result: ChurnResult, lang: str = "en") -> list[tuple[str, str, str]]:
    """KPI cards: high-risk customers, their value at stake, best model ROC-AUC."""
    high = high_risk(result)
    people = result.current["customer_id"].nunique()
    auc = float(result.report.scores.loc[result.report.best, "roc_auc"])
    return [
        (t("churn.kpi.high_risk", lang), f"{high['customer_id'].nunique():,}",
         t("churn.kpi.high_risk_note", lang, n=f"{people:,}")),
        (t("churn.kpi.value", lang), fmt_money(float(high["value_at_stake"].sum()), lang),
         t("churn.kpi.value_note", lang)),
        (t("churn.kpi.auc", lang), f"{auc:.3f}", t(f"churn.model.{result.report.best}", lang)),
    ]


def churn_metrics(result: ChurnResult) -> dict[str, Any]:
    """Headline figures for ``metrics.json`` (key ``churn``)."""
    scores = result.report.scores
    high = high_risk(result)
    auc = float(scores.loc[result.report.best, "roc_auc"])
    metrics = {
        "setting": result.setting,
        "base_rate": float(result.data.label.mean()),
        "rows": len(result.data.label),
        "models": {m: {"roc_auc": float(r["roc_auc"]), "pr_auc": float(r["pr_auc"]),
                       "brier": float(r["brier"])} for m, r in scores.iterrows()},
        "best_model": result.report.best,
        "bgnbd_baseline_auc": (result.baseline_auc or {}).get("prob_alive"),
        "bgnbd_expected_purchases_auc": (result.baseline_auc or {}).get("expected_purchases"),
        "high_risk_customers": int(high["customer_id"].nunique()),
        "value_at_stake_high_risk": float(high["value_at_stake"].sum()),
        "leakage": result.leakage,
        "save_rate_source": result.save_rate_source,
        "save_rate_mean": (float(result.current["save_rate"].mean())
                           if "save_rate" in result.current and len(result.current) else None),
    }
    metrics["headline"] = {
        lang: t("churn.headline", lang, high=f"{high['customer_id'].nunique():,}",
                value=fmt_money(float(high["value_at_stake"].sum()), lang),
                auc=f"{auc:.3f}") for lang in ("en", "zh")}
    return metrics


def _pct(value: float) -> str:
    return f"{value:.0%}"


def describe_setting(result: ChurnResult, lang: str = "en") -> str:
    """One sentence: how churn is defined here and the base rate."""
    rate = _pct(result.data.label.mean())
    if result.source == "subscriptions":
        return t("churn.setting.subscriptions", lang, horizon=result.data.horizon_days,
                 rows=f"{len(result.data.label):,}",
                 cutoffs=result.data.features["cutoff"].nunique(),
                 people=f"{result.data.features['customer_id'].nunique():,}", rate=rate,
                 scored=f"{len(result.current):,}")
    if result.setting == "contractual":
        return t("churn.setting.contractual", lang, n=f"{len(result.data.label):,}", rate=rate)
    return t("churn.setting.transactional", lang, horizon=result.data.horizon_days,
             rows=f"{len(result.data.label):,}", cutoffs=result.data.features["cutoff"].nunique(),
             people=f"{result.data.features['customer_id'].nunique():,}", rate=rate)


#: Catalogue keys of the BG/NBD baselines (keys of ``ChurnResult.baseline_auc``).
BASELINE_NAMES = {"prob_alive": "churn.model.bgnbd", "expected_purchases": "churn.model.bgnbd_expected"}


def model_name(key: str, lang: str = "en") -> str:
    """Readable name of a model or baseline key."""
    return t(BASELINE_NAMES.get(key, f"churn.model.{key}"), lang)


def scores_table(result: ChurnResult, lang: str = "en",
                 frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Model comparison with translated names, BG/NBD baselines included when computed."""
    table = (comparison(result) if frame is None else frame).drop(columns="kind")
    table["model"] = [model_name(m, lang) for m in table["model"]]
    return table


def model_sentences(result: ChurnResult, lang: str = "en",
                    frame: pd.DataFrame | None = None) -> list[str]:
    """Which model is best, and how it compares with each BG/NBD baseline, by name."""
    frame = comparison(result) if frame is None else frame
    models = frame[frame["kind"] == "model"].set_index("model")["roc_auc"]
    best = str(models.idxmax())
    auc = float(models[best])
    lines = [t("churn.best", lang, model=model_name(best, lang), auc=f"{auc:.3f}")]
    baselines = frame[frame["kind"] == "baseline"].set_index("model")["roc_auc"]
    if len(baselines):
        listed = t("churn.list_sep", lang).join(
            t("churn.baseline_item", lang, model=model_name(str(k), lang), auc=f"{v:.3f}")
            for k, v in baselines.items())
        strongest = str(baselines.idxmax())
        lines.append(t("churn.baseline", lang, baselines=listed,
                       strongest=model_name(strongest, lang),
                       verdict=t("churn.wins" if auc > baselines[strongest] else "churn.loses", lang)))
    return lines


def closing_note(result: ChurnResult, lang: str = "en") -> list[str]:
    """Which customer attributes the model uses, and what the snapshot ones would add."""
    if result.setting == "contractual":
        return [t("churn.note.contractual", lang)]
    leak = result.leakage
    if not leak:
        return [t("churn.note.static_only", lang)]
    names = t("churn.list_sep", lang).join(feature_label(c, lang) for c in leak["attributes"])
    return [t("churn.note.snapshot", lang, attributes=names, model=model_name(leak["model"], lang),
              without=f"{leak['auc_without']:.3f}", with_=f"{leak['auc_with']:.3f}",
              rows=f"{leak['fold_rows']:,}")]


def survival_groupings(result: ChurnResult) -> list[tuple[str, dict[str, Any]]]:
    """Every survival grouping the report shows, as (group column, Kaplan-Meier result):
    from subscriptions ``plan`` and ``cohort``, else the one grouping of ``result.survival``."""
    if result.survivals:
        return list(result.survivals.items())
    if result.survival is None:
        return []
    return [(result.survival_group or "all", result.survival)]


def survival_sentence(result: ChurnResult, lang: str = "en", *, group: str | None = None,
                      survival: dict[str, Any] | None = None) -> str:
    """Median lifetime per group and the log-rank p-value (of ``survival``, grouped by
    ``group``; default the result's first grouping)."""
    survival = survival if survival is not None else result.survival
    group = group if group is not None else result.survival_group
    medians = t("churn.list_sep", lang).join(
        t("churn.median_item", lang, group=g, value=f"{v:.0f}" if np.isfinite(v) else t("churn.never", lang))
        for g, v in survival["medians"].items())
    p = survival["logrank"]["p_value"] if survival["logrank"] else float("nan")
    label = feature_label(group, lang) if group and group != "all" else "–"
    unit = t("churn.unit.months" if result.setting == "contractual" else "churn.unit.days", lang)
    return t("churn.survival_text", lang, group=label, medians=medians, p=fmt_p(p), unit=unit)


def health_sentence(result: ChurnResult, lang: str = "en") -> str:
    """Churn rate in the weakest and healthiest bands, and whether it falls band by band."""
    bands = result.health.dropna()
    monotone = bands["churn_rate"].is_monotonic_decreasing
    return t("churn.health_text", lang, low=_pct(bands["churn_rate"].iloc[0]),
             high=_pct(bands["churn_rate"].iloc[-1]),
             monotone=t("churn.monotone" if monotone else "churn.not_monotone", lang))


def targeting_sentence(result: ChurnResult, save_rate: float, contact_cost: float,
                       lang: str = "en", budget: float | None = None, *,
                       measured: Any = None) -> str:
    """What contacting the positive-expected-value customers (within budget) brings.

    ``measured``: the :class:`~workbench.campaigns.MeasuredEffect` the result was computed with
    (the sentence then names the measured save rates instead of ``save_rate``).
    """
    curve = result.ranking[result.ranking["expected_value"] > 0]
    if budget is not None:
        curve = curve[curve["cost"] <= budget]
    last = curve.iloc[-1] if len(curve) else pd.Series({"contacted": 0, "revenue_saved": 0.0,
                                                         "cost": 0.0, "net": 0.0})
    key = "churn.targeting_text_measured" if measured is not None else "churn.targeting_text"
    return t(key, lang, save_rate=_pct(save_rate), cost=fmt_money(contact_cost, lang),
             n=f"{int(last['contacted']):,}", saved=fmt_money(float(last["revenue_saved"]), lang),
             spend=fmt_money(float(last["cost"]), lang), net=fmt_money(float(last["net"]), lang))


def action_table(result: ChurnResult, n: int = 20, lang: str = "en") -> pd.DataFrame:
    """The top of the action list for the report: risk as a share, money formatted.

    customer_id and analytics only, no personal data; reasons as sentences and the action as
    its label in ``lang``; :func:`export_frame` keeps the numbers and codes.
    """
    table = result.current[list(EXPORT_COLUMNS)].head(n).copy()
    table["top_reasons"] = reason_texts(result, lang, rows=n)
    table["recommended_action"] = [t(f"churn.action.{code}", lang)
                                   for code in table["recommended_action"]]
    table["churn_probability"] = table["churn_probability"].map(_pct).astype(object)
    for column in ("value_at_stake", "expected_value"):
        table[column] = table[column].map(lambda v: fmt_money(float(v), lang)).astype(object)
    table["health_score"] = table["health_score"].map(
        lambda v: "–" if pd.isna(v) else f"{v:.0f}").astype(object)
    return table


def explore_widget(result: ChurnResult, *, lang: str = "en") -> Any:
    """JupyterLab widget: save rate, contact cost and budget redraw the budget curve."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import HTML, display

    from workbench.churn.plotting import plot_budget_curve

    save = widgets.FloatSlider(value=0.2, min=0.05, max=0.8, step=0.05, description=t("churn.saved", lang))
    cost = widgets.FloatText(value=10.0, description=t("churn.cost", lang))
    budget = widgets.FloatText(value=0.0, description=t("churn.budget", lang))
    output = widgets.Output()

    def refresh(_: Any = None) -> None:
        output.clear_output(wait=True)
        ranking = expected_value_ranking(result.current["churn_probability"].to_numpy(),
                                         result.current["value_at_stake"].to_numpy(),
                                         save_rate=save.value, contact_cost=cost.value)
        scenario = ChurnResult(**{**result.__dict__, "ranking": ranking})
        with output:
            display(HTML(f"<p>{targeting_sentence(scenario, save.value, cost.value, lang, budget.value or None)}</p>"))
            fig = plot_budget_curve(ranking, lang=lang)
            display(fig)
            plt.close(fig)

    for control in (save, cost, budget):
        control.observe(refresh, names="value")
    refresh()
    return widgets.VBox([widgets.HBox([save, cost, budget]), output])


def confusion_at(predictions: pd.DataFrame, model: str, threshold: float = 0.5,
                 lang: str = "en") -> pd.DataFrame:
    """Confusion matrix of the out-of-fold predictions at ``threshold``, with precision/recall.

    Counted at the latest cutoff (see :func:`latest_cutoff`), so the cells count customers.
    """
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    predictions = latest_cutoff(predictions)
    predicted = predictions[model].to_numpy() >= threshold
    actual = predictions["label"].to_numpy() == 1
    cells = [[int(np.sum(~predicted & ~actual)), int(np.sum(predicted & ~actual))],
             [int(np.sum(~predicted & actual)), int(np.sum(predicted & actual))]]
    frame = pd.DataFrame(cells, columns=[t("churn.pred_stay", lang), t("churn.pred_churn", lang)])
    frame.insert(0, "actual", [t("churn.actual_stay", lang), t("churn.actual_churn", lang)])
    return frame


def confusion_sentence(predictions: pd.DataFrame, model: str, threshold: float,
                       lang: str = "en") -> str:
    """Precision and recall at the threshold in one sentence, counting distinct customers."""
    several = "cutoff" in predictions and predictions["cutoff"].nunique() > 1
    predictions = latest_cutoff(predictions)
    predicted = predictions[model].to_numpy() >= threshold
    actual = predictions["label"].to_numpy() == 1
    precision = (predicted & actual).sum() / max(predicted.sum(), 1)
    recall = (predicted & actual).sum() / max(actual.sum(), 1)
    ids = (predictions["customer_id"] if "customer_id" in predictions
           else pd.Series(np.arange(len(predictions))))
    values = {"threshold": f"{threshold:.2f}", "flagged": f"{ids[predicted].nunique():,}",
              "n": f"{ids.nunique():,}", "precision": _pct(precision), "recall": _pct(recall)}
    if several:
        return t("churn.confusion_text_cutoff", lang, cutoff=f"{predictions['cutoff'].max():%Y-%m-%d}",
                 **values)
    return t("churn.confusion_text", lang, **values)
