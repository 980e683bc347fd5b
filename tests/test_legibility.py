"""WCAG contrast on colours and on rendered pixels, and the fixes (text colour, scrim) re-measured."""

from __future__ import annotations

import importlib.resources
from functools import cache

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from contentgen.domain.common import hex_to_rgb
from contentgen.render.legibility import (
    analyse_contrast,
    apply_scrim,
    choose_text_colour,
    contrast_ratio,
    ground_contrast,
    large_text_min_px,
    measure_contrast,
    relative_luminance,
    required_ratio,
    scrim_for,
    worst_case_contrast,
)

FONT = importlib.resources.files("weblate_fonts") / "static/weblate_fonts/kurinto/ttf/KurintoSansSC-Bd.ttf"
Box = tuple[int, int, int, int]


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), size)


def draw_text(image: Image.Image, text: str, colour: str, size: int, at: tuple[int, int] = (40, 40)) -> Image.Image:
    """Render `text` into `image` (in place) through a coverage mask; return the mask (image-sized, 'L')."""
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).text(at, text, font=font(size), fill=255)
    image.paste(hex_to_rgb(colour), (0, 0, *image.size), mask)
    return mask


def text_box(mask: Image.Image, pad: int = 12) -> Box:
    left, top, right, bottom = mask.getbbox() or (0, 0, *mask.size)
    return left - pad, top - pad, right + pad, bottom + pad


def gradient(size: tuple[int, int], left: str, right: str) -> Image.Image:
    """A horizontal linear gradient (in sRGB values) from `left` to `right`."""
    width, height = size
    t = np.linspace(0.0, 1.0, width)[np.newaxis, :, np.newaxis]
    a, b = np.array(hex_to_rgb(left), float), np.array(hex_to_rgb(right), float)
    row = np.rint(a + (b - a) * t).astype(np.uint8)
    return Image.fromarray(np.repeat(row, height, axis=0))


def noisy(size: tuple[int, int], colour: str, spread: int, seed: int = 7) -> Image.Image:
    """A flat colour with uniform per-pixel noise: a stand-in for a photo texture."""
    rng = np.random.default_rng(seed)
    base = np.array(hex_to_rgb(colour), dtype=np.int16)
    noise = rng.integers(-spread, spread + 1, size=(size[1], size[0], 1), dtype=np.int16)
    return Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8))


# --- WCAG formulas -------------------------------------------------------------------------------------


def test_relative_luminance_endpoints_and_channels() -> None:
    assert relative_luminance("#000000") == 0.0
    assert relative_luminance("#FFFFFF") == pytest.approx(1.0)
    assert relative_luminance("#FF0000") == pytest.approx(0.2126)
    assert relative_luminance("#00FF00") == pytest.approx(0.7152)
    assert relative_luminance("#0000FF") == pytest.approx(0.0722)
    assert relative_luminance((255, 255, 255)) == relative_luminance("#ffffff")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("#000000", "#FFFFFF", 21.0),
        ("#FFFFFF", "#FFFFFF", 1.0),
        ("#777777", "#FFFFFF", 4.48),  # the classic "just fails AA" grey
        ("#767676", "#FFFFFF", 4.54),  # the lightest grey that passes AA on white
        ("#595959", "#FFFFFF", 7.0),  # AAA
        ("#FF0000", "#FFFFFF", 4.0),
        ("#0000FF", "#FFFFFF", 8.59),
        ("#FF0000", "#000000", 5.25),
    ],
)
def test_contrast_ratio_known_values(a: str, b: str, expected: float) -> None:
    assert contrast_ratio(a, b) == pytest.approx(expected, abs=0.01)
    assert contrast_ratio(b, a) == contrast_ratio(a, b)


def test_short_hex_is_rejected() -> None:
    with pytest.raises(ValueError, match="#RRGGBB"):
        contrast_ratio("#fff", "#000000")


@pytest.mark.parametrize(
    ("size", "bold", "canvas", "expected"),
    [
        (24, False, None, 3.0),
        (23.9, False, None, 4.5),
        (18.66, True, None, 3.0),
        (18.5, True, None, 4.5),
        (18.66, False, None, 4.5),
        # 1080 px short side seen at 360 CSS px: 1 CSS px = 3 poster px.
        (72, False, 1080, 3.0),
        (71, False, 1080, 4.5),
        (56, True, 1080, 3.0),
        (55, True, 1080, 4.5),
        (40, False, 1080, 4.5),
    ],
)
def test_required_ratio(size: float, bold: bool, canvas: int | None, expected: float) -> None:
    assert required_ratio(size, bold, canvas) == expected


def test_required_ratio_aaa_and_helpers() -> None:
    assert required_ratio(72, False, 1080, level="AAA") == 4.5
    assert required_ratio(40, False, 1080, level="AAA") == 7.0
    assert large_text_min_px(False, 1080) == pytest.approx(72.0)
    assert large_text_min_px(True, 1080) == pytest.approx(55.98)
    with pytest.raises(ValueError):
        required_ratio(0, False, 1080)


# --- measured on pixels ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "background"),
    [("#777777", "#FFFFFF"), ("#FFFFFF", "#1F6F5C"), ("#1F2A24", "#F4EFE6"), ("#C8A165", "#FFFFFF")],
)
def test_measure_contrast_on_flat_colour_matches_theory(text: str, background: str) -> None:
    image = Image.new("RGB", (640, 140), background)
    mask = draw_text(image, "Good leaves 夏日焕新", text, 48)
    measured = measure_contrast(image, text_box(mask), mask)
    assert measured == pytest.approx(contrast_ratio(text, background), rel=0.10)


def test_measure_contrast_accepts_box_sized_and_array_masks() -> None:
    image = Image.new("RGB", (640, 140), "#FFFFFF")
    mask = draw_text(image, "到手价￥129", "#777777", 48)
    box = text_box(mask)
    whole = measure_contrast(image, box, mask)
    assert measure_contrast(image, box, mask.crop(box)) == pytest.approx(whole)
    assert measure_contrast(image, box, np.asarray(mask) >= 128) == pytest.approx(whole)
    report = analyse_contrast(image, box, mask)
    assert report.text_rgb == (0x77, 0x77, 0x77)
    assert report.background_luminance == pytest.approx(1.0)
    with pytest.raises(ValueError, match="mask"):
        measure_contrast(image, box, Image.new("L", (10, 10), 0))


def test_measure_contrast_over_a_gradient_reports_the_worst_area() -> None:
    # White text over a dark-to-light gradient: fine on the left, unreadable on the right.
    image = gradient((720, 140), "#202020", "#E0E0E0")
    mask = draw_text(image, "Good leaves for slow", "#FFFFFF", 56, at=(20, 40))
    box = text_box(mask, pad=10)
    measured = measure_contrast(image, box, mask)

    row = np.asarray(image.crop(box))[0]
    width = row.shape[0]

    def against(x: int) -> float:
        return contrast_ratio("#FFFFFF", tuple(int(v) for v in row[x]))

    assert against(width // 2) > 4.5  # the background in the middle (and on average) would pass AA…
    assert measured < 3.0  # …but the light end fails even the large-text minimum, and that is reported:
    assert measured == pytest.approx(against(int(width * 0.9)), rel=0.05)  # the worst tenth of the box
    assert measured >= against(width - 1)  # not an outlier: never below the single worst pixel
    # The reported percentile: the worst tenth of the background, not an outlier pixel.
    assert measure_contrast(image, box, mask, percentile=50) > measured


def test_measure_contrast_ignores_a_few_outlier_pixels() -> None:
    image = Image.new("RGB", (640, 140), "#1F6F5C")
    mask = draw_text(image, "Good leaves", "#FFFFFF", 48)
    box = text_box(mask)
    clean = measure_contrast(image, box, mask)
    rng = np.random.default_rng(1)
    arr = np.asarray(image).copy()
    outside = np.argwhere(np.asarray(mask) == 0)
    for y, x in outside[rng.choice(len(outside), 200, replace=False)]:
        arr[y, x] = (250, 250, 250)  # specks as light as the text
    assert measure_contrast(Image.fromarray(arr), box, mask) == pytest.approx(clean, rel=0.02)


def test_measure_contrast_rejects_empty_masks_and_boxes() -> None:
    image = Image.new("RGB", (200, 100), "#FFFFFF")
    with pytest.raises(ValueError, match="covers no pixels"):
        measure_contrast(image, (0, 0, 200, 100), Image.new("L", (200, 100), 0))
    with pytest.raises(ValueError, match="empty"):
        measure_contrast(image, (300, 0, 400, 100), Image.new("L", (200, 100), 255))


# --- fixes ---------------------------------------------------------------------------------------------------


def test_choose_text_colour_makes_a_failing_case_pass() -> None:
    background = noisy((720, 160), "#6B5A48", 25)
    box = (20, 20, 700, 140)
    minimum = required_ratio(48, True, 1080)
    assert minimum == 4.5

    failing = background.copy()
    mask = draw_text(failing, "夏日焕新保湿面霜", "#C8A165", 48, at=(40, 50))
    assert measure_contrast(failing, box, mask) < minimum

    candidates = ["#C8A165", "#2B2B2B", "#FFFFFF"]
    chosen = choose_text_colour(background.crop(box), candidates, minimum)
    assert chosen == "#FFFFFF"
    fixed = background.copy()
    mask = draw_text(fixed, "夏日焕新保湿面霜", chosen, 48, at=(40, 50))
    assert measure_contrast(fixed, box, mask) >= minimum


def test_choose_text_colour_returns_none_when_nothing_passes() -> None:
    grey = np.full((50, 50, 3), 0x77, np.uint8)
    assert choose_text_colour(grey, ["#FFFFFF", "#999999"], 4.5) is None  # white on #777 is 4.48
    assert choose_text_colour(grey, ["#FFFFFF", "#000000"], 4.5) == "#000000"
    # ties go to the earlier (preferred) candidate
    assert choose_text_colour(np.zeros((4, 4, 3), np.uint8), ["#FFFFFF", "#FFFFFF"], 3.0) == "#FFFFFF"


@pytest.mark.parametrize(
    ("text_colour", "background", "scrim_colour"),
    [
        ("#FFFFFF", "gradient", "#000000"),  # white text over a light-ending gradient needs a dark panel
        ("#1F2A24", "dark", "#FFFFFF"),  # dark text over a dark photo needs a light panel
    ],
)
def test_scrim_for_makes_a_failing_case_pass_when_remeasured(
    text_colour: str, background: str, scrim_colour: str
) -> None:
    size = (720, 160)
    base = gradient(size, "#8A7F70", "#F0EBE0") if background == "gradient" else noisy(size, "#3A3530", 30)
    box = (20, 20, 700, 140)
    minimum = 4.5
    text = "到手价￥129限时包邮"

    failing = base.copy()
    mask = draw_text(failing, text, text_colour, 44, at=(40, 55))
    assert measure_contrast(failing, box, mask) < minimum

    found = scrim_for(base.crop(box), text_colour, minimum)
    assert found is not None
    colour, opacity = found
    assert colour == scrim_colour
    assert 0.0 < opacity < 1.0

    def render(alpha: float) -> float:
        image = apply_scrim(base, box, colour, alpha, radius=16)
        mask = draw_text(image, text, text_colour, 44, at=(40, 55))
        return measure_contrast(image, box, mask)

    assert render(opacity) >= minimum  # passes on the rendered pixels
    assert render(round(opacity - 0.05, 2)) < minimum  # and it is the least step that does


def test_scrim_for_edge_cases() -> None:
    white = np.full((10, 10, 3), 255, np.uint8)
    assert scrim_for(white, "#000000", 4.5) == ("#000000", 0.0)  # already passes: no panel
    # 4.5:1 is always reachable with a black or white panel; 7:1 is not for mid grey (5.3 on black)
    assert scrim_for(white, "#808080", 4.5) == ("#000000", 0.95)
    assert scrim_for(white, "#808080", 7.0) is None
    assert scrim_for(white, "#808080", 4.5, max_opacity=0.9) is None
    assert worst_case_contrast(white, "#000000") == pytest.approx(21.0)


def test_apply_scrim_returns_a_new_image_with_rounded_translucent_panel() -> None:
    image = Image.new("RGB", (200, 100), "#FFFFFF")
    out = apply_scrim(image, (20, 20, 180, 80), "#000000", 0.5, radius=12)
    assert image.getpixel((100, 50)) == (255, 255, 255)  # input untouched
    assert out.mode == "RGB"
    assert out.getpixel((100, 50)) == (127, 127, 127)  # 50 % black over white
    assert out.getpixel((10, 10)) == (255, 255, 255)  # outside the box
    assert out.getpixel((20, 20)) == (255, 255, 255)  # a rounded-off corner
    corner = out.getpixel((23, 23))
    assert isinstance(corner, tuple)
    assert 127 < corner[0] < 255  # anti-aliased edge of the corner
    rgba = apply_scrim(image.convert("RGBA"), (20, 20, 180, 80), "#FFFFFF", 1.0)
    assert rgba.mode == "RGBA"
    with pytest.raises(ValueError, match="opacity"):
        apply_scrim(image, (0, 0, 10, 10), "#000000", 1.5)


def test_ground_contrast_judges_the_paint_against_the_measured_ground() -> None:
    flat = Image.new("RGB", (200, 60), "#FFFFFF")
    mask = draw_text(flat, "thin text", "#767676", 12)
    exact = contrast_ratio("#767676", "#FFFFFF")
    assert ground_contrast(flat, (0, 0, 200, 60), mask, "#767676") == pytest.approx(exact)
    # half the ground darkened: the low percentile sees the dark half, whatever the glyphs' anti-aliasing
    split = Image.new("RGB", (200, 60), "#FFFFFF")
    split.paste((150, 150, 150), (0, 0, 100, 60))
    mask = draw_text(split, "thin text", "#767676", 12)
    assert ground_contrast(split, (0, 0, 200, 60), mask, "#767676") < 2.0


def test_sorted_percentile_median_and_luminance_are_numpys_bit_for_bit() -> None:
    """The contrast checks take percentiles and medians by a sort and luminance by ``np.take`` (faster); every
    value must be exactly numpy's own, or a poster's colour choice could flip on a tie."""
    from contentgen.render.legibility import _CHANNEL_LUT, _luminance_of, _median, _percentile, _ratios

    rng = np.random.default_rng(11)
    for trial in range(600):
        n = int(rng.integers(1, 2500))
        values = (rng.random(n), rng.integers(0, 4, n) * 0.37, np.exp(rng.normal(size=n)))[trial % 3]
        for q in (0, 10, 10.0, 33.3, 50, 90, 100):
            assert _percentile(values, q) == float(np.percentile(values, q)), (n, q)
        assert _median(values) == float(np.median(values)), n
        levels = rng.integers(0, 256, n).astype(np.uint8)
        assert _median(levels) == float(np.median(levels)), n
    pixels = rng.integers(0, 256, (4000, 3), dtype=np.uint8)
    want = _CHANNEL_LUT[0][pixels[:, 0]] + _CHANNEL_LUT[1][pixels[:, 1]] + _CHANNEL_LUT[2][pixels[:, 2]]
    assert np.array_equal(_luminance_of(pixels), want)
    assert np.array_equal(_luminance_of(pixels.reshape(40, 100, 3)), want.reshape(40, 100))
    for text in (0.0, 0.05, 0.3, 1.0):
        ground = want[:500]
        assert np.array_equal(
            _ratios(text, ground), (np.maximum(ground, text) + 0.05) / (np.minimum(ground, text) + 0.05)
        )
    with pytest.raises(ValueError):
        _percentile(np.array([]), 10)


def test_one_sorted_ground_gives_each_candidate_colours_percentile_bit_for_bit() -> None:
    """``choose_text_colour`` sorts the ground once and finds each candidate's percentile by a binary search over
    the two monotonic runs of ratios: it must be exactly ``np.percentile`` of the per-pixel ratios, ties included."""
    from contentgen.render.legibility import _CHANNEL_LUT, _ratios, _sorted_percentile

    rng = np.random.default_rng(29)
    for trial in range(300):
        n = int(rng.integers(1, 3000))
        levels = rng.integers(0, 256, (n, 3)) if trial % 3 else rng.integers(120, 124, (n, 3))  # many equal values
        ground = _CHANNEL_LUT[0][levels[:, 0]] + _CHANNEL_LUT[1][levels[:, 1]] + _CHANNEL_LUT[2][levels[:, 2]]
        ordered = np.sort(ground)
        for text in (0.0, float(ground[0]), float(ordered[n // 2]), float(ordered[-1]), 0.18, 1.0):
            for q in (0, 5, 10, 50, 99.5, 100):
                want = float(np.percentile(_ratios(text, ground), q))
                assert _sorted_percentile(ordered, text, q) == want, (trial, text, q)
    with pytest.raises(ValueError):
        _sorted_percentile(np.array([]), 0.5, 10)


def test_text_colour_choice_is_the_candidate_with_the_best_low_percentile() -> None:
    """On a ground half mid-grey and half near-white, the choice is the candidate whose 10th-percentile contrast
    (numpy's own, over every pixel) is best, and None when no candidate reaches the minimum."""
    ground = np.concatenate([np.full((700, 3), 128, np.uint8), np.full((300, 3), 235, np.uint8)])
    candidates = ["#2B2B2B", "#FAFAFA", "#0A3D62", "#E1B12C"]
    scores = [float(np.percentile(_per_pixel_ratios(ground, c), 10)) for c in candidates]
    best = candidates[int(np.argmax(scores))]
    assert choose_text_colour(ground, candidates, max(scores) - 0.01) == best
    assert choose_text_colour(ground, candidates, max(scores) + 0.01) is None


def _per_pixel_ratios(pixels: np.ndarray, colour: str) -> np.ndarray:
    from contentgen.render.legibility import _luminance_of

    text = relative_luminance(colour)
    ground = _luminance_of(pixels)
    return (np.maximum(ground, text) + 0.05) / (np.minimum(ground, text) + 0.05)
