"""The `cav` problem through the engine (real worker processes, real ledger), and the optional Problem hooks it
uses: `check`, `planners`/`default_planner`, `stop` (also when resuming) and a run without a budget."""
from __future__ import annotations

import pytest

from searchlab.errors import ConfigError
from searchlab.history import Budget
from searchlab.ledger import read_events
from searchlab.problems.cav.estimate import ledger_estimate
from searchlab.run import create_run, run
from searchlab.rundir import LEDGER


def values(history) -> list[tuple[str, float]]:
    return [(ev.candidate.key, ev.result.value) for ev in history.finished()]


def test_budgetless_run_uses_the_tester_and_stops_at_the_rhw_target(tmp_path):
    path = create_run("cav", Budget(), preset="cutin", run_dir=tmp_path / "r", seed=1)
    history, reason = run(path)
    est = ledger_estimate(history)
    assert history.settings["planner"] == "tester"
    assert reason.startswith("RHW") and est.rhw < 0.3 and est.tests >= 100
    stopped = [e for e in read_events(path / LEDGER) if e["type"] == "stopped"]
    assert stopped[-1]["reason"] == reason
    # resuming a finished campaign checks the rule first and adds nothing
    again, reason2 = run(path)
    assert reason2 == reason and len(again.evaluations) == len(history.evaluations)


def test_resumed_campaign_is_the_uninterrupted_one(tmp_path):
    opts = dict(preset="cutin", overrides=("target_rhw=0.01",), seed=4)
    whole, _ = run(create_run("cav", Budget(8), run_dir=tmp_path / "a", **opts))
    part = create_run("cav", Budget(4), run_dir=tmp_path / "b", **opts)
    run(part)
    resumed, reason = run(part, budget=Budget(8))
    assert reason == "budget spent" and values(resumed) == values(whole)
    assert ledger_estimate(resumed) == ledger_estimate(whole)


def test_hooks_reject_before_anything_is_written(tmp_path):
    with pytest.raises(ConfigError, match="tabular"):
        create_run("cav", Budget(3), preset="highway", overrides=("method=adaptive",), run_dir=tmp_path / "x")
    with pytest.raises(ConfigError, match="task=test"):
        create_run("cav", Budget(3), preset="follow-search", planner="tester", run_dir=tmp_path / "y")
    with pytest.raises(ConfigError, match="tester"):
        create_run("cav", Budget(3), preset="cutin", planner="magic", run_dir=tmp_path / "z")
    with pytest.raises(ConfigError, match="a budget is needed"):
        create_run("labs", Budget(), run_dir=tmp_path / "w")
    assert not any(tmp_path.iterdir())
