"""Routing problems as BQ-NCO reduced (bisimulation-quotiented) MDPs: path-TSP, path-CVRP, path-OP and
the knapsack, each a `searchlab.game.Game` and a `searchlab.policy.TokenGame`.

Every game keeps the partial solution in its state (for `key`, a canonical solution key, and for
`solution(state)`), while `tokens` show only the reduced state the policy needs; `quotient_key` is the
BQ state itself. `solution_of_actions(game, actions)` maps finished moves back to a `Solution` of the
original instance with its objective; `label_examples(game, solution)` turns a labelled solution into
policy imitation examples. Numerics live in `searchlab.solvers.routing`.
"""

from .common import solution_of_actions, unit_coords
from .cvrp import CVRPState, PathCVRPGame
from .kp import KPGame, KPState
from .op import OPState, PathOPGame
from .tsp import PathTSPGame, TSPState
from .games import make_game
from .imitation import label_examples

__all__ = [
    "CVRPState", "KPGame", "KPState", "OPState", "PathCVRPGame", "PathOPGame", "PathTSPGame", "TSPState",
    "label_examples", "make_game", "solution_of_actions", "unit_coords",
]
