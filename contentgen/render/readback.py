"""OCR read-back of a rendered poster: every text element is read again and scored by character error rate.

A text element that does not read back (CER above ``MAX_CER``, see ``reads_back``) blocks the poster.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from contentgen.domain.findings import Finding, Severity
from contentgen.render.poster_model import Box, PosterResult

if TYPE_CHECKING:
    from contentgen.render.ocr import OcrReader

MAX_CER = 0.1
"""A text element whose OCR read-back has a higher character error rate blocks the poster."""


def read_back(
    result: PosterResult, reader: OcrReader, *, max_cer: float = MAX_CER, reads_given: list[str] | None = None
) -> None:
    """Read every text element of a poster back and block the poster where the text does not read back."""
    from contentgen.render.ocr import char_error_rate, normalise_text

    alphabet = reader.alphabet()
    reports = [r for r in result.elements if r.text is not None and r.ink is not None]
    # Recognition only, on each text box's lines, one batch for the poster (the boxes are known when drawn).
    if reads_given is None:
        reads_given = reader.read_boxes([(result.image, crop) for crop in read_crops(result)])
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


def read_crops(result: PosterResult) -> list[Box]:
    w, h = result.image.size
    return [
        (max(0, r.ink[0] - 2), max(0, r.ink[1] - 2), min(w, r.ink[2] + 2), min(h, r.ink[3] + 2))
        for r in result.elements
        if r.text is not None and r.ink is not None
    ]


def read_back_many(results: Sequence[PosterResult], reader: OcrReader, *, max_cer: float = MAX_CER) -> None:
    """``read_back`` for a batch of posters, with one recognition batch across all their text boxes."""
    items = [(result, crop) for result in results for crop in read_crops(result)]
    reads = reader.read_boxes([(result.image, crop) for result, crop in items])
    cursor = 0
    for result in results:
        count = len(read_crops(result))
        read_back(result, reader, max_cer=max_cer, reads_given=reads[cursor : cursor + count])
        cursor += count


def reads_back(expected: str, got: str, cer: float, max_cer: float) -> bool:
    """Whether a read-back passes: CER within `max_cer`, or a single misread symbol in a short text
    (``¥149`` read as ``?149``) as long as every digit reads back exactly: numbers must never be misread."""
    if cer <= max_cer:
        return True
    digits_match = [c for c in expected if c.isdigit()] == [c for c in got if c.isdigit()]
    return digits_match and round(cer * len(expected.replace(" ", ""))) <= 1
