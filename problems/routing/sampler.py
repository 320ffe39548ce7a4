"""Training batches from labelled instances, BQ-NCO style: every batch draws one sub-problem size and,
per labelled solution, a random tour rotation / direction (TSP), random route directions (CVRP) and one
of the 8 square symmetries, then keeps the suffix of the trajectory as a reduced state whose expert move
is the next node. One labelled tour yields ~N suffixes x 2N orientations x 8 symmetries of examples.

Features follow the games' `tokens` exactly (`PathTSPGame`, `PathCVRPGame`), so a policy trained here
decodes through the games. OP and KP fall back to `ExampleSampler` over `label_examples` (no augmentation)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np
import torch

from searchlab.policy import Batch, Example, collate
from searchlab.solvers.routing import CVRPInstance, Instance, Solution, TSPInstance

from .augment import random_symmetries
from .common import unit_coords
from .cvrp import D_IN as CVRP_D_IN, N_CHOICES as CVRP_CHOICES
from .games import make_game
from .imitation import label_examples
from .knn import local_frame
from .tsp import D_IN as TSP_D_IN


class Sampler(Protocol):
    """Draws a training batch from a seeded generator."""

    def sample(self, rng: np.random.Generator, batch_size: int) -> Batch: ...


def _batch(feats: np.ndarray, mask: np.ndarray, target: np.ndarray) -> Batch:
    b, n, _ = feats.shape
    t = torch.from_numpy
    return Batch(t(feats), torch.ones(b, n, dtype=torch.bool), t(mask.reshape(b, -1)), t(target.astype(np.int64)),
                 torch.full((b,), float("nan")))


@dataclass
class TSPSampler:
    """Suffix sub-problems of labelled closed tours; `tours_xy` `[M, N, 2]` holds unit coordinates in tour order.

    With `knn` > 0 the sub-problems are the local views of `KNNGame(..., knn, local=True)`: the `knn`
    remaining nodes nearest the current one, in its frame, under a random rotation and reflection. The
    rare draws whose expert move lies outside the view are left out of the batch."""

    tours_xy: np.ndarray
    augment: bool = True
    min_tokens: int = 4
    knn: int = 0

    @staticmethod
    def of(instances: Sequence[TSPInstance], labels: Sequence[Solution], augment: bool = True, knn: int = 0) -> "TSPSampler":
        n = {i.n_nodes for i in instances}
        if len(n) != 1:
            raise ValueError(f"TSPSampler needs instances of one size, got sizes {sorted(n)}")
        xy = np.stack([unit_coords(i.coords)[list(s.tour)] for i, s in zip(instances, labels)]).astype(np.float32)
        return TSPSampler(xy, augment, knn=knn)

    def sample(self, rng: np.random.Generator, batch_size: int) -> Batch:
        while True:  # a local-view batch can (rarely) lose every row; draw again
            batch = self._draw(rng, batch_size)
            if len(batch.target):
                return batch

    def _draw(self, rng: np.random.Generator, batch_size: int) -> Batch:
        m, n_nodes, _ = self.tours_xy.shape
        n_tok = int(rng.integers(self.min_tokens, n_nodes + 2))  # tokens = remaining + current + destination
        j = n_nodes + 1 - n_tok  # moves already made
        idx = rng.integers(0, m, size=batch_size)
        shift = rng.integers(0, n_nodes, size=batch_size) if self.augment else np.zeros(batch_size, int)
        sign = np.where(rng.random(batch_size) < 0.5, 1, -1) if self.augment else np.ones(batch_size, int)
        pos = (shift[:, None] + sign[:, None] * np.arange(n_nodes)[None, :]) % n_nodes
        seq = self.tours_xy[idx[:, None], pos]  # [B, N, 2] the oriented tour
        order = np.concatenate([np.arange(j, n_nodes), [0]])  # current = seq[j], remaining, destination = seq[0]
        xy = seq[:, order]
        if self.knn > 0:
            xy = _local_views(xy, self.knn, rng if self.augment else None)
        elif self.augment:
            xy = random_symmetries(xy, rng)
        b, n_tok = xy.shape[:2]
        feats = np.zeros((b, n_tok, TSP_D_IN), np.float32)
        feats[:, :, :2] = xy
        feats[:, 0, 2] = 1.0
        feats[:, -1, 3] = 1.0
        mask = np.ones((b, n_tok), bool)
        mask[:, 0] = mask[:, -1] = False
        return _batch(feats, mask, np.ones(b))


def _local_views(xy: np.ndarray, k: int, rng: np.random.Generator | None) -> np.ndarray:
    """Token rows `[B, n, 2]` (current, remaining with the expert move first, destination) cut to the `k`
    nearest remaining nodes, in the current node's frame, randomly rotated and reflected when `rng` is given;
    rows whose expert move is not among the `k` nearest are dropped."""
    rem = xy[:, 1:-1]
    if rem.shape[1] > k:
        d = ((rem - xy[:, :1]) ** 2).sum(-1)
        keep = np.sort(np.argpartition(d, k - 1, axis=1)[:, :k], axis=1)
        ok = keep[:, 0] == 0  # the expert move (remaining row 0) is in the view, and stays first
        rem = np.take_along_axis(rem, keep[:, :, None], axis=1)
        xy = np.concatenate([xy[:, :1], rem, xy[:, -1:]], axis=1)[ok]
    out = local_frame(xy)
    if rng is not None:
        theta = rng.uniform(0.0, 2.0 * np.pi, size=len(out))
        c, s = np.cos(theta), np.sin(theta)
        flip = np.where(rng.random(len(out)) < 0.5, -1.0, 1.0)
        rot = np.stack([np.stack([c, -s], -1), np.stack([flip * s, flip * c], -1)], -2).astype(np.float32)  # [B, 2, 2]
        out = np.einsum("bij,bnj->bni", rot, out)
    return out.astype(np.float32)


@dataclass
class CVRPSampler:
    """Suffix sub-problems of labelled CVRP solutions (routes fullest first, as the game's labels), with
    random route directions and square symmetries. All instances have the same number of customers."""

    xy: np.ndarray  # [M, N+1, 2] unit coordinates, depot first
    demand: np.ndarray  # [M, N+1] demand / capacity
    routes: list[list[list[int]]]
    augment: bool = True

    @staticmethod
    def of(instances: Sequence[CVRPInstance], labels: Sequence[Solution], augment: bool = True) -> "CVRPSampler":
        n = {i.n_customers for i in instances}
        if len(n) != 1:
            raise ValueError(f"CVRPSampler needs instances of one size, got sizes {sorted(n)}")
        xy = np.stack([unit_coords(i.coords) for i in instances]).astype(np.float32)
        dem = np.stack([i.demands / float(i.capacity) for i in instances]).astype(np.float32)
        routes = []
        for inst, sol in zip(instances, labels):
            spare = lambda r: inst.capacity - int(inst.demands[list(r)].sum())  # noqa: E731
            routes.append([list(r) for r in sorted(sol.routes, key=spare)])
        return CVRPSampler(xy, dem, routes, augment)

    def sample(self, rng: np.random.Generator, batch_size: int) -> Batch:
        m, n1, _ = self.xy.shape
        n = n1 - 1
        j = int(rng.integers(0, n))  # moves already made; at least one customer remains
        n_tok = n - j + 2
        feats = np.zeros((batch_size, n_tok, CVRP_D_IN), np.float32)
        mask = np.zeros((batch_size, n_tok, CVRP_CHOICES), bool)
        target = np.zeros(batch_size, np.int64)
        for b, i in enumerate(rng.integers(0, m, size=batch_size)):
            seq, via, load = [], [], []
            for k, r in enumerate(self.routes[i]):
                r = r[::-1] if self.augment and rng.random() < 0.5 else r
                used = 0.0
                for p, v in enumerate(r):
                    seq.append(v)
                    via.append(1 if k > 0 and p == 0 else 0)
                    used = (0.0 if p == 0 else used) + self.demand[i, v]
                    load.append(used)
            cur = seq[j - 1] if j > 0 else 0
            cap = 1.0 - (load[j - 1] if j > 0 else 0.0)
            idx = [cur, *seq[j:], 0]
            feats[b, :, :2] = self.xy[i, idx]
            feats[b, :, 2] = self.demand[i, idx]
            feats[b, :, 3] = cap
            mask[b, 1:-1, 0] = self.demand[i, seq[j:]] <= cap + 1e-6
            mask[b, 1:-1, 1] = j > 0
            target[b] = 2 + via[j]
        feats[:, 0, 4] = 1.0
        feats[:, -1, 5] = 1.0
        if self.augment:
            feats[:, :, :2] = random_symmetries(feats[:, :, :2], rng)
        return _batch(feats, mask, target)


@dataclass
class ExampleSampler:
    """Uniform draws (with padding) from a fixed list of imitation examples (OP, KP, or any game)."""

    examples: list[Example]
    n_choices: int = 1

    @staticmethod
    def of(instances: Sequence[Instance], labels: Sequence[Solution], n_choices: int = 1) -> "ExampleSampler":
        ex: list[Example] = []
        for inst, sol in zip(instances, labels):
            ex += label_examples(make_game(inst), sol)
        if not ex:
            raise ValueError("the labels give no imitation examples")
        return ExampleSampler(ex, n_choices)

    def sample(self, rng: np.random.Generator, batch_size: int) -> Batch:
        idx = rng.integers(0, len(self.examples), size=batch_size)
        return collate([self.examples[i] for i in idx], self.n_choices)


def make_sampler(problem: str, instances: Sequence[Instance], labels: Sequence[Solution], augment: bool = True,
                 knn: int = 0) -> Sampler:
    """The fastest sampler for `problem`: tensorised suffixes for TSP and CVRP, replayed examples otherwise;
    `knn` > 0 (TSP only) samples local views of that many nodes."""
    if knn and problem != "tsp":
        raise ValueError(f"local kNN views are implemented for tsp training only, not {problem}")
    if problem == "tsp":
        return TSPSampler.of(instances, labels, augment, knn)  # type: ignore[arg-type]
    if problem == "cvrp":
        return CVRPSampler.of(instances, labels, augment)  # type: ignore[arg-type]
    from .games import N_CHOICES

    return ExampleSampler.of(instances, labels, N_CHOICES[problem])


@dataclass
class MixedSampler:
    """A curriculum over sizes: each batch comes from one of several samplers, drawn with `weights`."""

    samplers: list[Sampler]
    weights: list[float]

    def sample(self, rng: np.random.Generator, batch_size: int) -> Batch:
        p = np.asarray(self.weights, float)
        k = int(rng.choice(len(self.samplers), p=p / p.sum()))
        return self.samplers[k].sample(rng, batch_size)


__all__ = ["CVRPSampler", "ExampleSampler", "MixedSampler", "Sampler", "TSPSampler", "make_sampler"]
