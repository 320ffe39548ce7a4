"""The sequential decision game a problem is declared as, and the candidates it yields."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Hashable, Mapping, Protocol, Sequence, runtime_checkable

import numpy as np

from .space import Space

Action = Hashable  # a JSON-able move: int, str, or a tuple of those


@runtime_checkable
class Game(Protocol):
    """Pure, cheap, deterministic rules of a game whose terminal states are candidates.

    Optional methods a game may add: `params(state) -> Space | None` (continuous leaf parameters of a
    terminal state), `features(state) -> np.ndarray` (a vector for surrogates),
    `tokens(state)` and `actions_of_tokens(state)` (for attention policies: see
    `searchlab.policy.TokenGame`) and `variable(state) -> str`
    (the name of the decision taken at a state, for define-by-run samplers; default `move<depth>`).
    """

    def initial_state(self) -> Any: ...

    def legal_actions(self, state: Any) -> Sequence[Action]: ...

    def step(self, state: Any, action: Action) -> Any: ...

    def is_terminal(self, state: Any) -> bool: ...

    def key(self, state: Any) -> str: ...


def leaf_space(game: Game, state: Any) -> Space:
    """The continuous parameters a terminal state still needs (empty if the game declares none)."""
    fn = getattr(game, "params", None)
    space = fn(state) if fn is not None else None
    return space if space is not None else Space()


def variable_name(game: Game, state: Any, depth: int) -> str:
    """The name of the decision at `state` (reached after `depth` moves): the game's own, or `move<depth>`."""
    fn = getattr(game, "variable", None)
    return fn(state) if fn is not None else f"move{depth}"


def canonical_params(params: Mapping[str, Any]) -> str:
    """A canonical text for parameter values: sorted keys, floats written exactly (repr round-trips)."""
    for k, v in params.items():
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"parameter {k} is not finite: {v}")
    return json.dumps({k: params[k] for k in sorted(params)}, separators=(",", ":"), sort_keys=True)


@dataclass(frozen=True)
class Candidate:
    """A terminal state, given as the moves that reach it, plus its leaf parameter values."""

    actions: tuple[Action, ...]
    params: dict[str, Any] = field(default_factory=dict)
    key: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"actions": [_jsonable(a) for a in self.actions], "params": dict(self.params), "key": self.key}

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> "Candidate":
        return Candidate(tuple(_action(a) for a in data["actions"]), dict(data["params"]), data["key"])


def _jsonable(a: Action) -> Any:
    if isinstance(a, tuple):
        return [_jsonable(x) for x in a]
    if isinstance(a, np.integer):
        return int(a)
    return a


def _action(a: Any) -> Action:
    return tuple(_action(x) for x in a) if isinstance(a, list) else a


def replay(game: Game, actions: Sequence[Action]) -> Any:
    """The state reached from the initial state by `actions`; raises ValueError on an illegal move."""
    state = game.initial_state()
    for i, a in enumerate(actions):
        if a not in game.legal_actions(state):
            raise ValueError(f"move {i} ({a!r}) is not legal here")
        state = game.step(state, a)
    return state


def make_candidate(game: Game, actions: Sequence[Action], params: Mapping[str, Any] | None = None) -> Candidate:
    """Check that `actions` end in a terminal state and `params` fit its leaf space; build the candidate."""
    state = replay(game, actions)
    if not game.is_terminal(state):
        raise ValueError("the moves do not reach a terminal state")
    values = leaf_space(game, state).validate(dict(params or {}))
    return Candidate(tuple(actions), values, candidate_key(game, state, values))


def candidate_key(game: Game, state: Any, params: Mapping[str, Any]) -> str:
    """The deduplication key: the game's canonical state key plus canonical parameter values."""
    return game.key(state) + ("|" + canonical_params(params) if params else "")
