from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

import pytest

from contentgen.config import load_settings
from contentgen.errors import ConfigError, MissingExtraError, NotFoundError, ProviderError
from contentgen.providers import (
    ProviderOptions,
    TextProvider,
    TextRequest,
    TextResult,
    available,
    create,
    from_settings,
    provider_class,
    register,
    unregister,
)


class EchoOptions(ProviderOptions):
    prefix: str = ">"


class Echo(TextProvider):
    """A third-party provider as a plugin author would write it: one class, one method."""

    name: ClassVar[str] = "echo"
    Options = EchoOptions

    def generate(self, requests: Sequence[TextRequest]) -> list[TextResult]:
        prefix = self.options.prefix  # type: ignore[attr-defined]
        return [TextResult(f"{prefix}{r.messages[-1].content}") for r in requests]


@pytest.fixture
def echo() -> Iterator[None]:
    register("text", "echo", Echo)
    yield
    unregister("text", "echo")


def test_runtime_registration(echo: None) -> None:
    assert "echo" in available("text")
    provider = create("text", "echo", {"prefix": "#"})
    assert provider.complete("hi") == "#hi"
    assert provider.info().options == {"prefix": "#"}


def test_registration_by_import_path() -> None:
    register("text", "echo2", f"{__name__}:Echo")
    try:
        assert provider_class("text", "echo2") is Echo
    finally:
        unregister("text", "echo2")


def test_unknown_provider_lists_the_valid_ones(echo: None) -> None:
    with pytest.raises(NotFoundError, match=r"unknown text provider 'ecko'; did you mean 'echo'\?"):
        create("text", "ecko")


def test_unknown_option_is_named(echo: None) -> None:
    with pytest.raises(
        ConfigError, match=r"text provider 'echo': option 'prefx': unknown option; valid options: prefix"
    ):
        create("text", "echo", {"prefx": "#"})


def test_missing_dependency_names_the_package() -> None:
    register("text", "broken", "no_such_module_xyz:Thing")
    try:
        with pytest.raises(ProviderError, match=r"provider 'broken' needs the 'no_such_module_xyz' package"):
            provider_class("text", "broken")
    finally:
        unregister("text", "broken")


def test_missing_extra_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "openai", None)  # an import of it now fails as if not installed
    register("text", "needs-openai", "openai:OpenAI")
    try:
        with pytest.raises(MissingExtraError, match=r"install it with pip install 'contentgen\[openai\]'"):
            provider_class("text", "needs-openai")
    finally:
        unregister("text", "needs-openai")


def test_wrong_kind_is_refused() -> None:
    register("image", "echo", Echo)
    try:
        with pytest.raises(ProviderError, match=r"is not a provider of kind .image."):
            provider_class("image", "echo")
    finally:
        unregister("image", "echo")


def test_selection_by_environment(echo: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTENTGEN_TEXT__NAME", "echo")
    monkeypatch.setenv("CONTENTGEN_TEXT__OPTIONS", '{"prefix": "env:"}')
    provider = from_settings("text", load_settings())
    assert provider.complete("x") == "env:x"


def test_selection_by_config_file(echo: None, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "contentgen.toml"
    config.write_text('[text]\nname = "echo"\noptions = { prefix = "toml:" }\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert from_settings("text", load_settings()).complete("x") == "toml:x"
    # a flag wins over the file
    register("text", "echo-flag", Echo)
    try:
        assert from_settings("text", load_settings(), name="echo-flag").complete("x") == ">x"
    finally:
        unregister("text", "echo-flag")


def test_bad_config_file_is_one_line(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "contentgen.toml"
    config.write_text("[text]\nnmae = 'x'\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"contentgen.toml: setting 'text.nmae'"):
        load_settings()
    config.write_text("[text\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"contentgen.toml: invalid TOML"):
        load_settings()
