"""The BQ reduced MDPs: the token contract on random states, solutions built by the games are solutions
of the original problems with the same objective, the games' optima equal the problems' optima, and
keys are canonical (one key per solution) while quotient keys merge histories with the same future."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from searchlab.game import Game
from searchlab.policy import AttentionPolicy, PolicyConfig, TokenGame, check_token_game, log_probs, token_view
from searchlab.problems.routing import KPGame, PathCVRPGame, PathOPGame, PathTSPGame, make_game, solution_of_actions
from searchlab.problems.routing.games import D_IN, N_CHOICES
from searchlab.solvers.routing import check_solution, generate, solve_reference

SMALL = {"tsp": 12, "cvrp": 10, "op": 20, "kp": 15}


def random_playout(game: Any, rng: np.random.Generator, check: bool = True) -> tuple[list, Any]:
    state, moves = game.initial_state(), []
    while True:
        if check:
            view = check_token_game(game, state)
            assert view.features.shape[1] == D_IN[game.instance.problem]
            assert view.n_choices in (0, N_CHOICES[game.instance.problem]) or not view.features.shape[0]
        if game.is_terminal(state):
            return moves, state
        legal = game.legal_actions(state)
        moves.append(legal[int(rng.integers(len(legal)))])
        state = game.step(state, moves[-1])


def best_terminal(game: Any, maximise: bool) -> float:
    """The best objective over every terminal state (depth-first, merging states with equal keys)."""
    seen: set[str] = set()
    best = -np.inf if maximise else np.inf

    def visit(state: Any) -> None:
        nonlocal best
        k = game.key(state) + "#" + getattr(game, "quotient_key")(state)
        if k in seen:
            return
        seen.add(k)
        if game.is_terminal(state):
            v = game.objective(state)
            best = max(best, v) if maximise else min(best, v)
            return
        for a in game.legal_actions(state):
            visit(game.step(state, a))

    visit(game.initial_state())
    return best


@pytest.mark.parametrize("problem", ["tsp", "cvrp", "op", "kp"])
def test_token_contract_and_solutions_on_random_playouts(problem: str) -> None:
    rng = np.random.default_rng(0)
    for inst in generate(problem, SMALL[problem], 3, seed=1):
        game = make_game(inst)
        assert isinstance(game, TokenGame) and isinstance(game, Game)
        moves, state = random_playout(game, rng)
        sol = solution_of_actions(game, moves)
        assert check_solution(inst, sol) == pytest.approx(sol.objective)
        assert game.key(solution_state(game, moves)) == game.key(state)  # deterministic replay


@pytest.mark.parametrize("problem,method", [("tsp", "lkh"), ("cvrp", "pyvrp"), ("op", "ortools"), ("kp", "dp")])
def test_reference_solutions_replay_through_the_games(problem: str, method: str) -> None:
    for inst in generate(problem, SMALL[problem], 2, seed=2):
        ref = solve_reference(inst, method, time_limit=0.1)
        game = make_game(inst)
        sol = solution_of_actions(game, game.actions_of_solution(ref))
        value = check_solution(inst, sol)
        assert value == pytest.approx(sol.objective)
        if problem in ("tsp", "cvrp"):
            assert value == pytest.approx(ref.objective)
        else:  # op/kp games complete a label greedily until nothing fits: never worse
            assert value >= ref.objective - 1e-12


def test_game_optima_equal_the_problem_optima() -> None:
    for inst in generate("tsp", 7, 2, seed=3):
        assert best_terminal(PathTSPGame(inst), False) == pytest.approx(solve_reference(inst, "exact").objective)
    for inst in generate("cvrp", 5, 2, seed=3, capacity=12):
        assert best_terminal(PathCVRPGame(inst), False) == pytest.approx(solve_reference(inst, "exact").objective)
    for inst in generate("op", 6, 2, seed=3, prize_type="uniform", max_length=1.6):
        assert best_terminal(PathOPGame(inst), True) == pytest.approx(solve_reference(inst, "exact").objective)
    for inst in generate("kp", 10, 2, seed=3, capacity=2500):
        assert best_terminal(KPGame(inst), True) == pytest.approx(solve_reference(inst, "dp").objective)


def test_keys_are_canonical_per_solution() -> None:
    inst = generate("tsp", 6, 1, seed=4)[0]
    g = PathTSPGame(inst)
    play = lambda moves: solution_state(g, moves)  # noqa: E731
    assert g.key(play([1, 2, 3, 4, 5])) == g.key(play([5, 4, 3, 2, 1]))  # a tour and its reverse
    assert g.key(play([1, 2, 3])) != g.key(play([2, 1, 3]))  # different partial paths
    assert g.quotient_key(play([1, 2, 3])) == g.quotient_key(play([2, 1, 3]))  # same BQ state

    cv = PathCVRPGame(generate("cvrp", 4, 1, seed=4, capacity=10)[0])
    a = solution_state(cv, [(1, 0), (2, 0), (3, 1), (4, 0)])
    b = solution_state(cv, [(4, 0), (3, 0), (2, 1), (1, 0)])  # same routes, other order and directions
    assert cv.is_terminal(a) and cv.key(a) == cv.key(b)

    kp = KPGame(generate("kp", 6, 1, seed=4, capacity=3000)[0])
    s1 = solution_state(kp, [0, 2])
    s2 = solution_state(kp, [2, 0])
    assert kp.key(s1) == kp.key(s2) and kp.quotient_key(s1) == kp.quotient_key(s2)


def solution_state(game: Any, moves: list) -> Any:
    state = game.initial_state()
    for m in moves:
        state = game.step(state, m)
    return state


def test_path_tsp_with_a_destination() -> None:
    inst = generate("tsp", 8, 1, seed=5)[0]
    g = PathTSPGame(inst, start=2, destination=5, nodes=(0, 1, 7))
    state = g.initial_state()
    feats, mask = g.tokens(state)
    assert feats.shape == (5, 4) and mask.tolist() == [False, True, True, True, False]
    assert feats[0, 2] == 1 and feats[-1, 3] == 1 and np.allclose(feats[-1, :2], inst.coords[5])
    moves = [7, 0, 1]
    end = solution_state(g, moves)
    d = inst.distances()
    assert g.tour(end) == (2, 7, 0, 1, 5)
    assert g.objective(end) == pytest.approx(d[2, 7] + d[7, 0] + d[0, 1] + d[1, 5])
    assert g.actions_of_solution(g.solution(end)) == moves


def test_cvrp_tokens_use_two_slots_and_masks() -> None:
    inst = generate("cvrp", 6, 1, seed=6, capacity=10)[0]
    g = PathCVRPGame(inst)
    s0 = g.initial_state()
    view = token_view(g, s0)
    assert view.n_choices == 2 and view.features.shape == (8, 6)
    assert not view.action_mask[1::2].any()  # no via-depot move before the first route starts
    first = max(range(1, 7), key=lambda v: inst.demands[v])
    s1 = g.step(s0, (first, 0))
    view = check_token_game(g, s1)
    for v, (direct, via) in zip(s1.remaining, view.action_mask.reshape(-1, 2)[1:-1]):
        assert direct == (inst.demands[v] <= s1.capacity) and via
    assert np.allclose(view.features[:, 3], s1.capacity / 10)


def test_op_drops_nodes_that_no_longer_fit() -> None:
    inst = generate("op", 20, 1, seed=7)[0]
    g = PathOPGame(inst)
    rng = np.random.default_rng(7)
    moves, state = random_playout(g, rng, check=False)
    d = inst.distances()
    s = g.initial_state()
    for m in moves:
        s = g.step(s, m)
        for u in s.remaining:
            assert d[s.current, u] + d[u, 0] <= s.budget + 1e-9
    assert g.length(state) <= inst.max_length + 1e-9


@pytest.mark.parametrize("problem", ["tsp", "cvrp", "op", "kp"])
def test_a_policy_scores_the_legal_slots(problem: str) -> None:
    inst = generate(problem, SMALL[problem], 1, seed=8)[0]
    game = make_game(inst)
    policy = AttentionPolicy(PolicyConfig(d_in=D_IN[problem], d_model=16, n_heads=2, n_layers=1, d_ff=16, n_choices=N_CHOICES[problem]))
    state = game.initial_state()
    if problem == "cvrp":
        state = game.step(state, game.legal_actions(state)[0])
    view = token_view(game, state)
    lp = log_probs(policy, [view])[0][: len(view.action_mask)]
    assert np.all(np.isfinite(lp[view.action_mask])) and np.all(np.isneginf(lp[~view.action_mask]))
    assert np.exp(lp[view.action_mask]).sum() == pytest.approx(1.0, abs=1e-5)


def test_cvrp_label_moves_put_the_fullest_routes_first() -> None:
    inst = generate("cvrp", 20, 1, seed=9)[0]
    game = PathCVRPGame(inst)
    ref = solve_reference(inst, "pyvrp", 0.1)
    moves = game.actions_of_solution(ref)
    starts = [i for i, (_, via) in enumerate(moves) if via == 1]
    routes = [moves[a:b] for a, b in zip([0, *starts], [*starts, len(moves)])]
    loads = [sum(int(inst.demands[v]) for v, _ in r) for r in routes]
    assert loads == sorted(loads, reverse=True) and len(routes) == len(ref.routes)


@pytest.mark.parametrize("problem,method", [("tsp", "lkh"), ("cvrp", "nearest"), ("op", "greedy"), ("kp", "dp")])
def test_label_examples_target_the_label_moves(problem: str, method: str) -> None:
    from searchlab.policy import collate, greedy_batch
    from searchlab.problems.routing import label_examples

    inst = generate(problem, SMALL[problem], 1, seed=10)[0]
    game = make_game(inst)
    label = solve_reference(inst, method, 0.05)
    examples = label_examples(game, label)
    moves = game.actions_of_solution(label)
    assert len(examples) == len(moves)
    state = game.initial_state()
    for ex, move in zip(examples, moves):
        assert token_view(game, state).actions[ex.target] == move
        state = game.step(state, move)
    batch = collate(examples, N_CHOICES[problem])
    assert batch.features.shape[0] == len(moves)
    policy = AttentionPolicy(PolicyConfig(d_in=D_IN[problem], d_model=16, n_heads=2, n_layers=1, d_ff=16, n_choices=N_CHOICES[problem]))
    (played,) = greedy_batch(policy, game, [game.initial_state()])
    assert check_solution(inst, solution_of_actions(game, played)) >= 0
