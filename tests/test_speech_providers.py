"""Speech providers: espeak-ng (the offline default) and a real, tiny, random VITS model through transformers.

Nothing is mocked. espeak is measured on its audio (duration, level, pitch, determinism, word marks); the
VITS provider loads a model built here from the real transformers classes (random weights, a VitsTokenizer
over a vocabulary written here, saved with save_pretrained) and is checked against plain transformers.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from contentgen.domain.common import Locale
from contentgen.errors import ConfigError, MissingExtraError, NotFoundError, ProviderError
from contentgen.providers import Audio, SpeechRequest, create
from contentgen.providers.speech.espeak import EspeakSpeechProvider, resolve_voice
from contentgen.providers.speech.hf import TransformersSpeechProvider
from contentgen.providers.speech.normalize import normalize_for_speech, number_to_words
from contentgen.testing.conformance import SpeechProviderTests

ZH = "欢迎来到直播间，今天我们介绍三款好茶。"
EN = "Hello, and welcome to the show. Today we taste three teas."


def rms_db(samples: np.ndarray) -> float:
    return 10 * float(np.log10(np.mean(samples.astype(np.float64) ** 2) + 1e-20))


def median_pitch(clip: Audio) -> float:
    """Median fundamental frequency (Hz) over loud 40 ms frames, by autocorrelation in 70–400 Hz."""
    frame = int(0.04 * clip.sample_rate)
    lo, hi = clip.sample_rate // 400, clip.sample_rate // 70
    loudest = max(rms_db(clip.samples[i : i + frame]) for i in range(0, len(clip.samples) - frame, frame))
    pitches = []
    for i in range(0, len(clip.samples) - frame, frame):
        x = clip.samples[i : i + frame].astype(np.float64)
        if rms_db(x) < loudest - 15:
            continue
        x = x - x.mean()
        corr = np.correlate(x, x, "full")[frame - 1 :]
        lag = lo + int(np.argmax(corr[lo:hi]))
        if corr[lag] > 0.3 * corr[0]:
            pitches.append(clip.sample_rate / lag)
    return float(np.median(pitches))


# ---- espeak --------------------------------------------------------------------------------------------


class TestEspeakConformance(SpeechProviderTests):
    provider_name = "espeak"

    @pytest.fixture
    def provider(self) -> EspeakSpeechProvider:
        return EspeakSpeechProvider()


@pytest.fixture(scope="module")
def espeak() -> EspeakSpeechProvider:
    return EspeakSpeechProvider()


def test_speaks_mandarin_and_english_at_a_speaking_pace(espeak: EspeakSpeechProvider) -> None:
    zh, en = espeak.synthesize([SpeechRequest(ZH, locale="zh-CN"), SpeechRequest(EN, locale="en-US")])
    assert zh.sample_rate == en.sample_rate == 22050
    # Mandarin is spoken at 3–6 syllables a second, English at 2–4 words a second (175 wpm ≈ 2.9).
    assert 17 / 6 < zh.duration < 17 / 3, zh.duration
    assert 11 / 4 < en.duration < 11 / 2, en.duration
    for clip in (zh, en):
        assert rms_db(clip.samples) > -35
        assert float(np.abs(clip.samples).max()) < 1.0  # the default volume leaves headroom: nothing clips


def test_rate_scales_the_speaking_time(espeak: EspeakSpeechProvider) -> None:
    normal, fast, slow = espeak.synthesize(
        [SpeechRequest(EN, "en-US"), SpeechRequest(EN, "en-US", rate=1.5), SpeechRequest(EN, "en-US", rate=0.75)]
    )
    assert 0.55 < fast.duration / normal.duration < 0.85
    assert 1.15 < slow.duration / normal.duration < 1.5


def test_same_samples_whatever_was_spoken_before_or_beside(espeak: EspeakSpeechProvider) -> None:
    request = SpeechRequest(ZH, "zh-CN")
    (first,) = espeak.synthesize([request])
    espeak.synthesize([SpeechRequest(EN, "en-US", voice="en-gb+f3", rate=1.3)])
    _, batched = espeak.synthesize([SpeechRequest("先说一句别的。"), request])
    assert np.array_equal(first.samples, batched.samples)
    assert first.marks == batched.marks


def test_calls_from_many_threads_are_serialised(espeak: EspeakSpeechProvider) -> None:
    requests = [SpeechRequest(f"第{i}号好茶", "zh-CN") for i in range(6)]
    expected = [clip.samples for clip in espeak.synthesize(requests)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda r: espeak.synthesize([r])[0].samples, requests * 2))
    assert all(np.array_equal(a, b) for a, b in zip(results, expected * 2, strict=True))


def test_voice_variant_and_pitch_change_the_voice(espeak: EspeakSpeechProvider) -> None:
    us, gb, female = espeak.synthesize(
        [SpeechRequest(EN, "en-US"), SpeechRequest(EN, "en-US", voice="en-gb"), SpeechRequest(EN, voice="en-us+f3")]
    )
    assert not np.array_equal(us.samples[:4000], gb.samples[:4000])
    assert median_pitch(female) > 1.3 * median_pitch(us)
    low = EspeakSpeechProvider({"pitch": 20}).synthesize([SpeechRequest(ZH)])[0]
    high = EspeakSpeechProvider({"pitch": 80}).synthesize([SpeechRequest(ZH)])[0]
    assert median_pitch(high) > 1.2 * median_pitch(low)


def test_voices_option_sets_a_locale_and_keeps_the_others() -> None:
    provider = EspeakSpeechProvider({"voices": {"zh-CN": "cmn+f3"}})
    assert provider.voices == {"zh-CN": "cmn+f3", "en-US": "en-us"}
    custom, default = (
        provider.synthesize([SpeechRequest(ZH)])[0],
        EspeakSpeechProvider().synthesize([SpeechRequest(ZH)]),
    )
    assert median_pitch(custom) > 1.3 * median_pitch(default[0])


@pytest.mark.parametrize(
    ("spec", "expected"),
    [("cmn", "sit/cmn"), ("zh", "sit/cmn"), ("en-us", "gmw/en-US"), ("en-GB", "gmw/en"), ("cmn+F3", "sit/cmn+f3")],
)
def test_voices_by_language_identifier_and_variant(spec: str, expected: str) -> None:
    assert resolve_voice(spec) == expected


def test_unknown_voice_or_variant_says_what_exists(espeak: EspeakSpeechProvider) -> None:
    with pytest.raises(NotFoundError, match="unknown espeak voice 'cnm'; did you mean 'cmn'"):
        espeak.synthesize([SpeechRequest("你好", voice="cnm")])
    with pytest.raises(NotFoundError, match="unknown espeak voice variant 'f33'; did you mean 'f3'"):
        espeak.synthesize([SpeechRequest("你好", voice="cmn+f33")])
    with pytest.raises(ConfigError, match=r"option 'voices.en-US': unknown espeak voice 'english'"):
        EspeakSpeechProvider({"voices": {"en-US": "english"}})


@pytest.mark.parametrize("options", [{"rate": 60}, {"pitch": 101}, {"voices": {"fr-FR": "fr"}}])
def test_invalid_options_name_the_option(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=f"option '{next(iter(options))}"):
        EspeakSpeechProvider(options)


def test_rate_outside_what_espeak_speaks_is_an_error(espeak: EspeakSpeechProvider) -> None:
    with pytest.raises(ConfigError, match=r"rate 3 gives 525 words a minute.*0\.46 to 2\.57"):
        espeak.synthesize([SpeechRequest("hi", "en-US", rate=3)])


def test_word_marks_follow_the_words(espeak: EspeakSpeechProvider) -> None:
    text = "Fresh jasmine green tea, brewed slow for a calm afternoon."
    en, zh = espeak.synthesize([SpeechRequest(text, "en-US"), SpeechRequest(ZH, "zh-CN")])
    # Every word is in a mark, in order; espeak may join an unstressed word to its neighbour ("for a").
    assert " ".join(m.text for m in en.marks) == text and len(en.marks) >= 8
    assert "".join(m.text for m in zh.marks) == ZH
    for clip in (en, zh):
        starts = [m.start for m in clip.marks]
        assert starts == sorted(starts) and starts[0] < 0.05 and starts[-1] < clip.duration - 0.2
    # "calm" is about two thirds of the way through the English sentence.
    calm = next(m.start for m in en.marks if m.text == "calm")
    assert 0.55 < calm / en.duration < 0.85


def test_text_is_made_speakable_first(espeak: EspeakSpeechProvider) -> None:
    spoken, written, hashtags = espeak.synthesize(
        [SpeechRequest("到手价￥129！#夏日焕新#🔥"), SpeechRequest("到手价129元！"), SpeechRequest("#夏日焕新# 🔥✨")]
    )
    assert np.array_equal(spoken.samples, written.samples)
    assert hashtags.duration == 0
    raw = EspeakSpeechProvider({"normalize": False}).synthesize([SpeechRequest("到手价￥129！")])[0]
    assert not np.array_equal(raw.samples, written.samples)


def test_info_names_the_engine_version(espeak: EspeakSpeechProvider) -> None:
    info = espeak.info()
    assert info.model is not None and info.model.startswith("espeak-ng 1.")
    assert info.options["rate"] == 175


# ---- text normalisation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("到手价￥129！", "zh-CN", "到手价129元！"),
        ("¥1,299", "zh-CN", "1299元"),
        ("¥99-199", "zh-CN", "99到199元"),
        ("¥129/瓶", "zh-CN", "129元每瓶"),
        ("$24.99", "en-US", "24 dollars 99 cents"),
        ("$1", "en-US", "1 dollar"),
        ("$0.99", "en-US", "99 cents"),
        ("$24.00 off", "en-US", "24 dollars off"),
        ("$5/bottle", "en-US", "5 dollars per bottle"),
        ("€3.50", "zh-CN", "3.50欧元"),
        ("50%", "zh-CN", "百分之50"),
        ("50% off", "en-US", "50 percent off"),
        ("200ml", "zh-CN", "200毫升"),
        ("200 ml, 1g, 2 g", "en-US", "200 milliliters, 1 gram, 2 grams"),
        ("1.5L装", "zh-CN", "1.5升装"),
        ("50ml×2", "zh-CN", "50毫升乘2"),
        ("3~5天", "zh-CN", "3到5天"),
        ("3-5 days", "en-US", "3 to 5 days"),
        ("5G手机", "zh-CN", "5G手机"),
        ("2024-06-01 上新", "zh-CN", "2024-06-01上新"),
        ("客服400-820-8820", "zh-CN", "客服400-820-8820"),
        ("#夏日焕新# 好物 #防晒 推荐", "zh-CN", "好物推荐"),
        ("New in! #SummerGlow #tea", "en-US", "New in!"),
        ("#1 best seller", "en-US", "number 1 best seller"),
        ("新品上市🔥✨ 快来👍🏻", "zh-CN", "新品上市快来"),
        ("详情见 https://example.com/a?b=1 哦", "zh-CN", "详情见哦"),
        ("Tea™ & Co®", "en-US", "Tea and Co"),
        ("and/or", "en-US", "and/or"),
    ],
)
def test_normalize_for_speech(text: str, locale: Locale, expected: str) -> None:
    assert normalize_for_speech(text, locale) == expected


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("到手价¥129，2024年新品，3.5折", "zh-CN", "到手价一百二十九元，二零二四年新品，三点五折"),
        (
            "$24.99, 1299 reviews",
            "en-US",
            "twenty four dollars ninety nine cents, one thousand two hundred ninety nine reviews",
        ),
    ],
)
def test_normalize_can_spell_numbers(text: str, locale: Locale, expected: str) -> None:
    assert normalize_for_speech(text, locale, spell_numbers=True) == expected


@pytest.mark.parametrize(
    ("number", "zh", "en"),
    [
        ("0", "零", "zero"),
        ("10", "十", "ten"),
        ("15", "十五", "fifteen"),
        ("101", "一百零一", "one hundred one"),
        ("110", "一百一十", "one hundred ten"),
        ("1005", "一千零五", "one thousand five"),
        ("10005", "一万零五", "ten thousand five"),
        ("120000", "十二万", "one hundred twenty thousand"),
        ("100010000", "一亿零一万", "one hundred million ten thousand"),
        ("3.05", "三点零五", "three point zero five"),
    ],
)
def test_number_to_words(number: str, zh: str, en: str) -> None:
    assert number_to_words(number, "zh-CN") == zh
    assert number_to_words(number, "en-US") == en


# ---- transformers (VITS) ---------------------------------------------------------------------------------

VOCAB_TEXT = "abcdefghijklmnopqrstuvwxyz '.,!?-" + ZH + "今天好茶欢迎"


def build_tiny_vits(directory: Path, *, num_speakers: int = 1, seed: int = 0) -> Path:
    """A real VitsModel with random weights and a VitsTokenizer over a vocabulary written here, saved to `directory`."""
    import torch
    from transformers import VitsConfig, VitsModel, VitsTokenizer

    directory.mkdir(parents=True, exist_ok=True)
    vocab = {"_": 0} | {c: i + 1 for i, c in enumerate(sorted(set(VOCAB_TEXT) - {"，", "。"}))}
    (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")
    tokenizer = VitsTokenizer(
        str(directory / "vocab.json"), pad_token="_", unk_token="_", phonemize=False, normalize=True
    )
    config = VitsConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        ffn_dim=16,
        flow_size=8,
        spectrogram_bins=9,
        upsample_initial_channel=8,
        upsample_rates=[8, 8],
        upsample_kernel_sizes=[16, 16],
        resblock_kernel_sizes=[3],
        resblock_dilation_sizes=[[1, 3]],
        duration_predictor_filter_channels=8,
        duration_predictor_num_flows=1,
        prior_encoder_num_flows=1,
        prior_encoder_num_wavenet_layers=1,
        posterior_encoder_num_wavenet_layers=1,
        depth_separable_num_layers=1,
        num_speakers=num_speakers,
        speaker_embedding_size=4 if num_speakers > 1 else 0,
        sampling_rate=16000,
        speaking_rate=0.25,  # random durations are short: slow the toy down to clips of speech length
    )
    torch.manual_seed(seed)
    VitsModel(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


@pytest.fixture(scope="module")
def tiny_vits(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from transformers.utils import logging

    bars = logging.is_progress_bar_enabled()
    logging.disable_progress_bar()
    try:
        yield build_tiny_vits(tmp_path_factory.mktemp("vits"))
    finally:
        if bars:  # leave the library as other test modules expect it
            logging.enable_progress_bar()


@pytest.fixture(scope="module")
def vits(tiny_vits: Path) -> TransformersSpeechProvider:
    """The tiny model for both locales, loaded once. Without duration noise a clip is as long alone as in a batch."""
    models = {"zh-CN": str(tiny_vits), "en-US": str(tiny_vits)}
    return TransformersSpeechProvider({"models": models, "noise_scale_duration": 0})


@pytest.mark.slow
class TestTransformersConformance(SpeechProviderTests):
    provider_name = "transformers"
    batch_independent = False  # the decoder's convolutions see a shorter clip's padding: its last ms differ

    @pytest.fixture
    def provider(self, vits: TransformersSpeechProvider) -> TransformersSpeechProvider:
        return vits


@pytest.mark.slow
def test_vits_sounds_as_plain_transformers_does(tiny_vits: Path) -> None:
    import torch
    from transformers import AutoTokenizer, VitsModel

    provider = create("speech", "transformers", {"model": str(tiny_vits), "seed": 7})
    assert isinstance(provider, TransformersSpeechProvider)
    (clip,) = provider.synthesize([SpeechRequest("Fresh tea, brewed slow.", "en-US")])
    tokenizer = AutoTokenizer.from_pretrained(tiny_vits)
    model = VitsModel.from_pretrained(tiny_vits).eval()
    torch.manual_seed(7)
    with torch.inference_mode():
        expected = model(**tokenizer("Fresh tea, brewed slow.", return_tensors="pt")).waveform[0].numpy()
    assert clip.sample_rate == 16000
    assert np.allclose(clip.samples, np.clip(expected, -1, 1), atol=1e-5)


@pytest.mark.slow
def test_vits_batches_sorted_and_cut_to_each_clip(tiny_vits: Path) -> None:
    options = {"model": str(tiny_vits), "noise_scale": 0, "noise_scale_duration": 0, "batch_size": 3}
    provider = TransformersSpeechProvider(options)
    requests = [SpeechRequest(t, "en-US") for t in ("Hello.", "Fresh jasmine green tea.", "Say hello.")]
    requests.append(SpeechRequest("欢迎来到直播间", "zh-CN"))  # four clips: two batches, longest first
    batched = provider.synthesize(requests)
    for request, clip in zip(requests, batched, strict=True):
        (alone,) = provider.synthesize([request])
        assert len(clip.samples) == len(alone.samples)  # without noise, durations do not depend on the batch
        head = len(alone.samples) // 2
        assert np.allclose(clip.samples[:head], alone.samples[:head], atol=1e-4)


@pytest.mark.slow
def test_vits_rate_and_numbers(tiny_vits: Path) -> None:
    provider = TransformersSpeechProvider({"model": str(tiny_vits), "noise_scale_duration": 0})
    normal, fast, price = provider.synthesize(
        [SpeechRequest(EN, "en-US"), SpeechRequest(EN, "en-US", rate=2.0), SpeechRequest("$129", "en-US")]
    )
    assert 0.4 < fast.duration / normal.duration < 0.6
    assert price.duration > 0.5  # "one hundred twenty nine dollars": the vocabulary has no digits
    raw = TransformersSpeechProvider({"model": str(tiny_vits), "normalize": False})
    with pytest.raises(ProviderError, match=r"knows none of the characters of en-US text '\$129'.*models\.en-US"):
        raw.synthesize([SpeechRequest("$129", "en-US")])


@pytest.mark.slow
def test_vits_speakers(tmp_path: Path, tiny_vits: Path) -> None:
    many = TransformersSpeechProvider({"model": str(build_tiny_vits(tmp_path / "multi", num_speakers=3))})
    a, b = many.synthesize([SpeechRequest(EN, "en-US", voice="0"), SpeechRequest(EN, "en-US", voice="2")])
    assert not np.array_equal(a.samples, b.samples)
    with pytest.raises(ConfigError, match="speakers 0–2"):
        many.synthesize([SpeechRequest(EN, "en-US", voice="3")])
    single = TransformersSpeechProvider({"model": str(tiny_vits)})
    with pytest.raises(ConfigError, match="one speaker"):
        single.synthesize([SpeechRequest(EN, "en-US", voice="1")])
    with pytest.raises(ConfigError, match="'en-gb' is not a speaker number"):
        single.synthesize([SpeechRequest(EN, "en-US", voice="en-gb")])


def test_vits_needs_a_model_for_the_locale(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="give 'model'"):
        TransformersSpeechProvider({})
    provider = TransformersSpeechProvider({"models": {"zh-CN": str(tmp_path)}})
    with pytest.raises(ConfigError, match=r"no model for en-US .*add models\.en-US"):
        provider.synthesize([SpeechRequest("hi", "en-US")])


@pytest.mark.slow
def test_vits_bad_model_paths_are_one_line_errors(tmp_path: Path) -> None:
    missing = TransformersSpeechProvider({"model": str(tmp_path / "nowhere")})
    with pytest.raises(ProviderError, match=r"directory '.*nowhere' does not exist") as err:
        missing.synthesize([SpeechRequest("hi", "en-US")])
    assert "\n" not in str(err.value)
    (tmp_path / "bert").mkdir()
    (tmp_path / "bert" / "config.json").write_text('{"model_type": "bert"}')
    with pytest.raises(ProviderError, match="is a 'bert' model; this provider runs VITS"):
        TransformersSpeechProvider({"model": str(tmp_path / "bert")}).synthesize([SpeechRequest("hi", "en-US")])


def test_missing_transformers_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "transformers", None)
    provider = TransformersSpeechProvider({"model": str(tmp_path)})
    with pytest.raises(MissingExtraError, match=r"pip install 'contentgen\[models\]'"):
        provider.synthesize([SpeechRequest("hi", "en-US")])
