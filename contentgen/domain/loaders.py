"""Finding and loading brand kits, segments and channel specs, checked down to their files."""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from contentgen.domain.brand import BrandKit
from contentgen.domain.catalog_io import load_catalog
from contentgen.domain.channel import Channel
from contentgen.domain.product import LOCALE_CURRENCY, Catalog
from contentgen.domain.segment import Segment, SegmentsFile
from contentgen.errors import DataError, NotFoundError
from contentgen.fileio import Loc, load_folder, load_model, load_structured, validate
from contentgen.resources import inside, shipped

KIT_FILE = "kit.yaml"
SEGMENTS_FILE = "segments.yaml"
MIN_HANZI_COVERAGE = 0.99


def kit_search_path(extra: Iterable[Path] = ()) -> list[Path]:
    """Folders holding kits, user folders first so they can shadow a shipped kit."""
    return [*extra, shipped("brand_kits")]


def find_kits(extra: Iterable[Path] = ()) -> dict[str, Path]:
    """Kit id (folder name) → kit folder, for every folder with a kit.yaml on the search path."""
    found: dict[str, Path] = {}
    for folder in kit_search_path(extra):
        if folder.is_dir():
            for kit_file in sorted(folder.glob(f"*/{KIT_FILE}")):
                found.setdefault(kit_file.parent.name, kit_file.parent)
    return found


def kit_folder(ref: str | Path, extra: Iterable[Path] = ()) -> Path:
    """A kit folder from an id, a folder path or a kit.yaml path."""
    path = Path(ref)
    if path.is_file() and path.name == KIT_FILE:
        return path.parent
    if (path / KIT_FILE).is_file():
        return path
    if path.exists():
        raise DataError(path, f"no {KIT_FILE} here", hint="a brand kit is a folder with a kit.yaml")
    kits = find_kits(extra)
    if str(ref) not in kits:
        raise NotFoundError("brand kit", str(ref), kits)
    return kits[str(ref)]


def load_brand_kit(ref: str | Path, *, extra: Iterable[Path] = ()) -> BrandKit:
    """Load and check a brand kit: every file it names exists inside its folder; fonts draw its script."""
    root = kit_folder(ref, extra).resolve()
    path = root / KIT_FILE
    data, lines = load_structured(path)
    if data is None:
        raise DataError(path, "file is empty")
    if not isinstance(data, dict):
        raise DataError(path, "expected a mapping of kit fields")
    kit = validate(BrandKit, data, path, lines)
    kit._root = root
    _check_files(kit, path, lines)
    _check_fonts(kit, path, lines)
    return kit


def _check_files(kit: BrandKit, path: Path, lines: dict[Loc, int]) -> None:
    named: list[tuple[Loc, str | None, bool]] = [
        (("logo", "primary"), kit.logo.primary, False),
        (("logo", "vector"), kit.logo.vector, False),
        (("logo", "on_dark"), kit.logo.on_dark, False),
        (("catalog",), kit.catalog, False),
        (("policies",), kit.policies, True),
        (("segments",), kit.segments, False),
        (("music",), kit.music, False),
    ]
    for loc, relative, is_dir in named:
        if relative is None:
            continue
        field = ".".join(str(p) for p in loc)
        resolved = inside(kit.root, relative)
        if resolved is None:
            raise DataError(
                path,
                f"path '{relative}' leaves the kit folder",
                line=lines.get(loc),
                field=field,
                hint="use a path relative to the kit folder",
            )
        exists = resolved.is_dir() if is_dir else resolved.is_file()
        if not exists:
            raise DataError(
                path,
                f"{'folder' if is_dir else 'file'} '{relative}' not found in {kit.root}",
                line=lines.get(loc),
                field=field,
            )


def _check_fonts(kit: BrandKit, path: Path, lines: dict[Loc, int]) -> None:
    from contentgen.fonts import FontSourceError, common_hanzi, coverage, missing_chars, resolve_font

    own_text = kit.name + kit.voice.tagline + (kit.short_name or "")
    for role, spec in kit.fonts.roles().items():
        loc: Loc = ("fonts", role)
        field = f"fonts.{role}"
        try:
            font = resolve_font(spec, kit.root)
        except FontSourceError as err:
            raise DataError(path, str(err), line=lines.get(loc), field=field) from None
        if kit.locale == "zh-CN":
            share = coverage(font, common_hanzi())
            if share < MIN_HANZI_COVERAGE:
                raise DataError(
                    path,
                    f"font '{spec.family}' draws only {share:.0%} of the 3,755 common Chinese characters",
                    line=lines.get(loc),
                    field=field,
                    hint="choose a CJK font such as Kurinto Sans SC",
                )
        latin = string.ascii_letters + string.digits
        missing = missing_chars(font, latin + own_text)
        if missing:
            raise DataError(
                path,
                f"font '{spec.family}' has no glyph for {', '.join(repr(c) for c in missing[:5])}",
                line=lines.get(loc),
                field=field,
                hint="choose a font that covers the brand's language",
            )


def load_kit_catalog(kit: BrandKit) -> Catalog:
    """The catalog the kit names, with image paths checked against the kit folder."""
    currency, source = kit_currency(kit)
    return load_catalog(kit.path(kit.catalog), assets_root=kit.root, currency=currency, currency_source=source)


def load_catalog_for_kit(kit: BrandKit, file: Path, mapping: Path | None = None) -> Catalog:
    """A catalog file of its own for the kit's posters and videos: ours, a Shopify/WooCommerce/Taobao export, or
    any export with a column `mapping` file (``{columns: {their column: our field}}``). The currency comes from
    the kit's locale, image paths are relative to the file's folder; what needs a look is in ``.warnings``."""
    from contentgen.domain.importers import load_mapping

    currency, source = kit_currency(kit)
    columns = load_mapping(mapping) if mapping is not None else None
    return load_catalog(file, currency=currency, currency_source=source, mapping=columns)


def kit_currency(kit: BrandKit) -> tuple[str, str]:
    """The currency a catalog of this kit is in (from its locale), and how to name where it came from."""
    return LOCALE_CURRENCY[kit.locale], f"kit '{kit.id}' ({kit.locale})"


def load_policies(kit: BrandKit) -> dict[str, str]:
    """Policy name (file stem) → Markdown text."""
    if kit.policies is None:
        return {}
    folder = kit.path(kit.policies)
    policies = {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))}
    for name, text in policies.items():
        if not text.strip():
            raise DataError(folder / f"{name}.md", "policy file is empty")
    return policies


def load_segments(path: Path | None = None) -> list[Segment]:
    """Segments from a file (default: the shipped, shared segments.yaml)."""
    return load_model(SegmentsFile, path or shipped("brand_kits") / SEGMENTS_FILE).segments


def kit_segments(kit: BrandKit) -> list[Segment]:
    return load_segments(kit.path(kit.segments) if kit.segments else None)


def load_channels(folder: Path | None = None) -> dict[str, Channel]:
    """Channel id → spec, one YAML file per channel; the file name must match the id."""
    return load_folder(Channel, folder or shipped("channels"), "channel")


def resolve_segment(kit: BrandKit, segment: Segment | str) -> Segment:
    """A segment given as itself or by id (the kit's own segments, else the shipped ones)."""
    if not isinstance(segment, str):
        return segment
    segments = {s.id: s for s in kit_segments(kit)}
    if segment not in segments:
        raise NotFoundError("segment", segment, segments)
    return segments[segment]


def resolve_channel(channel: Channel | str) -> Channel:
    """A channel given as itself or by id."""
    if not isinstance(channel, str):
        return channel
    channels = load_channels()
    if channel not in channels:
        raise NotFoundError("channel", channel, channels)
    return channels[channel]


def load_surface(name: str, folder: Path | None = None) -> Channel:
    """A text surface that is not a channel of its own (poster text, a video storyboard), written by the copy
    pipeline like a channel so that it is checked and grounded the same way: ``channels/surfaces/<name>.yaml``."""
    folder = folder or shipped("channels") / "surfaces"
    path = folder / f"{name}.yaml"
    if not path.is_file():
        raise NotFoundError("text surface", name, sorted(p.stem for p in folder.glob("*.yaml")))
    return load_model(Channel, path)


@dataclass
class KitReport:
    """What `kits validate` found for one kit."""

    kit: BrandKit
    catalog: Catalog
    policies: list[str]
    segments: list[Segment]
    channels: list[str] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, object]:
        return {
            "id": self.kit.id,
            "name": self.kit.name,
            "locale": self.kit.locale,
            "root": str(self.kit.root),
            "products": len(self.catalog),
            "categories": len(self.catalog.categories),
            "policies": self.policies,
            "segments": len(self.segments),
        }


def validate_kit(
    ref: str | Path, *, extra: Iterable[Path] = (), channels: dict[str, Channel] | None = None
) -> KitReport:
    """Load everything a kit brings and cross-check it (segment channels must exist, disclaimers name real channels)."""
    kit = load_brand_kit(ref, extra=extra)
    catalog = load_kit_catalog(kit)
    policies = load_policies(kit)
    segments = kit_segments(kit)
    channels = load_channels() if channels is None else channels
    kit_file = kit.root / KIT_FILE
    for i, disclaimer in enumerate(kit.voice.disclaimers):
        for channel in disclaimer.channels:
            if channel not in channels:
                raise NotFoundError(f"channel in {kit_file} voice.disclaimers[{i}]", channel, channels)
        for category in disclaimer.categories:
            if category not in catalog.categories:
                raise DataError(
                    kit_file,
                    f"category '{category}' is not in the catalog",
                    field=f"voice.disclaimers[{i}].categories",
                    hint=f"catalog categories: {', '.join(catalog.categories)}",
                )
    for segment in segments:
        for channel in segment.preferred_channels:
            if channel not in channels:
                raise NotFoundError(f"channel in segment '{segment.id}'", channel, channels)
    return KitReport(kit, catalog, list(policies), segments, sorted(channels))
