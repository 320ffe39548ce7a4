"""Policy-guided Monte Carlo tree search for decoding one routing instance ("mcts:N").

The engine's `MCTSPlanner` is an ask/tell planner for expensive oracles (GP leaf values, ledger replay),
so decoding uses this small search instead: PUCT over the game's moves with the policy's probabilities
as priors (only the `top_k` most likely moves of a node, widened progressively with its visits, so the
tree grows deep along good plays instead of wide at the root), each simulation expands one
node and completes the play with a batched greedy policy rollout, and the rollout's actual objective
is backed up (min-max normalised, as in MuZero). Simulations run in waves with virtual loss. The
result is the best complete play seen; the first simulation is the plain greedy play, so MCTS is never
worse than greedy."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from searchlab.game import Action
from searchlab.policy import AttentionPolicy, log_probs, token_view
from searchlab.solvers.routing import Solution, is_better

from .common import solution_of_actions


@dataclass
class SearchNode:
    """A partial play: its state, the moves reaching it, priors of its best moves once expanded, statistics."""

    state: Any
    moves: list
    priors: dict[Action, float] | None = None
    children: dict[Action, "SearchNode"] = field(default_factory=dict)
    n: float = 0.0
    w: float = 0.0


@dataclass
class MCTSConfig:
    """PUCT constant, simulations per wave, moves considered per node, progressive widening (a node
    visited n times considers its ceil(widen * sqrt(n)) most likely moves; 0: all `top_k` at once)."""

    c_puct: float = 1.0
    wave: int = 8
    top_k: int = 8
    widen: float = 1.0


def _priors(policy: AttentionPolicy, game: Any, nodes: list[SearchNode], top_k: int) -> None:
    views = [token_view(game, nd.state) for nd in nodes]
    for nd, view, lp in zip(nodes, views, log_probs(policy, views)):
        dist: dict[Action, float] = {}
        for s in view.legal_slots():
            dist[view.actions[s]] = dist.get(view.actions[s], 0.0) + float(np.exp(lp[s]))
        best = sorted(dist.items(), key=lambda kv: -kv[1])[:top_k]
        total = sum(p for _, p in best) or 1.0
        nd.priors = {a: p / total for a, p in best}


class _Bounds:
    """Running min/max of backed-up rewards, to normalise Q values into [0, 1]."""

    def __init__(self) -> None:
        self.lo, self.hi = math.inf, -math.inf

    def add(self, v: float) -> None:
        self.lo, self.hi = min(self.lo, v), max(self.hi, v)

    def norm(self, v: float) -> float:
        return (v - self.lo) / (self.hi - self.lo) if self.hi > self.lo else 0.5


def _select(game: Any, root: SearchNode, bounds: _Bounds, cfg: MCTSConfig) -> list[SearchNode]:
    path, nd = [root], root
    while nd.priors is not None and not game.is_terminal(nd.state):
        sqrt_n = math.sqrt(max(nd.n, 1.0))
        q_parent = bounds.norm(nd.w / nd.n) if nd.n > 0 else 0.5
        best, best_u = None, -math.inf
        allowed = list(nd.priors.items())
        if cfg.widen > 0:
            allowed = allowed[: max(1, math.ceil(cfg.widen * math.sqrt(max(nd.n, 1.0))))]
        for a, p in allowed:
            ch = nd.children.get(a)
            q = bounds.norm(ch.w / ch.n) if ch is not None and ch.n > 0 else q_parent
            u = q + cfg.c_puct * p * sqrt_n / (1.0 + (ch.n if ch is not None else 0.0))
            if u > best_u:
                best, best_u = a, u
        ch = nd.children.get(best)
        if ch is None:
            ch = nd.children[best] = SearchNode(game.step(nd.state, best), nd.moves + [best])
            path.append(ch)
            return path
        path.append(ch)
        nd = ch
    return path


def mcts_decode(policy: AttentionPolicy, game: Any, simulations: int, seed: int = 0, config: MCTSConfig = MCTSConfig()) -> Solution:
    """Best solution found by `simulations` policy-guided simulations on `game` (deterministic; `seed`
    is kept for API symmetry with sampling decoders)."""
    from .decoding import greedy_plays

    problem = game.instance.problem
    root = SearchNode(game.initial_state(), [])
    bounds, best, reference = _Bounds(), None, None
    done = 0
    while done < simulations:
        paths, seen = [], set()
        for _ in range(min(config.wave, simulations - done)):
            path = _select(game, root, bounds, config)
            done += 1
            leaf = path[-1]
            if id(leaf) in seen:
                continue
            seen.add(id(leaf))
            for nd in path:  # virtual loss
                nd.n += 1.0
            paths.append(path)
        leaves = [p[-1] for p in paths]
        fresh = [nd for nd in leaves if nd.priors is None and not game.is_terminal(nd.state)]
        if fresh:
            _priors(policy, game, fresh, config.top_k)
        plays = greedy_plays(policy, [game] * len(leaves), [nd.state for nd in leaves])
        for path, leaf, rest in zip(paths, leaves, plays):
            sol = solution_of_actions(game, leaf.moves + rest)
            if best is None or is_better(problem, sol.objective, best.objective):
                best = sol
            reference = reference if reference is not None else abs(sol.objective) or 1.0
            reward = sol.objective / reference if problem in ("op", "kp") else reference / max(sol.objective, 1e-12)
            bounds.add(reward)
            for nd in path:
                nd.w += reward
    assert best is not None
    return best
