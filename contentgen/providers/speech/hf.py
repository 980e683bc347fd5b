"""Natural voices from 🤗 transformers VITS text-to-speech models (MMS-TTS, VITS), batched.

Select it with ``[speech] name = "transformers"`` and, in ``options``, ``models = {"zh-CN" = "DIR", "en-US" =
"DIR"}`` (a model per locale) and/or ``model = "DIR"`` (any other locale). Each is a local directory saved
with ``save_pretrained`` or a hub id such as ``facebook/mms-tts-eng``; a hub id is looked up in the Hugging
Face cache first and downloaded only if the hub can be reached.

Text
    Requests are normalised for speech with numbers written out in words (MMS vocabularies have no digits:
    "¥129" becomes "一百二十九元", "$24.99" "twenty four dollars ninety nine cents"). A tokenizer that wants
    romanised input (``is_uroman``, as some MMS languages do) needs the ``uroman`` package.

Batching and determinism
    Requests for the same model, rate and speaker are sorted by length and run ``batch_size`` at a time; each
    clip is cut to its own length. VITS draws noise (``noise_scale``, ``noise_scale_duration``); every batch runs
    under the fixed ``seed``, so the same requests give the same audio. With both noise options at 0 a clip no
    longer depends on what it was batched with (up to float rounding), at some cost in expressiveness.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
from pydantic import Field, PositiveInt, model_validator

from contentgen.domain.common import Locale
from contentgen.errors import ConfigError, MissingExtraError, ProviderError
from contentgen.providers.base import Audio, ProviderOptions, SpeechProvider, SpeechRequest
from contentgen.providers.speech.normalize import normalize_for_speech
from contentgen.providers.support import load_cached_or_hub, looks_like_path, one_line

if TYPE_CHECKING:
    import torch

__all__ = ["TransformersSpeechOptions", "TransformersSpeechProvider"]


class TransformersSpeechOptions(ProviderOptions):
    model: str | None = Field(None, min_length=1, description="model directory or hub id for every other locale")
    models: dict[Locale, str] = Field({}, description="model per locale, e.g. {'zh-CN': 'facebook/mms-tts-cmn'}")
    device: str = Field(
        "auto",
        pattern=r"^(auto|cpu|mps|(cuda|xpu|npu)(:\d+)?)$",
        description="auto: the first GPU if there is one, else cpu",
    )
    dtype: Literal["float32", "float16", "bfloat16"] = Field("float32", description="half precision only on a GPU")
    batch_size: PositiveInt = Field(8, description="clips synthesised together")
    seed: int = Field(0, description="seed of the noise VITS samples; the same requests give the same audio")
    noise_scale: float | None = Field(None, ge=0, description="prior noise; default: the checkpoint's")
    noise_scale_duration: float | None = Field(None, ge=0, description="duration noise; default: the checkpoint's")
    normalize: bool = Field(True, description="write prices, units and numbers out in words before tokenizing")

    @model_validator(mode="after")
    def _some_model(self) -> TransformersSpeechOptions:
        if not self.model and not self.models:
            raise ValueError("give 'model' (every locale) or 'models' (one per locale)")
        return self


@dataclass
class _Loaded:
    model: Any  # a VitsModel (typed Any: nn.Module's __getattr__ hides its attributes from mypy)
    tokenizer: Any
    device: torch.device
    sampling_rate: int
    speakers: int
    speaking_rate: float
    romanise: bool


class TransformersSpeechProvider(SpeechProvider):
    """A VITS text-to-speech model per locale, loaded on first use, batched."""

    name: ClassVar[str] = "transformers"
    Options = TransformersSpeechOptions
    options: TransformersSpeechOptions

    def __init__(self, options: TransformersSpeechOptions | Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self._lock = threading.RLock()
        self._loaded: dict[str, _Loaded] = {}

    @property
    def model(self) -> str:
        return self.options.model or ", ".join(f"{k}: {v}" for k, v in sorted(self.options.models.items()))

    def model_for(self, locale: Locale) -> str:
        """The model directory or hub id that speaks `locale`."""
        found = self.options.models.get(locale) or self.options.model
        if not found:
            configured = ", ".join(sorted(self.options.models))
            raise ConfigError(
                f"speech provider '{self.name}' has no model for {locale} (models are set for {configured}); "
                f"add models.{locale} or a model option for every locale"
            )
        return found

    def synthesize(self, requests: Sequence[SpeechRequest]) -> list[Audio]:
        groups: dict[tuple[str, float, int | None], list[int]] = {}
        for index, request in enumerate(requests):
            if request.rate <= 0:
                raise ConfigError(f"speech rate must be positive, not {request.rate}")
            key = (self.model_for(request.locale), request.rate, _speaker(request.voice))
            groups.setdefault(key, []).append(index)
        results: list[Audio | None] = [None] * len(requests)
        for (source, rate, speaker), indices in groups.items():
            loaded = self._load(source)
            if speaker is not None and not 0 <= speaker < loaded.speakers:
                raise ConfigError(
                    f"voice '{speaker}' is not a speaker of '{source}', which has "
                    + (
                        f"speakers 0–{loaded.speakers - 1}"
                        if loaded.speakers > 1
                        else "one speaker (leave voice unset)"
                    )
                )
            rows = [(i, self._ids(loaded, source, requests[i])) for i in indices]
            silent = [i for i, ids in rows if ids is None]
            for i in silent:
                results[i] = Audio(np.zeros(0, dtype=np.float32), loaded.sampling_rate)
            runnable = sorted(((i, ids) for i, ids in rows if ids is not None), key=lambda r: (-len(r[1]), r[0]))
            for start in range(0, len(runnable), self.options.batch_size):
                chunk = runnable[start : start + self.options.batch_size]
                clips = self._run(loaded, source, [ids for _, ids in chunk], rate, speaker)
                for (i, _), clip in zip(chunk, clips, strict=True):
                    results[i] = clip
        return [r for r in results if r is not None]

    def close(self) -> None:
        with self._lock:
            loaded, self._loaded = self._loaded, {}
        if any(item.device.type == "cuda" for item in loaded.values()):
            import torch

            loaded.clear()
            torch.cuda.empty_cache()

    # ---- text ------------------------------------------------------------------------------------------

    def _ids(self, loaded: _Loaded, source: str, request: SpeechRequest) -> list[int] | None:
        """Token ids of a request's text; None when there is nothing to say."""
        text = request.text
        if self.options.normalize:
            text = normalize_for_speech(text, request.locale, spell_numbers=True)
        if not text.strip():
            return None
        if loaded.romanise and not text.isascii() and importlib.util.find_spec("uroman") is None:
            raise ProviderError(
                f"model '{source}' reads romanised text and needs the 'uroman' package for {request.locale}: "
                "pip install uroman"
            )
        ids = [int(i) for i in loaded.tokenizer(text)["input_ids"]]
        # VITS tokenizers put a blank (id 0) around every character: what is left between them was understood.
        if not (ids[1::2] if getattr(loaded.tokenizer, "add_blank", False) else ids):
            if any(c.isalnum() for c in text):
                raise ProviderError(
                    f"model '{source}' knows none of the characters of {request.locale} text {text[:40]!r}; "
                    f"set models.{request.locale} to a model of that language"
                )
            return None  # punctuation only
        return ids

    # ---- loading ---------------------------------------------------------------------------------------

    def _load(self, source: str) -> _Loaded:
        with self._lock:
            if source not in self._loaded:
                self._loaded[source] = self._load_now(source)
            return self._loaded[source]

    def _load_now(self, given: str) -> _Loaded:
        try:
            import torch
            from transformers import AutoConfig, AutoTokenizer, VitsModel
        except ImportError as err:
            raise MissingExtraError(
                err.name or "transformers", "models", f"the speech provider '{self.name}'"
            ) from None

        source, local = _resolve(given)
        device = self._device()
        dtype = getattr(torch, self.options.dtype)

        def load(local_files_only: bool) -> tuple[Any, Any]:
            config = AutoConfig.from_pretrained(source, local_files_only=local_files_only)
            if config.model_type != "vits":
                raise ProviderError(
                    f"model '{given}' is a '{config.model_type}' model; this provider runs VITS text-to-speech "
                    "models (e.g. facebook/mms-tts-eng)"
                )
            tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=local_files_only)
            model = VitsModel.from_pretrained(source, local_files_only=local_files_only, dtype=dtype)
            return tokenizer, model

        try:
            tokenizer, model = load(True) if local else load_cached_or_hub(given, load, what="speech model")
        except ProviderError:
            raise
        except Exception as err:
            raise ProviderError(f"cannot load the speech model '{given}': {one_line(err)}") from err
        model.to(device)
        model.eval()
        if self.options.noise_scale is not None:
            model.noise_scale = self.options.noise_scale
        if self.options.noise_scale_duration is not None:
            model.noise_scale_duration = self.options.noise_scale_duration
        return _Loaded(
            model=model,
            tokenizer=tokenizer,
            device=device,
            sampling_rate=int(model.config.sampling_rate),
            speakers=int(model.config.num_speakers),
            speaking_rate=float(model.speaking_rate),
            romanise=bool(getattr(tokenizer, "is_uroman", False)),
        )

    def _device(self) -> torch.device:
        import torch

        wanted = self.options.device
        if wanted == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        device = torch.device(wanted)
        if device.type == "mps":
            available = torch.backends.mps.is_available()
        else:
            backend = getattr(torch, device.type, None)
            available = device.type == "cpu" or (backend is not None and backend.is_available())
        if not available:
            raise ProviderError(
                f"device '{wanted}' was asked for but this torch ({torch.__version__}) cannot use it; "
                "set device to auto or cpu, or install a torch build for that device"
            )
        return device

    # ---- synthesis -------------------------------------------------------------------------------------

    def _run(
        self, loaded: _Loaded, source: str, batch: list[list[int]], rate: float, speaker: int | None
    ) -> list[Audio]:
        import torch

        width = max(len(ids) for ids in batch)
        input_ids = torch.zeros((len(batch), width), dtype=torch.long)  # padding is masked out
        attention = torch.zeros((len(batch), width), dtype=torch.long)
        for row, ids in enumerate(batch):
            input_ids[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
            attention[row, : len(ids)] = 1
        devices = [loaded.device.index or 0] if loaded.device.type == "cuda" else []
        with self._lock, torch.random.fork_rng(devices=devices), torch.inference_mode():
            torch.manual_seed(self.options.seed)
            try:
                output = loaded.model(
                    input_ids=input_ids.to(loaded.device),
                    attention_mask=attention.to(loaded.device),
                    speaker_id=speaker,
                    speaking_rate=loaded.speaking_rate * rate,
                )
            except torch.OutOfMemoryError:
                raise ProviderError(
                    f"out of memory synthesising {len(batch)} clips with '{source}' on {loaded.device}; "
                    "lower the batch_size option"
                ) from None
        waves = output.waveform.float().cpu().numpy()
        lengths = output.sequence_lengths.cpu().tolist()
        return [
            Audio(np.clip(wave[: int(n)], -1.0, 1.0).astype(np.float32), loaded.sampling_rate)
            for wave, n in zip(waves, lengths, strict=True)
        ]


def _speaker(voice: str | None) -> int | None:
    if voice is None:
        return None
    try:
        return int(voice)
    except ValueError:
        raise ConfigError(
            f"voice '{voice}' is not a speaker number; VITS models take a speaker id (0, 1, …) or none"
        ) from None


def _resolve(given: str) -> tuple[str, bool]:
    """The directory or hub id to load, and whether it is a local directory."""
    path = Path(given).expanduser()
    if path.is_dir():
        return str(path), True
    if path.exists():
        raise ProviderError(f"speech model '{given}' is a file; pass the directory that holds config.json")
    if looks_like_path(given):
        raise ProviderError(
            f"speech model directory '{given}' does not exist; pass a directory saved with save_pretrained "
            "or a hub id such as 'facebook/mms-tts-eng'"
        )
    return given, False
