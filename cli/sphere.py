"""`searchlab bench sphere-game`: thin CLI over `problems.sphere_packing.bench`."""

from __future__ import annotations

import sys
from pathlib import Path

import typer


def bench_sphere_game(
    dim: int = typer.Option(4, "--dim", help="Dimension n (≥ 3)."),
    budget: int = typer.Option(30, "--budget", help="SDP solves per run."),
    seeds: int = typer.Option(5, "--seeds", help="Runs per planner."),
    planners: str = typer.Option("hybrid,random,optuna-tpe", "--planners", help="Comma-separated planners."),
    workers: int = typer.Option(2, "--workers", help="Runs in parallel processes."),
    tolerance: float = typer.Option(1e-4, "--tolerance", help="Target = best bound found by any run + this."),
    out_dir: Path = typer.Option(Path("results/bench"), "--out", help="Output directory."),
) -> None:
    """Solves needed to reach the best three-point bound (within --tolerance): hybrid vs random vs Optuna TPE."""
    from rich.console import Console
    from rich.progress import Progress

    from searchlab.problems.sphere_packing.bench import run_sphere_game_bench

    if dim < 3:
        from searchlab.errors import ConfigError

        raise ConfigError("--dim must be ≥ 3 for three-point bounds")
    command = "searchlab " + " ".join(sys.argv[1:])
    names = [p.strip() for p in planners.split(",") if p.strip()]
    with Progress(console=Console(stderr=True)) as bar:
        task = bar.add_task("runs", total=None)
        run_sphere_game_bench(dim, budget, seeds, names, workers, tolerance, out_dir, command,
                              progress=lambda done, total: bar.update(task, completed=done, total=total))
    print((out_dir / f"sphere_game_d{dim}.md").read_text())
