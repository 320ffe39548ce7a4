"""Decoding routing instances with a trained policy: batched greedy, beam-k (best of the beam by the
actual objective) and policy-guided MCTS (`search.mcts_decode`), optionally under a kNN restriction.
Every decoder plays the instance's game move by move, so every output is a feasible solution."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from searchlab.policy import AttentionPolicy, beam, log_probs, token_view
from searchlab.solvers.routing import Instance, Solution, is_better

from .common import solution_of_actions
from .games import make_game
from .knn import restrict

DEFAULT_KNN = 100
"""Instances with more nodes than this are decoded under a kNN restriction of this many nodes by default."""


@dataclass(frozen=True)
class DecodeSpec:
    """A decoder: "greedy", "beam:K" (K >= 1) or "mcts:N" (N simulations)."""

    kind: str
    width: int = 1

    @staticmethod
    def parse(text: str) -> "DecodeSpec":
        """Parse "greedy", "beam:16", "mcts:64"; ValueError with the accepted forms otherwise."""
        name, _, arg = text.strip().lower().partition(":")
        if name == "greedy" and not arg:
            return DecodeSpec("greedy")
        if name in ("beam", "mcts") and arg.isdigit() and int(arg) >= 1:
            return DecodeSpec(name, int(arg))
        raise ValueError(f"unknown decoder {text!r} (use greedy, beam:K or mcts:N with K, N >= 1)")

    def __str__(self) -> str:
        return self.kind if self.kind == "greedy" else f"{self.kind}:{self.width}"


def game_of(instance: Instance, knn: int | None = None) -> Any:
    """The instance's game, kNN-restricted when `knn` is given (0: never; None: `DEFAULT_KNN` for large instances)."""
    game = make_game(instance)
    if knn is None:
        size = len(getattr(instance, "coords", ()))
        knn = DEFAULT_KNN if size > DEFAULT_KNN + 1 else 0
    return restrict(game, knn)


def greedy_plays(policy: AttentionPolicy, games: Sequence[Any], states: Sequence[Any] | None = None, batch_size: int = 256) -> list[list]:
    """Greedy rollouts of many (game, state) pairs at once (each game its own instance): one padded forward
    pass per step per `batch_size` unfinished plays; returns each play's moves."""
    current = list(states) if states is not None else [g.initial_state() for g in games]
    moves: list[list] = [[] for _ in current]
    while True:
        live = [i for i, s in enumerate(current) if not games[i].is_terminal(s)]
        if not live:
            return moves
        for lo in range(0, len(live), batch_size):
            chunk = live[lo : lo + batch_size]
            views = [token_view(games[i], current[i]) for i in chunk]
            slots = np.argmax(log_probs(policy, views), axis=1)
            for i, view, slot in zip(chunk, views, slots):
                a = view.actions[int(slot)]
                moves[i].append(a)
                current[i] = games[i].step(current[i], a)


def _timed(sol: Solution, seconds: float, method: str) -> Solution:
    return Solution(sol.problem, sol.tour, sol.routes, sol.items, sol.objective, method, seconds)


def beam_decode(policy: AttentionPolicy, game: Any, width: int) -> Solution:
    """Beam search of `width`; of the finished plays, the one with the best actual objective."""
    best: Solution | None = None
    for moves, _ in beam(policy, game, game.initial_state(), width):
        sol = solution_of_actions(game, moves)
        if best is None or is_better(game.instance.problem, sol.objective, best.objective):
            best = sol
    assert best is not None
    return best


def decode_many(
    policy: AttentionPolicy,
    instances: Sequence[Instance],
    decoder: str | DecodeSpec = "greedy",
    knn: int | None = None,
    batch_size: int = 256,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> list[Solution]:
    """Decode every instance; greedy runs all instances in shared batches, beam and MCTS one instance at a
    time. Each solution carries its objective (the instance's metric), the decoder name and its seconds
    (greedy: the batch's time divided evenly)."""
    spec = decoder if isinstance(decoder, DecodeSpec) else DecodeSpec.parse(decoder)
    games = [game_of(i, knn) for i in instances]
    out: list[Solution] = []
    if spec.kind == "greedy":
        t0 = time.perf_counter()
        plays = greedy_plays(policy, games, batch_size=batch_size)
        each = (time.perf_counter() - t0) / max(1, len(games))
        out = [_timed(solution_of_actions(g, m), each, str(spec)) for g, m in zip(games, plays)]
        if progress is not None:
            progress(len(out))
        return out
    from .search import mcts_decode

    for i, g in enumerate(games):
        t0 = time.perf_counter()
        if spec.kind == "beam":
            sol = beam_decode(policy, g, spec.width)
        else:
            sol = mcts_decode(policy, g, spec.width, seed=seed + i)
        out.append(_timed(sol, time.perf_counter() - t0, str(spec)))
        if progress is not None:
            progress(1)
    return out
