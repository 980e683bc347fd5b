"""Catalog routes: the same hybrid search the agent uses, and ingest as a background job."""

from __future__ import annotations

import re
from pathlib import Path as FilePath
from pathlib import PurePosixPath
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile

from contentgen.server.deps import Services, app_services, require
from contentgen.server.errors import ApiError
from contentgen.server.security import ApiKey, check_name
from contentgen.server.sessions import product_card

router = APIRouter()
Svc = Annotated[Services, Depends(app_services)]
Kit = Annotated[str, Path(max_length=64, description="a kit id")]
Admin = Annotated[ApiKey, Depends(require("admin"))]
SUFFIXES = (".csv", ".xlsx", ".json", ".jsonl")
_UPLOAD_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_JOB = re.compile(r"^[0-9a-f]{32}$")


def _kit(svc: Services, kit: str) -> str:
    from contentgen.domain.loaders import find_kits

    check_name(kit, "kit")
    if kit not in find_kits(svc.settings.kits_path):
        raise ApiError(404, f"unknown kit {kit!r}", field="kit")
    return kit


@router.get(
    "/v1/catalog/{kit}/search",
    summary="Search a kit's catalog (dense + keyword, as `contentgen catalog search`)",
    tags=["catalog"],
)
async def search(
    kit: Kit,
    q: Annotated[str, Query(min_length=1, max_length=200, description="what to look for, in words")],
    key: Annotated[ApiKey, Depends(require("chat"))],
    svc: Svc,
    k: Annotated[int, Query(ge=1, le=50, description="how many products")] = 5,
) -> dict[str, Any]:
    _kit(svc, kit)
    retriever = await anyio.to_thread.run_sync(svc.sessions.retriever, kit)
    result = await anyio.to_thread.run_sync(retriever.search, q, k)
    return {
        "query": q,
        "searched": result.searched,
        "hits": [{"score": round(h.score, 4), **product_card(h.product)} for h in result.hits],
    }


def _suffix(name: str, field: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ApiError(422, f"'{field}' must be a {', '.join(SUFFIXES)} file (got {name[:80]!r})", field=field)
    return suffix


def home_file(svc: Services, given: str) -> FilePath:
    """A catalog file inside the data home, named relative to it; never outside it, never the server's own files."""
    home = svc.settings.home.resolve()
    relative = PurePosixPath(given)
    message = f"'path' must be a file inside the data home, relative to it, without '..' (got {given[:80]!r})"
    if not given or "\\" in given or "\x00" in given or relative.is_absolute() or ".." in relative.parts:
        raise ApiError(422, message, field="path")
    target = (home / relative).resolve()  # follows links: one pointing outside the home is refused below
    if not target.is_relative_to(home) or target.is_relative_to(svc.folder.resolve()):
        raise ApiError(422, message, field="path")
    _suffix(target.name, "path")
    if not target.is_file():
        raise ApiError(404, f"no file {given[:80]!r} in the data home", field="path")
    return target


@router.post(
    "/v1/catalog/{kit}/ingest",
    status_code=202,
    summary="Ingest a catalog as a background job: an uploaded file, a file in the data home, or the kit's own",
    tags=["catalog"],
)
async def ingest(
    kit: Kit,
    key: Admin,
    svc: Svc,
    file: Annotated[UploadFile | None, File(description="a catalog file: .csv, .xlsx, .json or .jsonl")] = None,
    path: Annotated[
        str | None, Form(max_length=300, description="or: a catalog file inside the data home, relative to it")
    ] = None,
    currency: Annotated[
        str | None, Form(max_length=8, description="currency of rows without one; default: the kit's locale")
    ] = None,
    rebuild: Annotated[bool, Form(description="drop the kit's collections first (after a new embedder)")] = False,
) -> dict[str, Any]:
    """Validated now, as `contentgen catalog ingest` validates (a bad row is a 422 naming file, line and field);
    upserted by SKU in the background. Poll `GET /v1/catalog/{kit}/ingest/{job}`."""
    _kit(svc, kit)
    if file is not None and path is not None:
        message = "give either 'file' (an upload) or 'path' (a file in the data home), not both"
        raise ApiError(422, message, field="file")
    upload: tuple[str, bytes] | None = None
    target: FilePath | None = None
    if file is not None:
        name = PurePosixPath((file.filename or "").replace("\\", "/")).name
        suffix = _suffix(name, "file")
        upload = (name if _UPLOAD_NAME.match(name) else f"catalog{suffix}", await file.read())
    elif path is not None:
        target = home_file(svc, path)
    return await anyio.to_thread.run_sync(
        lambda: svc.jobs.submit_ingest(key.id, kit, upload=upload, path=target, currency=currency, rebuild=rebuild)
    )


@router.get("/v1/catalog/{kit}/ingest/{job}", summary="A catalog ingest job's status and report", tags=["catalog"])
async def ingest_status(
    kit: Kit, job: Annotated[str, Path(description="a job id (32 hex digits)")], key: Admin, svc: Svc
) -> dict[str, Any]:
    if not _JOB.match(job):
        raise ApiError(404, "no such job", field="job")
    found = svc.jobs.get(job, kind="ingest")
    if found["kit"] != kit:
        raise ApiError(404, "no such job", field="job")
    return found
