"""The results loop's statistics against scipy and statsmodels on the same data, and an A/A simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from contentgen.results.stats import adjust, probability_best, srm, summary, top_two_thompson, two_proportion, welch


@pytest.mark.parametrize(("x1", "n1", "x0", "n0"), [(130, 2000, 100, 2000), (7, 150, 12, 160), (0, 50, 3, 60)])
def test_two_proportion_matches_statsmodels(x1: int, n1: int, x0: int, n0: int) -> None:
    test = two_proportion(x1, n1, x0, n0)
    _, p = proportions_ztest([x1, x0], [n1, n0])
    low, high = confint_proportions_2indep(x1, n1, x0, n0, method="wald", compare="diff")
    assert float(test.p_value) == pytest.approx(p, rel=1e-9)
    assert (float(test.low), float(test.high)) == pytest.approx((low, high), rel=1e-9)
    assert float(test.diff) == pytest.approx(x1 / n1 - x0 / n0)


def test_welch_matches_scipy() -> None:
    rng = np.random.default_rng(3)
    a = rng.gamma(2.0, 60.0, 400) * (rng.random(400) < 0.1)
    b = rng.gamma(2.0, 50.0, 380) * (rng.random(380) < 0.08)
    test = welch(*summary(a), *summary(b))
    reference = sps.ttest_ind(a, b, equal_var=False)
    interval = reference.confidence_interval(0.95)
    assert float(test.p_value) == pytest.approx(reference.pvalue, rel=1e-9)
    assert (float(test.low), float(test.high)) == pytest.approx((interval.low, interval.high), rel=1e-9)


@pytest.mark.parametrize(("method", "name"), [("holm", "holm"), ("bh", "fdr_bh")])
def test_corrections_match_statsmodels(method: str, name: str) -> None:
    p = np.array([0.001, 0.04, 0.03, 0.2, 0.012, 0.5])
    ours = adjust(p, method)  # type: ignore[arg-type]
    assert ours == pytest.approx(multipletests(p, method=name)[1], rel=1e-12)


def test_sample_ratio_mismatch_matches_scipy_and_flags_a_skew() -> None:
    assert srm([5000, 5100, 1130], [0.45, 0.45, 0.1]) == pytest.approx(
        sps.chisquare([5000, 5100, 1130], np.array([0.45, 0.45, 0.1]) * 11230).pvalue
    )
    assert srm([5000, 5000, 1111], [0.45, 0.45, 0.1]) > 0.001
    assert srm([5000, 5600, 1111], [0.45, 0.45, 0.1]) < 0.001


def test_a_a_false_positive_rate_is_nominal() -> None:
    """1,000 experiments with no true difference: about 5 % come out significant at α = 0.05."""
    rng = np.random.default_rng(2026)
    n, rate, runs = 3000, 0.05, 1000
    x1, x0 = rng.binomial(n, rate, runs), rng.binomial(n, rate, runs)
    rates = two_proportion(x1, n, x0, n)
    fpr = float(np.mean(rates.p_value < 0.05))
    covered = float(np.mean((rates.low <= 0) & (rates.high >= 0)))
    values1 = rng.gamma(2.0, 50.0, (runs, 400))
    values0 = rng.gamma(2.0, 50.0, (runs, 400))
    means = welch(values1.mean(1), values1.var(1, ddof=1), 400, values0.mean(1), values0.var(1, ddof=1), 400)
    fpr_means = float(np.mean(means.p_value < 0.05))
    assert 0.035 <= fpr <= 0.065, fpr
    assert 0.935 <= covered <= 0.965, covered
    assert 0.035 <= fpr_means <= 0.065, fpr_means


def test_thompson_allocation_favours_the_better_arm() -> None:
    shares = top_two_thompson([40, 50, 60], [1000, 1000, 1000])
    assert shares.sum() == pytest.approx(1.0) and shares[2] > shares[1] > shares[0]
    assert shares[2] < 0.75  # top-two keeps half the draws for the challengers while the leader is uncertain
    even = top_two_thompson([50, 50, 50], [1000, 1000, 1000])
    assert np.all(np.abs(even - 1 / 3) < 0.03)
    assert probability_best([30, 60], [1000, 1000])[1] > 0.99
