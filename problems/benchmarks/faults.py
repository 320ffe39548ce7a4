"""Simulated oracle cost and fault injection, shared by the benchmark oracles.

Benchmark functions are cheap; these options make them behave like expensive, unreliable oracles so
that pools, timeouts and resume can be tested: `delay` sleeps, `fail` raises, `hang` never returns (for
timeout tests) and `crash` calls `os.abort()` (the worker process dies). Whether an evaluation faults is
a deterministic function of its seed, so re-running the same evaluation does the same thing.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Literal, Mapping

import numpy as np

from searchlab.space import Real

FAULT_STREAM = 0x5EA4FA17
"""Second word of the fault generator's seed, so fault draws are independent of other seed uses."""

Fault = Literal["crash", "hang", "fail"]

FAULT_PARAMS: tuple[Real, ...] = (
    Real("delay", 0.0, 86400.0, default=0.0, help="simulated oracle cost: seconds each evaluation sleeps"),
    Real("fail", 0.0, 1.0, default=0.0, help="fault injection: rate of evaluations that raise an exception"),
    Real("hang", 0.0, 1.0, default=0.0, help="fault injection: rate of evaluations that never return"),
    Real("crash", 0.0, 1.0, default=0.0, help="fault injection: rate of evaluations that kill their worker"),
)
"""The oracle options every benchmark problem adds to its configuration space."""

FLAKY_PRESET: Mapping[str, Any] = {"delay": 0.05, "fail": 0.1, "hang": 0.05, "crash": 0.05}
"""A preset for exercising pools: some cost, and every kind of fault now and then."""


class InjectedFault(RuntimeError):
    """The exception a `fail` fault raises."""


def fault_draw(seed: int) -> float:
    """The uniform number in [0, 1) that decides an evaluation's fault; depends only on `seed`."""
    return float(np.random.default_rng([int(seed) % 2**64, FAULT_STREAM]).random())


@dataclass(frozen=True)
class Faults:
    """Simulated cost and fault rates of an oracle (plain data, so oracles stay picklable).

    The rates are exclusive slices of one uniform draw: an evaluation crashes with probability `crash`,
    hangs with probability `hang`, fails with probability `fail` (slices beyond 1 are cut off).
    """

    delay: float = 0.0
    fail: float = 0.0
    hang: float = 0.0
    crash: float = 0.0

    @staticmethod
    def from_config(config: Mapping[str, Any]) -> "Faults":
        return Faults(**{p.name: float(config.get(p.name) or 0.0) for p in FAULT_PARAMS})

    def decide(self, seed: int) -> Fault | None:
        """Which fault the evaluation with this seed suffers, if any (no side effects)."""
        if self.crash <= 0 and self.hang <= 0 and self.fail <= 0:
            return None
        u = fault_draw(seed)
        if u < self.crash:
            return "crash"
        if u < self.crash + self.hang:
            return "hang"
        if u < self.crash + self.hang + self.fail:
            return "fail"
        return None

    def inject(self, seed: int) -> None:
        """Sleep `delay` seconds, then act out the fault `decide(seed)` picks (or return normally)."""
        if self.delay > 0:
            time.sleep(self.delay)
        fault = self.decide(seed)
        if fault == "crash":
            os.abort()
        if fault == "hang":
            while True:
                time.sleep(3600)
        if fault == "fail":
            raise InjectedFault(f"injected failure (seed {seed})")
