"""Planners by name. Each is built from a `PlannerContext` and follows the `Planner` protocol."""

from __future__ import annotations

from typing import Callable

from ..errors import ConfigError
from ..planner import Planner, PlannerContext
from .random import RandomPlanner

PLANNERS: dict[str, Callable[[PlannerContext], Planner]] = {
    "random": RandomPlanner,
}


def make_planner(name: str, ctx: PlannerContext) -> Planner:
    """The planner called `name`; a ConfigError naming the known ones otherwise."""
    if name not in PLANNERS:
        raise ConfigError(f"unknown planner {name!r} (known: {', '.join(PLANNERS)})")
    return PLANNERS[name](ctx)
