"""Issue-14 families, session 4: policy passages on the question's side, products asked about that the catalog does
not hold, several facts per product, follow-ups that name a new product, and the calibrated name thresholds.
Expected values come from the kit files (catalog.csv, policies/*.md) loaded here, never from the agent's answers."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from contentgen.agent import Agent, Answer, Handoff, Refusal
from contentgen.agent.calibrate import calibrate_names, write_thresholds
from contentgen.agent.names import THRESHOLDS_FILE, NameThresholds, thresholds
from contentgen.agent.policies import PolicyIndex
from contentgen.domain.product import Catalog
from contentgen.fileio import load_model

pytest_plugins = ["agent_support"]
REPO = Path(__file__).resolve().parent.parent

_SHIPPING = """# Shipping

## Changing an address

- Before your order ships you can change the address on the order page.
- After your order ships we cannot change the address; ask the carrier.
"""


def test_policy_search_prefers_the_passage_on_the_questions_side() -> None:
    before, after = r"\bbefore\b.{0,20}\bships?\b", r"\b(after|once)\b.{0,20}\bship(s|ped)?\b"
    sides = (re.compile(before, re.IGNORECASE), re.compile(after, re.IGNORECASE))
    index = PolicyIndex({"shipping": _SHIPPING})
    for question, side in (("can I change the address after it shipped", "After"), ("before it ships?", "Before")):
        found = index.search(question, ["shipping"], k=1, contrasts=[sides])
        assert found and found[0].text.startswith(side), (question, found)


def test_address_change_after_shipping_quotes_the_after_shipping_rule(qinghe: Agent) -> None:
    rule = next(
        line.strip("- ").strip()
        for line in (REPO / "brand_kits/qinghe/policies/shipping.md").read_text(encoding="utf-8").splitlines()
        if "发货后" in line and "地址" in line
    )
    outcome = qinghe.ask("发货以后还能改收货地址吗")
    assert isinstance(outcome, Answer) and rule.rstrip("。") in outcome.text, outcome


def test_peak_season_question_gets_the_peak_season_rule(morrow: Agent) -> None:
    outcome = morrow.ask("Do orders take longer during the holidays?")
    assert isinstance(outcome, Answer) and "November 15" in outcome.text, outcome


def test_topic_no_policy_answers_goes_to_a_person(qinghe: Agent) -> None:
    policies = " ".join(p.read_text(encoding="utf-8") for p in (REPO / "brand_kits/qinghe/policies").glob("*.md"))
    assert "发票" not in policies  # the shop publishes nothing about invoices
    assert isinstance(qinghe.ask("可以开发票吗"), Handoff)


def test_thing_the_catalog_lacks_is_refused_not_handed_off(morrow: Agent, catalogs: dict[str, Catalog]) -> None:
    assert not any(
        "protein" in p.name.lower() or "protein" in p.description.lower() for p in catalogs["morrow"].products
    )
    outcome = morrow.ask("Do you carry protein powder?")
    assert isinstance(outcome, Refusal) and outcome.reason == "not_in_catalog", outcome


def test_thing_the_catalog_holds_lists_those_products(morrow: Agent, catalogs: dict[str, Catalog]) -> None:
    honey = {p.sku for p in catalogs["morrow"].products if re.search(r"\bhoney\b", p.name.lower()) and p.in_stock}
    outcome = morrow.ask("Do you carry honey?")
    assert isinstance(outcome, Answer) and honey <= set(outcome.citations), outcome


def test_price_and_an_attribute_are_both_answered(morrow: Agent, catalogs: dict[str, Catalog]) -> None:
    product = catalogs["morrow"].get("MT-CBR-005")
    outcome = morrow.ask(f"{product.name}: price and caffeine?")
    assert isinstance(outcome, Answer)
    assert product.money() in outcome.text and product.attributes["Caffeine"] in outcome.text


def test_what_about_a_new_product_names_it_and_keeps_the_question_type(
    morrow: Agent, catalogs: dict[str, Catalog]
) -> None:
    lapsang = catalogs["morrow"].get("MT-BLK-006")
    morrow.ask("How much is the Yunnan Golden Snail?")
    outcome = morrow.ask("what about the Lapsang?")
    assert isinstance(outcome, Answer) and outcome.citations[0] == lapsang.sku and outcome.intent == "price"
    assert lapsang.money() in outcome.text


def test_name_thresholds_are_data_and_the_calibration_can_rewrite_them(tmp_path: Path) -> None:
    shipped = load_model(NameThresholds, THRESHOLDS_FILE)
    assert shipped == thresholds()
    calibration = calibrate_names(["morrow"])
    chosen = calibration.thresholds
    assert 0 < chosen["share"]["latin"] <= 1 and 0 < chosen["fuzzy"]["latin"] <= 100
    curve = calibration.curves["share.latin"]
    assert [p.threshold for p in curve] == sorted(p.threshold for p in curve)
    assert all(0 <= p.precision <= 1 and 0 <= p.recall <= 1 for p in curve)
    # recall cannot rise as the threshold rises
    assert all(a.recall >= b.recall for a, b in itertools.pairwise(curve))
    target = tmp_path / "names.yaml"
    target.write_text(THRESHOLDS_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    calibration.thresholds["share"]["cjk"] = shipped.share.cjk
    calibration.thresholds["fuzzy"]["cjk"] = shipped.fuzzy.cjk
    written = load_model(NameThresholds, write_thresholds(calibration, target))
    assert written.share.latin == pytest.approx(chosen["share"]["latin"])
    assert target.read_text(encoding="utf-8").startswith("#")
