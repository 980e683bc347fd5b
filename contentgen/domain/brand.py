"""Brand kits: palette, fonts, logo and voice, loaded from a folder with a kit.yaml."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, PrivateAttr, model_validator

from contentgen.domain.common import Colour, Locale, Model, Slug


class Palette(Model):
    primary: Colour
    secondary: Colour
    accent: Colour
    background: Colour
    text: Colour


class FontSpec(Model):
    """A font file inside the kit folder (`file`) or inside an installed Python package."""

    family: str
    file: str | None = None
    package: str | None = None
    resource: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> FontSpec:
        if bool(self.file) == bool(self.package):
            raise ValueError("give either 'file' (inside the kit folder) or 'package' and 'resource'")
        if self.package and not self.resource:
            raise ValueError("'package' needs 'resource', the font's path inside that package")
        return self


class Fonts(Model):
    heading: FontSpec
    body: FontSpec
    accent: FontSpec | None = None

    def roles(self) -> dict[str, FontSpec]:
        found = {"heading": self.heading, "body": self.body}
        if self.accent:
            found["accent"] = self.accent
        return found


class Logo(Model):
    primary: str = Field(description="PNG with alpha, inside the kit folder")
    vector: str | None = Field(default=None, description="SVG source of the same logo")
    on_dark: str | None = Field(default=None, description="variant for dark backgrounds")
    clear_space: float = Field(default=0.25, ge=0, le=2, description="free margin, as a fraction of logo height")
    min_width: int = Field(
        default=96, ge=16, description="smallest width in pixels the logo may be drawn at, on a 1080 px short side"
    )


class Disclaimer(Model):
    """A sentence that must appear; limited to some channels or product categories when listed."""

    text: str = Field(min_length=1)
    channels: list[Slug] = []
    categories: list[str] = []

    def applies(self, channel: str, category: str | None) -> bool:
        return (not self.channels or channel in self.channels) and (not self.categories or category in self.categories)


class Voice(Model):
    tone: list[str] = Field(min_length=1)
    do: list[str] = []
    dont: list[str] = []
    banned_words: list[str] = []
    disclaimers: list[Disclaimer] = []
    tagline: str = Field(min_length=1)
    hashtags: list[str] = []


class BrandKit(Model):
    """A brand's identity. Paths are relative to the kit folder, which `root` holds once loaded."""

    id: Slug
    name: str = Field(min_length=1)
    short_name: str | None = Field(default=None, description="name used in SMS signatures 【…】")
    locale: Locale
    description: str = ""
    palette: Palette
    fonts: Fonts
    logo: Logo
    voice: Voice
    catalog: str = "catalog.csv"
    policies: str | None = "policies"
    segments: str | None = Field(default=None, description="the kit's own segments file; default: the shared one")
    music: str | None = None

    _root: Path | None = PrivateAttr(default=None)

    @property
    def root(self) -> Path:
        if self._root is None:
            raise RuntimeError("this BrandKit was not loaded from a folder")
        return self._root

    @property
    def signature(self) -> str:
        return self.short_name or self.name

    def path(self, relative: str) -> Path:
        """Absolute path of a file named in the kit (already checked by the loader)."""
        return self.root / relative
