"""OR-Tools routing (guided local search under a wall-clock limit) for TSP, CVRP and OP: the classical
baseline "at equal wall time". Costs are integer matrices registered with `RegisterTransitMatrix`."""

from __future__ import annotations

import math
import time

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from .distances import integer_matrix
from .heuristics import greedy_op, nearest_neighbour_routes
from .instances import CVRPInstance, OPInstance, TSPInstance
from .solution import Solution

SCALE = 1e5
"""Float distances are multiplied by this and rounded to integer costs."""


def _params(time_limit: float) -> pywrapcp.DefaultRoutingSearchParameters:
    p = pywrapcp.DefaultRoutingSearchParameters()
    p.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    p.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    p.time_limit.FromMilliseconds(max(1, int(round(time_limit * 1000))))
    return p


def _model(cost: np.ndarray, n_vehicles: int) -> tuple[pywrapcp.RoutingIndexManager, pywrapcp.RoutingModel]:
    manager = pywrapcp.RoutingIndexManager(len(cost), n_vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    arc = routing.RegisterTransitMatrix(cost.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    return manager, routing


def _routes(manager, routing, assignment) -> list[list[int]]:  # noqa: ANN001
    out = []
    for v in range(routing.vehicles()):
        idx, route = routing.Start(v), []
        while not routing.IsEnd(idx):
            node = manager.IndexToNode(idx)
            if node != 0:
                route.append(node)
            idx = assignment.Value(routing.NextVar(idx))
        out.append(route)
    return out


def ortools_tsp(instance: TSPInstance, time_limit: float = 1.0) -> Solution:
    """A TSP tour by OR-Tools GLS within `time_limit` seconds."""
    t0 = time.perf_counter()
    n = instance.n_nodes
    if n <= 3:
        return Solution.of_tour(range(n), "ortools", time.perf_counter() - t0)
    manager, routing = _model(integer_matrix(instance.distances(), instance.metric, SCALE), 1)
    sol = routing.SolveWithParameters(_params(time_limit))
    if sol is None:
        raise RuntimeError("OR-Tools found no TSP tour")
    return Solution.of_tour([0, *_routes(manager, routing, sol)[0]], "ortools", time.perf_counter() - t0)


def ortools_cvrp(instance: CVRPInstance, time_limit: float = 1.0) -> Solution:
    """CVRP routes by OR-Tools GLS within `time_limit` seconds; as many vehicles as nearest-neighbour
    routes plus two. Falls back to the nearest-neighbour solution (method "ortools-nn") if none is found."""
    t0 = time.perf_counter()
    fallback = nearest_neighbour_routes(instance)
    manager, routing = _model(integer_matrix(instance.distances(), instance.metric, SCALE), len(fallback.routes) + 2)
    cb = routing.RegisterUnaryTransitVector(instance.demands.tolist())
    routing.AddDimensionWithVehicleCapacity(cb, 0, [instance.capacity] * routing.vehicles(), True, "Capacity")
    sol = routing.SolveWithParameters(_params(time_limit))
    if sol is None:
        return Solution.of_routes(fallback.routes, "ortools-nn", time.perf_counter() - t0)
    return Solution.of_routes(_routes(manager, routing, sol), "ortools", time.perf_counter() - t0)


def _op_model(instance: OPInstance, d: np.ndarray) -> tuple[pywrapcp.RoutingIndexManager, pywrapcp.RoutingModel]:
    n = len(d)
    manager, routing = _model(np.rint(d * 1e4).astype(np.int64), 1)
    budget = routing.RegisterTransitMatrix(np.ceil(d * 1e4).astype(np.int64).tolist())
    routing.AddDimension(budget, 0, int(math.floor(instance.max_length * 1e4)), True, "Length")
    worst = int(np.ceil(d.max() * 1e4)) * n + 1  # more than any tour's cost
    for node in range(1, n):
        routing.AddDisjunction([manager.NodeToIndex(node)], int(round(instance.prizes[node] * 1e4)) * worst)
    return manager, routing


def ortools_op(instance: OPInstance, time_limit: float = 1.0) -> Solution:
    """An OP tour by OR-Tools GLS: every node droppable at a penalty of its prize (weighted to dominate any
    length), length bounded by a distance dimension (rounded up, so tours stay feasible). Half the time
    from OR-Tools' own first solution, half from the greedy tour; the better tour is returned."""
    t0 = time.perf_counter()
    d = instance.distances()
    start = greedy_op(instance)
    best, best_prize = start.tour, float(instance.prizes[list(start.tour)].sum())
    if len(d) > 1:
        for seeded in (False, True):
            manager, routing = _op_model(instance, d)
            params = _params(time_limit / 2)
            if seeded:
                routing.CloseModelWithParameters(params)
                initial = routing.ReadAssignmentFromRoutes([list(start.tour)], True)
                sol = routing.SolveFromAssignmentWithParameters(initial, params) if initial is not None else None
            else:
                sol = routing.SolveWithParameters(params)
            if sol is not None:
                tour = tuple(_routes(manager, routing, sol)[0])
                prize = float(instance.prizes[list(tour)].sum())
                if prize > best_prize:
                    best, best_prize = tour, prize
    return Solution.of_op_tour(best, "ortools", time.perf_counter() - t0)
