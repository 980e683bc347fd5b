"""Finding, loading and cross-checking journey files against their kit, channels and promotion terms."""

from __future__ import annotations

from pathlib import Path

from contentgen.errors import DataError, NotFoundError
from contentgen.fileio import load_folder, load_model, load_structured
from contentgen.journeys.model import ContactPolicy, Journey
from contentgen.resources import shipped

CONTACT_FILE = "_contact.yaml"
OFFER_TERMS = {
    "coupon": "coupon",
    "discount": "discount_percent",
    "promo_price": "promo_prices",
    "free_shipping": "free_shipping",
    "gift": "gift",
}


def journeys_folder(folder: Path | None = None) -> Path:
    return folder or shipped("journeys")


def load_journeys(folder: Path | None = None) -> dict[str, Journey]:
    return load_folder(Journey, journeys_folder(folder), "journey")


def load_contact_policy(folder: Path | None = None) -> ContactPolicy:
    path = journeys_folder(folder) / CONTACT_FILE
    return load_model(ContactPolicy, path) if path.is_file() else ContactPolicy()


def find_journey(ref: str | Path, folder: Path | None = None) -> tuple[Journey, Path]:
    """A journey by id (in the folder) or by file path."""
    path = Path(ref)
    if path.suffix in {".yaml", ".yml"} and path.is_file():
        return load_model(Journey, path), path
    journeys = load_journeys(folder)
    if str(ref) not in journeys:
        raise NotFoundError("journey", str(ref), journeys)
    return journeys[str(ref)], journeys_folder(folder) / f"{ref}.yaml"


def check_journey(journey: Journey, path: Path) -> None:
    """Channels and surfaces exist, offers come from the promotion terms or the kit's policies, SKUs are real."""
    from contentgen.domain.loaders import load_brand_kit, load_channels, load_kit_catalog, load_policies

    _data, lines = load_structured(path)

    def fail(loc: tuple[str | int, ...], message: str, hint: str | None = None) -> DataError:
        line = next((lines[loc[:cut]] for cut in range(len(loc), 0, -1) if loc[:cut] in lines), None)
        field = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")
        return DataError(path, message, line=line, field=field, hint=hint)

    try:
        kit = load_brand_kit(journey.kit)
    except NotFoundError as err:
        raise fail(("kit",), str(err)) from None
    channels = load_channels()
    surfaces = {p.stem for p in (shipped("channels") / "surfaces").glob("*.yaml")}
    policies = load_policies(kit)
    skus = {p.sku for p in load_kit_catalog(kit)}
    promotion = journey.promotion

    def offer_ok(offer: str | None, loc: tuple[str | int, ...]) -> None:
        if offer is None:
            return
        if offer.startswith("policy:"):
            if offer[7:] not in policies:
                raise fail(
                    loc, f"offer '{offer}' names no policy of kit '{kit.id}'", f"policies: {', '.join(policies)}"
                )
            return
        term = OFFER_TERMS.get(offer)
        if term is None:
            raise fail(loc, f"unknown offer '{offer}'", f"one of {', '.join(OFFER_TERMS)} or policy:<name>")
        if promotion is None or not getattr(promotion, term):
            raise fail(loc, f"offer '{offer}' is not in the promotion terms", f"add promotion.{term} or drop the offer")

    for i, step in enumerate(journey.steps):
        for channel, loc in [(step.channel, ("steps", i, "channel"))] + [
            (v.channel, ("steps", i, "tiers", t, "channel")) for t, v in step.tiers.items() if v.channel
        ]:
            if channel not in channels:
                raise fail(loc, f"unknown channel '{channel}'", f"valid: {', '.join(sorted(channels))}")
        if step.surface is not None and step.surface not in surfaces:
            raise fail(("steps", i, "surface"), f"unknown surface '{step.surface}'", f"valid: {', '.join(surfaces)}")
        offer_ok(step.offer, ("steps", i, "offer"))
        for tier, variation in step.tiers.items():
            if "offer" in variation.model_fields_set:
                offer_ok(variation.offer, ("steps", i, "tiers", tier, "offer"))
    if journey.default_product and journey.default_product not in skus:
        raise fail(("default_product",), f"SKU '{journey.default_product}' is not in the catalog of '{kit.id}'")
    if promotion:
        for sku in promotion.promo_prices:
            if sku not in skus:
                raise fail(("promotion", "promo_prices", sku), f"SKU '{sku}' is not in the catalog of '{kit.id}'")
    usage = journey.trigger.usage_running_out
    if usage:
        categories = {p.category for p in load_kit_catalog(kit)}
        for category in usage.daily_use:
            if category not in categories:
                raise fail(
                    ("trigger", "usage_running_out", "daily_use", category),
                    f"category '{category}' is not in the catalog",
                    f"categories: {', '.join(sorted(categories))}",
                )


def validate_all(folder: Path | None = None) -> dict[str, Journey]:
    """Load and check every journey in the folder."""
    journeys = load_journeys(folder)
    load_contact_policy(folder)
    for ident, journey in journeys.items():
        check_journey(journey, journeys_folder(folder) / f"{ident}.yaml")
    return journeys
