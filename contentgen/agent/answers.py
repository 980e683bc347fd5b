"""The answer drafts, one per intent: price, stock, product facts, comparison, recommendation, policy. Each fills
the language pack's templates from the records; verification comes after (`contentgen.agent.verify`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from contentgen.agent.draft import AgentState, Draft, sentence_end, strip_end, within
from contentgen.agent.policies import Passage
from contentgen.agent.text import core_name, name_tokens, terms
from contentgen.catalog.filters import parse_filters
from contentgen.domain.product import Product
from contentgen.text.sentences import split_sentences

if TYPE_CHECKING:
    from contentgen.agent.outcomes import Handoff, Intent, Refusal
    from contentgen.catalog.types import Filters, SearchResult

__all__ = ["Answers"]

_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(ml|毫升|l|升|kg|g|克|oz|ounces?|lb|pounds?)(?![a-z])", re.IGNORECASE)
_TO_BASE = {
    "ml": 1.0,
    "毫升": 1.0,
    "l": 1000.0,
    "升": 1000.0,
    "kg": 1000.0,
    "g": 1.0,
    "克": 1.0,
    "oz": 28.35,
    "ounce": 28.35,
    "ounces": 28.35,
    "lb": 453.6,
    "pound": 453.6,
    "pounds": 453.6,
}


_LEADING = re.compile(r"(\d+(?:\.\d+)?)\s*(years?|yrs?|年|months?|个月|月|weeks?|周|days?|天)?", re.IGNORECASE)
_PERCENT = re.compile(r"\d+(?:\.\d+)?\s*%")
_COUNT = re.compile(r"(\d+)\s*(片|支|件|颗|粒|袋|包|pieces?|sticks?|bags?|sachets?|count)", re.IGNORECASE)
_MONTHS = {"year": 12.0, "yr": 12.0, "年": 12.0, "month": 1.0, "个月": 1.0, "月": 1.0, "week": 0.25, "周": 0.25}
_MONTHS |= {"day": 1 / 30, "天": 1 / 30}


class Answers(AgentState):
    """The per-intent drafts of `Agent` (a mixin: the attributes below are the agent's)."""

    if TYPE_CHECKING:

        def _say(self, template: str, **values: Any) -> str: ...
        def _refuse(self, reason: str, intent: Intent) -> Refusal | Handoff: ...
        def _ungrounded(self, intent: Intent, products: Sequence[Product]) -> Refusal | Handoff: ...
        def _stated(self, text: str) -> Filters: ...
        def _question_terms(self, text: str, products: Sequence[Product]) -> set[str]: ...
        def _facets(self, text: str) -> list[tuple[str, list[str]]]: ...
        def _off_catalog(self, text: str, product: Product) -> bool: ...
        def _unnamed(self, text: str, named: Sequence[Product]) -> str: ...
        def _record_terms(self, product: Product) -> set[str]: ...
        def products(self, skus: Sequence[str]) -> list[Product]: ...

    def _price(self, products: Sequence[Product]) -> Draft:
        draft = Draft("price", products=list(products))
        for p in products[:3]:
            values = {"name": p.name, "sku": p.sku, "price": p.money()}
            if not p.in_stock:
                draft.say(self._say("price_sold_out", **values), p)
            elif p.list_price is not None and p.list_price > p.price:
                draft.say(self._say("price_sale", list_price=p.money(p.list_price), **values), p)
            else:
                draft.say(self._say("price", **values), p)
        return draft

    def _stock(self, products: Sequence[Product], hits: Sequence[Product]) -> Draft:
        from contentgen.compliance.grounding import LOW_STOCK

        draft = Draft("stock", products=list(products), focus=list(products[:3]))
        for p in products[:3]:
            if not p.in_stock:
                draft.say(self._say("stock_out", name=p.name, sku=p.sku), p)
                restock = next((f.answer for f in p.faqs if self.language.has("stock", f.question)), None)
                if restock:
                    draft.say(sentence_end(restock, self.locale), p)
                others = [h for h in hits if h.in_stock and h.category == p.category and h.sku != p.sku][:2]
                if others:
                    items = self.language.join(self._item(o) for o in others)
                    draft.products += others
                    draft.say(self._say("alternatives", items=items), *others)
            elif p.stock <= LOW_STOCK:
                draft.say(self._say("stock_low", name=p.name, sku=p.sku, stock=p.stock), p)
            else:
                draft.say(self._say("stock_in", name=p.name, sku=p.sku), p)
        return draft

    def _fields(self, product: Product) -> dict[str, str]:
        return {**product.attributes, **product.specs}

    def _info(self, text: str, products: Sequence[Product]) -> Draft:
        """Product facts: an FAQ, the field the question names, a matching sentence, the ingredients, a summary."""
        draft = Draft("product_info", products=list(products))
        lang = self.language
        wanted = self._question_terms(text, products)
        for product in products[:3]:
            values = {"name": product.name, "sku": product.sku}
            faq = self._allergy_warning(text, product) or self._best_faq(wanted, product)
            # "is the Glass Cold Brew Pitcher made in the USA?": the words of its name ask for no field (Material)
            field_answer = self._field(self._unnamed(text, [product]), product)
            if faq is not None:
                if field_answer is not None:  # the record's own value first, the FAQ explains it
                    draft.say(self._say("fact", key=field_answer[0], value=field_answer[1], **values), product)
                draft.say(self._say("faq", answer=sentence_end(faq, self.locale), **values), product)
                continue
            if field_answer is not None and (side := self._other_side(text, field_answer[1])):
                what = f"{lang.pack.attribute_names.get(field_answer[0], field_answer[0])} ({side})"
                draft.say(self._say("fact_missing", what=what, **values), product)  # "12 months unopened"
                continue
            if field_answer is not None:
                key, value = field_answer
                draft.say(self._say("fact", key=key, value=strip_end(value), **values), product)
                continue
            if product is products[0] and self._unstated_claims(text, product):
                # "is the Tulsi Rose organic?": its record never says, so no sentence or summary of it answers
                return Draft("product_info", products=list(products))
            line = self._best_line(wanted, product)
            if line is not None and not lang.has("general", text):
                draft.say(self._say("faq", answer=sentence_end(line, self.locale), **values), product)
                continue
            if lang.has("ingredients", text) and product.ingredients and not self._unheld(text, product):
                draft.say(self._say("ingredients", items=lang.join(product.ingredients), **values), product)
                continue
            if lang.has("general", text) or not wanted:
                draft.say(
                    self._say(
                        "summary",
                        price=product.money(),
                        description=sentence_end(product.description, self.locale),
                        **values,
                    ),
                    product,
                )
                if product.selling_points:
                    draft.say(self._say("points", items=lang.join(product.selling_points[:3])), product)
        return draft

    def _unstated_claims(self, text: str, product: Product) -> list[str]:
        """The claim words (organic, vegan, 纯素…) a question about `product` says, beyond its name, that its record
        never says: no field, FAQ or sentence answered, so its summary would be no answer to them."""
        asked = self.language.normalize(self._unnamed(text, [product]))
        fields = {**product.attributes, **product.specs}
        record = " ".join(
            [
                product.name,
                product.description,
                *product.tags,
                *product.selling_points,
                *product.ingredients,
                *(f"{k} {v}" for k, v in fields.items()),
                *(f"{f.question} {f.answer}" for f in product.faqs),
            ]
        )
        record = f"{record.lower()} {self.language.normalize(record)}"  # "infants" says what "baby" asks
        return [w.pattern for w in self.language.claim_words if w.search(asked) and not w.search(record)]

    def _unheld(self, text: str, product: Product) -> set[str]:
        """What an ingredients question asks that the record never says ("是纯素配方吗": 纯素): the ingredient list is
        no answer to it."""
        lang = self.language
        rest = lang.cues["availability"].sub(" ", lang.cues["ingredients"].sub(" ", text))
        return {t for t in self._question_terms(rest, [product]) if len(t) >= 2} - self._record_terms(product)

    def _allergy_warning(self, text: str, product: Product) -> str | None:
        """The product's own word on an allergy the question names ("我对坚果过敏，X能用吗", "allergic to coconut"):
        the FAQ about allergies that shares most with the question."""
        lang = self.language
        if not lang.has("allergy", text):
            return None
        wanted = self._question_terms(text, [product])
        found = [f for f in product.faqs if lang.has("allergy", f.question) or lang.has("allergy", f.answer)]
        if not found:
            return None

        def shared(faq: Any) -> int:
            return len(wanted & terms(lang.normalize(f"{faq.question} {faq.answer}"), lang.stopwords))

        return str(max(found, key=shared).answer)

    def _best_faq(self, wanted: set[str], product: Product, threshold: float = 0.34) -> str | None:
        best, answer = 0.0, None
        for faq in product.faqs:
            asked = terms(self.language.normalize(faq.question), self.language.stopwords) - name_tokens(product.name)
            if not asked:
                continue
            shared = wanted & asked
            score = len(shared) / len(asked | wanted) if wanted else 0.0
            if shared and score > best:
                best, answer = score, faq.answer
        return answer if best >= threshold else None

    def _field(self, text: str, product: Product) -> tuple[str, str] | None:
        fields = self._fields(product)
        for keys, pattern in self.language.attributes:
            if not pattern.search(text):
                continue
            key = self._key(keys, fields, text)
            if key is not None:
                return key, fields[key]
        return None

    def _key(self, keys: Sequence[str], fields: Mapping[str, str], text: str) -> str | None:
        """Of the fields an attribute cue may mean, the first the record has; one whose value says a word the question
        counts or names comes first ("how many cookies": Size "12 cookies, 6 oz tin", not Packaging)."""
        held = [k for k in keys if k in fields]
        if len(held) < 2 or not text:
            return held[0] if held else None
        lang = self.language
        matches = [p.search(text) for aliased, p in lang.attributes if list(aliased) == list(keys)]
        said = [m.group(0) for m in matches if m]
        asked = terms(lang.normalize(" ".join(said)), lang.stopwords)  # the cue's own words: "how many cookies"
        if asked & terms(lang.normalize(held[0]), lang.stopwords):
            return held[0]  # "dishwasher": the Dishwasher safe field itself, not a Care line that mentions it
        return next((k for k in held if asked & terms(lang.normalize(fields[k]), lang.stopwords)), held[0])

    def _best_line(self, wanted: set[str], product: Product) -> str | None:
        if not wanted:
            return None
        lines = [*product.selling_points, *split_sentences(product.description)]
        lines += [f"{k}{self.language.colon}{v}" for k, v in self._fields(product).items()]
        best, found = 0.0, None
        for line in lines:
            have = terms(self.language.normalize(line), self.language.stopwords)
            shared = wanted & have
            score = len(shared) / len(wanted)
            if shared and score > best:
                best, found = score, line.strip()
        return found if best >= 0.5 else None

    def _compare(self, text: str, products: Sequence[Product]) -> Draft:
        lang = self.language
        draft = Draft("compare", products=list(products[:4]))
        asked = [key for keys, pattern in lang.attributes if pattern.search(text) for key in keys]
        default = lang.pack.compare_fields  # the fields a comparison shows when the question names none
        draft.say(self._say("compare_head", count=len(draft.products)), *draft.products, filler=True)
        for i, p in enumerate(draft.products, 1):
            fields = self._fields(p)
            keys = [k for k in dict.fromkeys([*asked, *default]) if k in fields][:3]
            details = lang.separator.join(f"{k}{lang.colon}{fields[k]}" for k in keys)
            price = (
                p.money()
                if p.list_price is None or p.list_price <= p.price
                else self._say("price_was", price=p.money(), list_price=p.money(p.list_price))
            )
            draft.say(
                "\n" + self._say("compare_line", index=i, name=p.name, sku=p.sku, price=price, details=details), p
            )
        return draft

    def _recommend(self, text: str, result: SearchResult, named: Sequence[Product]) -> Draft:
        lang = self.language
        draft = Draft("recommend")
        _, unpriced = parse_filters(text, self.categories, self.locale)  # "200元以下" is a filter, not a fit
        wanted = self._question_terms(unpriced, [])
        for pattern, words in lang.expansions:
            if pattern.search(text):
                wanted |= terms(words, lang.stopwords)
        texts = {
            h.sku: terms(
                " ".join(
                    [
                        h.product.name,
                        h.product.category,
                        *h.product.tags,
                        *h.product.attributes.values(),
                        h.product.description,
                    ]
                ),
                lang.stopwords,
            )
            for h in result.hits
        }
        # Words most hits share ("tea" in a tea shop) say nothing about fit; a pick must share a rarer one.
        common = {t for t in wanted if sum(t in have for have in texts.values()) > 0.8 * max(len(texts), 1)}
        telling = wanted - common
        fitting = [h.product for h in result.hits if h.product.in_stock and (not telling or telling & texts[h.sku])]
        if not fitting and not named:
            # Words no record shares ("for a beginner") cannot rank the picks; when the question states a category
            # or price range, the products within it are the answer rather than a refusal.
            stated = self._stated(text)
            if stated:
                fitting = [h.product for h in result.hits if h.product.in_stock and within(h.product, stated)]
        # Most shared words first: "敏感肌" fits a record for 敏感肌 better than one that says 敏感期暂停使用.
        fitting.sort(key=lambda p: len(telling & texts[p.sku]), reverse=True)
        picks = list({p.sku: p for p in named if p.in_stock}.values())
        picks += [p for p in fitting if p.sku not in {x.sku for x in picks}]
        picks = picks[: self.definition.retrieval.recommend]
        if not picks:
            draft.final = self._refuse("not_in_catalog", "recommend")
            return draft
        draft.products = picks
        draft.say(self._say("recommend_head"), *picks, filler=True)
        for i, p in enumerate(picks, 1):
            line = self._say(
                "recommend_line", index=i, name=p.name, sku=p.sku, price=p.money(), reason=self._reason(wanted, p)
            )
            draft.say("\n" + line, p)
        return draft

    def _reason(self, wanted: set[str], product: Product) -> str:
        """Why a product fits: the record fields that share words with the question, else its first two."""
        lang = self.language
        fields = list(product.attributes.items())
        matching = [(k, v) for k, v in fields if wanted & terms(f"{k} {v}", lang.stopwords)]
        chosen = (matching or fields)[:2]
        return lang.separator.join(f"{k}{lang.colon}{v}" for k, v in chosen)

    def _policy(self, text: str, topics: Sequence[str], products: Sequence[Product]) -> Draft:
        lang = self.language
        draft = Draft("policy", products=list(products[:2]))
        hints = " ".join(p.name for p in products)
        for pattern, words in lang.expansions:
            if pattern.search(text):
                hints += " " + words
        if any(t not in self.policies for t in topics):
            # A topic the shop publishes no policy for (cash on delivery, instalments): a person answers it, unless
            # the named product's own record does ("这款礼盒能写贺卡吗" and its FAQ on gift cards).
            cue_words = [m.group(0) for t in topics for m in lang.policy_cues[t].finditer(text) if m.group(0).strip()]
            for product in products[:1]:
                wanted = self._question_terms(text, [product])
                answer = self._best_faq(wanted, product) or self._best_line(wanted, product)
                # else the FAQ, then the record line, that says the topic's own word (贺卡, gift message)
                answer = answer or next(
                    (f.answer for f in product.faqs if any(w in f.question for w in cue_words)), None
                )
                lines = [*product.selling_points, *split_sentences(product.description)]
                answer = answer or next((line for line in lines if any(w in line for w in cue_words)), None)
                if answer is not None:
                    values = {"name": product.name, "sku": product.sku}
                    record = Draft("product_info", products=[product])
                    record.say(self._say("faq", answer=sentence_end(answer, self.locale), **values), product)
                    return record
            draft.final = self._ungrounded("policy", products)
            return draft
        asked = lang.normalize(text)
        sides = lang.policy_contrasts
        said = [p for p in lang.policy_phrases if p.search(text) or p.search(asked)]
        passages = self.policy_index.search(asked, topics, k=3, hints=hints, contrasts=sides, phrases=said)
        # The query expansions help a vague question; when the question's own words fit another passage better
        # ("新疆几天能到": the row for 新疆, not a rule that merely says 小时), that passage answers it.
        names = " ".join(p.name for p in products)
        plain = self.policy_index.search(asked, topics, k=3, hints=names, contrasts=sides, phrases=said)
        own = terms(asked, lang.stopwords)

        def fit(found: list[Passage]) -> float:
            # the question's own words a passage holds, weighted by rarity ("november" over "ship")
            if not found:
                return -1
            held = own & terms(lang.normalize(found[0].text), lang.stopwords)
            return self.policy_index.weight(held, power=1 if self.locale == "zh-CN" else 2)

        if fit(plain) > fit(passages):
            passages = plain
        if not passages:
            draft.final = self._ungrounded("policy", products)
            return draft
        by_policy: dict[str, list[Passage]] = {}
        for passage in passages:
            by_policy.setdefault(passage.policy, []).append(passage)
        for name, group in by_policy.items():
            # several rules or table rows: one per line
            body = group[0].text if len(group) == 1 else "".join(f"\n· {strip_end(p.text)}" for p in group)
            draft.say(
                self._say("policy", title=lang.policy_title(name), passage=sentence_end(body, self.locale)),
                source=self.policies.get(name, ""),
            )
        draft.policies = tuple(by_policy)
        return draft

    def _policy_row(self, draft: Draft, text: str, topics: Sequence[str], product: Product) -> None:
        """A product question with a policy word ("warranty on the electric kettle") also quotes the policy passage
        that names the product (its warranty row), when there is one."""
        lang = self.language
        name = core_name(product.name).lower()
        passages = self.policy_index.search(lang.normalize(f"{text} {product.name}"), topics, k=1)
        if not passages or name not in passages[0].text.lower():
            return
        passage = passages[0]
        draft.say(
            self._say(
                "policy", title=lang.policy_title(passage.policy), passage=sentence_end(passage.text, self.locale)
            ),
            source=self.policies.get(passage.policy, ""),
        )
        draft.policies = (*draft.policies, passage.policy)

    # ---- superlatives, multi-part questions, sizes and missing attributes ------------------------------------

    def _item(self, product: Product) -> str:
        return self._say("item", name=product.name, sku=product.sku)

    def _sort_value(self, key: str, product: Product) -> tuple[float, str] | None:
        """The number a superlative sorts by, and how the answer states it (the record's own words)."""
        lang = self.language
        if key == "price":
            return float(product.price), product.money()
        if key == "discount":  # the list price less the price; a product not on sale saves nothing
            if product.list_price is None or product.list_price <= product.price:
                return None
            shown = self._say("price_was", price=product.money(), list_price=product.money(product.list_price))
            return float(product.list_price - product.price), shown
        fields = self._fields(product)
        for name in lang.pack.sort_fields.get(key, []):
            value = fields.get(name)
            if value is None:
                continue
            if key == "caffeine":
                rank = lang.pack.ranks.get(value.strip().lower())
                if rank is not None:
                    return float(rank), f"{name}{lang.colon}{value}"
                continue
            if key not in {"size", "weight"}:  # a count (10片), an index (SPF50), a duration (36 months)
                number = (_COUNT if key == "count" else _LEADING).search(value)
                if number:
                    unit = (number.group(2) or "").lower()
                    scale = next((f for u, f in _MONTHS.items() if unit.startswith(u)), 1.0)
                    return float(number.group(1)) * scale, f"{name}{lang.colon}{value}"
                continue
            amount = _AMOUNT.search(value)
            if amount:
                unit = amount.group(2).lower()
                return float(amount.group(1)) * _TO_BASE.get(unit, 1.0), f"{name}{lang.colon}{value}"
        return None

    def _superlative_draft(
        self,
        spec: tuple[str, str, str],
        pool: Sequence[Product],
        scope: tuple[str, Mapping[str, str]],
        facets: Sequence[tuple[str, list[str]]],
    ) -> Draft:
        """The winner first (all of them on a tie), then any other fact the message asks about it. `scope`: the
        template that names what is ranked (superlative, superlative_of_these, superlative_in_category), its values."""
        key, order, label = spec
        draft = Draft("product_info" if key != "price" else "price")
        valued = [(v, p) for p in pool if (v := self._sort_value(key, p)) is not None]
        if not valued:
            draft.final = self._refuse("not_in_catalog", draft.intent)
            return draft
        valued.sort(key=lambda vp: (vp[0][0] if order == "asc" else -vp[0][0], vp[1].sku))
        best = valued[0][0][0]
        winners = [p for v, p in valued if v[0] == best][:3]
        shown = valued[: max(3, len(winners))]
        items = self.language.separator.join(f"{self._item(p)}{self.language.colon}{v[1]}" for v, p in shown)
        template, values = scope
        lead = self._say(template, label=label, items=items, **values)
        draft.say(lead[:1].upper() + lead[1:], *(p for _, p in shown))
        draft.products = [p for _, p in shown]
        draft.focus = list(winners)
        for winner in winners:
            rest = [f for f in facets if not (f[0] == "price" and key == "price")]
            self._facts(draft, winner, rest)
        return draft

    def _facts(self, draft: Draft, product: Product, facets: Sequence[tuple[str, list[str]]], text: str = "") -> None:
        """One sentence per asked fact about `product`; a fact its record lacks is answered by the product's FAQ
        when one fits the question, else said to be missing."""
        from contentgen.compliance.grounding import LOW_STOCK

        lang = self.language
        values = {"name": product.name, "sku": product.sku}
        fields = self._fields(product)
        warning = self._allergy_warning(text, product) if text else None
        if warning is not None:  # the record's allergy warning answers "会不会过敏" before any listed fact
            draft.say(self._say("faq", answer=sentence_end(warning, self.locale), **values), product)
        attributes = [keys for kind, keys in facets if kind == "attribute"]
        # "how big is the tin": of two readings (capacity, net weight) the one the record has answers; a missing
        # one is said only when the record has none of them.
        if any(any(k in fields for k in keys) for keys in attributes):
            facets = [f for f in facets if f[0] != "attribute" or any(k in fields for k in f[1])]
        if product.ingredients and any(kind == "ingredients" for kind, _ in facets):
            # "what's in the Golden Turmeric Ginger": a blend's ingredients answer it, not a missing Contents field
            facets = [f for f in facets if f[0] != "attribute" or any(k in fields for k in f[1])]
        for kind, keys in facets:
            if kind == "price":
                if product.list_price is not None and product.list_price > product.price and product.in_stock:
                    draft.say(
                        self._say(
                            "price_sale", price=product.money(), list_price=product.money(product.list_price), **values
                        ),
                        product,
                    )
                elif not product.in_stock:
                    draft.say(self._say("price_sold_out", price=product.money(), **values), product)
                else:
                    draft.say(self._say("price", price=product.money(), **values), product)
            elif kind == "stock":
                if not product.in_stock:
                    draft.say(self._say("stock_out", **values), product)
                    restock = next((f.answer for f in product.faqs if lang.has("stock", f.question)), None)
                    if restock:  # "when will it be back?": the record's own word on restocking
                        draft.say(sentence_end(restock, self.locale), product)
                elif product.stock <= LOW_STOCK:
                    draft.say(self._say("stock_low", stock=product.stock, **values), product)
                else:
                    draft.say(self._say("stock_in", **values), product)
            elif kind == "ingredients":
                if product.ingredients:
                    draft.say(self._say("ingredients", items=lang.join(product.ingredients), **values), product)
            else:
                key = self._key(keys, fields, text)
                faq = None
                if key is None and text:
                    faq = self._best_faq(self._question_terms(text, [product]), product)
                dose = self._dose(text, product) if key is None and text else None
                said = self._evidence(keys, product) if key is None and faq is None and dose is None else None
                side = self._other_side(text, fields[key]) if key is not None and text else None
                if key is not None and side:
                    what = f"{lang.pack.attribute_names.get(key, key)} ({side})"
                    draft.say(self._say("fact_missing", what=what, **values), product)
                elif key is not None:
                    draft.say(self._say("fact", key=key, value=strip_end(fields[key]), **values), product)
                elif faq is not None:
                    draft.say(self._say("faq", answer=sentence_end(faq, self.locale), **values), product)
                elif dose is not None:
                    draft.say(self._say("faq", answer=sentence_end(dose, self.locale), **values), product)
                elif said is not None:
                    draft.say(self._say("faq", answer=sentence_end(said, self.locale), **values), product)
                elif warning is None:
                    what = lang.pack.attribute_names.get(keys[0], keys[0])
                    draft.say(self._say("fact_missing", what=what, **values), product)

    def _other_side(self, text: str, value: str) -> str | None:
        """The side a question asks ("after opening") when the field's value states only the other one ("12 months
        unopened"): that value is no answer to it (the pack's `policy_contrasts` name the sides)."""
        for one, other in self.language.policy_contrasts:
            said_one, said_other = one.search(text), other.search(text)
            if bool(said_one) == bool(said_other):
                continue
            asked, own, opposite = (said_one, one, other) if said_one else (said_other, other, one)
            if asked is not None and opposite.search(value) and not own.search(value):
                return asked.group(0).strip()
        return None

    def _evidence(self, keys: Sequence[str], product: Product) -> str | None:
        """A record sentence that says what a missing field would (the pack's `lines` for that attribute): "Harvested
        in July from Blue Ridge Mountain hives" answers where the honey is from."""
        for aliased, pattern in self.language.evidence:
            if list(aliased) != list(keys):
                continue
            for line in [*product.selling_points, *split_sentences(product.description)]:
                if pattern.search(line):
                    return line.strip()
        return None

    def _dose(self, text: str, product: Product) -> str | None:
        """How much of an ingredient the message names ("尿素含量多少", "补骨脂酚浓度"): the record line that gives
        that ingredient with a percentage, when there is one."""
        lowered = text.lower()
        named = [i for i in product.ingredients if len(i) >= 2 and i.lower() in lowered]
        lines = [*product.selling_points, *split_sentences(product.description)]
        lines += [f"{k}{self.language.colon}{v}" for k, v in self._fields(product).items()]
        for line in lines:
            if _PERCENT.search(line) and any(i.lower() in line.lower() for i in named):
                return line.strip()
        return None

    def _other_asks(self, draft: Draft, text: str, named: Sequence[Product]) -> None:
        """A multi-part question's asks that no price, stock or attribute cue reads ("…多少钱，一周用几次", "how much
        is it and can it go in the microwave?"): each such clause is answered from the product's FAQ or record line
        that fits it, when one does."""
        clauses = self.language.clauses(text)
        if len(clauses) < 2 or len(named) > 2:
            return
        said = "".join(s.text for s in draft.sentences)
        for clause in clauses:
            if self._facets(clause):
                continue
            for product in named:
                # one short clause about one product: an FAQ sharing a quarter of its words answers it
                wanted = self._question_terms(clause, [product])
                answer = self._best_faq(wanted, product, 0.25) or self._best_line(wanted, product)
                if answer is None or strip_end(answer) in said:
                    continue
                line = self._say("faq", name=product.name, sku=product.sku, answer=sentence_end(answer, self.locale))
                draft.say(line, product)
                said += line

    def _of_kind(self, text: str) -> list[Product]:
        """The products a product word of the message names (`FuzzyNames.of_kind`), at most three, none of them a
        near miss for a thing the catalog lacks ("protein powder" is not Hojicha Roasted Tea Powder)."""
        found = [p for p in self.fuzzy.of_kind(text, self.language.stopwords) if not self._off_catalog(text, p)]
        return self.products([p.sku for p in found[:3]]) if len(found) <= 3 else []

    def _multi(self, products: Sequence[Product], facets: Sequence[tuple[str, list[str]]], text: str = "") -> Draft:
        """A multi-part question: every asked fact for every product it is about."""
        intent: Intent = "price" if facets[0][0] == "price" else "stock" if facets[0][0] == "stock" else "product_info"
        draft = Draft(intent, products=list(products[:3]))
        for product in products[:3]:
            self._facts(draft, product, facets, text)
        return draft

    def _sizes(self, product: Product, siblings: Sequence[Product]) -> str:
        lang = self.language
        sizes = []
        for p in [product, *siblings]:
            fields = self._fields(p)
            size = next((fields[k] for k in ("规格", "Size", "净含量", "Net weight", "Capacity") if k in fields), None)
            if size:
                sizes.append(size if p.sku == product.sku else f"{p.name} {size}")
        return lang.join(dict.fromkeys(sizes))

    def _missing_variant(self, text: str, product: Product, siblings: Sequence[Product]) -> Draft | None:
        """ "有50ml的吗" / "in a 4 oz tin?": a size or shade the record does not list is said not to exist, with the
        ones that do, never another size's price."""
        lang = self.language
        if lang.variant is None:
            return None
        asked = [m.group(0) for m in lang.variant.finditer(text)]
        if not asked:
            return None
        record = " ".join([product.name, *self._fields(product).values()]).lower().replace(" ", "")
        if all(a.lower().replace(" ", "").rstrip("的装") in record for a in asked):
            return None
        draft = Draft("product_info", products=[product, *siblings])
        fields = self._fields(product)
        shades = "色号" in fields and any("号" in a for a in asked)
        sizes = fields["色号"] if shades else self._sizes(product, siblings)
        draft.say(self._say("variant_missing", name=product.name, sku=product.sku, sizes=sizes), product, *siblings)
        draft.focus = [product]
        return draft
