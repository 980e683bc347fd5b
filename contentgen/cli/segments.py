"""`contentgen segments`: the personas content is written for."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from contentgen.cli.output import emit_json, out

if TYPE_CHECKING:
    from contentgen.domain.common import Locale

app = typer.Typer(help="Customer segments (personas).", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
FileOpt = Annotated[Path | None, typer.Option("--file", "-f", help="Segments file; default: the shipped one.")]
LangOpt = Annotated[Literal["zh", "en"], typer.Option("--lang", help="Language to show: zh or en.")]


def _lang(lang: Literal["zh", "en"]) -> Locale:
    return "zh-CN" if lang == "zh" else "en-US"


@app.command("list")
def list_segments(file: FileOpt = None, lang: LangOpt = "zh", json: JsonFlag = False) -> None:
    """List segments."""
    from contentgen.domain import load_segments

    segments = load_segments(file)
    if json:
        emit_json([s.model_dump(mode="json") for s in segments])
        return
    from rich.table import Table

    locale = _lang(lang)
    table = Table("id", "name", "age", "price sensitivity", "channels", title="Segments")
    for s in segments:
        table.add_row(
            s.id,
            s.name.get(locale),
            f"{s.age_range[0]}–{s.age_range[1]}",
            s.price_sensitivity,
            ", ".join(s.preferred_channels),
        )
    out().print(table)


@app.command("show")
def show(segment: str, file: FileOpt = None, lang: LangOpt = "zh", json: JsonFlag = False) -> None:
    """Show one segment in full."""
    from contentgen.domain import load_segments
    from contentgen.errors import NotFoundError

    segments = {s.id: s for s in load_segments(file)}
    if segment not in segments:
        raise NotFoundError("segment", segment, segments)
    s = segments[segment]
    if json:
        emit_json(s.model_dump(mode="json"))
        return
    locale = _lang(lang)
    console = out()
    console.print(f"[bold]{s.name.get(locale)}[/] ({s.id}) — {s.description.get(locale)}")
    console.print(
        f"age {s.age_range[0]}–{s.age_range[1]}; {', '.join(s.city_tiers)}; price sensitivity {s.price_sensitivity}"
    )
    for label in ("traits", "motivations", "pain_points", "tone_hints"):
        items = getattr(s, label).get(locale)
        console.print(f"[bold]{label.replace('_', ' ')}:[/] " + "; ".join(items))
    console.print(f"[bold]channels:[/] {', '.join(s.preferred_channels)}")
    if s.rfm:
        stats, money = s.rfm.stats, f"{s.rfm.currency} " if s.rfm.currency else ""
        console.print(
            f"[bold]RFM tier {s.rfm.tier}[/] as of {s.rfm.as_of}: {stats.customers:,} customers ({stats.share:.1%}), "
            f"{stats.revenue_share:.1%} of revenue; last order {stats.recency_days_median:g} days ago (median); "
            f"{stats.frequency_mean:.1f} orders and {money}{stats.monetary_mean:,.0f} spent (mean)"
        )
        console.print("[bold]strategy:[/] " + "; ".join(s.rfm.strategy.get(locale)))


@app.command("derive")
def derive(
    customers: Annotated[Path, typer.Argument(help="Customer CSV or XLSX: one row per order, or one per customer.")],
    kit: Annotated[
        str | None, typer.Option("--kit", "-k", help="Brand kit id or folder: currency, language and output folder.")
    ] = None,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", help="Derived segments YAML; default outputs/segments/<kit or 'derived'>/segments.yaml."),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date recency is counted to; default: the newest order + 1 day.")
    ] = None,
    k: Annotated[
        int | None, typer.Option("--k", help="Number of clusters; default: the best silhouette.", min=1)
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for k-means.")] = 0,
    min_size: Annotated[
        int, typer.Option("--min-size", help="Smallest tier reported; smaller ones are merged.", min=1)
    ] = 20,
    tiers: Annotated[
        Path | None, typer.Option("--tiers", help="Tier definitions YAML; default: the shipped one.")
    ] = None,
    lang: Annotated[
        Literal["zh", "en"] | None, typer.Option("--lang", help="Language of the table: zh or en; default: the kit's.")
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Derive RFM tiers (high-value, potential, new, at-risk, dormant) as segments from customer data."""
    from contentgen.config import load_settings
    from contentgen.customers import derive_segments
    from contentgen.customers.rfm import parse_date
    from contentgen.errors import ConfigError

    day = parse_date(as_of) if as_of is not None else None
    if as_of is not None and day is None:
        raise ConfigError(f"--as-of must be a date like 2025-06-30, not '{as_of}'")
    settings = load_settings()
    brand, currency = None, None
    if kit is not None:
        from contentgen.domain import load_brand_kit, load_kit_catalog

        brand = load_brand_kit(kit, extra=settings.kits_path)
        currency = next((p.currency for p in load_kit_catalog(brand)), None)
    derived = derive_segments(customers, as_of=day, k=k, seed=seed, min_size=min_size, tiers=tiers, currency=currency)
    target = out_file or settings.output_dir / "segments" / (brand.id if brand else "derived") / "segments.yaml"
    derived.write(target)
    if json:
        emit_json({**derived.model_dump(mode="json"), "written": str(target)})
        return
    from rich.table import Table

    locale = _lang(lang) if lang else (brand.locale if brand else "zh-CN")
    table = Table(
        "segment",
        "name",
        "customers",
        "share",
        "recency",
        "orders",
        "spend" + (f" ({currency})" if currency else ""),
        "revenue",
        title=f"RFM tiers as of {derived.as_of}",
        caption="recency: median days since the last order; orders: mean; spend: mean (median) per customer",
    )
    for tier in derived.tiers:
        s = tier.rfm.stats
        table.add_row(
            tier.segment.id,
            tier.segment.name.get(locale),
            f"{s.customers:,}",
            f"{s.share:.1%}",
            f"{s.recency_days_median:g} d",
            f"{s.frequency_mean:.1f}",
            f"{s.monetary_mean:,.0f} ({s.monetary_median:,.0f})",
            f"{s.revenue_share:.1%}",
        )
    console = out()
    console.print(table)
    for tier in derived.tiers:
        console.print(
            f"[bold]{tier.segment.name.get(locale)}[/]: "
            + ("；" if locale == "zh-CN" else "; ").join(tier.rfm.strategy.get(locale))
        )
    skipped = f", {derived.skipped} without orders skipped" if derived.skipped else ""
    quality = f", silhouette {derived.silhouette:.2f}" if derived.silhouette is not None else ""
    console.print(
        f"{derived.customers:,} customers from {derived.rows:,} rows (one per {derived.layout[:-1]}{skipped}); "
        f"k={derived.k}{quality}"
    )
    for small, into in derived.merged.items():
        console.print(f"{small} had fewer than {derived.min_size} customers and was merged into {into}")
    console.print(f"written: {target} (aggregates only; use it with --file, a kit's segments: or a campaign brief)")


@app.command("synth")
def synth(
    out_file: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    customers: Annotated[int, typer.Option("--customers", "-n", help="Number of customers.", min=1)] = 5000,
    seed: Annotated[int, typer.Option("--seed", help="Seed: the same seed writes the same file.")] = 7,
    kit: Annotated[
        str | None, typer.Option("--kit", "-k", help="Brand kit whose catalog prices and language to use.")
    ] = None,
    level: Annotated[
        Literal["orders", "customers"],
        typer.Option("--level", help="'orders' (one row per order) or 'customers' (one row per customer)."),
    ] = "orders",
    events: Annotated[
        Path | None,
        typer.Option("--events", help="Also write an events JSONL for journeys; --out then gets the customer file."),
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Write a synthetic customer file with fake names, phones and cities, for demos of `segments derive`."""
    if events is not None:
        from contentgen.customers.streams import write_journey_inputs

        stats = write_journey_inputs(out_file, events, customers, seed=seed, kit=kit)
        if json:
            emit_json({"customers": str(out_file), "events": str(events), "rows": stats.events})
        else:
            out().print(f"{customers:,} customers written to {out_file}, {stats.events:,} events to {events}")
        return
    from collections import Counter

    from contentgen.config import load_settings
    from contentgen.customers import synthesize_customers
    from contentgen.customers.synth import BEHAVIOURS

    brand = None
    if kit is not None:
        from contentgen.domain import load_brand_kit

        brand = load_brand_kit(kit, extra=load_settings().kits_path)
    data = synthesize_customers(customers, seed=seed, kit=brand)
    data.write(out_file, "orders" if level == "orders" else "customers")
    counts = Counter(data.groups.values())
    planted = {group: counts[group] for group in BEHAVIOURS}
    summary = {
        "written": str(out_file),
        "level": level,
        "customers": customers,
        "orders": len(data.orders),
        "planted": planted,
        "end": data.end.isoformat(),
    }
    if json:
        emit_json(summary)
        return
    groups = ", ".join(f"{g} {c}" for g, c in planted.items())
    out().print(
        f"{customers:,} synthetic customers with {len(data.orders):,} orders up to {data.end} "
        f"(planted groups: {groups}); written: {out_file}"
    )
