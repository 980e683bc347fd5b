"""`contentgen host`: a virtual livestream host for a line-up, answering a comment queue."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from contentgen.cli.output import emit_json, err, out

_STYLE = {
    "opening": "bold",
    "product": "bold cyan",
    "price": "bold yellow",
    "cta": "green",
    "comments": "bold",
    "comment": "italic cyan",
    "closing": "bold",
    "between": "dim",
}


def host(
    skus: Annotated[str, typer.Option("--skus", help="The line-up: comma-separated SKUs, in show order.")],
    kit: Annotated[str | None, typer.Option("--kit", "-k", help="Brand kit id (its host agent).")] = None,
    agent: Annotated[
        str | None, typer.Option("--agent", "-a", help="Host definition: a shipped name or a YAML file.")
    ] = None,
    comments: Annotated[
        str | None, typer.Option("--comments", help="Viewer comments, one per line: a file, or - for stdin.")
    ] = None,
    pace: Annotated[
        float, typer.Option("--pace", min=0, help="Wait this fraction of each line's speaking time (1 = real time).")
    ] = 0.0,
    text_provider: Annotated[
        str | None, typer.Option("--text-provider", help="Answer comments with this text provider.")
    ] = None,
    chroma_url: Annotated[str | None, typer.Option("--chroma-url", help="A Chroma server; default: local.")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the structured run as JSON.")] = False,
) -> None:
    """Run a show: opening, a segment per product (persona angle, price from the catalog, call to action),
    then grounded answers to the comments (purchase questions first, duplicates merged), with timings."""
    from contentgen.agent import load_host
    from contentgen.errors import ConfigError, DataError

    if not (kit or agent):
        raise ConfigError("give --kit KIT or --agent NAME|FILE (e.g. --kit qinghe)")
    wanted = [s.strip() for s in skus.split(",") if s.strip()]
    if not wanted:
        raise ConfigError("--skus: give at least one SKU, e.g. --skus QH-TNR-001,QH-SER-001")
    with err().status("opening the catalog (the first run ingests it)…", spinner="dots"):
        show = load_host(agent or kit or "", text_provider=text_provider, chroma_url=chroma_url)
    products = [show.agent.retriever.get(sku) for sku in wanted]
    lines: list[str] = []
    if comments == "-":
        lines = sys.stdin.read().splitlines()
    elif comments:
        from contentgen.fileio import read_text

        path = Path(comments)
        if not path.is_file():
            raise DataError(path, "comments file not found", hint="give a text file, one comment per line, or -")
        lines = read_text(path).splitlines()
    run = show.run(products, lines)
    if json:
        clock = 0.0
        items = []
        for line in run:
            items.append({"start": round(clock, 1), **line.to_dict()})
            clock += line.seconds
        emit_json(
            {
                "agent": show.agent.definition.name,
                "kit": show.agent.brand.id,
                "products": [p.sku for p in products],
                "comments": len(lines),
                "total_seconds": round(clock, 1),
                "lines": items,
            }
        )
        return
    from rich.markup import escape

    console = out()
    clock = 0.0
    for line in run:
        if line.kind == "product":
            console.rule(escape(line.text), style="cyan")
        else:
            style = _STYLE.get(line.kind, "")
            if line.kind == "answer" and line.outcome in {"refusal", "handoff"}:
                style = "magenta"
            stamp = f"[dim]{int(clock) // 60:02d}:{int(clock) % 60:02d}[/]"
            text = f"[{style}]{escape(line.text)}[/]" if style else escape(line.text)
            console.print(f"{stamp}  {text}", highlight=False, soft_wrap=True)
        clock += line.seconds
        if pace:
            time.sleep(line.seconds * pace)
    console.print(
        f"[dim]{len(products)} products, {len(lines)} comments, about {int(clock) // 60} min {int(clock) % 60} s[/]"
    )
