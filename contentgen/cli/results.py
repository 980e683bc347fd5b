"""`contentgen results`: outcomes back in, lift with confidence, a report, and a case library for the next run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from contentgen.cli.output import emit_json, out

if TYPE_CHECKING:
    from contentgen.results.analysis import Analysis
    from contentgen.results.imports import ImportResult

app = typer.Typer(
    help="Results: import channel reports and outcomes, analyse lift, report, learn for the next run.",
    no_args_is_help=True,
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
RunDir = Annotated[Path, typer.Argument(help="Run folder (`contentgen campaign run` or `contentgen journeys run`).")]


@app.command("import")
def import_(
    run: RunDir,
    files: Annotated[list[Path], typer.Argument(help="Channel reports or customer outcomes (CSV or XLSX).")],
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="Column-mapping YAML for an unusual export: columns: {Header: field}."),
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Read reports into RUN/results.sqlite: prints the join rate and lists unmatched and skipped rows."""
    from contentgen.results.imports import import_files

    results = import_files(run, files, mapping=mapping)
    if json:
        emit_json([_import_dict(r) for r in results])
        return
    console = out()
    for result in results:
        if result.already:
            console.print(f"{result.path}: already imported, nothing changed")
            continue
        flag = " [yellow](SIMULATED)[/]" if result.simulated else ""
        console.print(
            f"{result.path}: {result.kind}{flag}, {result.rows} rows, {result.matched} imported "
            f"({result.replaced} replaced earlier rows), join rate {result.join_rate:.1%}"
        )
        for skip in result.unmatched[:20]:
            console.print(f"  unmatched line {skip.line}: {skip.reason}", highlight=False, markup=False)
        for skip in result.skipped[:20]:
            console.print(f"  skipped line {skip.line}: {skip.reason}", highlight=False, markup=False)
        more = (
            len(result.unmatched) + len(result.skipped) - min(20, len(result.unmatched)) - min(20, len(result.skipped))
        )
        if more > 0:
            console.print(f"  … and {more} more (--json lists all)")


def _import_dict(result: ImportResult) -> dict[str, object]:
    return {
        "path": str(result.path),
        "kind": result.kind,
        "already_imported": result.already,
        "simulated": result.simulated,
        "rows": result.rows,
        "imported": result.matched,
        "replaced": result.replaced,
        "join_rate": round(result.join_rate, 4),
        "unmatched": [{"line": s.line, "reason": s.reason} for s in result.unmatched],
        "skipped": [{"line": s.line, "reason": s.reason} for s in result.skipped],
    }


@app.command("analyze")
def analyze(
    run: RunDir,
    correction: Annotated[
        Literal["holm", "bh", "none"], typer.Option("--correction", help="holm, bh or none.")
    ] = "holm",
    per_experiment: Annotated[
        bool, typer.Option("--per-experiment", help="Correct within each experiment, not across the whole run.")
    ] = False,
    attribution: Annotated[
        list[str] | None, typer.Option("--attribution", help="last, first, linear, time_decay (repeatable).")
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Funnel per segment × channel × variant × arm, lift of each arm with its 95 % CI, attribution for journeys."""
    from contentgen.errors import ConfigError
    from contentgen.results.analysis import ATTRIBUTION_MODELS
    from contentgen.results.analysis import analyze as run_analysis

    models = attribution or ["last", "linear"]
    for model in models:
        if model not in ATTRIBUTION_MODELS:
            raise ConfigError(f"--attribution must be one of {', '.join(ATTRIBUTION_MODELS)}, not '{model}'")
    result = run_analysis(
        run,
        correction=correction,
        attribution=models,  # type: ignore[arg-type]
        family="experiment" if per_experiment else "run",
    )
    if json:
        emit_json(result.to_dict())
        return
    _print_analysis(result)


def _print_analysis(analysis: Analysis) -> None:
    from rich.table import Table

    from contentgen.results.analysis import rollup

    console = out()
    if analysis.simulated:
        console.print("[bold yellow]SIMULATION: results from synthetic outcomes, not real traffic[/]")
    table = Table(
        "segment",
        "channel",
        "impressions",
        "CTR",
        "CVR",
        "orders",
        "AOV",
        "revenue",
        "cost",
        "CAC",
        "ROI",
        title=f"{analysis.run}: by segment × channel",
    )

    def pct(v: float | None) -> str:
        return "—" if v is None else f"{v:.2%}"

    def num(v: float | None, d: int = 0) -> str:
        return "—" if v is None else f"{v:,.{d}f}"

    for c in [*rollup(analysis.cells, ("segment", "channel")), analysis.total]:
        table.add_row(
            c.segment or "all",
            c.channel or "",
            num(c.impressions),
            pct(c.ctr),
            pct(c.cvr),
            num(c.orders),
            num(c.aov, 2),
            num(c.revenue),
            num(c.cost),
            num(c.cac, 2),
            num(c.roi, 2),
        )
    console.print(table)
    for note in analysis.notes():
        console.print(f"• {note}", highlight=False, markup=False)


@app.command("report")
def report(run: RunDir, json: JsonFlag = False) -> None:
    """Write RUN/results-report.html (self-contained, charts inline) and RUN/results-report.json."""
    from contentgen.results.report import write_report

    written = write_report(run)
    if json:
        emit_json({"html": str(written.html), "json": str(written.json), "simulated": written.analysis.simulated})
        return
    out().print(f"Report: file://{written.html}\nJSON:   {written.json}")


@app.command("simulate")
def simulate(
    run: RunDir,
    truth: Annotated[Path | None, typer.Option("--truth", help="truth.yaml: true rates and effects per arm.")] = None,
    json: JsonFlag = False,
) -> None:
    """Write SIMULATED outcomes with known true effects into RUN/simulated/ (then `results import` them)."""
    from contentgen.results.simulate import simulate as run_simulation

    result = run_simulation(run, truth)
    if json:
        emit_json({"files": [str(p) for p in result.files], "truth": result.truth, "simulation": True})
        return
    for path in result.files:
        out().print(f"SIMULATED outcomes: {path}\nimport them: contentgen results import {run} {path}")


@app.command("learn")
def learn(run: RunDir, json: JsonFlag = False) -> None:
    """Add this run's winners and losers to the kit's case library; the next copy run ranks with it."""
    from contentgen.errors import ContentgenError
    from contentgen.results.analysis import analyze as run_analysis
    from contentgen.results.cases import cases_from
    from contentgen.results.learning import copy_prior, record_cases

    analysis = run_analysis(run)
    from contentgen.results.units import load_run

    kit = load_run(run).kit
    if not kit:
        raise ContentgenError(f"{run}: the run names no kit, so there is no case library to add to")
    cases = cases_from(analysis, kit)
    path = record_cases(cases, kit)
    prior = copy_prior(kit)
    summary = {
        "library": str(path),
        "cases": len(cases),
        "winners": sum(c.outcome == "winner" for c in cases),
        "losers": sum(c.outcome == "loser" for c in cases),
        "angle_effects": {k: round(v, 5) for k, v in (prior.effects.items() if prior else ())},
    }
    if json:
        emit_json(summary)
        return
    out().print(
        f"{summary['cases']} cases ({summary['winners']} winners, {summary['losers']} losers) → {path}\n"
        + (
            "the next copy run of this kit ranks with the learned angle effects"
            if prior
            else "nothing clear to learn yet"
        )
    )
