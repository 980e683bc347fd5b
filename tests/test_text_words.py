"""contentgen.text.words: the words the agent's support check compares, and their stems."""

from __future__ import annotations

from contentgen.agent.lang import load_language
from contentgen.agent.support import support_for
from contentgen.text.words import stem, words


def test_inflections_meet_the_records_wording() -> None:
    assert {stem(w) for w in ("ships", "shipped", "shipping", "ship")} == {"ship"}
    assert stem("priced") == stem("price") == stem("pricing")
    assert stem("boxes") == stem("box") and stem("berries") == "berry"


def test_words_keep_their_spans_and_cut_chinese_with_jieba() -> None:
    text = "青禾所有门店都有售 at $5.95."
    found = words(text)
    assert all(text[w.start : w.end].lower() == w.text for w in found)
    assert [w.text for w in found if w.han][:3] == ["青禾", "所有", "门店"]
    assert [w.text for w in found if w.number] == ["5.95"]


def test_universal_word_is_backed_only_by_what_the_sources_say_it_of() -> None:
    support = support_for(load_language("en-US"))
    policy = support.sources("Standard shipping is free on orders of $45 or more. We pack every order by hand.")
    asked = support.sources("")
    assert support.check("Standard shipping is free on orders over $45.", policy, asked, []) == []
    assert support.check("Every order is packed by hand.", policy, asked, []) == []
    reasons = support.check("Every sample is free.", policy, asked, [])
    assert reasons and all(r.startswith("unsupported:") for r in reasons)
