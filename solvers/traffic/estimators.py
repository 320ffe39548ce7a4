"""Crash-rate estimators from per-test samples x_i = 1{crash} w_i: mean, relative half-width, confidence interval.

The relative half-width (RHW) is z * sd / (sqrt(n) * mean) with z = 1.645 (90 % two-sided), as in NADE/D2RL.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

#: Two-sided confidence level of the reported intervals and of the RHW stopping rule.
CONFIDENCE = 0.90
#: z = Phi^{-1}(1 - alpha/2) = 1.645 for alpha = 0.1.
Z = float(norm.ppf(0.5 + CONFIDENCE / 2.0))


@dataclass(frozen=True)
class Estimate:
    """A crash-rate estimate with its standard error, relative half-width and confidence interval."""

    mean: float
    std_error: float
    rhw: float
    ci_low: float
    ci_high: float
    n: int
    n_crashes: int


def estimate(x: np.ndarray, z: float = Z) -> Estimate:
    """Sample mean of the unbiased per-test samples with a normal-approximation CI (clipped at 0)."""
    x = np.asarray(x, dtype=float)
    n = x.size
    mean = float(x.mean()) if n else 0.0
    sd = float(x.std(ddof=1)) if n > 1 else float("inf")
    se = sd / np.sqrt(n) if n else float("inf")
    rhw = z * se / mean if mean > 0 else float("inf")
    return Estimate(mean, se, rhw, max(0.0, mean - z * se), mean + z * se, n, int(np.count_nonzero(x)))


def running_rhw(x: np.ndarray, z: float = Z, prior: tuple[int, float, float] = (0, 0.0, 0.0)) -> np.ndarray:
    """RHW after each test, continuing from prior (count, sum, sum of squares) of earlier tests."""
    n0, s0, ss0 = prior
    n = n0 + np.arange(1, x.size + 1)
    s = s0 + np.cumsum(x)
    ss = ss0 + np.cumsum(x * x)
    mean = s / n
    var = np.maximum(ss - n * mean * mean, 0.0) / np.maximum(n - 1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = z * np.sqrt(var / n) / mean
    return np.where((mean > 0) & (n > 1), r, np.inf)


def tests_for_rhw(rel_var: float, rhw: float = 0.3, z: float = Z) -> float:
    """Expected number of tests for the RHW to reach `rhw` given sigma^2/mu^2: (z/rhw)^2 sigma^2/mu^2."""
    return (z / rhw) ** 2 * rel_var


def crude_mc_tests(mu: float, rhw: float = 0.3, z: float = Z) -> float:
    """Tests crude Monte Carlo needs: n = z^2 (1 - mu) / (mu rhw^2)."""
    return tests_for_rhw((1.0 - mu) / mu, rhw, z)


def first_crossing(rhw_trace: np.ndarray, target: float = 0.3, min_tests: int = 1, confirm: float = 0.0,
                   offset: int = 0, last_above: int = 0) -> int | None:
    """1-based index of the first test n (>= min_tests) with RHW < target that has stayed below target over the
    last confirm * n tests (n >= (1 + confirm) * last test above), or None.

    `offset` tests precede the trace, the last of them above target being number `last_above` (1-based).
    """
    n = offset + np.arange(1, rhw_trace.size + 1)
    above = ~(rhw_trace < target)
    last = np.maximum.accumulate(np.where(above, n, last_above))
    ok = np.flatnonzero(~above & (n >= min_tests) & (n >= (1.0 + confirm) * last))
    return int(ok[0]) + 1 if ok.size else None


def last_above(rhw_trace: np.ndarray, target: float, offset: int, previous: int) -> int:
    """1-based number of the last test whose RHW was not below target (previous if none in this trace)."""
    above = np.flatnonzero(~(rhw_trace < target))
    return offset + int(above[-1]) + 1 if above.size else previous
