"""One zh/en number parser: digits (1,299.00, 10万), Chinese numerals (一百二十九, 八点五) and English number words
(twelve, a dozen), as Decimals. Grounding, the agent and the catalog's price filters all read numbers here, and
speech normalisation spells them out here (`number_to_words`, the other direction)."""

from __future__ import annotations

import re
from decimal import Decimal

__all__ = ["ZH_DIGITS", "chinese_number", "number_to_words", "parse_number"]

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_EN_SMALL = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "dozen": 12,
    "a dozen": 12,
    "half a dozen": 6,
}
_ONE_WORDS = {"一", "one", "a", "an", "single"}


def _cn_int(text: str, *, colloquial: bool = False) -> int | None:
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
    last_unit = 1
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[char]
            digit, last_unit = None, _CN_SMALL[char]
        elif char in _CN_BIG:
            total += (section + (digit or 0)) * _CN_BIG[char]
            section, digit, last_unit = 0, None, _CN_BIG[char]
        else:
            return None
    if colloquial and digit and last_unit >= 100 and len(text) > 1 and text[-2] in "百千万":
        digit *= last_unit // 10  # 一百五 = 150, 两千五 = 2500
    return total + section + (digit or 0)


def chinese_number(text: str, *, colloquial: bool = False) -> Decimal | None:
    """Chinese numerals to a number: 八 -> 8, 十二 -> 12, 一百二十九 -> 129, 两万 -> 20000, 八点五 -> 8.5, 八五 -> 85
    (digits without 十/百/千 read digit by digit, as in 八五折 and 二零二五). None for words that are not numbers.

    ``colloquial=True`` reads a last digit after 百/千/万 as the next unit down, as prices are spoken:
    一百五 -> 150, 两千五 -> 2500 (otherwise 105 and 2005)."""
    whole, dot, frac = text.partition("点")
    number = _cn_int(whole, colloquial=colloquial and not dot)
    if number is None:
        return None
    if not dot:
        return Decimal(number)
    if not frac or any(c not in _CN_DIGITS for c in frac):
        return None
    return Decimal(f"{number}.{''.join(str(_CN_DIGITS[c]) for c in frac)}")


_DIGITS_RE = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_SPACES = re.compile(r"[\s-]+")


def parse_number(token: str, *, colloquial: bool = False) -> Decimal | None:
    """A number written in digits (1,299.00, 10万), Chinese numerals (八, 十二) or English words (twelve, a dozen).
    ``colloquial`` as in `chinese_number` (一百五 -> 150)."""
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
    return chinese_number(text, colloquial=colloquial)


# ---- numbers in words -------------------------------------------------------------------------------

ZH_DIGITS = "零一二三四五六七八九"
"""The Chinese digits 0-9, as a year is read (2024 → 二零二四)."""
_EN_ONES = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    *("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"),
)
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_EN_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))


def number_to_words(number: str, locale: str) -> str:
    """A decimal numeral ('129', '3.5') in words: '一百二十九' for zh-CN, 'three point five' for any other locale."""
    whole, _, fraction = number.partition(".")
    if locale == "zh-CN":
        words = _zh_integer(int(whole))
        return words + ("点" + "".join(ZH_DIGITS[int(d)] for d in fraction) if fraction else "")
    words = _en_integer(int(whole))
    return words + (" point " + " ".join(_EN_ONES[int(d)] for d in fraction) if fraction else "")


def _zh_integer(n: int) -> str:
    if n == 0:
        return "零"
    groups = []
    while n:
        groups.append(n % 10_000)
        n //= 10_000
    out, zero_pending = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero_pending = bool(out)
            continue
        if out and (zero_pending or group < 1000):
            out += "零"
        out += _zh_group(group) + ("", "万", "亿", "万亿")[index]
        zero_pending = False
    if out.startswith("一十"):  # 十五, not 一十五
        out = out[1:]
    return out


def _zh_group(n: int) -> str:
    """0 < n < 10000 in Chinese numerals, with 零 for inner gaps (1005 → 一千零五)."""
    out, gap = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            if gap and out:
                out += "零"
            out += ZH_DIGITS[digit] + unit
            gap = False
        else:
            gap = True
    return out


def _en_integer(n: int) -> str:
    if n < 20:
        return _EN_ONES[n]
    if n < 100:
        return _EN_TENS[n // 10] + ("" if n % 10 == 0 else " " + _EN_ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return _EN_ONES[n // 100] + " hundred" + ("" if rest == 0 else " " + _en_integer(rest))
    for value, name in _EN_SCALES:
        if n >= value:
            rest = n % value
            return _en_integer(n // value) + f" {name}" + ("" if rest == 0 else " " + _en_integer(rest))
    raise AssertionError("unreachable")  # pragma: no cover
