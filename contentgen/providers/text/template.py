"""The offline copy engine: Jinja templates from prompts/, seeded variety, fitted to each field's budget.

It is the default text provider. For the copy task it renders prompts/copy/<locale>/<channel>.yaml with
facts taken verbatim from the catalog and brief, so every claim it writes is traceable by construction.
Other tasks (plain chat prompts) are answered with a deterministic echo of the last user message, so
that the engine can stand in anywhere a text provider is expected.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, ClassVar

import jinja2

from contentgen.copywriting import COPY_TASK, CopyTask
from contentgen.domain.channel import text_length
from contentgen.domain.product import Product
from contentgen.errors import DataError
from contentgen.prompts import copy_templates
from contentgen.providers.base import ProviderOptions, TextProvider, TextRequest, TextResult

EMOJI = ("✨", "🌿", "💧", "🍃", "💚", "🫧", "👉", "📌", "🎁", "☀️", "🌸", "🍵")
_BLANK_LINES = re.compile(r"\n{3,}")
_SPACES = re.compile(r"[ \t]+\n|[ \t]{2,}")
DETAIL_LEVELS = (3, 2, 1)
TRIES_PER_LEVEL = 4


class TemplateOptions(ProviderOptions):
    """The engine has no model; `prompts_path` adds template folders that shadow the shipped ones."""

    prompts_path: list[str] = []


def promo_price(product: Product, brief: Any) -> Decimal | None:
    """The promotional price the brief sets for a product (see ``Brief.promo_price``)."""
    return brief.promo_price(product) if brief is not None else None


class _Helpers:
    """Functions and values the copy templates see, seeded per request."""

    def __init__(self, task: CopyTask, detail: int) -> None:
        self.task, self.detail = task, detail
        self.rng = random.Random(0)  # replaced per attempt by `reseed`; bound functions see the current one
        locale = task.locale
        seg = task.segment
        self.seg = SimpleNamespace(
            id=seg.id,
            name=seg.name.get(locale),
            traits=seg.traits.get(locale),
            motivations=seg.motivations.get(locale),
            pain_points=seg.pain_points.get(locale),
            tone_hints=seg.tone_hints.get(locale),
            interests=seg.interests.get(locale) if seg.interests else [],
            price_sensitivity=seg.price_sensitivity,
        )

    def pick(self, options: Sequence[Any]) -> Any:
        if not options:
            raise ValueError("pick() got an empty list")
        return self.rng.choice(list(options))

    def sample(self, options: Sequence[Any], k: int) -> list[Any]:
        """k items in their original order (catalog order carries importance)."""
        items = list(options)
        chosen = sorted(self.rng.sample(range(len(items)), min(k, len(items))))
        return [items[i] for i in chosen]

    def points(self, k: int, product: Product | None = None) -> list[str]:
        """Up to k selling points, always starting with the product's first (its lead point)."""
        sp = (product or self.task.product).selling_points
        if not sp:
            return []
        return [sp[0], *self.sample(sp[1:], k - 1)] if k > 1 else [sp[0]]

    def price(self, product: Product | None = None) -> str:
        return (product or self.task.product).money()

    def list_price(self, product: Product | None = None) -> str | None:
        p = product or self.task.product
        return p.money(p.list_price) if p.on_sale else None

    def saving(self, product: Product | None = None) -> str | None:
        p = product or self.task.product
        return p.money(p.list_price - p.price) if p.on_sale and p.list_price is not None else None

    def promo_price(self, product: Product | None = None) -> str | None:
        p = product or self.task.product
        value = promo_price(p, self.task.brief)
        return p.money(value) if value is not None else None

    def emoji(self, n: int = 1) -> str:
        spec = self.task.channel.emoji
        if not spec.allowed or spec.max == 0:
            return ""
        return "".join(self.rng.sample(EMOJI, min(n, spec.max)))

    def reseed(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def context(self) -> dict[str, Any]:
        task = self.task
        promotion = task.brief.promotion if task.brief else None
        return {
            "brand": task.brand,
            "segment": task.segment,
            "seg": self.seg,
            "channel": task.channel,
            "product": task.product,
            "products": list(task.products),
            "brief": task.brief,
            "promo": promotion,
            "locale": task.locale,
            "budget": task.budgets,
            "detail": self.detail,
            "pick": self.pick,
            "sample": self.sample,
            "points": self.points,
            "price": self.price,
            "list_price": self.list_price,
            "saving": self.saving,
            "promo_price": self.promo_price,
            "emoji": self.emoji,
            "text_width": _text_width,
            "without": _without,
        }


def _text_width(text: str) -> int:
    """Display width as channels with `count: width` measure it (CJK and full-width count 2)."""
    return text_length(text, "width")


def _without(items: Sequence[Any], words: Sequence[str]) -> list[Any]:
    """Items (strings, or FAQs by question and answer) that contain none of `words`."""
    return list(_without_cached(tuple(items), tuple(words)))


@lru_cache(maxsize=4096)
def _without_cached(items: tuple[Any, ...], words: tuple[str, ...]) -> tuple[Any, ...]:
    def text(item: Any) -> str:
        return item if isinstance(item, str) else f"{getattr(item, 'question', '')}{getattr(item, 'answer', '')}"

    return tuple(item for item in items if not any(word in text(item) for word in words))


def _tidy(text: str) -> str:
    text = _SPACES.sub(lambda m: "\n" if "\n" in m.group() else " ", text.strip())
    return _BLANK_LINES.sub("\n\n", text)


class TemplateTextProvider(TextProvider):
    """Offline, seeded, template-driven copy; the default text provider."""

    name: ClassVar[str] = "template"
    Options = TemplateOptions
    options: TemplateOptions

    def generate(self, requests: Sequence[TextRequest]) -> list[TextResult]:
        return [self._one(r) for r in requests]

    def _one(self, request: TextRequest) -> TextResult:
        task = request.context.get(COPY_TASK)
        if request.task != COPY_TASK or not isinstance(task, CopyTask):
            last = request.messages[-1].content if request.messages else ""
            return TextResult(last[: request.max_tokens * 4])
        return TextResult(json.dumps(self.write(task, request.seed or 0), ensure_ascii=False))

    def write(self, task: CopyTask, seed: int) -> dict[str, Any]:
        """Fields, hashtag candidates and the angle for one variant of one cell."""
        from pathlib import Path

        extra = [*task.prompts_path, *(Path(p) for p in self.options.prompts_path)]
        templates = copy_templates(task.channel.id, task.locale, extra)
        angles = list(templates.spec.angles)
        # Each variant index takes the next angle of one shuffle per cell and run, so siblings differ in approach.
        cell_rng = random.Random(_seed(task.seed, task.segment.id, task.channel.id, task.product.sku))
        cell_rng.shuffle(angles)
        angle = angles[task.variant % len(angles)]
        fields: dict[str, str] = {}
        contexts: dict[int, tuple[_Helpers, dict[str, Any]]] = {}  # per detail level, shared by the fields
        for name in task.channel.fields:
            template = templates.compiled[angle.id].get(name)
            if template is None:
                if task.channel.fields[name].required:
                    raise DataError(
                        templates.path,
                        f"angle '{angle.id}' has no template for field '{name}'",
                        field=f"angles.{angle.id}.fields",
                    )
                continue
            fields[name] = self._fit(template, task, seed, name, templates, contexts)
        tags = [*angle.hashtags, *task.brand.voice.hashtags, *task.product.tags]
        return {
            "fields": fields,
            "hashtags": list(dict.fromkeys(tags)),
            "angle": angle.id,
            "template_version": templates.version,
        }

    def _fit(
        self,
        template: jinja2.Template,
        task: CopyTask,
        seed: int,
        name: str,
        templates: Any,
        contexts: dict[int, tuple[_Helpers, dict[str, Any]]],
    ) -> str:
        """Render with full detail first, then less, until the text fits the field's budget."""
        spec = task.channel.fields[name]
        budget = task.budgets.get(name, spec.max)
        best: str | None = None
        for detail in DETAIL_LEVELS:
            if detail not in contexts:
                helpers = _Helpers(task, detail)
                context = helpers.context()
                helpers.reseed(_seed(seed, task.variant, "shared", detail))
                context.update(templates.modules(context))
                contexts[detail] = (helpers, context)
            helpers, context = contexts[detail]
            for attempt in range(TRIES_PER_LEVEL):
                helpers.reseed(_seed(seed, task.variant, name, detail, attempt))
                try:
                    text = _tidy(template.render(context))
                except jinja2.TemplateError as err:
                    raise DataError(templates.path, f"field '{name}': {err}") from None
                length = text_length(text, spec.count)
                if spec.min <= length <= budget:
                    return text
                if best is None or length < text_length(best, spec.count):
                    best = text
        assert best is not None
        return best  # the pipeline shortens it at sentence boundaries or drops the variant


def _seed(*parts: object) -> int:
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")
