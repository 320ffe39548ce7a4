"""Cohn–Elkies linear-programming bound in dimension n as a sum-of-squares SDP, solved and certified.

f(x) = Σ a_k L_k^{(α)}(2π|x|²) e^{−π|x|²}, α = n/2 − 1, is a Fourier eigen-expansion, so with
u = 2π|x|²: P(u) = Σ a_k L_k (f) and Q(u) = Σ (−1)^k a_k L_k (f̂). We impose Q ≥ 0 on [0, ∞) and
P ≤ 0 on [u₀, ∞) by Gram certificates (`sos.HalfLineSOS`), Q(0) = 1, minimise P(0); the bound is
(u₀/8)^{n/2}/Γ(n/2+1)·P(0)/Q(0). The a_k are free SDP variables; they are read back as rationals and
every claim is then re-checked exactly (see `certificate`), after a strictly feasible (margin) re-solve.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
import numpy as np
from flint import fmpq, fmpq_poly

from .certificate import build_certificate, verify_certificate, write_certificate
from .exact import odd_multiplicity_part
from .laguerre import combine_exact, gauss_laguerre_nodes, laguerre_exact, laguerre_values_mp
from .problem import BlockSDP, SDPSolution, balance_blocks, residual
from .sos import HalfLineSOS

WORK_DPS = 60


@dataclass
class CohnElkiesSDP:
    """The SOS-SDP for fixed (n, N, u₀): free scaled coefficients â_k = γ_k a_k and four Gram blocks."""

    dim: int
    degree: int
    u0: Fraction
    sdp: BlockSDP
    gamma: np.ndarray


@dataclass
class CohnElkiesSolution:
    """A numerical solve: rational coefficients a_k, u₀, the numerical bound estimate and diagnostics."""

    dim: int
    degree: int
    u0: Fraction
    coefficients: list[Fraction]
    estimate: float
    margin: float
    solver: str
    precision_bits: int | None
    seconds: float
    status: str
    max_residual: float
    history: list[tuple[float, float]] = field(default_factory=list)
    gram_scale: list[np.ndarray] | None = None


def alpha_of(dim: int) -> Fraction:
    """Laguerre parameter α = n/2 − 1."""
    return Fraction(dim, 2) - 1


def volume_factor(dim: int, u0: float) -> float:
    """(u₀/8)^{n/2} / Γ(n/2+1) in floating point (estimates only)."""
    return math.exp(0.5 * dim * math.log(u0 / 8.0) - math.lgamma(dim / 2 + 1))


def build_sdp(dim: int, degree: int, u0: Fraction | float) -> CohnElkiesSDP:
    """Build the sampled-identity SOS-SDP: rows Q(u_j) = Gram_Q(u_j), −P(u₀+v_i) = Gram_P(v_i), Q(0) = 1.

    Rows are weighted by e^{−u/2} (so they read as values of f̂ and f), the free coefficients are
    column-scaled and every row is normalised; data are computed at 60 digits, then rounded to float64.
    """
    if degree % 2 == 0 or degree < 1:
        raise ValueError("degree N must be odd (both sign conditions at ∞ need a_N ≥ 0 with N odd)")
    u0 = Fraction(u0)
    N, d = degree, (degree - 1) // 2
    alpha = alpha_of(dim)
    q_side = HalfLineSOS(d, Fraction(0), Fraction(2), Fraction(max(N, 1)))
    p_side = HalfLineSOS(d, u0, Fraction(2), Fraction(max(N, 1)))
    nodes = gauss_laguerre_nodes(N + 1, 0.0)
    with mpmath.workdps(WORK_DPS):
        al = mpmath.mpf(alpha.numerator) / alpha.denominator
        U0 = mpmath.mpf(u0.numerator) / u0.denominator
        un = [mpmath.mpf(x) for x in nodes]
        wq = [mpmath.exp(-u / 2) for u in un]
        MQ = np.zeros((N + 1, N + 1))
        MP = np.zeros((N + 1, N + 1))
        for j, u in enumerate(un):
            vq = laguerre_values_mp(N, al, u)
            vp = laguerre_values_mp(N, al, U0 + u)
            for k in range(N + 1):
                MQ[j, k] = float((-1) ** k * vq[k] * wq[j])
                MP[j, k] = float(vp[k] * wq[j])
        ell0 = np.array([float(mpmath.binomial(k + al, k)) for k in range(N + 1)])
    gamma = np.maximum(np.abs(MQ).max(axis=0), np.abs(MP).max(axis=0))
    AQ0, AQ1 = q_side.sample_rows(un, wq)
    AP0, AP1 = p_side.sample_rows(un, wq)
    s = d + 1
    m = 2 * (N + 1) + 1
    A = [np.zeros((m, s, s)) for _ in range(4)]
    F = np.zeros((m, N + 1))
    F[: N + 1] = MQ / gamma
    A[0][: N + 1], A[1][: N + 1] = -AQ0, -AQ1
    F[N + 1: 2 * N + 2] = MP / gamma
    A[2][N + 1: 2 * N + 2], A[3][N + 1: 2 * N + 2] = AP0, AP1
    F[2 * N + 2] = ell0 * (-1.0) ** np.arange(N + 1) / gamma
    b = np.zeros(m)
    b[2 * N + 2] = 1.0
    for i in range(m - 1):  # row normalisation (the identities are homogeneous)
        scale = max(np.abs(F[i]).max(), max(np.abs(Ab[i]).max() for Ab in A))
        F[i] /= scale
        for Ab in A:
            Ab[i] /= scale
    c_free = ell0 / gamma
    C = [np.zeros((s, s)) for _ in range(4)]
    sdp = BlockSDP((s, s, s, s), A, b, C, 0.0, F, c_free / np.abs(c_free).max())
    return CohnElkiesSDP(dim, degree, u0, sdp, gamma)


def coefficients_from_q(q: fmpq_poly, dim: int, degree: int) -> list[fmpq]:
    """Exact a_k with Q = Σ (−1)^k a_k L_k^{(α)} (triangular solve from the top degree)."""
    basis = laguerre_exact(degree, alpha_of(dim))
    rem = fmpq_poly(q)
    a = [fmpq(0)] * (degree + 1)
    for k in range(degree, -1, -1):
        ck = rem.coeffs()[k] if rem.degree() >= k else fmpq(0)
        lead = basis[k].coeffs()[k]
        coef = ck / lead
        a[k] = coef * (-1) ** k
        rem -= basis[k] * coef
    assert rem.is_zero()
    return a


def round_rational(x: fmpq, digits: int) -> Fraction:
    """Round to `digits` significant decimal digits, as an exact Fraction (p/10^e)."""
    f = Fraction(int(x.p), int(x.q))
    if f == 0:
        return f
    e = digits - 1 - math.floor(math.log10(abs(f)))
    scaled = f * Fraction(10) ** e
    return Fraction(round(scaled), 1) / Fraction(10) ** e


def _solve_backend(sdp: BlockSDP, backend: str, precision_bits: int | None) -> SDPSolution:
    """Dispatch to the SDPA (sdpap) or cvxpy back-end."""
    if backend == "sdpa":
        from .sdpa_backend import solve_sdpa

        return solve_sdpa(sdp, precision_bits=precision_bits)
    if backend.startswith("cvxpy"):
        from .cvxpy_backend import solve_cvxpy

        solver = backend.split(":", 1)[1].upper() if ":" in backend else "CLARABEL"
        return solve_cvxpy(sdp, solver=solver)
    raise ValueError(f"unknown backend {backend!r}")


def solve_fixed(dim: int, degree: int, u0: Fraction | float, margin: float = 0.0, backend: str = "sdpa",
                precision_bits: int | None = None, digits: int = 30,
                gram_scale: list[np.ndarray] | None = None) -> CohnElkiesSolution:
    """Solve at fixed u₀; `margin` > 0 re-solves with each Gram block ⪰ margin·λ_max(unmargined block)·I.

    (A margin shaped like Diag(Y) was tried and is worse: it costs more and still fails in dimension 24.)

    The free variables are the (scaled) a_k; they are read back exactly (float → rational) and rounded
    to `digits` significant digits; nothing about them is trusted until `certify`.
    """
    u0 = Fraction(u0).limit_denominator(10**12) if not isinstance(u0, Fraction) else u0
    t0 = time.perf_counter()
    ce = build_sdp(dim, degree, u0)
    balanced, sig, _ = balance_blocks(ce.sdp)
    lam = gram_scale
    if margin <= 0 or lam is None:
        sol = _solve_backend(balanced, backend, precision_bits)
        lam = [max(float(np.linalg.eigvalsh(y).max()), 0.0) * np.ones(y.shape[0]) for y in sol.Y]
    if margin > 0:
        # Y_b ⪰ margin·λ_max(unmargined Y_b)·I: a strictly feasible point that survives rounding
        E = [margin * np.diag(d) for d in lam]
        sol = _solve_backend(balanced.with_margin(E), backend, precision_bits)
        sol.Y = [y + e for y, e in zip(sol.Y, E)]
    Y = [y / sb for y, sb in zip(sol.Y, sig)]
    res = float(np.max(np.abs(residual(ce.sdp, Y, sol.x))))
    a = [Fraction(float(xk)) / Fraction(float(gk)) for xk, gk in zip(sol.x, ce.gamma)]
    coeffs = [round_rational(fmpq(x.numerator, x.denominator), digits) for x in a]
    est = estimate_bound(dim, u0, coeffs)
    return CohnElkiesSolution(dim, degree, u0, coeffs, est, margin, sol.backend, precision_bits,
                              time.perf_counter() - t0, sol.status, res, gram_scale=lam)


def estimate_bound(dim: int, u0: Fraction, coeffs: list[Fraction]) -> float:
    """Numerical (uncertified) value (u₀/8)^{n/2}/Γ(n/2+1)·P(0)/Q(0) in 50-digit arithmetic."""
    al = alpha_of(dim)
    with mpmath.workdps(50):
        a = mpmath.mpf(al.numerator) / al.denominator
        ell0 = [mpmath.binomial(k + a, k) for k in range(len(coeffs))]
        P0 = sum(mpmath.mpf(c.numerator) / c.denominator * l for c, l in zip(coeffs, ell0))
        Q0 = sum((-1) ** k * mpmath.mpf(c.numerator) / c.denominator * l for k, (c, l) in enumerate(zip(coeffs, ell0)))
        uu = mpmath.mpf(u0.numerator) / u0.denominator
        v = (uu / 8) ** (mpmath.mpf(dim) / 2) / mpmath.gamma(mpmath.mpf(dim) / 2 + 1) * P0 / Q0
        return float(v)


class CertificationError(RuntimeError):
    """Raised when the exact check of a rounded solution fails (the number is then only an estimate)."""


def bumped_u0(dim: int, u0: Fraction, coeffs: list[Fraction], rel: float = 1e-6) -> Fraction:
    """Smallest convenient rational u₀' ≥ u₀ past every sign change of P in [u₀, u₀(1+rel)].

    At the optimum P has a simple root at u₀ itself; after rounding it may sit a hair to the right.
    Moving u₀ past it costs a factor (u₀'/u₀)^{n/2} ≈ 1 and the verifier re-checks everything anyway.
    """
    import flint

    P = combine_exact(coeffs, alpha_of(dim), alternate=False)
    g = odd_multiplicity_part(-P)
    if g.degree() <= 0:
        return u0
    limit = float(u0) * (1 + rel)
    best = u0
    for c, _ in flint.fmpz_poly(g.numer().coeffs()).complex_roots():
        if c.imag.is_zero():
            man, exp = c.real.upper().man_exp()
            hi = Fraction(int(man)) * Fraction(2) ** int(exp)
            if u0 <= hi <= Fraction(limit):
                best = max(best, hi)
    if best == u0:
        return u0
    # a short rational just above `best`
    for den in (10**9, 10**12, 10**15, 10**18, 10**21):
        cand = Fraction(-((-best.numerator * den) // best.denominator), den)
        if best < cand <= best * (1 + Fraction(1, 10**12)):
            return cand
    return best


def certify(solution: CohnElkiesSolution, command: str = "", digits: int = 8,
            method: str = "isolation") -> dict:
    """Round-trip a numerical solution through the exact verifier; return the certificate dict or raise.

    If P's only offending sign change is a hair to the right of u₀, u₀ is moved past it first.
    """
    t0 = time.perf_counter()
    new_u0 = bumped_u0(solution.dim, solution.u0, solution.coefficients)
    if new_u0 != solution.u0:
        solution.u0 = new_u0
    extra = {
        "degree": solution.degree,
        "radius": f"{math.sqrt(float(solution.u0) / (2 * math.pi)):.12f}",
        "numerical_estimate": f"{solution.estimate:.12g}",
        "solver": solution.solver,
        "precision_bits": solution.precision_bits,
        "gram_margin": solution.margin,
        "command": command,
    }
    data = build_certificate(solution.dim, solution.u0, solution.coefficients, extra, digits=digits)
    result = verify_certificate(data, method=method)
    if not result.ok:
        raise CertificationError(result.reason)
    data["seconds"] = {"solve": round(solution.seconds, 3), "certify": round(time.perf_counter() - t0, 3)}
    data["certified_interval"] = [result.bound_lower, result.bound_upper]
    return data


def golden_section(fun, lo: float, hi: float, iterations: int) -> tuple[float, float, list[tuple[float, float]]]:
    """Minimise a unimodal function on [lo, hi] by golden-section search; returns (x*, f*, history)."""
    g = (math.sqrt(5) - 1) / 2
    hist: list[tuple[float, float]] = []

    def f(x: float) -> float:
        v = fun(x)
        hist.append((x, v))
        return v

    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(iterations):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    x, v = min(hist, key=lambda t: t[1])
    return x, v, hist


def _safe_estimate(dim: int, degree: int, u0: float, precision_bits: int | None) -> float:
    """Bound estimate at u₀, +inf when the solve fails (keeps the r search inside the sane region)."""
    try:
        sol = solve_fixed(dim, degree, u0, precision_bits=precision_bits, digits=30)
    except Exception:
        return float("inf")
    if sol.max_residual > 1e-8 or not math.isfinite(sol.estimate) or sol.estimate <= 0:
        return float("inf")
    return sol.estimate


def optimise_u0(dim: int, degree: int, bracket: tuple[float, float] | None = None, iterations: int = 12,
                precision_bits: int | None = 128) -> tuple[float, list[tuple[float, float]]]:
    """Golden-section search of u₀ = 2πr² for fixed degree (bracket from a coarse scan r ∈ [0.8, 2.2])."""
    if bracket is None:
        grid = [2 * math.pi * r * r for r in (0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.2)]
        vals = [(u, _safe_estimate(dim, degree, u, precision_bits)) for u in sorted(set(grid))]
        best = min(range(len(vals)), key=lambda i: vals[i][1])
        lo = vals[max(best - 1, 0)][0]
        hi = vals[min(best + 1, len(vals) - 1)][0]
        if lo == hi:
            lo, hi = lo * 0.8, hi * 1.2
        pre = vals
    else:
        lo, hi = bracket
        pre = []
    x, _, hist = golden_section(lambda u: _safe_estimate(dim, degree, u, precision_bits), lo, hi, iterations)
    return x, pre + hist


def solve_cohn_elkies(dim: int, degree: int, r: float | None = None, search_degree: int | None = None,
                      precision_bits: int | None = 128, margins: tuple[float, ...] = (1e-15, 1e-13, 1e-11, 1e-9),
                      digits: int = 30, search_iterations: int = 12, backend: str = "sdpa",
                      refine_iterations: int = 0) -> CohnElkiesSolution:
    """Solve the LP bound at odd degree N; r=None optimises r (u₀) first at `search_degree` (default N),
    then (refine_iterations > 0) polishes u₀ at degree N by golden section on [0.9u₀, 1.1u₀]."""
    t0 = time.perf_counter()
    history: list[tuple[float, float]] = []
    if r is None:
        u0f, history = optimise_u0(dim, search_degree or degree, iterations=search_iterations,
                                   precision_bits=precision_bits)
        if refine_iterations > 0 and (search_degree or degree) != degree:
            u0f, more = optimise_u0(dim, degree, bracket=(0.9 * u0f, 1.1 * u0f), iterations=refine_iterations,
                                    precision_bits=precision_bits)
            history += more
    else:
        u0f = 2 * math.pi * r * r
    u0 = Fraction(u0f).limit_denominator(10**9)
    sol = solve_fixed(dim, degree, u0, margin=margins[0], backend=backend, precision_bits=precision_bits,
                      digits=digits)
    sol.history = history
    sol.seconds = time.perf_counter() - t0
    return sol


def solve_and_certify(dim: int, degree: int, r: float | None = None, search_degree: int | None = None,
                      precision_bits: int | None = 128, margins: tuple[float, ...] = (1e-15, 1e-13, 1e-11, 1e-9),
                      command: str = "", search_iterations: int = 12, backend: str = "sdpa",
                      digits: int = 30, refine_iterations: int = 0) -> tuple[dict, CohnElkiesSolution]:
    """Solve, then certify; on an exact-check failure re-solve with a larger Gram margin."""
    t0 = time.perf_counter()
    sol = solve_cohn_elkies(dim, degree, r, search_degree, precision_bits, margins, digits, search_iterations,
                            backend, refine_iterations)
    last = ""
    u0 = sol.u0
    for i, eps in enumerate(margins):
        if i > 0:
            hist = sol.history
            sol = solve_fixed(dim, degree, u0, margin=eps, backend=backend, precision_bits=precision_bits,
                              digits=digits, gram_scale=sol.gram_scale)
            sol.history = hist
        sol.seconds = time.perf_counter() - t0
        try:
            return certify(sol, command=command), sol
        except CertificationError as exc:
            last = str(exc)
    raise CertificationError(f"all margins failed; last: {last}")


def main(argv: list[str] | None = None) -> int:
    """CLI: solve and certify the Cohn–Elkies bound, write cohn_elkies_d{n}.json into --out."""
    ap = argparse.ArgumentParser(prog="python -m searchlab.solvers.sdp.cohn_elkies", description=__doc__)
    ap.add_argument("--dim", type=int, required=True)
    ap.add_argument("--degree", type=int, default=31, help="odd degree N of the Laguerre expansion")
    ap.add_argument("--r", type=float, default=None, help="fixed radius (default: optimise)")
    ap.add_argument("--search-degree", type=int, default=None, help="degree used while optimising r")
    ap.add_argument("--search-iterations", type=int, default=12)
    ap.add_argument("--refine-iterations", type=int, default=0,
                    help="golden-section steps polishing r at the final degree (when --search-degree differs)")
    ap.add_argument("--precision-bits", type=int, default=128, help="mpfPrecision of the GMP build")
    ap.add_argument("--backend", default="sdpa", help="sdpa | cvxpy[:SOLVER]")
    ap.add_argument("--margins", default="1e-15,1e-13,1e-11,1e-9",
                    help="relative Gram margins tried in turn until the exact check passes")
    ap.add_argument("--export", default=None,
                    help="also write the (balanced, unmargined) SDP at the final u0 in SDPA sparse format")
    ap.add_argument("--out", default="results/sphere_packing/")
    args = ap.parse_args(argv)
    command = "python -m searchlab.solvers.sdp.cohn_elkies " + " ".join(sys.argv[1:] if argv is None else argv)
    try:
        margins = tuple(float(m) for m in args.margins.split(","))
        data, sol = solve_and_certify(args.dim, args.degree, args.r, args.search_degree, args.precision_bits,
                                      margins=margins, command=command, search_iterations=args.search_iterations,
                                      backend=args.backend, refine_iterations=args.refine_iterations)
    except CertificationError as exc:
        print(f"NOT certified (estimate only): {exc}", file=sys.stderr)
        return 1
    if args.export:
        from .sdpa_format import write_sdpa

        write_sdpa(balance_blocks(build_sdp(args.dim, args.degree, sol.u0).sdp)[0], args.export)
    path = write_certificate(args.out, f"cohn_elkies_d{args.dim}", data)
    print(f"dimension {args.dim}: numerical ≈ {sol.estimate:.10f}; certified ≤ {data['bound']} "
          f"(degree {args.degree}, r ≈ {data['radius']}) -> {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
