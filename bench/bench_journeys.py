"""Journeys end to end: synthetic customers → one 3-step journey → messages, local executor vs local Ray.

    python -m bench.bench_journeys [--customers 100000] [--workers 2] [--no-ray]

Cells that pass every check are auto-approved (the approval gate is a person's step, not a throughput cost).
Prints customers/s end to end (split, decide, copy per cell, fill, merge) and the peak resident memory of the
driver plus its worker processes (ru_maxrss of self and children), with Ray as a ratio to the local executor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import tempfile
import time
from pathlib import Path

from contentgen.customers.streams import write_journey_inputs
from contentgen.journeys import run_journey

AS_OF = dt.datetime(2025, 11, 30, 12, tzinfo=dt.UTC)
JOURNEY = "morrow-post-purchase"  # three steps, an experiment with a holdout


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument(
        "--inputs",
        type=Path,
        help="keep the synthetic inputs here; reused by the next run of this size",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        data = args.inputs / f"{args.customers}" if args.inputs else root
        data.mkdir(parents=True, exist_ok=True)
        customers, events = data / "customers.csv", data / "events.jsonl"
        start = time.perf_counter()
        if customers.exists() and events.exists():
            n_events = sum(1 for _ in events.open("rb"))
            synth = "reused"
        else:
            n_events = write_journey_inputs(customers, events, args.customers, seed=1, kit="morrow").events
            synth = f"synthesised in {time.perf_counter() - start:.1f} s"
        rows = []
        for executor in ("local",) if args.no_ray else ("local", "ray"):
            start = time.perf_counter()
            summary = run_journey(JOURNEY, customers=customers, events=events, as_of=AS_OF,
                                  out_root=root / executor, executor=executor, workers=args.workers,  # type: ignore[arg-type]
                                  auto_approve=True)  # fmt: skip
            seconds = time.perf_counter() - start
            rows.append((executor, seconds, summary.messages, summary.cells, _peak_mb()))
        if not args.no_ray:
            import ray

            ray.shutdown()
    print(f"{args.customers:,} customers, {n_events:,} events ({synth}), "
          f"journey {JOURNEY}, {args.workers} workers")  # fmt: skip
    print(
        f"{'executor':<8} {'seconds':>8} {'customers/s':>12} {'messages':>9} {'cells':>6} {'peak MB':>8} {'ratio':>6}"
    )
    base = rows[0][1]
    for executor, seconds, messages, cells, peak in rows:
        print(f"{executor:<8} {seconds:8.1f} {args.customers / seconds:12,.0f} {messages:9,} {cells:6} "
              f"{peak:8.0f} {base / seconds:6.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
