"""The model-backed text providers against real things: a tiny real Llama, a loopback HTTP server, LangChain.

Nothing is mocked or patched. The transformers provider loads a 2-layer Llama with random weights and
a tokenizer trained here (saved with save_pretrained, loaded through the provider's own loading path);
the openai provider talks HTTP to an OpenAI-compatible server running on 127.0.0.1 in a thread; the
langchain provider runs langchain-core's own fake chat models and, round trip, our transformers
provider wrapped as a LangChain chat model.
"""

from __future__ import annotations

import hashlib
import json
import random
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from contentgen.errors import ConfigError, ProviderError
from contentgen.providers import Message, TextProvider, TextRequest, TextResult, create
from contentgen.providers.text.hf import TransformersTextProvider
from contentgen.providers.text.langchain import LangChainTextProvider, as_langchain
from contentgen.providers.text.openai_compat import OpenAITextProvider
from contentgen.testing.conformance import TextProviderTests
from contentgen.testing.tiny_models import build_tiny_llama, train_tiny_tokenizer

FAKE_LIST = "langchain_core.language_models.fake_chat_models:FakeListChatModel"
PROMPTS = (
    "Hi",
    "写一句关于防晒霜的短句。",
    "Write one short sentence about green tea, for a spring campaign aimed at office workers who want calm.",
    "Say hello.",
    "A gentle face cream for dry skin, with no added fragrance, and a note about the glass jar.",
)


def one_line(err: pytest.ExceptionInfo[BaseException]) -> str:
    message = str(err.value)
    assert "\n" not in message
    return message


# ---- the tiny model --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="module")
def bare_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same kind of model with a tokenizer that has neither a chat template nor a pad token."""
    return build_tiny_llama(tmp_path_factory.mktemp("tiny-bare"), chat_template=False, pad_token=False)


@pytest.fixture(scope="module")
def hf(tiny_dir: Path) -> Iterator[TransformersTextProvider]:
    provider = TransformersTextProvider({"model": str(tiny_dir)})
    yield provider
    provider.close()


@pytest.fixture(scope="module")
def reference(tiny_dir: Path) -> Any:
    """Plain transformers greedy generation for one conversation: what the provider must reproduce."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_dir, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(tiny_dir, local_files_only=True, dtype=torch.float32).eval()

    def greedy(prompt: str, n: int) -> list[int]:
        inputs = tokenizer.apply_chat_template(
            [{"role": "user", "content": prompt}], add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        with torch.inference_mode():
            out = model.generate(
                **inputs, max_new_tokens=n, do_sample=False, pad_token_id=tokenizer.pad_token_id, min_new_tokens=n
            )
        return [int(t) for t in out[0, inputs["input_ids"].shape[1] :]]

    return tokenizer, greedy


def greedy(prompt: str, max_tokens: int = 16, **kwargs: Any) -> TextRequest:
    return TextRequest.from_prompt(prompt, max_tokens=max_tokens, temperature=0.0, **kwargs)


def test_tiny_tokenizer_round_trips_cjk() -> None:
    tokenizer = train_tiny_tokenizer()
    for text in ("写一句关于防晒霜的短句。", "Fresh jasmine green tea ☕ 茉莉绿茶"):
        assert tokenizer.decode(tokenizer(text)["input_ids"]) == text


@pytest.mark.slow
class TestTransformersConformance(TextProviderTests):
    provider_name = "transformers"

    @pytest.fixture
    def provider(self, hf: TransformersTextProvider) -> TransformersTextProvider:
        return hf


@pytest.mark.slow
class TestTransformers:
    def test_greedy_is_plain_transformers_greedy(self, hf: TransformersTextProvider, reference: Any) -> None:
        tokenizer, reference_greedy = reference
        for prompt in PROMPTS[:3]:
            expected = reference_greedy(prompt, 12)
            for n in (1, 5, 12):
                result = hf.generate([greedy(prompt, n)])[0]
                assert result.text == tokenizer.decode(expected[:n], skip_special_tokens=True)
                assert result.finish_reason == "length"

    def test_batched_equals_one_by_one_greedy(self, hf: TransformersTextProvider) -> None:
        # Prompts of 4 to ~100 tokens in one batch: correct left padding changes nothing.
        requests = [greedy(p, 10 + i) for i, p in enumerate(PROMPTS)]
        batched = hf.generate(requests)
        assert batched == [hf.generate([r])[0] for r in requests]
        assert hf.generate(requests[::-1]) == batched[::-1]

    def test_order_kept_when_batch_size_is_smaller_than_the_batch(self, tiny_dir: Path) -> None:
        small = TransformersTextProvider({"model": str(tiny_dir), "batch_size": 2})
        requests = [greedy(p, 6) for p in PROMPTS] + [greedy(p + " Again.", 6) for p in PROMPTS[:2]]
        results = small.generate(requests)
        assert results == [small.generate([r])[0] for r in requests]
        assert len({r.text for r in results}) > 1

    def test_a_final_assistant_message_is_continued(self, hf: TransformersTextProvider) -> None:
        from contentgen.providers.base import Message

        assert hf.continues_assistant
        tokenizer = hf._load().tokenizer
        asked = greedy("Say a fruit.")
        started = TextRequest(messages=(*asked.messages, Message("assistant", "Apple")), max_tokens=4)
        text = tokenizer.decode(hf._prompt_ids(tokenizer, started))
        assert text.rstrip().endswith("Apple")  # no end of turn, no new assistant header after the prefill
        assert hf.generate([started])[0].text is not None

    def test_loading_prints_no_library_progress_bars(self, tiny_dir: Path, capfd: pytest.CaptureFixture[str]) -> None:
        from transformers import modeling_gguf_pytorch_utils as gguf_utils
        from transformers.utils import logging as hf_logging

        from contentgen.providers.support import library_progress_bars_off

        hf_logging.enable_progress_bar()  # the library's default, whatever an earlier test module left
        list(gguf_utils.tqdm(range(3), desc="Converting and de-quantizing GGUF tensors..."))
        assert "GGUF tensors...: 100%" in capfd.readouterr().err  # the bar the converter prints by itself
        with library_progress_bars_off():
            list(gguf_utils.tqdm(range(3), desc="Converting and de-quantizing GGUF tensors..."))
        provider = TransformersTextProvider({"model": str(tiny_dir)})
        provider.load()  # "Loading weights" is a transformers bar
        err = capfd.readouterr().err
        assert "GGUF" not in err and "Loading weights" not in err and "it/s]" not in err, err
        assert hf_logging.is_progress_bar_enabled()  # switched back on after the load
        assert provider.generate([greedy("Hi", 2)])[0].text is not None

    def test_max_new_tokens_caps_every_request(self, tiny_dir: Path, reference: Any) -> None:
        tokenizer, reference_greedy = reference
        capped = TransformersTextProvider({"model": str(tiny_dir), "max_new_tokens": 3})
        results = capped.generate([greedy(p, 50) for p in PROMPTS[:3]])
        for prompt, result in zip(PROMPTS[:3], results, strict=True):
            expected = tokenizer.decode(reference_greedy(prompt, 3), skip_special_tokens=True)
            assert result == TextResult(expected, "length")
        assert capped.generate([greedy("Hi", 0)]) == [TextResult("", "length")]

    def test_seeded_sampling_does_not_depend_on_the_batch(self, hf: TransformersTextProvider) -> None:
        def sampled(prompt: str, seed: int | None) -> TextRequest:
            return TextRequest.from_prompt(prompt, max_tokens=16, temperature=1.0, seed=seed)

        a = sampled(PROMPTS[1], 7)
        alone = hf.generate([a])[0].text
        assert hf.generate([sampled(PROMPTS[2], 1), a])[1].text == alone
        assert hf.generate([greedy(PROMPTS[0]), sampled(PROMPTS[3], 2), a, sampled(PROMPTS[4], 3)])[2].text == alone
        assert hf.generate([sampled(PROMPTS[1], 8)])[0].text != alone
        assert hf.generate([sampled(PROMPTS[1], None)])[0].text != hf.generate([sampled(PROMPTS[1], None)])[0].text

    def test_stream_joins_to_generate_for_cjk_sampling(self, hf: TransformersTextProvider) -> None:
        request = TextRequest.from_prompt("写一句关于防晒霜的短句。", max_tokens=24, temperature=0.9, seed=5)
        assert "".join(hf.stream(request)) == hf.generate([request])[0].text

    def test_abandoned_stream_releases_the_model(self, hf: TransformersTextProvider) -> None:
        stream = hf.stream(greedy(PROMPTS[2], 64))
        next(stream)
        stream.close()  # the worker stops at its next step and frees the lock
        assert hf.generate([greedy("Hi", 2)])[0].finish_reason == "length"

    def test_concurrent_callers_get_their_own_results(self, hf: TransformersTextProvider) -> None:
        requests = [greedy(p, 8) for p in PROMPTS]
        expected = hf.generate(requests)
        got: list[list[TextResult]] = []
        threads = [threading.Thread(target=lambda: got.append(hf.generate(requests))) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert got == [expected] * 3

    def test_no_chat_template_and_no_pad_token(self, bare_dir: Path) -> None:
        provider = TransformersTextProvider({"model": str(bare_dir), "device": "cpu", "dtype": "float32"})
        requests = [greedy(p, 8, system="You write ads.") for p in PROMPTS]
        assert provider.generate(requests) == [provider.generate([r])[0] for r in requests]

    def test_registry_builds_it_from_options(self, tiny_dir: Path) -> None:
        provider = create("text", "transformers", {"model": str(tiny_dir), "batch_size": 4})
        assert isinstance(provider, TransformersTextProvider)
        assert provider.info().options["batch_size"] == 4 and provider.model == str(tiny_dir)


class TestTransformersErrors:
    def test_missing_directory(self, tmp_path: Path) -> None:
        provider = TransformersTextProvider({"model": str(tmp_path / "no-such-model")})
        with pytest.raises(ProviderError, match="does not exist") as err:
            provider.complete("hi")
        assert str(tmp_path / "no-such-model") in one_line(err)

    def test_file_instead_of_directory(self, tmp_path: Path) -> None:
        (tmp_path / "model.bin").write_bytes(b"")
        with pytest.raises(ProviderError, match="not a directory"):
            TransformersTextProvider({"model": str(tmp_path / "model.bin")}).complete("hi")

    def test_directory_without_a_model(self, tmp_path: Path) -> None:
        with pytest.raises(ProviderError, match="cannot load the model") as err:
            TransformersTextProvider({"model": str(tmp_path)}).complete("hi")
        one_line(err)

    @pytest.mark.parametrize("offline", [True, False], ids=["HF_HUB_OFFLINE", "no-network"])
    def test_hub_id_that_cannot_be_fetched(self, offline: bool, monkeypatch: pytest.MonkeyPatch) -> None:
        # Without HF_HUB_OFFLINE the provider probes the hub once; pytest-socket refuses the connection.
        if offline:
            monkeypatch.setenv("HF_HUB_OFFLINE", "1")
        else:
            monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        repo = "contentgen-tests/no-such-model-3f9a"
        started = time.monotonic()
        with pytest.raises(ProviderError) as err:
            TransformersTextProvider({"model": repo}).complete("hi")
        message = one_line(err)
        assert f"model '{repo}' is not a local directory" in message
        assert "hub cannot be reached (offline" in message and f"hf download {repo}" in message
        assert time.monotonic() - started < 15  # no minute of download retries

    @pytest.mark.parametrize("device", ["gpu", "cuda:x", ""])
    def test_bad_device_is_a_config_error(self, device: str) -> None:
        with pytest.raises(ConfigError, match="device"):
            TransformersTextProvider({"model": "m", "device": device})

    def test_unavailable_device(self, tmp_path: Path) -> None:
        import torch

        if torch.cuda.is_available():
            pytest.skip("this machine has CUDA")
        with pytest.raises(ProviderError, match="device 'cuda:0' was asked for") as err:
            TransformersTextProvider({"model": str(tmp_path), "device": "cuda:0"}).complete("hi")
        one_line(err)


# ---- an OpenAI-compatible server on loopback ---------------------------------------------------------

WORDS = ("fresh", "green", "tea", "calm", "afternoon", "清香", "回甘", "防晒", "夏天", "slow", "bright", "jasmine")


def fake_completion(body: dict[str, Any]) -> tuple[list[str], str]:
    """Deterministic pieces from the conversation, seed and temperature; cut at max_tokens (one piece = a token)."""
    key = json.dumps([body["messages"], body.get("seed"), body.get("temperature")], sort_keys=True)
    rng = random.Random(hashlib.sha256(key.encode()).digest())
    pieces = [(" " if i else "") + rng.choice(WORDS) for i in range(rng.randint(5, 12))]
    limit = body.get("max_tokens") or body.get("max_completion_tokens") or len(pieces)
    return (pieces[:limit], "length") if limit < len(pieces) else (pieces, "stop")


class FakeOpenAIServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), FakeOpenAIHandler)
        self.models = {"tiny-chat"}
        self.fail_next = 0  # answer that many requests with 500 first
        self.delay = 0.0
        self.api_key: str | None = None  # if set, require it
        self.bodies: list[dict[str, Any]] = []
        self.retry_counts: list[str | None] = []
        self.in_flight = self.max_in_flight = 0
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and hung up is expected here


class FakeOpenAIHandler(BaseHTTPRequestHandler):
    server: FakeOpenAIServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self.send_json(status, {"error": {"message": message, "type": "invalid_request_error"}}, headers)

    def do_GET(self) -> None:
        if self.path == "/v1/models":
            models = [{"id": m, "object": "model", "created": 0, "owned_by": "t"} for m in sorted(self.server.models)]
            self.send_json(200, {"object": "list", "data": models})
        else:
            self.error(404, f"no route {self.path}")

    def do_POST(self) -> None:
        server = self.server
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with server.lock:
            server.bodies.append(body)
            server.retry_counts.append(self.headers.get("x-stainless-retry-count"))
            server.in_flight += 1
            server.max_in_flight = max(server.max_in_flight, server.in_flight)
            failing = server.fail_next > 0
            server.fail_next -= failing
        try:
            time.sleep(server.delay)
            if self.path != "/v1/chat/completions":
                return self.error(404, f"no route {self.path}")
            if server.api_key and self.headers.get("Authorization") != f"Bearer {server.api_key}":
                return self.error(401, "Incorrect API key provided")
            if body["model"] not in server.models:
                return self.error(404, f"The model `{body['model']}` does not exist.")
            if failing:
                return self.error(500, "the GPU caught fire", {"retry-after-ms": "1"})
            pieces, finish = fake_completion(body)
            if body.get("stream"):
                return self.send_stream(body["model"], pieces, finish)
            message = {"role": "assistant", "content": "".join(pieces)}
            self.send_json(
                200,
                {
                    "id": "chatcmpl-test",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"],
                    "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": len(pieces), "total_tokens": 1 + len(pieces)},
                },
            )
        finally:
            with server.lock:
                server.in_flight -= 1

    def send_stream(self, model: str, pieces: list[str], finish: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()  # HTTP/1.0: the body ends when the connection closes

        def event(delta: dict[str, str], reason: str | None = None) -> None:
            choice = {"index": 0, "delta": delta, "finish_reason": reason}
            chunk = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 0, "model": model}
            self.wfile.write(f"data: {json.dumps({**chunk, 'choices': [choice]})}\n\n".encode())
            self.wfile.flush()

        event({"role": "assistant", "content": ""})
        for piece in pieces:
            event({"content": piece})
        event({}, finish)
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    httpd = FakeOpenAIServer()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def openai_provider(server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAITextProvider]:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    provider = OpenAITextProvider({"base_url": server.base_url, "model": "tiny-chat", "concurrency": 4})
    yield provider
    provider.close()


def make_openai(server: FakeOpenAIServer, **options: Any) -> OpenAITextProvider:
    return OpenAITextProvider({"base_url": server.base_url, "model": "tiny-chat", **options})


@pytest.mark.slow
class TestOpenAIConformance(TextProviderTests):
    provider_name = "openai"

    @pytest.fixture
    def provider(self, openai_provider: OpenAITextProvider) -> OpenAITextProvider:
        return openai_provider


@pytest.mark.slow
class TestOpenAI:
    def test_sends_the_request_fields(self, openai_provider: OpenAITextProvider, server: FakeOpenAIServer) -> None:
        request = TextRequest.from_prompt("写一句广告", system="You write ads.", max_tokens=3, temperature=0.2, seed=9)
        result = openai_provider.generate([request])[0]
        body = server.bodies[-1]
        assert body["model"] == "tiny-chat" and body["seed"] == 9
        assert body["temperature"] == 0.2 and body["max_tokens"] == 3
        assert body["messages"] == [
            {"role": "system", "content": "You write ads."},
            {"role": "user", "content": "写一句广告"},
        ]
        assert result == TextResult("".join(fake_completion(body)[0]), "length")
        openai_provider.generate([TextRequest.from_prompt("x")])
        assert "seed" not in server.bodies[-1]

    def test_max_tokens_option_caps_every_request(self, server: FakeOpenAIServer) -> None:
        provider = make_openai(server, max_tokens=5)
        provider.generate([TextRequest.from_prompt("a", max_tokens=40), TextRequest.from_prompt("b", max_tokens=2)])
        assert sorted(b["max_tokens"] for b in server.bodies[-2:]) == [2, 5]
        provider.close()

    def test_batch_is_concurrent_and_in_order(
        self, server: FakeOpenAIServer, openai_provider: OpenAITextProvider
    ) -> None:
        server.delay = 0.05
        requests = [TextRequest.from_prompt(f"prompt {i}", seed=i) for i in range(12)]
        results = openai_provider.generate(requests)
        assert 1 < server.max_in_flight <= 4
        by_prompt = {b["messages"][-1]["content"]: "".join(fake_completion(b)[0]) for b in server.bodies}
        assert [r.text for r in results] == [by_prompt[f"prompt {i}"] for i in range(12)]

    def test_retries_server_errors(self, server: FakeOpenAIServer) -> None:
        server.fail_next = 2
        provider = make_openai(server, max_retries=2)
        assert provider.complete("hello", seed=1)
        assert server.retry_counts == ["0", "1", "2"]
        provider.close()

    def test_gives_up_after_max_retries(self, server: FakeOpenAIServer) -> None:
        server.fail_next = 5
        provider = make_openai(server, max_retries=1)
        with pytest.raises(ProviderError, match=r"failed for model 'tiny-chat' \(500: the GPU caught fire; 2 tries\)"):
            provider.complete("hello")
        assert len(server.bodies) == 2
        provider.close()

    def test_unknown_model(self, server: FakeOpenAIServer) -> None:
        provider = OpenAITextProvider({"base_url": server.base_url, "model": "gpt-9"})
        with pytest.raises(ProviderError) as err:
            provider.complete("hello")
        message = one_line(err)
        assert f"the server at {server.base_url} has no model 'gpt-9' (404" in message
        assert "it serves: tiny-chat" in message
        with pytest.raises(ProviderError, match="has no model 'gpt-9'"):
            list(provider.stream(TextRequest.from_prompt("hello")))
        provider.close()

    def test_connection_refused(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        url = f"http://127.0.0.1:{port}/v1"
        provider = OpenAITextProvider({"base_url": url, "model": "tiny-chat", "max_retries": 0})
        with pytest.raises(ProviderError) as err:
            provider.generate([TextRequest.from_prompt("a"), TextRequest.from_prompt("b")])
        message = one_line(err)
        assert f"cannot connect to the OpenAI-compatible server at {url} for model 'tiny-chat'" in message
        assert "start the server" in message
        provider.close()

    def test_timeout(self, server: FakeOpenAIServer) -> None:
        server.delay = 0.5
        provider = make_openai(server, timeout=0.1, max_retries=0)
        with pytest.raises(ProviderError, match=r"did not answer for model 'tiny-chat' within 0\.1 s") as err:
            provider.complete("hello")
        assert server.base_url in one_line(err)
        provider.close()

    def test_api_key_from_the_environment_only(self, server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
        server.api_key = "sk-test-123"
        monkeypatch.delenv("CG_TEST_KEY", raising=False)
        keyless = make_openai(server, api_key_env="CG_TEST_KEY")
        with pytest.raises(ProviderError, match=r"refused the API key.*set the environment variable CG_TEST_KEY"):
            keyless.complete("hello")  # a local server gets the placeholder "EMPTY"
        keyless.close()
        monkeypatch.setenv("CG_TEST_KEY", "sk-test-123")
        keyed = make_openai(server, api_key_env="CG_TEST_KEY")
        assert keyed.complete("hello")
        assert "sk-test-123" not in keyed.info().model_dump_json()
        keyed.close()

    def test_hosted_openai_needs_a_key(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("OPENAI_API_KEY", raising=False)
        monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
        with pytest.raises(ProviderError, match="needs a key: set the environment variable OPENAI_API_KEY"):
            OpenAITextProvider({"model": "gpt-4o-mini"}).complete("hello")

    def test_bad_base_url_is_a_config_error(self) -> None:
        with pytest.raises(ConfigError, match="base_url"):
            OpenAITextProvider({"model": "m", "base_url": "localhost:8000"})


# ---- LangChain ---------------------------------------------------------------------------------------


@pytest.mark.slow
class TestLangChainConformance(TextProviderTests):
    """langchain-core's FakeListChatModel, built from an import path and kwargs like any chat model."""

    provider_name = "langchain"

    @pytest.fixture
    def provider(self) -> LangChainTextProvider:
        return LangChainTextProvider({"model": FAKE_LIST, "kwargs": {"responses": ["Fresh green tea, 清香回甘."]}})


@pytest.mark.slow
class TestLangChainRoundTripConformance(TextProviderTests):
    """Our transformers provider → a LangChain chat model → our langchain provider: the same texts."""

    provider_name = "langchain"

    @pytest.fixture
    def provider(self, hf: TransformersTextProvider) -> LangChainTextProvider:
        return LangChainTextProvider.from_model(as_langchain(hf), request_params=["temperature", "max_tokens", "seed"])

    def test_same_texts_as_the_wrapped_provider(
        self, provider: LangChainTextProvider, hf: TransformersTextProvider
    ) -> None:
        requests = self.requests()
        assert provider.generate(requests) == hf.generate(requests)


@pytest.mark.slow
class TestLangChain:
    def test_batch_keeps_order(self) -> None:
        from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

        chat = GenericFakeChatModel(messages=iter(["one", "two", "three"]))
        provider = LangChainTextProvider.from_model(chat, max_concurrency=1)
        results = provider.generate([TextRequest.from_prompt(p) for p in "abc"])
        assert [r.text for r in results] == ["one", "two", "three"]
        assert provider.model.endswith(":GenericFakeChatModel")

    def test_wrapped_provider_in_a_chain(self, hf: TransformersTextProvider) -> None:
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import ChatPromptTemplate

        chat = as_langchain(hf, temperature=0.0, max_tokens=12)
        prompt = ChatPromptTemplate.from_messages(
            [("system", "You write ads."), ("human", "One line about {product}.")]
        )
        chain = prompt | chat | StrOutputParser()
        text = chain.invoke({"product": "茉莉绿茶"})
        request = TextRequest(
            messages=(Message("system", "You write ads."), Message("user", "One line about 茉莉绿茶.")),
            max_tokens=12,
            temperature=0.0,
        )
        assert text == hf.generate([request])[0].text
        assert "".join(chain.stream({"product": "茉莉绿茶"})) == text
        assert chain.batch([{"product": "茉莉绿茶"}, {"product": "tea"}])[0] == text

    def test_call_arguments_and_stop_strings(self, hf: TransformersTextProvider) -> None:
        chat = as_langchain(hf)
        full = chat.invoke("Say hello.", temperature=0.0, max_tokens=24)
        assert full.content == hf.generate([greedy("Say hello.", 24)])[0].text
        assert full.response_metadata["finish_reason"] == "length"
        stop = str(full.content)[5:7]
        cut = chat.invoke("Say hello.", temperature=0.0, max_tokens=24, stop=[stop])
        assert cut.content == str(full.content)[: str(full.content).find(stop)]
        assert cut.response_metadata["finish_reason"] == "stop"
        pieces = chat.stream("Say hello.", temperature=0.0, max_tokens=24, stop=[stop])
        streamed = "".join(str(c.content) for c in pieces)
        assert streamed == cut.content

    def test_wraps_the_openai_provider_too(self, openai_provider: OpenAITextProvider) -> None:
        chat = as_langchain(openai_provider, seed=3, max_tokens=50)
        text = str(chat.invoke("hello").content)
        assert text == openai_provider.complete("hello", seed=3, max_tokens=50)
        assert "".join(str(c.content) for c in chat.stream("hello")) == text

    def test_contentgen_chat_model_is_importable(self, hf: TransformersTextProvider) -> None:
        from langchain_core.language_models import BaseChatModel

        from contentgen.providers.text.langchain import ContentgenChatModel

        chat = as_langchain(hf)
        assert isinstance(chat, ContentgenChatModel) and issubclass(ContentgenChatModel, BaseChatModel)
        assert chat._llm_type == "contentgen-transformers"

    def test_model_errors_become_provider_errors(self) -> None:
        provider = LangChainTextProvider(
            {"model": FAKE_LIST, "kwargs": {"responses": ["abc"], "error_on_chunk_number": 1}}
        )
        with pytest.raises(ProviderError, match=r"the LangChain model .* failed: FakeListChatModelError"):
            list(provider.stream(TextRequest.from_prompt("x")))

    @pytest.mark.parametrize(
        ("model", "kwargs", "match"),
        [
            ("no_such_module_xyz:Chat", {}, "cannot import 'no_such_module_xyz'"),
            ("langchain_core.language_models.fake_chat_models:Nope", {}, "has no 'Nope'"),
            ("collections:OrderedDict", {}, "made a OrderedDict, not a LangChain chat model"),
            (FAKE_LIST, {"bogus": 1}, "cannot build the langchain model"),
        ],
    )
    def test_bad_model_option(self, model: str, kwargs: dict[str, Any], match: str) -> None:
        with pytest.raises(ProviderError, match=match) as err:
            LangChainTextProvider({"model": model, "kwargs": kwargs}).complete("x")
        one_line(err)

    def test_secret_kwargs_stay_out_of_info(self) -> None:
        provider = LangChainTextProvider({"model": FAKE_LIST, "kwargs": {"responses": ["a"], "api_key": "sk-secret"}})
        info = provider.info()
        assert "sk-secret" not in info.model_dump_json()
        assert info.options["kwargs"]["responses"] == ["a"]

    def test_model_option_must_be_an_import_path(self) -> None:
        with pytest.raises(ConfigError, match="option 'model'"):
            LangChainTextProvider({"model": "ChatOpenAI"})


PROVIDERS: tuple[type[TextProvider], ...] = (
    TransformersTextProvider,
    OpenAITextProvider,
    LangChainTextProvider,
)


@pytest.mark.parametrize("cls", PROVIDERS, ids=lambda c: c.name)
def test_module_import_is_light(cls: type[TextProvider]) -> None:
    """Importing a provider module must not import its heavy stack (it is imported by the registry)."""
    import subprocess
    import sys

    code = (
        f"import sys; import {cls.__module__}; "
        "heavy = [m for m in ('torch', 'transformers', 'openai', 'langchain_core') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


@pytest.mark.parametrize(
    ("given", "is_path"),
    [
        ("/models/qwen", True),
        ("./qwen", True),
        ("~/qwen", True),
        ("C:\\models\\qwen", True),
        ("models/qwen/v2", True),
        ("Qwen/Qwen2.5-0.5B-Instruct", False),
        ("gpt2", False),
    ],
)
def test_a_model_name_is_a_path_or_a_hub_id(given: str, is_path: bool) -> None:
    from contentgen.providers.support import looks_like_path

    assert looks_like_path(given) is is_path
