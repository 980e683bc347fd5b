"""`contentgen serve`: the HTTP API (uvicorn), and `contentgen serve keys create` for its API keys."""

from __future__ import annotations

import os
import signal
from types import FrameType
from typing import Annotated

import typer

from contentgen.cli.output import emit_json, out

app = typer.Typer(help="Serve the agent and catalog over HTTP (needs the 'serve' extra).", invoke_without_command=True)
keys = typer.Typer(help="API keys for `contentgen serve` (stored hashed; the key is shown once).", no_args_is_help=True)
app.add_typer(keys, name="keys")


@app.callback()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 1,
    chroma_url: Annotated[
        str | None, typer.Option("--chroma-url", help="A Chroma server shared by the workers (chroma run ...).")
    ] = None,
) -> None:
    """Run the API: chat sessions, the OpenAI-compatible /v1/chat/completions, /healthz, /readyz, /metrics."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from contentgen.server.ops import configure_logging

    if chroma_url:
        os.environ["CONTENTGEN_SERVE_CHROMA_URL"] = chroma_url
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        import tempfile

        # one /metrics for all workers: each writes its counters here (set before the workers import the client)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="contentgen-metrics-")
    configure_logging()
    # uvicorn finishes the requests in flight at SIGTERM, then raises the signal again; by then all is done,
    # so that second SIGTERM ends the process with 0 (a stop asked for and carried out), not killed-by-signal.
    signal.signal(signal.SIGTERM, _stopped)
    uvicorn.run(
        "contentgen.server.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=_grace(),
    )


@keys.command("create")
def create(
    scope: Annotated[str, typer.Option("--scope", help="chat, campaigns or admin.")] = "chat",
    label: Annotated[str, typer.Option("--label", help="What the key is for (shown in listings).")] = "",
    json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Create a key; it is printed once and stored only as a hash."""
    from contentgen.config import load_settings
    from contentgen.errors import ConfigError
    from contentgen.server.config import load_server_config
    from contentgen.server.db import Database
    from contentgen.server.security import SCOPES, create_key

    if scope not in SCOPES:
        raise ConfigError(f"--scope {scope!r}: use one of {', '.join(SCOPES)}")
    folder = load_server_config().folder(load_settings())
    new = create_key(Database(folder / "server.db"), scope, label)
    if json:
        emit_json({"id": new.id, "scope": new.scope, "key": new.secret})
        return
    out().print(f"{new.secret}\n(scope {new.scope}, id {new.id}; shown once: store it now)", highlight=False)


@keys.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument(help="The key's id (shown at creation).")]) -> None:
    """Revoke a key at once (every worker checks keys per request)."""
    from contentgen.config import load_settings
    from contentgen.errors import ConfigError
    from contentgen.server.config import load_server_config
    from contentgen.server.db import Database
    from contentgen.server.security import revoke_key

    folder = load_server_config().folder(load_settings())
    if not revoke_key(Database(folder / "server.db"), key_id):
        raise ConfigError(f"no API key with id {key_id!r} in {folder / 'server.db'}; the id is shown at creation")
    out().print(f"revoked {key_id}", highlight=False)


def _grace() -> int:
    """Seconds uvicorn waits for in-flight requests at SIGTERM: a stream's own grace, and a little more."""
    from contentgen.server.config import load_server_config

    return round(load_server_config().grace_s) + 5


def _stopped(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)
