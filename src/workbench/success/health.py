"""A configurable customer health score (客户健康度) and how well it predicts churn.

The score is declared in a YAML file (the default ships as ``health.yaml`` beside this
module; see its comments for the format): measures with a window (days), a direction,
thresholds or points and a weight, in groups (usage, support, feedback, billing), and a
profile per stage (``onboarding`` in the first ``onboarding_days`` after the first start,
``established`` afterwards). Each measure gives 0-100 points; the score is their weighted
mean over the measures that have a value. Every entry of the file is checked:
:class:`HealthConfigError` names the bad one, and unknown keys are errors, never ignored.

The check of the score (:func:`backtest`) scores the accounts running at monthly cutoffs
before ``as_of`` with data up to each cutoff, and labels an account churned when it has no
period running ``horizon_days`` later; ROC-AUC of -score against that label follows Hanley &
McNeil (1982), computed by :func:`sklearn.metrics.roc_auc_score`. Learned weights come from
a logistic regression on the same measure points (standardised coefficients).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from workbench.success import signals

__all__ = ["DEFAULT_CONFIG", "GROUPS", "KINDS", "HealthConfig", "HealthConfigError", "Measure",
           "backtest", "band_churn", "declines", "health_history", "learned_weights",
           "load_config", "measure_values", "score"]

GROUPS = ("usage", "support", "feedback", "billing")
KINDS = ("event_count", "event_trend", "days_since_event", "last_score", "mrr_change")
BANDS = ("red", "yellow", "green")
#: The shipped default config.
DEFAULT_CONFIG = files("workbench.success") / "health.yaml"

_MEASURE_KEYS = {"group", "kind", "events", "window", "baseline", "field", "direction",
                 "thresholds", "points", "weight"}
_TOP_KEYS = {"onboarding_days", "bands", "measures", "profiles"}
_PROFILES = ("onboarding", "established")


class HealthConfigError(ValueError):
    """The health config has a bad entry; the message names it."""


@dataclass(frozen=True)
class Measure:
    """One measure of the score (units: ``window`` and ``baseline`` in days)."""

    name: str
    group: str
    kind: str
    window: int
    direction: str
    weight: float
    events: tuple[str, ...] | None = None
    baseline: int = 90
    field: str = "nps"
    thresholds: tuple[float, ...] = ()
    points: tuple[tuple[float, float], ...] = ()

    def to_points(self, values: np.ndarray) -> np.ndarray:
        """Points 0-100 for raw values (NaN stays NaN)."""
        values = np.asarray(values, dtype=float)
        if self.thresholds:
            steps = np.searchsorted(np.asarray(self.thresholds), values, side="right")
            share = steps / len(self.thresholds)
            out = 100 * (share if self.direction == "higher" else 1 - share)
        else:
            xs, ys = zip(*self.points)
            out = np.interp(values, xs, ys)
        return np.where(np.isnan(values), np.nan, out)


@dataclass(frozen=True)
class HealthConfig:
    """A validated health config (see the module docstring)."""

    measures: tuple[Measure, ...]
    onboarding_days: int = 90
    bands: tuple[float, float] = (40.0, 70.0)
    profiles: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    source: str = "<dict>"

    def weights(self, stage: str) -> dict[str, float]:
        """Weight of each measure in ``stage`` (``onboarding`` or ``established``)."""
        base = {m.name: m.weight for m in self.measures}
        return base | dict(self.profiles.get(stage, {}))

    def band(self, scores: pd.Series | np.ndarray) -> np.ndarray:
        """``red`` below the first band limit, ``yellow`` below the second, else ``green``."""
        s = np.asarray(scores, dtype=float)
        out = np.where(s < self.bands[0], "red", np.where(s < self.bands[1], "yellow", "green"))
        return np.where(np.isnan(s), None, out)


def _fail(source: str, where: str, why: str) -> HealthConfigError:
    return HealthConfigError(f"{source}: {where}: {why}")


def _number(source, where, value, *, positive=False, integer=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(source, where, f"must be a number, got {value!r}")
    if positive and value <= 0:
        raise _fail(source, where, f"must be > 0, got {value!r}")
    if integer and int(value) != value:
        raise _fail(source, where, f"must be a whole number of days, got {value!r}")
    return int(value) if integer else float(value)


def _measure(source: str, name: str, raw: Any) -> Measure:
    where = f"measures.{name}"
    if not isinstance(raw, Mapping):
        raise _fail(source, where, "must be a mapping of group, kind, window, direction, "
                    "thresholds or points, weight")
    unknown = set(raw) - _MEASURE_KEYS
    if unknown:
        raise _fail(source, f"{where}.{min(unknown)}",
                    f"unknown key; a measure has {', '.join(sorted(_MEASURE_KEYS))}")
    for key in ("group", "kind", "window", "direction", "weight"):
        if key not in raw:
            raise _fail(source, f"{where}.{key}", "missing")
    if raw["group"] not in GROUPS:
        raise _fail(source, f"{where}.group", f"{raw['group']!r} is not one of {', '.join(GROUPS)}")
    if raw["kind"] not in KINDS:
        raise _fail(source, f"{where}.kind", f"{raw['kind']!r} is not one of {', '.join(KINDS)}")
    if raw["direction"] not in ("higher", "lower"):
        raise _fail(source, f"{where}.direction", f"must be higher or lower, got {raw['direction']!r}")
    window = _number(source, f"{where}.window", raw["window"], positive=True, integer=True)
    weight = _number(source, f"{where}.weight", raw["weight"], positive=True)
    baseline = _number(source, f"{where}.baseline", raw.get("baseline", 3 * window),
                       positive=True, integer=True)
    events = raw.get("events")
    if raw["kind"] in ("event_count", "event_trend", "days_since_event"):
        if events is not None and (not isinstance(events, list) or not events
                                   or not all(isinstance(e, str) for e in events)):
            raise _fail(source, f"{where}.events", "must be a non-empty list of event names")
    elif events is not None:
        raise _fail(source, f"{where}.events", f"not used by kind {raw['kind']}")
    fld = raw.get("field", "nps")
    if raw["kind"] == "last_score" and fld not in ("nps", "csat", "ces"):
        raise _fail(source, f"{where}.field", f"must be nps, csat or ces, got {fld!r}")
    has_t, has_p = "thresholds" in raw, "points" in raw
    if has_t == has_p:
        raise _fail(source, where, "give either thresholds or points (exactly one)")
    thresholds: tuple[float, ...] = ()
    points: tuple[tuple[float, float], ...] = ()
    if has_t:
        t = raw["thresholds"]
        if not isinstance(t, list) or not t:
            raise _fail(source, f"{where}.thresholds", "must be a non-empty list of numbers")
        thresholds = tuple(_number(source, f"{where}.thresholds[{i}]", v) for i, v in enumerate(t))
        if any(b <= a for a, b in pairwise(thresholds)):
            raise _fail(source, f"{where}.thresholds", f"must be strictly ascending, got {t}")
    else:
        p = raw["points"]
        if not isinstance(p, list) or len(p) < 2 or not all(
                isinstance(x, list) and len(x) == 2 for x in p):
            raise _fail(source, f"{where}.points", "must be a list of at least two [value, points]")
        points = tuple((_number(source, f"{where}.points[{i}][0]", a),
                        _number(source, f"{where}.points[{i}][1]", b)) for i, (a, b) in enumerate(p))
        xs, ys = zip(*points)
        if any(b <= a for a, b in pairwise(xs)):
            raise _fail(source, f"{where}.points", "values must be strictly ascending")
        if any(not 0 <= y <= 100 for y in ys):
            raise _fail(source, f"{where}.points", "points must lie in 0-100")
        rising = all(b >= a for a, b in pairwise(ys))
        falling = all(b <= a for a, b in pairwise(ys))
        if (raw["direction"] == "higher" and not rising) or (raw["direction"] == "lower"
                                                             and not falling):
            raise _fail(source, f"{where}.points",
                        f"points must {'rise' if raw['direction'] == 'higher' else 'fall'} with "
                        f"the value (direction: {raw['direction']})")
    return Measure(name=name, group=raw["group"], kind=raw["kind"], window=window,
                   direction=raw["direction"], weight=weight,
                   events=tuple(events) if events else None, baseline=baseline, field=fld,
                   thresholds=thresholds, points=points)


def load_config(config: str | Path | Mapping[str, Any] | None = None, *,
                onboarding_days: int | None = None) -> HealthConfig:
    """Read and check a health config: a YAML path, a mapping, or None for the default.

    ``onboarding_days`` (days) overrides the file's value when given.
    """
    if config is None:
        source, raw = str(DEFAULT_CONFIG), yaml.safe_load(DEFAULT_CONFIG.read_text("utf-8"))
    elif isinstance(config, Mapping):
        source, raw = "<dict>", dict(config)
    else:
        path = Path(config)
        if not path.is_file():
            raise HealthConfigError(f"{path}: no such health config file")
        source = str(path)
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise HealthConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, Mapping):
        raise _fail(source, "top level", "must be a mapping with measures")
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise _fail(source, min(unknown), f"unknown key; the config has "
                    f"{', '.join(sorted(_TOP_KEYS))}")
    measures_raw = raw.get("measures")
    if not isinstance(measures_raw, Mapping) or not measures_raw:
        raise _fail(source, "measures", "must be a non-empty mapping of measure name to measure")
    measures = tuple(_measure(source, str(n), m) for n, m in measures_raw.items())
    days = raw.get("onboarding_days", 90) if onboarding_days is None else onboarding_days
    days = _number(source, "onboarding_days", days, positive=True, integer=True)
    bands_raw = raw.get("bands", {"red": 40, "yellow": 70})
    if not isinstance(bands_raw, Mapping) or set(bands_raw) != {"red", "yellow"}:
        raise _fail(source, "bands", "must have exactly red and yellow (score limits 0-100)")
    red = _number(source, "bands.red", bands_raw["red"])
    yellow = _number(source, "bands.yellow", bands_raw["yellow"])
    if not 0 < red < yellow <= 100:
        raise _fail(source, "bands", f"need 0 < red < yellow <= 100, got {red} and {yellow}")
    names = {m.name for m in measures}
    profiles: dict[str, dict[str, float]] = {}
    for stage, prof in (raw.get("profiles") or {}).items():
        where = f"profiles.{stage}"
        if stage not in _PROFILES:
            raise _fail(source, where, f"unknown stage; the stages are {', '.join(_PROFILES)}")
        prof = prof or {}
        if not isinstance(prof, Mapping) or set(prof) - {"weights"}:
            raise _fail(source, where, "must be a mapping with weights")
        weights = prof.get("weights") or {}
        if not isinstance(weights, Mapping):
            raise _fail(source, f"{where}.weights", "must map measure names to weights")
        for name, w in weights.items():
            if name not in names:
                raise _fail(source, f"{where}.weights.{name}", "no such measure")
            if _number(source, f"{where}.weights.{name}", w) < 0:
                raise _fail(source, f"{where}.weights.{name}", "must be >= 0")
        profiles[stage] = {str(k): float(v) for k, v in weights.items()}
    return HealthConfig(measures=measures, onboarding_days=days, bands=(red, yellow),
                        profiles=profiles, source=source)


def measure_values(pairs: pd.DataFrame, config: HealthConfig, periods: pd.DataFrame,
                   events: pd.DataFrame | signals.EventIndex | None, feedback: pd.DataFrame | None) -> pd.DataFrame:
    """Raw value of every measure for each (``customer_id``, ``date``) pair.

    Uses only data on or before each pair's day. Adds ``stage`` (``onboarding`` while the
    day is less than ``onboarding_days`` after the customer's first start) and
    ``tenure_days``.
    """
    out = pairs[["customer_id", "date"]].reset_index(drop=True).copy()
    first = signals.first_start(periods).reindex(out["customer_id"].astype(str)).to_numpy()
    out["tenure_days"] = (out["date"].to_numpy() - first) / np.timedelta64(1, "D")
    out["stage"] = np.where(out["tenure_days"] < config.onboarding_days, "onboarding",
                            "established")
    if events is None:
        events = pd.DataFrame({"customer_id": pd.Series(dtype=str),
                               "timestamp": pd.Series(dtype="datetime64[ns]"),
                               "event": pd.Series(dtype=str)})
    ev = events if isinstance(events, signals.EventIndex) else signals.EventIndex(events)
    for m in config.measures:
        if m.kind == "event_count":
            values = signals.event_counts(out, ev, m.events, m.window)
        elif m.kind == "event_trend":
            recent = signals.event_counts(out, ev, m.events, m.window) / m.window
            base = signals.event_counts(out, ev, m.events, m.baseline, lag=m.window) / m.baseline
            values = np.where(base > 0, recent / np.where(base > 0, base, 1) - 1, np.nan)
        elif m.kind == "days_since_event":
            values = np.fmin(signals.last_event_age(out, ev, m.events), m.window)
            values = np.where(np.isnan(values), m.window, values)
        elif m.kind == "last_score":
            values = (signals.last_score(out, feedback, m.field, m.window)
                      if feedback is not None and m.field in feedback else np.full(len(out), np.nan))
        else:  # mrr_change
            now = signals.mrr_on(out, periods)
            then = signals.mrr_on(out, periods, lag=m.window)
            values = np.where(then > 0, now / np.where(then > 0, then, 1) - 1, np.nan)
        out[m.name] = values
    return out


def score(values: pd.DataFrame, config: HealthConfig) -> pd.DataFrame:
    """Points per measure (``<measure>_points``, 0-100), ``health_score`` (0-100) and
    ``health_band`` for the output of :func:`measure_values`."""
    out = values.copy()
    num = np.zeros(len(out))
    den = np.zeros(len(out))
    for m in config.measures:
        pts = m.to_points(out[m.name].to_numpy(dtype=float))
        out[f"{m.name}_points"] = pts
        w = np.where(out["stage"] == "onboarding", config.weights("onboarding")[m.name],
                     config.weights("established")[m.name])
        have = ~np.isnan(pts)
        num += np.where(have, pts * w, 0)
        den += np.where(have, w, 0)
    out["health_score"] = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    out["health_band"] = config.band(out["health_score"])
    return out


def _churn_label(pairs: pd.DataFrame, periods: pd.DataFrame, horizon_days: int) -> np.ndarray:
    """1 when no period of the customer runs ``horizon_days`` after the pair's day."""
    later = pairs.assign(date=pairs["date"] + pd.Timedelta(days=horizon_days))
    return (signals.mrr_on(later, periods) <= 0).astype(int)


def backtest(config: HealthConfig, periods: pd.DataFrame, events: pd.DataFrame | signals.EventIndex | None,
             feedback: pd.DataFrame | None, as_of: pd.Timestamp, *, horizon_days: int = 90,
             cutoffs: int = 6) -> dict[str, Any]:
    """How well the score predicted the churn that followed.

    Scores the accounts running at ``cutoffs`` monthly cutoffs (the last is ``horizon_days``
    before ``as_of``) with data up to each cutoff, and labels ``churned`` = no period running
    ``horizon_days`` (days) later, as known on ``as_of``.

    Returns ``sample`` (scored pairs with ``churned``), ``auc`` (ROC-AUC of -score against
    churned; NaN with one class), ``by_band`` (:func:`band_churn`) and ``n``.
    """
    from sklearn.metrics import roc_auc_score

    as_of = pd.Timestamp(as_of).normalize()
    last = as_of - pd.Timedelta(days=horizon_days)
    dates = [last - pd.DateOffset(months=k) for k in range(cutoffs)][::-1]
    known = _as_known(periods, as_of)
    pairs = signals.active_pairs(_as_known(periods, last), dates)
    # measures read only periods running on or before each cutoff (signals.mrr_on)
    sample = score(measure_values(pairs, config, periods, events, feedback), config) \
        if len(pairs) else pairs
    if len(pairs):
        sample["churned"] = _churn_label(sample, known, horizon_days)
    ok = len(pairs) and sample["churned"].nunique() == 2 and sample["health_score"].notna().any()
    scored = sample[sample["health_score"].notna()] if len(pairs) else sample
    auc = float(roc_auc_score(scored["churned"], -scored["health_score"])) if ok else np.nan
    return {"sample": sample, "auc": auc, "n": len(sample),
            "by_band": band_churn(sample) if len(pairs) else pd.DataFrame()}


def _as_known(periods: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Periods as known on ``day``: later starts dropped, later ends blanked (running)."""
    p = periods[periods["start_date"] <= day].copy()
    p.loc[p["end_date"] > day, "end_date"] = pd.NaT
    return p


def band_churn(sample: pd.DataFrame) -> pd.DataFrame:
    """Churn rate by health band: ``health_band``, ``accounts``, ``churned``, ``churn_rate``."""
    g = sample.dropna(subset=["health_band"]).groupby("health_band")["churned"]
    out = pd.DataFrame({"accounts": g.size(), "churned": g.sum()}).reindex(list(BANDS)).fillna(0)
    out["churn_rate"] = np.where(out["accounts"] > 0, out["churned"] / out["accounts"].clip(lower=1),
                                 np.nan)
    return out.astype({"accounts": int, "churned": int}).rename_axis("health_band").reset_index()


def learned_weights(sample: pd.DataFrame, config: HealthConfig, *, random_state: int = 0
                    ) -> pd.DataFrame:
    """Configured weights beside weights learned by a logistic regression on the same points.

    The model predicts ``churned`` from the measures' points (missing: 50, the middle),
    standardised; a measure whose extra points lower churn gets learned weight
    max(-coefficient, 0), and both weight columns are shares summing to 1.

    Returns ``measure``, ``group``, ``configured_weight``, ``learned_weight``,
    ``coefficient`` (per standard deviation of points, log-odds of churn).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    cols = [f"{m.name}_points" for m in config.measures]
    X = sample[cols].fillna(50.0).to_numpy(dtype=float)
    y = sample["churned"].to_numpy(dtype=int)
    coef = np.full(len(cols), np.nan)
    if len(np.unique(y)) == 2:
        Xs = StandardScaler().fit_transform(X)
        model = LogisticRegression(C=1.0, solver="newton-cholesky", max_iter=200,
                                   random_state=random_state).fit(Xs, y)
        coef = model.coef_[0]
    configured = np.array([m.weight for m in config.measures])
    learned = np.maximum(-np.nan_to_num(coef), 0)
    return pd.DataFrame({
        "measure": [m.name for m in config.measures], "group": [m.group for m in config.measures],
        "configured_weight": configured / configured.sum(),
        "learned_weight": learned / learned.sum() if learned.sum() > 0 else np.nan,
        "coefficient": coef})


def health_history(config: HealthConfig, periods: pd.DataFrame, events: pd.DataFrame | signals.EventIndex | None,
                   feedback: pd.DataFrame | None, as_of: pd.Timestamp,
                   lags: tuple[int, ...] = (0, 7, 30)) -> pd.DataFrame:
    """Scores of the accounts running on ``as_of`` at ``as_of`` minus each lag (days).

    Long frame: ``customer_id``, ``date``, ``lag_days``, ``health_score``, ``health_band``
    and the measure values.
    """
    as_of = pd.Timestamp(as_of).normalize()
    now = signals.active_pairs(_as_known(periods, as_of), [as_of])
    frames = []
    for lag in lags:
        pairs = now.assign(date=as_of - pd.Timedelta(days=lag))
        scored = score(measure_values(pairs, config, periods, events, feedback), config)
        frames.append(scored.assign(lag_days=lag))
    return pd.concat(frames, ignore_index=True)


def declines(history: pd.DataFrame, *, min_drop: float = 10.0) -> pd.DataFrame:
    """Accounts whose score fell by at least ``min_drop`` points over 7 or 30 days.

    Columns ``customer_id``, ``health_score`` (now), ``change_7d``, ``change_30d`` (points),
    sorted by the larger fall.
    """
    wide = history.pivot_table(index="customer_id", columns="lag_days", values="health_score")
    out = pd.DataFrame({"health_score": wide.get(0)})
    out["change_7d"] = wide.get(0) - wide.get(7) if 7 in wide else np.nan
    out["change_30d"] = wide.get(0) - wide.get(30) if 30 in wide else np.nan
    worst = out[["change_7d", "change_30d"]].min(axis=1)
    out = out[worst <= -min_drop].assign(_w=worst).sort_values("_w").drop(columns="_w")
    return out.reset_index()
