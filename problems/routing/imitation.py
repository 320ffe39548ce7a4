"""Imitation data from labelled solutions: every step of a label's trajectory through the reduced MDP
is one policy example (a suffix sub-problem, as in BQ-NCO's training), target = the label's next slot."""

from __future__ import annotations

from typing import Any

from searchlab.policy import Example, token_view
from searchlab.solvers.routing import Solution


def label_examples(game: Any, solution: Solution) -> list[Example]:
    """One `Example` per non-terminal state along `game.actions_of_solution(solution)`; the target is
    the first legal slot that plays the label's move (CVRP: the direct or via-depot slot of the node)."""
    state, out = game.initial_state(), []
    for move in game.actions_of_solution(solution):
        view = token_view(game, state)
        out.append(Example(view.features, view.action_mask, view.slot_of(move)))
        state = game.step(state, move)
    return out
