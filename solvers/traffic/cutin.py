"""One-shot cut-in scenario: a BV cuts in at range R with range rate RR; the AV reacts after its delay.

Encoded as a one-decision TabularMDP (one dummy state, one action per grid cell) so that every proposal,
estimator and the adaptive fit work unchanged; the naturalistic pmf is analytic (synthetic, not SPMD data).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import gamma, norm

from .drivers import DriverParams, simulate_follow_interval
from .tabular import TabularMDP


@dataclass(frozen=True)
class CutInParams:
    """Grid, naturalistic pmf and simulation settings: R ~ Gamma(r_shape, r_scale), RR ~ N(rr_mean, rr_sd)."""

    r_min: float = 0.5
    r_max: float = 89.5
    r_step: float = 0.5
    rr_min: float = -20.0
    rr_max: float = 10.0
    rr_step: float = 0.25
    r_shape: float = 3.0
    r_scale: float = 12.0
    rr_mean: float = 1.0
    rr_sd: float = 2.0
    v0: float = 25.0
    duration: float = 10.0
    dt: float = 0.1


def cutin_grid(prm: CutInParams) -> tuple[np.ndarray, np.ndarray]:
    """Flattened (R, RR) values of every grid cell."""
    R = np.arange(prm.r_min, prm.r_max + 1e-9, prm.r_step)
    RR = np.arange(prm.rr_min, prm.rr_max + 1e-9, prm.rr_step)
    Rg, RRg = np.meshgrid(R, RR, indexing="ij")
    return Rg.ravel(), RRg.ravel()


def cutin_crash(driver: DriverParams, prm: CutInParams = CutInParams()) -> np.ndarray:
    """Crash indicator of every grid cell: the cut-in BV keeps speed v0 + RR, the AV holds speed during its delay."""
    R, RR = cutin_grid(prm)
    v_av = np.full_like(R, prm.v0)
    v_bv = np.maximum(prm.v0 + RR, 0.0)
    _, _, _, hit = simulate_follow_interval(driver, R, v_av, v_bv, np.zeros_like(R), duration=prm.duration,
                                            dt=prm.dt, held_accel=0.0)
    return hit


def build_cutin_mdp(driver: DriverParams, prm: CutInParams = CutInParams(), name: str = "av") -> TabularMDP:
    """One-state, one-decision MDP whose action is the cut-in cell (R, RR) drawn from the naturalistic pmf."""
    R, RR = cutin_grid(prm)
    pmf = gamma.pdf(R, a=prm.r_shape, scale=prm.r_scale) * norm.pdf(RR, loc=prm.rr_mean, scale=prm.rr_sd)
    pmf = pmf / pmf.sum()
    crash = cutin_crash(driver, prm)[None, :]
    return TabularMDP(np.ones(1), pmf[None, :], np.zeros_like(crash, dtype=np.int64), crash, horizon=1,
                      name=name, info={"params": prm, "driver": driver, "R": R, "RR": RR})
