"""What changed since the last run: this run's shared results against an earlier run's.

Pure computation on the per-customer results (:mod:`workbench.results`) and the ``metrics.json``
of two runs. The runner writes ``exports/changes.csv`` (one row per customer and change, with
stable codes) and the ``changes`` entry of ``metrics.json`` from what these functions return;
labels in the report language are added there, not here.

The changes, by code:

``entered_at_risk`` / ``entered_churned``
    the lifecycle stage (``stages`` result) is now ``at_risk`` / ``churned`` and was something
    else in the earlier run (a customer the earlier run did not know counts as entering too);
``health_fell``
    a high-value customer (value tier A in ``segments`` or CLV tier A in ``clv``, in either
    run) whose health score (``churn`` result, 0-100 points) fell by more than ``health_drop``
    points (:data:`HEALTH_DROP`, 10, by default);
``segment_moved``
    a customer in both runs whose ``segment_cn8`` differs.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.results import by_customer, read_result, results_dir

__all__ = [
    "CHANGE_CODES",
    "HEALTH_DROP",
    "KPI_KEYS",
    "Changes",
    "PreviousRunError",
    "by_customer",
    "check_previous",
    "compare_runs",
    "entered_stages",
    "health_fell",
    "kpi_deltas",
    "segment_matrix",
    "segment_moves",
]

#: Change codes of ``exports/changes.csv``, in the order they are reported.
CHANGE_CODES = ("entered_at_risk", "entered_churned", "health_fell", "segment_moved")
#: Overview KPIs (``metrics.json`` ``overview.kpis``) compared between the runs.
KPI_KEYS = ("customers", "active_customers", "revenue_12m", "repeat_rate")
COLUMNS = ["customer_id", "change", "before", "now"]
#: Default of ``health_drop``: health-score points a high-value customer must lose to be listed.
HEALTH_DROP = 10.0


class PreviousRunError(ValueError):
    """The earlier run's folder cannot be compared with; the message names the folder."""


def check_previous(folder: str | Path) -> Path:
    """The earlier run's folder, resolved; raises :class:`PreviousRunError` without ``results/``."""
    path = Path(folder).expanduser().resolve()
    if not path.is_dir():
        raise PreviousRunError(f"the previous run's folder {path} does not exist")
    if not results_dir(path).is_dir():
        raise PreviousRunError(f"{path} is not the output folder of a workbench run: it has no "
                               f"results/ folder ({results_dir(path)})")
    return path


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in COLUMNS})


def entered_stages(before: pd.DataFrame | None, now: pd.DataFrame | None) -> pd.DataFrame:
    """Customers whose ``stage`` is now ``at_risk`` or ``churned`` and was not before.

    ``before`` is the stage in the earlier run (empty for a customer it did not know).
    """
    if now is None:
        return _empty()
    was = by_customer(before, "stage").astype("string")
    stage = by_customer(now, "stage").astype("string")
    rows = []
    for code in ("at_risk", "churned"):
        hit = stage[stage == code]
        previous = was.reindex(hit.index)
        hit = hit[(previous != code).fillna(True)]
        rows.append(pd.DataFrame({"customer_id": hit.index, "change": f"entered_{code}",
                                  "before": was.reindex(hit.index).to_numpy(),
                                  "now": hit.to_numpy()}))
    return _sorted(pd.concat(rows, ignore_index=True))


def _high_value(*frames: tuple[pd.DataFrame | None, str]) -> set[str]:
    found: set[str] = set()
    for frame, column in frames:
        tier = by_customer(frame, column).astype("string")
        found |= set(tier.index[(tier == "A").fillna(False)])
    return found


def health_fell(churn_before: pd.DataFrame | None, churn_now: pd.DataFrame | None, *,
                segments: tuple[pd.DataFrame | None, pd.DataFrame | None] = (None, None),
                clv: tuple[pd.DataFrame | None, pd.DataFrame | None] = (None, None),
                health_drop: float = HEALTH_DROP) -> pd.DataFrame:
    """High-value customers whose health score fell by more than ``health_drop`` points.

    High value: value tier A (``segments``) or CLV tier A (``clv``) in the earlier run or now;
    ``segments`` and ``clv`` are (before, now) pairs. ``before`` and ``now`` are the health
    scores (0-100), rounded to 0.1 point.
    """
    was = by_customer(churn_before, "health_score", numeric=True)
    score = by_customer(churn_now, "health_score", numeric=True)
    both = was.index.intersection(score.index)
    keep = _high_value((segments[0], "value_tier"), (segments[1], "value_tier"),
                       (clv[0], "clv_tier"), (clv[1], "clv_tier"))
    ids = [c for c in both if c in keep]
    drop = was.reindex(ids) - score.reindex(ids)
    fell = drop[drop > health_drop].index
    out = pd.DataFrame({"customer_id": fell, "change": "health_fell",
                        "before": was.reindex(fell).round(1).map(_text).to_numpy(),
                        "now": score.reindex(fell).round(1).map(_text).to_numpy()})
    return _sorted(out)


def segment_moves(before: pd.DataFrame | None, now: pd.DataFrame | None) -> pd.DataFrame:
    """Customers in both runs whose ``segment_cn8`` differs (codes before and now)."""
    was = by_customer(before, "segment_cn8").astype("string")
    seg = by_customer(now, "segment_cn8").astype("string")
    both = was.index.intersection(seg.index)
    was, seg = was.reindex(both), seg.reindex(both)
    moved = both[(was != seg).fillna(False).to_numpy()]
    return _sorted(pd.DataFrame({"customer_id": moved, "change": "segment_moved",
                                 "before": was.reindex(moved).to_numpy(),
                                 "now": seg.reindex(moved).to_numpy()}))


def segment_matrix(before: pd.DataFrame | None, now: pd.DataFrame | None) -> pd.DataFrame:
    """Counts of customers in both runs: ``segment_cn8`` before (rows) x now (columns)."""
    was = by_customer(before, "segment_cn8").astype("string")
    seg = by_customer(now, "segment_cn8").astype("string")
    both = was.index.intersection(seg.index)
    if not len(both):
        return pd.DataFrame(dtype="int64")
    matrix = pd.crosstab(was.reindex(both).rename("before").to_numpy(),
                         seg.reindex(both).rename("now").to_numpy(),
                         rownames=["before"], colnames=["now"])
    return matrix.astype("int64")


def _number(value: Any) -> float | int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number):
        return None
    return int(number) if isinstance(value, int) else number


def kpi_deltas(metrics_before: dict[str, Any] | None, metrics_now: dict[str, Any] | None
               ) -> dict[str, dict[str, float | int | None]]:
    """Headline KPIs (``overview.kpis`` of each ``metrics.json``): before, now and change.

    A KPI missing from either run has ``None`` where it is missing and as its change.
    ``repeat_rate`` is a share (0-1), ``revenue_12m`` currency units, the others customers.
    """
    def kpis(metrics: dict[str, Any] | None) -> dict[str, Any]:
        return ((metrics or {}).get("overview") or {}).get("kpis") or {}

    was, now = kpis(metrics_before), kpis(metrics_now)
    out = {}
    for key in KPI_KEYS:
        a, b = _number(was.get(key)), _number(now.get(key))
        change = None if a is None or b is None else b - a
        if isinstance(change, float):
            change = round(change, 6)
        out[key] = {"before": a, "now": b, "change": change}
    return out


def _text(value: Any) -> Any:
    return pd.NA if value is None or pd.isna(value) else f"{value:g}"


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({c: "string" for c in COLUMNS})[COLUMNS]
    order = {code: i for i, code in enumerate(CHANGE_CODES)}
    return (frame.assign(_o=frame["change"].map(order))
            .sort_values(["_o", "customer_id"], kind="stable")
            .drop(columns="_o").reset_index(drop=True))


@dataclass
class Changes:
    """The comparison of two runs.

    ``rows``: one row per customer and change (``customer_id, change, before, now``);
    ``matrix``: ``segment_cn8`` before x now counts; ``kpis``: :func:`kpi_deltas`.
    """

    rows: pd.DataFrame
    matrix: pd.DataFrame
    kpis: dict[str, dict[str, float | int | None]]
    previous: dict[str, Any]
    threshold: float

    def counts(self) -> dict[str, int]:
        """Customers per change code (every code, zero when none)."""
        found = self.rows["change"].value_counts()
        return {code: int(found.get(code, 0)) for code in CHANGE_CODES}

    def to_metrics(self) -> dict[str, Any]:
        """The ``changes`` entry of ``metrics.json`` (JSON-ready)."""
        matrix = {str(row): {str(col): int(n) for col, n in cols.items()}
                  for row, cols in self.matrix.to_dict(orient="index").items()}
        return {"previous": self.previous, "counts": self.counts(),
                "health_threshold": self.threshold, "segment_migrations": matrix,
                "kpis": self.kpis}


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def compare_runs(previous: str | Path, current: str | Path, *, health_drop: float = HEALTH_DROP,
                 metrics_now: dict[str, Any] | None = None,
                 threshold: float | None = None) -> Changes:
    """Compare the run in ``current`` with the earlier run in ``previous``.

    ``health_drop`` is the fall of the health score (points, 0-100 scale) from which a
    high-value customer is listed (``health_fell``). ``metrics_now`` is this run's merged
    metrics (default: ``current/metrics.json``); a report running inside the run passes
    ``{"overview": {"kpis": ...}}``. ``threshold`` is the former name of ``health_drop``
    (deprecated: use ``health_drop``). Raises :class:`PreviousRunError` when ``previous`` has
    no ``results/`` folder or one of its results cannot be read.
    """
    if threshold is not None:
        health_drop = threshold
    prev = check_previous(previous)

    def both(name: str) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
        try:
            before = read_result(name, prev)
        except Exception as exc:  # noqa: BLE001 - any unreadable file: one clear message
            raise PreviousRunError(f"cannot read {results_dir(prev) / (name + '.parquet')}: "
                                   f"{type(exc).__name__}: {exc}") from None
        return before, read_result(name, current)

    stages, segments, clv, churn = (both(n) for n in ("stages", "segments", "clv", "churn"))
    rows = pd.concat([entered_stages(*stages),
                      health_fell(*churn, segments=segments, clv=clv, health_drop=health_drop),
                      segment_moves(*segments)], ignore_index=True)
    if metrics_now is None:
        metrics_now = _read_json(Path(current) / "metrics.json")
    manifest = _read_json(prev / "manifest.json") or {}
    as_of = (manifest.get("parameters") or {}).get("as_of_resolved")
    return Changes(rows=_sorted(rows), matrix=segment_matrix(*segments),
                   kpis=kpi_deltas(_read_json(prev / "metrics.json"), metrics_now),
                   previous={"folder": str(prev), "as_of": as_of}, threshold=float(health_drop))
