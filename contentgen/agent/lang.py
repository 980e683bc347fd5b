"""The agent's language packs (`lang/<locale>.yaml`): intent cues, attribute aliases, query expansions and answer
templates, validated when loaded and compiled once."""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from contentgen.domain.common import Locale, Model
from contentgen.fileio import load_model

LANG_DIR = Path(__file__).resolve().parent / "lang"
FLAGS = re.IGNORECASE


def _regex(value: str) -> str:
    try:
        re.compile(value, FLAGS)
    except re.error as err:
        raise ValueError(f"invalid regular expression {value!r}: {err}") from None
    return value


Pattern = Annotated[str, Field(min_length=1), AfterValidator(_regex)]

# The placeholders each template may use; a template naming another one is an error at load time.
TEMPLATE_FIELDS: dict[str, frozenset[str]] = {
    "price": frozenset({"name", "sku", "price"}),
    "price_sale": frozenset({"name", "sku", "price", "list_price"}),
    "price_sold_out": frozenset({"name", "sku", "price"}),
    "stock_in": frozenset({"name", "sku"}),
    "stock_low": frozenset({"name", "sku", "stock"}),
    "stock_out": frozenset({"name", "sku"}),
    "alternatives": frozenset({"items"}),
    "fact": frozenset({"name", "sku", "key", "value"}),
    "faq": frozenset({"name", "sku", "answer"}),
    "ingredients": frozenset({"name", "sku", "items"}),
    "summary": frozenset({"name", "sku", "price", "description"}),
    "points": frozenset({"items"}),
    "compare_head": frozenset({"count"}),
    "compare_line": frozenset({"index", "name", "sku", "price", "details"}),
    "recommend_head": frozenset(),
    "recommend_line": frozenset({"index", "name", "sku", "price", "reason"}),
    "recommend_none": frozenset(),
    "policy": frozenset({"title", "passage"}),
    "order_found": frozenset({"order", "status"}),
    "order_shipped": frozenset({"shipped", "carrier", "tracking"}),
    "order_delivered": frozenset({"delivered"}),
    "order_items": frozenset({"items"}),
    "order_ask": frozenset(),
    "greeting": frozenset({"persona", "brand"}),
    "thanks": frozenset({"persona", "brand"}),
    "identity": frozenset({"persona", "brand"}),
    "bye": frozenset({"persona", "brand"}),
    "refuse_out_of_scope": frozenset({"brand"}),
    "refuse_medical": frozenset({"brand"}),
    "refuse_not_in_catalog": frozenset({"brand"}),
    "refuse_injection": frozenset({"brand"}),
    "refuse_ungrounded": frozenset({"brand"}),
    "handoff_requested": frozenset({"brand"}),
    "handoff_upset": frozenset({"brand"}),
    "handoff_complaint": frozenset({"brand"}),
    "handoff_high_value": frozenset({"brand"}),
    "handoff_ungrounded": frozenset({"brand"}),
    "handoff_order_unknown": frozenset({"brand", "order"}),
    "clarify": frozenset({"brand"}),
    "cheer": frozenset({"brand", "persona"}),
    "item": frozenset({"name", "sku"}),
    "price_was": frozenset({"price", "list_price"}),
    # what a superlative ranks: the whole catalog, the products just named or talked about, or one category
    "superlative": frozenset({"label", "items"}),
    "superlative_of_these": frozenset({"label", "items"}),
    "superlative_in_category": frozenset({"category", "kind", "label", "items"}),
    "fact_missing": frozenset({"name", "sku", "what"}),
    "variant_missing": frozenset({"name", "sku", "sizes"}),
}
MODEL_FIELDS = {
    "system": frozenset({"brand", "persona", "style"}),
    "user": frozenset({"records", "policies", "history", "question"}),
}
ORDER_STATUSES = ("processing", "shipped", "delivered", "cancelled")
CLAUSE_MARKS = r"[,，;；、?？]"  # where one ask ends and the next begins, in any language


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _check_fields(values: Mapping[str, str], allowed: Mapping[str, frozenset[str]]) -> None:
    missing = sorted(set(allowed) - set(values))
    if missing:
        raise ValueError(f"missing templates: {', '.join(missing)}")
    for name, text in values.items():
        if name not in allowed:
            raise ValueError(f"unknown template '{name}'; known: {', '.join(sorted(allowed))}")
        try:
            used = _placeholders(text)
        except ValueError as err:
            raise ValueError(f"template '{name}': {err}") from None
        extra = sorted(used - allowed[name])
        if extra:
            valid = ", ".join(sorted(allowed[name])) or "(none)"
            raise ValueError(f"template '{name}' uses {{{extra[0]}}}; it may use: {valid}")


class Cues(Model):
    human: list[Pattern]
    upset: list[Pattern]
    complaint: list[Pattern]
    hypothetical: list[Pattern]
    injection: list[Pattern]
    order_status: list[Pattern]
    greeting: list[Pattern]
    thanks: list[Pattern]
    identity: list[Pattern]
    bye: list[Pattern]
    out_of_scope: list[Pattern]
    medical: list[Pattern]
    compare: list[Pattern]
    recommend: list[Pattern]
    price: list[Pattern]
    stock: list[Pattern]
    general: list[Pattern]
    ingredients: list[Pattern]
    pronoun: list[Pattern]
    followup: list[Pattern]
    bulk: list[Pattern]
    pairing: list[Pattern]
    money: list[Pattern]
    member_self: list[Pattern]
    cheer: list[Pattern] = []
    switch: list[Pattern] = []
    spam: list[Pattern] = []
    insult: list[Pattern] = []
    # "do you sell / carry …", "有没有…": asks whether the shop has a thing (an unnamed thing no record covers is
    # off-catalog, not a question for a person)
    availability: list[Pattern] = []
    # an explicit ask for a suggestion ("推荐", "recommend"): only these outweigh a policy word
    ask_recommend: list[Pattern] = []
    # asks what to do about a case ("怎么办", "what should I do"): with no anger, a policy answers it
    procedure: list[Pattern] = []
    # asks about every size of a product ("大的和小的", "both sizes")
    sizes: list[Pattern] = []
    # words that join two asks in one message ("而且", "and"); punctuation between clauses is `CLAUSE_MARKS`
    clauses: list[Pattern] = []
    # one product of the previous answer picked by words of its name ("the earl grey one", "积雪草那款"): each pattern
    # has one group, the words
    pick: list[Pattern] = []
    # the thing a shopper says they want ("looking for a boba kit with …"): each pattern has one group, the thing
    wish: list[Pattern] = []
    # an allergy named in a product question ("过敏", "allergic"): the product's own warning answers it
    allergy: list[Pattern] = []
    # a feeling said around a question ("第一次用有点紧张，…"): a clause with it and no ask is left out of the question
    feeling: list[Pattern] = []
    # a message that asks something ("几片", "吗", "?"): excitement around it is no small talk
    question: list[Pattern] = []


class Ordinal(Model):
    index: int = Field(description="1-based position in the previous answer; -1 for the last")
    patterns: list[Pattern] = Field(min_length=1)


class AttributeAlias(Model):
    keys: list[str] = Field(min_length=1, description="record fields (attributes or specs), tried in order")
    cues: list[Pattern] = Field(min_length=1)
    # a record without the field may still say it in a sentence ("Harvested in July from Blue Ridge Mountain hives"
    # for Origin): a selling point or description sentence matching one of these answers the question
    lines: list[Pattern] = []


class Respelling(Model):
    """Shoppers' spellings the cues are not written for ("whats", "how r u", "+"): rewritten before matching."""

    pattern: Pattern
    to: str


class Superlative(Model):
    # price and discount (list price less price) come from the record itself, caffeine from `ranks`, size and weight
    # from an amount with its unit; any other key from the first number of a `sort_fields` field (durations in months)
    key: str = Field(min_length=1)
    order: Literal["asc", "desc"]
    label: str = Field(min_length=1, description="how the answer says it: 最便宜, cheapest")
    cues: list[Pattern] = Field(min_length=1)


class Expansion(Model):
    cues: list[Pattern] = Field(min_length=1)
    add: str = Field(min_length=1, description="words added to the search query")


class PolicyTopic(Model):
    title: str = Field(min_length=1)
    cues: list[Pattern] = Field(min_length=1)


class Contrast(Model):
    """Two sides a policy question can be on (before / after shipping): passages on the question's side rank first."""

    one: list[Pattern] = Field(min_length=1)
    other: list[Pattern] = Field(min_length=1)


class ClaimWords(Model):
    efficacy: list[Pattern] = Field(min_length=1)
    ingredients: list[Pattern] = Field(min_length=1)


HOST_FIELDS: dict[str, frozenset[str]] = {
    "opening": frozenset({"brand", "persona", "count"}),
    "product": frozenset({"index", "name"}),
    "describe": frozenset({"description"}),
    "angle": frozenset({"segment", "point"}),
    "point": frozenset({"point"}),
    "price": frozenset({"name", "price"}),
    "price_sale": frozenset({"name", "price", "list_price"}),
    "sold_out": frozenset({"name"}),
    "cta": frozenset(),
    "comments": frozenset(),
    "asked": frozenset({"comment"}),
    "asked_times": frozenset({"comment", "times"}),
    "closing": frozenset({"brand", "persona"}),
    "summary": frozenset({"questions", "mood"}),
}


class HostLines(Model):
    """The virtual host's lines; `between` are said between comments, in turn."""

    opening: str
    product: str
    describe: str
    angle: str
    point: str
    price: str
    price_sale: str
    sold_out: str
    cta: str
    comments: str
    asked: str
    asked_times: str
    between: list[str] = Field(min_length=1)
    closing: str
    summary: str = ""
    moods: dict[str, str] = {}

    @model_validator(mode="after")
    def _fields(self) -> HostLines:
        _check_fields({k: getattr(self, k) for k in HOST_FIELDS}, HOST_FIELDS)
        missing = [m for m in ("calm", "warm", "upset") if self.summary and m not in self.moods]
        if missing:
            raise ValueError(f"moods: missing {', '.join(missing)} (the summary line needs them)")
        return self


class ModelPrompt(Model):
    system: str = Field(min_length=1)
    user: str = Field(min_length=1)

    @model_validator(mode="after")
    def _fields(self) -> ModelPrompt:
        _check_fields({"system": self.system, "user": self.user}, MODEL_FIELDS)
        return self


class SupportWords(Model):
    """The model path's support check (`contentgen.agent.support`): what a model sentence must find in its sources."""

    min_share: float = Field(0.75, ge=0, le=1, description="share of its content words the sources must hold")
    window: int = Field(4, ge=1, description="content words either side of a claim word that name what it is about")
    stopwords: list[str] = Field([], description="words that state nothing, besides the pack's `stopwords`")
    universal: list[Pattern] = Field([], description="all, every, always, free, guarantee …: the sources must say it")
    available: list[Pattern] = Field([], description="in stock, available: a cited record in stock, or the sources")
    unavailable: list[Pattern] = Field([], description="sold out: a cited record out of stock, or the sources")
    negations: list[Pattern] = Field([], description="not, can't, 不 …: a sentence may not flip its source's")


def _bounded(variant: str) -> str:
    """`variant` as a pattern that matches whole Latin words only ("fall" not in "waterfall"), a plural "s" left
    after it ("infants" → "babys", as the record words are read); CJK has no word boundaries, so a CJK end is open."""
    head = r"(?<![a-z0-9])" if variant[:1].isascii() and variant[:1].isalnum() else ""
    tail = r"(?=s?(?![a-z0-9]))" if variant[-1:].isascii() and variant[-1:].isalnum() else ""
    return head + re.escape(variant) + tail


class LanguagePack(Model):
    """lang/<locale>.yaml."""

    version: int = Field(ge=1)
    locale: Locale
    cues: Cues
    ordinals: list[Ordinal]
    attributes: list[AttributeAlias]
    expansions: list[Expansion]
    stopwords: list[str]
    synonyms: list[list[str]] = Field([], description="each list: the canonical word, then words that mean it")
    respell: list[Respelling] = []
    policies: dict[str, PolicyTopic]
    policy_contrasts: list[Contrast] = []
    claims: ClaimWords
    superlatives: list[Superlative] = []
    sort_fields: dict[str, list[str]] = {}
    ranks: dict[str, int] = {}
    variant: list[Pattern] = []
    attribute_names: dict[str, str] = {}
    compare_fields: list[str] = []
    templates: dict[str, str]
    host: HostLines
    status: dict[str, str]
    model: ModelPrompt
    support: SupportWords = SupportWords()

    @model_validator(mode="after")
    def _check(self) -> LanguagePack:
        _check_fields(self.templates, TEMPLATE_FIELDS)
        unsorted = sorted({s.key for s in self.superlatives} - {"price", "discount"} - set(self.sort_fields))
        if unsorted:
            raise ValueError(f"superlatives: key '{unsorted[0]}' has no sort_fields entry (the fields it sorts by)")
        missing = [s for s in ORDER_STATUSES if s not in self.status]
        if missing:
            raise ValueError(f"status: missing {', '.join(missing)}")
        return self


class Language:
    """A validated language pack with its patterns compiled."""

    def __init__(self, pack: LanguagePack, source: Path) -> None:
        self.pack, self.source, self.locale = pack, source, pack.locale
        self.cues = {name: _union(getattr(pack.cues, name)) for name in Cues.model_fields}
        self.ordinals = [(o.index, _union(o.patterns)) for o in pack.ordinals]
        self.attributes = [(a.keys, _union(a.cues)) for a in pack.attributes]
        self.evidence = [(a.keys, _union(a.lines)) for a in pack.attributes if a.lines]
        self._respell = [(re.compile(r.pattern, FLAGS), r.to) for r in pack.respell]
        self.expansions = [(_union(e.cues), e.add) for e in pack.expansions]
        self.superlatives = [(s, _union(s.cues)) for s in pack.superlatives]
        self.variant = _union(pack.variant) if pack.variant else None
        self.policy_cues = {name: _union(topic.cues) for name, topic in pack.policies.items()}
        self.policy_phrases = [re.compile(c, FLAGS) for topic in pack.policies.values() for c in topic.cues]
        self.policy_contrasts = [(_union(c.one), _union(c.other)) for c in pack.policy_contrasts]
        self.stopwords = frozenset(w.lower() for w in pack.stopwords)
        self._synonyms = sorted(
            ((variant.lower(), group[0].lower()) for group in pack.synonyms for variant in group[1:]),
            key=lambda pair: -len(pair[0]),
        )
        # canonical words map to themselves, so "drops" is kept whole rather than read as "drop" + "s"
        self._canonical = {c: c for _, c in self._synonyms} | dict(self._synonyms)
        self._synonym_re = (
            re.compile("|".join(_bounded(v) for v in sorted(self._canonical, key=lambda v: -len(v))))
            if self._synonyms
            else None
        )
        self.claim_words = [re.compile(p, FLAGS) for p in (*pack.claims.efficacy, *pack.claims.ingredients)]
        self._clauses = _union([CLAUSE_MARKS, *pack.cues.clauses])

    def clauses(self, text: str) -> list[str]:
        """The asks of one message, split at commas and the pack's joining words ("多少钱，多大容量", "how many
        cups … and is it caffeine free", "漏液了，而且少发了一件"); empty pieces dropped."""
        pieces, start = [], 0
        for match in self._clauses.finditer(text):  # not re.split: a pack's groups would come back as pieces
            pieces.append(text[start : match.start()])
            start = match.end()
        pieces.append(text[start:])
        return [c for c in pieces if c.strip()]

    def respelled(self, text: str) -> str:
        """`text` with the pack's `respell` rewrites applied ("whats in it" → "what's in it")."""
        for pattern, to in self._respell:
            text = pattern.sub(to, text)
        return text

    def has(self, cue: str, text: str) -> bool:
        return bool(self.cues[cue].search(text))

    def find(self, cue: str, text: str) -> re.Match[str] | None:
        return self.cues[cue].search(text)

    def normalize(self, text: str) -> str:
        """Lower-case text with synonyms replaced by their canonical word (一周 → 每周), for overlap scores."""
        lowered = text.lower()
        if self._synonym_re is None:
            return lowered
        # one pass, so a canonical word just written is not rewritten again ("drop it" → "drops", never "dropss")
        return self._synonym_re.sub(lambda m: self._canonical[m.group(0)], lowered)

    def render(self, template: str, /, **values: object) -> str:
        return self.pack.templates[template].format(**values)

    @property
    def separator(self) -> str:
        """Between clauses of one sentence: "；" or "; " (YAML strings are stripped, so this lives here)."""
        return "；" if self.locale == "zh-CN" else "; "

    @property
    def colon(self) -> str:
        return "：" if self.locale == "zh-CN" else ": "

    def join(self, items: Iterable[str]) -> str:
        return ("、" if self.locale == "zh-CN" else ", ").join(items)

    def policy_title(self, name: str) -> str:
        topic = self.pack.policies.get(name)
        return topic.title if topic else name


def _union(patterns: Sequence[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), FLAGS)


@functools.cache
def load_language(locale: Locale, path: Path | None = None) -> Language:
    """The language pack of `locale` (the shipped one unless `path` names another file)."""
    source = path or LANG_DIR / f"{locale}.yaml"
    return Language(load_model(LanguagePack, source), source)
