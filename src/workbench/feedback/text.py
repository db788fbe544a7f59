"""Comment text: language detection, word segmentation (jieba) and English tokens, stop words.

Chinese comments are cut with jieba, using a customer-service user dictionary shipped in
``workbench/lexicon/cs_userdict.txt`` (物流信息, 七天无理由, 答非所问, ...). Analysts extend it
with ``Segmenter(user_words=[...])`` or ``Segmenter(user_dict="my_dict.txt")`` (jieba's
format: ``word [frequency] [part of speech]`` per line). The segmenter keeps its own jieba
tokenizer, so the global ``jieba.dt`` is never changed, logs only at INFO and never calls
``jieba.enable_paddle()`` (it would ``pip install`` at run time).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "LANGUAGES",
    "NEGATORS_EN",
    "NEGATORS_ZH",
    "Segmenter",
    "default_segmenter",
    "detect_language",
    "detect_languages",
    "english_tokens",
    "mark_negation",
    "stopwords",
]

#: Language labels of :func:`detect_language`.
LANGUAGES = ("zh", "en", "mixed", "empty")

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
#: One Latin word weighs as much as this many hanzi when the two are compared (an English word
#: carries about as much meaning as a two-character Chinese word; single letters are ignored).
LATIN_WORD_WEIGHT = 1.5
#: English share (by weight) below which a comment is Chinese, and above which it is English.
ZH_BELOW, EN_ABOVE = 0.4, 0.8


def detect_language(text: object) -> str:
    """``"zh"``, ``"en"``, ``"mixed"`` or ``"empty"`` for one comment.

    Counts hanzi and Latin words of two or more letters (one word weighing
    ``LATIN_WORD_WEIGHT`` hanzi). English weight share below 0.4 is Chinese (``APP太卡了``
    stays Chinese), above 0.8 English, in between mixed. Text without hanzi or Latin words
    (blank, digits, punctuation, emoji) is ``"empty"``.
    """
    if not isinstance(text, str):
        return "empty"
    n_cjk = len(_CJK_CHAR.findall(text))
    n_latin = len(_LATIN_WORD.findall(text))
    return _classify(np.array([n_cjk]), np.array([n_latin]))[0]


def _classify(n_cjk: np.ndarray, n_latin: np.ndarray) -> np.ndarray:
    weight_en = n_latin * LATIN_WORD_WEIGHT
    total = n_cjk + weight_en
    share = np.divide(weight_en, total, out=np.zeros(len(total)), where=total > 0)
    out = np.where(share < ZH_BELOW, "zh", np.where(share > EN_ABOVE, "en", "mixed"))
    return np.where(total == 0, "empty", out).astype(object)


def detect_languages(texts: pd.Series | Sequence[object]) -> pd.Series:
    """:func:`detect_language` for many comments at once (vectorised), same index."""
    series = pd.Series(texts) if not isinstance(texts, pd.Series) else texts
    text = series.astype("string").fillna("")
    n_cjk = text.str.count(f"[{_CJK}]").to_numpy(dtype=float)
    n_latin = text.str.count(r"[A-Za-z]{2,}").to_numpy(dtype=float)
    return pd.Series(_classify(n_cjk, n_latin), index=series.index, name="language", dtype=object)


# ------------------------------------------------------------------------------ stop words


def _read_list(name: str) -> list[str]:
    raw = (files("workbench") / "lexicon" / name).read_text(encoding="utf-8")
    return [ln.strip() for ln in raw.splitlines() if ln.strip() and not ln.startswith("#")]


@cache
def stopwords(language: str = "zh") -> frozenset[str]:
    """Stop words for keywords and topics: ``"zh"`` (shipped list), ``"en"`` (scikit-learn's
    English list plus a few contraction stems), ``"all"`` (both)."""
    if language == "all":
        return stopwords("zh") | stopwords("en")
    if language == "zh":
        return frozenset(_read_list("stopwords_zh.txt"))
    if language == "en":
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        return frozenset(ENGLISH_STOP_WORDS) | frozenset(_read_list("stopwords_en.txt"))
    raise ValueError(f"language must be 'zh', 'en' or 'all', got {language!r}")


# ------------------------------------------------------------------------------ tokens

_EN_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_PUNCT = re.compile(r"^[\s，。！？、；：,.!?;:~～…（）()\[\]【】“”\"'—\-]+$")

#: Words that open a negation scope, which runs to the next punctuation mark.
NEGATORS_ZH = frozenset({
    "不", "没", "没有", "无", "未", "别", "非", "不是", "不太", "不够", "不会", "不能", "毫无",
    "并不", "绝不", "从不", "不再", "从来不", "从来没有", "没什么", "不怎么",
})
NEGATORS_EN = frozenset({
    "not", "no", "never", "nothing", "nobody", "none", "neither", "nor", "without", "hardly",
    "barely", "cannot", "can't", "don't", "didn't", "doesn't", "isn't", "wasn't", "aren't",
    "weren't", "won't", "wouldn't", "couldn't", "shouldn't", "haven't", "hasn't", "n't",
})


def english_tokens(text: str) -> list[str]:
    """Lower-case English word tokens (``didn't`` kept whole, punctuation kept as ``.``).

    Punctuation marks are kept as tokens so that :func:`mark_negation` can end a scope at
    them; :meth:`Segmenter.tokens` drops them for keywords and topics.
    """
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?|[.,!?;:]", text.lower())


def mark_negation(tokens: Sequence[str]) -> list[str]:
    """Prefix ``NOT_`` to the words between a negator and the next punctuation mark.

    ``["不", "方便", "，", "下次"]`` -> ``["不", "NOT_方便", "，", "下次"]``. Used for the
    word features of the sentiment model, where "不 ... 方便" must not count as "方便".
    """
    out: list[str] = []
    negated = False
    for token in tokens:
        if _PUNCT.match(token):
            negated = False
            out.append(token)
        elif token in NEGATORS_ZH or token in NEGATORS_EN:
            negated = True
            out.append(token)
        else:
            out.append("NOT_" + token if negated else token)
    return out


def _read_user_dict(path) -> list[tuple[str, int | None, str | None]]:
    source = path if hasattr(path, "read_text") else Path(path)
    if isinstance(source, Path) and not source.is_file():
        raise FileNotFoundError(f"user dictionary {source} does not exist")
    entries = []
    for line in source.read_text(encoding="utf-8-sig").splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        rest = parts[2:] if freq is not None else parts[1:]
        entries.append((parts[0], freq, rest[0] if rest else None))
    return entries


class Segmenter:
    """Word segmentation for Chinese and English comments with an extensible dictionary.

    Parameters
    ----------
    user_words
        Extra words for jieba (e.g. product names, 以旧换新), added to the shipped
        customer-service dictionary.
    user_dict
        A file in jieba's user-dictionary format, added as well.
    base_dict
        Load the shipped customer-service dictionary (``workbench/lexicon/cs_userdict.txt``).
    hmm
        Let jieba guess words missing from its dictionaries (slower, better on names).
    """

    def __init__(self, user_words: Iterable[str] = (), user_dict: str | Path | None = None,
                 *, base_dict: bool = True, hmm: bool = True):
        import jieba

        jieba.setLogLevel(logging.INFO)
        self.user_words = tuple(user_words)
        self.user_dict = user_dict
        self.base_dict = base_dict
        self.hmm = hmm
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        entries = _read_user_dict(files("workbench") / "lexicon" / "cs_userdict.txt") if base_dict else []
        if user_dict is not None:
            entries += _read_user_dict(user_dict)
        entries += [(w, None, None) for w in self.user_words]
        for word, freq, tag in entries:
            self._jieba.add_word(word, freq, tag)

    def cut(self, text: str) -> list[str]:
        """All tokens of one comment, punctuation included (English lower-cased)."""
        if not isinstance(text, str) or not text:
            return []
        if not _CJK_CHAR.search(text):
            return english_tokens(text)
        out = []
        for token in self._jieba.lcut(text, HMM=self.hmm):
            token = token.strip()
            if token:
                out.append(token.lower() if token.isascii() else token)
        return out

    def cut_many(self, texts: Sequence[object]) -> list[list[str]]:
        """:meth:`cut` for many comments; each distinct text is cut once."""
        series = pd.Series(list(texts), dtype=object)
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        cut = [self.cut(u) for u in uniques]
        return [cut[c] if c >= 0 else [] for c in codes]

    def tokens(self, text: str, *, drop_stopwords: bool = True, min_len_zh: int = 2) -> list[str]:
        """Content words for keywords and topics: no punctuation, digits or stop words.

        Chinese tokens shorter than ``min_len_zh`` characters (的, 很, 太) are dropped.
        """
        return _content(self.cut(text), drop_stopwords, min_len_zh)

    def tokens_many(self, texts: Sequence[object], *, drop_stopwords: bool = True,
                    min_len_zh: int = 2, cut: list[list[str]] | None = None) -> list[list[str]]:
        """:meth:`tokens` for many comments (or from their :meth:`cut_many` result ``cut``)."""
        cut = self.cut_many(texts) if cut is None else cut
        memo: dict[tuple[str, ...], list[str]] = {}
        out = []
        for tokens in cut:
            key = tuple(tokens)
            if key not in memo:
                memo[key] = _content(tokens, drop_stopwords, min_len_zh)
            out.append(memo[key])
        return out


def _content(tokens: Sequence[str], drop_stopwords: bool, min_len_zh: int) -> list[str]:
    stop = stopwords("all") if drop_stopwords else frozenset()
    out = []
    for token in tokens:
        if _PUNCT.match(token) or token.isdigit() or token in stop:
            continue
        if token.isascii():
            if len(token) < 2 or not any(c.isalpha() for c in token):
                continue
        elif len(token) < min_len_zh or not _CJK_CHAR.search(token):
            continue
        out.append(token)
    return out


@cache
def default_segmenter() -> Segmenter:
    """The shared segmenter with the shipped dictionary only (built once per process)."""
    return Segmenter()
