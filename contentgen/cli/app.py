"""Root command, global options and the error boundary."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from contentgen import __version__
from contentgen.errors import ContentgenError


@dataclass
class State:
    debug: bool = False


class ErrorBoundary(TyperGroup):
    """Turns every ContentgenError into `Error: …` on stderr and exit 1; --debug shows the traceback."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click.Context
        try:
            return super().invoke(ctx)
        except ContentgenError as exc:
            state = ctx.find_object(State)
            if (state and state.debug) or os.environ.get("CONTENTGEN_DEBUG"):
                raise
            from contentgen.cli.output import error

            error(str(exc))
            ctx.exit(1)


app = typer.Typer(
    cls=ErrorBoundary,
    name="contentgen",
    add_completion=False,
    help="Brand-true marketing copy, posters, videos and a grounded shopping agent, offline first.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"contentgen {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """contentgen: turn a brand kit, a catalog and customer segments into marketing content."""
    ctx.obj = State(debug=debug)


def _register() -> None:
    from contentgen.cli import (
        campaign,
        catalog,
        channels,
        chat,
        copy,
        demo,
        evaluate,
        host,
        journeys,
        kits,
        poster,
        providers,
        results,
        segments,
        serve,
        video,
    )

    app.add_typer(kits.app, name="kits")
    app.add_typer(segments.app, name="segments")
    app.add_typer(channels.app, name="channels")
    app.add_typer(catalog.app, name="catalog")
    app.add_typer(providers.app, name="providers")
    app.command("copy")(copy.copy)
    app.command("poster")(poster.poster)
    app.command("video")(video.video)
    app.add_typer(campaign.app, name="campaign")
    app.add_typer(journeys.app, name="journeys")
    app.command("chat")(chat.chat)
    app.command("host")(host.host)
    app.add_typer(evaluate.app, name="eval")
    app.add_typer(results.app, name="results")
    app.command("demo")(demo.demo)
    app.add_typer(serve.app, name="serve")


_register()


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        from contentgen.cli.output import error

        error("interrupted")
        raise SystemExit(130) from None
