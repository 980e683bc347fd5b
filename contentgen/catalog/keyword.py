"""The keyword leg of retrieval: tokenisation (jieba for Chinese, words for English) and a BM25 index.

Local Chroma has no BM25, so the store builds this index from the records it holds and keeps it per
catalog revision. Chinese runs are cut with ``jieba.lcut_for_search`` and also into overlapping character
bigrams: jieba may cut the same phrase differently in a question and in a product ("敏感肌洁面" vs
"洁面乳"), and the bigrams still meet. Stop words and small talk (你好, 请问, 推荐一下, hi, please …) are
dropped from both sides. A second index, the grams leg, holds overlapping character 2- and 3-grams
(`char_ngrams`); questions are read through `normalize_query` (NFKC, traditional → simplified, unit words).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from contentgen.text.words import jieba_cutter

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "STOP_WORDS",
    "KeywordIndex",
    "char_ngrams",
    "content_text",
    "has_han",
    "normalize_query",
    "normalize_text",
    "strip_small_talk",
    "tokenize",
]

# Phrases that carry no product meaning; removed from the text before it is cut, longest first.
SMALL_TALK_ZH = (
    "你好", "您好", "哈喽", "嗨", "请问", "请教", "麻烦", "谢谢", "多谢", "感谢", "推荐一下", "推荐下", "推荐",
    "介绍一下", "介绍下", "有没有", "有什么", "有哪些", "有吗", "什么样的", "什么", "哪些", "哪个", "哪款", "哪种",
    "帮我", "帮忙", "给我", "我想要", "我想买", "想买", "我想", "我要", "想要", "需要", "一下", "一款", "一个",
    "一些", "这个", "那个", "这款", "那款", "可以", "能不能", "可不可以", "是不是", "怎么样", "好不好", "好用吗",
    "亲", "客服", "东西", "商品", "产品", "宝贝", "怎么办", "怎么", "怎样", "如何", "为什么", "多少钱", "多少",
    "多久", "是否", "能否",
)  # fmt: skip
# Single characters that end or glue a phrase; a Chinese run is split at them.
PARTICLES_ZH = "的吗呢吧啊呀嘛哦"
_EN_STOP = (
    "a an the and or but if of to in on at for from by with without about as is are was were be been being am "
    "do does did have has had i me my we our you your it its this that these those there here what which who "
    "whom how why when where can could would should will shall may might must some any anything something "
    "please pls hi hello hey thanks thank recommend recommendation suggest suggestion show find looking look "
    "want need get buy like just also very really good best nice product products item items one ones thing "
    "things us them they he she his her tell know let got yes no not"
)
STOP_WORDS_EN = frozenset(_EN_STOP.split())
STOP_WORDS = STOP_WORDS_EN | set(SMALL_TALK_ZH) | set(PARTICLES_ZH) | set("请我你您他她有是在了和与及或")

_SMALL_TALK = re.compile("|".join(sorted(map(re.escape, SMALL_TALK_ZH), key=len, reverse=True)))
_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[A-Za-z0-9]+(?:['.][A-Za-z0-9]+)*")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_SPLIT_PARTICLES = re.compile(f"[{PARTICLES_ZH}]")


def _cutter() -> Any:
    """The shared private jieba tokenizer (`contentgen.text.words.jieba_cutter`): one dictionary load per process."""
    return jieba_cutter()


@functools.cache
def _t2s() -> object | None:
    try:
        import opencc

        return opencc.OpenCC("t2s")
    except (ImportError, RuntimeError):  # the optional converter is missing: text stays as written
        return None


def normalize_text(text: str) -> str:
    """NFKC (ＱＨ－ＳＵＮ－００８ → QH-SUN-008, full-width punctuation kept as the language packs expect it) and
    traditional → simplified Chinese (積雪草舒緩保濕水 → 积雪草舒缓保湿水)."""
    # NFKC would also turn Chinese punctuation （ ） ： ， ！ ？ into ASCII; keep those as they are.
    keep = {"（": "\0a", "）": "\0b", "：": "\0c", "，": "\0d", "！": "\0e", "？": "\0f", "；": "\0g"}
    for char, mark in keep.items():
        text = text.replace(char, mark)
    text = unicodedata.normalize("NFKC", text)
    for char, mark in keep.items():
        text = text.replace(mark, char)
    if _HAN.search(text):
        converter = _t2s()
        if converter is not None:
            text = converter.convert(text)  # type: ignore[attr-defined]
    return text


# Unit words after a number, written as catalogs write them: 30毫升 → 30ml, 500克 → 500g, 1公斤 → 1kg.
_UNITS = (("毫升", "ml"), ("千克", "kg"), ("公斤", "kg"), ("克", "g"), ("升", "l"))
_UNIT = re.compile(r"(\d+(?:\.\d+)?)\s*(" + "|".join(word for word, _ in _UNITS) + ")")


def normalize_query(text: str) -> str:
    """A question as the search reads it: `normalize_text`, then unit words after numbers as catalog units."""
    units = dict(_UNITS)
    return _UNIT.sub(lambda m: m.group(1) + units[m.group(2)], normalize_text(text))


def strip_small_talk(text: str) -> str:
    """The text with Chinese small-talk phrases replaced by spaces."""
    return _SMALL_TALK.sub(" ", text)


def _stem(word: str) -> str:
    """A light English stemmer: plural and possessive endings only, enough for product words."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if (len(word) > 3 and word.endswith("es") and word[-3] in "sxz") or word.endswith(("ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Search terms of a text: jieba words and character bigrams for Chinese, stemmed lower-case English words."""
    return list(_terms(text))


@functools.lru_cache(maxsize=1 << 16)
def _terms(text: str) -> tuple[str, ...]:
    # Cached: catalogs repeat field values (tags, attribute values, categories) across many products.
    terms: list[str] = []
    for run in _RUNS.findall(strip_small_talk(text)):
        if _HAN.match(run):
            for piece in _SPLIT_PARTICLES.split(run):
                if not piece:
                    continue
                words = [w for w in _cutter().lcut_for_search(piece) if w not in STOP_WORDS]
                seen = set(words)
                bigrams = [b for b in (piece[i : i + 2] for i in range(len(piece) - 1)) if b not in seen]
                terms += words + [b for b in bigrams if b not in STOP_WORDS]
        else:
            word = run.lower()
            if word not in STOP_WORDS_EN:
                terms.append(_stem(word))
    return tuple(terms)


def has_han(text: str) -> bool:
    """Whether the text holds a Chinese character."""
    return bool(_HAN.search(text))


def char_ngrams(text: str) -> list[str]:
    """Terms of the character n-gram leg: overlapping 2- and 3-grams of each Chinese stretch, words elsewhere.

    Marketplace titles run brand, series, noun and selling points together ("青禾积雪草修护精华液30ml"), which
    jieba cuts differently from a short question; character grams meet whatever the cut, and a typo costs only
    the grams it touches. Text is normalised (NFKC, simplified) and lower-cased first.
    """
    return list(_ngrams(text))


@functools.lru_cache(maxsize=1 << 16)
def _ngrams(text: str) -> tuple[str, ...]:
    terms: list[str] = []
    for run in _RUNS.findall(strip_small_talk(normalize_text(text))):
        if _HAN.match(run):
            for piece in _SPLIT_PARTICLES.split(run):
                if len(piece) == 1:
                    if piece not in STOP_WORDS:
                        terms.append(piece)
                    continue
                terms += [piece[i : i + 2] for i in range(len(piece) - 1)]
                terms += [piece[i : i + 3] for i in range(len(piece) - 2)]
        else:
            word = run.lower()
            if word not in STOP_WORDS_EN:
                terms.append(_stem(word))
    return tuple(terms)


@dataclass
class KeywordIndex:
    """BM25 (k1=1.2, b=0.75) over tokenised documents, as term → (document rows, weights) postings."""

    vocabulary: dict[str, int]
    offsets: np.ndarray  # postings of term t are rows[offsets[t]:offsets[t + 1]]
    rows: np.ndarray
    weights: np.ndarray
    size: int

    K1 = 1.2
    B = 0.75

    @classmethod
    def build(cls, documents: Iterable[Sequence[str]]) -> KeywordIndex:
        """Index documents given as term lists; a document's row is its position."""
        import numpy as np

        vocabulary: dict[str, int] = {}
        doc_rows: list[int] = []
        term_ids: list[int] = []
        counts: list[int] = []
        lengths: list[int] = []
        for row, terms in enumerate(documents):
            tf: dict[int, int] = {}
            for term in terms:
                term_id = vocabulary.setdefault(term, len(vocabulary))
                tf[term_id] = tf.get(term_id, 0) + 1
            doc_rows += [row] * len(tf)
            term_ids += tf.keys()
            counts += tf.values()
            lengths.append(len(terms))
        size = len(lengths)
        rows_arr = np.asarray(doc_rows, dtype=np.int32)
        terms_arr = np.asarray(term_ids, dtype=np.int64)
        tf_arr = np.asarray(counts, dtype=np.float32)
        length = np.asarray(lengths, dtype=np.float32)
        average = float(length.mean()) if size and length.mean() > 0 else 1.0
        df = np.bincount(terms_arr, minlength=len(vocabulary)).astype(np.float64)
        idf = np.log1p((size - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = cls.K1 * (1 - cls.B + cls.B * length[rows_arr] / average)
        weights = idf[terms_arr] * tf_arr * (cls.K1 + 1) / (tf_arr + norm)
        order = np.argsort(terms_arr, kind="stable")
        offsets = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(np.bincount(terms_arr, minlength=len(vocabulary)), out=offsets[1:])
        return cls(vocabulary, offsets, rows_arr[order], weights[order].astype(np.float32), size)

    def score(self, terms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """BM25 score of every document, and the share of the distinct query terms each one contains."""
        import numpy as np

        scores = np.zeros(self.size, dtype=np.float32)
        matched = np.zeros(self.size, dtype=np.float32)
        unique = list(dict.fromkeys(terms))
        for term in unique:
            term_id = self.vocabulary.get(term)
            if term_id is None:
                continue
            start, end = self.offsets[term_id], self.offsets[term_id + 1]
            rows = self.rows[start:end]
            scores[rows] += self.weights[start:end]
            matched[rows] += 1
        return scores, matched / max(len(unique), 1)

    def top(self, terms: Sequence[str], n: int, mask: np.ndarray | None = None) -> list[tuple[int, float, float]]:
        """The best `n` (row, bm25, coverage) allowed by `mask`, best first; rows matching no term are left out."""
        import numpy as np

        scores, coverage = self.score(terms)
        keep = scores > 0
        if mask is not None:
            keep &= mask
        candidates = np.flatnonzero(keep)
        if len(candidates) > n:
            candidates = candidates[np.argpartition(-scores[candidates], n - 1)[:n]]
        # Best score first; ties by catalog order, so results are stable.
        ordered = candidates[np.lexsort((candidates, -scores[candidates]))]
        return [(int(r), float(scores[r]), float(coverage[r])) for r in ordered]

    def arrays(self, prefix: str = "") -> dict[str, np.ndarray]:
        """Everything needed to rebuild the index, as plain arrays (for a cache file), keys after `prefix`."""
        import numpy as np

        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        return {
            f"{prefix}terms": np.asarray(terms, dtype=str),
            f"{prefix}offsets": self.offsets,
            f"{prefix}rows": self.rows,
            f"{prefix}weights": self.weights,
            f"{prefix}size": np.asarray([self.size]),
        }

    @classmethod
    def from_arrays(cls, data: Any, prefix: str = "") -> KeywordIndex:
        vocabulary = {str(t): i for i, t in enumerate(data[f"{prefix}terms"].tolist())}
        return cls(
            vocabulary,
            data[f"{prefix}offsets"],
            data[f"{prefix}rows"],
            data[f"{prefix}weights"],
            int(data[f"{prefix}size"][0]),
        )


def content_text(text: str) -> str:
    """The text without small talk or English stop words: what the dense leg embeds for a question."""
    words = strip_small_talk(text).split()
    return " ".join(w for w in words if w.strip(".,!?;:'\"").lower() not in STOP_WORDS_EN)
