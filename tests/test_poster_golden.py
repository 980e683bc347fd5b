"""Posters come out exactly as before the renderer's caches: every pixel and every element, cold and warm (pixel
hashes per CPU kind, contrast figures to 1e-9: see poster_golden_support)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from poster_golden_support import GOLDEN, hashes, pipelines, render_digests, same_numbers

from contentgen.pipelines.poster import PosterPipeline


@pytest.fixture(scope="module")
def golden() -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return data


def compare(got: dict[str, list[dict[str, Any]]], want: dict[str, list[dict[str, Any]]]) -> None:
    assert got.keys() == want.keys()
    for key in want:
        assert [d["name"] for d in got[key]] == [d["name"] for d in want[key]]
        for mine, theirs in zip(got[key], want[key], strict=True):
            label = f"{key}/{theirs['name']} (regenerate with `python tests/poster_golden_support.py` if meant)"
            assert same_numbers(mine["elements"], theirs["elements"]), label
            assert mine["findings"] == theirs["findings"], label
            assert mine["pixels"] in hashes(theirs), label


def test_posters_are_drawn_exactly_as_before_cold_and_warm(golden: dict[str, list[dict[str, Any]]]) -> None:
    from contentgen.render.cache import clear_caches

    clear_caches()
    built: dict[str, PosterPipeline] = pipelines()
    compare(render_digests(built), golden)  # cold: every cache filled by these posters themselves
    compare(render_digests(built, reverse=True), golden)  # warm, in another order
    compare(render_digests(pipelines()), golden)  # new pipelines over the process's warm caches


def test_scrim_tables_give_pillows_own_composite_exactly() -> None:
    import numpy as np

    from contentgen.render.legibility import _composite, _luminance_of, _scrim_luminance

    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, (20000, 3), dtype=np.uint8)
    for colour in ("#000000", "#FFFFFF", "#1E3326", "#FBF6EA", "#D98E2B"):
        for alpha in (1, 13, 64, 128, 191, 230, 255):
            want = _luminance_of(_composite(pixels, colour, alpha))
            assert np.array_equal(_scrim_luminance(pixels, colour, alpha), want), (colour, alpha)


def test_a_cells_layouts_and_sizes_share_copy_and_background_and_match_posters_made_alone() -> None:
    from contentgen.domain.layout import poster_layouts
    from contentgen.domain.loaders import kit_segments, load_brand_kit, load_channels
    from contentgen.pipelines.poster import PosterRequest

    pipeline = PosterPipeline(load_brand_kit("qinghe"), ocr=False)
    channel = load_channels()["xiaohongshu"]
    segment, product = kit_segments(pipeline.brand)[1], pipeline.catalog.products[2]
    requests = [
        PosterRequest(segment=segment, channel=channel, size=size, layout=layout, product=product, seed=5)
        for size in channel.poster_sizes
        for layout in list(poster_layouts().values())[:2]
    ]
    together = pipeline.run(requests)
    assert len({r.copy for r in together}) == 1  # one copy for the cell
    for request, result in zip(requests, together, strict=True):
        (alone,) = pipeline.run([request])
        assert alone.copy == result.copy and alone.image.tobytes() == result.image.tobytes(), result.name
