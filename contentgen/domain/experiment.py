"""Experiments, shared by journeys and campaign briefs: the `experiment:` block, assignment and sample size.

Assignment, version 1 (fixed by test vectors in tests/test_journey_experiments.py; changing it reassigns everyone):

    u     = int(blake2b(f"cgx1|{salt}|{customer_id}", digest_size=8)) / 2**64     # salt = experiment.salt or id
    arm   = "holdout"                                   if u < holdout
            else the arm whose cumulative weight share covers (u - holdout) / (1 - holdout)

It depends only on the experiment's salt and the customer's id: stable across runs and machines, unchanged when other
customers are added, and independent across experiments (different salts hash independently).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, StringConstraints, field_validator

from contentgen.domain.common import Model, Slug, first_repeat

SCHEME = "cgx1"
HOLDOUT = "holdout"
ASSIGNMENT_COLUMNS = ("customer_id", "experiment", "arm")  # the customer → arm file of journeys and campaigns
MIN_PER_ARM = 200

ArmId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
"""An arm: letters, digits, '-' and '_' (campaign arms are the variant letters A, B, …)."""


class Arm(Model):
    id: ArmId
    weight: float = Field(default=1.0, gt=0)
    key_message: str | None = None


def _arms(value: object) -> object:
    if isinstance(value, list):
        return [{"id": a} if isinstance(a, str) else a for a in value]
    return value


class Experiment(Model):
    """An A/B test on a journey or a campaign: arms by salted hash, a holdout that gets no message."""

    id: Slug
    arms: Annotated[list[Arm], BeforeValidator(_arms)] = Field(min_length=1)
    holdout: float = Field(default=0.1, ge=0, lt=1)
    metric: Literal["conversion", "click", "revenue"] = "conversion"
    mde: float = Field(default=0.02, gt=0, lt=1, description="minimum detectable effect, absolute")
    baseline: float = Field(default=0.05, gt=0, lt=1, description="expected conversion rate of the holdout")
    salt: str | None = Field(default=None, description="changes every assignment; default: the experiment id")

    @field_validator("arms")
    @classmethod
    def _unique(cls, arms: list[Arm]) -> list[Arm]:
        ids = [a.id for a in arms]
        dup = first_repeat(ids)
        if dup is not None:
            raise ValueError(f"arm '{dup}' appears twice")
        if HOLDOUT in ids:
            raise ValueError("'holdout' is reserved for the customers who get no message")
        return arms

    @property
    def arm_ids(self) -> list[str]:
        return [a.id for a in self.arms]

    def shares(self) -> dict[str, float]:
        """Planned share of the eligible customers per arm, the holdout included when there is one."""
        total = sum(a.weight for a in self.arms)
        out = {a.id: (1 - self.holdout) * a.weight / total for a in self.arms}
        return out | ({HOLDOUT: self.holdout} if self.holdout > 0 else {})


def unit(salt: str, customer_id: str) -> float:
    """The customer's uniform draw in [0, 1) for one experiment."""
    digest = hashlib.blake2b(f"{SCHEME}|{salt}|{customer_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


class Assigner:
    """Precomputed cumulative weights, so a million assignments cost a hash each."""

    def __init__(self, experiment: Experiment) -> None:
        self.experiment = experiment
        self.salt = experiment.salt or experiment.id
        total = sum(a.weight for a in experiment.arms)
        running, self.bounds = 0.0, []
        for arm in experiment.arms:
            running += arm.weight / total
            self.bounds.append((running, arm.id))

    def __call__(self, customer_id: str) -> str:
        u = unit(self.salt, customer_id)
        holdout = self.experiment.holdout
        if u < holdout:
            return HOLDOUT
        share = (u - holdout) / (1 - holdout)
        for bound, arm in self.bounds:
            if share < bound:
                return arm
        return self.bounds[-1][1]


def assign(experiment: Experiment, customer_id: str) -> str:
    return Assigner(experiment)(customer_id)


def _z(p: float) -> float:
    """Inverse standard normal CDF."""
    from statistics import NormalDist

    return NormalDist().inv_cdf(p)


def sample_size(baseline: float, mde: float, *, alpha: float = 0.05, power: float = 0.8) -> int:
    """Customers per group to detect `baseline` → `baseline + mde` with a two-sided two-proportion z-test."""
    p1, p2 = baseline, min(baseline + mde, 0.999999)
    pbar = (p1 + p2) / 2
    za, zb = _z(1 - alpha / 2), _z(power)
    n = (za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p2 - p1) ** 2
    return max(MIN_PER_ARM, math.ceil(n))


@dataclass(frozen=True)
class PowerCheck:
    required_per_group: int
    smallest_group: int
    eligible: int

    @property
    def enough(self) -> bool:
        return self.smallest_group >= self.required_per_group

    def warning(self, experiment_id: str) -> str | None:
        if self.enough:
            return None
        return (
            f"experiment '{experiment_id}': the smallest group has {self.smallest_group:,} customers but "
            f"{self.required_per_group:,} per group are needed to detect the stated effect (α 0.05, power 0.8); "
            "widen the audience, raise mde, or drop an arm"
        )


def power_check(experiment: Experiment, eligible: int) -> PowerCheck:
    """Expected group sizes of `eligible` customers against the required sample size."""
    groups = [eligible * share for share in experiment.shares().values()]
    required = sample_size(experiment.baseline, experiment.mde)
    return PowerCheck(required, int(min(groups)), eligible)
