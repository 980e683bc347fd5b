"""Shared building blocks of the domain model."""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

Locale = Literal["zh-CN", "en-US"]
LOCALES: tuple[Locale, ...] = ("zh-CN", "en-US")

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$"),
]
"""Identifier for kits, segments, channels: lower-case letters, digits, '-' and '_'."""

H = TypeVar("H", bound=Hashable)


def first_repeat(values: Iterable[H]) -> H | None:
    """The first value that appears a second time, or None when all are distinct (for 'appears twice' errors)."""
    seen: set[H] = set()
    for value in values:
        if value in seen:
            return value
        seen.add(value)
    return None


_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _hex_colour(value: str) -> str:
    if not _HEX.match(value):
        raise ValueError("colour must be '#RRGGBB'")
    return value.upper()


Colour = Annotated[str, AfterValidator(_hex_colour)]


class Model(BaseModel):
    """Base for every data file model: unknown fields are errors, strings are stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Text(Model):
    """A text in both shipped languages."""

    zh: str
    en: str

    def get(self, locale: Locale) -> str:
        return self.zh if locale == "zh-CN" else self.en


class TextList(Model):
    """A list of short texts in both shipped languages."""

    zh: list[str]
    en: list[str]

    def get(self, locale: Locale) -> list[str]:
        return self.zh if locale == "zh-CN" else self.en


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
