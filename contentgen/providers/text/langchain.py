"""LangChain, both ways round.

`LangChainTextProvider` ("langchain") runs any LangChain chat model (``BaseChatModel``) as a contentgen
text provider. Name it by import path and keyword arguments::

    [text]
    name = "langchain"
    options = { model = "langchain_openai:ChatOpenAI", kwargs = { model = "gpt-4o-mini" } }

or, in Python, wrap an instance: ``LangChainTextProvider.from_model(chat_model)``. A batch goes through
``chat_model.batch`` (LangChain runs it on a thread pool), streaming through ``chat_model.stream``.
A LangChain model is configured when it is built, so the requests' temperature, max_tokens and seed
are passed as call arguments only when listed in ``request_params`` (most chat models accept
temperature and max_tokens; OpenAI-style ones also seed).

`ContentgenChatModel` goes the other way: any contentgen text provider as a LangChain chat model, for
chains and agents (``as_langchain(provider)``). LangChain's own ``batch`` calls it one conversation
at a time (on threads), so a batching provider such as transformers batches only when called
through ``provider.generate`` directly.

langchain_core is imported on first use, so this module imports without it; `ContentgenChatModel` is
built on first access (``from contentgen.providers.text.langchain import ContentgenChatModel`` works).
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator, Mapping, Sequence
from importlib import import_module
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast

from pydantic import Field, PositiveInt

from contentgen.errors import ContentgenError, MissingExtraError, ProviderError
from contentgen.providers.base import (
    Message,
    ProviderOptions,
    TextProvider,
    TextRequest,
    TextResult,
)

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

# ContentgenChatModel is importable too; it is made on first access (module __getattr__).
__all__ = ["LangChainOptions", "LangChainTextProvider", "as_langchain"]

RequestParam = Literal["temperature", "max_tokens", "seed"]
_FINISH = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "STOP": "stop", "MAX_TOKENS": "length"}


class LangChainOptions(ProviderOptions):
    model: str = Field(
        pattern=r"^[^:\s]+:[^:\s]+$",
        description="'module:ClassOrFactory' that returns a LangChain chat model, e.g. langchain_openai:ChatOpenAI",
    )
    kwargs: dict[str, Any] = Field({}, description="keyword arguments for that class or factory")
    request_params: list[RequestParam] = Field(
        [], description="request fields passed to the chat model as call arguments: temperature, max_tokens, seed"
    )
    max_concurrency: PositiveInt | None = Field(None, description="conversations of a batch in flight at once")


class LangChainTextProvider(TextProvider):
    """Any LangChain chat model as a contentgen text provider."""

    name: ClassVar[str] = "langchain"
    Options = LangChainOptions
    options: LangChainOptions

    def __init__(self, options: LangChainOptions | Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self._lock = threading.Lock()
        self._chat: BaseChatModel | None = None

    @classmethod
    def from_model(
        cls,
        chat_model: BaseChatModel,
        *,
        request_params: Sequence[RequestParam] = (),
        max_concurrency: int | None = None,
    ) -> LangChainTextProvider:
        """Wrap an existing chat model instance (its class's import path is what `info()` records)."""
        base = _langchain("BaseChatModel", "language_models")
        if not isinstance(chat_model, base):
            raise ProviderError(f"{type(chat_model).__name__} is not a LangChain chat model (BaseChatModel)")
        kind = type(chat_model)
        provider = cls(
            {
                "model": f"{kind.__module__}:{kind.__qualname__}",
                "request_params": list(request_params),
                "max_concurrency": max_concurrency,
            }
        )
        provider._chat = chat_model
        return provider

    @property
    def model(self) -> str:
        """The chat model's own model name where it has one, else its import path."""
        for attr in ("model_name", "model"):
            value = self.options.kwargs.get(attr)
            if value is None and self._chat is not None:
                value = getattr(self._chat, attr, None)
            if isinstance(value, str) and value:
                return value
        return self.options.model

    @property
    def chat_model(self) -> BaseChatModel:
        """The wrapped chat model, built from the options on first use."""
        with self._lock:
            if self._chat is None:
                self._chat = self._build()
            return self._chat

    # ---- public API ------------------------------------------------------------------------------

    def generate(self, requests: Sequence[TextRequest]) -> list[TextResult]:
        if not requests:
            return []
        chat = self.chat_model
        config: dict[str, Any] | None = None
        if self.options.max_concurrency:
            config = {"max_concurrency": self.options.max_concurrency}
        # One batch per distinct set of call arguments (one batch when request_params is empty).
        groups: dict[tuple[tuple[str, Any], ...], list[int]] = {}
        for i, request in enumerate(requests):
            groups.setdefault(tuple(self._call_kwargs(request).items()), []).append(i)
        results: list[TextResult | None] = [None] * len(requests)
        for key, indices in groups.items():
            inputs = [to_langchain_messages(requests[i].messages) for i in indices]
            with self._errors():
                outputs = chat.batch(inputs, config, **dict(key))  # type: ignore[arg-type]
            for i, output in zip(indices, outputs, strict=True):
                results[i] = TextResult(message_text(output), _finish_reason(output))
        return [r for r in results if r is not None]

    def stream(self, request: TextRequest) -> Iterator[str]:
        chat = self.chat_model
        sent = False
        with self._errors():
            for chunk in chat.stream(to_langchain_messages(request.messages), **self._call_kwargs(request)):
                piece = message_text(chunk)
                if piece:
                    sent = True
                    yield piece
        if not sent:
            yield ""

    # ---- internals -------------------------------------------------------------------------------

    def _call_kwargs(self, request: TextRequest) -> dict[str, Any]:
        values = {"temperature": request.temperature, "max_tokens": request.max_tokens, "seed": request.seed}
        return {k: values[k] for k in self.options.request_params if values[k] is not None}

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except ContentgenError:
            raise
        except Exception as err:
            detail = " ".join(str(err).split())[:200] or type(err).__name__
            raise ProviderError(f"the LangChain model '{self.model}' failed: {type(err).__name__}: {detail}") from err

    def _build(self) -> BaseChatModel:
        base = _langchain("BaseChatModel", "language_models")
        path = self.options.model
        module_name, _, attr = path.partition(":")
        try:
            target: Any = import_module(module_name)
        except ImportError as err:
            raise ProviderError(
                f"cannot import '{module_name}' for the langchain model '{path}' ({err}); install the package "
                "that provides it (e.g. pip install langchain-openai) or fix the model option"
            ) from None
        try:
            for part in attr.split("."):
                target = getattr(target, part)
        except AttributeError:
            raise ProviderError(f"'{module_name}' has no '{attr}'; fix the langchain model option '{path}'") from None
        try:
            chat = target(**self.options.kwargs)
        except Exception as err:
            detail = " ".join(str(err).split())[:200]
            raise ProviderError(
                f"cannot build the langchain model '{path}' from kwargs {sorted(self.options.kwargs)}: {detail}"
            ) from None
        if not isinstance(chat, base):
            raise ProviderError(f"'{path}' made a {type(chat).__name__}, not a LangChain chat model (BaseChatModel)")
        return cast("BaseChatModel", chat)


# ---- contentgen ⇄ LangChain messages ---------------------------------------------------------------


def to_langchain_messages(messages: Sequence[Message]) -> list[BaseMessage]:
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    return [kinds[m.role](content=m.content) for m in messages]


def from_langchain_messages(messages: Sequence[BaseMessage]) -> tuple[Message, ...]:
    """Our roles for LangChain's; tool and function results become user turns, marked as such."""
    roles: dict[str, Literal["system", "user", "assistant"]] = {
        "system": "system",
        "human": "user",
        "user": "user",
        "ai": "assistant",
        "assistant": "assistant",
    }
    out = []
    for message in messages:
        kind = getattr(message, "role", None) if message.type == "chat" else message.type
        role = roles.get(str(kind))
        text = message_text(message)
        if role is None:
            role, text = "user", f"[{kind}] {text}"
        out.append(Message(role, text))
    return tuple(out)


def message_text(message: BaseMessage) -> str:
    """The text of a message or chunk, whether its content is a string or a list of blocks."""
    text: Any = getattr(message, "text", None)
    if isinstance(text, str):  # langchain-core ≥ 1.0: a property
        return str(text)
    if callable(text):  # langchain-core 0.3: a method
        return str(text())
    content = message.content  # pragma: no cover - every supported version has .text
    if isinstance(content, str):  # pragma: no cover
        return content
    return "".join(  # pragma: no cover
        b if isinstance(b, str) else str(b.get("text", "")) for b in content if isinstance(b, str | dict)
    )


def _finish_reason(message: BaseMessage) -> str:
    meta: Mapping[str, Any] = getattr(message, "response_metadata", None) or {}
    reason = meta.get("finish_reason") or meta.get("stop_reason") or meta.get("done_reason") or "stop"
    return _FINISH.get(str(reason), str(reason))


def _langchain(name: str, module: str) -> Any:
    try:
        return getattr(import_module(f"langchain_core.{module}"), name)
    except ImportError:
        raise MissingExtraError("langchain-core", "langchain", "the langchain text provider") from None


# ---- contentgen provider → LangChain chat model -----------------------------------------------------


def as_langchain(provider: TextProvider, **defaults: Any) -> BaseChatModel:
    """`provider` as a LangChain chat model; `defaults` sets temperature, max_tokens or seed."""
    model: BaseChatModel = _chat_model_class()(provider=provider, **defaults)
    return model


def __getattr__(name: str) -> Any:
    if name == "ContentgenChatModel":
        return _chat_model_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _chat_model_class() -> type[BaseChatModel]:
    """Define ContentgenChatModel (here, so that importing this module does not import langchain_core)."""
    _langchain("BaseChatModel", "language_models")
    from langchain_core.callbacks import CallbackManagerForLLMRun
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
    from pydantic import ConfigDict

    class ContentgenChatModel(BaseChatModel):
        """A contentgen text provider as a LangChain chat model.

        ``temperature``, ``max_tokens`` and ``seed`` are the defaults of each call; a call's own
        arguments (``model.invoke(messages, temperature=0)``) win. ``stop`` strings cut the text.
        """

        model_config = ConfigDict(arbitrary_types_allowed=True)

        provider: TextProvider
        temperature: float = 0.8
        max_tokens: int = 512
        seed: int | None = None

        @property
        def _llm_type(self) -> str:
            return f"contentgen-{self.provider.name}"

        @property
        def _identifying_params(self) -> dict[str, Any]:
            return {
                "provider": self.provider.name,
                "model_name": self.provider.model,
                "temperature": self.temperature,
                "max_tokens": self.max_tokens,
                "seed": self.seed,
            }

        def _request(self, messages: list[BaseMessage], kwargs: Mapping[str, Any]) -> TextRequest:
            return TextRequest(
                messages=from_langchain_messages(messages),
                max_tokens=int(kwargs.get("max_tokens", self.max_tokens)),
                temperature=float(kwargs.get("temperature", self.temperature)),
                seed=kwargs.get("seed", self.seed),
            )

        def _generate(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: CallbackManagerForLLMRun | None = None,
            **kwargs: Any,
        ) -> ChatResult:
            result = self.provider.generate([self._request(messages, kwargs)])[0]
            text, cut = _cut_at_stop(result.text, stop)
            finish = "stop" if cut else result.finish_reason
            meta = {"finish_reason": finish, "model_name": self.provider.model}
            message = AIMessage(content=text, response_metadata=meta)
            return ChatResult(generations=[ChatGeneration(message=message, generation_info={"finish_reason": finish})])

        def _stream(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: CallbackManagerForLLMRun | None = None,
            **kwargs: Any,
        ) -> Iterator[ChatGenerationChunk]:
            stops = [s for s in stop or () if s]
            hold = max((len(s) for s in stops), default=1) - 1  # a stop string may straddle two pieces
            pending = ""
            sent = False

            def chunk(text: str) -> ChatGenerationChunk:
                generation = ChatGenerationChunk(message=AIMessageChunk(content=text))
                if run_manager is not None:
                    run_manager.on_llm_new_token(text, chunk=generation)
                return generation

            pieces = self.provider.stream(self._request(messages, kwargs))
            try:
                for piece in pieces:
                    pending += piece
                    pending, stopped = _cut_at_stop(pending, stops)
                    split = len(pending) if stopped else max(len(pending) - hold, 0)
                    ready, pending = pending[:split], pending[split:]
                    if ready:
                        sent = True
                        yield chunk(ready)
                    if stopped:
                        break
            finally:
                close = getattr(pieces, "close", None)  # stop the provider's generation early
                if close is not None:
                    close()
            if pending or not sent:
                yield chunk(pending)

    ContentgenChatModel.__module__ = __name__
    ContentgenChatModel.__qualname__ = "ContentgenChatModel"
    return ContentgenChatModel


def _cut_at_stop(text: str, stop: Sequence[str] | None) -> tuple[str, bool]:
    """`text` up to the first stop string, and whether one was found."""
    found = [i for s in stop or () if s and (i := text.find(s)) >= 0]
    return (text[: min(found)], True) if found else (text, False)
