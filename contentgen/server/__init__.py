"""`contentgen serve`: the shopping agent, catalog search, content and campaigns over HTTP (FastAPI).

`create_app(settings)` builds the ASGI app; `contentgen serve` runs it with uvicorn. Everything here is imported
lazily: `import contentgen.server` costs nothing until `create_app` is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contentgen.server.app import create_app
    from contentgen.server.config import ServerConfig

__all__ = ["ServerConfig", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from contentgen.server.app import create_app

        return create_app
    if name == "ServerConfig":
        from contentgen.server.config import ServerConfig

        return ServerConfig
    raise AttributeError(f"module 'contentgen.server' has no attribute {name!r}")
