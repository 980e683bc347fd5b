"""Placeholder packshots: a stylised packaging render for a product that has no image of its own.

`draw_packshot` draws the pack that `packshot_shape` picks for a product, in the brand's palette, with
the brand's short name and a short product name on a label band. Only Pillow and numpy are used.

Which pack (``packshot_shape``)
    Keywords are looked up, in this order, in the outer container of the product's packaging spec
    (``Packaging``/``包装``: "8 steel tins in a kraft box" → "kraft box"), the whole packaging spec and
    the product name, each against `FORM_RULES` (the first rule with a matching word wins); then in the
    category, against `CATEGORY_RULES`; otherwise a plain ``box``. Chinese keywords match as
    substrings, Latin ones as whole words (plurals included), case-insensitively. So 精华/serum is a
    dropper bottle, 乳液/lotion a pump bottle, 化妆水/toner a screw-cap bottle, 面霜/cream a jar,
    洁面/防晒/cleanser/sunscreen a tube, 润唇膏 a stick, 面膜 a sachet (泥膜, 睡眠面膜 a jar), a pouch a
    sachet, tea a tin, 礼盒/套装/gift set a gift box with a ribbon, a teapot/kettle a teapot, other
    teaware (茶具) a cup.

How it is drawn
    Part by part (cap, body, label band …), each a coverage mask and a shading image pasted "over" the
    canvas. Masks are drawn with ImageDraw at twice the output size and halved (ImageDraw itself does
    not anti-alias), so every curved edge is anti-aliased; shading, which is smooth, and text, which
    FreeType anti-aliases, are made at the output size. Round parts are shaded across their width like
    a cylinder lit from the front left (a falloff to both edges, a narrow specular strip, a little
    light thrown back on the dark side), from one row that Pillow repeats down the part; flat faces get
    a gentle vertical gradient (a box's top face lighter, its side darker); curved or tapering parts
    (tube, sachet, teapot) are shaded from a field computed on every 4th pixel and scaled up.

Colours and seed
    Body, cap and label colours are one of a few schemes over the kit's palette (a cream bottle with a
    green cap, a green tin with a gold lid …), one whose label stands out from its body (contrast of at
    least 1.3:1) where the palette allows; the label text is the palette colour with the most contrast
    on the label (white or black if none reaches 4.5:1). The seed together with the SKU picks the scheme
    and varies proportions and the highlight a little: the same product and seed give the same pixels,
    and `SCHEMES` seeds in a row give as many colourways where the palette allows.

Label text
    The brand's short name (heading font) over the product name (body font, at most two lines), fitted
    with `contentgen.render.typography.fit_text` into the middle of the label. The name is shortened
    first: what follows a comma, a bracket or " SPF…" goes, and so does a leading brand name. If it
    does not fit at `MIN_NAME_PX`, only the brand name is drawn, as large as the label allows; if that
    does not fit at `MIN_BRAND_PX` either, or the pack is drawn under `MIN_DRAW_PX` tall (tiny boxes),
    there is no text. Text is never cut.
"""

from __future__ import annotations

import functools
import math
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from contentgen.domain.brand import BrandKit, FontSpec
from contentgen.domain.common import hex_to_rgb
from contentgen.domain.product import Product
from contentgen.render.legibility import contrast_ratio
from contentgen.render.typography import FontStack, GlyphError, TextBlock, TextFitError, draw_text, fit_text

__all__ = [
    "CATEGORY_RULES",
    "FORM_RULES",
    "SHAPES",
    "Packshot",
    "Shape",
    "draw_packshot",
    "packshot_shape",
    "short_name",
]

Shape = Literal["dropper", "pump", "bottle", "jar", "tube", "stick", "sachet", "tin", "box", "gift", "teapot", "cup"]
SHAPES: tuple[Shape, ...] = get_args(Shape)
RGB = tuple[int, int, int]
Floats = npt.NDArray[np.float32]

#: Words for the container, looked up in the packaging spec and the product name; first match wins.
FORM_RULES: tuple[tuple[Shape, tuple[str, ...]], ...] = (
    ("gift", ("礼盒", "套装", "件套", "礼包", "gift", "kit", "sampler", "hamper")),
    ("jar", ("泥膜", "睡眠面膜", "冻膜", "涂抹", "唇膜", "磨砂", "洁颜粉", "卸妆膏")),
    ("stick", ("唇膏", "润唇", "防晒棒", "lip balm", "lipstick", "balm stick")),
    ("teapot", ("壶", "teapot", "kettle", "pitcher", "tetsubin")),
    ("cup", ("杯", "碗", "mug", "cup", "teacup", "bowl", "gaiwan")),
    ("sachet", ("面膜", "袋", "pouch", "sachet", "wrapper", "packet", "bar")),
    (
        "pump",
        ("乳液", "保湿乳", "身体乳", "沐浴", "洗发", "护发", "慕斯", "卸妆油", "身体油", "喷雾", "lotion", "pump"),
    ),
    ("pump", ("shampoo", "body wash", "spray", "mist", "foam")),
    ("tube", ("洁面", "防晒", "护手", "足霜", "软管", "tube", "cleanser", "sunscreen", "hand cream")),
    (
        "bottle",
        ("化妆水", "爽肤水", "保湿水", "精粹水", "湿敷水", "精华水", "柔肤水", "卸妆液", "瓶", "toner", "bottle"),
    ),
    ("dropper", ("精华", "安瓶", "原液", "精油", "油", "serum", "ampoule", "dropper", "oil")),
    ("jar", ("霜", "膏", "凝露", "凝胶", "粉", "cream", "balm", "jar", "butter", "gel")),
    ("tin", ("铁盒", "罐", "tin", "canister", "caddy")),
    ("box", ("盒", "box", "carton", "case")),
)
#: Words for the category, looked up when no container word matched; first match wins.
CATEGORY_RULES: tuple[tuple[Shape, tuple[str, ...]], ...] = (
    ("gift", ("礼盒", "套装", "gift")),
    ("cup", ("茶具", "杯", "teaware", "drinkware")),
    ("sachet", ("面膜", "mask")),
    ("stick", ("唇", "lip")),
    ("tube", ("洁面", "防晒", "cleanser", "sunscreen", "suncare")),
    ("bottle", ("化妆水", "toner")),
    ("pump", ("乳液", "身体", "lotion", "body", "hair")),
    ("dropper", ("精华", "serum", "oil")),
    ("jar", ("面霜", "霜", "cream", "moisturi")),
    ("tin", ("茶", "tea", "matcha", "oolong", "herbal", "tisane", "coffee")),
)
_PACKAGING_KEYS = frozenset({"packaging", "package", "包装", "包装形式"})

MIN_BRAND_PX = 8
MIN_NAME_PX = 9
#: Art is drawn at least this tall (then scaled down), so parts never collapse to nothing.
MIN_DRAW_PX = 96
SCALE = 2
#: Specular strength on label bands, low so that the strip does not wash out the text.
LABEL_SHINE = 0.2

#: shape: (aspect ratio range, width over height).
_ASPECT: dict[Shape, tuple[float, float]] = {
    "dropper": (0.38, 0.44),
    "pump": (0.36, 0.42),
    "bottle": (0.40, 0.46),
    "jar": (1.10, 1.30),
    "tube": (0.32, 0.37),
    "stick": (0.26, 0.30),
    "sachet": (0.66, 0.74),
    "tin": (0.62, 0.72),
    "box": (0.68, 0.80),
    "gift": (1.15, 1.30),
    "teapot": (1.30, 1.40),
    "cup": (1.12, 1.22),
}


# ---- which pack -----------------------------------------------------------------------------------


def _matcher(words: Sequence[str]) -> Callable[[str], bool]:
    latin = [w for w in words if w.isascii()]
    cjk = [w for w in words if not w.isascii()]
    pattern = re.compile(r"(?<![a-z])(?:" + "|".join(map(re.escape, latin)) + r")(?:e?s)?(?![a-z])") if latin else None
    return lambda text: any(w in text for w in cjk) or bool(pattern and pattern.search(text))


_FORM = [(shape, _matcher(words)) for shape, words in FORM_RULES]
_CATEGORY = [(shape, _matcher(words)) for shape, words in CATEGORY_RULES]


def _outer(packaging: str) -> str:
    """The outermost container a packaging spec names: "5 steel tins in a gift box" → "gift box"."""
    text = re.split(r"\s+in\s+(?:an?\s+)?", packaging)[-1]
    return re.split(r"\s+(?:with|of|for)\s+|[,;，；、]", text)[0]


def packshot_shape(product: Product) -> Shape:
    """The pack a placeholder draws for `product` (see the module docstring for the rules)."""
    packaging = next((v for k, v in product.specs.items() if k.strip().lower() in _PACKAGING_KEYS), "").lower()
    for text in (_outer(packaging), packaging, product.name.lower()):
        if text:
            found = next((shape for shape, match in _FORM if match(text)), None)
            if found:
                return found
    category = product.category.lower()
    return next((shape for shape, match in _CATEGORY if match(category)), "box")


def short_name(product: Product, brand: BrandKit) -> str:
    """The product name without sizes, claims in brackets or a leading brand name."""
    name = re.split(r"[,，(（|｜]|\s+(?:SPF|PA\+|-|–|—)", product.name, maxsplit=1)[0].strip() or product.name
    for prefix in (brand.short_name, brand.name):
        if prefix and name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :].strip()
            break
    return name


# ---- colours --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Look:
    body: RGB
    cap: RGB
    band: RGB
    ink: RGB
    ribbon: RGB
    metal: bool  # the cap is the accent colour, shaded like metal
    gloss: float  # where the specular strip sits, -1 (left edge) to 1


SCHEMES = 6


def _look(brand: BrandKit, rng: np.random.Generator, scheme: int) -> _Look:
    """Colours for scheme number `scheme` (modulo `SCHEMES`), or the next one whose label stands out."""
    pal = brand.palette
    p, s, a, b, t = (hex_to_rgb(c) for c in (pal.primary, pal.secondary, pal.accent, pal.background, pal.text))
    # (body, cap, band): cream with a primary cap, cream with a gold cap, tinted, deep with gold, cream with ink.
    schemes = [(b, p, p), (b, a, s), (s, p, b), (p, a, b), (b, t, p), (s, t, p)]
    start = scheme % len(schemes)
    order = schemes[start:] + schemes[:start]
    body, cap, band = next((c for c in order if contrast_ratio(c[0], c[2]) >= 1.3), order[0])
    candidates = [c for c in (t, b, p, s, a) if c != band]
    ink = max(candidates, key=lambda c: contrast_ratio(c, band))
    if contrast_ratio(ink, band) < 4.5:
        ink = max(((255, 255, 255), (17, 17, 17)), key=lambda c: contrast_ratio(c, band))
    ribbon = a if a not in (body, band) else p
    return _Look(body, cap, band, ink, ribbon, cap == a, float(rng.uniform(-0.62, -0.38)))


def _tones(rgb: RGB, *, metal: bool = False) -> Floats:
    """256 tones of a colour for shading values -1 (deep shade) … 0 (the colour) … 1 (near white)."""
    base = np.array(rgb, dtype=np.float32)
    t = np.linspace(-1.0, 1.0, 256, dtype=np.float32)[:, None]
    shade = base * (0.30 if metal else 0.42)
    light = base + (255 - base) * 0.9
    out: Floats = np.where(t < 0, base + (shade - base) * -t, base + (light - base) * t)
    return out


@functools.lru_cache(maxsize=64)
def _lut(rgb: RGB, metal: bool) -> npt.NDArray[np.uint8]:
    """`_tones` as opaque RGBA bytes."""
    lut = np.full((256, 4), 255, dtype=np.uint8)
    lut[:, :3] = np.clip(_tones(rgb, metal=metal) + 0.5, 0, 255)
    lut.flags.writeable = False
    return lut


def _paint(rgb: RGB, t: Floats, *, metal: bool = False) -> Image.Image:
    """An opaque image of `rgb` shaded by the values `t` (2-D, -1 … 1), in the canvas mode."""
    index = np.clip((t + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8)
    pixels = np.ascontiguousarray(_lut(rgb, metal)[index])
    return Image.frombuffer("RGBa", (pixels.shape[1], pixels.shape[0]), pixels, "raw", "RGBa", 0, 1)  # opaque


def _cylinder_t(u: Floats, gloss: float, *, shine: float = 0.55, metal: bool = False) -> Floats:
    """Shading across a cylinder at u = -1 (left edge) … 1 (right edge), lit from the front left."""
    z = np.sqrt(np.clip(1.0 - u * u, 0.0, 1.0))
    diffuse = np.clip(-0.45 * u + 0.89 * z, 0.0, 1.0)
    t = (diffuse - 0.72) * (1.5 if metal else 1.0) - 0.35 * u**10
    t = t + (0.75 if metal else shine) * np.exp(-(((u - gloss) / 0.07) ** 2))
    t = t + 0.12 * np.exp(-(((u - 0.82) / 0.07) ** 2))  # light thrown back on the dark side
    if metal:
        t = t + 0.25 * np.exp(-(((u - gloss - 0.45) / 0.18) ** 2))
    out: Floats = np.clip(t, -1.0, 1.0).astype(np.float32)
    return out


# ---- drawing --------------------------------------------------------------------------------------


Box = tuple[float, float, float, float]
Draw = Callable[[ImageDraw.ImageDraw, int, int], None]


class _Pen:
    """A w × h canvas; geometry is given in fractions of its width and height.

    Coverage masks are drawn at `SCALE` × and scaled down (Pillow draws shapes without anti-aliasing),
    so every curved edge is anti-aliased; shading and text are drawn at the output size, where they are
    smooth anyway. The canvas holds premultiplied colour (mode RGBa): there, pasting an opaque part
    through its coverage mask, and drawing text, are exactly "over" compositing, and far cheaper than
    Pillow's alpha_composite.
    """

    def __init__(self, w: int, h: int, look: _Look, rng: np.random.Generator) -> None:
        self.w, self.h, self.look, self.rng = w, h, look, rng
        self.mw, self.mh = w * SCALE, h * SCALE  # the canvas in mask pixels
        self.image = Image.new("RGBa", (w, h), (0, 0, 0, 0))

    def px(self, box: Box) -> tuple[int, int, int, int]:
        """A fractional box in whole pixels, at least one pixel each way, inside the canvas."""
        x0 = min(max(round(box[0] * self.w), 0), self.w - 1)
        y0 = min(max(round(box[1] * self.h), 0), self.h - 1)
        x1 = min(max(round(box[2] * self.w), x0 + 1), self.w)
        y1 = min(max(round(box[3] * self.h), y0 + 1), self.h)
        return x0, y0, x1, y1

    def mask(self, box: Box, draw: Draw) -> tuple[Image.Image, tuple[int, int]]:
        """The coverage of a part: `draw` fills its box at `SCALE` ×, which is then scaled down."""
        x0, y0, x1, y1 = self.px(box)
        mask = Image.new("L", ((x1 - x0) * SCALE, (y1 - y0) * SCALE), 0)
        draw(ImageDraw.Draw(mask), mask.width, mask.height)
        return mask.reduce(SCALE), (x0, y0)

    def put(self, paint: Image.Image, mask: Image.Image, at: tuple[int, int]) -> None:
        self.image.paste(paint, at, mask)

    def round_part(
        self, box: Box, rgb: RGB, draw: Draw, *, metal: bool = False, ridges: int = 0, shine: float = 0.55
    ) -> None:
        """A part shaded as a cylinder across its width."""
        mask, at = self.mask(box, draw)
        w, h = mask.size
        u = _centres(w)[None, :] * 2 - 1
        t = _cylinder_t(u, self.look.gloss, shine=shine, metal=metal)
        if ridges:
            t = (t - 0.12 * (0.5 + 0.5 * np.cos(u * math.pi * ridges)) ** 4).astype(np.float32)
        self.put(_paint(rgb, t, metal=metal).resize((w, h), Image.Resampling.NEAREST), mask, at)

    def flat_part(self, box: Box, rgb: RGB, draw: Draw, top: float, bottom: float) -> None:
        """A flat face with a vertical gradient from shade `top` to `bottom`."""
        mask, at = self.mask(box, draw)
        w, h = mask.size
        t = np.linspace(top, bottom, h, dtype=np.float32)[:, None]
        self.put(_paint(rgb, t).resize((w, h), Image.Resampling.NEAREST), mask, at)

    def field_part(self, box: Box, rgb: RGB, draw: Draw, field: Callable[[Floats, Floats], Floats]) -> None:
        """A part shaded by `field(u, v)` over its box (u, v from 0 to 1), computed coarsely and scaled up."""
        self.fill_field(*self.mask(box, draw), rgb, field)

    def fill_field(
        self, mask: Image.Image, at: tuple[int, int], rgb: RGB, field: Callable[[Floats, Floats], Floats]
    ) -> None:
        """`field_part` for a mask already drawn."""
        w, h = mask.size
        cw, ch = max(2, -(-w // 4)), max(2, -(-h // 4))
        u, v = _centres(cw)[None, :], _centres(ch)[:, None]
        t = np.clip(np.broadcast_to(field(u, v), (ch, cw)), -1, 1)
        self.put(_paint(rgb, t).resize((w, h), Image.Resampling.BILINEAR), mask, at)


def _centres(n: int) -> Floats:
    """Where the centres of n pixels lie across 0 … 1."""
    out: Floats = ((np.arange(n) + 0.5) / n).astype(np.float32)
    return out


def _rrect(radius: float, corners: tuple[bool, bool, bool, bool] | None = None) -> Draw:
    """A rounded rectangle filling the part, `radius` a fraction of its width."""

    def draw(d: ImageDraw.ImageDraw, w: int, h: int) -> None:
        r = max(0, min(round(radius * w), (min(w, h) - 1) // 2))
        d.rounded_rectangle((0, 0, w - 1, h - 1), radius=r, fill=255, corners=corners)

    return draw


def _shoulders(top: float, bottom: float) -> Draw:
    """A bottle body: round shoulders (`top` of the width) and a tighter bottom radius."""

    def draw(d: ImageDraw.ImageDraw, w: int, h: int) -> None:
        rt = max(0, min(round(top * w), (min(w, h) - 1) // 2))
        rb = max(0, min(round(bottom * w), (min(w, h) - 1) // 2))
        d.rounded_rectangle((0, 0, w - 1, h - 1), radius=rt, fill=255, corners=(True, True, False, False))
        d.rounded_rectangle((0, h // 2, w - 1, h - 1), radius=rb, fill=255, corners=(False, False, True, True))

    return draw


def _can(k: float, *, top_arc: bool = False) -> Draw:
    """A cylinder side seen from a little above: the bottom edge an arc `k` of the part height deep."""

    def draw(d: ImageDraw.ImageDraw, w: int, h: int) -> None:
        e = max(1, round(k * h))
        d.rectangle((0, e if top_arc else 0, w - 1, h - 1 - e), fill=255)
        d.ellipse((0, h - 1 - 2 * e, w - 1, h - 1), fill=255)
        if top_arc:
            d.ellipse((0, 0, w - 1, 2 * e), fill=255)

    return draw


def _band_arc(k: float) -> Draw:
    """A label wrapped round a cylinder seen from a little above: both edges arcs `k` of the part height."""

    def draw(d: ImageDraw.ImageDraw, w: int, h: int) -> None:
        e = k * h
        xs = np.linspace(0, w - 1, 48)
        sag = e * np.sqrt(np.clip(1 - ((xs / (w - 1 or 1)) * 2 - 1) ** 2, 0, 1))
        top = [(float(x), float(s)) for x, s in zip(xs, sag, strict=True)]
        bottom = [(float(x), float(h - 1 - e + s)) for x, s in zip(xs, sag, strict=True)]
        d.polygon(top + bottom[::-1], fill=255)

    return draw


def _ellipse(d: ImageDraw.ImageDraw, w: int, h: int) -> None:
    d.ellipse((0, 0, w - 1, h - 1), fill=255)


def _rect(d: ImageDraw.ImageDraw, w: int, h: int) -> None:
    d.rectangle((0, 0, w - 1, h - 1), fill=255)


# Each shape draws its pack on the pen and returns the box for the label text (fractions of the canvas).
_Drawer = Callable[[_Pen], Box]


def _dropper(pen: _Pen) -> Box:
    lk, j = pen.look, pen.rng.uniform(-0.02, 0.02)
    pen.round_part((0.33, 0.29, 0.67, 0.40), lk.body, _rect)  # neck
    pen.round_part((0, 0.37 + j, 1, 1), lk.body, _shoulders(0.16, 0.08))
    pen.round_part((0, 0.52 + j, 1, 0.86), lk.band, _band_arc(0.0), shine=LABEL_SHINE)
    pen.round_part((0.25, 0.19, 0.75, 0.33), lk.cap, _rrect(0.05), metal=lk.metal, ridges=14)
    bulb = lk.cap if not lk.metal else lk.ink if contrast_ratio(lk.ink, lk.body) > 3 else lk.band
    pen.round_part((0.32, 0.0, 0.68, 0.205), bulb, _rrect(0.5, (True, True, False, False)))
    return (0.14, 0.55 + j, 0.86, 0.83)


def _pump(pen: _Pen) -> Box:
    lk = pen.look
    pen.round_part((0.44, 0.09, 0.56, 0.2), lk.cap, _rect, metal=lk.metal)  # stem
    pen.flat_part((0.62, 0.028, 0.97, 0.062), lk.cap, _rrect(0.08), 0.1, -0.3)  # nozzle
    pen.round_part((0.24, 0.0, 0.76, 0.1), lk.cap, _rrect(0.06), metal=lk.metal)  # head
    pen.round_part((0.26, 0.17, 0.74, 0.28), lk.cap, _rrect(0.04), metal=lk.metal, ridges=12)
    pen.round_part((0, 0.26, 1, 1), lk.body, _shoulders(0.24, 0.07))
    pen.round_part((0, 0.5, 1, 0.85), lk.band, _rect, shine=LABEL_SHINE)
    return (0.14, 0.53, 0.86, 0.82)


def _bottle(pen: _Pen) -> Box:
    lk = pen.look
    pen.round_part((0.32, 0.17, 0.68, 0.27), lk.body, _rect)
    pen.round_part((0, 0.23, 1, 1), lk.body, _shoulders(0.34, 0.07))
    pen.round_part((0, 0.5, 1, 0.86), lk.band, _rect, shine=LABEL_SHINE)
    pen.round_part((0.24, 0.0, 0.76, 0.2), lk.cap, _rrect(0.05), metal=lk.metal, ridges=18)
    return (0.14, 0.53, 0.86, 0.83)


def _jar(pen: _Pen) -> Box:
    lk, k = pen.look, 0.075
    pen.round_part((0.03, 0.3, 0.97, 1), lk.body, _can(k * 0.6 / 0.7))
    pen.round_part((0.03, 0.46, 0.97, 0.86), lk.band, _band_arc(k / 0.4), shine=LABEL_SHINE)
    pen.round_part((0, k, 1, 0.40), lk.cap, _can(k / 0.33), metal=lk.metal, ridges=0)
    pen.flat_part((0, 0, 1, 2 * k), lk.cap, _ellipse, 0.45, 0.15)
    return (0.16, 0.50, 0.84, 0.80)


def _tube_half(v: Floats, v0: float, v1: float) -> Floats:
    """Half-width of a squeeze tube (fraction of the canvas width) at height v: wide crimp, round base."""
    s = np.clip((v - v0) / (v1 - v0), 0, 1)
    out: Floats = (0.5 - 0.2 * s**1.8).astype(np.float32)
    return out


def _tube(pen: _Pen) -> Box:
    lk, v0, v1 = pen.look, 0.06, 0.80

    def outline(top: float, bottom: float) -> Draw:
        def draw(d: ImageDraw.ImageDraw, w: int, h: int) -> None:
            rows = np.linspace(top, bottom, 40, dtype=np.float32)
            half = _tube_half(rows, v0, v1)
            left = [((0.5 - a) * w, (y - top) / (bottom - top) * h) for a, y in zip(half, rows, strict=True)]
            right = [((0.5 + a) * w, (y - top) / (bottom - top) * h) for a, y in zip(half, rows, strict=True)]
            d.polygon(left + right[::-1], fill=255)

        return draw

    def shade(top: float, bottom: float, shine: float) -> Callable[[Floats, Floats], Floats]:
        def field(u: Floats, v: Floats) -> Floats:
            y = top + v * (bottom - top)
            x = (u - 0.5) / _tube_half(y, v0, v1)
            return _cylinder_t(np.clip(x, -1, 1), lk.gloss, shine=shine) * (0.85 + 0.15 * (1 - v))

        return field

    pen.field_part((0, v0, 1, v1 + 0.02), lk.body, outline(v0, v1 + 0.02), shade(v0, v1 + 0.02, 0.55))
    pen.field_part((0, 0.3, 1, 0.62), lk.band, outline(0.3, 0.62), shade(0.3, 0.62, LABEL_SHINE))
    crimp = np.arange(max(2, pen.w), dtype=np.float32)
    stripes = 0.5 + 0.5 * np.cos(crimp / max(2, pen.w) * math.pi * 2 * 16)
    paint = _paint(lk.body, (0.2 - 0.25 * stripes[None, :]).astype(np.float32))
    mask, at = pen.mask((0, 0, 1, v0 + 0.005), _rrect(0.01))
    pen.put(paint.resize(mask.size, Image.Resampling.NEAREST), mask, at)
    pen.round_part((0.2, 0.80, 0.8, 1.0), lk.cap, _rrect(0.05, (False, False, True, True)), metal=lk.metal)
    pen.round_part((0.22, 0.785, 0.78, 0.83), lk.cap, _rrect(0.3), metal=lk.metal)
    hw = 0.5 - 0.2 * ((0.6 - v0) / (v1 - v0)) ** 1.8  # _tube_half at the label's bottom
    return (0.5 - hw * 0.78, 0.32, 0.5 + hw * 0.78, 0.60)


def _stick(pen: _Pen) -> Box:
    lk = pen.look
    pen.round_part((0, 0.45, 1, 1), lk.body, _rrect(0.12, (False, False, True, True)))
    pen.round_part((0, 0.56, 1, 0.94), lk.band, _rect, shine=LABEL_SHINE)
    pen.round_part((0, 0, 1, 0.44), lk.cap, _rrect(0.18, (True, True, False, False)), metal=lk.metal)
    pen.round_part((0, 0.425, 1, 0.47), lk.cap, _rect, metal=True)
    return (0.1, 0.58, 0.9, 0.92)


def _zigzag(teeth: int, depth: float, notch: bool) -> Draw:
    """A sachet: crimped (zigzag) top and bottom edges, a tear notch on the left."""

    def draw(d: ImageDraw.ImageDraw, w: int, h: int) -> None:
        e = max(1.0, depth * h)
        xs = np.linspace(0, w - 1, 2 * teeth + 1)
        top = [(float(x), 0.0 if i % 2 else e) for i, x in enumerate(xs)]
        bottom = [(float(x), h - 1 - (0.0 if i % 2 else e)) for i, x in enumerate(xs)]
        d.polygon(top + bottom[::-1], fill=255)
        if notch:
            y, s = 0.085 * h, 0.018 * h
            d.polygon([(0, y - s), (s * 1.6, y), (0, y + s)], fill=0)

    return draw


def _pillow(gloss: float, shine: float = 0.3) -> Callable[[Floats, Floats], Floats]:
    """A filled sachet: darker towards every edge, a soft diagonal sheen."""

    def field(u: Floats, v: Floats) -> Floats:
        x, y = u * 2 - 1, v * 2 - 1
        sheen = shine * np.exp(-(((x + 0.6 * y - gloss) / 0.35) ** 2))
        out: Floats = 0.12 - 0.5 * np.abs(x) ** 6 - 0.45 * np.abs(y) ** 8 + sheen - 0.08 * y
        return out

    return field


def _sachet(pen: _Pen) -> Box:
    lk = pen.look
    outline = _zigzag(max(6, pen.w // 14), 0.012, notch=True)
    mask, at = pen.mask((0, 0, 1, 1), outline)
    pen.fill_field(mask, at, lk.body, _pillow(lk.gloss + 0.3))
    for y0, y1 in ((0.0, 0.075), (0.925, 1.0)):  # crimped seals
        x0, top, x1, bottom = pen.px((0, y0, 1, y1))
        ribs = np.arange(x1 - x0, dtype=np.float32)
        t = (-0.05 - 0.12 * (0.5 + 0.5 * np.cos(ribs / 3.0 * math.pi)))[None, :].astype(np.float32)
        seal = _paint(lk.body, t).resize((x1 - x0, bottom - top), Image.Resampling.NEAREST)
        pen.put(seal, mask.crop((x0, top - at[1], x1, bottom - at[1])), (x0, top))
    pen.field_part((0, 0.38, 1, 0.70), lk.band, _rect, lambda u, v: _pillow(lk.gloss + 0.3, 0.12)(u, 0.38 + v * 0.32))
    return (0.1, 0.40, 0.9, 0.68)


def _tin(pen: _Pen) -> Box:
    lk, k = pen.look, 0.05
    pen.round_part((0.015, 0.18, 0.985, 1), lk.body, _can(k / 0.82))
    pen.round_part((0.015, 0.38, 0.985, 0.84), lk.band, _band_arc(k / 0.46), shine=LABEL_SHINE)
    pen.round_part((0, k, 1, 0.27), lk.cap, _can(k / 0.22), metal=lk.metal)
    pen.flat_part((0, 0, 1, 2 * k), lk.cap, _ellipse, 0.5, 0.2)
    pen.flat_part((0.04, 0.01, 0.96, 2 * k - 0.01), lk.cap, _ellipse, 0.2, 0.35)
    return (0.14, 0.42, 0.86, 0.80)


def _cuboid(pen: _Pen, front: RGB, depth: float, lid: float) -> tuple[float, float]:
    """A box in three-quarter view: front face, lighter top, darker side. Returns (front right, top)."""
    right, top = 1 - depth, lid

    def top_face(d: ImageDraw.ImageDraw, w: int, h: int) -> None:
        d.polygon([(0, h), (depth * pen.mw, 0), (w, 0), (right * pen.mw, h)], fill=255)

    def side_face(d: ImageDraw.ImageDraw, w: int, h: int) -> None:
        d.polygon([(0, top * pen.mh), (w, 0), (w, h - top * pen.mh), (0, h)], fill=255)

    pen.flat_part((0, 0, 1, top), front, top_face, 0.38, 0.28)
    pen.flat_part((right, 0, 1, 1), front, side_face, -0.3, -0.42)
    pen.flat_part((0, top, right, 1), front, _rect, 0.06, -0.1)
    return right, top


def _box(pen: _Pen) -> Box:
    lk = pen.look
    right, top = _cuboid(pen, lk.body, 0.18, 0.12)
    pen.flat_part((0, 0.44, right, 0.76), lk.band, _rect, 0.04, -0.06)

    def side_band(d: ImageDraw.ImageDraw, w: int, h: int) -> None:
        s = top * pen.mh
        d.polygon([(0, s), (w, 0), (w, h - s), (0, h)], fill=255)

    pen.flat_part((right, 0.44 - top, 1, 0.76), lk.band, side_band, -0.3, -0.4)
    return (0.08, 0.47, right - 0.08, 0.73)


def _gift(pen: _Pen) -> Box:
    lk = pen.look
    right, top = _cuboid(pen, lk.body, 0.16, 0.16)
    pen.flat_part((0, top, right, top + 0.035), lk.body, _rect, -0.35, -0.2)  # lid edge
    rx0, rx1 = right * 0.66, right * 0.76
    pen.flat_part((rx0, top, rx1, 1), lk.ribbon, _rect, 0.15, -0.05)

    def top_ribbon(d: ImageDraw.ImageDraw, w: int, h: int) -> None:
        dx = 0.16 * pen.mw
        d.polygon([(0, h), (dx, 0), (dx + (rx1 - rx0) * pen.mw, 0), ((rx1 - rx0) * pen.mw, h)], fill=255)

    pen.flat_part((rx0, 0, rx1 + 0.16, top), lk.ribbon, top_ribbon, 0.45, 0.3)
    cx, cy = (rx0 + rx1) / 2 + 0.08, top / 2
    for dx in (-1, 1):  # bow loops
        pen.flat_part(
            (cx + min(0, dx * 0.12), cy - 0.10, cx + max(0, dx * 0.12), cy + 0.03), lk.ribbon, _ellipse, 0.3, -0.1
        )
    pen.flat_part((cx - 0.025, cy - 0.05, cx + 0.025, cy + 0.025), lk.ribbon, _ellipse, 0.1, -0.3)
    pen.flat_part((0.06, 0.42, rx0 - 0.05, 0.86), lk.band, _rrect(0.03), 0.06, -0.06)
    return (0.09, 0.45, rx0 - 0.08, 0.83)


def _sphere(gloss: float) -> Callable[[Floats, Floats], Floats]:
    def field(u: Floats, v: Floats) -> Floats:
        x, y = u * 2 - 1, v * 2 - 1
        z = np.sqrt(np.clip(1 - x * x - y * y, 0, 1))
        diffuse = np.clip(-0.4 * x - 0.3 * y + 0.87 * z, 0, 1)
        spec = 0.6 * np.exp(-(((x - gloss * 0.8) ** 2 + (y + 0.45) ** 2) / 0.02))
        out: Floats = (diffuse - 0.72) * 1.1 + spec
        return out

    return field


def _teapot(pen: _Pen) -> Box:
    lk = pen.look
    ring_w = max(2, round(0.05 * pen.mw))

    def ring(d: ImageDraw.ImageDraw, w: int, h: int) -> None:
        d.ellipse((0, 0, w - 1, h - 1), outline=255, width=ring_w)

    pen.flat_part((0.0, 0.36, 0.32, 0.84), lk.body, ring, -0.05, -0.35)

    def spout(d: ImageDraw.ImageDraw, w: int, h: int) -> None:
        n = 16
        lower = [
            (
                (1 - s) ** 2 * 0 + 2 * (1 - s) * s * 0.6 + s * s * 1.0,
                (1 - s) ** 2 * 1.0 + 2 * (1 - s) * s * 0.9 + s * s * 0.06,
            )
            for s in np.linspace(0, 1, n)
        ]
        upper = [
            (
                (1 - s) ** 2 * 0 + 2 * (1 - s) * s * 0.45 + s * s * 0.86,
                (1 - s) ** 2 * 0.45 + 2 * (1 - s) * s * 0.55 + s * s * 0.0,
            )
            for s in np.linspace(0, 1, n)
        ]
        d.polygon([(x * w, y * h) for x, y in lower + upper[::-1]], fill=255)

    pen.flat_part((0.70, 0.30, 1.0, 0.84), lk.body, spout, 0.15, -0.25)
    # The belly is an ellipse from `top` down to `top + tall`, cut flat at the canvas bottom.
    top, tall = 0.26, 0.83

    def belly(y0: float, y1: float, rgb: RGB) -> None:
        def draw(d: ImageDraw.ImageDraw, w: int, h: int) -> None:
            d.ellipse((0, (top - y0) * pen.mh, w - 1, (top + tall - y0) * pen.mh), fill=255)

        def field(u: Floats, v: Floats) -> Floats:
            return _sphere(lk.gloss)(u, (y0 - top + v * (y1 - y0)) / tall)

        pen.field_part((0.16, y0, 0.84, y1), rgb, draw, field)

    belly(top, 1.0, lk.body)
    belly(0.56, 0.84, lk.band)
    pen.field_part((0.32, 0.18, 0.68, 0.34), lk.body, _ellipse, lambda u, v: _sphere(lk.gloss)(u, v * 0.6))
    pen.round_part((0.30, 0.285, 0.70, 0.315), lk.body, _rrect(0.5))
    pen.field_part((0.46, 0.09, 0.54, 0.2), lk.cap, _ellipse, _sphere(lk.gloss))
    return (0.27, 0.575, 0.73, 0.825)


def _cup(pen: _Pen) -> Box:
    lk, k = pen.look, 0.06
    ring_w = max(2, round(0.07 * pen.mw))

    def ring(d: ImageDraw.ImageDraw, w: int, h: int) -> None:
        d.ellipse((0, 0, w - 1, h - 1), outline=255, width=ring_w)

    pen.flat_part((0.58, 0.24, 0.98, 0.76), lk.body, ring, 0.0, -0.3)
    pen.round_part((0.02, k, 0.78, 1), lk.body, _can(k / 0.94))
    pen.round_part((0.02, 0.40, 0.78, 0.74), lk.band, _band_arc(k / 0.34), shine=LABEL_SHINE)
    pen.flat_part((0.02, 0, 0.78, 2 * k), lk.body, _ellipse, 0.5, 0.3)
    pen.flat_part((0.045, 0.012, 0.755, 2 * k - 0.012), lk.body, _ellipse, -0.55, -0.25)
    return (0.14, 0.44, 0.66, 0.71)


_DRAWERS: Mapping[Shape, _Drawer] = {
    "dropper": _dropper,
    "pump": _pump,
    "bottle": _bottle,
    "jar": _jar,
    "tube": _tube,
    "stick": _stick,
    "sachet": _sachet,
    "tin": _tin,
    "box": _box,
    "gift": _gift,
    "teapot": _teapot,
    "cup": _cup,
}


# ---- label ----------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=32)
def _stacks(root: Path, heading: FontSpec, body: FontSpec) -> tuple[FontStack, FontStack]:
    return FontStack.from_specs([heading, body], root), FontStack.from_specs([body, heading], root)


def _fit(text: str, stack: FontStack, box: tuple[int, int], top: int, low: int, lines: int) -> TextBlock | None:
    if box[0] < 1 or box[1] < 1 or top < low:
        return None
    try:
        return fit_text(text, stack, box, max_size=top, min_size=low, max_lines=lines, line_spacing=1.15)
    except (TextFitError, GlyphError):
        return None


def _label(pen: _Pen, brand: BrandKit, name: str, box: Box) -> tuple[str, ...]:
    """Brand over product name in `box`; the brand alone, or nothing, where the name does not fit."""
    x0, y0, x1, y1 = pen.px(box)
    w, h = x1 - x0, y1 - y0
    heading, body = _stacks(brand.root, brand.fonts.heading, brand.fonts.body)
    brand_text = brand.signature
    top_brand = min(round(h * 0.34), round(w * 0.36))
    blocks: list[tuple[TextBlock, FontStack]] = []
    first = _fit(brand_text, heading, (w, round(h * 0.40)), top_brand, MIN_BRAND_PX, 1)
    if first is not None:
        rest = h - first.height - round(first.size * 0.3)
        second = _fit(name, body, (w, rest), min(round(first.size * 0.62), rest // 2), MIN_NAME_PX, 2)
        blocks = [(first, heading)] + ([(second, body)] if second is not None else [])
    if len(blocks) < 2:  # the brand alone, as large as the band allows
        alone = _fit(brand_text, heading, (w, h), min(round(h * 0.5), top_brand * 2), MIN_BRAND_PX, 1)
        blocks = [(alone, heading)] if alone is not None else []
    if not blocks:
        return ()
    gap = round(blocks[0][0].size * 0.3) if len(blocks) > 1 else 0
    y = y0 + (h - sum(b.height for b, _ in blocks) - gap) // 2
    for block, stack in blocks:
        draw_text(pen.image, block, stack, (x0, y), pen.look.ink, align="center", box_width=w)
        y += block.height + gap
    return (brand_text, name)[: len(blocks)]


# ---- entry point ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Packshot:
    """A drawn placeholder pack: RGBA, transparent around the pack, and the label text drawn on it."""

    image: Image.Image
    shape: Shape
    label: tuple[str, ...]


def draw_packshot(product: Product, brand: BrandKit, room: tuple[int, int], *, seed: int = 0) -> Packshot:
    """The placeholder pack for `product`, as large as fits in `room` (w, h) at its own aspect ratio."""
    shape = packshot_shape(product)
    sku = zlib.crc32(product.sku.encode())
    rng = np.random.default_rng([seed % 2**63, sku])
    lo, hi = _ASPECT[shape]
    aspect = float(rng.uniform(lo, hi))
    height = max(1, min(room[1], math.floor(room[0] / aspect)))
    width = max(1, min(room[0], round(height * aspect)))
    draw_h = max(height, MIN_DRAW_PX)
    draw_w = max(1, round(draw_h * aspect)) if draw_h != height else width
    pen = _Pen(draw_w, draw_h, _look(brand, rng, seed + sku), rng)  # seeds in a row: every colour scheme
    box = _DRAWERS[shape](pen)
    label = _label(pen, brand, short_name(product, brand), box) if height >= MIN_DRAW_PX else ()
    image = pen.image.convert("RGBA")
    if image.size != (width, height):
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    return Packshot(image, shape, label)
