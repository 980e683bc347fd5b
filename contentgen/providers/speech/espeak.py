"""Offline speech from libespeak-ng, which the espeakng-loader wheel ships together with its voice data.

The default speech provider (``[speech] name = "espeak"``): Mandarin (``cmn``) for zh-CN and American
English (``en-us``) for en-US, any other espeak-ng voice or variant by name (``en-gb``, ``cmn+f3``,
``en-us+Alex``), about 1,000 times faster than real time on one core. It sounds synthetic, as espeak does;
for natural voices use the ``transformers`` provider with a VITS (MMS-TTS) model.

A fresh engine for every clip
    libespeak-ng is a single, process-global C state, and its pitch "flutter" position is a function-static
    variable that no API resets (not even ``espeak_Terminate`` + ``espeak_Initialize``): the same text came out
    with different samples, and lengths up to 20 ms apart, depending on what was spoken before. So each clip is
    spoken by a private copy of the library that is loaded, initialised, used and unloaded again (about 10 ms):
    the same request always gives the same samples, and no other user of libespeak-ng in the process shares
    that state. Calls are serialised by one lock.

Word timing
    espeak reports where each word starts; they come back as `Audio.marks` (text as spoken, start in seconds).
"""

from __future__ import annotations

import atexit
import ctypes
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from contentgen.domain.common import Locale
from contentgen.errors import ConfigError, NotFoundError, ProviderError
from contentgen.providers.base import Audio, ProviderOptions, SpeechProvider, SpeechRequest, WordMark
from contentgen.providers.speech.normalize import normalize_for_speech

__all__ = ["DEFAULT_VOICES", "EspeakOptions", "EspeakSpeechProvider"]

DEFAULT_VOICES: dict[Locale, str] = {"zh-CN": "cmn", "en-US": "en-us"}
MIN_WPM, MAX_WPM = 80, 450  # espeak-ng's espeakRATE_MINIMUM and espeakRATE_MAXIMUM

# From espeak-ng's speak_lib.h.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_EVENT_LIST_TERMINATED, _EVENT_WORD = 0, 1
_RATE, _VOLUME, _PITCH, _RANGE, _WORDGAP = 1, 2, 3, 4, 7


class EspeakOptions(ProviderOptions):
    rate: int = Field(175, ge=MIN_WPM, le=MAX_WPM, description="words per minute at a request's rate 1.0")
    pitch: int = Field(50, ge=0, le=100, description="base pitch; 50 is the voice's own")
    pitch_range: int = Field(50, ge=0, le=100, description="intonation range; 0 is monotone, 50 the voice's own")
    volume: int = Field(80, ge=1, le=200, description="amplitude; 100 clips on some loud Mandarin syllables")
    word_gap_ms: int = Field(0, ge=0, le=1000, description="extra pause between words, in steps of 10 ms")
    voices: dict[Locale, str] = Field(
        {}, description="voice per locale, e.g. {'zh-CN': 'cmn+f3'}; unset locales use cmn and en-us"
    )
    normalize: bool = Field(True, description="rewrite prices, percentages, units; drop hashtags, links and emoji")


class EspeakSpeechProvider(SpeechProvider):
    """libespeak-ng through ctypes: offline, deterministic, Mandarin and English by default."""

    name: ClassVar[str] = "espeak"
    Options = EspeakOptions
    options: EspeakOptions

    def __init__(self, options: EspeakOptions | Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self.voices: dict[Locale, str] = {**DEFAULT_VOICES, **self.options.voices}
        for locale, spec in self.options.voices.items():
            try:
                resolve_voice(spec)
            except NotFoundError as err:
                raise ConfigError(f"speech provider '{self.name}': option 'voices.{locale}': {err}") from None

    @property
    def model(self) -> str:
        return f"espeak-ng {_catalogue().version}"

    def synthesize(self, requests: Sequence[SpeechRequest]) -> list[Audio]:
        return [self._one(request) for request in requests]

    def _one(self, request: SpeechRequest) -> Audio:
        voice = resolve_voice(request.voice or self.voices[request.locale])
        wpm = round(self.options.rate * request.rate)
        if not MIN_WPM <= wpm <= MAX_WPM:
            low, high = MIN_WPM / self.options.rate, MAX_WPM / self.options.rate
            raise ConfigError(
                f"speech rate {request.rate:g} gives {wpm} words a minute; espeak speaks {MIN_WPM}–{MAX_WPM}, "
                f"so use a rate from {low:.2f} to {high:.2f} (or change the provider's rate option)"
            )
        text = normalize_for_speech(request.text, request.locale) if self.options.normalize else request.text
        sample_rate = _catalogue().sample_rate
        if not text.strip():
            return Audio(np.zeros(0, dtype=np.float32), sample_rate)
        params = {
            _RATE: wpm,
            _PITCH: self.options.pitch,
            _RANGE: self.options.pitch_range,
            _VOLUME: self.options.volume,
            _WORDGAP: round(self.options.word_gap_ms / 10),
        }
        pcm, words = _speak(text, voice, params)
        samples = pcm.astype(np.float32) / np.float32(32768)
        return Audio(samples, sample_rate, _marks(text, words))


def _marks(text: str, words: list[tuple[int, int]]) -> tuple[WordMark, ...]:
    """Word events (1-based character position, start in ms) as marks; a word runs to the next event's position."""
    first: dict[int, int] = {}
    for position, ms in words:
        first.setdefault(position, ms)
    positions = sorted(first)
    marks = []
    for i, position in enumerate(positions):
        end = positions[i + 1] if i + 1 < len(positions) else len(text) + 1
        word = text[position - 1 : end - 1].strip()
        if word:
            marks.append(WordMark(word, first[position] / 1000))
    return tuple(marks)


# ---- voices -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Catalogue:
    """What the installed libespeak-ng offers, read once."""

    version: str
    sample_rate: int
    identifiers: dict[str, str]  # lower-case identifier, its last part and its name → identifier ("sit/cmn")
    languages: dict[str, str]  # language code → identifier of the voice that speaks it with top priority
    variants: dict[str, str]  # lower-case variant name → file name in voices/!v


def resolve_voice(spec: str) -> str:
    """The espeak-ng voice name for `spec`: a language ('en-gb'), voice ('gmw/en-US') or name, '+variant' optional."""
    catalogue = _catalogue()
    base, _, variant = spec.strip().partition("+")
    key = base.strip().lower()
    identifier = catalogue.identifiers.get(key) or catalogue.languages.get(key)
    if identifier is None:
        raise NotFoundError("espeak voice", base, catalogue.languages)
    if not variant:
        return identifier
    found = catalogue.variants.get(variant.strip().lower())
    if found is None:
        raise NotFoundError("espeak voice variant", variant, catalogue.variants.values())
    return f"{identifier}+{found}"


class _VoiceStruct(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),  # (priority byte, code, NUL)* then a zero byte: read by hand
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


@cache
def _catalogue() -> _Catalogue:
    identifiers: dict[str, str] = {}
    ranked: dict[str, tuple[int, str]] = {}
    with _engine() as (lib, sample_rate):
        version = (lib.espeak_Info(None) or b"").decode("utf-8", "replace")
        voices = lib.espeak_ListVoices(None)
        i = 0
        while voices[i]:
            voice = voices[i].contents
            identifier = (voice.identifier or b"").decode("utf-8", "replace")
            name = (voice.name or b"").decode("utf-8", "replace")
            for key in (identifier, identifier.rpartition("/")[2], name):
                identifiers.setdefault(key.lower(), identifier)
            for priority, code in _languages(voice.languages):
                if code not in ranked or priority < ranked[code][0]:
                    ranked[code] = (priority, identifier)
            i += 1
    variant_dir = Path(_data_path()) / "voices" / "!v"
    variants = {p.name.lower(): p.name for p in sorted(variant_dir.iterdir())} if variant_dir.is_dir() else {}
    languages = {code: identifier for code, (_, identifier) in sorted(ranked.items())}
    return _Catalogue(version.split()[0] if version else "", sample_rate, identifiers, languages, variants)


def _languages(address: int | None) -> Iterator[tuple[int, str]]:
    if not address:
        return
    while priority := ctypes.c_ubyte.from_address(address).value:
        code = ctypes.string_at(address + 1)
        yield priority, code.decode("ascii", "replace").lower()
        address += len(code) + 2


# ---- the engine ---------------------------------------------------------------------------------------


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_void_p),  # a union of int, const char * and char[8]: 8 bytes, unused here
    ]


_Callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))
_LOCK = threading.Lock()


def _speak(text: str, voice: str, params: Mapping[int, int]) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """16-bit samples of `text`, and its word events as (1-based character position, start in ms)."""
    chunks: list[np.ndarray] = []
    words: list[tuple[int, int]] = []

    def on_audio(wav: Any, count: int, events: Any) -> int:
        if count > 0 and wav:
            chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        i = 0
        while events[i].type != _EVENT_LIST_TERMINATED:
            if events[i].type == _EVENT_WORD:
                words.append((events[i].text_position, events[i].audio_position))
            i += 1
        return 0  # go on

    callback = _Callback(on_audio)  # must stay referenced while the library may call it
    with _engine() as (lib, _):
        lib.espeak_SetSynthCallback(callback)
        if lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise ProviderError(f"espeak-ng could not load the voice '{voice}'; check the espeakng-loader install")
        for parameter, value in params.items():
            lib.espeak_SetParameter(parameter, value, 0)
        data = text.encode("utf-8") + b"\0"
        status = lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        if status != 0:
            raise ProviderError(f"espeak-ng failed to speak the text (status {status}): {text[:60]!r}")
    pcm = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
    return pcm, words


@contextmanager
def _engine() -> Iterator[tuple[Any, int]]:
    """A freshly loaded and initialised libespeak-ng, and its sample rate; unloaded afterwards."""
    with _LOCK:
        lib = _load(_private_copy())
        try:
            sample_rate = lib.espeak_Initialize(
                _AUDIO_OUTPUT_SYNCHRONOUS, 0, os.fsencode(_data_path()), _INITIALIZE_DONT_EXIT
            )
            if sample_rate <= 0:
                raise ProviderError(
                    f"libespeak-ng could not start with its data at {_data_path()}; reinstall espeakng-loader"
                )
            try:
                yield lib, sample_rate
            finally:
                lib.espeak_Terminate()
        finally:
            _unload(lib)


def _load(path: Path) -> Any:
    lib = ctypes.CDLL(str(path), mode=getattr(os, "RTLD_LOCAL", 0))
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetSynthCallback.argtypes = [_Callback]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_Synth.argtypes = [
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.c_uint,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.c_uint,
        ctypes.c_void_p,
        ctypes.c_void_p,
    ]
    lib.espeak_Info.argtypes = [ctypes.c_void_p]
    lib.espeak_Info.restype = ctypes.c_char_p
    lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
    lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_VoiceStruct))
    return lib


def _unload(lib: Any) -> None:
    import _ctypes

    if sys.platform == "win32":
        _ctypes.FreeLibrary(lib._handle)
    else:
        _ctypes.dlclose(lib._handle)


@cache
def _data_path() -> str:
    return str(_loader().get_data_path())


@cache
def _private_copy() -> Path:
    """A copy of the shipped library that only this module loads, so that unloading it really resets it."""
    source = Path(_loader().get_library_path())
    if not source.is_file():
        raise ProviderError(f"libespeak-ng is missing from the espeakng-loader package ({source}); reinstall it")
    directory = tempfile.mkdtemp(prefix="contentgen-espeak-")
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    try:
        return Path(shutil.copy2(source, Path(directory) / source.name))
    except OSError as err:
        raise ProviderError(f"cannot copy libespeak-ng into {directory}: {err.strerror}") from None


def _loader() -> Any:
    try:
        import espeakng_loader
    except ImportError:
        raise ProviderError(
            "the speech provider 'espeak' needs the 'espeakng-loader' package: pip install espeakng-loader"
        ) from None
    return espeakng_loader
