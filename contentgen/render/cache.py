"""The renderer's in-process caches (fonts, glyph masks, fitted blocks, scrim tables), cleared in one call.

Every cache here holds a pure function's results: the same inputs always give the same pixels, so a cache only
saves time. ``clear_caches`` empties them all (tests use it to render cold).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Protocol, TypeVar


class _Clearable(Protocol):
    def cache_clear(self) -> None: ...


F = TypeVar("F", bound=Callable[..., Any])

_CACHES: list[_Clearable] = []


def cached(maxsize: int) -> Callable[[F], F]:
    """``functools.lru_cache(maxsize)``, registered with ``clear_caches``."""

    def wrap(function: F) -> F:
        wrapped = functools.lru_cache(maxsize=maxsize)(function)
        _CACHES.append(wrapped)
        return wrapped  # type: ignore[return-value]

    return wrap


def register(cache: _Clearable) -> None:
    """Have ``clear_caches`` empty `cache` too (anything with ``cache_clear``)."""
    _CACHES.append(cache)


def clear_caches() -> None:
    """Empty every registered cache of the modules imported so far."""
    for cache in _CACHES:
        cache.cache_clear()
