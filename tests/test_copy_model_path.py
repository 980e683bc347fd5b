"""The copy pipeline's model path: few-shot examples as prompt data, loops and the wrong language caught and
repaired, and the SMS budget told to the model and kept by trimming clauses. Driven by ScriptedTextProvider."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import REPO

from contentgen.domain import load_brand_kit
from contentgen.domain.loaders import load_channels
from contentgen.errors import DataError
from contentgen.pipelines.copy import CopyCell, CopyPipeline, generate_copy, shorten
from contentgen.prompts import copy_examples
from contentgen.testing import ScriptedTextProvider


def _reply(tags: list[str] | None = None, **fields: str) -> str:
    return json.dumps({"fields": fields, "hashtags": tags or []}, ensure_ascii=False)


def _rules(result: object) -> set[str]:
    from contentgen.pipelines.copy import CopyResult

    assert isinstance(result, CopyResult)
    return {f.rule for v in result.checked for f in v.findings}


# ---- few-shot examples ----------------------------------------------------------------------------


def test_shipped_examples_load_and_pass_the_checks() -> None:
    from contentgen.compliance import adlaw

    channels = load_channels()
    files = sorted((REPO / "prompts" / "copy" / "examples").glob("*/*.yaml"))
    assert len(files) >= 6
    for path in files:
        locale = path.parent.name
        loaded = copy_examples(channels[path.stem], locale)  # type: ignore[arg-type]
        assert loaded is not None and loaded.version.startswith(f"examples/{locale}/{path.stem}@v")
        for example in loaded.spec.examples:
            for name, text in example.reply.fields.items():
                found = adlaw.check(text, locale=locale, channel=path.stem, field=name)  # type: ignore[arg-type]
                assert not any(f.blocking for f in found), (path, text, found)


def _examples(root: Path, channel: str, fields: str, locale: str = "en-US") -> Path:
    """A user examples file with one example whose reply has `fields` (YAML lines `name: "text"`)."""
    folder = root / "copy" / "examples" / locale
    folder.mkdir(parents=True, exist_ok=True)
    body = "".join(f"        {line}\n" for line in fields.splitlines())
    text = f'version: 1\nexamples:\n  - brief: "a made-up product"\n    reply:\n      fields:\n{body}'
    (folder / f"{channel}.yaml").write_text(text, encoding="utf-8")
    return folder / f"{channel}.yaml"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ('title: "Hi"\nbody: "x"', "'title' is not a field of channel 'sms'"),
        ('body: "' + "word " * 20 + '"', "the channel allows 70"),
        ('body: "buy now buy now buy now buy now buy now buy now buy now buy now"', "repeats itself"),
        ('body: "立即购买这款好茶吧朋友们"', "not in English"),
        ('body: "The best tea in the world"', "best"),
    ],
)
def test_bad_example_is_a_data_error_with_file_line_and_field(tmp_path: Path, body: str, says: str) -> None:
    path = _examples(tmp_path, "sms", body)
    with pytest.raises(DataError) as err:
        copy_examples(load_channels()["sms"], "en-US", [tmp_path])
    message = str(err.value)
    assert message.startswith(f"{path}:") and "examples[0].reply.fields" in message and says in message
    assert err.value.line is not None


def test_examples_are_sent_as_turns_and_versioned(tmp_path: Path) -> None:
    fake = ScriptedTextProvider([_reply(title="Sencha, $18", body="Shizuoka Morning Sencha, $18.")], repeat_last=True)
    result = generate_copy("morrow", "gen-z", "app-push", "MT-GRN-001", n=1, text_provider=fake)
    roles = [m.role for m in fake.requests[0].messages]
    assert roles == ["system", "user", "assistant", "user"]
    shown = json.loads(fake.requests[0].messages[2].content)
    assert set(shown["fields"]) == {"title", "body"}
    assert "+examples/en-US/app-push@v1+" in result.prompt_version

    # A user prompts folder shadows the shipped examples, and its file's hash is the new version.
    _examples(tmp_path, "app-push", 'title: "Calm cup"\nbody: "A calm cup, $22."')
    pipeline = CopyPipeline(load_brand_kit("morrow"), text_provider=fake, prompts_path=[tmp_path])
    cell_result = pipeline.run([_cell(pipeline, "app-push")], n=1)[0]
    assert cell_result.prompt_version != result.prompt_version
    assert '"A calm cup, $22."' in fake.requests[-1].messages[2].content


def _cell(pipeline: CopyPipeline, channel: str) -> CopyCell:
    from contentgen.domain.loaders import resolve_segment

    return CopyCell(
        resolve_segment(pipeline.brand, "gen-z"), load_channels()[channel], (pipeline.catalog.get("MT-GRN-001"),)
    )


def test_editing_an_example_changes_only_that_channels_copy_hashes(tmp_path: Path) -> None:
    from contentgen.campaign import plan_campaign
    from contentgen.config import load_settings

    user = tmp_path / "prompts"
    shutil.copytree(REPO / "prompts" / "copy" / "examples", user / "copy" / "examples")
    settings = load_settings().model_copy(update={"prompts_path": [user]})
    before = {i.id: i.input_hash for i in plan_campaign("morrow-holiday", settings=settings).items}
    example = user / "copy" / "examples" / "en-US" / "email.yaml"
    example.write_text(example.read_text(encoding="utf-8").replace("version: 1", "version: 2"), encoding="utf-8")
    after = {i.id: i.input_hash for i in plan_campaign("morrow-holiday", settings=settings).items}
    assert before.keys() == after.keys()
    changed = {k for k in before if before[k] != after[k]}
    assert changed and all(k.split("/")[1] == "email" for k in changed)
    assert any(k.endswith("/copy") for k in changed)


# ---- repetition and the wrong language --------------------------------------------------------------


LOOP = "sip " * 12  # fits the 60-character body, so shortening cannot hide it


def test_endless_repetition_is_blocked_and_repaired() -> None:
    good = _reply(title="Sencha, $18", body="Shizuoka Morning Sencha, $18. Three cups per spoon.")
    fake = ScriptedTextProvider([_reply(title="Sencha", body=LOOP), _reply(title="Sencha", body=LOOP), good, good])
    result = generate_copy("morrow", "gen-z", "app-push", "MT-GRN-001", n=1, text_provider=fake)
    assert result.best is not None and result.repaired >= 1 and result.fallback is None
    assert "repeats itself" in fake.requests[2].messages[-1].content  # the finding is in the repair prompt


def test_endless_repetition_every_time_falls_back_to_templates() -> None:
    loop = "Buy now! " * 30
    fake = ScriptedTextProvider([_reply(text=loop)], repeat_last=True)
    result = generate_copy("morrow", "gen-z", "wechat-moments", "MT-GRN-001", n=1, text_provider=fake, repair_tries=1)
    assert result.fallback and result.provider.name == "template"
    assert result.best is not None and result.best.findings[0].rule == "copy.template_fallback"

    first = generate_copy(
        "morrow", "gen-z", "wechat-moments", "MT-GRN-001", n=1, text_provider=fake, repair_tries=0, fallback=False
    )
    assert "copy.repetition" in _rules(first) and first.best is None


def test_english_for_a_chinese_kit_is_the_wrong_language() -> None:
    english = _reply(
        ["青禾"], text="Our gentle amino acid cleanser foams softly and leaves skin comfortable every day."
    )
    chinese = _reply(["青禾"], text="积雪草氨基酸温和洁面乳，泡沫细密，洗后不紧绷，早晚都能用。")
    fake = ScriptedTextProvider([english, english, chinese, chinese])
    result = generate_copy("qinghe", "new-middle-class", "wechat-moments", "QH-CLN-001", n=1, text_provider=fake)
    assert result.best is not None and result.fallback is None and result.repaired >= 1
    repair = fake.requests[2].messages[-1].content
    assert "简体中文" in repair


def test_chinese_for_an_english_kit_is_the_wrong_language() -> None:
    fake = ScriptedTextProvider([_reply(title="好茶", body="静冈早春煎茶，一勺能泡三杯，十八美元。")], repeat_last=True)
    result = generate_copy(
        "morrow", "gen-z", "app-push", "MT-GRN-001", n=1, text_provider=fake, repair_tries=0, fallback=False
    )
    assert "copy.wrong_language" in _rules(result) and result.best is None


def test_short_names_and_mixed_text_are_not_flagged() -> None:
    from contentgen.compliance.degenerate import degenerate_findings

    assert not degenerate_findings(
        {"title": "SPF50+", "body": "青禾 App 下单，SPF50+ 防晒乳只要¥129，清爽不黏腻。"}, "zh-CN"
    )
    assert not degenerate_findings({"body": "Try the Longjing 龙井 green tea, $28, steeped at 175°F."}, "en-US")
    assert not degenerate_findings({"body": "Tea, tea, tea: $18."}, "en-US")  # a repeated word is style


# ---- the SMS budget -----------------------------------------------------------------------------------


def test_sms_prompt_gives_the_room_left_after_signature_and_opt_out() -> None:
    fake = ScriptedTextProvider([_reply(body="Sencha, now $18.")], repeat_last=True)
    result = generate_copy("morrow", "gen-z", "sms", "MT-GRN-001", n=1, text_provider=fake)
    prompt = fake.requests[0].messages[-1].content
    line = next(x for x in prompt.splitlines() if x.startswith("- body:"))
    assert "at most 20 characters" in line and '"[Morrow]" in front' in line and "Reply STOP to opt out" in line
    assert "signature and opt-out included" not in line  # the channel's own wording would mislead the model
    assert result.fallback is None and result.best is not None
    body = result.best.fields["body"]
    assert body.startswith("[Morrow] Sencha, now $18.") and body.endswith("Reply STOP to opt out")
    assert len(body) <= 70


def test_long_sms_reply_is_dropped_with_a_reason_the_repair_turn_can_act_on() -> None:
    fake = ScriptedTextProvider([_reply(body="Sencha is $18, three good cups from one spoonful of leaves")])
    fake.enqueue(_reply(body="Sencha is $18, three good cups from one spoonful of leaves"))
    result = generate_copy(
        "morrow", "gen-z", "sms", "MT-GRN-001", n=1, text_provider=fake, repair_tries=0, fallback=False
    )
    assert result.best is None  # never cut to "Sencha is $18": a clause may carry the offer's conditions
    reasons = {d.reason for d in result.dropped}
    assert reasons == {
        "field 'body' is 58 chars; write at most 20 (the rest of the channel's limit is the text added "
        "for you), in one short sentence"
    }


def test_shorten_drops_whole_sentences_never_a_clause() -> None:
    """A clause cut would turn a conditional offer into an unconditional one; the repair turn rewrites instead."""
    assert shorten("One. Two three four.", 5) == "One."
    assert shorten("全场限时8折，仅限会员首单使用", 8) is None
    assert shorten("Save 20% on all teas (members only, ends Sunday)", 20) is None
    assert shorten("Sencha is $18, steamed within hours", 14) is None
    assert shorten("Unbreakableword", 5) is None


def test_broken_characters_are_blocked_as_garbled() -> None:
    from contentgen.compliance.degenerate import GARBLED_RULE, degenerate_findings

    for noise in ("Q\ufffd\ufffdra%!lloitit", "\x12LK~`=aBGP", "tea\ue000time"):
        (finding,) = degenerate_findings({"body": noise}, "en-US")
        assert finding.rule == GARBLED_RULE and finding.severity.name == "BLOCK" and finding.field == "body"
    fine = {"body": "Sencha, now $18.\nReply STOP 🍵👩\u200d👩\u200d👧\ufe0f", "title": "煎茶\t新品"}
    assert all(f.rule != GARBLED_RULE for f in degenerate_findings(fine, "en-US"))
