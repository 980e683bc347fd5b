"""Issue-14 families, session 6: the causes behind the third blind batch's misses, each tested with fresh wording
(not the blind items'). Expected values come from the kit files loaded here, never from the agent's answers."""

from __future__ import annotations

from pathlib import Path

from contentgen.agent.evaluate import BLIND_DIR, EVAL_DIR, IN_SAMPLE, load_eval_set
from contentgen.agent.lang import load_language

pytest_plugins = ["agent_support"]
REPO = Path(__file__).resolve().parent.parent


def test_third_blind_batch_is_in_sample_and_the_blind_batch_is_the_fourth() -> None:
    assert ("blind3", "blind3") in IN_SAMPLE and BLIND_DIR == "blind4"
    labelled = load_eval_set("morrow")
    batches = {i.batch for i in labelled.items}
    assert "blind3" in batches
    blind3 = [i for i in labelled.items if i.batch == "blind3"]
    assert blind3 and not any(i.blind for i in blind3)
    has_blind4 = (EVAL_DIR / BLIND_DIR / "morrow.yaml").is_file()
    assert ("blind" in batches) == has_blind4


def test_clause_words_are_language_data() -> None:
    en, zh = load_language("en-US"), load_language("zh-CN")
    assert en.pack.cues.clauses and zh.pack.cues.clauses
    assert en.clauses("how many cups and is it caffeine free") == ["how many cups ", " is it caffeine free"]
    assert zh.clauses("漏液了，而且少发了一件") == ["漏液了", "少发了一件"]
    assert zh.clauses("多少钱") == ["多少钱"]
