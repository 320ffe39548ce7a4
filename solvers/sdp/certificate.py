"""Cohn–Elkies certificates: build the JSON record and verify it with exact / interval arithmetic only.

A certificate (format `searchlab.certificate/1`) holds n, u₀ and rational Laguerre coefficients a_k.
It is valid iff, with α = n/2−1, P = Σ a_k L_k^{(α)} and Q = Σ (−1)^k a_k L_k^{(α)}: Q ≥ 0 on [0, ∞),
P ≤ 0 on [u₀, ∞), Q(0) > 0, P(0) > 0; then density ≤ (u₀/8)^{n/2}/Γ(n/2+1)·P(0)/Q(0) ≤ `bound`.
No solver and no floating point is trusted here: signs by exact root counting, the bound in Arb balls.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

import flint
from flint import arb, fmpq

from .exact import nonnegative_on_halfline, nonpositive_on_halfline
from .laguerre import combine_exact, to_fmpq

FORMAT = "searchlab.certificate/1"
VERIFIER_VERSION = "cohn_elkies-verify/1"
SEMANTICS = ("alpha=n/2-1; P(u)=sum a_k L_k^(alpha)(u); Q(u)=sum (-1)^k a_k L_k^(alpha)(u); valid iff Q>=0 on "
             "[0,inf), P<=0 on [u0,inf), Q(0)>0, P(0)>0; density <= (u0/8)^(n/2)/Gamma(n/2+1)*P(0)/Q(0) <= bound; "
             "f(x)=P(2pi|x|^2)exp(-pi|x|^2), r=sqrt(u0/(2pi))")


@dataclass
class VerifyResult:
    """Verdict of `verify_certificate`: ok, the reason, and the rigorous enclosure of the bound."""

    ok: bool
    reason: str
    bound_lower: str | None = None
    bound_upper: str | None = None
    checks: dict = field(default_factory=dict)
    seconds: float = 0.0


def parse_rational(value) -> Fraction:
    """Parse "p/q", an int or a decimal string exactly; floats are refused (not exact by intent)."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError(f"refusing non-exact number {value!r}")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, str):
        s = value.strip()
        if "/" in s:
            p, q = s.split("/")
            return Fraction(int(p), int(q))
        try:
            return Fraction(Decimal(s))
        except InvalidOperation as exc:
            raise ValueError(f"not a rational: {value!r}") from exc
    raise ValueError(f"not a rational: {value!r}")


def format_rational(x: Fraction) -> str:
    """Canonical "p/q" (or "p") string."""
    return f"{x.numerator}/{x.denominator}" if x.denominator != 1 else str(x.numerator)


def bound_enclosure(dim: int, u0: Fraction, p0: Fraction, q0: Fraction, prec: int = 256) -> arb:
    """Rigorous Arb ball containing (u₀/8)^{n/2}/Γ(n/2+1)·P(0)/Q(0)."""
    old = flint.ctx.prec
    flint.ctx.prec = prec
    try:
        base = arb(to_fmpq(u0 / 8))
        power = base ** (dim // 2) * (base.sqrt() if dim % 2 else arb(1))
        gamma = arb(fmpq(dim + 2, 2)).gamma()
        return power / gamma * arb(to_fmpq(p0 / q0))
    finally:
        flint.ctx.prec = old


def _arb_ends(x: arb) -> tuple[str, str]:
    """Lower and upper ends of a ball as decimal strings (20 digits, outward in meaning by Arb)."""
    return x.lower().str(20, radius=False), x.upper().str(20, radius=False)


def decimal_upper(x: arb, digits: int = 8) -> str:
    """A decimal string ≥ every point of the ball x, with `digits` significant digits (rounded up)."""
    man, exp = x.upper().man_exp()
    up = Fraction(int(man)) * Fraction(2) ** int(exp)
    if up <= 0:
        return "0"  # not a meaningful bound; the verifier rejects such certificates (P(0), Q(0) > 0)
    e = digits - 1 - _floor_log10(up)
    scaled = up * Fraction(10) ** e
    n = -((-scaled.numerator) // scaled.denominator)  # ceiling
    return _to_decimal_string(n, e)


def _floor_log10(x: Fraction) -> int:
    """⌊log10 x⌋ for a positive rational, exactly."""
    if x <= 0:
        raise ValueError("log10 of a nonpositive number")
    k = len(str(x.numerator)) - len(str(x.denominator))
    while Fraction(10) ** k > x:
        k -= 1
    while Fraction(10) ** (k + 1) <= x:
        k += 1
    return k


def _to_decimal_string(n: int, e: int) -> str:
    """The decimal string for n·10^(−e)."""
    return format(Decimal(n).scaleb(-e), "f")


def write_certificate(out_dir: str | Path, name: str, data: dict) -> Path:
    """Write a certificate as <out_dir>/<name>.json (the layout `searchlab verify` reads) and return its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    path.write_text(json.dumps(data, indent=1) + "\n")
    return path


def verify_certificate(data: dict, method: str = "isolation") -> VerifyResult:
    """Re-check a Cohn–Elkies certificate exactly; `method` picks Arb isolation or Sturm sequences."""
    t0 = time.perf_counter()
    checks: dict = {}

    def fail(reason: str) -> VerifyResult:
        return VerifyResult(False, reason, checks=checks, seconds=time.perf_counter() - t0)

    try:
        if data.get("format") != FORMAT:
            return fail(f"unknown format {data.get('format')!r}")
        if data.get("problem") != "sphere_packing" or data.get("method") != "cohn_elkies":
            return fail("not a sphere_packing / cohn_elkies certificate")
        dim = data.get("dimension")
        if not isinstance(dim, int) or isinstance(dim, bool) or dim < 1:
            return fail(f"bad dimension {dim!r}")
        u0 = parse_rational(data["u0"])
        coeffs = [parse_rational(c) for c in data["laguerre_coefficients"]]
        stated = parse_rational(data["bound"])
    except (KeyError, ValueError, TypeError, ZeroDivisionError) as exc:
        return fail(f"malformed certificate: {exc}")
    if u0 <= 0:
        return fail("u0 must be positive")
    if not coeffs:
        return fail("no coefficients")
    if "degree" in data and data["degree"] != len(coeffs) - 1:
        return fail(f"degree {data['degree']} does not match {len(coeffs)} coefficients")
    alpha = Fraction(dim, 2) - 1
    P = combine_exact(coeffs, alpha, alternate=False)
    Q = combine_exact(coeffs, alpha, alternate=True)
    p0, q0 = Fraction(int(P(0).p), int(P(0).q)), Fraction(int(Q(0).p), int(Q(0).q))
    checks["Q(0)>0"] = q0 > 0
    checks["P(0)>0"] = p0 > 0
    if q0 <= 0:
        return fail("Q(0) = f̂(0) is not positive")
    if p0 <= 0:
        return fail("P(0) = f(0) is not positive")
    qc = nonnegative_on_halfline(Q, fmpq(0), method)
    checks["Q>=0 on [0,inf)"] = qc.reason
    if not qc.ok:
        return fail(f"Q = f̂ is not ≥ 0 on [0, ∞): {qc.reason}")
    pc = nonpositive_on_halfline(P, to_fmpq(u0), method)
    checks["P<=0 on [u0,inf)"] = pc.reason
    if not pc.ok:
        return fail(f"P = f is not ≤ 0 on [u0, ∞): {pc.reason}")
    ball = bound_enclosure(dim, u0, p0, q0)
    lo, hi = _arb_ends(ball)
    if not (ball <= arb(to_fmpq(stated))):
        return VerifyResult(False, f"stated bound {data['bound']} is below the certified value (enclosure "
                            f"[{lo}, {hi}])", lo, hi, checks, time.perf_counter() - t0)
    return VerifyResult(True, f"valid: density in dimension {dim} ≤ {hi} ≤ {data['bound']} "
                        f"(exact sign checks by {method}, Arb enclosure)", lo, hi, checks,
                        time.perf_counter() - t0)


def build_certificate(dim: int, u0: Fraction, coeffs: list[Fraction], extra: dict | None = None,
                      digits: int = 8) -> dict:
    """Assemble a certificate dict; `bound` is the Arb upper end rounded up to `digits` significant digits."""
    alpha = Fraction(dim, 2) - 1
    P = combine_exact(coeffs, alpha, alternate=False)
    Q = combine_exact(coeffs, alpha, alternate=True)
    p0, q0 = Fraction(int(P(0).p), int(P(0).q)), Fraction(int(Q(0).p), int(Q(0).q))
    ball = bound_enclosure(dim, u0, p0, q0)
    data = {
        "format": FORMAT,
        "problem": "sphere_packing",
        "method": "cohn_elkies",
        "dimension": dim,
        "u0": format_rational(u0),
        "laguerre_coefficients": [format_rational(c) for c in coeffs],
        "bound": decimal_upper(ball, digits),
        "degree": len(coeffs) - 1,
        "semantics": SEMANTICS,
        "verifier_version": VERIFIER_VERSION,
    }
    if extra:
        data.update(extra)
    return data
