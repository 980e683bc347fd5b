"""Font files named by brand kits, and which characters they can draw."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from contentgen.domain.brand import FontSpec
from contentgen.resources import inside


class FontSourceError(ValueError):
    """The font a spec names cannot be found; the message says why."""


def resolve_font(spec: FontSpec, kit_root: Path) -> Path:
    """The font file a spec names: inside the kit folder, or inside an installed package."""
    if spec.file:
        path = inside(kit_root, spec.file)
        if path is None:
            raise FontSourceError(f"font path '{spec.file}' leaves the kit folder")
        if not path.is_file():
            raise FontSourceError(f"font file '{spec.file}' not found in {kit_root}")
        return path
    assert spec.package and spec.resource
    try:
        base = resources.files(spec.package)
    except ModuleNotFoundError:
        raise FontSourceError(
            f"font package '{spec.package}' is not installed (pip install {spec.package.replace('_', '-')})"
        ) from None
    target = base.joinpath(spec.resource)
    if not target.is_file():
        raise FontSourceError(f"package '{spec.package}' has no font '{spec.resource}'")
    return Path(str(target))


@lru_cache(maxsize=64)
def codepoints(path: Path) -> frozenset[int]:
    """Every code point the font maps to a glyph (collections use their first font)."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), fontNumber=0, lazy=True)
    try:
        cmap = font.getBestCmap() or {}
    finally:
        font.close()
    return frozenset(cmap)


def missing_chars(path: Path, text: str) -> list[str]:
    """Characters of `text` (whitespace aside) that the font cannot draw, in order of appearance."""
    have = codepoints(path)
    seen: dict[str, None] = {}
    for ch in text:
        if not ch.isspace() and ord(ch) not in have:
            seen.setdefault(ch)
    return list(seen)


@lru_cache(maxsize=1)
def common_hanzi() -> str:
    """The 3,755 level-1 characters of GB 2312: the everyday Chinese a body font must draw."""
    chars = []
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def coverage(path: Path, text: str) -> float:
    """Share of the distinct characters of `text` that the font can draw."""
    distinct = {ch for ch in text if not ch.isspace()}
    if not distinct:
        return 1.0
    have = codepoints(path)
    return sum(ord(ch) in have for ch in distinct) / len(distinct)
