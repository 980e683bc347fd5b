"""The offline default embedder: wordllama's static token vectors, shipped inside its wheel.

wordllama's own loader looks for the tokenizer under ``wordllama/tokenizer/`` but the wheel puts it in
``wordllama/tokenizers/``, so it would go to the Hugging Face hub for it; importing wordllama also calls
``logging.basicConfig``. This provider therefore reads the two shipped files itself (safetensors weights and
a `tokenizers` JSON) and does what wordllama's inference does: average the token vectors of a text, then
scale to unit length. Nothing is downloaded and nothing is imported from wordllama.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field, PositiveInt

from contentgen.errors import ProviderError
from contentgen.providers.base import Embedder, ProviderOptions

if TYPE_CHECKING:
    import numpy as np
    from tokenizers import Tokenizer

__all__ = ["StaticEmbedder", "StaticOptions"]

_CONFIG = "l2_supercat"
_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"


class StaticOptions(ProviderOptions):
    dim: Literal[64, 128, 256] = Field(256, description="leading dimensions kept (wordllama is Matryoshka-trained)")
    batch_size: PositiveInt = Field(4096, description="texts tokenized and pooled together")


@dataclass(frozen=True)
class _Loaded:
    vectors: np.ndarray
    tokenizer: Tokenizer


class StaticEmbedder(Embedder):
    """Mean of wordllama's static token embeddings; fast, offline, no torch."""

    name: ClassVar[str] = "static"
    Options = StaticOptions
    options: StaticOptions

    def __init__(self, options: StaticOptions | Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None

    @property
    def model(self) -> str:
        return f"wordllama-{_CONFIG}-{self.options.dim}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np
        from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

        loaded = self._load()
        dim = self.options.dim
        out = np.zeros((len(texts), dim), dtype=np.float32)
        size = self.options.batch_size
        for start in range(0, len(texts), size):
            encodings = loaded.tokenizer.encode_batch(list(texts[start : start + size]), add_special_tokens=False)
            lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
            ids = np.fromiter((i for e in encodings for i in e.ids), dtype=np.int64, count=int(lengths.sum()))
            # Sum of each text's token vectors as one sparse (texts × vocabulary) product: no per-text loop.
            counts = csr_matrix(
                (np.ones(len(ids), dtype=np.float32), (np.repeat(np.arange(len(encodings)), lengths), ids)),
                shape=(len(encodings), loaded.vectors.shape[0]),
            )
            out[start : start + len(encodings)] = counts @ loaded.vectors
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        out /= np.maximum(norms, 1e-12)  # the mean's scale drops out; an empty text stays the zero vector
        return out

    def _load(self) -> _Loaded:
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load_now()
            return self._loaded

    def _load_now(self) -> _Loaded:
        import numpy as np

        spec = importlib.util.find_spec("wordllama")  # locates the package without running its __init__
        if spec is None or not spec.submodule_search_locations:
            raise ProviderError(
                f"the embed provider '{self.name}' needs the 'wordllama' package: pip install wordllama"
            )
        root = Path(next(iter(spec.submodule_search_locations)))
        weights, tokenizer_file = root / "weights" / f"{_CONFIG}_256.safetensors", root / _TOKENIZER
        for path in (weights, tokenizer_file):
            if not path.is_file():
                raise ProviderError(
                    f"the embed provider '{self.name}' needs {path}, which this wordllama install lacks; "
                    "reinstall it with pip install --force-reinstall wordllama"
                )
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        table = load_file(str(weights))["embedding.weight"][:, : self.options.dim]
        tokenizer = Tokenizer.from_file(str(tokenizer_file))
        tokenizer.no_padding()
        tokenizer.no_truncation()
        return _Loaded(np.ascontiguousarray(table, dtype=np.float32), tokenizer)
