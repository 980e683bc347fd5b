"""Running a campaign: plan, skip what is done, make the rest in worker processes, one manifest line each.

Resumable by construction: every file is written atomically and an artifact counts as done only once its
manifest line (with the hash of every file) is on disk. A re-run skips artifacts whose inputs and files are
unchanged and redoes the rest; a killed run leaves at most temp files, which the next run sweeps away.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, Literal

from contentgen.campaign.deliverables import CampaignContext, build_context
from contentgen.campaign.manifest import (
    CAMPAIGN_FILE,
    MANIFEST,
    ArtifactRecord,
    ManifestWriter,
    dump_json,
    read_manifest,
    run_lock,
    sweep_temp_files,
)
from contentgen.campaign.plan import CampaignPlan, cpu_count, default_workers, make_plan
from contentgen.campaign.registry import available_deliverables, deliverable, use_registry
from contentgen.campaign.types import PlannedArtifact
from contentgen.errors import ContentgenError

if TYPE_CHECKING:
    from contentgen.campaign.brief import CampaignBrief
    from contentgen.config import Settings

Status = Literal["done", "new", "changed", "damaged", "upstream", "forced"]
EventKind = Literal["start", "skipped", "done", "failed", "stopping"]


@dataclass(frozen=True)
class ProgressEvent:
    """What a run reports as it goes: `start` (with per-stage totals), then one event per artifact."""

    event: EventKind
    stage: str | None = None
    item: str | None = None
    totals: Mapping[str, int] = field(default_factory=dict)
    message: str = ""


@dataclass(frozen=True)
class Failure:
    id: str
    kind: str
    message: str


@dataclass
class CampaignResult:
    """What a run made, skipped (done and unchanged) and could not make."""

    plan: CampaignPlan
    out_dir: Path
    made: list[ArtifactRecord]
    skipped: list[ArtifactRecord]
    failed: list[Failure]
    workers: int
    elapsed_s: float
    interrupted: bool = False

    @property
    def manifest(self) -> Path:
        return self.out_dir / MANIFEST

    @property
    def ok(self) -> bool:
        return not self.failed and not self.interrupted

    @property
    def records(self) -> list[ArtifactRecord]:
        """Every finished artifact of the plan, in plan order."""
        by_id = {r.id: r for r in [*self.skipped, *self.made]}
        return [by_id[i.id] for i in self.plan.items if i.id in by_id]

    @property
    def stages(self) -> dict[str, dict[str, int]]:
        """Per stage: planned, made, skipped, failed."""
        out = {}
        for stage, planned in self.plan.counts.items():
            out[stage] = {
                "planned": planned,
                "made": sum(r.kind == stage for r in self.made),
                "skipped": sum(r.kind == stage for r in self.skipped),
                "failed": sum(f.kind == stage for f in self.failed),
            }
        return out

    def summary(self) -> dict[str, Any]:
        """A JSON-able summary (what `campaign run --json` prints)."""
        return {
            "campaign": self.plan.campaign,
            "out_dir": str(self.out_dir),
            "manifest": str(self.manifest),
            "ok": self.ok,
            "interrupted": self.interrupted,
            "workers": self.workers,
            "elapsed_s": round(self.elapsed_s, 2),
            "stages": self.stages,
            "made": [r.id for r in self.made],
            "skipped": [r.id for r in self.skipped],
            "failed": [{"id": f.id, "kind": f.kind, "message": f.message} for f in self.failed],
            "ready": sum(r.ready for r in self.records),
        }


class CampaignInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run; `result` holds what was finished (all of it recorded in the manifest)."""

    def __init__(self, result: CampaignResult) -> None:
        super().__init__("campaign run interrupted")
        self.result = result


def default_out_dir(plan: CampaignPlan, settings: Settings) -> Path:
    return settings.output_dir / "campaigns" / plan.campaign


def run_campaign(
    brief: CampaignBrief | str | Path,
    *,
    out_dir: Path | None = None,
    workers: int | None = None,
    force: bool = False,
    progress: Callable[[ProgressEvent], None] | None = None,
    settings: Settings | None = None,
) -> CampaignResult:
    """Make every artifact of a brief that is not already done; resumable, parallel, one manifest line each.

    `workers`: processes (default: one per core, one for small runs); `force`: redo everything. Ctrl-C
    finishes the artifacts in progress and raises CampaignInterrupted (a second Ctrl-C stops at once).
    """
    from contentgen.campaign.brief import CampaignBrief, load_campaign_brief
    from contentgen.config import load_settings

    started = time.perf_counter()
    the_brief = brief if isinstance(brief, CampaignBrief) else load_campaign_brief(brief)
    settings = settings or load_settings()
    ctx = build_context(the_brief, settings)
    plan = make_plan(ctx)
    root = (out_dir or default_out_dir(plan, settings)).resolve()
    ctx.out_dir = root
    emit = progress or (lambda event: None)
    with run_lock(root):
        sweep_temp_files(root)
        with ManifestWriter(root / MANIFEST) as writer:
            existing = read_manifest(root / MANIFEST)
            statuses = artifact_status(plan, root, existing, force=force)
            skipped = [existing[i.id] for i in plan.items if statuses[i.id] == "done"]
            todo = [i for i in plan.items if statuses[i.id] != "done"]
            _write_campaign_file(root, plan, ctx)
            count = max(1, min(workers, len(todo) or 1)) if workers else default_workers(todo)
            emit(ProgressEvent("start", totals=plan.counts))
            for record in skipped:
                emit(ProgressEvent("skipped", stage=record.kind, item=record.id))
            scheduler = _Scheduler(todo, {r.id: r for r in skipped}, writer, emit)
            try:
                scheduler.run(ctx, count)
            finally:
                if scheduler.interrupted:
                    sweep_temp_files(root)
    result = CampaignResult(
        plan=plan,
        out_dir=root,
        made=scheduler.made,
        skipped=skipped,
        failed=scheduler.failed,
        workers=count,
        elapsed_s=time.perf_counter() - started,
        interrupted=scheduler.interrupted,
    )
    if result.interrupted:
        raise CampaignInterrupted(result)
    return result


def artifact_status(
    plan: CampaignPlan, root: Path, existing: Mapping[str, ArtifactRecord] | None = None, *, force: bool = False
) -> dict[str, Status]:
    """Per planned artifact: done (skip), new, changed (inputs), damaged (files), upstream (redone), forced."""
    existing = read_manifest(root / MANIFEST) if existing is None else existing
    statuses: dict[str, Status] = {}
    for item in plan.items:  # plan order: what an item needs has its status already
        record = existing.get(item.id)
        status: Status
        if force:
            status = "forced"
        elif record is None:
            status = "new"
        elif record.input_hash != item.input_hash:
            status = "changed"
        elif not record.verify(root):
            status = "damaged"
        elif any(statuses[need] != "done" for need in item.needs):
            status = "upstream"
        else:
            status = "done"
        statuses[item.id] = status
    return statuses


def _write_campaign_file(root: Path, plan: CampaignPlan, ctx: CampaignContext) -> None:
    """campaign.json: the plan and the display names the review page shows."""
    import datetime as dt

    from contentgen.fileio import write_text_atomic
    from contentgen.fonts import FontSourceError, resolve_font

    locale = ctx.brand.locale
    segments = {i.segment for i in plan.items}
    channels = {i.channel for i in plan.items}
    labels = {
        "segments": {s: ctx.segments[s].name.get(locale) for s in sorted(segments)},
        "channels": {c: ctx.channels[c].name.get(locale) for c in sorted(channels)},
        "products": {sku: ctx.catalog.get(sku).name for i in plan.items for sku in i.skus},
    }
    brand = ctx.brand
    fonts = {}
    for role, spec in brand.fonts.roles().items():
        try:
            fonts[role] = str(resolve_font(spec, brand.root))
        except FontSourceError:  # checked when the kit loaded; a font removed since only loses the page's look
            continue
    assets = {
        "palette": brand.palette.model_dump(),
        "logo": str(brand.path(brand.logo.primary)),
        "fonts": fonts,
    }
    data = {
        **plan.model_dump(mode="json"),
        "labels": labels,
        "assets": assets,
        "updated_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }
    write_text_atomic(root / CAMPAIGN_FILE, dump_json(data))


# ---- scheduling -------------------------------------------------------------------------------------


@dataclass
class _Outcome:
    id: str
    record: ArtifactRecord | None = None
    error: str | None = None


class _Scheduler:
    """Hands ready artifacts (their needs done) to workers, records each outcome as it arrives."""

    def __init__(
        self,
        todo: list[PlannedArtifact],
        records: dict[str, ArtifactRecord],
        writer: ManifestWriter,
        emit: Callable[[ProgressEvent], None],
    ) -> None:
        self.waiting = list(todo)
        self.records = records
        self.writer = writer
        self.emit = emit
        self.made: list[ArtifactRecord] = []
        self.failed: list[Failure] = []
        self.interrupted = False

    def run(self, ctx: CampaignContext, workers: int) -> None:
        if not self.waiting:
            return
        with _Interrupts() as interrupts:
            if workers == 1:
                # A second Ctrl-C interrupts the artifact in progress; its temp files are swept.
                with suppress(KeyboardInterrupt):
                    self._loop(_Inline(), partial(_make, ctx), 1, interrupts)
                return
            pool = _start_pool(workers, ctx)
            try:
                self._loop(pool, _run_chunk, workers, interrupts)
            except KeyboardInterrupt:  # the second Ctrl-C: stop now
                _kill(pool)
            finally:
                pool.shutdown(wait=True, cancel_futures=True)

    def _loop(
        self, executor: Executor, task: Callable[..., list[_Outcome]], workers: int, interrupts: _Interrupts
    ) -> None:
        running: dict[Future[list[_Outcome]], list[PlannedArtifact]] = {}
        try:
            while self.waiting or running:
                if interrupts.count and not self.interrupted:
                    self.interrupted = True
                    self.waiting.clear()
                    if running:
                        self.emit(
                            ProgressEvent(
                                "stopping",
                                message=f"stopping after the {sum(len(v) for v in running.values())} artifacts in "
                                "progress (Ctrl-C again to stop now)",
                            )
                        )
                self._fail_blocked()
                while len(running) < workers:
                    chunk = self._next_chunk(workers)
                    if not chunk:
                        break
                    upstream = {need: self.records[need] for item in chunk for need in item.needs}
                    running[executor.submit(task, chunk[0].kind, chunk, upstream)] = chunk
                if not running:
                    break  # nothing can start: what is left waits on artifacts that failed
                finished, _ = wait(list(running), timeout=0.25, return_when=FIRST_COMPLETED)
                for future in finished:
                    chunk = running.pop(future)
                    self._record(chunk, future.result())
        except KeyboardInterrupt:
            self.interrupted = True
            raise

    def _next_chunk(self, workers: int) -> list[PlannedArtifact]:
        ready = [i for i in self.waiting if all(need in self.records for need in i.needs)]
        if not ready:
            return []
        kind = ready[0].kind
        same = [i for i in ready if i.kind == kind]
        # Small chunks keep every worker busy and the manifest fine-grained; big ones let model providers batch.
        size = max(1, min(deliverable(kind).max_batch, -(-len(same) // (workers * 4))))
        chunk = same[:size]
        for item in chunk:
            self.waiting.remove(item)
        return chunk

    def _fail_blocked(self) -> None:
        failed = {f.id for f in self.failed}
        for item in list(self.waiting):
            broken = next((need for need in item.needs if need in failed), None)
            if broken:
                self.waiting.remove(item)
                self._fail(item, f"needs {broken}, which failed")
                failed.add(item.id)

    def _record(self, chunk: list[PlannedArtifact], outcomes: list[_Outcome]) -> None:
        by_id = {o.id: o for o in outcomes}
        for item in chunk:
            outcome = by_id.get(item.id)
            if outcome is None or outcome.record is None:
                self._fail(item, outcome.error if outcome and outcome.error else "the deliverable returned no record")
                continue
            self.writer.append(outcome.record)
            self.records[item.id] = outcome.record
            self.made.append(outcome.record)
            self.emit(ProgressEvent("done", stage=item.kind, item=item.id))

    def _fail(self, item: PlannedArtifact, message: str) -> None:
        self.failed.append(Failure(item.id, item.kind, message))
        self.emit(ProgressEvent("failed", stage=item.kind, item=item.id, message=message))


class _Inline(Executor):
    """Runs each task in this process when it is submitted: no start-up cost for small runs."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


class _Interrupts:
    """Counts Ctrl-C instead of raising at once; the second one raises KeyboardInterrupt to stop now."""

    def __init__(self) -> None:
        self.count = 0
        self._previous: Any = None
        self._installed = False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        if self.count > 1:
            raise KeyboardInterrupt

    def __enter__(self) -> _Interrupts:
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._installed = True
        except ValueError:  # not the main thread: Ctrl-C cannot reach this run anyway
            pass
        return self

    def __exit__(self, *exc: object) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)


# ---- worker processes -------------------------------------------------------------------------------

_WORKER_CONTEXT: CampaignContext | None = None


def _start_pool(workers: int, ctx: CampaignContext) -> ProcessPoolExecutor:
    """Spawned workers (no fork of a threaded parent) that ignore Ctrl-C: the parent decides when to stop."""
    import multiprocessing

    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        # The loaded kit, catalog and segments travel pickled: parsing them again would cost each worker seconds.
        initargs=(replace(ctx, upstream_records={}, _cache={}), available_deliverables(), os.getpid()),
    )
    # Start every worker now, with SIGINT ignored: a child inherits that from the start, before Python's
    # own handler could turn a Ctrl-C into a traceback in it.
    with _sigint_ignored():
        for _ in range(workers):
            pool.submit(os.getpid)
    return pool


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _kill(pool: ProcessPoolExecutor) -> None:
    """Stop every worker now; what they were writing is left as temp files that the sweep removes."""
    for process in list(pool._processes.values()):  # no public API lists an executor's processes
        process.kill()
    for process in list(pool._processes.values()):
        process.join(timeout=5)


def _init_worker(ctx: CampaignContext, registry: dict[str, str], parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)
    use_registry(registry)
    global _WORKER_CONTEXT
    _WORKER_CONTEXT = ctx


def _die_with(parent: int) -> None:
    """Have the kernel kill this worker when the run process dies (SIGKILL included), so no orphan writes on."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _run_chunk(kind: str, items: list[PlannedArtifact], upstream: dict[str, ArtifactRecord]) -> list[_Outcome]:
    assert _WORKER_CONTEXT is not None, "worker started without _init_worker"
    return _make(_WORKER_CONTEXT, kind, items, upstream)


def _make(
    ctx: CampaignContext, kind: str, items: Sequence[PlannedArtifact], upstream: dict[str, ArtifactRecord]
) -> list[_Outcome]:
    """Make a chunk of one kind; a failing chunk is retried one by one so one bad cell fails alone."""
    ctx.upstream_records = upstream
    impl = deliverable(kind)
    start = time.perf_counter()
    try:
        records = impl.make_batch(items, ctx) if len(items) > 1 else [impl.make(items[0], ctx)]
    except Exception as err:
        if len(items) > 1:
            return [outcome for item in items for outcome in _make(ctx, kind, [item], upstream)]
        return [_Outcome(items[0].id, error=_describe(err))]
    each = round((time.perf_counter() - start) / len(items), 3)
    return [_Outcome(r.id, record=r.model_copy(update={"duration_s": each})) for r in records]


def _describe(err: Exception) -> str:
    if isinstance(err, ContentgenError):
        return str(err)
    import traceback

    where = traceback.extract_tb(err.__traceback__)[-1]
    return f"{type(err).__name__}: {err} (at {Path(where.filename).name}:{where.lineno}; a bug, please report it)"


__all__ = [
    "CampaignInterrupted",
    "CampaignResult",
    "Failure",
    "ProgressEvent",
    "artifact_status",
    "cpu_count",
    "run_campaign",
]
