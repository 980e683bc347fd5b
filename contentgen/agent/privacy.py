"""Personal data out of transcripts, logs and prompts (PIPL: minimal, necessary): phone numbers, 身份证 numbers (also
with a wrong check character), bank cards, account numbers next to an account or card word, card security codes, US
social security numbers, passport numbers, IBANs, e-mail addresses and street addresses (with their city, state and
ZIP code) are masked wherever the agent writes
or forwards text.

Masks keep just enough to recognise one's own data (a phone's first three and last four digits, a card's last four)
and say what was there (`[身份证号]`, `[address]`). Numbers the brand itself publishes (its service line in the
policies) are left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["MASKED", "Masker", "luhn_ok", "mask"]

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _id_ok(number: str) -> bool:
    """The check character of an 18-character resident ID (GB 11643)."""
    digits = number[:17]
    if not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_ok(number: str) -> bool:
    """The Luhn checksum bank cards carry."""
    total = 0
    for i, char in enumerate(reversed(number)):
        d = int(char)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    replace: Callable[[re.Match[str]], str | None]  # None: not personal data after all, leave it


def _mask_email(m: re.Match[str]) -> str:
    user, _, domain = m.group(0).partition("@")
    return f"{user[:1]}***@{domain}"


def _mask_id(m: re.Match[str]) -> str | None:
    """An 18-character resident ID: by its check character, or (a mistyped check character is still someone's ID)
    by a plausible birth date in positions 7–14."""
    number = m.group(0)
    if _id_ok(number):
        return "[身份证号]"
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    return "[身份证号]" if 1900 <= year <= 2030 and 1 <= month <= 12 and 1 <= day <= 31 else None


def _mask_labelled(label: str) -> Callable[[re.Match[str]], str]:
    """Keep the words that name the number ("CVV", "护照号"), mask the number."""

    def replace(m: re.Match[str]) -> str:
        start, _ = m.span("value")
        return m.group(0)[: start - m.start()] + label

    return replace


def _mask_card(m: re.Match[str]) -> str | None:
    digits = _digits(m.group(0))
    # 16-19 digits is a card length whether or not the checksum holds (a typo is still someone's card);
    # 15 digits (American Express) only with a valid checksum, since some parcel numbers are that long.
    if not (16 <= len(digits) <= 19 or (len(digits) == 15 and luhn_ok(digits))):
        return None
    return f"[card ****{digits[-4:]}]"


def _mask_account(m: re.Match[str]) -> str | None:
    """A long digit string next to a word for an account or card: an account number, whatever its length."""
    digits = _digits(m.group("value"))
    if len(digits) < 6:
        return None
    start, _ = m.span("value")
    return m.group(0)[: start - m.start()] + f"[account ****{digits[-4:]}]"


def _mask_cn_mobile(m: re.Match[str]) -> str:
    digits = _digits(m.group(1))
    return f"{digits[:3]}****{digits[-4:]}"


def _mask_phone(m: re.Match[str]) -> str:
    digits = _digits(m.group(0))
    return f"[phone ***{digits[-4:]}]"


_CN_ADDRESS = (
    r"(?P<region>(?:[\u4e00-\u9fff]{2,7}(?:省|自治区))?(?:[\u4e00-\u9fff]{2,7}市)?)[\u4e00-\u9fff]{1,7}(?:区|县|市)"
    r"[^，。,；;！!？?\n]{0,40}?(?:路|街|道|巷|弄|村|小区|大厦|花园)"
    r"[^，。,；;！!？?\n]{0,30}(?:\d+|[一二三四五六七八九十百]+)\s*(?:号楼|号院|号|室|栋|幢|单元|层|座)"
    # what follows the last unit: a room or building number ("5号602", "191号B座1203")
    r"(?:[\dA-Za-z#-]*(?:号楼|号院|号|室|栋|幢|单元|层|座|楼)?)*"
)
_US_ADDRESS = (
    r"\b\d{1,6}\s+(?:[A-Z][a-z]+\.?\s+){1,4}"
    r"(?:St|Street|Ave|Avenue|Rd|Road|Blvd|Boulevard|Dr|Drive|Ln|Lane|Way|Ct|Court|Pl|Place|Ter|Terrace|Pkwy|Hwy)\b\.?"
    r"(?:,?\s+(?:Apt|Suite|Ste|Unit|#)\.?\s*\w+)?"
    # the city, state and ZIP code after it ("221 Birchwood Ln, Tulsa OK 74105")
    r"(?:,?\s+(?:[A-Z][a-z]+\.?\s+){0,3}?[A-Z][a-z]+,?\s+[A-Z]{2}\.?(?:\s+\d{5}(?:-\d{4})?)?(?![A-Za-z]))?"
)
# "Denver, CO 80202" on its own: a city, a state's two letters and a ZIP code
_US_CITY_ZIP = r"\b(?:[A-Z][a-z]+\s+){0,2}[A-Z][a-z]+,?\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?\b"
# an IBAN: country letters, two check digits, then groups of letters and digits ("GB82 WEST 1234 5698 7654 32")
_IBAN = r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){3,7}(?:[ ]?[A-Z0-9]{1,3})?\b"

_CN_UNIT = r"(?:号楼|号院|号|室|栋|幢|单元|层|座|楼)"
_CN_LABELLED = (
    r"(?:地址|寄到|送到|邮寄到|发到|寄往)\s*(?:是|为)?\s*[:：]?\s*(?P<value>[^，。,；;！!？?\n\[]{1,40}?"
    r"(?:路|街|道|巷|弄|村|小区|大厦|广场|花园)[^，。,；;！!？?\n]{0,30}\d+\s*"
    + _CN_UNIT
    + r"(?:[\dA-Za-z#-]*"
    + _CN_UNIT
    + r"?)*)"
)
_US_LABELLED = (
    r"\b(?:address(?:\s+is)?|ship(?:\s+it)?\s+to|send(?:\s+it)?\s+to|deliver(?:\s+it)?\s+to|i\s+live\s+at)\s*:?\s*"
    r"(?P<value>\d{1,6}\s[^.?!\n\[]{2,60}?\b\d{5}(?:-\d{4})?)(?!\d)"
)
_HANDLE = (
    r"(?:微信号?|v信|wechat(?:\s+id)?|qq号?|telegram|whatsapp)\s*(?:号|id)?\s*(?:是|为|:|：|is)?\s*"
    r"(?P<value>[A-Za-z0-9][A-Za-z0-9_-]{4,19})(?![A-Za-z0-9_-])"
)
_SECRET = r"(?:cvv2?|cvc2?|cid|csc|card security code|security code|安全码|验证码|cvv码)"
# passports and the mainland's travel permits (港澳通行证 C/W + 8 digits, 台胞证 8 or 10 digits, 回乡证 H/M + 8-10)
_PASSPORT = (
    r"(?:passport(?:\s*(?:number|no\.?|#))?|护照(?:号码|号)?|(?:往来)?港澳(?:居民来往内地)?通行证(?:号码|号)?"
    r"|(?:往来)?台湾?(?:居民来往大陆)?通行证(?:号码|号)?|台胞证(?:号码|号)?|回乡证(?:号码|号)?|通行证(?:号码|号)?"
    r"|travel permit(?:\s*(?:number|no\.?|#))?|(?:home return|mainland travel) permit(?:\s*(?:number|no\.?|#))?)"
)
_ACCOUNT = (
    r"(?:account(?:\s*(?:number|no\.?|#))?|acct|card(?:\s*(?:number|no\.?|#))?"
    r"|卡号|账号|帐号|账户|银行卡|iban|routing)"
)
_SSN_WORDS = r"(?:ssn|social security(?:\s*(?:number|no\.?|#))?|社会安全号)"

_RULES = (
    _Rule(
        "security code",
        # "security code on the back is 5521", "背面安全码是 123": a few words may stand between
        re.compile(_SECRET + r"[^\d\n]{0,40}?(?P<value>\d{3,4})(?!\d)", re.IGNORECASE),
        _mask_labelled("[***]"),
    ),
    _Rule(
        "passport",
        re.compile(
            _PASSPORT + r"[^\dA-Za-z\n]{0,12}?(?:is\s*)?(?P<value>[A-Z]{0,2}\d{7,10})(?![\dA-Za-z])", re.IGNORECASE
        ),
        _mask_labelled("[passport]"),
    ),
    # passports (E, G, D, S, P) and 港澳通行证 (C, W) without a word naming them
    _Rule("passport", re.compile(r"(?<![\dA-Za-z])[EeGgDdSsPpCcWw]\d{8}(?![\dA-Za-z])"), lambda m: "[passport]"),
    _Rule(
        "ssn",
        re.compile(_SSN_WORDS + r"\s*(?:is|:|：|#)?\s*(?P<value>\d{3}[- ]?\d{2}[- ]?\d{4})(?!\d)", re.IGNORECASE),
        _mask_labelled("[SSN]"),
    ),
    _Rule("ssn", re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])"), lambda m: "[SSN]"),
    _Rule("iban", re.compile(_IBAN), lambda m: f"[IBAN ****{_digits(m.group(0))[-4:]}]"),
    _Rule("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), _mask_email),
    _Rule("id", re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])"), _mask_id),
    _Rule("card", re.compile(r"(?<![\dA-Za-z])\d{4}(?:[ -]?\d{4}){2,3}(?:[ -]?\d{1,3})?(?![\dA-Za-z])"), _mask_card),
    # American Express as printed, 4-6-5 ("3782 822463 10005")
    _Rule("card", re.compile(r"(?<![\dA-Za-z])3[47]\d{2}[ -]?\d{6}[ -]?\d{5}(?![\dA-Za-z])"), _mask_card),
    _Rule(
        "phone",
        re.compile(r"(?<![\dA-Za-z])(?:\+?86[ -]?)?(1[3-9]\d[ -]?\d{4}[ -]?\d{4})(?![\dA-Za-z])"),
        _mask_cn_mobile,
    ),
    _Rule(
        "phone",
        re.compile(r"(?<![\dA-Za-z])(?:\+?1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}(?![\dA-Za-z])"),
        _mask_phone,
    ),
    _Rule("phone", re.compile(r"(?<![\dA-Za-z])0\d{2,3}-\d{7,8}(?![\dA-Za-z])"), _mask_phone),
    _Rule("phone", re.compile(r"(?<![\dA-Za-z])0\d{2,3}[ -]\d{3,4}[ -]\d{4}(?![\dA-Za-z])"), _mask_phone),
    # other countries' numbers as dialled from abroad ("+44 20 7946 0958")
    _Rule("phone", re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,4}[ .-]?\d{3,4}(?!\d)"), _mask_phone),
    _Rule(
        "account",
        re.compile(_ACCOUNT + r"\D{0,12}?(?P<value>\d(?:[\d -]{4,}\d))(?!\d)", re.IGNORECASE),
        lambda m: _mask_account(m),
    ),
    # the province and city stay (they identify no one, and "寄到新疆…" asks about the region); the rest is masked
    _Rule("address", re.compile(_CN_ADDRESS), lambda m: (m.group("region") or "") + "[地址]"),
    _Rule("address", re.compile(_US_ADDRESS), lambda m: "[address]"),
    _Rule("address", re.compile(_US_CITY_ZIP), lambda m: "[address]"),
    # after a word that introduces an address, what the two rules above miss ("收货地址：南京西路1266号恒隆广场5楼",
    # "my address: 500 W 5th St #210, Austin, Texas 78701")
    _Rule("address", re.compile(_CN_LABELLED), _mask_labelled("[地址]")),
    _Rule("address", re.compile(_US_LABELLED, re.IGNORECASE), _mask_labelled("[address]")),
    # chat handles after the word that names them ("微信号 tea_fan_2024", "QQ号 123456789")
    _Rule("contact", re.compile(_HANDLE, re.IGNORECASE), _mask_labelled("[contact]")),
)


# What the masks leave in a message ("[地址]", "[card ****1111]", "j***@gmail.com", "138****5678"): where personal
# data was, asking nothing (the agent drops them before reading the question, so "[地址]" is no address question)
MASKED = re.compile(
    r"\[(?:身份证号|address|地址|contact|passport|SSN|\*\*\*|(?:card|account|IBAN) \*{4}\w{0,4}|phone \*{3}\d{0,4})\]"
    # the word that introduced an address goes with it ("收货地址深圳市[地址]" asks nothing about addresses)
    r"|(?:收货|收件|寄送|配送|邮寄|家庭|我的)?地址\s*(?:是|为)?\s*[:：]?\s*(?=(?:[\u4e00-\u9fff]{2,7}(?:省|自治区|市))*\[地址\])"
    r"|\b(?:my )?address(?: is)?\s*:?\s*(?=\[address\])"
    r"|[A-Za-z0-9]\*{3}@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|(?<!\d)1\d{2}\*{4}\d{4}(?!\d)"
)


class Masker:
    """Masks personal data in text; `allow` lists strings (the brand's own phone line) that stay visible."""

    def __init__(self, allow: Iterable[str] = ()) -> None:
        self._allow = frozenset(_digits(a) or a for a in allow)

    @classmethod
    def for_policies(cls, policies: Iterable[str]) -> Masker:
        """A masker that leaves alone every phone number the policies publish."""
        published: list[str] = []
        for text in policies:
            for rule in _RULES:
                if rule.kind == "phone":
                    published += [m.group(0) for m in rule.pattern.finditer(text)]
        return cls(published)

    def mask(self, text: str) -> str:
        for rule in _RULES:
            text = rule.pattern.sub(lambda m, r=rule: self._replace(r, m), text)  # type: ignore[misc]
        return text

    def found(self, text: str) -> list[str]:
        """The kinds of personal data in `text` (for tests and audit logs)."""
        kinds = []
        for rule in _RULES:  # in masking order: what one rule masked, the next does not see
            for m in rule.pattern.finditer(text):
                if self._replace(rule, m) != m.group(0):
                    kinds.append(rule.kind)
            text = rule.pattern.sub(lambda m, r=rule: self._replace(r, m), text)  # type: ignore[misc]
        return kinds

    def _replace(self, rule: _Rule, m: re.Match[str]) -> str:
        if (_digits(m.group(0)) or m.group(0)) in self._allow:
            return m.group(0)
        masked = rule.replace(m)
        return m.group(0) if masked is None else masked


def mask(text: str) -> str:
    """`text` with phone numbers, ID numbers, bank cards, e-mail and street addresses masked."""
    return Masker().mask(text)
