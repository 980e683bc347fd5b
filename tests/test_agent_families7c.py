"""Issue-14 families, session 7 sweep (helper agent-c): the causes behind the misses of a fresh-wording sweep and the
leftovers of the first session-7 pass (policy-passage ranking, quality claims a record never states, policy and
price cue wordings). Fresh wording (not the eval items'), both languages where the cause applies; expected values
come from the kit files loaded here, never from the agent's answers."""

from __future__ import annotations

import re

from agent_support import policy_text

from contentgen.agent import Agent, Answer, Handoff
from contentgen.agent.lang import load_language
from contentgen.domain.product import Catalog

pytest_plugins = ["agent_support"]


def _policy_line(kit: str, name: str, pattern: str) -> str:
    """The first line of a kit's policy file that matches `pattern` (markdown bold removed)."""
    text = policy_text(kit, name)
    return next(line for line in text.replace("**", "").splitlines() if re.search(pattern, line))


def test_synonyms_are_replaced_in_one_pass_and_as_whole_words() -> None:
    en = load_language("en-US")
    # "drop it" → "drops" must not become "dropss" (the canonical word rewritten by the shorter variant "drop")
    assert en.normalize("what happens if i drop it?") == "what happens if i drops?"
    assert "dropss" not in en.normalize("what happens if i drop it?")
    assert "became" in en.normalize("it became cracked")  # "came" inside "became" is no synonym


def test_an_accident_asks_the_warranty_exclusions_not_the_products_row(morrow: Agent) -> None:
    excluded = _policy_line("morrow", "warranty", r"Accidental damage")
    out = morrow.ask("would the warranty on the gooseneck kettle cover it if i dropped it on the floor?")
    assert isinstance(out, Answer)
    assert excluded.lstrip("- ").strip() in out.text


def test_a_clock_time_is_written_as_the_policy_writes_it(morrow: Agent) -> None:
    en = load_language("en-US")
    assert en.respelled("if i order at 4pm") == "if i order at 4:00 p.m."
    assert en.respelled("ordered 11:30 am") == "ordered 11:00 a.m."
    cutoff = _policy_line("morrow", "shipping", r"usually leave the same day")
    out = morrow.ask("say i check out at 2pm, does the box still go out today?")
    assert isinstance(out, Answer)
    assert "12:00 p.m." in cutoff and "12:00 p.m." in out.text


def test_when_to_call_is_the_contact_passage(morrow: Agent) -> None:
    contact = _policy_line("morrow", "shipping", r"by phone at")
    phone = re.search(r"\(\d{3}\) \d{3}-\d{4}", contact)
    assert phone is not None
    out = morrow.ask("when is a good time to call your team?")
    assert isinstance(out, Answer)
    assert phone.group(0) in out.text


def test_a_quality_the_record_never_states_goes_to_a_person(morrow: Agent, catalogs: dict[str, Catalog]) -> None:
    mint = catalogs["morrow"].get("MT-HRB-007")
    record = " ".join([mint.description, *mint.selling_points, *mint.tags, *mint.attributes.values()]).lower()
    assert "organic" not in record  # the kit never says it
    assert isinstance(morrow.ask("so is the golden turmeric ginger organic or what"), Handoff)
    # a record that does say it still answers
    organic = catalogs["morrow"].get("MT-MAT-007")
    assert "organic" in organic.description.lower()
    morrow.reset()
    out = morrow.ask("is the kagoshima organic ceremonial matcha really organic?")
    assert isinstance(out, Answer) and organic.sku in out.text


def test_zh_quality_claim_not_in_the_record_goes_to_a_person(qinghe: Agent, catalogs: dict[str, Catalog]) -> None:
    toner = catalogs["qinghe"].get("QH-TNR-003")
    record = " ".join([toner.description, *toner.selling_points, *toner.ingredients, *toner.attributes.values()])
    assert "有机" not in record
    assert isinstance(qinghe.ask("绿茶平衡爽肤水用的是有机成分吗"), Handoff)


def test_zh_discount_wording_is_a_price_question(qinghe: Agent, catalogs: dict[str, Catalog]) -> None:
    cream = catalogs["qinghe"].get("QH-CRM-006")
    assert cream.list_price is not None
    out = qinghe.ask("多肽紧致面霜现在打几折呀")
    assert isinstance(out, Answer)
    assert f"{cream.price:g}" in out.text and f"{cream.list_price:g}" in out.text


def test_zh_leak_and_ship_today_wordings_are_policy_questions(qinghe: Agent) -> None:
    leak = _policy_line("qinghe", "returns", r"漏液")
    hours = re.search(r"签收后 (\d+) 小时内", leak)
    assert hours is not None
    out = qinghe.ask("快递到了发现精华洒了，要怎么处理")
    assert isinstance(out, Answer) and f"{hours.group(1)} 小时" in out.text
    qinghe.reset()
    cutoff = re.search(r"(\d{2}:\d{2}) 前付款", _policy_line("qinghe", "shipping", r"前付款"))
    assert cutoff is not None
    out = qinghe.ask("半夜十二点拍的今天会发吗")
    assert isinstance(out, Answer) and cutoff.group(1) in out.text


def test_a_value_that_states_only_the_other_side_is_no_answer(morrow: Agent, catalogs: dict[str, Catalog]) -> None:
    mix = catalogs["morrow"].get("MT-MAT-004")
    shelf = mix.specs["Shelf life"]
    assert "unopened" in shelf and "opening" not in shelf  # the kit gives the sealed figure only
    out = morrow.ask("sweet matcha latte mix: how long does it stay good after opening?")
    assert isinstance(out, Answer)
    assert "doesn't list" in out.text and shelf not in out.text
    # a record that gives both sides still answers with its value
    ceremonial = catalogs["morrow"].get("MT-MAT-007")
    morrow.reset()
    out = morrow.ask("how long is the kagoshima organic ceremonial matcha good after opening")
    assert isinstance(out, Answer) and ceremonial.specs["Shelf life"] in out.text
