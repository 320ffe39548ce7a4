"""Driving worlds built once per process, the testing distribution a candidate carries, and test batches.

Building a world (transition tables and the surrogates' exact DP values) takes seconds, so each process
(the coordinator and every worker) keeps the worlds it built, keyed by their `WorldSpec`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from searchlab.solvers.traffic.drivers import DEFAULT_SURROGATES
from searchlab.solvers.traffic.highway import HighwayParams, NadeControl, simulate_highway
from searchlab.solvers.traffic.mixture import MixtureProposal, default_components, sample_mixture
from searchlab.solvers.traffic.proposals import ChallengeProposal, NaturalisticProposal, Proposal
from searchlab.solvers.traffic.sampling import EpisodeBatch, sample_episodes
from searchlab.solvers.traffic.scenario import Scenario, make_cutin_scenario, make_follow_scenario

from .config import SURROGATE_NAMES, WorldSpec

PROPOSALS_TABULAR = ("nde", "raw", "normalised", "mis")
PROPOSALS_HIGHWAY = ("nde", "raw")


@dataclass
class World:
    """A built world: the scenario (real AV, surrogates, exact truth) and, for the highway, its parameters.

    On the highway the scenario's car-following surrogates only score criticality; there is no exact truth.
    """

    spec: WorldSpec
    scenario: Scenario
    highway: HighwayParams | None = None

    @property
    def truth(self) -> float | None:
        """Exact crash probability per test of the AV under test, where one exists (follow, cutin)."""
        return self.scenario.true_crash_probability if self.spec.tabular else None


_WORLDS: dict[WorldSpec, World] = {}


def load_world(spec: WorldSpec) -> World:
    """The world of `spec`, built on first use in this process."""
    if spec not in _WORLDS:
        if spec.env == "cutin":
            scenario = make_cutin_scenario(av=spec.av, surrogates=DEFAULT_SURROGATES)
        else:
            scenario = make_follow_scenario(av=spec.av, surrogates=DEFAULT_SURROGATES, params=spec.follow_params())
        highway = HighwayParams(follow=spec.follow_params()) if spec.env == "highway" else None
        _WORLDS[spec] = World(spec, scenario, highway)
    return _WORLDS[spec]


@dataclass(frozen=True)
class QSpec:
    """The testing distribution of one evaluation, as its candidate carries it: naturalistic ("nde"), the
    NADE-style criticality proposal with surrogate weights `beta` mixing raw or risk-normalised values, or
    ("mis") the episode-level mixture of the surrogates' NADE proposals (weights beta_k) and their uniform raw
    step-level mix (weight 1 - sum beta), as solvers.traffic.mixture samples and weights it."""

    proposal: str
    beta: tuple[float, ...]

    def mixture_weights(self) -> np.ndarray:
        """The "mis" component weights: beta, then 1 - sum(beta) for the uniform mix (ValueError if sum > 1)."""
        rest = 1.0 - sum(self.beta)
        if rest < -1e-9:
            raise ValueError(f"mixture weights sum to {sum(self.beta)} > 1")
        return np.array([*self.beta, max(rest, 0.0)])

    def params(self, test: int) -> dict[str, Any]:
        """Leaf parameters of the candidate for test batch number `test`."""
        return {"test": int(test), "proposal": self.proposal,
                **{f"beta.{n}": float(b) for n, b in zip(SURROGATE_NAMES, self.beta)}}

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> "QSpec":
        """The policy a candidate's parameters describe."""
        return cls(str(params["proposal"]), tuple(float(params[f"beta.{n}"]) for n in SURROGATE_NAMES))


def tabular_proposal(world: World, policy: QSpec, eps: float) -> Proposal | MixtureProposal:
    """The proposal q of a tabular world for a policy (defensive share eps of the naturalistic pmf)."""
    real = world.scenario.real
    if policy.proposal == "nde":
        return NaturalisticProposal(real)
    if policy.proposal == "mis":
        return MixtureProposal(default_components(real, world.scenario.surrogates, eps), policy.mixture_weights())
    return ChallengeProposal(real.p0, real.p, world.scenario.surrogates, np.array(policy.beta), eps=eps,
                             normalise=policy.proposal == "normalised")


@dataclass
class BatchResult:
    """Per-test unbiased samples x_i = 1{crash_i} p(X_i)/q(X_i), crash flags, and (tabular) the episodes."""

    values: np.ndarray
    crash: np.ndarray
    episodes: EpisodeBatch | None = None


def run_tests(world: World, policy: QSpec, eps: float, n: int, seed: int) -> BatchResult:
    """Run `n` tests of the AV under the policy's q with the random stream of `seed` (same seed, same tests)."""
    rng = np.random.default_rng(seed)
    if world.highway is not None:
        if policy.proposal not in PROPOSALS_HIGHWAY:
            raise ValueError(f"proposal {policy.proposal!r} is not available on the highway")
        ctrl = None if policy.proposal == "nde" else NadeControl(world.scenario.surrogates, np.array(policy.beta), eps)
        hb = simulate_highway(world.highway, world.spec.av, n, rng, ctrl)
        return BatchResult(hb.values(), hb.crash)
    q = tabular_proposal(world, policy, eps)
    if isinstance(q, MixtureProposal):
        batch = sample_mixture(world.scenario.real, q, n, rng)
    else:
        batch = sample_episodes(world.scenario.real, q, n, rng)
    return BatchResult(batch.values(), batch.crash, batch)
