"""Campaign briefs and plans: validation with file:line: field, stable ids, hashes that follow the inputs."""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml
from conftest import REPO, Cli

from contentgen.campaign import (
    ArtifactRecord,
    CampaignContext,
    CampaignPlan,
    PlannedArtifact,
    load_campaign_brief,
    plan_campaign,
    register_deliverable,
    shipped_briefs,
    unregister_deliverable,
)
from contentgen.campaign.deliverables import Deliverable
from contentgen.errors import ContentgenError, DataError, NotFoundError

SMALL = """\
name: small
kit: {kit}
seed: 3
products: [{a}, {b}]
segments: [gen-z, silver-haired]
promotion:
  name: Spring sale
  start: 2025-03-01
  end: 2025-03-15
  discount_percent: 10
channels:
  wechat-moments:
    copy: {{n: 2}}
  sms:
    copy: {{n: 2}}
"""


def _brief(folder: Path, text: str, name: str = "brief.yaml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def kit_copy(tmp_path: Path) -> Path:
    """A writable copy of the qinghe kit beside a brief that names it by relative path."""
    target = tmp_path / "kits" / "qinghe"
    shutil.copytree(REPO / "brand_kits" / "qinghe", target)
    return target


def _hashes(plan: CampaignPlan) -> dict[str, str]:
    return {i.id: i.input_hash for i in plan.items}


@pytest.mark.parametrize("name", ["qinghe-618", "morrow-holiday"])
def test_shipped_briefs_plan(name: str) -> None:
    assert name in shipped_briefs()
    plan = plan_campaign(name)
    brief = yaml.safe_load(shipped_briefs()[name].read_text(encoding="utf-8"))
    per_channel = len(brief["products"]) * len(brief["segments"])
    counts: dict[str, int] = {}
    for deliverables in brief["channels"].values():
        for kind in deliverables:
            counts[kind] = counts.get(kind, 0) + per_channel
    assert plan.counts == counts and set(plan.stages) == set(counts) and plan.stages[0] == "copy"
    assert len({i.id for i in plan.items}) == len({i.input_hash for i in plan.items}) == sum(counts.values())
    for item in plan.items:
        assert item.id == f"{item.segment}/{item.channel}/{'+'.join(item.skus)}/{item.kind}"
        assert item.needs == []
        if item.kind == "copy":
            assert item.options == {"n": 3}
        assert {"kit", "products", "segment", "channel", "options", "brief", "providers", "prompts", "seed"} <= set(
            item.inputs
        )
    assert 0 < plan.estimate() <= min(plan.estimate(1), plan.estimate(2))  # the default picks the faster


def test_plan_is_stable_and_each_input_changes_only_its_artifacts(tmp_path: Path, kit_copy: Path) -> None:
    brief_path = _brief(tmp_path, SMALL.format(kit="kits/qinghe", a="QH-TNR-001", b="QH-SER-002"))
    first = plan_campaign(brief_path)
    assert _hashes(first) == _hashes(plan_campaign(brief_path))
    assert first.kit == "qinghe" and first.counts == {"copy": 8}

    # One product's price: only its four artifacts change, and their ids stay.
    catalog = kit_copy / "catalog.csv"
    text = catalog.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("QH-SER-002,"))
    catalog.write_text(text.replace(row, row.replace(",329,", ",319,", 1)), encoding="utf-8")
    edited = plan_campaign(brief_path)
    changed = {i for i, h in _hashes(edited).items() if _hashes(first)[i] != h}
    assert set(_hashes(edited)) == set(_hashes(first))
    assert changed == {i.id for i in first.items if i.skus == ("QH-SER-002",)} and len(changed) == 4
    assert all(
        e.inputs["products"] != f.inputs["products"] and e.inputs["kit"] == f.inputs["kit"]
        for e, f in zip(edited.items, first.items, strict=True)
        if e.id in changed
    )

    # The palette is not something copy reads; a banned word is.
    kit_yaml = kit_copy / "kit.yaml"
    kit_text = kit_yaml.read_text(encoding="utf-8")
    kit_yaml.write_text(kit_text.replace('primary: "#3D7A4F"', 'primary: "#2E6B40"'), encoding="utf-8")
    assert _hashes(plan_campaign(brief_path)) == _hashes(edited)
    kit_yaml.write_text(kit_text.replace("    - 秒杀全网\n", "    - 秒杀全网\n    - 闭眼入\n"), encoding="utf-8")
    assert not set(_hashes(plan_campaign(brief_path)).values()) & set(_hashes(edited).values())

    # Options of one channel, the seed, the promotion: exactly the artifacts that read them.
    brief_text = brief_path.read_text(encoding="utf-8")
    kit_yaml.write_text(kit_text, encoding="utf-8")
    base = _hashes(plan_campaign(brief_path))
    brief_path.write_text(brief_text.replace("  sms:\n    copy: {n: 2}", "  sms:\n    copy: {n: 4}"), encoding="utf-8")
    sms = _hashes(plan_campaign(brief_path))
    assert {i for i in base if base[i] != sms[i]} == {i for i in base if "/sms/" in i}
    # repair rounds for a model provider: an option of its own (left unset, it is not in the options at all)
    brief_path.write_text(brief_text.replace("    copy: {n: 2}\n  sms", "    copy: {n: 2, repair_tries: 0}\n  sms"))
    tries = plan_campaign(brief_path)
    assert {i for i in base if base[i] != _hashes(tries)[i]} == {i for i in base if "/wechat-moments/" in i}
    assert {json.dumps(i.options) for i in tries.items} == {'{"n": 2, "repair_tries": 0}', '{"n": 2}'}
    brief_path.write_text(brief_text.replace("discount_percent: 10", "discount_percent: 20"), encoding="utf-8")
    assert not set(_hashes(plan_campaign(brief_path)).values()) & set(base.values())


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("channels:", "chanels:"), ":11: chanels: unknown field (did you mean 'channels'?"),
        (("QH-SER-002]", "QH-SER-02]"), ":4: products[1]: unknown SKU in qinghe's catalog 'QH-SER-02' (did you mean"),
        (("silver-haired]", "silverhaired]"), ":5: segments[1]: unknown segment of kit 'qinghe' 'silverhaired'"),
        (("  sms:\n", "  mms:\n"), ":14: channels.mms: unknown channel 'mms' (did you mean 'sms'?)"),
        (
            ("{n: 2}\n  sms", "{nn: 2}\n  sms"),
            ":13: channels.wechat-moments.copy.nn: unknown field (did you mean 'n'?)",
        ),
        (("{n: 2}\n  sms", "{n: 0}\n  sms"), ":13: channels.wechat-moments.copy.n: Input should be greater than"),
        (
            ("{n: 2}\n  sms", "{n: 2, repair_tries: -1}\n  sms"),
            ":13: channels.wechat-moments.copy.repair_tries: Input should be greater than or equal to 0",
        ),
        (
            ("    copy: {n: 2}\n  sms", "    hologram: {}\n  sms"),
            ":13: channels.wechat-moments.hologram: deliverable 'hologram' is not registered (registered kinds: copy",
        ),
        (("end: 2025-03-15", "end: 2025-02-15"), ":6: promotion: end 2025-02-15 is before start 2025-03-01"),
        (("seed: 3", "seed: 3\nlocale: en-US"), ":4: locale: kit 'qinghe' writes in zh-CN, not en-US"),
        (("kit: qinghe", "kit: qinhe"), ":2: kit: unknown brand kit 'qinhe' (did you mean 'qinghe'?)"),
        (
            ("channels:\n  wechat-moments:\n    copy: {n: 2}\n  sms:\n    copy: {n: 2}\n", "channels: {}\n"),
            ":11: channels: Dictionary should have at least 1 item",
        ),
    ],
)
def test_brief_errors_name_file_line_and_field(tmp_path: Path, edit: tuple[str, str], expected: str) -> None:
    text = SMALL.format(kit="qinghe", a="QH-TNR-001", b="QH-SER-002")
    assert edit[0] in text
    path = _brief(tmp_path, text.replace(*edit, 1))
    with pytest.raises(DataError) as caught:
        plan_campaign(path)
    assert str(caught.value).startswith(str(path.resolve()))
    assert expected in str(caught.value), str(caught.value)


def test_bundles_and_derived_segments(tmp_path: Path) -> None:
    shipped = yaml.safe_load((REPO / "brand_kits" / "segments.yaml").read_text(encoding="utf-8"))
    vip = {**shipped["segments"][0], "id": "vip-loyal"}
    (tmp_path / "derived.yaml").write_text(yaml.safe_dump({"segments": [vip]}, allow_unicode=True), encoding="utf-8")
    path = _brief(
        tmp_path,
        """\
        name: bundle
        kit: morrow
        products: [[MT-GRN-001, MT-WAR-002], MT-GFT-001]
        segments_file: derived.yaml
        channels:
          email: {copy: {}}
        """,
    )
    plan = plan_campaign(path)
    assert [i.id for i in plan.items] == [
        "vip-loyal/email/MT-GRN-001+MT-WAR-002/copy",
        "vip-loyal/email/MT-GFT-001/copy",
    ]
    assert plan.items[0].skus == ("MT-GRN-001", "MT-WAR-002") and plan.items[0].options == {"n": 3}
    path.write_text(path.read_text(encoding="utf-8").replace("derived.yaml", "missing.yaml"), encoding="utf-8")
    with pytest.raises(DataError, match=r":4: segments_file: file 'missing.yaml' not found"):
        plan_campaign(path)


class NeedsCopy(Deliverable):
    kind = "needs-copy"
    needs = ("copy",)

    def make_batch(self, items: Sequence[PlannedArtifact], ctx: CampaignContext) -> list[ArtifactRecord]:
        return [self.make(item, ctx) for item in items]

    def make(self, item: PlannedArtifact, ctx: CampaignContext) -> ArtifactRecord:
        raise AssertionError("planning never makes anything")


def test_registered_kind_must_find_what_it_needs(tmp_path: Path) -> None:
    register_deliverable(NeedsCopy)
    try:
        path = _brief(
            tmp_path,
            """\
            name: needs
            kit: morrow
            products: [MT-GRN-001]
            segments: [gen-z]
            channels:
              email: {copy: {}, needs-copy: {}}
              sms: {needs-copy: {}}
            """,
        )
        with pytest.raises(DataError, match=r":7: channels.sms.needs-copy: 'needs-copy' is made from the cell's copy"):
            plan_campaign(path)
        path.write_text(path.read_text(encoding="utf-8").replace("  sms: {needs-copy: {}}\n", ""), encoding="utf-8")
        plan = plan_campaign(path)
        assert plan.stages == ["copy", "needs-copy"]
        copy, needs = plan.items
        assert needs.needs == [copy.id] and needs.inputs["needs:copy"] == copy.input_hash[:16]
    finally:
        unregister_deliverable("needs-copy")


def test_load_errors() -> None:
    with pytest.raises(NotFoundError, match="unknown campaign brief 'qinghe-61'; did you mean 'qinghe-618'"):
        load_campaign_brief("qinghe-61")
    with pytest.raises(DataError, match="file not found"):
        load_campaign_brief("nowhere/brief.yaml")


def test_cli_plan(cli: Cli, tmp_path: Path) -> None:
    result = cli("campaign", "plan", "morrow-holiday", "--out", str(tmp_path / "run"), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["counts"] == {"copy": 8, "poster": 8, "video": 4} and data["to_make"] == 20 and data["estimate_s"] > 0
    assert set(data["status"].values()) == {"new"}
    table = cli("campaign", "plan", "morrow-holiday", "--out", str(tmp_path / "run"))
    assert table.exit_code == 0 and "urban-white-collar/email/MT-GFT-001/copy" in table.stdout
    bad = _brief(tmp_path, SMALL.format(kit="qinghe", a="QH-TNR-001", b="NOPE"))
    failed = cli("campaign", "plan", str(bad))
    assert failed.exit_code == 1 and failed.stderr.startswith("Error: ") and "products[1]" in failed.stderr
    assert "Traceback" not in failed.output


def test_library_api_is_lazy_and_typed() -> None:
    import contentgen

    assert contentgen.plan_campaign is plan_campaign
    assert {"run_campaign", "plan_campaign", "load_campaign_brief", "CampaignResult"} <= set(contentgen.__all__)
    with pytest.raises(ContentgenError):
        contentgen.run_campaign("no-such-brief")
