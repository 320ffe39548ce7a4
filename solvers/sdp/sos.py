"""Univariate sum-of-squares on a half-line: p(u) = b(t)ᵀS₀b(t) + (t/m)·b(t)ᵀS₁b(t), t = u − shift ≥ 0.

The Gram bases are normalised rescaled Laguerre polynomials b_i(t) = c_i L_i^{(β)}(t/scale) (β = `alpha0`
for S₀, `alpha1` for S₁) and identities are imposed at sample points with weights e^{−t/2}, which keeps
the SDP data O(1) at degrees 30–80 (Lukács' theorem: every polynomial ≥ 0 on [shift, ∞) has this form).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
from flint import fmpq, fmpq_mat, fmpq_poly

from .laguerre import basis_normalisers, laguerre_values_mp, rational_laguerre_basis, to_fmpq


@dataclass(frozen=True)
class HalfLineSOS:
    """Gram parametrisation of a polynomial of degree ≤ 2·half_degree+1 nonnegative on [shift, ∞)."""

    half_degree: int
    shift: Fraction = Fraction(0)
    scale: Fraction = Fraction(2)
    multiplier_scale: Fraction = Fraction(1)
    alpha0: Fraction = Fraction(0)
    alpha1: Fraction = Fraction(0)

    @property
    def size(self) -> int:
        """Side length d+1 of each of the two Gram blocks."""
        return self.half_degree + 1

    def basis_values(self, t: mpmath.mpf, block: int) -> list[mpmath.mpf]:
        """b_0(t), …, b_d(t) of Gram block 0 or 1 in mpmath precision."""
        alpha = self.alpha0 if block == 0 else self.alpha1
        vals = laguerre_values_mp(self.half_degree, _mp(alpha), mpmath.mpf(t) / _mp(self.scale))
        norms = basis_normalisers(self.size, Fraction(alpha), Fraction(self.scale))
        return [v * _mp(c) for v, c in zip(vals, norms)]

    def sample_rows(self, points_t, weights) -> tuple[np.ndarray, np.ndarray]:
        """Per point t_j: w_j b bᵀ (block S₀) and w_j (t_j/m) b bᵀ (block S₁), as float arrays (n, s, s)."""
        s = self.size
        r0 = np.zeros((len(points_t), s, s))
        r1 = np.zeros((len(points_t), s, s))
        m = _mp(self.multiplier_scale)
        for j, (t, w) in enumerate(zip(points_t, weights)):
            for blk, out in ((0, r0), (1, r1)):
                b = self.basis_values(mpmath.mpf(t), blk)
                vec = np.array([float(mpmath.sqrt(w) * x) for x in b])
                out[j] = np.outer(vec, vec)
            r1[j] *= float(mpmath.mpf(t) / m)
        return r0, r1

    def exact_polynomial(self, S0: np.ndarray, S1: np.ndarray) -> fmpq_poly:
        """Exact p(u) from Gram matrices taken as exact rationals (floats are dyadic rationals)."""
        s = self.size
        out = fmpq_poly([0])
        for alpha, mult, S in ((self.alpha0, fmpq_poly([1]), S0),
                               (self.alpha1, fmpq_poly([0, 1]) / to_fmpq(self.multiplier_scale), S1)):
            basis = rational_laguerre_basis(s, Fraction(self.scale), Fraction(alpha))
            B = fmpq_mat(s, s, [basis[i].coeffs()[p] if p < len(basis[i].coeffs()) else 0
                                 for i in range(s) for p in range(s)])
            Sq = fmpq_mat(s, s, [_exact(float(S[i, j])) for i in range(s) for j in range(s)])
            G = B.transpose() * Sq * B
            coeffs = [fmpq(0)] * (2 * s - 1)
            for p in range(s):
                for q in range(s):
                    coeffs[p + q] += G[p, q]
            out += mult * fmpq_poly(coeffs)
        if self.shift != 0:
            out = _compose_shift(out, -to_fmpq(self.shift))
        return out


def _mp(x: Fraction) -> mpmath.mpf:
    """A Fraction in the current mpmath precision."""
    x = Fraction(x)
    return mpmath.mpf(x.numerator) / x.denominator


def _exact(x: float) -> fmpq:
    """A float as the exact dyadic rational it represents."""
    f = Fraction(x)
    return fmpq(f.numerator, f.denominator)


def _compose_shift(p: fmpq_poly, c: fmpq) -> fmpq_poly:
    """p(u + c) by Horner's scheme with exact rationals."""
    out = fmpq_poly([0])
    lin = fmpq_poly([c, 1])
    for coef in reversed(p.coeffs()):
        out = out * lin + coef
    return out
