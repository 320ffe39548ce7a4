"""One entry point to every solver: `solve_reference(instance, method, time_limit)` returns a checked
`Solution` with its objective in the instance's metric."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any, Callable, Sequence

from .check import check_solution
from .cvrp_solvers import pyvrp_routes
from .exact import cvrp_brute_force, held_karp, kp_brute_force, kp_dp, op_brute_force
from .heuristics import greedy_kp, greedy_op, nearest_neighbour_routes, nearest_neighbour_tour
from .instances import Instance
from .ortools_routing import ortools_cvrp, ortools_op, ortools_tsp
from .solution import Solution
from .tsp_solvers import fast_tsp_tour, lkh_tour

Solver = Callable[[Any, float | None], Solution]

METHODS: dict[str, dict[str, Solver]] = {
    "tsp": {
        "fast-tsp": lambda i, t: fast_tsp_tour(i, 0.1 if t is None else t),
        "lkh": lambda i, t: lkh_tour(i),
        "ortools": lambda i, t: ortools_tsp(i, 1.0 if t is None else t),
        "nearest": lambda i, t: nearest_neighbour_tour(i),
        "exact": lambda i, t: held_karp(i),
    },
    "cvrp": {
        "pyvrp": lambda i, t: pyvrp_routes(i, 1.0 if t is None else t),
        "ortools": lambda i, t: ortools_cvrp(i, 1.0 if t is None else t),
        "nearest": lambda i, t: nearest_neighbour_routes(i),
        "exact": lambda i, t: cvrp_brute_force(i),
    },
    "op": {
        "ortools": lambda i, t: ortools_op(i, 1.0 if t is None else t),
        "greedy": lambda i, t: greedy_op(i),
        "exact": lambda i, t: op_brute_force(i),
    },
    "kp": {
        "dp": lambda i, t: kp_dp(i),
        "greedy": lambda i, t: greedy_kp(i),
        "exact": lambda i, t: kp_brute_force(i),
    },
}
"""Solvers by problem and method; the first listed is the default label solver. `time_limit` (seconds)
is used by fast-tsp, ortools and pyvrp; the others ignore it (lkh: one run; exact: small instances only)."""


def solve_reference(instance: Instance, method: str | None = None, time_limit: float | None = None) -> Solution:
    """Solve `instance` with `method` (default: the problem's label solver); the result is checked and
    carries its objective, method and seconds."""
    table = METHODS[instance.problem]
    name = method or next(iter(table))
    if name not in table:
        raise ValueError(f"unknown {instance.problem} method {name!r} (known: {', '.join(table)})")
    t0 = time.perf_counter()
    sol = table[name](instance, time_limit)
    seconds = time.perf_counter() - t0
    return replace(sol, objective=check_solution(instance, sol), seconds=seconds)


def solve_many(instances: Sequence[Instance], method: str | None = None, time_limit: float | None = None, workers: int = 1) -> list[Solution]:
    """`solve_reference` over many instances, in order; `workers > 1` uses that many processes (each
    solver runs single-threaded), for labelling datasets."""
    if workers <= 1:
        return [solve_reference(i, method, time_limit) for i in instances]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(solve_reference, instances, [method] * len(instances), [time_limit] * len(instances)))
