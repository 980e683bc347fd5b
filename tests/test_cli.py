"""Every command: exit code, what it prints, and --json that parses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, Cli

SHIPPED = ["morrow", "qinghe"]


def test_version(cli: Cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.startswith("contentgen 0.")


def test_no_args_shows_help(cli: Cli) -> None:
    result = cli()
    assert "kits" in result.output and "demo" in result.output


def test_kits_list(cli: Cli) -> None:
    result = cli("kits", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["id"] for r in rows} >= set(SHIPPED)
    assert all(r["status"] == "ok" for r in rows if r["id"] in SHIPPED)
    assert {r["locale"] for r in rows if r["id"] in SHIPPED} == {"zh-CN", "en-US"}


def test_kits_validate_shipped(cli: Cli) -> None:
    result = cli("kits", "validate", "--json")
    assert result.exit_code == 0, result.output
    reports = {r["kit"]: r for r in json.loads(result.stdout)}
    for kit in SHIPPED:
        assert reports[kit]["ok"], reports[kit]
        assert reports[kit]["products"] >= 60
        assert reports[kit]["segments"] >= 6
        assert {"shipping", "returns", "warranty", "membership"} <= set(reports[kit]["policies"])


def test_kits_validate_table(cli: Cli) -> None:
    result = cli("kits", "validate", *SHIPPED)
    assert result.exit_code == 0 and "ok" in result.stdout


@pytest.mark.parametrize("kit", SHIPPED)
def test_kits_show(cli: Cli, kit: str) -> None:
    result = cli("kits", "show", kit)
    assert result.exit_code == 0, result.output
    assert "Palette" in result.stdout and "Catalog:" in result.stdout
    data = json.loads(cli("kits", "show", kit, "--json").stdout)
    assert data["id"] == kit and data["products"] >= 60


def test_kits_from_extra_folder(cli: Cli, minimal_kit: Path) -> None:
    result = cli("kits", "list", "--kits-dir", str(minimal_kit.parent), "--json")
    assert "minimal" in {r["id"] for r in json.loads(result.stdout)}


def test_unknown_kit(cli: Cli) -> None:
    result = cli("kits", "show", "qinhe")
    assert result.exit_code == 1
    assert "unknown brand kit 'qinhe'; did you mean 'qinghe'?" in result.stderr


def test_segments(cli: Cli) -> None:
    rows = json.loads(cli("segments", "list", "--json").stdout)
    assert len(rows) >= 6 and all(r["name"]["zh"] and r["name"]["en"] for r in rows)
    assert cli("segments", "list", "--lang", "en").exit_code == 0
    shown = cli("segments", "show", "gen-z", "--lang", "en")
    assert shown.exit_code == 0 and "Gen" in shown.stdout
    assert json.loads(cli("segments", "show", "silver-haired", "--json").stdout)["id"] == "silver-haired"


def test_segments_bad_input(cli: Cli) -> None:
    assert "unknown segment 'gen-y'" in cli("segments", "show", "gen-y").stderr
    bad_lang = cli("segments", "list", "--lang", "fr")
    assert bad_lang.exit_code == 2
    assert "Invalid value for '--lang'" in bad_lang.stderr and "'fr' is not one of 'zh', 'en'" in bad_lang.stderr


def test_channels(cli: Cli) -> None:
    rows = json.loads(cli("channels", "list", "--json").stdout)
    ids = {r["id"] for r in rows}
    assert ids == {
        "douyin",
        "xiaohongshu",
        "wechat-moments",
        "wechat-article",
        "weibo",
        "sms",
        "email",
        "livestream",
        "app-push",
        "wecom",
    }
    sizes = {(s["width"], s["height"]) for r in rows for s in r["poster_sizes"]}
    assert {(1080, 1920), (1080, 1440), (1080, 1080), (900, 383), (1200, 628)} <= sizes
    shown = cli("channels", "show", "douyin")
    assert shown.exit_code == 0 and "safe zone" in shown.stdout
    assert cli("channels", "list").exit_code == 0
    assert "unknown channel 'tiktok'" in cli("channels", "show", "tiktok").stderr


@pytest.mark.parametrize("kit", SHIPPED)
def test_catalog_validate(cli: Cli, kit: str) -> None:
    path = REPO / "brand_kits" / kit / "catalog.csv"
    summary = json.loads(cli("catalog", "validate", str(path), "--json").stdout)
    assert summary["products"] >= 60 and len(summary["categories"]) >= 6
    assert cli("catalog", "validate", str(path)).exit_code == 0


def test_providers_list(cli: Cli) -> None:
    result = cli("providers", "list", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert {r["kind"] for r in rows} <= {"text", "image", "embed", "speech"}
    assert any(r["name"] == "template" and r["selected"] for r in rows)


@pytest.mark.slow
def test_demo(cli: Cli, tmp_path: Path) -> None:
    """The README's first command: both example campaigns end to end, review pages, an agent answer each."""
    result = cli("demo", "--out", str(tmp_path), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    summaries = {s["campaign"]: s for s in data["campaigns"]}
    assert set(summaries) == {"qinghe-618", "morrow-holiday"}
    assert {j["journey"] for j in data["journeys"]} == {"qinghe-cart-recovery", "morrow-post-purchase"}
    assert all(j["messages"] > 0 for j in data["journeys"])
    for s in summaries.values():
        assert set(s["stages"]) == {"copy", "poster", "video"} and not s["failed"]
        for tally in s["stages"].values():
            assert tally["made"] > 0 and tally["ready"] == tally["made"], s
        assert Path(s["review"]).is_file()
        assert "SIMULATION" in Path(s["results_report"]).read_text(encoding="utf-8")
        assert s["answer"]["kind"] == "answer" and s["answer"]["citations"], s["answer"]
    assert list((tmp_path / "qinghe-618").rglob("*.mp4")) and list((tmp_path / "morrow-holiday").rglob("*.png"))
    again = cli("demo", "--out", str(tmp_path))  # resumable: everything is done, nothing is made again
    assert again.exit_code == 0 and "review.html" in again.stdout


def test_console_script_error_goes_to_stderr(tmp_path: Path) -> None:
    """The installed entry point, as a user runs it: one line on stderr, exit 1, nothing on stdout."""
    exe = Path(sys.executable).parent / "contentgen"
    proc = subprocess.run(
        [str(exe), "catalog", "validate", str(tmp_path / "none.csv")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [f"Error: {tmp_path / 'none.csv'}: file not found"]


HEAVY = (
    "torch",
    "transformers",
    "diffusers",
    "chromadb",
    "moviepy",
    "accelerate",
    "sentence_transformers",
    "langchain_core",
    "openai",
    "numpy",
    "PIL",
    "pydantic",
    "jinja2",
)


def test_help_imports_nothing_heavy() -> None:
    code = (
        "import sys; from contentgen.cli import app; from typer.testing import CliRunner; "
        "CliRunner().invoke(app, ['--help']); "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert proc.stdout.strip() == ""
