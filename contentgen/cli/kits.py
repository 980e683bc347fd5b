"""`contentgen kits`: list, show and validate brand kits."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from contentgen.cli.output import emit_json, error, out

app = typer.Typer(help="Brand kits: list, show, validate.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
KitsDir = Annotated[
    list[Path] | None, typer.Option("--kits-dir", help="Extra folder of kits, searched before the shipped ones.")
]


def _extra(kits_dir: list[Path] | None) -> list[Path]:
    from contentgen.config import load_settings

    return [*(kits_dir or []), *load_settings().kits_path]


@app.command("list")
def list_kits(kits_dir: KitsDir = None, json: JsonFlag = False) -> None:
    """List the brand kits on the search path."""
    from contentgen.domain import find_kits, load_brand_kit
    from contentgen.errors import ContentgenError

    rows: list[dict[str, str]] = []
    for kit_id, folder in find_kits(_extra(kits_dir)).items():
        try:
            kit = load_brand_kit(folder)
            rows.append({"id": kit_id, "name": kit.name, "locale": kit.locale, "path": str(folder), "status": "ok"})
        except ContentgenError:
            rows.append({"id": kit_id, "name": "", "locale": "", "path": str(folder), "status": "invalid"})
    if json:
        emit_json(rows)
        return
    from rich.table import Table

    table = Table("id", "name", "locale", "folder", "status", title="Brand kits")
    for row in rows:
        status = "ok" if row["status"] == "ok" else "[red]invalid[/] (contentgen kits validate " + row["id"] + ")"
        table.add_row(row["id"], row["name"], row["locale"], row["path"], status)
    out().print(table)


@app.command("show")
def show(
    kit: Annotated[str, typer.Argument(help="Kit id or folder.")], kits_dir: KitsDir = None, json: JsonFlag = False
) -> None:
    """Show a kit: palette, fonts, voice and catalog summary."""
    from contentgen.domain import load_brand_kit, load_kit_catalog

    brand = load_brand_kit(kit, extra=_extra(kits_dir))
    catalog = load_kit_catalog(brand)
    if json:
        emit_json(
            {
                **brand.model_dump(mode="json"),
                "root": str(brand.root),
                "products": len(catalog),
                "categories": catalog.categories,
            }
        )
        return
    from rich.panel import Panel
    from rich.table import Table

    console = out()
    console.print(
        Panel.fit(
            f"[bold]{brand.name}[/]  ({brand.id}, {brand.locale})\n{brand.description}\n"
            f"[italic]{brand.voice.tagline}[/]",
            title="Brand kit",
        )
    )
    palette = Table("role", "colour", "", title="Palette")
    for role, colour in brand.palette.model_dump().items():
        palette.add_row(role, colour, f"[on {colour}]      [/]")
    console.print(palette)
    fonts = Table("role", "family", "source", title="Fonts")
    for role, spec in brand.fonts.roles().items():
        fonts.add_row(role, spec.family, spec.file or f"{spec.package}:{spec.resource}")
    console.print(fonts)
    voice = brand.voice
    console.print(f"[bold]Tone:[/] {', '.join(voice.tone)}")
    console.print(f"[bold]Banned words:[/] {', '.join(voice.banned_words) or '—'}")
    console.print(f"[bold]Hashtags:[/] {' '.join('#' + h for h in voice.hashtags) or '—'}")
    for disclaimer in voice.disclaimers:
        scope = ", ".join(disclaimer.categories or disclaimer.channels) or "all"
        console.print(f"[bold]Disclaimer[/] ({scope}): {disclaimer.text}")
    console.print(
        f"[bold]Catalog:[/] {len(catalog)} products in {len(catalog.categories)} categories: "
        f"{', '.join(catalog.categories)}"
    )


@app.command("validate")
def validate(
    kits: Annotated[list[str] | None, typer.Argument(help="Kit ids or folders; default: every kit found.")] = None,
    kits_dir: KitsDir = None,
    json: JsonFlag = False,
) -> None:
    """Check kits with everything they name: files, fonts, catalog, policies, segments."""
    from contentgen.domain import find_kits, load_channels, validate_kit
    from contentgen.errors import ContentgenError

    extra = _extra(kits_dir)
    refs = kits or list(find_kits(extra))
    channels = load_channels()
    results: list[dict[str, Any]] = []
    for ref in refs:
        try:
            results.append({"kit": ref, "ok": True, **validate_kit(ref, extra=extra, channels=channels).summary})
        except ContentgenError as exc:
            results.append({"kit": ref, "ok": False, "error": str(exc)})
    failed = [r for r in results if not r["ok"]]
    if json:
        emit_json(results)
    else:
        from rich.table import Table

        table = Table("kit", "status", "locale", "products", "segments", "policies", title="Kit validation")
        for r in results:
            if r["ok"]:
                table.add_row(
                    str(r["kit"]),
                    "[green]ok[/]",
                    str(r["locale"]),
                    str(r["products"]),
                    str(r["segments"]),
                    ", ".join(r["policies"]),
                )
            else:
                table.add_row(str(r["kit"]), "[red]failed[/]", "", "", "", "")
        out().print(table)
    for r in failed:
        error(str(r["error"]))
    if failed:
        raise typer.Exit(1)
