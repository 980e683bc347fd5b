"""The typed model of a video: scenes with motion and transitions, overlays, caption cues and audio.

Timing
    Scenes play in order. A scene's ``transition`` says how it hands over to the *next* one: a ``Cut``,
    or a ``Crossfade`` of ``d`` seconds during which the two overlap, so the next scene starts ``d``
    seconds before this one ends and the timeline is ``sum(durations) - sum(crossfades)`` long
    (``Timeline.scene_starts`` gives every start). Frame ``i`` shows time ``i / fps``; the video has
    ``round(duration × fps)`` frames. Overlay times are relative to their scene; caption cues are on
    the timeline's clock and show while ``start <= t < end``.

Framing and motion
    A scene's visual (a Pillow image or an image file) is shown through a window of the frame's aspect.
    ``fit="cover"`` fills the frame (the visual is cropped to its aspect); ``fit="contain"`` shows all of
    it on ``background``. A ``View`` is such a window: ``zoom=1`` is the largest one that fits, ``zoom=2``
    one half as wide; ``cx, cy`` is where it is centred, as fractions of the visual, moved as little as
    needed to keep the window inside. ``KenBurns`` moves from one view to another; ``Slide`` moves the
    whole picture in from an edge and/or out to one, over ``background``; ``Static`` holds still.
    Because views are relative, the same storyboard frames well at 9:16, 1:1 and 16:9.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeAlias

from PIL import Image

from contentgen.domain.channel import Aspect
from contentgen.errors import ContentgenError
from contentgen.providers.base import Audio

if TYPE_CHECKING:
    from contentgen.providers.base import Cue
    from contentgen.video.captions import CaptionStyle

Easing = Literal["linear", "ease_in", "ease_out", "ease_in_out"]
Direction = Literal["left", "right", "up", "down"]
Fit = Literal["cover", "contain"]
Role = Literal["content", "intro", "outro"]

MAX_FPS = 120


class TimelineError(ContentgenError):
    """A timeline, scene, overlay or cue is inconsistent; the message names the field."""


def frame_size(aspect: Aspect, short_side: int = 1080) -> tuple[int, int]:
    """(width, height) of a channel aspect such as '9:16' with the given shorter side (even numbers)."""
    across, down = (int(part) for part in aspect.split(":"))
    long_side = 2 * round(short_side * max(across, down) / min(across, down) / 2)
    return (short_side, long_side) if across < down else (long_side, short_side)


def ease(progress: float, easing: Easing) -> float:
    """``progress`` (clamped to 0–1) through an easing curve."""
    p = min(1.0, max(0.0, progress))
    if easing == "ease_in":
        return p * p
    if easing == "ease_out":
        return 1.0 - (1.0 - p) * (1.0 - p)
    if easing == "ease_in_out":
        return p * p * (3.0 - 2.0 * p)
    return p


@dataclass(frozen=True)
class View:
    """A window of the frame's aspect onto the visual: ``zoom`` ≥ 1, centred at (``cx``, ``cy``) fractions."""

    zoom: float = 1.0
    cx: float = 0.5
    cy: float = 0.5

    def __post_init__(self) -> None:
        if not 1.0 <= self.zoom <= 8.0:
            raise TimelineError(f"View.zoom must be between 1 and 8, got {self.zoom}")
        if not (0.0 <= self.cx <= 1.0 and 0.0 <= self.cy <= 1.0):
            raise TimelineError(f"View centre must be fractions between 0 and 1, got ({self.cx}, {self.cy})")

    def rect(self, source: tuple[float, float], frame: tuple[int, int]) -> tuple[float, float, float, float]:
        """The window in source pixels (left, top, right, bottom) for a source and frame size."""
        sw, sh = source
        fw, fh = frame
        base_w = min(sw, sh * fw / fh)
        w = base_w / self.zoom
        h = w * fh / fw
        left = min(max(self.cx * sw - w / 2, 0.0), sw - w)
        top = min(max(self.cy * sh - h / 2, 0.0), sh - h)
        return left, top, left + w, top + h


def _lerp_view(a: View, b: View, k: float) -> View:
    # Zoom is interpolated geometrically so that a zoom looks like constant speed.
    zoom = math.exp(math.log(a.zoom) + (math.log(b.zoom) - math.log(a.zoom)) * k)
    return View(zoom, a.cx + (b.cx - a.cx) * k, a.cy + (b.cy - a.cy) * k)


@dataclass(frozen=True)
class Static:
    """The visual holds still at one view."""

    view: View = View()

    def view_at(self, progress: float) -> View:
        return self.view


@dataclass(frozen=True)
class KenBurns:
    """A slow pan and zoom from ``start`` to ``end`` over the scene."""

    start: View = View()
    end: View = View(zoom=1.12)
    easing: Easing = "linear"

    @classmethod
    def zoom_in(cls, amount: float = 0.12, focus: tuple[float, float] = (0.5, 0.5)) -> KenBurns:
        """Zoom in by ``amount`` (0.12 = 12 %) towards ``focus``."""
        return cls(View(1.0, *focus), View(1.0 + amount, *focus))

    @classmethod
    def zoom_out(cls, amount: float = 0.12, focus: tuple[float, float] = (0.5, 0.5)) -> KenBurns:
        """Start ``amount`` zoomed in at ``focus`` and pull back to the whole frame."""
        return cls(View(1.0 + amount, *focus), View(1.0, *focus))

    @classmethod
    def pan(cls, direction: Direction, zoom: float = 1.15) -> KenBurns:
        """Travel across the visual towards ``direction`` at a constant ``zoom``."""
        near, far = 0.0, 1.0
        if direction in ("left", "up"):
            near, far = far, near
        if direction in ("left", "right"):
            return cls(View(zoom, near, 0.5), View(zoom, far, 0.5))
        return cls(View(zoom, 0.5, near), View(zoom, 0.5, far))

    def view_at(self, progress: float) -> View:
        return _lerp_view(self.start, self.end, ease(progress, self.easing))


@dataclass(frozen=True)
class Slide:
    """The picture travels towards ``direction``: in from the far edge over ``enter`` seconds, out over ``exit``."""

    direction: Direction = "left"
    enter: float = 0.4
    exit: float = 0.0
    view: View = View()

    def view_at(self, progress: float) -> View:
        return self.view

    def offset(self, local: float, duration: float, size: tuple[int, int]) -> tuple[int, int]:
        """Where the picture's top-left is, in frame pixels (even), ``local`` seconds into the scene."""
        travel = 0.0
        if self.enter > 0 and local < self.enter:
            travel = ease(local / self.enter, "ease_out") - 1.0  # -1 → 0
        elif self.exit > 0 and local > duration - self.exit:
            travel = ease((local - (duration - self.exit)) / self.exit, "ease_in")  # 0 → 1
        dx, dy = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}[self.direction]
        return 2 * round(travel * dx * size[0] / 2), 2 * round(travel * dy * size[1] / 2)


Motion: TypeAlias = Static | KenBurns | Slide


@dataclass(frozen=True)
class Cut:
    """The next scene starts when this one ends."""


@dataclass(frozen=True)
class Crossfade:
    """The next scene fades in over the last ``duration`` seconds of this one."""

    duration: float = 0.5

    def __post_init__(self) -> None:
        if not self.duration > 0:
            raise TimelineError(f"Crossfade.duration must be positive, got {self.duration}")


Transition: TypeAlias = Cut | Crossfade


@dataclass(frozen=True)
class Overlay:
    """A pre-rendered RGBA image at ``position`` (frame pixels) from ``start`` to ``end`` (scene seconds)."""

    image: Image.Image
    position: tuple[int, int] = (0, 0)
    start: float = 0.0
    end: float | None = None
    fade: float = 0.0
    """Seconds to fade in at ``start`` and out at ``end``."""


Visual: TypeAlias = Image.Image | Path | str
"""A Pillow image, or the path of an image file."""


@dataclass(frozen=True)
class Scene:
    """A visual on screen for ``duration`` seconds, with motion, overlays and the transition into the next."""

    visual: Visual
    duration: float
    motion: Motion = field(default_factory=Static)
    transition: Transition = field(default_factory=Cut)
    overlays: tuple[Overlay, ...] = ()
    fit: Fit = "cover"
    background: str = "#000000"
    """Behind a contained visual, a transparent one, and a slide."""
    fade_in: float = 0.0
    fade_out: float = 0.0
    fade_colour: str = "#000000"
    """What ``fade_in`` fades from and ``fade_out`` fades to."""
    role: Role = "content"
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "overlays", tuple(self.overlays))


@dataclass(frozen=True)
class Timeline:
    """A whole video: frame size, frame rate, scenes, caption cues and their style, and audio."""

    size: tuple[int, int]
    fps: int
    scenes: tuple[Scene, ...]
    captions: tuple[Cue, ...] = ()
    caption_style: CaptionStyle | None = None
    audio: Audio | Path | str | None = None
    """Mono (or samples × channels) float samples, or an audio file; padded with silence or cut to fit."""
    cover_time: float | None = None
    """When the cover image is taken; default: the middle of the first content scene."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "scenes", tuple(self.scenes))
        object.__setattr__(self, "captions", tuple(self.captions))
        _check(self)

    @property
    def duration(self) -> float:
        """Seconds from the first scene's start to the last one's end."""
        starts = self.scene_starts()
        return starts[-1] + self.scenes[-1].duration

    @property
    def frame_count(self) -> int:
        return max(1, round(self.duration * self.fps))

    def scene_starts(self) -> list[float]:
        """When each scene starts (crossfades overlap the scenes they join)."""
        starts, t = [], 0.0
        for scene in self.scenes:
            starts.append(t)
            t += scene.duration
            if isinstance(scene.transition, Crossfade):
                t -= scene.transition.duration
        return starts

    def default_cover_time(self) -> float:
        """``cover_time``, or the middle of the first content scene (else of the first scene)."""
        if self.cover_time is not None:
            return self.cover_time
        starts = self.scene_starts()
        index = next((i for i, scene in enumerate(self.scenes) if scene.role == "content"), 0)
        return starts[index] + self.scenes[index].duration / 2


def _check(timeline: Timeline) -> None:
    width, height = timeline.size
    if width < 16 or height < 16 or width % 2 or height % 2:
        raise TimelineError(f"Timeline.size must be even numbers of at least 16 pixels (yuv420p), got {width}x{height}")
    if not (isinstance(timeline.fps, int) and 1 <= timeline.fps <= MAX_FPS):
        raise TimelineError(f"Timeline.fps must be a whole number from 1 to {MAX_FPS}, got {timeline.fps!r}")
    if not timeline.scenes:
        raise TimelineError("Timeline.scenes is empty; a video needs at least one scene")
    for index, scene in enumerate(timeline.scenes):
        _check_scene(index, scene, timeline.scenes[index + 1] if index + 1 < len(timeline.scenes) else None)
    total = timeline.duration
    previous_end = 0.0
    for index, cue in enumerate(timeline.captions):
        where = f"captions[{index}] ('{cue.text[:20]}')"
        if cue.start < previous_end - 1e-9:
            raise TimelineError(
                f"{where} starts at {cue.start:.3f} s, before the previous cue ends ({previous_end:.3f} s)"
            )
        if cue.end > total + 1e-6:
            raise TimelineError(f"{where} ends at {cue.end:.3f} s, after the timeline ({total:.3f} s)")
        previous_end = cue.end
    if timeline.captions and timeline.caption_style is None:
        raise TimelineError("Timeline.caption_style is needed to draw captions (CaptionStyle.from_kit(kit, …))")
    if timeline.cover_time is not None and not 0 <= timeline.cover_time <= total:
        raise TimelineError(f"Timeline.cover_time must be within 0–{total:.3f} s, got {timeline.cover_time}")
    if isinstance(timeline.audio, Audio):
        if timeline.audio.sample_rate <= 0:
            raise TimelineError(f"Timeline.audio has an invalid sample rate {timeline.audio.sample_rate}")
    elif timeline.audio is not None and not Path(timeline.audio).is_file():
        raise TimelineError(f"Timeline.audio: audio file '{timeline.audio}' not found")


def _check_scene(index: int, scene: Scene, following: Scene | None) -> None:
    where = f"scenes[{index}]" + (f" ('{scene.name}')" if scene.name else "")
    if not scene.duration > 0:
        raise TimelineError(f"{where}.duration must be positive, got {scene.duration}")
    if not isinstance(scene.visual, Image.Image) and not Path(scene.visual).is_file():
        raise TimelineError(f"{where}.visual: image file '{scene.visual}' not found")
    if isinstance(scene.transition, Crossfade):
        if following is None:
            raise TimelineError(f"{where}.transition: the last scene has nothing to crossfade into; use Cut()")
        longest = min(scene.duration, following.duration)
        if scene.transition.duration > longest:
            raise TimelineError(
                f"{where}.transition: a {scene.transition.duration} s crossfade is longer than "
                f"the scenes it joins ({scene.duration} s and {following.duration} s)"
            )
    if scene.fade_in < 0 or scene.fade_out < 0 or scene.fade_in + scene.fade_out > scene.duration + 1e-9:
        raise TimelineError(f"{where}: fade_in + fade_out ({scene.fade_in} + {scene.fade_out} s) must fit the scene")
    if isinstance(scene.motion, Slide):
        slide = scene.motion
        if slide.enter < 0 or slide.exit < 0 or slide.enter + slide.exit > scene.duration + 1e-9:
            raise TimelineError(
                f"{where}.motion: Slide enter + exit ({slide.enter} + {slide.exit} s) must fit the scene"
            )
    for number, overlay in enumerate(scene.overlays):
        end = scene.duration if overlay.end is None else overlay.end
        if not 0 <= overlay.start < end <= scene.duration + 1e-9:
            raise TimelineError(
                f"{where}.overlays[{number}]: start {overlay.start} and end {end} must satisfy "
                f"0 <= start < end <= the scene's {scene.duration} s"
            )
        if overlay.fade < 0 or 2 * overlay.fade > end - overlay.start + 1e-9:
            raise TimelineError(f"{where}.overlays[{number}].fade: {overlay.fade} s fades in and out; too long")
