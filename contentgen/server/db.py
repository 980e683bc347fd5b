"""SQLite for everything the server must remember across restarts and share between workers: API keys (hashed),
sessions and their turns, jobs, and the approvals audit log. WAL mode, one connection per thread."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS keys (
    id TEXT PRIMARY KEY, hash TEXT NOT NULL, scope TEXT NOT NULL, label TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL, revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, agent TEXT NOT NULL, kit TEXT NOT NULL, owner TEXT NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'open', handoff_reason TEXT, handoff_at REAL
);
CREATE TABLE IF NOT EXISTS turns (
    session TEXT NOT NULL REFERENCES sessions(id), seq INTEGER NOT NULL, data TEXT NOT NULL, created REAL NOT NULL,
    PRIMARY KEY (session, seq)
);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, owner TEXT NOT NULL, params TEXT NOT NULL,
    status TEXT NOT NULL, progress TEXT NOT NULL DEFAULT '{}', result TEXT, error TEXT,
    runner TEXT, heartbeat REAL, attempts INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, job TEXT NOT NULL, item TEXT NOT NULL, status TEXT NOT NULL,
    reviewer TEXT NOT NULL, reason TEXT NOT NULL, key TEXT NOT NULL, at REAL NOT NULL
);
"""


class Database:
    """A thin, thread-safe wrapper: `db.one(sql, ...)`, `db.all(...)`, `with db.tx() as c: ...`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        # Writers of one process queue here, woken in turn, instead of all polling SQLite's busy handler (which
        # sleeps and retries, and under CPU pressure lets one unlucky writer wait for seconds).
        self._writing = threading.RLock()
        self._conn().executescript(SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE: writers queue instead of failing)."""
        conn = self._conn()
        with self._writing:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._conn().execute(sql, args).fetchone()
        return row

    def all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        return list(self._conn().execute(sql, args).fetchall())

    def run(self, sql: str, *args: Any) -> int:
        with self.tx() as conn:
            return conn.execute(sql, args).rowcount

    def ping(self) -> bool:
        return self.one("SELECT 1") is not None


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def now() -> float:
    return time.time()
