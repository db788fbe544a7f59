"""Churn model fits use at most MAX_TRAIN_ROWS training rows; every row is still scored."""

import numpy as np
import pandas as pd

from workbench import churn
from workbench.churn import model as churn_model


def test_capped_is_a_seeded_ordered_sample():
    rows = np.arange(10, 110)
    small = churn_model._capped(rows, 0, cap=200)
    assert small is rows  # under the cap: untouched
    sample = churn_model._capped(rows, 0, cap=30)
    assert len(sample) == 30 and len(set(sample)) == 30 and set(sample) <= set(rows)
    assert (np.diff(sample) > 0).all()
    assert (sample == churn_model._capped(rows, 0, cap=30)).all()
    assert not (sample == churn_model._capped(rows, 1, cap=30)).all()


def test_capped_fits_still_score_every_row(monkeypatch):
    rng = np.random.default_rng(0)
    n = 600
    x = rng.normal(size=n)
    label = pd.Series((x + rng.normal(scale=0.5, size=n) > 0).astype(int))
    features = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], "signal": x,
                             "cutoff": pd.NaT})
    data = churn.ChurnData(features, label, "contractual")
    monkeypatch.setattr(churn_model, "MAX_TRAIN_ROWS", 100)
    fitted = []
    real = churn_model.make_model

    def spy(kind, X, random_state):
        est = real(kind, X, random_state)
        original = est.fit

        def fit(X_, y_):
            fitted.append(len(X_))
            return original(X_, y_)

        est.fit = fit
        return est

    monkeypatch.setattr(churn_model, "make_model", spy)
    report = churn_model.evaluate_models(data, random_state=0)
    assert fitted and max(fitted) == 100
    assert len(report.predictions) == n  # out-of-fold scores for every row
    assert report.scores["roc_auc"].max() > 0.8


def test_cross_validation_fits_use_the_smaller_evaluation_cap(monkeypatch):
    # the comparison's fold fits use at most MAX_EVAL_ROWS rows, the refitted model up to
    # MAX_TRAIN_ROWS; the evaluation cap never exceeds the training cap
    rng = np.random.default_rng(1)
    n = 600
    x = rng.normal(size=n)
    label = pd.Series((x + rng.normal(scale=0.5, size=n) > 0).astype(int))
    features = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], "signal": x,
                             "cutoff": pd.NaT})
    data = churn.ChurnData(features, label, "contractual")
    monkeypatch.setattr(churn_model, "MAX_TRAIN_ROWS", 300)
    monkeypatch.setattr(churn_model, "MAX_EVAL_ROWS", 120)
    fitted = []
    real = churn_model.make_model

    def spy(kind, X, random_state):
        est = real(kind, X, random_state)
        original = est.fit

        def fit(X_, y_):
            fitted.append(len(X_))
            return original(X_, y_)

        est.fit = fit
        return est

    monkeypatch.setattr(churn_model, "make_model", spy)
    report = churn_model.evaluate_models(data, random_state=0)
    assert fitted[:-1] == [120] * (len(fitted) - 1) and fitted[-1] == 300  # 5 folds x 2 models
    assert len(fitted) == 11 and len(report.predictions) == n
    monkeypatch.setattr(churn_model, "MAX_TRAIN_ROWS", 80)
    fitted.clear()
    churn_model.evaluate_models(data, random_state=0)
    assert set(fitted) == {80}
