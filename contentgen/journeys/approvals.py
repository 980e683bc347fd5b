"""The approval gate: a message is written only for a content cell a person approved (or, where the journey or the
run says so, one that passed every check and was approved automatically, which the audit records as such).

Decisions live per journey in `<output root>/<journey>/approvals.jsonl`, one line each (artifact id, decision,
reviewer, time, reason, the run it was made on), appended by `contentgen journeys approve`; the latest decision on
an artifact wins. A cell's artifact id is a hash of everything its copy is written from, and each decision records
`copy_hash`, a hash of the cell's generated fields and findings as the reviewer read them: an approval holds for later
runs only while the cell's copy is the same (a catalog price edit or a non-deterministic model changes the copy but not
the id; such a cell is held as 'cell not approved' and the run warns that its copy changed since approval). Lines
written before `copy_hash` existed have none and match no copy, so those cells are held until approved again.
A run is keyed by these decisions too: after an approval the same command writes the newly approved cells'
messages, and the message ids keep everyone else from a second send.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from contentgen.errors import ConfigError, DataError
from contentgen.fileio import write_text_atomic
from contentgen.journeys.content import CellCopy, CellKey, cells_from_json, copy_hash

APPROVALS = "approvals.jsonl"
AUTO_REVIEWER = "auto"
AUTO_REASON = "passed every check (auto-approve is on for this run)"
Verdict = Literal["approved", "rejected"]


@dataclass(frozen=True)
class Approval:
    artifact_id: str
    decision: Verdict
    reviewer: str
    at: str  # ISO 8601, UTC
    reason: str
    run: str
    copy_hash: str = ""  # copy_hash() of the cell when decided; "" on lines from before it was recorded


def decisions(journey_dir: Path) -> dict[str, Approval]:
    """The latest decision per artifact id of one journey (an empty dict before any)."""
    path = journey_dir / APPROVALS
    found: dict[str, Approval] = {}
    if not path.is_file():
        return found
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            item = Approval(**json.loads(text))
        except (json.JSONDecodeError, TypeError):
            hint = "lines are written by `contentgen journeys approve`; restore the file"
            raise DataError(path, "not an approval record", line=number, hint=hint) from None
        found[item.artifact_id] = item
    return found


def decisions_digest(journey_dir: Path) -> str:
    path = journey_dir / APPROVALS
    return hashlib.sha256(path.read_bytes() if path.is_file() else b"").hexdigest()[:16]


def approved_cells(cells: Mapping[CellKey, CellCopy], journey_dir: Path, *, auto: bool) -> dict[str, Approval]:
    """artifact id → the approval each writable cell of a run has: a person's, else the automatic one when `auto`
    and the cell passed every check; a rejected cell is never approved automatically."""
    made = decisions(journey_dir)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    out: dict[str, Approval] = {}
    for cell in cells.values():
        if not cell.ready:
            continue
        decision = made.get(cell.artifact_id)
        if decision is not None:  # a person's decision: never overridden automatically, even when it is stale
            if decision.decision == "approved" and decision.copy_hash == copy_hash(cell):
                out[cell.artifact_id] = decision
            continue
        if auto:
            out[cell.artifact_id] = Approval(
                cell.artifact_id, "approved", AUTO_REVIEWER, now, AUTO_REASON, "", copy_hash(cell)
            )
    return out


def changed_since_approval(cells: Mapping[CellKey, CellCopy], journey_dir: Path) -> list[str]:
    """Artifact ids of ready cells a person approved whose copy is no longer the copy that was approved."""
    made = decisions(journey_dir)
    stale = set()
    for cell in cells.values():
        decision = made.get(cell.artifact_id)
        approved = decision is not None and decision.decision == "approved"
        if cell.ready and approved and decision is not None and decision.copy_hash != copy_hash(cell):
            stale.add(cell.artifact_id)
    return sorted(stale)


def record(
    run_dir: Path,
    *,
    reviewer: str,
    reason: str,
    artifact_ids: Iterable[str] = (),
    every_ready: bool = False,
    decision: Verdict = "approved",
) -> list[Approval]:
    """Record decisions on cells of a finished or stopped run; refuses unknown ids and cells that failed a check."""
    run_dir = run_dir.resolve()  # `approve .` inside the run folder: its parent and name are the real ones
    cells_file = run_dir / "cells.json"
    if not cells_file.is_file():
        raise ConfigError(f"{run_dir} has no cells.json: give the folder a `journeys run` printed")
    if not reviewer.strip():
        raise ConfigError("--reviewer is required: the audit names who approved")
    if not reason.strip():
        raise ConfigError("--reason is required: the audit says why")
    cells = {c.artifact_id: c for c in cells_from_json(cells_file.read_text(encoding="utf-8")).values()}
    wanted = list(dict.fromkeys(artifact_ids))
    if every_ready:
        if wanted:
            raise ConfigError("give --cells or --all, not both")
        wanted = [a for a, c in sorted(cells.items()) if c.ready]
    if not wanted:
        raise ConfigError("no cells given: --cells ID[,ID…] (artifact ids from review.html) or --all")
    for artifact in wanted:
        cell = cells.get(artifact)
        if cell is None:
            raise ConfigError(f"cell '{artifact}' is not in {cells_file}; the artifact ids are on review.html")
        if decision == "approved" and not cell.ready:
            raise ConfigError(f"cell '{artifact}' failed its checks ({cell.error}); it cannot be approved")
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    made = [
        Approval(a, decision, reviewer.strip(), now, reason.strip(), run_dir.name, copy_hash(cells[a])) for a in wanted
    ]
    from filelock import FileLock

    path = run_dir.parent / APPROVALS
    lines = "".join(json.dumps(asdict(a), ensure_ascii=False) + "\n" for a in made)
    with FileLock(str(path) + ".lock"):  # two reviewers at once: neither line is lost
        before = path.read_text(encoding="utf-8") if path.is_file() else ""
        write_text_atomic(path, before + lines)
    return made
