"""Churn work done once for many cutoffs or rows gives what the one-at-a-time definition gives."""

import numpy as np
import pandas as pd
import pytest

from tests._churn_demo import shared_demo
from workbench import churn
from workbench.churn import model as churn_model
from workbench.churn.features import _features_at, _PurchaseLines
from workbench.churn.report import _reason_sentence
from workbench.summary import up_to


def _transactions(seed: int = 0, n: int = 3000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "customer_id": rng.integers(0, 300, n).astype(str),
        "order_date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700 * 24, n), "h"),
        "amount": rng.gamma(2, 50, n).round(2), "channel": rng.choice(["B", "A", "门店"], n),
        "category": rng.choice(list("abcdefgh"), n), "discount": rng.gamma(1, 3, n).round(2)})


def test_features_from_lines_prepared_once_equal_features_of_the_cut():
    # one preparation of every line serves each cutoff: the same frame, to the last bit, as
    # the features of the lines up to that cutoff alone
    tx = _transactions()
    lines = _PurchaseLines(tx)
    for cutoff in pd.to_datetime(["2023-06-30", "2024-01-31", "2024-11-30"]):
        alone = churn.transactional_features(up_to(tx, cutoff), cutoff)
        pd.testing.assert_frame_equal(_features_at(lines, cutoff), alone, check_exact=True)
        spans = up_to(tx, cutoff).groupby("customer_id")["order_date"].agg(["min", "max"])
        pd.testing.assert_frame_equal(lines.spans(cutoff), spans, check_exact=True)
        recent = up_to(tx, cutoff)
        recent = recent[recent["order_date"] >= cutoff + pd.Timedelta(days=1 - 365)]
        expected = recent.groupby("customer_id")["amount"].sum().reindex(alone["customer_id"])
        # summed exactly (integer money units), so equal to pandas' float sum to rounding
        np.testing.assert_allclose(lines.spend(cutoff, 365, alone["customer_id"]),
                                   expected.fillna(0.0).to_numpy(), rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("kind", ["logistic", "gradient_boosting"])
def test_importance_scored_together_equals_one_call_per_feature(kind, monkeypatch):
    rng = np.random.default_rng(1)
    n = 1500
    features = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n),
                             "flag": rng.random(n) < 0.3,
                             "city": pd.Series(rng.choice(["甲", "乙", "丙"], n)).where(rng.random(n) > 0.1),
                             "customer_id": np.arange(n).astype(str), "cutoff": pd.NaT})
    label = pd.Series((features["x"] + rng.normal(size=n) > 0).astype(int))
    data = churn.ChurnData(features, label, "contractual")
    report = churn.evaluate_models(data, kinds=(kind,), n_splits=3)
    together = churn.importance(report, data, sample=800)
    monkeypatch.setattr(churn_model, "IMPORTANCE_ROWS", 1)  # one feature per call
    pd.testing.assert_frame_equal(churn.importance(report, data, sample=800), together,
                                  check_exact=True)


def test_reason_codes_and_texts_equal_the_row_by_row_definition(tmp_path_factory):
    _, _, result, _ = shared_demo(tmp_path_factory)
    current = result.current
    rows = current.reset_index(drop=True)
    signals = churn.reason_signals(result.rules, rows)
    risky = sorted((k for k, low in result.rules.risk_ratio_low.items() if low > 1 and k in signals),
                   key=lambda k: -result.rules.risk_ratio[k])
    shown = signals[risky].to_numpy()
    by_row = [[risky[j] for j in np.flatnonzero(shown[i])][:3] for i in range(len(rows))]
    assert churn.reason_codes(result.rules, current) == by_row
    assert current["reason_keys"].tolist() == by_row
    for lang in ("en", "zh"):
        expected = [_reason_sentence(result.rules, record, record["reason_keys"], lang)
                    for record in current.to_dict("records")]
        assert churn.reason_texts(result, lang) == expected
