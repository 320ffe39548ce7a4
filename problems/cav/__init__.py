"""Adaptive testing of automated vehicles: the `cav` problem.

`task=test` (presets follow, cutin, highway) runs an importance-sampled crash-rate testing campaign through the
engine until the relative half-width drops below `target_rhw` (or the budget): one evaluation is a batch of
test episodes under the testing distribution its candidate carries, the `tester` planner chooses that
distribution (crude, NADE, uniform mixture, or adaptive multi-surrogate), and the estimate comes from the
ledger. `task=search` (preset follow-search) poses failure-scenario generation as a game for the engine's
planners. Numerics live in searchlab.solvers.traffic.
"""
from __future__ import annotations

from typing import Any

from searchlab.game import Game
from searchlab.oracle import Oracle
from searchlab.registry import Problem

from .config import CONFIG, PRESETS, check, world_spec
from .estimate import stop_reason, summary
from .search import SearchOracle, make_search_game
from .testing import BatchOracle, make_campaign_game
from .tester import make_tester


def make_game(config: dict[str, Any]) -> Game:
    """The testing game (no moves, q as leaf parameters) or the scenario-search game."""
    spec = world_spec(config)
    if config["task"] == "search":
        return make_search_game(spec, int(config["search.steps"]))
    return make_campaign_game(spec)


def make_oracle(config: dict[str, Any]) -> Oracle:
    """The test-batch oracle or the scenario oracle (plain data; worlds are built in the worker)."""
    spec = world_spec(config)
    if config["task"] == "search":
        return SearchOracle(spec, int(config["search.steps"]), float(config["search.gap0"]),
                            float(config["search.speed0"]))
    return BatchOracle(spec, float(config["epsilon"]), int(config["tests_per_eval"]))


def default_planner(config: dict[str, Any]) -> str | None:
    """Testing runs use the tester; searches the engine's default."""
    return "tester" if config["task"] == "test" else None


CAV = Problem(
    name="cav",
    description="AV testing: importance-sampled crash rate until RHW < target (NADE/adaptive), or failure search.",
    config=CONFIG,
    make_game=make_game,
    make_oracle=make_oracle,
    presets=PRESETS,
    minimize=True,
    check=check,
    planners={"tester": make_tester},
    default_planner=default_planner,
    stop=stop_reason,
    summary=summary,
)

__all__ = ["CAV"]
