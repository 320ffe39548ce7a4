"""The `searchlab` command line: parses options, calls the engine, prints. Nothing else lives here."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.table import Table

from searchlab.errors import SearchlabError

try:  # typer >= 0.29 vendors its own copy of click
    from typer._click.exceptions import NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover - older typer depends on click itself
    from click.exceptions import NoArgsIsHelpError, UsageError

app = typer.Typer(
    name="searchlab",
    help="Search and planning for evaluation-limited problems: planners, parallel oracles, resumable runs.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", help="Show tracebacks instead of one-line errors.")) -> None:
    """searchlab: declare a problem as a game, plan candidates, evaluate them in parallel, never lose a result."""


@app.command()
def problems(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the registered problems with their presets."""
    from searchlab.registry import available_problems

    probs = available_problems()
    if as_json:
        print(json.dumps([{"name": n, "description": p.description, "presets": list(p.presets),
                           "direction": "minimize" if p.minimize else "maximize",
                           "options": [{"name": o.name, "default": o.default, "help": o.help} for o in p.config]}
                          for n, p in probs.items()], indent=2))
        return
    table = Table(title="searchlab problems")
    for col in ("name", "description", "presets", "options"):
        table.add_column(col)
    for n, p in probs.items():
        table.add_row(n, p.description, ", ".join(p.presets), ", ".join(f"{o.name}={o.default}" for o in p.config))
    out.print(table)


@app.command()
def run(
    problem: str = typer.Argument(..., help="Problem name (see `searchlab problems`)."),
    budget: Optional[int] = typer.Option(None, "--budget", help="Number of evaluations."),
    preset: Optional[str] = typer.Option(None, "--preset", help="Named preset of the problem's options."),
    set_: List[str] = typer.Option([], "--set", help="Override a problem option: key=value (repeatable)."),
    workers: int = typer.Option(1, "--workers", help="Evaluations run in parallel."),
    seed: int = typer.Option(0, "--seed", help="Root seed: evaluation seeds derive from it."),
    run_dir: Optional[Path] = typer.Option(None, "--run-dir", help="Directory for this run (default runs/<problem>/<id>)."),
    backend: str = typer.Option("local", "--backend", help="Oracle pool: local (processes) or dask."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address; omitted: a local cluster is started."),
    timeout: Optional[float] = typer.Option(None, "--timeout", help="Wall-clock seconds per evaluation; the worker is killed past it."),
    planner: Optional[str] = typer.Option(None, "--planner", help="Planner: hybrid (MCTS over moves, BO over leaf parameters), bo, mcts, random, or one the problem offers (default: the problem's own, else hybrid)."),
    deterministic: bool = typer.Option(False, "--deterministic", help="Tell results in submission order: same ledger for any --workers."),
    batch: int = typer.Option(4, "--batch", help="With --deterministic: candidate i is proposed knowing results 0..i-batch."),
    retries: int = typer.Option(1, "--retries", help="Re-runs of an evaluation whose worker process died."),
    oracle_time: Optional[float] = typer.Option(None, "--oracle-time", help="Stop after this many oracle seconds."),
    wall_time: Optional[float] = typer.Option(None, "--wall-time", help="Stop after this many wall seconds (this invocation)."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Start a search on PROBLEM and run it until the budget is spent."""
    from searchlab.history import Budget
    from searchlab.run import create_run

    path = create_run(problem, Budget(budget, oracle_time, wall_time), preset=preset, overrides=tuple(set_),
                      run_dir=run_dir, seed=seed, planner=planner, workers=workers, backend=backend,
                      scheduler=scheduler, timeout=timeout, deterministic=deterministic, batch=batch, retries=retries)
    out.print(f"run directory: {path}")
    _drive(path, None, None, quiet)


@app.command()
def resume(
    run_dir: Path = typer.Argument(..., help="Run directory to continue."),
    budget: Optional[int] = typer.Option(None, "--budget", help="New total number of evaluations (may extend the run)."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Evaluations in parallel (default: as started)."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Continue a run from its ledger: in-flight candidates are re-run with the same seed."""
    from dataclasses import replace

    from searchlab.rundir import load_history

    history = load_history(run_dir)
    new_budget = None
    if budget is not None:
        if budget <= 0:
            raise SearchlabError(f"--budget must be positive, got {budget}")
        new_budget = replace(history.budget, evaluations=budget)
    if workers is not None and workers < 1:
        raise SearchlabError(f"--workers must be at least 1, got {workers}")
    _drive(run_dir, new_budget, workers, quiet)


def _drive(path: Path, budget, workers: Optional[int], quiet: bool) -> None:
    """Run the coordinator with a progress bar showing finished evaluations and the best value (or the
    problem's own one-line summary, e.g. a running estimate, when it has one)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from searchlab.report import text_summary
    from searchlab.rundir import load_history
    from searchlab.run import run as run_loop

    start = load_history(path)
    summary = _problem_summary(start.problem)
    total = (budget or start.budget).evaluations
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[info]}", markup=False), TimeElapsedColumn(), console=err,
                  disable=quiet) as bar:
        task = bar.add_task("evaluating", total=total, info=summary(start) if summary else "best -")

        def progress(history, ev) -> None:
            if summary is not None:
                info = summary(history)
            else:
                best = history.best()
                info = "best " + ("-" if best is None else f"{best.result.value:.6g}")
            bar.update(task, completed=len(history.finish_order), info=info)

        history, reason = run_loop(path, budget=budget, workers=workers, progress=progress)
    out.print(text_summary(history, path))
    if summary is not None:
        out.print(summary(history), markup=False)
    out.print(f"stopped: {reason}")
    if reason == "interrupted":
        raise typer.Exit(130)


def _problem_summary(name: str):
    """The problem's one-line run summary function, or None (none declared, or the problem is not installed)."""
    from searchlab.registry import get_problem

    try:
        return get_problem(name).summary
    except SearchlabError:
        return None


@app.command()
def status(run_dir: Path = typer.Argument(...), as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Progress of a run: counts by status, budget, best so far (and the problem's own summary, if any)."""
    from searchlab.report import text_summary
    from searchlab.rundir import load_history
    from searchlab.summary import status as status_dict

    history = load_history(run_dir)
    summary = _problem_summary(history.problem)
    if as_json:
        data = status_dict(history, run_dir)
        if summary is not None:
            data["summary"] = summary(history)
        print(json.dumps(data, indent=2))
    else:
        out.print(text_summary(history, run_dir))
        if summary is not None:
            out.print(summary(history), markup=False)


@app.command()
def export(run_dir: Path = typer.Argument(...),
           output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here instead of stdout.")) -> None:
    """Every evaluation as JSON lines: id, key, params, status, value, seed (and actions, cost, message)."""
    from searchlab.rundir import load_history
    from searchlab.summary import export_rows

    lines = "".join(json.dumps(row) + "\n" for row in export_rows(load_history(run_dir)))
    if output is None:
        sys.stdout.write(lines)
    else:
        output.write_text(lines)


@app.command()
def runs(root: Path = typer.Argument(Path("runs"), help="Directory to search for runs."),
         as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the runs below a directory with their progress and best value."""
    from searchlab.rundir import find_runs, load_history
    from searchlab.summary import status as status_dict

    if not root.is_dir():
        raise SearchlabError(f"no directory {root}")
    rows = [status_dict(load_history(p), p) for p in find_runs(root)]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table(title=f"runs in {root}")
    for col in ("run", "problem", "planner", "finished", "pending", "failed", "best"):
        table.add_column(col)
    for r in rows:
        best = "-" if r["best"] is None else f"{r['best']['value']:.6g}"
        table.add_row(r["run_dir"], r["problem"], str(r["planner"]), f"{r['finished']}/{r['budget']}",
                      str(r["pending"]), str(r["failed"]), best)
    out.print(table)


@app.command()
def report(run_dir: Path = typer.Argument(...),
           output: Optional[Path] = typer.Option(None, "--output", "-o", help="PNG path (default RUN_DIR/report.png).")) -> None:
    """Write the best-so-far plot as a PNG and print a short summary."""
    from searchlab.report import plot_best_so_far, text_summary
    from searchlab.rundir import load_history

    history = load_history(run_dir)
    png = plot_best_so_far(history, output or Path(run_dir) / "report.png")
    out.print(text_summary(history, run_dir))
    out.print(f"plot: {png}")


@app.command()
def verify(paths: List[Path] = typer.Argument(..., help="Certificate files, directories or run directories."),
           as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Re-check certificates with exact/interval arithmetic only; exit 0 only if every one passes."""
    from searchlab.certificates import find_certificates, verify_file

    files = [f for p in paths for f in find_certificates(p)]
    if not files:
        raise SearchlabError(f"no certificates found in {', '.join(map(str, paths))}")
    verdicts = [verify_file(f) for f in files]
    if as_json:
        print(json.dumps([{"path": v.path, "ok": v.ok, "reason": v.reason, "problem": v.problem, "method": v.method}
                          for v in verdicts], indent=2))
    else:
        for v in verdicts:
            out.print(f"{'PASS' if v.ok else 'FAIL'} {v.path}: {v.reason}", markup=False)
    failed = sum(not v.ok for v in verdicts)
    if not as_json:
        out.print(f"{len(verdicts) - failed} passed, {failed} failed")
    if failed:
        raise typer.Exit(1)


@app.command()
def bounds(problem: Optional[str] = typer.Argument(None, help="Problem name (default: all)."),
           search: List[Path] = typer.Option([Path("results"), Path("runs")], "--in", help="Where to look for certificates."),
           as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Certified bounds found in results/ and run directories, verified now, against the literature."""
    from searchlab.certificates import bounds_table
    from searchlab.registry import get_problem

    if problem is not None:
        get_problem(problem)
    tables = bounds_table(list(search), problem)
    if as_json:
        print(json.dumps(tables, indent=2))
        return
    if not tables:
        out.print("no verified certificates found")
    for name, rows in tables.items():
        table = Table(title=f"certified bounds: {name}")
        cols = [k for k in dict.fromkeys(k for r in rows for k in r) if k != "certificate"]  # paths: --json
        for c in cols:
            table.add_column(c)
        for r in rows:
            table.add_row(*["" if r.get(c) is None else str(r.get(c)) for c in cols])
        out.print(table)


bench = typer.Typer(help="Benchmarks: write tables and plots to results/bench/.", no_args_is_help=True)
app.add_typer(bench, name="bench")


def _csv(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


@bench.command("planners")
def bench_planners(
    problems_: str = typer.Option("ackley-mixed,labs,jenatton,pest-control", "--problems", help="Comma-separated problems."),
    planners: str = typer.Option("random,optuna-tpe,bo,mcts,hybrid", "--planners", help="Comma-separated planners (optuna-tpe is the baseline)."),
    budget: int = typer.Option(100, "--budget", help="Evaluations per run."),
    seeds: int = typer.Option(10, "--seeds", help="Seeds per cell."),
    batch: str = typer.Option("1,4", "--batch", help="Comma-separated batch sizes (parallel proposals)."),
    workers: int = typer.Option(1, "--workers", help="Cells run in parallel processes."),
    out_dir: Path = typer.Option(Path("results/bench"), "--out", help="Output directory."),
    latency_at: str = typer.Option("100,500", "--latency-at", help="Observation counts at which ask latency is measured."),
    latency_only: bool = typer.Option(False, "--latency-only", help="Only re-measure ask latency of an existing planners.json."),
) -> None:
    """Planners side by side (median and IQR of best-so-far), with Optuna TPE and random search as baselines."""
    from rich.progress import Progress

    from searchlab.bench.planners import run_bench

    try:
        batches = [int(b) for b in _csv(batch)]
        latency = [int(n) for n in _csv(latency_at)]
    except ValueError:
        raise SearchlabError("--batch and --latency-at take comma-separated integers") from None
    command = "searchlab " + " ".join(sys.argv[1:])
    if latency_only:
        from searchlab.bench.planners import rerun_latency

        rerun_latency(out_dir, latency, command)
        out.print((out_dir / "planners.md").read_text())
        return
    with Progress(console=err) as bar:
        task = bar.add_task("cells", total=None)
        run_bench(_csv(problems_), _csv(planners), budget, seeds, batches, workers, out_dir, (25, 50, 100), latency,
                  command, progress=lambda done, total: bar.update(task, completed=done, total=total))
    out.print((out_dir / "planners.md").read_text())


solve = typer.Typer(help="Solve instances with a trained policy.", no_args_is_help=True)
train = typer.Typer(help="Train policies.", no_args_is_help=True)
app.add_typer(solve, name="solve")
app.add_typer(train, name="train")


def _register_routing() -> None:
    """`searchlab solve routing`, `searchlab train routing`, `searchlab bench routing` (cli/routing.py)."""
    from . import routing

    solve.command("routing")(routing.solve_routing)
    train.command("routing")(routing.train_routing)
    bench.command("routing")(routing.bench_routing)


_register_routing()


def _register_sphere() -> None:
    """`searchlab bench sphere-game` (cli/sphere.py)."""
    from .sphere import bench_sphere_game

    bench.command("sphere-game")(bench_sphere_game)


_register_sphere()


def _register_cav() -> None:
    """`searchlab bench cav` (cli/cav.py)."""
    from .cav import bench_cav

    bench.command("cav")(bench_cav)


_register_cav()


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point: user errors become one line on stderr with exit code 2 (tracebacks with --debug)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    try:
        code = app(args=argv, prog_name="searchlab", standalone_mode=False)
    except SearchlabError as exc:
        if debug:
            raise
        err.print(f"error: {exc}", markup=False, soft_wrap=True)
        return 2
    except NoArgsIsHelpError as exc:
        out.print(exc.ctx.get_help() if exc.ctx else "")
        return 0
    except UsageError as exc:
        if debug:
            raise
        err.print(f"error: {exc.format_message()}", markup=False, soft_wrap=True)
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        err.print("interrupted")
        return 130
    return code if isinstance(code, int) else 0


def entry() -> None:
    """Console-script wrapper: exit with main()'s code."""
    sys.exit(main())


if __name__ == "__main__":
    entry()
