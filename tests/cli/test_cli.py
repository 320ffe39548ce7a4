"""The command line: listings, status/export/report output, and one-line errors with exit code 2."""

from __future__ import annotations

import json

import pytest

from ..helpers import cli, export, status


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("runs") / "labs-run"
    cli("run", "labs", "--preset", "small", "--budget", "6", "--seed", "4", "--run-dir", str(d), "--quiet")
    return d


def test_problems_lists_benchmarks():
    data = json.loads(cli("problems", "--json").stdout)
    names = {p["name"] for p in data}
    assert {"ackley-mixed", "labs", "jenatton"} <= names
    assert all(p["description"] and p["presets"] for p in data)


def test_status_export_runs_report(finished_run):
    s = status(finished_run)
    for key in ("problem", "budget", "finished", "failed", "pending", "best"):
        assert key in s
    assert s["problem"] == "labs" and s["finished"] == 6 and s["direction"] == "maximize"
    rows = export(finished_run)
    assert [r["id"] for r in rows] == list(range(6))
    assert all({"id", "key", "params", "status", "value", "seed"} <= set(r) for r in rows)
    assert s["best"]["value"] == max(r["value"] for r in rows)
    listing = json.loads(cli("runs", str(finished_run.parent), "--json").stdout)
    assert [r["run_dir"] for r in listing] == [str(finished_run)]
    out = cli("report", str(finished_run)).stdout
    assert "best" in out
    png = finished_run / "report.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _corrupt(tmp_path, finished_run):
    d = tmp_path / "corrupt"
    d.mkdir()
    lines = (finished_run / "ledger.jsonl").read_text().splitlines()
    lines[2] = lines[2][:10] + "}}}" + lines[2][10:]
    (d / "ledger.jsonl").write_text("\n".join(lines) + "\n")
    return d


BAD = [
    (["run", "no-such-problem", "--budget", "3"], "unknown problem"),
    (["run", "labs", "--budget", "3", "--set", "nope=1"], "unknown parameter 'nope'"),
    (["run", "labs", "--budget", "3", "--set", "n=abc"], "expected an integer"),
    (["run", "labs", "--budget", "0"], "--budget must be positive"),
    (["run", "labs", "--budget", "-2"], "--budget must be positive"),
    (["run", "labs", "--budget", "x"], "Invalid value for '--budget'"),
    (["run", "labs", "--budget", "3", "--preset", "huge"], "unknown preset"),
    (["run", "labs", "--budget", "3", "--planner", "magic"], "unknown planner"),
    (["run", "labs", "--budget", "3", "--backend", "slurm"], "unknown backend"),
    (["status", "/no/such/run"], "no run directory"),
    (["resume", "/no/such/run"], "no run directory"),
    (["export", "/tmp"], "not a searchlab run directory"),
    (["frobnicate"], "No such command"),
]


@pytest.mark.parametrize("args, message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_and_exit_2(args, message, tmp_path):
    proc = cli(*args, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in proc.stderr


def test_corrupt_run_directory_names_the_line(tmp_path, finished_run):
    d = _corrupt(tmp_path, finished_run)
    for command in ("status", "resume", "export"):
        proc = cli(command, str(d), check=False)
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "line 3" in proc.stderr


def test_existing_run_directory_is_not_overwritten(finished_run):
    proc = cli("run", "labs", "--budget", "3", "--run-dir", str(finished_run), check=False)
    assert proc.returncode == 2 and "already holds a run" in proc.stderr
    assert status(finished_run)["finished"] == 6


def test_debug_shows_the_traceback():
    proc = cli("--debug", "run", "no-such-problem", "--budget", "3", check=False)
    assert proc.returncode != 0 and "Traceback" in proc.stderr
