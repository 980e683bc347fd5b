"""`contentgen eval copy`: what a text provider's copy costs in checks, repairs and template fallbacks.

The cells are fixed so runs compare: for each kit, the segments `DEFAULT_SEGMENTS` × the channels
`DEFAULT_CHANNELS` × the kit's first in-stock product (6 cells, `limit` keeps the first N). Each cell is run on
its own (the n × 2 requests of a cell are one batch), so the time per variant is that cell's wall time / n.

"Shipped untraced" re-runs the ad-law and grounding checks on the variant each cell ships (the model's best ready
variant, or the template engine's when the cell fell back) and counts those with a blocking finding: an untraced
number, price or promise, or an absolute claim. It must be 0.

Unparseable, too long and blocked count each request's last reply (after the repair rounds); `generated` counts
every reply, repairs included; `repaired` the variants that passed only after a repair round.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from contentgen.compliance.degenerate import GARBLED_RULE, LANGUAGE_RULE, REPETITION_RULE
from contentgen.domain.brand import BrandKit
from contentgen.pipelines.copy import OVERSAMPLE, REPAIR_TRIES, CopyCell, CopyPipeline, CopyResult, CopyVariant
from contentgen.providers.base import ProviderInfo, TextProvider, TextRequest, TextResult

DEFAULT_SEGMENTS = ("gen-z", "young-parents")
DEFAULT_CHANNELS = ("sms", "app-push", "email")
DEFAULT_N = 2


@dataclass
class CopyEvalReport:
    """Counts over the cells of one kit; `untraced_cells` names each shipped variant that fails a re-check."""

    kit: str
    provider: str
    model: str
    cells: int = 0
    requested: int = 0  # variants asked for: n per cell
    generated: int = 0  # model replies received (n × 2 per cell, plus repair replies)
    unparseable: int = 0  # requests whose last reply was not usable JSON copy
    too_long: int = 0  # requests whose last reply did not fit the channel even after shortening
    blocked_adlaw: int = 0  # requests whose last variant was held back by an ad-law or brand finding
    blocked_grounding: int = 0  # requests whose last variant was held back by an untraced number, price or promise
    blocked_degenerate: int = 0  # last variant repeated itself, was not in the kit's language or was garbled
    repaired: int = 0  # variants that passed only after a repair round
    fallback: int = 0  # cells the template engine wrote
    shipped: int = 0  # cells that shipped a variant
    shipped_untraced: int = 0  # shipped variants with a blocking ad-law or grounding finding on re-check
    seconds_per_variant: list[float] = field(default_factory=list)
    untraced_cells: list[str] = field(default_factory=list)

    @property
    def median_seconds(self) -> float:
        return statistics.median(self.seconds_per_variant) if self.seconds_per_variant else 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "kit": self.kit,
            "provider": self.provider,
            "model": self.model,
            "cells": self.cells,
            "requested": self.requested,
            "generated": self.generated,
            "unparseable": self.unparseable,
            "too_long": self.too_long,
            "blocked_adlaw": self.blocked_adlaw,
            "blocked_grounding": self.blocked_grounding,
            "blocked_repetition_or_language": self.blocked_degenerate,
            "repaired": self.repaired,
            "fallback": self.fallback,
            "shipped": self.shipped,
            "shipped_untraced": self.shipped_untraced,
            "median_seconds_per_variant": round(self.median_seconds, 4),
            "untraced_cells": list(self.untraced_cells),
        }


class _Counting(TextProvider):
    """Counts the replies of the wrapped provider (first tries and repairs alike)."""

    name: ClassVar[str] = "counting"

    def __init__(self, inner: TextProvider) -> None:
        super().__init__()
        self.inner = inner
        self.replies = 0
        self.continues_assistant = inner.continues_assistant  # type: ignore[misc]  # the wrapped one's prefill

    @property
    def model(self) -> str | None:
        return self.inner.model

    def info(self) -> ProviderInfo:
        return self.inner.info()

    def generate(self, requests: Sequence[TextRequest]) -> list[TextResult]:
        outputs = self.inner.generate(requests)
        self.replies += len(outputs)
        return outputs

    def stream(self, request: TextRequest) -> Iterator[str]:
        return self.inner.stream(request)


def default_cells(brand: BrandKit, pipeline: CopyPipeline, limit: int | None = None) -> list[CopyCell]:
    """The fixed cells of a kit (see the module docstring); the first `limit` of them."""
    from contentgen.domain import kit_segments, load_channels

    segments = {s.id: s for s in kit_segments(brand)}
    channels = load_channels()
    product = next((p for p in pipeline.catalog if p.in_stock), pipeline.catalog.products[0])
    cells = [
        CopyCell(segments[s], channels[c], (product,))
        for s in DEFAULT_SEGMENTS
        if s in segments
        for c in DEFAULT_CHANNELS
        if c in channels
    ]
    return cells[:limit] if limit is not None else cells


def recheck(pipeline: CopyPipeline, cell: CopyCell, variant: CopyVariant) -> list[str]:
    """Blocking ad-law and grounding findings on what ships, checked again from scratch."""
    from contentgen.compliance import adlaw
    from contentgen.compliance.grounding import FactSheet, ground_fields

    brand, locale = pipeline.brand, pipeline.brand.locale
    category = cell.products[0].category
    facts = FactSheet.build(cell.products, policies=pipeline.policies, brand=brand)
    found = [
        f
        for name, text in variant.fields.items()
        for f in adlaw.check(text, locale=locale, brand=brand, category=category, channel=cell.channel.id, field=name)
    ]
    found += ground_fields(variant.fields, facts, locale=locale)
    return [f"{f.rule}: {f.message}" for f in found if f.blocking]


def _count(report: CopyEvalReport, result: CopyResult) -> None:
    for d in result.dropped:
        if d.reason.startswith("field '"):
            report.too_long += 1
        elif "near-duplicate" not in d.reason:
            report.unparseable += 1
    for v in result.checked:
        if v.ready:
            continue
        rules = {f.rule for f in v.findings if f.blocking}
        if any(r.startswith("claim.") for r in rules):
            report.blocked_grounding += 1
        elif rules & {REPETITION_RULE, LANGUAGE_RULE, GARBLED_RULE}:
            report.blocked_degenerate += 1
        elif any(not r.startswith("channel.") for r in rules):
            report.blocked_adlaw += 1
    report.repaired += result.repaired


def evaluate_copy(
    brand: BrandKit,
    provider: TextProvider,
    *,
    cells: Sequence[CopyCell] | None = None,
    limit: int | None = None,
    n: int = DEFAULT_N,
    seed: int = 0,
    repair_tries: int = REPAIR_TRIES,
    on_cell: Callable[[int, int], None] | None = None,
) -> CopyEvalReport:
    """Run the copy pipeline on the fixed cells with `provider` and count what happened to the variants."""
    from contentgen.providers.text.template import TemplateTextProvider

    is_model = not isinstance(provider, TemplateTextProvider)
    counting = _Counting(provider) if is_model else None  # the pipeline repairs only for model providers
    pipeline = CopyPipeline(brand, text_provider=counting or provider, repair_tries=repair_tries, fallback=False)
    chosen = list(cells) if cells is not None else default_cells(brand, pipeline, limit)
    if cells is not None and limit is not None:
        chosen = chosen[:limit]
    templates = CopyPipeline(
        brand, text_provider=TemplateTextProvider(), catalog=pipeline.catalog, policies=pipeline.policies
    )
    report = CopyEvalReport(kit=brand.id, provider=provider.name, model=provider.model or "")
    for i, cell in enumerate(chosen):
        started = time.perf_counter()
        result = pipeline.run([cell], n=n, seed=seed)[0]
        report.seconds_per_variant.append((time.perf_counter() - started) / n)
        report.cells += 1
        report.requested += n
        _count(report, result)
        shipped = result.best
        if shipped is None and is_model and not result.error:
            report.fallback += 1  # what CopyPipeline(fallback=True) does: the template engine writes the cell
            shipped = templates.run([cell], n=n, seed=seed)[0].best
        if shipped is not None:
            report.shipped += 1
            problems = recheck(pipeline, cell, shipped)
            if problems:
                report.shipped_untraced += 1
                report.untraced_cells.append(f"{cell.segment.id}/{cell.channel.id}: {'; '.join(problems)}")
        if on_cell:
            on_cell(i + 1, len(chosen))
    report.generated = counting.replies if counting else sum(n * OVERSAMPLE for _ in chosen)
    return report


def render_table(reports: Sequence[CopyEvalReport]) -> object:
    """A rich table: one row per count, one column per kit."""
    from rich.table import Table

    table = Table(title="Copy evaluation")
    table.add_column("")
    for r in reports:
        table.add_column(f"{r.kit}\n{r.provider}" + (f" ({r.model})" if r.model else ""), justify="right")
    rows: list[tuple[str, Callable[[CopyEvalReport], str]]] = [
        ("cells", lambda r: str(r.cells)),
        ("variants requested", lambda r: str(r.requested)),
        ("replies generated", lambda r: str(r.generated)),
        ("unparseable", lambda r: str(r.unparseable)),
        ("too long for the channel", lambda r: str(r.too_long)),
        ("blocked by ad law", lambda r: str(r.blocked_adlaw)),
        ("blocked by grounding", lambda r: str(r.blocked_grounding)),
        ("blocked: repetition / wrong language", lambda r: str(r.blocked_degenerate)),
        ("repaired", lambda r: str(r.repaired)),
        ("cells fell back to templates", lambda r: str(r.fallback)),
        ("cells shipped", lambda r: str(r.shipped)),
        ("shipped untraced (must be 0)", lambda r: f"[red]{r.shipped_untraced}[/]" if r.shipped_untraced else "0"),
        ("median s / variant", lambda r: f"{r.median_seconds:.2f}"),
    ]
    for label, cell in rows:
        table.add_row(label, *(cell(r) for r in reports))
    return table


def parse_options(pairs: Sequence[str]) -> dict[str, object]:
    """`KEY=VALUE` pairs → provider options; values read as YAML scalars (64 → int, true → bool)."""
    import yaml

    from contentgen.errors import ConfigError

    options: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--option '{pair}': write KEY=VALUE, e.g. --option max_new_tokens=48")
        options[key.strip()] = yaml.safe_load(value) if value.strip() else ""
    return options
