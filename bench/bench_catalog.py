"""Catalog ingest rate and search latency on synthetic products, each against baselines run alongside.

Products are made from the shipped catalogs' own vocabulary (names recombined from their words, tags,
selling points and attributes mixed across products, prices and stock drawn at random), half from the
Chinese kit and half from the English one, so both tokenisers and the dense leg see realistic text.

Ingest: `CatalogStore.ingest` (validation, hashes, batched embedding, batched upsert) against the naive
path, one `collection.add` per product with its own embedding call, timed on a subset; and against Chroma's
own write path alone (the same metadata, vectors computed beforehand), the ceiling for any ingest into
embedded Chroma. A re-ingest of the same products (nothing to write) is timed too. Wall seconds depend on
what else the machine runs; CPU seconds (all threads of this process) much less so: both are shown.
Goal: ≥ 2,000 products per second.

Search: `CatalogStore.search` (filters parsed from the question, dense + BM25 fused) on a mix of plain,
price-filtered, category and in-stock questions, against raw Chroma dense queries: with the same `where`
clause, and without any filter. p50 / p95 over all questions after a warm-up pass, the methods interleaved
question by question. The keyword index is built once per catalog revision (the first search) and loaded
from its cache file by a new store: both timed apart. Goal: p95 ≤ 50 ms on 100,000 products.

    python -m bench.bench_catalog [--products 100000] [--queries 300] [--naive 300] [--quick]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from chromadb.api.collection_configuration import CreateCollectionConfiguration

    from contentgen.domain.product import Product

INGEST_GOAL = 2000.0
P95_GOAL_MS = 50.0
CEILING_PRODUCTS = 20_000

QUESTIONS = [
    "敏感肌洁面",
    "200元以内的面霜",
    "有货的防晒推荐一下",
    "请问有没有适合干皮的保湿精华",
    "一百元左右的面膜",
    "积雪草舒缓修护",
    "100到200元的化妆水",
    "green tea under $20",
    "jasmine",
    "something cozy for the evening without caffeine",
    "teapot in stock",
    "oolong $20-$40",
    "matcha whisk",
    "cold brew peach",
]


def synthetic_products(n: int, seed: int = 0) -> list[Product]:
    """`n` products recombined from both shipped catalogs (SKU SYN-000000 …), reproducible from `seed`."""
    from contentgen.domain import load_brand_kit
    from contentgen.domain.loaders import load_kit_catalog
    from contentgen.domain.product import Product

    rng = random.Random(seed)
    pools = [load_kit_catalog(load_brand_kit(kit)).products for kit in ("qinghe", "morrow")]
    tags = [sorted({t for p in pool for t in p.tags}) for pool in pools]
    points = [[s for p in pool for s in p.selling_points] for pool in pools]
    products = []
    for i in range(n):
        side = i % 2
        base, donor = rng.choice(pools[side]), rng.choice(pools[side])
        if base.currency == "USD":  # English: a donor's first word on the base name's rest
            name = " ".join([donor.name.split()[0], *base.name.split()[1:]])
        else:  # Chinese: the donor's first half on the base name's second half
            name = donor.name[: len(donor.name) // 2] + base.name[len(base.name) // 2 :]
        products.append(
            Product(
                sku=f"SYN-{i:06d}",
                name=f"{name} {i % 97}",
                category=base.category,
                price=(base.price * Decimal(rng.uniform(0.6, 1.6))).quantize(Decimal("0.01")),
                currency=base.currency,
                stock=0 if rng.random() < 0.1 else rng.randint(1, 5000),
                description=base.description,
                attributes=dict(donor.attributes if donor.category == base.category else base.attributes),
                selling_points=rng.sample(points[side], 3),
                tags=rng.sample(tags[side], 3),
            )
        )
    return products


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) for one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300, help="searches timed per method")
    parser.add_argument("--naive", type=int, default=300, help="products in the one-add-per-product baseline")
    parser.add_argument("--quick", action="store_true", help="10,000 products, 100 questions, 100 naive adds")
    args = parser.parse_args(argv)
    if args.quick:
        args.products, args.queries, args.naive = 10_000, 100, 100

    from contentgen.catalog.filters import parse_filters, where_clause
    from contentgen.catalog.records import product_document, product_metadata
    from contentgen.catalog.store import CatalogStore, open_catalog
    from contentgen.config import load_settings
    from contentgen.domain.product import Catalog
    from contentgen.providers.embed.static import StaticEmbedder

    console = Console()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    console.print(f"{os.cpu_count()} CPUs, load average {load:.1f} at start")
    products = synthetic_products(args.products)
    catalog = Catalog(products)
    embedder = StaticEmbedder()
    embedder.embed(["warm up"])

    with tempfile.TemporaryDirectory() as directory:
        store = open_catalog("qinghe", settings=load_settings(home=Path(directory) / "home"), embedder=embedder)
        ours = timed(lambda: store.ingest(catalog, policies={}))
        again = timed(lambda: store.ingest(catalog, policies={}))
        space: CreateCollectionConfiguration = {"hnsw": {"space": "cosine"}}

        naive = store.client.create_collection("bench.naive", embedding_function=None, configuration=space)
        subset = products[: args.naive]

        def one_by_one() -> None:
            for product in subset:
                document = product_document(product)
                naive.add(
                    ids=[product.sku],
                    embeddings=embedder.embed([document]),
                    metadatas=[product_metadata(product, document)],
                )

        baseline = timed(one_by_one)

        bare = store.client.create_collection("bench.bare", embedding_function=None, configuration=space)
        ceiling_set = products[:CEILING_PRODUCTS]
        documents = [product_document(p) for p in ceiling_set]
        metadatas: list[Any] = [product_metadata(p, d) for p, d in zip(ceiling_set, documents, strict=True)]
        vectors = embedder.embed(documents)
        step = store.client.get_max_batch_size()

        def chroma_alone() -> None:
            for start in range(0, len(ceiling_set), step):
                bare.upsert(
                    ids=[p.sku for p in ceiling_set[start : start + step]],
                    embeddings=vectors[start : start + step],
                    metadatas=metadatas[start : start + step],
                )

        ceiling = timed(chroma_alone)

        table = Table(title=f"Ingest: {len(products):,} products (goal ≥ {INGEST_GOAL:,.0f}/s)")
        for column in ("method", "products", "wall s", "per s", "CPU s", "per CPU-s", "vs baseline"):
            table.add_column(column, justify="left" if column == "method" else "right")
        naive_rate = len(subset) / baseline[0]
        for label, count, (wall, cpu), style in (
            ("add per product (baseline)", len(subset), baseline, ""),
            ("CatalogStore.ingest", len(products), ours, "bold"),
            ("Chroma upsert only (ceiling)", len(ceiling_set), ceiling, ""),
            ("re-ingest, unchanged", len(products), again, ""),
        ):
            rate = count / wall
            table.add_row(
                label,
                f"{count:,}",
                f"{wall:.1f}",
                f"{rate:,.0f}",
                f"{cpu:.1f}",
                f"{count / cpu:,.0f}",
                f"{rate / naive_rate:.0f}×",
                style=style,
            )
        console.print(table)
        console.print(
            "ceiling: Chroma's own write path for the same records with their vectors computed beforehand; "
            "CPU-s: seconds of CPU over all threads of this process"
        )

        rng = random.Random(1)
        questions = [rng.choice(QUESTIONS) for _ in range(args.queries)]
        build = timed(lambda: store.search(questions[0]))
        fresh = CatalogStore(store.kit, store.client, embedder, location=store.location, cache_dir=store.cache_dir)
        cached = timed(lambda: fresh.search(questions[0]))

        collection, index = store._product_index()
        prepared = []
        for question in questions:
            filters, text = parse_filters(question, index.categories, "zh-CN")
            prepared.append((question, text, where_clause(filters)))

        def dense(text: str, where: dict[str, Any] | None) -> None:
            collection.query(
                query_embeddings=embedder.embed([text]), n_results=10, where=where, include=["metadatas", "distances"]
            )

        methods: dict[str, Callable[[str, str, dict[str, Any] | None], object]] = {
            "Chroma dense + where (baseline)": lambda q, t, w: dense(t, w),
            "Chroma dense, no filter": lambda q, t, w: dense(t, None),
            "CatalogStore.search": lambda q, t, w: store.search(q),
        }
        latencies: dict[str, list[float]] = {name: [] for name in methods}
        for question, text, where in prepared[:20]:  # warm every path
            for method in methods.values():
                method(question, text, where)
        for question, text, where in prepared:  # interleaved, so a busy spell on the machine hits all alike
            for name, method in methods.items():
                started = time.perf_counter()
                method(question, text, where)
                latencies[name].append(time.perf_counter() - started)

        table = Table(
            title=f"Search: {len(products):,} products, {len(questions)} questions, k=10 "
            f"(goal p95 ≤ {P95_GOAL_MS:.0f} ms)"
        )
        for column in ("method", "p50 ms", "p95 ms", "mean ms", "baseline p95 ÷ p95"):
            table.add_column(column, justify="left" if column == "method" else "right")
        base95 = percentile(next(iter(latencies.values())), 0.95)
        for name, values in latencies.items():
            p95 = percentile(values, 0.95)
            table.add_row(
                name,
                f"{percentile(values, 0.5) * 1e3:.1f}",
                f"{p95 * 1e3:.1f}",
                f"{statistics.mean(values) * 1e3:.1f}",
                f"{base95 / p95:.1f}×",
                style="bold" if name.startswith("CatalogStore") else "",
            )
        console.print(table)
        console.print(
            "CatalogStore.search: filters parsed from the question, dense and BM25 legs fused; the raw queries "
            "embed the question with its filter phrases removed and return 10 results with metadata"
        )
        console.print(
            f"keyword index: built on the first search after ingest in {build[0]:.1f} s; "
            f"loaded from its cache by a new store in {cached[0]:.2f} s"
        )


if __name__ == "__main__":
    main()
