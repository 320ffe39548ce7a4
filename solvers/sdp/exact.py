"""Exact sign checks for rational univariate polynomials on half-lines [a, ∞) — no floating point.

Two independent methods: certified root isolation (python-flint / Arb, `method="isolation"`) and
Sturm sequences in exact rational arithmetic (`method="sturm"`). p ≥ 0 on [a, ∞) iff p ≡ 0, or its
leading coefficient is positive and it has no root of odd multiplicity in (a, ∞).
"""
from __future__ import annotations

from dataclasses import dataclass

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
