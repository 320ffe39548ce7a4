"""Training routing policies by imitation of near-optimal labels (BQ-NCO): labelled datasets cached as
`.npz`, augmented suffix sampling (`sampler`), Adam with a cosine schedule, resumable checkpoints, a
rich progress bar, and the validation gap (greedy decoding of a fixed labelled set) during training."""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import torch

from searchlab.policy import AttentionPolicy, imitation_step, load_checkpoint, lr_at, save_checkpoint
from searchlab.solvers.routing import Dataset, Solution, generate, load_dataset, save_dataset, solve_many

from .decoding import decode_many
from .models import policy_config
from .sampler import MixedSampler, Sampler, make_sampler

MAXIMISE = ("op", "kp")


@dataclass(frozen=True)
class TrainConfig:
    """Everything a training run depends on (saved in its checkpoints; a resumed run must match except `steps`).
    `knn` > 0 trains on local views of that many nearest nodes (`KNNGame(..., local=True)`), 0 on full views."""

    problem: str = "tsp"
    sizes: tuple[int, ...] = (50,)
    n_train: int = 2000
    n_val: int = 64
    steps: int = 2000
    batch_size: int = 128
    lr: float = 5e-4
    schedule: str = "cosine"
    grad_clip: float = 1.0
    d_model: int = 128
    n_layers: int = 4
    n_heads: int = 8
    d_ff: int = 256
    seed: int = 0
    label_method: str | None = None
    label_time: float | None = None
    workers: int = 1
    augment: bool = True
    knn: int = 0
    val_every: int = 250
    checkpoint_every: int = 250
    data_dir: str = "runs/routing/data"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["sizes"] = list(self.sizes)
        return d

    @staticmethod
    def from_dict(data: dict[str, Any]) -> "TrainConfig":
        known = {f.name for f in fields(TrainConfig)}
        d = {k: v for k, v in data.items() if k in known}
        d["sizes"] = tuple(d.get("sizes", (50,)))
        return TrainConfig(**d)


@dataclass
class TrainResult:
    """A finished (or resumed-and-finished) run: per-step losses, validation gaps by step, seconds of this call."""

    path: Path
    losses: list[float] = field(default_factory=list)
    val_gaps: list[tuple[int, float]] = field(default_factory=list)
    seconds: float = 0.0
    samples: int = 0


def dataset_seed(seed: int, size: int, split: str) -> int:
    """Generator seed of a split (never Kool's 1234 / 4321 test and validation seeds)."""
    return {"train": 1_000_000, "val": 2_000_000, "test": 3_000_000}[split] + 1000 * seed + size


def labelled_dataset(
    problem: str, size: int, n: int, seed: int, data_dir: str | Path, method: str | None = None,
    time_limit: float | None = None, workers: int = 1, options: dict[str, Any] | None = None,
) -> Dataset:
    """`n` generated instances of `size` with reference labels, cached in `data_dir` as an `.npz` dataset
    (reused when the file exists)."""
    tag = f"{problem}{size}_s{seed}_n{n}_{method or 'default'}_{time_limit or 'default'}"
    path = Path(data_dir) / f"{tag}.npz"
    if path.is_file():
        ds = load_dataset(path)
        if ds.labels is not None and len(ds) == n:
            return ds
    instances = generate(problem, size, n, seed, **(options or {}))
    labels = solve_many(instances, method, time_limit, workers)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_dataset(path, instances, labels)
    return Dataset(problem, tuple(instances), tuple(labels))


def relative_gap(problem: str, value: float, reference: float) -> float:
    """Relative gap of `value` to `reference` (positive = worse), for minimised and maximised objectives."""
    if reference == 0:
        return 0.0 if value == reference else math.inf
    return (reference - value) / reference if problem in MAXIMISE else (value - reference) / reference


def mean_gap(problem: str, solutions: Sequence[Solution], references: Sequence[Solution]) -> float:
    """Mean per-instance relative gap (mean of ratios, as in BQ-NCO's evaluation)."""
    return float(np.mean([relative_gap(problem, s.objective, r.objective) for s, r in zip(solutions, references)]))


def validation_gap(policy: AttentionPolicy, dataset: Dataset, decoder: str = "greedy", local: int = 0) -> float:
    """Mean gap of the policy's decoded solutions (full views, or local views of `local` nodes) to the dataset's labels."""
    if dataset.labels is None:
        raise ValueError("the validation set has no labels")
    sols = decode_many(policy, dataset.instances, decoder, knn=0, local=local)
    return mean_gap(dataset.problem, sols, dataset.labels)


def _sampler(cfg: TrainConfig, sets: Sequence[Dataset]) -> Sampler:
    parts = [make_sampler(cfg.problem, ds.instances, ds.labels, cfg.augment, cfg.knn) for ds in sets]  # type: ignore[arg-type]
    return parts[0] if len(parts) == 1 else MixedSampler(parts, [1.0] * len(parts))


def prepare_data(cfg: TrainConfig, log: Callable[[str], None] = lambda s: None) -> tuple[list[Dataset], Dataset]:
    """The labelled training sets (one per size) and the validation set (largest size), labelling what is not cached."""
    sets = []
    for size in cfg.sizes:
        t0 = time.perf_counter()
        sets.append(labelled_dataset(cfg.problem, size, cfg.n_train, dataset_seed(cfg.seed, size, "train"), cfg.data_dir,
                                     cfg.label_method, cfg.label_time, cfg.workers))
        log(f"train set {cfg.problem}{size}: {cfg.n_train} labelled instances ({time.perf_counter() - t0:.0f} s)")
    top = max(cfg.sizes)
    val = labelled_dataset(cfg.problem, top, cfg.n_val, dataset_seed(cfg.seed, top, "val"), cfg.data_dir,
                           cfg.label_method, cfg.label_time, cfg.workers)
    return sets, val


def train(
    cfg: TrainConfig, path: str | Path, resume: bool = False, show_progress: bool = True,
    log: Callable[[str], None] = print, max_seconds: float | None = None, stop_step: int | None = None,
) -> TrainResult:
    """Train (or, with `resume` and an existing checkpoint at `path`, continue) a policy for `cfg`.

    Batch t is drawn from a generator seeded with (seed, t), so a resumed run continues exactly as an
    uninterrupted one. Checkpoints (model, optimizer, step, history) go to `path` every
    `checkpoint_every` steps and at the end; the policy with the best validation gap also goes to
    `<path stem>.best.pt`. `max_seconds` stops early (after a checkpoint) when the wall time is spent,
    `stop_step` after that step (the schedule still runs over `cfg.steps`)."""
    path = Path(path)
    sets, val = prepare_data(cfg, log)
    sampler = _sampler(cfg, sets)
    start, history, best_gap, seconds_before = 0, {"loss": [], "val": []}, math.inf, 0.0
    if resume and path.is_file():
        ck = load_checkpoint(path)
        saved = TrainConfig.from_dict(ck.extra["train"])
        if replace(saved, steps=cfg.steps) != cfg:
            raise ValueError(f"{path} was trained with another configuration; start a new run or pass the same options")
        policy, start = ck.policy, ck.step
        optimizer = torch.optim.Adam(policy.parameters(), lr=cfg.lr)
        if ck.optimizer is not None:
            optimizer.load_state_dict(ck.optimizer)
        history = ck.extra.get("history", history)
        best_gap = float(ck.extra.get("best_val_gap", math.inf))
        seconds_before = float(ck.extra.get("seconds", 0.0))
        log(f"resumed {path} at step {start}")
    else:
        policy = AttentionPolicy(policy_config(cfg.problem, cfg.d_model, cfg.n_layers, cfg.n_heads, cfg.d_ff), seed=cfg.seed)
        optimizer = torch.optim.Adam(policy.parameters(), lr=cfg.lr)
    result = TrainResult(path)
    t0 = time.perf_counter()

    def save(step: int) -> None:
        extra = {"problem": cfg.problem, "train": cfg.to_dict(), "history": history, "best_val_gap": best_gap,
                 "seconds": seconds_before + time.perf_counter() - t0}
        save_checkpoint(path, policy, optimizer=optimizer, step=step, extra=extra)

    def validate(step: int) -> float:
        nonlocal best_gap
        gap = validation_gap(policy, val, local=cfg.knn)
        history["val"].append([step, gap])
        result.val_gaps.append((step, gap))
        if gap < best_gap:
            best_gap = gap
            extra = {"problem": cfg.problem, "train": cfg.to_dict(), "val_gap": gap, "step": step}
            save_checkpoint(path.with_name(path.stem + ".best.pt"), policy, step=step, extra=extra)
        return gap

    progress = _progress(show_progress, cfg.steps, start)
    gap_text = "-"
    with progress:
        task = progress.add_task("train", total=cfg.steps, completed=start, info="")
        step = start
        for step in range(start, cfg.steps):
            batch = sampler.sample(np.random.default_rng([cfg.seed, step]), cfg.batch_size)
            rate = lr_at(step, cfg.steps, cfg.lr, cfg.schedule)
            for group in optimizer.param_groups:
                group["lr"] = rate
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(cfg.seed * 1_000_003 + step)
                loss, acc = imitation_step(policy, optimizer, batch, cfg.grad_clip)
            history["loss"].append(loss)
            result.losses.append(loss)
            result.samples += cfg.batch_size
            done = step + 1
            if cfg.val_every > 0 and (done % cfg.val_every == 0 or done == cfg.steps):
                gap_text = f"{100 * validate(done):.2f}%"
            if done == cfg.steps or (cfg.checkpoint_every > 0 and done % cfg.checkpoint_every == 0):
                save(done)
            progress.update(task, completed=done, info=f"loss {np.mean(history['loss'][-50:]):.3f} acc {acc:.2f} val gap {gap_text}")
            if stop_step is not None and done >= stop_step:
                save(done)
                break
            if max_seconds is not None and time.perf_counter() - t0 > max_seconds:
                save(done)
                log(f"stopped after {max_seconds:.0f} s at step {done}; resume with the same command and --resume")
                break
    result.seconds = time.perf_counter() - t0
    return result


class _Quiet:
    def __enter__(self) -> "_Quiet":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def add_task(self, *a: Any, **k: Any) -> int:
        return 0

    def update(self, *a: Any, **k: Any) -> None:
        return None


def _progress(show: bool, total: int, start: int) -> Any:
    if not show:
        return _Quiet()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TimeRemainingColumn(), TextColumn("{task.fields[info]}"))


def export_weights(checkpoint: str | Path, out: str | Path) -> None:
    """Copy a checkpoint without its optimizer state (the small file to commit under results/models/)."""
    ck = load_checkpoint(checkpoint)
    save_checkpoint(out, ck.policy, step=ck.step, extra=ck.extra)
