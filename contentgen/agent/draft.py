"""What the agent drafts before verification: sentences about products, and the small helpers the drafting
modules share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from contentgen.agent.outcomes import Handoff, Intent, Refusal
from contentgen.catalog.types import Filters
from contentgen.domain.product import Product

if TYPE_CHECKING:
    from contentgen.agent.definition import AgentDefinition
    from contentgen.agent.lang import Language
    from contentgen.agent.memory import Memory
    from contentgen.agent.names import FuzzyNames
    from contentgen.agent.policies import PolicyIndex
    from contentgen.agent.text import NameMatcher
    from contentgen.catalog.types import Retriever
    from contentgen.domain.brand import BrandKit
    from contentgen.domain.common import Locale
    from contentgen.providers.base import TextRequest

__all__ = ["Customer", "Draft", "Sentence"]


@dataclass(frozen=True)
class Customer:
    """What the calling system knows about the customer (never sent to a model): their membership tier."""

    tier: str | None = None


@dataclass
class Draft:
    """What the agent will say before verification."""

    intent: Intent
    products: list[Product] = field(default_factory=list)  # every record the answer may cite
    focus: list[Product] = field(default_factory=list)  # what it is about: "it" in the next question
    retrieved: list[str] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    final: Refusal | Handoff | None = None
    policies: tuple[str, ...] = ()
    request: TextRequest | None = None
    chat: bool = False  # small talk: no claims to verify
    question: str = ""  # as the model was asked it (masked, instructions set aside): what a model sentence may echo
    medical: bool = False  # the question asks for medical advice: with nothing grounded to say, a refusal

    def say(self, text: str, *about: Product, filler: bool = False, source: str | None = None) -> None:
        self.sentences.append(Sentence(text, about, filler, source))


@dataclass(frozen=True)
class Sentence:
    """A drafted sentence: the products it is about, whether it says nothing by itself (a heading), and the source
    it quotes word for word (a policy passage, a tool's record), checked against instead of the fact sheet."""

    text: str
    about: tuple[Product, ...] = ()
    filler: bool = False
    source: str | None = None


def within(product: Product, filters: Filters) -> bool:
    """Whether a product is in the filters' category and price range."""
    return (
        filters.category in {None, product.category}
        and (filters.price_min is None or product.price >= filters.price_min)
        and (filters.price_max is None or product.price <= filters.price_max)
    )


def unique(products: Iterable[Product]) -> list[Product]:
    """Products in order, each SKU once (records are not hashable)."""
    return list({p.sku: p for p in reversed(list(products))}.values())[::-1]


def strip_end(text: str) -> str:
    return text.rstrip("。.;；:： ")


def sentence_end(text: str, locale: str) -> str:
    text = text.strip()
    if not text or text[-1] in "。！？!?.…)）":
        return text
    return text.rstrip("；;，,:：") + ("。" if locale == "zh-CN" else ".")


class AgentState:
    """What the agent's mixins (answer drafts, intent detection) read from `Agent`: declared once, set by Agent."""

    # provided by Agent
    language: Language
    locale: Locale
    definition: AgentDefinition
    categories: list[str]
    policies: dict[str, str]
    policy_index: PolicyIndex
    memory: Memory
    names: NameMatcher
    fuzzy: FuzzyNames
    lexicon: dict[str, Product]
    retriever: Retriever
    brand: BrandKit
