"""YUV planes: colour conversion, the two resamplers, compositing, blending and fading."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from contentgen.video.planes import (
    MovingSource,
    Sprite,
    blend,
    colour_yuv,
    fade,
    fast_resampler,
    frame_to_rgb,
    rgb_to_frame,
    solid_frame,
)


def _picture(size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A smooth gradient with a few sharp shapes: something resampling errors would show on."""
    width, height = size
    x = np.linspace(0, 1, width)[None, :]
    y = np.linspace(0, 1, height)[:, None]
    rgb = np.stack([200 * x + 30 * y, 120 + 100 * y * x, 220 - 180 * y + 0 * x], axis=-1)
    image = Image.fromarray(rgb.clip(0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 120, 100), fill=(250, 240, 30))
    draw.ellipse((150, 60, 260, 200), fill=(20, 30, 140))
    draw.line((0, 230, 319, 10), fill=(255, 255, 255), width=3)
    return image


def _diff(a: Image.Image, b: Image.Image) -> np.ndarray:
    return np.abs(np.asarray(a, dtype=np.int16) - np.asarray(b, dtype=np.int16))


def test_colours_survive_the_round_trip_through_planes() -> None:
    image = _picture()
    back = frame_to_rgb(rgb_to_frame(image))
    diff = _diff(image, back)
    # Flat areas come back within rounding; edges lose some colour to 4:2:0 chroma, as in any video.
    assert np.median(diff) <= 1
    assert np.percentile(diff, 90) <= 6


@pytest.mark.parametrize(
    ("colour", "expected"),
    # BT.709 limited range, by the standard's formulas: Y = 16 + 219·E'y, Cb/Cr = 128 + 224·E'cb/cr.
    [("#000000", (16, 128, 128)), ("#FFFFFF", (235, 128, 128)), ("#FF0000", (63, 102, 240))],
)
def test_colour_levels_follow_bt709_limited_range(colour: str, expected: tuple[int, int, int]) -> None:
    assert colour_yuv(colour) == expected


def test_planes_need_even_sizes() -> None:
    with pytest.raises(ValueError, match="even"):
        rgb_to_frame(Image.new("RGB", (11, 10)))


@pytest.mark.skipif(not fast_resampler(), reason="OpenCV is not installed")
@pytest.mark.parametrize(
    "rect",
    # The engine scales each moving source so that windows are resampled by 1/zoom to 1×: near 1.
    [(10.25, 7.5, 240.25, 180.0), (0.0, 0.0, 200.0, 150.0), (93.3, 60.1, 273.3, 195.1)],
)
def test_opencv_and_pillow_windows_agree(rect: tuple[float, float, float, float]) -> None:
    # Antialiased, as photos and rendered text are (on 1 px hard steps the two interpolators differ more).
    image = _picture().filter(ImageFilter.GaussianBlur(1))
    fast = frame_to_rgb(MovingSource(image).window(rect, (200, 150)))
    slow = frame_to_rgb(MovingSource(image, pillow=True).window(rect, (200, 150)))
    diff = _diff(fast, slow)
    assert diff.mean() < 1.0
    assert np.percentile(diff, 99) <= 10  # edges differ a little (phase shifts are cubic, within 1/8 px)


def test_a_window_is_the_rect_scaled_to_the_frame() -> None:
    image = _picture()
    rect = (40.0, 30.0, 200.0, 150.0)
    expected = image.crop((40, 30, 200, 150)).resize((80, 60), Image.Resampling.BILINEAR)
    window = frame_to_rgb(MovingSource(image).window(rect, (80, 60)))
    assert _diff(window, expected).mean() < 3


def test_sub_pixel_windows_move_smoothly() -> None:
    """Windows a quarter pixel apart give images between those a whole pixel apart, not copies of either."""
    image = _picture().convert("L").convert("RGB")
    source = MovingSource(image)
    frames = [
        np.asarray(frame_to_rgb(source.window((x, 20.0, x + 160, 140.0), (160, 120))), np.float64)
        for x in (30.0, 30.25, 31.0)
    ]
    moved_quarter = np.abs(frames[1] - frames[0]).mean()
    moved_whole = np.abs(frames[2] - frames[0]).mean()
    assert 0.1 * moved_whole < moved_quarter < 0.5 * moved_whole


def test_sprite_composites_like_pillow() -> None:
    base = _picture()
    overlay = Image.new("RGBA", (101, 51), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.rounded_rectangle((0, 0, 100, 50), radius=12, fill=(10, 60, 30, 170))
    draw.text((10, 10), "Hi 你好", fill=(255, 255, 255, 255))
    expected = base.convert("RGBA")
    expected.alpha_composite(overlay, (61, 33))
    ours = frame_to_rgb(Sprite.from_image(overlay, (61, 33)).composite(rgb_to_frame(base)))
    diff = _diff(ours, expected.convert("RGB"))
    assert np.median(diff) <= 1
    assert diff.mean() < 2.5


def test_sprite_composite_copies_unless_in_place() -> None:
    frame = solid_frame((64, 64), "#336699")
    sprite = Sprite.from_image(Image.new("RGBA", (10, 10), (255, 0, 0, 255)), (4, 4))
    copied = sprite.composite(frame)
    assert not np.shares_memory(copied.y, frame.y)
    assert (frame.y == colour_yuv("#336699")[0]).all()
    same = sprite.composite(frame, in_place=True)
    assert np.shares_memory(same.y, frame.y)
    assert frame.y[5, 5] == colour_yuv("#FF0000")[0]


def test_sprite_is_clipped_at_the_frame_edge() -> None:
    frame = solid_frame((32, 32), "#000000")
    sprite = Sprite.from_image(Image.new("RGBA", (20, 20), (255, 255, 255, 255)), (-10, 22))
    out = sprite.composite(frame)
    white = colour_yuv("#FFFFFF")[0]
    assert (out.y[22:, :10] == white).all()
    assert (out.y[:22] == colour_yuv("#000000")[0]).all()


def test_blend_and_fade_mix_linearly() -> None:
    red, blue = solid_frame((16, 16), "#C03020"), solid_frame((16, 16), "#2040C0")
    half = blend(red, blue, 0.5)
    for plane_a, plane_b, mixed in zip(red, blue, half, strict=True):
        assert abs(int(mixed[0, 0]) - (int(plane_a[0, 0]) + int(plane_b[0, 0])) / 2) <= 1
    assert blend(red, blue, 0.0) is red
    assert blend(red, blue, 1.0) is blue
    black = colour_yuv("#000000")
    assert fade(red, black, 0.0) is red
    assert all(abs(int(p[0, 0]) - level) <= 1 for p, level in zip(fade(red, black, 1.0), black, strict=True))
