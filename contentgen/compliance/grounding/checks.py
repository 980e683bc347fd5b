"""Grounding: each claim checked against the fact sheet; a `Finding` for each one that does not trace."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from contentgen.compliance.grounding.extract import (
    _extract,
    _year_for,
)
from contentgen.compliance.grounding.facts import (
    FactSheet,
    _currency_ok,
    _multi_prices,
    _offer_prices,
    _scoped,
    _shares_words,
    _stated,
)
from contentgen.compliance.grounding.model import (
    APPROX,
    CONVERSION,
    LOW_STOCK,
    Claim,
    Fact,
)
from contentgen.compliance.grounding.numbers import (
    _cents,
    _money,
    _numeral,
)
from contentgen.compliance.grounding.patterns import (
    _CJK_RUN,
    _CONDITIONS,
    _CONVERT,
    _EN_DATE_HEAD,
    _EN_SHORT_MONTH,
    _EVENTS,
    _FASTER_IS_BETTER,
    _ISO_DATE_HEAD,
    _LATIN3,
    _SLASH_DATE_HEAD,
    _ZH_DATE_HEAD,
)
from contentgen.domain.brief import Promotion
from contentgen.domain.common import Locale
from contentgen.domain.findings import Finding, Severity
from contentgen.domain.product import Product
from contentgen.text.sentences import sentence_span

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


def _product_list(products: Sequence[Product], sheet: FactSheet) -> list[Product]:
    return list(products) if products else list(sheet.products)


def _conditions_met(fact: Fact, text: str) -> bool:
    return all(_CONDITIONS[c].search(text) for c in fact.conditions)


def _check_price(claim: Claim, sheet: FactSheet, subjects: Sequence[Product], text: str) -> _Verdict | None:
    assert isinstance(claim.value, Decimal)
    value = claim.value
    facts = [
        f
        for f in _scoped(sheet.facts("price"), subjects)
        if _currency_ok(claim.unit, f.unit) and isinstance(f.value, Decimal)
    ]
    if claim.topic == "multi" and claim.upper is not None:
        for product in _product_list(subjects, sheet):
            if value in _multi_prices(product, sheet.promotion, claim.upper):
                return None
    elif claim.topic == "per_unit":
        for fact in facts:
            assert isinstance(fact.value, Decimal)
            counts = [Decimal(1)] + [
                n.value
                for n in sheet.facts("number")
                if n.sku == fact.sku and n.unit == claim.context and isinstance(n.value, Decimal) and n.value > 0
            ]
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
    candidates = [
        (p, amount)
        for p in pool
        for amount, _ in _offer_prices(p, sheet.promotion)
        if _currency_ok(claim.unit, p.currency)
    ]
    described = "; ".join(_price_summary(p, sheet) for p in pool[:3]) if pool else "no products in the sheet"
    shown = _money(value, claim.unit) if claim.unit else _numeral(value)
    what = {"per_unit": "per-unit price", "multi": f"price for {_numeral(claim.upper or Decimal(0))}"}.get(
        claim.topic or "", "price"
    )
    message = f"{what} {shown} is not in the catalog or the brief ({described})"
    suggestion = None
    if candidates and claim.topic is None:
        if claim.context != "promo":  # a plain price: suggest the catalog price
            candidates = [(p, p.price) for p, _ in candidates]
        best = min(candidates, key=lambda c: abs(c[1] - value))
        suggestion = _replace(claim, [_numeral(best[1], claim.text[claim.parts[0][0] : claim.parts[0][1]])])
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
    shown = _money(value, claim.unit) if claim.unit else _numeral(value)
    with_list = [p for p in pool if p.list_price is not None]
    label = "reference value" if claim.topic == "value" else "original/list price"
    if with_list:
        held = ", ".join(f"{p.sku} {p.money(p.list_price)}" for p in with_list[:3])
        like = claim.text[claim.parts[0][0] : claim.parts[0][1]]
        best = min(with_list, key=lambda p: abs((p.list_price or Decimal(0)) - value))
        assert best.list_price is not None
        return _Verdict(
            f"{label} {shown} does not match the catalog list price ({held})",
            _replace(claim, [_numeral(best.list_price, like)]),
        )
    names = ", ".join(p.sku for p in pool[:3]) or "no product in the sheet"
    return _Verdict(
        f"{label} {shown} cannot be stated: {names} has no list price in the catalog "
        "(a reference price must be a real earlier price); remove it"
    )


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
        return _Verdict(
            f"code {claim.value} is not the brief's coupon code ({', '.join(codes) or 'none'})",
            _replace_code(claim, codes),
        )
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
            if (
                fact.topic == "threshold"
                and fact.value == value
                and fact.threshold == claim.threshold
                and _currency_ok(claim.unit, fact.unit)
            ):
                return None
        offers = [f for f in facts if f.topic == "threshold" and isinstance(f.value, Decimal) and f.threshold]
        suggestion = None
        if len(offers) == 1 and len(claim.parts) == 2:
            assert isinstance(offers[0].value, Decimal) and offers[0].threshold is not None
            suggestion = _replace(claim, [_numeral(offers[0].threshold), _numeral(offers[0].value)])
        held = ", ".join(
            f"{_numeral(f.threshold or Decimal(0))}/{_numeral(f.value)}" for f in offers if isinstance(f.value, Decimal)
        )
        spend = _numeral(claim.threshold or Decimal(0))
        return _Verdict(
            f"offer {claim.text} (spend {spend}, save {_numeral(value)}) is not "
            f"in the brief's promotion (threshold offers: {held or 'none'})",
            suggestion,
        )
    prices = [p.price for p in _product_list(subjects, sheet)]
    for fact in facts:
        if not isinstance(fact.value, Decimal) or fact.value != value or not _currency_ok(claim.unit, fact.unit):
            continue
        if fact.topic in {"amount", "coupon"}:
            return None
        if fact.topic == "threshold" and fact.threshold is not None and any(p >= fact.threshold for p in prices):
            return None
    amounts = sorted(
        {
            f.value
            for f in facts
            if f.topic in {"amount", "coupon"}
            and isinstance(f.value, Decimal)
            and (f.sku is None or f.sku in {p.sku for p in subjects})
        }
    )
    suggestion = None
    if amounts and claim.parts:
        best = min(amounts, key=lambda a: abs(a - value))
        suggestion = _replace(claim, [_numeral(best)])
    held = ", ".join(_numeral(a) for a in amounts[:5]) or "none"
    return _Verdict(
        f"saving {claim.text} ({_numeral(value)} off) is not in the brief's promotion or the catalog's "
        f"list-to-price difference (savings that trace: {held})",
        suggestion,
    )


def _replace_code(claim: Claim, codes: Sequence[str]) -> str | None:
    if len(codes) != 1 or not isinstance(claim.value, str):
        return None
    index = claim.text.upper().rfind(claim.value)
    return None if index < 0 else claim.text[:index] + codes[0] + claim.text[index + len(claim.value) :]


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
    choices = sorted(set(exact)) or sorted(
        {(v / precision).quantize(Decimal(1), rounding=ROUND_HALF_UP) * precision for v in derived}
    )
    suggestion = None
    if len(choices) == 1 and claim.parts:
        correct = choices[0]
        shown = _numeral((100 - correct) / 10) if claim.context == "zhe" else _numeral(correct)
        suggestion = _replace(claim, [shown])
    held = ", ".join(f"{_numeral(c)}% off" for c in choices[:5]) or "none"
    meaning = f"{_numeral(100 - off)}% of the price" if claim.context == "zhe" else f"{_numeral(off)}% off"
    return _Verdict(
        f"discount {claim.text} ({meaning}) is not in the brief's promotion or derivable from the "
        f"catalog (discounts that trace: {held})",
        suggestion,
    )


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
    sentence = text[slice(*sentence_span(text, *claim.span))]
    facts = [
        f
        for f in _scoped(sheet.facts("number"), subjects)
        if _conditions_met(f, text) and (not f.source.startswith("policy:") or _shares_words(sentence, f.text))
    ]
    values = [claim.value] + ([claim.upper] if claim.upper is not None else [])
    if all(any(_same_quantity(v, claim.unit, f, claim.qualifier) for f in facts) for v in values):
        return None
    skus = {p.sku for p in subjects}
    family = _to_base(Decimal(1), claim.unit)
    same = sorted(
        {
            (f.value, f.unit)
            for f in facts
            if (not skus or f.sku in skus)
            and isinstance(f.value, Decimal)
            and family is not None
            and (_to_base(f.value, f.unit) or ("", 0, True))[0] == family[0]
            and f.sku is not None
        },
        key=lambda vu: (str(vu[1]), vu[0]),
    )
    held = ", ".join(f"{_numeral(v)} {u}" for v, u in same[:6] if isinstance(v, Decimal))
    where = ", ".join(sorted(skus)[:3]) if skus else "the sheet"
    suggestion = None
    in_unit = {v for v, u in same if u == claim.unit}
    if len(in_unit) == 1 and claim.upper is None and claim.parts:
        only = in_unit.pop()
        assert isinstance(only, Decimal)
        suggestion = _replace(claim, [_numeral(only)])
    if claim.topic == "first_n":
        return _Verdict(
            f"'{claim.text.strip()}' limits the offer to the first {_numeral(claim.value)} buyers, "
            "which the brief does not state"
        )
    kind = "figure" if claim.topic == "social" else "quantity"
    return _Verdict(
        f"{kind} {claim.text.strip()} is not in the product data of {where}" + (f" (it holds {held})" if held else ""),
        suggestion,
    )


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
        return _ISO_DATE_HEAD.sub(
            lambda m: f"{date.year}{m.group(1)}{date.month:02d}{m.group(1)}{date.day:02d}", claim.text, count=1
        )
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
        claim.context or "", "a date"
    )
    return _Verdict(
        f"{role} '{claim.text}' does not match the promotion ({window})",
        _fmt_date_like(claim, wanted) if wanted else None,
    )


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
    return _Verdict(
        f"time claim '{claim.text}' does not fit the promotion ({window}; today {today.isoformat()}, {status})",
        suggestion,
    )


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
        return _Verdict(
            f"'{claim.text}' but the catalog does not describe {', '.join(p.sku for p in pool[:3])} "
            "as a limited edition"
        )
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


def _gift_overlap(a: str, b: str) -> bool:
    def tokens(s: str) -> set[str]:
        s = s.lower()
        cjk = _CJK_RUN.findall(s)
        grams = {run[i : i + 2] for run in cjk for i in range(max(1, len(run) - 1))}
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
            suggestion = _replace(claim, [_numeral(policy.value)])
        elif len(claim.parts) == 2 and policy.upper is not None:
            suggestion = _replace(claim, [_numeral(policy.value), _numeral(policy.upper)])
    said = f" ({policy.source} says: {policy.text.strip()[:80]})" if policy else ""
    return _Verdict(f"promise '{claim.text}' is not supported by the brief or the policies{said}", suggestion)


def _no_policy(claim: Claim, all_facts: Sequence[Fact]) -> str:
    if all_facts:
        needed = sorted({c for f in all_facts for c in f.conditions})
        return (
            f"promise '{claim.text}' applies only with a condition the copy does not state "
            f"({', '.join(needed)}; {all_facts[0].source})"
        )
    return f"promise '{claim.text}' is not in the brief or the brand's policies"


def _check_free_shipping(
    claim: Claim, facts: Sequence[Fact], all_facts: Sequence[Fact], subjects: Sequence[Product], sheet: FactSheet
) -> _Verdict | None:
    if any(f.threshold is None for f in facts):
        return None
    thresholds = sorted(f.threshold for f in facts if f.threshold is not None)
    if claim.threshold is not None:
        if any(t <= claim.threshold for t in thresholds):
            return None
    elif (
        subjects
        and thresholds
        and all(min(a for a, _ in _offer_prices(p, sheet.promotion)) >= thresholds[0] for p in subjects)
    ):
        return None  # "包邮" for a product whose lowest offer price already reaches the threshold
    if not all_facts:
        return _Verdict(f"free-shipping promise '{claim.text}' is not in the brief or the policies")
    if not thresholds:
        return _Verdict(_no_policy(claim, all_facts))
    shown = _numeral(thresholds[0])
    suggestion = _replace(claim, [shown]) if claim.threshold is not None and len(claim.parts) == 1 else None
    return _Verdict(
        f"free-shipping promise '{claim.text}' overstates the policy (free shipping from {shown}; "
        f"{facts[0].source if facts else all_facts[0].source})",
        suggestion,
    )


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
