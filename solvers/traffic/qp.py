"""The AdaTE weight fit: a nonnegative, ridge-regularised, exposure-weighted least-squares QP solved with cvxpy.

min_beta sum_i w_i (y_i - Phi_i . beta)^2 + ridge * ||D beta||^2 / ||y||_w^2, beta >= 0 (optionally sum beta = 1),
where D holds the weighted column norms of Phi; the problem is solved in column- and target-normalised
coordinates so that crash probabilities of 1e-7 do not fall below the solver's tolerances.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import nnls

if TYPE_CHECKING:  # cvxpy takes about a second to import: only a refit loads it
    import cvxpy as cp


@lru_cache(maxsize=16)
def _problem(K: int, sum_to_one: bool) -> tuple[cp.Problem, cp.Variable, cp.Parameter, cp.Parameter, cp.Parameter]:
    """The QP in least-squares form with its factor, offset and sum coefficients as parameters (compiled once)."""
    import cvxpy as cp

    beta = cp.Variable(K, nonneg=True)
    Lt, d, c = cp.Parameter((K, K)), cp.Parameter(K), cp.Parameter(K)
    constraints = [c @ beta == 1] if sum_to_one else []
    return cp.Problem(cp.Minimize(cp.sum_squares(Lt @ beta - d)), constraints), beta, Lt, d, c


def fit_combination_weights(
    phi: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray | None = None,
    ridge: float = 1e-3,
    sum_to_one: bool = False,
) -> np.ndarray:
    """Fit beta >= 0 so that phi @ beta approximates y in weighted least squares; returns beta of shape (K,)."""
    phi = np.asarray(phi, dtype=float)
    y = np.asarray(y, dtype=float)
    n, K = phi.shape
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    w = w / w.mean() if w.mean() > 0 else np.ones(n)
    sw = np.sqrt(w)
    A, b = phi * sw[:, None], y * sw
    col = np.linalg.norm(A, axis=0)
    col = np.where(col > 0, col, 1.0)
    bn = float(np.linalg.norm(b)) or 1.0
    An, bnv = A / col, b / bn
    # Normal equations: the QP only needs the K x K Gram matrix, so its cost does not grow with the rows.
    H = An.T @ An + ridge * np.eye(K)
    H = 0.5 * (H + H.T) + 1e-12 * np.eye(K)
    lin = An.T @ bnv
    import cvxpy as cp

    prob, beta, Lt, d, c = _problem(K, sum_to_one)
    try:
        # beta' H beta - 2 lin' beta = ||L' beta - L^{-1} lin||^2 + const with H = L L'.
        L = np.linalg.cholesky(H)
        Lt.value, d.value, c.value = L.T, np.linalg.solve(L, lin), bn / col
        prob.solve(solver=cp.CLARABEL)
        ok = beta.value is not None and prob.status in ("optimal", "optimal_inaccurate")
    except (cp.SolverError, np.linalg.LinAlgError, ValueError):
        ok = False
    if ok:
        return np.maximum(np.asarray(beta.value).ravel(), 0.0) * bn / col
    # Fall back to NNLS on the ridge-augmented system (the same problem without the sum constraint).
    out, _ = nnls(np.vstack([An, np.sqrt(ridge) * np.eye(K)]), np.concatenate([bnv, np.zeros(K)]))
    out = out * bn / col
    return out / out.sum() if sum_to_one and out.sum() > 0 else out
