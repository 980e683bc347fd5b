"""The renderer's in-process caches (fonts, glyph masks, fitted blocks, scrim tables), cleared in one call.

Every cache here holds a pure function's results: the same inputs always give the same pixels, so a cache only
saves time. ``clear_caches`` empties them all (tests use it to render cold).
"""

from __future__ import annotations

import functools
import itertools
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


class Table(dict[Any, Any]):
    """A plain dict cache of at most `limit` entries (emptied when full), registered with ``clear_caches``:
    for results keyed by ``serial`` numbers instead of the objects themselves, which it must not keep alive."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        register(self)

    def put(self, key: Any, value: Any) -> None:
        if len(self) >= self.limit:
            self.clear()
        self[key] = value

    def cache_clear(self) -> None:
        self.clear()


_SERIALS = itertools.count(1)


def serial(thing: object) -> int:
    """A number for `thing` that no other object ever gets in this process (unlike ``id``, never reused), so a
    cache can key on it without holding `thing` (a word breaker holds a whole jieba dictionary)."""
    number: int | None = getattr(thing, "_contentgen_serial", None)
    if number is None:
        number = next(_SERIALS)
        thing._contentgen_serial = number  # type: ignore[attr-defined]
    return number


def register(cache: _Clearable) -> None:
    """Have ``clear_caches`` empty `cache` too (anything with ``cache_clear``)."""
    _CACHES.append(cache)


def clear_caches() -> None:
    """Empty every registered cache of the modules imported so far."""
    for cache in _CACHES:
        cache.cache_clear()
