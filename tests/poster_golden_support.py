"""A fixed set of posters and their digest (every pixel and every element as drawn).

``tests/data/poster_golden.json`` holds the digests as the renderer drew them before its caches existed;
``tests/test_poster_golden.py`` renders the same posters and compares them, cold and warm: every pixel exactly,
contrast figures to 1e-9. numpy's SIMD paths (float32 exp, float64 power) differ in the last bit from one CPU kind
to another (AVX-512 against AVX2), which moves a few dozen pixels by one level on a few posters, so a poster's
``pixels`` lists one hash per CPU kind its same code was drawn on. When a change is *meant* to alter posters,
regenerate the file (and say so in the commit); to add the hashes of another CPU kind, for unchanged code only:

    python tests/poster_golden_support.py                 # rewrite from the renderer as it is now
    python tests/poster_golden_support.py --add-platform  # keep the file, add this CPU's pixel hashes
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PIL import Image

from contentgen.domain.brief import Brief, Promotion
from contentgen.domain.layout import poster_layouts
from contentgen.domain.loaders import kit_segments, load_brand_kit, load_channels
from contentgen.pipelines.poster import PosterCopy, PosterPipeline, PosterRequest, PosterResult
from contentgen.providers.base import ImageProvider, ImageRequest

GOLDEN = Path(__file__).parent / "data" / "poster_golden.json"

COPY = {
    "qinghe": (
        PosterCopy(
            headline="想获得情绪价值？先把洗脸这件小事做好", subhead="积雪草提取物，温和洁净不紧绷", cta="点链接看看"
        ),
        PosterCopy(headline="日常的小事也值得认真对待", subhead="氨基酸表活复配，洗后水润", cta="立即选购"),
    ),
    "morrow": (
        PosterCopy(
            headline="A slower morning, one cup at a time", subhead="Single-origin leaves, packed fresh", cta="Shop now"
        ),
        PosterCopy(
            headline="Tea worth waking up for", cta="Find your blend", points=("Loose leaf", "Brewed hot or cold")
        ),
    ),
}


class Stripes(ImageProvider):
    """Fine black-and-white stripes: no text colour passes on them, so every element needs a scrim panel."""

    name: ClassVar[str] = "stripes"

    def render(self, requests: Sequence[ImageRequest]) -> list[Image.Image]:
        out = []
        for r in requests:
            rows = (np.indices((r.height, r.width)).sum(axis=0) // 4 + r.seed) % 2
            out.append(Image.fromarray((rows * 255).astype(np.uint8)).convert("RGB"))
        return out


def golden_requests(kit: str, pipeline: PosterPipeline) -> list[PosterRequest]:
    """Every layout at every poster size for the Chinese kit; every layout at two sizes for the English one;
    half with a promotion (a struck reference price and a label)."""
    channels = load_channels()
    sizes = [(c, s) for c in channels.values() for s in c.poster_sizes]
    sizes = list({(s.width, s.height): (c, s) for c, s in sizes}.values())
    if kit != "qinghe":
        sizes = sizes[:2]
    promotion = Brief(
        promotion=Promotion(
            name="春季焕新" if kit == "qinghe" else "Spring", start=date(2026, 3, 1), end=date(2026, 3, 9)
        )
    )
    segments = kit_segments(pipeline.brand)
    products = [p for p in pipeline.catalog.products if p.list_price is not None][:3] + pipeline.catalog.products[:2]
    requests = []
    for i, (channel, size) in enumerate(sizes):
        for j, layout in enumerate(poster_layouts().values()):
            k = i * 4 + j
            requests.append(
                PosterRequest(
                    segment=segments[k % len(segments)],
                    channel=channel,
                    size=size,
                    layout=layout,
                    product=products[k % len(products)],
                    copy=COPY[kit][k % 2],
                    brief=promotion if k % 2 else None,
                    seed=k,
                )
            )
    return requests


def pipelines() -> dict[str, PosterPipeline]:
    """The golden set's pipelines: both kits on procedural backgrounds, and the Chinese kit on stripes."""
    qinghe = load_brand_kit("qinghe")
    return {
        "qinghe": PosterPipeline(qinghe, ocr=False),
        "morrow": PosterPipeline(load_brand_kit("morrow"), ocr=False),
        "stripes": PosterPipeline(qinghe, image_provider=Stripes(), ocr=False),
    }


def golden_set(built: dict[str, PosterPipeline]) -> dict[str, list[PosterRequest]]:
    """The requests of each pipeline (the stripes pipeline draws the first four Chinese posters)."""
    return {
        "qinghe": golden_requests("qinghe", built["qinghe"]),
        "morrow": golden_requests("morrow", built["morrow"]),
        "stripes": golden_requests("qinghe", built["stripes"])[:4],
    }


def digest(result: PosterResult) -> dict[str, Any]:
    """Everything a poster is: its pixels (hashed), each element as drawn (exact contrast), its findings."""
    elements = []
    for report in result.elements:
        data = asdict(report)
        data["box"] = list(report.box)
        data["ink"] = list(report.ink) if report.ink else None
        elements.append(data)
    return {
        "name": result.name,
        "ready": result.ready,
        "pixels": hashlib.sha256(result.image.tobytes()).hexdigest(),
        "elements": elements,
        "findings": [f"{f.rule} {f.severity.value} {f.field} {f.message}" for f in result.findings],
    }


def render_digests(built: dict[str, PosterPipeline], *, reverse: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Digests of the golden set, pipeline by pipeline (`reverse`: each pipeline's posters in reverse order)."""
    out = {}
    for key, requests in golden_set(built).items():
        ordered = list(reversed(requests)) if reverse else requests
        digests = [digest(result) for result in built[key].run(ordered, ocr=False)]
        out[key] = list(reversed(digests)) if reverse else digests
    return out


def same_numbers(got: Any, want: Any) -> bool:
    """Equal, floats to 1e-9 (last-bit differences between CPU kinds), in nested lists and dicts too."""
    if isinstance(want, float) and isinstance(got, float):
        return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(want, dict) and isinstance(got, dict):
        return got.keys() == want.keys() and all(same_numbers(got[k], want[k]) for k in want)
    if isinstance(want, list) and isinstance(got, list):
        return len(got) == len(want) and all(same_numbers(a, b) for a, b in zip(got, want, strict=True))
    return bool(got == want)


def hashes(entry: dict[str, Any]) -> list[str]:
    """A golden poster's accepted pixel hashes (one per CPU kind)."""
    pixels = entry["pixels"]
    return [pixels] if isinstance(pixels, str) else list(pixels)


def main() -> None:
    """Rewrite the golden file from the renderer as it is now (`--add-platform`: add this CPU's pixel hashes)."""
    data = render_digests(pipelines())
    if "--add-platform" in sys.argv[1:]:
        old = json.loads(GOLDEN.read_text(encoding="utf-8"))
        for key, digests in data.items():
            for mine, theirs in zip(digests, old[key], strict=True):
                if not same_numbers(mine["elements"], theirs["elements"]) or mine["findings"] != theirs["findings"]:
                    raise SystemExit(f"{key}/{theirs['name']}: elements or findings differ; regenerate instead")
                mine["pixels"] = list(dict.fromkeys([*hashes(theirs), mine["pixels"]]))
                mine["elements"] = theirs["elements"]
    lines = [
        f"  {json.dumps(key)}: [\n" + ",\n".join(f"    {json.dumps(d, ensure_ascii=False)}" for d in digests) + "\n  ]"
        for key, digests in data.items()
    ]
    GOLDEN.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")  # one poster a line
    print(f"wrote {sum(len(v) for v in data.values())} poster digests to {GOLDEN}", file=sys.stderr)


if __name__ == "__main__":
    main()
