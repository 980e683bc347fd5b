"""Render the README's poster pictures, from the repository root: ``PYTHONPATH=. python docs/make_images.py``."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from contentgen.domain.layout import poster_layouts
from contentgen.domain.loaders import kit_segments, load_brand_kit, load_channels
from contentgen.pipelines.poster import PosterPipeline, PosterRequest

HERE = Path(__file__).parent / "images"


def main() -> None:
    channels = load_channels()
    note, cover = channels["xiaohongshu"], channels["wechat-article"]
    thumbs: list[Image.Image] = []
    banner: Image.Image | None = None
    for kit_id in ("qinghe", "morrow"):
        kit = load_brand_kit(kit_id)
        pipeline = PosterPipeline(kit, ocr=False)
        segment = kit_segments(kit)[0]
        product = next(p for p in pipeline.catalog if p.in_stock)
        size = next(s for s in note.poster_sizes if (s.width, s.height) == (1080, 1440))
        requests = [PosterRequest(segment, note, size, layout, product, seed=3) for layout in poster_layouts().values()]
        thumbs += [r.image.resize((300, 400), Image.Resampling.LANCZOS) for r in pipeline.run(requests)]
        if banner is None:
            article = next(s for s in cover.poster_sizes if (s.width, s.height) == (900, 383))
            layout = poster_layouts()["hero-product"]
            banner = pipeline.run([PosterRequest(segment, cover, article, layout, product, seed=3)])[0].image
    sheet = Image.new("RGB", (1250, 830), "#F4F4F2")
    for i, thumb in enumerate(thumbs):
        sheet.paste(thumb, (10 + (i % 4) * 310, 10 + (i // 4) * 410))
    sheet.save(HERE / "posters.jpg", quality=88)
    assert banner is not None
    banner.convert("RGB").save(HERE / "banner-900x383.jpg", quality=90)


if __name__ == "__main__":
    main()
