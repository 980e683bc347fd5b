"""Text legibility on rendered posters: WCAG contrast, measured on pixels, and how to fix a failure.

Everything here works on the pixels that were actually rendered, not on the colours a layout asked
for, so anti-aliasing, photos, gradients and translucent panels are all accounted for.

Contrast (WCAG 2.x, exactly)
    ``relative_luminance`` linearises each sRGB channel (``c/255 <= 0.04045 ? c/12.92 :
    ((c+0.055)/1.055)**2.4``) and weights them ``0.2126 R + 0.7152 G + 0.0722 B``; ``contrast_ratio``
    is ``(L_lighter + 0.05) / (L_darker + 0.05)``, from 1 to 21. (WCAG 2.0/2.1 print the threshold as
    0.03928, WCAG 2.2 as 0.04045; no 8-bit value lies between them, so the results are identical.)

Measured contrast (``measure_contrast``)
    * text: the *median* luminance of the pixels under the text mask eroded by ``erode`` px, so the
      anti-aliased rim (a blend of text and background) does not count; where erosion leaves nothing
      (hairline strokes) the fully covered mask pixels, then the whole mask, are used instead.
    * background: the pixels of the box outside the text mask dilated by ``halo`` px.
    * ratio: for every background pixel the contrast against the text luminance is computed, and the
      ``percentile``-th percentile (default 10th) of those ratios is reported: "90 % of the background
      behind this text has at least this contrast". It is the background pixel *closest in luminance to
      the text*, at a low percentile rather than the minimum, so a gradient or photo cannot hide a
      failing area behind a good average, while a few stray pixels (noise, a sparkle) cannot fail a box
      on their own. It is symmetric: a background that is partly lighter and partly darker than the
      text is judged by whichever side comes closer.

Required ratio (``required_ratio``)
    WCAG 1.4.3 (AA): 4.5:1, or 3:1 for large text; 1.4.6 (AAA): 7:1, or 4.5:1 for large text. "Large"
    is >= 18 pt (24 CSS px) regular or >= 14 pt (18.66 CSS px) bold. CSS pixels are an angular unit
    (the viewing distance is built in), so poster pixels are mapped to CSS pixels by the size the poster
    is *seen* at: a poster is viewed whole, its shorter side filling a phone screen of ``view_px`` =
    360 CSS px (the narrowest common phone viewport, so the most demanding). On a 1080 px wide poster
    that makes text large from a 72 px font size (56 px bold). ``size_px`` is the font size (em) in
    poster pixels, the number given to ``ImageFont.truetype``.

Fixing a failure
    ``choose_text_colour`` picks the candidate colour with the best worst-case (same percentile)
    contrast over the background pixels; ``scrim_for`` finds the least opacity, in steps, of a dark or
    light panel that makes a text colour pass, by compositing the candidate panel onto the background
    pixels with Pillow exactly as ``apply_scrim`` does and re-measuring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from contentgen.domain.common import hex_to_rgb
from contentgen.render.cache import cached

Box: TypeAlias = tuple[int, int, int, int]
"""(left, top, right, bottom) in pixels, right and bottom exclusive (Pillow's crop convention)."""

RGB: TypeAlias = tuple[int, int, int]
ColourLike: TypeAlias = str | Sequence[float]
"""A '#RRGGBB' string or an (r, g, b) triple of 0–255 values."""

Pixels: TypeAlias = Image.Image | npt.NDArray[np.generic]
"""Background pixels: a Pillow image, or an array of shape (..., 3) (or (..., 4): alpha is ignored) of 0–255."""

WCAG_NORMAL = 4.5
WCAG_LARGE = 3.0
WCAG_AAA_NORMAL = 7.0
WCAG_AAA_LARGE = 4.5
LARGE_TEXT_CSS_PX = 24.0
"""18 pt."""
LARGE_BOLD_TEXT_CSS_PX = 18.66
"""14 pt, as WCAG writes it."""
DEFAULT_VIEW_PX = 360.0
"""CSS px the poster's shorter side is assumed to be seen at (a phone screen's width)."""
DEFAULT_PERCENTILE = 10.0

_WEIGHTS = np.array([0.2126, 0.7152, 0.0722])


def _linear(c: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    s = c / 255.0
    return np.where(s <= 0.04045, s / 12.92, ((s + 0.055) / 1.055) ** 2.4)


_CHANNEL_LUT: npt.NDArray[np.float64] = _WEIGHTS[:, np.newaxis] * _linear(np.arange(256, dtype=np.float64))
"""Per channel, the weighted linear value of each 8-bit level: luminance = R[r] + G[g] + B[b]."""


def _rgb(colour: ColourLike) -> tuple[float, float, float]:
    if isinstance(colour, str):
        if len(colour) != 7 or not colour.startswith("#"):
            raise ValueError(f"colour must be '#RRGGBB', got {colour!r}")
        return hex_to_rgb(colour)
    if len(colour) < 3:
        raise ValueError(f"colour must have three channels, got {colour!r}")
    r, g, b = (float(v) for v in colour[:3])
    return r, g, b


def relative_luminance(rgb: ColourLike) -> float:
    """WCAG 2.x relative luminance (0 = black, 1 = white) of an sRGB colour."""
    if isinstance(rgb, str):
        return _hex_luminance(rgb)  # a poster asks for its palette's few colours hundreds of times
    return _luminance_of_rgb(_rgb(rgb))


@cached(maxsize=1024)
def _hex_luminance(colour: str) -> float:
    return _luminance_of_rgb(_rgb(colour))


def _luminance_of_rgb(rgb: tuple[float, float, float]) -> float:
    channels = np.array(rgb, dtype=np.float64)
    return float(_linear(channels) @ _WEIGHTS)


def _ratio_from_luminance(a: float, b: float) -> float:
    hi, lo = (a, b) if a >= b else (b, a)
    return (hi + 0.05) / (lo + 0.05)


def contrast_ratio(a: ColourLike, b: ColourLike) -> float:
    """WCAG 2.x contrast ratio of two colours, 1 to 21, order irrelevant."""
    return _ratio_from_luminance(relative_luminance(a), relative_luminance(b))


def _luminance_of(pixels: npt.NDArray[np.uint8]) -> npt.NDArray[np.float64]:
    """Per-pixel relative luminance of a uint8 array of shape (..., 3)."""
    return _sum_of_tables(_CHANNEL_LUT, pixels)


def _sum_of_tables(tables: npt.NDArray[np.float64], pixels: npt.NDArray[np.uint8]) -> npt.NDArray[np.float64]:
    """``tables[0][R] + tables[1][G] + tables[2][B]`` per pixel, added in that order (``np.take`` into one buffer
    is twice as fast as indexing, with the same sums)."""
    out = np.take(tables[0], pixels[..., 0])
    out += np.take(tables[1], pixels[..., 1])
    out += np.take(tables[2], pixels[..., 2])
    return out


def _percentile(values: npt.NDArray[np.float64], percentile: float) -> float:
    """``np.percentile(values, percentile)`` (its default 'linear' method), bit for bit, from the two order
    statistics it interpolates between, found by one partition (a selection: faster than the sort, and faster
    than the two-point partition ``np.percentile`` runs). The index and the interpolation are numpy's own
    formulas (``_lerp``), in float64."""
    n = len(values)
    if n == 0:
        raise ValueError("no values to take a percentile of")
    virtual = (n - 1) * (np.float64(percentile) / 100)
    if virtual >= n - 1:
        return float(values.max())
    if virtual < 0:
        return float(values.min())
    below = int(np.floor(virtual))
    parted = np.partition(values, below)
    return _lerp(parted[below], parted[below + 1 :].min(), virtual - below)


def _lerp(a: np.float64, b: np.float64, t: np.float64) -> float:
    """numpy's ``_lerp`` between two order statistics (the form it uses on either side of the midpoint)."""
    diff = b - a
    return float(b - diff * (1 - t) if t >= 0.5 else a + diff * t)


def _sorted_percentile(ordered: npt.NDArray[np.float64], text_lum: float, percentile: float) -> float:
    """``_percentile(_ratios(text_lum, ground), percentile)`` from the ground's luminance `ordered` (sorted).

    Over a sorted ground the ratios fall to 1 where the ground meets the text's luminance and rise after it, each
    side monotonic (IEEE addition and division are), so the sorted ratios are the merge of two sorted runs: an
    order statistic is found by a binary search over them, computing only the ratios it looks at (with the same
    float64 operations as ``_ratios``). One sort of the ground serves every candidate colour."""
    n = len(ordered)
    if n == 0:
        raise ValueError("no values to take a percentile of")
    split = int(np.searchsorted(ordered, text_lum, side="left"))
    high = text_lum + 0.05

    def darker(i: int) -> float:  # the i-th smallest ratio over the ground darker than the text
        return high / (float(ordered[split - 1 - i]) + 0.05)

    def lighter(j: int) -> float:  # the j-th smallest over the ground as light or lighter
        return (float(ordered[split + j]) + 0.05) / high

    m, rest = split, n - split
    virtual = (n - 1) * (np.float64(percentile) / 100)
    if virtual >= n - 1:
        return max(darker(m - 1) if m else 0.0, lighter(rest - 1) if rest else 0.0)
    if virtual < 0:
        return min(darker(0) if m else np.inf, lighter(0) if rest else np.inf)
    k = int(np.floor(virtual))
    lo, hi = max(0, k + 1 - rest), min(k + 1, m)
    while lo < hi:  # i: how many of the k+1 smallest ratios lie over the darker ground
        i = (lo + hi) // 2
        if lighter(k - i) > darker(i):
            lo = i + 1
        else:
            hi = i
    i, j = lo, k + 1 - lo
    kth = max(darker(i - 1) if i else -np.inf, lighter(j - 1) if j else -np.inf)
    after = min(darker(i) if i < m else np.inf, lighter(j) if j < rest else np.inf)
    return _lerp(np.float64(kth), np.float64(after), virtual - k)


def _median(values: npt.NDArray[np.generic]) -> float:
    """``np.median`` of a 1-d array, bit for bit (the middle value, or the mean of the middle two), by a partition;
    8-bit values by a histogram."""
    n = len(values)
    if n == 0:
        raise ValueError("no values to take a median of")
    if values.dtype == np.uint8:
        counts = np.cumsum(np.bincount(values, minlength=256))
        low, high = np.searchsorted(counts, [(n - 1) // 2 + 1, n // 2 + 1])
        return float((np.float64(low) + np.float64(high)) / 2)
    middle = (n - 1) // 2
    parted = np.partition(values, middle)
    if n % 2:
        return float(parted[middle])
    return float((parted[middle] + parted[middle + 1 :].min()) / 2)  # np.mean of the two, in float64


def _as_pixels(pixels: Pixels) -> npt.NDArray[np.uint8]:
    """Any accepted pixel source as a flat (N, 3) uint8 array."""
    if isinstance(pixels, Image.Image):
        arr = np.asarray(pixels.convert("RGB"))
    else:
        arr = np.asarray(pixels)
        if arr.ndim == 1 and arr.shape[0] in (3, 4):
            arr = arr[np.newaxis, :]
        if arr.shape[-1] not in (3, 4):
            raise ValueError(f"pixels must have 3 (or 4) channels in the last axis, got shape {arr.shape}")
        if arr.dtype != np.uint8:
            arr = np.clip(np.rint(arr.astype(np.float64)), 0, 255).astype(np.uint8)
    flat = arr.reshape(-1, arr.shape[-1])[:, :3]
    if flat.shape[0] == 0:
        raise ValueError("no background pixels to measure")
    return np.ascontiguousarray(flat, dtype=np.uint8)


def _ratios(text_lum: float, bg_lum: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Per-pixel contrast between the text luminance and each background luminance (the same float64 operations
    as ``(max + 0.05) / (min + 0.05)``, in two buffers instead of five)."""
    high = np.maximum(bg_lum, text_lum, dtype=np.float64)
    high += 0.05
    low = np.minimum(bg_lum, text_lum, dtype=np.float64)
    low += 0.05
    return np.divide(high, low, out=high)


def _worst_case(text_lum: float, bg_lum: npt.NDArray[np.float64], percentile: float) -> float:
    """The `percentile`-th percentile of per-pixel contrast between the text and each background pixel."""
    return _percentile(_ratios(text_lum, bg_lum), percentile)


@dataclass(frozen=True)
class ContrastMeasure:
    """What ``analyse_contrast`` saw: the ratio and the two colours it was computed from."""

    ratio: float
    text_rgb: RGB
    """Per-channel median of the text's core pixels."""
    text_luminance: float
    background_luminance: float
    """The background luminance at the reported percentile (the one the ratio was computed against)."""
    text_pixels: int
    background_pixels: int


def _mask_array(text_mask: Image.Image | npt.NDArray[np.generic], image_size: tuple[int, int], box: Box) -> Image.Image:
    """The text mask, cropped to the box, as an 'L' image of 0–255 coverage."""
    width, height = box[2] - box[0], box[3] - box[1]
    if isinstance(text_mask, Image.Image):
        mask = text_mask if text_mask.mode == "L" else text_mask.convert("L")
    else:
        arr = np.asarray(text_mask)
        if arr.ndim == 3:
            arr = arr[..., -1] if arr.shape[-1] in (2, 4) else arr[..., 0]
        if arr.dtype == np.bool_:
            arr = arr.astype(np.uint8) * 255
        elif np.issubdtype(arr.dtype, np.floating) and arr.size and float(arr.max()) <= 1.0:
            arr = np.rint(arr * 255.0)
        mask = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if mask.size == image_size:
        return mask.crop(box)
    if mask.size == (width, height):
        return mask
    raise ValueError(f"text mask is {mask.size[0]}x{mask.size[1]}; expected the image's or the box's size")


def _dilate(mask: npt.NDArray[np.bool_], radius: int) -> npt.NDArray[np.bool_]:
    """Binary dilation by a (2*radius+1)-square, separably; pixels beyond the edge count as unset."""
    out = mask.copy()
    for _ in range(max(0, radius)):
        grown = out.copy()
        grown[1:, :] |= out[:-1, :]
        grown[:-1, :] |= out[1:, :]
        out = grown.copy()
        out[:, 1:] |= grown[:, :-1]
        out[:, :-1] |= grown[:, 1:]
    return out


def _clip_box(box: Box, size: tuple[int, int]) -> Box:
    left, top = max(0, int(box[0])), max(0, int(box[1]))
    right, bottom = min(size[0], int(box[2])), min(size[1], int(box[3]))
    if right <= left or bottom <= top:
        raise ValueError(f"box {box} is empty or outside the {size[0]}x{size[1]} image")
    return left, top, right, bottom


def analyse_contrast(
    image: Image.Image,
    box: Box,
    text_mask: Image.Image | npt.NDArray[np.generic],
    *,
    erode: int = 1,
    halo: int = 2,
    percentile: float = DEFAULT_PERCENTILE,
) -> ContrastMeasure:
    """Measure text-on-background contrast inside `box` of a rendered `image`; see the module docstring.

    `text_mask` marks the text's pixels (coverage 0–255, bool, or 0–1 floats), either for the whole
    image or for the box alone; pass the *fill* glyphs' mask (an outline or shadow drawn around them
    then counts as background beyond the `halo`, so it earns no credit). `erode` and `halo` are in image
    pixels. Raises ValueError when the mask covers no text or no background is left.
    """
    box = _clip_box(box, image.size)
    mask = _mask_array(text_mask, image.size, box)
    pixels = _rgb_pixels(image, box)
    coverage = np.asarray(mask)
    inked = coverage >= 128
    if not inked.any():
        raise ValueError("the text mask covers no pixels inside the box")

    core = ~_dilate(~inked, erode)
    if not core.any():
        core = coverage >= 250
    if not core.any():
        core = inked
    outside = ~_dilate(inked, halo)
    if not outside.any():
        raise ValueError("no background pixels left in the box around the text (enlarge the box)")

    # Luminance of the pixels judged only: the text's core and (a sample of) the ground outside its halo.
    flat = pixels.reshape(-1, 3)
    text_px = _rows(flat, np.flatnonzero(core))  # the same pixels as pixels[core], gathered faster
    text_lum = _median(_luminance_of(text_px))
    bg_lum = _luminance_of(_rows(flat, _sample(np.flatnonzero(outside))))
    ratios = _ratios(text_lum, bg_lum)
    ratio = _percentile(ratios, percentile)
    bg_at = float(bg_lum[int(np.argmin(np.abs(ratios - ratio)))])
    red, green, blue = (int(np.rint(_median(text_px[:, c]))) for c in range(3))
    text_rgb: RGB = (red, green, blue)
    return ContrastMeasure(
        ratio=ratio,
        text_rgb=text_rgb,
        text_luminance=text_lum,
        background_luminance=bg_at,
        text_pixels=int(core.sum()),
        background_pixels=int(outside.sum()),
    )


def measure_contrast(
    image: Image.Image,
    box: Box,
    text_mask: Image.Image | npt.NDArray[np.generic],
    *,
    erode: int = 1,
    halo: int = 2,
    percentile: float = DEFAULT_PERCENTILE,
) -> float:
    """Worst-case (low-percentile) WCAG contrast of rendered text against its background in `box`.

    Text colour: median of the pixels under the mask eroded by `erode` px. Background: the box's pixels
    outside the mask dilated by `halo` px, judged by the `percentile`-th percentile of per-pixel contrast
    (the background closest in luminance to the text). See the module docstring for why.
    """
    return analyse_contrast(image, box, text_mask, erode=erode, halo=halo, percentile=percentile).ratio


def ground_contrast(
    image: Image.Image,
    box: Box,
    text_mask: Image.Image | npt.NDArray[np.generic],
    colour: ColourLike,
    *,
    halo: int = 2,
    percentile: float = DEFAULT_PERCENTILE,
) -> float:
    """WCAG contrast of a known text `colour` against the rendered background around its glyphs in `box`.

    The background is measured on the pixels exactly as in ``measure_contrast`` (outside the mask dilated
    by `halo`, low percentile); the text side is the colour the text was painted in, as WCAG defines it.
    Use it for small text, whose anti-aliased strokes leave too few fully covered pixels to measure.
    """
    box = _clip_box(box, image.size)
    inked = np.asarray(_mask_array(text_mask, image.size, box)) >= 128
    if not inked.any():
        raise ValueError("the text mask covers no pixels inside the box")
    outside = ~_dilate(inked, halo)
    if not outside.any():
        raise ValueError("no background pixels left in the box around the text (enlarge the box)")
    background = _rows(_rgb_pixels(image, box).reshape(-1, 3), _sample(np.flatnonzero(outside)))
    return _worst_case(relative_luminance(colour), _luminance_of(background), percentile)


def _rows(pixels: npt.NDArray[np.uint8], index: npt.NDArray[np.intp]) -> npt.NDArray[np.uint8]:
    """``pixels[index]`` for (N, 3) pixels: ``np.take`` along the rows gathers the same bytes several times faster
    than fancy indexing does."""
    return np.take(pixels, index, axis=0)


def _rgb_pixels(image: Image.Image, box: Box) -> npt.NDArray[np.uint8]:
    """The box's pixels as an (h, w, 3) uint8 array (no conversion when the image is RGB already)."""
    region = image.crop(box)
    return np.asarray(region if region.mode == "RGB" else region.convert("RGB"))


_T = TypeVar("_T", bound=np.generic)


def _sample(values: npt.NDArray[_T], limit: int = 65536) -> npt.NDArray[_T]:
    """At most `limit` evenly spaced values: a percentile of a large ground needs a sample, not every pixel."""
    if len(values) <= limit:
        return values
    return values[np.linspace(0, len(values) - 1, limit).astype(np.intp)]


def required_ratio(
    size_px: float,
    bold: bool,
    canvas_short_side: int | None = None,
    *,
    view_px: float = DEFAULT_VIEW_PX,
    level: Literal["AA", "AAA"] = "AA",
) -> float:
    """The WCAG minimum contrast for text of font size `size_px` (em, in poster pixels).

    The size is converted to CSS px as ``size_px * view_px / canvas_short_side`` (the poster's shorter
    side seen at `view_px` CSS px); with `canvas_short_side` None, `size_px` already is CSS px. Large
    text (>= 24 CSS px, or >= 18.66 bold) needs 3:1 (AAA 4.5:1), other text 4.5:1 (AAA 7:1).
    """
    if size_px <= 0:
        raise ValueError(f"size_px must be positive, got {size_px}")
    css_px = float(size_px)
    if canvas_short_side is not None:
        if canvas_short_side <= 0:
            raise ValueError(f"canvas_short_side must be positive, got {canvas_short_side}")
        css_px = size_px * view_px / canvas_short_side
    large = css_px >= (LARGE_BOLD_TEXT_CSS_PX if bold else LARGE_TEXT_CSS_PX)
    if level == "AAA":
        return WCAG_AAA_LARGE if large else WCAG_AAA_NORMAL
    return WCAG_LARGE if large else WCAG_NORMAL


def large_text_min_px(bold: bool, canvas_short_side: int, *, view_px: float = DEFAULT_VIEW_PX) -> float:
    """The smallest font size (poster px) that counts as large text on this canvas."""
    return (LARGE_BOLD_TEXT_CSS_PX if bold else LARGE_TEXT_CSS_PX) * canvas_short_side / view_px


def worst_case_contrast(
    background_pixels: Pixels, colour: ColourLike, *, percentile: float = DEFAULT_PERCENTILE
) -> float:
    """The low-percentile contrast of a text colour against background pixels (as measure_contrast judges)."""
    bg_lum = _luminance_of(_as_pixels(background_pixels))
    return _worst_case(relative_luminance(colour), bg_lum, percentile)


def choose_text_colour(
    background_pixels: Pixels,
    candidates: Sequence[str],
    minimum: float,
    *,
    percentile: float = DEFAULT_PERCENTILE,
) -> str | None:
    """The candidate with the best worst-case contrast over the background, if that reaches `minimum`.

    Ties go to the earlier candidate (list brand colours in order of preference). None when no
    candidate passes: use ``scrim_for`` then.
    """
    ordered = np.sort(_luminance_of(_as_pixels(background_pixels)))  # once for all the candidates
    best: str | None = None
    best_ratio = -1.0
    for colour in candidates:
        ratio = _sorted_percentile(ordered, relative_luminance(colour), percentile)
        if ratio > best_ratio:
            best, best_ratio = colour, ratio
    return best if best is not None and best_ratio >= minimum else None


def apply_scrim(
    image: Image.Image,
    box: Box,
    colour: str,
    opacity: float,
    radius: int = 0,
) -> Image.Image:
    """A copy of `image` with a translucent rounded panel of `colour` over `box`.

    `opacity` is 0–1 (stored as 8-bit alpha, round(opacity*255)); `radius` rounds the corners, drawn at
    4x and downsampled so they are anti-aliased. The result has the input's mode.
    """
    out = image.copy()
    paint_scrim(out, box, colour, opacity, radius)
    return out


def paint_scrim(image: Image.Image, box: Box, colour: str, opacity: float, radius: int = 0) -> None:
    """``apply_scrim`` on `image` itself (no copy of the whole image)."""
    if not 0.0 <= opacity <= 1.0:
        raise ValueError(f"opacity must be between 0 and 1, got {opacity}")
    box = _clip_box(box, image.size)
    alpha = round(opacity * 255)
    width, height = box[2] - box[0], box[3] - box[1]
    radius = max(0, min(int(radius), width // 2, height // 2))
    if radius:
        scale = 4
        big = Image.new("L", (width * scale, height * scale), 0)
        ImageDraw.Draw(big).rounded_rectangle(
            (0, 0, width * scale - 1, height * scale - 1), radius=radius * scale, fill=alpha
        )
        panel_alpha = big.resize((width, height), Image.Resampling.BOX)
    else:
        panel_alpha = Image.new("L", (width, height), alpha)
    overlay = Image.new("RGBA", (width, height), (*hex_to_rgb(colour), 0))
    overlay.putalpha(panel_alpha)

    # Composite the box only: converting a whole poster to RGBA and back costs more than the panel itself.
    region = image.crop(box).convert("RGBA")
    region.alpha_composite(overlay)
    image.paste(region if image.mode == "RGBA" else region.convert(image.mode), box[:2])


def _composite(pixels: npt.NDArray[np.uint8], colour: str, alpha: int) -> npt.NDArray[np.uint8]:
    """Background pixels under a flat panel, composited by Pillow exactly as apply_scrim does."""
    n = pixels.shape[0]
    base = Image.fromarray(np.concatenate([pixels, np.full((n, 1), 255, np.uint8)], axis=1).reshape(1, n, 4))
    overlay = Image.new("RGBA", (n, 1), (*hex_to_rgb(colour), alpha))
    return np.asarray(Image.alpha_composite(base, overlay))[0, :, :3]


@cached(maxsize=1024)
def _scrim_tables(colour: str, alpha: int) -> npt.NDArray[np.float64]:
    """Per channel, the weighted linear value of each 8-bit level once a flat panel is composited over it.

    Pillow composites over an opaque ground channel by channel (each output level depends only on that
    channel's level, the panel's and the alpha), so compositing the 256 grey levels once, with Pillow itself,
    gives every pixel's result: ``_luminance_of(_composite(p, colour, alpha))`` is exactly
    ``tables[0][p[:, 0]] + tables[1][p[:, 1]] + tables[2][p[:, 2]]``."""
    levels = np.repeat(np.arange(256, dtype=np.uint8)[:, np.newaxis], 3, axis=1)
    composited = _composite(levels, colour, alpha)
    return np.stack([_CHANNEL_LUT[c][composited[:, c]] for c in range(3)])


def _scrim_luminance(pixels: npt.NDArray[np.uint8], colour: str, alpha: int) -> npt.NDArray[np.float64]:
    """Per-pixel luminance of (N, 3) `pixels` under a flat panel, as ``_luminance_of(_composite(...))``."""
    return _sum_of_tables(_scrim_tables(colour, alpha), pixels)


def scrim_for(
    background_pixels: Pixels,
    text_colour: str,
    minimum: float,
    *,
    colours: Sequence[str] = ("#000000", "#FFFFFF"),
    step: float = 0.05,
    max_opacity: float = 1.0,
    percentile: float = DEFAULT_PERCENTILE,
) -> tuple[str, float] | None:
    """The least-opacity panel (colour, opacity) that lifts `text_colour` to `minimum` over the background.

    Opacities step..max_opacity in `step`s are tried for each of `colours` (dark and light by default);
    for each, the panel is composited onto the background pixels (Pillow, exactly as ``apply_scrim``)
    and the worst-case contrast re-measured. The lowest passing opacity wins; on a tie the panel giving
    more contrast. Returns (colours[0], 0.0) when the text already passes (draw no panel), None when no
    panel up to `max_opacity` is enough (pick another text colour).
    """
    if step <= 0:
        raise ValueError(f"step must be positive, got {step}")
    pixels = _as_pixels(background_pixels)
    if pixels.shape[0] > 65536:  # enough for a percentile; keeps the compositing cheap and deterministic
        pixels = _rows(pixels, np.linspace(0, pixels.shape[0] - 1, 65536).astype(np.intp))
    text_lum = relative_luminance(text_colour)
    if _worst_case(text_lum, _luminance_of(pixels), percentile) >= minimum:
        return colours[0], 0.0
    steps = int(np.floor(max_opacity / step + 1e-9))
    for k in range(1, steps + 1):
        opacity = round(k * step, 6)
        passing: list[tuple[float, str]] = []
        for colour in colours:
            ratio = _worst_case(text_lum, _scrim_luminance(pixels, colour, round(opacity * 255)), percentile)
            if ratio >= minimum:
                passing.append((ratio, colour))
        if passing:
            best = max(passing, key=lambda item: item[0])
            return best[1], opacity
    return None
