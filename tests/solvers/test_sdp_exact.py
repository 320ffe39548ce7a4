"""Exact half-line sign checks on hand-made polynomials, by both independent methods (Arb isolation, Sturm)."""
from __future__ import annotations

import pytest
from flint import fmpq, fmpq_poly

from searchlab.solvers.sdp.exact import (count_roots_isolation, count_roots_sturm, nonnegative_on_halfline,
                                         nonpositive_on_halfline, odd_multiplicity_part)

x = fmpq_poly([0, 1])
METHODS = ("isolation", "sturm")

CASES = [
    # (polynomial, a, expected p >= 0 on [a, inf))
    ((x - 2) ** 2 * (x + 1), fmpq(0), True),          # double root inside: touches zero, still valid
    ((x - 2) * (x - 3), fmpq(0), False),               # negative on (2, 3)
    ((x - 2) * (x - 3), fmpq(3), True),                # root exactly at the endpoint
    ((x - 2) * (x - 3) ** 3, fmpq(5, 2), False),       # odd multiplicity 3 inside
    (x ** 2 + 1, fmpq(-5), True),                      # no real roots
    (-(x - 1), fmpq(0), False),                        # negative leading coefficient
    ((x - fmpq(1, 3)) ** 3, fmpq(1, 3), True),         # triple root at the endpoint
    ((x - fmpq(10 ** 12 + 1, 10 ** 12)) * (x - 5) ** 2, fmpq(1), False),  # root a hair right of a
    ((x - fmpq(10 ** 12 - 1, 10 ** 12)) * (x - 5) ** 2, fmpq(1), True),   # root a hair left of a
    ((x ** 2 - 2) * (x - 7) ** 2, fmpq(3, 2), True),   # irrational root √2 < 3/2
    ((x ** 2 - 2) * (x - 7) ** 2, fmpq(7, 5), False),  # √2 > 7/5
]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("poly,a,expected", CASES)
def test_nonnegative(method: str, poly: fmpq_poly, a: fmpq, expected: bool) -> None:
    assert nonnegative_on_halfline(poly, a, method).ok is expected


@pytest.mark.parametrize("method", METHODS)
def test_nonpositive_is_mirror(method: str) -> None:
    p = -((x - 4) ** 2) * (x + 2)
    assert nonpositive_on_halfline(p, fmpq(0), method).ok
    assert not nonpositive_on_halfline(p + fmpq(1, 10 ** 9), fmpq(0), method).ok


def test_methods_agree_on_root_counts() -> None:
    p = (x - 1) * (x - fmpq(3, 2)) * (x - 8) * (x ** 2 + 3) * (x + 4)
    g = odd_multiplicity_part(p)
    for a in (fmpq(0), fmpq(5, 4), fmpq(2), fmpq(9)):
        assert count_roots_sturm(g, a) == count_roots_isolation(g, a)


def test_odd_part_drops_even_factors() -> None:
    p = (x - 1) ** 2 * (x - 2) ** 3 * (x - 3)
    g = odd_multiplicity_part(p)
    assert g / g.leading_coefficient() == (x - 2) * (x - 3)
