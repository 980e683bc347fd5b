"""Reading customer files (one row per order, or one per customer) into recency, frequency and monetary value.

Customer files hold personal data. Customer ids are used only to group orders in memory; error messages name the
file, line and column but never echo a cell's value, because the cell could hold a name or a phone number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import chain
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from contentgen.errors import DataError
from contentgen.fileio import read_csv

Layout = Literal["orders", "customers"]
Field = Literal[
    "customer_id", "order_id", "order_date", "amount", "last_order_date", "first_order_date", "orders", "total_spent"
]
Cell = str | int | float | Decimal | date | None

# Column names found in real exports (shop back ends, CRMs, spreadsheets), compared case-insensitively with
# spaces, '_' and '-' removed.
ALIASES: dict[Field, tuple[str, ...]] = {
    "customer_id": (
        "customer_id", "customer", "client_id", "member_id", "member_no", "user_id", "buyer_id", "buyer",
        "客户ID", "客户编号", "客户号", "会员号", "会员ID", "会员编号", "会员卡号", "用户ID", "买家ID", "买家会员名",
        "顾客ID",
    ),
    "order_id": ("order_id", "order_no", "order_number", "订单号", "订单编号", "订单ID", "子订单编号"),
    "order_date": (
        "order_date", "order_time", "date", "purchase_date", "purchase_time", "created_at", "paid_at",
        "下单时间", "下单日期", "订单日期", "订单时间", "购买日期", "购买时间", "付款时间", "支付时间", "成交时间",
        "日期",
    ),
    "amount": (
        "amount", "order_amount", "total", "paid", "paid_amount", "payment", "revenue", "sales",
        "金额", "实付金额", "订单金额", "支付金额", "付款金额", "实付", "成交金额", "消费金额", "实收金额",
    ),
    "last_order_date": (
        "last_order_date", "last_order", "last_purchase", "last_purchase_date", "last_order_time",
        "最近下单时间", "最后下单时间", "最近购买日期", "最近购买时间", "最后购买时间", "最近消费时间", "最近一次购买",
    ),
    "first_order_date": (
        "first_order_date", "first_order", "first_purchase", "first_purchase_date",
        "首次下单时间", "首次购买日期", "首次购买时间", "首购日期", "首单时间",
    ),
    "orders": (
        "orders", "order_count", "frequency", "num_orders", "purchases", "purchase_count",
        "订单数", "下单次数", "购买次数", "消费次数", "订单量", "累计订单数",
    ),
    "total_spent": (
        "total_spent", "total_spend", "spent", "monetary", "lifetime_value", "ltv", "total_amount", "total_sales",
        "累计消费", "累计消费金额", "消费总额", "总金额", "累计金额", "总消费", "累计实付金额",
    ),
}  # fmt: skip
REQUIRED: dict[Layout, tuple[Field, ...]] = {
    "orders": ("customer_id", "order_date", "amount"),
    "customers": ("customer_id", "last_order_date", "orders", "total_spent"),
}
PRIVACY_HINT = "the value is not shown because customer files hold personal data"


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name).lower()


_LOOKUP: dict[str, Field] = {_key(alias): field for field, aliases in ALIASES.items() for alias in aliases}
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONEY = re.compile(r"^[¥￥$€£]|(?:元|RMB|CNY|USD)$", re.IGNORECASE)


@dataclass(frozen=True)
class CustomerTable:
    """Recency, frequency and monetary value per customer, sorted by customer id; ids stay in memory."""

    source: str
    layout: Layout
    columns: dict[str, str]  # field → the column it was read from
    as_of: date
    rows: int
    skipped: int  # customers with no orders (a customer file's zero-order members)
    ids: list[str]
    recency: npt.NDArray[np.float64]  # days between the last order and as_of
    frequency: npt.NDArray[np.float64]  # orders
    monetary: npt.NDArray[np.float64]  # money spent in all orders

    def __len__(self) -> int:
        return len(self.ids)


def parse_date(value: Cell) -> date | None:
    """A date from a cell: 2024-03-05, 2024/3/5 14:22, 2024.3.5, 2024年3月5日, 20240305, or a date object."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _parse_money(value: Cell) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if not isinstance(value, str):
        return None
    text = _MONEY.sub("", value.strip()).replace(",", "").replace("，", "").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _parse_count(value: Cell) -> int | None:
    amount = _parse_money(value)
    if amount is None or amount != amount.to_integral_value():
        return None
    return int(amount)


def _text(value: Cell) -> str:
    return "" if value is None else str(value).strip()


def map_columns(header: Iterable[str], source: str) -> tuple[Layout, dict[Field, str]]:
    """Which column holds which field, and whether the file has one row per order or per customer."""
    header = list(header)
    mapping: dict[Field, str] = {}
    for column in header:
        field = _LOOKUP.get(_key(column))
        if field is None:
            continue  # names, phones, cities, SKUs …: not needed for RFM, and never read
        if field in mapping:
            raise DataError(
                source,
                f"columns '{mapping[field]}' and '{column}' both mean '{field}'",
                line=1,
                hint="rename or remove one of them",
            )
        mapping[field] = column
    per_customer = "last_order_date" in mapping or "orders" in mapping
    if per_customer and "total_spent" not in mapping and "amount" in mapping:
        mapping["total_spent"] = mapping.pop("amount")  # a customer file's "金额" is the customer's total
    layout: Layout = "customers" if per_customer else "orders"
    used = (*REQUIRED[layout], "order_id" if layout == "orders" else "first_order_date")
    mapping = {f: c for f, c in mapping.items() if f in used}
    missing = [f for f in REQUIRED[layout] if f not in mapping]
    if missing:
        names = "; ".join(f"{f}: {', '.join(ALIASES[f][:3] + ALIASES[f][-3:])}" for f in missing)
        raise DataError(
            source,
            f"no column for {', '.join(missing)} in a file with one row per {layout[:-1]}",
            line=1,
            # The header is not echoed: in a file without one, it would be a customer's data.
            hint=f"name the columns like {names}",
        )
    return layout, mapping


def read_customers(source: Path | str | Iterable[Mapping[str, Cell]], *, as_of: date | None = None) -> CustomerTable:
    """Read a customer or order file (CSV in any encoding, or XLSX) or in-memory rows into per-customer RFM values."""
    if isinstance(source, str | Path):
        path = Path(source)
        name = str(path)
        rows: Iterator[tuple[int, Mapping[str, Cell]]] = (
            _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else iter(read_csv(path))
        )
    else:
        name = "<rows>"
        rows = enumerate(source, start=1)
    first = next(rows, None)
    if first is None:
        raise DataError(name, "no customer rows", hint="the file needs a header row and at least one data row")
    layout, mapping = map_columns(first[1].keys(), name)
    reader = _OrderReader(name, mapping) if layout == "orders" else _CustomerReader(name, mapping)
    count = 0
    for line, row in chain([first], rows):
        reader.add(line, row)
        count += 1
    last, freq, spent, lines = reader.result()
    if not last:
        raise DataError(name, "no customer has an order", hint="a customer needs at least one order for RFM")
    newest = max(last.values())
    if as_of is None:
        as_of = newest + timedelta(days=1)
    elif newest > as_of:
        late = max(last, key=lambda c: (last[c], -lines[c]))
        raise DataError(
            name,
            f"order date {newest} is after the as-of date {as_of}",
            line=lines[late],
            field=mapping["last_order_date" if layout == "customers" else "order_date"],
            hint="give an as-of date on or after the newest order",
        )
    ids = sorted(last)
    return CustomerTable(
        source=name,
        layout=layout,
        columns={str(field): column for field, column in mapping.items()},
        as_of=as_of,
        rows=count,
        skipped=reader.skipped,
        ids=ids,
        recency=np.array([(as_of - last[c]).days for c in ids], dtype=np.float64),
        frequency=np.array([freq[c] for c in ids], dtype=np.float64),
        monetary=np.array([float(spent[c]) for c in ids], dtype=np.float64),
    )


def _xlsx_rows(path: Path) -> Iterator[tuple[int, dict[str, Cell]]]:
    """(row number, row) from the first sheet of a workbook; dates and numbers come as Excel typed them."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise DataError(path, "file not found") from None
    except Exception as err:  # openpyxl raises many unrelated types for broken files
        raise DataError(path, f"cannot open workbook: {err}") from None
    try:
        rows = book.active.iter_rows(values_only=True)
        header = ["" if h is None else str(h).strip() for h in next(rows, ())]
        for number, values in enumerate(rows, start=2):
            if any(v is not None and str(v).strip() for v in values):
                yield number, dict(zip(header, values, strict=False))
    finally:
        book.close()


class _Reader:
    def __init__(self, source: str, mapping: Mapping[Field, str]) -> None:
        self.source, self.mapping = source, mapping
        self.last: dict[str, date] = {}
        self.spent: dict[str, Decimal] = {}
        self.lines: dict[str, int] = {}  # customer → the line of its newest order, for as-of errors
        self.skipped = 0

    def fail(self, line: int, field: Field, message: str, hint: str | None = PRIVACY_HINT) -> DataError:
        return DataError(self.source, message, line=line, field=self.mapping[field], hint=hint)

    def customer(self, line: int, row: Mapping[str, Cell]) -> str:
        cid = _text(row.get(self.mapping["customer_id"]))
        if not cid:
            raise self.fail(line, "customer_id", "customer id is empty", "every row needs the customer it belongs to")
        return cid

    def day(self, line: int, row: Mapping[str, Cell], field: Field) -> date:
        value = parse_date(row.get(self.mapping[field]))
        if value is None:
            raise self.fail(
                line, field, "not a date", f"write dates like 2025-03-15 or 2025/3/15 14:20; {PRIVACY_HINT}"
            )
        return value

    def money(self, line: int, row: Mapping[str, Cell], field: Field) -> Decimal:
        value = _parse_money(row.get(self.mapping[field]))
        if value is None:
            raise self.fail(
                line, field, "not an amount of money", f"write amounts like 129 or ¥1,299.00; {PRIVACY_HINT}"
            )
        if value < 0:
            raise self.fail(line, field, "amount is negative", "net refunds against their orders or leave them out")
        return value.quantize(Decimal("0.01"))

    def seen(self, cid: str, line: int, when: date) -> None:
        if cid not in self.last or when > self.last[cid]:
            self.last[cid], self.lines[cid] = when, line


class _OrderReader(_Reader):
    """One row per order (or per order line, when an order id column says which rows form one order)."""

    def __init__(self, source: str, mapping: Mapping[Field, str]) -> None:
        super().__init__(source, mapping)
        self.orders: dict[str, set[str]] = {}

    def add(self, line: int, row: Mapping[str, Cell]) -> None:
        cid = self.customer(line, row)
        when = self.day(line, row, "order_date")
        amount = self.money(line, row, "amount")
        order = _text(row.get(self.mapping["order_id"])) if "order_id" in self.mapping else ""
        self.orders.setdefault(cid, set()).add(order or f"line {line}")
        self.spent[cid] = self.spent.get(cid, Decimal(0)) + amount
        self.seen(cid, line, when)

    def result(self) -> tuple[dict[str, date], dict[str, int], dict[str, Decimal], dict[str, int]]:
        return self.last, {c: len(o) for c, o in self.orders.items()}, self.spent, self.lines


class _CustomerReader(_Reader):
    """One row per customer with their last order date, number of orders and total spent."""

    def __init__(self, source: str, mapping: Mapping[Field, str]) -> None:
        super().__init__(source, mapping)
        self.freq: dict[str, int] = {}
        self.first_line: dict[str, int] = {}

    def add(self, line: int, row: Mapping[str, Cell]) -> None:
        cid = self.customer(line, row)
        if cid in self.first_line:
            raise self.fail(
                line,
                "customer_id",
                f"customer id already appears on line {self.first_line[cid]}",
                "a customer file has one row per customer; for one row per order, name the date column order_date",
            )
        self.first_line[cid] = line
        count = _parse_count(row.get(self.mapping["orders"]))
        if count is None or count < 0:
            raise self.fail(line, "orders", "not a whole number of orders", "write the number of orders, e.g. 3")
        spent = self.money(line, row, "total_spent")
        if count == 0 and not _text(row.get(self.mapping["last_order_date"])):
            self.skipped += 1  # a member who never bought has no recency; RFM does not describe them
            return
        if count == 0:
            raise self.fail(line, "orders", "0 orders but a last order date", "fix the number of orders")
        when = self.day(line, row, "last_order_date")
        if "first_order_date" in self.mapping and _text(row.get(self.mapping["first_order_date"])):
            first = self.day(line, row, "first_order_date")
            if first > when:
                raise self.fail(line, "first_order_date", "first order is after the last order", None)
        self.freq[cid], self.spent[cid] = count, spent
        self.seen(cid, line, when)

    def result(self) -> tuple[dict[str, date], dict[str, int], dict[str, Decimal], dict[str, int]]:
        return self.last, self.freq, self.spent, self.lines


def scores(table: CustomerTable) -> npt.NDArray[np.float64]:
    """Per-customer percentile scores in (0, 1), higher is better: columns recent, frequent, monetary."""
    from scipy.stats import rankdata  # type: ignore[import-untyped]

    n = len(table)
    columns = [-table.recency, table.frequency, table.monetary]
    ranked: npt.NDArray[np.float64] = np.column_stack([(rankdata(c, method="average") - 0.5) / n for c in columns])
    return ranked
