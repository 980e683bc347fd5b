"""The campaign's shared types: cell, planned artifact, review item and its media (a leaf: no campaign imports)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from contentgen.domain.findings import Finding

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".svg")
VIDEO_SUFFIXES = (".mp4", ".webm", ".mov")
AUDIO_SUFFIXES = (".wav", ".mp3", ".ogg", ".m4a")


class Cell(BaseModel):
    """One segment × channel × product(s)."""

    model_config = ConfigDict(frozen=True)

    segment: str
    channel: str
    skus: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.segment}/{self.channel}/{'+'.join(self.skus)}"

    @property
    def path(self) -> Path:
        return Path(self.segment, self.channel, "+".join(self.skus))


class PlannedArtifact(BaseModel):
    """One artifact to make: `id` names its cell and kind; `input_hash` changes whenever anything it reads does."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: str
    segment: str
    channel: str
    skus: tuple[str, ...]
    options: dict[str, Any]
    needs: list[str]
    inputs: dict[str, str]
    input_hash: str
    estimate_s: float

    @property
    def cell(self) -> Cell:
        return Cell(segment=self.segment, channel=self.channel, skus=self.skus)


class Media(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str
    type: Literal["image", "video", "audio"]


class ReviewItem(BaseModel):
    """One thing a reviewer approves or rejects: a copy variant, a poster, a video."""

    key: str = Field(description="decision key: artifact id + '#' + the item's content hash")
    artifact_id: str
    kind: str
    segment: str
    channel: str
    skus: list[str]
    label: str
    rank: int | None = None
    score: float | None = None
    scores: dict[str, float] = {}
    ready: bool
    angle: str | None = None
    texts: dict[str, str] = {}
    hashtags: list[str] = []
    media: list[Media] = []
    files: list[str] = Field(default=[], description="files exported with the item, relative to the run folder")
    findings: list[Finding] = []
