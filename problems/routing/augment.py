"""Label-preserving augmentations of routing data: the 8 symmetries of the unit square (they keep every
Euclidean distance, so an optimal tour stays optimal with the same length), tour rotation and reversal."""

from __future__ import annotations

import numpy as np

N_SYMMETRIES = 8


def square_symmetry(xy: np.ndarray, k: int) -> np.ndarray:
    """Apply symmetry `k` (0..7) of the unit square to coordinates `[..., 2]` in [0, 1]: bit 0 swaps x and
    y, bit 1 mirrors x, bit 2 mirrors y. k = 0 is the identity."""
    if not 0 <= k < N_SYMMETRIES:
        raise ValueError(f"symmetry index must be in 0..7, got {k}")
    out = np.array(xy, dtype=np.float64 if np.asarray(xy).dtype == np.float64 else np.float32, copy=True)
    if k & 1:
        out = out[..., ::-1].copy()
    if k & 2:
        out[..., 0] = 1.0 - out[..., 0]
    if k & 4:
        out[..., 1] = 1.0 - out[..., 1]
    return out


def random_symmetries(xy: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random square symmetry per leading row of `xy` `[B, n, 2]` (vectorised)."""
    k = rng.integers(0, N_SYMMETRIES, size=len(xy))
    out = xy.copy()
    swap = (k & 1).astype(bool)
    out[swap] = out[swap][..., ::-1]
    mx, my = (k & 2).astype(bool), (k & 4).astype(bool)
    out[mx, :, 0] = 1.0 - out[mx, :, 0]
    out[my, :, 1] = 1.0 - out[my, :, 1]
    return out


def rotate_tour(tour: np.ndarray, shift: int) -> np.ndarray:
    """The same closed tour starting `shift` positions later."""
    return np.roll(np.asarray(tour), -int(shift))


def reverse_tour(tour: np.ndarray) -> np.ndarray:
    """The same closed tour in the other direction, keeping its first node."""
    t = np.asarray(tour)
    return np.concatenate([t[:1], t[1:][::-1]])
