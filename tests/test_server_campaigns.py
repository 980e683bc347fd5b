"""Copy and campaign routes: copy variants, campaign jobs (progress, artifacts, review, approvals, audit, export),
path checks, and a job that survives its server being killed with SIGKILL."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import REPO
from fastapi.testclient import TestClient

from contentgen.campaign.manifest import MANIFEST
from contentgen.config import Settings, load_settings
from contentgen.server import ServerConfig, create_app
from contentgen.server.db import Database
from contentgen.server.security import Scope, create_key
from contentgen.testing.real_models import free_port

BRIEF = """\
name: tea-api
kit: morrow
seed: 5
products: [MT-GRN-001, MT-GFT-001]
segments: [{segments}]
channels:
  email:
    copy: {{n: 2}}
  sms:
    copy: {{n: 2}}
"""


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings: Settings = load_settings(home=tmp_path / "home")
    config = ServerConfig(data_dir=tmp_path / "server", rate_burst=1000, rate_per_s=1000, job_poll_s=0.1)
    with TestClient(create_app(settings, config)) as c:
        yield c


def key(client: TestClient, scope: Scope = "campaigns") -> dict[str, str]:
    new = create_key(client.app.state.services.db, scope)  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {new.secret}"}


def wait_done(client: TestClient, auth: dict[str, str], job: str) -> dict[str, Any]:
    for _ in range(600):
        body: dict[str, Any] = client.get(f"/v1/campaigns/{job}", headers=auth).json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.1)
    raise AssertionError(f"job {job} did not finish: {body}")


def test_copy_returns_ranked_variants_and_needs_the_campaigns_scope(client: TestClient) -> None:
    auth = key(client)
    body = {"kit": "morrow", "segment": "urban-white-collar", "channel": "email", "skus": ["MT-GRN-001"], "n": 3}
    r = client.post("/v1/copy", headers=auth, json=body)
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["skus"] == ["MT-GRN-001"] and result["channel"] == "email"
    assert 1 <= len(result["variants"]) <= 3
    assert client.post("/v1/copy", headers=key(client, "chat"), json=body).status_code == 403
    r = client.post("/v1/copy", headers=auth, json={**body, "skus": ["NOPE-1"]})
    assert r.status_code in (404, 422) and "NOPE-1" in r.json()["error"]["message"]
    r = client.post("/v1/copy", headers=auth, json={**body, "kit": "../etc"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "kit"


def test_poster_files_come_back_as_urls_inside_the_files_folder(client: TestClient) -> None:
    auth = key(client)
    body = {"kit": "morrow", "segment": "urban-white-collar", "channel": "wechat-moments", "sku": "MT-GRN-001"}
    r = client.post("/v1/posters", headers=auth, json=body)
    assert r.status_code == 200, r.text
    poster = r.json()
    assert poster["sku"] == "MT-GRN-001" and set(poster["files"]) == {"png", "jpg", "layout"}
    png = client.get(poster["files"]["png"], headers=auth)
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(poster["files"]["png"]).status_code == 401
    for path in ("../server.db", "..%2Fserver.db", "%2e%2e/server.db", "posters/../../server.db"):
        assert client.get(f"/v1/files/{path}", headers=auth).status_code == 404, path


def test_campaign_job_review_approve_audit_export(client: TestClient) -> None:
    auth = key(client)
    inline = BRIEF.format(segments="urban-white-collar")
    r = client.post("/v1/campaigns", headers=auth, json={"inline": inline})
    assert r.status_code == 202, r.text
    job = r.json()["id"]
    assert r.json()["progress"]["planned"] == 4  # 2 products × 1 segment × 2 channels
    status = wait_done(client, auth, job)
    assert status["status"] == "done" and status["progress"] == {"done": 4, "failed": 0, "planned": 4}
    artifacts = client.get(f"/v1/campaigns/{job}/artifacts", headers=auth).json()["artifacts"]
    assert sorted(a["kind"] for a in artifacts) == ["copy"] * 4
    page = client.get(f"/v1/campaigns/{job}/review", headers=auth)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    listed = client.get(f"/v1/campaigns/{job}/items", headers=auth).json()["items"]
    keys = [i["key"] for i in listed]
    assert keys and all(i["decision"] == "pending" for i in listed) and keys[0] in page.text
    # Export before any approval: a one-line error, not a zip.
    assert client.get(f"/v1/campaigns/{job}/export", headers=auth).status_code == 400
    r = client.post(
        f"/v1/campaigns/{job}/approvals",
        headers=auth,
        json={"items": keys[:1], "reviewer": "li.wei", "reason": "on brand"},
    )
    assert r.status_code == 200 and r.json()["approved"] == 1, r.text
    bad = client.post(f"/v1/campaigns/{job}/approvals", headers=auth, json={"items": ["x#y"], "reviewer": "li"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "items"
    audit = client.get(f"/v1/campaigns/{job}/audit", headers=auth).json()["audit"]
    assert [(a["item"], a["reviewer"], a["reason"], a["status"]) for a in audit] == [
        (keys[0], "li.wei", "on brand", "approved")
    ]
    assert audit[0]["at"] > 0
    root = client.app.state.services.jobs.out_dir(job)  # type: ignore[attr-defined]
    decisions = json.loads((root / "decisions.json").read_text(encoding="utf-8"))
    assert decisions["decisions"][keys[0]]["status"] == "approved"
    assert decisions["decisions"][keys[0]]["note"] == "li.wei: on brand"
    r = client.get(f"/v1/campaigns/{job}/export", headers=auth)
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert "items.json" in names and "tea-api.csv" in names
    # Another campaigns key cannot see this job; files stay inside the run folder.
    other = key(client)
    assert client.get(f"/v1/campaigns/{job}", headers=other).status_code == 404
    assert client.get(f"/v1/campaigns/{job}/files/campaign.json", headers=auth).status_code == 200
    for path in ("../brief.yaml", "..%2Fbrief.yaml", "%2e%2e/%2e%2e/server.db", "/etc/passwd"):
        assert client.get(f"/v1/campaigns/{job}/files/{path}", headers=auth).status_code == 404, path
    assert client.get("/v1/campaigns/not-a-job", headers=auth).status_code == 404


def test_bad_briefs_are_one_line_errors(client: TestClient) -> None:
    auth = key(client)
    r = client.post("/v1/campaigns", headers=auth, json={"brief": "no-such-brief"})
    assert r.status_code == 404 and "no-such-brief" in r.json()["error"]["message"]
    r = client.post("/v1/campaigns", headers=auth, json={"inline": BRIEF.format(segments="nobody")})
    assert r.status_code == 422 and "nobody" in r.json()["error"]["message"]
    r = client.post("/v1/campaigns", headers=auth, json={"brief": "a", "inline": "b"})
    assert r.status_code == 422
    assert client.post("/v1/campaigns", headers=key(client, "chat"), json={"brief": "x"}).status_code == 403


def test_every_campaign_route_is_documented(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/v1/copy", "/v1/campaigns", "/v1/campaigns/{job}", "/v1/campaigns/{job}/approvals"):
        assert all(op.get("summary") for op in paths[path].values()), path


def _start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "contentgen.server.app:app_from_env", "--port", str(port)]
    with log.open("ab") as out:
        process = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(log.read_text(encoding="utf-8", errors="replace")[-2000:])


@pytest.mark.slow
def test_a_job_survives_kill_9_and_makes_each_artifact_once(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "CONTENTGEN_HOME": str(tmp_path / "home"),
        "CONTENTGEN_SERVE_DATA_DIR": str(tmp_path / "server"),
        "CONTENTGEN_SERVE_JOB_LEASE_S": "1.5",
        "CONTENTGEN_SERVE_JOB_POLL_S": "0.2",
    }
    secret = create_key(Database(tmp_path / "server" / "server.db"), "campaigns").secret
    auth = {"Authorization": f"Bearer {secret}"}
    brief = BRIEF.format(segments="urban-white-collar, silver-haired").replace("n: 2", "n: 8")
    port = free_port()
    server = _start(env, port, tmp_path / "server.log")
    api = f"http://127.0.0.1:{port}"
    try:
        r = httpx.post(f"{api}/v1/campaigns", headers=auth, json={"inline": brief}, timeout=60)
        assert r.status_code == 202, r.text
        job, planned = r.json()["id"], r.json()["progress"]["planned"]
        manifest = tmp_path / "server" / "jobs" / job / "out" / MANIFEST
        for _ in range(600):
            if manifest.is_file() and manifest.read_bytes().count(b"\n") >= 1:
                break
            time.sleep(0.05)
        server.kill()  # SIGKILL mid-run
        server.wait()
        made_before = manifest.read_bytes().count(b"\n")
        assert made_before < planned, "the run finished before the kill; make the brief bigger"
        server = _start(env, port, tmp_path / "server.log")
        for _ in range(600):
            status = httpx.get(f"{api}/v1/campaigns/{job}", headers=auth, timeout=10).json()
            if status["status"] in ("done", "failed"):
                break
            time.sleep(0.2)
        assert status["status"] == "done" and status["attempts"] == 2, status
        assert status["progress"]["done"] == planned
        ids = [json.loads(line)["id"] for line in manifest.read_text(encoding="utf-8").splitlines()]
        assert len(ids) == planned and len(set(ids)) == planned, ids
    finally:
        server.kill()
        server.wait()


def test_a_shipped_brief_by_name_is_queued_and_its_review_waits(tmp_path: Path) -> None:
    config = ServerConfig(data_dir=tmp_path / "server", run_jobs=False)  # nothing runs: the job stays queued
    with TestClient(create_app(load_settings(home=tmp_path / "home"), config)) as c:
        auth = key(c)
        r = c.post("/v1/campaigns", headers=auth, json={"brief": "morrow-holiday"})
        assert r.status_code == 202 and r.json()["status"] == "queued", r.text
        assert r.json()["campaign"] == "morrow-holiday" and r.json()["progress"]["planned"] > 0
        r = c.get(f"/v1/campaigns/{r.json()['id']}/review", headers=auth)
        assert r.status_code == 409 and "queued" in r.json()["error"]["message"]
