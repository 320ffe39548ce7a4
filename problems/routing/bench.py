"""The routing benchmark: a fresh seeded test set, reference solutions, the policy's decoders (mean gap,
seconds per instance) and OR-Tools GLS given the same wall time per instance as each decoder; written
as `results/bench/routing_<problem><size>.md` and `.json`."""

from __future__ import annotations

import json
import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from searchlab.solvers.routing import Solution, generate, solve_many, solve_reference

from .decoding import decode_many, view_size
from .models import RoutingModel
from .training import mean_gap

REFERENCE = {"tsp": ("fast-tsp", 2.0), "cvrp": ("pyvrp", 2.0), "op": ("ortools", 2.0), "kp": ("dp", None)}
"""Default reference solver and its time limit per problem (LKH via `--reference lkh` with the lkh extra)."""


@dataclass
class BenchRow:
    """One method's result: mean gap to the reference (fraction), mean seconds per instance, mean objective."""

    method: str
    gap: float
    seconds: float
    objective: float


@dataclass
class BenchReport:
    """A benchmark run: its settings, the reference's mean objective and time, and one row per method."""

    problem: str
    size: int
    instances: int
    seed: int
    reference: str
    reference_objective: float
    reference_seconds: float
    model: str
    knn: int | None
    local: int = 0
    rows: list[BenchRow] = field(default_factory=list)
    machine: str = field(default_factory=lambda: f"{platform.machine()} {platform.processor() or ''}".strip())

    @property
    def view(self) -> str:
        k = view_size(self.knn, self.local, self.size + (self.problem != "tsp"))
        if self.local:
            return f"local views of {k} nearest nodes"
        return f"kNN {k}" if k else "full views"

    def markdown(self) -> str:
        lines = [
            f"# Routing benchmark: {self.problem.upper()}{self.size}", "",
            f"{self.instances} instances generated with seed {self.seed}; reference {self.reference} "
            f"(mean objective {self.reference_objective:.4f}, {self.reference_seconds:.2f} s/instance); "
            f"model `{self.model}`; {self.view}. Gap = mean per-instance relative gap to the reference; "
            f"OR-Tools GLS rows get the wall time per instance of the decoder named in brackets.", "",
            "| method | mean gap | s / instance | mean objective |", "|---|---|---|---|",
        ]
        lines += [f"| {r.method} | {100 * r.gap:.2f}% | {r.seconds:.3f} | {r.objective:.4f} |" for r in self.rows]
        return "\n".join(lines) + "\n"


ORTOOLS_FLOOR = 0.05
"""Shortest OR-Tools time limit used (seconds); the seconds actually spent are what the report shows."""


def ortools_within(instance: Any, seconds: float) -> Solution:
    """OR-Tools GLS with `seconds` (at least `ORTOOLS_FLOOR`), doubled until it finds a first solution."""
    limit = max(seconds, ORTOOLS_FLOOR)
    while True:
        try:
            return solve_reference(instance, "ortools", limit)
        except RuntimeError:
            if limit > 600:
                raise
            limit *= 2


def run_bench(
    model: RoutingModel, problem: str, size: int, n: int, seed: int, decoders: Sequence[str], model_name: str = "",
    knn: int | None = None, reference: str | None = None, reference_time: float | None = None, ortools: bool = True,
    log: Callable[[str], None] = lambda s: None,
) -> BenchReport:
    """Benchmark the policy's `decoders` on `n` fresh instances against the reference and OR-Tools at equal time."""
    instances = generate(problem, size, n, seed)
    ref_method, ref_time = REFERENCE[problem]
    ref_method, ref_time = reference or ref_method, reference_time if reference_time is not None else ref_time
    t0 = time.perf_counter()
    refs = solve_many(instances, ref_method, ref_time)
    ref_seconds = (time.perf_counter() - t0) / n
    log(f"reference {ref_method}: {ref_seconds:.2f} s/instance")
    report = BenchReport(problem, size, n, seed, ref_method, float(np.mean([r.objective for r in refs])), ref_seconds,
                         model_name, knn, model.local)
    for dec in decoders:
        t0 = time.perf_counter()
        sols = decode_many(model.policy, instances, dec, knn=knn, local=model.local)
        secs = (time.perf_counter() - t0) / n
        report.rows.append(BenchRow(dec, mean_gap(problem, sols, refs), secs, float(np.mean([s.objective for s in sols]))))
        log(f"{dec}: gap {100 * report.rows[-1].gap:.2f}%, {secs:.3f} s/instance")
        if ortools and problem != "kp":
            ot = [ortools_within(i, secs) for i in instances]
            report.rows.append(BenchRow(f"ortools-gls [{dec}]", mean_gap(problem, ot, refs), float(np.mean([s.seconds for s in ot])),
                                        float(np.mean([s.objective for s in ot]))))
            log(f"ortools at {secs:.3f} s: gap {100 * report.rows[-1].gap:.2f}%")
    return report


def write_report(report: BenchReport, out_dir: str | Path) -> tuple[Path, Path]:
    """Write the report as `routing_<problem><size>.md` and `.json` in `out_dir`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"routing_{report.problem}{report.size}"
    md, js = stem.with_suffix(".md"), stem.with_suffix(".json")
    md.write_text(report.markdown())
    data: dict[str, Any] = asdict(report)
    js.write_text(json.dumps(data, indent=2) + "\n")
    return md, js
