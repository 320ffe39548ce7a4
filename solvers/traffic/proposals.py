"""Testing (proposal) distributions q: naturalistic, NADE-style criticality proposals and their surrogate mixtures.

Every proposal is the defensive mixture q = (1 - eps) q_critical + eps p, with q_critical(a|s) proportional to
exposure x challenge = p(a|s) * C_t(s, a), and C a nonnegative combination of surrogate Q-values.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence

import numpy as np

from .tabular import DPSolution, TabularMDP, q_values


class Proposal(Protocol):
    """A (possibly time-dependent) testing distribution over the initial state and every action."""

    def initial_probs(self) -> np.ndarray:
        """Proposal pmf over initial states, shape (N,)."""
        ...

    def action_probs(self, t: int, states: np.ndarray) -> np.ndarray:
        """Proposal pmf over actions at decision t for a batch of states, shape (B, A)."""
        ...


@dataclass
class Surrogate:
    """A surrogate AV model with its exact DP values (its own transitions, the shared naturalistic p)."""

    name: str
    mdp: TabularMDP
    sol: DPSolution


def surrogate_scales(surrogates: Sequence[Surrogate]) -> np.ndarray:
    """Each surrogate's own crash probability per test (its overall risk level), shape (K,)."""
    return np.array([max(float(s.mdp.p0 @ s.sol.V[0]), np.finfo(float).tiny) for s in surrogates])


def defensive_mix(p: np.ndarray, challenge: np.ndarray, eps: float, threshold: float = 0.0) -> np.ndarray:
    """Rows of q = (1-eps) p*C / sum(p*C) + eps p; rows whose criticality sum(p*C) <= threshold keep q = p."""
    crit = p * challenge
    tot = crit.sum(axis=-1, keepdims=True)
    ok = tot > threshold
    q_crit = np.divide(crit, tot, out=np.zeros_like(crit), where=ok)
    return np.where(ok, (1.0 - eps) * q_crit + eps * p, p)


@dataclass
class NaturalisticProposal:
    """q = p: naturalistic driving environment (NDE) testing, i.e. crude Monte Carlo."""

    mdp: TabularMDP

    def initial_probs(self) -> np.ndarray:
        """The naturalistic initial-state pmf."""
        return self.mdp.p0

    def action_probs(self, t: int, states: np.ndarray) -> np.ndarray:
        """The naturalistic action pmf rows."""
        return self.mdp.p[states]


@dataclass
class ChallengeProposal:
    """Criticality proposal with challenge C = sum_k beta_k Q_k (one surrogate with beta = e_k is NADE).

    The initial state is tilted the same way with C_0(s) = sum_k beta_k V_k,0(s); `threshold` is the
    criticality below which a state is treated as non-critical and sampled naturalistically. By default the raw
    Q_k are mixed, so a uniform beta leans towards the riskiest surrogate (conservative: over-covering risky
    states costs a little efficiency, under-covering them gives heavy-tailed weights). With `normalise`, each Q_k
    is divided by its surrogate's own crash probability, so beta_k is the share of proposal mass on surrogate k.
    """

    p0: np.ndarray
    p: np.ndarray
    surrogates: Sequence[Surrogate]
    beta: np.ndarray
    eps: float = 0.1
    threshold: float = 0.0
    normalise: bool = False
    _q0: np.ndarray | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.beta = np.asarray(self.beta, dtype=float)
        if self.beta.shape != (len(self.surrogates),) or np.any(self.beta < 0) or self.beta.sum() <= 0:
            raise ValueError("beta must be nonnegative, not all zero, one entry per surrogate")
        if not 0.0 <= self.eps <= 1.0:
            raise ValueError("eps must lie in [0, 1]")
        self.coef = self.beta / surrogate_scales(self.surrogates) if self.normalise else self.beta

    def challenge(self, t: int, states: np.ndarray) -> np.ndarray:
        """Combined surrogate challenge C_t(s, a) for a batch of states, shape (B, A)."""
        out = np.zeros((len(states), self.p.shape[1]))
        for b, sur in zip(self.coef, self.surrogates):
            if b > 0:
                out += b * q_values(sur.mdp, sur.sol, t, states)
        return out

    def initial_probs(self) -> np.ndarray:
        """Defensive mixture over initial states tilted by the combined surrogate values V_0."""
        if self._q0 is None:
            c0 = sum(b * s.sol.V[0] for b, s in zip(self.coef, self.surrogates) if b > 0)
            self._q0 = defensive_mix(self.p0[None, :], np.asarray(c0)[None, :], self.eps, self.threshold)[0]
        return self._q0

    def action_probs(self, t: int, states: np.ndarray) -> np.ndarray:
        """Defensive criticality mixture rows for the batch of states at decision t."""
        return defensive_mix(self.p[states], self.challenge(t, states), self.eps, self.threshold)


def oracle_proposal(real: TabularMDP, real_sol: DPSolution, eps: float = 0.0) -> ChallengeProposal:
    """The (near) zero-variance proposal q* proportional to p * Q* built from the true AV's exact values."""
    return ChallengeProposal(real.p0, real.p, [Surrogate("oracle", real, real_sol)], np.ones(1), eps=eps)
