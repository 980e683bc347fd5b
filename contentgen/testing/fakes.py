"""Scripted fake providers for your own tests: real `TextProvider` / `ImageProvider` subclasses, no model.

    from contentgen.testing import ScriptedTextProvider
    fake = ScriptedTextProvider(['{"title": "Hi", "body": "…"}', "second reply"])
    pipeline = CopyPipeline(kit, text_provider=fake)
    ...
    assert fake.requests[0].messages[-1].content.startswith("Write")

Replies are handed out in order (one per request, batch or stream); a callable reply computes the text
from the request. `stream` yields a reply in pieces of `chunk` characters, as a streaming server would.
Running out of replies is an error naming how many were scripted, never a silent repeat. They are used
directly, not registered under a provider name.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import ClassVar

from PIL import Image

from contentgen.errors import ProviderError
from contentgen.providers.base import ImageProvider, ImageRequest, TextProvider, TextRequest, TextResult

__all__ = ["ScriptedImageProvider", "ScriptedTextProvider"]

Reply = str | Callable[[TextRequest], str]


class ScriptedTextProvider(TextProvider):
    """Answers each request with the next scripted reply; keeps every request it was sent."""

    name: ClassVar[str] = "scripted"

    def __init__(self, replies: Iterable[Reply] = (), *, chunk: int = 4, repeat_last: bool = False) -> None:
        super().__init__()
        if chunk < 1:
            raise ValueError(f"chunk must be at least 1, got {chunk}")
        self.replies: list[Reply] = list(replies)
        self.chunk = chunk
        self.repeat_last = repeat_last
        self.requests: list[TextRequest] = []
        self._used = 0
        self._lock = threading.Lock()

    @property
    def model(self) -> str:
        return "scripted"

    def enqueue(self, *replies: Reply) -> None:
        """Add replies at the end of the script."""
        with self._lock:
            self.replies += replies

    def _next(self, request: TextRequest) -> str:
        with self._lock:
            self.requests.append(request)
            if self._used >= len(self.replies):
                if not (self.repeat_last and self.replies):
                    raise ProviderError(
                        f"scripted text provider: request {self._used + 1} but only {len(self.replies)} replies "
                        "were scripted; enqueue more or pass repeat_last=True"
                    )
                reply = self.replies[-1]
            else:
                reply = self.replies[self._used]
            self._used += 1
        return reply(request) if callable(reply) else reply

    def generate(self, requests: Sequence[TextRequest]) -> list[TextResult]:
        results = []
        for request in requests:
            text = self._next(request)
            # Like a real model, a reply longer than max_tokens (counted here in characters) is cut.
            finish = "length" if len(text) > request.max_tokens else "stop"
            results.append(TextResult(text[: request.max_tokens], finish))
        return results

    def stream(self, request: TextRequest) -> Iterator[str]:
        text = self.generate([request])[0].text
        if not text:
            yield ""
            return
        for start in range(0, len(text), self.chunk):
            yield text[start : start + self.chunk]


class ScriptedImageProvider(ImageProvider):
    """Plain images of the requested size (the next scripted colour, or the given images resized)."""

    name: ClassVar[str] = "scripted"

    def __init__(self, images: Iterable[str | Image.Image] = ("#808080",)) -> None:
        super().__init__()
        self.images = list(images)
        if not self.images:
            raise ValueError("give at least one colour or image")
        self.requests: list[ImageRequest] = []

    @property
    def model(self) -> str:
        return "scripted"

    def render(self, requests: Sequence[ImageRequest]) -> list[Image.Image]:
        out = []
        for request in requests:
            source = self.images[len(self.requests) % len(self.images)]
            self.requests.append(request)
            if isinstance(source, Image.Image):
                out.append(source.convert("RGB").resize((request.width, request.height)))
            else:
                out.append(Image.new("RGB", (request.width, request.height), source))
        return out
