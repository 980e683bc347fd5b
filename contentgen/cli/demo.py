"""`contentgen demo`: the whole mission on the shipped examples, offline.

Validates both shipped kits, runs both example campaigns (copy, posters and videos per segment × channel,
checked and resumable), writes their review pages, asks each kit's shopping agent a question, and ends with a
results report per campaign built from SIMULATED outcomes (`contentgen results simulate`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from contentgen.cli.output import emit_json, out

QUESTIONS = {"zh-CN": "敏感肌用哪款洁面？多少钱？", "en-US": "Which green tea is under $20?"}


def demo(
    out_dir: Annotated[Path | None, typer.Option("--out", help="Output folder; default outputs/demo.")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="Processes (default: one per core).")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Run the example campaigns (copy, posters, videos, review page) and ask each kit's agent a question."""
    from rich.progress import TaskID

    from contentgen.agent import load_agent
    from contentgen.campaign import run_campaign
    from contentgen.campaign.brief import shipped_briefs
    from contentgen.campaign.review import write_review
    from contentgen.campaign.runner import ProgressEvent
    from contentgen.cli.output import progress_bar
    from contentgen.config import load_settings
    from contentgen.domain import find_kits, load_channels, validate_kit

    settings = load_settings()
    folder = out_dir or settings.output_dir / "demo"
    channels = load_channels()
    kits = {report.kit.id: report for report in (validate_kit(f, channels=channels) for f in find_kits().values())}
    summaries: list[dict[str, Any]] = []
    with progress_bar(json=json, transient=False, stderr=True) as progress:
        for name, brief_file in shipped_briefs().items():
            tasks: dict[str, TaskID] = {}

            def show(event: ProgressEvent, tasks: dict[str, TaskID] = tasks, name: str = name) -> None:
                if event.event == "start":
                    for stage, total in event.totals.items():
                        tasks[stage] = progress.add_task(f"{name}: {stage}", total=total)
                elif event.stage in tasks:
                    progress.advance(tasks[event.stage])

            result = run_campaign(brief_file, out_dir=folder / name, workers=workers, progress=show)
            review = write_review(result.out_dir)
            results_report = simulated_report(result.out_dir)
            kit = kits[result.plan.kit]
            agent = load_agent(kit.kit.id, settings=settings)
            question = QUESTIONS[kit.kit.locale]
            answer = agent.ask(question)
            summaries.append(
                {
                    "campaign": name,
                    "brand": kit.kit.name,
                    "products": len(kit.catalog),
                    "segments": len(kit.segments),
                    "stages": {
                        stage: {
                            "made": sum(r.kind == stage for r in result.records),
                            "ready": sum(r.kind == stage and r.ready for r in result.records),
                        }
                        for stage in result.plan.stages
                    },
                    "failed": [f.message for f in result.failed],
                    "elapsed_s": round(result.elapsed_s, 1),
                    "review": str(review),
                    "results_report": str(results_report),
                    "question": question,
                    "answer": answer.to_dict(),
                }
            )
    journeys = _journeys(folder / "journeys")
    if json:
        emit_json({"campaigns": summaries, "journeys": [j.to_json() for j in journeys]})
        return
    _report(summaries)
    from contentgen.cli.journeys import print_summary

    for journey in journeys:
        print_summary(journey)
    out().print(
        "The demo auto-approves journey cells that passed every check; a real run writes messages only for cells "
        "approved with `contentgen journeys approve RUN --all --reviewer NAME --reason TEXT`."
    )


DEMO_JOURNEYS = {"qinghe": "qinghe-cart-recovery", "morrow": "morrow-post-purchase"}


def _journeys(folder: Path) -> list[Any]:
    """One journey per kit over 2,000 synthetic customers (a few seconds each)."""
    import datetime as dt

    from contentgen.customers.streams import write_journey_inputs
    from contentgen.journeys import run_journey

    results = []
    for kit, journey in DEMO_JOURNEYS.items():
        customers, events = folder / f"{kit}-customers.csv", folder / f"{kit}-events.jsonl"
        write_journey_inputs(customers, events, 2000, seed=7, kit=kit)
        as_of = dt.datetime(2025, 11, 30, 12, tzinfo=dt.UTC)
        summary = run_journey(
            journey, customers=customers, events=events, as_of=as_of, out_root=folder, workers=1, auto_approve=True
        )  # the demo approves cells that passed every check; says so
        results.append(summary)
    return results


def simulated_report(run_dir: Path) -> Path:
    """Simulate outcomes with the demo's planted effects, import them, and write the results report."""
    from contentgen.results.imports import import_file
    from contentgen.results.report import write_report
    from contentgen.results.simulate import DEMO_TRUTH, simulate

    for path in simulate(run_dir, DEMO_TRUTH).files:
        import_file(run_dir, path)
    return write_report(run_dir).html


def _report(summaries: list[dict[str, Any]]) -> None:
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    console = out()
    table = Table("campaign", "brand", "copy", "posters", "videos", "time", title="contentgen demo: example campaigns")
    for s in summaries:
        cells = []
        for stage in ("copy", "poster", "video"):
            tally = s["stages"].get(stage)
            cells.append(f"{tally['ready']}/{tally['made']} ready" if tally else "—")
        table.add_row(s["campaign"], s["brand"], *cells, f"{s['elapsed_s']:.0f} s")
    console.print(table)
    for s in summaries:
        answer = s["answer"]
        text = answer.get("text") or answer.get("reason") or ""
        cited = ", ".join(answer.get("citations", [])) or "—"
        console.print(
            Panel(
                f"[bold]Q:[/] {escape(s['question'])}\n[bold]A:[/] {escape(text)}\n[dim]cites: {escape(cited)}[/]",
                title=f"{s['brand']} shopping agent ({answer.get('kind', 'answer')})",
                expand=False,
            )
        )
        if s["failed"]:
            console.print(f"[red]{len(s['failed'])} artifacts failed:[/] {escape('; '.join(s['failed'][:3]))}")
    for s in summaries:
        console.print(f"Review {s['campaign']}: file://{s['review']}")
        console.print(f"Results {s['campaign']} (SIMULATED outcomes): file://{s['results_report']}")
    console.print("Chat with an agent: contentgen chat --kit qinghe · make more: contentgen campaign run BRIEF")
