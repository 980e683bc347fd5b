"""Shared fixtures: isolated settings, the minimal kit, and a CLI runner that keeps stderr apart."""

from __future__ import annotations

import shutil
import textwrap
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


def write_brief(folder: Path, text: str, name: str = "brief.yaml") -> Path:
    """`text` (dedented) as a campaign brief file in `folder`."""
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def made_run(brief: Path, out_dir: Path) -> Path:
    """A real campaign run of `brief` (offline providers, one worker) that succeeded: its run folder. Test modules
    call it from a module-scoped fixture, so the run is made once and each test copies or reads it."""
    from contentgen.campaign import run_campaign

    result = run_campaign(brief, out_dir=out_dir, workers=1)
    assert result.ok, result
    return result.out_dir


class Cli:
    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> Result:
        from contentgen.cli import app

        return self.runner.invoke(app, list(args), input=input)


@pytest.fixture
def cli() -> Cli:
    return Cli()
