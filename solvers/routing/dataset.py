"""A compact `.npz` format for many instances of one problem plus optional labels (solutions), and
`load_instances`, which reads a `.npz` dataset, a `.tsp`/`.vrp` file or a folder of them.

Arrays are padded to the largest instance (`n_nodes` holds the true sizes); labels are one int sequence
per instance padded with -1 (tsp/op: the tour; cvrp: routes joined by 0; kp: the items). The file is
read with `allow_pickle=False`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from .errors import InstanceFormatError
from .instances import PROBLEMS, CVRPInstance, Instance, KPInstance, OPInstance, TSPInstance
from .readers import read_instance_file
from .solution import Solution

FORMAT = "searchlab-routing-v1"


@dataclass(frozen=True)
class Dataset:
    """Instances of one problem and, optionally, one label solution per instance."""

    problem: str
    instances: tuple[Instance, ...]
    labels: tuple[Solution, ...] | None = None

    def __len__(self) -> int:
        return len(self.instances)


def _size(inst: Instance) -> int:
    return inst.n_items if isinstance(inst, KPInstance) else len(inst.coords)


def _pad(rows: Sequence[np.ndarray], width: int, fill: float, dtype: type) -> np.ndarray:
    out = np.full((len(rows), width, *rows[0].shape[1:]) if rows else (0, width), fill, dtype=dtype)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


def _encode(sol: Solution) -> list[int]:
    if sol.problem == "cvrp":
        seq: list[int] = []
        for r in sol.routes:
            seq += ([0] if seq else []) + list(r)
        return seq
    return list(sol.items if sol.problem == "kp" else sol.tour)


def _decode(problem: str, seq: np.ndarray, objective: float, method: str, seconds: float) -> Solution:
    s = [int(v) for v in seq if v >= 0]
    if problem == "cvrp":
        routes, cur = [], []
        for v in s:
            if v == 0:
                routes.append(cur)
                cur = []
            else:
                cur.append(v)
        routes.append(cur)
        sol = Solution.of_routes(routes)
    elif problem == "kp":
        sol = Solution.of_items(s)
    elif problem == "op":
        sol = Solution.of_op_tour(s)
    else:
        sol = Solution.of_tour(s)
    return Solution(sol.problem, sol.tour, sol.routes, sol.items, float(objective), str(method), float(seconds))


def save_dataset(path: str | os.PathLike, instances: Sequence[Instance], labels: Sequence[Solution] | None = None) -> None:
    """Write instances (all of one problem) and optional labels to a compressed `.npz` file."""
    if not instances:
        raise ValueError("save_dataset: no instances")
    problem = instances[0].problem
    if any(i.problem != problem for i in instances):
        raise ValueError("save_dataset: all instances must be of one problem")
    if labels is not None and (len(labels) != len(instances) or any(s.problem != problem for s in labels)):
        raise ValueError("save_dataset: need one label of the same problem per instance")
    sizes = np.array([_size(i) for i in instances])
    width = int(sizes.max())
    arrays: dict[str, np.ndarray] = {
        "format": np.array(FORMAT), "problem": np.array(problem), "n_nodes": sizes,
        "names": np.array([i.name for i in instances]),
    }
    if problem == "kp":
        arrays["weights"] = _pad([i.weights for i in instances], width, 0, np.int64)
        arrays["values"] = _pad([i.values for i in instances], width, 0.0, np.float64)
        arrays["capacity"] = np.array([i.capacity for i in instances], np.int64)
    else:
        arrays["coords"] = _pad([i.coords for i in instances], width, 0.0, np.float64)
        arrays["metric"] = np.array([i.metric for i in instances])
    if problem == "cvrp":
        arrays["demands"] = _pad([i.demands for i in instances], width, 0, np.int64)
        arrays["capacity"] = np.array([i.capacity for i in instances], np.int64)
    if problem == "op":
        arrays["prizes"] = _pad([i.prizes for i in instances], width, 0.0, np.float64)
        arrays["max_length"] = np.array([i.max_length for i in instances], np.float64)
    if labels is not None:
        seqs = [np.array(_encode(s), np.int64) for s in labels]
        arrays["label_seq"] = _pad(seqs, max(1, max(len(s) for s in seqs)), -1, np.int64)
        arrays["label_objective"] = np.array([s.objective for s in labels], np.float64)
        arrays["label_method"] = np.array([s.method for s in labels])
        arrays["label_seconds"] = np.array([s.seconds for s in labels], np.float64)
    np.savez_compressed(path, **arrays)


def _instance(problem: str, a: dict[str, np.ndarray], i: int) -> Instance:
    n, name = int(a["n_nodes"][i]), str(a["names"][i])
    if problem == "kp":
        return KPInstance(a["weights"][i, :n], a["values"][i, :n], int(a["capacity"][i]), name=name)
    coords, metric = a["coords"][i, :n], str(a["metric"][i])
    if problem == "tsp":
        return TSPInstance(coords, metric=metric, name=name)
    if problem == "cvrp":
        return CVRPInstance(coords, a["demands"][i, :n], int(a["capacity"][i]), metric=metric, name=name)
    return OPInstance(coords, a["prizes"][i, :n], float(a["max_length"][i]), metric=metric, name=name)


def load_dataset(path: str | os.PathLike) -> Dataset:
    """Read a dataset written by `save_dataset`; a one-line InstanceFormatError if it is not one."""
    p = Path(path)
    try:
        with np.load(p, allow_pickle=False) as z:
            a = {k: z[k] for k in z.files}
    except FileNotFoundError:
        raise InstanceFormatError(f"{p}: no such file") from None
    except Exception as exc:
        raise InstanceFormatError(f"{p.name}: not a readable .npz file ({type(exc).__name__}: {exc})") from None
    if "format" not in a or str(a["format"]) != FORMAT:
        raise InstanceFormatError(f"{p.name}: not a {FORMAT} dataset")
    problem = str(a["problem"])
    if problem not in PROBLEMS:
        raise InstanceFormatError(f"{p.name}: unknown problem {problem!r}")
    try:
        instances = tuple(_instance(problem, a, i) for i in range(len(a["n_nodes"])))
        labels = None
        if "label_seq" in a:
            labels = tuple(
                _decode(problem, a["label_seq"][i], a["label_objective"][i], a["label_method"][i], a["label_seconds"][i])
                for i in range(len(instances))
            )
    except KeyError as exc:
        raise InstanceFormatError(f"{p.name}: array {exc} is missing") from None
    return Dataset(problem, instances, labels)


def load_instances(path: str | os.PathLike) -> list[Instance]:
    """Instances from a `.npz` dataset, a `.tsp` / `.vrp` file, or every such file in a folder (by name)."""
    p = Path(path)
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.suffix.lower() in (".tsp", ".vrp"))
        if not files:
            raise InstanceFormatError(f"{p}: no .tsp or .vrp files in this folder")
        return [read_instance_file(f) for f in files]
    if p.suffix.lower() == ".npz":
        return list(load_dataset(p).instances)
    return [read_instance_file(p)]


