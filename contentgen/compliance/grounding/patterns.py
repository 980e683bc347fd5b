"""Claim patterns: the regular expressions that find prices, discounts, numbers, dates, stock, promises.

The words and phrases are data (``rules/claims.zh-CN.yaml``, ``rules/claims.en-US.yaml``, read by
:mod:`~contentgen.compliance.grounding.vocabulary`); this module composes them with the number and date
grammar into the compiled patterns the extraction code uses, and says what each unit converts to.
"""

from __future__ import annotations

import re
from decimal import Decimal

from contentgen.compliance.grounding.numbers import (
    parse_number,
)
from contentgen.compliance.grounding.vocabulary import claim_vocabulary, expand
from contentgen.errors import DataError

# =====================================================================================================
# Number grammar (the same numbers `contentgen.text.numbers` parses)
# =====================================================================================================

_ARABIC = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_HANZI_NUM = r"[零〇一二两三四五六七八九十百千万]+(?:点[零〇一二三四五六七八九]+)?"
_EN_DIGIT_WORD = "one|two|three|four|five|six|seven|eight|nine"
_EN_NUM_WORD = (
    rf"(?i:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:{_EN_DIGIT_WORD}))?|eleven|twelve|thirteen|"
    rf"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|ten|{_EN_DIGIT_WORD}|(?:half\s+a\s+|a\s+)?dozen)(?![A-Za-z])"
)
_ANY_NUMBER = rf"(?:{_ARABIC}(?:\s?万)?|{_HANZI_NUM}|(?<![A-Za-z]){_EN_NUM_WORD})"
_NUMBER_START = r"(?<![A-Za-z\d.,_])(?<!\d/)"  # a number starts here, not inside a word, SKU, decimal or fraction
_NUMBER_END = r"(?![\d])"

_WORD_END = r"(?![A-Za-z])"
_CUR_SYM = r"US\$|HK\$|\$|¥|€|£"
_CUR_CODE = r"(?:RMB|CNY|USD|EUR|GBP|HKD)"
_CN_AMOUNT = r"[零〇一二两三四五六七八九]*[十百千万][零〇一二两三四五六七八九十百千万]*(?:点[零〇一二三四五六七八九]+)?"

# =====================================================================================================
# The vocabulary (data) composed into patterns
# =====================================================================================================

_VOCABULARY = claim_vocabulary()
_STATIC = {
    "arabic": _ARABIC,
    "hanzi_number": _HANZI_NUM,
    "en_number_word": _EN_NUM_WORD,
    "number_start": _NUMBER_START,
    "number_end": _NUMBER_END,
    "word_end": _WORD_END,
}


def _number_group(i: int) -> str:
    return rf"(?P<n{i}>{_ARABIC}|{_HANZI_NUM}|{_EN_NUM_WORD})"


def _number_or_range(i: int) -> str:
    return rf"(?P<n{i}>{_ARABIC}|{_HANZI_NUM}|{_EN_NUM_WORD})(?:{_RANGE_SEP}(?P<r{i}>{_ARABIC}|{_HANZI_NUM}))?"


def _fragment(name: str, arg: str | None) -> str:
    """What a ``{name}`` / ``{name:arg}`` placeholder of the claim files stands for."""
    if name == "number_group":
        return _number_group(int(arg or 0))
    if name == "number_or_range":
        return _number_or_range(int(arg or 0))
    if name == "money":
        return _money_re(arg or "m")
    if name == "unit":
        return _UNIT_ALT
    if name == "stop_word":
        return _STOP
    if name == "stock_unit":
        return _STOCK_UNITS
    return _STATIC[name]


def _alternatives(name: str) -> str:
    """The alternatives of the claim pattern `name`, placeholders filled in, joined with ``|``."""
    return "|".join(expand(alternative, _fragment) for alternative in _VOCABULARY.patterns[name])


def _compile(pattern: str, name: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as err:  # e.g. two files give the same group name in one pattern
        raise DataError(
            _VOCABULARY.sources[0], f"the merged pattern does not compile: {err}", field=f"patterns.{name}"
        ) from None


def _slot(name: str, wrap: str = "(?:{})") -> re.Pattern[str]:
    """The claim pattern `name` compiled, inside `wrap` (``{}`` marks where the alternatives go)."""
    return _compile(wrap.replace("{}", _alternatives(name)), name)


# =====================================================================================================
# Patterns
# =====================================================================================================

_UNITS: tuple[tuple[str, str], ...] = tuple(
    ("|".join(expand(spelling, _fragment) for spelling in spellings), unit)
    for unit, spellings in _VOCABULARY.units.items()
)
_UNIT_ALT = "|".join(f"(?:{p})" for p, _ in _UNITS)
_UNIT_RES = tuple((re.compile(f"(?:{p})"), unit) for p, unit in _UNITS)
_COUNT_UNITS = frozenset(
    {
        "bag",
        "piece",
        "capsule",
        "bottle",
        "tin",
        "box",
        "stick",
        "serving",
        "infusion",
        "set",
        "count",
        "pack",
        "star",
        "review",
        "people",
    }
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

_QUAL_PRE = f"(?P<q>{_alternatives('quantity.qualifier_before')})"
_QUAL_POST = rf"(?P<qs>\s*(?:{_alternatives('quantity.qualifier_after')}))"
_QUALIFIERS = {kind: set(words) for kind, words in _VOCABULARY.qualifiers.items()}
_STOP = f"(?:{_alternatives('quantity.stop_word')})"
_ADJECTIVES = f"(?P<adj>{_alternatives('quantity.adjective')})"
_RANGE_SEP = rf"\s*(?:{_alternatives('quantity.range_separator')})\s*"

_QTY_RE = re.compile(
    rf"(?:{_QUAL_PRE}\s*)?{_NUMBER_START}(?P<n>{_ANY_NUMBER})(?:{_RANGE_SEP}(?P<n2>{_ANY_NUMBER}))?\s?{_ADJECTIVES}?(?P<u>{_UNIT_ALT})"
    rf"(?P<plus>\+)?{_QUAL_POST}?"
)
_SPF_RE = re.compile(r"(?i:SPF)\s*(?P<n>\d{1,3})\s*(?P<plus>\+)?")
_PA_RE = re.compile(r"(?<![A-Za-z])PA\s*(?P<p>\+{1,4})")
_ORDINAL_BEFORE = _slot("quantity.ordinal_before", r"(?:{})\s*$")
_PURCHASE_BEFORE = _slot("quantity.purchase_before", r"(?:{})\s*$")

_CURRENCY = dict(_VOCABULARY.currencies)
_MONEY_PREFIX = _alternatives("money.prefix")
_MONEY_SUFFIX = _alternatives("money.suffix")


def _money_re(tag: str) -> str:
    return (
        rf"(?:(?P<{tag}s>{_CUR_SYM}|{_CUR_CODE}\s?|{_MONEY_PREFIX})\s?(?P<{tag}n>{_ARABIC}(?:\s?万)?)"
        rf"|{_NUMBER_START}(?P<{tag}m>{_ARABIC}(?:\s?万)?|{_HANZI_NUM})\s?(?P<{tag}c>{_MONEY_SUFFIX}))"
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
_MONTHS = dict(_VOCABULARY.months)
_ENGLISH_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
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
    rf"(?i:(?P<mon>{_ENGLISH_MONTH})[ \t]+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?{_WORD_END}(?:,?[ \t]+(?P<y>20\d{{2}}))?"
    rf"(?:\s*(?:-|–|—|to|through|thru)\s*(?:(?P<mon2>{_ENGLISH_MONTH})\s+)?(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?{_WORD_END})?"
    rf"|(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?(?P<mon3>{_ENGLISH_MONTH}){_WORD_END}(?:,?[ \t]+(?P<y3>20\d{{2}}))?)"
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
_DATE_DOT_BEFORE = _slot("date.dot_before", r"(?:{})\s*$")
_DEADLINE_BEFORE = _slot("date.deadline_before", r"(?:{})\s*(?:[:：]\s*)?$")
_START_BEFORE = _slot("date.start_before", r"(?:{})\s*$")
_START_AFTER = _slot("date.start_after", r"^\s*(?:{})")
_HOLIDAYS = frozenset({(1, 1), (2, 14), (3, 8), (3, 17), (5, 1), (6, 1), (7, 4), (10, 1), (10, 31), (12, 24), (12, 25)})
"""Fixed-date holidays: named without a deadline or range they are an occasion ("a 4th of July picnic"), not an offer
date."""


_EVENT_KEYS = ("11-11", "12-12", "06-18", "black_friday", "cyber_monday", "prime_day", "new_year_goods")
_EVENTS: tuple[tuple[str, str], ...] = tuple((_alternatives(f"event.{key}"), key) for key in _EVENT_KEYS)
_EVENT_RES = tuple((_compile(p, f"event.{key}"), key) for p, key in _EVENTS)

_RELATIVE_KEYS = ("left", "duration", "today_end", "today_in", "tomorrow_end", "weekend", "week", "limited")
_RELATIVE_RES = tuple((_slot(f"relative.{key}", "{}"), key) for key in _RELATIVE_KEYS)

# --- promises --------------------------------------------------------------------------------------
# (pattern, topic), tried in this order; an earlier match takes its span
_PROMISES: tuple[tuple[str, str], ...] = (
    ("free_shipping", "free_shipping"),
    ("free_shipping_over", "free_shipping"),
    ("free_shipping_orders", "free_shipping"),
    ("no_reason_returns", "no_reason_returns"),
    ("free_returns", "free_returns"),
    ("returns", "returns"),
    ("dispatch", "dispatch"),
    ("delivery", "delivery"),
    ("authentic", "authentic"),
    ("price_protection", "price_protection"),
    ("warranty", "warranty"),
    ("money_back", "money_back"),
    ("breakage", "breakage"),
    ("gift", "gift"),
)
_PROMISE_RES = tuple((_slot(f"promise.{name}", "{}"), topic) for name, topic in _PROMISES)
# dispatch/delivery: a promise of "within N" (the policy must be as fast); the rest are windows (as long).
_FASTER_IS_BETTER = frozenset({"dispatch", "delivery"})

# --- discounts -------------------------------------------------------------------------------------
_DISCOUNTS: tuple[tuple[str, str], ...] = (
    ("threshold", "threshold"),
    ("threshold_spend", "threshold"),
    ("bogo", "bogo"),
    ("buy_x_get_y", "buy_x_get_y"),
    ("second_half", "second_half"),
    ("code", "code"),
    ("zhe", "percent"),
    ("percent", "percent"),
    ("amount", "amount"),
    ("amount_than", "amount"),
    ("amount_save", "amount"),
    ("sale", "sale"),
)
_DISCOUNT_RES = tuple((_slot(f"discount.{name}", "{}"), topic) for name, topic in _DISCOUNTS)
_NEGATED_BEFORE = _slot("discount.negated_before", "(?:{}).{0,8}$")

# --- list prices -----------------------------------------------------------------------------------
_LIST_KW = _alternatives("price.list_keyword")
_LIST_PRICE_RES = (
    re.compile(
        rf"(?P<kw>{_LIST_KW})\s*[:：]?\s*(?:是|为|(?i:only)\s+)?(?:{_MONEY}|(?P<bare>{_ARABIC}){_NUMBER_END}(?!\s*(?:%|折)))"
    ),
    re.compile(rf"~~\s*(?:{_MONEY}|(?P<bare>{_ARABIC}))\s*~~"),
    re.compile(rf"<(?P<tag>del|s|strike)>\s*(?:{_MONEY}|(?P<bare>{_ARABIC}))\s*</(?P=tag)>"),
    re.compile(rf"(?:{_alternatives('price.worth_before')})\s*(?:{_MONEY})"),
    re.compile(rf"(?:{_MONEY})\s+(?:{_alternatives('price.value_after')})"),
)

# --- prices ----------------------------------------------------------------------------------------
_PRICE_KW = _alternatives("price.keyword")
_PRICE_RE = re.compile(rf"(?:(?P<kw>{_PRICE_KW})\s*[:：]?\s*)?{_MONEY}(?P<from>\s*起|\+)?")
_PRICE_BARE_RE = re.compile(
    rf"(?P<kw>{_PRICE_KW})\s*[:：]?\s*{_NUMBER_START}(?P<bare>{_ARABIC}|{_CN_AMOUNT}){_NUMBER_END}(?!\s*(?:%|折|[A-Za-z]|{_UNIT_ALT}))"
    r"(?P<from>\s*起)?"
)
_MULTI_BEFORE = re.compile(
    r"(?P<n>\d+|[两二三四五六七八九十]+|(?i:two|three|four|five|six))\s*"
    rf"(?:{_alternatives('price.multi_unit')})?(?:装\s*)?(?:{_alternatives('price.multi_word')})\s*[:：]?\s*$"
)
_PER_UNIT_AFTER = re.compile(rf"^\s*(?:{_alternatives('price.per_word')})\s*(?P<u>{_alternatives('price.per_unit')})")
_PER_UNIT_BEFORE = _slot("price.per_unit_before")
_APPROX_BEFORE = _slot("price.approx_before", r"(?:{})\s*$")
_PRICE_QUAL_BEFORE = _slot("price.qualifier_before", r"(?P<q>{})\s*$")

# --- stock -----------------------------------------------------------------------------------------
_STOCK_UNITS = f"(?:{_alternatives('stock.unit')})"
_STOCK: tuple[tuple[str, str], ...] = (
    ("count", "count"),
    ("count_left", "count"),
    ("edition_count", "edition_count"),
    ("edition", "edition"),
    ("scarcity", "scarcity"),
    ("sold_out", "sold_out"),
    ("available", "available"),
)
_STOCK_RES = tuple((_slot(f"stock.{name}", "{}"), topic) for name, topic in _STOCK)
_FIRST_N = _slot("stock.first_n", "{}")
_SOCIAL = _slot("stock.social", "{}")

# --- masks: spans that hold no claims ---------------------------------------------------------------
_MASKS = re.compile(
    r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.]+|\d\ufe0f?\u20e3|\b(?:24/7|7/24)\b|7\s?[x×]\s?24|"
    r"\(?\d{3}\)?[\s-]\d{3}-\d{4}|\d{1,2}[:：]\d{2}(?:\s*(?:a\.?m\.?|p\.?m\.?))?"
)
_FULLWIDTH = {i: i - 0xFEE0 for i in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_FULLWIDTH.update(
    {
        0xFFE5: ord("¥"),
        0xFF05: ord("%"),
        0xFF04: ord("$"),
        0xFF0B: ord("+"),
        0xFF0D: ord("-"),
        0xFF0E: ord("."),
        0xFF0F: ord("/"),
        0xFF5E: ord("~"),
        0x301C: ord("~"),
        0x2013: ord("-"),
        0x00A0: ord(" "),
        0x3000: ord(" "),
    }
)

# --- conditions on policy facts ---------------------------------------------------------------------
_CONDITION_KEYS = ("member", "first_order", "birthday", "referral", "cutoff", "defect", "medical")
_CONDITIONS: dict[str, re.Pattern[str]] = {key: _slot(f"condition.{key}", "{}") for key in _CONDITION_KEYS}
_NEGATION = _slot("policy.negation", "{}")
_POSITIVE_NO = _slot("policy.positive_no", "{}")
_UNCONDITIONAL = _slot("policy.unconditional", "{}")
_THRESHOLD_CUE = re.compile(
    rf"(?:{_alternatives('policy.threshold_before')})\s*(?P<m>{_MONEY})|"
    rf"(?P<m2>{_money_re('q')})\s*(?:{_alternatives('policy.threshold_after')})"
)
_TOPIC_KEY_NAMES = (
    "free_shipping",
    "no_reason_returns",
    "returns",
    "free_returns",
    "dispatch",
    "delivery",
    "authentic",
    "price_protection",
    "warranty",
    "money_back",
    "breakage",
    "quality",
)
_TOPIC_KEYS: dict[str, re.Pattern[str]] = {key: _slot(f"topic.{key}", "{}") for key in _TOPIC_KEY_NAMES}
_WINDOW_ANCHOR = _slot("policy.window_anchor", "{}")
_MEMBER_POLICY = _slot("policy.member", "{}")
_DELIVERY_WORDS = _slot("policy.delivery_words", "{}")
_SAME_DAY = _slot("policy.same_day", "{}")
_NEXT_DAY = _slot("policy.next_day", "{}")
_AUTHENTIC_TIMES = _slot("policy.authentic_times", "{}")
_EDITION_WORDS = _slot("stock.edition_words", "{}")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(?P<h>.+?)\s*#*\s*$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_UNIT_AHEAD = re.compile(rf"\s*(?:{_UNIT_ALT}|元)")
_NOT_MONEY_AHEAD = re.compile(rf"\s*(?:%|折|[A-Za-z]|{_UNIT_ALT})")
_BEFORE_WORD = re.compile(r"(?i:before)\s*$")
_DIGITS_DOT = re.compile(r"[\d.]+")
_KEY_UNIT = re.compile(r"[(（]\s*([^()（）]+?)\s*[)）]\s*$")
_TABLE_RULE = re.compile(r":?-{2,}:?")
_NO_AMOUNT = re.compile(r"[^\d$¥]*")
_NAME_SPLIT = re.compile(r"[\s,，()（）/|·]+")
_NAME_WORD = re.compile(r"[a-z][a-z'-]+")
_LATIN4 = re.compile(r"[a-z]{4,}")
_LATIN3 = re.compile(r"[a-z]{3,}")
_ZH_DATE_HEAD = re.compile(r"^(?:\d{4}\s*年\s*)?\S+?\s*月\s*\S+?\s*([日号])")
_EN_DATE_HEAD = re.compile(r"^(?i:[A-Za-z]+\.?)\s+\d{1,2}(?:st|nd|rd|th)?")
_EN_SHORT_MONTH = re.compile(r"[A-Za-z]{3}\.?\s")
_SLASH_DATE_HEAD = re.compile(r"^\d{1,2}/\d{1,2}")
_ISO_DATE_HEAD = re.compile(r"^\d{4}([-/.])\d{1,2}\1\d{1,2}")
