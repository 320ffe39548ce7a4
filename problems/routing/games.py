"""The game for an instance, chosen by its problem."""

from __future__ import annotations

from typing import Any

from searchlab.solvers.routing import Instance

from .cvrp import PathCVRPGame
from .kp import KPGame
from .op import PathOPGame
from .tsp import PathTSPGame

GAMES: dict[str, Any] = {"tsp": PathTSPGame, "cvrp": PathCVRPGame, "op": PathOPGame, "kp": KPGame}

N_CHOICES = {"tsp": 1, "cvrp": 2, "op": 1, "kp": 1}
"""Policy slots per token (`PolicyConfig.n_choices`) for each game."""

D_IN = {"tsp": 4, "cvrp": 6, "op": 6, "kp": 3}
"""Token feature width (`PolicyConfig.d_in`) for each game."""


def make_game(instance: Instance) -> PathTSPGame | PathCVRPGame | PathOPGame | KPGame:
    """The reduced-MDP game of `instance` (closed tour from node 0 for TSP)."""
    return GAMES[instance.problem](instance)
