"""Constraints in a shopper's question (price range, category, in stock) as Filters and Chroma `where` clauses.

Prices: "200元以内", "100到200元", "一百元左右", "300元以上", "under $50", "$20-$40", "less than 30 dollars",
"around $25". A bare number counts as a price only beside a price word (以内, 左右, under, around …) and
never right after letters (SPF50以上 is not a price). "左右"/"around" means ±20 %.
Category: one of the catalog's own categories, named as the head of the phrase (the last noun: "200元以内的
面霜" → 面霜, but "防晒润唇膏" is a lip balm, not the 防晒 category; "matcha whisk" is not Matcha). When
the question names two categories, neither is used as a filter.
Stock: 有货 / 现货 / 有库存 / in stock / available.
The price and stock phrases are removed from the text that is searched; a category word stays in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from contentgen.catalog.keyword import PARTICLES_ZH, SMALL_TALK_ZH, STOP_WORDS_EN
from contentgen.catalog.types import Filters
from contentgen.domain.common import Locale
from contentgen.text.numbers import parse_number

if TYPE_CHECKING:
    import numpy as np

__all__ = ["filters_mask", "parse_filters", "where_clause"]

AROUND = Decimal("0.2")

_NUM_ZH = r"(?:\d+(?:\.\d+)?(?!\d|\.\d)|[零〇一二两三四五六七八九十百千万]+)"
_NUM_EN = r"\d+(?:,\d{3})*(?:\.\d+)?(?!\d|[.,]\d)"
_CUR_ZH = r"(?:元|块钱|块|rmb|人民币)"
_SYM = r"[¥￥$]"
_LEAD = r"(?<![A-Za-z0-9.])"  # not glued to letters or digits: SPF50 is not a price

_ZH = [
    # 100到200元, ¥100-¥200, 100~200块
    (
        "range",
        re.compile(
            rf"{_LEAD}{_SYM}?(?P<a>{_NUM_ZH})\s*{_CUR_ZH}?\s*(?:到|至|-|~|～|—|–)\s*{_SYM}?(?P<b>{_NUM_ZH})\s*"
            rf"(?P<cur>{_CUR_ZH})(?:之间|以内)?|{_LEAD}(?P<sym>{_SYM})(?P<a2>{_NUM_ZH})\s*(?:到|至|-|~|～)\s*"
            rf"{_SYM}?(?P<b2>{_NUM_ZH})(?:之间)?",
            re.IGNORECASE,
        ),
    ),
    # 一百元左右, 200块上下, 大概150元
    (
        "around",
        re.compile(
            rf"(?:大概|大约|约)?\s*{_LEAD}{_SYM}?(?P<n>{_NUM_ZH})\s*{_CUR_ZH}?\s*(?:左右|上下)"
            rf"|(?:大概|大约)\s*{_SYM}?(?P<n2>{_NUM_ZH})\s*{_CUR_ZH}",
            re.IGNORECASE,
        ),
    ),
    # 200元以内, 200以下, 不超过200元, 预算200
    (
        "max",
        re.compile(
            rf"{_LEAD}{_SYM}?(?P<n>{_NUM_ZH})\s*{_CUR_ZH}?\s*(?:以内|以下|之内|内)"
            rf"|(?:不超过|不高于|不到|低于|少于|小于|最多|预算(?:是|在)?)\s*{_SYM}?(?P<n2>{_NUM_ZH})\s*{_CUR_ZH}?",
            re.IGNORECASE,
        ),
    ),
    # 300元以上, 超过300元
    (
        "min",
        re.compile(
            rf"{_LEAD}{_SYM}?(?P<n>{_NUM_ZH})\s*{_CUR_ZH}?\s*(?:以上|起)"
            rf"|(?:超过|高于|大于|不低于|至少)\s*{_SYM}?(?P<n2>{_NUM_ZH})\s*{_CUR_ZH}",
            re.IGNORECASE,
        ),
    ),
]
_UNIT_EN = r"(?:dollars?|bucks|usd)"
_NOT_UNIT = r"(?!\s*(?:%|[A-Za-z°]))"  # "under 50" yes, "under 50 ml" no (a currency word is matched before this)
_EN = [
    (
        "range",
        re.compile(
            rf"(?:between\s+)?\$(?P<a>{_NUM_EN})\s*(?:-|–|to|and)\s*\$?(?P<b>{_NUM_EN})(?:\s*{_UNIT_EN})?"
            rf"|(?:between\s+)?(?P<a2>{_NUM_EN})\s*(?:-|–|to|and)\s*(?P<b2>{_NUM_EN})\s*{_UNIT_EN}",
            re.IGNORECASE,
        ),
    ),
    (
        "around",
        re.compile(
            rf"(?:around|about|roughly|approximately|approx\.?|~)\s*(?:\$(?P<n>{_NUM_EN})(?:\s*{_UNIT_EN})?"
            rf"|(?P<n2>{_NUM_EN})\s*{_UNIT_EN})",
            re.IGNORECASE,
        ),
    ),
    (
        "max",
        re.compile(
            rf"(?:under|below|less\s+than|cheaper\s+than|no\s+more\s+than|not\s+more\s+than|at\s+most|up\s+to|"
            rf"max(?:imum)?|within|budget(?:\s+of|\s+is)?)\s*(?:\$(?P<n>{_NUM_EN})(?:\s*{_UNIT_EN})?|(?P<n2>{_NUM_EN})"
            rf"(?:\s*{_UNIT_EN}|{_NOT_UNIT}))|\$(?P<n3>{_NUM_EN})\s*(?:or\s+less|or\s+under|and\s+under|max)",
            re.IGNORECASE,
        ),
    ),
    (
        "min",
        re.compile(
            rf"(?:over|above|more\s+than|at\s+least|upwards\s+of)\s*(?:\$(?P<n>{_NUM_EN})(?:\s*{_UNIT_EN})?"
            rf"|(?P<n2>{_NUM_EN})(?:\s*{_UNIT_EN}|{_NOT_UNIT}))|\$(?P<n3>{_NUM_EN})\s*(?:\+|or\s+more|and\s+up)",
            re.IGNORECASE,
        ),
    ),
]
_STOCK = re.compile(r"有现货|现货|有货|有库存|不缺货|\bin[\s-]stock\b|\bavailable(?:\s+now)?\b", re.IGNORECASE)


def _zh_number(text: str) -> Decimal | None:
    """'200', '一百', '一百五', '两千五百', '十五' → Decimal; None if it is not a number (or zero)."""
    value = parse_number(text, colloquial=True)
    return value if value else None


def _amount(match: re.Match[str], *names: str) -> Decimal | None:
    for name in names:
        value = match.groupdict().get(name)
        if value:
            return _zh_number(value)
    return None


def _prices(question: str, locale: Locale) -> tuple[Decimal | None, Decimal | None, list[tuple[int, int]]]:
    """(price_min, price_max, spans to remove) from the first price phrase found, trying both languages."""
    rules = [*_ZH, *_EN] if locale == "zh-CN" else [*_EN, *_ZH]
    for kind, pattern in rules:
        for match in pattern.finditer(question):
            span = [match.span()]
            if kind == "range":
                a, b = _amount(match, "a", "a2"), _amount(match, "b", "b2")
                if a is None or b is None:
                    continue
                return min(a, b), max(a, b), span
            n = _amount(match, "n", "n2", "n3")
            if n is None:
                continue
            if kind == "around":
                return (n * (1 - AROUND)).quantize(Decimal("0.01")), (n * (1 + AROUND)).quantize(Decimal("0.01")), span
            if kind == "max":
                return None, n, span
            return n, None, span
    return None, None, []


def _category(text: str, categories: Iterable[str]) -> str | None:
    """The one catalog category the text names as the head of its phrase (see the module docstring)."""
    found: set[str] = set()
    taken: list[tuple[int, int]] = []
    for category in sorted(set(categories), key=len, reverse=True):
        latin = category[:1].isascii()
        # "gift set" names the category "Gift Sets", "snack" names "Snacks"
        word = re.escape(category[:-1] if latin and category.lower().endswith("s") else category)
        pattern = re.compile(rf"\b{word}(?:e?s)?\b" if latin else word, re.IGNORECASE)
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue  # part of a longer category already seen
            taken.append((start, end))
            if _is_head(text[end:], latin):
                found.add(category)
    return next(iter(found)) if len(found) == 1 else None


def _is_head(rest: str, latin: bool) -> bool:
    """Whether what follows a category word leaves it the head of its phrase (nothing more specific follows)."""
    rest = rest.lstrip()
    if not rest or not rest[0].isalnum():
        return True
    if latin:
        word = re.match(r"[A-Za-z]+", rest)
        return word is not None and word.group().lower() in STOP_WORDS_EN
    # "防晒里面哪个最便宜", "面膜里最贵的", "套装中", "精华类": a place word after the category keeps it the head.
    return rest[0] in PARTICLES_ZH + "有是和或也都还要在呀哪给推适好用怎多里中类最" or rest.startswith(
        (*SMALL_TALK_ZH, "当中", "之中", "产品", "系列", "品类")
    )


def parse_filters(question: str, categories: Iterable[str], locale: Locale = "zh-CN") -> tuple[Filters, str]:
    """Filters stated in a question, and the question with the price and stock phrases taken out."""
    price_min, price_max, spans = _prices(question, locale)
    stock = list(_STOCK.finditer(question))
    spans += [m.span() for m in stock]
    remaining = question
    for start, end in sorted(spans, reverse=True):
        remaining = remaining[:start] + " " + remaining[end:]
    remaining = " ".join(remaining.split())
    filters = Filters(
        price_min=price_min,
        price_max=price_max,
        category=_category(remaining, categories),
        in_stock=True if stock else None,
    )
    return filters, remaining


def where_clause(filters: Filters) -> dict[str, Any] | None:
    """The Chroma `where` for these filters: one key per dict, several joined with $and; None for no filter."""
    clauses: list[dict[str, Any]] = []
    if filters.price_min is not None:
        clauses.append({"price": {"$gte": float(filters.price_min)}})
    if filters.price_max is not None:
        clauses.append({"price": {"$lte": float(filters.price_max)}})
    if filters.category is not None:
        clauses.append({"category": {"$eq": filters.category}})
    if filters.in_stock is not None:
        clauses.append({"stock": {"$gt": 0}} if filters.in_stock else {"stock": {"$eq": 0}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def filters_mask(filters: Filters, price: np.ndarray, stock: np.ndarray, category: np.ndarray) -> np.ndarray | None:
    """The same filters over the keyword index's per-record arrays (what `where_clause` selects in Chroma)."""
    import numpy as np

    if not filters:
        return None
    mask = np.ones(len(price), dtype=bool)
    if filters.price_min is not None:
        mask &= price >= float(filters.price_min)
    if filters.price_max is not None:
        mask &= price <= float(filters.price_max)
    if filters.category is not None:
        mask &= category == filters.category
    if filters.in_stock is not None:
        mask &= (stock > 0) if filters.in_stock else (stock == 0)
    return mask
