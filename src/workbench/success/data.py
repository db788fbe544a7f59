"""The subscriptions table: checked once, at the edge, into periods of constant MRR.

One row is a *period*: a subscription running with a constant monthly recurring revenue
(``mrr``, currency units per month) on every day from ``start_date`` to ``end_date``
inclusive; a blank ``end_date`` means the period is still running. An upgrade or a
downgrade on day D ends the old row on D-1 and starts the next row on D.

Rows that cannot be used (negative MRR, an end before the start, no start, no MRR) are set
aside with a reason code; two periods of one subscription that share a day are an error,
because the MRR of that day would be counted twice (:class:`SubscriptionError`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workbench.schema import SUBSCRIPTIONS

__all__ = ["ALIASES", "OPTIONAL", "REASONS", "REQUIRED", "SubscriptionError",
           "read_subscriptions", "roll_up", "term_months", "validate_subscriptions"]

#: Columns every subscriptions table has (``mrr`` may come as ``arr``, divided by 12).
REQUIRED = ("customer_id", "subscription_id", "start_date", "mrr")
#: Optional columns, kept when present.
OPTIONAL = ("end_date", "plan", "seats", "billing_period", "renewal_date", "status",
            "cancel_reason")
#: Reason codes of rows set aside (catalogue keys ``cs.reason.<code>``).
REASONS = ("missing_start", "missing_mrr", "negative_mrr", "end_before_start")

#: Header aliases of the subscriptions table (declared once, in :data:`workbench.schema.SUBSCRIPTIONS`).
ALIASES: dict[str, tuple[str, ...]] = {c.name: c.aliases for c in SUBSCRIPTIONS.columns}

#: Term length in months by ``billing_period`` value (lower-cased); anything else is 12.
_TERMS = {"monthly": 1, "month": 1, "m": 1, "月": 1, "月付": 1, "按月": 1,
          "quarterly": 3, "quarter": 3, "q": 3, "季": 3, "季付": 3, "按季": 3,
          "annual": 12, "annually": 12, "yearly": 12, "year": 12, "y": 12, "年": 12,
          "年付": 12, "按年": 12}


class SubscriptionError(ValueError):
    """The subscriptions table cannot be used as given; the message names the rows."""


def term_months(billing_period: pd.Series | None, index: pd.Index) -> pd.Series:
    """Contract term in months per row: 1 monthly, 3 quarterly, 12 annual (the default).

    B2B contracts are annual unless said otherwise, so a blank ``billing_period`` is 12.
    """
    if billing_period is None:
        return pd.Series(12, index=index, dtype="int64")
    key = billing_period.astype("string").str.strip().str.lower()
    return key.map(_TERMS).fillna(12).astype("int64")


def validate_subscriptions(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check a subscriptions frame with canonical column names.

    Parameters
    ----------
    frame
        ``customer_id``, ``subscription_id``, ``start_date``, ``end_date`` (blank while
        running) and ``mrr`` (currency units per month) or ``arr`` (currency units per
        year, divided by 12 when ``mrr`` is absent or blank); optional ``plan``, ``seats``,
        ``billing_period``, ``renewal_date``, ``status``, ``cancel_reason``.

    Returns
    -------
    kept, set_aside
        ``kept``: usable periods with ids as strings, dates normalised to days and a
        ``term_months`` column (see :func:`term_months`), sorted by subscription and
        start. ``set_aside``: the other rows with ``row`` (0-based position in ``frame``)
        and ``reason`` (one of :data:`REASONS`).

    Raises
    ------
    SubscriptionError
        A required column is missing, or two periods of one subscription share a day
        (the message names the subscription and the rows).
    """
    df = frame.copy()
    if "mrr" not in df and "arr" in df:
        df["mrr"] = pd.to_numeric(df["arr"], errors="coerce") / 12.0
    elif "arr" in df:
        df["mrr"] = pd.to_numeric(df["mrr"], errors="coerce").fillna(
            pd.to_numeric(df["arr"], errors="coerce") / 12.0)
    missing = [c for c in REQUIRED if c not in df]
    if missing:
        raise SubscriptionError(
            f"subscriptions: missing column(s) {', '.join(missing)}; the table needs "
            f"{', '.join(REQUIRED)} (mrr may be given as arr, an annual amount) and may have "
            f"end_date, {', '.join(OPTIONAL[1:])}.")
    # rows are named as the loader names them (``source_row``: 0-based data rows of the file)
    df["row"] = df["source_row"].to_numpy() if "source_row" in df else np.arange(len(df))
    for col in ("customer_id", "subscription_id"):
        df[col] = df[col].astype("string").str.strip()
    for col in ("start_date", "end_date", "renewal_date"):
        if col in df:
            df[col] = pd.to_datetime(df[col], errors="coerce").dt.normalize()
    if "end_date" not in df:
        df["end_date"] = pd.NaT
    df["mrr"] = pd.to_numeric(df["mrr"], errors="coerce").astype("float64")
    if "seats" in df:
        df["seats"] = pd.to_numeric(df["seats"], errors="coerce")
    reason = pd.Series(pd.NA, index=df.index, dtype="string")
    checks = (("missing_start", df["start_date"].isna()),
              ("missing_mrr", df["mrr"].isna()),
              ("negative_mrr", df["mrr"] < 0),
              ("end_before_start", df["end_date"].notna() & (df["end_date"] < df["start_date"])))
    for code, mask in checks:
        reason = reason.mask(reason.isna() & mask.fillna(False), code)
    set_aside = df[reason.notna()].assign(reason=reason[reason.notna()])
    kept = df[reason.isna()].copy()
    kept["term_months"] = term_months(kept.get("billing_period"), kept.index)
    kept = kept.sort_values(["subscription_id", "start_date", "row"], kind="stable")
    _check_overlaps(kept, "the file's line numbers" if "source_row" in df else "0-based data rows")
    return kept.reset_index(drop=True), set_aside.reset_index(drop=True)


def _check_overlaps(kept: pd.DataFrame, numbering: str = "0-based data rows") -> None:
    """Raise when a period starts on or before the end of the previous one (same subscription)."""
    same = kept["subscription_id"].eq(kept["subscription_id"].shift())
    prev_end = kept["end_date"].shift()
    prev_open = prev_end.isna() & same
    clash = same & (prev_open | (kept["start_date"] <= prev_end))
    if not clash.any():
        return
    prev_row = kept["row"].shift()
    lines = [f"subscription {s}: rows {int(p)} and {int(r)}"
             for s, p, r in zip(kept.loc[clash, "subscription_id"], prev_row[clash],
                                kept.loc[clash, "row"])]
    more = f" (and {len(lines) - 5} more)" if len(lines) > 5 else ""
    raise SubscriptionError(
        "subscriptions: periods of one subscription overlap (a day would count twice): "
        + "; ".join(lines[:5]) + more + f". Rows are {numbering}; an upgrade on day D "
        "ends the old row on D-1 and starts the new row on D.")


def read_subscriptions(path: str | Path) -> pd.DataFrame:
    """Read a subscriptions file and map its headers to canonical names (:data:`ALIASES`).

    A stop-gap until :func:`workbench.io.load_dataset` reads the table: ids are kept as text;
    the result goes to :func:`validate_subscriptions`.
    """
    from workbench.io import read_table_file

    frame, _, _ = read_table_file(Path(path))
    lookup = {name.lower(): name for name in (*REQUIRED, *OPTIONAL, "arr")}
    for canonical, names in ALIASES.items():
        lookup.update({n.strip().lower(): canonical for n in names})
    renamed = {c: lookup[str(c).strip().lower()] for c in frame.columns
               if str(c).strip().lower() in lookup}
    return frame.rename(columns=renamed)[list(dict.fromkeys(renamed.values()))].reset_index(
        drop=True)


def roll_up(periods: pd.DataFrame, customers: pd.DataFrame | None) -> pd.DataFrame:
    """Periods with ``customer_id`` replaced by the account's ``parent_id`` when it has one.

    Results by account then count a parent and its children as one customer. Without a
    customers table or a ``parent_id`` column the periods are returned unchanged. One level
    is followed (a child's parent, not the parent's parent).
    """
    if customers is None or "parent_id" not in customers:
        return periods
    parent = customers.drop_duplicates("customer_id").set_index("customer_id")["parent_id"]
    parent = parent[parent.notna() & (parent.astype(str).str.strip() != "")].astype(str)
    out = periods.copy()
    mapped = out["customer_id"].map(parent)
    out["customer_id"] = mapped.fillna(out["customer_id"]).astype("string")
    return out
