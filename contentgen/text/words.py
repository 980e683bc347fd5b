"""Words of a text with their places: jieba words for Chinese, lower-case words for Latin script, numbers apart.

`words` is what the agent's support check compares (a model sentence's words against its sources): each `Word`
keeps its span so a claim word can be related to the words around it. `stem` folds English inflections (ships,
shipped, shipping → ship; priced, price → pric) so a paraphrase meets the record's wording. jieba is imported on
first use and its dictionary loaded once into a private tokenizer (`jieba_cutter`), shared with catalog search.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from dataclasses import dataclass
from typing import Any

__all__ = ["Word", "jieba_cutter", "stem", "words"]

_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[A-Za-z0-9]+(?:['’.][A-Za-z0-9]+)*")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")

_lock = threading.Lock()
_cutter: Any = None


def jieba_cutter() -> Any:
    """A private jieba tokenizer (its dictionary loads once, about a second), so the global one stays untouched."""
    global _cutter
    with _lock:
        if _cutter is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)  # it announces loading its dictionary at INFO
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _cutter = tokenizer
        return _cutter


@dataclass(frozen=True)
class Word:
    """One word: lower-case text, its span in the text, and whether it is Chinese or a number."""

    text: str
    start: int
    end: int
    han: bool = False
    number: bool = False


def words(text: str) -> list[Word]:
    """The words of `text` in order (Chinese runs cut by jieba; punctuation and spaces dropped)."""
    found: list[Word] = []
    for run in _RUN.finditer(text):
        piece = run.group()
        if _HAN.match(piece):
            for word, start, end in jieba_cutter().tokenize(piece):
                found.append(Word(word, run.start() + start, run.start() + end, han=True))
        else:
            lowered = piece.lower().replace("’", "'")
            found.append(Word(lowered, run.start(), run.end(), number=bool(_NUMBER.fullmatch(lowered))))
    return found


@functools.lru_cache(maxsize=1 << 14)
def stem(word: str) -> str:
    """A light English stemmer: possessives, plurals, -ing, -ed and a final e; other scripts as they are."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes", "zes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # shipping → shipp → ship
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word
