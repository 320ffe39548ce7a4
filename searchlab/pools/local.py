"""The default pool: persistent worker processes on this machine, fed from one FIFO queue."""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future

from ..errors import ConfigError
from ..oracle import Job, OracleResult, Status
from .base import IsolatedRunner, resolve


class LocalPool:
    """`workers` worker processes, one job at a time each, with hard timeouts and crash retries.

    Each worker has a dispatcher thread that takes the next queued job, runs it in its worker process
    (an `IsolatedRunner`) and resolves the future. Cancelling a future kills the job if it is running.
    """

    def __init__(self, workers: int = 1, retries: int = 1) -> None:
        if workers < 1 or retries < 0:
            raise ConfigError(f"a local pool needs workers >= 1 and retries >= 0 (got {workers}, {retries})")
        self.workers = workers
        self.retries = retries
        self._lock = threading.Lock()
        self._closed = False
        self._queue: queue.SimpleQueue[tuple[Job, Future[OracleResult]] | None] = queue.SimpleQueue()
        self._unfinished: set[Future[OracleResult]] = set()
        self._runners = [IsolatedRunner() for _ in range(workers)]
        self._current: list[Future[OracleResult] | None] = [None] * workers
        self._threads = [
            threading.Thread(target=self._dispatch, args=(i,), name=f"searchlab-pool-{i}", daemon=True)
            for i in range(workers)
        ]
        for t in self._threads:
            t.start()

    def submit(self, job: Job) -> Future[OracleResult]:
        """Queue a job; the future resolves to its OracleResult (raises RuntimeError once shut down)."""
        future: Future[OracleResult] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit to a pool that was shut down")
            self._unfinished.add(future)
        future.add_done_callback(self._on_done)
        self._queue.put((job, future))
        return future

    def shutdown(self) -> None:
        """Kill every worker (hung ones included), cancel unfinished futures, reap the processes."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            unfinished = list(self._unfinished)
        for future in unfinished:
            future.cancel()
        for runner in self._runners:
            runner.interrupt()
        for _ in self._threads:
            self._queue.put(None)
        for t in self._threads:
            t.join(timeout=30)

    def __enter__(self) -> "LocalPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def _dispatch(self, i: int) -> None:
        """Dispatcher thread of worker `i`: run queued jobs in FIFO order until the stop sentinel."""
        runner = self._runners[i]
        try:
            while (item := self._queue.get()) is not None:
                job, future = item
                with self._lock:
                    if future.done():  # cancelled while queued
                        continue
                    self._current[i] = future
                try:
                    result = runner.run(job, self.retries, stop=lambda: future.cancelled() or self._closed)
                except Exception as exc:  # a fault of the pool itself (e.g. no processes left): report, go on
                    result = OracleResult(Status.ERROR, message=f"pool failure: {type(exc).__name__}: {exc}")
                with self._lock:
                    self._current[i] = None
                resolve(future, result)
        finally:
            runner.close()

    def _on_done(self, future: Future[OracleResult]) -> None:
        """Forget a finished future; if it was cancelled while running, kill its worker."""
        with self._lock:
            self._unfinished.discard(future)
            if future.cancelled():
                for runner, current in zip(self._runners, self._current):
                    if current is future:
                        runner.interrupt()
