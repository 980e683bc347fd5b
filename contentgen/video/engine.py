"""Rendering a Timeline to an MP4 (H.264 + AAC, fast start) and a JPEG cover, fast.

Where the time goes, and what is done about it (``python -m bench.bench_video`` measures it):

* Every source is prepared once: a visual is loaded, framed (cover/contain), and scaled with Lanczos
  to the resolution its largest zoom needs, then converted to YUV planes (``planes``). A scene that
  does not zoom or pan is scaled straight to the frame and never resampled again. Captions and
  overlays are drawn once to RGBA and converted to planes with their alpha.
* Per frame, a Ken Burns scene costs one bilinear resize per plane, placed within 1/8 px so that
  nothing shimmers (``planes.MovingSource``); captions and overlays are composited only over their
  own rectangles; a crossfade is one weighted sum; a fade is a lookup table. Frames that cannot
  differ from the previous one (a still scene with the same caption) are not recomputed at all.
* A writer thread feeds ffmpeg while the next frame is made; x264 runs at ``superfast`` with
  macroblock-tree rate control (``encode.EncodeSettings``), which is most of the remaining time.
"""

from __future__ import annotations

import io
import time
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from contentgen.errors import ContentgenError
from contentgen.fileio import write_bytes_atomic
from contentgen.video.captions import render_caption
from contentgen.video.encode import EncodeSettings, open_encoder
from contentgen.video.planes import (
    Frame,
    MovingSource,
    Sprite,
    blend,
    colour_yuv,
    fade,
    fast_resampler,
    frame_to_rgb,
    paste,
    rgb_to_frame,
    solid_frame,
)
from contentgen.video.timeline import Crossfade, KenBurns, Overlay, Scene, Slide, Timeline, TimelineError


@dataclass(frozen=True)
class RenderResult:
    """What ``render`` wrote, and how long it took."""

    path: Path
    cover: Path | None
    duration: float
    frames: int
    size: tuple[int, int]
    fps: int
    seconds: float
    resampler: str


def _load(scene: Scene, where: str) -> Image.Image:
    visual = scene.visual
    if not isinstance(visual, Image.Image):
        try:
            with Image.open(visual) as opened:
                visual = opened.copy()
        except OSError as err:
            raise TimelineError(f"{where}.visual: cannot read image '{scene.visual}': {err}") from None
    if visual.mode in ("RGBA", "LA", "PA") or "transparency" in visual.info:
        base = Image.new("RGBA", visual.size, scene.background)
        base.alpha_composite(visual.convert("RGBA"))
        return base.convert("RGB")
    return visual.convert("RGB")


def _framed(image: Image.Image, scene: Scene, size: tuple[int, int]) -> Image.Image:
    """The visual on a canvas of the frame's aspect (``contain``), or as it is (``cover``)."""
    if scene.fit == "cover":
        return image
    fw, fh = size
    width, height = image.size
    if width * fh >= height * fw:
        canvas_size = (width, max(height, round(width * fh / fw)))
    else:
        canvas_size = (max(width, round(height * fw / fh)), height)
    canvas = Image.new("RGB", canvas_size, scene.background)
    canvas.paste(image, ((canvas_size[0] - width) // 2, (canvas_size[1] - height) // 2))
    return canvas


@dataclass(frozen=True)
class _Timed:
    sprite: Sprite
    start: float
    end: float
    fade: float

    def opacity(self, t: float) -> float:
        if not self.start <= t < self.end:
            return 0.0
        if self.fade <= 0:
            return 1.0
        return min(1.0, (t - self.start) / self.fade, (self.end - t) / self.fade)


def _sprites(overlays: tuple[Overlay, ...], duration: float) -> list[_Timed]:
    return [
        _Timed(
            Sprite.from_image(o.image, o.position),
            o.start,
            duration if o.end is None else o.end,
            o.fade,
        )
        for o in overlays
    ]


class _SceneSource:
    """A scene ready to render: its visual as planes at the resolution its motion needs."""

    def __init__(self, scene: Scene, index: int, size: tuple[int, int]) -> None:
        self.scene, self.size = scene, size
        where = f"scenes[{index}]"
        canvas = _framed(_load(scene, where), scene, size)
        motion = scene.motion
        self.moving = isinstance(motion, KenBurns) and motion.start != motion.end
        self.still: Frame | None = None
        self.source: MovingSource | None = None
        self.source_size = (float(canvas.width), float(canvas.height))
        if self.moving:
            assert isinstance(motion, KenBurns)
            zoom = max(motion.start.zoom, motion.end.zoom)
            base_w = min(canvas.width, canvas.height * size[0] / size[1])
            scale = min(1.0, size[0] * zoom / base_w)  # never more pixels than the deepest zoom shows
            if scale < 1.0:
                scaled = (max(2, round(canvas.width * scale)), max(2, round(canvas.height * scale)))
                canvas = canvas.resize(scaled, Image.Resampling.LANCZOS, reducing_gap=3.0)
            self.source = MovingSource(canvas)
            self.source_size = self.source.size
        else:
            rect = motion.view_at(0.0).rect(self.source_size, size)
            still = canvas.resize(size, Image.Resampling.LANCZOS, box=rect, reducing_gap=3.0)
            self.still = rgb_to_frame(still)
        self.background = solid_frame(size, scene.background) if isinstance(motion, Slide) else None
        self.fade_to = colour_yuv(scene.fade_colour)
        self.overlays = _sprites(scene.overlays, scene.duration)

    def _base(self, local: float) -> Frame:
        if self.still is not None:
            return self.still
        assert self.source is not None
        view = self.scene.motion.view_at(local / self.scene.duration)
        return self.source.window(view.rect(self.source_size, self.size), self.size)

    def _state(self, local: float) -> tuple[tuple[int, int], float, list[tuple[int, float]]]:
        scene = self.scene
        offset = (0, 0)
        if isinstance(scene.motion, Slide):
            offset = scene.motion.offset(local, scene.duration, self.size)
        dim = 0.0
        if scene.fade_in > 0 and local < scene.fade_in:
            dim = 1.0 - local / scene.fade_in
        elif scene.fade_out > 0 and local > scene.duration - scene.fade_out:
            dim = (local - (scene.duration - scene.fade_out)) / scene.fade_out
        shown = [(i, round(o.opacity(local), 3)) for i, o in enumerate(self.overlays)]
        return offset, round(dim, 3), [(i, a) for i, a in shown if a > 0]

    def key(self, local: float) -> Hashable | None:
        """Equal keys mean equal frames; None when the frame moves."""
        if self.moving:
            return None
        offset, dim, shown = self._state(local)
        return offset, dim, tuple(shown)

    def frame_at(self, local: float) -> tuple[Frame, bool]:
        """The scene's frame ``local`` seconds in, and whether it is a new array (else shared: copy to change)."""
        frame = self._base(local)
        owned = self.still is None
        offset, dim, shown = self._state(local)
        if self.background is not None and offset != (0, 0):
            moved = Frame(*(plane.copy() for plane in self.background))
            paste(moved, frame, *offset)
            frame, owned = moved, True
        for index, opacity in shown:
            frame, owned = self.overlays[index].sprite.composite(frame, opacity, in_place=owned), True
        if dim > 0:
            frame, owned = fade(frame, self.fade_to, dim), True
        return frame, owned


class _Plan:
    """Every source of a timeline prepared; frames on demand."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.starts = timeline.scene_starts()
        self.sources = [_SceneSource(scene, i, timeline.size) for i, scene in enumerate(timeline.scenes)]
        self.captions: list[_Timed] = []
        style = timeline.caption_style
        for index, cue in enumerate(timeline.captions):
            assert style is not None
            try:
                drawn = render_caption(cue.text, style, timeline.size)
            except ContentgenError as err:
                raise TimelineError(f"captions[{index}]: {err}") from None
            self.captions.append(_Timed(Sprite.from_image(drawn.image, drawn.position), cue.start, cue.end, 0.0))

    def _scenes_at(self, t: float) -> tuple[int, int | None, float]:
        """The scene on screen at ``t``, the one fading out under it (if any), and the crossfade weight."""
        current = 0
        for index, start in enumerate(self.starts):
            if start <= t + 1e-9:
                current = index
        if current > 0:
            prev = current - 1
            transition = self.timeline.scenes[prev].transition
            if isinstance(transition, Crossfade) and t < self.starts[prev] + self.timeline.scenes[prev].duration:
                return current, prev, (t - self.starts[current]) / transition.duration
        return current, None, 1.0

    def _caption_at(self, t: float) -> int | None:
        return next((i for i, cue in enumerate(self.captions) if cue.start <= t < cue.end), None)

    def key(self, t: float, captions: bool) -> Hashable | None:
        current, prev, weight = self._scenes_at(t)
        key = self.sources[current].key(t - self.starts[current])
        if key is None:
            return None
        if prev is not None:
            prev_key = self.sources[prev].key(t - self.starts[prev])
            if prev_key is None:
                return None
            key = (key, prev, prev_key, round(weight, 4))
        return current, key, self._caption_at(t) if captions else None

    def frame_at(self, t: float, captions: bool = True) -> Frame:
        current, prev, weight = self._scenes_at(t)
        frame, owned = self.sources[current].frame_at(t - self.starts[current])
        if prev is not None:
            below, below_owned = self.sources[prev].frame_at(t - self.starts[prev])
            blended = blend(below, frame, weight)  # one of the two itself at the very ends
            if blended is below:
                owned = below_owned
            elif blended is not frame:
                owned = True
            frame = blended
        cue = self._caption_at(t) if captions else None
        if cue is not None:
            frame = self.captions[cue].sprite.composite(frame, in_place=owned)
        return frame

    def frames(self) -> Iterator[Frame]:
        last_key: Hashable | None = None
        last: Frame | None = None
        fps = self.timeline.fps
        for i in range(self.timeline.frame_count):
            t = i / fps
            key = self.key(t, captions=True)
            if last is None or key is None or key != last_key:
                last = self.frame_at(t)
            last_key = key
            yield last


def render_frame(timeline: Timeline, t: float, *, captions: bool = True) -> Image.Image:
    """The frame at ``t`` seconds as an RGB image, as the encoder receives it (prepares the timeline every call)."""
    return frame_to_rgb(_Plan(timeline).frame_at(t, captions=captions))


def _write_cover(plan: _Plan, path: Path, t: float) -> None:
    image = frame_to_rgb(plan.frame_at(t, captions=False))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, optimize=True)
    write_bytes_atomic(path, buffer.getvalue())


def render(
    timeline: Timeline,
    output: Path,
    *,
    cover: Path | None = None,
    settings: EncodeSettings | None = None,
) -> RenderResult:
    """Render ``timeline`` to an MP4 at ``output`` (and a JPEG cover, if asked), both written atomically."""
    started = time.perf_counter()
    settings = settings or EncodeSettings()
    output = Path(output)
    plan = _Plan(timeline)
    frames = timeline.frame_count
    duration = frames / timeline.fps
    with open_encoder(output, timeline.size, timeline.fps, duration, timeline.audio, settings) as encoder:
        for frame in plan.frames():
            encoder.write(frame)
    if cover is not None:
        _write_cover(plan, Path(cover), min(timeline.default_cover_time(), duration - 1 / timeline.fps))
    return RenderResult(
        path=output,
        cover=None if cover is None else Path(cover),
        duration=duration,
        frames=frames,
        size=timeline.size,
        fps=timeline.fps,
        seconds=time.perf_counter() - started,
        resampler="opencv" if fast_resampler() else "pillow",
    )
