"""Campaign jobs: recorded in SQLite, run by a background thread, resumed after a restart.

A job is claimed with a lease (status `running` + a heartbeat); a job whose heartbeat is older than
`job_lease_s` (its server was killed) is claimed again and `run_campaign` on the same folder skips every artifact
the manifest already records, so each artifact is made exactly once.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.server.db import Database, dumps, now
from contentgen.server.errors import ApiError

if TYPE_CHECKING:
    from contentgen.campaign import ProgressEvent
    from contentgen.config import Settings
    from contentgen.server.config import ServerConfig

log = logging.getLogger("contentgen.server")
BRIEF_FILE = "brief.yaml"


class Jobs:
    """Submit, look up and run campaign jobs; `start()` runs the claim loop in a daemon thread."""

    def __init__(self, db: Database, settings: Settings, config: ServerConfig, folder: Path) -> None:
        self.db, self.settings, self.config = db, settings, config
        self.folder = folder / "jobs"
        self.runner = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def root(self, job: str) -> Path:
        return self.folder / job

    def out_dir(self, job: str) -> Path:
        return self.root(job) / "out"

    def submit(self, owner: str, brief: str | None, inline: str | None) -> dict[str, Any]:
        """Validate the brief (a shipped name or inline YAML/JSON), plan it, record a queued job."""
        from contentgen.campaign import find_brief, load_campaign_brief, plan_campaign
        from contentgen.fileio import write_text_atomic

        job = uuid.uuid4().hex
        root = self.root(job)
        root.mkdir(parents=True, exist_ok=True)
        path = root / BRIEF_FILE
        if inline is not None:
            write_text_atomic(path, inline if inline.endswith("\n") else inline + "\n")
        else:
            write_text_atomic(path, find_brief(str(brief)).read_text(encoding="utf-8"))
        try:
            plan = plan_campaign(load_campaign_brief(path), settings=self.settings)
        except Exception:
            path.unlink(missing_ok=True)
            root.rmdir()
            raise
        progress = {"done": 0, "failed": 0, "planned": len(plan.items)}
        params = {"brief": brief, "campaign": plan.campaign}
        stamp = now()
        self.db.run(
            "INSERT INTO jobs (id, kind, owner, params, status, progress, created, updated) "
            "VALUES (?, 'campaign', ?, ?, 'queued', ?, ?, ?)",
            job,
            owner,
            dumps(params),
            dumps(progress),
            stamp,
            stamp,
        )
        return self.get(job)

    def get(self, job: str, owner: str | None = None) -> dict[str, Any]:
        row = self.db.one("SELECT * FROM jobs WHERE id = ? AND kind = 'campaign'", job)
        if row is None or (owner is not None and row["owner"] != owner):
            raise ApiError(404, "no such job", field="job")
        return {
            "id": row["id"],
            "status": row["status"],
            "campaign": json.loads(row["params"]).get("campaign"),
            "progress": json.loads(row["progress"]),
            "result": json.loads(row["result"]) if row["result"] else None,
            "error": row["error"],
            "attempts": row["attempts"],
            "created": row["created"],
            "updated": row["updated"],
        }

    # ---- running ----------------------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="contentgen-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            job = self.claim()
            if job is None:
                self._stop.wait(self.config.job_poll_s)
                continue
            self.run(job)

    def claim(self) -> str | None:
        """Take the oldest queued job, or a running one whose server stopped heart-beating."""
        stale = now() - self.config.job_lease_s
        with self.db.tx() as conn:
            row = conn.execute(
                "SELECT id FROM jobs WHERE kind = 'campaign' AND (status = 'queued' OR "
                "(status = 'running' AND (heartbeat IS NULL OR heartbeat < ?))) ORDER BY created LIMIT 1",
                (stale,),
            ).fetchone()
            if row is None:
                return None
            conn.execute(
                "UPDATE jobs SET status = 'running', runner = ?, heartbeat = ?, attempts = attempts + 1, "
                "updated = ? WHERE id = ?",
                (self.runner, now(), now(), row["id"]),
            )
        return str(row["id"])

    def run(self, job: str) -> None:
        from contentgen.campaign import run_campaign

        beating = threading.Event()
        heart = threading.Thread(target=self._beat, args=(job, beating), daemon=True)
        heart.start()
        counts = {"done": 0, "failed": 0}

        def progress(event: ProgressEvent) -> None:
            if event.event in ("done", "skipped", "failed"):
                counts["failed" if event.event == "failed" else "done"] += 1
                self.db.run(
                    "UPDATE jobs SET progress = json_set(progress, '$.done', ?, '$.failed', ?), heartbeat = ?, "
                    "updated = ? WHERE id = ? AND runner = ?",
                    counts["done"],
                    counts["failed"],
                    now(),
                    now(),
                    job,
                    self.runner,
                )

        try:
            result = run_campaign(
                self.root(job) / BRIEF_FILE,
                out_dir=self.out_dir(job),
                workers=self.config.campaign_workers,
                progress=progress,
                settings=self.settings,
            )
            summary = result.summary()
            status, error = ("done" if result.ok else "failed"), None
            if not result.ok:
                error = f"{len(result.failed)} artifacts failed"
            stored = {k: summary[k] for k in ("stages", "failed", "ready", "elapsed_s")}
            self.finish(job, status, stored, error)
        except Exception as err:  # a job's failure is recorded, never lost in a thread
            log.error("campaign job failed", extra={"error": type(err).__name__})
            self.finish(job, "failed", None, str(err).splitlines()[0] if str(err) else type(err).__name__)
        finally:
            beating.set()

    def finish(self, job: str, status: str, result: dict[str, Any] | None, error: str | None) -> None:
        self.db.run(
            "UPDATE jobs SET status = ?, result = ?, error = ?, updated = ? WHERE id = ? AND runner = ?",
            status,
            dumps(result) if result is not None else None,
            error,
            now(),
            job,
            self.runner,
        )

    def _beat(self, job: str, done: threading.Event) -> None:
        while not done.wait(self.config.job_lease_s / 3):
            self.db.run("UPDATE jobs SET heartbeat = ? WHERE id = ? AND runner = ?", now(), job, self.runner)
