"""Deliverables: what a campaign makes for each cell (segment × channel × products), one small class per kind.

`copy`, `poster` and `video` ship here. A new kind (or a plugin's own) is one class with one abstract method,
`make_batch(items, ctx) -> list[ArtifactRecord]`, registered under its kind; a brief then asks for it per channel with
one line (`poster: {}` under a channel). For example, posters::

    class PosterOptions(DeliverableOptions):
        sizes: list[str] = []                  # channel poster size names; empty: every size of the channel

    class PosterDeliverable(Deliverable):
        kind = "poster"
        Options = PosterOptions
        needs = ("copy",)                      # made after the same cell's copy, redone when that copy changes
        providers = ("image", "text")          # their names and options go into every poster's id
        seconds = 3.0                          # rough time per artifact, for `campaign plan`'s estimate

        def make_batch(self, items: Sequence[PlannedArtifact], ctx: CampaignContext) -> list[ArtifactRecord]:
            return [self.make_one(item, ctx) for item in items]

        def make_one(self, item: PlannedArtifact, ctx: CampaignContext) -> ArtifactRecord:
            options = PosterOptions.model_validate(item.options)
            copy = ctx.copy_result(item)       # the CopyResult the copy deliverable wrote for this cell
            pipeline = ctx.cached("poster", lambda: PosterPipeline(ctx.brand, image_provider=ctx.provider("image")))
            results = pipeline.run([...])      # PosterRequest per size, copy from `copy.best`
            files = [Path(p) for r in results for p in write_poster(r, ctx.folder(item)).values()]
            return ctx.record(item, files, provider=..., findings=[...], ready=all(r.ready for r in results))

Register it with an entry point in the `contentgen.deliverables` group (the built-ins are registered that way in
pyproject.toml: `poster = "contentgen.campaign.deliverables:PosterDeliverable"`) or with
`register_deliverable(PosterDeliverable)` at run time (contentgen.campaign.registry). Files go under
`ctx.folder(item)` and are written atomically (write_poster, write_bytes_atomic); `ctx.record` hashes them into
the manifest line. The review page shows each image or video file of an artifact (files sharing a stem, such as
poster.png and poster.jpg, are one item) with the record's findings; override `review_items` to show more.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from contentgen.errors import ConfigError, NotFoundError

if TYPE_CHECKING:
    from contentgen.campaign.brief import CampaignBrief
    from contentgen.campaign.manifest import ArtifactRecord
    from contentgen.campaign.types import Cell, PlannedArtifact, ReviewItem
    from contentgen.config import ProviderChoice, Settings
    from contentgen.domain.brand import BrandKit
    from contentgen.domain.channel import Channel
    from contentgen.domain.findings import Finding
    from contentgen.domain.product import Catalog, Product
    from contentgen.domain.segment import Segment
    from contentgen.pipelines.copy import CopyResult
    from contentgen.providers.base import Provider, ProviderInfo, ProviderKind

T = TypeVar("T")


class DeliverableOptions(BaseModel):
    """Options of one deliverable in a brief (`copy: {n: 3}`); a misspelt option is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Deliverable(ABC):
    """One kind of artifact a campaign makes per cell; `make` is the one method a new kind must write."""

    kind: ClassVar[str]
    Options: ClassVar[type[DeliverableOptions]] = DeliverableOptions
    needs: ClassVar[tuple[str, ...]] = ()
    """Kinds made first for the same cell; their input hashes are part of this kind's."""
    providers: ClassVar[tuple[ProviderKind, ...]] = ()
    """Provider kinds whose name and options decide the output (part of the artifact's input hash)."""
    seconds: ClassVar[float] = 1.0
    """Rough seconds per artifact on one core, for `campaign plan`'s estimate."""
    max_batch: ClassVar[int] = 1
    """Artifacts one worker call may take at once (`make_batch`), so model providers can batch across cells."""

    @abstractmethod
    def make_batch(self, items: Sequence[PlannedArtifact], ctx: CampaignContext) -> list[ArtifactRecord]:
        """Make artifacts of this kind, one record per item in order: write each one's files atomically under
        ctx.folder(item) and return ctx.record(...). One provider call may serve them all (up to `max_batch`)."""

    def make(self, item: PlannedArtifact, ctx: CampaignContext) -> ArtifactRecord:
        """Make one artifact (a batch of one)."""
        return self.make_batch([item], ctx)[0]

    def inputs(self, cell: Cell, ctx: CampaignContext) -> dict[str, Any]:
        """What this kind reads beyond the cell, options, brief, providers and seed: hashed into the id.

        The default is conservative: the whole kit with every file it names, and the products' images.
        """
        return {"kit": kit_content(ctx), "assets": asset_hashes(ctx, ctx.products(cell.skus))}

    def estimate(self, options: DeliverableOptions) -> float:
        """Seconds one artifact takes on one core, roughly."""
        return self.seconds

    def review_items(self, record: ArtifactRecord, root: Path) -> list[ReviewItem]:
        """What a reviewer approves or rejects: by default one item per image or video the artifact wrote."""
        from contentgen.campaign.review_items import file_review_items

        return file_review_items(record, root)


# ---- the context a deliverable works in ---------------------------------------------------------


@dataclass
class CampaignContext:
    """Everything a process needs to make a campaign's artifacts; built once per run, copied to each worker."""

    brief: CampaignBrief
    settings: Settings
    brand: BrandKit
    catalog: Catalog
    policies: dict[str, str]
    segments: dict[str, Segment]
    channels: dict[str, Channel]
    out_dir: Path | None = None
    upstream_records: dict[str, ArtifactRecord] = field(default_factory=dict)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def prompts_path(self) -> tuple[Path, ...]:
        return tuple(self.settings.prompts_path)

    def cached(self, key: str, build: Callable[[], T]) -> T:
        """A per-process object (pipeline, loaded model) built on first use."""
        if key not in self._cache:
            self._cache[key] = build()
        value: T = self._cache[key]
        return value

    def provider_choice(self, kind: ProviderKind) -> ProviderChoice:
        """The brief's provider for `kind`, else the settings' one."""
        choice: ProviderChoice = self.brief.providers.get(kind) or getattr(self.settings, kind)
        return choice

    def provider(self, kind: ProviderKind) -> Provider:
        """The provider for `kind`, built once per process."""

        def build() -> Provider:
            from contentgen.providers.registry import create

            choice = self.provider_choice(kind)
            return create(kind, choice.name, choice.options)

        return self.cached(f"provider:{kind}", build)

    def products(self, skus: Sequence[str]) -> tuple[Product, ...]:
        return tuple(self.catalog.get(sku) for sku in skus)

    def folder(self, item: PlannedArtifact) -> Path:
        """The folder an artifact writes into: <out>/artifacts/<segment>/<channel>/<skus>/."""
        from contentgen.campaign.manifest import ARTIFACTS

        return self.root / ARTIFACTS / item.cell.path

    @property
    def root(self) -> Path:
        if self.out_dir is None:
            raise ConfigError("this campaign context has no output folder (it was built for planning)")
        return self.out_dir

    def upstream(self, item: PlannedArtifact, kind: str) -> ArtifactRecord:
        """The finished record of another kind for the same cell (one of this kind's `needs`)."""
        key = f"{item.cell.key}/{kind}"
        if key not in self.upstream_records:
            raise ConfigError(f"'{item.kind}' reads the '{kind}' artifact of its cell; add '{kind}' to its `needs`")
        return self.upstream_records[key]

    def copy_result(self, item: PlannedArtifact) -> CopyResult:
        """The copy the copy deliverable wrote for this item's cell, with its ranked variants."""
        return read_copy_result(self.upstream(item, "copy"), self.root)

    def record(
        self,
        item: PlannedArtifact,
        files: Sequence[Path],
        *,
        provider: ProviderInfo | None = None,
        prompt_version: str = "",
        findings: Sequence[Finding] = (),
        ready: bool = True,
        summary: Mapping[str, Any] | None = None,
    ) -> ArtifactRecord:
        """The manifest record of a finished artifact, with the size and hash of every file it wrote."""
        import datetime as dt

        from contentgen.campaign.manifest import ArtifactRecord, OutputFile, file_sha256

        outputs = []
        for path in files:
            absolute = path if path.is_absolute() else self.root / path
            outputs.append(
                OutputFile(
                    path=absolute.resolve().relative_to(self.root.resolve()).as_posix(),
                    sha256=file_sha256(absolute),
                    bytes=absolute.stat().st_size,
                )
            )
        return ArtifactRecord(
            id=item.id,
            kind=item.kind,
            segment=item.segment,
            channel=item.channel,
            skus=list(item.skus),
            input_hash=item.input_hash,
            inputs=item.inputs,
            provider=provider,
            seed=self.brief.seed,
            prompt_version=prompt_version,
            files=outputs,
            findings=list(findings),
            ready=ready,
            summary=dict(summary or {}),
            created_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        )


def build_context(brief: CampaignBrief, settings: Settings, out_dir: Path | None = None) -> CampaignContext:
    """Load the kit, catalog, policies, segments and channels a brief names; names in errors point into the brief."""
    from contentgen.domain.loaders import (
        KIT_FILE,
        kit_folder,
        kit_segments,
        load_brand_kit,
        load_channels,
        load_kit_catalog,
        load_policies,
        load_segments,
    )

    local = brief.folder / brief.kit
    if (local / KIT_FILE).is_file():
        folder = local
    else:
        try:
            folder = kit_folder(brief.kit, settings.kits_path)
        except NotFoundError as err:
            raise brief.unknown(("kit",), "brand kit", brief.kit, err.valid) from None
    brand = load_brand_kit(folder)
    if brief.locale is not None and brief.locale != brand.locale:
        raise brief.error(
            ("locale",), f"kit '{brand.id}' writes in {brand.locale}, not {brief.locale}", hint="remove locale"
        )
    if brief.segments_file:
        path = brief.folder / brief.segments_file
        if not path.is_file():
            raise brief.error(("segments_file",), f"file '{brief.segments_file}' not found in {brief.folder}")
        segments = load_segments(path)
    else:
        segments = kit_segments(brand)
    return CampaignContext(
        brief=brief,
        settings=settings,
        brand=brand,
        catalog=load_kit_catalog(brand),
        policies=load_policies(brand),
        segments={s.id: s for s in segments},
        channels=load_channels(),
        out_dir=out_dir,
    )


# ---- hashing what an artifact reads ---------------------------------------------------------------


def digest(value: Any) -> str:
    """A short, stable hash of JSON-able data (dict order does not matter)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@lru_cache(maxsize=256)
def _file_digest(path: Path, mtime_ns: int, size: int) -> str:
    from contentgen.campaign.manifest import file_sha256

    return file_sha256(path)[:16]


def path_digest(path: Path) -> str:
    """Hash of a file's bytes, cached while its size and mtime stay the same."""
    stat = path.stat()
    return _file_digest(path.resolve(), stat.st_mtime_ns, stat.st_size)


def kit_content(ctx: CampaignContext) -> dict[str, Any]:
    """The whole kit: kit.yaml's fields, policies, and the bytes of every file it names (logo, fonts, music)."""

    def build() -> dict[str, Any]:
        from contentgen.fonts import resolve_font

        brand = ctx.brand
        named = [brand.logo.primary, brand.logo.vector, brand.logo.on_dark, brand.music]
        files = {name: path_digest(brand.path(name)) for name in named if name}
        for role, spec in brand.fonts.roles().items():
            files[f"font:{role}"] = path_digest(resolve_font(spec, brand.root))
        return {"kit": brand.model_dump(mode="json"), "policies": ctx.policies, "files": files}

    return ctx.cached("inputs:kit", build)


def kit_voice(ctx: CampaignContext) -> dict[str, Any]:
    """The part of the kit that words depend on: identity, voice (banned words, disclaimers …) and policies."""
    brand = ctx.brand
    identity = brand.model_dump(mode="json", include={"id", "name", "short_name", "locale", "description", "voice"})
    return {"kit": identity, "policies": ctx.policies}


def asset_hashes(ctx: CampaignContext, products: Sequence[Product]) -> dict[str, str]:
    """Hashes of the products' image files (paths in the catalog are relative to the kit folder)."""
    out = {}
    for product in products:
        for image in product.images:
            path = ctx.brand.root / image
            out[image] = path_digest(path) if path.is_file() else "missing"
    return out


# ---- copy -------------------------------------------------------------------------------------------


class CopyOptions(DeliverableOptions):
    n: int = Field(default=3, ge=1, le=20, description="ranked variants per cell")
    repair_tries: int | None = Field(
        default=None,
        ge=0,
        le=10,
        description="model providers: rounds that regenerate failing variants with their findings before the "
        "template fallback; default: the copy pipeline's (2)",
    )

    @model_serializer(mode="wrap")
    def _unset_repair_tries_left_out(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Left unset, `repair_tries` is not in the dumped options, so artifact ids stay what they were."""
        data: dict[str, Any] = handler(self)
        if self.repair_tries is None:
            data.pop("repair_tries", None)
        return data


COPY_FILES = ("json", "md")


class CopyDeliverable(Deliverable):
    """Ranked, checked copy variants per cell: copy.json (a list of one CopyResult) and copy.md."""

    kind = "copy"
    Options = CopyOptions
    providers = ("text",)
    seconds = 0.015  # per variant written (twice the n kept): offline engine and checks, one core
    max_batch = 8

    def inputs(self, cell: Cell, ctx: CampaignContext) -> dict[str, Any]:
        from contentgen.results.learning import copy_prior

        inputs = {"kit": kit_voice(ctx), "prompts": copy_prompt_sources(ctx, cell.channel)}
        learned = ctx.cached("copy:prior", lambda: copy_prior(ctx.brand.id, ctx.settings))
        return inputs | ({"learned": learned.digest} if learned else {})  # a new case library remakes the copy

    def estimate(self, options: DeliverableOptions) -> float:
        n = options.n if isinstance(options, CopyOptions) else CopyOptions().n
        return 0.02 + self.seconds * 2 * n

    def make(self, item: PlannedArtifact, ctx: CampaignContext) -> ArtifactRecord:
        return self.make_batch([item], ctx)[0]

    def make_batch(self, items: Sequence[PlannedArtifact], ctx: CampaignContext) -> list[ArtifactRecord]:
        from contentgen.pipelines.copy import CopyCell, CopyPipeline
        from contentgen.pipelines.copy_files import write_results
        from contentgen.providers.base import TextProvider
        from contentgen.results.learning import copy_prior

        def build() -> CopyPipeline:
            provider = ctx.provider("text")
            assert isinstance(provider, TextProvider)
            learned = ctx.cached("copy:prior", lambda: copy_prior(ctx.brand.id, ctx.settings))
            return CopyPipeline(
                ctx.brand,
                text_provider=provider,
                catalog=ctx.catalog,
                policies=ctx.policies,
                prompts_path=ctx.prompts_path,
                prior=learned.bonus if learned else None,
            )

        pipeline = ctx.cached("copy:pipeline", build)
        # One pipeline run per variant count and repair rounds; the run batches its cells into provider calls.
        by_options: dict[tuple[int, int | None], list[PlannedArtifact]] = {}
        for item in items:
            options = CopyOptions.model_validate(item.options)
            by_options.setdefault((options.n, options.repair_tries), []).append(item)
        done: dict[str, ArtifactRecord] = {}
        for (n, tries), group in by_options.items():
            cells = [CopyCell(ctx.segments[i.segment], ctx.channels[i.channel], ctx.products(i.skus)) for i in group]
            results = pipeline.run(cells, brief=ctx.brief.copy_brief, n=n, seed=ctx.brief.seed, repair_tries=tries)
            for item, result in zip(group, results, strict=True):
                files = write_results([result], ctx.folder(item), COPY_FILES)
                done[item.id] = ctx.record(
                    item,
                    files,
                    provider=result.provider,
                    prompt_version=result.prompt_version,
                    findings=_copy_findings(result),
                    ready=result.best is not None,
                    summary={
                        "variants": len(result.variants),
                        "ready": sum(v.ready for v in result.variants),
                        "best_score": result.best.score if result.best else None,
                    },
                )
        return [done[item.id] for item in items]

    def review_items(self, record: ArtifactRecord, root: Path) -> list[ReviewItem]:
        from contentgen.campaign.review_items import copy_review_items

        return copy_review_items(record, read_copy_result(record, root))


def _copy_findings(result: CopyResult) -> list[Finding]:
    """What the artifact as a whole must show: why no variant is usable, or the best variant's findings."""
    from contentgen.domain.findings import Finding, Severity

    if result.error:
        return [Finding(rule="copy.no_room", severity=Severity.BLOCK, message=result.error)]
    if result.best is None:
        reasons = "; ".join(dict.fromkeys(d.reason for d in result.dropped)) or "every variant has a blocking finding"
        return [Finding(rule="copy.none_ready", severity=Severity.BLOCK, message=f"no variant is ready: {reasons}")]
    return list(result.best.findings)


def read_copy_result(record: ArtifactRecord, root: Path) -> CopyResult:
    """The CopyResult a copy artifact wrote (copy.json holds a list of one)."""
    from contentgen.errors import DataError
    from contentgen.pipelines.copy import CopyResult

    path = next((root / f.path for f in record.files if f.path.endswith("copy.json")), None)
    if path is None:
        raise DataError(root, f"artifact '{record.id}' wrote no copy.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    return CopyResult.model_validate(data[0])


def copy_prompt_sources(ctx: CampaignContext, channel: str) -> dict[str, str]:
    """Hashes of the prompt and copy-template files that copy for `channel` in the kit's locale reads."""

    def build() -> dict[str, str]:
        from contentgen.prompts import search_path

        locale = ctx.brand.locale
        names = [f"copy/system.{locale}.j2", f"copy/user.{locale}.j2", f"copy/repair.{locale}.j2"]
        names += [f"copy/{locale}/{channel}.yaml", f"copy/examples/{locale}/{channel}.yaml"]
        found: dict[str, str] = {}
        for folder in reversed(search_path(ctx.prompts_path)):  # user folders last: they shadow the shipped files
            shared = sorted((folder / "copy" / locale).glob("_*.j2")) if (folder / "copy" / locale).is_dir() else []
            for path in [folder / name for name in names] + shared:
                if path.is_file():
                    found[path.relative_to(folder).as_posix()] = path_digest(path)
        return found

    return ctx.cached(f"inputs:prompts:{channel}", build)


# ---- pictures: what posters and videos read -------------------------------------------------------


def visual_inputs(cell: Cell, ctx: CampaignContext, *, surface: str, use: str) -> dict[str, Any]:
    """The kit with its files, the products' images, the text surface and its templates, the layout files made
    for `use` ("poster" or "video") and the channel spec: everything a poster or video of `cell` is drawn from."""
    from contentgen.domain.layout import load_layouts
    from contentgen.resources import shipped

    folder = shipped("layouts")
    layouts = ctx.cached("inputs:layouts", load_layouts)

    return {
        "kit": kit_content(ctx),
        "assets": asset_hashes(ctx, ctx.products(cell.skus)),
        "prompts": copy_prompt_sources(ctx, surface),
        "surface": path_digest(shipped("channels") / "surfaces" / f"{surface}.yaml"),
        "layouts": {n: path_digest(folder / f"{n}.yaml") for n, layout in sorted(layouts.items()) if use in layout.use},
        "channel": ctx.channels[cell.channel].model_dump(mode="json"),
    }


# ---- posters ----------------------------------------------------------------------------------------


class PosterOptions(DeliverableOptions):
    layouts: list[str] = Field(default=["hero-product"], min_length=1, description="layout ids (layouts/*.yaml)")
    sizes: list[str] = Field(default=[], description="the channel's poster size names; empty: every size")
    ocr: bool = Field(default=True, description="read every poster back with OCR before calling it ready")


class PosterDeliverable(Deliverable):
    """Posters per cell: every requested layout at every size of the channel, PNG + JPEG + layout JSON each."""

    kind = "poster"
    Options = PosterOptions
    providers = ("image", "text")
    seconds = 1.5  # per poster with OCR read-back, one core
    max_batch = 4  # cells per pipeline call: a diffusers provider paints their backgrounds in one batch

    def inputs(self, cell: Cell, ctx: CampaignContext) -> dict[str, Any]:
        return visual_inputs(cell, ctx, surface="poster", use="poster")

    def estimate(self, options: DeliverableOptions) -> float:
        layouts = len(options.layouts) if isinstance(options, PosterOptions) else 1
        return self.seconds * layouts * 2  # channels have one to two poster sizes

    def make(self, item: PlannedArtifact, ctx: CampaignContext) -> ArtifactRecord:
        return self.make_batch([item], ctx)[0]

    def make_batch(self, items: Sequence[PlannedArtifact], ctx: CampaignContext) -> list[ArtifactRecord]:
        from contentgen.domain.layout import poster_layouts
        from contentgen.pipelines.poster import PosterPipeline, PosterRequest, PosterResult, write_poster
        from contentgen.pipelines.poster_plan import check_layouts, plan_posters
        from contentgen.providers.base import ImageProvider, TextProvider

        def build() -> PosterPipeline:
            images, texts = ctx.provider("image"), ctx.provider("text")
            assert isinstance(images, ImageProvider) and isinstance(texts, TextProvider)
            return PosterPipeline(
                ctx.brand,
                image_provider=images,
                text_provider=texts,
                catalog=ctx.catalog,
                policies=ctx.policies,
                prompts_path=ctx.prompts_path,
            )

        pipeline = ctx.cached("poster:pipeline", build)
        layouts = ctx.cached("poster:layouts", poster_layouts)
        # One pipeline run per OCR option: requests of the items that want OCR read back, the rest do not.
        results: dict[str, list[PosterResult]] = {}
        for want_ocr in (True, False):
            requests: list[PosterRequest] = []
            owners: list[PlannedArtifact] = []
            for item in items:
                options = PosterOptions.model_validate(item.options)
                if options.ocr is not want_ocr:
                    continue
                channel = ctx.channels[item.channel]
                check_layouts(options.layouts, layouts)
                if not (options.sizes or channel.poster_sizes):
                    raise ConfigError(
                        f"channel '{channel.id}' has no poster sizes; remove 'poster' from it in the brief"
                    )
                planned = plan_posters(
                    [ctx.segments[item.segment]],
                    [channel],
                    [ctx.products(item.skus)[0]],
                    layouts=options.layouts,
                    sizes=options.sizes,
                    available=layouts,
                    brief=ctx.brief.copy_brief,
                    seed=ctx.brief.seed,
                )
                requests += planned
                owners += [item] * len(planned)
            for result, owner in zip(pipeline.run(requests, ocr=want_ocr), owners, strict=True):
                results.setdefault(owner.id, []).append(result)
        done: dict[str, ArtifactRecord] = {}
        for item in items:
            mine = results.get(item.id, [])
            files: list[Path] = []
            findings: list[Finding] = []
            for result in mine:
                files += [Path(p) for p in write_poster(result, ctx.folder(item)).values()]
                findings += [
                    f.model_copy(update={"message": f"{result.size.label} {result.layout}: {f.message}"})
                    for f in result.findings
                    if f.severity != "info"
                ]
            done[item.id] = ctx.record(
                item,
                files,
                provider=pipeline.image_provider.info(),
                findings=findings,
                ready=all(r.ready for r in mine),
                summary={"posters": len(mine), "ready": sum(r.ready for r in mine)},
            )
        return [done[item.id] for item in items]


# ---- videos -----------------------------------------------------------------------------------------


class VideoOptions(DeliverableOptions):
    aspect: Literal["9:16", "1:1", "16:9", "3:4", "4:3"] | None = Field(
        default=None, description="default: 9:16 where the channel takes it, else its first aspect"
    )
    resolution: int = Field(default=1080, ge=180, le=2160, description="short side in pixels")


class VideoDeliverable(Deliverable):
    """A short video per cell: MP4 with voice, captions and music, cover, SRT, VTT and the storyboard JSON."""

    kind = "video"
    Options = VideoOptions
    providers = ("text", "image", "speech")
    seconds = 30.0  # a 30–40 s video at 1080 px, one core

    def inputs(self, cell: Cell, ctx: CampaignContext) -> dict[str, Any]:
        return visual_inputs(cell, ctx, surface="storyboard", use="video")

    def estimate(self, options: DeliverableOptions) -> float:
        resolution = options.resolution if isinstance(options, VideoOptions) else 1080
        return self.seconds * (resolution / 1080) ** 2

    def make_batch(self, items: Sequence[PlannedArtifact], ctx: CampaignContext) -> list[ArtifactRecord]:
        return [self.make(item, ctx) for item in items]  # each video has its own folder

    def make(self, item: PlannedArtifact, ctx: CampaignContext) -> ArtifactRecord:
        from contentgen.pipelines.video import VideoPipeline, VideoRequest
        from contentgen.providers.base import ImageProvider, SpeechProvider, TextProvider

        def build() -> VideoPipeline:
            texts, images, speech = ctx.provider("text"), ctx.provider("image"), ctx.provider("speech")
            assert isinstance(texts, TextProvider) and isinstance(images, ImageProvider)
            assert isinstance(speech, SpeechProvider)
            return VideoPipeline(
                ctx.brand,
                text_provider=texts,
                image_provider=images,
                speech_provider=speech,
                catalog=ctx.catalog,
                policies=ctx.policies,
                prompts_path=ctx.prompts_path,
            )

        pipeline = ctx.cached("video:pipeline", build)
        options = VideoOptions.model_validate(item.options)
        channel = ctx.channels[item.channel]
        if channel.video is None:
            raise ConfigError(f"channel '{channel.id}' takes no video; remove 'video' from it in the brief")
        request = VideoRequest(
            segment=ctx.segments[item.segment],
            channel=channel,
            product=ctx.products(item.skus)[0],
            aspect=options.aspect,
            brief=ctx.brief.copy_brief,
            seed=ctx.brief.seed,
            short_side=options.resolution,
        )
        (result,) = pipeline.run([request], out_dir=ctx.folder(item))
        return ctx.record(
            item,
            result.files,
            provider=result.speech,
            prompt_version=result.storyboard.source,
            findings=result.findings,
            ready=result.ready,
            summary={"duration_s": round(result.duration, 2), "render_s": round(result.render_seconds, 1)},
        )
