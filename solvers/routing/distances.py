"""Distance rules: exact Euclidean ("EUC", our generated data) and the TSPLIB rules EUC_2D (nint), CEIL_2D,
ATT (pseudo-Euclidean) and GEO, so lengths of TSPLIB/CVRPLIB instances are reported in the file's metric."""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np


def _euclid(c: np.ndarray) -> np.ndarray:
    diff = c[:, None, :] - c[None, :, :]
    return np.sqrt((diff**2).sum(-1))


def _nint(x: np.ndarray) -> np.ndarray:
    """TSPLIB's nint: (int)(x + 0.5) for the non-negative values distances are."""
    return np.floor(x + 0.5)


def _att(c: np.ndarray) -> np.ndarray:
    diff = c[:, None, :] - c[None, :, :]
    r = np.sqrt((diff**2).sum(-1) / 10.0)
    t = _nint(r)
    return np.where(t < r, t + 1, t)


def _geo(c: np.ndarray) -> np.ndarray:
    deg = np.trunc(c)  # TSPLIB reference code: deg = (int) x
    rad = np.pi * (deg + 5.0 * (c - deg) / 3.0) / 180.0
    lat, lon = rad[:, 0], rad[:, 1]
    q1 = np.cos(lon[:, None] - lon[None, :])
    q2 = np.cos(lat[:, None] - lat[None, :])
    q3 = np.cos(lat[:, None] + lat[None, :])
    arg = np.clip(0.5 * ((1.0 + q1) * q2 - (1.0 - q1) * q3), -1.0, 1.0)
    d = np.trunc(6378.388 * np.arccos(arg) + 1.0)
    np.fill_diagonal(d, 0.0)
    return d


METRICS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "EUC": _euclid,
    "EUC_2D": lambda c: _nint(_euclid(c)),
    "CEIL_2D": lambda c: np.ceil(_euclid(c)),
    "ATT": _att,
    "GEO": _geo,
}
"""Metric name -> full distance matrix from [n, 2] coordinates. All but "EUC" give integers (as floats)."""

INTEGER_METRICS = frozenset(METRICS) - {"EUC"}


def distance_matrix(coords: np.ndarray, metric: str = "EUC") -> np.ndarray:
    """The [n, n] distance matrix of `coords` under `metric` (float64)."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r} (known: {', '.join(METRICS)})")
    return METRICS[metric](np.asarray(coords, dtype=np.float64))


def path_length(dist: np.ndarray, nodes: Sequence[int], closed: bool = False) -> float:
    """Length of the path through `nodes` in order (plus the edge back to the first node if `closed`)."""
    idx = np.asarray(nodes, dtype=np.int64)
    if len(idx) < 2:
        return 0.0
    total = float(dist[idx[:-1], idx[1:]].sum())
    return total + float(dist[idx[-1], idx[0]]) if closed else total


def integer_matrix(dist: np.ndarray, metric: str, scale: float = 1e6) -> np.ndarray:
    """Distances as int64 for integer-cost solvers: exact for integer metrics, else rounded after x `scale`."""
    if metric in INTEGER_METRICS:
        return dist.astype(np.int64)
    return np.rint(dist * scale).astype(np.int64)
