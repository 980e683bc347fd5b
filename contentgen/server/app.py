"""The app factory: `create_app(settings)` wires the routes, errors, middleware and services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from contentgen.config import Settings, load_settings
from contentgen.server.config import ServerConfig, load_server_config
from contentgen.server.db import Database
from contentgen.server.deps import Services, app_services, require, services
from contentgen.server.security import ApiKey, RateLimiter

_CHAT_PAGE = Path(__file__).parent / "static" / "chat.html"
Admin = Annotated[ApiKey, Depends(require("admin"))]
Svc = Annotated[Services, Depends(app_services)]


def create_app(settings: Settings | None = None, config: ServerConfig | None = None) -> FastAPI:
    """The HTTP API over the library: chat sessions, the OpenAI-compatible facade, health and metrics."""
    from contentgen import __version__
    from contentgen.server import campaigns, catalog, chat, errors
    from contentgen.server.jobs import Jobs
    from contentgen.server.ops import Metrics, Middleware
    from contentgen.server.sessions import Sessions

    settings = settings or load_settings()
    config = config or load_server_config()
    folder = config.folder(settings)
    db = Database(folder / "server.db")
    metrics = Metrics()
    svc = Services(
        settings=settings,
        config=config,
        folder=folder,
        db=db,
        limiter=RateLimiter(config.rate_per_s, config.rate_burst),
        metrics=metrics,
        sessions=Sessions(
            db,
            settings,
            chroma_url=config.chroma_url,
            cache=config.session_cache,
            agents_dir=config.agents_dir,
            fresh_s=config.catalog_fresh_s,
            threads=config.answer_threads,
        ),
        jobs=Jobs(db, settings, config, folder, metrics),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for name in config.preload:  # before the first request: no shopper waits for a worker's first agent
            await anyio.to_thread.run_sync(_preload, svc, name)
        if config.run_jobs:  # campaign jobs: queued ones, and running ones a killed server left behind
            svc.jobs.start()
        yield
        svc.jobs.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="contentgen",
        version=__version__,
        description="The grounded shopping agent over HTTP. Send `Authorization: Bearer <key>` (keys from "
        '`contentgen serve keys create`). Errors are `{"error": {"code", "message", "field"}}`.',
    )
    app.state.services = svc
    errors.install(app)
    app.include_router(chat.router)
    app.include_router(catalog.router)
    app.include_router(campaigns.router)

    @app.get(
        "/chat/{agent}",
        summary="The web chat page for an agent (key in the URL fragment)",
        tags=["chat"],
        response_class=HTMLResponse,
    )
    async def chat_page(agent: str, svc: Svc) -> HTMLResponse:
        svc.sessions.definition(agent)  # a known agent: its name is a checked id, safe in the page
        page = _CHAT_PAGE.read_text(encoding="utf-8").replace("{{agent}}", agent)
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    @app.get(
        "/chat/{agent}/font",
        summary="The kit's body font for the web chat page",
        tags=["chat"],
        response_class=FileResponse,
    )
    def chat_font(agent: str, svc: Svc) -> FileResponse:
        from contentgen.domain.loaders import load_brand_kit
        from contentgen.fonts import resolve_font

        brand = load_brand_kit(svc.sessions.definition(agent).kit, extra=svc.settings.kits_path)
        path = resolve_font(brand.fonts.body, brand.root)
        return FileResponse(path, media_type="font/ttf", headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/healthz", summary="The process is up", tags=["ops"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", summary="Ready: database, Chroma and every kit's catalog ingested", tags=["ops"])
    def readyz(request: Request) -> JSONResponse:
        return JSONResponse(*_readiness(services(request)))

    @app.get("/metrics", summary="Prometheus metrics (admin key)", tags=["ops"])
    async def prometheus(key: Admin, svc: Svc) -> Response:
        return Response(svc.metrics.render(), media_type="text/plain; version=0.0.4")

    if config.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=config.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        )
    app.add_middleware(Middleware, metrics=metrics, max_body=config.max_body_bytes, max_upload=config.max_upload_bytes)
    return app


def _preload(svc: Services, name: str) -> None:
    from contentgen.errors import ConfigError
    from contentgen.server.errors import ApiError

    try:
        svc.sessions.build(name)
    except ApiError as err:
        raise ConfigError(f"CONTENTGEN_SERVE_PRELOAD: {err.message}") from None


def _readiness(svc: Services) -> tuple[dict[str, Any], int]:
    from contentgen.catalog.store import open_catalog
    from contentgen.domain.loaders import find_kits
    from contentgen.errors import ContentgenError

    checks: dict[str, Any] = {"database": svc.db.ping()}
    catalogs: dict[str, bool] = {}
    try:
        for kit in sorted(find_kits(svc.settings.kits_path)):
            store = open_catalog(kit, chroma_url=svc.config.chroma_url, settings=svc.settings)
            try:
                catalogs[kit] = bool(store.info().get("products"))
            except ContentgenError:
                catalogs[kit] = False
        checks["chroma"] = True
    except ContentgenError as err:
        checks["chroma"] = False
        checks["chroma_error"] = str(err).splitlines()[0]
    checks["catalogs"] = catalogs
    ready = bool(checks["database"] and checks["chroma"] and catalogs and all(catalogs.values()))
    return {"status": "ready" if ready else "not_ready", "checks": checks}, 200 if ready else 503


def app_from_env() -> FastAPI:
    """For `uvicorn --factory contentgen.server.app:app_from_env` (what `contentgen serve --workers N` runs): JSON
    logs in every worker process, settings from the environment."""
    from contentgen.server.ops import configure_logging

    configure_logging()
    return create_app()
