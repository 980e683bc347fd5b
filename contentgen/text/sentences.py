"""One sentence splitter for the agent, captions and copy.

A sentence ends after CJK or Latin end punctuation (。！？；… ! ? ;), after a newline, or after a full stop that
is followed by white space or the end of the text (so "$5.95" and "v1.2" stay whole); the closing quotes and
brackets, further end marks and white space that follow belong to the sentence, so joining the pieces gives the
text back. ``clauses=True`` also cuts after commas, 、 and colons, except between two digits (1,000 and 10:30).
"""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["SentenceBuffer", "split_sentences"]

_STRONG = frozenset("。！？；…!?;")
_SOFT = frozenset("，、：﹐﹑,:")
_CLOSERS = frozenset("”’」』）)\"'")
_TRAILING = _STRONG | _CLOSERS | {"."}


def _latin_stop(text: str, i: int, final: bool) -> bool:
    """Whether the full stop at ``i`` ends a sentence: white space (or the end) follows, maybe after closers."""
    j = i + 1
    while j < len(text) and text[j] in _CLOSERS:
        j += 1
    if j == len(text):
        return final
    return text[j].isspace()


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
