"""Customer segments: personas that copy, posters and videos are written for."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator, model_validator

from contentgen.domain.common import Model, Slug, Text, TextList, first_repeat

CityTier = Literal[
    "tier-1", "new-tier-1", "tier-2", "tier-3", "tier-4", "county", "rural", "metro", "suburban", "small-town"
]


class RfmStats(Model):
    """Aggregates of one RFM tier (never a single customer's values)."""

    customers: int = Field(ge=1)
    share: float = Field(ge=0, le=1, description="of all customers")
    recency_days_median: float = Field(ge=0)
    frequency_mean: float = Field(ge=0)
    monetary_mean: float = Field(ge=0)
    monetary_median: float = Field(ge=0)
    revenue_share: float = Field(ge=0, le=1, description="of all revenue")


class RfmProfile(Model):
    """Where a segment derived from customer data comes from: its RFM tier, statistics and suggested strategy."""

    tier: Slug
    as_of: date
    currency: str | None = None
    stats: RfmStats
    strategy: TextList


class Segment(Model):
    """A persona: who they are, what moves them, how to talk to them."""

    id: Slug
    name: Text
    description: Text
    age_range: tuple[int, int]
    city_tiers: list[CityTier] = Field(min_length=1)
    traits: TextList
    motivations: TextList
    pain_points: TextList
    preferred_channels: list[Slug] = Field(min_length=1)
    tone_hints: TextList
    price_sensitivity: Literal["low", "medium", "high"]
    interests: TextList | None = None
    rfm: RfmProfile | None = None  # set on segments derived from customer data (`contentgen segments derive`)

    @model_validator(mode="after")
    def _check(self) -> Segment:
        low, high = self.age_range
        if not 0 < low <= high < 120:
            raise ValueError(f"age_range must be [min, max] with 0 < min <= max < 120, got [{low}, {high}]")
        for name in ("traits", "motivations", "pain_points", "tone_hints"):
            texts: TextList = getattr(self, name)
            if not texts.zh or not texts.en:
                raise ValueError(f"{name} needs at least one entry in both zh and en")
        return self


class SegmentsFile(Model):
    version: Literal[1] = 1
    segments: list[Segment] = Field(min_length=1)

    @field_validator("segments")
    @classmethod
    def _unique(cls, segments: list[Segment]) -> list[Segment]:
        twice = first_repeat(seg.id for seg in segments)
        if twice is not None:
            raise ValueError(f"segment id '{twice}' appears twice")
        return segments
