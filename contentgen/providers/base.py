"""Provider base classes: one per kind, one abstract method each, a batch as the unit of work."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from contentgen.errors import ConfigError, ContentgenError

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

    from contentgen.domain.common import Locale

ProviderKind = Literal["text", "image", "embed", "speech"]
KINDS: tuple[ProviderKind, ...] = ("text", "image", "embed", "speech")


class ProviderOptions(BaseModel):
    """Options of a provider; subclasses add fields. A misspelt option is an error, never ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, protected_namespaces=())


class ProviderInfo(BaseModel):
    """What made an artifact, recorded in the manifest so it can be reproduced."""

    kind: ProviderKind
    name: str
    model: str | None = None
    version: str = ""
    options: dict[str, Any] = {}


class Provider(ABC):
    """Common base: validated options, a name, and a description for manifests."""

    kind: ClassVar[ProviderKind]
    name: ClassVar[str]
    Options: ClassVar[type[ProviderOptions]] = ProviderOptions

    def __init__(self, options: ProviderOptions | Mapping[str, Any] | None = None) -> None:
        if isinstance(options, ProviderOptions):
            self.options = options
            return
        try:
            self.options = self.Options.model_validate(dict(options or {}))
        except ValidationError as err:
            errors = err.errors()
            # A misspelt option also shows up as the missing real one; the typo is the cause worth naming.
            first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
            option = ".".join(str(p) for p in first["loc"]) or "options"
            valid = ", ".join(self.Options.model_fields) or "(none)"
            reason = "unknown option" if first["type"] == "extra_forbidden" else first["msg"]
            raise ConfigError(
                f"{self.kind} provider '{self.name}': option '{option}': {reason}; valid options: {valid}"
            ) from None

    @property
    def model(self) -> str | None:
        """The model this provider runs, if any (a path, hub id or server model name)."""
        return None

    def info(self) -> ProviderInfo:
        from contentgen import __version__

        return ProviderInfo(
            kind=self.kind,
            name=self.name,
            model=self.model,
            version=__version__,
            options=_redact(self.options.model_dump(mode="json")),
        )

    def load(self) -> None:
        """Load the model now rather than at the first request (a CLI shows a status line meanwhile); the default
        has nothing to load."""

    def close(self) -> None:
        """Release models, sessions or servers; the default holds nothing."""


_SECRET = re.compile(r"key|token|secret|password|credential", re.IGNORECASE)


def _redact(value: Any) -> Any:
    """Options as recorded in manifests: anything that looks like a secret is left out, at any depth."""
    if isinstance(value, dict):
        return {k: "(redacted)" if _SECRET.search(str(k)) and v else _redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


# ---- text ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class TextRequest:
    """One generation. Language models read `messages`; the template engine reads `task` and `context`."""

    messages: tuple[Message, ...]
    task: str = "chat"
    context: Mapping[str, Any] = field(default_factory=dict)
    max_tokens: int = 512
    temperature: float = 0.8
    seed: int | None = None

    @classmethod
    def from_prompt(cls, prompt: str, *, system: str | None = None, **kwargs: Any) -> TextRequest:
        messages = ((Message("system", system),) if system else ()) + (Message("user", prompt),)
        return cls(messages=messages, **kwargs)


@dataclass(frozen=True)
class TextResult:
    text: str
    finish_reason: str = "stop"


class TextProvider(Provider):
    kind: ClassVar[ProviderKind] = "text"
    continues_assistant: ClassVar[bool] = False
    """True when a request whose last message is the assistant's is continued from that text (a prefill), so the
    result is only what comes after it; the copy pipeline then starts the model's JSON reply for it."""

    @abstractmethod
    def generate(self, requests: Sequence[TextRequest]) -> list[TextResult]:
        """One result per request, in order."""

    def complete(self, prompt: str, **kwargs: Any) -> str:
        return self.generate([TextRequest.from_prompt(prompt, **kwargs)])[0].text

    def stream(self, request: TextRequest) -> Iterator[str]:
        """Text in pieces as produced (at least one, "" for empty text); streaming providers override this."""
        yield self.generate([request])[0].text


# ---- image --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageRequest:
    prompt: str
    width: int
    height: int
    seed: int = 0
    negative_prompt: str = ""
    palette: tuple[str, ...] = ()
    style: str | None = None


class ImageProvider(Provider):
    kind: ClassVar[ProviderKind] = "image"
    fresh_images: ClassVar[bool] = False
    """True when every image `render` returns is new and held by no one else, so a caller may paint on it
    instead of on a copy (posters do); False (the safe default) for a provider that may hand out one image twice."""

    @abstractmethod
    def render(self, requests: Sequence[ImageRequest]) -> list[Image.Image]:
        """One RGB image per request, of the requested size, in order."""


# ---- embeddings ---------------------------------------------------------------------------------


class Embedder(Provider):
    kind: ClassVar[ProviderKind] = "embed"

    @abstractmethod
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """A float32 array of shape (len(texts), dim) with unit-length rows."""

    def embed_one(self, text: str) -> np.ndarray:
        row: np.ndarray = self.embed([text])[0]
        return row


# ---- speech -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpeechRequest:
    text: str
    locale: Locale = "zh-CN"
    voice: str | None = None
    rate: float = 1.0


@dataclass(frozen=True)
class WordMark:
    """When a word starts in a clip: `text` as spoken (after normalisation), `start` in seconds."""

    text: str
    start: float


@dataclass(frozen=True)
class Cue:
    """A line of text timed on a track: spoken, and shown as a caption, from ``start`` to ``end`` seconds."""

    start: float
    end: float
    text: str

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ContentgenError(
                f"caption cue '{self.text[:20]}': need 0 <= start < end, got {self.start}, {self.end}"
            )
        if not self.text.strip():
            raise ContentgenError(f"caption cue at {self.start:.3f} s has no text")


@dataclass(frozen=True)
class Audio:
    """Mono float32 samples in [-1, 1]; `marks` are word start times, for providers that report them."""

    samples: np.ndarray
    sample_rate: int
    marks: tuple[WordMark, ...] = ()

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


class SpeechProvider(Provider):
    kind: ClassVar[ProviderKind] = "speech"

    @abstractmethod
    def synthesize(self, requests: Sequence[SpeechRequest]) -> list[Audio]:
        """One clip per request, in order."""
