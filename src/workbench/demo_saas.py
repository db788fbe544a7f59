"""A seeded B2B SaaS demo with planted truth: subscriptions, usage, tickets, NPS.

``generate_saas_demo(folder)`` writes, over three years ending ``end_date``:

- ``customers.csv``: ``customer_id``, ``signup_date``, ``industry``, ``company_size``,
  ``account_manager``, ``parent_id`` (blank, or the account that owns this one), ``mrr``
  (MRR on ``end_date``, currency units per month), ``churned`` and ``churned_at``;
- ``subscriptions.csv``: ``customer_id``, ``subscription_id``, ``plan``, ``seats``,
  ``billing_period`` (monthly or annual), ``start_date``, ``end_date`` (blank while
  running), ``mrr``, ``renewal_date`` (next renewal of the row's term), ``status``,
  ``cancel_reason``; an upgrade or downgrade on day D ends a row on D-1 and starts the next
  on D;
- ``events.csv``: ``customer_id``, ``timestamp``, ``event`` (``login``, ``feature_use``,
  ``report_created`` - the key event -, ``support_ticket``), ``channel``;
- ``feedback.csv``: ``customer_id``, ``submitted_at``, ``nps`` (0-10);
- ``truth/accounts.csv`` and ``truth/params.json``: the planted drivers.

Planted drivers of churn at each renewal (logit scale, ``truth/params.json``): a latent risk
(which also raises support tickets and lowers NPS), a small company, and onboarding without
the key event in the first 30 days. Usage falls over the ``decline_days`` (120) before every
churn, so a usage-trend health score sees churn coming.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.safety import atomic_write

__all__ = ["KEY_EVENT", "PLANS", "SaasTruth", "generate_saas_demo"]

#: The event that means the account got value (activation).
KEY_EVENT = "report_created"
#: Plan -> (price per seat per month in currency units, seat limit).
PLANS = {"basic": (25.0, 10), "pro": (45.0, 60), "enterprise": (80.0, 1000)}
_SIZES = ("1-50", "51-200", "201-1000", "1000+")
_SIZE_SEATS = {"1-50": (2, 9), "51-200": (8, 40), "201-1000": (30, 120), "1000+": (100, 400)}
_INDUSTRIES = ("software", "manufacturing", "retail", "finance", "healthcare", "education")
_MANAGERS = tuple(f"AM{i:02d}" for i in range(1, 13))
_CHANNELS = ("web", "desktop", "mobile")
#: Planted churn drivers (logit scale per renewal).
DRIVERS = {"risk": 1.1, "small_company": 0.5, "not_activated": 0.9}
_BASE_LOGIT = {1: -4.4, 12: -2.6}  # monthly renewals about 1.5%, annual about 10% at risk 0
DECLINE_DAYS = 120
ACTIVATION_DAYS = 30


@dataclass
class SaasTruth:
    """What was planted; also written to ``truth/params.json``."""

    accounts: int
    seed: int
    start_date: str
    end_date: str
    drivers: dict
    decline_days: int
    activation_days: int
    key_event: str
    n_subscription_rows: int = 0
    n_events: int = 0
    n_feedback: int = 0

    @property
    def n_customers(self) -> int:
        """Accounts written (the name ``workbench demo`` prints for the retail demo)."""
        return self.accounts


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    """Written atomically, with the usual permissions under the umask."""
    with atomic_write(path, "w", encoding="utf-8", newline="") as handle:
        df.to_csv(handle, index=False, lineterminator="\n", float_format="%.2f")


def _account_periods(rng, cid, start, end, seats, plan, term, risk, logit_extra):
    """Subscription rows and churn dates of one account, month tick by month tick."""
    rows, churns = [], []
    sub_no, t = 0, start
    while t <= end:
        sub = f"{cid}-S{sub_no}"
        row_start, j = t, 1
        churn_day = None
        while True:
            tick = _add_months(t, j)
            if tick > end:
                break
            if j % term == 0:  # a renewal
                p = 1 / (1 + np.exp(-(_BASE_LOGIT[term] + DRIVERS["risk"] * risk + logit_extra)))
                if rng.random() < p:
                    churn_day = tick - timedelta(days=1)
                    break
            change = rng.random()
            up, down = 0.03 * np.exp(-0.5 * risk), 0.015 * np.exp(0.5 * risk)
            if change < up + down:
                day = tick + timedelta(days=int(rng.integers(0, 27)))
                if day <= end and day > row_start:
                    rows.append((sub, plan, seats, row_start, day - timedelta(days=1)))
                    factor = rng.uniform(1.15, 1.5) if change < up else rng.uniform(0.6, 0.85)
                    seats = max(1, round(seats * factor))
                    if seats > PLANS[plan][1]:
                        plan = "pro" if plan == "basic" else "enterprise"
                    row_start = day
            j += 1
        rows.append((sub, plan, seats, row_start, churn_day))
        if churn_day is None:
            break
        churns.append(churn_day)
        if rng.random() >= 0.12:  # most churned accounts stay away
            break
        t = churn_day + timedelta(days=int(rng.integers(60, 300)))
        sub_no += 1
    return rows, churns


def generate_saas_demo(folder: str | Path, accounts: int = 2000, seed: int = 0, *,
                       end_date: str = "2026-10-31", years: int = 3) -> SaasTruth:
    """Write the B2B SaaS demo to ``folder`` and return what was planted.

    Parameters
    ----------
    folder
        Folder to create (files in it are overwritten).
    accounts
        Number of accounts (customers with a subscription).
    seed
        Seed of the NumPy generator; the same seed gives the same files.
    end_date
        Last day of the data (inclusive); the data cover ``years`` years up to it.
    """
    rng = np.random.default_rng(seed)
    out = Path(folder)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    end = pd.Timestamp(end_date).date()
    begin = _add_months(end + timedelta(days=1), -12 * years)
    span = (end - begin).days
    ids = [f"C{i:05d}" for i in range(1, accounts + 1)]
    size = rng.choice(_SIZES, size=accounts, p=[0.4, 0.3, 0.2, 0.1])
    risk = rng.normal(0, 1, accounts)
    activated = rng.random(accounts) < 1 / (1 + np.exp(-(1.2 - 0.8 * risk)))
    early = rng.random(accounts) < 0.35  # the base: accounts running when the data start
    offset = np.where(early, rng.integers(0, 60, accounts), rng.integers(0, span - 60, accounts))
    customers, subs, truth_rows, events, feedback = [], [], [], [], []
    for i, cid in enumerate(ids):
        start = begin + timedelta(days=int(offset[i]))
        lo, hi = _SIZE_SEATS[size[i]]
        seats = int(rng.integers(lo, hi + 1))
        plan = "basic" if seats <= 10 else ("pro" if seats <= 60 else "enterprise")
        annual = rng.random() < (0.45 if size[i] == "1-50" else 0.75)
        term = 12 if annual else 1
        extra = DRIVERS["small_company"] * (size[i] == "1-50") \
            + DRIVERS["not_activated"] * (not activated[i])
        rows, churns = _account_periods(rng, cid, start, end, seats, plan, term, risk[i], extra)
        price_factor = 0.85 if annual else 1.0
        for sub, p_plan, p_seats, s, e in rows:
            mrr = round(p_seats * PLANS[p_plan][0] * price_factor, 2)
            first = s if not subs or subs[-1][1] != sub else None
            sub_first = first or next(r[4] for r in subs if r[1] == sub)
            k = 1
            while _add_months(sub_first, k * term) <= s:
                k += 1
            renewal = _add_months(sub_first, k * term)
            cancelled = e is not None and e in churns
            subs.append((cid, sub, p_plan, p_seats, sub_first, s, e, mrr,
                         "annual" if annual else "monthly", renewal,
                         "cancelled" if cancelled else ("changed" if e else "active"),
                         ("price" if risk[i] > 0.5 else "low_usage") if cancelled else None))
        churn_days = np.array([(c - begin).days for c in churns], dtype=float)
        spans = [((s - begin).days, ((e or end) - begin).days) for _, _, _, _, s, e in
                 [(None, None, None, None, r[3], r[4]) for r in rows]]
        _usage(rng, cid, spans, churn_days, seats, risk[i], activated[i], begin, span, events)
        _nps(rng, cid, spans, churn_days, risk[i], begin, span, feedback)
        still = rows[-1][4] is None
        last_mrr = subs[-1][7] if still else 0.0
        customers.append((cid, start, rng.choice(_INDUSTRIES), size[i],
                          _MANAGERS[int(rng.integers(len(_MANAGERS)))], last_mrr,
                          not still, None if still else rows[-1][4]))
        truth_rows.append((cid, risk[i], bool(activated[i]), size[i] == "1-50", term,
                           ";".join(c.isoformat() for c in churns), len(churns)))
    cust = pd.DataFrame(customers, columns=["customer_id", "signup_date", "industry",
                                            "company_size", "account_manager", "mrr",
                                            "churned", "churned_at"])
    big = cust.index[cust["company_size"].isin(("201-1000", "1000+"))].to_numpy()
    parents = rng.choice(big, size=max(1, len(big) // 6), replace=False) if len(big) else []
    cust["parent_id"] = pd.Series(pd.NA, index=cust.index, dtype="string")
    if len(parents):
        children = rng.choice(np.setdiff1d(cust.index, parents), size=min(len(cust) // 8,
                              len(cust) - len(parents)), replace=False)
        cust.loc[children, "parent_id"] = cust.loc[rng.choice(parents, len(children)),
                                                   "customer_id"].to_numpy()
    cust = cust[["customer_id", "signup_date", "industry", "company_size", "account_manager",
                 "parent_id", "mrr", "churned", "churned_at"]]
    sub_df = pd.DataFrame(subs, columns=["customer_id", "subscription_id", "plan", "seats",
                                         "_first", "start_date", "end_date", "mrr",
                                         "billing_period", "renewal_date", "status",
                                         "cancel_reason"]).drop(columns="_first")
    ev = pd.DataFrame(events, columns=["customer_id", "day", "second", "event", "channel"])
    ev["timestamp"] = (pd.Timestamp(begin) + pd.to_timedelta(ev["day"], unit="D")
                       + pd.to_timedelta(ev["second"], unit="s"))
    ev = ev.sort_values(["timestamp", "customer_id"], kind="stable")[
        ["customer_id", "timestamp", "event", "channel"]]
    fb = pd.DataFrame(feedback, columns=["customer_id", "day", "nps"])
    fb["submitted_at"] = pd.Timestamp(begin) + pd.to_timedelta(fb["day"], unit="D")
    fb = fb.sort_values(["submitted_at", "customer_id"], kind="stable")[
        ["customer_id", "submitted_at", "nps"]]
    truth_df = pd.DataFrame(truth_rows, columns=["customer_id", "risk", "activated",
                                                 "small_company", "term_months", "churn_dates",
                                                 "churns"])
    _write_csv(cust, out / "customers.csv")
    _write_csv(sub_df, out / "subscriptions.csv")
    _write_csv(ev, out / "events.csv")
    _write_csv(fb, out / "feedback.csv")
    _write_csv(truth_df, out / "truth" / "accounts.csv")
    truth = SaasTruth(accounts=accounts, seed=seed, start_date=begin.isoformat(),
                      end_date=end.isoformat(), drivers=dict(DRIVERS), decline_days=DECLINE_DAYS,
                      activation_days=ACTIVATION_DAYS, key_event=KEY_EVENT,
                      n_subscription_rows=len(sub_df), n_events=len(ev), n_feedback=len(fb))
    (out / "truth" / "params.json").write_text(json.dumps(asdict(truth), indent=2) + "\n",
                                               encoding="utf-8")
    return truth


def _engagement(days: np.ndarray, churn_days: np.ndarray) -> np.ndarray:
    """1 normally, falling linearly to 0.15 over the DECLINE_DAYS before each churn."""
    factor = np.ones(len(days))
    for c in churn_days:
        into = days - (c - DECLINE_DAYS)
        inside = (into >= 0) & (days <= c)
        factor[inside] = np.minimum(factor[inside], 1 - 0.85 * into[inside] / DECLINE_DAYS)
    return factor


def _usage(rng, cid, spans, churn_days, seats, risk, activated, begin, span, events):
    """Weekly usage events while a period runs; support tickets; the key event."""
    first_start = spans[0][0]
    key_from = first_start + (int(rng.integers(3, ACTIVATION_DAYS)) if activated
                              else int(rng.integers(ACTIVATION_DAYS + 15, 200)))
    for s, e in spans:
        lo, hi = max(s, 0), min(e, span)
        if hi < lo:
            continue
        weeks = np.arange(lo, hi + 1, 7)
        level = 0.7 * seats ** 0.35 * np.exp(-0.25 * risk) * _engagement(weeks + 3, churn_days)
        counts = rng.poisson(level)
        day = np.repeat(weeks, counts) + rng.integers(0, 7, counts.sum())
        day = day[day <= hi]
        kind = rng.choice(("login", "feature_use", KEY_EVENT), size=len(day), p=[0.6, 0.28, 0.12])
        kind = np.where((kind == KEY_EVENT) & (day < key_from), "login", kind)
        tickets = rng.poisson(0.25 * np.exp(0.6 * risk) * (2 - _engagement(weeks + 3,
                                                                           churn_days)) * 7 / 30)
        tday = np.repeat(weeks, tickets) + rng.integers(0, 7, tickets.sum())
        tday = tday[tday <= hi]
        planted = [key_from] if lo <= key_from <= hi else []  # the first key event
        all_days = np.concatenate([day, tday, np.array(planted, dtype=int)])
        all_kind = np.concatenate([kind, np.full(len(tday), "support_ticket"),
                                   np.full(len(planted), KEY_EVENT)])
        seconds = rng.integers(8 * 3600, 19 * 3600, len(all_days))
        channel = rng.choice(_CHANNELS, size=len(all_days), p=[0.6, 0.3, 0.1])
        events.extend(zip([cid] * len(all_days), all_days.tolist(), seconds.tolist(),
                          all_kind.tolist(), channel.tolist()))


def _nps(rng, cid, spans, churn_days, risk, begin, span, feedback):
    """About two NPS survey answers a year while running, lower for risky or fading accounts."""
    for s, e in spans:
        day = max(s, 0) + int(rng.integers(20, 120))
        while day <= min(e, span):
            if rng.random() < 0.6:
                fade = 1 - _engagement(np.array([day]), churn_days)[0]
                score = rng.normal(8.0 - 1.3 * risk - 3 * fade, 1.4)
                feedback.append((cid, day, int(np.clip(np.rint(score), 0, 10))))
            day += int(rng.integers(150, 210))
