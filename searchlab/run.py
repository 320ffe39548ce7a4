"""The run loop: ask → dedup → submit → collect → record → tell, until the budget is spent; and resume.

The coordinator is the ledger's only writer. Every proposal is written as `submitted` before it is sent
to a worker and every result as `finished` as soon as it arrives, so a run killed at any moment resumes
from its ledger: in-flight candidates are re-submitted with the same parameters and seed, and the
planner is rebuilt by telling it the finished records in the order it was told them.
"""

from __future__ import annotations

import concurrent.futures as cf
import shutil
import signal
import threading
import time
from itertools import takewhile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from .errors import ConfigError
from .game import Candidate
from .history import Budget, Evaluation, RunHistory
from .ledger import LedgerWriter
from .oracle import Job, OracleResult, Status
from .planner import Planner, PlannerContext
from .planners import DEFAULT_PLANNER, PLANNERS, make_planner
from .pools import make_pool
from .registry import Problem, get_problem
from .seeds import derive_seed
from .rundir import ARTIFACTS, LEDGER, load_history, new_run_dir, prepare_run_dir, write_config

MAX_DUPLICATE_ASKS = 20


@dataclass(frozen=True)
class RunSettings:
    """Everything that defines a run besides its budget; stored in the ledger's first event."""

    problem: str
    config: dict[str, Any]
    seed: int = 0
    preset: str | None = None
    overrides: tuple[str, ...] = ()
    planner: str = "hybrid"
    workers: int = 1
    backend: str = "local"
    scheduler: str | None = None
    timeout: float | None = None
    deterministic: bool = False
    batch: int = 4
    retries: int = 1
    minimize: bool = True

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["overrides"] = list(self.overrides)
        return d


def check_budget(budget: Budget) -> Budget:
    """Reject budgets that cannot mean anything (a one-line ConfigError)."""
    if budget.evaluations is None and budget.oracle_seconds is None and budget.wall_seconds is None:
        raise ConfigError("a budget is needed: --budget N (evaluations), --oracle-time or --wall-time")
    for name, v in (("--budget", budget.evaluations), ("--oracle-time", budget.oracle_seconds), ("--wall-time", budget.wall_seconds)):
        if v is not None and v <= 0:
            raise ConfigError(f"{name} must be positive, got {v}")
    return budget


def create_run(
    problem_name: str,
    budget: Budget,
    *,
    preset: str | None = None,
    overrides: tuple[str, ...] = (),
    run_dir: str | Path | None = None,
    runs_root: str | Path = "runs",
    **options: Any,
) -> Path:
    """Validate everything, create the run directory and write the ledger's `run_started` event.

    Without a `planner` option the problem's default planner for this configuration is used (else hybrid); a
    problem with a stop rule may run without a budget (it then stops by its own rule or on Ctrl-C).
    """
    problem = get_problem(problem_name)
    config = problem.resolve(preset, overrides)
    planner = options.pop("planner", None)
    if planner is None and problem.default_planner is not None:
        planner = problem.default_planner(config)
    settings = RunSettings(problem=problem_name, config=config, preset=preset, overrides=tuple(overrides),
                           minimize=problem.minimize, planner=planner or DEFAULT_PLANNER, **options)
    _check_settings(settings, problem)
    if problem.stop is None or budget != Budget():
        check_budget(budget)
    own = problem.planners.get(settings.planner)
    if own is not None:  # built once now so that it can reject the configuration before anything is written
        own(PlannerContext(problem.make_game(config), settings.seed, problem.minimize), config)
    path = Path(run_dir) if run_dir is not None else new_run_dir(runs_root, problem_name)
    prepare_run_dir(path)
    write_config(path, settings.to_json(), budget.to_json())
    with LedgerWriter(path / LEDGER) as ledger:
        ledger.append("run_started", settings=settings.to_json(), budget=budget.to_json())
    return path


def _check_settings(s: RunSettings, problem: Problem) -> None:
    if s.workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {s.workers}")
    if s.batch < 1:
        raise ConfigError(f"--batch must be at least 1, got {s.batch}")
    if s.timeout is not None and s.timeout <= 0:
        raise ConfigError(f"--timeout must be positive, got {s.timeout}")
    if s.retries < 0:
        raise ConfigError(f"--retries must be >= 0, got {s.retries}")
    if s.backend not in ("local", "dask"):
        raise ConfigError(f"unknown backend {s.backend!r} (known: local, dask)")
    if s.planner not in PLANNERS and s.planner not in problem.planners:
        known = [*PLANNERS, *problem.planners]
        raise ConfigError(f"unknown planner {s.planner!r} (known: {', '.join(known)})")


ProgressFn = Callable[[RunHistory, Evaluation | None], None]


@dataclass
class Coordinator:
    """Drives one invocation of a run (a fresh start or a resume) until its budget is spent."""

    run_dir: Path
    budget: Budget | None = None
    workers: int | None = None
    progress: ProgressFn | None = None
    history: RunHistory = field(init=False)
    stop_reason: str = field(init=False, default="")

    def __post_init__(self) -> None:
        self.run_dir = Path(self.run_dir)
        self.history = load_history(self.run_dir)
        s = dict(self.history.settings)
        s["overrides"] = tuple(s.get("overrides", ()))
        self.settings = RunSettings(**s)
        self.problem: Problem = get_problem(self.settings.problem)
        self.game = self.problem.make_game(self.settings.config)
        self.oracle = self.problem.make_oracle(self.settings.config)

    # -- setup -------------------------------------------------------------------------------------

    def _rebuild_planner(self) -> tuple[Planner, int]:
        """A fresh planner told what the original was told; returns it and the number told."""
        ctx = PlannerContext(self.game, self.settings.seed, self.problem.minimize)
        own = self.problem.planners.get(self.settings.planner)
        planner = own(ctx, self.settings.config) if own is not None else make_planner(self.settings.planner, ctx)
        if self.settings.deterministic:  # told in submission order: the finished prefix
            told = list(takewhile(lambda ev: ev.finished, self.history.evaluations.values()))
        else:  # told as they finished
            told = self.history.finished()
        planner.tell([ev.record() for ev in told])
        return planner, len(told)

    # -- the loop ----------------------------------------------------------------------------------

    def run(self) -> RunHistory:
        """Run until the budget is spent, the planner runs dry, or the user interrupts (Ctrl-C/SIGTERM)."""
        h = self.history
        self.ledger = LedgerWriter(self.run_dir / LEDGER)
        resumed = bool(h.evaluations)
        if self.budget is not None and self.budget != h.budget:
            check_budget(self.budget)
            self._write("config_changed", budget=self.budget.to_json())
        if resumed:
            self._write("resumed", pending=[ev.eval_id for ev in h.pending()])
        self.n_workers = self.workers or self.settings.workers
        planner, told = self._rebuild_planner()
        self.planner = planner
        self.n_told = told
        self.t0 = time.monotonic()
        self.stop_reason = ""
        in_main = threading.current_thread() is threading.main_thread()
        old_term = signal.signal(signal.SIGTERM, _raise_interrupt) if in_main else None
        pool = make_pool(self.settings.backend, self.n_workers, self.settings.scheduler, retries=self.settings.retries)
        self.inflight: dict[cf.Future, int] = {}
        self.queue: list[int] = []  # submitted in the ledger, not yet sent to the pool
        try:
            for ev in h.pending():  # resume: same candidate, same seed, same id
                self._clear_workdir(ev.eval_id)
                self.queue.append(ev.eval_id)
            self._check_stop()
            self._loop(pool)
        except KeyboardInterrupt:
            self.stop_reason = "interrupted"
        finally:
            pool.shutdown()
            if in_main:
                signal.signal(signal.SIGTERM, old_term)
            self._write("stopped", reason=self.stop_reason or "budget spent",
                        pending=[ev.eval_id for ev in self.history.pending()])
            self.ledger.close()
        return self.history

    def _loop(self, pool: Any) -> None:
        h = self.history
        while True:
            self._propose()
            while self.queue and len(self.inflight) < self.n_workers:
                eid = self.queue.pop(0)
                self.inflight[pool.submit(self._job(eid))] = eid
            if not self.inflight:
                if not self.stop_reason:
                    self.stop_reason = "budget spent" if self._budget_spent() else "planner proposed nothing new"
                return
            timeout = None
            if h.budget.wall_seconds is not None:
                timeout = max(0.05, h.budget.wall_seconds - (time.monotonic() - self.t0))
            done, _ = cf.wait(list(self.inflight), timeout=timeout, return_when=cf.FIRST_COMPLETED)
            if not done and self._wall_spent():
                self.stop_reason = "wall time spent"
                return  # in-flight evaluations stay pending in the ledger; resume re-submits them
            for fut in sorted(done, key=lambda f: self.inflight[f]):
                eid = self.inflight.pop(fut)
                try:
                    result = fut.result()
                except Exception as exc:  # pools resolve to results; this guards a broken backend
                    result = OracleResult(Status.ERROR, message=f"pool failure: {type(exc).__name__}: {exc}")
                self._finish(eid, result)

    def _propose(self) -> None:
        """Ask the planner for as many new candidates as the budget, the pool and the mode allow."""
        h = self.history
        if self._budget_spent() or self.stop_reason:
            return
        n_sub = len(h.evaluations)
        room = h.budget.evaluations - n_sub if h.budget.evaluations is not None else self.n_workers
        if self.settings.deterministic:
            # candidate i is proposed knowing exactly the results 0..i-batch, whatever --workers is
            while room > 0 and n_sub <= self.n_told + self.settings.batch - 1:
                if not self._ask_and_submit(1):
                    return
                n_sub, room = n_sub + 1, room - 1
        else:
            want = min(room, self.n_workers - len(self.inflight) - len(self.queue))
            if want > 0:
                self._ask_and_submit(want)

    def _ask_and_submit(self, n: int) -> int:
        """Ask for `n` candidates, drop keys already known (re-asking a few times), write `submitted`."""
        h = self.history
        known = h.keys()
        dupes: list[Candidate] = []
        added = 0
        for _ in range(MAX_DUPLICATE_ASKS):
            for cand in self.planner.ask(n - added, self._untold() + dupes):
                if cand.key in known:
                    dupes.append(cand)
                    continue
                known.add(cand.key)
                eid = len(h.evaluations)
                self._write("submitted", id=eid, candidate=cand.to_json(), seed=derive_seed(self.settings.seed, eid))
                self.queue.append(eid)
                added += 1
            if added >= n:
                break
        if added == 0:
            self.stop_reason = "planner proposed only candidates already evaluated"
        return added

    def _finish(self, eid: int, result: OracleResult) -> None:
        """Record a result, make its artifacts visible, and tell the planner (in order if deterministic)."""
        result.artifacts = self._publish_artifacts(eid) or result.artifacts
        self._write("finished", id=eid, result=result.to_json())
        self._check_stop()
        ev = self.history.evaluations[eid]
        if self.settings.deterministic:
            evs = self.history.evaluations
            while self.n_told < len(evs) and evs[self.n_told].finished:
                self._propose()  # proposals up to n_told + batch - 1 must not see this result
                self.planner.tell([evs[self.n_told].record()])
                self.n_told += 1
        else:
            self.planner.tell([ev.record()])
            self.n_told += 1
        if self.progress is not None:
            self.progress(self.history, ev)

    # -- helpers -----------------------------------------------------------------------------------

    def _untold(self) -> list[Candidate]:
        """Submitted candidates whose results the planner has not been told: its `pending` set."""
        evs = self.history.evaluations.values()
        if self.settings.deterministic:  # told = the prefix 0..n_told-1
            return [ev.candidate for ev in evs if ev.eval_id >= self.n_told]
        return [ev.candidate for ev in evs if not ev.finished]

    def _job(self, eid: int) -> Job:
        ev = self.history.evaluations[eid]
        workdir = self.run_dir / ARTIFACTS / f"{eid}.partial"
        workdir.mkdir(parents=True, exist_ok=True)
        return Job(eval_id=eid, oracle=self.oracle, candidate=ev.candidate, seed=ev.seed,
                   timeout=self.settings.timeout, resources=dict(self.problem.resources), workdir=str(workdir))

    def _clear_workdir(self, eid: int) -> None:
        shutil.rmtree(self.run_dir / ARTIFACTS / f"{eid}.partial", ignore_errors=True)

    def _publish_artifacts(self, eid: int) -> list[str]:
        """Atomically rename the evaluation's scratch directory into place if it holds files."""
        partial = self.run_dir / ARTIFACTS / f"{eid}.partial"
        if not partial.is_dir() or not any(partial.iterdir()):
            shutil.rmtree(partial, ignore_errors=True)
            return []
        final = self.run_dir / ARTIFACTS / str(eid)
        shutil.rmtree(final, ignore_errors=True)
        partial.replace(final)
        return sorted(str(p.relative_to(self.run_dir)) for p in final.rglob("*") if p.is_file())

    def _check_stop(self) -> None:
        """Ask the problem's stop rule (if any) whether the run is done; no new proposals once it says so."""
        if self.problem.stop is not None and not self.stop_reason:
            self.stop_reason = self.problem.stop(self.history) or ""

    def _write(self, type: str, **fields: Any) -> None:
        self.history.apply(self.ledger.append(type, **fields))

    def _budget_spent(self) -> bool:
        h = self.history
        b = h.budget
        if b.evaluations is not None and len(h.evaluations) >= b.evaluations:
            return True
        if b.oracle_seconds is not None and h.oracle_seconds() >= b.oracle_seconds:
            return True
        return self._wall_spent()

    def _wall_spent(self) -> bool:
        b = self.history.budget
        return b.wall_seconds is not None and time.monotonic() - self.t0 >= b.wall_seconds


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def run(run_dir: str | Path, *, budget: Budget | None = None, workers: int | None = None,
        progress: ProgressFn | None = None) -> tuple[RunHistory, str]:
    """Start or resume the run in `run_dir`; returns its history and why it stopped."""
    coord = Coordinator(Path(run_dir), budget=budget, workers=workers, progress=progress)
    history = coord.run()
    return history, coord.stop_reason
