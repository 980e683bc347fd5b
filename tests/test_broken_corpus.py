"""Every file of the broken corpus fails with its own one-line error, through the CLI, without a traceback."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import DATA, Cli

BROKEN = DATA / "broken"


def _expect(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path} lacks its '# expect:' line"
    return first.removeprefix("# expect: ")


def _assert_one_line_error(result, pattern: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.output + result.stderr
    assert re.search(pattern, lines[0]), f"{lines[0]!r} does not match {pattern!r}"


@pytest.mark.parametrize("case", sorted(BROKEN.glob("kits/*.yaml")), ids=lambda p: p.stem)
def test_broken_kit(case: Path, minimal_kit: Path, cli: Cli) -> None:
    shutil.copy(case, minimal_kit / "kit.yaml")
    result = cli("kits", "validate", str(minimal_kit))
    _assert_one_line_error(result, _expect(case))


CATALOG_EXPECTATIONS = yaml.safe_load((BROKEN / "catalogs" / "expected.yaml").read_text(encoding="utf-8"))


def test_catalog_corpus_is_complete() -> None:
    files = {p.name for p in (BROKEN / "catalogs").iterdir()} - {"expected.yaml"}
    assert files == set(CATALOG_EXPECTATIONS)


@pytest.mark.parametrize("name", sorted(CATALOG_EXPECTATIONS))
def test_broken_catalog(name: str, cli: Cli) -> None:
    result = cli("catalog", "validate", str(BROKEN / "catalogs" / name))
    _assert_one_line_error(result, CATALOG_EXPECTATIONS[name])


@pytest.mark.parametrize("case", sorted(BROKEN.glob("segments/*.yaml")), ids=lambda p: p.stem)
def test_broken_segments(case: Path, cli: Cli) -> None:
    result = cli("segments", "list", "--file", str(case))
    _assert_one_line_error(result, _expect(case))


@pytest.mark.parametrize("case", sorted(BROKEN.glob("channels/*.yaml")), ids=lambda p: p.stem)
def test_broken_channel(case: Path, tmp_path: Path, cli: Cli) -> None:
    folder = tmp_path / "channels"
    folder.mkdir()
    shutil.copy(case, folder / case.name)
    result = cli("channels", "list", "--dir", str(folder))
    _assert_one_line_error(result, _expect(case))


def test_debug_shows_the_traceback(minimal_kit: Path, cli: Cli) -> None:
    shutil.copy(BROKEN / "kits" / "bad_colour.yaml", minimal_kit / "kit.yaml")
    result = cli("--debug", "kits", "show", str(minimal_kit))
    assert result.exit_code == 1
    assert result.exception is not None and "colour must be" in str(result.exception)
