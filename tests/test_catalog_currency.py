"""A catalog without a currency column takes the kit's (or --currency's) currency; a row naming another is an error."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Cli

from contentgen.domain import load_brand_kit, load_catalog
from contentgen.domain.loaders import kit_currency, load_kit_catalog
from contentgen.errors import DataError

PLAIN = "sku,name,category,price,stock\nA-1,Calm Serum,Serum,129.50,7\nA-2,Soft Cleanser,Cleanser,59,0\n"


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    path = tmp_path / "shop.csv"
    path.write_text(PLAIN, encoding="utf-8")
    return path


def test_without_a_currency_the_error_says_how_to_give_one(plain: Path) -> None:
    with pytest.raises(DataError, match=r"shop\.csv:2: currency: required field is missing \(.*--kit.*--currency"):
        load_catalog(plain)


@pytest.mark.parametrize(("kit", "currency"), [("qinghe", "CNY"), ("morrow", "USD")])
def test_currency_from_the_kits_locale(plain: Path, kit: str, currency: str) -> None:
    expected, source = kit_currency(load_brand_kit(kit))
    catalog = load_catalog(plain, currency=expected, currency_source=source)
    serum, cleanser = catalog.get("A-1"), catalog.get("A-2")
    assert (serum.price, serum.stock, serum.currency) == (Decimal("129.50"), 7, currency)
    assert (cleanser.price, cleanser.stock, cleanser.currency) == (Decimal("59"), 0, currency)


def test_explicit_currency(plain: Path) -> None:
    catalog = load_catalog(plain, currency="eur")
    assert {p.currency for p in catalog} == {"EUR"}
    assert catalog.get("A-1").money() == "€129.50"
    with pytest.raises(DataError, match="'EURO' is not a three-letter ISO code"):
        load_catalog(plain, currency="euro")


def test_a_row_in_another_currency_is_an_error_naming_the_row(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text("sku,name,category,price,currency,stock\nA-1,x,y,1,CNY,1\nA-2,x,y,2,,1\nA-3,x,y,3,usd,1\n")
    with pytest.raises(DataError) as info:
        expected, source = kit_currency(load_brand_kit("qinghe"))
        load_catalog(path, currency=expected, currency_source=source)
    assert "mixed.csv:4: currency: 'usd' disagrees with the currency CNY of kit 'qinghe' (zh-CN)" in str(info.value)


def test_json_rows_fill_and_check_too(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"sku": "J-1", "name": "n", "category": "c", "price": "5", "stock": 2}\n', encoding="utf-8")
    assert load_catalog(path, currency="USD").get("J-1").currency == "USD"
    path.write_text('{"sku": "J-1", "name": "n", "category": "c", "price": "5", "currency": "CNY", "stock": 2}\n')
    with pytest.raises(DataError, match=r"c\.jsonl:1: currency: 'CNY' disagrees"):
        load_catalog(path, currency="USD")


def test_shipped_kits_still_load() -> None:
    for kit in ("qinghe", "morrow"):
        assert len(load_kit_catalog(load_brand_kit(kit))) > 0


def test_cli_validate_with_kit_and_currency(plain: Path, cli: Cli) -> None:
    result = cli("catalog", "validate", str(plain), "--kit", "morrow", "--json")
    assert result.exit_code == 0, result.output
    assert '"currencies": [\n    "USD"\n  ]' in result.stdout
    result = cli("catalog", "validate", str(plain), "--currency", "CNY")
    assert result.exit_code == 0, result.output
    assert "CNY" in result.stdout
    result = cli("catalog", "validate", str(plain))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "currency: required field is missing" in lines[0]


def test_cli_ingest_a_file_without_currency(plain: Path, cli: Cli) -> None:
    import json

    result = cli("catalog", "ingest", str(plain), "--kit", "morrow", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["products"]["added"] == ["A-1", "A-2"] and report["source"] == str(plain)
    mixed = plain.with_name("mixed.csv")
    mixed.write_text("sku,name,category,price,currency,stock\nA-1,x,y,1,CNY,1\n", encoding="utf-8")
    result = cli("catalog", "ingest", str(mixed), "--kit", "morrow")
    assert result.exit_code == 1
    assert f"{mixed}:2: currency: 'CNY' disagrees with the currency USD of kit 'morrow' (en-US)" in result.stderr


def test_image_urls_are_kept_apart_with_a_warning(tmp_path: Path, cli: Cli) -> None:
    path = tmp_path / "urls.csv"
    path.write_text(
        "sku,name,category,price,stock,images\nU-1,n,c,5,1,https://cdn.example.com/u1.jpg\nU-2,n,c,6,1,\n",
        encoding="utf-8",
    )
    catalog = load_catalog(path, currency="USD")
    product = catalog.get("U-1")
    assert product.images == [] and product.image_urls == ["https://cdn.example.com/u1.jpg"]
    assert catalog.warnings == [
        f"{path}:2: images: 'https://cdn.example.com/u1.jpg' is a URL and is not fetched; posters and videos use a "
        "placeholder until you save the image and give its path relative to the catalog or kit"
    ]
    result = cli("catalog", "validate", str(path), "--currency", "USD")
    assert result.exit_code == 0, result.output
    assert "Warning:" in result.stderr and "u1.jpg" in result.stderr


def test_the_store_ingests_a_file_without_currency_in_the_kits_currency(plain: Path, tmp_path: Path) -> None:
    from contentgen.catalog.chroma import connect
    from contentgen.catalog.store import CatalogStore
    from contentgen.providers.embed.static import StaticEmbedder

    client, location = connect(None, tmp_path / "chroma")
    store = CatalogStore(load_brand_kit("morrow"), client, StaticEmbedder(), location=location)
    report = store.ingest(plain, policies={})
    assert sorted(report.products.added) == ["A-1", "A-2"]
    assert store.get("A-1").currency == "USD"
