"""`contentgen catalog`: check product catalogs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from contentgen.cli.output import emit_json, out

app = typer.Typer(help="Product catalogs.", no_args_is_help=True)


@app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="Catalog file: .csv, .xlsx, .json or .jsonl.")],
    json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Check a catalog file and summarise it."""
    from contentgen.domain import load_catalog

    catalog = load_catalog(file)
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
    }
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
