"""Literal pre-checks for claim patterns: a pattern only runs on a text holding a literal every match must contain.

Most texts hold no promise or discount, yet each of those patterns (numbers, units, dozens of alternatives) scans
every position of every text. ``needles`` reads the parsed pattern for literals that every match contains (the
longest run of a sequence, or one literal from each branch of an alternation); ``Prefilter.may_match`` is False
only when the text contains none of them, and then the pattern cannot match. Literals inside a case-insensitive
group are looked for by a regular expression of those literals under the same flag, so case folding is the
regular-expression engine's own.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

_parser: Any = importlib.import_module("re._parser")  # the stdlib's own pattern parser (``sre_parse`` is deprecated)
_c: Any = importlib.import_module("re._constants")

Needle = tuple[str, bool]
"""A literal and whether it is matched case-insensitively."""
_SMALL_SET = 8


def needles(pattern: re.Pattern[str]) -> frozenset[Needle] | None:
    """Literals one of which every match of `pattern` contains, or None when no such set was found."""
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags & ~re.UNICODE)
    except re.error:  # pragma: no cover - the pattern compiled, so it parses
        return None
    return _sequence(list(parsed), bool(pattern.flags & re.IGNORECASE))


def _better(a: frozenset[Needle] | None, b: frozenset[Needle] | None) -> frozenset[Needle] | None:
    """The more selective of two requirements (longer shortest literal, then fewer literals)."""
    if a is None or b is None:
        return a if b is None else b
    return a if (min(len(s) for s, _ in a), -len(a)) >= (min(len(s) for s, _ in b), -len(b)) else b


def _sequence(items: list[tuple[Any, Any]], ci: bool) -> frozenset[Needle] | None:
    best: frozenset[Needle] | None = None
    run = ""
    for op, av in [*items, (None, None)]:
        if op is _c.LITERAL:
            run += chr(av)
            continue
        if run:
            best = _better(best, frozenset({(run, ci)}))
            run = ""
        if op is not None:
            best = _better(best, _item(op, av, ci))
    return best


def _item(op: Any, av: Any, ci: bool) -> frozenset[Needle] | None:
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        inner = (ci or bool(add_flags & re.IGNORECASE)) and not del_flags & re.IGNORECASE
        return _sequence(list(sub), inner)
    if op is _c.BRANCH:
        found: set[Needle] = set()
        for branch in av[1]:
            required = _sequence(list(branch), ci)
            if required is None:
                return None
            found |= required
        return frozenset(found)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT) and av[0] >= 1:
        return _sequence(list(av[2]), ci)
    if op is _c.ATOMIC_GROUP:
        return _sequence(list(av), ci)
    if op is _c.IN and len(av) <= _SMALL_SET and all(o is _c.LITERAL for o, _ in av):
        return frozenset((chr(code), ci) for _, code in av)
    return None  # anything else (classes, lookarounds, optional parts) requires nothing we can name


@dataclass(frozen=True)
class Prefilter:
    """The pre-check of one pattern: literals looked for as they are, and a search for the case-insensitive ones."""

    plain: tuple[str, ...]
    folded: re.Pattern[str] | None
    always: bool

    @classmethod
    def of(cls, pattern: re.Pattern[str]) -> Prefilter:
        found = needles(pattern)
        if not found:
            return cls((), None, True)
        plain = tuple(sorted(s for s, ci in found if not ci))
        folded = sorted(s for s, ci in found if ci)
        search = re.compile("(?i:" + "|".join(map(re.escape, folded)) + ")") if folded else None
        return cls(plain, search, False)

    def may_match(self, text: str) -> bool:
        """False only when the pattern cannot match anywhere in `text`."""
        if self.always or any(s in text for s in self.plain):
            return True
        return self.folded is not None and self.folded.search(text) is not None
