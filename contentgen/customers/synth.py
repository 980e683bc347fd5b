"""A synthetic customer/orders file for demos and tests: planted behaviour groups, seasonal dates, fake people.

The names, phones and cities are made up (phones follow the formats but belong to no one: +1 numbers use the
fictional 555-01xx range); they are there so that the privacy handling of `segments derive` has something to hide.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from contentgen.errors import ConfigError
from contentgen.fileio import write_bytes_atomic

if TYPE_CHECKING:
    from contentgen.domain.brand import BrandKit
    from contentgen.domain.common import Locale

Level = Literal["orders", "customers"]
END = date(2025, 11, 30)  # a fixed "today" keeps a seed's file the same on every run
HISTORY_DAYS = 900


@dataclass(frozen=True)
class Behaviour:
    """How a planted group buys: its share of customers, orders, when, and how much."""

    share: float
    orders: tuple[int, int]  # fewest, most orders
    last: tuple[int, int]  # the last order lies this many days before the end
    span: tuple[int, int]  # days from the first to the last order
    lines: tuple[int, int]  # products per order
    price_tilt: float  # > 0 favours dearer products, < 0 cheaper ones


# Named after the RFM tiers they should land in, so that a derivation can be scored against them.
BEHAVIOURS: dict[str, Behaviour] = {
    "high-value": Behaviour(0.08, (9, 24), (0, 30), (300, 800), (2, 4), 1.0),
    "potential": Behaviour(0.22, (3, 6), (0, 60), (60, 360), (1, 2), 0.2),
    "new": Behaviour(0.15, (1, 1), (0, 45), (0, 0), (1, 2), 0.0),
    "at-risk": Behaviour(0.20, (5, 12), (120, 270), (240, 560), (1, 3), 0.5),
    "dormant": Behaviour(0.35, (1, 2), (330, 800), (0, 60), (1, 1), -0.5),
}

# Shopping festivals (month, first day, last day, weight): 年货节, 三八节, 618, 双11, 双12.
FESTIVALS = ((1, 5, 25, 1.8), (3, 1, 8, 2.0), (6, 1, 18, 3.0), (10, 31, 31, 3.0), (11, 1, 11, 4.0), (12, 10, 12, 2.0))

HEADERS: dict[Locale, dict[Level, tuple[str, ...]]] = {
    "zh-CN": {
        "orders": ("订单号", "会员号", "姓名", "手机号", "城市", "下单时间", "商品", "实付金额"),
        "customers": ("会员号", "姓名", "手机号", "城市", "首次下单时间", "最近下单时间", "下单次数", "累计消费金额"),
    },
    "en-US": {
        "orders": ("order_id", "customer_id", "name", "phone", "city", "order_date", "items", "amount"),
        "customers": (
            "customer_id", "name", "phone", "city", "first_order_date", "last_order_date", "orders", "total_spent"
        ),
    },
}  # fmt: skip
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉玲婷雪琳晨浩宇欣怡子涵梓轩思雨佳俊博文"
_ZH_CITIES = (
    "上海", "北京", "深圳", "广州", "杭州", "成都", "武汉", "南京", "苏州", "西安", "重庆", "长沙", "郑州",
    "合肥", "青岛", "宁波", "昆明", "厦门", "佛山", "东莞", "无锡", "济南", "福州", "南宁", "常德", "赣州", "义乌",
)  # fmt: skip
_FIRST = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William",
    "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Daniel", "Karen", "Maria", "Wei", "Priya",
)  # fmt: skip
_LAST = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Chen",
)  # fmt: skip
_EN_CITIES = (
    "Portland", "Austin", "Seattle", "Denver", "Boston", "Chicago", "Atlanta", "Phoenix", "Minneapolis",
    "San Diego", "Nashville", "Pittsburgh", "Sacramento", "Raleigh", "Madison", "Boise", "Tucson", "Albany",
)  # fmt: skip


# How likely an order is in each hour of the day: evenings busy, nights quiet.
HOURS = (1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 8, 7, 6, 6, 6, 7, 8, 10, 12, 14, 12, 6)


@dataclass(frozen=True)
class SyntheticCustomers:
    """Synthetic orders (one row per order) and the group each customer was planted in."""

    locale: Locale
    orders: list[dict[str, str]]
    groups: dict[str, str] = field(repr=False)  # customer id → planted group (a tier id)
    end: date

    def customers(self) -> list[dict[str, str]]:
        """The same data as one row per customer: first and last order, number of orders, total spent."""
        order_h = HEADERS[self.locale]["orders"]
        cust_h = HEADERS[self.locale]["customers"]
        cid, name, phone, city, when, amount = (order_h[i] for i in (1, 2, 3, 4, 5, 7))
        rows: dict[str, dict[str, str]] = {}
        totals: dict[str, Decimal] = {}
        counts: dict[str, int] = {}
        for order in self.orders:  # sorted by time, so the first row of a customer is their first order
            key = order[cid]
            if key not in rows:
                rows[key] = dict(zip(cust_h[:4], (key, order[name], order[phone], order[city]), strict=True))
                rows[key][cust_h[4]] = order[when][:10]
                totals[key], counts[key] = Decimal(0), 0
            rows[key][cust_h[5]] = order[when][:10]
            totals[key] += Decimal(order[amount])
            counts[key] += 1
        for key, row in rows.items():
            row[cust_h[6]], row[cust_h[7]] = str(counts[key]), f"{totals[key]:.2f}"
        return [rows[key] for key in sorted(rows)]

    def to_csv(self, level: Level = "orders") -> str:
        """The rows as CSV text."""
        rows = self.orders if level == "orders" else self.customers()
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=HEADERS[self.locale][level], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()

    def write(self, path: Path, level: Level = "orders") -> None:
        """Write the CSV atomically, UTF-8 with a BOM so that Excel shows Chinese headers correctly."""
        write_bytes_atomic(path, self.to_csv(level).encode("utf-8-sig"))


def _season_weights(start: date, days: int) -> npt.NDArray[np.float64]:
    weights = np.ones(days, dtype=np.float64)
    for i in range(days):
        day = start + timedelta(days=i)
        for month, first, last, weight in FESTIVALS:
            if day.month == month and first <= day.day <= last:
                weights[i] *= weight
        if day.weekday() >= 5:
            weights[i] *= 1.3
    return weights


def _products(kit: BrandKit | None) -> tuple[list[str], npt.NDArray[np.float64]]:
    """(SKU, price) pairs to buy from: the kit's catalog, or a made-up price list."""
    if kit is None:
        rng = np.random.default_rng(0)
        prices = np.round(np.exp(rng.normal(4.6, 0.6, 60))).astype(np.float64)  # around ¥100, from ¥20 to ¥600
        return [f"SKU-{i:03d}" for i in range(1, 61)], prices
    from contentgen.domain.loaders import load_kit_catalog

    products = [p for p in load_kit_catalog(kit) if p.price > 0]
    return [p.sku for p in products], np.array([float(p.price) for p in products], dtype=np.float64)


def synthesize_customers(n: int, *, seed: int = 7, kit: BrandKit | str | None = None) -> SyntheticCustomers:
    """`n` synthetic customers with their orders; a kit sets the language, the products and their prices."""
    if n < 1:
        raise ConfigError(f"the number of customers must be at least 1, got {n}")
    if isinstance(kit, str):
        from contentgen.domain.loaders import load_brand_kit

        kit = load_brand_kit(kit)
    locale: Locale = kit.locale if kit is not None else "zh-CN"
    skus, prices = _products(kit)
    if not skus:
        raise ConfigError("the kit's catalog has no product with a price above 0 to buy")
    cents = np.round(prices * 100).astype(np.int64)
    rng = np.random.default_rng(seed)
    day_cdf = np.cumsum(_season_weights(END - timedelta(days=HISTORY_DAYS), HISTORY_DAYS + 1))
    hour_p = np.array(HOURS, dtype=np.float64) / sum(HOURS)
    product_cdf = {group: np.cumsum(prices**b.price_tilt) for group, b in BEHAVIOURS.items()}
    names = list(BEHAVIOURS)
    counts = np.floor(np.array([BEHAVIOURS[g].share for g in names]) * n).astype(int)
    counts[names.index("dormant")] += n - counts.sum()
    planted = [names[i] for i in rng.permutation(np.repeat(np.arange(len(names)), counts))]
    ids = [f"M{x:08d}" for x in rng.choice(90_000_000, size=n, replace=False) + 10_000_000]
    header = HEADERS[locale]["orders"]
    orders: list[tuple[datetime, dict[str, str]]] = []
    for cid, group, person in zip(ids, planted, _people(rng, locale, n), strict=True):
        b = BEHAVIOURS[group]
        count = int(rng.integers(b.orders[0], b.orders[1], endpoint=True))
        last = int(_days_back(rng, day_cdf, *b.last, 1)[0])
        first = min(HISTORY_DAYS, last + int(rng.integers(b.span[0], b.span[1], endpoint=True)))
        backs = [first, last][-count:] + [int(d) for d in _days_back(rng, day_cdf, last, first, max(0, count - 2))]
        seconds = rng.choice(24, count, p=hour_p) * 3600 + rng.integers(0, 3600, count)
        lines = rng.integers(b.lines[0], b.lines[1], endpoint=True, size=count)
        cdf = product_cdf[group]
        picks = np.searchsorted(cdf, rng.uniform(0, cdf[-1], int(lines.sum())), side="right")
        doubles = rng.random(int(lines.sum())) < 0.2  # now and then two of a product
        offset = 0
        for back, second, size in zip(backs, seconds, lines, strict=True):
            basket: Counter[int] = Counter()
            for i, double in zip(picks[offset : offset + size], doubles[offset : offset + size], strict=True):
                basket[int(i)] += 1 + int(double)
            offset += size
            amount = sum(int(cents[i]) * q for i, q in basket.items())
            when = datetime.combine(END - timedelta(days=back), time()) + timedelta(seconds=int(second))
            items = "; ".join(f"{skus[i]}×{q}" for i, q in sorted(basket.items()))
            values = ("", cid, *person, f"{when:%Y-%m-%d %H:%M:%S}", items, f"{amount // 100}.{amount % 100:02d}")
            orders.append((when, dict(zip(header, values, strict=True))))
    orders.sort(key=lambda pair: (pair[0], pair[1][header[1]]))
    for number, (when, row) in enumerate(orders, start=1):
        row[header[0]] = f"{when:%Y%m%d}{number:07d}"
    groups = dict(zip(ids, planted, strict=True))
    return SyntheticCustomers(locale=locale, orders=[row for _, row in orders], groups=groups, end=END)


def _days_back(
    rng: np.random.Generator, cdf: npt.NDArray[np.float64], near: int, far: int, size: int
) -> npt.NDArray[np.int64]:
    """`size` days between `near` and `far` days before END; festival days and weekends are likelier."""
    low, high = HISTORY_DAYS - far, HISTORY_DAYS - near
    below = cdf[low - 1] if low > 0 else 0.0
    return HISTORY_DAYS - np.searchsorted(cdf, rng.uniform(below, cdf[high], size), side="left")


def _people(rng: np.random.Generator, locale: Locale, n: int) -> list[tuple[str, str, str]]:
    """`n` made-up (name, phone, city)."""
    if locale == "zh-CN":
        surnames = rng.integers(0, len(_SURNAMES), n)
        given = rng.integers(0, len(_GIVEN), (n, 2))
        short = rng.random(n) < 0.3  # one-character given names
        mobile = rng.integers(3, 10, n)
        digits = rng.integers(0, 10, (n, 9))
        cities = rng.integers(0, len(_ZH_CITIES), n)
        return [
            (
                _SURNAMES[surnames[i]] + "".join(_GIVEN[g] for g in given[i][: 1 if short[i] else 2]),
                f"1{mobile[i]}" + "".join(str(d) for d in digits[i]),
                _ZH_CITIES[cities[i]],
            )
            for i in range(n)
        ]
    first = rng.integers(0, len(_FIRST), n)
    last = rng.integers(0, len(_LAST), n)
    areas = rng.integers(201, 990, n)
    lines = rng.integers(0, 100, n)
    cities = rng.integers(0, len(_EN_CITIES), n)
    return [
        (f"{_FIRST[first[i]]} {_LAST[last[i]]}", f"({areas[i]}) 555-01{lines[i]:02d}", _EN_CITIES[cities[i]])
        for i in range(n)
    ]
