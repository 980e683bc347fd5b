"""Recognise a shop export from its header row and run the matching importer."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from contentgen.domain.importers.rows import Records, Row

SHOPIFY = {"Handle", "Variant Price"}
WOOCOMMERCE = {"Type", "SKU", "Name", "Regular price"}
TAOBAO_TITLE = {"宝贝标题", "宝贝名称", "商品标题"}
TAOBAO_ONLY = {"宝贝标题", "宝贝名称", "商品标题", "一口价", "宝贝价格", "商家编码", "宝贝描述", "宝贝类目", "宝贝数量"}


def detect(header: Sequence[str]) -> str | None:
    """The export ("shopify", "woocommerce" or "taobao") this header is from; None for our own columns."""
    columns = {h.strip() for h in header}
    if columns >= SHOPIFY:
        return "shopify"
    if columns >= WOOCOMMERCE:
        return "woocommerce"
    if columns & TAOBAO_TITLE or len(columns & TAOBAO_ONLY) >= 2:
        return "taobao"
    return None


def header_row(text: str, look: int = 4) -> int:
    """How many rows sit above the header: 0, unless the first row is no recognised header and one of the
    next rows is a shop export's (淘宝助理 writes "version 1.00" and a row of English keys above its own)."""
    import csv
    import io

    rows = list(itertools.islice(csv.reader(io.StringIO(text, newline="")), look))
    if not rows or detect(rows[0]) is not None:
        return 0
    return next((i for i, row in enumerate(rows[1:], 1) if detect(row) is not None), 0)


def import_rows(fmt: str, rows: Iterable[Row], path: Path, warnings: list[str] | None = None) -> Records:
    """Product records (our field names) from the rows of a `fmt` export; what an importer skips or
    doubts is added to `warnings`, one line each."""
    from contentgen.domain.importers import shopify, taobao, woocommerce

    importers: dict[str, Callable[[Iterable[Row], Path, list[str]], Records]] = {
        "shopify": shopify.records,
        "woocommerce": woocommerce.records,
        "taobao": taobao.records,
    }
    return importers[fmt](rows, path, [] if warnings is None else warnings)
