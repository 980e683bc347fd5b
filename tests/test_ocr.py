"""OCR read-back: the character error rate, and real RapidOCR reads of Pillow-rendered text (slow)."""

from __future__ import annotations

import importlib.resources
import sys
import threading
from functools import cache

import pytest
from PIL import Image, ImageDraw, ImageFont

from contentgen.errors import ProviderError
from contentgen.render.ocr import (
    OcrLine,
    OcrReader,
    char_error_rate,
    edit_distance,
    join_lines,
    normalise_text,
)

FONT = importlib.resources.files("weblate_fonts") / "static/weblate_fonts/kurinto/ttf/KurintoSansSC-Bd.ttf"
Box = tuple[int, int, int, int]


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), size)


def render(
    text: str, size: int, colour: str = "#1F2A24", background: str = "#F4EFE6", spacing: int = 8
) -> tuple[Image.Image, Box]:
    """`text` drawn on a canvas with room around it, and the box of its ink."""
    image = Image.new("RGB", (1080, 400), background)
    draw = ImageDraw.Draw(image)
    draw.multiline_text((60, 60), text, font=font(size), fill=colour, spacing=spacing)
    left, top, right, bottom = draw.multiline_textbbox((60, 60), text, font=font(size), spacing=spacing)
    return image, (int(left), int(top), int(right), int(bottom))


# --- character error rate ---------------------------------------------------------------------------------


def test_char_error_rate_identical_is_zero() -> None:
    assert char_error_rate("夏日焕新保湿面霜", "夏日焕新保湿面霜") == 0.0
    assert char_error_rate("Good leaves for slow mornings.", "Good leaves for slow mornings.") == 0.0


def test_char_error_rate_ignores_width_case_and_whitespace() -> None:
    assert char_error_rate("到手价￥129限时包邮", "到手价¥１２９限时包邮") == 0.0  # full-width vs half-width
    assert char_error_rate("ＡＢＣ１２３", "abc123") == 0.0
    assert char_error_rate("Good leaves for slow mornings.", "goodleaves forslow MORNINGS.") == 0.0
    assert char_error_rate("限时，包邮。", "限时,包邮.") == 0.0  # CJK punctuation unified with ASCII
    assert char_error_rate("“好物”——推荐", '"好物"--推荐') == 0.0


def test_char_error_rate_counts_punctuation() -> None:
    assert char_error_rate("包邮！", "包邮") == pytest.approx(1 / 3)


def test_char_error_rate_one_substitution_in_ten() -> None:
    assert char_error_rate("0123456789", "0123456780") == pytest.approx(0.1)
    assert char_error_rate("夏日焕新保湿面霜限时", "夏日焕新保温面霜限时") == pytest.approx(0.1)


def test_char_error_rate_edges() -> None:
    assert char_error_rate("", "") == 0.0
    assert char_error_rate("", "x") == 1.0
    assert char_error_rate("ab", "") == 1.0
    assert char_error_rate("ab", "abcdef") == 2.0  # insertions can push it past 1


def test_edit_distance() -> None:
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3
    assert edit_distance("flaw", "lawn") == 2
    assert edit_distance("夏日", "夏日") == 0


def test_normalise_text() -> None:
    assert normalise_text(" Ｇood\tLeaves…\n") == "goodleaves..."


def test_join_lines_orders_top_to_bottom_then_left_to_right() -> None:
    segments = [
        OcrLine("包邮", 0.9, (200, 52, 300, 88)),
        OcrLine("夏日", 0.9, (10, 0, 100, 40)),
        OcrLine("到手价", 0.9, (10, 50, 190, 90)),
        OcrLine("焕新", 0.9, (110, 4, 200, 38)),
    ]
    assert join_lines(segments) == "夏日 焕新\n到手价 包邮"
    assert join_lines([]) == ""


def test_missing_rapidocr_is_one_line_provider_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # makes the import fail
    with pytest.raises(ProviderError) as info:
        OcrReader().read(Image.new("RGB", (64, 32), "white"))
    assert "rapidocr-onnxruntime" in str(info.value)
    assert "\n" not in str(info.value)


# --- real reads (PP-OCRv4 models shipped in the rapidocr wheel) ---------------------------------------------


@pytest.fixture(scope="module")
def reader() -> OcrReader:
    ocr = OcrReader()
    ocr.load()
    return ocr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "size", "colour", "background"),
    [
        ("夏日焕新保湿面霜", 72, "#1F2A24", "#F4EFE6"),
        ("到手价￥129限时包邮", 48, "#FFFFFF", "#B3262E"),
        ("到手价￥129限时包邮", 18, "#1F2A24", "#FFFFFF"),  # small: upscaled before reading
        ("Good leaves for slow mornings.", 40, "#1F2A24", "#F4EFE6"),
        ("Good leaves for slow mornings.", 16, "#FFFFFF", "#1F6F5C"),
    ],
)
def test_reads_back_rendered_text(reader: OcrReader, text: str, size: int, colour: str, background: str) -> None:
    image, box = render(text, size, colour, background)
    got = reader.read(image, box)
    assert char_error_rate(text, got) <= 0.05, got


@pytest.mark.slow
def test_reads_multiline_boxes_in_order(reader: OcrReader) -> None:
    text = "夏日焕新保湿面霜\n到手价￥129限时包邮"
    for spacing in (0, 12):  # set solid (lines touching) and with leading
        image, box = render(text, 40, spacing=spacing)
        got = reader.read(image, box)
        assert got.count("\n") == 1, got
        assert char_error_rate(text, got) <= 0.05, got


@pytest.mark.slow
def test_read_many_and_whole_image(reader: OcrReader) -> None:
    image = Image.new("RGB", (720, 260), "#FFFFFF")
    draw = ImageDraw.Draw(image)
    texts = ["夏日焕新保湿面霜", "Good leaves for slow mornings."]
    boxes: list[Box] = []
    for i, text in enumerate(texts):
        at = (40, 40 + i * 110)
        draw.text(at, text, font=font(44), fill="#000000")
        left, top, right, bottom = draw.textbbox(at, text, font=font(44))
        boxes.append((int(left), int(top), int(right), int(bottom)))
    reads = reader.read_many(image, boxes)
    assert [char_error_rate(t, g) for t, g in zip(texts, reads, strict=True)] == [0.0, 0.0], reads
    lines = reader.read_lines(image)
    assert [line.text for line in lines] == reads
    assert lines[0].box[1] == pytest.approx(boxes[0][1], abs=12)  # boxes come back in image coordinates


@pytest.mark.slow
def test_clipped_text_reads_with_a_high_error_rate(reader: OcrReader) -> None:
    text = "夏日焕新保湿面霜"
    image, (left, top, right, bottom) = render(text, 48)
    top_half = (left, top, right, top + (bottom - top) // 2)  # a box that cuts the glyphs in half
    assert char_error_rate(text, reader.read(image, top_half)) >= 0.5
    left_half = (left, top, left + (right - left) // 2, bottom)  # half the line overflowed its box
    assert char_error_rate(text, reader.read(image, left_half)) >= 0.4


@pytest.mark.slow
def test_blank_box_reads_empty(reader: OcrReader) -> None:
    image = Image.new("RGB", (400, 100), "#F4EFE6")
    assert reader.read(image, (10, 10, 390, 90)) == ""
    with pytest.raises(ValueError, match="empty"):
        reader.read(image, (500, 0, 600, 50))


@pytest.mark.slow
def test_reader_is_shareable_between_threads() -> None:
    ocr = OcrReader()  # not loaded yet: both threads race to load it
    image, box = render("到手价￥129限时包邮", 40)
    results: list[str] = []

    def work() -> None:
        results.append(ocr.read(image, box))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2
    assert all(char_error_rate("到手价￥129限时包邮", got) == 0.0 for got in results), results
