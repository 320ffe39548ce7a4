"""Path-OP, the BQ-NCO reduced MDP of the orienteering problem: a state is (current node, depot as
destination, remaining nodes with prizes, remaining length budget).

A move visits a node u with dist(current, u) + dist(u, depot) <= budget; the game ends, returning to the
depot, when no node fits (prizes are >= 0, so stopping early never pays). Nodes that stop fitting are
dropped for good (by the triangle inequality they never fit again). Tokens `[current, remaining...,
depot]` with features `(x, y, prize, remaining budget, is_current, is_depot)`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from searchlab.solvers.routing import OPInstance, Solution

from .common import cycle_key, seq_key, unit_coords

D_IN = 6
EPS = 1e-9
"""Slack on the budget test (floating-point sums)."""


@dataclass(frozen=True)
class OPState:
    """The visited nodes after the depot, the nodes that still fit (sorted), and the remaining budget."""

    path: tuple[int, ...]
    remaining: tuple[int, ...]
    budget: float

    @property
    def current(self) -> int:
        return self.path[-1] if self.path else 0


@dataclass(frozen=True, eq=False)
class PathOPGame:
    """Collect prizes on a tour from the depot (node 0) back to it within the instance's max_length."""

    instance: OPInstance

    def __post_init__(self) -> None:
        object.__setattr__(self, "_dist", self.instance.distances())
        object.__setattr__(self, "_xy", unit_coords(self.instance.coords))

    def _fitting(self, cur: int, nodes: tuple[int, ...], budget: float) -> tuple[int, ...]:
        d = self._dist
        return tuple(u for u in nodes if d[cur, u] + d[u, 0] <= budget + EPS)

    def initial_state(self) -> OPState:
        b = self.instance.max_length
        return OPState((), self._fitting(0, tuple(range(1, len(self.instance.coords))), b), b)

    def legal_actions(self, state: OPState) -> tuple[int, ...]:
        return state.remaining

    def step(self, state: OPState, action: int) -> OPState:
        if action not in state.remaining:
            raise ValueError(f"node {action!r} is not a node that fits the budget")
        v = int(action)
        budget = state.budget - float(self._dist[state.current, v])
        return OPState(state.path + (v,), self._fitting(v, tuple(u for u in state.remaining if u != v), budget), budget)

    def is_terminal(self, state: OPState) -> bool:
        return not state.remaining

    def key(self, state: OPState) -> str:
        """The path; a finished tour is keyed direction-free."""
        if self.is_terminal(state):
            return cycle_key((0, *state.path))
        return seq_key((0, *state.path))

    def quotient_key(self, state: OPState) -> str:
        """The BQ state (current node, budget to 1e-9, remaining nodes)."""
        return f"{state.current}:{state.budget:.9f}:{seq_key(state.remaining)}"

    def tokens(self, state: OPState) -> tuple[np.ndarray, np.ndarray]:
        idx = [state.current, *state.remaining, 0]
        feats = np.zeros((len(idx), D_IN), np.float32)
        feats[:, :2] = self._xy[idx]
        feats[:, 2] = self.instance.prizes[idx]
        feats[:, 3] = state.budget
        feats[0, 4] = 1.0
        feats[-1, 5] = 1.0
        mask = np.ones(len(idx), bool)
        mask[0] = mask[-1] = False
        return feats, mask

    def actions_of_tokens(self, state: OPState) -> list[int | None]:
        return [None, *state.remaining, None]

    def features(self, state: OPState) -> np.ndarray:
        """Visited indicator per node plus the remaining budget fraction (for surrogates)."""
        f = np.zeros(len(self.instance.coords) + 1)
        f[list(state.path)] = 1.0
        f[-1] = state.budget / self.instance.max_length if self.instance.max_length else 0.0
        return f

    def solution(self, state: OPState) -> Solution:
        return Solution.of_op_tour(state.path, method="game")

    def objective(self, state: OPState) -> float:
        """The prize collected so far."""
        return float(self.instance.prizes[list(state.path)].sum()) if state.path else 0.0

    def length(self, state: OPState) -> float:
        """Length of the tour so far, closed at the depot."""
        return self.instance.max_length - state.budget + float(self._dist[state.current, 0])

    def actions_of_solution(self, solution: Solution, complete: bool = True) -> list[int]:
        """The moves of `solution`'s tour; with `complete`, followed by greedy moves (best prize per
        distance) until no node fits, since the game only ends when nothing fits."""
        moves, state = [], self.initial_state()
        for v in solution.tour:
            state = self.step(state, v)
            moves.append(int(v))
        while complete and not self.is_terminal(state):
            d = self._dist[state.current]
            v = max(state.remaining, key=lambda u: self.instance.prizes[u] / max(d[u], 1e-12))
            state = self.step(state, v)
            moves.append(v)
        return moves
