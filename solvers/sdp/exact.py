"""Exact sign checks for rational univariate polynomials on half-lines [a, ∞) — no floating point.

Two independent methods: certified root isolation (python-flint / Arb, `method="isolation"`) and
Sturm sequences in exact rational arithmetic (`method="sturm"`). p ≥ 0 on [a, ∞) iff p ≡ 0, or its
leading coefficient is positive and it has no root of odd multiplicity in (a, ∞).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import flint
from flint import fmpq, fmpq_poly, fmpz_poly


@dataclass(frozen=True)
class SignCheck:
    """Outcome of an exact sign check: ok, a human-readable reason, and the method used."""

    ok: bool
    reason: str
    method: str


def odd_multiplicity_part(p: fmpq_poly) -> fmpq_poly:
    """Product of the squarefree factors of p whose multiplicity is odd (its sign-changing roots)."""
    _, factors = p.factor_squarefree()
    out = fmpq_poly([1])
    for f, mult in factors:
        if mult % 2 == 1:
            out *= f
    return out


def _deflate_at(g: fmpq_poly, a: fmpq) -> fmpq_poly:
    """Remove the (simple) root a from squarefree g if g(a) = 0."""
    if g(a) == 0:
        q, r = divmod(g, fmpq_poly([-a, 1]))
        assert r == 0
        return q
    return g


def _sign(x) -> int:
    """Sign of an exact rational."""
    return (x > 0) - (x < 0)


def _variations(signs: list[int]) -> int:
    """Number of sign changes in a sequence, zeros skipped."""
    s = [x for x in signs if x != 0]
    return sum(1 for u, v in zip(s, s[1:]) if u != v)


def count_roots_sturm(g: fmpq_poly, a: fmpq) -> int:
    """Number of distinct real roots of g in (a, ∞), by a Sturm sequence (exact rationals, g(a) ≠ 0)."""
    if g.degree() <= 0:
        return 0
    seq = [g, g.derivative()]
    while seq[-1].degree() > 0:
        r = -(seq[-2] % seq[-1])
        if r.is_zero():
            break
        lc = r.leading_coefficient()
        seq.append(r / (lc if lc > 0 else -lc))  # positive rescaling keeps the signs, shrinks the numbers
    at_a = _variations([_sign(s(a)) for s in seq])
    at_inf = _variations([_sign(s.leading_coefficient()) for s in seq])
    return at_a - at_inf


def count_roots_isolation(g: fmpq_poly, a: fmpq, max_prec: int = 8192) -> int | None:
    """Number of distinct real roots of squarefree g in (a, ∞) by Arb root isolation; None if undecided."""
    if g.degree() <= 0:
        return 0
    z = fmpz_poly(g.numer().coeffs())
    old = flint.ctx.prec
    try:
        prec = max(old, 128)
        while prec <= max_prec:
            flint.ctx.prec = prec
            roots = z.complex_roots()
            count, undecided = 0, False
            for c, _ in roots:
                if not c.imag.is_zero():
                    continue  # Arb returns every real root with an exactly zero imaginary part
                re = c.real
                if re > flint.arb(a):
                    count += 1
                elif re < flint.arb(a) or re.contains(flint.arb(a)) and g(a) == 0:
                    continue
                else:
                    undecided = True
            if not undecided:
                return count
            prec *= 2
        return None
    finally:
        flint.ctx.prec = old


def nonnegative_on_halfline(p: fmpq_poly, a: fmpq, method: str = "isolation") -> SignCheck:
    """Decide exactly whether p(u) ≥ 0 for all u ≥ a."""
    a = fmpq(a)
    if p.is_zero():
        return SignCheck(True, "zero polynomial", method)
    if p.leading_coefficient() < 0:
        return SignCheck(False, "leading coefficient negative: p → −∞", method)
    g = _deflate_at(odd_multiplicity_part(p), a)
    if method == "sturm":
        n = count_roots_sturm(g, a)
    elif method == "isolation":
        n = count_roots_isolation(g, a)
        if n is None:
            return SignCheck(False, "root isolation undecided", method)
    else:
        raise ValueError(f"unknown method {method!r}")
    if n:
        return SignCheck(False, f"{n} sign change(s) in ({a}, ∞)", method)
    return SignCheck(True, f"no sign change in ({a}, ∞), leading coefficient > 0", method)


def nonpositive_on_halfline(p: fmpq_poly, a: fmpq, method: str = "isolation") -> SignCheck:
    """Decide exactly whether p(u) ≤ 0 for all u ≥ a."""
    return nonnegative_on_halfline(-p, a, method)


def count_roots_interval(g: fmpq_poly, a: fmpq, b: fmpq, method: str = "isolation") -> int | None:
    """Distinct real roots of squarefree g in the open interval (a, b), with g(a), g(b) ≠ 0."""
    if method == "sturm":
        return count_roots_sturm(g, a) - count_roots_sturm(g, b)
    if method == "isolation":
        na, nb = count_roots_isolation(g, a), count_roots_isolation(g, b)
        return None if na is None or nb is None else na - nb
    raise ValueError(f"unknown method {method!r}")


def nonpositive_on_interval(p: fmpq_poly, a: fmpq, b: fmpq, method: str = "isolation") -> SignCheck:
    """Decide exactly whether p(u) ≤ 0 for all u in [a, b] (a < b): no sign change inside, p ≤ 0 at the ends
    and at one interior point where p ≠ 0."""
    a, b = fmpq(a), fmpq(b)
    if not a < b:
        raise ValueError("empty interval")
    if p.is_zero():
        return SignCheck(True, "zero polynomial", method)
    if p(a) > 0 or p(b) > 0:
        return SignCheck(False, "positive at an end point", method)
    g = _deflate_at(_deflate_at(odd_multiplicity_part(p), a), b)
    n = count_roots_interval(g, a, b, method)
    if n is None:
        return SignCheck(False, "root isolation undecided", method)
    if n:
        return SignCheck(False, f"{n} sign change(s) in ({a}, {b})", method)
    k = 2
    while True:  # p has one sign on (a, b) outside its even-multiplicity zeros: probe until p ≠ 0
        c = a + (b - a) / k
        if p(c) != 0:
            break
        k += 1
    if p(c) > 0:
        return SignCheck(False, f"positive at {c}", method)
    return SignCheck(True, f"no sign change in ({a}, {b}), ≤ 0 at the ends and inside", method)


def psd_ldl(M: list[list[fmpq]]) -> tuple[bool, str]:
    """Exact test that a symmetric rational matrix is positive semidefinite, by LDLᵀ with symmetric pivoting.

    A zero pivot is allowed only when its whole remaining row is zero; any negative pivot fails.
    """
    n = len(M)
    A = [[x if isinstance(x, fmpq) else fmpq(Fraction(x).numerator, Fraction(x).denominator) for x in row]
         for row in M]
    if any(len(row) != n for row in A):
        return False, "matrix is not square"
    if any(A[i][j] != A[j][i] for i in range(n) for j in range(i)):
        return False, "matrix is not symmetric"
    idx = list(range(n))
    while idx:
        piv = max(idx, key=lambda i: A[i][i])  # largest diagonal entry (exact comparison)
        d = A[piv][piv]
        if d < 0:
            return False, "negative pivot"
        rest = [i for i in idx if i != piv]
        if d == 0:
            if any(A[piv][j] != 0 for j in rest):
                return False, "zero pivot with a nonzero row"
            idx = rest
            continue
        row = [A[piv][j] for j in rest]
        for a_, i in enumerate(rest):
            if row[a_] == 0:
                continue
            f = row[a_] / d
            Ai = A[i]
            for b_, j in enumerate(rest):
                if row[b_] != 0:
                    Ai[j] -= f * row[b_]
        idx = rest
    return True, f"PSD ({n}×{n}, exact LDLᵀ)"
