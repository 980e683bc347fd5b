"""Experiments on campaign briefs: the `experiment:` block, `campaign assign`, the power warning, the results join."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import REPO, Cli, made_run, write_brief
from scipy.stats import chi2_contingency

from contentgen.campaign import plan_campaign
from contentgen.campaign.experiment import assign_customers, power_note, variant_index
from contentgen.domain.experiment import Assigner, Experiment, sample_size
from contentgen.errors import ContentgenError, DataError
from contentgen.results.analysis import analyze
from contentgen.results.imports import import_file
from contentgen.results.report import write_report
from contentgen.results.tracking import arm_letter
from contentgen.results.units import load_run

BRIEF = """\
name: ab-test
kit: qinghe
seed: 5
products: [QH-TNR-001]
segments: [gen-z, silver-haired]
channels:
  sms:
    copy: {n: 2}
experiment:
  id: ab-copy
  arms: [A, B]
  holdout: 0.1
  mde: 0.02
"""


def _brief(folder: Path, text: str = BRIEF, name: str = "brief.yaml") -> Path:
    return write_brief(folder, text, name)


def _customers(path: Path, ids: list[str], segments: list[str] | None = None) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["customer_id", "segment"] if segments else ["customer_id"])
        for i, cid in enumerate(ids):
            writer.writerow([cid, segments[i]] if segments else [cid])
    return path


def _read(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["customer_id"]: row["arm"] for row in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small real campaign run (offline provider, copy only) whose brief has an experiment."""
    folder = tmp_path_factory.mktemp("brief")
    return made_run(_brief(folder), folder / "run")


# ---- the brief's experiment block ----------------------------------------------------------------------------------


def test_shipped_brief_plans_with_its_experiment() -> None:
    plan = plan_campaign("qinghe-618")
    assert plan.experiment is not None and plan.experiment.arm_ids == ["A", "B"] and plan.experiment.holdout == 0.1
    assert all(i.options["n"] >= 2 for i in plan.items if i.kind == "copy")
    data = yaml.safe_load((REPO / "campaigns" / "qinghe-618.yaml").read_text(encoding="utf-8"))
    assert data["experiment"]["id"] == plan.experiment.id == "qinghe-618-copy"
    assert plan.audience is None and "segment sizes are unknown" in power_note(plan.experiment, None).message


def test_experiment_does_not_change_what_is_made(tmp_path: Path) -> None:
    with_it = plan_campaign(_brief(tmp_path))
    without = plan_campaign(_brief(tmp_path, BRIEF.split("experiment:")[0], "plain.yaml"))
    assert {i.id: i.input_hash for i in with_it.items} == {i.id: i.input_hash for i in without.items}


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("arms: [A, B]", "arms: [a, b]"), ":11: experiment.arms[0]: arm 'a' is not a variant letter"),
        (("arms: [A, B]", "arms: [A, A]"), ":11: experiment.arms: arm 'A' appears twice"),
        (("arms: [A, B]", "arms: [A, holdout]"), ":11: experiment.arms: 'holdout' is reserved"),
        (("arms: [A, B]", "arms: []"), ":11: experiment.arms: List should have at least 1 item"),
        (("arms: [A, B]", "arms: [A, {id: B, weight: 0}]"), ":11: experiment.arms[1].weight: Input should be greater"),
        (("holdout: 0.1", "holdout: 1.5"), ":12: experiment.holdout: Input should be less than 1"),
        (("mde: 0.02", "mdee: 0.02"), ":13: experiment.mdee: unknown field (did you mean 'mde'?)"),
        (("  id: ab-copy\n", ""), ":9: experiment.id: required field is missing"),
        (("arms: [A, B]", "arms: [A, B, C]"), ":8: channels.sms.copy: experiment arm 'C' needs 3 copy variants"),
    ],
)
def test_experiment_errors_name_file_line_and_field(tmp_path: Path, edit: tuple[str, str], expected: str) -> None:
    assert edit[0] in BRIEF
    path = _brief(tmp_path, BRIEF.replace(*edit, 1))
    with pytest.raises(DataError) as caught:
        plan_campaign(path)
    message = str(caught.value)
    assert message.startswith(str(path.resolve())) and "\n" not in message
    assert expected in message, message


def test_variant_letters_round_trip() -> None:
    assert [variant_index(arm_letter(i)) for i in range(60)] == list(range(60))


# ---- assignment ----------------------------------------------------------------------------------------------------


def test_assignment_is_the_shared_hash_stable_and_written_beside_the_run(made: Path, tmp_path: Path) -> None:
    ids = [f"C{i:06d}" for i in range(3000)]
    result = assign_customers(made, _customers(tmp_path / "c.csv", ids))
    assert result.path == made / "assignments.csv" and result.eligible == 3000
    arms = _read(result.path)
    experiment = Experiment(id="ab-copy", arms=["A", "B"], holdout=0.1, mde=0.02)
    assigner = Assigner(experiment)
    assert arms == {c: assigner(c) for c in ids}  # the same implementation journeys use
    assert sum(result.counts.values()) == 3000 and set(result.counts) == {"A", "B", "holdout"}
    # adding unrelated customers (and shuffling the file) changes nobody's arm
    more = ids[::-1] + [f"X{i}" for i in range(2000)]
    again = assign_customers(made, _customers(tmp_path / "more.csv", more), tmp_path / "again.csv")
    after = _read(again.path)  # read once: inside the loop below it was read again for each of the 3,000
    assert all(after[c] == arm for c, arm in arms.items())


def test_holdout_share_and_balance(made: Path, tmp_path: Path) -> None:
    n = 40_000
    result = assign_customers(made, _customers(tmp_path / "c.csv", [f"C{i}" for i in range(n)]))
    share = result.counts["holdout"] / n
    assert abs(share - 0.1) < 4 * np.sqrt(0.1 * 0.9 / n)
    assert abs(result.counts["A"] - result.counts["B"]) < 4 * np.sqrt(n * 0.45 * 0.55) * 1.5
    assert result.warning is None  # 40,000 → 3,600 held out ≥ 2,213 needed


def test_independent_across_experiments(made: Path, tmp_path: Path) -> None:
    ids = [f"C{i}" for i in range(30_000)]
    customers = _customers(tmp_path / "c.csv", ids)
    first = _read(assign_customers(made, customers, tmp_path / "one.csv").path)
    other = json.loads((made / "campaign.json").read_text(encoding="utf-8"))
    copy = tmp_path / "other-run"
    copy.mkdir()
    other["experiment"]["id"] = "ab-copy-wave-2"
    (copy / "campaign.json").write_text(json.dumps(other), encoding="utf-8")
    second = _read(assign_customers(copy, customers).path)
    table = Counter((first[c], second[c]) for c in ids)
    arms = ["holdout", "A", "B"]
    assert chi2_contingency([[table[(x, y)] for y in arms] for x in arms]).pvalue > 0.001
    assert sum(first[c] != second[c] for c in ids) > 10_000


def test_power_warning_when_the_audience_is_too_small(made: Path, tmp_path: Path) -> None:
    result = assign_customers(made, _customers(tmp_path / "c.csv", [f"C{i}" for i in range(1000)]))
    assert result.power.required_per_group == sample_size(0.05, 0.02)
    smallest = min(result.counts.values())
    assert 60 < smallest < 140 and result.power.smallest_group == smallest
    assert result.warning is not None and f"smallest group has {smallest} customers" in result.warning


def test_segment_column_limits_the_eligible_audience(made: Path, tmp_path: Path) -> None:
    ids = [f"C{i}" for i in range(10)]
    segments = ["gen-z"] * 4 + ["silver-haired"] * 3 + ["new-middle-class"] * 3
    result = assign_customers(made, _customers(tmp_path / "c.csv", ids, segments))
    assert result.eligible == 7 and result.skipped == {"segment not in this campaign": 3}
    assert len(_read(result.path)) == 7


def test_plan_power_when_segment_sizes_are_known(tmp_path: Path) -> None:
    shipped = yaml.safe_load((REPO / "brand_kits" / "segments.yaml").read_text(encoding="utf-8"))
    rfm = {
        "tier": "vip",
        "as_of": "2025-05-01",
        "stats": {
            "customers": 1200,
            "share": 0.1,
            "recency_days_median": 10,
            "frequency_mean": 3,
            "monetary_mean": 500,
            "monetary_median": 400,
            "revenue_share": 0.4,
        },
        "strategy": {"zh": ["维护"], "en": ["keep"]},
    }
    vip = {**shipped["segments"][0], "id": "vip-loyal", "rfm": rfm}
    derived = {"segments": [vip]}
    (tmp_path / "derived.yaml").write_text(yaml.safe_dump(derived, allow_unicode=True), encoding="utf-8")
    text = BRIEF.replace("segments: [gen-z, silver-haired]", "segments_file: derived.yaml")
    plan = plan_campaign(_brief(tmp_path, text))
    assert plan.audience == 1200 and plan.experiment is not None
    note = power_note(plan.experiment, plan.audience)
    assert note.warning is not None and "smallest group has 120 customers" in note.message


# ---- CLI -----------------------------------------------------------------------------------------------------------


def test_cli_assign_and_plan(cli: Cli, made: Path, tmp_path: Path) -> None:
    customers = _customers(tmp_path / "c.csv", [f"C{i}" for i in range(500)])
    done = cli("campaign", "assign", str(made), "--customers", str(customers), "--out", str(tmp_path / "a.csv"))
    assert done.exit_code == 0, done.output
    assert "Assigned 500 customers to experiment 'ab-copy'" in done.stdout and "warning:" in done.stderr
    data = json.loads(cli("campaign", "assign", str(made), "--customers", str(customers), "--json").stdout)
    assert sum(data["counts"].values()) == 500 and data["warning"] and data["required_per_group"] > 200
    planned = cli("campaign", "plan", str(made.parent / "brief.yaml"), "--out", str(made))
    assert planned.exit_code == 0 and "segment sizes are unknown" in planned.stdout.replace("\n", " ")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("customer_id\nC1\nC1\n", "c.csv:3: customer_id: customer 'C1' appears twice"),
        ("customer_id,segment\nC1,gen-z\n,\n", None),
        ("id\nC1\n", "c.csv:2: column 'customer_id' is missing"),
        ("customer_id\n", "c.csv: no customers in the file"),
    ],
)
def test_cli_assign_errors_are_one_line(
    cli: Cli, made: Path, tmp_path: Path, content: str, expected: str | None
) -> None:
    path = tmp_path / "c.csv"
    path.write_text(content, encoding="utf-8")
    result = cli("campaign", "assign", str(made), "--customers", str(path), "--out", str(tmp_path / "a.csv"))
    if expected is None:  # an empty row is no row
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1 and result.stderr.startswith("Error: ") and expected in result.stderr, result.output
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) <= 2
    assert not (tmp_path / "a.csv").exists()  # nothing half-written


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"customer_id": "C1"}\n{"customer_id": "C2", "segment": "gen-z"}\n', None),
        ('{"customer_id": "C1"}\n{"customer_id": "C2"\n', r"c\.jsonl:2: invalid JSON: Expecting ',' delimiter"),
        ('{"customer_id": "C1"}\n\n"C3"\n', r"c\.jsonl:3: each line must be a JSON object \(write one JSON object"),
    ],
)
def test_assign_reads_jsonl_and_names_a_bad_line(
    made: Path, tmp_path: Path, content: str, expected: str | None
) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(content, encoding="utf-8")
    if expected is None:
        assert sorted(_read(assign_customers(made, path, tmp_path / "a.csv").path)) == ["C1", "C2"]
        return
    with pytest.raises(DataError, match=expected):
        assign_customers(made, path, tmp_path / "a.csv")
    assert not (tmp_path / "a.csv").exists()


def test_cli_assign_needs_an_experiment(cli: Cli, made: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "campaign.json").write_text(json.dumps({"campaign": "plain", "items": []}), encoding="utf-8")
    path = _customers(tmp_path / "c.csv", ["C1"])
    result = cli("campaign", "assign", str(run), "--customers", str(path))
    assert result.exit_code == 1 and "has no experiment" in result.stderr and "Traceback" not in result.output
    missing = cli("campaign", "assign", str(made), "--customers", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 1 and "nope.csv: file not found" in missing.stderr


def test_library_errors_are_contentgen_errors(tmp_path: Path) -> None:
    with pytest.raises(ContentgenError):
        assign_customers(tmp_path, tmp_path / "c.csv")


# ---- the results loop joins like a journey's -----------------------------------------------------------------------


def test_results_measure_the_brief_experiment_against_the_holdout(made: Path, tmp_path: Path) -> None:
    import shutil

    run = tmp_path / "run"
    shutil.copytree(made, run)
    ids = [f"C{i:06d}" for i in range(12_000)]
    assign_customers(run, _customers(tmp_path / "c.csv", ids))
    arms = _read(run / "assignments.csv")
    index = load_run(run)
    assert index.kind == "campaign" and len(index.assignments) == 12_000
    assert index.planned["ab-copy"] == pytest.approx({"A": 0.45, "B": 0.45, "holdout": 0.1})
    # planted: arm A converts at 12 %, B and the holdout at 5 %
    rng = np.random.default_rng(7)
    rate = {"A": 0.12, "B": 0.05, "holdout": 0.05}
    when = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    orders = tmp_path / "orders.csv"
    with orders.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["customer_id", "event", "value", "time", "order_id"])
        for n, cid in enumerate(ids):
            if rng.random() < rate[arms[cid]]:
                writer.writerow([cid, "order", "99", when, f"O{n}"])
        writer.writerow(["STRANGER", "order", "10", when, "OX"])
    result = import_file(run, orders)
    assert result.kind == "outcomes" and [s.reason for s in result.unmatched] == [
        "customer 'STRANGER' has no tracking code to join a campaign item by"
    ]
    experiment = next(e for e in analyze(run).experiments if e.id == "ab-copy")
    assert experiment.control == "holdout" and not experiment.srm
    lifts = {(x.metric, x.arm): x for x in experiment.lifts}
    a, b = lifts[("conversion", "A")], lifts[("conversion", "B")]
    assert a.low <= 0.07 <= a.high and a.significant
    assert b.low <= 0.0 <= b.high and not b.significant
    assert ("revenue_per_customer", "A") in lifts
    page = write_report(run).html.read_text(encoding="utf-8")
    assert "ab-copy" in page and "holdout" in page and "winner" in page
