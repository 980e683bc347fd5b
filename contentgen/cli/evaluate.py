"""`contentgen eval`: measure the checkers and the shopping agent on labelled sets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from contentgen.cli.output import emit_json, error, out

app = typer.Typer(help="Evaluate checkers on labelled sets.", no_args_is_help=True)


@app.command("compliance")
def compliance(
    labelled: Annotated[
        Path | None, typer.Option("--labelled", help="Labelled YAML; default: the shipped set.")
    ] = None,
    min_precision: Annotated[float, typer.Option(help="Fail below this overall precision.")] = 0.95,
    min_recall: Annotated[float, typer.Option(help="Fail below this overall recall.")] = 0.95,
    json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Precision and recall of the ad-law checker, per rule and overall."""
    from contentgen.compliance.evaluate import evaluate, render_table

    metrics = evaluate(labelled)
    overall = metrics.overall
    if json:
        emit_json(
            {
                "sentences": metrics.sentences,
                "rules": {
                    name: {"tp": s.tp, "fp": s.fp, "fn": s.fn, "precision": s.precision, "recall": s.recall}
                    for name, s in metrics.per_rule.items()
                },
                "overall": {"precision": overall.precision, "recall": overall.recall, "f1": overall.f1},
                "misses": [{"text": m.text, "expected": m.expected, "predicted": m.predicted} for m in metrics.misses],
            }
        )
    else:
        console = out()
        console.print(render_table(metrics))
        for miss in metrics.misses:
            console.print(f"[yellow]miss[/] expected {list(miss.expected)} got {list(miss.predicted)}: {miss.text}")
    if overall.precision < min_precision or overall.recall < min_recall:
        error(
            f"precision {overall.precision:.3f} / recall {overall.recall:.3f} is below "
            f"{min_precision:.2f} / {min_recall:.2f}"
        )
        raise typer.Exit(1)


@app.command("agent")
def agent(
    kit: Annotated[
        list[str] | None, typer.Option("--kit", "-k", help="Kit whose shipped labelled set to run (repeatable).")
    ] = None,
    labelled: Annotated[
        list[Path] | None, typer.Option("--labelled", help="A labelled agent set (YAML) instead of a shipped one.")
    ] = None,
    text_provider: Annotated[
        str | None,
        typer.Option("--text-provider", help="Answer with this text provider (its options from settings/env)."),
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Ask only the first N items of each set.")] = None,
    min_intent: Annotated[float, typer.Option(help="Fail below this intent accuracy.")] = 0.9,
    min_answer: Annotated[float, typer.Option(help="Fail below this answer accuracy.")] = 0.9,
    json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
    blind: Annotated[
        bool,
        typer.Option(help="Also run the blind batch (eval/blind5/, when it is there); --no-blind while tuning."),
    ] = True,
) -> None:
    """Recall@k, MRR, intent and answer accuracy, refusal and hand-off precision/recall, unverified claims."""
    from contentgen.agent import load_agent
    from contentgen.agent.evaluate import (
        BLIND_DIR,
        eval_sets,
        evaluate_kit,
        load_eval_set,
        render_families,
        render_table,
    )

    sets = [load_eval_set(p) for p in labelled or []]
    sets += [load_eval_set(k) for k in kit or ([] if labelled else list(eval_sets()))]
    if not blind:
        sets = [s.model_copy(update={"items": [i for i in s.items if i.batch != "blind"]}) for s in sets]
    reports = []
    from rich.progress import TaskID

    from contentgen.cli.output import progress_bar

    with progress_bar(json=json, elapsed=False) as progress:
        for labelled_set in sets:
            if limit is not None:
                labelled_set = labelled_set.model_copy(update={"items": labelled_set.items[:limit]})
            bot = load_agent(labelled_set.agent, text_provider=text_provider)
            task = progress.add_task(f"asking {labelled_set.agent}", total=len(labelled_set.items))

            def advance(done: int, _total: int, task: TaskID = task) -> None:
                progress.update(task, completed=done)

            reports.append(evaluate_kit(bot, labelled_set, advance))
    failed = [
        (r.kit, m)
        for r in reports
        for m in [r.metrics()]
        if m["intent_accuracy"] < min_intent or m["answer_accuracy"] < min_answer or m["unverified"]
    ]
    if json:
        emit_json(
            {
                r.kit: {
                    "metrics": r.metrics(),
                    "blind": r.metrics(blind=True) if r.has_blind else None,
                    "by_kind": {k: {"passed": v.hit, "items": v.total} for k, v in r.by_kind(blind=False).items()},
                    "by_kind_blind": {k: {"passed": v.hit, "items": v.total} for k, v in r.by_kind(blind=True).items()},
                    "failures": [
                        {
                            "id": f.item.id,
                            "turns": f.item.turns,
                            "outcome": f.outcome.to_dict(),
                            "problems": list(f.problems),
                            "unverified": list(f.unverified),
                        }
                        for f in r.failures
                    ],
                }
                for r in reports
            }
        )
    else:
        console = out()
        console.print(render_table(reports))
        console.print(render_families(reports))
        for report in reports:
            if blind and not report.has_blind and not labelled:
                console.print(f"{report.kit}: no blind batch (eval/{BLIND_DIR}/{report.kit}.yaml is not there)")
        for report in reports:
            for f in report.failures:
                problems = "; ".join([*f.problems, *f.unverified])
                asked = f.item.turns[-1] if f.item.turns else " | ".join(f.item.comments)
                console.print(f"[yellow]{report.kit} {f.item.id}[/] {asked} → {problems}", highlight=False)
    if failed:
        kits = ", ".join(k for k, _ in failed)
        error(f"{kits}: below --min-intent {min_intent:.2f} / --min-answer {min_answer:.2f}, or unverified claims")
        raise typer.Exit(1)


@app.command("copy")
def copy(
    kit: Annotated[
        list[str] | None, typer.Option("--kit", "-k", help="Kit to write for (repeatable); default morrow.")
    ] = None,
    text_provider: Annotated[
        str | None, typer.Option("--text-provider", help="Text provider name; default: the configured one.")
    ] = None,
    option: Annotated[
        list[str] | None, typer.Option("--option", "-o", help="Provider option KEY=VALUE (repeatable; YAML values).")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the first N cells of each kit.")] = None,
    n: Annotated[int, typer.Option("-n", min=1, max=20, help="Variants asked for per cell.")] = 2,
    repair_tries: Annotated[int, typer.Option("--repair-tries", min=0, help="Repair rounds for failing variants.")] = 2,
    json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Variants requested, generated, unparseable, blocked, repaired, fallen back, and shipped untraced (must be 0)."""
    from contentgen.config import load_settings
    from contentgen.domain import load_brand_kit
    from contentgen.pipelines.copy_eval import evaluate_copy, parse_options, render_table
    from contentgen.providers.registry import create, from_settings

    settings = load_settings()
    options = parse_options(option or [])
    if options:
        name = text_provider or settings.text.name
        configured = settings.text.options if name == settings.text.name else {}
        provider = create("text", name, {**configured, **options})
    else:
        provider = from_settings("text", settings, text_provider)
    reports = []
    from rich.progress import TaskID

    from contentgen.cli.output import progress_bar

    with progress_bar(json=json, elapsed=False) as progress:
        for kit_id in kit or ["morrow"]:
            brand = load_brand_kit(kit_id, extra=settings.kits_path)
            task = progress.add_task(f"writing {kit_id}", total=None)

            def advance(done: int, total: int, task: TaskID = task) -> None:
                progress.update(task, completed=done, total=total)

            reports.append(evaluate_copy(brand, provider, limit=limit, n=n, repair_tries=repair_tries, on_cell=advance))
    if json:
        emit_json([r.to_dict() for r in reports])
    else:
        console = out()
        console.print(render_table(reports))
        for report in reports:
            for line in report.untraced_cells:
                console.print(f"[red]{report.kit} shipped untraced[/] {line}", highlight=False)
    if any(r.shipped_untraced for r in reports):
        error("a shipped variant failed the ad-law or grounding re-check")
        raise typer.Exit(1)
