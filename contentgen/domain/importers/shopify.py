"""Shopify product CSV: rows grouped by Handle; each variant row is one product; products not for sale are
skipped and counted: draft and archived ones (`Status`) and unpublished ones (`Published`, or `Published on
online store` in newer exports, FALSE)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from contentgen.domain.importers.html import html_to_text
from contentgen.domain.importers.rows import Records, Row, put, split_list
from contentgen.errors import DataError

INHERITED = ("Title", "Body (HTML)", "Vendor", "Type", "Product Category", "Tags")
VARIANT = ("Variant SKU", "Variant Price", "Variant Compare At Price", "Variant Inventory Qty", "Option1 Value")
OPTIONS = ("Option1 Value", "Option2 Value", "Option3 Value")
LIVE = frozenset({"", "active"})
"""`Status` values of products that are for sale (an empty cell: an older export without the column)."""
PUBLISHED = ("Published", "Published on online store")
"""The column saying whether a product is on the online store, as older and newer exports name it."""
YES, NO = frozenset({"", "true"}), frozenset({"false"})
"""`Published` values: for sale (an empty cell: an export without the column), and not."""


def records(rows: Iterable[Row], path: Path, warnings: list[str]) -> Records:
    """One record per variant row of an active, published product; image-only rows add their image to the handle's
    products; a draft, archived or unpublished product is skipped, with one warning per reason counting them."""
    handles: dict[str, dict[str, str]] = {}
    lines: dict[str, int] = {}  # each handle's first row, which holds its Status and Published
    images: dict[str, list[str]] = {}
    variants: list[tuple[int, str, dict[str, str]]] = []
    for line, row in rows:
        handle = row.get("Handle", "")
        if not handle:
            raise DataError(
                path, "row has no Handle", line=line, field="Handle", hint="every Shopify row names its product"
            )
        first = handles.setdefault(handle, row)
        lines.setdefault(handle, line)
        image, known = row.get("Image Src", ""), images.setdefault(handle, [])
        if image and image not in known:
            images[handle].append(image)
        if any(row.get(c) for c in VARIANT):
            merged = {**row, **{c: row.get(c) or first.get(c, "") for c in INHERITED}}
            variants.append((line, handle, merged))
    skipped: dict[str, set[str]] = {}
    unpublished: set[str] = set()
    for line, handle, row in variants:
        status = handles[handle].get("Status", "").lower()
        if status not in LIVE:
            skipped.setdefault(status, set()).add(handle)
            continue
        if not _published(handles[handle], path, lines[handle]):
            unpublished.add(handle)
            continue
        sku = row.get("Variant SKU", "")
        if not sku:
            raise DataError(
                path, "variant row has no SKU", line=line, field="Variant SKU", hint="give every variant a unique SKU"
            )
        yield line, _record(row, images[handle])
    if skipped:
        counts = ", ".join(f"{len(h)} {status}" for status, h in sorted(skipped.items()))
        warnings.append(
            f"{path}: Status: skipped {sum(len(h) for h in skipped.values())} product(s) not active ({counts}); "
            "set Status to active in Shopify to include them"
        )
    if unpublished:
        warnings.append(
            f"{path}: Published: skipped {len(unpublished)} product(s) not published on the online store "
            f"({_some(sorted(unpublished))}); publish them in Shopify (Published TRUE) to include them"
        )


def _some(names: list[str], shown: int = 5) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


def _published(first: dict[str, str], path: Path, line: int) -> bool:
    """Whether a product's first row says it is on the online store (no column or an empty cell: yes)."""
    for column in PUBLISHED:
        value = first.get(column, "").strip().lower()
        if value in NO:
            return False
        if value not in YES:
            raise DataError(
                path,
                f"{column} is '{first[column]}'",
                line=line,
                field=column,
                hint="Shopify writes TRUE or FALSE here",
            )
    return True


def _record(row: dict[str, str], handle_images: list[str]) -> dict[str, Any]:
    record: dict[str, Any] = {"sku": row["Variant SKU"]}
    values = [row[c] for c in OPTIONS if row.get(c) and row[c] != "Default Title"]
    title = row.get("Title", "")
    put(record, "name", " — ".join([title, " / ".join(values)]) if values and title else title)
    category = row.get("Type") or row.get("Product Category", "").split(">")[-1].strip()
    put(record, "category", category)
    put(record, "price", row.get("Variant Price", ""))
    put(record, "list_price", row.get("Variant Compare At Price", ""))
    put(record, "stock", row.get("Variant Inventory Qty", ""))
    put(record, "description", html_to_text(row.get("Body (HTML)", "")))
    put(record, "tags", split_list(row.get("Tags", "")))
    own = row.get("Variant Image", "")
    put(record, "images", [own, *(i for i in handle_images if i != own)] if own else list(handle_images))
    if row.get("Vendor"):
        record["attributes"] = {"vendor": row["Vendor"]}
    return record
