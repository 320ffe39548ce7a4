"""The `cav` problem's parts: options and checks, the testing game and oracle, the tester planner, the ledger
estimate and stopping rule, and the scenario-search game."""
from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

from searchlab.errors import ConfigError
from searchlab.game import make_candidate
from searchlab.history import RunHistory
from searchlab.oracle import OracleResult, Status
from searchlab.planner import PlannerContext, Record
from searchlab.problems.cav import CAV
from searchlab.problems.cav.config import driver, world_spec
from searchlab.problems.cav.estimate import ledger_estimate, stop_reason, summary
from searchlab.problems.cav.search import SearchOracle, make_search_game
from searchlab.problems.cav.tester import fixed_policy, uniform_mixture
from searchlab.problems.cav.world import QSpec, load_world, run_tests
from searchlab.seeds import derive_seed
from searchlab.solvers.traffic.estimators import Z


def cutin(*overrides: str) -> dict:
    return CAV.resolve("cutin", list(overrides))


def drive(config: dict, batches: int, root: int = 0, tester=None):
    """Emulate the coordinator with one worker: ask one batch, evaluate it, tell the result; returns records."""
    game, oracle = CAV.make_game(config), CAV.make_oracle(config)
    tester = tester or CAV.planners["tester"](PlannerContext(game, root), config)
    records, results = [], []
    for i in range(batches):
        (cand,) = tester.ask(1, [])
        seed = derive_seed(root, i)
        res = oracle.evaluate(cand, None, seed, None)
        rec = Record(i, cand, seed, res.status, res.value)
        tester.tell([rec])
        records.append(rec)
        results.append(res)
    return tester, records, results


def history_of(config: dict, results: list[OracleResult], records: list[Record]) -> RunHistory:
    """A RunHistory as the ledger would replay it."""
    h = RunHistory(settings={"problem": "cav", "config": config}, budget=None)  # type: ignore[arg-type]
    for rec, res in zip(records, results):
        h.apply({"type": "submitted", "id": rec.eval_id, "candidate": rec.candidate.to_json(), "seed": rec.seed})
        h.apply({"type": "finished", "id": rec.eval_id, "result": res.to_json()})
    return h


# --- options ------------------------------------------------------------------------------------------


def test_presets_resolve_and_av_options_map_to_the_driver():
    for preset in CAV.presets:
        CAV.resolve(preset)
    cfg = CAV.resolve("follow", ["av.delay=0.7", "av.brake=5", "epsilon=0.2", "method=nade", "target_rhw=0.2"])
    drv = driver(cfg)
    assert (drv.delay, drv.b_max, cfg["epsilon"], cfg["method"], cfg["target_rhw"]) == (0.7, 5.0, 0.2, "nade", 0.2)
    assert world_spec(cfg).tabular and not world_spec(CAV.resolve("highway")).tabular


@pytest.mark.parametrize("preset, overrides, message", [
    ("highway", ["method=adaptive"], "needs a tabular world"),
    ("cutin", ["env.horizon=5"], "no effect with env=cutin"),
    ("follow", ["task=search", "env=cutin"], "env=follow only"),
    ("follow", ["min_tests=50", "max_tests=10"], "exceeds max_tests"),
    ("follow", ["av.delay=1.5"], "outside"),
    ("follow", ["method=magic"], "not one of"),
])
def test_bad_combinations_are_config_errors(preset, overrides, message):
    with pytest.raises(ConfigError, match=message):
        CAV.resolve(preset, overrides)


def test_default_planner_is_the_tester_for_tests_only():
    assert CAV.default_planner(CAV.resolve("follow")) == "tester"
    assert CAV.default_planner(CAV.resolve("follow-search")) is None
    with pytest.raises(ConfigError, match="task=test"):
        CAV.planners["tester"](PlannerContext(CAV.make_game(CAV.resolve("follow-search")), 0),
                               CAV.resolve("follow-search"))


# --- testing game and oracle -----------------------------------------------------------------------------


def test_oracle_is_plain_data_and_deterministic_per_seed():
    cfg = cutin()
    game, oracle = CAV.make_game(cfg), CAV.make_oracle(cfg)
    assert pickle.loads(pickle.dumps(oracle)) == oracle
    cand = game.candidate(0, fixed_policy("mixture", "pessimistic"))
    a, b = oracle.evaluate(cand, None, 11, None), oracle.evaluate(cand, None, 11, None)
    assert a.status is Status.OK and a.to_json() == b.to_json()
    v = a.values
    assert v["tests"] == cfg["tests_per_eval"] and math.isclose(a.value, v["sum"] / v["tests"])
    assert v["truth"] == pytest.approx(load_world(world_spec(cfg)).truth)
    x = run_tests(load_world(world_spec(cfg)), QSpec.from_params(cand.params), cfg["epsilon"], v["tests"], 11).values
    assert v["sum"] == float(x.sum()) and v["crashes"] == int(np.count_nonzero(x))


def test_candidates_carry_q_and_reject_bad_parameters():
    game = CAV.make_game(cutin())
    pol = fixed_policy("nade", "optimistic")
    cand = game.candidate(7, pol)
    assert QSpec.from_params(cand.params) == pol and cand.params["test"] == 7
    assert game.candidate(8, pol).key != cand.key
    with pytest.raises(ConfigError):
        make_candidate(game, (), {**cand.params, "proposal": "magic"})
    assert fixed_policy("crude", "x").proposal == "nde"
    assert sum(fixed_policy("mixture", "x").beta) == pytest.approx(1.0)
    mix = uniform_mixture()
    assert QSpec.from_params(game.candidate(9, mix).params) == mix
    assert mix.mixture_weights() == pytest.approx(np.full(len(mix.beta) + 1, 1 / (len(mix.beta) + 1)))
    with pytest.raises(ValueError, match="sum"):
        QSpec("mis", (0.5, 0.5, 0.5)).mixture_weights()
    with pytest.raises(ConfigError):  # the highway has no episode-level mixture
        make_candidate(CAV.make_game(CAV.resolve("highway")), (), game.candidate(9, mix).params)


# --- tester --------------------------------------------------------------------------------------------


def test_adaptive_tester_refits_reproduces_batches_and_rebuilds_identically():
    cfg = cutin("method=adaptive")
    tester, records, _ = drive(cfg, 12)
    assert tester.unreproduced == 0 and tester.state.n_tests == 120
    assert tester.state.history, "the mixture weights were never updated"
    pilot = tester.params.pilot_tests // cfg["tests_per_eval"]
    assert all(QSpec.from_params(r.candidate.params) == uniform_mixture() for r in records[:pilot])
    assert QSpec.from_params(records[pilot].candidate.params) != uniform_mixture()
    assert tester.state.history[0][0] == tester.params.pilot_tests
    short, _, _ = drive(cutin("method=adaptive", "pilot_tests=20"), 3)
    assert short.params.pilot_tests == 20 and short.state.history[0][0] == 20
    last = QSpec.from_params(records[-1].candidate.params)
    assert last.proposal == "mis" and last != uniform_mixture()
    assert last.mixture_weights().min() >= tester.params.floor - 1e-12
    rebuilt = CAV.planners["tester"](PlannerContext(CAV.make_game(cfg), 0), cfg)
    rebuilt.tell(records)
    assert rebuilt.state.choices == tester.state.choices and np.array_equal(rebuilt.state.alpha, tester.state.alpha)
    assert [c.key for c in rebuilt.ask(3, [])] == [c.key for c in tester.ask(3, [])]
    assert [c.params["test"] for c in tester.ask(2, [records[0].candidate])] == [13, 14]


def test_fixed_methods_keep_their_q():
    cfg = cutin("method=nade", "surrogate=optimistic")
    tester, records, _ = drive(cfg, 3)
    assert {QSpec.from_params(r.candidate.params) for r in records} == {fixed_policy("nade", "optimistic")}


# --- ledger estimate and stopping rule -----------------------------------------------------------------------


def test_ledger_estimate_matches_the_pooled_samples_and_the_stop_rule():
    cfg = cutin("min_tests=30", "target_rhw=0.5")
    tester, records, results = drive(cfg, 6)
    h = history_of(cfg, results, records)
    x = np.concatenate([run_tests(load_world(world_spec(cfg)), QSpec.from_params(r.candidate.params),
                                  cfg["epsilon"], cfg["tests_per_eval"], r.seed).values for r in records])
    est = ledger_estimate(h)
    assert est.tests == x.size and est.batches == 6 and est.crashes == np.count_nonzero(x)
    assert est.mean == pytest.approx(x.mean(), rel=1e-12)
    assert est.rhw == pytest.approx(Z * x.std(ddof=1) / np.sqrt(x.size) / x.mean(), rel=1e-9)
    assert "estimate" in summary(h) and "exact" in summary(h)
    reason = stop_reason(h)
    assert (reason is not None) == (est.rhw < 0.5 and est.tests >= (1 + cfg["confirm"]) * est.last_above)
    assert stop_reason(history_of(cutin("min_tests=10", "max_tests=20"), results[:2], records[:2])).startswith("max_tests")
    assert stop_reason(history_of(cutin("min_tests=1000", "max_tests=10000"), results, records)) is None


def test_failed_batches_are_left_out():
    cfg = cutin()
    _, records, results = drive(cfg, 3)
    results[1] = OracleResult(Status.TIMEOUT, message="killed")
    est = ledger_estimate(history_of(cfg, results, records))
    assert est.tests == 2 * cfg["tests_per_eval"] and est.batches == 2


# --- scenario search -----------------------------------------------------------------------------------------


def test_search_game_and_oracle():
    cfg = CAV.resolve("follow-search")
    game = CAV.make_game(cfg)
    assert isinstance(CAV.make_oracle(cfg), SearchOracle)
    assert game == make_search_game(world_spec(cfg), cfg["search.steps"]) and -10.0 in game.accels
    oracle = CAV.make_oracle(cfg)
    calm = oracle.evaluate(make_candidate(game, (0.0,) * game.steps), None, 0, None)
    brake = oracle.evaluate(make_candidate(game, (-10.0,) * game.steps), None, 0, None)
    assert calm.values["crash"] is False and calm.value >= cfg["search.gap0"] - 1
    assert brake.values["crash"] is True and brake.value == 0.0 and brake.values["crash_step"] < game.steps
    assert brake.values["log_p_naturalistic"] < calm.values["log_p_naturalistic"] < 0
    assert len(game.features((-10.0,))) == game.steps
