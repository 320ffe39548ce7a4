"""Oracle pools with real worker processes: results, errors, timeouts, crashes, retries, clean shutdown."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import CancelledError

import pytest

from searchlab.errors import ConfigError
from searchlab.game import Candidate
from searchlab.oracle import Job, Status
from searchlab.pools import LocalPool, Pool, make_pool

try:  # tests/ may or may not be a package
    from . import oracles_for_tests as O
except ImportError:
    import oracles_for_tests as O

X3 = Candidate((), {"x": 3.0}, key="x=3")
WORKER_MARK = "searchlab.pools.base import serve"


def job(oracle: object, eval_id: int = 0, **kw: object) -> Job:
    """A job for the candidate x=3 with seed = eval_id."""
    return Job(eval_id, oracle, X3, seed=eval_id, **kw)  # type: ignore[arg-type]


def processes() -> dict[int, tuple[int, str, str]]:
    """pid -> (parent pid, state letter, command line) of every process we can see in /proc."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{d}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        out[int(d)] = (int(fields[1]), fields[0], cmd)
    return out


def worker_pids(parent: int) -> set[int]:
    """Live (non-zombie) worker processes whose parent is `parent`."""
    return {p for p, (pp, state, cmd) in processes().items() if pp == parent and state != "Z" and WORKER_MARK in cmd}


def descendant_workers(root: int) -> set[int]:
    """Live worker processes anywhere below `root` (e.g. children of Dask workers we started)."""
    procs = processes()
    found, frontier = set(), {root}
    while frontier:
        frontier = {p for p, (pp, state, _) in procs.items() if pp in frontier and state != "Z"}
        found |= {p for p in frontier if WORKER_MARK in procs[p][2]}
    return found


def alive(pid: int) -> bool:
    """Whether `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until(condition, timeout: float = 10.0) -> bool:
    """Poll `condition` every 50 ms until it holds or `timeout` s pass; its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


# --- local pool ---------------------------------------------------------------------------------


def test_make_pool_and_protocol() -> None:
    with pytest.raises(ConfigError, match="unknown pool backend"):
        make_pool("threads", 2)
    with pytest.raises(ConfigError):
        make_pool("local", 1, scheduler="tcp://127.0.0.1:8786")
    with make_pool("local", 1) as pool:
        assert isinstance(pool, LocalPool) and isinstance(pool, Pool) and pool.workers == 1


def test_two_workers_run_jobs_in_parallel(tmp_path) -> None:
    with LocalPool(workers=2) as pool:
        futures = [pool.submit(job(O.MeetsAnother(), i, workdir=str(tmp_path))) for i in range(2)]
        a, b = (f.result(timeout=60) for f in futures)
        c = pool.submit(job(O.Square(delay=0.2), 3)).result(timeout=60)
    assert a.status is b.status is Status.OK and a.value == b.value == 1.0  # they met: ran at the same time
    assert a.values["pid"] != b.values["pid"]
    assert c.status is Status.OK and c.value == 9.0 and c.cost >= 0.2


def test_raising_oracle_is_an_error_result() -> None:
    with LocalPool(workers=1) as pool:
        r = pool.submit(job(O.Raises("no such thing"))).result(timeout=30)
        ok = pool.submit(job(O.Square())).result(timeout=30)
    assert r.status is Status.ERROR and r.message == "ValueError: no such thing"
    assert "Traceback" in r.values["traceback"]
    assert ok.status is Status.OK


def test_unpicklable_job_is_an_error_result() -> None:
    with LocalPool(workers=1) as pool:
        r = pool.submit(Job(0, O.Square(), Candidate((), {"x": lambda: 3}), seed=0)).result(timeout=30)
    assert r.status is Status.ERROR and "could not be sent to a worker" in r.message


def test_timeout_kills_the_worker_and_the_pool_goes_on() -> None:
    with LocalPool(workers=1) as pool:
        before = pool.submit(job(O.Square(), 1)).result(timeout=30)
        r = pool.submit(job(O.Hangs(), 2, timeout=1)).result(timeout=30)
        after = pool.submit(job(O.Square(), 3)).result(timeout=30)
    assert r.status is Status.TIMEOUT
    assert r.message == "exceeded the 1 s wall-clock limit; worker killed" and 1.0 <= r.cost < 10
    assert after.status is Status.OK and after.values["pid"] != before.values["pid"]
    assert not alive(before.values["pid"])


@pytest.mark.parametrize(
    ("oracle", "cause"),
    [
        (O.Aborts(), "worker process died: killed by signal SIGABRT"),
        (O.Exits(3), "worker process exited with code 3"),
        (O.Segfaults(), "worker process died: killed by signal SIGSEGV"),
    ],
    ids=["abort", "exit3", "segfault"],
)
def test_worker_death_is_retried_then_an_error(oracle: object, cause: str) -> None:
    with LocalPool(workers=1, retries=1) as pool:
        r = pool.submit(job(oracle)).result(timeout=30)
        ok = pool.submit(job(O.Square())).result(timeout=30)
    assert r.status is Status.ERROR
    assert r.message == f"{cause} (gave up after 2 attempts)"
    assert ok.status is Status.OK


def test_a_retry_can_succeed(tmp_path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with LocalPool(workers=1, retries=1) as pool:
        r = pool.submit(job(O.CrashesOnce(), workdir=str(tmp_path / "a"))).result(timeout=30)
    with LocalPool(workers=1, retries=0) as pool:
        r0 = pool.submit(job(O.CrashesOnce(), workdir=str(tmp_path / "b"))).result(timeout=30)
    assert r.status is Status.OK and r.value == 1.0
    assert r0.status is Status.ERROR and r0.message.endswith("(gave up after 1 attempt)")


def test_a_crash_is_seen_and_cleaned_up_even_if_the_oracle_forked(tmp_path) -> None:
    with LocalPool(workers=1, retries=0) as pool:
        r = pool.submit(job(O.ForksThenAborts(), timeout=20, workdir=str(tmp_path))).result(timeout=30)
    assert r.status is Status.ERROR and "SIGABRT" in r.message  # not a TIMEOUT: the pool saw the death
    child = int((tmp_path / "child.pid").read_text())
    assert wait_until(lambda: not alive(child), timeout=5)  # killed with the worker's process group


def test_a_crash_does_not_disturb_other_jobs() -> None:
    with LocalPool(workers=2, retries=1) as pool:
        slow = pool.submit(job(O.Square(delay=1.5), 1))
        crash = pool.submit(job(O.Aborts(), 2))
        rest = [pool.submit(job(O.Square(), i)) for i in range(3, 7)]
        assert crash.result(timeout=30).status is Status.ERROR
        slow_r = slow.result(timeout=30)
        assert slow_r.status is Status.OK and slow_r.value == 9.0 and slow_r.cost >= 1.5
        assert [f.result(timeout=30).status for f in rest] == [Status.OK] * 4


def test_cancelling_a_running_job_kills_it() -> None:
    with LocalPool(workers=1) as pool:
        hung = pool.submit(job(O.Hangs(), 1))
        assert wait_until(lambda: len(worker_pids(os.getpid())) == 1)
        time.sleep(0.5)  # let it start
        assert hung.cancel()
        r = pool.submit(job(O.Square(), 2)).result(timeout=30)
    assert r.status is Status.OK
    with pytest.raises(CancelledError):
        hung.result()


def test_shutdown_with_a_hung_job_is_prompt_and_leaves_no_processes() -> None:
    pool = LocalPool(workers=2)
    hung = pool.submit(job(O.Hangs(), 1))
    queued = [pool.submit(job(O.Square(delay=30), i)) for i in range(2, 5)]
    assert wait_until(lambda: len(worker_pids(os.getpid())) == 2)
    time.sleep(0.5)
    pids = worker_pids(os.getpid())
    t0 = time.monotonic()
    pool.shutdown()
    assert time.monotonic() - t0 < 5
    assert hung.cancelled() and all(f.cancelled() for f in queued)
    assert worker_pids(os.getpid()) == set()
    assert not any(alive(p) for p in pids)
    for p in pids:  # reaped, not left as zombies
        with pytest.raises(ChildProcessError):
            os.waitpid(p, os.WNOHANG)
    with pytest.raises(RuntimeError):
        pool.submit(job(O.Square()))


COORDINATOR = """
import os, sys, time
from searchlab.game import Candidate
from searchlab.oracle import Job
from searchlab.pools import LocalPool
import oracles_for_tests as O
pool = LocalPool(workers=2)
pool.submit(Job(0, O.Hangs(), Candidate((), {}), 0))
print("started", flush=True)
time.sleep(600)
"""


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "Ctrl-C"])
def test_workers_die_with_their_coordinator(sig: signal.Signals) -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.dirname(O.__file__), *sys.path]))
    coordinator = subprocess.Popen([sys.executable, "-c", COORDINATOR], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert coordinator.stdout is not None and coordinator.stdout.readline().strip() == "started"
        assert wait_until(lambda: len(worker_pids(coordinator.pid)) == 2, timeout=30)
        time.sleep(0.5)
        pids = worker_pids(coordinator.pid)
    finally:
        coordinator.send_signal(sig)  # Ctrl-C: KeyboardInterrupt, the coordinator exits without shutdown()
        try:
            coordinator.wait(timeout=30)
        finally:
            coordinator.kill()
            coordinator.wait()
            coordinator.stdout.close()
    assert wait_until(lambda: not any(alive(p) for p in pids), timeout=10)


# --- Dask pool ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dask_pool():
    from searchlab.pools.dask import DaskPool

    with DaskPool(workers=2, retries=1) as pool:
        yield pool


@pytest.mark.parametrize("backend", ["local", "dask"])
def test_both_backends_give_the_same_statuses(backend: str, request) -> None:
    jobs = [
        job(O.Square(delay=0.2), 1),
        job(O.Raises("no such thing"), 2),
        job(O.Hangs(), 3, timeout=1),
        job(O.Aborts(), 4),
        job(O.Exits(3), 5),
        job(O.Square(), 6),
    ]
    if backend == "dask":
        pool = request.getfixturevalue("dask_pool")
        results = [f.result(timeout=60) for f in [pool.submit(j) for j in jobs]]
    else:
        with LocalPool(workers=2, retries=1) as pool:
            results = [f.result(timeout=60) for f in [pool.submit(j) for j in jobs]]
    assert [(r.status, r.value) for r in results] == [
        (Status.OK, 9.0),
        (Status.ERROR, None),
        (Status.TIMEOUT, None),
        (Status.ERROR, None),
        (Status.ERROR, None),
        (Status.OK, 9.0),
    ]
    assert [r.message for r in results[1:5]] == [
        "ValueError: no such thing",
        "exceeded the 1 s wall-clock limit; worker killed",
        "worker process died: killed by signal SIGABRT (gave up after 2 attempts)",
        "worker process exited with code 3 (gave up after 2 attempts)",
    ]


def test_dask_pool_refuses_resources_its_cluster_lacks(dask_pool) -> None:
    assert dask_pool.workers == 2
    r = dask_pool.submit(job(O.Square(), 1, resources={"gpu": 1})).result(timeout=5)
    assert r.status is Status.ERROR and "gpu" in r.message
    assert dask_pool.submit(job(O.Square(), 2, resources={})).result(timeout=60).status is Status.OK


def test_dask_pool_on_a_scheduler_address_honours_resources(tmp_path) -> None:
    import logging

    from distributed import LocalCluster

    from searchlab.pools.dask import DaskPool

    # one Dask worker with two threads but one "cpu": jobs asking for a cpu must run one at a time
    with LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        resources={"cpu": 1},
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        silence_logs=logging.ERROR,
    ) as cluster:
        with make_pool("dask", 1, scheduler=cluster.scheduler_address) as pool:
            assert isinstance(pool, DaskPool) and pool.workers == 2
            (tmp_path / "cpu").mkdir()
            (tmp_path / "free").mkdir()
            one_cpu = [
                pool.submit(job(O.MeetsAnother(patience=1), i, resources={"cpu": 1}, workdir=str(tmp_path / "cpu")))
                for i in range(2)
            ]
            free = [pool.submit(job(O.MeetsAnother(), i, resources={}, workdir=str(tmp_path / "free"))) for i in range(2)]
            assert [f.result(timeout=60).value for f in one_cpu] == [0.0, 0.0]  # never ran together
            assert [f.result(timeout=60).value for f in free] == [1.0, 1.0]  # the two threads do run together


def test_dask_pool_shutdown_with_a_hung_job_leaves_no_processes() -> None:
    from searchlab.pools.dask import DaskPool

    others = descendant_workers(os.getpid())  # e.g. those of the module's dask_pool
    pool = DaskPool(workers=1)
    try:
        hung = pool.submit(job(O.Hangs(), 1))
        assert wait_until(lambda: len(descendant_workers(os.getpid()) - others) == 1, timeout=30)
        time.sleep(0.5)
        pids = descendant_workers(os.getpid()) - others
    finally:
        t0 = time.monotonic()
        pool.shutdown()
    assert time.monotonic() - t0 < 15
    assert hung.cancelled()
    assert wait_until(lambda: not any(alive(p) for p in pids), timeout=10)
