"""`contentgen poster --catalog FILE [--mapping map.yaml]`: posters from a shop export, with its own images."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Cli
from PIL import Image

HEADER = (
    "Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Option1 Name,Option1 Value,Variant SKU,"
    "Variant Inventory Qty,Variant Price,Variant Compare At Price,Image Src,Status"
)


def shop_export(folder: Path) -> Path:
    """A two-product Shopify export beside a local packshot (pics/jar.png) and a URL it does not fetch."""
    (folder / "pics").mkdir(parents=True)
    jar = Image.new("RGBA", (240, 300), (0, 0, 0, 0))
    jar.paste((40, 120, 80, 255), (40, 40, 200, 280))
    jar.save(folder / "pics" / "jar.png")
    rows = [
        HEADER,
        "cica-cream,积雪草修护面霜,<p>舒缓<b>修护</b></p>,青禾,面霜,修护,TRUE,规格,50 g,EXT-1,12,129.00,159.00,"
        "pics/jar.png,active",
        "oat-wash,燕麦洁面乳,<p>温和</p>,青禾,洁面,温和,TRUE,规格,100 ml,EXT-2,30,69.00,,"
        "https://cdn.example.com/oat.jpg,active",
    ]
    path = folder / "products_export.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_cli_posters_from_a_shop_export_use_its_image(cli: Cli, tmp_path: Path) -> None:
    export = shop_export(tmp_path / "shop")
    out = tmp_path / "out"
    result = cli(
        "poster", "--kit", "qinghe", "--segment", "gen-z", "--channel", "xiaohongshu", "--size", "square",
        "--sku", "EXT-1", "--sku", "EXT-2", "--headline", "积雪草修护面霜", "--cta", "去看看",
        "--catalog", str(export), "--no-ocr", "--out", str(out), "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    posters = {p["sku"]: p for p in json.loads(result.stdout)["posters"]}
    assert set(posters) == {"EXT-1", "EXT-2"}
    visual = {sku: next(e for e in p["elements"] if e["element"] == "product") for sku, p in posters.items()}
    assert visual["EXT-1"]["detail"] == {"kind": "cutout", "source": "pics/jar.png"}  # the export's own image
    assert visual["EXT-2"]["detail"]["kind"] == "placeholder"  # a URL: never fetched
    assert "is a URL and is not fetched" in result.stderr
    price = next(e for e in posters["EXT-1"]["elements"] if e["element"] == "price")
    assert "129" in price["text"]
    assert len(list((out / "gen-z").glob("*.png"))) == 2


def test_cli_poster_catalog_with_a_mapping(cli: Cli, tmp_path: Path) -> None:
    data = Path(__file__).parent / "data" / "importers"
    result = cli(
        "poster", "--kit", "morrow", "--segment", "gen-z", "--channel", "email", "--sku", "C-100",
        "--headline", "Oolong Reserve", "--catalog", str(data / "custom_export.csv"),
        "--mapping", str(data / "custom_mapping.yaml"), "--no-ocr", "--out", str(tmp_path), "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (poster,) = json.loads(result.stdout)["posters"]
    assert poster["sku"] == "C-100"


def test_cli_poster_bad_catalog_is_one_line(cli: Cli, tmp_path: Path) -> None:
    base = ("poster", "--kit", "qinghe", "--segment", "gen-z", "--channel", "douyin", "--no-ocr")
    missing = cli(*base, "--catalog", str(tmp_path / "nope.csv"))
    broken = tmp_path / "broken.csv"
    broken.write_text("sku,name,category,price,stock\nX-1,面霜,面霜,not a price,3\n", encoding="utf-8")
    bad_row = cli(*base, "--catalog", str(broken))
    orphan = cli(*base, "--mapping", str(tmp_path / "map.yaml"))
    for result, expected in ((missing, "nope.csv"), (bad_row, "broken.csv:2"), (orphan, "--mapping goes with")):
        assert result.exit_code == 1, result.output
        assert expected in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
