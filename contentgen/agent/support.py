"""The model path's support check: a model sentence stands only on what its sources say.

The claim checks (`contentgen.agent.verify`) read numbers, promises and ad-law words. A small model also writes
sentences with none of them ("Matcha is available in all the boxes." to a P.O. box question), so a model sentence
must besides, by the `support` section of the language pack,

* be made mostly of words its sources hold: of its content words (not the pack's stop words, numbers or single
  Chinese characters), at least `min_share` must be in the cited records, the quoted policies or the shopper's
  question (English words by stem or a shared five-letter start, Chinese words as written in the sources, since
  jieba may cut a record differently from a sentence);
* back every quantifier or promise word (`universal`: all, every, always, free, 所有, 一律 …): the records or the
  policies use the same word within `window` content words of what the sentence says it of (the content word after
  it, or before it at the end of a sentence): "free on orders of $45" backs "free on orders", not "free samples";
* back availability (`available`: available, in stock, 有货 …) by a cited record in stock and the opposite
  (`unavailable`) by one out of stock, or else the sources saying it of the same thing.
* say something: a fragment with no content word and no figure ("MORE:", "1.", "Sure, here it is:") is filler;
  it never stands for the answer, so a draft made only of such fragments falls back to the offline answer;
* not flip its source: when one source sentence holds most of its content words (at least three, and
  `min_share` of them), the two agree on negation (`negations`: not, can't, never, 不, 无法 …): "Expedited can be
  delivered to P.O. boxes" is not what "Expedited and Overnight can't be delivered to P.O. boxes." says.

Sources are cut into words once per set of cited records; a sentence costs one cut and a few set look-ups.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from contentgen.agent.lang import FLAGS, Language
from contentgen.domain.product import Product
from contentgen.text.sentences import split_sentences
from contentgen.text.words import Word, stem, words

__all__ = ["Sources", "Support", "support_for"]

_PREFIX = 5
_LINES = re.compile(r"\n|\s\|\s")  # a policy's lines and table cells, a record's fields (` | ` in `_record`)
_ENUMERATOR = re.compile(r"^\s*(?:\d{1,2}[.)]|[a-z]\))\s*", re.IGNORECASE)  # "1. …", "a) …": a list mark


def _key(word: Word) -> str:
    return word.text if word.han else stem(word.text)


@dataclass(frozen=True)
class _Words:
    stop: frozenset[str]

    def content(self, text: str) -> list[Word]:
        """The words of `text` that can say something: no numbers, stop words or single Chinese characters."""
        kept = []
        for word in words(text):
            if word.number or word.text in self.stop or (word.han and len(word.text) < 2):
                continue
            if not word.han and (len(word.text) < 2 or stem(word.text) in self.stop):
                continue
            kept.append(word)
        return kept


class Sources:
    """What a sentence may stand on: the text, its content words in order, and their stems for look-ups."""

    def __init__(self, text: str, vocabulary: _Words, *, sentences: bool = True) -> None:
        self.text = text
        self.lowered = text.lower()
        self.words = vocabulary.content(text)
        self._starts = [w.start for w in self.words]
        self.keys = {_key(w) for w in self.words if not w.han}
        self.prefixes = {k[:_PREFIX] for k in self.keys if len(k) >= _PREFIX}
        # each source sentence (a policy line, a record field) on its own, for the negation check
        self.sentences = (
            [Sources(s, vocabulary, sentences=False) for line in _LINES.split(text) for s in split_sentences(line)]
            if sentences
            else []
        )

    def holds(self, word: Word) -> bool:
        if word.han:
            return word.text in self.lowered
        key = stem(word.text)
        return key in self.keys or (len(key) >= _PREFIX and key[:_PREFIX] in self.prefixes)

    def says(self, pattern: re.Pattern[str], scope: Word | None, window: int) -> bool:
        """Whether the text says `pattern` of `scope` (within `window` content words of it; anywhere if None)."""
        for match in pattern.finditer(self.text):
            if scope is None:
                return True
            at = bisect.bisect_left(self._starts, match.start())
            near = self.words[max(0, at - window) : at + window + 1]
            if not near:
                continue
            if scope.han:
                if scope.text in self.lowered[near[0].start : near[-1].end]:
                    return True
            elif any(_same(scope, w) for w in near):
                return True
        return False


def _same(one: Word, other: Word) -> bool:
    a, b = stem(one.text), stem(other.text)
    return a == b or (len(a) >= _PREFIX and len(b) >= _PREFIX and a[:_PREFIX] == b[:_PREFIX])


class Support:
    """The support check of one language pack (patterns compiled once)."""

    def __init__(self, language: Language) -> None:
        pack = language.pack.support
        self.min_share, self.window = pack.min_share, pack.window
        stop = {w.lower() for w in (*language.pack.stopwords, *pack.stopwords)}
        self.vocabulary = _Words(frozenset(stop | {stem(w) for w in stop}))
        self.universal = [re.compile(p, FLAGS) for p in pack.universal]
        self.available = [re.compile(p, FLAGS) for p in pack.available]
        self.unavailable = [re.compile(p, FLAGS) for p in pack.unavailable]
        self.negation = re.compile("|".join(f"(?:{p})" for p in pack.negations), FLAGS) if pack.negations else None

    def sources(self, text: str) -> Sources:
        return Sources(text, self.vocabulary)

    def says_something(self, sentence: str) -> bool:
        """Whether `sentence` has a content word or a figure (a list mark like "1." is neither)."""
        body = _ENUMERATOR.sub("", sentence, count=1)
        return bool(self.vocabulary.content(body)) or any(w.number for w in words(body))

    def check(self, sentence: str, sources: Sources, question: Sources, products: Sequence[Product]) -> list[str]:
        """Why `sentence` is not supported by `sources` (the cited records and policies) and the question."""
        content = self.vocabulary.content(sentence)
        reasons = []
        if content:
            missing = [w.text for w in content if not sources.holds(w) and not question.holds(w)]
            share = 1 - len(missing) / len(content)
            if share < self.min_share:
                reasons.append(f"unsupported: {', '.join(_unique(missing))} not in the cited records or the policies")
        for pattern in self.universal:
            reasons += self._backed(pattern, sentence, content, sources, None)
        in_stock = any(p.stock > 0 for p in products)
        sold_out = any(p.stock <= 0 for p in products)
        for pattern in self.unavailable:
            reasons += self._backed(pattern, sentence, content, sources, sold_out, "no cited record is out of stock")
        for pattern in self.available:
            if not any(p.search(sentence) for p in self.unavailable):  # "not available" is the claim above
                reasons += self._backed(pattern, sentence, content, sources, in_stock, "no cited record is in stock")
        if content and self.negation is not None:
            reasons += self._flipped(sentence, content, sources)
        return reasons

    def _flipped(self, sentence: str, content: Sequence[Word], sources: Sources) -> list[str]:
        """The source sentence that says most of what `sentence` says, if it says the opposite (negation)."""
        assert self.negation is not None
        scored = [(sum(s.holds(w) for w in content), s) for s in sources.sentences]
        best = max((n for n, _ in scored), default=0)
        if best < 3 or best < self.min_share * len(content):
            return []
        negated = bool(self.negation.search(sentence))
        closest = [s for n, s in scored if n == best]
        if any(bool(self.negation.search(s.text)) == negated for s in closest):
            return []
        return [f"unsupported: says the opposite of '{closest[0].text[:80]}'"]

    def _backed(
        self,
        pattern: re.Pattern[str],
        sentence: str,
        content: Sequence[Word],
        sources: Sources,
        record: bool | None,
        why: str = "",
    ) -> list[str]:
        match = pattern.search(sentence)
        if match is None or record:
            return []
        scope = _scope(content, match.start(), match.end())
        if sources.says(pattern, scope, self.window):
            return []
        said = match.group(0) + (f" … {scope.text}" if scope else "")
        if record is not None:
            return [f"unsupported: '{said}': {why} and the policies do not say it"]
        return [f"unsupported: '{said}' is not said in the cited records or the policies"]


def _scope(content: Sequence[Word], start: int, end: int) -> Word | None:
    """What a claim word is said of: the next content word after it, or the one before it at the end."""
    after = [w for w in content if w.start >= end]
    if after:
        return after[0]
    before = [w for w in content if w.end <= start]
    return before[-1] if before else None


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


@functools.cache
def support_for(language: Language) -> Support:
    """The support check of `language` (one per loaded pack)."""
    return Support(language)
