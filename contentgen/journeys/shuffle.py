"""Split the customer and event files by customer bucket, in parallel where the format allows it.

A JSONL file (one record a line; JSON escapes newlines inside values) is cut into byte ranges at line ends and each
range is split by a worker; a CSV file (a quoted cell may hold a newline) is split whole by one worker. Workers write
`<kind>-<bucket>-<item>.txt` files of `line<TAB>row` rows: the fields the run reads, tab-separated after a `|` (no
JSON to decode again), or the row as a JSON object where a value holds a tab or a line break. Line numbers are
counted within an item and made global with the offsets in the `done` file, so every error still names the input
file's own line. The folder is renamed into place once every item is split, so a killed split starts again.
"""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from contentgen.fileio import JSONL_SUFFIXES, json_row
from contentgen.journeys.inputs import BUCKETS, CUSTOMER_FIELDS, EVENT_FIELDS, bucket_of, iter_rows, not_utf8

MIN_RANGE = 4 << 20  # bytes: smaller JSONL files are one range
BOM = b"\xef\xbb\xbf"
Item = tuple[str, str, int, int, str]  # kind (c|e), path, start byte, end byte, format (jsonl|csv)
FIELDS = {"c": CUSTOMER_FIELDS, "e": EVENT_FIELDS}
_UNSAFE = ("\t", "\n", "\r")
Mapper = Callable[[Callable[[Any, int], dict[str, Any]], int], list[dict[str, Any]]]


def plan_items(customers: Path, events: Path, pieces: int) -> list[Item]:
    """The work items: each JSONL file in up to `pieces` ranges starting at line starts, each CSV file whole."""
    items: list[Item] = []
    for kind, path in (("c", customers), ("e", events)):
        size = path.stat().st_size if path.is_file() else 0
        if path.suffix.lower() not in JSONL_SUFFIXES or size < 2 * MIN_RANGE:
            fmt = "jsonl" if path.suffix.lower() in JSONL_SUFFIXES else "csv"
            items.append((kind, str(path), 0, size, fmt))
            continue
        count = max(1, min(pieces, size // MIN_RANGE))
        bounds = [0]
        with path.open("rb") as fh:
            for i in range(1, count):
                fh.seek(size * i // count)
                fh.readline()
                if bounds[-1] < fh.tell() < size:
                    bounds.append(fh.tell())
        bounds.append(size)
        items.extend((kind, str(path), a, b, "jsonl") for a, b in itertools.pairwise(bounds))
    return items


def split_item(work: Path, index: int, item: Sequence[Any]) -> dict[str, int]:
    """Split one item into its bucket files; (rows, physical lines) for the offsets."""
    kind, path_text, start, end, fmt = item
    path = Path(path_text)
    target = work / "in.tmp"
    files = [(target / f"{kind}-{b:02d}-{index:03d}.txt").open("w", encoding="utf-8") for b in range(BUCKETS)]
    rows = lines = 0
    fields = FIELDS[kind]

    def encode(row: dict[str, str]) -> str:
        values = [row.get(f, "") for f in fields]
        if any(u in v for v in values for u in _UNSAFE):
            return json.dumps(dict(zip(fields, values, strict=True)), ensure_ascii=False)
        return "|" + "\t".join(values)

    try:
        if fmt == "csv":
            for line, row in iter_rows(path):
                cid = row.get("customer_id", "").strip()
                files[bucket_of(cid)].write(f"{line}\t{encode(row)}\n")
                rows += 1
            return {"rows": rows, "lines": 0}
        with path.open("rb") as fh:
            fh.seek(start)
            pos = start
            for raw in fh:
                if pos >= end:
                    break
                pos += len(raw)
                lines += 1
                if lines == 1 and start == 0 and raw.startswith(BOM):
                    raw = raw[len(BOM) :]
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise not_utf8(path) from None
                if not text.strip():
                    continue
                try:
                    row = json_row(path, lines, text)
                except Exception:  # name the file's own line, counted from the start (rare: only on bad input)
                    json_row(path, _lines_before(path, start) + lines, text)
                    raise
                cid = row.get("customer_id", "").strip()
                files[bucket_of(cid)].write(f"{lines}\t{encode(row)}\n")
                rows += 1
    finally:
        for out in files:
            out.close()
    return {"rows": rows, "lines": lines}


def _lines_before(path: Path, offset: int) -> int:
    count = 0
    with path.open("rb") as fh:
        remaining = offset
        while remaining > 0:
            block = fh.read(min(remaining, 1 << 20))
            if not block:
                break
            count += block.count(b"\n")
            remaining -= len(block)
    return count


def split_inputs(work: Path, customers: Path, events: Path, pieces: int, run: Mapper, task: Any) -> dict[str, Any]:
    """Split both files (resumes: a finished split is kept); the `done` metadata with counts and line offsets.

    `run(task, n)` runs `task(spec, i)` for i in range(n) on the executor; `task` calls `split_item` for item i.
    """
    done = work / "in" / "done"
    if done.is_file():
        return dict(json.loads(done.read_text()))
    for path in (customers, events):
        if not path.is_file():
            from contentgen.errors import DataError

            raise DataError(path, "file not found")
    tmp = work / "in.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    items = plan_items(customers, events, pieces)
    (tmp / "items.json").write_text(json.dumps(items))
    results = run(task, len(items))
    offsets, seen = [], {"c": 0, "e": 0}
    counts = {"c": 0, "e": 0}
    for item, result in zip(items, results, strict=True):
        kind = item[0]
        offsets.append([kind, seen[kind]])
        seen[kind] += result["lines"]
        counts[kind] += result["rows"]
    meta = {"customers": counts["c"], "events": counts["e"], "items": offsets}
    (tmp / "done").write_text(json.dumps(meta))
    shutil.rmtree(work / "in", ignore_errors=True)
    tmp.replace(work / "in")
    return meta


def read_bucket(work: Path, meta: dict[str, Any], kind: str, bucket: int, path: str) -> Any:
    """(line, row) of one bucket's rows of one kind, in input order."""
    fields = FIELDS[kind]
    for index, (item_kind, offset) in enumerate(meta["items"]):
        if item_kind != kind:
            continue
        with (work / "in" / f"{kind}-{bucket:02d}-{index:03d}.txt").open(encoding="utf-8") as fh:
            for text in fh:
                number, _, body = text.partition("\t")
                line = int(number) + offset
                if body.startswith("|"):
                    yield line, dict(zip(fields, body[1:].rstrip("\n").split("\t"), strict=True))
                else:
                    yield line, json_row(path, line, body)
