"""OCR read-back of rendered text (RapidOCR: PP-OCRv4 Chinese+English ONNX models, CPU, offline).

A rendered poster is checked by reading each text box back and comparing with what was meant to be
there (``char_error_rate``). ``OcrReader`` loads the models once, on first use, and serialises calls.

Reading a box: the box is cropped (it should enclose the glyphs' ink, e.g. from ``ImageDraw.textbbox``;
nothing outside it is read, so text clipped by the layout reads as clipped), upscaled when its text
is shorter than ``min_text_px`` (the recogniser works on 48 px high lines and detection misses very
small text), given a ``pad`` px margin of the crop's own background colour (detection needs a margin,
and padding with image content would read neighbouring elements), then detected and recognised. A
crop holding one band of ink rows (a single line) skips detection and goes straight to the recogniser,
about twice as fast; a low-confidence single-line read falls back to detection. Lines are ordered top
to bottom, then left to right within a line; segments of a line are joined by a space, lines by a
newline.

``read_boxes`` is the fast path for known text boxes: each box's lines are cut out, scaled once to the
recogniser's 48 px line height, sorted by width and run through the recogniser's ONNX session in
batches of similar widths (little padding), without RapidOCR's detector or its 320 px minimum width.
"""

from __future__ import annotations

import math
import threading
import unicodedata
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps

from contentgen.errors import ProviderError

Box: TypeAlias = tuple[int, int, int, int]
"""(left, top, right, bottom) in pixels, right and bottom exclusive (Pillow's crop convention)."""

MIN_TEXT_PX = 32
"""Crops whose text lines are shorter than this are upscaled to it."""
MAX_UPSCALE = 6.0
REC_HEIGHT = 48
"""The recogniser's input line height (PP-OCRv4 rec, ``rec_img_shape`` 3×48×W)."""
BATCH_SPREAD = 1.25
"""Lines share a recogniser batch while the widest is at most this many times the narrowest (padding bound)."""
MAX_BATCH = 32


@dataclass(frozen=True)
class OcrLine:
    """One detected text segment, in the coordinates of the image given to ``read_lines``."""

    text: str
    score: float
    box: tuple[float, float, float, float]
    """(left, top, right, bottom) of the detected quadrilateral's bounding box."""


class OcrReader:
    """Reads text from rendered images; safe to share between threads (calls are serialised).

    The RapidOCR engine (about 1 s to load, ~15 MB of models inside the wheel) is created on first use.
    Detection runs with ``limit_type="max"`` so a crop is never blown up to a 736 px short side (the
    package default, which makes a one-line crop take seconds); the angle classifier is off by default
    because rendered poster text is upright (``use_cls=True`` turns it on for 180-degree text).
    """

    def __init__(
        self,
        *,
        min_text_px: int = MIN_TEXT_PX,
        use_cls: bool = False,
        min_score: float = 0.5,
        threads: int | None = None,
    ) -> None:
        self.min_text_px = min_text_px
        self.use_cls = use_cls
        self.min_score = min_score
        self.threads = threads
        """onnxruntime intra-op threads per model (None: onnxruntime's default, one per physical core); give
        1 when several processes read back at once, so they do not oversubscribe the cores."""
        self._engine: Any = None
        self._recogniser: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        # Called with self._lock held.
        if self._engine is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:
                raise ProviderError(
                    "OCR read-back needs the 'rapidocr-onnxruntime' package (a contentgen dependency): "
                    f"pip install rapidocr-onnxruntime ({exc})"
                ) from exc
            try:
                threads = {} if self.threads is None else {"intra_op_num_threads": self.threads}
                self._engine = RapidOCR(det_limit_type="max", text_score=self.min_score, **threads)
            except Exception as exc:  # model file missing or unreadable, onnxruntime failure
                raise ProviderError(f"could not load the RapidOCR models: {type(exc).__name__}: {exc}") from exc
        return self._engine

    def _rec_session(self) -> Any:
        """The recogniser's own onnxruntime session (called with self._lock held): the same PP-OCRv4 model as the
        engine's, with `threads` intra-op threads and no spin-waiting between runs (many small batches on a
        busy machine spin away the time of other processes)."""
        if self._recogniser is None:
            import onnxruntime as ort  # type: ignore[import-untyped]
            import rapidocr_onnxruntime

            path = Path(rapidocr_onnxruntime.__file__).parent / "models" / "ch_PP-OCRv4_rec_infer.onnx"
            options = ort.SessionOptions()
            options.log_severity_level = 4
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            if self.threads is not None:
                options.intra_op_num_threads = self.threads
            try:
                self._recogniser = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            except Exception as exc:  # model file missing or unreadable, onnxruntime failure
                raise ProviderError(f"could not load the OCR recogniser {path}: {type(exc).__name__}: {exc}") from exc
        return self._recogniser

    def load(self) -> None:
        """Load the models now (they are otherwise loaded by the first read)."""
        with self._lock:
            self._load()

    def alphabet(self) -> frozenset[str]:
        """The characters the recogniser can output; others can never read back exactly."""
        with self._lock:
            engine = self._load()
        return frozenset(engine.text_rec.postprocess_op.character)

    def read_lines(self, image: Image.Image, box: Box | None = None, pad: int = 8) -> list[OcrLine]:
        """The text segments in `box` (default: the whole image), in reading order, in image coordinates."""
        crop, origin = _crop(image, box)
        background = _border_colour(crop)
        counts = _ink_rows(crop, background)
        runs = _ink_runs(counts, crop.width)
        # Line height: the median band, ignoring fragments under half the tallest (the strokes of 一 二 三).
        heights = [bottom - top for top, bottom in runs]
        heights = [h for h in heights if h * 2 >= max(heights)] if heights else [crop.height]
        height = int(np.median(heights))
        scale = min(MAX_UPSCALE, self.min_text_px / height) if height < self.min_text_px else 1.0
        if scale > 1.0:
            crop = crop.resize(
                (max(1, round(crop.width * scale)), max(1, round(crop.height * scale))), Image.Resampling.LANCZOS
            )
        margin = max(0, round(pad * scale))
        if margin:
            crop = ImageOps.expand(crop, border=margin, fill=background)
        bgr = np.ascontiguousarray(np.asarray(crop)[:, :, ::-1])

        def to_image(xs: npt.NDArray[np.float64], ys: npt.NDArray[np.float64]) -> tuple[float, float, float, float]:
            xs = (xs - margin) / scale + origin[0]
            ys = (ys - margin) / scale + origin[1]
            return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())

        with self._lock:
            engine = self._load()
            if _single_line(counts, runs):
                # One line of ink: recognise the crop directly (about half the time of detect + recognise);
                # a low-confidence read falls back to the full pipeline below.
                rec, _ = engine(bgr, use_det=False, use_cls=False)
                if rec:
                    text, score = str(rec[0][0]).strip(), float(rec[0][1])
                    if text and score >= self.min_score:
                        xs = np.array([margin, crop.width - margin], dtype=np.float64)
                        ys = np.array([margin, crop.height - margin], dtype=np.float64)
                        return [OcrLine(text=text, score=score, box=to_image(xs, ys))]
            result, _ = engine(bgr, use_cls=self.use_cls)
        lines: list[OcrLine] = []
        for quad, text, score in result or []:
            pts = np.asarray(quad, dtype=np.float64)
            if str(text).strip():
                lines.append(OcrLine(text=str(text).strip(), score=float(score), box=to_image(pts[:, 0], pts[:, 1])))
        return _reading_order(lines)

    def read(self, image: Image.Image, box: Box | None = None, pad: int = 8) -> str:
        """The text in `box` (default: the whole image): segments joined by spaces, lines by newlines."""
        return join_lines(self.read_lines(image, box, pad))

    def read_many(self, image: Image.Image, boxes: Iterable[Box], pad: int = 8) -> list[str]:
        """``read`` for each box, in order (one batched recognition, see ``read_boxes``)."""
        return self.read_boxes([(image, box) for box in boxes], pad)

    def _line_crops(self, image: Image.Image, box: Box, pad: int) -> list[npt.NDArray[np.uint8]] | None:
        """The box's text lines as recogniser inputs (BGR), or None when its lines cannot be told apart."""
        crop, _ = _crop(image, box)
        background = _border_colour(crop)
        counts = _ink_rows(crop, background)
        runs = _ink_runs(counts, crop.width)
        if not runs:
            return None
        tallest = max(bottom - top for top, bottom in runs)
        bands: list[list[int]] = []
        for top, bottom in runs:  # fragments under half the tallest (the strokes of 一 二 三) join a neighbour
            small = (bottom - top) * 2 < tallest or (bool(bands) and (bands[-1][1] - bands[-1][0]) * 2 < tallest)
            if bands and small and top - bands[-1][1] < tallest // 3:
                bands[-1][1] = bottom
            else:
                bands.append([top, bottom])
        line_height = min(bottom - top for top, bottom in bands if (bottom - top) * 2 >= tallest)
        if any(bottom - top > 1.6 * line_height for top, bottom in bands):
            return None  # two lines set solid: leave it to detection
        ink = np.abs(np.asarray(crop).astype(np.int16) - np.array(background, dtype=np.int16)).max(axis=2) > 48
        out = []
        for top, bottom in bands:
            columns = np.flatnonzero(ink[top:bottom].any(axis=0))  # the line's own ink, not the empty rest
            left, right = (int(columns[0]), int(columns[-1]) + 1) if columns.size else (0, crop.width)
            edges = (max(0, left - 2), max(0, top - 2), min(crop.width, right + 2), min(crop.height, bottom + 2))
            line = crop.crop(edges)
            height = max(1, bottom - top)
            scale = min(MAX_UPSCALE, self.min_text_px / height) if height < self.min_text_px else 1.0
            if scale > 1.0:
                line = line.resize(
                    (max(1, round(line.width * scale)), max(1, round(line.height * scale))), Image.Resampling.LANCZOS
                )
            margin = max(0, round(pad * scale))
            if margin:
                line = ImageOps.expand(line, border=margin, fill=background)
            out.append(np.ascontiguousarray(np.asarray(line.convert("RGB"))[:, :, ::-1]))
        return out

    def read_boxes(self, items: Sequence[tuple[Image.Image, Box]], pad: int = 8) -> list[str]:
        """The text of each (image, box), recognition only: each box's ink bands (its lines) are cut out and
        recognised in one batch across all the boxes given (of one poster or many). A box whose lines touch,
        or a line read with low confidence, falls back to ``read`` (detection and recognition)."""
        crops = [self._line_crops(image, box, pad) for image, box in items]
        flat = [_rec_input(line) for lines in crops if lines for line in lines]
        with self._lock:
            engine = self._load()
            run = self._rec_session()
            name = run.get_inputs()[0].name
            recognised = _recognise(lambda batch: run.run(None, {name: batch})[0], engine.text_rec.postprocess_op, flat)
        out: list[str] = []
        cursor = 0
        for (image, box), lines in zip(items, crops, strict=True):
            if lines is None:
                out.append(self.read(image, box, pad))
                continue
            reads = recognised[cursor : cursor + len(lines)]
            cursor += len(lines)
            texts = [str(r[0]).strip() for r in reads]
            if any(float(r[1]) < self.min_score or not t for r, t in zip(reads, texts, strict=True)):
                out.append(self.read(image, box, pad))
            else:
                out.append("\n".join(texts))
        return out


def _rec_input(line: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    """A BGR line crop as the recogniser's input: scaled once to ``REC_HEIGHT`` (area-averaged when shrunk),
    channels first, values in [-1, 1] (PP-OCR's normalisation), at its own width."""
    import cv2

    height, width = line.shape[:2]
    new_width = max(1, math.ceil(REC_HEIGHT * width / height))
    interpolation = cv2.INTER_AREA if height > REC_HEIGHT else cv2.INTER_LINEAR
    resized = cv2.resize(line, (new_width, REC_HEIGHT), interpolation=interpolation)
    return np.asarray(resized.transpose(2, 0, 1), dtype=np.float32) * np.float32(2 / 255) - np.float32(1)


def _recognise(
    run: Callable[[npt.NDArray[np.float32]], Any],
    decode: Callable[[Any], Any],
    inputs: Sequence[npt.NDArray[np.float32]],
) -> list[tuple[str, float]]:
    """(text, score) for each prepared line (``_rec_input``): lines sorted by width, one session run per
    batch of similar widths (``BATCH_SPREAD``, ``MAX_BATCH``), padded on the right with zeros (mid-grey, as
    PP-OCR pads), decoded by `decode` (the recogniser's own CTC decoder)."""
    order = sorted(range(len(inputs)), key=lambda i: inputs[i].shape[2])
    out: list[tuple[str, float]] = [("", 0.0)] * len(inputs)
    start = 0
    while start < len(order):
        end = start + 1
        limit = inputs[order[start]].shape[2] * BATCH_SPREAD
        while end < len(order) and end - start < MAX_BATCH and inputs[order[end]].shape[2] <= limit:
            end += 1
        chosen = order[start:end]
        batch = np.zeros((len(chosen), 3, REC_HEIGHT, inputs[chosen[-1]].shape[2]), dtype=np.float32)
        for row, i in enumerate(chosen):
            batch[row, :, :, : inputs[i].shape[2]] = inputs[i]
        decoded = decode(run(batch))
        for i, (text, score) in zip(chosen, decoded, strict=True):
            out[i] = (str(text), float(score))
        start = end
    return out


def join_lines(segments: Sequence[OcrLine]) -> str:
    """Segments (already in reading order) as text: a newline where a new line starts, else a space."""
    if not segments:
        return ""
    rows = _rows(list(segments))
    return "\n".join(" ".join(seg.text for seg in row) for row in rows)


def _rows(segments: list[OcrLine]) -> list[list[OcrLine]]:
    """Group segments into lines: a segment joins the current line when its vertical centre lies within it."""
    rows: list[list[OcrLine]] = []
    for seg in sorted(segments, key=lambda s: ((s.box[1] + s.box[3]) / 2, s.box[0])):
        centre = (seg.box[1] + seg.box[3]) / 2
        if rows:
            top = min(s.box[1] for s in rows[-1])
            bottom = max(s.box[3] for s in rows[-1])
            if top <= centre <= bottom:
                rows[-1].append(seg)
                continue
        rows.append([seg])
    return [sorted(row, key=lambda s: s.box[0]) for row in rows]


def _reading_order(segments: list[OcrLine]) -> list[OcrLine]:
    return [seg for row in _rows(segments) for seg in row]


def _crop(image: Image.Image, box: Box | None) -> tuple[Image.Image, tuple[int, int]]:
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    if box is None:
        return rgb, (0, 0)
    left, top = max(0, int(box[0])), max(0, int(box[1]))
    right, bottom = min(rgb.width, int(box[2])), min(rgb.height, int(box[3]))
    if right <= left or bottom <= top:
        raise ValueError(f"box {box} is empty or outside the {rgb.width}x{rgb.height} image")
    return rgb.crop((left, top, right, bottom)), (left, top)


def _border_colour(crop: Image.Image) -> tuple[int, int, int]:
    """Median colour of the crop's outermost pixels: its background, for text boxes."""
    arr = np.asarray(crop)
    edge = np.concatenate([arr[0], arr[-1], arr[:, 0], arr[:, -1]])
    r, g, b = (int(v) for v in np.median(edge, axis=0))
    return r, g, b


def _ink_rows(crop: Image.Image, background: tuple[int, int, int]) -> npt.NDArray[np.intp]:
    """Per row, how many pixels hold ink (differ from the background colour by more than 48 in a channel)."""
    arr = np.asarray(crop).astype(np.int16)
    ink = np.abs(arr - np.array(background, dtype=np.int16)).max(axis=2) > 48
    return np.asarray(ink.sum(axis=1), dtype=np.intp)


def _ink_runs(counts: npt.NDArray[np.intp], width: int) -> list[tuple[int, int]]:
    """(top, bottom) of each band of rows holding ink, from per-row ink counts.

    Gaps of up to 2 rows are bridged (anti-aliasing speckle); bands under 3 rows are ignored as noise.
    """
    rows = (counts >= max(1, width // 400)).tolist()
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for y, has_ink in enumerate([*rows, False]):
        if has_ink and start is None:
            start = runs.pop()[0] if runs and y - runs[-1][1] <= 2 else y
        elif not has_ink and start is not None:
            runs.append((start, y))
            start = None
    return [(top, bottom) for top, bottom in runs if bottom - top >= 3]


def _single_line(counts: npt.NDArray[np.intp], runs: list[tuple[int, int]]) -> bool:
    """One band of ink with no near-empty rows in its middle third (two lines set solid touch, but the
    rows where they meet hold little ink; a single line is dense across its middle)."""
    if len(runs) != 1:
        return False
    top, bottom = runs[0]
    band = counts[top:bottom]
    height = bottom - top
    middle = band[int(height * 0.33) : max(int(height * 0.67), int(height * 0.33) + 1)]
    return bool(middle.min() >= 0.15 * float(np.median(band)))


# --- character error rate -------------------------------------------------------------------------------

# Punctuation NFKC leaves alone, mapped to the ASCII that OCR and half-width typing produce.
_PUNCT = str.maketrans(
    {
        "。": ".",
        "．": ".",
        "、": ",",
        "，": ",",
        "·": ".",
        "・": ".",
        "“": '"',
        "”": '"',
        "„": '"',
        "「": '"',
        "」": '"',
        "『": '"',
        "』": '"',
        "‘": "'",
        "’": "'",
        "《": "<",
        "》": ">",
        "〈": "<",
        "〉": ">",
        "【": "[",
        "】": "]",
        "〔": "[",
        "〕": "]",
        "〖": "[",
        "〗": "]",
        "—": "-",
        "–": "-",
        "―": "-",
        "‐": "-",
        "‑": "-",
        "−": "-",
        "～": "~",
        "〜": "~",
        "￥": "¥",
    }
)


def normalise_text(text: str) -> str:
    """Text as compared by ``char_error_rate``: NFKC (full-width letters, digits and ASCII punctuation
    become half-width, '…' becomes '...'), CJK punctuation mapped to its ASCII look-alike, case folded,
    all whitespace removed. Punctuation itself is kept and compared."""
    text = unicodedata.normalize("NFKC", text).translate(_PUNCT).casefold()
    return "".join(ch for ch in text if not ch.isspace())


def edit_distance(a: str, b: str, wildcards: Container[str] = ()) -> int:
    """Levenshtein distance from `a` to `b` (insert, delete, substitute; each costs 1), two rows.

    A character of `a` in `wildcards` matches anything and may also be dropped for free: it stands for
    a character the recogniser cannot output, so whatever it read there is not an error.
    """
    if not b:
        return sum(ch not in wildcards for ch in a)
    previous = list(range(len(b) + 1))
    for ca in a:
        free = ca in wildcards
        current = [previous[0] + (not free)]
        for j, cb in enumerate(b, 1):
            current.append(
                min(previous[j] + (not free), current[j - 1] + 1, previous[j - 1] + (0 if free else ca != cb))
            )
        previous = current
    return previous[-1]


def char_error_rate(expected: str, got: str, unreadable: Container[str] = ()) -> float:
    """Edit distance between the normalised texts (``normalise_text``) divided by the normalised
    expected length. 0 is a perfect read; it exceeds 1 when OCR adds more than was expected. An empty
    expected text scores 0 against an empty read and 1 against anything else.

    Characters in `unreadable` (outside the recogniser's alphabet, see ``OcrReader.alphabet``) match
    whatever was read in their place and do not count toward the length.
    """
    want, have = normalise_text(expected), normalise_text(got)
    length = sum(ch not in unreadable for ch in want)
    if not want:
        return 0.0 if not have else 1.0
    if not length:  # nothing it could read: no evidence either way
        return 0.0
    return edit_distance(want, have, unreadable) / length
