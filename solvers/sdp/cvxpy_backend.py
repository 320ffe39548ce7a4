"""Solve a small `BlockSDP` with cvxpy (Clarabel/SCS): an independent cross-check of the SDPA back-end."""
from __future__ import annotations

import time

import cvxpy as cp
import numpy as np

from .problem import BlockSDP, SDPSolution


def solve_cvxpy(sdp: BlockSDP, solver: str = "CLARABEL") -> SDPSolution:
    """Solve with cvxpy; meant for low degrees only (double precision, generic conic solver)."""
    Ys = [cp.Variable((s, s), PSD=True) for s in sdp.block_sizes]
    xv = cp.Variable(sdp.num_free) if sdp.num_free else None
    cons = []
    for i in range(sdp.num_constraints):
        expr = sum(cp.sum(cp.multiply(Ab[i], Y)) for Ab, Y in zip(sdp.A, Ys))
        if xv is not None:
            expr = expr + sdp.F[i] @ xv
        cons.append(expr == sdp.b[i])
    objective = sum(cp.sum(cp.multiply(Cb, Y)) for Cb, Y in zip(sdp.C, Ys))
    if xv is not None:
        objective = objective + sdp.c_free @ xv
    obj = cp.Minimize(objective)
    prob = cp.Problem(obj, cons)
    t0 = time.perf_counter()
    prob.solve(solver=solver)
    seconds = time.perf_counter() - t0
    Y = [np.asarray(v.value) for v in Ys] if Ys[0].value is not None else [np.zeros((s, s)) for s in sdp.block_sizes]
    val = float(prob.value) + sdp.objective_offset if prob.value is not None else float("nan")
    y = np.array([float(c.dual_value) if c.dual_value is not None else np.nan for c in cons])
    x = np.asarray(xv.value) if xv is not None and xv.value is not None else np.zeros(sdp.num_free)
    return SDPSolution(Y=Y, y=y, x=x, primal_objective=val, dual_objective=val, status=str(prob.status),
                       seconds=seconds, backend=f"cvxpy-{solver.lower()}")
