"""Running a journey over a customer base: shuffle by customer id → decide per bucket → write copy once per cell →
fill per bucket → merge.

Every bucket's files are written atomically and a bucket counts as done once its file exists, so a killed run resumes
with no message lost or duplicated. A run is keyed by its inputs (journey file, customer and event files, --as-of,
horizon): the same run again finds its summary and writes nothing. Earlier runs' part files under the same output
root are the ledger: a customer gets each step of a trigger occurrence once, and the frequency caps count them.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import shutil
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from contentgen.domain.experiment import ASSIGNMENT_COLUMNS
from contentgen.errors import ConfigError, ContentgenError
from contentgen.fileio import atomic_path, write_text_atomic
from contentgen.journeys.content import CellCopy, CellKey
from contentgen.journeys.inputs import BUCKETS, NAME_CONSENT

COLUMNS = (
    "message_id", "customer_id", "journey", "step", "channel", "send_at", "arm", "artifact_id", "tracking_code",
    "tier", "locale", "sku", "greeting", "title", "body", "cta", "also_like", "also_like_sku", "link", "unsubscribe",
)  # fmt: skip
Executor = Literal["local", "ray"]


@dataclass(frozen=True)
class RunSpec:
    """Everything a bucket worker needs, picklable (paths and values, no loaded objects)."""

    journey_path: str
    journeys_folder: str | None
    customers: str
    events: str
    as_of: dt.datetime
    horizon_s: int
    run_dir: str
    root: str


@dataclass
class JourneySummary:
    journey: str
    run_dir: Path
    new: bool
    customers: int
    events: int
    messages: int
    cells: int
    cells_not_ready: int
    by_cell: dict[str, int]  # "step|channel|tier|arm" → messages
    skips: dict[str, int]
    assignments: dict[str, int]
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cells_approved: int = 0  # by a person or, with auto-approve, automatically (see approvals.json of the run)
    cells_auto_approved: int = 0

    def to_json(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}


def _digest(paths: Sequence[Path], extra: str) -> str:
    digest = hashlib.sha256(extra.encode())
    for path in paths:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- phase 0: split by bucket


def split_task(spec: RunSpec, index: int) -> dict[str, Any]:
    """One item of the input split (a byte range of a JSONL file, or a whole CSV file)."""
    from contentgen.journeys.shuffle import split_item

    work = Path(spec.run_dir) / "work"
    try:
        items = json.loads((work / "in.tmp" / "items.json").read_text())
        return split_item(work, index, items[index])
    except ContentgenError as err:
        return {"error": str(err)}


# ---------------------------------------------------------------- per-process context


@dataclass
class _Loaded:
    journey: Any
    decide_ctx: Any
    skus: frozenset[str]
    names: dict[str, str]
    channels: dict[str, Any]


@lru_cache(maxsize=4)
def _load(spec: RunSpec) -> _Loaded:
    from contentgen.domain.experiment import Assigner
    from contentgen.domain.loaders import load_brand_kit, load_channels, load_kit_catalog
    from contentgen.journeys.decide import Context, product_size
    from contentgen.journeys.load import find_journey, load_contact_policy, load_journeys

    folder = Path(spec.journeys_folder) if spec.journeys_folder else None
    journey, _ = find_journey(Path(spec.journey_path), folder)
    kit = load_brand_kit(journey.kit)
    catalog = load_kit_catalog(kit)
    try:
        others = load_journeys(folder or Path(spec.journey_path).parent)
    except ContentgenError:
        others = {}
    higher = [j for j in others.values() if j.kit == journey.kit and j.priority > journey.priority]
    ctx = Context(
        journey=journey,
        higher=higher,
        policy=load_contact_policy(folder or Path(spec.journey_path).parent),
        as_of=spec.as_of,
        horizon=dt.timedelta(seconds=spec.horizon_s),
        catalog={p.sku: (p.category, product_size(p.specs)) for p in catalog},
        locale=kit.locale,
        assign=Assigner(journey.experiment) if journey.experiment else None,
    )
    return _Loaded(journey, ctx, frozenset(p.sku for p in catalog), {p.sku: p.name for p in catalog}, load_channels())


def _ledger(spec: RunSpec, bucket: int) -> tuple[set[str], dict[str, list[dt.datetime]]]:
    """Message ids and send times of earlier runs (all journeys under the root) for one bucket.

    Each run keeps `ledger/l-<bucket>.tsv` (message id, customer id, send time) next to its parts, so this reads
    three short columns per earlier message; a run without one (killed between the two writes) is read from its
    part file."""
    sent: set[str] = set()
    history: dict[str, list[dt.datetime]] = {}
    here = Path(spec.run_dir).resolve()
    parse = dt.datetime.fromisoformat
    for part in Path(spec.root).glob(f"*/*/parts/part-{bucket:02d}.jsonl"):
        run = part.parent.parent
        if run.resolve() == here:
            continue
        ledger = run / "ledger" / f"l-{bucket:02d}.tsv"
        if ledger.is_file():
            with ledger.open(encoding="utf-8") as fh:
                for text in fh:
                    mid, cid, send_at = text.rstrip("\n").split("\t")
                    sent.add(mid)
                    history.setdefault(cid, []).append(parse(send_at))
            continue
        with part.open(encoding="utf-8") as fh:
            for text in fh:
                row = json.loads(text)
                sent.add(row["message_id"])
                history.setdefault(row["customer_id"], []).append(parse(row["send_at"]))
    return sent, history


# ---------------------------------------------------------------- phase 1: decide


def decide_bucket(spec: RunSpec, bucket: int) -> dict[str, Any]:
    """Read one bucket's customers and events, decide each customer; write decisions and assignments."""
    try:
        return _decide_bucket(spec, bucket)
    except ContentgenError as err:  # custom exception signatures do not survive pickling: send the line
        return {"error": str(err)}


def _decide_bucket(spec: RunSpec, bucket: int) -> dict[str, Any]:
    from contentgen.journeys.decide import Decision, Skip, decide
    from contentgen.journeys.inputs import Customer, parse_customer, parse_event
    from contentgen.journeys.shuffle import read_bucket

    work = Path(spec.run_dir) / "work"
    done = work / "decide" / f"s-{bucket:02d}.json"
    if done.is_file():
        return dict(json.loads(done.read_text()))
    loaded = _load(spec)
    ctx = loaded.decide_ctx
    meta = json.loads((work / "in" / "done").read_text())
    customers: dict[str, Customer] = {}
    for line, row in read_bucket(work, meta, "c", bucket, spec.customers):
        customer = parse_customer(spec.customers, line, row, ctx.locale)
        if customer.id in customers:
            from contentgen.errors import DataError

            raise DataError(spec.customers, f"customer id '{customer.id}' appears twice", line=line,
                            field="customer_id", hint="one row per customer")  # fmt: skip
        customers[customer.id] = customer
    skips: Counter[str] = Counter()
    for line, row in read_bucket(work, meta, "e", bucket, spec.events):
        parsed = parse_event(spec.events, line, row, loaded.skus, spec.as_of)
        if isinstance(parsed, str):
            skips[parsed] += 1
            continue
        owner = customers.get(parsed[0])
        if owner is None:
            skips["event for an unknown customer"] += 1
            continue
        owner.events.append(parsed[1])
    sent, history = _ledger(spec, bucket)
    pairs: Counter[tuple[str, str]] = Counter()
    cells: set[CellKey] = set()
    arms: Counter[str] = Counter()
    experiment = loaded.journey.experiment
    decided = 0
    decisions, assigned = work / "decide" / f"d-{bucket:02d}.jsonl", work / "assign" / f"a-{bucket:02d}.jsonl"
    with atomic_path(decisions) as tmp_d, atomic_path(assigned) as tmp_a:  # noqa: SIM117
        with tmp_d.open("w", encoding="utf-8") as out_d, tmp_a.open("w", encoding="utf-8") as out_a:
            for cid in sorted(customers):
                customer = customers[cid]
                bought = sorted({s for _w, e, s, _o in customer.events if e == "order_placed" and s})[:12]
                for i, a in enumerate(bought):
                    for b in bought[i + 1 :]:
                        pairs[(a, b)] += 1
                result = decide(ctx, customer, sent, history.get(cid, ()))
                if result is None:
                    continue
                if isinstance(result, Skip):
                    skips[result.reason] += 1
                    continue
                assert isinstance(result, Decision)
                if experiment:
                    arms[result.arm] += 1
                    out_a.write(json.dumps([cid, experiment.id, result.arm]) + "\n")
                    if result.arm == "holdout":
                        skips["holdout (assignment only)"] += 1
                        continue
                if result.sku is None:
                    skips["no product to write about"] += 1
                    continue
                key: CellKey = (result.step, result.tier, result.sku, result.arm, customer.locale, result.channel,
                                result.offer or "")  # fmt: skip
                cells.add(key)
                name = customer.name if NAME_CONSENT in customer.consents else None
                base = _last_bought(customer)
                record = [result.message_id, cid, result.send_at.isoformat(), list(key), name,
                          customer.recommendations, base, bought]  # fmt: skip
                out_d.write(json.dumps(record, ensure_ascii=False) + "\n")
                decided += 1
    stats = {
        "customers": len(customers),
        "decided": decided,
        "skips": dict(skips),
        "cells": sorted(cells),
        "pairs": [[a, b, n] for (a, b), n in sorted(pairs.items())],
        "arms": dict(arms),
    }
    write_text_atomic(done, json.dumps(stats))
    return stats


def _last_bought(customer: Any) -> str | None:
    found = [(w, s) for w, e, s, _o in customer.events if e == "order_placed" and s]
    return max(found)[1] if found else None


# ---------------------------------------------------------------- phase 2: fill


def fill_bucket(spec: RunSpec, bucket: int) -> dict[str, Any]:
    try:
        return _fill_bucket(spec, bucket)
    except ContentgenError as err:
        return {"error": str(err)}


@lru_cache(maxsize=4)
def _cells(run_dir: str) -> tuple[dict[CellKey, CellCopy], dict[str, str], frozenset[str]]:
    from contentgen.journeys.content import cells_from_json

    root = Path(run_dir)
    cells = cells_from_json((root / "cells.json").read_text(encoding="utf-8"))
    recs = json.loads((root / "work" / "recs.json").read_text(encoding="utf-8"))
    approved = frozenset(json.loads((root / "approvals.json").read_text(encoding="utf-8")))
    return cells, recs, approved


def _fill_bucket(spec: RunSpec, bucket: int) -> dict[str, Any]:
    from contentgen.domain.channel import text_length
    from contentgen.journeys.content import split_fields
    from contentgen.results.tracking import tag_url, tracking_code

    run = Path(spec.run_dir)
    part = run / "parts" / f"part-{bucket:02d}.jsonl"
    done = run / "work" / "fill" / f"s-{bucket:02d}.json"
    if part.is_file() and done.is_file():
        return dict(json.loads(done.read_text()))
    loaded = _load(spec)
    journey = loaded.journey
    cells, recs, approved = _cells(spec.run_dir)
    zh = loaded.decide_ctx.locale == "zh-CN"
    by_cell: Counter[str] = Counter()
    skips: Counter[str] = Counter()
    awaiting: Counter[str] = Counter()  # artifact id → messages held back until the cell is approved
    ledger: list[str] = []
    with atomic_path(part) as tmp, tmp.open("w", encoding="utf-8") as out, \
            atomic_path(part.with_suffix(".csv")) as tmp_csv, \
            tmp_csv.open("w", encoding="utf-8", newline="") as out_csv, \
            (run / "work" / "decide" / f"d-{bucket:02d}.jsonl").open(encoding="utf-8") as fh:  # fmt: skip
        writer = csv.writer(out_csv, lineterminator="\n")
        for text in fh:
            mid, cid, send_at, key_list, name, recs_on, base, bought = json.loads(text)
            key: CellKey = tuple(key_list)
            step, tier, sku, arm, locale, channel, _offer = key
            cell = cells[key]
            if not cell.ready:
                skips["copy not ready for its cell"] += 1
                continue
            if cell.artifact_id not in approved:
                skips["cell not approved"] += 1
                awaiting[cell.artifact_id] += 1
                continue
            spec_ch = loaded.channels[channel]
            title, body, cta = split_fields(cell.fields)
            greeting = ""
            if name and not spec_ch.requirements.signature:
                greeting = f"{name}，您好！" if zh else f"Hi {name.split(' ')[0]},"
                body_spec = next((spec_ch.fields[f] for f in ("body", "text") if f in spec_ch.fields), None)
                if body_spec and text_length(greeting + body, body_spec.count) > body_spec.max:
                    greeting = ""
                    skips["name left out: no room (message still sent)"] += 1
            also, also_sku = "", ""
            if journey.recommend and recs_on and channel != "sms" and base:
                rec = recs.get(base)
                if rec and rec not in bought and rec in loaded.names:
                    also_sku = rec
                    also = (
                        f"猜您喜欢：{loaded.names[rec]}（因为您购买过{loaded.names[base]}）"
                        if zh
                        else f"You may also like: {loaded.names[rec]} (because you bought {loaded.names[base]})"
                    )
            link = ""
            if journey.link:
                link = tag_url(journey.link.replace("{sku}", sku), channel=channel, campaign=journey.id,
                               artifact_id=cell.artifact_id, arm=arm or None)  # fmt: skip
            opt_out = spec_ch.requirements.opt_out
            row = {
                "message_id": mid,
                "customer_id": cid,
                "journey": journey.id,
                "step": step,
                "channel": channel,
                "send_at": send_at,
                "arm": arm,
                "artifact_id": cell.artifact_id,
                "tracking_code": tracking_code(cell.artifact_id, arm or None),
                "tier": tier,
                "locale": locale,
                "sku": sku,
                "greeting": greeting,
                "title": title,
                "body": body,
                "cta": cta,
                "also_like": also,
                "also_like_sku": also_sku,
                "link": link,
                "unsubscribe": opt_out.get(locale) if opt_out else "",
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            writer.writerow([row[c] for c in COLUMNS])
            ledger.append(f"{mid}\t{cid}\t{send_at}\n")
            by_cell[f"{step}|{channel}|{tier}|{arm}"] += 1
    write_text_atomic(run / "ledger" / f"l-{bucket:02d}.tsv", "".join(ledger))
    stats = {"by_cell": dict(by_cell), "skips": dict(skips), "awaiting": dict(awaiting)}
    write_text_atomic(done, json.dumps(stats))
    return stats


# ---------------------------------------------------------------- executors


class _Workers:
    """The run's executor: one process pool (or Ray) for every phase, so workers start and load the kit once."""

    def __init__(self, spec: RunSpec, executor: Executor, workers: int, ray_address: str | None) -> None:
        self.spec, self.executor, self.workers, self.ray_address = spec, executor, workers, ray_address
        self._pool: Any = None

    def map(self, fn: Callable[[RunSpec, int], dict[str, Any]], count: int) -> list[dict[str, Any]]:
        tasks = range(count)
        if self.executor == "ray":
            from contentgen.journeys.ray_executor import ray_map

            results = ray_map(fn, self.spec, tasks, self.workers, self.ray_address)
        elif self.workers <= 1 or count <= 1:
            results = [fn(self.spec, t) for t in tasks]
        else:
            if self._pool is None:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
            results = list(self._pool.map(fn, [self.spec] * count, tasks))
        for result in results:
            if "error" in result:
                raise ContentgenError(result["error"])
        return results

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


# ---------------------------------------------------------------- copy per cell


def cells_task(spec: RunSpec, index: int) -> dict[str, Any]:
    """Copy for one chunk of the distinct cells (the offline template engine writes each cell the same anywhere)."""
    from contentgen.journeys.content import write_cells

    try:
        chunks = json.loads((Path(spec.run_dir) / "work" / "cells-todo.json").read_text(encoding="utf-8"))
        cells = write_cells(_load(spec).journey, [tuple(k) for k in chunks[index]])
        return {"cells": [asdict(c) for c in cells.values()]}
    except ContentgenError as err:
        return {"error": str(err)}


def _write_cells(journey: Any, keys: set[CellKey], run_dir: Path, pool: _Workers) -> dict[CellKey, CellCopy]:
    """cells.json for the run: kept when it covers every cell; with the template engine written in chunks by the
    workers, with a model provider in this process (one model in memory, batched by the pipeline)."""
    from contentgen.config import load_settings
    from contentgen.journeys.content import cells_from_json, cells_to_json, write_cells

    cells_file = run_dir / "cells.json"
    cells = cells_from_json(cells_file.read_text(encoding="utf-8")) if cells_file.is_file() else {}
    if keys <= set(cells):
        return cells
    ordered = sorted(keys)
    chunks = max(1, min(pool.workers, len(ordered) // 16))
    if load_settings().text.name != "template" or chunks == 1:
        cells = write_cells(journey, ordered)
    else:
        size = -(-len(ordered) // chunks)
        todo = [ordered[i : i + size] for i in range(0, len(ordered), size)]
        write_text_atomic(run_dir / "work" / "cells-todo.json", json.dumps(todo))
        cells = {}
        for result in pool.map(cells_task, len(todo)):
            for item in result["cells"]:
                cell = CellCopy(**item)
                cells[(cell.step, cell.tier, cell.sku, cell.arm, cell.locale, cell.channel, cell.offer)] = cell
    cells = {k: cells[k] for k in ordered}
    write_text_atomic(cells_file, cells_to_json(cells))
    return cells


# ---------------------------------------------------------------- the run


def run_journey(
    journey_ref: str | Path,
    *,
    customers: Path,
    events: Path,
    as_of: dt.datetime,
    out_root: Path | None = None,
    journeys_folder: Path | None = None,
    executor: Executor = "local",
    workers: int = 2,
    ray_address: str | None = None,
    horizon: dt.timedelta = dt.timedelta(days=1),
    on_phase: Callable[[str], None] | None = None,
    auto_approve: bool | None = None,
) -> JourneySummary:
    """Plan and write one journey's messages for every customer; see the module docstring."""
    from contentgen.domain.experiment import power_check
    from contentgen.journeys.content import also_like
    from contentgen.journeys.load import check_journey, find_journey

    started = time.perf_counter()
    if as_of.tzinfo is None:
        raise ConfigError("--as-of needs a time zone offset, e.g. 2025-11-30T10:00:00+08:00")
    if executor not in {"local", "ray"}:
        raise ConfigError(f"--executor must be 'local' or 'ray', not '{executor}'")
    journey, path = find_journey(journey_ref, journeys_folder)
    check_journey(journey, path)
    if out_root is None:
        from contentgen.config import load_settings

        out_root = load_settings().output_dir / "journeys"
    as_of = as_of.astimezone(dt.UTC)
    from contentgen.journeys.approvals import approved_cells, changed_since_approval, decisions_digest

    auto = journey.auto_approve if auto_approve is None else auto_approve
    approvals = decisions_digest(out_root / journey.id)
    key = _digest([path, customers, events], f"j1|{as_of.isoformat()}|{horizon.total_seconds()}|{approvals}|{auto}")
    run_dir = out_root / journey.id / f"{as_of:%Y%m%dT%H%M%SZ}-{key[:10]}"
    summary_file = run_dir / "summary.json"
    if summary_file.is_file():
        data = json.loads(summary_file.read_text(encoding="utf-8"))
        data.update(run_dir=run_dir, new=False)
        return JourneySummary(**data)
    spec = RunSpec(str(path.resolve()), str(journeys_folder) if journeys_folder else None, str(customers),
                   str(events), as_of, int(horizon.total_seconds()), str(run_dir), str(out_root))  # fmt: skip
    phase = on_phase or (lambda _p: None)
    work = run_dir / "work"
    pool = _Workers(spec, executor, workers, ray_address)
    try:
        phase("shuffle")
        from contentgen.journeys.shuffle import split_inputs

        meta = split_inputs(work, customers, events, 4 * max(workers, 1), pool.map, split_task)
        n_customers, n_events = int(meta["customers"]), int(meta["events"])
        phase("decide")
        decided = pool.map(decide_bucket, BUCKETS)
        keys: set[CellKey] = {tuple(k) for s in decided for k in s["cells"]}
        pairs: Counter[tuple[str, str]] = Counter()
        skips: Counter[str] = Counter()
        arms: Counter[str] = Counter()
        for s in decided:
            for a, b, n in s["pairs"]:
                pairs[(a, b)] += n
            skips.update(s["skips"])
            arms.update(s["arms"])
        phase("copy")
        cells = _write_cells(journey, keys, run_dir, pool)
        approved = approved_cells(cells, out_root / journey.id, auto=auto)
        used = {a: asdict(x) for a, x in sorted(approved.items())}
        write_text_atomic(run_dir / "approvals.json", json.dumps(used, ensure_ascii=False, indent=1))
        write_text_atomic(work / "recs.json", json.dumps(also_like(pairs), sort_keys=True))
        phase("fill")
        filled = pool.map(fill_bucket, BUCKETS)
    finally:
        pool.close()
    by_cell: Counter[str] = Counter()
    held: Counter[str] = Counter()
    for s in filled:
        by_cell.update(s["by_cell"])
        skips.update(s["skips"])
        held.update(s["awaiting"])
    phase("merge")
    _merge(run_dir, journey.experiment is not None)
    from contentgen.journeys.review import write_review

    write_review(run_dir / "review.html", journey, cells, by_cell, approved, held)
    warnings = []
    stale = changed_since_approval(cells, out_root / journey.id)
    if stale:
        warnings.append(
            f"{len(stale)} approved content cells have copy that changed since approval ({', '.join(stale[:5])}"
            f"{' …' if len(stale) > 5 else ''}), so they count as not approved: review them again"
        )
    awaiting = sum(1 for c in cells.values() if c.ready and c.artifact_id not in approved)
    if awaiting:
        warnings.append(
            f"{awaiting} content cells await approval, so their messages were not written (skip 'cell not "
            f"approved'): read {run_dir / 'review.html'}, then `contentgen journeys approve {run_dir} --all "
            "--reviewer NAME --reason TEXT` (or --cells ID,…) and run the same command again"
        )
    if journey.experiment:
        check = power_check(journey.experiment, sum(arms.values()))
        warning = check.warning(journey.experiment.id)
        if warning:
            warnings.append(warning)
    summary = JourneySummary(
        journey=journey.id,
        run_dir=run_dir,
        new=True,
        customers=n_customers,
        events=n_events,
        messages=sum(by_cell.values()),
        cells=len(cells),
        cells_not_ready=sum(1 for c in cells.values() if not c.ready),
        by_cell=dict(sorted(by_cell.items())),
        skips=dict(sorted(skips.items())),
        assignments=dict(sorted(arms.items())),
        warnings=warnings,
        seconds=round(time.perf_counter() - started, 3),
        cells_approved=len(approved),
        cells_auto_approved=sum(1 for a in approved.values() if a.reviewer == "auto"),
    )
    shutil.rmtree(work, ignore_errors=True)  # personal data of the shuffle is not kept
    write_text_atomic(summary_file, json.dumps(summary.to_json(), ensure_ascii=False, indent=1))
    return summary


def _merge(run_dir: Path, experiment: bool) -> None:
    """messages.jsonl, messages.csv and assignments.csv from the parts, in bucket order, each atomically (the parts
    are already encoded: the merge copies bytes)."""
    with atomic_path(run_dir / "messages.jsonl") as tmp_j, atomic_path(run_dir / "messages.csv") as tmp_c:  # noqa: SIM117
        with tmp_j.open("wb") as out_j, tmp_c.open("wb") as out_c:
            out_c.write(("\ufeff" + ",".join(COLUMNS) + "\n").encode("utf-8"))
            for b in range(BUCKETS):
                for suffix, out in ((".jsonl", out_j), (".csv", out_c)):
                    with (run_dir / "parts" / f"part-{b:02d}{suffix}").open("rb") as fh:
                        shutil.copyfileobj(fh, out)
    with atomic_path(run_dir / "assignments.csv") as tmp_a, tmp_a.open("w", encoding="utf-8", newline="") as out_a:
        writer_a = csv.writer(out_a, lineterminator="\n")
        writer_a.writerow(ASSIGNMENT_COLUMNS)
        if experiment:
            for b in range(BUCKETS):
                with (run_dir / "work" / "assign" / f"a-{b:02d}.jsonl").open(encoding="utf-8") as fh:
                    for text in fh:
                        writer_a.writerow(json.loads(text))


def read_messages(run_dir: Path) -> list[dict[str, str]]:
    """The message rows of a finished run (for tests and small runs)."""
    with (run_dir / "messages.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(io.StringIO(fh.read())))
