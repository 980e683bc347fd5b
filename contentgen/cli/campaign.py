"""`contentgen campaign`: plan, run, review and export a campaign brief."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from contentgen.cli.output import emit_json, err, out

if TYPE_CHECKING:
    from contentgen.campaign.plan import CampaignPlan
    from contentgen.campaign.runner import CampaignResult

app = typer.Typer(help="Campaigns: a brief → plan → resumable run → review page → export.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
BriefArg = Annotated[str, typer.Argument(help="Brief YAML file, or the name of a shipped example (qinghe-618).")]
RunDir = Annotated[Path, typer.Argument(help="Run folder that `contentgen campaign run` wrote.")]
OutDir = Annotated[
    Path | None, typer.Option("--out", help="Run folder; default <output_dir>/campaigns/<campaign name>.")
]
Workers = Annotated[
    int | None, typer.Option("--workers", "-w", min=1, help="Worker processes; default one per core (one if small).")
]


@app.command("plan")
def plan(brief: BriefArg, out_dir: OutDir = None, workers: Workers = None, json: JsonFlag = False) -> None:
    """Every artifact the brief asks for, with its id and input hash; what a run would skip or redo."""
    from contentgen.campaign.plan import default_workers, plan_campaign
    from contentgen.campaign.runner import artifact_status, default_out_dir
    from contentgen.config import load_settings

    settings = load_settings()
    the_plan = plan_campaign(brief, settings=settings)
    folder = out_dir or default_out_dir(the_plan, settings)
    statuses = artifact_status(the_plan, folder)
    todo = [i for i in the_plan.items if statuses[i.id] != "done"]
    count = workers or default_workers(todo)
    estimate = the_plan.estimate(count, todo)
    if json:
        emit_json(
            {
                **the_plan.model_dump(mode="json"),
                "counts": the_plan.counts,
                "out_dir": str(folder),
                "status": statuses,
                "to_make": len(todo),
                "workers": count,
                "estimate_s": round(estimate, 1),
                **_power_json(the_plan),
            }
        )
        return
    from rich.table import Table

    console = out()
    stages = Table("stage", "artifacts", "to make", "est. time", title=f"{the_plan.title or the_plan.campaign}: plan")
    for stage, total in the_plan.counts.items():
        pending = [i for i in todo if i.kind == stage]
        stages.add_row(stage, str(total), str(len(pending)), _seconds(the_plan.estimate(count, pending)))
    stages.add_row("[bold]all[/]", str(len(the_plan.items)), str(len(todo)), f"[bold]{_seconds(estimate)}[/]")
    items = Table("artifact", "input hash", "status", box=None, pad_edge=False)
    colour = {"done": "green", "new": "cyan", "forced": "cyan"}
    for item in the_plan.items:
        status = statuses[item.id]
        items.add_row(item.id, item.input_hash[:12], f"[{colour.get(status, 'yellow')}]{status}[/]")
    console.print(stages)
    console.print(items)
    console.print(
        f"{the_plan.brand} ({the_plan.kit}, {the_plan.locale}), seed {the_plan.seed}; {len(todo)} to make with "
        f"{count} worker{'s' if count > 1 else ''} into {folder}"
    )
    _power(the_plan)


def _power(the_plan: CampaignPlan) -> None:
    """The experiment's power: a warning on stderr when the audience is too small, else one line."""
    if the_plan.experiment is None:
        return
    from rich.markup import escape

    from contentgen.campaign.experiment import power_note

    note = power_note(the_plan.experiment, the_plan.audience)
    if note.warning:
        err().print(f"[yellow]warning: {escape(note.message)}[/]", highlight=False)
    else:
        out().print(escape(note.message), highlight=False)


@app.command("run")
def run(
    brief: BriefArg,
    out_dir: OutDir = None,
    workers: Workers = None,
    force: Annotated[bool, typer.Option("--force", help="Redo every artifact, done or not.")] = False,
    json: JsonFlag = False,
) -> None:
    """Make every artifact not already done (resumable: Ctrl-C, then run again to go on)."""
    from rich.progress import TaskID

    from contentgen.campaign.runner import CampaignInterrupted, ProgressEvent, run_campaign
    from contentgen.cli.output import progress_bar

    tasks: dict[str, TaskID] = {}
    tallies: dict[str, dict[str, int]] = {}
    with progress_bar(json=json, transient=False, stderr=True) as progress:

        def show(event: ProgressEvent) -> None:
            if event.event == "start":
                for stage, total in event.totals.items():
                    tasks[stage] = progress.add_task(stage, total=total)
                    tallies[stage] = {"skipped": 0, "failed": 0}
            elif event.event == "stopping":
                progress.console.print(f"[yellow]{event.message}[/]")
            elif event.stage in tasks:
                stage = event.stage
                if event.event in ("skipped", "failed"):
                    tallies[stage][event.event] += 1
                notes = ", ".join(f"{n} {what}" for what, n in tallies[stage].items() if n)
                progress.update(tasks[stage], advance=1, description=f"{stage} ({notes})" if notes else stage)

        try:
            result = run_campaign(brief, out_dir=out_dir, workers=workers, force=force, progress=show)
        except CampaignInterrupted as stop:
            progress.stop()
            _stopped(stop.result, brief)
            raise typer.Exit(130) from None
    if json:
        emit_json(result.summary())
    else:
        _report(result)
    if result.failed:
        raise typer.Exit(1)


def _stopped(result: CampaignResult, brief: str) -> None:
    done = len(result.records)
    total = len(result.plan.items)
    err().print(
        f"Stopped: {done} of {total} artifacts are done and recorded in {result.manifest}.\n"
        f"Resume with: contentgen campaign run {brief} --out {result.out_dir}",
        highlight=False,
    )


def _report(result: CampaignResult) -> None:
    from rich.markup import escape
    from rich.table import Table

    console = out()
    table = Table("stage", "planned", "made", "skipped (done)", "failed", title=f"{result.plan.campaign}: run")
    for stage, counts in result.stages.items():
        failed = counts["failed"]
        table.add_row(
            stage,
            str(counts["planned"]),
            str(counts["made"]),
            str(counts["skipped"]),
            f"[red]{failed}[/]" if failed else "0",
        )
    console.print(table)
    for failure in result.failed:
        console.print(f"[red]failed[/] {failure.id}: {escape(failure.message)}")
    ready = sum(r.ready for r in result.records)
    console.print(
        f"{ready} of {len(result.records)} artifacts ready, {result.elapsed_s:.1f} s with {result.workers} "
        f"worker{'s' if result.workers > 1 else ''}; manifest: {result.manifest}\n"
        f"Review: contentgen campaign review {result.out_dir}"
    )
    _power(result.plan)


@app.command("review")
def review(
    run_dir: RunDir,
    serve: Annotated[bool, typer.Option("--serve", help="Serve the page on 127.0.0.1 and save decisions.")] = False,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port for --serve; 0 picks a free one.")] = 0,
    json: JsonFlag = False,
) -> None:
    """Write the review page (review.html); with --serve, decisions are saved to decisions.json as you click."""
    from contentgen.campaign.review import collect_review, item_summary, write_review
    from contentgen.campaign.review_server import serve_review

    if serve:
        server = serve_review(run_dir, port=port)
        data = collect_review(server.root)
        counts = item_summary(data.items, data.decisions)
        if json:
            emit_json({"url": server.url, "page": str(server.root / "review.html"), **counts})
        else:
            out().print(
                f"Review {counts['items']} items at [bold]{server.url}[/] (decisions saved to "
                f"{server.root / 'decisions.json'}); Ctrl-C to stop.",
                highlight=False,
            )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
        return
    page = write_review(run_dir)
    data = collect_review(page.parent)
    counts = item_summary(data.items, data.decisions)
    if json:
        emit_json({"page": str(page), "missing": data.missing, **counts})
        return
    out().print(
        f"{counts['items']} items ({counts['ready']} ready, {counts['approved']} approved, {counts['rejected']} "
        f"rejected): {page.as_uri()}\nOpen it in a browser; `--serve` saves decisions to decisions.json as you click.",
        highlight=False,
    )


@app.command("export")
def export(
    run_dir: RunDir,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Zip to write; default <run folder>/<campaign>-approved.zip.")
    ] = None,
    decisions: Annotated[
        Path | None, typer.Option("--decisions", help="decisions.json downloaded from the review page.")
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Pack the approved items: their files, a CSV for ad platforms (UTF-8 with BOM) and items.json."""
    from contentgen.campaign.export import export_approved

    result = export_approved(run_dir, out_file, decisions=decisions)
    if json:
        emit_json(
            {
                "zip": str(result.path),
                "items": [i.key for i in result.items],
                "files": result.files,
                "stale_approvals": result.stale,
            }
        )
        return
    kinds: dict[str, int] = {}
    for item in result.items:
        kinds[item.kind] = kinds.get(item.kind, 0) + 1
    what = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
    out().print(f"Exported {len(result.items)} approved items ({what}) to {result.path}", highlight=False)
    if result.stale:
        err().print(
            f"[yellow]{result.stale} approved items are no longer in the run (remade since); review them again.[/]"
        )


def _power_json(the_plan: CampaignPlan) -> dict[str, object]:
    if the_plan.experiment is None:
        return {}
    from contentgen.campaign.experiment import power_note

    note = power_note(the_plan.experiment, the_plan.audience)
    return {"power": {"message": note.message, "warning": note.warning}}


@app.command("assign")
def assign(
    run_dir: RunDir,
    customers: Annotated[
        Path, typer.Option("--customers", help="Customers (CSV, XLSX or JSONL) with customer_id, optional segment.")
    ],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="CSV to write; default <run folder>/assignments.csv (results read it).")
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Assign every customer to an experiment arm or the holdout (salted hash: stable, independent per experiment)."""
    from rich.markup import escape

    from contentgen.campaign.experiment import assign_customers

    result = assign_customers(run_dir, customers, out_file)
    power = result.power
    if json:
        emit_json(
            {
                "path": str(result.path),
                "experiment": result.experiment.id,
                "counts": result.counts,
                "eligible": result.eligible,
                "skipped": result.skipped,
                "required_per_group": power.required_per_group,
                "warning": result.warning,
            }
        )
        return
    counts = ", ".join(f"{arm} {n:,}" for arm, n in result.counts.items())
    skipped = "; ".join(f"{n:,} skipped: {why}" for why, n in result.skipped.items())
    out().print(
        f"Assigned {result.eligible:,} customers to experiment '{result.experiment.id}' ({counts})"
        f"{'; ' + skipped if skipped else ''} → {result.path}",
        highlight=False,
    )
    if result.warning:
        err().print(f"[yellow]warning: {escape(result.warning)}[/]", highlight=False)


def _seconds(value: float) -> str:
    if value < 1:
        return "< 1 s"
    if value < 90:
        return f"{value:.0f} s"
    return f"{value / 60:.1f} min"
