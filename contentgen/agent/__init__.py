"""The grounded shopping agent: customer service and a virtual host over a kit's catalog and policies.

`load_agent("qinghe-service")` (a shipped definition, a YAML path, or a kit id) gives an `Agent`;
`agent.ask("积雪草舒缓保湿水多少钱？")` returns an `Answer`, a `Refusal` or a `Handoff`, and
`agent.stream("那它有货吗？")` yields the verified answer sentence by sentence, its `outcome` once done.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from contentgen.agent.core import Agent, AnswerStream, Customer
from contentgen.agent.definition import AgentDefinition, load_definition, shipped_agents
from contentgen.agent.outcomes import INTENTS, Answer, Handoff, Intent, Outcome, Refusal

if TYPE_CHECKING:
    from contentgen.agent.host import Host
    from contentgen.catalog.types import Retriever
    from contentgen.config import Settings
    from contentgen.providers.base import TextProvider

__all__ = [
    "INTENTS",
    "Agent",
    "AgentDefinition",
    "Answer",
    "AnswerStream",
    "Customer",
    "Handoff",
    "Intent",
    "Outcome",
    "Refusal",
    "build_agent",
    "load_agent",
    "load_definition",
    "load_host",
    "open_retriever",
    "shipped_agents",
]


def load_agent(
    ref: str | Path | AgentDefinition,
    *,
    settings: Settings | None = None,
    retriever: Retriever | None = None,
    provider: TextProvider | None = None,
    text_provider: str | None = None,
    chroma_url: str | None = None,
) -> Agent:
    """An agent from a definition (a shipped name such as "qinghe-service", a YAML path, or a kit id for the kit's
    default agent), over the kit's catalog store (ingested on first use). `provider` or `text_provider` (a
    registered name) replaces the definition's model choice."""
    from contentgen.config import load_settings

    settings = settings or load_settings()
    definition = ref if isinstance(ref, AgentDefinition) else _definition(ref, settings)
    return build_agent(
        definition,
        settings=settings,
        retriever=retriever,
        provider=provider,
        text_provider=text_provider,
        chroma_url=chroma_url,
    )


def build_agent(
    definition: AgentDefinition,
    *,
    settings: Settings | None = None,
    retriever: Retriever | None = None,
    provider: TextProvider | None = None,
    text_provider: str | None = None,
    chroma_url: str | None = None,
) -> Agent:
    """An agent for a definition already in hand."""
    from contentgen.config import load_settings
    from contentgen.domain.loaders import load_brand_kit, load_kit_catalog

    settings = settings or load_settings()
    brand = load_brand_kit(definition.kit, extra=settings.kits_path)
    if retriever is None:
        retriever = open_retriever(brand.id, settings=settings, chroma_url=chroma_url)
    if provider is None:
        provider = _provider(definition, settings, text_provider)
    return Agent(definition, retriever, brand=brand, provider=provider, lexicon=load_kit_catalog(brand).products)


def load_host(
    ref: str | Path,
    *,
    settings: Settings | None = None,
    retriever: Retriever | None = None,
    provider: TextProvider | None = None,
    text_provider: str | None = None,
    chroma_url: str | None = None,
) -> Host:
    """A virtual host: a host definition by name or path, or a kit id (its shipped `<kit>-host`, else defaults)."""
    from contentgen.agent.definition import Persona
    from contentgen.agent.host import Host
    from contentgen.config import load_settings
    from contentgen.domain.loaders import find_kits, kit_segments, load_brand_kit

    settings = settings or load_settings()
    text = str(ref)
    if text in find_kits(settings.kits_path) and text not in shipped_agents():
        host_name = f"{text}-host"
        definition = (
            load_definition(host_name)
            if host_name in shipped_agents()
            else AgentDefinition(name="host", kit=text, mode="host", persona=Persona(name="host"))
        )
    else:
        definition = load_definition(ref)
    agent = build_agent(
        definition,
        settings=settings,
        retriever=retriever,
        provider=provider,
        text_provider=text_provider,
        chroma_url=chroma_url,
    )
    wanted = definition.host.audience
    segments = kit_segments(load_brand_kit(definition.kit, extra=settings.kits_path))
    audience = [s for s in segments if s.id in wanted] if wanted else segments
    return Host(agent, audience)


def open_retriever(
    kit: str, *, settings: Settings | None = None, chroma_url: str | None = None, fresh_s: float = 0.0
) -> Retriever:
    """The kit's catalog store, ingesting the kit's own catalog and policies if it has never been ingested
    (`fresh_s`: see `open_catalog`)."""
    from contentgen.catalog.store import open_catalog
    from contentgen.catalog.types import NotIngestedError

    store = open_catalog(kit, chroma_url=chroma_url, settings=settings, fresh_s=fresh_s)
    try:
        store.info()
    except NotIngestedError:
        store.ingest()
    return store


def _definition(ref: str | Path, settings: Settings) -> AgentDefinition:
    """A definition by name or path; a kit id gives that kit's shipped service agent (or a default one)."""
    from contentgen.agent.definition import Persona
    from contentgen.domain.loaders import find_kits

    text = str(ref)
    known = shipped_agents()
    if isinstance(ref, Path) or text in known or text.endswith((".yaml", ".yml")) or "/" in text:
        return load_definition(ref)
    kits = find_kits(settings.kits_path)
    if text in kits:
        service = f"{text}-service"
        if service in known:
            return load_definition(service)
        return AgentDefinition(name="service", kit=text, persona=Persona(name="assistant"))
    return load_definition(ref)  # raises NotFoundError naming the shipped agents


def _provider(definition: AgentDefinition, settings: Settings, name: str | None) -> TextProvider | None:
    """The definition's model (None: the offline templates); a flag's provider name wins."""
    from contentgen.errors import ConfigError
    from contentgen.providers.base import TextProvider
    from contentgen.providers.registry import create, from_settings

    if name is not None:
        built = None if name == "template" else from_settings("text", settings, name)
    elif definition.model is None:
        return None
    elif definition.model == "settings":
        built = None if settings.text.name == "template" else from_settings("text", settings)
    else:
        built = create("text", definition.model.name, definition.model.options)
    if built is not None and not isinstance(built, TextProvider):  # pragma: no cover - the registry checks kinds
        raise ConfigError(f"{built.name!r} is not a text provider")
    return built
