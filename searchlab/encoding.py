"""Candidates as fixed-length vectors in [0, 1]^d for surrogate models.

The vector is the discrete part (the game's `features(terminal_state)` when it has them, else a hashed
one-hot of (depth, move) pairs) followed by the leaf parameters, one column per parameter name in the
union of the leaf spaces seen, each mapped to [0, 1] with its `to_unit` (inactive ones get 0.5).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from .game import Action, Candidate, Game, leaf_space, replay
from .space import Categorical, Int, Param, Real, Space

HASH_DIMS = 64
"""Width of the generic move encoding used when a game has no `features`."""

NEUTRAL = 0.5
"""Value of a leaf parameter that is inactive in a candidate's branch."""

MAX_LEVELS = 12
"""A discrete feature with 3..MAX_LEVELS distinct observed values is modelled as categorical."""

FeatureCache = dict[tuple[Action, ...], np.ndarray]


def move_features(actions: Sequence[Action]) -> np.ndarray:
    """The generic encoding of a move sequence: bit crc32(depth, move) mod HASH_DIMS is set per move."""
    v = np.zeros(HASH_DIMS)
    for i, a in enumerate(actions):
        v[zlib.crc32(f"{i}:{a!r}".encode()) % HASH_DIMS] = 1.0
    return v


def discrete_features(game: Game, actions: Sequence[Action], cache: FeatureCache | None = None) -> np.ndarray:
    """The discrete part of a candidate's encoding (cached by move sequence when a cache is given)."""
    key = tuple(actions)
    if cache is not None and key in cache:
        return cache[key]
    fn = getattr(game, "features", None)
    if fn is not None:
        v = np.clip(np.asarray(fn(replay(game, actions)), dtype=float).ravel(), 0.0, 1.0)
    else:
        v = move_features(actions)
    if cache is not None:
        cache[key] = v
    return v


def param_unit(p: Param, value: Any) -> float:
    """One leaf parameter value mapped to [0, 1]."""
    if isinstance(p, (Real, Int)):
        return float(p.to_unit(value))
    if isinstance(p, Categorical):
        k = len(p.choices)
        return p.choices.index(value) / (k - 1) if k > 1 else NEUTRAL
    return NEUTRAL


def param_from_unit(p: Param, u: float) -> Any:
    """The leaf parameter value at position `u` of [0, 1] (the inverse of `param_unit`)."""
    if isinstance(p, (Real, Int)):
        return p.from_unit(u)
    if isinstance(p, Categorical):
        k = len(p.choices)
        return p.choices[int(min(k - 1, max(0, round(float(u) * (k - 1)))))]
    raise TypeError(f"{p.name}: cannot model a {type(p).__name__} parameter")


@dataclass
class Encoder:
    """Maps candidates to vectors: `n_discrete` feature columns, then one column per leaf parameter.

    Built from a set of candidates (those the planner knows); its parameter columns are the sorted
    union of their leaf parameter names, so the same candidates always give the same encoder.
    """

    game: Game
    params: dict[str, Param]
    n_discrete: int
    cat_dims: list[int]
    cache: FeatureCache = field(default_factory=dict)

    @classmethod
    def build(cls, game: Game, candidates: Iterable[Candidate], cache: FeatureCache | None = None) -> "Encoder":
        """An encoder covering the leaf parameters and discrete levels of `candidates`."""
        cache = cache if cache is not None else {}
        cands = list(candidates)
        params: dict[str, Param] = {}
        for c in cands:
            for p in leaf_space(game, replay(game, c.actions)) if c.params else ():
                params.setdefault(p.name, p)
        if cands:
            disc = np.stack([discrete_features(game, c.actions, cache) for c in cands])
        else:
            disc = discrete_features(game, _any_terminal(game), cache)[None, :]
        n_discrete = disc.shape[1]
        cat = [i for i in range(n_discrete) if 3 <= len(np.unique(disc[:, i])) <= MAX_LEVELS]
        names = sorted(params)
        for j, name in enumerate(names):
            p = params[name]
            if isinstance(p, Categorical) and len(p.choices) > 2:
                cat.append(n_discrete + j)
        return cls(game, {n: params[n] for n in names}, n_discrete, cat, cache)

    @property
    def dim(self) -> int:
        return self.n_discrete + len(self.params)

    def param_column(self, name: str) -> int | None:
        """The column of leaf parameter `name`, or None if this encoder does not model it."""
        names = list(self.params)
        return self.n_discrete + names.index(name) if name in self.params else None

    def encode(self, cand: Candidate) -> np.ndarray:
        """The candidate's vector (parameters this encoder does not know are left out)."""
        v = np.full(self.dim, NEUTRAL)
        v[: self.n_discrete] = discrete_features(self.game, cand.actions, self.cache)
        for j, (name, p) in enumerate(self.params.items()):
            if name in cand.params:
                v[self.n_discrete + j] = param_unit(p, cand.params[name])
        return v

    def encode_many(self, cands: Sequence[Candidate]) -> np.ndarray:
        """Vectors of several candidates as an (n, dim) array."""
        if not cands:
            return np.zeros((0, self.dim))
        return np.stack([self.encode(c) for c in cands])

    def decode_params(self, x: np.ndarray, space: Space, base: Mapping[str, Any]) -> dict[str, Any]:
        """Leaf parameter values of `space` read from vector `x` (`base` for those not modelled)."""
        out: dict[str, Any] = {}
        for p in space:
            col = self.param_column(p.name)
            out[p.name] = param_from_unit(p, float(x[col])) if col is not None else base[p.name]
        return out


def _any_terminal(game: Game) -> tuple[Action, ...]:
    """The moves of the first-legal-move play, to size an encoder built from no candidates."""
    state, actions = game.initial_state(), []
    while not game.is_terminal(state):
        a = list(game.legal_actions(state))[0]
        actions.append(a)
        state = game.step(state, a)
    return tuple(actions)
