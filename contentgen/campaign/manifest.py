"""The run manifest: one JSON line per finished artifact, appended, flushed and fsync'd; last line per id wins."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from contentgen.domain.findings import Finding
from contentgen.errors import ContentgenError, DataError
from contentgen.providers.base import ProviderInfo

MANIFEST = "manifest.jsonl"
ARTIFACTS = "artifacts"
LOCK = ".lock"
CAMPAIGN_FILE = "campaign.json"
"""What a run was made from (brief, plan, kit, fonts), written by `campaign run` beside the manifest."""


class OutputFile(BaseModel):
    """One file an artifact wrote: its path relative to the run folder, and what it must hash to."""

    model_config = ConfigDict(frozen=True)

    path: str
    sha256: str
    bytes: int

    def verify(self, root: Path) -> bool:
        """True if the file exists under `root` with the recorded size and hash."""
        path = root / self.path
        try:
            return path.stat().st_size == self.bytes and file_sha256(path) == self.sha256
        except OSError:
            return False


class ArtifactRecord(BaseModel):
    """What made one artifact and what it wrote: a manifest line."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: str
    segment: str
    channel: str
    skus: list[str]
    input_hash: str
    inputs: dict[str, str]
    provider: ProviderInfo | None = None
    seed: int
    prompt_version: str = ""
    files: list[OutputFile]
    findings: list[Finding] = []
    ready: bool = True
    summary: dict[str, Any] = {}
    created_at: dt.datetime
    duration_s: float = 0.0

    @property
    def model(self) -> str | None:
        return self.provider.model if self.provider else None

    def verify(self, root: Path) -> bool:
        """Every recorded file is present and unchanged."""
        return all(f.verify(root) for f in self.files)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(path: Path) -> dict[str, ArtifactRecord]:
    """The effective view: the last record of each artifact id; a torn last line (a killed write) is ignored."""
    if not path.is_file():
        return {}
    # A line counts once its newline is on disk: a tail without one is a write that did not finish.
    lines = path.read_bytes().split(b"\n")[:-1]
    records: dict[str, ArtifactRecord] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = ArtifactRecord.model_validate_json(line)
        except ValidationError as err:
            raise DataError(
                path,
                f"line is not a manifest record: {err.errors()[0]['msg']}",
                line=number,
                hint="the manifest is written by `contentgen campaign run`; remove the line, or --force to redo all",
            ) from None
        records.pop(record.id, None)  # keep the order of the latest writes
        records[record.id] = record
    return records


class ManifestWriter:
    """Appends records durably: a line is either whole on disk or (killed mid-write) a torn tail ignored on read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        _drop_torn_tail(path)
        self._fh: IO[bytes] = path.open("ab")

    def append(self, record: ArtifactRecord) -> None:
        self._fh.write(record.model_dump_json().encode() + b"\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> ManifestWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _drop_torn_tail(path: Path) -> None:
    """Cut a partial last line so that the next record starts on a line of its own."""
    if not path.is_file():
        return
    with path.open("r+b") as fh:
        size = fh.seek(0, os.SEEK_END)
        if size == 0:
            return
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return
        keep = size
        while keep > 0:
            start = max(0, keep - 4096)
            fh.seek(start)
            block = fh.read(keep - start)
            cut = block.rfind(b"\n")
            if cut >= 0:
                keep = start + cut + 1
                break
            keep = start
        fh.truncate(keep)
        fh.flush()
        os.fsync(fh.fileno())


def sweep_temp_files(root: Path) -> list[Path]:
    """Remove the temp files of atomic writes that a killed run left behind (`.<name>.<random>.tmp`)."""
    removed = []
    for folder in (root, root / ARTIFACTS):
        if not folder.is_dir():
            continue
        candidates = folder.rglob(".*.tmp") if folder.name == ARTIFACTS else folder.glob(".*.tmp")
        for path in candidates:
            if path.is_file():
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


@contextmanager
def run_lock(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on a run folder, so two runs never append to one manifest."""
    from filelock import FileLock, Timeout

    root.mkdir(parents=True, exist_ok=True)
    lock = FileLock(root / LOCK, timeout=0)  # fcntl on POSIX, msvcrt on Windows
    try:
        lock.acquire()
    except Timeout:
        raise ContentgenError(
            f"another campaign run is writing to {root}; wait for it to finish or choose another --out"
        ) from None
    try:
        yield
    finally:
        lock.release()


def dump_json(data: Any) -> str:
    """Stable, readable JSON for the run folder's files."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False, default=str) + "\n"
