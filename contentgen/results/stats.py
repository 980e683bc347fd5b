"""The statistics of the results loop, vectorised over numpy arrays, checked against scipy and statsmodels in tests.

- rates: two-proportion z-test (pooled standard error, as `statsmodels.stats.proportion.proportions_ztest`) for the
  p-value, Wald interval of the difference (as `confint_proportions_2indep(method="wald")`);
- means (revenue per customer): Welch's t-test and its interval (as `scipy.stats.ttest_ind(equal_var=False)`);
- many arms: Holm or Benjamini–Hochberg adjusted p-values (as `statsmodels.stats.multitest.multipletests`);
- sample-ratio mismatch: chi-square goodness of fit of arm sizes against the planned shares;
- next wave: top-two Thompson sampling over Beta posteriors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

Correction = Literal["holm", "bh", "none"]
SRM_ALPHA = 0.001
Floats = NDArray[np.float64]


@dataclass(frozen=True)
class Test:
    """A difference (arm − control) with its interval and two-sided p-value; arrays when given arrays."""

    diff: Floats
    low: Floats
    high: Floats
    p_value: Floats


def _z(alpha: float) -> float:
    from scipy.stats import norm  # type: ignore[import-untyped, unused-ignore]

    return float(norm.ppf(1 - alpha / 2))


def two_proportion(x1: ArrayLike, n1: ArrayLike, x0: ArrayLike, n0: ArrayLike, *, alpha: float = 0.05) -> Test:
    """Arm 1 against control 0: difference of rates, Wald interval, pooled z-test p-value."""
    from scipy.stats import norm  # type: ignore[import-untyped, unused-ignore]

    x1, n1, x0, n0 = (np.asarray(a, dtype=float) for a in (x1, n1, x0, n0))
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p0 = x1 / n1, x0 / n0
        diff = p1 - p0
        se = np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
        pooled = (x1 + x0) / (n1 + n0)
        se_pooled = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
        z = np.where(se_pooled > 0, diff / se_pooled, 0.0)
    half = _z(alpha) * np.nan_to_num(se)
    p = np.where(se_pooled > 0, 2 * norm.sf(np.abs(z)), 1.0)
    return Test(np.nan_to_num(diff), np.nan_to_num(diff) - half, np.nan_to_num(diff) + half, p)


def welch(
    mean1: ArrayLike,
    var1: ArrayLike,
    n1: ArrayLike,
    mean0: ArrayLike,
    var0: ArrayLike,
    n0: ArrayLike,
    *,
    alpha: float = 0.05,
) -> Test:
    """Difference of means from summary statistics (sample variances, ddof=1): Welch's t-test and interval."""
    from scipy.stats import t  # type: ignore[import-untyped, unused-ignore]

    m1, v1, k1, m0, v0, k0 = (np.asarray(a, dtype=float) for a in (mean1, var1, n1, mean0, var0, n0))
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = v1 / k1, v0 / k0
        se = np.sqrt(a + b)
        df = (a + b) ** 2 / (a**2 / (k1 - 1) + b**2 / (k0 - 1))
        diff = m1 - m0
        stat = np.where(se > 0, diff / se, 0.0)
        p = np.where(se > 0, 2 * t.sf(np.abs(stat), np.where(se > 0, df, 1.0)), 1.0)
        half = np.where(se > 0, t.ppf(1 - alpha / 2, np.where(se > 0, df, 1.0)) * se, 0.0)
    return Test(diff, diff - half, diff + half, p)


def summary(values: ArrayLike) -> tuple[float, float, int]:
    """(mean, sample variance, n) of one arm's per-customer values."""
    array = np.asarray(values, dtype=float)
    n = int(array.size)
    return (float(array.mean()) if n else 0.0, float(array.var(ddof=1)) if n > 1 else 0.0, n)


def adjust(p_values: Sequence[float] | Floats, method: Correction = "holm") -> Floats:
    """Adjusted p-values: Holm's step-down (family-wise error) or Benjamini–Hochberg (false discovery rate)."""
    p = np.asarray(p_values, dtype=float)
    m = p.size
    if m == 0 or method == "none":
        return p.copy()
    order = np.argsort(p)
    ranked = p[order]
    if method == "holm":
        stepped = np.maximum.accumulate((m - np.arange(m)) * ranked)
    elif method == "bh":
        stepped = np.minimum.accumulate(m / np.arange(m, 0, -1) * ranked[::-1])[::-1]
    else:
        raise ValueError(f"correction '{method}' is not holm, bh or none")
    out = np.empty(m)
    out[order] = np.minimum(stepped, 1.0)
    return out


def srm(observed: Sequence[float], shares: Sequence[float]) -> float:
    """p-value of a sample-ratio mismatch: the arm sizes against the planned shares (flag below SRM_ALPHA)."""
    from scipy.stats import chisquare  # type: ignore[import-untyped, unused-ignore]

    counts = np.asarray(observed, dtype=float)
    expected = np.asarray(shares, dtype=float)
    if counts.sum() == 0 or counts.size < 2:
        return 1.0
    expected = expected / expected.sum() * counts.sum()
    return float(chisquare(counts, expected).pvalue)


def top_two_thompson(
    successes: Sequence[float], trials: Sequence[float], *, beta: float = 0.5, draws: int = 20_000, seed: int = 0
) -> Floats:
    """Share of the next wave per arm: top-two Thompson sampling (Russo 2016) over Beta(1 + x, 1 + n − x) posteriors.

    Each draw picks the leader with probability beta, else the best of the other arms in a fresh draw; the shares are
    the Monte Carlo frequencies. One arm gets everything.
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    k = x.size
    if k < 2:
        return np.ones(k)
    rng = np.random.default_rng(seed)
    first = rng.beta(1 + x, 1 + np.maximum(n - x, 0), size=(draws, k))
    second = rng.beta(1 + x, 1 + np.maximum(n - x, 0), size=(draws, k))
    leader = first.argmax(axis=1)
    second[np.arange(draws), leader] = -np.inf
    challenger = second.argmax(axis=1)
    counts = beta * np.bincount(leader, minlength=k) + (1 - beta) * np.bincount(challenger, minlength=k)
    result: Floats = counts / draws
    return result


def probability_best(
    successes: Sequence[float], trials: Sequence[float], *, draws: int = 20_000, seed: int = 0
) -> Floats:
    """P(arm has the highest rate) under Beta(1 + x, 1 + n − x) posteriors."""
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    rng = np.random.default_rng(seed)
    samples = rng.beta(1 + x, 1 + np.maximum(n - x, 0), size=(draws, x.size))
    result: Floats = np.bincount(samples.argmax(axis=1), minlength=x.size) / draws
    return result
