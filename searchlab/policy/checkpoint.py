"""Policy checkpoints as plain data: state dicts, the config as a dict, the step and plain extras, saved
with `torch.save` and read back with `torch.load(weights_only=True)`, so loading never unpickles code."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from .model import AttentionPolicy, PolicyConfig

FORMAT = "searchlab.policy/1"


@dataclass
class Checkpoint:
    """A loaded checkpoint: the rebuilt policy, its config, the optimizer state dict (or None), the
    training step and the plain-data extras saved with it."""

    policy: AttentionPolicy
    config: PolicyConfig
    optimizer: dict[str, Any] | None
    step: int
    extra: dict[str, Any] = field(default_factory=dict)


def save_checkpoint(
    path: str | Path,
    policy: AttentionPolicy,
    config: PolicyConfig | None = None,
    optimizer: torch.optim.Optimizer | None = None,
    step: int = 0,
    extra: dict[str, Any] | None = None,
) -> None:
    """Write the policy (and optimizer) state atomically to `path`; `config` defaults to the policy's,
    `extra` must be plain data (str, int, float, bool, None, lists and dicts of those)."""
    config = config if config is not None else policy.config
    data = {
        "format": FORMAT,
        "config": config.to_dict(),
        "model": policy.state_dict(),
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "step": int(step),
        "extra": dict(extra or {}),
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        torch.save(data, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> Checkpoint:
    """Read a checkpoint with `weights_only=True` and rebuild its policy (in training mode, as saved
    weights carry no mode)."""
    data = torch.load(path, map_location=map_location, weights_only=True)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path} is not a {FORMAT} checkpoint")
    config = PolicyConfig.from_dict(data["config"])
    policy = AttentionPolicy(config)
    policy.load_state_dict(data["model"])
    policy.to(map_location)
    return Checkpoint(policy, config, data["optimizer"], int(data["step"]), dict(data["extra"]))
