"""Brand intro and outro cards: logo, palette and tagline, with a gentle fade and scale.

A card is an ordinary ``Scene`` whose visual is drawn here: the kit's background colour with a soft
glow of its secondary colour, the logo (the ``on_dark`` variant on a dark background) and the tagline
in the heading font, in whichever palette colour (or black/white) reads best on the card, all kept
inside the channel's safe zone with room for the card's zoom. The intro fades in from its own
background while growing gently (ease-out), then crossfades into the first scene; the outro adds an
optional call to action, grows slowly, and fades to black.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from contentgen.domain.channel import SafeZone
from contentgen.domain.common import hex_to_rgb
from contentgen.render.legibility import choose_text_colour, relative_luminance, required_ratio
from contentgen.render.typography import FontStack, TextBlock, TextFitError, draw_text, fit_text
from contentgen.video.timeline import Crossfade, Cut, KenBurns, Scene, TimelineError, View

if TYPE_CHECKING:
    from contentgen.domain.brand import BrandKit

CARD_ZOOM = 1.05
"""How far a card zooms; the card is drawn this much larger so the zoom never upsamples."""


def _glow(size: tuple[int, int], base: str, glow: str) -> Image.Image:
    """The card background: ``base`` with a soft radial glow of ``glow`` above the centre."""
    width, height = size
    small = (max(2, width // 8), max(2, height // 8))
    yy, xx = np.mgrid[0 : small[1], 0 : small[0]].astype(np.float32)
    cx, cy, radius = small[0] / 2, small[1] * 0.42, 0.75 * max(small)
    weight = np.clip(1.0 - np.hypot(xx - cx, yy - cy) / radius, 0.0, 1.0) ** 2 * 0.35
    a, b = np.array(hex_to_rgb(base), np.float32), np.array(hex_to_rgb(glow), np.float32)
    field = a + (b - a) * weight[..., None]
    glow_image: Image.Image = Image.fromarray(np.clip(field + 0.5, 0, 255).astype(np.uint8))
    scaled: Image.Image = glow_image.resize(size, Image.Resampling.BILINEAR)
    return scaled


def _logo(kit: BrandKit, dark_background: bool) -> Image.Image:
    relative = kit.logo.on_dark if dark_background and kit.logo.on_dark else kit.logo.primary
    with Image.open(kit.path(relative)) as logo:
        rgba: Image.Image = logo.convert("RGBA")
    return rgba


def _content_box(size: tuple[int, int], canvas: tuple[int, int], safe_zone: SafeZone) -> tuple[int, int, int, int]:
    """Where the card's content goes, in canvas pixels.

    The card zooms between its whole canvas (content seen at 1 / CARD_ZOOM) and the frame-sized
    middle of it (seen 1:1), so content inside the frame's safe area, centred on the canvas, stays
    inside it at every zoom.
    """
    width, height = size
    margin = 0.06 * min(width, height)
    dx, dy = (canvas[0] - width) / 2, (canvas[1] - height) / 2
    return (
        round(dx + width * safe_zone.left + margin),
        round(dy + height * safe_zone.top + margin),
        round(dx + width * (1 - safe_zone.right) - margin),
        round(dy + height * (1 - safe_zone.bottom) - margin),
    )


def _fit_line(text: str, fonts: FontStack, box: tuple[int, int], size: int) -> TextBlock:
    """``text`` on one line if it fits at 70 % of ``size`` or more, else split at a comma, else wrapped."""
    from contentgen.video.captions import clauses

    try:
        return fit_text(text, fonts, box, max_size=size, min_size=round(size * 0.7), max_lines=1)
    except TextFitError:
        pass
    parts = clauses(text)
    if len(parts) > 1:
        # the comma nearest the middle becomes a line break
        lengths = [len("".join(parts[: i + 1])) for i in range(len(parts) - 1)]
        cut = min(range(len(lengths)), key=lambda i: abs(lengths[i] - len(text) / 2)) + 1
        two = "".join(parts[:cut]).strip() + "\n" + "".join(parts[cut:]).strip()
        try:
            return fit_text(two, fonts, box, max_size=size, min_size=round(size * 0.6), max_lines=2)
        except TextFitError:
            pass
    return fit_text(text, fonts, box, max_size=size, min_size=round(size * 0.5), max_lines=3)


def _text_colour(kit: BrandKit, background: Image.Image, size_px: int, short_side: int) -> str:
    palette = kit.palette
    needed = required_ratio(size_px, True, short_side)
    candidates = [palette.text, palette.primary, "#000000", "#FFFFFF"]
    chosen = choose_text_colour(background, candidates, needed)
    return chosen or "#000000"


def card_image(
    kit: BrandKit,
    size: tuple[int, int],
    *,
    text: str | None = None,
    extra: str | None = None,
    safe_zone: SafeZone | None = None,
    background: str | None = None,
) -> Image.Image:
    """A brand card drawn at ``CARD_ZOOM`` × ``size``: logo, ``text`` (default: the tagline), optional ``extra``."""
    safe_zone = safe_zone or SafeZone()
    base = background or kit.palette.background
    dark = relative_luminance(base) < 0.3
    canvas_size = _canvas(size)
    card = _glow(canvas_size, base, kit.palette.secondary).convert("RGBA")
    left, top, right, bottom = _content_box(size, canvas_size, safe_zone)
    box_w, box_h = right - left, bottom - top
    short = round(min(size) * CARD_ZOOM)
    fonts = _fonts(kit)

    logo = _logo(kit, dark)
    logo = logo.crop(logo.getchannel("A").getbbox() or (0, 0, *logo.size))  # the mark, not its padding
    logo_w = max(min(kit.logo.min_width, box_w), round(box_w * 0.7))
    logo_h = round(logo.height * logo_w / logo.width)
    if logo_h > box_h * 0.3:
        logo_w, logo_h = max(1, round(logo_w * box_h * 0.3 / logo_h)), round(box_h * 0.3)
    logo = logo.resize((logo_w, logo_h), Image.Resampling.LANCZOS)

    blocks = [block for _, block in _card_texts(kit, size, text, extra, safe_zone)]
    gap = round(short * 0.06)
    total = logo_h + sum(gap + block.height for block in blocks)
    y = top + (box_h - total) * 0.45  # a little above the middle
    card.alpha_composite(logo, (round(left + (box_w - logo_w) / 2), round(y)))
    y += logo_h
    for block in blocks:
        y += gap
        x = round(left + (box_w - block.width) / 2)
        region = card.crop((x, round(y), x + block.width, round(y) + block.height)).convert("RGB")
        colour = _text_colour(kit, region, round(block.size / CARD_ZOOM), min(size))
        draw_text(card, block, fonts, (x, round(y)), colour, align="center")
        y += block.height
    return card.convert("RGB")


def _canvas(size: tuple[int, int]) -> tuple[int, int]:
    return math.ceil(size[0] * CARD_ZOOM / 2) * 2, math.ceil(size[1] * CARD_ZOOM / 2) * 2


def _fonts(kit: BrandKit) -> FontStack:
    return FontStack.from_specs([kit.fonts.heading, kit.fonts.body], kit.root)


def _card_texts(
    kit: BrandKit, size: tuple[int, int], text: str | None, extra: str | None, safe_zone: SafeZone
) -> list[tuple[str, TextBlock]]:
    """The card's lines of text (``text``, default the tagline, then ``extra``) as ``card_image`` fits them."""
    left, top, right, bottom = _content_box(size, _canvas(size), safe_zone)
    box_w, box_h = right - left, bottom - top
    short = round(min(size) * CARD_ZOOM)
    fonts = _fonts(kit)
    return [
        (content, _fit_line(content, fonts, (round(box_w * 0.92), round(box_h * 0.2)), round(short * scale)))
        for content, scale in ((text if text is not None else kit.voice.tagline, 0.065), (extra, 0.045))
        if content
    ]


def card_word_cuts(
    kit: BrandKit,
    size: tuple[int, int],
    *,
    text: str | None = None,
    extra: str | None = None,
    safe_zone: SafeZone | None = None,
) -> list[tuple[str, TextBlock]]:
    """(text, block as fitted) for each text of the card ``card_image`` draws with these arguments in which a word
    wider than its line had to be cut (``TextBlock.broke_word``): a reviewer should look at those."""
    return [(t, block) for t, block in _card_texts(kit, size, text, extra, safe_zone or SafeZone()) if block.broke_word]


def intro_card(
    kit: BrandKit,
    size: tuple[int, int],
    *,
    duration: float = 2.0,
    text: str | None = None,
    safe_zone: SafeZone | None = None,
    crossfade: float = 0.4,
) -> Scene:
    """The opening card: logo and tagline fade in while growing gently, then crossfade into the next scene."""
    if duration <= 0.5:
        raise TimelineError(f"intro_card: duration must be more than 0.5 s, got {duration}")
    image = card_image(kit, size, text=text, safe_zone=safe_zone)
    return Scene(
        image,
        duration,
        KenBurns(View(1.0), View(CARD_ZOOM), easing="ease_out"),
        Crossfade(min(crossfade, duration / 2)) if crossfade > 0 else Cut(),
        background=kit.palette.background,
        fade_in=min(0.5, duration / 3),
        fade_colour=kit.palette.background,
        role="intro",
        name="intro",
    )


def outro_card(
    kit: BrandKit,
    size: tuple[int, int],
    *,
    duration: float = 2.5,
    text: str | None = None,
    call_to_action: str | None = None,
    safe_zone: SafeZone | None = None,
) -> Scene:
    """The closing card: logo, tagline and an optional call to action, zooming in slowly, fading to black."""
    if duration <= 0.5:
        raise TimelineError(f"outro_card: duration must be more than 0.5 s, got {duration}")
    image = card_image(kit, size, text=text, extra=call_to_action, safe_zone=safe_zone)
    return Scene(
        image,
        duration,
        KenBurns(View(1.0), View(CARD_ZOOM), easing="linear"),
        Cut(),
        background=kit.palette.background,
        fade_out=min(0.6, duration / 3),
        fade_colour="#000000",
        role="outro",
        name="outro",
    )


def with_transition(scene: Scene, crossfade: float) -> Scene:
    """``scene`` handing over to the next one with a crossfade of ``crossfade`` seconds (0: a cut)."""
    return replace(scene, transition=Crossfade(crossfade) if crossfade > 0 else Cut())
