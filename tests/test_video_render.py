"""Rendering: the MP4 and its streams, captions, motion, crossfades, covers, aspects, and failures.

One small storyboard (270×480, 15 fps, 2.6 s) is rendered once for the module and inspected by
decoding it with ffmpeg; other aspects and the full size are rendered as short clips.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from contentgen.domain import load_brand_kit
from contentgen.domain.channel import SafeZone
from contentgen.providers.base import Audio
from contentgen.render.legibility import WCAG_NORMAL, measure_contrast
from contentgen.video import CaptionStyle, Cue, render_caption
from contentgen.video.encode import EncodeError
from contentgen.video.engine import RenderResult, render, render_frame
from contentgen.video.probe import (
    MediaInfo,
    audio_rms,
    frame_at,
    probe,
    to_dbfs,
    top_level_boxes,
    verify_video,
)
from contentgen.video.timeline import Crossfade, KenBurns, Scene, Static, Timeline, TimelineError

DATA = Path(__file__).parent / "data"
DOUYIN = SafeZone(top=0.08, bottom=0.2, right=0.15)
SIZE = (270, 480)
FPS = 15
BLUE, YELLOW, RED = (32, 96, 192), (240, 208, 32), (192, 48, 32)
ZOOM = 1.25
TONE_SECONDS = 2.0


def _disc(size: tuple[int, int] = (540, 960)) -> Image.Image:
    """A yellow disc in the middle of a blue field: its area on screen measures the zoom."""
    image = Image.new("RGB", size, BLUE)
    r = size[0] // 6
    cx, cy = size[0] // 2, size[1] // 2
    ImageDraw.Draw(image).ellipse((cx - r, cy - r, cx + r, cy + r), fill=YELLOW)
    return image


def _tone() -> Audio:
    t = np.arange(int(TONE_SECONDS * 22_050)) / 22_050
    return Audio((0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 22_050)


@dataclass
class Rendered:
    timeline: Timeline
    result: RenderResult
    info: MediaInfo
    style: CaptionStyle


@pytest.fixture(scope="module")
def style() -> CaptionStyle:
    return CaptionStyle.from_kit(load_brand_kit(DATA / "kits" / "minimal"), DOUYIN)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, style: CaptionStyle) -> Rendered:
    folder = tmp_path_factory.mktemp("video")
    timeline = Timeline(
        SIZE,
        FPS,
        [
            Scene(_disc(), 1.6, KenBurns.zoom_in(ZOOM - 1), Crossfade(0.6), name="disc"),
            Scene(Image.new("RGB", (64, 64), RED), 1.6, Static()),
        ],
        captions=[Cue(0.2, 1.0, "夏日焕新，保湿面霜"), Cue(1.6, 2.4, "到手价¥129")],
        caption_style=style,
        audio=_tone(),
    )
    result = render(timeline, folder / "clip.mp4", cover=folder / "cover.jpg")
    return Rendered(timeline, result, probe(result.path), style)


def test_the_mp4_has_h264_and_aac_at_the_timeline_size_rate_and_length(rendered: Rendered) -> None:
    info, timeline = rendered.info, rendered.timeline
    assert abs(info.duration - timeline.duration) <= 0.1
    assert rendered.result.frames == round(timeline.duration * FPS)
    assert info.video is not None and info.audio is not None
    assert (info.video.codec, info.video.pix_fmt) == ("h264", "yuv420p")
    assert (info.video.width, info.video.height) == SIZE
    assert info.video.fps == FPS
    assert "bt709" in info.video.colour
    assert info.audio.codec == "aac" and info.audio.sample_rate in (44_100, 48_000)


def test_verify_video_finds_nothing_wrong_or_says_what_is(rendered: Rendered, tmp_path: Path) -> None:
    path, duration = rendered.result.path, rendered.timeline.duration
    assert verify_video(path, size=SIZE, fps=FPS, duration=duration) == []
    problems = verify_video(path, size=(1080, 1920), fps=30, duration=duration + 1)
    assert len(problems) == 3 and "1080x1920" in " ".join(problems)
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video")
    assert len(verify_video(junk, size=SIZE, fps=FPS, duration=1.0)) == 1


def test_the_index_comes_before_the_media(rendered: Rendered) -> None:
    boxes = top_level_boxes(rendered.result.path)
    assert boxes[0] == "ftyp"
    assert boxes.index("moov") < boxes.index("mdat")


def test_the_voice_is_there_then_silence_pads_the_rest(rendered: Rendered) -> None:
    expected = 0.3 / np.sqrt(2)  # RMS of the 0.3-amplitude sine
    assert to_dbfs(audio_rms(rendered.result.path, 0.2, TONE_SECONDS - 0.2)) == pytest.approx(
        to_dbfs(expected), abs=1.5
    )
    assert audio_rms(rendered.result.path, TONE_SECONDS + 0.1, rendered.timeline.duration - 0.05) < 0.003


def _decoded(rendered: Rendered, frame: int) -> Image.Image:
    """Frame number ``frame`` of the video: the first frame at or after half a frame before its time."""
    return frame_at(rendered.result.path, max(0.0, (frame - 0.5) / FPS))


@pytest.mark.parametrize(
    # cues: 0.2–1.0 s and 1.6–2.4 s, i.e. frames 3–14 and 24–35
    ("frame", "cue", "shown"),
    [(9, 0, True), (14, 0, True), (15, 0, False), (20, 0, False), (30, 1, True), (36, 1, False)],
)
def test_captions_show_during_their_cues_only(rendered: Rendered, frame: int, cue: int, shown: bool) -> None:
    box = render_caption(rendered.timeline.captions[cue].text, rendered.style, SIZE).box
    decoded = np.asarray(_decoded(rendered, frame).crop(box), dtype=np.float64)
    bare = render_frame(rendered.timeline, frame / FPS, captions=False).crop(box)
    difference = float(np.abs(decoded - np.asarray(bare, dtype=np.float64)).mean())
    assert difference > 25 if shown else difference < 4


def test_captions_stay_legible_after_encoding(rendered: Rendered) -> None:
    drawn = render_caption(rendered.timeline.captions[0].text, rendered.style, SIZE)
    assert measure_contrast(_decoded(rendered, 9), drawn.box, drawn.text_mask) >= WCAG_NORMAL
    _, _, right, bottom = drawn.box
    assert right <= SIZE[0] * (1 - DOUYIN.right) and bottom <= SIZE[1] * (1 - DOUYIN.bottom)


def _disc_area(image: Image.Image) -> int:
    pixels = np.asarray(image, dtype=np.int16)
    return int((np.abs(pixels - np.array(YELLOW)).sum(axis=-1) < 60).sum())


def test_a_zoom_in_makes_the_subject_grow_by_the_zoom_squared(rendered: Rendered) -> None:
    start = _disc_area(_decoded(rendered, 0))
    # frame 14 (0.93 s) is the last before the crossfade, 0.93/1.6 of the way through a geometric zoom
    late = _disc_area(_decoded(rendered, 14))
    expected = ZOOM ** (2 * (14 / FPS) / 1.6)
    assert late / start == pytest.approx(expected, rel=0.06)


def test_a_crossfade_blends_the_two_scenes(rendered: Rendered) -> None:
    corner = (4, 50, 40, 90)  # blue in the first scene (outside the disc), red in the second

    def colour(frame: int) -> np.ndarray:
        return np.asarray(_decoded(rendered, frame).crop(corner), dtype=np.float64).reshape(-1, 3).mean(0)

    # the crossfade runs from 1.0 s (frame 15) to 1.6 s (frame 24)
    before, middle, after = colour(14), colour(19), colour(24)
    assert np.abs(before - BLUE).max() < 8 and np.abs(after - RED).max() < 8
    weight = (19 / FPS - 1.0) / 0.6
    assert np.abs(middle - ((1 - weight) * np.array(BLUE) + weight * np.array(RED))).max() < 6


def test_the_cover_is_a_jpeg_of_the_first_content_scene_without_captions(rendered: Rendered) -> None:
    cover = rendered.result.cover
    assert cover is not None and cover.read_bytes()[:3] == b"\xff\xd8\xff"
    with Image.open(cover) as image:
        assert image.size == SIZE
        middle = np.asarray(image.convert("RGB"))[SIZE[1] // 2, SIZE[0] // 2]
        box = render_caption(rendered.timeline.captions[0].text, rendered.style, SIZE).box
        caption_region = np.asarray(image.convert("RGB").crop(box), dtype=np.int16)
    assert np.abs(middle.astype(int) - YELLOW).max() < 20
    assert np.abs(caption_region - BLUE).max(axis=-1).mean() < 20  # the caption area is just the scene


@pytest.mark.parametrize("size", [(540, 540), (960, 540)])
def test_square_and_landscape_render_with_captions_in_the_safe_zone(
    tmp_path: Path, style: CaptionStyle, size: tuple[int, int]
) -> None:
    cue = Cue(0.1, 0.9, "夏日焕新保湿面霜")
    timeline = Timeline(
        size, 10, [Scene(_disc(), 1.0, KenBurns.pan("right", 1.2))], captions=[cue], caption_style=style
    )
    result = render(timeline, tmp_path / "clip.mp4")
    info = probe(result.path)
    assert info.video is not None and (info.video.width, info.video.height) == size
    assert abs(info.duration - 1.0) <= 0.1
    drawn = render_caption(cue.text, style, size)
    left, top, right, bottom = drawn.box
    assert left >= 0 and top >= size[1] * DOUYIN.top
    assert right <= size[0] * (1 - DOUYIN.right) and bottom <= size[1] * (1 - DOUYIN.bottom)
    assert measure_contrast(frame_at(result.path, 0.5), drawn.box, drawn.text_mask) >= WCAG_NORMAL


def test_a_failing_ffmpeg_leaves_no_file_and_says_why(tmp_path: Path) -> None:
    broken = tmp_path / "voice.wav"
    broken.write_bytes(b"this is not audio" * 100)
    target = tmp_path / "out" / "clip.mp4"
    timeline = Timeline(SIZE, FPS, [Scene(_disc(), 0.5)], audio=broken)
    with pytest.raises(EncodeError) as caught:
        render(timeline, target)
    message = str(caught.value)
    assert "\n" not in message and "ffmpeg failed on clip.mp4" in message
    assert "Invalid data" in message or "Error" in message
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_a_failed_render_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "clip.mp4"
    target.write_bytes(b"previous")
    broken = tmp_path / "voice.wav"
    broken.write_bytes(b"RIFF not really")
    with pytest.raises(EncodeError):
        render(Timeline(SIZE, FPS, [Scene(_disc(), 0.5)], audio=broken), target)
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4", "voice.wav"]


def test_a_caption_too_long_to_fit_names_its_cue(tmp_path: Path, style: CaptionStyle) -> None:
    timeline = Timeline(SIZE, FPS, [Scene(_disc(), 1.0)], captions=[Cue(0, 1, "太长的字幕" * 30)], caption_style=style)
    with pytest.raises(TimelineError, match=r"captions\[0\]"):
        render(timeline, tmp_path / "clip.mp4")
    assert not (tmp_path / "clip.mp4").exists()


@pytest.mark.slow
def test_full_size_vertical_video(tmp_path: Path, style: CaptionStyle) -> None:
    timeline = Timeline(
        (1080, 1920),
        30,
        [Scene(_disc((1080, 1920)), 1.0, KenBurns.zoom_in(0.1))],
        captions=[Cue(0.0, 1.0, "夏日焕新保湿面霜")],
        caption_style=style,
        audio=_tone(),
    )
    result = render(timeline, tmp_path / "clip.mp4", cover=tmp_path / "cover.jpg")
    info = probe(result.path)
    assert info.video is not None and (info.video.width, info.video.height, info.video.fps) == (1080, 1920, 30)
    assert abs(info.duration - 1.0) <= 0.1 and result.frames == 30
    assert top_level_boxes(result.path).index("moov") < top_level_boxes(result.path).index("mdat")
    drawn = render_caption("夏日焕新保湿面霜", style, (1080, 1920))
    assert measure_contrast(frame_at(result.path, 0.5), drawn.box, drawn.text_mask) >= WCAG_NORMAL
