"""Poster typography: CJK/Latin line breaking, font fallback, fitting text to a box, baseline-true drawing.

Line breaking is checked with a synthetic measure (a wide character is 2 units, anything else 1) so
every expectation can be worked out by hand, then again with the real fonts. Fonts are the ones
weblate-fonts ships: Source Sans 3 (Latin only) as the brand font, Kurinto Sans SC (CJK) as fallback.
"""

from __future__ import annotations

import itertools
import unicodedata
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from contentgen.errors import ContentgenError
from contentgen.render.typography import (
    FontStack,
    GlyphError,
    TextBlock,
    TextFitError,
    break_lines,
    draw_text,
    fit_text,
    measure,
)
from contentgen.render.words import NO_WORDS

FONTS = Path(str(files("weblate_fonts"))) / "static" / "weblate_fonts"
KURINTO = FONTS / "kurinto" / "ttf" / "KurintoSansSC-Rg.ttf"
SOURCE = FONTS / "source-sans" / "ttf" / "SourceSans3-Regular.ttf"
SOURCE_BOLD = FONTS / "source-sans" / "ttf" / "SourceSans3-Bold.ttf"

LATIN_FIRST = FontStack((SOURCE, KURINTO))
CJK_ONLY = FontStack((KURINTO,))
LATIN_ONLY = FontStack((SOURCE,))

# The brief's sets: what may never start a line, and what may never end one.
CLOSING = set("。，、；：！？）」』】〉》”’)…")
OPENING = set("（「『【〈《“‘(")


def units(text: str) -> float:
    """Synthetic measure: full-width and wide characters 2, everything else 1."""
    return float(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text))


def assert_kinsoku(lines: list[str]) -> None:
    for line in lines:
        if line:
            assert line[0] not in CLOSING, f"line starts with closing punctuation: {lines}"
            assert line[-1] not in OPENING, f"line ends with opening punctuation: {lines}"
            assert line == line.strip(), f"line has leading or trailing space: {lines}"


# ----------------------------------------------------------------------------------------------
# break_lines

# (text, tokens that must each stay on one line)
CASES = [
    ("到手价¥129限时包邮", ["¥129"]),
    ("含5%烟酰胺，50ml大容量", ["5%", "50ml"]),
    ("SPF50+ PA++++ 清爽不黏腻", ["SPF50+", "PA++++"]),
    ("Good leaves for slow mornings.", ["Good", "leaves", "for", "slow", "mornings."]),
    ("「新品」上市。", []),
    ("保质期12个月，开封后请在6个月内用完。", ["12个月，", "6个月"]),
    ("Net wt 3.5 oz (100 g), 30% off — now $ 12.", ["3.5 oz", "(100 g),", "30%", "$ 12."]),
    ("第3期「青禾」会员日：满299减50，仅限3天！", ["第3期", "299", "50，", "3天！"]),
    ("等等——这是……真的吗？“好物”推荐《青禾》", ["——", "……"]),
]


@pytest.mark.parametrize(("text", "tokens"), CASES, ids=[c[0][:12] for c in CASES])
@pytest.mark.parametrize("width", [6, 8, 10, 13, 17, 24])
def test_break_lines_rules(text: str, tokens: list[str], width: int) -> None:
    lines = break_lines(text, width, units)
    assert_kinsoku(lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost, nothing added
    for token in filter(None, tokens):
        if units(token) <= width:
            assert any(token in line for line in lines), f"{token!r} was split: {lines}"
    if not lines.broke_word:
        assert all(units(line) <= width for line in lines), lines


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("Good leaves for slow mornings.", 12, ["Good leaves", "for slow", "mornings."]),
        ("「新品」上市。", 4, ["「新", "品」", "上", "市。"]),
        ("「新品」上市。", 8, ["「新品」", "上市。"]),
        # 。 may not start a line: 好 comes down with it (oidashi)
        ("你好。世界", 5, ["你", "好。", "世界"]),
        # 「 may not end a line: it goes down with 新, though "上市「" would fit
        ("上市「新品」", 6, ["上市", "「新", "品」"]),
        ("到手价¥129限时包邮", 10, ["到手价¥129", "限时包邮"]),
        ("到手价¥129限时包邮", 6, ["到手价", "¥129限", "时包邮"]),
        ("含5%烟酰胺，50ml大容量", 12, ["含5%烟酰胺，", "50ml大容量"]),
        ("SPF50+ PA++++ 清爽不黏腻", 6, ["SPF50+", "PA++++", "清爽不", "黏腻"]),
        ("保质期12个月", 7, ["保质期", "12个月"]),
        ("Only 3.5 oz", 7, ["Only", "3.5 oz"]),
        ("Tin of 3.4 fl oz", 11, ["Tin of", "3.4 fl oz"]),
        ("Price ¥ 129", 6, ["Price", "¥ 129"]),
        # after a hyphen or slash between words; never inside 24/7 or 3-5
        ("well-being", 6, ["well-", "being"]),
        ("sip and/or steep", 7, ["sip", "and/or", "steep"]),
        ("open 24/7 and 3-5", 4, ["open", "24/7", "and", "3-5"]),
        # ellipsis and dash pairs stay whole; 吗 comes down with ？
        ("真的……吗？", 4, ["真", "的……", "吗？"]),
    ],
)
def test_break_lines_expected(text: str, width: int, expected: list[str]) -> None:
    lines = break_lines(text, width, units, NO_WORDS)  # the kinsoku rules alone, at character level
    assert lines == expected
    assert not lines.broke_word


def test_hard_breaks_blank_lines_and_leading_spaces() -> None:
    assert break_lines("新品\n\n  上市 \n", 20, units) == ["新品", "", "上市"]
    assert break_lines("a\r\nb", 20, units) == ["a", "b"]
    # the space at a soft break is dropped from both lines
    assert break_lines("slow   mornings", 6, units) == ["slow", "mornin", "gs"]
    assert break_lines("", 10, units) == []


def test_word_wider_than_the_line_is_cut_and_reported() -> None:
    lines = break_lines("Tea Supercalifragilistic", 8, units)
    assert lines.broke_word
    assert lines == ["Tea", "Supercal", "ifragili", "stic"]
    assert all(units(line) <= 8 for line in lines)
    # even a last-resort cut avoids putting closing punctuation first
    lines = break_lines("abcdefgh。", 8, units)
    assert lines.broke_word and lines[-1][0] != "。"


def test_zero_width_space_is_an_invisible_opportunity() -> None:
    assert break_lines("Morrow\u200bTea", 7, units) == ["Morrow", "Tea"]
    assert break_lines("Morrow\u00a0Tea", 20, units) == ["Morrow\u00a0Tea"]


@pytest.mark.parametrize("text", [c[0] for c in CASES])
def test_break_lines_with_real_fonts(text: str) -> None:
    for width in (90, 140, 230):
        lines = break_lines(text, width, lambda s: measure(s, LATIN_FIRST, 24))
        assert_kinsoku(lines)
        if not lines.broke_word:
            assert all(measure(line, LATIN_FIRST, 24) <= width for line in lines)


# ----------------------------------------------------------------------------------------------
# Font stacks


def test_runs_split_by_the_first_font_that_has_each_character() -> None:
    assert LATIN_FIRST.runs("Morrow 青禾 Tea") == [("Morrow ", 0), ("青禾 ", 1), ("Tea", 0)]
    assert LATIN_FIRST.runs("到手价¥129，") == [("到手价", 1), ("¥129", 0), ("，", 1)]
    assert CJK_ONLY.runs("Morrow 青禾") == [("Morrow 青禾", 0)]
    # whitespace no font has is exempt (drawn as a space); invisible format characters are dropped
    assert LATIN_ONLY.runs("a\u3000b\ufe0fc") == [("a bc", 0)]


@pytest.mark.parametrize(
    ("stack", "text", "char"),
    [
        (LATIN_FIRST, "Morrow 𓀀 Tea", "\U00013000"),  # Egyptian hieroglyph A001
        (LATIN_ONLY, "Rare 𠀀 char", "\U00020000"),  # CJK Extension B
        (LATIN_ONLY, "Morrow 青禾 Tea", "青"),
    ],
)
def test_glyph_error_names_the_character_and_the_fonts(stack: FontStack, text: str, char: str) -> None:
    with pytest.raises(GlyphError) as caught:
        stack.runs(text)
    message = str(caught.value)
    assert isinstance(caught.value, ContentgenError)
    assert "\n" not in message
    assert f"U+{ord(char):04X}" in message and char in message
    assert all(path.name in message for path in stack.fonts)
    with pytest.raises(GlyphError):
        fit_text(text, stack, (800, 200), max_size=40, min_size=10)


def test_font_is_cached_per_file_and_size() -> None:
    assert LATIN_FIRST.font(30) is FontStack((SOURCE,)).font(30)
    assert LATIN_FIRST.font(30, 1) is not LATIN_FIRST.font(30)
    assert measure("Morrow 青禾", LATIN_FIRST, 30) == pytest.approx(
        LATIN_FIRST.font(30).getlength("Morrow ") + LATIN_FIRST.font(30, 1).getlength("青禾")
    )
    # measuring sums cached per-character advances: exact, as long as Pillow would not kern the pair
    for size in (13, 30, 77):
        sentence = "AVATAR To Wave, Good leaves for slow mornings."
        assert measure(sentence, LATIN_FIRST, size) == LATIN_FIRST.font(size).getlength(sentence)
        assert measure("到手价限时包邮，", LATIN_FIRST, size) == LATIN_FIRST.font(size, 1).getlength("到手价限时包邮，")


# ----------------------------------------------------------------------------------------------
# fit_text

FIT_TEXTS = [
    "Morrow 青禾 Tea",
    "到手价¥129限时包邮",
    "含5%烟酰胺，50ml大容量，温和修护，敏感肌可用。",
    "Good leaves for slow mornings. Picked by hand, rolled by people who care.",
    "「新品」上市。SPF50+ PA++++ 清爽不黏腻",
]
BOXES = [(900, 300), (420, 260), (260, 400), (180, 120)]


def fits(text: str, stack: FontStack, box: tuple[int, int], size: int) -> bool:
    try:
        fit_text(text, stack, box, max_size=size, min_size=size)
    except TextFitError:
        return False
    return True


@pytest.mark.parametrize("text", FIT_TEXTS)
@pytest.mark.parametrize("box", BOXES, ids=lambda b: f"{b[0]}x{b[1]}")
def test_fit_text_never_overflows_and_picks_the_largest_size(text: str, box: tuple[int, int]) -> None:
    block = fit_text(text, LATIN_FIRST, box, max_size=120, min_size=10, step=2)
    assert 10 <= block.size <= 120
    assert block.height == block.line_height * len(block.lines) <= box[1]
    assert all(measure(line, LATIN_FIRST, block.size) <= box[0] for line in block.lines)
    assert block.width <= box[0]
    assert "".join(block.lines).replace(" ", "") == text.replace(" ", "")
    assert_kinsoku(block.lines)
    if block.size < 120 and not block.broke_word:
        assert not fits(text, LATIN_FIRST, box, block.size + 2) or _broke(text, box, block.size + 2)


def _broke(text: str, box: tuple[int, int], size: int) -> bool:
    return fit_text(text, LATIN_FIRST, box, max_size=size, min_size=size).broke_word


def test_fit_text_wraps_before_shrinking() -> None:
    text = "Good leaves for slow mornings. 慢慢来，好叶子。"
    wrapped = fit_text(text, LATIN_FIRST, (600, 400), max_size=96, min_size=12)
    one_line = fit_text(text, LATIN_FIRST, (600, 400), max_size=96, min_size=12, max_lines=1)
    assert len(wrapped.lines) > 1 and len(one_line.lines) == 1
    assert wrapped.size > one_line.size * 2
    two = fit_text(text, LATIN_FIRST, (600, 400), max_size=96, min_size=12, max_lines=2)
    assert len(two.lines) <= 2 and one_line.size < two.size <= wrapped.size


def test_fit_text_uses_max_size_when_it_fits() -> None:
    block = fit_text("青禾", LATIN_FIRST, (900, 300), max_size=80, min_size=12)
    assert (block.size, block.lines, block.line_height) == (80, ["青禾"], 100)


def test_fit_text_prefers_a_size_that_keeps_words_whole() -> None:
    text = "Supercalifragilistic tea"
    block = fit_text(text, LATIN_FIRST, (300, 600), max_size=120, min_size=10)
    assert not block.broke_word
    assert any("Supercalifragilistic" in line for line in block.lines)
    # where only a cut word fits, it is used and reported
    cut = fit_text(text, LATIN_FIRST, (300, 600), max_size=120, min_size=100)
    assert cut.broke_word and all(measure(line, LATIN_FIRST, cut.size) <= 300 for line in cut.lines)


def test_fit_text_error_names_box_and_smallest_size() -> None:
    text = "含5%烟酰胺，50ml大容量，温和修护，敏感肌可用，到手价¥129限时包邮，买二送一。"
    with pytest.raises(TextFitError) as caught:
        fit_text(text, LATIN_FIRST, (200, 40), max_size=40, min_size=17, step=4)
    message = str(caught.value)
    assert "200×40" in message and "17 px" in message and "\n" not in message
    assert "含5%烟酰胺" in message and "买二送一" not in message  # shortened
    with pytest.raises(TextFitError, match="more than max_lines=1"):
        fit_text("Good leaves for slow mornings.", LATIN_FIRST, (300, 400), max_size=60, min_size=40, max_lines=1)


def test_fit_text_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="min_size"):
        fit_text("a", LATIN_FIRST, (100, 100), max_size=10, min_size=20)
    with pytest.raises(TextFitError, match="box is empty"):
        fit_text("a", LATIN_FIRST, (0, 100), max_size=10, min_size=8)


# ----------------------------------------------------------------------------------------------
# draw_text


def ink(image: Image.Image) -> np.ndarray:
    """Mask of pixels darker than the white background."""
    return np.asarray(image.convert("L")) < 160


def columns_bottom(mask: np.ndarray, x0: int, x1: int) -> int:
    rows = np.flatnonzero(mask[:, x0:x1].any(axis=1))
    return int(rows.max())


def test_latin_and_cjk_runs_share_one_baseline() -> None:
    size = 96
    block = fit_text("Morrow 青禾 Tea", LATIN_FIRST, (1000, 200), max_size=size, min_size=size)
    image = Image.new("RGB", (1040, 240), "white")
    (line_box,) = draw_text(image, block, LATIN_FIRST, (20, 20), "black")
    mask = ink(image)
    primary, fallback = LATIN_FIRST.font(size), LATIN_FIRST.font(size, 1)
    m_left = 20 + round(primary.getbbox("M", anchor="ls")[0])
    m_right = 20 + round(primary.getlength("M"))
    cjk_left = 20 + round(primary.getlength("Morrow "))
    cjk_right = cjk_left + round(fallback.getlength("青"))
    baseline = columns_bottom(mask, m_left + 2, m_right - 2) + 1  # 'M' has no descender: it stands on the baseline
    # 青 sits where Kurinto's design puts it relative to that same baseline (its ideographic em box dips a
    # little below the Latin baseline); aligning the run to its own top would move it by a whole ascent gap
    designed = fallback.getbbox("青", anchor="ls")[3]
    assert abs(columns_bottom(mask, cjk_left, cjk_right) + 1 - (baseline + designed)) <= 1
    # the 'T' of the Latin run after the CJK run stands on the same baseline as 'M'
    t_left = 20 + round(measure("Morrow 青禾 ", LATIN_FIRST, size))
    assert abs(columns_bottom(mask, t_left + 2, t_left + round(primary.getlength("T")) - 2) + 1 - baseline) <= 1
    assert line_box[1] <= np.flatnonzero(mask.any(axis=1)).min()
    assert line_box[3] >= np.flatnonzero(mask.any(axis=1)).max() + 1


def test_fallback_run_sits_on_the_primary_baseline_even_with_a_different_ascent(tmp_path: Path) -> None:
    """A primary font with a very tall ascent: the fallback must follow its baseline, not its own top."""
    from fontTools.ttLib import TTFont

    tall = tmp_path / "TallSans.ttf"
    font = TTFont(str(SOURCE))
    font["hhea"].ascent = font["OS/2"].sTypoAscender = font["OS/2"].usWinAscent = 1800
    font.save(str(tall))
    font.close()
    stack = FontStack((tall, KURINTO))
    size = 60
    assert stack.font(size).getmetrics()[0] > stack.font(size, 1).getmetrics()[0] + 30
    block = fit_text("HH青HH", stack, (600, 400), max_size=size, min_size=size, line_spacing=2.0)
    image = Image.new("RGB", (640, 440), "white")
    draw_text(image, block, stack, (20, 20), "black")
    mask = ink(image)
    h_width = round(stack.font(size).getlength("HH"))
    baseline = columns_bottom(mask, 22, 20 + h_width - 2) + 1
    cjk_left = 20 + h_width
    designed = stack.font(size, 1).getbbox("青", anchor="ls")[3]
    cjk_bottom = columns_bottom(mask, cjk_left, cjk_left + round(stack.font(size, 1).getlength("青"))) + 1
    assert abs(cjk_bottom - (baseline + designed)) <= 1


@pytest.mark.parametrize("align", ["left", "center", "right"])
@pytest.mark.parametrize("spacing", [1.0, 1.25, 1.6])
def test_drawn_lines_stay_inside_the_box(align: str, spacing: float) -> None:
    text = "jumpy Quay 青禾 gyp，「新品」上市。Good leaves for slow mornings."
    box, origin = (360, 300), (30, 40)
    block = fit_text(text, LATIN_FIRST, box, max_size=90, min_size=12, line_spacing=spacing)
    image = Image.new("RGB", (420, 400), "white")
    boxes = draw_text(image, block, LATIN_FIRST, origin, (20, 20, 20), align=align, box_width=box[0])
    assert len(boxes) == len(block.lines) > 1
    right, bottom = origin[0] + box[0], origin[1] + box[1]
    for x0, y0, x1, y1 in boxes:
        assert origin[0] <= x0 <= x1 <= right and origin[1] <= y0 <= y1 <= bottom
    mask = ink(image)
    ys, xs = np.nonzero(mask)
    assert xs.min() >= origin[0] and xs.max() < right and ys.min() >= origin[1] and ys.max() < bottom
    # every inked pixel lies in the box reported for some line
    covered = np.zeros_like(mask)
    for x0, y0, x1, y1 in boxes:
        covered[y0:y1, x0:x1] = True
    assert not (mask & ~covered).any()
    # lines come in order, top to bottom
    tops = [y0 for _, y0, _, _ in boxes]
    assert all(b > a for a, b in itertools.pairwise(tops))


def test_alignment_offsets() -> None:
    block = fit_text("青禾 Tea", LATIN_FIRST, (600, 100), max_size=40, min_size=40)
    got = {}
    for align in ("left", "center", "right"):
        image = Image.new("RGB", (700, 120), "white")
        (got[align],) = draw_text(image, block, LATIN_FIRST, (10, 10), "black", align=align, box_width=600)
    assert got["left"][0] >= 10
    assert got["right"][2] <= 610 and got["right"][2] >= 610 - 3
    assert abs((got["center"][0] + got["center"][2]) / 2 - 310) <= 3
    with pytest.raises(ValueError, match="align"):
        draw_text(Image.new("RGB", (10, 10)), block, LATIN_FIRST, (0, 0), "black", align="justify")


def test_text_block_is_plain_data() -> None:
    block = fit_text("青禾\n\nTea", LATIN_FIRST, (400, 400), max_size=40, min_size=40)
    assert isinstance(block, TextBlock) and type(block.lines) is list
    assert block.lines == ["青禾", "", "Tea"]
    boxes = draw_text(Image.new("RGB", (500, 500), "white"), block, LATIN_FIRST, (0, 0), "black")
    assert boxes[1][0] == boxes[1][2] and boxes[1][1] == boxes[1][3]  # the blank line draws nothing
