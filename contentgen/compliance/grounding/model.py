"""Facts and claims: the typed values grounding compares, and its tolerances."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

LOW_STOCK = 50
"""A scarcity claim (限量, limited stock, 手慢无) needs a product with 0 < stock <= LOW_STOCK."""

APPROX = Decimal("0.10")
"""An approximate claim or fact ("约50ml", "about 40 cups") matches within this relative tolerance."""

CONVERSION = Decimal("0.03")
"""Tolerance between unit systems whose factor is not exact (oz <-> g, °F <-> °C)."""

UNIT_NOTE = (
    "A number is a claim when it is attached to a unit: volume, mass, length, temperature, time, percent, SPF/PA, "
    "multiplier (倍, 2x), energy, power, counts of two or more (袋, tins, servings, 片, 件套...), ratings (5颗星, "
    "stars), reviews, and people counts of 100 or more. Not claims: bare numbers ('3 reasons', 'Top 5', '第2步', "
    "list numbering, keycap emoji), ordinals (第N, #N, No.N, 下一个), a single count ('1 cup of joy') or a one "
    "written as a word ('一杯好茶', 'one night'), counts after a purchase verb ('囤两瓶', 'grab 2 tins'), 件 alone "
    "('2件更划算' is a purchase quantity; 仅剩N件 and 已售N件 are stock and sales claims), calendar years (2024年), "
    "clock times, phone numbers and numbers inside a product's name."
)

Value = Decimal | dt.date | str | None


@dataclass(frozen=True)
class Fact:
    """One thing copy may state, and where it comes from.

    `kind`: price, list_price, discount, number, date, promise or stock. `source` names the origin, e.g.
    "catalog:QH-SER-003.specs.净含量", "brief:promotion.coupon", "policy:shipping". `topic` refines the kind
    (discount: percent/amount/threshold/code/bogo...; promise: free_shipping/returns/dispatch...; date: start/end/
    event). `upper` closes a range, `threshold` is a spending condition, `conditions` are who/when it applies to.
    """

    kind: str
    value: Value
    unit: str | None
    source: str
    topic: str | None = None
    sku: str | None = None
    upper: Decimal | None = None
    threshold: Decimal | None = None
    approx: bool = False
    conditions: frozenset[str] = frozenset()
    text: str = ""


@dataclass(frozen=True)
class Claim:
    """One checkable statement found in copy.

    `span` is its place in the text and `parts` the places of its numbers inside `text` (so a suggestion can replace
    them). `unit` is a normalised unit (ml, g, min, serving...) or, for money, the currency. `upper` closes a range
    ("3-5 minutes") or, for a multi-buy price ("两瓶只要448元"), counts the items. `qualifier` is approx, min, max,
    upto or from; `context` a role (deadline/start/range for dates, zhe/percent for discounts, promo for prices).
    """

    kind: str
    text: str
    span: tuple[int, int]
    value: Value
    unit: str | None = None
    topic: str | None = None
    upper: Decimal | None = None
    threshold: Decimal | None = None
    qualifier: str | None = None
    context: str | None = None
    precision: Decimal | None = None
    parts: tuple[tuple[int, int], ...] = ()
