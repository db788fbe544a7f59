"""Churn: published Telco AUCs, CDNOW against BG/NBD, leakage, hand-checked survival and value."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from tests.conftest import EXTERNAL
from workbench import churn
from workbench.churn.model import _bgnbd_baseline, _folds
from workbench.io import load_dataset


@pytest.fixture(scope="module")
def telco(tmp_path_factory):
    folder = tmp_path_factory.mktemp("telco")
    (folder / "customers.csv").write_bytes((EXTERNAL / "telco" / "telco_churn.csv").read_bytes())
    return load_dataset(folder)


def test_telco_cross_validated_auc_matches_published(telco):
    # Published 5-fold ROC-AUC on this table: about 0.84-0.85 (shared/datasets/README.md).
    data = churn.contractual_data(telco.customers)
    assert len(data.label) == 7043 and data.label.sum() == 1869
    report = churn.evaluate_models(data, random_state=0)
    print(report.scores)
    assert report.scores["roc_auc"].max() >= 0.84
    assert report.scores.loc["logistic", "roc_auc"] >= 0.83
    assert report.scores["brier"].max() < 0.15


def test_time_windows_do_not_leak():
    rng = np.random.default_rng(0)
    n = 2000
    tx = pd.DataFrame({"customer_id": rng.integers(0, 200, n).astype(str),
                       "order_date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, n), "D"),
                       "amount": rng.gamma(2, 50, n), "channel": rng.choice(["A", "B"], n)})
    cutoff = pd.Timestamp("2024-03-31")
    before = churn.transactional_features(tx, cutoff)
    future = tx["order_date"] > cutoff
    changed = tx.copy()
    changed.loc[future, "amount"] *= 100  # rewrite everything after the cutoff
    changed.loc[future, "channel"] = "B"
    extra = pd.DataFrame({"customer_id": ["0", "new"], "order_date": [cutoff + pd.Timedelta(hours=25)] * 2,  # the day after
                          "amount": [1e6, 1e6], "channel": ["A", "A"]})
    after = churn.transactional_features(pd.concat([changed, extra]), cutoff)
    pd.testing.assert_frame_equal(before, after)
    data = churn.transactional_data(tx, [cutoff], horizon_days=90)
    bought_after = set(tx.loc[(tx["order_date"] > cutoff + pd.Timedelta(days=1) - pd.Timedelta(seconds=1))
                              & (tx["order_date"] < cutoff + pd.Timedelta(days=91)), "customer_id"])
    expected = (~data.features["customer_id"].isin(bought_after)).astype(int)
    assert (data.label.to_numpy() == expected.to_numpy()).all()
    with pytest.raises(ValueError, match="label is not observed yet"):
        churn.transactional_data(tx, [pd.Timestamp("2024-11-30")], horizon_days=90)


def test_time_based_folds_never_train_on_open_label_windows():
    cutoffs = pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31"])
    features = pd.DataFrame({"cutoff": np.repeat(cutoffs, 20), "customer_id": "x", "v": 1.0})
    label = pd.Series(np.tile([0, 1], 50))
    data = churn.ChurnData(features, label, "transactional", horizon_days=60)
    for train, test in _folds(data, 5, 0):
        test_cutoff = features["cutoff"].iloc[test].unique()
        assert len(test_cutoff) == 1
        assert (features["cutoff"].iloc[train] + pd.Timedelta(days=60) <= test_cutoff[0]).all()


def test_cdnow_model_against_bgnbd_baseline(cdnow_transactions):
    # Full sample: features from the 39-week calibration, label = no purchase in the 39-week
    # holdout (1997-10-01 .. 1998-06-30); baseline = 1 - P(alive) of BG/NBD on calibration.
    cutoff = pd.Timestamp("1997-09-30")
    data = churn.transactional_data(cdnow_transactions, [cutoff], horizon_days=273)
    # rows: every customer who bought in the calibration period (lifecycle's stage a feature)
    assert len(data.label) == 2357
    report = churn.evaluate_models(data, random_state=0)
    baseline = _bgnbd_baseline(cdnow_transactions, data)
    best = report.scores["roc_auc"].max()
    print(f"CDNOW holdout churn: model {best:.3f}; BG/NBD 1 - P(alive) {baseline['prob_alive']:.3f}, "
          f"expected purchases {baseline['expected_purchases']:.3f}")
    # 1 - P(alive) ranks the 1,411 one-time buyers (P(alive) = 1) as safest: worse than chance.
    assert baseline["prob_alive"] < 0.5
    assert best > baseline["prob_alive"] and 0.7 < best < 0.95
    assert 0.7 < baseline["expected_purchases"] < 0.9


def test_kaplan_meier_by_hand():
    # 10 customers: durations and churn events; hand computation of S(t) = prod (1 - d/n).
    duration = np.array([2, 3, 3, 5, 6, 6, 7, 9, 10, 12])
    event = np.array([1, 1, 0, 1, 0, 1, 1, 0, 1, 0])
    result = churn.kaplan_meier(duration, event)
    curve = result["curves"]["all"].set_index("time")["retention"]
    s2 = 1 - 1 / 10
    s3 = s2 * (1 - 1 / 9)          # one event at 3; the censored one leaves after
    s5 = s3 * (1 - 1 / 7)
    s6 = s5 * (1 - 1 / 6)          # one event, one censored at 6
    s7 = s6 * (1 - 1 / 4)
    s10 = s7 * (1 - 1 / 2)         # 9 censored, 10 event with 2 at risk
    assert curve[2] == pytest.approx(s2) and curve[3] == pytest.approx(s3)
    assert curve[5] == pytest.approx(s5) and curve[6] == pytest.approx(s6)
    assert curve[7] == pytest.approx(s7) and curve[10] == pytest.approx(s10)
    assert result["medians"]["all"] == 7.0  # first time S drops to 0.5 or below: S(7) = 0.43
    grouped = churn.kaplan_meier(duration, event, pd.Series(["a"] * 5 + ["b"] * 5))
    assert 0 <= grouped["logrank"]["p_value"] <= 1


def test_expected_value_ranking_by_hand():
    # EV = p x value x save rate - cost: (0.5*1000*0.2-10)=90, (0.9*100*0.2-10)=8, (0.1*5000*0.2-10)=90,
    # (0.2*10*0.2-10)=-9.6
    ranking = churn.expected_value_ranking(np.array([0.5, 0.9, 0.1, 0.2]),
                                           np.array([1000, 100, 5000, 10]), save_rate=0.2,
                                           contact_cost=10)
    assert ranking["position"].tolist() == [0, 2, 1, 3]  # ties keep input order
    assert ranking["expected_value"].tolist() == pytest.approx([90, 90, 8, -9.6])
    assert ranking["net"].tolist() == pytest.approx([90, 180, 188, 178.4])
    with pytest.raises(ValueError, match="save_rate"):
        churn.expected_value_ranking(np.array([0.5]), np.array([1.0]), save_rate=2)


def test_health_score_components():
    features = pd.DataFrame({"recency_days": [0, 100, 200], "order_trend": [1.0, 0.0, -1.0],
                             "last_nps": [10, np.nan, 0], "events:support_ticket": [0, 1, 4]})
    score = churn.health_score(features, churn_days=200)
    # weights 0.4 / 0.25 / 0.2 / 0.15; the middle customer has no satisfaction answer
    assert score[0] == pytest.approx(100.0)
    assert score[1] == pytest.approx((0.4 * 50 + 0.25 * 50 + 0.15 * 75) / 0.8, abs=0.05)
    assert score[2] == pytest.approx(0.0)


def test_demo_planted_churners_found_and_health_bands_fall(full_demo):
    folder, data = full_demo
    result = churn.analyse(data, data.last_date, check_leakage=False)  # leakage: test_churn_leakage
    truth = pd.read_csv(folder / "truth" / "customers.csv", dtype={"customer_id": str})
    scored = result.current.merge(truth[["customer_id", "dropped_out"]], on="customer_id")
    auc = roc_auc_score(scored["dropped_out"].astype(int), scored["churn_probability"])
    print(f"planted churners AUC {auc:.3f}; models {result.report.scores['roc_auc'].round(3).to_dict()}; "
          f"BG/NBD baselines {result.baseline_auc}")
    assert result.setting == "transactional" and auc >= 0.75
    assert result.report.scores["roc_auc"].max() > max(result.baseline_auc.values())
    bands = result.health.dropna()
    assert bands["churn_rate"].is_monotonic_decreasing
    export = churn.export_frame(result)
    assert [c for c in export.columns if not c.endswith("_label")] == list(churn.EXPORT_COLUMNS)
    assert export["expected_value"].is_monotonic_decreasing
    metrics = churn.churn_metrics(result)
    assert metrics["best_model"] in metrics["models"] and set(metrics["headline"]) == {"en", "zh"}


def test_confusion_matrix_by_hand():
    predictions = pd.DataFrame({"m": [0.9, 0.8, 0.3, 0.6, 0.1], "label": [1, 0, 1, 1, 0]})
    table = churn.confusion_at(predictions, "m", 0.5).set_index("actual")
    # flagged: 0.9 (churn), 0.8 (stay), 0.6 (churn); missed: 0.3 (churn); correct stay: 0.1
    assert table.to_numpy().tolist() == [[1, 1], [1, 2]]
    sentence = churn.confusion_sentence(predictions, "m", 0.5)
    assert "3 of 5 customers are flagged; 67%" in sentence and "67% of all churners" in sentence
    with pytest.raises(ValueError, match="threshold"):
        churn.confusion_at(predictions, "m", 1.5)


def test_telco_result_holds_attribute_reason_codes_and_actions(telco):
    # contractual setting: reasons are attribute values such as the month-to-month contract
    # (churn rate 43% against 7% for the others, IBM's Telco table), whose action is a contract offer
    result = churn.analyse(telco, None, check_leakage=False)
    frame = churn.churn_result(result)
    assert result.setting == "contractual" and frame["customer_id"].is_unique
    assert len(frame) == 7043 - 1869  # every customer still active, once
    month = frame["top_reason"] == "is:contract=Month-to-month"
    assert month.any() and (frame.loc[month, "recommended_action"] == "contract").all()
    assert set(frame["recommended_action"]) <= set(churn.ACTIONS)
    en, zh = churn.export_frame(result, "en"), churn.export_frame(result, "zh")
    codes = list(churn.EXPORT_COLUMNS)
    pd.testing.assert_frame_equal(en[codes], zh[codes])
    assert en.loc[month.to_numpy(), "top_reasons_label"].str.startswith("contract").all()
    assert zh.loc[month.to_numpy(), "top_reasons_label"].str.startswith("合约类型").all()
