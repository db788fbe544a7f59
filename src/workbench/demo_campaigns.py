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

from dataclasses import dataclass, field

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
    rng = np.random.default_rng(seed)
    as_text = not pd.api.types.is_datetime64_any_dtype(transactions["order_date"])
    tx = transactions.copy()
    tx["_date"] = pd.to_datetime(tx["order_date"])
    end = tx["_date"].max().normalize()
    window = pd.Timedelta(days=window_days)
    signup = None
    if customers is not None and "signup_date" in customers:
        signup = pd.Series(pd.to_datetime(customers["signup_date"]).to_numpy(),
                           index=customers["customer_id"].astype(str))
    logs, truths, added_all = [], [], []
    for index, spec in enumerate(PLANTED):
        sent = end - pd.Timedelta(days=spec["days_before_end"]) + pd.Timedelta(hours=10)
        positive = tx[(tx["_date"] < sent) & (tx["amount"] > 0)]
        hist = positive.groupby("customer_id").agg(last=("_date", "max"),
                                                   orders=("order_id", "nunique"),
                                                   median_amount=("amount", "median"))
        if signup is not None:
            known = signup.reindex(hist.index)
            hist = hist[known.isna().to_numpy() | (known <= sent).to_numpy()]
        hist = hist.sort_index()
        hist = hist[rng.random(len(hist)) < audience_share]
        ids = hist.index.to_numpy()
        n = len(ids)
        treated = rng.random(n) >= control_share
        recency = (sent - hist["last"]).dt.total_seconds().to_numpy() / 86400.0
        orders = hist["orders"].to_numpy()
        inside = tx[(tx["_date"] > sent) & (tx["_date"] <= sent + window)]
        window_pos = inside[inside["amount"] > 0]
        y0 = pd.Index(ids).isin(window_pos["customer_id"].unique())
        window_rev = inside.groupby("customer_id")["amount"].sum().reindex(ids).fillna(0.0).to_numpy()
        amount = hist["median_amount"].round(2).to_numpy()
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
        true_revenue = add_q * (1 - y0) * amount - drop_r * window_rev
        u_add, u_drop = rng.random(n), rng.random(n)
        do_add = treated & ~y0 & (u_add < add_q)
        do_drop = treated & y0 & (u_drop < drop_r)
        # remove the window's lines of the annoyed, and the returns of those orders
        dropped = inside[inside["customer_id"].isin(ids[do_drop])]
        gone_orders = set(dropped["order_id"].astype(str))
        gone = tx.index.isin(dropped.index) | tx["order_id"].astype(str).isin(
            {"R" + o for o in gone_orders})
        tx = tx[~gone]
        # add one order for each customer the campaign won
        winners = np.flatnonzero(do_add)
        if len(winners):
            last_line = (positive.sort_values("_date", kind="stable")
                         .groupby("customer_id").tail(1).set_index("customer_id"))
            rows = last_line.loc[ids[winners]].reset_index()
            offsets = rng.uniform(3600, window.total_seconds(), len(winners))
            rows["_date"] = (sent + pd.to_timedelta(offsets, unit="s")).floor("s")
            rows["order_id"] = [f"K{index + 1}{k:07d}" for k in range(len(winners))]
            rows["amount"] = amount[winners]
            if "quantity" in rows:
                rows["quantity"] = 1
            if "discount" in rows:
                rows["discount"] = 0.0
            tx = pd.concat([tx, rows[tx.columns]], ignore_index=True)
            added_all.append(len(winners))
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
    tx = tx.sort_values(["_date", "order_id"], kind="stable").reset_index(drop=True)
    tx["order_date"] = _as_text(tx["_date"]) if as_text else tx["_date"]
    tx = tx.drop(columns="_date")
    truth = pd.concat(truths, ignore_index=True)
    effects = (truth.assign(arm=truth["campaign_id"].map({s["campaign_id"]: s["arm"] for s in PLANTED}))
               .groupby(["campaign_id", "arm"], sort=False)
               .agg(planted_uplift=("true_uplift", "mean"),
                    planted_revenue_uplift=("true_revenue_uplift", "mean"),
                    customers=("customer_id", "size")).reset_index())
    return PlantedCampaigns(tx, pd.concat(logs, ignore_index=True), truth, effects)


def write_planted(planted: PlantedCampaigns, out_dir) -> None:
    """Write ``campaigns.csv`` and the truth (``truth/campaigns.csv`` per customer and campaign,
    ``truth/campaign_effects.csv`` per arm) into the demo folder ``out_dir``.

    The modified transactions are the caller's to write (``transactions.csv``), with the rest
    of the demo.
    """
    from pathlib import Path

    out = Path(out_dir)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    planted.campaigns.to_csv(out / "campaigns.csv", index=False, encoding="utf-8")
    planted.truth.to_csv(out / "truth" / "campaigns.csv", index=False, encoding="utf-8",
                         float_format="%.6f")
    planted.effects.to_csv(out / "truth" / "campaign_effects.csv", index=False, encoding="utf-8",
                           float_format="%.6f")
