"""The results loop on a real campaign run: export codes, import real-shaped reports, analyse, report, learn, rerun."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Cli, made_run, write_brief
from openpyxl import Workbook

from contentgen.campaign import run_campaign
from contentgen.campaign.export import export_approved
from contentgen.campaign.review import Decisions, collect_review
from contentgen.errors import DataError
from contentgen.results.analysis import analyze
from contentgen.results.cases import cases_from
from contentgen.results.imports import import_file
from contentgen.results.learning import fit_prior, load_cases, record_cases
from contentgen.results.report import write_report
from contentgen.results.simulate import Truth, simulate
from contentgen.results.store import STORE_FILE
from contentgen.results.tracking import tracking_code
from contentgen.results.units import load_run

BRIEF = """\
name: loop-test
kit: qinghe
seed: 3
products: [QH-TNR-001]
segments: [gen-z, silver-haired]
channels:
  xiaohongshu:
    copy: {n: 3}
  sms:
    copy: {n: 3}
"""
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def brief(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_brief(tmp_path_factory.mktemp("brief"), BRIEF)


@pytest.fixture(scope="module")
def made(brief: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small run, made once; tests copy it so each one imports into a fresh store."""
    return made_run(brief, tmp_path_factory.mktemp("made") / "run")


@pytest.fixture
def run_dir(made: Path, tmp_path: Path) -> Iterator[Path]:
    target = tmp_path / "run"
    shutil.copytree(made, target)
    yield target


def _codes(run_dir: Path) -> list[str]:
    return list(load_run(run_dir).units)


def _write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8-sig") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def test_export_rows_carry_arm_tracking_code_and_utm(run_dir: Path, tmp_path: Path) -> None:
    index = load_run(run_dir)
    items = collect_review(run_dir).items
    decisions = Decisions(
        campaign="loop-test",
        decisions={i.key: {"status": "approved", "at": "2025-06-01T10:00:00Z"} for i in items[1:3]},
    )
    result = export_approved(run_dir, tmp_path / "out.zip", decisions=decisions)
    with zipfile.ZipFile(result.path) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("loop-test.csv").decode("utf-8-sig"))))
    assert [r["arm"] for r in rows] == ["B", "C"]  # lettered over every item of the artifact, not only the approved
    for row in rows:
        assert row["tracking_code"] == tracking_code(row["artifact_id"], row["arm"])
        assert row["tracking_code"] in index.units
        assert row["utm_url"].startswith(f"?utm_source={row['channel']}&utm_medium=contentgen&utm_campaign=loop-test")
        assert f"cg={row['tracking_code']}" in row["utm_url"]


def test_chinese_and_english_reports_join_reimport_and_update(run_dir: Path, tmp_path: Path) -> None:
    codes = _codes(run_dir)
    day = load_run(run_dir).starts.date().isoformat()
    # 巨量引擎-style export in GBK, with a landing-page URL carrying the code, a total row and an unknown code.
    oceanengine = _write_csv(
        tmp_path / "巨量引擎报表.csv",
        [
            ["日期", "计划名称", "落地页链接", "展示数", "点击数", "点击率", "转化数", "消耗(元)", "成交金额"],
            [
                day,
                "计划1",
                f"https://shop.example/p?cg={codes[0]}",
                "12,000",
                "240",
                "2.00%",
                "12",
                "￥360.50",
                "1,548",
            ],
            [day, "计划2", f"https://shop.example/p?cg={codes[1]}", "10000", "260", "2.60%", "--", "300", "0"],
            [day, "计划3", "https://shop.example/p?cg=CG00000000", "500", "5", "1%", "0", "10", "0"],
            ["合计", "", "", "22500", "505", "", "12", "670.5", "1548"],
        ],
        encoding="gbk",
    )
    first = import_file(run_dir, oceanengine)
    assert first.kind == "channel" and first.matched == 2 and first.rows == 3
    assert first.join_rate == pytest.approx(2 / 3)
    assert [s.line for s in first.unmatched] == [4] and "CG00000000" in first.unmatched[0].reason
    assert any(s.reason == "total row" for s in first.skipped)
    again = import_file(run_dir, oceanengine)
    assert again.already and again.matched == 0
    cells = {c.code: c for c in analyze(run_dir).cells}
    assert (cells[codes[0]].impressions, cells[codes[0]].cost, cells[codes[0]].revenue) == (12000, 360.5, 1548)

    # Meta Ads Manager-style XLSX, English headers, the code inside "URL parameters": a newer export of one row.
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "Reporting starts",
            "Ad name",
            "URL parameters",
            "Impressions",
            "Link clicks",
            "Purchases",
            "Amount spent (USD)",
            "Purchases conversion value",
        ]
    )
    sheet.append([day, "ad 1", f"utm_source=xiaohongshu&cg={codes[0]}", 15000, 300, 15, 420.0, 1900.0])
    sheet.append([day, "ad 4", f"utm_source=sms&cg={codes[3]}", 8000, 90, 3, 100.0, 387.0])
    meta = tmp_path / "meta.xlsx"
    book.save(meta)
    newer = import_file(run_dir, meta)
    assert newer.matched == 2 and newer.replaced == 1 and newer.join_rate == 1.0
    cells = {c.code: c for c in analyze(run_dir).cells}
    assert (cells[codes[0]].impressions, cells[codes[0]].orders) == (15000, 15)  # the newer export replaced it
    assert cells[codes[1]].impressions == 10000 and cells[codes[3]].clicks == 90


def test_unmappable_file_is_refused_in_one_line_and_nothing_is_lost(run_dir: Path, tmp_path: Path) -> None:
    codes = _codes(run_dir)
    good = _write_csv(tmp_path / "good.csv", [["tracking_code", "impressions", "clicks"], [codes[0], "100", "5"]])
    import_file(run_dir, good)
    odd = _write_csv(tmp_path / "odd.csv", [["Anzeige", "Sichtkontakte", "Kosten"], [codes[0], "100", "3"]])
    with pytest.raises(DataError) as caught:
        import_file(run_dir, odd)
    message = str(caught.value)
    assert "\n" not in message and "odd.csv" in message and "cannot map the columns" in message
    assert "--mapping" in message
    no_metrics = _write_csv(tmp_path / "nometrics.csv", [["tracking_code", "note"], [codes[0], "x"]])
    with pytest.raises(DataError, match="none of impressions, clicks, orders, revenue, cost"):
        import_file(run_dir, no_metrics)
    with sqlite3.connect(run_dir / STORE_FILE) as db:
        assert db.execute("SELECT COUNT(*) FROM channel_rows").fetchone()[0] == 1

    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  Anzeige: code\n  Sichtkontakte: impressions\n  Kosten: cost\n", encoding="utf-8")
    mapped = import_file(run_dir, odd, mapping=mapping)
    assert mapped.matched == 1 and mapped.replaced == 1
    bad_map = tmp_path / "bad.yaml"
    bad_map.write_text("columns:\n  Anzeige: kode\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.yaml:2: columns\.Anzeige: 'kode' is not a field"):
        import_file(run_dir, odd, mapping=bad_map)


def test_bad_rows_are_counted_and_listed(run_dir: Path, tmp_path: Path) -> None:
    codes = _codes(run_dir)
    day = load_run(run_dir).starts.date().isoformat()
    path = _write_csv(
        tmp_path / "bad-rows.csv",
        [
            ["date", "tracking_code", "impressions", "clicks", "cost"],
            [day, codes[0], "1000", "10", "5"],
            [day, codes[1], "1000", "abc", "5"],
            [day, codes[2], "1000", "10", "-5"],
            [day, codes[0], "1000", "10", "5"],
            ["2001-01-01", codes[3], "1000", "10", "5"],
            ["2999-01-01", codes[4], "1000", "10", "5"],
            ["yesterday", codes[5], "1000", "10", "5"],
            [day, codes[6], "10", "50", "5"],
            [day, "not-a-code", "1000", "10", "5"],
        ],
    )
    result = import_file(run_dir, path)
    reasons = {s.line: s.reason for s in result.skipped}
    assert result.matched == 1
    assert reasons[3] == "clicks: 'abc' is not a number"
    assert reasons[4] == "cost: -5 is negative"
    assert reasons[5] == "duplicate of line 2"
    assert "before the run's content existed" in reasons[6]
    assert "in the future" in reasons[7]
    assert reasons[8] == "day: 'yesterday' is not a date"
    assert "exceed impressions" in reasons[9]
    assert [s.line for s in result.unmatched] == [10]


def test_customer_outcomes_join_by_code_and_unknown_customers_are_listed(run_dir: Path, tmp_path: Path) -> None:
    codes = _codes(run_dir)
    start = load_run(run_dir).starts
    path = _write_csv(
        tmp_path / "orders.csv",
        [
            ["订单号", "会员id", "行为", "实付金额", "支付时间", "追踪码"],
            ["O1", "c1", "支付", "129", start.isoformat(), codes[0]],
            ["O2", "c2", "支付", "99", start.isoformat(), ""],
            ["O1", "c1", "支付", "129", start.isoformat(), codes[0]],
        ],
    )
    result = import_file(run_dir, path)
    assert result.kind == "outcomes" and result.matched == 1
    assert "has no tracking code" in result.unmatched[0].reason
    assert result.skipped[0].reason == "duplicate of line 2"
    cell = next(c for c in analyze(run_dir).cells if c.code == codes[0])
    assert (cell.orders, cell.revenue) == (1, 129)


def test_simulation_is_labelled_and_the_analysis_recovers_the_planted_effects(run_dir: Path) -> None:
    truth = Truth.model_validate(
        {"seed": 5, "campaign": {"impressions": 60000, "arms": {"B": {"ctr": 1.35}, "C": {"ctr": 0.8}}}}
    )
    simulation = simulate(run_dir, truth)
    assert all("SIMULATED" in p.name for p in simulation.files)
    assert json.loads((run_dir / "simulated" / "truth.json").read_text(encoding="utf-8"))["simulation"] is True
    imported = import_file(run_dir, simulation.files[0])
    assert imported.simulated and imported.join_rate == 1.0
    analysis = analyze(run_dir)
    assert analysis.simulated and analysis.to_dict()["simulated"] is True
    covered, total = 0, 0
    for experiment in analysis.experiments:
        for lift in experiment.lifts:
            true = simulation.truth[experiment.id][lift.metric][lift.arm]
            total += 1
            covered += lift.low <= true <= lift.high
            if lift.metric == "ctr":  # ±35 % / −20 % of a 2 % CTR on 60k impressions: found every time
                assert lift.significant and (lift.diff > 0) == (true > 0), lift
    assert total == 16 and covered / total >= 0.85, (covered, total)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_report_renders_in_chromium_with_its_charts(run_dir: Path, tmp_path: Path) -> None:
    simulation = simulate(run_dir, Truth.model_validate({"seed": 2, "campaign": {"arms": {"B": {"ctr": 1.4}}}}))
    import_file(run_dir, simulation.files[0])
    report = write_report(run_dir)
    page = report.html.read_text(encoding="utf-8")
    assert "SIMULATION" in page and 'src="http' not in page and "<link" not in page  # self-contained
    assert json.loads(report.json.read_text(encoding="utf-8"))["simulated"] is True
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
    ]
    dom = subprocess.run(
        [str(CHROMIUM), *flags, "--dump-dom", report.html.as_uri()],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )
    assert 'data-ready="yes"' in dom.stdout and 'data-charts="4"' in dom.stdout
    assert dom.stdout.count('data-status="winner"') >= 1 and "enough to act on" in dom.stdout
    assert "CONSOLE" not in dom.stderr and "Uncaught" not in dom.stderr, dom.stderr[-2000:]
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            str(CHROMIUM),
            *flags,
            "--hide-scrollbars",
            "--window-size=1280,2400",
            f"--screenshot={shot}",
            report.html.as_uri(),
        ],
        capture_output=True,
        timeout=90,
        check=True,
    )
    assert shot.stat().st_size > 50_000


def _top_angles(out_dir: Path) -> dict[str, str | None]:
    index = load_run(out_dir)
    return {u.artifact_id: u.angle for u in index.units.values() if u.arm == "A"}


def test_next_run_prefers_the_winning_angle(run_dir: Path, brief: Path, tmp_path: Path) -> None:
    before = _top_angles(run_dir)
    index = load_run(run_dir)
    winner = "value"
    cells_with_winner = {u.artifact_id for u in index.units.values() if u.angle == winner}
    assert any(before[a] != winner for a in cells_with_winner)  # it is not on top everywhere yet
    truth = Truth.model_validate({"seed": 9, "campaign": {"impressions": 60000, "angles": {winner: {"ctr": 1.6}}}})
    import_file(run_dir, simulate(run_dir, truth).files[0])
    cases = cases_from(analyze(run_dir), "qinghe")
    assert any(c.outcome == "winner" and c.angle == winner for c in cases)
    record_cases(cases, "qinghe")
    record_cases(cases, "qinghe")  # learning from the same run twice does not double its cases
    assert len(load_cases("qinghe")) == len(cases)
    prior = fit_prior(load_cases("qinghe"))
    assert prior is not None and max(prior.effects, key=lambda k: prior.effects[k]).startswith(winner)

    again = run_campaign(brief, out_dir=tmp_path / "next", workers=1)
    after = _top_angles(again.out_dir)
    assert all(after[a] == winner for a in cells_with_winner), after


def test_no_clear_difference_leaves_ranking_unchanged(run_dir: Path, brief: Path, tmp_path: Path) -> None:
    import_file(run_dir, simulate(run_dir, Truth.model_validate({"seed": 4})).files[0])
    cases = cases_from(analyze(run_dir), "qinghe")
    assert cases and all(c.outcome != "winner" or c.p_adjusted < 0.05 for c in cases)
    record_cases([c for c in cases if c.outcome not in {"winner", "loser"}], "qinghe")
    assert fit_prior(load_cases("qinghe")) is None
    again = run_campaign(brief, out_dir=tmp_path / "same", workers=1)
    assert {u.code: u.angle for u in load_run(again.out_dir).units.values()} == {
        u.code: u.angle for u in load_run(run_dir).units.values()
    }


def test_cli_runs_the_loop(run_dir: Path, tmp_path: Path, cli: Cli) -> None:
    truth = tmp_path / "truth.yaml"
    truth.write_text("seed: 3\ncampaign:\n  arms:\n    B: {ctr: 1.5}\n", encoding="utf-8")
    simulated = cli("results", "simulate", str(run_dir), "--truth", str(truth), "--json")
    assert simulated.exit_code == 0, simulated.output
    files = json.loads(simulated.stdout)["files"]
    imported = cli("results", "import", str(run_dir), *files, "--json")
    assert imported.exit_code == 0 and json.loads(imported.stdout)[0]["join_rate"] == 1.0
    again = cli("results", "import", str(run_dir), *files)
    assert again.exit_code == 0 and "already imported, nothing changed" in again.stdout
    analysed = cli("results", "analyze", str(run_dir), "--correction", "bh", "--json")
    assert analysed.exit_code == 0 and json.loads(analysed.stdout)["correction"] == "bh"
    text = cli("results", "analyze", str(run_dir))
    assert text.exit_code == 0 and "SIMULATION" in text.stdout and "by segment × channel" in text.stdout
    reported = cli("results", "report", str(run_dir), "--json")
    assert reported.exit_code == 0 and Path(json.loads(reported.stdout)["html"]).is_file()
    learned = cli("results", "learn", str(run_dir), "--json")
    assert learned.exit_code == 0 and json.loads(learned.stdout)["winners"] >= 1
    wrong = cli("results", "import", str(run_dir), str(truth))
    assert wrong.exit_code == 1 and "Error:" in wrong.stderr and "unsupported table format" in wrong.stderr
    bad = cli("results", "analyze", str(tmp_path))
    assert bad.exit_code == 1 and "not a run folder" in bad.stderr


def test_correction_spans_the_whole_run_by_default(run_dir: Path) -> None:
    import_file(run_dir, simulate(run_dir, Truth.model_validate({"seed": 4})).files[0])
    per_run = {(x.experiment, x.metric, x.arm): x for e in analyze(run_dir).experiments for x in e.lifts}
    per_experiment = analyze(run_dir, family="experiment")
    for experiment in per_experiment.experiments:
        for lift in experiment.lifts:
            wider = per_run[(lift.experiment, lift.metric, lift.arm)]
            assert wider.p_value == lift.p_value and wider.p_adjusted >= lift.p_adjusted - 1e-12
