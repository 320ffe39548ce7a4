"""`searchlab bench planners`: planners side by side on benchmark problems, with Optuna TPE as baseline.

Each cell (problem, planner, batch size, seed) runs a synchronous batched loop in one process: ask
`batch` candidates, evaluate them, tell the results in order. Outputs: per-cell best-so-far curves
(JSON), a Markdown table of median and IQR at chosen budgets, a PNG of the curves, and the planners'
`ask` latency at 100 and 500 observations.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import ConfigError
from ..oracle import Job, Status, execute
from ..planner import Planner, PlannerContext, Record
from ..planners import PLANNERS, make_planner
from ..planners.random import RandomPlanner
from ..registry import get_problem
from ..seeds import derive_seed

BASELINES = ("optuna-tpe",)


@dataclass(frozen=True)
class Cell:
    """One benchmark run: a planner on a problem with a batch size and a seed."""

    problem: str
    planner: str
    batch: int
    seed: int
    budget: int
    preset: str | None = None
    overrides: tuple[str, ...] = ()


def build_planner(name: str, ctx: PlannerContext) -> Planner:
    """A searchlab planner, or the Optuna baseline."""
    if name == "optuna-tpe":
        from .optuna_tpe import OptunaTPEPlanner

        return OptunaTPEPlanner(ctx)
    return make_planner(name, ctx)


def split_problem(spec: str) -> tuple[str, str | None]:
    """`name` or `name:preset` (e.g. `ackley-mixed:shifted`)."""
    name, _, preset = spec.partition(":")
    return name, preset or None


def check_names(problems: Sequence[str], planners: Sequence[str]) -> None:
    """Fail early, on one line, for unknown problems, presets or planners."""
    for spec in problems:
        name, preset = split_problem(spec)
        get_problem(name).resolve(preset)
    for name in planners:
        if name not in PLANNERS and name not in BASELINES:
            raise ConfigError(f"unknown planner {name!r} (known: {', '.join([*PLANNERS, *BASELINES])})")


def run_cell(cell: Cell) -> dict[str, Any]:
    """Run one cell; return its best-so-far curve (natural direction), failures and seconds spent asking."""
    import torch

    torch.set_num_threads(1)
    problem = get_problem(cell.problem)
    config = problem.resolve(cell.preset, cell.overrides)
    game, oracle = problem.make_game(config), problem.make_oracle(config)
    ctx = PlannerContext(game, cell.seed, problem.minimize)
    planner = build_planner(cell.planner, ctx)
    sign = 1.0 if problem.minimize else -1.0
    best, curve, seen = np.inf, [], set()
    ask_seconds, failed, n = 0.0, 0, 0
    while n < cell.budget:
        t0 = time.perf_counter()
        cands = planner.ask(min(cell.batch, cell.budget - n), [])
        ask_seconds += time.perf_counter() - t0
        records = []
        for cand in cands:
            result = execute(Job(n, oracle, cand, derive_seed(cell.seed, n)))
            records.append(Record(n, cand, derive_seed(cell.seed, n), result.status, result.value))
            if result.status is Status.OK and result.value is not None:
                best = min(best, sign * result.value)
            else:
                failed += 1
            seen.add(cand.key)
            curve.append(float(sign * best) if np.isfinite(best) else None)
            n += 1
        planner.tell(records)
    return {**asdict(cell), "curve": curve, "failed": failed, "distinct": len(seen), "ask_seconds": ask_seconds}


def ask_latency(problem_name: str, planner_name: str, observations: int, preset: str | None = None,
                seed: int = 0, repeats: int = 9) -> dict[str, float]:
    """Seconds of `ask(1)` in a running search at about `observations` results: a planner told that many
    random evaluations asks once (untimed: it fits its model), then `repeats` times it is told one more
    result and the next ask is timed. Returns the median and the maximum (the asks that refit the model)."""
    import torch

    torch.set_num_threads(1)
    problem = get_problem(problem_name)
    config = problem.resolve(preset)
    game, oracle = problem.make_game(config), problem.make_oracle(config)
    sampler = RandomPlanner(PlannerContext(game, seed + 1, problem.minimize))
    records = []
    for i, c in enumerate(sampler.ask(observations + repeats, [])):
        r = execute(Job(i, oracle, c, derive_seed(seed, i)))
        records.append(Record(i, c, derive_seed(seed, i), r.status, r.value))
    planner = build_planner(planner_name, PlannerContext(game, seed, problem.minimize))
    planner.tell(records[:observations])
    planner.ask(1, [])
    times = []
    for k in range(repeats):
        planner.tell([records[observations + k]])
        t0 = time.perf_counter()
        planner.ask(1, [])
        times.append(time.perf_counter() - t0)
    return {"median": float(np.median(times)), "max": float(np.max(times))}


def measure_latency(problem: str, planners: Sequence[str], latency_at: Sequence[int]) -> list[dict[str, Any]]:
    """`ask_latency` for each planner and observation count, as table rows."""
    name, preset = split_problem(problem)
    return [{"problem": problem, "planner": p, "observations": n, **ask_latency(name, p, n, preset)}
            for p in planners for n in latency_at]


def rerun_latency(out_dir: Path, latency_at: Sequence[int], command: str) -> dict[str, Any]:
    """Re-measure only the latency of an existing planners.json (e.g. on a quiet machine) and re-render."""
    path = out_dir / "planners.json"
    if not path.exists():
        raise ConfigError(f"no {path}: run the benchmark first")
    data = json.loads(path.read_text())
    planners = list(dict.fromkeys(c["planner"] for c in data["cells"]))
    data["latency"] = measure_latency(data["latency"][0]["problem"] if data["latency"] else data["cells"][0]["problem"],
                                      planners, latency_at)
    data["latency_command"] = command
    marks = [int(k.split("@")[1]) for k in data["summary"][0] if k.startswith("median@")]
    path.write_text(json.dumps(data, indent=1))
    n = len(data["cells"])
    (out_dir / "planners.md").write_text(markdown(data["summary"], marks, data["latency"], data["command"], n, n,
                                                  command))
    return data


def label(cell: dict[str, Any]) -> str:
    """A cell's problem as given on the command line: `name` or `name:preset`."""
    return cell["problem"] + (f":{cell['preset']}" if cell.get("preset") else "")


def summarize(cells: list[dict[str, Any]], checkpoints: Sequence[int], minimize: dict[str, bool]) -> list[dict[str, Any]]:
    """Median and IQR of best-so-far at each checkpoint, per (problem, planner, batch)."""
    groups: dict[tuple[str, str, int], list[list[float]]] = {}
    for c in cells:
        groups.setdefault((label(c), c["planner"], c["batch"]), []).append(c["curve"])
    rows = []
    for (problem, planner, batch), curves in sorted(groups.items()):
        row: dict[str, Any] = {"problem": problem, "planner": planner, "batch": batch, "seeds": len(curves)}
        for b in checkpoints:
            vals = np.array([cv[b - 1] if len(cv) >= b and cv[b - 1] is not None else np.nan for cv in curves], float)
            q1, med, q3 = np.nanpercentile(vals, [25, 50, 75]) if np.isfinite(vals).any() else (np.nan,) * 3
            row[f"median@{b}"], row[f"iqr@{b}"] = float(med), [float(q1), float(q3)]
        row["minimize"] = minimize[problem]
        rows.append(row)
    return rows


def markdown(rows: list[dict[str, Any]], checkpoints: Sequence[int], latency: list[dict[str, Any]], command: str,
             done: int, total: int, latency_command: str | None = None) -> str:
    """The results table as Markdown, with the command that produced it."""
    status = "complete" if done == total else f"PARTIAL: {done} of {total} cells finished"
    lines = ["# Planner benchmark", "", f"Command: `{command}`", "", f"Cells: {status}.", "",
             "Best-so-far, median [IQR] over seeds, in each problem's own direction "
             "(ackley-mixed, jenatton, pest-control: lower is better; labs merit factor: higher is better).", ""]
    head = "| problem | planner | batch | seeds | " + " | ".join(f"@{b}" for b in checkpoints) + " |"
    lines += [head, "|" + "---|" * (4 + len(checkpoints))]
    for r in rows:
        cols = [f"{r[f'median@{b}']:.4g} [{r[f'iqr@{b}'][0]:.4g}, {r[f'iqr@{b}'][1]:.4g}]" for b in checkpoints]
        lines.append(f"| {r['problem']} | {r['planner']} | {r['batch']} | {r['seeds']} | " + " | ".join(cols) + " |")
    if latency:
        lines += ["", "## ask latency", "",
                  "Seconds of ask(1) in a running search (one thread): the planner, told that many results, is told one "
                  "more and asked again, 9 times; median and maximum (the maximum is an ask that refits the GP's "
                  "hyperparameters, which happens on a fixed schedule).", ""]
        if latency_command:
            lines += [f"Measured with: `{latency_command}`", ""]
        lines += ["| problem | planner | observations | median s | max s |", "|---|---|---|---|---|"]
        lines += [f"| {x['problem']} | {x['planner']} | {x['observations']} | {x['median']:.3f} | {x['max']:.3f} |"
                  for x in latency]
    lines += ["", f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}."]
    return "\n".join(lines) + "\n"


def plot(cells: list[dict[str, Any]], path: Path) -> None:
    """Median best-so-far curves with interquartile bands, one panel per problem and batch size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    problems = sorted({label(c) for c in cells})
    batches = sorted({c["batch"] for c in cells})
    planners = sorted({c["planner"] for c in cells})
    fig, axes = plt.subplots(len(problems), len(batches), figsize=(4.4 * len(batches), 3.0 * len(problems)),
                             dpi=110, squeeze=False)
    for ax, (problem, batch) in zip(axes.flat, [(p, b) for p in problems for b in batches]):
        for name in planners:
            curves = [c["curve"] for c in cells if label(c) == problem and c["batch"] == batch and c["planner"] == name]
            if not curves:
                continue
            arr = np.array([[np.nan if v is None else v for v in cv] for cv in curves], float)
            x = np.arange(1, arr.shape[1] + 1)
            med = np.nanmedian(arr, axis=0)
            ax.plot(x, med, label=name)
            ax.fill_between(x, np.nanpercentile(arr, 25, axis=0), np.nanpercentile(arr, 75, axis=0), alpha=0.15)
        ax.set_title(f"{problem} (batch {batch})", fontsize=9)
        ax.set_ylabel("best so far", fontsize=8)
    for ax in axes[-1]:
        ax.set_xlabel("evaluations")
    axes[0][-1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def run_bench(problems: Sequence[str], planners: Sequence[str], budget: int, seeds: int, batches: Sequence[int],
              workers: int, out_dir: Path, checkpoints: Sequence[int], latency_at: Sequence[int], command: str,
              progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Run every cell (in `workers` processes), then write planners.json, planners.md and planners.png."""
    check_names(problems, planners)
    if budget < 1 or seeds < 1 or workers < 1 or any(b < 1 for b in batches):
        raise ConfigError("--budget, --seeds, --workers and every --batch must be positive")
    # seeds outermost, so that outputs written while the run goes on compare planners on equal footing
    cells = [Cell(split_problem(p)[0], name, b, s, budget, split_problem(p)[1])
             for s in range(seeds) for b in batches for p in problems for name in planners]
    minimize = {p: get_problem(split_problem(p)[0]).minimize for p in problems}
    results: list[dict[str, Any]] = []
    latency: list[dict[str, Any]] = []

    def write() -> dict[str, Any]:
        done = sorted(results, key=lambda c: (c["problem"], c["planner"], c["batch"], c["seed"]))
        marks = [b for b in checkpoints if b <= budget]
        rows = summarize(done, marks, minimize)
        data = {"command": command, "budget": budget, "seeds": seeds, "batches": list(batches),
                "complete": len(done) == len(cells), "summary": rows, "latency": latency, "cells": done}
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "planners.json").write_text(json.dumps(data, indent=1))
        (out_dir / "planners.md").write_text(markdown(rows, marks, latency, command, len(done), len(cells)))
        plot(done, out_dir / "planners.png")
        return data

    with cf.ProcessPoolExecutor(workers) as ex:
        lat_future = ex.submit(measure_latency, problems[0], list(planners), list(latency_at))
        futures = [ex.submit(run_cell, c) for c in cells]
        for fut in cf.as_completed(futures):
            results.append(fut.result())
            if progress:
                progress(len(results), len(cells))
            if len(results) % 20 == 0:
                write()
        latency += lat_future.result()
    return write()
