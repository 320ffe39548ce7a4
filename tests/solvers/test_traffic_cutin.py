"""One-shot cut-in: reproduces the research prototype and behaves as an IS benchmark."""
import numpy as np
import pytest

from searchlab.solvers.traffic.campaign import MethodSpec, fixed_proposal
from searchlab.solvers.traffic.drivers import DriverParams
from searchlab.solvers.traffic.scenario import make_cutin_scenario
from searchlab.solvers.traffic.variance import exact_tests_to_rhw


@pytest.fixture(scope="module")
def cutin():
    return make_cutin_scenario(av=DriverParams(delay=0.6, b_max=6.0, headway=1.2))


def test_cutin_crash_probability_matches_prototype(cutin):
    # cav_cutin_proto.py (research notes, section 7.1) reports 1.35e-4 per cut-in for this AV.
    assert cutin.true_crash_probability == pytest.approx(1.35e-4, rel=0.05)


def test_cutin_pessimistic_beats_optimistic(cutin):
    n = {s.name: exact_tests_to_rhw(cutin.real, cutin.truth,
                                    fixed_proposal(cutin, MethodSpec(s.name, "nade", surrogate=s.name)))
         for s in cutin.surrogates}
    assert n["pessimistic"] < 1_000 < n["optimistic"]
