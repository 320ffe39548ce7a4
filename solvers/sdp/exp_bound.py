"""Rational polynomial upper bounds for e^{−u/2} on an interval, with an Arb proof of the inequality.

Three-point conditions mix e^{−u/2} and e^{−u}; on [a, b] we replace e^{−u/2} by a polynomial T ≥ e^{−u/2}
(a Taylor expansion at the centre c with its constant term raised by a proven remainder bound). The check
T(c+s) − e^{−(c+s)/2} ≥ (t₀ − e₀) − Σ_{j≥1} |t_j − e_j| h^j − e^{−c/2} e^{h/2} (h/2)^{N+1}/(N+1)! > 0 for
|s| ≤ h uses only rational data and Arb balls.
"""
from __future__ import annotations

from fractions import Fraction

import flint
from flint import arb, fmpq

PREC = 256


def _exact_coefficients(center: Fraction, degree: int) -> list[arb]:
    """Arb balls for the Taylor coefficients e^{−c/2}(−1/2)^j/j!, j ≤ degree."""
    e0 = (-arb(fmpq(center.numerator, center.denominator)) / 2).exp()
    out, fact = [], arb(1)
    for j in range(degree + 1):
        if j:
            fact *= j
        out.append(e0 * arb(fmpq((-1) ** j, 2 ** j)) / fact)
    return out


def _to_fraction_up(x: arb) -> Fraction:
    """A rational ≥ every point of the ball x."""
    man, exp = x.upper().man_exp()
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def lower_gap(center: Fraction, half_width: Fraction, coeffs: list[Fraction]) -> arb:
    """Arb lower bound of T(c+s) − e^{−(c+s)/2} over |s| ≤ h, for T(c+s) = Σ coeffs[j] s^j."""
    old = flint.ctx.prec
    flint.ctx.prec = PREC
    try:
        n = len(coeffs) - 1
        e = _exact_coefficients(center, n)
        h = arb(fmpq(half_width.numerator, half_width.denominator))
        gap = arb(fmpq(coeffs[0].numerator, coeffs[0].denominator)) - e[0]
        for j in range(1, n + 1):
            gap -= abs(arb(fmpq(coeffs[j].numerator, coeffs[j].denominator)) - e[j]) * h ** j
        fact = arb(n + 1).gamma() * (n + 1)  # (N+1)!
        rem = e[0] * (h / 2).exp() * (h / 2) ** (n + 1) / fact
        return gap - rem
    finally:
        flint.ctx.prec = old


def remainder_bound(center: Fraction, half_width: Fraction, degree: int) -> float:
    """The Taylor remainder bound relative to e^{−c/2}: e^{h/2}(h/2)^{N+1}/(N+1)! (for choosing N)."""
    import math

    h = float(half_width) / 2
    return math.exp(h + (degree + 1) * math.log(h) - math.lgamma(degree + 2)) if h > 0 else 0.0


def upper_polynomial(a: Fraction, b: Fraction, rel_tol: float = 1e-13, max_degree: int = 60,
                     digits: int = 40) -> tuple[Fraction, Fraction, list[Fraction]]:
    """(c, h, coefficients in s = u − c) of a rational T ≥ e^{−u/2} on [a, b] with relative excess ≲ rel_tol."""
    c, h = (a + b) / 2, (b - a) / 2
    n = 1
    while remainder_bound(c, h, n) > rel_tol and n < max_degree:
        n += 1
    old = flint.ctx.prec
    flint.ctx.prec = PREC
    try:
        exact = _exact_coefficients(c, n)
        coeffs = []
        for x in exact:
            mid = x.mid()
            man, exp = mid.man_exp()
            f = Fraction(int(man)) * Fraction(2) ** int(exp)
            coeffs.append(Fraction(round(f * 10 ** digits)) / 10 ** digits if f else Fraction(0))
        gap = lower_gap(c, h, coeffs)
        # raise the constant term by the deficit (doubled), rounded up to a short rational
        deficit = _to_fraction_up(-gap) if not gap > 0 else Fraction(0)
        scale = _to_fraction_up(exact[0])
        coeffs[0] += _ceil_digits(2 * deficit + scale * Fraction(1, 10 ** 30), digits)
    finally:
        flint.ctx.prec = old
    return c, h, coeffs


def _ceil_digits(x: Fraction, digits: int) -> Fraction:
    """x rounded up to a multiple of 10^−digits."""
    y = x * 10 ** digits
    return Fraction(-((-y.numerator) // y.denominator), 10 ** digits)
