"""Solve a `BlockSDP` with SDPA through the `sdpap` API (sdpa-python, or sdpa-multiprecision's GMP build).

Data enter and leave as float64 (an sdpap limitation); with the GMP build the iterations run in
`precision_bits` bits, which removes the solver's own round-off from the result.
"""
from __future__ import annotations

import contextlib
import io
import time

import numpy as np
import scipy.sparse as sp

from .problem import BlockSDP, SDPSolution

DEFAULT_OPTIONS: dict = {
    "maxIteration": 200,
    "epsilonStar": 1.0e-12,
    "epsilonDash": 1.0e-12,
    "lambdaStar": 1.0e4,
    "betaBar": 0.3,
    "gammaStar": 0.8,
    "lowerBound": -1.0e30,
    "upperBound": 1.0e30,
    "print": "no",
}


def backend_info() -> dict:
    """Return sdpap's backend description, e.g. {'gmp': 1} for the multiprecision build."""
    from sdpap.sdpacall import sdpacall

    return dict(sdpacall.get_backend_info())


def is_multiprecision() -> bool:
    """Whether the installed `sdpap` is the GMP (sdpa-multiprecision) build."""
    try:
        return bool(backend_info().get("gmp", 0))
    except Exception:  # pragma: no cover - sdpap missing or broken
        return False


def to_clp(sdp: BlockSDP):
    """Convert to sdpap's CLP data (A, b, c, K, J) with full column-major vec of each block."""
    import sdpap

    rows = [Ab.reshape(sdp.num_constraints, -1, order="F") for Ab in sdp.A]
    cs = [Cb.reshape(-1, order="F") for Cb in sdp.C]
    if sdp.num_free:
        rows.insert(0, sdp.F)
        cs.insert(0, sdp.c_free)
    A = sp.csr_matrix(np.hstack(rows))
    c = np.concatenate(cs)
    K = sdpap.SymCone(f=sdp.num_free, s=tuple(int(s) for s in sdp.block_sizes))
    J = sdpap.SymCone(f=sdp.num_constraints)
    return A, np.asarray(sdp.b, dtype=float), c, K, J


def solve_sdpa(sdp: BlockSDP, precision_bits: int | None = None, options: dict | None = None,
               retry_lambda: tuple[float, ...] = (1.0e9,)) -> SDPSolution:
    """Solve with sdpap; `precision_bits` sets mpfPrecision when the GMP build is installed.

    If SDPA does not reach pdOPT, retry with a larger initial point (lambdaStar): the free coefficients
    of high-dimensional Cohn–Elkies problems need it.
    """
    sol = _solve_once(sdp, precision_bits, options)
    for lam in retry_lambda:
        if sol.status == "pdOPT":
            break
        retry = dict(options or {})
        retry["lambdaStar"] = lam
        again = _solve_once(sdp, precision_bits, retry)
        again.seconds += sol.seconds
        sol = again
    return sol


def _solve_once(sdp: BlockSDP, precision_bits: int | None, options: dict | None) -> SDPSolution:
    """One sdpap call with the default options overridden by `options`."""
    import sdpap

    opts = dict(DEFAULT_OPTIONS)
    gmp = is_multiprecision()
    if gmp:
        opts["mpfPrecision"] = int(precision_bits or 256)
        opts["epsilonStar"] = opts["epsilonDash"] = 1.0e-30
    else:  # double-precision sdpa-python: ask only for what float64 can deliver
        opts["epsilonStar"] = opts["epsilonDash"] = 1.0e-8
    if options:
        opts.update(options)
    A, b, c, K, J = to_clp(sdp)
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        x, y, info, timeinfo, sdpainfo = sdpap.solve(A, b, c, K, J, opts)
    seconds = time.perf_counter() - t0
    x = np.asarray(x.todense() if sp.issparse(x) else x, dtype=float).ravel()
    y = np.asarray(y.todense() if sp.issparse(y) else y, dtype=float).ravel()
    xf = x[: sdp.num_free].copy()
    Y, pos = [], sdp.num_free
    for s in sdp.block_sizes:
        blk = x[pos: pos + s * s].reshape(s, s, order="F")
        Y.append(0.5 * (blk + blk.T))
        pos += s * s
    return SDPSolution(Y=Y, y=y, x=xf, primal_objective=float(info["primalObj"]) + sdp.objective_offset,
                       dual_objective=float(info["dualObj"]) + sdp.objective_offset,
                       status=str(sdpainfo.get("phasevalue", info.get("phasevalue", "?"))),
                       seconds=seconds, backend="sdpa-gmp" if gmp else "sdpa",
                       info={"iterations": sdpainfo.get("iteration"), "options": {k: v for k, v in opts.items()}})
