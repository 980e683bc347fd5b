"""Graceful shutdown of `contentgen serve` on a real uvicorn on 127.0.0.1: SIGTERM while an answer is in flight
lets that answer finish (its stream ends with the `done` event), refuses new connections, and exits 0.

The answer is slow because the agent's model is an OpenAI-compatible server on loopback that waits before it
answers (the one the text-provider tests use), served from the server's own agents folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import REPO
from test_text_providers_models import FakeOpenAIServer

from contentgen.server.db import Database
from contentgen.server.security import create_key
from contentgen.testing.real_models import free_port

pytestmark = pytest.mark.slow  # a real server process

DELAY_S = 3.0
AGENT = """\
name: slow-service
kit: qinghe
mode: service
persona: {{name: 小禾}}
model: {{name: openai, options: {{base_url: "{url}", model: tiny-chat, max_retries: 0}}}}
"""


@pytest.fixture
def llm() -> Iterator[FakeOpenAIServer]:
    httpd = FakeOpenAIServer()
    httpd.delay = DELAY_S
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def _events(lines: list[str]) -> list[tuple[str, dict[str, object]]]:
    found, name = [], "message"
    for line in lines:
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            found.append((name, json.loads(line[5:].strip())))
            name = "message"
    return found


def test_sigterm_finishes_the_answer_in_flight_refuses_new_ones_and_exits_0(
    tmp_path: Path, llm: FakeOpenAIServer
) -> None:
    agents = tmp_path / "agents"
    agents.mkdir()
    (agents / "slow-service.yaml").write_text(AGENT.format(url=llm.base_url), encoding="utf-8")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CONTENTGEN_")},
        "PYTHONPATH": str(REPO),
        "OPENAI_API_KEY": "sk-loopback",
        "CONTENTGEN_HOME": str(tmp_path / "home"),
        "CONTENTGEN_SERVE_DATA_DIR": str(tmp_path / "server"),
        "CONTENTGEN_SERVE_AGENTS_DIR": str(agents),
    }
    auth = {"Authorization": f"Bearer {create_key(Database(tmp_path / 'server' / 'server.db'), 'chat').secret}"}
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    argv = ["contentgen", "serve", "--port", str(port)]
    code = f"import sys; from contentgen.cli.app import main; sys.argv = {argv!r}; main()"
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{api}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail(log.read_text(errors="replace")[-2000:])
        sid = httpx.post(f"{api}/v1/agents/slow-service/sessions", headers=auth, timeout=30).json()["id"]
        lines: list[str] = []
        finished: dict[str, float] = {}

        def ask() -> None:
            body = {"text": "积雪草舒缓保湿水适合什么肤质？", "stream": True}
            with httpx.stream("POST", f"{api}/v1/sessions/{sid}/messages", headers=auth, json=body, timeout=60) as r:
                assert r.status_code == 200
                lines.extend(r.iter_lines())
            finished["at"] = time.monotonic()

        asker = threading.Thread(target=ask)
        asker.start()
        for _ in range(3000):  # the model has the question (after a first ingest): the answer is in flight
            if llm.in_flight:
                break
            time.sleep(0.02)
        assert llm.in_flight == 1, log.read_text(errors="replace")[-2000:]
        signalled = time.monotonic()
        server.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        with pytest.raises(httpx.ConnectError):  # no new requests while it drains
            httpx.get(f"{api}/healthz", timeout=2)
        asker.join(timeout=30)
        assert not asker.is_alive()
        events = _events(lines)
        assert events and events[-1][0] == "done", lines
        assert finished["at"] - signalled > DELAY_S - 1  # the answer did wait for the model after the signal
        outcome = events[-1][1]["outcome"]
        assert isinstance(outcome, dict) and outcome["kind"] in ("answer", "refusal", "handoff")
        assert server.wait(timeout=30) == 0, log.read_text(errors="replace")[-2000:]
        stored = Database(tmp_path / "server" / "server.db").all("SELECT seq FROM turns WHERE session = ?", sid)
        assert len(stored) == 1  # the finished answer was recorded before the process went
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
