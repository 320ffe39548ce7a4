"""Shared pieces of the planner tests: small games, in-process evaluation, and a planner driver."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from searchlab.game import Candidate, Game, make_candidate, replay
from searchlab.oracle import Job, Status, execute
from searchlab.planner import Planner, PlannerContext, Record
from searchlab.planners import make_planner
from searchlab.registry import get_problem
from searchlab.space import Int, Real, Space

PLANNER_NAMES = ["random", "bo", "mcts", "hybrid"]


@dataclass(frozen=True)
class WordGame:
    """Pick 3 letters out of 'abcd' (no `features`: the generic move encoding is used); leaf params
    a real `u` and an integer `k`. Value: letters away from 'cab' plus (u - 0.3)^2 + |k - 2| / 10."""

    def initial_state(self) -> str:
        return ""

    def legal_actions(self, state: str) -> tuple[str, ...]:
        return () if len(state) >= 3 else tuple("abcd")

    def step(self, state: str, action: Any) -> str:
        return state + action

    def is_terminal(self, state: str) -> bool:
        return len(state) == 3

    def key(self, state: str) -> str:
        return state or "-"

    def params(self, state: str) -> Space | None:
        return Space((Real("u", 0.0, 1.0), Int("k", 0, 4))) if self.is_terminal(state) else None


def word_value(c: Candidate) -> float:
    word = "".join(c.actions)
    return sum(a != b for a, b in zip(word, "cab")) + (c.params["u"] - 0.3) ** 2 + abs(c.params["k"] - 2) / 10


def problem_setup(name: str, preset: str | None = None) -> tuple[Game, Any, bool]:
    """The game, oracle and direction of a registered benchmark problem."""
    prob = get_problem(name)
    cfg = prob.resolve(preset)
    return prob.make_game(cfg), prob.make_oracle(cfg), prob.minimize


def evaluate(oracle: Any, cands: Sequence[Candidate], start: int) -> list[Record]:
    """Evaluate candidates in process; eval ids from `start`."""
    out = []
    for i, c in enumerate(cands):
        r = execute(Job(start + i, oracle, c, start + i))
        out.append(Record(start + i, c, start + i, r.status, r.value))
    return out


def drive(planner: Planner, oracle: Any, n_evals: int, batch: int = 1, target: float | None = None) -> list[Record]:
    """Ask/evaluate/tell until `n_evals` evaluations are done (or a value below `target` is found);
    returns the records in told order."""
    records: list[Record] = []
    while len(records) < n_evals and (target is None or best_score(records) >= target):
        cands = planner.ask(min(batch, n_evals - len(records)), [])
        assert cands, "the planner proposed nothing"
        recs = evaluate(oracle, cands, len(records))
        planner.tell(recs)
        records += recs
    return records


def assert_legal(game: Game, cands: Sequence[Candidate], forbidden: set[str]) -> None:
    """Every candidate is a terminal play with valid leaf params, its key right, none forbidden or repeated."""
    keys = [c.key for c in cands]
    assert len(set(keys)) == len(keys), "duplicate proposals in one ask"
    for c in cands:
        checked = make_candidate(game, c.actions, c.params)
        assert checked.key == c.key
        assert game.is_terminal(replay(game, c.actions))
        assert c.key not in forbidden


def fresh(name: str, game: Game, seed: int, minimize: bool = True) -> Planner:
    return make_planner(name, PlannerContext(game, seed, minimize))


def best_score(records: Sequence[Record], minimize: bool = True) -> float:
    vals = [r.value for r in records if r.status is Status.OK and r.value is not None]
    return float(min(vals) if minimize else max(vals)) if vals else float(np.inf)
