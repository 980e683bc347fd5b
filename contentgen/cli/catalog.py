"""`contentgen catalog`: check product catalogs, ingest them into Chroma, search them."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from contentgen.cli.output import emit_json, out

if TYPE_CHECKING:
    from rich.progress import TaskID

    from contentgen.catalog.store import CatalogStore
    from contentgen.domain.product import Catalog

app = typer.Typer(help="Product catalogs: validate, ingest into Chroma, search.", no_args_is_help=True)

KitOption = Annotated[str, typer.Option("--kit", help="Brand kit id or folder.")]
ChromaUrlOption = Annotated[
    str | None,
    typer.Option(
        "--chroma-url",
        help="A Chroma server (chroma run …) for shared or multi-process use; default: embedded under the data home.",
    ),
]
EmbedOption = Annotated[
    str | None, typer.Option("--embed-provider", help="Embedder name (see `contentgen providers list`).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
CurrencyOption = Annotated[
    str | None,
    typer.Option(
        "--currency",
        help="Currency of rows without one (ISO code, e.g. CNY); default: the kit's locale (zh-CN → CNY, en-US → USD).",
    ),
]


MappingOption = Annotated[
    Path | None,
    typer.Option(
        "--mapping",
        help="YAML {columns: {their column: our field}} for an export that is not Shopify, WooCommerce or Taobao.",
    ),
]


def _load(file: Path, kit: str | None, currency: str | None, mapping_file: Path | None = None) -> Catalog:
    """The catalog in `file`, its currency defaulting to --currency, then to the kit's locale."""
    from contentgen.domain import load_brand_kit, load_catalog
    from contentgen.domain.importers import load_mapping
    from contentgen.domain.loaders import kit_currency

    mapping = load_mapping(mapping_file) if mapping_file is not None else None
    if kit is None or currency:
        return load_catalog(file, currency=currency, mapping=mapping)
    expected, source = kit_currency(load_brand_kit(kit))
    return load_catalog(file, currency=expected, currency_source=source, mapping=mapping)


@app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="Catalog file: .csv, .xlsx, .json or .jsonl.")],
    kit: Annotated[
        str | None, typer.Option("--kit", help="Brand kit id or folder: its locale gives the default currency.")
    ] = None,
    currency: CurrencyOption = None,
    mapping: MappingOption = None,
    json: JsonOption = False,
) -> None:
    """Check a catalog file (ours, or a Shopify/WooCommerce/Taobao export) and summarise it."""
    from rich.markup import escape

    catalog = _load(file, kit, currency, mapping)
    prices = [p.price for p in catalog]
    categories = {c: sum(p.category == c for p in catalog) for c in catalog.categories}
    currencies = sorted({p.currency for p in catalog})
    sold_out = sorted(p.sku for p in catalog if not p.in_stock)
    on_sale = sum(p.on_sale for p in catalog)
    summary = {
        "file": str(file),
        "products": len(catalog),
        "categories": categories,
        "currencies": currencies,
        "price_min": str(min(prices)),
        "price_max": str(max(prices)),
        "on_sale": on_sale,
        "out_of_stock": sold_out,
        "warnings": catalog.warnings,
    }
    from contentgen.cli.output import err

    for warning in catalog.warnings:
        err().print(f"[yellow]Warning:[/] {escape(warning)}", highlight=False)
    if json:
        emit_json(summary)
        return
    from rich.table import Table

    table = Table("category", "products", title=f"{file}: {len(catalog)} products, all valid")
    for category, count in categories.items():
        table.add_row(category, str(count))
    console = out()
    console.print(table)
    console.print(
        f"prices {min(prices)}–{max(prices)} {', '.join(currencies)}; "
        f"{on_sale} on sale; out of stock: {', '.join(sold_out) or 'none'}"
    )


def _store(kit: str, chroma_url: str | None, embed_provider: str | None) -> CatalogStore:
    from contentgen.catalog.store import open_catalog
    from contentgen.config import load_settings
    from contentgen.providers.base import Embedder
    from contentgen.providers.registry import from_settings

    settings = load_settings()
    embedder = from_settings("embed", settings, embed_provider)
    assert isinstance(embedder, Embedder)
    return open_catalog(kit, chroma_url=chroma_url, settings=settings, embedder=embedder)


@app.command("ingest")
def ingest(
    kit: KitOption,
    file: Annotated[
        Path | None, typer.Argument(help="Catalog file (.csv, .xlsx, .json, .jsonl); default: the kit's own catalog.")
    ] = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Drop the kit's collections first (after changing the embedder).")
    ] = False,
    chroma_url: ChromaUrlOption = None,
    embed_provider: EmbedOption = None,
    currency: CurrencyOption = None,
    mapping: MappingOption = None,
    json: JsonOption = False,
) -> None:
    """Validate a catalog and the kit's policies and upsert them into Chroma by SKU."""
    from contentgen.cli.output import progress_bar

    catalog = _load(file, kit, currency, mapping) if file is not None else None
    store = _store(kit, chroma_url, embed_provider)
    with progress_bar(json=json) as progress:
        tasks: dict[str, TaskID] = {}

        def advance(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(f"embedding {stage}", total=total)
            progress.update(tasks[stage], completed=done, total=total)

        report = store.ingest(catalog, rebuild=rebuild, progress=advance)
    if json:
        emit_json(asdict(report))
        return
    from rich.table import Table

    table = Table("", "added", "updated", "removed", "unchanged", "embedded", title=f"{report.kit}: {report.source}")
    for name, changes in (("products", report.products), ("policy passages", report.policies)):
        table.add_row(
            name,
            str(len(changes.added)),
            str(len(changes.updated)),
            str(len(changes.removed)),
            str(changes.unchanged),
            str(changes.embedded),
        )
    console = out()
    console.print(table)
    console.print(f"in {report.location}, {report.seconds:.1f} s")


@app.command("search")
def search(
    query: Annotated[
        str, typer.Argument(help='A shopper\'s question, e.g. "200元以内的面霜" or "green tea under $20".')
    ],
    kit: KitOption,
    k: Annotated[int, typer.Option("-k", "--top", help="How many products.", min=1, max=100)] = 10,
    chroma_url: ChromaUrlOption = None,
    embed_provider: EmbedOption = None,
    json: JsonOption = False,
) -> None:
    """Search an ingested catalog: dense and keyword results fused, filters parsed from the question."""
    store = _store(kit, chroma_url, embed_provider)
    result = store.search(query, k)
    if json:
        emit_json(
            {
                "query": result.query,
                "searched": result.searched,
                "filters": {k: v for k, v in asdict(result.filters).items() if v is not None},
                "hits": [
                    {
                        "sku": h.sku,
                        "name": h.product.name,
                        "category": h.product.category,
                        "price": str(h.product.price),
                        "currency": h.product.currency,
                        "stock": h.product.stock,
                        "score": h.score,
                        "dense_rank": h.dense_rank,
                        "keyword_rank": h.keyword_rank,
                    }
                    for h in result.hits
                ],
                "policies": [asdict(p) for p in result.policies],
            }
        )
        return
    from rich.markup import escape
    from rich.table import Table

    shown = ", ".join(f"{k}={v}" for k, v in asdict(result.filters).items() if v is not None)
    title = f"{store.kit.id}: {escape(query)}" + (f"  [dim]({escape(shown)})[/]" if shown else "")
    table = Table("#", "sku", "name", "category", "price", "stock", "score", "legs", title=title)
    for rank, h in enumerate(result.hits, start=1):
        legs = "+".join(leg for leg, r in (("dense", h.dense_rank), ("keyword", h.keyword_rank)) if r) or "filter"
        table.add_row(
            str(rank),
            h.sku,
            escape(h.product.name),
            escape(h.product.category),
            h.product.money(),
            str(h.product.stock),
            f"{h.score:.2f}",
            legs,
        )
    console = out()
    console.print(table)
    if not result.hits:
        console.print("no matching products")
    for passage in result.policies:
        console.print(f"[bold]{escape(passage.policy)}[/] · {escape(passage.heading)}: {escape(passage.text[:120])}…")
