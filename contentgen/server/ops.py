"""Operations: Prometheus metrics, JSON logs with request ids, and the ASGI middleware that measures, limits body
sizes and names every request."""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contentgen.server.errors import error_body

log = logging.getLogger("contentgen.server.access")

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update({k: v for k, v in record.__dict__.items() if k not in _RESERVED})
        return json.dumps(data, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    for name in ("contentgen", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False
    logging.getLogger("uvicorn.access").disabled = True  # ours logs the route, not the raw path and query


class Metrics:
    """The server's Prometheus metrics (one registry per app; across workers when PROMETHEUS_MULTIPROC_DIR is set)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "contentgen_http_requests_total", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "contentgen_http_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.outcomes = Counter(
            "contentgen_agent_outcomes_total", "Agent outcomes by kind", ["agent", "kind"], registry=self.registry
        )
        self.handoffs = Counter(
            "contentgen_agent_handoffs_total",
            "Hand-offs to a person by reason",
            ["agent", "reason"],
            registry=self.registry,
        )
        self.jobs = Counter(
            "contentgen_jobs_total", "Background jobs finished", ["kind", "status"], registry=self.registry
        )

    def outcome(self, agent: str, kind: str, reason: str | None = None) -> None:
        self.outcomes.labels(agent, kind).inc()
        if kind == "handoff":
            self.handoffs.labels(agent, reason or "unknown").inc()

    def render(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)


class _TooLarge(Exception):
    pass


UPLOAD_ROUTES = re.compile(r"^/v1/catalog/[^/]+/ingest$")
"""Routes that take a file: their body limit is `max_upload`, not `max_body`."""


class Middleware:
    """Request id (X-Request-ID in and out), body size limit (413), access log and metrics per route template."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics, max_body: int, max_upload: int | None = None) -> None:
        self.app, self.metrics, self.max_body = app, metrics, max_body
        self.max_upload = max_upload or max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        given = headers.get("x-request-id", "")
        request_id = given if given.isascii() and given.replace("-", "").isalnum() and len(given) <= 64 else ""
        request_id = request_id or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = {"code": 500, "started": False}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"], status["started"] = message["status"], True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        limit = self.max_upload if UPLOAD_ROUTES.match(scope.get("path", "")) else self.max_body
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await self._reject(send_wrapper, limit)
            self._done(scope, started, status["code"], request_id)
            return
        seen = 0

        async def receive_wrapper() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, receive_wrapper, send_wrapper)
        except _TooLarge:
            if not status["started"]:
                await self._reject(send_wrapper, limit)
        self._done(scope, started, int(status["code"]), request_id)

    async def _reject(self, send: Send, limit: int) -> None:
        body = json.dumps(error_body(413, f"request body over {limit} bytes", "too_large")).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _done(self, scope: Scope, started: float, code: int, request_id: str) -> None:
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        elapsed = time.perf_counter() - started
        method = scope.get("method", "")
        self.metrics.requests.labels(method, route, str(code)).inc()
        self.metrics.latency.labels(method, route).observe(elapsed)
        log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": method,
                "route": route,
                "status": code,
                "ms": round(elapsed * 1000, 1),
                "key": scope.get("state", {}).get("key_id"),
            },
        )
