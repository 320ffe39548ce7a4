"""`searchlab bench sphere-game`: sample efficiency of planners on the three-point SDP game.

Each (planner, seed) cell runs the game for `budget` SDP solves (float64 estimates, no certification) with
the engine's benchmark loop; the target is the best bound any cell found plus `tolerance`, and the score of a
cell is the number of solves it needed to reach the target (censored at the budget when it never does).
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import platform
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from searchlab.bench.planners import Cell, check_names, run_cell
from searchlab.errors import ConfigError

PRESET = "three-point-quick"


def solves_to_target(curve: list[float | None], target: float) -> int | None:
    """1-based index of the first solve whose best-so-far is ≤ target (None if never)."""
    for i, v in enumerate(curve):
        if v is not None and v <= target:
            return i + 1
    return None


def summarize(cells: list[dict[str, Any]], tolerance: float) -> tuple[float, list[dict[str, Any]]]:
    """Best bound over all cells, and per planner: reached fraction, median/IQR solves (censored), final best."""
    finals = [c["curve"][-1] for c in cells if c["curve"] and c["curve"][-1] is not None]
    best = min(finals)
    target = best + tolerance
    rows = []
    for name in sorted({c["planner"] for c in cells}):
        mine = [c for c in cells if c["planner"] == name]
        hits = [solves_to_target(c["curve"], target) for c in mine]
        censored = [h if h is not None else c["budget"] + 1 for h, c in zip(hits, mine)]
        fin = [c["curve"][-1] for c in mine if c["curve"][-1] is not None]
        rows.append({
            "planner": name, "seeds": len(mine), "reached": sum(h is not None for h in hits),
            "median_solves": float(np.median(censored)),
            "q25_solves": float(np.percentile(censored, 25)), "q75_solves": float(np.percentile(censored, 75)),
            "mean_solves_censored": float(np.mean(censored)),
            "median_final": float(np.median(fin)) if fin else None, "best_final": min(fin) if fin else None,
            "failed": int(sum(c["failed"] for c in mine)),
        })
    return best, rows


def markdown(best: float, rows: list[dict[str, Any]], tolerance: float, budget: int, dim: int, command: str) -> str:
    """The results table with the honest hybrid/random ratio."""
    by = {r["planner"]: r for r in rows}
    lines = [f"# SDP game sample efficiency (dimension {dim}, preset {PRESET})", "",
             f"Target: best estimate over all runs {best:.7f} + {tolerance:g}. Solves needed to reach it "
             f"(budget {budget}; a run that never reaches it counts as {budget + 1}).", "",
             "| planner | seeds | reached | median solves | IQR | mean (censored) | median final | best final | failed |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['planner']} | {r['seeds']} | {r['reached']} | {r['median_solves']:g} | "
                     f"{r['q25_solves']:g}–{r['q75_solves']:g} | {r['mean_solves_censored']:.1f} | "
                     f"{r['median_final']:.7f} | {r['best_final']:.7f} | {r['failed']} |")
    if "hybrid" in by and "random" in by:
        ratio = by["random"]["mean_solves_censored"] / by["hybrid"]["mean_solves_censored"]
        lines += ["", f"Random search needs {ratio:.2f}× the solves of the hybrid (mean, censored at the budget)."]
    lines += ["", f"Command: `{command}`", f"Machine: {platform.platform()}, {platform.processor() or 'cpu'}"]
    return "\n".join(lines) + "\n"


def run_sphere_game_bench(dim: int, budget: int, seeds: int, planners: Sequence[str], workers: int,
                          tolerance: float, out_dir: Path, command: str,
                          progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Run every (planner, seed) cell on the game; write sphere_game_d{dim}.json/.md/.png into out_dir."""
    if budget < 2 or seeds < 1 or workers < 1 or tolerance < 0:
        raise ConfigError("--budget must be ≥ 2, --seeds and --workers positive, --tolerance ≥ 0")
    check_names([f"sphere_packing:{PRESET}"], planners)
    cells = [Cell("sphere_packing", p, 1, s, budget, PRESET, (f"dim={dim}",)) for s in range(seeds) for p in planners]
    results: list[dict[str, Any]] = []
    with cf.ProcessPoolExecutor(workers) as ex:
        for fut in cf.as_completed([ex.submit(run_cell, c) for c in cells]):
            results.append(fut.result())
            if progress:
                progress(len(results), len(cells))
    results.sort(key=lambda c: (c["planner"], c["seed"]))
    best, rows = summarize(results, tolerance)
    data = {"command": command, "dim": dim, "budget": budget, "seeds": seeds, "tolerance": tolerance,
            "best": best, "summary": rows, "cells": results}
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"sphere_game_d{dim}"
    stem.with_suffix(".json").write_text(json.dumps(data, indent=1))
    stem.with_suffix(".md").write_text(markdown(best, rows, tolerance, budget, dim, command))
    plot(results, best, tolerance, stem.with_suffix(".png"))
    return data


def plot(cells: list[dict[str, Any]], best: float, tolerance: float, path: Path) -> None:
    """Median best-so-far gap to the best bound per planner (log scale), with IQR bands."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for name in sorted({c["planner"] for c in cells}):
        curves = np.array([[np.nan if v is None else v - best + 1e-7 for v in c["curve"]]
                           for c in cells if c["planner"] == name])
        x = np.arange(1, curves.shape[1] + 1)
        ax.plot(x, np.nanmedian(curves, axis=0), label=name)
        ax.fill_between(x, np.nanpercentile(curves, 25, axis=0), np.nanpercentile(curves, 75, axis=0), alpha=0.2)
    ax.axhline(tolerance, color="k", ls="--", lw=0.8, label=f"target (+{tolerance:g})")
    ax.set_yscale("log")
    ax.set_xlabel("SDP solves")
    ax.set_ylabel("best bound − best found")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
