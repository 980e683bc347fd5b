"""A rendered poster's files: PNG/JPEG images and the layout JSON, and the contact sheet of a run."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw

from contentgen.errors import ConfigError
from contentgen.render.poster_model import FALLBACK, PosterResult
from contentgen.render.typography import FontStack


def write_poster(
    result: PosterResult, folder: Path, *, formats: Sequence[Literal["png", "jpg"]] = ("png", "jpg")
) -> dict[str, str]:
    """Write the poster's images and layout JSON into `folder`, atomically; returns kind → path."""
    import io as _io

    from contentgen.fileio import write_bytes_atomic, write_text_atomic

    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    for fmt in formats:
        buffer = _io.BytesIO()
        if fmt == "png":
            result.image.save(buffer, "PNG", compress_level=1)  # fast: a poster is re-encoded where it is published
        else:
            result.image.save(buffer, "JPEG", quality=90)
        path = folder / f"{result.name}.{fmt}"
        write_bytes_atomic(path, buffer.getvalue())
        files[fmt] = str(path)
    layout_path = folder / f"{result.name}.json"
    files["layout"] = str(layout_path)
    result.files = files
    write_text_atomic(layout_path, json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
    return files


def contact_sheet(results: Sequence[PosterResult], path: Path, *, thumb: int = 320, columns: int = 6) -> Path:
    """A JPEG grid of the run's posters with their channel, size, layout and ready state under each."""
    from contentgen.fileio import write_bytes_atomic

    if not results:
        raise ConfigError("no posters to put on a contact sheet")
    stack = FontStack.from_specs([FALLBACK["body"]], Path())
    label_h = 44
    columns = min(columns, len(results))
    rows = math.ceil(len(results) / columns)
    sheet = Image.new("RGB", (columns * (thumb + 16) + 16, rows * (thumb + label_h + 16) + 16), "#F4F4F2")
    draw = ImageDraw.Draw(sheet)
    for i, result in enumerate(results):
        image = result.image.copy()
        image.thumbnail((thumb, thumb), Image.Resampling.LANCZOS)
        x = 16 + (i % columns) * (thumb + 16)
        y = 16 + (i // columns) * (thumb + label_h + 16)
        sheet.paste(image, (x + (thumb - image.width) // 2, y + (thumb - image.height) // 2))
        mark = "✓" if result.ready else "✗"
        colour = "#1B7F3B" if result.ready else "#B3261E"
        font = stack.font(13)
        draw.text((x, y + thumb + 4), f"{mark} {result.segment or ''} · {result.channel}", fill=colour, font=font)
        draw.text(
            (x, y + thumb + 22), f"{result.size.label} · {result.layout} · {result.sku}", fill="#333333", font=font
        )
    import io as _io

    buffer = _io.BytesIO()
    sheet.save(buffer, "JPEG", quality=88)
    write_bytes_atomic(path, buffer.getvalue())
    return path
