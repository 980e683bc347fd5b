"""Shared fixtures: isolated settings, the minimal kit, and a CLI runner that keeps stderr apart."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No test reads the developer's config or writes into their data directory."""
    import os

    home = tmp_path_factory.mktemp("home")
    for key in list(os.environ):
        if key.startswith("CONTENTGEN_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("CONTENTGEN_HOME", str(home))
    yield home


@pytest.fixture
def minimal_kit(tmp_path: Path) -> Path:
    """A writable copy of the minimal valid kit."""
    target = tmp_path / "minimal"
    shutil.copytree(DATA / "kits" / "minimal", target)
    return target


class Cli:
    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> Result:
        from contentgen.cli import app

        return self.runner.invoke(app, list(args), input=input)


@pytest.fixture
def cli() -> Cli:
    return Cli()
