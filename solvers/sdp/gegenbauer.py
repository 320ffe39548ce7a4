"""Exact Gegenbauer polynomials C_k^{(λ)} and the O(n)-invariant positive-definite kernels built from them.

For λ = n/2 − 1 (n ≥ 3), (x, y) ↦ |x|^k |y|^k C_k^{(λ)}(x̂·ŷ) is a positive-definite kernel on ℝⁿ
(Schoenberg) and a polynomial in (|x|², |y|², ⟨x, y⟩) — the building block of three-point functions.
"""
from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from flint import fmpq, fmpq_poly


@lru_cache(maxsize=64)
def gegenbauer(max_degree: int, lam: Fraction) -> tuple[fmpq_poly, ...]:
    """C_0^{(λ)}, …, C_K^{(λ)} exactly, by k C_k = 2(k+λ−1) z C_{k−1} − (k+2λ−2) C_{k−2}; needs λ > 0."""
    if lam <= 0:
        raise ValueError("Gegenbauer parameter must be positive (dimension n ≥ 3)")
    la = fmpq(lam.numerator, lam.denominator)
    z = fmpq_poly([0, 1])
    polys = [fmpq_poly([1])]
    if max_degree >= 1:
        polys.append(2 * la * z)
    for k in range(2, max_degree + 1):
        polys.append((2 * (k + la - 1) * z * polys[k - 1] - (k + 2 * la - 2) * polys[k - 2]) / k)
    return tuple(polys[: max_degree + 1])


def kernel_terms(k: int, lam: Fraction) -> list[tuple[int, int, fmpq]]:
    """(|x||y|)^k C_k(x̂·ŷ) = Σ c · t^e (uv)^j as (e, j, c) triples, with u = |x|², v = |y|², t = ⟨x, y⟩."""
    coeffs = gegenbauer(k, lam)[k].coeffs()
    out = []
    for e, c in enumerate(coeffs):
        if c != 0:
            assert (k - e) % 2 == 0  # parity of C_k
            out.append((e, (k - e) // 2, c))
    return out


def value_at_one(k: int, lam: Fraction) -> fmpq:
    """C_k^{(λ)}(1) = (2λ)_k / k! > 0 (the kernel on the diagonal x = y)."""
    return gegenbauer(k, lam)[k](fmpq(1))
