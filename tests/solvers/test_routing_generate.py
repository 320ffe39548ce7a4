"""Generators: reproducible by seed, Kool conventions (draw order, ranges, capacities, budgets), clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from searchlab.solvers.routing import cvrp_capacity, generate, kp_capacity, op_max_length


@pytest.mark.parametrize("problem,size", [("tsp", 20), ("cvrp", 20), ("op", 20), ("kp", 50)])
def test_same_seed_same_instances_other_seed_other(problem: str, size: int) -> None:
    a, b, c = (generate(problem, size, 3, seed=s) for s in (7, 7, 8))
    key = "weights" if problem == "kp" else "coords"
    for x, y in zip(a, b):
        assert np.array_equal(getattr(x, key), getattr(y, key))
    assert not np.array_equal(getattr(a[0], key), getattr(c[0], key))


def test_tsp_matches_kools_draw() -> None:
    rng = np.random.RandomState(1234)
    want = rng.uniform(size=(4, 20, 2))
    got = np.stack([i.coords for i in generate("tsp", 20, 4, seed=1234)])
    assert np.array_equal(got, want)


def test_cvrp_matches_kools_draw_order_and_conventions() -> None:
    rng = np.random.RandomState(1234)
    depot, locs, dem = rng.uniform(size=(3, 2)), rng.uniform(size=(3, 20, 2)), rng.randint(1, 10, size=(3, 20))
    insts = generate("cvrp", 20, 3, seed=1234)
    for i, inst in enumerate(insts):
        assert np.array_equal(inst.coords[0], depot[i]) and np.array_equal(inst.coords[1:], locs[i])
        assert np.array_equal(inst.demands[1:], dem[i]) and inst.demands[0] == 0
        assert inst.capacity == 30
    big = generate("cvrp", 100, 50, seed=0)
    dem_all = np.concatenate([i.demands[1:] for i in big])
    assert dem_all.min() == 1 and dem_all.max() == 9
    assert [cvrp_capacity(n) for n in (20, 50, 100, 200, 500, 1000)] == [30, 40, 50, 80, 100, 250]
    assert [cvrp_capacity(n, "kool") for n in (200, 500, 1000)] == [70, 100, 150]
    assert generate("cvrp", 10, 1, seed=0, capacity=17)[0].capacity == 17


def test_op_prizes_and_budgets() -> None:
    assert [op_max_length(n) for n in (20, 50, 100)] == [2.0, 3.0, 4.0]
    const = generate("op", 20, 2, seed=1, prize_type="const")[0]
    assert const.prizes[0] == 0 and np.all(const.prizes[1:] == 1.0) and const.max_length == 2.0
    uni = np.concatenate([i.prizes[1:] for i in generate("op", 50, 5, seed=1, prize_type="uniform")])
    assert uni.min() >= 0.01 and uni.max() <= 1.0 and np.allclose(uni * 100, np.round(uni * 100))
    for inst in generate("op", 50, 5, seed=1, prize_type="dist"):
        d = np.linalg.norm(inst.coords[1:] - inst.coords[0], axis=1)
        assert inst.prizes[1:][d.argmax()] == 1.0 and inst.prizes[1:].min() >= 0.01
        assert np.all(np.diff(inst.prizes[1:][np.argsort(d)]) >= 0)  # grows with distance


def test_kp_ranges() -> None:
    insts = generate("kp", 100, 4, seed=2)
    w = np.concatenate([i.weights for i in insts])
    assert w.min() >= 1 and w.max() <= 1000 and insts[0].capacity == kp_capacity(100) == 25000


def test_bad_requests_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown problem"):
        generate("vrptw", 10, 1, seed=0)
    with pytest.raises(ValueError, match="capacity"):
        generate("cvrp", 33, 1, seed=0)
    with pytest.raises(ValueError, match="prize type"):
        generate("op", 20, 1, seed=0, prize_type="random")
