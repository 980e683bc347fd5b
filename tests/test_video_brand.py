"""Brand intro and outro cards: inside the safe zone at every zoom, fading in and out as promised."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from contentgen.domain import load_brand_kit
from contentgen.domain.brand import BrandKit
from contentgen.domain.channel import SafeZone
from contentgen.domain.common import hex_to_rgb
from contentgen.video.brand import CARD_ZOOM, card_image, intro_card, outro_card
from contentgen.video.engine import render_frame
from contentgen.video.timeline import Crossfade, Scene, Timeline, TimelineError

DOUYIN = SafeZone(top=0.08, bottom=0.2, right=0.15)


@pytest.fixture(scope="module", params=["qinghe", "morrow"])
def kit(request: pytest.FixtureRequest) -> BrandKit:
    return load_brand_kit(request.param)


def _off_palette(image: Image.Image, kit: BrandKit) -> np.ndarray:
    """Per pixel, how far its colour is from the card background (a blend of background and secondary)."""
    pixels = np.asarray(image, dtype=np.float64)
    a, b = np.array(hex_to_rgb(kit.palette.background), float), np.array(hex_to_rgb(kit.palette.secondary), float)
    direction = (b - a) / np.linalg.norm(b - a)
    along = np.clip((pixels - a) @ direction, 0, np.linalg.norm(b - a))
    return np.linalg.norm(pixels - (a + along[..., None] * direction), axis=-1)


@pytest.mark.parametrize("size", [(540, 960), (540, 540), (960, 540)])
def test_card_content_stays_in_the_safe_zone_at_both_ends_of_its_zoom(kit: BrandKit, size: tuple[int, int]) -> None:
    scene = outro_card(kit, size, duration=2.0, call_to_action="Follow us", safe_zone=DOUYIN)
    timeline = Timeline(size, 10, [scene])
    width, height = size
    safe = np.zeros((height, width), bool)
    safe[round(height * DOUYIN.top) : round(height * (1 - DOUYIN.bottom)), : round(width * (1 - DOUYIN.right))] = True
    for t in (0.0, 1.3):  # zoomed out, and nearly fully in (before the fade to black)
        off = _off_palette(render_frame(timeline, t), kit)
        assert off[~safe].max() < 12, "logo or text outside the safe zone"
        assert (off[safe] > 60).sum() > 0.01 * safe.sum(), "no logo or text drawn"


def test_the_card_is_drawn_larger_so_its_zoom_never_upsamples(kit: BrandKit) -> None:
    image = card_image(kit, (540, 960))
    assert image.size == (round(540 * CARD_ZOOM / 2) * 2, round(960 * CARD_ZOOM / 2) * 2)


def test_the_intro_fades_in_from_its_background_and_crossfades_on(kit: BrandKit) -> None:
    intro = intro_card(kit, (270, 480), duration=1.5)
    assert intro.role == "intro" and isinstance(intro.transition, Crossfade)
    content = Scene(Image.new("RGB", (270, 480), "#204080"), 2.0)
    first = np.asarray(render_frame(Timeline((270, 480), 10, [intro, content]), 0.0), dtype=np.int16)
    assert np.abs(first - hex_to_rgb(kit.palette.background)).max() <= 3
    assert Timeline((270, 480), 10, [intro, content]).default_cover_time() > intro.duration - 0.4


def test_the_outro_fades_to_black(kit: BrandKit) -> None:
    outro = outro_card(kit, (270, 480), duration=2.0)
    timeline = Timeline((270, 480), 10, [outro])
    last = np.asarray(render_frame(timeline, 1.9), dtype=np.float64)
    middle = np.asarray(render_frame(timeline, 1.0), dtype=np.float64)
    assert last.mean() < 0.25 * middle.mean()
    assert outro.role == "outro"


def test_cards_need_time_to_fade() -> None:
    kit = load_brand_kit("qinghe")
    with pytest.raises(TimelineError, match="duration"):
        intro_card(kit, (270, 480), duration=0.3)
    with pytest.raises(TimelineError, match="duration"):
        outro_card(kit, (270, 480), duration=0.2)
