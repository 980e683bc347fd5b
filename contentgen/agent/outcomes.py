"""What the agent returns for a question: an answer with citations, a refusal, or a hand-off to a person."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

Intent = Literal[
    "product_info",
    "price",
    "stock",
    "compare",
    "recommend",
    "policy",
    "order_status",
    "small_talk",
    "out_of_scope",
    "handoff",
    "injection",
]
INTENTS: tuple[Intent, ...] = get_args(Intent)


@dataclass(frozen=True)
class Answer:
    """A grounded answer. `citations` are the SKUs it is about, `policies` the policy files it quotes; `removed`
    holds the sentences that verification dropped because a claim in them did not trace to a record."""

    text: str
    citations: tuple[str, ...] = ()
    intent: Intent = "product_info"
    policies: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    kind: Literal["answer"] = field(default="answer", init=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "intent": self.intent,
            "text": self.text,
            "citations": list(self.citations),
            "policies": list(self.policies),
            "removed": list(self.removed),
        }


@dataclass(frozen=True)
class Refusal:
    """The agent will not answer. `reason`: out_of_scope, not_in_catalog, injection, medical or ungrounded."""

    reason: str
    text: str = ""
    intent: Intent = "out_of_scope"
    kind: Literal["refusal"] = field(default="refusal", init=False)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "intent": self.intent, "reason": self.reason, "text": self.text}


@dataclass(frozen=True)
class Handoff:
    """A person should take over. `reason`: requested, upset, complaint, high_value, ungrounded or order_unknown."""

    reason: str
    text: str = ""
    intent: Intent = "handoff"
    citations: tuple[str, ...] = ()
    kind: Literal["handoff"] = field(default="handoff", init=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "intent": self.intent,
            "reason": self.reason,
            "text": self.text,
            "citations": list(self.citations),
        }


Outcome = Answer | Refusal | Handoff
