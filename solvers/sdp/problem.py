"""Standard-form block SDP shared by all back-ends: min cᵀx + ⟨C,Y⟩ s.t. F x + ⟨A_i,Y⟩ = b_i, Y ⪰ 0, x free.

Without free variables this is SDPA's "dual" form D; the SOS layer builds it and the back-ends /
exporter consume it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class BlockSDP:
    """An equality-constrained SDP over block-diagonal PSD Y; A[b] has shape (m, s_b, s_b)."""

    block_sizes: tuple[int, ...]
    A: list[np.ndarray]
    b: np.ndarray
    C: list[np.ndarray]
    objective_offset: float = 0.0
    F: np.ndarray | None = None
    c_free: np.ndarray | None = None

    @property
    def num_free(self) -> int:
        """Number of free (unconstrained) scalar variables x."""
        return 0 if self.F is None else int(self.F.shape[1])

    @property
    def num_constraints(self) -> int:
        """Number of equality constraints m."""
        return int(self.b.shape[0])

    def with_margin(self, eps) -> "BlockSDP":
        """Substitute Y_b = Y'_b + E_b with E_b = ε_b I (ε scalar or one per block) or a given PSD matrix E_b.

        Y' ⪰ 0 then forces Y_b ⪰ E_b: a strictly feasible point, so rounding cannot break positivity.
        """
        E = margin_matrices(self.block_sizes, eps)
        shift = sum(np.einsum("mij,ij->m", Ab, Eb) for Ab, Eb in zip(self.A, E))
        offset = self.objective_offset + sum(float(np.sum(Cb * Eb)) for Cb, Eb in zip(self.C, E))
        return BlockSDP(self.block_sizes, self.A, self.b - shift, self.C, offset, self.F, self.c_free)


def margin_matrices(block_sizes: tuple[int, ...], eps) -> list[np.ndarray]:
    """Normalise a margin spec (scalar, per-block scalars, or per-block matrices) to a list of matrices."""
    if isinstance(eps, (list, tuple)) and eps and isinstance(eps[0], np.ndarray) and eps[0].ndim == 2:
        return [np.asarray(e, dtype=float) for e in eps]
    vals = np.broadcast_to(np.asarray(eps, dtype=float), (len(block_sizes),))
    return [float(v) * np.eye(s) for v, s in zip(vals, block_sizes)]


def balance_blocks(sdp: BlockSDP) -> tuple[BlockSDP, np.ndarray, float]:
    """Rescale Y_b = Y'_b/σ_b (σ_b = max|A_b|) and the objective by 1/τ, so all data are O(1).

    Returns (balanced SDP, σ, τ); a solution Y' of the balanced SDP maps back as Y_b = Y'_b/σ_b.
    """
    sig = np.array([max(float(np.abs(Ab).max()), 1e-300) for Ab in sdp.A])
    A = [Ab / sb for Ab, sb in zip(sdp.A, sig)]
    C = [Cb / sb for Cb, sb in zip(sdp.C, sig)]
    F, cf = sdp.F, sdp.c_free
    tau = max(max(float(np.abs(Cb).max()) for Cb in C), float(np.abs(cf).max()) if F is not None else 0.0, 1e-300)
    C = [Cb / tau for Cb in C]
    if F is not None:
        cf = cf / tau
    return BlockSDP(sdp.block_sizes, A, sdp.b.copy(), C, sdp.objective_offset / tau, F, cf), sig, tau


@dataclass
class SDPSolution:
    """Solver output: primal blocks Y, dual vector y, objective values, status text and time."""

    Y: list[np.ndarray]
    y: np.ndarray
    x: np.ndarray
    primal_objective: float
    dual_objective: float
    status: str
    seconds: float
    backend: str
    info: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the back-end reports an optimal (or near-optimal) point."""
        return self.status in ("pdOPT", "optimal", "optimal_inaccurate", "pdFEAS")


def residual(sdp: BlockSDP, Y: list[np.ndarray], x: np.ndarray | None = None) -> np.ndarray:
    """Equality residual F x + ⟨A_i, Y⟩ − b_i (a-posteriori check, no trust in the solver's report)."""
    val = sum(np.einsum("mij,ij->m", Ab, Yb) for Ab, Yb in zip(sdp.A, Y))
    if sdp.F is not None and x is not None:
        val = val + sdp.F @ x
    return val - sdp.b


def objective(sdp: BlockSDP, Y: list[np.ndarray], x: np.ndarray | None = None) -> float:
    """Objective cᵀx + ⟨C, Y⟩ plus the constant offset."""
    val = float(sum(np.sum(Cb * Yb) for Cb, Yb in zip(sdp.C, Y)) + sdp.objective_offset)
    if sdp.c_free is not None and x is not None:
        val += float(sdp.c_free @ x)
    return val
