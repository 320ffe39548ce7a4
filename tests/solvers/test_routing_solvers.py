"""Reference solvers: feasible, no worse than the simple baselines, exact where exact; checkers' errors."""

from __future__ import annotations

import numpy as np
import pytest

from searchlab.solvers.routing import (
    CVRPInstance, InfeasibleSolution, KPInstance, OPInstance, Solution, TSPInstance, check_solution, generate,
    solve_reference, tour_length,
)
from searchlab.solvers.routing.exact import held_karp, kp_brute_force, kp_dp


def test_tsp_solvers_beat_nearest_neighbour() -> None:
    for inst in generate("tsp", 30, 2, seed=11):
        nn = solve_reference(inst, "nearest").objective
        for method, limit in (("fast-tsp", 0.05), ("lkh", None), ("ortools", 0.2)):
            sol = solve_reference(inst, method, limit)
            assert sorted(sol.tour) == list(range(30)) and sol.tour[0] == 0
            assert sol.objective <= nn + 1e-9, method


def test_tsp_solvers_are_optimal_on_small_instances() -> None:
    for inst in generate("tsp", 9, 3, seed=12):
        best = held_karp(inst)
        opt = tour_length(inst, best.tour)
        for method in ("fast-tsp", "lkh"):
            assert solve_reference(inst, method, 0.05).objective == pytest.approx(opt, rel=1e-4), method


def test_cvrp_solvers_beat_nearest_neighbour_and_match_brute_force() -> None:
    for inst in generate("cvrp", 12, 2, seed=13, capacity=20):
        nn = solve_reference(inst, "nearest").objective
        for method in ("pyvrp", "ortools"):
            assert solve_reference(inst, method, 0.2).objective <= nn + 1e-9, method
    inst = generate("cvrp", 6, 1, seed=14, capacity=15)[0]
    exact = solve_reference(inst, "exact").objective
    assert solve_reference(inst, "pyvrp", 0.2).objective == pytest.approx(exact, rel=1e-4)


def test_op_solver_beats_greedy_and_respects_the_budget() -> None:
    for inst in generate("op", 20, 2, seed=15, prize_type="dist"):
        sol = solve_reference(inst, "ortools", 0.2)
        assert sol.objective >= solve_reference(inst, "greedy").objective
    small = generate("op", 7, 2, seed=16, max_length=1.5)
    for inst in small:
        assert solve_reference(inst, "ortools", 0.1).objective <= solve_reference(inst, "exact").objective + 1e-12


def test_kp_dp_equals_brute_force() -> None:
    rng = np.random.default_rng(17)
    for _ in range(25):
        n = int(rng.integers(1, 13))
        w = rng.integers(1, 30, n)
        inst = KPInstance(w, rng.integers(0, 50, n).astype(float), int(rng.integers(0, w.sum() + 2)))
        dp, bf = kp_dp(inst), kp_brute_force(inst)
        assert check_solution(inst, dp) == check_solution(inst, bf)
    big = generate("kp", 100, 1, seed=18)[0]
    assert solve_reference(big, "dp").objective >= solve_reference(big, "greedy").objective


def test_checkers_give_one_line_errors() -> None:
    tsp = TSPInstance(np.random.default_rng(0).random((5, 2)))
    cvrp = CVRPInstance(np.random.default_rng(1).random((4, 2)), [0, 3, 4, 5], 8)
    op = OPInstance(np.array([[0, 0], [0.5, 0], [0, 0.9]]), [0, 1, 1], 1.5)
    kp = KPInstance([3, 4, 5], [1, 1, 1], 8)
    bad = [
        (tsp, Solution.of_tour([0, 1, 2, 3, 3]), "more than once"),
        (tsp, Solution.of_tour([0, 1, 2, 3]), "has 4 nodes"),
        (tsp, Solution.of_tour([0, 1, 2, 3, 9]), "out of range"),
        (tsp, Solution("tsp", tour=(0, 1, 2, 3, 4.0)), "not an integer"),  # type: ignore[arg-type]
        (cvrp, Solution.of_routes([[1], [2, 3]]), "exceeds capacity"),
        (cvrp, Solution.of_routes([[1], [3]]), "customer 2 is not visited"),
        (cvrp, Solution.of_routes([[1, 0, 2], [3]]), "depot"),
        (cvrp, Solution.of_routes([[1, 2], [2, 3]]), "twice"),
        (op, Solution.of_op_tour([1, 2]), "exceeds max_length"),
        (op, Solution.of_op_tour([0, 1]), "out of range"),
        (kp, Solution.of_items([0, 1, 2]), "exceeds capacity"),
        (kp, Solution.of_tour([0, 1]), "does not fit a kp"),
    ]
    for inst, sol, msg in bad:
        with pytest.raises(InfeasibleSolution, match=msg) as err:
            check_solution(inst, sol)
        assert "\n" not in str(err.value)
    assert check_solution(op, Solution.of_op_tour([1])) == 1.0


def test_tour_length_in_another_metric() -> None:
    inst = TSPInstance(np.array([[0, 0], [1, 1], [2, 0]], float))
    assert tour_length(inst, [0, 1, 2]) == pytest.approx(2 * np.sqrt(2) + 2)
    assert tour_length(inst, [0, 1, 2], metric="EUC_2D") == 4.0


def test_solve_many_keeps_order() -> None:
    from searchlab.solvers.routing import solve_many

    insts = generate("kp", 20, 3, seed=19)
    assert [s.objective for s in solve_many(insts, "dp")] == [solve_reference(i, "dp").objective for i in insts]


@pytest.mark.slow
def test_solve_many_in_two_processes() -> None:
    from searchlab.solvers.routing import solve_many

    insts = generate("tsp", 50, 4, seed=20)
    par = solve_many(insts, "lkh", workers=2)
    assert [s.objective for s in par] == pytest.approx([solve_reference(i, "lkh").objective for i in insts], rel=1e-3)
