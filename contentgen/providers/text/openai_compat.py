"""Any OpenAI-compatible chat completions server: vLLM, Ollama, llama.cpp, LM Studio, or a hosted API.

Select it with ``CONTENTGEN_TEXT__NAME=openai``, ``CONTENTGEN_TEXT__OPTIONS__BASE_URL=http://localhost:8000/v1``
and ``CONTENTGEN_TEXT__OPTIONS__MODEL=Qwen/Qwen2.5-7B-Instruct`` (or the same under ``[text]`` in
contentgen.toml). The API key is read from the environment variable named by ``api_key_env`` when the
client is made; it is never an option, so it never reaches a manifest. A local server usually needs
no key: when the variable is unset, the placeholder ``EMPTY`` is sent, except to api.openai.com.

The official ``openai`` client does the HTTP: its timeouts, and its retries with exponential backoff
(honouring ``Retry-After``) on connection errors, 408, 409, 429 and 5xx. A batch is sent concurrently
(``concurrency`` requests at a time); results come back in request order.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlparse

from pydantic import Field, NonNegativeInt, PositiveFloat, PositiveInt, field_validator

from contentgen.errors import MissingExtraError, ProviderError
from contentgen.providers.base import ProviderOptions, TextProvider, TextRequest, TextResult
from contentgen.providers.support import one_line

if TYPE_CHECKING:
    from openai import OpenAI

__all__ = ["OpenAIOptions", "OpenAITextProvider"]

OPENAI_URL = "https://api.openai.com/v1"


class OpenAIOptions(ProviderOptions):
    model: str = Field(min_length=1, description="the model name the server serves")
    base_url: str | None = Field(
        None, description="e.g. http://localhost:8000/v1 (vLLM), http://localhost:11434/v1 (Ollama); default: OpenAI"
    )
    api_key_env: str = Field(
        "OPENAI_API_KEY", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="environment variable holding the key"
    )
    # A local CPU server (transformers serve, llama.cpp) answers one request at a time: with `concurrency`
    # requests queued, the last waits for all before it. These defaults fit that; raise concurrency for vLLM.
    timeout: PositiveFloat = Field(120.0, description="seconds to wait for one answer, queueing at the server included")
    max_retries: NonNegativeInt = Field(2, description="retries, with backoff, on connection errors, 429 and 5xx")
    concurrency: PositiveInt = Field(4, description="requests of a batch in flight at once")
    max_tokens: PositiveInt | None = Field(None, description="a cap on every request's max_tokens (slow local servers)")

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and urlparse(value).scheme not in {"http", "https"}:
            raise ValueError("must be an http:// or https:// URL, e.g. http://localhost:8000/v1")
        return value.rstrip("/") if value else value


class OpenAITextProvider(TextProvider):
    """Chat completions from an OpenAI-compatible server, a batch sent concurrently."""

    name: ClassVar[str] = "openai"
    Options = OpenAIOptions
    options: OpenAIOptions

    def __init__(self, options: OpenAIOptions | Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self._lock = threading.Lock()
        self._client: OpenAI | None = None

    @property
    def model(self) -> str:
        return self.options.model

    @property
    def base_url(self) -> str:
        return self.options.base_url or os.environ.get("OPENAI_BASE_URL", "").rstrip("/") or OPENAI_URL

    # ---- public API ------------------------------------------------------------------------------

    def generate(self, requests: Sequence[TextRequest]) -> list[TextResult]:
        if not requests:
            return []
        client = self._connect()
        if len(requests) == 1:
            return [self._one(client, requests[0])]
        workers = min(self.options.concurrency, len(requests))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="contentgen-openai") as pool:
            futures = [pool.submit(self._one, client, r) for r in requests]
            try:
                return [f.result() for f in futures]
            except BaseException:
                for f in futures:
                    f.cancel()  # the first error wins; do not send what has not started
                raise

    def stream(self, request: TextRequest) -> Iterator[str]:
        import openai

        client = self._connect()
        sent = False
        try:
            with client.chat.completions.create(**self._params(request), stream=True) as chunks:
                for chunk in chunks:
                    delta = chunk.choices[0].delta.content if chunk.choices else None
                    if delta:
                        sent = True
                        yield delta
        except openai.APIError as err:
            raise ProviderError(self._explain(err)) from None
        if not sent:
            yield ""

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    # ---- internals -------------------------------------------------------------------------------

    def _connect(self) -> OpenAI:
        with self._lock:
            if self._client is None:
                try:
                    from openai import OpenAI
                except ImportError:
                    raise MissingExtraError("openai", "openai", f"the text provider '{self.name}'") from None
                url = self.base_url
                key = os.environ.get(self.options.api_key_env, "").strip()
                if not key:
                    if (urlparse(url).hostname or "").endswith("api.openai.com"):
                        raise ProviderError(
                            f"the OpenAI API at {url} needs a key: set the environment variable "
                            f"{self.options.api_key_env} (or point base_url at a local server)"
                        )
                    key = "EMPTY"  # local servers (vLLM, Ollama) accept any key
                self._client = OpenAI(
                    base_url=url, api_key=key, timeout=self.options.timeout, max_retries=self.options.max_retries
                )
            return self._client

    def _params(self, request: TextRequest) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.options.model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "temperature": request.temperature,
            "max_tokens": min(request.max_tokens, self.options.max_tokens or request.max_tokens),
        }
        if request.seed is not None:
            params["seed"] = request.seed
        return params

    def _one(self, client: OpenAI, request: TextRequest) -> TextResult:
        import openai

        try:
            response = client.chat.completions.create(**self._params(request))
        except openai.APIError as err:
            raise ProviderError(self._explain(err)) from None
        if not response.choices:
            raise ProviderError(f"the server at {self.base_url} answered model '{self.model}' with no choices")
        choice = response.choices[0]
        return TextResult(choice.message.content or "", choice.finish_reason or "stop")

    def _explain(self, err: Exception) -> str:
        """One line: what failed, where, and what to do about it."""
        import openai

        url, model, opts = self.base_url, self.options.model, self.options
        tries = f"{opts.max_retries + 1} tries" if opts.max_retries else "1 try"
        if isinstance(err, openai.APITimeoutError):
            return (
                f"the server at {url} did not answer for model '{model}' within {opts.timeout:g} s ({tries}); "
                f"check that it is up and not overloaded, raise the timeout option, or lower the concurrency option "
                f"({opts.concurrency}; a server without continuous batching answers one request at a time)"
            )
        if isinstance(err, openai.APIConnectionError):
            return (
                f"cannot connect to the OpenAI-compatible server at {url} for model '{model}' "
                f"({one_line(err.__cause__ or err, 120)}; {tries}); start the server "
                "(e.g. vllm serve MODEL, ollama serve) or fix the base_url option"
            )
        if isinstance(err, openai.APIStatusError):
            status, detail = err.status_code, _status_detail(err)
            if isinstance(err, openai.NotFoundError):
                return (
                    f"the server at {url} has no model '{model}' (404: {detail}){self._served()}; set the model "
                    "option to one it serves, or fix base_url (it usually ends in /v1)"
                )
            if isinstance(err, openai.AuthenticationError | openai.PermissionDeniedError):
                return (
                    f"the server at {url} refused the API key for model '{model}' ({status}: {detail}); "
                    f"set the environment variable {opts.api_key_env} to a valid key"
                )
            if isinstance(err, openai.RateLimitError):
                return (
                    f"the server at {url} kept rate-limiting model '{model}' (429 after {tries}); "
                    "lower the concurrency option or raise max_retries"
                )
            if status >= 500:
                return (
                    f"the server at {url} failed for model '{model}' ({status}: {detail}; {tries}); see the server's "
                    "log, or raise the max_retries option if it fails only now and then"
                )
            return f"the server at {url} rejected the request for model '{model}' ({status}: {detail})"
        return f"the server at {url} failed for model '{model}': {one_line(err)}"

    def _served(self) -> str:
        """', it serves: a, b' if the server lists its models, else ''."""
        try:
            client = self._connect().with_options(max_retries=0, timeout=min(self.options.timeout, 5.0))
            names = sorted(m.id for m in client.models.list())
        except Exception:
            return ""
        shown = ", ".join(names[:10]) + (" …" if len(names) > 10 else "")
        return f"; it serves: {shown}" if names else ""


def _status_detail(err: Any) -> str:
    """The server's own error message, without the client's 'Error code: 500 - ' prefix."""
    body = err.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
        if isinstance(message, str) and message:
            return one_line(message, 160)
    return one_line(re.sub(r"^Error code: \d+ - ", "", err.message), 160)
