"""The three pipelines have one shape: the same constructor names, one batch verb `run(requests)`, typed results."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from pathlib import Path

import pytest

from contentgen.domain import kit_segments, load_brand_kit, load_channels
from contentgen.domain.layout import poster_layouts
from contentgen.errors import ConfigError
from contentgen.pipelines import video
from contentgen.pipelines.copy import OVERSAMPLE, TEXT_BATCH, CopyCell, CopyPipeline, CopyResult
from contentgen.pipelines.poster import PosterPipeline, PosterRequest, PosterResult
from contentgen.pipelines.video import VideoPipeline, VideoRequest
from contentgen.providers.base import TextRequest, TextResult
from contentgen.providers.text.template import TemplateTextProvider

PIPELINES = (CopyPipeline, PosterPipeline, VideoPipeline)
SHARED = ("catalog", "policies", "text_provider", "prompts_path")


class BatchSizes(TemplateTextProvider):
    """The template engine, remembering how many requests each call carried."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[int] = []

    def generate(self, requests: Sequence[TextRequest]) -> list[TextResult]:
        self.calls.append(len(requests))
        return super().generate(requests)


@pytest.mark.parametrize("pipeline", PIPELINES, ids=lambda p: p.__name__)
def test_every_pipeline_takes_the_same_names_and_has_one_verb(pipeline: type) -> None:
    init = inspect.signature(pipeline.__init__).parameters
    assert list(init)[1] == "brand"
    assert set(SHARED) <= set(init), set(SHARED) - set(init)
    run = inspect.signature(pipeline.run).parameters
    assert list(run)[1] == "requests" and "on_result" in run
    assert run["on_result"].kind is inspect.Parameter.KEYWORD_ONLY
    for old in ("render", "make", "generate"):
        assert not hasattr(pipeline, old), f"{pipeline.__name__}.{old} is a second way to run it"
    assert not hasattr(video, "VideoMaker")


def test_copy_run_batches_cells_and_reports_each_in_order() -> None:
    brand = load_brand_kit("morrow")
    provider = BatchSizes()
    pipeline = CopyPipeline(brand, text_provider=provider)
    channels = load_channels()
    product = pipeline.catalog.default_product()
    segment = kit_segments(brand)[0]
    n = 5
    per_call = TEXT_BATCH // (n * OVERSAMPLE)
    cells = [CopyCell(segment, channels[c], (product,)) for c in ("sms", "email")] * (per_call // 2 + 1)
    seen: list[CopyResult] = []
    results = pipeline.run(cells, n=n, on_result=seen.append)
    assert seen == results and [r.channel for r in results] == [c.channel.id for c in cells]
    assert max(provider.calls) <= TEXT_BATCH and len(provider.calls) >= 2
    assert sum(provider.calls) == len(cells) * n * OVERSAMPLE


def test_poster_run_writes_files_into_out_dir_per_segment(tmp_path: Path) -> None:
    brand = load_brand_kit("qinghe")
    pipeline = PosterPipeline(brand, ocr=False)
    channel = load_channels()["xiaohongshu"]
    segment = kit_segments(brand)[0]
    layout = poster_layouts()["type-only"]
    product = pipeline.catalog.default_product()
    requests = [PosterRequest(segment, channel, channel.poster_sizes[0], layout, product, seed=seed) for seed in (1, 2)]
    seen: list[PosterResult] = []
    results = pipeline.run(requests, out_dir=tmp_path, on_result=seen.append)
    assert seen == results and len(results) == 2
    written = sorted(p.name for p in (tmp_path / segment.id).iterdir())
    assert any(name.endswith(".png") for name in written) and any(name.endswith(".json") for name in written)


def test_video_run_refuses_a_channel_without_video(tmp_path: Path) -> None:
    brand = load_brand_kit("qinghe")
    pipeline = VideoPipeline(brand)
    channel = next(c for c in load_channels().values() if c.video is None)
    request = VideoRequest(kit_segments(brand)[0], channel, pipeline.catalog.default_product())
    with pytest.raises(ConfigError, match=rf"channel '{channel.id}' takes no video; channels with video: "):
        pipeline.run([request], out_dir=tmp_path)
    assert not any(tmp_path.iterdir())
