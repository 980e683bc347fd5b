"""Frames as BT.709 limited-range YUV 4:2:0 planes, and the few per-frame operations the engine needs.

Why planes: the encoder wants yuv420p, so converting once per *source* (visual, caption, overlay)
instead of once per frame removes a colour conversion from every frame and halves the bytes piped to
ffmpeg. Alpha compositing and cross-fading are affine, so doing them in YUV gives the same result as in
RGB (up to rounding); chroma is simply composited with the alpha averaged over each 2×2 block.

Resampling is the only per-frame cost that touches every pixel; ``MovingSource`` says how it is kept
cheap (OpenCV when ``cv2`` imports, as it does with ``rapidocr-onnxruntime``'s ``opencv-python``;
Pillow otherwise). Either way the window is placed with sub-pixel accuracy, so slow zooms and pans do
not shimmer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import NamedTuple, TypeAlias

import numpy as np
import numpy.typing as npt
from PIL import Image

from contentgen.domain.common import hex_to_rgb

Plane: TypeAlias = npt.NDArray[np.uint8]
Rect: TypeAlias = tuple[float, float, float, float]
"""(left, top, right, bottom) in source pixels, floats; pixel i covers [i, i + 1)."""

_KR, _KB = 0.2126, 0.0722
_KG = 1.0 - _KR - _KB


class Frame(NamedTuple):
    """One frame: Y at full size, U and V at half width and height. Arrays may be shared: never mutate."""

    y: Plane
    u: Plane
    v: Plane


def rgb_to_frame(rgb: Image.Image | npt.NDArray[np.uint8]) -> Frame:
    """BT.709 limited-range planes of an RGB image whose width and height are even."""
    arr = np.asarray(rgb.convert("RGB") if isinstance(rgb, Image.Image) else rgb)
    height, width = arr.shape[:2]
    if width % 2 or height % 2:
        raise ValueError(f"planes need an even width and height, got {width}x{height}")
    y = _luma(arr.astype(np.float32))
    # Chroma is affine in RGB, so averaging RGB over 2×2 blocks first is the same as averaging chroma.
    total = arr[0::2, 0::2].astype(np.uint16)
    total += arr[1::2, 0::2]
    total += arr[0::2, 1::2]
    total += arr[1::2, 1::2]
    u, v = _chroma(total.astype(np.float32) * 0.25)
    return Frame(y, u, v)


def _luma(rgb: npt.NDArray[np.float32]) -> Plane:
    luma = rgb[..., 0] * _KR + rgb[..., 1] * _KG + rgb[..., 2] * _KB
    out: Plane = np.clip(16.0 + luma * (219.0 / 255.0) + 0.5, 0, 255).astype(np.uint8)
    return out


def _chroma(rgb: npt.NDArray[np.float32]) -> tuple[Plane, Plane]:
    luma = rgb[..., 0] * _KR + rgb[..., 1] * _KG + rgb[..., 2] * _KB
    scale = 224.0 / 255.0
    u = 128.0 + (rgb[..., 2] - luma) * (scale / (2.0 * (1.0 - _KB)))
    v = 128.0 + (rgb[..., 0] - luma) * (scale / (2.0 * (1.0 - _KR)))
    return (
        np.clip(u + 0.5, 0, 255).astype(np.uint8),
        np.clip(v + 0.5, 0, 255).astype(np.uint8),
    )


def colour_yuv(colour: str) -> tuple[int, int, int]:
    """The (Y, U, V) levels of a '#RRGGBB' colour."""
    rgb = np.array([[hex_to_rgb(colour)]], dtype=np.float32)
    u, v = _chroma(rgb)
    return int(_luma(rgb)[0, 0]), int(u[0, 0]), int(v[0, 0])


def solid_frame(size: tuple[int, int], colour: str) -> Frame:
    """A frame of one colour."""
    width, height = size
    y, u, v = colour_yuv(colour)
    return Frame(
        np.full((height, width), y, np.uint8),
        np.full((height // 2, width // 2), u, np.uint8),
        np.full((height // 2, width // 2), v, np.uint8),
    )


def frame_to_rgb(frame: Frame) -> Image.Image:
    """The frame as an RGB image (chroma upsampled bilinearly), as a player would show it."""
    height, width = frame.y.shape
    luma = (frame.y.astype(np.float32) - 16.0) * (255.0 / 219.0)
    chroma = [
        np.asarray(Image.fromarray(plane).resize((width, height), Image.Resampling.BILINEAR), dtype=np.float32)
        for plane in (frame.u, frame.v)
    ]
    cb, cr = ((plane - 128.0) * (255.0 / 224.0) for plane in chroma)
    red = luma + cr * (2.0 * (1.0 - _KR))
    blue = luma + cb * (2.0 * (1.0 - _KB))
    green = (luma - _KR * red - _KB * blue) / _KG
    rgb = np.stack([red, green, blue], axis=-1)
    return Image.fromarray(np.clip(rgb + 0.5, 0, 255).astype(np.uint8))


# ----------------------------------------------------------------------------------------------
# Resampling


@cache
def _cv2() -> ModuleType | None:
    try:
        import cv2
    except ImportError:  # not installed, or its shared libraries (libGL) are missing
        return None
    return cv2


def fast_resampler() -> bool:
    """True when OpenCV does the per-frame resampling (else Pillow, several times slower)."""
    return _cv2() is not None


PHASES = 4
"""Sub-pixel positions per pixel that moving sources are pre-shifted to (window error ≤ 1/8 px)."""
PAD = 8
"""Luma pixels of edge replicated around a moving source, so every resampling tap stays on it."""


def _keys(x: float) -> float:
    """The Keys (Catmull-Rom, a = -0.5) cubic kernel."""
    x = abs(x)
    if x < 1:
        return 1.5 * x**3 - 2.5 * x**2 + 1
    if x < 2:
        return -0.5 * x**3 + 2.5 * x**2 - 4 * x + 2
    return 0.0


@cache
def _shift_kernel(phase: int) -> npt.NDArray[np.float32]:
    """Taps at offsets -1..2 that sample a row ``phase / PHASES`` of a pixel further on."""
    f = phase / PHASES
    return np.array([[_keys(f + 1), _keys(f), _keys(1 - f), _keys(2 - f)]], dtype=np.float32)


class MovingSource:
    """A picture prepared to be seen through a moving window: ``window(rect, size)`` is one frame.

    With OpenCV, each plane is kept in ``PHASES``² copies shifted by fractions of a pixel (cubic,
    made on first use); a window is then an integer crop of the nearest copy resized at the exact
    scale with ``cv2.resize``, about 4× cheaper than a general affine warp and as smooth (the
    window lands within 1/8 px). Without OpenCV, Pillow's ``resize(box=…)`` places it exactly.
    """

    def __init__(self, image: Image.Image, *, pillow: bool = False) -> None:
        rgb = np.asarray(image.convert("RGB"))
        height, width = rgb.shape[:2]
        self.size = (float(width), float(height))
        padded = np.pad(rgb, ((PAD, PAD + height % 2), (PAD, PAD + width % 2), (0, 0)), mode="edge")
        self.frame = rgb_to_frame(padded)
        self.pillow = pillow or _cv2() is None
        self._phases: dict[tuple[int, int, int], Plane] = {}

    def _phase(self, index: int, px: int, py: int) -> Plane:
        plane = self.frame[index]
        if px == 0 and py == 0:
            return plane
        key = (index, px, py)
        shifted = self._phases.get(key)
        if shifted is None:
            cv2 = _cv2()
            assert cv2 is not None
            shifted = cv2.sepFilter2D(
                plane, -1, _shift_kernel(px), _shift_kernel(py).T, anchor=(1, 1), borderType=cv2.BORDER_REPLICATE
            )
            self._phases[key] = shifted
        return shifted

    def window(self, rect: Rect, size: tuple[int, int]) -> Frame:
        """The ``rect`` (source pixels, inside the picture) resampled to a frame of ``size``."""
        planes = []
        for index, plane in enumerate(self.frame):
            scale = 1 if index == 0 else 2
            out_w, out_h = size[0] // scale, size[1] // scale
            left, top, right, bottom = ((v + PAD) / scale for v in rect)
            if self.pillow:
                box = (left, top, right, bottom)
                planes.append(np.array(Image.fromarray(plane).resize((out_w, out_h), _BILINEAR, box=box)))
                continue
            sx, sy = (right - left) / out_w, (bottom - top) / out_h
            x0, px = divmod(round(left * PHASES), PHASES)
            y0, py = divmod(round(top * PHASES), PHASES)
            crop = self._phase(index, px, py)[y0 : y0 + math.ceil(out_h * sy) + 2, x0 : x0 + math.ceil(out_w * sx) + 2]
            # With fx/fy given, OpenCV maps output pixel d to crop position (d + 0.5) / fx - 0.5 exactly.
            out = _cv2_resize(crop, 1.0 / sx, 1.0 / sy)
            planes.append(out[:out_h, :out_w])
        return Frame(*planes)


_BILINEAR = Image.Resampling.BILINEAR


def _cv2_resize(crop: Plane, fx: float, fy: float) -> Plane:
    cv2 = _cv2()
    assert cv2 is not None
    out: Plane = cv2.resize(crop, None, fx=fx, fy=fy, interpolation=cv2.INTER_LINEAR)
    return out


# ----------------------------------------------------------------------------------------------
# Blending


def blend(a: Frame, b: Frame, weight: float) -> Frame:
    """``a`` × (1 − weight) + ``b`` × weight, per plane."""
    k = round(weight * 256)
    if k <= 0:
        return a
    if k >= 256:
        return b
    return Frame(*(_blend(pa, pb, k) for pa, pb in zip(a, b, strict=True)))


def _blend(a: Plane, b: Plane, k: int) -> Plane:
    cv2 = _cv2()
    if cv2 is not None:
        out: Plane = cv2.addWeighted(a, (256 - k) / 256, b, k / 256, 0.0)
        return out
    acc = a.astype(np.uint16) * (256 - k)
    acc += b.astype(np.uint16) * k
    acc += 128
    acc >>= 8
    return acc.astype(np.uint8)


def fade(frame: Frame, colour: tuple[int, int, int], weight: float) -> Frame:
    """``frame`` faded towards a (Y, U, V) colour by ``weight`` (0: unchanged, 1: the colour)."""
    k = round(weight * 256)
    if k <= 0:
        return frame
    levels = np.arange(256, dtype=np.int32)
    planes = []
    for plane, target in zip(frame, colour, strict=True):
        lut = ((levels * (256 - k) + target * k + 128) >> 8).astype(np.uint8)
        planes.append(lut[plane])
    return Frame(*planes)


# ----------------------------------------------------------------------------------------------
# Sprites: pre-rendered RGBA images composited onto frames


@dataclass(frozen=True)
class Sprite:
    """An RGBA image converted once to planes with premultiplied colour, placed at even (x, y)."""

    x: int
    y: int
    planes: Frame
    alpha: Plane
    alpha_half: Plane

    @classmethod
    def from_image(cls, image: Image.Image, position: tuple[int, int]) -> Sprite:
        """A sprite of an RGBA image; odd positions and sizes are padded by a transparent pixel."""
        x, y = position
        pad_left, pad_top = x % 2, y % 2
        width = image.width + pad_left
        height = image.height + pad_top
        canvas = Image.new("RGBA", (width + width % 2, height + height % 2), (0, 0, 0, 0))
        canvas.paste(image.convert("RGBA"), (pad_left, pad_top))
        rgba = np.asarray(canvas)
        alpha = np.ascontiguousarray(rgba[..., 3])
        h, w = alpha.shape
        # Chroma from the alpha-weighted average colour of each 2×2 block, so that the colour of
        # transparent pixels does not bleed into the edges.
        weights = alpha.astype(np.float32).reshape(h // 2, 2, w // 2, 2, 1)
        colour = rgba[..., :3].astype(np.float32).reshape(h // 2, 2, w // 2, 2, 3)
        total = weights.sum(axis=(1, 3))
        mean = (colour * weights).sum(axis=(1, 3)) / np.maximum(total, 1.0)
        u, v = _chroma(mean)
        planes = Frame(_luma(rgba[..., :3].astype(np.float32)), u, v)
        alpha_half = np.clip(total[..., 0] / 4.0 + 0.5, 0, 255).astype(np.uint8)
        return cls(x - pad_left, y - pad_top, planes, alpha, alpha_half)

    @property
    def size(self) -> tuple[int, int]:
        return self.alpha.shape[1], self.alpha.shape[0]

    def composite(self, frame: Frame, opacity: float = 1.0, *, in_place: bool = False) -> Frame:
        """``frame`` with this sprite over it (clipped): a new frame, or ``frame``'s own planes if ``in_place``."""
        planes = []
        for index, (plane, own) in enumerate(zip(frame, self.planes, strict=True)):
            scale = 1 if index == 0 else 2
            alpha = self.alpha if index == 0 else self.alpha_half
            out = plane if in_place else plane.copy()
            _over(out, own, alpha, self.x // scale, self.y // scale, opacity)
            planes.append(out)
        return Frame(*planes)


def _over(dest: Plane, src: Plane, alpha: Plane, x: int, y: int, opacity: float) -> None:
    """``src`` over ``dest`` in place at (x, y), by ``alpha`` × ``opacity``."""
    height, width = dest.shape
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + src.shape[1], width), min(y + src.shape[0], height)
    if x1 <= x0 or y1 <= y0:
        return
    region = dest[y0:y1, x0:x1]
    fg = src[y0 - y : y1 - y, x0 - x : x1 - x].astype(np.uint16)
    a = alpha[y0 - y : y1 - y, x0 - x : x1 - x].astype(np.uint16)
    if opacity < 1.0:
        a = ((a * round(opacity * 256) + 128) >> 8).astype(np.uint16)
    acc = region.astype(np.uint16) * (255 - a)
    acc += fg * a
    # exact round(acc / 255) for 0 <= acc <= 65025
    acc += 128
    acc += acc >> 8
    acc >>= 8
    region[...] = acc


def paste(dest: Frame, src: Frame, x: int, y: int) -> None:
    """Copy ``src`` into ``dest`` in place with its top-left at even (x, y), clipped to ``dest``."""
    for index, (target, plane) in enumerate(zip(dest, src, strict=True)):
        scale = 1 if index == 0 else 2
        px, py = x // scale, y // scale
        height, width = target.shape
        x0, y0 = max(px, 0), max(py, 0)
        x1, y1 = min(px + plane.shape[1], width), min(py + plane.shape[0], height)
        if x1 > x0 and y1 > y0:
            target[y0:y1, x0:x1] = plane[y0 - py : y1 - py, x0 - px : x1 - px]


def frame_bytes(frame: Frame) -> Sequence[memoryview]:
    """The planes in yuv420p order, as buffers for the encoder's pipe."""
    return [np.ascontiguousarray(plane).data for plane in frame]
