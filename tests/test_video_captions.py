"""Captions: splitting narration, cue timing, subtitle files, and drawing inside the safe zone, legibly."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from contentgen.domain import load_brand_kit
from contentgen.domain.brand import BrandKit
from contentgen.domain.channel import SafeZone
from contentgen.domain.common import Locale
from contentgen.errors import ContentgenError
from contentgen.render.legibility import WCAG_NORMAL, measure_contrast
from contentgen.render.typography import NO_LINE_START, TextFitError
from contentgen.video.captions import (
    CaptionStyle,
    Cue,
    caption_area,
    caption_max_chars,
    cues_from_chunks,
    render_caption,
    split_captions,
    spread_cues,
    srt_text,
    vtt_text,
    write_srt,
    write_vtt,
)

DATA = Path(__file__).parent / "data"
DOUYIN = SafeZone(top=0.08, bottom=0.2, right=0.15)
NARRATION_ZH = (
    "夏天到了，皮肤容易干燥缺水。青禾积雪草舒缓保湿水不添加酒精和香精，换季干燥时可以用化妆棉湿敷3–5分钟。"
    "现在下单到手价129元，限时包邮！容量50ml（约用两个月）。"
)
NARRATION_EN = (
    "Meet Shizuoka Morning Sencha: cut grass, snap pea and a little sea breeze. Steep it at 175°F for 1-2 min. "
    "It is only $18 for 3.5 oz, and more than 1,000 tea lovers already agree!"
)


@pytest.fixture(scope="module")
def kit() -> BrandKit:
    return load_brand_kit(DATA / "kits" / "minimal")


@pytest.fixture(scope="module")
def style(kit: BrandKit) -> CaptionStyle:
    return CaptionStyle.from_kit(kit, DOUYIN)


# ---- splitting -----------------------------------------------------------------------------------


@pytest.mark.parametrize("max_chars", [8, 12, 16])
def test_chinese_chunks_fit_and_never_start_with_closing_punctuation(max_chars: int) -> None:
    chunks = split_captions(NARRATION_ZH, "zh-CN", max_chars)
    assert all(len(chunk) <= max_chars for chunk in chunks)
    assert not any(chunk[0] in NO_LINE_START for chunk in chunks)
    # nothing is lost but the punctuation dropped at chunk ends
    strip = re.compile(r"[，。、；：\s]")
    assert strip.sub("", "".join(chunks)) == strip.sub("", NARRATION_ZH)


def test_numbers_stay_with_their_units_and_words_stay_whole() -> None:
    chunks = split_captions(NARRATION_ZH, "zh-CN", 8)
    # each appears once in the narration, so a chunk holding it whole means it was not split
    for kept in ("129元", "50ml", "3–5分钟", "化妆棉", "积雪草", "酒精"):
        assert any(kept in chunk for chunk in chunks), (kept, chunks)


def test_sentences_are_never_joined_and_chinese_full_stops_are_dropped() -> None:
    chunks = split_captions("你好。再见。", "zh-CN", 20)
    assert chunks == ["你好", "再见"]
    assert split_captions("第一句！第二句？", "zh-CN", 20) == ["第一句！", "第二句？"]


def test_english_splits_at_commas_and_words_never_inside_numbers() -> None:
    chunks = split_captions(NARRATION_EN, "en-US", 28)
    assert all(len(chunk) <= 28 for chunk in chunks)
    joined = " ".join(chunks)
    for kept in ("1,000", "3.5 oz", "$18", "175°F", "1-2 min"):
        assert any(kept in chunk for chunk in chunks), (kept, chunks)
    assert joined.replace(",", "").split() == NARRATION_EN.replace(",", "").replace(":", "").split()
    assert chunks[0] == "Meet Shizuoka Morning Sencha"  # a trailing colon is dropped, a full stop kept
    assert any(chunk.endswith("breeze.") for chunk in chunks)


def test_a_long_clause_is_split_into_even_pieces() -> None:
    chunks = split_captions("积雪草提取物与神经酰胺复配帮助舒缓干燥不适维护肌肤屏障", "zh-CN", 12)
    assert len(chunks) == 3
    lengths = [len(c) for c in chunks]
    assert max(lengths) - min(lengths) <= 4


# ---- cues and subtitle files ----------------------------------------------------------------------


def test_cues_follow_their_chunks() -> None:
    cues = cues_from_chunks([("a", 1.0), ("b", 0.5), ("c", 2.0)], start=0.25, gap=0.1)
    assert [t for c in cues for t in (c.start, c.end)] == pytest.approx([0.25, 1.25, 1.35, 1.85, 1.95, 3.95])
    with pytest.raises(ContentgenError, match="positive"):
        cues_from_chunks([("a", 0.0)])


def test_spread_cues_share_the_span_by_length() -> None:
    cues = spread_cues(["一二三四", "五六"], 1.0, 4.0)
    assert cues[0].start == 1.0 and cues[-1].end == pytest.approx(4.0)
    assert cues[0].end - cues[0].start == pytest.approx(2 * (cues[1].end - cues[1].start))


def _parse(text: str, separator: str) -> list[tuple[float, float, str]]:
    pattern = re.compile(rf"(\d\d):(\d\d):(\d\d){separator}(\d\d\d) --> (\d\d):(\d\d):(\d\d){separator}(\d\d\d)\n(.+)")
    found = []
    for match in pattern.finditer(text):
        h1, m1, s1, ms1, h2, m2, s2, ms2 = (int(v) for v in match.groups()[:8])
        found.append((h1 * 3600 + m1 * 60 + s1 + ms1 / 1000, h2 * 3600 + m2 * 60 + s2 + ms2 / 1000, match.group(9)))
    return found


def test_srt_and_vtt_hold_the_cue_timings(tmp_path: Path) -> None:
    cues = [Cue(0.3, 2.9715, "夏天到了"), Cue(3.0, 3661.25, "Tea & <scones>")]
    srt = write_srt(cues, tmp_path / "out.srt").read_text(encoding="utf-8")
    vtt = write_vtt(cues, tmp_path / "out.vtt").read_text(encoding="utf-8")
    assert srt.startswith("1\n") and "\n\n2\n" in srt
    assert vtt.startswith("WEBVTT\n\n")
    for parsed, escaped in ((_parse(srt, ","), "Tea & <scones>"), (_parse(vtt, r"\."), "Tea &amp; &lt;scones&gt;")):
        assert [(round(a, 3), round(b, 3)) for a, b, _ in parsed] == [(0.3, 2.972), (3.0, 3661.25)]
        assert [text for _, _, text in parsed] == ["夏天到了", escaped]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.srt", "out.vtt"]  # no temp files left
    assert srt_text([]) == ""


def test_a_cue_needs_time_and_text() -> None:
    with pytest.raises(ContentgenError):
        Cue(2.0, 1.0, "x")
    with pytest.raises(ContentgenError):
        Cue(0.0, 1.0, "  ")


# ---- drawing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(1080, 1920), (1080, 1080), (1920, 1080)])
def test_captions_sit_inside_the_safe_zone(style: CaptionStyle, size: tuple[int, int]) -> None:
    width, height = size
    drawn = render_caption("换季干燥时可以用化妆棉湿敷3–5分钟，到手价129元限时包邮", style, size)
    left, top, right, bottom = drawn.box
    assert left >= width * DOUYIN.left and right <= width * (1 - DOUYIN.right)
    assert top >= height * DOUYIN.top and bottom <= height * (1 - DOUYIN.bottom)
    area = caption_area(style, size)
    assert area[0] <= left and right <= area[2] and bottom == area[3]
    assert len(drawn.block.lines) <= style.max_lines
    assert not any(line[0] in NO_LINE_START for line in drawn.block.lines)


def _backgrounds(size: tuple[int, int]) -> list[Image.Image]:
    rng = np.random.default_rng(7)
    noise = Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
    return [Image.new("RGB", size, c) for c in ("#FFFFFF", "#000000", "#808080", "#FFFF00")] + [noise]


@pytest.mark.parametrize("colours", [("#FFFFFF", "#000000"), ("#FFF3D6", "#1E3326")])
def test_captions_reach_wcag_contrast_on_any_background(kit: BrandKit, colours: tuple[str, str]) -> None:
    style = CaptionStyle.from_kit(kit, DOUYIN, text_colour=colours[0], box_colour=colours[1])
    drawn = render_caption("夏日焕新保湿面霜", style, (540, 960))
    for background in _backgrounds((540, 960)):
        frame = background.copy()
        frame.paste(drawn.image, drawn.position, drawn.image)
        assert measure_contrast(frame, drawn.box, drawn.text_mask) >= WCAG_NORMAL


def test_the_panel_is_as_light_as_the_contrast_allows(kit: BrandKit) -> None:
    style = CaptionStyle.from_kit(kit, DOUYIN, text_colour="#FFFFFF", box_colour="#000000")
    assert 0.3 < style.opacity() < 1.0
    assert CaptionStyle.from_kit(kit, target_contrast=7.0, box_colour="#000000").opacity() > style.opacity()


def test_low_contrast_colours_are_refused(kit: BrandKit) -> None:
    with pytest.raises(ContentgenError, match="cannot reach"):
        CaptionStyle.from_kit(kit, text_colour="#FFFFFF", box_colour="#DDDDDD")


def test_long_captions_wrap_then_shrink_then_fail(style: CaptionStyle) -> None:
    short = render_caption("保湿", style, (1080, 1920))
    long = render_caption("青禾积雪草舒缓保湿水不添加酒精和香精换季干燥时可以湿敷", style, (1080, 1920))
    assert len(short.block.lines) == 1 and len(long.block.lines) == 2
    assert long.block.size <= short.block.size
    with pytest.raises(TextFitError):
        render_caption("很长的字幕" * 20, style, (1080, 1920))


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
def test_chunks_of_caption_max_chars_fit_one_line_at_full_size(style: CaptionStyle, size: tuple[int, int]) -> None:
    for locale, narration in (("zh-CN", NARRATION_ZH), ("en-US", NARRATION_EN)):
        max_chars = caption_max_chars(style, size, locale)  # type: ignore[arg-type]
        for chunk in split_captions(narration, locale, max_chars):  # type: ignore[arg-type]
            block = render_caption(chunk, style, size).block
            assert len(block.lines) == 1 and block.size == round(style.max_size * min(size)), (chunk, block.lines)
    assert caption_max_chars(style, (1080, 1920), "zh-CN", lines=2) == 2 * caption_max_chars(
        style, (1080, 1920), "zh-CN"
    )


# ---- per-platform caption line length --------------------------------------------------------------


def test_every_video_channel_sets_a_caption_line_length_per_locale() -> None:
    from contentgen.domain.loaders import load_channels

    video = {cid: c.video for cid, c in load_channels().items() if c.video is not None}
    assert video and all(set(spec.caption_max_chars) == {"zh-CN", "en-US"} for spec in video.values())
    assert video["douyin"].caption_max_chars["zh-CN"] < video["weibo"].caption_max_chars["zh-CN"]


@pytest.mark.parametrize(("locale", "narration"), [("zh-CN", NARRATION_ZH), ("en-US", NARRATION_EN)])
def test_a_platform_limit_shortens_caption_chunks_and_srt_vtt_keep_their_text(
    style: CaptionStyle, locale: Locale, narration: str
) -> None:
    size = (1920, 1080)  # a 16:9 frame fits far more than a platform wants on one line
    fits = caption_max_chars(style, size, locale)
    limit = 12 if locale == "zh-CN" else 30
    assert fits > limit
    assert caption_max_chars(style, size, locale, limit=limit) == limit
    assert caption_max_chars(style, size, locale, limit=fits + 10) == fits  # never wider than the frame
    chunks = split_captions(narration, locale, limit)
    assert len(chunks) > len(split_captions(narration, locale, fits))
    assert all(len(chunk) <= limit for chunk in chunks)
    cues = spread_cues(chunks, 0.0, 20.0)
    srt_blocks = [block.split("\n", 2)[2].strip() for block in srt_text(cues).strip().split("\n\n")]
    vtt_blocks = [block.split("\n", 1)[1].strip() for block in vtt_text(cues).strip().split("\n\n")[1:]]
    assert srt_blocks == vtt_blocks == [chunk.strip() for chunk in chunks]


def test_a_bad_caption_line_length_names_the_file_and_field(tmp_path: Path) -> None:
    from contentgen.domain.loaders import load_channels
    from contentgen.errors import DataError
    from contentgen.resources import shipped

    text = (shipped("channels") / "douyin.yaml").read_text(encoding="utf-8")
    assert "caption_max_chars: {zh-CN: 14" in text
    (tmp_path / "douyin.yaml").write_text(text.replace("{zh-CN: 14", "{zh-CN: 2"), encoding="utf-8")
    with pytest.raises(DataError, match=r"douyin\.yaml:\d+: video\.caption_max_chars\.zh-CN") as info:
        load_channels(tmp_path)
    assert "\n" not in str(info.value)
