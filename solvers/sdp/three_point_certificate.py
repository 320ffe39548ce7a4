"""Three-point certificates: the JSON record and its verifier (exact rationals, Arb balls, no solver).

Checks, in order (notation of `three_point_kernel`): every F_k and every Gram matrix is PSD (exact LDLᵀ);
T ≥ e^{−u/2} on [u₀, u_R] (Arb Taylor bound); Q(0) > 0, Q ≥ 0 on [0, ∞), P ≤ 0 on [u_R, ∞) and
G = P + 2A + B·T ≤ 0 on [u₀, u_R] (exact root counting; B ≥ 0 follows from F_k ⪰ 0); the residual
ρ = −p₃ − Σ_g g·bᵀG_g b, exact in x ∈ [−1, 1]³, is ≥ 0 on the cube by a coefficient bound — so p₃ ≤ 0 on
the domain (every g ≥ 0 there). Then density ≤ (u₀/8)^{n/2}/Γ(n/2+1)·(P(0) + F₀[0,0])/Q(0) ≤ `bound`.
"""
from __future__ import annotations

import time
from fractions import Fraction

from flint import arb, fmpq

from .certificate import (FORMAT, VerifyResult, _arb_ends, bound_enclosure, decimal_upper, format_rational,
                          parse_rational)
from .exact import nonnegative_on_halfline, nonpositive_on_halfline, nonpositive_on_interval, psd_ldl
from .exp_bound import lower_gap
from .laguerre import combine_exact, to_fmpq
from .three_point_kernel import (XCTX, Box, block_sizes, diagonal_polynomials, format_token, multiplier,
                                 multiplier_degree, parse_token, q, shifted_to_power_basis,
                                 three_point_polynomial)

METHOD = "three_point"
VERIFIER_VERSION = "three_point-verify/1"
SEMANTICS = ("u=2pi|x|^2, v=2pi|y|^2, t=2pi<x,y>; f2=P(u)exp(-u/2), P=sum a_k L_k^(n/2-1)(u), Q=sum (-1)^k a_k L_k; "
             "f3=p3(u,v,t)exp(-(u+v)/2), p3=sum_k sum_ij F_k[i][j] S^-k (|x||y|)^k C_k^(n/2-1)(cos) (u/S)^i (v/S)^j "
             "(scaled); valid iff F_k PSD, Q>=0 on [0,inf), P<=0 on [uR,inf), P+2A+B*T<=0 on [u0,uR] with "
             "T>=exp(-u/2), p3<=0 on {u,v in [u0,uR], u+v-2t>=u0, uv>=t^2} via SOS Grams in x in [-1,1]^3; "
             "density <= (u0/8)^(n/2)/Gamma(n/2+1)*(P(0)+F_0[0][0])/Q(0) (Cohn-de Laat-Salmon Thm 1.1)")


def monomial_basis(degree: int) -> list[tuple[int, int, int]]:
    """Graded exponent tuples of total degree ≤ degree in three variables (the Gram basis order)."""
    from .three_point import monomials

    return monomials(3, degree)


def gram_polynomial(basis: list[tuple[int, int, int]], G: list[list[Fraction]]):
    """bᵀ G b in x as an exact fmpq_mpoly."""
    acc: dict[tuple[int, int, int], fmpq] = {}
    for i, ei in enumerate(basis):
        for j, ej in enumerate(basis):
            g = G[i][j]
            if g:
                k = (ei[0] + ej[0], ei[1] + ej[1], ei[2] + ej[2])
                acc[k] = acc.get(k, fmpq(0)) + q(g)
    return XCTX.from_dict(acc) if acc else XCTX.from_dict({(0, 0, 0): 0})


def cube_lower_bound(poly) -> Fraction:
    """A lower bound of poly on [−1, 1]³: constant + Σ min(0, c) over even monomials − Σ |c| over the rest."""
    total = Fraction(0)
    for exps, c in poly.to_dict().items():
        c = Fraction(int(c.p), int(c.q))
        if all(e == 0 for e in exps):
            total += c
        elif all(e % 2 == 0 for e in exps):
            total += min(c, Fraction(0))
        else:
            total -= abs(c)
    return total


def _matrix(rows) -> list[list[Fraction]]:
    """Parse a nested list of rationals."""
    return [[parse_rational(x) for x in row] for row in rows]


def verify(data: dict, method: str = "isolation") -> VerifyResult:
    """Re-check a three-point certificate; `method` picks Arb isolation or Sturm sequences for root counts."""
    t0 = time.perf_counter()
    checks: dict = {}

    def fail(reason: str) -> VerifyResult:
        return VerifyResult(False, reason, checks=checks, seconds=time.perf_counter() - t0)

    try:
        if data.get("format") != FORMAT or data.get("problem") != "sphere_packing" or data.get("method") != METHOD:
            return fail("not a sphere_packing / three_point certificate")
        dim, K = data["dimension"], data["degree3"]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (dim, K)) or dim < 3 or K < 1:
            return fail("bad dimension or degree3")
        u0, uR, S = parse_rational(data["u0"]), parse_rational(data["uR"]), parse_rational(data["scale"])
        a = [parse_rational(c) for c in data["laguerre_coefficients"]]
        F = [_matrix(m) for m in data["kernel_matrices"]]
        ex = data["exp_upper"]
        ec, eh = parse_rational(ex["center"]), parse_rational(ex["half_width"])
        et = [parse_rational(c) for c in ex["coefficients"]]
        sos = [(parse_token(s["multiplier"]), _matrix(s["gram"])) for s in data["sos"]]
        stated = parse_rational(data["bound"])
    except (KeyError, ValueError, TypeError, ZeroDivisionError) as exc:
        return fail(f"malformed certificate: {exc}")
    if not (0 < u0 < uR) or S <= 0 or not a:
        return fail("need 0 < u0 < uR, scale > 0 and coefficients")
    if [len(m) for m in F] != block_sizes(K) or any(len(r) != len(m) for m in F for r in m):
        return fail(f"kernel matrices must have sizes {block_sizes(K)}")
    for k, m in enumerate(F):
        ok, why = psd_ldl(m)
        if not ok:
            return fail(f"F_{k} is not PSD: {why}")
    checks["F_k PSD"] = f"{len(F)} blocks, exact LDLᵀ"
    if ec - eh > u0 or ec + eh < uR:
        return fail("exp_upper does not cover [u0, uR]")
    gap = lower_gap(ec, eh, et)
    if not gap > 0:
        return fail("T >= exp(-u/2) on [u0, uR] not proven")
    checks["T>=exp(-u/2)"] = f"margin ≥ {gap.lower().str(5, radius=False)}"
    alpha = Fraction(dim, 2) - 1
    P = combine_exact(a, alpha, alternate=False)
    Q = combine_exact(a, alpha, alternate=True)
    q0 = Fraction(int(Q(0).p), int(Q(0).q))
    if q0 <= 0:
        return fail("Q(0) = f̂₂(0) is not positive")
    for name, res in (("Q>=0 on [0,inf)", nonnegative_on_halfline(Q, fmpq(0), method)),
                      ("P<=0 on [uR,inf)", nonpositive_on_halfline(P, to_fmpq(uR), method))):
        checks[name] = res.reason
        if not res.ok:
            return fail(f"{name} fails: {res.reason}")
    A, B = diagonal_polynomials(dim, K, S, F)
    G = P + 2 * A + B * shifted_to_power_basis(ec, et)
    res = nonpositive_on_interval(G, to_fmpq(u0), to_fmpq(uR), method)
    checks["P+2A+B*T<=0 on [u0,uR]"] = res.reason
    if not res.ok:
        return fail(f"f2 + 2 f3(w,0) + f3(w,w) <= 0 on [r, R] fails: {res.reason}")
    box = Box(u0, uR)
    rho = -box.to_x(three_point_polynomial(dim, K, S, F))
    for tok, Gm in sos:
        if multiplier_degree(tok) > K:
            return fail(f"multiplier {format_token(tok)} exceeds degree {K}")
        basis = monomial_basis((K - multiplier_degree(tok)) // 2)
        if len(Gm) != len(basis) or any(len(r) != len(basis) for r in Gm):
            return fail(f"Gram of {format_token(tok)} must be {len(basis)}×{len(basis)}")
        ok, why = psd_ldl(Gm)
        if not ok:
            return fail(f"Gram of {format_token(tok)} is not PSD: {why}")
        rho = rho - box.to_x(multiplier(tok, u0, uR)) * gram_polynomial(basis, Gm)
    low = cube_lower_bound(rho)
    checks["-p3 - sum g*sigma_g >= 0 on cube"] = f"lower bound {float(low):.3e} ({len(sos)} SOS terms)"
    if low < 0:
        return fail(f"f3 <= 0 on the domain not proven: residual lower bound {float(low):.3e} < 0")
    p0 = Fraction(int(P(0).p), int(P(0).q)) + F[0][0][0]
    if p0 <= 0:
        return fail("f2(0) + f3(0,0) is not positive")
    ball = bound_enclosure(dim, u0, p0, q0)
    lo, hi = _arb_ends(ball)
    if not (ball <= arb(to_fmpq(stated))):
        return VerifyResult(False, f"stated bound {data['bound']} is below the certified value [{lo}, {hi}]",
                            lo, hi, checks, time.perf_counter() - t0)
    return VerifyResult(True, f"valid: three-point density bound in dimension {dim} ≤ {hi} ≤ {data['bound']} "
                        f"(exact LDLᵀ, root counting by {method}, Arb)", lo, hi, checks, time.perf_counter() - t0)


def certified_value(dim: int, u0: Fraction, a: list[Fraction], F00: Fraction) -> arb:
    """Arb ball of the bound for given data (used to state `bound` before verification)."""
    alpha = Fraction(dim, 2) - 1
    P = combine_exact(a, alpha, alternate=False)
    Q = combine_exact(a, alpha, alternate=True)
    return bound_enclosure(dim, u0, Fraction(int(P(0).p), int(P(0).q)) + F00, Fraction(int(Q(0).p), int(Q(0).q)))


def build(dim: int, degree3: int, u0: Fraction, uR: Fraction, scale: Fraction, a: list[Fraction],
          F: list[list[list[Fraction]]], exp_upper: tuple[Fraction, Fraction, list[Fraction]],
          sos: list[tuple[tuple[int, ...], list[list[Fraction]]]], extra: dict | None = None,
          digits: int = 9) -> dict:
    """Assemble the certificate dict; `bound` is the Arb upper end rounded up to `digits` significant digits."""
    ball = certified_value(dim, u0, a, F[0][0][0])
    c, h, coeffs = exp_upper
    data = {
        "format": FORMAT, "problem": "sphere_packing", "method": METHOD, "dimension": dim,
        "bound": decimal_upper(ball, digits),
        "u0": format_rational(u0), "uR": format_rational(uR), "scale": format_rational(scale),
        "degree2": len(a) - 1, "degree3": degree3,
        "laguerre_coefficients": [format_rational(x) for x in a],
        "kernel_matrices": [[[format_rational(x) for x in row] for row in m] for m in F],
        "exp_upper": {"center": format_rational(c), "half_width": format_rational(h),
                      "coefficients": [format_rational(x) for x in coeffs]},
        "sos": [{"multiplier": format_token(tok), "gram": [[format_rational(x) for x in row] for row in G]}
                for tok, G in sos],
        "semantics": SEMANTICS, "verifier_version": VERIFIER_VERSION,
    }
    if extra:
        data.update(extra)
    return data
