"""The Pool role, and the isolation primitive both backends share: a persistent worker process per slot.

A worker is a plain child process (`subprocess`, i.e. fork+exec: safe in a threaded coordinator and
allowed inside daemonic Dask workers) in a session of its own, fed pickled jobs over a socket pair. A
hung oracle is killed with its whole process group; a crashed one is reported by signal or exit code.
"""

from __future__ import annotations

import faulthandler
import json
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import Future, InvalidStateError
from multiprocessing.connection import Connection, Pipe, wait
from typing import Callable, Protocol, runtime_checkable

from ..oracle import Job, OracleResult, Status, execute

START_TIMEOUT = 120.0
"""Seconds a fresh worker may take to start before it counts as dead (imports are not oracle time)."""

_PATH_VAR = "SEARCHLAB_WORKER_SYS_PATH"
_BOOT = (  # the worker starts with the coordinator's sys.path, as under spawn, without leaking PYTHONPATH
    f"import json, os, sys; sys.path[:] = json.loads(os.environ.pop({_PATH_VAR!r})); "
    "from searchlab.pools.base import serve; serve(int(sys.argv[1]), int(sys.argv[2]))"
)


@runtime_checkable
class Pool(Protocol):
    """Runs jobs in parallel; every future resolves to an OracleResult, even when the oracle crashes or hangs.

    `shutdown()` kills what still runs and cancels the futures it leaves unfinished.
    """

    workers: int

    def submit(self, job: Job) -> Future[OracleResult]: ...

    def shutdown(self) -> None: ...

    def __enter__(self) -> "Pool": ...

    def __exit__(self, *exc: object) -> None: ...


def resolve(future: Future[OracleResult], result: OracleResult | None) -> None:
    """Set a future's result unless it was cancelled meanwhile (None means: leave it, it was cancelled)."""
    if result is not None:
        try:
            future.set_result(result)
        except InvalidStateError:
            pass


def describe_exit(returncode: int) -> str:
    """How a worker process ended, in words: 'died: killed by signal SIGABRT' or 'exited with code 3'."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = str(-returncode)
        return f"died: killed by signal {name}"
    return f"exited with code {returncode}"


class WorkerProcess:
    """One child process that runs the jobs it is sent, one at a time, until killed or its parent dies."""

    def __init__(self) -> None:
        self.conn, child_conn = Pipe()
        alive_r, self._alive_w = os.pipe()  # the child exits when this write end closes (parent died)
        path = json.dumps([p or os.getcwd() for p in sys.path])
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _BOOT, str(child_conn.fileno()), str(alive_r)],
                pass_fds=(child_conn.fileno(), alive_r),
                env={**os.environ, _PATH_VAR: path},
                stdin=subprocess.DEVNULL,
                stdout=2,  # oracle prints go to stderr: the coordinator's stdout stays clean for --json
                start_new_session=True,  # no terminal Ctrl-C; killpg reaches the oracle's own children
            )
        except BaseException:
            self.conn.close()
            os.close(self._alive_w)
            raise
        finally:
            child_conn.close()
            os.close(alive_r)
        try:  # readable when the child exits, even if a process it forked keeps the socket open
            self._exit_fd: int | None = os.pidfd_open(self.proc.pid)
        except (AttributeError, OSError):
            self._exit_fd = None
        self.ready = False
        self.killed = False
        self._finished = False

    def wait_ready(self) -> str | None:
        """Wait for the child's hello after its imports; None when ready, else how it ended."""
        if not self.ready:
            if not self._wait(START_TIMEOUT):
                self.finish()
                return f"did not start within {START_TIMEOUT:g} s"
            try:
                if not self.conn.poll(0):
                    raise EOFError
                self.conn.recv_bytes()
            except (EOFError, OSError):
                return f"{self.finish()} while starting"
            self.ready = True
        return None

    def _wait(self, timeout: float | None) -> bool:
        """Block until the child sends something or ends (True), or `timeout` seconds pass (False)."""
        watched: list[object] = [self.conn] if self._exit_fd is None else [self.conn, self._exit_fd]
        return bool(wait(watched, timeout))

    def evaluate(self, payload: bytes, timeout: float | None) -> OracleResult | str:
        """Run one pickled job: its result, a TIMEOUT result (the worker is then killed), or how the worker died."""
        try:
            self.conn.send_bytes(payload)
        except OSError:
            return self.finish()
        t0 = time.monotonic()
        if not self._wait(timeout):
            self.finish()
            return OracleResult(
                Status.TIMEOUT,
                cost=time.monotonic() - t0,
                message=f"exceeded the {timeout:g} s wall-clock limit; worker killed",
            )
        try:
            if not self.conn.poll(0):  # the child ended, but a process it forked holds the socket open
                raise EOFError
            data = self.conn.recv_bytes()
        except (EOFError, OSError):
            return self.finish()
        try:
            return pickle.loads(data)
        except Exception as exc:
            return OracleResult(Status.ERROR, message=f"could not read the worker's result: {type(exc).__name__}: {exc}")

    def kill(self) -> None:
        """Kill the child and its process group now; callable from any thread (the owner then calls finish)."""
        self.killed = True
        if self.proc.returncode is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def finish(self) -> str:
        """Kill the child and anything it started, reap it, close the pipes, and say how it ended."""
        self.kill()  # before reaping: the group id stays reserved while the leader is unreaped
        returncode = self.proc.wait()
        if not self._finished:
            self._finished = True
            self.conn.close()
            os.close(self._alive_w)
            if self._exit_fd is not None:
                os.close(self._exit_fd)
        return describe_exit(returncode)


class IsolatedRunner:
    """Runs jobs one at a time in a persistent worker process, replacing it after a timeout or a crash.

    `run` is called by one owner thread at a time; `interrupt` may be called from any thread.
    """

    def __init__(self, start_now: bool = True) -> None:
        self._lock = threading.Lock()
        self._closed = False
        self._worker: WorkerProcess | None = WorkerProcess() if start_now else None

    def run(self, job: Job, retries: int = 1, stop: Callable[[], bool] = lambda: False) -> OracleResult | None:
        """The job's result; a worker death is retried `retries` times. None if `stop()` turned true meanwhile."""
        try:
            payload = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            return OracleResult(Status.ERROR, message=f"job could not be sent to a worker: {type(exc).__name__}: {exc}")
        t0 = time.monotonic()
        attempts = 0
        while True:
            if stop():
                return None
            worker = self._fresh_worker()
            if worker is None:
                return None
            attempts += 1
            outcome = worker.wait_ready() or worker.evaluate(payload, job.timeout)
            if isinstance(outcome, OracleResult):
                if outcome.status is Status.TIMEOUT:
                    self._replace()
                return outcome
            self._replace()
            if attempts > retries or stop():
                break
        return None if stop() else OracleResult(
            Status.ERROR,
            cost=time.monotonic() - t0,
            message=f"worker process {outcome} (gave up after {attempts} attempt{'s' if attempts > 1 else ''})",
        )

    def interrupt(self) -> None:
        """Kill the current worker (whatever it runs turns into a death the owner sees); it is replaced on next use."""
        with self._lock:
            if self._worker is not None:
                self._worker.kill()

    def close(self) -> None:
        """Kill and reap the worker; the runner starts no more."""
        with self._lock:
            self._closed = True
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.finish()

    def _fresh_worker(self) -> WorkerProcess | None:
        """The live worker, started (or restarted after an interrupt) as needed; None once closed."""
        with self._lock:
            if self._closed:
                return None
            if self._worker is not None and self._worker.killed:
                self._worker.finish()
                self._worker = None
            if self._worker is None:
                self._worker = WorkerProcess()
            return self._worker

    def _replace(self) -> None:
        """Reap the current (dead or killed) worker and start its replacement at once, so imports overlap."""
        with self._lock:
            if self._worker is not None:
                self._worker.finish()
            self._worker = None if self._closed else WorkerProcess()


def serve(conn_fd: int, alive_fd: int) -> None:
    """Worker process main loop: receive a pickled job, run it with `execute`, send back the result."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the coordinator's to handle
    faulthandler.enable(all_threads=False)  # a segfaulting oracle leaves a Python traceback on stderr
    threading.Thread(target=_die_with_parent, args=(alive_fd,), daemon=True).start()
    conn = Connection(conn_fd)
    conn.send_bytes(b"ready")
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            job = pickle.loads(data)
        except Exception as exc:
            result = OracleResult(Status.ERROR, message=f"could not load the job in the worker: {type(exc).__name__}: {exc}")
        else:
            try:
                result = execute(job)
            except BaseException as exc:  # SystemExit or KeyboardInterrupt raised by the oracle itself
                result = OracleResult(Status.ERROR, message=f"oracle raised {type(exc).__name__}: {exc}")
        try:
            out = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            out = pickle.dumps(OracleResult(
                Status.ERROR, cost=result.cost, message=f"oracle result could not be pickled: {type(exc).__name__}: {exc}"
            ))
        conn.send_bytes(out)


def _die_with_parent(alive_fd: int) -> None:
    """Block until the parent's end of the pipe closes (it exited or was killed), then kill this process group."""
    while os.read(alive_fd, 1):
        pass
    os.killpg(os.getpgid(0), signal.SIGKILL)
