"""Learning: a case library per kit (what won, what lost, with its features), and the ranking prior learned from it.

Cases live in `<home>/cases/<kit>.jsonl`, one JSON object per arm-versus-control comparison that was read (winner,
loser or no difference), keyed by run + experiment + arm + metric so that learning from a run twice replaces its
cases. The prior is a ridge regression over those comparisons: each one says "angle X beat angle Y by d (± se)" for
the angle overall and for the angle within the segment; only comparisons that were significant after correction
train it, so a run with no clear difference leaves ranking exactly as it was. Compliance and grounding still veto:
the prior only reorders variants that passed their checks (a blocked variant never ranks above a ready one).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from contentgen.domain.common import Model

if TYPE_CHECKING:
    from contentgen.config import Settings
    from contentgen.pipelines.copy import CopyCell, CopyVariant

CASES_DIR = "cases"
PRIOR_SD = 0.01
"""Prior standard deviation of an angle's effect (1 pp): how far one significant result moves the estimate."""
PERFORMANCE_WEIGHT = 0.3
"""Largest bonus (or malus) the prior adds to a variant's ranking score (the checked scores sum to at most 1)."""
EFFECT_SCALE = 0.005
LEARN_METRICS = {"ctr", "order_rate", "conversion"}


class Case(Model):
    """One arm against its control, with the creative's features and the measured effect."""

    kit: str
    run: str
    experiment: str
    segment: str
    channel: str
    kind: str
    arm: str
    control: str
    angle: str | None = None
    control_angle: str | None = None
    hook: str = ""
    length: Literal["short", "medium", "long"] = "medium"
    offer: bool = False
    metric: str
    diff: float
    low: float
    high: float
    p_adjusted: float
    outcome: Literal["winner", "loser", "no difference", "too few"]
    text: str = ""
    simulated: bool = False
    recorded_at: dt.datetime

    @property
    def key(self) -> str:
        return f"{self.run}|{self.experiment}|{self.arm}|{self.metric}"

    @property
    def se(self) -> float:
        return max((self.high - self.low) / (2 * 1.959964), 1e-9)


def library_path(kit: str, settings: Settings | None = None) -> Path:
    from contentgen.config import load_settings

    return (settings or load_settings()).home / CASES_DIR / f"{kit}.jsonl"


def load_cases(kit: str, settings: Settings | None = None, *, path: Path | None = None) -> list[Case]:
    from contentgen.errors import DataError

    target = path or library_path(kit, settings)
    if not target.is_file():
        return []
    cases = []
    for number, line in enumerate(target.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                cases.append(Case.model_validate_json(line))
            except ValueError as err:
                raise DataError(target, f"not a case: {str(err).splitlines()[0]}", line=number) from None
    return cases


def creative_features(texts: dict[str, str]) -> tuple[str, str, bool]:
    text = "\n".join(texts.values())
    hook = next((v for k, v in texts.items() if k in {"title", "headline", "subject"}), text)[:40]
    size = len(text)
    length = "short" if size < 60 else "long" if size > 300 else "medium"
    offer = any(mark in text for mark in ("%", "折", "减", "券", "off", "¥", "$", "免邮", "free shipping"))
    return hook, length, offer


def record_cases(cases: Sequence[Case], kit: str, settings: Settings | None = None) -> Path:
    """Add cases to the kit's library; a case already there (same run, experiment, arm, metric) is replaced."""
    from contentgen.fileio import write_text_atomic

    target = library_path(kit, settings)
    kept = {c.key: c for c in load_cases(kit, settings)}
    for case in cases:
        kept[case.key] = case
    write_text_atomic(target, "".join(c.model_dump_json() + "\n" for c in kept.values()))
    return target


@dataclass(frozen=True)
class AnglePrior:
    """Learned angle effects, overall and per segment; `bonus` is what copy ranking adds to a variant's score."""

    effects: dict[str, float]
    digest: str

    def effect(self, segment: str, angle: str | None) -> float:
        if not angle:
            return 0.0
        return self.effects.get(angle, 0.0) + self.effects.get(f"{angle}@{segment}", 0.0)

    def bonus(self, cell: CopyCell, variant: CopyVariant) -> float:
        return PERFORMANCE_WEIGHT * math.tanh(self.effect(cell.segment.id, variant.angle) / EFFECT_SCALE)


def fit_prior(cases: Sequence[Case], *, metric: str | None = None) -> AnglePrior | None:
    """Ridge regression of angle effects on the significant comparisons; None when there is nothing to learn."""
    usable = [
        c
        for c in cases
        if c.outcome in {"winner", "loser"} and c.angle and c.control_angle and c.angle != c.control_angle
    ]
    # One metric per fit (rates on different scales would swamp each other): the primary one present.
    metric = metric or next(
        (m for m in ("conversion", "ctr", "order_rate") if any(c.metric == m for c in usable)), None
    )
    usable = [c for c in usable if c.metric == metric]
    if not usable:
        return None
    names = sorted({n for c in usable for a in (c.angle, c.control_angle) for n in (str(a), f"{a}@{c.segment}")})
    column = {n: i for i, n in enumerate(names)}
    x = np.zeros((len(usable), len(names)))
    for row, case in enumerate(usable):
        for sign, angle in ((1.0, case.angle), (-1.0, case.control_angle)):
            x[row, column[str(angle)]] += sign
            x[row, column[f"{angle}@{case.segment}"]] += sign
    y = np.array([c.diff for c in usable])
    w = np.array([1 / c.se**2 for c in usable])
    penalty = np.eye(len(names)) / PRIOR_SD**2
    beta = np.linalg.solve(x.T @ (w[:, None] * x) + penalty, x.T @ (w * y))
    effects = {n: float(b) for n, b in zip(names, beta, strict=True)}
    digest = hashlib.sha256(json.dumps(sorted((k, round(v, 6)) for k, v in effects.items())).encode()).hexdigest()
    return AnglePrior(effects=effects, digest=digest[:16])


def copy_prior(kit: str, settings: Settings | None = None) -> AnglePrior | None:
    """The prior a copy run of this kit ranks with, from its case library (None: no library or nothing clear)."""
    return fit_prior(load_cases(kit, settings))


def ranking_prior(kit: str, settings: Settings | None = None) -> Callable[[CopyCell, CopyVariant], float] | None:
    prior = copy_prior(kit, settings)
    return prior.bonus if prior else None
