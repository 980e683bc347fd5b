"""Experiment assignment: fixed vectors, balance, stability, independence; sample size."""

from __future__ import annotations

from collections import Counter

import pytest
from scipy.stats import chi2_contingency, chisquare

from contentgen.domain.experiment import Assigner, Experiment, power_check, sample_size, unit

EXP = Experiment(id="exp-a", arms=["a", "b"], holdout=0.1)


def test_fixed_vectors() -> None:
    # Version 1 of the scheme; if these change, every running experiment reassigns its customers.
    assert unit("exp-a", "C0001") == pytest.approx(VECTORS["C0001"])
    assert [Assigner(EXP)(c) for c in ("C0001", "C0002", "C0003", "C0004")] == ARMS


VECTORS = {"C0001": 0.24997503385732814}
ARMS = ["a", "a", "a", "b"]


def test_balanced_chi_square() -> None:
    assign = Assigner(EXP)
    counts = Counter(assign(f"C{i:07d}") for i in range(100_000))
    observed = [counts["holdout"], counts["a"], counts["b"]]
    expected = [10_000, 45_000, 45_000]
    assert chisquare(observed, expected).pvalue > 0.001


def test_stable_when_customers_are_added() -> None:
    assign = Assigner(EXP)
    before = {f"C{i}": assign(f"C{i}") for i in range(1000)}
    after = {f"C{i}": Assigner(EXP)(f"C{i}") for i in range(5000)}
    assert all(after[c] == arm for c, arm in before.items())


def test_independent_across_experiments() -> None:
    a, b = Assigner(EXP), Assigner(Experiment(id="exp-b", arms=["a", "b"], holdout=0.1))
    table = Counter((a(f"C{i}"), b(f"C{i}")) for i in range(50_000))
    arms = ["holdout", "a", "b"]
    matrix = [[table[(x, y)] for y in arms] for x in arms]
    assert chi2_contingency(matrix).pvalue > 0.001


def test_sample_size_and_warning() -> None:
    assert sample_size(0.05, 0.02) == pytest.approx(2213, abs=5)
    assert sample_size(0.5, 0.5 - 1e-9 + 0.4) == 200  # never below 200 per arm
    check = power_check(EXP, 1000)
    assert not check.enough and "needed" in (check.warning("exp-a") or "")
    assert power_check(EXP, 100_000).warning("exp-a") is None
