"""The BQ-NCO reduced MDP of the 0-1 knapsack: a state is (items that still fit, remaining capacity).

A move takes an item; items heavier than the remaining capacity are dropped; the game ends when nothing
fits. The chosen set is kept for keys and the solution. Tokens: one per remaining item with features
`(value, weight, remaining capacity)`, all divided by the game's `scale`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from searchlab.solvers.routing import KPInstance, Solution

from .common import seq_key

D_IN = 3


@dataclass(frozen=True)
class KPState:
    """The chosen items and the items that still fit (both sorted), and the remaining capacity."""

    chosen: tuple[int, ...]
    remaining: tuple[int, ...]
    capacity: int


@dataclass(frozen=True, eq=False)
class KPGame:
    """Choose items of `instance`; `scale` divides values, weights and capacity in tokens (default:
    the largest weight or value of the instance)."""

    instance: KPInstance
    scale: float | None = None

    def __post_init__(self) -> None:
        if self.scale is None:
            top = max(float(self.instance.weights.max()), float(self.instance.values.max()))
            object.__setattr__(self, "scale", top or 1.0)
        if not self.scale > 0:
            raise ValueError(f"scale must be > 0, got {self.scale}")

    def _fitting(self, items: tuple[int, ...], cap: int) -> tuple[int, ...]:
        w = self.instance.weights
        return tuple(i for i in items if w[i] <= cap)

    def initial_state(self) -> KPState:
        cap = self.instance.capacity
        return KPState((), self._fitting(tuple(range(self.instance.n_items)), cap), cap)

    def legal_actions(self, state: KPState) -> tuple[int, ...]:
        return state.remaining

    def step(self, state: KPState, action: int) -> KPState:
        if action not in state.remaining:
            raise ValueError(f"item {action!r} is not an item that fits")
        i = int(action)
        cap = state.capacity - int(self.instance.weights[i])
        rest = self._fitting(tuple(j for j in state.remaining if j != i), cap)
        return KPState(tuple(sorted(state.chosen + (i,))), rest, cap)

    def is_terminal(self, state: KPState) -> bool:
        return not state.remaining

    def key(self, state: KPState) -> str:
        """The chosen set (order-free: every order of the same items is one state)."""
        return seq_key(state.chosen)

    def quotient_key(self, state: KPState) -> str:
        """The BQ state (remaining capacity, items that still fit)."""
        return f"{state.capacity}:{seq_key(state.remaining)}"

    def tokens(self, state: KPState) -> tuple[np.ndarray, np.ndarray]:
        idx = list(state.remaining)
        feats = np.zeros((len(idx), D_IN), np.float32)
        feats[:, 0] = self.instance.values[idx] / self.scale
        feats[:, 1] = self.instance.weights[idx] / self.scale
        feats[:, 2] = state.capacity / self.scale
        return feats, np.ones(len(idx), bool)

    def actions_of_tokens(self, state: KPState) -> list[int]:
        return list(state.remaining)

    def features(self, state: KPState) -> np.ndarray:
        """Chosen indicator per item plus the remaining capacity fraction (for surrogates)."""
        f = np.zeros(self.instance.n_items + 1)
        f[list(state.chosen)] = 1.0
        f[-1] = state.capacity / self.instance.capacity if self.instance.capacity else 0.0
        return f

    def solution(self, state: KPState) -> Solution:
        return Solution.of_items(state.chosen, method="game")

    def objective(self, state: KPState) -> float:
        """The value of the chosen items."""
        return float(self.instance.values[list(state.chosen)].sum()) if state.chosen else 0.0

    def actions_of_solution(self, solution: Solution, complete: bool = True) -> list[int]:
        """The moves taking `solution`'s items (by index); with `complete`, then the best-density items
        that still fit, since the game only ends when nothing fits."""
        moves, state = [], self.initial_state()
        for i in solution.items:
            state = self.step(state, i)
            moves.append(int(i))
        while complete and not self.is_terminal(state):
            i = max(state.remaining, key=lambda j: self.instance.values[j] / self.instance.weights[j])
            state = self.step(state, i)
            moves.append(i)
        return moves

    def target_items(self, state: KPState, solution: Solution) -> tuple[int, ...]:
        """The multi-label imitation target: the remaining items that `solution` takes."""
        chosen = set(solution.items)
        return tuple(i for i in state.remaining if i in chosen)
