"""The planner benchmark harness and the Optuna baseline adapter, on tiny settings."""

import json

import pytest

from searchlab.bench.optuna_tpe import OptunaTPEPlanner
from searchlab.bench.planners import Cell, run_bench, run_cell
from searchlab.errors import ConfigError
from searchlab.game import make_candidate
from searchlab.oracle import Job, execute
from searchlab.planner import PlannerContext, Record
from searchlab.registry import get_problem


def test_run_cell_curve_is_monotone_and_in_natural_direction():
    for problem, better in (("jenatton", min), ("labs", max)):
        cell = run_cell(Cell(problem, "random", batch=2, seed=1, budget=10, preset="small" if problem == "labs" else None))
        curve = cell["curve"]
        assert len(curve) == 10 and cell["distinct"] == 10
        assert all(better(a, b) == b for a, b in zip(curve, curve[1:]))


def test_optuna_adapter_proposes_valid_candidates_and_rebuilds_from_records():
    problem = get_problem("jenatton")
    config = problem.resolve(None)
    game, oracle = problem.make_game(config), problem.make_oracle(config)
    planner = OptunaTPEPlanner(PlannerContext(game, 0))
    records = []
    for i in range(12):
        (cand,) = planner.ask(1, [])
        assert make_candidate(game, cand.actions, cand.params) == cand
        r = execute(Job(i, oracle, cand, i))
        records.append(Record(i, cand, i, r.status, r.value))
        planner.tell(records[-1:])
    fresh = OptunaTPEPlanner(PlannerContext(game, 0))
    fresh.tell(records)
    assert len(fresh.study.trials) == 12


def test_run_bench_writes_json_markdown_and_png(tmp_path):
    data = run_bench(["jenatton"], ["random", "optuna-tpe"], budget=8, seeds=2, batches=[1, 2], workers=1,
                     out_dir=tmp_path, checkpoints=(4, 8), latency_at=(10,), command="test")
    saved = json.loads((tmp_path / "planners.json").read_text())
    assert len(saved["cells"]) == 2 * 2 * 2 and saved["summary"] == data["summary"]
    table = (tmp_path / "planners.md").read_text()
    assert "| jenatton | optuna-tpe | 2 | 2 |" in table and "ask latency" in table and "median s" in table
    assert (tmp_path / "planners.png").read_bytes()[:4] == b"\x89PNG"


def test_unknown_names_fail_early(tmp_path):
    with pytest.raises(ConfigError, match="unknown planner"):
        run_bench(["jenatton"], ["nope"], 5, 1, [1], 1, tmp_path, (5,), (), "x")
    with pytest.raises(ConfigError, match="unknown problem"):
        run_bench(["nope"], ["random"], 5, 1, [1], 1, tmp_path, (5,), (), "x")
