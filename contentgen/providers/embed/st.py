"""Sentence embeddings from a sentence-transformers model: a local directory or a hub id in the cache.

Select it with ``CONTENTGEN_EMBED__NAME=sentence-transformers`` and ``CONTENTGEN_EMBED__OPTIONS__MODEL=DIR``
(or ``[embed] name = "sentence-transformers"`` / ``options = {model = "DIR"}`` in contentgen.toml). A hub id
(for example ``BAAI/bge-small-zh-v1.5``) is looked up in the Hugging Face cache first and downloaded only if
the hub can be reached. Rows come back L2-normalised, so cosine distance in Chroma is what the model meant.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field, PositiveInt

from contentgen.errors import MissingExtraError, ProviderError
from contentgen.providers.base import Embedder, ProviderOptions
from contentgen.providers.support import load_cached_or_hub, looks_like_path, one_line

if TYPE_CHECKING:
    import numpy as np

__all__ = ["SentenceTransformersEmbedder", "SentenceTransformersOptions"]


class SentenceTransformersOptions(ProviderOptions):
    model: str = Field(min_length=1, description="a sentence-transformers directory, or a hub id found in the cache")
    device: str | None = Field(
        None, pattern=r"^(cpu|mps|(cuda|xpu|npu)(:\d+)?)$", description="default: the model's own choice (GPU if any)"
    )
    batch_size: PositiveInt = Field(64, description="texts encoded together")


class SentenceTransformersEmbedder(Embedder):
    """A SentenceTransformer loaded on first use, encoding in batches."""

    name: ClassVar[str] = "sentence-transformers"
    Options = SentenceTransformersOptions
    options: SentenceTransformersOptions

    def __init__(self, options: SentenceTransformersOptions | Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self._lock = threading.Lock()
        self._model: Any = None

    @property
    def model(self) -> str:
        return self.options.model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        model = self._load()
        if not texts:
            # sentence-transformers 6 renamed get_sentence_embedding_dimension (now deprecated) to this.
            dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
            return np.zeros((0, dimension() or 0), dtype=np.float32)
        vectors = model.encode(
            list(texts),
            batch_size=self.options.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def close(self) -> None:
        with self._lock:
            self._model = None

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = self._load_now()
            return self._model

    def _load_now(self) -> Any:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as err:
            raise MissingExtraError(
                err.name or "sentence_transformers", "models", f"the embed provider '{self.name}'"
            ) from None
        given = self.options.model
        path = Path(given).expanduser()
        device = self.options.device
        try:
            if path.is_dir():
                return SentenceTransformer(str(path), device=device, local_files_only=True)
            if path.exists() or looks_like_path(given):
                raise ProviderError(
                    f"model directory '{given}' does not exist; pass a directory saved with "
                    "SentenceTransformer.save(), or a hub id such as 'BAAI/bge-small-zh-v1.5'"
                )
            return load_cached_or_hub(
                given, lambda local_only: SentenceTransformer(given, device=device, local_files_only=local_only)
            )
        except ProviderError:
            raise
        except Exception as err:
            raise ProviderError(f"cannot load the sentence-transformers model '{given}': {one_line(err)}") from err
