"""kNN restriction for large instances (BQ-NCO's "partial computation"): the policy sees only the current
node, the `k` remaining nodes nearest to it and the destination, and may only move to one of those. A
wrapper around a node game (TSP, CVRP, OP) whose tokens are `[current, remaining..., destination]`; the
moves it allows are a subset of the inner game's, so every finished play is a solution of the instance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from searchlab.game import Action
from searchlab.policy import token_view


@dataclass(frozen=True, eq=False)
class KNNGame:
    """`inner` restricted to the `k` nearest remaining nodes of the current node (unrestricted when fewer remain)."""

    inner: Any
    k: int

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError(f"knn must be at least 1, got {self.k}")
        if not hasattr(self.inner, "_xy"):
            raise ValueError(f"{type(self.inner).__name__} has no node coordinates for a kNN restriction")

    @property
    def instance(self) -> Any:
        return self.inner.instance

    def __getattr__(self, name: str) -> Any:  # solution, objective, tour, actions_of_solution, ...
        return getattr(self.inner, name)

    def _rows(self, state: Any) -> np.ndarray | None:
        """Token rows (1-based, in `remaining` order) of the kept remaining nodes, or None if all are kept."""
        rem = state.remaining
        if len(rem) <= self.k:
            return None
        xy = self.inner._xy
        d = ((xy[list(rem)] - xy[state.current]) ** 2).sum(-1)
        keep = np.argpartition(d, self.k - 1)[: self.k]
        return np.sort(keep) + 1

    def initial_state(self) -> Any:
        return self.inner.initial_state()

    def step(self, state: Any, action: Action) -> Any:
        return self.inner.step(state, action)

    def is_terminal(self, state: Any) -> bool:
        return self.inner.is_terminal(state)

    def key(self, state: Any) -> str:
        return self.inner.key(state)

    def tokens(self, state: Any) -> tuple[np.ndarray, np.ndarray]:
        feats, mask = self.inner.tokens(state)
        rows = self._rows(state)
        if rows is None:
            return feats, mask
        sel = np.concatenate([[0], rows, [len(feats) - 1]])
        return feats[sel], mask[sel]

    def actions_of_tokens(self, state: Any) -> Sequence[Action | None]:
        acts = list(self.inner.actions_of_tokens(state))
        rows = self._rows(state)
        if rows is None:
            return acts
        n_tok = len(state.remaining) + 2
        k = len(acts) // n_tok
        sel = np.concatenate([[0], rows, [n_tok - 1]])
        return [acts[t * k + c] for t in sel for c in range(k)]

    def legal_actions(self, state: Any) -> tuple[Action, ...]:
        if self._rows(state) is None:
            return tuple(self.inner.legal_actions(state))
        view = token_view(self, state)
        return tuple(view.actions[s] for s in view.legal_slots())


def restrict(game: Any, knn: int | None) -> Any:
    """`game` under a kNN restriction of `knn` nodes (unchanged for None/0, or for games without nodes, e.g. KP)."""
    if not knn or not hasattr(game, "_xy"):
        return game
    return KNNGame(game, knn)
