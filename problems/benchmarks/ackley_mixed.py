"""Ackley-mixed: BoTorch's `AckleyMixed` (dim-3 binary variables, 3 continuous ones in [0, 1]), minimised.

f(x) = Ackley(|x - x_opt|) with the standard Ackley constants (a=20, b=0.2, c=2*pi) in `dim` dimensions;
the optimum is 0 at x_opt (the origin, or a random point with binary first part when
`randomize_optimum` is set, drawn from `optimum_seed` with numpy instead of BoTorch's torch RNG).

Game: the moves set the binary variables x0 .. x{dim-4} in order (actions 0 and 1, key the bit
string); the continuous x{dim-3}, x{dim-2}, x{dim-1} are the leaf parameters of every terminal state.
Features: the bits as 0.0/1.0 (0.5 where not yet set).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from searchlab.registry import Problem
from searchlab.space import Categorical, Int, Real, Space

from .base import BenchmarkOracle, SequenceGame, Values, config_space
from .faults import FLAKY_PRESET, Faults

N_CONTINUOUS = 3
OPTIMAL_VALUE = 0.0


def ackley_mixed(x: np.ndarray, x_opt: np.ndarray) -> float:
    """BoTorch's AckleyMixed value of the point `x` (binary part first) for the optimum `x_opt`."""
    z = np.abs(np.asarray(x, dtype=float) - np.asarray(x_opt, dtype=float))
    d = z.shape[-1]
    part1 = -20.0 * np.exp(-0.2 * np.linalg.norm(z, axis=-1) / math.sqrt(d))
    part2 = -np.exp(np.mean(np.cos(2.0 * math.pi * z), axis=-1))
    return float(part1 + part2 + 20.0 + math.e)


def optimum(dim: int, randomize: bool, seed: int) -> tuple[float, ...]:
    """The optimiser x_opt: zeros, or uniform in [0, 1] with the binary part rounded (as BoTorch)."""
    if not randomize:
        return (0.0,) * dim
    x = np.random.default_rng(seed).random(dim)
    x[: dim - N_CONTINUOUS] = np.round(x[: dim - N_CONTINUOUS])
    return tuple(float(v) for v in x)


def continuous_names(dim: int) -> list[str]:
    """Names of the leaf parameters: the BoTorch input indices of the continuous variables."""
    return [f"x{i}" for i in range(dim - N_CONTINUOUS, dim)]


def make_game(config: Mapping[str, Any]) -> SequenceGame:
    dim = int(config["dim"])
    leaf = Space(tuple(Real(name, 0.0, 1.0, help="continuous Ackley variable") for name in continuous_names(dim)))
    return SequenceGame(n=dim - N_CONTINUOUS, leaf=leaf)


@dataclass(frozen=True)
class AckleyMixedOracle(BenchmarkOracle):
    """Evaluates AckleyMixed at the candidate's bits followed by its continuous leaf parameters."""

    dim: int
    x_opt: tuple[float, ...]
    faults: Faults = field(default_factory=Faults)

    def game(self) -> SequenceGame:
        return make_game({"dim": self.dim})

    def value(self, state: Values, params: Mapping[str, float]) -> tuple[float, dict[str, Any]]:
        x = np.array([*state, *(params[n] for n in continuous_names(self.dim))], dtype=float)
        return ackley_mixed(x, np.array(self.x_opt)), {}


def make_oracle(config: Mapping[str, Any]) -> AckleyMixedOracle:
    dim = int(config["dim"])
    x_opt = optimum(dim, bool(config["randomize_optimum"]), int(config["optimum_seed"]))
    return AckleyMixedOracle(dim, x_opt, Faults.from_config(config))


ACKLEY_MIXED = Problem(
    name="ackley-mixed",
    description="BoTorch's AckleyMixed: dim-3 binary moves plus 3 continuous leaf parameters, minimise (optimum 0).",
    config=config_space(
        Int("dim", N_CONTINUOUS + 1, 1000, default=53, help="input dimension: dim-3 binary + 3 continuous variables"),
        Categorical("randomize_optimum", (False, True), default=False, help="move the optimum off the origin"),
        Int("optimum_seed", 0, 2**31 - 1, default=0, help="seed of the random optimum (numpy)"),
    ),
    make_game=make_game,
    make_oracle=make_oracle,
    presets={
        "default": {},
        "small": {"dim": 13},
        "shifted": {"randomize_optimum": True},
        "flaky": {"dim": 13, **FLAKY_PRESET},
    },
    minimize=True,
)
