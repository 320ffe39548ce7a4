"""The distributed pool: jobs as Dask tasks, each run in a child process of the Dask worker.

The child process (the same `IsolatedRunner` the local pool uses) keeps a hung or crashing oracle
from wedging or killing the Dask worker, so timeouts and crashes read the same on both backends.
`distributed` is imported only when a DaskPool is made, keeping `import searchlab.pools` light.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from concurrent.futures import CancelledError, Future
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ..oracle import Job, OracleResult, Status
from .base import IsolatedRunner, resolve

if TYPE_CHECKING:
    import distributed

_runners: dict[int, IsolatedRunner] = {}
_runners_lock = threading.Lock()
_stopping = threading.Event()


def run_job(job: Job, retries: int) -> OracleResult:
    """The Dask task: run `job` in this Dask worker thread's own persistent child process."""
    key = threading.get_ident()
    with _runners_lock:
        runner = _runners.get(key)
        if runner is None:
            runner = _runners[key] = IsolatedRunner()
    result = runner.run(job, retries, stop=_stopping.is_set)
    if result is None:
        return OracleResult(Status.ERROR, message="the pool was shut down while the job ran")
    return result


def _stop_jobs() -> None:
    """Run on each worker of a cluster the pool started, at shutdown: kill running oracles, start no more."""
    _stopping.set()
    with _runners_lock:
        for runner in _runners.values():
            runner.interrupt()


class DaskPool:
    """A pool on a Dask cluster: the one at `scheduler`, or a local cluster of `workers` processes it starts.

    Job.resources become Dask task resources (workers must declare them, e.g. `--resources gpu=1`).
    Workers of a remote cluster need searchlab importable. Cancelling a running job does not stop it
    there (Dask cannot interrupt a task); give jobs a timeout.
    """

    def __init__(
        self,
        workers: int = 2,
        scheduler: str | None = None,
        retries: int = 1,
        worker_resources: dict[str, float] | None = None,
    ) -> None:
        from distributed import Client, LocalCluster

        if retries < 0 or (scheduler is None and workers < 1):
            raise ConfigError(f"a Dask pool needs workers >= 1 and retries >= 0 (got {workers}, {retries})")
        self.retries = retries
        self._lock = threading.Lock()
        self._closed = False
        self._unfinished: set[Future[OracleResult]] = set()
        self._cluster: distributed.LocalCluster | None = None
        self._worker_resources: dict[str, float] | None = None
        if scheduler is None:
            self._worker_resources = dict(worker_resources or {"cpu": 1})
            self._cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                resources=self._worker_resources,
                dashboard_address=None,  # no dashboard; its bare HTTP server gets a free local port:
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                silence_logs=logging.ERROR,
            )
            try:
                self._client: distributed.Client = Client(self._cluster)
            except BaseException:
                self._cluster.close()
                raise
            self.workers = workers
        else:
            self._client = Client(scheduler)
            self.workers = sum(self._client.nthreads().values())

    def submit(self, job: Job) -> Future[OracleResult]:
        """Send a job to the cluster; the future resolves to its OracleResult (raises RuntimeError once shut down)."""
        future: Future[OracleResult] = Future()
        missing = self._missing_resources(job.resources)
        if missing:
            future.set_result(OracleResult(
                Status.ERROR,
                message=f"no worker of the local Dask cluster offers {missing} (each has {self._worker_resources})",
            ))
            return future
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit to a pool that was shut down")
            self._unfinished.add(future)
            task = self._client.submit(
                run_job,
                job,
                self.retries,
                key=f"searchlab-eval-{job.eval_id}-{uuid.uuid4().hex}",
                resources=dict(job.resources) or None,
                pure=False,
            )
        task.add_done_callback(lambda t: resolve(future, _task_outcome(t)))
        future.add_done_callback(lambda f: self._on_done(f, task))
        return future

    def shutdown(self) -> None:
        """Cancel unfinished jobs, then close the client and the cluster this pool started (killing its workers)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            unfinished = list(self._unfinished)
        for future in unfinished:
            future.cancel()
        if self._cluster is not None:  # a blocked task would hold up the workers' closing for seconds
            try:
                self._client.run(_stop_jobs)
            except Exception:
                pass
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> "DaskPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def _missing_resources(self, wanted: dict[str, float]) -> dict[str, float]:
        """The resources a job asks for that no worker of our own local cluster has (it would wait forever)."""
        if self._worker_resources is None:
            return {}  # a remote cluster may gain workers later
        return {k: v for k, v in wanted.items() if self._worker_resources.get(k, 0) < v}

    def _on_done(self, future: Future[OracleResult], task: Any) -> None:
        """Forget a finished future; if it was cancelled, cancel its Dask task too."""
        with self._lock:
            self._unfinished.discard(future)
        if future.cancelled() and self._client.status != "closed":
            task.cancel()


def _task_outcome(task: Any) -> OracleResult | None:
    """A finished Dask task as an OracleResult; None if it was cancelled (our future is cancelled too)."""
    if task.cancelled():
        return None
    try:
        return task.result()
    except (CancelledError, asyncio.CancelledError):
        return None
    except Exception as exc:  # e.g. KilledWorker: the Dask worker itself died repeatedly
        return OracleResult(Status.ERROR, message=f"Dask task failed: {type(exc).__name__}: {exc}")
