"""The offline copy engine: the shared text conformance suite, plus what only the engine promises."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from contentgen.copywriting import COPY_TASK, CopyTask
from contentgen.domain import kit_segments, load_brand_kit, load_channels, load_kit_catalog, text_length
from contentgen.domain.brand import BrandKit
from contentgen.domain.channel import Channel
from contentgen.domain.product import Product
from contentgen.domain.segment import Segment
from contentgen.errors import DataError, NotFoundError
from contentgen.pipelines.copy import CopyCell, _budget
from contentgen.providers import TextRequest
from contentgen.providers.text.template import TemplateTextProvider
from contentgen.testing.conformance import TextProviderTests


class TestConformance(TextProviderTests):
    provider_name = "template"

    @pytest.fixture
    def provider(self) -> TemplateTextProvider:
        return TemplateTextProvider()

    def requests(self) -> list[TextRequest]:
        return [
            _request("qinghe", "gen-z", "douyin", seed=1),
            _request("morrow", "silver-haired", "email", seed=2),
            TextRequest.from_prompt("plain prompt", seed=3),
        ]


@functools.cache
def _kit(kit: str) -> tuple[BrandKit, dict[str, Segment], Product]:
    """The kit, its segments and its first product in stock, read once per module (the test is the templates)."""
    brand = load_brand_kit(kit)
    product = next(p for p in load_kit_catalog(brand) if p.in_stock)
    return brand, {s.id: s for s in kit_segments(brand)}, product


@functools.cache
def _channels() -> dict[str, Channel]:
    return dict(load_channels())


def _task(kit: str, segment: str, channel: str, variant: int = 0) -> CopyTask:
    brand, segments, product = _kit(kit)
    seg = segments[segment]
    chan = _channels()[channel]
    cell = CopyCell(seg, chan, (product,))
    budgets = {name: _budget(brand, cell, name) for name in chan.fields}
    return CopyTask(brand, seg, chan, (product,), None, budgets, variant)


def _request(kit: str, segment: str, channel: str, seed: int) -> TextRequest:
    return TextRequest(messages=(), task=COPY_TASK, context={COPY_TASK: _task(kit, segment, channel)}, seed=seed)


def _cells() -> list[tuple[str, str, str]]:
    return [
        (kit, segment.id, channel)
        for kit in ("qinghe", "morrow")
        for segment in kit_segments(load_brand_kit(kit))
        for channel in load_channels()
    ]


@pytest.fixture(scope="module")
def engine() -> TemplateTextProvider:
    return TemplateTextProvider()


@pytest.mark.parametrize(("kit", "segment", "channel"), _cells())
@pytest.mark.parametrize("variant", range(4))
def test_every_template_renders_within_budget_for_every_segment(
    engine: TemplateTextProvider, kit: str, segment: str, channel: str, variant: int
) -> None:
    task = _task(kit, segment, channel, variant)
    out = engine.write(task, seed=variant)
    for name, text in out["fields"].items():
        spec = task.channel.fields[name]
        length = text_length(text, spec.count)
        assert spec.min <= length <= task.budgets[name], (kit, channel, segment, name, text)
        assert "{{" not in text and "None" not in text, (kit, channel, name, text)


def test_user_templates_shadow_the_shipped_ones(tmp_path: Path) -> None:
    folder = tmp_path / "copy" / "zh-CN"
    folder.mkdir(parents=True)
    (folder / "douyin.yaml").write_text(
        "version: 9\nangles:\n  - id: house\n    fields:\n      caption: '{{ product.name }}，{{ price() }}'\n",
        encoding="utf-8",
    )
    task = _task("qinghe", "gen-z", "douyin")
    out = TemplateTextProvider({"prompts_path": [str(tmp_path)]}).write(task, seed=0)
    assert out["fields"]["caption"] == f"{task.product.name}，{task.product.money()}"
    assert out["template_version"] == "zh-CN/douyin@v9"


def test_broken_template_is_a_one_line_error(tmp_path: Path) -> None:
    folder = tmp_path / "copy" / "zh-CN"
    folder.mkdir(parents=True)
    (folder / "douyin.yaml").write_text(
        "version: 1\nangles:\n  - id: x\n    fields:\n      caption: '{{ product.name '\n", encoding="utf-8"
    )
    with pytest.raises(DataError, match=r"douyin\.yaml: angles\[0\]\.fields\.caption: template error"):
        TemplateTextProvider({"prompts_path": [str(tmp_path)]}).write(_task("qinghe", "gen-z", "douyin"), seed=0)
    (folder / "douyin.yaml").write_text("version: 1\nangels: []\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"angels: unknown field \(did you mean 'angles'\?"):
        TemplateTextProvider({"prompts_path": [str(tmp_path)]}).write(_task("qinghe", "gen-z", "douyin"), seed=0)


def test_missing_channel_template_lists_the_ones_there(tmp_path: Path) -> None:
    task = _task("qinghe", "gen-z", "douyin")
    fake = load_channels()["douyin"].model_copy(update={"id": "kuaishou"})
    task = CopyTask(task.brand, task.segment, fake, task.products, None, task.budgets)
    with pytest.raises(NotFoundError, match=r"unknown copy template for zh-CN 'kuaishou'.*valid: .*douyin"):
        TemplateTextProvider().write(task, seed=0)


def test_output_is_json_with_fields_and_hashtags() -> None:
    result = TemplateTextProvider().generate([_request("morrow", "gen-z", "xiaohongshu", seed=5)])[0]
    data = json.loads(result.text)
    assert set(data["fields"]) == {"title", "body"}
    assert "MorrowTea" in data["hashtags"]


def test_siblings_take_different_angles() -> None:
    """Variants 0..k-1 of one cell and run cover all k angles of the channel's templates."""
    from contentgen.prompts import copy_templates

    engine = TemplateTextProvider()
    base = _task("morrow", "gen-z", "email")
    angles = {a.id for a in copy_templates("email", "en-US").spec.angles}
    taken = set()
    for variant in range(len(angles)):
        task = CopyTask(base.brand, base.segment, base.channel, base.products, None, base.budgets, variant, seed=3)
        taken.add(engine.write(task, seed=3 + variant)["angle"])
    assert taken == angles


def test_shared_macros_are_part_of_the_template_version(tmp_path: Path) -> None:
    versions = []
    for i, greeting in enumerate(["你好", "您好"]):
        folder = tmp_path / str(i) / "copy" / "zh-CN"
        folder.mkdir(parents=True)
        (folder / "_x.j2").write_text(f"{{% set hello = '{greeting}' %}}", encoding="utf-8")
        (folder / "douyin.yaml").write_text(
            "version: 1\nangles:\n  - id: a\n    fields:\n      caption: |-\n"
            '        {% import "copy/zh-CN/_x.j2" as x with context %}{{ x.hello }}，{{ product.name }}\n',
            encoding="utf-8",
        )
        engine = TemplateTextProvider({"prompts_path": [str(tmp_path / str(i))]})
        out = engine.write(_task("qinghe", "gen-z", "douyin"), 0)
        assert out["fields"]["caption"].startswith(greeting)
        versions.append(out["template_version"])
    assert versions[0].startswith("zh-CN/douyin@v1+") and versions[0] != versions[1]
