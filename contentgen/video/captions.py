"""Captions: narration split into cues, each drawn once in the brand font, legible on any background.

Splitting (``split_captions``)
    A cue never spans two sentences (split after 。！？；… and after ``. ! ?`` followed by a space).
    A sentence longer than ``max_chars`` is split at its commas (，、,：:, but not inside ``1,000`` or
    ``10:30``), clauses packed greedily; a clause still too long is wrapped by the poster line breaker
    (``typography.break_lines`` counting characters: between CJK characters and Latin words, never
    before closing punctuation, never between a number and its unit or currency sign), with Chinese
    words as jieba cuts them kept whole (化妆棉, not 化妆|棉), into pieces of even length. Commas and
    the Chinese full stop at the end of a cue are dropped, as Chinese subtitles do; English keeps its
    ``. ? !``.

Drawing (``render_caption``)
    The text is fitted (``typography.fit_text``: wrap first, then shrink, at most ``max_lines`` lines)
    into the platform's safe area (``SafeZone`` fractions of each edge, plus a margin), centred, at
    the bottom. It sits on a rounded panel of ``box_colour`` whose opacity is the least that gives
    ``target_contrast`` between the text and the panel over *any* background (found with
    ``legibility.scrim_for`` over a grid of colours that includes the text colour itself), and each
    glyph has an outline in the panel colour. The target is 5:1 by default, above WCAG's 4.5:1, so
    chroma subsampling and compression keep the decoded video above 4.5:1.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image, ImageDraw

from contentgen.domain.channel import SafeZone
from contentgen.domain.common import Locale, hex_to_rgb
from contentgen.errors import ContentgenError
from contentgen.fileio import write_text_atomic
from contentgen.providers.base import Cue
from contentgen.render.legibility import contrast_ratio, scrim_for
from contentgen.render.typography import (
    FontStack,
    GlyphError,
    Lines,
    TextBlock,
    break_lines,
    draw_text,
    fit_text,
    measure,
)
from contentgen.text.sentences import split_sentences

if TYPE_CHECKING:
    from contentgen.domain.brand import BrandKit

Box = tuple[int, int, int, int]


# ----------------------------------------------------------------------------------------------
# Style and drawing


@dataclass(frozen=True)
class CaptionStyle:
    """How captions look and where they go; sizes are fractions of the frame's shorter side."""

    fonts: FontStack
    text_colour: str = "#FFFFFF"
    box_colour: str = "#000000"
    box_opacity: float | None = None
    """None: the least opacity that reaches ``target_contrast`` on any background."""
    target_contrast: float = 5.0
    outline: float = 0.06
    """Glyph outline in the box colour, as a fraction of the font size (0: none)."""
    safe_zone: SafeZone = field(default_factory=SafeZone)
    max_lines: int = 2
    max_size: float = 0.052
    min_size: float = 0.034
    margin: float = 0.03
    line_spacing: float = 1.2

    def __post_init__(self) -> None:
        if contrast_ratio(self.text_colour, self.box_colour) < self.target_contrast:
            raise ContentgenError(
                f"caption text colour {self.text_colour} on box colour {self.box_colour} cannot reach "
                f"{self.target_contrast}:1 contrast; pick a lighter text or a darker box colour"
            )
        if self.box_opacity is not None and not 0 <= self.box_opacity <= 1:
            raise ContentgenError(f"CaptionStyle.box_opacity must be between 0 and 1, got {self.box_opacity}")
        if not 0 < self.min_size <= self.max_size < 0.5 or self.max_lines < 1:
            raise ContentgenError("CaptionStyle: need 0 < min_size <= max_size < 0.5 and max_lines >= 1")

    @classmethod
    def from_kit(cls, kit: BrandKit, safe_zone: SafeZone | None = None, **overrides: Any) -> CaptionStyle:
        """The brand's caption style: its heading (bold) font, then its body font; white on its text colour."""
        fonts = FontStack.from_specs([kit.fonts.heading, kit.fonts.body], kit.root)
        box = kit.palette.text if contrast_ratio("#FFFFFF", kit.palette.text) >= 7.0 else "#000000"
        values: dict[str, Any] = {"fonts": fonts, "text_colour": "#FFFFFF", "box_colour": box}
        if safe_zone is not None:
            values["safe_zone"] = safe_zone
        return cls(**{**values, **overrides})

    def opacity(self) -> float:
        """The panel opacity used: ``box_opacity``, or the least that reaches the target on any background."""
        if self.box_opacity is not None:
            return self.box_opacity
        return _least_opacity(self.text_colour, self.box_colour, self.target_contrast)

    def with_safe_zone(self, safe_zone: SafeZone) -> CaptionStyle:
        return replace(self, safe_zone=safe_zone)


def _least_opacity(text: str, box: str, target: float) -> float:
    levels = (0, 64, 128, 192, 255)
    grid = np.array([*itertools.product(levels, repeat=3), hex_to_rgb(text)], dtype=np.uint8)
    found = scrim_for(grid, text, target, colours=(box,), step=0.05, percentile=0.0)
    assert found is not None  # __post_init__ checked that an opaque panel reaches the target
    return found[1]


def caption_area(style: CaptionStyle, frame_size: tuple[int, int]) -> Box:
    """Where captions may be drawn: the safe area inset by the margin (left, top, right, bottom)."""
    width, height = frame_size
    zone = style.safe_zone
    inset = round(style.margin * min(width, height))
    return (
        math.ceil(width * zone.left) + inset,
        math.ceil(height * zone.top) + inset,
        math.floor(width * (1 - zone.right)) - inset,
        math.floor(height * (1 - zone.bottom)) - inset,
    )


_LATIN_SAMPLE = "Sip slowly: this green tea tastes of cut grass, snap peas and sea breeze, only $18 for 3.5 oz."


def caption_max_chars(
    style: CaptionStyle, frame_size: tuple[int, int], locale: Locale, lines: int = 1, *, limit: int | None = None
) -> int:
    """How many characters fill ``lines`` caption lines at the largest size: a ``max_chars`` for ``split_captions``;
    at most `limit` a line where the platform sets one (``VideoSpec.caption_max_chars``)."""
    left, _, right, _ = caption_area(style, frame_size)
    size = max(8, round(style.max_size * min(frame_size)))
    room = right - left - 2 * round(0.4 * size)
    if locale == "zh-CN":
        average = float(size)  # CJK characters are one em wide
    else:
        try:
            average = measure(_LATIN_SAMPLE, style.fonts, size) / len(_LATIN_SAMPLE)
        except GlyphError:
            average = 0.55 * size
        average *= 1.1  # letters vary in width: a tenth spare, so that a line of wide ones still fits
    fits = int(room / average)
    return max(2, (fits if limit is None else min(fits, limit)) * lines)


@dataclass(frozen=True)
class CaptionImage:
    """One cue drawn: the RGBA panel, where it goes in the frame, and the text's own mask."""

    image: Image.Image
    position: tuple[int, int]
    text_mask: Image.Image
    """Coverage of the text fill (not the outline), the panel's size."""
    block: TextBlock
    opacity: float

    @property
    def box(self) -> Box:
        """The panel in frame pixels (left, top, right, bottom)."""
        x, y = self.position
        return x, y, x + self.image.width, y + self.image.height


def caption_block(text: str, style: CaptionStyle, frame_size: tuple[int, int]) -> TextBlock:
    """One caption's text as ``render_caption`` fits it (its ``broke_word``: a word wider than the line was cut);
    raises ``TextFitError`` if it cannot fit."""
    left, top, right, bottom = caption_area(style, frame_size)
    short = min(frame_size)
    max_px, min_px = max(8, round(style.max_size * short)), max(6, round(style.min_size * short))
    pad_x, pad_y = round(0.4 * max_px), round(0.2 * max_px)
    room = (right - left - 2 * pad_x, bottom - top - 2 * pad_y)
    return fit_text(
        text,
        style.fonts,
        room,
        max_size=max_px,
        min_size=min(min_px, max_px),
        max_lines=style.max_lines,
        line_spacing=style.line_spacing,
    )


def render_caption(text: str, style: CaptionStyle, frame_size: tuple[int, int]) -> CaptionImage:
    """Draw one caption for a frame of ``frame_size``; raises ``TextFitError`` if it cannot fit."""
    left, _, right, bottom = caption_area(style, frame_size)
    block = caption_block(text, style, frame_size)
    pad_x, pad_y = round(0.4 * block.size), round(0.2 * block.size)
    width, height = block.width + 2 * pad_x, block.height + 2 * pad_y
    mask = Image.new("L", (width, height), 0)
    draw_text(mask, block, style.fonts, (pad_x, pad_y), 255, align="center")

    opacity = style.opacity()
    panel = Image.new("L", (width, height), 0)
    radius = round(0.3 * block.size)
    ImageDraw.Draw(panel).rounded_rectangle((0, 0, width - 1, height - 1), radius=radius, fill=round(opacity * 255))
    box_rgb, text_rgb = hex_to_rgb(style.box_colour), hex_to_rgb(style.text_colour)
    image = Image.new("RGBA", (width, height), (*box_rgb, 0))
    image.putalpha(panel)
    stroke = round(style.outline * block.size)
    if stroke > 0:
        image.alpha_composite(_layer(box_rgb, _dilate(mask, stroke)))
    image.alpha_composite(_layer(text_rgb, mask))
    x = left + (right - left - width) // 2
    y = bottom - height
    return CaptionImage(image, (x, y), mask, block, opacity)


def _dilate(mask: Image.Image, radius: int) -> Image.Image:
    """Grey-level dilation by a disc of ``radius`` px (the glyph outline), as a maximum over shifts."""
    src = np.asarray(mask)
    out = src.copy()
    height, width = src.shape
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            if (dx or dy) and dx * dx + dy * dy <= radius * radius + radius:
                dst = out[max(dy, 0) : height + min(dy, 0), max(dx, 0) : width + min(dx, 0)]
                np.maximum(dst, src[max(-dy, 0) : height + min(-dy, 0), max(-dx, 0) : width + min(-dx, 0)], out=dst)
    return Image.fromarray(out)


def _layer(rgb: tuple[int, int, int], alpha: Image.Image) -> Image.Image:
    layer = Image.new("RGBA", alpha.size, (*rgb, 0))
    layer.putalpha(alpha)
    return layer


# ----------------------------------------------------------------------------------------------
# Splitting narration into cues

_DROP_END = {"zh-CN": "，。、；：,;:", "en-US": ",;:、，"}


def clauses(sentence: str) -> list[str]:
    """``sentence`` cut after each comma or colon (not inside numbers), commas kept."""
    return split_sentences(sentence, clauses=True)


def _clean(chunk: str, locale: Locale) -> str:
    return chunk.strip().rstrip(_DROP_END[locale]).strip()


def _balanced(clause: str, max_chars: int) -> Lines:
    """``clause`` wrapped at ``max_chars`` characters, into as many pieces as needed but of even length."""
    lines = break_lines(clause, max_chars, len)  # never inside a word (``contentgen.render.words``)
    for width in range(max(1, math.ceil(len(clause.strip()) / max(1, len(lines)))), max_chars):
        even = break_lines(clause, width, len)
        if len(even) == len(lines) and (lines.broke_word or not even.broke_word):
            return even
    return lines


def split_captions(text: str, locale: Locale, max_chars: int) -> list[str]:
    """Narration split into caption chunks of at most ``max_chars`` characters (see the module docstring)."""
    return _split(text, locale, max_chars)[0]


def caption_word_cuts(text: str, locale: Locale, max_chars: int) -> list[tuple[str, list[str]]]:
    """(clause, its pieces) for each clause of ``text`` that ``split_captions`` had to cut inside a word (a word
    longer than ``max_chars`` characters, which only a character break can split across two cues)."""
    return _split(text, locale, max_chars)[1]


def _split(text: str, locale: Locale, max_chars: int) -> tuple[list[str], list[tuple[str, list[str]]]]:
    if max_chars < 2:
        raise ValueError(f"max_chars must be at least 2, got {max_chars}")
    chunks: list[str] = []
    cut: list[tuple[str, list[str]]] = []
    for sentence in split_sentences(text):
        current = ""
        for clause in clauses(sentence):
            if len(_clean(current + clause, locale)) <= max_chars:
                current += clause
                continue
            if _clean(current, locale):
                chunks.append(current)
            if len(_clean(clause, locale)) <= max_chars:
                current = clause
            else:
                pieces = _balanced(clause.strip(), max_chars)
                if pieces.broke_word:
                    cut.append((clause.strip(), list(pieces)))
                *full, current = pieces
                chunks.extend(full)
        chunks.append(current)
    return [cleaned for cleaned in (_clean(chunk, locale) for chunk in chunks) if cleaned], cut


def cues_from_chunks(chunks: Sequence[tuple[str, float]], *, start: float = 0.0, gap: float = 0.0) -> list[Cue]:
    """Consecutive cues for (text, seconds) chunks, from ``start``, with ``gap`` seconds between them."""
    cues, t = [], start
    for text, duration in chunks:
        if not duration > 0:
            raise ContentgenError(f"caption chunk '{text[:20]}' has a duration of {duration} s; it must be positive")
        cues.append(Cue(t, t + duration, text))
        t += duration + gap
    return cues


def spread_cues(texts: Sequence[str], start: float, end: float, *, gap: float = 0.0) -> list[Cue]:
    """Cues sharing ``start``–``end`` in proportion to each text's length (for one narration clip)."""
    weights = [max(1, sum(ch.isalnum() for ch in text)) for text in texts]
    room = end - start - gap * max(0, len(texts) - 1)
    if not texts or room <= 0:
        raise ContentgenError(f"no room for {len(texts)} caption cues between {start:.3f} and {end:.3f} s")
    total = sum(weights)
    return cues_from_chunks([(t, room * w / total) for t, w in zip(texts, weights, strict=True)], start=start, gap=gap)


# ----------------------------------------------------------------------------------------------
# Subtitle files


def _timestamp(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def srt_text(cues: Sequence[Cue]) -> str:
    """Cues as SubRip text."""
    blocks = [
        f"{index}\n{_timestamp(cue.start, ',')} --> {_timestamp(cue.end, ',')}\n{cue.text.strip()}\n"
        for index, cue in enumerate(cues, start=1)
    ]
    return "\n".join(blocks)


def vtt_text(cues: Sequence[Cue]) -> str:
    """Cues as WebVTT text."""
    blocks = ["WEBVTT\n"]
    for cue in cues:
        body = cue.text.strip().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        blocks.append(f"{_timestamp(cue.start, '.')} --> {_timestamp(cue.end, '.')}\n{body}\n")
    return "\n".join(blocks)


def write_srt(cues: Sequence[Cue], path: Path) -> Path:
    """Write cues as an .srt file, atomically."""
    write_text_atomic(path, srt_text(cues))
    return path


def write_vtt(cues: Sequence[Cue], path: Path) -> Path:
    """Write cues as a .vtt file, atomically."""
    write_text_atomic(path, vtt_text(cues))
    return path
