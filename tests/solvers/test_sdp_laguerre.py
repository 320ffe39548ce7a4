"""Laguerre basis: exact polynomials agree with scipy, and φ_k(x) = L_k^{(n/2−1)}(2π|x|²)e^{−π|x|²} is a
Fourier eigenfunction with eigenvalue (−1)^k (radial Hankel transform by quadrature)."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy.integrate import quad
from flint import fmpq
from scipy.special import eval_genlaguerre, jv

from searchlab.solvers.sdp.laguerre import combine_exact, gauss_laguerre_nodes, laguerre_exact


def phi(k: int, n: int, rho: float) -> float:
    """The radial profile of φ_k in dimension n."""
    return float(eval_genlaguerre(k, n / 2 - 1, 2 * math.pi * rho * rho) * math.exp(-math.pi * rho * rho))


def radial_fourier(k: int, n: int, rho: float) -> float:
    """f̂(ρ) = 2π ρ^{1−n/2} ∫ f(s) J_{n/2−1}(2πρs) s^{n/2} ds (f̂(ξ) = ∫ f(x) e^{−2πi⟨x,ξ⟩} dx)."""
    nu = n / 2 - 1
    if rho == 0.0:
        # limit: J_ν(z) z^{−ν} → 1/(2^ν Γ(ν+1)), so f̂(0) = 2π^{n/2}/Γ(n/2) ∫ f(s) s^{n−1} ds
        val, _ = quad(lambda s: phi(k, n, s) * s ** (n - 1), 0, 10, limit=400, epsabs=1e-14, epsrel=1e-13)
        return 2 * math.pi ** (n / 2) / math.gamma(n / 2) * val
    val, _ = quad(lambda s: phi(k, n, s) * jv(nu, 2 * math.pi * rho * s) * s ** (n / 2), 0, 10,
                  limit=400, epsabs=1e-14, epsrel=1e-13)
    return 2 * math.pi * rho ** (1 - n / 2) * val


@pytest.mark.parametrize("n", [3, 8])
@pytest.mark.parametrize("k", [0, 1, 2, 3, 4, 5])
def test_fourier_eigenfunction(n: int, k: int) -> None:
    for rho in (0.0, 0.37, 0.7, 1.3):
        assert radial_fourier(k, n, rho) == pytest.approx((-1) ** k * phi(k, n, rho), abs=1e-10)


@pytest.mark.parametrize("alpha", [Fraction(-1, 2), Fraction(0), Fraction(3), Fraction(11)])
def test_exact_laguerre_matches_scipy(alpha: Fraction) -> None:
    polys = laguerre_exact(12, alpha)
    for k, p in enumerate(polys):
        for u in (0.0, 0.5, 3.0, 17.25):
            f = Fraction(u)
            val = float(p(fmpq(f.numerator, f.denominator)))
            assert val == pytest.approx(float(eval_genlaguerre(k, float(alpha), u)), rel=1e-12, abs=1e-12)


def test_combine_signs() -> None:
    coeffs = [Fraction(1), Fraction(1)]
    P = combine_exact(coeffs, Fraction(-1, 2), alternate=False)
    Q = combine_exact(coeffs, Fraction(-1, 2), alternate=True)
    assert [float(c) for c in P.coeffs()] == [1.5, -1.0]
    assert [float(c) for c in Q.coeffs()] == [0.5, 1.0]


def test_nodes_sorted_positive() -> None:
    x = gauss_laguerre_nodes(21)
    assert np.all(x > 0) and np.all(np.diff(x) > 0)
