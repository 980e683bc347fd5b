"""Export: the approved items of a run as one zip, with a CSV that ad platforms and campaign tools import."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from contentgen.campaign.manifest import ARTIFACTS, ArtifactRecord
from contentgen.campaign.review import (
    DECISIONS_FILE,
    Decisions,
    collect_review,
    load_decisions,
)
from contentgen.campaign.types import ReviewItem
from contentgen.errors import ContentgenError, DataError

COLUMNS = (
    "artifact_id",
    "item_id",
    "campaign",
    "brand",
    "segment",
    "segment_name",
    "channel",
    "channel_name",
    "kind",
    "product_skus",
    "product_names",
    "locale",
    "rank",
    "score",
    "ready",
    "headline",
    "body",
    "fields_json",
    "hashtags",
    "file_name",
    "files",
    "provider",
    "model",
    "seed",
    "prompt_version",
    "created_at",
    "approved_at",
    "arm",
    "tracking_code",
    "utm_url",
)
HEADLINE_FIELDS = ("headline", "title", "subject")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    items: list[ReviewItem]
    files: int
    stale: int
    """Approvals whose item is no longer in the run (its inputs changed and it was made again)."""


def export_approved(root: Path, out: Path | None = None, *, decisions: Decisions | Path | None = None) -> ExportResult:
    """Write a zip of the approved items: their files under files/, <campaign>.csv and items.json."""
    from contentgen.fileio import atomic_path

    root = root.resolve()
    if isinstance(decisions, Path):
        if not decisions.is_file():
            raise DataError(decisions, "file not found", hint="the review page's 'Export decisions' downloads one")
        decisions = load_decisions(decisions)
    decisions = decisions or load_decisions(root / DECISIONS_FILE)
    review = collect_review(root, decisions)
    if decisions.campaign not in (None, review.campaign["campaign"]):
        raise ContentgenError(
            f"these decisions are for campaign '{decisions.campaign}', not '{review.campaign['campaign']}' in {root}"
        )
    approved_keys = decisions.approved()
    items = [i for i in review.items if i.key in approved_keys]
    if not items:
        raise ContentgenError(
            f"no approved items in {root}; approve some on the review page (contentgen campaign review {root} "
            "--serve), or pass the downloaded decisions with --decisions"
        )
    records = {r.id: r for r in review.records}
    for item in items:
        record = records[item.artifact_id]
        for output in record.files:
            if output.path in item.files and not output.verify(root):
                raise DataError(
                    root / output.path,
                    "file is missing or changed since the run recorded it",
                    hint="run `contentgen campaign run` again to remake it",
                )
    campaign = review.campaign
    target = out or root / f"{campaign['campaign']}-approved.zip"
    written = 0
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in items:
            for path in item.files:
                archive.write(root / path, _archive_name(path))
                written += 1
        archive.writestr(f"{campaign['campaign']}.csv", _csv(items, records, campaign, decisions, review.items))
        listing = [{**i.model_dump(mode="json"), "provenance": _provenance(records[i.artifact_id])} for i in items]
        archive.writestr("items.json", json.dumps(listing, ensure_ascii=False, indent=2) + "\n")
    stale = len(approved_keys - {i.key for i in review.items})
    return ExportResult(path=target, items=items, files=written, stale=stale)


def _archive_name(path: str) -> str:
    """files/<segment>/<channel>/<skus>/<name>: the run folder's layout without the artifacts/ prefix."""
    parts = PurePosixPath(path).parts
    return str(PurePosixPath("files", *(parts[1:] if parts and parts[0] == ARTIFACTS else parts)))


def _provenance(record: ArtifactRecord) -> dict[str, object]:
    return record.model_dump(mode="json", include={"id", "input_hash", "provider", "seed", "prompt_version", "files"})


def _csv(
    items: list[ReviewItem],
    records: dict[str, ArtifactRecord],
    campaign: dict[str, object],
    decisions: Decisions,
    every: list[ReviewItem],
) -> bytes:
    """UTF-8 with a BOM, so that Excel opens Chinese text correctly; one row per approved item.

    Arms are lettered over every item of the run (`every`), so a code does not depend on what was approved.
    """
    from contentgen.results.tracking import item_arms, tracking_code, tracking_link

    labels = campaign.get("labels", {})
    assert isinstance(labels, dict)
    arms = item_arms((i.artifact_id, i.key) for i in every)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for item in items:
        record = records[item.artifact_id]
        headline_field = next((f for f in HEADLINE_FIELDS if f in item.texts), None)
        others = {k: v for k, v in item.texts.items() if k != headline_field}
        body = others.get("body") or next(iter(others.values()), "")
        media = item.media[0].path if item.media else ""
        writer.writerow(
            [
                item.artifact_id,
                item.key,
                campaign["campaign"],
                campaign.get("brand", ""),
                item.segment,
                labels.get("segments", {}).get(item.segment, ""),
                item.channel,
                labels.get("channels", {}).get(item.channel, ""),
                item.kind,
                " ".join(item.skus),
                " + ".join(labels.get("products", {}).get(sku, sku) for sku in item.skus),
                campaign.get("locale", ""),
                item.rank if item.rank is not None else "",
                f"{item.score:.4f}" if item.score is not None else "",
                item.ready,
                item.texts.get(headline_field, "") if headline_field else "",
                body,
                json.dumps(item.texts, ensure_ascii=False) if item.texts else "",
                " ".join(f"#{tag}" for tag in item.hashtags),
                _archive_name(media) if media else "",
                ";".join(_archive_name(p) for p in item.files),
                record.provider.name if record.provider else "",
                record.model or "",
                record.seed,
                record.prompt_version,
                record.created_at.isoformat(),
                decisions.decisions[item.key].at.isoformat(),
                arms[item.key],
                tracking_code(item.artifact_id, arms[item.key]),
                tracking_link(
                    item.texts,
                    channel=item.channel,
                    campaign=str(campaign["campaign"]),
                    artifact_id=item.artifact_id,
                    arm=arms[item.key],
                ),
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
