"""The domain model: brand kits, segments, products and channels, with their loaders."""

from contentgen.domain.brand import BrandKit, Disclaimer, Fonts, FontSpec, Logo, Palette, Voice
from contentgen.domain.catalog_io import load_catalog
from contentgen.domain.channel import Channel, FieldSpec, PosterSize, text_length
from contentgen.domain.common import LOCALES, Locale, Text, TextList
from contentgen.domain.loaders import (
    KitReport,
    find_kits,
    kit_segments,
    load_brand_kit,
    load_channels,
    load_kit_catalog,
    load_policies,
    load_segments,
    validate_kit,
)
from contentgen.domain.product import FAQ, Catalog, Product
from contentgen.domain.segment import Segment

__all__ = [
    "FAQ",
    "LOCALES",
    "BrandKit",
    "Catalog",
    "Channel",
    "Disclaimer",
    "FieldSpec",
    "FontSpec",
    "Fonts",
    "KitReport",
    "Locale",
    "Logo",
    "Palette",
    "PosterSize",
    "Product",
    "Segment",
    "Text",
    "TextList",
    "Voice",
    "find_kits",
    "kit_segments",
    "load_brand_kit",
    "load_catalog",
    "load_channels",
    "load_kit_catalog",
    "load_policies",
    "load_segments",
    "text_length",
    "validate_kit",
]
