"""Marketing text made speakable: prices, percentages, units and ranges spelt out; hashtags, links and emoji dropped.

TTS engines read ``¥129`` as "129" (the sign is silent), ``50%`` in Mandarin as "五十 percent", ``#夏日焕新``
as "hash …" and ``3~5天`` as "three tilde five". `normalize_for_speech` rewrites such spans in words of the
locale and leaves everything else alone. Models that cannot read digits at all (MMS-TTS) also want
``spell_numbers=True``, which writes numbers out ("一百二十九", "one hundred twenty nine").
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from contentgen.text.numbers import ZH_DIGITS, number_to_words

if TYPE_CHECKING:
    from contentgen.domain.common import Locale

__all__ = ["normalize_for_speech", "number_to_words"]

_NUMBER = r"\d+(?:\.\d+)?"

# Currency sign → (zh word, en singular, en plural, en minor singular, en minor plural); no minor: decimals read out.
_CURRENCIES: dict[str, tuple[str, str, str, str | None, str | None]] = {
    "¥": ("元", "yuan", "yuan", None, None),
    "$": ("美元", "dollar", "dollars", "cent", "cents"),
    "€": ("欧元", "euro", "euros", "cent", "cents"),
    "£": ("英镑", "pound", "pounds", "penny", "pence"),
}
# Unit after a number → (zh, en singular, en plural), keyed by how it is written; case matters ("5G" is not grams).
_UNIT_WORDS: dict[str, tuple[str, str, str]] = {
    "ml": ("毫升", "milliliter", "milliliters"),
    "kg": ("千克", "kilogram", "kilograms"),
    "mg": ("毫克", "milligram", "milligrams"),
    "km": ("公里", "kilometer", "kilometers"),
    "cm": ("厘米", "centimeter", "centimeters"),
    "mm": ("毫米", "millimeter", "millimeters"),
    "min": ("分钟", "minute", "minutes"),
    "pcs": ("件", "piece", "pieces"),
    "oz": ("盎司", "ounce", "ounces"),
    "g": ("克", "gram", "grams"),
    "l": ("升", "liter", "liters"),
    "m": ("米", "meter", "meters"),
    "h": ("小时", "hour", "hours"),
}
_UNIT_SPELLINGS = {"ml": ("ml", "mL", "ML"), "kg": ("kg", "KG", "Kg"), "l": ("l", "L")}
_UNITS = {spelling: unit for unit in _UNIT_WORDS for spelling in _UNIT_SPELLINGS.get(unit, (unit,))}

_LEGAL_MARKS = re.compile(r"[©®™℠]")  # before NFKC, which turns ™ into the letters TM
_COMPATIBLE = re.compile(r"[^，！？；：（）]+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HASHTAG_NUMBER = re.compile(r"#(\d+)\b")
_HASHTAG_CLOSED = re.compile(r"#[^#\s]{1,40}#")  # Weibo style: #话题#
_HASHTAG = re.compile(r"#[^\s#,.!?;:，。！？；：、]+")  # Douyin / Xiaohongshu / English style: #topic
_EMOJI = re.compile(
    "["
    "\U0001f000-\U0001faff"  # emoji, pictographs, symbols and flags
    "\u2600-\u27bf"  # miscellaneous symbols and dingbats (☀ ✨ ✅ ❤)
    "\u2b00-\u2bff"  # arrows and stars (⭐ ⬆)
    "\u2190-\u21ff"  # arrows
    "\ufe0e\ufe0f\u200d\u20e3"  # variation selectors, joiner, keycap
    "\U000e0020-\U000e007f"  # tag characters in flag sequences
    "]+"
)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_CURRENCY = re.compile(
    rf"(?P<sign>[¥$€£])\s?(?P<a>{_NUMBER})(?:\s?[-~–—]\s?[¥$€£]?\s?(?P<b>{_NUMBER}))?(?P<yuan>\s?元)?"
)
_PERCENT = re.compile(rf"(?P<n>{_NUMBER})\s?%")
# A range of two numbers, never part of a date or phone number (2024-06-01, 400-820-8820).
_RANGE = re.compile(rf"(?<![\d.\-])(?P<a>{_NUMBER})\s?[-~–—]\s?(?P<b>{_NUMBER})(?![\d\-])")
_UNIT = re.compile(rf"(?P<n>{_NUMBER})\s?(?P<unit>{'|'.join(sorted(_UNITS, key=len, reverse=True))})(?![A-Za-z])")
_TIMES = re.compile(r"(?<=[\dA-Za-z\u4e00-\u9fff])\s?[×*]\s?(?=\d)")
_SPACES = re.compile(r"\s+")
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+|\s+(?=[\u3000-\u9fff\uff00-\uffef])")


def normalize_for_speech(text: str, locale: Locale, *, spell_numbers: bool = False) -> str:
    """The text as a voice should read it in `locale`; `spell_numbers` also writes digits out in words."""
    zh = locale == "zh-CN"
    # Full-width ￥１２９％ → ¥129%, ㎖ → ml; Chinese punctuation stays as it is.
    text = _COMPATIBLE.sub(lambda m: unicodedata.normalize("NFKC", m[0]), _LEGAL_MARKS.sub("", text))
    text = _URL.sub(" ", text)
    text = _HASHTAG_NUMBER.sub(lambda m: f"第{m[1]}" if zh else f"number {m[1]}", text)
    text = _HASHTAG_CLOSED.sub(" ", text)
    text = _HASHTAG.sub(" ", text)
    text = _EMOJI.sub(" ", text)
    text = _THOUSANDS.sub("", text)
    text = _CURRENCY.sub(lambda m: _money(m, zh), text)
    text = _PERCENT.sub(lambda m: f"百分之{m['n']}" if zh else f"{m['n']} percent", text)
    text = _UNIT.sub(lambda m: _unit(m, zh), text)
    text = _RANGE.sub(lambda m: f"{m['a']}到{m['b']}" if zh else f"{m['a']} to {m['b']}", text)
    text = _TIMES.sub("乘" if zh else " times ", text)
    text = _per(text, zh)
    text = text.replace("&", "和" if zh else " and ")
    if spell_numbers:
        text = _spell(text, zh)
    text = _SPACES.sub(" ", text).strip()
    return _CJK_SPACE.sub("", text) if zh else text


def _money(match: re.Match[str], zh: bool) -> str:
    zh_word, one, many, minor_one, minor_many = _CURRENCIES[match["sign"]]
    a, b = match["a"], match["b"]
    if zh:
        return f"{a}到{b}{zh_word}" if b else f"{a}{zh_word}"
    if b:
        return f"{a} to {b} {many}"
    whole, _, cents = a.partition(".")
    if minor_one is None or minor_many is None or not cents or len(cents) > 2:
        return f"{a} {one if a == '1' else many}"
    cents = str(int(cents.ljust(2, "0")))
    minor = f"{cents} {minor_one if cents == '1' else minor_many}"
    if int(whole) == 0:
        return minor
    major = f"{whole} {one if whole == '1' else many}"
    return major if cents == "0" else f"{major} {minor}"


def _unit(match: re.Match[str], zh: bool) -> str:
    zh_word, one, many = _UNIT_WORDS[_UNITS[match["unit"]]]
    number = match["n"]
    return f"{number}{zh_word}" if zh else f"{number} {one if number == '1' else many}"


def _per(text: str, zh: bool) -> str:
    """'129元/瓶' → '129元每瓶', '5 dollars/bottle' → '5 dollars per bottle': only after an amount or a unit."""
    if zh:
        words = {c[0] for c in _CURRENCIES.values()} | {u[0] for u in _UNIT_WORDS.values()}
        return re.sub(rf"(?<=\d)({'|'.join(sorted(words, key=len, reverse=True))})\s?/\s?", r"\1每", text)
    words = {w for c in _CURRENCIES.values() for w in c[1:] if w} | {w for u in _UNIT_WORDS.values() for w in u[1:]}
    return re.sub(rf"\b({'|'.join(sorted(words, key=len, reverse=True))})\s?/\s?", r"\1 per ", text)


# ---- numbers in words (spelt by contentgen.text.numbers) ------------------------------------------


def _spell(text: str, zh: bool) -> str:
    locale: Locale = "zh-CN" if zh else "en-US"
    if zh:  # years are read digit by digit: 2024年 → 二零二四年
        text = re.sub(r"(?<!\d)(\d{4})(?=年)", lambda m: "".join(ZH_DIGITS[int(d)] for d in m[1]), text)
    return re.sub(_NUMBER, lambda m: f" {number_to_words(m[0], locale)} ", text)
