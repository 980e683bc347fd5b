"""The README is the contract: its two commands exist, CI runs the test one, and its tour names real commands."""

from __future__ import annotations

import re

from conftest import REPO, Cli

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_two_commands_are_documented_and_real() -> None:
    assert "make demo" in README and "make test" in README
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.strip().splitlines()[-1] == "exec make test"


def test_every_command_in_the_readme_exists(cli: Cli) -> None:
    commands = re.findall(r"^contentgen ([a-z][a-z-]*(?: [a-z][a-z-]*)?)", README, re.M)
    assert len(commands) >= 8
    for command in commands:
        words = command.split()
        result = cli(*words, "--help")
        if result.exit_code != 0:  # a second word may be an argument, not a subcommand
            result = cli(words[0], "--help")
        assert result.exit_code == 0, command


def test_every_text_provider_in_the_readme_is_registered() -> None:
    from contentgen.providers import available

    table = README[README.index("| name | what | options |"):]
    names = re.findall(r"^\| `([a-z]+)` \|", table, re.M)
    assert set(names) <= set(available("text")) and len(names) == 4
