"""`contentgen chat`, `contentgen host` and `contentgen eval agent` through the CLI, on the real stores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Cli

from contentgen.catalog.store import CatalogStore
from contentgen.domain import load_brand_kit
from contentgen.domain.loaders import load_kit_catalog

pytest_plugins = ["agent_support"]


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, agent_home: Path, stores: dict[str, CatalogStore]) -> Path:
    """The CLI finds both kits already ingested."""
    monkeypatch.setenv("CONTENTGEN_HOME", str(agent_home))
    return agent_home


def test_chat_reads_questions_from_a_pipe(cli: Cli, home: Path, tmp_path: Path) -> None:
    product = load_kit_catalog(load_brand_kit("qinghe")).get("QH-TNR-001")
    export = tmp_path / "chat.json"
    script = "\n".join(
        [
            f"{product.name}多少钱？",
            "那它有货吗",
            "/sources",
            "我的手机号是13812345678",
            f"/export {export}",
            "/reset",
            "/quit",
            "这一句在退出之后",
        ]
    )
    result = cli("chat", "--kit", "qinghe", input=script + "\n")
    assert result.exit_code == 0, result.output
    assert product.money() in result.stdout and product.sku in result.stdout
    assert "13812345678" not in result.stdout and "这一句在退出之后" not in result.stdout
    saved = json.loads(export.read_text(encoding="utf-8"))
    assert [t["kind"] for t in saved["turns"]][:2] == ["answer", "answer"]
    assert "13812345678" not in export.read_text(encoding="utf-8")


def test_chat_json_lines_and_handoff_command(cli: Cli, home: Path) -> None:
    result = cli("chat", "--agent", "morrow-service", "--json", input="How much is the Earl Grey Cream?\n/handoff\n")
    assert result.exit_code == 0, result.output
    turns = [json.loads(line) for line in result.stdout.splitlines()]
    assert turns[0]["kind"] == "answer" and turns[0]["citations"] == ["MT-BLK-002"]
    assert turns[1]["kind"] == "handoff"


def test_chat_needs_an_agent_or_a_kit(cli: Cli, home: Path) -> None:
    result = cli("chat", input="hi\n")
    assert result.exit_code == 1 and result.stderr.startswith("Error:") and "--agent" in result.stderr
    result = cli("chat", "--agent", "qinghe-servise", input="hi\n")
    assert result.exit_code == 1 and "did you mean 'qinghe-service'" in result.stderr


def test_host_runs_a_show_and_the_comment_queue(cli: Cli, home: Path, tmp_path: Path) -> None:
    catalog = load_kit_catalog(load_brand_kit("qinghe"))
    lineup = [catalog.get(s) for s in ("QH-TNR-001", "QH-SER-001", "QH-CLN-006")]
    comments = tmp_path / "comments.txt"
    comments.write_text(
        "\n".join(["你好呀", "包邮吗", "多少钱？", "多少钱", "多少钱?", "我的手机号13812345678，帮我查下订单", ""]),
        encoding="utf-8",
    )
    skus = ",".join(p.sku for p in lineup)
    result = cli("host", "--kit", "qinghe", "--skus", skus, "--comments", str(comments), "--json")
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    lines = run["lines"]
    assert lines[0]["kind"] == "opening" and lines[-1]["kind"] == "closing"
    assert run["total_seconds"] > 0 and all(line["seconds"] > 0 for line in lines)
    starts = [line["start"] for line in lines]
    assert starts == sorted(starts)
    for product in lineup:
        about = [line for line in lines if line.get("sku") == product.sku and line["kind"] == "price"]
        assert about, product.sku
        assert (product.money() in about[0]["text"]) == product.in_stock
    asked = [line for line in lines if line["kind"] == "comment"]
    # three ways of asking the price are one question; the comment carrying a phone number is never read aloud
    assert len(asked) == 3
    assert asked[0]["comment"].startswith("多少钱")  # purchase questions first
    assert "3" in asked[0]["text"]  # ... said to have been asked three times
    assert asked[-1]["comment"] == "你好呀"
    assert "13812345678" not in result.stdout


def test_host_prints_a_live_show_and_reads_stdin(cli: Cli, home: Path) -> None:
    result = cli(
        "host",
        "--kit",
        "morrow",
        "--skus",
        "MT-BLK-002,MT-WAR-006",
        "--comments",
        "-",
        input="How much is the kettle?\nIs it in stock?\n",
    )
    assert result.exit_code == 0, result.output
    assert "Earl Grey Cream" in result.stdout and "Gooseneck Electric Kettle" in result.stdout
    assert "2 comments" in result.stdout


def test_host_unknown_sku_is_one_line_error(cli: Cli, home: Path) -> None:
    result = cli("host", "--kit", "qinghe", "--skus", "QH-NOPE-1")
    assert result.exit_code == 1 and result.stderr.startswith("Error:") and "QH-NOPE-1" in result.stderr


def test_eval_agent_on_a_small_labelled_set(cli: Cli, home: Path, tmp_path: Path) -> None:
    labelled = tmp_path / "small.yaml"
    labelled.write_text(
        """kit: morrow
agent: morrow-service
items:
  - {id: p1, kind: price, turns: ["How much is the Earl Grey Cream?"], intent: price, outcome: answer,
     relevant: [MT-BLK-002], cite: [MT-BLK-002], contains: ["16"]}
  - {id: h1, kind: handoff, turns: ["I want to talk to a human"], intent: handoff, outcome: handoff}
  - {id: o1, kind: out-of-scope, turns: ["What's the weather in Boston?"], intent: out_of_scope, outcome: refusal}
""",
        encoding="utf-8",
    )
    result = cli("eval", "agent", "--labelled", str(labelled), "--json")
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)["morrow"]["metrics"]
    assert metrics["answer_accuracy"] == 1.0 and metrics["unverified"] == 0 and metrics["mrr"] == 1.0
    table = cli("eval", "agent", "--labelled", str(labelled))
    assert table.exit_code == 0 and "intent accuracy" in table.stdout
    wrong = labelled.read_text(encoding="utf-8").replace('contains: ["16"]', 'contains: ["17"]')
    labelled.write_text(wrong, encoding="utf-8")
    failing = cli("eval", "agent", "--labelled", str(labelled), "--min-answer", "1.0")
    assert failing.exit_code == 1 and "lacks '17'" in failing.stdout


@pytest.mark.slow
def test_eval_agent_on_the_shipped_sets(cli: Cli, home: Path) -> None:
    result = cli("eval", "agent", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"qinghe", "morrow"}
    for kit, data in report.items():
        metrics = data["metrics"]
        assert metrics["items"] >= 120, kit
        assert metrics["intent_accuracy"] > 0.89 and metrics["answer_accuracy"] >= 0.9, (kit, metrics)
        assert metrics["unverified"] == 0, (kit, data["failures"])
