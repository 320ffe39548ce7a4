"""Three-point (Cohn–de Laat–Salmon) sphere-packing bounds: build the SOS-SDP, solve it, round and certify.

Why the bound holds (CdLS Thm 1.1, re-derived): for a periodic packing X = Λ + {c₁..c_N} with minimal
distance r, Poisson summation gives Σ_{c, y∈X} f₂(y − c) ≥ N² f̂₂(0)/vol(Λ) (f̂₂ ≥ 0), and for each centre c
positive definiteness gives Σ_{y, z ∈ X ∩ B(c, R)} f₃(y − c, z − c) ≥ 0. Splitting both sums by which of
c, y, z coincide, the sign conditions (see `three_point_kernel`) bound the total by N(f₂(0) + f₃(0, 0)).

SDP (all data computed exactly or at 60 digits, then float64 for the solver; nothing trusted afterwards):
  free a (Laguerre coefficients, column-scaled); PSD F_k (k ≤ K) for f₃;
  Q ≥ ε on [0, ∞), −P ≥ ε on [u_R, ∞)               — half-line Gram blocks (`cohn_elkies.build_sdp`);
  −(P + 2A + B·T) − ε = interval SOS on [u₀, u_R]    — T ≥ e^{−u/2} a proven rational upper polynomial;
  −p₃ − ε = Σ_g g·σ_g on D, in x ∈ [−1, 1]³           — g from the multiplier vocabulary, σ_g Gram blocks;
  Q(0) = 1, minimise P(0) + F₀[0,0].
The solution is rounded to rationals and re-checked exactly by `three_point_certificate.verify`.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations_with_replacement

import mpmath
import numpy as np

from .certificate import write_certificate
from .cohn_elkies import WORK_DPS, alpha_of, build_sdp as build_two_point
from .exp_bound import upper_polynomial
from .laguerre import laguerre_values_mp
from .problem import BlockSDP, SDPSolution, balance_blocks, residual
from .three_point_kernel import (Box, block_sizes, format_token, kernel_monomials, lam_of, multiplier,
                                 multiplier_degree, symmetric_closure)
from .gegenbauer import value_at_one

BASE_MULTIPLIERS = ((1,), (2,), (3,), (4,), (5,))
"""Always present: the linear constraints that define the domain (Putinar's quadratic module generators)."""
DEFAULT_MULTIPLIERS = ((6,), (1, 2))


@dataclass(frozen=True)
class ThreePointSpec:
    """One SDP of the family: dimension, degrees, radii (as u₀ = 2πr², u_R = 2πR²) and extra SOS multipliers
    (the linear ones, `BASE_MULTIPLIERS`, are always added; the set is closed under u ↔ v)."""

    dim: int
    degree2: int
    degree3: int
    u0: Fraction
    uR: Fraction
    multipliers: tuple[tuple[int, ...], ...] = DEFAULT_MULTIPLIERS

    def __post_init__(self) -> None:
        if self.dim < 3:
            raise ValueError("three-point bounds need dimension n ≥ 3")
        if self.degree2 % 2 == 0 or self.degree2 < 3:
            raise ValueError("degree2 (two-point) must be odd and ≥ 3")
        if self.degree3 < 1:
            raise ValueError("degree3 must be ≥ 1")
        if not 0 < self.u0 < self.uR:
            raise ValueError("need 0 < r < R")
        object.__setattr__(self, "multipliers", symmetric_closure(BASE_MULTIPLIERS + tuple(self.multipliers)))
        for tok in self.multipliers:
            if multiplier_degree(tok) > self.sos_degree:
                raise ValueError(f"multiplier {format_token(tok)} has degree above the SOS degree {self.sos_degree}")

    @property
    def scale(self) -> Fraction:
        """S in the radial basis (u/S)^i: u_R rounded to a short rational."""
        return Fraction(self.uR).limit_denominator(1000)

    @property
    def sos_degree(self) -> int:
        """Degree D of the trivariate identity: K (a higher D would force top-degree Gram parts to cancel,
        so no strictly feasible point would exist)."""
        return self.degree3

    @staticmethod
    def from_radii(dim: int, degree2: int, degree3: int, r: float, R: float, multipliers=DEFAULT_MULTIPLIERS,
                   ) -> "ThreePointSpec":
        """Spec from r < R (u₀ = 2πr², u_R = 2πR² rounded to rationals with denominators ≤ 10⁹)."""
        u0 = Fraction(2 * math.pi * r * r).limit_denominator(10**9)
        uR = Fraction(2 * math.pi * R * R).limit_denominator(10**9)
        return ThreePointSpec(dim, degree2, degree3, u0, uR, tuple(multipliers))


def monomials(nvars: int, degree: int) -> list[tuple[int, ...]]:
    """Exponent tuples of total degree ≤ degree, graded."""
    out = []
    for d in range(degree + 1):
        for combo in combinations_with_replacement(range(nvars), d):
            e = [0] * nvars
            for i in combo:
                e[i] += 1
            out.append(tuple(e))
    return out


@dataclass
class Layout:
    """Where each piece sits in the assembled BlockSDP (block indices, row ranges) and the data to read back."""

    spec: ThreePointSpec
    gamma: np.ndarray
    f_blocks: list[int]
    sos_blocks: dict[tuple[int, ...], int]
    sos_bases: dict[tuple[int, ...], list[tuple[int, int, int]]]
    interval_blocks: list[int]
    exp_upper: tuple[Fraction, Fraction, list[Fraction]]
    rows: dict[str, tuple[int, int]] = field(default_factory=dict)


def _chebyshev(n: int, y: float) -> np.ndarray:
    """T_0..T_n at y."""
    out = np.zeros(n + 1)
    out[0] = 1.0
    if n >= 1:
        out[1] = y
    for k in range(2, n + 1):
        out[k] = 2 * y * out[k - 1] - out[k - 2]
    return out


def build(spec: ThreePointSpec, eps: float = 1e-9, eps3: float | None = None) -> tuple[BlockSDP, Layout]:
    """Assemble the SDP; `eps` / `eps3` (default 1000·eps) are the strictness margins of the interval and the
    trivariate identities in normalised row units (the trivariate residual of a float64 solution is larger)."""
    eps3 = 1000 * eps if eps3 is None else eps3
    N, K, D = spec.degree2, spec.degree3, spec.sos_degree
    base = build_two_point(spec.dim, N, spec.uR)  # Q ≥ 0 on [0, ∞), P ≤ 0 on [u_R, ∞), Q(0) = 1
    gamma = base.gamma
    two = base.sdp
    m0 = two.num_constraints
    exp_c, exp_h, exp_coeffs = upper_polynomial(spec.u0, spec.uR)
    nT = len(exp_coeffs) - 1
    DG = max(N, K + nT)
    sizes_F = block_sizes(K)
    box = Box(spec.u0, spec.uR)

    # ---- blocks
    blocks: list[int] = list(two.block_sizes)
    f_blocks = []
    for s in sizes_F:
        f_blocks.append(len(blocks))
        blocks.append(s)
    if DG % 2 == 0:
        interval_sizes = [DG // 2 + 1, DG // 2]
    else:
        interval_sizes = [(DG - 1) // 2 + 1, (DG - 1) // 2 + 1]
    interval_blocks = []
    for s in interval_sizes:
        interval_blocks.append(len(blocks))
        blocks.append(s)
    sos_blocks, sos_bases = {}, {}
    for tok in ((),) + tuple(spec.multipliers):
        half = (D - multiplier_degree(tok)) // 2
        sos_bases[tok] = monomials(3, half)
        sos_blocks[tok] = len(blocks)
        blocks.append(len(sos_bases[tok]))

    mono = monomials(3, D)
    mono_index = {e: i for i, e in enumerate(mono)}
    m_int = DG + 1
    m = m0 + m_int + len(mono)
    A = [np.zeros((m, s, s)) for s in blocks]
    Ffree = np.zeros((m, N + 1))
    b = np.zeros(m)
    for i in range(len(two.block_sizes)):
        A[i][:m0] = two.A[i]
    Ffree[:m0] = two.F
    b[:m0] = two.b

    # ---- interval rows: G(u_j) + σ(u_j) = −ε at Chebyshev nodes of [u₀, u_R]
    r0 = m0
    S = float(spec.scale)
    lam = lam_of(spec.dim)
    ck1 = [float(value_at_one(k, lam)) for k in range(K + 1)]
    a_, b_ = float(spec.u0), float(spec.uR)
    with mpmath.workdps(WORK_DPS):
        al = mpmath.mpf(alpha_of(spec.dim).numerator) / alpha_of(spec.dim).denominator
        for j in range(m_int):
            y = math.cos(math.pi * (j + 0.5) / m_int)
            uj = (a_ + b_) / 2 + (b_ - a_) / 2 * y
            w = math.exp(-uj / 2)
            row = r0 + j
            lag = laguerre_values_mp(N, al, mpmath.mpf(uj))
            Ffree[row] = np.array([float(x) for x in lag]) / gamma * w
            Tval = sum(float(c) * (uj - float(exp_c)) ** p for p, c in enumerate(exp_coeffs))
            for k, s in enumerate(sizes_F):
                mv = np.array([(uj / S) ** i for i in range(s)])
                blk = ck1[k] * (uj / S) ** k * Tval * np.outer(mv, mv)
                if k == 0:
                    e0 = np.zeros(s)
                    e0[0] = 1.0
                    blk = blk + np.outer(mv, e0) + np.outer(e0, mv)  # 2A(u) = 2 m(u)ᵀF₀e₀, symmetrised
                A[f_blocks[k]][row] = blk * w
            ch = _chebyshev(max(interval_sizes), y)
            if DG % 2 == 0:
                v0 = ch[: interval_sizes[0]]
                v1 = ch[: interval_sizes[1]]
                A[interval_blocks[0]][row] = np.outer(v0, v0) * w
                A[interval_blocks[1]][row] = np.outer(v1, v1) * (1 - y * y) * w
            else:
                v0 = ch[: interval_sizes[0]]
                A[interval_blocks[0]][row] = np.outer(v0, v0) * (1 + y) * w
                A[interval_blocks[1]][row] = np.outer(v0, v0) * (1 - y) * w
            b[row] = -eps * w

    # ---- trivariate rows: coefficient of x^α in p₃ + Σ_g g σ_g equals −ε·[α = 0]
    r1 = m0 + m_int
    E = kernel_monomials(spec.dim, K, spec.scale)
    for k, s in enumerate(sizes_F):
        for i in range(s):
            for jj in range(i, s):
                poly = box.to_x(E[(k, i, jj)]) + box.to_x(E[(k, jj, i)])
                for exps, c in poly.to_dict().items():
                    val = float(c) / 2
                    A[f_blocks[k]][r1 + mono_index[tuple(exps)], i, jj] += val
                    if jj != i:
                        A[f_blocks[k]][r1 + mono_index[tuple(exps)], jj, i] += val
    for tok, blk in sos_blocks.items():
        g = box.to_x(multiplier(tok, spec.u0, spec.uR)).to_dict()
        basis = sos_bases[tok]
        for gi, ge in g.items():
            gv = float(ge)
            for i, ei in enumerate(basis):
                for jj, ej in enumerate(basis):
                    tot = (ei[0] + ej[0] + gi[0], ei[1] + ej[1] + gi[1], ei[2] + ej[2] + gi[2])
                    A[blk][r1 + mono_index[tot], i, jj] += gv
    b[r1] = -eps3

    # ---- row normalisation of the new rows
    for row in range(m0, m):
        sc = max(np.abs(Ffree[row]).max(), max(np.abs(Ab[row]).max() for Ab in A))
        if sc > 0:
            Ffree[row] /= sc
            b[row] /= sc
            for Ab in A:
                Ab[row] /= sc

    # ---- objective: P(0) + F₀[0,0]
    with mpmath.workdps(WORK_DPS):
        ell0 = np.array([float(mpmath.binomial(k + al, k)) for k in range(N + 1)])
    c_free = ell0 / gamma
    C = [np.zeros((s, s)) for s in blocks]
    C[f_blocks[0]][0, 0] = 1.0
    sdp = BlockSDP(tuple(blocks), A, b, C, 0.0, Ffree, c_free)
    layout = Layout(spec, gamma, f_blocks, sos_blocks, sos_bases, interval_blocks, (exp_c, exp_h, exp_coeffs),
                    {"two_point": (0, m0), "interval": (m0, m0 + m_int), "trivariate": (r1, m)})
    return sdp, layout


@dataclass
class ThreePointSolution:
    """A numerical solve read back: a_k, F_k and σ_g Grams as floats, the estimate and diagnostics."""

    spec: ThreePointSpec
    a: list[float]
    F: list[np.ndarray]
    grams: dict[tuple[int, ...], np.ndarray]
    estimate: float
    status: str
    seconds: float
    backend: str
    max_residual: float
    size: dict
    layout: Layout | None = None
    violation: float = 0.0

    def reliable(self, tol: float = 1e-6) -> bool:
        """Whether the point is trustworthy: the solver reached full accuracy (not "optimal_inaccurate") and the
        normalised equality residual and most negative eigenvalue of the balanced blocks are ≤ tol. Inaccurate
        float64 points gave numbers far below the true optimum (dimension 7: 0.299, below the CdLS value 0.321,
        and the exact re-check of that point fails), so they are never used as values."""
        return self.status in ("pdOPT", "optimal") and self.violation <= tol and np.isfinite(self.estimate)


def volume_factor(dim: int, u0: float) -> float:
    """(u₀/8)^{n/2}/Γ(n/2+1)."""
    return math.exp(0.5 * dim * math.log(u0 / 8.0) - math.lgamma(dim / 2 + 1))


def solve(spec: ThreePointSpec, backend: str = "sdpa", precision_bits: int | None = 128, eps: float = 1e-9,
          margin: float = 1e-10, eps3: float | None = None) -> ThreePointSolution:
    """Build, balance, solve with every Gram block ⪰ margin·I (balanced units), and read the solution back.

    `backend`: "sdpa" (multiprecision when sdpa-multiprecision is installed), "clarabel" (float64, robust
    retry), or "cvxpy:SOLVER"."""
    from .cohn_elkies import _solve_backend

    t0 = time.perf_counter()
    sdp, layout = build(spec, eps, eps3)
    bal, sig, tau = balance_blocks(sdp)
    target = bal.with_margin(margin) if margin > 0 else bal
    if backend == "clarabel":  # float64 exploration; a numerical breakdown is retried with more regularisation
        from .cvxpy_backend import solve_cvxpy

        try:
            sol: SDPSolution = solve_cvxpy(target, "CLARABEL", max_threads=1)
        except Exception:  # cvxpy.SolverError (NumericalError inside Clarabel)
            sol = solve_cvxpy(target, "CLARABEL", max_threads=1, static_regularization_constant=1e-7)
    else:
        sol = _solve_backend(target, backend, precision_bits)
    violation = max([0.0] + [-float(np.linalg.eigvalsh(y).min()) for y in sol.Y if y.size])  # balanced units
    Y = [(y + margin * np.eye(y.shape[0])) / sb if margin > 0 else y / sb for y, sb in zip(sol.Y, sig)]
    res = float(np.max(np.abs(residual(sdp, Y, sol.x)))) if sol.x is not None else float("nan")
    a = list(np.asarray(sol.x, dtype=float) / layout.gamma)
    F = [Y[i] for i in layout.f_blocks]
    grams = {tok: Y[i] for tok, i in layout.sos_blocks.items()}
    obj = float(np.dot(sdp.c_free, sol.x) + F[0][0, 0])
    est = volume_factor(spec.dim, float(spec.u0)) * obj
    size = {"blocks": len(sdp.block_sizes), "max_block": max(sdp.block_sizes), "constraints": sdp.num_constraints,
            "free": sdp.num_free, "gram_entries": int(sum(s * (s + 1) // 2 for s in sdp.block_sizes))}
    return ThreePointSolution(spec, a, F, grams, est, sol.status, time.perf_counter() - t0, sol.backend, res, size,
                              layout, max(violation, res))


class CertificationError(RuntimeError):
    """The rounded solution failed the exact check: the number is an estimate only."""


def _rational(x: float) -> Fraction:
    """A float as the short decimal rational of its 17-significant-digit representation."""
    from decimal import Decimal

    return Fraction(Decimal(format(float(x), ".17g")))


def _rational_psd(M: np.ndarray) -> list[list[Fraction]]:
    """Round a (numerically PSD) symmetric matrix to rationals, shifted by δI so it stays PSD after rounding."""
    M = 0.5 * (M + M.T)
    ev = np.linalg.eigvalsh(M) if M.size else np.zeros(1)
    delta = max(0.0, -float(ev.min())) * 2 + 1e-15 * max(float(np.abs(ev).max()), 1e-300)
    M = M + delta * np.eye(M.shape[0])
    return [[_rational(M[i, j]) for j in range(M.shape[0])] for i in range(M.shape[0])]


def certify(sol: ThreePointSolution, command: str = "", digits: int = 9) -> dict:
    """Round the numerical solution to rationals and run the exact verifier; raise CertificationError on failure."""
    from . import three_point_certificate as tpc

    t0 = time.perf_counter()
    spec, lay = sol.spec, sol.layout
    a = [_rational(x) for x in sol.a]
    F = [_rational_psd(M) for M in sol.F]
    sos = [(tok, _rational_psd(G)) for tok, G in sol.grams.items()]
    extra = {
        "r": f"{math.sqrt(float(spec.u0) / (2 * math.pi)):.12f}",
        "R": f"{math.sqrt(float(spec.uR) / (2 * math.pi)):.12f}",
        "multipliers": [format_token(t) for t in spec.multipliers],
        "numerical_estimate": f"{sol.estimate:.12g}", "solver": sol.backend, "sdp_size": sol.size,
        "command": command,
    }
    data = tpc.build(spec.dim, spec.degree3, spec.u0, spec.uR, spec.scale, a, F, lay.exp_upper, sos, extra, digits)
    result = tpc.verify(data)
    if not result.ok:
        raise CertificationError(result.reason)
    data["seconds"] = {"solve": round(sol.seconds, 3), "certify": round(time.perf_counter() - t0, 3)}
    data["certified_interval"] = [result.bound_lower, result.bound_upper]
    return data


def solve_and_certify(spec: ThreePointSpec, backend: str = "sdpa", precision_bits: int | None = 128,
                      eps: tuple[float, ...] = (1e-7, 1e-5), margin: tuple[float, ...] = (1e-10, 1e-8),
                      command: str = "", eps3: tuple[float | None, ...] | None = None,
                      ) -> tuple[dict, ThreePointSolution]:
    """Solve with strictness margins ε (interval), ε₃ (trivariate, default 1000ε) and a Gram margin, and
    certify; on an exact-check failure retry with the next, larger set (the float64 solution read-back must
    be off by less than the margins)."""
    last = ""
    for e, m, e3 in zip(eps, margin, eps3 or (None,) * len(eps)):
        sol = solve(spec, backend, precision_bits, eps=e, margin=m, eps3=e3)
        if not sol.status.startswith(("pdOPT", "optimal", "pdFEAS")):
            last = f"solver status {sol.status}"
            continue
        try:
            return certify(sol, command), sol
        except CertificationError as exc:
            last = str(exc)
    raise CertificationError(f"not certified ({last})")


def main(argv: list[str] | None = None) -> int:
    """CLI: solve and certify one three-point SDP, write three_point_d{n}.json into --out."""
    from .three_point_kernel import parse_token

    ap = argparse.ArgumentParser(prog="python -m searchlab.solvers.sdp.three_point", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dim", type=int, required=True)
    ap.add_argument("--degree2", type=int, default=23, help="odd degree of the two-point function")
    ap.add_argument("--degree3", type=int, default=9, help="degree of the three-point function")
    ap.add_argument("--r", type=float, required=True, help="radius r (u0 = 2 pi r^2)")
    ap.add_argument("--ratio", type=float, required=True, help="R / r")
    ap.add_argument("--multipliers", default="", help="extra SOS multipliers, e.g. g6,g1*g2 (g1..g5 always)")
    ap.add_argument("--precision-bits", type=int, default=128)
    ap.add_argument("--margins", default="1e-7:1e-10,1e-5:1e-8",
                    help="eps:gram[:eps3] margins tried in turn until the exact check passes (eps3 default 1000 eps)")
    ap.add_argument("--out", default="results/sphere_packing/")
    args = ap.parse_args(argv)
    command = "python -m searchlab.solvers.sdp.three_point " + " ".join(sys.argv[1:] if argv is None else argv)
    try:
        mult = tuple(parse_token(t) for t in args.multipliers.split(",") if t.strip())
        spec = ThreePointSpec.from_radii(args.dim, args.degree2, args.degree3, args.r, args.r * args.ratio, mult)
        sets = [tuple(float(x) for x in p.split(":")) for p in args.margins.split(",")]
        if any(len(t) not in (2, 3) for t in sets):
            raise ValueError("--margins takes eps:gram[:eps3] items")
        data, sol = solve_and_certify(spec, precision_bits=args.precision_bits, eps=tuple(t[0] for t in sets),
                                      margin=tuple(t[1] for t in sets), command=command,
                                      eps3=tuple(t[2] if len(t) == 3 else None for t in sets))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except CertificationError as exc:
        print(f"NOT certified (estimate only): {exc}", file=sys.stderr)
        return 1
    path = write_certificate(args.out, f"three_point_d{args.dim}", data)
    print(f"dimension {args.dim}: numerical ≈ {sol.estimate:.10f}; certified ≤ {data['bound']} "
          f"(K={args.degree3}, N={args.degree2}, r={args.r}, R/r={args.ratio}; SDP {sol.size}) -> {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
