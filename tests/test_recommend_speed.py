"""The fast evaluation path (shared matrix, integer codes) gives the numbers of the plain one."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench import recommend


def _reference(recommended: pd.DataFrame, truth: pd.DataFrame, n: int, n_items: int) -> dict:
    """The evaluation written out with merges, as it was before the fast path."""
    top = recommended[recommended["rank"] <= n][["customer_id", "item"]]
    truth = truth[["customer_id", "item"]].drop_duplicates()
    customers = truth["customer_id"].drop_duplicates()
    hits = top.merge(truth, on=["customer_id", "item"]).groupby("customer_id").size()
    hits = hits.reindex(customers, fill_value=0).to_numpy(dtype=float)
    relevant = truth.groupby("customer_id").size().reindex(customers).to_numpy(dtype=float)
    shown = top[top["customer_id"].isin(set(customers))]
    return {"customers": len(customers), "hit_rate": float((hits > 0).mean()),
            "precision": float((hits / n).mean()), "recall": float((hits / relevant).mean()),
            "coverage": float(shown["item"].nunique() / n_items)}


def _transactions(seed: int = 3, lines: int = 6000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "customer_id": rng.integers(0, 700, lines).astype(str),
        "order_id": rng.integers(0, 2500, lines).astype(str),
        "category": rng.choice(list("ABCDEFGH"), lines, p=[0.3, 0.2, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05]),
        "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, lines), "D")})


def test_rates_at_every_n_match_the_merge_reference():
    recommended = pd.DataFrame({"customer_id": ["c1", "c1", "c1", "c2", "c2", "x", "x"],
                                "rank": [1, 2, 3, 1, 2, 1, 2],
                                "item": ["a", "b", "z", "b", "c", "q", "r"]})
    truth = pd.DataFrame({"customer_id": ["c1", "c2", "c2", "c3", "c1"],
                          "item": ["b", "c", "d", "a", "b"]})
    fast = recommend.rates_at_n(recommended, truth, [1, 2, 3], n_items=6)
    for n, got in zip([1, 2, 3], fast):
        assert got == _reference(recommended, truth, n, 6)
    assert fast[1]["hit_rate"] == 2 / 3 and fast[2]["coverage"] == 4 / 6  # x is not evaluated


def test_evaluate_equals_fitting_each_model_on_the_split():
    tx = _transactions()
    cutoff = pd.Timestamp("2024-09-01")
    got = recommend.evaluate(tx, cutoff, n=[1, 3, 5])
    train, test = recommend.time_split(tx, cutoff)
    items = sorted(tx["category"].unique())
    truth = pd.DataFrame({"customer_id": test["customer_id"], "item": test["category"]}).drop_duplicates()
    truth = truth[truth["customer_id"].isin(set(train["customer_id"]))]
    before = pd.DataFrame({"customer_id": train["customer_id"], "item": train["category"]}).drop_duplicates()
    truth = truth.merge(before, how="left", indicator=True)
    truth = truth[truth["_merge"] == "left_only"].drop(columns="_merge")
    customers = truth["customer_id"].drop_duplicates().tolist()
    rows = []
    for model in recommend.MODELS:
        recs = recommend.CoPurchase(model, "category").fit(train, items=items).recommend(customers, 5)
        rows += [{"model": model, "n": k, **_reference(recs, truth, k, len(items))} for k in (1, 3, 5)]
    pd.testing.assert_frame_equal(got, pd.DataFrame(rows), check_exact=True)
    assert got["customers"].iloc[0] > 50


def test_codes_in_matches_get_indexer_with_missing_values():
    index = pd.Index(["a", "b", "c"], dtype=object)
    values = pd.Series(["c", None, "a", "zz", "c"], dtype="str")
    assert recommend.codes_in(index, values).tolist() == [2, -1, 0, -1, 2]
    assert recommend.codes_in(pd.Index([], dtype=object), values).tolist() == [-1] * 5


def test_recommend_in_chunks_equals_one_chunk(monkeypatch):
    from workbench.recommend import model as model_module

    tx = _transactions(seed=5, lines=3000)
    segments = pd.Series(["gold", "silver"] * 5 + ["bronze"], index=[*map(str, range(8)), "new1", "new2", "new3"])
    fitted = recommend.CoPurchase("cosine", "category").fit(tx, segments)
    customers = ["new1", "0", "nobody", "5", "new3", "1", "new2", *map(str, range(10, 40))]
    whole = fitted.recommend(customers, 4, reasons=True)
    monkeypatch.setattr(model_module, "_CHUNK", 3)
    pd.testing.assert_frame_equal(fitted.recommend(customers, 4, reasons=True), whole, check_exact=True)
    assert set(whole.loc[whole["customer_id"] == "new1", "reason"]) == {"segment_popular"}
    assert (whole.loc[whole["customer_id"] == "nobody", "reason"] == "popular").all()


def test_rates_of_a_model_equal_the_rates_of_its_recommendations():
    from workbench.recommend.evaluation import _rates_of_model, _truth_keys

    tx = _transactions(seed=7)
    cutoff = pd.Timestamp("2024-09-01")
    train, test = recommend.time_split(tx, cutoff)
    items = sorted(tx["category"].unique())
    truth = pd.DataFrame({"customer_id": test["customer_id"], "item": test["category"]}).drop_duplicates()
    truth = pd.concat([truth, pd.DataFrame({"customer_id": ["cold"], "item": ["A"]})], ignore_index=True)
    customers = truth["customer_id"].drop_duplicates().tolist()
    for model in recommend.MODELS:
        for exclude in (True, False):
            fitted = recommend.CoPurchase(model, "category", exclude_bought=exclude).fit(train, items=items)
            ns = [1, 3, 9, 12]  # more than the 8 items
            expected = recommend.rates_at_n(fitted.recommend(customers, max(ns)), truth, ns, len(items))
            matched = _truth_keys(fitted.inter, customers, truth)
            assert _rates_of_model(fitted, customers, *matched, ns, len(items)) == expected


def test_reason_labels_are_the_sentences_written_row_by_row():
    from workbench.i18n import t

    codes = ["co_purchase", "popular", "segment_popular", "co_purchase", "segment_popular", "popular"]
    items = ["B", None, np.nan, "C", None, np.nan]
    segments = [None, np.nan, "gold", None, pd.NA, None]
    for lang in ("en", "zh"):
        expected = [t(f"rec.reason.{c}", lang, item=i, segment=s) for c, i, s in zip(codes, items, segments)]
        assert recommend.reason_labels(codes, items, segments, lang) == expected
    frame = pd.DataFrame({"reason": codes, "because_of": pd.Series(items, dtype="str"),
                          "reason_segment": pd.Series(segments[:2] + ["gold", None, None, "gold"], dtype="str")})
    labelled = recommend.with_reason_labels(frame, "en")
    assert labelled["reason_label"].tolist() == [
        "often bought with B", "popular with all customers", "popular in segment gold", "often bought with C",
        "popular in segment nan", "popular with all customers"]
    assert labelled["reason_label"].dtype == "str"
