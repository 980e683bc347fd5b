"""Content and campaign routes (`campaigns` scope): copy variants, posters, videos, campaign jobs, review,
approvals, export."""

from __future__ import annotations

import re
import threading
from pathlib import Path as FilePath
from pathlib import PurePath
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from contentgen.pipelines.video import BEATS, Storyboard
from contentgen.server.deps import Services, app_services, require
from contentgen.server.errors import ApiError
from contentgen.server.security import ApiKey, check_name

router = APIRouter()
Key = Annotated[ApiKey, Depends(require("campaigns"))]
Svc = Annotated[Services, Depends(app_services)]
JobId = Annotated[str, Path(description="a job id (32 hex digits)")]
_JOB = re.compile(r"^[0-9a-f]{32}$")
_DECISIONS = threading.Lock()


class CopyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kit: str = Field(max_length=64, description="a kit id")
    segment: str = Field(max_length=64, description="a segment id of the kit")
    channel: str = Field(max_length=64, description="a channel id")
    skus: list[str] = Field(min_length=1, max_length=5, description="the products the copy is about")
    n: int = Field(default=5, ge=1, le=20, description="how many variants")
    seed: int = Field(default=0, ge=0)


class PosterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kit: str = Field(max_length=64, description="a kit id")
    segment: str | None = Field(default=None, max_length=64, description="a segment id of the kit")
    channel: str = Field(max_length=64, description="a channel id")
    sku: str = Field(max_length=64, description="the product on the poster")
    size: str | None = Field(default=None, max_length=32, description="a size name of the channel, or WxH")
    layout: str = Field(default="hero-product", max_length=64)
    seed: int = Field(default=0, ge=0)
    ocr: bool = Field(default=False, description="read the text back with OCR (slower)")


class VideoRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kit: str = Field(max_length=64, description="a kit id")
    segment: str = Field(max_length=64, description="a segment id of the kit")
    channel: str = Field(default="douyin", max_length=64, description="a channel that takes video")
    sku: str = Field(max_length=64, description="the product the video is about")
    aspect: Literal["9:16", "1:1", "16:9", "3:4", "4:3"] | None = Field(
        default=None, description="default: the channel's first (9:16 first)"
    )
    resolution: int = Field(default=720, ge=180, description="short side in pixels (at most the server's limit)")
    fps: Literal[12, 15, 24, 25, 30] = 30
    seed: int = Field(default=0, ge=0)
    storyboard: Storyboard | None = Field(
        default=None, description="render this storyboard (an earlier video's files.storyboard, perhaps edited)"
    )


MAX_NARRATION = 200
"""Characters one scene of a given storyboard may say (the channel's duration limit is checked after render)."""


class CampaignRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    brief: str | None = Field(default=None, max_length=64, description="the name of a shipped brief")
    inline: str | dict[str, Any] | None = Field(default=None, description="a brief as YAML text or a JSON object")

    @model_validator(mode="after")
    def _one(self) -> CampaignRequest:
        if (self.brief is None) == (self.inline is None):
            raise ValueError("give exactly one of 'brief' (a shipped brief's name) or 'inline' (the brief itself)")
        return self


class ApprovalRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[str] = Field(min_length=1, max_length=1000, description="review item keys (from the review)")
    status: Literal["approved", "rejected", "pending"] = "approved"
    reviewer: str = Field(min_length=1, max_length=100)
    reason: str = Field(default="", max_length=1000)


def _job(svc: Services, key: ApiKey, job: str) -> dict[str, Any]:
    if not _JOB.match(job):
        raise ApiError(404, "no such job", field="job")
    return svc.jobs.get(job, None if key.scope == "admin" else key.id)


def _finished_root(svc: Services, key: ApiKey, job: str) -> FilePath:
    found = _job(svc, key, job)
    root = svc.jobs.out_dir(job)
    if not (root / "campaign.json").is_file():
        raise ApiError(409, f"job {job} has not started writing its campaign yet (status {found['status']})")
    return root


@router.post("/v1/copy", summary="Ranked copy variants for one kit × segment × channel × products", tags=["content"])
async def copy(body: CopyRequest, key: Key, svc: Svc) -> dict[str, Any]:
    from contentgen import generate_copy, load_brand_kit
    from contentgen.domain.loaders import find_kits

    check_name(body.kit, "kit")
    if body.kit not in find_kits(svc.settings.kits_path):
        raise ApiError(404, f"unknown kit {body.kit!r}", field="kit")

    def make() -> dict[str, Any]:
        brand = load_brand_kit(body.kit, extra=svc.settings.kits_path)
        result = generate_copy(brand, body.segment, body.channel, body.skus, n=body.n, seed=body.seed)
        out: dict[str, Any] = result.model_dump(mode="json")
        return out

    return await anyio.to_thread.run_sync(make)


@router.post("/v1/posters", summary="Render one poster; its files come back as URLs", tags=["content"])
async def poster(body: PosterRequest, key: Key, svc: Svc) -> dict[str, Any]:
    import uuid

    from contentgen import load_brand_kit, render_poster
    from contentgen.domain.loaders import find_kits
    from contentgen.pipelines.poster import write_poster

    check_name(body.kit, "kit")
    check_name(body.layout, "layout")
    if body.kit not in find_kits(svc.settings.kits_path):
        raise ApiError(404, f"unknown kit {body.kit!r}", field="kit")
    run = uuid.uuid4().hex

    def make() -> dict[str, Any]:
        brand = load_brand_kit(body.kit, extra=svc.settings.kits_path)
        result = render_poster(
            brand,
            body.segment,
            body.channel,
            body.sku,
            size=body.size,
            layout=body.layout,
            seed=body.seed,
            ocr=body.ocr,
        )
        files = write_poster(result, svc.files / "posters" / run)
        out = result.to_dict()
        out["files"] = {kind: f"/v1/files/posters/{run}/{PurePath(p).name}" for kind, p in files.items()}
        return out

    return await anyio.to_thread.run_sync(make)


@router.post(
    "/v1/videos",
    summary="Make one short video (storyboard, scenes, voice, captions, music); its files come back as URLs",
    tags=["content"],
)
async def video(body: VideoRequest, key: Key, svc: Svc, request: Request) -> dict[str, Any]:
    """Rendered in this request (seconds to a minute, by resolution and storyboard); one render at a time per
    worker (`CONTENTGEN_SERVE_VIDEO_RENDERS`), the others wait. `ready` is false when a check blocks the video,
    e.g. over the channel's longest duration; `findings` say why."""
    import uuid

    from contentgen import load_brand_kit
    from contentgen.domain.loaders import find_kits
    from contentgen.pipelines.video import make_video

    check_name(body.kit, "kit")
    if body.kit not in find_kits(svc.settings.kits_path):
        raise ApiError(404, f"unknown kit {body.kit!r}", field="kit")
    if body.resolution > svc.config.max_video_side:
        raise ApiError(422, f"'resolution' is over this server's {svc.config.max_video_side} px", field="resolution")
    board = body.storyboard
    if board is not None:
        if len(board.scenes) > len(BEATS):
            raise ApiError(422, f"'storyboard.scenes': at most {len(BEATS)} scenes", field="storyboard.scenes")
        long = next((i for i, s in enumerate(board.scenes) if len(s.narration) > MAX_NARRATION), None)
        if long is not None:
            where = f"storyboard.scenes.{long}.narration"
            raise ApiError(422, f"'{where}' is over {MAX_NARRATION} characters", field=where)
    run = uuid.uuid4().hex

    def make() -> dict[str, Any]:
        brand = load_brand_kit(body.kit, extra=svc.settings.kits_path)
        result = make_video(
            brand,
            body.segment,
            body.channel,
            body.sku,
            aspect=body.aspect,
            storyboard=board,
            seed=body.seed,
            out_dir=svc.files / "videos" / run,
            short_side=body.resolution,
            fps=body.fps,
        )
        out = result.to_dict()
        named = {"video": result.video, "cover": result.cover, "srt": result.srt, "vtt": result.vtt}
        named["storyboard"] = result.storyboard_file
        for kind in named:
            out.pop(kind)  # server paths stay on the server
        out["files"] = {kind: f"/v1/files/videos/{run}/{p.name}" for kind, p in named.items()}
        return out

    limiter = getattr(request.app.state, "video_limiter", None)
    if limiter is None:
        limiter = request.app.state.video_limiter = anyio.CapacityLimiter(svc.config.video_renders)
    return await anyio.to_thread.run_sync(make, limiter=limiter)


@router.get(
    "/v1/files/{path:path}",
    summary="A file the API made (posters, videos); paths inside the server's files folder only",
    tags=["content"],
    response_class=FileResponse,
)
async def files(path: str, key: Key, svc: Svc) -> FileResponse:
    return FileResponse(_inside(svc.files, path))


def _inside(folder: FilePath, path: str) -> FilePath:
    root = folder.resolve()
    target = (root / path).resolve()
    if ".." in path.split("/") or not target.is_relative_to(root) or not target.is_file():
        raise ApiError(404, "no such file", field="path")
    return target


@router.post("/v1/campaigns", status_code=202, summary="Start a campaign run as a background job", tags=["campaigns"])
async def start_campaign(body: CampaignRequest, key: Key, svc: Svc) -> dict[str, Any]:
    import json

    if body.brief is not None:
        check_name(body.brief, "brief")
    inline = json.dumps(body.inline, ensure_ascii=False) if isinstance(body.inline, dict) else body.inline
    return await anyio.to_thread.run_sync(svc.jobs.submit, key.id, body.brief, inline)


@router.get("/v1/campaigns/{job}", summary="A campaign job's status and progress", tags=["campaigns"])
async def campaign_status(job: JobId, key: Key, svc: Svc) -> dict[str, Any]:
    return _job(svc, key, job)


@router.get("/v1/campaigns/{job}/artifacts", summary="The artifacts a campaign job has made", tags=["campaigns"])
async def artifacts(job: JobId, key: Key, svc: Svc) -> dict[str, Any]:
    from contentgen.campaign import read_manifest
    from contentgen.campaign.manifest import MANIFEST

    _job(svc, key, job)
    records = read_manifest(svc.jobs.out_dir(job) / MANIFEST)
    return {"artifacts": [r.model_dump(mode="json") for r in records.values()]}


@router.get(
    "/v1/campaigns/{job}/files/{path:path}",
    summary="A file a campaign job wrote (paths inside the run folder only)",
    tags=["campaigns"],
    response_class=FileResponse,
)
async def campaign_file(job: JobId, path: str, key: Key, svc: Svc) -> FileResponse:
    _job(svc, key, job)
    return FileResponse(_inside(svc.jobs.out_dir(job), path))


@router.get(
    "/v1/campaigns/{job}/review",
    summary="The review page of a campaign job (HTML)",
    tags=["campaigns"],
    response_class=HTMLResponse,
)
async def review(job: JobId, key: Key, svc: Svc) -> HTMLResponse:
    from contentgen.campaign.review import DECISIONS_FILE, collect_review, load_decisions, render_review

    root = _finished_root(svc, key, job)

    def page() -> str:
        return render_review(collect_review(root, load_decisions(root / DECISIONS_FILE)))

    return HTMLResponse(await anyio.to_thread.run_sync(page), headers={"Cache-Control": "no-store"})


@router.get(
    "/v1/campaigns/{job}/items",
    summary="The review items of a campaign job (keys to approve) with their latest decision",
    tags=["campaigns"],
)
async def items(job: JobId, key: Key, svc: Svc) -> dict[str, Any]:
    from contentgen.campaign.review import DECISIONS_FILE, collect_review, load_decisions

    root = _finished_root(svc, key, job)

    def listing() -> dict[str, Any]:
        decisions = load_decisions(root / DECISIONS_FILE)
        found = collect_review(root, decisions)
        status = {k: d.status for k, d in decisions.decisions.items()}
        return {"items": [{**i.model_dump(mode="json"), "decision": status.get(i.key, "pending")} for i in found.items]}

    return await anyio.to_thread.run_sync(listing)


@router.post(
    "/v1/campaigns/{job}/approvals",
    summary="Approve or reject review items (recorded in the audit log and the run's decisions file)",
    tags=["campaigns"],
)
async def approvals(job: JobId, body: ApprovalRequest, key: Key, svc: Svc) -> dict[str, Any]:
    root = _finished_root(svc, key, job)
    return await anyio.to_thread.run_sync(_decide, svc, key, job, root, body)


def _decide(svc: Services, key: ApiKey, job: str, root: FilePath, body: ApprovalRequest) -> dict[str, Any]:
    import datetime as dt

    from contentgen.campaign.review import DECISIONS_FILE, Decision, collect_review, load_decisions, save_decisions
    from contentgen.server.db import now

    known = {item.key for item in collect_review(root).items}
    unknown = [k for k in body.items if k not in known]
    if unknown:
        raise ApiError(422, f"unknown review item {unknown[0][:80]!r}; keys come from the review", field="items")
    at = now()
    note = f"{body.reviewer}: {body.reason}" if body.reason else body.reviewer
    with _DECISIONS:
        decisions = load_decisions(root / DECISIONS_FILE)
        decisions.campaign = decisions.campaign or svc.jobs.get(job)["campaign"]
        stamp = dt.datetime.fromtimestamp(at, dt.UTC)
        for item in body.items:
            decisions.decisions[item] = Decision(status=body.status, at=stamp, note=note)
        with svc.db.tx() as conn:
            conn.executemany(
                "INSERT INTO audit (job, item, status, reviewer, reason, key, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(job, item, body.status, body.reviewer, body.reason, key.id, at) for item in body.items],
            )
            save_decisions(root / DECISIONS_FILE, decisions)
    counts = {s: sum(d.status == s for d in decisions.decisions.values()) for s in ("approved", "rejected")}
    return {"recorded": len(body.items), "status": body.status, **counts}


@router.get("/v1/campaigns/{job}/audit", summary="Who approved or rejected what, when and why", tags=["campaigns"])
async def audit(job: JobId, key: Key, svc: Svc) -> dict[str, Any]:
    _job(svc, key, job)
    rows = svc.db.all("SELECT item, status, reviewer, reason, key, at FROM audit WHERE job = ? ORDER BY id", job)
    return {"audit": [dict(r) for r in rows]}


@router.get(
    "/v1/campaigns/{job}/export",
    summary="A zip of the approved items of a campaign job",
    tags=["campaigns"],
    response_class=FileResponse,
)
async def export(job: JobId, key: Key, svc: Svc) -> FileResponse:
    from contentgen.campaign.export import ExportResult, export_approved

    root = _finished_root(svc, key, job)

    def make() -> ExportResult:
        with _DECISIONS:
            return export_approved(root)

    result = await anyio.to_thread.run_sync(make)
    return FileResponse(result.path, media_type="application/zip", filename=result.path.name)
