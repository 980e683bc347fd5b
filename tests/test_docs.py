"""The README is the contract: its two commands exist, CI runs the test one, and its tour names real commands."""

from __future__ import annotations

import re

import pytest
from conftest import REPO, Cli

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_two_commands_are_documented_and_real() -> None:
    assert "make demo" in README and "make test" in README
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.strip().splitlines()[-1] == "exec make test"


def command_path(command: str) -> list[str]:
    """The words of a README command line that name (sub)commands; fails on a word that names none.

    A second word is a subcommand when the first is a group (and must then be one of its subcommands), else an
    argument of the first: so a misspelt subcommand fails instead of passing as the group's argument.
    """
    import typer

    from contentgen.cli import app

    root = typer.main.get_command(app)
    ctx = root.make_context("contentgen", [], resilient_parsing=True)
    words = command.split()
    first = root.get_command(ctx, words[0])  # type: ignore[attr-defined]
    assert first is not None, f"'contentgen {words[0]}' is not a command"
    if len(words) > 1 and hasattr(first, "list_commands"):
        sub_ctx = first.make_context(words[0], [], parent=ctx, resilient_parsing=True)
        subcommands = first.list_commands(sub_ctx)
        assert words[1] in subcommands, f"'contentgen {command}': no subcommand '{words[1]}' (has {subcommands})"
        return words[:2]
    return words[:1]


def test_every_command_in_the_readme_exists(cli: Cli) -> None:
    commands = re.findall(r"^contentgen ([a-z][a-z-]*(?: [a-z][a-z-]*)?)", README, re.M)
    assert len(commands) >= 8
    for command in commands:
        result = cli(*command_path(command), "--help")
        assert result.exit_code == 0, command


def test_a_misspelt_subcommand_in_the_readme_would_fail() -> None:
    assert command_path("campaign run") == ["campaign", "run"]
    with pytest.raises(AssertionError, match="no subcommand 'rnu'"):
        command_path("campaign rnu")
    with pytest.raises(AssertionError, match="is not a command"):
        command_path("campain run")


def test_every_text_provider_in_the_readme_is_registered() -> None:
    from contentgen.providers import available

    table = README[README.index("| name | what | options |") :]
    names = re.findall(r"^\| `([a-z]+)` \|", table, re.M)
    assert set(names) <= set(available("text")) and len(names) == 4
