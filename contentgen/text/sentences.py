"""One sentence splitter for the agent, captions and copy.

A sentence ends after CJK or Latin end punctuation (。！？；… ! ? ;), after a newline, or after a full stop that
is followed by white space or the end of the text (so "$5.95" and "v1.2" stay whole); the closing quotes and
brackets, further end marks and white space that follow belong to the sentence, so joining the pieces gives the
text back. ``clauses=True`` also cuts after commas, 、 and colons, except between two digits (1,000 and 10:30).

For checks that ask about a position rather than split (grounding, ad law): `sentence_span` (the sentence around a
span), `sentence_end` (the mark that ends it: is it a question?), `at_sentence_start`, and `split_statements`
(a fact sheet line cut at its end marks, the marks dropped).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = [
    "SentenceBuffer",
    "at_sentence_start",
    "sentence_end",
    "sentence_span",
    "split_sentences",
    "split_statements",
]

_STRONG = frozenset("。！？；…!?;")
_SOFT = frozenset("，、：﹐﹑,:")
_CLOSERS = frozenset("”’」』）)\"'")
_TRAILING = _STRONG | _CLOSERS | {"."}


_INITIALISM = re.compile(r"(?:^|[^A-Za-z.])(?:[A-Za-z]\.)+[A-Za-z]$")
"""Letters with full stops between them, the last stop not yet read: P.O, U.S, a.m, e.g."""


def _latin_stop(text: str, i: int, final: bool) -> bool:
    """Whether the full stop at ``i`` ends a sentence: white space (or the end) follows, maybe after closers; after
    an initialism ("P.O. boxes", "a.m. on"), only if the next word does not go on in lower case or with a digit."""
    j = i + 1
    while j < len(text) and text[j] in _CLOSERS:
        j += 1
    if j == len(text):
        return final
    if not text[j].isspace():
        return False
    if j == i + 1 and _INITIALISM.search(text, max(0, i - 12), i):
        k = j
        while k < len(text) and text[k].isspace():
            k += 1
        if k == len(text):
            return final
        return not (text[k].islower() or text[k].isdigit())
    return True


def _pieces(text: str, clauses: bool, final: bool) -> Iterator[tuple[str, bool]]:
    """(piece, ended) for each piece of ``text``; only the last can have ``ended`` False."""
    start, i, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if ch == "\n" or ch in _STRONG:
            cut = True
        elif ch == ".":
            cut = _latin_stop(text, i, final)
        elif clauses and ch in _SOFT:
            cut = not (ch in ",:" and i > 0 and text[i - 1].isdigit() and nxt.isdigit())
        else:
            cut = False
        i += 1
        if cut:
            while i < n and text[i] in _TRAILING:  # 。」 ?!  ." : the closers and marks that follow
                i += 1
            while i < n and text[i].isspace():
                i += 1
            yield text[start:i], True
            start = i
    if start < n:
        yield text[start:], False


def split_sentences(text: str, *, clauses: bool = False, keep_ends: bool = True) -> list[str]:
    """The sentences (or, with ``clauses``, the clauses) of ``text``; pieces that are only white space are dropped.

    With ``keep_ends`` (the default) each piece keeps its end punctuation and the white space after it, so that
    ``"".join(pieces)`` is ``text`` less any white-space-only piece; ``keep_ends=False`` strips white space from
    each piece instead (the punctuation stays)."""
    pieces = [piece for piece, _ in _pieces(text, clauses, final=True) if piece.strip()]
    return pieces if keep_ends else [piece.strip() for piece in pieces]


class SentenceBuffer:
    """Collects streamed pieces and hands back whole sentences (as `split_sentences` cuts them) once they end.

    A full stop at the very end of what has arrived waits for the next piece ("$5." may go on as "$5.95")."""

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, piece: str) -> Iterator[str]:
        self._pending += piece
        done = 0
        for sentence, ended in _pieces(self._pending, clauses=False, final=False):
            if not ended:
                break
            yield sentence
            done += len(sentence)
        self._pending = self._pending[done:]

    def flush(self) -> Iterator[str]:
        if self._pending.strip():
            yield self._pending
        self._pending = ""


# ---- positions ------------------------------------------------------------------------------------

_END_MARK = re.compile(r"[。！？!?；;\n]|\.(?:\s|$)")
"""A sentence end, for spans: a CJK or Latin end mark, a newline, or a full stop before white space or the end."""
_STATEMENT_CUT = re.compile(r"[。！？!?；;\n]+|(?<=[a-z0-9)\]*])\.\s+")
_BEFORE_START = re.compile(r"(?:^|[.!?。！？\n])[\s\"'“‘(（]*$")


def sentence_span(text: str, start: int, end: int | None = None) -> tuple[int, int]:
    """(start, end) of the sentence holding ``text[start:end]``, without the mark that ends it."""
    first = 0
    for match in _END_MARK.finditer(text, 0, start):
        first = match.end()
    after = _END_MARK.search(text, start if end is None else end)
    return first, after.start() if after else len(text)


def sentence_end(text: str, position: int) -> str | None:
    """The mark that ends the sentence `position` is in ("?" in a question); None when the text ends first."""
    after = _END_MARK.search(text, position)
    return after.group(0) if after else None


def at_sentence_start(text: str, position: int) -> bool:
    """Whether only white space, quotes or an opening bracket stand between the last sentence end and `position`."""
    return _BEFORE_START.search(text[:position]) is not None


def split_statements(text: str) -> list[str]:
    """`text` cut at its end marks, the marks dropped (a full stop only after a lower-case letter, a digit or a
    bracket, so "Co. Ltd" and "$5.95" stay whole); pieces may be empty."""
    return _STATEMENT_CUT.split(text)
