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

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from PIL import Image, ImageDraw

from contentgen.domain.brand import BrandKit, FontSpec
from contentgen.domain.brief import Brief
from contentgen.domain.channel import Channel, PosterSize
from contentgen.domain.findings import Finding, Severity
from contentgen.domain.layout import ElementName, ElementStyle, Frame, Layout, safe_area
from contentgen.domain.product import Catalog, Product
from contentgen.domain.segment import Segment
from contentgen.errors import ConfigError, NotFoundError
from contentgen.providers.base import ImageProvider, ImageRequest, ProviderInfo, TextProvider
from contentgen.render.legibility import (
    analyse_contrast,
    apply_scrim,
    choose_text_colour,
    contrast_ratio,
    ground_contrast,
    required_ratio,
    scrim_for,
)
from contentgen.render.typography import (
    FontStack,
    GlyphError,
    TextBlock,
    TextFitError,
    draw_text,
    fit_text,
    use_words,
)
from contentgen.render.words import kit_words

if TYPE_CHECKING:
    from contentgen.render.ocr import OcrReader

Box = tuple[int, int, int, int]
COPY_VARIANTS = 2
"""Poster copy variants ranked per poster (the best ready one is drawn); each costs its ad-law and grounding checks."""
MAX_CER = 0.1
"""A text element whose OCR read-back has a higher character error rate blocks the poster."""

# Kurinto Sans SC (weblate-fonts, a dependency) draws CJK, Latin and common symbols: the last resort of
# every stack, so a brand font without CJK still renders Chinese copy in a matching weight.
FALLBACK = {
    "heading": FontSpec(
        family="Kurinto Sans SC",
        package="weblate_fonts",
        resource="static/weblate_fonts/kurinto/ttf/KurintoSansSC-Bd.ttf",
    ),
    "body": FontSpec(
        family="Kurinto Sans SC",
        package="weblate_fonts",
        resource="static/weblate_fonts/kurinto/ttf/KurintoSansSC-Rg.ttf",
    ),
}
WHITE, INK = "#FFFFFF", "#1A1A1A"
TARGET_MARGIN, SMALL_TEXT_MARGIN = 1.08, 1.2
SMALL_TEXT_PX = 32
"""Below this size text is judged by its paint colour against the measured ground (see ``ground_contrast``)."""
MAX_SAMPLES = 16384
REFERENCE_SHORT_SIDE = 1080
"""The kit's logo min_width is stated for a canvas with this short side, and scales with it."""
MIN_TEXT_PX = 12
ATTEMPTS = 4
"""Paint-and-measure rounds per text element before its contrast is left to the final check to report."""
"""No text is set smaller than this, whatever the canvas: below it strokes are too thin to read."""


@dataclass(frozen=True)
class PosterCopy:
    """The words on a poster. `points` empty: the product's selling points, as the catalog states them."""

    headline: str
    subhead: str = ""
    cta: str = ""
    points: tuple[str, ...] = ()
    source: str = "explicit"
    """Where the text came from: "explicit", or "copy:<variant id>" for the copy pipeline's best variant."""


@dataclass(frozen=True)
class PosterRequest:
    """One poster to make."""

    segment: Segment | None
    channel: Channel
    size: PosterSize
    layout: Layout
    product: Product
    copy: PosterCopy | None = None
    brief: Brief | None = None
    seed: int = 0
    disclaimer: bool = True
    """Draw the kit's required disclaimers; a video shows them once, in its offer scene, not in every frame."""
    product_seed: int | None = None
    """Seed of a placeholder product visual (default: `seed`): a video keeps one pack through its scenes."""


@dataclass
class ElementReport:
    """Where one element went and how it measured; text elements carry fit, colour, contrast and OCR."""

    element: str
    box: Box
    """The box the layout gave the element, in poster pixels."""
    ink: Box | None = None
    """What was actually drawn (text: the union of its lines' glyph boxes)."""
    text: str | None = None
    lines: list[str] = field(default_factory=list)
    font: str | None = None
    size: int | None = None
    colour: str | None = None
    panel: dict[str, Any] | None = None
    contrast: float | None = None
    required_contrast: float | None = None
    ocr: str | None = None
    cer: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class PosterResult:
    """A rendered poster, the layout as drawn, and every finding; `ready` when nothing blocks it."""

    brand: str
    segment: str | None
    channel: str
    size: PosterSize
    layout: str
    sku: str
    seed: int
    copy: PosterCopy
    image: Image.Image
    elements: list[ElementReport]
    findings: list[Finding]
    background: ProviderInfo
    safe_area: Box
    files: dict[str, str] = field(default_factory=dict)
    ocr_checked: bool = False

    @property
    def ready(self) -> bool:
        return not any(f.blocking for f in self.findings)

    @property
    def name(self) -> str:
        """A file-name stem unique within one segment's folder."""
        return f"{self.channel}_{self.size.name}_{self.layout}_{self.sku}"

    def element(self, name: str) -> ElementReport:
        for report in self.elements:
            if report.element == name:
                return report
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "brand": self.brand,
            "segment": self.segment,
            "channel": self.channel,
            "size": {"name": self.size.name, "width": self.size.width, "height": self.size.height},
            "layout": self.layout,
            "sku": self.sku,
            "seed": self.seed,
            "ready": self.ready,
            "copy": asdict(self.copy),
            "safe_area": list(self.safe_area),
            "ocr_checked": self.ocr_checked,
            "background": self.background.model_dump(mode="json"),
            "elements": [_report_dict(r) for r in self.elements],
            "findings": [f.model_dump(mode="json") for f in self.findings],
            "files": self.files,
        }


def _report_dict(report: ElementReport) -> dict[str, Any]:
    data = asdict(report)
    for key in ("box", "ink"):
        if data[key] is not None:
            data[key] = list(data[key])
    if data["contrast"] is not None:
        data["contrast"] = round(data["contrast"], 2)
    if data["cer"] is not None:
        data["cer"] = round(data["cer"], 3)
    return {k: v for k, v in data.items() if v not in (None, [], {})}


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
            provider=self._text_provider,
            catalog=self.catalog,
            policies=self._policies,
            prompts_path=self.prompts_path,
        )

    def render(
        self, requests: Sequence[PosterRequest], *, on_poster: Callable[[PosterResult], None] | None = None
    ) -> list[PosterResult]:
        """Write copy where none is given (one text batch), render backgrounds (one image batch), compose."""
        copies = self._copies(requests)
        backgrounds = self.image_provider.render([self._background_request(r) for r in requests])
        info = self.image_provider.info()
        results = []
        for request, (copy, copy_findings), background in zip(requests, copies, backgrounds, strict=True):
            with use_words(self.words):
                result = _Composer(self, request, copy, background, info).compose()
            result.findings[:0] = copy_findings
            results.append(result)
            if on_poster:
                on_poster(result)
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
            cells = []
            for i in indices:
                segment = requests[i].segment
                if segment is None:
                    raise ConfigError("a poster without explicit copy needs a segment to write for")
                cells.append(CopyCell(segment, surface, (requests[i].product,)))
            results = self.copy_pipeline.run(
                cells, brief=requests[indices[0]].brief, n=COPY_VARIANTS, seed=requests[indices[0]].seed
            )
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


# ---- composing one poster ---------------------------------------------------------------------------


_EMOJI = re.compile("[\U0001F000-\U0001FAFF\U0001F1E6-\U0001F1FF\u2600-\u27BF\u2B00-\u2BFF]")
"""Emoji and pictographs; those no font of the kit maps are dropped from poster text (see ``without_emoji``)."""


class _Composer:
    def __init__(
        self, pipeline: PosterPipeline, request: PosterRequest, copy: PosterCopy, background: Image.Image, info: Any
    ) -> None:
        self.p, self.r, self.copy, self.info = pipeline, request, copy, info
        self.brand = pipeline.brand
        size = request.size
        self.canvas = background.convert("RGB")
        if self.canvas.size != (size.width, size.height):
            self.canvas = self.canvas.resize((size.width, size.height), Image.Resampling.LANCZOS)
        self.short = min(size.width, size.height)
        self.frame: Frame = request.layout.frame_for(size.width, size.height)
        self.area = safe_area(size.width, size.height, request.channel.safe_zone, request.layout.margin)
        self.reports: list[ElementReport] = []
        self.findings: list[Finding] = []
        self.masks: dict[str, tuple[Image.Image, tuple[int, int]]] = {}  # glyph coverage and where it sits
        self.locale = self.brand.locale
        self.copy = self.without_emoji(copy)

    def without_emoji(self, copy: PosterCopy) -> PosterCopy:
        """Emoji no font of the kit draws are taken out of the poster text (no colour emoji font is shipped:
        they would be boxes), each field with a warning that names what was dropped."""
        stack = self.p.stacks["heading"]

        def strip(name: str, text: str) -> str:
            dropped = {ch for ch in _EMOJI.findall(text) if stack.index_of(ch) is None}
            if not dropped:
                return text
            kept = "".join(ch for ch in text if ch not in dropped and ch not in "\u200d\ufe0f")
            kept = re.sub(r"[ \t]{2,}", " ", kept)
            self.findings.append(
                Finding(
                    rule="poster.emoji",
                    severity=Severity.WARN,
                    field=name,
                    text=text,
                    message=f"emoji {''.join(sorted(dropped))} left out of the poster's {name}: no colour emoji font",
                )
            )
            return kept.strip()

        return replace(
            copy,
            headline=strip("headline", copy.headline),
            subhead=strip("subhead", copy.subhead),
            cta=strip("cta", copy.cta),
            points=tuple(strip(f"points.{i + 1}", point) for i, point in enumerate(copy.points)),
        )

    # geometry

    def box(self, name: ElementName) -> Box:
        left, top, right, bottom = self.area
        x, y, w, h = self.frame.boxes[name]
        aw, ah = right - left, bottom - top
        return (left + round(x * aw), top + round(y * ah), left + round((x + w) * aw), top + round((y + h) * ah))

    def style(self, name: ElementName) -> ElementStyle:
        return self.r.layout.style(self.frame, name)

    def sizes(self, style: ElementStyle) -> tuple[int, int]:
        low, high = style.size
        return max(MIN_TEXT_PX, round(low * self.short)), max(MIN_TEXT_PX, round(high * self.short))

    def block(self, finding_rule: str, **details: Any) -> None:
        self.findings.append(Finding(rule=finding_rule, severity=Severity.BLOCK, **details))

    # the whole poster

    def compose(self) -> PosterResult:
        boxes = self.frame.boxes
        if "product" in boxes:
            self.place_product(self.box("product"))
        if "logo" in boxes:
            self.place_logo(self.box("logo"))
        for name in ("headline", "subhead"):
            if name in boxes:
                self.place_text(name, getattr(self.copy, name))
        if "points" in boxes:
            self.place_points(self.box("points"))
        if "price" in boxes:
            self.place_price(self.box("price"))
        if "cta" in boxes:
            self.place_cta(self.box("cta"))
        self.place_disclaimer()
        self.verify()
        r = self.r
        return PosterResult(
            brand=self.brand.id,
            segment=r.segment.id if r.segment else None,
            channel=r.channel.id,
            size=r.size,
            layout=r.layout.id,
            sku=r.product.sku,
            seed=r.seed,
            copy=self.copy,
            image=self.canvas,
            elements=self.reports,
            findings=self.findings,
            background=self.info,
            safe_area=self.area,
            ocr_checked=False,
        )

    # pictures

    def place_product(self, box: Box) -> None:
        from contentgen.render.product import product_visual

        width, height = box[2] - box[0], box[3] - box[1]
        seed = self.r.seed if self.r.product_seed is None else self.r.product_seed
        visual = product_visual(self.r.product, self.brand, (width, height), seed=seed)
        layer = visual.image
        self.canvas.paste(layer, (box[0], box[1]), layer)
        x0, y0, x1, y1 = visual.bbox
        self.reports.append(
            ElementReport(
                "product",
                box,
                ink=(box[0] + x0, box[1] + y0, box[0] + x1, box[1] + y1),
                detail={"kind": visual.kind, "source": visual.source},
            )
        )

    def place_logo(self, box: Box) -> None:
        spec = self.brand.logo
        ground = np.asarray(self.canvas.crop(box).convert("L"), dtype=np.float32)
        on_dark = float(ground.mean()) < 110
        logo = self.p.logo(on_dark)
        width, height = box[2] - box[0], box[3] - box[1]
        scale = min(width / logo.width, height / logo.height)
        size = (max(1, round(logo.width * scale)), max(1, round(logo.height * scale)))
        style = self.style("logo")
        x = box[0] + {"left": 0, "center": (width - size[0]) // 2, "right": width - size[0]}[style.align]
        y = box[1] + (height - size[1]) // 2 if style.valign == "middle" else box[1]
        drawn = logo.resize(size, Image.Resampling.LANCZOS)
        self.canvas.paste(drawn, (x, y), drawn)
        ink = (x, y, x + size[0], y + size[1])
        report = ElementReport(
            "logo", box, ink=ink, detail={"variant": "on_dark" if on_dark else "primary", "width": size[0]}
        )
        self.reports.append(report)
        minimum = spec.min_width * self.short / REFERENCE_SHORT_SIDE
        if size[0] < minimum:
            self.block(
                "poster.logo",
                field="logo",
                message=(
                    f"the logo is drawn {size[0]} px wide, under the kit's min_width ({spec.min_width} px at a "
                    f"{REFERENCE_SHORT_SIDE} px short side, {minimum:.0f} px here); "
                    f"enlarge the logo box of layout '{self.r.layout.id}' ({self.frame.aspect})"
                ),
            )

    # text

    def colour_for(
        self, region: Box, size: int, bold: bool, prefer: Sequence[str], *, min_opacity: float = 0.0
    ) -> tuple[str, dict[str, Any] | None]:
        """A text colour passing WCAG over `region`, or the best colour with the scrim (at least `min_opacity`)
        that makes it pass; the scrim is drawn."""
        need = required_ratio(size, bold, self.short)
        # Aim a little above the minimum: the check on the finished pixels sees anti-aliasing and the panel
        # exactly as composited. Thin strokes of small text read lighter than their colour, so more margin.
        target = need * (TARGET_MARGIN if size >= SMALL_TEXT_PX else SMALL_TEXT_MARGIN)
        region = self.judged(region, size)
        pixels = np.asarray(self.canvas.crop(region)).reshape(-1, 3)
        if len(pixels) > MAX_SAMPLES:  # a percentile needs a sample, not every pixel of a headline's ground
            pixels = pixels[np.linspace(0, len(pixels) - 1, MAX_SAMPLES).astype(np.intp)]
        palette = self.brand.palette
        if not min_opacity:
            candidates = list(dict.fromkeys([*prefer, palette.text, palette.background, WHITE, INK]))
            colour = choose_text_colour(pixels, candidates, target)
            if colour is not None:
                return colour, None
        text = max((palette.text, palette.background), key=lambda c: _mean_contrast(pixels, c))
        # Panels in a colour the text stands out on; the one with the most contrast when an opacity is forced.
        panels = [
            c for c in dict.fromkeys((palette.background, palette.text, WHITE, INK)) if contrast_ratio(c, text) >= 3
        ]
        scrim = scrim_for(pixels, text, target, colours=panels, max_opacity=0.9)
        if scrim is None:
            text = WHITE if _mean_contrast(pixels, WHITE) > _mean_contrast(pixels, INK) else INK
            scrim = (INK if text == WHITE else WHITE, 0.9)
        panel_colour, opacity = scrim
        if opacity == 0 and not min_opacity:
            return text, None
        if opacity < min_opacity:
            panel_colour, opacity = max(panels, key=lambda c: contrast_ratio(c, text)), min_opacity
        panel = self.panel_box(region, size)
        self.canvas = apply_scrim(self.canvas, panel, panel_colour, opacity, radius=max(6, size // 3))
        return text, {"kind": "scrim", "colour": panel_colour, "opacity": round(opacity, 2), "box": list(panel)}

    def panel_box(self, region: Box, size: int) -> Box:
        """A scrim panel around `region`; like the text, it stays clear of the platform's interface."""
        pad = max(6, size // 3)
        left, top, right, bottom = self.area
        return (
            max(left, region[0] - pad),
            max(top, region[1] - pad // 2),
            min(right, region[2] + pad),
            min(bottom, region[3] + pad // 2),
        )

    def legible(
        self,
        region: Box,
        size: int,
        bold: bool,
        paint: Callable[[str, dict[str, Any] | None], list[ElementReport]],
        prefer: Sequence[str] = (),
    ) -> None:
        """Choose a colour (and scrim) for text over `region`, paint, and measure the result on the pixels;
        while it falls short, put the ground back and paint again over a stronger panel."""
        area = self.panel_box(self.judged(region, size), size)
        ground = self.canvas.crop(area)
        floor = 0.0
        for attempt in range(ATTEMPTS):
            colour, panel = self.colour_for(region, size, bold, prefer, min_opacity=floor)
            reports = paint(colour, panel)
            if attempt == ATTEMPTS - 1 or all(self.passes(r) for r in reports):
                return
            for report in reports:
                self.reports.remove(report)
                self.masks.pop(report.element, None)
            self.canvas.paste(ground, area[:2])
            floor = min(0.95, max(floor, panel["opacity"] if panel else 0.0) + 0.25)

    def measure(self, report: ElementReport) -> float | None:
        """The contrast of a drawn text element on the poster as it is now (None: nothing to measure)."""
        if report.ink is None or report.element not in self.masks:
            return None
        region = self.judged(report.ink, report.size or MIN_TEXT_PX)
        glyphs, (gx, gy) = self.masks[report.element]
        mask = Image.new("L", (region[2] - region[0], region[3] - region[1]), 0)
        mask.paste(glyphs, (gx - region[0], gy - region[1]))
        try:
            # Large text is measured whole on the pixels; small text's hairline strokes leave almost no fully
            # covered pixel to read its colour from, so it is judged by its paint against the measured ground.
            if (report.size or 0) >= SMALL_TEXT_PX or report.colour is None:
                return analyse_contrast(self.canvas, region, mask).ratio
            return ground_contrast(self.canvas, region, mask, report.colour)
        except ValueError:
            return None

    def passes(self, report: ElementReport) -> bool:
        measured = self.measure(report)
        return measured is None or measured >= (report.required_contrast or 4.5)

    def judged(self, box: Box, size: int) -> Box:
        """The background judged for text in `box`: the box and a sixth of an em around it (choice and check
        alike); wider would judge the text against its neighbours (a button, a badge) instead of its ground."""
        pad = max(3, size // 6)
        left, top, right, bottom = self.area  # text and its panels stay inside the safe area, so does its ground
        return (
            max(min(left, box[0]), box[0] - pad),
            max(min(top, box[1]), box[1] - pad),
            min(max(right, box[2]), box[2] + pad),
            min(max(bottom, box[3]), box[3] + pad),
        )

    def fit(self, name: str, text: str, style: ElementStyle, room: tuple[int, int]) -> TextBlock | None:
        low, high = self.sizes(style)
        try:
            block = fit_text(
                text,
                self.p.stacks[style.font],
                room,
                max_size=high,
                min_size=low,
                step=max(1, (high - low) // 14),
                max_lines=style.max_lines,
            )
            if block.broke_word:  # only a word wider than the line at every size is cut: a reviewer should look
                self.findings.append(
                    Finding(
                        rule="poster.word_cut",
                        severity=Severity.WARN,
                        field=name,
                        text=text,
                        message=f"a word of '{text[:24]}' is wider than its line and was cut: "
                        + " | ".join(block.lines),
                    )
                )
            return block
        except TextFitError as err:
            self.block("poster.fit", field=name, text=text, message=str(err))
        except GlyphError as err:
            self.block("poster.glyph", field=name, text=text, message=str(err))
        return None

    def balance(self, text: str, block: TextBlock, style: ElementStyle, room: tuple[int, int]) -> TextBlock:
        """The same size and line count at the narrowest width: no lone character on a last line."""
        if len(block.lines) < 2:
            return block
        stack, size, lines = self.p.stacks[style.font], block.size, len(block.lines)
        low, high, best = room[0] // 2, block.width, block
        while high - low > 4:
            mid = (low + high) // 2
            try:
                candidate = fit_text(text, stack, (mid, room[1]), max_size=size, min_size=size, max_lines=lines)
            except TextFitError:
                low = mid
                continue
            if candidate.broke_word:
                low = mid
            else:
                best, high = candidate, mid
        return best

    def draw(
        self,
        name: str,
        text: str,
        block: TextBlock,
        style: ElementStyle,
        origin: tuple[int, int],
        width: int,
        box: Box,
        colour: str,
        panel: dict[str, Any] | None = None,
    ) -> ElementReport:
        """Paint a fitted block in `colour` and record it, with its glyph mask for the contrast check."""
        stack = self.p.stacks[style.font]
        # Glyphs are rendered once, as coverage over the block's area (and an em around it for overhanging ink);
        # the colour goes through it, as Pillow's own text fill does, and the contrast check reads the same mask.
        canvas_w, canvas_h = self.canvas.size
        x0, y0 = max(0, origin[0] - block.size), max(0, origin[1] - block.size)
        x1 = min(canvas_w, origin[0] + width + block.size)
        y1 = min(canvas_h, origin[1] + block.height + block.size)
        mask = Image.new("L", (x1 - x0, y1 - y0), 0)
        lines = draw_text(mask, block, stack, (origin[0] - x0, origin[1] - y0), 255, align=style.align, box_width=width)
        self.masks[name] = (mask, (x0, y0))
        drawn = [b for b in lines if b[2] > b[0]]
        ink = (
            x0 + min(b[0] for b in drawn),
            y0 + min(b[1] for b in drawn),
            x0 + max(b[2] for b in drawn),
            y0 + max(b[3] for b in drawn),
        )
        self.canvas.paste(colour, (x0, y0, x1, y1), mask)
        report = ElementReport(
            name,
            box,
            ink=ink,
            text=text,
            lines=list(block.lines),
            font=stack.fonts[0].name,
            size=block.size,
            colour=colour,
            panel=panel,
            required_contrast=required_ratio(block.size, style.font == "heading", self.short),
        )
        self.reports.append(report)
        return report

    def draw_legibly(
        self,
        name: str,
        text: str,
        block: TextBlock,
        style: ElementStyle,
        origin: tuple[int, int],
        width: int,
        box: Box,
        prefer: Sequence[str] = (),
    ) -> None:
        """``draw`` in a colour chosen and verified for the ground under the block."""
        shift = {"left": 0, "center": (width - block.width) // 2, "right": width - block.width}[style.align]
        region = (origin[0] + shift, origin[1], origin[0] + shift + block.width, origin[1] + block.height)
        self.legible(
            region,
            block.size,
            style.font == "heading",
            lambda colour, panel: [self.draw(name, text, block, style, origin, width, box, colour, panel)],
            prefer,
        )

    def place_text(self, name: ElementName, text: str) -> None:
        style = self.style(name)
        text = text.strip()
        if not text:
            if style.required and name != "subhead":
                self.block("poster.missing", field=name, message=f"the layout needs a {name} and the copy has none")
            return
        box = self.box(name)
        room = (box[2] - box[0], box[3] - box[1])
        block = self.fit(name, text, style, room)
        if block is None:
            return
        block = self.balance(text, block, style, room)
        top = box[1] + _valign_offset(style, room[1], block.height)
        prefer = (self.brand.palette.primary,) if name == "headline" else ()
        self.draw_legibly(name, text, block, style, (box[0], top), room[0], box, prefer)

    def place_points(self, box: Box) -> None:
        style = self.style("points")
        candidates = list(self.copy.points) or list(self.r.product.selling_points)
        if not candidates:
            return
        rows = min(3, len(candidates))
        width, height = box[2] - box[0], box[3] - box[1]
        row_h = height // rows
        bullet = max(6, round(self.sizes(style)[0] * 0.45))
        indent = bullet * 3 if style.align == "left" else 0
        low, high = self.sizes(style)
        fitted: list[tuple[str, TextBlock]] = []
        skipped = []
        for point in candidates:
            if len(fitted) == rows:
                break
            try:
                room = (width - indent, row_h - max(4, row_h // 8))
                step = max(1, (high - low) // 10)
                block = fit_text(
                    point,
                    self.p.stacks[style.font],
                    room,
                    max_size=high,
                    min_size=low,
                    step=step,
                    max_lines=style.max_lines,
                )
            except (TextFitError, GlyphError):
                skipped.append(point)
                continue
            fitted.append((point, block))
        if fitted:
            # One size for the whole list (the largest every item fits at), and one colour and at most one panel:
            # a panel per row would cover its neighbours.
            size = min(block.size for _, block in fitted)
            fitted = [
                (point, block)
                if block.size == size
                else (
                    point,
                    fit_text(
                        point, self.p.stacks[style.font], (width - indent, row_h - max(4, row_h // 8)),
                        max_size=size, min_size=size, max_lines=style.max_lines,
                    ),
                )
                for point, block in fitted
            ]  # fmt: skip
            last_top = box[1] + (len(fitted) - 1) * row_h
            region = (box[0], box[1], box[2], last_top + fitted[-1][1].height)

            def paint(colour: str, panel: dict[str, Any] | None) -> list[ElementReport]:
                reports = []
                for i, (point, block) in enumerate(fitted):
                    origin = (box[0] + indent, box[1] + i * row_h)
                    report = self.draw(
                        f"points.{i + 1}", point, block, style, origin, width - indent, box, colour, panel
                    )
                    reports.append(report)
                    if indent and report.ink:
                        ink = report.ink
                        cy = (ink[1] + ink[3]) // 2 if len(block.lines) == 1 else ink[1] + block.size // 2
                        x0 = box[0] + bullet // 2
                        ImageDraw.Draw(self.canvas).ellipse(
                            (x0, cy - bullet // 2, x0 + bullet, cy + bullet // 2), fill=self.brand.palette.accent
                        )
                return reports

            self.legible(region, size, style.font == "heading", paint)
        if skipped:
            self.findings.append(
                Finding(
                    rule="poster.points",
                    severity=Severity.INFO,
                    field="points",
                    message=f"{len(skipped)} selling point(s) too long for the points box were left out",
                    text=" | ".join(skipped),
                )
            )

    def place_cta(self, box: Box) -> None:
        style = self.style("cta")
        text = self.copy.cta.strip()
        if not text:
            return
        width, height = box[2] - box[0], box[3] - box[1]
        pad_y = round(height * 0.2)
        pad_x = round(height * 0.45)
        block = self.fit("cta", text, style, (width - 2 * pad_x, height - 2 * pad_y))
        if block is None:
            return
        pill_w = block.width + 2 * pad_x
        x = box[0] + {"left": 0, "center": (width - pill_w) // 2, "right": width - pill_w}[style.align]
        pill = (x, box[1], x + pill_w, box[3])
        fill, ink = self.panel_colours()
        ImageDraw.Draw(self.canvas).rounded_rectangle(pill, radius=height // 2, fill=fill)
        plain = style.model_copy(update={"align": "left"})
        self.draw(
            "cta",
            text,
            block,
            plain,
            (x + pad_x, box[1] + (height - block.height) // 2),
            block.width,
            box,
            ink,
            {"kind": "pill", "colour": fill, "box": list(pill)},
        )

    def panel_colours(self) -> tuple[str, str]:
        """(fill, text colour) for buttons and badges: the brand accent (or primary) and its best text colour."""
        palette = self.brand.palette
        fill = max((palette.accent, palette.primary), key=lambda c: contrast_ratio(c, palette.background))
        text = max((WHITE, palette.background, palette.text, INK), key=lambda c: contrast_ratio(c, fill))
        return fill, text

    # price

    def price_texts(self) -> tuple[str, str | None, str | None]:
        """(price shown, struck reference price or None, label or None) from the catalog and the brief."""
        product, brief = self.r.product, self.r.brief
        promotion = brief.promotion if brief else None
        promo = brief.promo_price(product) if brief else None
        if promotion is None:
            return product.money(), None, None
        shown = promo if promo is not None else product.price
        reference = product.price if promo is not None and promo < product.price else product.list_price
        struck = product.money(reference) if reference is not None and reference > shown else None
        return product.money(shown), struck, promotion.name

    def place_price(self, box: Box) -> None:
        style = self.style("price")
        shown, struck, label = self.price_texts()
        width, height = box[2] - box[0], box[3] - box[1]
        low, high = self.sizes(style)
        stack = self.p.stacks[style.font]
        body = self.p.stacks["body"]
        badge = style.panel == "badge"
        pad = round(height * 0.12) if badge else 0
        inner = (width - 2 * pad, height - 2 * pad)
        label_h = round(inner[1] * 0.28) if label else 0
        main_h = inner[1] - label_h
        side_w = round(inner[0] * 0.36) if struck else 0
        try:
            block = fit_text(shown, stack, (inner[0] - side_w, main_h), max_size=high, min_size=low, max_lines=1)
        except (TextFitError, GlyphError) as err:
            self.block("poster.fit", field="price", text=shown, message=str(err))
            return
        small_max = max(MIN_TEXT_PX, round(block.size * 0.5))
        small_min = max(MIN_TEXT_PX, round(low * 0.4))
        gap = max(pad // 2, block.size // 4)
        pieces: list[tuple[str, str, TextBlock]] = []
        for name, text, room in (
            ("price.label", label, (inner[0], label_h)),
            ("price.list", struck, (side_w - gap, main_h)),
        ):
            if not text:
                continue
            try:
                pieces.append(
                    (name, text, fit_text(text, body, room, max_size=small_max, min_size=small_min, max_lines=1))
                )
            except (TextFitError, GlyphError) as err:
                self.block("poster.fit", field=name, text=text, message=str(err))
                return
        content_w = block.width + (max((b.width for n, _, b in pieces if n == "price.list"), default=0) + gap) * (
            struck is not None
        )
        top = box[1] + pad + label_h + (main_h - block.height) // 2
        left = style.model_copy(update={"align": "left"})
        small_style = left.model_copy(update={"font": "body"})

        def paint(colour: str, panel: dict[str, Any] | None) -> list[ElementReport]:
            main = self.draw("price", shown, block, left, (start, top), block.width, box, colour, panel)
            reports = [main]
            for name, text, small in pieces:
                if name == "price.label":
                    origin = (start, box[1] + pad + (label_h - small.height) // 2)
                else:
                    origin = (start + block.width + gap, (main.ink[3] if main.ink else top) - small.height)
                report = self.draw(name, text, small, small_style, origin, small.width, box, colour, panel)
                reports.append(report)
                if name == "price.list" and report.ink:
                    x0, y0, x1, y1 = report.ink
                    mid = (y0 + y1) // 2
                    thickness = max(1, small.size // 14)
                    line = (x0 - 2, mid, x1 + 2, mid)
                    ImageDraw.Draw(self.canvas).line(line, fill=colour, width=thickness)
                    # the line is ink of this element, not its background, for the contrast check
                    glyphs, (gx, gy) = self.masks[name]
                    shifted = (line[0] - gx, line[1] - gy, line[2] - gx, line[3] - gy)
                    ImageDraw.Draw(glyphs).line(shifted, fill=255, width=thickness)
                    report.detail["struck"] = True
            return reports

        if badge:
            fill, ink = self.panel_colours()
            panel_w = min(width, content_w + 2 * pad + (pad if struck else 0))
            x0 = box[0] + (width - panel_w) // 2
            rect = (x0, box[1], x0 + panel_w, box[3])
            ImageDraw.Draw(self.canvas).rounded_rectangle(rect, radius=max(4, height // 5), fill=fill)
            start = x0 + pad
            paint(ink, {"kind": "badge", "colour": fill, "box": list(rect)})
        else:
            start = box[0] + (width - content_w) // 2 if style.align == "center" else box[0]
            bottom = max([top + block.height] + [box[1] + pad + label_h] * bool(label))
            region = (start, box[1] + pad if label else top, start + content_w, bottom)
            self.legible(region, block.size, style.font == "heading", paint)

    # disclaimer

    def disclaimer_text(self) -> str:
        product, channel = self.r.product, self.r.channel
        texts = [d.text for d in self.brand.voice.disclaimers if d.applies(channel.id, product.category)]
        texts = list(dict.fromkeys(t.strip().rstrip("。.") for t in texts))
        if not texts:
            return ""
        return "；".join(texts) + "。" if self.locale == "zh-CN" else ". ".join(texts) + "."

    def place_disclaimer(self) -> None:
        text = self.disclaimer_text()
        if not text or not self.r.disclaimer:
            return
        if "disclaimer" not in self.frame.boxes:
            self.block(
                "poster.disclaimer",
                field="disclaimer",
                text=text,
                message=f"the kit requires a disclaimer here and layout '{self.r.layout.id}' "
                f"({self.frame.aspect}) has no disclaimer box",
            )
            return
        style = self.style("disclaimer").model_copy(update={"max_lines": None})
        box = self.box("disclaimer")
        room = (box[2] - box[0], box[3] - box[1])
        block = self.fit("disclaimer", text, style, room)
        if block is not None:
            top = box[1] + room[1] - block.height  # sits on the bottom of its box
            self.draw_legibly("disclaimer", text, block, style, (box[0], top), room[0], box)

    # checks on the finished pixels

    def verify(self) -> None:
        left, top, right, bottom = self.area
        logo = next((r for r in self.reports if r.element == "logo"), None)
        for report in self.reports:
            if report.text is None or report.ink is None:
                continue
            x0, y0, x1, y1 = report.ink
            report.contrast = self.measure(report)
            need = report.required_contrast or 4.5
            if report.contrast is not None and report.contrast < need:
                self.block(
                    "poster.contrast",
                    field=report.element,
                    text=report.text,
                    message=f"{report.element} contrast {report.contrast:.2f}:1 is below the {need:g}:1 it needs",
                )
            if x0 < left or y0 < top or x1 > right or y1 > bottom:
                self.block(
                    "poster.safe-zone",
                    field=report.element,
                    text=report.text,
                    message=f"{report.element} at {list(report.ink)} leaves the safe area {list(self.area)}",
                )
            if logo is not None and logo.ink is not None and _near(report.ink, logo.ink, self.clear_space(logo)):
                self.block(
                    "poster.logo-clear-space",
                    field=report.element,
                    message=f"{report.element} is inside the logo's clear space "
                    f"({self.brand.logo.clear_space:g} × logo height)",
                )

    def clear_space(self, logo: ElementReport) -> int:
        assert logo.ink is not None
        return round(self.brand.logo.clear_space * (logo.ink[3] - logo.ink[1]))


def _near(a: Box, b: Box, margin: int) -> bool:
    return a[0] < b[2] + margin and b[0] - margin < a[2] and a[1] < b[3] + margin and b[1] - margin < a[3]


def _valign_offset(style: ElementStyle, room: int, used: int) -> int:
    return {"top": 0, "middle": (room - used) // 2, "bottom": room - used}[style.valign]


def _mean_contrast(pixels: np.ndarray, colour: str) -> float:
    mean = tuple(int(v) for v in pixels.mean(axis=0)) if len(pixels) else (0, 0, 0)
    return contrast_ratio(colour, "#{:02X}{:02X}{:02X}".format(*mean))


# ---- OCR read-back --------------------------------------------------------------------------------


def read_back(
    result: PosterResult, reader: OcrReader, *, max_cer: float = MAX_CER, reads_given: list[str] | None = None
) -> None:
    """Read every text element of a poster back and block the poster where the text does not read back."""
    from contentgen.render.ocr import char_error_rate, normalise_text

    alphabet = reader.alphabet()
    reports = [r for r in result.elements if r.text is not None and r.ink is not None]
    # Recognition only, on each text box's lines, one batch for the poster (the boxes are known when drawn).
    if reads_given is None:
        reads_given = reader.read_boxes([(result.image, crop) for crop in _read_crops(result)])
    reads = reads_given
    for report, got in zip(reports, reads, strict=True):
        expected = "".join(report.lines)
        unreadable = sorted({ch for ch in normalise_text(expected) if ch not in alphabet and not ch.isascii()})
        report.ocr = got
        report.cer = char_error_rate(expected, got, unreadable)
        if unreadable:
            report.detail["unreadable_by_ocr"] = "".join(unreadable)
        if not reads_back(expected, got, report.cer, max_cer):
            # OCR models are not trained on struck-through text: a misread reference price is reported for a
            # reviewer to look at, not blocking (its digits come from the catalog, its fit and contrast are checked).
            struck = bool(report.detail.get("struck"))
            result.findings.append(
                Finding(
                    rule="poster.ocr",
                    severity=Severity.WARN if struck else Severity.BLOCK,
                    field=report.element,
                    text=report.text,
                    message=f"{report.element} reads back as '{got}' (character error rate {report.cer:.2f}, "
                    f"limit {max_cer:g})",
                )
            )
    result.ocr_checked = True


def _read_crops(result: PosterResult) -> list[Box]:
    w, h = result.image.size
    return [
        (max(0, r.ink[0] - 2), max(0, r.ink[1] - 2), min(w, r.ink[2] + 2), min(h, r.ink[3] + 2))
        for r in result.elements
        if r.text is not None and r.ink is not None
    ]


def read_back_many(results: Sequence[PosterResult], reader: OcrReader, *, max_cer: float = MAX_CER) -> None:
    """``read_back`` for a batch of posters, with one recognition batch across all their text boxes."""
    items = [(result, crop) for result in results for crop in _read_crops(result)]
    reads = reader.read_boxes([(result.image, crop) for result, crop in items])
    cursor = 0
    for result in results:
        count = len(_read_crops(result))
        read_back(result, reader, max_cer=max_cer, reads_given=reads[cursor : cursor + count])
        cursor += count


def reads_back(expected: str, got: str, cer: float, max_cer: float) -> bool:
    """Whether a read-back passes: CER within `max_cer`, or a single misread symbol in a short text
    (``¥149`` read as ``?149``) as long as every digit reads back exactly: numbers must never be misread."""
    if cer <= max_cer:
        return True
    digits_match = [c for c in expected if c.isdigit()] == [c for c in got if c.isdigit()]
    return digits_match and round(cer * len(expected.replace(" ", ""))) <= 1


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
    result = pipeline.render([request])[0]
    if pipeline.ocr is not None:
        read_back(result, pipeline.ocr, max_cer=pipeline.max_cer)
    return result


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


def write_poster(
    result: PosterResult, folder: Path, *, formats: Sequence[Literal["png", "jpg"]] = ("png", "jpg")
) -> dict[str, str]:
    """Write the poster's images and layout JSON into `folder`, atomically; returns kind → path."""
    import io as _io

    from contentgen.fileio import write_bytes_atomic, write_text_atomic

    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    for fmt in formats:
        buffer = _io.BytesIO()
        if fmt == "png":
            result.image.save(buffer, "PNG", compress_level=1)  # fast: a poster is re-encoded where it is published
        else:
            result.image.save(buffer, "JPEG", quality=90)
        path = folder / f"{result.name}.{fmt}"
        write_bytes_atomic(path, buffer.getvalue())
        files[fmt] = str(path)
    layout_path = folder / f"{result.name}.json"
    files["layout"] = str(layout_path)
    result.files = files
    write_text_atomic(layout_path, json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
    return files


def contact_sheet(results: Sequence[PosterResult], path: Path, *, thumb: int = 320, columns: int = 6) -> Path:
    """A JPEG grid of the run's posters with their channel, size, layout and ready state under each."""
    from contentgen.fileio import write_bytes_atomic

    if not results:
        raise ConfigError("no posters to put on a contact sheet")
    stack = FontStack.from_specs([FALLBACK["body"]], Path())
    label_h = 44
    columns = min(columns, len(results))
    rows = math.ceil(len(results) / columns)
    sheet = Image.new("RGB", (columns * (thumb + 16) + 16, rows * (thumb + label_h + 16) + 16), "#F4F4F2")
    draw = ImageDraw.Draw(sheet)
    for i, result in enumerate(results):
        image = result.image.copy()
        image.thumbnail((thumb, thumb), Image.Resampling.LANCZOS)
        x = 16 + (i % columns) * (thumb + 16)
        y = 16 + (i // columns) * (thumb + label_h + 16)
        sheet.paste(image, (x + (thumb - image.width) // 2, y + (thumb - image.height) // 2))
        mark = "✓" if result.ready else "✗"
        colour = "#1B7F3B" if result.ready else "#B3261E"
        font = stack.font(13)
        draw.text((x, y + thumb + 4), f"{mark} {result.segment or ''} · {result.channel}", fill=colour, font=font)
        draw.text(
            (x, y + thumb + 22), f"{result.size.label} · {result.layout} · {result.sku}", fill="#333333", font=font
        )
    import io as _io

    buffer = _io.BytesIO()
    sheet.save(buffer, "JPEG", quality=88)
    write_bytes_atomic(path, buffer.getvalue())
    return path
