"""What a message asks: small talk, a high-value customer, the intent(s) of a product question, quantities, and the
words it asks about beyond product names and cue words."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from contentgen.agent.draft import AgentState, Customer
from contentgen.agent.name_thresholds import thresholds
from contentgen.agent.text import core_name, has_cjk, name_tokens, skus_in, terms
from contentgen.catalog.types import Filters
from contentgen.domain.product import Product
from contentgen.errors import NotFoundError

if TYPE_CHECKING:
    from contentgen.agent.emotion import Emotion
    from contentgen.agent.outcomes import Intent
    from contentgen.catalog.types import Hit

__all__ = ["Intents"]

_UNITS = (
    r"(?:[套件瓶支盒个份罐箱台只]|\s*(?:sets?|packs?|boxes|tins?|units?|pieces?|bottles?|bags?|kits?|cases?|pouches|"
    r"kettles?|teapots?|mugs?|bowls?|whisks?|of\b))"
)
_QUANTITY = re.compile(
    r"(?<![0-9A-Za-z.$¥])(\d{1,5}|[一二两三四五六七八九十百千]+|[A-Za-z]+(?:[- ][A-Za-z]+)?)\s*(?="
    + _UNITS
    + r"|\s+[A-Za-z])",
    re.IGNORECASE,
)
_QUANTITY_UNIT = re.compile(r"[\d一两二三四五六七八九十]+\s*[套件瓶支盒个份罐箱台只片]")


class Intents(AgentState):
    """Intent detection of `Agent` (a mixin: the attributes below are the agent's)."""

    if TYPE_CHECKING:

        def _stated(self, text: str) -> Filters: ...
        def _best_faq(self, wanted: set[str], product: Product, threshold: float = 0.34) -> str | None: ...
        def _field(self, text: str, product: Product) -> tuple[str, str] | None: ...
        def products(self, skus: Sequence[str]) -> list[Product]: ...
        def _named(self, text: str, hits: Sequence[Product]) -> list[Product]: ...

    def _small_talk(self, text: str) -> str | None:
        lang = self.language
        if lang.has("greeting", text):
            return "greeting"
        asks = any(lang.has(c, text) for c in ("price", "stock", "order_status", "complaint", "upset"))
        asks = asks or any(cue.search(text) for cue in lang.policy_cues.values())
        asks = asks or lang.has("question", text)  # "太开心了！抢到了，一盒几片": excitement around a question
        if lang.has("cheer", text) and not re.search(r"[?？]", text) and not asks and self._superlative(text) is None:
            return "cheer"  # "WOW the gift box is gorgeous!!!": excitement, asking nothing (a gift word is no ask)
        business = any(lang.has(c, text) for c in ("price", "stock", "compare", "recommend", "order_status"))
        if business or any(lang.policy_cues[p].search(text) for p in lang.policy_cues):
            return None
        bare = re.sub(r"[\s\W_]+", "", text)
        if len(bare) > (14 if has_cjk(text) else 40):
            return None
        for kind in ("cheer", "identity", "thanks", "bye"):
            if lang.has(kind, text):
                return kind
        return None

    def _without_feelings(self, text: str) -> str:
        """The question without clauses that only say how the shopper feels ("第一次用精华有点紧张，X敏感肌能用吗"):
        their words are no part of what is asked (the hand-off rules have seen the whole message)."""
        lang = self.language
        clauses = lang.clauses(text)
        if len(clauses) < 2:
            return text
        kept = [c for c in clauses if not lang.has("feeling", c) or lang.has("question", c) or self._named(c, [])]
        if not kept or len(kept) == len(clauses):
            return text
        rest = lang.separator.join(c.strip() for c in kept)
        return rest if self._named(rest, []) else text  # what is left still names what it asks about

    def _fake_entry(self, text: str, aside: str) -> bool:
        """Whether the question asks about a product that only a set-aside instruction lists: a SKU the catalog
        does not have, followed by the name the question repeats."""
        lowered = text.lower()
        for sku in skus_in(aside):
            if sku in self.lexicon:
                continue
            try:
                self.retriever.get(sku)
                continue
            except NotFoundError:
                pass
            after = aside[aside.index(sku) + len(sku) :]
            name = re.split(r"[\d$¥￥€£.,，。:：;；!！?？]", after, maxsplit=1)[0].strip().lower()
            if len(name) >= 2 and name in lowered:
                return True
        return False

    def _high_value_tier(self, text: str, customer: Customer | None) -> bool:
        tiers = self.definition.handoff.high_value.tiers
        if not tiers:
            return False
        if customer is not None and customer.tier in tiers:
            return True
        # Said of oneself ("我是金穗会员", "I'm a Full Pot member"), not a question about the tier.
        claims = self.language.cues["member_self"]
        return any(re.search(rf"(?:{claims.pattern}).{{0,8}}{re.escape(t)}", text, re.IGNORECASE) for t in tiers)

    def _names_product(self, text: str) -> bool:
        return bool(skus_in(text)) or bool(self.names.mentions(text, self.memory.focus))

    def _intent(
        self, text: str, named: Sequence[Product], referred: Sequence[Product], topics: Sequence[str]
    ) -> Intent:
        lang = self.language
        products = named or referred
        unnamed = self._unnamed(text, named)  # "will the glass teapot arrive by friday": its name asks for no Material
        alias = any(pattern.search(unnamed) for _, pattern in lang.attributes)
        if lang.has("compare", text) and len(products) >= 2:
            return "compare"
        asks_named = named and (
            alias
            or lang.has("ingredients", text)
            or lang.has("general", text)
            or lang.has("price", text)
            or lang.has("stock", text)
        )
        # Several policy words ("金穗会员生日有什么礼物") outweigh a recommendation cue (礼物).
        # A phrase ("gift message") counts by its words.
        policy_words = sum(max(1, len(m.group(0).split())) for t in topics for m in lang.policy_cues[t].finditer(text))
        # A loose recommendation cue ("你们用什么快递") does not outweigh a policy word; an explicit ask does.
        loose = topics and not lang.has("ask_recommend", text) and not self._browses(text)
        if lang.has("recommend", text) and not asks_named and policy_words < 2 and not loose:
            return "recommend"
        if lang.has("compare", text) and not products and not topics:
            return "recommend"
        # "What does the teapot cost, and can I heat it on the stove?": a clause of its own asks the product's price
        priced = any(
            lang.has("price", c) and not any(lang.policy_cues[t].search(c) for t in topics) for c in lang.clauses(text)
        )
        if topics and not (products and (alias or priced)):
            return "policy"
        if topics and named and lang.has("hypothetical", text) and not priced:
            # "does the kettle warranty cover it if I drop it?": what the policy says of a case, not a record field
            return "policy"
        if not products and not lang.has("stock", text) and self._browses(text):
            return "recommend"
        if lang.has("price", text) and (lang.has("money", text) or not alias) and not self._alias_only_price(text):
            return "price"
        if lang.has("stock", text):
            return "stock"
        if named and lang.has("availability", text) and not alias and not self._asked_things(text, named):
            # "do you have the Porcelain Gaiwan Set?": whether it can be bought ("有没有纯素认证" asks for a fact)
            return "stock"
        if referred and not named and self.memory.last_intent in {"price", "stock"} and not self._asks_fact(text):
            return self.memory.last_intent
        if named and self.memory.last_intent in {"price", "stock"} and not self._asks_fact(text, named):
            return self.memory.last_intent  # "What about X?" after a stock question asks about X's stock
        return "product_info"

    def _carried_facets(self, text: str, named: Sequence[Product]) -> tuple[list[tuple[str, list[str]]], str]:
        """ "那透明质酸钠多重保湿精华呢" after "烟酰胺精华适合什么肤质", "and in the Hojicha powder?" after a caffeine
        question: a follow-up that names a product and asks nothing of its own asks what the previous question
        asked (its attribute and ingredient facts; price and stock carry over as the intent), and that question."""
        if not named or not self.memory.turns:
            return [], ""
        if not self.language.has("followup", text) and self._asks_fact(text, named):
            return [], ""
        previous = self.memory.turns[-1]
        if previous.outcome.kind != "answer" or previous.outcome.intent not in {"product_info", "compare", "price"}:
            return [], ""
        carried = [f for f in self._facets(previous.question) if f[0] in {"attribute", "ingredients"}]
        return carried, previous.question

    def _siblings(self, text: str, named: Sequence[Product], *, every: bool = False) -> list[Product]:
        """Other sizes of a named product ("正装和旅行装", "替换装"): catalog products whose name is the named one's
        plus a word, when the message says that word (or always, with `every`)."""
        found: list[Product] = []
        for product in named:
            base = product.name.split(" ")[0] if " " in product.name and has_cjk(product.name) else product.name
            for other in self.lexicon.values():
                if other.sku == product.sku or other.sku in {p.sku for p in named}:
                    continue
                other_base = other.name.split(" ")[0] if has_cjk(other.name) else other.name
                if other_base != base or other.name == product.name:
                    continue
                extra = other.name[len(base) :].strip() or product.name[len(base) :].strip()
                if every or (extra and extra in text):
                    found += self.products([other.sku])
        return found

    def _superlative_pool(
        self, text: str, named: Sequence[Product], referred: Sequence[Product]
    ) -> tuple[list[Product], tuple[str, dict[str, str]]]:
        """What a superlative ranks: the named category's products, else the products just talked about, else the
        whole catalog; and the template that names that scope, with its values."""
        category = self._loose_category(text)
        these: tuple[str, dict[str, str]] = ("superlative_of_these", {})
        if len(named) >= 2:
            return list(named), these
        if category is not None:
            pool = self.products([p.sku for p in self.lexicon.values() if p.category == category])
            if not pool:
                pool = [h.product for h in self.retriever.search(category, 50, filters=Filters(category=category)).hits]
            narrowed = self._narrowed(text, pool, category)  # "最贵的物理防晒", "least expensive ceremonial matcha"
            if len(narrowed) < len(pool):
                return narrowed, ("superlative", {})
            return pool, ("superlative_in_category", {"category": category, "kind": category.lower().rstrip("s")})
        if len(named) >= 2:
            return list(named), these
        focus = list(referred) if len(referred) >= 2 else list(self.memory.focus)
        lang = self.language
        if len(focus) >= 2 or (focus and (lang.has("pronoun", text) or lang.has("compare", text))):
            return focus, these
        # "cheapest teapot", "cheapest japanese tea", "沐浴产品里最便宜的": the products the question's words describe
        return self._narrowed(text, self.products(list(self.lexicon))), ("superlative", {})

    def _narrowed(self, text: str, pool: Sequence[Product], category: str | None = None) -> list[Product]:
        """The products of `pool` that the question's own words describe best (by name, category, tags and
        attribute values, rarer words counting more), or the whole pool when no word tells them apart. The
        superlative's cue words and the category's name are not such words."""
        lang = self.language
        rest = text
        for _, pattern in lang.superlatives:
            rest = pattern.sub(" ", rest)
        if category:
            rest = re.sub(re.escape(category.lower().rstrip("s")) + "s?", " ", rest, flags=re.IGNORECASE)
        wanted = self._question_terms(rest, [])
        have = {
            p.sku: terms(
                lang.normalize(" ".join([p.name, p.category, *p.tags, *p.attributes.values()])), lang.stopwords
            )
            for p in pool
        }
        # the words of category names ("tea" of Green Tea, "herbal tea" for Herbal Blends) name kinds, not products
        kinds = terms(lang.normalize(" ".join(self.categories)), lang.stopwords)
        counts = {t: sum(t in h for h in have.values()) for t in wanted - kinds}
        # a word most of the pool holds tells nothing apart
        telling = {t: 1.0 / n for t, n in counts.items() if 0 < n <= len(pool) / 2}
        if not telling:
            return list(pool)
        scores = {sku: sum(w for t, w in telling.items() if t in h) for sku, h in have.items()}
        top = max(scores.values())
        return [p for p in pool if scores[p.sku] == top] if top > 0 else list(pool)

    def _strong_hit(self, text: str, hits: Sequence[Hit], threshold: float | None = None) -> Product | None:
        """The top hit when the question carries a good part of its name (防晒棒 for 便携防晒棒): at least the
        calibrated `strong` share (agent/names.yaml), `threshold` when given."""
        if not hits:
            return None
        top = hits[0].product
        strength = self.names.strength(text, top)
        # the words of its category name no product ("what cold brew teas do you have" names no Cold Brew tea)
        kind = name_tokens(top.category)
        rare = [t for t in name_tokens(top.name) if t in text.lower() and len(t) >= 2 and t not in kind]
        needed = thresholds().strong.of(has_cjk(top.name)) if threshold is None else threshold
        if rare and strength < needed and threshold is None and strength >= needed / 2:
            # "the gunpowder mint tea": a part of its name and words its own record holds (Moroccan Mint Green is
            # gunpowder green tea) describe it as well as a longer part of the name would
            asked = self._question_terms(text, []) - name_tokens(top.name)  # whole words: "spearmint" stays
            if asked and asked <= self._record_terms(top):
                return top
        return top if strength >= needed and rare else None

    def _browses(self, text: str) -> bool:
        """Whether a question that names no product asks for products of a catalog category or price range
        ("200元以内的面霜", "敏感肌适合哪款洁面", "what's a good oolong"): a choice among products, not a fact."""
        return bool(self._stated(text))

    def _picked(self, text: str) -> list[Product]:
        """The one product of the previous answer whose name holds the words of "the earl grey one" (after a list of
        cold brews: Cold Brew Earl Grey, not the Earl Grey Shortbread a search ranks first)."""
        if not self.memory.focus or not self.language.pack.cues.pick:
            return []
        match = self.language.find("pick", text)
        words = next((g for g in match.groups() if g), "") if match else ""
        said = [w for w in words.lower().split() if w]
        if not said:
            return []
        found = [p for p in self.memory.focus if all(w in p.name.lower() for w in said)]
        return found if len(found) == 1 else []

    def _unknown_wish(self, text: str) -> bool:
        """Whether the thing a shopper says they are looking for ("a boba kit with tapioca pearls") has a word no
        record of the catalog holds: nothing to recommend (a category or price range stated is something to list)."""
        match = self.language.find("wish", text) if self.language.pack.cues.wish else None
        thing = next((g for g in match.groups() if g), "") if match else ""
        if not thing or self._stated(text) or self._loose_category(text) is not None:
            return False
        vocabulary = getattr(self, "_vocabulary", None)
        if vocabulary is None:
            vocabulary = set().union(*(self._record_terms(p) for p in self.lexicon.values()))
            setattr(self, "_vocabulary", vocabulary)  # noqa: B010 (a cache on the agent, built once)
        unknown = {t for t in self._question_terms(thing, []) if len(t) >= 3} - vocabulary
        if not unknown:
            return False
        from rapidfuzz import fuzz, process

        # a misspelt word of the catalog ("jasmin perls") is no unknown thing
        return any(process.extractOne(t, vocabulary, scorer=fuzz.ratio, score_cutoff=80) is None for t in unknown)

    def _lists_category(self, text: str) -> bool:
        """Whether a message that names no product asks to see a catalog category ("show me your cold brew teas"):
        it names one, and nothing else it says is a word the category's own records lack."""
        category = self._loose_category(text)
        if category is None:
            return False
        kind = [p for p in self.lexicon.values() if p.category == category]
        held = set().union(*(self._record_terms(p) for p in kind)) if kind else set()
        return bool(kind) and self._question_terms(text, []) - {"show", "list", "see"} <= held

    def _asks_fact(self, text: str, named: Sequence[Product] = ()) -> bool:
        lang = self.language
        return (
            any(pattern.search(text) for _, pattern in lang.attributes)
            or lang.has("ingredients", text)
            or lang.has("general", text)
            or bool(self._question_terms(text, named) - {"what", "about", "and", "how", "the"})
        )

    def _quantity(self, text: str) -> int | None:
        """How many the customer wants, however it is written (买10套, 十套, 10 sets, twenty sets): a number
        followed by a unit word, or any number when the message says it is buying."""
        from contentgen.text.numbers import parse_number

        bulk = self.language.has("bulk", text)
        values = []
        for match in _QUANTITY.finditer(text):
            token = match.group(1)
            unit = bool(re.match(_UNITS, text[match.end() :], re.IGNORECASE))
            if not (bulk or unit):
                continue
            count = parse_number(token)
            if count is None and " " not in token and "-" not in token:
                continue
            if count is None:  # "twenty-five": the last word may be the unit's neighbour, try the first alone
                count = parse_number(re.split(r"[- ]", token)[-1]) or parse_number(re.split(r"[- ]", token)[0])
            if count is not None and count > 1 and count == int(count):
                values.append(int(count))
        return max(values) if values else None

    def _superlative(self, text: str) -> tuple[str, str, str] | None:
        """(sort key, asc|desc, label) when the message asks for the cheapest / dearest / lightest / biggest …"""
        for spec, pattern in self.language.superlatives:
            if pattern.search(text):
                return spec.key, spec.order, spec.label
        return None

    def _loose_category(self, text: str) -> str | None:
        """The one catalog category a message names anywhere ("which gift set costs the most")."""
        stated = self._stated(text).category
        if stated:
            return stated
        lowered = text.lower()
        found = []
        for category in self.categories:
            word = category.lower()
            base = word[:-1] if word.endswith("s") and word[:1].isascii() else word
            if re.search(rf"\b{re.escape(base)}", lowered) if base[:1].isascii() else base in lowered:
                found.append(category)
        # "green tea" inside "Cold Brew Jasmine Green" is not named; the longest wins when one contains another
        found = [c for c in found if not any(c != o and c.lower() in o.lower() for o in found)]
        if not found:  # "herbal tea" for Herbal Blends: the first word of a two-word category, said as a word
            for category in self.categories:
                words = category.lower().split()
                if len(words) >= 2 and len(words[0]) >= 4 and re.search(rf"\b{re.escape(words[0])}\b", lowered):
                    found.append(category)
        return found[0] if len(found) == 1 else None

    def _facets(self, text: str) -> list[tuple[str, list[str]]]:
        """Every fact a message asks for, in order: ("price", []), ("stock", []), ("attribute", keys),
        ("ingredients", []). Two or more make a multi-part question."""
        lang = self.language
        asked: list[tuple[str, list[str]]] = []
        if lang.has("price", text) and not self._alias_only_price(text):
            asked.append(("price", []))
        if lang.has("stock", text):
            asked.append(("stock", []))
        for keys, pattern in lang.attributes:
            if pattern.search(text) and not any(keys == k for _, k in asked):
                asked.append(("attribute", list(keys)))
        if lang.has("ingredients", text):
            asked.append(("ingredients", []))
        return asked

    def _unnamed(self, text: str, named: Sequence[Product]) -> str:
        """`text` without the names of the products it names outright (the words of a name ask nothing)."""
        for product in named:
            name = core_name(product.name)
            plain = re.sub(r"\s*[(（][^)）]*[)）]", "", name).strip()
            for said in {name, plain} - {""}:
                text = re.sub(re.escape(said), " ", text, flags=re.IGNORECASE)
        return text

    def _alias_only_price(self, text: str) -> bool:
        """ "how much caffeine" is not a price question: a price cue that is only part of an attribute question."""
        lang = self.language
        match = lang.find("price", text)
        if match is None:
            return False
        rest = text[match.end() : match.end() + 16]
        if lang.find("price", text[match.end() :]) is not None:
            return False  # "how much does the kettle cost": the price is asked after all
        return bool(re.match(r"\s*(caffeine|tea|water|does|is in|servings?|cups?)\b", rest, re.IGNORECASE))

    def _emotion(self, text: str) -> Emotion:
        from contentgen.agent.emotion import classify

        return classify(text)

    def _asks_only(self, text: str) -> bool:
        """A plain question about products or policies (no complaint words): the emotion model alone does not
        hand it off."""
        lang = self.language
        asks = any(lang.has(c, text) for c in ("price", "stock", "compare", "recommend", "general", "ingredients"))
        asks = asks or any(p.search(text) for _, p in lang.attributes) or self._superlative(text) is not None
        asks = asks or self._names_product(text) or lang.has("availability", text)
        asks = asks or any(
            lang.has(c, text) for c in ("identity", "greeting", "thanks", "out_of_scope", "order_status")
        )
        question = re.search(
            r"[?？吗呢]\s*$|多久|几天|怎么|什么|哪|多少|能不能|可不可以|^\s*(how|what|when|where|which|can|could|do|does|is|are|will|would)\b",
            text,
            re.IGNORECASE,
        )
        asks = asks or (bool(question) and any(p.search(text) for p in lang.policy_cues.values()))
        return asks and not lang.has("complaint", text)

    def _question_terms(self, text: str, products: Sequence[Product]) -> set[str]:
        """What the question asks about, without the product names and the agent's own cue words."""
        lowered = text.lower()
        blank: set[int] = set()  # every character inside a product's name or SKU, blanked at once
        for product in products:
            for token in (*name_tokens(product.name), product.sku.lower()):
                start = lowered.find(token)
                while start >= 0:
                    end = start + len(token)
                    while token.isascii() and end < len(lowered) and lowered[end].isalpha():
                        end += 1  # a stemmed token ("morn") blanks the whole word ("morning")
                    blank.update(range(start, end))
                    start = lowered.find(token, start + 1)
        lowered = "".join(" " if i in blank else c for i, c in enumerate(lowered))
        lowered = _QUANTITY_UNIT.sub(" ", lowered)  # "买5瓶" says how many, not what about
        for cue in ("price", "stock", "general", "pronoun", "followup", "hypothetical", "bulk"):
            lowered = self.language.cues[cue].sub(" ", lowered)
        return terms(self.language.normalize(lowered), self.language.stopwords)

    def _record_answers(self, text: str, product: Product, facets: Sequence[tuple[str, list[str]]]) -> bool:
        """Whether the record has a field for every asked attribute ("how many cups and is it caffeine free": the
        servings and the caffeine field, not one FAQ for one of them)."""
        fields = {**product.attributes, **product.specs}
        parts = len(self.language.clauses(text.strip(" ?？!！。."))) >= 2  # "… make and is it …": two asks joined
        return parts and all(kind != "attribute" or any(k in fields for k in keys) for kind, keys in facets)

    @staticmethod
    def _asks_record(facets: Sequence[tuple[str, list[str]]]) -> bool:
        """Price or stock among several asked facts: the record answers each part, not one FAQ."""
        return any(kind in {"price", "stock"} for kind, _ in facets)

    def _named_outright(self, text: str, product: Product) -> bool:
        lowered = text.lower()
        name = core_name(product.name).lower()
        plain = re.sub(r"\s*[(（][^)）]*[)）]", "", name).strip()  # "Dragon Well (Longjing)" said as "Dragon Well"
        return product.sku.lower() in lowered or name in lowered or (bool(plain) and plain in lowered)

    def _named_more(self, text: str, named: list[Product]) -> list[Product]:
        """A second name the token match missed ("the Genmaicha and the Kyoto Hojicha"), or a more specific reading of
        one it found ("earl grey shortbred" is Earl Grey Shortbread, not Earl Grey Cream): the fuzzy names over
        what the found names leave of the message."""
        lowered = text.lower()
        rest = lowered
        for product in named:
            for token in sorted((*name_tokens(product.name), product.sku.lower()), key=len, reverse=True):
                rest = rest.replace(token, " ")
            # the rest of its full name too ("with Infuser" of "Glass Teapot with Infuser, 34 oz") names nothing new
            for word in re.findall(r"[a-z0-9]+", product.name.lower()):
                rest = re.sub(rf"\b{re.escape(word)}\b", " ", rest)
        found = self.fuzzy.best(rest)
        if found is None or found[0].sku in {p.sku for p in named}:
            return named
        extra = self.products([found[0].sku])
        if not extra:
            return named
        tokens = name_tokens(extra[0].name)
        kept = []
        for product in named:
            said = {t for t in name_tokens(product.name) if t in lowered}
            if self._named_outright(text, product) or not said or not said <= tokens:
                kept.append(product)
        return [*kept, *extra]

    def _record_terms(self, product: Product) -> set[str]:
        fields = {**product.attributes, **product.specs}
        record = " ".join(
            [
                product.name,
                product.category,
                product.description,
                *product.tags,
                *product.selling_points,
                *product.ingredients,
                *(f"{k} {v}" for k, v in fields.items()),
                *(f.question for f in product.faqs),
            ]
        )
        return terms(self.language.normalize(record), self.language.stopwords)

    def _asked_things(self, text: str, products: Sequence[Product]) -> set[str]:
        """What an availability question asks for: its words without the availability cue, sizes and numbers."""
        lang = self.language
        asked = lang.cues["availability"].sub(" ", text)
        if lang.variant is not None:
            asked = lang.variant.sub(" ", asked)
        return {t for t in self._question_terms(asked, products) if len(t) >= 2 and not t.isdigit()}

    def _covering(self, text: str, hits: Sequence[Product]) -> list[Product]:
        """For "do you carry honey?" naming no product: the hits whose records hold every word asked for."""
        if not self.language.has("availability", text):
            return []
        wanted = self._asked_things(text, [])
        lang = self.language

        def what(product: Product) -> set[str]:  # what a product is (name, category, tags, attributes), not its story
            said = [product.name, product.category, *product.tags, *product.attributes.values()]
            return terms(lang.normalize(" ".join(said)), lang.stopwords)

        return [h for h in hits if wanted <= what(h)] if wanted else []

    def _off_catalog(self, text: str, product: Product) -> bool:
        """ "Do you carry protein powder?" when only Hojicha Roasted Tea Powder comes close: a question whether the
        shop has a thing, with words the product's record does not hold, asks for something the catalog lacks."""
        if not self.language.has("availability", text):
            return False
        return bool(self._asked_things(text, [product]) - self._record_terms(product))
