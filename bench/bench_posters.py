"""Poster throughput at 1080×1920 with procedural backgrounds (goal: ≥ 20 posters a second on 2 cores).

Each worker process builds one PosterPipeline (fonts, logo, layouts and the copy engine load once) and
renders `--n` posters of the 青禾 kit for Douyin, cycling through the four layouts and the catalog's
products, with copy written by the offline engine in the same batch. Three figures, all measured in
this run on the same inputs:

* contentgen, 1 process and `--workers` processes: the whole poster (copy, background, product visual,
  fitting, colour and scrim choice, contrast verified on the pixels), image kept in memory;
* the same in one process, shaped as a campaign asks for posters: cells of one segment and product, each at
  every layout and Xiaohongshu size with one seed, so a cell's posters share one copy run and background;
* the same plus PNG + JPEG + layout JSON written to disk;
* baseline: a bare Pillow poster (the same background, four lines of text at fixed sizes and colours,
  no fitting, no checks), the floor a hand-written script would start from.

OCR read-back is timed separately (per poster, one process): it is the expensive check. Its table also
times the recogniser the way the previous ``read_boxes`` ran it (RapidOCR's own ``text_rec``: batches
of 6, every line padded to at least 320 px), on the same line crops, as the same-run reference.

    python -m bench.bench_posters [--n 48] [--workers 2] [--ocr 4]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.table import Table

GOAL = 20.0
OCR_GOAL = 0.2


def _requests(n: int, offset: int = 0) -> tuple[object, list[object]]:
    from contentgen.domain.layout import poster_layouts
    from contentgen.domain.loaders import kit_segments, load_brand_kit, load_channels
    from contentgen.pipelines.poster import PosterPipeline, PosterRequest

    brand = load_brand_kit("qinghe")
    pipeline = PosterPipeline(brand, ocr=False)
    layouts = list(poster_layouts().values())
    douyin = load_channels()["douyin"]
    segments = kit_segments(brand)
    products = pipeline.catalog.products
    requests = [
        PosterRequest(
            segment=segments[i % len(segments)],
            channel=douyin,
            size=douyin.poster_sizes[0],
            layout=layouts[i % len(layouts)],
            product=products[(i * 7) % len(products)],
            seed=i,
        )
        for i in range(offset, offset + n)
    ]
    return pipeline, requests


def _work(args: tuple[int, int, str | None]) -> tuple[int, float]:
    """Render `n` posters in this process (after a warm-up); returns (ready, seconds)."""
    from contentgen.pipelines.poster import write_poster

    n, offset, folder = args
    pipeline, requests = _requests(n + 2, offset)
    pipeline.run(requests[:2])  # type: ignore[attr-defined]  # warm: fonts, templates, buffers
    start = time.perf_counter()
    ready = 0
    for i in range(2, len(requests), 8):
        for result in pipeline.run(requests[i : i + 8]):  # type: ignore[attr-defined]
            ready += result.ready
            if folder:
                write_poster(result, Path(folder))
    return ready, time.perf_counter() - start


def _campaign(n: int) -> tuple[int, float]:
    """`n` posters shaped as a campaign makes them: cells of one segment and product, each at every layout and
    Xiaohongshu size with the brief's one seed (so a cell's posters share their copy and background)."""
    from contentgen.domain.layout import poster_layouts
    from contentgen.domain.loaders import kit_segments, load_brand_kit, load_channels
    from contentgen.pipelines.poster import PosterPipeline, PosterRequest

    pipeline = PosterPipeline(load_brand_kit("qinghe"), ocr=False)
    channel = load_channels()["xiaohongshu"]
    segments, products = kit_segments(pipeline.brand), pipeline.catalog.products
    shapes = [(size, layout) for size in channel.poster_sizes for layout in poster_layouts().values()]
    requests = [
        PosterRequest(
            segment=segments[(i // len(shapes)) % len(segments)],
            channel=channel,
            size=shapes[i % len(shapes)][0],
            layout=shapes[i % len(shapes)][1],
            product=products[(i // len(shapes) * 7) % len(products)],
            seed=0,
        )
        for i in range(n)
    ]
    pipeline.run([replace(r, seed=1) for r in requests[:2]])  # warm (fonts, templates, buffers), another seed
    start = time.perf_counter()
    ready = sum(r.ready for r in pipeline.run(requests))
    return ready, time.perf_counter() - start


def _parallel(n: int, workers: int, folder: str | None) -> tuple[int, float]:
    share = [n // workers + (i < n % workers) for i in range(workers)]
    offsets = [sum(share[:i]) for i in range(workers)]
    with ProcessPoolExecutor(workers) as pool:
        start = time.perf_counter()
        done = list(pool.map(_work, [(s, o, folder) for s, o in zip(share, offsets, strict=True)]))
        wall = time.perf_counter() - start
    # Each worker's clock starts after its warm-up; the slowest worker bounds the batch.
    return sum(r for r, _ in done), min(wall, max(t for _, t in done))


def _baseline(n: int) -> float:
    """Bare Pillow: the same procedural background, four fixed lines of text, no fitting or checks."""
    from PIL import ImageDraw

    from contentgen.pipelines.poster import FALLBACK
    from contentgen.providers.base import ImageRequest
    from contentgen.providers.image.procedural import ProceduralImageProvider
    from contentgen.render.typography import FontStack

    provider = ProceduralImageProvider()
    stack = FontStack.from_specs([FALLBACK["heading"]], Path())
    fonts = [stack.font(s) for s in (96, 48, 40, 36)]
    palette = ("#FBF6EA", "#3D7A4F", "#1E3326", "#D98E2B")
    start = time.perf_counter()
    for i in range(n):
        image = provider.render([ImageRequest("", 1080, 1920, seed=i, palette=palette)])[0]
        draw = ImageDraw.Draw(image)
        lines = ("积雪草温和洁面", "氨基酸表活复配", "¥79", "了解详情")
        for j, (text, font) in enumerate(zip(lines, fonts, strict=True)):
            draw.text((80, 200 + j * 260), text, font=font, fill="#1E3326")
    return time.perf_counter() - start


def _ocr(count: int) -> tuple[float, float, float, float, int]:
    """Seconds a poster: detection + recognition per box (the old way), RapidOCR's batched recogniser per
    poster (the previous read_boxes), recognition only per poster, and recognition only batched across all
    the posters; and how many posters read back alike per poster and batched."""
    from contentgen.pipelines.poster import read_back, read_back_many
    from contentgen.render.ocr import OcrReader

    pipeline, requests = _requests(count)
    results = pipeline.run(requests)  # type: ignore[attr-defined]
    reader = OcrReader()
    reader.load()
    start = time.perf_counter()
    detected = []
    for result in results:
        detected.append([reader.read(result.image, box) for box in _crops(result)])
    detect_s = (time.perf_counter() - start) / max(1, count)
    start = time.perf_counter()
    for result in results:
        lines = [line for box in _crops(result) for line in reader._line_crops(result.image, box, 8) or []]
        reader._engine.text_rec(lines)
    rapid_s = (time.perf_counter() - start) / max(1, count)
    start = time.perf_counter()
    for result in results:
        read_back(result, reader)
    per_poster_s = (time.perf_counter() - start) / max(1, count)
    ready_each = [result.ready for result in results]
    start = time.perf_counter()
    read_back_many(results, reader)
    batch_s = (time.perf_counter() - start) / max(1, count)
    same = sum(r == result.ready for r, result in zip(ready_each, results, strict=True))
    return detect_s, rapid_s, per_poster_s, batch_s, same


def _crops(result: object) -> list[tuple[int, int, int, int]]:
    from contentgen.render.readback import read_crops

    return read_crops(result)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_posters", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=48, help="posters per measurement")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--ocr", type=int, default=8, help="posters to read back with OCR (0: skip)")
    args = parser.parse_args(argv)

    one_ready, one_s = _parallel(args.n, 1, None)
    many_ready, many_s = _parallel(args.n, args.workers, None)
    with tempfile.TemporaryDirectory() as folder:
        files_ready, files_s = _parallel(args.n, args.workers, folder)
    base_s = _baseline(args.n)
    cell_ready, cell_s = _campaign(args.n)
    ocr_s = _ocr(args.ocr) if args.ocr else None

    table = Table(title=f"Posters, 1080×1920 Douyin, procedural backgrounds, {args.n} posters (goal ≥ {GOAL:g}/s)")
    for column in ("run", "posters/s", "ms/poster", "ready", "vs baseline", "goal"):
        table.add_column(column, justify="left" if column == "run" else "right")
    base_rate = args.n / base_s
    rows = [
        ("baseline: bare Pillow, 1 process", base_rate, None),
        ("contentgen, 1 process", args.n / one_s, one_ready),
        ("contentgen, 1 process, campaign-shaped cells (layouts × sizes, one seed)", args.n / cell_s, cell_ready),
        (f"contentgen, {args.workers} processes", args.n / many_s, many_ready),
        (f"contentgen + PNG/JPEG/JSON files, {args.workers} processes", args.n / files_s, files_ready),
    ]
    for name, rate, ready in rows:
        table.add_row(
            name,
            f"{rate:.1f}",
            f"{1000 / rate:.0f}",
            "—" if ready is None else f"{ready}/{args.n}",
            f"{rate / base_rate:.2f}×",
            "—" if ready is None else ("met" if rate >= GOAL else "missed"),
        )
    console = Console()
    console.print(table)
    if ocr_s is not None:
        detect_s, rapid_s, per_poster_s, batch_s, same = ocr_s
        ocr = Table(title=f"OCR read-back of every text box, one process, {args.ocr} posters (goal ≤ {OCR_GOAL:g} s)")
        for column in ("run", "s/poster", "vs detect+recognise", "goal"):
            ocr.add_column(column, justify="left" if column == "run" else "right")
        for name, value in (
            ("detect + recognise each box (first version)", detect_s),
            ("RapidOCR's recogniser batching, one poster at a time (previous)", rapid_s),
            ("recognise each box's lines, one batch a poster", per_poster_s),
            ("recognise, one batch across all posters", batch_s),
        ):
            ocr.add_row(name, f"{value:.3f}", f"{detect_s / value:.1f}×", "met" if value <= OCR_GOAL else "missed")
        console.print(ocr)
        console.print(f"posters with the same verdict per poster and batched: {same}/{args.ocr}")
    load = os.getloadavg()
    console.print(f"load average while measured (shared machine): {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()
