"""What a copy request carries, shared by the copy pipeline and every text provider that writes copy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from contentgen.domain.brand import BrandKit
from contentgen.domain.brief import Brief
from contentgen.domain.channel import Channel
from contentgen.domain.common import Locale
from contentgen.domain.product import Product
from contentgen.domain.segment import Segment

COPY_TASK = "copy"


@dataclass(frozen=True)
class CopyTask:
    """One cell (brand × segment × channel × products) and the room each field has for generated text.

    `budgets` is what is left of each field's limit after the pipeline's own additions (hashtags,
    SMS signature, opt-out text, required disclaimers), so a provider that fills a field up to its
    budget produces a variant that fits.
    """

    brand: BrandKit
    segment: Segment
    channel: Channel
    products: Sequence[Product]
    brief: Brief | None
    budgets: dict[str, int]
    variant: int = 0
    prompts_path: Sequence[Path] = field(default_factory=tuple)
    seed: int = 0  # the run's seed: with `variant` it decides which angle a variant takes

    @property
    def locale(self) -> Locale:
        return self.brand.locale

    @property
    def product(self) -> Product:
        return self.products[0]
