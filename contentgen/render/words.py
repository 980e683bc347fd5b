"""Chinese word segmentation for line breaking: a private jieba tokenizer per set of kit terms.

``words(terms)`` returns a ``WordBreaker`` whose jieba ``Tokenizer`` is a private instance (the global
``jieba`` dictionary is never touched, so one kit's product names do not leak into another's) with
``terms`` (product names, brand names, catalog terms) added as words. Breakers are cached per term set;
the base dictionary ships with jieba and loads once per breaker (about a second).

``WordBreaker.inside(text)`` lists the positions ``i`` with ``0 < i < len(text)`` that fall inside a
word of two or more Han characters: a line break there would split the word. The line breaker in
``contentgen.render.typography`` never breaks at those positions unless the word alone is wider than
the line (then it says so in ``Lines.broke_word``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contentgen.domain.brand import BrandKit
    from contentgen.domain.product import Product

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")


class Segmenter:
    """No words: every position between characters is open (``NO_WORDS``, for character-level setting)."""

    def inside(self, text: str) -> set[int]:
        """Positions inside a word: none."""
        return set()


#: Breaks between any characters the kinsoku rules allow, as before word-aware breaking.
NO_WORDS = Segmenter()


class WordBreaker(Segmenter):
    """Word positions from a private jieba tokenizer with extra terms (see the module docstring)."""

    def __init__(self, terms: Iterable[str] = ()) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)  # it announces loading its dictionary at INFO
        self.terms = tuple(sorted({t.strip() for t in terms if t and _HAN.search(t)}))
        self.tokenizer: Any = jieba.Tokenizer()
        self.tokenizer.initialize()
        for term in self.terms:
            # whole terms, and their space-free Han parts (a product name "积雪草 修护 精华" keeps each part)
            for part in {term, *_HAN_RUN.findall(term)}:
                if len(part) >= 2 and " " not in part:
                    self.tokenizer.add_word(part, freq=max(1000, self.tokenizer.suggest_freq(part)))
        self._cache: dict[str, tuple[str, ...]] = {}

    def cut(self, text: str) -> tuple[str, ...]:
        """``text`` as jieba words (no HMM guessing, so the result only depends on the dictionary)."""
        hit = self._cache.get(text)
        if hit is None:
            hit = tuple(self.tokenizer.lcut(text, HMM=False)) if _HAN.search(text) else (text,)
            if len(self._cache) < 20_000:
                self._cache[text] = hit
        return hit

    def inside(self, text: str) -> set[int]:
        """Positions inside a word of two or more Han characters (a break there splits the word)."""
        out: set[int] = set()
        if not _HAN_RUN.search(text):
            return out
        pos = 0
        for word in self.cut(text):
            if len(word) >= 2 and _HAN.search(word):
                for k in range(1, len(word)):
                    if _HAN.match(word[k - 1]) and _HAN.match(word[k]):
                        out.add(pos + k)
            pos += len(word)
        return out


@lru_cache(maxsize=16)
def words(terms: frozenset[str] = frozenset()) -> WordBreaker:
    """The breaker for this set of terms (cached, one per kit)."""
    return WordBreaker(terms)


def default_words() -> WordBreaker:
    """The breaker with jieba's own dictionary only."""
    return words(frozenset())


def kit_terms(kit: BrandKit, products: Iterable[Product] = ()) -> frozenset[str]:
    """Words a kit's text must never be broken inside: brand names, product names, categories, ingredients, tags."""
    terms = {kit.name, kit.short_name or ""}
    for product in products:
        terms.update((product.name, product.category, *product.ingredients, *product.tags))
    return frozenset(t for t in terms if t)


def kit_words(kit: BrandKit, products: Iterable[Product] = ()) -> WordBreaker:
    """The cached breaker for a kit and its catalog."""
    return words(kit_terms(kit, products))
