"""Multi-lane highway: NDE runs, NADE weights average to 1, and NADE agrees with NDE on a non-rare setting."""
import numpy as np
import pytest

from searchlab.solvers.traffic.drivers import DEFAULT_AV
from searchlab.solvers.traffic.follow import FollowParams
from searchlab.solvers.traffic.highway import HighwayParams, NadeControl, highway_campaign, simulate_highway
from searchlab.solvers.traffic.scenario import make_follow_scenario

FP = FollowParams(gap_max=60.0, gap_step=2.0, v_step=2.0, accel_step=2.0, hard_brake_rate=0.05, horizon=6)
SHORT = HighwayParams(follow=FP, lc_rate=0.05, max_steps=3, headway_median=0.8)


@pytest.fixture(scope="module")
def ctrl():
    sc = make_follow_scenario(params=FP)
    return NadeControl(sc.surrogates, np.array([0.0, 1.0, 0.0]), eps=0.1)


def test_nde_runs_and_crashes_sometimes():
    b = simulate_highway(SHORT, DEFAULT_AV, 3_000, np.random.default_rng(0))
    assert 0.0 < b.crash.mean() < 0.5
    assert np.all(b.log_w == 0.0) and np.all(b.steps <= SHORT.max_steps)


def test_nade_weights_average_to_one(ctrl):
    b = simulate_highway(SHORT, DEFAULT_AV, 4_000, np.random.default_rng(1), ctrl)
    w = np.exp(b.log_w)
    assert b.controlled.mean() > 0
    assert abs(w.mean() - 1.0) < 4 * w.std() / np.sqrt(w.size)


def test_nade_matches_nde_on_non_rare_setting(ctrl):
    nde = simulate_highway(SHORT, DEFAULT_AV, 4_000, np.random.default_rng(2)).values()
    nade = simulate_highway(SHORT, DEFAULT_AV, 4_000, np.random.default_rng(3), ctrl).values()
    se = np.hypot(nde.std() / np.sqrt(nde.size), nade.std() / np.sqrt(nade.size))
    assert abs(nade.mean() - nde.mean()) < 4 * se


def test_highway_campaign_reports_progress(ctrl):
    seen = []
    est, hit, x = highway_campaign(SHORT, DEFAULT_AV, ctrl, max_tests=3_000, batch_size=500,
                                   callback=lambda n, e: seen.append(n))
    assert seen and x.size == seen[-1] and est.n == x.size
    assert hit is None or est.rhw < 0.3
