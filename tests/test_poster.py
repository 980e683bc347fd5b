"""Posters: layouts as data, fitted and legible text, safe zones, price badges, OCR read-back, files, CLI."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from conftest import DATA, Cli
from PIL import Image, ImageFilter

from contentgen.domain.brief import Brief, Promotion
from contentgen.domain.channel import Channel, PosterSize
from contentgen.domain.layout import Layout, load_layouts, poster_layouts, safe_area
from contentgen.domain.loaders import kit_segments, load_brand_kit, load_channels
from contentgen.errors import DataError
from contentgen.pipelines.poster import (
    MAX_CER,
    PosterCopy,
    PosterPipeline,
    PosterRequest,
    PosterResult,
    contact_sheet,
    read_back,
    reads_back,
    render_poster,
    write_poster,
)
from contentgen.providers.base import ImageProvider, ImageRequest
from contentgen.render.legibility import contrast_ratio
from contentgen.render.ocr import OcrReader

LAYOUTS = poster_layouts()
CHANNELS = load_channels()
SIZES = {(s.width, s.height): (c, s) for c in CHANNELS.values() for s in c.poster_sizes}


@pytest.fixture(scope="module")
def reader() -> OcrReader:
    ocr = OcrReader()
    ocr.load()
    return ocr


@pytest.fixture(scope="module")
def pipelines() -> dict[str, PosterPipeline]:
    return {kit: PosterPipeline(load_brand_kit(kit), ocr=False) for kit in ("qinghe", "morrow")}


def request(pipeline: PosterPipeline, channel: str, size: PosterSize | None = None, **kw: Any) -> PosterRequest:
    ch = CHANNELS[channel]
    defaults: dict[str, Any] = {
        "segment": kit_segments(pipeline.brand)[0],
        "channel": ch,
        "size": size or ch.poster_sizes[0],
        "layout": LAYOUTS["hero-product"],
        "product": pipeline.catalog.products[0],
        "seed": 3,
    }
    defaults.update(kw)
    return PosterRequest(**defaults)


class Solid(ImageProvider):
    """A real image provider for tests: one flat colour, or a fine black-and-white checkerboard."""

    name: ClassVar[str] = "solid"
    colour = "#808080"

    def render(self, requests: Sequence[ImageRequest]) -> list[Image.Image]:
        out = []
        for r in requests:
            if self.colour == "checker":
                cells = (np.indices((r.height, r.width)).sum(axis=0) // 3) % 2
                out.append(Image.fromarray((cells * 255).astype(np.uint8)).convert("RGB"))
            else:
                out.append(Image.new("RGB", (r.width, r.height), self.colour))
        return out


def text_elements(result: PosterResult) -> list[dict[str, Any]]:
    return [e for e in result.to_dict()["elements"] if "text" in e]


# ---- layouts as data ------------------------------------------------------------------------------


def test_four_layouts_cover_every_channel_size() -> None:
    assert {"hero-product", "price-promotion", "persona-lifestyle", "type-only"} <= set(LAYOUTS)
    needed = {(1080, 1920), (1080, 1440), (1080, 1080), (900, 383), (1200, 628)}
    assert needed <= set(SIZES)
    for layout in LAYOUTS.values():
        for width, height in SIZES:
            frame = layout.frame_for(width, height)
            designed = frame.ratio
            assert abs(np.log(designed) - np.log(width / height)) < 0.12, (layout.id, width, height, frame.aspect)


def test_layout_files_are_validated(tmp_path: Path) -> None:
    source = (Path(__file__).parents[1] / "layouts" / "type-only.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "type-only.yaml"
    broken.write_text(source.replace("subhead: [0.05, 0.44, 0.9, 0.1]", "subhead: [0.05, 0.2, 0.9, 0.1]"))
    with pytest.raises(DataError, match="overlap"):
        load_layouts(tmp_path)
    broken.write_text(source.replace("headline: [0, 0.12, 1, 0.3]", "headline: [0, 0.12, 1.2, 0.3]"))
    with pytest.raises(DataError, match="inside"):
        load_layouts(tmp_path)
    broken.write_text(source.replace("  logo: {align: center}", "  logo: {align: centre}"))
    with pytest.raises(DataError, match=r"type-only.yaml:\d+"):
        load_layouts(tmp_path)


def test_safe_area_keeps_douyin_interface_clear() -> None:
    douyin = CHANNELS["douyin"]
    left, top, right, bottom = safe_area(1080, 1920, douyin.safe_zone, 0.05)
    assert right <= 1080 * (1 - douyin.safe_zone.right) and bottom <= 1920 * (1 - douyin.safe_zone.bottom)
    assert top >= 1920 * douyin.safe_zone.top and left > 0


# ---- every layout × size × brand, checked from the layout JSON and the pixels ----------------------


@pytest.mark.slow
@pytest.mark.parametrize("kit", ["qinghe", "morrow"])
def test_every_layout_and_size_renders_ready(
    kit: str, pipelines: dict[str, PosterPipeline], reader: OcrReader, tmp_path: Path
) -> None:
    pipeline = pipelines[kit]
    product = next(p for p in pipeline.catalog if p.list_price is not None)
    brief = Brief(
        occasion=None,
        promotion=Promotion(
            name="Spring" if kit == "morrow" else "春季焕新", start=date(2026, 3, 1), end=date(2026, 3, 9)
        ),
    )
    requests = [
        request(pipeline, channel.id, size, layout=layout, product=product, brief=brief)
        for (channel, size) in SIZES.values()
        for layout in LAYOUTS.values()
    ]
    results = pipeline.run(requests)
    for result in results:
        read_back(result, reader)
        files = write_poster(result, tmp_path)
        label = f"{result.name}: {[f.message for f in result.findings if f.blocking]}"
        assert result.ready, label
        data = json.loads(Path(files["layout"]).read_text(encoding="utf-8"))
        left, top, right, bottom = data["safe_area"]
        for element in data["elements"]:
            if "text" not in element:
                continue
            x0, y0, x1, y1 = element["ink"]
            assert left <= x0 and top <= y0 and x1 <= right and y1 <= bottom, (label, element)
            assert element["contrast"] >= element["required_contrast"], (label, element)
            read = element["cer"] <= MAX_CER or reads_back(
                "".join(element["lines"]), element["ocr"], element["cer"], MAX_CER
            )
            assert read or element.get("detail", {}).get("struck"), (label, element)  # struck prices: a warning
            assert element["font"].endswith((".ttf", ".otf"))
        with Image.open(files["png"]) as png:
            assert png.size == (result.size.width, result.size.height)
        assert {e["element"] for e in data["elements"]} >= {"logo", "headline", "price", "cta"}
        assert data["copy"]["source"].startswith("copy:")  # written and checked by the copy pipeline
    sheet = contact_sheet(results, tmp_path / "sheet.jpg")
    assert sheet.stat().st_size > 10_000


def test_nothing_is_drawn_under_the_douyin_interface(pipelines: dict[str, PosterPipeline]) -> None:
    pipeline = pipelines["qinghe"]
    for layout in LAYOUTS.values():
        req = request(pipeline, "douyin", layout=layout)
        poster = pipeline.run([req])[0]
        bare = pipeline.image_provider.render([pipeline._background_request(req)])[0]
        changed = np.abs(np.asarray(poster.image, np.int16) - np.asarray(bare, np.int16)).max(axis=2) > 0
        left, top, right, bottom = poster.safe_area
        outside = changed.copy()
        outside[top:bottom, left:right] = False
        assert not outside.any(), f"{layout.id}: {outside.sum()} pixels changed outside the safe area"
        assert changed[top:bottom, left:right].sum() > 10_000


# ---- text: fit, glyphs, contrast ---------------------------------------------------------------------


def test_overflowing_text_blocks_the_poster_and_is_not_drawn(pipelines: dict[str, PosterPipeline]) -> None:
    pipeline = pipelines["qinghe"]
    long = "温和" * 60
    copy = PosterCopy(headline=long, subhead="积雪草舒缓", cta="了解详情")
    result = pipeline.run([request(pipeline, "email", copy=copy)])[0]
    assert not result.ready
    fit = [f for f in result.findings if f.rule == "poster.fit"]
    assert fit and fit[0].field == "headline" and "does not fit" in fit[0].message
    assert "headline" not in {e.element for e in result.elements}
    assert result.element("subhead").text == "积雪草舒缓"


def test_missing_glyph_is_named(pipelines: dict[str, PosterPipeline]) -> None:
    pipeline = pipelines["morrow"]
    copy = PosterCopy(headline="Tea time \ue000", cta="Shop now")
    result = pipeline.run([request(pipeline, "email", copy=copy)])[0]
    glyph = [f for f in result.findings if f.rule == "poster.glyph"]
    assert glyph and "U+E000" in glyph[0].message and not result.ready


@pytest.mark.parametrize("ground", ["#1F4E3D", "#FBF6EA", "checker"])
def test_text_reaches_wcag_contrast_on_any_ground(ground: str) -> None:
    provider = Solid()
    provider.colour = ground
    pipeline = PosterPipeline(load_brand_kit("qinghe"), image_provider=provider, ocr=False)
    result = pipeline.run([request(pipeline, "xiaohongshu", layout=LAYOUTS["type-only"])])[0]
    assert result.ready, [f.message for f in result.findings if f.blocking]
    elements = text_elements(result)
    assert len(elements) >= 5
    for element in elements:
        assert element["contrast"] >= element["required_contrast"]
    if ground == "checker":  # no colour passes over black-and-white: a scrim panel must have been drawn
        assert any(e.get("panel", {}).get("kind") == "scrim" for e in elements)
    else:  # a flat ground needs no panel, only the right colour
        assert not any(e.get("panel", {}).get("kind") == "scrim" for e in elements)
        headline = result.element("headline")
        assert headline.colour is not None and contrast_ratio(headline.colour, ground) >= 3


# ---- price badge -------------------------------------------------------------------------------------


def test_price_badge_states_catalog_price_and_strikes_it_in_a_promotion(pipelines: dict[str, PosterPipeline]) -> None:
    pipeline = pipelines["qinghe"]
    product = next(p for p in pipeline.catalog if p.list_price is None and p.price >= 50)
    layout = LAYOUTS["price-promotion"]
    plain = pipeline.run([request(pipeline, "xiaohongshu", layout=layout, product=product)])[0]
    assert plain.element("price").text == product.money()
    assert "price.list" not in {e.element for e in plain.elements}

    promo = Brief(
        promotion=Promotion(name="618年中大促", start=date(2026, 6, 1), end=date(2026, 6, 18), discount_percent=20)
    )
    sale = pipeline.run([request(pipeline, "xiaohongshu", layout=layout, product=product, brief=promo)])[0]
    expected = (product.price * Decimal("0.8")).quantize(Decimal("0.01"))
    assert sale.element("price").text == product.money(expected)
    struck = sale.element("price.list")
    assert struck.text == product.money() and struck.detail.get("struck")
    assert sale.element("price.label").text == "618年中大促"
    # the strike line crosses the reference price's glyphs: its middle row is mostly ink colour
    x0, y0, x1, y1 = struck.ink or (0, 0, 0, 0)
    pixels = np.asarray(sale.image.crop((x0, y0, x1, y1)), np.int16)
    ink = np.array(tuple(int(struck.colour[i : i + 2], 16) for i in (1, 3, 5)) if struck.colour else (0, 0, 0))
    rows = (np.abs(pixels - ink).sum(axis=2) < 60).mean(axis=1)
    assert rows.max() > 0.9


# ---- OCR gate ------------------------------------------------------------------------------------------


def test_ocr_reads_back_and_blocks_unreadable_text(pipelines: dict[str, PosterPipeline], reader: OcrReader) -> None:
    pipeline = pipelines["qinghe"]
    copy = PosterCopy(headline="夏日焕新保湿面霜", subhead="到手价以页面为准", cta="了解详情")
    result = pipeline.run([request(pipeline, "xiaohongshu", layout=LAYOUTS["type-only"], copy=copy)])[0]
    read_back(result, reader)
    headline = result.element("headline")
    assert headline.cer == 0.0 and headline.ocr and "焕新" in headline.ocr
    assert result.ready and result.ocr_checked

    blurred = pipeline.run([request(pipeline, "xiaohongshu", layout=LAYOUTS["type-only"], copy=copy)])[0]
    box = blurred.element("headline").ink
    assert box is not None
    region = blurred.image.crop(box).filter(ImageFilter.GaussianBlur(18))
    blurred.image.paste(region, box[:2])
    read_back(blurred, reader)
    assert not blurred.ready
    assert any(f.rule == "poster.ocr" and f.field == "headline" for f in blurred.findings)


def test_reads_back_tolerates_one_symbol_never_a_digit() -> None:
    assert reads_back("¥149", "?149", 0.25, MAX_CER)
    assert not reads_back("¥149", "¥148", 0.25, MAX_CER)
    assert not reads_back("了解详情", "了解", 0.5, MAX_CER)


# ---- files, API, CLI -------------------------------------------------------------------------------------


def test_render_poster_api_and_files(tmp_path: Path) -> None:
    result = render_poster("morrow", "gen-z", "email", "MT-GRN-001", layout="type-only", ocr=False, seed=1)
    assert result.size.label == "1200x628" and result.channel == "email"
    files = write_poster(result, tmp_path)
    assert {Path(files[k]).suffix for k in ("png", "jpg", "layout")} == {".png", ".jpg", ".json"}
    data = json.loads(Path(files["layout"]).read_text(encoding="utf-8"))
    assert data["ready"] == result.ready and data["sku"] == "MT-GRN-001"
    again = render_poster("morrow", "gen-z", "email", "MT-GRN-001", layout="type-only", ocr=False, seed=1)
    assert again.image.tobytes() == result.image.tobytes()  # seeded: the same poster twice


def test_cli_poster_writes_posters_layouts_and_contact_sheet(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli(
        "poster", "--kit", "qinghe", "--segment", "gen-z", "--channel", "wechat-article", "--layout", "type-only",
        "--no-ocr", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    pngs = sorted((out / "gen-z").glob("*.png"))
    assert [p.name.split("_")[1] for p in pngs] == ["article-cover", "square"]
    assert all(p.with_suffix(".json").exists() and p.with_suffix(".jpg").exists() for p in pngs)
    assert (out / "contact-sheet.jpg").exists()
    assert "2/2 ready" in result.output


def test_cli_poster_bad_input_is_one_line(cli: Cli) -> None:
    result = cli("poster", "--kit", "qinghe", "--segment", "gen-z", "--channel", "sms")
    assert result.exit_code == 1
    assert "channel with poster sizes" in result.output and "Traceback" not in result.output
    result = cli("poster", "--kit", "qinghe", "--segment", "gen-z", "--channel", "douyin", "--layout", "hero")
    assert result.exit_code == 1 and "hero-product" in result.output


def test_kit_without_disclaimer_box_is_blocked(tmp_path: Path, pipelines: dict[str, PosterPipeline]) -> None:
    source = LAYOUTS["type-only"].model_dump()
    for frame in source["frames"]:
        frame["boxes"].pop("disclaimer")
    layout = Layout.model_validate(source)
    pipeline = pipelines["qinghe"]  # 青禾 requires 本品为化妆品… on every skincare product
    result = pipeline.run([request(pipeline, "xiaohongshu", layout=layout)])[0]
    assert any(f.rule == "poster.disclaimer" for f in result.findings) and not result.ready


def test_custom_channel_sizes_work(pipelines: dict[str, PosterPipeline]) -> None:
    pipeline = pipelines["morrow"]
    channel = Channel.model_validate(
        {
            **CHANNELS["email"].model_dump(),
            "id": "display",
            "poster_sizes": [{"name": "mrec", "width": 600, "height": 500}],
        }
    )
    req = PosterRequest(
        kit_segments(pipeline.brand)[0],
        channel,
        channel.poster_sizes[0],
        LAYOUTS["hero-product"],
        pipeline.catalog.products[0],
    )
    result = pipeline.run([req])[0]
    assert result.image.size == (600, 500)
    assert result.ready, [f.message for f in result.findings if f.blocking]


def test_minimal_kit_renders(tmp_path: Path) -> None:
    kit = tmp_path / "kit"
    shutil.copytree(DATA / "kits" / "minimal", kit)
    brand = load_brand_kit(str(kit))
    pipeline = PosterPipeline(brand, ocr=False)
    result = pipeline.run([request(pipeline, "weibo", layout=LAYOUTS["type-only"])])[0]
    assert result.image.size == (1080, 1080)


@pytest.mark.slow
# diffusers calls np.array(tensor), which numpy 2.4 warns about with this torch (see test_image_providers.py)
@pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")
def test_diffusers_backgrounds_make_ready_posters(tmp_path: Path) -> None:
    """The model path end to end: a tiny real Stable Diffusion pipeline paints the ground (noise, at random
    weights), and the poster still comes out legible: colours and scrims adapt to whatever it paints."""
    pytest.importorskip("diffusers")
    from contentgen.providers.image.diffusion import DiffusersImageProvider
    from contentgen.testing.tiny_models import build_tiny_sd

    provider = DiffusersImageProvider({"model": str(build_tiny_sd(tmp_path / "sd")), "steps": 1})
    pipeline = PosterPipeline(load_brand_kit("morrow"), image_provider=provider, ocr=False)
    channel = Channel.model_validate(
        {**CHANNELS["email"].model_dump(), "poster_sizes": [{"name": "small", "width": 640, "height": 360}]}
    )
    req = PosterRequest(
        kit_segments(pipeline.brand)[0],
        channel,
        channel.poster_sizes[0],
        LAYOUTS["type-only"],
        pipeline.catalog.products[0],
    )
    results = pipeline.run([req])
    assert results[0].image.size == (640, 360)
    assert results[0].background.name == "diffusers"
    for result in results:
        assert not [f for f in result.findings if f.rule == "poster.contrast"]


def test_a_poster_paints_on_the_providers_image_only_when_the_provider_hands_it_over(
    pipelines: dict[str, PosterPipeline],
) -> None:
    """A provider whose images may be handed out again (the default) gets them back untouched; one whose images
    are new each time (`fresh_images`, the procedural one) has the last poster of each background painted on it."""

    class Shared(ImageProvider):
        name: ClassVar[str] = "shared"

        def __init__(self) -> None:
            super().__init__()
            self.image = Image.new("RGB", (1080, 1920), "#E8E0D0")

        def render(self, requests: Sequence[ImageRequest]) -> list[Image.Image]:
            return [self.image for _ in requests]

    brand = pipelines["qinghe"].brand
    shared = Shared()
    pipeline = PosterPipeline(brand, image_provider=shared, ocr=False)
    first, second = pipeline.run(
        [request(pipeline, "douyin"), request(pipeline, "douyin", layout=LAYOUTS["type-only"])]
    )
    again = pipeline.run([request(pipeline, "douyin")])[0]
    assert shared.image.getextrema() == ((0xE8, 0xE8), (0xE0, 0xE0), (0xD0, 0xD0))  # never painted on
    assert shared.image not in (first.image, second.image) and first.image.tobytes() == again.image.tobytes()

    fresh = pipelines["qinghe"]
    assert fresh.image_provider.fresh_images
    drawn: list[Image.Image] = []
    render = fresh.image_provider.render
    fresh.image_provider.render = lambda reqs: drawn.extend(render(reqs)) or drawn[-len(reqs) :]  # type: ignore[method-assign]
    try:
        first_product, *others = fresh.catalog.products
        twin = next(p for p in others if p.category == first_product.category)  # the same background prompt
        cell = [request(fresh, "douyin"), request(fresh, "douyin", product=twin)]
        results = fresh.run(cell)
    finally:
        del fresh.image_provider.render
    assert len(drawn) == 1  # one background for the cell: the first poster on a copy, the last on the image
    assert results[0].image is not drawn[0] and results[1].image is drawn[0]
    alone = [PosterPipeline(brand, ocr=False).run([r])[0] for r in cell]
    assert [r.image.tobytes() for r in results] == [a.image.tobytes() for a in alone]


def test_text_is_painted_only_where_its_glyphs_have_ink_with_the_same_pixels_as_the_whole_mask() -> None:
    """The glyph cache keeps the box of the mask's ink and that part of the mask; painting the colour through it
    gives exactly the pixels painting through the whole mask does (zero coverage leaves a pixel as it was)."""
    from contentgen.render.compose import _glyphs
    from contentgen.render.typography import FontStack, fit_text

    pipeline = PosterPipeline(load_brand_kit("morrow"), ocr=False)
    stack: FontStack = pipeline.stacks["heading"]
    block = fit_text("Loose leaf, brewed slow", stack, (520, 200), max_size=64, min_size=20)
    mask, _, inked = _glyphs(tuple(block.lines), block.size, block.line_height, stack, (700, 320), (60, 50),
                                 "center", 560)  # fmt: skip
    assert inked is not None
    box, coverage = inked
    assert box == mask.getbbox() and coverage.size == (box[2] - box[0], box[3] - box[1])
    rng = np.random.default_rng(5)
    ground = Image.fromarray(rng.integers(0, 256, (400, 800, 3), dtype=np.uint8))
    whole, part = ground.copy(), ground.copy()
    whole.paste("#2D4A3E", (30, 40, 730, 360), mask)
    part.paste("#2D4A3E", (30 + box[0], 40 + box[1], 30 + box[2], 40 + box[3]), coverage)
    assert whole.tobytes() == part.tobytes() and whole.tobytes() != ground.tobytes()
    blank = _glyphs((" ",), 40, 50, stack, (100, 80), (10, 10), "left", 80)
    assert blank[2] is None


def test_the_mean_ground_colour_is_numpys_mean_truncated_exactly() -> None:
    from contentgen.render.compose import _mean_colour

    rng = np.random.default_rng(17)
    for n in (1, 2, 3, 255, 4097, 16384):
        pixels = rng.integers(0, 256, (n, 3), dtype=np.uint8)
        want = "#{:02X}{:02X}{:02X}".format(*(int(v) for v in pixels.mean(axis=0)))
        assert _mean_colour(pixels) == want
    assert _mean_colour(np.zeros((0, 3), np.uint8)) == "#000000"
