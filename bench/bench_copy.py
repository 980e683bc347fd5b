"""Copy throughput of the offline engine: variants per second, engine alone and the whole pipeline.

Baseline in the same run: the pipeline cell by cell (one provider call and one fact sheet per cell), against
the batched run over all cells that `contentgen copy` does. Goal: ≥ 1,000 engine variants per second on 2 cores.

    python -m bench.bench_copy [--kit qinghe] [--n 5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence

from rich.console import Console
from rich.table import Table

GOAL_VARIANTS_PER_S = 1000


def _best(fn: Callable[[], int], repeat: int) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = fn()
        best = min(best, time.perf_counter() - start)
    return best, count


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kit", default="morrow")
    parser.add_argument("--n", type=int, default=5)
    parser.add_argument("--products", type=int, default=1, help="products per segment × channel")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)

    from contentgen.domain import kit_segments, load_brand_kit, load_channels
    from contentgen.pipelines.copy import OVERSAMPLE, CopyCell, CopyPipeline

    brand = load_brand_kit(args.kit)
    pipeline = CopyPipeline(brand)
    products = [p for p in pipeline.catalog if p.in_stock][: args.products]
    cells = [CopyCell(s, c, (p,)) for s in kit_segments(brand) for c in load_channels().values() for p in products]
    plans = [pipeline._plan(cell, None, args.n, 0) for cell in cells]
    requests = [r for plan in plans for r in plan.requests]
    pipeline.run(cells[:4], n=args.n)  # warm caches: templates compiled, regexes built

    engine_s, engine_count = _best(lambda: len(pipeline.text_provider.generate(requests)), args.repeat)
    batched_s, _ = _best(lambda: len(pipeline.run(cells, n=args.n)), args.repeat)
    one_by_one_s, _ = _best(lambda: sum(len(pipeline.run([c], n=args.n)) for c in cells), args.repeat)
    generated = len(cells) * args.n * OVERSAMPLE

    table = Table(title=f"Copy throughput, {brand.name}: {len(cells)} cells × {args.n * OVERSAMPLE} generated variants")
    table.add_column("what")
    table.add_column("seconds", justify="right")
    table.add_column("variants/s", justify="right")
    table.add_column("ratio", justify="right")
    table.add_row(
        "engine only (template provider)",
        f"{engine_s:.2f}",
        f"{engine_count / engine_s:,.0f}",
        f"{engine_count / engine_s / GOAL_VARIANTS_PER_S:.2f}× goal",
    )
    table.add_row(
        "pipeline, cell by cell (baseline)", f"{one_by_one_s:.2f}", f"{generated / one_by_one_s:,.0f}", "1.00×"
    )
    table.add_row(
        "pipeline, all cells batched",
        f"{batched_s:.2f}",
        f"{generated / batched_s:,.0f}",
        f"{one_by_one_s / batched_s:.2f}×",
    )
    Console().print(table)


if __name__ == "__main__":
    main()
