"""`contentgen poster`: posters per segment × channel × size × layout, with layout JSON and a contact sheet."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from contentgen.cli.output import chosen, emit_json, out, progress_bar

if TYPE_CHECKING:
    from contentgen.domain.brand import BrandKit
    from contentgen.domain.product import Catalog


CatalogOption = Annotated[
    Path | None,
    typer.Option(
        "--catalog",
        help="Products from this file (ours, or a Shopify/WooCommerce/Taobao export) instead of the kit's "
        "catalog; image paths are relative to its folder.",
    ),
]
"""`--catalog FILE`, for `poster` and `video` (read by ``external_catalog``)."""
MappingOption = Annotated[
    Path | None,
    typer.Option("--mapping", help="YAML {columns: {their column: our field}} for --catalog's columns."),
]


def poster(
    kit: Annotated[str, typer.Option("--kit", "-k", help="Brand kit id or folder.")],
    segment: Annotated[list[str] | None, typer.Option("--segment", "-s", help="Segment id (repeatable).")] = None,
    channel: Annotated[list[str] | None, typer.Option("--channel", "-c", help="Channel id (repeatable).")] = None,
    sku: Annotated[
        list[str] | None, typer.Option("--sku", help="Product SKU (repeatable); default: the first in-stock product.")
    ] = None,
    layout: Annotated[
        list[str] | None, typer.Option("--layout", "-l", help="Layout id (repeatable); default: hero-product.")
    ] = None,
    size: Annotated[
        list[str] | None, typer.Option("--size", help="Poster size name or WxH (repeatable); default: every size.")
    ] = None,
    all_segments: Annotated[bool, typer.Option("--all-segments", help="Every segment of the kit.")] = False,
    all_channels: Annotated[bool, typer.Option("--all-channels", help="Every channel with poster sizes.")] = False,
    all_layouts: Annotated[bool, typer.Option("--all-layouts", help="Every layout.")] = False,
    headline: Annotated[str | None, typer.Option("--headline", help="Explicit headline (skips the copy step).")] = None,
    subhead: Annotated[str | None, typer.Option("--subhead", help="Explicit sub-head.")] = None,
    cta: Annotated[str | None, typer.Option("--cta", help="Explicit call to action.")] = None,
    brief: Annotated[
        Path | None, typer.Option("--brief", help="Brief YAML: occasion, key message, promotion terms.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for backgrounds and copy.")] = 0,
    ocr: Annotated[bool, typer.Option("--ocr/--no-ocr", help="Read every poster back with OCR.")] = True,
    image_provider: Annotated[
        str | None, typer.Option("--image-provider", help="Image provider name (see `contentgen providers list`).")
    ] = None,
    text_provider: Annotated[str | None, typer.Option("--text-provider", help="Text provider name.")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Output folder; default outputs/posters/<kit>.")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the layout reports as JSON.")] = False,
    catalog_file: CatalogOption = None,
    mapping: MappingOption = None,
) -> None:
    """Render brand posters (PNG + JPEG + layout JSON) and a contact sheet of the run."""
    from contentgen.config import load_settings
    from contentgen.domain import kit_segments, load_brand_kit, load_channels
    from contentgen.domain.brief import Brief
    from contentgen.domain.layout import poster_layouts
    from contentgen.errors import ConfigError
    from contentgen.fileio import load_model
    from contentgen.pipelines.poster import PosterCopy, PosterPipeline, contact_sheet
    from contentgen.pipelines.poster_plan import DEFAULT_LAYOUTS, check_layouts, plan_posters
    from contentgen.providers.registry import from_settings

    settings = load_settings()
    brand = load_brand_kit(kit, extra=settings.kits_path)
    segments = {s.id: s for s in kit_segments(brand)}
    channels = {cid: c for cid, c in load_channels().items() if c.poster_sizes}
    layouts = poster_layouts()
    segment_ids = chosen(segment, all_segments, segments, "segment", "segment")
    channel_ids = chosen(channel, all_channels, channels, "channel", "channel with poster sizes")
    chosen_layouts = list(layouts) if all_layouts else layout or list(DEFAULT_LAYOUTS)
    check_layouts(chosen_layouts, layouts)  # before the providers load
    explicit = None
    if headline is not None:
        explicit = PosterCopy(headline=headline, subhead=subhead or "", cta=cta or "")
    elif subhead is not None or cta is not None:
        raise ConfigError("--subhead and --cta go with --headline (without it, the copy pipeline writes all three)")
    external = external_catalog(catalog_file, mapping, brand)  # checked before the providers load
    images = from_settings("image", settings, image_provider)
    texts = from_settings("text", settings, text_provider)
    pipeline = PosterPipeline(brand, image_provider=images, text_provider=texts, catalog=external, ocr=ocr)
    catalog = pipeline.catalog
    products = [catalog.get(s) for s in sku] if sku else [catalog.default_product()]
    the_brief = load_model(Brief, brief) if brief else None
    requests = plan_posters(
        [segments[s] for s in segment_ids],
        [channels[c] for c in channel_ids],
        products,
        layouts=chosen_layouts,
        sizes=size or (),
        available=layouts,
        copy=explicit,
        brief=the_brief,
        seed=seed,
    )
    folder = out_dir or settings.output_dir / "posters" / brand.id

    started = time.perf_counter()
    with progress_bar(json=json) as progress:
        task = progress.add_task(f"posters for {brand.name}", total=len(requests))
        results = pipeline.run(requests, out_dir=folder, on_result=lambda _: progress.update(task, advance=1))
    sheet = contact_sheet(results, folder / "contact-sheet.jpg")
    elapsed = time.perf_counter() - started
    if json:
        emit_json({"posters": [r.to_dict() for r in results], "contact_sheet": str(sheet)})
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table("segment", "channel", "size", "layout", "sku", "ready", "findings", title=f"{brand.name}: posters")
    for r in results:
        blocking = [f for f in r.findings if f.blocking]
        note = escape("; ".join(f"{f.field or f.rule}: {f.message}" for f in blocking)[:90]) if blocking else ""
        table.add_row(
            r.segment or "—",
            r.channel,
            r.size.label,
            r.layout,
            r.sku,
            "[green]yes[/]" if r.ready else "[red]no[/]",
            note,
        )
    console = out()
    console.print(table)
    ready = sum(r.ready for r in results)
    console.print(f"{ready}/{len(results)} ready, {elapsed:.1f} s; posters in {folder}, contact sheet {sheet}")


def external_catalog(file: Path | None, mapping: Path | None, brand: BrandKit) -> Catalog | None:
    """``--catalog FILE [--mapping map.yaml]`` (``load_catalog_for_kit``), its warnings on stderr; None: the kit's
    own catalog. Shared by `contentgen poster` and `contentgen video`."""
    from contentgen.errors import ConfigError

    if file is None:
        if mapping is not None:
            raise ConfigError("--mapping goes with --catalog FILE (it names the columns of that file)")
        return None
    from rich.markup import escape

    from contentgen.cli.output import err
    from contentgen.domain.loaders import load_catalog_for_kit

    catalog = load_catalog_for_kit(brand, file, mapping)
    for warning in catalog.warnings:
        err().print(f"[yellow]Warning:[/] {escape(warning)}", highlight=False)
    return catalog
