"""Every planner: rebuildable from its records, legal and fresh proposals, pending-aware, failure-safe."""

from __future__ import annotations

import pytest

from searchlab.game import make_candidate
from searchlab.oracle import Status
from searchlab.planner import Record
from searchlab.planners import PLANNERS

from .helpers import PLANNER_NAMES, WordGame, assert_legal, drive, evaluate, fresh, problem_setup


def test_registered():
    assert set(PLANNER_NAMES) <= set(PLANNERS)


@pytest.mark.parametrize("name", PLANNER_NAMES)
@pytest.mark.parametrize("problem,preset", [("jenatton", None), ("labs", "small")])
def test_rebuild_from_records_proposes_the_same(name, problem, preset):
    game, oracle, minimize = problem_setup(problem, preset)
    original = fresh(name, game, seed=3, minimize=minimize)
    records = drive(original, oracle, 9, batch=2)
    pending = original.ask(2, [])
    rebuilt = fresh(name, game, seed=3, minimize=minimize)
    rebuilt.tell(records)
    assert rebuilt.ask(2, pending) == original.ask(2, pending)
    assert rebuilt.ask(1, []) == original.ask(1, [])


@pytest.mark.parametrize("name", ["bo", "hybrid"])
def test_rebuild_past_a_hyperparameter_checkpoint(name):
    """Beyond 12 records hyperparameters are reused from the last checkpoint; a rebuilt planner,
    which never asked at the checkpoint, must still propose the same."""
    game, oracle, minimize = problem_setup("jenatton")
    records = evaluate(oracle, fresh("random", game, 0).ask(27, []), 0)
    original = fresh(name, game, seed=1)
    original.tell(records[:24])
    original.ask(1, [])  # fits and caches hyperparameters at 24 records
    original.tell(records[24:])
    pending = original.ask(1, [])
    rebuilt = fresh(name, game, seed=1)
    rebuilt.tell(records)
    assert rebuilt.ask(2, pending) == original.ask(2, pending)


@pytest.mark.parametrize("name", PLANNER_NAMES)
def test_proposals_are_legal_and_never_told_or_pending(name):
    game = WordGame()
    planner = fresh(name, game, seed=0)
    told: list[Record] = []
    for i in range(12):
        c = planner.ask(1, [])[0]
        value = sum(a != b for a, b in zip(c.actions, "cab")) + c.params["u"]
        told.append(Record(i, c, i, Status.OK, value))
        planner.tell(told[-1:])
    pending = planner.ask(3, [])
    assert_legal(game, pending, {r.candidate.key for r in told})
    more = planner.ask(4, pending)
    assert_legal(game, [*pending, *more], {r.candidate.key for r in told})


@pytest.mark.parametrize("name", PLANNER_NAMES)
def test_structure_only_game_is_never_reproposed(name):
    """On a small game without leaf parameters, proposals stay new until the game is exhausted."""
    game, oracle, minimize = problem_setup("labs", "small")
    planner = fresh(name, game, seed=2, minimize=minimize)
    records = drive(planner, oracle, 14, batch=3)
    keys = [r.candidate.key for r in records]
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize("name", PLANNER_NAMES)
def test_only_errors_told_still_proposes_and_never_repeats_an_error(name):
    game, _, _ = problem_setup("jenatton")
    planner = fresh(name, game, seed=5)
    errored: set[str] = set()
    for i in range(10):
        (c,) = planner.ask(1, [])
        assert c.key not in errored
        status = Status.ERROR if i % 2 else Status.TIMEOUT
        planner.tell([Record(i, c, i, status, None)])
        errored.add(c.key)
    assert_legal(game, planner.ask(2, []), errored)


@pytest.mark.parametrize("name", ["bo", "mcts", "hybrid"])
def test_mixed_failures_keep_the_model_going(name):
    """Infeasible results train as the worst value, errors are skipped; proposals keep coming."""
    game = WordGame()
    planner = fresh(name, game, seed=4)
    told = []
    for i in range(14):
        (c,) = planner.ask(1, [])
        status = [Status.OK, Status.INFEASIBLE, Status.OK, Status.ERROR][i % 4]
        value = float(i % 5) + c.params["u"] if status is Status.OK else None
        told.append(Record(i, c, i, status, value))
        planner.tell(told[-1:])
    assert_legal(game, planner.ask(2, []), {r.candidate.key for r in told})


@pytest.mark.parametrize("name", ["bo", "mcts", "hybrid"])
def test_pending_candidates_change_the_batch(name):
    """A batch of four is four different candidates, and asking again with them pending avoids them."""
    game, oracle, minimize = problem_setup("labs", "small")
    planner = fresh(name, game, seed=6, minimize=minimize)
    drive(planner, oracle, 10)
    batch = planner.ask(4, [])
    assert len({c.key for c in batch}) == 4
    again = planner.ask(4, batch)
    assert not {c.key for c in again} & {c.key for c in batch}


def test_candidates_validate_against_the_game():
    game = WordGame()
    c = make_candidate(game, tuple("cab"), {"u": 0.3, "k": 2})
    assert c.key.startswith("cab|")


@pytest.mark.parametrize("name", ["bo"])
def test_asks_do_not_depend_on_the_global_torch_generator(name):
    import torch

    game, oracle, minimize = problem_setup("jenatton")
    planner = fresh(name, game, seed=3, minimize=minimize)
    drive(planner, oracle, 9)
    pending = planner.ask(2, [])
    first = planner.ask(2, pending)
    torch.rand(7)
    assert planner.ask(2, pending) == first
