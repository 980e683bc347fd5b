"""Journeys: files validated with file/line/field errors, send times in the customer's zone, consent, idempotent and
resumable runs, bad input, local vs Ray."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from contentgen.customers.streams import write_journey_inputs
from contentgen.errors import ContentgenError, DataError
from contentgen.journeys import check_journey, find_journey, run_journey, validate_all
from contentgen.journeys.decide import after_quiet_hours
from contentgen.journeys.inputs import zone
from contentgen.journeys.model import QuietHours
from contentgen.journeys.runner import COLUMNS, read_messages
from contentgen.results.tracking import tracking_code

AS_OF = dt.datetime(2025, 11, 30, 12, tzinfo=dt.UTC)
ROOT = Path(__file__).resolve().parents[1]


def test_shipped_journeys_validate() -> None:
    journeys = validate_all()
    assert len(journeys) >= 10
    assert {j.kit for j in journeys.values()} == {"qinghe", "morrow"}
    kinds = {j.trigger.kind for j in journeys.values()}
    assert {"signed_up", "cart_abandoned", "birthday", "usage_running_out", "days_since_last_order"} <= kinds


def _journey(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "j.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


BASE = """\
id: j
kit: qinghe
name: test
trigger: {event: cart_abandoned}
steps:
  - id: one
    after: 2h
    channel: CHANNEL
    offer: OFFER
"""


@pytest.mark.parametrize(
    ("channel", "offer", "message"),
    [
        ("fax", "null", "steps[0].channel: unknown channel 'fax'"),
        ("sms", "coupon", "steps[0].offer: offer 'coupon' is not in the promotion terms"),
        ("sms", "policy:nope", "steps[0].offer: offer 'policy:nope' names no policy"),
    ],
)
def test_journey_errors_name_file_line_field(tmp_path: Path, channel: str, offer: str, message: str) -> None:
    path = _journey(tmp_path, BASE.replace("CHANNEL", channel).replace("OFFER", offer))
    journey, _ = find_journey(path)
    with pytest.raises(DataError) as err:
        check_journey(journey, path)
    assert f"j.yaml:{5 if 'channel' in message else 9}" in str(err.value) or "j.yaml:" in str(err.value)
    assert message in str(err.value)


def test_bad_duration_is_one_line(tmp_path: Path) -> None:
    path = _journey(tmp_path, BASE.replace("CHANNEL", "sms").replace("OFFER", "null").replace("2h", "soon"))
    with pytest.raises(DataError, match=r"j.yaml:7: steps\[0\].after: 'soon' is not a duration"):
        find_journey(path)


def test_quiet_hours_across_the_date_line() -> None:
    quiet = QuietHours(start=dt.time(21), end=dt.time(9))
    # 12:00 UTC is 02:00 next day at UTC+14 and 01:00 the same day at UTC-11: both wait for 09:00 local.
    for name, day in (("Pacific/Kiritimati", 1), ("Pacific/Pago_Pago", 30)):
        local = AS_OF.astimezone(zone(name))
        moved = after_quiet_hours(local, quiet)
        assert (moved.hour, moved.minute) == (9, 0)
        assert moved.day == day and moved > local
    noon = dt.datetime(2025, 11, 30, 12, tzinfo=zone("Asia/Shanghai"))
    assert after_quiet_hours(noon, quiet) == noon


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("base")
    customers, events = folder / "customers.csv", folder / "events.jsonl"
    write_journey_inputs(customers, events, 1500, seed=3, kit="qinghe")
    return customers, events


def _run(base: tuple[Path, Path], root: Path, journey: str = "qinghe-cart-recovery", **kw: object):  # type: ignore[no-untyped-def]
    kw.setdefault("auto_approve", True)
    return run_journey(journey, customers=base[0], events=base[1], as_of=AS_OF, out_root=root, workers=1, **kw)  # type: ignore[arg-type]


def test_run_writes_messages_with_consent_and_ids(base: tuple[Path, Path], tmp_path: Path) -> None:
    summary = _run(base, tmp_path)
    assert summary.messages > 0 and summary.new
    rows = read_messages(summary.run_dir)
    assert tuple(rows[0])[:9] == COLUMNS[:9]
    consents = {}
    for line in base[0].read_text(encoding="utf-8").splitlines()[1:]:
        cid, _tz, consent = line.split(",")[:3]
        consents[cid] = set(consent.split(";"))
    for row in rows:
        assert row["channel"] in consents[row["customer_id"]]
        assert row["tracking_code"] == tracking_code(row["artifact_id"], row["arm"] or None)
        assert dt.datetime.fromisoformat(row["send_at"]).utcoffset() is not None
        assert row["arm"] in {"gentle", "urgent"}
    assert len({r["message_id"] for r in rows}) == len(rows)
    assert any(k.startswith("no consent") for k in summary.skips)
    assignments = (summary.run_dir / "assignments.csv").read_text().splitlines()
    assert assignments[0] == "customer_id,experiment,arm"
    holdout = [a for a in assignments[1:] if a.endswith(",holdout")]
    assert len(holdout) == summary.assignments["holdout"] > 0
    held = {a.split(",")[0] for a in holdout}
    assert not held & {r["customer_id"] for r in rows}  # the holdout gets no message
    page = (summary.run_dir / "review.html").read_text(encoding="utf-8")
    assert page.count("<tr>") == summary.cells + 1
    # personal data never in the summary
    names = {line.split(",")[5] for line in base[0].read_text(encoding="utf-8").splitlines()[1:]}
    text = (summary.run_dir / "summary.json").read_text(encoding="utf-8")
    assert not any(n and n in text for n in names)
    # the same inputs and as-of: nothing new
    again = _run(base, tmp_path)
    assert not again.new and again.messages == summary.messages
    # a later run does not send the same step for the same trigger again
    later = run_journey("qinghe-cart-recovery", customers=base[0], events=base[1],
                        as_of=AS_OF + dt.timedelta(hours=1), out_root=tmp_path, workers=1,
                        auto_approve=True)  # fmt: skip
    later_ids = {r["message_id"] for r in read_messages(later.run_dir)}
    assert not later_ids & {r["message_id"] for r in rows}


def test_killed_run_resumes_without_loss_or_duplicates(base: tuple[Path, Path], tmp_path: Path) -> None:
    clean = _run(base, tmp_path / "clean")
    script = f"""
import datetime as dt, os, signal
from pathlib import Path
import contentgen.journeys.runner as runner
done = []
real = runner._fill_bucket
def killing(spec, bucket):
    result = real(spec, bucket)
    done.append(bucket)
    if len(done) == 5:
        os.kill(os.getpid(), signal.SIGKILL)
    return result
runner._fill_bucket = killing
runner.run_journey("qinghe-cart-recovery", customers=Path({str(base[0])!r}), events=Path({str(base[1])!r}),
                   as_of=dt.datetime(2025, 11, 30, 12, tzinfo=dt.UTC), out_root=Path({str(tmp_path / "killed")!r}),
                   workers=1, auto_approve=True)
"""
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=300)
    assert proc.returncode == -9
    run_dirs = list((tmp_path / "killed" / "qinghe-cart-recovery").iterdir())
    assert not (run_dirs[0] / "summary.json").exists()
    assert len(list((run_dirs[0] / "parts").glob("*.jsonl"))) == 5
    resumed = _run(base, tmp_path / "killed")
    assert resumed.new and resumed.messages == clean.messages
    assert read_messages(resumed.run_dir) == read_messages(clean.run_dir)


def _write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_bad_inputs(tmp_path: Path) -> None:
    header = "customer_id,time_zone,consents,locale,tier,name,birthday,recommendations\n"
    events = _write(tmp_path / "e.jsonl", "\n".join(json.dumps(e) for e in [
        {"customer_id": "A", "event": "cart_abandoned", "sku": "QH-TNR-001", "time": "2025-11-30T09:00:00Z"},
        {"customer_id": "A", "event": "cart_abandoned", "sku": "NOPE-1", "time": "2025-11-30T09:00:00Z"},
        {"customer_id": "A", "event": "cart_abandoned", "sku": "QH-TNR-001", "time": "2025-12-30T09:00:00Z"},
        {"customer_id": "Z", "event": "cart_abandoned", "sku": "QH-TNR-001", "time": "2025-11-30T09:00:00Z"},
    ]) + "\n")  # fmt: skip
    good = _write(tmp_path / "c.csv", header + "A,Asia/Shanghai,sms,zh-CN,new,,,on\n")
    summary = run_journey("qinghe-cart-recovery", customers=good, events=events, as_of=AS_OF,
                          out_root=tmp_path / "out", workers=1)  # fmt: skip
    assert summary.skips["event with an unknown SKU"] == 1
    assert summary.skips["event after --as-of"] == 1
    assert summary.skips["event for an unknown customer"] == 1
    dup = _write(tmp_path / "dup.csv", header + "A,Asia/Shanghai,sms,,,,,\nA,Asia/Shanghai,sms,,,,,\n")
    with pytest.raises(ContentgenError, match=r"dup.csv:3: customer_id: customer id 'A' appears twice"):
        run_journey("qinghe-cart-recovery", customers=dup, events=events, as_of=AS_OF, out_root=tmp_path / "o2")
    tz = _write(tmp_path / "tz.csv", header + "A,Mars/Olympus,sms,,,,,\n")
    with pytest.raises(ContentgenError, match=r"tz.csv:2: time_zone: unknown time zone 'Mars/Olympus'"):
        run_journey("qinghe-cart-recovery", customers=tz, events=events, as_of=AS_OF, out_root=tmp_path / "o3")
    bad_time = _write(
        tmp_path / "bt.jsonl", json.dumps({"customer_id": "A", "event": "signed_up", "time": "yesterday"})
    )
    with pytest.raises(ContentgenError, match=r"bt.jsonl:1: time: 'yesterday' is not a time"):
        run_journey("qinghe-cart-recovery", customers=good, events=bad_time, as_of=AS_OF, out_root=tmp_path / "o4")
    assert not list((tmp_path / "o2").rglob("messages.csv"))


@pytest.mark.slow
def test_local_and_ray_agree(base: tuple[Path, Path], tmp_path: Path) -> None:
    ray = pytest.importorskip("ray")
    local = _run(base, tmp_path / "local", journey="qinghe-replenish")
    ray.init(num_cpus=2, include_dashboard=False, runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}})
    try:
        remote = run_journey("qinghe-replenish", customers=base[0], events=base[1], as_of=AS_OF,
                             out_root=tmp_path / "ray", executor="ray", workers=2, auto_approve=True)  # fmt: skip
    finally:
        ray.shutdown()
    key = lambda r: r["message_id"]  # noqa: E731
    assert sorted(read_messages(remote.run_dir), key=key) == sorted(read_messages(local.run_dir), key=key)


def test_messages_only_for_approved_cells(base: tuple[Path, Path], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from contentgen.cli.app import app
    from contentgen.journeys.approvals import APPROVALS

    auto = _run(base, tmp_path / "auto")
    first = _run(base, tmp_path / "gate", auto_approve=False)
    assert first.messages == 0 and first.cells_approved == 0
    assert first.skips["cell not approved"] == auto.messages
    assert any("await approval" in w and "journeys approve" in w for w in first.warnings)
    assert "awaiting approval" in (first.run_dir / "review.html").read_text(encoding="utf-8")
    cells = json.loads((first.run_dir / "cells.json").read_text(encoding="utf-8"))
    ready = [c["artifact_id"] for c in cells if c["ready"]]
    runner = CliRunner()
    # one cell approved by a person: only its messages are written
    result = runner.invoke(app, ["journeys", "approve", str(first.run_dir), "--cells", ready[0],
                                 "--reviewer", "Li Na", "--reason", "checked claims"])  # fmt: skip
    assert result.exit_code == 0, result.output
    second = _run(base, tmp_path / "gate", auto_approve=False)
    assert second.new and second.run_dir != first.run_dir and second.cells_approved == 1
    rows = read_messages(second.run_dir)
    assert rows and {r["artifact_id"] for r in rows} == {ready[0]}
    # the rest approved: the remaining messages, none sent twice, together the auto-approved run's messages
    result = runner.invoke(app, ["journeys", "approve", str(second.run_dir), "--all", "--reviewer", "Li Na",
                                 "--reason", "brand review done"])  # fmt: skip
    assert result.exit_code == 0, result.output
    third = _run(base, tmp_path / "gate", auto_approve=False)
    later = read_messages(third.run_dir)
    ids = [r["message_id"] for r in rows + later]
    assert len(ids) == len(set(ids))
    assert set(ids) == {r["message_id"] for r in read_messages(auto.run_dir)}
    assert not _run(base, tmp_path / "gate", auto_approve=False).new  # same inputs, same decisions: nothing new
    audit = [json.loads(x) for x in (tmp_path / "gate" / "qinghe-cart-recovery" / APPROVALS).read_text().splitlines()]
    assert audit[0]["reviewer"] == "Li Na" and audit[0]["reason"] == "checked claims" and audit[0]["at"]
    assert len(audit) == 1 + len(ready)
    # a rejection withdraws the approval (the latest decision wins); unknown ids are one-line errors
    result = runner.invoke(app, ["journeys", "approve", str(first.run_dir), "--cells", ready[0], "--reject",
                                 "--reviewer", "Li Na", "--reason", "price changed"])  # fmt: skip
    assert result.exit_code == 0, result.output
    from contentgen.journeys.approvals import approved_cells, decisions
    from contentgen.journeys.content import cells_from_json

    journey_dir = tmp_path / "gate" / "qinghe-cart-recovery"
    assert decisions(journey_dir)[ready[0]].decision == "rejected"
    first_cells = cells_from_json((first.run_dir / "cells.json").read_text(encoding="utf-8"))
    assert set(approved_cells(first_cells, journey_dir, auto=True)) == set(ready[1:])  # never auto over a person
    bad = runner.invoke(app, ["journeys", "approve", str(first.run_dir), "--cells", "Jnope", "--reviewer", "x",
                              "--reason", "y"])  # fmt: skip
    assert bad.exit_code == 1 and "cell 'Jnope' is not in" in bad.output
    assert auto.cells_auto_approved == auto.cells_approved == len(ready)
    used = json.loads((auto.run_dir / "approvals.json").read_text(encoding="utf-8"))
    assert {a["reviewer"] for a in used.values()} == {"auto"}


def test_split_in_byte_ranges_gives_the_same_messages_and_line_numbers(
    base: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contentgen.journeys import shuffle

    whole = _run(base, tmp_path / "whole")
    monkeypatch.setattr(shuffle, "MIN_RANGE", 4096)
    items = shuffle.plan_items(base[0], base[1], 8)
    assert sum(1 for i in items if i[0] == "e") == 8  # the events file in 8 ranges, each starting at a line
    ranged = _run(base, tmp_path / "ranged")
    assert read_messages(ranged.run_dir) == read_messages(whole.run_dir)
    assert (ranged.customers, ranged.events, ranged.skips) == (whole.customers, whole.events, whole.skips)
    # a bad line deep in the file is named by its own line number
    lines = base[1].read_text(encoding="utf-8").splitlines()
    lines[-3] = lines[-3].replace('"time": "', '"time": "x')
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ContentgenError, match=rf"broken.jsonl:{len(lines) - 2}: time: "):
        run_journey("qinghe-cart-recovery", customers=base[0], events=broken, as_of=AS_OF, out_root=tmp_path / "b")
    lines[-3] = "{not json"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ContentgenError, match=rf"broken.jsonl:{len(lines) - 2}: invalid JSON"):
        run_journey("qinghe-cart-recovery", customers=base[0], events=broken, as_of=AS_OF, out_root=tmp_path / "c",
                    workers=1)  # fmt: skip


def test_approval_holds_only_for_the_copy_that_was_approved(base: tuple[Path, Path], tmp_path: Path) -> None:
    import dataclasses

    from contentgen.journeys.approvals import APPROVALS, approved_cells, changed_since_approval, record
    from contentgen.journeys.content import cells_from_json

    first = _run(base, tmp_path, auto_approve=False)
    record(first.run_dir, reviewer="Li Na", reason="read it", every_ready=True)
    journey_dir = tmp_path / "qinghe-cart-recovery"
    cells = cells_from_json((first.run_dir / "cells.json").read_text(encoding="utf-8"))
    assert len(approved_cells(cells, journey_dir, auto=False)) == first.cells - first.cells_not_ready
    # the same artifact id with other text (a price edit, a non-deterministic model): not approved, even with auto
    key, cell = next((k, c) for k, c in cells.items() if c.ready)
    changed = dict(cells)
    changed[key] = dataclasses.replace(cell, fields={**cell.fields, "body": cell.fields.get("body", "") + " ¥99"})
    assert cell.artifact_id not in approved_cells(changed, journey_dir, auto=True)
    assert changed_since_approval(changed, journey_dir) == [cell.artifact_id]
    # approval lines from before the copy hash was recorded match no copy: the run holds those messages and says why
    path = journey_dir / APPROVALS
    old = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    path.write_text("".join(json.dumps({k: v for k, v in a.items() if k != "copy_hash"}) + "\n" for a in old))
    held = _run(base, tmp_path, auto_approve=False)
    assert held.new and held.messages == 0 and held.skips["cell not approved"] > 0
    assert any("changed since approval" in w for w in held.warnings)


def test_approve_with_a_relative_run_folder(
    base: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from contentgen.cli.app import app
    from contentgen.journeys.approvals import APPROVALS

    first = _run(base, tmp_path / "out", auto_approve=False)
    monkeypatch.chdir(first.run_dir)
    result = CliRunner().invoke(app, ["journeys", "approve", ".", "--all", "--reviewer", "Li Na", "--reason", "ok"])
    assert result.exit_code == 0, result.output
    assert not (first.run_dir.parent.parent / APPROVALS).exists() and not (first.run_dir / APPROVALS).exists()
    audit = [json.loads(x) for x in (first.run_dir.parent / APPROVALS).read_text(encoding="utf-8").splitlines()]
    assert audit and {a["run"] for a in audit} == {first.run_dir.name}
    monkeypatch.chdir(tmp_path)
    assert _run(base, tmp_path / "out", auto_approve=False).messages > 0


def test_inputs_not_in_utf8_are_one_line_errors(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from contentgen.cli.app import app

    header = "customer_id,time_zone,consents,locale,tier,name,birthday,recommendations\n"
    rows = "A,Asia/Shanghai,sms,zh-CN,new,,,on\nB,Asia/Shanghai,sms;name,zh-CN,new,王芳,,on\n"
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes((header + rows).encode("gbk"))
    event = {"customer_id": "A", "event": "cart_abandoned", "sku": "QH-TNR-001", "time": "2025-11-30T09:00:00Z"}
    events = _write(tmp_path / "e.jsonl", json.dumps(event) + "\n")
    out = tmp_path / "out"
    # two workers: the CSV is split in a spawned worker process, whose error must still come back as one line
    result = CliRunner().invoke(app, ["journeys", "run", "qinghe-cart-recovery", "--customers", str(gbk),
                                      "--events", str(events), "--as-of", AS_OF.isoformat(), "--out", str(out),
                                      "--workers", "2"])  # fmt: skip
    assert result.exit_code == 1, result.output
    message = " ".join(result.output.split())
    assert "gbk.csv:3: not UTF-8 text" in message and "save the file as UTF-8" in message
    assert "Traceback" not in result.output
    assert not list(out.rglob("messages.*")) and not list(out.rglob("summary.json"))
    bad_events = tmp_path / "gbk.jsonl"
    bad_events.write_bytes(
        (json.dumps(event) + "\n" + json.dumps({**event, "order_id": "订单"}, ensure_ascii=False) + "\n").encode("gbk")
    )
    good = _write(tmp_path / "c.csv", header + rows)
    with pytest.raises(ContentgenError, match=r"gbk.jsonl:2: not UTF-8 text \(byte 0x"):
        run_journey("qinghe-cart-recovery", customers=good, events=bad_events, as_of=AS_OF, out_root=out, workers=1)


@pytest.mark.parametrize("cid", ["A\\tB", "A\\nB", "A\\rB", "A\\u2028B", "A\\u0000B"])
def test_customer_ids_with_control_characters_are_rejected(tmp_path: Path, cid: str) -> None:
    cid = cid.encode().decode("unicode_escape")
    row = {"customer_id": cid, "time_zone": "Asia/Shanghai", "consents": "sms", "locale": "zh-CN", "tier": "new"}
    customers = _write(tmp_path / "c.jsonl", json.dumps({"customer_id": "OK", "time_zone": "UTC"}) + "\n"
                       + json.dumps(row) + "\n")  # fmt: skip
    events = _write(tmp_path / "e.jsonl", "")
    with pytest.raises(ContentgenError, match=r"c.jsonl:2: customer_id: .* holds the control character") as err:
        run_journey("qinghe-cart-recovery", customers=customers, events=events, as_of=AS_OF,
                    out_root=tmp_path / "out", workers=1)  # fmt: skip
    assert "\n" not in str(err.value) and "\t" not in str(err.value)
    assert not list((tmp_path / "out").rglob("ledger"))


def test_assignment_columns_are_defined_once() -> None:
    import contentgen
    from contentgen.campaign.experiment import COLUMNS as CAMPAIGN_COLUMNS
    from contentgen.domain.experiment import ASSIGNMENT_COLUMNS

    package = Path(contentgen.__file__).parent
    defined = [p for p in package.rglob("*.py") if "ASSIGNMENT_COLUMNS = " in p.read_text(encoding="utf-8")]
    assert defined == [package / "domain" / "experiment.py"]
    for user in ("journeys/runner.py", "results/units.py", "campaign/experiment.py"):
        assert "from contentgen.domain.experiment import ASSIGNMENT_COLUMNS" in (package / user).read_text("utf-8")
    assert CAMPAIGN_COLUMNS[: len(ASSIGNMENT_COLUMNS)] == ASSIGNMENT_COLUMNS
