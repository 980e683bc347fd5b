"""`contentgen chat`: talk to a shopping agent in the terminal, or pipe questions in one per line."""

from __future__ import annotations

import json as jsonlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from contentgen.cli.output import err, out

if TYPE_CHECKING:
    from rich.console import Console

    from contentgen.agent import Agent, Customer, Outcome

HELP = (
    "/sources  the records and policies behind the last answer\n"
    "/reset    forget the conversation\n"
    "/handoff  pass the conversation to a person\n"
    "/export FILE  save the transcript (personal data masked; .md or .json)\n"
    "/quit     leave"
)
_STYLE = {"answer": "", "refusal": "yellow", "handoff": "bold magenta"}


def chat(
    agent: Annotated[
        str | None,
        typer.Option("--agent", "-a", help="Agent definition: a shipped name (qinghe-service) or a YAML file."),
    ] = None,
    kit: Annotated[str | None, typer.Option("--kit", "-k", help="Brand kit id: chat with its service agent.")] = None,
    tier: Annotated[
        str | None, typer.Option("--tier", help="The customer's membership tier (high-value tiers go to a person).")
    ] = None,
    text_provider: Annotated[
        str | None,
        typer.Option("--text-provider", help="Answer with this text provider (see `contentgen providers list`)."),
    ] = None,
    chroma_url: Annotated[
        str | None, typer.Option("--chroma-url", help="A Chroma server (chroma run); default: the local store.")
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print one JSON object per turn (JSON Lines).")] = False,
) -> None:
    """Chat with a grounded shopping agent; answers cite SKUs, unverifiable claims are left out.

    Type a question, or a command: /sources, /reset, /handoff, /export FILE, /quit. Piped input is read one
    question per line.
    """
    from contentgen.agent import Customer, load_agent
    from contentgen.errors import ConfigError

    if not (agent or kit):
        raise ConfigError("give --agent NAME|FILE or --kit KIT; shipped agents: see agents/ (e.g. qinghe-service)")
    console = out()
    interactive = sys.stdin.isatty() and not json
    with err().status("opening the catalog (the first run ingests it)…", spinner="dots"):
        bot = load_agent(agent or kit or "", text_provider=text_provider, chroma_url=chroma_url)
    if bot.provider is not None:
        with err().status(f"loading model {bot.provider.model or bot.provider.name} …", spinner="dots"):
            bot.provider.load()  # one status line, not the libraries' progress bars, then the first answer
    customer = Customer(tier=tier) if tier else None
    if interactive:
        mode = f"model {bot.provider.model}" if bot.provider else "offline"
        console.print(
            f"[bold]{bot.definition.persona.name}[/] · {bot.brand.name} ({bot.definition.name}, {mode})\n"
            "[dim]Ask about products, prices, stock, orders and policies. /help for commands, /quit to leave.[/]"
        )
    for line in _lines(console, interactive):
        text = line.strip()
        if not text:
            continue
        if text.startswith("/"):
            if not _command(bot, console, text, json):
                break
            continue
        if not interactive and not json:
            console.print(f"[bold]>[/] {bot.masker.mask(text)}", highlight=False)
        _answer(bot, console, text, customer, json)


def _lines(console: Console, interactive: bool) -> list[str] | _Prompt:
    return _Prompt(console) if interactive else sys.stdin.read().splitlines()


class _Prompt:
    """Lines typed at a prompt until end of input."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def __iter__(self) -> _Prompt:
        return self

    def __next__(self) -> str:
        try:
            return self.console.input("[bold cyan]you ›[/] ")
        except EOFError:
            self.console.print()
            raise StopIteration from None


def _answer(bot: Agent, console: Console, text: str, customer: Customer | None, json: bool) -> None:
    from rich.markup import escape

    stream = bot.stream(text, customer=customer)
    if json:
        stream.outcome  # noqa: B018 - runs the answer to its end
        sys.stdout.write(jsonlib.dumps(bot.history[-1].to_dict(), ensure_ascii=False) + "\n")
        return
    console.print(f"[bold green]{escape(bot.definition.persona.name)} ›[/] ", end="")
    for piece in stream:
        console.print(escape(piece), end="", highlight=False, soft_wrap=True)
    outcome = stream.outcome
    console.print()
    _footer(bot, console, outcome)


def _footer(bot: Agent, console: Console, outcome: Outcome) -> None:
    from rich.markup import escape

    if outcome.kind == "handoff":
        console.print(f"[{_STYLE['handoff']}]↪ handed to a person ({escape(outcome.reason)})[/]")
    elif outcome.kind == "refusal":
        console.print(f"[{_STYLE['refusal']}]✕ not answered ({escape(outcome.reason)})[/]")
    else:
        cited = ", ".join(outcome.citations)
        quoted = ", ".join(bot.language.policy_title(p) for p in outcome.policies)
        parts = [p for p in (cited, quoted) if p]
        if parts:
            console.print(f"[dim]sources: {escape(' · '.join(parts))}[/]")
        if outcome.removed:
            console.print(f"[dim]{len(outcome.removed)} unverified sentence(s) left out[/]")


def _command(bot: Agent, console: Console, text: str, json: bool) -> bool:
    """Run a /command; False means leave."""
    from rich.markup import escape

    name, _, arg = text.partition(" ")
    name = name.lower()
    if name in {"/quit", "/exit", "/q"}:
        return False
    if name == "/help":
        console.print(escape(HELP))
    elif name == "/reset":
        bot.reset()
        console.print("[dim]conversation reset[/]")
    elif name == "/handoff":
        outcome = bot.handoff()
        if json:
            sys.stdout.write(jsonlib.dumps(bot.history[-1].to_dict(), ensure_ascii=False) + "\n")
        else:
            console.print(f"[bold green]{escape(bot.definition.persona.name)} ›[/] {escape(outcome.text)}")
            console.print(f"[{_STYLE['handoff']}]↪ handed to a person[/]")
    elif name == "/export":
        if not arg.strip():
            console.print("[yellow]usage: /export FILE (.md or .json)[/]")
            return True
        path = bot.export(Path(arg.strip()).expanduser())
        console.print(f"[dim]transcript saved (personal data masked): {escape(str(path))}[/]")
    elif name == "/sources":
        _sources(bot, console)
    else:
        console.print(f"[yellow]unknown command {escape(name)}[/]\n{escape(HELP)}")
    return True


def _sources(bot: Agent, console: Console) -> None:
    from rich.markup import escape
    from rich.table import Table

    last = next((t for t in reversed(bot.history) if t.outcome.kind == "answer"), None)
    if last is None or last.outcome.kind != "answer":
        console.print("[dim]no answer yet[/]")
        return
    outcome = last.outcome
    if outcome.citations:
        table = Table("SKU", "product", "price", "stock", title="records cited")
        for product in bot.products(outcome.citations):
            table.add_row(product.sku, product.name, product.money(), str(product.stock))
        console.print(table)
    for name in outcome.policies:
        console.print(f"policy: {escape(bot.language.policy_title(name))} ({escape(name)})")
    if outcome.removed:
        console.print("[dim]left out (could not be verified):[/]")
        for sentence in outcome.removed:
            console.print(f"[dim]  - {escape(sentence)}[/]", highlight=False)
    if not (outcome.citations or outcome.policies):
        console.print("[dim]the last answer cites no records[/]")
