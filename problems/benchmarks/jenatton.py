"""Jenatton: the tree-structured function of Jenatton et al. (ICML 2017) as in Ax's benchmark, minimised.

x1 in {0, 1}; x1 = 0 activates x2 in {0, 1} and r8, x1 = 1 activates x3 in {0, 1} and r9; the second
choice activates one of x4, x5 (under x2) or x6, x7 (under x3). f = x_leaf^2 + {0.1, 0.2, 0.3, 0.4} + r,
all continuous variables in [0, 1]. Optimum 0.1 at x1 = x2 = 0, x4 = r8 = 0.

Game: two moves, x1 then x2 or x3 (actions 0 and 1); a terminal state's leaf parameters are only its two
active continuous variables. Keys: "x1=0,x2=1". Features: (x1, x2, x3) with 0.5 for a variable that is
inactive or not yet set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from searchlab.registry import Problem
from searchlab.space import Real, Space

from .base import BenchmarkOracle, Values, config_space
from .faults import FLAKY_PRESET, Faults

OPTIMAL_VALUE = 0.1

# (x1, second choice) -> (name of the second choice, active leaf variable, shared r, offset)
LEAVES: dict[tuple[int, int], tuple[str, str, str, float]] = {
    (0, 0): ("x2", "x4", "r8", 0.1),
    (0, 1): ("x2", "x5", "r8", 0.2),
    (1, 0): ("x3", "x6", "r9", 0.3),
    (1, 1): ("x3", "x7", "r9", 0.4),
}


def jenatton(x1: int, x2: int | None = None, x3: int | None = None, **reals: float) -> float:
    """The Jenatton function; `reals` holds at least the active ones of x4 .. x7, r8, r9."""
    _, leaf, r, offset = LEAVES[(x1, x2 if x1 == 0 else x3)]  # type: ignore[index]
    return reals[leaf] ** 2 + offset + reals[r]


@dataclass(frozen=True)
class JenattonGame:
    """Choose x1, then x2 (if x1 = 0) or x3 (if x1 = 1); the state is the tuple of choices made."""

    def initial_state(self) -> Values:
        return ()

    def legal_actions(self, state: Values) -> tuple[int, ...]:
        return () if len(state) >= 2 else (0, 1)

    def step(self, state: Values, action: Any) -> Values:
        if len(state) >= 2 or action not in (0, 1):
            raise ValueError(f"move {action!r} is not legal in state {state!r}")
        return state + (int(action),)

    def is_terminal(self, state: Values) -> bool:
        return len(state) == 2

    def key(self, state: Values) -> str:
        names = ["x1"] + ([LEAVES[(state[0], 0)][0]] if state else [])
        return ",".join(f"{n}={v}" for n, v in zip(names, state))

    def variable(self, state: Values) -> str:
        """The tree's variable decided at `state`: x1 first, then x2 (under x1=0) or x3 (under x1=1)."""
        return "x1" if not state else LEAVES[(state[0], 0)][0]

    def params(self, state: Values) -> Space | None:
        if not self.is_terminal(state):
            return None
        _, leaf, r, _ = LEAVES[state]  # type: ignore[index]
        return Space((Real(leaf, 0.0, 1.0, help="active leaf variable"), Real(r, 0.0, 1.0, help="shared offset")))

    def features(self, state: Values) -> np.ndarray:
        f = np.full(3, 0.5)
        if state:
            f[0] = state[0]
        if len(state) == 2:
            f[1 + state[0]] = state[1]
        return f


def make_game(config: Mapping[str, Any]) -> JenattonGame:
    return JenattonGame()


@dataclass(frozen=True)
class JenattonOracle(BenchmarkOracle):
    """Evaluates the Jenatton function at the candidate's choices and active parameters."""

    faults: Faults = field(default_factory=Faults)

    def game(self) -> JenattonGame:
        return JenattonGame()

    def value(self, state: Values, params: Mapping[str, float]) -> tuple[float, dict[str, Any]]:
        second = LEAVES[state][0]  # type: ignore[index]
        return jenatton(state[0], **{second: state[1]}, **params), {}


def make_oracle(config: Mapping[str, Any]) -> JenattonOracle:
    return JenattonOracle(Faults.from_config(config))


JENATTON = Problem(
    name="jenatton",
    description="Jenatton et al. (2017) tree-structured function: 2 binary moves, 2 active leaf reals, minimise (optimum 0.1).",
    config=config_space(),
    make_game=make_game,
    make_oracle=make_oracle,
    presets={"default": {}, "flaky": FLAKY_PRESET},
    minimize=True,
)
