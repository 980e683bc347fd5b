"""Planning: every artifact a brief asks for, each with an id and a hash of everything it reads."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from contentgen.campaign.deliverables import CampaignContext, Deliverable, build_context, digest
from contentgen.campaign.registry import available_deliverables, deliverable
from contentgen.campaign.types import Cell, PlannedArtifact
from contentgen.domain.common import Locale
from contentgen.domain.experiment import Experiment
from contentgen.errors import ConfigError, NotFoundError

if TYPE_CHECKING:
    from contentgen.campaign.brief import CampaignBrief
    from contentgen.config import Settings

WARM_UP_S = 1.0
"""Rough seconds a process spends on its first artifact warming up (imports, templates, rules) on a 2-core machine."""
WORKER_START_S = 2.5
"""Rough seconds a worker process takes to start and warm up."""


class CampaignPlan(BaseModel):
    """Every artifact of a campaign, in an order where each comes after what it needs."""

    campaign: str
    title: str | None
    kit: str
    brand: str
    locale: Locale
    seed: int
    brief: str | None
    stages: list[str]
    items: list[PlannedArtifact]
    experiment: Experiment | None = None
    audience: int | None = None
    """Customers in the planned segments, when every segment knows its size (derived from customer data)."""

    @property
    def counts(self) -> dict[str, int]:
        """Artifacts per stage (deliverable kind), in stage order."""
        return {stage: sum(i.kind == stage for i in self.items) for stage in self.stages}

    def estimate(self, workers: int | None = None, items: list[PlannedArtifact] | None = None) -> float:
        """Rough wall time to make `items` (default: all) with `workers` processes."""
        todo = self.items if items is None else items
        if not todo:
            return 0.0
        work = sum(i.estimate_s for i in todo)
        count = default_workers(todo) if workers is None else max(1, workers)
        return WARM_UP_S + work if count == 1 else WORKER_START_S + work / count


def cpu_count() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def default_workers(items: list[PlannedArtifact]) -> int:
    """One process per core, but none beyond the work, and one when starting workers costs more than it saves."""
    work = sum(i.estimate_s for i in items)
    if work < 2 * WORKER_START_S:
        return 1
    return max(1, min(cpu_count(), len(items), 8))


def plan_campaign(brief: CampaignBrief | str | Path, *, settings: Settings | None = None) -> CampaignPlan:
    """Every artifact a brief asks for, with stable ids and input hashes; checks every name the brief uses."""
    from contentgen.campaign.brief import CampaignBrief, load_campaign_brief
    from contentgen.config import load_settings

    the_brief = brief if isinstance(brief, CampaignBrief) else load_campaign_brief(brief)
    ctx = build_context(the_brief, settings or load_settings())
    return make_plan(ctx)


def make_plan(ctx: CampaignContext) -> CampaignPlan:
    """The plan for a loaded context (the runner reuses the context it planned with)."""
    from contentgen.providers.registry import available

    brief = ctx.brief
    groups = _product_groups(ctx)
    segments = _segments(ctx)
    kinds = _deliverables(ctx)
    for kind in sorted({p for impl, _ in kinds.values() for p in impl.providers}):
        name = ctx.provider_choice(kind).name
        names = available(kind)
        if name not in names:
            if kind in brief.providers:
                raise brief.unknown(("providers", kind, "name"), f"{kind} provider", name, list(names))
            raise NotFoundError(f"{kind} provider (from the settings)", name, names)
    stages = _stage_order({kind for (_, kind) in kinds})

    common = {"brief": digest(brief.copy_brief.model_dump(mode="json")), "seed": str(brief.seed)}
    items: dict[str, PlannedArtifact] = {}
    for stage in stages:
        for segment in segments:
            for channel, wanted in brief.channels.items():
                if stage in wanted:
                    impl, options = kinds[(channel, stage)]
                    for skus in groups:
                        cell = Cell(segment=segment, channel=channel, skus=skus)
                        item = _plan_item(ctx, cell, stage, impl, options, common, items)
                        items[item.id] = item
    from contentgen.campaign.experiment import audience, check_variants

    check_variants(ctx, list(items.values()))
    return CampaignPlan(
        campaign=brief.name,
        title=brief.title,
        kit=ctx.brand.id,
        brand=ctx.brand.name,
        locale=ctx.brand.locale,
        seed=brief.seed,
        brief=str(brief.source) if brief.source else None,
        stages=stages,
        items=list(items.values()),
        experiment=brief.experiment,
        audience=audience(ctx, segments) if brief.experiment else None,
    )


def _plan_item(
    ctx: CampaignContext,
    cell: Cell,
    kind: str,
    impl: Deliverable,
    options: dict[str, Any],
    common: dict[str, str],
    planned: dict[str, PlannedArtifact],
) -> PlannedArtifact:
    """One artifact: a hash per input it reads (what its kind declares, and what it needs, made first)."""
    needs = [f"{cell.key}/{need}" for need in impl.needs]
    inputs = {
        **common,
        "products": digest([p.model_dump(mode="json") for p in ctx.products(cell.skus)]),
        "segment": digest(ctx.segments[cell.segment].model_dump(mode="json")),
        "channel": digest(ctx.channels[cell.channel].model_dump(mode="json")),
        "options": digest(options),
        "providers": digest({k: ctx.provider_choice(k).model_dump() for k in impl.providers}),
        **{name: digest(value) for name, value in impl.inputs(cell, ctx).items()},
        **{f"needs:{planned[n].kind}": planned[n].input_hash[:16] for n in needs},
    }
    return PlannedArtifact(
        id=f"{cell.key}/{kind}",
        kind=kind,
        segment=cell.segment,
        channel=cell.channel,
        skus=cell.skus,
        options=options,
        needs=needs,
        inputs=inputs,
        input_hash=hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest(),
        estimate_s=impl.estimate(impl.Options.model_validate(options)),
    )


def _product_groups(ctx: CampaignContext) -> list[tuple[str, ...]]:
    brief = ctx.brief
    skus = [p.sku for p in ctx.catalog]
    for i, ref in enumerate(brief.products):
        for j, sku in enumerate([ref] if isinstance(ref, str) else ref):
            if sku not in ctx.catalog:
                loc = ("products", i) if isinstance(ref, str) else ("products", i, j)
                raise brief.unknown(loc, f"SKU in {ctx.brand.id}'s catalog", sku, skus)
    return brief.product_groups()


def _segments(ctx: CampaignContext) -> list[str]:
    brief = ctx.brief
    if brief.segments is None:
        return list(ctx.segments)
    for i, segment in enumerate(brief.segments):
        if segment not in ctx.segments:
            source = brief.segments_file or f"kit '{ctx.brand.id}'"
            raise brief.unknown(("segments", i), f"segment of {source}", segment, list(ctx.segments))
    return list(brief.segments)


def _deliverables(ctx: CampaignContext) -> dict[tuple[str, str], tuple[Deliverable, dict[str, Any]]]:
    """(channel, kind) → the deliverable and its validated options, with defaults filled in."""
    brief = ctx.brief
    registered = available_deliverables()
    found: dict[tuple[str, str], tuple[Deliverable, dict[str, Any]]] = {}
    for channel, wanted in brief.channels.items():
        if channel not in ctx.channels:
            raise brief.unknown(("channels", channel), "channel", channel, list(ctx.channels))
        for kind, raw in wanted.items():
            loc = ("channels", channel, kind)
            if kind not in registered:
                raise brief.error(
                    loc, f"deliverable '{kind}' is not registered", hint=f"registered kinds: {', '.join(registered)}"
                )
            impl = deliverable(kind)
            options = brief.validate_at(impl.Options, raw or {}, loc)
            for need in impl.needs:
                if need not in wanted:
                    raise brief.error(loc, f"'{kind}' is made from the cell's {need}", hint=f"add `{need}: {{}}` here")
            found[(channel, kind)] = (impl, options.model_dump(mode="json"))
    return found


def _stage_order(kinds: set[str]) -> list[str]:
    """Kinds ordered so that each comes after the kinds it needs (copy before poster before video)."""
    order: list[str] = []
    visiting: set[str] = set()

    def visit(kind: str) -> None:
        if kind in order:
            return
        if kind in visiting:
            raise ConfigError(f"deliverables need each other in a cycle through '{kind}'")
        visiting.add(kind)
        for need in deliverable(kind).needs:
            visit(need)
        visiting.discard(kind)
        order.append(kind)

    for kind in sorted(kinds, key=lambda k: (len(deliverable(k).needs), k)):
        visit(kind)
    return order
