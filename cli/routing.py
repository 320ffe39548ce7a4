"""`searchlab solve|train|bench routing`: plain Typer command functions (registered in `cli.main`).
They parse options, call `searchlab.problems.routing`, print; bad input raises a one-line SearchlabError."""

from __future__ import annotations

import json as jsonlib
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console

from searchlab.errors import SearchlabError

out = Console(highlight=False, soft_wrap=True, markup=False)
err = Console(stderr=True, highlight=False)

PROBLEMS = ("tsp", "cvrp", "op", "kp")


def _problem(problem: str) -> str:
    p = problem.strip().lower()
    if p not in PROBLEMS:
        raise SearchlabError(f"unknown routing problem {problem!r} (known: {', '.join(PROBLEMS)})")
    return p


def _decoder(text: str) -> Any:
    from searchlab.problems.routing.decoding import DecodeSpec

    try:
        return DecodeSpec.parse(text)
    except ValueError as exc:
        raise SearchlabError(str(exc)) from None


def _model(problem: str, model: Optional[Path]) -> Any:
    from searchlab.problems.routing.models import load_model

    try:
        return load_model(problem, model)
    except (FileNotFoundError, ValueError) as exc:
        raise SearchlabError(str(exc).splitlines()[0]) from None


def _threads(n: int) -> None:
    import torch

    if n < 1:
        raise SearchlabError(f"--threads must be at least 1, got {n}")
    torch.set_num_threads(n)


def _solution_json(inst: Any, sol: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"name": inst.name, "problem": sol.problem, "objective": sol.objective, "seconds": round(sol.seconds, 4),
                         "decoder": sol.method}
    if sol.problem == "cvrp":
        d["routes"] = [list(r) for r in sol.routes]
    elif sol.problem == "kp":
        d["items"] = list(sol.items)
    else:
        d["tour"] = list(sol.tour)
    return d


def solve_routing(
    file: Path = typer.Argument(..., help="A TSPLIB .tsp / CVRPLIB .vrp file, an .npz dataset, or a folder of .tsp/.vrp files."),
    decode: str = typer.Option("greedy", "--decode", help="greedy, beam:K, mcts:N or rrc:N (TSP: greedy, then N rounds of random re-construction)."),
    model: Optional[Path] = typer.Option(None, "--model", help="Policy checkpoint (default: results/models/<problem>.pt)."),
    knn: Optional[int] = typer.Option(None, "--knn", help="Restrict each step to the K nearest remaining nodes (0: never; default: 100 above 101 nodes, or the view a local-view model was trained on)."),
    threads: int = typer.Option(1, "--threads", help="Torch CPU threads."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Solve routing instances with a trained policy; lengths are in each file's own metric (e.g. rounded EUC_2D)."""
    from searchlab.problems.routing.decoding import decode_many
    from searchlab.solvers.routing import InfeasibleSolution, InstanceFormatError, check_solution, load_instances

    spec = _decoder(decode)
    _threads(threads)
    if knn is not None and knn < 0:
        raise SearchlabError(f"--knn must be >= 0, got {knn}")
    try:
        instances = load_instances(file)
    except (InstanceFormatError, OSError) as exc:
        raise SearchlabError(str(exc).splitlines()[0]) from None
    problems = {i.problem for i in instances}
    if len(problems) != 1:
        raise SearchlabError(f"{file}: instances of several problems ({', '.join(sorted(problems))}); solve them separately")
    problem = problems.pop()
    trained = _model(problem, model)
    try:
        sols = decode_many(trained.policy, instances, spec, knn=knn, local=trained.local)
        for inst, sol in zip(instances, sols):
            check_solution(inst, sol)
    except (InfeasibleSolution, ValueError) as exc:
        raise SearchlabError(str(exc).splitlines()[0]) from None
    rows = [_solution_json(i, s) for i, s in zip(instances, sols)]
    if as_json:
        print(jsonlib.dumps(rows if len(rows) > 1 else rows[0], indent=2))
        return
    what = "value" if problem in ("op", "kp") else "length"
    field = {"cvrp": "routes", "kp": "items"}.get(problem, "tour")
    for r in rows:
        out.print(f"{r['name'] or problem}: {what} {r['objective']:g} ({r['decoder']}, {r['seconds']:.2f} s)")
        out.print(f"  {field}: {r[field]}")


def _sizes(size: int, sizes: Optional[str]) -> tuple[int, ...]:
    if not sizes:
        return (size,)
    try:
        out_ = tuple(int(s) for s in sizes.split(",") if s.strip())
    except ValueError:
        raise SearchlabError(f"--sizes takes comma-separated integers, got {sizes!r}") from None
    if not out_ or min(out_) < 4:
        raise SearchlabError(f"--sizes must list sizes >= 4, got {sizes!r}")
    return out_


def train_routing(
    problem: str = typer.Option("tsp", "--problem", help="tsp, cvrp, op or kp."),
    size: int = typer.Option(50, "--size", help="Instance size (nodes / customers / items)."),
    sizes: Optional[str] = typer.Option(None, "--sizes", help="Several training sizes, comma-separated (overrides --size; validation on the largest)."),
    n_train: int = typer.Option(2000, "--n-train", help="Labelled training instances per size."),
    n_val: int = typer.Option(64, "--n-val", help="Labelled validation instances."),
    steps: int = typer.Option(2000, "--steps", help="Optimiser steps."),
    batch_size: int = typer.Option(128, "--batch-size", help="Sub-problems per step."),
    lr: float = typer.Option(1e-3, "--lr", help="Peak learning rate (cosine decay)."),
    d_model: int = typer.Option(128, "--d-model"),
    n_layers: int = typer.Option(4, "--layers"),
    n_heads: int = typer.Option(8, "--heads"),
    d_ff: int = typer.Option(256, "--d-ff"),
    seed: int = typer.Option(0, "--seed", help="Seed of data generation, initial weights and batch sampling."),
    label_method: Optional[str] = typer.Option(None, "--label-method", help="Label solver (default: fast-tsp, pyvrp, ortools, dp)."),
    label_time: Optional[float] = typer.Option(None, "--label-time", help="Label solver seconds per instance."),
    workers: int = typer.Option(1, "--workers", help="Processes for labelling."),
    knn: int = typer.Option(0, "--knn", help="Train on local views of the K nearest remaining nodes (TSP; 0: full views)."),
    val_every: int = typer.Option(250, "--val-every", help="Steps between validation gaps."),
    checkpoint_every: int = typer.Option(250, "--checkpoint-every", help="Steps between checkpoints."),
    data_dir: Path = typer.Option(Path("runs/routing/data"), "--data-dir", help="Cache of labelled datasets (.npz)."),
    out_path: Optional[Path] = typer.Option(None, "--out", help="Checkpoint path (default runs/routing/<problem><size>.pt)."),
    resume: bool = typer.Option(False, "--resume", help="Continue the checkpoint at --out."),
    max_minutes: Optional[float] = typer.Option(None, "--max-minutes", help="Stop (with a checkpoint) after this wall time."),
    stop_at: Optional[int] = typer.Option(None, "--stop-at", help="Stop (with a checkpoint) after this step; the LR schedule still spans --steps."),
    export: Optional[Path] = typer.Option(None, "--export", help="Also write the best-validation weights (no optimizer) here."),
    threads: int = typer.Option(1, "--threads", help="Torch CPU threads."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Train a routing policy by imitation of reference labels (BQ-NCO suffix sampling with augmentations)."""
    from searchlab.problems.routing.training import TrainConfig, export_weights, train

    problem = _problem(problem)
    _threads(threads)
    for name, v in (("--size", size), ("--n-train", n_train), ("--n-val", n_val), ("--steps", steps), ("--batch-size", batch_size),
                    ("--workers", workers)):
        if v < 1:
            raise SearchlabError(f"{name} must be at least 1, got {v}")
    if lr <= 0:
        raise SearchlabError(f"--lr must be positive, got {lr}")
    if knn < 0 or (knn and problem != "tsp"):
        raise SearchlabError(f"--knn must be >= 0, and local views are for tsp only (got {knn} for {problem})")
    all_sizes = _sizes(size, sizes)
    try:
        cfg = TrainConfig(problem=problem, sizes=all_sizes, n_train=n_train, n_val=n_val, steps=steps, batch_size=batch_size,
                          lr=lr, d_model=d_model, n_layers=n_layers, n_heads=n_heads, d_ff=d_ff, seed=seed,
                          label_method=label_method, label_time=label_time, workers=workers, knn=knn, val_every=val_every,
                          checkpoint_every=checkpoint_every, data_dir=str(data_dir))
        from searchlab.problems.routing.models import policy_config

        policy_config(problem, d_model, n_layers, n_heads, d_ff)
    except ValueError as exc:
        raise SearchlabError(str(exc)) from None
    path = out_path or Path("runs/routing") / f"{problem}{max(all_sizes)}.pt"
    if path.exists() and not resume:
        raise SearchlabError(f"{path} exists; pass --resume to continue it or --out for a new run")
    try:
        res = train(cfg, path, resume=resume, show_progress=not quiet, log=lambda s: err.print(s),
                    max_seconds=None if max_minutes is None else 60.0 * max_minutes, stop_step=stop_at)
    except ValueError as exc:
        raise SearchlabError(str(exc).splitlines()[0]) from None
    out.print(f"checkpoint: {path} ({len(res.losses)} steps, {res.samples} sub-problems, {res.seconds:.0f} s)")
    if res.val_gaps:
        out.print("validation gap (greedy): " + ", ".join(f"step {s}: {100 * g:.2f}%" for s, g in res.val_gaps))
    if export is not None:
        best = path.with_name(path.stem + ".best.pt")
        export_weights(best if best.is_file() else path, export)
        out.print(f"exported weights: {export}")


def bench_routing(
    problem: str = typer.Option("tsp", "--problem", help="tsp, cvrp, op or kp."),
    size: int = typer.Option(100, "--size", help="Instance size."),
    instances: int = typer.Option(20, "--instances", help="Number of test instances."),
    seed: int = typer.Option(1234, "--seed", help="Test-set seed (1234: Kool et al.'s test set)."),
    decode: str = typer.Option("greedy,beam:16", "--decode", help="Comma-separated decoders: greedy, beam:K, mcts:N, rrc:N."),
    model: Optional[Path] = typer.Option(None, "--model", help="Policy checkpoint (default: results/models/<problem>.pt)."),
    knn: Optional[int] = typer.Option(None, "--knn", help="kNN restriction (0: never; default: 100 above 101 nodes, or the view a local-view model was trained on)."),
    reference: Optional[str] = typer.Option(None, "--reference", help="Reference solver (default: fast-tsp 2 s, pyvrp 2 s, ortools 2 s, dp; lkh needs the lkh extra)."),
    reference_time: Optional[float] = typer.Option(None, "--reference-time", help="Reference seconds per instance."),
    no_ortools: bool = typer.Option(False, "--no-ortools", help="Skip OR-Tools GLS at equal time."),
    out_dir: Path = typer.Option(Path("results/bench"), "--out-dir", help="Where routing_<problem><size>.md/.json go."),
    threads: int = typer.Option(1, "--threads", help="Torch CPU threads."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Benchmark a policy's decoders against a reference solver and OR-Tools GLS at equal wall time per instance."""
    from searchlab.problems.routing.bench import run_bench, write_report

    problem = _problem(problem)
    _threads(threads)
    specs = [str(_decoder(d)) for d in decode.split(",") if d.strip()]
    if not specs:
        raise SearchlabError("--decode lists no decoder")
    if instances < 1 or size < 4:
        raise SearchlabError("--instances must be >= 1 and --size >= 4")
    trained = _model(problem, model)
    try:
        report = run_bench(trained, problem, size, instances, seed, specs, str(model or f"results/models/{problem}.pt"), knn,
                           reference, reference_time, not no_ortools, log=lambda s: err.print(s))
    except ValueError as exc:
        raise SearchlabError(str(exc).splitlines()[0]) from None
    md, js = write_report(report, out_dir)
    if as_json:
        print(js.read_text())
        return
    out.print(report.markdown())
    out.print(f"written: {md}, {js}")
