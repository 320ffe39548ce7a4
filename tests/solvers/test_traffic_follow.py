"""Car-following MDP: DP against simulation, IS sanity checks (weights, non-rare agreement, zero variance)."""
import numpy as np
import pytest

from searchlab.solvers.traffic.adaptive import AdaptiveParams
from searchlab.solvers.traffic.bench import bias_in_exact_se
from searchlab.solvers.traffic.campaign import MethodSpec, fixed_proposal, run_campaign
from searchlab.solvers.traffic.estimators import Z
from searchlab.solvers.traffic.estimators import tests_for_rhw as rhw_test_count
from searchlab.solvers.traffic.proposals import NaturalisticProposal, oracle_proposal
from searchlab.solvers.traffic.sampling import sample_episodes
from searchlab.solvers.traffic.variance import exact_relative_variance


def test_dp_matches_crude_monte_carlo(small):
    mu = small.true_crash_probability
    assert 0.01 < mu < 0.5
    batch = sample_episodes(small.real, NaturalisticProposal(small.real), 40_000, np.random.default_rng(0))
    se = np.sqrt(mu * (1 - mu) / batch.n)
    assert abs(batch.crash.mean() - mu) < 4 * se


@pytest.mark.parametrize("method", ["nade_pessimistic", "nade_optimistic", "mixture"])
def test_is_weights_average_to_one(small, method):
    kind, _, sur = method.partition("_")
    spec = MethodSpec(method, "nade" if kind == "nade" else "mixture", surrogate=sur or None)
    batch = sample_episodes(small.real, fixed_proposal(small, spec), 40_000, np.random.default_rng(1))
    w = batch.weights()
    assert abs(w.mean() - 1.0) < 4 * w.std() / np.sqrt(w.size)


def test_is_matches_crude_mc_on_non_rare_event(small):
    mu = small.true_crash_probability
    rng = np.random.default_rng(2)
    crude = sample_episodes(small.real, NaturalisticProposal(small.real), 30_000, rng).values()
    spec = MethodSpec("nade_pessimistic", "nade", surrogate="pessimistic")
    isx = sample_episodes(small.real, fixed_proposal(small, spec), 30_000, rng).values()
    se = np.hypot(crude.std() / np.sqrt(crude.size), isx.std() / np.sqrt(isx.size))
    assert abs(isx.mean() - crude.mean()) < 4 * se
    assert abs(isx.mean() - mu) < 4 * isx.std() / np.sqrt(isx.size)


def test_zero_variance_proposal_gives_constant_crash_weights(small):
    mu = small.true_crash_probability
    batch = sample_episodes(small.real, oracle_proposal(small.real, small.truth, eps=0.0), 2_000,
                            np.random.default_rng(3))
    assert batch.crash.all()
    assert np.allclose(batch.values(), mu, rtol=1e-9)
    assert exact_relative_variance(small.real, small.truth, oracle_proposal(small.real, small.truth, 0.0)) < 1e-9


def test_exact_variance_matches_sampled_variance(small):
    spec = MethodSpec("nade_pessimistic", "nade", surrogate="pessimistic")
    prop = fixed_proposal(small, spec)
    x = sample_episodes(small.real, prop, 40_000, np.random.default_rng(4)).values()
    rv = exact_relative_variance(small.real, small.truth, prop)
    assert x.var() / x.mean() ** 2 == pytest.approx(rv, rel=0.15)


@pytest.mark.parametrize("learner", [AdaptiveParams(), AdaptiveParams.qp()], ids=["mis", "qp"])
def test_adaptive_campaign_stops_and_reports(small, learner):
    seen = []
    res = run_campaign(small, MethodSpec("adaptive", "adaptive", adaptive=learner), max_tests=5_000, seed=5,
                       callback=lambda n, est: seen.append(n))
    assert res.reached and res.estimate.rhw < 0.3 and res.n_tests == res.n_to_target
    assert seen and seen[-1] == res.n_tests
    assert res.values.size == res.rhw_trace.size == res.n_tests
    assert res.estimate.ci_low <= res.estimate.mean <= res.estimate.ci_high
    assert res.betas and np.all(res.betas[-1][1] >= 0)


def test_qp_adaptive_is_unbiased_over_seeds(small):
    mu = small.true_crash_probability
    method = MethodSpec("adaptive", "adaptive", adaptive=AdaptiveParams.qp())
    est = np.array([run_campaign(small, method, max_tests=400, stop_at_target=False, seed=s).estimate.mean
                    for s in range(20)])
    assert abs(est.mean() - mu) < 3.5 * est.std(ddof=1) / np.sqrt(est.size)


def test_bias_in_exact_standard_errors_inverts_the_exact_test_count():
    mu, rel_var, budget, seeds = 1e-6, 40.0, 500, 50
    se = mu * np.sqrt(rel_var / (budget * seeds))
    report = {"true_crash_probability": mu, "rhw_target": 0.3, "z": Z, "budget_per_seed": budget}
    m = {"exact_tests_to_target": rhw_test_count(rel_var, 0.3, Z),
         "estimate_full_budget": {"mean": mu + 2.5 * se, "n_seeds": seeds}}
    assert bias_in_exact_se(report, m) == pytest.approx(2.5)
    assert bias_in_exact_se(report, {**m, "exact_tests_to_target": None}) is None
