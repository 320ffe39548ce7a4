"""Exact polynomial model of the Cohn–de Laat–Salmon three-point bound, shared by the SDP builder and verifier.

Scaled variables (as for Cohn–Elkies): u = 2π|x|², v = 2π|y|², t = 2π⟨x, y⟩; u₀ = 2πr², u_R = 2πR².

* f₂(x) = P(u) e^{−u/2}, P = Σ a_k L_k^{(α)}(u), α = n/2 − 1; f̂₂ ↔ Q = Σ (−1)^k a_k L_k^{(α)} (Cohn–Elkies).
* f₃(x, y) = p₃(u, v, t) e^{−(u+v)/2} with p₃ = Σ_k Σ_ij F_k[i, j] E_kij, where
  E_kij = S^{−k} Σ_e c_{k,e} t^e (uv)^{(k−e)/2} · (u/S)^i (v/S)^j  (c = coefficients of C_k^{(n/2−1)}).
  Each F_k ⪰ 0 makes f₃ a positive-definite kernel (Gegenbauer kernels are PD on spheres; products and
  positive combinations of PD kernels are PD, the Gaussian factor is rank one).
* Diagonal pieces: f₃(w, 0) = A(u) e^{−u/2} with A(u) = m(u)ᵀ F₀ e₀; f₃(w, w) = B(u) e^{−u} with
  B(u) = Σ_k C_k(1) (u/S)^k m_k(u)ᵀ F_k m_k(u) ≥ 0.

Theorem (CdLS, arXiv 2206.15373, Thm 1.1; re-derived in the module docstring of `three_point`): if f̂₂ ≥ 0,
f₃ is PD, f₂ + 2f₃(·,0) + f₃(w,w) ≤ 0 for r ≤ |w| ≤ R, f₂ ≤ 0 for |w| ≥ R and f₃(x, y) ≤ 0 when
|x|, |y| ∈ [r, R] and |x − y| ≥ r, then density ≤ vol B(r/2)·(f₂(0) + f₃(0, 0))/f̂₂(0)
= (u₀/8)^{n/2}/Γ(n/2+1) · (P(0) + F₀[0,0]) / Q(0).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import flint
from flint import fmpq, fmpq_mpoly, fmpq_poly

from .gegenbauer import kernel_terms, value_at_one

CTX = flint.fmpq_mpoly_ctx.get(("u", "v", "t"), "deglex")
XCTX = flint.fmpq_mpoly_ctx.get(("x1", "x2", "x3"), "deglex")

# base polynomials, all ≥ 0 on the three-point domain D = {u, v ∈ [u₀, u_R], u + v − 2t ≥ u₀, uv ≥ t²}
BASE_NAMES = {
    1: "u - u0", 2: "uR - u", 3: "v - u0", 4: "uR - v", 5: "u + v - 2t - u0 (|x-y| >= r)",
    6: "uv - t^2 (Cauchy-Schwarz)", 7: "u + v + 2t (|x+y|^2 >= 0)",
}
SWAP = {1: 3, 2: 4, 3: 1, 4: 2, 5: 5, 6: 6, 7: 7}


def q(x: Fraction | int) -> fmpq:
    """A Fraction as a flint rational."""
    x = Fraction(x)
    return fmpq(x.numerator, x.denominator)


def lam_of(dim: int) -> Fraction:
    """Gegenbauer parameter λ = n/2 − 1."""
    return Fraction(dim, 2) - 1


def block_sizes(degree3: int) -> list[int]:
    """Side of F_k, k = 0..K: the radial basis m_k(u) = (1, u/S, …, (u/S)^{⌊(K−k)/2⌋})."""
    return [(degree3 - k) // 2 + 1 for k in range(degree3 + 1)]


@dataclass(frozen=True)
class Box:
    """Affine map to x ∈ [−1, 1]³ from (u, v, t) on a box containing the domain D."""

    u0: Fraction
    uR: Fraction

    @property
    def cu(self) -> Fraction:
        return (self.u0 + self.uR) / 2

    @property
    def hu(self) -> Fraction:
        return (self.uR - self.u0) / 2

    @property
    def ct(self) -> Fraction:  # t ∈ [−u_R, u_R − u₀/2] on D
        return -self.u0 / 4

    @property
    def ht(self) -> Fraction:
        return self.uR - self.u0 / 4

    def to_x(self, p: fmpq_mpoly) -> fmpq_mpoly:
        """p(u, v, t) rewritten in x: u = c_u + h_u x₁, v = c_u + h_u x₂, t = c_t + h_t x₃ (exact)."""
        x1, x2, x3 = XCTX.gens()
        return p.compose(q(self.cu) + q(self.hu) * x1, q(self.cu) + q(self.hu) * x2,
                         q(self.ct) + q(self.ht) * x3, ctx=XCTX)


def base_polynomials(u0: Fraction, uR: Fraction) -> dict[int, fmpq_mpoly]:
    """g₁..g₇ in (u, v, t)."""
    u, v, t = CTX.gens()
    a, b = q(u0), q(uR)
    return {1: u - a, 2: b - u, 3: v - a, 4: b - v, 5: u + v - 2 * t - a, 6: u * v - t * t, 7: u + v + 2 * t}


def multiplier(token: tuple[int, ...], u0: Fraction, uR: Fraction) -> fmpq_mpoly:
    """The product of base polynomials named by `token` (() is the constant 1)."""
    base = base_polynomials(u0, uR)
    out = CTX.from_dict({(0, 0, 0): 1})
    for i in token:
        out = out * base[i]
    return out


def multiplier_degree(token: tuple[int, ...]) -> int:
    """Total degree of a multiplier token (g₆ is quadratic, the others linear)."""
    return sum(2 if i == 6 else 1 for i in token)


def parse_token(text: str) -> tuple[int, ...]:
    """"g1*g2" → (1, 2); "1" → () (the plain SOS term)."""
    text = text.strip()
    if text in ("1", ""):
        return ()
    out = []
    for part in text.split("*"):
        part = part.strip()
        if not part.startswith("g") or not part[1:].isdigit() or int(part[1:]) not in BASE_NAMES:
            raise ValueError(f"bad multiplier {text!r}: use products of g1..g7, e.g. 'g1*g2'")
        out.append(int(part[1:]))
    if len(set(out)) != len(out):
        raise ValueError(f"multiplier {text!r} repeats a factor")
    return tuple(sorted(out))


def format_token(token: tuple[int, ...]) -> str:
    """(1, 2) → "g1*g2"; () → "1"."""
    return "*".join(f"g{i}" for i in token) or "1"


def symmetric_closure(tokens) -> tuple[tuple[int, ...], ...]:
    """Tokens plus their images under u ↔ v, sorted, without duplicates (f₃ is symmetric)."""
    out = set()
    for tok in tokens:
        tok = tuple(sorted(tok))
        out.add(tok)
        out.add(tuple(sorted(SWAP[i] for i in tok)))
    return tuple(sorted(out, key=lambda t: (len(t), t)))


@lru_cache(maxsize=16)
def kernel_monomials(dim: int, degree3: int, scale: Fraction) -> dict[tuple[int, int, int], fmpq_mpoly]:
    """E_kij(u, v, t) for every block k and entry (i, j) (see module docstring)."""
    u, v, t = CTX.gens()
    S = q(scale)
    out = {}
    for k, size in enumerate(block_sizes(degree3)):
        base = CTX.from_dict({(0, 0, 0): 0})
        for e, j, c in kernel_terms(k, lam_of(dim)):
            base = base + c * t ** e * (u * v) ** j
        base = base / S ** k
        for i in range(size):
            for j in range(size):
                out[(k, i, j)] = base * (u / S) ** i * (v / S) ** j
    return out


def three_point_polynomial(dim: int, degree3: int, scale: Fraction, F: list[list[list[Fraction]]]) -> fmpq_mpoly:
    """p₃(u, v, t) = Σ_k Σ_ij F_k[i][j] E_kij exactly."""
    E = kernel_monomials(dim, degree3, Fraction(scale))
    out = CTX.from_dict({(0, 0, 0): 0})
    for k, Fk in enumerate(F):
        for i, row in enumerate(Fk):
            for j, val in enumerate(row):
                if val:
                    out = out + q(val) * E[(k, i, j)]
    return out


def diagonal_polynomials(dim: int, degree3: int, scale: Fraction,
                         F: list[list[list[Fraction]]]) -> tuple[fmpq_poly, fmpq_poly]:
    """(A, B): f₃(w, 0) = A(u)e^{−u/2} and f₃(w, w) = B(u)e^{−u} exactly."""
    S = q(scale)
    w = fmpq_poly([0, 1]) / S
    A = fmpq_poly([0])
    for i, row in enumerate(F[0]):
        A += q(row[0]) * w ** i
    B = fmpq_poly([0])
    for k, Fk in enumerate(F):
        inner = fmpq_poly([0])
        for i, row in enumerate(Fk):
            for j, val in enumerate(row):
                if val:
                    inner += q(val) * w ** (i + j)
        B += value_at_one(k, lam_of(dim)) * w ** k * inner
    return A, B


def shifted_to_power_basis(center: Fraction, coeffs: list[Fraction]) -> fmpq_poly:
    """Σ coeffs[j] (u − c)^j as a polynomial in u."""
    out = fmpq_poly([0])
    lin = fmpq_poly([-q(center), 1])
    for c in reversed(coeffs):
        out = out * lin + q(c)
    return out
