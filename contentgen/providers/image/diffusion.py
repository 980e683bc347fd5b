"""Text-to-image through 🤗 diffusers: SD-Turbo style few-step pipelines, batched, seeded per request.

Select it with ``CONTENTGEN_IMAGE__NAME=diffusers`` and ``CONTENTGEN_IMAGE__OPTIONS__MODEL=DIR`` (or
``[image] name = "diffusers"`` / ``options = {model = "DIR"}`` in contentgen.toml). ``model`` is a local
directory saved with ``DiffusionPipeline.save_pretrained`` (model_index.json plus one folder per
component) or a hub id such as ``stabilityai/sd-turbo``; a hub id is looked up in the Hugging Face cache
first and downloaded only if the hub can be reached. Whatever it is, it is loaded through
``AutoPipelineForText2Image.from_pretrained`` (float16 on CUDA, float32 elsewhere, unless ``dtype`` says
otherwise) on the first `render`, once, and kept until `close`.

The defaults suit distilled few-step models (SD-Turbo, SDXL-Turbo): ``steps=4``, ``guidance_scale=0``.
For a classic checkpoint set, say, ``steps=25`` and ``guidance_scale=7``; with guidance above 1 each
request's ``negative_prompt`` is passed too (below it the pipeline has no use for one).

What a request controls
    ``prompt`` (with ``, <style> style`` appended when ``style`` is set), ``negative_prompt``, ``seed``,
    ``width`` and ``height``. ``palette`` is not used: a diffusion model cannot be held to exact colours;
    the poster layout tints or overlays what comes back.

How a batch is run
    Requests are grouped by size, rounded up to a multiple of 8 (what the VAE needs), in order of first
    appearance; each group is cut into chunks of ``batch_size`` and each chunk is one pipeline call.
    Every image is generated at the rounded size and centre-cropped to exactly the requested size (at
    most 7 px go), so nothing is stretched. Results come back in request order, always RGB.

Determinism
    Each request's starting noise comes from its own CPU ``torch.Generator`` seeded with its ``seed`` (on
    the CPU whatever the device, so a seed starts from the same noise on every machine), so its image
    does not depend on the other requests in the batch nor on its position: the same request gives
    the same picture alone, first or last in any batch. What a wider batch can change is floating-point
    rounding, as kernels block the work differently: on CPU in float32 the tests see at most one level of
    255 in a few pixels (half precision on a GPU may differ more; not measured here). ``batch_size=1``
    rules even that out.

Safety checker
    The pipeline is loaded as its checkpoint declares it, nothing added or taken away. The tiny test
    pipeline (`contentgen.testing.tiny_models.build_tiny_sd`) is saved without one (``safety_checker``
    null, ``requires_safety_checker`` false: random weights draw noise, there is nothing to check), and
    so are Stable Diffusion 2.x based checkpoints as usually published; then none runs. A checkpoint that
    includes one keeps it, and an image it flags comes back black, as diffusers returns it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field, NonNegativeFloat, PositiveInt

from contentgen.errors import ConfigError, MissingExtraError, ProviderError
from contentgen.providers.base import ImageProvider, ImageRequest, ProviderOptions
from contentgen.providers.support import load_cached_or_hub, looks_like_path, one_line

if TYPE_CHECKING:
    import torch
    from PIL import Image

__all__ = ["DiffusersImageProvider", "DiffusersOptions"]

MULTIPLE = 8  # image sides a Stable Diffusion VAE accepts
MAX_SIDE = 4096


class DiffusersOptions(ProviderOptions):
    model: str = Field(min_length=1, description="a local pipeline directory, or a hub id found in the cache")
    device: str = Field("auto", pattern=r"^(auto|cpu|mps|cuda(:\d+)?)$", description="auto: cuda if available")
    dtype: Literal["auto", "float32", "float16", "bfloat16"] = Field(
        "auto", description="auto: float16 on cuda, float32 elsewhere"
    )
    steps: PositiveInt = Field(4, description="denoising steps (4 suits SD-Turbo)")
    guidance_scale: NonNegativeFloat = Field(0.0, description="classifier-free guidance; 0 for turbo models")
    batch_size: PositiveInt = Field(4, description="images generated together in one pipeline call")


class DiffusersImageProvider(ImageProvider):
    """A diffusers text-to-image pipeline, loaded once on first use, batched by image size."""

    name: ClassVar[str] = "diffusers"
    Options = DiffusersOptions
    options: DiffusersOptions

    def __init__(self, options: DiffusersOptions | Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self._lock = threading.RLock()
        self._pipeline: Any = None
        self._device: torch.device | None = None

    @property
    def model(self) -> str:
        return self.options.model

    # ---- public API ------------------------------------------------------------------------------

    def render(self, requests: Sequence[ImageRequest]) -> list[Image.Image]:
        for r in requests:
            if not (0 < r.width <= MAX_SIDE and 0 < r.height <= MAX_SIDE):
                raise ConfigError(
                    f"image size {r.width}×{r.height} is out of range; each side must be 1 to {MAX_SIDE} px"
                )
        if not requests:
            return []
        groups: dict[tuple[int, int], list[int]] = {}
        for index, r in enumerate(requests):
            groups.setdefault((_round_up(r.width), _round_up(r.height)), []).append(index)
        results: list[Image.Image | None] = [None] * len(requests)
        size = self.options.batch_size
        for (width, height), indices in groups.items():
            for start in range(0, len(indices), size):
                chunk = indices[start : start + size]
                images = self._generate([requests[i] for i in chunk], width, height)
                for i, image in zip(chunk, images, strict=True):
                    results[i] = _crop(image.convert("RGB"), requests[i].width, requests[i].height)
        return [im for im in results if im is not None]

    def close(self) -> None:
        with self._lock:
            pipeline, device = self._pipeline, self._device
            self._pipeline = self._device = None
        if pipeline is not None and device is not None and device.type == "cuda":
            import torch

            del pipeline
            torch.cuda.empty_cache()

    # ---- generation ------------------------------------------------------------------------------

    def _generate(self, requests: Sequence[ImageRequest], width: int, height: int) -> list[Image.Image]:
        import torch

        pipeline, device = self._load()
        prompts = [f"{r.prompt}, {r.style} style" if r.style else r.prompt for r in requests]
        # One generator per request: its latents are drawn from its own seed, whatever its neighbours. On
        # the CPU whatever the device, so that a seed starts from the same noise on every machine.
        generators = [torch.Generator(device="cpu").manual_seed(r.seed % 2**63) for r in requests]
        kwargs: dict[str, Any] = {
            "prompt": prompts,
            "width": width,
            "height": height,
            "num_inference_steps": self.options.steps,
            "guidance_scale": self.options.guidance_scale,
            "generator": generators,
            "output_type": "pil",
        }
        if self.options.guidance_scale > 1:
            kwargs["negative_prompt"] = [r.negative_prompt for r in requests]
        with self._lock:
            try:
                with torch.inference_mode():
                    output = pipeline(**kwargs)
            except torch.OutOfMemoryError:
                raise ProviderError(
                    f"out of memory generating {len(requests)} images of {width}×{height} with "
                    f"'{self.options.model}' on {device}; lower the batch_size option or the image size"
                ) from None
        images: list[Image.Image] = list(output.images)
        return images

    # ---- loading ---------------------------------------------------------------------------------

    def _load(self) -> tuple[Any, torch.device]:
        with self._lock:
            if self._pipeline is None:
                self._pipeline, self._device = self._load_now()
            assert self._device is not None
            return self._pipeline, self._device

    def _load_now(self) -> tuple[Any, torch.device]:
        source, local_only = self._source()  # before the heavy imports: a wrong path fails at once
        try:
            import torch
            from diffusers import AutoPipelineForText2Image as _Auto
        except ImportError as err:
            raise MissingExtraError(err.name or "diffusers", "models", f"the image provider '{self.name}'") from None

        device = self._placement(torch)
        if self.options.dtype == "auto":
            dtype = torch.float16 if device.type == "cuda" else torch.float32
        else:
            dtype = getattr(torch, self.options.dtype)

        dtype_kwarg = _dtype_keyword()
        auto: Any = _Auto  # diffusers is untyped

        def load(local_files_only: bool) -> Any:
            return auto.from_pretrained(source, local_files_only=local_files_only, **{dtype_kwarg: dtype})

        try:
            pipeline = load(True) if local_only else load_cached_or_hub(source, load)
        except ProviderError:
            raise
        except Exception as err:
            raise ProviderError(f"cannot load the diffusion pipeline '{source}': {one_line(err)}") from err
        pipeline.to(device)
        pipeline.set_progress_bar_config(disable=True)
        return pipeline, device

    def _source(self) -> tuple[str, bool]:
        """The directory or hub id to load, and whether it is local; a one-line error if it cannot be."""
        given = self.options.model
        path = Path(given).expanduser()
        fix = (
            "pass a directory saved with DiffusionPipeline.save_pretrained (model_index.json, unet/, vae/, "
            "text_encoder/, tokenizer/, scheduler/), or a hub id such as 'stabilityai/sd-turbo' in the cache"
        )
        if path.is_dir():
            if not (path / "model_index.json").is_file():
                raise ProviderError(
                    f"model directory '{given}' has no model_index.json, so it is no diffusers pipeline; {fix}"
                )
            return str(path), True
        if path.exists():
            raise ProviderError(f"model '{given}' is a file, not a directory; {fix}")
        if looks_like_path(given):
            raise ProviderError(f"model directory '{given}' does not exist; {fix}")
        return given, False

    def _placement(self, torch: Any) -> torch.device:
        wanted = self.options.device
        if wanted == "auto":
            if torch.cuda.is_available():
                return torch.device("cuda")  # type: ignore[no-any-return]
            if torch.backends.mps.is_available():
                return torch.device("mps")  # type: ignore[no-any-return]
            return torch.device("cpu")  # type: ignore[no-any-return]
        device = torch.device(wanted)
        available = torch.backends.mps.is_available() if device.type == "mps" else True
        if device.type == "cuda":
            available = torch.cuda.is_available()
        if not available:
            raise ProviderError(
                f"device '{wanted}' was asked for but this torch ({torch.__version__}) cannot use it; "
                "set device to auto or cpu, or install a torch build for that device"
            )
        return device  # type: ignore[no-any-return]


def _dtype_keyword() -> str:
    """``dtype`` where diffusers takes it (it deprecated ``torch_dtype`` in 2026), else ``torch_dtype``."""
    from diffusers.utils import deprecation_utils

    return "dtype" if hasattr(deprecation_utils, "_resolve_dtype") else "torch_dtype"


def _round_up(side: int) -> int:
    return -(-side // MULTIPLE) * MULTIPLE


def _crop(image: Image.Image, width: int, height: int) -> Image.Image:
    """The centre `width`×`height` of an image at least that large."""
    if image.size == (width, height):
        return image
    left, top = (image.width - width) // 2, (image.height - height) // 2
    return image.crop((left, top, left + width, top + height))
