"""Decoding with the policy: PUCT priors, rollouts, batched greedy, beam search."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import torch

from searchlab.policy import AttentionPolicy, PolicyConfig, beam, greedy_batch, log_probs, policy_prior, priors, rollout, token_view

from .test_token_game import NearestGame, one_thread, random_game  # noqa: F401 (autouse fixture)


@pytest.fixture(scope="module")
def policy() -> AttentionPolicy:
    """A small random policy with open ReZero gates (so the tokens interact)."""
    p = AttentionPolicy(PolicyConfig(d_in=3, d_model=32, n_heads=4, n_layers=2, d_ff=64), seed=0)
    with torch.no_grad():
        for layer in p.layers:
            layer.alpha.fill_(0.7)
        p.head.weight.mul_(8.0)  # a peakier distribution makes beam and greedy differ more often
    return p


def play_logprob(policy: AttentionPolicy, game: NearestGame, moves: list[int]) -> float:
    state, total = game.initial_state(), 0.0
    for a in moves:
        view = token_view(game, state)
        total += float(log_probs(policy, [view])[0][view.slot_of(a)])
        state = game.step(state, a)
    return total


def test_prior_is_a_distribution_over_the_legal_actions(policy: AttentionPolicy) -> None:
    game = random_game(np.random.default_rng(0))
    prior = policy_prior(policy, game)
    state = game.step(game.initial_state(), 2)
    p = prior(state)
    assert set(p) == set(game.legal_actions(state))
    assert math.isclose(sum(p.values()), 1.0, abs_tol=1e-9) and all(v > 0 for v in p.values())
    assert prior(state) == p  # cached
    assert priors(policy, game, [state])[0] == p


def test_greedy_and_sampled_rollouts(policy: AttentionPolicy) -> None:
    game = random_game(np.random.default_rng(1), 8, 9)
    start = game.initial_state()
    moves = rollout(policy, game, start)
    assert sorted(moves) == list(range(1, 8))
    s1 = rollout(policy, game, start, greedy=False, rng=np.random.default_rng(5))
    s2 = rollout(policy, game, start, greedy=False, rng=np.random.default_rng(5))
    assert s1 == s2 and sorted(s1) == list(range(1, 8))
    with pytest.raises(ValueError, match="rng"):
        rollout(policy, game, start, greedy=False)
    assert policy.training  # decoding restores the mode it found


def test_batched_greedy_equals_one_by_one(policy: AttentionPolicy) -> None:
    rng = np.random.default_rng(2)
    games = [random_game(rng, 4, 10) for _ in range(6)]

    class Many:
        """One game over (instance index, state) pairs, so that instances of several sizes share batches."""

        def is_terminal(self, s: tuple[int, Any]) -> bool:
            return games[s[0]].is_terminal(s[1])

        def step(self, s: tuple[int, Any], a: int) -> tuple[int, Any]:
            return (s[0], games[s[0]].step(s[1], a))

        def tokens(self, s: tuple[int, Any]) -> tuple[np.ndarray, np.ndarray]:
            return games[s[0]].tokens(s[1])

        def actions_of_tokens(self, s: tuple[int, Any]) -> list[int | None]:
            return games[s[0]].actions_of_tokens(s[1])

    states = [(i, g.initial_state()) for i, g in enumerate(games)]
    batched = greedy_batch(policy, Many(), states, batch_size=4)  # type: ignore[arg-type]
    assert batched == [rollout(policy, g, g.initial_state()) for g in games]


def test_beam_of_width_one_is_greedy(policy: AttentionPolicy) -> None:
    rng = np.random.default_rng(3)
    for _ in range(3):
        game = random_game(rng)
        ((moves, lp),) = beam(policy, game, game.initial_state(), width=1)
        assert moves == rollout(policy, game, game.initial_state())
        assert math.isclose(lp, play_logprob(policy, game, moves), abs_tol=1e-6)


def test_wider_beams_return_sorted_distinct_plays_no_worse_than_greedy(policy: AttentionPolicy) -> None:
    rng = np.random.default_rng(4)
    for _ in range(2):
        game = random_game(rng, 7, 8)
        greedy_lp = beam(policy, game, game.initial_state(), width=1)[0][1]
        plays = beam(policy, game, game.initial_state(), width=4)
        assert len(plays) == 4 and len({tuple(m) for m, _ in plays}) == 4
        lps = [lp for _, lp in plays]
        assert lps == sorted(lps, reverse=True) and lps[0] >= greedy_lp - 1e-5
        for moves, lp in plays:
            assert sorted(moves) == list(range(1, 7))
            assert math.isclose(lp, play_logprob(policy, game, moves), abs_tol=1e-6)


def test_exhaustive_beam_finds_the_most_likely_play(policy: AttentionPolicy) -> None:
    game = random_game(np.random.default_rng(5), 5, 6)  # 4! = 24 plays
    plays = beam(policy, game, game.initial_state(), width=24)
    assert len(plays) == 24
    assert math.isclose(sum(math.exp(lp) for _, lp in plays), 1.0, abs_tol=1e-6)
