"""`contentgen demo`: the main job on the shipped example brands, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from contentgen.cli.output import emit_json, out


def demo(
    out_dir: Annotated[Path | None, typer.Option("--out", help="Output folder; default outputs/demo.")] = None,
    n: Annotated[int, typer.Option("-n", help="Copy variants per cell.", min=1, max=20)] = 3,
    json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Validate the shipped brands, then write copy for every segment on its preferred channels."""
    from rich.progress import Progress

    from contentgen.config import load_settings
    from contentgen.domain import find_kits, load_channels, validate_kit
    from contentgen.pipelines.copy import CopyCell, CopyPipeline, write_results

    settings = load_settings()
    folder = out_dir or settings.output_dir / "demo"
    channels = load_channels()
    summaries = []
    samples = []
    with Progress(transient=True, disable=json) as progress:
        kits = list(find_kits().values())
        task = progress.add_task("demo", total=len(kits))
        for kit_folder in kits:
            report = validate_kit(kit_folder, channels=channels)
            brand = report.kit
            progress.update(task, description=f"writing copy for {brand.name}")
            pipeline = CopyPipeline(brand, catalog=report.catalog)
            hero = next(p for p in report.catalog if p.in_stock and p.on_sale)
            cells = [CopyCell(s, channels[c], (hero,)) for s in report.segments for c in s.preferred_channels]
            results = pipeline.run(cells, n=n)
            written = write_results(results, folder / brand.id)
            variants = [v for r in results for v in r.variants]
            summaries.append(
                {
                    **report.summary,
                    "hero_sku": hero.sku,
                    "cells": len(results),
                    "variants": len(variants),
                    "ready": sum(v.ready for v in variants),
                    "files": [str(p) for p in written],
                }
            )
            first = next(r for r in results if r.best)
            samples.append((brand.name, first))
            progress.advance(task)
    if json:
        emit_json(summaries)
        return
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    console = out()
    table = Table(
        "brand",
        "locale",
        "products",
        "segments",
        "hero product",
        "cells",
        "variants",
        "ready",
        title="contentgen demo: shipped brands validated, copy written for each segment's channels",
    )
    for s in summaries:
        table.add_row(
            f"{s['name']} ({s['id']})",
            str(s["locale"]),
            str(s["products"]),
            str(s["segments"]),
            str(s["hero_sku"]),
            str(s["cells"]),
            str(s["variants"]),
            str(s["ready"]),
        )
    console.print(table)
    for name, result in samples:
        best = result.best
        assert best is not None
        body = "\n\n".join(f"[bold]{field}[/]\n{escape(text)}" for field, text in best.fields.items())
        console.print(
            Panel(
                body,
                title=f"{name} · {result.segment} × {result.channel} · best of {len(result.variants)}",
                expand=False,
            )
        )
    console.print(f"Review the copy in {folder}/<brand>/copy.md (also .json and .csv).")
