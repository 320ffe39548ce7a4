"""The run loop end to end on real benchmark problems, real worker processes and a real ledger."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from searchlab.history import Budget
from searchlab.ledger import read_events
from searchlab.planner import PlannerContext
from searchlab.planners import make_planner
from searchlab.registry import get_problem
from searchlab.run import create_run, run
from searchlab.seeds import derive_seed
from searchlab.rundir import LEDGER, load_history

from ..helpers import SEARCHLAB, cli, export, status


def test_run_spends_budget_with_distinct_keys_and_derived_seeds(tmp_path):
    path = create_run("jenatton", Budget(16), run_dir=tmp_path / "r", seed=5, workers=2, planner="random")
    history, reason = run(path)
    assert reason == "budget spent"
    assert len(history.finish_order) == 16 and not history.pending()
    assert len(history.keys()) == 16
    assert [ev.seed for ev in history.evaluations.values()] == [derive_seed(5, i) for i in range(16)]
    best = history.best()
    assert best is not None and best.result.value == min(ev.result.value for ev in history.evaluations.values())


def test_resume_extends_budget_and_keeps_what_was_recorded(tmp_path):
    path = create_run("jenatton", Budget(6), run_dir=tmp_path / "r", seed=1, planner="random")
    first, _ = run(path)
    before = {i: ev.result.value for i, ev in first.evaluations.items()}
    second, reason = run(path, budget=Budget(10))
    assert reason == "budget spent" and len(second.finish_order) == 10
    assert {i: second.evaluations[i].result.value for i in before} == before
    types = [e["type"] for e in read_events(path / LEDGER)]
    assert "config_changed" in types and "resumed" in types


def test_deterministic_mode_is_independent_of_worker_count(tmp_path):
    rows = []
    for workers in (1, 2):
        d = tmp_path / f"w{workers}"
        cli("run", "ackley-mixed", "--preset", "small", "--budget", "12", "--workers", str(workers), "--seed", "9",
            "--deterministic", "--batch", "3", "--run-dir", str(d), "--quiet")
        rows.append([(r["key"], r["value"]) for r in export(d)])
    assert rows[0] == rows[1] and len(rows[0]) == 12


def test_planner_rebuilt_from_ledger_proposes_the_same(tmp_path):
    path = create_run("ackley-mixed", Budget(8), preset="small", run_dir=tmp_path / "r", seed=3, planner="random")
    history, _ = run(path)
    problem = get_problem("ackley-mixed")
    game = problem.make_game(history.settings["config"])
    records = [ev.record() for ev in history.finished()]
    a = make_planner("random", PlannerContext(game, 3))
    b = make_planner("random", PlannerContext(game, 3))
    a.tell(records[:5]); a.tell(records[5:])
    b.tell(records)
    pending = [history.evaluations[0].candidate]
    assert a.ask(3, pending) == b.ask(3, pending)


def test_injected_faults_are_recorded_and_the_run_completes(tmp_path):
    path = create_run("jenatton", Budget(12), run_dir=tmp_path / "r", seed=2, workers=2, timeout=1.0, retries=0, planner="random",
                      overrides=("hang=0.25", "crash=0.15", "fail=0.15"))
    history, reason = run(path)
    assert reason == "budget spent" and len(history.finish_order) == 12
    statuses = [ev.result.status.value for ev in history.evaluations.values()]
    assert {"timeout", "error", "ok"} <= set(statuses)
    for ev in history.evaluations.values():
        if ev.result.status.value != "ok":
            assert ev.result.message and ev.result.value is None


def _finished(path) -> int:
    try:
        return sum(1 for e in read_events(path / LEDGER) if e["type"] == "finished")
    except Exception:
        return 0


def test_kill_9_of_the_process_group_then_resume(tmp_path):
    d = tmp_path / "run"
    proc = subprocess.Popen([SEARCHLAB, "run", "ackley-mixed", "--budget", "24", "--workers", "2", "--seed", "3",
                             "--set", "delay=0.2", "--run-dir", str(d), "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while _finished(d) < 8 and time.time() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = load_history(d)
    done_before = {i: (ev.candidate.key, ev.result.to_json()["value"]) for i, ev in before.evaluations.items() if ev.finished}
    assert 8 <= len(done_before) < 24
    cli("resume", str(d), "--quiet")
    s = status(d)
    assert s["finished"] == 24 and s["pending"] == 0
    rows = export(d)
    assert len({r["key"] for r in rows}) == 24 and len(rows) == 24
    assert {r["id"]: (r["key"], r["value"]) for r in rows if r["id"] in done_before} == done_before
    submitted = [e["id"] for e in read_events(d / LEDGER) if e["type"] == "submitted"]
    assert sorted(submitted) == list(range(24))  # nothing proposed twice


def test_sigint_stops_cleanly_and_resume_finishes(tmp_path):
    d = tmp_path / "run"
    proc = subprocess.Popen([SEARCHLAB, "run", "jenatton", "--budget", "20", "--workers", "2", "--set", "delay=0.3",
                             "--run-dir", str(d), "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while _finished(d) < 3 and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    events = read_events(d / LEDGER)
    assert events[-1]["type"] == "stopped" and events[-1]["reason"] == "interrupted"
    cli("resume", str(d), "--quiet")
    assert status(d)["finished"] == 20


def test_dask_backend_on_a_local_cluster(tmp_path):
    d = tmp_path / "run"
    cli("run", "jenatton", "--budget", "8", "--workers", "2", "--backend", "dask", "--timeout", "5",
        "--set", "crash=0.2", "--run-dir", str(d), "--quiet")
    s = status(d)
    assert s["finished"] == 8 and s["pending"] == 0
