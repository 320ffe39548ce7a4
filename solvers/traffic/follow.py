"""Sequential car-following MDP: a background leader (BV) with a naturalistic stochastic model, the AV behind it.

State s = (gap, v_av, v_bv) on a grid; the BV picks an acceleration once per second; the AV runs delayed IDM
every 0.1 s inside the interval; the end state is rounded to the grid, so the world itself is a discrete MDP
and dynamic programming gives the exact crash probability and Q-values (the ground-truth benchmark).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import lognorm, norm

from .drivers import DriverParams, simulate_follow_interval
from .tabular import CHUNK, TabularMDP


@dataclass(frozen=True)
class FollowParams:
    """Grid, horizon and naturalistic-BV parameters of the car-following benchmark (flat names for `--set env.x=`).

    The BV's naturalistic acceleration is a discretised Normal(IDM free-road accel, bv_sigma) on the normal
    actions (>= normal_min_accel) mixed with probability hard_brake_rate per decision with a uniform choice
    among the hard-braking actions (< normal_min_accel). Initial states: v_bv ~ N(v0_mean, v0_sd),
    v_bv - v_av ~ N(0, rr_sd), time headway gap/v_av ~ LogNormal(median headway_median, headway_sigma).
    """

    gap_max: float = 100.0
    gap_step: float = 1.0
    v_max: float = 40.0
    v_step: float = 1.0
    accel_min: float = -10.0
    accel_max: float = 2.0
    accel_step: float = 1.0
    normal_min_accel: float = -3.0
    horizon: int = 20
    dt: float = 0.1
    bv_v_des: float = 30.0
    bv_a_max: float = 1.5
    bv_sigma: float = 0.6
    hard_brake_rate: float = 3e-3
    v0_mean: float = 27.0
    v0_sd: float = 3.0
    rr_sd: float = 2.0
    headway_median: float = 1.3
    headway_sigma: float = 0.6


@dataclass(frozen=True)
class FollowGrid:
    """The discrete state and action grids; state index = (i_gap * n_v + i_vav) * n_v + i_vbv."""

    gaps: np.ndarray
    speeds: np.ndarray
    accels: np.ndarray

    @classmethod
    def from_params(cls, prm: FollowParams) -> "FollowGrid":
        """Build the grids from the parameters."""
        gaps = np.arange(prm.gap_step, prm.gap_max + 1e-9, prm.gap_step)
        speeds = np.arange(0.0, prm.v_max + 1e-9, prm.v_step)
        accels = np.arange(prm.accel_min, prm.accel_max + 1e-9, prm.accel_step)
        return cls(gaps, speeds, accels)

    @property
    def n_states(self) -> int:
        """Number of states."""
        return self.gaps.size * self.speeds.size ** 2

    def decode(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """State indices -> (gap, v_av, v_bv) values."""
        nv = self.speeds.size
        ig, rest = np.divmod(idx, nv * nv)
        ia, ib = np.divmod(rest, nv)
        return self.gaps[ig], self.speeds[ia], self.speeds[ib]

    def encode(self, gap: np.ndarray, v_av: np.ndarray, v_bv: np.ndarray) -> np.ndarray:
        """Continuous (gap, v_av, v_bv) -> index of the nearest grid state (values clipped to the grid)."""
        def near(x: np.ndarray, grid: np.ndarray) -> np.ndarray:
            step = grid[1] - grid[0]
            return np.clip(np.rint((x - grid[0]) / step), 0, grid.size - 1).astype(np.int64)

        nv = self.speeds.size
        return (near(gap, self.gaps) * nv + near(v_av, self.speeds)) * nv + near(v_bv, self.speeds)


def bv_action_pmf(prm: FollowParams, accels: np.ndarray, v_bv: np.ndarray) -> np.ndarray:
    """Naturalistic BV action pmf for each BV speed: stochastic free-road IDM plus rare hard braking, (B, A)."""
    mean = prm.bv_a_max * (1.0 - (v_bv / prm.bv_v_des) ** 4)
    normal = accels >= prm.normal_min_accel - 1e-9
    dens = norm.pdf(accels[None, :], loc=mean[:, None], scale=prm.bv_sigma) * normal[None, :]
    dens /= dens.sum(axis=1, keepdims=True)
    hard = (~normal).astype(float)
    hard /= max(hard.sum(), 1.0)
    return (1.0 - prm.hard_brake_rate) * dens + prm.hard_brake_rate * hard[None, :]


def initial_pmf(prm: FollowParams, grid: FollowGrid) -> np.ndarray:
    """Naturalistic initial-state pmf on the grid (evaluated densities, normalised)."""
    g, va, vb = grid.decode(np.arange(grid.n_states))
    v_ref = np.maximum(va, 1.0)
    dens = (
        norm.pdf(vb, prm.v0_mean, prm.v0_sd)
        * norm.pdf(vb - va, 0.0, prm.rr_sd)
        * lognorm.pdf(g / v_ref, s=prm.headway_sigma, scale=prm.headway_median) / v_ref
    )
    return dens / dens.sum()


def build_follow_mdp(driver: DriverParams, prm: FollowParams = FollowParams(), name: str = "av") -> TabularMDP:
    """Tabulate the car-following world for one driver model: transitions, crash flags, naturalistic pmfs."""
    grid = FollowGrid.from_params(prm)
    N, A = grid.n_states, grid.accels.size
    nxt = np.empty((N, A), dtype=np.int64)
    crash = np.empty((N, A), dtype=bool)
    p = np.empty((N, A))
    for lo in range(0, N, CHUNK):
        idx = np.arange(lo, min(lo + CHUNK, N))
        g, va, vb = grid.decode(idx)
        p[idx] = bv_action_pmf(prm, grid.accels, vb)
        G, VA, VB = (np.repeat(x[:, None], A, axis=1) for x in (g, va, vb))
        AC = np.broadcast_to(grid.accels[None, :], G.shape)
        g1, va1, vb1, hit = simulate_follow_interval(driver, G, VA, VB, AC, duration=1.0, dt=prm.dt)
        nxt[idx] = grid.encode(g1, va1, vb1)
        crash[idx] = hit
    info = {"grid": grid, "params": prm, "driver": driver}
    return TabularMDP(initial_pmf(prm, grid), p, nxt, crash, prm.horizon, name=name, info=info)
