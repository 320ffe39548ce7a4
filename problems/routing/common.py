"""What the routing games share: token coordinates in the unit square, canonical keys, and the helper
that maps a finished game back to a solution of the original instance."""

from __future__ import annotations

from typing import Any, Protocol, Sequence

import numpy as np

from searchlab.game import Action, replay
from searchlab.solvers.routing import Solution


def unit_coords(coords: np.ndarray) -> np.ndarray:
    """Coordinates for tokens: unchanged if already in [0, 1]^2 (generated data, as in BQ-NCO), else
    shifted and scaled by one common factor (aspect ratio kept) into the unit square."""
    c = np.asarray(coords, dtype=np.float64)
    if c.size == 0 or (c.min() >= 0.0 and c.max() <= 1.0):
        return c.astype(np.float32)
    low = c.min(axis=0)
    span = float((c.max(axis=0) - low).max()) or 1.0
    return ((c - low) / span).astype(np.float32)


def seq_key(seq: Sequence[int]) -> str:
    return "-".join(map(str, seq))


def cycle_key(seq: Sequence[int]) -> str:
    """Key of a cycle through a fixed first node: the smaller of the two directions."""
    seq = list(seq)
    rev = seq[:1] + seq[1:][::-1]
    return seq_key(min(seq, rev))


class SolvableGame(Protocol):
    """A routing game that maps its terminal states back to solutions of its instance."""

    def solution(self, state: Any) -> Solution: ...

    def objective(self, state: Any) -> float: ...


def solution_of_actions(game: Any, actions: Sequence[Action]) -> Solution:
    """Replay `actions` (must end the game) and return the original problem's solution with its objective."""
    state = replay(game, actions)
    if not game.is_terminal(state):
        raise ValueError("the moves do not finish the game")
    sol = game.solution(state)
    return sol.with_objective(game.objective(state))
