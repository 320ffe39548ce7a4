"""Three-point bound building blocks: Gegenbauer kernels, the e^{−u/2} upper polynomial, exact PSD/interval
checks, and one real solve + certify + tamper round trip on a small SDP."""
from __future__ import annotations

import copy
import math
from fractions import Fraction

import numpy as np
import pytest
from flint import fmpq, fmpq_poly

from searchlab.solvers.sdp.exact import nonpositive_on_interval, psd_ldl
from searchlab.solvers.sdp.exp_bound import lower_gap, upper_polynomial
from searchlab.solvers.sdp.gegenbauer import gegenbauer, kernel_terms, value_at_one
from searchlab.solvers.sdp.three_point_kernel import (Box, base_polynomials, kernel_monomials, parse_token, q,
                                                      symmetric_closure)

x = fmpq_poly([0, 1])


@pytest.mark.parametrize("dim", [3, 4, 7])
def test_gegenbauer_kernel_is_positive_definite(dim: int) -> None:
    """(|x||y|)^k C_k(x̂·ŷ) written in (u, v, t) has a PSD Gram matrix on random point sets in ℝⁿ."""
    rng = np.random.default_rng(dim)
    pts = rng.normal(size=(25, dim))
    lam = Fraction(dim, 2) - 1
    for k in range(6):
        terms = kernel_terms(k, lam)
        G = np.zeros((len(pts), len(pts)))
        for i, p in enumerate(pts):
            for j, q_ in enumerate(pts):
                u, v, t = p @ p, q_ @ q_, p @ q_
                G[i, j] = sum(float(c) * t ** e * (u * v) ** jj for e, jj, c in terms)
        assert np.linalg.eigvalsh(G).min() > -1e-9 * max(1.0, np.abs(G).max())


def test_gegenbauer_known_values() -> None:
    assert gegenbauer(3, Fraction(1, 2))[2] == (3 * x ** 2 - 1) / 2  # Legendre P_2 (n = 3)
    assert gegenbauer(3, Fraction(1))[3] == 8 * x ** 3 - 4 * x       # Chebyshev U_3 (n = 4)
    assert value_at_one(4, Fraction(1)) == 5                         # U_4(1) = 5


def test_exp_upper_polynomial_is_an_upper_bound_and_tamper_fails() -> None:
    a, b = Fraction(9), Fraction(25)
    c, h, coeffs = upper_polynomial(a, b)
    assert lower_gap(c, h, coeffs) > 0
    for u in np.linspace(9, 25, 41):
        T = sum(float(co) * (u - float(c)) ** j for j, co in enumerate(coeffs))
        assert T >= math.exp(-u / 2) and T - math.exp(-u / 2) < 1e-9 * math.exp(-u / 2)
    bad = list(coeffs)
    bad[0] -= Fraction(1, 10 ** 12)
    assert not lower_gap(c, h, bad) > 0


def test_psd_ldl() -> None:
    assert psd_ldl([[2, 1], [1, 2]])[0]
    assert psd_ldl([[1, 1], [1, 1]])[0]                         # singular PSD
    assert not psd_ldl([[1, 2], [2, 1]])[0]                     # indefinite
    assert not psd_ldl([[0, 1], [1, 5]])[0]                     # zero pivot with a nonzero row
    assert not psd_ldl([[1, 0], [1, 1]])[0]                     # not symmetric
    eps = Fraction(1, 10 ** 30)
    assert not psd_ldl([[1, 1], [1, 1 - eps]])[0]               # a hair indefinite: exact arithmetic sees it


@pytest.mark.parametrize("method", ["isolation", "sturm"])
def test_nonpositive_on_interval(method: str) -> None:
    assert nonpositive_on_interval(-(x - 2) ** 2 * (x + 3), fmpq(0), fmpq(5), method).ok  # touches 0 inside
    assert not nonpositive_on_interval((x - 2) * (x - 3), fmpq(0), fmpq(5), method).ok
    assert nonpositive_on_interval((x - 2) * (x - 3), fmpq(2), fmpq(3), method).ok        # roots at the ends
    assert not nonpositive_on_interval(-(x - 1) * (x - fmpq(10 ** 9 + 1, 10 ** 9)), fmpq(0), fmpq(3), method).ok


def test_base_polynomials_nonnegative_on_configurations() -> None:
    """g₁..g₇ ≥ 0 for actual vector pairs in the domain, and the box map sends the domain into [−1, 1]³."""
    rng = np.random.default_rng(1)
    u0, uR = Fraction(8), Fraction(20)
    g = base_polynomials(u0, uR)
    box = Box(u0, uR)
    hits = 0
    for _ in range(3000):
        xv, yv = rng.normal(size=4) * 1.3, rng.normal(size=4) * 1.3
        u, v, t = (2 * math.pi * float(z) for z in (xv @ xv, yv @ yv, xv @ yv))
        du = 2 * math.pi * float((xv - yv) @ (xv - yv))
        if not (8 <= u <= 20 and 8 <= v <= 20 and du >= 8):
            continue
        hits += 1
        pt = [q(Fraction(z)) for z in (u, v, t)]
        vals = [float(p(*pt)) for p in g.values()]
        assert min(vals) >= -1e-9
        xs = [(u - float(box.cu)) / float(box.hu), (v - float(box.cu)) / float(box.hu),
              (t - float(box.ct)) / float(box.ht)]
        assert max(abs(z) for z in xs) <= 1 + 1e-12
    assert hits > 50


def test_kernel_symmetry_and_tokens() -> None:
    E = kernel_monomials(4, 5, Fraction(20))
    u, v, t = (fmpq(3), fmpq(7), fmpq(2))
    assert E[(1, 0, 1)](u, v, t) == E[(1, 1, 0)](v, u, t)
    assert parse_token("g2*g1") == (1, 2)
    assert symmetric_closure([(1, 2)]) == ((1, 2), (3, 4))
    with pytest.raises(ValueError):
        parse_token("g9")


@pytest.fixture(scope="module")
def small_certificate():
    """A real multiprecision solve + certification in dimension 4 (degree 7 three-point function)."""
    from searchlab.solvers.sdp.three_point import ThreePointSpec, solve_and_certify

    spec = ThreePointSpec.from_radii(4, 15, 7, 1.15, 1.15 * 1.3)
    cert, sol = solve_and_certify(spec)
    return cert, sol


def test_small_three_point_certificate_beats_two_point(small_certificate) -> None:
    from searchlab.problems.sphere_packing.reference import best_known_density
    from searchlab.solvers.sdp.three_point_certificate import verify

    cert, sol = small_certificate
    bound = float(Fraction(cert["bound"]))
    assert best_known_density(4) < bound < 0.6477  # strictly below the LP bound 0.647705
    assert abs(bound - sol.estimate) < 1e-5
    for method in ("isolation", "sturm"):
        res = verify(cert, method=method)
        assert res.ok, res.reason


@pytest.mark.parametrize("tamper,reason", [
    (lambda c: c.__setitem__("bound", str(float(Fraction(c["bound"])) * 0.9999)), "below the certified value"),
    (lambda c: c["kernel_matrices"][0][0].__setitem__(0, "0"), ""),
    (lambda c: c["sos"][0]["gram"][0].__setitem__(0, "-1/1000"), "not PSD"),
    (lambda c: c["exp_upper"]["coefficients"].__setitem__(0, "0"), "exp(-u/2)"),
    (lambda c: c.__setitem__("u0", str(Fraction(c["u0"]) * Fraction(99, 100))), ""),
    (lambda c: c.__setitem__("uR", str(Fraction(c["uR"]) * Fraction(11, 10))), ""),
    (lambda c: c["laguerre_coefficients"].__setitem__(3, str(Fraction(c["laguerre_coefficients"][3]) * 2)), ""),
])
def test_tampered_three_point_certificates_fail(small_certificate, tamper, reason) -> None:
    from searchlab.solvers.sdp.three_point_certificate import verify

    cert = copy.deepcopy(small_certificate[0])
    tamper(cert)
    res = verify(cert)
    assert not res.ok
    assert reason in res.reason


def test_inaccurate_float_points_are_not_trusted(small_certificate) -> None:
    sol = copy.copy(small_certificate[1])
    sol.status, sol.violation = "optimal", 1e-8
    assert sol.reliable()
    sol.status = "optimal_inaccurate"
    assert not sol.reliable()
    sol.status, sol.violation = "optimal", 1e-3
    assert not sol.reliable()
