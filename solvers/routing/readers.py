"""Readers for TSPLIB `.tsp` and CVRPLIB `.vrp` files (parsed by `vrplib`); the file's EDGE_WEIGHT_TYPE
is kept as the instance metric so lengths come out in the file's own (e.g. rounded EUC_2D) units.

vrplib computes unrounded distances for EUC_2D, so edge weights are never taken from it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from .distances import METRICS
from .errors import InstanceFormatError
from .instances import CVRPInstance, TSPInstance


def _parse(path: str | os.PathLike) -> dict[str, Any]:
    import vrplib

    p = Path(path)
    if not p.is_file():
        raise InstanceFormatError(f"{p}: no such file")
    try:
        data = vrplib.read_instance(str(p), compute_edge_weights=False)
    except Exception as exc:  # vrplib raises ValueError, RuntimeError, IndexError ... on malformed text
        raise InstanceFormatError(f"{p.name}: not a valid TSPLIB/VRPLIB file ({type(exc).__name__}: {exc})") from None
    if not data:
        raise InstanceFormatError(f"{p.name}: empty file")
    return data


def _metric(data: dict[str, Any], name: str) -> str:
    ewt = str(data.get("edge_weight_type", "")).strip()
    if not ewt:
        raise InstanceFormatError(f"{name}: EDGE_WEIGHT_TYPE is missing")
    if ewt not in METRICS or ewt == "EUC":
        raise InstanceFormatError(f"{name}: EDGE_WEIGHT_TYPE {ewt} is not supported (supported: EUC_2D, CEIL_2D, ATT, GEO)")
    return ewt


def _dimension(data: dict[str, Any], name: str) -> int:
    dim = data.get("dimension")
    if not isinstance(dim, (int, np.integer)) or dim < 1:
        raise InstanceFormatError(f"{name}: DIMENSION is missing or not a positive integer ({dim!r})")
    return int(dim)


def _numeric(data: dict[str, Any], key: str, name: str, dim: int, cols: int | None) -> np.ndarray:
    if key not in data:
        raise InstanceFormatError(f"{name}: {key.upper()}_SECTION is missing")
    raw = data[key]
    if isinstance(raw, list):
        raise InstanceFormatError(f"{name}: {key.upper()}_SECTION has rows of different lengths")
    arr = np.asarray(raw)
    if arr.dtype.kind not in "iuf":
        raise InstanceFormatError(f"{name}: {key.upper()}_SECTION has non-numeric entries")
    want = (dim,) if cols is None else (dim, cols)
    if arr.shape != want:
        raise InstanceFormatError(f"{name}: {key.upper()}_SECTION has shape {arr.shape}, DIMENSION {dim} needs {want}")
    return arr.astype(np.float64)


def _name(data: dict[str, Any], path: str | os.PathLike) -> str:
    return str(data.get("name", Path(path).stem)).strip()


def read_tsplib(path: str | os.PathLike) -> TSPInstance:
    """A TSP instance from a TSPLIB `.tsp` file with node coordinates."""
    data = _parse(path)
    name = _name(data, path)
    kind = str(data.get("type", "TSP")).strip()
    if kind != "TSP":
        raise InstanceFormatError(f"{name}: TYPE {kind} is not TSP")
    dim = _dimension(data, name)
    metric = _metric(data, name)
    return TSPInstance(_numeric(data, "node_coord", name, dim, 2), metric=metric, name=name)


def read_cvrplib(path: str | os.PathLike) -> CVRPInstance:
    """A CVRP instance from a CVRPLIB `.vrp` file: one depot, which must be the first node."""
    data = _parse(path)
    name = _name(data, path)
    kind = str(data.get("type", "CVRP")).strip()
    if kind != "CVRP":
        raise InstanceFormatError(f"{name}: TYPE {kind} is not CVRP")
    dim = _dimension(data, name)
    metric = _metric(data, name)
    coords = _numeric(data, "node_coord", name, dim, 2)
    demands = _numeric(data, "demand", name, dim, None)
    cap = data.get("capacity")
    if not isinstance(cap, (int, np.integer)) or cap <= 0:
        raise InstanceFormatError(f"{name}: CAPACITY is missing or not a positive integer ({cap!r})")
    depots = np.atleast_1d(np.asarray(data.get("depot", [0])))
    if depots.tolist() != [0]:
        raise InstanceFormatError(f"{name}: only one depot, the first node, is supported (got DEPOT_SECTION {(depots + 1).tolist()})")
    return CVRPInstance(coords, demands, int(cap), metric=metric, name=name)


def read_instance_file(path: str | os.PathLike) -> TSPInstance | CVRPInstance:
    """Read a `.tsp` or `.vrp` file by its extension."""
    suffix = Path(path).suffix.lower()
    if suffix == ".tsp":
        return read_tsplib(path)
    if suffix == ".vrp":
        return read_cvrplib(path)
    raise InstanceFormatError(f"{Path(path).name}: unknown instance file type {suffix!r} (expected .tsp, .vrp or .npz)")
