from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from contentgen.domain import load_catalog
from contentgen.errors import NotFoundError

ROWS = [
    {
        "sku": "QH-1",
        "name": "积雪草舒缓精华",
        "category": "精华",
        "price": "￥199",
        "list_price": "259",
        "currency": "cny",
        "stock": "12",
        "selling_points": "含积雪草提取物 | 质地清爽",
        "specs": "净含量：30ml | 保质期: 36个月",
        "faqs": "孕妇能用吗? => 建议咨询医生后使用。 | 开封后多久用完? => 建议12个月内用完。",
    },
    {
        "sku": "QH-2",
        "name": "氨基酸洁面",
        "category": "洁面",
        "price": "1,059.90",
        "list_price": "",
        "currency": "CNY",
        "stock": "0",
        "selling_points": '["温和", "泡沫细腻"]',
        "specs": "",
        "faqs": "",
    },
]
CHINESE_HEADER = {
    "sku": "货号",
    "name": "商品名称",
    "category": "类目",
    "price": "售价",
    "list_price": "划线价",
    "currency": "币种",
    "stock": "库存",
    "selling_points": "卖点",
    "specs": "规格",
    "faqs": "常见问题",
}


def _csv(rows: list[dict[str, str]], header: dict[str, str] | None = None) -> str:
    import csv
    import io

    buf = io.StringIO()
    keys = list(rows[0])
    writer = csv.writer(buf)
    writer.writerow([header[k] if header else k for k in keys])
    for row in rows:
        writer.writerow([row[k] for k in keys])
    return buf.getvalue()


def _check(catalog_path: Path) -> None:
    catalog = load_catalog(catalog_path)
    assert len(catalog) == 2
    serum = catalog.get("QH-1")
    assert serum.price == Decimal("199") and serum.list_price == Decimal("259") and serum.on_sale
    assert serum.currency == "CNY" and serum.money() == "¥199"
    assert serum.selling_points == ["含积雪草提取物", "质地清爽"]
    assert serum.specs == {"净含量": "30ml", "保质期": "36个月"}
    assert serum.faqs[1].answer == "建议12个月内用完。"
    cleanser = catalog.get("QH-2")
    assert cleanser.price == Decimal("1059.90") and cleanser.money() == "¥1059.90"
    assert cleanser.list_price is None and not cleanser.in_stock
    assert cleanser.selling_points == ["温和", "泡沫细腻"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_chinese_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(_csv(ROWS).encode(encoding))
    _check(path)


def test_chinese_column_names(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(_csv(ROWS, CHINESE_HEADER).encode("gbk"))
    _check(path)


def test_xlsx(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append([CHINESE_HEADER[k] for k in ROWS[0]])
    for row in ROWS:
        sheet.append([row[k] or None for k in row])
    path = tmp_path / "c.xlsx"
    book.save(path)
    _check(path)


def _json_rows() -> list[dict[str, object]]:
    return [
        {
            "sku": "QH-1",
            "title": "积雪草舒缓精华",
            "category": "精华",
            "price": 199,
            "list_price": 259,
            "currency": "CNY",
            "stock": 12,
            "selling_points": ["含积雪草提取物", "质地清爽"],
            "specs": {"净含量": "30ml", "保质期": "36个月"},
            "faqs": [
                {"question": "孕妇能用吗?", "answer": "建议咨询医生后使用。"},
                {"question": "开封后多久用完?", "answer": "建议12个月内用完。"},
            ],
        },
        {
            "sku": "QH-2",
            "name": "氨基酸洁面",
            "category": "洁面",
            "price": "1059.90",
            "currency": "CNY",
            "stock": 0,
            "selling_points": ["温和", "泡沫细腻"],
        },
    ]


def test_json_and_jsonl(tmp_path: Path) -> None:
    (tmp_path / "c.json").write_text(json.dumps({"products": _json_rows()}, ensure_ascii=False), encoding="utf-8")
    _check(tmp_path / "c.json")
    (tmp_path / "c.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in _json_rows()), encoding="utf-8"
    )
    _check(tmp_path / "c.jsonl")


def test_unknown_sku_lists_close_match(tmp_path: Path) -> None:
    (tmp_path / "c.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in _json_rows()), encoding="utf-8"
    )
    with pytest.raises(NotFoundError, match=r"unknown SKU 'QH-3'; did you mean 'QH-\d'\?.*valid: QH-1, QH-2"):
        load_catalog(tmp_path / "c.jsonl").get("QH-3")


def test_images_resolve_inside_the_folder(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.png").write_bytes(b"png")
    rows = _json_rows()
    rows[0]["images"] = ["img/a.png"]
    (tmp_path / "c.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    assert load_catalog(tmp_path / "c.json").get("QH-1").images == ["img/a.png"]
