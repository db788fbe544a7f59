"""What comments are about: complaint categories by rules, distinctive terms, NMF topics.

Complaint categories come from a keyword dictionary that operations teams can read and edit
(:data:`DEFAULT_CATEGORIES`: 物流/配送, 质量, 价格, 客服, 售后/退换, 使用体验 and their English
keywords). A comment mentions a category when one of its keywords occurs (Chinese keywords as
substrings, English keywords as whole words, ``*`` as a word-ending wildcard); its main
category is the one with most distinct keywords found, ties going to the lower ``priority``.
Change the dictionary with :meth:`CategoryRules.extend`, or write your own as YAML and load it
with :meth:`CategoryRules.from_yaml`.

Topics are found with non-negative matrix factorisation of the comments' TF-IDF word matrix
(Lee & Seung 1999, Nature 401), each described by its top words and example comments.
Distinctive terms per group are the words whose mean TF-IDF weight in the group most exceeds
their mean weight in the other comments.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer

__all__ = [
    "DEFAULT_CATEGORIES",
    "CategoryRules",
    "Topics",
    "category_counts",
    "category_trend",
    "distinctive_terms",
    "fit_topics",
    "precision_recall",
]

#: The default complaint-category dictionary. ``priority`` breaks ties (lower wins): a comment
#: about a refund that also names the service desk is first of all a returns issue.
DEFAULT_CATEGORIES: dict[str, dict[str, Any]] = {
    "logistics": {
        "zh": "物流/配送", "en": "logistics", "priority": 3,
        "keywords": [
            "物流", "快递", "配送", "送货", "发货", "到货", "签收", "驿站", "派送", "包裹", "次日达",
            "当日达", "冷链", "发错", "没收到", "压扁", "包装破损", "运输", "到手", "送到", "送达",
            "delivery", "deliver*", "courier*", "shipped", "tracking", "parcel*", "package",
            "arrive*", "crushed", "damaged", "wrong item", "pickup point", "next-day", "cold chain",
            "dispatch*", "delivered", "never received",
        ],
    },
    "quality": {
        "zh": "质量", "en": "quality", "priority": 4,
        "keywords": [
            "质量", "品质", "做工", "瑕疵", "次品", "劣质", "质感", "材质", "坏了", "出问题", "质检",
            "怪味", "异味", "不新鲜", "变质", "过敏", "缩水", "褪色", "掉色", "开线", "廉价",
            "保质期", "临期", "味道都不对", "假货", "正品", "新鲜",
            "quality", "broke", "broken", "defect*", "workmanship", "cheap", "flimsy", "smell*",
            "reject", "material", "stopped working", "expiry", "expired", "fresh", "stale",
            "tasted off", "went bad", "rash", "faded", "shrank", "qc",
        ],
    },
    "price": {
        "zh": "价格", "en": "price", "priority": 5,
        "keywords": [
            "价格", "价钱", "太贵", "便宜", "降价", "涨价", "保价", "优惠券", "满减", "优惠", "折扣",
            "会员价", "性价比", "不值", "运费", "活动价", "套路", "差价", "划算", "实惠", "原价",
            "price*", "expensive", "cheaper", "overpriced", "coupon*", "discount*", "deal*",
            "worth the money", "not worth", "value for money", "shipping fee", "fee", "fees",
            "a trick",
        ],
    },
    "service": {
        "zh": "客服", "en": "service", "priority": 2,
        "keywords": [
            "客服", "服务", "态度", "店员", "导购", "回复", "回电话", "热线", "投诉", "答非所问",
            "推卸责任", "爱理不理", "一问三不知", "不耐烦", "排队", "机器人回复", "补偿", "人工",
            "customer service", "service", "agent", "staff", "rude", "attitude", "hotline",
            "chat", "chatbot", "queue", "call back", "complaint", "compensation", "patient",
            "dodging", "blaming",
        ],
    },
    "returns": {
        "zh": "售后/退换", "en": "returns", "priority": 1,
        "keywords": [
            "退货", "退款", "退换", "换货", "售后", "保修", "维修", "七天无理由", "无理由", "取件",
            "寄回", "退回", "不退不换", "不给退", "换个", "扯皮",
            "return", "returns", "returned", "refund*", "exchange*", "replacement", "after-sales",
            "repair*", "warranty", "no-questions-asked", "pickup",
        ],
    },
    "usability": {
        "zh": "使用体验", "en": "usability", "priority": 6,
        "keywords": [
            "用起来", "好用", "操作", "说明书", "复杂", "卡顿", "太卡", "闪退", "报错", "页面",
            "小程序", "app", "搜不到", "找不到", "积分", "会员卡", "绑定", "收银机", "自助",
            "难打开", "不方便", "方便", "尺寸", "不舒服", "太油", "体验",
            "crash*", "checkout", "mini program", "page", "error*", "search*", "manual",
            "complicated", "points", "membership card", "self-checkout", "machine*",
            "uncomfortable", "to use", "convenient", "confusing", "website", "can't find",
            "cannot find",
        ],
    },
}


def _pattern(keywords: Sequence[str]) -> re.Pattern[str]:
    parts = []
    for keyword in sorted({k.strip().lower() for k in keywords if k.strip()}, key=len, reverse=True):
        wildcard = keyword.endswith("*")
        word = re.escape(keyword.rstrip("*"))
        if keyword.isascii():
            parts.append(rf"\b{word}\w*" if wildcard else rf"\b{word}\b")
        else:
            parts.append(word)
    return re.compile("|".join(parts) if parts else r"(?!x)x")


@dataclass
class CategoryRules:
    """A keyword dictionary of complaint categories (see :data:`DEFAULT_CATEGORIES`).

    ``categories`` maps a category key to ``zh``/``en`` names, a ``priority`` and
    ``keywords``. Matching is case-insensitive.
    """

    categories: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: DEFAULT_CATEGORIES)

    def __post_init__(self) -> None:
        for key, spec in self.categories.items():
            if not spec.get("keywords"):
                raise ValueError(f"category {key!r} has no keywords")
        self._patterns = {k: _pattern(v["keywords"]) for k, v in self.categories.items()}

    @property
    def keys(self) -> list[str]:
        return list(self.categories)

    def name(self, key: str, lang: str = "en") -> str:
        spec = self.categories[key]
        return str(spec.get(lang) or spec.get("en") or key)

    def names(self, lang: str = "en") -> dict[str, str]:
        """Category key -> display name in ``lang``."""
        return {key: self.name(key, lang) for key in self.categories}

    @classmethod
    def from_yaml(cls, path: str | Path) -> CategoryRules:
        """Read a dictionary written like :data:`DEFAULT_CATEGORIES` as YAML."""
        import yaml

        loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig")) or {}
        if not isinstance(loaded, dict):
            raise ValueError(  # noqa: TRY004 - the user's file holds the wrong content
                f"{path}: expected a mapping of category -> keywords")
        return cls({k: v if isinstance(v, dict) else {"keywords": list(v)} for k, v in loaded.items()})

    def extend(self, keywords: Mapping[str, Sequence[str]]) -> CategoryRules:
        """A copy with more keywords per category (new keys create new categories)."""
        merged = {k: dict(v) for k, v in self.categories.items()}
        for key, words in keywords.items():
            spec = merged.setdefault(key, {"zh": key, "en": key, "priority": 99, "keywords": []})
            spec["keywords"] = list(spec["keywords"]) + list(words)
        return CategoryRules(merged)

    def hits(self, texts: Sequence[object]) -> pd.DataFrame:
        """Number of distinct keywords of each category found in each text (one column each)."""
        series = pd.Series(list(texts), dtype=object)
        codes, uniques = pd.factorize(series.where(series.map(lambda v: isinstance(v, str)), None),
                                      use_na_sentinel=True)
        lower = pd.Series(uniques, dtype=object).map(str.lower)
        counts = {}
        for key, pattern in self._patterns.items():
            found = lower.map(lambda s, p=pattern: len(set(p.findall(s))))
            values = found.to_numpy(dtype=np.int64) if len(found) else np.zeros(0, np.int64)
            counts[key] = np.where(codes >= 0, values[np.maximum(codes, 0)] if len(values) else 0, 0)
        return pd.DataFrame(counts, index=range(len(series)))

    def assign(self, texts: Sequence[object]) -> pd.DataFrame:
        """``categories`` (list of keys mentioned) and ``main_category`` (key or None) per text."""
        hits = self.hits(texts)
        keys = list(hits.columns)
        order = sorted(range(len(keys)), key=lambda i: self.categories[keys[i]].get("priority", 99))
        values = hits.to_numpy()[:, order]
        best = np.argmax(values, axis=1) if len(keys) else np.zeros(len(hits), int)
        has = values.max(axis=1) > 0 if len(keys) else np.zeros(len(hits), bool)
        ordered = [keys[i] for i in order]
        main = [ordered[b] if h else None for b, h in zip(best, has)]
        mentioned = [[k for k, v in zip(ordered, row) if v > 0] for row in values]
        return pd.DataFrame({"categories": mentioned, "main_category": main})


# ---------------------------------------------------------------------------- counts


def category_counts(categories: pd.Series, negative: pd.Series, rules: CategoryRules,
                    lang: str = "en") -> pd.DataFrame:
    """Per category: ``mentions`` (comments naming it), ``complaints`` (of which negative),
    ``complaint_share`` (of all negative comments) and the display ``category_name``."""
    n_negative = int(negative.sum())
    rows = []
    for key in rules.keys:
        has = categories.map(lambda cats, k=key: k in cats)
        complaints = int((has & negative).sum())
        rows.append({"category": key, "category_name": rules.name(key, lang), "mentions": int(has.sum()),
                     "complaints": complaints,
                     "complaint_share": complaints / n_negative if n_negative else float("nan")})
    return pd.DataFrame(rows).sort_values("complaints", ascending=False, kind="stable").reset_index(drop=True)


def category_trend(frame: pd.DataFrame, rules: CategoryRules, *, freq: str = "Q") -> pd.DataFrame:
    """Complaints per category and period (``freq``: "M" or "Q"), as counts and as the share
    of that period's negative comments: long format ``period``, ``category``, ``complaints``,
    ``negative``, ``complaint_share``."""
    data = frame[frame["sentiment"] == "negative"]
    periods = data["submitted_at"].dt.to_period(freq)
    rows = []
    for period, group in data.groupby(periods, sort=True):
        for key in rules.keys:
            n = int(group["categories"].map(lambda cats, k=key: k in cats).sum())
            rows.append({"period": period, "category": key, "complaints": n, "negative": len(group),
                         "complaint_share": n / len(group) if len(group) else float("nan")})
    return pd.DataFrame(rows, columns=["period", "category", "complaints", "negative", "complaint_share"])


def precision_recall(predicted: Sequence[Any], truth: Sequence[Any], labels: Sequence[Any]) -> pd.DataFrame:
    """Per label: ``precision``, ``recall``, ``f1``, ``support`` of single-label predictions
    (None or "" = no label), plus a ``macro`` row."""
    p = pd.Series(list(predicted), dtype=object).fillna("").replace({None: ""})
    y = pd.Series(list(truth), dtype=object).fillna("").replace({None: ""})
    rows = []
    for label in labels:
        tp = int(((p == label) & (y == label)).sum())
        fp = int(((p == label) & (y != label)).sum())
        fn = int(((p != label) & (y == label)).sum())
        prec = tp / (tp + fp) if tp + fp else float("nan")
        rec = tp / (tp + fn) if tp + fn else float("nan")
        f1 = 2 * prec * rec / (prec + rec) if tp else 0.0
        rows.append({"label": label, "precision": prec, "recall": rec, "f1": f1, "support": tp + fn})
    out = pd.DataFrame(rows)
    macro = out[["precision", "recall", "f1"]].mean()
    return pd.concat([out, pd.DataFrame([{"label": "macro", **macro.to_dict(),
                                          "support": int(out["support"].sum())}])], ignore_index=True)


# ---------------------------------------------------------------------------- terms and topics


def _identity(doc: Any) -> Any:
    return doc


def _tfidf(tokens: Sequence[Sequence[str]], min_df: int, max_features: int | None,
           max_df: float = 1.0) -> tuple[TfidfVectorizer, Any]:
    vectorizer = TfidfVectorizer(analyzer=_identity, min_df=min_df, max_df=max_df,
                                 max_features=max_features, sublinear_tf=True, dtype=np.float32)
    return vectorizer, vectorizer.fit_transform(tokens)


def distinctive_terms(tokens: Sequence[Sequence[str]], groups: Sequence[Any], *, top_n: int = 10,
                      min_df: int = 3, max_features: int | None = 20000) -> pd.DataFrame:
    """Words most typical of each group: mean TF-IDF in the group minus mean elsewhere.

    ``tokens`` are content words per comment (:meth:`Segmenter.tokens_many`), ``groups`` one
    label per comment (None = not in any group). Returns ``group``, ``rank``, ``term``,
    ``score``, ``comments`` (in the group containing the term).
    """
    groups = pd.Series(list(groups), dtype=object)
    keep = groups.notna().to_numpy() & np.array([len(t) > 0 for t in tokens], dtype=bool)
    docs = [t for t, k in zip(tokens, keep) if k]
    labels = groups[keep].to_numpy()
    columns = ["group", "rank", "term", "score", "comments"]
    if len(docs) < min_df or len(set(labels)) < 2:
        return pd.DataFrame(columns=columns)
    try:
        vectorizer, x = _tfidf(docs, min_df, max_features)
    except ValueError:  # no term reaches min_df
        return pd.DataFrame(columns=columns)
    x = x.tocsr()
    terms = vectorizer.get_feature_names_out()
    rows = []
    for label in pd.unique(labels):
        inside = labels == label
        mean_in = np.asarray(x[inside].mean(axis=0)).ravel()
        mean_out = np.asarray(x[~inside].mean(axis=0)).ravel()
        present = np.asarray((x[inside] > 0).sum(axis=0)).ravel()
        score = np.where(present >= min_df, mean_in - mean_out, -np.inf)
        best = np.argsort(-score, kind="stable")[:top_n]
        for rank, j in enumerate(b for b in best if np.isfinite(score[b]) and score[b] > 0):
            rows.append({"group": label, "rank": rank + 1, "term": terms[j], "score": float(score[j]),
                         "comments": int(present[j])})
    return pd.DataFrame(rows, columns=columns)


@dataclass
class Topics:
    """NMF topics: ``top_words`` per topic, the topic of each comment, example comments."""

    words: list[list[str]]
    weights: np.ndarray  # (comments, topics) document-topic weights
    assignment: np.ndarray  # topic index per comment, -1 when the comment has no topic words
    reconstruction_error: float

    @property
    def n_topics(self) -> int:
        return len(self.words)

    def label(self, topic: int, n_words: int = 3) -> str:
        """``T3: 快递 · 物流 · 发货`` (1-based), or "" for -1."""
        if topic < 0:
            return ""
        return f"T{topic + 1}: " + " · ".join(self.words[topic][:n_words])

    def labels(self, n_words: int = 3) -> list[str]:
        return [self.label(int(k), n_words) for k in self.assignment]

    def summary(self, texts: Sequence[object], *, n_examples: int = 2, n_words: int = 6) -> pd.DataFrame:
        """Per topic: ``topic`` (1-based), ``label``, ``top_words``, ``comments`` (assigned),
        ``share`` of comments with a topic, ``examples`` (the most typical distinct comments)."""
        texts = pd.Series(list(texts), dtype=object)
        assigned = self.assignment >= 0
        rows = []
        for k in range(self.n_topics):
            members = np.flatnonzero(self.assignment == k)
            order = members[np.argsort(-self.weights[members, k], kind="stable")]
            examples: list[str] = []
            for i in order:
                text = texts.iloc[i]
                if isinstance(text, str) and text not in examples:
                    examples.append(text)
                if len(examples) >= n_examples:
                    break
            rows.append({"topic": k + 1, "label": self.label(k), "top_words": " · ".join(self.words[k][:n_words]),
                         "comments": len(members),
                         "share": len(members) / assigned.sum() if assigned.any() else float("nan"),
                         "examples": " / ".join(examples)})
        return pd.DataFrame(rows).sort_values("comments", ascending=False).reset_index(drop=True)


def _fit_nmf(x: Any, k: int, random_state: int, max_iter: int = 400) -> NMF:
    """NMF with NNDSVD initialisation; when that does not converge (on a few, often repeated
    comments the zeros of NNDSVD can keep coordinate descent from settling), refit from
    NNDSVDa (the zeros filled with the mean), which does, so no ConvergenceWarning reaches
    the report. The fit with the lower reconstruction error is kept."""
    from sklearn.exceptions import ConvergenceWarning

    fits = []
    for init in ("nndsvd", "nndsvda"):
        nmf = NMF(n_components=k, init=init, random_state=random_state, max_iter=max_iter)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            nmf.fit(x)
        converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
        for w in caught:
            if not issubclass(w.category, ConvergenceWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if converged:
            return nmf
        fits.append(nmf)
    return min(fits, key=lambda m: m.reconstruction_err_)


def fit_topics(tokens: Sequence[Sequence[str]], n_topics: int = 8, *, min_df: int = 3,
               max_df: float = 0.5, max_features: int = 5000, n_top_words: int = 10,
               fit_sample: int = 20000, random_state: int = 0) -> Topics:
    """NMF topics of tokenised comments (TF-IDF, sublinear tf, NNDSVD initialisation).

    The factorisation is fitted on at most ``fit_sample`` comments (a seeded sample), so
    frequent comments weigh as often as they are written, and applied to all. A comment gets the topic of its largest weight, or -1 when it has no
    word of the vocabulary. With fewer usable comments than ``n_topics`` there are no topics.
    """
    n = len(tokens)
    has_words = np.array([len(t) > 0 for t in tokens], dtype=bool)
    empty = Topics([], np.zeros((n, 0)), np.full(n, -1), float("nan"))
    if has_words.sum() < max(n_topics * 3, min_df):
        return empty
    rng = np.random.default_rng(random_state)
    candidates = np.flatnonzero(has_words)
    fit_idx = candidates if len(candidates) <= fit_sample else np.sort(rng.choice(candidates, fit_sample, replace=False))
    try:
        vectorizer, x_fit = _tfidf([tokens[i] for i in fit_idx], min_df, max_features, max_df)
    except ValueError:
        return empty
    k = min(n_topics, x_fit.shape[1] - 1, x_fit.shape[0] - 1)
    if k < 2:
        return empty
    nmf = _fit_nmf(x_fit, k, random_state)
    x_all = vectorizer.transform(tokens)
    weights = nmf.transform(x_all)
    terms = vectorizer.get_feature_names_out()
    words = [[str(terms[j]) for j in np.argsort(-row)[:n_top_words]] for row in nmf.components_]
    assignment = np.where(weights.max(axis=1) > 0, weights.argmax(axis=1), -1)
    return Topics(words, weights, assignment, float(nmf.reconstruction_err_))
