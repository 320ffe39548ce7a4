"""The half-line SOS layer: Gram matrices ⪰ 0 give polynomials ≥ 0 on [shift, ∞) (checked exactly), and the
sampled rows reproduce the exact polynomial's weighted values."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from flint import fmpq

from searchlab.solvers.sdp.cohn_elkies import coefficients_from_q
from searchlab.solvers.sdp.exact import nonnegative_on_halfline
from searchlab.solvers.sdp.laguerre import combine_exact
from searchlab.solvers.sdp.sos import HalfLineSOS


def random_psd(n: int, rng: np.random.Generator, rank: int | None = None) -> np.ndarray:
    """A random PSD matrix of the given rank."""
    B = rng.standard_normal((n, rank or n))
    return B @ B.T


def test_gram_gives_nonnegative_polynomial() -> None:
    rng = np.random.default_rng(0)
    sos = HalfLineSOS(4, shift=Fraction(7, 2), scale=Fraction(2), multiplier_scale=Fraction(9))
    p = sos.exact_polynomial(random_psd(5, rng, 2), random_psd(5, rng, 1))
    assert p.degree() == 9
    for method in ("isolation", "sturm"):
        assert nonnegative_on_halfline(p, fmpq(7, 2), method).ok
    # a strictly negative shift of the constant breaks it somewhere on the half-line
    assert not nonnegative_on_halfline(p - p(fmpq(7, 2)) - 1, fmpq(7, 2)).ok


def test_sample_rows_match_exact_polynomial() -> None:
    rng = np.random.default_rng(1)
    sos = HalfLineSOS(3, shift=Fraction(0), scale=Fraction(2), multiplier_scale=Fraction(7),
                      alpha0=Fraction(1, 2), alpha1=Fraction(3, 2))
    S0, S1 = random_psd(4, rng), random_psd(4, rng)
    p = sos.exact_polynomial(S0, S1)
    pts = [0.25, 1.5, 6.0, 13.0]
    w = [math.exp(-t / 2) for t in pts]
    r0, r1 = sos.sample_rows(pts, w)
    for j, t in enumerate(pts):
        lhs = float(np.sum(r0[j] * S0) + np.sum(r1[j] * S1))
        f = Fraction(t)
        exact = float(p(fmpq(f.numerator, f.denominator))) * w[j]
        assert abs(lhs - exact) < 1e-9 * max(1.0, abs(exact))


def test_laguerre_coefficient_round_trip() -> None:
    a = [Fraction(3), Fraction(-1, 2), Fraction(2, 7), Fraction(0), Fraction(1, 11)]
    q = combine_exact(a, Fraction(3), alternate=True)
    back = coefficients_from_q(q, 8, 4)
    assert [Fraction(int(x.p), int(x.q)) for x in back] == a
