"""Decoding routing instances with a trained policy: batched greedy, beam-k (best of the beam by the
actual objective), policy-guided MCTS (`search.mcts_decode`) and, for TSP, random re-construction
(`rrc.rrc_decode`), under the view the policy was trained on (full, kNN-restricted or local). Every
decoder plays the instance's game move by move, so every output is a feasible solution."""

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
    """A decoder: "greedy", "beam:K" (K >= 1), "mcts:N" (N simulations) or "rrc:N" (TSP: greedy, then N
    rounds of random re-construction)."""

    kind: str
    width: int = 1

    @staticmethod
    def parse(text: str) -> "DecodeSpec":
        """Parse "greedy", "beam:16", "mcts:64", "rrc:50"; ValueError with the accepted forms otherwise."""
        name, _, arg = text.strip().lower().partition(":")
        if name == "greedy" and not arg:
            return DecodeSpec("greedy")
        if name in ("beam", "mcts", "rrc") and arg.isdigit() and int(arg) >= 1:
            return DecodeSpec(name, int(arg))
        raise ValueError(f"unknown decoder {text!r} (use greedy, beam:K, mcts:N or rrc:N with K, N >= 1)")

    def __str__(self) -> str:
        return self.kind if self.kind == "greedy" else f"{self.kind}:{self.width}"


def view_size(knn: int | None, local: int, size: int) -> int:
    """Nodes a policy sees per step on an instance of `size` nodes (0: all). For a policy trained on local
    views of `local` nodes: `knn` (None or 0: `local`, widened to `DEFAULT_KNN` on large instances, where
    more context helps). Otherwise `knn` (None: `DEFAULT_KNN` above `DEFAULT_KNN` + 1 nodes, else all)."""
    large = size > DEFAULT_KNN + 1
    if local:
        return knn or (max(local, DEFAULT_KNN) if large else local)
    return (DEFAULT_KNN if large else 0) if knn is None else knn


def view(game: Any, knn: int | None, local: int, size: int) -> Any:
    """`game` (of an instance with `size` nodes) as a policy sees it: `view_size` nodes, in the current
    node's frame for a local-view policy."""
    return restrict(game, view_size(knn, local, size), local=bool(local))


def game_of(instance: Instance, knn: int | None = None, local: int = 0) -> Any:
    """The instance's game as a policy with view `knn`, `local` sees it (see `view`)."""
    return view(make_game(instance), knn, local, len(getattr(instance, "coords", ())))


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
    local: int = 0,
) -> list[Solution]:
    """Decode every instance; greedy runs all instances in shared batches, beam and MCTS one instance at a
    time. Each solution carries its objective (the instance's metric), the decoder name and its seconds
    (greedy: the batch's time divided evenly). `knn` and `local` choose the view as in `game_of`."""
    spec = decoder if isinstance(decoder, DecodeSpec) else DecodeSpec.parse(decoder)
    games = [game_of(i, knn, local) for i in instances]
    out: list[Solution] = []
    if spec.kind == "greedy":
        t0 = time.perf_counter()
        plays = greedy_plays(policy, games, batch_size=batch_size)
        each = (time.perf_counter() - t0) / max(1, len(games))
        out = [_timed(solution_of_actions(g, m), each, str(spec)) for g, m in zip(games, plays)]
        if progress is not None:
            progress(len(out))
        return out
    from .rrc import rrc_decode
    from .search import mcts_decode

    if spec.kind == "rrc" and any(i.problem != "tsp" for i in instances):
        raise ValueError("the rrc decoder is implemented for tsp only")
    for i, g in enumerate(games):
        t0 = time.perf_counter()
        if spec.kind == "beam":
            sol = beam_decode(policy, g, spec.width)
        elif spec.kind == "rrc":
            sol = rrc_decode(policy, instances[i], spec.width, knn, local, seed=seed + i)
        else:
            sol = mcts_decode(policy, g, spec.width, seed=seed + i)
        out.append(_timed(sol, time.perf_counter() - t0, str(spec)))
        if progress is not None:
            progress(1)
    return out
