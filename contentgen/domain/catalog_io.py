"""Reading product catalogs from CSV, XLSX, JSON and JSONL, with row numbers in every error."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from contentgen.domain.product import Catalog, Product
from contentgen.errors import DataError
from contentgen.fileio import Loc, format_loc, load_structured, read_csv, read_text, validate
from contentgen.resources import inside

# Column names marketers actually use, mapped to Product fields.
ALIASES: dict[str, str] = {
    alias.lower(): field
    for field, aliases in {
        "sku": ["sku", "货号", "商品编码", "商品编号", "product_id", "id", "item_id"],
        "name": ["name", "title", "product_name", "商品名称", "商品名", "品名", "名称", "标题"],
        "category": ["category", "类目", "分类", "品类", "type"],
        "price": ["price", "售价", "价格", "到手价", "现价", "sale_price"],
        "list_price": ["list_price", "原价", "划线价", "吊牌价", "msrp", "compare_at_price"],
        "currency": ["currency", "币种", "货币"],
        "stock": ["stock", "库存", "inventory", "qty", "quantity"],
        "description": ["description", "描述", "详情", "商品描述", "简介"],
        "attributes": ["attributes", "属性", "商品属性"],
        "selling_points": ["selling_points", "卖点", "核心卖点", "highlights"],
        "specs": ["specs", "规格", "参数", "规格参数", "specifications"],
        "ingredients": ["ingredients", "成分", "配料", "配料表", "全成分"],
        "images": ["images", "图片", "image", "主图"],
        "faqs": ["faqs", "faq", "常见问题", "问答"],
        "tags": ["tags", "标签", "关键词"],
    }.items()
    for alias in aliases
}
LIST_FIELDS = {"selling_points", "ingredients", "images", "tags"}
MAP_FIELDS = {"attributes", "specs"}
_SPLIT = re.compile(r"\s*[|｜]\s*")
_MONEY = re.compile(r"^[¥￥$€£]|(?:元|RMB|CNY|USD)$", re.IGNORECASE)


def _cell(field: str, value: str, path: Path, line: int, column: str) -> Any:
    """Turn one spreadsheet cell into the value its field expects (documented in the README)."""
    if value == "":
        return None
    if field in LIST_FIELDS | MAP_FIELDS | {"faqs"} and value[0] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError as err:
            raise DataError(path, f"cell is not valid JSON: {err.msg}", line=line, field=column) from None
    if field in LIST_FIELDS:
        return [item for item in _SPLIT.split(value) if item]
    if field in MAP_FIELDS:
        pairs: dict[str, str] = {}
        for item in _SPLIT.split(value):
            key, sep, val = item.replace("：", ":").partition(":")
            if not sep or not key.strip():
                raise DataError(
                    path, f"'{item}' is not 'key: value'", line=line, field=column, hint="separate pairs with ' | '"
                )
            pairs[key.strip()] = val.strip()
        return pairs
    if field == "faqs":
        faqs = []
        for item in _SPLIT.split(value):
            question, sep, answer = item.partition("=>")
            if not sep:
                raise DataError(
                    path,
                    f"'{item}' is not 'question => answer'",
                    line=line,
                    field=column,
                    hint="or give a JSON list of {question, answer}",
                )
            faqs.append({"question": question.strip(), "answer": answer.strip()})
        return faqs
    if field in {"price", "list_price"}:
        return _MONEY.sub("", value).replace(",", "").strip()
    return value


def _columns(header: list[str], path: Path) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for column in header:
        field = ALIASES.get(column.strip().lower())
        if field is None:
            raise DataError(
                path,
                f"unknown column '{column}'",
                line=1,
                hint=f"known columns: {', '.join(sorted(set(ALIASES.values())))}",
            )
        if field in mapping.values():
            other = next(c for c, f in mapping.items() if f == field)
            raise DataError(path, f"columns '{other}' and '{column}' both mean '{field}'", line=1)
        mapping[column] = field
    return mapping


def _records(path: Path) -> Iterator[tuple[int | None, Loc, dict[str, Any], dict[Loc, int] | None]]:
    """Yield (line, loc prefix, record, line map) for each product in the file."""
    suffix = path.suffix.lower()
    if suffix in {".csv", ".tsv", ".txt"}:
        mapping: dict[str, str] | None = None
        for line, row in read_csv(path):
            mapping = mapping or _columns(list(row), path)
            record = {}
            for column, value in row.items():
                converted = _cell(mapping[column], value, path, line, column)
                if converted is not None:
                    record[mapping[column]] = converted
            yield line, (), record, None
    elif suffix == ".xlsx":
        yield from _xlsx_records(path)
    elif suffix == ".jsonl":
        for number, text in enumerate(read_text(path).splitlines(), start=1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as err:
                raise DataError(path, f"invalid JSON: {err.msg} at column {err.colno}", line=number) from None
            if not isinstance(record, dict):
                raise DataError(path, "each line must be a JSON object", line=number)
            yield number, (), _aliased(record), None
    elif suffix in {".json", ".yaml", ".yml"}:
        data, lines = load_structured(path)
        prefix: Loc = ()
        if isinstance(data, dict) and "products" in data:
            data, prefix = data["products"], ("products",)
        if not isinstance(data, list):
            raise DataError(path, "expected a list of products (or {products: [...]})")
        for i, record in enumerate(data):
            loc = (*prefix, i)
            if not isinstance(record, dict):
                raise DataError(path, "each product must be an object", line=lines.get(loc), field=format_loc(loc))
            yield lines.get(loc), loc, _aliased(record), lines
    else:
        raise DataError(path, f"unsupported catalog format '{suffix}'", hint="use .csv, .xlsx, .json or .jsonl")


def _aliased(record: dict[str, Any]) -> dict[str, Any]:
    return {ALIASES.get(str(key).strip().lower(), str(key)): value for key, value in record.items()}


def _xlsx_records(path: Path) -> Iterator[tuple[int | None, Loc, dict[str, Any], dict[Loc, int] | None]]:
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - openpyxl is a core dependency
        raise DataError(path, "reading .xlsx needs openpyxl") from None
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many unrelated types for broken files
        raise DataError(path, f"cannot open workbook: {err}") from None
    try:
        rows = book.active.iter_rows(values_only=True)
        header = [str(h).strip() for h in next(rows, ()) if h is not None]
        mapping = _columns(header, path)
        for number, row in enumerate(rows, start=2):
            record = {}
            for column, value in zip(header, row, strict=False):
                text = "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value)).strip()
                converted = _cell(mapping[column], text, path, number, column)
                if converted is not None:
                    record[mapping[column]] = converted
            if record:
                yield number, (), record, None
    finally:
        book.close()


def load_catalog(path: Path, *, assets_root: Path | None = None) -> Catalog:
    """Load and validate a catalog; duplicate SKUs and missing image files are errors."""
    products: list[Product] = []
    first_line: dict[str, int | None] = {}
    root = assets_root or path.parent
    for line, loc, record, lines in _records(path):
        product = validate(Product, record, path, lines, prefix=loc, line=line if lines is None else None)
        if product.sku in first_line:
            where = f" (first on line {first_line[product.sku]})" if first_line[product.sku] else ""
            raise DataError(path, f"duplicate SKU '{product.sku}'{where}", line=line, field="sku")
        first_line[product.sku] = line
        for image in product.images:
            resolved = inside(root, image)
            if resolved is None:
                raise DataError(path, f"image path '{image}' leaves the folder {root}", line=line, field="images")
            if not resolved.is_file():
                raise DataError(path, f"image file '{image}' not found in {root}", line=line, field="images")
        products.append(product)
    if not products:
        raise DataError(path, "catalog has no products")
    return Catalog(products, source=path)
