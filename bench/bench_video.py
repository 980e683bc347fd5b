"""Video rendering: contentgen's engine against a naive moviepy composition of the same storyboard.

The storyboard: 15 s of 1080×1920 at 30 fps, three poster-like scenes (a procedural brand background,
a product shape, a headline in the brand font), each with a Ken Burns zoom or pan and 0.5 s
crossfades, Chinese captions split from a narration, and a voice track (the offline espeak voice when
``contentgen.providers.speech.espeak`` is installed, otherwise a synthetic voice-like signal: the
table says which). Inputs are made once and saved; each renderer then runs in its own subprocess, so
that its wall time, CPU time (its own and ffmpeg's) and peak resident memory are its alone.

* moviepy (naive): ``ImageClip`` → ``.resized(lambda t: …)`` per frame for the zoom, positioned per
  frame for the pan, ``CrossFadeIn``, caption ``ImageClip``\\ s (drawn by contentgen), all in a
  ``CompositeVideoClip``, ``write_videofile`` with libx264 at moviepy's default preset (medium).
* moviepy, contentgen's x264 settings: the same, encoded as contentgen encodes, to separate what the
  encoder settings save from what the engine saves.
* contentgen: ``contentgen.video.render``; with ``--pillow`` also as on a machine without OpenCV.

The goal is at least 6× faster than the naive baseline and a real-time factor (seconds per second of
video) of at most 0.5 on 2 cores, with peak memory under 2 GB. The machine may be shared: the table
shows the load average, and CPU seconds (less affected by other processes than wall time).

    python -m bench.bench_video [--quick] [--pillow] [--only RENDERER] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

SIZE = (1080, 1920)
FPS = 30
SCENE_SECONDS = (5.5, 5.5, 5.0)
CROSSFADE = 0.5
DURATION = sum(SCENE_SECONDS) - CROSSFADE * (len(SCENE_SECONDS) - 1)
NARRATION = (
    "夏天到了，皮肤容易干燥缺水。青禾积雪草舒缓保湿水，不添加酒精和香精，"
    "换季干燥时可以用化妆棉湿敷3到5分钟。现在下单到手价129元，限时包邮！"
)
HEADLINES = ("积雪草舒缓保湿水", "温和不刺激", "到手价¥129")
KIT = "qinghe"
GOAL_RATIO = 6.0
GOAL_RTF = 0.5
MEMORY_LIMIT_MB = 2048
LABELS = {
    "moviepy": "moviepy naive (baseline)",
    "moviepy-fast": "moviepy + our x264",
    "contentgen": "contentgen",
    "contentgen-pillow": "contentgen without OpenCV",
}


# ---------------------------------------------------------------------------------------------
# Inputs, made once


def _voice(seconds: float) -> tuple[Any, str]:
    """The narration voice: espeak when the speech provider exists, else a synthetic voice-like signal."""
    import importlib.util

    from contentgen.providers.base import Audio

    if importlib.util.find_spec("contentgen.providers.speech.espeak") is not None:
        from contentgen.providers.base import SpeechRequest
        from contentgen.providers.speech.espeak import EspeakSpeechProvider

        provider = EspeakSpeechProvider()
        audio = provider.synthesize([SpeechRequest(NARRATION, "zh-CN")])[0]
        if audio.duration > seconds:  # speak a little faster so that the narration fits the storyboard
            rate = audio.duration / seconds
            audio = provider.synthesize([SpeechRequest(NARRATION, "zh-CN", rate=rate)])[0]
        return audio, f"espeak, {audio.duration:.1f} s"
    rate = 22_050
    t = np.arange(int(seconds * rate)) / rate
    pitch = 140 + 25 * np.sin(2 * np.pi * 0.4 * t)  # a gliding fundamental, like intonation
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    voiced = sum(np.sin(k * phase) / k for k in range(1, 12))
    syllables = np.clip(np.sin(2 * np.pi * 4.0 * t), 0, None) ** 0.5 * (np.sin(2 * np.pi * 0.23 * t) > -0.7)
    samples = (0.25 * voiced * syllables).astype(np.float32)
    return Audio(samples, rate), "synthetic voice-like signal (no espeak provider installed)"


def _make_inputs(folder: Path) -> dict[str, Any]:
    from PIL import ImageDraw

    from contentgen.domain import load_brand_kit
    from contentgen.providers import ImageRequest
    from contentgen.providers.image.procedural import ProceduralImageProvider
    from contentgen.render.typography import FontStack, draw_text, fit_text
    from contentgen.video.captions import split_captions
    from contentgen.video.encode import write_wav

    kit = load_brand_kit(KIT)
    palette = (kit.palette.background, kit.palette.secondary, kit.palette.primary)
    width, height = SIZE
    requests = [ImageRequest("", width, height, seed=seed, palette=palette) for seed in range(3)]
    images = ProceduralImageProvider().render(requests)
    fonts = FontStack.from_specs([kit.fonts.heading], kit.root)
    visuals = []
    for index, (image, headline) in enumerate(zip(images, HEADLINES, strict=True)):
        draw = ImageDraw.Draw(image)
        draw.rounded_rectangle((290, 560, 790, 1260), radius=60, fill=kit.palette.primary)
        draw.ellipse((390, 660, 690, 960), fill=kit.palette.accent)
        block = fit_text(headline, fonts, (900, 200), max_size=110, min_size=60)
        draw_text(image, block, fonts, (90, 1340), kit.palette.text, align="center", box_width=900)
        path = folder / f"scene{index}.png"
        image.save(path)
        visuals.append(str(path))
    audio, voice = _voice(DURATION - 1.0)
    write_wav(audio, folder / "voice.wav")
    chunks = split_captions(NARRATION, kit.locale, 14)
    return {"visuals": visuals, "voice": voice, "voice_seconds": audio.duration, "chunks": chunks}


def _cues(inputs: dict[str, Any]) -> list[Any]:
    from contentgen.video.captions import spread_cues

    end = min(DURATION - 0.2, 0.3 + inputs["voice_seconds"])
    return spread_cues(inputs["chunks"], 0.3, end, gap=0.1)


# ---------------------------------------------------------------------------------------------
# Renderers (each runs in its own subprocess)


def _render_contentgen(inputs: dict[str, Any], folder: Path, out: Path) -> dict[str, Any]:
    from contentgen.domain import load_brand_kit, load_channels
    from contentgen.video.captions import CaptionStyle
    from contentgen.video.engine import render
    from contentgen.video.timeline import Crossfade, Cut, KenBurns, Scene, Timeline

    kit = load_brand_kit(KIT)
    style = CaptionStyle.from_kit(kit, load_channels()["douyin"].safe_zone)
    motions = (KenBurns.zoom_in(0.12), KenBurns.pan("left", 1.15), KenBurns.zoom_out(0.12))
    scenes = [
        Scene(Path(visual), seconds, motion, Crossfade(CROSSFADE) if i < 2 else Cut())
        for i, (visual, seconds, motion) in enumerate(zip(inputs["visuals"], SCENE_SECONDS, motions, strict=True))
    ]
    timeline = Timeline(SIZE, FPS, scenes, _cues(inputs), style, folder / "voice.wav")
    result = render(timeline, out)
    return {"resampler": result.resampler}


def _render_moviepy(inputs: dict[str, Any], folder: Path, out: Path, *, fast_x264: bool) -> dict[str, Any]:
    from moviepy import AudioFileClip, CompositeVideoClip, ImageClip, vfx
    from PIL import Image

    from contentgen.domain import load_brand_kit, load_channels
    from contentgen.video.captions import CaptionStyle, render_caption
    from contentgen.video.encode import EncodeSettings

    width = SIZE[0]
    clips = []
    start = 0.0
    for index, (visual, seconds) in enumerate(zip(inputs["visuals"], SCENE_SECONDS, strict=True)):
        image = np.asarray(Image.open(visual).convert("RGB"))
        clip = ImageClip(image).with_duration(seconds).with_start(start)
        if index == 0:  # zoom in 12 %, centred
            clip = clip.resized(lambda t, d=seconds: 1 + 0.12 * t / d).with_position("center")
        elif index == 1:  # pan left at 115 %
            span = width * 1.15 - width
            clip = clip.resized(1.15).with_position(lambda t, d=seconds, s=span: (-s + s * t / d, "center"))
        else:  # zoom out from 112 %
            clip = clip.resized(lambda t, d=seconds: 1.12 - 0.12 * t / d).with_position("center")
        if index > 0:
            clip = clip.with_effects([vfx.CrossFadeIn(CROSSFADE)])
        clips.append(clip)
        start += seconds - CROSSFADE
    kit = load_brand_kit(KIT)
    style = CaptionStyle.from_kit(kit, load_channels()["douyin"].safe_zone)
    for cue in _cues(inputs):
        drawn = render_caption(cue.text, style, SIZE)
        caption = ImageClip(np.asarray(drawn.image), transparent=True)
        clips.append(caption.with_start(cue.start).with_duration(cue.end - cue.start).with_position(drawn.position))
    video = CompositeVideoClip(clips, size=SIZE).with_duration(DURATION)
    voice = AudioFileClip(str(folder / "voice.wav"))
    video = video.with_audio(voice.subclipped(0, min(voice.duration, DURATION)))
    options: dict[str, Any] = {}
    if fast_x264:
        settings = EncodeSettings()
        options = {
            "preset": settings.preset,
            "ffmpeg_params": ["-crf", str(settings.crf), "-x264-params", settings.x264_params],
        }
    video.write_videofile(str(out), fps=FPS, codec="libx264", audio_codec="aac", logger=None, **options)
    return {}


def _worker(kind: str, folder: Path, out: Path) -> None:
    inputs = json.loads((folder / "inputs.json").read_text(encoding="utf-8"))
    # Import each renderer's library before the clock starts, so neither pays for imports.
    if kind.startswith("contentgen"):
        import contentgen.video.engine  # noqa: F401
        from contentgen.video import planes

        if kind == "contentgen-pillow":
            planes._cv2 = lambda: None  # as on a machine without OpenCV
    else:
        import moviepy  # noqa: F401
    wall, cpu = time.perf_counter(), time.process_time()
    if kind.startswith("contentgen"):
        extra = _render_contentgen(inputs, folder, out)
    else:
        extra = _render_moviepy(inputs, folder, out, fast_x264=kind == "moviepy-fast")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = {
        "seconds": wall,
        "cpu": cpu,
        "ffmpeg_cpu": children.ru_utime + children.ru_stime,
        "rss_mb": own.ru_maxrss / 1024,
        "ffmpeg_rss_mb": children.ru_maxrss / 1024,
        **extra,
    }
    print(json.dumps(report))


# ---------------------------------------------------------------------------------------------
# The table


def _run(kind: str, folder: Path) -> dict[str, Any]:
    out = folder / f"{kind}.mp4"
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_video", "--worker", kind, "--inputs", str(folder), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    from contentgen.video.probe import probe

    info = probe(out)
    report["duration"] = info.duration
    report["mb"] = out.stat().st_size / 1e6
    return report


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the moviepy run with contentgen's x264 settings")
    parser.add_argument("--pillow", action="store_true", help="also run contentgen without OpenCV (Pillow resampling)")
    parser.add_argument("--only", choices=[*LABELS], help="run one renderer")
    parser.add_argument("--keep", type=Path, help="keep inputs and outputs in this folder")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--inputs", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker, args.inputs, args.out)
        return

    console = Console(width=max(Console().width, 110))
    with tempfile.TemporaryDirectory(prefix="bench-video-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        inputs = _make_inputs(folder)
        (folder / "inputs.json").write_text(json.dumps(inputs, ensure_ascii=False), encoding="utf-8")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        console.print(f"{os.cpu_count()} CPUs, load average {load:.1f} at start; voice: {inputs['voice']}")
        skipped = {"moviepy-fast"} if args.quick else set()
        if not args.pillow:
            skipped.add("contentgen-pillow")
        kinds = [args.only] if args.only else [kind for kind in LABELS if kind not in skipped]
        reports = {kind: _run(kind, folder) for kind in kinds}
        voice = inputs["voice"]
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    base = reports["moviepy"]["seconds"] if "moviepy" in reports else None
    w, h = SIZE
    table = Table(
        title=f"{DURATION:.0f} s of {w}×{h} at {FPS} fps, 3 scenes with Ken Burns, captions, voice "
        f"(goal ≥ {GOAL_RATIO:.0f}× the baseline, RTF ≤ {GOAL_RTF}, < {MEMORY_LIMIT_MB} MB)",
        caption=f"voice: {voice}; CPU s: the renderer's process + its ffmpeg; RSS: peak resident memory",
    )
    for column in ("renderer", "s", "RTF", "× base", "CPU s py+ff", "RSS MB py/ff", "video s", "MB"):
        table.add_column(column, justify="left" if column == "renderer" else "right")
    for kind, report in reports.items():
        table.add_row(
            LABELS[kind] + (f" ({report['resampler']})" if "resampler" in report else ""),
            f"{report['seconds']:.2f}",
            f"{report['seconds'] / DURATION:.2f}",
            f"{base / report['seconds']:.1f}×" if base else "–",
            f"{report['cpu']:.1f}+{report['ffmpeg_cpu']:.1f}",
            f"{report['rss_mb']:.0f}/{report['ffmpeg_rss_mb']:.0f}",
            f"{report['duration']:.2f}",
            f"{report['mb']:.1f}",
            style="bold" if kind == "contentgen" else None,
        )
    console.print(table)
    console.print(f"load average {load:.1f} at the end")


if __name__ == "__main__":
    main()
