"""The provider registry. Built-in providers are entry points, exactly like a third-party plugin's.

A plugin package declares, in its pyproject.toml::

    [project.entry-points."contentgen.text"]
    my-llm = "my_package.module:MyTextProvider"

and `contentgen providers list` shows it; `--text-provider my-llm` or `CONTENTGEN_TEXT__NAME=my-llm` selects it.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Literal, overload

from contentgen.errors import ConfigError, MissingExtraError, NotFoundError, ProviderError

if TYPE_CHECKING:
    from contentgen.config import Settings
    from contentgen.providers.base import Embedder, ImageProvider, Provider, ProviderKind, SpeechProvider, TextProvider

GROUP = "contentgen.{kind}"
# Which extra brings a missing module, for the install hint.
EXTRAS = {
    "torch": "models",
    "transformers": "models",
    "accelerate": "models",
    "diffusers": "models",
    "sentence_transformers": "models",
    "openai": "openai",
    "langchain_core": "langchain",
}
_runtime: dict[str, dict[str, str | type[Provider]]] = {}


def register(kind: ProviderKind, name: str, target: str | type[Provider]) -> None:
    """Register a provider at run time ('module:Class' or the class); wins over an entry point of the same name."""
    _runtime.setdefault(kind, {})[name] = target


def unregister(kind: ProviderKind, name: str) -> None:
    _runtime.get(kind, {}).pop(name, None)


def available(kind: ProviderKind) -> dict[str, str]:
    """Provider name → 'module:Class' for one kind, without importing any of them."""
    found = {ep.name: ep.value for ep in entry_points(group=GROUP.format(kind=kind))}
    for name, target in _runtime.get(kind, {}).items():
        found[name] = target if isinstance(target, str) else f"{target.__module__}:{target.__qualname__}"
    return dict(sorted(found.items()))


def provider_class(kind: ProviderKind, name: str) -> type[Provider]:
    """Import and return the class registered under `name`."""
    from contentgen.providers.base import Provider

    target = _runtime.get(kind, {}).get(name)
    if target is None:
        targets = available(kind)
        if name not in targets:
            raise NotFoundError(f"{kind} provider", name, targets)
        target = targets[name]
    cls: object = target
    if isinstance(target, str):
        module_name, _, attr = target.partition(":")
        try:
            cls = getattr(import_module(module_name), attr)
        except ImportError as err:
            missing = (err.name or module_name).partition(".")[0]
            if missing in EXTRAS:
                raise MissingExtraError(missing, EXTRAS[missing], f"the {kind} provider '{name}'") from None
            raise ProviderError(f"the {kind} provider '{name}' needs the '{missing}' package: {err}") from None
        except AttributeError:
            raise ProviderError(f"{kind} provider '{name}' points to '{target}', which does not exist") from None
    if not (isinstance(cls, type) and issubclass(cls, Provider) and cls.kind == kind):
        raise ProviderError(f"'{target}' registered as {kind} provider '{name}' is not a provider of kind '{kind}'")
    return cls


@overload
def create(kind: Literal["text"], name: str, options: Mapping[str, Any] | None = None) -> TextProvider: ...
@overload
def create(kind: Literal["image"], name: str, options: Mapping[str, Any] | None = None) -> ImageProvider: ...
@overload
def create(kind: Literal["embed"], name: str, options: Mapping[str, Any] | None = None) -> Embedder: ...
@overload
def create(kind: Literal["speech"], name: str, options: Mapping[str, Any] | None = None) -> SpeechProvider: ...
@overload
def create(kind: ProviderKind, name: str, options: Mapping[str, Any] | None = None) -> Provider: ...
def create(kind: ProviderKind, name: str, options: Mapping[str, Any] | None = None) -> Provider:
    """Build a provider by name with validated options; typed by kind (`create("text", …)` is a TextProvider)."""
    # provider_class checked that the class is a Provider of this kind, so the kind's base class holds.
    return provider_class(kind, name)(options)


@overload
def from_settings(kind: Literal["text"], settings: Settings, name: str | None = None) -> TextProvider: ...
@overload
def from_settings(kind: Literal["image"], settings: Settings, name: str | None = None) -> ImageProvider: ...
@overload
def from_settings(kind: Literal["embed"], settings: Settings, name: str | None = None) -> Embedder: ...
@overload
def from_settings(kind: Literal["speech"], settings: Settings, name: str | None = None) -> SpeechProvider: ...
@overload
def from_settings(kind: ProviderKind, settings: Settings, name: str | None = None) -> Provider: ...
def from_settings(kind: ProviderKind, settings: Settings, name: str | None = None) -> Provider:
    """The provider the settings choose for `kind`; a flag's `name` overrides the configured one.

    Typed by kind: `from_settings("text", settings)` is a `TextProvider`, no isinstance check needed.
    """
    choice = getattr(settings, kind)
    if name is not None and name != choice.name:
        return create(kind, name)
    if not isinstance(choice.options, Mapping):  # pragma: no cover - pydantic guarantees a dict
        raise ConfigError(f"{kind}.options must be a table")
    return create(kind, choice.name, choice.options)
