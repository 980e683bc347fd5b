"""Videos and catalog ingest jobs over HTTP (in process): files by URL, size limits, uploads and paths inside the
data home only, the CLI's one-line errors as JSON."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from contentgen.config import load_settings
from contentgen.server import ServerConfig, create_app
from contentgen.server.security import Scope, create_key

KIT_CATALOG = Path(__file__).parent.parent / "brand_kits" / "morrow" / "catalog.csv"
ONE_SCENE = {
    "brand": "qinghe",
    "segment": "gen-z",
    "channel": "douyin",
    "skus": ["QH-TNR-001"],
    "locale": "zh-CN",
    "aspect": "9:16",
    "scenes": [
        {"beat": "hook", "narration": "换季干燥？", "on_screen": "换季干燥？", "layout": "video-title"},
    ],
}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def client(home: Path, tmp_path: Path) -> Iterator[TestClient]:
    config = ServerConfig(
        data_dir=home / "server", rate_burst=1000, rate_per_s=1000, job_poll_s=0.05, catalog_fresh_s=0
    )
    with TestClient(create_app(load_settings(home=home), config)) as c:
        yield c


def key(client: TestClient, scope: Scope) -> dict[str, str]:
    new = create_key(client.app.state.services.db, scope)  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {new.secret}"}


def rows(count: int) -> list[dict[str, str]]:
    with KIT_CATALOG.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))[:count]


def as_csv(records: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(records[0]))
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue().encode()


def wait(client: TestClient, auth: dict[str, str], url: str) -> dict[str, Any]:
    for _ in range(600):
        body: dict[str, Any] = client.get(url, headers=auth).json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"{url} did not finish: {body}")


def test_a_one_scene_video_comes_back_as_urls(client: TestClient) -> None:
    auth = key(client, "campaigns")
    body = {"kit": "qinghe", "segment": "gen-z", "sku": "QH-TNR-001", "resolution": 180, "fps": 12}
    r = client.post("/v1/videos", headers=auth, json={**body, "storyboard": ONE_SCENE})
    assert r.status_code == 200, r.text
    made = r.json()
    assert made["ready"] and made["size"] == [180, 320] and made["fps"] == 12, made["findings"]
    assert [s["beat"] for s in made["scenes"]] == ["hook"] and 0 < made["duration"] < 15
    assert set(made["files"]) == {"video", "cover", "srt", "vtt", "storyboard"}
    assert not any(str(client.app.state.services.folder) in str(v) for v in made.values())  # type: ignore[attr-defined]
    mp4 = client.get(made["files"]["video"], headers=auth)
    assert mp4.status_code == 200 and mp4.content[4:8] == b"ftyp"
    assert "换季干燥" in client.get(made["files"]["srt"], headers=auth).text
    stored = client.get(made["files"]["storyboard"], headers=auth).json()
    assert stored["scenes"][0]["narration"] == "换季干燥？"  # what a client edits and sends back
    assert client.get(made["files"]["video"]).status_code == 401
    assert client.post("/v1/videos", headers=key(client, "chat"), json=body).status_code == 403


def test_video_limits_are_checked_before_rendering(client: TestClient) -> None:
    auth = key(client, "campaigns")
    body = {"kit": "qinghe", "segment": "gen-z", "sku": "QH-TNR-001", "resolution": 180, "fps": 12}
    cases = [
        ({"resolution": 4000}, "resolution"),
        ({"resolution": 100}, "resolution"),
        ({"fps": 60}, "fps"),
        ({"kit": "../qinghe"}, "kit"),
        ({"storyboard": {**ONE_SCENE, "scenes": ONE_SCENE["scenes"] * 8}}, "storyboard.scenes"),
        ({"storyboard": {**ONE_SCENE, "scenes": [{**ONE_SCENE["scenes"][0], "narration": "长" * 201}]}}, None),
        ({"storyboard": {**ONE_SCENE, "scenes": []}}, "storyboard.scenes"),
    ]
    for change, field in cases:
        r = client.post("/v1/videos", headers=auth, json={**body, **change})
        assert r.status_code == 422, (change, r.text)
        assert field is None or r.json()["error"]["field"] == field, r.json()
    r = client.post("/v1/videos", headers=auth, json={**body, "channel": "email"})
    assert r.status_code == 422 and "takes no video" in r.json()["error"]["message"]
    r = client.post("/v1/videos", headers=auth, json={**body, "sku": "NOPE-1"})
    assert r.status_code == 404 and "NOPE-1" in r.json()["error"]["message"]
    assert not (client.app.state.services.files / "videos").exists() or not any(  # type: ignore[attr-defined]
        (client.app.state.services.files / "videos").rglob("*.mp4")  # type: ignore[attr-defined]
    )


def test_a_storyboard_cannot_name_files_outside_or_differ_from_the_request(client: TestClient, tmp_path: Path) -> None:
    auth = key(client, "campaigns")
    body = {"kit": "qinghe", "segment": "gen-z", "sku": "QH-TNR-001", "resolution": 180, "fps": 12}
    target = tmp_path / "pwn"
    escape = "../" * 12 + str(target).lstrip("/")
    cases = [
        ({**ONE_SCENE, "segment": escape}, "segment"),
        ({**ONE_SCENE, "channel": "../../x"}, "channel"),
        ({**ONE_SCENE, "segment": "moms"}, "segment"),  # a valid slug, but not the request's segment
        ({**ONE_SCENE, "channel": "weibo"}, "channel"),
        ({**ONE_SCENE, "aspect": "16:9"}, "aspect"),  # douyin takes 9:16 only
    ]
    for board, word in cases:
        r = client.post("/v1/videos", headers=auth, json={**body, "storyboard": board})
        assert 400 <= r.status_code < 500, (board, r.text)
        message = r.json()["error"]["message"]
        assert word in message and "\n" not in message, message
    assert not list(tmp_path.glob("pwn*")) and not list(Path("/tmp").glob("pwn*"))
    videos = client.app.state.services.files / "videos"  # type: ignore[attr-defined]
    assert not videos.exists() or not any(videos.rglob("*.mp4"))


@pytest.mark.slow
def test_a_video_with_its_storyboard_written_by_the_copy_pipeline(client: TestClient) -> None:
    auth = key(client, "campaigns")
    body = {"kit": "qinghe", "segment": "gen-z", "sku": "QH-TNR-001", "resolution": 180, "fps": 12}
    r = client.post("/v1/videos", headers=auth, json=body)
    assert r.status_code == 200, r.text
    assert r.json()["scenes"][0]["beat"] == "hook" and len(r.json()["scenes"]) > 1


def test_ingest_an_upload_as_a_job_then_search_it(client: TestClient) -> None:
    admin = key(client, "admin")
    chat = key(client, "chat")
    sessions = client.app.state.services.sessions  # type: ignore[attr-defined]
    first, second = sessions.build("morrow-service"), sessions.build("morrow-service")
    assert first.verifier is second.verifier  # conversations share one agent per catalog revision
    two = rows(2)
    r = client.post("/v1/catalog/morrow/ingest", headers=admin, files={"file": ("new-teas.csv", as_csv(two))})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["kind"] == "ingest" and job["kit"] == "morrow" and job["progress"]["products"] == 2
    done = wait(client, admin, f"/v1/catalog/morrow/ingest/{job['id']}")
    assert done["status"] == "done" and done["attempts"] == 1, done
    changes = done["result"]["products"]  # the kit's catalog was ingested by the first agent: two stay, the rest go
    assert changes["unchanged"] == 2 and len(changes["removed"]) == len(rows(1000)) - 2 and not changes["added"]
    assert done["result"]["source"] == "upload/new-teas.csv"  # the server's folders are not shown
    stage = done["progress"]["stages"]["products"]
    assert stage["done"] == stage["total"]  # what needed embedding was embedded
    hits = client.get("/v1/catalog/morrow/search", headers=chat, params={"q": two[0]["name"], "k": 5}).json()["hits"]
    assert {h["sku"] for h in hits} <= {r["sku"] for r in two} and hits
    # Ingest is admin work; another kit's id does not find the job.
    assert client.post("/v1/catalog/morrow/ingest", headers=chat).status_code == 403
    assert client.get(f"/v1/catalog/qinghe/ingest/{job['id']}", headers=admin).status_code == 404
    assert client.get("/v1/catalog/morrow/ingest/../../x", headers=admin).status_code == 404
    assert sessions.build("morrow-service").verifier is not first.verifier  # the new catalog: a new agent
    metrics = client.get("/metrics", headers=admin).text
    assert 'contentgen_jobs_total{kind="ingest",status="done"} 1.0' in metrics


def test_two_workers_ingest_one_kit_one_after_the_other(home: Path) -> None:
    import threading

    from contentgen.server.jobs import Jobs

    config = ServerConfig(data_dir=home / "server", rate_burst=1000, rate_per_s=1000, run_jobs=False)
    with TestClient(create_app(load_settings(home=home), config)) as c:
        svc = c.app.state.services  # type: ignore[attr-defined]
        admin = key(c, "admin")
        ids = []
        for name, count in (("two.csv", 2), ("three.csv", 3)):
            r = c.post("/v1/catalog/morrow/ingest", headers=admin, files={"file": (name, as_csv(rows(count)))})
            assert r.status_code == 202, r.text
            ids.append(r.json()["id"])
        workers = [Jobs(svc.db, svc.settings, config, config.folder(svc.settings)) for _ in range(2)]
        claimed = [w.claim() for w in workers]
        assert sorted(j for j in claimed if j) == sorted(ids)  # one job each, as two server processes would
        threads = [threading.Thread(target=w.run, args=(j,)) for w, j in zip(workers, claimed, strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        done = [c.get(f"/v1/catalog/morrow/ingest/{j}", headers=admin).json() for j in ids]
        assert [d["status"] for d in done] == ["done", "done"], done
        # One after the other: the second saw the first's products, so two of them were already there.
        first, second = sorted(done, key=lambda d: d["result"]["products"]["unchanged"])
        assert first["result"]["products"]["unchanged"] == 0 and second["result"]["products"]["unchanged"] == 2
        last = rows(3 if second["id"] == ids[1] else 2)
        hits = c.get("/v1/catalog/morrow/search", headers=admin, params={"q": last[0]["name"], "k": 10}).json()
        assert {h["sku"] for h in hits["hits"]} == {r["sku"] for r in last}, hits
    lock = workers[0].ingest_lock("morrow")
    with lock:  # the lock the jobs took, free again; another holder makes a second acquire wait
        from filelock import Timeout

        with pytest.raises(Timeout):
            workers[1].ingest_lock("morrow").acquire(timeout=0)


def test_a_bad_catalog_is_the_clis_one_line_error_and_no_job(client: TestClient, home: Path) -> None:
    from contentgen.domain.catalog_io import load_catalog
    from contentgen.errors import DataError

    admin = key(client, "admin")
    bad = rows(3)
    bad[1]["price"] = "free"
    data = as_csv(bad)
    (home / "imports").mkdir(parents=True)
    (home / "imports" / "bad.csv").write_bytes(data)
    with pytest.raises(DataError) as cli_error:  # what `contentgen catalog ingest` prints after "Error: "
        load_catalog(home / "imports" / "bad.csv", currency="USD", currency_source="kit")
    r = client.post("/v1/catalog/morrow/ingest", headers=admin, files={"file": ("bad.csv", data)})
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["message"].startswith("upload/bad.csv:3: price")
    assert error["message"].split(": ", 1)[1] == str(cli_error.value).split(": ", 1)[1]
    assert error["field"] == "price" and "\n" not in error["message"]
    r = client.post("/v1/catalog/morrow/ingest", headers=admin, data={"path": "imports/bad.csv"})
    assert r.status_code == 422 and r.json()["error"]["message"].startswith("imports/bad.csv:3: price")
    jobs = client.app.state.services.db.all("SELECT id FROM jobs")  # type: ignore[attr-defined]
    assert jobs == [] and not list((home / "server" / "jobs").glob("*"))
    r = client.post("/v1/catalog/morrow/ingest", headers=admin, files={"file": ("notes.txt", b"x")})
    assert r.status_code == 422 and r.json()["error"]["field"] == "file"
    both = {"files": {"file": ("ok.csv", as_csv(rows(1)))}, "data": {"path": "imports/bad.csv"}}
    r = client.post("/v1/catalog/morrow/ingest", headers=admin, **both)  # type: ignore[arg-type]
    assert r.status_code == 422 and "not both" in r.json()["error"]["message"]


def test_ingest_paths_stay_inside_the_data_home(client: TestClient, home: Path, tmp_path: Path) -> None:
    admin = key(client, "admin")
    (home / "imports").mkdir(parents=True)
    (home / "imports" / "teas.csv").write_bytes(as_csv(rows(2)))
    outside = tmp_path / "outside.csv"
    outside.write_bytes(as_csv(rows(2)))
    (home / "imports" / "link.csv").symlink_to(outside)
    refused = [
        "../outside.csv",
        str(outside),
        "imports/../../outside.csv",
        "imports/link.csv",
        "server/server.db",
        "imports\\teas.csv",
        "imports/teas.exe",
    ]
    for path in refused:
        r = client.post("/v1/catalog/morrow/ingest", headers=admin, data={"path": path})
        assert r.status_code == 422 and r.json()["error"]["field"] == "path", (path, r.text)
    r = client.post("/v1/catalog/morrow/ingest", headers=admin, data={"path": "imports/missing.csv"})
    assert r.status_code == 404 and r.json()["error"]["field"] == "path"
    r = client.post("/v1/catalog/morrow/ingest", headers=admin, data={"path": "imports/teas.csv"})
    assert r.status_code == 202, r.text
    done = wait(client, admin, f"/v1/catalog/morrow/ingest/{r.json()['id']}")
    assert done["status"] == "done" and done["result"]["source"] == "imports/teas.csv", done


def test_ingest_the_kits_own_catalog_and_upload_limits(home: Path) -> None:
    config = ServerConfig(data_dir=home / "server", max_upload_bytes=2048, job_poll_s=0.05)
    with TestClient(create_app(load_settings(home=home), config)) as client:
        admin = key(client, "admin")
        r = client.post("/v1/catalog/morrow/ingest", headers=admin)
        assert r.status_code == 202 and r.json()["progress"]["products"] is None, r.text
        done = wait(client, admin, f"/v1/catalog/morrow/ingest/{r.json()['id']}")
        assert done["status"] == "done" and done["result"]["products"]["added"], done
        assert done["progress"]["stages"]["products"]["done"] == done["result"]["products"]["embedded"] > 0
        big = as_csv(rows(30))
        assert len(big) > 2048
        r = client.post("/v1/catalog/morrow/ingest", headers=admin, files={"file": ("big.csv", big)})
        assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
        paths = client.get("/openapi.json").json()["paths"]
        for path in ("/v1/videos", "/v1/catalog/{kit}/ingest", "/v1/catalog/{kit}/ingest/{job}"):
            assert all(op.get("summary") for op in paths[path].values()), path


def test_preloaded_agents_are_ready_before_the_first_request(home: Path) -> None:
    from contentgen.catalog.store import open_catalog
    from contentgen.errors import ConfigError

    settings = load_settings(home=home)
    config = ServerConfig(data_dir=home / "server", preload=["morrow-service"], run_jobs=False)
    with TestClient(create_app(settings, config)):
        assert open_catalog("morrow", settings=settings).info()["products"] > 0  # loaded (and ingested) at start
    bad = ServerConfig(data_dir=home / "server", preload=["no-such-agent"], run_jobs=False)
    app = create_app(settings, bad)
    with pytest.raises(ConfigError, match="CONTENTGEN_SERVE_PRELOAD: unknown agent 'no-such-agent'"), TestClient(app):
        pass
