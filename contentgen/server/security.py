"""API keys (stored as SHA-256 of a 256-bit secret), scopes per route, per-key token buckets, path-parameter checks.

A key looks like `cg_<id>_<secret>`: the id finds the row, the secret is compared by hash in constant time. The
secret is shown once, at creation, and never stored or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Literal

from contentgen.server.db import Database, now
from contentgen.server.errors import ApiError

Scope = Literal["chat", "campaigns", "admin"]
SCOPES: tuple[Scope, ...] = ("chat", "campaigns", "admin")
_KEY = re.compile(r"^cg_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$")
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
"""Agent, kit, segment and channel ids: lower-case words and hyphens, nothing a path could be built from."""
SESSION_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class ApiKey:
    id: str
    scope: Scope
    label: str = ""

    def allows(self, scope: Scope) -> bool:
        """admin may do everything; campaigns and chat only their own routes."""
        return self.scope == "admin" or self.scope == scope


@dataclass(frozen=True)
class NewKey:
    id: str
    scope: Scope
    secret: str  # the full key, shown once


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(db: Database, scope: Scope, label: str = "") -> NewKey:
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; use one of {', '.join(SCOPES)}")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    db.run(
        "INSERT INTO keys (id, hash, scope, label, created) VALUES (?, ?, ?, ?, ?)",
        key_id,
        _hash(secret),
        scope,
        label,
        now(),
    )
    return NewKey(key_id, scope, f"cg_{key_id}_{secret}")


def revoke_key(db: Database, key_id: str) -> bool:
    return db.run("UPDATE keys SET revoked = 1 WHERE id = ?", key_id) > 0


def verify_key(db: Database, presented: str | None) -> ApiKey:
    if not presented:
        raise ApiError(
            401,
            "missing API key: send 'Authorization: Bearer <key>'",
            code="missing_key",
            headers={"WWW-Authenticate": "Bearer"},
        )
    match = _KEY.match(presented.strip())
    row = db.one("SELECT * FROM keys WHERE id = ? AND revoked = 0", match.group(1)) if match else None
    if match is None or row is None or not hmac.compare_digest(row["hash"], _hash(match.group(2))):
        raise ApiError(401, "invalid API key", code="invalid_key", headers={"WWW-Authenticate": "Bearer"})
    return ApiKey(row["id"], row["scope"], row["label"])


class RateLimiter:
    """One token bucket per key: `burst` at once, `rate` per second sustained (per worker process)."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when allowed, else the seconds to wait."""
        with self._lock:
            stamp = time.monotonic()
            tokens, last = self._buckets.get(key, (self.burst, stamp))
            tokens = min(self.burst, tokens + (stamp - last) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, stamp)
                return 0.0
            self._buckets[key] = (tokens, stamp)
            return (1 - tokens) / self.rate


def check_name(value: str, field: str) -> str:
    if not NAME.match(value):
        raise ApiError(
            422, f"'{field}' must be lower-case letters, digits and hyphens (got {value[:40]!r})", field=field
        )
    return value


def check_session_id(value: str) -> str:
    if not SESSION_ID.match(value):
        raise ApiError(404, "no such session", field="session_id")
    return value
