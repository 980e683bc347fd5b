"""WooCommerce product CSV: simple products, and the variations of variable ones."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from contentgen.domain.importers.html import html_to_text
from contentgen.domain.importers.rows import Records, Row, put, split_list
from contentgen.errors import DataError


def records(rows: Iterable[Row], path: Path, warnings: list[str]) -> Records:
    """One record per simple product or variation; a variable parent lends its name, category and images."""
    parents: dict[str, dict[str, str]] = {}
    for line, row in rows:
        kind = row.get("Type", "").lower()
        if "variable" in kind:
            if row.get("ID"):
                parents[f"id:{row['ID']}"] = row
            if row.get("SKU"):
                parents[row["SKU"]] = row
            continue
        if "variation" in kind:
            ref = row.get("Parent", "")
            parent = parents.get(ref) or parents.get(f"id:{ref}")
            if parent is None:
                raise DataError(
                    path,
                    f"variation's parent '{ref}' is not a variable product above it",
                    line=line,
                    field="Parent",
                    hint="give the parent's SKU or id:ID, with the parent row first",
                )
            yield line, _record(row, parent)
        elif not kind or "simple" in kind:
            yield line, _record(row, None)
        else:
            raise DataError(
                path,
                f"product type '{row['Type']}' is not imported",
                line=line,
                field="Type",
                hint="simple, variable or variation",
            )


def _values(row: dict[str, str]) -> list[str]:
    return [row[k] for k in sorted(row) if k.startswith("Attribute ") and k.endswith("value(s)") and row[k]]


def _record(row: dict[str, str], parent: dict[str, str] | None) -> dict[str, Any]:
    base = parent or {}
    record: dict[str, Any] = {}
    put(record, "sku", row.get("SKU", ""))
    name = row.get("Name", "")
    if parent is not None:
        values = _values(row)
        name = " — ".join([base.get("Name", ""), ", ".join(values)]) if values else (name or base.get("Name", ""))
    put(record, "name", name)
    categories = row.get("Categories") or base.get("Categories", "")
    first = categories.split(",")[0] if categories else ""
    put(record, "category", first.split(">")[-1].strip())
    regular, sale = row.get("Regular price", ""), row.get("Sale price", "")
    put(record, "price", sale or regular)
    if sale:
        put(record, "list_price", regular)
    stock = row.get("Stock", "")
    if not stock and row.get("In stock?", "") == "0":
        stock = "0"
    put(record, "stock", stock)
    text = (
        row.get("Description")
        or row.get("Short description")
        or base.get("Description")
        or base.get("Short description", "")
    )
    put(record, "description", html_to_text(text.replace("\\n", "\n")))
    put(record, "images", split_list(row.get("Images") or base.get("Images", "")))
    put(record, "tags", split_list(row.get("Tags") or base.get("Tags", "")))
    return record
