"""Routing decoders: every decoder's output is a feasible solution of its instance (TSP, CVRP, OP, KP),
beam-1 is greedy, batched greedy equals one-at-a-time greedy, and the kNN restriction keeps the token
contract and still yields feasible tours."""

from __future__ import annotations

import pytest
import torch

from searchlab.policy import AttentionPolicy, check_token_game, rollout
from searchlab.problems.routing import make_game, solution_of_actions
from searchlab.problems.routing.decoding import DecodeSpec, beam_decode, decode_many, game_of, greedy_plays
from searchlab.problems.routing.knn import KNNGame, restrict
from searchlab.problems.routing.models import policy_config
from searchlab.problems.routing.search import mcts_decode
from searchlab.solvers.routing import check_solution, generate

torch.set_num_threads(1)

SIZES = {"tsp": 15, "cvrp": 10, "op": 20, "kp": 12}


def tiny(problem: str, seed: int = 0) -> AttentionPolicy:
    return AttentionPolicy(policy_config(problem, 16, 1, 2, 32), seed=seed).eval()


@pytest.mark.parametrize("problem", ["tsp", "cvrp", "op", "kp"])
@pytest.mark.parametrize("decoder", ["greedy", "beam:3", "mcts:6"])
def test_every_decoder_gives_feasible_solutions(problem: str, decoder: str) -> None:
    insts = generate(problem, SIZES[problem], 2, seed=7)
    for inst, sol in zip(insts, decode_many(tiny(problem, 1), insts, decoder)):
        assert check_solution(inst, sol) == pytest.approx(sol.objective)
        assert sol.method == decoder and sol.seconds >= 0


@pytest.mark.parametrize("problem", ["tsp", "cvrp", "op", "kp"])
def test_beam_one_is_greedy(problem: str) -> None:
    policy = tiny(problem, 2)
    for inst in generate(problem, SIZES[problem], 3, seed=8):
        game = make_game(inst)
        greedy = solution_of_actions(game, greedy_plays(policy, [game])[0])
        assert beam_decode(policy, game, 1).objective == pytest.approx(greedy.objective)


def test_batched_greedy_equals_single_rollouts() -> None:
    policy = tiny("cvrp", 3)
    games = [make_game(i) for i in generate("cvrp", 10, 4, seed=9)]
    plays = greedy_plays(policy, games, batch_size=3)
    assert plays == [rollout(policy, g, g.initial_state()) for g in games]


def test_wider_search_is_not_worse_than_greedy() -> None:
    policy = tiny("tsp", 4)
    for inst in generate("tsp", 12, 3, seed=10):
        game = make_game(inst)
        greedy = solution_of_actions(game, greedy_plays(policy, [game])[0]).objective
        assert mcts_decode(policy, game, 16).objective <= greedy + 1e-9


@pytest.mark.parametrize("local", [False, True])
@pytest.mark.parametrize("problem", ["tsp", "cvrp", "op"])
def test_knn_restriction_keeps_contract_and_feasibility(problem: str, local: bool) -> None:
    inst = generate(problem, {"tsp": 40, "cvrp": 20, "op": 20}[problem], 1, seed=11)[0]
    game = KNNGame(make_game(inst), 5, local)
    state = game.initial_state()
    while not game.is_terminal(state):
        view = check_token_game(game, state)
        assert view.n_tokens <= 5 + 2
        state = game.step(state, game.legal_actions(state)[0])
    for dec in ("greedy", "beam:2", "mcts:4"):
        sol = decode_many(tiny(problem), [inst], dec, knn=5, local=5 if local else 0)[0]
        assert check_solution(inst, sol) == pytest.approx(sol.objective)


def test_knn_is_default_only_for_large_instances() -> None:
    small, large = generate("tsp", 50, 1, 1)[0], generate("tsp", 150, 1, 1)[0]
    assert not isinstance(game_of(small), KNNGame) and isinstance(game_of(large), KNNGame)
    assert not isinstance(game_of(large, knn=0), KNNGame)
    assert restrict(make_game(generate("kp", 10, 1, 1)[0]), 3).__class__.__name__ == "KPGame"


def test_decoder_specs() -> None:
    assert DecodeSpec.parse("greedy") == DecodeSpec("greedy")
    assert DecodeSpec.parse("beam:16") == DecodeSpec("beam", 16) and str(DecodeSpec.parse("MCTS:8")) == "mcts:8"
    for bad in ("beam", "beam:0", "mcts:x", "sample:3", "greedy:2"):
        with pytest.raises(ValueError, match="unknown decoder"):
            DecodeSpec.parse(bad)


@pytest.mark.parametrize("local", [0, 6])
def test_rrc_improves_on_greedy_and_stays_feasible(local: int) -> None:
    policy = tiny("tsp", 5)
    insts = generate("tsp", 20, 3, seed=12)
    greedy = decode_many(policy, insts, "greedy", local=local)
    for inst, g, sol in zip(insts, greedy, decode_many(policy, insts, "rrc:8", local=local)):
        assert check_solution(inst, sol) == pytest.approx(sol.objective)
        assert sol.objective <= g.objective + 1e-9 and sol.method == "rrc:8"
    assert sum(s.objective for s in decode_many(policy, insts, "rrc:8", local=local)) < sum(g.objective for g in greedy) - 1e-6


def test_rrc_is_for_tsp_only() -> None:
    with pytest.raises(ValueError, match="tsp only"):
        decode_many(tiny("cvrp"), generate("cvrp", 10, 1, seed=1), "rrc:2")
    assert str(DecodeSpec.parse("RRC:5")) == "rrc:5"
