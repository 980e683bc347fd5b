"""A poster's data: what to draw (request, copy), and what was drawn (element reports, the result).

These types sit below the pipelines: ``contentgen.render.compose`` fills them, ``contentgen.render.readback``
checks them, ``contentgen.pipelines.poster`` drives both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from PIL import Image

from contentgen.domain.brand import FontSpec
from contentgen.domain.channel import Channel, PosterSize
from contentgen.domain.findings import Finding, Severity
from contentgen.domain.layout import Layout

if TYPE_CHECKING:
    from contentgen.domain.brief import Brief
    from contentgen.domain.product import Product
    from contentgen.domain.segment import Segment
    from contentgen.providers.base import ProviderInfo

Box = tuple[int, int, int, int]

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


WORD_CUT = "poster.word_cut"
"""The finding of text in which a word wider than its line had to be cut: posters, video scenes, cards, captions."""


def word_cut(field: str, text: str, lines: Sequence[str]) -> Finding:
    """A warning that a word of `text` (the element or cue `field`) was cut to fit its line: `lines` as set."""
    return Finding(
        rule=WORD_CUT,
        severity=Severity.WARN,
        field=field,
        text=text,
        message=f"a word of '{text[:24]}' is wider than its line and was cut: " + " | ".join(lines),
    )
