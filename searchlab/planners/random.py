"""Random search over a game: uniform random moves to a terminal state, then uniform leaf parameters."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..game import Candidate, candidate_key, leaf_space
from ..planner import PlannerContext, Record

MAX_TRIES = 100


class RandomPlanner:
    """Proposes random candidates, avoiding keys already evaluated or pending.

    The random stream of each proposal is derived from (seed, number of candidates known), so a fresh
    planner told the same records proposes the same candidates: no hidden state beyond the records.
    """

    def __init__(self, ctx: PlannerContext) -> None:
        self.ctx = ctx
        self._seen: set[str] = set()
        self._n_told = 0

    def tell(self, records: Sequence[Record]) -> None:
        for r in records:
            self._seen.add(r.candidate.key)
            self._n_told += 1

    def ask(self, n: int, pending: Sequence[Candidate]) -> list[Candidate]:
        seen = self._seen | {c.key for c in pending}
        out: list[Candidate] = []
        for j in range(n):
            rng = np.random.default_rng([self.ctx.seed, self._n_told + len(pending), j])
            for _ in range(MAX_TRIES):
                cand = rollout(self.ctx, rng)
                if cand.key not in seen:
                    break
            seen.add(cand.key)
            out.append(cand)
        return out


def rollout(ctx: PlannerContext, rng: np.random.Generator) -> Candidate:
    """One uniformly random play of the game plus uniformly sampled leaf parameters."""
    game = ctx.game
    state = game.initial_state()
    actions = []
    while not game.is_terminal(state):
        legal = list(game.legal_actions(state))
        if not legal:
            raise RuntimeError("non-terminal state without legal moves")
        a = legal[int(rng.integers(len(legal)))]
        actions.append(a)
        state = game.step(state, a)
    params = leaf_space(game, state).sample(rng)
    return Candidate(tuple(actions), params, candidate_key(game, state, params))
