"""Taobao/Tmall seller exports (淘宝助理, 千牛): Chinese column names, often GBK-encoded, sometimes with a
preamble above the header (see `detect.header_row`), images as URLs, paths, or 淘宝助理's
``hash:1:0:|;`` form naming ``<export name>/<hash>.tbi`` beside the export."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from contentgen.domain.importers.html import html_to_text
from contentgen.domain.importers.rows import Records, Row, put, split_list

FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("宝贝标题", "宝贝名称", "商品标题"),
    "price": ("一口价", "宝贝价格", "价格"),
    "list_price": ("原价", "划线价"),
    "stock": ("库存", "宝贝数量", "数量"),
    "sku": ("商家编码", "货号"),
    "description": ("宝贝描述", "商品描述"),
    "category": ("宝贝类目", "类目"),
    "images": ("图片", "主图", "新图片"),
}


_HASHED = re.compile(r"^([0-9A-Za-z]{8,64}):\d+:\d+:\|?$")


def _images(item: str, path: Path) -> list[str]:
    """A 淘宝助理 hashed image (``3f2a…:1:0:|``) as the path of its file, relative to the export's folder;
    anything else as URLs or paths separated by ``|``."""
    match = _HASHED.match(item)
    return [f"{path.stem}/{match.group(1)}.tbi"] if match else split_list(item, "|")


def records(rows: Iterable[Row], path: Path, warnings: list[str]) -> Records:
    """One record per row."""
    for line, row in rows:
        record: dict[str, Any] = {}
        for field, columns in FIELDS.items():
            value = next((row[c] for c in columns if row.get(c)), "")
            if field == "description":
                value = html_to_text(value)
            elif field in {"price", "list_price"}:
                value = value.lstrip("¥￥").removesuffix("元").replace(",", "").strip()
            if field == "images":
                items = [i for item in split_list(value, ";,") for i in _images(item, path)]
                put(record, field, items)
            else:
                put(record, field, value)
        yield line, record
