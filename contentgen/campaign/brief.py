"""Campaign briefs: one validated YAML file naming the kit, products, segments, channels and deliverables."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, Field, PrivateAttr, field_validator, model_validator

from contentgen.config import ProviderChoice
from contentgen.domain.brief import Brief, Promotion
from contentgen.domain.common import Locale, Model, Slug, first_repeat
from contentgen.domain.experiment import Experiment
from contentgen.errors import DataError, NotFoundError
from contentgen.fileio import Loc, load_structured, validate

M = TypeVar("M", bound=BaseModel)
ProductRef = str | list[str]
"""A SKU, or a list of SKUs written about together (a bundle or a set)."""


class CampaignBrief(Model):
    """What a campaign makes: every product × segment × channel, with the deliverables each channel asks for."""

    name: Slug = Field(description="campaign id; names the output folder")
    title: str | None = Field(default=None, description="display name, e.g. 青禾 618 敏感肌修护季")
    kit: str = Field(min_length=1, description="brand kit id, or a kit folder relative to this file")
    locale: Locale | None = Field(default=None, description="must match the kit's locale; default: the kit's")
    seed: int = 0
    products: list[ProductRef] = Field(min_length=1, description="SKUs; a list of SKUs is one bundle")
    segments: list[Slug] | None = Field(default=None, description="segment ids; default: every segment of the source")
    segments_file: str | None = Field(
        default=None, description="segments YAML (e.g. from `contentgen segments derive`), relative to this file"
    )
    channels: dict[Slug, dict[str, dict[str, Any] | None]] = Field(
        min_length=1, description="channel id → deliverable kind → its options (`copy: {n: 3}`, `poster: {}`)"
    )
    occasion: str | None = None
    key_message: str | None = None
    promotion: Promotion | None = Field(default=None, description="the only source of discounts, coupons and dates")
    providers: dict[str, ProviderChoice] = Field(
        default={}, description="provider per kind (text, image, speech) for this campaign; default: the settings"
    )

    experiment: Experiment | None = Field(
        default=None, description="A/B test over the variants: arms are variant letters (A = best ranked), a holdout"
    )

    _source: Path | None = PrivateAttr(default=None)
    _lines: dict[Loc, int] = PrivateAttr(default_factory=dict)

    @field_validator("products")
    @classmethod
    def _unique_products(cls, products: list[ProductRef]) -> list[ProductRef]:
        seen: set[tuple[str, ...]] = set()
        for ref in products:
            key = (ref,) if isinstance(ref, str) else tuple(ref)
            if not key:
                raise ValueError("a bundle needs at least one SKU")
            if key in seen:
                raise ValueError(f"{' + '.join(key)} is listed twice")
            seen.add(key)
        return products

    @field_validator("segments")
    @classmethod
    def _unique_segments(cls, segments: list[str] | None) -> list[str] | None:
        if segments is not None:
            if not segments:
                raise ValueError("list at least one segment, or leave the field out for all")
            twice = first_repeat(segments)
            if twice is not None:
                raise ValueError(f"segment '{twice}' is listed twice")
        return segments

    @field_validator("channels")
    @classmethod
    def _some_deliverable(cls, channels: dict[str, dict[str, dict[str, Any] | None]]) -> dict[str, Any]:
        for channel, deliverables in channels.items():
            if not deliverables:
                raise ValueError(f"channel '{channel}' asks for no deliverable; add e.g. `copy: {{n: 3}}`")
        return channels

    @model_validator(mode="after")
    def _provider_kinds(self) -> CampaignBrief:
        from contentgen.providers.base import KINDS

        for kind in self.providers:
            if kind not in KINDS:
                raise ValueError(f"providers: '{kind}' is not a provider kind; use one of {', '.join(KINDS)}")
        return self

    @property
    def source(self) -> Path | None:
        """The file this brief was loaded from."""
        return self._source

    @property
    def folder(self) -> Path:
        """Where relative paths in the brief start: the brief's folder, else the working directory."""
        return self._source.parent if self._source else Path.cwd()

    @property
    def copy_brief(self) -> Brief:
        """The part every piece of copy reads: occasion, key message, promotion terms."""
        return Brief(occasion=self.occasion, key_message=self.key_message, promotion=self.promotion)

    def product_groups(self) -> list[tuple[str, ...]]:
        return [(ref,) if isinstance(ref, str) else tuple(ref) for ref in self.products]

    def error(self, loc: Loc, message: str, *, hint: str | None = None) -> DataError:
        """A DataError pointing at a field of this brief (file:line: field)."""
        from contentgen.fileio import format_loc

        line = next((self._lines[loc[:cut]] for cut in range(len(loc), 0, -1) if loc[:cut] in self._lines), None)
        return DataError(self._source or "brief", message, line=line, field=format_loc(loc), hint=hint)

    def validate_at(self, model: type[M], data: Any, loc: Loc) -> M:
        """Validate a part of this brief against `model`; errors point at its file, line and field."""
        return validate(model, data, self._source or "brief", self._lines, prefix=loc)

    def unknown(self, loc: Loc, kind: str, name: str, valid: list[str]) -> DataError:
        """A DataError for a name the brief uses that does not exist, with the closest valid one."""
        import difflib

        close = difflib.get_close_matches(name, valid, n=1)
        shown = ", ".join(valid[:20]) + (" …" if len(valid) > 20 else "")
        hint = f"did you mean '{close[0]}'?" if close else f"valid: {shown or '(none)'}"
        return self.error(loc, f"unknown {kind} '{name}'", hint=hint)


def shipped_briefs() -> dict[str, Path]:
    """Name → path of the example briefs that ship with contentgen."""
    from contentgen.resources import shipped

    folder = shipped("campaigns")
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}


def find_brief(ref: str | Path) -> Path:
    """A brief file from a path, or the name of a shipped example brief (`qinghe-618`)."""
    path = Path(ref)
    if path.is_file():
        return path
    if path.exists():
        raise DataError(path, "not a brief file", hint="give the path of a campaign brief YAML")
    shipped = shipped_briefs()
    if str(ref) in shipped:
        return shipped[str(ref)]
    if path.suffix in {".yaml", ".yml", ".json"} or len(path.parts) > 1:
        raise DataError(path, "file not found")
    raise NotFoundError("campaign brief", str(ref), shipped)


def load_campaign_brief(ref: str | Path) -> CampaignBrief:
    """Load and validate a brief file (or a shipped example by name); errors name file:line: field."""
    path = find_brief(ref).resolve()
    data, lines = load_structured(path)
    if data is None:
        raise DataError(path, "file is empty")
    if not isinstance(data, dict):
        raise DataError(path, "expected a mapping of brief fields (name, kit, products, segments, channels …)")
    brief = validate(CampaignBrief, data, path, lines)
    brief._source = path
    brief._lines = lines
    return brief
