"""Shop exports (Shopify, WooCommerce, Taobao) and custom ones with --mapping feed the same catalog loader."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Cli

from contentgen.domain import load_catalog
from contentgen.domain.importers import detect, load_mapping
from contentgen.domain.importers.html import html_to_text
from contentgen.domain.product import Catalog
from contentgen.errors import DataError
from contentgen.fileio import read_csv

DATA = Path(__file__).parent / "data" / "importers"
SHOPIFY = DATA / "shopify_products.csv"
WOO = DATA / "woocommerce_products.csv"
TAOBAO = DATA / "taobao_export.csv"
CUSTOM = DATA / "custom_export.csv"
MAPPING = DATA / "custom_mapping.yaml"


def facts(catalog: Catalog) -> dict[str, tuple[Decimal, Decimal | None, int, str, str]]:
    return {p.sku: (p.price, p.list_price, p.stock, p.category, p.name) for p in catalog}


def header(path: Path) -> list[str]:
    return list(next(read_csv(path))[1])


def test_detection_from_the_header() -> None:
    assert detect(header(SHOPIFY)) == "shopify"
    assert detect(header(WOO)) == "woocommerce"
    assert detect(header(TAOBAO)) == "taobao"
    assert detect(header(CUSTOM)) is None
    assert detect(["sku", "name", "category", "price", "stock"]) is None
    assert detect(["货号", "商品名称", "类目", "价格", "库存"]) is None


def test_shopify_variants_inherit_the_first_row() -> None:
    catalog = load_catalog(SHOPIFY, currency="USD")
    d = Decimal
    assert facts(catalog) == {
        "DW-100": (d("18.00"), d("22.00"), 24, "Green Tea", "Dragon Well Green Tea — 100 g"),
        "DW-250": (d("39.50"), None, 9, "Green Tea", "Dragon Well Green Tea — 250 g"),
        "DW-500": (d("72.00"), d("80.00"), 0, "Green Tea", "Dragon Well Green Tea — 500 g"),
        "GB-6": (d("45.00"), None, 12, "Gift Set", "Tea Sampler Gift Box"),
        "TP-01": (d("88.00"), None, 3, "Teapots", "Yixing Clay Teapot"),
    }
    tea = catalog.get("DW-500")
    assert tea.description == "Pan-fired Longjing from Hangzhou.\n\nChestnut & orchid notes.\nBrew at 80 °C."
    assert tea.tags == ["green tea", "spring harvest"] and tea.attributes == {"vendor": "Morrow Tea Co."}
    # the image-only row is no product, its image belongs to the handle
    assert tea.image_urls[-1] == "https://cdn.shopify.com/s/files/1/dragon-well-leaves.jpg" and tea.images == []
    assert catalog.get("GB-6").images == ["images/gift-box.png"]
    assert any(w.startswith(f"{SHOPIFY}:2: images: 'https://cdn.shopify.com/") for w in catalog.warnings)


def test_woocommerce_variations_and_sale_price() -> None:
    catalog = load_catalog(WOO, currency="USD")
    d = Decimal
    assert facts(catalog) == {
        "WC-MUG": (d("12.00"), None, 14, "Mugs", "Morning Mug"),
        "WC-TEE-S": (d("19.00"), d("25.00"), 5, "Shirts", "Morrow Tee — S"),
        "WC-TEE-M": (d("25.00"), None, 0, "Shirts", "Morrow Tee — M"),
    }
    assert catalog.get("WC-MUG").description == "Stoneware, 350 ml.\n\nDishwasher safe."
    assert catalog.get("WC-TEE-S").on_sale and catalog.get("WC-TEE-M").image_urls[0].endswith("tee-front.jpg")
    assert "WC-TEE" not in catalog


def test_taobao_gbk_export() -> None:
    assert TAOBAO.read_bytes().decode("gbk").startswith("宝贝标题")
    catalog = load_catalog(TAOBAO, currency="CNY")
    d = Decimal
    assert facts(catalog) == {
        "TB-LJ-100": (d("128.00"), None, 50, "绿茶", "西湖龙井 明前特级 100克"),
        "TB-AJ-50": (d("88"), None, 0, "绿茶", "安吉白茶 50克"),
        "TB-ZS-200": (d("1280.00"), None, 3, "茶具", "紫砂壶 朱泥 200毫升"),
    }
    assert catalog.get("TB-LJ-100").description == "明前采摘&手工炒制\n\n清香持久"
    assert catalog.get("TB-LJ-100").image_urls == ["https://img.alicdn.com/lj.jpg"]


def test_custom_export_with_a_mapping() -> None:
    with pytest.raises(DataError, match=r"unknown column 'Item No'.*--mapping"):
        load_catalog(CUSTOM, currency="USD")
    catalog = load_catalog(CUSTOM, currency="USD", mapping=load_mapping(MAPPING))
    assert facts(catalog) == {
        "C-100": (Decimal("32.00"), Decimal("40.00"), 6, "Oolong", "Oolong Reserve"),
        "C-200": (Decimal("21.50"), None, 0, "Green Tea", "Jasmine Pearls"),
    }


def test_a_bad_mapping_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "map.yaml"
    bad.write_text("columns:\n  Item No: sku\n  Product: title\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"map\.yaml:1: columns: .*'Product' maps to unknown field 'title'") as info:
        load_mapping(bad)
    assert "\n" not in str(info.value)
    bad.write_text("columns: {Item No: sku}\nseparator: ';'\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"map\.yaml:2: separator"):
        load_mapping(bad)
    bad.write_text("columns: {Item Number: sku}\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"custom_export\.csv:1: the mapping names column 'Item Number'"):
        load_catalog(CUSTOM, currency="USD", mapping=load_mapping(bad))


def test_a_shopify_variant_without_sku_names_its_line(tmp_path: Path) -> None:
    lines = SHOPIFY.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("DW-250", "")
    path = tmp_path / "products_export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_catalog(path, currency="USD")
    assert str(info.value).startswith(f"{path}:3: Variant SKU: variant row has no SKU")
    assert "\n" not in str(info.value)


def test_a_bad_woocommerce_price_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "wc.csv"
    path.write_text(WOO.read_text(encoding="utf-8").replace("19.00,25.00", "abc,25.00"), encoding="utf-8")
    with pytest.raises(DataError, match=r"wc\.csv:4: price: "):
        load_catalog(path, currency="USD")


def test_html_to_text() -> None:
    assert html_to_text("<p>a &amp; b</p><p>c<br/>d</p><script>x()</script>") == "a & b\n\nc\nd"


@pytest.mark.parametrize(
    ("path", "kit", "mapping"),
    [(SHOPIFY, "morrow", None), (WOO, "morrow", None), (TAOBAO, "qinghe", None), (CUSTOM, "morrow", MAPPING)],
)
def test_cli_validate_summarises_an_export_like_a_plain_file(
    path: Path, kit: str, mapping: Path | None, tmp_path: Path, cli: Cli
) -> None:
    extra = ["--mapping", str(mapping)] if mapping else []
    result = cli("catalog", "validate", str(path), "--kit", kit, "--json", *extra)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    catalog = load_catalog(
        path, currency="CNY" if kit == "qinghe" else "USD", mapping=load_mapping(mapping) if mapping else None
    )
    plain = tmp_path / "plain.jsonl"
    plain.write_text(
        "\n".join(json.dumps(p.model_dump(mode="json", exclude={"images", "image_urls"})) for p in catalog) + "\n",
        encoding="utf-8",
    )
    same = json.loads(cli("catalog", "validate", str(plain), "--kit", kit, "--json").stdout)
    assert {k: v for k, v in summary.items() if k not in {"file", "warnings"}} == {
        k: v for k, v in same.items() if k not in {"file", "warnings"}
    }
    table = cli("catalog", "validate", str(path), "--kit", kit, *extra).stdout
    plain_table = cli("catalog", "validate", str(plain), "--kit", kit).stdout
    assert table.splitlines()[-1] == plain_table.splitlines()[-1]
    assert table.splitlines()[-1].startswith("prices ") and "products" in table


def test_cli_mapping_errors_are_one_line(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "map.yaml"
    bad.write_text("columns: {Item No: nope}\n", encoding="utf-8")
    result = cli("catalog", "validate", str(CUSTOM), "--kit", "morrow", "--mapping", str(bad))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "unknown field 'nope'" in lines[0]


def test_cli_ingest_a_shopify_export_and_a_mapped_one(cli: Cli) -> None:
    result = cli("catalog", "ingest", str(SHOPIFY), "--kit", "morrow", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["products"]["added"] == ["DW-100", "DW-250", "DW-500", "GB-6", "TP-01"]
    result = cli("catalog", "ingest", str(CUSTOM), "--kit", "morrow", "--mapping", str(MAPPING), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)["products"]
    assert report["added"] == ["C-100", "C-200"] and len(report["removed"]) == 5


def test_shopify_draft_and_archived_products_are_skipped_and_counted(tmp_path: Path) -> None:
    lines = SHOPIFY.read_text(encoding="utf-8").splitlines()
    assert lines[1].endswith(",active") and lines[5].endswith(",active") and lines[6].endswith(",active")
    lines[1] = lines[1].removesuffix("active") + "draft"  # dragon-well: its variant rows (no Status) follow it
    lines[6] = lines[6].removesuffix("active") + "Archived"
    path = tmp_path / "products_export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    catalog = load_catalog(path, currency="USD", assets_root=DATA)
    assert [p.sku for p in catalog] == ["GB-6"]
    assert f"{path}: Status: skipped 2 product(s) not active (1 archived, 1 draft)" in catalog.warnings[-1]
    assert all("dragon-well" not in w for w in catalog.warnings)  # skipped products' image URLs are not reported


def test_taobao_assistant_export_with_a_preamble_and_hashed_images(tmp_path: Path) -> None:
    export = tmp_path / "夏季上新.csv"
    rows = [
        "version 1.00",
        "title,cid,price,num,outer_id,picture",
        "宝贝名称,宝贝类目,宝贝价格,宝贝数量,商家编码,新图片",
        "西湖龙井 100克,绿茶,128.00,50,TB-LJ-100,9f86d081884c7d65:1:0:|;e3b0c44298fc1c14:1:1:|;",
        '安吉白茶 50克,绿茶,88,0,TB-AJ-50,"https://img.alicdn.com/aj.jpg"',
    ]
    export.write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    folder = tmp_path / "夏季上新"
    folder.mkdir()
    for name in ("9f86d081884c7d65", "e3b0c44298fc1c14"):
        (folder / f"{name}.tbi").write_bytes((DATA / "images" / "gift-box.png").read_bytes())
    catalog = load_catalog(export, currency="CNY")
    assert facts(catalog) == {
        "TB-LJ-100": (Decimal("128.00"), None, 50, "绿茶", "西湖龙井 100克"),
        "TB-AJ-50": (Decimal("88"), None, 0, "绿茶", "安吉白茶 50克"),
    }
    assert catalog.get("TB-LJ-100").images == ["夏季上新/9f86d081884c7d65.tbi", "夏季上新/e3b0c44298fc1c14.tbi"]
    assert catalog.get("TB-AJ-50").image_urls == ["https://img.alicdn.com/aj.jpg"]
    # line numbers still count the preamble
    export.write_bytes(("\r\n".join([*rows[:4], rows[4].replace(",88,", ",八十八,")]) + "\r\n").encode("gbk"))
    with pytest.raises(DataError, match=r"夏季上新\.csv:5: price"):
        load_catalog(export, currency="CNY")
    (folder / "e3b0c44298fc1c14.tbi").unlink()
    missing = r"夏季上新\.csv:4: images: image file '夏季上新/e3b0c44298fc1c14\.tbi' not found"
    with pytest.raises(DataError, match=missing):
        load_catalog(export, currency="CNY")


def test_images_of_a_catalog_file_outside_the_kit_resolve_against_its_folder(tmp_path: Path) -> None:
    from contentgen.domain import load_brand_kit
    from contentgen.domain.layout import poster_layouts
    from contentgen.domain.loaders import kit_segments, load_channels
    from contentgen.pipelines.poster import PosterPipeline, PosterRequest
    from contentgen.render.product import product_visual

    shop = tmp_path / "shop"
    (shop / "pics").mkdir(parents=True)
    (shop / "pics" / "box.png").write_bytes((DATA / "images" / "gift-box.png").read_bytes())
    (shop / "products.csv").write_text(
        "sku,name,category,price,stock,images\n"
        "GB-6,礼盒,茶具,45,12,pics/box.png\n"
        "GB-7,礼盒 大,茶具,65,2,https://img.example.com/gb7.jpg\n",
        encoding="utf-8",
    )
    catalog = load_catalog(shop / "products.csv", currency="CNY")
    assert catalog.images_root == shop
    brand = load_brand_kit("qinghe")
    with pytest.raises(DataError, match="not found"):  # not a file of the kit
        product_visual(catalog.get("GB-6"), brand, (300, 300))
    pipeline = PosterPipeline(brand, catalog=catalog, ocr=False)
    douyin, segment = load_channels()["douyin"], kit_segments(brand)[0]
    requests = [
        PosterRequest(segment, douyin, douyin.poster_sizes[0], poster_layouts()["hero-product"], catalog.get(sku))
        for sku in ("GB-6", "GB-7")
    ]
    shown = [next(e for e in r.elements if e.element == "product").detail for r in pipeline.run(requests)]
    assert shown[0]["source"] == "pics/box.png" and shown[0]["kind"] in {"card", "cutout"}
    assert shown[1] == {"kind": "placeholder", "source": None}  # a URL is never fetched


def test_shopify_unpublished_products_are_skipped_and_counted(tmp_path: Path, cli: Cli) -> None:
    """Published FALSE on a product's first row (its variant rows leave it empty) keeps every variant of it out;
    the newer export's `Published on online store` column counts the same; anything but TRUE/FALSE is an error."""
    lines = SHOPIFY.read_text(encoding="utf-8").splitlines()
    column = lines[0].split(",").index("Published")
    # Body (HTML) of dragon-well has commas inside quotes: edit its Published cell by position from the end.
    dragon = lines[1].rsplit(",", 24 - column)
    assert dragon[1] == "TRUE"
    lines[1] = ",".join([dragon[0], "FALSE", *dragon[2:]])
    gift = lines[5].split(",")
    assert gift[column] == "TRUE"
    gift[column] = "false"
    lines[5] = ",".join(gift)
    path = tmp_path / "products_export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    catalog = load_catalog(path, currency="USD", assets_root=DATA)
    assert [p.sku for p in catalog] == ["TP-01"]  # dragon-well's three variants and the gift box are out
    assert catalog.warnings[-1] == (
        f"{path}: Published: skipped 2 product(s) not published on the online store (dragon-well, gift-box); "
        "publish them in Shopify (Published TRUE) to include them"
    )
    assert all("dragon-well" not in w for w in catalog.warnings[:-1])  # no image-URL warnings for them

    newer = tmp_path / "newer_export.csv"
    newer.write_text(path.read_text(encoding="utf-8").replace(",Published,", ",Published on online store,", 1))
    assert [p.sku for p in load_catalog(newer, currency="USD", assets_root=DATA)] == ["TP-01"]

    result = cli("catalog", "ingest", str(path), "--kit", "morrow", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["products"]["added"] == ["TP-01"]

    teapot = lines[6].split(",")
    teapot[column] = "maybe"
    lines[6] = ",".join(teapot)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_catalog(path, currency="USD", assets_root=DATA)
    message = str(err.value)
    assert ":7" in message and "Published" in message and "TRUE or FALSE" in message
