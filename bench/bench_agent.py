"""Offline answer latency of the shopping agent over its labelled questions, p50 and p95.

Baseline in the same run: retrieval alone (the store's hybrid search for the same questions), which every answer
includes. The agent's time adds intent and memory handling, the answer templates and verification of every
sentence. Goal: p95 ≤ 150 ms per answer on 2 cores. Both shipped kits are ingested into a temporary home first
(not timed); a few questions warm the caches (regexes, jieba, the embedder) before timing.

    python -m bench.bench_agent [--kit qinghe --kit morrow] [--repeat 2]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

GOAL_P95_MS = 150.0


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--kit", action="append", help="kit whose labelled set to time (default: both)")
    parser.add_argument("--repeat", type=int, default=2, help="passes over the questions (the best of each kept)")
    args = parser.parse_args(argv)

    from contentgen.agent import load_agent
    from contentgen.agent.evaluate import eval_sets, load_eval_set
    from contentgen.catalog.store import open_catalog
    from contentgen.config import load_settings

    kits = args.kit or list(eval_sets())
    table = Table(title=f"Agent answer latency over the labelled questions (ms; goal p95 ≤ {GOAL_P95_MS:.0f} ms)")
    for column in ("kit", "what", "questions", "p50", "p95", "mean", "p95 vs retrieval", "p95 vs goal"):
        table.add_column(column, justify="left" if column in {"kit", "what"} else "right")
    with tempfile.TemporaryDirectory(prefix="bench-agent-") as home:
        settings = load_settings(home=Path(home))
        for kit in kits:
            labelled = load_eval_set(kit)
            store = open_catalog(labelled.kit, settings=settings)
            store.ingest()
            agent = load_agent(labelled.agent, settings=settings, retriever=store)
            questions = [item.turns for item in labelled.items if item.turns]  # host items have comments only
            for turns in questions[:5]:
                agent.reset()
                for turn in turns:
                    agent.ask(turn)
                store.search(turns[-1], agent.definition.retrieval.k)
            search_ms = [float("inf")] * len(questions)
            answer_ms = [float("inf")] * len(questions)
            first_ms: list[float] = []
            for run in range(max(args.repeat, 1)):
                for i, turns in enumerate(questions):
                    started = time.perf_counter()
                    store.search(turns[-1], agent.definition.retrieval.k)
                    search_ms[i] = min(search_ms[i], (time.perf_counter() - started) * 1000)
                    agent.reset()
                    for turn in turns[:-1]:
                        agent.ask(turn)
                    started = time.perf_counter()
                    agent.ask(turns[-1])
                    elapsed = (time.perf_counter() - started) * 1000
                    answer_ms[i] = min(answer_ms[i], elapsed)
                    if run == 0:
                        first_ms.append(elapsed)
            base_p95 = _percentile(search_ms, 0.95)
            rows = (
                ("retrieval only (baseline)", search_ms),
                ("agent.ask, first pass (facts built per product)", first_ms),
                (f"agent.ask, best of {max(args.repeat, 1)}", answer_ms),
            )
            for what, times in rows:
                p95 = _percentile(times, 0.95)
                table.add_row(
                    kit,
                    what,
                    str(len(times)),
                    f"{_percentile(times, 0.5):.1f}",
                    f"{p95:.1f}",
                    f"{statistics.fmean(times):.1f}",
                    f"{p95 / base_p95:.2f}×",
                    f"{p95 / GOAL_P95_MS:.2f}×",
                )
    Console(width=150).print(table)


if __name__ == "__main__":
    main()
