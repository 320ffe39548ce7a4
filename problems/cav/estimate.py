"""The crash-rate estimate, its relative half-width and the stopping rule, computed from the ledger alone.

Every finished test batch contributes its count, sum and sum of squares of x_i = 1{crash} p/q, so a resumed run
continues exactly the same estimate. Failed evaluations (timeouts, worker deaths) carry no samples and are left
out; that keeps the estimate unbiased because such faults do not depend on the simulated outcome.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from searchlab.history import RunHistory
from searchlab.oracle import Status
from searchlab.solvers.traffic.estimators import Z


@dataclass(frozen=True)
class LedgerEstimate:
    """The campaign so far: tests, crashes, mean of x_i, standard error, RHW (z = 1.645), exact truth if known.

    `last_above` is the number of tests at the last finished batch whose RHW was not below `target`.
    """

    tests: int
    batches: int
    crashes: int
    mean: float
    std_error: float
    rhw: float
    truth: float | None
    last_above: int
    target: float

    @property
    def ci(self) -> tuple[float, float]:
        """90 % normal-approximation confidence interval (clipped at 0)."""
        return max(0.0, self.mean - Z * self.std_error), self.mean + Z * self.std_error


def _rhw(n: int, s: float, ss: float) -> tuple[float, float, float]:
    """(mean, standard error, RHW) of n samples with sum s and sum of squares ss."""
    if n == 0:
        return 0.0, math.inf, math.inf
    mean = s / n
    if n < 2:
        return mean, math.inf, math.inf
    se = math.sqrt(max(ss - n * mean * mean, 0.0) / (n - 1) / n)
    return mean, se, (Z * se / mean if mean > 0 else math.inf)


def ledger_estimate(history: RunHistory) -> LedgerEstimate:
    """Fold the finished test batches, in the order they finished, into the running estimate."""
    target = float(history.settings["config"]["target_rhw"])
    n = batches = crashes = last_above = 0
    s = ss = 0.0
    truth = None
    for ev in history.finished():
        r = ev.result
        if r is None or r.status is not Status.OK or "tests" not in r.values:
            continue
        v = r.values
        n, s, ss = n + int(v["tests"]), s + float(v["sum"]), ss + float(v["sumsq"])
        batches, crashes = batches + 1, crashes + int(v["crashes"])
        truth = v.get("truth", truth)
        if not _rhw(n, s, ss)[2] < target:
            last_above = n
    mean, se, rhw = _rhw(n, s, ss)
    return LedgerEstimate(n, batches, crashes, mean, se, rhw, truth, last_above, target)


def stop_reason(history: RunHistory) -> str | None:
    """The `cav` stop rule: RHW below target (held over the last `confirm` share of the tests, after
    `min_tests`), or `max_tests` used; None = go on.

    Stopping at a data-dependent time is what makes a fixed-precision campaign practical; the estimate at that
    time carries the usual small stopping-time bias (a fixed number of tests, e.g. `--budget`, has none).
    """
    cfg: dict[str, Any] = history.settings["config"]
    if cfg["task"] == "search":
        done = len(history.finish_order)
        return f"{done} scenarios searched (max_tests)" if done >= cfg["max_tests"] else None
    est = ledger_estimate(history)
    if est.tests >= cfg["max_tests"]:
        return f"max_tests spent ({est.tests} tests)"
    if (est.rhw < est.target and est.tests >= cfg["min_tests"]
            and est.tests >= (1.0 + cfg["confirm"]) * est.last_above):
        return f"RHW {est.rhw:.3f} < {est.target:g} after {est.tests} tests"
    return None


def summary(history: RunHistory) -> str:
    """One line: the running estimate and RHW (testing), or the crashes found so far (search)."""
    if history.settings["config"]["task"] == "search":
        return search_summary(history)
    e = ledger_estimate(history)
    if e.tests == 0:
        return "estimate - (no tests yet)"
    lo, hi = e.ci
    text = (f"estimate {e.mean:.4g} RHW {e.rhw:.3f} (target {e.target:g}) | {e.tests} tests, {e.crashes} crashes"
            f" | 90% CI {lo:.3g}..{hi:.3g}")
    if e.truth is not None:
        text += f" | exact {e.truth:.4g}" + (f" (estimate/exact {e.mean / e.truth:.3f})" if e.truth > 0 else "")
    return text


def search_summary(history: RunHistory) -> str:
    """Scenarios searched, crashes found, and the smallest gap seen."""
    ok = [ev for ev in history.finished() if ev.result is not None and ev.result.status is Status.OK]
    if not ok:
        return "no scenarios yet"
    crashes = [ev for ev in ok if ev.result.values.get("crash")]  # type: ignore[union-attr]
    best = min(ok, key=lambda ev: ev.result.value)  # type: ignore[union-attr, return-value]
    text = f"{len(ok)} scenarios, {len(crashes)} crashes, min gap {best.result.value:.3g} m"  # type: ignore[union-attr]
    if crashes:
        text += f" (first crash: evaluation {crashes[0].eval_id})"
    return text
