"""The results store: imported report and outcome rows in one SQLite file in the run folder.

Every import is one transaction: a file that fails half-way leaves the store as it was. Rows are keyed by what they
are about (tracking code + day for a channel report row; order id, or customer + event + time, for an outcome), so
re-importing a file changes nothing and importing a newer export of the same report replaces the rows it repeats.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

STORE_FILE = "results.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS imports (
    file_hash TEXT PRIMARY KEY, path TEXT NOT NULL, kind TEXT NOT NULL, imported_at TEXT NOT NULL,
    rows INTEGER NOT NULL, matched INTEGER NOT NULL, skipped TEXT NOT NULL, simulated INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS channel_rows (
    row_key TEXT PRIMARY KEY, file_hash TEXT NOT NULL, line INTEGER NOT NULL, code TEXT NOT NULL, day TEXT NOT NULL,
    impressions REAL NOT NULL, clicks REAL NOT NULL, orders REAL NOT NULL, revenue REAL NOT NULL, cost REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS outcomes (
    row_key TEXT PRIMARY KEY, file_hash TEXT NOT NULL, line INTEGER NOT NULL, customer_id TEXT NOT NULL,
    event TEXT NOT NULL, value REAL NOT NULL, at TEXT NOT NULL, code TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class ChannelRow:
    code: str
    day: str
    impressions: float
    clicks: float
    orders: float
    revenue: float
    cost: float


@dataclass(frozen=True)
class Outcome:
    customer_id: str
    event: str
    value: float
    at: dt.datetime
    code: str


@dataclass(frozen=True)
class ImportRecord:
    file_hash: str
    path: str
    kind: str
    imported_at: str
    rows: int
    matched: int
    skipped: list[tuple[int, str]]
    simulated: bool


@contextmanager
def connect(root: Path) -> Iterator[sqlite3.Connection]:
    """An open store (created on first use); commit or roll back is the caller's `with db:` block."""
    with closing(sqlite3.connect(root / STORE_FILE)) as db:
        db.executescript(SCHEMA)
        yield db


def imports(root: Path) -> list[ImportRecord]:
    if not (root / STORE_FILE).is_file():
        return []
    with connect(root) as db:
        rows = db.execute("SELECT * FROM imports ORDER BY imported_at").fetchall()
    return [
        ImportRecord(r[0], r[1], r[2], r[3], r[4], r[5], [tuple(x) for x in json.loads(r[6])], bool(r[7])) for r in rows
    ]


def channel_rows(root: Path) -> list[ChannelRow]:
    if not (root / STORE_FILE).is_file():
        return []
    with connect(root) as db:
        rows = db.execute(
            "SELECT code, day, impressions, clicks, orders, revenue, cost FROM channel_rows ORDER BY day, code"
        ).fetchall()
    return [ChannelRow(*r) for r in rows]


def outcomes(root: Path) -> list[Outcome]:
    if not (root / STORE_FILE).is_file():
        return []
    with connect(root) as db:
        rows = db.execute("SELECT customer_id, event, value, at, code FROM outcomes ORDER BY at").fetchall()
    return [Outcome(r[0], r[1], r[2], dt.datetime.fromisoformat(r[3]), r[4]) for r in rows]
