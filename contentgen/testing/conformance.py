"""Conformance suites, one per provider kind, shared by built-in and third-party providers.

Use in a test module::

    class TestMyText(TextProviderTests):
        provider_name = "my-llm"          # as registered in the entry point
        @pytest.fixture
        def provider(self) -> TextProvider:
            return MyTextProvider({"model": "..."})
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest

from contentgen.errors import ConfigError
from contentgen.providers import (
    Audio,
    Embedder,
    ImageProvider,
    ImageRequest,
    Provider,
    SpeechProvider,
    SpeechRequest,
    TextProvider,
    TextRequest,
    available,
    provider_class,
)


class _ProviderTests:
    provider_name: ClassVar[str]
    kind: ClassVar[str]

    def test_registered_under_its_name(self, provider: Provider) -> None:
        assert self.provider_name in available(provider.kind)
        assert provider_class(provider.kind, self.provider_name) is type(provider)
        assert provider.name == self.provider_name
        assert provider.kind == self.kind

    def test_unknown_option_is_an_error(self, provider: Provider) -> None:
        with pytest.raises(ConfigError, match="no_such_option"):
            type(provider)({"no_such_option": 1})

    def test_info_describes_the_provider(self, provider: Provider) -> None:
        info = provider.info()
        assert info.kind == self.kind and info.name == self.provider_name
        assert "api_key" not in info.options


class TextProviderTests(_ProviderTests):
    kind = "text"
    deterministic: ClassVar[bool] = True

    def requests(self) -> list[TextRequest]:
        """Requests this provider can serve; override for providers that need a task context."""
        return [
            TextRequest.from_prompt("Write one short sentence about green tea.", max_tokens=16, seed=1),
            TextRequest.from_prompt("写一句关于防晒霜的短句。", max_tokens=16, seed=2),
            TextRequest.from_prompt("Say hello.", max_tokens=8, seed=3),
        ]

    def test_one_result_per_request_in_order(self, provider: TextProvider) -> None:
        requests = self.requests()
        results = provider.generate(requests)
        assert len(results) == len(requests)
        assert all(isinstance(r.text, str) for r in results)
        single = [provider.generate([r])[0].text for r in requests]
        if self.deterministic:
            assert [r.text for r in results] == single

    def test_empty_batch(self, provider: TextProvider) -> None:
        assert provider.generate([]) == []

    def test_same_seed_same_text(self, provider: TextProvider) -> None:
        if not self.deterministic:
            pytest.skip("provider is not deterministic")
        request = self.requests()[0]
        assert provider.generate([request])[0].text == provider.generate([request])[0].text

    def test_stream_joins_to_the_text(self, provider: TextProvider) -> None:
        request = self.requests()[0]
        pieces = list(provider.stream(request))
        assert pieces
        if self.deterministic:
            assert "".join(pieces) == provider.generate([request])[0].text


class EmbedderTests(_ProviderTests):
    kind = "embed"
    related: ClassVar[tuple[str, str, str]] = ("green tea with jasmine", "jasmine green tea", "stainless steel kettle")

    def test_shape_dtype_and_unit_rows(self, provider: Embedder) -> None:
        vectors = provider.embed(["保湿面霜", "sunscreen SPF 50", ""])
        assert vectors.dtype == np.float32 and vectors.ndim == 2 and vectors.shape[0] == 3
        norms = np.linalg.norm(vectors[:2], axis=1)
        assert np.allclose(norms, 1.0, atol=1e-4)

    def test_deterministic_and_batch_independent(self, provider: Embedder) -> None:
        texts = ["a", "乌龙茶", "cold brew"]
        batch = provider.embed(texts)
        assert np.allclose(batch, provider.embed(texts), atol=1e-5)
        assert np.allclose(batch[1], provider.embed(["乌龙茶"])[0], atol=1e-4)

    def test_empty_batch(self, provider: Embedder) -> None:
        assert provider.embed([]).shape[0] == 0


class ImageProviderTests(_ProviderTests):
    kind = "image"
    size: ClassVar[tuple[int, int]] = (96, 160)

    def test_size_mode_and_order(self, provider: ImageProvider) -> None:
        w, h = self.size
        requests = [ImageRequest("tea leaves", w, h, seed=1), ImageRequest("face cream", h, w, seed=2)]
        images = provider.render(requests)
        assert [im.size for im in images] == [(w, h), (h, w)]
        assert all(im.mode == "RGB" for im in images)

    def test_seed_decides_the_image(self, provider: ImageProvider) -> None:
        w, h = self.size
        a, b = provider.render([ImageRequest("tea", w, h, seed=7), ImageRequest("tea", w, h, seed=7)])
        c = provider.render([ImageRequest("tea", w, h, seed=8)])[0]
        assert np.array_equal(np.asarray(a), np.asarray(b))
        assert not np.array_equal(np.asarray(a), np.asarray(c))

    def test_empty_batch(self, provider: ImageProvider) -> None:
        assert provider.render([]) == []

    def test_fresh_images_are_not_shared(self, provider: ImageProvider) -> None:
        """A provider that says its images are its caller's (`fresh_images`) never returns one image twice:
        a poster painted on the first would show through the second."""
        if not provider.fresh_images:
            pytest.skip("the provider does not promise fresh images; callers copy them")
        w, h = self.size
        request = ImageRequest("tea", w, h, seed=3)
        a, b = provider.render([request, request])
        c = provider.render([request])[0]
        before = np.asarray(c).copy()
        a.paste((255, 0, 255), (0, 0, w, h))
        assert a is not b and a is not c and b is not c
        assert np.array_equal(np.asarray(b), before) and np.array_equal(np.asarray(c), before)


class SpeechProviderTests(_ProviderTests):
    kind = "speech"
    #: Whether a clip comes out the same alone or in a batch (up to float rounding); else only about as long.
    batch_independent: ClassVar[bool] = True

    def test_audio_is_mono_float_and_not_silent(self, provider: SpeechProvider) -> None:
        (clip,) = provider.synthesize([SpeechRequest("欢迎来到直播间", locale="zh-CN")])
        assert isinstance(clip, Audio) and clip.sample_rate > 0
        assert clip.samples.dtype == np.float32 and clip.samples.ndim == 1
        assert clip.duration > 0.2 and float(np.abs(clip.samples).max()) > 0.01
        assert float(np.abs(clip.samples).max()) <= 1.0
        rms = float(np.sqrt(np.mean(clip.samples.astype(np.float64) ** 2)))
        assert rms > 0.003, "speech is more than a few loud clicks"

    def test_longer_text_longer_audio(self, provider: SpeechProvider) -> None:
        short, long = provider.synthesize(
            [
                SpeechRequest("Hello.", locale="en-US"),
                SpeechRequest("Hello, and welcome to the show. Today we taste three teas.", locale="en-US"),
            ]
        )
        assert long.duration > 2 * short.duration

    def test_faster_rate_shorter_audio(self, provider: SpeechProvider) -> None:
        text = "Hello, and welcome to the show. Today we taste three teas."
        normal, fast = provider.synthesize(
            [SpeechRequest(text, locale="en-US"), SpeechRequest(text, "en-US", rate=1.5)]
        )
        assert fast.duration < 0.9 * normal.duration

    def test_same_request_same_audio(self, provider: SpeechProvider) -> None:
        request = SpeechRequest("今天我们介绍三款好茶。", locale="zh-CN")
        first = provider.synthesize([request])[0]
        provider.synthesize([SpeechRequest("Something else first.", locale="en-US")])
        again = provider.synthesize([request])[0]
        assert first.sample_rate == again.sample_rate
        assert np.array_equal(first.samples, again.samples)

    def test_one_clip_per_request_in_order(self, provider: SpeechProvider) -> None:
        requests = [
            SpeechRequest("Fresh jasmine green tea.", locale="en-US"),
            SpeechRequest("欢迎来到直播间", locale="zh-CN"),
            SpeechRequest("Hello.", locale="en-US"),
        ]
        batch = provider.synthesize(requests)
        assert len(batch) == len(requests)
        for clip, request in zip(batch, requests, strict=True):
            (alone,) = provider.synthesize([request])
            assert abs(clip.duration - alone.duration) <= 0.1 * alone.duration
            if self.batch_independent:
                assert len(clip.samples) == len(alone.samples)
                assert np.allclose(clip.samples, alone.samples, atol=1e-4)

    def test_nothing_to_say_is_no_audio(self, provider: SpeechProvider) -> None:
        (clip,) = provider.synthesize([SpeechRequest("  ", locale="en-US")])
        assert clip.duration < 0.1

    def test_empty_batch(self, provider: SpeechProvider) -> None:
        assert provider.synthesize([]) == []
