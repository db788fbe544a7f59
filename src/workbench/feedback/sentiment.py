"""Comment sentiment: a small scikit-learn ensemble shipped as a versioned artefact.

The model (:class:`SentimentModel`) averages the probabilities of three logistic regressions:

1. character 1-3-gram TF-IDF (sublinear tf), the strong baseline for short Chinese text;
2. the same character n-grams, binary and weighted by their naive-Bayes log-count ratio
   (NB-LR, Wang & Manning 2012, "Baselines and bigrams", ACL);
3. jieba words and word bigrams in which the words after a negator (不, 没有, not, never, ...)
   up to the next punctuation mark carry a ``NOT_`` prefix (negation handling).

On the 12,000 labelled review sentences of ``reviews_zh`` the average beats the plain
character TF-IDF + logistic regression baseline on accuracy, ROC-AUC and Brier score in the
same 5-fold cross-validation (``benchmarks/bench_feedback.py``; numbers in
``benchmarks/README.md``). The design was chosen by cross-validation on the development part
only; the fixed held-out part (:func:`holdout_mask`) was scored once, for the metadata. The
averaged probabilities are calibrated as they are (Platt scaling on top fitted a slope of
1.03 and an intercept of 0.00 in development), so no calibration step is added.

Artefacts are ``.npz`` files of plain arrays plus JSON metadata (version, training-data
sha256, held-out metrics), loaded with ``allow_pickle=False``: no pickle, no dependence on the
scikit-learn version, never downloaded. ``workbench/models/sentiment_zh.npz`` is trained on
``data/external/reviews_zh/reviews_zh_labeled.csv`` without its held-out part and
``sentiment_en.npz`` on the small English set written for this project
(``workbench/models/sentiment_en_train.csv``). Rebuild them with
``python -m workbench.feedback.sentiment``; train on your own labelled comments with
:func:`retrain`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from collections.abc import Sequence
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline

from workbench.feedback.text import default_segmenter, detect_languages, mark_negation

__all__ = [
    "FORMAT_VERSION",
    "MODEL_VERSION",
    "SentimentModel",
    "baseline_model",
    "build_shipped_models",
    "compare_with_baseline",
    "evaluate",
    "file_sha256",
    "holdout_mask",
    "load_sentiment_model",
    "retrain",
    "shipped_model_path",
    "train_sentiment_model",
]

#: Layout of the ``.npz`` artefact; a loader refuses other layouts.
FORMAT_VERSION = 1
#: Version of the shipped models (bump when the training data or the design changes).
MODEL_VERSION = "1.0.0"
#: Fixed held-out share of the training data (in steps of 5%).
HOLDOUT_SHARE = 0.15

_CHAR = {"zh": ("char", (1, 3), 2), "en": ("char_wb", (2, 5), 1)}


def _word_features(tokens: Sequence[str]) -> list[str]:
    marked = mark_negation(tokens)
    return marked + [f"{a} {b}" for a, b in itertools.pairwise(marked)]


def _identity(doc: Any) -> Any:
    return doc


def _tfidf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear tf times idf, rows scaled to unit length: TfidfVectorizer(sublinear_tf=True)."""
    x = counts.astype(np.float64).tocsr(copy=True)
    x.data = 1.0 + np.log(x.data)
    x = x @ sparse.diags(idf.astype(np.float64))
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ x


def _smooth_idf(counts: sparse.csr_matrix) -> np.ndarray:
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    return np.log((1 + n) / (1 + df)) + 1.0


def _lr(c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=5000)


class SentimentModel:
    """Probability that a comment is positive, from an average of three linear models.

    Follows scikit-learn's conventions: ``__init__`` stores the settings, :meth:`fit` returns
    ``self`` and sets the attributes ending in ``_``.

    Parameters
    ----------
    language
        ``"zh"`` (character 1-3-grams, jieba words) or ``"en"`` (character 2-5-grams inside
        word boundaries, English words).
    min_df
        Minimum number of training texts an n-gram or word must occur in (keeps the artefact
        small); ``None`` uses 2 for Chinese and 1 for English.
    c_char, c_nb, c_word
        Inverse regularisation strengths of the three logistic regressions.
    """

    def __init__(self, language: str = "zh", *, min_df: int | None = None, c_char: float = 10.0,
                 c_nb: float = 1.0, c_word: float = 10.0):
        self.language = language
        self.min_df = min_df
        self.c_char = c_char
        self.c_nb = c_nb
        self.c_word = c_word

    # ------------------------------------------------------------------ features
    def _char_settings(self) -> tuple[str, tuple[int, int], int]:
        if self.language not in _CHAR:
            raise ValueError(f"language must be 'zh' or 'en', got {self.language!r}")
        analyzer, ngrams, min_df = _CHAR[self.language]
        return analyzer, ngrams, self.min_df if self.min_df is not None else min_df

    def _tokens(self, texts: Sequence[str], cut: Sequence[Sequence[str]] | None) -> list[list[str]]:
        if cut is not None:
            return [list(c) for c in cut]
        return default_segmenter().cut_many(texts)

    def fit(self, texts: Sequence[str], labels: Sequence[int],
            cut: Sequence[Sequence[str]] | None = None) -> SentimentModel:
        """Fit on texts and labels (1 positive, 0 negative).

        ``cut`` optionally passes the texts' tokens from
        :meth:`workbench.feedback.text.Segmenter.cut_many` to avoid cutting twice.
        """
        texts = [str(t) for t in texts]
        y = np.asarray(labels).astype(int)
        if set(np.unique(y)) != {0, 1}:
            raise ValueError("labels must hold both 0 (negative) and 1 (positive)")
        analyzer, ngrams, min_df = self._char_settings()
        chars = CountVectorizer(analyzer=analyzer, ngram_range=ngrams, min_df=min_df, dtype=np.int32)
        counts = chars.fit_transform(texts).tocsr()
        self.char_vocabulary_ = chars.get_feature_names_out().tolist()
        self.char_idf_ = _smooth_idf(counts).astype(np.float32)
        lr = _lr(self.c_char).fit(_tfidf(counts, self.char_idf_), y)
        self.char_coef_, self.char_intercept_ = lr.coef_.ravel().astype(np.float32), float(lr.intercept_[0])

        binary = (counts > 0).astype(np.float64).tocsr()
        pos = np.asarray(binary[y == 1].sum(axis=0)).ravel() + 1.0
        neg = np.asarray(binary[y == 0].sum(axis=0)).ravel() + 1.0
        self.nb_ratio_ = np.log((pos / pos.sum()) / (neg / neg.sum())).astype(np.float32)
        lr = _lr(self.c_nb).fit(binary @ sparse.diags(self.nb_ratio_.astype(np.float64)), y)
        self.nb_coef_, self.nb_intercept_ = lr.coef_.ravel().astype(np.float32), float(lr.intercept_[0])

        words = CountVectorizer(analyzer=_word_features, min_df=min_df, dtype=np.int32)
        wcounts = words.fit_transform(self._tokens(texts, cut)).tocsr()
        self.word_vocabulary_ = words.get_feature_names_out().tolist()
        self.word_idf_ = _smooth_idf(wcounts).astype(np.float32)
        lr = _lr(self.c_word).fit(_tfidf(wcounts, self.word_idf_), y)
        self.word_coef_, self.word_intercept_ = lr.coef_.ravel().astype(np.float32), float(lr.intercept_[0])
        self.n_features_ = len(self.char_vocabulary_) + len(self.word_vocabulary_)
        self.metadata_: dict[str, Any] = {"language": self.language, "n_train": len(texts),
                                          "params": self.get_params()}
        return self

    def get_params(self) -> dict[str, Any]:
        return {"language": self.language, "min_df": self.min_df, "c_char": self.c_char,
                "c_nb": self.c_nb, "c_word": self.c_word}

    def _check_fitted(self) -> None:
        if not hasattr(self, "char_coef_"):
            raise RuntimeError("this SentimentModel is not fitted; call fit() or load one")

    def component_probabilities(self, texts: Sequence[str],
                                cut: Sequence[Sequence[str]] | None = None) -> np.ndarray:
        """Probability positive of each of the three models, shape (n, 3)."""
        self._check_fitted()
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, 3))
        analyzer, ngrams, _ = self._char_settings()
        chars = CountVectorizer(analyzer=analyzer, ngram_range=ngrams, dtype=np.int32,
                                vocabulary={w: i for i, w in enumerate(self.char_vocabulary_)})
        counts = chars.transform(texts).tocsr()
        z_char = _tfidf(counts, self.char_idf_) @ self.char_coef_ + self.char_intercept_
        binary = (counts > 0).astype(np.float64)
        z_nb = binary @ (self.nb_ratio_.astype(np.float64) * self.nb_coef_) + self.nb_intercept_
        words = CountVectorizer(analyzer=_word_features, dtype=np.int32,
                                vocabulary={w: i for i, w in enumerate(self.word_vocabulary_)})
        wcounts = words.transform(self._tokens(texts, cut)).tocsr()
        z_word = _tfidf(wcounts, self.word_idf_) @ self.word_coef_ + self.word_intercept_
        z = np.column_stack([z_char, z_nb, z_word]).astype(np.float64)
        return 1.0 / (1.0 + np.exp(-z))

    def predict_proba(self, texts: Sequence[str],
                      cut: Sequence[Sequence[str]] | None = None) -> np.ndarray:
        """Shape (n, 2): probability negative, probability positive (scikit-learn layout).

        Each distinct text is scored once (survey comments repeat a lot)."""
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, 2))
        codes, uniques = pd.factorize(pd.Series(texts, dtype=object))
        first = np.zeros(len(uniques), dtype=int)
        first[codes[::-1]] = np.arange(len(codes))[::-1]
        unique_cut = [cut[i] for i in first] if cut is not None else None
        p = self.component_probabilities(list(uniques), unique_cut).mean(axis=1)[codes]
        return np.column_stack([1.0 - p, p])

    def predict(self, texts: Sequence[str], cut: Sequence[Sequence[str]] | None = None) -> np.ndarray:
        """1 (positive) when the probability positive is at least 0.5, else 0."""
        return (self.predict_proba(texts, cut)[:, 1] >= 0.5).astype(int)

    # ------------------------------------------------------------------ artefact
    def save(self, path: str | Path) -> Path:
        """Write the fitted model as a compressed ``.npz`` of plain arrays and JSON metadata."""
        self._check_fitted()
        from workbench.safety import atomic_write

        arrays = {
            "format": np.array(FORMAT_VERSION),
            "metadata": np.array(json.dumps(self.metadata_, ensure_ascii=False, sort_keys=True)),
            "char_vocabulary": np.array("\n".join(self.char_vocabulary_)),
            "word_vocabulary": np.array("\n".join(self.word_vocabulary_)),
            "intercepts": np.array([self.char_intercept_, self.nb_intercept_, self.word_intercept_]),
        }
        for name in ("char_idf_", "char_coef_", "nb_ratio_", "nb_coef_", "word_idf_", "word_coef_"):
            arrays[name.rstrip("_")] = getattr(self, name)
        path = Path(path)
        with atomic_write(path, "wb") as handle:
            np.savez_compressed(handle, **arrays)
        path.chmod(0o644)
        return path

    @classmethod
    def load(cls, path: str | Path) -> SentimentModel:
        """Read a model written by :meth:`save` (no pickle involved)."""
        with np.load(path, allow_pickle=False) as data:
            if int(data["format"]) != FORMAT_VERSION:
                raise ValueError(f"{path}: sentiment artefact format {int(data['format'])}, "
                                 f"this workbench reads format {FORMAT_VERSION}")
            metadata = json.loads(str(data["metadata"]))
            model = cls(**metadata["params"])
            model.metadata_ = metadata
            model.char_vocabulary_ = str(data["char_vocabulary"]).split("\n")
            model.word_vocabulary_ = str(data["word_vocabulary"]).split("\n")
            model.char_intercept_, model.nb_intercept_, model.word_intercept_ = (
                float(v) for v in data["intercepts"])
            for name in ("char_idf", "char_coef", "nb_ratio", "nb_coef", "word_idf", "word_coef"):
                setattr(model, name + "_", data[name])
        model.n_features_ = len(model.char_vocabulary_) + len(model.word_vocabulary_)
        return model


# ---------------------------------------------------------------------------- training


def file_sha256(path: str | Path) -> str:
    """sha256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def holdout_mask(texts: Sequence[str], share: float = HOLDOUT_SHARE) -> np.ndarray:
    """True for the fixed held-out part: the texts whose sha256 falls in the first
    ``share`` of 20 buckets. The same sentence is on the same side whatever the file order."""
    buckets = round(share * 20)
    if not 0 <= buckets < 20 or abs(buckets - share * 20) > 1e-9:
        raise ValueError(f"share must be a multiple of 0.05 below 1, got {share}")
    return np.array([int(hashlib.sha256(str(t).encode("utf-8")).hexdigest()[:8], 16) % 20 < buckets
                     for t in texts], dtype=bool)


def evaluate(model: Any, texts: Sequence[str], labels: Sequence[int],
             cut: Sequence[Sequence[str]] | None = None) -> dict[str, float]:
    """Accuracy (threshold 0.5), ROC-AUC and Brier score of ``model`` on labelled texts."""
    y = np.asarray(labels).astype(int)
    if isinstance(model, SentimentModel):
        p = model.predict_proba(texts, cut)[:, 1]
    else:
        p = model.predict_proba(np.asarray(texts, dtype=object))[:, 1]
    return {"n": len(y), "accuracy": float(accuracy_score(y, p >= 0.5)),
            "roc_auc": float(roc_auc_score(y, p)), "brier": float(brier_score_loss(y, p))}


def _labels(values: pd.Series) -> np.ndarray:
    words = {"1": 1, "0": 0, "positive": 1, "negative": 0, "pos": 1, "neg": 0, "正面": 1,
             "负面": 0, "好评": 1, "差评": 0, "true": 1, "false": 0}
    mapped = values.astype(str).str.strip().str.lower().map(words)
    if mapped.isna().any():
        bad = values[mapped.isna()].astype(str).unique()[:5]
        raise ValueError(f"labels must be 1/0 or positive/negative (正面/负面); got {list(bad)}")
    return mapped.to_numpy(dtype=int)


def train_sentiment_model(texts: Sequence[str], labels: Sequence[Any], *, language: str | None = None,
                          holdout_share: float = HOLDOUT_SHARE, source: str | Path | None = None,
                          **params: Any) -> SentimentModel:
    """Train a :class:`SentimentModel`, keeping a fixed held-out part aside to measure it.

    Parameters
    ----------
    texts, labels
        Comments and labels (1/0, positive/negative or 正面/负面).
    language
        ``"zh"`` or ``"en"``; by default the most common language of ``texts``.
    holdout_share
        Share kept aside (:func:`holdout_mask`); 0 trains on everything and measures nothing.
    source
        The labelled file, recorded by name and sha256 in the metadata.
    params
        Passed to :class:`SentimentModel` (``min_df``, ``c_char``, ``c_nb``, ``c_word``).

    Returns the fitted model; ``model.metadata_`` holds the version, the training data's sha256,
    the sizes and the held-out accuracy, ROC-AUC and Brier score. Save it with ``model.save``.
    """
    texts = [str(t) for t in texts]
    y = _labels(pd.Series(list(labels)))
    if language is None:
        counts = detect_languages(pd.Series(texts)).value_counts()
        language = "en" if counts.get("en", 0) > counts.get("zh", 0) + counts.get("mixed", 0) else "zh"
    hold = holdout_mask(texts, holdout_share) if holdout_share else np.zeros(len(texts), bool)
    train_texts = [t for t, h in zip(texts, hold) if not h]
    started = time.perf_counter()
    model = SentimentModel(language, **params).fit(train_texts, y[~hold])
    digest = file_sha256(source) if source else hashlib.sha256(
        json.dumps([texts, y.tolist()], ensure_ascii=False).encode("utf-8")).hexdigest()
    model.metadata_ = {
        "version": MODEL_VERSION,
        "format": FORMAT_VERSION,
        "language": language,
        "built": date.today().isoformat(),
        "training_data": Path(source).name if source else None,
        "training_data_sha256": digest,
        "n_labelled": len(texts),
        "n_train": int((~hold).sum()),
        "holdout": {"rule": "sha256(text) in the first buckets of 20", "share": holdout_share,
                    "n": int(hold.sum())},
        "fit_seconds": round(time.perf_counter() - started, 1),
        "n_features": model.n_features_,
        "params": model.get_params(),
    }
    if hold.any() and len(np.unique(y[hold])) == 2:
        held = [t for t, h in zip(texts, hold) if h]
        model.metadata_["holdout"] |= evaluate(model, held, y[hold])
    return model


def retrain(data: str | Path | pd.DataFrame, *, text_column: str = "text",
            label_column: str = "label", language: str | None = None,
            out: str | Path | None = None, **params: Any) -> SentimentModel:
    """Retrain the sentiment model on your own labelled comments in one call.

    ``data`` is a CSV/Excel file or a DataFrame with a text and a label column (1/0,
    positive/negative, 正面/负面). A fixed 15% is kept aside and measured (see
    ``model.metadata_["holdout"]``). With ``out``, the model is also saved there; pass it
    to :func:`workbench.feedback.analyse` as ``sentiment_model=``.
    """
    source = None
    if not isinstance(data, pd.DataFrame):
        from workbench.io import read_table_file

        source = Path(data)
        data = read_table_file(source)[0]
    missing = [c for c in (text_column, label_column) if c not in data]
    if missing:
        raise ValueError(f"{source or 'data'}: column(s) {', '.join(missing)} missing; the "
                         f"columns are {', '.join(map(str, data.columns))}")
    data = data[data[text_column].astype("string").str.strip().fillna("") != ""]
    model = train_sentiment_model(data[text_column].astype(str).tolist(), data[label_column],
                                  language=language, source=source, **params)
    if out is not None:
        model.save(out)
    return model


def shipped_model_path(language: str = "zh") -> Path:
    """Where the shipped artefact of ``language`` lives inside the package."""
    return Path(str(files("workbench") / "models" / f"sentiment_{language}.npz"))


@cache
def _load_cached(path: str) -> SentimentModel:
    return SentimentModel.load(path)


def load_sentiment_model(language: str = "zh", path: str | Path | None = None) -> SentimentModel:
    """The shipped model of ``language`` (cached per process), or the model saved at ``path``."""
    return _load_cached(str(path or shipped_model_path(language)))


# ---------------------------------------------------------------------------- comparison


def baseline_model(*, sublinear_tf: bool = True, c: float = 10.0) -> Any:
    """The plain baseline: character 1-3-gram TF-IDF + logistic regression.

    The defaults (sublinear tf, C = 10) reproduce the reference numbers of
    ``shared/PITFALLS.md`` (about 0.845 accuracy, 0.914 ROC-AUC); ``sublinear_tf=False,
    c=1.0`` is scikit-learn's out-of-the-box setting (about 0.83 / 0.90).
    """
    return make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=sublinear_tf),
                         LogisticRegression(C=c, max_iter=5000))


def compare_with_baseline(texts: Sequence[str], labels: Sequence[int], *, n_splits: int = 5,
                          seed: int = 0, include_default_baseline: bool = True,
                          progress: Any = None) -> pd.DataFrame:
    """Cross-validate ours and the baseline(s) on the same folds, in one run.

    Returns one row per model and fold (``model``, ``fold``, ``accuracy``, ``roc_auc``,
    ``brier``, ``fit_seconds``); average with ``.groupby("model").mean()``. Nothing is
    tuned on the test folds: every setting is fixed before the run.
    """
    texts = [str(t) for t in texts]
    x = np.asarray(texts, dtype=object)
    y = np.asarray(labels).astype(int)
    cut = default_segmenter().cut_many(texts)
    candidates: dict[str, Any] = {"baseline": lambda: baseline_model()}
    if include_default_baseline:
        candidates["baseline_sklearn_defaults"] = lambda: baseline_model(sublinear_tf=False, c=1.0)
    rows = []
    folds = StratifiedKFold(n_splits, shuffle=True, random_state=seed)
    for fold, (train, test) in enumerate(folds.split(x, y)):
        for name, make in candidates.items():
            started = time.perf_counter()
            model = make().fit(x[train], y[train])
            rows.append({"model": name, "fold": fold, "fit_seconds": time.perf_counter() - started}
                        | evaluate(model, x[test], y[test]))
        started = time.perf_counter()
        ours = SentimentModel("zh").fit(x[train], y[train], cut=[cut[i] for i in train])
        rows.append({"model": "ours", "fold": fold, "fit_seconds": time.perf_counter() - started}
                    | evaluate(ours, x[test], y[test], cut=[cut[i] for i in test]))
        if progress:
            progress(fold)
    return pd.DataFrame(rows)


def build_shipped_models(reviews_csv: str | Path, english_csv: str | Path | None = None,
                         out_dir: str | Path | None = None, *, cv: bool = False) -> dict[str, Path]:
    """Train and write the shipped artefacts (``sentiment_zh.npz``, ``sentiment_en.npz``).

    ``reviews_csv`` is ``data/external/reviews_zh/reviews_zh_labeled.csv`` (columns ``text``,
    ``label``); ``english_csv`` defaults to the English set shipped in the package. With
    ``cv``, the 5-fold comparison against the baseline is stored in the Chinese metadata.
    """
    out = Path(out_dir) if out_dir else shipped_model_path("zh").parent
    written = {}
    reviews = pd.read_csv(reviews_csv, dtype={"text": str})
    zh = train_sentiment_model(reviews["text"].tolist(), reviews["label"], language="zh",
                               source=reviews_csv)
    if cv:
        folds = compare_with_baseline(reviews["text"].tolist(), reviews["label"].to_numpy())
        zh.metadata_["cv"] = {"folds": 5, "seed": 0, "data": "all 12,000 labelled sentences",
                              **{m: g[["accuracy", "roc_auc", "brier"]].mean().round(4).to_dict()
                                 for m, g in folds.groupby("model")}}
    written["zh"] = zh.save(out / "sentiment_zh.npz")
    english_csv = english_csv or shipped_model_path("zh").parent / "sentiment_en_train.csv"
    english = pd.read_csv(english_csv, dtype={"text": str})
    en = train_sentiment_model(english["text"].tolist(), english["label"], language="en",
                               holdout_share=0.0, source=english_csv)
    written["en"] = en.save(out / "sentiment_en.npz")
    return written


def main(argv: Sequence[str] | None = None) -> int:  # pragma: no cover - build script
    import argparse

    parser = argparse.ArgumentParser(description="Build the shipped sentiment artefacts.")
    parser.add_argument("--reviews", default="data/external/reviews_zh/reviews_zh_labeled.csv")
    parser.add_argument("--english", default=None)
    parser.add_argument("--out", default=None)
    parser.add_argument("--cv", action="store_true", help="store the 5-fold comparison too")
    args = parser.parse_args(argv)
    for language, path in build_shipped_models(args.reviews, args.english, args.out, cv=args.cv).items():
        meta = SentimentModel.load(path).metadata_
        print(language, path, f"{path.stat().st_size / 1e6:.2f} MB", json.dumps(meta.get("holdout")),
              json.dumps(meta.get("cv")))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
