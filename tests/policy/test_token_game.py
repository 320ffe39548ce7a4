"""The token contract, on a toy game also used by the other policy tests: visit all points of an
instance from point 0, the expert going to the nearest remaining point (a BQ-style path problem)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
import torch

from searchlab.game import Game
from searchlab.policy import TokenGame, check_token_game, pad, token_view

State = tuple[int, tuple[int, ...]]  # (current point, remaining points)


@dataclass(frozen=True, eq=False)
class NearestGame:
    """Tokens: the current point (flag column 2 set, not an action) then the remaining points."""

    points: np.ndarray

    def initial_state(self) -> State:
        return (0, tuple(range(1, len(self.points))))

    def legal_actions(self, state: State) -> tuple[int, ...]:
        return state[1]

    def step(self, state: State, action: int) -> State:
        if action not in state[1]:
            raise ValueError(f"illegal move {action}")
        return (action, tuple(i for i in state[1] if i != action))

    def is_terminal(self, state: State) -> bool:
        return not state[1]

    def key(self, state: State) -> str:
        return f"{state[0]}|{','.join(map(str, state[1]))}"

    def tokens(self, state: State) -> tuple[np.ndarray, np.ndarray]:
        idx = [state[0], *state[1]]
        feats = np.zeros((len(idx), 3), np.float32)
        feats[:, :2] = self.points[idx]
        feats[0, 2] = 1.0
        return feats, np.arange(len(idx)) > 0

    def actions_of_tokens(self, state: State) -> list[int | None]:
        return [None, *state[1]]

    def nearest(self, state: State) -> int:
        d = np.linalg.norm(self.points[list(state[1])] - self.points[state[0]], axis=1)
        return state[1][int(np.argmin(d))]


def expert(game: NearestGame) -> list[int]:
    """The nearest-neighbour tour's moves."""
    state, moves = game.initial_state(), []
    while not game.is_terminal(state):
        moves.append(game.nearest(state))
        state = game.step(state, moves[-1])
    return moves


@pytest.fixture(autouse=True, scope="module")
def one_thread():  # noqa: ANN201
    """Tiny models run fastest on one thread, and the CPU is shared; other modules import this fixture."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def random_game(rng: np.random.Generator, low: int = 5, high: int = 9) -> NearestGame:
    return NearestGame(rng.random((int(rng.integers(low, high)), 2)).astype(np.float32))


def test_toy_game_satisfies_the_contract() -> None:
    game = random_game(np.random.default_rng(0))
    assert isinstance(game, TokenGame) and isinstance(game, Game)
    state = game.initial_state()
    while True:
        view = check_token_game(game, state)
        assert view.features.shape == (len(state[1]) + 1, 3) and view.n_choices == 1
        if game.is_terminal(state):
            break
        state = game.step(state, game.nearest(state))


def test_contract_violations_are_reported() -> None:
    game = random_game(np.random.default_rng(1))

    class OriginLabelled(NearestGame):
        def actions_of_tokens(self, state: State) -> list[int | None]:
            return [state[0], *state[1]]  # the origin token claims an action: fine as long as it is masked

    class Unmasked(NearestGame):
        def tokens(self, state: State) -> tuple[np.ndarray, np.ndarray]:
            f, m = super().tokens(state)
            return f, np.ones_like(m)  # the origin's slot is legal but plays None

    class Short(NearestGame):
        def actions_of_tokens(self, state: State) -> list[int | None]:
            return list(state[1])

    s = game.initial_state()
    check_token_game(OriginLabelled(game.points), s)  # allowed: its slot is masked
    with pytest.raises(ValueError, match="no action"):
        token_view(Unmasked(game.points), s)
    with pytest.raises(ValueError, match="entries"):
        token_view(Short(game.points), s)


def test_pad_batches_token_sets_of_different_sizes() -> None:
    rng = np.random.default_rng(2)
    views = [token_view(g, g.initial_state()) for g in (random_game(rng, 3, 4), random_game(rng, 7, 8))]
    batch = pad([(v.features, v.action_mask) for v in views])
    assert batch.features.shape == (2, 7, 3)
    assert batch.pad_mask.sum(1).tolist() == [3, 7]
    assert batch.action_mask.sum(1).tolist() == [2, 6]
    assert not batch.action_mask[0, 3:].any() and float(batch.features[0, 3:].abs().sum()) == 0.0
