"""Poster layouts as data: where each element goes, per aspect ratio, in fractions of the safe area.

A layout file (``layouts/<id>.yaml``) names its elements once with their style, then gives one frame per
aspect ratio it is designed for; a poster size takes the frame whose aspect is closest (on a log scale).
Boxes are ``[x, y, w, h]`` fractions of the *safe area*: the canvas minus the channel's interface
safe zone and the layout margin, so text placed by a layout never sits under a platform's buttons.
Font sizes are fractions of the canvas's short side, so one frame serves 1080×1080 and 2160×2160 alike.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from contentgen.domain.channel import SafeZone
from contentgen.domain.common import Model, Slug, Text
from contentgen.errors import NotFoundError

ElementName = Literal["logo", "headline", "subhead", "points", "price", "cta", "product", "disclaimer"]
TEXT_ELEMENTS: tuple[ElementName, ...] = ("headline", "subhead", "points", "cta", "disclaimer")
Align = Literal["left", "center", "right"]
VAlign = Literal["top", "middle", "bottom"]


class ElementStyle(Model):
    """How an element is drawn, wherever a frame puts it."""

    font: Literal["heading", "body"] = "body"
    size: tuple[float, float] = Field(default=(0.03, 0.05), description="[min, max] font size, fraction of short side")
    max_lines: int | None = Field(default=None, ge=1)
    align: Align = "left"
    valign: VAlign = "top"
    # A filled panel behind the element (CTA pill, price badge); None: text straight on the background.
    panel: Literal["pill", "badge", "tag"] | None = None
    required: bool = Field(default=True, description="a missing value is an error (else the element is skipped)")

    @field_validator("size")
    @classmethod
    def _size_order(cls, value: tuple[float, float]) -> tuple[float, float]:
        low, high = value
        if not 0 < low <= high <= 0.5:
            raise ValueError(f"size must be [min, max] with 0 < min <= max <= 0.5, got [{low}, {high}]")
        return value


class Frame(Model):
    """The boxes of one aspect ratio."""

    aspect: str = Field(pattern=r"^\d+(\.\d+)?:\d+(\.\d+)?$", description="width:height it is designed for, e.g. 9:16")
    boxes: dict[ElementName, tuple[float, float, float, float]]
    styles: dict[ElementName, ElementStyle] = Field(default={}, description="per-frame style overrides")

    @property
    def ratio(self) -> float:
        w, h = (float(v) for v in self.aspect.split(":"))
        return w / h

    @field_validator("boxes")
    @classmethod
    def _inside(
        cls, boxes: dict[ElementName, tuple[float, float, float, float]]
    ) -> dict[ElementName, tuple[float, float, float, float]]:
        for name, (x, y, w, h) in boxes.items():
            if w <= 0 or h <= 0 or x < 0 or y < 0 or x + w > 1.0001 or y + h > 1.0001:
                raise ValueError(f"box '{name}' [{x}, {y}, {w}, {h}] must lie inside [0, 1] with a positive size")
        return boxes


class Layout(Model):
    id: Slug
    name: Text
    description: Text
    use: list[Literal["poster", "video"]] = Field(default=["poster"], min_length=1, description="what it lays out")
    background: str | None = Field(default=None, description="procedural style hint: gradient, blobs, waves …")
    margin: float = Field(default=0.05, ge=0, lt=0.25, description="inner margin, fraction of the short side")
    elements: dict[ElementName, ElementStyle]
    frames: list[Frame] = Field(min_length=1)

    @model_validator(mode="after")
    def _frames_use_known_elements(self) -> Layout:
        for frame in self.frames:
            unknown = sorted(set(frame.boxes) - set(self.elements))
            if unknown:
                raise ValueError(f"frame {frame.aspect} places {', '.join(unknown)}, which 'elements' does not define")
            overlapping = _text_overlaps(frame)
            if overlapping:
                raise ValueError(f"frame {frame.aspect}: text boxes {overlapping[0]} and {overlapping[1]} overlap")
        return self

    def frame_for(self, width: int, height: int) -> Frame:
        """The frame whose aspect is closest to width:height."""
        target = math.log(width / height)
        return min(self.frames, key=lambda f: abs(math.log(f.ratio) - target))

    def style(self, frame: Frame, name: ElementName) -> ElementStyle:
        base = self.elements[name]
        override = frame.styles.get(name)
        if override is None:
            return base
        return base.model_copy(update=override.model_dump(exclude_unset=True))


def _text_overlaps(frame: Frame) -> tuple[str, str] | None:
    text = [(n, b) for n, b in frame.boxes.items() if n in (*TEXT_ELEMENTS, "price")]
    for i, (a, (ax, ay, aw, ah)) in enumerate(text):
        for b, (bx, by, bw, bh) in text[i + 1 :]:
            if ax < bx + bw - 1e-6 and bx < ax + aw - 1e-6 and ay < by + bh - 1e-6 and by < ay + ah - 1e-6:
                return a, b
    return None


def safe_area(width: int, height: int, zone: SafeZone, margin: float) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) pixels where text may go: inside the safe zone and the margin."""
    pad = round(margin * min(width, height))
    left = round(zone.left * width) + pad
    top = round(zone.top * height) + pad
    right = width - round(zone.right * width) - pad
    bottom = height - round(zone.bottom * height) - pad
    return left, top, right, bottom


def load_layouts(folder: Path | None = None) -> dict[str, Layout]:
    """Layout id → layout, one YAML file per layout; the file name must match the id."""
    from contentgen.fileio import load_folder
    from contentgen.resources import shipped

    return load_folder(Layout, folder or shipped("layouts"), "layout")


def poster_layouts(folder: Path | None = None) -> dict[str, Layout]:
    """The layouts made for posters (not the video scene layouts)."""
    return {k: v for k, v in load_layouts(folder).items() if "poster" in v.use}


def load_layout(name: str, folder: Path | None = None) -> Layout:
    layouts = load_layouts(folder)
    if name not in layouts:
        raise NotFoundError("layout", name, layouts)
    return layouts[name]
