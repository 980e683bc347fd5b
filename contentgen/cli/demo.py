"""`contentgen demo`: the main job on the shipped example brands, offline."""

from __future__ import annotations

from typing import Annotated

import typer

from contentgen.cli.output import emit_json, out


def demo(json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False) -> None:
    """Validate the shipped brands and show what a campaign for each would make."""
    from contentgen.domain import find_kits, load_channels, validate_kit

    channels = load_channels()
    reports = [validate_kit(folder, channels=channels) for folder in find_kits().values()]
    plans = []
    for report in reports:
        cells = [(s.id, c) for s in report.segments for c in s.preferred_channels]
        plans.append(
            {
                **report.summary,
                "copy_cells": len(cells),
                "posters": sum(len(channels[c].poster_sizes) for _, c in cells),
                "videos": sum(1 for _, c in cells if channels[c].video),
                "cells": [f"{s} × {c}" for s, c in cells],
            }
        )
    if json:
        emit_json(plans)
        return
    from rich.table import Table

    console = out()
    table = Table(
        "kit",
        "locale",
        "products",
        "segments",
        "copy cells",
        "posters",
        "videos",
        title="Shipped example brands: validated; a campaign over each segment's preferred channels makes",
    )
    for p in plans:
        table.add_row(
            f"{p['name']} ({p['id']})",
            str(p["locale"]),
            str(p["products"]),
            str(p["segments"]),
            str(p["copy_cells"]),
            str(p["posters"]),
            str(p["videos"]),
        )
    console.print(table)
