"""Product visuals: the product's own image as a cut-out or a rounded card, or a placeholder packshot.

Images are made here with Pillow (a red circle on transparency, an opaque JPEG …) inside a copy of the
minimal kit; placeholders are drawn for every category of both shipped catalogs. Everything is checked
on the pixels: where the product lands, that it keeps its shape, that the shadow is below it and
translucent, that corners are cut, that the label carries text.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from contentgen.domain.brand import BrandKit
from contentgen.domain.loaders import load_brand_kit, load_kit_catalog
from contentgen.domain.product import Product
from contentgen.errors import ConfigError, DataError
from contentgen.render.packshot import SHAPES, packshot_shape
from contentgen.render.product import ProductVisual, product_visual
from contentgen.resources import shipped

DATA = Path(__file__).parent / "data"
RED = (220, 40, 40)
BLUE = (30, 60, 210)


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> BrandKit:
    """A writable copy of the minimal kit, with an images/ folder the tests fill."""
    root = tmp_path_factory.mktemp("kit") / "minimal"
    shutil.copytree(DATA / "kits" / "minimal", root)
    (root / "images").mkdir()
    return load_brand_kit(root)


@pytest.fixture(scope="module")
def shipped_kits() -> dict[str, BrandKit]:
    return {name: load_brand_kit(shipped("brand_kits") / name) for name in ("qinghe", "morrow")}


def product(sku: str, images: list[str] | None = None, name: str = "测试商品", category: str = "面霜") -> Product:
    return Product(sku=sku, name=name, category=category, price=1, currency="CNY", stock=1, images=images or [])


def rgba(visual: ProductVisual) -> np.ndarray:
    assert visual.image.mode == "RGBA"
    return np.asarray(visual.image)


def circle_png(path: Path, colour: tuple[int, int, int] = RED) -> None:
    """A 300×200 transparent image with a 100 px circle whose box is (100, 50, 200, 150)."""
    image = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((100, 50, 199, 149), fill=(*colour, 255))
    image.save(path)


def one_line(err: pytest.ExceptionInfo[BaseException]) -> str:
    message = str(err.value)
    assert "\n" not in message
    return message


# ---- cut-outs -------------------------------------------------------------------------------------


def test_cutout_is_trimmed_scaled_centred_and_shadowed(kit: BrandKit) -> None:
    circle_png(kit.root / "images" / "circle.png")
    item = product("T-CUT", ["images/circle.png"])
    size = (400, 500)
    visual = product_visual(item, kit, size)
    bare = product_visual(item, kit, size, shadow=False)
    assert visual.kind == "cutout" and visual.source == "images/circle.png"
    assert visual.image.size == size and bare.image.size == size
    x0, y0, x1, y1 = visual.bbox
    assert visual.bbox == bare.bbox  # the shadow does not move the product, nor count in its box
    assert Image.fromarray(rgba(bare)[..., 3]).getbbox() == visual.bbox  # the box is exactly what is drawn
    # Trimmed to the circle (the transparent surroundings are gone), so it stays round and fills the width.
    assert abs((x1 - x0) - (y1 - y0)) <= 1
    assert 0.8 * size[0] <= x1 - x0 <= size[0]
    assert abs(x0 - (size[0] - x1)) <= 1 and y0 > 0 and y1 < size[1]
    pixels = rgba(visual)
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    assert tuple(pixels[cy, cx]) == (*RED, 255)
    # Shadow: below the product, translucent and dark; absent when switched off.
    below = pixels[y1 + 1 : y1 + 6, cx - 20 : cx + 20]
    assert ((below[..., 3] > 0) & (below[..., 3] < 255)).all()
    assert below[..., :3].max() < 100
    assert rgba(bare)[y1 + 1 : y1 + 6, cx - 20 : cx + 20, 3].max() == 0
    # Outside the product and its shadow, everything is transparent.
    for corner in ((0, 0), (0, size[0] - 1), (size[1] - 1, 0), (size[1] - 1, size[0] - 1)):
        assert pixels[corner][3] == 0
    assert pixels[: max(1, y0 - round(0.12 * (y1 - y0))), :, 3].max() == 0


def test_webp_with_alpha_is_a_cutout(kit: BrandKit) -> None:
    image = Image.new("RGBA", (120, 240), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((30, 40, 89, 199), fill=(*BLUE, 255))
    image.save(kit.root / "images" / "bar.webp", lossless=True)
    visual = product_visual(product("T-WEBP", ["images/bar.webp"]), kit, (300, 300), shadow=False)
    x0, y0, x1, y1 = visual.bbox
    assert visual.kind == "cutout"
    assert (y1 - y0) / (x1 - x0) == pytest.approx(160 / 60, rel=0.03)


def test_changed_image_file_is_read_again(kit: BrandKit) -> None:
    path = kit.root / "images" / "swap.png"
    circle_png(path, RED)
    item = product("T-SWAP", ["images/swap.png"])
    first = product_visual(item, kit, (200, 200), shadow=False)
    circle_png(path.with_suffix(".tmp.png"), BLUE)
    os.replace(path.with_suffix(".tmp.png"), path)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    second = product_visual(item, kit, (200, 200), shadow=False)
    for visual, colour in ((first, RED), (second, BLUE)):
        x0, y0, x1, y1 = visual.bbox
        assert tuple(rgba(visual)[(y0 + y1) // 2, (x0 + x1) // 2]) == (*colour, 255)


# ---- cards ----------------------------------------------------------------------------------------


def assert_card(visual: ProductVisual, aspect: float) -> None:
    assert visual.kind == "card"
    x0, y0, x1, y1 = visual.bbox
    assert (x1 - x0) / (y1 - y0) == pytest.approx(aspect, rel=0.02)
    alpha = rgba(visual)[..., 3]
    assert alpha[(y0 + y1) // 2, (x0 + x1) // 2] == 255
    assert alpha[(y0 + y1) // 2, x0] == 255 and alpha[y0, (x0 + x1) // 2] == 255  # straight edges are solid
    radius = round(0.06 * min(x1 - x0, y1 - y0))
    for cx, cy in ((x0, y0), (x1 - 1, y0), (x0, y1 - 1), (x1 - 1, y1 - 1)):
        assert alpha[cy, cx] == 0  # corners are cut …
    corner = alpha[y0 : y0 + radius, x0 : x0 + radius]
    assert ((corner > 0) & (corner < 255)).sum() >= radius  # … along an anti-aliased curve


def test_opaque_jpeg_is_a_rounded_card(kit: BrandKit) -> None:
    image = Image.new("RGB", (300, 200), BLUE)
    ImageDraw.Draw(image).rectangle((0, 0, 299, 40), fill=(240, 230, 200))
    image.save(kit.root / "images" / "photo.jpg", quality=92)
    item = product("T-JPG", ["images/photo.jpg"])
    visual = product_visual(item, kit, (400, 500), shadow=False)
    assert visual.source == "images/photo.jpg" and visual.image.size == (400, 500)
    assert_card(visual, 1.5)
    shadowed = product_visual(item, kit, (400, 500))
    assert shadowed.kind == "card" and shadowed.bbox == visual.bbox
    assert 0 < rgba(shadowed)[visual.bbox[3] + 2, 200, 3] < 255
    x0, y0, x1, y1 = visual.bbox
    centre = rgba(visual)[(y0 + y1) // 2, (x0 + x1) // 2, :3].astype(int)
    assert np.abs(centre - BLUE).max() <= 8


def test_png_with_an_all_opaque_alpha_channel_is_a_card(kit: BrandKit) -> None:
    Image.new("RGBA", (200, 200), (*RED, 255)).save(kit.root / "images" / "opaque.png")
    assert_card(product_visual(product("T-OPQ", ["images/opaque.png"]), kit, (300, 200), shadow=False), 1.0)


def test_exif_orientation_is_applied(kit: BrandKit) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown portrait
    Image.new("RGB", (300, 150), BLUE).save(kit.root / "images" / "turned.jpg", exif=exif)
    assert_card(product_visual(product("T-EXIF", ["images/turned.jpg"]), kit, (400, 400), shadow=False), 0.5)


# ---- errors ---------------------------------------------------------------------------------------


def test_missing_image_names_sku_file_and_fix(kit: BrandKit) -> None:
    with pytest.raises(DataError) as err:
        product_visual(product("T-MISS", ["images/missing.png"]), kit, (300, 300))
    message = one_line(err)
    assert "T-MISS" in message and str(kit.root / "images" / "missing.png") in message
    assert "add the file" in message and "remove 'images/missing.png'" in message


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("junk.png", b"this is not an image", "not a PNG, JPEG or WebP"),
        ("animation.gif", None, "not a PNG, JPEG or WebP"),
        ("truncated.png", "half", "truncated"),
        ("empty.png", "clear", "fully transparent"),
    ],
)
def test_unreadable_image_names_the_file(kit: BrandKit, name: str, content: object, reason: str) -> None:
    path = kit.root / "images" / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content == "half":
        circle_png(path)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif content == "clear":
        Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(path)
    else:
        Image.new("RGB", (20, 20), RED).save(path)  # a GIF, by its suffix
    with pytest.raises(DataError) as err:
        product_visual(product("T-BAD", [f"images/{name}"]), kit, (200, 200))
    message = one_line(err)
    assert str(path) in message and "T-BAD" in message and reason in message


def test_image_path_may_not_leave_the_kit(kit: BrandKit) -> None:
    with pytest.raises(DataError, match="leaves the kit folder") as err:
        product_visual(product("T-ESC", ["../outside.png"]), kit, (200, 200))
    assert "T-ESC" in one_line(err)


def test_bad_size_and_unloaded_kit_are_config_errors(kit: BrandKit) -> None:
    with pytest.raises(ConfigError, match="0×300"):
        product_visual(product("T-SIZE"), kit, (0, 300))
    with pytest.raises(ConfigError, match="whole numbers"):
        product_visual(product("T-SIZE"), kit, (200.5, 300))  # type: ignore[arg-type]
    assert product_visual(product("T-SIZE"), kit, (np.int64(90), np.int64(120))).image.size == (90, 120)  # type: ignore[arg-type]
    floating = BrandKit.model_validate(kit.model_dump())
    with pytest.raises(ConfigError, match="not loaded from a folder"):
        product_visual(product("T-ROOT"), floating, (200, 200))


# ---- placeholders ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "category", "shapes"),
    [
        ("积雪草舒缓修护精华液", "精华", {"dropper", "pump"}),
        ("积雪草舒缓保湿乳液", "面霜", {"pump", "dropper"}),
        ("Hydrating Serum", "Skincare", {"dropper", "pump"}),
        ("Daily Body Lotion", "Bath & Body", {"pump", "dropper"}),
        ("燕麦神经酰胺修护面霜", "面霜", {"jar"}),
        ("Rich Night Cream", "Skincare", {"jar"}),
        ("氨基酸温和洁面乳", "洁面", {"tube"}),
        ("清透水感防晒乳 SPF50+", "防晒", {"tube"}),
        ("Gentle Foaming Cleanser", "Cleansers", {"tube"}),
        ("Mineral Sunscreen SPF 30", "Suncare", {"tube"}),
        ("积雪草舒缓保湿面膜", "面膜", {"sachet"}),
        ("Jasmine Pearls", "Green Tea", {"tin"}),
        ("明前龙井", "茶叶", {"tin"}),
        ("燕麦屏障修护礼盒", "套装", {"gift"}),
        ("Holiday Tea Gift Set", "Gifts", {"gift"}),
        ("Cast Iron Teapot", "Teaware", {"teapot"}),
        ("青瓷品茗杯", "茶具", {"cup"}),
        ("Stoneware Mug", "Teaware", {"cup"}),
        ("Replacement Filter", "Spare Parts", {"box"}),
    ],
)
def test_pack_shape_follows_category_and_name(name: str, category: str, shapes: set[str]) -> None:
    assert packshot_shape(product("T-SHAPE", name=name, category=category)) in shapes


def test_packaging_spec_names_the_outer_container() -> None:
    boxed = product("T-PKG", name="Sampler of Five", category="Green Tea").model_copy(
        update={"specs": {"Packaging": "5 steel tins in a kraft box"}}
    )
    tinned = boxed.model_copy(update={"specs": {"Packaging": "steel tin with foil inner pouch"}})
    assert packshot_shape(boxed) == "box" and packshot_shape(tinned) == "tin"


def catalog_samples() -> list[tuple[str, str]]:
    """(kit, SKU) of the first product of every category of both shipped catalogs."""
    samples = []
    for name in ("qinghe", "morrow"):
        brand = load_brand_kit(shipped("brand_kits") / name)
        firsts: dict[str, str] = {}
        for item in load_kit_catalog(brand):
            firsts.setdefault(item.category, item.sku)
        samples += [(name, sku) for sku in firsts.values()]
    return samples


@pytest.mark.parametrize(("kit_name", "sku"), catalog_samples())
def test_placeholder_for_every_shipped_category(shipped_kits: dict[str, BrandKit], kit_name: str, sku: str) -> None:
    brand = shipped_kits[kit_name]
    item = load_kit_catalog(brand).get(sku)
    assert not item.images
    size = (360, 480)
    visual = product_visual(item, brand, size, seed=3)
    pixels = rgba(visual)
    assert visual.kind == "placeholder" and visual.source is None and visual.image.size == size
    assert 0.15 <= pixels[..., 3].mean() / 255 <= 0.85
    assert np.array_equal(pixels, rgba(product_visual(item, brand, size, seed=3)))  # the seed decides
    assert len({rgba(product_visual(item, brand, size, seed=s)).tobytes() for s in range(4)}) == 4
    # The label carries the brand and the name: another name changes pixels inside the pack, and only there.
    assert visual.label == (brand.signature, visual.label[1]) and visual.label[1]
    renamed = item.model_copy(update={"name": ("新" if kit_name == "qinghe" else "Q ") + item.name})
    other = rgba(product_visual(renamed, brand, size, seed=3))
    changed = np.argwhere(np.abs(other.astype(int) - pixels.astype(int)).max(axis=2) > 40)
    assert len(changed) > 20
    x0, y0, x1, y1 = visual.bbox
    assert (changed.min(axis=0) > (y0, x0)).all() and (changed.max(axis=0) < (y1, x1)).all()
    assert (pixels[changed[:, 0], changed[:, 1], 3] == 255).all()  # drawn on the opaque label


def test_placeholders_cover_every_shape(shipped_kits: dict[str, BrandKit]) -> None:
    drawn = {packshot_shape(item) for brand in shipped_kits.values() for item in load_kit_catalog(brand)}
    assert drawn == set(SHAPES)


def test_placeholder_colours_come_from_the_palette(shipped_kits: dict[str, BrandKit]) -> None:
    brand = shipped_kits["morrow"]
    pixels = rgba(product_visual(load_kit_catalog(brand).get("MT-GRN-001"), brand, (300, 400), shadow=False))
    opaque = pixels[pixels[..., 3] == 255][:, :3].astype(int)
    palette = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in brand.palette.model_dump().values()])

    # Shading darkens and lightens a colour without changing its hue: most pixels are a palette colour
    # scaled towards black or white. Measured as the distance to the nearest such line.
    def distance(colour: np.ndarray) -> float:
        best = float("inf")
        for base in palette:
            for end in (np.zeros(3), np.full(3, 255)):
                axis = base - end
                t = np.clip(np.dot(colour - end, axis) / max(np.dot(axis, axis), 1), 0, 1)
                best = min(best, float(np.linalg.norm(colour - (end + t * axis))))
        return best

    sample = opaque[:: max(1, len(opaque) // 400)]
    assert np.median([distance(c) for c in sample]) < 12


@pytest.mark.parametrize("size", [(900, 383), (383, 900), (64, 64), (1, 1), (3, 400)])
def test_odd_boxes_keep_the_aspect_ratio(
    kit: BrandKit, shipped_kits: dict[str, BrandKit], size: tuple[int, int]
) -> None:
    circle_png(kit.root / "images" / "round.png")
    brand = shipped_kits["qinghe"]
    cases = [
        (product("T-ODD", ["images/round.png"]), kit),
        (load_kit_catalog(brand).get("QH-SER-001"), brand),  # a slim bottle
        (load_kit_catalog(brand).get("QH-SET-002"), brand),  # a wide gift box
    ]
    for item, owner in cases:
        reference = product_visual(item, owner, (600, 800), seed=1)
        visual = product_visual(item, owner, size, seed=1)
        assert visual.image.size == size and visual.image.mode == "RGBA"
        x0, y0, x1, y1 = visual.bbox
        assert 0 <= x0 < x1 <= size[0] and 0 <= y0 < y1 <= size[1]
        if min(x1 - x0, y1 - y0) >= 12:  # aspect ratios of a few pixels are all rounding
            r0, s0, r1, s1 = reference.bbox
            tolerance = 2.5 / min(x1 - x0, y1 - y0)
            assert (x1 - x0) / (y1 - y0) == pytest.approx((r1 - r0) / (s1 - s0), rel=tolerance)
