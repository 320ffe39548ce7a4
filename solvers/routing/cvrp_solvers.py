"""Near-optimal CVRP labels by PyVRP (hybrid genetic search) under a wall-clock limit."""

from __future__ import annotations

import time

from .distances import integer_matrix
from .instances import CVRPInstance
from .solution import Solution

PYVRP_SCALE = 1e4
"""Float distances are multiplied by this and rounded for PyVRP's integer costs."""


def pyvrp_routes(instance: CVRPInstance, time_limit: float = 1.0, seed: int = 0) -> Solution:
    """CVRP routes by PyVRP within `time_limit` seconds, seeded; unlimited vehicles (one per customer)."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    t0 = time.perf_counter()
    dist = integer_matrix(instance.distances(), instance.metric, PYVRP_SCALE)
    m = pyvrp.Model()
    locs = [m.add_location(float(x), float(y)) for x, y in instance.coords]
    m.add_depot(locs[0])
    for loc, dem in zip(locs[1:], instance.demands[1:]):
        m.add_client(loc, delivery=[int(dem)])
    m.add_vehicle_type(num_available=instance.n_customers, capacity=[instance.capacity])
    for i, a in enumerate(locs):
        for j, b in enumerate(locs):
            m.add_edge(a, b, int(dist[i, j]))
    res = m.solve(stop=MaxRuntime(float(time_limit)), seed=seed, display=False)
    if not res.best.is_feasible():
        raise RuntimeError(f"PyVRP found no feasible solution in {time_limit} s")
    routes = [[a.idx + 1 for a in route if a.is_client()] for route in res.best.routes()]
    return Solution.of_routes(routes, "pyvrp", time.perf_counter() - t0)
