"""`contentgen copy`: ranked copy variants per segment × channel."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from contentgen.cli.output import chosen, emit_json, out, progress_bar


def copy(
    kit: Annotated[str, typer.Option("--kit", "-k", help="Brand kit id or folder.")],
    segment: Annotated[list[str] | None, typer.Option("--segment", "-s", help="Segment id (repeatable).")] = None,
    channel: Annotated[list[str] | None, typer.Option("--channel", "-c", help="Channel id (repeatable).")] = None,
    sku: Annotated[
        list[str] | None,
        typer.Option(
            "--sku",
            help="Product SKU (repeatable: one cell about several products); default: the first in-stock product.",
        ),
    ] = None,
    all_segments: Annotated[bool, typer.Option("--all-segments", help="Every segment of the kit.")] = False,
    all_channels: Annotated[bool, typer.Option("--all-channels", help="Every channel.")] = False,
    n: Annotated[int, typer.Option("-n", help="Variants per cell.", min=1, max=50)] = 5,
    seed: Annotated[int, typer.Option("--seed", help="Seed for reproducible variety.")] = 0,
    brief: Annotated[
        Path | None, typer.Option("--brief", help="Brief YAML: occasion, key message, promotion terms.")
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for copy.json/.md/.csv; default outputs/copy/<kit>.")
    ] = None,
    formats: Annotated[str, typer.Option("--format", help="Comma-separated: json,md,csv.")] = "json,md,csv",
    text_provider: Annotated[
        str | None, typer.Option("--text-provider", help="Text provider name (see `contentgen providers list`).")
    ] = None,
    prompts_dir: Annotated[
        list[Path] | None, typer.Option("--prompts-dir", help="Folder of templates that shadow the shipped ones.")
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Write ranked, compliant, grounded copy variants for segments × channels."""
    from contentgen.config import load_settings
    from contentgen.domain import kit_segments, load_brand_kit, load_channels
    from contentgen.domain.brief import Brief
    from contentgen.fileio import load_model
    from contentgen.pipelines.copy import CopyCell, CopyPipeline
    from contentgen.pipelines.copy_files import write_results
    from contentgen.providers.registry import from_settings

    settings = load_settings()
    brand = load_brand_kit(kit, extra=settings.kits_path)
    segments = {s.id: s for s in kit_segments(brand)}
    channels = load_channels()
    segment_ids = chosen(segment, all_segments, segments, "segment", "segment")
    channel_ids = chosen(channel, all_channels, channels, "channel", "channel")
    provider = from_settings("text", settings, text_provider)
    pipeline = CopyPipeline(brand, text_provider=provider, prompts_path=[*(prompts_dir or []), *settings.prompts_path])
    catalog = pipeline.catalog
    products = tuple(catalog.get(s) for s in sku) if sku else (catalog.default_product(),)
    the_brief = load_model(Brief, brief) if brief else None
    cells = [CopyCell(segments[s], channels[c], products) for s in segment_ids for c in channel_ids]

    started = time.perf_counter()
    with progress_bar(json=json) as progress:
        task = progress.add_task(f"writing copy for {brand.name}", total=len(cells))
        results = pipeline.run(
            cells, brief=the_brief, n=n, seed=seed, on_result=lambda _: progress.update(task, advance=1)
        )
    elapsed = time.perf_counter() - started
    folder = out_dir or settings.output_dir / "copy" / brand.id
    written = write_results(results, folder, [f.strip() for f in formats.split(",") if f.strip()])
    if json:
        emit_json([r.model_dump(mode="json") for r in results])
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(
        "segment",
        "channel",
        "ready",
        "best variant",
        "score",
        title=f"{brand.name}: copy for {', '.join(p.sku for p in products)}",
    )
    for r in results:
        if r.error:
            table.add_row(r.segment, r.channel, "[red]0/0[/]", f"[red]{escape(r.error)}[/]", "—")
            continue
        best = r.best or (r.variants[0] if r.variants else None)
        preview = escape(next(iter(best.fields.values())).replace("\n", " ")[:60]) if best else "—"
        ready = sum(v.ready for v in r.variants)
        table.add_row(r.segment, r.channel, f"{ready}/{len(r.variants)}", preview, f"{best.score:.2f}" if best else "—")
    console = out()
    console.print(table)
    total = sum(len(r.variants) for r in results)
    console.print(
        f"{total} variants in {len(results)} cells, {elapsed:.1f} s; written: {', '.join(str(p) for p in written)}"
    )
