"""`searchlab run cav`: a real testing campaign stops at the RHW target and agrees with the exact DP crash
probability, a resumed campaign continues its estimate, the highway preset runs, the scenario search finds a
crash, and bad options are one-line errors with exit code 2."""
from __future__ import annotations

import pytest

from searchlab.problems.cav.estimate import ledger_estimate
from searchlab.rundir import load_history

from ..helpers import cli, status


def test_follow_campaign_stops_at_the_rhw_target_and_matches_the_dp_truth(tmp_path, monkeypatch):
    d = tmp_path / "follow"
    monkeypatch.setenv("COLUMNS", "250")  # room for the progress line
    proc = cli("run", "cav", "--preset", "follow", "--budget", "100", "--seed", "2", "--run-dir", str(d))
    assert "stopped: RHW" in proc.stdout and "RHW" in proc.stderr and "estimate" in proc.stderr
    history = load_history(d)
    est = ledger_estimate(history)
    assert est.rhw < 0.3 and est.tests >= 100 and est.tests == 10 * len(history.finish_order) < 1000
    assert est.truth == pytest.approx(1.061e-6, rel=1e-3)
    assert abs(est.mean - est.truth) < 4 * est.std_error, (est.mean, est.truth, est.std_error)
    s = status(d)
    assert s["planner"] == "tester" and s["failed"] == 0 and "estimate" in s["summary"]


def test_resumed_campaign_continues_the_same_estimate(tmp_path):
    d = tmp_path / "cutin"
    first = cli("run", "cav", "--preset", "cutin", "--budget", "4", "--seed", "1", "--run-dir", str(d), "--quiet")
    assert "stopped: budget spent" in first.stdout and ledger_estimate(load_history(d)).tests == 40
    second = cli("resume", str(d), "--budget", "60", "--quiet")
    assert "stopped: RHW" in second.stdout
    history = load_history(d)
    est = ledger_estimate(history)
    n = len(history.finish_order)
    assert 10 <= n < 60 and est.tests == 10 * n and est.rhw < 0.3
    assert [ev.candidate.params["test"] for ev in history.finished()] == list(range(n))
    assert abs(est.mean - est.truth) < 4 * est.std_error, (est.mean, est.truth, est.std_error)
    assert "stopped: RHW" in cli("resume", str(d), "--quiet").stdout  # nothing left to do
    assert len(load_history(d).finish_order) == n


@pytest.mark.slow
def test_highway_preset_runs(tmp_path):
    d = tmp_path / "highway"
    out = cli("run", "cav", "--preset", "highway", "--budget", "2", "--set", "tests_per_eval=50", "--run-dir", str(d),
              "--quiet").stdout
    assert "estimate" in out and "exact" not in out and ledger_estimate(load_history(d)).tests == 100


def test_scenario_search_finds_a_crash(tmp_path):
    d = tmp_path / "search"
    out = cli("run", "cav", "--preset", "follow-search", "--planner", "mcts", "--budget", "20", "--seed", "0",
              "--run-dir", str(d), "--quiet").stdout
    crashes = [ev for ev in load_history(d).finished() if ev.result.values["crash"]]
    assert crashes and all(ev.result.value == 0.0 for ev in crashes) and "crashes" in out
    assert all(ev.result.values["crash_step"] < 6 for ev in crashes)


@pytest.mark.parametrize("args, message", [
    (["--set", "av.delay=2"], "av.delay: 2.0 is outside [0.0, 1.0]"),
    (["--set", "epsilon=abc"], "epsilon: expected a number"),
    (["--preset", "highway", "--set", "method=adaptive"], "method=adaptive needs a tabular world"),
])
def test_bad_options_are_one_line_errors(tmp_path, args, message):
    proc = cli("run", "cav", *args, "--budget", "3", "--run-dir", str(tmp_path / "r"), check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in proc.stderr
    assert not (tmp_path / "r").exists()
