"""The fact sheet: products, a brief, policies and the brand kit as typed `Fact`s, derived prices included."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal

from contentgen.compliance.grounding.extract import (
    _extract,
    _normalise,
    _unit_of,
)
from contentgen.compliance.grounding.model import (
    Claim,
    Fact,
)
from contentgen.compliance.grounding.numbers import (
    _cents,
    parse_number,
)
from contentgen.compliance.grounding.patterns import (
    _AUTHENTIC_TIMES,
    _CJK,
    _CJK_RUN,
    _CONDITIONS,
    _DELIVERY_WORDS,
    _EDITION_WORDS,
    _FASTER_IS_BETTER,
    _HEADING,
    _KEY_UNIT,
    _LATIN4,
    _MEMBER_POLICY,
    _NAME_SPLIT,
    _NAME_WORD,
    _NEGATION,
    _NEXT_DAY,
    _NO_AMOUNT,
    _POSITIVE_NO,
    _QTY_RE,
    _SAME_DAY,
    _TABLE_RULE,
    _THRESHOLD_CUE,
    _TIME_UNITS,
    _TOPIC_KEYS,
    _UNCONDITIONAL,
    _WINDOW_ANCHOR,
    _money_of,
)
from contentgen.domain.brand import BrandKit
from contentgen.domain.brief import Brief, Promotion
from contentgen.domain.common import Locale
from contentgen.domain.product import Product
from contentgen.text.sentences import sentence_span, split_statements

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
            yield Fact(
                "number",
                claim.value,
                claim.unit,
                source,
                topic=claim.topic,
                sku=sku,
                upper=claim.upper,
                approx=claim.qualifier in {"approx", "min", "upto"},
                text=text[:160],
            )
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
        for clause in split_statements(line.lstrip("-*0123456789. ")):
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
                yield Fact(
                    "number",
                    claim.value,
                    claim.unit,
                    source,
                    sku=None,
                    upper=claim.upper,
                    approx=claim.qualifier is not None,
                    conditions=conditions,
                    text=clause,
                )
                if claim.upper is not None:
                    yield Fact("number", claim.upper, claim.unit, source, conditions=conditions, text=clause)
            elif claim.kind == "discount" and claim.topic != "sale":
                yield Fact(
                    "discount",
                    claim.value,
                    claim.unit,
                    source,
                    topic=claim.topic,
                    threshold=claim.threshold,
                    conditions=conditions,
                    text=clause,
                )
            elif claim.kind == "promise" and not (claim.topic == "free_shipping" and claim.threshold is None):
                yield _promise_fact(claim, source, conditions, clause)
        yield from _topic_facts(clause, context, claims, source, conditions)


def _promise_fact(claim: Claim, source: str, conditions: frozenset[str], text: str) -> Fact:
    value = claim.value if isinstance(claim.value, (Decimal, str)) else None
    return Fact(
        "promise",
        value,
        claim.unit,
        source,
        topic=claim.topic,
        upper=claim.upper,
        threshold=claim.threshold,
        conditions=conditions,
        text=text,
    )


def _topic_facts(
    clause: str, context: str, claims: Sequence[Claim], source: str, conditions: frozenset[str]
) -> Iterator[Fact]:
    """Promises a policy states in its own words: topic keywords in the clause (or its heading) plus its numbers."""
    times = [c for c in claims if c.kind == "number" and c.unit in _TIME_UNITS | {"x"}]
    topics = {t for t, pattern in _TOPIC_KEYS.items() if pattern.search(clause)}
    if not topics and times:  # "付款后 7 天内…" under the heading 价格保护
        topics = {t for t, pattern in _TOPIC_KEYS.items() if pattern.search(context)} - {"free_shipping"}
    if topics & {"breakage", "quality"}:
        topics -= {"returns", "no_reason_returns", "dispatch", "free_shipping"}
    if "delivery" in topics:
        topics.discard("dispatch")  # "delivery after shipping: 3-6 days" is about delivery
    if (
        "delivery" in topics
        and _WINDOW_ANCHOR.search(clause)
        and not _DELIVERY_WORDS.search(_WINDOW_ANCHOR.sub("", clause))
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
                    yield Fact(
                        "promise",
                        None,
                        None,
                        source,
                        topic=topic,
                        threshold=money[0],
                        conditions=conditions,
                        text=clause,
                    )
            if not cues and (_UNCONDITIONAL.search(clause) or _NO_AMOUNT.fullmatch(clause)):
                yield Fact("promise", None, None, source, topic=topic, conditions=conditions, text=clause)
            continue
        yield Fact("promise", None, None, source, topic=topic, conditions=conditions, text=clause)
        for claim in times:
            if (topic == "authentic") != (claim.unit == "x"):
                continue
            assert isinstance(claim.value, Decimal)
            yield Fact(
                "promise",
                claim.value,
                claim.unit,
                source,
                topic=topic,
                upper=claim.upper,
                conditions=conditions,
                text=clause,
            )
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

    def __init__(
        self,
        facts: Iterable[Fact],
        *,
        products: Sequence[Product] = (),
        promotion: Promotion | None = None,
        today: dt.date | None = None,
        occasion: str = "",
    ) -> None:
        self._facts = tuple(dict.fromkeys(facts))
        self.products = tuple(products)
        self.promotion = promotion
        self.today = today or dt.date.today()
        self.occasion = occasion
        self._by_kind: dict[str, list[Fact]] = {}
        for fact in self._facts:
            self._by_kind.setdefault(fact.kind, []).append(fact)

    @classmethod
    def build(
        cls,
        products: Sequence[Product],
        *,
        brief: Brief | None = None,
        policies: Mapping[str, str] | None = None,
        brand: BrandKit | None = None,
        today: dt.date | None = None,
    ) -> FactSheet:
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
            for name, text in (
                ("occasion", brief.occasion),
                ("key_message", brief.key_message),
                ("promotion.name", promotion.name if promotion else None),
                ("promotion.gift", promotion.gift if promotion else None),
            ):
                if text:
                    facts.extend(_brief_text_facts(text, f"brief:{name}"))
        if policies is None and brand is not None:
            policies = _kit_policies(brand)
        for name, text in (policies or {}).items():
            facts.extend(_policy_facts(text, name))
        if brand is not None and brand.description:
            facts.extend(_number_facts(brand.description, "brand:description"))
        occasion = " ".join(
            t
            for t in (
                brief.occasion if brief else None,
                brief.key_message if brief else None,
                promotion.name if promotion else None,
            )
            if t
        )
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
        start, end = sentence_span(text, *span)
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
    {
        "tea",
        "teas",
        "black",
        "green",
        "white",
        "oolong",
        "the",
        "and",
        "of",
        "with",
        "for",
        "set",
        "gift",
        "kit",
        "oz",
        "g",
        "ml",
        "tin",
        "box",
        "pack",
    }
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
        yield Fact(
            "discount", Decimal(promotion.discount_percent), "%", "brief:promotion.discount_percent", topic="percent"
        )
    if promotion.coupon is not None:
        coupon = promotion.coupon
        yield Fact(
            "discount",
            coupon.amount,
            currency,
            "brief:promotion.coupon",
            topic="threshold" if coupon.threshold else "amount",
            threshold=coupon.threshold or None,
        )
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
    return Fact(
        "statement",
        claim.value,
        claim.unit,
        source,
        topic=claim.kind,
        sku=sku,
        upper=claim.upper,
        threshold=claim.threshold,
        text=text,
    )


def _currency_ok(claimed: str | None, actual: str | None) -> bool:
    if claimed is None or actual is None:
        return True
    return claimed == actual or {claimed, actual} <= {"CNY", "JPY"}


def _scoped(facts: Sequence[Fact], subjects: Sequence[Product]) -> list[Fact]:
    """Facts of the claim's products (or of no product: brief, policies, brand); all facts when it has none."""
    skus = {p.sku for p in subjects}
    return [f for f in facts if not skus or f.sku is None or f.sku in skus]


@functools.lru_cache(maxsize=4096)
def _words(text: str) -> frozenset[str]:
    """Content words of a text for overlap tests: CJK bigrams and Latin words of four letters or more, quantities
    and unit words removed."""
    text = _QTY_RE.sub(" ", _normalise(text).lower())
    cjk = _CJK_RUN.findall(text)
    grams = {run[i : i + 2] for run in cjk for i in range(len(run) - 1)}
    latin = set(_LATIN4.findall(text)) - {"with", "that", "this", "your", "from", "have", "will"}
    return frozenset(grams | latin)


def _shares_words(a: str, b: str) -> bool:
    return bool(_words(a) & _words(b))


def _stated(claim: Claim, sheet: FactSheet, subjects: Sequence[Product], text: str) -> bool:
    if claim.kind not in _STATED_KINDS or claim.value is None:
        return False
    sentence = text[slice(*sentence_span(text, *claim.span))]
    return any(
        f.value == claim.value
        and f.threshold == claim.threshold
        and _currency_ok(claim.unit, f.unit)
        and _shares_words(sentence, f.text)
        for f in _scoped(sheet.facts("statement", claim.kind), subjects)
    )


def _brief_text_facts(text: str, source: str) -> Iterator[Fact]:
    locale = _guess_locale(text)
    for claim in _extract(text, locale, facts=True):
        if claim.kind in _STATED_KINDS:
            yield _statement(claim, source, text)
        if claim.kind == "discount":
            yield Fact(
                "discount", claim.value, claim.unit, source, topic=claim.topic, threshold=claim.threshold, text=text
            )
        elif claim.kind == "promise":
            yield _promise_fact(claim, source, frozenset(), text)
        elif claim.kind == "number" and isinstance(claim.value, Decimal):
            yield Fact("number", claim.value, claim.unit, source, upper=claim.upper, text=text)
