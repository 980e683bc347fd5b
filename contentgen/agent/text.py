"""Small text tools the agent shares: content terms for overlap scores, and finding which products a message
names (sentences are split by `contentgen.text.sentences`)."""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from contentgen.domain.product import Product

_CJK = re.compile(r"[\u3400-\u9fff]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[a-z][a-z'’]*[a-z]|\d+(?:\.\d+)?%?")
_SKU_LIKE = re.compile(r"\b[A-Z0-9]+(?:-[A-Z0-9]+)+\b")
# Words in product names that name no product in particular ("tea" in a tea shop, a pack size).
_GENERIC = frozenset(
    {"tea", "teas", "set", "oz", "pack", "ml"} | {"the", "and", "of", "with", "for", "in", "by", "from", "to"}
)


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def _stem(word: str) -> str:
    """A light English stemmer: plurals, -ing and -ed (shipping, shipped → ship), enough to match record words."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    for suffix in ("ing", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            stem = word[: -len(suffix)]
            return stem[:-1] if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz" else stem
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us")):
        return word[:-1]
    return word


def terms(text: str, stopwords: Iterable[str] = ()) -> set[str]:
    """Content terms: CJK bigrams (single characters for one-character runs), Latin words (lightly stemmed) and
    numbers, without stopwords."""
    lowered = text.lower()
    stops = sorted(stopwords, key=len, reverse=True)
    cjk_stops = [s for s in stops if has_cjk(s)]
    latin_stops = {s for s in stops if not has_cjk(s)}
    for stop in cjk_stops:
        lowered = lowered.replace(stop, " ")
    found: set[str] = set()
    for run in _CJK_RUN.findall(lowered):
        if len(run) == 1:
            found.add(run)
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    for word in _WORD.findall(lowered):
        word = word.replace("’", "'")
        if word in latin_stops or word.rstrip("s") in latin_stops:
            continue
        found.add(_stem(word))
    return found


def skus_in(text: str) -> list[str]:
    """SKU-shaped tokens (upper-case letters and digits joined by hyphens), in order."""
    return list(dict.fromkeys(_SKU_LIKE.findall(text)))


def core_name(name: str) -> str:
    """A product name without what follows its first comma or space-separated spec (SPF50+ PA++++, 20 Pack)."""
    cut = re.split(r",|\s+(?=SPF|PA\+|\d)|\s+with\s+", name, maxsplit=1)[0]
    return cut.strip() or name


@functools.lru_cache(maxsize=4096)
def name_tokens(name: str) -> frozenset[str]:
    """What identifies a product in a message: CJK bigrams of its name and its distinctive Latin words."""
    base = core_name(name).lower()
    found: set[str] = set()
    for run in _CJK_RUN.findall(base):
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    found.update(_stem(w) for w in re.findall(r"[a-z][a-z'-]*[a-z]", base) if w not in _GENERIC)
    return frozenset(found)


@dataclass(frozen=True)
class Mention:
    product: Product
    matched: frozenset[str]
    score: float
    position: int


class NameMatcher:
    """Which products a message names: by SKU, by full name, or by enough of the name's distinctive tokens.

    Tokens are weighted by how rare they are among the names the matcher knows (IDF), so "gooseneck kettle" names
    the Gooseneck Electric Kettle while "matcha" alone names none of seven matcha products.
    """

    def __init__(self, names: Iterable[str] = (), *, share: float | None = None) -> None:
        self.share = share  # a fixed share threshold for every name (calibration); None: agent/names.yaml
        self._df: Counter[str] = Counter()
        self._seen: set[str] = set()
        self.learn(names)

    def learn(self, names: Iterable[str]) -> None:
        """Count the tokens of names not seen before (the catalog's names at start, new hits as they come)."""
        for name in set(names) - self._seen:
            self._df.update(name_tokens(name))
            self._seen.add(name)

    def _weight(self, token: str) -> float:
        return math.log(1 + (len(self._seen) + 1) / (1 + self._df.get(token, 0)))

    def mentions(self, text: str, products: Sequence[Product]) -> list[Mention]:
        """Products of `products` that `text` names, in the order they appear.

        The most specific names claim their stretch of the text first; a name found only inside a stretch already
        claimed does not count (Earl Grey Cream inside "Cold Brew Earl Grey"), one found elsewhere does
        ("燕麦神经酰胺修护面霜和燕麦神经酰胺修护面霜替换装" names both)."""
        self.learn(p.name for p in products)
        lowered = text.lower()
        message = terms(lowered)
        candidates: list[tuple[Mention, list[tuple[int, int]]]] = []
        for product in products:
            name = core_name(product.name).lower()
            tokens = name_tokens(product.name)
            by_sku = _occurrences(lowered, product.sku.lower())
            by_name = _occurrences(lowered, name)
            if by_sku or by_name:  # named outright: it outranks any product whose name merely overlaps
                spans = sorted(by_sku + by_name)
                score = 2.0 if by_sku else 1.5
                candidates.append((Mention(product, tokens | {product.sku}, score, spans[0][0]), spans))
                continue
            if not tokens:
                continue
            matched = frozenset(t for t in tokens if t in message or (has_cjk(t) and t in lowered))
            if not matched:
                continue
            score = sum(self._weight(t) for t in matched) / sum(self._weight(t) for t in tokens)
            needed = self.share if self.share is not None else self.share_threshold(name)
            # A stretch every lip balm's name has (润唇膏) names a group, not a product: one matched token at least
            # must be this name's own, unless the whole name is there.
            own = matched == tokens or any(self._df.get(t, 0) <= 1 for t in matched)
            if score >= needed and own and (len(matched) >= 2 or len(tokens) == 1):
                window = _window(lowered, matched)
                candidates.append((Mention(product, matched, score, window[0]), [window]))
        claimed: list[tuple[int, int]] = []
        kept: list[Mention] = []
        for mention, spans in sorted(candidates, key=lambda c: (-len(c[0].matched), -c[0].score, c[0].position)):
            free = [s for s in spans if not any(a < s[1] and s[0] < b for a, b in claimed)]
            if not free:
                continue
            claimed.append(free[0])
            kept.append(Mention(mention.product, mention.matched, mention.score, free[0][0]))
        return sorted(kept, key=lambda m: (m.position, -m.score))

    @staticmethod
    def share_threshold(name: str) -> float:
        """The calibrated share of a name's weighted tokens a message must carry (agent/names.yaml)."""
        from contentgen.agent.name_thresholds import thresholds

        return thresholds().share.of(has_cjk(name))

    def strength(self, text: str, product: Product) -> float:
        """How much of `product`'s name the text carries, weighted by rarity (0 to 1)."""
        self.learn([product.name])
        tokens = name_tokens(product.name)
        if not tokens:
            return 0.0
        lowered = text.lower()
        message = terms(lowered)
        matched = [t for t in tokens if t in message or (has_cjk(t) and t in lowered)]
        return sum(self._weight(t) for t in matched) / sum(self._weight(t) for t in tokens)


def _occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    spans = []
    start = text.find(needle)
    while start >= 0:
        spans.append((start, start + len(needle)))
        start = text.find(needle, start + 1)
    return spans


def _window(text: str, tokens: Iterable[str]) -> tuple[int, int]:
    """The shortest stretch of `text` holding an occurrence of every token (tokens that do not occur skipped)."""
    places = {t: _occurrences(text, t) for t in tokens}
    places = {t: spans for t, spans in places.items() if spans}
    if not places:
        return (len(text), len(text))
    best: tuple[int, int] | None = None
    for anchor in min(places.values(), key=len):
        lo, hi = anchor
        for spans in places.values():
            nearest = min(spans, key=lambda s: abs(s[0] - anchor[0]))
            lo, hi = min(lo, nearest[0]), max(hi, nearest[1])
        if best is None or hi - lo < best[1] - best[0]:
            best = (lo, hi)
    assert best is not None
    return best


def overlap(question: set[str], candidate: set[str]) -> float:
    """Share of the candidate's terms found in the question, damped for one-term candidates."""
    if not candidate or not question:
        return 0.0
    shared = len(question & candidate)
    return shared / (len(candidate) + 1)
