"""The review page in headless Chromium (what it shows, clicks that save decisions), the server, and export."""

from __future__ import annotations

import base64
import csv
import datetime
import io
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli
from PIL import Image

from contentgen.campaign import (
    ArtifactRecord,
    CampaignContext,
    PlannedArtifact,
    register_deliverable,
    run_campaign,
    unregister_deliverable,
)
from contentgen.campaign.deliverables import Deliverable
from contentgen.campaign.export import export_approved
from contentgen.campaign.manifest import OutputFile
from contentgen.campaign.review import (
    DECISIONS_FILE,
    ArtifactView,
    Decisions,
    Group,
    ProductView,
    Review,
    collect_review,
    render_review,
    save_decisions,
    write_review,
)
from contentgen.campaign.review_items import file_review_items
from contentgen.campaign.review_server import ReviewServer
from contentgen.domain.findings import Finding, Severity
from contentgen.errors import ContentgenError
from contentgen.fileio import write_bytes_atomic, write_text_atomic

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
BRIEF = """\
name: review-me
title: 青禾 · 评审测试
kit: qinghe
seed: 11
products: [QH-TNR-001, QH-SER-002]
segments: [gen-z, silver-haired]
channels:
  xiaohongshu:
    copy: {n: 2}
    swatch: {}
  sms:
    copy: {n: 2}
"""
LEGIBILITY = "headline contrast 3.1:1 is below 4.5:1"


class Swatch(Deliverable):
    """A small real image deliverable (as posters will be): a PNG and its JSON sidecar, with a legibility finding."""

    kind = "swatch"
    needs = ("copy",)
    seconds = 0.01

    def make_batch(self, items: Sequence[PlannedArtifact], ctx: CampaignContext) -> list[ArtifactRecord]:
        return [self.make(item, ctx) for item in items]

    def make(self, item: PlannedArtifact, ctx: CampaignContext) -> ArtifactRecord:
        best = ctx.copy_result(item).variants[0]
        folder = ctx.folder(item)
        buffer = io.BytesIO()
        Image.new("RGB", (96, 128), ctx.brand.palette.primary).save(buffer, "PNG")
        write_bytes_atomic(folder / "swatch-96x128.png", buffer.getvalue())
        write_text_atomic(folder / "swatch-96x128.json", json.dumps({"copy": best.id}))
        finding = Finding(rule="legibility.contrast", severity=Severity.WARN, message=LEGIBILITY)
        return ctx.record(item, [folder / "swatch-96x128.png", folder / "swatch-96x128.json"], findings=[finding])


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One small run: 2 segments × 2 channels × 2 products of copy, and swatches on one channel."""
    folder = tmp_path_factory.mktemp("review")
    brief = folder / "brief.yaml"
    brief.write_text(BRIEF, encoding="utf-8")
    register_deliverable(Swatch)
    try:
        result = run_campaign(brief, out_dir=folder / "run", workers=1)
        assert result.ok and len(result.made) == 12
        write_review(result.out_dir)
        yield result.out_dir
    finally:
        unregister_deliverable("swatch")


def _chromium() -> str:
    if CHROMIUM is None:
        pytest.fail("chromium is not installed: the review page test needs it (make test installs it with apt-get)")
    return CHROMIUM


def test_page_shows_every_item_and_finding(run_dir: Path, tmp_path: Path) -> None:
    review = collect_review(run_dir)
    copy = [i for i in review.items if i.kind == "copy"]
    swatches = [i for i in review.items if i.kind == "swatch"]
    assert len(copy) == 16 and len(swatches) == 4 and not review.missing
    dom = subprocess.run(
        [
            _chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            (run_dir / "review.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert dom.count('class="card"') == 20 and dom.count('data-kind="swatch"') == 4
    assert dom.count('<section class="group"') == 4 and dom.count("<img src=") == 4
    assert dom.count(LEGIBILITY) == 4
    assert '<b data-count="pending">20</b>' in dom  # the script ran: counts come from it
    best = copy[0]
    assert best.rank == 1 and best.texts["title"] in dom and f"{best.score:.2f}" in dom
    flagged = [f for i in copy for f in i.findings]
    assert all(f.message in dom for f in flagged)
    assert "Z世代" in dom and "小红书" in dom and "积雪草舒缓保湿水" in dom


class DevTools:
    """Headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4): no websocket, no extra package."""

    def __init__(self, profile: Path, downloads: Path) -> None:
        to_chrome, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome = os.pipe()
        launcher = (
            "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
            "os.execv(sys.argv[3], sys.argv[3:])"
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                launcher,
                str(to_chrome),
                str(from_chrome),
                _chromium(),
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "--window-size=1280,1600",
                "about:blank",
            ],
            pass_fds=(to_chrome, from_chrome),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome)
        os.close(from_chrome)
        self._buffer = b""
        self._next = 0
        self.call("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(downloads))

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 30
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self._next:
                    assert "error" not in reply, reply
                    result: dict[str, Any] = reply["result"]
                    return result
            ready, _, _ = select.select([self._from_chrome], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, f"chromium did not answer {method}"
            chunk = os.read(self._from_chrome, 1 << 20)
            assert chunk, "chromium closed the pipe"
            self._buffer += chunk

    def open(self, url: str) -> str:
        target = self.call("Target.createTarget", url=url)["targetId"]
        session = str(self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"])
        self.wait(session, "document.readyState === 'complete' && !!window.contentgenReview")
        return session

    def js(self, session: str, expression: str) -> Any:
        reply = self.call("Runtime.evaluate", session, expression=expression, returnByValue=True, awaitPromise=True)
        assert "exceptionDetails" not in reply, reply
        return reply["result"].get("value")

    def wait(self, session: str, expression: str, timeout: float = 20) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = self.call("Runtime.evaluate", session, expression=expression, returnByValue=True)
            value = reply.get("result", {}).get("value")
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {expression}")

    def close(self) -> None:
        try:
            self.call("Browser.close")
        finally:
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            os.close(self._to_chrome)
            os.close(self._from_chrome)


def _click(key: str, status: str) -> str:
    return f'document.querySelector(\'.card[data-key="{key}"] button[data-status="{status}"]\').click()'


@pytest.fixture
def server(run_dir: Path) -> Iterator[ReviewServer]:
    (run_dir / DECISIONS_FILE).unlink(missing_ok=True)
    instance = ReviewServer(run_dir)
    thread = threading.Thread(target=instance.serve_forever, daemon=True)
    thread.start()
    yield instance
    instance.shutdown()
    instance.server_close()
    (run_dir / DECISIONS_FILE).unlink(missing_ok=True)


def test_clicks_save_decisions_served_and_from_a_file(run_dir: Path, server: ReviewServer, tmp_path: Path) -> None:
    keys = [i.key for i in collect_review(run_dir).items]
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser = DevTools(Path(tempfile.mkdtemp(dir=tmp_path)), downloads)
    try:
        page = browser.open(server.url)
        browser.wait(page, "document.getElementById('save-state').textContent.includes('decisions.json')")
        browser.js(page, _click(keys[0], "approved"))
        browser.js(page, _click(keys[5], "approved"))
        browser.js(page, _click(keys[-1], "rejected"))
        browser.wait(page, "document.getElementById('save-state').textContent === 'saved to decisions.json'")
        expected = {keys[0]: "approved", keys[5]: "approved", keys[-1]: "rejected"}
        deadline = time.monotonic() + 30  # "saved" may be the state of an earlier click's save on a loaded machine
        while time.monotonic() < deadline and _saved(run_dir) != expected:
            time.sleep(0.05)
        assert _saved(run_dir) == expected
        counts = browser.js(page, "[...document.querySelectorAll('[data-count]')].map(e => e.textContent)")
        assert counts == ["20", "2", "1", "17"]
        browser.js(page, _click(keys[5], "approved"))  # clicking the same decision again takes it back
        browser.wait(page, f"document.querySelector('.card[data-key=\"{keys[5]}\"]').dataset.status === 'pending'")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _saved(run_dir).get(keys[5]) != "pending":
            time.sleep(0.05)
        assert _saved(run_dir)[keys[5]] == "pending"
        shot = browser.call("Page.captureScreenshot", page, format="png")["data"]
        (tmp_path / "review.png").write_bytes(base64.b64decode(shot))
        with Image.open(tmp_path / "review.png") as image:
            assert image.size[0] == 1280 and image.size[1] > 1000

        # From file:// there is no server: decisions stay in the browser and download as decisions.json.
        local = browser.open((run_dir / "review.html").as_uri())
        assert browser.js(local, "window.contentgenReview.served") is False
        browser.js(local, _click(keys[2], "approved"))
        kept = browser.js(local, "window.contentgenReview.decisions()")
        assert kept["decisions"][keys[2]]["status"] == "approved" and kept["campaign"] == "review-me"
        browser.js(local, "document.getElementById('export').click()")
        target = downloads / "decisions.json"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not target.is_file():
            time.sleep(0.05)
        downloaded = Decisions.model_validate_json(target.read_text(encoding="utf-8"))
        assert downloaded.decisions[keys[2]].status == "approved"
    finally:
        browser.close()


def _saved(run_dir: Path) -> dict[str, str]:
    path = run_dir / DECISIONS_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return {}
    return {k: v["status"] for k, v in data["decisions"].items()}


def _post(server: ReviewServer, body: bytes, origin: str | None = None) -> int:
    headers = {"Content-Type": "application/json"} | ({"Origin": origin} if origin else {})
    request = urllib.request.Request(f"{server.origin}/decisions", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        return err.code


def test_server_refuses_other_origins_and_bad_bodies(server: ReviewServer, run_dir: Path) -> None:
    good = Decisions(decisions={"a#b": {"status": "approved", "at": "2025-06-01T10:00:00Z"}}).model_dump_json()
    assert _post(server, good.encode(), origin="https://evil.example") == 403
    assert _post(server, b'{"decisions": {"a#b": {"status": "maybe"}}}') == 400
    assert not (run_dir / DECISIONS_FILE).exists()
    assert _post(server, good.encode(), origin=server.origin) == 200
    with urllib.request.urlopen(f"{server.origin}/decisions", timeout=10) as response:
        assert json.loads(response.read())["decisions"]["a#b"]["status"] == "approved"
    with urllib.request.urlopen(server.url, timeout=10) as response:
        assert b"review-state" in response.read()


def test_export_contains_exactly_the_approved_items(run_dir: Path, tmp_path: Path, cli: Cli) -> None:
    review = collect_review(run_dir)
    copy = [i for i in review.items if i.kind == "copy"]
    swatch = next(i for i in review.items if i.kind == "swatch")
    approved = [copy[0], copy[3], copy[-1], swatch]
    decisions = Decisions(
        campaign="review-me",
        decisions={
            **{i.key: {"status": "approved", "at": "2025-06-01T10:00:00Z"} for i in approved},
            copy[1].key: {"status": "rejected", "at": "2025-06-01T10:00:00Z"},
            copy[2].key: {"status": "pending", "at": "2025-06-01T10:00:00Z"},
            "gone/sms/QH-TNR-001/copy#0123456789ab": {"status": "approved", "at": "2025-06-01T10:00:00Z"},
        },
    )
    with pytest.raises(ContentgenError, match="no approved items"):
        export_approved(run_dir, tmp_path / "none.zip", decisions=Decisions())
    with pytest.raises(ContentgenError, match="decisions are for campaign 'other', not 'review-me'"):
        export_approved(run_dir, tmp_path / "other.zip", decisions=decisions.model_copy(update={"campaign": "other"}))
    assert not list(tmp_path.glob("*.zip"))
    decisions_file = tmp_path / "downloaded.json"
    save_decisions(decisions_file, decisions)
    result = cli(
        "campaign",
        "export",
        str(run_dir),
        "--out",
        str(tmp_path / "out.zip"),
        "--decisions",
        str(decisions_file),
        "--json",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert sorted(summary["items"]) == sorted(i.key for i in approved) and summary["stale_approvals"] == 1

    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        names = set(archive.namelist())
        raw = archive.read("review-me.csv")
        listing = json.loads(archive.read("items.json"))
    folder = "files/" + swatch.artifact_id.rsplit("/", 1)[0]
    assert names == {"review-me.csv", "items.json", f"{folder}/swatch-96x128.png", f"{folder}/swatch-96x128.json"}
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert sorted(r["item_id"] for r in rows) == sorted(i.key for i in approved)
    assert [i["key"] for i in listing] == [r["item_id"] for r in rows]
    by_key = {r["item_id"]: r for r in rows}
    for item in approved[:3]:
        row = by_key[item.key]
        assert row["headline"] == item.texts.get("title", "") and row["body"] == item.texts["body"]
        assert row["kind"] == "copy" and row["campaign"] == "review-me" and row["locale"] == "zh-CN"
        assert row["provider"] == "template" and row["seed"] == "11" and row["rank"] == str(item.rank)
    assert by_key[copy[0].key]["segment_name"] == "Z世代" and "积雪草" in by_key[copy[0].key]["product_names"]
    assert by_key[swatch.key]["file_name"] == f"{folder}/swatch-96x128.png"


def test_cli_review(run_dir: Path, cli: Cli) -> None:
    result = cli("campaign", "review", str(run_dir), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["items"] == 20 and data["missing"] == [] and data["page"].endswith("review.html")
    missing = cli("campaign", "review", str(run_dir / "artifacts"))
    assert missing.exit_code == 1 and "no campaign.json here" in missing.stderr


def test_videos_and_sound_are_items_with_players() -> None:
    def output(name: str) -> OutputFile:
        return OutputFile(
            path=f"artifacts/gen-z/douyin/QH-TNR-001/{name}", sha256=name.encode().hex().ljust(64, "0"), bytes=1
        )

    record = ArtifactRecord(
        id="gen-z/douyin/QH-TNR-001/video",
        kind="video",
        segment="gen-z",
        channel="douyin",
        skus=["QH-TNR-001"],
        input_hash="0" * 64,
        inputs={},
        seed=0,
        files=[output(n) for n in ("clip-9x16.json", "clip-9x16.jpg", "clip-9x16.mp4", "voice.wav", "notes.txt")],
        created_at=datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC),
    )
    items = file_review_items(record, Path())
    assert [(i.label, [m.type for m in i.media], len(i.files)) for i in items] == [
        ("clip-9x16", ["video"], 3),
        ("voice", ["audio"], 1),
    ]
    group = Group("gen-z", "douyin", "Z世代", "抖音", [ProductView(["QH-TNR-001"], ["积雪草舒缓保湿水"], [])])
    group.products[0].artifacts.append(ArtifactView(record.id, "video", record, items))
    campaign = {"campaign": "v", "title": None, "brand": "青禾", "locale": "zh-CN", "seed": 0, "stages": ["video"]}
    html = render_review(Review(Path("/run"), campaign, [group], Decisions()))
    assert '<video src="artifacts/gen-z/douyin/QH-TNR-001/clip-9x16.mp4" controls' in html
    assert '<audio src="artifacts/gen-z/douyin/QH-TNR-001/voice.wav" controls' in html
