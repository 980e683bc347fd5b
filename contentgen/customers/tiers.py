"""RFM tier definitions: where each tier sits in RFM score space, its persona and its suggested strategy."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from contentgen.domain.common import Model, Slug, TextList, first_repeat
from contentgen.domain.segment import Segment
from contentgen.fileio import load_model

TIERS_FILE = Path(__file__).resolve().parent / "tiers.yaml"


class Centre(Model):
    """Typical mean percentile scores (0 worst, 1 best) of a tier's customers: recent, frequent, monetary."""

    recency: float = Field(ge=0, le=1)
    frequency: float = Field(ge=0, le=1)
    monetary: float = Field(ge=0, le=1)

    def vector(self) -> tuple[float, float, float]:
        return self.recency, self.frequency, self.monetary


class TierDefinition(Model):
    """One tier: a cluster whose mean scores lie nearest `centre` is named after it and written as `persona`."""

    tier: Slug
    centre: Centre
    strategy: TextList
    persona: Segment

    @model_validator(mode="after")
    def _check(self) -> TierDefinition:
        if not self.strategy.zh or len(self.strategy.zh) != len(self.strategy.en):
            raise ValueError("strategy needs the same number of zh and en entries, at least one")
        if self.persona.rfm is not None:
            raise ValueError("persona.rfm is computed from the customer data; leave it out")
        return self


class TiersFile(Model):
    version: Literal[1] = 1
    tiers: list[TierDefinition] = Field(min_length=1)

    @field_validator("tiers")
    @classmethod
    def _unique(cls, tiers: list[TierDefinition]) -> list[TierDefinition]:
        for attr, values in (("tier", [t.tier for t in tiers]), ("persona.id", [t.persona.id for t in tiers])):
            value = first_repeat(values)
            if value is not None:
                raise ValueError(f"{attr} '{value}' appears twice")
        return tiers


def load_tiers(path: Path | None = None) -> list[TierDefinition]:
    """Tier definitions from a file (default: the shipped tiers.yaml)."""
    return load_model(TiersFile, path or TIERS_FILE).tiers
