"""A testing scenario bundles the real AV's world, the surrogate models (with exact DP values) and the ground truth.

The tester may use the surrogates and the naturalistic model; the real AV is only sampled (its DP solution is kept
solely as ground truth and for the oracle proposal).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from .cutin import CutInParams, build_cutin_mdp
from .drivers import DEFAULT_AV, DEFAULT_SURROGATES, DriverParams
from .follow import FollowParams, build_follow_mdp
from .proposals import Surrogate
from .tabular import DPSolution, TabularMDP, solve_dp


@dataclass
class Scenario:
    """The real AV's MDP with its exact solution, and the surrogates available to the tester."""

    name: str
    real: TabularMDP
    truth: DPSolution
    surrogates: list[Surrogate]
    config: dict = field(default_factory=dict)

    @property
    def true_crash_probability(self) -> float:
        """Exact crash probability per test of the real AV (DP)."""
        return self.truth.crash_probability(self.real)

    def surrogate_index(self, name: str) -> int:
        """Position of a surrogate by name."""
        names = [s.name for s in self.surrogates]
        if name not in names:
            raise KeyError(f"unknown surrogate {name!r}; known: {names}")
        return names.index(name)


def _surrogates(build, surrogates: Sequence[tuple[str, DriverParams]]) -> list[Surrogate]:
    out = []
    for nm, drv in surrogates:
        mdp = build(drv, nm)
        out.append(Surrogate(nm, mdp, solve_dp(mdp)))
    return out


def make_follow_scenario(
    av: DriverParams = DEFAULT_AV,
    surrogates: Sequence[tuple[str, DriverParams]] = DEFAULT_SURROGATES,
    params: FollowParams = FollowParams(),
    name: str = "follow",
) -> Scenario:
    """The sequential car-following benchmark (exact DP ground truth)."""
    real = build_follow_mdp(av, params, "av")
    return Scenario(name, real, solve_dp(real), _surrogates(lambda d, n: build_follow_mdp(d, params, n), surrogates),
                    {"env": "follow", "av": av, "surrogates": list(surrogates), "params": params})


def make_cutin_scenario(
    av: DriverParams = DEFAULT_AV,
    surrogates: Sequence[tuple[str, DriverParams]] = DEFAULT_SURROGATES,
    params: CutInParams = CutInParams(),
    name: str = "cutin",
) -> Scenario:
    """The one-shot cut-in benchmark (exact ground truth by enumerating the grid)."""
    real = build_cutin_mdp(av, params, "av")
    return Scenario(name, real, solve_dp(real), _surrogates(lambda d, n: build_cutin_mdp(d, params, n), surrogates),
                    {"env": "cutin", "av": av, "surrogates": list(surrogates), "params": params})
