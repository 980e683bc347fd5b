"""Claim extraction: the typed `Claim`s in a text (zh-CN and en-US)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from contentgen.compliance.grounding.model import (
    Claim,
    Value,
)
from contentgen.compliance.grounding.numbers import (
    _ONE_WORDS,
    _SPACES,
    chinese_number,
    parse_number,
)
from contentgen.compliance.grounding.patterns import (
    _APPROX_BEFORE,
    _BEFORE_WORD,
    _COUNT_UNITS,
    _DATE_DOT,
    _DATE_DOT_BEFORE,
    _DATE_EN,
    _DATE_ISO,
    _DATE_SLASH,
    _DATE_ZH,
    _DEADLINE_BEFORE,
    _DIGITS_DOT,
    _DISCOUNT_RES,
    _EVENT_RES,
    _FIRST_N,
    _FULLWIDTH,
    _HOLIDAYS,
    _LIST_PRICE_RES,
    _MASKS,
    _MONTHS,
    _MULTI_BEFORE,
    _NEGATED_BEFORE,
    _NOT_MONEY_AHEAD,
    _ORDINAL_BEFORE,
    _PA_RE,
    _PER_UNIT_AFTER,
    _PER_UNIT_BEFORE,
    _PRICE_BARE_RE,
    _PRICE_QUAL_BEFORE,
    _PRICE_RE,
    _PROMISE_RES,
    _PURCHASE_BEFORE,
    _QTY_RE,
    _QUALIFIERS,
    _RELATIVE_RES,
    _SOCIAL,
    _SPF_RE,
    _START_AFTER,
    _START_BEFORE,
    _STOCK_RES,
    _UNIT_AHEAD,
    _UNIT_RES,
    _money_of,
)
from contentgen.compliance.grounding.prefilter import Prefilter
from contentgen.domain.common import Locale
from contentgen.text.sentences import sentence_end

# Each pattern with the literal pre-check that skips the texts it cannot match (most texts, for these families).
_RELATIVE_CHECKED = tuple((pattern, key, Prefilter.of(pattern)) for pattern, key in _RELATIVE_RES)
_PROMISE_CHECKED = tuple((pattern, topic, Prefilter.of(pattern)) for pattern, topic in _PROMISE_RES)
_DISCOUNT_CHECKED = tuple((pattern, topic, Prefilter.of(pattern)) for pattern, topic in _DISCOUNT_RES)

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


def _claim(
    kind: str,
    text: str,
    where: re.Match[str] | tuple[int, int],
    value: Value,
    *,
    unit: str | None = None,
    topic: str | None = None,
    upper: Decimal | None = None,
    threshold: Decimal | None = None,
    qualifier: str | None = None,
    context: str | None = None,
    precision: Decimal | None = None,
    parts: Iterable[tuple[int, int]] = (),
) -> Claim:
    """A claim over `where` (a match or a span) of `text`; `parts` are absolute spans, stored relative to it."""
    start, end = where if isinstance(where, tuple) else where.span()
    return Claim(
        kind=kind,
        text=text[start:end],
        span=(start, end),
        value=value,
        unit=unit,
        topic=topic,
        upper=upper,
        threshold=threshold,
        qualifier=qualifier,
        context=context,
        precision=precision,
        parts=tuple((a - start, b - start) for a, b in parts),
    )


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
        before = text[max(0, match.start("n") - 12) : match.start("n")]
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
        yield _claim(
            "number",
            text,
            (start, end),
            value,
            unit=unit,
            upper=upper,
            qualifier=qualifier,
            parts=(match.span("n"), *((match.span("n2"),) if upper is not None else ())),
        )


def _year_for(month: int, day: int, years: Sequence[int]) -> list[dt.date]:
    found = []
    for year in years:
        try:
            found.append(dt.date(year, month, day))
        except ValueError:
            continue
    return found


def _date_context(text: str, start: int, end: int, after: str | None) -> str | None:
    before = text[max(0, start - 16) : start]
    if after and after.strip() in {"前", "之前", "以前"}:
        return "deadline_excl"
    if after and after.strip():
        return "deadline" if after.strip() in {"截止", "结束", "为止", "止"} else None
    if _BEFORE_WORD.search(before):
        return "deadline_excl"
    if _DEADLINE_BEFORE.search(before):
        return "deadline"
    if _START_BEFORE.search(before) or _START_AFTER.match(text[end : end + 4]):
        return "start"
    return None


def _month_day(month: str, day: str) -> tuple[int, int] | None:
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
        first = _month_day(match.group("m"), match.group("d"))
        second = _month_day(match.group("m2") or match.group("m"), match.group("d2")) if match.group("d2") else None
        if first:
            year = int(match.group("y")) if match.group("y") else None
            found.append((match, first, second, year, "zh"))
    for match in _DATE_ISO.finditer(text):
        first = _month_day(match.group("m"), match.group("d"))
        if first:
            found.append((match, first, None, int(match.group("y")), "iso"))
    for match in _DATE_EN.finditer(text):
        mon = match.group("mon") or match.group("mon3")
        if mon.lower().startswith("may") and mon[0] != "M":
            continue  # the verb, not the month
        month = _MONTHS[mon[:3].lower()]
        day = match.group("d") or match.group("d3")
        first = _month_day(str(month), day)
        second = None
        if match.group("d2"):
            month2 = _MONTHS[match.group("mon2")[:3].lower()] if match.group("mon2") else month
            second = _month_day(str(month2), match.group("d2"))
        en_year = match.group("y") or match.group("y3")
        if first:
            found.append((match, first, second, int(en_year) if en_year else None, "en"))
    for match in _DATE_SLASH.finditer(text):
        first = _month_day(match.group("m"), match.group("d"))
        if not first or _UNIT_AHEAD.match(text[match.end() : match.end() + 8]):
            continue
        second = _month_day(match.group("m2"), match.group("d2")) if match.group("m2") else None
        slash_year = match.group("y")
        found.append(
            (
                match,
                first,
                second,
                (int(slash_year) + (2000 if len(slash_year) == 2 else 0)) if slash_year else None,
                "slash",
            )
        )
    for match in _DATE_DOT.finditer(text):
        first = _month_day(match.group("m"), match.group("d"))
        context_ok = bool(match.group("after")) or bool(
            _DATE_DOT_BEFORE.search(text[max(0, match.start() - 8) : match.start()])
        )
        if not first or not context_ok or _UNIT_AHEAD.match(text[match.end() : match.end() + 6]):
            continue
        second = _month_day(match.group("m2"), match.group("d2")) if match.group("m2") else None
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
        yield Claim(
            kind="date",
            text=text[start:end],
            span=(start, end),
            value=value,
            topic=style,
            context=context,
            unit=upper_text,
        )
    for pattern, key, check in _RELATIVE_CHECKED:
        if not check.may_match(text):
            continue
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
            yield _claim(
                "date",
                text,
                match,
                amount,
                unit=rel_unit,
                topic=key,
                context="relative",
                parts=((match.span(number),) if number else ()),
            )


def _first(match: re.Match[str], base: str) -> str | None:
    """The name of the first group called `base` or `base<digits>` that matched."""
    for name, value in match.groupdict().items():
        if value is not None and name.rstrip("0123456789") == base:
            return name
    return None


def _promises(text: str, taken: _Taken) -> Iterator[Claim]:
    for pattern, topic, check in _PROMISE_CHECKED:
        if not check.may_match(text):
            continue
        for match in pattern.finditer(text):
            if not match.group(0).strip() or not taken.free(*match.span()):
                continue
            value: Decimal | None = None
            upper: Decimal | None = None
            unit: str | None = None
            parts: list[tuple[int, int]] = []
            number = _first(match, "n")
            if number and _ORDINAL_BEFORE.search(text[max(0, match.start(number) - 4) : match.start(number)]):
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
                value, unit = (
                    (Decimal(0) if word in {"当天", "当日", "今日", "same-day", "same day", "today"} else Decimal(24)),
                    "h",
                )
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
            yield _claim(
                "promise",
                text,
                match,
                obj if topic == "gift" else value,
                unit=unit,
                topic=topic,
                upper=upper,
                threshold=threshold,
                parts=tuple(parts),
            )


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
    number = parse_number(raw.replace("点", ".")) if _DIGITS_DOT.fullmatch(raw) else chinese_number(raw)
    if number is None:
        return None
    if number >= 10 and number == number.to_integral_value() and number < 100:
        number = number / 10
    if not 0 < number < 10:
        return None
    precision = Decimal(10) if number == number.to_integral_value() else Decimal(1)
    return (Decimal(10) - number) * 10, precision


def _discounts(text: str, taken: _Taken) -> Iterator[Claim]:
    for pattern, topic, check in _DISCOUNT_CHECKED:
        if not check.may_match(text):
            continue
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
                    claim = _claim(
                        "discount",
                        text,
                        match,
                        a,
                        unit="CNY",
                        topic="threshold",
                        threshold=t,
                        parts=(match.span(t_key), match.span(a_key)),
                    )
                else:
                    a_tag, t_tag = ("m", "t") if groups.get("am") else ("w", "v")
                    am, tm = _money_of(match, a_tag), _money_of(match, t_tag)
                    if am is None or tm is None:
                        continue
                    claim = _claim(
                        "discount",
                        text,
                        match,
                        am[0],
                        unit=am[1],
                        topic="threshold",
                        threshold=tm[0],
                        parts=(tm[2], am[2]),
                    )
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
                claim = _claim(
                    "discount", text, match, (match.group("code") or match.group("code2")).upper(), topic="code"
                )
            elif topic == "percent":
                claim = _percent_claim(text, match)
            elif topic == "amount":
                claim = _amount_claim(text, match)
            elif topic == "sale":
                if _NEGATED_BEFORE.search(text[max(0, match.start() - 10) : match.start()]):
                    continue
                claim = _claim("discount", text, match, None, topic="sale")
            if claim is not None:
                taken.take(*match.span())
                yield claim


def _percent_claim(text: str, match: re.Match[str]) -> Claim | None:
    groups = match.groupdict()
    upto = (groups.get("zq") == "低至") or (groups.get("pq") or "").lower().startswith("up")
    qualifier = "upto" if upto else None
    if _APPROX_BEFORE.search(text[max(0, match.start() - 12) : match.start()]):
        qualifier = "approx"
    if groups.get("z"):
        converted = _zhe_to_percent_off(match.group("z"))
        if converted is None:
            return None
        (off, precision), context, key = converted, "zhe", "z"
    else:
        found = next((k for k in ("p", "p2", "p3") if groups.get(k)), None)
        if found is None:
            return _claim(
                "discount", text, match, Decimal(50), unit="%", topic="percent", precision=Decimal(1), context="half"
            )
        raw, context, key = match.group(found), "percent", found
        off, precision = Decimal(raw), Decimal(10) ** -(len(raw.split(".")[1]) if "." in raw else 0)
    return _claim(
        "discount",
        text,
        match,
        off,
        unit="%",
        topic="percent",
        precision=precision,
        qualifier=qualifier,
        context=context,
        parts=(match.span(key),),
    )


def _amount_claim(text: str, match: re.Match[str]) -> Claim | None:
    groups = match.groupdict()
    for key in ("a", "a2", "a3"):
        if groups.get(key):
            value = parse_number(match.group(key))
            if value is None or value == 0:
                return None
            money = groups.get("c") or groups.get("c0")
            if key == "a" and not money and _NOT_MONEY_AHEAD.match(text[match.end() : match.end() + 6]):
                return None
            topic = "coupon" if key in {"a2", "a3"} else "amount"
            currency = "USD" if (groups.get("c0") or "").startswith("$") else "CNY"
            return _claim(
                "discount",
                text,
                match,
                value,
                unit=currency if money or key != "a" else None,
                topic=topic,
                parts=(match.span(key),),
            )
    for tag, key in (("m", "am"), ("x", "am2"), ("y", "am3"), ("z", "am4"), ("k", "am5")):
        if groups.get(key):
            money = _money_of(match, tag)
            if money is None:
                return None
            return _claim(
                "discount",
                text,
                match,
                money[0],
                unit=money[1],
                topic="coupon" if tag == "y" else "amount",
                parts=(money[2],),
            )
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
            topic = (
                "value"
                if index >= 3
                else (
                    "regular"
                    if kw in {"日常价", "正价"} or kw.startswith("regular") or kw in {"normally", "usually"}
                    else "list"
                )
            )
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
            before = text[max(0, start - 16) : start]
            q = _PRICE_QUAL_BEFORE.search(before)
            if q:
                qualifier = _qualifier(q.group("q")) or qualifier
                start -= len(before) - q.start()
            count = None
            multi = _MULTI_BEFORE.search(text[max(0, start - 24) : start])
            if multi and not q:
                count = parse_number(multi.group("n"))
                if count is not None and count >= 2:
                    start = max(0, start - 24) + multi.start()
                else:
                    count = None
            per = _PER_UNIT_AFTER.match(text[end : end + 16])
            per_before = _PER_UNIT_BEFORE.search(text[max(0, start - 10) : start])
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
            context = (
                _unit_of(unit_word, "en-US") or "serving"
                if unit_word
                else ("promo" if kw and _PROMO_KW.search(kw) else None)
            )
            topic = "per_unit" if unit_word else ("multi" if count else None)
            yield _claim(
                "price",
                text,
                (start, end),
                money[0],
                unit=money[1],
                qualifier=qualifier,
                context=context,
                topic=topic,
                upper=count,
                parts=(money[2],),
            )


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
            negated = _NEGATED_BEFORE.search(text[max(0, match.start() - 10) : match.start()])
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
    return sentence_end(text, position) in {"?", "？"}


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
    out = [dataclasses.replace(c, text=text[c.span[0] : c.span[1]]) for c in claims]  # the original characters
    return tuple(sorted(out, key=lambda c: c.span))


def extract_claims(text: str, locale: Locale) -> list[Claim]:
    """Every checkable claim in `text`, in order: prices, list prices, discounts, numbers, dates, stock, promises."""
    return _extract(text, locale)
