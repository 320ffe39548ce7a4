"""What the benchmark problems share: a game that sets variables one at a time from a fixed alphabet,
and an oracle base that injects faults, checks the candidate and computes a closed-form value."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from searchlab.game import Action, Candidate, Game, make_candidate, replay
from searchlab.oracle import OracleResult, Status
from searchlab.space import Param, Space

from .faults import FAULT_PARAMS, Faults

Values = tuple[int, ...]


def config_space(*params: Param) -> Space:
    """A benchmark's configuration space: its own parameters, then the shared oracle options."""
    return Space((*params, *FAULT_PARAMS))


@dataclass(frozen=True)
class SequenceGame:
    """Set `n` variables in order, each to one symbol of `alphabet`; terminal once all are set.

    State: the tuple of values chosen so far. Key: one character of `symbols` per value. Leaf
    parameters: the fixed `leaf` space, asked for at every terminal state. Features: value i mapped to
    its alphabet position scaled to [0, 1] (first symbol 0, last 1); unset positions are 0.5.
    """

    n: int
    alphabet: tuple[int, ...] = (0, 1)
    symbols: str = "01"
    leaf: Space = field(default_factory=Space)

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"need at least one variable, got n={self.n}")
        if len(self.alphabet) < 2 or len(self.symbols) != len(self.alphabet):
            raise ValueError("need an alphabet of two or more values and one key symbol per value")

    def initial_state(self) -> Values:
        return ()

    def legal_actions(self, state: Values) -> tuple[int, ...]:
        return () if len(state) >= self.n else self.alphabet

    def step(self, state: Values, action: Action) -> Values:
        if len(state) >= self.n or action not in self.alphabet:
            raise ValueError(f"move {action!r} is not legal in state {state!r}")
        return state + (self.alphabet[self.alphabet.index(action)],)  # canonical int, not bool/np

    def is_terminal(self, state: Values) -> bool:
        return len(state) == self.n

    def key(self, state: Values) -> str:
        return "".join(self.symbols[self.alphabet.index(a)] for a in state)

    def params(self, state: Values) -> Space | None:
        return self.leaf if self.is_terminal(state) else None

    def features(self, state: Values) -> np.ndarray:
        f = np.full(self.n, 0.5)
        top = len(self.alphabet) - 1
        f[: len(state)] = [self.alphabet.index(a) / top for a in state]
        return f


class BenchmarkOracle:
    """Base of the benchmark oracles (frozen dataclasses with a `faults` field).

    `evaluate` sleeps and injects faults as configured, replays the candidate's moves, validates its
    leaf parameters, and returns `value(state, params)`. Fidelity and workdir are ignored.
    """

    faults: Faults

    def game(self) -> Game:
        raise NotImplementedError

    def value(self, state: Any, params: Mapping[str, float]) -> tuple[float, dict[str, Any]]:
        """The objective and any extra values of a checked terminal state and its parameters."""
        raise NotImplementedError

    def evaluate(self, candidate: Candidate, fidelity: float | None, seed: int, workdir: str | None) -> OracleResult:
        t0 = time.perf_counter()
        self.faults.inject(seed)
        game = self.game()
        checked = make_candidate(game, candidate.actions, candidate.params)
        value, values = self.value(replay(game, checked.actions), checked.params)
        return OracleResult(Status.OK, float(value), values, cost=time.perf_counter() - t0)
