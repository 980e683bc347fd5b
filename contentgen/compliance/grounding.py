"""Claim grounding: every price, discount, number, date, stock figure and promise in generated copy must trace to
the catalog, the brief's promotion terms or the brand kit's policies. A claim that does not trace is a finding.

`FactSheet.build` turns products, a brief, policy texts and the brand kit into typed `Fact`s, derived prices and
discounts included; `extract_claims` finds typed `Claim`s in a text (zh-CN and en-US) with regular expressions
compiled once; `ground` checks each claim against the sheet and returns a `Finding` for each one that does not trace,
with a `suggestion` (the corrected text of the claim's span) wherever the sheet holds a correct value.

A claim is checked against the product it is about: the product named last before it in its sentence (else first
after it), else every product the text names, else the only product of the sheet; with none of these, the whole
sheet. Facts of no product (the brief, the policies, the brand) apply to every claim.

Rules, in brief (the tests pin each one):

* Price: equal (as a Decimal) to the price, a brief promo price, or a price derived from the brief: price x (1 -
  discount_percent) for products without a promo price, then a coupon (price - amount where price >= threshold) on
  any of these. Prices are exact: a derived ¥103.20 may not be written ¥103. Per-unit prices ("$0.33 a glass",
  "每片约¥12.9") are a price over a count in the product data; multi-buy prices ("两瓶只要448元") are N x a price,
  less a coupon the total reaches. "不到/under" needs a lower price, "约/about" one within 10%.
* List price (原价, 划线价, 专柜价, was, regular price, ~~$30~~, <del>, compare at, "a $40 value"): equal to the
  catalog `list_price`, or to the catalog `price` while the brief's promotion lowers that product's price.
* Discount: from the brief (discount_percent, coupon and its code, offer words in its texts such as 第二件半价),
  from the policies (member, first-order, birthday offers, which then need that condition in the copy) or derived
  from list price or price to an offer price. Derived percentages are compared at the precision the copy states but
  never coarser than 1% (6.9折 for 1007 -> 699; 7折 only as 约7折).
* Number: a quantity attached to a unit (`UNIT_NOTE` says which) must appear, unit-normalised (50毫升 = 50 mL,
  3年 = 36个月, 4 weeks = 28 days, °F/°C and oz/g within `CONVERSION`), in the product data, the brief's texts or
  the brand description; a policy's number counts where the sentence shares words with the policy's.
* Date: inside the promotion; a deadline (until, through, 截止, 前) must be its end, a start its start; shopping
  festivals (双11, 618, 12.12, Black Friday) need the promotion to cover or name them; urgency ("today only",
  最后3天, this weekend only, 限时) is checked against `today`. Without a promotion any dated offer blocks. Fixed
  holidays named without a deadline are occasions, not claims.
* Stock: "only N left" / 仅剩N件 must equal the stock; scarcity (limited stock, 限量, 手慢无) needs
  0 < stock <= `LOW_STOCK`; availability (in stock, 现货, 立即购买) needs stock; "sold out" needs none.
* Promise: free shipping, returns, dispatch and delivery times, warranty, price protection, authenticity, money-back,
  breakage, free returns and gifts must be in the brief or the policies, and at least as good there: a dispatch or
  delivery time no longer than claimed, a window (returns, warranty, price protection) no shorter. Unconditional
  free shipping needs the brief, a policy without threshold, or a product whose lowest offer reaches the threshold.
  A policy fact with a condition (members, first order, birthday, order cut-off, damaged items, medical records)
  grounds only copy that states the condition.
* Statements: a price, discount or promise sentence found in the catalog or brief text itself ("三支单买合计¥147.9")
  grounds the same claim in a sentence sharing its words.

Every finding is BLOCK except a gift whose wording shares nothing with the brief's gift, which is WARN: that check
compares words, so a person should look rather than the item being stopped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from contentgen.domain.findings import Finding, Severity
from contentgen.domain.brand import BrandKit
from contentgen.domain.brief import Brief, Promotion
from contentgen.domain.common import Locale
from contentgen.domain.product import CURRENCY_SYMBOLS, Product

__all__ = [
    "LOW_STOCK",
    "UNIT_NOTE",
    "Claim",
    "Fact",
    "FactSheet",
    "chinese_number",
    "extract_claims",
    "ground",
    "ground_fields",
    "parse_number",
]

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


# =====================================================================================================
# Numbers
# =====================================================================================================

_CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_EN_SMALL = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12, "a dozen": 12, "half a dozen": 6,
}
_ONE_WORDS = {"一", "one", "a", "an", "single"}


def _cn_int(text: str) -> int | None:
    if not text:
        return None
    if all(c in _CN_DIGITS for c in text):
        if len(text) == 1:
            return _CN_DIGITS[text]
        return int("".join(str(_CN_DIGITS[c]) for c in text))  # 二零二四, 八五
    if not any(c in _CN_DIGITS for c in text) and text[0] != "十":
        return None  # 万, 百, 千 alone are words, not numbers
    total = section = 0
    digit: int | None = None
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[char]
            digit = None
        elif char in _CN_BIG:
            total += (section + (digit or 0)) * _CN_BIG[char]
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def chinese_number(text: str) -> Decimal | None:
    """Chinese numerals to a number: 八 -> 8, 十二 -> 12, 一百二十九 -> 129, 两万 -> 20000, 八点五 -> 8.5, 八五 -> 85
    (digits without 十/百/千 read digit by digit, as in 八五折 and 二零二五). None for words that are not numbers."""
    whole, dot, frac = text.partition("点")
    number = _cn_int(whole)
    if number is None:
        return None
    if not dot:
        return Decimal(number)
    if not frac or any(c not in _CN_DIGITS for c in frac):
        return None
    return Decimal(f"{number}.{''.join(str(_CN_DIGITS[c]) for c in frac)}")


_DIGITS_RE = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def parse_number(token: str) -> Decimal | None:
    """A number written in digits (1,299.00, 10万), Chinese numerals (八, 十二) or English words (twelve, a dozen)."""
    text = token.strip()
    multiplier = 1
    if text.endswith("万") and any(c.isdigit() for c in text):
        text, multiplier = text[:-1].strip(), 10_000
    if _DIGITS_RE.fullmatch(text):
        return Decimal(text.replace(",", "")) * multiplier
    words = _SPACES.sub(" ", text.lower())
    if words in _EN_SMALL:
        return Decimal(_EN_SMALL[words])
    if words in {"a", "an", "single"}:
        return Decimal(1)
    parts = words.split(" ")
    if len(parts) == 2 and parts[0] in _EN_SMALL and parts[1] in _EN_SMALL:
        return Decimal(_EN_SMALL[parts[0]] + _EN_SMALL[parts[1]])
    return chinese_number(text)


def _fmt(value: Decimal, like: str = "") -> str:
    """A number as copy writes it: 129, 24.99, 8.5; two decimals when the text replaced had them (129.00)."""
    if "." in like and len(like.rsplit(".", 1)[1]) == 2:
        return f"{value:.2f}"
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return f"{value.quantize(Decimal('0.01')):.2f}".rstrip("0").rstrip(".")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _money(amount: Decimal, currency: str | None) -> str:
    symbol = CURRENCY_SYMBOLS.get(currency or "", "" if currency is None else currency + " ")
    return f"{symbol}{_fmt(amount)}"


# =====================================================================================================
# Patterns
# =====================================================================================================

_DIG = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_CNN = r"[零〇一二两三四五六七八九十百千万]+(?:点[零〇一二三四五六七八九]+)?"
_ENW1 = "one|two|three|four|five|six|seven|eight|nine"
_ENW = (
    rf"(?i:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:{_ENW1}))?|eleven|twelve|thirteen|"
    rf"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|ten|{_ENW1}|(?:half\s+a\s+|a\s+)?dozen)(?![A-Za-z])"
)
_NUM = rf"(?:{_DIG}(?:\s?万)?|{_CNN}|(?<![A-Za-z]){_ENW})"
_NB = r"(?<![A-Za-z\d.,_])(?<!\d/)"  # a number starts here, not inside a word, SKU, decimal or fraction
_NE = r"(?![\d])"

_L = r"(?![A-Za-z])"
_UNITS: tuple[tuple[str, str], ...] = (
    (rf"毫升|(?:ml|mL|ML|Ml){_L}|(?i:millilit(?:er|re)s?){_L}", "ml"),
    (rf"(?i:fl\.?\s?oz\.?|fluid\s+ounces?){_L}", "fl_oz"),
    (rf"升|L{_L}|(?i:lit(?:er|re)s?){_L}", "l"),
    (rf"毫克|mg{_L}|(?i:milligrams?){_L}", "mg"),
    (rf"千克|公斤|kg{_L}|(?i:kilograms?){_L}", "kg"),
    (rf"克|g{_L}|(?i:grams?){_L}", "g"),
    (rf"(?i:oz|ounces?){_L}\.?", "oz"),
    (rf"(?i:lbs?|pounds?){_L}\.?", "lb"),
    (r"斤", "jin"),
    (rf"厘米|cm{_L}|(?i:centimet(?:er|re)s?){_L}", "cm"),
    (rf"毫米|mm{_L}|(?i:millimet(?:er|re)s?){_L}", "mm"),
    (rf"(?i:inch(?:es)?){_L}|in\.", "inch"),
    (rf"°\s?C{_L}|℃|摄氏度|(?i:degrees?\s+(?:C|celsius)){_L}", "°C"),
    (rf"°\s?F{_L}|℉|(?i:degrees?\s+(?:F|fahrenheit)){_L}", "°F"),
    (rf"度|°|(?i:degrees?){_L}", "°"),
    (rf"秒钟?|(?i:seconds?|secs?){_L}", "s"),
    (rf"分钟|(?i:minutes?|mins?){_L}", "min"),
    (rf"个?小时|(?i:hours?|hrs?){_L}|h{_L}", "h"),
    (rf"个?工作日|(?i:business\s+days?|working\s+days?){_L}", "business_day"),
    (rf"天(?![然猫使生空气才堂下地真])|(?i:days?){_L}", "day"),
    (rf"个?(?:星期|礼拜)|周(?![年末边到期一二三四五六日])|(?i:weeks?){_L}", "week"),
    (rf"个月|(?i:months?){_L}", "month"),
    (rf"年(?![级代度前底初中货])|(?i:years?|yrs?){_L}", "year"),
    (rf"%|(?i:per\s?cent){_L}", "%"),
    (r"倍|[x×](?![A-Za-z\d])(?!\s*\d)", "x"),
    (rf"千卡|大卡|(?i:kcal|calories|cal){_L}", "kcal"),
    (rf"(?i:mAh){_L}", "mAh"),
    (rf"W{_L}|(?i:watts?){_L}|瓦", "W"),
    (rf"V{_L}|(?i:volts?){_L}|伏", "V"),
    (rf"(?i:quarts?|qt){_L}", "quart"),
    (rf"(?i:teaspoons?|tsp){_L}", "tsp"),
    (rf"(?i:tablespoons?|tbsp){_L}", "tbsp"),
    (rf"(?:茶|小|独立)?袋|(?i:(?:tea\s+)?bags?|sachets?|pouch(?:es)?){_L}", "bag"),
    (r"包(?![邮装括含])", "bag"),
    (rf"片|(?i:pcs|pieces?|sheets?|cookies|biscotti){_L}", "piece"),
    (rf"颗星|星(?!期)|(?i:stars?){_L}", "star"),
    (rf"粒|颗|(?i:capsules?|tablets?){_L}", "capsule"),
    (rf"瓶|(?i:bottles?){_L}", "bottle"),
    (rf"罐|(?i:(?:mini\s+)?tins?|cans?|jars?){_L}", "tin"),
    (rf"盒|(?i:box(?:es)?){_L}", "box"),
    (rf"支|(?i:tubes?|sticks?){_L}", "stick"),
    (rf"份|杯|(?i:servings?|cups?|mugs?|glass(?:es)?|sessions?){_L}", "serving"),
    (rf"(?i:infusions?|steeps?){_L}", "infusion"),
    (rf"件套|套|(?i:sets?){_L}", "set"),
    (rf"入|(?i:ct|count){_L}", "count"),
    (rf"(?i:packs?){_L}", "pack"),
    (rf"条?(?:评价|好评)|(?i:reviews?|ratings?){_L}", "review"),
    (rf"人|位|(?i:customers?|people|fans|followers|lovers|drinkers|shoppers|members){_L}", "people"),
)
_UNIT_ALT = "|".join(f"(?:{p})" for p, _ in _UNITS)
_UNIT_RES = tuple((re.compile(f"(?:{p})"), unit) for p, unit in _UNITS)
_COUNT_UNITS = frozenset(
    {"bag", "piece", "capsule", "bottle", "tin", "box", "stick", "serving", "infusion", "set", "count", "pack",
     "star", "review", "people"}
)
_TIME_UNITS = frozenset({"s", "min", "h", "day", "week", "business_day", "month", "year"})

# unit -> (family, factor to the family's base, exact conversion?)
_CONVERT: dict[str, tuple[str, Decimal, bool]] = {
    "ml": ("volume", Decimal(1), True),
    "l": ("volume", Decimal(1000), True),
    "fl_oz": ("volume", Decimal("29.5735"), False),
    "quart": ("volume", Decimal("946.353"), False),
    "mg": ("mass", Decimal("0.001"), True),
    "g": ("mass", Decimal(1), True),
    "kg": ("mass", Decimal(1000), True),
    "jin": ("mass", Decimal(500), True),
    "oz": ("mass", Decimal("28.3495"), False),
    "lb": ("mass", Decimal("453.592"), False),
    "mm": ("length", Decimal("0.1"), True),
    "cm": ("length", Decimal(1), True),
    "inch": ("length", Decimal("2.54"), False),
    "s": ("time", Decimal(1), True),
    "min": ("time", Decimal(60), True),
    "h": ("time", Decimal(3600), True),
    "day": ("time", Decimal(86400), True),
    "week": ("time", Decimal(604800), True),
    "month": ("months", Decimal(1), True),
    "year": ("months", Decimal(12), True),
}

_QUAL_PRE = (
    r"(?P<q>约|大约|大概|将近|接近|近|超过|超|多达|高达|最高|最多|至多|至少|不少于|不低于|不到|不足|少于|低于|~|"
    r"(?i:about|around|approx(?:imately|\.)?|nearly|almost|roughly|up\s+to|over|more\s+than|at\s+least|under|"
    r"less\s+than|fewer\s+than|just\s+under)\s+)"
)
_QUAL_POST = r"(?P<qs>\s*(?:以上|以下|以内|左右|(?i:or\s+more|or\s+less|and\s+up)))"
_QUALIFIERS = {
    "approx": {"约", "大约", "大概", "将近", "接近", "近", "~", "about", "around", "approx", "approx.",
               "approximately", "nearly", "almost", "roughly", "左右"},
    "min": {"超过", "超", "至少", "不少于", "不低于", "over", "more than", "at least", "以上", "or more", "and up"},
    "max": {"不到", "不足", "少于", "低于", "under", "less than", "fewer than", "just under", "以下", "以内",
            "or less"},
    "upto": {"多达", "高达", "最高", "最多", "至多", "up to"},
}
_STOP = r"(?:of|to|for|and|or|per|a|an|the|in|on|at|with|from|your|our|my|each|every|is|are|was|more|less|than)"
_ADJ = rf"(?P<adj>(?:(?!(?:{_UNIT_ALT}|{_STOP}){_L})[A-Za-z][A-Za-z-]*\s+){{1,2}}|个)"
_RANGE_SEP = r"\s*(?:-|~|–|—|至|到|(?i:to))\s*"

_QTY_RE = re.compile(
    rf"(?:{_QUAL_PRE}\s*)?{_NB}(?P<n>{_NUM})(?:{_RANGE_SEP}(?P<n2>{_NUM}))?\s?{_ADJ}?(?P<u>{_UNIT_ALT})"
    rf"(?P<plus>\+)?{_QUAL_POST}?"
)
_SPF_RE = re.compile(r"(?i:SPF)\s*(?P<n>\d{1,3})\s*(?P<plus>\+)?")
_PA_RE = re.compile(r"(?<![A-Za-z])PA\s*(?P<p>\+{1,4})")
_ORDINAL_BEFORE = re.compile(r"(?:第|下一?|上一?|(?i:next|no\.|#|step|round|level|top|tier)\s*)\s*$")
_PURCHASE_BEFORE = re.compile(
    r"(?:买|囤|拍|入手|带走|来|加购|(?i:buy|grab|get|order|pick\s+up|stock\s+up\s+on|add))\s*$"
)

_CUR_SYM = r"US\$|HK\$|\$|¥|€|£"
_CUR_CODE = r"(?:RMB|CNY|USD|EUR|GBP|HKD)"
_CURRENCY = {
    "$": "USD", "US$": "USD", "HK$": "HKD", "¥": "CNY", "€": "EUR", "£": "GBP", "RMB": "CNY", "CNY": "CNY",
    "USD": "USD", "EUR": "EUR", "GBP": "GBP", "HKD": "HKD", "人民币": "CNY", "元": "CNY", "块钱": "CNY",
    "美元": "USD", "美金": "USD", "DOLLAR": "USD", "DOLLARS": "USD", "BUCKS": "USD",
}


def _money_re(tag: str) -> str:
    return (
        rf"(?:(?P<{tag}s>{_CUR_SYM}|{_CUR_CODE}\s?|人民币)\s?(?P<{tag}n>{_DIG}(?:\s?万)?)"
        rf"|{_NB}(?P<{tag}m>{_DIG}(?:\s?万)?|{_CNN})\s?(?P<{tag}c>元(?!硬币|宝|素|旦|气)|块钱|美元|美金|"
        rf"(?i:dollars?|bucks|usd|rmb|cny){_L}))"
    )


def _money_of(match: re.Match[str], tag: str) -> tuple[Decimal, str | None, tuple[int, int]] | None:
    """(amount, currency, span of the number) of a money group in `match`."""
    for number, cur in ((f"{tag}n", f"{tag}s"), (f"{tag}m", f"{tag}c")):
        if match.group(number) is not None:
            value = parse_number(match.group(number))
            if value is None:
                return None
            symbol = match.group(cur).strip().upper()
            return value, _CURRENCY.get(symbol, _CURRENCY.get(symbol.rstrip("S"))), match.span(number)
    return None


_MONEY = _money_re("m")
_MONEY_T = _money_re("t")

# --- dates -----------------------------------------------------------------------------------------
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11,
    "dec": 12,
}
_MON = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"  # noqa: E501
_CN_MONTH = r"(?:\d{1,2}|十[一二]?|[一二三四五六七八九])"
_CN_DAY = r"(?:\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_DATE_ZH = re.compile(
    rf"(?:(?P<y>\d{{4}})\s*年\s*)?(?P<m>{_CN_MONTH})\s*月\s*(?P<d>{_CN_DAY})\s*[日号]"
    rf"(?:\s*(?:-|~|–|—|至|到)\s*(?:(?P<m2>{_CN_MONTH})\s*月\s*)?(?P<d2>{_CN_DAY})\s*[日号])?"
    r"(?P<after>[ \t]*(?:之前|以前|前|截止|结束|为止|止))?"
)
_DATE_ISO = re.compile(
    r"(?<!\d)(?P<y>20\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)(?P<after>[ \t]*(?:之前|以前|前|截止|结束))?"
)
_DATE_EN = re.compile(
    rf"(?i:(?P<mon>{_MON})[ \t]+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?{_L}(?:,?[ \t]+(?P<y>20\d{{2}}))?"
    rf"(?:\s*(?:-|–|—|to|through|thru)\s*(?:(?P<mon2>{_MON})\s+)?(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?{_L})?"
    rf"|(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?(?P<mon3>{_MON}){_L}(?:,?[ \t]+(?P<y3>20\d{{2}}))?)"
)
_DATE_SLASH = re.compile(
    r"(?<![\d/.$¥])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<y>\d{2}|\d{4}))?(?![\d/%])"
    r"(?:\s*(?:-|–|to)\s*(?P<m2>\d{1,2})/(?P<d2>\d{1,2})(?![\d/]))?"
)
_DATE_DOT = re.compile(
    r"(?<![\d.$¥])(?P<m>1[0-2]|0?[1-9])\.(?P<d>3[01]|[12]\d|0?[1-9])(?![\d.])"
    r"(?:\s*(?:-|~|–|至|到)\s*(?P<m2>1[0-2]|0?[1-9])\.(?P<d2>3[01]|[12]\d|0?[1-9])(?![\d.]))?"
    r"(?P<after>[ \t]*(?:之前|以前|前|截止|结束|当天|零点|0点|开抢|开始|开卖|狂欢|大促|活动|晚8点|晚上))?"
)
_DATE_DOT_BEFORE = re.compile(r"(?:截止|截至|至|到|从|时间[:：]?|(?i:until|through|by|ends?|on))\s*$")
_DEADLINE_BEFORE = re.compile(
    r"(?:截止到?|截至|至|直到|到|(?i:until|till|til|through|thru|ends?|ending|expires?|by|before|valid\s+through|"
    r"offer\s+ends))\s*(?:[:：]\s*)?$"
)
_START_BEFORE = re.compile(r"(?:从|自|(?i:from|starting|starts?|begins?|beginning))\s*$")
_START_AFTER = re.compile(r"^\s*(?:起|开始|开抢|开卖)")
_HOLIDAYS = frozenset({(1, 1), (2, 14), (3, 8), (3, 17), (5, 1), (6, 1), (7, 4), (10, 1), (10, 31), (12, 24), (12, 25)})
"""Fixed-date holidays: named without a deadline or range they are an occasion ("a 4th of July picnic"), not an offer
date."""

_EVENTS: tuple[tuple[str, str], ...] = (
    (r"双\s*(?:11|十一)|(?<![\d.$¥])11\.11(?![\d])|(?i:singles'?\s+day)", "11-11"),
    (r"双\s*(?:12|十二)|(?<![\d.$¥])12\.12(?![\d])", "12-12"),
    (r"(?<![\d.$¥,/])6\.18(?![\d])|(?<![\d.$¥,/-])618(?![\d%.,]|\s*(?:元|块|ml|g|克|件))", "06-18"),
    (r"黑五|黑色星期五|(?i:black\s+friday)", "black_friday"),
    (r"(?i:cyber\s+monday)", "cyber_monday"),
    (r"(?i:prime\s+day)", "prime_day"),
    (r"年货节", "new_year_goods"),
)
_EVENT_RES = tuple((re.compile(p), key) for p, key in _EVENTS)

def _rel(i: int) -> str:
    return rf"(?P<n{i}>{_DIG}|{_CNN}|{_ENW})"


_RELATIVE: tuple[tuple[str, str], ...] = (
    (rf"(?:最后|仅剩|还剩|只剩|倒计时)\s*{_rel(1)}\s*(?P<u1>天|日|小时|个小时)|"
     rf"(?i:(?:last|final)\s+{_rel(2)}\s+(?P<u2>days?|hours?)|(?:only\s+)?{_rel(3)}\s+(?P<u3>days?|hours?)\s+left)",
     "left"),
    (rf"限时\s*{_rel(1)}\s*(?P<u1>天|日|小时|个小时)|(?i:{_rel(2)}[- ](?P<u2>days?|hours?)\s+only)", "duration"),
    (r"(?:仅限|只限|限)今[天日晚]|今[天日晚](?:截止|结束)|最后一天|"
     r"(?i:today\s+only|only\s+today|ends\s+(?:today|tonight)|tonight\s+only|last\s+day)", "today_end"),
    (r"今[天日](?:特价|特惠|专享|限定|秒杀|优惠)|即日起|(?i:today'?s\s+deal|deal\s+of\s+the\s+day|starting\s+today)",
     "today_in"),
    (r"明[天日晚](?:截止|结束)|(?i:ends\s+tomorrow)", "tomorrow_end"),
    (r"(?:仅限|只限)(?:本|这)?周末|(?:本|这)?周末(?:限定|专享|特惠|特价|限时|大促)|"
     r"(?i:(?:this\s+)?weekend\s+only|this\s+weekend'?s?\s+(?:sale|deal)|weekend\s+sale)", "weekend"),
    (r"(?:仅限|只限)(?:本|这)周|(?:本|这)周(?:限定|专享|特惠|特价)|(?i:this\s+week\s+only)", "week"),
    (r"限时|限期|倒计时|即将(?:结束|截止)|(?i:limited[- ]time|for\s+a\s+limited\s+time|ends\s+soon|last\s+chance)",
     "limited"),
)
_RELATIVE_RES = tuple((re.compile(p), key) for p, key in _RELATIVE)

# --- promises --------------------------------------------------------------------------------------
def _t(i: int) -> str:
    return rf"(?P<n{i}>{_DIG}|{_CNN}|{_ENW})(?:{_RANGE_SEP}(?P<r{i}>{_DIG}|{_CNN}))?"


_PROMISES: tuple[tuple[str, str], ...] = (
    (rf"(?:(?:全场|全国|订单|单笔|实付)?满\s*(?P<t>{_DIG}|{_CNN})\s*(?:元|块)?\s*(?:即可|就|即|可)?(?:享)?)?"
     r"(?:全场|全国)?(?:包邮|免运费|免邮|免配送费)", "free_shipping"),
    (rf"(?i:free\s+(?:standard\s+|ground\s+|us\s+|u\.s\.\s+)?(?:shipping|delivery)|ships?\s+free|"
     r"(?:standard\s+)?(?:shipping|delivery)\s+is\s+(?:always\s+)?free)"
     rf"(?:\s+(?i:(?:on|for)\s+(?:all\s+|any\s+)?orders?\s+(?:of\s+|over\s+|above\s+)?|over\s+|above\s+|"
     rf"kicks\s+in\s+at\s+|at\s+|from\s+)(?P<thr>{_MONEY_T})(?:\+|\s+(?i:or\s+more|and\s+up))?)?", "free_shipping"),
    (rf"(?i:orders?\s+(?:of\s+|over\s+|above\s+)?)(?P<tm2>{_money_re('u')})\+?\s*(?i:(?:or\s+more\s+)?(?:ship|get)\s+free"
     r"(?:\s+shipping)?)", "free_shipping"),
    (rf"{_t(1)}\s*(?:天|日)\s*无理由(?:退换货?|退货|退换|换货|退款)?|无理由(?:退换货?|退货|退款)", "no_reason_returns"),
    (r"运费险|退货包运费|免费退换|(?i:free\s+returns?|free\s+return\s+shipping)", "free_returns"),
    (rf"{_t(1)}\s*(?:天|日)\s*(?:内)?\s*(?:退换货?|退货|包退|包换)|"
     rf"(?i:{_t(2)}[- ]day\s+(?:hassle[- ]free\s+|easy\s+|free\s+|no[- ]questions[- ]asked\s+)?returns?(?:\s+policy)?|"
     rf"returns?\s+(?:(?:it|them|anything|most\s+items)\s+)?within\s+{_t(3)}\s+days)", "returns"),
    (rf"(?P<sd1>当天|当日|今日|次日)\s*(?:下单)?\s*(?:即|就)?(?:发货|发出)|{_t(1)}\s*(?P<u1>小时|个小时|个?工作日|天|日)\s*内?"
     r"\s*(?:安排|极速|闪电)?(?:发货|发出)|"
     rf"(?i:(?:ships?|shipped|dispatch(?:es|ed)?)\s+(?:out\s+)?(?:within|in)\s+{_t(2)}\s+(?P<u2>business\s+days?|"
     rf"working\s+days?|days?|hours?)|(?P<sd2>same[- ]day)\s+(?:shipping|dispatch)|"
     rf"ships?\s+(?:the\s+)?(?P<sd3>same[- ]day|today)|(?P<sd4>next[- ]day)\s+dispatch)", "dispatch"),
    (rf"(?P<sd1>次日|隔日|当日)(?:达|送达|到)|{_t(1)}\s*(?P<u1>小时|个小时|天|日)\s*(?:内)?\s*(?:送达|到货|必达)|"
     rf"(?i:(?P<sd2>next[- ]day|same[- ]day|overnight)\s+delivery|{_t(2)}[- ](?P<u2>day|business[- ]day)\s+"
     rf"(?:shipping|delivery)|(?:arrives?|delivered|delivery)\s+(?:with)?in\s+{_t(3)}\s+(?P<u3>business\s+days?|days?))",
     "delivery"),
    (rf"正品保障|正品保证|100%\s*正品|官方正品|假一(?:赔|罚)(?P<n1>{_CNN}|\d+)|"
     r"(?i:100%\s+authentic|authenticity\s+guaranteed?|guaranteed\s+authentic|genuine\s+guarantee)", "authentic"),
    (rf"(?:{_t(1)}\s*天)?\s*(?:保价|价保)|价格保护|"
     rf"(?i:(?:{_t(2)}[- ]day\s+)?price\s+(?:protection|match(?:ing)?|guarantee))", "price_protection"),
    (rf"终身(?:保修|质保)|{_t(1)}\s*(?P<u1>年|个月)\s*(?:保修|质保)|(?:保修|质保)\s*{_t(2)}\s*(?P<u2>年|个月)|"
     rf"(?i:(?P<life>lifetime)\s+(?:warranty|guarantee)|{_t(3)}[- ](?P<u3>year|month)\s+(?:limited\s+)?warranty)",
     "warranty"),
    (rf"不满意(?:全额)?退款|无效退款|退款保证|(?i:(?:{_t(1)}[- ]day\s+)?money[- ]back(?:\s+guarantee)?|"
     r"satisfaction\s+guaranteed?|love\s+it\s+or\s+your\s+money\s+back)", "money_back"),
    (r"破损(?:包赔|包退|包换|补发)|坏(?:果|损)包赔|(?i:(?:free\s+)?replacements?\s+for\s+(?:anything\s+)?"
     r"(?:that\s+)?arrives?\s+damaged)", "breakage"),
    (r"(?:下单|购买|购|买|拍下?|入手|满\s*\d+\s*元?)(?:即|就|即可|还|再)?(?:送|赠|加赠|赠送)(?P<obj1>[^，。！？!?；;,\s]{1,20})|"
     r"(?:加赠|赠送|随单(?:送|赠)|免费(?:送|赠|领)|礼赠)(?P<obj2>[^，。！？!?；;,\s]{1,20})|"
     r"(?:送|附|加|附赠|有)赠品|赠品[:：]\s*(?P<obj3>[^，。！？!?；;,\s]{1,20})|好礼相送|惊喜好礼|"
     r"(?i:free\s+gift(?!\s+(?:messages?|notes?|cards?|wrap\w*|box(?:es)?|receipts?))(?:\s+with\s+purchase)?|"
     r"gift\s+with\s+purchase|\bGWP\b|bonus\s+gift|"
     r"(?:get|receive|plus|with)\s+a\s+free\s+(?P<obj4>[a-z][a-z -]{2,40}?)(?=\s+(?:with|when|on|for|in)\b|[.,!;]|$)|"
     r"free\s+(?P<obj5>(?:[a-z-]+\s+){0,3}?[a-z-]+)\s+(?:with|in)\s+(?:every|any|your|each)\s+(?:order|purchase))",
     "gift"),
)
_PROMISE_RES = tuple((re.compile(p), topic) for p, topic in _PROMISES)
# dispatch/delivery: a promise of "within N" (the policy must be as fast); the rest are windows (as long).
_FASTER_IS_BETTER = frozenset({"dispatch", "delivery"})

# --- discounts -------------------------------------------------------------------------------------
_ZHE = r"(?P<z>\d(?:\.\d)?|\d{2}|[一二三四五六七八九](?:点?[一二三四五六七八九])?)\s*折(?![扣叠上])"
_DISCOUNTS: tuple[tuple[str, str], ...] = (
    (rf"(?:每)?满\s*(?P<t>{_DIG}|{_CNN})\s*(?:元|块)?\s*(?:立|即|可|就|再)?(?:减|省|享减|-)\s*(?P<a>{_DIG}|{_CNN})\s*(?:元|块)?"
     rf"|满\s*(?P<t2>{_DIG})\s*元?\s*可?用\s*(?P<a2>{_DIG})\s*元?(?:优惠)?券", "threshold"),
    (rf"(?i:(?P<am>{_MONEY})\s+off\s+(?:your\s+|any\s+)?(?:orders?\s+|purchases?\s+)?(?:of\s+|over\s+|above\s+|when\s+you\s+"
     rf"spend\s+)(?P<thr>{_MONEY_T})(?:\+|\s+or\s+more)?|spend\s+(?P<tm2>{_money_re('v')})(?:\s+or\s+more)?,?\s+(?:and\s+)?"
     rf"(?:save|get)\s+(?P<am2>{_money_re('w')})(?:\s+off)?)", "threshold"),
    (r"买\s*(?:一|1)\s*(?:送|赠)\s*(?:一|1)|(?i:\bBOGO\b(?:\s+free)?|buy\s+one,?\s+get\s+one(?:\s+free)?(?!\s+(?:50%|half))|"
     r"2[- ]for[- ]1|two[- ]for[- ]one)", "bogo"),
    (rf"买\s*(?P<x>\d+|{_CNN})\s*(?:送|赠)\s*(?P<y>\d+|{_CNN})|(?i:buy\s+(?P<x2>\d+|{_ENW}),?\s+get\s+(?P<y2>\d+|{_ENW})"
     r"(?:\s+free)?)", "buy_x_get_y"),
    (r"第(?:二|2)件(?:半价|5折|五折)|(?i:(?:second|2nd)\s+(?:one\s+|item\s+)?half\s+(?:price|off)|"
     r"buy\s+one,?\s+get\s+one\s+(?:50%|half)\s+off)", "second_half"),
    (r"(?:优惠码|券码|折扣码|口令)\s*[:：]?\s*(?P<code>[A-Za-z0-9]{3,20})|(?i:(?:promo|coupon|discount)\s+code|use\s+code)"
     r"\s*:?\s*(?P<code2>[A-Z0-9]{3,20})\b", "code"),
    (rf"(?:(?P<zq>打|享|低至|全场|限时|会员|正价单品)\s*)?{_ZHE}|半价|(?P<half>(?i:half[- ](?:price|off)))", "percent"),
    (rf"(?i:(?:(?P<pq>up\s+to|take|save|extra|an\s+extra|enjoy)\s+)?(?P<p>{_DIG})\s?(?:%|percent|per\s+cent)\s*"
     rf"(?:off|discount|savings?)|save\s+(?P<p2>{_DIG})\s?%|(?<![\w])-(?P<p3>{_DIG})%)", "percent"),
    (rf"(?:立减|立省|直降|节省|省|减|优惠|便宜|降价|让利|返现|返)\s*(?P<c0>[¥$]\s?)?(?P<a>{_DIG}|{_CNN})\s*(?P<c>元|块)?|"
     rf"(?P<a2>{_DIG})\s*元?\s*(?:无门槛|生日|新人|店铺|会员)?(?:优惠)?券|"
     rf"领券(?:立)?减\s*(?P<a3>{_DIG})\s*元?", "amount"),
    (rf"比[^，。！？,.!?]{{0,12}}?(?:低|便宜|省|少)\s*(?P<a>{_DIG}|{_CNN})\s*(?P<c>元|块)?", "amount"),
    (rf"(?i:(?:save|saving|savings\s+of|you\s+save|take)\s+(?P<am>{_MONEY})|(?P<am2>{_money_re('x')})\s+(?:off{_L}|less\s+than)"
     rf"|(?P<am3>{_money_re('y')})\s+coupon|(?<![\w])-\s?(?P<am4>{_money_re('z')})"
     rf"|(?P<am5>{_money_re('k')})\s+(?:back\s+in\s+your\s+pocket|saved|in\s+savings|cheaper))", "amount"),
    (r"特价|打折|折扣价|促销价|促销中|限时促销|特惠价|特惠中|限时特惠|大促价|秒杀价|让利|"
     r"(?i:on\s+sale|sale\s+price|(?<!for\s)\bsale\b(?!s)|discount(?:ed)?|markdown)", "sale"),
)
_DISCOUNT_RES = tuple((re.compile(p), topic) for p, topic in _DISCOUNTS)
_NEGATED_BEFORE = re.compile(
    r"(?:不|没有|无|从不|绝不|被|厌倦|讨厌|拒绝|别|总在为|总被|担心|害怕|"
    r"(?i:\b(?:no|not|never|without|non|tired\s+of|hate)\b)).{0,8}$"
)

# --- list prices -----------------------------------------------------------------------------------
_LIST_KW = (
    r"原价|划线价|专柜价|吊牌价|市场价|零售价|日常价|门店价|官方价|官网价|建议零售价|指导价|参考价|正价|单买合计|单买价?|分开买|"
    r"(?i:was|were|(?:down|reduced|marked\s+down)\s+from|regular(?:ly)?(?:\s+price)?|reg\.|originally|list\s+price|msrp|"
    r"compare\s+at|retail\s+(?:price|value)|normally|usually)"
)
_LIST_PRICE_RES = (
    re.compile(rf"(?P<kw>{_LIST_KW})\s*[:：]?\s*(?:是|为|(?i:only)\s+)?(?:{_MONEY}|(?P<bare>{_DIG}){_NE}(?!\s*(?:%|折)))"),
    re.compile(rf"~~\s*(?:{_MONEY}|(?P<bare>{_DIG}))\s*~~"),
    re.compile(rf"<(?P<tag>del|s|strike)>\s*(?:{_MONEY}|(?P<bare>{_DIG}))\s*</(?P=tag)>"),
    re.compile(rf"(?:价值|(?i:worth)\s+)\s*(?:{_MONEY})"),
    re.compile(rf"(?:{_MONEY})\s+(?i:value){_L}"),
)

# --- prices ----------------------------------------------------------------------------------------
_PRICE_KW = (
    r"到手价|券后价?|活动价|促销价|秒杀价|特价|售价|现价|价格|单价|会员价|拼团价|团购价|预售价|定金|只要|仅需|仅售|只需|只卖|"
    r"低至|直降至|降至|到手|(?i:priced\s+at|price\s*:|now\s+only|for\s+just|for\s+only|sale\s+price\s*:?|now)"
)
_PRICE_RE = re.compile(rf"(?:(?P<kw>{_PRICE_KW})\s*[:：]?\s*)?{_MONEY}(?P<from>\s*起|\+)?")
_CN_AMOUNT = r"[零〇一二两三四五六七八九]*[十百千万][零〇一二两三四五六七八九十百千万]*(?:点[零〇一二三四五六七八九]+)?"
_PRICE_BARE_RE = re.compile(
    rf"(?P<kw>{_PRICE_KW})\s*[:：]?\s*{_NB}(?P<bare>{_DIG}|{_CN_AMOUNT}){_NE}(?!\s*(?:%|折|[A-Za-z]|{_UNIT_ALT}))"
    r"(?P<from>\s*起)?"
)
_MULTI_BEFORE = re.compile(
    r"(?P<n>\d+|[两二三四五六七八九十]+|(?i:two|three|four|five|six))\s*(?:瓶|件|盒|支|罐|套|袋|片|"
    r"(?i:tins?|bottles?|boxes|bags|packs|items|sets|jars|pouches)\s*)?(?:装\s*)?(?:只要|仅需?|仅售|共|合计|到手价?|才|"
    r"(?i:for(?:\s+(?:just|only))?))\s*[:：]?\s*$"
)
_PER_UNIT_AFTER = re.compile(
    r"^\s*(?:/|(?i:per|a|an|each)\s+|每)\s*(?P<u>杯|袋|片|包|份|支|粒|(?i:cups?|bags?|servings?|pouch(?:es)?|sachets?|"
    r"sticks?|pieces?|glass(?:es)?|mugs?|servings?)(?![A-Za-z]))"
)
_PER_UNIT_BEFORE = re.compile(r"(?:每|单|一)\s*(?P<u>杯|袋|片|包|份|支|粒)\s*(?:仅需?|只要|不到|低至|约|才)?\s*$")
_APPROX_BEFORE = re.compile(r"(?:约|大约|将近|近|(?i:about|around|roughly|nearly|almost))\s*$")
_PRICE_QUAL_BEFORE = re.compile(
    r"(?P<q>不到|不足|低于|少于|(?i:under|less\s+than|below|just\s+under)|约|大约|(?i:about|around|approximately))\s*$"
)

# --- stock -----------------------------------------------------------------------------------------
_STOCK_UNITS = r"件|瓶|盒|套|份|罐|支|个|单|袋"
_STOCK: tuple[tuple[str, str], ...] = (
    (rf"(?:仅剩|只剩|仅余|只余|剩余|还剩|库存仅剩?|库存只有|库存|最后)\s*(?P<n>{_DIG}|{_CNN})\s*(?:{_STOCK_UNITS})|"
     rf"(?:仅剩|只剩|仅余|库存仅剩?|库存只有)\s*(?P<n2>{_DIG}|{_CNN})(?!\s*(?:天|小时|日|元))", "count"),
    (rf"(?i:(?:only|just)\s+(?P<n3>{_DIG}|{_ENW})\s+(?:[a-z-]+\s+){{0,2}}?(?:left|remaining)|"
     rf"(?P<n4>{_DIG}|{_ENW})\s+(?:left|remaining)\s+in\s+stock|last\s+(?P<n5>{_DIG}|{_ENW})\s+(?:tins|units|items|bags|"
     r"boxes|sets|bottles|pieces|left))", "count"),
    (rf"限量\s*(?P<n>{_DIG}|{_CNN})\s*(?:{_STOCK_UNITS})|(?i:limited\s+to\s+(?P<n2>{_DIG})\s+(?:units|sets|tins|pieces|"
     rf"boxes)|only\s+(?P<n3>{_DIG})\s+made)", "edition_count"),
    (r"(?:推出|上新|新品|本款|这款|此款|这个|这支|这瓶)\s*(?:限量版|限量款|限定款|限定版)|"
     r"(?:限量版|限量款|限定款|限定版)(?=\s*(?:上市|发售|开售|来了|回归|上线|开抢|[！!]))|"
     r"(?i:limited[- ](?:edition|release))", "edition"),
    (r"库存告急|库存紧张|即将售罄|手慢无|数量有限|限量(?:发售|供应|抢购)?|售完即止|卖完即止|抢完即止|先到先得|最后几件|"
     r"(?i:limited\s+(?:stock|quantit(?:y|ies)|supply|supplies|availability|run)|(?:selling|going)\s+fast|"
     r"almost\s+gone|low\s+(?:in\s+)?stock|few\s+left|won'?t\s+last|before\s+(?:it'?s|they'?re)\s+gone)", "scarcity"),
    (r"售罄|已售空|卖断货|已断货|缺货|(?i:sold\s+out|out\s+of\s+stock|currently\s+unavailable)", "sold_out"),
    (r"现货|有货|立即购买|立即下单|马上下单|马上抢|立即抢购|速抢|点击购买|抢购中|热卖中|补货到|"
     r"(?i:in\s+stock|available\s+now|now\s+available|shop\s+now|buy\s+now|order\s+now|add\s+to\s+(?:cart|bag)|"
     r"get\s+yours|grab\s+yours|back\s+in\s+stock)", "available"),
)
_STOCK_RES = tuple((re.compile(p), topic) for p, topic in _STOCK)
_FIRST_N = re.compile(
    rf"前\s*(?P<n>{_DIG}|{_CNN})\s*(?:名|位|单|件)|(?i:(?:the\s+)?first\s+(?P<n2>{_DIG}|{_ENW})\s+(?:customers|orders|buyers|"
    r"people|shoppers))"
)
_SOCIAL = re.compile(
    rf"(?:已售|月销|销量|热销|累计销售|卖出|售出)\s*(?P<n>{_DIG}(?:\s?万)?|{_CNN})\s*\+?\s*(?:{_STOCK_UNITS})?|"
    rf"{_NB}(?P<n2>{_DIG}(?:\s?万)?)\s*\+?\s*(?:人|位)(?:回购|好评|推荐|选择|购买|种草|使用|已购)|"
    rf"(?i:rated\s+(?P<n4>{_DIG})\s*(?:out\s+of\s+5|/\s*5)(?:\s+stars)?)|"
    rf"(?i:{_NB}(?P<n3>{_DIG})\+?\s+(?:sold|happy\s+customers|(?:five|5)[- ]star\s+reviews|orders\s+shipped))"
)

# --- masks: spans that hold no claims ---------------------------------------------------------------
_MASKS = re.compile(
    r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.]+|\d\ufe0f?\u20e3|\b(?:24/7|7/24)\b|7\s?[x×]\s?24|"
    r"\(?\d{3}\)?[\s-]\d{3}-\d{4}|\d{1,2}[:：]\d{2}(?:\s*(?:a\.?m\.?|p\.?m\.?))?"
)
_FULLWIDTH = {i: i - 0xFEE0 for i in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_FULLWIDTH.update({0xFFE5: ord("¥"), 0xFF05: ord("%"), 0xFF04: ord("$"), 0xFF0B: ord("+"), 0xFF0D: ord("-"),
                   0xFF0E: ord("."), 0xFF0F: ord("/"), 0xFF5E: ord("~"), 0x301C: ord("~"), 0x2013: ord("-"),
                   0x00A0: ord(" "), 0x3000: ord(" ")})

# --- conditions on policy facts ---------------------------------------------------------------------
_CONDITIONS: dict[str, re.Pattern[str]] = {
    "member": re.compile(r"会员|(?i:\bmembers?(?:hip)?\b|loyalty|rewards\s+program)"),
    "first_order": re.compile(r"首单|新客|新人|新用户|(?i:first\s+order|new\s+customers?)"),
    "birthday": re.compile(r"生日|(?i:birthday)"),
    "referral": re.compile(r"邀请|推荐好友|(?i:refer(?:red|ral)?\b|a\s+friend)"),
    "cutoff": re.compile(
        r"\d{1,2}(?:[:：]\d{2}|点)\s*(?:前|以前)|(?i:(?:placed|order(?:ed)?)\s+(?:by|before)\s+(?:\d|noon|midday)|"
        r"usually|typically)|一般"
    ),
    "defect": re.compile(r"质量问题|(?i:damaged|defective|our\s+mistake|wrong\s+item)"),
    "medical": re.compile(r"就诊|医院|诊断|(?i:doctor|medical)"),
}
_NEGATION = re.compile(
    r"不支持|不提供|不参与|不享受|不适用|不包邮|不退|不可|不能|无法|暂不|不再|不予|未满|不满足|不计|由买家承担|买家承担|购买了?运费险|"
    r"(?i:\b(?:not|no|never|cannot)\b|n't\b|aren't|isn't)"
)
_POSITIVE_NO = re.compile(r"(?i:not\s+counting|not\s+including|no[- ]questions[- ]asked|no\s+extra\s+(?:charge|cost)|"
                          r"at\s+no\s+(?:extra\s+)?(?:charge|cost)|"
                          r"no\s+additional|no\s+minimum|don't\s+need\s+to\s+(?:send|return)|no\s+need)")
_UNCONDITIONAL = re.compile(r"不限金额|全场包邮|全国包邮|(?i:every\s+order|all\s+orders|any\s+order|no\s+minimum)")
_THRESHOLD_CUE = re.compile(
    rf"(?:满|(?i:orders?\s+(?:of|over|above)|over|above|at\s+least|kicks\s+in\s+at))\s*(?P<m>{_MONEY})|"
    rf"(?P<m2>{_money_re('q')})\s*(?:以上|起|\+|(?i:or\s+more|and\s+up|free[- ]shipping\s+threshold))"
)
_TOPIC_KEYS: dict[str, re.Pattern[str]] = {
    "free_shipping": re.compile(r"包邮|免运费|免邮|(?i:free[- ](?:standard\s+)?(?:shipping|delivery)|ships?\s+free|"
                                r"free\s+on\s+orders)"),
    "no_reason_returns": re.compile(r"无理由"),
    "returns": re.compile(r"退货|退换|(?i:\breturns?\b|\breturnable\b)"),
    "free_returns": re.compile(r"运费险|退货包运费|免费退换|(?i:free\s+returns?|return\s+labels?\s+(?:are|is)\s+free)"),
    "dispatch": re.compile(r"发货|发出|(?i:\bships?\b|\bshipped\b|dispatch\w*|processing|leave\s+the\s+same\s+day)"),
    "delivery": re.compile(r"送达|到货|次日达|(?i:\bdeliver(?:y|ed)\b(?!\s+date)|\barriv\w+)"),
    "authentic": re.compile(r"正品|(?i:authentic\w*|genuine)"),
    "price_protection": re.compile(r"保价|价保|价格保护|(?i:price\s+(?:protection|match|adjustment|guarantee))"),
    "warranty": re.compile(r"保修|质保|(?i:warrant\w*)"),
    "money_back": re.compile(r"退款保证|无效退款|不满意.{0,6}退款|(?i:money[- ]back|satisfaction\s+guarantee)"),
    "breakage": re.compile(r"破损|漏液|错发|漏发|(?i:damaged|defective|broken|wrong\s+item)"),
    "quality": re.compile(r"质量问题"),
}
_WINDOW_ANCHOR = re.compile(r"(?i:(?:of|after|from)\s+delivery)|签收")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(?P<h>.+?)\s*#*\s*$")
_CLAUSE_SPLIT = re.compile(r"[。！？!?；;\n]+|(?<=[a-z0-9)\]*])\.\s+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_SPACES = re.compile(r"[\s-]+")
_UNIT_AHEAD = re.compile(rf"\s*(?:{_UNIT_ALT}|元)")
_NOT_MONEY_AHEAD = re.compile(rf"\s*(?:%|折|[A-Za-z]|{_UNIT_ALT})")
_BEFORE_WORD = re.compile(r"(?i:before)\s*$")
_DIGITS_DOT = re.compile(r"[\d.]+")
_KEY_UNIT = re.compile(r"[(（]\s*([^()（）]+?)\s*[)）]\s*$")
_TABLE_RULE = re.compile(r":?-{2,}:?")
_MEMBER_POLICY = re.compile(r"member|loyal|会员|reward", re.IGNORECASE)
_DELIVERY_WORDS = re.compile(r"送达|到货|(?i:deliver(?:y|ed)\s+in)")
_SAME_DAY = re.compile(r"当天|当日|(?i:same\s+day)")
_NEXT_DAY = re.compile(r"次日|(?i:next\s+(?P<b>business\s+)?day)")
_NO_AMOUNT = re.compile(r"[^\d$¥]*")
_AUTHENTIC_TIMES = re.compile(rf"(?P<n>{_DIG}|{_CNN})\s*倍(?:赔偿|赔付)|假一(?:赔|罚)(?P<n2>{_CNN}|\d+)")
_NAME_SPLIT = re.compile(r"[\s,，()（）/|·]+")
_NAME_WORD = re.compile(r"[a-z][a-z'-]+")
_EDITION_WORDS = re.compile(r"限量|限定|(?i:limited[- ](?:edition|release))")
_LATIN4 = re.compile(r"[a-z]{4,}")
_LATIN3 = re.compile(r"[a-z]{3,}")
_ZH_DATE_HEAD = re.compile(r"^(?:\d{4}\s*年\s*)?\S+?\s*月\s*\S+?\s*([日号])")
_EN_DATE_HEAD = re.compile(r"^(?i:[A-Za-z]+\.?)\s+\d{1,2}(?:st|nd|rd|th)?")
_EN_SHORT_MONTH = re.compile(r"[A-Za-z]{3}\.?\s")
_SLASH_DATE_HEAD = re.compile(r"^\d{1,2}/\d{1,2}")
_ISO_DATE_HEAD = re.compile(r"^\d{4}([-/.])\d{1,2}\1\d{1,2}")


# =====================================================================================================
# Extraction
# =====================================================================================================


class _Taken:
    """Spans already claimed, so a later, less specific pattern cannot claim part of them again."""

    def __init__(self, masked: Iterable[tuple[int, int]] = ()) -> None:
        self.spans: list[tuple[int, int]] = list(masked)

    def free(self, start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in self.spans)

    def take(self, start: int, end: int) -> None:
        self.spans.append((start, end))


def _normalise(text: str) -> str:
    """Full-width digits, letters and symbols to ASCII and Markdown bold to spaces, one character for one, so spans
    stay valid."""
    return text.translate(_FULLWIDTH).replace("**", "  ")


def _qualifier(word: str | None) -> str | None:
    if not word:
        return None
    key = _SPACES.sub(" ", word.strip().lower()).replace("approx ", "approx")
    for name, words in _QUALIFIERS.items():
        if key in words:
            return name
    return None


def _unit_of(matched: str, locale: Locale) -> str | None:
    for pattern, unit in _UNIT_RES:
        if pattern.fullmatch(matched.strip()):
            if unit == "°":
                return "°C" if locale == "zh-CN" or matched.strip() == "度" else "°F"
            return unit
    return None


def _claim(kind: str, text: str, where: re.Match[str] | tuple[int, int], value: Value, *, unit: str | None = None,
           topic: str | None = None, upper: Decimal | None = None, threshold: Decimal | None = None,
           qualifier: str | None = None, context: str | None = None, precision: Decimal | None = None,
           parts: Iterable[tuple[int, int]] = ()) -> Claim:
    """A claim over `where` (a match or a span) of `text`; `parts` are absolute spans, stored relative to it."""
    start, end = where if isinstance(where, tuple) else where.span()
    return Claim(kind=kind, text=text[start:end], span=(start, end), value=value, unit=unit, topic=topic, upper=upper,
                 threshold=threshold, qualifier=qualifier, context=context, precision=precision,
                 parts=tuple((a - start, b - start) for a, b in parts))


def _quantities(text: str, locale: Locale, taken: _Taken, *, facts: bool = False) -> Iterator[Claim]:
    """Numbers with units (see UNIT_NOTE). With `facts`, every quantity, since sources state facts, not claims."""
    for match in _SPF_RE.finditer(text):
        if taken.free(*match.span()):
            taken.take(*match.span())
            spf = "SPF+" if match.group("plus") else "SPF"
            yield _claim("number", text, match, Decimal(match.group("n")), unit=spf, parts=(match.span("n"),))
    for match in _PA_RE.finditer(text):
        if taken.free(*match.span()):
            taken.take(*match.span())
            yield _claim("number", text, match, Decimal(len(match.group("p"))), unit="PA")
    for match in _QTY_RE.finditer(text):
        start, end = match.span()
        if match.group("q"):
            start = match.start("q")
        if not taken.free(start, end):
            # the qualifier may overlap an earlier claim; retry on the number alone
            start = match.start("n")
            if not taken.free(start, end):
                continue
        unit = _unit_of(match.group("u"), locale)
        value = parse_number(match.group("n"))
        if unit is None or value is None:
            continue
        upper = parse_number(match.group("n2")) if match.group("n2") else None
        before = text[max(0, match.start("n") - 12):match.start("n")]
        if match.group("adj") and match.group("adj") != "个" and unit not in _COUNT_UNITS:
            continue
        if _ORDINAL_BEFORE.search(before):
            continue
        if not facts:
            word = match.group("n").strip().lower()
            if upper is None and (word in _ONE_WORDS or (value == 1 and unit in _COUNT_UNITS)):
                continue
            if unit in _COUNT_UNITS and _PURCHASE_BEFORE.search(before):
                continue
            if unit == "year" and value >= 1900:
                continue
            if unit == "people" and value < 100 and "万" not in match.group("n"):
                continue
        qualifier = _qualifier(match.group("q")) or _qualifier(match.group("qs"))
        if match.group("plus"):
            qualifier = "min"
        taken.take(start, end)
        yield _claim("number", text, (start, end), value, unit=unit, upper=upper, qualifier=qualifier,
                     parts=(match.span("n"), *((match.span("n2"),) if upper is not None else ())))


def _year_for(month: int, day: int, years: Sequence[int]) -> list[dt.date]:
    found = []
    for year in years:
        try:
            found.append(dt.date(year, month, day))
        except ValueError:
            continue
    return found


def _date_context(text: str, start: int, end: int, after: str | None) -> str | None:
    before = text[max(0, start - 16):start]
    if after and after.strip() in {"前", "之前", "以前"}:
        return "deadline_excl"
    if after and after.strip():
        return "deadline" if after.strip() in {"截止", "结束", "为止", "止"} else None
    if _BEFORE_WORD.search(before):
        return "deadline_excl"
    if _DEADLINE_BEFORE.search(before):
        return "deadline"
    if _START_BEFORE.search(before) or _START_AFTER.match(text[end:end + 4]):
        return "start"
    return None


def _md(month: str, day: str) -> tuple[int, int] | None:
    m, d = parse_number(month), parse_number(day)
    if m is None or d is None or not (1 <= m <= 12 and 1 <= d <= 31):
        return None
    return int(m), int(d)


def _dates(text: str, taken: _Taken) -> Iterator[Claim]:
    """Calendar dates, date ranges, shopping festivals and relative urgency ("today only", 最后3天)."""
    for pattern, key in _EVENT_RES:
        for match in pattern.finditer(text):
            if taken.free(*match.span()):
                taken.take(*match.span())
                yield _claim("date", text, match, key, topic="event")
    found: list[tuple[re.Match[str], tuple[int, int], tuple[int, int] | None, int | None, str]] = []
    for match in _DATE_ZH.finditer(text):
        first = _md(match.group("m"), match.group("d"))
        second = _md(match.group("m2") or match.group("m"), match.group("d2")) if match.group("d2") else None
        if first:
            year = int(match.group("y")) if match.group("y") else None
            found.append((match, first, second, year, "zh"))
    for match in _DATE_ISO.finditer(text):
        first = _md(match.group("m"), match.group("d"))
        if first:
            found.append((match, first, None, int(match.group("y")), "iso"))
    for match in _DATE_EN.finditer(text):
        mon = match.group("mon") or match.group("mon3")
        if mon.lower().startswith("may") and mon[0] != "M":
            continue  # the verb, not the month
        month = _MONTHS[mon[:3].lower()]
        day = match.group("d") or match.group("d3")
        first = _md(str(month), day)
        second = None
        if match.group("d2"):
            month2 = _MONTHS[match.group("mon2")[:3].lower()] if match.group("mon2") else month
            second = _md(str(month2), match.group("d2"))
        en_year = match.group("y") or match.group("y3")
        if first:
            found.append((match, first, second, int(en_year) if en_year else None, "en"))
    for match in _DATE_SLASH.finditer(text):
        first = _md(match.group("m"), match.group("d"))
        if not first or _UNIT_AHEAD.match(text[match.end():match.end() + 8]):
            continue
        second = _md(match.group("m2"), match.group("d2")) if match.group("m2") else None
        slash_year = match.group("y")
        found.append((match, first, second,
                      (int(slash_year) + (2000 if len(slash_year) == 2 else 0)) if slash_year else None, "slash"))
    for match in _DATE_DOT.finditer(text):
        first = _md(match.group("m"), match.group("d"))
        context_ok = bool(match.group("after")) or bool(
            _DATE_DOT_BEFORE.search(text[max(0, match.start() - 8):match.start()])
        )
        if not first or not context_ok or _UNIT_AHEAD.match(text[match.end():match.end() + 6]):
            continue
        second = _md(match.group("m2"), match.group("d2")) if match.group("m2") else None
        found.append((match, first, second, None, "dot"))
    for match, first, second, year, style in found:
        start, end = match.span()
        if not taken.free(start, end):
            continue
        taken.take(start, end)
        after = match.groupdict().get("after")
        context = "range" if second else _date_context(text, start, end, after)
        if context is None and first in _HOLIDAYS:
            continue
        value = f"{first[0]:02d}-{first[1]:02d}" if year is None else f"{year:04d}-{first[0]:02d}-{first[1]:02d}"
        upper_text = None if second is None else f"{second[0]:02d}-{second[1]:02d}"
        yield Claim(kind="date", text=text[start:end], span=(start, end), value=value, topic=style, context=context,
                    unit=upper_text)
    for pattern, key in _RELATIVE_RES:
        for match in pattern.finditer(text):
            if not taken.free(*match.span()):
                continue
            number = _first(match, "n")
            amount: Decimal | None = None
            rel_unit = None
            if number:
                amount = parse_number(match.group(number))
                unit_group = _first(match, "u")
                raw = match.group(unit_group) if unit_group else ""
                rel_unit = "h" if ("时" in raw or raw.lower().startswith("hour")) else "day"
            taken.take(*match.span())
            yield _claim("date", text, match, amount, unit=rel_unit, topic=key, context="relative",
                         parts=((match.span(number),) if number else ()))


def _first(match: re.Match[str], base: str) -> str | None:
    """The name of the first group called `base` or `base<digits>` that matched."""
    for name, value in match.groupdict().items():
        if value is not None and name.rstrip("0123456789") == base:
            return name
    return None


def _promises(text: str, taken: _Taken) -> Iterator[Claim]:
    for pattern, topic in _PROMISE_RES:
        for match in pattern.finditer(text):
            if not match.group(0).strip() or not taken.free(*match.span()):
                continue
            value: Decimal | None = None
            upper: Decimal | None = None
            unit: str | None = None
            parts: list[tuple[int, int]] = []
            number = _first(match, "n")
            if number and _ORDINAL_BEFORE.search(text[max(0, match.start(number) - 4):match.start(number)]):
                continue
            if number:
                value = parse_number(match.group(number))
                parts.append(match.span(number))
                upper_group = "r" + number[1:]
                if match.groupdict().get(upper_group):
                    upper = parse_number(match.group(upper_group))
                    parts.append(match.span(upper_group))
                unit_group = _first(match, "u")
                unit = _promise_unit(match.group(unit_group) if unit_group else "", topic)
            same_day = _first(match, "sd")
            if same_day:
                word = match.group(same_day).lower()
                value, unit = (Decimal(0) if word in {"当天", "当日", "今日", "same-day", "same day", "today"}
                               else Decimal(24)), "h"
            if match.groupdict().get("life"):
                value, unit = Decimal(100), "year"
            threshold = None
            if match.groupdict().get("t"):
                threshold = parse_number(match.group("t"))
                parts.append(match.span("t"))
            for tag, group in (("t", "thr"), ("u", "tm2")):
                if match.groupdict().get(group):
                    money = _money_of(match, tag)
                    if money:
                        threshold = money[0]
                        parts.append(money[2])
            obj_group = _first(match, "obj")
            obj = match.group(obj_group).strip() if obj_group else None
            taken.take(*match.span())
            yield _claim("promise", text, match, obj if topic == "gift" else value, unit=unit, topic=topic,
                         upper=upper, threshold=threshold, parts=tuple(parts))


def _promise_unit(raw: str, topic: str) -> str:
    raw = raw.strip().lower()
    if not raw:
        return "x" if topic == "authentic" else "day"
    if "工作日" in raw or "business" in raw or "working" in raw:
        return "business_day"
    if "时" in raw or raw.startswith("hour"):
        return "h"
    if "月" in raw or raw.startswith("month"):
        return "month"
    if "年" in raw or raw.startswith("year"):
        return "year"
    return "day"


def _zhe_to_percent_off(raw: str) -> tuple[Decimal, Decimal] | None:
    """8折 -> (20, 10), 8.5折 / 85折 / 八五折 -> (15, 1): percent off and the precision the copy states it at."""
    number = parse_number(raw.replace("点", "."))  if _DIGITS_DOT.fullmatch(raw) else chinese_number(raw)
    if number is None:
        return None
    if number >= 10 and number == number.to_integral_value() and number < 100:
        number = number / 10
    if not 0 < number < 10:
        return None
    precision = Decimal(10) if number == number.to_integral_value() else Decimal(1)
    return (Decimal(10) - number) * 10, precision


def _discounts(text: str, taken: _Taken) -> Iterator[Claim]:
    for pattern, topic in _DISCOUNT_RES:
        for match in pattern.finditer(text):
            if not taken.free(*match.span()):
                continue
            groups = match.groupdict()
            claim: Claim | None = None
            if topic == "threshold":
                if groups.get("t") or groups.get("t2"):
                    t_key, a_key = ("t", "a") if groups.get("t") else ("t2", "a2")
                    t, a = parse_number(match.group(t_key)), parse_number(match.group(a_key))
                    if t is None or a is None:
                        continue
                    claim = _claim("discount", text, match, a, unit="CNY", topic="threshold", threshold=t,
                                   parts=(match.span(t_key), match.span(a_key)))
                else:
                    a_tag, t_tag = ("m", "t") if groups.get("am") else ("w", "v")
                    am, tm = _money_of(match, a_tag), _money_of(match, t_tag)
                    if am is None or tm is None:
                        continue
                    claim = _claim("discount", text, match, am[0], unit=am[1], topic="threshold", threshold=tm[0],
                                   parts=(tm[2], am[2]))
            elif topic == "bogo":
                claim = _claim("discount", text, match, "1+1", topic="buy_x_get_y")
            elif topic == "buy_x_get_y":
                x = parse_number(match.group("x") or match.group("x2"))
                y = parse_number(match.group("y") or match.group("y2"))
                if x is None or y is None:
                    continue
                claim = _claim("discount", text, match, f"{x}+{y}", topic="buy_x_get_y")
            elif topic == "second_half":
                claim = _claim("discount", text, match, "second_half", topic="second_half")
            elif topic == "code":
                claim = _claim("discount", text, match, (match.group("code") or match.group("code2")).upper(),
                               topic="code")
            elif topic == "percent":
                claim = _percent_claim(text, match)
            elif topic == "amount":
                claim = _amount_claim(text, match)
            elif topic == "sale":
                if _NEGATED_BEFORE.search(text[max(0, match.start() - 10):match.start()]):
                    continue
                claim = _claim("discount", text, match, None, topic="sale")
            if claim is not None:
                taken.take(*match.span())
                yield claim


def _percent_claim(text: str, match: re.Match[str]) -> Claim | None:
    groups = match.groupdict()
    upto = (groups.get("zq") == "低至") or (groups.get("pq") or "").lower().startswith("up")
    qualifier = "upto" if upto else None
    if _APPROX_BEFORE.search(text[max(0, match.start() - 12):match.start()]):
        qualifier = "approx"
    if groups.get("z"):
        converted = _zhe_to_percent_off(match.group("z"))
        if converted is None:
            return None
        off, precision = converted
        return _claim("discount", text, match, off, unit="%", topic="percent", precision=precision,
                      qualifier=qualifier, context="zhe", parts=(match.span("z"),))
    for key in ("p", "p2", "p3"):
        if groups.get(key):
            raw = match.group(key)
            off = Decimal(raw)
            decimals = len(raw.split(".")[1]) if "." in raw else 0
            return _claim("discount", text, match, off, unit="%", topic="percent", precision=Decimal(10) ** -decimals,
                          qualifier=qualifier, context="percent", parts=(match.span(key),))
    return _claim("discount", text, match, Decimal(50), unit="%", topic="percent", precision=Decimal(1),
                  context="half")


def _amount_claim(text: str, match: re.Match[str]) -> Claim | None:
    groups = match.groupdict()
    for key in ("a", "a2", "a3"):
        if groups.get(key):
            value = parse_number(match.group(key))
            if value is None or value == 0:
                return None
            money = groups.get("c") or groups.get("c0")
            if key == "a" and not money and _NOT_MONEY_AHEAD.match(text[match.end():match.end() + 6]):
                return None
            topic = "coupon" if key in {"a2", "a3"} else "amount"
            currency = "USD" if (groups.get("c0") or "").startswith("$") else "CNY"
            return _claim("discount", text, match, value, unit=currency if money or key != "a" else None,
                          topic=topic, parts=(match.span(key),))
    for tag, key in (("m", "am"), ("x", "am2"), ("y", "am3"), ("z", "am4"), ("k", "am5")):
        if groups.get(key):
            money = _money_of(match, tag)
            if money is None:
                return None
            return _claim("discount", text, match, money[0], unit=money[1], topic="coupon" if tag == "y" else "amount",
                          parts=(money[2],))
    return None


def _list_prices(text: str, taken: _Taken) -> Iterator[Claim]:
    for index, pattern in enumerate(_LIST_PRICE_RES):
        for match in pattern.finditer(text):
            if not taken.free(*match.span()):
                continue
            money = _money_of(match, "m")
            if money is None:
                bare = match.groupdict().get("bare")
                if not bare:
                    continue
                money = (Decimal(bare.replace(",", "")), None, match.span("bare"))
            taken.take(*match.span())
            kw = (match.groupdict().get("kw") or "").lower()
            topic = "value" if index >= 3 else ("regular" if kw in {"日常价", "正价"} or kw.startswith("regular")
                                                or kw in {"normally", "usually"} else "list")
            yield _claim("list_price", text, match, money[0], unit=money[1], topic=topic, parts=(money[2],))


_PROMO_KW = re.compile(r"到手|券后|活动|促销|秒杀|特价|会员|拼团|团购|预售|低至|降至|(?i:now|sale|just|only)")


def _prices(text: str, taken: _Taken) -> Iterator[Claim]:
    """Money amounts; the claim covers the amount (with a qualifier or per-unit words), not a leading keyword."""
    for pattern in (_PRICE_RE, _PRICE_BARE_RE):
        for match in pattern.finditer(text):
            if pattern is _PRICE_RE:
                money = _money_of(match, "m")
                start = match.start("ms") if match.group("ms") else match.start("mm")
            else:
                bare = parse_number(match.group("bare"))
                money = None if bare is None else (bare, None, match.span("bare"))
                start = match.start("bare")
            if money is None:
                continue
            end = match.end()
            kw = (match.group("kw") or "").strip()
            qualifier = "from" if (match.group("from") or kw == "低至") else None
            before = text[max(0, start - 16):start]
            q = _PRICE_QUAL_BEFORE.search(before)
            if q:
                qualifier = _qualifier(q.group("q")) or qualifier
                start -= len(before) - q.start()
            count = None
            multi = _MULTI_BEFORE.search(text[max(0, start - 24):start])
            if multi and not q:
                count = parse_number(multi.group("n"))
                if count is not None and count >= 2:
                    start = max(0, start - 24) + multi.start()
                else:
                    count = None
            per = _PER_UNIT_AFTER.match(text[end:end + 16])
            per_before = _PER_UNIT_BEFORE.search(text[max(0, start - 10):start])
            unit_word = None
            if per:
                unit_word = per.group("u")
                end += per.end()
            elif per_before:
                unit_word = per_before.group("u")
                start = max(0, start - 10) + per_before.start()
            if not taken.free(start, end):
                continue
            taken.take(start, end)
            context = _unit_of(unit_word, "en-US") or "serving" if unit_word else (
                "promo" if kw and _PROMO_KW.search(kw) else None)
            topic = "per_unit" if unit_word else ("multi" if count else None)
            yield _claim("price", text, (start, end), money[0], unit=money[1], qualifier=qualifier, context=context,
                         topic=topic, upper=count, parts=(money[2],))


def _stock(text: str, taken: _Taken) -> Iterator[Claim]:
    for pattern, topic in _STOCK_RES:
        for match in pattern.finditer(text):
            if not taken.free(*match.span()):
                continue
            groups = match.groupdict()
            key = next((k for k in ("n", "n2", "n3", "n4", "n5") if groups.get(k)), None)
            value: Decimal | None = None
            parts: tuple[tuple[int, int], ...] = ()
            if key:
                value = parse_number(match.group(key))
                if value is None:
                    continue
                parts = (match.span(key),)
            negated = _NEGATED_BEFORE.search(text[max(0, match.start() - 10):match.start()])
            if topic == "available" and (negated or _in_question(text, match.end())):
                continue
            taken.take(*match.span())
            yield _claim("stock", text, match, value, unit="item" if key else None, topic=topic, parts=parts)
    for match in _FIRST_N.finditer(text):
        if taken.free(*match.span()):
            key = "n" if match.group("n") else "n2"
            value = parse_number(match.group(key))
            if value is not None:
                taken.take(*match.span())
                yield _claim("number", text, match, value, unit="first_n", topic="first_n", parts=(match.span(key),))
    for match in _SOCIAL.finditer(text):
        if taken.free(*match.span()):
            key = next(k for k in ("n", "n2", "n3", "n4") if match.group(k))
            value = parse_number(match.group(key))
            if value is None:
                continue
            taken.take(*match.span())
            yield _claim("number", text, match, value, unit="sales", topic="social", parts=(match.span(key),))


def _in_question(text: str, position: int) -> bool:
    """Whether the sentence around `position` is a question ("When will it be back in stock?")."""
    after = _SENTENCE_END.search(text, position)
    return after is not None and after.group(0) in {"?", "？"}


def _mask_spans(text: str, names: Sequence[str]) -> list[tuple[int, int]]:
    spans = [m.span() for m in _MASKS.finditer(text)]
    lowered = text.lower()
    for name in names:
        if not name:
            continue
        start = lowered.find(name.lower())
        while start >= 0:
            spans.append((start, start + len(name)))
            start = lowered.find(name.lower(), start + len(name))
    return spans


def _extract(text: str, locale: Locale, names: Sequence[str] = (), *, facts: bool = False) -> list[Claim]:
    return list(_extract_cached(text, locale, tuple(names), facts))


@functools.lru_cache(maxsize=4096)
def _extract_cached(text: str, locale: Locale, names: tuple[str, ...], facts: bool) -> tuple[Claim, ...]:
    norm = _normalise(text)
    taken = _Taken(_mask_spans(norm, names))
    claims: list[Claim] = []
    claims.extend(_dates(norm, taken))
    claims.extend(_promises(norm, taken))
    claims.extend(_discounts(norm, taken))
    claims.extend(_list_prices(norm, taken))
    claims.extend(_stock(norm, taken))
    claims.extend(_prices(norm, taken))
    claims.extend(_quantities(norm, locale, taken, facts=facts))
    out = [dataclasses.replace(c, text=text[c.span[0]:c.span[1]]) for c in claims]  # the original characters
    return tuple(sorted(out, key=lambda c: c.span))


def extract_claims(text: str, locale: Locale) -> list[Claim]:
    """Every checkable claim in `text`, in order: prices, list prices, discounts, numbers, dates, stock, promises."""
    return _extract(text, locale)


# =====================================================================================================
# The fact sheet
# =====================================================================================================


def _guess_locale(text: str) -> Locale:
    return "zh-CN" if _CJK.search(text) else "en-US"


def _product_texts(product: Product) -> Iterator[tuple[str, str]]:
    yield "name", product.name
    yield "description", product.description
    for key, value in product.attributes.items():
        yield f"attributes.{key}", f"{key}: {value}"
    for key, value in product.specs.items():
        yield f"specs.{key}", f"{key}: {value}"
    for i, point in enumerate(product.selling_points):
        yield f"selling_points[{i}]", point
    for i, item in enumerate(product.ingredients):
        yield f"ingredients[{i}]", item
    for i, faq in enumerate(product.faqs):
        yield f"faqs[{i}]", f"{faq.question} {faq.answer}"
    for i, tag in enumerate(product.tags):
        yield f"tags[{i}]", tag


def _key_unit(key: str) -> str | None:
    match = _KEY_UNIT.search(key)
    return _unit_of(match.group(1), _guess_locale(key)) if match else None


def _number_facts(text: str, source: str, sku: str | None = None) -> Iterator[Fact]:
    locale = _guess_locale(text)
    for claim in _extract(text, locale, facts=True):
        if claim.kind == "number" and isinstance(claim.value, Decimal):
            yield Fact("number", claim.value, claim.unit, source, topic=claim.topic, sku=sku, upper=claim.upper,
                       approx=claim.qualifier in {"approx", "min", "upto"}, text=text[:160])
            if claim.upper is not None:
                yield Fact("number", claim.upper, claim.unit, source, topic=claim.topic, sku=sku, text=text[:160])


def _clauses(text: str) -> Iterator[tuple[str, str]]:
    """(clause, heading) pairs of a Markdown policy; a table row becomes one 'row header: cell' clause per cell."""
    heading = ""
    header: list[str] = []
    for raw in text.replace("**", "").replace("__", "").splitlines():
        line = raw.strip()
        if not line:
            header = []
            continue
        head = _HEADING.match(line)
        if head:
            heading = head.group("h")
            header = []
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if all(_TABLE_RULE.fullmatch(c) for c in cells if c):
                continue
            if not header:
                header = cells
                continue
            row = cells[0] if cells else ""
            for title, cell in zip(header[1:], cells[1:], strict=False):
                yield f"{row} {title}: {cell}", heading
            continue
        header = []
        for clause in _CLAUSE_SPLIT.split(line.lstrip("-*0123456789. ")):
            if clause.strip():
                yield clause.strip(), heading


def _conditions(text: str) -> frozenset[str]:
    return frozenset(key for key, pattern in _CONDITIONS.items() if pattern.search(text))


@functools.lru_cache(maxsize=64)
def _policy_facts(text: str, name: str) -> tuple[Fact, ...]:
    """The facts of one policy file (cached: a kit's policies are read for every sheet)."""
    return tuple(_promise_facts(text, f"policy:{name}", name))


def _promise_facts(text: str, source: str, policy_name: str) -> Iterator[Fact]:
    """Promise, discount and number facts of one policy text, clause by clause."""
    default_conditions = {"member"} if _MEMBER_POLICY.search(policy_name) else set()
    for clause, context in _clauses(text):
        if _NEGATION.search(_POSITIVE_NO.sub("", clause)):
            continue
        conditions = frozenset(default_conditions | _conditions(clause))
        locale = _guess_locale(clause)
        claims = _extract(clause, locale, facts=True)
        for claim in claims:
            if claim.kind == "number" and isinstance(claim.value, Decimal):
                yield Fact("number", claim.value, claim.unit, source, sku=None, upper=claim.upper,
                           approx=claim.qualifier is not None, conditions=conditions, text=clause)
                if claim.upper is not None:
                    yield Fact("number", claim.upper, claim.unit, source, conditions=conditions, text=clause)
            elif claim.kind == "discount" and claim.topic != "sale":
                yield Fact("discount", claim.value, claim.unit, source, topic=claim.topic, threshold=claim.threshold,
                           conditions=conditions, text=clause)
            elif claim.kind == "promise" and not (claim.topic == "free_shipping" and claim.threshold is None):
                yield _promise_fact(claim, source, conditions, clause)
        yield from _topic_facts(clause, context, claims, source, conditions)


def _promise_fact(claim: Claim, source: str, conditions: frozenset[str], text: str) -> Fact:
    value = claim.value if isinstance(claim.value, (Decimal, str)) else None
    return Fact("promise", value, claim.unit, source, topic=claim.topic, upper=claim.upper, threshold=claim.threshold,
                conditions=conditions, text=text)


def _topic_facts(clause: str, context: str, claims: Sequence[Claim], source: str,
                 conditions: frozenset[str]) -> Iterator[Fact]:
    """Promises a policy states in its own words: topic keywords in the clause (or its heading) plus its numbers."""
    times = [c for c in claims if c.kind == "number" and c.unit in _TIME_UNITS | {"x"}]
    topics = {t for t, pattern in _TOPIC_KEYS.items() if pattern.search(clause)}
    if not topics and times:  # "付款后 7 天内…" under the heading 价格保护
        topics = {t for t, pattern in _TOPIC_KEYS.items() if pattern.search(context)} - {"free_shipping"}
    if topics & {"breakage", "quality"}:
        topics -= {"returns", "no_reason_returns", "dispatch", "free_shipping"}
    if "delivery" in topics:
        topics.discard("dispatch")  # "delivery after shipping: 3-6 days" is about delivery
    if "delivery" in topics and _WINDOW_ANCHOR.search(clause) and not _DELIVERY_WORDS.search(
        _WINDOW_ANCHOR.sub("", clause)
    ):
        topics.discard("delivery")
    same_day = _SAME_DAY.search(clause)
    next_day = _NEXT_DAY.search(clause)
    for topic in sorted(topics):
        if topic == "free_shipping":
            cues = list(_THRESHOLD_CUE.finditer(clause))
            for cue in cues:
                money = _money_of(cue, "m") or _money_of(cue, "q")
                if money:
                    yield Fact("promise", None, None, source, topic=topic, threshold=money[0], conditions=conditions,
                               text=clause)
            if not cues and (_UNCONDITIONAL.search(clause) or _NO_AMOUNT.fullmatch(clause)):
                yield Fact("promise", None, None, source, topic=topic, conditions=conditions, text=clause)
            continue
        yield Fact("promise", None, None, source, topic=topic, conditions=conditions, text=clause)
        for claim in times:
            if (topic == "authentic") != (claim.unit == "x"):
                continue
            assert isinstance(claim.value, Decimal)
            yield Fact("promise", claim.value, claim.unit, source, topic=topic, upper=claim.upper,
                       conditions=conditions, text=clause)
        if topic in _FASTER_IS_BETTER and same_day:
            yield Fact("promise", Decimal(0), "h", source, topic=topic, conditions=conditions, text=clause)
        if topic in _FASTER_IS_BETTER and next_day:
            value, unit = (Decimal(1), "business_day") if next_day.group("b") else (Decimal(24), "h")
            yield Fact("promise", value, unit, source, topic=topic, conditions=conditions, text=clause)
    authentic = _AUTHENTIC_TIMES.search(clause)
    if authentic:
        multiple = parse_number(authentic.group("n") or authentic.group("n2"))
        if multiple is not None:
            yield Fact("promise", multiple, "x", source, topic="authentic", conditions=conditions, text=clause)


class FactSheet:
    """Everything that copy may state about a set of products under a brief and a brand kit's policies.

    Build one with `build`; `occasion` holds the brief's own words for its event (occasion, key message, promotion
    name), against which festival names such as 双11 or Black Friday are matched. For the tightest check build one
    sheet per product: prices and specs of every product in the sheet count for copy that names none.
    """

    def __init__(self, facts: Iterable[Fact], *, products: Sequence[Product] = (), promotion: Promotion | None = None,
                 today: dt.date | None = None, occasion: str = "") -> None:
        self._facts = tuple(dict.fromkeys(facts))
        self.products = tuple(products)
        self.promotion = promotion
        self.today = today or dt.date.today()
        self.occasion = occasion
        self._by_kind: dict[str, list[Fact]] = {}
        for fact in self._facts:
            self._by_kind.setdefault(fact.kind, []).append(fact)

    @classmethod
    def build(cls, products: Sequence[Product], *, brief: Brief | None = None,
              policies: Mapping[str, str] | None = None, brand: BrandKit | None = None,
              today: dt.date | None = None) -> FactSheet:
        """Collect the facts: catalog fields, the brief's promotion and texts (with derived prices and discounts),
        the policies (read from the kit when `policies` is None and the kit was loaded from a folder) and the brand
        description. `today` (default: the system date) dates relative claims such as "today only" and 最后3天."""
        facts: list[Fact] = []
        promotion = brief.promotion if brief else None
        for product in products:
            facts.extend(_catalog_facts(product))
        if promotion is not None:
            facts.extend(_promotion_facts(promotion, products))
        for product in products:
            facts.extend(_derived_facts(product, promotion))
        if brief is not None:
            for name, text in (("occasion", brief.occasion), ("key_message", brief.key_message),
                               ("promotion.name", promotion.name if promotion else None),
                               ("promotion.gift", promotion.gift if promotion else None)):
                if text:
                    facts.extend(_brief_text_facts(text, f"brief:{name}"))
        if policies is None and brand is not None:
            policies = _kit_policies(brand)
        for name, text in (policies or {}).items():
            facts.extend(_policy_facts(text, name))
        if brand is not None and brand.description:
            facts.extend(_number_facts(brand.description, "brand:description"))
        occasion = " ".join(t for t in (brief.occasion if brief else None, brief.key_message if brief else None,
                                        promotion.name if promotion else None) if t)
        return cls(facts, products=products, promotion=promotion, today=today, occasion=occasion)

    def describe(self) -> list[Fact]:
        """Every fact, grouped by kind then source."""
        order = ["price", "list_price", "discount", "number", "date", "stock", "promise", "statement"]
        return sorted(self._facts, key=lambda f: (order.index(f.kind) if f.kind in order else 99, f.source))

    def facts(self, kind: str, topic: str | None = None) -> list[Fact]:
        return [f for f in self._by_kind.get(kind, []) if topic is None or f.topic == topic]

    def product(self, sku: str | None) -> Product | None:
        return next((p for p in self.products if p.sku == sku), None)

    def mentions(self, text: str) -> list[tuple[int, int, Product]]:
        """Where `text` names a product of the sheet: full name, SKU or a distinctive part of the name."""
        lowered = _normalise(text).lower()
        found = [(a, b, p) for p in self.products for a, b in _mention_spans(lowered, p)]
        return sorted(found, key=lambda m: (m[0], -m[1]))

    def subjects(self, text: str) -> list[Product]:
        """The products a text is about: those it names; the only product when it names none."""
        found = list({m[2].sku: m[2] for m in self.mentions(text)}.values())
        if found:
            return found
        return list(self.products) if len(self.products) == 1 else []

    def about(self, text: str, span: tuple[int, int], mentions: Sequence[tuple[int, int, Product]]) -> list[Product]:
        """The products a claim at `span` is about: the product named last before it in its sentence (else first
        after it), else every product the text names, else the only product; empty means the whole sheet."""
        start, end = _sentence(text, span)
        before = [m for m in mentions if start <= m[0] and m[1] <= span[0]]
        if before:
            return [before[-1][2]]
        after = [m for m in mentions if span[1] <= m[0] and m[1] <= end]
        if after:
            return [after[0][2]]
        if mentions:
            return list({m[2].sku: m[2] for m in mentions}.values())
        return list(self.products) if len(self.products) == 1 else []

    def names(self) -> list[str]:
        return sorted({p.name for p in self.products} | {p.sku for p in self.products}, key=len, reverse=True)


def _kit_policies(brand: BrandKit) -> dict[str, str]:
    from contentgen.domain.loaders import load_policies

    try:
        brand.root  # noqa: B018 - raises when the kit was not loaded from a folder
    except RuntimeError:
        return {}
    return load_policies(brand)


_GENERIC_NAME_WORDS = frozenset(
    {"tea", "teas", "black", "green", "white", "oolong", "the", "and", "of", "with", "for", "set", "gift", "kit",
     "oz", "g", "ml", "tin", "box", "pack"}
)


def _mention_spans(lowered: str, product: Product) -> list[tuple[int, int]]:
    name = product.name.lower()
    needles = [name, product.sku.lower()]
    needles += [c for c in _NAME_SPLIT.split(name) if _CJK.search(c) and len(c) >= 4]
    words = _NAME_WORD.findall(name)
    needles += [f"{a} {b}" for a, b in itertools.pairwise(words) if not {a, b} <= _GENERIC_NAME_WORDS]
    spans = []
    for needle in needles:
        start = lowered.find(needle)
        while start >= 0:
            spans.append((start, start + len(needle)))
            start = lowered.find(needle, start + 1)
    return spans


_SENTENCE_END = re.compile(r"[。！？!?；;\n]|\.(?:\s|$)")


def _sentence(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The sentence around `span`."""
    start = 0
    for match in _SENTENCE_END.finditer(text, 0, span[0]):
        start = match.end()
    after = _SENTENCE_END.search(text, span[1])
    return start, after.start() if after else len(text)


def _catalog_facts(product: Product) -> Iterator[Fact]:
    sku, cur = product.sku, product.currency
    yield Fact("price", product.price, cur, f"catalog:{sku}.price", sku=sku)
    if product.list_price is not None:
        yield Fact("list_price", product.list_price, cur, f"catalog:{sku}.list_price", sku=sku)
    yield Fact("stock", Decimal(product.stock), "item", f"catalog:{sku}.stock", sku=sku)
    for path, text in _product_texts(product):
        if not text:
            continue
        yield from _number_facts(text, f"catalog:{sku}.{path}", sku)  # cached: the loop below reuses the claims
        if path.startswith(("specs.", "attributes.")):
            key, _, value = text.partition(": ")
            unit = _key_unit(key)
            number = parse_number(value) if unit else None
            if unit and number is not None:
                yield Fact("number", number, unit, f"catalog:{sku}.{path}", sku=sku, text=text)
        for claim in _extract(text, _guess_locale(text), facts=True):
            if claim.kind in _STATED_KINDS:
                yield _statement(claim, f"catalog:{sku}.{path}", text, sku)
            if claim.kind == "date" and claim.topic in {"zh", "iso", "en", "slash"}:
                yield Fact("date", claim.value, None, f"catalog:{sku}.{path}", topic="catalog", sku=sku, text=text)
            if claim.kind == "stock" and claim.topic == "edition":
                yield Fact("stock", "edition", None, f"catalog:{sku}.{path}", topic="edition", sku=sku, text=text)
    if _EDITION_WORDS.search(" ".join(t for _, t in _product_texts(product))):
        yield Fact("stock", "edition", None, f"catalog:{sku}", topic="edition", sku=sku)


def _promotion_facts(promotion: Promotion, products: Sequence[Product]) -> Iterator[Fact]:
    yield Fact("date", promotion.start, None, "brief:promotion.start", topic="start")
    yield Fact("date", promotion.end, None, "brief:promotion.end", topic="end")
    currencies = {p.currency for p in products}
    currency = currencies.pop() if len(currencies) == 1 else None
    if promotion.discount_percent is not None:
        yield Fact("discount", Decimal(promotion.discount_percent), "%", "brief:promotion.discount_percent",
                   topic="percent")
    if promotion.coupon is not None:
        coupon = promotion.coupon
        yield Fact("discount", coupon.amount, currency, "brief:promotion.coupon",
                   topic="threshold" if coupon.threshold else "amount", threshold=coupon.threshold or None)
        if coupon.code:
            yield Fact("discount", coupon.code.upper(), None, "brief:promotion.coupon.code", topic="code")
    if promotion.free_shipping:
        yield Fact("promise", None, None, "brief:promotion.free_shipping", topic="free_shipping")
    if promotion.gift:
        yield Fact("promise", promotion.gift, None, "brief:promotion.gift", topic="gift", text=promotion.gift)


def _offer_prices(product: Product, promotion: Promotion | None) -> list[tuple[Decimal, str]]:
    """Every price this product may be advertised at, with the source of each."""
    sku = product.sku
    prices = [(product.price, f"catalog:{sku}.price")]
    if promotion is None:
        return prices
    bases = [(product.price, f"catalog:{sku}.price")]
    if sku in promotion.promo_prices:
        promo = promotion.promo_prices[sku]
        prices.append((promo, f"brief:promotion.promo_prices.{sku}"))
        bases.append((promo, f"brief:promotion.promo_prices.{sku}"))
    if promotion.discount_percent is not None and sku not in promotion.promo_prices:
        discounted = _cents(product.price * (100 - promotion.discount_percent) / 100)
        src = f"brief:promotion.discount_percent({promotion.discount_percent}%)×catalog:{sku}.price"
        prices.append((discounted, src))
        bases.append((discounted, src))
    if promotion.coupon is not None:
        coupon = promotion.coupon
        for base, src in bases:
            if base >= coupon.threshold and base - coupon.amount >= 0:
                prices.append((base - coupon.amount, f"{src}−brief:promotion.coupon"))
    return prices


def _multi_prices(product: Product, promotion: Promotion | None, count: Decimal) -> set[Decimal]:
    """Totals for `count` items: count x (price, promo price or percent price), less a coupon the total reaches."""
    bases = [amount for amount, source in _offer_prices(product, promotion) if "coupon" not in source]
    totals = {_cents(base * count) for base in bases}
    if promotion is not None and promotion.coupon is not None:
        coupon = promotion.coupon
        totals |= {total - coupon.amount for total in totals if total >= coupon.threshold}
    return totals


def _derived_facts(product: Product, promotion: Promotion | None) -> Iterator[Fact]:
    sku, cur = product.sku, product.currency
    offers = _offer_prices(product, promotion)
    for price, source in offers[1:]:
        yield Fact("price", price, cur, source, sku=sku)
    references = [(product.price, f"catalog:{sku}.price")]
    if product.list_price is not None:
        references.append((product.list_price, f"catalog:{sku}.list_price"))
    for ref, ref_src in references:
        for price, src in offers:
            if 0 < price < ref:
                off = (ref - price) / ref * 100
                yield Fact("discount", off, "%", f"{ref_src}→{src}", topic="percent_derived", sku=sku)
                yield Fact("discount", ref - price, cur, f"{ref_src}→{src}", topic="amount", sku=sku)


_STATED_KINDS = frozenset({"price", "list_price", "discount", "promise"})


def _statement(claim: Claim, source: str, text: str, sku: str | None = None) -> Fact:
    """A claim found in source text (catalog, brief): it grounds the same claim in a sentence sharing its words."""
    return Fact("statement", claim.value, claim.unit, source, topic=claim.kind, sku=sku, upper=claim.upper,
                threshold=claim.threshold, text=text)


def _stated(claim: Claim, sheet: FactSheet, subjects: Sequence[Product], text: str) -> bool:
    if claim.kind not in _STATED_KINDS or claim.value is None:
        return False
    sentence = text[slice(*_sentence(text, claim.span))]
    return any(
        f.value == claim.value and f.threshold == claim.threshold and _currency_ok(claim.unit, f.unit)
        and _shares_words(sentence, f.text)
        for f in _scoped(sheet.facts("statement", claim.kind), subjects)
    )


def _brief_text_facts(text: str, source: str) -> Iterator[Fact]:
    locale = _guess_locale(text)
    for claim in _extract(text, locale, facts=True):
        if claim.kind in _STATED_KINDS:
            yield _statement(claim, source, text)
        if claim.kind == "discount":
            yield Fact("discount", claim.value, claim.unit, source, topic=claim.topic, threshold=claim.threshold,
                       text=text)
        elif claim.kind == "promise":
            yield _promise_fact(claim, source, frozenset(), text)
        elif claim.kind == "number" and isinstance(claim.value, Decimal):
            yield Fact("number", claim.value, claim.unit, source, upper=claim.upper, text=text)


# =====================================================================================================
# Grounding
# =====================================================================================================


@dataclass
class _Verdict:
    message: str
    suggestion: str | None = None
    severity: Severity = Severity.BLOCK


def _replace(claim: Claim, values: Sequence[str]) -> str | None:
    """The claim's text with its numbers replaced by `values`, right to left."""
    if not claim.parts or len(values) != len(claim.parts):
        return None
    text = claim.text
    for (a, b), value in sorted(zip(claim.parts, values, strict=True), reverse=True):
        text = text[:a] + value + text[b:]
    return text


def _currency_ok(claimed: str | None, actual: str | None) -> bool:
    if claimed is None or actual is None:
        return True
    return claimed == actual or {claimed, actual} <= {"CNY", "JPY"}


def _product_list(products: Sequence[Product], sheet: FactSheet) -> list[Product]:
    return list(products) if products else list(sheet.products)


def _scoped(facts: Sequence[Fact], subjects: Sequence[Product]) -> list[Fact]:
    """Facts of the claim's products (or of no product: brief, policies, brand); all facts when it has none."""
    skus = {p.sku for p in subjects}
    return [f for f in facts if not skus or f.sku is None or f.sku in skus]


def _conditions_met(fact: Fact, text: str) -> bool:
    return all(_CONDITIONS[c].search(text) for c in fact.conditions)


def _check_price(claim: Claim, sheet: FactSheet, subjects: Sequence[Product], text: str) -> _Verdict | None:
    assert isinstance(claim.value, Decimal)
    value = claim.value
    facts = [f for f in _scoped(sheet.facts("price"), subjects)
             if _currency_ok(claim.unit, f.unit) and isinstance(f.value, Decimal)]
    if claim.topic == "multi" and claim.upper is not None:
        for product in _product_list(subjects, sheet):
            if value in _multi_prices(product, sheet.promotion, claim.upper):
                return None
    elif claim.topic == "per_unit":
        for fact in facts:
            assert isinstance(fact.value, Decimal)
            counts = [Decimal(1)] + [n.value for n in sheet.facts("number") if n.sku == fact.sku
                                     and n.unit == claim.context and isinstance(n.value, Decimal) and n.value > 0]
            for count in counts:
                per = fact.value / count
                if _cents(per) == value or (claim.qualifier == "max" and per < value):
                    return None
    else:
        for fact in facts:
            assert isinstance(fact.value, Decimal)
            if fact.value == value:
                return None
            if claim.qualifier == "max" and fact.value < value:
                return None
            if claim.qualifier == "approx" and abs(fact.value - value) <= fact.value * APPROX:
                return None
    pool = _product_list(subjects, sheet)
    candidates = [(p, amount) for p in pool for amount, _ in _offer_prices(p, sheet.promotion)
                  if _currency_ok(claim.unit, p.currency)]
    described = "; ".join(_price_summary(p, sheet) for p in pool[:3]) if pool else "no products in the sheet"
    shown = _money(value, claim.unit) if claim.unit else _fmt(value)
    what = {"per_unit": "per-unit price", "multi": f"price for {_fmt(claim.upper or Decimal(0))}"}.get(
        claim.topic or "", "price")
    message = f"{what} {shown} is not in the catalog or the brief ({described})"
    suggestion = None
    if candidates and claim.topic is None:
        if claim.context != "promo":  # a plain price: suggest the catalog price
            candidates = [(p, p.price) for p, _ in candidates]
        best = min(candidates, key=lambda c: abs(c[1] - value))
        suggestion = _replace(claim, [_fmt(best[1], claim.text[claim.parts[0][0]:claim.parts[0][1]])])
    return _Verdict(message, suggestion)


def _price_summary(product: Product, sheet: FactSheet) -> str:
    offers = _offer_prices(product, sheet.promotion)
    text = f"{product.sku} costs {product.money()}"
    extra = sorted({amount for amount, _ in offers[1:]})
    if extra:
        text += "; promotion: " + ", ".join(product.money(a) for a in extra)
    return text


def _check_list_price(claim: Claim, sheet: FactSheet, subjects: Sequence[Product], text: str) -> _Verdict | None:
    assert isinstance(claim.value, Decimal)
    value = claim.value
    promo_skus = _promoted_skus(sheet)
    for product in _product_list(subjects, sheet):
        if not _currency_ok(claim.unit, product.currency):
            continue
        if product.list_price is not None and product.list_price == value:
            return None
        if product.price == value and (product.sku in promo_skus or claim.topic in {"value", "regular"}):
            return None  # the real price: a reference while a promotion lowers it, the everyday price (日常价) always
    pool = _product_list(subjects, sheet)
    shown = _money(value, claim.unit) if claim.unit else _fmt(value)
    with_list = [p for p in pool if p.list_price is not None]
    label = "reference value" if claim.topic == "value" else "original/list price"
    if with_list:
        held = ", ".join(f"{p.sku} {p.money(p.list_price)}" for p in with_list[:3])
        like = claim.text[claim.parts[0][0]:claim.parts[0][1]]
        best = min(with_list, key=lambda p: abs((p.list_price or Decimal(0)) - value))
        assert best.list_price is not None
        return _Verdict(f"{label} {shown} does not match the catalog list price ({held})",
                        _replace(claim, [_fmt(best.list_price, like)]))
    names = ", ".join(p.sku for p in pool[:3]) or "no product in the sheet"
    return _Verdict(f"{label} {shown} cannot be stated: {names} has no list price in the catalog "
                    "(a reference price must be a real earlier price); remove it")


def _promoted_skus(sheet: FactSheet) -> set[str]:
    promotion = sheet.promotion
    if promotion is None:
        return set()
    if promotion.discount_percent is not None or promotion.coupon is not None:
        return {p.sku for p in sheet.products}
    return set(promotion.promo_prices)


def _check_discount(claim: Claim, sheet: FactSheet, subjects: Sequence[Product], text: str) -> _Verdict | None:
    facts = [f for f in _scoped(sheet.facts("discount"), subjects) if _conditions_met(f, text)]
    topic = claim.topic
    if topic == "sale":
        if facts or any(p.on_sale for p in _product_list(subjects, sheet)):
            return None
        return _Verdict("sale/discount wording, but neither the brief nor the catalog has a discount")
    if topic == "code":
        codes = [str(f.value) for f in facts if f.topic == "code"]
        if claim.value in codes:
            return None
        return _Verdict(f"code {claim.value} is not the brief's coupon code ({', '.join(codes) or 'none'})",
                        _replace_code(claim, codes))
    if topic in {"buy_x_get_y", "second_half"}:
        if any(f.topic == topic and f.value == claim.value for f in facts):
            return None
        return _Verdict(f"offer '{claim.text}' is not in the brief's promotion")
    if topic == "percent":
        return _check_percent(claim, facts)
    assert isinstance(claim.value, Decimal)
    value = claim.value
    if topic == "threshold":
        for fact in facts:
            if (fact.topic == "threshold" and fact.value == value and fact.threshold == claim.threshold
                    and _currency_ok(claim.unit, fact.unit)):
                return None
        offers = [f for f in facts if f.topic == "threshold" and isinstance(f.value, Decimal) and f.threshold]
        suggestion = None
        if len(offers) == 1 and len(claim.parts) == 2:
            assert isinstance(offers[0].value, Decimal) and offers[0].threshold is not None
            suggestion = _replace(claim, [_fmt(offers[0].threshold), _fmt(offers[0].value)])
        held = ", ".join(f"{_fmt(f.threshold or Decimal(0))}/{_fmt(f.value)}" for f in offers if isinstance(f.value,
                                                                                                            Decimal))
        return _Verdict(f"offer {claim.text} (spend {_fmt(claim.threshold or Decimal(0))}, save {_fmt(value)}) is not "
                        f"in the brief's promotion (threshold offers: {held or 'none'})", suggestion)
    prices = [p.price for p in _product_list(subjects, sheet)]
    for fact in facts:
        if not isinstance(fact.value, Decimal) or fact.value != value or not _currency_ok(claim.unit, fact.unit):
            continue
        if fact.topic in {"amount", "coupon"}:
            return None
        if fact.topic == "threshold" and fact.threshold is not None and any(p >= fact.threshold for p in prices):
            return None
    amounts = sorted({f.value for f in facts if f.topic in {"amount", "coupon"} and isinstance(f.value, Decimal)
                      and (f.sku is None or f.sku in {p.sku for p in subjects})})
    suggestion = None
    if amounts and claim.parts:
        best = min(amounts, key=lambda a: abs(a - value))
        suggestion = _replace(claim, [_fmt(best)])
    held = ", ".join(_fmt(a) for a in amounts[:5]) or "none"
    return _Verdict(f"saving {claim.text} ({_fmt(value)} off) is not in the brief's promotion or the catalog's "
                    f"list-to-price difference (savings that trace: {held})", suggestion)


def _replace_code(claim: Claim, codes: Sequence[str]) -> str | None:
    if len(codes) != 1 or not isinstance(claim.value, str):
        return None
    index = claim.text.upper().rfind(claim.value)
    return None if index < 0 else claim.text[:index] + codes[0] + claim.text[index + len(claim.value):]


def _check_percent(claim: Claim, facts: Sequence[Fact]) -> _Verdict | None:
    assert isinstance(claim.value, Decimal)
    off = claim.value
    # compared at the precision the copy states, but never coarser than 1% unless it says "about" (约7折)
    stated = claim.precision or Decimal(1)
    precision = stated if claim.qualifier == "approx" else min(stated, Decimal(1))
    exact = [f.value for f in facts if f.topic == "percent" and isinstance(f.value, Decimal)]
    derived = [f.value for f in facts if f.topic == "percent_derived" and isinstance(f.value, Decimal)]
    if off in exact:
        return None
    for value in derived:
        rounded = (value / precision).quantize(Decimal(1), rounding=ROUND_HALF_UP) * precision
        if rounded == off:
            return None
    choices = sorted(set(exact)) or sorted({(v / precision).quantize(Decimal(1), rounding=ROUND_HALF_UP) * precision
                                            for v in derived})
    suggestion = None
    if len(choices) == 1 and claim.parts:
        correct = choices[0]
        shown = _fmt((100 - correct) / 10) if claim.context == "zhe" else _fmt(correct)
        suggestion = _replace(claim, [shown])
    held = ", ".join(f"{_fmt(c)}% off" for c in choices[:5]) or "none"
    meaning = f"{_fmt(100 - off)}% of the price" if claim.context == "zhe" else f"{_fmt(off)}% off"
    return _Verdict(f"discount {claim.text} ({meaning}) is not in the brief's promotion or derivable from the "
                    f"catalog (discounts that trace: {held})", suggestion)


def _to_base(value: Decimal, unit: str | None) -> tuple[str, Decimal, bool] | None:
    if unit is None:
        return None
    if unit in _CONVERT:
        family, factor, exact = _CONVERT[unit]
        return family, value * factor, exact
    if unit == "°F":
        return "temp", (value - 32) * 5 / 9, False
    if unit == "°C":
        return "temp", value, True
    return unit, value, True


def _same_quantity(claimed: Decimal, claim_unit: str | None, fact: Fact, qualifier: str | None) -> bool:
    if not isinstance(fact.value, Decimal):
        return False
    a, b = _to_base(claimed, claim_unit), _to_base(fact.value, fact.unit)
    if a is None or b is None or a[0] != b[0]:
        return claim_unit is None and fact.unit is None and claimed == fact.value
    mine, theirs = a[1], b[1]
    tolerance = Decimal(0)
    if not (a[2] and b[2]):
        tolerance = max(tolerance, CONVERSION)
    if a[0] == "temp" and not (a[2] and b[2]):
        return abs(mine - theirs) <= 1
    if fact.approx or qualifier in {"approx", "upto"}:
        tolerance = max(tolerance, APPROX)
    if qualifier == "min":
        return theirs >= mine * (1 - tolerance)
    if qualifier == "max":
        return theirs <= mine * (1 + tolerance)
    return abs(mine - theirs) <= abs(theirs) * tolerance


def _check_number(claim: Claim, sheet: FactSheet, subjects: Sequence[Product], text: str) -> _Verdict | None:
    assert isinstance(claim.value, Decimal)
    sentence = text[slice(*_sentence(text, claim.span))]
    facts = [f for f in _scoped(sheet.facts("number"), subjects) if _conditions_met(f, text)
             and (not f.source.startswith("policy:") or _shares_words(sentence, f.text))]
    values = [claim.value] + ([claim.upper] if claim.upper is not None else [])
    if all(any(_same_quantity(v, claim.unit, f, claim.qualifier) for f in facts) for v in values):
        return None
    skus = {p.sku for p in subjects}
    family = _to_base(Decimal(1), claim.unit)
    same = sorted({(f.value, f.unit) for f in facts if (not skus or f.sku in skus) and isinstance(f.value, Decimal)
                   and family is not None and (_to_base(f.value, f.unit) or ("", 0, True))[0] == family[0]
                   and f.sku is not None}, key=lambda vu: (str(vu[1]), vu[0]))
    held = ", ".join(f"{_fmt(v)} {u}" for v, u in same[:6] if isinstance(v, Decimal))
    where = (", ".join(sorted(skus)[:3]) if skus else "the sheet")
    suggestion = None
    in_unit = {v for v, u in same if u == claim.unit}
    if len(in_unit) == 1 and claim.upper is None and claim.parts:
        only = in_unit.pop()
        assert isinstance(only, Decimal)
        suggestion = _replace(claim, [_fmt(only)])
    if claim.topic == "first_n":
        return _Verdict(f"'{claim.text.strip()}' limits the offer to the first {_fmt(claim.value)} buyers, which the "
                        "brief does not state")
    kind = "figure" if claim.topic == "social" else "quantity"
    return _Verdict(f"{kind} {claim.text.strip()} is not in the product data of {where}"
                    + (f" (it holds {held})" if held else ""), suggestion)


_EVENT_DATES: dict[str, Callable[[int], dt.date]] = {
    "11-11": lambda y: dt.date(y, 11, 11),
    "12-12": lambda y: dt.date(y, 12, 12),
    "06-18": lambda y: dt.date(y, 6, 18),
    "black_friday": lambda y: _nth_weekday(y, 11, 3, 4) + dt.timedelta(days=1),
    "cyber_monday": lambda y: _nth_weekday(y, 11, 3, 4) + dt.timedelta(days=4),
}
_EVENT_NAMES = {key: re.compile(pattern) for pattern, key in _EVENTS}


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _fmt_date_like(claim: Claim, date: dt.date) -> str | None:
    style = claim.topic
    if style == "zh":
        year = f"{date.year}年" if "年" in claim.text else ""
        return _ZH_DATE_HEAD.sub(lambda m: f"{year}{date.month}月{date.day}{m.group(1)}", claim.text, count=1)
    if style == "en":
        name = date.strftime("%b" if _EN_SHORT_MONTH.match(claim.text) else "%B")
        return _EN_DATE_HEAD.sub(f"{name} {date.day}", claim.text, count=1)
    if style == "slash":
        return _SLASH_DATE_HEAD.sub(f"{date.month}/{date.day}", claim.text, count=1)
    if style == "iso":
        return _ISO_DATE_HEAD.sub(lambda m: f"{date.year}{m.group(1)}{date.month:02d}{m.group(1)}{date.day:02d}",
                                  claim.text, count=1)
    return None


def _check_date(claim: Claim, sheet: FactSheet, subjects: Sequence[Product], text: str) -> _Verdict | None:
    promotion = sheet.promotion
    if claim.topic in {"zh", "iso", "en", "slash", "dot"}:
        for fact in sheet.facts("date", "catalog"):
            if fact.value == claim.value or str(fact.value).endswith(str(claim.value)):
                return None
    if promotion is None:
        return _Verdict(f"dated or time-limited offer '{claim.text}' but the brief has no promotion")
    start, end = promotion.start, promotion.end
    window = f"{promotion.name}: {start.isoformat()} to {end.isoformat()}"
    if claim.topic == "event":
        assert isinstance(claim.value, str)
        if _EVENT_NAMES[claim.value].search(sheet.occasion):
            return None
        make = _EVENT_DATES.get(claim.value)
        if make and any(start <= make(y) <= end for y in {start.year, end.year}):
            return None
        return _Verdict(f"'{claim.text}' names a sales event the promotion does not cover ({window})")
    if claim.context == "relative":
        return _check_relative(claim, promotion, sheet.today, window)
    assert isinstance(claim.value, str)
    years = sorted({start.year, end.year})
    month, day = (int(x) for x in claim.value.split("-")[-2:])
    candidates = _year_for(month, day, [int(claim.value[:4])] if len(claim.value) == 10 else years)
    if not candidates:
        return _Verdict(f"'{claim.text}' is not a real date")
    uppers = []
    if claim.unit:
        m2, d2 = (int(x) for x in claim.unit.split("-"))
        uppers = _year_for(m2, d2, [c.year for c in candidates])
    ok: bool
    if claim.context == "range" and uppers:
        ok = any(start <= a <= end for a in candidates) and any(start <= b <= end for b in uppers)
    elif claim.context == "deadline":
        ok = end in candidates
    elif claim.context == "deadline_excl":
        ok = any(c in {end, end + dt.timedelta(days=1)} for c in candidates)
    elif claim.context == "start":
        ok = start in candidates
    else:
        ok = any(start <= c <= end for c in candidates)
    if ok:
        return None
    wanted = {"deadline": end, "deadline_excl": end, "start": start}.get(claim.context or "")
    role = {"deadline": "an end date", "deadline_excl": "an end date", "start": "a start date"}.get(
        claim.context or "", "a date")
    return _Verdict(f"{role} '{claim.text}' does not match the promotion ({window})",
                    _fmt_date_like(claim, wanted) if wanted else None)


def _check_relative(claim: Claim, promotion: Promotion, today: dt.date, window: str) -> _Verdict | None:
    start, end = promotion.start, promotion.end
    running = start <= today <= end
    topic = claim.topic
    ok = False
    suggestion = None
    if topic in {"limited", "today_in"}:
        ok = running
    elif topic == "today_end":
        ok = running and end == today
    elif topic == "tomorrow_end":
        ok = start <= today + dt.timedelta(days=1) == end
    elif topic in {"weekend", "week"}:
        sunday = today + dt.timedelta(days=6 - today.weekday())
        saturday = sunday - dt.timedelta(days=1)
        first = today if topic == "week" else saturday
        ok = start <= sunday and end >= first and end <= sunday
    elif topic in {"left", "duration"} and isinstance(claim.value, Decimal):
        days = (end - today).days + 1 if topic == "left" else (end - start).days + 1
        if topic == "left" and not running:
            days = -1
        actual = Decimal(days) if claim.unit == "day" else Decimal(days * 24)
        ok = claim.value == actual if claim.unit == "day" else actual - 24 < claim.value <= actual
        if days > 0 and claim.unit == "day":
            suggestion = _replace(claim, [str(days)])
    if ok:
        return None
    status = "running" if running else ("not started" if today < start else "over")
    return _Verdict(f"time claim '{claim.text}' does not fit the promotion ({window}; today {today.isoformat()}, "
                    f"{status})", suggestion)


def _check_stock(claim: Claim, sheet: FactSheet, subjects: Sequence[Product], text: str) -> _Verdict | None:
    pool = _product_list(subjects, sheet)
    topic = claim.topic
    stocks = ", ".join(f"{p.sku} has {p.stock} in stock" for p in pool[:3]) or "no product in the sheet"
    if topic in {"count", "edition_count"}:
        assert isinstance(claim.value, Decimal)
        if any(Decimal(p.stock) == claim.value for p in pool):
            return None
        if topic == "edition_count" and any(
            f.value == claim.value and f.sku in {p.sku for p in pool} for f in sheet.facts("number")
        ):
            return None
        low = [p for p in pool if 0 < p.stock <= LOW_STOCK]
        suggestion = _replace(claim, [str(low[0].stock)]) if len(low) == 1 else None
        return _Verdict(f"stock figure '{claim.text}' does not match the catalog ({stocks})", suggestion)
    if topic == "scarcity":
        if any(0 < p.stock <= LOW_STOCK for p in pool):
            return None
        return _Verdict(f"scarcity claim '{claim.text}' needs stock of {LOW_STOCK} or fewer ({stocks})")
    if topic == "edition":
        if any(f.sku in {p.sku for p in pool} for f in sheet.facts("stock", "edition")):
            return None
        return _Verdict(f"'{claim.text}' but the catalog does not describe {', '.join(p.sku for p in pool[:3])} "
                        "as a limited edition")
    if topic == "sold_out":
        if any(p.stock == 0 for p in pool):
            return None
        return _Verdict(f"'{claim.text}' but the product is in stock ({stocks})")
    if topic == "available":
        if subjects:
            empty = [p for p in subjects if p.stock == 0]
            if not empty:
                return None
            return _Verdict(f"'{claim.text}' advertises {', '.join(p.sku for p in empty)}, which is out of stock")
        if not sheet.products or any(p.stock > 0 for p in sheet.products):
            return None
        return _Verdict(f"'{claim.text}' but every product in the sheet is out of stock")
    return None


@functools.lru_cache(maxsize=4096)
def _words(text: str) -> frozenset[str]:
    """Content words of a text for overlap tests: CJK bigrams and Latin words of four letters or more, quantities
    and unit words removed."""
    text = _QTY_RE.sub(" ", _normalise(text).lower())
    cjk = _CJK_RUN.findall(text)
    grams = {run[i:i + 2] for run in cjk for i in range(len(run) - 1)}
    latin = set(_LATIN4.findall(text)) - {"with", "that", "this", "your", "from", "have", "will"}
    return frozenset(grams | latin)


def _shares_words(a: str, b: str) -> bool:
    return bool(_words(a) & _words(b))


def _gift_overlap(a: str, b: str) -> bool:
    def tokens(s: str) -> set[str]:
        s = s.lower()
        cjk = _CJK_RUN.findall(s)
        grams = {run[i:i + 2] for run in cjk for i in range(max(1, len(run) - 1))}
        return grams | {w for w in _LATIN3.findall(s) if w not in {"the", "and", "with", "free", "gift"}}

    left, right = tokens(a), tokens(b)
    return not left or not right or bool(left & right)


def _check_promise(claim: Claim, sheet: FactSheet, subjects: Sequence[Product], text: str) -> _Verdict | None:
    topic = claim.topic or ""
    all_facts = [f for f in sheet.facts("promise") if f.topic == topic]
    facts = [f for f in all_facts if _conditions_met(f, text)]
    if topic == "gift":
        if not facts:
            return _Verdict(f"gift offer '{claim.text}' is not in the brief (no gift in the promotion)")
        gifts = [str(f.value) for f in facts if isinstance(f.value, str)]
        if isinstance(claim.value, str) and gifts and not any(_gift_overlap(claim.value, g) for g in gifts):
            return _Verdict(f"gift '{claim.value}' differs from the brief's gift '{gifts[0]}'", None, Severity.WARN)
        return None
    if topic == "free_shipping":
        return _check_free_shipping(claim, facts, all_facts, subjects, sheet)
    if not isinstance(claim.value, Decimal):
        if facts:
            return None
        return _Verdict(_no_policy(claim, all_facts))
    numbered = [f for f in facts if isinstance(f.value, Decimal)]
    faster = topic in _FASTER_IS_BETTER
    claimed = claim.upper if (faster and claim.upper is not None) else claim.value
    for fact in numbered:
        assert isinstance(fact.value, Decimal)
        fact_value = fact.upper if (faster and fact.upper is not None) else fact.value
        a, b = _to_base(claimed, claim.unit), _to_base(fact_value, fact.unit)
        if a is None or b is None or a[0] != b[0]:
            continue
        if (b[1] <= a[1]) if faster else (b[1] >= a[1]):
            return None
    if not all_facts:
        return _Verdict(_no_policy(claim, all_facts))
    same_unit = [f for f in numbered if f.unit == claim.unit and not f.conditions]
    policy = same_unit[0] if same_unit else (numbered[0] if numbered else None)
    suggestion = None
    if policy is not None and policy.unit == claim.unit and claim.parts and isinstance(policy.value, Decimal):
        if len(claim.parts) == 1 and policy.upper is None:
            suggestion = _replace(claim, [_fmt(policy.value)])
        elif len(claim.parts) == 2 and policy.upper is not None:
            suggestion = _replace(claim, [_fmt(policy.value), _fmt(policy.upper)])
    said = f" ({policy.source} says: {policy.text.strip()[:80]})" if policy else ""
    return _Verdict(f"promise '{claim.text}' is not supported by the brief or the policies{said}", suggestion)


def _no_policy(claim: Claim, all_facts: Sequence[Fact]) -> str:
    if all_facts:
        needed = sorted({c for f in all_facts for c in f.conditions})
        return (f"promise '{claim.text}' applies only with a condition the copy does not state "
                f"({', '.join(needed)}; {all_facts[0].source})")
    return f"promise '{claim.text}' is not in the brief or the brand's policies"


def _check_free_shipping(claim: Claim, facts: Sequence[Fact], all_facts: Sequence[Fact],
                         subjects: Sequence[Product], sheet: FactSheet) -> _Verdict | None:
    if any(f.threshold is None for f in facts):
        return None
    thresholds = sorted(f.threshold for f in facts if f.threshold is not None)
    if claim.threshold is not None:
        if any(t <= claim.threshold for t in thresholds):
            return None
    elif subjects and thresholds and all(
        min(a for a, _ in _offer_prices(p, sheet.promotion)) >= thresholds[0] for p in subjects
    ):
        return None  # "包邮" for a product whose lowest offer price already reaches the threshold
    if not all_facts:
        return _Verdict(f"free-shipping promise '{claim.text}' is not in the brief or the policies")
    if not thresholds:
        return _Verdict(_no_policy(claim, all_facts))
    shown = _fmt(thresholds[0])
    suggestion = _replace(claim, [shown]) if claim.threshold is not None and len(claim.parts) == 1 else None
    return _Verdict(f"free-shipping promise '{claim.text}' overstates the policy (free shipping from {shown}; "
                    f"{facts[0].source if facts else all_facts[0].source})", suggestion)


_CHECKS: dict[str, Callable[[Claim, FactSheet, Sequence[Product], str], _Verdict | None]] = {
    "price": _check_price,
    "list_price": _check_list_price,
    "discount": _check_discount,
    "number": _check_number,
    "date": _check_date,
    "stock": _check_stock,
    "promise": _check_promise,
}


def ground(text: str, facts: FactSheet, *, locale: Locale, field: str | None = None) -> list[Finding]:
    """A finding for each claim in `text` that does not trace to `facts`. A suggestion replaces the claim's span."""
    if not text.strip():
        return []
    claims = _extract(text, locale, facts.names())
    mentions = facts.mentions(text)
    findings: list[Finding] = []
    for claim in claims:
        subjects = facts.about(text, claim.span, mentions)
        if _stated(claim, facts, subjects, text):
            continue
        verdict = _CHECKS[claim.kind](claim, facts, subjects, text)
        if verdict is None:
            continue
        findings.append(
            Finding(
                rule=f"claim.{claim.kind}",
                severity=verdict.severity,
                message=verdict.message,
                text=claim.text,
                span=claim.span,
                field=field,
                suggestion=verdict.suggestion,
            )
        )
    return findings


def ground_fields(fields: Mapping[str, str], facts: FactSheet, *, locale: Locale) -> list[Finding]:
    """`ground` over every field of a piece of content (title, body, cta...), each finding naming its field."""
    findings: list[Finding] = []
    for name, text in fields.items():
        findings.extend(ground(text, facts, locale=locale, field=name))
    return findings
