"""Image throughput: procedural backgrounds per style at poster size, and a diffusers pipeline batched vs one by one.

Procedural: each style renders `--n` 1080×1920 backgrounds (different seeds) one call at a time,
`--repeat` times over; each call is timed, and the median and fastest are shown (the median is robust
to other processes on a shared machine). The goal is well under 25 ms a background on 2 cores. "kept"
renders the same backgrounds in one call, so every result stays in memory and needs fresh pages, as a
real batch of posters does (best of `--repeat`).

Diffusers: the tiny random Stable Diffusion pipeline from contentgen.testing (real classes, toy width)
at 64×96, `--images` requests batched (batch_size = all of them) against the same requests one call
each, the two alternated `--repeat` times, best of each. With a toy model on a CPU the ratio shows what
batching saves in per-call overhead (text encoding, scheduler, Python); with a real model on a GPU a
batch also fills the device.

    python -m bench.bench_images [--n 20] [--repeat 3] [--images 8] [--no-diffusers]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence

from rich.console import Console
from rich.table import Table

GOAL_MS = 25.0
POSTER = (1080, 1920)
PALETTE = ("#FBF6EA", "#D98E2B", "#1F5C57", "#B5542F")


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _procedural(n: int, repeat: int) -> Table:
    from contentgen.providers import ImageRequest
    from contentgen.providers.image.procedural import STYLES, ProceduralImageProvider

    provider = ProceduralImageProvider()
    w, h = POSTER
    table = Table(
        title=f"Procedural backgrounds, {w}×{h}: {n} seeds per style × {repeat} rounds (goal < {GOAL_MS:.0f} ms)"
    )
    for column in ("style", "median ms", "fastest ms", "per second", "goal ÷ median", "kept ms"):
        table.add_column(column, justify="left" if column == "style" else "right")
    medians, kept_all = [], []
    for style in STYLES:
        requests = [ImageRequest("", w, h, seed=s, palette=PALETTE, style=style) for s in range(n)]
        provider.render(requests[:2])  # warm: buffers sized, code paths loaded
        times = []
        for _ in range(repeat):
            for request in requests:  # one call each; the result is dropped at once
                start = time.perf_counter()
                provider.render([request])
                times.append(time.perf_counter() - start)
        times.sort()
        median = times[len(times) // 2]
        # One call for all n: every result stays in memory, so each needs fresh pages.
        kept = _best(lambda requests=requests: provider.render(requests), repeat) / n
        medians.append(median)
        kept_all.append(kept)
        table.add_row(
            style,
            f"{median * 1e3:.1f}",
            f"{times[0] * 1e3:.1f}",
            f"{1 / median:.0f}",
            f"{GOAL_MS / (median * 1e3):.1f}×",
            f"{kept * 1e3:.1f}",
        )
    mean, mean_kept = sum(medians) / len(medians), sum(kept_all) / len(kept_all)
    table.add_row(
        "all styles",
        f"{mean * 1e3:.1f}",
        "",
        f"{1 / mean:.0f}",
        f"{GOAL_MS / (mean * 1e3):.1f}×",
        f"{mean_kept * 1e3:.1f}",
        style="bold",
    )
    return table


def _diffusers(images: int, repeat: int) -> Table:
    # diffusers calls np.array(tensor), which numpy 2.4 warns about with this torch; not ours to fix.
    warnings.filterwarnings("ignore", message="__array__ implementation", category=DeprecationWarning)
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()  # before diffusers imports its image processors: no notices
    transformers_logging.disable_progress_bar()  # a benchmark prints its table, not loading bars
    from diffusers.utils import logging as diffusers_logging

    diffusers_logging.disable_progress_bar()

    from contentgen.providers import ImageRequest
    from contentgen.providers.image.diffusion import DiffusersImageProvider
    from contentgen.testing.tiny_models import build_tiny_sd

    w, h = 64, 96
    requests = [ImageRequest(f"tea poster {i}", w, h, seed=i) for i in range(images)]
    with tempfile.TemporaryDirectory() as directory:
        model = str(build_tiny_sd(directory))
        batched = DiffusersImageProvider({"model": model, "batch_size": images})
        single = DiffusersImageProvider({"model": model, "batch_size": 1})
        for provider in (batched, single):
            provider.render(requests)  # load, and warm every kernel for these shapes
        batch_s = one_s = float("inf")
        for _ in range(repeat):  # alternated, so that a busy spell on the machine hits both alike
            batch_s = min(batch_s, _best(lambda: batched.render(requests), 1))
            one_s = min(one_s, _best(lambda: [single.render([r]) for r in requests], 1))
        batched.close()
        single.close()
    steps = batched.options.steps
    table = Table(
        title=f"Diffusers, tiny random SD pipeline: {images} images of {w}×{h}, {steps} steps, best of {repeat}"
    )
    for column in ("how", "seconds", "images/s", "ratio"):
        table.add_column(column, justify="left" if column == "how" else "right")
    table.add_row("one call per image", f"{one_s:.2f}", f"{images / one_s:.1f}", "1.0×")
    table.add_row(
        f"one batched call (batch_size={images})",
        f"{batch_s:.2f}",
        f"{images / batch_s:.1f}",
        f"{one_s / batch_s:.1f}×",
        style="bold",
    )
    return table


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="procedural backgrounds per style and round")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--images", type=int, default=8, help="diffusers requests")
    parser.add_argument("--no-diffusers", action="store_true", help="skip the diffusers part (no torch needed)")
    args = parser.parse_args(argv)

    console = Console()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    console.print(f"{os.cpu_count()} CPUs, load average {load:.1f} at start")
    console.print(_procedural(args.n, args.repeat))
    if not args.no_diffusers:
        try:
            import diffusers  # noqa: F401
        except ImportError:
            console.print("diffusers is not installed: skipped (pip install 'contentgen[models]')")
        else:
            console.print(_diffusers(args.images, args.repeat))


if __name__ == "__main__":
    main()
