"""What every route shares: the services of one app, and the auth dependency that checks key, scope and rate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Request

from contentgen.server.config import ServerConfig
from contentgen.server.db import Database
from contentgen.server.errors import ApiError
from contentgen.server.ops import Metrics
from contentgen.server.security import ApiKey, RateLimiter, Scope, verify_key

if TYPE_CHECKING:
    from contentgen.config import Settings
    from contentgen.server.jobs import Jobs
    from contentgen.server.sessions import Sessions


@dataclass
class Services:
    settings: Settings
    config: ServerConfig
    folder: Path
    db: Database
    limiter: RateLimiter
    metrics: Metrics
    sessions: Sessions
    jobs: Jobs

    @property
    def files(self) -> Path:
        return self.folder / "files"


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


async def app_services(request: Request) -> Services:
    """`services` as a dependency: async, so FastAPI does not send it to the thread pool (it blocks on nothing)."""
    return services(request)


def require(scope: Scope) -> Callable[[Request], ApiKey]:
    """A dependency: a valid key with `scope` (or admin), within its rate limit."""

    def check(request: Request) -> ApiKey:
        svc = services(request)
        header = request.headers.get("authorization", "")
        presented = header[7:].strip() if header.lower().startswith("bearer ") else request.headers.get("x-api-key")
        key = verify_key(svc.db, presented)
        request.state.key_id = key.id
        if not key.allows(scope):
            raise ApiError(403, f"this key has scope '{key.scope}'; the route needs '{scope}'", code="wrong_scope")
        wait = svc.limiter.take(key.id)
        if wait:
            raise ApiError(429, "rate limit reached; retry later", headers={"Retry-After": str(max(1, round(wait)))})
        return key

    check.__name__ = f"require_{scope}"
    return check
