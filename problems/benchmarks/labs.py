"""LABS: low-autocorrelation binary sequences of length n, maximise the merit factor F = n^2 / (2E).

E = sum over lags k = 1..n-1 of C_k^2, with C_k = sum_i s_i s_{i+k} the aperiodic autocorrelation of
the +-1 sequence s. Same function as BoTorch's `Labs` (which reads bit b as s = 2b - 1).

Game: the moves set s_1 .. s_n in order (actions -1 and +1, key a string of '-' and '+'); no leaf
parameters. Features: (s_i + 1) / 2, i.e. the BoTorch bits (0.5 where not yet set). Keys are the raw
sequences: the symmetries of E (reversal, negation, negating every other entry) are not folded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from searchlab.registry import Problem
from searchlab.space import Int

from .base import BenchmarkOracle, SequenceGame, Values, config_space
from .faults import FLAKY_PRESET, Faults

OPTIMAL_ENERGY: dict[int, int] = {
    3: 1, 4: 2, 5: 2, 6: 7, 7: 3, 8: 8, 9: 12, 10: 13, 11: 5, 12: 10, 13: 6, 14: 19, 15: 15, 16: 24,
    17: 32, 18: 25, 19: 29, 20: 26, 30: 59, 40: 108, 50: 153, 60: 218,
}
"""Minimal energies E(n) (Packebusch & Mertens 2016); n <= 20 re-checked by exhaustive search."""


def energy(s: np.ndarray) -> int:
    """E = sum of squared aperiodic autocorrelations at lags 1..n-1 of the +-1 sequence `s`."""
    s = np.asarray(s, dtype=np.int64)
    c = np.correlate(s, s, mode="full")[len(s) :]  # lags 1 .. n-1
    return int(np.dot(c, c))


def merit_factor(s: np.ndarray) -> float:
    """F = n^2 / (2E) of the +-1 sequence `s` (infinite for n = 1, where E = 0)."""
    e = energy(s)
    return len(s) ** 2 / (2.0 * e) if e else float("inf")


def optimal_merit_factor(n: int) -> float | None:
    """The best merit factor of length n where known (from `OPTIMAL_ENERGY`), else None."""
    e = OPTIMAL_ENERGY.get(n)
    return n * n / (2.0 * e) if e else None


def make_game(config: Mapping[str, Any]) -> SequenceGame:
    return SequenceGame(n=int(config["n"]), alphabet=(-1, 1), symbols="-+")


@dataclass(frozen=True)
class LabsOracle(BenchmarkOracle):
    """The merit factor of the candidate's sequence; `values` also holds its energy."""

    n: int
    faults: Faults = field(default_factory=Faults)

    def game(self) -> SequenceGame:
        return make_game({"n": self.n})

    def value(self, state: Values, params: Mapping[str, float]) -> tuple[float, dict[str, Any]]:
        e = energy(np.array(state))
        return self.n**2 / (2.0 * e), {"energy": e}


def make_oracle(config: Mapping[str, Any]) -> LabsOracle:
    return LabsOracle(int(config["n"]), Faults.from_config(config))


LABS = Problem(
    name="labs",
    description="Low-autocorrelation binary sequences: choose n entries of +-1, maximise the merit factor.",
    config=config_space(Int("n", 2, 1000, default=30, help="sequence length")),
    make_game=make_game,
    make_oracle=make_oracle,
    presets={"default": {}, "small": {"n": 20}, "flaky": {"n": 20, **FLAKY_PRESET}},
    minimize=False,
)
