"""The product visual that posters and videos place in their product box.

`product_visual` returns an RGBA image of exactly the box size, transparent around the product, and
the product's tight bounding box inside it (shadow excluded). What it shows depends on the product's
first image (``Product.images[0]``, a path relative to the kit folder, or to `images_root`: the folder of
the catalog file it came from, see ``Catalog.images_root``):

``cutout``       a PNG or WebP whose alpha channel is meaningful (at least `CUTOUT_SHARE` of its pixels
                 less than half opaque): trimmed to what is visible, scaled to fit.
``card``         an image without alpha, or with alpha that is (nearly) all opaque: scaled to fit and
                 given rounded corners, `CARD_RADIUS` of its shorter side (the corner is drawn at 4×
                 and scaled down, so the curve is anti-aliased).
``placeholder``  no image at all: a stylised pack drawn from the brand palette, with the brand and
                 product name on its label (`contentgen.render.packshot`).

Layout
    A margin of `MARGIN` of the box's shorter side on every side; below the product, room for its
    shadow (`SHADOW_REACH` of the product height). The product keeps its aspect ratio, fills that room
    one way, and is centred in it. Images smaller than the room are scaled up.

Shadow
    Two soft shadows in the kit's text colour darkened, the darker of the two at each pixel: the
    product's own alpha blurred (σ `SHADOW_BLUR` of its height) and moved down `SHADOW_DROP`, at
    `SHADOW_OPACITY`; and a contact shadow, a flat ellipse as wide as the product's base, barely blurred,
    at `CONTACT_OPACITY`. Both are blurred on a downscaled copy (they are smooth; it is much cheaper).
    The product is laid over them; ``shadow=False`` leaves them out but keeps the layout, so the
    product sits in the same place either way.

Errors
    A missing image file, a path that leaves the kit folder, a file that is not a readable PNG, JPEG
    or WebP, and a fully transparent image are `DataError` s that name the file, the SKU and the fix.

Speed
    Decoded images are cached (by path, inode, modification time and size), reduced to at most
    `CACHE_SIDE` px; JPEGs are decoded at a reduced scale straight away when they are that large. A
    600×800 placeholder took about twice as long as a 1080×1920 procedural background, the two timed
    alternately on the shared 2-core development machine (fastest 10 ms).
"""

from __future__ import annotations

import functools
import math
import operator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps, UnidentifiedImageError

from contentgen.domain.brand import BrandKit
from contentgen.domain.common import hex_to_rgb
from contentgen.domain.product import Product
from contentgen.errors import ConfigError, DataError
from contentgen.render.packshot import draw_packshot
from contentgen.resources import inside

__all__ = ["FORMATS", "ProductVisual", "VisualKind", "product_visual"]

VisualKind = Literal["cutout", "card", "placeholder"]
Box = tuple[int, int, int, int]

FORMATS = ("PNG", "JPEG", "WEBP")
MAX_SIDE = 8192
MARGIN = 0.05  # of the box's shorter side, on every side
CUTOUT_SHARE = 0.01  # of the pixels less than half opaque, for an image to count as a cut-out
CARD_RADIUS = 0.06  # of the card's shorter side
# Shadow sizes are fractions of the product's height.
SHADOW_DROP = 0.03
SHADOW_BLUR = 0.035
SHADOW_OPACITY = 0.30
CONTACT_HEIGHT = 0.05
CONTACT_BLUR = 0.018
CONTACT_OPACITY = 0.35
#: How far below the product its shadow reaches (to 2σ), kept free inside the margin.
SHADOW_REACH = max(SHADOW_DROP + 2 * SHADOW_BLUR, CONTACT_HEIGHT / 2 + 2 * CONTACT_BLUR)
CACHE_SIDE = 2048  # decoded images are kept at most this large
_VISIBLE = [0] * 9 + [255] * 247  # alpha above 8 counts as drawn when trimming


@dataclass(frozen=True)
class ProductVisual:
    """The product, drawn for a box: ``image`` is RGBA at the box size, ``bbox`` the product in it."""

    image: Image.Image
    kind: VisualKind
    source: str | None
    bbox: Box
    label: tuple[str, ...] = ()
    """Text drawn on a placeholder's label (brand short name, then product name, if it fitted)."""


def product_visual(
    product: Product,
    brand: BrandKit,
    size: tuple[int, int],
    *,
    seed: int = 0,
    shadow: bool = True,
    images_root: Path | None = None,
) -> ProductVisual:
    """The product's cut-out, card or placeholder packshot, centred in a transparent `size` (w, h) image."""
    try:
        width, height = (operator.index(side) for side in size)
    except (TypeError, ValueError):
        raise ConfigError(f"product box size {size!r} must be two whole numbers of pixels, (width, height)") from None
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise ConfigError(f"product box size {width}×{height} is out of range; each side must be 1 to {MAX_SIDE} px")
    margin = round(MARGIN * min(width, height))
    free_w, free_h = max(1, width - 2 * margin), max(1, height - 2 * margin)
    room = (free_w, max(1, math.floor(free_h / (1 + SHADOW_REACH))))
    root = images_root if images_root is not None else _kit_root(brand, product)
    kind: VisualKind
    label: tuple[str, ...] = ()
    if not product.images:
        pack = draw_packshot(product, brand, room, seed=seed)
        art, kind, source, label = pack.image, "placeholder", None, pack.label
    else:
        source = product.images[0]
        where = "kit folder" if images_root is None or images_root == _loaded_root(brand) else "catalog's folder"
        picture, cutout = _read(_image_path(root, source, product.sku, where), product.sku)
        art = _fit(picture, room)
        kind = "cutout" if cutout else "card"
        if not cutout:
            art.putalpha(_rounded_mask(art.size, round(CARD_RADIUS * min(art.size))))
    top = margin + max(0, (free_h - round(art.height * (1 + SHADOW_REACH))) // 2)
    r, g, b = hex_to_rgb(brand.palette.text)
    image, bbox = _compose(art, (width, height), top, (r // 2, g // 2, b // 2) if shadow else None)
    return ProductVisual(image, kind, source, bbox, label)


def _kit_root(brand: BrandKit, product: Product) -> Path:
    try:
        return brand.root
    except RuntimeError:
        raise ConfigError(
            f"brand kit '{brand.id}' was not loaded from a folder, so the visual of product '{product.sku}' "
            "cannot find its images or fonts; load it with load_brand_kit"
        ) from None


def _loaded_root(brand: BrandKit) -> Path | None:
    try:
        return brand.root
    except RuntimeError:
        return None


def _image_path(root: Path, relative: str, sku: str, where: str = "kit folder") -> Path:
    path = inside(root, relative)
    if path is None:
        raise DataError(
            root,
            f"image '{relative}' of product '{sku}' leaves the {where} {root}",
            hint=f"use a path relative to the {where}",
        )
    if not path.is_file():
        raise DataError(
            path,
            f"image of product '{sku}' not found",
            hint=f"add the file, or remove '{relative}' from the product's images",
        )
    return path


def _read(path: Path, sku: str) -> tuple[Image.Image, bool]:
    try:
        stat = path.stat()
        return _decode(path, stat.st_ino, stat.st_mtime_ns, stat.st_size)
    except UnidentifiedImageError:
        reason = "it is not a PNG, JPEG or WebP image"
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as err:
        reason = " ".join(str(err).split()) or type(err).__name__
    raise DataError(
        path, f"cannot read the image of product '{sku}': {reason}", hint="replace it with a valid PNG, JPEG or WebP"
    )


@functools.lru_cache(maxsize=16)
def _decode(path: Path, inode: int, mtime_ns: int, size: int) -> tuple[Image.Image, bool]:
    """The image at `path` (RGB, or RGBA trimmed to what is visible) and whether it is a cut-out.

    Cached by the file's identity (inode, modification time, size): a replaced file is read again.
    """
    with Image.open(path, formats=FORMATS) as opened:
        if opened.format == "JPEG":
            opened.draft("RGB", (CACHE_SIDE, CACHE_SIDE))
        opened.load()
        image = ImageOps.exif_transpose(opened)
    if max(image.size) > CACHE_SIDE:
        image.thumbnail((CACHE_SIDE, CACHE_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    if image.mode not in ("RGBA", "LA", "PA", "RGBa", "La") and "transparency" not in image.info:
        return image.convert("RGB"), False
    rgba = image.convert("RGBA")
    alpha = rgba.getchannel("A")
    clear = sum(alpha.histogram()[:128]) / (rgba.width * rgba.height)
    if clear < CUTOUT_SHARE:  # an opaque picture that happens to carry an alpha channel
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB"), False
    visible = alpha.point(_VISIBLE).getbbox()
    if visible is None:
        raise ValueError("the image is fully transparent")
    return rgba.crop(visible), True


def _fit(picture: Image.Image, room: tuple[int, int]) -> Image.Image:
    """`picture` scaled to fit `room`, keeping its aspect ratio."""
    scale = min(room[0] / picture.width, room[1] / picture.height)
    target = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    if target == picture.size:
        return picture.copy()
    return picture.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0 if scale < 1 else None)


def _rounded_mask(size: tuple[int, int], radius: int) -> Image.Image:
    """An opaque mask with anti-aliased round corners: one corner drawn at 4× and scaled down."""
    mask = Image.new("L", size, 255)
    r = min(radius, min(size) // 2)
    if r < 1:
        return mask
    corner = Image.new("L", (4 * r, 4 * r), 0)
    ImageDraw.Draw(corner).ellipse((0, 0, 8 * r - 1, 8 * r - 1), fill=255)
    corner = corner.reduce(4)
    w, h = size
    mask.paste(corner, (0, 0))
    mask.paste(corner.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (w - r, 0))
    mask.paste(corner.transpose(Image.Transpose.FLIP_TOP_BOTTOM), (0, h - r))
    mask.paste(corner.transpose(Image.Transpose.ROTATE_180), (w - r, h - r))
    return mask


def _shadow(alpha: Image.Image) -> tuple[Image.Image, tuple[int, int]]:
    """The shadow's opacity under an alpha mask, and where its top-left goes relative to the mask's.

    A drop shadow (the mask blurred and moved down) and a contact shadow (a flat ellipse as wide as
    the product's base, barely blurred), the darker of the two at each pixel.
    """
    height = alpha.height
    blur, contact = max(0.5, SHADOW_BLUR * height), max(0.5, CONTACT_BLUR * height)
    factor = 2 * max(1, int(contact // 3))  # both are smooth: blur a copy at 1/factor the size
    pad = math.ceil(3 * blur / factor)
    small = alpha.reduce(factor)
    size = (small.width + 2 * pad, small.height + 2 * pad)
    drop = Image.new("L", size, 0)
    drop.paste(small, (pad, pad + round(SHADOW_DROP * height / factor)))
    drop = drop.filter(ImageFilter.GaussianBlur(blur / factor)).point(_scale(SHADOW_OPACITY))
    base = alpha.crop((0, max(0, height - max(2, round(0.03 * height))), alpha.width, height)).getbbox()
    if base is not None:
        ellipse = Image.new("L", size, 0)
        half = max(1.0, CONTACT_HEIGHT * height / factor / 2)
        bottom = pad + small.height
        inset = (base[2] - base[0]) * 0.04
        box = (pad + (base[0] + inset) / factor, bottom - half, pad + (base[2] - inset) / factor, bottom + half)
        ImageDraw.Draw(ellipse).ellipse(box, fill=255)
        ellipse = ellipse.filter(ImageFilter.GaussianBlur(contact / factor)).point(_scale(CONTACT_OPACITY))
        drop = ImageChops.lighter(drop, ellipse)
    # Back up: bilinear to half the size, then pixels doubled (a shadow this soft shows no steps).
    mid = (size[0] * factor // 2, size[1] * factor // 2)
    drop = drop.resize(mid, Image.Resampling.BILINEAR).resize((mid[0] * 2, mid[1] * 2), Image.Resampling.NEAREST)
    return drop, (-pad * factor, -pad * factor)


@functools.lru_cache(maxsize=8)
def _scale(opacity: float) -> list[int]:
    return [round(v * opacity) for v in range(256)]


def _compose(
    art: Image.Image, size: tuple[int, int], y: int, colour: tuple[int, int, int] | None
) -> tuple[Image.Image, Box]:
    """`art` centred across `size` at height `y`, over its shadow in `colour` (None: no shadow)."""
    art = art if art.mode == "RGBA" else art.convert("RGBA")
    x = (size[0] - art.width) // 2
    alpha = art.getchannel("A")
    if colour is None:
        out = Image.new("RGBA", size, (0, 0, 0, 0))
        out.paste(art, (x, y))  # onto nothing: a plain copy is exact
    else:
        shade, (dx, dy) = _shadow(alpha)
        opacity = Image.new("L", size, 0)
        opacity.paste(shade, (x + dx, y + dy))
        out = Image.new("RGBA", size, colour)
        out.putalpha(opacity)
        out.alpha_composite(art, dest=(x, y))
    drawn = alpha.getbbox() or (0, 0, art.width, art.height)
    return out, (x + drawn[0], y + drawn[1], x + drawn[2], y + drawn[3])
