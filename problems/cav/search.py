"""Scenario search as a game (`task=search`): the moves are the lead vehicle's accelerations, one per second,
from a small set; the oracle drives the AV under test through the scenario in the car-following world and
returns the smallest gap (0 for a crash), to be minimised by any engine planner (mcts, bo, hybrid, random).

Search finds failures; it does not estimate how often they happen. Its results may feed a testing campaign
only as one more proposal component: e.g. a challenge term that tilts q towards the found manoeuvre
sequences, mixed into the defensive mixture q = (1 - eps) q_critical + eps p, with every test drawn from that
q and weighted by p/q of the q that generated it (as `task=test` does). The search evaluations themselves are
not samples from any q, so they never enter the estimate (their count belongs in the cost of the campaign).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from searchlab.game import Candidate, make_candidate, replay
from searchlab.oracle import OracleResult, Status
from searchlab.solvers.traffic.follow import FollowGrid, build_follow_mdp
from searchlab.solvers.traffic.tabular import TabularMDP

from .config import WorldSpec

#: Lead-vehicle accelerations (m/s^2) offered to the search, snapped to the world's action grid.
SEARCH_ACCELS = (-10.0, -7.0, -4.0, -2.0, 0.0, 1.0)


def search_accels(spec: WorldSpec) -> tuple[float, ...]:
    """The search's accelerations as values of the world's action grid (duplicates dropped)."""
    grid = FollowGrid.from_params(spec.follow_params()).accels
    return tuple(sorted({float(grid[np.abs(grid - a).argmin()]) for a in SEARCH_ACCELS}))


@dataclass(frozen=True)
class FollowSearchGame:
    """`steps` moves, each one lead-vehicle acceleration from `accels`; a state is the tuple chosen so far."""

    steps: int
    accels: tuple[float, ...]

    def initial_state(self) -> tuple[float, ...]:
        return ()

    def legal_actions(self, state: tuple[float, ...]) -> tuple[float, ...]:
        return () if len(state) >= self.steps else self.accels

    def step(self, state: tuple[float, ...], action: object) -> tuple[float, ...]:
        if len(state) >= self.steps or action not in self.accels:
            raise ValueError(f"move {action!r} is not legal in state {state!r}")
        return state + (self.accels[self.accels.index(action)],)

    def is_terminal(self, state: tuple[float, ...]) -> bool:
        return len(state) == self.steps

    def key(self, state: tuple[float, ...]) -> str:
        return ",".join(f"{a:g}" for a in state)

    def variable(self, state: tuple[float, ...]) -> str:
        return f"accel{len(state)}"

    def features(self, state: tuple[float, ...]) -> np.ndarray:
        """Each chosen acceleration scaled to [0, 1] over the offered set (0.5 where not yet chosen)."""
        f = np.full(self.steps, 0.5)
        lo, hi = self.accels[0], self.accels[-1]
        f[: len(state)] = [(a - lo) / (hi - lo) if hi > lo else 0.5 for a in state]
        return f


def make_search_game(spec: WorldSpec, steps: int) -> FollowSearchGame:
    """The search game of a car-following world."""
    return FollowSearchGame(steps, search_accels(spec))


_MDPS: dict[WorldSpec, TabularMDP] = {}


def real_mdp(spec: WorldSpec) -> TabularMDP:
    """The AV under test's car-following MDP, built once per process (no DP: search needs no values)."""
    if spec not in _MDPS:
        _MDPS[spec] = build_follow_mdp(spec.av, spec.follow_params(), "av")
    return _MDPS[spec]


@dataclass(frozen=True)
class SearchOracle:
    """Drives the AV through one scenario from (gap0, speed0, speed0); value = smallest gap at a decision, 0 on
    a crash. `values` also hold the crash step and the naturalistic log-likelihood of the manoeuvres."""

    spec: WorldSpec
    steps: int
    gap0: float
    speed0: float

    def evaluate(self, candidate: Candidate, fidelity: float | None, seed: int, workdir: str | None) -> OracleResult:
        game = make_search_game(self.spec, self.steps)
        checked = make_candidate(game, candidate.actions, candidate.params)
        accels = replay(game, checked.actions)
        mdp = real_mdp(self.spec)
        grid: FollowGrid = mdp.info["grid"]
        s = int(grid.encode(np.array(self.gap0), np.array(self.speed0), np.array(self.speed0)))
        gaps = [float(grid.decode(np.array(s))[0])]
        log_p, crash_step = 0.0, None
        for t, acc in enumerate(accels):
            a = int(np.abs(grid.accels - acc).argmin())
            log_p += float(np.log(mdp.p[s, a]))
            if mdp.crash[s, a]:
                crash_step = t
                break
            s = int(mdp.next_state[s, a])
            gaps.append(float(grid.decode(np.array(s))[0]))
        value = 0.0 if crash_step is not None else min(gaps)
        values = {"crash": crash_step is not None, "crash_step": crash_step, "gaps": gaps,
                  "log_p_naturalistic": log_p}
        return OracleResult(Status.OK, value, values)
