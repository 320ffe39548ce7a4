"""Two real TSPLIB instances with published optima, as a check of the files' distance rules:
eil51 (EUC_2D, rounded: optimum 426) and burma14 (GEO: optimum 3323)."""

from __future__ import annotations

from pathlib import Path

import pytest

from searchlab.solvers.routing import read_tsplib, solve_reference, tour_length

EIL51 = [
    (37, 52), (49, 49), (52, 64), (20, 26), (40, 30), (21, 47), (17, 63), (31, 62), (52, 33), (51, 21), (42, 41),
    (31, 32), (5, 25), (12, 42), (36, 16), (52, 41), (27, 23), (17, 33), (13, 13), (57, 58), (62, 42), (42, 57),
    (16, 57), (8, 52), (7, 38), (27, 68), (30, 48), (43, 67), (58, 48), (58, 27), (37, 69), (38, 46), (46, 10),
    (61, 33), (62, 63), (63, 69), (32, 22), (45, 35), (59, 15), (5, 6), (10, 17), (21, 10), (5, 64), (30, 15),
    (39, 10), (32, 39), (25, 32), (25, 55), (48, 28), (56, 37), (30, 40),
]

BURMA14 = [
    (16.47, 96.10), (16.47, 94.44), (20.09, 92.54), (22.39, 93.37), (25.23, 97.24), (22.00, 96.05), (20.47, 97.02),
    (17.20, 96.29), (16.30, 97.38), (14.05, 98.12), (16.53, 97.38), (21.52, 95.59), (19.41, 97.13), (20.09, 94.55),
]


def tsp_file(path: Path, name: str, metric: str, coords: list[tuple[float, float]]) -> Path:
    rows = "\n".join(f"{i} {x} {y}" for i, (x, y) in enumerate(coords, start=1))
    path.write_text(
        f"NAME : {name}\nTYPE : TSP\nDIMENSION : {len(coords)}\nEDGE_WEIGHT_TYPE : {metric}\nNODE_COORD_SECTION\n{rows}\nEOF\n"
    )
    return path


def test_eil51_optimum_in_rounded_euc_2d(tmp_path: Path) -> None:
    inst = read_tsplib(tsp_file(tmp_path / "eil51.tsp", "eil51", "EUC_2D", EIL51))
    sol = solve_reference(inst, "lkh")
    assert sol.objective == 426
    assert tour_length(inst, sol.tour, metric="EUC") == pytest.approx(429, abs=2)  # unrounded: not 426


def test_burma14_optimum_in_geo(tmp_path: Path) -> None:
    inst = read_tsplib(tsp_file(tmp_path / "burma14.tsp", "burma14", "GEO", BURMA14))
    assert solve_reference(inst, "fast-tsp", 0.05).objective == 3323  # fast-tsp is exact up to 20 nodes
