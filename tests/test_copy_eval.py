"""`contentgen eval copy`: the counts on the offline engine and on scripted model replies."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from contentgen.domain import kit_segments, load_brand_kit, load_channels
from contentgen.pipelines.copy import CopyCell, CopyPipeline
from contentgen.pipelines.copy_eval import default_cells, evaluate_copy, parse_options
from contentgen.providers.text.template import TemplateTextProvider
from contentgen.testing import ScriptedTextProvider


def _push(body: str) -> str:
    return json.dumps({"fields": {"title": "Morning Sencha", "body": body}, "hashtags": []})


def _push_cell() -> list[CopyCell]:
    brand = load_brand_kit("morrow")
    pipeline = CopyPipeline(brand, text_provider=TemplateTextProvider())
    segment = next(s for s in kit_segments(brand) if s.id == "gen-z")
    return [CopyCell(segment, load_channels()["app-push"], (pipeline.catalog.get("MT-GRN-001"),))]


def test_offline_engine_ships_every_default_cell_traced() -> None:
    report = evaluate_copy(load_brand_kit("qinghe"), TemplateTextProvider())
    assert report.cells == len(default_cells(load_brand_kit("qinghe"), CopyPipeline(load_brand_kit("qinghe")))) == 6
    assert report.requested == 12 and report.generated == 24
    assert report.shipped == 6 and report.shipped_untraced == 0 and report.fallback == 0
    assert report.unparseable == report.blocked_adlaw == report.blocked_grounding == report.repaired == 0


def test_scripted_replies_are_counted() -> None:
    price = _push("Sencha now only $5 a tin.")  # an invented price: corrected to the catalog's, so it ships
    promise = _push("Free shipping on every order.")  # an untraced promise: blocked, and again after repairs
    absolute = _push("The best tea in the world.")  # an absolute claim: softened by the ad-law repair
    garbage = "{not json"
    fake = ScriptedTextProvider([price, promise, garbage, absolute])
    report = evaluate_copy(load_brand_kit("morrow"), fake, cells=_push_cell(), n=2)
    # 2 × 2 requests; two are ready (price, absolute) == n, so no repair round
    assert report.requested == 2 and report.cells == 1
    assert report.generated == len(fake.requests) == 4
    assert report.unparseable == 1 and report.blocked_grounding == 1 and report.blocked_adlaw == 0
    assert report.repaired == 0 and report.fallback == 0
    assert report.shipped == 1 and report.shipped_untraced == 0

    fake = ScriptedTextProvider([promise, garbage, price, garbage])
    report = evaluate_copy(load_brand_kit("morrow"), fake, cells=_push_cell(), n=1)
    # nothing ready at first: both are asked again; the promise comes back as a traced price
    assert report.generated == len(fake.requests) == 4
    assert report.repaired == 1 and report.unparseable == 1 and report.blocked_grounding == 0
    assert report.fallback == 0 and report.shipped == 1 and report.shipped_untraced == 0


def test_cell_whose_replies_never_pass_falls_back_and_ships_traced() -> None:
    fake = ScriptedTextProvider([_push("Free shipping on every order."), "I am not JSON."], repeat_last=True)
    report = evaluate_copy(load_brand_kit("morrow"), fake, cells=_push_cell(), n=1)
    assert report.fallback == 1 and report.shipped == 1 and report.shipped_untraced == 0
    assert report.unparseable == 2 and report.repaired == 0
    assert report.generated == 6 == len(fake.requests)  # 2 first tries + 2 repair rounds of 2


def test_shipped_untraced_is_found_by_the_recheck() -> None:
    from contentgen.pipelines.copy_eval import recheck

    cell = _push_cell()[0]
    pipeline = CopyPipeline(load_brand_kit("morrow"), text_provider=TemplateTextProvider())
    variant = pipeline.run([cell], n=1)[0].variants[0]
    bad = variant.model_copy(update={"fields": {**variant.fields, "body": "Free shipping, now only $5."}})
    assert any(p.startswith("claim.") for p in recheck(pipeline, cell, bad))
    assert recheck(pipeline, cell, variant) == []


def test_option_pairs_and_the_cli() -> None:
    from contentgen.cli.app import app

    assert parse_options(["max_new_tokens=48", "gguf_file=a.gguf", "sample=false"]) == {
        "max_new_tokens": 48,
        "gguf_file": "a.gguf",
        "sample": False,
    }
    result = CliRunner().invoke(app, ["eval", "copy", "--kit", "morrow", "--limit", "2", "--json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert row["cells"] == 2 and row["shipped_untraced"] == 0 and row["provider"] == "template"
    bad = CliRunner().invoke(app, ["eval", "copy", "--option", "oops"])
    assert bad.exit_code != 0 and "KEY=VALUE" in bad.output
