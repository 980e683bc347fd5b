"""A catalog store's view of another process's ingest: read fresh by default, or trusted for `fresh_s` seconds
(what `contentgen serve` does to save round trips to Chroma); records fetched once per revision."""

from __future__ import annotations

from pathlib import Path

from contentgen.catalog.store import open_catalog
from contentgen.config import load_settings
from contentgen.domain.loaders import load_brand_kit, load_kit_catalog
from contentgen.domain.product import Catalog


def test_fresh_s_trusts_the_view_until_it_expires_and_ingest_resets_it(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path / "home")
    writer = open_catalog("morrow", settings=settings)
    writer.ingest()
    sku = load_kit_catalog(load_brand_kit("morrow")).products[0].sku
    always = open_catalog("morrow", settings=settings)
    trusting = open_catalog("morrow", settings=settings, fresh_s=3600)
    before = trusting.get(sku).price
    assert always.get(sku).price == before
    catalog = load_kit_catalog(load_brand_kit("morrow"))
    changed = [p.model_copy(update={"price": p.price + 1}) if p.sku == sku else p for p in catalog.products]
    writer.ingest(Catalog(changed, catalog.source))  # "another process" ingests a new price
    assert always.get(sku).price == before + 1  # fresh_s 0: every lookup reads the revision
    assert trusting.get(sku).price == before  # its view is trusted for an hour
    trusting.close()
    assert trusting.get(sku).price == before + 1  # and read again once dropped
    trusting.ingest(catalog)  # its own ingest is seen at once
    assert trusting.get(sku).price == before
