"""Plain-data routing instances (TSP, CVRP, OP, KP), validated on construction.

Node-based instances keep the depot, where there is one, at index 0 of `coords`. `metric` names how
distances are computed (see `distances.METRICS`): generated instances use exact Euclidean distances
("EUC"), instances read from TSPLIB/CVRPLIB files keep the file's rule (e.g. "EUC_2D", rounded).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

import numpy as np

from .distances import METRICS, distance_matrix
from .errors import InstanceFormatError


def _coords(coords: np.ndarray, what: str, min_nodes: int) -> np.ndarray:
    c = np.asarray(coords, dtype=np.float64)
    if c.ndim != 2 or c.shape[1] != 2:
        raise InstanceFormatError(f"{what}: coordinates must be an [n, 2] array, got shape {c.shape}")
    if len(c) < min_nodes:
        raise InstanceFormatError(f"{what}: needs at least {min_nodes} nodes, got {len(c)}")
    if not np.all(np.isfinite(c)):
        raise InstanceFormatError(f"{what}: coordinates must be finite")
    return c


def _cached_distances(instance: object) -> np.ndarray:
    """The instance's distance matrix, computed once and kept read-only on the (frozen) instance."""
    d = instance.__dict__.get("_distances")
    if d is None:
        d = distance_matrix(instance.coords, instance.metric)  # type: ignore[attr-defined]
        d.flags.writeable = False
        object.__setattr__(instance, "_distances", d)
    return d


def _metric(metric: str, what: str) -> str:
    if metric not in METRICS:
        raise InstanceFormatError(f"{what}: unknown metric {metric!r} (known: {', '.join(METRICS)})")
    return metric


@dataclass(frozen=True, eq=False)
class TSPInstance:
    """Visit every node once and return to the start; minimise the length."""

    coords: np.ndarray
    metric: str = "EUC"
    name: str = ""
    problem: str = field(default="tsp", init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "coords", _coords(self.coords, self.name or "tsp", 1))
        _metric(self.metric, self.name or "tsp")

    @property
    def n_nodes(self) -> int:
        return len(self.coords)

    def distances(self) -> np.ndarray:
        return _cached_distances(self)


@dataclass(frozen=True, eq=False)
class CVRPInstance:
    """Serve every customer (nodes 1..n) from the depot (node 0) with routes of total demand <= capacity."""

    coords: np.ndarray
    demands: np.ndarray
    capacity: int
    metric: str = "EUC"
    name: str = ""
    problem: str = field(default="cvrp", init=False)

    def __post_init__(self) -> None:
        what = self.name or "cvrp"
        object.__setattr__(self, "coords", _coords(self.coords, what, 2))
        _metric(self.metric, what)
        d = np.asarray(self.demands)
        if d.shape != (len(self.coords),):
            raise InstanceFormatError(f"{what}: demands must have one entry per node ({len(self.coords)}), got shape {d.shape}")
        if not np.all(np.equal(np.mod(d, 1), 0)):
            raise InstanceFormatError(f"{what}: demands must be integers")
        d = d.astype(np.int64)
        if d[0] != 0:
            raise InstanceFormatError(f"{what}: the depot (node 0) must have demand 0, got {d[0]}")
        if np.any(d[1:] < 0):
            raise InstanceFormatError(f"{what}: demands must be >= 0")
        if int(self.capacity) != self.capacity or self.capacity <= 0:
            raise InstanceFormatError(f"{what}: capacity must be a positive integer, got {self.capacity}")
        if d.max() > self.capacity:
            raise InstanceFormatError(f"{what}: customer {int(d.argmax())} has demand {d.max()} > capacity {self.capacity}")
        object.__setattr__(self, "demands", d)
        object.__setattr__(self, "capacity", int(self.capacity))

    @property
    def n_customers(self) -> int:
        return len(self.coords) - 1

    def distances(self) -> np.ndarray:
        return _cached_distances(self)


@dataclass(frozen=True, eq=False)
class OPInstance:
    """Orienteering: a tour from the depot (node 0) back to it of length <= max_length; maximise collected prizes."""

    coords: np.ndarray
    prizes: np.ndarray
    max_length: float
    metric: str = "EUC"
    name: str = ""
    problem: str = field(default="op", init=False)

    def __post_init__(self) -> None:
        what = self.name or "op"
        object.__setattr__(self, "coords", _coords(self.coords, what, 1))
        _metric(self.metric, what)
        p = np.asarray(self.prizes, dtype=np.float64)
        if p.shape != (len(self.coords),):
            raise InstanceFormatError(f"{what}: prizes must have one entry per node ({len(self.coords)}), got shape {p.shape}")
        if p[0] != 0 or np.any(p < 0) or not np.all(np.isfinite(p)):
            raise InstanceFormatError(f"{what}: prizes must be finite, >= 0, and 0 at the depot")
        if not (np.isfinite(self.max_length) and self.max_length >= 0):
            raise InstanceFormatError(f"{what}: max_length must be finite and >= 0, got {self.max_length}")
        object.__setattr__(self, "prizes", p)
        object.__setattr__(self, "max_length", float(self.max_length))

    def distances(self) -> np.ndarray:
        return _cached_distances(self)


@dataclass(frozen=True, eq=False)
class KPInstance:
    """0-1 knapsack: choose items of total weight <= capacity; maximise total value. Weights are integers."""

    weights: np.ndarray
    values: np.ndarray
    capacity: int
    name: str = ""
    problem: str = field(default="kp", init=False)

    def __post_init__(self) -> None:
        what = self.name or "kp"
        w, v = np.asarray(self.weights), np.asarray(self.values, dtype=np.float64)
        if w.ndim != 1 or v.shape != w.shape or len(w) < 1:
            raise InstanceFormatError(f"{what}: weights and values must be 1-d arrays of one length, got {w.shape} and {v.shape}")
        if not np.all(np.equal(np.mod(w, 1), 0)) or np.any(w <= 0):
            raise InstanceFormatError(f"{what}: weights must be positive integers")
        if np.any(v < 0) or not np.all(np.isfinite(v)):
            raise InstanceFormatError(f"{what}: values must be finite and >= 0")
        if int(self.capacity) != self.capacity or self.capacity < 0:
            raise InstanceFormatError(f"{what}: capacity must be an integer >= 0, got {self.capacity}")
        object.__setattr__(self, "weights", w.astype(np.int64))
        object.__setattr__(self, "values", v)
        object.__setattr__(self, "capacity", int(self.capacity))

    @property
    def n_items(self) -> int:
        return len(self.weights)


Instance = Union[TSPInstance, CVRPInstance, OPInstance, KPInstance]
PROBLEMS = ("tsp", "cvrp", "op", "kp")
