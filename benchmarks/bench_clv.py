"""Benchmark the CLV model fits of ``workbench.clv`` against ``lifetimes`` 0.11.3.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_clv.py [--bgnbd 1000000] [--pnbd 100000] [--gg 500000]
                                             [--seed 0] [--repeat 3] [--lifetimes-repeat 1]
    .venv/bin/python benchmarks/bench_clv.py --make-reference   # data/external/cdnow reference

Steps:

1. Simulate seeded customer bases from the models themselves (vectorised): a BG/NBD base and a
   Pareto/NBD base with the CDNOW estimates as parameters, first purchases spread over one
   year, observation over two years, times in weeks with daily precision; and a Gamma-Gamma
   base of repeat customers (x >= 1, mean repeat spend). Saved in ``benchmarks/_data/`` as
   ``.npz`` and reused by reruns with the same arguments.
2. Create ``benchmarks/.venv-lifetimes`` (lifetimes 0.11.3) if missing, as bench_summary.py does.
3. Fit each model with each tool in its own subprocess and time the fit call only:
   ours ``BetaGeo().fit`` (standard errors included, as always), ``ParetoNBD().fit``,
   ``GammaGamma().fit``; lifetimes ``BetaGeoFitter().fit`` (standard errors included),
   ``ParetoNBDFitter().fit`` (Nelder-Mead from its random start; NumPy's global seed is set
   so the run is repeatable), ``GammaGammaFitter().fit``.
4. Compare the total log-likelihoods (lifetimes' own likelihood function at its estimates, on
   the unscaled data) and print a table with times, ratios and PASS/FAIL against the targets
   (a timing miss never fails the run; a log-likelihood more than 1e-6 relative *below*
   lifetimes' does).

``--make-reference`` instead writes ``data/external/cdnow/lifetimes_reference.csv`` and
``lifetimes_reference.json``: lifetimes' predictions for every CDNOW customer at the parameters
*our* fit estimates (so the file tests the prediction formulas, not two optimisers).

The script imports only the standard library at top level, because the same file runs as the
worker inside the lifetimes venv (``--worker ...``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from _harness import (
    DATA_DIR,
    ROOT,
    _loadavg,
    ensure_lifetimes_venv,
    run_worker,
)

EXTERNAL = ROOT / "data" / "external"

# CDNOW estimates (Fader, Hardie & Lee 2005; Fader & Hardie 2013) as simulation truth.
BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PNBD = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}

TARGETS = {  # (ours at most s, at least x faster than lifetimes)
    "bgnbd": (1.0, 10.0),
    "pnbd": (None, 10.0),
    "gg": (0.5, None),
}
LL_RTOL = 1e-6


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------

def _ages(rng, n):
    """T in weeks with daily precision: first purchase on a random day of the first year,
    observation to the end of day 730."""

    first_day = rng.integers(0, 365, n)
    return (730 - first_day) / 7.0


def _daily(t):
    import numpy as np

    return np.floor(t * 7.0) / 7.0


def worker_generate(path: Path, kind: str, n: int, seed: int) -> dict:
    import numpy as np

    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    if kind == "bgnbd":
        T = _ages(rng, n)
        lam = rng.gamma(BGNBD["r"], 1.0 / BGNBD["alpha"], n)
        p = rng.beta(BGNBD["a"], BGNBD["b"], n)
        arrivals = rng.poisson(lam * T)
        life = rng.geometric(p)  # repeat purchases until (and including) the one after which
        x = np.minimum(arrivals, life)  # the customer drops out
        t_x = np.zeros(n)
        pos = x > 0
        t_x[pos] = T[pos] * rng.beta(x[pos], arrivals[pos] - x[pos] + 1)
        data = {"x": x.astype(float), "t_x": np.minimum(_daily(t_x), T), "T": T}
    elif kind == "pnbd":
        T = _ages(rng, n)
        lam = rng.gamma(PNBD["r"], 1.0 / PNBD["alpha"], n)
        mu = rng.gamma(PNBD["s"], 1.0 / PNBD["beta"], n)
        span = np.minimum(rng.exponential(1.0 / mu), T)
        x = rng.poisson(lam * span)
        t_x = np.where(x > 0, span * rng.random(n) ** (1.0 / np.maximum(x, 1)), 0.0)
        data = {"x": x.astype(float), "t_x": np.minimum(_daily(t_x), T), "T": T}
    elif kind == "gg":
        x = 1 + rng.negative_binomial(1, 0.3, n)
        nu = rng.gamma(GG["q"], 1.0 / GG["gamma"], n)
        mean_value = rng.gamma(GG["p"] * x, 1.0 / (nu * x))  # mean of x Gamma(p, nu) values
        data = {"x": x.astype(float), "mean_value": mean_value}
    else:
        raise SystemExit(f"unknown data kind {kind}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.npz")
    np.savez(tmp, **data)
    os.replace(tmp, path)
    return {"kind": kind, "n": n, "seconds": time.perf_counter() - t0,
            "repeaters": int((data["x"] > 0).sum())}


# --------------------------------------------------------------------------------------------
# Workers: each runs in its own process and prints one JSON line
# --------------------------------------------------------------------------------------------

def worker_ours(kind: str, path: Path) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    import numpy as np

    from workbench.clv import BetaGeo, GammaGamma, ParetoNBD

    d = np.load(path)
    if kind == "gg":
        args, model = (d["x"], d["mean_value"]), GammaGamma()
    else:
        args, model = (d["x"], d["t_x"], d["T"]), (BetaGeo() if kind == "bgnbd" else ParetoNBD())
    t0 = time.perf_counter()
    model.fit(*args)
    seconds = time.perf_counter() - t0
    return {"tool": "ours", "kind": kind, "seconds": seconds, "params": model.params_,
            "log_likelihood": model.log_likelihood_, "standard_errors": model.standard_errors_,
            "iterations": model.n_iter_, "patterns": getattr(model, "n_patterns_", None)}


def worker_lifetimes(kind: str, path: Path) -> dict:
    import warnings

    import numpy as np

    warnings.simplefilter("ignore")
    from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter

    d = np.load(path)
    np.random.seed(0)  # ParetoNBDFitter starts from a random point
    if kind == "bgnbd":
        model = BetaGeoFitter()
        args = (d["x"], d["t_x"], d["T"])
    elif kind == "pnbd":
        model = ParetoNBDFitter()
        args = (d["x"], d["t_x"], d["T"])
    else:
        model = GammaGammaFitter()
        args = (d["x"], d["mean_value"])
    t0 = time.perf_counter()
    model.fit(*args)
    seconds = time.perf_counter() - t0
    params = {k: float(v) for k, v in model.params_.items()}
    w = np.ones(len(d["x"]))
    # Total log-likelihood at the estimates on the unscaled data, with lifetimes' own function.
    if kind == "bgnbd":
        ll = -BetaGeoFitter._negative_log_likelihood(
            np.log(list(params.values())), *args, w, 0.0) * w.sum()
    elif kind == "pnbd":
        ll = -ParetoNBDFitter._negative_log_likelihood(list(params.values()), *args, w, 0.0)
    else:
        ll = -GammaGammaFitter._negative_log_likelihood(
            np.log(list(params.values())), *args, w, 0.0) * w.sum()
    se = getattr(model, "standard_errors_", None)
    return {"tool": "lifetimes", "kind": kind, "seconds": seconds, "params": params,
            "log_likelihood": float(ll),
            "standard_errors": {k: float(v) for k, v in se.items()} if se is not None else None}


def worker_reference(params_path: Path, out_csv: Path, out_json: Path) -> dict:
    """lifetimes' predictions for every CDNOW customer at given (our) parameters."""
    import warnings
    from importlib.metadata import version

    import numpy as np
    import pandas as pd

    warnings.simplefilter("ignore")
    from lifetimes import BetaGeoBetaBinomFitter, BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter
    from lifetimes.utils import summary_data_from_transaction_data

    ours = json.loads(params_path.read_text())
    raw = pd.read_csv(EXTERNAL / "cdnow" / "CDNOW_sample.txt", sep=r"\s+", header=None,
                      names=["master_id", "customer_id", "date", "cds", "amount"],
                      dtype={"customer_id": str, "date": str})
    tx = pd.DataFrame({"customer_id": raw["customer_id"].str.zfill(4),
                       "date": pd.to_datetime(raw["date"], format="%Y%m%d"),
                       "amount": raw["amount"].astype(float)})
    # The papers' convention in lifetimes: daily precision expressed in weeks.
    s = summary_data_from_transaction_data(tx, "customer_id", "date", monetary_value_col="amount",
                                           observation_period_end="1997-09-30", freq="D",
                                           freq_multiplier=7)
    x, t_x, T = (s[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    bg = BetaGeoFitter()
    bg.params_ = pd.Series(ours["bgnbd"])
    pn = ParetoNBDFitter()
    pn.params_ = pd.Series(ours["paretonbd"])
    horizon = 39.0
    out = pd.DataFrame({
        "customer_id": s.index.astype(str), "frequency": x, "recency": t_x, "T": T,
        "bgnbd_expected_39": bg.conditional_expected_number_of_purchases_up_to_time(
            horizon, x, t_x, T),
        "bgnbd_prob_alive": bg.conditional_probability_alive(x, t_x, T),
        "pnbd_expected_39": pn.conditional_expected_number_of_purchases_up_to_time(
            horizon, x, t_x, T),
        "pnbd_prob_alive": pn.conditional_probability_alive(x, t_x, T),
    })
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(out_csv, index=False, float_format="%.17g", lineterminator="\n")
    # Unconditional figures at the same parameters, and lifetimes' own fits for comparison.
    n = np.arange(11)
    pmf_bg = [float(bg.probability_of_n_purchases_up_to_time(horizon, k)) for k in n]
    pmf_pn = [float(pn.conditional_probability_of_n_purchases_up_to_time(k, horizon, 0.0, 0.0,
                                                                             0.0)) for k in n]
    np.random.seed(0)
    fits = {"bgnbd": BetaGeoFitter().fit(x, t_x, T),
            "paretonbd": ParetoNBDFitter().fit(x, t_x, T)}
    repeat = x > 0
    gg = GammaGammaFitter().fit(x[repeat], s["monetary_value"].to_numpy()[repeat])
    donations = pd.read_csv(EXTERNAL / "donations" / "donations.csv")
    bb = BetaGeoBetaBinomFitter().fit(donations["frequency"], donations["recency"],
                                      donations["periods"], donations["weights"])
    w = np.ones(len(x))
    lifetimes_fits = {
        "bgnbd": {"params": {k: float(v) for k, v in fits["bgnbd"].params_.items()},
                  "log_likelihood": float(-BetaGeoFitter._negative_log_likelihood(
                      np.log(fits["bgnbd"].params_.to_numpy()), x, t_x, T, w, 0.0) * len(x))},
        "paretonbd": {"params": {k: float(v) for k, v in fits["paretonbd"].params_.items()},
                      "log_likelihood": float(-ParetoNBDFitter._negative_log_likelihood(
                          fits["paretonbd"].params_.to_numpy(), x, t_x, T, w, 0.0))},
        "gamma_gamma": {"params": {k: float(v) for k, v in gg.params_.items()}},
        "bgbb": {"params": {k: float(v) for k, v in bb.params_.items()}},
    }
    meta = {
        "made_by": "benchmarks/bench_clv.py --make-reference",
        "versions": {p: version(p) for p in ("lifetimes", "numpy", "scipy", "pandas")},
        "summary": "lifetimes summary_data_from_transaction_data(freq='D', freq_multiplier=7), "
                   "observation_period_end 1997-09-30",
        "horizon_weeks": horizon,
        "parameters": {"bgnbd": ours["bgnbd"], "paretonbd": ours["paretonbd"]},
        "parameters_source": "workbench.clv BetaGeo / ParetoNBD fitted on the same customers",
        "bgnbd_pmf_39": pmf_bg,
        "paretonbd_pmf_39": pmf_pn,
        "bgnbd_expected_78": float(bg.expected_number_of_purchases_up_to_time(78.0)),
        "paretonbd_expected_39": float(pn.expected_number_of_purchases_up_to_time(39.0)),
        "lifetimes_fits": lifetimes_fits,
    }
    out_json.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return {"rows": len(out), "csv": str(out_csv), "json": str(out_json)}


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------

def make_reference() -> int:
    sys.path.insert(0, str(ROOT / "src"))
    import pandas as pd

    from workbench.clv import BetaGeo, ParetoNBD
    from workbench.summary import customer_summary

    raw = pd.read_csv(EXTERNAL / "cdnow" / "CDNOW_sample.txt", sep=r"\s+", header=None,
                      names=["master_id", "customer_id", "date", "cds", "amount"],
                      dtype={"customer_id": str, "date": str})
    tx = pd.DataFrame({"customer_id": raw["customer_id"].str.zfill(4),
                       "order_date": pd.to_datetime(raw["date"], format="%Y%m%d"),
                       "amount": raw["amount"].astype(float)})
    s = customer_summary(tx, "1997-09-30", "W")
    params = {"bgnbd": BetaGeo().fit(s["x"], s["t_x"], s["T"]).params_,
              "paretonbd": ParetoNBD().fit(s["x"], s["t_x"], s["T"]).params_}
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    params_path = DATA_DIR / "cdnow_params.json"
    params_path.write_text(json.dumps(params, indent=1))
    python = ensure_lifetimes_venv()
    out = run_worker(__file__, python, "reference", str(params_path),
                     str(EXTERNAL / "cdnow" / "lifetimes_reference.csv"),
                     str(EXTERNAL / "cdnow" / "lifetimes_reference.json"))
    print(f"wrote {out['rows']} rows to {out['csv']} and {out['json']}")
    return 0


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        kind, rest = sys.argv[2], sys.argv[3:]
        if kind == "generate":
            result = worker_generate(Path(rest[0]), rest[1], int(rest[2]), int(rest[3]))
        elif kind == "ours":
            result = worker_ours(rest[0], Path(rest[1]))
        elif kind == "lifetimes":
            result = worker_lifetimes(rest[0], Path(rest[1]))
        elif kind == "reference":
            result = worker_reference(Path(rest[0]), Path(rest[1]), Path(rest[2]))
        else:
            raise SystemExit(f"unknown worker {kind}")
        print(json.dumps(result))
        return 0

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bgnbd", type=int, default=1_000_000, help="BG/NBD customers")
    ap.add_argument("--pnbd", type=int, default=100_000, help="Pareto/NBD customers")
    ap.add_argument("--gg", type=int, default=500_000, help="Gamma-Gamma repeat customers")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3, help="runs of ours; the fastest counts")
    ap.add_argument("--lifetimes-repeat", type=int, default=1,
                    help="runs of lifetimes (about 45 s per round at the default sizes)")
    ap.add_argument("--make-reference", action="store_true",
                    help="write data/external/cdnow/lifetimes_reference.{csv,json} and exit")
    args = ap.parse_args()
    if args.make_reference:
        return make_reference()

    sizes = {"bgnbd": args.bgnbd, "pnbd": args.pnbd, "gg": args.gg}
    paths = {}
    for kind, n in sizes.items():
        path = DATA_DIR / f"clv_{kind}_n{n}_s{args.seed}.npz"
        paths[kind] = path
        if path.exists():
            print(f"reusing {path.relative_to(ROOT)}")
        else:
            g = run_worker(__file__, sys.executable, "generate", str(path), kind, str(n), str(args.seed))
            print(f"generated {path.relative_to(ROOT)}: {n:,} customers "
                  f"({g['repeaters']:,} with repeat purchases) in {g['seconds']:.1f} s")
    lt_python = ensure_lifetimes_venv()
    print(f"load average before the runs: {_loadavg()} (other jobs on the machine skew wall times)")

    results: dict[str, dict[str, dict]] = {}
    for kind in sizes:
        results[kind] = {}
        for tool, python, repeat in (("ours", sys.executable, args.repeat),
                                     ("lifetimes", lt_python, args.lifetimes_repeat)):
            runs = []
            for i in range(repeat):
                r = run_worker(__file__, python, tool, kind, str(paths[kind]))
                print(f"{kind} {tool} run {i + 1}: fit {r['seconds']:.2f} s, "
                      f"LL {r['log_likelihood']:,.4f}", flush=True)
                runs.append(r)
            results[kind][tool] = min(runs, key=lambda r: r["seconds"])
    print(f"load average after the runs: {_loadavg()}")

    names = {"bgnbd": "BG/NBD", "pnbd": "Pareto/NBD", "gg": "Gamma-Gamma"}
    print(f"\n{os.cpu_count()} CPUs; ours: best of {args.repeat}, lifetimes: best of "
          f"{args.lifetimes_repeat}; fit call only, standard errors included where the tool "
          "computes them")
    head = (f"{'model':<12} {'customers':>10} {'ours s':>8} {'lifetimes s':>12} {'ratio':>7} "
            f"{'LL ours':>16} {'LL lifetimes':>16} {'rel. diff':>10}")
    print(head + "\n" + "-" * len(head))
    failed = False
    verdicts = []
    for kind, n in sizes.items():
        o, lt = results[kind]["ours"], results[kind]["lifetimes"]
        ratio = lt["seconds"] / o["seconds"]
        rel = (o["log_likelihood"] - lt["log_likelihood"]) / abs(lt["log_likelihood"])
        print(f"{names[kind]:<12} {n:>10,} {o['seconds']:>8.3f} {lt['seconds']:>12.2f} "
              f"{ratio:>6.1f}x {o['log_likelihood']:>16,.3f} {lt['log_likelihood']:>16,.3f} "
              f"{rel:>10.1e}")
        max_s, min_ratio = TARGETS[kind]
        if max_s is not None:
            verdicts.append(f"  {names[kind]} ours <= {max_s} s: {o['seconds']:.3f} s "
                            f"{'PASS' if o['seconds'] <= max_s else 'FAIL'}")
        if min_ratio is not None:
            verdicts.append(f"  {names[kind]} >= {min_ratio:g}x faster than lifetimes: "
                            f"{ratio:.1f}x {'PASS' if ratio >= min_ratio else 'FAIL'}")
        ok = rel >= -LL_RTOL  # ours may be higher (better), never lower
        failed |= not ok
        verdicts.append(f"  {names[kind]} LL not below lifetimes' by more than {LL_RTOL:g} "
                        f"relative: {rel:+.1e} {'PASS' if ok else 'FAIL'}")
    print("(rel. diff = (LL ours - LL lifetimes) / |LL lifetimes|; positive: ours is higher)")
    print("\nparameters:")
    for kind in sizes:
        for tool in ("ours", "lifetimes"):
            p = results[kind][tool]["params"]
            print(f"  {names[kind]:<12} {tool:<10} " + ", ".join(f"{k}={v:.5g}" for k, v in p.items()))
    print("\ntargets:\n" + "\n".join(verdicts))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
