"""The deliverable registry: kind → 'module:Class', from `contentgen.deliverables` entry points and registrations."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from importlib.metadata import entry_points

from contentgen.campaign.deliverables import Deliverable
from contentgen.errors import ConfigError, ContentgenError, NotFoundError

GROUP = "contentgen.deliverables"
_runtime: dict[str, str] = {}


def available_deliverables() -> dict[str, str]:
    """Kind → 'module:Class' of every registered deliverable, without importing them."""
    found = {ep.name: ep.value for ep in entry_points(group=GROUP)}  # built-ins too: see pyproject.toml
    found.update(_runtime)
    return dict(sorted(found.items()))


def register_deliverable(cls: type[Deliverable] | str, kind: str | None = None) -> None:
    """Register a deliverable class (or 'module:Class') under its kind; wins over a built-in of that kind.

    Worker processes import it by name, so the class must live at the top level of an importable module.
    """
    if isinstance(cls, str):
        if kind is None:
            raise ConfigError("register_deliverable('module:Class') needs kind=")
        _runtime[kind] = cls
        return
    if "<locals>" in cls.__qualname__:
        raise ConfigError(
            f"deliverable {cls.__qualname__} is defined inside a function; define it at the top level of a module "
            "so worker processes can import it"
        )
    _runtime[kind or cls.kind] = f"{cls.__module__}:{cls.__qualname__}"


def unregister_deliverable(kind: str) -> None:
    _runtime.pop(kind, None)
    _instances.pop(kind, None)


def use_registry(targets: Mapping[str, str]) -> None:
    """Make this process's registry exactly `targets` (worker processes get the parent's)."""
    _runtime.clear()
    _runtime.update(targets)
    _instances.clear()


_instances: dict[str, Deliverable] = {}


def deliverable(kind: str) -> Deliverable:
    """The deliverable registered under `kind` (one instance per process)."""
    if kind in _instances:
        return _instances[kind]
    targets = available_deliverables()
    if kind not in targets:
        raise NotFoundError("deliverable", kind, targets)
    target = targets[kind]
    module_name, _, attr = target.partition(":")
    try:
        cls = getattr(import_module(module_name), attr)
    except (ImportError, AttributeError) as err:
        raise ContentgenError(f"deliverable '{kind}' points to '{target}', which cannot be imported: {err}") from None
    if not (isinstance(cls, type) and issubclass(cls, Deliverable)):
        raise ContentgenError(f"'{target}' registered as deliverable '{kind}' is not a Deliverable subclass")
    instance = cls()
    _instances[kind] = instance
    return instance
