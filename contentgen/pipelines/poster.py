"""Posters: brand-kit layouts at every channel size, text fitted and checked on the rendered pixels.

One poster = a background from the image provider, the product visual, the logo, and text laid out by a
layout file (``layouts/*.yaml``). Text comes from the copy pipeline (the ``channels/surfaces/poster.yaml`` surface:
headline, sub-head, call to action; checked against ad law and grounded like any copy) or is given
explicitly; selling points, the price badge and disclaimers come straight from the catalog and the kit.

Every text element is fitted (sizes, then wrapping, then a blocking finding: never truncated or
clipped), given a colour that reaches its WCAG contrast on the pixels under it (or a scrim panel when
no colour does), kept inside the channel's safe zone, and finally measured again on the finished
poster and read back by OCR. A poster with a blocking finding is not ``ready``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PIL import Image

from contentgen.domain.brand import BrandKit
from contentgen.domain.brief import Brief
from contentgen.domain.channel import Channel, PosterSize
from contentgen.domain.findings import Finding, Severity
from contentgen.domain.layout import Layout
from contentgen.domain.product import Catalog, Product
from contentgen.domain.segment import Segment
from contentgen.errors import ConfigError, NotFoundError
from contentgen.pipelines.poster_files import contact_sheet, write_poster
from contentgen.providers.base import ImageProvider, ImageRequest, TextProvider
from contentgen.render.compose import Composer
from contentgen.render.poster_model import FALLBACK, PosterCopy, PosterRequest, PosterResult
from contentgen.render.readback import MAX_CER, read_back, read_back_many, reads_back
from contentgen.render.typography import FontStack, use_words
from contentgen.render.words import kit_words

if TYPE_CHECKING:
    from contentgen.render.ocr import OcrReader

T = TypeVar("T")

__all__ = [
    "BATCH",
    "FALLBACK",
    "MAX_CER",
    "PosterCopy",
    "PosterPipeline",
    "PosterRequest",
    "PosterResult",
    "batches",
    "contact_sheet",
    "pick_size",
    "poster_text_surface",
    "read_back",
    "read_back_many",
    "reads_back",
    "render_poster",
    "write_poster",
]

BATCH = 16
"""Posters per provider call in `PosterPipeline.run`: backgrounds and copy batch within a call."""
COPY_VARIANTS = 2
"""Poster copy variants ranked per poster (the best ready one is drawn); each costs its ad-law and grounding checks."""


# ---- the pipeline ---------------------------------------------------------------------------------


class PosterPipeline:
    """Renders posters for one brand; reuse it so fonts, logos, layouts and providers load once."""

    def __init__(
        self,
        brand: BrandKit,
        *,
        image_provider: ImageProvider | None = None,
        text_provider: TextProvider | None = None,
        catalog: Catalog | None = None,
        policies: Mapping[str, str] | None = None,
        ocr: OcrReader | bool = True,
        max_cer: float = MAX_CER,
        prompts_path: Sequence[Path] = (),
    ) -> None:
        from contentgen.domain.loaders import load_kit_catalog

        self.brand = brand
        self.catalog = catalog if catalog is not None else load_kit_catalog(brand)
        self._policies = policies
        self._text_provider = text_provider
        self.prompts_path = tuple(prompts_path)
        if image_provider is None:
            from contentgen.config import load_settings
            from contentgen.providers.registry import from_settings

            built = from_settings("image", load_settings())
            assert isinstance(built, ImageProvider)
            image_provider = built
        self.image_provider = image_provider
        if ocr is True:
            from contentgen.render.ocr import OcrReader

            ocr = OcrReader()
        self.ocr: OcrReader | None = ocr or None
        self.max_cer = max_cer
        fonts = brand.fonts
        root = brand.root
        self.stacks = {
            "heading": FontStack.from_specs([fonts.heading, fonts.body, FALLBACK["heading"], FALLBACK["body"]], root),
            "body": FontStack.from_specs([fonts.body, FALLBACK["body"]], root),
        }
        self._logos: dict[bool, Image.Image] = {}
        self.words = kit_words(brand, self.catalog)  # lines never break inside the kit's names and terms

    @cached_property
    def copy_pipeline(self) -> Any:
        from contentgen.pipelines.copy import CopyPipeline

        return CopyPipeline(
            self.brand,
            text_provider=self._text_provider,
            catalog=self.catalog,
            policies=self._policies,
            prompts_path=self.prompts_path,
        )

    def run(
        self,
        requests: Sequence[PosterRequest],
        *,
        out_dir: Path | None = None,
        ocr: bool = True,
        on_result: Callable[[PosterResult], None] | None = None,
    ) -> list[PosterResult]:
        """One poster per request, in order, `BATCH` at a time: copy where none is given (one text batch), backgrounds
        (one image batch), composition; read back by OCR when the pipeline has a reader and `ocr` is true; with
        `out_dir`, each poster's files written to ``out_dir/<segment>/`` (``_`` without a segment)."""
        results: list[PosterResult] = []
        with use_words(self.words):  # lines never break inside the kit's names and terms
            for batch in batches(requests):
                rendered = self._render(batch)
                if ocr and self.ocr is not None:  # one recognition batch across the posters of the batch
                    read_back_many(rendered, self.ocr, max_cer=self.max_cer)
                for result in rendered:
                    if out_dir is not None:
                        write_poster(result, out_dir / (result.segment or "_"))
                    results.append(result)
                    if on_result:
                        on_result(result)
        return results

    def _render(self, requests: Sequence[PosterRequest]) -> list[PosterResult]:
        copies = self._copies(requests)
        # A cell's layouts and sizes share a seed: the same background request is rendered once. Each poster but
        # the last to use a background paints on a copy of it; the last paints on the image itself when the
        # provider says its images are its caller's (a full-size copy costs as much as a poster's text).
        wanted = [self._background_request(r) for r in requests]
        unique = list(dict.fromkeys(wanted))
        drawn = dict(zip(unique, self.image_provider.render(unique), strict=True))
        last = {w: i for i, w in enumerate(wanted)}
        fresh = self.image_provider.fresh_images
        info = self.image_provider.info()
        results = []
        for i, (request, (copy, copy_findings)) in enumerate(zip(requests, copies, strict=True)):
            background, owned = drawn[wanted[i]], fresh and last[wanted[i]] == i
            mine = request.product.sku in self.catalog and self.catalog.get(request.product.sku) == request.product
            root = self.catalog.images_root if mine else None  # image paths relative to the catalog's folder
            composer = Composer(self.brand, self.stacks, self.logo, request, copy, background, info, root, owned=owned)
            result = composer.compose()
            result.findings[:0] = copy_findings
            results.append(result)
        return results

    # -- inputs ---------------------------------------------------------------------------------

    def _copies(self, requests: Sequence[PosterRequest]) -> list[tuple[PosterCopy, list[Finding]]]:
        """Explicit copy as given; the rest from the copy pipeline's best ready variant, in one batch."""
        from contentgen.pipelines.copy import CopyCell

        wanted = [i for i, r in enumerate(requests) if r.copy is None]
        out: list[tuple[PosterCopy, list[Finding]]] = [
            (r.copy, []) if r.copy is not None else (PosterCopy(""), []) for r in requests
        ]
        if not wanted:
            return out
        surface = poster_text_surface()
        batches: dict[tuple[int, int], list[int]] = {}  # one copy batch per brief and seed
        for i in wanted:
            batches.setdefault((id(requests[i].brief), requests[i].seed), []).append(i)
        for indices in batches.values():
            cells: dict[tuple[int, int], CopyCell] = {}  # a cell's layouts and sizes share one copy
            keys = []
            for i in indices:
                segment = requests[i].segment
                if segment is None:
                    raise ConfigError("a poster without explicit copy needs a segment to write for")
                keys.append((id(segment), id(requests[i].product)))
                cells.setdefault(keys[-1], CopyCell(segment, surface, (requests[i].product,)))
            written = self.copy_pipeline.run(
                list(cells.values()), brief=requests[indices[0]].brief, n=COPY_VARIANTS, seed=requests[indices[0]].seed
            )
            by_cell = dict(zip(cells, written, strict=True))
            results = [by_cell[key] for key in keys]
            for i, result in zip(indices, results, strict=True):
                best = result.best
                if best is None:
                    reason = result.error or "; ".join(d.reason for d in result.dropped[:2]) or "no variant passed"
                    finding = Finding(
                        rule="poster.copy", severity=Severity.BLOCK, message=f"no ready poster copy: {reason}"
                    )
                    fallback = PosterCopy(headline=requests[i].product.name, source="fallback")
                    out[i] = (fallback, [finding])
                    continue
                fields = best.fields
                out[i] = (
                    PosterCopy(
                        headline=fields.get("headline", ""),
                        subhead=fields.get("subhead", ""),
                        cta=fields.get("cta", ""),
                        source=f"copy:{best.id}",
                    ),
                    [f for f in best.findings if f.severity is not Severity.INFO],
                )
        return out

    def _background_request(self, request: PosterRequest) -> ImageRequest:
        palette = self.brand.palette
        product, segment = request.product, request.segment
        who = f", for {segment.name.en}" if segment is not None else ""
        prompt = (
            f"clean commercial poster background for {self.brand.name}, {product.category}{who}, "
            f"soft studio light, calm composition with empty space for text, brand colours "
            f"{palette.primary} {palette.secondary} {palette.accent}"
        )
        return ImageRequest(
            prompt=prompt,
            negative_prompt="text, letters, words, watermark, logo, signature, people, hands, clutter, low quality",
            width=request.size.width,
            height=request.size.height,
            seed=request.seed,
            palette=(palette.primary, palette.secondary, palette.accent, palette.background),
            style=request.layout.background,
        )

    def logo(self, on_dark: bool) -> Image.Image:
        """The kit's logo (the on-dark variant where it has one and the ground is dark), trimmed to its ink."""
        if on_dark not in self._logos:
            spec = self.brand.logo
            relative = spec.on_dark if on_dark and spec.on_dark else spec.primary
            path = self.brand.path(relative)
            with Image.open(path) as img:
                logo = img.convert("RGBA")
            bbox = logo.getchannel("A").getbbox()
            self._logos[on_dark] = logo.crop(bbox) if bbox else logo
        return self._logos[on_dark]


# ---- the poster text surface, convenience entry point, files --------------------------------------


def poster_text_surface() -> Channel:
    """The copy 'channel' posters write to: headline, sub-head and CTA limits (channels/surfaces/poster.yaml)."""
    from contentgen.domain.loaders import load_surface

    return load_surface("poster")


def render_poster(
    brand: BrandKit | str,
    segment: Segment | str | None,
    channel: Channel | str,
    product: Product | str,
    *,
    size: PosterSize | str | None = None,
    layout: Layout | str = "hero-product",
    copy: PosterCopy | None = None,
    brief: Brief | None = None,
    seed: int = 0,
    ocr: bool = True,
    image_provider: ImageProvider | None = None,
    text_provider: TextProvider | None = None,
) -> PosterResult:
    """One poster; ids are looked up in the kit and the shipped data (size: a name or WxH; default: the first)."""
    from contentgen.domain.layout import load_layout
    from contentgen.domain.loaders import load_brand_kit, resolve_channel, resolve_segment

    kit = load_brand_kit(brand) if isinstance(brand, str) else brand
    pipeline = PosterPipeline(kit, image_provider=image_provider, text_provider=text_provider, ocr=ocr)
    segment = None if segment is None else resolve_segment(kit, segment)
    channel = resolve_channel(channel)
    request = PosterRequest(
        segment=segment,
        channel=channel,
        size=pick_size(channel, size),
        layout=load_layout(layout) if isinstance(layout, str) else layout,
        product=pipeline.catalog.get(product) if isinstance(product, str) else product,
        copy=copy,
        brief=brief,
        seed=seed,
    )
    return pipeline.run([request])[0]


def batches(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most `size` items (the last may be shorter)."""
    if size < 1:
        raise ValueError(f"batch size must be at least 1, not {size}")
    for i in range(0, len(items), size):
        yield items[i : i + size]


def pick_size(channel: Channel, size: PosterSize | str | None) -> PosterSize:
    """A channel's poster size by name or 'WxH' (default: its first); a PosterSize is taken as given."""
    if isinstance(size, PosterSize):
        return size
    if not channel.poster_sizes:
        raise ConfigError(f"channel '{channel.id}' has no poster sizes; pick a channel with poster_sizes")
    if size is None:
        return channel.poster_sizes[0]
    for candidate in channel.poster_sizes:
        if size in (candidate.name, candidate.label):
            return candidate
    raise NotFoundError(f"poster size of {channel.id}", size, [s.name for s in channel.poster_sizes])
