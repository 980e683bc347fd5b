"""Claim vocabulary as data: ``rules/claims.<locale>.yaml``, validated at load and merged across locales.

Each file gives, per language, the spellings of units, qualifier words, currency words, month names and the
alternatives of every named claim pattern. The names, their order and what the extraction code does with each
match are fixed here and in :mod:`~contentgen.compliance.grounding.patterns`; the files only say how a language
writes them. A file with an unknown name, a pattern that does not compile or an unknown ``{placeholder}`` is a
one-line :class:`~contentgen.errors.DataError` naming file, line and field.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from contentgen.domain.common import Locale
from contentgen.errors import DataError
from contentgen.fileio import load_model, read_text

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
LOCALES: tuple[Locale, ...] = ("zh-CN", "en-US")
"""The claim files read, in this order: for every pattern the zh-CN alternatives come before the en-US ones."""

#: Every unit a quantity can have, in the order they are tried (a longer spelling before a shorter one that
#: starts it: fl_oz before oz, °C before °). What each unit converts to lives in `patterns._CONVERT`.
UNITS: tuple[str, ...] = (
    "ml", "fl_oz", "l", "mg", "kg", "g", "oz", "lb", "jin", "cm", "mm", "inch", "°C", "°F", "°", "s", "min", "h",
    "business_day", "day", "week", "month", "year", "%", "x", "kcal", "mAh", "W", "V", "quart", "tsp", "tbsp", "bag",
    "piece", "star", "capsule", "bottle", "tin", "box", "stick", "serving", "infusion", "set", "count", "pack",
    "review", "people",
)  # fmt: skip

QUALIFIER_KINDS = ("approx", "min", "max", "upto")
Qualifier = Literal["approx", "min", "max", "upto"]

#: Every named pattern, grouped by the claim kind that uses it (see `patterns`).
PATTERNS: tuple[str, ...] = (
    *(f"quantity.{n}" for n in ("qualifier_before", "qualifier_after", "stop_word", "adjective", "range_separator",
                                "ordinal_before", "purchase_before")),
    "money.prefix", "money.suffix",
    "date.dot_before", "date.deadline_before", "date.start_before", "date.start_after",
    *(f"event.{n}" for n in ("11-11", "12-12", "06-18", "black_friday", "cyber_monday", "prime_day", "new_year_goods")),
    *(f"relative.{n}" for n in ("left", "duration", "today_end", "today_in", "tomorrow_end", "weekend", "week",
                                "limited")),
    *(f"promise.{n}" for n in ("free_shipping", "free_shipping_over", "free_shipping_orders", "no_reason_returns",
                               "free_returns", "returns", "dispatch", "delivery", "authentic", "price_protection",
                               "warranty", "money_back", "breakage", "gift")),
    *(f"discount.{n}" for n in ("threshold", "threshold_spend", "bogo", "buy_x_get_y", "second_half", "code", "zhe",
                                "percent", "amount", "amount_than", "amount_save", "sale", "negated_before")),
    *(f"price.{n}" for n in ("list_keyword", "worth_before", "value_after", "keyword", "multi_unit", "multi_word",
                             "per_word", "per_unit", "per_unit_before", "approx_before", "qualifier_before")),
    *(f"stock.{n}" for n in ("unit", "count", "count_left", "edition_count", "edition", "scarcity", "sold_out",
                             "available", "first_n", "social", "edition_words")),
    *(f"condition.{n}" for n in ("member", "first_order", "birthday", "referral", "cutoff", "defect", "medical")),
    *(f"policy.{n}" for n in ("negation", "positive_no", "unconditional", "threshold_before", "threshold_after",
                              "window_anchor", "member", "delivery_words", "same_day", "next_day", "authentic_times")),
    *(f"topic.{n}" for n in ("free_shipping", "no_reason_returns", "returns", "free_returns", "dispatch", "delivery",
                             "authentic", "price_protection", "warranty", "money_back", "breakage", "quality")),
)  # fmt: skip

#: Placeholders a pattern may use, beyond the code's fragments: ``{name}`` or ``{name:arg}``.
PLACEHOLDER = re.compile(r"\{([a-z_]+)(?::([a-z0-9]+))?\}")
#: Placeholders filled from these files themselves (so a pattern can reuse another entry).
DATA_FRAGMENTS = frozenset({"unit", "stop_word", "stock_unit"})
#: Placeholders that take an argument (a group number or a money group tag).
WITH_ARGUMENT = frozenset({"number_group", "number_or_range", "money"})
STATIC_FRAGMENTS = frozenset({"arabic", "hanzi_number", "en_number_word", "number_start", "number_end", "word_end"})


def expand(pattern: str, fragment: Callable[[str, str | None], str]) -> str:
    """`pattern` with every ``{name}`` / ``{name:arg}`` replaced by ``fragment(name, arg)``."""
    return PLACEHOLDER.sub(lambda m: fragment(m.group(1), m.group(2)), pattern)


def _dummy(name: str, arg: str | None) -> str:
    if name not in STATIC_FRAGMENTS | DATA_FRAGMENTS | WITH_ARGUMENT:
        known = sorted(STATIC_FRAGMENTS | DATA_FRAGMENTS | WITH_ARGUMENT)
        raise ValueError(f"unknown placeholder {{{name}}}; known: {', '.join(known)}")
    if name in WITH_ARGUMENT:
        if arg is None:
            raise ValueError(f"placeholder {{{name}}} needs an argument, e.g. {{{name}:1}}")
        return "(?:0)"
    if arg is not None:
        raise ValueError(f"placeholder {{{name}}} takes no argument (got {{{name}:{arg}}})")
    return "(?:0)"


def _regex(value: str) -> str:
    try:
        re.compile(expand(value, _dummy))
    except re.error as err:
        raise ValueError(f"invalid regular expression: {err}") from None
    return value


def _known(names: tuple[str, ...], what: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in names:
            close = difflib.get_close_matches(value, names, n=1)
            raise ValueError(f"unknown {what}" + (f"; did you mean '{close[0]}'?" if close else ""))
        return value

    return check


Alternative = Annotated[str, Field(min_length=1), AfterValidator(_regex)]
Word = Annotated[str, Field(min_length=1)]
UnitName = Annotated[str, AfterValidator(_known(UNITS, "unit"))]
PatternName = Annotated[str, AfterValidator(_known(PATTERNS, "pattern"))]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class ClaimFile(BaseModel):
    """One locale's claim vocabulary (``rules/claims.<locale>.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    locale: Locale
    units: dict[UnitName, list[Alternative]] = {}
    qualifiers: dict[Qualifier, list[Word]] = {}
    currencies: dict[Word, CurrencyCode] = {}
    months: dict[Word, Annotated[int, Field(ge=1, le=12)]] = {}
    patterns: dict[PatternName, list[Alternative]] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_empty_lists(self) -> ClaimFile:
        for section in (self.units, self.patterns):
            for name, alternatives in section.items():
                if not alternatives:
                    raise ValueError(f"'{name}' has no alternatives (leave it out instead)")
        return self


@dataclass(frozen=True)
class ClaimVocabulary:
    """The merged vocabulary of every locale: alternatives per unit and pattern, in file order."""

    units: Mapping[str, tuple[str, ...]]
    qualifiers: Mapping[str, frozenset[str]]
    currencies: Mapping[str, str]
    months: Mapping[str, int]
    patterns: Mapping[str, tuple[str, ...]]
    sources: tuple[Path, ...]

    def alternatives(self, name: str) -> str:
        """The alternatives of pattern `name` joined with ``|`` (not yet expanded)."""
        return "|".join(self.patterns[name])


def load_claim_file(path: Path, locale: Locale | None = None) -> ClaimFile:
    """Load and validate one claim file; with `locale`, it must be that locale's."""
    spec = _quick_load(path) or load_model(ClaimFile, path)
    if locale is not None and spec.locale != locale:
        raise DataError(path, f"claims are for {spec.locale}, not {locale}", field="locale")
    return spec


def _quick_load(path: Path) -> ClaimFile | None:
    """The file parsed with libyaml (some 40× faster than the line-tracking parser); None when it is not valid, so
    that `load_model` reports the error with its line."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return ClaimFile.model_validate(yaml.load(read_text(path), Loader=loader))
    except (DataError, ValidationError, yaml.YAMLError):
        return None


def merge(files: Mapping[Path, ClaimFile]) -> ClaimVocabulary:
    """Merge claim files (in the given order); every unit and pattern must be given by at least one file."""
    units: dict[str, list[str]] = {}
    patterns: dict[str, list[str]] = {}
    qualifiers: dict[str, set[str]] = {kind: set() for kind in QUALIFIER_KINDS}
    currencies: dict[str, str] = {}
    months: dict[str, int] = {}
    for spec in files.values():
        for unit, alternatives in spec.units.items():
            units.setdefault(unit, []).extend(alternatives)
        for name, alternatives in spec.patterns.items():
            patterns.setdefault(name, []).extend(alternatives)
        for kind, words in spec.qualifiers.items():
            qualifiers[kind].update(words)
        currencies.update(spec.currencies)
        months.update(spec.months)
    last = list(files)[-1]
    for what, names, given in (("unit", UNITS, units), ("pattern", PATTERNS, patterns)):
        missing = [name for name in names if name not in given]
        if missing:
            raise DataError(
                last,
                f"no claim file gives the {what} '{missing[0]}'",
                field=f"{what}s.{missing[0]}",
                hint=f"add it to one of {', '.join(p.name for p in files)}",
            )
    return ClaimVocabulary(
        units={unit: tuple(units[unit]) for unit in UNITS},
        qualifiers={kind: frozenset(words) for kind, words in qualifiers.items()},
        currencies=currencies,
        months=months,
        patterns={name: tuple(patterns[name]) for name in PATTERNS},
        sources=tuple(files),
    )


@functools.cache
def claim_vocabulary(folder: Path = RULES_DIR) -> ClaimVocabulary:
    """The shipped claim vocabulary: ``claims.zh-CN.yaml`` and ``claims.en-US.yaml`` from `folder`, merged."""
    files = {folder / f"claims.{locale}.yaml": locale for locale in LOCALES}
    return merge({path: load_claim_file(path, locale) for path, locale in files.items()})
