"""Small end-to-end runs: solve → certify → verify (both exact methods), SDPA vs cvxpy, .dat-s round trip.

The production back-end is the GMP build of sdpap (sdpa-multiprecision); with the double-precision
sdpa-python build the free-variable SDP does not converge, so the pipeline test then uses cvxpy/Clarabel.
"""
from __future__ import annotations

import math
from fractions import Fraction

import pytest

from searchlab.solvers.sdp import cohn_elkies as ce
from searchlab.solvers.sdp.certificate import parse_rational, verify_certificate
from searchlab.solvers.sdp.problem import balance_blocks
from searchlab.solvers.sdp.sdpa_backend import is_multiprecision, solve_sdpa
from searchlab.solvers.sdp.sdpa_format import write_sdpa

BEST_KNOWN_D3 = math.pi / math.sqrt(18)  # FCC packing density
GMP = is_multiprecision()
BACKEND = "sdpa" if GMP else "cvxpy:clarabel"
MARGINS = (1e-15, 1e-13, 1e-11, 1e-9) if GMP else (1e-8, 1e-7, 1e-6, 1e-5, 1e-4)
needs_gmp = pytest.mark.skipif(not GMP, reason="needs sdpa-multiprecision (GMP build of sdpap)")


def test_solve_certify_verify_dim3() -> None:
    data, sol = ce.solve_and_certify(3, 7, r=1.14, backend=BACKEND, margins=MARGINS)
    assert data["dimension"] == 3 and data["degree"] == 7
    for method in ("isolation", "sturm"):
        res = verify_certificate(data, method=method)
        assert res.ok, res.reason
    bound = float(parse_rational(data["bound"]))
    assert BEST_KNOWN_D3 < bound < 0.80
    assert bound >= sol.estimate - 1e-9


@needs_gmp
def test_optimise_radius_improves() -> None:
    u, hist = ce.optimise_u0(2, 5, bracket=(4.0, 12.0), iterations=5)
    fixed = ce.solve_fixed(2, 5, Fraction(4)).estimate
    assert min(v for _, v in hist) <= fixed + 1e-12
    assert 4.0 <= u <= 12.0


@needs_gmp
def test_sdpa_agrees_with_cvxpy() -> None:
    pytest.importorskip("cvxpy")
    a = ce.solve_fixed(4, 5, Fraction(9), backend="sdpa")
    b = ce.solve_fixed(4, 5, Fraction(9), backend="cvxpy:clarabel")
    assert a.estimate == pytest.approx(b.estimate, rel=1e-5)


@needs_gmp
def test_export_round_trip(tmp_path) -> None:
    sdpap = pytest.importorskip("sdpap")
    prob = ce.build_sdp(3, 5, Fraction(8))
    bal, _, _ = balance_blocks(prob.sdp)
    path = write_sdpa(bal, tmp_path / "ce.dat-s")
    A, b, c, K, J = sdpap.importsdpa(str(path))
    x, y, info, _, _ = sdpap.solve(A, b, c, K, J, {"print": "no", "lambdaStar": 1e4, "betaBar": 0.3,
                                                   "gammaStar": 0.8, "lowerBound": -1e30, "upperBound": 1e30})
    direct = solve_sdpa(bal)
    # importsdpa flips SDPA's max-form into a min-form: the optimal values agree up to sign
    assert abs(abs(info["primalObj"]) - abs(direct.primal_objective)) < 1e-6 * max(1.0, abs(direct.primal_objective))


def test_even_degree_rejected() -> None:
    with pytest.raises(ValueError):
        ce.build_sdp(3, 6, Fraction(8))
