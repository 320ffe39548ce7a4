"""A Gaussian-process surrogate over encoded candidates (BoTorch/GPyTorch), cheap to refit and deterministic.

`fit_surrogate` builds a `SingleTaskGP` (a `MixedSingleTaskGP` when some columns are categorical) with
input normalisation and outcome standardisation, fits its hyperparameters with a capped number of
L-BFGS iterations under a fixed torch seed, and copes with tiny data (0 or 1 points: a flat prior).
`HyperSchedule` refits hyperparameters only at checkpoints of the data size and otherwise reuses them,
so asks stay fast with many observations while a planner rebuilt from the ledger gets the same model.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import torch
from botorch.exceptions.warnings import InputDataWarning, OptimizationWarning
from botorch.models import MixedSingleTaskGP, SingleTaskGP
from botorch.models.transforms import Normalize, Standardize
from botorch.optim.fit import fit_gpytorch_mll_scipy
from gpytorch.mlls import ExactMarginalLogLikelihood

DTYPE = torch.double
FIT_MAXITER = 50
"""L-BFGS iterations per hyperparameter fit (caps the cost of a fit)."""


@contextlib.contextmanager
def single_thread() -> Iterator[None]:
    """Run torch on one thread inside the block: small GPs gain nothing from threads, and on a shared
    machine thread contention made fits many times slower."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(n)


@dataclass
class GPSurrogate:
    """A fitted GP of a value to maximise; `model` is None below two points (a flat prior then)."""

    model: SingleTaskGP | None
    train_X: torch.Tensor
    train_y: torch.Tensor

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and standard deviation at the rows of `X`."""
        X = np.atleast_2d(X)
        if self.model is None:
            mu = float(self.train_y.mean()) if len(self.train_y) else 0.0
            return np.full(len(X), mu), np.ones(len(X))
        with torch.no_grad(), single_thread(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # jitter notices from near-duplicate training points
            post = self.model.posterior(torch.as_tensor(X, dtype=DTYPE))
            mu = post.mean.squeeze(-1).numpy()
            sd = post.variance.clamp_min(1e-12).sqrt().squeeze(-1).numpy()
        return mu, sd

    def hyperparameters(self) -> dict[str, torch.Tensor]:
        """The fitted hyperparameters (raw parameter tensors by name), to reuse on new data."""
        if self.model is None:
            return {}
        return {k: v.detach().clone() for k, v in self.model.named_parameters()}


def build_model(X: torch.Tensor, y: torch.Tensor, cat_dims: list[int]) -> SingleTaskGP:
    """An unfitted GP on (X, y): mixed kernel when there are categorical columns, else Matérn ARD."""
    d = X.shape[-1]
    bounds = torch.stack([torch.zeros(d, dtype=DTYPE), torch.ones(d, dtype=DTYPE)])
    if cat_dims:
        cont = [i for i in range(d) if i not in cat_dims]
        normalize = Normalize(d, bounds=bounds[:, cont], indices=cont) if cont else None
        return MixedSingleTaskGP(X, y, cat_dims=list(cat_dims), outcome_transform=Standardize(1), input_transform=normalize)
    return SingleTaskGP(X, y, input_transform=Normalize(d, bounds=bounds), outcome_transform=Standardize(1))


def fit_surrogate(
    X: np.ndarray,
    y: np.ndarray,
    cat_dims: list[int],
    seed: int,
    hyper: dict[str, torch.Tensor] | None = None,
    maxiter: int = FIT_MAXITER,
) -> GPSurrogate:
    """A GP of `y` (to maximise) on the rows of `X`; hyperparameters from `hyper` if given, else fitted."""
    tX = torch.as_tensor(np.asarray(X), dtype=DTYPE)
    ty = torch.as_tensor(np.asarray(y), dtype=DTYPE).reshape(-1, 1)
    if len(tX) < 2:
        return GPSurrogate(None, tX, ty.squeeze(-1))
    with warnings.catch_warnings(), torch.random.fork_rng(), single_thread():
        warnings.simplefilter("ignore", InputDataWarning)
        warnings.simplefilter("ignore", OptimizationWarning)
        torch.manual_seed(seed)
        model = build_model(tX, ty, cat_dims)
        if hyper:
            try:
                model.load_state_dict(hyper, strict=False)
                hyper_ok = True
            except RuntimeError:  # shapes changed (new columns): fit afresh
                hyper_ok = False
        if not hyper or not hyper_ok:
            mll = ExactMarginalLogLikelihood(model.likelihood, model)
            mll.train()
            try:
                fit_gpytorch_mll_scipy(mll, options={"maxiter": maxiter})
            except Exception:  # a failed fit keeps the prior's hyperparameters, deterministically
                model = build_model(tX, ty, cat_dims)
        model.eval()
    return GPSurrogate(model, tX, ty.squeeze(-1))


def training_subset(y: np.ndarray, max_points: int) -> np.ndarray:
    """Indices of the points to train on: all of them, or beyond `max_points` the best half plus the
    most recent rest (y is to be maximised; order of `y` is the order points were observed)."""
    n = len(y)
    if n <= max_points:
        return np.arange(n)
    n_best = max_points // 2
    best = np.argsort(-y, kind="stable")[:n_best]
    chosen = set(best.tolist())
    recent = [i for i in range(n - 1, -1, -1) if i not in chosen][: max_points - n_best]
    return np.array(sorted(chosen | set(recent)))


def checkpoint(n: int, dense_until: int = 12, every: int = 10) -> int:
    """The data size at which hyperparameters for `n` points were last refitted: at every size up to
    `dense_until`, then every 4 points up to 40, then every `every` points."""
    if n <= dense_until:
        return n
    if n < 40:
        return max(dense_until, n - n % 4)
    return max(40, n - n % every)


@dataclass
class HyperSchedule:
    """Caches hyperparameters fitted at the last checkpoint (keyed by checkpoint and column layout)."""

    dense_until: int = 12
    every: int = 10
    _cache: dict[tuple, dict[str, torch.Tensor]] = field(default_factory=dict)

    def get(self, key: tuple) -> dict[str, torch.Tensor] | None:
        return self._cache.get(key)

    def put(self, key: tuple, hyper: dict[str, torch.Tensor]) -> None:
        self._cache.clear()  # only the latest checkpoint is ever needed again
        self._cache[key] = hyper
