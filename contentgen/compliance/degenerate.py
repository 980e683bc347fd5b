"""Checks for what weak models write that no rule about claims catches: endless repetition and the wrong language.

Both are measured on the generated text of one field (before signature, opt-out and hashtags are added):
- repetition: the share of word n-grams (Han characters count as words) that repeat an earlier n-gram, or one
  sentence said three times or more;
- language: the share of the expected script among the field's units (Latin words, Han characters, letters of
  other scripts); a zh-CN field written mostly in English, or an en-US field mostly in Han characters, is wrong.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from contentgen.domain.common import Locale
from contentgen.domain.findings import Finding, Severity
from contentgen.text.sentences import split_sentences

REPETITION_RULE = "copy.repetition"
LANGUAGE_RULE = "copy.wrong_language"
GARBLED_RULE = "copy.garbled"
NGRAM = 3
MAX_REPEATED_SHARE = 0.5  # natural copy stays well under this (the shipped templates stay under 0.15)
MIN_NGRAMS = 8  # below this a repeated phrase is a style choice, not a loop
MIN_UNITS = 6  # below this a field is too short to judge its language (a name, a price)
MIN_SCRIPT_SHARE = 0.5

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_UNITS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W\d_]+", re.UNICODE)


def _units(text: str) -> list[str]:
    """Words and single Han characters, lower-cased: the tokens both checks count."""
    out: list[str] = []
    for unit in _UNITS.findall(text.lower()):
        if _HAN.fullmatch(unit):
            out.append(unit)
        else:  # a Latin word glued to other scripts is split by script
            out.extend(re.findall(r"[a-z]+|[^a-z]+", unit))
    return out


def repeated_share(text: str, n: int = NGRAM) -> float:
    """The share of word n-grams that repeat an earlier one: 0.0 for varied text, near 1.0 for a loop."""
    units = _units(text)
    grams = [tuple(units[i : i + n]) for i in range(len(units) - n + 1)]
    if not grams:
        return 0.0
    return 1.0 - len(set(grams)) / len(grams)


def _repeated_sentence(text: str) -> tuple[str, int] | None:
    sentences = [re.sub(r"\W+", " ", s).strip().lower() for s in split_sentences(text)]
    counts = Counter(s for s in sentences if s)
    if not counts:
        return None
    sentence, times = counts.most_common(1)[0]
    return (sentence, times) if times >= 3 else None


def script_share(text: str, locale: Locale) -> tuple[float, int]:
    """(share of the units written in the locale's script, units counted): Han for zh-CN, Latin for en-US."""
    units = _units(text)
    if not units:
        return 1.0, 0
    if locale == "zh-CN":
        hits = sum(bool(_HAN.fullmatch(u)) for u in units)
    else:
        hits = sum(all(_is_latin(ch) for ch in u) for u in units)
    return hits / len(units), len(units)


def _is_latin(ch: str) -> bool:
    return ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")


def garbled(text: str) -> str:
    """The first character no copy has: U+FFFD (bytes that were not text), a control character other than a line
    break or tab, a private-use or unassigned code point; '' when there is none."""
    import unicodedata

    for ch in text:
        kind = unicodedata.category(ch)
        if ch == "\ufffd" or (kind == "Cc" and ch not in "\n\r\t") or kind in {"Co", "Cn", "Cs"}:
            return ch
    return ""


def _block(rule: str, name: str, text: str, message: str) -> Finding:
    return Finding(rule=rule, severity=Severity.BLOCK, field=name, text=text[:80], message=message)


def degenerate_findings(texts: dict[str, str], locale: Locale) -> list[Finding]:
    """Blocking findings for fields that loop, are not in `locale` or hold broken characters: the repair loop
    regenerates them."""
    found: list[Finding] = []
    for name, text in texts.items():
        if bad := garbled(text):
            found.append(
                _block(GARBLED_RULE, name, text, f"{name} holds a broken character ({bad!a}); write plain text")
            )
        share = repeated_share(text)
        units = _units(text)
        looped = _repeated_sentence(text)
        if looped or (len(units) - NGRAM + 1 >= MIN_NGRAMS and share > MAX_REPEATED_SHARE):
            said = f"'{looped[0][:40]}' {looped[1]} times" if looped else f"{share:.0%} of its phrases repeat"
            found.append(_block(REPETITION_RULE, name, text, f"{name} repeats itself ({said}); say each point once"))
        in_script, counted = script_share(text, locale)
        if counted >= MIN_UNITS and in_script < MIN_SCRIPT_SHARE:
            language = "Chinese (简体中文)" if locale == "zh-CN" else "English"
            found.append(
                _block(
                    LANGUAGE_RULE,
                    name,
                    text,
                    f"{name} is not in {language} ({in_script:.0%} of it is); write it in {language}",
                )
            )
    return found
