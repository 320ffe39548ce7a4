"""Near-optimal TSP label solvers: fast-tsp (local search under a time budget) and LKH-3 via elkai."""

from __future__ import annotations

import time

import numpy as np

from .distances import INTEGER_METRICS, integer_matrix
from .instances import TSPInstance
from .solution import Solution

FAST_TSP_MAX = 65535
"""fast-tsp takes integer distances up to this value."""


def _rotate(tour: list[int], start: int = 0) -> list[int]:
    i = tour.index(start)
    return tour[i:] + tour[:i]


def fast_tsp_tour(instance: TSPInstance, time_limit: float = 0.1) -> Solution:
    """A tour by fast-tsp within `time_limit` seconds (single thread); distances scaled to fit 16 bits."""
    import fast_tsp

    t0 = time.perf_counter()
    n = instance.n_nodes
    if n <= 3:
        return Solution.of_tour(range(n), "fast-tsp", time.perf_counter() - t0)
    d = instance.distances()
    top = float(d.max()) or 1.0
    if instance.metric in INTEGER_METRICS and top <= FAST_TSP_MAX:
        m = d.astype(np.int64)
    else:
        m = np.rint(d * (FAST_TSP_MAX / top)).astype(np.int64)
    tour = fast_tsp.find_tour(m.tolist(), duration_seconds=float(time_limit), max_threads=1)
    return Solution.of_tour(_rotate(list(tour)), "fast-tsp", time.perf_counter() - t0)


def lkh_tour(instance: TSPInstance, runs: int = 1) -> Solution:
    """A tour by LKH-3 (elkai) with `runs` runs; float distances are scaled by 1e6 and rounded."""
    try:
        import elkai
    except ImportError:  # LKH-3's licence is non-commercial, so elkai is an opt-in extra
        raise RuntimeError("method 'lkh' needs elkai (LKH-3, non-commercial licence): pip install 'searchlab[lkh]'") from None

    t0 = time.perf_counter()
    n = instance.n_nodes
    if n <= 3:
        return Solution.of_tour(range(n), "lkh", time.perf_counter() - t0)
    m = integer_matrix(instance.distances(), instance.metric, 1e6)
    tour = elkai.DistanceMatrix(m.tolist()).solve_tsp(runs=int(runs))[:-1]
    return Solution.of_tour(_rotate(tour), "lkh", time.perf_counter() - t0)
