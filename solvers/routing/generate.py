"""Seeded instance generators in the Kool et al. (2019) conventions, draw order included, so that
`generate("tsp", 100, 10000, seed=1234)` re-creates the standard TSP100 test set.

Each generator seeds a legacy `np.random.RandomState(seed)` (the same stream as Kool's `np.random.seed`)
and draws the arrays for all instances at once, in Kool's order.
"""

from __future__ import annotations

import numpy as np

from .instances import CVRPInstance, Instance, KPInstance, OPInstance, TSPInstance

KOOL_CAPACITIES: dict[int, int] = {10: 20, 15: 25, 20: 30, 30: 33, 40: 37, 50: 40, 60: 43, 75: 45, 100: 50, 125: 55, 150: 60, 200: 70, 500: 100, 1000: 150}
"""CVRP capacity by number of customers: Kool et al. for 20/50/100, extended by RL4CO for other sizes."""

BQ_CAPACITIES: dict[int, int] = {**KOOL_CAPACITIES, 200: 80, 500: 100, 1000: 250}
"""The test-set capacities behind the BQ-NCO / LEHD / GOAL tables (50/80/100/250 for N=100/200/500/1000)."""

CAPACITY_CONVENTIONS = {"bq": BQ_CAPACITIES, "kool": KOOL_CAPACITIES}

OP_MAX_LENGTHS: dict[int, float] = {20: 2.0, 50: 3.0, 100: 4.0}
"""Kool's OP length budget by number of nodes (besides the depot)."""

OP_PRIZE_TYPES = ("const", "uniform", "dist")

KP_SCALE = 1000
"""KP weights and values are integers in 1..KP_SCALE (so the DP is exact); divide by it for features."""

KP_CAPACITIES: dict[int, float] = {50: 12.5, 100: 25.0, 200: 25.0}
"""KP capacity in units of KP_SCALE (POMO's convention for weights U(0,1)); other sizes: n / 8."""


def cvrp_capacity(size: int, convention: str = "bq") -> int:
    """The vehicle capacity for `size` customers under a capacity convention ("bq" or "kool")."""
    table = CAPACITY_CONVENTIONS.get(convention)
    if table is None:
        raise ValueError(f"unknown capacity convention {convention!r} (known: {', '.join(CAPACITY_CONVENTIONS)})")
    if size not in table:
        raise ValueError(f"no {convention} capacity for {size} customers (known sizes: {sorted(table)}); pass capacity=")
    return table[size]


def op_max_length(size: int) -> float:
    """Kool's OP length budget for `size` nodes."""
    if size not in OP_MAX_LENGTHS:
        raise ValueError(f"no OP max_length for size {size} (known: {sorted(OP_MAX_LENGTHS)}); pass max_length=")
    return OP_MAX_LENGTHS[size]


def kp_capacity(size: int) -> int:
    """The integer KP capacity for `size` items (POMO's table scaled by KP_SCALE; else size / 8 x KP_SCALE)."""
    return int(round(KP_CAPACITIES.get(size, size / 8.0) * KP_SCALE))


def generate_tsp(size: int, n: int, seed: int) -> list[TSPInstance]:
    """`n` TSP instances of `size` nodes uniform in the unit square."""
    rng = np.random.RandomState(seed)
    coords = rng.uniform(size=(n, size, 2))
    return [TSPInstance(c, name=f"tsp{size}-s{seed}-{i}") for i, c in enumerate(coords)]


def generate_cvrp(size: int, n: int, seed: int, capacity: int | None = None, convention: str = "bq") -> list[CVRPInstance]:
    """`n` CVRP instances of `size` customers: depot then customers uniform, demands 1..9 (Kool's order)."""
    cap = capacity if capacity is not None else cvrp_capacity(size, convention)
    rng = np.random.RandomState(seed)
    depot = rng.uniform(size=(n, 2))
    locs = rng.uniform(size=(n, size, 2))
    demand = rng.randint(1, 10, size=(n, size))
    return [
        CVRPInstance(np.vstack([depot[i], locs[i]]), np.concatenate([[0], demand[i]]), cap, name=f"cvrp{size}-s{seed}-{i}")
        for i in range(n)
    ]


def generate_op(size: int, n: int, seed: int, prize_type: str = "dist", max_length: float | None = None) -> list[OPInstance]:
    """`n` OP instances of `size` nodes besides the depot, prizes "const" (1), "uniform" (0.01..1) or
    "dist" (grows with distance from the depot, 0.01..1), as in Kool et al."""
    if prize_type not in OP_PRIZE_TYPES:
        raise ValueError(f"unknown OP prize type {prize_type!r} (known: {', '.join(OP_PRIZE_TYPES)})")
    budget = max_length if max_length is not None else op_max_length(size)
    rng = np.random.RandomState(seed)
    depot = rng.uniform(size=(n, 2))
    locs = rng.uniform(size=(n, size, 2))
    if prize_type == "const":
        prize = np.ones((n, size))
    elif prize_type == "uniform":
        prize = (1 + rng.randint(0, 100, size=(n, size))) / 100.0
    else:
        d = np.linalg.norm(depot[:, None, :] - locs, axis=-1)
        prize = (1 + (d / d.max(axis=-1, keepdims=True) * 99).astype(int)) / 100.0
    return [
        OPInstance(np.vstack([depot[i], locs[i]]), np.concatenate([[0.0], prize[i]]), budget, name=f"op{size}-{prize_type}-s{seed}-{i}")
        for i in range(n)
    ]


def generate_kp(size: int, n: int, seed: int, capacity: int | None = None) -> list[KPInstance]:
    """`n` KP instances of `size` items, integer weights and values uniform in 1..KP_SCALE (weights drawn first)."""
    cap = capacity if capacity is not None else kp_capacity(size)
    rng = np.random.RandomState(seed)
    weights = rng.randint(1, KP_SCALE + 1, size=(n, size))
    values = rng.randint(1, KP_SCALE + 1, size=(n, size))
    return [KPInstance(weights[i], values[i], cap, name=f"kp{size}-s{seed}-{i}") for i in range(n)]


def generate(problem: str, size: int, n: int, seed: int, **options: object) -> list[Instance]:
    """`n` seeded instances of `problem` ("tsp", "cvrp", "op", "kp") and `size`; `options` go to the
    problem's generator (cvrp: capacity, convention; op: prize_type, max_length; kp: capacity)."""
    makers = {"tsp": generate_tsp, "cvrp": generate_cvrp, "op": generate_op, "kp": generate_kp}
    if problem not in makers:
        raise ValueError(f"unknown problem {problem!r} (known: {', '.join(makers)})")
    if size < 1 or n < 0:
        raise ValueError(f"need size >= 1 and n >= 0, got size={size}, n={n}")
    return makers[problem](size, n, seed, **options)  # type: ignore[operator]
