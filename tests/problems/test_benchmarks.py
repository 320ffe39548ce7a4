"""The benchmark problems: values against BoTorch and known optima, game rules, faults, picklability."""

from __future__ import annotations

import itertools
import pickle

import numpy as np
import pytest

from searchlab.errors import ConfigError
from searchlab.game import leaf_space, make_candidate, replay
from searchlab.oracle import Job, Status, execute
from searchlab.planner import PlannerContext
from searchlab.planners.random import rollout
from searchlab.problems.benchmarks import ACKLEY_MIXED, JENATTON, LABS
from searchlab.problems.benchmarks.ackley_mixed import AckleyMixedOracle, continuous_names, optimum
from searchlab.problems.benchmarks.faults import FAULT_PARAMS, Faults, InjectedFault, fault_draw
from searchlab.problems.benchmarks.jenatton import LEAVES, JenattonOracle
from searchlab.problems.benchmarks.labs import OPTIMAL_ENERGY, LabsOracle, optimal_merit_factor

PROBLEMS = [ACKLEY_MIXED, LABS, JENATTON]
SMALL = {"ackley-mixed": "small", "labs": "small", "jenatton": "default"}


def build(problem, preset=None, overrides=()):
    config = problem.resolve(preset or SMALL[problem.name], list(overrides))
    return problem.make_game(config), problem.make_oracle(config)


def value(oracle, actions, params=None, seed=0):
    cand = make_candidate(oracle.game(), actions, params)
    result = oracle.evaluate(cand, None, seed, None)
    assert result.status is Status.OK
    return result.value


# --- values ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("dim,randomize", [(4, False), (13, True), (53, False), (53, True)])
def test_ackley_mixed_matches_botorch(dim, randomize):
    torch = pytest.importorskip("torch")
    from botorch.test_functions.synthetic import AckleyMixed

    game, oracle = build(ACKLEY_MIXED, "default", [f"dim={dim}", f"randomize_optimum={randomize}", "optimum_seed=7"])
    reference = AckleyMixed(dim=dim)
    reference.x_opt = torch.tensor(oracle.x_opt, dtype=torch.double)  # our optimum, drawn with numpy
    rng = np.random.default_rng(dim)
    for _ in range(20):
        bits = [int(b) for b in rng.integers(0, 2, dim - 3)]
        reals = rng.random(3)
        ours = value(oracle, bits, dict(zip(continuous_names(dim), reals)))
        theirs = reference.evaluate_true(torch.tensor([*bits, *reals], dtype=torch.double)).item()
        assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-12)
    x_opt = np.array(oracle.x_opt)
    at_opt = value(oracle, [int(b) for b in x_opt[:-3]], dict(zip(continuous_names(dim), x_opt[-3:])))
    assert at_opt == pytest.approx(0.0, abs=1e-12)


def test_ackley_mixed_random_optimum_has_binary_part():
    x = optimum(13, True, 3)
    assert all(v in (0.0, 1.0) for v in x[:10]) and all(0 <= v <= 1 for v in x[10:])
    assert x == optimum(13, True, 3) and optimum(13, False, 3) == (0.0,) * 13


@pytest.mark.parametrize("n", [5, 20, 30])
def test_labs_matches_botorch(n):
    torch = pytest.importorskip("torch")
    from botorch.test_functions.synthetic import Labs

    reference = Labs(dim=n)
    _, oracle = build(LABS, "default", [f"n={n}"])
    rng = np.random.default_rng(n)
    for _ in range(20):
        s = [int(v) for v in rng.choice([-1, 1], n)]
        bits = torch.tensor([(v + 1) / 2 for v in s], dtype=torch.double)
        assert value(oracle, s) == pytest.approx(reference.evaluate_true(bits).item(), rel=1e-12)


def test_labs_botorch_optimizers_reach_known_energies():
    pytest.importorskip("torch")
    from botorch.test_functions.synthetic import Labs

    for n in (10, 20, 30, 40, 50, 60):
        reference = Labs(dim=n)
        s = [2 * int(b) - 1 for b in reference.optimizers[0].tolist()]
        result = LabsOracle(n).evaluate(make_candidate(LabsOracle(n).game(), s), None, 0, None)
        assert result.values["energy"] == OPTIMAL_ENERGY[n]
        assert result.value == pytest.approx(reference.optimal_value, abs=5e-4)
        assert optimal_merit_factor(n) == pytest.approx(result.value)


@pytest.mark.parametrize("n", range(3, 11))
def test_labs_brute_force_optimum(n):
    oracle = LabsOracle(n)
    best = 0.0
    for s in itertools.product((-1, 1), repeat=n):
        f = value(oracle, s)
        e = sum(sum(s[i] * s[i + k] for i in range(n - k)) ** 2 for k in range(1, n))
        assert f == n * n / (2 * e)
        best = max(best, f)
    assert best == optimal_merit_factor(n) == n * n / (2 * OPTIMAL_ENERGY[n])


def reference_jenatton(x1, x2=None, x3=None, x4=None, x5=None, x6=None, x7=None, r8=None, r9=None):
    """Ax's `jenatton_test_function`, restated."""
    if x1 == 0:
        return (x4**2 + 0.1 + r8) if x2 == 0 else (x5**2 + 0.2 + r8)
    return (x6**2 + 0.3 + r9) if x3 == 0 else (x7**2 + 0.4 + r9)


def test_jenatton_values_and_optimum():
    game, oracle = build(JENATTON)
    assert value(oracle, (0, 0), {"x4": 0.0, "r8": 0.0}) == pytest.approx(0.1)
    rng = np.random.default_rng(0)
    for x1, second in itertools.product((0, 1), (0, 1)):
        for _ in range(5):
            params = leaf_space(game, replay(game, (x1, second))).sample(rng)
            choice = {"x2": second} if x1 == 0 else {"x3": second}
            assert value(oracle, (x1, second), params) == pytest.approx(reference_jenatton(x1, **choice, **params))
    # the optimum over the whole tree: leaf (0, 0) at zero, every other leaf's best is worse
    best = {leaf: value(oracle, leaf, dict.fromkeys(LEAVES[leaf][1:3], 0.0)) for leaf in LEAVES}
    assert min(best, key=best.get) == (0, 0)


def test_jenatton_leaves_have_only_active_params():
    game, _ = build(JENATTON)
    expected = {(0, 0): {"x4", "r8"}, (0, 1): {"x5", "r8"}, (1, 0): {"x6", "r9"}, (1, 1): {"x7", "r9"}}
    for actions, names in expected.items():
        assert set(leaf_space(game, replay(game, actions)).names) == names
    assert game.key(replay(game, (1, 0))) == "x1=1,x3=0"
    with pytest.raises(ConfigError):
        make_candidate(game, (0, 0), {"x4": 0.5, "r8": 0.5, "x5": 0.1})  # inactive parameter
    with pytest.raises(ConfigError):
        make_candidate(game, (1, 1), {"x7": 0.5})  # r9 missing


# --- games ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.name)
def test_random_rollouts_terminate_and_keys_identify_candidates(problem):
    game, _ = build(problem)
    ctx = PlannerContext(game, seed=0, minimize=problem.minimize)
    by_key = {}
    n_features = None
    for i in range(100):
        cand = rollout(ctx, np.random.default_rng(i))
        state = replay(game, cand.actions)
        assert game.is_terminal(state) and not game.legal_actions(state)
        hash(state)
        assert make_candidate(game, cand.actions, cand.params) == cand
        by_key.setdefault(cand.key, (cand.actions, cand.params))
        assert by_key[cand.key] == (cand.actions, cand.params)  # one key, one candidate
        f = game.features(state)
        n_features = n_features or len(f)
        assert f.shape == (n_features,) and np.all((f >= 0) & (f <= 1))
    assert len(by_key) > 1
    # partial states: features have the same length, moves can still be made
    s0 = game.initial_state()
    assert len(game.features(s0)) == n_features and game.legal_actions(s0)


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.name)
def test_distinct_terminal_states_have_distinct_keys(problem):
    game, _ = build(problem, overrides=["dim=6"] if problem is ACKLEY_MIXED else ["n=6"] if problem is LABS else [])
    keys, frontier = [], [game.initial_state()]
    while frontier:
        s = frontier.pop()
        if game.is_terminal(s):
            keys.append(game.key(s))
        frontier += [game.step(s, a) for a in game.legal_actions(s)]
    assert len(keys) == len(set(keys)) == {"ackley-mixed": 8, "labs": 64, "jenatton": 4}[problem.name]


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.name)
def test_make_candidate_validates(problem):
    game, _ = build(problem)
    cand = rollout(PlannerContext(game, 0), np.random.default_rng(1))
    with pytest.raises(ValueError):
        make_candidate(game, cand.actions[:-1], cand.params)  # not terminal
    with pytest.raises(ValueError):
        make_candidate(game, (*cand.actions[:-1], 7), cand.params)  # illegal move
    with pytest.raises(ValueError):
        game.step(replay(game, cand.actions), cand.actions[0])  # no move after the end
    if cand.params:
        name = next(iter(cand.params))
        with pytest.raises(ConfigError):
            make_candidate(game, cand.actions, {**cand.params, name: 1.5})  # out of bounds
        with pytest.raises(ConfigError):
            make_candidate(game, cand.actions, {**cand.params, "nope": 0.5})  # unknown


def test_oracle_rejects_invalid_candidates():
    _, oracle = build(ACKLEY_MIXED)
    cand = rollout(PlannerContext(oracle.game(), 0), np.random.default_rng(2))
    bad = type(cand)(cand.actions, {**cand.params, continuous_names(13)[0]: -1.0}, cand.key)
    assert execute(Job(0, oracle, bad, seed=0)).status is Status.ERROR


# --- configuration --------------------------------------------------------------------------------


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.name)
def test_presets_resolve_and_describe(problem):
    assert "\n" not in problem.description and problem.description
    assert "default" in problem.presets
    for name in problem.presets:
        config = problem.resolve(name)
        problem.make_game(config), problem.make_oracle(config)
    for p in FAULT_PARAMS:
        assert problem.config.get(p.name).default == 0.0 and p.help
    assert problem.resolve(None, ["fail=0.5"])["fail"] == 0.5
    with pytest.raises(ConfigError):
        problem.resolve(None, ["crash=2"])


def test_registered_as_entry_points():
    from searchlab.registry import available_problems

    found = available_problems()
    if "labs" not in found:
        pytest.skip("searchlab is not installed (entry points missing)")
    assert found["ackley-mixed"] is ACKLEY_MIXED and found["labs"] is LABS and found["jenatton"] is JENATTON


# --- faults ---------------------------------------------------------------------------------------


def test_fail_raises_and_becomes_an_error_result():
    _, oracle = build(LABS, overrides=["fail=1"])
    cand = rollout(PlannerContext(oracle.game(), 0), np.random.default_rng(0))
    with pytest.raises(InjectedFault):
        oracle.evaluate(cand, None, 5, None)
    result = execute(Job(0, oracle, cand, seed=5))
    assert result.status is Status.ERROR and "InjectedFault" in result.message


def test_fault_decision_is_a_deterministic_function_of_the_seed():
    faults = Faults(crash=0.2, hang=0.1, fail=0.3)
    seeds = range(3000)
    first = [faults.decide(s) for s in seeds]
    assert first == [faults.decide(s) for s in seeds]
    assert first == [Faults.from_config({"crash": 0.2, "hang": 0.1, "fail": 0.3}).decide(s) for s in seeds]
    rates = {k: first.count(k) / len(first) for k in ("crash", "hang", "fail", None)}
    assert rates["crash"] == pytest.approx(0.2, abs=0.03) and rates["hang"] == pytest.approx(0.1, abs=0.03)
    assert rates["fail"] == pytest.approx(0.3, abs=0.03) and rates[None] == pytest.approx(0.4, abs=0.03)
    assert fault_draw(2**70 + 1) == fault_draw(2**70 + 1) and 0 <= fault_draw(-3) < 1
    assert Faults(crash=1.0).decide(11) == "crash" and Faults(hang=1.0).decide(11) == "hang"
    assert Faults().decide(11) is None


def test_delay_adds_cost():
    _, oracle = build(JENATTON, overrides=["delay=0.2"])
    cand = rollout(PlannerContext(oracle.game(), 0), np.random.default_rng(0))
    assert oracle.evaluate(cand, None, 0, None).cost >= 0.2
    result = execute(Job(0, oracle, cand, seed=0))
    assert result.status is Status.OK and result.cost >= 0.2


# --- pickling -------------------------------------------------------------------------------------


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.name)
def test_oracles_pickle_as_plain_data(problem):
    game, oracle = build(problem, overrides=["fail=0.25", "delay=0"])
    clone = pickle.loads(pickle.dumps(oracle))
    assert clone == oracle and type(clone) is type(oracle)
    assert isinstance(clone, (AckleyMixedOracle, LabsOracle, JenattonOracle))
    cand = rollout(PlannerContext(game, 0), np.random.default_rng(3))
    seed = next(s for s in range(100) if oracle.faults.decide(s) is None)
    assert clone.evaluate(cand, None, seed, None).value == oracle.evaluate(cand, None, seed, None).value
