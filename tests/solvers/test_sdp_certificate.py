"""The pure verifier: a hand-made valid certificate passes; tampering (coefficient, bound, u₀) is rejected."""
from __future__ import annotations

import copy
import json
import math
from fractions import Fraction

import pytest

from searchlab.solvers.sdp.certificate import (bound_enclosure, build_certificate, parse_rational,
                                               verify_certificate)

METHODS = ("isolation", "sturm")


def hand_made() -> dict:
    """n = 1, a = (1, 1): P = 3/2 − u ≤ 0 on [3/2, ∞), Q = 1/2 + u ≥ 0, bound √(3/16)/Γ(3/2)·3 ≈ 1.4658."""
    return build_certificate(1, Fraction(3, 2), [Fraction(1), Fraction(1)])


@pytest.mark.parametrize("method", METHODS)
def test_hand_made_valid(method: str) -> None:
    data = hand_made()
    res = verify_certificate(data, method=method)
    assert res.ok, res.reason
    expected = math.sqrt(3 / 16) / math.gamma(1.5) * 3
    assert float(res.bound_lower) <= expected <= float(res.bound_upper)
    assert parse_rational(data["bound"]) >= Fraction(res.bound_upper)


@pytest.mark.parametrize("method", METHODS)
def test_coefficient_changed(method: str) -> None:
    data = hand_made()
    data["laguerre_coefficients"][1] = "1/2"  # P = 5/4 − u/2 > 0 on [3/2, 5/2)
    res = verify_certificate(data, method=method)
    assert not res.ok and "P" in res.reason


@pytest.mark.parametrize("method", METHODS)
def test_bound_lowered(method: str) -> None:
    data = hand_made()
    data["bound"] = "1.4"
    res = verify_certificate(data, method=method)
    assert not res.ok and "below" in res.reason


@pytest.mark.parametrize("method", METHODS)
def test_u0_shrunk(method: str) -> None:
    data = hand_made()
    data["u0"] = "1"
    res = verify_certificate(data, method=method)
    assert not res.ok and "P" in res.reason


def test_q_negative_rejected() -> None:
    data = build_certificate(1, Fraction(3, 2), [Fraction(1), Fraction(3)])  # Q = −1/2 + 3u
    assert not verify_certificate(data).ok


def test_malformed_rejected() -> None:
    data = hand_made()
    for key, value in (("format", "x"), ("dimension", 0), ("u0", 1.5), ("laguerre_coefficients", ["a/b"]),
                       ("degree", 7)):
        bad = copy.deepcopy(data)
        bad[key] = value
        assert not verify_certificate(bad).ok


def test_enclosure_e8_volume() -> None:
    # with P(0)/Q(0) = 1 and u₀ = 4π the bound is the E8 density π⁴/384; u₀ rational so bracket π
    lo = bound_enclosure(8, 4 * Fraction(314159265358979, 10 ** 14), Fraction(1), Fraction(1))
    hi = bound_enclosure(8, 4 * Fraction(314159265358980, 10 ** 14), Fraction(1), Fraction(1))
    assert float(lo.upper()) <= math.pi ** 4 / 384 <= float(hi.lower()) + 1e-15


def test_cli_writes_a_certificate_that_verifies(tmp_path, capsys):
    from searchlab.solvers.sdp import cohn_elkies
    assert cohn_elkies.main(["--dim", "3", "--degree", "7", "--out", str(tmp_path)]) == 0
    path = tmp_path / "cohn_elkies_d3.json"
    assert str(path) in capsys.readouterr().out
    assert verify_certificate(json.loads(path.read_text())).ok
