"""Finite-horizon tabular testing MDPs: the world is discrete, so dynamic programming gives exact crash probabilities.

A :class:`TabularMDP` holds one driver model's deterministic transitions and crash flags together with the
naturalistic (NDE) action pmf of the background vehicle; :func:`solve_dp` gives V_t(s) = P(crash | s at t).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: States per chunk in the chunked sweeps (bounds temporary memory to a few hundred MB).
CHUNK = 1 << 16


@dataclass
class TabularMDP:
    """Discrete testing MDP: initial pmf p0 (N,), naturalistic action pmf p (N, A), next_state (N, A), crash (N, A).

    Episodes start in s0 ~ p0, run `horizon` decisions, and end early at a crash (absorbing).
    """

    p0: np.ndarray
    p: np.ndarray
    next_state: np.ndarray
    crash: np.ndarray
    horizon: int
    name: str = ""
    info: dict = field(default_factory=dict)

    @property
    def n_states(self) -> int:
        """Number of discrete states N."""
        return int(self.p.shape[0])

    @property
    def n_actions(self) -> int:
        """Number of background-vehicle actions A."""
        return int(self.p.shape[1])


@dataclass
class DPSolution:
    """Exact values V[t, s] = P(crash before the horizon | state s at decision t) for t = 0..T (V[T] = 0)."""

    V: np.ndarray

    def crash_probability(self, mdp: TabularMDP) -> float:
        """Crash probability per test episode, mu = sum_s p0(s) V_0(s)."""
        return float(mdp.p0 @ self.V[0])


def q_values(mdp: TabularMDP, sol: DPSolution, t: int, states: np.ndarray) -> np.ndarray:
    """Q_t(s, a) = P(crash | s at t, action a, naturalistic afterwards) for a batch of states, shape (B, A)."""
    crash = mdp.crash[states]
    cont = sol.V[t + 1][mdp.next_state[states]]
    return np.where(crash, 1.0, cont)


def solve_dp(mdp: TabularMDP) -> DPSolution:
    """Backward induction V_t(s) = sum_a p(a|s) [crash(s,a) + (1 - crash) V_{t+1}(s')] (exact)."""
    T, N = mdp.horizon, mdp.n_states
    V = np.zeros((T + 1, N))
    for t in range(T - 1, -1, -1):
        for lo in range(0, N, CHUNK):
            idx = np.arange(lo, min(lo + CHUNK, N))
            V[t, idx] = np.einsum("ij,ij->i", mdp.p[idx], q_values(mdp, DPSolution(V), t, idx))
    return DPSolution(V)
