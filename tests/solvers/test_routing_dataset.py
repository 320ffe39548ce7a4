"""The `.npz` dataset format: round trips with labels and mixed sizes; clear errors for foreign files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from searchlab.solvers.routing import (
    InstanceFormatError, check_solution, generate, load_dataset, load_instances, save_dataset, solve_reference,
)


@pytest.mark.parametrize("problem,size,method", [("tsp", 12, "lkh"), ("cvrp", 10, "nearest"), ("op", 20, "greedy"), ("kp", 15, "dp")])
def test_round_trip_with_labels(tmp_path: Path, problem: str, size: int, method: str) -> None:
    insts = generate(problem, size, 3, seed=5)
    labels = [solve_reference(i, method) for i in insts]
    path = tmp_path / f"{problem}.npz"
    save_dataset(path, insts, labels)
    data = load_dataset(path)
    assert data.problem == problem and len(data) == 3 and data.labels is not None
    for a, b, sol, got in zip(insts, data.instances, labels, data.labels):
        assert a.name == b.name
        for field in ("coords", "demands", "prizes", "weights", "values"):
            if hasattr(a, field):
                assert np.array_equal(getattr(a, field), getattr(b, field))
        assert got == sol  # same solution, objective, method and time
        assert check_solution(b, got) == pytest.approx(sol.objective)


def test_mixed_sizes_and_no_labels(tmp_path: Path) -> None:
    insts = generate("tsp", 5, 2, seed=1) + generate("tsp", 9, 1, seed=2)
    save_dataset(tmp_path / "mix.npz", insts)
    back = load_instances(tmp_path / "mix.npz")
    assert [i.n_nodes for i in back] == [5, 5, 9] and load_dataset(tmp_path / "mix.npz").labels is None


def test_foreign_files_are_refused(tmp_path: Path) -> None:
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(InstanceFormatError, match="not a searchlab-routing"):
        load_dataset(tmp_path / "other.npz")
    (tmp_path / "junk.npz").write_text("not a zip")
    with pytest.raises(InstanceFormatError, match="not a readable"):
        load_dataset(tmp_path / "junk.npz")
    with pytest.raises(ValueError, match="one problem"):
        save_dataset(tmp_path / "x.npz", generate("tsp", 5, 1, seed=0) + generate("kp", 5, 1, seed=0))
