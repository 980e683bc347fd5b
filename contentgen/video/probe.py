"""What a rendered video holds, read with the ffmpeg binary alone (imageio-ffmpeg ships no ffprobe).

``probe`` parses ``ffmpeg -i`` (streams, codecs, size, pixel format, frame rate) and, for MP4, reads
the exact duration from the ``mvhd`` box; ``top_level_boxes`` lists the MP4's boxes in file order
(fast start means ``moov`` before ``mdat``); ``audio_samples`` / ``audio_rms`` decode the audio to
float32; ``frame_at`` decodes the first frame at or after a time; ``verify_video`` lists what is wrong
with a rendered file against the size, rate and length asked for.
"""

from __future__ import annotations

import io
import math
import re
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

from contentgen.errors import ContentgenError
from contentgen.video.encode import ffmpeg_exe, last_error_line


class ProbeError(ContentgenError):
    """The file is missing or ffmpeg cannot read it."""


@dataclass(frozen=True)
class VideoStream:
    codec: str
    width: int
    height: int
    pix_fmt: str
    fps: float
    colour: str
    """What ffmpeg prints after the pixel format, e.g. 'tv, bt709, progressive'."""


@dataclass(frozen=True)
class AudioStream:
    codec: str
    sample_rate: int
    channels: str


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    duration: float
    video: VideoStream | None
    audio: AudioStream | None
    container: str


_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_INPUT = re.compile(r"Input #0, ([^,]+(?:,[^,]+)*?), from")
_VIDEO = re.compile(r"Stream #0:\d+.*?: Video: (\w+).*?, (\w+)(?:\(([^)]*)\))?, (\d+)x(\d+)")
_FPS = re.compile(r"([\d.]+) fps")
_AUDIO = re.compile(r"Stream #0:\d+.*?: Audio: (\w+).*?, (\d+) Hz, ([^,]+)")


def _run(args: list[str], what: Path) -> subprocess.CompletedProcess[bytes]:
    if not what.is_file():
        raise ProbeError(f"{what}: file not found")
    return subprocess.run([ffmpeg_exe(), "-hide_banner", *args], capture_output=True, check=False)


def probe(path: Path) -> MediaInfo:
    """Streams and duration of a media file."""
    path = Path(path)
    result = _run(["-i", str(path)], path)
    text = result.stderr.decode("utf-8", "replace")
    found = _DURATION.search(text)
    if found is None:
        raise ProbeError(f"{path}: ffmpeg cannot read it: {last_error_line(text.splitlines())}")
    hours, minutes, seconds = found.groups()
    duration = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    video = audio = None
    for line in text.splitlines():
        if video is None and (match := _VIDEO.search(line)):
            codec, pix_fmt, colour, width, height = match.groups()
            rate = _FPS.search(line)
            video = VideoStream(
                codec, int(width), int(height), pix_fmt, float(rate.group(1)) if rate else 0.0, colour or ""
            )
        elif audio is None and (match := _AUDIO.search(line)):
            audio = AudioStream(match.group(1), int(match.group(2)), match.group(3).strip())
    container = (m.group(1) if (m := _INPUT.search(text)) else "").strip()
    if "mp4" in container:
        duration = mp4_duration(path) or duration
    return MediaInfo(path, duration, video, audio, container)


def _boxes(data: io.BufferedReader, end: int) -> list[tuple[str, int, int]]:
    """(type, payload offset, payload size) of the boxes from the reader's position up to ``end``."""
    found = []
    while data.tell() + 8 <= end:
        start = data.tell()
        size, kind = struct.unpack(">I4s", data.read(8))
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data.read(8))[0]
            header = 16
        elif size == 0:
            size = end - start
        if size < header:
            break
        found.append((kind.decode("latin-1"), start + header, size - header))
        data.seek(start + size)
    return found


def top_level_boxes(path: Path) -> list[str]:
    """The MP4's top-level box types in file order (``moov`` before ``mdat`` means fast start)."""
    path = Path(path)
    with path.open("rb") as data:
        return [kind for kind, _, _ in _boxes(data, path.stat().st_size)]


def mp4_duration(path: Path) -> float | None:
    """The movie duration from the ``mvhd`` box, or None if there is none."""
    path = Path(path)
    with path.open("rb") as data:
        for kind, offset, size in _boxes(data, path.stat().st_size):
            if kind != "moov":
                continue
            data.seek(offset)
            for inner, inner_offset, _ in _boxes(data, offset + size):
                if inner == "mvhd":
                    data.seek(inner_offset)
                    version = data.read(1)[0]
                    data.seek(inner_offset + (20 if version == 1 else 12))
                    if version == 1:
                        scale, length = struct.unpack(">IQ", data.read(12))
                    else:
                        scale, length = struct.unpack(">II", data.read(8))
                    return length / scale if scale else None
    return None


def verify_video(
    path: Path, *, size: tuple[int, int], fps: float, duration: float, tolerance: float = 0.1
) -> list[str]:
    """What is wrong with a rendered video against what was asked for (an empty list: nothing)."""
    try:
        info = probe(path)
    except ProbeError as err:
        return [str(err)]
    problems = []
    if abs(info.duration - duration) > tolerance:
        problems.append(f"lasts {info.duration:.3f} s, not {duration:.3f} s")
    video = info.video
    if video is None:
        problems.append("has no video stream")
    else:
        if (video.codec, video.pix_fmt) != ("h264", "yuv420p"):
            problems.append(f"video is {video.codec} {video.pix_fmt}, not h264 yuv420p")
        if (video.width, video.height) != tuple(size):
            problems.append(f"is {video.width}x{video.height}, not {size[0]}x{size[1]}")
        if abs(video.fps - fps) > 0.01:
            problems.append(f"runs at {video.fps} fps, not {fps}")
    if info.audio is None or info.audio.codec != "aac":
        problems.append("has no AAC audio stream")
    boxes = top_level_boxes(path) if "mp4" in info.container else []
    if "moov" not in boxes or "mdat" not in boxes or boxes.index("moov") > boxes.index("mdat"):
        problems.append("is not fast-start (the moov box must come before mdat)")
    return problems


def audio_samples(path: Path, sample_rate: int = 16_000) -> npt.NDArray[np.float32]:
    """The audio mixed to mono at ``sample_rate``, as float32 samples."""
    path = Path(path)
    result = _run(
        ["-v", "error", "-i", str(path), "-vn", "-ac", "1", "-ar", str(sample_rate), "-f", "f32le", "-"], path
    )
    if result.returncode != 0:
        raise ProbeError(
            f"{path}: cannot decode audio: {last_error_line(result.stderr.decode(errors='replace').splitlines())}"
        )
    return np.frombuffer(result.stdout, dtype="<f4").astype(np.float32)


def audio_rms(path: Path, start: float = 0.0, end: float | None = None, sample_rate: int = 16_000) -> float:
    """Root-mean-square level (0–1) of the audio between ``start`` and ``end`` seconds."""
    samples = audio_samples(path, sample_rate)[
        round(start * sample_rate) : None if end is None else round(end * sample_rate)
    ]
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if samples.size else 0.0


def to_dbfs(rms: float) -> float:
    """An RMS level in dB relative to full scale (−inf for silence)."""
    return 20 * math.log10(rms) if rms > 0 else -math.inf


def frame_at(path: Path, t: float) -> Image.Image:
    """The first decoded frame at or after ``t`` seconds, as RGB (an accurate seek: ffmpeg decodes up to it)."""
    path = Path(path)
    result = _run(
        ["-v", "error", "-ss", f"{t:.6f}", "-i", str(path), "-frames:v", "1", "-c:v", "png", "-f", "image2pipe", "-"],
        path,
    )
    if result.returncode != 0 or not result.stdout:
        why = last_error_line(result.stderr.decode(errors="replace").splitlines())
        raise ProbeError(f"{path}: no frame at {t:.3f} s: {why}")
    with Image.open(io.BytesIO(result.stdout)) as image:
        rgb: Image.Image = image.convert("RGB")
    return rgb
