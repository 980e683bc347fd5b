"""Short videos: a storyboard written and checked like copy, scenes drawn like posters, voice, captions, music.

A storyboard follows the selling structure hook → pain point → product reveal → selling points → proof →
price/offer → call to action. Its beats are written by the text provider through the copy pipeline
(``channels/surfaces/storyboard.yaml``: every line checked against ad law and grounded in the catalog);
the selling points are the catalog's own. The storyboard is saved as JSON beside the video and can be
edited and rendered again (``make_video(..., storyboard=path)``).

Each beat becomes a scene: a poster at the frame size in a video layout (``layouts/video-*.yaml``: the
same fitting, legibility and safe-zone rules, the lower part of the frame left to captions), with a slow
Ken Burns move and crossfades, between a brand intro and outro card. The narration is spoken one caption
chunk at a time, so every caption is timed to its own clip and every scene lasts as long as its lines;
the music is the kit's file or a generated bed, ducked under the voice, the mix at −14 LUFS.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from contentgen.domain.brand import BrandKit
from contentgen.domain.brief import Brief
from contentgen.domain.channel import Aspect, Channel
from contentgen.domain.common import Locale, Model, Slug
from contentgen.domain.findings import Finding, Severity
from contentgen.domain.product import Catalog, Product
from contentgen.domain.segment import Segment
from contentgen.errors import ConfigError, DataError, NotFoundError
from contentgen.providers.base import ImageProvider, ProviderInfo, SpeechProvider, TextProvider

if TYPE_CHECKING:
    from contentgen.video.captions import CaptionStyle

Beat = Literal["hook", "pain", "reveal", "points", "proof", "offer", "cta"]
BEATS: tuple[Beat, ...] = ("hook", "pain", "reveal", "points", "proof", "offer", "cta")
LAYOUT: dict[Beat, str] = {
    "hook": "video-title",
    "pain": "video-title",
    "reveal": "video-product",
    "points": "video-product",
    "proof": "video-product",
    "offer": "video-offer",
    "cta": "video-title",
}
Motion = Literal["zoom-in", "zoom-out", "pan-left", "pan-right", "static"]
MOTIONS: tuple[Motion, ...] = ("zoom-in", "pan-right", "zoom-out", "pan-left")

FPS = 30
INTRO_S, OUTRO_S, CROSSFADE_S = 1.2, 2.2, 0.3
GAP_S = 0.25
"""Silence between two spoken caption chunks."""
LEAD_S = 0.15
"""A scene appears this long before its first words."""
TAIL_S = 0.45
"""The last content scene stays this long after the last words."""


class StoryScene(Model):
    """One beat: what is said (and captioned), what is shown, in which layout, with which move."""

    beat: Beat
    narration: str = Field(min_length=1, description="spoken and captioned")
    on_screen: str = Field(min_length=1, description="the line drawn on the scene's picture")
    layout: str = Field(min_length=1, description="a layout id (layouts/*.yaml)")
    motion: Motion = "zoom-in"


class Storyboard(Model):
    """A whole video's plan; saved as JSON, editable, rendered again by ``make_video(storyboard=...)``."""

    version: Literal[1] = 1
    brand: str
    segment: Slug | None
    channel: Slug
    skus: list[str] = Field(min_length=1)
    locale: Locale
    aspect: Aspect
    seed: int = 0
    source: str = Field(default="explicit", description="copy:<variant id> when the copy pipeline wrote it")
    scenes: list[StoryScene] = Field(min_length=1)


@dataclass
class VideoResult:
    """A rendered video and everything beside it; `ready` when no check blocks it."""

    storyboard: Storyboard
    video: Path
    cover: Path
    srt: Path
    vtt: Path
    storyboard_file: Path
    duration: float
    size: tuple[int, int]
    fps: int
    render_seconds: float
    speech: ProviderInfo
    findings: list[Finding] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not any(f.blocking for f in self.findings)

    @property
    def files(self) -> list[Path]:
        return [self.video, self.cover, self.srt, self.vtt, self.storyboard_file]

    def to_dict(self) -> dict[str, Any]:
        return {
            "video": str(self.video),
            "cover": str(self.cover),
            "srt": str(self.srt),
            "vtt": str(self.vtt),
            "storyboard": str(self.storyboard_file),
            "duration": round(self.duration, 3),
            "size": list(self.size),
            "fps": self.fps,
            "render_seconds": round(self.render_seconds, 2),
            "ready": self.ready,
            "speech": self.speech.model_dump(mode="json"),
            "findings": [f.model_dump(mode="json") for f in self.findings],
            "scenes": [s.model_dump(mode="json") for s in self.storyboard.scenes],
        }


# ---- the storyboard ---------------------------------------------------------------------------------


def storyboard_surface() -> Channel:
    """The copy 'channel' storyboards are written to (channels/surfaces/storyboard.yaml)."""
    from contentgen.domain.loaders import load_surface

    return load_surface("storyboard")


def write_storyboard(
    brand: BrandKit,
    segment: Segment,
    channel: Channel,
    product: Product,
    *,
    aspect: Aspect,
    brief: Brief | None = None,
    seed: int = 0,
    text_provider: TextProvider | None = None,
    copy_pipeline: Any = None,
) -> tuple[Storyboard, list[Finding]]:
    """The storyboard for one product: beats from the copy pipeline's best variant, selling points from the
    catalog. Returns it with the variant's findings (or a blocking one when no variant was ready)."""
    from contentgen.pipelines.copy import CopyCell, CopyPipeline

    pipeline = copy_pipeline or CopyPipeline(brand, text_provider=text_provider)
    result = pipeline.run([CopyCell(segment, storyboard_surface(), (product,))], brief=brief, n=2, seed=seed)[0]
    best = result.best
    if best is None:
        reason = result.error or "; ".join(d.reason for d in result.dropped[:2]) or "every variant has findings"
        raise ConfigError(f"no storyboard for {product.sku} passed the checks: {reason}")
    lines = best.fields
    points = [p for p in product.selling_points[:2] if p]
    joiner = "；" if brand.locale == "zh-CN" else ". "
    end = "。" if brand.locale == "zh-CN" else "."
    scenes: list[StoryScene] = []
    for i, beat in enumerate(BEATS):
        if beat == "points":
            if not points:
                continue
            narration = joiner.join(p.rstrip("。.") for p in points) + end
            on_screen = points[0]
        else:
            narration = lines[beat]
            on_screen = _on_screen(beat, narration, product, brand.locale)
        motion = "static" if beat == "cta" else MOTIONS[i % len(MOTIONS)]
        scenes.append(
            StoryScene(beat=beat, narration=narration, on_screen=on_screen, layout=LAYOUT[beat], motion=motion)
        )
    board = Storyboard(
        brand=brand.id,
        segment=segment.id,
        channel=channel.id,
        skus=[product.sku],
        locale=brand.locale,
        aspect=aspect,
        seed=seed,
        source=f"copy:{best.id}",
        scenes=scenes,
    )
    return board, [f for f in best.findings if f.severity is not Severity.INFO]


def check_storyboard(
    storyboard: Storyboard,
    brand: BrandKit,
    product: Product,
    *,
    brief: Brief | None = None,
    policies: Mapping[str, str] | None = None,
) -> list[Finding]:
    """The checks a written storyboard's copy gets (ad law, the brand's banned words, grounding in the product's
    facts) over every scene's narration and on-screen line; for a storyboard passed in, rendered as it is."""
    from contentgen.compliance import adlaw
    from contentgen.compliance.grounding import FactSheet, ground_fields

    facts = FactSheet.build([product], brief=brief, policies=policies, brand=brand)
    surface, locale, category = storyboard_surface().id, brand.locale, product.category
    texts = {
        f"scenes.{i}.{name}": text
        for i, scene in enumerate(storyboard.scenes)
        for name, text in (("narration", scene.narration), ("on_screen", scene.on_screen))
    }
    found = [
        f
        for name, text in texts.items()
        for f in adlaw.check(text, locale=locale, brand=brand, category=category, channel=surface, field=name)
    ]
    found += ground_fields(texts, facts, locale=locale)
    return [f for f in found if f.severity is not Severity.INFO]


def _on_screen(beat: Beat, narration: str, product: Product, locale: Locale) -> str:
    """The line drawn on a beat's picture: the product's name on the reveal, else the narration itself."""
    if beat == "reveal":
        head = product.name.split(" ")[0] if locale == "zh-CN" else product.name.split(", ")[0].split(" (")[0]
        return head if len(head) >= 2 else product.name
    return narration.rstrip("。.！!")


def load_storyboard(path: Path) -> Storyboard:
    """A storyboard JSON file (as ``make_video`` saved it, perhaps edited); errors name the file and field."""
    from contentgen.fileio import load_model

    if not path.is_file():
        raise DataError(path, "storyboard file not found")
    return load_model(Storyboard, path)


# ---- the video --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VideoRequest:
    """One video to make: who for, where, which product; a given `storyboard` is rendered again as it is."""

    segment: Segment
    channel: Channel
    product: Product
    aspect: Aspect | None = None
    """Default: 9:16 where the channel takes it, else its first aspect."""
    storyboard: Storyboard | None = None
    brief: Brief | None = None
    seed: int = 0
    short_side: int = 1080
    fps: int = FPS


def make_video(
    brand: BrandKit | str,
    segment: Segment | str,
    channel: Channel | str,
    product: Product | str | None = None,
    *,
    aspect: Aspect | None = None,
    storyboard: Storyboard | Path | None = None,
    brief: Brief | None = None,
    seed: int = 0,
    out_dir: Path | None = None,
    text_provider: TextProvider | None = None,
    image_provider: ImageProvider | None = None,
    speech_provider: SpeechProvider | None = None,
    short_side: int = 1080,
    fps: int = FPS,
    catalog: Catalog | None = None,
) -> VideoResult:
    """One short video: storyboard (written, or given and re-rendered), scenes, voice, captions, music; MP4
    (H.264 yuv420p + AAC, fast-start), cover JPEG, SRT, VTT and the storyboard JSON, all written atomically.
    `product` defaults to the storyboard's, else the catalog's first in-stock product; `catalog` replaces the
    kit's (a shop export, ``load_catalog_for_kit``: its products, their images)."""
    from contentgen.config import load_settings
    from contentgen.domain.loaders import load_brand_kit, resolve_channel, resolve_segment

    settings = load_settings()
    kit = load_brand_kit(brand, extra=settings.kits_path) if isinstance(brand, str) else brand
    pipeline = VideoPipeline(
        kit,
        text_provider=text_provider,
        image_provider=image_provider,
        speech_provider=speech_provider,
        catalog=catalog,
    )
    if isinstance(storyboard, Path):
        storyboard = load_storyboard(storyboard)
    if product is None:
        product = storyboard.skus[0] if storyboard is not None else pipeline.catalog.default_product()
    request = VideoRequest(
        segment=resolve_segment(kit, segment),
        channel=resolve_channel(channel),
        product=pipeline.catalog.get(product) if isinstance(product, str) else product,
        aspect=aspect,
        storyboard=storyboard,
        brief=brief,
        seed=seed,
        short_side=short_side,
        fps=fps,
    )
    return pipeline.run([request], out_dir=out_dir or settings.output_dir / "videos" / kit.id)[0]


class VideoPipeline:
    """Makes videos for one brand; reuse it so the poster pipeline, fonts and providers load once."""

    def __init__(
        self,
        brand: BrandKit,
        *,
        text_provider: TextProvider | None = None,
        image_provider: ImageProvider | None = None,
        speech_provider: SpeechProvider | None = None,
        catalog: Catalog | None = None,
        policies: Mapping[str, str] | None = None,
        prompts_path: Sequence[Path] = (),
    ) -> None:
        from contentgen.config import load_settings
        from contentgen.pipelines.poster import PosterPipeline
        from contentgen.providers.registry import from_settings

        self.brand = brand
        self.posters = PosterPipeline(
            brand,
            image_provider=image_provider,
            text_provider=text_provider,
            catalog=catalog,
            policies=policies,
            prompts_path=prompts_path,
            ocr=False,
        )
        self.catalog = self.posters.catalog
        if speech_provider is None:
            speech_provider = from_settings("speech", load_settings())
        self.speech_provider = speech_provider

    def run(
        self,
        requests: Sequence[VideoRequest],
        *,
        out_dir: Path,
        on_result: Callable[[VideoResult], None] | None = None,
    ) -> list[VideoResult]:
        """One video per request, in order, written to `out_dir`; scene text, captions and cards never break inside
        the kit's words."""
        from contentgen.render.typography import use_words

        results: list[VideoResult] = []
        with use_words(self.posters.words):
            for request in requests:
                results.append(self._make(request, out_dir))
                if on_result:
                    on_result(results[-1])
        return results

    def _make(self, request: VideoRequest, out_dir: Path) -> VideoResult:
        from contentgen.fileio import write_text_atomic
        from contentgen.video import (
            CaptionStyle,
            Timeline,
            caption_max_chars,
            frame_size,
            intro_card,
            outro_card,
            split_captions,
            verify_video,
            write_srt,
            write_vtt,
        )
        from contentgen.video import render as render_video
        from contentgen.video.audio import kit_music, mix, narrate

        brand = self.brand
        segment, channel, product, storyboard = request.segment, request.channel, request.product, request.storyboard
        brief, seed, short_side, fps = request.brief, request.seed, request.short_side, request.fps
        aspect = _aspect(channel, request.aspect)
        findings: list[Finding] = []
        if storyboard is None:
            storyboard, findings = write_storyboard(
                brand,
                segment,
                channel,
                product,
                aspect=aspect,
                brief=brief,
                seed=seed,
                copy_pipeline=self.posters.copy_pipeline,
            )
        else:
            _check_given(storyboard, brand, segment, channel, product)
            policies = self.posters.copy_pipeline.policies
            findings = check_storyboard(storyboard, brand, product, brief=brief, policies=policies)
        size = frame_size(storyboard.aspect, short_side)
        style = CaptionStyle.from_kit(brand, safe_zone=channel.safe_zone)
        # Captions: each scene's narration in chunks a caption line holds, each chunk spoken as its own clip.
        line_limit = channel.video.caption_max_chars.get(brand.locale) if channel.video else None
        max_chars = caption_max_chars(style, size, brand.locale, limit=line_limit)
        chunks: list[tuple[int, str]] = [
            (i, chunk)
            for i, scene in enumerate(storyboard.scenes)
            for chunk in split_captions(scene.narration, brand.locale, max_chars)
        ]
        lead_in = INTRO_S - CROSSFADE_S + LEAD_S
        narration = narrate(
            self.speech_provider, [c for _, c in chunks], locale=brand.locale, gap=GAP_S, lead_in=lead_in
        )
        first = {i: next(k for k, (j, _) in enumerate(chunks) if j == i) for i in range(len(storyboard.scenes))}
        starts = [narration.cues[first[i]].start - LEAD_S for i in range(len(storyboard.scenes))]
        end_of_words = narration.cues[-1].end + TAIL_S
        pictures = self._pictures(storyboard, segment, channel, product, size, brief, seed, findings)
        scenes = [intro_card(brand, size, duration=INTRO_S, safe_zone=channel.safe_zone, crossfade=CROSSFADE_S)]
        for i, (scene, picture) in enumerate(zip(storyboard.scenes, pictures, strict=True)):
            until = starts[i + 1] if i + 1 < len(starts) else end_of_words
            scenes.append(_scene(picture, until - starts[i] + CROSSFADE_S, scene.motion, scene.beat))
        cta = next((s.on_screen for s in storyboard.scenes if s.beat == "cta"), None)
        scenes.append(outro_card(brand, size, duration=OUTRO_S, call_to_action=cta, safe_zone=channel.safe_zone))
        total = sum(s.duration for s in scenes) - CROSSFADE_S * (len(scenes) - 1)
        music = kit_music(brand, total, seed=seed)
        track = mix(narration.audio, music)
        cues = narration.cues
        timeline = Timeline(size, fps, tuple(scenes), tuple(cues), style, track)
        findings += _word_cuts(brand, size, channel, cta, storyboard, style, max_chars, [c.text for c in cues])

        out_dir.mkdir(parents=True, exist_ok=True)
        stem = f"{segment.id}_{channel.id}_{storyboard.aspect.replace(':', 'x')}_{product.sku}"
        video, cover = out_dir / f"{stem}.mp4", out_dir / f"{stem}.jpg"
        rendered = render_video(timeline, video, cover=cover)
        srt, vtt = write_srt(cues, out_dir / f"{stem}.srt"), write_vtt(cues, out_dir / f"{stem}.vtt")
        board = out_dir / f"{stem}.storyboard.json"
        write_text_atomic(board, storyboard.model_dump_json(indent=2) + "\n")
        for problem in verify_video(video, size=size, fps=fps, duration=timeline.frame_count / fps):
            findings.append(Finding(rule="video.output", severity=Severity.BLOCK, message=f"the video {problem}"))
        limit = channel.video.max_duration_s if channel.video else None
        if limit is not None and rendered.duration > limit:
            findings.append(
                Finding(
                    rule="video.duration",
                    severity=Severity.BLOCK,
                    message=f"{rendered.duration:.1f} s is over {channel.id}'s {limit:g} s: shorten the storyboard",
                )
            )
        return VideoResult(
            storyboard=storyboard,
            video=video,
            cover=cover,
            srt=srt,
            vtt=vtt,
            storyboard_file=board,
            duration=rendered.duration,
            size=size,
            fps=fps,
            render_seconds=rendered.seconds,
            speech=self.speech_provider.info(),
            findings=findings,
        )

    def scene_posters(
        self, storyboard: Storyboard, segment: Segment, channel: Channel, product: Product, size: tuple[int, int]
    ) -> list[Any]:
        """Each scene drawn as its picture (a ``PosterResult``), without encoding any video."""
        return self._pictures(storyboard, segment, channel, product, size, None, 0, [], want_results=True)

    def _pictures(
        self,
        storyboard: Storyboard,
        segment: Segment,
        channel: Channel,
        product: Product,
        size: tuple[int, int],
        brief: Brief | None,
        seed: int,
        findings: list[Finding],
        *,
        want_results: bool = False,
    ) -> list[Any]:
        """Each beat's picture: a poster at the frame size in the beat's layout (one batch of backgrounds)."""
        from contentgen.domain.channel import PosterSize
        from contentgen.domain.layout import load_layouts
        from contentgen.pipelines.poster import PosterCopy, PosterRequest

        layouts = load_layouts()
        frame = PosterSize(name="video", width=size[0], height=size[1])
        requests = []
        for i, scene in enumerate(storyboard.scenes):
            if scene.layout not in layouts:
                raise NotFoundError(f"layout of storyboard scene {i + 1}", scene.layout, layouts)
            requests.append(
                PosterRequest(
                    segment=segment,
                    channel=channel,
                    size=frame,
                    layout=layouts[scene.layout],
                    product=product,
                    copy=PosterCopy(headline=scene.on_screen, source=storyboard.source),
                    brief=brief,
                    seed=seed + i,
                    product_seed=seed,
                    disclaimer=scene.beat == "offer",
                )
            )
        results = self.posters.run(requests)
        for scene, result in zip(storyboard.scenes, results, strict=True):
            findings += [
                f.model_copy(update={"message": f"scene '{scene.beat}': {f.message}"})
                for f in result.findings
                if f.severity is not Severity.INFO
            ]
        return list(results) if want_results else [r.image for r in results]


def _check_given(storyboard: Storyboard, brand: BrandKit, segment: Segment, channel: Channel, product: Product) -> None:
    """A storyboard passed in must be for this brand, product, segment and channel, in an aspect the channel takes."""
    if storyboard.skus[0] != product.sku or storyboard.brand != brand.id:
        raise ConfigError(
            f"the storyboard is for {storyboard.brand} {storyboard.skus[0]}, not {brand.id} {product.sku}"
        )
    if storyboard.segment is not None and storyboard.segment != segment.id:
        raise ConfigError(
            f"the storyboard's segment is '{storyboard.segment}', not the request's '{segment.id}': make them equal"
        )
    if storyboard.channel != channel.id:
        raise ConfigError(
            f"the storyboard's channel is '{storyboard.channel}', not the request's '{channel.id}': make them equal"
        )
    aspects = channel.video.aspects if channel.video else []
    if storyboard.aspect not in aspects:
        raise ConfigError(
            f"the storyboard's aspect {storyboard.aspect} is not one {channel.id} takes: use {', '.join(aspects)}"
        )


def _word_cuts(
    brand: BrandKit,
    size: tuple[int, int],
    channel: Channel,
    cta: str | None,
    storyboard: Storyboard,
    style: CaptionStyle,
    max_chars: int,
    captions: Sequence[str],
) -> list[Finding]:
    """``poster.word_cut`` warnings for the text a video sets outside its scene pictures (those report their own,
    as posters): the intro and outro cards, narration split into captions, and each caption as drawn."""
    from contentgen.render.poster_model import word_cut
    from contentgen.render.typography import TextFitError
    from contentgen.video import caption_block, caption_word_cuts, card_word_cuts

    found = [
        word_cut(f"{name} card", text, block.lines)
        for name, extra in (("intro", None), ("outro", cta))
        for text, block in card_word_cuts(brand, size, extra=extra, safe_zone=channel.safe_zone)
    ]
    for scene in storyboard.scenes:
        for clause, pieces in caption_word_cuts(scene.narration, brand.locale, max_chars):
            found.append(word_cut(f"captions of '{scene.beat}'", clause, pieces))
    for n, text in enumerate(captions, 1):
        try:
            block = caption_block(text, style, size)
        except TextFitError:
            continue  # drawing it fails the render with its own message
        if block.broke_word:
            found.append(word_cut(f"caption {n}", text, block.lines))
    return found


def _aspect(channel: Channel, aspect: Aspect | None) -> Aspect:
    """The aspect a video for `channel` is made in (default: 9:16 where it takes it, else its first)."""
    if channel.video is None:
        from contentgen.domain.loaders import load_channels

        video_channels = [c.id for c in load_channels().values() if c.video is not None]
        raise ConfigError(f"channel '{channel.id}' takes no video; channels with video: {', '.join(video_channels)}")
    if aspect is None:
        return "9:16" if "9:16" in channel.video.aspects else channel.video.aspects[0]
    return aspect


def _scene(picture: Any, duration: float, motion: Motion, beat: str) -> Any:
    from contentgen.video import Crossfade, KenBurns, Scene, Static, View

    moves: dict[Motion, Static | KenBurns] = {
        "zoom-in": KenBurns(View(1.0), View(1.06), easing="ease_in_out"),
        "zoom-out": KenBurns(View(1.06), View(1.0), easing="ease_in_out"),
        "pan-left": KenBurns(View(1.05, cx=0.52), View(1.05, cx=0.48)),
        "pan-right": KenBurns(View(1.05, cx=0.48), View(1.05, cx=0.52)),
        "static": Static(),
    }
    return Scene(picture, duration, moves[motion], Crossfade(CROSSFADE_S), name=beat)
