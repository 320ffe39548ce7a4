"""The regenerated Kool et al. test sets (seed 1234) give the published average optima (slow)."""

from __future__ import annotations

import numpy as np
import pytest

from searchlab.solvers.routing import generate, solve_many


@pytest.mark.slow
def test_tsp20_mean_optimum_is_kools() -> None:
    sols = solve_many(generate("tsp", 20, 300, seed=1234), "lkh")
    assert np.mean([s.objective for s in sols]) == pytest.approx(3.84, abs=0.04)  # Concorde, 10k instances: 3.84


@pytest.mark.slow
def test_cvrp20_mean_is_kools() -> None:
    sols = solve_many(generate("cvrp", 20, 60, seed=1234), "pyvrp", time_limit=0.2)
    assert np.mean([s.objective for s in sols]) == pytest.approx(6.14, abs=0.15)  # LKH3, 10k instances: 6.14
