"""The review server: serves a run folder on 127.0.0.1 and saves each decision to decisions.json as it is made."""

from __future__ import annotations

import json
import threading
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from contentgen.campaign.review import (
    DECISIONS_FILE,
    MAX_DECISIONS_BYTES,
    REVIEW_FILE,
    Decisions,
    load_decisions,
    save_decisions,
    write_review,
)


class ReviewServer(ThreadingHTTPServer):
    """Serves a run folder on 127.0.0.1; POST /decisions saves decisions.json atomically."""

    daemon_threads = True

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = root.resolve()
        self.lock = threading.Lock()
        super().__init__((host, port), _handler(self.root))

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/{REVIEW_FILE}"

    @property
    def origin(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


def _handler(root: Path) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        server: ReviewServer

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:  # quiet: the CLI prints the URL, not a log
            return

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def do_GET(self) -> None:
            if self.path.split("?")[0] == "/decisions":
                self._json(HTTPStatus.OK, load_decisions(root / DECISIONS_FILE).model_dump(mode="json"))
                return
            super().do_GET()

        def do_POST(self) -> None:
            if self.path.split("?")[0] != "/decisions":
                self._json(HTTPStatus.NOT_FOUND, {"error": "POST /decisions only"})
                return
            origin = self.headers.get("Origin")
            if origin not in (None, "null", self.server.origin):  # another site's page must not write here
                self._json(HTTPStatus.FORBIDDEN, {"error": f"origin {origin} may not save decisions"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 < length <= MAX_DECISIONS_BYTES:
                self._json(HTTPStatus.BAD_REQUEST, {"error": "send the decisions as a JSON body"})
                return
            try:
                decisions = Decisions.model_validate_json(self.rfile.read(length))
            except ValidationError as err:
                self._json(HTTPStatus.BAD_REQUEST, {"error": err.errors()[0]["msg"]})
                return
            with self.server.lock:
                save_decisions(root / DECISIONS_FILE, decisions)
            self._json(HTTPStatus.OK, {"saved": len(decisions.decisions)})

        def _json(self, status: HTTPStatus, data: Any) -> None:
            body = json.dumps(data, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def serve_review(root: Path, *, host: str = "127.0.0.1", port: int = 0) -> ReviewServer:
    """Write the review page and return a server for its folder (call serve_forever(); port 0 picks a free one)."""
    write_review(root)
    return ReviewServer(root, host, port)
