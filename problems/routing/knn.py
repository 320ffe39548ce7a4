"""kNN restriction (BQ-NCO's "partial computation"): the policy sees only the current node, the `k`
remaining nodes nearest to it and the destination, and may only move to one of those. A wrapper around a
node game (TSP, CVRP, OP) whose tokens are `[current, remaining..., destination]`; the moves it allows are
a subset of the inner game's, so every finished play is a solution of the instance.

With `local=True` the view is also put in the current node's frame (`local_frame`): centred on the
current node and scaled so the farthest kept node is at distance 1. Such a view looks the same on TSP100
and TSP1000 (only the neighbourhood matters), which is what lets a policy trained on small instances
decode large ones, and it makes every rotation and reflection a label-preserving augmentation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from searchlab.game import Action
from searchlab.policy import token_view


def local_frame(xy: np.ndarray) -> np.ndarray:
    """Token coordinates `[..., n, 2]` (current first, destination last, remaining between) in the current
    node's frame: shifted to the current node and divided by the largest distance of a remaining node
    (1 if none). A destination farther than that is pulled in radially to 1 + log(distance), so its
    direction survives while far-away detail does not blow up the inputs."""
    rel = xy - xy[..., :1, :]
    dist = np.sqrt((rel**2).sum(-1))
    scale = dist[..., 1:-1].max(-1, keepdims=True, initial=0.0)
    scale = np.where(scale > 0, scale, 1.0)
    rel = rel / scale[..., None]
    rho = dist / scale
    squash = np.where(rho > 1.0, (1.0 + np.log(np.maximum(rho, 1.0))) / np.maximum(rho, 1e-12), 1.0)
    return (rel * squash[..., None]).astype(np.float32)


@dataclass(frozen=True, eq=False)
class KNNGame:
    """`inner` restricted to the `k` nearest remaining nodes of the current node (unrestricted when fewer
    remain); with `local`, token coordinates in the current node's frame."""

    inner: Any
    k: int
    local: bool = False

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
        if rows is not None:
            sel = np.concatenate([[0], rows, [len(feats) - 1]])
            feats, mask = feats[sel], mask[sel]
        if self.local:
            feats = feats.copy()
            feats[:, :2] = local_frame(feats[:, :2])
        return feats, mask

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


def restrict(game: Any, knn: int | None, local: bool = False) -> Any:
    """`game` under a kNN restriction of `knn` nodes, in the current node's frame if `local` (unchanged for
    None/0, or for games without nodes, e.g. KP)."""
    if not knn or not hasattr(game, "_xy"):
        return game
    return KNNGame(game, knn, local)
