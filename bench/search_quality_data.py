"""Seeded Chinese marketplace titles and shopper queries for `bench/bench_search_quality.py`.

Titles are made the way Taobao/JD titles are: brand + series/ingredient + product noun + spec, then
selling points and shop words stuffed after it ("青禾积雪草精华液30ml 舒缓泛红敏感肌补水保湿精华 官方正品"),
from the vocabulary in `bench/data/zh_marketplace.yaml` (ten categories). A (brand, series, noun) triple is
unique, so each query names exactly one title.

Queries are written as shoppers type them: short, colloquial, with synonyms of the noun (面霜 → 乳霜,
防晒霜 → 隔离霜, 纸尿裤 → 尿不湿), shortened brands, unit words (30毫升, 500克), typos of similar
characters, traditional characters and filler (有没有, 想要, 推荐). The dev set and the held-out set use
different templates and different target titles; the held-out set is only scored, never tuned on.
All targets lie in the first 500 titles, so the same queries are scored among 500 and among 2,000.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

VOCABULARY = Path(__file__).parent / "data" / "zh_marketplace.yaml"
UNITS = {"ml": ["毫升", "ML"], "g": ["克", "G"], "kg": ["公斤", "千克"], "L": ["升"]}


@dataclass(frozen=True)
class Title:
    sku: str
    title: str
    category: str
    brand: str
    line: str
    noun: str
    spec: str


@dataclass(frozen=True)
class Query:
    text: str
    sku: str
    template: str


def _vocabulary() -> dict[str, Any]:
    with VOCABULARY.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def make_titles(n: int = 2000, seed: int = 14) -> list[Title]:
    """`n` distinct titles across the categories, in a seeded shuffled order."""
    vocab = _vocabulary()
    rng = random.Random(seed)
    combos = [
        (category, brand, line, noun)
        for category, spec in vocab["categories"].items()
        for brand in spec["brands"]
        for line in spec["lines"]
        for noun in spec["nouns"]
    ]
    rng.shuffle(combos)
    titles = []
    for i, (category, brand, line, noun) in enumerate(combos[:n]):
        spec = vocab["categories"][category]
        size = rng.choice(spec["specs"])
        points = rng.sample(spec["points"], k=rng.randint(2, 4))
        synonym = rng.choice([*spec["nouns"][noun], ""])
        stuffing = " ".join(rng.sample(vocab["stuffing"], k=rng.randint(1, 2)))
        head = f"{brand}{line}{noun}{size}" if rng.random() < 0.7 else f"{brand} {line}{noun} {size}"
        title = f"{head} {''.join(points)}{synonym} {stuffing}"
        titles.append(Title(f"ZH-{i:05d}", title, category, brand, line, noun, size))
    return titles


def _t2s_inverse() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


def _unit_words(spec: str, rng: random.Random) -> str:
    for unit, words in UNITS.items():
        number = spec[: -len(unit)]
        if spec.endswith(unit) and number.replace(".", "").isdigit():
            return number + rng.choice(words)
    return spec


def _typo(text: str, typos: dict[str, str], rng: random.Random) -> str:
    spots = [i for i, c in enumerate(text) if c in typos]
    if not spots:
        return text
    i = rng.choice(spots)
    return text[:i] + typos[text[i]] + text[i + 1 :]


def _short_brand(brand: str, rng: random.Random) -> str:
    return brand[:-1] if len(brand) >= 4 and rng.random() < 0.5 else brand


DEV_TEMPLATES = [
    "{brand}{line}{noun}",
    "{brand}{line}{noun}{spec}",
    "有没有{brand}的{line}{noun}",
    "想要{brand}{line}{noun}",
    "{line}{noun} {brand}",
    "{brand} {line} {noun} {spec}",
    "推荐{brand}{line}{noun}",
]
HELD_OUT_TEMPLATES = [
    "求{brand}那款{line}{noun}",
    "{brand}家的{line}{noun}还有吗",
    "{line}的{noun}，{brand}牌子的",
    "请问{brand}{line}{noun}{spec}多少钱",
    "我想买{brand}{line}的{noun}",
    "{brand}{noun}{line}款",
    "帮我找一下{spec}的{brand}{line}{noun}",
]


def make_queries(titles: list[Title], n: int, *, held_out: bool, seed: int = 14, pool: int = 500) -> list[Query]:
    """`n` queries, each naming one of the first `pool` titles; dev and held-out differ in templates and targets."""
    vocab = _vocabulary()
    rng = random.Random(seed + (1 if held_out else 0))
    s2t = _t2s_inverse()
    candidates = titles[:pool]
    order = list(range(len(candidates)))
    random.Random(seed).shuffle(order)
    targets = order[::-1] if held_out else order  # the held-out set takes its targets from the other end
    templates = HELD_OUT_TEMPLATES if held_out else DEV_TEMPLATES
    queries = []
    for j in range(n):
        title = candidates[targets[j % len(targets)]]
        spec = vocab["categories"][title.category]
        template = templates[j % len(templates)]
        noun = rng.choice([title.noun, *spec["nouns"][title.noun]])
        size = _unit_words(title.spec, rng) if rng.random() < 0.5 else title.spec
        text = template.format(brand=_short_brand(title.brand, rng), line=title.line, noun=noun, spec=size)
        kind = "plain"
        roll = rng.random()
        if roll < 0.2:
            typo = _typo(text, vocab["typos"], rng)
            text, kind = typo, "typo" if typo != text else "plain"
        elif roll < 0.35:
            text, kind = s2t.convert(text), "traditional"
        queries.append(Query(text, title.sku, kind))
    return queries
