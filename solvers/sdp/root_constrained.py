"""Cohn–Elkies certificates by imposed double roots (the classic Cohn–Elkies construction), no SDP.

For an even unimodular lattice Λ ⊂ ℝⁿ with minimal norm m₀ = r² (E8: 2, Leech: 4) the optimal f has a simple
root at |x|² = m₀ and double roots near the further norms, and f̂ double roots near every nonzero norm. With
u = 2π|x|², P = Σ a_k L_k^{(α)} (f) and Q = Σ (−1)^k a_k L_k^{(α)} (f̂), for odd degree N we impose

* Q(0) = 1 and P(u₀) = 0 with u₀ = 2π m₀,
* P(p_j) = P'(p_j) = 0 for m_P double-root positions p_j > u₀, Q(q_j) = Q'(q_j) = 0 for m_Q positions q_j > 0,

with 2(m_P + m_Q) + 2 = N + 1, which is a square linear system for a_0..a_N, solved in mpmath at high
precision. The positions start just above the lattice norms (m₀ + 2j) and are moved by BFGS to minimise
P(0); the gradient is exact, by the adjoint of the linear system (∂P(0)/∂p_j = −λ_{P'(p_j)} · P''(p_j)).

Certification never trusts any of this numerics: the a_k are rounded to `digits` significant digits, a
tiny multiple ε of g = 12·L_0 + L_1 (for n = 24; in general (α+1)L_0 + L_1, with Q_g = u > 0 and
P_g = 2(α+1) − u < 0 on [u₀, ∞) when u₀ > 2(α+1)) is added so that the imposed double roots cannot split
into sign changes after rounding, u₀ is rounded up to a rational, and `certificate.verify_certificate`
re-checks everything exactly (root isolation).

    python -m searchlab.solvers.sdp.root_constrained --dim 24 --degree 63 --out results/sphere_packing/
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from fractions import Fraction
from pathlib import Path

import mpmath
import numpy as np
from scipy.optimize import minimize

from .certificate import build_certificate, verify_certificate
from .laguerre import laguerre_values_mp

# minimal norms of the even unimodular lattices whose magic functions this construction approximates
MIN_NORM = {8: 2, 24: 4}


def _rows(degree: int, alpha, u, alternate: bool):
    """Rows (value, first and second u-derivative) of Σ a_k (±1)^k L_k^{(α)}(u) as linear forms in a."""
    v = laguerre_values_mp(degree, alpha, u)
    w1 = laguerre_values_mp(degree, alpha + 1, u)
    w2 = laguerre_values_mp(degree, alpha + 2, u)
    d1 = [mpmath.mpf(0)] + [-w1[k - 1] for k in range(1, degree + 1)]       # (L_k^α)' = −L_{k−1}^{α+1}
    d2 = [mpmath.mpf(0)] * min(2, degree + 1) + [w2[k - 2] for k in range(2, degree + 1)]
    sign = [(-1) ** k if alternate else 1 for k in range(degree + 1)]
    return ([s * x for s, x in zip(sign, v)], [s * x for s, x in zip(sign, d1)], [s * x for s, x in zip(sign, d2)])


def split_roots(degree: int) -> tuple[int, int]:
    """(m_P, m_Q) for odd degree N: m_P + m_Q = (N−1)/2, with m_Q = m_P + 1 when that sum is odd."""
    if degree % 2 == 0 or degree < 3:
        raise ValueError("degree must be odd and ≥ 3")
    m = (degree - 1) // 2
    mp_ = (m - 1) // 2 if m % 2 else m // 2
    return mp_, m - mp_


def solve_roots(dim: int, degree: int, min_norm: float, p_norms, q_norms, gradient: bool = False):
    """Solve the square root-constrained system at the current mpmath precision.

    `p_norms`, `q_norms` are double-root positions in units of |x|² (u = 2π|x|²). Returns the coefficients
    (mpf), P(0) (= P(0)/Q(0), since Q(0) = 1) and, if asked, ∂P(0)/∂(position) for every position.
    """
    alpha = mpmath.mpf(dim) / 2 - 1
    two_pi = 2 * mpmath.pi
    ell0 = [mpmath.binomial(k + alpha, k) for k in range(degree + 1)]
    rows = [[(-1) ** k * ell0[k] for k in range(degree + 1)],
            _rows(degree, alpha, two_pi * mpmath.mpf(min_norm), False)[0]]
    second = []
    for norms, alt in ((p_norms, False), (q_norms, True)):
        for x in norms:
            v, d1, d2 = _rows(degree, alpha, two_pi * mpmath.mpf(x), alt)
            rows += [v, d1]
            second.append(d2)
    if len(rows) != degree + 1:
        raise ValueError(f"{len(rows)} conditions for {degree + 1} unknowns")
    A = mpmath.matrix(rows)
    sol = mpmath.lu_solve(A, mpmath.matrix([1] + [0] * degree))
    coeffs = [sol[k] for k in range(degree + 1)]
    p0 = mpmath.fsum(c * e for c, e in zip(coeffs, ell0))
    if not gradient:
        return coeffs, p0, None
    lam = mpmath.lu_solve(A.T, mpmath.matrix(ell0))
    grad = []
    for i, d2 in enumerate(second):
        curvature = mpmath.fsum(c * d for c, d in zip(coeffs, d2))
        grad.append(-lam[3 + 2 * i] * curvature * two_pi)
    return coeffs, p0, grad


def initial_positions(degree: int, min_norm: float) -> tuple[list[float], list[float]]:
    """Start: P's double roots a little above m₀+2, m₀+4, …; Q's a little above m₀, m₀+2, …"""
    mp_, mq = split_roots(degree)
    grow = 0.03 * 31 / degree
    return ([min_norm + 2 + 2 * j + grow * j * j for j in range(mp_)],
            [min_norm + 2 * j + grow * j * j for j in range(mq)])


def optimise_positions(dim: int, degree: int, min_norm: float, dps: int = 80, maxiter: int = 300):
    """BFGS over the double-root positions, minimising P(0)/Q(0); returns (p_norms, q_norms, ratio)."""
    p_init, q_init = initial_positions(degree, min_norm)
    n_p = len(p_init)
    scale = 1e4

    def fun(z):
        try:
            with mpmath.workdps(dps):
                _, p0, grad = solve_roots(dim, degree, min_norm, list(z[:n_p]), list(z[n_p:]), gradient=True)
        except ZeroDivisionError:
            return 1e9, np.zeros(len(z))
        return float((p0 - 1) * scale), np.array([float(g) * scale for g in grad])

    res = minimize(fun, np.array(p_init + q_init, dtype=float), jac=True, method="BFGS",
                   options={"maxiter": maxiter, "gtol": 1e-12})
    return [float(x) for x in res.x[:n_p]], [float(x) for x in res.x[n_p:]], 1 + res.fun / scale


def round_sig(x: mpmath.mpf, digits: int) -> Fraction:
    """x rounded to `digits` significant decimal digits, as an exact rational."""
    if x == 0:
        return Fraction(0)
    s = mpmath.nstr(x, digits, min_fixed=1, max_fixed=0)
    mant, _, exp = s.partition("e")
    return Fraction(mant) * Fraction(10) ** int(exp or 0)


def rational_certificate(dim: int, degree: int, min_norm: float, p_norms, q_norms, dps: int = 200,
                         digits: int = 60, eps_factor: float = 1e3):
    """High-precision solve, rounding, the ε·g guard and a rational u₀ ≥ 2π m₀; returns (u₀, coeffs, ε)."""
    with mpmath.workdps(dps):
        coeffs, _, _ = solve_roots(dim, degree, min_norm, p_norms, q_norms)
        rounded = [round_sig(c, digits) for c in coeffs]
        alpha = mpmath.mpf(dim) / 2 - 1
        # size of the rounding error Σ|Δa_k||L_k(u)| relative to u, over the imposed roots
        worst = mpmath.mpf(0)
        for x, is_p in [(x, True) for x in p_norms] + [(x, False) for x in q_norms]:
            u = 2 * mpmath.pi * x
            vals = laguerre_values_mp(degree, alpha, u)
            err = mpmath.fsum(abs(c) * abs(v) for c, v in zip(coeffs, vals)) * mpmath.mpf(10) ** (1 - digits)
            worst = max(worst, err / (u - 2 * (alpha + 1) if is_p else u))
        eps = round_sig(worst * eps_factor, 3)
        u0 = Fraction(mpmath.nstr(mpmath.ceil(2 * mpmath.pi * min_norm * mpmath.mpf(10) ** 40), 60)) / 10**40
    # guard g = (α+1)L_0 + L_1: Q_g = u, P_g = 2(α+1) − u
    alpha_q = Fraction(dim, 2) - 1
    rounded[0] += eps * (alpha_q + 1)
    rounded[1] += eps
    return u0, rounded, eps


def certify_roots(dim: int, degree: int, min_norm: float | None = None, dps: int = 80, cert_dps: int = 200,
                  digits: int = 60, command: str = "", verbose: bool = True) -> dict:
    """Optimise the root positions, build the rational certificate and verify it exactly; raise if invalid."""
    min_norm = MIN_NORM[dim] if min_norm is None else min_norm
    t0 = time.perf_counter()
    p_norms, q_norms, ratio = optimise_positions(dim, degree, min_norm, dps)
    t1 = time.perf_counter()
    if verbose:
        print(f"n={dim} N={degree}: P(0)/Q(0) ≈ {ratio:.12f}; P roots {np.round(p_norms, 4).tolist()}, "
              f"Q roots {np.round(q_norms, 4).tolist()} ({t1 - t0:.1f} s)", file=sys.stderr)
    u0, coeffs, eps = rational_certificate(dim, degree, min_norm, p_norms, q_norms, cert_dps, digits)
    vol = float((2 * math.pi * min_norm / 8) ** (dim / 2) / math.gamma(dim / 2 + 1))
    extra = {
        "degree": degree,
        "radius": f"{math.sqrt(min_norm):.12f}",
        "numerical_estimate": f"{vol * ratio:.12g}",
        "solver": "root-constrained (mpmath linear solves + BFGS over double-root positions)",
        "precision_bits": int(cert_dps * 3.3219),
        "gram_margin": None,
        "guard_epsilon": str(eps),
        "rounding_digits": digits,
        "double_roots_P_norms": [f"{x:.10f}" for x in p_norms],
        "double_roots_Q_norms": [f"{x:.10f}" for x in q_norms],
        "command": command,
    }
    data = build_certificate(dim, u0, coeffs, extra)
    result = verify_certificate(data)
    if not result.ok:
        raise RuntimeError(f"exact check failed: {result.reason}")
    data["seconds"] = {"solve": round(t1 - t0, 3), "certify": round(time.perf_counter() - t1, 3)}
    data["certified_interval"] = [result.bound_lower, result.bound_upper]
    return data


def main(argv: list[str] | None = None) -> int:
    """CLI: optimise, certify and write cohn_elkies_d{n}.json."""
    ap = argparse.ArgumentParser(prog="python -m searchlab.solvers.sdp.root_constrained")
    ap.add_argument("--dim", type=int, required=True, choices=sorted(MIN_NORM))
    ap.add_argument("--degree", type=int, required=True, help="odd polynomial degree N")
    ap.add_argument("--dps", type=int, default=80, help="mpmath digits for the optimisation")
    ap.add_argument("--digits", type=int, default=60, help="significant digits of the rational coefficients")
    ap.add_argument("--out", type=Path, default=None, help="directory for cohn_elkies_d{n}.json")
    args = ap.parse_args(argv)
    command = "python -m searchlab.solvers.sdp.root_constrained " + " ".join(argv if argv is not None else sys.argv[1:])
    data = certify_roots(args.dim, args.degree, dps=args.dps, digits=args.digits, command=command)
    print(f"n={args.dim} N={args.degree}: certified density ≤ {data['bound']} "
          f"(interval {data['certified_interval']}, {data['seconds']})")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"cohn_elkies_d{args.dim}.json"
        path.write_text(json.dumps(data, indent=1) + "\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
