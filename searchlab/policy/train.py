"""Training the attention policy by imitation: cross-entropy on expert slots, a resumable deterministic
training loop, and self-imitation datasets replayed from a run's best candidates."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from ..game import Action, Candidate
from ..oracle import Status
from ..planner import Record
from .checkpoint import load_checkpoint, save_checkpoint
from .model import AttentionPolicy, evaluating
from .tokens import TokenGame, pad, token_view


@dataclass(frozen=True)
class Example:
    """One imitation sample: a state's tokens, its flat legal-slot mask, the expert's slot, and an optional
    value target (NaN: none)."""

    features: np.ndarray
    action_mask: np.ndarray
    target: int
    value: float = math.nan

    def __post_init__(self) -> None:
        if not (0 <= self.target < len(self.action_mask) and self.action_mask[self.target]):
            raise ValueError(f"target slot {self.target} is not a legal slot")


@dataclass(frozen=True)
class Batch:
    """Padded examples as tensors: features `[B, n, d]`, `pad_mask` `[B, n]`, `action_mask` `[B, n*k]`,
    `target` `[B]` (slot index), `value` `[B]` (NaN where there is no value target)."""

    features: torch.Tensor
    pad_mask: torch.Tensor
    action_mask: torch.Tensor
    target: torch.Tensor
    value: torch.Tensor


def collate(examples: Sequence[Example], n_choices: int = 1, device: torch.device | str = "cpu") -> Batch:
    """Pad examples of different sizes into one batch."""
    p = pad([(e.features, e.action_mask) for e in examples], n_choices, device)
    target = torch.tensor([e.target for e in examples], dtype=torch.long, device=device)
    value = torch.tensor([e.value for e in examples], dtype=torch.float32, device=device)
    return Batch(p.features, p.pad_mask, p.action_mask, target, value)


@dataclass(frozen=True)
class StepStats:
    """What one optimiser step saw: its index (0-based), epoch, learning rate, loss and slot accuracy."""

    step: int
    epoch: int
    lr: float
    loss: float
    accuracy: float


def imitation_step(
    policy: AttentionPolicy, optimizer: torch.optim.Optimizer, batch: Batch, grad_clip: float = 1.0, value_weight: float = 1.0
) -> tuple[float, float]:
    """One optimiser step on cross-entropy to the expert slots (plus `value_weight` x MSE on the value
    targets that are given, if the policy has a value head); returns (loss, accuracy)."""
    policy.train()
    out = policy(batch.features, batch.action_mask, batch.pad_mask)
    loss = F.nll_loss(out.log_probs, batch.target)
    if out.value is not None and value_weight > 0:
        has = torch.isfinite(batch.value)
        if has.any():
            loss = loss + value_weight * F.mse_loss(out.value[has], batch.value[has])
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    if grad_clip > 0:
        torch.nn.utils.clip_grad_norm_(policy.parameters(), grad_clip)
    optimizer.step()
    accuracy = (out.log_probs.argmax(-1) == batch.target).float().mean()
    return float(loss.detach()), float(accuracy)


def lr_at(step: int, total: int, lr: float, schedule: str) -> float:
    """Learning rate of a step: constant, or cosine decay from `lr` to 0 over `total` steps."""
    if schedule == "constant":
        return lr
    if schedule == "cosine":
        return 0.5 * lr * (1.0 + math.cos(math.pi * step / max(total, 1)))
    raise ValueError(f"unknown schedule {schedule!r} (constant, cosine)")


def _step_seed(seed: int, step: int) -> int:
    return int(np.random.SeedSequence([seed, step]).generate_state(1)[0])


OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {"Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW}


def train_imitation(
    policy: AttentionPolicy,
    dataset: Sequence[Example],
    epochs: int,
    batch_size: int = 256,
    lr: float = 1e-3,
    *,
    seed: int = 0,
    schedule: str = "cosine",
    grad_clip: float = 1.0,
    value_weight: float = 1.0,
    optimizer: torch.optim.Optimizer | None = None,
    start_step: int = 0,
    progress: Callable[[StepStats], None] | None = None,
    checkpoint: str | Path | None = None,
    checkpoint_every: int = 0,
) -> list[StepStats]:
    """Imitation training over `epochs` passes of `dataset` (Adam unless `optimizer` is given).

    Deterministic: epoch e visits the data in the order drawn from (seed, e), and step t runs with the
    torch RNG seeded from (seed, t) (dropout). `checkpoint` is written every `checkpoint_every` steps and
    at the end, with the settings needed by `resume_imitation`; training resumed from a checkpoint
    (`start_step` = its step, optimizer state restored) continues exactly as the uninterrupted run.
    """
    if not dataset:
        raise ValueError("empty dataset")
    optimizer = optimizer if optimizer is not None else torch.optim.Adam(policy.parameters(), lr=lr)
    if type(optimizer).__name__ not in OPTIMIZERS and checkpoint is not None:
        raise ValueError(f"checkpoints support the optimizers {sorted(OPTIMIZERS)}")
    per_epoch = math.ceil(len(dataset) / batch_size)
    total = epochs * per_epoch
    settings = dict(
        epochs=epochs, batch_size=batch_size, lr=lr, seed=seed, schedule=schedule, grad_clip=grad_clip,
        value_weight=value_weight, checkpoint_every=checkpoint_every, dataset_size=len(dataset),
        optimizer=type(optimizer).__name__,
    )
    history: list[StepStats] = []
    order, order_epoch = np.arange(0), -1
    for step in range(start_step, total):
        epoch, i = divmod(step, per_epoch)
        if epoch != order_epoch:
            order, order_epoch = np.random.default_rng([seed, epoch]).permutation(len(dataset)), epoch
        batch = collate([dataset[j] for j in order[i * batch_size : (i + 1) * batch_size]], policy.config.n_choices, policy.device)
        rate = lr_at(step, total, lr, schedule)
        for group in optimizer.param_groups:
            group["lr"] = rate
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(_step_seed(seed, step))
            loss, acc = imitation_step(policy, optimizer, batch, grad_clip, value_weight)
        stats = StepStats(step, epoch, rate, loss, acc)
        history.append(stats)
        if progress is not None:
            progress(stats)
        done = step + 1
        if checkpoint is not None and (done == total or (checkpoint_every > 0 and done % checkpoint_every == 0)):
            save_checkpoint(checkpoint, policy, optimizer=optimizer, step=done, extra={"train": settings})
    return history


def resume_imitation(
    path: str | Path, dataset: Sequence[Example], progress: Callable[[StepStats], None] | None = None
) -> tuple[AttentionPolicy, list[StepStats]]:
    """Continue the training run that wrote the checkpoint at `path` (same dataset), writing further
    checkpoints to the same path; returns the policy and the history of the steps run now."""
    ck = load_checkpoint(path)
    s = ck.extra.get("train")
    if not isinstance(s, dict):
        raise ValueError(f"{path} is not a training checkpoint (no train settings)")
    if s["dataset_size"] != len(dataset):
        raise ValueError(f"the checkpoint was trained on {s['dataset_size']} examples, got {len(dataset)}")
    optimizer = OPTIMIZERS[s["optimizer"]](ck.policy.parameters(), lr=s["lr"])
    if ck.optimizer is not None:
        optimizer.load_state_dict(ck.optimizer)
    history = train_imitation(
        ck.policy, dataset, s["epochs"], s["batch_size"], s["lr"], seed=s["seed"], schedule=s["schedule"],
        grad_clip=s["grad_clip"], value_weight=s["value_weight"], optimizer=optimizer, start_step=ck.step,
        progress=progress, checkpoint=path, checkpoint_every=s["checkpoint_every"],
    )
    return ck.policy, history


def self_imitation_dataset(
    game: TokenGame, candidates: Sequence[Candidate | Sequence[Action]], values: Sequence[float] | None = None
) -> list[Example]:
    """Replay each candidate's actions from the initial state through `tokens()`, recording (state tokens,
    slot of the action taken) at every step; `values[i]`, if given, is the value target of candidate i's
    states. Raises ValueError if an action is not played by a legal slot."""
    if values is not None and len(values) != len(candidates):
        raise ValueError("need one value per candidate")
    out: list[Example] = []
    for i, cand in enumerate(candidates):
        actions = cand.actions if isinstance(cand, Candidate) else tuple(cand)
        value = math.nan if values is None else float(values[i])
        state = game.initial_state()
        for a in actions:
            view = token_view(game, state)
            out.append(Example(view.features, view.action_mask, view.slot_of(a), value))
            state = game.step(state, a)
    return out


def best_candidates(records: Sequence[Record], k: int, minimize: bool = True) -> list[Candidate]:
    """The `k` best successfully evaluated, distinct candidates of a run (ties keep ledger order)."""
    ok = [r for r in records if r.status is Status.OK and r.value is not None]
    ok.sort(key=lambda r: r.value if minimize else -r.value)  # type: ignore[operator]
    out: list[Candidate] = []
    seen: set[str] = set()
    for r in ok:
        if r.candidate.key not in seen:
            seen.add(r.candidate.key)
            out.append(r.candidate)
        if len(out) == k:
            break
    return out


def evaluate_imitation(policy: AttentionPolicy, dataset: Sequence[Example], batch_size: int = 512) -> tuple[float, float]:
    """Mean cross-entropy and slot accuracy of the policy on a dataset (eval mode, no gradients)."""
    loss_sum, hits = 0.0, 0
    with evaluating(policy):
        for lo in range(0, len(dataset), batch_size):
            b = collate(dataset[lo : lo + batch_size], policy.config.n_choices, policy.device)
            lp = policy(b.features, b.action_mask, b.pad_mask).log_probs
            loss_sum += float(F.nll_loss(lp, b.target, reduction="sum"))
            hits += int((lp.argmax(-1) == b.target).sum())
    return loss_sum / len(dataset), hits / len(dataset)
