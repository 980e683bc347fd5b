"""The model path with a real scripted chat model: langchain_core's GenericFakeChatModel through contentgen's
LangChainTextProvider. The script plays a model that invents a price cut, a discount code and a shipping promise;
verification must strip them, keep what the records say, and cite the SKUs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from contentgen.agent import Agent, Answer, Outcome, load_agent
from contentgen.catalog.store import CatalogStore
from contentgen.config import Settings
from contentgen.domain.product import Catalog, Product

pytest_plugins = ["agent_support"]
pytest.importorskip("langchain_core")

from langchain_core.callbacks import BaseCallbackHandler  # noqa: E402
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel  # noqa: E402
from langchain_core.messages import AIMessage, BaseMessage  # noqa: E402

from contentgen.providers.text.langchain import LangChainTextProvider  # noqa: E402


class Prompts(BaseCallbackHandler):
    """Keeps every prompt the chat model was sent."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def on_chat_model_start(self, serialized: dict[str, Any], messages: list[list[BaseMessage]], **_: Any) -> None:
        self.seen += [str(m.content) for batch in messages for m in batch]


def scripted(
    kit: str, replies: list[str], stores: dict[str, CatalogStore], settings: Settings
) -> tuple[Agent, Prompts]:
    prompts = Prompts()
    model = GenericFakeChatModel(messages=iter([AIMessage(content=r) for r in replies]), callbacks=[prompts])
    provider = LangChainTextProvider.from_model(model)
    return load_agent(f"{kit}-service", settings=settings, retriever=stores[kit], provider=provider), prompts


@pytest.fixture
def earl_grey(catalogs: dict[str, Catalog]) -> Product:
    return catalogs["morrow"].get("MT-BLK-002")


@pytest.fixture
def price_asked(
    stores: dict[str, CatalogStore], agent_settings: Settings, earl_grey: Product
) -> Callable[[str], tuple[Agent, Outcome]]:
    """Asks the morrow agent the price of Earl Grey Cream, its model scripted to give one reply."""

    def ask(reply: str) -> tuple[Agent, Outcome]:
        agent, _ = scripted("morrow", [reply], stores, agent_settings)
        return agent, agent.ask(f"How much is the {earl_grey.name}?")

    return ask


def test_invented_price_discount_and_shipping_are_stripped(
    stores: dict[str, CatalogStore], agent_settings: Settings, catalogs: dict[str, Catalog]
) -> None:
    product = catalogs["qinghe"].get("QH-TNR-001")
    reply = (
        f"{product.name}现价 {product.money()} [{product.sku}]。"
        "今天下单再打1折，只要12.9元！"
        "下单后24小时内送达。"
        f"它不添加酒精和香精 [{product.sku}]。"
    )
    agent, prompts = scripted("qinghe", [reply], stores, agent_settings)
    stream = agent.stream(f"我的手机号是13812345678，{product.name}多少钱？")
    pieces = list(stream)
    outcome = stream.outcome
    assert isinstance(outcome, Answer)
    assert outcome.citations == (product.sku,)
    assert product.money() in outcome.text and "酒精" in outcome.text
    for invented in ("1折", "12.9", "24小时"):
        assert invented not in outcome.text
    assert len(outcome.removed) == 2
    assert f"[{product.sku}]" not in outcome.text  # citation markers are data, not text
    assert "".join(pieces).strip() == outcome.text
    prompt = "\n".join(prompts.seen)
    assert product.sku in prompt and str(product.price) in prompt  # the records went to the model
    # personal data did not, not even masked: the masked span is left out of what the agent and its model read
    assert "13812345678" not in prompt and "5678" not in prompt and "我的手机号是" in prompt


def test_english_model_answer_keeps_only_what_the_record_says(
    earl_grey: Product, price_asked: Callable[[str], tuple[Agent, Outcome]]
) -> None:
    reply = (
        f"{earl_grey.name} is {earl_grey.money()} [{earl_grey.sku}]. "
        "Use code TEA90 for 90% off today only! "
        "It ships free overnight. "
        f"It has notes of {earl_grey.attributes['Flavor notes']} [{earl_grey.sku}]. "
        "It helps you sleep better."
    )
    _, outcome = price_asked(reply)
    assert isinstance(outcome, Answer) and outcome.citations == (earl_grey.sku,)
    assert earl_grey.money() in outcome.text and earl_grey.attributes["Flavor notes"] in outcome.text
    for invented in ("90%", "TEA90", "overnight", "sleep"):
        assert invented not in outcome.text
    assert len(outcome.removed) == 3


def test_a_model_answer_that_loses_the_asked_fact_falls_back_to_the_offline_answer(
    earl_grey: Product, price_asked: Callable[[str], tuple[Agent, Outcome]]
) -> None:
    agent, outcome = price_asked("Everything is 50% off this week and ships free worldwide!")
    assert isinstance(outcome, Answer)
    assert earl_grey.money() in outcome.text and earl_grey.sku in outcome.citations
    assert "50%" not in outcome.text
    assert outcome.removed == ("Everything is 50% off this week and ships free worldwide!",)
    assert agent.model_fallbacks == 1  # type: ignore[attr-defined]


def test_a_verified_model_answer_without_the_price_is_not_used(
    earl_grey: Product, price_asked: Callable[[str], tuple[Agent, Outcome]]
) -> None:
    reply = f"{earl_grey.name} is a lovely tea [{earl_grey.sku}]."
    _, outcome = price_asked(reply)
    assert isinstance(outcome, Answer) and earl_grey.money() in outcome.text


def test_the_model_sees_the_conversation_and_follow_ups_resolve(
    stores: dict[str, CatalogStore], agent_settings: Settings, catalogs: dict[str, Catalog]
) -> None:
    product = catalogs["qinghe"].get("QH-CLN-005")
    replies = [
        f"{product.name}适合各类肤质 [{product.sku}]。",
        f"{product.name}现价 {product.money()} [{product.sku}]。",
    ]
    agent, prompts = scripted("qinghe", replies, stores, agent_settings)
    agent.ask(f"{product.name}适合什么肤质")
    outcome = agent.ask("那它多少钱？")
    assert isinstance(outcome, Answer) and outcome.citations == (product.sku,) and product.money() in outcome.text
    assert product.name in prompts.seen[-1]  # the follow-up's prompt carries the record and the history
    assert agent.transcript()["model"]["name"] == "langchain"


def test_a_number_the_records_do_not_hold_is_left_out_even_when_it_is_no_claim(
    earl_grey: Product, price_asked: Callable[[str], tuple[Agent, Outcome]]
) -> None:
    """A year or a count the model made up is not a price or a promise, so grounding does not read it as a claim;
    it is still the model's number, not the catalog's, and the sentence goes."""
    reply = (
        f"{earl_grey.name} is {earl_grey.money()} [{earl_grey.sku}]. "
        f"We have blended {earl_grey.name} since 2018 [{earl_grey.sku}]. "
        "Most customers buy 47 of them at once."
    )
    _, outcome = price_asked(reply)
    assert isinstance(outcome, Answer)
    assert earl_grey.money() in outcome.text
    assert "2018" not in outcome.text and "47 of them" not in outcome.text
    assert len(outcome.removed) == 2


def test_echoed_questions_and_a_cut_off_fragment_are_left_out(
    earl_grey: Product, price_asked: Callable[[str], tuple[Agent, Outcome]]
) -> None:
    """What a small real model does at the end of its reply: echo the shopper's next questions, stop mid-sentence."""
    reply = f"{earl_grey.name} is {earl_grey.money()} [{earl_grey.sku}]. > Is the matcha in stock? Matcha (MT-GRN-0"
    _, outcome = price_asked(reply)
    assert isinstance(outcome, Answer)
    assert earl_grey.money() in outcome.text
    assert "?" not in outcome.text and "MT-GRN-0" not in outcome.text
    assert len(outcome.removed) == 2


def test_a_sentence_the_model_repeats_is_said_once(
    earl_grey: Product, price_asked: Callable[[str], tuple[Agent, Outcome]]
) -> None:
    """What SmolLM2 does in a loop: the same verified sentence again; the answer says it once."""
    sentence = f"{earl_grey.name} is {earl_grey.money()} [{earl_grey.sku}]. "
    _, outcome = price_asked(sentence * 3)
    assert isinstance(outcome, Answer)
    assert outcome.text.count(earl_grey.money()) == 1
    assert len(outcome.removed) == 2


# ---- support: a sentence with no number or claim word must still be what its sources say -------------------------


def test_an_off_topic_availability_sentence_to_a_po_box_question_is_removed(
    stores: dict[str, CatalogStore], agent_settings: Settings
) -> None:
    """What SmolLM2 said to a P.O. box question: no number, no product fact, and not what any source says."""
    reply = (
        "Matcha is available in all the boxes. "
        "Yes, we ship Standard orders to P.O. boxes; Expedited and Overnight cannot be delivered to them."
    )
    agent, _ = scripted("morrow", [reply], stores, agent_settings)
    outcome = agent.ask("Do you ship to P.O. boxes?")
    assert isinstance(outcome, Answer)
    assert outcome.removed == ("Matcha is available in all the boxes.",)
    assert (
        outcome.text
        == "Yes, we ship Standard orders to P.O. boxes; Expedited and Overnight cannot be delivered to them."
    )
    assert getattr(agent, "model_fallbacks", 0) == 0  # the supported paraphrase of the policy stands


def test_all_needs_the_sources_to_say_it_even_of_a_cited_product_in_stock(
    stores: dict[str, CatalogStore], agent_settings: Settings, catalogs: dict[str, Catalog]
) -> None:
    matcha = catalogs["morrow"].get("MT-MAT-001")
    assert matcha.stock > 0
    reply = f"{matcha.name} is available in all the boxes [{matcha.sku}]. It costs {matcha.money()} [{matcha.sku}]."
    agent, _ = scripted("morrow", [reply], stores, agent_settings)
    outcome = agent.ask(f"How much is the {matcha.name}?")
    assert isinstance(outcome, Answer) and matcha.money() in outcome.text
    assert outcome.removed == (f"{matcha.name} is available in all the boxes [{matcha.sku}].",)


def test_available_needs_a_cited_record_in_stock(
    stores: dict[str, CatalogStore], agent_settings: Settings, catalogs: dict[str, Catalog]
) -> None:
    sold_out = catalogs["morrow"].get("MT-MAT-003")
    assert sold_out.stock == 0
    reply = f"{sold_out.name} is available [{sold_out.sku}]. It is {sold_out.money()} [{sold_out.sku}]."
    agent, _ = scripted("morrow", [reply], stores, agent_settings)
    outcome = agent.ask(f"How much is the {sold_out.name}?")
    assert isinstance(outcome, Answer) and sold_out.money() in outcome.text
    assert "is available" not in outcome.text
    assert len(outcome.removed) == 1 and "available" in outcome.removed[0]


def test_only_unsupported_sentences_fall_back_to_the_offline_answer(
    stores: dict[str, CatalogStore], agent_settings: Settings, morrow: Agent
) -> None:
    offline = morrow.ask("Do you ship to P.O. boxes?")
    agent, _ = scripted(
        "morrow", ["Matcha is available in all the boxes. Every box is a gift."], stores, agent_settings
    )
    outcome = agent.ask("Do you ship to P.O. boxes?")
    assert isinstance(outcome, Answer) and outcome.text == offline.text and "P.O. box" in outcome.text
    assert len(outcome.removed) == 2
    assert agent.model_fallbacks == 1  # type: ignore[attr-defined]


def test_zh_sentence_the_records_and_policies_do_not_say_is_removed_and_a_paraphrase_kept(
    stores: dict[str, CatalogStore], agent_settings: Settings
) -> None:
    reply = "青禾所有门店都有售。偏远地区单笔实付满 199 元包邮。"
    agent, _ = scripted("qinghe", [reply], stores, agent_settings)
    outcome = agent.ask("偏远地区包邮吗")
    assert isinstance(outcome, Answer)
    assert outcome.removed == ("青禾所有门店都有售。",)
    assert outcome.text == "偏远地区单笔实付满 199 元包邮。"


def test_zh_product_sentence_in_the_records_words_is_kept(
    stores: dict[str, CatalogStore], agent_settings: Settings, catalogs: dict[str, Catalog]
) -> None:
    product = catalogs["qinghe"].get("QH-CLN-005")
    reply = f"{product.name}现价 {product.money()} [{product.sku}]。全国所有商场都能买到它 [{product.sku}]。"
    agent, _ = scripted("qinghe", [reply], stores, agent_settings)
    outcome = agent.ask(f"{product.name}多少钱？")
    assert isinstance(outcome, Answer) and outcome.text == f"{product.name}现价 {product.money()}。"
    assert len(outcome.removed) == 1 and "商场" in outcome.removed[0]


def test_a_sentence_that_flips_its_source_is_removed(stores: dict[str, CatalogStore], agent_settings: Settings) -> None:
    """Every word is in the shipping policy, but the policy says the opposite."""
    reply = (
        "Expedited and Overnight can be delivered to P.O. boxes. "
        "Expedited and Overnight can't be delivered to P.O. boxes."
    )
    agent, _ = scripted("morrow", [reply], stores, agent_settings)
    outcome = agent.ask("Do you ship to P.O. boxes?")
    assert isinstance(outcome, Answer)
    assert outcome.removed == ("Expedited and Overnight can be delivered to P.O. boxes.",)
    assert outcome.text == "Expedited and Overnight can't be delivered to P.O. boxes."


@pytest.mark.parametrize(
    "kit, question, reply",
    [
        ("morrow", "Do you ship to P.O. boxes?", "Yes. MORE:"),
        ("morrow", "Can I change the address on my order?", "1. Sure, here it is:"),
        ("qinghe", "偏远地区包邮吗", "好的。"),
    ],
)
def test_a_draft_of_fragments_that_say_nothing_falls_back_to_the_offline_answer(
    stores: dict[str, CatalogStore], agent_settings: Settings, kit: str, question: str, reply: str
) -> None:
    """A small model's content-free fragments ("MORE:", "1.", "Yes.") claim nothing, so no check removes them; they
    must not stand for a policy answer either."""
    offline = load_agent(f"{kit}-service", settings=agent_settings, retriever=stores[kit]).ask(question)
    agent, _ = scripted(kit, [reply], stores, agent_settings)
    outcome = agent.ask(question)
    assert isinstance(offline, Answer) and isinstance(outcome, Answer)
    assert outcome.text == offline.text
    assert agent.model_fallbacks == 1  # type: ignore[attr-defined]


def test_a_list_mark_before_a_supported_sentence_does_not_make_it_filler(
    stores: dict[str, CatalogStore], agent_settings: Settings
) -> None:
    reply = "1. We ship Standard orders to P.O. boxes; Expedited and Overnight cannot be delivered to them."
    agent, _ = scripted("morrow", [reply], stores, agent_settings)
    outcome = agent.ask("Do you ship to P.O. boxes?")
    assert isinstance(outcome, Answer) and "Standard orders to P.O. boxes" in outcome.text
    assert getattr(agent, "model_fallbacks", 0) == 0
