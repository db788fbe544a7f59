"""Tests for :mod:`workbench.demo`: files, determinism, planted truth and messiness."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import hyp2f1

from workbench.demo import COMPLAINT_CATEGORIES, DemoTruth, generate_demo
from workbench.schema import CUSTOMERS, EVENTS, FEEDBACK, TRANSACTIONS

END_DATE = "2026-10-31"
CUTOFF = pd.Timestamp(END_DATE) + pd.Timedelta(days=1)


def _read(path: Path, **kwargs: object) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"customer_id": str, "order_id": str}, keep_default_na=False,
                       na_values=[""], **kwargs)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoTruth, dict[str, pd.DataFrame]]:
    out = tmp_path_factory.mktemp("demo")
    truth = generate_demo(out, customers=3000, seed=11, end_date=END_DATE,
                          campaigns=False)  # the BTYD truth, untouched by campaigns
    tables = {
        "transactions": _read(out / "transactions.csv"),
        "customers": _read(out / "customers.csv"),
        "feedback": _read(out / "feedback.csv"),
        "events": _read(out / "events.csv"),
        "truth_customers": _read(out / "truth" / "customers.csv"),
        "truth_comments": _read(out / "truth" / "comments.csv"),
        "affinity": _read(out / "truth" / "category_affinity.csv"),
    }
    for name in ("transactions",):
        tables[name]["order_date"] = pd.to_datetime(tables[name]["order_date"],
                                                    format="%Y-%m-%d %H:%M:%S")
    return truth, tables


def test_files_and_columns(demo: tuple[DemoTruth, dict[str, pd.DataFrame]]) -> None:
    truth, t = demo
    out = truth.out_dir
    for name in ("transactions.csv", "customers.csv", "feedback.csv", "events.csv",
                 "truth/params.json", "truth/customers.csv", "truth/comments.csv",
                 "truth/category_affinity.csv"):
        assert (out / name).is_file(), name
    assert list(t["transactions"].columns) == list(TRANSACTIONS.names)
    b2b = {"churned", "churned_at", "mrr", "account_manager", "parent_id", "industry",
           "company_size"}  # contractual and account columns: the SaaS demo's
    assert set(CUSTOMERS.names) - b2b <= set(t["customers"].columns)
    assert {"wechat_follower", "preferred_payment"} <= set(t["customers"].columns)
    assert list(t["feedback"].columns) == [c for c in FEEDBACK.names if c not in ("ces", "response_id")]
    assert list(t["events"].columns) == list(EVENTS.names)
    assert {"customer_id", "persona", "lambda_per_week", "p_dropout", "dropped_out",
            "dropout_date", "spend_scale", "first_purchase"} <= set(t["truth_customers"].columns)
    assert {"feedback_row", "complaint_category", "sentiment"} <= set(
        t["truth_comments"].columns)
    # no temp files left behind by the atomic writes
    assert not [p for p in out.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]
    # counts reported match the files
    assert truth.n_transactions == len(t["transactions"])
    assert truth.n_customers == len(t["customers"]) == 3000


def test_same_seed_identical_bytes_and_other_seed_differs(tmp_path: Path) -> None:
    a = generate_demo(tmp_path / "a", customers=500, seed=3)
    b = generate_demo(tmp_path / "b", customers=500, seed=3)
    c = generate_demo(tmp_path / "c", customers=500, seed=4)
    for name in ("transactions.csv", "customers.csv", "feedback.csv", "events.csv",
                 "truth/customers.csv"):
        assert (a.out_dir / name).read_bytes() == (b.out_dir / name).read_bytes(), name
    assert (a.out_dir / "transactions.csv").read_bytes() != \
        (c.out_dir / "transactions.csv").read_bytes()
    assert (a.out_dir / "customers.csv").read_bytes() != (c.out_dir / "customers.csv").read_bytes()


def test_customer_ids_keep_leading_zeros(demo: tuple[DemoTruth, dict[str, pd.DataFrame]]) -> None:
    truth, t = demo
    ids = t["customers"]["customer_id"]
    assert pd.api.types.is_string_dtype(ids)
    assert ids.str.fullmatch(r"\d{7}").all()
    assert ids.str.startswith("00").all()  # 3,000 sequential ids: 0000001 ... 0003000
    assert ids.is_unique
    raw = (truth.out_dir / "transactions.csv").read_text(encoding="utf-8").splitlines()[1]
    assert re.match(r"^0\d{6},", raw)
    assert set(t["transactions"]["customer_id"]) <= set(ids)
    assert set(t["feedback"]["customer_id"]) <= set(ids)
    assert set(t["events"]["customer_id"]) <= set(ids)


def test_formats(demo: tuple[DemoTruth, dict[str, pd.DataFrame]]) -> None:
    truth, t = demo
    lines = (truth.out_dir / "transactions.csv").read_text(encoding="utf-8").splitlines()[1:200]
    for line in lines:
        fields = line.split(",")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", fields[2]), line
        assert re.fullmatch(r"-?\d+\.\d{2}", fields[3]), line
    tx = t["transactions"]
    assert tx["product_id"].str.fullmatch(r"SKU-[A-Z]{2}-\d{3}").all()
    assert tx["order_date"].between(CUTOFF - pd.Timedelta(days=1096), CUTOFF).all()
    cu = t["customers"]
    assert cu["phone"].astype(str).str.fullmatch(r"1[3-9]\d{9}").all()
    assert set(cu["gender"]) == {"男", "女"}
    assert set(cu["tier"]) <= {"普通", "白银", "黄金", "铂金"}
    assert cu["age"].between(18, 75).all()
    assert cu["email"].dropna().str.contains("@").all()


def test_truth_params(demo: tuple[DemoTruth, dict[str, pd.DataFrame]]) -> None:
    truth, _ = demo
    params = json.loads((truth.out_dir / "truth" / "params.json").read_text(encoding="utf-8"))
    assert set(params["bgnbd"]) == {"r", "alpha", "a", "b"}
    assert set(params["gamma_gamma"]) == {"p", "q", "gamma"}
    assert params["bgnbd"] == truth.bgnbd
    assert params["gamma_gamma"] == truth.gamma_gamma
    assert params["bgnbd_time_unit"] == "weeks"
    assert params["seed"] == 11 and params["customers"] == 3000
    assert params["end_date"] == END_DATE
    assert params["transaction_lines"] == truth.n_transactions


def test_dropped_out_customers_stop_buying(demo: tuple[DemoTruth, dict[str, pd.DataFrame]]
                                           ) -> None:
    _, t = demo
    tc = t["truth_customers"].set_index("customer_id")
    tx = t["transactions"]
    dead = tc[tc["dropped_out"]]
    assert 0.2 < len(dead) / (~tc["is_prospect"]).sum() < 0.8
    last = tx.groupby("customer_id")["order_date"].max().reindex(dead.index)
    assert (last <= pd.to_datetime(dead["dropout_date"])).all()
    # the dropout date is the last purchase
    last_purchase = tx[tx["amount"] > 0].groupby("customer_id")["order_date"].max()
    assert (last_purchase.reindex(dead.index) == pd.to_datetime(dead["dropout_date"])).all()
    # BG/NBD: dropout happens only after a repeat purchase, so the dead bought at least twice
    orders = tx[tx["amount"] > 0].groupby("customer_id")["order_id"].nunique()
    assert (orders.reindex(dead.index) >= 2).all()
    assert (orders == tc["n_orders"].reindex(orders.index)).all()


def test_feedback_scores_and_shares(demo: tuple[DemoTruth, dict[str, pd.DataFrame]]) -> None:
    _, t = demo
    fb = t["feedback"]
    assert fb["nps"].between(0, 10).all() and fb["csat"].between(1, 5).all()
    assert fb["nps"].nunique() >= 8
    buyers = (~t["truth_customers"]["is_prospect"]).sum()
    assert 0.15 <= fb["customer_id"].nunique() / buyers <= 0.25
    assert fb.groupby("customer_id").size().between(1, 2).all()
    assert 0.03 < fb["comment"].isna().mean() < 0.30
    assert np.corrcoef(fb["nps"], fb["csat"])[0, 1] > 0.5
    submitted = pd.to_datetime(fb["submitted_at"], format="%Y-%m-%d %H:%M:%S")
    assert (submitted < CUTOFF).all()
    # surveys follow a purchase of the same customer
    first = t["transactions"].groupby("customer_id")["order_date"].min()
    assert (submitted.to_numpy() >= first.reindex(fb["customer_id"]).to_numpy()).all()


def test_comment_truth_consistent_with_scores(demo: tuple[DemoTruth, dict[str, pd.DataFrame]]
                                              ) -> None:
    _, t = demo
    fb, cm = t["feedback"], t["truth_comments"]
    assert cm["feedback_row"].is_unique
    assert fb.loc[cm["feedback_row"], "comment"].notna().all()
    assert len(cm) == fb["comment"].notna().sum()
    joined = cm.join(fb, on="feedback_row")
    by_sentiment = joined.groupby("sentiment")["nps"].mean()
    assert by_sentiment[0] < by_sentiment[1] - 2.0
    negative = joined[joined["sentiment"] == 0]
    assert set(negative["complaint_category"]) == set(COMPLAINT_CATEGORIES)
    assert joined.loc[joined["sentiment"] == 1, "complaint_category"].isna().all()
    # comments vary within a category and are mostly Chinese
    for _, group in negative.groupby("complaint_category"):
        assert group["comment"].nunique() >= min(8, len(group) // 2)
    has_cjk = joined["comment"].str.contains(r"[\u4e00-\u9fff]")
    assert 0.75 < has_cjk.mean() < 0.95
    assert ((joined["language"] == "zh") == has_cjk).all()


def test_returns_and_duplicates(demo: tuple[DemoTruth, dict[str, pd.DataFrame]]) -> None:
    _, t = demo
    tx = t["transactions"]
    is_return = tx["order_id"].str.startswith("R")
    assert (tx.loc[is_return, "amount"] < 0).all()
    assert (tx.loc[~is_return, "amount"] > 0).all()
    assert 0.005 < is_return.mean() < 0.015
    purchases = tx[~is_return]
    first_seen = purchases.groupby("order_id").agg(customer_id=("customer_id", "first"),
                                                   order_date=("order_date", "min"))
    returns = tx[is_return]
    original = first_seen.reindex(returns["order_id"].str[1:])
    assert original["customer_id"].notna().all()
    assert (original["customer_id"].to_numpy() == returns["customer_id"].to_numpy()).all()
    assert (original["order_date"].to_numpy() < returns["order_date"].to_numpy()).all()
    dup_share = tx.duplicated().mean()
    assert 0.0005 < dup_share < 0.005
    # lines of one order share customer and timestamp; orders have 1-3 distinct lines
    per_order = purchases.drop_duplicates().groupby("order_id").agg(
        n=("amount", "size"), c=("customer_id", "nunique"), d=("order_date", "nunique"))
    assert (per_order["c"] == 1).all() and (per_order["d"] == 1).all()
    assert per_order["n"].between(1, 3).all()


def test_prospects_never_buy(demo: tuple[DemoTruth, dict[str, pd.DataFrame]]) -> None:
    _, t = demo
    tc = t["truth_customers"]
    prospects = set(tc.loc[tc["is_prospect"], "customer_id"])
    buyers = set(t["transactions"]["customer_id"])
    assert prospects and not prospects & buyers
    assert buyers == set(tc.loc[~tc["is_prospect"], "customer_id"])
    assert 0.04 <= len(prospects) / len(tc) <= 0.06


def test_personas_drive_behaviour(demo: tuple[DemoTruth, dict[str, pd.DataFrame]]) -> None:
    _, t = demo
    tx = t["transactions"].merge(t["truth_customers"][["customer_id", "persona"]])
    purchases = tx[tx["amount"] > 0]
    discount_use = (purchases["discount"] > 0).groupby(purchases["persona"]).mean()
    assert discount_use["价格敏感型"] > 3 * discount_use["品质追求型"]
    share = purchases.groupby("persona")["category"].value_counts(normalize=True)
    assert share["家庭采购型", "母婴"] > 3 * share["潮流尝鲜型", "母婴"]
    spend = purchases.groupby("customer_id")["amount"].sum()
    cu = t["customers"].set_index("customer_id")
    by_tier = spend.groupby(cu["tier"].reindex(spend.index)).median()
    assert by_tier["铂金"] > by_tier["黄金"] > by_tier["白银"] > by_tier["普通"]
    affinity = t["affinity"].set_index("persona").select_dtypes("number")
    assert np.allclose(affinity.sum(axis=1), 1.0)


def test_support_tickets_concentrate_on_dropouts(
        demo: tuple[DemoTruth, dict[str, pd.DataFrame]]) -> None:
    _, t = demo
    ev = t["events"]
    assert set(ev["event"]) == {"visit", "email_open", "support_ticket", "coupon_claim"}
    tc = t["truth_customers"].set_index("customer_id")
    buyers = tc[~tc["is_prospect"]]
    tickets = ev[ev["event"] == "support_ticket"].groupby("customer_id").size()
    tickets = tickets.reindex(buyers.index, fill_value=0)
    rate = tickets.groupby(buyers["dropped_out"]).mean()
    assert rate[True] > 1.5 * rate[False]
    fb = t["feedback"].groupby("customer_id")["nps"].mean()
    detractor = fb <= 6
    assert tickets.reindex(fb.index)[detractor].mean() > tickets.reindex(fb.index)[~detractor].mean()


def test_recovers_bgnbd_expected_repeat_purchases(
        demo: tuple[DemoTruth, dict[str, pd.DataFrame]]) -> None:
    """Mean repeats in the 52 weeks after the first purchase vs BG/NBD E[X(t)].

    E[X(t)] = (a+b-1)/(a-1) * (1 - (alpha/(alpha+t))^r * 2F1(r, b; a+b-1; t/(alpha+t)))
    (Fader, Hardie & Lee 2005, eq. 7), t in weeks.
    """
    truth, t = demo
    r, alpha, a, b = (truth.bgnbd[k] for k in ("r", "alpha", "a", "b"))
    weeks = 52.0
    expected = (a + b - 1) / (a - 1) * (
        1 - (alpha / (alpha + weeks)) ** r * hyp2f1(r, b, a + b - 1, weeks / (alpha + weeks)))
    tx = t["transactions"]
    orders = tx[~tx["order_id"].str.startswith("R")].drop_duplicates(["customer_id", "order_id"])
    first = orders.groupby("customer_id")["order_date"].min()
    eligible = first[first < CUTOFF - pd.Timedelta(weeks=52)]
    assert len(eligible) > 1000
    orders = orders[orders["customer_id"].isin(eligible.index)]
    start = orders["customer_id"].map(eligible)
    in_window = (orders["order_date"] > start) & (
        orders["order_date"] <= start + pd.Timedelta(weeks=52))
    repeats = in_window.groupby(orders["customer_id"]).sum().reindex(eligible.index,
                                                                     fill_value=0)
    assert repeats.mean() == pytest.approx(expected, rel=0.15)


def test_gamma_gamma_mean_order_value(demo: tuple[DemoTruth, dict[str, pd.DataFrame]]) -> None:
    truth, t = demo
    p, q, gamma = (truth.gamma_gamma[k] for k in ("p", "q", "gamma"))
    tx = t["transactions"]
    orders = tx[tx["amount"] > 0].drop_duplicates().groupby("order_id")["amount"].sum()
    assert 150 <= orders.mean() <= 400
    assert orders.mean() == pytest.approx(p * gamma / (q - 1), rel=0.10)


def test_invalid_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="customers"):
        generate_demo(tmp_path, customers=0)
    with pytest.raises(ValueError, match="years"):
        generate_demo(tmp_path, customers=10, years=0)
    with pytest.raises(ValueError, match="end_date"):
        generate_demo(tmp_path, customers=10, end_date="31/10/2026")


def test_default_size(tmp_path: Path) -> None:
    truth = generate_demo(tmp_path)
    tx = pd.read_csv(tmp_path / "transactions.csv", dtype={"customer_id": str},
                     usecols=["customer_id"])
    customers = pd.read_csv(tmp_path / "customers.csv", dtype={"customer_id": str},
                            usecols=["customer_id"])
    assert len(customers) == 20_000
    assert 250_000 <= len(tx) <= 350_000
    assert truth.n_transactions == len(tx)
    prospects = ~customers["customer_id"].isin(tx["customer_id"])
    assert 0.04 <= prospects.mean() <= 0.06
