"""Review items: what a reviewer approves or rejects, built from a manifest record (copy variants, media files)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

from contentgen.campaign.manifest import ArtifactRecord
from contentgen.campaign.types import AUDIO_SUFFIXES, IMAGE_SUFFIXES, VIDEO_SUFFIXES, Media, ReviewItem
from contentgen.domain.findings import Finding, Severity

if TYPE_CHECKING:
    from contentgen.pipelines.copy import CopyResult


def copy_review_items(record: ArtifactRecord, result: CopyResult) -> list[ReviewItem]:
    """One item per ranked copy variant, with its scores and findings."""
    if not result.variants:
        reason = next((f.message for f in record.findings), "no variant was written")
        return [
            _item(
                record,
                "none",
                label="no variant",
                ready=False,
                findings=record.findings or [Finding(rule="copy.none", severity=Severity.BLOCK, message=reason)],
            )
        ]
    return [
        _item(
            record,
            variant.id,
            label=f"#{variant.rank}",
            rank=variant.rank,
            score=variant.score,
            scores=variant.scores,
            ready=variant.ready,
            angle=variant.angle,
            texts=variant.fields,
            hashtags=variant.hashtags,
            findings=variant.findings,
        )
        for variant in result.variants
    ]


def file_review_items(record: ArtifactRecord, root: Path) -> list[ReviewItem]:
    """One item per image, video or audio file; files that share its stem (poster.jpg, poster.json) go with it."""
    by_stem: dict[str, list[str]] = {}
    for output in record.files:
        path = PurePosixPath(output.path)
        by_stem.setdefault(str(path.with_suffix("")), []).append(output.path)
    digests = {f.path: f.sha256 for f in record.files}
    items = []
    for stem, paths in by_stem.items():
        ranked = sorted(paths, key=_media_rank)
        kind = _media_type(ranked[0])
        if kind is None:
            continue
        items.append(
            _item(
                record,
                digests[ranked[0]][:12],
                label=PurePosixPath(stem).name,
                ready=record.ready,
                media=[Media(path=ranked[0], type=kind)],
                files=paths,
                findings=record.findings,
            )
        )
    return items


def _item(record: ArtifactRecord, tag: str, **fields: Any) -> ReviewItem:
    """A review item of `record` (its artifact id, kind, segment, channel and SKUs), keyed `<artifact id>#<tag>`."""
    return ReviewItem(
        key=f"{record.id}#{tag}",
        artifact_id=record.id,
        kind=record.kind,
        segment=record.segment,
        channel=record.channel,
        skus=record.skus,
        **fields,
    )


def _media_type(path: str) -> Literal["image", "video", "audio"] | None:
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in VIDEO_SUFFIXES:
        return "video"
    if suffix in AUDIO_SUFFIXES:
        return "audio"
    return None


def _media_rank(path: str) -> int:
    suffix = PurePosixPath(path).suffix.lower()
    order = (*VIDEO_SUFFIXES, *IMAGE_SUFFIXES, *AUDIO_SUFFIXES)
    return order.index(suffix) if suffix in order else len(order)
