"""Experiment assignment and sample size.

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

from contentgen.journeys.model import Experiment

SCHEME = "cgx1"
HOLDOUT = "holdout"
MIN_PER_ARM = 200


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
    total = sum(a.weight for a in experiment.arms)
    treated = eligible * (1 - experiment.holdout)
    groups = [treated * a.weight / total for a in experiment.arms]
    if experiment.holdout > 0:
        groups.append(eligible * experiment.holdout)
    required = sample_size(experiment.baseline, experiment.mde)
    return PowerCheck(required, int(min(groups)), eligible)
