"""Audio for videos: files through ffmpeg, editing, the generated music bed, ducking and the loudness-normalised mix.

Signals are measured, not compared with stored output: levels in windows, dominant frequencies, loudness
against the BS.1770 reference tone, lengths in samples.
"""

from __future__ import annotations

import itertools
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from contentgen.domain import load_brand_kit
from contentgen.errors import ConfigError, ContentgenError, DataError, NotFoundError
from contentgen.providers import Audio, SpeechRequest
from contentgen.providers.base import WordMark
from contentgen.providers.speech.espeak import EspeakSpeechProvider
from contentgen.video.audio import (
    MOODS,
    Narration,
    concat,
    duck,
    kit_music,
    load_audio,
    loop_to,
    loudness,
    mix,
    music_bed,
    narrate,
    peak_db,
    resample,
    silence,
    to_int16,
    true_peak_db,
    write_wav,
)

LINES = ["欢迎来到直播间！", "今天给大家介绍夏日焕新保湿面霜。", "到手价￥129，限时包邮！"]


def tone(hz: float, seconds: float, rate: int = 22050, amplitude: float = 0.5) -> Audio:
    t = np.arange(round(seconds * rate)) / rate
    return Audio((amplitude * np.sin(2 * np.pi * hz * t)).astype(np.float32), rate)


def level_db(samples: np.ndarray) -> float:
    return 10 * float(np.log10(np.mean(samples.astype(np.float64) ** 2) + 1e-20))


def window(audio: Audio, start: float, end: float) -> np.ndarray:
    return audio.samples[round(start * audio.sample_rate) : round(end * audio.sample_rate)]


def dominant_hz(audio: Audio) -> float:
    spectrum = np.abs(np.fft.rfft(audio.samples * np.hanning(len(audio.samples))))
    return float(np.fft.rfftfreq(len(audio.samples), 1 / audio.sample_rate)[np.argmax(spectrum)])


def chroma(samples: np.ndarray, rate: int) -> np.ndarray:
    """Energy per pitch class (C, C♯, …) between 80 Hz and 2 kHz."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples)))) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / rate)
    keep = (freqs > 80) & (freqs < 2000)
    classes = np.round(12 * np.log2(freqs[keep] / 440) + 69).astype(int) % 12
    return np.bincount(classes, weights=spectrum[keep], minlength=12)


@pytest.fixture(scope="module")
def ffmpeg() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


@pytest.fixture(scope="module")
def narration() -> Narration:
    return narrate(EspeakSpeechProvider(), LINES, locale="zh-CN", gap=0.4, lead_in=0.5)


# ---- files -----------------------------------------------------------------------------------------------


def test_wav_round_trip(tmp_path: Path) -> None:
    clip = tone(440, 1.0)
    path = write_wav(tmp_path / "a" / "tone.wav", clip)
    assert [p.name for p in path.parent.iterdir()] == ["tone.wav"]  # written atomically: no temp file left
    back = load_audio(path, 22050)
    assert back.sample_rate == 22050 and len(back.samples) == len(clip.samples)
    assert float(np.abs(back.samples - clip.samples).max()) <= 1.5 / 32767
    louder = load_audio(path, 44100)
    assert abs(louder.duration - 1.0) < 0.002 and abs(dominant_hz(louder) - 440) < 2


def test_decodes_mp3_and_m4a_made_by_ffmpeg(tmp_path: Path, ffmpeg: str) -> None:
    for name, codec in (("tone.mp3", "libmp3lame"), ("tone.m4a", "aac")):
        path = tmp_path / name
        source = ["-f", "lavfi", "-i", "sine=frequency=440:duration=1.5:sample_rate=44100"]
        subprocess.run([ffmpeg, "-v", "error", *source, "-ac", "1", "-c:a", codec, str(path)], check=True)
        clip = load_audio(path, 16000)
        assert clip.sample_rate == 16000 and abs(clip.duration - 1.5) < 0.1
        assert abs(dominant_hz(clip) - 440) < 3 and level_db(clip.samples) > -30


def test_a_bad_audio_file_is_a_one_line_error_naming_it(tmp_path: Path) -> None:
    broken = tmp_path / "jingle.mp3"
    broken.write_bytes(b"this is not audio" * 100)
    with pytest.raises(DataError, match=r"jingle\.mp3: cannot decode audio") as err:
        load_audio(broken)
    assert "\n" not in str(err.value)
    with pytest.raises(ContentgenError, match=r"missing\.wav: audio file not found"):
        load_audio(tmp_path / "missing.wav")


def test_write_wav_stereo_interleaves_the_same_signal(tmp_path: Path) -> None:
    clip = tone(300, 0.2)
    path = write_wav(tmp_path / "stereo.wav", clip, channels=2)
    with wave.open(str(path)) as read:
        assert (read.getnchannels(), read.getsampwidth(), read.getframerate()) == (2, 2, 22050)
        frames = np.frombuffer(read.readframes(read.getnframes()), dtype="<i2").reshape(-1, 2)
    assert len(frames) == len(clip.samples) and np.array_equal(frames[:, 0], frames[:, 1])


def test_to_int16_scales_and_clips() -> None:
    clip = Audio(np.array([-2.0, -1.0, 0.0, 0.5, 1.0, 2.0], dtype=np.float32), 8000)
    assert to_int16(clip).tolist() == [-32767, -32767, 0, 16384, 32767, 32767]
    assert to_int16(clip, channels=2).shape == (6, 2)


# ---- editing -----------------------------------------------------------------------------------------------


def test_resample_keeps_pitch_length_and_marks() -> None:
    clip = Audio(tone(440, 1.0).samples, 22050, (WordMark("hi", 0.25),))
    up = resample(clip, 48000)
    assert up.sample_rate == 48000 and len(up.samples) == 48000
    assert abs(dominant_hz(up) - 440) < 2 and up.marks == clip.marks
    assert resample(clip, 22050) is clip


def test_concat_with_gaps_crossfade_and_moved_marks() -> None:
    a = Audio(np.full(4000, 0.5, dtype=np.float32), 8000, (WordMark("a", 0.1),))
    b = Audio(np.full(4000, -0.5, dtype=np.float32), 8000, (WordMark("b", 0.2),))
    joined = concat([a, b, a], gap=0.25)
    assert len(joined.samples) == 3 * 4000 + 2 * 2000
    assert [(m.text, m.start) for m in joined.marks] == [("a", 0.1), ("b", 0.95), ("a", 1.6)]
    assert np.all(joined.samples[4000:6000] == 0)
    per_join = concat([a, b, a], gap=[0.0, 0.5])
    assert len(per_join.samples) == 3 * 4000 + 4000
    faded = concat([a, b], crossfade=0.1)
    assert len(faded.samples) == 2 * 4000 - 800 and faded.marks[1].start == pytest.approx(0.6)
    assert abs(float(faded.samples[4000 - 400])) < 0.1  # mid-crossfade: the two halves cancel out
    mixed_rates = concat([a, Audio(b.samples, 16000)])
    assert mixed_rates.sample_rate == 8000 and len(mixed_rates.samples) == 4000 + 2000
    with pytest.raises(ConfigError, match="gap has 1 values for 2 joins"):
        concat([a, b, a], gap=[0.1])
    with pytest.raises(ConfigError, match="either gap or crossfade"):
        concat([a, b], gap=0.1, crossfade=0.1)
    assert concat([], sample_rate=8000).duration == 0


def test_loop_to_fills_the_duration_and_fades_out() -> None:
    short = tone(330, 0.7, 22050)
    looped = loop_to(short, 3.0)
    assert len(looped.samples) == 3 * 22050
    assert level_db(window(looped, 1.0, 2.0)) > level_db(short.samples) - 1.5  # no holes at the seams
    assert level_db(window(looped, 2.98, 3.0)) < level_db(short.samples) - 30
    trimmed = loop_to(tone(330, 5.0), 1.0, fade_out=0)
    assert np.array_equal(trimmed.samples, tone(330, 1.0).samples)


# ---- music -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("duration", "rate"), [(0.5, 44100), (7.3, 48000), (15.0, 22050)])
def test_music_bed_has_the_requested_length_and_level(duration: float, rate: int) -> None:
    bed = music_bed(duration, seed=1, sample_rate=rate)
    assert bed.sample_rate == rate and len(bed.samples) == round(duration * rate)
    assert peak_db(bed) == pytest.approx(-6.02, abs=0.01)
    if duration > 5:
        assert loudness(bed) > -30
        assert level_db(window(bed, 0, 0.02)) < level_db(window(bed, 2, 4)) - 20  # fades in
        assert level_db(window(bed, duration - 0.02, duration)) < level_db(window(bed, 2, 4)) - 20  # and out


def test_music_bed_is_seeded() -> None:
    first, again, other = music_bed(6, seed=3), music_bed(6, seed=3), music_bed(6, seed=4)
    assert np.array_equal(first.samples, again.samples)
    assert not np.allclose(first.samples, other.samples, atol=1e-3)
    moods = [music_bed(6, seed=3, mood=mood).samples for mood in MOODS]
    assert len({m.tobytes() for m in moods}) == len(MOODS)


@pytest.mark.parametrize("mood", MOODS)
def test_music_bed_plays_changing_chords_not_a_beep(mood: str) -> None:
    bed = music_bed(12, seed=5, mood=mood, tempo=90)  # a bar is 2.67 s
    bar = 4 * 60 / 90
    first = chroma(window(bed, 0.6, bar - 0.2), bed.sample_rate)
    second = chroma(window(bed, bar + 0.6, 2 * bar - 0.2), bed.sample_rate)
    assert np.sum(first > 0.1 * first.max()) >= 3, "at least three pitch classes sound together"
    cosine = float(first @ second / np.linalg.norm(first) / np.linalg.norm(second))
    assert cosine < 0.95, "the harmony moves from bar to bar"


def test_music_bed_arguments_are_checked() -> None:
    with pytest.raises(NotFoundError, match="unknown music mood 'sad'"):
        music_bed(5, mood="sad")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="tempo must be 40–200"):
        music_bed(5, tempo=300)
    with pytest.raises(ConfigError, match="duration must be a number of seconds"):
        music_bed(-1)


def test_kit_music_loops_the_kits_file_or_makes_a_bed(minimal_kit: Path) -> None:
    kit = load_brand_kit(minimal_kit)
    assert (
        kit_music(kit, 3.0, seed=2, sample_rate=22050).samples.tobytes()
        == music_bed(3.0, seed=2, sample_rate=22050).samples.tobytes()
    )
    write_wav(minimal_kit / "assets" / "jingle.wav", tone(330, 0.8, 44100))
    with (minimal_kit / "kit.yaml").open("a", encoding="utf-8") as f:
        f.write("music: assets/jingle.wav\n")
    music = kit_music(load_brand_kit(minimal_kit), 3.0, sample_rate=22050)
    assert len(music.samples) == 3 * 22050 and abs(dominant_hz(music) - 330) < 2


# ---- ducking and mixing ------------------------------------------------------------------------------------


def test_duck_lowers_music_only_while_the_voice_speaks() -> None:
    rng = np.random.default_rng(0)
    music = Audio((0.2 * rng.standard_normal(8 * 44100)).astype(np.float32), 44100)
    speech = np.zeros(8 * 22050, dtype=np.float32)
    for word in range(6):  # six 250 ms "words" with 80 ms pauses, from 3.0 s to about 5.0 s
        start = round((3.0 + word * 0.33) * 22050)
        speech[start : start + round(0.25 * 22050)] = 0.3 * rng.standard_normal(round(0.25 * 22050))
    ducked = duck(music, Audio(speech, 22050))
    change = [level_db(window(ducked, a, b)) - level_db(window(music, a, b)) for a, b in ((3.1, 4.9), (0.5, 2.5))]
    assert change[0] <= -9, "music is down while the voice speaks, pauses between words included"
    assert abs(change[1]) < 0.5, "and untouched before it"
    assert abs(level_db(window(ducked, 6.5, 7.9)) - level_db(window(music, 6.5, 7.9))) < 0.5, "and after it"
    assert level_db(window(ducked, 3.0, 3.05)) - level_db(window(music, 3.0, 3.05)) < -3, "it starts early"
    assert np.array_equal(duck(music, Audio(speech, 22050), depth_db=0).samples, music.samples)
    with pytest.raises(ConfigError, match="depth_db lowers the music"):
        duck(music, Audio(speech, 22050), depth_db=6)


def test_mix_reaches_the_target_loudness_without_clipping(narration: Narration) -> None:
    voice = narration.audio
    music = music_bed(voice.duration + 1.5, seed=3)
    track = mix(voice, music)
    assert track.sample_rate == 44100 and len(track.samples) == len(music.samples)
    assert loudness(track) == pytest.approx(-14.0, abs=0.5)
    assert peak_db(track) <= -1.0 + 1e-3 and true_peak_db(track) <= -1.0 + 0.01
    assert track.marks == voice.marks
    # After the voice the (unducked) music carries on, well below the voice but clearly audible.
    tail = window(track, voice.duration + 0.3, voice.duration + 0.8)
    assert -40 < level_db(tail) < level_db(window(track, 0.5, voice.duration)) - 3
    for target in (-14.0, -16.0):
        alone = mix(voice, target_lufs=target)
        assert loudness(alone) == pytest.approx(target, abs=0.5) and true_peak_db(alone) <= -1.0 + 0.01
    quiet = mix(Audio(voice.samples * 0.02, voice.sample_rate))
    assert loudness(quiet) == pytest.approx(-14.0, abs=0.5)


def test_narrate_times_each_line(narration: Narration) -> None:
    cues = narration.cues
    assert [c.text for c in cues] == LINES
    assert cues[0].start == 0.5
    for cue, following in itertools.pairwise(cues):
        assert following.start == pytest.approx(cue.end + 0.4, abs=1e-3)
    assert narration.audio.duration == pytest.approx(cues[-1].end, abs=1e-3)
    # Each cue holds its line's speech: the gaps between cues are silent, the cues are not.
    assert level_db(window(narration.audio, cues[0].end + 0.05, cues[1].start - 0.05)) < -80
    assert all(level_db(window(narration.audio, c.start, c.end)) > -35 for c in cues)
    clip = EspeakSpeechProvider().synthesize([SpeechRequest(LINES[1])])[0]
    assert cues[1].end - cues[1].start == pytest.approx(clip.duration, abs=1e-3)
    assert any(m.start > cues[2].start for m in narration.audio.marks)
    assert narrate(EspeakSpeechProvider(), [], lead_in=1.0, sample_rate=8000).audio.duration == 1.0


# ---- measurement -------------------------------------------------------------------------------------------


def test_loudness_of_the_reference_tone() -> None:
    # ITU-R BS.1770: a 997 Hz sine at 0 dBFS in one channel reads −3.01 LKFS.
    assert loudness(tone(997, 3.0, 48000, amplitude=1.0)) == pytest.approx(-3.01, abs=0.1)
    assert loudness(tone(997, 3.0, 48000, amplitude=0.1)) == pytest.approx(-23.01, abs=0.1)
    assert loudness(silence(1.0)) == float("-inf")
    assert np.isfinite(loudness(tone(997, 0.2)))  # shorter than one 400 ms block


def test_true_peak_sees_between_samples() -> None:
    # A sine at a quarter of the sample rate, sampled 45° off its peaks: samples at ±0.707, the wave at ±1.
    rate = 48000
    n = np.arange(rate)
    clip = Audio(np.sin(2 * np.pi * n / 4 + np.pi / 4).astype(np.float32), rate)
    assert peak_db(clip) == pytest.approx(-3.01, abs=0.05)
    assert true_peak_db(clip) == pytest.approx(0.0, abs=0.2)
