"""Routing problems as BQ-NCO reduced (bisimulation-quotiented) MDPs: path-TSP, path-CVRP, path-OP and
the knapsack, each a `searchlab.game.Game` and a `searchlab.policy.TokenGame`.

Every game keeps the partial solution in its state (for `key`, a canonical solution key, and for
`solution(state)`), while `tokens` show only the reduced state the policy needs; `quotient_key` is the
BQ state itself. `solution_of_actions(game, actions)` maps finished moves back to a `Solution` of the
original instance with its objective; `label_examples(game, solution)` turns a labelled solution into
policy imitation examples. Numerics live in `searchlab.solvers.routing`.

Learning and decoding: `augment` (square symmetries, tour rotation/reversal), `sampler` (augmented
suffix batches), `training` (labelled `.npz` caches, resumable imitation training, validation gap),
`models` (default sizes, committed weights and the view they were trained on), `knn` (candidate
restriction, and local views in the current node's frame), `decoding` (batched greedy, beam-k), `search`
(policy-guided MCTS), `rrc` (random re-construction of tour segments), `bench`.
"""

from .common import solution_of_actions, unit_coords
from .cvrp import CVRPState, PathCVRPGame
from .kp import KPGame, KPState
from .op import OPState, PathOPGame
from .tsp import PathTSPGame, TSPState
from .games import make_game
from .imitation import label_examples
from .knn import KNNGame, restrict
from .decoding import DecodeSpec, decode_many, greedy_plays
from .search import mcts_decode
from .rrc import rrc_decode
from .models import RoutingModel, default_model_path, load_model, policy_config
from .training import TrainConfig, TrainResult, labelled_dataset, train, validation_gap
from .bench import BenchReport, run_bench, write_report

__all__ = [
    "BenchReport", "DecodeSpec", "KNNGame", "RoutingModel", "TrainConfig", "TrainResult", "decode_many", "default_model_path",
    "greedy_plays", "labelled_dataset", "load_model", "mcts_decode", "policy_config", "restrict", "rrc_decode",
    "run_bench", "train",
    "validation_gap", "write_report",
    "CVRPState", "KPGame", "KPState", "OPState", "PathCVRPGame", "PathOPGame", "PathTSPGame", "TSPState",
    "label_examples", "make_game", "solution_of_actions", "unit_coords",
]
