"""Multi-lane highway test in the NADE style: 3 lanes, a 400 m test, 1 Hz background-vehicle (BV) decisions.

BVs follow a stochastic naturalistic model (discretised Normal around their IDM acceleration, rare hard braking,
and lane changes with a small rate when the gaps allow); the AV under test drives delayed IDM in its lane. NADE
testing controls only the most critical BV per step (criticality = exposure x surrogate challenge, the challenge
read from a surrogate's exact car-following values) and logs p/q for that BV. No DP ground truth exists here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from scipy.stats import lognorm

from .drivers import DriverParams, idm_accel
from .estimators import Estimate, Z, estimate, first_crossing, running_rhw
from .follow import FollowGrid, FollowParams
from .proposals import Surrogate, defensive_mix

@dataclass(frozen=True)
class HighwayParams:
    """Road, traffic and naturalistic-BV parameters (accelerations share the car-following action grid).

    Each lane holds bv_per_lane BVs spread ahead of and behind the AV (which starts in the middle lane) with
    LogNormal time headways; a BV changes lane with probability lc_rate per second to each side whose gaps
    (ahead and behind, bumper to bumper) both exceed lc_min_gap; the test ends after road_length m of AV travel,
    at max_steps decisions, or at an AV crash. A lane change is instantaneous at the start of a decision and the
    BV then holds lc_accel for that second. Only crashes involving the AV count (BVs do not collide).
    """

    n_lanes: int = 3
    road_length: float = 400.0
    max_steps: int = 40
    bv_per_lane: int = 4
    vehicle_length: float = 5.0
    v0_mean: float = 27.0
    v0_sd: float = 3.0
    headway_median: float = 1.3
    headway_sigma: float = 0.6
    lc_rate: float = 0.01
    lc_min_gap: float = 2.0
    lc_accel: float = 0.0
    bv_headway: float = 1.0
    bv_s0: float = 2.0
    dt: float = 0.1
    follow: FollowParams = FollowParams()


@dataclass
class HighwayBatch:
    """Results of n highway tests: crash flags, log likelihood ratios, decision counts, controlled-step counts."""

    crash: np.ndarray
    log_w: np.ndarray
    steps: np.ndarray
    controlled: np.ndarray

    def values(self) -> np.ndarray:
        """Per-test unbiased samples 1{crash} * w."""
        return np.where(self.crash, np.exp(self.log_w), 0.0)


@dataclass
class NadeControl:
    """NADE testing configuration: surrogate models (with exact car-following values), their weights, eps."""

    surrogates: Sequence[Surrogate]
    beta: np.ndarray
    eps: float = 0.1
    threshold: float = 0.0


def _initial(prm: HighwayParams, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions, lanes, speeds (n, M) with the AV at index 0 in the middle lane at x = 0."""
    per = prm.bv_per_lane
    M = 1 + prm.n_lanes * per
    x, lane, v = np.zeros((n, M)), np.zeros((n, M), dtype=np.int64), np.zeros((n, M))
    mid = prm.n_lanes // 2
    lane[:, 0], v[:, 0] = mid, np.clip(rng.normal(prm.v0_mean, prm.v0_sd, n), 5.0, 38.0)
    j = 1
    for ln in range(prm.n_lanes):
        # half of each side lane's BVs start behind the AV; in the AV's lane all start ahead of it
        behind = 0 if ln == mid else per // 2
        ahead_pos = np.zeros(n)
        back_pos = -rng.uniform(0.0, 30.0, n)
        for k in range(per):
            vk = np.clip(rng.normal(prm.v0_mean, prm.v0_sd, n), 5.0, 38.0)
            h = lognorm.rvs(s=prm.headway_sigma, scale=prm.headway_median, size=n, random_state=rng)
            gap = prm.vehicle_length + np.maximum(vk * h, 1.0)
            if k < behind:
                back_pos = back_pos - gap
                x[:, j] = back_pos
            else:
                ahead_pos = ahead_pos + gap
                x[:, j] = ahead_pos
            lane[:, j], v[:, j] = ln, vk
            j += 1
    return x, lane, v


def _leaders(x: np.ndarray, lane: np.ndarray, length: float) -> tuple[np.ndarray, np.ndarray]:
    """Index of each vehicle's in-lane leader (-1 if none) and the bumper-to-bumper gap (inf if none)."""
    dx = x[:, None, :] - x[:, :, None]
    same = lane[:, None, :] == lane[:, :, None]
    ok = same & (dx > 0)
    d = np.where(ok, dx, np.inf)
    lead = d.argmin(axis=2)
    gap = d.min(axis=2) - length
    lead = np.where(np.isfinite(gap), lead, -1)
    return lead, gap


def _lane_gaps(x: np.ndarray, lane: np.ndarray, target: np.ndarray, length: float) -> tuple[np.ndarray, np.ndarray]:
    """Gaps ahead and behind each vehicle if it were in lane `target` (n, M)."""
    dx = x[:, None, :] - x[:, :, None]
    inlane = lane[:, None, :] == target[:, :, None]
    ahead = np.where(inlane & (dx > 0), dx, np.inf).min(axis=2) - length
    behind = np.where(inlane & (dx < 0), -dx, np.inf).min(axis=2) - length
    return ahead, behind


def bv_pmf(prm: HighwayParams, x: np.ndarray, lane: np.ndarray, v: np.ndarray, lead: np.ndarray,
           gap: np.ndarray) -> np.ndarray:
    """Naturalistic pmf over [accelerations..., lane left, lane right] for every vehicle, shape (n, M, A + 2)."""
    fp = prm.follow
    acc = FollowGrid.from_params(fp).accels
    v_lead = np.where(lead >= 0, np.take_along_axis(v, np.maximum(lead, 0), axis=1), v)
    bv_drv = DriverParams(delay=0.0, b_max=-fp.accel_min, headway=prm.bv_headway, s0=prm.bv_s0,
                          a_max=fp.bv_a_max, v_des=fp.bv_v_des)
    mean = idm_accel(bv_drv, v, v_lead, np.where(np.isfinite(gap), gap, 1e6))
    normal = acc >= fp.normal_min_accel - 1e-9
    dens = np.exp(-0.5 * ((acc - mean[..., None]) / fp.bv_sigma) ** 2) * normal
    tot = dens.sum(axis=-1, keepdims=True)
    # far below the normal range (an emergency IDM command) the mass goes to the lowest normal action
    dens = np.where(tot > 1e-300, dens / np.where(tot > 0, tot, 1.0), (acc == acc[normal].min()).astype(float))
    hard = (~normal).astype(float) / max((~normal).sum(), 1)
    p_acc = (1.0 - fp.hard_brake_rate) * dens + fp.hard_brake_rate * hard
    lc = []
    for side in (-1, 1):
        tgt = lane + side
        valid = (tgt >= 0) & (tgt < prm.n_lanes)
        ahead, behind = _lane_gaps(x, lane, np.clip(tgt, 0, prm.n_lanes - 1), prm.vehicle_length)
        lc.append(np.where(valid & (ahead > prm.lc_min_gap) & (behind > prm.lc_min_gap), prm.lc_rate, 0.0))
    keep = 1.0 - lc[0] - lc[1]
    return np.concatenate([keep[..., None] * p_acc, lc[0][..., None], lc[1][..., None]], axis=-1)


def _challenge(ctrl: NadeControl, prm: HighwayParams, x: np.ndarray, lane: np.ndarray, v: np.ndarray,
               av_lead: np.ndarray, av_gap: np.ndarray) -> np.ndarray:
    """Surrogate challenge C(j, a) ~ P(AV crash | BV j takes action a), shape (n, M, A + 2): every action starts
    from the AV's current risk V(leader state); the leader's accelerations use the surrogate's Q-values and a
    cut-in of an adjacent-lane BV uses V at the post-cut-in state (when that is riskier)."""
    n, M = x.shape
    grid = FollowGrid.from_params(prm.follow)
    A = grid.accels.size
    C = np.zeros((n, M, A + 2))
    rows = np.arange(n)
    v_av = v[:, 0]
    has = av_lead >= 0
    lead_idx = np.maximum(av_lead, 0)
    s_lead = grid.encode(np.maximum(av_gap, grid.gaps[0]), v_av, v[rows, lead_idx])
    # cut-in state for every BV: gap to the AV if it moved into the AV's lane now
    cut_gap = x - x[:, :1] - prm.vehicle_length
    s_cut = grid.encode(np.maximum(cut_gap, grid.gaps[0]), np.repeat(v_av[:, None], M, axis=1), v)
    toward = np.sign(lane[:, :1] - lane)  # +1: AV lane is to the right (higher index)
    adjacent = (np.abs(lane - lane[:, :1]) == 1) & (cut_gap > -prm.vehicle_length)
    adjacent[:, 0] = False
    for b, sur in zip(ctrl.beta, ctrl.surrogates):
        if b <= 0:
            continue
        V0, mdp = sur.sol.V[0], sur.mdp
        # baseline: the AV's risk from its current leader if this BV does nothing that matters to the AV
        base = np.where(has, V0[s_lead], 0.0)
        C += b * base[:, None, None]
        q_lead = np.where(mdp.crash[s_lead], 1.0, sur.sol.V[1][mdp.next_state[s_lead]])
        C[rows[has], lead_idx[has], :A] += b * (q_lead[has] - base[has, None])
        cut = np.where(cut_gap <= 0, 1.0, V0[s_cut])
        # a cut-in replaces the AV's leader when it lands in front of it
        val = b * (np.maximum(cut, base[:, None]) - base[:, None])
        C[..., A + 1] += np.where(adjacent & (toward > 0), val, 0.0)
        C[..., A] += np.where(adjacent & (toward < 0), val, 0.0)
    return C


def simulate_highway(prm: HighwayParams, av: DriverParams, n: int, rng: np.random.Generator,
                     ctrl: NadeControl | None = None) -> HighwayBatch:
    """Run n highway tests (NDE if ctrl is None, otherwise NADE with one controlled BV per step)."""
    grid = FollowGrid.from_params(prm.follow)
    acc_grid = grid.accels
    A = acc_grid.size
    x, lane, v = _initial(prm, n, rng)
    M = x.shape[1]
    rows = np.arange(n)
    crash = np.zeros(n, dtype=bool)
    running = np.ones(n, dtype=bool)
    log_w = np.zeros(n)
    steps = np.zeros(n, dtype=np.int64)
    controlled = np.zeros(n, dtype=np.int64)
    n_sub = int(round(1.0 / prm.dt))
    n_delay = int(round(av.delay / prm.dt))
    for _ in range(prm.max_steps):
        if not running.any():
            break
        lead, gap = _leaders(x, lane, prm.vehicle_length)
        p = bv_pmf(prm, x, lane, v, lead, gap)
        p[:, 0] = 0.0
        p[:, 0, int(np.abs(acc_grid).argmin())] = 1.0  # the AV's row is a placeholder: it drives by IDM
        q = p.copy()
        pick = np.full(n, -1)
        if ctrl is not None:
            C = _challenge(ctrl, prm, x, lane, v, lead[:, 0], gap[:, 0])
            crit = (p * C).sum(axis=-1)
            crit[:, 0] = -1.0
            pick = crit.argmax(axis=1)
            ok = crit[rows, pick] > ctrl.threshold
            pick = np.where(ok, pick, -1)
            sel = np.flatnonzero(ok)
            q[sel, pick[sel]] = defensive_mix(p[sel, pick[sel]], C[sel, pick[sel]], ctrl.eps)
        cdf = np.cumsum(q, axis=-1)
        u = rng.random((n, M, 1)) * cdf[..., -1:]
        a = np.minimum((cdf < u).sum(axis=-1), A + 1)
        sel = np.flatnonzero((pick >= 0) & running)
        pa = p[sel, pick[sel], a[sel, pick[sel]]]
        qa = q[sel, pick[sel], a[sel, pick[sel]]]
        log_w[sel] += np.log(pa) - np.log(qa)
        controlled[sel] += 1
        # AV's held command is computed before it perceives this step's BV actions (incl. cut-ins).
        v_lead0 = np.where(lead[:, 0] >= 0, v[rows, np.maximum(lead[:, 0], 0)], v[:, 0])
        held = idm_accel(av, v[:, 0], v_lead0, np.where(np.isfinite(gap[:, 0]), gap[:, 0], 1e6))
        is_lc = a >= A
        lane = np.where(is_lc & (a == A), lane - 1, np.where(is_lc & (a == A + 1), lane + 1, lane))
        bv_acc = np.where(is_lc, prm.lc_accel, acc_grid[np.minimum(a, A - 1)])
        lead, gap = _leaders(x, lane, prm.vehicle_length)
        li = np.maximum(lead[:, 0], 0)
        has = lead[:, 0] >= 0
        crash_now = running & has & (gap[:, 0] <= 0)
        for k in range(n_sub):
            g = np.where(has, x[rows, li] - x[:, 0] - prm.vehicle_length, 1e6)
            av_acc = held if k < n_delay else idm_accel(av, v[:, 0], np.where(has, v[rows, li], v[:, 0]), g)
            v_new = v.copy()
            v_new[:, 1:] = np.maximum(v[:, 1:] + bv_acc[:, 1:] * prm.dt, 0.0)
            v_new[:, 0] = np.maximum(v[:, 0] + av_acc * prm.dt, 0.0)
            x = x + 0.5 * (v + v_new) * prm.dt
            v = v_new
            g = np.where(has, x[rows, li] - x[:, 0] - prm.vehicle_length, 1e6)
            crash_now |= running & (g <= 0)
        steps += running
        crash |= crash_now
        running &= ~crash_now & (x[:, 0] < prm.road_length)
    return HighwayBatch(crash, log_w, steps, controlled)


def highway_campaign(
    prm: HighwayParams,
    av: DriverParams,
    ctrl: NadeControl | None = None,
    *,
    rhw_target: float = 0.3,
    max_tests: int = 100_000,
    min_tests: int = 10,
    batch_size: int = 2_000,
    seed: int = 0,
    callback: Callable[[int, Estimate], None] | None = None,
) -> tuple[Estimate, int | None, np.ndarray]:
    """Run highway tests in batches until RHW < target or max_tests; returns (estimate, first n at target, values)."""
    rng = np.random.default_rng(seed)
    vals: list[np.ndarray] = []
    n, s, ss, hit = 0, 0.0, 0.0, None
    while n < max_tests and hit is None:
        x = simulate_highway(prm, av, min(batch_size, max_tests - n), rng, ctrl).values()
        r = running_rhw(x, Z, (n, s, ss))
        k = first_crossing(r, rhw_target, min_tests, offset=n)
        if k is not None:
            hit, x = n + k, x[:k]
        vals.append(x)
        n, s, ss = n + x.size, s + float(x.sum()), ss + float((x * x).sum())
        if callback is not None:
            callback(n, estimate(np.concatenate(vals)))
    allx = np.concatenate(vals)
    return estimate(allx), hit, allx
