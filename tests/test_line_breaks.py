"""Word-aware line breaking, measured: every poster layout × size × kit and every video scene of the demo.

Counts line breaks that fall inside a jieba word (with the kit's names and terms added): the goal is 0.
Prints the share of balanced multi-line headlines and sub-heads (shortest line at least half the longest).
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from contentgen.domain.brief import Brief, Promotion
from contentgen.domain.layout import load_layouts, poster_layouts
from contentgen.domain.loaders import kit_segments, load_brand_kit, load_channels
from contentgen.pipelines.poster import PosterPipeline, PosterRequest, PosterResult
from contentgen.render.typography import break_lines, use_words
from contentgen.render.words import NO_WORDS, Segmenter, kit_words
from contentgen.video.captions import split_captions

BALANCED = ("headline", "subhead")


def breaks_inside_words(lines: list[str], words: Segmenter) -> list[str]:
    """Each line break of ``lines`` that splits a word, as 'left|right'."""
    joined, bad, pos = "".join(lines), [], 0
    inside = words.inside(joined)
    for a, b in itertools.pairwise(lines):
        pos += len(a)
        if pos in inside:
            bad.append(f"{a}|{b}")
    return bad


def tally(results: list[PosterResult], words: Segmenter, counts: dict[str, int], bad: list[str]) -> None:
    for result in results:
        for element in result.elements:
            if element.text is None or len(element.lines) < 2:
                continue
            counts["breaks"] += len(element.lines) - 1
            found = breaks_inside_words(element.lines, words)
            bad += [f"{result.brand} {result.name} {element.element}: {b}" for b in found]
            if element.element.split(".")[0] in BALANCED:
                counts["multi"] += 1
                widths = [len(line.strip()) for line in element.lines]
                counts["balanced"] += min(widths) >= 0.5 * max(widths)


def test_break_lines_keeps_words_and_product_names() -> None:
    kit = load_brand_kit("qinghe")
    words = kit_words(kit, [])
    units = len
    text = "想获得情绪价值？日常的小事也值得认真对待"
    lines = break_lines(text, 6, units, words)
    assert not breaks_inside_words(list(lines), words)
    assert lines[0] == "想获得情绪价值？"[: len(lines[0])]
    # a character-level setting does split words; the word-aware one never does
    assert breaks_inside_words(list(break_lines(text, 6, units, NO_WORDS)), words)
    # a word longer than the line is cut by character, and reported
    long = break_lines("积雪草提取物", 2, units, words)
    assert long.broke_word
    assert not break_lines("积雪草提取物", 3, units, words).broke_word


def test_punctuation_is_a_preferred_break() -> None:
    words = kit_words(load_brand_kit("qinghe"), [])
    lines = break_lines("清爽不黏腻，喜欢就点链接看看吧", 10, len, words)
    assert lines[0].endswith("，")


def test_captions_split_at_words() -> None:
    kit = load_brand_kit("qinghe")
    words = kit_words(kit, [])
    narration = "日常的小事也值得认真对待，喜欢就点链接看看吧，温和保湿的积雪草提取物让肌肤更舒服"
    chunks = split_captions(narration, "zh-CN", 8)
    assert all(len(c) <= 8 for c in chunks)
    assert not breaks_inside_words(chunks, words)
    assert "".join(chunks).replace("，", "") == narration.replace("，", "")


@pytest.mark.slow
def test_no_line_break_inside_a_word_anywhere(capsys: pytest.CaptureFixture[str]) -> None:
    from contentgen.pipelines.video import VideoPipeline, write_storyboard
    from contentgen.video import caption_max_chars, frame_size

    channels = load_channels()
    sizes = {(s.width, s.height): (c, s) for c in channels.values() for s in c.poster_sizes}
    counts = {"breaks": 0, "multi": 0, "balanced": 0}
    bad: list[str] = []
    for kit_id in ("qinghe", "morrow"):
        kit = load_brand_kit(kit_id)
        pipeline = PosterPipeline(kit, ocr=False)
        words = pipeline.words
        product = next(p for p in pipeline.catalog if p.list_price is not None)
        brief = Brief(
            occasion=None,
            promotion=Promotion(
                name="Spring" if kit_id == "morrow" else "春季焕新", start=date(2026, 3, 1), end=date(2026, 3, 9)
            ),
        )
        segment = kit_segments(kit)[0]
        requests = [
            PosterRequest(segment, channel, size, layout, product, brief=brief, seed=3)
            for (channel, size) in sizes.values()
            for layout in poster_layouts().values()
        ]
        tally(pipeline.run(requests), words, counts, bad)
        # the demo's videos: every scene's picture and its captions, without encoding
        maker = VideoPipeline(kit)
        maker.posters = pipeline
        assert load_layouts()
        for channel in (c for c in channels.values() if c.video is not None):
            demo_product = next(p for p in pipeline.catalog if p.in_stock)
            aspect = "9:16" if "9:16" in channel.video.aspects else channel.video.aspects[0]  # type: ignore[union-attr]
            storyboard, _ = write_storyboard(
                kit, segment, channel, demo_product, aspect=aspect, copy_pipeline=pipeline.copy_pipeline
            )
            size = frame_size(storyboard.aspect, 540)
            tally(maker.scene_posters(storyboard, segment, channel, demo_product, size), words, counts, bad)
            from contentgen.video import CaptionStyle

            max_chars = caption_max_chars(CaptionStyle.from_kit(kit, safe_zone=channel.safe_zone), size, kit.locale)
            for scene in storyboard.scenes:
                with use_words(words):  # as VideoPipeline.run sets it
                    chunks = split_captions(scene.narration, kit.locale, max_chars)
                counts["breaks"] += len(chunks) - 1
                bad += [f"{kit_id} caption: {b}" for b in breaks_inside_words(chunks, words)]
    ratio = counts["balanced"] / max(1, counts["multi"])
    with capsys.disabled():
        print(
            f"\nline breaks: {counts['breaks']}, inside a word: {len(bad)}; "
            f"balanced headlines/sub-heads: {counts['balanced']}/{counts['multi']} ({ratio:.0%})"
        )
    assert counts["breaks"] > 0
    assert not bad, bad[:20]


def test_emoji_left_out_of_posters_with_a_finding() -> None:
    from contentgen.pipelines.poster import PosterCopy

    kit = load_brand_kit("qinghe")
    pipeline = PosterPipeline(kit, ocr=False)
    channel = load_channels()["douyin"]
    request = PosterRequest(
        kit_segments(kit)[0],
        channel,
        channel.poster_sizes[0],
        poster_layouts()["hero-product"],
        pipeline.catalog.products[0],
        copy=PosterCopy(headline="新品上市🎉", subhead="温和洁面 ✨", cta="了解详情"),
    )
    (result,) = pipeline.run([request])
    assert result.element("headline").text == "新品上市"
    assert {f.field for f in result.findings if f.rule == "poster.emoji"} == {"headline", "subhead"}
    assert not [f for f in result.findings if f.rule == "poster.glyph"]
