"""Exact solvers for small instances: Held-Karp (TSP), dynamic programming and brute force (KP),
enumeration (OP, CVRP). Used as labels (KP) and as ground truth in tests."""

from __future__ import annotations

import itertools
import time

import numpy as np

from .distances import path_length
from .instances import CVRPInstance, KPInstance, OPInstance, TSPInstance
from .solution import Solution


def held_karp(instance: TSPInstance, max_nodes: int = 13) -> Solution:
    """An optimal TSP tour by the Held-Karp DP over subsets (O(2^n n^2); refuses n > max_nodes)."""
    t0 = time.perf_counter()
    n = instance.n_nodes
    if n > max_nodes:
        raise ValueError(f"held_karp: {n} nodes is more than max_nodes={max_nodes}")
    if n <= 3:
        return Solution.of_tour(range(n), "exact", time.perf_counter() - t0)
    d = instance.distances()
    m = n - 1  # subsets of nodes 1..n-1; bit i = node i+1
    cost = np.full((1 << m, m), np.inf)
    parent = np.full((1 << m, m), -1, dtype=np.int64)
    for i in range(m):
        cost[1 << i, i] = d[0, i + 1]
    for mask in range(1, 1 << m):
        for j in range(m):
            if not mask >> j & 1 or not np.isfinite(cost[mask, j]):
                continue
            for k in range(m):
                if mask >> k & 1:
                    continue
                nm = mask | 1 << k
                c = cost[mask, j] + d[j + 1, k + 1]
                if c < cost[nm, k]:
                    cost[nm, k], parent[nm, k] = c, j
    full = (1 << m) - 1
    last = int(np.argmin(cost[full] + d[1:, 0]))
    tour, mask = [], full
    while last >= 0:
        tour.append(last + 1)
        mask, last = mask ^ (1 << last), int(parent[mask, last])
    return Solution.of_tour([0, *reversed(tour)], "exact", time.perf_counter() - t0)


def kp_dp(instance: KPInstance) -> Solution:
    """An optimal 0-1 knapsack by DP over integer capacities (O(n C) time, O(n C) bits of memory)."""
    t0 = time.perf_counter()
    cap = instance.capacity
    best = np.zeros(cap + 1)
    take = np.zeros((instance.n_items, cap + 1), dtype=bool)
    for i, (w, v) in enumerate(zip(instance.weights, instance.values)):
        if w > cap:
            continue
        cand = best[: cap + 1 - w] + v
        better = cand > best[w:]
        take[i, w:] = better
        best[w:] = np.where(better, cand, best[w:])
    items, c = [], cap
    for i in range(instance.n_items - 1, -1, -1):
        if take[i, c]:
            items.append(i)
            c -= int(instance.weights[i])
    return Solution.of_items(items, "dp", time.perf_counter() - t0)


def kp_brute_force(instance: KPInstance, max_items: int = 20) -> Solution:
    """An optimal knapsack by trying every subset (tests only)."""
    n = instance.n_items
    if n > max_items:
        raise ValueError(f"kp_brute_force: {n} items is more than max_items={max_items}")
    best, best_set = -1.0, ()
    for mask in range(1 << n):
        s = [i for i in range(n) if mask >> i & 1]
        if instance.weights[s].sum() <= instance.capacity:
            v = float(instance.values[s].sum())
            if v > best:
                best, best_set = v, tuple(s)
    return Solution.of_items(best_set, "brute")


def op_brute_force(instance: OPInstance, max_nodes: int = 8) -> Solution:
    """An optimal OP tour by enumerating every ordered subset of nodes (tests only)."""
    n = len(instance.coords) - 1
    if n > max_nodes:
        raise ValueError(f"op_brute_force: {n} nodes is more than max_nodes={max_nodes}")
    d = instance.distances()
    best, best_tour = 0.0, ()
    for k in range(1, n + 1):
        for perm in itertools.permutations(range(1, n + 1), k):
            prize = float(instance.prizes[list(perm)].sum())
            if prize > best and path_length(d, [0, *perm, 0]) <= instance.max_length + 1e-9:
                best, best_tour = prize, perm
    return Solution.of_op_tour(best_tour, "brute")


def cvrp_brute_force(instance: CVRPInstance, max_customers: int = 7) -> Solution:
    """An optimal CVRP solution by enumerating customer orders and every split into routes (tests only)."""
    n = instance.n_customers
    if n > max_customers:
        raise ValueError(f"cvrp_brute_force: {n} customers is more than max_customers={max_customers}")
    d = instance.distances()
    best, best_routes = np.inf, ()
    for perm in itertools.permutations(range(1, n + 1)):
        for cuts in range(1 << (n - 1)):
            routes, cur = [], [perm[0]]
            for i in range(1, n):
                if cuts >> (i - 1) & 1:
                    routes.append(cur)
                    cur = []
                cur.append(perm[i])
            routes.append(cur)
            if any(instance.demands[r].sum() > instance.capacity for r in routes):
                continue
            length = sum(path_length(d, [0, *r, 0]) for r in routes)
            if length < best:
                best, best_routes = length, tuple(map(tuple, routes))
    return Solution.of_routes(best_routes, "brute")
