"""Estimator arithmetic: z, running RHW, crude-MC test counts, and the QP weight fit."""
import numpy as np
import pytest

from searchlab.solvers.traffic.estimators import Z, crude_mc_tests, estimate, first_crossing, running_rhw
from searchlab.solvers.traffic.qp import fit_combination_weights


def test_z_is_1645():
    assert Z == pytest.approx(1.6449, abs=1e-4)


def test_running_rhw_matches_batch_estimate():
    rng = np.random.default_rng(1)
    x = np.where(rng.random(500) < 0.2, rng.exponential(size=500), 0.0)
    r = running_rhw(x)
    assert r[-1] == pytest.approx(estimate(x).rhw, rel=1e-10)
    # continuing from a prior (count, sum, sum of squares) gives the same trace
    r2 = running_rhw(x[200:], prior=(200, x[:200].sum(), (x[:200] ** 2).sum()))
    assert np.allclose(r2, r[200:])


def test_crude_mc_tests_formula():
    p = 1e-5
    assert crude_mc_tests(p) == pytest.approx(Z**2 * (1 - p) / (p * 0.09))


def test_first_crossing_respects_min_tests():
    r = np.array([0.1, 0.5, 0.2, 0.1])
    assert first_crossing(r, 0.3, 1) == 1
    assert first_crossing(r, 0.3, 2) == 3
    assert first_crossing(np.array([0.5, 0.4]), 0.3) is None
    # confirmation: below target over the last half of the tests, i.e. n >= 2 * (last test above)
    assert first_crossing(np.array([0.5, 0.5, 0.2, 0.1, 0.1]), 0.3, 1, confirm=1.0) == 4
    assert first_crossing(r[2:], 0.3, 1, confirm=1.0, offset=2, last_above=2) == 2


def test_qp_recovers_known_weights():
    rng = np.random.default_rng(0)
    phi = rng.random((400, 3))
    beta_true = np.array([0.2, 0.0, 0.7])
    y = phi @ beta_true
    w = rng.random(400) + 0.5
    beta = fit_combination_weights(phi, y, w, ridge=0.0)
    assert np.allclose(beta, beta_true, atol=1e-4)


def test_qp_enforces_nonnegativity_and_sum():
    rng = np.random.default_rng(3)
    phi = rng.random((300, 3))
    y = phi @ np.array([1.0, -0.5, 0.5]) + 0.01 * rng.standard_normal(300)
    beta = fit_combination_weights(phi, y, ridge=1e-3)
    assert np.all(beta >= 0) and beta[1] == pytest.approx(0.0, abs=1e-6)
    beta1 = fit_combination_weights(phi, y, ridge=1e-3, sum_to_one=True)
    assert beta1.sum() == pytest.approx(1.0, abs=1e-6) and np.all(beta1 >= -1e-9)
