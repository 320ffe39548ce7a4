"""Solve a `BlockSDP` with cvxpy (Clarabel/SCS): fast float64 solves for exploration, and an independent
cross-check of the SDPA back-end."""
from __future__ import annotations

import time
import warnings

import cvxpy as cp
import numpy as np
import scipy.sparse as sp

from .problem import BlockSDP, SDPSolution


def solve_cvxpy(sdp: BlockSDP, solver: str = "CLARABEL", **options) -> SDPSolution:
    """Solve with cvxpy in double precision (`options` go to the solver); constraints are assembled as one
    sparse product per block."""
    Ys = [cp.Variable((s, s), PSD=True) for s in sdp.block_sizes]
    xv = cp.Variable(sdp.num_free) if sdp.num_free else None
    m = sdp.num_constraints
    expr = 0
    for Ab, Y in zip(sdp.A, Ys):  # every A_b[i] is symmetric, so the vec order does not matter
        expr = expr + sp.csr_matrix(Ab.reshape(m, -1)) @ cp.vec(Y, order="F")
    if xv is not None:
        expr = expr + sdp.F @ xv
    cons = [expr == sdp.b]
    objective = sum(cp.sum(cp.multiply(Cb, Y)) for Cb, Y in zip(sdp.C, Ys))
    if xv is not None:
        objective = objective + sdp.c_free @ xv
    prob = cp.Problem(cp.Minimize(objective), cons)
    t0 = time.perf_counter()
    with warnings.catch_warnings():  # "solution may be inaccurate" is reported through the status instead
        warnings.simplefilter("ignore")
        prob.solve(solver=solver, **options)
    seconds = time.perf_counter() - t0
    Y = [np.asarray(v.value) for v in Ys] if Ys[0].value is not None else [np.zeros((s, s)) for s in sdp.block_sizes]
    val = float(prob.value) + sdp.objective_offset if prob.value is not None else float("nan")
    y = np.asarray(cons[0].dual_value, dtype=float) if cons[0].dual_value is not None else np.full(m, np.nan)
    x = np.asarray(xv.value) if xv is not None and xv.value is not None else np.zeros(sdp.num_free)
    return SDPSolution(Y=Y, y=y, x=x, primal_objective=val, dual_objective=val, status=str(prob.status),
                       seconds=seconds, backend=f"cvxpy-{solver.lower()}")
