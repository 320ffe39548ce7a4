"""Routing numerics, usable alone (`from searchlab.solvers.routing import generate, solve_reference`):
instances and Kool-convention generators, TSPLIB/CVRPLIB readers, a `.npz` dataset format, distance
rules (incl. TSPLIB's rounded EUC_2D), feasibility checks, and reference solvers (fast-tsp, LKH via
elkai, PyVRP, OR-Tools GLS, exact DP/enumeration, nearest-neighbour baselines).

Modules: `instances`, `distances`, `generate`, `readers`, `dataset`, `solution`, `check`,
`heuristics`, `exact`, `tsp_solvers`, `cvrp_solvers`, `ortools_routing`, `reference`.
"""

from .check import check_items, check_op_tour, check_routes, check_solution, check_tour, routes_length, tour_length
from .dataset import Dataset, load_dataset, load_instances, save_dataset
from .distances import METRICS, distance_matrix, path_length
from .errors import InfeasibleSolution, InstanceFormatError
from .generate import cvrp_capacity, generate, kp_capacity, op_max_length
from .instances import PROBLEMS, CVRPInstance, Instance, KPInstance, OPInstance, TSPInstance
from .readers import read_cvrplib, read_tsplib
from .reference import METHODS, solve_many, solve_reference
from .solution import Solution, is_better

__all__ = [
    "CVRPInstance", "Dataset", "InfeasibleSolution", "Instance", "InstanceFormatError", "KPInstance", "METHODS",
    "METRICS", "OPInstance", "PROBLEMS", "Solution", "TSPInstance", "check_items", "check_op_tour", "check_routes",
    "check_solution", "check_tour", "cvrp_capacity", "distance_matrix", "generate", "is_better", "kp_capacity",
    "load_dataset", "load_instances", "op_max_length", "path_length", "read_cvrplib", "read_tsplib", "routes_length",
    "save_dataset", "solve_many", "solve_reference", "tour_length",
]
