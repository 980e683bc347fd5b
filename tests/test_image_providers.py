"""Image providers: procedural backgrounds, and a real (tiny, random) diffusers pipeline.

Nothing is mocked. The procedural provider is measured on its pixels: sizes, seeds, how close the
colours stay to the palette, how calm the background is. The diffusers provider loads a Stable
Diffusion pipeline built here from the real classes with random weights (saved with save_pretrained,
loaded through AutoPipelineForText2Image), and is checked against plain diffusers for the same inputs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from PIL import Image

from contentgen.errors import ConfigError, NotFoundError, ProviderError
from contentgen.providers import ImageRequest, create
from contentgen.providers.image.procedural import FALLBACK_PALETTE, STYLES, ProceduralImageProvider
from contentgen.testing.conformance import ImageProviderTests

QINGHE = ("#FAF6EB", "#A9C89A", "#3D7A4F", "#B07D2A")
MORROW = ("#FBF6EA", "#D98E2B", "#1F5C57", "#B5542F")
WARM = ("#F6E3CF", "#E8A87C", "#C0674A")
COOL = ("#E3EEF6", "#7FA7C9", "#2E5E8C")
PALETTES = (QINGHE, MORROW, ("#000000", "#FFFFFF"), ())


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.float64)


def rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def one_line(err: pytest.ExceptionInfo[BaseException]) -> str:
    message = str(err.value)
    assert "\n" not in message
    return message


def assert_same_image(a: Image.Image, b: Image.Image) -> None:
    """Equal up to float rounding: a batch's wider kernels may flip a level in a few pixels, no more."""
    diff = np.abs(pixels(a) - pixels(b))
    assert diff.max() <= 1 and (diff > 0).mean() < 0.005, (diff.max(), (diff > 0).mean())


def distance_to_palette(colour: np.ndarray, palette: tuple[str, ...]) -> float:
    """How far a colour is from the palette: from its nearest colour or nearest blend of two colours."""
    points = [rgb(c) for c in palette]
    best = min(float(np.linalg.norm(colour - p)) for p in points)
    for i, a in enumerate(points):
        for b in points[i + 1 :]:
            t = float(np.clip(np.dot(colour - a, b - a) / max(np.dot(b - a, b - a), 1e-9), 0, 1))
            best = min(best, float(np.linalg.norm(colour - (a + t * (b - a)))))
    return best


def block_std(image: Image.Image) -> np.ndarray:
    """Luminance standard deviation in square blocks of 1/64 of the shorter side."""
    a = pixels(image)
    lum = a @ np.array([0.2126, 0.7152, 0.0722])
    b = max(2, min(lum.shape) // 64)
    h, w = lum.shape[0] // b * b, lum.shape[1] // b * b
    return lum[:h, :w].reshape(h // b, b, w // b, b).std(axis=(1, 3))


# ---- procedural -------------------------------------------------------------------------------------


class TestProceduralConformance(ImageProviderTests):
    provider_name = "procedural"

    @pytest.fixture
    def provider(self) -> ProceduralImageProvider:
        return ProceduralImageProvider()


@pytest.fixture(scope="module")
def procedural() -> ProceduralImageProvider:
    return ProceduralImageProvider()


@pytest.fixture(scope="module")
def grainless() -> ProceduralImageProvider:
    return ProceduralImageProvider({"grain": 0})


@pytest.mark.parametrize("style", STYLES)
def test_every_style_renders_any_size_in_rgb(procedural: ProceduralImageProvider, style: str) -> None:
    sizes = [(96, 160), (160, 96), (1, 1), (33, 7), (1081, 1921)]
    images = procedural.render([ImageRequest("", w, h, seed=3, palette=QINGHE, style=style) for w, h in sizes])
    assert [im.size for im in images] == sizes
    assert all(im.mode == "RGB" for im in images)
    assert len({pixels(im).tobytes() for im in images[:2]}) == 2


@pytest.mark.parametrize("style", STYLES)
def test_seed_reproduces_and_varies(style: str) -> None:
    request = ImageRequest("", 120, 200, seed=11, palette=MORROW, style=style)
    first = ProceduralImageProvider().render([request])[0]
    again = ProceduralImageProvider().render([request, ImageRequest("", 50, 50, seed=1, style=style)])[0]
    assert np.array_equal(pixels(first), pixels(again))
    others = ProceduralImageProvider().render(
        [ImageRequest("", 120, 200, seed=s, palette=MORROW, style=style) for s in range(4)]
    )
    assert len({pixels(im).tobytes() for im in [first, *others]}) == 5


def test_prompt_is_not_used(procedural: ProceduralImageProvider) -> None:
    a, b = procedural.render(
        [ImageRequest("tea", 64, 64, seed=2), ImageRequest("sunscreen", 64, 64, seed=2, negative_prompt="x")]
    )
    assert np.array_equal(pixels(a), pixels(b))


def test_style_none_is_chosen_by_seed(procedural: ProceduralImageProvider) -> None:
    chosen = {seed: procedural.style_of(ImageRequest("", 64, 64, seed=seed)) for seed in range(60)}
    assert set(chosen.values()) == set(STYLES)
    for seed in (0, 1, 2):
        auto = procedural.render([ImageRequest("", 80, 120, seed=seed, palette=QINGHE)])[0]
        named = procedural.render([ImageRequest("", 80, 120, seed=seed, palette=QINGHE, style=chosen[seed])])[0]
        assert np.array_equal(pixels(auto), pixels(named))  # the seed picks the style, and nothing else changes


def test_default_style_option() -> None:
    provider = ProceduralImageProvider({"default_style": "waves"})
    assert {provider.style_of(ImageRequest("", 9, 9, seed=s)) for s in range(10)} == {"waves"}
    assert provider.style_of(ImageRequest("", 9, 9, style="paper")) == "paper"


def test_empty_palette_falls_back(procedural: ProceduralImageProvider) -> None:
    a, b = procedural.render(
        [ImageRequest("", 90, 90, seed=4), ImageRequest("", 90, 90, seed=4, palette=FALLBACK_PALETTE)]
    )
    assert np.array_equal(pixels(a), pixels(b))


def test_short_hex_and_case_are_accepted(procedural: ProceduralImageProvider) -> None:
    a, b = procedural.render(
        [ImageRequest("", 40, 40, palette=("#abc", "123456")), ImageRequest("", 40, 40, palette=("#AABBCC", "#123456"))]
    )
    assert np.array_equal(pixels(a), pixels(b))


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("colour", ["#1F5C57", "#D98E2B", "#F3EEE6", "#3366CC", "#151515"])
def test_one_colour_palette_sets_the_mean_colour(procedural: ProceduralImageProvider, style: str, colour: str) -> None:
    images = procedural.render([ImageRequest("", 108, 192, seed=s, palette=(colour,), style=style) for s in range(4)])
    for image in images:
        mean = pixels(image).reshape(-1, 3).mean(axis=0)
        assert np.linalg.norm(mean - rgb(colour)) < 20, (mean, colour)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("palette", [QINGHE, MORROW, WARM, COOL])
def test_mean_colour_lies_on_the_palette(
    procedural: ProceduralImageProvider, style: str, palette: tuple[str, ...]
) -> None:
    for image in procedural.render(
        [ImageRequest("", 108, 192, seed=s, palette=palette, style=style) for s in range(4)]
    ):
        mean = pixels(image).reshape(-1, 3).mean(axis=0)
        assert distance_to_palette(mean, palette) < 20, (mean, palette)


@pytest.mark.parametrize("style", STYLES)
def test_warm_palette_stays_warm_and_cool_stays_cool(procedural: ProceduralImageProvider, style: str) -> None:
    for seed in range(3):
        warm, cool = (
            pixels(im).reshape(-1, 3)
            for im in procedural.render(
                [ImageRequest("", 96, 160, seed=seed, palette=p, style=style) for p in (WARM, COOL)]
            )
        )
        assert np.mean(warm[:, 0] > warm[:, 2]) > 0.97  # red over blue nearly everywhere
        assert np.mean(cool[:, 2] > cool[:, 0]) > 0.97


@pytest.mark.parametrize("style", STYLES)
def test_calm_enough_for_text(grainless: ProceduralImageProvider, style: str) -> None:
    """Low local contrast, as documented: block luminance spread below 6 of 255 in 99 % of blocks."""
    for palette in PALETTES:
        for seed in range(3):
            image = grainless.render([ImageRequest("", 540, 960, seed=seed, palette=palette, style=style)])[0]
            assert np.percentile(block_std(image), 99) < 6.0, (palette, seed)


def test_grain_adds_fine_noise_without_moving_the_colour() -> None:
    request = ImageRequest("", 200, 300, seed=5, palette=COOL[1:], style="gradient")  # mid tones: nothing clips
    smooth, light, heavy = (
        pixels(ProceduralImageProvider({"grain": g}).render([request])[0]) for g in (0.0, 0.35, 1.0)
    )

    def roughness(a: np.ndarray) -> float:
        return float(np.abs(np.diff(a, axis=1)).mean())

    assert roughness(smooth) < roughness(light) < roughness(heavy)
    assert np.abs(heavy.mean(axis=(0, 1)) - smooth.mean(axis=(0, 1))).max() < 1.0
    assert np.abs(heavy - smooth).max() <= 12  # grain=1 is about ±12 levels at most


def test_poster_size_is_fast(procedural: ProceduralImageProvider) -> None:
    """1080×1920 in every style; a generous bound that only a per-pixel Python loop would break."""
    for style in STYLES:
        request = ImageRequest("", 1080, 1920, seed=1, palette=MORROW, style=style)
        best = float("inf")
        for _ in range(2):
            start = time.perf_counter()
            (image,) = procedural.render([request])
            best = min(best, time.perf_counter() - start)
        assert image.size == (1080, 1920) and image.mode == "RGB"
        assert best < 0.5, (style, best)


@pytest.mark.parametrize("style", STYLES)
def test_blocks_look_like_bilinear_all_the_way(
    grainless: ProceduralImageProvider, style: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large outputs are scaled to 1/4 (or 1/2) and repeated in squares: within 3 levels of the real thing."""
    from contentgen.providers.image import procedural

    requests = [
        ImageRequest("", 1080, 1920, seed=s, palette=p, style=style) for s, p in ((0, MORROW), (1, PALETTES[2]))
    ]
    blocked = grainless.render(requests)
    monkeypatch.setattr(procedural, "BLOCKED", 10**9)
    for fast, slow in zip(blocked, grainless.render(requests), strict=True):
        assert np.abs(pixels(fast) - pixels(slow)).max() <= 3


def test_request_errors_are_one_line(procedural: ProceduralImageProvider) -> None:
    with pytest.raises(NotFoundError, match="did you mean 'waves'") as err:
        procedural.render([ImageRequest("", 10, 10), ImageRequest("", 10, 10, style="wave")])
    assert "valid: blobs, gradient" in one_line(err)
    with pytest.raises(ConfigError, match="not a hex colour") as err:
        procedural.render([ImageRequest("", 10, 10, palette=("teal",))])
    one_line(err)
    with pytest.raises(ConfigError, match="out of range") as err:
        procedural.render([ImageRequest("", 0, 10)])
    one_line(err)


def test_option_errors() -> None:
    with pytest.raises(ConfigError, match="grain"):
        ProceduralImageProvider({"grain": 1.5})
    with pytest.raises(ConfigError, match="default_style"):
        ProceduralImageProvider({"default_style": "marble"})


def test_created_by_name_through_the_registry() -> None:
    provider = create("image", "procedural", {"grain": 0.5})
    assert isinstance(provider, ProceduralImageProvider)
    assert provider.info().options == {"grain": 0.5, "default_style": None}


# ---- diffusers --------------------------------------------------------------------------------------

# diffusers calls np.array(tensor), which numpy 2.4 warns about with this torch's __array__; and it passes
# huggingface_hub a deprecated argument when reading the cache. Neither is ours to fix.
DIFFUSERS_NOISE = (
    pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The `local_dir_use_symlinks` argument is deprecated:UserWarning"),
)
TINY: dict[str, Any] = {"steps": 1, "batch_size": 3}  # one step: the sampling loop runs, the test stays quick


def diffusers_marks(cls_or_fn: Any) -> Any:
    for mark in (pytest.mark.slow, *DIFFUSERS_NOISE):
        cls_or_fn = mark(cls_or_fn)
    return cls_or_fn


@pytest.fixture(scope="module")
def tiny_sd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("diffusers")
    from contentgen.testing.tiny_models import build_tiny_sd

    return build_tiny_sd(tmp_path_factory.mktemp("tiny-sd"))


@pytest.fixture(scope="module")
def sd(tiny_sd: Path) -> Iterator[Any]:
    from contentgen.providers.image.diffusion import DiffusersImageProvider

    provider = DiffusersImageProvider({"model": str(tiny_sd), **TINY})
    yield provider
    provider.close()


@diffusers_marks
class TestDiffusersConformance(ImageProviderTests):
    provider_name = "diffusers"
    size: ClassVar[tuple[int, int]] = (64, 96)

    @pytest.fixture
    def provider(self, sd: Any) -> Any:
        return sd


@diffusers_marks
def test_loaded_through_auto_pipeline_as_saved(sd: Any) -> None:
    sd.render([ImageRequest("tea", 16, 16)])
    pipeline, device = sd._load()
    assert type(pipeline).__name__ == "StableDiffusionPipeline"
    assert pipeline.safety_checker is None
    assert (
        device.type == "cpu" and pipeline.unet.dtype.is_floating_point and str(pipeline.unet.dtype) == "torch.float32"
    )


@diffusers_marks
def test_same_pixels_as_plain_diffusers(sd: Any, tiny_sd: Path) -> None:
    import torch
    from diffusers import AutoPipelineForText2Image

    reference = AutoPipelineForText2Image.from_pretrained(tiny_sd, local_files_only=True)
    reference.set_progress_bar_config(disable=True)
    expected = reference(
        "green tea",
        width=64,
        height=96,
        num_inference_steps=1,
        guidance_scale=0.0,
        generator=torch.Generator().manual_seed(5),
    ).images[0]
    (image,) = sd.render([ImageRequest("green tea", 64, 96, seed=5)])
    assert np.array_equal(pixels(image), pixels(expected))


@diffusers_marks
def test_mixed_sizes_keep_order_exact_sizes_and_batch_independence(sd: Any) -> None:
    requests = [
        ImageRequest("tea leaves", 64, 96, seed=1),
        ImageRequest("face cream", 96, 64, seed=2),
        ImageRequest("green tea", 60, 90, seed=3),  # rounds up to 64×96: same batch as the first
        ImageRequest("sunscreen", 33, 47, seed=4),
        ImageRequest("kettle", 64, 96, seed=5),
        ImageRequest("oolong", 64, 96, seed=6),  # with batch_size 3, the 64×96 group takes two calls
    ]
    batch = sd.render(requests)
    assert [im.size for im in batch] == [(r.width, r.height) for r in requests]
    assert all(im.mode == "RGB" for im in batch)
    for i in (0, 2, 4):  # the chunk of three at 64×96, one of them cropped from it
        assert_same_image(batch[i], sd.render([requests[i]])[0])  # per-request generators: same noise anywhere
    reordered = sd.render([requests[4], requests[0]])
    assert_same_image(reordered[1], batch[0])
    assert not np.array_equal(pixels(batch[4]), pixels(batch[5]))


@diffusers_marks
def test_odd_size_is_the_centre_crop_of_the_rounded_size(sd: Any) -> None:
    cropped, full = sd.render([ImageRequest("tea", 60, 90, seed=9), ImageRequest("tea", 64, 96, seed=9)])
    assert_same_image(cropped, full.crop((2, 3, 62, 93)))


@diffusers_marks
def test_negative_prompt_counts_only_with_guidance(tiny_sd: Path, sd: Any) -> None:
    from contentgen.providers.image.diffusion import DiffusersImageProvider

    a, b = (ImageRequest("tea", 32, 32, seed=1, negative_prompt=n) for n in ("blurry", "text, logo"))
    same = sd.render([a, b])
    assert_same_image(same[0], same[1])  # guidance 0: there is no unconditional pass to use it
    guided = DiffusersImageProvider({"model": str(tiny_sd), "steps": 1, "guidance_scale": 5.0})
    different = guided.render([a, b])
    assert not np.array_equal(pixels(different[0]), pixels(different[1]))
    assert_same_image(different[0], guided.render([a])[0])


@diffusers_marks
def test_style_is_added_to_the_prompt(sd: Any) -> None:
    plain, styled, spelled = sd.render(
        [
            ImageRequest("tea", 32, 32, seed=1),
            ImageRequest("tea", 32, 32, seed=1, style="paper"),
            ImageRequest("tea, paper style", 32, 32, seed=1),
        ]
    )
    assert np.abs(pixels(plain) - pixels(styled)).max() > 1
    assert_same_image(styled, spelled)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("/no/such/pipeline", "model directory '/no/such/pipeline' does not exist; pass a directory saved with"),
        (
            "nobody/no-such-pipeline",
            "model 'nobody/no-such-pipeline' is not a local directory nor in the Hugging Face cache",
        ),
    ],
)
@diffusers_marks
def test_missing_model_is_a_one_line_error(model: str, expected: str) -> None:
    from contentgen.providers.image.diffusion import DiffusersImageProvider

    provider = DiffusersImageProvider({"model": model})
    with pytest.raises(ProviderError) as err:
        provider.render([ImageRequest("tea", 64, 64)])
    assert one_line(err).startswith(expected)
    assert "save_pretrained" in str(err.value) or "hf download nobody/no-such-pipeline --local-dir DIR" in str(
        err.value
    )


@diffusers_marks
def test_directory_that_is_no_pipeline(tmp_path: Path) -> None:
    from contentgen.providers.image.diffusion import DiffusersImageProvider

    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ProviderError, match=r"has no model_index\.json") as err:
        DiffusersImageProvider({"model": str(tmp_path)}).render([ImageRequest("tea", 64, 64)])
    one_line(err)


@diffusers_marks
def test_unusable_device_is_a_one_line_error(tiny_sd: Path) -> None:
    import torch

    from contentgen.providers.image.diffusion import DiffusersImageProvider

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ProviderError, match="device 'cuda' was asked for") as err:
        DiffusersImageProvider({"model": str(tiny_sd), "device": "cuda"}).render([ImageRequest("tea", 64, 64)])
    one_line(err)


def test_diffusers_options_are_checked() -> None:
    from contentgen.providers.image.diffusion import DiffusersImageProvider

    with pytest.raises(ConfigError, match="'model'"):
        DiffusersImageProvider({})
    with pytest.raises(ConfigError, match="steps"):
        DiffusersImageProvider({"model": "x", "steps": 0})
    with pytest.raises(ConfigError, match="device"):
        DiffusersImageProvider({"model": "x", "device": "tpu"})
    info = DiffusersImageProvider({"model": "x"}).info()
    assert info.model == "x" and info.options["steps"] == 4 and info.options["guidance_scale"] == 0.0
