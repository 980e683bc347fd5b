"""Catalog search over HTTP: the same hybrid search the agent uses."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Path, Query

from contentgen.server.deps import Services, require, services
from contentgen.server.errors import ApiError
from contentgen.server.security import ApiKey, check_name
from contentgen.server.sessions import product_card

router = APIRouter()


@router.get(
    "/v1/catalog/{kit}/search",
    summary="Search a kit's catalog (dense + keyword, as `contentgen catalog search`)",
    tags=["catalog"],
)
async def search(
    kit: Annotated[str, Path(max_length=64, description="a kit id")],
    q: Annotated[str, Query(min_length=1, max_length=200, description="what to look for, in words")],
    key: Annotated[ApiKey, Depends(require("chat"))],
    svc: Annotated[Services, Depends(services)],
    k: Annotated[int, Query(ge=1, le=50, description="how many products")] = 5,
) -> dict[str, Any]:
    from contentgen.domain.loaders import find_kits

    check_name(kit, "kit")
    if kit not in find_kits(svc.settings.kits_path):
        raise ApiError(404, f"unknown kit {kit!r}", field="kit")
    retriever = await anyio.to_thread.run_sync(svc.sessions.retriever, kit)
    result = await anyio.to_thread.run_sync(retriever.search, q, k)
    return {
        "query": q,
        "searched": result.searched,
        "hits": [{"score": round(h.score, 4), **product_card(h.product)} for h in result.hits],
    }
