"""Recognise a shop export from its header row and run the matching importer."""

from __future__ import annotations

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


def import_rows(fmt: str, rows: Iterable[Row], path: Path) -> Records:
    """Product records (our field names) from the rows of a `fmt` export."""
    from contentgen.domain.importers import shopify, taobao, woocommerce

    importers: dict[str, Callable[[Iterable[Row], Path], Records]] = {
        "shopify": shopify.records,
        "woocommerce": woocommerce.records,
        "taobao": taobao.records,
    }
    return importers[fmt](rows, path)
