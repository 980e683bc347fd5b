"""`contentgen segments`: the personas content is written for."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from contentgen.cli.output import emit_json, out

if TYPE_CHECKING:
    from contentgen.domain.common import Locale

app = typer.Typer(help="Customer segments (personas).", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
FileOpt = Annotated[Path | None, typer.Option("--file", "-f", help="Segments file; default: the shipped one.")]
LangOpt = Annotated[str, typer.Option("--lang", help="Language to show: zh or en.")]


def _lang(lang: str) -> Locale:
    from contentgen.errors import ConfigError

    if lang not in {"zh", "en"}:
        raise ConfigError(f"--lang must be 'zh' or 'en', not '{lang}'")
    return "zh-CN" if lang == "zh" else "en-US"


@app.command("list")
def list_segments(file: FileOpt = None, lang: LangOpt = "zh", json: JsonFlag = False) -> None:
    """List segments."""
    from contentgen.domain import load_segments

    segments = load_segments(file)
    if json:
        emit_json([s.model_dump(mode="json") for s in segments])
        return
    from rich.table import Table

    locale = _lang(lang)
    table = Table("id", "name", "age", "price sensitivity", "channels", title="Segments")
    for s in segments:
        table.add_row(
            s.id,
            s.name.get(locale),
            f"{s.age_range[0]}–{s.age_range[1]}",
            s.price_sensitivity,
            ", ".join(s.preferred_channels),
        )
    out().print(table)


@app.command("show")
def show(segment: str, file: FileOpt = None, lang: LangOpt = "zh", json: JsonFlag = False) -> None:
    """Show one segment in full."""
    from contentgen.domain import load_segments
    from contentgen.errors import NotFoundError

    segments = {s.id: s for s in load_segments(file)}
    if segment not in segments:
        raise NotFoundError("segment", segment, segments)
    s = segments[segment]
    if json:
        emit_json(s.model_dump(mode="json"))
        return
    locale = _lang(lang)
    console = out()
    console.print(f"[bold]{s.name.get(locale)}[/] ({s.id}) — {s.description.get(locale)}")
    console.print(
        f"age {s.age_range[0]}–{s.age_range[1]}; {', '.join(s.city_tiers)}; price sensitivity {s.price_sensitivity}"
    )
    for label in ("traits", "motivations", "pain_points", "tone_hints"):
        items = getattr(s, label).get(locale)
        console.print(f"[bold]{label.replace('_', ' ')}:[/] " + "; ".join(items))
    console.print(f"[bold]channels:[/] {', '.join(s.preferred_channels)}")
