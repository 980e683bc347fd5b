"""Conversation memory: the turns so far (masked) and the products the last answer was about, so that "那它多少钱?",
"is it in stock?" and "第二个呢" resolve to products of the previous answer."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from contentgen.agent.lang import Language
from contentgen.agent.outcomes import Intent, Outcome
from contentgen.domain.product import Product


@dataclass(frozen=True)
class Turn:
    """One exchange as the transcript keeps it: the masked question, the outcome and what was retrieved."""

    question: str
    outcome: Outcome
    retrieved: tuple[str, ...] = ()
    elapsed_ms: float = 0.0
    injection: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            **self.outcome.to_dict(),
            "retrieved": list(self.retrieved),
            "elapsed_ms": round(self.elapsed_ms, 1),
            "injection": self.injection,
        }


@dataclass
class Memory:
    """What the agent remembers between turns."""

    size: int = 6
    turns: deque[Turn] = field(default_factory=deque)
    focus: list[Product] = field(default_factory=list)
    last_intent: Intent | None = None
    last_policies: tuple[str, ...] = ()

    def remember(self, turn: Turn, products: list[Product]) -> None:
        self.turns.append(turn)
        while len(self.turns) > max(self.size, 1):
            self.turns.popleft()
        if products:
            self.focus = products
        self.last_intent = turn.outcome.intent
        if turn.outcome.kind == "answer" and turn.outcome.policies:
            self.last_policies = turn.outcome.policies

    def reset(self) -> None:
        self.turns.clear()
        self.focus = []
        self.last_intent = None
        self.last_policies = ()

    def resolve(self, text: str, language: Language, *, elliptical: bool = False) -> list[Product]:
        """Products of the previous answer that `text` points back to: by ordinal (第二个, the second one), else all
        of them for a pronoun or an elliptical follow-up ("有货吗", the caller's judgement). Empty when nothing
        points back."""
        if not self.focus:
            return []
        for index, pattern in language.ordinals:
            if pattern.search(text):
                position = index - 1 if index > 0 else len(self.focus) + index
                return [self.focus[position]] if 0 <= position < len(self.focus) else []
        if language.has("pronoun", text) or language.has("followup", text) or elliptical:
            return list(self.focus)
        return []

    def history(self, turns: int | None = None) -> list[Turn]:
        items = list(self.turns)
        return items[-turns:] if turns else items
