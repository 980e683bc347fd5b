"""Voice-over and music: espeak synthesis speed (real-time factor) and the audio steps of a video.

espeak: the lines of a 15-second Mandarin and an English voice-over, one clip per line as `narrate` asks
for them, `--repeat` rounds, best round. Each clip is spoken by a freshly loaded private engine (that is
what makes the same request give the same samples); the baseline is one engine kept loaded across clips,
as a plain ctypes binding would do it, measured in the same run. "×RT" (times real time) is seconds of
speech per second of wall time.

Audio: a 15 s and a 60 s generated music bed, and the mix of the Mandarin voice-over with a bed (ducking,
loudness normalisation to −14 LUFS, true-peak limiting), each best of `--repeat`.

    python -m bench.bench_speech [--repeat 3]
"""

from __future__ import annotations

import argparse
import ctypes
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ZH = [
    "欢迎来到直播间！",
    "今天给大家介绍夏日焕新保湿面霜。",
    "温和配方，敏感肌也能放心用。",
    "到手价￥129，限时包邮！",
    "喜欢的朋友赶紧下单吧。",
]
EN = [
    "Welcome to the show!",
    "Today: a gentle face cream for dry skin.",
    "No added fragrance, kind to sensitive skin.",
    "Only $24.99, with free shipping this week.",
    "Tap the link and try it today.",
]


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def _persistent_engine() -> Callable[[str, str], float]:
    """The baseline: one libespeak-ng loaded once and reused; returns seconds of audio per call."""
    import espeakng_loader
    import numpy as np

    from contentgen.providers.speech import espeak
    from contentgen.providers.speech.normalize import normalize_for_speech

    lib = espeak._load(Path(espeakng_loader.get_library_path()))
    rate = lib.espeak_Initialize(2, 0, os.fsencode(espeakng_loader.get_data_path()), 0x8000)
    counted = [0]

    def on_audio(wav: Any, count: int, events: Any) -> int:
        if count > 0:
            counted[0] += int(np.ctypeslib.as_array(wav, shape=(count,)).size)
        return 0

    callback = espeak._Callback(on_audio)
    lib.espeak_SetSynthCallback(callback)

    def speak(text: str, voice: str) -> float:
        counted[0] = 0
        lib.espeak_SetVoiceByName(voice.encode())
        data = normalize_for_speech(text, "zh-CN" if voice == "cmn" else "en-US").encode() + b"\0"
        lib.espeak_Synth(ctypes.c_char_p(data), len(data), 0, 1, 0, 1, None, None)
        return counted[0] / rate

    speak.callback = callback  # type: ignore[attr-defined]  # referenced as long as the engine lives
    return speak


def _espeak(repeat: int) -> Table:
    from contentgen.providers.speech.espeak import EspeakSpeechProvider
    from contentgen.video.audio import narrate

    provider = EspeakSpeechProvider()
    baseline = _persistent_engine()
    table = Table(title=f"espeak-ng, a voice-over of {len(ZH)} lines, one clip per line, best of {repeat}")
    for column in ("voice", "speech s", "fresh ms", "×RT fresh", "kept ms", "×RT kept", "fresh ÷ kept"):
        table.add_column(column, justify="left" if column == "voice" else "right")
    for label, lines, locale, voice in (("cmn", ZH, "zh-CN", "cmn"), ("en-us", EN, "en-US", "en-us")):
        narrate(provider, lines[:1], locale=locale)  # warm: library copied, voice list read
        fresh_s, narration = _best(lambda lines=lines, locale=locale: narrate(provider, lines, locale=locale), repeat)
        kept_s, _ = _best(lambda lines=lines, voice=voice: [baseline(line, voice) for line in lines], repeat)
        speech = sum(c.end - c.start for c in narration.cues)
        table.add_row(
            label,
            f"{speech:.1f}",
            f"{fresh_s * 1e3:.0f}",
            f"{speech / fresh_s:.0f}×",
            f"{kept_s * 1e3:.0f}",
            f"{speech / kept_s:.0f}×",
            f"{fresh_s / kept_s:.1f}×",
        )
    return table


def _audio(repeat: int) -> Table:
    from contentgen.providers.speech.espeak import EspeakSpeechProvider
    from contentgen.video.audio import loudness, mix, music_bed, narrate, true_peak_db

    voice = narrate(EspeakSpeechProvider(), ZH, locale="zh-CN", gap=0.3, lead_in=0.5).audio
    table = Table(title=f"Audio steps of a video at 44.1 kHz, best of {repeat}")
    for column in ("step", "audio s", "ms", "×RT", "result"):
        table.add_column(column, justify="left" if column in ("step", "result") else "right")
    music_bed(2.0)  # warm: scipy imported
    for seconds in (15.0, 60.0):
        took, bed = _best(lambda seconds=seconds: music_bed(seconds, seed=1), repeat)
        table.add_row(
            f"music_bed({seconds:.0f} s)",
            f"{seconds:.0f}",
            f"{took * 1e3:.0f}",
            f"{seconds / took:.0f}×",
            f"{loudness(bed):.1f} LUFS",
        )
    bed = music_bed(voice.duration + 1.0, seed=1)
    took, track = _best(lambda: mix(voice, bed), repeat)
    result = f"{loudness(track):.2f} LUFS, {true_peak_db(track):.2f} dBTP"
    table.add_row(
        "mix(voice, music)", f"{track.duration:.1f}", f"{took * 1e3:.0f}", f"{track.duration / took:.0f}×", result
    )
    return table


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    console = Console()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    console.print(f"{os.cpu_count()} CPUs, load average {load:.1f} at start")
    console.print(_espeak(args.repeat))
    console.print(_audio(args.repeat))


if __name__ == "__main__":
    main()
