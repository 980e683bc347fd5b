"""Reading product catalogs from CSV, XLSX, JSON and JSONL, with row numbers in every error."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from contentgen.domain.importers import ColumnMapping, detect, header_row, import_rows
from contentgen.domain.product import Catalog, Product
from contentgen.errors import DataError
from contentgen.fileio import Loc, format_loc, load_structured, read_csv, read_jsonl, read_text, validate
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


def _columns(header: list[str], path: Path, mapping: ColumnMapping | None = None) -> dict[str, str]:
    """Our field for each column: the mapping file's first, then the known aliases; '-' skips a column."""
    given = mapping.columns if mapping is not None else {}
    missing = [c for c in given if c not in header]
    if missing:
        raise DataError(
            path, f"the mapping names column '{missing[0]}' that the file does not have", line=1, hint="check --mapping"
        )
    result: dict[str, str] = {}
    for column in header:
        field = given.get(column) or ALIASES.get(column.strip().lower())
        if field is None:
            raise DataError(
                path,
                f"unknown column '{column}'",
                line=1,
                hint=f"known columns: {', '.join(sorted(set(ALIASES.values())))}; or map it with --mapping map.yaml",
            )
        if field == "-":
            continue
        if field in result.values():
            other = next(c for c, f in result.items() if f == field)
            raise DataError(path, f"columns '{other}' and '{column}' both mean '{field}'", line=1)
        result[column] = field
    return result


def _table(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, {column: cell}) for each non-empty row of a CSV or XLSX file."""
    if path.suffix.lower() != ".xlsx":
        yield from read_csv(path, skip=header_row(read_text(path)))
        return
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
        for number, row in enumerate(rows, start=2):
            cells = {
                column: "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value)).strip()
                for column, value in zip(header, row, strict=False)
            }
            if any(cells.values()):
                yield number, cells
    finally:
        book.close()


def _tabular(
    path: Path, mapping: ColumnMapping | None, warnings: list[str]
) -> Iterator[tuple[int | None, Loc, dict[str, Any], dict[Loc, int] | None]]:
    """Records of a CSV/XLSX file: a recognised shop export goes through its importer, else our columns."""
    rows = _table(path)
    first = next(rows, None)
    if first is None:
        return
    rows = itertools.chain([first], rows)
    fmt = None if mapping is not None else detect(list(first[1]))
    if fmt is not None:
        for line, record in import_rows(fmt, rows, path, warnings):
            yield line, (), record, None
        return
    columns = _columns(list(first[1]), path, mapping)
    for line, row in rows:
        record = {}
        for column, field in columns.items():
            converted = _cell(field, row.get(column, ""), path, line, column)
            if converted is not None:
                record[field] = converted
        yield line, (), record, None


def _records(
    path: Path, mapping: ColumnMapping | None = None, warnings: list[str] | None = None
) -> Iterator[tuple[int | None, Loc, dict[str, Any], dict[Loc, int] | None]]:
    """Yield (line, loc prefix, record, line map) for each product in the file."""
    suffix = path.suffix.lower()
    if suffix in {".csv", ".tsv", ".txt", ".xlsx"}:
        yield from _tabular(path, mapping, [] if warnings is None else warnings)
    elif suffix == ".jsonl":
        for number, record in read_jsonl(path):
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


def _check_currency(
    record: dict[str, Any], path: Path, line: int | None, loc: Loc, currency: str | None, source: str
) -> None:
    """Fill a missing currency with the expected one; a row that names another currency is an error."""
    given = record.get("currency")
    if given is None or (isinstance(given, str) and not given.strip()):
        if currency is not None:
            record["currency"] = currency
        return
    if currency is not None and isinstance(given, str) and given.strip().upper() != currency:
        raise DataError(
            path,
            f"'{given}' disagrees with the currency {currency} of {source}",
            line=line,
            field=format_loc((*loc, "currency")),
            hint=f"fix this row, leave the cell empty to use {currency}, or check --kit/--currency",
        )


def load_catalog(
    path: Path,
    *,
    assets_root: Path | None = None,
    currency: str | None = None,
    currency_source: str | None = None,
    mapping: ColumnMapping | None = None,
) -> Catalog:
    """Load and validate a catalog; duplicate SKUs and missing image files are errors.

    `currency` (for example from the kit's locale, see `LOCALE_CURRENCY`) fills rows without one and
    makes a row naming another currency an error; `currency_source` says where it came from in that error.
    Shopify, WooCommerce and Taobao exports are recognised from their header (see `importers`); `mapping`
    names our field for each of the file's columns instead.
    """
    if currency is not None:
        currency = currency.strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise DataError(path, f"currency '{currency}' is not a three-letter ISO code", hint="e.g. CNY, USD, EUR")
    source = currency_source or f"--currency {currency}"
    products: list[Product] = []
    warnings: list[str] = []
    first_line: dict[str, int | None] = {}
    root = assets_root or path.parent
    for line, loc, record, lines in _records(path, mapping, warnings):
        _split_image_urls(record, path, line, loc, warnings)
        _check_currency(record, path, line, loc, currency, source)
        if "currency" not in record:
            raise DataError(
                path,
                "required field is missing",
                line=line,
                field=format_loc((*loc, "currency")),
                hint="add a currency column, or give the kit (--kit) or the currency (--currency CNY)",
            )
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
    return Catalog(products, source=path, warnings=warnings, images_root=root)


_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


def _split_image_urls(record: dict[str, Any], path: Path, line: int | None, loc: Loc, warnings: list[str]) -> None:
    """Move image URLs out of `images` into `image_urls`, with a warning each: nothing is fetched."""
    images = record.get("images")
    if not isinstance(images, list):
        return
    urls = [i for i in images if isinstance(i, str) and _URL.match(i)]
    if not urls:
        return
    record["images"] = [i for i in images if i not in urls]
    record["image_urls"] = [*record.get("image_urls", []), *urls]
    for url in urls:
        where = f"{path}:{line}" if line else str(path)
        warnings.append(
            f"{where}: {format_loc((*loc, 'images'))}: '{url}' is a URL and is not fetched; posters and videos "
            "use a placeholder until you save the image and give its path relative to the catalog or kit"
        )
