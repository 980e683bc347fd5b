"""Audio for videos: voice-over tracks, a generated music bed, ducking, and a loudness-normalised mix.

Everything works on `Audio` (mono float32 samples in [-1, 1] and a sample rate); nothing here writes
video. The usual path for a video with a voice-over::

    narration = narrate(speech_provider, caption_lines, locale="zh-CN", gap=0.3)   # one clip per line
    music = kit_music(kit, narration.audio.duration + 1.0, seed=seed)             # the kit's file, or a bed
    track = mix(narration.audio, music)                                           # −14 LUFS, peaks ≤ −1 dBTP
    write_wav(path, track)            # or to_int16(track, channels=2).tobytes() for ffmpeg's stdin

`narration.cues` say when each caption line is spoken. Loudness is measured with pyloudnorm (ITU-R
BS.1770, integrated, gated); −14 LUFS is the common target of short-video platforms. scipy and
pyloudnorm are imported inside the functions that need them.
"""

from __future__ import annotations

import math
import subprocess
import wave
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from contentgen.errors import ConfigError, ContentgenError, DataError, NotFoundError
from contentgen.fileio import atomic_path
from contentgen.providers.base import Audio, Cue, SpeechRequest, WordMark

if TYPE_CHECKING:
    from contentgen.domain.brand import BrandKit
    from contentgen.domain.common import Locale
    from contentgen.providers.base import SpeechProvider

__all__ = [
    "MOODS",
    "Cue",
    "Narration",
    "concat",
    "duck",
    "kit_music",
    "load_audio",
    "loop_to",
    "loudness",
    "mix",
    "music_bed",
    "narrate",
    "peak_db",
    "resample",
    "silence",
    "to_int16",
    "true_peak_db",
    "write_wav",
]

SAMPLE_RATE = 44_100
Mood = Literal["calm", "warm", "upbeat"]
MOODS: tuple[Mood, ...] = ("calm", "warm", "upbeat")


def silence(duration: float, sample_rate: int = SAMPLE_RATE) -> Audio:
    """`duration` seconds of silence."""
    return Audio(np.zeros(_samples(duration, "duration", sample_rate), dtype=np.float32), sample_rate)


# ---- files -------------------------------------------------------------------------------------------


def load_audio(path: str | Path, sample_rate: int = SAMPLE_RATE) -> Audio:
    """Decode any audio file ffmpeg reads (WAV, MP3, M4A/AAC, FLAC, OGG …) to mono at `sample_rate`."""
    path = Path(path)
    if not path.is_file():
        raise DataError(path, "audio file not found")
    command = [_ffmpeg(), "-nostdin", "-hide_banner", "-loglevel", "error", "-i", str(path), "-vn"]
    command += ["-ac", "1", "-ar", str(sample_rate), "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1"]
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode != 0:
        lines = [line.strip() for line in result.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        reason = (lines[-1] if lines else f"ffmpeg exited with {result.returncode}").replace(str(path), "").strip(": ")
        raise DataError(path, f"cannot decode audio: {reason}", hint="use a WAV, MP3 or M4A file")
    samples = np.frombuffer(result.stdout, dtype="<f4").astype(np.float32)
    if samples.size == 0:
        raise DataError(path, "has no audio stream", hint="use a WAV, MP3 or M4A file")
    return Audio(np.clip(samples, -1.0, 1.0), sample_rate)


def write_wav(path: str | Path, audio: Audio, *, channels: int = 1) -> Path:
    """Write 16-bit PCM WAV atomically (mono, or the same signal on `channels` channels); return the path."""
    target = Path(path)
    with atomic_path(target) as tmp, wave.open(str(tmp), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(audio.sample_rate)
        out.writeframes(to_int16(audio, channels=channels).tobytes())
    return target


def to_int16(audio: Audio, *, channels: int = 1) -> np.ndarray:
    """16-bit PCM samples; with channels > 1 an (n, channels) array whose bytes are interleaved frames."""
    if channels < 1:
        raise ConfigError(f"channels must be 1 or more, not {channels}")
    pcm = np.round(np.clip(audio.samples, -1.0, 1.0) * 32767.0).astype("<i2")
    return pcm if channels == 1 else np.repeat(pcm[:, None], channels, axis=1)


def _ffmpeg() -> str:
    try:
        import imageio_ffmpeg  # type: ignore[import-untyped, unused-ignore]

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except Exception as err:
        raise ContentgenError(
            f"no ffmpeg binary found ({err}); reinstall imageio-ffmpeg or set IMAGEIO_FFMPEG_EXE"
        ) from None


# ---- editing -----------------------------------------------------------------------------------------


def resample(audio: Audio, sample_rate: int) -> Audio:
    """The same sound at another sample rate (polyphase filter); word marks keep their times."""
    if sample_rate <= 0:
        raise ConfigError(f"sample_rate must be positive, not {sample_rate}")
    if sample_rate == audio.sample_rate:
        return audio
    from scipy.signal import resample_poly  # type: ignore[import-untyped, unused-ignore]

    common = math.gcd(sample_rate, audio.sample_rate)
    samples = resample_poly(audio.samples, sample_rate // common, audio.sample_rate // common)
    return replace(audio, samples=np.clip(samples, -1.0, 1.0).astype(np.float32), sample_rate=sample_rate)


def concat(
    clips: Sequence[Audio],
    *,
    gap: float | Sequence[float] = 0.0,
    crossfade: float = 0.0,
    sample_rate: int | None = None,
) -> Audio:
    """Clips one after another, `gap` seconds of silence (one value, or one per join) or `crossfade` between.

    Clips are resampled to `sample_rate` (default: the first clip's); word marks move with their clip.
    """
    rate = sample_rate or (clips[0].sample_rate if clips else SAMPLE_RATE)
    if not clips:
        return silence(0.0, rate)
    gaps = [float(gap)] * (len(clips) - 1) if isinstance(gap, int | float) else [float(g) for g in gap]
    if len(gaps) != len(clips) - 1:
        raise ConfigError(f"gap has {len(gaps)} values for {len(clips) - 1} joins between {len(clips)} clips")
    if any(g < 0 for g in gaps) or crossfade < 0:
        raise ConfigError("gap and crossfade must not be negative")
    if crossfade > 0 and any(gaps):
        raise ConfigError("give either gap or crossfade, not both")
    parts = [resample(c, rate) for c in clips]
    starts, overlaps, end = [], [], 0
    for index, part in enumerate(parts):
        overlap = min(round(crossfade * rate), len(parts[index - 1].samples), len(part.samples)) if index else 0
        start = end - overlap + (round(gaps[index - 1] * rate) if index else 0)
        starts.append(start)
        overlaps.append(overlap)
        end = start + len(part.samples)
    out = np.zeros(end, dtype=np.float32)
    for part, start, overlap in zip(parts, starts, overlaps, strict=True):
        samples = part.samples
        if overlap:  # equal-power crossfade: the tail so far fades out as this clip fades in
            ramp = np.linspace(0.0, math.pi / 2, overlap, dtype=np.float32)
            out[start : start + overlap] *= np.cos(ramp)
            samples = np.concatenate([samples[:overlap] * np.sin(ramp), samples[overlap:]])
        out[start : start + len(samples)] += samples
    marks = tuple(
        WordMark(m.text, m.start + start / rate) for part, start in zip(parts, starts, strict=True) for m in part.marks
    )
    return Audio(np.clip(out, -1.0, 1.0), rate, marks)


def loop_to(audio: Audio, duration: float, *, crossfade: float = 0.5, fade_out: float = 1.5) -> Audio:
    """Loop (with a crossfade at each seam) or trim `audio` to exactly `duration` seconds, fading out at the end."""
    n = _samples(duration, "duration", audio.sample_rate)
    if len(audio.samples) == 0:
        raise ConfigError("cannot loop an empty clip")
    seam = min(crossfade, audio.duration / 4)
    step = len(audio.samples) - round(seam * audio.sample_rate)
    repeats = 1 if n <= len(audio.samples) else 1 + math.ceil((n - len(audio.samples)) / step)
    looped = concat([audio] * repeats, crossfade=seam) if repeats > 1 else audio
    samples = _fade(looped.samples[:n], audio.sample_rate, fade_in=0.0, fade_out=min(fade_out, duration / 4))
    return Audio(samples, audio.sample_rate)


def _fade(samples: np.ndarray, sample_rate: int, *, fade_in: float, fade_out: float) -> np.ndarray:
    out = samples.astype(np.float32, copy=True)
    for seconds, head in ((fade_in, True), (fade_out, False)):
        n = min(round(seconds * sample_rate), len(out))
        if n > 0:
            ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, math.pi, n))).astype(np.float32)  # raised cosine
            if head:
                out[:n] *= ramp
            else:
                out[-n:] *= ramp[::-1]
    return out


def _samples(seconds: float, name: str, sample_rate: int) -> int:
    if not math.isfinite(seconds) or seconds < 0:
        raise ConfigError(f"{name} must be a number of seconds ≥ 0, not {seconds}")
    return round(seconds * sample_rate)


# ---- narration ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Narration:
    audio: Audio
    cues: tuple[Cue, ...]


def narrate(
    provider: SpeechProvider,
    lines: Sequence[str],
    *,
    locale: Locale = "zh-CN",
    voice: str | None = None,
    rate: float = 1.0,
    gap: float = 0.3,
    lead_in: float = 0.0,
    sample_rate: int | None = None,
) -> Narration:
    """Speak each line as its own clip (one batch) and join them with `gap` seconds between: audio and cues.

    Works with any speech provider: a cue runs from its clip's first to its last sample, so captions can
    follow the voice line by line. `lead_in` seconds of silence come first.
    """
    if not lines:
        return Narration(silence(lead_in, sample_rate or SAMPLE_RATE), ())
    clips = provider.synthesize([SpeechRequest(line, locale=locale, voice=voice, rate=rate) for line in lines])
    rate_out = sample_rate or clips[0].sample_rate
    clips = [resample(clip, rate_out) for clip in clips]
    audio = concat([silence(lead_in, rate_out), *clips], gap=[0.0, *[gap] * (len(clips) - 1)])
    cues, start = [], round(lead_in * rate_out)  # in samples, exactly as concat places the clips
    for line, clip in zip(lines, clips, strict=True):
        end = start + len(clip.samples)
        cues.append(Cue(start / rate_out, end / rate_out, line))
        start = end + round(gap * rate_out)
    return Narration(audio, tuple(cues))


# ---- music -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    tempo: float
    progressions: tuple[tuple[tuple[int, str], ...], ...]  # (semitones above the key, chord quality) per bar
    pluck_steps: int  # arpeggio notes per beat
    kick_every: int  # beats between soft kicks
    shaker: bool


_CHORDS = {
    "maj": (0, 4, 7),
    "min": (0, 3, 7),
    "maj7": (0, 4, 7, 11),
    "m7": (0, 3, 7, 10),
    "add9": (0, 4, 7, 14),
    "sus2": (0, 2, 7),
}
_STYLES: dict[Mood, _Style] = {
    "calm": _Style(
        72,
        (((0, "maj7"), (5, "maj7"), (9, "m7"), (5, "maj7")), ((0, "add9"), (9, "m7"), (2, "m7"), (5, "maj7"))),
        1,
        4,
        False,
    ),
    "warm": _Style(
        88,
        (((0, "maj"), (7, "maj"), (9, "min"), (5, "maj")), ((0, "add9"), (9, "min"), (5, "maj7"), (7, "sus2"))),
        2,
        2,
        False,
    ),
    "upbeat": _Style(
        112,
        (((9, "min"), (5, "maj"), (0, "maj"), (7, "maj")), ((0, "maj"), (7, "maj"), (9, "min"), (5, "maj"))),
        2,
        1,
        True,
    ),
}
_KEYS = (48, 50, 51, 53, 55, 57)  # C D E♭ F G A, as MIDI notes an octave below middle C


def music_bed(
    duration: float,
    *,
    seed: int = 0,
    sample_rate: int = SAMPLE_RATE,
    mood: Mood = "warm",
    tempo: float | None = None,
) -> Audio:
    """A generated, royalty-free music bed: soft pad chords, bass, a plucked arpeggio and a gentle pulse.

    The seed picks the key, the chord progression and the arpeggio; the same arguments give the same
    samples. It fades in and out, and peaks at −6 dBFS (`mix` sets its final level under the voice).
    """
    if mood not in _STYLES:
        raise NotFoundError("music mood", mood, MOODS)
    style = _STYLES[mood]
    bpm = style.tempo if tempo is None else tempo
    if not 40 <= bpm <= 200:
        raise ConfigError(f"tempo must be 40–200 beats a minute, not {bpm}")
    n = _samples(duration, "duration", sample_rate)
    rng = np.random.default_rng(seed)
    key = int(rng.choice(_KEYS))
    progression = style.progressions[int(rng.integers(len(style.progressions)))]
    pattern = _arpeggio_pattern(rng)
    beat = 60.0 / bpm
    bar = 4 * beat
    # The tonal parts have nothing above 4 kHz: they are rendered at a quarter of the rate, then resampled.
    factor = 4 if sample_rate % 4 == 0 and sample_rate >= 32_000 else 1
    low = sample_rate // factor
    tail = 1.0  # every note may ring on this long past the end; the buffers have room for it
    pad = np.zeros(-(-n // factor) + round(tail * low) + 1, dtype=np.float32)
    bass, pluck, pulse = np.zeros_like(pad), np.zeros_like(pad), np.zeros_like(pad)
    air = np.zeros(n + round(tail * sample_rate) + 1 if style.shaker else 0, dtype=np.float32)
    table = _wavetable(rng)
    previous: list[int] = []
    for index in range(math.ceil(duration / bar) if n else 0):
        offset, quality = progression[index % len(progression)]
        root = key + offset
        voicing = _voice_lead([root + 12 + i for i in _CHORDS[quality]], previous)
        previous = voicing
        start = index * bar
        for note in voicing:
            for cents in (-4.0, 4.0):  # two detuned oscillators per note: a slow, warm chorus
                _add(pad, start, _pad_note(_hz(note, cents), bar + 0.6, low, table, rng), low)
        for half in (0, 2):
            _add(bass, start + half * beat, _pluck(_hz(root - 12), 1.2, 0.45, low, (1.0, 0.3)), low)
        tones = sorted(voicing)
        for step in range(4 * style.pluck_steps):
            note = tones[pattern[step % len(pattern)] % len(tones)] + 12
            velocity = 0.8 + 0.2 * float(rng.random())
            tone = _pluck(_hz(note), 0.9, 0.22, low, (1.0, 0.25, 0.08)) * velocity
            _add(pluck, start + step * beat / style.pluck_steps, tone, low)
        for step in range(0, 4, style.kick_every):
            _add(pulse, start + step * beat, _kick(low), low)
        if style.shaker:
            for step in range(4):
                _add(air, start + (step + 0.5) * beat, _shaker(sample_rate, rng), sample_rate)
    tonal = _room(0.34 * pad + 0.30 * bass + 0.22 * pluck + 0.14 * pulse, low, rng)
    if factor > 1:
        from scipy.signal import resample_poly  # type: ignore[import-untyped, unused-ignore]

        tonal = resample_poly(tonal, factor, 1)
    music = np.asarray(tonal[:n], dtype=np.float32)
    if style.shaker:
        music += 0.07 * air[:n]
    music = _fade(music, sample_rate, fade_in=min(1.5, duration / 4), fade_out=min(2.5, duration / 4))
    peak = float(np.abs(music).max()) if n else 0.0
    return Audio((music * (0.5 / peak) if peak > 0 else music).astype(np.float32), sample_rate)


def kit_music(
    kit: BrandKit,
    duration: float,
    *,
    seed: int = 0,
    sample_rate: int = SAMPLE_RATE,
    mood: Mood = "warm",
) -> Audio:
    """The kit's own music file (`music` in kit.yaml) looped or trimmed to `duration`; else a generated bed."""
    if kit.music:
        return loop_to(load_audio(kit.path(kit.music), sample_rate), duration)
    return music_bed(duration, seed=seed, sample_rate=sample_rate, mood=mood)


def _hz(midi: int, cents: float = 0.0) -> float:
    return float(440.0 * 2 ** ((midi - 69 + cents / 100) / 12))


def _voice_lead(notes: list[int], previous: list[int]) -> list[int]:
    """Each chord tone moved by octaves to sit near the previous chord (or near G4): smooth pad movement."""
    centre = sum(previous) / len(previous) if previous else 67.0
    return sorted(n + 12 * round((centre - n) / 12) for n in notes)


def _arpeggio_pattern(rng: np.random.Generator) -> tuple[int, ...]:
    patterns = ((0, 1, 2, 3), (0, 2, 1, 3), (0, 1, 2, 1), (2, 1, 0, 1), (0, 2, 3, 2))
    return patterns[int(rng.integers(len(patterns)))]


def _wavetable(rng: np.random.Generator, size: int = 4096) -> np.ndarray:
    """One period of a soft tone: six harmonics falling off as 1/k^1.6, random phases; peak 1."""
    phase = np.arange(size) / size
    wave_ = sum(np.sin(2 * math.pi * (k * phase + float(rng.random()))) / k**1.6 for k in range(1, 7))
    table = np.asarray(wave_, dtype=np.float32)
    return table / float(np.abs(table).max())


def _pad_note(hz: float, length: float, sample_rate: int, table: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(round(length * sample_rate)) / sample_rate
    phase = (hz * t + float(rng.random())) % 1.0
    tone = table[(phase * len(table)).astype(np.int64)]
    attack, release = min(0.5, length / 4), 0.6
    envelope = np.minimum(1.0, t / attack) * np.clip((length - t) / release, 0.0, 1.0)
    swell = 1.0 + 0.12 * np.sin(2 * math.pi * 0.23 * t + 2 * math.pi * float(rng.random()))
    return np.asarray(tone * envelope**2 * swell * 0.25, dtype=np.float32)


def _pluck(hz: float, length: float, decay: float, sample_rate: int, harmonics: tuple[float, ...]) -> np.ndarray:
    t = np.arange(round(length * sample_rate)) / sample_rate
    tone = sum(a * np.sin(2 * math.pi * hz * (k + 1) * t) for k, a in enumerate(harmonics))
    envelope = np.minimum(1.0, t / 0.006) * np.exp(-t / decay)
    return np.asarray(tone * envelope, dtype=np.float32)


def _kick(sample_rate: int) -> np.ndarray:
    """A soft, low thump: a sine falling from 90 to 45 Hz, gone in a quarter of a second."""
    t = np.arange(round(0.25 * sample_rate)) / sample_rate
    hz = 45.0 + 45.0 * np.exp(-t / 0.03)
    phase = 2 * math.pi * np.cumsum(hz) / sample_rate
    return (np.sin(phase) * np.minimum(1.0, t / 0.004) * np.exp(-t / 0.07)).astype(np.float32)


def _shaker(sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    from scipy.signal import butter, sosfilt  # type: ignore[import-untyped, unused-ignore]

    t = np.arange(round(0.06 * sample_rate)) / sample_rate
    noise = rng.standard_normal(len(t))
    sos = butter(2, [5000, min(12000, sample_rate * 0.45)], btype="bandpass", fs=sample_rate, output="sos")
    return np.asarray(sosfilt(sos, noise) * np.minimum(1.0, t / 0.01) * np.exp(-t / 0.018) * 0.3, dtype=np.float32)


def _room(dry: np.ndarray, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    """A little room: the dry signal plus 20 % of it convolved with 1.6 s of decaying, darkened noise."""
    from scipy.signal import butter, fftconvolve, sosfilt  # type: ignore[import-untyped, unused-ignore]

    t = np.arange(round(1.6 * sample_rate)) / sample_rate
    sos = butter(2, 3500, btype="lowpass", fs=sample_rate, output="sos")
    impulse = sosfilt(sos, rng.standard_normal(len(t))) * np.exp(-t / 0.25)
    impulse /= float(np.sqrt(np.sum(impulse**2)))
    wet = fftconvolve(dry, impulse)[: len(dry)]
    return np.asarray(dry + 0.2 * wet, dtype=np.float32)


def _add(buffer: np.ndarray, at: float, sound: np.ndarray, sample_rate: int) -> None:
    start = round(at * sample_rate)
    end = min(len(buffer), start + len(sound))
    if start < end:
        buffer[start:end] += sound[: end - start]


# ---- levels ------------------------------------------------------------------------------------------


def loudness(audio: Audio) -> float:
    """Integrated loudness in LUFS (ITU-R BS.1770, gated); −inf for silence. Clips under 0.4 s are padded."""
    import pyloudnorm  # type: ignore[import-untyped, unused-ignore]

    samples = audio.samples.astype(np.float64)
    if not np.any(samples):
        return float("-inf")
    block = round(0.4 * audio.sample_rate) + 1
    if len(samples) < block:
        samples = np.concatenate([samples, np.zeros(block - len(samples))])
    return float(pyloudnorm.Meter(audio.sample_rate).integrated_loudness(samples))


def peak_db(audio: Audio) -> float:
    """The highest sample, in dBFS (−inf for silence)."""
    peak = float(np.abs(audio.samples).max()) if len(audio.samples) else 0.0
    return 20 * math.log10(peak) if peak > 0 else float("-inf")


def true_peak_db(audio: Audio) -> float:
    """The peak between samples too (4× oversampled, as BS.1770 measures true peak), in dBTP."""
    return 20 * math.log10(max(float(_envelope(audio.samples).max(initial=0.0)), 1e-12))


def _envelope(samples: np.ndarray) -> np.ndarray:
    """Per sample, the largest magnitude at or just after it, 4× oversampled."""
    if len(samples) == 0:
        return np.zeros(0, dtype=np.float32)
    from scipy.signal import resample_poly  # type: ignore[import-untyped, unused-ignore]

    oversampled = np.abs(resample_poly(samples.astype(np.float64), 4, 1)).reshape(len(samples), 4).max(axis=1)
    return np.asarray(np.maximum(np.abs(samples), oversampled), dtype=np.float64)


def duck(
    music: Audio,
    voice: Audio,
    *,
    depth_db: float = -12.0,
    attack: float = 0.04,
    release: float = 0.35,
    hold: float = 0.25,
    threshold_db: float = -30.0,
) -> Audio:
    """Lower `music` by `depth_db` wherever `voice` speaks (a sidechain compressor driven by the voice).

    The voice counts as speaking where its 10 ms level is within `threshold_db` of its loudest; pauses
    shorter than `hold` keep the music down, so it does not pump between words. The music starts going down
    `attack` seconds before the first syllable and comes back up over `release` seconds.
    """
    if depth_db > 0:
        raise ConfigError(f"depth_db lowers the music, so it must be ≤ 0, not {depth_db}")
    if min(attack, release, hold) < 0:
        raise ConfigError("attack, release and hold must not be negative")
    from numpy.lib.stride_tricks import sliding_window_view

    frame = max(1, round(0.01 * voice.sample_rate))
    count = len(voice.samples) // frame
    if count == 0 or not np.any(voice.samples):
        return music
    rms = np.sqrt(np.mean(voice.samples[: count * frame].astype(np.float64).reshape(count, frame) ** 2, axis=1))
    level = 20 * np.log10(np.maximum(rms, 1e-9))
    active = level > max(float(level.max()) + threshold_db, -70.0)
    # Each speaking frame keeps the music down from `attack` before it to `hold` after it.
    hold_frames, lead_frames = round(hold / 0.01), round(attack / 0.01)
    padded = np.concatenate([np.zeros(hold_frames, dtype=bool), active, np.zeros(lead_frames, dtype=bool)])
    active = sliding_window_view(padded, hold_frames + lead_frames + 1).any(axis=1)
    target = np.where(active, 10 ** (depth_db / 20), 1.0)
    down = 1.0 - math.exp(-0.01 / attack) if attack > 0 else 1.0
    up = 1.0 - math.exp(-0.01 / release) if release > 0 else 1.0
    gain = np.empty(count)
    current = 1.0
    for i, wanted in enumerate(target):
        current += (wanted - current) * (down if wanted < current else up)
        gain[i] = current
    # Frame gains at the music's sample times; after the voice ends the music comes back up.
    times = (np.arange(count) + 0.5) * 0.01
    after = np.append(gain, 1.0)
    times = np.append(times, times[-1] + release * 3 + 0.01)
    per_sample = np.interp(np.arange(len(music.samples)) / music.sample_rate, times, after, right=1.0)
    return replace(music, samples=(music.samples * per_sample).astype(np.float32))


def mix(
    voice: Audio,
    music: Audio | None = None,
    *,
    music_db: float = -8.0,
    duck_db: float = -12.0,
    target_lufs: float = -14.0,
    true_peak: float = -1.0,
    sample_rate: int | None = None,
) -> Audio:
    """Voice over music, ducked, normalised to `target_lufs` with a limiter that keeps peaks ≤ `true_peak` dBTP.

    The music is first set `music_db` LU below the voice, then lowered by `duck_db` wherever the voice
    speaks. The track is as long as the longer input, at `sample_rate` (default: the higher of the two).
    """
    rate = sample_rate or max(voice.sample_rate, music.sample_rate if music is not None else 0)
    voice = resample(voice, rate)
    length = max(len(voice.samples), len(music.samples) if music is not None else 0)
    out = np.zeros(length, dtype=np.float64)
    out[: len(voice.samples)] += voice.samples
    if music is not None:
        music = resample(music, rate)
        voice_level, music_level = loudness(voice), loudness(music)
        if math.isfinite(music_level):
            gain_db = (voice_level + music_db - music_level) if math.isfinite(voice_level) else music_db
            music = replace(music, samples=(music.samples * 10 ** (gain_db / 20)).astype(np.float32))
            music = duck(music, voice, depth_db=duck_db)
            out[: len(music.samples)] += music.samples
    return Audio(_normalize(out, rate, target_lufs, true_peak), rate, voice.marks)


def _normalize(samples: np.ndarray, sample_rate: int, target_lufs: float, ceiling_db: float) -> np.ndarray:
    """Gain to `target_lufs` through the limiter, the gain corrected for what the limiter took (secant steps)."""
    measured = loudness(Audio(samples.astype(np.float32), sample_rate))
    if not math.isfinite(measured):
        return samples.astype(np.float32)
    ceiling = 10 ** (ceiling_db / 20)
    envelope = _envelope(samples)  # scales with the gain: measured once
    gain, previous = target_lufs - measured, None
    best, best_error = samples, math.inf
    for _ in range(10):
        scale = 10 ** (gain / 20)
        out = samples * scale * _limiter_gain(envelope * scale, sample_rate, ceiling)
        level = loudness(Audio(out.astype(np.float32), sample_rate))
        if abs(target_lufs - level) < best_error:
            best, best_error = out, abs(target_lufs - level)
        if best_error < 0.05:
            break
        # Limiting makes each dB of gain add less than a dB of loudness: step along the measured slope.
        slope = 1.0 if previous is None else (level - previous[1]) / (gain - previous[0] or 1e-9)
        previous = (gain, level)
        gain = min(gain + (target_lufs - level) / min(1.0, max(slope, 0.1)), 60.0)
    peak = float(_envelope(best).max(initial=0.0))
    if peak > ceiling:  # resampling ripple around a gain change: trim the last hundredths of a dB
        best = best * (ceiling / peak)
    return np.asarray(best, dtype=np.float32)


def _limiter_gain(envelope: np.ndarray, sample_rate: int, ceiling: float) -> np.ndarray:
    """A look-ahead peak limiter's gain: it keeps `envelope` ≤ `ceiling` and changes over about 25 ms.

    The gain each sample needs is spread to its neighbours (a minimum over ±25 ms), then smoothed by two
    moving averages that fit inside that window, so the smoothed gain is never above what any sample needs.
    """
    from scipy.ndimage import minimum_filter1d, uniform_filter1d  # type: ignore[import-untyped, unused-ignore]

    if float(envelope.max(initial=0.0)) <= ceiling:
        return np.ones(len(envelope))
    needed = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-12))
    reach = max(1, round(0.025 * sample_rate))
    gain = minimum_filter1d(needed, size=2 * reach + 1, mode="nearest")
    # Two passes of width w reach w - 1 samples to each side: inside the ±reach minimum.
    gain = uniform_filter1d(uniform_filter1d(gain, size=reach, mode="nearest"), size=reach, mode="nearest")
    return np.asarray(gain, dtype=np.float64)
