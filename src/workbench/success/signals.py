"""Per-account values on given days, from data on or before each day (leakage-safe).

Every function takes ``pairs``: a frame of ``customer_id`` and ``date`` (a day), and returns
one value per pair, computed only from rows dated on or before that day. Days are whole
days (timestamps are cut to their date).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["EventIndex", "active_pairs", "days", "event_counts", "first_start", "last_event_age",
           "last_score", "mrr_on"]

_EPOCH = pd.Timestamp("1970-01-01")
_SPAN = 1 << 20  # days per customer block in the sort key (about 2,870 years)


def days(values: pd.Series) -> np.ndarray:
    """Whole days since 1970-01-01 (int64)."""
    return ((pd.to_datetime(values).dt.normalize() - _EPOCH) // pd.Timedelta(days=1)).to_numpy(
        dtype=np.int64)


def _codes(pairs: pd.DataFrame, other: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    cats = pd.Index(pd.unique(pd.concat([pairs["customer_id"], other]).astype(str)))
    return (cats.get_indexer(pairs["customer_id"].astype(str)).astype(np.int64),
            cats.get_indexer(other.astype(str)).astype(np.int64))


class EventIndex:
    """Events sorted once into integer keys (customer block x day), for fast window counts.

    Build it once per analysis and pass it wherever an events frame is accepted.
    """

    def __init__(self, events: pd.DataFrame, time_col: str = "timestamp"):
        self.customers = pd.Index(pd.unique(events["customer_id"].astype(str)))
        self._code = self.customers.get_indexer(events["customer_id"].astype(str)).astype(np.int64)
        self._day = days(events[time_col])
        self._event = events["event"].astype(str).to_numpy(dtype=object)
        self._cache: dict[tuple[str, ...] | None, np.ndarray] = {}

    def keys(self, names: Sequence[str] | None) -> np.ndarray:
        """Sorted keys of the events named ``names`` (None: all)."""
        tag = None if names is None else tuple(names)
        if tag not in self._cache:
            mask = slice(None) if tag is None else np.isin(self._event, list(tag))
            self._cache[tag] = np.sort(self._code[mask] * _SPAN + self._day[mask])
        return self._cache[tag]

    def query(self, pairs: pd.DataFrame) -> np.ndarray:
        """Keys of the pairs' days (customers without events get a block of their own)."""
        code = self.customers.get_indexer(pairs["customer_id"].astype(str)).astype(np.int64)
        code = np.where(code < 0, len(self.customers), code)
        return code * _SPAN + days(pairs["date"])


def _keys(events: pd.DataFrame | EventIndex, pairs: pd.DataFrame,
          names: Sequence[str] | None) -> tuple[np.ndarray, np.ndarray]:
    index = events if isinstance(events, EventIndex) else EventIndex(events)
    return index.keys(names), index.query(pairs)


def event_counts(pairs: pd.DataFrame, events: pd.DataFrame, names: Sequence[str] | None,
                 window: int, lag: int = 0) -> np.ndarray:
    """Events named ``names`` (None: all) in the ``window`` days ending ``lag`` days before
    each pair's day: days (day - lag - window, day - lag]."""
    keys, q = _keys(events, pairs, names)
    q = q - lag
    return (np.searchsorted(keys, q, side="right")
            - np.searchsorted(keys, q - window, side="right")).astype(float)


def last_event_age(pairs: pd.DataFrame, events: pd.DataFrame, names: Sequence[str] | None
                   ) -> np.ndarray:
    """Days since the last event named ``names`` on or before the day (NaN: none yet)."""
    keys, q = _keys(events, pairs, names)
    if not len(keys):
        return np.full(len(q), np.nan)
    i = np.searchsorted(keys, q, side="right") - 1
    prev = np.where(i >= 0, keys[np.maximum(i, 0)], -1)
    same = (i >= 0) & (prev // _SPAN == q // _SPAN)
    return np.where(same, (q - prev).astype(float), np.nan)


def last_score(pairs: pd.DataFrame, feedback: pd.DataFrame, field: str, window: int
               ) -> np.ndarray:
    """The last ``field`` answered in the ``window`` days up to the day (NaN: none)."""
    fb = feedback.dropna(subset=[field])
    pc, fc = _codes(pairs, fb["customer_id"])
    keys = fc * _SPAN + days(fb["submitted_at"])
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], fb[field].to_numpy(dtype=float)[order]
    q = pc * _SPAN + days(pairs["date"])
    if not len(keys):
        return np.full(len(q), np.nan)
    i = np.searchsorted(keys, q, side="right") - 1
    prev = np.where(i >= 0, keys[np.maximum(i, 0)], -1)
    ok = (i >= 0) & (prev // _SPAN == q // _SPAN) & (q - prev < window)
    return np.where(ok, values[np.maximum(i, 0)], np.nan)


def mrr_on(pairs: pd.DataFrame, periods: pd.DataFrame, lag: int = 0,
           key: str = "customer_id") -> np.ndarray:
    """MRR (currency units per month) running on the day ``lag`` days before each pair's day.

    ``key`` is the column that ties pairs to periods (``subscription_id`` for one
    subscription).

    Periods are taken as known on the pair's day: a period that starts later is not counted,
    and an end date after the day is not seen (the period is running).
    """
    left = pairs[[key, "date"]].reset_index(drop=True).assign(_pair=lambda f: f.index)
    left["_day"] = left["date"] - pd.Timedelta(days=lag)
    cols = [key, "start_date", "end_date", "mrr"]
    both = left.merge(periods[cols], on=key, how="inner")
    end = both["end_date"].fillna(pd.Timestamp.max.normalize())
    running = (both["start_date"] <= both["_day"]) & (both["_day"] <= end)
    total = both[running].groupby("_pair")["mrr"].sum()
    return total.reindex(left["_pair"], fill_value=0.0).to_numpy(dtype=float)


def first_start(periods: pd.DataFrame) -> pd.Series:
    """Each customer's first start date."""
    return periods.groupby("customer_id")["start_date"].min()


def active_pairs(periods: pd.DataFrame, dates: Sequence[pd.Timestamp]) -> pd.DataFrame:
    """``customer_id``, ``date``: the customers with a period running on each of ``dates``."""
    frames = []
    for day in dates:
        day = pd.Timestamp(day).normalize()
        end = periods["end_date"].fillna(pd.Timestamp.max.normalize())
        on = periods[(periods["start_date"] <= day) & (end >= day)]
        frames.append(pd.DataFrame({"customer_id": on["customer_id"].unique(), "date": day}))
    if not frames:
        return pd.DataFrame({"customer_id": pd.Series(dtype="string"),
                             "date": pd.Series(dtype="datetime64[ns]")})
    return pd.concat(frames, ignore_index=True)
