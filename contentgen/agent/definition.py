"""Agent definitions as data (agents/*.yaml): persona, mode, model, tools, refusal and hand-off policy."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr, field_validator

from contentgen.config import ProviderChoice
from contentgen.domain.common import Model, Slug
from contentgen.errors import DataError, NotFoundError
from contentgen.fileio import load_model
from contentgen.resources import shipped

Policy = Literal["refuse", "handoff"]


class Persona(Model):
    name: str = Field(min_length=1, description="what the agent calls itself")
    style: str = Field("", description="one or two sentences on how it talks (model path only)")


class Retrieval(Model):
    k: int = Field(8, ge=1, le=50, description="records retrieved per question")
    recommend: int = Field(3, ge=1, le=10, description="products in a recommendation")


class Memory(Model):
    turns: int = Field(6, ge=0, le=50, description="earlier turns kept for follow-ups and the model prompt")


class ToolSpec(Model):
    """A tool the agent may call. `orders-file` reads a local orders file; `human` always hands off; `python`
    builds `target` ('module:Class', an OrderLookup) with `options`."""

    name: Literal["order_status"] = "order_status"
    kind: Literal["orders-file", "human", "python"] = "orders-file"
    orders: str | None = Field(None, description="orders file (YAML/JSON), relative to the definition's folder")
    target: str | None = Field(None, pattern=r"^[\w.]+:[\w.]+$")
    options: dict[str, Any] = {}
    order_pattern: str = Field(r"[A-Z]{2}-?\d{6,}", description="regular expression of an order number")

    @field_validator("order_pattern")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as err:
            raise ValueError(f"invalid regular expression: {err}") from None
        return value


class HighValue(Model):
    """Customers a person should serve: by tier (from the caller or named in the message) or by order size."""

    tiers: list[str] = []
    order_total: Decimal | None = Field(None, gt=0, description="hand off when quantity x price reaches this")


class Refusals(Model):
    out_of_scope: Policy = "refuse"
    medical: Policy = "refuse"
    not_in_catalog: Policy = "refuse"
    injection: Policy = "refuse"


class Handoffs(Model):
    on_request: bool = True
    on_upset: bool = True
    on_complaint: bool = True
    ungrounded: Policy = Field("handoff", description="a question about a product whose records cannot answer it")
    high_value: HighValue = HighValue()


class Host(Model):
    """Virtual-host settings: the audience segments to angle product segments at, and pacing."""

    audience: list[Slug] = []
    chars_per_second: float = Field(4.5, gt=0, description="speaking rate used for timing estimates")
    max_comments: int = Field(20, ge=1)
    summary_every: int = Field(5, ge=1, description="after this many comments, a recap of top questions and mood")


class AgentDefinition(Model):
    """agents/<name>.yaml."""

    name: Slug
    kit: str = Field(min_length=1, description="brand kit id or folder")
    mode: Literal["service", "host"] = "service"
    description: str = ""
    persona: Persona
    model: ProviderChoice | Literal["settings"] | None = Field(
        None, description="text provider for the model path; 'settings' uses the configured one; none: offline"
    )
    retrieval: Retrieval = Retrieval()
    memory: Memory = Memory()
    tools: list[ToolSpec] = []
    refusal: Refusals = Refusals()
    handoff: Handoffs = Handoffs()
    host: Host = Host()

    _folder: Path | None = PrivateAttr(default=None)

    @property
    def folder(self) -> Path | None:
        """The folder the definition was loaded from (relative tool paths resolve against it)."""
        return self._folder

    def tool(self, name: str) -> ToolSpec | None:
        return next((t for t in self.tools if t.name == name), None)


def shipped_agents() -> dict[str, Path]:
    """Name → file of every shipped definition."""
    return {p.stem: p for p in sorted(shipped("agents").glob("*.yaml"))}


def load_definition(ref: str | Path) -> AgentDefinition:
    """A definition from a YAML file path, or by the name of a shipped one (agents/<name>.yaml)."""
    path = Path(ref)
    if not path.suffix and not path.exists():
        known = shipped_agents()
        if str(ref) not in known:
            raise NotFoundError("agent", str(ref), known)
        path = known[str(ref)]
    if not path.is_file():
        raise DataError(path, "agent definition not found", hint="give a YAML file or the name of a shipped agent")
    definition = load_model(AgentDefinition, path)
    definition._folder = path.resolve().parent
    return definition


def default_definition(kit: str, locale_persona: str) -> AgentDefinition:
    """A service agent for a kit that has no definition file: offline, default policies."""
    return AgentDefinition(name="service", kit=kit, persona=Persona(name=locale_persona))
