"""Answer verification: every claim in an answer must be found in the records it cites or in the policies.

A sentence is checked, in the context of the sentences kept before it, for

* prices, list prices, discounts, numbers with units, dates, stock figures and promises (free shipping, returns,
  dispatch and delivery times, warranties …): :func:`contentgen.compliance.grounding.ground` against a fact sheet of
  the cited products and the kit's policies;
* efficacy, medical, absolute and environmental claims (the ad-law rules find them) and the brand's banned words:
  the words must appear in a cited record or a policy;
* efficacy and ingredient words of the language pack (美白, 视黄醇, caffeine, sleep …): same;
* instructions ("ignore previous instructions"): never repeated.

A sentence with any unverified claim is dropped whole; what is left is the answer. Tool answers (an order's status)
and answers that quote policy passages word for word are checked against what they quote: every number in them
must be in it (the claim extractor reads copy, and a table row such as "包邮条件：单笔实付满 99 元" is not copy).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from contentgen.agent.lang import Language
from contentgen.compliance.grounding import Fact, FactSheet, ground
from contentgen.domain.brand import BrandKit
from contentgen.domain.common import Locale
from contentgen.domain.product import Product
from contentgen.text.sentences import SentenceBuffer

_CLAIM_RULES = ("adlaw.medical", "adlaw.absolute", "adlaw.greenwash", "brand.banned_word")
_NUMBER = re.compile(r"\d[\d,.:\-/]*")
FIGURE = re.compile(r"\d+(?:[.,:]\d+)*")
"""A number as a sentence states it: 69.90, 1,200, 10:30."""
ENUMERATOR = re.compile(r"(?m)^\s*\d{1,2}\.\s")
"""A list number ("1. …"), which is not a claim."""


def figure_value(number: str) -> Decimal | str:
    """A number as a value, so that 69.90 and 69.9 are the same; times and dates stay text."""
    try:
        return Decimal(number.replace(",", ""))
    except ArithmeticError:
        return number


def unsourced_figures(text: str, sources: str, *, counts: Iterable[int] = ()) -> list[str]:
    """The numbers `text` states that `sources` does not hold (by value; `counts` are numbers the answer may state
    besides, such as how many products it cites)."""
    held = {figure_value(n) for n in FIGURE.findall(sources)} | {Decimal(c) for c in counts}
    return [n for n in FIGURE.findall(ENUMERATOR.sub(" ", text)) if figure_value(n) not in held]


@dataclass(frozen=True)
class Check:
    """One sentence and why it cannot stay (empty: it stays)."""

    sentence: str
    reasons: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.reasons


def product_text(product: Product) -> str:
    """Everything a record says, as one lower-case text to look claim words up in."""
    parts = [product.sku, product.name, product.category, product.description, *product.selling_points]
    parts += [f"{k}: {v}" for k, v in product.attributes.items()]
    parts += [f"{k}: {v}" for k, v in product.specs.items()]
    parts += [*product.ingredients, *product.tags]
    parts += [f"{f.question} {f.answer}" for f in product.faqs]
    return "\n".join(parts).lower()


class Verifier:
    """Checks answer sentences against cited products and a kit's policies (facts built once, reused)."""

    def __init__(
        self,
        policies: Mapping[str, str],
        *,
        locale: Locale,
        language: Language,
        brand: BrandKit | None = None,
    ) -> None:
        self.locale, self.language, self.brand = locale, language, brand
        self._policy_facts = tuple(FactSheet.build([], policies=policies).describe())
        self._policy_text = "\n".join(policies.values()).lower()
        self._cache: dict[str, tuple[Product, tuple[Fact, ...], str]] = {}  # sku -> (record, facts, text)

    def sheet(self, products: Sequence[Product]) -> FactSheet:
        """The fact sheet of `products` and the policies."""
        facts: list[Fact] = list(self._policy_facts)
        for product in products:
            facts.extend(self._cached(product)[1])
        return FactSheet(facts, products=products)

    def _cached(self, product: Product) -> tuple[Product, tuple[Fact, ...], str]:
        hit = self._cache.get(product.sku)
        if hit is None or hit[0] != product:
            hit = (product, tuple(FactSheet.build([product]).describe()), product_text(product))
            self._cache[product.sku] = hit
        return hit

    def _record_text(self, products: Sequence[Product]) -> str:
        return "\n".join(self._cached(p)[2] for p in products) + "\n" + self._policy_text

    def check(
        self, sentence: str, products: Sequence[Product], *, prefix: str = "", sheet: FactSheet | None = None
    ) -> Check:
        """Why `sentence` (said after `prefix`) cannot stay in an answer citing `products`."""
        if not sentence.strip():
            return Check(sentence)
        reasons: list[str] = []
        if self.language.has("injection", sentence):
            reasons.append("repeats an instruction from the conversation or the records")
        text = prefix + sentence
        sheet = sheet or self.sheet(products)
        for finding in ground(text, sheet, locale=self.locale):
            if finding.span and finding.span[1] > len(prefix):
                reasons.append(finding.message)
        records = self._record_text(products)
        reasons += self._claim_words(sentence, records, products)
        return Check(sentence, tuple(reasons))

    def _claim_words(self, sentence: str, records: str, products: Sequence[Product]) -> list[str]:
        from contentgen.compliance.adlaw import check as adlaw_check

        reasons = []
        category = products[0].category if len(products) == 1 else None
        for finding in adlaw_check(sentence, locale=self.locale, brand=self.brand, category=category):
            if finding.rule in _CLAIM_RULES and finding.text.lower() not in records:
                reasons.append(f"claim '{finding.text}' is not in the cited records or the policies")
        for pattern in self.language.claim_words:
            for match in pattern.finditer(sentence):
                if not pattern.search(records):
                    reasons.append(f"'{match.group(0)}' is not in the cited records or the policies")
                    break
        return reasons

    def check_quote(self, sentence: str, source: str) -> Check:
        """A sentence that quotes a source (policy passages, a tool's record): every number in it must be there."""
        if self.language.has("injection", sentence):
            return Check(sentence, ("repeats an instruction",))
        missing = [n for n in _NUMBER.findall(sentence) if n.rstrip(".,:-/") not in source]
        return Check(sentence, tuple(f"'{n}' is not in the quoted source" for n in missing))

    def stream(self, pieces: Iterable[str], products: Sequence[Product]) -> Iterator[Check]:
        """Check text as it arrives, sentence by sentence, each in the context of the sentences kept before it."""
        buffer = SentenceBuffer()
        sheet = self.sheet(products)
        kept = ""

        def judge(sentence: str) -> Check:
            nonlocal kept
            result = self.check(sentence, products, prefix=kept, sheet=sheet)
            if result.ok:
                kept += sentence
            return result

        for piece in pieces:
            for sentence in buffer.feed(piece):
                yield judge(sentence)
        for sentence in buffer.flush():
            yield judge(sentence)
