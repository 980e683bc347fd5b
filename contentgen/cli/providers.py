"""`contentgen providers`: what is registered for each kind, and what is selected."""

from __future__ import annotations

from typing import Annotated

import typer

from contentgen.cli.output import emit_json, out

app = typer.Typer(help="Text, image, embedding and speech providers.", no_args_is_help=True)


@app.command("list")
def list_providers(json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False) -> None:
    """List registered providers (built-in and plugins) and the configured choice per kind."""
    from contentgen.config import load_settings
    from contentgen.providers import KINDS, available

    settings = load_settings()
    rows = [
        {"kind": kind, "name": name, "target": target, "selected": getattr(settings, kind).name == name}
        for kind in KINDS
        for name, target in available(kind).items()
    ]
    if json:
        emit_json(rows)
        return
    from rich.table import Table

    table = Table("kind", "name", "class", "selected", title="Providers")
    for row in rows:
        table.add_row(row["kind"], row["name"], row["target"], "✓" if row["selected"] else "")
    out().print(table)
