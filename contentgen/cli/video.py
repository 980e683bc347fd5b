"""`contentgen video`: a short branded video with voice-over, captions and music, plus SRT, VTT and storyboard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from contentgen.cli.output import emit_json, out
from contentgen.cli.poster import CatalogOption, MappingOption


def video(
    kit: Annotated[str, typer.Option("--kit", "-k", help="Brand kit id or folder.")],
    segment: Annotated[str, typer.Option("--segment", "-s", help="Segment id.")],
    channel: Annotated[str, typer.Option("--channel", "-c", help="Channel id (one that takes video).")] = "douyin",
    sku: Annotated[
        str | None, typer.Option("--sku", help="Product SKU; default: the storyboard's, else the first in stock.")
    ] = None,
    aspect: Annotated[
        Literal["9:16", "1:1", "16:9", "3:4", "4:3"] | None,
        typer.Option("--aspect", help="9:16, 1:1 or 16:9; default: the channel's first (9:16 first)."),
    ] = None,
    storyboard: Annotated[
        Path | None, typer.Option("--storyboard", help="Render this (edited) storyboard JSON instead of writing one.")
    ] = None,
    brief: Annotated[
        Path | None, typer.Option("--brief", help="Brief YAML: occasion, key message, promotion terms.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the storyboard, pictures and music.")] = 0,
    resolution: Annotated[
        int, typer.Option("--resolution", help="Short side in pixels (540 for a quick draft).", min=180, max=2160)
    ] = 1080,
    text_provider: Annotated[str | None, typer.Option("--text-provider", help="Text provider name.")] = None,
    image_provider: Annotated[str | None, typer.Option("--image-provider", help="Image provider name.")] = None,
    speech_provider: Annotated[str | None, typer.Option("--speech-provider", help="Speech provider name.")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Output folder; default outputs/videos/<kit>.")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    catalog_file: CatalogOption = None,
    mapping: MappingOption = None,
) -> None:
    """Make a short video: storyboard, branded scenes with motion, voice, timed captions, music; MP4 + SRT + VTT."""
    from contentgen.cli.poster import external_catalog
    from contentgen.config import load_settings
    from contentgen.domain import load_brand_kit
    from contentgen.domain.brief import Brief
    from contentgen.fileio import load_model
    from contentgen.pipelines.video import make_video
    from contentgen.providers.registry import from_settings

    settings = load_settings()
    brand = load_brand_kit(kit, extra=settings.kits_path)
    external = external_catalog(catalog_file, mapping, brand)  # checked before the providers load
    texts = from_settings("text", settings, text_provider)
    images = from_settings("image", settings, image_provider)
    speech = from_settings("speech", settings, speech_provider)

    from rich.status import Status

    with Status(f"making a video for {brand.name} …", console=out(), spinner="dots") as status:
        if json:
            status.stop()
        result = make_video(
            brand,
            segment,
            channel,
            sku,  # default: the storyboard's product, else the first in stock
            aspect=aspect,
            storyboard=storyboard,
            brief=load_model(Brief, brief) if brief else None,
            seed=seed,
            out_dir=out_dir,
            short_side=resolution,
            text_provider=texts,
            image_provider=images,
            speech_provider=speech,
            catalog=external,
        )
    if json:
        emit_json(result.to_dict())
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table("beat", "narration", title=f"{brand.name}: {result.video.name}")
    for scene in result.storyboard.scenes:
        table.add_row(scene.beat, escape(scene.narration))
    console = out()
    console.print(table)
    state = "[green]ready[/]" if result.ready else "[red]not ready[/]"
    console.print(
        f"{state}: {result.duration:.1f} s {result.size[0]}×{result.size[1]} at {result.fps} fps, "
        f"rendered in {result.render_seconds:.1f} s"
    )
    for finding in result.findings:
        console.print(f"  [yellow]{escape(finding.rule)}[/]: {escape(finding.message)}")
    console.print(f"video {result.video}\ncover {result.cover}\ncaptions {result.srt}, {result.vtt}")
    console.print(f"storyboard {result.storyboard_file} (edit it, then: contentgen video … --storyboard FILE)")
