"""The plain-data solution of a routing instance, as every solver and game returns it."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Iterable


@dataclass(frozen=True)
class Solution:
    """A solution of one instance. Which field is used depends on `problem`:
    tsp: `tour`, a permutation of all nodes (closed implicitly); op: `tour`, the visited nodes in order,
    depot 0 excluded (start and end at the depot implicit); cvrp: `routes`, customer sequences, depot
    implicit at both ends; kp: `items`, the chosen item indices (sorted).
    `objective` is the length (tsp, cvrp: minimise) or the collected prize / value (op, kp: maximise)."""

    problem: str
    tour: tuple[int, ...] = ()
    routes: tuple[tuple[int, ...], ...] = ()
    items: tuple[int, ...] = ()
    objective: float = math.nan
    method: str = ""
    seconds: float = 0.0

    def with_objective(self, objective: float) -> "Solution":
        return replace(self, objective=float(objective))

    @staticmethod
    def of_tour(tour: Iterable[int], method: str = "", seconds: float = 0.0) -> "Solution":
        return Solution("tsp", tour=tuple(int(v) for v in tour), method=method, seconds=seconds)

    @staticmethod
    def of_routes(routes: Iterable[Iterable[int]], method: str = "", seconds: float = 0.0) -> "Solution":
        return Solution("cvrp", routes=tuple(t for t in (tuple(int(v) for v in r) for r in routes) if t), method=method, seconds=seconds)

    @staticmethod
    def of_op_tour(tour: Iterable[int], method: str = "", seconds: float = 0.0) -> "Solution":
        return Solution("op", tour=tuple(int(v) for v in tour), method=method, seconds=seconds)

    @staticmethod
    def of_items(items: Iterable[int], method: str = "", seconds: float = 0.0) -> "Solution":
        return Solution("kp", items=tuple(sorted(int(i) for i in items)), method=method, seconds=seconds)


MAXIMISE = frozenset({"op", "kp"})


def is_better(problem: str, a: float, b: float) -> bool:
    """Whether objective `a` is strictly better than `b` for `problem`."""
    return a > b if problem in MAXIMISE else a < b
