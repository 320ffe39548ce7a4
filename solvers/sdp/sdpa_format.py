"""Export a `BlockSDP` in SDPA sparse format (`.dat-s`), readable by sdpa, sdpa-gmp and sdpap.importsdpa.

SDPA's dual form is max ⟨F0,Y⟩ s.t. ⟨F_i,Y⟩ = c_i, so F0 = −C and F_i = A_i, c = b. Free variables
x are split as x = x⁺ − x⁻ into one diagonal (LP) block written last, of size −2·nfree.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .problem import BlockSDP


def _entries(mat: np.ndarray, index: int, block: int, fmt: str, tol: float) -> list[str]:
    """Upper-triangular nonzero entries of one symmetric block as SDPA lines."""
    rows, cols = np.nonzero(np.triu(np.abs(mat) > tol))
    return [f"{index} {block} {i + 1} {j + 1} {fmt % mat[i, j]}" for i, j in zip(rows, cols)]


def write_sdpa(sdp: BlockSDP, path: str | Path, fmt: str = "%.17e", tol: float = 0.0) -> Path:
    """Write `sdp` to `path` (SDPA sparse format); the constant objective offset goes in a comment."""
    path = Path(path)
    nf = sdp.num_free
    sizes = [str(s) for s in sdp.block_sizes] + ([str(-2 * nf)] if nf else [])
    lp = len(sdp.block_sizes) + 1
    lines = [f'"searchlab BlockSDP; objective offset {sdp.objective_offset!r}; min <C,Y> = -max <F0,Y>"',
             str(sdp.num_constraints), str(len(sizes)), " ".join(sizes),
             " ".join(fmt % v for v in sdp.b)]

    def lp_entries(vec: np.ndarray, index: int) -> list[str]:
        out = []
        for k, v in enumerate(vec):
            if abs(v) > tol:
                out.append(f"{index} {lp} {k + 1} {k + 1} {fmt % v}")
                out.append(f"{index} {lp} {nf + k + 1} {nf + k + 1} {fmt % -v}")
        return out

    for blk, Cb in enumerate(sdp.C, start=1):
        lines += _entries(-Cb, 0, blk, fmt, tol)
    if nf:
        lines += lp_entries(-np.asarray(sdp.c_free), 0)
    for i in range(sdp.num_constraints):
        for blk, Ab in enumerate(sdp.A, start=1):
            lines += _entries(Ab[i], i + 1, blk, fmt, tol)
        if nf:
            lines += lp_entries(sdp.F[i], i + 1)
    path.write_text("\n".join(lines) + "\n")
    return path
