"""Background jobs (campaign runs, catalog ingests): recorded in SQLite, run by a background thread, resumed
after a restart.

A job is claimed with a lease (status `running` + a heartbeat); a job whose heartbeat is older than
`job_lease_s` (its server was killed) is claimed again and `run_campaign` on the same folder skips every artifact
the manifest already records, so each artifact is made exactly once; an ingest upserts by SKU, so running it
again changes nothing twice.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from contentgen.server.db import Database, dumps, now
from contentgen.server.errors import ApiError

if TYPE_CHECKING:
    from filelock import BaseFileLock

    from contentgen.campaign import ProgressEvent
    from contentgen.config import Settings
    from contentgen.domain.product import Catalog
    from contentgen.server.config import ServerConfig
    from contentgen.server.ops import Metrics

log = logging.getLogger("contentgen.server")
BRIEF_FILE = "brief.yaml"
UPLOADS = "upload"
Kind = Literal["campaign", "ingest"]


class Jobs:
    """Submit, look up and run background jobs; `start()` runs the claim loop in a daemon thread."""

    def __init__(
        self, db: Database, settings: Settings, config: ServerConfig, folder: Path, metrics: Metrics | None = None
    ) -> None:
        self.db, self.settings, self.config, self.metrics = db, settings, config, metrics
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
        return self._record(job, "campaign", owner, {"brief": brief, "campaign": plan.campaign}, progress)

    def submit_ingest(
        self,
        owner: str,
        kit: str,
        *,
        upload: tuple[str, bytes] | None = None,
        path: Path | None = None,
        currency: str | None = None,
        rebuild: bool = False,
    ) -> dict[str, Any]:
        """Validate a catalog (an uploaded file, a file inside the data home, or the kit's own) as `contentgen
        catalog ingest` would, then record a queued ingest job. Bad rows are one-line errors naming file and line."""
        from contentgen.fileio import atomic_path

        job = uuid.uuid4().hex
        params: dict[str, Any] = {"kit": kit, "currency": currency, "rebuild": rebuild, "file": None, "path": None}
        root = self.root(job)
        if upload is not None:
            name, data = upload
            target = root / UPLOADS / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(target) as tmp:
                tmp.write_bytes(data)
            params["file"] = f"{UPLOADS}/{name}"
        elif path is not None:
            params["path"] = str(path)
        try:
            catalog = self.catalog(job, params)
        except Exception as err:
            import shutil

            from contentgen.errors import ContentgenError, NotFoundError

            shutil.rmtree(root, ignore_errors=True)
            if not isinstance(err, ContentgenError):
                raise
            status = 404 if isinstance(err, NotFoundError) else 422
            raise ApiError(status, self.message(job, err), field=getattr(err, "field", None)) from None
        planned = None if catalog is None else len(catalog)
        return self._record(job, "ingest", owner, params, {"products": planned, "stages": {}})

    def catalog(self, job: str, params: dict[str, Any]) -> Catalog | None:
        """The catalog an ingest job upserts (None: the kit's own, which `CatalogStore.ingest` loads itself)."""
        from contentgen.domain.catalog_io import load_catalog
        from contentgen.domain.loaders import kit_currency, load_brand_kit

        if params["file"] is None and params["path"] is None:
            return None
        brand = load_brand_kit(params["kit"], extra=self.settings.kits_path)
        currency, source = (params["currency"], None) if params["currency"] else kit_currency(brand)
        if params["file"] is not None:  # an upload has no folder of its own: images resolve against the kit
            file, assets = self.root(job) / params["file"], brand.root
        else:
            file, assets = Path(params["path"]), None
        return load_catalog(file, assets_root=assets, currency=currency, currency_source=source)

    def _record(
        self, job: str, kind: Kind, owner: str, params: dict[str, Any], progress: dict[str, Any]
    ) -> dict[str, Any]:
        stamp = now()
        self.db.run(
            "INSERT INTO jobs (id, kind, owner, params, status, progress, created, updated) "
            "VALUES (?, ?, ?, ?, 'queued', ?, ?, ?)",
            job,
            kind,
            owner,
            dumps(params),
            dumps(progress),
            stamp,
            stamp,
        )
        return self.get(job, kind=kind)

    def get(self, job: str, owner: str | None = None, *, kind: Kind = "campaign") -> dict[str, Any]:
        row = self.db.one("SELECT * FROM jobs WHERE id = ? AND kind = ?", job, kind)
        if row is None or (owner is not None and row["owner"] != owner):
            raise ApiError(404, "no such job", field="job")
        params = json.loads(row["params"])
        about = {"campaign": params.get("campaign")} if kind == "campaign" else {"kit": params["kit"]}
        return {
            "id": row["id"],
            "kind": kind,
            "status": row["status"],
            **about,
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
                "SELECT id FROM jobs WHERE (status = 'queued' OR "
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
        row = self.db.one("SELECT kind, params FROM jobs WHERE id = ?", job)
        assert row is not None
        beating = threading.Event()
        heart = threading.Thread(target=self._beat, args=(job, beating), daemon=True)
        heart.start()
        try:
            if row["kind"] == "ingest":
                self._ingest(job, json.loads(row["params"]))
            else:
                self._campaign(job)
        except Exception as err:  # a job's failure is recorded, never lost in a thread
            log.error("job failed", extra={"kind": row["kind"], "error": type(err).__name__})
            self.finish(job, "failed", None, self.message(job, err), kind=row["kind"])
        finally:
            beating.set()

    def message(self, job: str, err: Exception) -> str:
        """The one-line message the CLI would print, with the server's own folders left out of file names."""
        text = str(err).splitlines()[0] if str(err) else type(err).__name__
        return text.replace(f"{self.root(job)}{os.sep}", "").replace(f"{self.settings.home}{os.sep}", "")

    def ingest_lock(self, kit: str) -> BaseFileLock:
        """The lock a kit's ingest jobs hold while they write its catalog: one at a time, over every worker."""
        from filelock import FileLock

        locks = self.folder.parent / "locks"
        locks.mkdir(parents=True, exist_ok=True)
        return FileLock(locks / f"ingest-{kit}.lock")  # fcntl on POSIX, msvcrt on Windows; waits for the holder

    def _ingest(self, job: str, params: dict[str, Any]) -> None:
        catalog = self.catalog(job, params)
        with self.ingest_lock(params["kit"]):  # the heartbeat goes on while a job waits here
            self._ingest_locked(job, params, catalog)

    def _ingest_locked(self, job: str, params: dict[str, Any], catalog: Catalog | None) -> None:
        from contentgen.catalog.store import open_catalog

        store = open_catalog(params["kit"], chroma_url=self.config.chroma_url, settings=self.settings)
        seen: dict[str, int] = {}

        def advance(stage: str, done: int, total: int) -> None:
            if seen.get(stage) == done:
                return
            seen[stage] = done
            self.db.run(
                "UPDATE jobs SET progress = json_set(progress, '$.stages.' || ?, json_object('done', ?, 'total', ?)),"
                " heartbeat = ?, updated = ? WHERE id = ? AND runner = ?",
                stage,
                done,
                total,
                now(),
                now(),
                job,
                self.runner,
            )

        try:
            report = store.ingest(catalog, rebuild=bool(params["rebuild"]), progress=advance)
        finally:
            store.close()
        result = asdict(report)
        for field in ("source", "location"):
            result[field] = self.message(job, Exception(result[field]))
        self.finish(job, "done", result, None, kind="ingest")

    def _campaign(self, job: str) -> None:
        from contentgen.campaign import run_campaign

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

    def finish(
        self, job: str, status: str, result: dict[str, Any] | None, error: str | None, *, kind: Kind = "campaign"
    ) -> None:
        if self.metrics is not None:
            self.metrics.jobs.labels(kind, status).inc()
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
