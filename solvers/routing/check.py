"""Feasibility checks and objectives of solutions; every fault raises `InfeasibleSolution` with one line."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .distances import distance_matrix, path_length
from .errors import InfeasibleSolution
from .instances import CVRPInstance, Instance, KPInstance, OPInstance, TSPInstance
from .solution import Solution

LENGTH_TOLERANCE = 1e-6
"""Slack allowed on the OP length budget (floating-point sums)."""


def _ints(seq: Sequence, what: str) -> list[int]:
    out = []
    for v in seq:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise InfeasibleSolution(f"{what}: entry {v!r} is not an integer node index")
        out.append(int(v))
    return out


def _dist(instance: Instance, metric: str | None) -> np.ndarray:
    return distance_matrix(instance.coords, metric or instance.metric)


def check_tour(instance: TSPInstance, tour: Sequence[int]) -> None:
    """A TSP tour must be a permutation of 0..n-1 (a closing repeat of the first node is not allowed)."""
    t = _ints(tour, "tour")
    n = instance.n_nodes
    if len(t) != n:
        raise InfeasibleSolution(f"tour: has {len(t)} nodes, the instance has {n}")
    bad = [v for v in t if not 0 <= v < n]
    if bad:
        raise InfeasibleSolution(f"tour: node {bad[0]} is out of range 0..{n - 1}")
    if len(set(t)) != n:
        dup = next(v for v in t if t.count(v) > 1)
        raise InfeasibleSolution(f"tour: node {dup} is visited more than once")


def tour_length(instance: TSPInstance | CVRPInstance | OPInstance, tour: Sequence[int], metric: str | None = None) -> float:
    """Length of the closed tour through `tour` (checked for TSP) under `metric` (default: the instance's)."""
    if isinstance(instance, TSPInstance):
        check_tour(instance, tour)
    return path_length(_dist(instance, metric), _ints(tour, "tour"), closed=True)


def check_routes(instance: CVRPInstance, routes: Sequence[Sequence[int]]) -> None:
    """Every customer 1..n in exactly one route, no depot inside a route, each route's demand <= capacity."""
    n = instance.n_customers
    seen: dict[int, int] = {}
    for r, route in enumerate(routes):
        nodes = _ints(route, f"route {r}")
        if not nodes:
            raise InfeasibleSolution(f"route {r} is empty")
        for v in nodes:
            if v == 0:
                raise InfeasibleSolution(f"route {r}: the depot (0) must not appear inside a route")
            if not 1 <= v <= n:
                raise InfeasibleSolution(f"route {r}: customer {v} is out of range 1..{n}")
            if v in seen:
                raise InfeasibleSolution(f"customer {v} is visited twice (routes {seen[v]} and {r})")
            seen[v] = r
        load = int(instance.demands[nodes].sum())
        if load > instance.capacity:
            raise InfeasibleSolution(f"route {r}: load {load} exceeds capacity {instance.capacity}")
    if len(seen) != n:
        missing = min(set(range(1, n + 1)) - set(seen))
        raise InfeasibleSolution(f"customer {missing} is not visited ({n - len(seen)} missing)")


def routes_length(instance: CVRPInstance, routes: Sequence[Sequence[int]], metric: str | None = None) -> float:
    """Total length of the routes, each from the depot and back, under `metric` (default: the instance's)."""
    d = _dist(instance, metric)
    return sum(path_length(d, [0, *r, 0]) for r in routes)


def check_op_tour(instance: OPInstance, tour: Sequence[int], metric: str | None = None) -> float:
    """Distinct nodes 1..n, closed length through the depot <= max_length; returns the length."""
    t = _ints(tour, "op tour")
    n = len(instance.coords) - 1
    for v in t:
        if not 1 <= v <= n:
            raise InfeasibleSolution(f"op tour: node {v} is out of range 1..{n} (the depot is implicit)")
    if len(set(t)) != len(t):
        raise InfeasibleSolution("op tour: a node is visited more than once")
    length = path_length(_dist(instance, metric), [0, *t, 0])
    if length > instance.max_length + LENGTH_TOLERANCE:
        raise InfeasibleSolution(f"op tour: length {length:.6f} exceeds max_length {instance.max_length}")
    return length


def check_items(instance: KPInstance, items: Sequence[int]) -> None:
    """Distinct item indices in range with total weight <= capacity."""
    it = _ints(items, "items")
    bad = [i for i in it if not 0 <= i < instance.n_items]
    if bad:
        raise InfeasibleSolution(f"items: index {bad[0]} is out of range 0..{instance.n_items - 1}")
    if len(set(it)) != len(it):
        raise InfeasibleSolution("items: an item is chosen more than once")
    w = int(instance.weights[it].sum()) if it else 0
    if w > instance.capacity:
        raise InfeasibleSolution(f"items: total weight {w} exceeds capacity {instance.capacity}")


def check_solution(instance: Instance, solution: Solution, metric: str | None = None) -> float:
    """Check `solution` against `instance` and return its objective (length, prize or value)."""
    if solution.problem != instance.problem:
        raise InfeasibleSolution(f"a {solution.problem} solution does not fit a {instance.problem} instance")
    if isinstance(instance, TSPInstance):
        return tour_length(instance, solution.tour, metric)
    if isinstance(instance, CVRPInstance):
        check_routes(instance, solution.routes)
        return routes_length(instance, solution.routes, metric)
    if isinstance(instance, OPInstance):
        check_op_tour(instance, solution.tour, metric)
        return float(instance.prizes[list(solution.tour)].sum()) if solution.tour else 0.0
    check_items(instance, solution.items)
    return float(instance.values[list(solution.items)].sum()) if solution.items else 0.0

