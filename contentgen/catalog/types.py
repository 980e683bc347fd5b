"""Typed values shared by the catalog store and its readers (the agent, the CLI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from contentgen.domain.product import Product
from contentgen.errors import ContentgenError


class NotIngestedError(ContentgenError):
    """The kit's catalog has not been ingested into this Chroma yet."""


@dataclass(frozen=True)
class Filters:
    """Constraints parsed from a question; each one becomes a Chroma `where` clause."""

    price_min: Decimal | None = None
    price_max: Decimal | None = None
    category: str | None = None
    in_stock: bool | None = None

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.price_min, self.price_max, self.category, self.in_stock))


@dataclass(frozen=True)
class Hit:
    """One retrieved product. `score` is in [0, 1], higher is better; the ranks say which leg found it."""

    product: Product
    score: float
    dense_rank: int | None = None
    keyword_rank: int | None = None
    dense_score: float | None = None
    """Cosine similarity to the question, clipped to [0, 1] (None: the dense leg did not rank it)."""
    keyword_score: float | None = None
    """Share of the question's distinct search terms found in the product (None: no keyword match)."""

    @property
    def sku(self) -> str:
        return self.product.sku


@dataclass(frozen=True)
class PolicyPassage:
    """A chunk of a kit's policy Markdown (shipping, returns, warranty, membership)."""

    policy: str
    text: str
    score: float = 0.0
    heading: str = ""
    """The heading the passage sits under ("7 天无理由退货"), empty for text before the first heading."""


@dataclass(frozen=True)
class SearchResult:
    query: str
    filters: Filters
    hits: list[Hit]
    policies: list[PolicyPassage] = field(default_factory=list)
    searched: str = ""
    """The text actually searched: the query with its price and stock phrases taken out."""


@dataclass(frozen=True)
class Changes:
    """What one ingest did to one collection, by record id."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    embedded: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@dataclass(frozen=True)
class IngestReport:
    """The outcome of `CatalogStore.ingest`: product changes by SKU, policy changes by chunk id."""

    kit: str
    source: str
    products: Changes
    policies: Changes
    seconds: float
    location: str


class Retriever(Protocol):
    """What the agent needs from a catalog: the store implements it."""

    def search(self, query: str, k: int = 10, *, filters: Filters | None = None) -> SearchResult: ...

    def get(self, sku: str) -> Product: ...

    def policies(self) -> dict[str, str]: ...

    def info(self) -> dict[str, Any]: ...
