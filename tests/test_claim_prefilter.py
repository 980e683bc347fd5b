"""The claim patterns' literal pre-checks never skip a text a pattern matches, and skip the texts it cannot."""

from __future__ import annotations

import re

import pytest

from contentgen.compliance.grounding.extract import extract_claims
from contentgen.compliance.grounding.patterns import _DISCOUNT_RES, _PROMISE_RES, _RELATIVE_RES
from contentgen.compliance.grounding.prefilter import Prefilter, needles


def test_needles_are_the_literals_every_match_contains() -> None:
    assert needles(re.compile(r"\d+\s*天(?:内)?发货")) == {("发货", False)}
    assert needles(re.compile(r"(?:包邮|免运费)")) == {("包邮", False), ("免运费", False)}
    assert needles(re.compile(r"(?i:free\s+returns?)")) == {("return", True)}
    assert needles(re.compile(r"[包免](?:邮)?")) == {("包", False), ("免", False)}
    assert needles(re.compile(r"(?:满\d+)?\d+")) is None  # every part optional or a class: nothing to require
    assert Prefilter.of(re.compile(r"\w+")).may_match("") is True


@pytest.mark.parametrize(
    "text",
    [
        "下单后四十八小时内发出，七日无忧退换",
        "收到有破损可联系客服补发",
        "满199元包邮，第二件半价",
        "Ships within 2 business days; returns accepted for 60 days",
        "FREE RETURNS on every order over $35",
        "ſhips free to all addresses",  # long s: the engine folds it to 's' under IGNORECASE
        "Only 3 days left — 20% off storewide",
    ],
)
def test_a_pattern_that_matches_a_text_is_never_skipped(text: str) -> None:
    for pattern, _ in (*_PROMISE_RES, *_DISCOUNT_RES, *_RELATIVE_RES):
        if pattern.search(text):
            assert Prefilter.of(pattern).may_match(text), (pattern.pattern[:60], text)


def test_texts_without_offers_skip_the_promise_patterns_and_claims_are_unchanged() -> None:
    plain = ["山茶花籽油滋润配方，秋冬干燥季节的好帮手", "A bright, floral oolong for slow afternoons"]
    for text in plain:
        assert not any(Prefilter.of(p).may_match(text) for p, _ in _PROMISE_RES), text
    offer = "下单即送旅行装小样，三天内发货"
    assert any(Prefilter.of(p).may_match(offer) for p, _ in _PROMISE_RES)
    kinds = {claim.kind for claim in extract_claims(offer, "zh-CN")}
    assert "promise" in kinds
