"""Channel specifications: copy limits, hashtag and emoji norms, poster sizes, video format."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

from pydantic import Field, model_validator

from contentgen.domain.common import Locale, Model, Slug, Text

Aspect = Literal["9:16", "3:4", "1:1", "4:3", "16:9"]


def text_length(text: str, count: Literal["chars", "width"] = "chars") -> int:
    """Length as a platform counts it: characters, or display width (CJK and full-width count 2)."""
    if count == "chars":
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class FieldSpec(Model):
    """One text field of a channel's copy (title, body, subject, …)."""

    max: int = Field(gt=0, description="maximum length in `count` units")
    min: int = Field(default=0, ge=0)
    required: bool = True
    count: Literal["chars", "width"] = "chars"
    purpose: Text | None = None

    @model_validator(mode="after")
    def _min_below_max(self) -> FieldSpec:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is larger than max ({self.max})")
        return self

    def fits(self, text: str) -> bool:
        return self.min <= text_length(text, self.count) <= self.max


class HashtagSpec(Model):
    min: int = Field(default=0, ge=0)
    max: int = Field(default=0, ge=0)
    style: Literal["#tag", "#tag#"] = "#tag"
    field: str | None = Field(default=None, description="field the hashtags go into; None means none")

    def format(self, tag: str) -> str:
        tag = tag.strip().strip("#")
        return f"#{tag}#" if self.style == "#tag#" else f"#{tag}"


class EmojiSpec(Model):
    allowed: bool = False
    max: int = Field(default=0, ge=0)


class PosterSize(Model):
    name: str
    width: int = Field(ge=100, le=8000)
    height: int = Field(ge=100, le=8000)

    @property
    def label(self) -> str:
        return f"{self.width}x{self.height}"


class SafeZone(Model):
    """Fractions of each edge covered by the platform's interface; keep text out of them."""

    top: float = Field(default=0.0, ge=0, lt=0.5)
    bottom: float = Field(default=0.0, ge=0, lt=0.5)
    left: float = Field(default=0.0, ge=0, lt=0.5)
    right: float = Field(default=0.0, ge=0, lt=0.5)


class VideoSpec(Model):
    aspects: list[Aspect] = Field(min_length=1)
    max_duration_s: float = Field(gt=0)
    min_duration_s: float = Field(default=0, ge=0)
    caption_max_chars: dict[Locale, Annotated[int, Field(ge=4, le=80)]] = Field(
        default={},
        description="most characters on a burned-in caption line, per locale (the platform's reading habit); "
        "captions are also never wider than the frame allows",
    )


class Requirements(Model):
    """Channel rules that apply to every message (SMS signature, opt-out text)."""

    signature: bool = False
    opt_out: Text | None = None
    # Posters draw the brand's disclaimers in a box of their own instead of appending them to the text.
    disclaimers: bool = Field(default=True, description="append the brand's required disclaimers to the main field")


class Channel(Model):
    id: Slug
    name: Text
    kind: Literal["social", "messaging", "article", "email", "live"]
    fields: dict[str, FieldSpec] = Field(min_length=1)
    hashtags: HashtagSpec = HashtagSpec()
    emoji: EmojiSpec = EmojiSpec()
    poster_sizes: list[PosterSize] = []
    video: VideoSpec | None = None
    safe_zone: SafeZone = SafeZone()
    requirements: Requirements = Requirements()
    notes: Text | None = None

    @model_validator(mode="after")
    def _hashtag_field_exists(self) -> Channel:
        if self.hashtags.field is not None and self.hashtags.field not in self.fields:
            raise ValueError(
                f"hashtags.field '{self.hashtags.field}' is not one of the fields: {', '.join(self.fields)}"
            )
        return self
