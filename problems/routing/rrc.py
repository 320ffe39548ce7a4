"""Random re-construction ("rrc:N", LEHD's RRC) for TSP: improve a tour by re-decoding random segments
of it with the policy and keeping the shorter ones.

A segment of the current tour is a path-TSP in its own right (start, destination, the nodes between),
which is exactly the BQ reduced state, so the same policy re-decodes it. Each of the N rounds draws
`batch` segments (one random length per round, random positions, either direction), re-decodes them
greedily in one batched pass and applies the improving ones that do not overlap, best first. Starting from the greedy
tour and never accepting a longer segment, the result is never worse than greedy."""

from __future__ import annotations

import numpy as np

from searchlab.policy import AttentionPolicy
from searchlab.solvers.routing import Solution, TSPInstance, path_length

from .decoding import greedy_plays, view
from .tsp import PathTSPGame

MIN_SEGMENT = 4
"""Shortest segment re-decoded (its two ends stay, so at least two nodes move)."""


def rrc_decode(
    policy: AttentionPolicy, instance: TSPInstance, rounds: int, knn: int | None = None, local: int = 0,
    batch: int = 16, max_segment: int = 100, seed: int = 0,
) -> Solution:
    """The greedy tour improved by `rounds` rounds of `batch` re-decoded segments of at most `max_segment` nodes."""
    if instance.problem != "tsp":
        raise ValueError(f"rrc decoding is implemented for tsp, not {instance.problem}")
    dist = instance.distances()
    game = view(PathTSPGame(instance), knn, local, instance.n_nodes)
    tour = [0, *greedy_plays(policy, [game])[0]]  # PathTSPGame starts at node 0
    n = len(tour)
    rng = np.random.default_rng(seed)
    top = min(n, max_segment)
    for _ in range(rounds if n > MIN_SEGMENT else 0):
        cands = []
        size = int(rng.integers(MIN_SEGMENT, top + 1))  # one length per round: no padding in the batched decode
        for _ in range(batch):
            first = int(rng.integers(0, n))
            pos = [(first + i) % n for i in range(size)]
            seg = [tour[p] for p in pos]
            if rng.random() < 0.5:
                pos, seg = pos[::-1], seg[::-1]
            cands.append((pos, seg))
        games = [view(PathTSPGame(instance, start=s[0], destination=s[-1], nodes=tuple(s[1:-1])), knn, local, len(s))
                 for _, s in cands]
        plays = greedy_plays(policy, games)
        gains = []
        for (pos, seg), moves in zip(cands, plays):
            new = [seg[0], *moves, seg[-1]]
            gain = path_length(dist, seg) - path_length(dist, new)
            if gain > 1e-9:
                gains.append((gain, pos, new))
        taken: set[int] = set()
        for gain, pos, new in sorted(gains, key=lambda g: -g[0]):
            if taken.isdisjoint(pos):
                taken.update(pos)
                for p, v in zip(pos, new):
                    tour[p] = v
    return Solution.of_tour(tour, method=f"rrc:{rounds}").with_objective(path_length(dist, tour, closed=True))


__all__ = ["rrc_decode"]
