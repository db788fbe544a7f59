"""Per-customer results that one report computes and later reports read: one run, one truth.

Each analysis writes its per-customer results once per run as a typed Parquet table in
``OUTDIR/results/<name>.parquet`` (:func:`write_result`); later reports and the run's
``exports/customers.csv`` read them (:func:`read_result`) instead of recomputing them with other
settings. The schemas below are the contract: the columns each result holds, their types, and
for categorical columns the catalogue key of their label. Categorical columns hold stable codes
(``important_value``, ``champions``, ``at_risk``, ``personal_call``) that do not depend on the
report language; exports add a ``<column>_label`` column in the report language
(:func:`with_labels`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.safety import atomic_write

__all__ = [
    "CUSTOMER_COLUMNS",
    "CUSTOMER_RESULTS",
    "RESULTS",
    "ResultError",
    "ResultSchema",
    "by_customer",
    "customer_labels",
    "customer_table",
    "is_among",
    "read_result",
    "results_dir",
    "with_labels",
    "write_result",
]


#: How a code column is labelled: a catalogue key template (``"seg.cn8.{code}"``) or a
#: function ``(code, lang) -> label`` for codes that carry data values (personas).
LabelSpec = str | Callable[[str, str], str]


def _persona_name(code: str, lang: str) -> str:
    from workbench.segmentation import persona_name

    return persona_name(code, lang)


def _churn_reason(code: str, lang: str) -> str:
    from workbench.churn import reason_label

    return reason_label(code, lang)


class ResultError(ValueError):
    """A result frame does not match its declared schema; the message names the column."""


@dataclass(frozen=True)
class ResultSchema:
    """The columns of one result table.

    ``columns`` maps each column to its kind: ``id`` (text), ``code`` (a stable categorical
    code), ``text``, ``int``, ``float`` or ``date``. ``labels`` maps each code column to the
    catalogue key template of its label (``"seg.cn8.{code}"``). ``key`` is the column(s) that
    identify a row. ``doc`` says what the result is, with units.
    """

    doc: str
    columns: dict[str, str]
    labels: dict[str, LabelSpec] = field(default_factory=dict)
    key: tuple[str, ...] = ("customer_id",)


#: Every shared result, by name. The report that produces each is declared in the registry.
RESULTS: dict[str, ResultSchema] = {
    "segments": ResultSchema(
        doc="RFM values (recency in days, frequency in orders, monetary in currency units) and "
            "1-5 scores, the cn8 and en11 segments, value tier by revenue (A/B/C), behaviour "
            "cluster and persona.",
        columns={"customer_id": "id", "recency_days": "int", "frequency": "int",
                 "monetary": "float", "r_score": "int", "f_score": "int", "m_score": "int",
                 "segment_cn8": "code", "segment_en11": "code", "value_tier": "code",
                 "cluster": "int", "persona": "text"},
        labels={"segment_cn8": "seg.cn8.{code}", "segment_en11": "seg.en11.{code}",
                "persona": lambda code, lang: _persona_name(code, lang)}),
    "stages": ResultSchema(
        doc="Lifecycle stage on as_of and one period before, first and last purchase dates, "
            "days since the last purchase and the customer's typical gap (days).",
        columns={"customer_id": "id", "stage": "code", "previous_stage": "code",
                 "first_purchase": "date", "last_purchase": "date", "days_since_last": "int",
                 "typical_gap_days": "float"},
        labels={"stage": "life.stage.{code}", "previous_stage": "life.stage.{code}"}),
    "clv": ResultSchema(
        doc="BTYD statistics (frequency = repeat purchases, recency and T in weeks), P(alive) "
            "on as_of and ``prob_alive_previous`` ``LOOKBACK_DAYS`` (91) days earlier (same fitted model, the data "
            "up to that day; blank for customers who had not bought yet), expected purchases and average spend over the horizon, discounted CLV (currency "
            "units) and CLV tier.",
        columns={"customer_id": "id", "frequency": "int", "recency": "float", "T": "float",
                 "prob_alive": "float", "prob_alive_previous": "float",
                 "expected_purchases": "float",
                 "expected_avg_spend": "float", "clv": "float", "clv_tier": "code"},
        labels={"clv_tier": "clv.tier.{code}"}),
    "churn": ResultSchema(
        doc="Model churn probability (0-1) within the horizon, health score (0-100), value at "
            "stake (currency units), the strongest reason and the recommended action (codes), "
            "expected value of acting (currency units).",
        columns={"customer_id": "id", "churn_probability": "float", "health_score": "float",
                 "value_at_stake": "float", "top_reason": "code",
                 "recommended_action": "code", "expected_value": "float"},
        labels={"top_reason": lambda code, lang: _churn_reason(code, lang),
                "recommended_action": "churn.action.{code}"}),
    "feedback": ResultSchema(
        doc="The customer's last NPS answer (0-10) and its date, the sentiment of the last "
            "comment (positive / neutral / negative) and, when that comment is negative, its "
            "complaint categories (codes joined by ';'; empty otherwise).",
        columns={"customer_id": "id", "last_nps": "float", "last_feedback_at": "date",
                 "sentiment": "code", "complaint_categories": "text"},
        labels={"sentiment": "fb.sentiment.{code}"}),
    "comments": ResultSchema(
        doc="Every feedback answer up to as_of, one row each: when it was submitted, its NPS "
            "score (0-10, blank when not asked), the sentiment of its comment (positive / "
            "neutral / negative, blank without a comment) and its complaint categories (codes "
            "joined by ';'). Later analyses cut it at their own dates (churn's cutoffs).",
        columns={"customer_id": "id", "response_id": "id", "submitted_at": "date",
                 "nps": "float", "sentiment": "code", "complaint_categories": "text"},
        labels={"sentiment": "fb.sentiment.{code}"},
        key=("customer_id", "response_id")),
    "recommendations": ResultSchema(
        doc="Next best offers per customer, best first (rank 1), with score and the reason's "
            "code (co_purchase, segment_popular, popular).",
        columns={"customer_id": "id", "rank": "int", "item": "text", "score": "float",
                 "reason": "code"},
        key=("customer_id", "rank")),
    "renewals": ResultSchema(
        doc="Renewals due within horizon_days after as_of, one row per subscription: renewal "
            "date, ARR (currency units per year), renewal probability (0-1), ARR at risk = ARR x "
            "(1 - probability), health score (0-100) and band, health change over 30 days "
            "(points), owner (account manager), top reasons (health measure codes joined by ';') "
            "and the recommended action (code).",
        columns={"customer_id": "id", "subscription_id": "id", "renewal_date": "date",
                 "arr": "float", "renewal_probability": "float", "arr_at_risk": "float",
                 "health_score": "float", "health_band": "code", "health_trend": "float",
                 "owner": "text", "top_reasons": "text", "recommended_action": "code"},
        labels={"recommended_action": "cs.action.{code}", "health_band": "cs.band.{code}"},
        key=("customer_id", "subscription_id")),
    "campaign_uplift": ResultSchema(
        doc="Measured conversion uplift (fraction, 95% CI) per segment_cn8 of the arm worth "
            "repeating; 'all' = whole arm; pooled=1 where the segment was too small",
        columns={"segment": "code", "uplift": "float", "uplift_low": "float",
                 "uplift_high": "float", "customers": "int", "campaign_id": "id", "arm": "id",
                 "pooled": "int"},
        key=("segment",)),
}


def results_dir(output_dir: str | Path) -> Path:
    """``OUTDIR/results``: where a run keeps its shared per-customer results."""
    return Path(output_dir) / "results"


def _check(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    if name not in RESULTS:
        raise ResultError(f"no result named {name!r}; the results are {', '.join(RESULTS)}")
    schema = RESULTS[name]
    missing = [c for c in schema.columns if c not in frame.columns]
    if missing:
        raise ResultError(f"result {name!r} lacks column(s) {', '.join(missing)}")
    out = frame[list(schema.columns)].copy()
    for column, kind in schema.columns.items():
        if kind in ("id", "code", "text"):
            out[column] = out[column].astype("string")
        elif kind == "int":
            out[column] = pd.to_numeric(out[column]).round().astype("Int64")
        elif kind == "float":
            out[column] = pd.to_numeric(out[column]).astype("float64")
        elif kind == "date":
            out[column] = pd.to_datetime(out[column])
    if out.duplicated(list(schema.key)).any():
        raise ResultError(f"result {name!r} has repeated {'/'.join(schema.key)} rows")
    return out.reset_index(drop=True)


def write_result(name: str, frame: pd.DataFrame, output_dir: str | Path) -> Path:
    """Check ``frame`` against its schema and write ``results/<name>.parquet`` atomically."""
    checked = _check(name, frame)
    path = results_dir(output_dir) / f"{name}.parquet"
    with atomic_write(path, "wb") as handle:
        checked.to_parquet(handle, index=False)
    return path


def read_result(name: str, output_dir: str | Path) -> pd.DataFrame | None:
    """The result ``name`` of the run in ``output_dir``, or None when that run has none."""
    path = results_dir(output_dir) / f"{name}.parquet"
    return pd.read_parquet(path) if path.exists() else None


def by_customer(frame: pd.DataFrame | None, column: str, *, numeric: bool = False) -> pd.Series:
    """``frame[column]`` indexed by ``customer_id`` (as text): the one way the run's
    per-customer results are looked up by customer.

    With ``numeric`` the values are floats (unparseable ones NaN). An absent ``frame`` or
    ``column`` gives an empty series, so a skipped report reads as "no value" everywhere.
    """
    if frame is None or column not in frame:
        return pd.Series(dtype="float64" if numeric else "object")
    index = pd.Index(frame["customer_id"].astype("string"), name="customer_id")
    if numeric:
        return pd.Series(pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64"),
                         index=index, dtype="float64", name=column)
    return pd.Series(frame[column].to_numpy(), index=index, name=column)


def is_among(ids: Any, candidates: Any) -> np.ndarray:
    """Whether each of ``ids`` is one of ``candidates``, as a NumPy mask; both sides are
    compared as text (``astype("string")``: the integer 1 matches "1"), and a missing id
    matches a missing candidate. For text on both sides this is
    ``Series(ids).astype("string").isin(candidates)``, at Arrow's speed: pandas' ``isin`` on
    Arrow strings turns each candidate into a Python scalar first (1.2 s for 200,000
    candidates against 3M ids; this takes 0.3 s).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    left = pa.array(pd.Series(ids, copy=False).astype("string").array)
    right = pa.array(pd.Series(list(candidates) if isinstance(candidates, (set, frozenset))
                               else candidates, copy=False).astype("string").array)
    if isinstance(left, pa.ChunkedArray):
        left = left.combine_chunks()
    right = (right.combine_chunks() if isinstance(right, pa.ChunkedArray) else right).cast(left.type)
    return np.asarray(pc.is_in(left, value_set=right, skip_nulls=False), dtype=bool)


def with_labels(frame: pd.DataFrame, labels: dict[str, LabelSpec],
                translate: Callable[[str], str], lang: str = "en") -> pd.DataFrame:
    """A copy with ``<column>_label`` beside each code column.

    ``labels`` maps a code column to a key template such as ``"seg.cn8.{code}"`` (looked up
    with ``translate(key)``, e.g. ``lambda k: t(k, lang)``) or to a function
    ``(code, lang) -> label``. A code without a catalogue entry is shown as given; several
    codes joined by ``;`` are labelled one by one and joined by ``；`` / ``; ``.
    """
    out = frame.copy()
    joiner = "；" if lang == "zh" else "; "
    for column, spec in labels.items():
        if column not in out or f"{column}_label" in out:
            continue  # no such column, or its label is already there

        def one(code: str, spec: LabelSpec = spec) -> str:
            if callable(spec):
                return spec(code, lang)
            try:
                return translate(spec.format(code=code))
            except KeyError:
                return code

        def label(value: object) -> object:
            if value is None or pd.isna(value) or value == "":
                return pd.NA
            return joiner.join(one(part) for part in str(value).split(";") if part)

        distinct = out[column].dropna().unique()  # label each code once, not once per row
        labelled = {value: label(value) for value in distinct}
        position = out.columns.get_loc(column) + 1
        out.insert(position, f"{column}_label",
                   out[column].map(labelled, na_action="ignore").astype("string"))
    return out


#: ``exports/customers.csv``: column -> (result, column of that result). ``orders`` and
#: ``revenue`` are the segmentation's frequency and monetary value (orders and spend on or
#: before as_of); ``next_best_offer`` is the rank-1 recommendation; ``action`` the churn
#: report's recommended action.
CUSTOMER_COLUMNS: dict[str, tuple[str, str]] = {
    "first_purchase": ("stages", "first_purchase"),
    "last_purchase": ("stages", "last_purchase"),
    "orders": ("segments", "frequency"),
    "revenue": ("segments", "monetary"),
    "segment_cn8": ("segments", "segment_cn8"),
    "segment_en11": ("segments", "segment_en11"),
    "value_tier": ("segments", "value_tier"),
    "persona": ("segments", "persona"),
    "stage": ("stages", "stage"),
    "prob_alive": ("clv", "prob_alive"),
    "clv": ("clv", "clv"),
    "clv_tier": ("clv", "clv_tier"),
    "churn_probability": ("churn", "churn_probability"),
    "health_score": ("churn", "health_score"),
    "last_nps": ("feedback", "last_nps"),
    "sentiment": ("feedback", "sentiment"),
    "next_best_offer": ("recommendations", "item"),
    "action": ("churn", "recommended_action"),
}


#: The results ``customers.csv`` joins.
CUSTOMER_RESULTS: frozenset[str] = frozenset(name for name, _ in CUSTOMER_COLUMNS.values())


def customer_labels() -> dict[str, LabelSpec]:
    """Label key templates of the code columns of ``customers.csv``."""
    found = {}
    for column, (name, source) in CUSTOMER_COLUMNS.items():
        template = RESULTS[name].labels.get(source)
        if template:
            found[column] = template
    return found


def customer_table(customer_ids: pd.Series | list[str], output_dir: str | Path
                   ) -> tuple[pd.DataFrame, dict[str, str]]:
    """One row per customer of the run with every per-customer result of that run.

    Returns the table and, for each result the run did not produce, the columns left blank
    (``{"clv": "prob_alive, clv, clv_tier"}``).
    """
    ids = pd.Series(pd.unique(pd.Series(customer_ids, dtype="string").dropna()), dtype="string")
    table = pd.DataFrame({"customer_id": ids.sort_values(ignore_index=True)})
    blank: dict[str, list[str]] = {}
    loaded: dict[str, tuple[pd.DataFrame, np.ndarray] | None] = {}
    for column, (name, source) in CUSTOMER_COLUMNS.items():
        if name not in loaded:
            frame = read_result(name, output_dir)
            if frame is not None and name == "recommendations":
                frame = frame[frame["rank"] == 1]
            # each table customer's row of the result, looked up once per result (as
            # Series.map with by_customer does per column; -1: not in the result)
            loaded[name] = None if frame is None else (frame, pd.Index(
                frame["customer_id"].astype("string")).get_indexer(table["customer_id"]))
        if loaded[name] is None:
            table[column] = pd.NA
            blank.setdefault(name, []).append(column)
            continue
        frame, rows = loaded[name]
        values = by_customer(frame, source).array
        table[column] = pd.api.extensions.take(values, rows, allow_fill=True)
    return table, {name: ", ".join(cols) for name, cols in blank.items()}
