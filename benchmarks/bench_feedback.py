"""Feedback analysis at scale, and the sentiment model against the plain baseline.

    .venv/bin/python benchmarks/bench_feedback.py                 # both parts
    .venv/bin/python benchmarks/bench_feedback.py --skip-cv       # speed only (~1 min)
    .venv/bin/python benchmarks/bench_feedback.py --unique        # every comment distinct

Part 1 times scoring + segmentation + sentiment + themes on ``--comments`` answers (200,000).
The comments are drawn with replacement from a pool of real and realistic text: the 12,000
``reviews_zh`` sentences, the comments of a 20,000-customer demo (Chinese and English) and the
English training sentences; 10% are left empty. ``--unique`` appends an order reference to every
comment so that no two are equal (the worst case: every text is cut and scored).

Part 2 runs the 5-fold cross-validation of :func:`workbench.feedback.sentiment.compare_with_baseline`
on all 12,000 sentences (same folds for every model, nothing tuned on them) and scores the
shipped model and the baseline, both trained on the development part, on the fixed held-out part.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
REVIEWS = ROOT / "data" / "external" / "reviews_zh" / "reviews_zh_labeled.csv"


def comment_pool() -> list[str]:
    from importlib.resources import files

    from workbench.demo import generate_demo

    pool = pd.read_csv(REVIEWS, dtype={"text": str})["text"].tolist()
    with tempfile.TemporaryDirectory() as folder:
        generate_demo(folder, customers=20000, seed=0)
        demo = pd.read_csv(Path(folder) / "feedback.csv", dtype=str, keep_default_na=False)
    pool += [c for c in demo["comment"] if c]
    english = pd.read_csv(Path(str(files("workbench") / "models" / "sentiment_en_train.csv")))
    return pool + english["text"].tolist()


def make_feedback(n: int, unique: bool, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pool = np.array(comment_pool(), dtype=object)
    comments = pool[rng.integers(0, len(pool), n)]
    if unique:
        comments = np.array([f"{c}（单号{i:07d}）" for i, c in enumerate(comments)], dtype=object)
    comments[rng.random(n) < 0.1] = None
    start = np.datetime64("2024-01-01T00:00:00")
    seconds = np.sort(rng.integers(0, 2 * 365 * 86400, n))
    return pd.DataFrame({
        "customer_id": [f"{i:07d}" for i in rng.integers(0, n // 2, n)],
        "submitted_at": pd.to_datetime(start + seconds.astype("timedelta64[s]")),
        "nps": rng.integers(0, 11, n).astype(float),
        "csat": rng.integers(1, 6, n).astype(float),
        "comment": comments,
        "channel": rng.choice(["APP", "小程序", "短信", "门店扫码"], n),
    })


def bench_speed(n: int, unique: bool) -> dict[str, float]:
    from workbench import feedback
    from workbench.feedback.sentiment import load_sentiment_model
    from workbench.feedback.text import default_segmenter

    started = time.perf_counter()
    fb = make_feedback(n, unique)
    print(f"data: {n:,} answers, {fb['comment'].nunique():,} distinct comments, "
          f"{fb['comment'].dropna().str.len().mean():.0f} characters on average "
          f"({time.perf_counter() - started:.1f} s to build, not timed below)")
    load_sentiment_model("zh"), load_sentiment_model("en"), default_segmenter()  # warm caches
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    summary = feedback.score_summary(fb)
    feedback.scores_by_month(fb), feedback.scores_by(fb, "channel")
    feedback.period_change(fb, fb["submitted_at"].max(), 90)
    times["scores (NPS/CSAT with intervals, by month and channel, period test)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = feedback.analyse(fb, n_topics=8)
    times["analyse: language + jieba + sentiment + categories + NMF topics"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    comments = result.comments
    feedback.category_table(result), feedback.category_trend(comments, result.rules)
    feedback.keyword_table(result), feedback.topic_table(result), feedback.drivers(result)
    times["themes: category counts/trend, distinctive terms, topic table, drivers"] = time.perf_counter() - t0
    times["total"] = sum(times.values())
    print(f"NPS {summary.iloc[0]['value']:.1f}; sentiment shares "
          f"{comments['sentiment'].value_counts(normalize=True).round(3).to_dict()}")
    return times


def bench_stages(n: int, unique: bool) -> None:
    """Where the time of ``analyse`` goes, stage by stage."""
    from workbench.feedback.sentiment import load_sentiment_model
    from workbench.feedback.text import default_segmenter, detect_languages
    from workbench.feedback.themes import CategoryRules, fit_topics

    fb = make_feedback(n, unique)
    texts = fb["comment"].tolist()
    seg = default_segmenter()
    stages = {}
    t0 = time.perf_counter()
    languages = detect_languages(fb["comment"].fillna(""))
    stages["language detection"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    cut = seg.cut_many(texts)
    stages["jieba segmentation (distinct texts)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    tokens = seg.tokens_many(texts, cut=cut)
    stages["content words and stop words"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    zh = np.flatnonzero(languages.isin(["zh", "mixed"]).to_numpy())
    load_sentiment_model("zh").predict_proba([texts[i] for i in zh], [cut[i] for i in zh])
    en = np.flatnonzero((languages == "en").to_numpy())
    load_sentiment_model("en").predict_proba([texts[i] for i in en], [cut[i] for i in en])
    stages["sentiment (both models)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    CategoryRules().assign(texts)
    stages["category rules"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    fit_topics(tokens, 8)
    stages["NMF topics (fit on 20,000, applied to all)"] = time.perf_counter() - t0
    for name, seconds in stages.items():
        print(f"  {name:<45} {seconds:6.2f} s")


def bench_cv() -> None:
    from workbench.feedback.sentiment import (
        SentimentModel,
        baseline_model,
        compare_with_baseline,
        evaluate,
        holdout_mask,
    )

    reviews = pd.read_csv(REVIEWS, dtype={"text": str})
    started = time.perf_counter()
    folds = compare_with_baseline(reviews["text"].tolist(), reviews["label"].to_numpy(),
                                  progress=lambda k: print(f"  fold {k + 1}/5 done", flush=True))
    print(f"5-fold cross-validation on {len(reviews):,} sentences ({time.perf_counter() - started:.0f} s):")
    table = folds.groupby("model")[["accuracy", "roc_auc", "brier", "fit_seconds"]].agg(["mean", "std"])
    print(table.round(4).to_string())
    wins = folds.pivot(index="fold", columns="model", values=["accuracy", "roc_auc"])
    for metric in ("accuracy", "roc_auc"):
        better = (wins[metric]["ours"] > wins[metric]["baseline"]).sum()
        print(f"  ours beats the baseline on {metric} in {better} of 5 folds")
    hold = holdout_mask(reviews["text"].tolist())
    dev, held = reviews[~hold], reviews[hold]
    base = baseline_model().fit(dev["text"].to_numpy(dtype=object), dev["label"].to_numpy())
    ours = SentimentModel("zh").fit(dev["text"].tolist(), dev["label"].to_numpy())
    print(f"held-out part ({len(held):,} sentences, trained on the other {len(dev):,}):")
    for name, model in (("baseline", base), ("ours", ours)):
        scores = evaluate(model, held["text"].tolist(), held["label"].to_numpy())
        print(f"  {name:<9} accuracy {scores['accuracy']:.4f}  ROC-AUC {scores['roc_auc']:.4f}  "
              f"Brier {scores['brier']:.4f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=200_000)
    parser.add_argument("--unique", action="store_true", help="make every comment distinct")
    parser.add_argument("--skip-cv", action="store_true")
    parser.add_argument("--stages", action="store_true", help="also time each stage of analyse")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}; Python {sys.version.split()[0]}")
    times = bench_speed(args.comments, args.unique)
    for name, seconds in times.items():
        print(f"  {name:<70} {seconds:6.1f} s")
    print(("PASS" if times["total"] < 60 else "FAIL") + f": {times['total']:.1f} s for "
          f"{args.comments:,} comments (target < 60 s)")
    if args.stages:
        bench_stages(args.comments, args.unique)
    if not args.skip_cv:
        bench_cv()
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
