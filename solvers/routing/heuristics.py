"""Cheap constructive baselines: nearest neighbour (TSP, CVRP), greedy insertion by ratio (OP),
greedy by value density (KP). Used as sanity bounds for the reference solvers and as fallbacks."""

from __future__ import annotations

import time

import numpy as np

from .instances import CVRPInstance, KPInstance, OPInstance, TSPInstance
from .solution import Solution


def nearest_neighbour_tour(instance: TSPInstance, start: int = 0) -> Solution:
    """Start at `start`, always go to the nearest unvisited node."""
    t0 = time.perf_counter()
    d = instance.distances()
    n = instance.n_nodes
    visited = np.zeros(n, bool)
    tour = [start]
    visited[start] = True
    for _ in range(n - 1):
        row = np.where(visited, np.inf, d[tour[-1]])
        tour.append(int(row.argmin()))
        visited[tour[-1]] = True
    return Solution.of_tour(tour, "nearest", time.perf_counter() - t0)


def nearest_neighbour_routes(instance: CVRPInstance) -> Solution:
    """Go to the nearest unserved customer that fits the remaining capacity; back to the depot when none fits."""
    t0 = time.perf_counter()
    d = instance.distances()
    dem = instance.demands
    served = np.zeros(len(dem), bool)
    served[0] = True
    routes: list[list[int]] = []
    route: list[int] = []
    cur, cap = 0, instance.capacity
    while not served.all():
        row = np.where(served | (dem > cap), np.inf, d[cur])
        if not np.isfinite(row.min()):
            routes.append(route)
            route, cur, cap = [], 0, instance.capacity
            continue
        v = int(row.argmin())
        route.append(v)
        served[v] = True
        cur, cap = v, cap - int(dem[v])
    if route:
        routes.append(route)
    return Solution.of_routes(routes, "nearest", time.perf_counter() - t0)


def greedy_op(instance: OPInstance) -> Solution:
    """From the current node go to the feasible node with the best prize / distance ratio."""
    t0 = time.perf_counter()
    d = instance.distances()
    p = instance.prizes
    free = np.ones(len(p), bool)
    free[0] = False
    tour: list[int] = []
    cur, budget = 0, instance.max_length
    while True:
        ok = free & (d[cur] + d[:, 0] <= budget + 1e-9)
        if not ok.any():
            break
        ratio = np.where(ok, p / np.maximum(d[cur], 1e-12), -np.inf)
        v = int(ratio.argmax())
        tour.append(v)
        free[v] = False
        budget -= d[cur, v]
        cur = v
    return Solution.of_op_tour(tour, "greedy", time.perf_counter() - t0)


def greedy_kp(instance: KPInstance) -> Solution:
    """Take items by decreasing value / weight while they fit."""
    t0 = time.perf_counter()
    order = np.argsort(-instance.values / instance.weights, kind="stable")
    cap, items = instance.capacity, []
    for i in order:
        if instance.weights[i] <= cap:
            items.append(int(i))
            cap -= int(instance.weights[i])
    return Solution.of_items(items, "greedy", time.perf_counter() - t0)
