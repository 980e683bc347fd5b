"""Content cells: copy written and checked once per journey step × tier × product × arm × locale, then filled per
customer with slots that cannot break a check (a greeting where the customer agreed to be named and the channel has
room, a 'you may also like' line built from catalog names only, the tracking link).

No personal data reaches a prompt: a cell knows a tier's persona, a channel, a product and the promotion terms.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from contentgen.domain.brief import Brief, Promotion
from contentgen.journeys.model import Journey

if TYPE_CHECKING:
    from contentgen.domain.channel import Channel

CellKey = tuple[str, str, str, str, str, str, str]  # step, tier, sku, arm, locale, channel, offer
TITLE_FIELDS = ("subject", "title", "headline")
BODY_FIELDS = ("body", "text", "content")
CTA_FIELDS = ("cta", "button")


@dataclass(frozen=True)
class CellCopy:
    artifact_id: str
    step: str
    tier: str
    sku: str
    arm: str
    locale: str
    channel: str
    offer: str
    fields: dict[str, str]
    ready: bool
    findings: list[str]
    error: str | None


def artifact_id(journey: Journey, key: CellKey, provider: str) -> str:
    """A cell's stable id: a hash of everything its copy is written from (like campaign artifact ids)."""
    step, arm, offer = key[0], key[3], key[6]
    arm_spec = next((a for a in (journey.experiment.arms if journey.experiment else []) if a.id == arm), None)
    inputs = {
        "v": 1,
        "journey": journey.id,
        "kit": journey.kit,
        "cell": list(key),
        "occasion": journey.occasion,
        "key_message": (arm_spec.key_message if arm_spec and arm_spec.key_message else journey.key_message),
        "promotion": journey.promotion.model_dump(mode="json") if journey.promotion and offer else None,
        "provider": provider,
        "surface": journey.step(step).surface,
    }
    digest = hashlib.sha256(json.dumps(inputs, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return "J" + digest[:15]


def copy_hash(cell: CellCopy) -> str:
    """A hash of what a reviewer reads for a cell (its generated fields and findings), recorded with each decision so
    an approval holds only for the copy that was approved, not for any copy written from the same inputs."""
    shown = {"fields": cell.fields, "findings": cell.findings}
    return hashlib.sha256(json.dumps(shown, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def _brief(journey: Journey, arm: str, offer: str) -> Brief:
    """The brief of one cell: only the offered promotion term reaches the copy, so nothing else is promised."""
    arm_spec = next((a for a in (journey.experiment.arms if journey.experiment else []) if a.id == arm), None)
    key_message = arm_spec.key_message if arm_spec and arm_spec.key_message else journey.key_message
    promotion = None
    if offer and not offer.startswith("policy:") and journey.promotion:
        p = journey.promotion
        keep = {
            "coupon": {"coupon": p.coupon},
            "discount": {"discount_percent": p.discount_percent},
            "promo_price": {"promo_prices": p.promo_prices},
            "free_shipping": {"free_shipping": p.free_shipping},
            "gift": {"gift": p.gift},
        }[offer]
        promotion = Promotion(name=p.name, start=p.start, end=p.end, **keep)  # type: ignore[arg-type]
    return Brief(occasion=journey.occasion, key_message=key_message, promotion=promotion)


def write_cells(journey: Journey, keys: Iterable[CellKey]) -> dict[CellKey, CellCopy]:
    """Generate and check copy for each distinct cell through the copy pipeline (ad law, brand, grounding, limits)."""
    from contentgen.customers.tiers import load_tiers
    from contentgen.domain.loaders import load_brand_kit, load_kit_catalog, load_surface, resolve_channel
    from contentgen.pipelines.copy import CopyCell, CopyPipeline

    keys = sorted(set(keys))
    if not keys:
        return {}
    kit = load_brand_kit(journey.kit)
    catalog = load_kit_catalog(kit)
    pipeline = CopyPipeline(kit, catalog=catalog)
    provider = pipeline.text_provider.info()
    provider_name = f"{provider.name}:{provider.model or ''}"
    personas = {t.tier: t.persona for t in load_tiers()}
    products = {p.sku: p for p in catalog}
    out: dict[CellKey, CellCopy] = {}
    groups: dict[tuple[str, str], list[CellKey]] = {}
    for key in keys:  # one pipeline batch per arm and offer, since the brief differs
        groups.setdefault((key[3], key[6]), []).append(key)
    specs: dict[tuple[str, str | None], Channel] = {}  # loaded once per run, not once per cell
    for (arm, offer), group in groups.items():
        cells = []
        for step, tier, sku, _arm, _locale, channel, _offer in group:
            surface = journey.step(step).surface
            if (channel, surface) not in specs:
                specs[(channel, surface)] = load_surface(surface) if surface else resolve_channel(channel)
            cells.append(CopyCell(personas[tier], specs[(channel, surface)], (products[sku],)))
        seed = int(hashlib.sha256(f"{journey.id}|{arm}".encode()).hexdigest()[:6], 16)
        results = pipeline.run(cells, brief=_brief(journey, arm, offer), n=2, seed=seed)
        for key, result in zip(group, results, strict=True):
            best = result.best
            out[key] = CellCopy(
                artifact_id=artifact_id(journey, key, provider_name),
                step=key[0],
                tier=key[1],
                sku=key[2],
                arm=key[3],
                locale=key[4],
                channel=key[5],
                offer=key[6],
                fields=dict(best.fields) if best else {},
                ready=best is not None,
                findings=[f.message for v in result.variants[:1] for f in v.findings],
                error=result.error or (None if best else "no variant passed the checks"),
            )
    return out


def cells_to_json(cells: Mapping[CellKey, CellCopy]) -> str:
    return json.dumps([asdict(c) for c in cells.values()], ensure_ascii=False, indent=1)


def cells_from_json(text: str) -> dict[CellKey, CellCopy]:
    found = {}
    for item in json.loads(text):
        cell = CellCopy(**item)
        found[(cell.step, cell.tier, cell.sku, cell.arm, cell.locale, cell.channel, cell.offer)] = cell
    return found


def also_like(pairs: Counter[tuple[str, str]]) -> dict[str, str]:
    """Item-to-item co-purchase: for each SKU, the SKU most often bought by the same customers (ties by SKU)."""
    best: dict[str, tuple[int, str]] = {}
    for (a, b), count in pairs.items():
        for x, y in ((a, b), (b, a)):
            current = best.get(x)
            if current is None or count > current[0] or (count == current[0] and y < current[1]):
                best[x] = (count, y)
    return {sku: other for sku, (_c, other) in best.items()}


def split_fields(fields: Mapping[str, str]) -> tuple[str, str, str]:
    """(title, body, cta) from a channel's own field names."""

    def pick(names: tuple[str, ...]) -> str:
        return next((fields[n] for n in names if n in fields), "")

    return pick(TITLE_FIELDS), pick(BODY_FIELDS), pick(CTA_FIELDS)
