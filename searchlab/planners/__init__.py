"""Planners by name. Each is built from a `PlannerContext` and follows the `Planner` protocol.

The registry maps names to "module:Class" so that listing or validating planners does not import torch
and BoTorch; the class is imported when a planner is built.
"""

from __future__ import annotations

from importlib import import_module

from ..errors import ConfigError
from ..planner import Planner, PlannerContext

PLANNERS: dict[str, str] = {
    "random": "searchlab.planners.random:RandomPlanner",
    "bo": "searchlab.planners.bo:BOPlanner",
    "mcts": "searchlab.planners.mcts:MCTSPlanner",
    "hybrid": "searchlab.planners.hybrid:HybridPlanner",
}
DEFAULT_PLANNER = "hybrid"


def make_planner(name: str, ctx: PlannerContext) -> Planner:
    """The planner called `name`; a ConfigError naming the known ones otherwise."""
    if name not in PLANNERS:
        raise ConfigError(f"unknown planner {name!r} (known: {', '.join(PLANNERS)})")
    module, cls = PLANNERS[name].split(":")
    return getattr(import_module(module), cls)(ctx)
