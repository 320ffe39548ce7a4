"""Generalised Laguerre polynomials: exact rational coefficients (python-flint) and stable numerics.

Exact polynomials feed the certifier; high-precision evaluation (mpmath) feeds the SDP data.
"""
from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import mpmath
import numpy as np
from flint import fmpq, fmpq_poly
from scipy.special import roots_genlaguerre


def to_fmpq(x: Fraction | int | str) -> fmpq:
    """Convert a Fraction / int / "p/q" string to a flint rational exactly."""
    f = Fraction(x)
    return fmpq(f.numerator, f.denominator)


@lru_cache(maxsize=64)
def laguerre_exact(max_degree: int, alpha: Fraction) -> tuple[fmpq_poly, ...]:
    """Return exact L_0^{(α)}, …, L_K^{(α)} as fmpq_poly via the three-term recurrence."""
    a = to_fmpq(alpha)
    x = fmpq_poly([0, 1])
    polys = [fmpq_poly([1])]
    if max_degree >= 1:
        polys.append(fmpq_poly([1 + a, -1]))
    for k in range(1, max_degree):
        nxt = ((2 * k + 1 + a - x) * polys[k] - (k + a) * polys[k - 1]) / (k + 1)
        polys.append(nxt)
    return tuple(polys[: max_degree + 1])


def combine_exact(coeffs: list[Fraction], alpha: Fraction, alternate: bool) -> fmpq_poly:
    """Exact Σ a_k L_k^{(α)}(u) (alternate=False, the function P) or Σ (−1)^k a_k L_k^{(α)} (Q)."""
    basis = laguerre_exact(len(coeffs) - 1, Fraction(alpha))
    total = fmpq_poly([0])
    for k, c in enumerate(coeffs):
        sign = -1 if (alternate and k % 2) else 1
        total += basis[k] * (sign * to_fmpq(c))
    return total


def laguerre_values_mp(max_degree: int, alpha: mpmath.mpf, u: mpmath.mpf) -> list[mpmath.mpf]:
    """Evaluate L_0..L_K at u in the current mpmath precision by the stable recurrence."""
    vals = [mpmath.mpf(1)]
    if max_degree >= 1:
        vals.append(1 + alpha - u)
    for k in range(1, max_degree):
        vals.append(((2 * k + 1 + alpha - u) * vals[k] - (k + alpha) * vals[k - 1]) / (k + 1))
    return vals[: max_degree + 1]


def gauss_laguerre_nodes(count: int, alpha: float = 0.0) -> np.ndarray:
    """Zeros of L_count^{(α)}: good (near-Fekete) sample points for weighted polynomials on [0, ∞)."""
    nodes, _ = roots_genlaguerre(count, alpha)
    return np.asarray(nodes, dtype=float)


@lru_cache(maxsize=256)
def basis_normalisers(size: int, alpha: Fraction, scale: Fraction) -> tuple[Fraction, ...]:
    """Rational c_i ≈ (scale^{α+1} Γ(i+α+1)/i!)^{−1/2}: makes c_i L_i^{(α)}(t/scale) orthonormal for e^{−t/2}t^α/…"""
    out = []
    with mpmath.workdps(30):
        for i in range(size):
            h = mpmath.mpf(scale.numerator) / scale.denominator
            a = mpmath.mpf(alpha.numerator) / alpha.denominator
            val = (h ** (a + 1) * mpmath.gamma(i + a + 1) / mpmath.factorial(i)) ** -0.5
            out.append(Fraction(mpmath.nstr(val, 20)))
    return tuple(out)


@lru_cache(maxsize=64)
def rational_laguerre_basis(size: int, scale: Fraction, alpha: Fraction = Fraction(0)) -> tuple[fmpq_poly, ...]:
    """Gram basis b_i(t) = c_i L_i^{(α)}(t/scale), i < size, exactly (normalised rescaled Laguerre)."""
    base = laguerre_exact(max(size - 1, 0), Fraction(alpha))
    s = to_fmpq(scale)
    norms = basis_normalisers(size, Fraction(alpha), Fraction(scale))
    out = []
    for p, c in zip(base[:size], norms):
        coeffs = [to_fmpq(c) * x / s**i for i, x in enumerate(p.coeffs())]
        out.append(fmpq_poly(coeffs))
    return tuple(out)
