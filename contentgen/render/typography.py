"""Poster typography: font stacks with fallback, CJK/Latin line breaking, fitting text to a box, drawing it.

Font stacks
    ``FontStack`` is the brand font first, then fallbacks. Each character is drawn by the first font
    whose cmap (read with fontTools) maps it; a character no font has raises ``GlyphError`` instead of
    drawing tofu. Whitespace is exempt (it joins the current run; one no font has becomes U+0020), and
    invisible format characters (variation selectors, joiners) that no font maps are dropped.
    Fonts load with Pillow's BASIC layout engine on purpose: Raqm's presence depends on the system's
    FriBiDi, and a layout that changes with the machine is not deterministic.

Line breaking (``break_lines``)
    * Break opportunities: between CJK characters (ideographs, kana, hangul, full-width forms, emoji),
      between CJK and Latin, after spaces, and after a hyphen or slash that joins two Latin words
      (``well-being``, ``and/or``; not ``3-5`` or ``24/7``). U+200B marks an invisible opportunity.
    * Never broken: a Latin word or number with everything glued to it (``SPF50+``, ``PA++++``, ``3.5``,
      ``50ml``, ``30%``); a currency sign and its number (``¥129``, ``$ 5``); a number and the unit or
      measure word after it, with or without a space (``12个月``, ``3天``, ``129 元``, ``3.5 oz``,
      ``3.4 fl oz``); ``第`` and its number; two em dashes (``——``); anything around U+00A0/U+2060.
    * Kinsoku: closing punctuation ``。，、；：！？）」』】〉》”’…`` (and their ASCII forms, ``%``, ``+``,
      ``·``), small kana and ``ー々`` never start a line; opening brackets and quotes ``（「『【〈《“‘(``
      and currency signs never end one. As these positions are not opportunities, the character
      before a closing mark moves down with it (oidashi); nothing hangs past the line.
    * Greedy fill; trailing spaces do not count toward the width and leading spaces are dropped.
      ``"\\n"`` (any line separator) is a hard break; blank lines are kept.
    * Last resort: an unbreakable piece wider than the line is started on a new line and cut by
      character (still avoiding kinsoku positions where it can); ``Lines.broke_word`` reports it.

Fitting (``fit_text``)
    Sizes go from ``max_size`` down by ``step`` to ``min_size`` (always tried). At each size the text is
    wrapped to the box width, so wrapping always comes before shrinking; a size fits when the line
    count is within ``max_lines``, ``line_height × lines`` is within the box height, and every line's
    advance *and ink* lies inside the box. The largest size that fits without cutting a word wins;
    failing that, the largest that fits at all; failing that, ``TextFitError``. Nothing is truncated.

Drawing (``draw_text``)
    Every line has one baseline: CSS-style half-leading on the primary font's ascent and descent at
    that size (``top + (line_height - ascent - descent) / 2 + ascent``), nudged only as far as needed
    to keep the first line's ink below the block top and the last line's above the block bottom.
    Every run, whatever its font, is drawn with ``anchor="ls"`` on that baseline and advanced by its
    ``getlength``, so fallback glyphs sit on the primary font's baseline, not on their own top.
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal, NamedTuple

from PIL import Image, ImageDraw, ImageFont

from contentgen.domain.brand import FontSpec
from contentgen.errors import ContentgenError
from contentgen.fonts import codepoints, resolve_font
from contentgen.render.cache import Table, register, serial
from contentgen.render.words import Segmenter, default_words

Align = Literal["left", "center", "right"]
Fill = float | tuple[int, ...] | str

#: Pillow layout engine for every font loaded here (see the module docstring).
LAYOUT_ENGINE = ImageFont.Layout.BASIC


class GlyphError(ContentgenError):
    """No font in the stack can draw some characters of the text."""

    def __init__(self, chars: Sequence[str], fonts: Sequence[Path]) -> None:
        self.chars, self.fonts = list(chars), list(fonts)
        shown = ", ".join(f"'{ch}' (U+{ord(ch):04X})" for ch in self.chars[:5])
        more = f" and {len(self.chars) - 5} more" if len(self.chars) > 5 else ""
        tried = ", ".join(path.name for path in self.fonts)
        super().__init__(f"no font can draw {shown}{more}; tried {tried}")


class TextFitError(ContentgenError):
    """The text does not fit its box at any allowed size."""

    def __init__(self, text: str, box: tuple[int, int], min_size: int, reason: str) -> None:
        self.text, self.box, self.min_size, self.reason = text, box, min_size, reason
        super().__init__(
            f"text '{_shorten(text)}' does not fit the {box[0]}×{box[1]} px box even at {min_size} px: {reason}"
        )


def _shorten(text: str, limit: int = 30) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# ----------------------------------------------------------------------------------------------
# Font stacks


@lru_cache(maxsize=256)
def _load_font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size, layout_engine=LAYOUT_ENGINE)


def _invisible(ch: str) -> bool:
    """Format characters and variation selectors: nothing to draw, safe to drop."""
    return unicodedata.category(ch) == "Cf" or "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef"


@dataclass(frozen=True)
class FontStack:
    """Font files, primary first, then fallbacks in order of preference."""

    fonts: tuple[Path, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "fonts", tuple(Path(p) for p in self.fonts))
        if not self.fonts:
            raise ValueError("a FontStack needs at least one font")

    @classmethod
    def from_specs(cls, specs: Iterable[FontSpec], kit_root: Path) -> FontStack:
        """The stack of the fonts the specs name (see ``contentgen.fonts.resolve_font``)."""
        return cls(tuple(resolve_font(spec, kit_root) for spec in specs))

    def font(self, size: int, index: int = 0) -> ImageFont.FreeTypeFont:
        """Font ``index`` of the stack at ``size`` px (cached per file and size)."""
        return _load_font(self.fonts[index], size)

    def index_of(self, ch: str) -> int | None:
        """The first font of the stack that maps ``ch``, or None."""
        return _first_font(self.fonts, ch)

    def runs(self, text: str) -> list[tuple[str, int]]:
        """``text`` split into (run, font index) by the first font that has each character."""
        out: list[tuple[str, int]] = []
        missing: dict[str, None] = {}
        for ch in text:
            index = self.index_of(ch)
            current = out[-1][1] if out else None
            if ch.isspace() or unicodedata.combining(ch):
                if current is not None and ord(ch) in codepoints(self.fonts[current]):
                    index = current  # keep a space or mark with the run it sits in
                elif index is None and ch.isspace():
                    index, ch = (current if current is not None else 0), " "
            if index is None:
                if not _invisible(ch):
                    missing.setdefault(ch)
                continue
            if out and out[-1][1] == index:
                out[-1] = (out[-1][0] + ch, index)
            else:
                out.append((ch, index))
        if missing:
            raise GlyphError(list(missing), self.fonts)
        return out


@lru_cache(maxsize=65536)
def _first_font(fonts: tuple[Path, ...], ch: str) -> int | None:
    code = ord(ch)
    return next((index for index, path in enumerate(fonts) if code in codepoints(path)), None)


@lru_cache(maxsize=64)
def _has_kern_table(path: Path) -> bool:
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), fontNumber=0, lazy=True)
    try:
        return "kern" in font
    finally:
        font.close()


@lru_cache(maxsize=256)
def _advances(path: Path, size: int) -> dict[str, float]:
    return {}


def _run_length(stack: FontStack, size: int, index: int, run: str) -> float:
    """``getlength`` of a run. The BASIC engine only kerns with a legacy 'kern' table; without one a
    run's length is exactly the sum of its characters' (hinted) advances, which are cached."""
    font, path = stack.font(size, index), stack.fonts[index]
    if _has_kern_table(path):
        return font.getlength(run)
    table = _advances(path, size)
    total = 0.0
    for ch in run:
        advance = table.get(ch)
        if advance is None:
            advance = table[ch] = font.getlength(ch)
        total += advance
    return total


def measure(text: str, stack: FontStack, size: int) -> float:
    """Advance width of ``text`` at ``size`` px, summed over its font runs."""
    return _measure(text, stack, size)


@lru_cache(maxsize=8192)
def _measure(text: str, stack: FontStack, size: int) -> float:
    return sum(_run_length(stack, size, index, run) for run, index in stack.runs(text))


# ----------------------------------------------------------------------------------------------
# Line breaking

_OPEN = frozenset("([{（［｛〔〈《「『【〖〘〚“‘«‹｟")
_CLOSE = frozenset(")]}）］｝〕〉》」』】〗〙〛”’»›｠、。，．,.：；:;！？!?…‥·・〜～%％‰‱℃℉°′″+＋")
_SMALL = frozenset("ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ") | frozenset(
    "ㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿｧｨｩｪｫｯｬｭｮーｰ々〻ゝゞヽヾ"
)
#: Characters that may not start a line / may not end one.
NO_LINE_START = _CLOSE | _SMALL
NO_LINE_END = _OPEN | frozenset("$¥￥€£￡₩₹₽฿₫¢￠＄")

_CURRENCY = NO_LINE_END - _OPEN
_DASHES = frozenset("—―")
_HYPHENS = frozenset("-/‐")
_GLUE = frozenset("\u00a0\u2007\u202f\u2060\ufeff")
_ZWSP = "\u200b"
_REMOVE = str.maketrans("", "", "\u200b\u2060\ufeff")

_CJK_RANGES = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x2600, 0x27BF),  # symbols and dingbats (emoji-like)
    (0x2E80, 0x2FFF),  # radicals, description characters
    (0x3000, 0x33FF),  # CJK punctuation, kana, bopomofo, hangul compatibility, enclosed
    (0x3400, 0x4DBF),  # Extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xA960, 0xA97F),
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE30, 0xFE4F),  # compatibility forms
    (0xFF00, 0xFFEF),  # full-width and half-width forms
    (0x16FE0, 0x1B2FF),  # kana supplements
    (0x1F000, 0x1FAFF),  # emoji and pictographs
    (0x20000, 0x3FFFF),  # Extensions B and later
)

#: Units and measure words kept with the number before them, longest first.
_CJK_UNITS = tuple(
    sorted(
        [
            *("个工作日", "工作日", "个小时", "个月", "小时", "分钟", "毫升", "毫克", "千克", "公斤", "公里"),
            *("厘米", "毫米", "平方米", "周年"),
            *"年月日天周时分秒个件瓶支盒袋片包粒颗只双套份张本杯罐箱元块角折倍克斤升米寸号色款期次人位岁层度码",
            *"万亿千百条台部种名家项步级星成毛",
        ],
        key=len,
        reverse=True,
    )
)
_LATIN_UNITS = frozenset(
    {
        *("ml", "l", "g", "kg", "mg", "oz", "fl", "lb", "lbs", "cm", "mm", "m", "km", "in", "ft", "ct", "count"),
        *("mah", "v", "w", "kw", "gb", "tb", "mb", "pcs", "pc", "pack", "packs", "x", "%", "°c", "°f"),
        *("h", "hr", "hrs", "min", "mins", "s", "sec", "secs", "day", "days", "week", "weeks"),
        *("month", "months", "mo", "year", "years", "yr", "yrs"),
    }
)


class Lines(list[str]):
    """Wrapped lines; ``broke_word`` is True when a word had to be cut by character."""

    broke_word: bool = False


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9" or "０" <= ch <= "９"


def _is_latin_letter(ch: str) -> bool:
    return ch.isalpha() and not _is_cjk(ch)


def _unit_end(p: str, i: int) -> int:
    """End of the unit or measure-word chain (at most two) starting at ``p[i]``, or ``i`` if none."""
    end = i
    for _ in range(2):
        match = next((u for u in _CJK_UNITS if p.startswith(u, end)), None)
        if match is None:
            break
        end += len(match)
    if end > i:
        return end
    word_end = i
    while word_end < len(p) and not p[word_end].isspace() and not _is_cjk(p[word_end]):
        word_end += 1
    if p[i:word_end].rstrip(".,;:!?)").lower() in _LATIN_UNITS:
        return word_end
    return i


#: The word breaker in use (a kit's, set by ``use_words``); ``None``: jieba's own dictionary.
_WORDS: ContextVar[Segmenter | None] = ContextVar("contentgen_words", default=None)


@contextmanager
def use_words(words: Segmenter | None) -> Iterator[None]:
    """Within the block, text is broken by ``words`` (a kit's breaker, see ``contentgen.render.words``)."""
    token = _WORDS.set(words)
    try:
        yield
    finally:
        _WORDS.reset(token)


def current_words() -> Segmenter:
    """The breaker ``use_words`` set, or the default one."""
    return _WORDS.get() or default_words()


def _allowed(p: str, words: Segmenter | None = None) -> Sequence[bool]:
    """``allowed[i]``: a line may break before ``p[i]`` (never inside a word of ``words``)."""
    words = words or current_words()
    key = (p, serial(words))
    found: tuple[bool, ...] | None = _OPPORTUNITIES.get(key)
    if found is None:
        found = _break_opportunities(p, words)
        _OPPORTUNITIES.put(key, found)
    return found


_OPPORTUNITIES = Table(8192)
"""``_allowed`` by (paragraph, breaker): the same at every size the fitter tries."""


def _break_opportunities(p: str, words: Segmenter) -> tuple[bool, ...]:
    n = len(p)
    space = [(ch.isspace() and ch not in _GLUE) or ch == _ZWSP for ch in p]
    wide = [_is_cjk(ch) for ch in p]
    allowed = [False] * (n + 1)
    for i in range(1, n):
        a, b = p[i - 1], p[i]
        if space[i] or b in NO_LINE_START or b in _GLUE or a in _GLUE:
            continue
        if space[i - 1]:
            j = i - 1
            while j >= 0 and space[j]:
                j -= 1
            allowed[i] = j < 0 or p[j] not in NO_LINE_END
        elif a in NO_LINE_END or (a in _DASHES and b in _DASHES):
            continue
        elif wide[i - 1] or wide[i] or a in _DASHES or b in _DASHES:
            allowed[i] = True
        elif a in _HYPHENS:
            allowed[i] = i >= 2 and (_is_latin_letter(p[i - 2]) or _is_digit(p[i - 2])) and _is_latin_letter(b)
    # numbers keep their units and measure words; 第 keeps its number
    for i in range(1, n):
        if _is_digit(p[i]) and p[i - 1] == "第":
            allowed[i] = False
        if not _is_digit(p[i - 1]) or _is_digit(p[i]):
            continue
        start = i
        while start < n and p[start] in " \u3000":
            start += 1
        if start == n or (start > i + 1):
            continue
        end = _unit_end(p, start)
        if end == start:
            continue
        for k in range(i, end):
            allowed[k] = False
        if p[start:end].lower() == "fl" and p.startswith(" oz", end):
            allowed[end + 1] = False
    for i in words.inside(p):
        allowed[i] = False
    return tuple(allowed)


def _force_break(piece: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Cut an unbreakable piece by character; the last part is left open for what follows."""
    parts: list[str] = []
    start = 0
    while True:
        end = start + 1
        while end < len(piece) and measure(piece[start : end + 1].rstrip()) <= width:
            end += 1
        if end >= len(piece):
            parts.append(piece[start:])
            return parts
        cut = end
        while cut > start + 1 and (piece[cut] in NO_LINE_START or piece[cut - 1] in NO_LINE_END):
            cut -= 1
        if piece[cut] in NO_LINE_START or piece[cut - 1] in NO_LINE_END:
            cut = end  # no clean cut on this line: keep the width, break the rule
        parts.append(piece[start:cut].rstrip())
        start = cut
        while start < len(piece) and piece[start].isspace():
            start += 1
        if start >= len(piece):
            parts.append("")
            return parts


def break_lines(text: str, width: float, measure: Callable[[str], float], words: Segmenter | None = None) -> Lines:
    """Wrap ``text`` to ``width`` (in ``measure``'s units) by the rules in the module docstring."""
    return _wrap(text, width, measure, None, words)


#: A break after these ends a phrase; a line is cut there rather than at the last word that fits.
PHRASE_END = frozenset("，。、；：！？…—,;:!?)）」』】》〉”’")
_PHRASE_FILL = 0.6  # ... when the line is at least this full at the phrase end


def _phrase_cut(parts: list[str], width: float, measure: Callable[[str], float]) -> int:
    """Index into ``parts`` (a full line's segments) after the last phrase end, or 0 for none worth it."""
    for k in range(len(parts) - 1, 0, -1):
        head = "".join(parts[:k]).rstrip()
        if head and head[-1] in PHRASE_END:
            return k if measure(head) >= _PHRASE_FILL * width else 0
    return 0


def _wrap(
    text: str,
    width: float,
    measure: Callable[[str], float],
    limit: int | None,
    words: Segmenter | None = None,
) -> Lines:
    """``break_lines``, giving up (returning ``limit + 1`` lines or more) once more than ``limit`` are needed."""
    lines = Lines()
    for paragraph in text.strip().splitlines():
        if limit is not None and len(lines) > limit:
            break
        allowed = _allowed(paragraph, words)
        cuts = [0, *(i for i in range(1, len(paragraph)) if allowed[i]), len(paragraph)]
        current = ""
        parts: list[str] = []
        for start, end in itertools.pairwise(cuts):
            if limit is not None and len(lines) > limit:
                break
            segment = paragraph[start:end].translate(_REMOVE)
            if current.strip() and measure((current + segment).rstrip()) <= width:
                current += segment
                parts.append(segment)
                continue
            if current.strip():
                k = _phrase_cut(parts, width, measure)
                rest = "".join(parts[k:]).lstrip() if k else ""
                if k and measure((rest + segment).rstrip()) <= width:
                    lines.append("".join(parts[:k]).rstrip())
                    current, parts = rest + segment, [rest, segment]
                    continue
                lines.append(current.rstrip())
            piece = segment.lstrip()
            parts = [piece]
            if not piece.strip() or measure(piece.rstrip()) <= width:
                current = piece
                continue
            lines.broke_word = True
            *full, current = _force_break(piece, width, measure)
            parts = [current]
            lines.extend(full)
        lines.append(current.rstrip())
    return lines


# ----------------------------------------------------------------------------------------------
# Layout, fitting and drawing


class _LineLayout(NamedTuple):
    pieces: tuple[tuple[str, int, int], ...]  # (run, font index, x from the line start)
    advance: int
    ink: tuple[int, int, int, int] | None  # relative to (line start, baseline)

    @property
    def left(self) -> int:
        """How far ink reaches left of the line start (0 or negative)."""
        return min(0, self.ink[0]) if self.ink else 0

    @property
    def span(self) -> int:
        """Width the line needs: advance and ink together."""
        return max(self.advance, self.ink[2] if self.ink else 0) - self.left


@lru_cache(maxsize=4096)
def _layout_line(line: str, stack: FontStack, size: int) -> _LineLayout:
    pieces: list[tuple[str, int, int]] = []
    boxes: list[tuple[int, int, int, int]] = []
    pen = 0.0
    for run, index in stack.runs(line):
        font = stack.font(size, index)
        x = round(pen)
        pieces.append((run, index, x))
        if run.strip():
            x0, y0, x1, y1 = font.getbbox(run, anchor="ls")
            boxes.append((x + int(x0), int(y0), x + int(x1), int(y1)))
        pen += _run_length(stack, size, index, run)
    ink = (
        (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
        if boxes
        else None
    )
    return _LineLayout(tuple(pieces), math.ceil(pen), ink)


def _first_baseline(layouts: Sequence[_LineLayout], stack: FontStack, size: int, line_height: int) -> int:
    """Baseline of the first line, from the block top (half-leading, kept clear of the block edges)."""
    ascent, descent = stack.font(size).getmetrics()
    baseline = round((line_height - ascent - descent) / 2 + ascent)
    first = layouts[0].ink if layouts else None
    last = layouts[-1].ink if layouts else None
    if last is not None:
        baseline = min(baseline, line_height - last[3])
    if first is not None:
        baseline = max(baseline, -first[1])
    return baseline


@dataclass(frozen=True)
class TextBlock:
    """Wrapped text at one size, ready for ``draw_text``."""

    lines: list[str]
    size: int
    line_height: int
    width: int
    height: int
    broke_word: bool


def _sizes(max_size: int, min_size: int, step: int) -> list[int]:
    sizes = list(range(max_size, min_size - 1, -step))
    if sizes[-1] != min_size:
        sizes.append(min_size)
    return sizes


def _try_size(
    text: str, stack: FontStack, box: tuple[int, int], size: int, max_lines: int | None, line_spacing: float
) -> TextBlock | str:
    """The block at this size, or why it does not fit."""
    box_w, box_h = box
    line_height = max(1, round(size * line_spacing))
    room = box_h // line_height
    if room == 0:
        return f"one {line_height} px line is taller than the box"
    limit = room if max_lines is None else min(max_lines, room)
    lines = _wrap(text, box_w, lambda s: _measure(s, stack, size), limit)
    if len(lines) > limit:
        if limit == max_lines:
            return f"needs more than max_lines={max_lines} lines"
        return f"needs more than the {room} line{'s' * (room > 1)} of {line_height} px the box holds"
    layouts = [_layout_line(line, stack, size) for line in lines]
    for line, layout in zip(lines, layouts, strict=True):
        if layout.span > box_w:
            return f"'{_shorten(line, 16)}' is {layout.span} px wide"
    last = layouts[-1].ink if layouts else None
    if last is not None:  # the first line's ink is inside by construction, the last line's may not be
        baseline = _first_baseline(layouts, stack, size, line_height)
        if (len(lines) - 1) * line_height + baseline + last[3] > box_h:
            return f"glyphs are taller than the {line_height} px line"
    width = max((layout.span for layout in layouts), default=0)
    return TextBlock(list(lines), size, line_height, width, line_height * len(lines), lines.broke_word)


def fit_text(
    text: str,
    stack: FontStack,
    box: tuple[int, int],
    *,
    max_size: int,
    min_size: int,
    step: int = 2,
    max_lines: int | None = None,
    line_spacing: float = 1.25,
) -> TextBlock:
    """The largest size (``max_size`` down to ``min_size``) at which ``text``, wrapped, fits ``box``.

    Sizes that need no word cut by character are preferred. Raises ``GlyphError`` when no font draws a
    character, ``TextFitError`` when no size fits.
    """
    if not 1 <= min_size <= max_size or step < 1:
        raise ValueError(f"need 1 <= min_size <= max_size and step >= 1, got {min_size}, {max_size}, {step}")
    if max_lines is not None and max_lines < 1:
        raise ValueError("max_lines must be at least 1")
    if box[0] <= 0 or box[1] <= 0:
        raise TextFitError(text, box, min_size, "the box is empty")
    stack.runs(text)  # unknown characters fail first, whatever the size
    words = current_words()
    key = (text, stack, box, max_size, min_size, step, max_lines, line_spacing, serial(words))
    fitted: TextBlock | str | None = _FITTED.get(key)
    if fitted is None:
        fitted = _fit(text, stack, box, max_size, min_size, step, max_lines, line_spacing)
        _FITTED.put(key, fitted)
    if isinstance(fitted, str):
        raise TextFitError(text, box, min_size, fitted)
    return replace(fitted, lines=list(fitted.lines))  # the caller's own list


_FITTED = Table(4096)
"""``fit_text``'s result by its arguments and the breaker in use: the same text in the same box fits the same way."""


def _fit(
    text: str,
    stack: FontStack,
    box: tuple[int, int],
    max_size: int,
    min_size: int,
    step: int,
    max_lines: int | None,
    line_spacing: float,
) -> TextBlock | str:
    """``fit_text``'s block, or why no size fits (with the breaker ``current_words`` gives)."""
    fallback: TextBlock | None = None
    reason = ""
    for size in _sizes(max_size, min_size, step):
        result = _try_size(text, stack, box, size, max_lines, line_spacing)
        if isinstance(result, str):
            reason = result
        elif not result.broke_word:
            return result
        elif fallback is None:
            fallback = result
    return fallback if fallback is not None else reason


for _cache in (_load_font, _first_font, _advances, _measure, _layout_line):
    register(_cache)


def draw_text(
    image: Image.Image,
    block: TextBlock,
    stack: FontStack,
    origin: tuple[int, int],
    fill: Fill,
    *,
    align: Align = "left",
    box_width: int | None = None,
) -> list[tuple[int, int, int, int]]:
    """Draw ``block`` with its top-left at ``origin``; returns each line's bounding box in image pixels.

    A line's box is Pillow's glyph box for its runs: ink top to ink bottom, pen start (or ink, if it
    reaches further) to the last glyph's ink or advance. Lines are aligned within ``box_width``
    (default: the block width). A blank line's box is empty (zero width and height, on its baseline).
    """
    if align not in ("left", "center", "right"):
        raise ValueError(f"align must be left, center or right, not {align!r}")
    draw = ImageDraw.Draw(image)
    layouts = [_layout_line(line, stack, block.size) for line in block.lines]
    baseline = origin[1] + _first_baseline(layouts, stack, block.size, block.line_height)
    room = block.width if box_width is None else box_width
    boxes: list[tuple[int, int, int, int]] = []
    for layout in layouts:
        free = room - layout.span
        shift = 0 if align == "left" else free if align == "right" else free // 2
        start = origin[0] + shift - layout.left
        for run, index, x in layout.pieces:
            draw.text((start + x, baseline), run, fill=fill, font=stack.font(block.size, index), anchor="ls")
        if layout.ink is None:
            boxes.append((start, baseline, start, baseline))
        else:
            x0, y0, x1, y1 = layout.ink
            boxes.append((start + x0, baseline + y0, start + x1, baseline + y1))
        baseline += block.line_height
    return boxes
