"""Exact second moment of the IS crash-rate sample under a fixed proposal, by dynamic programming.

M_t(s) = sum_a p(a|s)^2 / q(a|s) [crash + (1 - crash) M_{t+1}(s')]; E_q[(1{crash} w)^2] = sum_s p0^2/q0 M_0(s).
This turns a proposal into its exact number of tests to a relative half-width without any simulation.
"""
from __future__ import annotations

import numpy as np

from .estimators import tests_for_rhw
from .proposals import Proposal
from .tabular import CHUNK, DPSolution, TabularMDP


def exact_second_moment(real: TabularMDP, proposal: Proposal) -> float:
    """E_q[(1{crash} * p/q)^2] for one test episode of the real AV under a fixed proposal."""
    T, N = real.horizon, real.n_states
    M_next = np.zeros(N)
    for t in range(T - 1, -1, -1):
        M = np.empty(N)
        for lo in range(0, N, CHUNK):
            idx = np.arange(lo, min(lo + CHUNK, N))
            q = proposal.action_probs(t, idx)
            p = real.p[idx]
            ratio2 = np.divide(p * p, q, out=np.zeros_like(p), where=q > 0)
            cont = np.where(real.crash[idx], 1.0, M_next[real.next_state[idx]])
            M[idx] = (ratio2 * cont).sum(axis=1)
        M_next = M
    q0 = proposal.initial_probs()
    r0 = np.divide(real.p0 ** 2, q0, out=np.zeros_like(q0), where=q0 > 0)
    return float(r0 @ M_next)


def exact_relative_variance(real: TabularMDP, sol: DPSolution, proposal: Proposal) -> float:
    """sigma^2 / mu^2 of the per-test IS sample (crude MC: (1 - mu)/mu)."""
    mu = sol.crash_probability(real)
    return (exact_second_moment(real, proposal) - mu * mu) / (mu * mu)


def exact_tests_to_rhw(real: TabularMDP, sol: DPSolution, proposal: Proposal, rhw: float = 0.3) -> float:
    """Tests needed for the expected relative half-width to reach `rhw`: (z/rhw)^2 sigma^2/mu^2."""
    return tests_for_rhw(exact_relative_variance(real, sol, proposal), rhw)
