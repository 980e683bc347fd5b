"""The API on a real uvicorn on 127.0.0.1: the official openai client, the web chat page in headless Chromium, and
a restart that keeps the conversation."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from test_campaign_review import DevTools

from contentgen.server.db import Database
from contentgen.server.security import create_key
from contentgen.testing.real_models import free_port, stop_process

pytestmark = pytest.mark.slow  # real server processes and a browser


@dataclass
class Server:
    url: str
    key: str
    process: subprocess.Popen[bytes]
    env: dict[str, str]
    log: Path


def start(env: dict[str, str], log: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    code = (
        "import uvicorn; uvicorn.run('contentgen.server.app:app_from_env', factory=True, host='127.0.0.1', "
        f"port={port}, log_level='warning', timeout_graceful_shutdown=10)"
    )
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [sys.executable, "-c", code], env=env, cwd=os.getcwd(), stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return url, process
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the server did not start: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("live")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CONTENTGEN_")},
        "CONTENTGEN_HOME": str(folder / "home"),
        "CONTENTGEN_SERVE_DATA_DIR": str(folder / "server"),
        "CONTENTGEN_SERVE_RATE_BURST": "200",
    }
    secret = create_key(Database(folder / "server" / "server.db"), "chat").secret
    url, process = start(env, folder / "server.log")
    try:
        yield Server(url, secret, process, env, folder / "server.log")
    finally:
        stop_process(process, timeout=20)


def test_openai_client(server: Server) -> None:
    from openai import NotFoundError, OpenAI

    client = OpenAI(base_url=f"{server.url}/v1", api_key=server.key, max_retries=0)
    completion = client.chat.completions.create(
        model="qinghe-service", messages=[{"role": "user", "content": "积雪草舒缓保湿水多少钱？"}]
    )
    assert "¥129" in (completion.choices[0].message.content or "")
    extra = completion.model_extra or {}
    assert extra["contentgen"]["outcome"]["kind"] == "answer"
    assert extra["contentgen"]["outcome"]["citations"] == ["QH-TNR-001"]
    assert extra["contentgen"]["sources"][0]["name"] == "积雪草舒缓保湿水"
    chunks = list(
        client.chat.completions.create(
            model="qinghe-service",
            stream=True,
            messages=[{"role": "user", "content": "推荐一款适合敏感肌的洁面"}],
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    last = chunks[-1].model_extra or {}
    assert text and chunks[-1].choices[0].finish_reason == "stop"
    assert last["contentgen"]["outcome"]["kind"] == "answer" and last["contentgen"]["outcome"]["citations"]
    assert text == last["contentgen"]["outcome"]["text"]
    with pytest.raises(NotFoundError):
        client.chat.completions.create(model="nobody", messages=[{"role": "user", "content": "hi"}])


def test_web_chat_in_chromium(server: Server, tmp_path: Path) -> None:
    chrome = DevTools(tmp_path / "profile", tmp_path)
    try:
        target = chrome.call("Target.createTarget", url=f"{server.url}/chat/qinghe-service#key={server.key}")
        page = str(chrome.call("Target.attachToTarget", targetId=target["targetId"], flatten=True)["sessionId"])
        chrome.wait(page, "!!document.body && !!document.body.dataset.session")
        chrome.js(page, "document.getElementById('q').value = '积雪草舒缓保湿水多少钱？'")
        chrome.js(page, "document.querySelector('#ask button').click()")
        chrome.wait(page, "document.querySelectorAll('.msg.agent.answer').length === 1")
        answer = chrome.js(page, "document.querySelector('.msg.agent.answer').textContent")
        assert "¥129" in answer and "[QH-TNR-001]" in answer
        assert chrome.js(page, "document.querySelector('a.cite').getAttribute('href')") == "#card-QH-TNR-001"
        assert "积雪草舒缓保湿水" in chrome.js(page, "document.getElementById('card-QH-TNR-001').textContent")
        chrome.js(page, "document.getElementById('q').value = '我要投诉，帮我转人工'")
        chrome.js(page, "document.querySelector('#ask button').click()")
        chrome.wait(page, "document.body.dataset.state === 'handoff'")
        assert "人工" in chrome.js(page, "document.getElementById('banner').textContent")
        shot = chrome.call("Page.captureScreenshot", page, format="png")
        (tmp_path / "chat.png").write_bytes(base64.b64decode(shot["data"]))
        if os.environ.get("SERVE_CHAT_SCREENSHOT"):
            Path(os.environ["SERVE_CHAT_SCREENSHOT"]).write_bytes(base64.b64decode(shot["data"]))
    finally:
        chrome.close()


def test_conversation_survives_a_server_restart(server: Server, tmp_path: Path) -> None:
    auth = {"Authorization": f"Bearer {server.key}"}
    sid = httpx.post(f"{server.url}/v1/agents/qinghe-service/sessions", headers=auth).json()["id"]
    httpx.post(f"{server.url}/v1/sessions/{sid}/messages", headers=auth, json={"text": "积雪草舒缓保湿水多少钱？"})
    url, process = start(server.env, tmp_path / "second.log")  # a second server process on the same data
    try:
        r = httpx.post(f"{url}/v1/sessions/{sid}/messages", headers=auth, json={"text": "有货吗"}, timeout=30)
        assert r.json()["outcome"]["citations"] == ["QH-TNR-001"] and r.json()["turn"] == 2
    finally:
        stop_process(process, timeout=20)
