"""Three randomised campaigns planted in the retail demo, with their true effects.

:func:`plant_campaigns` takes the demo's generated ``transactions`` and ``customers`` tables
(:func:`workbench.demo.generate_demo`) and a seed, and plants, one after the other:

* ``winback_coupon`` (arm ``coupon``, control written ``control``): helps *lapsed loyal*
  customers (last purchase 60-400 days before the send, at least 2 orders): a treated customer
  of that group who would not have bought in the window buys once with probability 0.35;
  everybody else with probability 0.03;
* ``newsletter`` (arm ``newsletter``, control written ``holdout``): no effect at all;
* ``loyalty_push`` (arm ``push``, control written ``对照组``): annoys *recent loyal* buyers (last
  purchase at most 45 days before the send, at least 4 orders): a treated customer of that
  group who would have bought in the window loses every purchase of the window with
  probability 0.6 (the "sleeping dogs"); everybody else gains a purchase with probability 0.04.

Effects act by adding orders (one line: the customer's median line amount, their last
product) or removing the window's lines (and their returns) after ``sent_at``. The outcome
window is ``window_days`` (30) days. Each customer's *true uplift* is the planted change in
their probability of buying in the window, given their own untreated outcome ``y0``:
``q (1 - y0)`` for an added purchase with probability ``q``, ``-r y0`` for a removal with
probability ``r``; it is computed for treated and control customers alike. Averaged over a
campaign's customers it is the campaign's true average effect, which the measured difference
estimates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["PLANTED", "PlantedCampaigns", "plant_campaigns", "write_planted"]

#: The planted campaigns, in send order: days before the data's end, arm, control name,
#: channel, offer, cost per contact (currency units) and the planted effect rule.
PLANTED: tuple[dict, ...] = (
    {"campaign_id": "winback_coupon", "days_before_end": 130, "arm": "coupon",
     "control": "control", "channel": "sms", "offer": "coupon_20", "cost": 2.0, "rule": "lapsed"},
    {"campaign_id": "newsletter", "days_before_end": 90, "arm": "newsletter",
     "control": "holdout", "channel": "email", "offer": "", "cost": 0.1, "rule": "flat"},
    {"campaign_id": "loyalty_push", "days_before_end": 50, "arm": "push",
     "control": "对照组", "channel": "app_push", "offer": "points_x2", "cost": 0.5, "rule": "annoy"},
)
LAPSED = {"min_days": 60, "max_days": 400, "min_orders": 2, "q": 0.35, "q_other": 0.03}
ANNOY = {"max_days": 45, "min_orders": 4, "r": 0.6, "q_other": 0.04}


@dataclass
class PlantedCampaigns:
    """The demo's transactions with the campaigns' effects, the campaign log and the truth.

    ``truth`` has one row per customer and campaign: ``customer_id, campaign_id, arm``
    (``control`` for the control group), ``planted_group`` (``lapsed_loyal``,
    ``recent_loyal`` or ``other``), ``true_uplift`` (fraction), ``true_revenue_uplift``
    (currency units) and ``sleeping_dog``. ``effects`` has the true average effect of each
    arm (``planted_uplift``, ``planted_revenue_uplift``).
    """

    transactions: pd.DataFrame
    campaigns: pd.DataFrame
    truth: pd.DataFrame
    effects: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass
class _Lines:
    """Transaction lines as numbers, the form :func:`_plant` works on.

    ``customer`` holds one code per line (-1: no customer), ascending as the customer ids sort,
    and ``customer_ids`` the id of each code; ``order`` one code per distinct order id;
    ``date`` is a ``datetime64`` array; ``signup`` (or ``None``) the signup time of each
    customer code (``NaT``: unknown). ``returns_of`` maps order codes to the codes of their
    returns' orders (``"R"`` + id; -1 where there is none), ``new_orders`` gives codes to the
    ids of added orders, and ``order_text`` gives the ids of order codes.
    """

    customer: np.ndarray
    customer_ids: Any
    order: np.ndarray
    amount: np.ndarray
    date: np.ndarray
    signup: np.ndarray | None
    returns_of: Callable[[np.ndarray], np.ndarray]
    new_orders: Callable[[list[str]], np.ndarray]
    order_text: Callable[[np.ndarray], np.ndarray]


@dataclass
class _Planting:
    """What :func:`_plant` did to the lines: ``rows`` are the resulting lines in order, as
    indices into the grown arrays ``origin`` (the given line each comes from), ``date``,
    ``amount`` and ``order``; indices from ``n_given`` on are added orders, whose ids are
    ``added_ids``."""

    rows: np.ndarray
    origin: np.ndarray
    date: np.ndarray
    amount: np.ndarray
    order: np.ndarray
    n_given: int
    added_ids: list[str]
    campaigns: pd.DataFrame
    truth: pd.DataFrame
    effects: pd.DataFrame


def _plant(lines: _Lines, rng: np.random.Generator, window_days: int, control_share: float,
           audience_share: float) -> _Planting:
    """Plant :data:`PLANTED` in ``lines``; the rules of :func:`plant_campaigns`."""
    cust, order, amount, date = lines.customer, lines.order, lines.amount, lines.date
    n_given = len(cust)
    origin = np.arange(n_given)
    alive = np.ones(n_given, dtype=bool)
    added_ids: list[str] = []
    end = pd.Timestamp(np.max(date[~np.isnat(date)])).normalize()
    window = pd.Timedelta(days=window_days)
    logs, truths = [], []
    for index, spec in enumerate(PLANTED):
        sent = end - pd.Timedelta(days=spec["days_before_end"]) + pd.Timedelta(hours=10)
        sent64, stop64 = sent.to_datetime64(), (sent + window).to_datetime64()
        before = np.flatnonzero(alive & (date < sent64) & (amount > 0) & (cust >= 0))
        positive = pd.DataFrame({"customer": cust[before], "order": order[before],
                                 "amount": amount[before], "_date": date[before]})
        hist = positive.groupby("customer").agg(last=("_date", "max"),
                                                orders=("order", "nunique"),
                                                median_amount=("amount", "median"))
        codes = hist.index.to_numpy()
        if lines.signup is not None:
            known = lines.signup[codes]
            hist = hist[np.isnat(known) | (known <= sent64)]
        hist = hist[rng.random(len(hist)) < audience_share]
        codes = hist.index.to_numpy()
        ids = np.asarray(lines.customer_ids[codes])
        n = len(codes)
        treated = rng.random(n) >= control_share
        recency = (sent - hist["last"]).dt.total_seconds().to_numpy() / 86400.0
        orders = hist["orders"].to_numpy()
        inside = np.flatnonzero(alive & (date > sent64) & (date <= stop64))
        y0 = np.isin(codes, cust[inside[amount[inside] > 0]])
        window_rev = (pd.Series(amount[inside]).groupby(cust[inside]).sum()
                      .reindex(codes).fillna(0.0).to_numpy())
        amount_c = hist["median_amount"].round(2).to_numpy()
        group = np.full(n, "other", dtype=object)
        add_q = np.zeros(n)
        drop_r = np.zeros(n)
        if spec["rule"] == "lapsed":
            lapsed = ((recency > LAPSED["min_days"]) & (recency <= LAPSED["max_days"])
                      & (orders >= LAPSED["min_orders"]))
            group[lapsed] = "lapsed_loyal"
            add_q = np.where(lapsed, LAPSED["q"], LAPSED["q_other"])
        elif spec["rule"] == "annoy":
            loyal = (recency <= ANNOY["max_days"]) & (orders >= ANNOY["min_orders"])
            group[loyal] = "recent_loyal"
            drop_r = np.where(loyal, ANNOY["r"], 0.0)
            add_q = np.where(loyal, 0.0, ANNOY["q_other"])
        true_uplift = add_q * (1 - y0) - drop_r * y0
        true_revenue = add_q * (1 - y0) * amount_c - drop_r * window_rev
        u_add, u_drop = rng.random(n), rng.random(n)
        do_add = treated & ~y0 & (u_add < add_q)
        do_drop = treated & y0 & (u_drop < drop_r)
        # remove the window's lines of the annoyed, and the returns of those orders
        dropped = inside[np.isin(cust[inside], codes[do_drop])]
        if len(dropped):
            returns = lines.returns_of(np.unique(order[dropped]))
            alive[dropped] = False
            alive &= ~np.isin(order, returns[returns >= 0])
        # add one order for each customer the campaign won: a copy of their last line
        winners = np.flatnonzero(do_add)
        if len(winners):
            mine = before[np.isin(cust[before], codes[winners])]
            mine = mine[np.lexsort((mine, date[mine], cust[mine]))]
            last = mine[np.r_[cust[mine][1:] != cust[mine][:-1], True]]
            source = last[np.searchsorted(cust[last], codes[winners])]
            offsets = rng.uniform(3600, window.total_seconds(), len(winners))
            new_dates = (sent + pd.to_timedelta(offsets, unit="s")).floor("s").to_numpy()
            new_ids = [f"K{index + 1}{k:07d}" for k in range(len(winners))]
            added_ids.extend(new_ids)
            cust = np.concatenate([cust, cust[source]])
            order = np.concatenate([order, lines.new_orders(new_ids)])
            amount = np.concatenate([amount, amount_c[winners]])
            date = np.concatenate([date, new_dates])
            origin = np.concatenate([origin, origin[source]])
            alive = np.concatenate([alive, np.ones(len(winners), dtype=bool)])
        arm = np.where(treated, spec["arm"], spec["control"])
        logs.append(pd.DataFrame({
            "customer_id": ids, "campaign_id": spec["campaign_id"],
            "sent_at": sent.strftime("%Y-%m-%d %H:%M:%S"), "arm": arm,
            "channel": spec["channel"], "offer": spec["offer"],
            "cost": np.where(treated, spec["cost"], 0.0)}))
        truths.append(pd.DataFrame({
            "customer_id": ids, "campaign_id": spec["campaign_id"],
            "arm": np.where(treated, spec["arm"], "control"), "planted_group": group,
            "true_uplift": true_uplift, "true_revenue_uplift": true_revenue,
            "sleeping_dog": group == "recent_loyal"}))
    rows = _chronological(np.flatnonzero(alive), date, order,
                          lambda r: _order_text(lines, r, n_given, added_ids))
    truth = pd.concat(truths, ignore_index=True)
    effects = (truth.assign(arm=truth["campaign_id"].map({s["campaign_id"]: s["arm"] for s in PLANTED}))
               .groupby(["campaign_id", "arm"], sort=False)
               .agg(planted_uplift=("true_uplift", "mean"),
                    planted_revenue_uplift=("true_revenue_uplift", "mean"),
                    customers=("customer_id", "size")).reset_index())
    return _Planting(rows, origin, date, amount, order, n_given, added_ids,
                     pd.concat(logs, ignore_index=True), truth, effects)


def _order_text(lines: _Lines, rows: np.ndarray, n_given: int, added_ids: list[str]) -> np.ndarray:
    """Order ids of ``rows`` (given lines first, then the added orders)."""
    text = np.empty(len(rows), dtype=object)
    given = rows < n_given
    text[given] = lines.order_text(lines.order[rows[given]])
    text[~given] = np.asarray(added_ids, dtype=object)[rows[~given] - n_given]
    return text


def _chronological(rows: np.ndarray, date: np.ndarray, order: np.ndarray,
                   order_text: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``rows`` sorted by date, then order id (stable; no date last), as
    ``sort_values(["date", "order_id"], kind="stable")``: ids are compared only where lines
    of several orders share a date."""
    key = date[rows].view(np.int64)
    key = np.where(np.isnat(date[rows]), np.iinfo(np.int64).max, key)
    by_date = np.argsort(key, kind="stable")
    rows, key = rows[by_date], key[by_date]
    if len(rows) < 2:
        return rows
    starts = np.r_[True, key[1:] != key[:-1]]
    run = np.cumsum(starts) - 1
    mixed = np.r_[False, (order[rows][1:] != order[rows][:-1]) & ~starts[1:]]
    tied = np.flatnonzero(np.isin(run, np.unique(run[mixed])))
    if len(tied):
        ties = pd.DataFrame({"key": key[tied], "order_id": order_text(rows[tied])})
        rows[tied] = rows[tied][ties.sort_values(["key", "order_id"], kind="stable").index]
    return rows


def _as_text(dates: pd.Series) -> pd.Series:
    return dates.dt.strftime("%Y-%m-%d %H:%M:%S")


def plant_campaigns(transactions: pd.DataFrame, customers: pd.DataFrame | None = None, *,
                    seed: int = 0, window_days: int = 30, control_share: float = 0.4,
                    audience_share: float = 0.8) -> PlantedCampaigns:
    """Plant the three campaigns of :data:`PLANTED` in the demo's transactions.

    Parameters
    ----------
    transactions, customers
        The demo's tables as generated (``order_date`` as text or timestamps; the result keeps
        the same form). ``customers``' ``signup_date``, when given, keeps customers out of a
        campaign sent before they registered.
    seed
        Seed of the NumPy generator: the same seed gives the same campaigns and truth.
    window_days
        The outcome window after each send (days).
    control_share
        Share of each campaign's audience held out as control.
    audience_share
        Share of the customers who had bought before a send that the campaign addresses.
    """
    given_dates = transactions["order_date"]
    as_text = not pd.api.types.is_datetime64_any_dtype(given_dates)
    customer, customer_ids = pd.factorize(transactions["customer_id"], sort=True)
    order, order_ids = pd.factorize(transactions["order_id"])
    known = pd.Index(order_ids.astype(str))  # the ids as text, which returns refer to
    added: dict[str, int] = {}
    signup = None
    if customers is not None and "signup_date" in customers:
        signup = (pd.Series(pd.to_datetime(customers["signup_date"]).to_numpy(),
                            index=customers["customer_id"].astype(str))
                  .reindex(customer_ids).to_numpy())

    def codes_of(texts: list[str]) -> np.ndarray:
        codes = known.get_indexer(texts)
        for i in np.flatnonzero(codes < 0):
            codes[i] = added.get(texts[i], -1)
        return codes

    def returns_of(codes: np.ndarray) -> np.ndarray:
        text = {code: name for name, code in added.items()}
        return codes_of(["R" + (known[code] if code < len(known) else text[code])
                         for code in codes])

    def new_orders(ids: list[str]) -> np.ndarray:
        codes = codes_of(ids)
        for i in np.flatnonzero(codes < 0):
            codes[i] = added.setdefault(ids[i], len(known) + len(added))
        return codes

    lines = _Lines(customer=customer, customer_ids=customer_ids, order=order,
                   amount=transactions["amount"].to_numpy(),
                   date=pd.to_datetime(given_dates).to_numpy(), signup=signup,
                   returns_of=returns_of, new_orders=new_orders,
                   order_text=lambda codes: np.asarray(order_ids)[codes])
    planting = _plant(lines, np.random.default_rng(seed), window_days, control_share,
                      audience_share)
    n_given, rows = planting.n_given, planting.rows
    tx = transactions
    if len(planting.origin) > n_given:  # the added orders: copies of their customers' last line
        copies = transactions.iloc[planting.origin[n_given:]].reset_index(drop=True)
        copies["order_id"] = planting.added_ids
        copies["amount"] = planting.amount[n_given:]
        if "quantity" in copies:
            copies["quantity"] = 1
        if "discount" in copies:
            copies["discount"] = 0.0
        tx = pd.concat([transactions, copies], ignore_index=True)
    tx = tx.iloc[rows].reset_index(drop=True)
    dates = pd.Series(planting.date[rows])
    if not as_text:
        tx["order_date"] = dates
    elif given_dates.dtype == "str" and given_dates.str.fullmatch(
            r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d").all():
        # the given lines' text is already what formatting their dates gives
        text = given_dates.iloc[planting.origin[rows]].reset_index(drop=True)
        new = np.flatnonzero(rows >= n_given)
        text.iloc[new] = _as_text(dates.iloc[new]).to_numpy()
        tx["order_date"] = text
    else:
        tx["order_date"] = _as_text(dates)
    return PlantedCampaigns(tx, planting.campaigns, planting.truth, planting.effects)


def write_planted(planted: PlantedCampaigns, out_dir) -> None:
    """Write ``campaigns.csv`` and the truth (``truth/campaigns.csv`` per customer and campaign,
    ``truth/campaign_effects.csv`` per arm) into the demo folder ``out_dir``.

    The modified transactions are the caller's to write (``transactions.csv``), with the rest
    of the demo.
    """
    from pathlib import Path

    from workbench.demo import _write_csv  # atomic, with the bytes of DataFrame.to_csv

    out = Path(out_dir)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    _write_csv(planted.campaigns, out / "campaigns.csv")
    _write_csv(planted.truth, out / "truth" / "campaigns.csv", float_format="%.6f")
    _write_csv(planted.effects, out / "truth" / "campaign_effects.csv", float_format="%.6f")
