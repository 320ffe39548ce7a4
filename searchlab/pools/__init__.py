"""Oracle pools: run jobs in isolated worker processes, locally or on a Dask cluster."""

from __future__ import annotations

from ..errors import ConfigError
from .base import IsolatedRunner, Pool, WorkerProcess
from .local import LocalPool

__all__ = ["DaskPool", "IsolatedRunner", "LocalPool", "Pool", "WorkerProcess", "make_pool"]

BACKENDS = ("local", "dask")


def make_pool(backend: str, workers: int, scheduler: str | None = None, retries: int = 1) -> Pool:
    """The pool for a backend name ("local" or "dask"); `scheduler` is a Dask scheduler address (dask only)."""
    if backend == "local":
        if scheduler is not None:
            raise ConfigError("a scheduler address needs the dask backend (--backend dask)")
        return LocalPool(workers, retries)
    if backend == "dask":
        from .dask import DaskPool

        return DaskPool(workers, scheduler, retries)
    raise ConfigError(f"unknown pool backend {backend!r}; choose one of {', '.join(BACKENDS)}")


def __getattr__(name: str) -> object:
    """Import DaskPool (and so `distributed`) only when asked for."""
    if name == "DaskPool":
        from .dask import DaskPool

        return DaskPool
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
