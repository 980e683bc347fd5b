"""Frame composition without encoding: framing, slides, overlays, fades, and the Pillow fallback."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from contentgen.video import planes
from contentgen.video.engine import render_frame
from contentgen.video.timeline import Crossfade, KenBurns, Overlay, Scene, Slide, Timeline

SIZE = (180, 320)
GREEN, MAGENTA, GREY = (40, 160, 60), (200, 40, 160), (128, 128, 128)


def _rgb(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.int16)


def _close(pixels: np.ndarray, colour: tuple[int, int, int], tolerance: int = 6) -> np.ndarray:
    return np.abs(pixels - np.array(colour)).max(axis=-1) <= tolerance


def test_contain_letterboxes_and_cover_fills() -> None:
    square = Image.new("RGB", (200, 200), GREEN)
    contained = _rgb(render_frame(Timeline(SIZE, 10, [Scene(square, 1.0, fit="contain", background="#C828A0")]), 0))
    covered = _rgb(render_frame(Timeline(SIZE, 10, [Scene(square, 1.0)]), 0))
    band = (SIZE[1] - SIZE[0]) // 2  # the square shows full width, so bands above and below
    assert _close(contained[: band - 2], MAGENTA).all() and _close(contained[-band + 2 :], MAGENTA).all()
    assert _close(contained[band + 2 : -band - 2], GREEN).all()
    assert _close(covered, GREEN).all()


def test_transparent_visuals_sit_on_the_scene_background() -> None:
    visual = Image.new("RGBA", (180, 320), (0, 0, 0, 0))
    ImageDraw.Draw(visual).rectangle((60, 100, 119, 219), fill=(*GREEN, 255))
    frame = _rgb(render_frame(Timeline(SIZE, 10, [Scene(visual, 1.0, background="#808080")]), 0))
    assert _close(frame[10:50, 10:50], GREY).all() and _close(frame[140:180, 70:110], GREEN).all()


def test_a_slide_comes_in_from_the_far_edge() -> None:
    scene = Scene(Image.new("RGB", SIZE, GREEN), 2.0, Slide("left", enter=1.0), background="#C828A0")
    timeline = Timeline(SIZE, 10, [scene])
    start, middle, end = (_rgb(render_frame(timeline, t)) for t in (0.0, 0.5, 1.2))
    assert _close(start, MAGENTA).all()
    assert _close(middle[:, :20], MAGENTA).all() and _close(middle[:, -20:], GREEN).all()
    assert _close(end, GREEN).all()


def test_overlays_show_in_their_time_range_and_fade() -> None:
    badge = Image.new("RGBA", (40, 40), (*MAGENTA, 255))
    overlay = Overlay(badge, (20, 30), start=0.5, end=1.5, fade=0.2)
    timeline = Timeline(SIZE, 10, [Scene(Image.new("RGB", SIZE, GREEN), 2.0, overlays=(overlay,))])

    def badge_pixel(t: float) -> np.ndarray:
        return _rgb(render_frame(timeline, t))[50, 40]

    assert _close(badge_pixel(0.4)[None], GREEN).all() and _close(badge_pixel(1.6)[None], GREEN).all()
    assert _close(badge_pixel(1.0)[None], MAGENTA).all()
    half = (np.array(GREEN) + np.array(MAGENTA)) / 2
    assert np.abs(badge_pixel(0.6) - half).max() <= 8  # 0.1 s into a 0.2 s fade


def test_scene_fades_dim_towards_their_colour() -> None:
    scene = Scene(Image.new("RGB", SIZE, (200, 200, 200)), 2.0, fade_in=1.0, fade_out=0.5)
    timeline = Timeline(SIZE, 10, [scene])
    levels = [float(_rgb(render_frame(timeline, t)).mean()) for t in (0.0, 0.5, 1.2, 1.75)]
    assert levels[0] < 3 and levels[1] == pytest.approx(100, abs=6)
    assert levels[2] == pytest.approx(200, abs=3) and levels[3] == pytest.approx(100, abs=6)


def _storyboard() -> Timeline:
    picture = Image.new("RGB", (360, 640), GREEN)
    draw = ImageDraw.Draw(picture)
    for i in range(0, 360, 40):
        draw.rectangle((i, 0, i + 19, 639), fill=MAGENTA)
    badge = Overlay(Image.new("RGBA", (30, 30), (255, 255, 255, 200)), (10, 10))
    return Timeline(
        SIZE,
        10,
        [
            Scene(picture, 1.0, KenBurns.zoom_in(0.3, (0.3, 0.6)), Crossfade(0.5), overlays=(badge,)),
            Scene(picture.transpose(Image.Transpose.ROTATE_180), 1.0, KenBurns.pan("up"), overlays=(badge,)),
        ],
    )


def test_the_pillow_fallback_draws_the_same_frames(monkeypatch: pytest.MonkeyPatch) -> None:
    timeline = _storyboard()
    fast = [_rgb(render_frame(timeline, t)) for t in (0.2, 0.7)]
    monkeypatch.setattr(planes, "_cv2", lambda: None)
    assert not planes.fast_resampler()
    slow = [_rgb(render_frame(timeline, t)) for t in (0.2, 0.7)]
    for a, b in zip(fast, slow, strict=True):
        assert np.abs(a - b).mean() < 2.5
