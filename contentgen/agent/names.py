"""Names as shoppers type them: Unicode normalisation (full-width letters and digits), traditional → simplified
Chinese (OpenCC), and a fuzzy fallback for typos, shortened names and a single distinctive word (rapidfuzz).

The thresholds are data (`agent/names.yaml`), calibrated on the agent's labelled sets by `contentgen.agent.calibrate`:
a fuzzy name must reach `fuzzy.latin` (Latin-script word similarity, 0–100) or `fuzzy.cjk` (alignment of a Chinese
name inside the message, 0–100) on a token or stretch no other product name shares; a token match (`NameMatcher`)
must carry `share` of the name's rarity-weighted tokens.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from contentgen.agent.name_thresholds import THRESHOLDS_FILE, NameThresholds, thresholds
from contentgen.agent.text import core_name, has_cjk
from contentgen.catalog.keyword import normalize_text

if TYPE_CHECKING:
    from contentgen.domain.product import Product

__all__ = [
    "CJK_RATIO",
    "LATIN_RATIO",
    "THRESHOLDS_FILE",
    "FuzzyNames",
    "NameThresholds",
    "normalize_text",
    "thresholds",
]

LATIN_RATIO = thresholds().fuzzy.latin
CJK_RATIO = thresholds().fuzzy.cjk
_WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_COMMON_EN = frozenset(
    [
        "the",
        "and",
        "with",
        "for",
        "set",
        "tea",
        "teas",
        "green",
        "black",
        "white",
        "oolong",
        "matcha",
        "cold",
        "brew",
        "gift",
        "pack",
        "tin",
        "box",
        "boxes",
        "pouch",
        "pouches",
        "tins",
        "bag",
        "bags",
        "jar",
        "bar",
        "bars",
        "sticks",
        "mini",
        "sets",
        "kit",
        "kits",
        "piece",
        "pieces",
        "cups",
        "of",
        "in",
        "a",
        "an",
    ]
)


class FuzzyNames:
    """Which product a message names when no exact or token match does: the best product whose distinctive word
    (Latin) or name stretch (Chinese) the message carries, misspelt or shortened."""

    def __init__(self, products: Iterable[Product] = (), categories: Iterable[str] = ()) -> None:
        self.products = {p.sku: p for p in products}
        self.categories = {c.lower() for c in categories}
        names = [core_name(p.name).lower() for p in self.products.values()]
        # A stretch of a name that many records use ("敏感肌" in 适用肤质) says nothing about which product is meant.
        self._texts = [
            " ".join([p.name, p.description, *p.attributes.values(), *p.tags]).lower() for p in self.products.values()
        ]
        self._df: Counter[str] = Counter(w for n in names for w in _name_words(n))
        self._names = names

    def _shared(self, stretch: str) -> int:
        return sum(stretch in n for n in self._names)

    def _product_word(self, run: str, name: str) -> float:
        """A two-character product word that ends this name and no other ("唇膜" for 蜂蜡夜间修护唇膜, "足霜" for
        燕麦柔润足霜), or is shortened from its end ("唇油" for 积雪草唇部精华油): scored as a two-character stretch."""
        ends = [core_name(p.name).lower() for p in self.products.values()]
        for start in range(len(run) - 1):
            word = run[start : start + 2]
            if word in self.categories or word[1] != name[-1] or word[0] not in name[:-1]:
                continue
            shortened = word not in name
            rivals = sum(n.endswith(word[1]) and word[0] in n[:-1] for n in ends) if shortened else self._shared(word)
            if rivals == 1 and sum(word in t for t in self._texts) <= 3:
                return 70.0 + 6.0 * 2 - (2.0 if shortened else 0.0)
        return 0.0

    def score(self, text: str, product: Product) -> float:
        """0–100: how surely `text` names `product` by a word or stretch only its name has."""
        from rapidfuzz import fuzz

        name = core_name(product.name).lower()
        lowered = text.lower()
        best = 0.0
        if has_cjk(name):
            for run in _CJK_RUN.findall(lowered):
                # the whole name, misspelt: align it inside the message
                if len(run) >= 4:
                    best = max(best, float(fuzz.partial_ratio(name, run)) if len(name) <= len(run) + 2 else 0.0)
                # a shortened name: the longest stretch the message shares with this name and no other
                size = len(run)
                for length in range(min(size, len(name)), 2, -1):
                    found = False
                    for start in range(size - length + 1):
                        stretch = run[start : start + length]
                        if (
                            stretch in name
                            and stretch not in self.categories
                            and self._shared(stretch) == 1
                            and sum(stretch in t for t in self._texts) <= 3
                        ):
                            best = max(best, min(100.0, 70.0 + 6.0 * length))
                            found = True
                            break
                    if found:
                        break
                if best < 70.0:  # no stretch of three or more: a two-character product word
                    best = max(best, self._product_word(run, name))
            return best
        # Romanised names are spaced as the shopper hears them ("tie guan yin", "gen mai cha") or run together
        # ("jinxuan" for Jin Xuan): the message's words are also tried two and three at a time, and the name's
        # adjacent words together.
        words = _WORD.findall(lowered)
        joined = ["".join(w) for n in (2, 3) for w in zip(*(words[i:] for i in range(n)), strict=False)]
        single = set(_WORD.findall(name))
        for token in _name_words(name):
            if len(token) < 5 or token in _COMMON_EN or self._df[token] != 1:
                continue
            # a name's own word against the message's words and their runs; two name words run together only
            # against one message word (else "black tea" would name Black Tea World Tour)
            for word in [*words, *joined] if token in single else words:
                if abs(len(word) - len(token)) <= 2:
                    best = max(best, float(fuzz.ratio(token, word)))
        return best

    def of_kind(self, text: str, stopwords: Iterable[str] = ()) -> list[Product]:
        """The products of the kind a message names by a product word rather than a name ("磨砂膏", "喷雾",
        "cheapest teapot"): those whose name holds the longest Chinese stretch of the message that any name holds
        (two characters at least; names that end with it first), or whose Latin head noun is a word of the
        message. Empty when none does."""
        lowered = text.lower()
        heads = {sku: _head(p.name) for sku, p in self.products.items()}
        for run in _CJK_RUN.findall(lowered):
            for length in range(len(run), 1, -1):
                for start in range(len(run) - length + 1):
                    stretch = run[start : start + length]
                    found = [p for sku, p in self.products.items() if heads[sku].endswith(stretch)]
                    found = found or [p for sku, p in self.products.items() if stretch in heads[sku]]
                    if found:
                        return found
        skip = {w.lower() for w in stopwords} | _COMMON_EN
        said = {w.rstrip("s") for w in _WORD.findall(lowered) if len(w) >= 3 and w not in skip}
        return [p for sku, p in self.products.items() if heads[sku] and heads[sku] in said]

    def best(
        self, text: str, products: Sequence[Product] = (), *, threshold: float | None = None
    ) -> tuple[Product, float] | None:
        """The product `text` most surely names, and its score, if one clears its threshold (agent/names.yaml, or
        `threshold`) and none ties it."""
        pool = list(products) or list(self.products.values())
        scored = sorted(((self.score(text, p), p) for p in pool), key=lambda s: -s[0])
        if not scored:
            return None
        top, product = scored[0]
        if threshold is None:
            threshold = thresholds().fuzzy.of(has_cjk(product.name))
        if top < threshold or (len(scored) > 1 and scored[1][0] >= top):
            return None
        return product, top


def _head(name: str) -> str:
    """What a product is, by its name: a Chinese name's part before any space ("防晒润唇膏 SPF15 PA+": 防晒润唇膏), a
    Latin name's last word before a comma, "with" or a bracket ("Glass Teapot with Infuser, 34 oz": teapot)."""
    lowered = core_name(name).lower()
    if has_cjk(lowered):
        return lowered.split(" ")[0]
    words = _WORD.findall(re.split(r",|\(|（|\bwith\b|\bfor\b", lowered)[0])
    return words[-1].rstrip("s") if words else ""


def _name_words(name: str) -> set[str]:
    """A Latin name's words, and each pair of adjacent words run together ("jinxuan" for "jin xuan")."""
    words = _WORD.findall(name)
    pairs = itertools.pairwise(words)
    return {*words, *(a + b for a, b in pairs if (len(a) <= 4 or len(b) <= 4) and not {a, b} & _COMMON_EN)}
