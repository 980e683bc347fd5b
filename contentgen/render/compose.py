"""Composition and legibility of one poster: the product, the logo and the text laid out by a layout file.

Every text element is fitted (sizes, then wrapping, then a blocking finding: never truncated or clipped), given
a colour that reaches its WCAG contrast on the pixels under it (or a scrim panel when no colour does), painted,
measured again and repainted over a stronger panel while it falls short, and kept inside the channel's safe
zone. ``Composer.compose`` returns the :class:`PosterResult`; OCR read-back is ``contentgen.render.readback``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from PIL import Image, ImageDraw

from contentgen.domain.findings import Finding, Severity
from contentgen.domain.layout import ElementName, ElementStyle, Frame, safe_area
from contentgen.render.cache import Table, cached, serial
from contentgen.render.legibility import (
    analyse_contrast,
    choose_text_colour,
    contrast_ratio,
    ground_contrast,
    paint_scrim,
    required_ratio,
    scrim_for,
)
from contentgen.render.poster_model import (
    Box,
    ElementReport,
    PosterCopy,
    PosterRequest,
    PosterResult,
    word_cut,
)
from contentgen.render.typography import Align, FontStack, GlyphError, TextBlock, TextFitError, draw_text, fit_text

if TYPE_CHECKING:
    from contentgen.domain.brand import BrandKit
    from contentgen.providers.base import ProviderInfo

WHITE, INK = "#FFFFFF", "#1A1A1A"
TARGET_MARGIN, SMALL_TEXT_MARGIN = 1.08, 1.2
SMALL_TEXT_PX = 32
"""Below this size text is judged by its paint colour against the measured ground (see ``ground_contrast``)."""
MAX_SAMPLES = 16384
REFERENCE_SHORT_SIDE = 1080
"""The kit's logo min_width is stated for a canvas with this short side, and scales with it."""
MIN_TEXT_PX = 12
"""No text is set smaller than this, whatever the canvas: below it strokes are too thin to read."""
ATTEMPTS = 4
"""Paint-and-measure rounds per text element before its contrast is left to the final check to report."""


_EMOJI = re.compile("[\U0001f000-\U0001faff\U0001f1e6-\U0001f1ff\u2600-\u27bf\u2b00-\u2bff]")
"""Emoji and pictographs; those no font of the kit maps are dropped from poster text (see ``without_emoji``)."""


class Placement(NamedTuple):
    """A fitted text element and where it goes: what ``Composer.draw`` paints and records."""

    name: str
    text: str
    block: TextBlock
    style: ElementStyle
    origin: tuple[int, int]
    """The top-left of the block's box; the block is aligned in `width` from there."""
    width: int
    box: Box
    """The layout box the element belongs to (reported with it)."""


class Composer:
    """Lays out and paints one poster on its background, recording every element and finding."""

    def __init__(
        self,
        brand: BrandKit,
        stacks: Mapping[str, FontStack],
        logo: Callable[[bool], Image.Image],
        request: PosterRequest,
        copy: PosterCopy,
        background: Image.Image,
        background_info: ProviderInfo,
        images_root: Path | None = None,
        *,
        owned: bool = False,
    ) -> None:
        """`stacks`: font stacks by layout font name ("heading", "body"); `logo(on_dark)`: the kit's trimmed logo;
        `images_root`: the folder the product's image paths are relative to (default: the kit folder); `owned`:
        no one else holds `background`, so the poster is painted on it instead of on a copy."""
        self.brand = brand
        self.images_root = images_root
        self.stacks = stacks
        self.logo_for = logo
        self.request = request
        self.background_info = background_info
        size = request.size
        # A copy of a full-size background costs as much as painting the text; skip it when nothing else holds it.
        self.canvas = background if owned and background.mode == "RGB" else background.convert("RGB")
        if self.canvas.size != (size.width, size.height):
            self.canvas = self.canvas.resize((size.width, size.height), Image.Resampling.LANCZOS)
        self.short_side = min(size.width, size.height)
        self.frame: Frame = request.layout.frame_for(size.width, size.height)
        self.area = safe_area(size.width, size.height, request.channel.safe_zone, request.layout.margin)
        self.reports: list[ElementReport] = []
        self.findings: list[Finding] = []
        self.masks: dict[str, tuple[Image.Image, tuple[int, int]]] = {}  # glyph coverage and where it sits
        # element -> (report, its glyph mask, the judged pixels, contrast): reused while all are the same (a mask is
        # drawn into only before its first measurement, so the same mask object means the same glyphs)
        self.measured: dict[str, tuple[ElementReport, Image.Image, tuple[Any, ...], float | None]] = {}
        self.locale = self.brand.locale
        self.copy = self.without_emoji(copy)

    def without_emoji(self, copy: PosterCopy) -> PosterCopy:
        """Emoji no font of the kit draws are taken out of the poster text (no colour emoji font is shipped:
        they would be boxes), each field with a warning that names what was dropped."""
        stack = self.stacks["heading"]

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
        return self.request.layout.style(self.frame, name)

    def sizes(self, style: ElementStyle) -> tuple[int, int]:
        low, high = style.size
        return max(MIN_TEXT_PX, round(low * self.short_side)), max(MIN_TEXT_PX, round(high * self.short_side))

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
        request = self.request
        return PosterResult(
            brand=self.brand.id,
            segment=request.segment.id if request.segment else None,
            channel=request.channel.id,
            size=request.size,
            layout=request.layout.id,
            sku=request.product.sku,
            seed=request.seed,
            copy=self.copy,
            image=self.canvas,
            elements=self.reports,
            findings=self.findings,
            background=self.background_info,
            safe_area=self.area,
            ocr_checked=False,
        )

    # pictures

    def place_product(self, box: Box) -> None:
        from contentgen.render.product import product_visual

        width, height = box[2] - box[0], box[3] - box[1]
        seed = self.request.seed if self.request.product_seed is None else self.request.product_seed
        visual = product_visual(
            self.request.product, self.brand, (width, height), seed=seed, images_root=self.images_root
        )
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
        logo = self.logo_for(on_dark)
        width, height = box[2] - box[0], box[3] - box[1]
        scale = min(width / logo.width, height / logo.height)
        size = (max(1, round(logo.width * scale)), max(1, round(logo.height * scale)))
        style = self.style("logo")
        x = box[0] + {"left": 0, "center": (width - size[0]) // 2, "right": width - size[0]}[style.align]
        y = box[1] + (height - size[1]) // 2 if style.valign == "middle" else box[1]
        drawn = _resized_logo(logo, size)
        self.canvas.paste(drawn, (x, y), drawn)
        ink = (x, y, x + size[0], y + size[1])
        report = ElementReport(
            "logo", box, ink=ink, detail={"variant": "on_dark" if on_dark else "primary", "width": size[0]}
        )
        self.reports.append(report)
        minimum = spec.min_width * self.short_side / REFERENCE_SHORT_SIDE
        if size[0] < minimum:
            self.block(
                "poster.logo",
                field="logo",
                message=(
                    f"the logo is drawn {size[0]} px wide, under the kit's min_width ({spec.min_width} px at a "
                    f"{REFERENCE_SHORT_SIDE} px short side, {minimum:.0f} px here); "
                    f"enlarge the logo box of layout '{self.request.layout.id}' ({self.frame.aspect})"
                ),
            )

    # text

    def colour_for(
        self, region: Box, size: int, bold: bool, prefer: Sequence[str], *, min_opacity: float = 0.0
    ) -> tuple[str, dict[str, Any] | None]:
        """A text colour passing WCAG over `region`, or the best colour with the scrim (at least `min_opacity`)
        that makes it pass; the scrim is drawn."""
        need = required_ratio(size, bold, self.short_side)
        # Aim a little above the minimum: the check on the finished pixels sees anti-aliasing and the panel
        # exactly as composited. Thin strokes of small text read lighter than their colour, so more margin.
        target = need * (TARGET_MARGIN if size >= SMALL_TEXT_PX else SMALL_TEXT_MARGIN)
        region = self.judged(region, size)
        pixels = np.asarray(self.canvas.crop(region)).reshape(-1, 3)
        if len(pixels) > MAX_SAMPLES:  # a percentile needs a sample, not every pixel of a headline's ground
            pixels = np.take(pixels, np.linspace(0, len(pixels) - 1, MAX_SAMPLES).astype(np.intp), axis=0)
        palette = self.brand.palette
        if not min_opacity:
            candidates = list(dict.fromkeys([*prefer, palette.text, palette.background, WHITE, INK]))
            colour = choose_text_colour(pixels, candidates, target)
            if colour is not None:
                return colour, None
        mean = _mean_colour(pixels)
        text = max((palette.text, palette.background), key=lambda c: contrast_ratio(c, mean))
        # Panels in a colour the text stands out on; the one with the most contrast when an opacity is forced.
        panels = [
            c for c in dict.fromkeys((palette.background, palette.text, WHITE, INK)) if contrast_ratio(c, text) >= 3
        ]
        scrim = scrim_for(pixels, text, target, colours=panels, max_opacity=0.9)
        if scrim is None:
            text = WHITE if contrast_ratio(WHITE, mean) > contrast_ratio(INK, mean) else INK
            scrim = (INK if text == WHITE else WHITE, 0.9)
        panel_colour, opacity = scrim
        if opacity == 0 and not min_opacity:
            return text, None
        if opacity < min_opacity:
            panel_colour, opacity = max(panels, key=lambda c: contrast_ratio(c, text)), min_opacity
        panel = self.panel_box(region, size)
        paint_scrim(self.canvas, panel, panel_colour, opacity, radius=max(6, size // 3))
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
        ground = self.canvas.crop(region)
        seen = (region, (gx, gy), ground.tobytes())
        last = self.measured.get(report.element)
        if last is not None and last[0] is report and last[1] is glyphs and last[2] == seen:
            return last[3]  # neither the text nor anything under it changed since it was measured
        mask = Image.new("L", ground.size, 0)
        mask.paste(glyphs, (gx - region[0], gy - region[1]))
        whole = (0, 0, *ground.size)
        try:
            # Large text is measured whole on the pixels; small text's hairline strokes leave almost no fully
            # covered pixel to read its colour from, so it is judged by its paint against the measured ground.
            if (report.size or 0) >= SMALL_TEXT_PX or report.colour is None:
                ratio: float | None = analyse_contrast(ground, whole, mask).ratio
            else:
                ratio = ground_contrast(ground, whole, mask, report.colour)
        except ValueError:
            ratio = None
        self.measured[report.element] = (report, glyphs, seen, ratio)
        return ratio

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
                self.stacks[style.font],
                room,
                max_size=high,
                min_size=low,
                step=max(1, (high - low) // 14),
                max_lines=style.max_lines,
            )
            if block.broke_word:  # only a word wider than the line at every size is cut: a reviewer should look
                self.findings.append(word_cut(name, text, block.lines))
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
        stack, size, lines = self.stacks[style.font], block.size, len(block.lines)
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

    def draw(self, placed: Placement, colour: str, panel: dict[str, Any] | None = None) -> ElementReport:
        """Paint a fitted block in `colour` and record it, with its glyph mask for the contrast check."""
        name, text, block, style, origin, width, box = placed
        stack = self.stacks[style.font]
        # Glyphs are rendered once, as coverage over the block's area (and an em around it for overhanging ink);
        # the colour goes through it, as Pillow's own text fill does, and the contrast check reads the same mask.
        canvas_w, canvas_h = self.canvas.size
        x0, y0 = max(0, origin[0] - block.size), max(0, origin[1] - block.size)
        x1 = min(canvas_w, origin[0] + width + block.size)
        y1 = min(canvas_h, origin[1] + block.height + block.size)
        glyphs, lines, inked = _glyphs(
            tuple(block.lines), block.size, block.line_height, stack, (x1 - x0, y1 - y0),
            (origin[0] - x0, origin[1] - y0), style.align, width,
        )  # fmt: skip
        self.masks[name] = (glyphs, (x0, y0))  # the cache's own image: copy it before drawing into it
        drawn = [b for b in lines if b[2] > b[0]]
        ink = (
            x0 + min(b[0] for b in drawn),
            y0 + min(b[1] for b in drawn),
            x0 + max(b[2] for b in drawn),
            y0 + max(b[3] for b in drawn),
        )
        if inked is not None:  # only where there is ink: under zero coverage a paste leaves every pixel as it was
            (left, top, right, bottom), coverage = inked
            self.canvas.paste(colour, (x0 + left, y0 + top, x0 + right, y0 + bottom), coverage)
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
            required_contrast=required_ratio(block.size, style.font == "heading", self.short_side),
        )
        self.reports.append(report)
        return report

    def draw_legibly(self, placed: Placement, prefer: Sequence[str] = ()) -> None:
        """``draw`` in a colour chosen and verified for the ground under the block."""
        block, style, origin, width = placed.block, placed.style, placed.origin, placed.width
        shift = {"left": 0, "center": (width - block.width) // 2, "right": width - block.width}[style.align]
        region = (origin[0] + shift, origin[1], origin[0] + shift + block.width, origin[1] + block.height)
        self.legible(
            region,
            block.size,
            style.font == "heading",
            lambda colour, panel: [self.draw(placed, colour, panel)],
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
        self.draw_legibly(Placement(name, text, block, style, (box[0], top), room[0], box), prefer)

    def place_points(self, box: Box) -> None:
        style = self.style("points")
        candidates = list(self.copy.points) or list(self.request.product.selling_points)
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
                    self.stacks[style.font],
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
                        point, self.stacks[style.font], (width - indent, row_h - max(4, row_h // 8)),
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
                    placed = Placement(f"points.{i + 1}", point, block, style, origin, width - indent, box)
                    report = self.draw(placed, colour, panel)
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
        origin = (x + pad_x, box[1] + (height - block.height) // 2)
        placed = Placement("cta", text, block, plain, origin, block.width, box)
        self.draw(placed, ink, {"kind": "pill", "colour": fill, "box": list(pill)})

    def panel_colours(self) -> tuple[str, str]:
        """(fill, text colour) for buttons and badges: the brand accent (or primary) and its best text colour."""
        palette = self.brand.palette
        fill = max((palette.accent, palette.primary), key=lambda c: contrast_ratio(c, palette.background))
        text = max((WHITE, palette.background, palette.text, INK), key=lambda c: contrast_ratio(c, fill))
        return fill, text

    # price

    def price_texts(self) -> tuple[str, str | None, str | None]:
        """(price shown, struck reference price or None, label or None) from the catalog and the brief."""
        product, brief = self.request.product, self.request.brief
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
        stack = self.stacks[style.font]
        body = self.stacks["body"]
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
            main = self.draw(Placement("price", shown, block, left, (start, top), block.width, box), colour, panel)
            reports = [main]
            for name, text, small in pieces:
                if name == "price.label":
                    origin = (start, box[1] + pad + (label_h - small.height) // 2)
                else:
                    origin = (start + block.width + gap, (main.ink[3] if main.ink else top) - small.height)
                report = self.draw(Placement(name, text, small, small_style, origin, small.width, box), colour, panel)
                reports.append(report)
                if name == "price.list" and report.ink:
                    x0, y0, x1, y1 = report.ink
                    mid = (y0 + y1) // 2
                    thickness = max(1, small.size // 14)
                    line = (x0 - 2, mid, x1 + 2, mid)
                    ImageDraw.Draw(self.canvas).line(line, fill=colour, width=thickness)
                    # the line is ink of this element, not its background, for the contrast check
                    glyphs, (gx, gy) = self.masks[name]
                    glyphs = glyphs.copy()  # the mask is shared with the glyph cache
                    self.masks[name] = (glyphs, (gx, gy))
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
        product, channel = self.request.product, self.request.channel
        texts = [d.text for d in self.brand.voice.disclaimers if d.applies(channel.id, product.category)]
        texts = list(dict.fromkeys(t.strip().rstrip("。.") for t in texts))
        if not texts:
            return ""
        return "；".join(texts) + "。" if self.locale == "zh-CN" else ". ".join(texts) + "."

    def place_disclaimer(self) -> None:
        text = self.disclaimer_text()
        if not text or not self.request.disclaimer:
            return
        if "disclaimer" not in self.frame.boxes:
            self.block(
                "poster.disclaimer",
                field="disclaimer",
                text=text,
                message=f"the kit requires a disclaimer here and layout '{self.request.layout.id}' "
                f"({self.frame.aspect}) has no disclaimer box",
            )
            return
        style = self.style("disclaimer").model_copy(update={"max_lines": None})
        box = self.box("disclaimer")
        room = (box[2] - box[0], box[3] - box[1])
        block = self.fit("disclaimer", text, style, room)
        if block is not None:
            top = box[1] + room[1] - block.height  # sits on the bottom of its box
            self.draw_legibly(Placement("disclaimer", text, block, style, (box[0], top), room[0], box))

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


@cached(maxsize=64)
def _glyphs(
    lines: tuple[str, ...],
    size: int,
    line_height: int,
    stack: FontStack,
    canvas: tuple[int, int],
    origin: tuple[int, int],
    align: Align,
    width: int,
) -> tuple[Image.Image, list[Box], tuple[Box, Image.Image] | None]:
    """Glyph coverage of wrapped lines on a `canvas`-sized mask, each line's box (``draw_text``) and the mask's ink
    box with that part of it (None: no ink), cached: the same text at one size and place is rendered once."""
    mask = Image.new("L", canvas, 0)
    block = TextBlock(list(lines), size, line_height, width, line_height * len(lines), False)
    boxes = draw_text(mask, block, stack, origin, 255, align=align, box_width=width)
    bbox = mask.getbbox()
    return mask, boxes, (bbox, mask.crop(bbox)) if bbox else None


_LOGOS = Table(64)
"""A logo scaled to a size, by the logo image's ``serial`` and the size: every poster of a size draws the same one."""


def _resized_logo(logo: Image.Image, size: tuple[int, int]) -> Image.Image:
    """`logo` scaled to `size` (Lanczos), cached; the result is only pasted, never drawn into."""
    key = (serial(logo), size)
    drawn: Image.Image | None = _LOGOS.get(key)
    if drawn is None:
        drawn = logo.resize(size, Image.Resampling.LANCZOS)
        _LOGOS.put(key, drawn)
    return drawn


def _near(a: Box, b: Box, margin: int) -> bool:
    return a[0] < b[2] + margin and b[0] - margin < a[2] and a[1] < b[3] + margin and b[1] - margin < a[3]


def _valign_offset(style: ElementStyle, room: int, used: int) -> int:
    return {"top": 0, "middle": (room - used) // 2, "bottom": room - used}[style.valign]


def _mean_colour(pixels: np.ndarray) -> str:
    """The pixels' mean colour (each channel truncated), as '#RRGGBB'; by exact per-channel sums (mean(axis=0)'s)."""
    n = len(pixels)
    mean = tuple(int(int(pixels[:, c].sum(dtype=np.int64)) / n) for c in range(3)) if n else (0, 0, 0)
    return "#{:02X}{:02X}{:02X}".format(*mean)
