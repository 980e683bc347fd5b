"""The timeline model: timing with crossfades, framing views, motion curves, and validation messages."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from PIL import Image

from contentgen.providers.base import Audio
from contentgen.video.timeline import (
    Crossfade,
    Cut,
    KenBurns,
    Overlay,
    Scene,
    Slide,
    Timeline,
    TimelineError,
    View,
    ease,
    frame_size,
)

IMAGE = Image.new("RGB", (64, 64), "#808080")


def _scene(duration: float, transition: Crossfade | Cut | None = None, **kwargs: object) -> Scene:
    return Scene(IMAGE, duration, transition=transition or Cut(), **kwargs)  # type: ignore[arg-type]


def test_crossfades_overlap_the_scenes_they_join() -> None:
    timeline = Timeline((64, 64), 10, [_scene(2.0, Crossfade(0.5)), _scene(3.0), _scene(1.0, Cut())])
    assert timeline.scene_starts() == [0.0, 1.5, 4.5]
    assert timeline.duration == pytest.approx(5.5)
    assert timeline.frame_count == 55


def test_cover_time_defaults_to_the_middle_of_the_first_content_scene() -> None:
    intro = _scene(2.0, Crossfade(0.5), role="intro")
    timeline = Timeline((64, 64), 10, [intro, _scene(3.0)])
    assert timeline.default_cover_time() == pytest.approx(1.5 + 1.5)
    assert Timeline((64, 64), 10, [_scene(2.0)], cover_time=0.2).default_cover_time() == 0.2


@pytest.mark.parametrize(
    ("source", "frame"),
    [
        ((1080, 1920), (1080, 1920)),
        ((1000, 1000), (1080, 1920)),
        ((1920, 1080), (1080, 1080)),
        ((1080, 1920), (1920, 1080)),
    ],
)
def test_a_view_has_the_frame_aspect_and_stays_inside(source: tuple[int, int], frame: tuple[int, int]) -> None:
    for view in (View(), View(1.3, 0.0, 1.0), View(2.0, 0.9, 0.1)):
        left, top, right, bottom = view.rect(source, frame)
        assert (right - left) / (bottom - top) == pytest.approx(frame[0] / frame[1])
        assert 0 <= left < right <= source[0] + 1e-9
        assert 0 <= top < bottom <= source[1] + 1e-9
    whole = View().rect(source, frame)
    half = View(2.0).rect(source, frame)
    assert (half[2] - half[0]) == pytest.approx((whole[2] - whole[0]) / 2)
    # zoom 1 touches two opposite edges of the source: it is the largest such window
    assert whole[2] - whole[0] == pytest.approx(source[0]) or whole[3] - whole[1] == pytest.approx(source[1])


def test_ken_burns_moves_between_its_views() -> None:
    motion = KenBurns(View(1.0, 0.2, 0.5), View(1.44, 0.8, 0.5))
    assert motion.view_at(0.0) == View(1.0, 0.2, 0.5)
    assert motion.view_at(1.0).zoom == pytest.approx(1.44)
    middle = motion.view_at(0.5)
    assert middle.cx == pytest.approx(0.5)
    assert middle.zoom == pytest.approx(1.2)  # geometric: the zoom speed looks constant
    pan = KenBurns.pan("left")
    assert pan.start.cx > pan.end.cx and pan.start.zoom == pan.end.zoom > 1
    assert KenBurns.zoom_out(0.2).start.zoom == pytest.approx(1.2)


@pytest.mark.parametrize("easing", ["linear", "ease_in", "ease_out", "ease_in_out"])
def test_easings_run_from_0_to_1_without_going_back(easing: str) -> None:
    values = [ease(i / 20, easing) for i in range(21)]  # type: ignore[arg-type]
    assert values[0] == 0 and values[-1] == 1
    assert all(a <= b for a, b in itertools.pairwise(values))
    assert ease(-1, easing) == 0 and ease(2, easing) == 1  # type: ignore[arg-type]


def test_a_slide_enters_from_the_far_edge_and_leaves_towards_its_direction() -> None:
    slide = Slide("left", enter=0.5, exit=0.5)
    size = (100, 200)
    assert slide.offset(0.0, 3.0, size) == (100, 0)
    assert slide.offset(0.5, 3.0, size) == (0, 0)
    assert slide.offset(1.5, 3.0, size) == (0, 0)
    assert slide.offset(3.0, 3.0, size) == (-100, 0)
    assert Slide("down", enter=1.0).offset(0.0, 2.0, size) == (0, -200)
    assert all(v % 2 == 0 for t in (0.1, 0.33, 2.7) for v in slide.offset(t, 3.0, size))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Timeline((63, 64), 10, [_scene(1.0)]), "even"),
        (lambda: Timeline((64, 64), 0, [_scene(1.0)]), "fps"),
        (lambda: Timeline((64, 64), 10, []), "at least one scene"),
        (lambda: Timeline((64, 64), 10, [_scene(0.0)]), r"scenes\[0\].duration"),
        (lambda: Timeline((64, 64), 10, [_scene(1.0, Crossfade(0.5))]), "nothing to crossfade"),
        (lambda: Timeline((64, 64), 10, [_scene(1.0, Crossfade(2.0)), _scene(3.0)]), "longer than the scenes"),
        (lambda: Timeline((64, 64), 10, [_scene(1.0, fade_in=0.8, fade_out=0.8)]), "fade_in"),
        (
            lambda: Timeline((64, 64), 10, [Scene(Path("nowhere.png"), 1.0, name="hero")]),
            r"scenes\[0\] \('hero'\).visual",
        ),
        (lambda: Timeline((64, 64), 10, [Scene(IMAGE, 1.0, Slide(enter=0.8, exit=0.8))]), "Slide"),
        (
            lambda: Timeline((64, 64), 10, [Scene(IMAGE, 1.0, overlays=(Overlay(IMAGE, start=0.5, end=1.5),))]),
            r"overlays\[0\]",
        ),
        (lambda: Timeline((64, 64), 10, [_scene(1.0)], audio=Path("missing.wav")), "audio file"),
        (lambda: Timeline((64, 64), 10, [_scene(1.0)], cover_time=3.0), "cover_time"),
        (lambda: View(0.5), "zoom"),
        (lambda: Crossfade(0.0), "Crossfade.duration"),
    ],
)
def test_invalid_timelines_are_refused_with_the_field_named(build: object, message: str) -> None:
    with pytest.raises(TimelineError, match=message):
        build()  # type: ignore[operator]


def test_caption_cues_must_not_overlap_nor_outlast_the_video() -> None:
    from contentgen.video import Cue

    with pytest.raises(TimelineError, match=r"captions\[1\].*before the previous cue ends"):
        Timeline((64, 64), 10, [_scene(3.0)], [Cue(0, 1.5, "a"), Cue(1.0, 2.0, "b")])
    with pytest.raises(TimelineError, match="after the timeline"):
        Timeline((64, 64), 10, [_scene(1.0)], [Cue(0, 1.5, "a")])
    with pytest.raises(TimelineError, match="caption_style"):
        Timeline((64, 64), 10, [_scene(3.0)], [Cue(0, 1.5, "a")])


def test_audio_may_be_samples_or_a_file(tmp_path: Path) -> None:
    import numpy as np

    clip = Audio(np.zeros(100, np.float32), 16_000)
    assert Timeline((64, 64), 10, [_scene(1.0)], audio=clip).audio is clip
    wav = tmp_path / "voice.wav"
    wav.write_bytes(b"RIFF")
    assert Timeline((64, 64), 10, [_scene(1.0)], audio=str(wav)).audio == str(wav)


@pytest.mark.parametrize(
    ("aspect", "size"), [("9:16", (1080, 1920)), ("1:1", (1080, 1080)), ("16:9", (1920, 1080)), ("3:4", (1080, 1440))]
)
def test_frame_sizes_follow_the_channel_aspects(aspect: str, size: tuple[int, int]) -> None:
    assert frame_size(aspect) == size  # type: ignore[arg-type]
    assert frame_size(aspect, 720) == (size[0] * 2 // 3, size[1] * 2 // 3)  # type: ignore[arg-type]
