"""Routing policies: the default network sizes per problem, where committed weights live
(`results/models/<problem>.pt`), and loading a checkpoint checked against its problem."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from searchlab.policy import AttentionPolicy, PolicyConfig, load_checkpoint

from .games import D_IN, N_CHOICES

MODELS_DIR = Path(__file__).resolve().parents[2] / "results" / "models"
"""Committed weights: `<repo>/results/models/<problem>.pt` (the source checkout; see its README)."""


def policy_config(problem: str, d_model: int = 128, n_layers: int = 4, n_heads: int = 8, d_ff: int = 256) -> PolicyConfig:
    """A policy for `problem`'s tokens; the defaults (0.53 M parameters) suit a 2-core CPU."""
    if problem not in D_IN:
        raise ValueError(f"unknown routing problem {problem!r} (known: {', '.join(D_IN)})")
    return PolicyConfig(d_in=D_IN[problem], d_model=d_model, n_heads=n_heads, n_layers=n_layers, d_ff=d_ff,
                        n_choices=N_CHOICES[problem])


def default_model_path(problem: str) -> Path:
    """Where the committed model of `problem` is expected."""
    return MODELS_DIR / f"{problem}.pt"


@dataclass(frozen=True)
class RoutingModel:
    """A trained policy and the view it was trained on: `local` > 0 for local views of that many nodes
    (decode with `local=`), 0 for full views in unit-square coordinates."""

    policy: AttentionPolicy
    local: int = 0


def load_model(problem: str, path: str | Path | None = None) -> RoutingModel:
    """The policy saved at `path` (default: the committed model) with its view, checked to fit `problem`'s
    tokens; FileNotFoundError if there is none, ValueError if it is for another problem."""
    p = Path(path) if path is not None else default_model_path(problem)
    if not p.is_file():
        raise FileNotFoundError(f"no {problem} model at {p} (train one with `searchlab train routing --problem {problem}`)")
    ck = load_checkpoint(p)
    saved = ck.extra.get("problem")
    if saved is not None and saved != problem:
        raise ValueError(f"{p.name} is a {saved} model, not a {problem} model")
    if ck.config.d_in != D_IN[problem] or ck.config.n_choices != N_CHOICES[problem]:
        raise ValueError(f"{p.name} does not fit {problem} tokens (d_in {ck.config.d_in}, choices {ck.config.n_choices})")
    ck.policy.eval()
    return RoutingModel(ck.policy, int(ck.extra.get("train", {}).get("knn", 0)))

