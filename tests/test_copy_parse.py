"""The copy pipeline's parser on what real models return: fences, prose, single quotes, extra and missing fields."""

from __future__ import annotations

import pytest

from contentgen.domain.loaders import resolve_channel
from contentgen.pipelines.copy import _parse
from contentgen.testing import ScriptedTextProvider

SMS = resolve_channel("sms")


def field_names() -> tuple[str, str | None]:
    required = [n for n, s in SMS.fields.items() if s.required]
    optional = [n for n, s in SMS.fields.items() if not s.required]
    return required[0], optional[0] if optional else None


@pytest.mark.parametrize(
    "raw",
    [
        'Sure! Here is the copy:\n```json\n{"fields": {"FIELD": "Fresh tea, $24.99."}, "hashtags": ["tea"]}\n```\n'
        "Hope it helps.",
        '{"FIELD": "Fresh tea, $24.99.", "hashtags": "#tea, #green"}',
        "{'fields': {'FIELD': 'Fresh tea, $24.99.'}, 'hashtags': ['tea'], 'mood': 'calm'}",
        '{"fields": {"FIELD": "Fresh tea, $24.99.",}, "hashtags": ["tea",],} and more prose {not json}',
        '{"fields": {"FIELD": "Fresh tea, $24.99."}, "hashtags": ["tea"',  # cut off by max_tokens
    ],
)
def test_tolerant_parse(raw: str) -> None:
    name, _ = field_names()
    parsed = _parse(raw.replace("FIELD", name), SMS)
    assert parsed["fields"][name] == "Fresh tea, $24.99."
    assert "mood" not in parsed["fields"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("", "not a JSON object"), ("I cannot help with that.", "not a JSON object"), ('{"other": "x"}', "is missing")],
)
def test_unparseable_says_why(raw: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        _parse(raw, SMS)


def test_scripted_provider_streams_and_runs_out_clearly() -> None:
    from contentgen.errors import ProviderError
    from contentgen.providers import TextRequest

    fake = ScriptedTextProvider(["hello world"], chunk=3)
    assert list(fake.stream(TextRequest.from_prompt("hi"))) == ["hel", "lo ", "wor", "ld"]
    with pytest.raises(ProviderError, match="only 1 replies were scripted"):
        fake.complete("again")
    assert len(fake.requests) == 2
