"""Precision and recall of the ad-law checker on a labelled set of marketing sentences.

Scoring is per sentence and per rule: a rule is predicted for a sentence when :func:`check` returns
at least one finding of that rule (any severity), and expected when the sentence's label lists it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from contentgen.compliance.adlaw import RuleSet, check, load_rules
from contentgen.domain.common import LOCALES, Locale
from contentgen.fileio import load_model

if TYPE_CHECKING:
    from rich.table import Table

DEFAULT_LABELLED = Path(__file__).resolve().parent / "labelled.yaml"


class LabelledItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1)
    locale: Locale
    category: str | None = None
    expected: list[str]


class LabelledSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    items: list[LabelledItem] = Field(min_length=1)


def _ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


@dataclass(frozen=True)
class RuleScore:
    """Sentence-level confusion counts for one rule (or all rules summed)."""

    rule: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn


@dataclass(frozen=True)
class Miss:
    """A sentence where the predicted rules differ from the expected ones."""

    text: str
    locale: Locale
    expected: tuple[str, ...]
    predicted: tuple[str, ...]


@dataclass(frozen=True)
class ComplianceMetrics:
    per_rule: dict[str, RuleScore]
    overall: RuleScore
    sentences: int
    misses: tuple[Miss, ...]


@functools.lru_cache(maxsize=4)
def _load(path: Path, mtime_ns: int, size: int) -> LabelledSet:
    return load_model(LabelledSet, path)


def load_labelled(path: Path | None = None) -> LabelledSet:
    """The labelled set (default: the one shipped with the package); parsed once per file version."""
    source = (path or DEFAULT_LABELLED).resolve()
    try:
        stat = source.stat()
    except OSError:
        return load_model(LabelledSet, source)  # raises the usual DataError
    return _load(source, stat.st_mtime_ns, stat.st_size)


def evaluate(path: Path | None = None, *, rules: Mapping[Locale, RuleSet] | None = None) -> ComplianceMetrics:
    """Run :func:`check` on every labelled sentence and score it per rule and overall.

    `path` defaults to the shipped labelled set; `rules` replaces the shipped rule sets
    (for ablation: ``{"zh-CN": load_rules("zh-CN").without("adlaw.medical"), ...}``).
    """
    labelled = load_labelled(path)
    rulesets = {locale: (rules or {}).get(locale) or load_rules(locale) for locale in LOCALES}
    rule_ids = sorted(
        {rule_id for ruleset in rulesets.values() for rule_id in ruleset.ids}
        | {rule_id for item in labelled.items for rule_id in item.expected}
    )
    counts = {rule_id: [0, 0, 0, 0] for rule_id in rule_ids}  # tp, fp, fn, tn
    misses = []
    for item in labelled.items:
        found = check(item.text, locale=item.locale, category=item.category, rules=rulesets[item.locale])
        predicted = {f.rule for f in found}
        expected = set(item.expected)
        for rule_id, cell in counts.items():
            index = {(True, True): 0, (True, False): 1, (False, True): 2, (False, False): 3}[
                (rule_id in predicted, rule_id in expected)
            ]
            cell[index] += 1
        if predicted != expected:
            misses.append(Miss(item.text, item.locale, tuple(sorted(expected)), tuple(sorted(predicted))))
    per_rule = {rule_id: RuleScore(rule_id, *cell) for rule_id, cell in counts.items()}
    overall = RuleScore("overall", *(sum(cell[i] for cell in counts.values()) for i in range(4)))
    return ComplianceMetrics(per_rule, overall, len(labelled.items), tuple(misses))


def render_table(metrics: ComplianceMetrics) -> Table:
    """A rich table: one row per rule, then the micro-averaged overall row."""
    from rich.table import Table

    table = Table(title=f"Compliance checker on {metrics.sentences} labelled sentences")
    for name in ("rule", "support", "tp", "fp", "fn", "precision", "recall", "f1"):
        table.add_column(name, justify="left" if name == "rule" else "right")

    def row(score: RuleScore, style: str | None = None) -> None:
        table.add_row(
            score.rule,
            str(score.support),
            str(score.tp),
            str(score.fp),
            str(score.fn),
            f"{score.precision:.3f}",
            f"{score.recall:.3f}",
            f"{score.f1:.3f}",
            style=style,
        )

    for score in metrics.per_rule.values():
        row(score)
    table.add_section()
    row(metrics.overall, style="bold")
    return table
