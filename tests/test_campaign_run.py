"""Campaign runs: resumable, parallel and dependency-ordered; killed or interrupted runs resume without loss."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import REPO, Cli

from contentgen.campaign import (
    ArtifactRecord,
    CampaignContext,
    CampaignPlan,
    PlannedArtifact,
    ProgressEvent,
    artifact_status,
    plan_campaign,
    read_manifest,
    register_deliverable,
    run_campaign,
    unregister_deliverable,
)
from contentgen.campaign.deliverables import Deliverable
from contentgen.campaign.manifest import MANIFEST, run_lock
from contentgen.errors import ContentgenError
from contentgen.fileio import write_text_atomic

BRIEF = """\
name: tea-run
kit: morrow
seed: 5
products: [MT-GRN-001, MT-GFT-001]
segments: [{segments}]
channels:
  email:
    copy: {{n: 2}}{email_extra}
  sms:
    copy: {{n: 2}}
"""


def _brief(folder: Path, segments: str = "urban-white-collar, silver-haired", email_extra: str = "") -> Path:
    path = folder / "brief.yaml"
    path.write_text(BRIEF.format(segments=segments, email_extra=email_extra), encoding="utf-8")
    return path


def _lines(root: Path) -> list[dict[str, object]]:
    """The raw manifest: every line complete and parseable."""
    raw = (root / MANIFEST).read_bytes()
    assert raw.endswith(b"\n"), raw[-200:]
    return [json.loads(line) for line in raw.splitlines()]


def _assert_complete(root: Path, plan: CampaignPlan, *, once: bool) -> None:
    """Every planned artifact recorded (exactly once in the raw manifest if `once`), files intact, no temp files."""
    ids = [str(line["id"]) for line in _lines(root)]
    if once:
        assert sorted(ids) == sorted(i.id for i in plan.items)
    records = read_manifest(root / MANIFEST)
    assert set(records) == {i.id for i in plan.items}
    for item in plan.items:
        record = records[item.id]
        assert record.input_hash == item.input_hash and record.verify(root), item.id
        for output in record.files:
            if output.path.endswith(".json"):
                json.loads((root / output.path).read_text(encoding="utf-8"))
    assert not [p for p in root.rglob("*") if p.name.endswith(".tmp")]


def test_run_skips_repairs_redoes_and_forces(tmp_path: Path, cli: Cli) -> None:
    brief = _brief(tmp_path)
    root = tmp_path / "run"
    events: list[ProgressEvent] = []
    first = run_campaign(brief, out_dir=root, workers=1, progress=events.append)
    assert first.ok and len(first.made) == 8 and not first.skipped and first.workers == 1
    assert events[0].event == "start" and dict(events[0].totals) == {"copy": 8}
    assert [e.item for e in events if e.event == "done"] == [i.id for i in first.plan.items]
    _assert_complete(root, first.plan, once=True)
    record = first.made[0]
    assert record.provider is not None and record.provider.name == "template" and record.seed == 5
    assert record.prompt_version.startswith("en-US/email@v") and {f.path.rsplit("/", 1)[1] for f in record.files} == {
        "copy.json",
        "copy.md",
    }
    result = json.loads((root / record.files[0].path).read_text(encoding="utf-8"))[0]
    assert result["segment"] == "urban-white-collar" and len(result["variants"]) == 2
    assert json.loads((root / "campaign.json").read_text(encoding="utf-8"))["labels"]["channels"]["sms"]

    again = cli("campaign", "run", str(brief), "--out", str(root), "--json")
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stdout)
    assert summary["stages"] == {"copy": {"planned": 8, "made": 0, "skipped": 8, "failed": 0}} and summary["ok"]

    # A damaged output and a torn manifest line (a write killed half way): only the damaged artifact is redone.
    victim = root / record.files[0].path
    victim.write_bytes(victim.read_bytes()[:-20])
    with (root / MANIFEST).open("ab") as fh:
        fh.write(b'{"id": "urban-white-collar/email/MT-GRN-001/copy", "kind": "co')
    assert len(read_manifest(root / MANIFEST)) == 8
    statuses = artifact_status(first.plan, root)
    assert statuses[record.id] == "damaged" and list(statuses.values()).count("done") == 7
    repaired = run_campaign(brief, out_dir=root)
    assert [r.id for r in repaired.made] == [record.id] and len(repaired.skipped) == 7
    assert len(_lines(root)) == 9
    _assert_complete(root, repaired.plan, once=False)

    # A changed option redoes exactly the artifacts that read it; --force redoes all.
    brief.write_text(brief.read_text(encoding="utf-8").replace("  sms:\n    copy: {n: 2}", "  sms:\n    copy: {n: 3}"))
    edited = run_campaign(brief, out_dir=root)
    assert sorted(r.id for r in edited.made) == sorted(i.id for i in edited.plan.items if i.channel == "sms")
    forced = run_campaign(brief, out_dir=root, force=True)
    assert len(forced.made) == 8 and not forced.skipped
    _assert_complete(root, forced.plan, once=False)


# Two small deliverables that read what the kinds before them wrote; module level, so worker processes import them.


FAIL_SKU = "CONTENTGEN_TEST_DIGEST_FAILS_FOR"


class Digest(Deliverable):
    kind = "digest"
    needs = ("copy",)
    seconds = 0.01

    def make_batch(self, items: Sequence[PlannedArtifact], ctx: CampaignContext) -> list[ArtifactRecord]:
        return [self.make(item, ctx) for item in items]

    def make(self, item: PlannedArtifact, ctx: CampaignContext) -> ArtifactRecord:
        if os.environ.get(FAIL_SKU) in item.skus:  # a failure outside the inputs, like a model server that is down
            raise ContentgenError(f"no digest for {' '.join(item.skus)}")
        copy = ctx.copy_result(item)
        best = copy.best or copy.variants[0]
        path = ctx.folder(item) / "digest.txt"
        write_text_atomic(path, f"{best.id}\n{ctx.upstream(item, 'copy').input_hash}\n")
        return ctx.record(item, [path], summary={"pid": os.getpid()})


class Seal(Deliverable):
    kind = "seal"
    needs = ("digest",)
    seconds = 0.01

    def make_batch(self, items: Sequence[PlannedArtifact], ctx: CampaignContext) -> list[ArtifactRecord]:
        return [self.make(item, ctx) for item in items]

    def make(self, item: PlannedArtifact, ctx: CampaignContext) -> ArtifactRecord:
        path = ctx.folder(item) / "seal.txt"
        write_text_atomic(path, ctx.upstream(item, "digest").files[0].sha256)
        return ctx.record(item, [path])


@pytest.fixture
def chained() -> object:
    register_deliverable(Digest)
    register_deliverable(Seal)
    yield
    unregister_deliverable("digest")
    unregister_deliverable("seal")


@pytest.mark.slow
@pytest.mark.usefixtures("chained")
def test_workers_follow_dependencies_and_isolate_failures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    brief = _brief(tmp_path, segments="urban-white-collar", email_extra="\n    digest: {}\n    seal: {}")
    root = tmp_path / "run"
    monkeypatch.setenv(FAIL_SKU, "MT-GFT-001")
    result = run_campaign(brief, out_dir=root, workers=2)
    assert result.plan.stages == ["copy", "digest", "seal"] and result.workers == 2
    assert sorted((f.kind, f.id.split("/")[2]) for f in result.failed) == [
        ("digest", "MT-GFT-001"),
        ("seal", "MT-GFT-001"),
    ]
    assert all("no digest for MT-GFT-001" in f.message for f in result.failed if f.kind == "digest")
    assert all("which failed" in f.message for f in result.failed if f.kind == "seal")
    assert result.stages["copy"]["made"] == 4 and result.stages["seal"]["made"] == 1 and not result.ok

    order = [str(line["id"]) for line in _lines(root)]
    for record in result.made:
        assert record.summary.get("pid", 0) != os.getpid()  # made in a worker process
        for need in result.plan.items[[i.id for i in result.plan.items].index(record.id)].needs:
            assert order.index(need) < order.index(record.id)
        if record.kind == "digest":
            copy_json = root / "artifacts" / record.id.replace("/digest", "/copy.json")
            copy = json.loads(copy_json.read_text(encoding="utf-8"))[0]
            best_id, copy_hash = (root / record.files[0].path).read_text(encoding="utf-8").split()
            assert best_id == copy["variants"][0]["id"] and record.inputs["needs:copy"] == copy_hash[:16]

    monkeypatch.delenv(FAIL_SKU)
    retried = run_campaign(brief, out_dir=root, workers=1)
    assert retried.ok and sorted(r.id for r in retried.made) == sorted(f.id for f in result.failed)
    assert len(retried.skipped) == 6
    _assert_complete(root, retried.plan, once=True)


def test_one_run_per_folder(tmp_path: Path) -> None:
    root = tmp_path / "run"
    with run_lock(root), pytest.raises(ContentgenError, match="another campaign run is writing to"):
        run_campaign(_brief(tmp_path), out_dir=root)


def _run_cli(brief: Path, root: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from contentgen.cli import main; main()",
        "campaign",
        "run",
        str(brief),
        "--out",
        str(root),
        *extra,
    ]


def _spawn(brief: Path, root: Path, *, session: bool = False) -> subprocess.Popen[str]:
    return subprocess.Popen(
        _run_cli(brief, root, "--workers", "2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        start_new_session=session,
    )


def _wait_for_lines(process: subprocess.Popen[str], root: Path, count: int, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    path = root / MANIFEST
    while time.monotonic() < deadline and process.poll() is None:
        lines = path.read_bytes().count(b"\n") if path.is_file() else 0
        if lines >= count:
            return lines
        time.sleep(0.01)
    raise AssertionError(f"the run ended or stalled before {count} artifacts: {process.poll()}")


@pytest.mark.slow
def test_interrupted_and_killed_runs_resume_without_loss(tmp_path: Path) -> None:
    """Ctrl-C stops cleanly; SIGKILL after 3 and a random number of artifacts loses nothing; a re-run completes."""
    brief = _brief(tmp_path, segments="urban-white-collar, silver-haired, gen-z")
    root = tmp_path / "run"
    plan = plan_campaign(brief)
    assert len(plan.items) == 12
    seed = random.randrange(1 << 30)
    kill_points = [3, random.Random(seed).randint(5, 9)]

    process = _spawn(brief, root, session=True)
    try:
        _wait_for_lines(process, root, 1)
        os.killpg(process.pid, signal.SIGINT)  # as a terminal does: the run process and its workers
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert "Traceback" not in stdout + stderr and "Error" not in stderr
    assert f"Resume with: contentgen campaign run {brief} --out {root.resolve()}" in stderr
    stopped = read_manifest(root / MANIFEST)
    assert 1 <= len(stopped) < 12 and len(_lines(root)) == len(stopped)  # in-progress work finished and recorded
    assert all(r.verify(root) for r in stopped.values())
    assert not [p for p in root.rglob("*") if p.name.endswith(".tmp")]

    for point in kill_points:
        process = _spawn(brief, root)
        try:
            _wait_for_lines(process, root, point)
        finally:
            process.kill()  # SIGKILL: no cleanup in the run process; its workers die with it
            process.communicate(timeout=30)
        records = read_manifest(root / MANIFEST)
        assert len(records) >= point, (seed, point)
        assert all(r.verify(root) for r in records.values()), (seed, point)

    final = run_campaign(brief, out_dir=root, workers=1)
    assert final.ok and len(final.skipped) >= kill_points[-1] and len(final.records) == 12, seed
    _assert_complete(root, plan, once=True)


def test_poster_deliverable_makes_posters_and_redoes_only_them(tmp_path: Path) -> None:
    brief = _brief(
        tmp_path, segments="urban-white-collar", email_extra="\n    poster: {layouts: [type-only], ocr: false}"
    )
    out = tmp_path / "run"
    first = run_campaign(brief, out_dir=out, workers=1)
    posters = [r for r in first.records if r.kind == "poster"]
    assert len(posters) == 2 and all(r.ready for r in posters)  # email × 2 products
    for record in posters:
        names = sorted(Path(f.path).name for f in record.files)
        assert [Path(n).suffix for n in names] == [".jpg", ".json", ".png"]
        assert names[0].startswith("email_hero-banner_type-only_")
        assert record.summary == {"posters": 1, "ready": 1}
    before = {r.id: r.input_hash for r in first.records}

    brief.write_text(brief.read_text(encoding="utf-8").replace("[type-only]", "[price-promotion]"), encoding="utf-8")
    plan = plan_campaign(brief)
    changed = {i.id for i in plan.items if before.get(i.id) != i.input_hash}
    assert changed == {r.id for r in posters}  # the copy is untouched by a poster option
    again = run_campaign(brief, out_dir=out, workers=1)
    assert {r.id for r in again.made} == changed and {r.kind for r in again.skipped} == {"copy"}


def test_video_deliverable_makes_a_checked_video(tmp_path: Path) -> None:
    brief = tmp_path / "brief.yaml"
    brief.write_text(
        "name: tea-video\nkit: morrow\nseed: 3\nproducts: [MT-GRN-001]\nsegments: [gen-z]\n"
        "channels:\n  douyin:\n    video: {resolution: 360}\n  sms:\n    video: {}\n",
        encoding="utf-8",
    )
    result = run_campaign(brief, out_dir=tmp_path / "run", workers=1)
    video = next(r for r in result.records if r.kind == "video")
    assert video.ready and video.summary["duration_s"] > 5
    suffixes = sorted(Path(f.path).suffix for f in video.files)
    assert suffixes == [".jpg", ".json", ".mp4", ".srt", ".vtt"]
    failed = {f.id: f.message for f in result.failed}
    assert "takes no video" in failed["gen-z/sms/MT-GRN-001/video"]  # a channel without video fails alone
