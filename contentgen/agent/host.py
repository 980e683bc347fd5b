"""Virtual-host mode: a run-of-show for a line-up of products, then the comment queue, sentence by sentence.

The run-of-show opens, presents each product (what it is, an angle for the audience segment it suits best, two
selling points, the price from the catalog, a call to action) and closes; every line that states a fact is
verified against the product's record like any answer. Every comment is moderated before anything is said on air:
spam (contact handles, 加vx/加微信, links, QR-code bait, phone numbers, "cheaper on 某宝"), injected instructions,
insults, the kit's banned phrases and floods of emoji that ask nothing are never read aloud, and each decision is
logged with its reason (`Host.decisions`). The rest are
read once, masked, de-duplicated (the same question asked five times is answered once, saying so), and answered
purchase questions first (price, stock, product facts, comparisons), with host talk between them; "this one" is the
product on screen. Every `summary_every` comments the host recaps what viewers ask most and the mood of the room.
Each line carries an estimate of its speaking time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from contentgen.agent.core import Agent
from contentgen.agent.outcomes import Answer
from contentgen.agent.text import terms
from contentgen.domain.product import Product
from contentgen.domain.segment import Segment
from contentgen.text.sentences import split_sentences

LineKind = Literal[
    "opening",
    "product",
    "angle",
    "point",
    "price",
    "cta",
    "comments",
    "comment",
    "answer",
    "between",
    "summary",
    "closing",
]
Reason = Literal["spam", "noise", "personal", "injection", "insult", "banned", "duplicate", "question"]
log = logging.getLogger("contentgen.agent.host")
_PURCHASE = ("price", "stock", "compare", "recommend")
_PUNCT = re.compile(r"[\s\W_]+")


@dataclass(frozen=True)
class HostLine:
    """One sentence of the show: what kind of line, its text, the product it is about and its speaking time."""

    kind: LineKind
    text: str
    seconds: float
    sku: str | None = None
    comment: str | None = None
    outcome: str | None = None  # answer, refusal or handoff, for lines answering a comment

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Comment:
    """A viewer's comment after masking, with how many times it (or near copies of it) came in."""

    text: str
    times: int = 1
    priority: int = 3


@dataclass(frozen=True)
class Decision:
    """What moderation did with one comment (masked) and why."""

    comment: str
    action: Literal["answer", "skip", "merge"]
    reason: Reason

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Host:
    """Runs a show with a service agent's core (its records, verification and memory) behind it."""

    def __init__(self, agent: Agent, audience: Sequence[Segment] = ()) -> None:
        self.agent = agent
        self.audience = list(audience)
        self.lines = agent.language.pack.host
        self.rate = agent.definition.host.chars_per_second
        self.decisions: list[Decision] = []
        self.on_screen: Product | None = None
        banned = [*agent.brand.voice.banned_words, *getattr(agent.definition, "banned_words", [])]
        self._banned = [w.lower() for w in banned if w]

    def moderate(self, text: str) -> Reason | None:
        """Why a comment must not be read aloud, or None when it may."""
        lang = self.agent.language
        lowered = text.lower()
        if lang.has("spam", text):
            return "spam"
        if not _PUNCT.sub("", text) and not re.search(r"[?？]", text):
            return "noise"  # "🔥🔥🔥🔥", "!!!!": no word and no question, nothing to read aloud or answer
        if self.agent.masker.found(text):
            return "personal"  # a phone number or card read out on a live stream is never the viewer's wish
        if lang.has("injection", text):
            return "injection"
        if lang.has("insult", text):
            return "insult"
        if any(w in lowered for w in self._banned):
            return "banned"
        return None

    def _decide(self, comment: str, action: Literal["answer", "skip", "merge"], reason: Reason) -> None:
        decision = Decision(comment, action, reason)
        self.decisions.append(decision)
        log.info("moderation: %s (%s): %s", action, reason, comment)

    def _line(self, kind: LineKind, text: str, product: Product | None = None, **extra: Any) -> HostLine:
        spoken = len(_PUNCT.sub("", text)) if self.agent.locale == "zh-CN" else len(text)
        return HostLine(kind, text, round(spoken / self.rate + 0.3, 1), product.sku if product else None, **extra)

    def _verified(self, kind: LineKind, text: str, product: Product) -> HostLine | None:
        check = self.agent.verifier.check(text, [product])
        return self._line(kind, text, product) if check.ok else None

    # ---- run-of-show ---------------------------------------------------------------------------------

    def run_of_show(self, products: Sequence[Product]) -> Iterator[HostLine]:
        """Opening, one segment per product, closing (the closing comes after the comments in `run`)."""
        yield self._line(
            "opening",
            self.lines.opening.format(
                brand=self.agent.brand.name, persona=self.agent.definition.persona.name, count=len(products)
            ),
        )
        for index, product in enumerate(products, 1):
            yield from self._segment(index, product)
        self.agent.memory.focus = list(products[-1:])  # "多少钱?" in the comments: the product on screen
        self.on_screen = products[-1] if products else None

    def _segment(self, index: int, product: Product) -> Iterator[HostLine]:
        yield self._line("product", self.lines.product.format(index=index, name=product.name), product)
        for sentence in split_sentences(product.description)[:2]:
            line = self._verified("point", self.lines.describe.format(description=sentence.strip()), product)
            if line:
                yield line
        segment, point = self._angle(product)
        points = [p for p in product.selling_points if p != point]
        if segment is not None and point:
            text = self.lines.angle.format(segment=segment.name.get(self.agent.locale), point=point.rstrip("。."))
            line = self._verified("angle", text, product)
            if line:
                yield line
        for selling_point in points[:2]:
            line = self._verified("point", self.lines.point.format(point=selling_point.rstrip("。.")), product)
            if line:
                yield line
        if not product.in_stock:
            yield self._line("price", self.lines.sold_out.format(name=product.name), product)
            return
        if product.list_price is not None and product.list_price > product.price:
            text = self.lines.price_sale.format(
                name=product.name, price=product.money(), list_price=product.money(product.list_price)
            )
        else:
            text = self.lines.price.format(name=product.name, price=product.money())
        line = self._verified("price", text, product)
        if line:
            yield line
        yield self._line("cta", self.lines.cta, product)

    def _angle(self, product: Product) -> tuple[Segment | None, str | None]:
        """The audience segment whose words a product's record shares most, and its best-matching selling point."""
        if not self.audience or not product.selling_points:
            return None, product.selling_points[0] if product.selling_points else None
        locale = self.agent.locale
        stop = self.agent.language.stopwords
        record = terms(
            " ".join(
                [
                    product.name,
                    product.description,
                    *product.tags,
                    *product.selling_points,
                    *product.attributes.values(),
                ]
            ),
            stop,
        )
        best, best_score = self.audience[0], -1
        for segment in self.audience:
            words = terms(
                " ".join(
                    [
                        segment.description.get(locale),
                        *segment.motivations.get(locale),
                        *segment.pain_points.get(locale),
                        *(segment.interests.get(locale) if segment.interests else []),
                        *segment.traits.get(locale),
                    ]
                ),
                stop,
            )
            score = len(words & record)
            if score > best_score:
                best, best_score = segment, score
        words = terms(" ".join([*best.motivations.get(locale), *best.pain_points.get(locale)]), stop)
        point = max(product.selling_points, key=lambda p: len(terms(p, stop) & words))
        return best, point

    # ---- comments --------------------------------------------------------------------------------------

    def queue(self, comments: Iterable[str]) -> list[Comment]:
        """Comments masked, near-duplicates merged (counted), purchase questions first, arrival order kept."""
        merged: list[Comment] = []
        keys: list[set[str]] = []
        for raw in comments:
            reason = self.moderate(raw.strip())
            text = self.agent.masker.mask(raw.strip())
            if not text:
                continue
            if reason is not None:
                self._decide(text, "skip", reason)
                continue
            key = _shingles(text)
            same = next((i for i, k in enumerate(keys) if _similar(k, key)), None)
            if same is not None:
                merged[same] = Comment(merged[same].text, merged[same].times + 1, merged[same].priority)
                self._decide(text, "merge", "duplicate")
                continue
            keys.append(key)
            merged.append(Comment(text, 1, self._priority(text)))
            self._decide(text, "answer", "question")
        limit = self.agent.definition.host.max_comments
        return sorted(merged, key=lambda c: (c.priority, -c.times))[:limit]

    def _priority(self, text: str) -> int:
        lang = self.agent.language
        if any(lang.has(cue, text) for cue in _PURCHASE):
            return 0
        if lang.has("order_status", text) or any(c.search(text) for c in lang.policy_cues.values()):
            return 1
        if lang.has("greeting", text) or lang.has("thanks", text):
            return 3
        return 2

    def answer_comments(self, comments: Iterable[str], on_screen: Product | None = None) -> Iterator[HostLine]:
        """Moderate, then answer the queue sentence by sentence, with host talk between comments and a recap every
        `summary_every` comments; "this one" is `on_screen` (by default the last product presented)."""
        incoming = [c for c in comments if c.strip()]
        queue = self.queue(incoming)
        screen = on_screen or self.on_screen or (self.agent.memory.focus[0] if self.agent.memory.focus else None)
        if not queue:
            return
        yield self._line("comments", self.lines.comments)
        between = self.lines.between
        every = self.agent.definition.host.summary_every
        for i, comment in enumerate(queue):
            if i and i % every == 0 and self.lines.summary:
                yield self._summary(queue[:i], incoming)
            elif i:
                yield self._line("between", between[(i - 1) % len(between)])
            intro = (
                self.lines.asked_times.format(times=comment.times, comment=comment.text)
                if comment.times > 1
                else self.lines.asked.format(comment=comment.text)
            )
            yield self._line("comment", intro, comment=comment.text)
            if screen is not None:
                self.agent.memory.focus = [screen]  # "这个多少钱", "how much is this one": the product on screen
            stream = self.agent.stream(comment.text)
            sentences = list(stream)
            outcome = stream.outcome
            sku = outcome.citations[0] if isinstance(outcome, Answer) and outcome.citations else None
            for part in _spoken("".join(sentences)):
                line = self._line("answer", part, comment=comment.text, outcome=outcome.kind)
                yield HostLine(line.kind, line.text, line.seconds, sku, line.comment, line.outcome)
        if len(queue) > every and self.lines.summary:
            yield self._summary(queue, incoming)

    def _summary(self, answered: Sequence[Comment], incoming: Sequence[str]) -> HostLine:
        """What viewers ask most (the most repeated comments) and the mood of the room (the emotion model)."""
        from contentgen.agent.emotion import classify

        top = sorted(answered, key=lambda c: -c.times)[:2]
        questions = self.agent.language.join(f"“{c.text}”" for c in top)
        feelings = [classify(c) for c in incoming]
        upset = sum(f.handoff for f in feelings)
        lively = sum(self.agent.language.has("cheer", c) or "!" in c or "！" in c for c in incoming)
        mood = "upset" if upset * 3 >= len(incoming) else "warm" if lively * 3 >= len(incoming) else "calm"
        return self._line("summary", self.lines.summary.format(questions=questions, mood=self.lines.moods[mood]))

    def run(self, products: Sequence[Product], comments: Iterable[str] = ()) -> Iterator[HostLine]:
        """The whole show: run-of-show, comments, closing."""
        yield from self.run_of_show(products)
        yield from self.answer_comments(comments)
        yield self._line(
            "closing",
            self.lines.closing.format(brand=self.agent.brand.name, persona=self.agent.definition.persona.name),
        )


_SPOKEN_END = re.compile(r"(?<=[。！？!?])|(?<=[A-Za-z\u4e00-\u9fff)）][.])\s+")


def _spoken(text: str) -> list[str]:
    """An answer as the host says it: one line per sentence or list item (clauses after ；stay together)."""
    parts = [s.strip() for line in text.splitlines() for s in _SPOKEN_END.split(line)]
    return [p for p in parts if p]


def _shingles(text: str) -> set[str]:
    bare = _PUNCT.sub("", text.lower())
    return {bare[i : i + 2] for i in range(max(len(bare) - 1, 1))}


def _similar(a: set[str], b: set[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= 0.8
