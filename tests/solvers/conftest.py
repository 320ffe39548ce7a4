"""Shared fixtures of the solver tests."""
import pytest

from searchlab.solvers.traffic.drivers import DriverParams
from searchlab.solvers.traffic.follow import FollowParams
from searchlab.solvers.traffic.scenario import make_follow_scenario


@pytest.fixture(scope="session")
def small():
    """A small, non-rare car-following world (coarse grid, frequent hard braking, a weak AV): crude MC can check
    the DP and IS estimates converge within seconds."""
    params = FollowParams(gap_max=50.0, gap_step=2.0, v_max=30.0, v_step=2.0, accel_step=2.0, horizon=8,
                          hard_brake_rate=0.15, v0_mean=20.0, headway_median=0.8)
    return make_follow_scenario(av=DriverParams(delay=0.8, b_max=4.0, headway=1.0), params=params)
