"""The routing CLI functions (`solve`, `train`, `bench routing`) through Typer: feasible outputs in the
file's own metric, and one-line SearchlabErrors for malformed or infeasible input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import typer
from typer.testing import CliRunner

from searchlab.cli.routing import bench_routing, solve_routing, train_routing
from searchlab.errors import SearchlabError
from searchlab.policy import AttentionPolicy, save_checkpoint
from searchlab.problems.routing.models import policy_config
from searchlab.solvers.routing import read_cvrplib, read_tsplib, routes_length, tour_length

torch.set_num_threads(1)

TSP = """NAME : tiny8
TYPE : TSP
DIMENSION : 8
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 10 10
3 30 40
4 60 10
5 20 70
6 50 50
7 4 36
8 90 90
EOF
"""

VRP = (Path(__file__).parents[1] / "data" / "tiny.vrp").read_text()

app = typer.Typer()
app.command("solve")(solve_routing)
app.command("train")(train_routing)
app.command("bench")(bench_routing)
runner = CliRunner()


def model(tmp_path: Path, problem: str) -> Path:
    p = tmp_path / f"{problem}.pt"
    save_checkpoint(p, AttentionPolicy(policy_config(problem, 16, 1, 2, 32)), extra={"problem": problem})
    return p


def invoke(*args: str):  # noqa: ANN201
    return runner.invoke(app, list(args))


def fails_with(result, text: str) -> None:  # noqa: ANN001
    assert isinstance(result.exception, SearchlabError), result.output
    msg = str(result.exception)
    assert "\n" not in msg and text in msg, msg


@pytest.mark.parametrize("decode", ["greedy", "beam:4", "mcts:4"])
def test_solve_tsplib_file_in_its_metric(tmp_path: Path, decode: str) -> None:
    f = tmp_path / "tiny8.tsp"
    f.write_text(TSP)
    res = invoke("solve", str(f), "--model", str(model(tmp_path, "tsp")), "--decode", decode, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    inst = read_tsplib(f)
    assert sorted(out["tour"]) == list(range(8))
    assert out["objective"] == tour_length(inst, out["tour"]) and float(out["objective"]).is_integer()


def test_solve_cvrplib_file_in_its_metric(tmp_path: Path) -> None:
    f = tmp_path / "tiny.vrp"
    f.write_text(VRP)
    res = invoke("solve", str(f), "--model", str(model(tmp_path, "cvrp")), "--decode", "beam:3", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    inst = read_cvrplib(f)
    assert out["objective"] == routes_length(inst, out["routes"]) and float(out["objective"]).is_integer()
    assert sorted(v for r in out["routes"] for v in r) == [1, 2, 3, 4, 5]
    res = invoke("solve", str(f), "--model", str(model(tmp_path, "cvrp")))
    assert res.exit_code == 0 and "length" in res.output


def test_bad_input_gives_one_line_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsp"
    bad.write_text("hello\nnot a file\n")
    fails_with(invoke("solve", str(bad), "--model", str(model(tmp_path, "tsp"))), "bad.tsp")
    heavy = tmp_path / "heavy.vrp"
    heavy.write_text(VRP.replace("3 6\n", "3 16\n"))
    fails_with(invoke("solve", str(heavy), "--model", str(model(tmp_path, "cvrp"))), "capacity")
    good = tmp_path / "ok.tsp"
    good.write_text(TSP)
    fails_with(invoke("solve", str(good), "--model", str(model(tmp_path, "cvrp"))), "not a tsp model")
    fails_with(invoke("solve", str(good), "--model", str(tmp_path / "none.pt")), "no tsp model")
    fails_with(invoke("solve", str(good), "--decode", "beam:0"), "unknown decoder")
    fails_with(invoke("solve", str(tmp_path / "missing.tsp"), "--model", str(model(tmp_path, "tsp"))), "missing.tsp")
    fails_with(invoke("train", "--problem", "vrptw"), "unknown routing problem")
    fails_with(invoke("bench", "--problem", "tsp", "--decode", "nope", "--model", str(model(tmp_path, "tsp"))), "unknown decoder")


def test_train_and_bench_commands(tmp_path: Path) -> None:
    ck = tmp_path / "t.pt"
    args = ["train", "--problem", "tsp", "--size", "10", "--n-train", "8", "--n-val", "2", "--steps", "4", "--batch-size", "8",
            "--d-model", "16", "--layers", "1", "--heads", "2", "--d-ff", "32", "--val-every", "2", "--label-time", "0.01",
            "--data-dir", str(tmp_path / "data"), "--out", str(ck), "--export", str(tmp_path / "w.pt"), "--quiet"]
    res = invoke(*args)
    assert res.exit_code == 0, res.output
    assert ck.is_file() and (tmp_path / "w.pt").is_file() and "validation gap" in res.output
    fails_with(invoke(*args), "--resume")
    res = invoke("bench", "--problem", "tsp", "--size", "10", "--instances", "2", "--decode", "greedy,beam:2",
                 "--model", str(tmp_path / "w.pt"), "--reference", "exact", "--out-dir", str(tmp_path / "bench"), "--json")
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)
    assert [r["method"] for r in rep["rows"]] == ["greedy", "ortools-gls [greedy]", "beam:2", "ortools-gls [beam:2]"]
    assert all(r["gap"] >= -1e-9 for r in rep["rows"])
    assert (tmp_path / "bench" / "routing_tsp10.md").is_file()


@pytest.mark.skipif(not (Path(__file__).resolve().parents[2] / "results" / "models" / "tsp.pt").is_file(), reason="no committed TSP model")
def test_solve_with_the_committed_model(tmp_path: Path) -> None:
    f = tmp_path / "tiny8.tsp"
    f.write_text(TSP)
    res = invoke("solve", str(f), "--decode", "beam:2")
    assert res.exit_code == 0, res.output
    assert "tiny8: length" in res.stdout and "tour: [" in res.stdout


def test_local_view_model_through_the_cli(tmp_path: Path) -> None:
    ck = tmp_path / "local.pt"
    res = invoke("train", "--problem", "tsp", "--size", "10", "--n-train", "8", "--n-val", "2", "--steps", "4", "--batch-size", "8",
                 "--d-model", "16", "--layers", "1", "--heads", "2", "--d-ff", "32", "--knn", "4", "--label-time", "0.01",
                 "--data-dir", str(tmp_path / "data"), "--out", str(ck), "--quiet")
    assert res.exit_code == 0, res.output
    f = tmp_path / "tiny8.tsp"
    f.write_text(TSP)
    res = invoke("solve", str(f), "--model", str(ck), "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert sorted(out["tour"]) == list(range(8)) and out["objective"] == tour_length(read_tsplib(f), out["tour"])
    res = invoke("bench", "--problem", "tsp", "--size", "12", "--instances", "2", "--decode", "greedy", "--model", str(ck),
                 "--reference", "exact", "--no-ortools", "--out-dir", str(tmp_path / "bench"))
    assert res.exit_code == 0, res.output
    assert "local views of 4 nearest nodes" in (tmp_path / "bench" / "routing_tsp12.md").read_text()
    fails_with(invoke("train", "--problem", "cvrp", "--knn", "5"), "tsp only")
