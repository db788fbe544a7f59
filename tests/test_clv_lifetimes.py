"""Agreement with ``lifetimes`` 0.11.3 on every CDNOW customer, from a stored reference.

``data/external/cdnow/lifetimes_reference.csv`` holds lifetimes' conditional expectations (next
39 weeks) and P(alive) of the 2,357 CDNOW customers for BG/NBD and Pareto/NBD at the parameters
our fit estimates (listed in ``lifetimes_reference.json``, with lifetimes' own fits and a few
unconditional figures). It was made once with ``benchmarks/bench_clv.py --make-reference`` in
``benchmarks/.venv-lifetimes`` (see data/external/README.md), so this test needs no lifetimes.
"""

import json

import numpy as np
import pandas as pd
import pytest

from tests.conftest import EXTERNAL
from workbench.clv import BetaGeo, ParetoNBD
from workbench.summary import customer_summary

RTOL = 1e-6  # issue 6: agreement with lifetimes to 1e-6 relative for every customer


@pytest.fixture(scope="module")
def reference() -> tuple[pd.DataFrame, dict]:
    frame = pd.read_csv(EXTERNAL / "cdnow" / "lifetimes_reference.csv",
                        dtype={"customer_id": str})
    meta = json.loads((EXTERNAL / "cdnow" / "lifetimes_reference.json").read_text())
    return frame, meta


def max_rel(ours: np.ndarray, theirs: pd.Series) -> float:
    theirs = theirs.to_numpy(dtype=float)
    return float(np.max(np.abs(ours - theirs) / np.abs(theirs)))


def test_same_customers_and_statistics(reference, cdnow_transactions):
    frame, meta = reference
    assert len(frame) == 2357 and meta["versions"]["lifetimes"] == "0.11.3"
    ours = customer_summary(cdnow_transactions, "1997-09-30", "W")
    assert ours["customer_id"].tolist() == frame["customer_id"].tolist()
    np.testing.assert_array_equal(ours["x"], frame["frequency"])
    np.testing.assert_allclose(ours["t_x"], frame["recency"], rtol=1e-12)
    np.testing.assert_allclose(ours["T"], frame["T"], rtol=1e-12)


@pytest.mark.parametrize("name, cls, prefix", [("bgnbd", BetaGeo, "bgnbd"),
                                                ("paretonbd", ParetoNBD, "pnbd")])
def test_conditional_expectation_and_prob_alive_agree(reference, name, cls, prefix):
    frame, meta = reference
    model = cls.from_params(meta["parameters"][name])
    x, t_x, T = frame["frequency"], frame["recency"], frame["T"]
    assert max_rel(model.predict_purchases(39, x, t_x, T), frame[f"{prefix}_expected_39"]) < RTOL
    assert max_rel(model.prob_alive(x, t_x, T), frame[f"{prefix}_prob_alive"]) < RTOL


def test_unconditional_figures_agree(reference):
    _, meta = reference
    bg = BetaGeo.from_params(meta["parameters"]["bgnbd"])
    pn = ParetoNBD.from_params(meta["parameters"]["paretonbd"])
    n = np.arange(11)
    np.testing.assert_allclose(bg.prob_n_purchases(n, 39), meta["bgnbd_pmf_39"], rtol=RTOL)
    # lifetimes has no unconditional Pareto/NBD pmf; its conditional one at x = t_x = T = 0 is.
    np.testing.assert_allclose(pn.prob_n_purchases(n, 39), meta["paretonbd_pmf_39"], rtol=RTOL)
    assert float(bg.expected_purchases(78)) == pytest.approx(meta["bgnbd_expected_78"], rel=RTOL)
    assert float(pn.expected_purchases(39)) == pytest.approx(meta["paretonbd_expected_39"],
                                                              rel=RTOL)


def test_reference_parameters_are_what_our_fit_gives(reference, cdnow_transactions):
    _, meta = reference
    s = customer_summary(cdnow_transactions, "1997-09-30", "W")
    for name, cls in (("bgnbd", BetaGeo), ("paretonbd", ParetoNBD)):
        fitted = cls().fit(s["x"], s["t_x"], s["T"])
        for key, value in meta["parameters"][name].items():
            assert fitted.params_[key] == pytest.approx(value, rel=1e-6), (name, key)
        # lifetimes' own fit reaches the same maximum (ours never lower).
        theirs = meta["lifetimes_fits"][name]["log_likelihood"]
        assert fitted.log_likelihood_ >= theirs - 1e-6 * abs(theirs)
        assert fitted.log_likelihood_ == pytest.approx(theirs, rel=1e-8)
