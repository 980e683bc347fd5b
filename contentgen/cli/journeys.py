"""`contentgen journeys`: lifecycle journeys over a customer base."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from contentgen.cli.output import emit_json, out

app = typer.Typer(help="Lifecycle journeys: welcome, cart recovery, replenishment, birthdays, win-back.",
                  no_args_is_help=True)  # fmt: skip
JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
FolderOpt = Annotated[Path | None, typer.Option("--folder", help="Journeys folder; default: the shipped one.")]


@app.command("list")
def list_journeys(folder: FolderOpt = None, json: JsonFlag = False) -> None:
    """List journeys."""
    from contentgen.journeys import load_journeys

    journeys = load_journeys(folder)
    if json:
        emit_json([j.model_dump(mode="json") for j in journeys.values()])
        return
    from rich.table import Table

    table = Table("id", "kit", "name", "trigger", "steps", "priority", "experiment", title="Journeys")
    for j in journeys.values():
        table.add_row(j.id, j.kit, j.name, j.trigger.kind, " → ".join(f"{s.id} ({s.channel})" for s in j.steps),
                      str(j.priority), j.experiment.id if j.experiment else "")  # fmt: skip
    out().print(table)


@app.command("show")
def show(journey: str, folder: FolderOpt = None) -> None:
    """Show one journey as JSON."""
    from contentgen.journeys import find_journey

    emit_json(find_journey(journey, folder)[0].model_dump(mode="json"))


@app.command("validate")
def validate(folder: FolderOpt = None, json: JsonFlag = False) -> None:
    """Check every journey: fields, channels, surfaces, offers against the promotion terms, SKUs."""
    from contentgen.journeys import validate_all

    journeys = validate_all(folder)
    if json:
        emit_json({"valid": sorted(journeys)})
        return
    out().print(f"{len(journeys)} journeys valid: {', '.join(sorted(journeys))}")


@app.command("run")
def run(
    journey: Annotated[str, typer.Argument(help="Journey id or YAML file.")],
    customers: Annotated[Path, typer.Option("--customers", help="Customer file (CSV or JSONL).")],
    events: Annotated[Path, typer.Option("--events", help="Events file (CSV or JSONL).")],
    as_of: Annotated[str, typer.Option("--as-of", help="Run time with offset, e.g. 2025-11-30T12:00:00+08:00.")],
    out_dir: Annotated[Path | None, typer.Option("--out", help="Output root; default outputs/journeys.")] = None,
    executor: Annotated[str, typer.Option("--executor", help="local (processes) or ray.")] = "local",
    workers: Annotated[int, typer.Option("--workers", help="Worker processes / Ray CPUs.", min=1)] = 2,
    ray_address: Annotated[str | None, typer.Option("--ray-address", help="Ray cluster address.")] = None,
    auto_approve: Annotated[
        bool | None,
        typer.Option(
            "--auto-approve/--no-auto-approve",
            help="Approve cells that passed every check without a person; default: the journey's setting.",
        ),
    ] = None,
    folder: FolderOpt = None,
    json: JsonFlag = False,
) -> None:
    """Decide every customer's due step, channel, send time and arm, and write the messages of approved cells."""
    import datetime as dt

    from contentgen.errors import ConfigError
    from contentgen.journeys import run_journey

    try:
        when = dt.datetime.fromisoformat(as_of.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"--as-of must be an ISO 8601 time like 2025-11-30T12:00:00+08:00, not '{as_of}'") from None
    summary = run_journey(journey, customers=customers, events=events, as_of=when, out_root=out_dir,
                          journeys_folder=folder, executor=executor, workers=workers,  # type: ignore[arg-type]
                          ray_address=ray_address, auto_approve=auto_approve)  # fmt: skip
    if json:
        emit_json(summary.to_json())
        return
    print_summary(summary)


@app.command("approve")
def approve(
    run_dir: Annotated[Path, typer.Argument(help="The run folder `journeys run` printed.")],
    reviewer: Annotated[str, typer.Option("--reviewer", help="Who decides (recorded in the audit).")],
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded in the audit).")],
    cells: Annotated[str | None, typer.Option("--cells", help="Artifact ids (review.html), comma-separated.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every cell of the run that passed its checks.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Record a rejection instead.")] = False,
    json: JsonFlag = False,
) -> None:
    """Approve (or reject) content cells of a run; the next run with the same inputs writes their messages."""
    from dataclasses import asdict

    from contentgen.journeys.approvals import APPROVALS, record

    ids = [c.strip() for c in (cells or "").split(",") if c.strip()]
    made = record(run_dir, reviewer=reviewer, reason=reason, artifact_ids=ids, every_ready=every,
                  decision="rejected" if reject else "approved")  # fmt: skip
    if json:
        emit_json([asdict(a) for a in made])
        return
    verb = "rejected" if reject else "approved"
    out().print(f"{len(made)} cells {verb} by {made[0].reviewer}; recorded in {run_dir.parent / APPROVALS}. "
                "Run the same `contentgen journeys run` command again to write their messages.")  # fmt: skip


def print_summary(summary: object) -> None:
    from rich.table import Table

    from contentgen.journeys.runner import JourneySummary

    assert isinstance(summary, JourneySummary)
    console = out()
    table = Table("step", "channel", "tier", "arm", "messages", title=f"Journey {summary.journey}")
    for key, n in summary.by_cell.items():
        table.add_row(*key.split("|"), f"{n:,}")
    console.print(table)
    if summary.skips:
        skips = Table("skipped because", "customers")
        for reason, n in summary.skips.items():
            skips.add_row(reason, f"{n:,}")
        console.print(skips)
    state = "new" if summary.new else "already done: nothing new written"
    console.print(
        f"{summary.messages:,} messages to {summary.customers:,} customers ({summary.events:,} events) from "
        f"{summary.cells} content cells ({summary.cells_not_ready} not ready, {summary.cells_approved} approved"
        + (f", {summary.cells_auto_approved} of them automatically" if summary.cells_auto_approved else "")
        + f") in {summary.seconds:.1f} s; {state}"
    )
    if summary.assignments:
        console.print("assignments: " + ", ".join(f"{a} {n:,}" for a, n in summary.assignments.items()))
    for warning in summary.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    console.print(f"written: {summary.run_dir} (messages.jsonl, messages.csv, assignments.csv, review.html)")
