"""Chinese product-search quality: shopper queries against marketplace-style titles, R@5 and MRR.

Titles and queries come from `bench/search_quality_data.py` (seeded; 2,000 titles in ten categories, 300
dev queries and 200 held-out queries written with other templates and aimed at other titles). The titles
are ingested as products (name = title, category = the broad category) into a fresh embedded Chroma with
the offline static embedder; the first 500 titles make the small catalog, all 2,000 the large one, and
every query's title is in both. Each configuration is a `SearchTuning` over the same stores, so the
baseline (the search before the grams leg: dense + jieba words, plain RRF, no query normalisation) runs in
the same process on the same index. MRR is over the top 10 (a miss scores 0).

    python -m bench.bench_search_quality [--tune]

`--tune` also prints a small grid of fusion weights scored on the dev set only (how the defaults were chosen).
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.search_quality_data import Query, Title, make_queries, make_titles

SIZES = (500, 2000)
DEV, HELD_OUT = 300, 200
GOALS = {"R@5 500": 0.95, "MRR 500": 0.90, "R@5 2000": 0.90}


def _stores(directory: Path, titles: Sequence[Title]) -> dict[int, object]:
    from contentgen.catalog.chroma import connect
    from contentgen.catalog.store import CatalogStore
    from contentgen.domain.loaders import load_brand_kit
    from contentgen.domain.product import Catalog, Product
    from contentgen.providers.embed.static import StaticEmbedder

    kit = load_brand_kit("qinghe")
    embedder = StaticEmbedder()
    stores: dict[int, object] = {}
    for size in SIZES:
        products = [
            Product(sku=t.sku, name=t.title, category=t.category, price=Decimal("99"), currency="CNY", stock=10)
            for t in titles[:size]
        ]
        client, location = connect(None, directory / f"chroma-{size}")
        store = CatalogStore(kit, client, embedder, location=location)
        store.ingest(Catalog(products=products), policies={})
        stores[size] = store
    return stores


def _score(store: object, queries: Sequence[Query], tuning: object) -> tuple[float, float]:
    from contentgen.catalog.store import CatalogStore, SearchTuning

    assert isinstance(store, CatalogStore) and isinstance(tuning, SearchTuning)
    view = CatalogStore(store.kit, store.client, store.embedder, location=store.location, tuning=tuning)
    hits5 = 0
    reciprocal = 0.0
    for query in queries:
        skus = [h.product.sku for h in view.search(query.text, k=10).hits]
        if query.sku in skus[:5]:
            hits5 += 1
        if query.sku in skus:
            reciprocal += 1 / (skus.index(query.sku) + 1)
    return hits5 / len(queries), reciprocal / len(queries)


def main(argv: Sequence[str] | None = None) -> None:
    from contentgen.catalog.store import SearchTuning

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="also score a grid of fusion weights on the dev set")
    args = parser.parse_args(argv)
    titles = make_titles(max(SIZES))
    sets = {
        "dev": make_queries(titles, DEV, held_out=False, pool=SIZES[0]),
        "held-out": make_queries(titles, HELD_OUT, held_out=True, pool=SIZES[0]),
    }
    configs = {
        "baseline (dense + words, RRF)": SearchTuning(1, 1, 0, normalize=False),
        "+ normalisation": SearchTuning(1, 1, 0, normalize=True),
        "+ grams leg (1:1:1)": SearchTuning(1, 1, 1, normalize=True),
        "default SearchTuning()": SearchTuning(),
    }
    if args.tune:
        for dense in (0.5, 1.0):
            for words in (0.5, 1.0):
                for grams in (1.0, 1.5, 2.0, 3.0):
                    configs[f"grid d={dense} w={words} g={grams}"] = SearchTuning(dense, words, grams)
    console = Console()
    with tempfile.TemporaryDirectory() as directory:
        stores = _stores(Path(directory), titles)
        for name, queries in sets.items():
            if name == "held-out" and args.tune:
                configs = {k: v for k, v in configs.items() if not k.startswith("grid")}
            table = Table(title=f"Search quality, {name} queries ({len(queries)}), among 500 and 2,000 titles")
            for column in ("configuration", "R@5 500", "MRR 500", "R@5 2000", "MRR 2000"):
                table.add_column(column, justify="left" if column == "configuration" else "right")
            for label, tuning in configs.items():
                r500, m500 = _score(stores[500], queries, tuning)
                r2000, m2000 = _score(stores[2000], queries, tuning)
                table.add_row(label, f"{r500:.3f}", f"{m500:.3f}", f"{r2000:.3f}", f"{m2000:.3f}")
            console.print(table)
    console.print("goals (held-out): " + ", ".join(f"{k} ≥ {v}" for k, v in GOALS.items()))


if __name__ == "__main__":
    main()
