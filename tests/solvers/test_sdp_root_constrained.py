"""Root-constrained (imposed double roots) Cohn–Elkies certificates: a small n = 8 run certifies, and the
committed n = 24 certificate meets the issue target ≤ 0.00193 (Leech: π¹²/12! ≈ 0.0019295743)."""
from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest

from searchlab.solvers.sdp.certificate import parse_rational, verify_certificate
from searchlab.solvers.sdp.laguerre import laguerre_values_mp
from searchlab.solvers.sdp.root_constrained import certify_roots, solve_roots, split_roots

RESULTS = Path(__file__).resolve().parents[2] / "results" / "sphere_packing"


def test_split_roots_square_system() -> None:
    for degree in (3, 7, 15, 31, 55):
        mp_, mq = split_roots(degree)
        assert 2 * (mp_ + mq) + 2 == degree + 1
    with pytest.raises(ValueError):
        split_roots(10)


def test_imposed_roots_hold() -> None:
    with mpmath.workdps(50):
        coeffs, p0, _ = solve_roots(8, 7, 2, [4.0], [2.0, 4.0])
        alpha = mpmath.mpf(3)
        for x, alt in ((2.0, False), (4.0, False), (2.0, True), (4.0, True)):
            if (x, alt) == (2.0, False):
                continue  # P has a simple root at u0 only, checked below
            vals = laguerre_values_mp(7, alpha, 2 * mpmath.pi * x)
            val = mpmath.fsum(((-1) ** k if alt else 1) * c * v for k, (c, v) in enumerate(zip(coeffs, vals)))
            assert abs(val) < mpmath.mpf(10) ** -40
        vals = laguerre_values_mp(7, alpha, 4 * mpmath.pi)
        assert abs(mpmath.fsum(c * v for c, v in zip(coeffs, vals))) < mpmath.mpf(10) ** -40
        assert p0 > 1


def test_dimension_8_low_degree_certifies() -> None:
    data = certify_roots(8, 15, dps=40, cert_dps=80, digits=40, verbose=False)
    res = verify_certificate(data)
    assert res.ok, res.reason
    bound = float(parse_rational(data["bound"]))
    e8 = math.pi ** 4 / 384
    assert e8 <= bound < 1.01 * e8


def test_committed_d24_meets_target() -> None:
    data = json.loads((RESULTS / "cohn_elkies_d24.json").read_text())
    res = verify_certificate(data)
    assert res.ok, res.reason
    assert parse_rational(data["bound"]) <= Fraction("0.00193")
    assert float(parse_rational(data["bound"])) >= math.pi ** 12 / math.factorial(12)
