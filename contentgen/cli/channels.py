"""`contentgen channels`: channel specs (copy limits, poster sizes, video formats)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from contentgen.cli.output import emit_json, out

app = typer.Typer(help="Channel specifications.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
DirOpt = Annotated[Path | None, typer.Option("--dir", help="Folder of channel files; default: the shipped one.")]


@app.command("list")
def list_channels(dir: DirOpt = None, json: JsonFlag = False) -> None:
    """List channels."""
    from contentgen.domain import load_channels

    channels = load_channels(dir)
    if json:
        emit_json([c.model_dump(mode="json") for c in channels.values()])
        return
    from rich.table import Table

    table = Table("id", "name", "kind", "fields", "poster sizes", "video", title="Channels")
    for c in channels.values():
        video = f"{'/'.join(c.video.aspects)} ≤{c.video.max_duration_s:g}s" if c.video else "—"
        table.add_row(
            c.id,
            f"{c.name.zh} / {c.name.en}",
            c.kind,
            ", ".join(c.fields),
            ", ".join(p.label for p in c.poster_sizes) or "—",
            video,
        )
    out().print(table)


@app.command("show")
def show(channel: str, dir: DirOpt = None, json: JsonFlag = False) -> None:
    """Show one channel's spec."""
    from contentgen.domain import load_channels
    from contentgen.errors import NotFoundError

    channels = load_channels(dir)
    if channel not in channels:
        raise NotFoundError("channel", channel, channels)
    c = channels[channel]
    if json:
        emit_json(c.model_dump(mode="json"))
        return
    from rich.table import Table

    console = out()
    console.print(f"[bold]{c.name.zh} / {c.name.en}[/] ({c.id}, {c.kind})")
    fields = Table("field", "length", "counted as", "required", title="Copy fields")
    for name, spec in c.fields.items():
        fields.add_row(name, f"{spec.min}–{spec.max}", spec.count, "yes" if spec.required else "no")
    console.print(fields)
    tags = c.hashtags
    console.print(f"hashtags: {tags.min}–{tags.max} as '{tags.style}'" + (f" in {tags.field}" if tags.field else ""))
    console.print(f"emoji: {'up to ' + str(c.emoji.max) if c.emoji.allowed else 'none'}")
    console.print(f"poster sizes: {', '.join(f'{p.name} {p.label}' for p in c.poster_sizes) or '—'}")
    if c.video:
        console.print(f"video: {', '.join(c.video.aspects)}, {c.video.min_duration_s:g}–{c.video.max_duration_s:g} s")
    zone = c.safe_zone
    if any((zone.top, zone.bottom, zone.left, zone.right)):
        console.print(
            f"safe zone (covered by the app): top {zone.top:.0%}, bottom {zone.bottom:.0%}, "
            f"left {zone.left:.0%}, right {zone.right:.0%}"
        )
    if c.notes:
        console.print(f"[italic]{c.notes.zh}\n{c.notes.en}[/]")
