"""Copy pipeline: ranked, compliant, grounded copy variants per segment × channel.

One way to run it: `CopyPipeline(brand).run(cells)` (the verb every pipeline has: requests in, typed results out, in
order); `generate_copy(...)` is sugar for one cell. Cells go to the text provider in batches of about `TEXT_BATCH`
texts, so model providers batch across cells.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, PrivateAttr

from contentgen.copywriting import COPY_TASK, CopyTask
from contentgen.domain.brand import BrandKit
from contentgen.domain.brief import Brief
from contentgen.domain.channel import Channel, text_length
from contentgen.domain.common import Locale
from contentgen.domain.findings import Finding, Severity
from contentgen.domain.product import Catalog, Product
from contentgen.domain.segment import Segment
from contentgen.errors import ConfigError
from contentgen.pipelines.copy_parse import parse_reply as _parse
from contentgen.pipelines.copy_parse import reply_prefix as _reply_prefix
from contentgen.providers.base import Message, ProviderInfo, TextProvider, TextRequest
from contentgen.text.sentences import split_sentences

OVERSAMPLE = 2
REPAIR_TRIES = 2
FALLBACK_RULE = "copy.template_fallback"
NEAR_DUPLICATE = 0.8
TEXT_BATCH = 128
"""Texts per provider call (cells × variants × oversampling); `on_result` is called after each call."""


@dataclass(frozen=True)
class CopyCell:
    """One segment × channel × product(s) to write for."""

    segment: Segment
    channel: Channel
    products: tuple[Product, ...]


class CopyVariant(BaseModel):
    """One ranked piece of copy, ready to review when `ready` is true."""

    id: str
    rank: int
    fields: dict[str, str]
    hashtags: list[str]
    angle: str | None
    score: float
    scores: dict[str, float]
    findings: list[Finding]
    ready: bool
    seed: int

    # What the provider wrote, without hashtags, signature, opt-out and disclaimers: what siblings differ in.
    _core: str = PrivateAttr(default="")


class DroppedVariant(BaseModel):
    seed: int
    reason: str


class CopyResult(BaseModel):
    """The ranked variants of one cell; `variants[0]` is the best."""

    brand: str
    segment: str
    channel: str
    skus: list[str]
    locale: Locale
    variants: list[CopyVariant]
    dropped: list[DroppedVariant]
    provider: ProviderInfo
    prompt_version: str
    error: str | None = None  # why the cell could not be written at all (e.g. required text leaves no room)
    fallback: str | None = None  # why the template engine wrote this cell instead of the model
    repaired: int = 0  # variants that passed the checks only after a repair round

    # Every variant that parsed and fit, ranked or not: what `contentgen eval copy` counts (not serialised).
    _checked: list[CopyVariant] = PrivateAttr(default_factory=list)

    @property
    def checked(self) -> list[CopyVariant]:
        return self._checked

    @property
    def best(self) -> CopyVariant | None:
        return next((v for v in self.variants if v.ready), None)


class CopyPipeline:
    """Writes copy for one brand; reuse it across cells so the provider and facts load once."""

    def __init__(
        self,
        brand: BrandKit,
        *,
        text_provider: TextProvider | None = None,
        catalog: Catalog | None = None,
        policies: Mapping[str, str] | None = None,
        prompts_path: Sequence[Path] = (),
        prior: Callable[[CopyCell, CopyVariant], float] | None = None,
        repair_tries: int = REPAIR_TRIES,
        fallback: bool = True,
    ) -> None:
        from contentgen.domain.loaders import load_kit_catalog, load_policies

        self.prior = prior  # a learned ranking term (contentgen.results.learning); the checks still veto

        self.brand = brand
        self.catalog = catalog if catalog is not None else load_kit_catalog(brand)
        self.policies = dict(policies) if policies is not None else load_policies(brand)
        self.prompts_path = tuple(prompts_path)
        self.repair_tries = repair_tries
        self.fallback = fallback
        """Model providers: rounds in which variants failing ad-law, brand or grounding checks are regenerated with
        the findings in the prompt; a cell still without a ready variant is written by the template engine."""
        if text_provider is None:
            from contentgen.config import load_settings
            from contentgen.providers.registry import from_settings

            text_provider = from_settings("text", load_settings())
        self.text_provider = text_provider

    def run(
        self,
        requests: Sequence[CopyCell],
        *,
        brief: Brief | None = None,
        n: int = 5,
        seed: int = 0,
        on_result: Callable[[CopyResult], None] | None = None,
        repair_tries: int | None = None,
    ) -> list[CopyResult]:
        """Generate, check, repair, rank; one result per cell, in order (`on_result` sees each as it is done).
        `repair_tries` overrides the pipeline's rounds for this run (a campaign brief's `copy: {repair_tries: 0}`)."""
        if n < 1:
            raise ConfigError(f"n must be at least 1, got {n}")
        if repair_tries is not None and repair_tries < 0:
            raise ConfigError(f"repair_tries must be 0 or more, got {repair_tries}")
        tries = self.repair_tries if repair_tries is None else repair_tries
        per_call = max(1, TEXT_BATCH // (n * OVERSAMPLE))
        results: list[CopyResult] = []
        for start in range(0, len(requests), per_call):
            for result in self._run(requests[start : start + per_call], brief, n, seed, tries):
                results.append(result)
                if on_result:
                    on_result(result)
        return results

    def _run(self, cells: Sequence[CopyCell], brief: Brief | None, n: int, seed: int, tries: int) -> list[CopyResult]:
        plans = []
        for cell in cells:
            try:
                plans.append(self._plan(cell, brief, n, seed))
            except ConfigError as err:  # one impossible cell must not sink a whole campaign run
                plans.append(_CellPlan(self, cell, brief, n, [], "", error=str(err)))
        outputs = iter(self._ask([(r, plan.cell.channel) for plan in plans for r in plan.requests]))
        info = self.text_provider.info()
        raws = [[next(outputs) for _ in plan.requests] for plan in plans]
        results = [plan.finish(raw, info) for plan, raw in zip(plans, raws, strict=True)]
        if self._is_model():
            results = self._repair(plans, raws, results, info, tries)
            results = [
                self._fall_back(plan, result, brief, n, seed, tries)
                if self.fallback and result.best is None and not result.error
                else result
                for plan, result in zip(plans, results, strict=True)
            ]
        return results

    def _ask(self, asks: Sequence[tuple[TextRequest, Channel]]) -> list[str]:
        """The provider's replies; one that continues an assistant message gets the JSON reply started for it
        (`reply_prefix`), and the prefix is put back in front of what it wrote."""
        if not self._is_model() or not getattr(self.text_provider, "continues_assistant", False):
            return [r.text for r in self.text_provider.generate([request for request, _ in asks])]
        heads = [_reply_prefix(channel) for _, channel in asks]
        started = [
            replace(request, messages=(*request.messages, Message("assistant", head)))
            for (request, _), head in zip(asks, heads, strict=True)
        ]
        return [head + r.text for head, r in zip(heads, self.text_provider.generate(started), strict=True)]

    def _is_model(self) -> bool:
        from contentgen.providers.text.template import TemplateTextProvider

        return not isinstance(self.text_provider, TemplateTextProvider)

    def _repair(
        self,
        plans: Sequence[_CellPlan],
        raws: list[list[str]],
        results: list[CopyResult],
        info: ProviderInfo,
        tries: int,
    ) -> list[CopyResult]:
        """Regenerate failing variants with their findings in the prompt, in batches across cells, up to N rounds."""
        from contentgen.prompts import render_prompt

        for _ in range(tries):
            asks: list[tuple[int, int, TextRequest]] = []
            for c, (plan, result) in enumerate(zip(plans, results, strict=True)):
                if result.error or (result.best is not None and sum(v.ready for v in result.variants) >= plan.n):
                    continue
                problems = _problems(result)
                for i, request in enumerate(plan.requests):
                    found = problems.get(request.seed or 0)
                    if not found:
                        continue
                    text, _ = render_prompt(
                        f"copy/repair.{self.brand.locale}.j2", self.prompts_path, problems=found[:6]
                    )
                    messages = (*request.messages, Message("assistant", raws[c][i][:2000]), Message("user", text))
                    asks.append((c, i, replace(request, messages=messages)))
            if not asks:
                break
            replies = self._ask([(a[2], plans[a[0]].cell.channel) for a in asks])
            for (c, i, _), output in zip(asks, replies, strict=True):
                raws[c][i] = output
            touched = sorted({c for c, _, _ in asks})
            for c in touched:
                before = {v.seed for v in results[c].variants if v.ready}
                result = plans[c].finish(raws[c], info)
                repaired = {v.seed for v in result.variants if v.ready} - before
                results[c] = result.model_copy(update={"repaired": results[c].repaired + len(repaired)})
        return results

    def _fall_back(
        self, plan: _CellPlan, result: CopyResult, brief: Brief | None, n: int, seed: int, tries: int
    ) -> CopyResult:
        """The template engine writes a cell the model could not: said in every variant's findings."""
        from contentgen.providers.text.template import TemplateTextProvider

        engine = CopyPipeline(
            self.brand,
            text_provider=TemplateTextProvider({"prompts_path": [str(p) for p in self.prompts_path]}),
            catalog=self.catalog,
            policies=self.policies,
            prompts_path=self.prompts_path,
        )
        written = engine.run([plan.cell], brief=brief, n=n, seed=seed)[0]
        reason = (
            f"no variant from the {self.text_provider.name} model '{self.text_provider.model}' passed the checks after "
            f"{tries} repair rounds; written by the offline template engine"
        )
        note = Finding(rule=FALLBACK_RULE, severity=Severity.WARN, message=reason)
        variants = [v.model_copy(update={"findings": [note, *v.findings]}) for v in written.variants]
        return written.model_copy(
            update={
                "variants": variants,
                "dropped": result.dropped + written.dropped,
                "fallback": reason,
                "repaired": result.repaired,
            }
        )

    def _plan(self, cell: CopyCell, brief: Brief | None, n: int, seed: int) -> _CellPlan:
        from contentgen.prompts import copy_examples, render_prompt

        budgets = {name: _budget(self.brand, cell, name) for name in cell.channel.fields}
        context = _prompt_context(self.brand, cell, brief, budgets)
        locale = self.brand.locale
        system, _ = render_prompt(f"copy/system.{locale}.j2", self.prompts_path, **context)
        user, version = render_prompt(f"copy/user.{locale}.j2", self.prompts_path, **context)
        shots: list[Message] = []
        examples = copy_examples(cell.channel, locale, self.prompts_path)
        if examples is not None:  # few-shot turns between the system prompt and the real ask
            for asked, answered in examples.turns(budgets):
                shots += [Message("user", asked), Message("assistant", answered)]
            version += f"+{examples.version}"
        messages = (Message("system", system), *shots, Message("user", user))
        requests = []
        for i in range(n * OVERSAMPLE):
            task = CopyTask(
                self.brand, cell.segment, cell.channel, cell.products, brief, budgets, i, self.prompts_path, seed
            )
            requests.append(
                TextRequest(
                    messages=messages,
                    task=COPY_TASK,
                    context={COPY_TASK: task},
                    max_tokens=_max_tokens(cell.channel),
                    temperature=0.8,
                    seed=seed + i,
                )
            )
        return _CellPlan(self, cell, brief, n, requests, version)


@dataclass
class _CellPlan:
    pipeline: CopyPipeline
    cell: CopyCell
    brief: Brief | None
    n: int
    requests: list[TextRequest]
    prompt_version: str
    error: str | None = None

    def finish(self, raw: Sequence[str], info: ProviderInfo) -> CopyResult:
        from contentgen.compliance.grounding import FactSheet

        brand, cell = self.pipeline.brand, self.cell

        def result(variants: list[CopyVariant], dropped: list[DroppedVariant], version: str) -> CopyResult:
            return CopyResult(
                brand=brand.id,
                segment=cell.segment.id,
                channel=cell.channel.id,
                skus=[p.sku for p in cell.products],
                locale=brand.locale,
                variants=variants,
                dropped=dropped,
                provider=info,
                prompt_version=version,
                error=self.error,
            )

        if self.error is not None:
            return result([], [], "")
        facts = FactSheet.build(cell.products, brief=self.brief, policies=self.pipeline.policies, brand=brand)
        kept: list[CopyVariant] = []
        dropped: list[DroppedVariant] = []
        template_version = None
        for request, text in zip(self.requests, raw, strict=True):
            seed = request.seed or 0
            try:
                parsed = _parse(text, cell.channel)
            except ValueError as err:
                dropped.append(DroppedVariant(seed=seed, reason=str(err)))
                continue
            template_version = template_version or parsed.get("template_version")
            variant = _finish_variant(brand, cell, parsed, facts, seed)
            if isinstance(variant, str):
                dropped.append(DroppedVariant(seed=seed, reason=variant))
            else:
                kept.append(variant)
        prior = self.pipeline.prior
        ranked, duplicates = _rank(kept, self.n, (lambda v: prior(cell, v)) if prior else None)
        dropped += [DroppedVariant(seed=v.seed, reason="near-duplicate of a better variant") for v in duplicates]
        finished = result(ranked, dropped, template_version or self.prompt_version)
        finished._checked = kept
        return finished


def _problems(result: CopyResult) -> dict[int, list[str]]:
    """Seed → what to fix, for every variant that is not ready (its blocking findings) or could not be used."""
    found: dict[int, list[str]] = {}
    for v in result.variants:
        if not v.ready:
            found[v.seed] = [f.message for f in v.findings if f.blocking]
    for d in result.dropped:
        if "near-duplicate" not in d.reason:
            found[d.seed] = [d.reason]
    return found


# ---- budgets and decoration ---------------------------------------------------------------------


def _main_field(channel: Channel) -> str:
    """The field that carries disclaimers and opt-out text: the one with the most room."""
    return max(channel.fields, key=lambda name: channel.fields[name].max)


def _disclaimers(brand: BrandKit, cell: CopyCell) -> list[str]:
    if not cell.channel.requirements.disclaimers:
        return []
    categories = {p.category for p in cell.products}
    texts = [d.text for d in brand.voice.disclaimers if any(d.applies(cell.channel.id, c) for c in categories)]
    return list(dict.fromkeys(texts))


def _sentence(text: str, locale: Locale) -> str:
    text = text.strip()
    if text and text[-1] not in "。！？.!?":
        text += "。" if locale == "zh-CN" else "."
    return text


def _decorations(brand: BrandKit, cell: CopyCell, name: str) -> tuple[str, str]:
    """(prefix, suffix) the pipeline adds around a field's generated text."""
    channel, locale = cell.channel, brand.locale
    prefix, suffix = "", ""
    if name == _main_field(channel):
        if channel.requirements.signature:
            prefix = f"【{brand.signature}】" if locale == "zh-CN" else f"[{brand.signature}] "
        tail = [_sentence(d, locale) for d in _disclaimers(brand, cell)]
        if channel.requirements.opt_out:
            tail.append(channel.requirements.opt_out.get(locale))
        if tail:
            joiner = "" if locale == "zh-CN" else " "
            # Chinese runs on without a space, except after hashtags, which a space must close.
            closes_hashtags = channel.hashtags.field == name and channel.hashtags.max > 0
            sep = (
                "\n\n" if channel.fields[name].max > 200 else ("" if locale == "zh-CN" and not closes_hashtags else " ")
            )
            suffix = sep + joiner.join(tail)
    return prefix, suffix


def _hashtag_separator(limit: int) -> str:
    """Hashtags close a long post in a paragraph of their own and follow a short one on its line."""
    return "\n\n" if limit > 200 else " "


def _hashtag_text(channel: Channel, tags: Sequence[str]) -> str:
    return " ".join(channel.hashtags.format(t) for t in tags)


def _budget(brand: BrandKit, cell: CopyCell, name: str) -> int:
    """Room left for generated text in a field after decorations and the fewest hashtags allowed."""
    spec = cell.channel.fields[name]
    prefix, suffix = _decorations(brand, cell, name)
    reserve = text_length(prefix + suffix, spec.count)
    tags = cell.channel.hashtags
    if tags.field == name and tags.min:
        sample = (brand.voice.hashtags + list(cell.products[0].tags))[: tags.min]
        reserve += text_length(_hashtag_separator(spec.max) + _hashtag_text(cell.channel, sample), spec.count)
    room = spec.max - reserve
    if room < max(10, spec.min - reserve):
        raise ConfigError(
            f"channel '{cell.channel.id}' field '{name}' has {spec.max} characters but the signature, opt-out, "
            f"disclaimers and hashtags take {reserve}; scope disclaimers with 'channels:' in {brand.root / 'kit.yaml'}"
        )
    return room


def _max_tokens(channel: Channel) -> int:
    return min(2048, 64 + sum(spec.max for spec in channel.fields.values()) * 2)


# ---- parsing and finishing one variant ----------------------------------------------------------


_TRIM = " ，,、：:;；—–-\n"


def shorten(text: str, limit: int, count: Literal["chars", "width"] = "chars") -> str | None:
    """Drop whole sentences from the end until the text fits; None if not even the first sentence fits. Never a
    clause: "8折，仅限会员首单" cut at the comma would be an unconditional offer (the repair turn rewrites instead)."""
    if text_length(text, count) <= limit:
        return text
    parts = split_sentences(text)
    while len(parts) > 1:
        parts.pop()
        candidate = "".join(parts).rstrip(_TRIM)
        if candidate and text_length(candidate, count) <= limit:
            return candidate
    return None


def _is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) == "So" and ord(ch) > 0x2000


def _limit_emoji(text: str, allowed: bool, maximum: int) -> str:
    keep = maximum if allowed else 0
    out = []
    for ch in text:
        if _is_emoji(ch) or ch == "\ufe0f":
            if ch != "\ufe0f" and keep <= 0:
                continue
            if ch != "\ufe0f":
                keep -= 1
        out.append(ch)
    return re.sub(r"[ \t]{2,}", " ", "".join(out))


def _finish_variant(
    brand: BrandKit, cell: CopyCell, parsed: dict[str, Any], facts: Any, seed: int
) -> CopyVariant | str:
    """Fit, decorate, check and repair one variant; a string says why it was dropped."""
    from contentgen.compliance import adlaw
    from contentgen.compliance.degenerate import degenerate_findings
    from contentgen.compliance.grounding import ground_fields

    channel, locale = cell.channel, brand.locale
    category = cell.products[0].category
    fields: dict[str, str] = {}
    emoji_left = channel.emoji.max if channel.emoji.allowed else 0
    for name, text in parsed["fields"].items():
        spec = channel.fields[name]
        text = _limit_emoji(text, channel.emoji.allowed, emoji_left)
        emoji_left -= sum(_is_emoji(ch) for ch in text)
        room = _budget(brand, cell, name)
        fitted = shorten(text, room, spec.count)
        if fitted is None:
            kept = "" if room == spec.max else " (the rest of the channel's limit is the text added for you)"
            return (
                f"field '{name}' is {text_length(text, spec.count)} {spec.count}; write at most {room}{kept}, "
                "in one short sentence"
            )
        fields[name] = fitted

    # Check and repair the generated text before decorations: disclaimers are the brand's own approved words.
    def review(texts: Mapping[str, str]) -> list[Finding]:
        found = [
            f
            for name, text in texts.items()
            for f in adlaw.check(text, locale=locale, brand=brand, category=category, channel=channel.id, field=name)
        ]
        return found + ground_fields(texts, facts, locale=locale)

    findings = review(fields)
    if findings:
        fields = {name: adlaw.repair(text, [f for f in findings if f.field == name]) for name, text in fields.items()}
        findings = review(fields)
    findings += degenerate_findings(fields, locale)  # loops and the wrong language: regenerate, never ship
    tags = _pick_hashtags(channel, parsed["hashtags"])
    decorated: dict[str, str] = {}
    for name, text in fields.items():
        prefix, suffix = _decorations(brand, cell, name)
        spec = channel.fields[name]
        ended = text + ("。" if locale == "zh-CN" else ".")
        if suffix and text[-1:].isalnum() and text_length(prefix + ended + suffix, spec.count) <= spec.max:
            text = ended  # end the sentence before required text follows it
        if channel.hashtags.field == name and tags:
            spec = channel.fields[name]
            sep = _hashtag_separator(spec.max)
            while (
                tags and text_length(prefix + text + sep + _hashtag_text(channel, tags) + suffix, spec.count) > spec.max
            ):
                if len(tags) <= channel.hashtags.min:
                    break
                tags = tags[:-1]
            if tags:
                text = f"{text}{sep}{_hashtag_text(channel, tags)}"
        decorated[name] = prefix + text + suffix
    if channel.hashtags.field is None:
        tags = []
    required = dict.fromkeys(p.category for p in cell.products) if channel.requirements.disclaimers else {}
    for product_category in required:
        findings += adlaw.missing_disclaimers(decorated, brand=brand, category=product_category, channel=channel.id)
    for name, text in decorated.items():
        spec = channel.fields[name]
        length = text_length(text, spec.count)
        if length > spec.max:
            return f"field '{name}' is {length} {spec.count} with hashtags and required text; the limit is {spec.max}"
        if length < spec.min:
            findings.append(
                Finding(
                    rule="channel.too_short",
                    severity=Severity.BLOCK,
                    field=name,
                    message=f"{name} has {length} {spec.count}; the channel needs at least {spec.min}",
                )
            )
    if channel.hashtags.field and len(tags) < channel.hashtags.min:
        findings.append(
            Finding(
                rule="channel.hashtags",
                severity=Severity.WARN,
                field=channel.hashtags.field,
                message=f"{len(tags)} hashtags; the channel expects {channel.hashtags.min}–{channel.hashtags.max}",
            )
        )
    scores = _scores(brand, cell, decorated, fields, tags, findings)
    digest = hashlib.sha256(
        json.dumps([brand.id, cell.segment.id, channel.id, decorated], ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()[:12]
    variant = CopyVariant(
        id=digest,
        rank=0,
        fields=decorated,
        hashtags=tags,
        angle=parsed.get("angle"),
        score=0.0,
        scores=scores,
        findings=findings,
        ready=not any(f.blocking for f in findings),
        seed=seed,
    )
    variant._core = "\n".join(fields.values())
    return variant


def _pick_hashtags(channel: Channel, candidates: Sequence[str]) -> list[str]:
    spec = channel.hashtags
    if spec.field is None or spec.max == 0:
        return []
    tags = [re.sub(r"\s+", "", t) for t in candidates]
    return list(dict.fromkeys(t for t in tags if t))[: spec.max]


# ---- scoring and ranking ------------------------------------------------------------------------


def _shingles(text: str, k: int = 3) -> set[str]:
    compact = re.sub(r"\s+", "", text.lower())
    return {compact[i : i + k] for i in range(max(1, len(compact) - k + 1))}


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of character 3-grams: language-agnostic, cheap, good at near-duplicates."""
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


def _covers(text: str, phrase: str) -> bool:
    grams = _shingles(phrase, 2)
    return bool(grams) and len(grams & _shingles(text, 2)) / len(grams) >= 0.6


def _scores(
    brand: BrandKit,
    cell: CopyCell,
    decorated: Mapping[str, str],
    generated: Mapping[str, str],
    tags: Sequence[str],
    findings: Sequence[Finding],
) -> dict[str, float]:
    locale = brand.locale
    text = "\n".join(generated.values())
    compliance = 0.0 if any(f.blocking for f in findings) else max(0.0, 1.0 - 0.25 * len(findings))
    fit = []
    for name, value in decorated.items():
        spec = cell.channel.fields[name]
        usage = text_length(value, spec.count) / spec.max
        fit.append(1.0 if 0.45 <= usage <= 0.98 else max(0.0, 1.0 - abs(usage - 0.7)))
    voice_marks = [
        brand.name in text or (brand.short_name or brand.name) in text,
        any(t in brand.voice.hashtags for t in tags) or brand.voice.tagline in text,
        any(word in text for word in brand.voice.tone),
    ]
    seg = cell.segment
    phrases = seg.traits.get(locale) + seg.motivations.get(locale) + seg.pain_points.get(locale)
    hits = sum(_covers(text, p) for p in phrases)
    return {
        "compliance": round(compliance, 3),
        "fit": round(sum(fit) / len(fit), 3),
        "voice": round(sum(voice_marks) / len(voice_marks), 3),
        "segment": round(min(1.0, hits / 2), 3),
    }


WEIGHTS = {"compliance": 0.35, "fit": 0.2, "voice": 0.15, "segment": 0.15, "diversity": 0.15}


def _rank(
    variants: list[CopyVariant], n: int, prior: Callable[[CopyVariant], float] | None = None
) -> tuple[list[CopyVariant], list[CopyVariant]]:
    """Greedy max-marginal-relevance: each pick trades quality against similarity to those above it."""
    base = {v.id: sum(WEIGHTS[k] * v.scores[k] for k in v.scores) + (prior(v) if prior else 0.0) for v in variants}
    texts = {v.id: v._core or "\n".join(v.fields.values()) for v in variants}
    pool = sorted(variants, key=lambda v: (not v.ready, -base[v.id], v.seed))
    chosen: list[CopyVariant] = []
    duplicates: list[CopyVariant] = []
    while pool and len(chosen) < n:
        best, best_total, best_div = None, float("-inf"), 0.0
        for v in pool:
            div = 1.0 - max((similarity(texts[v.id], texts[c.id]) for c in chosen), default=0.0)
            total = base[v.id] + WEIGHTS["diversity"] * div - (10.0 if not v.ready else 0.0)
            if total > best_total:
                best, best_total, best_div = v, total, div
        assert best is not None
        pool.remove(best)
        if chosen and 1.0 - best_div >= NEAR_DUPLICATE:
            duplicates.append(best)
            continue
        scores = {**best.scores, "diversity": round(best_div, 3)}
        chosen.append(
            best.model_copy(
                update={
                    "rank": len(chosen) + 1,
                    "scores": scores,
                    "score": round(sum(WEIGHTS[k] * scores[k] for k in scores), 4),
                }
            )
        )
    return chosen, duplicates


# ---- the convenient entry point ------------------------------------------------------------------


def _prompt_context(brand: BrandKit, cell: CopyCell, brief: Brief | None, budgets: Mapping[str, int]) -> dict[str, Any]:
    locale = brand.locale
    return {
        "brand": brand,
        "segment": cell.segment,
        "seg": {
            k: getattr(cell.segment, k).get(locale)
            for k in ("name", "description", "traits", "motivations", "pain_points", "tone_hints")
        },
        "channel": cell.channel,
        "products": cell.products,
        "brief": brief,
        "budgets": budgets,
        "added": {name: _required_text(brand, cell, name) for name in cell.channel.fields},
        "locale": locale,
    }


def _required_text(brand: BrandKit, cell: CopyCell, name: str) -> dict[str, str]:
    """The signature and opt-out the pipeline adds to a field, so the prompt can say to leave them out."""
    requirements = cell.channel.requirements
    if name != _main_field(cell.channel):
        return {}
    prefix, _ = _decorations(brand, cell, name)
    added = {
        "signature": prefix.strip() if requirements.signature else "",
        "opt_out": requirements.opt_out.get(brand.locale) if requirements.opt_out else "",
    }
    return added if any(added.values()) else {}


def generate_copy(
    brand: BrandKit | str,
    segment: Segment | str,
    channel: Channel | str,
    products: Product | str | Sequence[Product | str],
    brief: Brief | None = None,
    *,
    n: int = 5,
    seed: int = 0,
    text_provider: TextProvider | None = None,
    repair_tries: int = REPAIR_TRIES,
    fallback: bool = True,
) -> CopyResult:
    """Copy variants for one segment × channel × product(s); ids are looked up in the kit and shipped data."""
    from contentgen.domain.loaders import load_brand_kit, resolve_channel, resolve_segment

    kit = load_brand_kit(brand) if isinstance(brand, str) else brand
    pipeline = CopyPipeline(kit, text_provider=text_provider, repair_tries=repair_tries, fallback=fallback)
    segment = resolve_segment(kit, segment)
    channel = resolve_channel(channel)
    items = [products] if isinstance(products, Product | str) else list(products)
    resolved = tuple(pipeline.catalog.get(p) if isinstance(p, str) else p for p in items)
    if not resolved:
        raise ConfigError("give at least one product")
    return pipeline.run([CopyCell(segment, channel, resolved)], brief=brief, n=n, seed=seed)[0]
