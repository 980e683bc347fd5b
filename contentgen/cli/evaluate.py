"""`contentgen eval`: measure the checkers (and later the agent) on labelled sets."""

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
