"""The results loop on journey runs: message rows and assignments (holdout included) as `journeys run` writes them."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from contentgen.errors import DataError
from contentgen.results.analysis import analyze, attribute
from contentgen.results.imports import import_file
from contentgen.results.report import write_report
from contentgen.results.simulate import Truth, simulate
from contentgen.results.store import outcomes
from contentgen.results.tracking import tracking_code
from contentgen.results.units import MESSAGE_COLUMNS, load_run

T0 = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
STEPS = [("welcome/1", "sms", dt.timedelta(0)), ("welcome/2", "wecom", dt.timedelta(days=2))]


def write_journey_run(folder: Path, sizes: dict[str, int], experiment: str = "welcome-copy") -> Path:
    """A journey run folder: messages.jsonl (one row per message) and assignments.csv (holdout included)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows, assignments, n = [], [], 0
    for arm, size in sizes.items():
        for _ in range(size):
            n += 1
            customer = f"C{n:06d}"
            assignments.append({"customer_id": customer, "experiment": experiment, "arm": arm})
            if arm == "holdout":
                continue
            for step, channel, delay in STEPS:
                artifact = f"welcome/{step.split('/')[1]}/{channel}/gold/{arm}"
                rows.append(
                    {
                        "message_id": f"M{len(rows):07d}",
                        "customer_id": customer,
                        "journey": "welcome",
                        "step": step.split("/")[1],
                        "channel": channel,
                        "send_at": (T0 + delay).isoformat(),
                        "arm": arm,
                        "artifact_id": artifact,
                        "tracking_code": tracking_code(artifact, arm),
                        "tier": "gold",
                        "text": f"欢迎加入青禾 ({arm})",
                    }
                )
    with (folder / "messages.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            assert list(row)[: len(MESSAGE_COLUMNS)] == list(MESSAGE_COLUMNS)
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    with (folder / "assignments.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, ["customer_id", "experiment", "arm"])
        writer.writeheader()
        writer.writerows(assignments)
    return folder


def test_loop_recovers_the_planted_lift_over_the_holdout(tmp_path: Path) -> None:
    run = write_journey_run(tmp_path / "run", {"A": 4500, "B": 4500, "holdout": 1000})
    index = load_run(run)
    assert index.kind == "journey" and len(index.units) == 4 and len(index.assignments) == 10000
    truth = Truth.model_validate({"seed": 11, "journey": {"conversion": 0.05, "arms": {"A": {"conversion": 1.8}}}})
    simulation = simulate(run, truth)
    result = import_file(run, simulation.files[0])
    assert result.kind == "outcomes" and result.simulated and result.join_rate == 1.0
    analysis = analyze(run, attribution=["last", "first", "linear", "time_decay"])
    (experiment,) = analysis.experiments
    assert experiment.control == "holdout" and not experiment.srm
    lifts = {(x.metric, x.arm): x for x in experiment.lifts}
    a, b = lifts[("conversion", "A")], lifts[("conversion", "B")]
    assert a.low <= simulation.truth["welcome-copy"]["conversion"]["A"] <= a.high and a.significant
    assert b.low <= 0.0 <= b.high and not b.significant
    revenue = lifts[("revenue_per_customer", "A")]
    assert revenue.low <= simulation.truth["welcome-copy"]["revenue_per_customer"]["A"] <= revenue.high
    assert "lifts conversion by" in a.note() and "enough to act on" in a.note()
    assert (
        experiment.next_wave["holdout"] == pytest.approx(0.1) and experiment.next_wave["A"] > experiment.next_wave["B"]
    )
    orders = [o for o in outcomes(run) if o.event == "order"]
    messaged = {t.customer_id for t in index.touches}
    for model in ("last", "first", "linear", "time_decay"):
        credited = sum(x.orders for x in analysis.attribution if x.model == model)
        assert credited == pytest.approx(sum(o.customer_id in messaged for o in orders))
    report = write_report(run)
    page = report.html.read_text(encoding="utf-8")
    assert "SIMULATION" in page and 'id="attribution"' in page and page.count("<svg") == 4


def test_attribution_models_split_credit_as_documented(tmp_path: Path) -> None:
    run = write_journey_run(tmp_path / "run", {"A": 1})
    orders = tmp_path / "orders.csv"
    late = T0 + dt.timedelta(days=45)
    orders.write_text(
        "customer_id,event,value,time,order_id\n"
        f"C000001,order,100,{(T0 + dt.timedelta(days=3)).isoformat()},O1\n"
        f"C000001,order,50,{late.isoformat()},O2\n",
        encoding="utf-8",
    )
    import_file(run, orders, now=late + dt.timedelta(days=1))
    index = load_run(run)
    events = [o for o in outcomes(run) if o.event == "order"]
    credit = {
        (x.model, x.variant): (x.orders, x.revenue)
        for x in attribute(index, events, ["last", "first", "linear", "time_decay"])
    }
    assert credit[("last", "welcome/2")] == (1.0, 100.0) and ("last", "welcome/1") not in credit
    assert credit[("first", "welcome/1")] == (1.0, 100.0)
    assert credit[("linear", "welcome/1")] == credit[("linear", "welcome/2")] == (0.5, 50.0)
    early, recent = 0.5 ** (3 / 7), 0.5 ** (1 / 7)
    assert credit[("time_decay", "welcome/2")][0] == pytest.approx(recent / (early + recent), abs=1e-6)
    # the order 45 days later is outside the 30-day lookback: no touch gets it


def test_sample_ratio_mismatch_is_flagged(tmp_path: Path) -> None:
    run = write_journey_run(tmp_path / "run", {"A": 4000, "B": 4700, "holdout": 1000})
    simulate(run, Truth.model_validate({"seed": 1}))
    import_file(run, run / "simulated" / "outcomes.SIMULATED.csv")
    (experiment,) = analyze(run).experiments
    assert experiment.srm and experiment.srm_p is not None and experiment.srm_p < 0.001
    assert any("sample-ratio mismatch" in note for note in analyze(run).notes())
    balanced = write_journey_run(tmp_path / "ok", {"A": 4500, "B": 4430, "holdout": 1010})
    simulate(balanced, Truth.model_validate({"seed": 1}))
    import_file(balanced, balanced / "simulated" / "outcomes.SIMULATED.csv")
    assert not analyze(balanced).experiments[0].srm


def test_outcomes_for_unknown_customers_and_bad_rows_are_listed(tmp_path: Path) -> None:
    run = write_journey_run(tmp_path / "run", {"A": 3, "holdout": 2})
    path = tmp_path / "crm.csv"
    when = (T0 + dt.timedelta(days=1)).isoformat()
    path.write_text(
        "会员id,事件,金额,时间\n"
        f"C000001,下单,88,{when}\n"
        f"C000004,下单,66,{when}\n"
        f"X999,下单,10,{when}\n"
        f"C000002,下单,abc,{when}\n"
        f"C000003,下单,10,2020-01-01\n"
        f"C000003,下单,10,not a time\n",
        encoding="utf-8",
    )
    result = import_file(run, path)
    assert result.matched == 2  # a holdout customer's order counts: that is what the holdout measures
    assert [s.line for s in result.unmatched] == [4] and "X999" in result.unmatched[0].reason
    reasons = {s.line: s.reason for s in result.skipped}
    assert reasons[5] == "value: 'abc' is not a number" and "before the run started" in reasons[6]
    assert reasons[7] == "at: 'not a time' is not a date or time"


def test_message_file_without_the_schema_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "messages.csv").write_text("message_id,customer_id\nM1,C1\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"messages\.csv:2: column 'journey' is missing"):
        load_run(folder)


def test_a_broken_message_line_is_one_line_naming_it(tmp_path: Path) -> None:
    folder = write_journey_run(tmp_path / "run", {"A": 2, "holdout": 1})
    path = folder / "messages.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines[:2], lines[2][:-1], *lines[3:]]) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"messages\.jsonl:3: invalid JSON: .* \(write one JSON object a line"):
        load_run(folder)
