"""Policy passages for offline answers: the kit's policy Markdown cut into quotable passages (a paragraph, a list item
with its lead-in, a table row with its header) and ranked against a question."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from contentgen.agent.text import terms

IDF_CAP = 3.0
PHRASE_WEIGHT = 0.5  # a cue phrase the question and a passage both say counts half its rarity
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}")
_MARKUP = re.compile(r"\*\*|__|`|\[([^\]]*)\]\([^)]*\)")


def _clean(text: str) -> str:
    return " ".join(_MARKUP.sub(lambda m: m.group(1) or "", text).split())


def _cells(line: str) -> list[str]:
    return [_clean(c) for c in line.strip().strip("|").split("|")]


@dataclass(frozen=True)
class Passage:
    """A quotable piece of a policy: `text` is what an answer says, `heading` the section it sits under."""

    policy: str
    heading: str
    text: str
    table: int = -1  # rows of one table share a number, so a question about the whole table gets every row

    @property
    def index_text(self) -> str:
        return f"{self.heading} {self.text}"


def split_policy(name: str, markdown: str, *, locale_colon: str = "：", separator: str = "；") -> list[Passage]:
    """Passages of one policy file, in file order."""
    passages: list[Passage] = []
    heading: list[str] = []
    lead = ""
    paragraph: list[str] = []
    header: list[str] | None = None
    tables = 0

    def flush() -> None:
        nonlocal paragraph, lead
        if paragraph:
            text = _clean(" ".join(paragraph))
            lead = text if text.endswith((":", "：")) else ""
            if not lead:  # a lead-in ("以下情况不支持无理由退货：") is quoted with each of its items instead
                passages.append(Passage(name, " / ".join(heading[1:] or heading), text))
            paragraph = []

    lines = markdown.splitlines()
    for i, line in enumerate(lines):
        if not line.strip():
            flush()
            header = None
            continue
        if m := _HEADING.match(line):
            flush()
            level = len(m.group(1))
            heading = [*heading[: level - 1], _clean(m.group(2))]
            lead = ""
            continue
        if line.lstrip().startswith("|"):
            flush()
            if _TABLE_SEP.match(line.strip().strip("|")):
                continue
            cells = _cells(line)
            next_line = lines[i + 1] if i + 1 < len(lines) else ""
            if header is None and _TABLE_SEP.match(next_line.strip().strip("|")):
                header = cells
                tables += 1
                continue
            pairs = zip(header or [], cells, strict=False)
            text = separator.join(f"{h}{locale_colon}{c}" for h, c in pairs if c) if header else " ".join(cells)
            passages.append(Passage(name, " / ".join(heading[1:] or heading), text, tables))
            continue
        if m := _ITEM.match(line):
            flush()
            item = _clean(m.group(1))
            passages.append(
                Passage(name, " / ".join(heading[1:] or heading), f"{lead} {item}".strip() if lead else item)
            )
            continue
        paragraph.append(line.strip())
    flush()
    return [p for p in passages if p.text]


class PolicyIndex:
    """Ranks passages of all policies against a question (shared terms weighted by rarity, the topic's file first)."""

    def __init__(
        self,
        policies: Mapping[str, str],
        *,
        stopwords: Iterable[str] = (),
        colon: str = "：",
        separator: str = "；",
        normalize: Callable[[str], str] = str.lower,
    ) -> None:
        """`normalize` is applied to passages as to questions (the language pack's synonyms: 收货地址 → 地址)."""
        self.stopwords = frozenset(stopwords)
        self.passages = [
            p
            for name, text in policies.items()
            for p in split_policy(name, text, locale_colon=colon, separator=separator)
        ]
        self._terms = [frozenset(terms(normalize(p.index_text), self.stopwords)) for p in self.passages]
        self._heading_terms = [frozenset(terms(normalize(p.heading), self.stopwords)) for p in self.passages]
        df = Counter(t for ts in self._terms for t in ts)
        n = len(self.passages)
        # Capped: the rarest terms are mostly bigrams across a word boundary (区包 in 地区包邮), not signal.
        self._idf = {t: min(math.log(1 + n / c), IDF_CAP) for t, c in df.items()}
        self._phrases: dict[str, frozenset[int]] = {}

    def _phrase_hits(self, phrase: re.Pattern[str]) -> frozenset[int]:
        """The passages that say `phrase` (cached per pattern)."""
        hits = self._phrases.get(phrase.pattern)
        if hits is None:
            hits = frozenset(i for i, p in enumerate(self.passages) if phrase.search(p.index_text))
            self._phrases[phrase.pattern] = hits
        return hits

    def weight(self, words: Iterable[str], *, power: float = 1.0) -> float:
        """How telling `words` are among the passages (summed rarity; unknown words count as the rarest). With
        `power` 2, one rare word outweighs two that most passages share (for whole words; Chinese bigrams across a
        word boundary are rare without being telling, so they keep power 1)."""
        return float(sum(self._idf.get(w, IDF_CAP) ** power for w in words))

    def search(
        self,
        question: str,
        topics: Sequence[str] = (),
        k: int = 2,
        *,
        hints: str = "",
        contrasts: Sequence[tuple[re.Pattern[str], re.Pattern[str]]] = (),
        phrases: Sequence[re.Pattern[str]] = (),
    ) -> list[Passage]:
        """The best passages: the top one, plus others scoring close to it (the rest of its table, a second rule).
        `hints` are words that help (a product's name, query expansions) but count half. `contrasts` are pairs of
        sides (before / after shipping): when the question is on one side, passages on that side rank first.
        `phrases` are the policy cue phrases the question says ("P.O. box", "gift message"): each counts for the
        passages that say it too, by its rarity among the passages (a phrase every shipping rule says counts little)."""
        wanted = terms(question, self.stopwords)
        boost: dict[int, float] = {}
        for phrase in phrases:
            hits = self._phrase_hits(phrase)
            rarity = min(math.log(1 + len(self.passages) / len(hits)), IDF_CAP) if hits else 0.0
            for i in hits:
                boost[i] = boost.get(i, 0.0) + PHRASE_WEIGHT * rarity
        sides = []
        for one, other in contrasts:
            on_one, on_other = bool(one.search(question)), bool(other.search(question))
            if on_one != on_other:
                sides.append((one, other) if on_one else (other, one))
        extra = terms(hints, self.stopwords) - wanted
        scored: list[tuple[float, int]] = []
        for i, (passage, passage_terms) in enumerate(zip(self.passages, self._terms, strict=True)):
            shared, helped = wanted & passage_terms, extra & passage_terms
            if not shared and not helped and i not in boost:
                continue
            score = sum(self._idf[t] for t in shared) + 0.5 * sum(self._idf[t] for t in helped) + boost.get(i, 0.0)
            score += 0.3 * sum(self._idf[t] for t in wanted & self._heading_terms[i])  # the section is about it
            for same, opposite in sides:
                said = passage.index_text  # the section heading says which side too ("What isn't covered")
                here, there = bool(same.search(said)), bool(opposite.search(said))
                score *= 1.5 if here and not there else 0.7 if there and not here else 1.0
            if topics and passage.policy in topics:
                score *= 1.5
            elif topics:
                score *= 0.5
            scored.append((score, i))
        if not scored:
            return []
        scored.sort(key=lambda s: (-s[0], s[1]))
        best_score, best = scored[0]
        chosen = [best]
        top = self.passages[best]
        for score, i in scored[1:]:
            if len(chosen) >= k:
                break
            passage = self.passages[i]
            same_table = top.table >= 0 and passage.table == top.table and passage.policy == top.policy
            if score >= best_score * (0.999 if same_table else 0.75):
                chosen.append(i)
        if top.table >= 0:
            rows = [i for i in chosen if self.passages[i].table == top.table and self.passages[i].policy == top.policy]
            if len(rows) > 1:  # a question about the whole table: every row, in table order
                chosen = [i for i, p in enumerate(self.passages) if p.table == top.table and p.policy == top.policy]
        return [self.passages[i] for i in sorted(chosen)]
