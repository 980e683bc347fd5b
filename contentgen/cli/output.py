"""Rendering for the CLI: rich on a terminal, JSON with --json, errors on stderr."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from rich.console import Console
    from rich.progress import Progress


def out() -> Console:
    from rich.console import Console

    return Console(soft_wrap=False)


def err() -> Console:
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True)


def error(message: str) -> None:
    """One line on stderr: `Error: …`."""
    from rich.markup import escape

    err().print(f"[bold red]Error:[/] {escape(message)}", highlight=False)


def emit_json(data: Any) -> None:
    """Machine-readable output on stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def chosen(given: list[str] | None, every: bool, valid: Mapping[str, Any], option: str, kind: str) -> list[str]:
    """The ids a repeatable `--option` names, or all of `valid` with `--all-options`; each one checked."""
    from contentgen.errors import ConfigError, NotFoundError

    if every:
        return list(valid)
    if not given:
        raise ConfigError(f"give --{option} or --all-{option}s; {option}s: {', '.join(valid)}")
    for name in given:
        if name not in valid:
            raise NotFoundError(kind, name, valid)
    return given


def progress_bar(*, json: bool, transient: bool = True, stderr: bool = False, elapsed: bool = True) -> Progress:
    """The one progress bar of every command: description, bar, done/total, elapsed time; off with --json.

    `transient` clears it when done; `stderr` draws it on stderr (for commands whose stdout is a report).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn

    columns: list[ProgressColumn] = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    if elapsed:
        columns.append(TimeElapsedColumn())
    return Progress(*columns, console=err() if stderr else None, transient=transient, disable=json)
