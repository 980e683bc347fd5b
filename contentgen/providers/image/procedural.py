"""Procedural poster backgrounds from a brand palette: the offline default image provider.

Select it with ``CONTENTGEN_IMAGE__NAME=procedural`` (the default). Only numpy and Pillow are used, every
operation is vectorised (no per-pixel Python), and a 1080×1920 background takes about 10 ms on 2 cores
(``python -m bench.bench_images``).

What a request controls
    ``palette`` (``#RRGGBB`` or ``#RGB`` strings) gives the colours, used as given: pass the tones the
    background should be in, for example a kit's background, secondary and primary colours. An empty
    palette falls back to `FALLBACK_PALETTE` (oat, sand, sage, deep sage). ``style`` picks one of
    `STYLES`; ``None`` takes the provider's ``default_style`` option, and if that is unset too a choice
    seeded by ``seed``. ``seed`` decides everything else: the same request gives the same pixels (with
    the same numpy and Pillow), and a style chosen by the seed gives the very image that naming that
    style would. ``prompt`` and ``negative_prompt`` are not used: a background has no subject.

Styles
    ``gradient``  a linear (mostly top to bottom) or radial gradient through two to four palette colours
                  in lightness order, gently warped by smooth noise.
    ``blobs``     four to six large soft colour fields over a base colour (a mesh-gradient look).
    ``waves``     three to five stacked bands with soft sine edges, their colours steps along one ramp.
    ``pattern``   dots, a grid or diagonal stripes at low contrast over a one-colour gradient.
    ``paper``     one colour with faint mottling, a vignette and a fibrous grain.
    ``sunburst``  soft rays in a shade and a tint of one colour, from a point near an edge, with a glow.

    Colours are blended in OKLab with their chroma kept (no grey or muddy midpoints), and only colours
    whose hues lie within 60° of each other are blended at all (near-neutrals go with anything): between
    teal and terracotta lies an olive that is in no palette. A lone colour gets a tint and a shade of
    itself, symmetric, so the image's average stays on it.

Calm enough for text
    A background must not fight the text on top of it, so every style keeps *local* contrast low, even
    when the palette's colours are far apart: gradients and colour fields change over hundreds of
    pixels; colour fields (blobs) only combine colours within 0.3 of OKLab lightness; neighbouring wave
    bands differ by at most 0.08 in OKLab lightness (the ramp stops short if it must) across a soft
    edge; pattern marks and sunburst rays differ from their surroundings by a few percent of lightness;
    grain is a few levels. Measured with the ``grain`` option at 0, the standard deviation of luminance
    inside square blocks of 1/64 of the shorter side (17 px on a 1080 px wide poster) stays below 6
    levels of 255 in 99 % of the blocks, for every style and for palettes as stark as black and white
    (tests/test_image_providers.py checks it). Whether a given text colour is legible on the result is
    still for the layout to measure (`contentgen.render.legibility`).

How it is fast
    A style computes its colour field on every 8th pixel (135×240 samples for a 1080×1920 poster).
    Pillow scales that up bilinearly; above 1.2 megapixels only to 1/4 of the output size (1/2 for the
    styles with soft edges, waves and sunburst), after which every pixel is repeated in 4×4 (2×2)
    squares, which keeps within 3 levels of scaling bilinearly all the way at a third of the cost (the
    tests measure that too). The repeats are done in numpy on packed RGBX pixels: across, a pixel p
    becomes the uint64 p·(2³²+1), two copies of itself; down, in the one pass that adds the offsets.

    Only what must be sharp is made at full size: the grain (a 256 px tile, the same for every image,
    laid at a seeded phase) and the pattern marks (one period of the motif), summed into one luminance
    offset and added to R, G and B at once as offset·0x010101 to each packed pixel. That is exact
    because nothing carries from one byte into the next: the field is first kept as many levels away
    from 0 and 255 as the offsets reach (3σ of the grain plus the marks), so pure white comes out as
    251 at the default grain of 0.35, and as 243 at grain 1.

    Full-size working buffers are kept per thread between calls (fresh memory costs a page fault per
    4 KiB, which on a busy VM is most of the time); `close` lets them go.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, get_args

import numpy as np
from PIL import Image
from pydantic import Field

from contentgen.errors import ConfigError, NotFoundError
from contentgen.providers.base import ImageProvider, ImageRequest, ProviderOptions

if TYPE_CHECKING:
    import numpy.typing as npt

    Array = npt.NDArray[np.floating[Any]]

__all__ = ["FALLBACK_PALETTE", "STYLES", "ProceduralImageProvider", "ProceduralOptions", "Style"]

Style = Literal["gradient", "blobs", "waves", "pattern", "paper", "sunburst"]
STYLES: tuple[Style, ...] = get_args(Style)
FALLBACK_PALETTE: tuple[str, ...] = ("#F3EEE6", "#DCC9B2", "#A3B5A6", "#50706B")
MAX_SIDE = 16384
GRAIN_SIGMA = 4.0  # levels of 255 at grain=1
TILE = 256
NEUTRAL = 0.04  # OKLab chroma below which a colour counts as a neutral
HUE_SPREAD = math.radians(60)  # the widest hue difference blended
MAX_STEP = 0.08  # the most OKLab lightness between neighbouring wave bands


class ProceduralOptions(ProviderOptions):
    grain: float = Field(0.35, ge=0.0, le=1.0, description="film grain strength, 0 (none) to 1 (about ±12 levels)")
    default_style: Style | None = Field(None, description="the style of requests without one; unset: chosen by seed")


class ProceduralImageProvider(ImageProvider):
    """Seeded, vectorised brand backgrounds in six styles; no model, no network."""

    name: ClassVar[str] = "procedural"
    fresh_images: ClassVar[bool] = True  # each image is a new Image; the scratch buffers are copied into it
    Options = ProceduralOptions
    options: ProceduralOptions

    def __init__(self, options: ProceduralOptions | Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self._scratch = threading.local()

    def render(self, requests: Sequence[ImageRequest]) -> list[Image.Image]:
        plans = [self._plan(r) for r in requests]  # every request checked before any is drawn
        scratch: _Scratch | None = getattr(self._scratch, "buffers", None)
        if scratch is None:
            scratch = self._scratch.buffers = _Scratch()
        return [_draw(plan, self.options.grain, scratch) for plan in plans]

    def close(self) -> None:
        """Let go of the working buffers (about 12 MB per thread that rendered a 1080×1920 poster)."""
        self._scratch = threading.local()

    def style_of(self, request: ImageRequest) -> Style:
        """The style `render` draws `request` in."""
        return self._plan(request).style

    def _plan(self, request: ImageRequest) -> _Plan:
        w, h = request.width, request.height
        if not (0 < w <= MAX_SIDE and 0 < h <= MAX_SIDE):
            raise ConfigError(f"image size {w}×{h} is out of range; each side must be 1 to {MAX_SIDE} px")
        wanted = request.style if request.style is not None else self.options.default_style
        seed = request.seed % 2**63
        if wanted is None:
            style = STYLES[int(np.random.default_rng([seed, 0]).integers(len(STYLES)))]
        elif wanted in STYLES:
            style = wanted
        else:
            raise NotFoundError("image style", wanted, STYLES)
        return _Plan(w, h, seed, style, _palette(request.palette or FALLBACK_PALETTE))


# ---- colour ---------------------------------------------------------------------------------------

_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
# OKLab (Björn Ottosson, 2020): linear sRGB -> LMS -> cube root -> Lab, and back.
_M1 = np.array(
    [
        [0.4122214708, 0.5363325363, 0.0514459929],
        [0.2119034982, 0.6806995451, 0.1073969566],
        [0.0883024619, 0.2817188376, 0.6299787005],
    ]
)
_M2 = np.array(
    [
        [0.2104542553, 0.7936177850, -0.0040720468],
        [1.9779984951, -2.4285922050, 0.4505937099],
        [0.0259040371, 0.7827717662, -0.8086757660],
    ]
)
_M1_INV_T = np.linalg.inv(_M1).T.astype(np.float32)
_M2_INV_T = np.linalg.inv(_M2).T.astype(np.float32)
_LINEAR = np.linspace(0.0, 1.0, 16384)
# Linear light to sRGB as a table of 16384 steps, fine enough for 8-bit output even in the shadows.
_ENCODE = np.where(_LINEAR <= 0.0031308, _LINEAR * 12.92, 1.055 * _LINEAR ** (1 / 2.4) - 0.055).astype(np.float32)


def _palette(colours: Sequence[str]) -> Array:
    """The palette as OKLab rows."""
    rgb = []
    for colour in colours:
        match = _HEX.match(colour.strip())
        if not match:
            raise ConfigError(f"palette colour '{colour}' is not a hex colour like '#1F5C57'")
        digits = match.group(1)
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        rgb.append([int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)])
    return _to_lab(np.array(rgb, dtype=np.float32))


def _to_lab(rgb: Array) -> Array:
    """sRGB in 0..1 (any leading shape, last axis 3) to OKLab."""
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    lab: Array = (np.cbrt(linear @ _M1.T) @ _M2.T).astype(np.float32)
    return lab


def _to_rgb(lab: Array) -> Array:
    """OKLab to sRGB in 0..1, clipped to the gamut."""
    lms = lab.astype(np.float32) @ _M2_INV_T
    linear = (lms * lms * lms) @ _M1_INV_T
    index = np.clip(linear * (len(_ENCODE) - 1) + 0.5, 0, len(_ENCODE) - 1).astype(np.intp)
    out: Array = np.take(_ENCODE, index)
    return out


def _lighten(lab: Array, amount: float) -> Array:
    """Move OKLab lightness by `amount` (negative: darker), stopping at black and white."""
    out = lab.copy()
    out[0] = min(max(out[0] + amount, 0.0), 1.0)
    out[1:] *= 1.0 - abs(amount)  # a touch less chroma as it lightens or darkens
    return out


def _keep_chroma(mixed: Array, chroma: Array) -> Array:
    """Rescale the a/b of averaged OKLab colours to the averaged chroma: blends stay as vivid as their ends."""
    have = np.sqrt(mixed[..., 1] ** 2 + mixed[..., 2] ** 2)
    gain = np.minimum(chroma / np.maximum(have, 1e-4), 4.0)
    out = mixed.copy()
    out[..., 1:] *= gain[..., None]
    return out


def _ramp(stops: Array, positions: Sequence[float] | Array | None = None, n: int = 1024, *, ease: bool = True) -> Array:
    """A lookup table of n sRGB colours through OKLab stops, eased between them (no Mach bands) or linear."""
    k = len(stops)
    if k == 1:
        return np.repeat(_to_rgb(stops), n, axis=0)
    xs = np.asarray(positions if positions is not None else np.linspace(0, 1, k), dtype=np.float32)
    t = np.linspace(0, 1, n, dtype=np.float32)
    seg = np.clip(np.searchsorted(xs, t, side="right") - 1, 0, k - 2)
    local = np.clip((t - xs[seg]) / np.maximum(xs[seg + 1] - xs[seg], 1e-6), 0.0, 1.0)
    if ease:
        local = local * local * (3 - 2 * local)
    lab = stops[seg] + (stops[seg + 1] - stops[seg]) * local[:, None]
    chroma = np.hypot(stops[:, 1], stops[:, 2])
    return _to_rgb(_keep_chroma(lab, chroma[seg] + (chroma[seg + 1] - chroma[seg]) * local))


def _lookup(lut: Array, t: Array) -> Array:
    index = np.clip(t * (len(lut) - 1) + 0.5, 0, len(lut) - 1).astype(np.intp)
    out: Array = np.take(lut, index, axis=0)
    return out


def _harmonious(lab: Array, rng: np.random.Generator, k: int, *, window: float = 1.0) -> Array:
    """Up to k palette colours picked by the seed, hues within 60° and lightness within `window` of each other.

    Near-neutral colours (a cream, an ink) go with any hue. Far-apart hues (teal and terracotta) are never
    blended: between them lies an olive or a grey that is in no palette. A lone colour comes back with a
    tint and a shade of itself, so a style still has tones to work with and the average stays on it.
    """
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    hue = np.arctan2(lab[:, 2], lab[:, 1])
    chosen: list[int] = []
    for i in rng.permutation(len(lab)):
        fits = all(
            abs(lab[i, 0] - lab[j, 0]) <= window
            and (
                chroma[i] < NEUTRAL
                or chroma[j] < NEUTRAL
                or abs(math.remainder(hue[i] - hue[j], math.tau)) <= HUE_SPREAD
            )
            for j in chosen
        )
        if fits and len(chosen) < k:
            chosen.append(int(i))
    picked = lab[chosen]
    if len(picked) == 1:
        picked = np.stack([picked[0], _lighten(picked[0], 0.06), _lighten(picked[0], -0.06)])
    return picked


def _by_lightness(lab: Array, rng: np.random.Generator, k: int) -> Array:
    """Up to k harmonious palette colours, ordered light to dark or dark to light."""
    chosen = _harmonious(lab, rng, k)
    ordered = chosen[np.argsort(-chosen[:, 0])]
    return ordered if rng.random() < 0.5 else ordered[::-1]


# ---- canvas ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    width: int
    height: int
    seed: int
    style: Style
    palette: Array


@dataclass
class _Canvas:
    """The low-resolution sampling grid of an output, in units of its shorter side."""

    width: int
    height: int
    w: int
    h: int
    x: Array  # shape (1, w)
    y: Array  # shape (h, 1)

    @classmethod
    def at(cls, width: int, height: int, step: int) -> _Canvas:
        w, h = max(2, math.ceil(width / step)), max(2, math.ceil(height / step))
        short = min(width, height)
        # Sample i stands where Pillow's resize puts it: at the centre of its 1/w of the full width.
        x = ((np.arange(w, dtype=np.float32) + 0.5) / w * (width / short))[None, :]
        y = ((np.arange(h, dtype=np.float32) + 0.5) / h * (height / short))[:, None]
        return cls(width, height, w, h, x, y)

    @property
    def aw(self) -> float:
        return self.width / min(self.width, self.height)

    @property
    def ah(self) -> float:
        return self.height / min(self.width, self.height)

    def noise(self, rng: np.random.Generator, cells: float) -> Array:
        """Smooth value noise in about -1..1 with `cells` features across the shorter side."""
        gw, gh = max(2, math.ceil(cells * self.aw) + 1), max(2, math.ceil(cells * self.ah) + 1)
        grid = Image.fromarray(rng.standard_normal((gh, gw)).astype(np.float32))
        out: Array = np.asarray(grid.resize((self.w, self.h), Image.Resampling.BICUBIC), dtype=np.float32)
        return out


def _smoothstep(e0: float, e1: float, x: Array) -> Array:
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    out: Array = t * t * (3 - 2 * t)
    return out


@dataclass
class _Layers:
    """What a style makes: the smooth field, and what is drawn at full size on top of it."""

    field: Array  # (h, w, 3) sRGB in 0..1
    overlay: npt.NDArray[np.int8] | None = None  # (th, tw) luminance offsets, tiled over the output
    grain: float = 1.0  # multiplies the grain option
    fibrous: bool = False  # grain stretched along x (paper)


# ---- styles ---------------------------------------------------------------------------------------


def _gradient(c: _Canvas, pal: Array, rng: np.random.Generator) -> _Layers:
    stops = _by_lightness(pal, rng, int(rng.integers(2, 5)))
    if rng.random() < 0.6:
        angle = math.pi / 2 + rng.uniform(-0.6, 0.6)  # mostly top to bottom
        d = c.x * math.cos(angle) + c.y * math.sin(angle)
        corners = [cx * math.cos(angle) + cy * math.sin(angle) for cx in (0, c.aw) for cy in (0, c.ah)]
        t = (d - min(corners)) / (max(corners) - min(corners))
    else:
        cx, cy = rng.uniform(0.1, 0.9) * c.aw, rng.uniform(-0.1, 0.45) * c.ah
        far = max(math.hypot(px - cx, py - cy) for px in (0, c.aw) for py in (0, c.ah))
        t = np.sqrt((c.x - cx) ** 2 + (c.y - cy) ** 2) / far
    t = t + 0.02 * c.noise(rng, 1.5)
    k = len(stops)
    positions = np.clip(np.linspace(0, 1, k) + rng.uniform(-0.08, 0.08, k) * (np.arange(k) % (k - 1) != 0), 0, 1)
    return _Layers(_lookup(_ramp(stops, np.sort(positions)), t))


def _blobs(c: _Canvas, pal: Array, rng: np.random.Generator) -> _Layers:
    chosen = _harmonious(pal, rng, 3, window=0.3)  # big fields of far-apart lightness would be loud
    count = int(rng.integers(4, 7))
    colours = np.concatenate([chosen[:1], chosen[rng.permutation(np.resize(np.arange(len(chosen)), count))]])
    centres = np.stack([rng.uniform(-0.15, c.aw + 0.15, count), rng.uniform(-0.15, c.ah + 0.15, count)], axis=1)
    k = (-2.0 / rng.uniform(0.35, 0.7, count) ** 2).astype(np.float32)[:, None]
    # A Gaussian is separable: each blob's weights are an outer product of a row and a column. Exponents
    # stop at -40 so that no product is a subnormal float (arithmetic on those is 100 times slower).
    wx = np.exp(np.maximum(k * (c.x - centres[:, :1].astype(np.float32)) ** 2, -40))  # (count, w)
    wy = np.exp(np.maximum(k * (c.y.T - centres[:, 1:].astype(np.float32)) ** 2, -40))  # (count, h)
    weights = np.empty((count + 1, c.h * c.w), dtype=np.float32)
    weights[0] = 0.25  # the base colour, everywhere
    np.multiply(wy[:, :, None], wx[:, None, :], out=weights[1:].reshape(count, c.h, c.w))
    total = weights.sum(axis=0)
    chroma = np.hypot(colours[:, 1], colours[:, 2])
    # einsum, not @: a BLAS call this thin spends far more time waking its threads than computing.
    lab = (np.einsum("kn,kc->nc", weights, colours) / total[:, None]).reshape(c.h, c.w, 3)
    return _Layers(_to_rgb(_keep_chroma(lab, (np.einsum("kn,k->n", weights, chroma) / total).reshape(c.h, c.w))))


def _waves(c: _Canvas, pal: Array, rng: np.random.Generator) -> _Layers:
    bands = int(rng.integers(3, 6))
    stops = _by_lightness(pal, rng, 2 if len(pal) < 4 else int(rng.integers(2, 4)))
    # Neighbouring bands differ by at most MAX_STEP in lightness: the ramp stops short if it must.
    span = abs(float(stops[-1, 0] - stops[0, 0]))
    lut = _ramp(stops, ease=False)
    if span > MAX_STEP * bands:
        lut = lut[: max(2, round(len(lut) * MAX_STEP * bands / span))]
    top, bottom = rng.uniform(0.25, 0.45), rng.uniform(0.85, 1.0)
    count = np.zeros((c.h, c.w), dtype=np.float32)
    band = np.empty_like(count)
    slope = np.float32(1 / 0.024)  # each edge ramps over 0.024 of the shorter side (26 px on 1080)
    for k in range(bands):
        base = (top + (bottom - top) * k / max(bands - 1, 1)) * c.ah
        amp, freq = rng.uniform(0.025, 0.07), rng.uniform(0.5, 1.3)
        phase, phase2 = rng.uniform(0, 2 * math.pi, 2)
        y = base + amp * (np.sin(2 * math.pi * freq * c.x + phase) + 0.35 * np.sin(4.7 * math.pi * freq * c.x + phase2))
        np.subtract(c.y, y, out=band)
        band *= slope
        band += 0.5
        count += np.clip(band, 0.0, 1.0, out=band)
    t = (count + 0.25 * (c.y / c.ah)) / (bands + 0.25)  # a gentle shade down every band
    if rng.random() < 0.35:
        t = t[::-1]  # waves along the top instead
    return _Layers(_lookup(lut, t))


def _pattern(c: _Canvas, pal: Array, rng: np.random.Generator) -> _Layers:
    a = pal[rng.integers(len(pal))]
    lut = _ramp(np.stack([_lighten(a, 0.025), _lighten(a, -0.025)])[:: rng.choice([-1, 1])])
    field = _lookup(lut, np.broadcast_to(c.y / c.ah, (c.h, c.w)))
    period = max(8, round(min(c.width, c.height) / rng.uniform(14, 22)))
    kind = ("dots", "grid", "diagonal")[int(rng.integers(3))]
    strength = 9.0 if kind != "grid" else 14.0  # grid lines are thin: a little more contrast
    sign = -1.0 if float(a[0]) > 0.55 else 1.0  # darker marks on a light colour, lighter on a dark one
    return _Layers(field, overlay=_motif(kind, period, rng, sign * strength))


def _motif(kind: str, p: int, rng: np.random.Generator, strength: float) -> npt.NDArray[np.int8]:
    """One anti-aliased period of the pattern, as luminance offsets."""
    rows = 2 * p if kind == "dots" else p
    y = np.arange(rows, dtype=np.float32)[:, None] + 0.5
    x = np.arange(p, dtype=np.float32)[None, :] + 0.5
    if kind == "dots":  # staggered rows: a dot at mid-cell, the next row's dots half a period along
        radius = p * rng.uniform(0.1, 0.17)
        d1 = np.hypot(x - p / 2, y - p / 2)
        d2 = np.minimum(np.hypot(x, y - 1.5 * p), np.hypot(x - p, y - 1.5 * p))
        coverage = np.clip(radius + 0.5 - np.minimum(d1, d2), 0, 1)
    elif kind == "grid":
        width = max(1.0, p / 40)
        dx, dy = np.minimum(x, p - x), np.minimum(y, p - y)
        coverage = np.clip(width / 2 + 0.5 - np.minimum(dx, dy), 0, 1)
    else:  # diagonal stripes: lines x + y = k·p are periodic in both axes
        width = p * rng.uniform(0.18, 0.3)
        s = np.mod(x + y, p)
        d = np.minimum(s, p - s) / math.sqrt(2)
        coverage = np.clip(width / 2 + 0.5 - d, 0, 1)
    marks: npt.NDArray[np.int8] = np.rint(coverage * strength).astype(np.int8)
    return marks


def _paper(c: _Canvas, pal: Array, rng: np.random.Generator) -> _Layers:
    base = pal[int(np.argmax(pal[:, 0]))] if rng.random() < 0.6 else pal[rng.integers(len(pal))]
    mottle = 0.5 * c.noise(rng, 4) + 0.5 * c.noise(rng, 16)
    rx, ry = (c.x / c.aw - 0.5) * 2, (c.y / c.ah - 0.5) * 2
    vignette = rng.uniform(0.06, 0.1) * _smoothstep(0.5, 1.45, np.sqrt(rx * rx + ry * ry))
    rgb = _to_rgb(base[None, :])[0]
    field = rgb * ((1 + 0.01 * mottle) * (1 - vignette))[..., None]
    return _Layers(np.clip(field, 0, 1), grain=1.5, fibrous=True)


def _sunburst(c: _Canvas, pal: Array, rng: np.random.Generator) -> _Layers:
    base = pal[rng.integers(len(pal))]
    dark, light = _lighten(base, -0.025), _lighten(base, 0.025)
    glow = _lighten(base, 0.05)
    cx = rng.uniform(0.3, 0.7) * c.aw
    cy = rng.uniform(-0.2, 0.25) * c.ah
    if rng.random() < 0.3:
        cy = c.ah - cy  # from the bottom
    dx, dy = c.x - cx, c.y - cy
    d = np.sqrt(dx * dx + dy * dy)
    rays = int(rng.integers(12, 22))
    ray = 0.5 + 0.5 * np.cos(rays * np.arctan2(dy, dx) + rng.uniform(0, 2 * math.pi))
    # Rays alternate a shade and a tint of the base, fading into the base where they converge.
    s = 0.5 + (_smoothstep(0.3, 0.7, ray) - 0.5) * _smoothstep(0.02, 0.3, d)
    g = np.exp(-((d / 0.55) ** 2))
    c0, c1, c2, c3 = (_to_rgb(v[None, :])[0] for v in (dark, light, base, glow))
    field = c0 + s[..., None] * (c1 - c0) + g[..., None] * (c3 - c2) * 0.8
    return _Layers(np.clip(field, 0, 1).astype(np.float32))


#: style: (field step, (block across, block down), function). The field is computed on every step-th
#: pixel; above BLOCKED pixels it is scaled bilinearly to 1/block of the output and each pixel repeated
#: in a block, which stays within 3 levels of scaling bilinearly all the way: 4×4 on the smoothest
#: styles, 2×2 on those with soft edges (waves, rays; 4×2 would cost waves 6 levels where they are
#: steep). tests/test_image_providers.py measures it.
_STYLE_FUNCS: dict[Style, tuple[int, tuple[int, int], Callable[[_Canvas, Array, np.random.Generator], _Layers]]] = {
    "gradient": (8, (4, 4), _gradient),
    "blobs": (8, (4, 4), _blobs),
    "waves": (8, (2, 2), _waves),
    "pattern": (8, (4, 4), _pattern),
    "paper": (8, (4, 4), _paper),
    "sunburst": (8, (2, 2), _sunburst),
}
BLOCKED = 1_200_000


# ---- drawing --------------------------------------------------------------------------------------


class _Scratch:
    """Full-size working buffers kept between images of one size: fresh memory costs a page fault per 4 KiB."""

    def __init__(self) -> None:
        self._buffers: dict[str, np.ndarray[Any, Any]] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: str) -> np.ndarray[Any, Any]:
        buffer = self._buffers.get(name)
        if buffer is None or buffer.shape != shape or buffer.dtype != np.dtype(dtype):
            buffer = self._buffers[name] = np.empty(shape, dtype=dtype)
        return buffer


def _draw(plan: _Plan, grain: float, scratch: _Scratch) -> Image.Image:
    step, (across, down_by), style = _STYLE_FUNCS[plan.style]
    rng = np.random.default_rng([plan.seed, 1 + STYLES.index(plan.style)])
    canvas = _Canvas.at(plan.width, plan.height, step)
    layers = style(canvas, plan.palette, rng)
    offsets = _offsets(rng, grain * layers.grain, layers.fibrous, layers.overlay)
    margin = int(np.abs(offsets).max()) if offsets is not None else 0

    # The field is kept in 0..255-2m and the offsets (plus m) in 0..2m, so that their sum never leaves
    # 0..255: then adding packed RGBX pixels as uint32 adds each byte on its own, with no carry.
    field8 = np.clip(layers.field * 255 + 0.5, margin, 255 - margin).astype(np.uint8) - np.uint8(margin)
    image = Image.fromarray(field8)
    width, height = plan.width, plan.height
    # Bilinear up to 1/block of the output, then every pixel repeated to fill its block: on fields this
    # smooth it looks the same as bilinear all the way, at a fraction of the cost. Pillow only scales;
    # the repeats are done here on packed RGBX pixels, down in the same pass that adds the offsets.
    if width * height <= BLOCKED:
        across = down_by = 1
    rows, cols = -(-height // down_by), -(-width // across)
    image = image.resize((cols, rows), Image.Resampling.BILINEAR)
    pixels = np.frombuffer(image.tobytes("raw", "RGBX"), dtype="<u4").reshape(rows, cols)
    for level in range(across.bit_length() - 1):  # across: each doubling makes a pixel p the uint64 p·(2³²+1)
        pairs = scratch.get(f"pairs{level}", pixels.shape, "<u8")
        np.multiply(pixels, np.uint64(0x1_0000_0001), out=pairs, dtype="<u8")
        pixels = pairs.view("<u4")
    out = scratch.get("out", (rows * down_by, width), "<u4")
    down = out.reshape(rows, down_by, width)
    if offsets is None:
        np.copyto(down, pixels[:, None, :width])
    else:
        _fill_tiled(out[:height], offsets, margin, rng)
        np.add(down, pixels[:, None, :width], out=down)
    # Image.frombytes would first fill the new image with zeros: a pass over 8 MB that the decoder overwrites.
    image = Image.new("RGB", (width, height), None)
    image.frombytes(out[:height], "raw", "RGBX")
    return image


def _fill_tiled(
    out: np.ndarray[Any, Any], offsets: npt.NDArray[np.int8], margin: int, rng: np.random.Generator
) -> None:
    """Cover `out` with the offset tile (at a seeded phase), each offset plus margin on R, G and B."""
    packed = (offsets.astype(np.uint32) + margin) * np.uint32(0x010101)
    th, tw = packed.shape
    height, width = out.shape
    dy, dx = int(rng.integers(th)), int(rng.integers(tw))
    for y0 in range(-dy, height, th):  # one block copy per tile: a few dozen, not per pixel
        for x0 in range(-dx, width, tw):
            ys, xs = slice(max(y0, 0), min(y0 + th, height)), slice(max(x0, 0), min(x0 + tw, width))
            out[ys, xs] = packed[ys.start - y0 : ys.stop - y0, xs.start - x0 : xs.stop - x0]


def _offsets(
    rng: np.random.Generator, grain: float, fibrous: bool, overlay: npt.NDArray[np.int8] | None
) -> npt.NDArray[np.int8] | None:
    """One tile of luminance offsets: grain (about 256 px square) plus the pattern's marks, if any."""
    sigma = round(GRAIN_SIGMA * grain, 2)
    if sigma < 0.25:
        return overlay
    if overlay is None:
        return _grain(TILE, TILE, sigma, fibrous)
    (ph, pw), reps = overlay.shape, (-(-TILE // overlay.shape[0]), -(-TILE // overlay.shape[1]))
    out: npt.NDArray[np.int8] = _grain(ph * reps[0], pw * reps[1], sigma, fibrous) + np.tile(overlay, reps)
    return out


@functools.lru_cache(maxsize=32)
def _grain(height: int, width: int, sigma: float, fibrous: bool) -> npt.NDArray[np.int8]:
    """A tile of grain, clipped at 3σ; the same for every image (each takes it at its own seeded phase)."""
    rng = np.random.default_rng([height, width, int(fibrous)])
    noise = rng.standard_normal((height, width), dtype=np.float32)
    if fibrous:  # paper: mostly fibres running across (noise smeared along x, wrapping round), some speckle
        kernel = (1, 2, 3, 4, 3, 2, 1)
        wide = np.concatenate([noise[:, -3:], noise, noise[:, :3]], axis=1)
        fibres = sum(wide[:, i : i + width] * np.float32(k) for i, k in enumerate(kernel))
        noise = 0.8 / math.sqrt(sum(k * k for k in kernel)) * fibres + 0.6 * rng.standard_normal(
            noise.shape, dtype=np.float32
        )
    tile: npt.NDArray[np.int8] = np.rint(np.clip(noise * sigma, -3 * sigma, 3 * sigma)).astype(np.int8)
    tile.flags.writeable = False  # shared between images
    return tile
