"""Advertising-law and brand-kit checks on marketing copy, and the repairs they suggest.

The ad-law rules are data: ``rules/<locale>.yaml`` (absolute claims, medical claims for cosmetics
and food, unsupported environmental claims), validated and compiled once per file. The brand rules
come from the kit: ``voice.banned_words`` and the ``voice.disclaimers`` that apply to a channel and
product category. Every problem is a :class:`~contentgen.domain.findings.Finding` with the
offsets of the words in the text and, where a word-for-word fix reads naturally, a suggestion that
:func:`repair` applies.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from contentgen.domain.brand import BrandKit
from contentgen.domain.common import Locale, first_repeat
from contentgen.domain.findings import Finding, Severity
from contentgen.errors import DataError
from contentgen.fileio import load_model
from contentgen.text.sentences import at_sentence_start

RULES_DIR = Path(__file__).resolve().parent / "rules"

ABSOLUTE = "adlaw.absolute"
MEDICAL = "adlaw.medical"
GREENWASH = "adlaw.greenwash"
BANNED_WORD = "brand.banned_word"
DISCLAIMER_MISSING = "brand.disclaimer_missing"

Kind = Literal["cosmetic", "food"]
KINDS: tuple[Kind, ...] = ("cosmetic", "food")
FLAGS = re.IGNORECASE

# ---------------------------------------------------------------------------------------------
# Text folding: one character in, one character out, so offsets in the folded text are offsets
# in the original.

_FOLD: dict[int, int] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_ODD = "\u3000\u00a0\u2018\u2019\u201c\u201d\u2010\u2011\u2013\u2014\u2212"  # spaces, quotes, dashes
_FOLD.update({ord(odd): ord(plain) for odd, plain in zip(_ODD, "  ''\"\"-----", strict=True)})


def fold(text: str) -> str:
    """Full-width ASCII to half-width, odd spaces, curly quotes and dashes to ASCII; same length."""
    return text.translate(_FOLD)


# ---------------------------------------------------------------------------------------------
# The rule file model


def _regex(value: str) -> str:
    try:
        re.compile(value, FLAGS)
    except re.error as err:
        raise ValueError(f"invalid regular expression: {err}") from None
    return value


def _template(value: str) -> str:
    try:
        value.format(text="x")
    except (KeyError, IndexError, ValueError) as err:
        raise ValueError(f"message may only use the placeholder {{text}} ({err})") from None
    return value


Pattern = Annotated[str, Field(min_length=1), AfterValidator(_regex)]
OneLine = Annotated[str, Field(min_length=1, pattern=r"^[^\n\r]*$"), AfterValidator(_template)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TermSpec(_Spec):
    """One banned wording: a regex, the replacement `repair` uses, optional severity and message."""

    pattern: Pattern
    suggest: str | None = Field(default=None, description="replacement; '' deletes; absent: rewrite by hand")
    severity: Severity | None = None
    message: OneLine | None = None
    kinds: list[Kind] = Field(default=list(KINDS), min_length=1, description="for regulated rules")


class RuleSpec(_Spec):
    """A rule: its id, default severity and message template, exceptions and terms."""

    id: str = Field(pattern=r"^[a-z]+\.[a-z_]+$")
    severity: Severity
    message: OneLine
    applies_to: Literal["any", "regulated"] = "any"
    exceptions: list[Pattern] = []
    terms: list[TermSpec] = Field(min_length=1)


class RuleFile(_Spec):
    """A locale's rule file: category keywords and rules."""

    locale: Locale
    categories: dict[Kind, list[Pattern]]
    rules: list[RuleSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> RuleFile:
        rule_id = first_repeat(rule.id for rule in self.rules)
        if rule_id is not None:
            raise ValueError(f"rule id '{rule_id}' appears twice")
        return self


# ---------------------------------------------------------------------------------------------
# Compiled rules


@dataclass(frozen=True, eq=False)
class Term:
    regex: re.Pattern[str]
    suggest: str | None
    severity: Severity
    message: str
    kinds: frozenset[Kind]


@dataclass(frozen=True, eq=False)
class Rule:
    id: str
    regulated: bool
    terms: tuple[Term, ...]
    exceptions: tuple[re.Pattern[str], ...]


@dataclass(frozen=True, eq=False)
class RuleSet:
    """The compiled rules of one locale. Use :func:`load_rules`; `without` makes a reduced copy."""

    locale: Locale
    rules: tuple[Rule, ...]
    categories: tuple[tuple[Kind, re.Pattern[str]], ...]
    source: Path

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(rule.id for rule in self.rules)

    def without(self, *ids: str) -> RuleSet:
        """A copy without the named rules (for ablation in tests and evaluation)."""
        unknown = set(ids) - set(self.ids)
        if unknown:
            raise KeyError(f"no rule {sorted(unknown)} in {self.source}")
        return replace(self, rules=tuple(rule for rule in self.rules if rule.id not in ids))

    def kinds_of(self, category: str | None) -> frozenset[Kind]:
        """Which regulated kinds (cosmetic, food) a product category belongs to; empty if unknown."""
        if not category:
            return frozenset()
        return frozenset(kind for kind, regex in self.categories if regex.search(category))


def _compile(spec: RuleFile, source: Path) -> RuleSet:
    rules = tuple(
        Rule(
            id=rule.id,
            regulated=rule.applies_to == "regulated",
            terms=tuple(
                Term(
                    regex=re.compile(term.pattern, FLAGS),
                    suggest=term.suggest,
                    severity=term.severity or rule.severity,
                    message=term.message or rule.message,
                    kinds=frozenset(term.kinds),
                )
                for term in rule.terms
            ),
            exceptions=tuple(re.compile(pattern, FLAGS) for pattern in rule.exceptions),
        )
        for rule in spec.rules
    )
    categories = tuple(
        (kind, re.compile(pattern, FLAGS)) for kind, patterns in spec.categories.items() for pattern in patterns
    )
    return RuleSet(locale=spec.locale, rules=rules, categories=categories, source=source)


@functools.lru_cache(maxsize=16)
def load_rules(locale: Locale, path: Path | None = None) -> RuleSet:
    """Load, validate and compile a rule file (default: the shipped one for `locale`); cached."""
    source = path if path is not None else RULES_DIR / f"{locale}.yaml"
    spec = load_model(RuleFile, source)
    if spec.locale != locale:
        raise DataError(source, f"rules are for {spec.locale}, not {locale}", field="locale")
    return _compile(spec, source)


# ---------------------------------------------------------------------------------------------
# Checking

Span = tuple[int, int]


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _longest_first(hits: Iterable[tuple[int, int, int, Term]]) -> list[tuple[int, int, int, Term]]:
    """Non-overlapping hits, preferring the longest, then the earliest, then the first-listed term."""
    chosen: list[tuple[int, int, int, Term]] = []
    for hit in sorted(hits, key=lambda h: (h[0] - h[1], h[0], h[2])):
        if not any(_overlaps((hit[0], hit[1]), (c[0], c[1])) for c in chosen):
            chosen.append(hit)
    return sorted(chosen, key=lambda h: h[0])


def _adapt_case(suggestion: str, text: str, start: int, matched: str) -> str:
    """Give a Latin suggestion the case of the words it replaces (sentence start, ALL CAPS)."""
    if not suggestion or not suggestion[0].isascii():
        return suggestion
    letters = [c for c in matched if c.isalpha()]
    if len(letters) >= 3 and all(c.isupper() for c in letters):
        return suggestion.upper()
    if at_sentence_start(text, start) and matched[:1].isupper():
        return suggestion[0].upper() + suggestion[1:]
    return suggestion


def _disclaimer_spans(folded: str, brand: BrandKit | None) -> list[Span]:
    """Where the brand's own disclaimers stand in the text: no rule fires inside them."""
    if brand is None:
        return []
    spans: list[Span] = []
    for disclaimer in brand.voice.disclaimers:
        words = fold(disclaimer.text).split()
        if words:
            pattern = r"\s*".join(re.escape(word) for word in words)
            spans.extend(m.span() for m in re.finditer(pattern, folded, FLAGS))
    return spans


def _run_rule(
    rule: Rule, text: str, folded: str, kinds: frozenset[Kind], masked: list[Span], field: str | None
) -> list[Finding]:
    hits: list[tuple[int, int, int, Term]] = []
    for index, term in enumerate(rule.terms):
        if rule.regulated and kinds and not term.kinds & kinds:
            continue
        hits.extend((m.start(), m.end(), index, term) for m in term.regex.finditer(folded) if m.end() > m.start())
    if not hits:
        return []
    blocked = masked + [m.span() for regex in rule.exceptions for m in regex.finditer(folded)]
    hits = [h for h in hits if not any(_overlaps((h[0], h[1]), b) for b in blocked)]
    unknown_category = rule.regulated and not kinds
    findings = []
    for start, end, _, term in _longest_first(hits):
        matched = text[start:end]
        severity, message = term.severity, term.message.format(text=matched)
        if unknown_category and severity is Severity.BLOCK:
            severity, message = Severity.WARN, message + " (product category unknown: check by hand)"
        suggestion = None if term.suggest is None else _adapt_case(term.suggest, text, start, matched)
        findings.append(
            Finding(
                rule=rule.id,
                severity=severity,
                message=message,
                text=matched,
                span=(start, end),
                field=field,
                suggestion=suggestion,
            )
        )
    return findings


_LATIN = re.compile(r"[A-Za-z0-9]")


@functools.lru_cache(maxsize=64)
def _banned_regex(words: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """One regex per banned word: whole-word for Latin, any space or hyphen between its parts."""
    compiled = []
    for word in words:
        parts = [p for p in re.split(r"[\s\-]+", fold(word).strip()) if p]
        if not parts:
            continue
        body = r"[\s\-]*".join(re.escape(p) for p in parts)
        left = r"(?<![A-Za-z0-9])" if _LATIN.match(parts[0][0]) else ""
        right = r"(?![A-Za-z0-9])" if _LATIN.match(parts[-1][-1]) else ""
        compiled.append((word, re.compile(left + body + right, FLAGS)))
    return tuple(compiled)


def _term_suggestion(rules: RuleSet, folded: str, span: Span) -> str | None:
    """The suggestion of an ad-law term that matches exactly these words, if any."""
    for rule in rules.rules:
        for term in rule.terms:
            if term.suggest is None:
                continue
            m = term.regex.match(folded, span[0])
            if m and m.end() == span[1]:
                return term.suggest
    return None


def _banned_words(
    text: str, folded: str, brand: BrandKit, rules: RuleSet, masked: list[Span], field: str | None
) -> list[Finding]:
    hits: list[tuple[int, int, str]] = []
    for word, regex in _banned_regex(tuple(brand.voice.banned_words)):
        for m in regex.finditer(folded):
            if not any(_overlaps(m.span(), b) for b in masked):
                hits.append((m.start(), m.end(), word))
    findings: list[Finding] = []
    taken: list[Span] = []
    for start, end, word in sorted(hits, key=lambda h: (h[0] - h[1], h[0])):
        if any(_overlaps((start, end), t) for t in taken):
            continue
        taken.append((start, end))
        matched = text[start:end]
        suggestion = _term_suggestion(rules, folded, (start, end))
        findings.append(
            Finding(
                rule=BANNED_WORD,
                severity=Severity.BLOCK,
                message=f"'{matched}' is on the banned-word list of brand kit '{brand.id}' ('{word}')",
                text=matched,
                span=(start, end),
                field=field,
                suggestion=None if suggestion is None else _adapt_case(suggestion, text, start, matched),
            )
        )
    return findings


def check(
    text: str,
    *,
    locale: Locale,
    brand: BrandKit | None = None,
    category: str | None = None,
    channel: str | None = None,
    field: str | None = None,
    rules: RuleSet | None = None,
) -> list[Finding]:
    """Ad-law findings for `locale` plus the brand's banned words, in text order.

    `category` decides whether medical claims block (cosmetics, food) or only warn (unknown);
    `channel` is accepted for symmetry with :func:`check_fields` (no per-channel word rules yet);
    `field` is copied into each finding; `rules` replaces the shipped rules of `locale`.
    """
    ruleset = rules if rules is not None else load_rules(locale)
    folded = fold(text)
    masked = _disclaimer_spans(folded, brand)
    kinds = ruleset.kinds_of(category)
    findings: list[Finding] = []
    for rule in ruleset.rules:
        findings.extend(_run_rule(rule, text, folded, kinds, masked, field))
    if brand is not None:
        findings.extend(_banned_words(text, folded, brand, ruleset, masked, field))
    findings.sort(key=lambda f: (f.span or (0, 0), f.rule))
    return findings


def _squash(text: str) -> str:
    """Letters and digits only, case-folded: how a disclaimer is looked for in copy."""
    return "".join(c for c in fold(text).casefold() if c.isalnum())


def missing_disclaimers(
    fields: Mapping[str, str] | str,
    *,
    brand: BrandKit,
    category: str | None = None,
    channel: str | None = None,
) -> list[Finding]:
    """A finding per disclaimer of `brand` that applies to `channel` and `category` but is absent.

    A disclaimer limited to some channels (categories) applies only when `channel` (`category`) is
    given and listed. Presence ignores case, spacing, punctuation and full-width forms.
    """
    joined = fields if isinstance(fields, str) else "\n".join(fields.values())
    present = _squash(joined)
    findings = []
    for disclaimer in brand.voice.disclaimers:
        if not disclaimer.applies(channel or "", category):
            continue
        if _squash(disclaimer.text) in present:
            continue
        shown = disclaimer.text if len(disclaimer.text) <= 60 else disclaimer.text[:57] + "…"
        findings.append(
            Finding(
                rule=DISCLAIMER_MISSING,
                severity=Severity.BLOCK,
                message=f"required disclaimer of brand kit '{brand.id}' is missing: '{shown}'",
                suggestion=disclaimer.text,
            )
        )
    return findings


def check_fields(
    fields: Mapping[str, str],
    *,
    locale: Locale,
    brand: BrandKit | None = None,
    category: str | None = None,
    channel: str | None = None,
    rules: RuleSet | None = None,
) -> list[Finding]:
    """:func:`check` on every field (findings name their field), then the required disclaimers
    over all fields together."""
    findings: list[Finding] = []
    for name, value in fields.items():
        findings.extend(
            check(value, locale=locale, brand=brand, category=category, channel=channel, field=name, rules=rules)
        )
    if brand is not None:
        findings.extend(missing_disclaimers(fields, brand=brand, category=category, channel=channel))
    return findings


# ---------------------------------------------------------------------------------------------
# Repair

_CLOSERS = ",.;:!?)]}，。；：！？、）"
_SOFT = ",;:，；：、"
_ENDS = ".!?。！？…"


def _fix_article(left: str, right: str) -> str:
    """'a' → 'an' (and back) before the word that now follows it."""
    m = re.search(r"\b([Aa])(n?)(\s+)$", left)
    word = re.match(r"[A-Za-z]+", right)
    if not m or not word:
        return left
    vowel = word.group(0)[0].lower() in "aeio" or word.group(0).lower().startswith(("hour", "honest"))
    article = m.group(1) + ("n" if vowel else "")
    return left[: m.start()] + article + m.group(3)


def _splice(text: str, start: int, end: int, new: str) -> str:
    """Replace text[start:end] with `new` and tidy the seam: spaces, doubled punctuation, case."""
    left, right = text[:start], text[end:]
    if new and (left.endswith(new) or right.startswith(new)):
        new = ""  # 消炎舒缓 → 舒缓, not 舒缓舒缓
    elif new and new[-1].isalpha() and re.match(rf"\s+{re.escape(new)}\b", right, FLAGS):
        new = ""  # "best, great" is fine, "great great" is not
    if new:
        left = _fix_article(left, new)
        return left + new + right
    # deletion: close the gap
    if left.endswith((" ", "\t")) and (not right or right[0] in " \t\n" or right[0] in _CLOSERS):
        left = left.rstrip(" \t")
    elif not left or left.endswith("\n"):
        right = right.lstrip(" \t")
    if left and right and left[-1] in _SOFT and right[0] in _CLOSERS:
        left = left[:-1]  # "fresh, ." → "fresh."
    elif left and right and left[-1] in _CLOSERS and (right[0] in _SOFT or right[0] == left[-1]):
        right = right[1:]  # "。，" → "。", ",," → ","
    head = left.rstrip(" \t\"'“‘(（")
    gap = len(right) - len(right.lstrip(" \t"))
    if (not head or head[-1] in _ENDS or head.endswith("\n")) and right[gap : gap + 1].islower():
        right = right[:gap] + right[gap].upper() + right[gap + 1 :]
    left = _fix_article(left, right)
    return left + right


def repair(text: str, findings: Sequence[Finding]) -> str:
    """Apply each finding's suggestion to its span, right to left; findings without either are left.

    Where spans overlap the longer fix wins; a finding whose span no longer holds its text is skipped.
    The seams are tidied (no doubled spaces, punctuation or words; a capital at a sentence start;
    'a'/'an' agreement), so the result reads as written.
    """
    chosen: list[Finding] = []
    for finding in sorted(
        (f for f in findings if f.span is not None and f.suggestion is not None),
        key=lambda f: (f.span[0] - f.span[1], f.span[0]) if f.span else (0, 0),
    ):
        assert finding.span is not None
        start, end = finding.span
        stale = not 0 <= start <= end <= len(text) or bool(finding.text and text[start:end] != finding.text)
        if not stale and not any(c.span is not None and _overlaps(finding.span, c.span) for c in chosen):
            chosen.append(finding)
    for finding in sorted(chosen, key=lambda f: f.span[0] if f.span else 0, reverse=True):
        assert finding.span is not None and finding.suggestion is not None
        text = _splice(text, finding.span[0], finding.span[1], finding.suggestion)
    return text


def _append(text: str, addition: str, locale: Locale) -> str:
    body = text.rstrip()
    if not body:
        return addition
    if "\n" in body:
        return body + "\n" + addition
    if body[-1] not in _ENDS:
        body += "。" if locale == "zh-CN" else "."
    return body + ("" if locale == "zh-CN" else " ") + addition


def repair_fields(
    fields: Mapping[str, str],
    findings: Sequence[Finding],
    *,
    brand: BrandKit | None = None,
    locale: Locale,
    category: str | None = None,
    channel: str | None = None,
    append_to: str | None = None,
) -> dict[str, str]:
    """:func:`repair` every field with its own findings, then append each required disclaimer that
    is still missing to `append_to` (default: the last field)."""
    repaired = {name: repair(value, [f for f in findings if f.field == name]) for name, value in fields.items()}
    if not repaired:
        return repaired
    if append_to is not None and append_to not in repaired:
        raise KeyError(f"no field '{append_to}' to append disclaimers to; fields: {', '.join(repaired)}")
    target = append_to if append_to is not None else list(repaired)[-1]
    if brand is not None:
        missing = missing_disclaimers(repaired, brand=brand, category=category, channel=channel)
    else:
        present = _squash("\n".join(repaired.values()))
        missing = [f for f in findings if f.rule == DISCLAIMER_MISSING and f.suggestion]
        missing = [f for f in missing if f.suggestion and _squash(f.suggestion) not in present]
    for finding in missing:
        if finding.suggestion:
            repaired[target] = _append(repaired[target], finding.suggestion, locale)
    return repaired
