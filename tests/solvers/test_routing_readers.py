"""TSPLIB / CVRPLIB files: parsing, the files' own (rounded) metrics, and one-line errors for bad files."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from searchlab.solvers.routing import (
    InstanceFormatError, distance_matrix, load_instances, read_cvrplib, read_tsplib, solve_reference, tour_length,
)

TINY_TSP = """NAME : tiny7
COMMENT : seven cities where EUC_2D rounding changes lengths
TYPE : TSP
DIMENSION : 7
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 1 1
3 3 4
4 6 1
5 2 7
6 5 5
7 0.4 3.6
EOF
"""

TINY_VRP = (Path(__file__).parents[1] / "data" / "tiny.vrp").read_text()


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def nint(x: float) -> int:
    return int(x + 0.5)


def brute_force_length(d: list[list[int]]) -> int:
    n = len(d)
    return min(sum(d[a][b] for a, b in zip((0, *p), (*p, 0))) for p in itertools.permutations(range(1, n)))


def test_euc_2d_rounds_to_nearest_integer() -> None:
    c = np.array([[0, 0], [1, 1], [1, 2], [2, 3], [3, 4]], float)
    assert distance_matrix(c, "EUC_2D")[0].tolist() == [0, 1, 2, 4, 5]
    assert distance_matrix(c, "CEIL_2D")[0].tolist() == [0, 2, 3, 4, 5]
    assert distance_matrix(np.array([[0, 0], [10, 0]], float), "ATT")[0, 1] == 4  # sqrt(10)=3.16 -> 3 < r -> 4


def test_tsplib_tiny_instance_optimum_in_file_metric(tmp_path: Path) -> None:
    inst = read_tsplib(write(tmp_path, "tiny7.tsp", TINY_TSP))
    assert inst.name == "tiny7" and inst.metric == "EUC_2D" and inst.coords.shape == (7, 2)
    d = [[nint(math.dist(a, b)) for b in inst.coords] for a in inst.coords]
    best = brute_force_length(d)
    for method in ("exact", "lkh", "fast-tsp", "ortools"):
        sol = solve_reference(inst, method, time_limit=0.05)
        assert sol.objective == best, method
        assert float(sol.objective).is_integer()
    exact = solve_reference(inst, "exact")
    assert tour_length(inst, exact.tour, metric="EUC") != best  # the unrounded length differs


def test_cvrplib_tiny_instance(tmp_path: Path) -> None:
    inst = read_cvrplib(write(tmp_path, "tiny.vrp", TINY_VRP))
    assert inst.capacity == 10 and inst.demands.tolist() == [0, 4, 6, 5, 5, 3] and inst.metric == "EUC_2D"
    exact = solve_reference(inst, "exact")
    hgs = solve_reference(inst, "pyvrp", time_limit=0.2)
    assert hgs.objective == exact.objective and float(exact.objective).is_integer()


def test_load_instances_reads_a_folder(tmp_path: Path) -> None:
    write(tmp_path, "a.tsp", TINY_TSP)
    write(tmp_path, "b.vrp", TINY_VRP)
    write(tmp_path, "notes.txt", "ignored")
    insts = load_instances(tmp_path)
    assert [i.problem for i in insts] == ["tsp", "cvrp"]


BAD_TSP = {
    "dimension": (TINY_TSP.replace("DIMENSION : 7", "DIMENSION : 8"), "DIMENSION 8"),
    "text coords": (TINY_TSP.replace("3 3 4", "3 three 4"), "non-numeric"),
    "ragged": (TINY_TSP.replace("3 3 4", "3 3"), "different lengths"),
    "explicit": (TINY_TSP.replace("EUC_2D", "EXPLICIT"), "not supported"),
    "no metric": (TINY_TSP.replace("EDGE_WEIGHT_TYPE : EUC_2D\n", ""), "EDGE_WEIGHT_TYPE is missing"),
    "garbage": ("hello world\nthis is not a tsp file\n", "not a valid"),
    "wrong type": (TINY_TSP.replace("TYPE : TSP", "TYPE : ATSP"), "not TSP"),
}


@pytest.mark.parametrize("case", sorted(BAD_TSP))
def test_malformed_tsp_files_give_one_line_errors(tmp_path: Path, case: str) -> None:
    text, message = BAD_TSP[case]
    with pytest.raises(InstanceFormatError, match=message) as err:
        read_tsplib(write(tmp_path, "bad.tsp", text))
    assert "\n" not in str(err.value)


BAD_VRP = {
    "no capacity": (TINY_VRP.replace("CAPACITY : 10\n", ""), "CAPACITY"),
    "depot": (TINY_VRP.replace("DEPOT_SECTION\n1\n", "DEPOT_SECTION\n2\n"), "depot"),
    "demand too big": (TINY_VRP.replace("3 6\n", "3 60\n"), "> capacity"),
    "no demand": (TINY_VRP[: TINY_VRP.index("DEMAND_SECTION")] + "EOF\n", "DEMAND_SECTION is missing"),
}


@pytest.mark.parametrize("case", sorted(BAD_VRP))
def test_malformed_vrp_files_give_one_line_errors(tmp_path: Path, case: str) -> None:
    text, message = BAD_VRP[case]
    with pytest.raises(InstanceFormatError, match=message) as err:
        read_cvrplib(write(tmp_path, "bad.vrp", text))
    assert "\n" not in str(err.value)


def test_missing_and_unknown_files(tmp_path: Path) -> None:
    with pytest.raises(InstanceFormatError, match="no such file"):
        read_tsplib(tmp_path / "nope.tsp")
    with pytest.raises(InstanceFormatError, match="unknown instance file type"):
        load_instances(write(tmp_path, "x.csv", "1,2"))
