"""Vectorised test execution: draw episodes of the real AV under a proposal q and log per-step likelihood ratios.

The weighted crash indicator 1{crash} * prod_t p/q of every episode is an unbiased crash-rate sample.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from .proposals import Proposal
from .tabular import TabularMDP


def visited_steps(alive: np.ndarray, states: np.ndarray, actions: np.ndarray
                  ) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """For each decision t that some logged episode reached: (t, episodes alive at t, their distinct states,
    each episode's index into those states, its action), so per-state quantities are computed once per step."""
    for t in range(alive.shape[1]):
        idx = np.flatnonzero(alive[:, t])
        if idx.size == 0:
            return
        uniq, inv = np.unique(states[idx, t], return_inverse=True)
        yield t, idx, uniq, inv, actions[idx, t]


@dataclass
class EpisodeBatch:
    """Results of n test episodes; per-step arrays (n, T) are filled only while the episode is running.

    log_w: log of the episode likelihood ratio; step_logr[:, t]: log p/q of the action at decision t
    (0 after the end); init_logr: log p0/q0 of the initial state; alive[:, t]: decision t happened.
    For an episode-level mixture (mixture.sample_mixture), log_w is log p/q_alpha of the mixture, the per-step
    ratios are those of the generating component `component`, and component_logr[:, j] is log p/q_j.
    """

    crash: np.ndarray
    log_w: np.ndarray
    init_state: np.ndarray
    init_logr: np.ndarray
    states: np.ndarray
    actions: np.ndarray
    step_logr: np.ndarray
    alive: np.ndarray
    component: np.ndarray | None = None
    component_logr: np.ndarray | None = None

    @property
    def n(self) -> int:
        """Number of episodes."""
        return int(self.crash.shape[0])

    def values(self) -> np.ndarray:
        """Per-test unbiased samples x_i = 1{crash_i} * w_i."""
        return np.where(self.crash, np.exp(self.log_w), 0.0)

    def weights(self) -> np.ndarray:
        """Per-test likelihood ratios w_i = p(X_i)/q(X_i) (mean 1 under q)."""
        return np.exp(self.log_w)


def sample_categorical(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row of a (B, A) pmf matrix by inverse-CDF."""
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(probs.shape[0]) * cdf[:, -1]
    return np.minimum((cdf < u[:, None]).sum(axis=1), probs.shape[1] - 1)


def sample_episodes(real: TabularMDP, proposal: Proposal, n: int, rng: np.random.Generator) -> EpisodeBatch:
    """Run n episodes of the real AV with the initial state and all BV actions drawn from `proposal`."""
    T = real.horizon
    q0 = proposal.initial_probs()
    s = rng.choice(real.n_states, size=n, p=q0 / q0.sum())
    init_state = s.copy()
    init_logr = np.log(real.p0[s]) - np.log(q0[s])
    states = np.full((n, T), -1, dtype=np.int64)
    actions = np.full((n, T), -1, dtype=np.int64)
    step_logr = np.zeros((n, T))
    alive = np.zeros((n, T), dtype=bool)
    crash = np.zeros(n, dtype=bool)
    running = np.ones(n, dtype=bool)
    for t in range(T):
        idx = np.flatnonzero(running)
        if idx.size == 0:
            break
        st = s[idx]
        uniq, inv = np.unique(st, return_inverse=True)
        if 4 * uniq.size <= st.size:
            # few distinct states (e.g. the one-shot cut-in): one proposal row per state, grouped draws
            q_u = proposal.action_probs(t, uniq)
            a = np.empty(st.size, dtype=np.int64)
            for j in range(uniq.size):
                grp = np.flatnonzero(inv == j)
                a[grp] = rng.choice(q_u.shape[1], size=grp.size, p=q_u[j] / q_u[j].sum())
            q_a = q_u[inv, a]
        else:
            q = proposal.action_probs(t, st)
            a = sample_categorical(q, rng)
            q_a = q[np.arange(idx.size), a]
        p_a = real.p[st, a]
        states[idx, t], actions[idx, t], alive[idx, t] = st, a, True
        step_logr[idx, t] = np.log(p_a) - np.log(q_a)
        hit = real.crash[st, a]
        crash[idx[hit]] = True
        running[idx[hit]] = False
        s[idx] = real.next_state[st, a]
    log_w = init_logr + step_logr.sum(axis=1)
    return EpisodeBatch(crash, log_w, init_state, init_logr, states, actions, step_logr, alive)
